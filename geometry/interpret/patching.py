"""Activation patching: copy one piece of a clean run into a corrupted run and see how much of
the clean logit difference comes back.

Two prompts of the same length, a clean one and a corrupted one:
``restored = (patched - corrupted) / (clean - corrupted)``, 0 = nothing, 1 = all of it. Each
patched run starts from the layer it patches (:func:`geometry.transformer.forward.run_from`), and
the runs of one layer go through the model together as one batch (``torch.func.vmap``). Works on
any causal model with a vocabulary head, under ``torch.inference_mode``, never changing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from geometry.interpret.attribution import LogitDirection, read_out_of
from geometry.models.handle import using
from geometry.transformer.forward import (
    NO_INTERVENTION,
    attention_output,
    block,
    keys_and_values,
    residual_add,
    rotary_angles,
    run,
    run_from,
)
from geometry.transformer.trace import prompt_ids
from geometry.words.tokens import display_tokens

MAX_PATCH_TOKENS = 16  # patching runs (layers + 1) × tokens passes: longer prompts are refused

Progress = Callable[[float, str], None]  # (fraction done, what is running) for a progress bar


@dataclass(frozen=True)
class PatchingRuns:
    """The clean and the corrupted run, and how much the clean logit difference beats the corrupted one."""

    read: LogitDirection
    clean: dict[str, torch.Tensor]  # every intermediate of the clean run (geometry.transformer.forward.run)
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

    The head's z there (dh numbers) replaces the corrupted head's; the attention output is
    recomputed from the heads (W_O, and the output norm where the family has one), added to the
    stream, and the run resumes at that block's MLP, for the last token only (the earlier tokens are
    untouched: their keys and values come from the corrupted run). Columns: layer, head, restored,
    logit_difference. Same checks as :func:`patch_residual`; ``progress(fraction, text)`` is called
    after each layer.
    """
    runs = patching_runs(lm, clean, corrupted, target, other, max_tokens=max_tokens)
    weights, T = runs.read.weights, len(runs.clean_tokens)
    arch = weights.architecture
    rope, spread, frames = _angles(runs, T - 1), runs.clean_difference - runs.corrupted_difference, []
    past = [_cache(runs, layer, T - 1) for layer in range(arch.n_layers)]  # every token but the last
    for L in range(arch.n_layers):
        with using(lm), torch.inference_mode():
            restored = runs.restored(_heads_patched(runs, L, rope, past))  # (H,)
        frames.append(pd.DataFrame({
            "layer": L, "head": np.arange(arch.n_heads), "restored": restored,
            "logit_difference": runs.corrupted_difference + restored * spread,
        }))  # fmt: skip
        if progress is not None:
            progress((L + 1) / arch.n_layers, f"layer {L + 1} of {arch.n_layers}")
    return runs.described(pd.concat(frames, ignore_index=True))


def _heads_patched(runs: PatchingRuns, L: int, rope: tuple | None, past: list) -> torch.Tensor:
    """(H, 1, d) the last block's output at the last position, run h with head h of layer ``L`` clean."""
    weights, layer = runs.read.weights, runs.read.weights.layers[L]
    n_heads = weights.architecture.n_heads
    z_clean = runs.clean[f"blocks.{L}.attn.z"][:, -1:]  # (H, 1, dh)
    z_corrupted = runs.corrupted[f"blocks.{L}.attn.z"][:, -1:]  # (H, 1, dh)
    swap = torch.eye(n_heads, dtype=torch.bool)[:, :, None, None]  # (runs H, heads H, 1, 1) run h: head h
    z = torch.where(swap, z_clean, z_corrupted)  # (H, H, 1, dh) each run's heads
    resid_pre = runs.corrupted[f"blocks.{L}.resid_pre"][-1:]  # (1, d)
    resid_mid = residual_add(resid_pre, attention_output(z, layer, weights)["out"], layer.ln1, weights)
    resume = lambda x: run_from(weights, x, L, rope, after_attention=True, past=past, block_input=resid_pre)  # noqa: E731
    return torch.func.vmap(resume)(resid_mid)  # (H, 1, d)
