"""The tidy tables the "Inside the model" page draws, built from a :class:`~geometry.trace.Trace`.

Each function takes a trace (or a table made from one) and plain values and returns a
DataFrame whose columns are listed in its docstring; the charts in :mod:`geometry.charts`
draw them as they are. Nothing here is recomputed from the model: every number is read from
the trace's activations, its logits or the architecture's counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from geometry.transformer import sampling
from geometry.transformer.architecture import Architecture
from geometry.transformer.counting import step_costs
from geometry.transformer.generation import GenerationResult
from geometry.transformer.readings import head_contributions
from geometry.transformer.trace import Trace, position_labels, unique_labels
from geometry.words.tokens import display_tokens, readable_token


def token_table(trace: Trace) -> pd.DataFrame:
    """The prompt's tokens left to right. Columns: position, token, id."""
    return pd.DataFrame(
        {"position": range(trace.n_tokens), "token": trace.tokens, "id": trace.token_ids.astype(int)}
    )


def attention_frame(trace: Trace, layer: int, heads: Iterable[int]) -> pd.DataFrame:
    """Long table of the attention of ``heads`` at ``layer``: one row per visible (query, key) pair.

    Columns: head, head_label, query_position, query_label, key_position, key_label,
    q_dot_k, scaled_score, probability.
    """
    acts, prefix, T = trace.activations, f"blocks.{layer}.attn", trace.n_tokens
    query, key = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")  # (T, T) each
    visible = key <= query if trace.masks_the_future else np.ones((T, T), dtype=bool)
    labels = np.asarray(position_labels(trace), dtype=object)
    frames = [
        pd.DataFrame(
            {
                "head": head,
                "head_label": f"head {head} (kv {trace.architecture.kv_head_of(head)})",
                "query_position": query[visible],
                "query_label": labels[query[visible]],
                "key_position": key[visible],
                "key_label": labels[key[visible]],
                "q_dot_k": acts[f"{prefix}.dots"][head][visible],
                "scaled_score": acts[f"{prefix}.scores"][head][visible],
                "probability": acts[f"{prefix}.pattern"][head][visible],
            }
        )  # fmt: skip
        for head in heads
    ]
    return pd.concat(frames, ignore_index=True)


def tournament(trace: Trace, layer: int, head: int, query: int) -> pd.DataFrame:
    """:func:`~geometry.transformer.readings.head_contributions` with key_label ("3 ␣France") second."""
    table = head_contributions(trace, layer, head, query)
    table.insert(1, "key_label", [position_labels(trace)[j] for j in table["key_position"]])
    return table


TOURNAMENT_MEASURES = {
    "q_dot_k": "q·k",
    "scaled_score": "q·k / √d",
    "probability": "softmax probability",
    "weighted_value_norm": "|weighted value|",
}


def tournament_long(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`tournament` table, one row per key and measure.

    Columns: key_label, key_position, measure (its name on the chart), measure_order, value.
    """
    frames = [
        pd.DataFrame(
            {
                "key_label": table["key_label"],
                "key_position": table["key_position"],
                "measure": name,
                "measure_order": order,
                "value": table[column],
            }
        )  # fmt: skip
        for order, (column, name) in enumerate(TOURNAMENT_MEASURES.items())
    ]
    return pd.concat(frames, ignore_index=True)


def kv_sharing_table(architecture: Architecture) -> pd.DataFrame:
    """Which key/value head each query head reads. Columns: query head, key/value head."""
    heads = range(architecture.n_heads)
    return pd.DataFrame({"query head": heads, "key/value head": [architecture.kv_head_of(h) for h in heads]})


def lens_top(lens: pd.DataFrame) -> pd.DataFrame:
    """The rank-1 rows of a logit lens, with layer_label ("embedding", "layer 3") for the chart."""
    return lens[lens["rank"] == 1].assign(
        layer_label=lambda f: np.where(f["layer"] < 0, "embedding", "layer " + f["layer"].astype(str))
    )


def lens_with_norms(lens: pd.DataFrame, norms: pd.DataFrame) -> pd.DataFrame:
    """The logit lens with each stage's residual norm: the lens columns plus norm."""
    return lens.merge(norms[["layer", "stage", "norm"]], on=["layer", "stage"], how="left")


def sublayer_change_rows(trace: Trace, changes: pd.DataFrame, position: int) -> pd.DataFrame:
    """:func:`~geometry.transformer.readings.sublayer_changes` as the chart reads it: plus occurrence
    (the token's label), layer_index, and layer as text ("layer 0", numbered as on the page's sliders)."""
    return changes.assign(
        occurrence=position_labels(trace)[position],
        layer_index=changes["layer"],
        layer=changes["layer"].map("layer {}".format),
    )


NEXT_TOKEN_SERIES = {
    "after_temperature": "softmax at this temperature",
    "after_filters": "after top-k / top-p",
}


def next_token_long(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`~geometry.transformer.readings.next_tokens` table with decoding, one row per token and series.

    Columns: rank, token, status, series, series_order, probability, token_label (punctuation named).
    """
    return pd.concat(
        [
            table[["rank", "token", "status"]].assign(series=name, series_order=i, probability=table[column])
            for i, (column, name) in enumerate(NEXT_TOKEN_SERIES.items())
        ],
        ignore_index=True,
    ).assign(token_label=lambda f: f["token"].map(readable_token))


def sampled_ids(probs: np.ndarray, counts: np.ndarray, top: int = 12, most: int = 20) -> np.ndarray:
    """The tokens a sampling table shows: the ``top`` most probable and every token drawn, in
    probability order (the rank of the Next token tab, not how often drawn), at most ``most``."""
    shown = np.union1d(np.argsort(-probs, kind="stable")[:top], np.flatnonzero(counts))
    return shown[np.argsort(-probs[shown], kind="stable")][:most]


def sampling_table(
    probs: np.ndarray, counts: np.ndarray, ids: np.ndarray, labels: Sequence[str]
) -> pd.DataFrame:
    """Draws against the distribution, for the tokens ``ids`` named ``labels``.

    Columns: rank, token_id, token_label, probability, samples, share (samples / draws).
    """
    n = int(counts.sum())
    return pd.DataFrame({
        "rank": sampling.probability_ranks(probs, ids), "token_id": ids, "token_label": list(labels),
        "probability": probs[ids], "samples": counts[ids], "share": counts[ids] / n,
    })  # fmt: skip


def sampling_long(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """A :func:`sampling_table` of ``n`` draws, one row per token and series ("distribution", "n samples").

    Columns: those of the table plus series, series_order; share is the probability on the
    distribution's rows; token_label names punctuation for the axis.
    """
    return pd.concat(
        [
            table.assign(series="distribution", series_order=0, share=table["probability"]),
            table.assign(series=f"{n} samples", series_order=1),
        ],
        ignore_index=True,
    ).assign(token_label=lambda f: f["token_label"].map(readable_token))


def generation_steps(
    result: GenerationResult,
    architecture: Architecture,
    prompt_tokens: int,
    tokens: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per written token, with what the cache saved on that step.

    ``tokens`` are the names shown (default ``result.step_tokens``). Columns: step, token,
    token_id, cached_tokens, key_value_vectors_reused, multiply_adds_with_cache,
    multiply_adds_from_scratch.
    """
    steps = pd.DataFrame({
        "step": range(1, len(result.new_ids) + 1),
        "token": list(result.step_tokens if tokens is None else tokens),
        "token_id": result.new_ids,
        "cached_tokens": result.cached_tokens,
        "key_value_vectors_reused": result.reused_kv_vectors,
    })  # fmt: skip
    costs = step_costs(architecture, prompt_tokens, result.cached_tokens)
    return pd.concat([steps, costs], axis=1)


def comparison_table(lm, normal: Trace, changed: Trace, k: int = 5) -> pd.DataFrame:
    """The top-k next tokens of both runs, with each token's probability in both.

    Columns: token_id, token, rank_normal, rank_experiment, probability_normal, probability_experiment.
    """
    p_normal = sampling.next_token_probs(normal.logits)
    p_changed = sampling.next_token_probs(changed.logits)
    rank_normal = np.argsort(-p_normal, kind="stable")
    rank_changed = np.argsort(-p_changed, kind="stable")
    ids = list(dict.fromkeys([*rank_normal[:k].tolist(), *rank_changed[:k].tolist()]))
    return pd.DataFrame({
        "token_id": ids,
        "token": unique_labels(display_tokens(lm, ids), ids),
        "rank_normal": sampling.probability_ranks(p_normal, ids),
        "rank_experiment": sampling.probability_ranks(p_changed, ids),
        "probability_normal": p_normal[ids],
        "probability_experiment": p_changed[ids],
    })  # fmt: skip


RUNS = (("normal", "probability_normal"), ("experiment", "probability_experiment"))


def comparison_long(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`comparison_table`, one row per token and run.

    Columns: token_label, order (the table's row), run, run_order, probability.
    """
    frames = [
        pd.DataFrame(
            {
                "token_label": table["token"],
                "order": range(len(table)),
                "run": run,
                "run_order": i,
                "probability": table[column],
            }
        )  # fmt: skip
        for i, (run, column) in enumerate(RUNS)
    ]
    return pd.concat(frames, ignore_index=True)


def top_of_run(table: pd.DataFrame, run: str, k: int = 5) -> list[str]:
    """The k most probable tokens of one run ("normal" or "experiment") of a comparison table."""
    return table.sort_values(f"probability_{run}", ascending=False)["token"].head(k).tolist()


def head_focus(trace: Trace, layer: int, head: int) -> dict[str, float]:
    """How one head's pattern behaves: mean_max_weight (the mean of each row's largest weight; 1
    means softmax is saturated) and future_attention (weight on later tokens, mean per row)."""
    pattern = trace.activations[f"blocks.{layer}.attn.pattern"][head]  # (T, T)
    return {
        "mean_max_weight": float(pattern.max(axis=-1).mean()),
        "future_attention": float(np.triu(pattern, k=1).sum() / trace.n_tokens),
    }


def lens_labels(rows: pd.DataFrame) -> pd.DataFrame:
    """Lens rows with the labels the charts write: stage, position, the cell's text, the depth."""
    after_attention = rows["stage"] == "after attention"
    stage = "L" + rows["layer"].astype(str) + np.where(after_attention, " attn", " MLP")
    percent = (100 * rows["top_probability"]).round().astype(int).astype(str)
    return rows.assign(
        stage_label=np.where(rows["layer"] < 0, "embedding", stage),
        position_label=rows["position"].astype(str) + " " + rows["token"],
        cell_text=rows["top_token"] + " " + percent + "%",
        depth=np.where(rows["layer"] < 0, 0.0, rows["layer"] + np.where(after_attention, 0.5, 1.0)),
    )
