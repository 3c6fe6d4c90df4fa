"""How a family's blocks compute, as data: the norm, where the norms sit, the MLP, the positions,
the residual layout, the embedding scale and q/k norms (a :class:`Layout`).

Each family's file (``geometry/transformer/families/``) picks its layout from these kinds; the forward
pass (:mod:`geometry.transformer.forward`) computes any layout it is given, and says which features it
does not compute yet. The architecture table and the pages' sentences read the same kinds.
"""

from __future__ import annotations

from dataclasses import dataclass

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
