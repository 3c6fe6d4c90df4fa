"""The named matrices a family's ``read`` function makes of a model's weights.

Weights are named as in TransformerLens and always used as ``x @ W`` with ``W`` of shape
``(in, out)``: ``W_E`` (vocab, d), ``W_pos`` (n_positions, d), ``W_type`` (n_types, d), ``W_O``
(H·dh, d); a plain MLP has ``W_in`` (d, d_mlp) and ``W_out`` (d_mlp, d), a gated one
``W_gate``/``W_up`` (d, d_mlp) and ``W_down`` (d_mlp, d); ``W_U`` (d, vocab). The query, key and
value matrices are one ``(d, dh)`` matrix per head, as TransformerLens keeps them: ``W_Q`` (H, d, dh),
``W_K``/``W_V`` (Hkv, d, dh), their biases (heads, 1, dh), so ``x @ W_Q`` is every head's queries at
once, (H, T, dh). Every matrix is a view of the model's own tensor (``.T`` of an ``nn.Linear``
weight, a slice of a fused one, cut into heads by :func:`per_head`): nothing is copied, nothing is
written back. Shapes: d = d_model, H query heads, Hkv key/value heads, dh = d_head.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from geometry.transformer.architecture import Architecture
    from geometry.transformer.layout import Layout


@dataclass(frozen=True)
class Norm:
    """One normalisation's learned scale w, and its shift b when it has one (LayerNorm's bias)."""

    w: torch.Tensor  # (d,)
    b: torch.Tensor | None  # (d,)


@dataclass(frozen=True)
class PlainMLP:
    """Widen, an activation (GELU), narrow: ``activation(x W_in + b_in) W_out + b_out``."""

    W_in: torch.Tensor  # (d, d_mlp)
    b_in: torch.Tensor | None  # (d_mlp,)
    W_out: torch.Tensor  # (d_mlp, d)
    b_out: torch.Tensor | None  # (d,)

    @property
    def output_matrix(self) -> torch.Tensor:
        """(d_mlp, d): row n is what neuron n writes into the residual stream per unit of activation."""
        return self.W_out


@dataclass(frozen=True)
class GatedMLP:
    """A gate times a linear projection, then down: ``(activation(x W_gate) ⊙ x W_up) W_down``."""

    W_gate: torch.Tensor  # (d, d_mlp)
    b_gate: torch.Tensor | None  # (d_mlp,)
    W_up: torch.Tensor  # (d, d_mlp)
    b_up: torch.Tensor | None  # (d_mlp,)
    W_down: torch.Tensor  # (d_mlp, d)
    b_down: torch.Tensor | None  # (d,)

    @property
    def output_matrix(self) -> torch.Tensor:
        """(d_mlp, d): row n is what neuron n writes into the residual stream per unit of activation."""
        return self.W_down


@dataclass(frozen=True)
class LayerWeights:
    """One transformer block's weights, as ``(in, out)`` views of the model's tensors."""

    ln1: Norm | None  # the attention sublayer's norm: before it (pre-norm) or after its addition (post-norm)
    W_Q: torch.Tensor  # (H, d, dh) one matrix per query head
    W_K: torch.Tensor  # (Hkv, d, dh)
    W_V: torch.Tensor  # (Hkv, d, dh)
    b_Q: torch.Tensor | None  # (H, 1, dh)
    b_K: torch.Tensor | None  # (Hkv, 1, dh)
    b_V: torch.Tensor | None  # (Hkv, 1, dh)
    W_O: torch.Tensor  # (H·dh, d)
    b_O: torch.Tensor | None  # (d,)
    scale: float  # the model's own factor for q·k (1/√dh unless its config says otherwise)
    ln2: Norm | None  # the MLP sublayer's norm, placed like ln1
    mlp: PlainMLP | GatedMLP
    ln1_out: Norm | None = None  # on the attention output, before it is added (placement.on_output)
    ln2_out: Norm | None = None  # on the MLP output, before it is added
    q_norm: Norm | None = None  # the queries' own norm (layout.qk_norm): (dh,) per head, (H·dh,) whole
    k_norm: Norm | None = None  # the keys' own norm: (dh,) per head, (Hkv·dh,) whole


@dataclass(frozen=True)
class Weights:
    """All the weights the forward pass reads, plus the few settings it needs."""

    architecture: Architecture
    W_E: torch.Tensor  # (vocab, d)
    layers: tuple[LayerWeights, ...]
    eps: float  # the norms' epsilon, from the config
    activation: Callable[[torch.Tensor], torch.Tensor]  # the MLP's activation (the config's own function)
    W_pos: torch.Tensor | None = None  # (n_positions, d) learned positions only
    W_type: torch.Tensor | None = None  # (n_types, d) token-type vectors (layout.token_types)
    ln_embed: Norm | None = None  # the norm of the summed embeddings (layout.embedding_norm)
    ln_final: Norm | None = None  # the norm after the last block (layout.final_norm)
    W_U: torch.Tensor | None = None  # (d, vocab) families with a vocabulary head
    b_U: torch.Tensor | None = None  # (vocab,)
    rotary_embedding: Any = None  # a rotary family's own rotary module: positions -> (cos, sin)

    @property
    def layout(self) -> Layout:
        return self.architecture.layout


def per_head(W: torch.Tensor, d_head: int) -> torch.Tensor:
    """A projection ``(d, heads·dh)`` whose columns are head after head → ``(heads, d, dh)``, a view.

    >>> import torch
    >>> per_head(torch.arange(8.0).reshape(2, 4), 2)[1]  # head 1: columns 2 and 3
    tensor([[2., 3.],
            [6., 7.]])
    """
    return W.unflatten(1, (-1, d_head)).transpose(0, 1)  # (heads, d, dh)


def per_head_bias(b: torch.Tensor | None, d_head: int) -> torch.Tensor | None:
    """A bias ``(heads·dh,)`` → ``(heads, 1, dh)``, a view that adds to every token of its head."""
    return None if b is None else b.unflatten(0, (-1, d_head))[:, None]  # (heads, 1, dh)


def activation(name: str) -> Callable[[Any], Any]:
    """transformers' own activation function called ``name`` in a config (``"gelu_new"``, ``"silu"``)."""
    from transformers.activations import ACT2FN

    return ACT2FN[name]


def output_head(model: Any) -> dict[str, Any]:
    """``W_U`` (d, vocab) and ``b_U`` from the model's output embeddings (an ``nn.Linear``)."""
    head = model.get_output_embeddings()  # (vocab, d) nn.Linear
    return {"W_U": head.weight.T, "b_U": getattr(head, "bias", None)}


PARTS = (
    "token embedding", "position embedding", "token-type embedding", "attention", "MLP", "norms",
    "output projection",
)  # fmt: skip


def parameter_parts(weights: Weights) -> list[tuple[str, Any]]:
    """(part, tensor) of every matrix and vector the family read, a part of ``PARTS`` each: which
    parameters are the input lookup, the positions, attention, the MLP, the norms and the output
    projection. A tied unembedding is the embedding's own tensor, listed after it."""
    found = [
        ("token embedding", weights.W_E), ("position embedding", weights.W_pos),
        ("token-type embedding", weights.W_type), ("norms", weights.ln_embed),
    ]  # fmt: skip
    for layer in weights.layers:
        for field in dataclasses.fields(layer):
            value = getattr(layer, field.name)
            part = "norms" if isinstance(value, Norm) else "MLP" if field.name == "mlp" else "attention"
            found.append((part, value))
    found += [
        ("norms", weights.ln_final),
        ("output projection", weights.W_U),
        ("output projection", weights.b_U),
    ]
    return [(part, tensor) for part, value in found for tensor in _tensors(value)]


def _tensors(value: Any) -> list[Any]:
    """The tensors inside a norm or an MLP's weights, or the value itself when it is one tensor."""
    if value is None or isinstance(value, float):
        return []
    if dataclasses.is_dataclass(value):
        return [t for field in dataclasses.fields(value) for t in _tensors(getattr(value, field.name))]
    return [value]
