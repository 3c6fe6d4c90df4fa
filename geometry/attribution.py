"""Why this token: which parts of the model pushed it up, read two ways.

**Direct logit attribution** (:func:`logit_attribution`). The last position's final residual
vector is a sum: the token's embedding row (plus its position vector in GPT-2), the output of
every attention head of every layer (its z times its slice of W_O), each layer's attention
output bias and each layer's MLP output. The final norm divides that sum by one number, its
scale at the last position; frozen at the value the model computed (as TransformerLens does),
the norm becomes linear, so each part's share of the target's logit is its vector, centred
(LayerNorm only), times the scale and the norm's weight, dotted with the target's unembedding
column (minus the other token's column for a difference). What is left is the ``remainder``:
the final norm's learned shift (LayerNorm's b; RMSNorm has none) dotted with that column, plus
the unembedding bias, when the model has them. The parts and the remainder add up to the
model's own logit (or logit difference).

**Activation patching** (:func:`patch_residual`, :func:`patch_heads`). Two prompts of the same
length, a clean one and a corrupted one. Copy one piece of the clean run into the corrupted run
and see how much of the clean logit difference comes back:
``restored = (patched - corrupted) / (clean - corrupted)``, 0 = nothing, 1 = all of it. Each
patched run starts from the layer it patches (:func:`geometry.forward.run_from`), and the runs
of one layer go through the model together as one batch (``torch.func.vmap``).

Both work on any GPT-2, Llama-family model with a vocabulary head (``lm`` has ``.model`` and
``.tokenizer``, as :func:`geometry.trace.trace` takes), under ``torch.inference_mode``, never
changing the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from geometry.forward import (
    NO_INTERVENTION,
    block,
    centre,
    final_norm,
    gain,
    inverse_rms,
    keys_and_values,
    rotary_angles,
    run,
    run_from,
    weights_of,
)
from geometry.models import network, using
from geometry.trace import Trace, display_tokens, prompt_ids, trace
from geometry.transformer.weights import Weights

__all__ = [
    "MAX_PATCH_TOKENS",
    "attribution_from_trace",
    "attribution_sentence",
    "component_name",
    "heads_only",
    "top_components",
    "logit_attribution",
    "patch_heads",
    "patching_prompts",
    "patch_residual",
    "token_id",
]

MAX_PATCH_TOKENS = 16  # patching runs (layers + 1) × tokens passes: longer prompts are refused
Progress = Callable[[float, str], None]  # (fraction done, what is running) for a progress bar


# --------------------------------------------------------------------------- tokens and weights


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
    (:func:`geometry.forward.final_norm` and its parts)."""

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


# --------------------------------------------------------------------------- direct logit attribution


def _components(trace: Trace, weights: Weights) -> list[tuple[str, int | None, int | None, np.ndarray]]:
    """(component, layer, head, vector (d,)) of everything summed into the last position's final vector."""
    acts, arch = trace.activations, trace.architecture
    embedding = [name for name in ("embed", "pos_embed", "token_type_embed") if name in acts]
    parts = [(name, None, None, acts[name][-1]) for name in embedding]  # each embedding part is its own row
    for L in range(arch.n_layers):
        W_O, b_O = head_outputs(weights, L)  # (H, dh, d), (d,) or None
        z = acts[f"blocks.{L}.attn.z"][:, -1]  # (H, dh) each head's output at the last position
        heads = np.einsum("hk,hkd->hd", z, W_O.detach().numpy())  # (H, d) each head's slice of W_O
        parts += [(f"L{L}H{h}", L, h, heads[h]) for h in range(arch.n_heads)]
        if b_O is not None:
            parts.append((f"L{L}.attn_bias", L, None, b_O.detach().numpy()))
        parts.append((f"L{L}.mlp", L, None, acts[f"blocks.{L}.mlp.out"][-1]))
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


# --------------------------------------------------------------------------- activation patching


@dataclass(frozen=True)
class PatchingRuns:
    """The clean and the corrupted run, and how much the clean logit difference beats the corrupted one."""

    read: LogitDirection
    clean: dict[str, torch.Tensor]  # every intermediate of the clean run (geometry.forward.run)
    corrupted: dict[str, torch.Tensor]
    clean_difference: float
    corrupted_difference: float
    rope: tuple | None
    clean_tokens: tuple[str, ...]
    corrupted_tokens: tuple[str, ...]

    def described(self, table: pd.DataFrame) -> pd.DataFrame:
        """The table with both runs' logit differences in ``attrs`` ("clean", "corrupted")."""
        table.attrs.update(clean=self.clean_difference, corrupted=self.corrupted_difference)
        return table

    def restored(self, final_residual: torch.Tensor) -> np.ndarray:
        """(B, T, d) outputs of the last block → (B,) fraction of the clean difference restored."""
        patched = self.read.logit(final_residual[:, -1]).double().numpy()  # (B,)
        return (patched - self.corrupted_difference) / (self.clean_difference - self.corrupted_difference)


def _ids(lm, prompt: str, which: str, limit: int) -> list[int]:
    ids, _ = prompt_ids(lm, prompt, limit=1 << 20)
    if len(ids) > limit:
        raise ValueError(
            f"The {which} prompt has {len(ids)} tokens; patching takes prompts of up to {limit}."
        )
    return ids


def patching_prompts(
    lm, clean: str, corrupted: str, *, max_tokens: int = MAX_PATCH_TOKENS
) -> tuple[list, list]:
    """The token ids of both prompts, checked: each a prompt of at most ``max_tokens`` tokens, and
    both of the same length. ValueError (a message for the user) otherwise."""
    clean_ids, corrupted_ids = (
        _ids(lm, clean, "clean", max_tokens),
        _ids(lm, corrupted, "corrupted", max_tokens),
    )
    if len(clean_ids) != len(corrupted_ids):
        raise ValueError(
            f"The clean prompt has {len(clean_ids)} tokens and the corrupted one {len(corrupted_ids)}: "
            "patching copies a position into the same position, so both need the same number of tokens."
        )
    return clean_ids, corrupted_ids


def patching_runs(
    lm, clean: str, corrupted: str, target: str | int, other: str | int, *, max_tokens: int = MAX_PATCH_TOKENS
) -> PatchingRuns:
    """Both runs, checked: equal token lengths, two different tokens, a difference to restore."""
    read, t, o = read_out_of(lm, target, other)
    clean_ids, corrupted_ids = patching_prompts(lm, clean, corrupted, max_tokens=max_tokens)
    with using(lm), torch.inference_mode():
        runs = [run(read.weights, torch.tensor(ids, dtype=torch.long)) for ids in (clean_ids, corrupted_ids)]
    differences = [float(r["logits"][-1, t] - r["logits"][-1, o]) for r in runs]
    if abs(differences[0] - differences[1]) < 1e-4:
        raise ValueError(
            "Both prompts give the same logit difference between the two tokens, so there is nothing to "
            "restore; choose prompts or tokens on which the model disagrees."
        )
    rope = rotary_angles(read.weights, runs[1]["embed"])
    return PatchingRuns(
        read, *runs, *differences, rope, display_tokens(lm, clean_ids), display_tokens(lm, corrupted_ids)
    )


def _cache(runs: PatchingRuns, layer: int, first: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The corrupted run's keys (rotated) and values before ``first`` at ``layer``: (Hkv, first, dh) each."""
    keys, values = keys_and_values(runs.corrupted, layer)  # (Hkv, T, dh) each
    return keys[:, :first], values[:, :first]


def _angles(runs: PatchingRuns, first: int) -> tuple | None:
    """Rotary angles of positions ``first``..T-1 (None without rotary positions)."""
    return None if runs.rope is None else (runs.rope[0][first:], runs.rope[1][first:])


def _stream(acts: dict[str, torch.Tensor], layer: int, n_layers: int) -> torch.Tensor:
    """(T, d) the residual stream entering block ``layer``; ``layer == n_layers``: the last block's output."""
    return (
        acts[f"blocks.{layer}.resid_pre"] if layer < n_layers else acts[f"blocks.{n_layers - 1}.resid_post"]
    )


def _patched_stream(runs: PatchingRuns, layer: int, position: int) -> torch.Tensor:
    """(T - position, d) the corrupted stream entering ``layer`` from ``position`` on, clean vector first."""
    n_layers = runs.read.weights.architecture.n_layers
    stream = _stream(runs.corrupted, layer, n_layers)[position:].clone()  # (T - p, d)
    stream[0] = _stream(runs.clean, layer, n_layers)[position]
    return stream


def _patched_at(runs: PatchingRuns, position: int) -> np.ndarray:
    """(n_layers + 1,) restored fraction of patching ``position`` at every layer, in one growing batch.

    Causal attention: the tokens before ``position`` are untouched, so every run computes only the
    tokens from ``position`` on, reading the earlier ones' keys and values from the corrupted run.
    Run l joins the batch at block l (its stream with the clean vector in place), so block k runs
    once for the k + 1 runs that have started.
    """
    weights, p = runs.read.weights, position
    rope = _angles(runs, p)
    keep = torch.ones(weights.architecture.n_heads, 1, 1)  # (H, 1, 1) every head on
    batch = _patched_stream(runs, 0, p)[None]  # (1, T - p, d) run 0 starts at block 0
    for layer, layer_weights in enumerate(weights.layers):
        cache = _cache(runs, layer, p)
        step = lambda x: block(x, layer_weights, weights, rope, keep, NO_INTERVENTION, cache)["resid_post"]  # noqa: E731,B023
        batch = torch.cat(
            (torch.func.vmap(step)(batch), _patched_stream(runs, layer + 1, p)[None])
        )  # (layer + 2, T - p, d)
    return runs.restored(batch)


def patch_residual(
    lm, clean: str, corrupted: str, target: str | int, other: str | int, *, progress: Progress | None = None,
    max_tokens: int = MAX_PATCH_TOKENS,
) -> pd.DataFrame:  # fmt: skip
    """Copy the clean residual stream at one (layer, position) into the corrupted run, for every pair.

    Layer l is the stream entering block l; layer ``n_layers`` is the last block's output (what
    the final norm reads). ``restored`` = (patched - corrupted) / (clean - corrupted) of the logit
    difference ``target`` minus ``other`` at the last position. Columns: layer, layer_label
    ("final" for ``n_layers``), position, position_label, clean_token, corrupted_token, restored,
    logit_difference (the patched run's). ValueError for
    prompts of unequal token length, longer than ``max_tokens`` or with nothing to restore.
    ``progress(fraction, text)`` is called after each position.
    """
    runs = patching_runs(lm, clean, corrupted, target, other, max_tokens=max_tokens)
    n_layers, T = runs.read.weights.architecture.n_layers, len(runs.clean_tokens)
    restored = np.zeros((n_layers + 1, T))  # (layers + 1, T)
    for position in range(T):
        with using(lm), torch.inference_mode():
            restored[:, position] = _patched_at(runs, position)
        if progress is not None:
            progress((position + 1) / T, f"position {position + 1} of {T}")
    spread = runs.clean_difference - runs.corrupted_difference
    layer, position = np.meshgrid(np.arange(n_layers + 1), np.arange(T), indexing="ij")  # (layers + 1, T)
    table = pd.DataFrame({
        "layer": layer.ravel(), "layer_label": [_layer_label(L, n_layers) for L in layer.ravel()],
        "position": position.ravel(), "position_label": [_position_label(runs, p) for p in position.ravel()],
        "clean_token": [runs.clean_tokens[p] for p in position.ravel()],
        "corrupted_token": [runs.corrupted_tokens[p] for p in position.ravel()],
        "restored": restored.ravel(),
        "logit_difference": runs.corrupted_difference + restored.ravel() * spread,
    })  # fmt: skip
    return runs.described(table)


def _layer_label(layer: int, n_layers: int) -> str:
    return "final" if layer == n_layers else str(layer)


def _position_label(runs: PatchingRuns, position: int) -> str:
    """``"3 ␣France"``, or ``"3 ␣France/␣Italy"`` where the prompts differ."""
    clean, corrupted = runs.clean_tokens[position], runs.corrupted_tokens[position]
    return f"{position} {clean}" if clean == corrupted else f"{position} {clean}/{corrupted}"


def patch_heads(
    lm, clean: str, corrupted: str, target: str | int, other: str | int, *, progress: Progress | None = None,
    max_tokens: int = MAX_PATCH_TOKENS,
) -> pd.DataFrame:  # fmt: skip
    """Copy one head's clean output at the last position into the corrupted run, for every head.

    The head's z there (dh numbers) times its slice of W_O replaces the corrupted head's part of
    the attention output; the run resumes at that block's MLP, for the last token only (the
    earlier tokens are untouched: their keys and values come from the corrupted run). Columns:
    layer, head, restored, logit_difference. Same checks as :func:`patch_residual`;
    ``progress(fraction, text)`` is called after each layer.
    """
    runs = patching_runs(lm, clean, corrupted, target, other, max_tokens=max_tokens)
    weights, T = runs.read.weights, len(runs.clean_tokens)
    arch = weights.architecture
    rope, spread, frames = _angles(runs, T - 1), runs.clean_difference - runs.corrupted_difference, []
    past = [_cache(runs, layer, T - 1) for layer in range(arch.n_layers)]  # every token but the last
    for L in range(arch.n_layers):
        with using(lm), torch.inference_mode():
            W_O, _ = head_outputs(weights, L)  # (H, dh, d)
            z_clean, z_corrupted = runs.clean[f"blocks.{L}.attn.z"], runs.corrupted[f"blocks.{L}.attn.z"]
            change = torch.einsum("hk,hkd->hd", z_clean[:, -1] - z_corrupted[:, -1], W_O)  # (H, d)
            batch = runs.corrupted[f"blocks.{L}.resid_mid"][-1:] + change[:, None]  # (H, 1, d) run h: head h
            resume = lambda x: run_from(weights, x, L, rope, after_attention=True, past=past)  # noqa: E731,B023
            restored = runs.restored(torch.func.vmap(resume)(batch))  # (H,)
        frames.append(pd.DataFrame({
            "layer": L, "head": np.arange(arch.n_heads), "restored": restored,
            "logit_difference": runs.corrupted_difference + restored * spread,
        }))  # fmt: skip
        if progress is not None:
            progress((L + 1) / arch.n_layers, f"layer {L + 1} of {arch.n_layers}")
    return runs.described(pd.concat(frames, ignore_index=True))


# --------------------------------------------------------------------------- readings of the tables


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


def attribution_sentence(table: pd.DataFrame, target: str, other: str | None = None, k: int = 3) -> str:
    """The biggest contributors read aloud, with the numbers (``target``, ``other``: token labels)."""
    top = top_components(table[table["component"] != "remainder"], k=len(table))
    up, down = top[top["contribution"] > 0].head(k), top[top["contribution"] < 0].head(1)
    listed = [f"{component_name(r.component)} ({r.contribution:+.2f})" for r in up.itertuples()]
    logit = table.attrs["logit"]
    text = (
        f"The logit of {target} is {logit:.2f}. "
        if other is None
        else f"{target} beats {other} by {logit:.2f}. "
    )
    text += f"The biggest pushes up come from {_joined(listed)}" if listed else "No part pushes it up"
    for row in down.itertuples():
        text += f"; the biggest push down is {component_name(row.component)} ({row.contribution:+.2f})"
    return text + "."


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
