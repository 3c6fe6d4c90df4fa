"""A glass-box trace: one prompt through a real transformer, every intermediate kept by name.

:func:`trace` tokenizes the prompt exactly as ``lm.tokenizer(prompt)`` does, recomputes the forward
pass from the model's own weights (:mod:`geometry.transformer.forward`) and returns a :class:`Trace`:
the tokens, the architecture, and one record of activations, all numpy float32 and read-only. The
model is a causal LM or an encoder of any family in ``geometry/transformer/families/``. A trace keeps
a :class:`ReadOut` of its model's final norm and unembedding, so the logit lens
(:mod:`geometry.interpret.lens`) needs only the trace. What a page reads from a trace is in
:mod:`geometry.transformer.readings` and :mod:`geometry.transformer.tables`; writing tokens one at a
time is :mod:`geometry.transformer.generation`.

Activation names and shapes (T tokens, d = d_model, H heads, Hkv kv heads, dh = d_head), named as
TransformerLens names its hooks (``attn.q`` is ``hook_q``, the query before any rotation;
``attn.rot_q`` is ``hook_rot_q``; ``mlp.pre_linear`` is ``hook_pre_linear``; ``attn.out`` is
``hook_attn_out``, what is added to the stream, after an output norm where there is one)::

    embed (T, d)                       pos_embed (T, d)            learned positions only
    token_type_embed (T, d)            embed_norm (T, d)           token types; the norm of the sum (BERT)
    blocks.{L}.resid_pre (T, d)        blocks.{L}.ln1 (T, d)       ln1/ln2: norms before the sublayers only
    blocks.{L}.attn.q (H, T, dh)       blocks.{L}.attn.k (Hkv, T, dh)   blocks.{L}.attn.v (Hkv, T, dh)
    blocks.{L}.attn.normed_q (H, T, dh)   blocks.{L}.attn.normed_k (Hkv, T, dh)   q/k norms only
    blocks.{L}.attn.rot_q (H, T, dh)   blocks.{L}.attn.rot_k (Hkv, T, dh)   rotary only: q and k turned
    blocks.{L}.attn.dots (H, T, T)     raw q·k (of the normalised and turned q and k, where they are)
    blocks.{L}.attn.scores (H, T, T)   after scaling and the mask (-inf where masked)
    blocks.{L}.attn.pattern (H, T, T)  softmax probabilities
    blocks.{L}.attn.z (H, T, dh)       blocks.{L}.attn.out_pre_norm (T, d)   output norms only: z W_O + b_O
    blocks.{L}.attn.out (T, d)         what attention adds to the stream    blocks.{L}.resid_mid (T, d)
    blocks.{L}.ln2 (T, d)              blocks.{L}.mlp.pre (T, d_mlp)
    blocks.{L}.mlp.pre_linear (T, d_mlp)   gated MLPs only (SwiGLU): the linear half, x W_up
    blocks.{L}.mlp.post (T, d_mlp)     blocks.{L}.mlp.out_pre_norm (T, d)   output norms only
    blocks.{L}.mlp.out (T, d)          what the MLP adds to the stream      blocks.{L}.resid_post (T, d)
    ln_final (T, d)                    logits (T, vocab)           families with a vocabulary head only

Where the norms sit differs by family. Pre-norm families (GPT-2, Llama, Qwen2) normalise a copy of
the stream before each sublayer (``ln1``, ``ln2``; ``resid_mid = resid_pre + attn.out``) and once more
at the end (``ln_final``). Post-norm ones (BERT) normalise the stream itself after each addition
(``resid_mid = LayerNorm(resid_pre + attn.out)``, ``resid_post = LayerNorm(resid_mid + mlp.out)``),
so they have no ``ln1``, ``ln2`` or ``ln_final``; and an encoder has no ``logits``. Families that
normalise each sublayer's output (OLMo-2) add ``attn.out = norm(attn.out_pre_norm)``, and the MLP's
likewise. Where attention and the MLP run side by side (GPT-NeoX), the MLP reads ``resid_pre`` (its
``ln2`` normalises that), ``resid_mid = resid_pre + attn.out`` is the stream with attention's output
added, and ``resid_post = resid_mid + mlp.out``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geometry.models.handle import frozen, network, using
from geometry.transformer.architecture import Architecture
from geometry.transformer.forward import NO_INTERVENTION, Intervention, read_out, run, weights_of
from geometry.transformer.weights import Weights
from geometry.words.tokens import display_tokens

MAX_PROMPT_TOKENS = 64  # longer prompts keep their last 64 tokens (trace.truncated is then True)

NO_HEAD = (
    "A sentence-embedding encoder has no vocabulary head: it turns each token into a vector "
    "and predicts no next token."
)


class Activations(Mapping):
    """A read-only name → array mapping, in forward order (picklable, unlike MappingProxyType)."""

    def __init__(self, arrays: Mapping[str, np.ndarray]):
        self._arrays = dict(arrays)

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._arrays[name]
        except KeyError:
            raise KeyError(f"No activation named {name!r}; see Trace.names.") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def __repr__(self) -> str:
        return f"Activations({len(self)} arrays: {', '.join(list(self)[:3])}, …)"


@dataclass(frozen=True, eq=False)
class ReadOut:
    """The end of the model a trace went through: its final norm and unembedding, and the
    tokenizer that names the tokens. The weights are views of the model's own tensors (nothing
    copied, nothing changed), so a trace can read any residual vector the way the model would.
    """

    weights: Weights
    lm: Any  # the model handle: its tokenizer (and lock) name the tokens

    def logits(self, resid: np.ndarray):
        """Residual vectors (S, d) → torch logits (S, vocab): final norm, then the unembedding."""
        import torch

        with torch.no_grad():
            return read_out(torch.from_numpy(np.ascontiguousarray(resid)), self.weights)  # (S, vocab)

    def tokens(self, ids) -> tuple[str, ...]:
        return display_tokens(self.lm, ids)


@dataclass(frozen=True, eq=False)
class Trace:
    """One prompt's forward pass: tokens, architecture and every named intermediate.

    ``read_out`` reaches the model's final norm and unembedding (see :func:`logit_lens`); it stays
    in memory: a pickled trace keeps its numbers and leaves the model behind.
    """

    prompt: str
    token_ids: np.ndarray  # (T,) int64
    tokens: tuple[str, ...]  # display strings, "␣" for a space
    architecture: Architecture
    intervention: Intervention
    truncated: bool  # True when the prompt was cut to its last MAX_PROMPT_TOKENS tokens
    activations: Mapping[str, np.ndarray]
    model_name: str = ""
    read_out: ReadOut | None = field(default=None, repr=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "read_out": None}  # numbers only: the model is not pickled

    @property
    def names(self) -> list[str]:
        """Activation names in forward order."""
        return list(self.activations)

    @property
    def n_tokens(self) -> int:
        return len(self.token_ids)

    @property
    def predicts_tokens(self) -> bool:
        """Whether the model has a vocabulary head (a causal LM) or only makes vectors (an encoder)."""
        return self.architecture.layout.vocabulary_head

    @property
    def masks_the_future(self) -> bool:
        """Whether each token saw only itself and the tokens before it in this run."""
        return self.intervention.masks_the_future(self.architecture.layout)

    @property
    def logits(self) -> np.ndarray:
        """(vocab,) the next-token logits at the final position; ValueError for an encoder."""
        if not self.predicts_tokens:
            raise ValueError(NO_HEAD)
        return self.activations["logits"][-1]

    @functools.cached_property
    def attention(self) -> np.ndarray:
        """(L, H, T, T) attention probabilities: layer, head, query, key."""
        return frozen(np.stack([self.activations[f"blocks.{L}.attn.pattern"] for L in self._layers]))

    @functools.cached_property
    def scores(self) -> np.ndarray:
        """(L, H, T, T) pre-softmax scores, after scaling and the mask (-inf where masked)."""
        return frozen(np.stack([self.activations[f"blocks.{L}.attn.scores"] for L in self._layers]))

    @property
    def _layers(self) -> range:
        return range(self.architecture.n_layers)


def prompt_ids(lm, prompt: str, limit: int = MAX_PROMPT_TOKENS) -> tuple[list[int], bool]:
    """Token ids of ``prompt`` exactly as ``lm.tokenizer(prompt)`` makes them, the last ``limit`` kept.

    Returns (ids, truncated). ValueError (a message for the user) for an empty prompt or
    one the tokenizer turns into nothing.
    """
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("Type a prompt: at least one word.")
    with using(lm):
        ids = list(lm.tokenizer(prompt)["input_ids"])
    if not ids:
        raise ValueError("The tokenizer turned this prompt into no tokens at all; type some words.")
    truncated = len(ids) > limit
    return [int(i) for i in ids[-limit:]], truncated


def unique_labels(tokens: Sequence[str], ids) -> list[str]:
    """Token strings, with the id added only where two different ids would look the same.

    >>> unique_labels(["a", "b", "a"], [1, 2, 3])
    ['a [1]', 'b', 'a [3]']
    """
    tokens, ids = list(tokens), [int(i) for i in ids]
    seen = pd.Series(tokens, dtype=object).duplicated(keep=False).tolist()
    return [f"{t} [{i}]" if dup else t for t, i, dup in zip(tokens, ids, seen, strict=True)]


def position_labels(trace: Trace) -> list[str]:
    """``"3 ␣France"``: position and token, unique even when a token repeats."""
    return [f"{i} {token}" for i, token in enumerate(trace.tokens)]


def trace(
    lm, prompt: str, intervention: Intervention = NO_INTERVENTION, *, max_tokens: int = MAX_PROMPT_TOKENS
) -> Trace:
    """Run ``prompt`` through ``lm`` step by step, keeping every intermediate.

    ``lm`` is a model handle (:func:`geometry.models.handle.wrap`, or anything with ``.model`` and
    ``.tokenizer``) whose network (:func:`geometry.models.handle.network`) is a transformers model
    of a registered family, causal or an encoder. At most
    ``max_tokens`` tokens are kept (the last ones). ValueError (a message for the user) for
    an empty prompt, a prompt without tokens, an unsupported model or an ablated head that
    does not exist.

    >>> t = trace(lm, "The capital of France is")  # doctest: +SKIP
    >>> t.tokens, t.attention.shape  # doctest: +SKIP
    (('The', '␣capital', '␣of', '␣France', '␣is'), (30, 9, 5, 5))
    """
    import torch

    model = network(lm)
    weights = weights_of(model)
    _check_intervention(intervention, weights.architecture)
    max_positions = int(getattr(model.config, "max_position_embeddings", max_tokens))
    ids, truncated = prompt_ids(lm, prompt, limit=min(int(max_tokens), max_positions))
    with using(lm):
        acts = run(weights, torch.tensor(ids, dtype=torch.long), intervention)
    # detach: a slice of a weight that requires grad (W_pos[:T]) still requires it under no_grad
    arrays = {name: frozen(tensor.detach().numpy()) for name, tensor in acts.items()}
    return Trace(
        prompt=prompt,
        token_ids=frozen(np.asarray(ids, dtype=np.int64)),
        tokens=display_tokens(lm, ids),
        architecture=weights.architecture,
        intervention=intervention,
        truncated=truncated,
        activations=Activations(arrays),
        model_name=str(getattr(lm, "name", "")),
        read_out=ReadOut(weights, lm),
    )


def _check_intervention(intervention: Intervention, arch: Architecture) -> None:
    for layer, head in intervention.ablated_heads:
        if not (0 <= layer < arch.n_layers and 0 <= head < arch.n_heads):
            raise ValueError(
                f"There is no head {head} in layer {layer}: this model has layers 0–{arch.n_layers - 1} "
                f"and heads 0–{arch.n_heads - 1}."
            )


def checked_position(trace: Trace, position: int) -> int:
    T = trace.n_tokens
    if not -T <= position < T:
        raise ValueError(f"Position {position} is outside the prompt's {T} tokens.")
    return position % T


def checked_layer(trace: Trace, layer: int) -> int:
    n = trace.architecture.n_layers
    if not 0 <= layer < n:
        raise ValueError(f"Layer {layer} does not exist: this model has layers 0–{n - 1}.")
    return layer
