"""What a transformer family declares: the vocabulary its one file is written in.

A family (GPT-2, Llama, BERT, …) is one module of ``geometry/transformer/families/`` holding a
:class:`Family`: how its weights become the named matrices (its ``read`` function, see
:mod:`geometry.transformer.weights`), how its blocks compute (its
:class:`~geometry.transformer.layout.Layout`: the norm, where the norms sit, the MLP, the positions,
the residual layout, the embedding scale, q/k norms), its tokenizer's word-boundary marker, the
models the trace cannot follow (:class:`Refusal`), a tiny random configuration for the tests and an
optional example model on the Hugging Face hub. The forward pass, the lens, attribution, patching,
the neurons, the cost model, the tokens and the pages read these declarations, never a family's
name nor a Hugging Face parameter name.

Nothing here imports torch or transformers, so reading the registry costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from geometry.transformer.architecture import Architecture
from geometry.transformer.layout import Layout
from geometry.transformer.weights import Weights

# --------------------------------------------------------------------------- tokenizers


@dataclass(frozen=True)
class WordBoundary:
    """How a tokenizer marks where words begin.

    Byte-level BPE (``Ġking``) and SentencePiece (``▁king``) mark a word's first piece; WordPiece
    marks the pieces that continue a word (``##ing``). ``space_prefix`` is what a word needs in
    front to be tokenized as it reads mid-sentence; ``decodes_bytes``: each token is a run of bytes,
    so it is shown by decoding it (a character split across tokens then shows as "�").
    """

    name: str
    marker: str
    starts_word: bool  # the marker opens a word (True) or continues one (False)
    space_prefix: str
    decodes_bytes: bool
    shown_as: tuple[tuple[str, str], ...] = ()  # (written in a piece, what it stands for)


BYTE_LEVEL = WordBoundary(
    "byte-level BPE", "Ġ", starts_word=True, space_prefix=" ", decodes_bytes=True,
    shown_as=(("Ġ", " "), ("Ċ", "\n")),
)  # fmt: skip
WORDPIECE = WordBoundary("WordPiece", "##", starts_word=False, space_prefix="", decodes_bytes=False)
SENTENCEPIECE = WordBoundary(
    "SentencePiece", "▁", starts_word=True, space_prefix="", decodes_bytes=False, shown_as=(("▁", " "),)
)
# SentencePiece without the dummy prefix (Gemma): a text's first word gets no ▁, so a word on its own
# needs a space in front to be tokenized as it reads mid-sentence
SENTENCEPIECE_NO_PREFIX = WordBoundary(
    "SentencePiece (no dummy prefix)", "▁", starts_word=True, space_prefix=" ", decodes_bytes=False,
    shown_as=(("▁", " "),),
)  # fmt: skip

# --------------------------------------------------------------------------- refusals


@dataclass(frozen=True)
class Refusal:
    """A feature the step-by-step trace cannot follow, and how to see it in a model's config."""

    feature: str  # named in the sentence the user reads, e.g. "sliding-window attention"
    applies: Callable[[Any], bool]  # config -> True when the model uses the feature

    def sentence(self, model_type: str) -> str:
        return f"The step-by-step trace cannot follow {self.feature}, which this {model_type} model uses."


def _sliding_window(config: Any) -> bool:
    return "sliding_attention" in (getattr(config, "layer_types", None) or ())


def _soft_capping(config: Any) -> bool:
    names = ("attn_logit_softcapping", "final_logit_softcapping")
    return any(getattr(config, name, None) for name in names)


SLIDING_WINDOW = Refusal("sliding-window attention", _sliding_window)
SOFT_CAPPING = Refusal("soft-capped attention scores or logits", _soft_capping)
STANDARD_REFUSALS = (SLIDING_WINDOW, SOFT_CAPPING)

# --------------------------------------------------------------------------- the family


@dataclass(frozen=True)
class TinyModel:
    """A tiny random model of the family for the tests: made in memory, downloads nothing.

    ``config(tokenizer)`` gives a transformers config (2 layers, 32 dimensions or so) for a
    tokenizer the tests train in memory with the ``tokenizer`` word boundary; ``prepare(model)``
    may then change the random weights (non-zero biases prove they are read). ``refused``: configs
    of the family that use a feature the trace cannot follow, each with the refusal that must name
    it; the tests check that each is refused with its sentence.
    """

    config: Callable[[Any], Any]
    tokenizer: WordBoundary
    prepare: Callable[[Any], None] | None = None
    refused: tuple[tuple[Refusal, Callable[[Any], Any]], ...] = ()  # (refusal, tokenizer -> config)


def far_from_initial(model: Any, matrices: float = 0.2, vectors: float = 0.5) -> None:
    """A ``TinyModel.prepare``: random weights far from a fresh model's, so that a weight read wrongly,
    or not read at all, shows in the parity tests. Matrices get a standard deviation of ``matrices``
    (attention is then far from uniform); every vector (norm gains, biases) moves by about
    ``vectors`` from its initial value (ones, zeros)."""
    import torch

    with torch.no_grad():
        for weight in model.parameters():
            if weight.dim() >= 2:
                weight.normal_(0.0, matrices)
            else:
                weight.add_(torch.randn_like(weight) * vectors)


@dataclass(frozen=True)
class Family:
    """One architecture family, declared as data in its own file of ``geometry/transformer/families/``."""

    name: str  # the module's name
    title: str  # how people call the family ("GPT-2")
    model_types: tuple[str, ...]  # config.model_type values read this way
    layout: Layout
    read: Callable[[Any, Architecture], Weights]  # (transformers model, architecture) -> named matrices
    word_boundaries: tuple[WordBoundary, ...]  # the markers its tokenizers use, most common first
    tiny: TinyModel
    refusals: tuple[Refusal, ...] = STANDARD_REFUSALS
    example_model: str | None = None  # a small real model on the Hugging Face hub, offered by the pickers
    example_weights: int = 0  # about how many weights the example has (4 bytes each in float32); 0: unknown
    sizes: Callable[[Any], dict[str, int]] | None = None  # config -> sizes, when the standard names differ
