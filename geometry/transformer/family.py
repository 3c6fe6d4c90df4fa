"""What a transformer family declares: the vocabulary its one file is written in.

A family (GPT-2, Llama, BERT, …) is one module of ``geometry/transformer/families/`` holding a
:class:`Family`: how its weights become the named matrices (its ``read`` function, see
:mod:`geometry.transformer.weights`), how its blocks compute (its :class:`Layout`: the norm, where
the norms sit, the MLP, the positions, the residual layout, the embedding scale, q/k norms), its
tokenizer's word-boundary marker, the models the trace cannot follow (:class:`Refusal`), a tiny
random configuration for the tests and an optional example model on the Hugging Face hub. The
forward pass, the lens, attribution, patching, the neurons, the cost model, the tokens and the
pages read these declarations, never a family's name nor a Hugging Face parameter name.

Nothing here imports torch or transformers, so reading the registry costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geometry.transformer.architecture import Architecture
    from geometry.transformer.weights import Weights

# --------------------------------------------------------------------------- norms


@dataclass(frozen=True)
class NormKind:
    """How a norm rescales a vector: ``centre(x) / RMS(centre(x)) · (gain_offset + w) + b``.

    LayerNorm centres (subtracts the mean) before dividing; RMSNorm does not. Gemma's RMSNorm
    learns ``w`` as an offset from 1 (``gain_offset = 1``). The shift ``b`` is there when the
    model has one (LayerNorm's bias).
    """

    name: str  # how people call it; the architecture table shows it
    centred: bool  # subtract the mean first
    gain_offset: float = 0.0  # the learned scale is gain_offset + w

    def __str__(self) -> str:
        return self.name


LAYER_NORM = NormKind("LayerNorm", centred=True)
RMS_NORM = NormKind("RMSNorm", centred=False)
RMS_NORM_PLUS_ONE = NormKind("RMSNorm (1 + w)", centred=False, gain_offset=1.0)


@dataclass(frozen=True)
class NormPlacement:
    """Where a block's norms sit, as three switches that can be combined.

    ``before``: each sublayer reads a normalised copy of the stream, ``x + f(norm(x))`` (pre-norm);
    ``on_output``: each sublayer's output is normalised before it is added, ``x + norm(f(x))``;
    ``after_add``: the stream itself is normalised after each addition, ``norm(x + f(x))`` (post-norm).
    """

    name: str
    label: str  # the architecture table's words for it
    before: bool
    on_output: bool
    after_add: bool

    def __str__(self) -> str:
        return self.name


PRE_NORM = NormPlacement(
    "pre", "before each sublayer (pre-norm)", before=True, on_output=False, after_add=False
)
POST_NORM = NormPlacement(
    "post", "after each residual addition (post-norm)", before=False, on_output=False, after_add=True
)
OUTPUT_NORM = NormPlacement(
    "output", "on each sublayer's output, before it is added", before=False, on_output=True, after_add=False
)
SANDWICH_NORM = NormPlacement(
    "sandwich", "before each sublayer and on its output", before=True, on_output=True, after_add=False
)

# --------------------------------------------------------------------------- MLPs


@dataclass(frozen=True)
class MLPKind:
    """The MLP of a block: plain, ``activation(x W_in + b_in) W_out``, or gated,
    ``(activation(x W_gate) ⊙ x W_up) W_down`` (SwiGLU with SiLU, GeGLU with GELU)."""

    name: str  # how people call it; the architecture table shows it
    gated: bool
    activation: str  # the activation function's name, for people (the function itself is the config's)

    def __str__(self) -> str:
        return self.name

    @property
    def matrices(self) -> tuple[tuple[str, str, str], ...]:
        """(name, rows, columns) of each weight matrix, in the order a token meets them."""
        if self.gated:
            return (("W_gate", "d", "d_mlp"), ("W_up", "d", "d_mlp"), ("W_down", "d_mlp", "d"))
        return (("W_in", "d", "d_mlp"), ("W_out", "d_mlp", "d"))


GELU_MLP = MLPKind("GELU", gated=False, activation="GELU")
SWIGLU = MLPKind("SwiGLU", gated=True, activation="SiLU")
GEGLU = MLPKind("GeGLU", gated=True, activation="GELU")

# --------------------------------------------------------------------------- positions


@dataclass(frozen=True)
class Positions:
    """How a model tells tokens where they stand: a learned vector added to each token (``learned``),
    or a rotation of every query and key by an angle that grows with position (``rotary``; partial
    rotary turns only the first dimensions of each head, as many as the model's rotary module gives)."""

    name: str
    learned: bool
    rotary: bool
    partial: bool = False  # rotary on the first dimensions of each head only

    def __str__(self) -> str:
        return self.name


LEARNED = Positions("learned", learned=True, rotary=False)
ROTARY = Positions("rotary", learned=False, rotary=True)
PARTIAL_ROTARY = Positions("partial rotary", learned=False, rotary=True, partial=True)

# --------------------------------------------------------------------------- the rest of a block

SEQUENTIAL = "sequential"  # x + attn(…), then + mlp(…) of that sum
PARALLEL = "parallel"  # attention and MLP both read the block's input: x + attn(…x) + mlp(…x)
UNSCALED = "1"  # the embedding row as it is
SQRT_D = "√d"  # the embedding row times √d_model
NO_QK_NORM = "none"
QK_NORM_PER_HEAD = "per head"  # each head's query and key normalised on their own (RMSNorm over d_head)
QK_NORM_WHOLE = "whole"  # the whole query and key projections normalised before the heads are split


@dataclass(frozen=True)
class Layout:
    """How a family's blocks compute: everything the forward pass needs to know besides the weights."""

    norm: NormKind
    placement: NormPlacement
    positions: Positions
    mlp: MLPKind
    causal: bool = True  # each token sees only itself and the tokens before it
    vocabulary_head: bool = True  # an unembedding W_U gives next-token logits
    final_norm: bool = True  # one more norm after the last block (pre-norm stacks)
    token_types: bool = False  # a token-type (segment) vector is added to each token
    embedding_norm: bool = False  # the summed embeddings are normalised before block 0
    residual: str = SEQUENTIAL  # SEQUENTIAL or PARALLEL
    embedding_scale: str = UNSCALED  # UNSCALED or SQRT_D
    qk_norm: str = NO_QK_NORM  # NO_QK_NORM, QK_NORM_PER_HEAD or QK_NORM_WHOLE


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
    may then change the random weights (non-zero biases prove they are read).
    """

    config: Callable[[Any], Any]
    tokenizer: WordBoundary
    prepare: Callable[[Any], None] | None = None


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
    sizes: Callable[[Any], dict[str, int]] | None = None  # config -> sizes, when the standard names differ
