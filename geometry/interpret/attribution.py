"""Why this token: which parts of the model pushed it up (direct logit attribution).

The last position's final residual vector is a sum of what each part of the model wrote into the
residual stream: the token's embedding row (times √d where the family scales it, plus its position
vector where the family learns one), the output of every attention head of every layer (its z
times its slice of W_O), each layer's attention output bias and each layer's MLP output. This holds
whether attention and the MLP run one after the other or side by side (GPT-NeoX): either way each
adds its output to the stream once.

A norm is not linear: it divides a vector by its own root-mean-square. Frozen at the divisor the
model computed (as TransformerLens freezes LayerNorm scales), a norm becomes linear, and a sum's
parts pass through it one by one. Two kinds of norm sit on the way:

* a family that normalises each sublayer's output before adding it (OLMo-2) writes
  ``norm(Σ heads + b_O)``; with that norm's divisor frozen at the value the model computed for this
  position, each head writes its own vector, centred (a centring norm only), times that divisor and
  the norm's gain, and the bias (with the norm's shift, if it has one) is a part of its own;
* the final norm divides the whole sum by one number, its scale at the last position; frozen, each
  part's share of the target's logit is its vector, centred (a centring norm only), times the scale
  and the norm's gain, dotted with the target's unembedding column (minus the other token's column
  for a difference).

The norm's parts are the forward pass's own (:func:`geometry.transformer.forward.centre`,
:func:`~geometry.transformer.forward.inverse_rms`, :func:`~geometry.transformer.forward.gain`).
What is left is the ``remainder``: the final norm's learned shift (LayerNorm's b; RMSNorm has
none) dotted with that column, plus the unembedding bias, when the model has them. The parts and
the remainder add up to the model's own logit (or logit difference).

Works on any causal model with a vocabulary head (``lm`` has ``.model`` and ``.tokenizer``, as
:func:`geometry.transformer.trace.trace` takes), under ``torch.inference_mode``, never changing it.
Activation patching, the other reading of the same question, is :mod:`geometry.interpret.patching`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from geometry.models.handle import network, using
from geometry.transformer.forward import (
    centre,
    final_norm,
    gain,
    inverse_rms,
    weights_of,
)
from geometry.transformer.trace import Trace, trace
from geometry.transformer.weights import Norm, Weights
from geometry.words.tokens import display_tokens


def token_id(lm, token: str | int) -> int:
    """A token given by its id or by its text, exactly one token (``" Paris"``: the space counts).

    ValueError (a message for the user) for text that is not one token or an id outside the vocabulary.
    """
    vocab = int(network(lm).get_input_embeddings().weight.shape[0])
    if isinstance(token, int | np.integer):
        if not 0 <= int(token) < vocab:
            raise ValueError(f"There is no token {int(token)}: this vocabulary has ids 0–{vocab - 1}.")
        return int(token)
    with using(lm):
        ids = lm.tokenizer(str(token), add_special_tokens=False)["input_ids"]
    if len(ids) != 1:
        shown = " + ".join(display_tokens(lm, ids)) or "no token"
        raise ValueError(f"{str(token)!r} is not one token but {len(ids)} ({shown}); choose a single token.")
    return int(ids[0])


@dataclass(frozen=True)
class LogitDirection:
    """The weights that turn the final residual vector into one logit (or a difference of two).

    With :func:`head_outputs`, the one place this module reads weights: the final norm, the
    unembedding column(s) and each layer's W_O. The norm itself is the forward pass's own
    (:func:`geometry.transformer.forward.final_norm` and its parts)."""

    weights: Weights
    direction: torch.Tensor  # (d,) W_U[:, target] (minus W_U[:, other])
    bias: float  # b_U[target] (minus b_U[other]); 0 without an unembedding bias

    def logit(self, final_residual: torch.Tensor) -> torch.Tensor:
        """(B, d) last-position residual vectors → (B,) logit (difference): final norm, then the column."""
        return final_norm(final_residual, self.weights) @ self.direction + self.bias  # (B,)

    def centred(self, vectors: np.ndarray) -> torch.Tensor:
        """(…, d) float64 vectors centred as the final norm centres them (LayerNorm), else as they are."""
        return centre(torch.from_numpy(np.asarray(vectors, dtype=np.float64)), self.weights.layout.norm)

    def frozen_scale(self, final_residual: np.ndarray) -> float:
        """The final norm's divisor at the last position, as the model computed it: 1/σ or 1/RMS."""
        return float(inverse_rms(self.centred(final_residual), self.weights.eps))

    def column(self) -> torch.Tensor:
        """(d,) float64: the norm's gain times the unembedding direction, w ⊙ u."""
        return (gain(self.weights.ln_final, self.weights.layout.norm) * self.direction).double()

    def shift(self) -> float:
        """The final norm's shift (LayerNorm's b) dotted with the direction; 0 without a shift."""
        norm = self.weights.ln_final
        return 0.0 if norm.b is None else float(norm.b @ self.direction)


def read_out_of(
    lm, target: str | int, other: str | int | None = None
) -> tuple[LogitDirection, int, int | None]:
    """The :class:`LogitDirection` of ``target`` (minus ``other``), with both token ids."""
    weights = weights_of(network(lm))
    if not weights.layout.vocabulary_head or not weights.layout.final_norm:
        raise ValueError("Only a causal language model predicts a next token to take apart.")
    t = token_id(lm, target)
    o = None if other is None else token_id(lm, other)
    if o == t:
        raise ValueError("The target and the token it is compared with are the same token; choose two.")
    direction = weights.W_U[:, t] - (0.0 if o is None else weights.W_U[:, o])  # (d,)
    b_U = weights.b_U
    bias = 0.0 if b_U is None else float(b_U[t] - (0.0 if o is None else b_U[o]))
    return LogitDirection(weights, direction, bias), t, o


def head_outputs(weights: Weights, layer: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Layer ``layer``'s W_O cut into one slice per head, (H, dh, d), and its output bias (d,) or None."""
    arch, layer_weights = weights.architecture, weights.layers[layer]
    return layer_weights.W_O.reshape(arch.n_heads, arch.d_head, arch.d_model), layer_weights.b_O


def frozen_norm(vectors: np.ndarray, normalised: np.ndarray, norm: Norm, weights: Weights) -> np.ndarray:
    """Parts (P, d) of a vector the model normalised, each through that norm with its divisor frozen
    at the value the model computed for ``normalised`` (d,), the parts' sum: centred (a centring
    norm), times that divisor and the gain. The parts' results add up to the norm's output less its
    shift."""
    kind = weights.layout.norm
    whole = centre(torch.from_numpy(np.asarray(normalised, dtype=np.float64)), kind)  # (d,)
    parts = centre(torch.from_numpy(np.asarray(vectors, dtype=np.float64)), kind)  # (P, d)
    return (parts * inverse_rms(whole, weights.eps) * gain(norm, kind).double()).numpy()  # (P, d)


Part = tuple[str, int | None, int | None, np.ndarray]  # (component, layer, head, vector (d,))


def _attention_parts(trace: Trace, weights: Weights, L: int) -> list[Part]:
    """(component, layer, head, vector (d,)) of what layer ``L``'s attention wrote at the last position:
    each head's z times its slice of W_O, and the output bias; passed through the frozen output norm
    where the family normalises the sublayer's output (its shift joins the bias)."""
    W_O, b_O = head_outputs(weights, L)  # (H, dh, d), (d,) or None
    z = trace.activations[f"blocks.{L}.attn.z"][:, -1]  # (H, dh) each head's output at the last position
    heads = np.einsum("hk,hkd->hd", z, W_O.detach().numpy())  # (H, d) each head's slice of W_O
    constant = None if b_O is None else b_O.detach().numpy()[None]  # (1, d)
    norm = weights.layers[L].ln1_out
    if weights.layout.placement.on_output:
        before = trace.activations[f"blocks.{L}.attn.out_pre_norm"][-1]  # (d,) the heads' sum, as computed
        heads = frozen_norm(heads, before, norm, weights)  # (H, d)
        constant = None if constant is None else frozen_norm(constant, before, norm, weights)
        if norm.b is not None:
            constant = (0.0 if constant is None else constant) + norm.b.detach().double().numpy()[None]
    parts = [(f"L{L}H{h}", L, h, heads[h]) for h in range(len(heads))]
    return parts + ([] if constant is None else [(f"L{L}.attn_bias", L, None, constant[0])])


def _components(trace: Trace, weights: Weights) -> list[Part]:
    """(component, layer, head, vector (d,)) of everything summed into the last position's final vector."""
    acts, arch = trace.activations, trace.architecture
    embedding = [name for name in ("embed", "pos_embed", "token_type_embed") if name in acts]
    parts = [(name, None, None, acts[name][-1]) for name in embedding]  # each embedding part is its own row
    for L in range(arch.n_layers):
        parts += _attention_parts(trace, weights, L)
        parts.append((f"L{L}.mlp", L, None, acts[f"blocks.{L}.mlp.out"][-1]))  # what the MLP added
    return parts


def attribution_from_trace(
    lm, trace: Trace, target: str | int, other: str | int | None = None
) -> pd.DataFrame:
    """:func:`logit_attribution` of a trace already computed (``trace`` of ``lm``, no intervention)."""
    read, t, o = read_out_of(lm, target, other)
    final = trace.activations[f"blocks.{trace.architecture.n_layers - 1}.resid_post"][-1]  # (d,)
    scale, column = read.frozen_scale(final), read.column()  # the norm frozen: 1/σ, and w ⊙ u (d,)
    parts = _components(trace, read.weights)
    vectors = read.centred(np.stack([vector for *_, vector in parts]))  # (P, d) centring is linear
    shares = (scale * (vectors @ column)).tolist()  # (P,)
    rows = [(c, layer, head, share) for (c, layer, head, _), share in zip(parts, shares, strict=True)]
    rows.append(("remainder", None, None, read.shift() + read.bias))
    table = pd.DataFrame(rows, columns=["component", "layer", "head", "contribution"])
    table = table.astype({"layer": "Int64", "head": "Int64"})
    logits = trace.activations["logits"][-1].astype(np.float64)
    table.attrs.update(
        target=t, other=o, scale=scale, logit=float(logits[t] - (0.0 if o is None else logits[o]))
    )
    return table


def logit_attribution(lm, prompt: str, target: str | int, other: str | int | None = None) -> pd.DataFrame:
    """The last position's logit of ``target`` (minus ``other``'s) split into the model's parts.

    One row per part. Columns: ``component`` (``embed``; ``pos_embed``, GPT-2's learned position
    vector; ``L{l}H{h}`` one attention head; ``L{l}.attn_bias`` the attention output bias, models
    that have one; ``L{l}.mlp``; ``remainder``: the final norm's shift and the unembedding bias),
    ``layer`` and ``head`` (nullable integers: <NA> where they do not apply), ``contribution``.
    The contributions add up to the model's own logit (difference), kept in ``table.attrs["logit"]``
    with the frozen norm scale (``attrs["scale"]``) and both token ids.

    >>> table = logit_attribution(lm, "The capital of France is", " Paris", " London")  # doctest: +SKIP
    >>> table["contribution"].sum() - table.attrs["logit"]  # doctest: +SKIP
    1e-06
    """
    return attribution_from_trace(lm, trace(lm, prompt), target, other)


def component_name(component: str) -> str:
    """A component in words: ``L23H4`` → "head 4 of layer 23", ``L5.mlp`` → "the MLP of layer 5"."""
    if component in COMPONENT_NAMES:
        return COMPONENT_NAMES[component]
    layer, _, part = component[1:].partition(".")
    if part:
        return f"the {PART_NAMES[part]} of layer {layer}"
    layer, head = layer.split("H")
    return f"head {head} of layer {layer}"


COMPONENT_NAMES = {
    "embed": "the token's embedding",
    "pos_embed": "the position vector",
    "remainder": "the remainder (the final norm's shift and the unembedding bias)",
}

PART_NAMES = {"mlp": "MLP", "attn_bias": "attention output bias"}


def top_components(table: pd.DataFrame, k: int = 15) -> pd.DataFrame:
    """The ``k`` parts with the largest |contribution|, largest first, for a bar chart.

    Columns: rank, component, label (in words), layer, head, contribution, direction
    ("pushes up" or "pushes down").
    """
    order = table["contribution"].abs().sort_values(ascending=False, kind="stable").index[:k]
    top = table.loc[order].reset_index(drop=True)
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    top.insert(2, "label", [f"{c}: {component_name(c)}" for c in top["component"]])
    top["direction"] = np.where(top["contribution"] >= 0, "pushes up", "pushes down")
    return top


def heads_only(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of single attention heads (layer and head both set), as plain integers."""
    heads = table[table["head"].notna()].copy()
    return heads.astype({"layer": int, "head": int}).reset_index(drop=True)
