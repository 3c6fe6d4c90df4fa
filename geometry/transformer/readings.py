"""Readings of a trace: residual norms, what each sublayer changes, every head's pattern at once,
one head's "dot product tournament", the most active MLP neurons, the top next tokens, how an
experiment moved the final vectors. Plain tables, read from the trace alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geometry.transformer.sampling import Decoding, next_token_probs
from geometry.transformer.trace import Trace, checked_layer, checked_position, unique_labels
from geometry.words.tokens import display_tokens
from geometry.words.vectors import cosine, norm, top_k


def residual_stages(trace: Trace) -> list[tuple[int, str, str]]:
    """(layer, stage, activation name) of the residual stream, from the embedding to the last MLP.

    The embedding is layer -1 (before block 0); then "after attention" and "after MLP" per block.
    """
    stages = [(-1, "embedding", "blocks.0.resid_pre")]
    for L in range(trace.architecture.n_layers):
        stages.append((L, "after attention", f"blocks.{L}.resid_mid"))
        stages.append((L, "after MLP", f"blocks.{L}.resid_post"))
    return stages


def residual_norms(trace: Trace, position: int = -1) -> pd.DataFrame:
    """Length of the chosen token's residual vector after each sublayer.

    Columns: step (0, 1, …), name (activation), layer (-1 for the embedding), stage, norm.
    """
    p = checked_position(trace, position)
    rows = [
        {"step": step, "name": name, "layer": layer, "stage": stage,
         "norm": float(np.linalg.norm(trace.activations[name][p]))}
        for step, (layer, stage, name) in enumerate(residual_stages(trace))
    ]  # fmt: skip
    return pd.DataFrame(rows)


def sublayer_changes(trace: Trace, positions: int | Sequence[int] = -1) -> pd.DataFrame:
    """How much each layer's attention and MLP move one token's vector.

    ``positions`` is one position or several (a word cut into pieces: their mean vector is
    followed). One row per layer and sublayer. Columns: layer, sublayer ("attention" or "MLP"),
    step (0, 1, … in forward order), output_norm (|what the sublayer adds|), change
    (|after - before|: how far the vector itself moved, a post-norm family's rescaling included),
    before_norm, after_norm, cosine (between the vector before and after: 1 = same direction).
    """
    chosen = [checked_position(trace, p) for p in np.atleast_1d(positions).tolist()]
    if not chosen:
        raise ValueError("Choose at least one token position.")

    def vector(name: str) -> np.ndarray:
        return trace.activations[name][chosen].astype(np.float64).mean(axis=0)  # (d,)

    rows = []
    for L in range(trace.architecture.n_layers):
        stream = [vector(f"blocks.{L}.{name}") for name in ("resid_pre", "resid_mid", "resid_post")]
        outputs = [vector(f"blocks.{L}.attn.out"), vector(f"blocks.{L}.mlp.out")]
        for i, sublayer in enumerate(("attention", "MLP")):
            before, after = stream[i], stream[i + 1]
            rows.append({
                "layer": L, "sublayer": sublayer, "step": 2 * L + i,
                "output_norm": norm(outputs[i]), "change": norm(after - before),
                "before_norm": norm(before), "after_norm": norm(after), "cosine": cosine(before, after),
            })  # fmt: skip
    return pd.DataFrame(rows)


def model_view(trace: Trace, layers: Sequence[int] | None = None) -> pd.DataFrame:
    """Every head's attention pattern in ``layers`` (default: all), as BertViz's model view shows them.

    One row per (layer, head, query, key) pair the query may see (keys after it are left out while
    the causal mask is on). Columns: layer, head, query_position, key_position, query_token,
    key_token, probability (each query's row sums to 1 over its keys).
    """
    chosen = list(range(trace.architecture.n_layers) if layers is None else layers)
    for layer in chosen:
        checked_layer(trace, layer)
    T, H = trace.n_tokens, trace.architecture.n_heads
    query, key = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")  # (T, T) each
    visible = key <= query if trace.masks_the_future else np.ones((T, T), dtype=bool)  # (T, T)
    patterns = trace.attention[chosen][:, :, visible]  # (L', H, V) the visible cells, row by row
    n_visible, tokens = int(visible.sum()), np.asarray(trace.tokens, dtype=object)
    return pd.DataFrame({
        "layer": np.repeat(chosen, H * n_visible),
        "head": np.tile(np.repeat(np.arange(H), n_visible), len(chosen)),
        "query_position": np.tile(query[visible], len(chosen) * H),
        "key_position": np.tile(key[visible], len(chosen) * H),
        "query_token": np.tile(tokens[query[visible]], len(chosen) * H),
        "key_token": np.tile(tokens[key[visible]], len(chosen) * H),
        "probability": patterns.reshape(-1),
    })  # fmt: skip


def head_contributions(trace: Trace, layer: int, head: int, query: int) -> pd.DataFrame:
    """One query token's "dot product tournament" in one head: every key it may look at.

    Columns: key_position, key_token, q_dot_k (raw), scaled_score (after scaling; -inf if
    masked), probability (softmax), value_norm (|v_key|), weighted_value_norm (|p · v_key|).
    Keys after the query are left out while the causal mask is on (an encoder has none).
    """
    L, q = checked_layer(trace, layer), checked_position(trace, query)
    if not 0 <= head < trace.architecture.n_heads:
        last = trace.architecture.n_heads - 1
        raise ValueError(f"Head {head} does not exist: this model has heads 0–{last}.")
    acts, prefix = trace.activations, f"blocks.{L}.attn"
    keys = np.arange(q + 1 if trace.masks_the_future else trace.n_tokens)  # (K,) visible keys
    v = acts[f"{prefix}.v"][trace.architecture.kv_head_of(head), keys]  # (K, dh) shared by grouped heads
    probability = acts[f"{prefix}.pattern"][head, q, keys]  # (K,)
    value_norm = np.linalg.norm(v, axis=-1)  # (K,)
    return pd.DataFrame({
        "key_position": keys,
        "key_token": [trace.tokens[j] for j in keys],
        "q_dot_k": acts[f"{prefix}.dots"][head, q, keys],
        "scaled_score": acts[f"{prefix}.scores"][head, q, keys],
        "probability": probability,
        "value_norm": value_norm,
        "weighted_value_norm": probability * value_norm,
    })  # fmt: skip


def top_neurons(trace: Trace, layer: int, position: int = -1, k: int = 10) -> pd.DataFrame:
    """The MLP neurons most active (largest |post|) for one token at one layer.

    Columns: neuron, activation (post: what W_out, or SwiGLU's W_down, reads), pre (the detector's
    dot product; in SwiGLU the gate's, before SiLU).
    """
    L, p = checked_layer(trace, layer), checked_position(trace, position)
    post = trace.activations[f"blocks.{L}.mlp.post"][p]  # (d_mlp,)
    pre = trace.activations[f"blocks.{L}.mlp.pre"][p]  # (d_mlp,)
    order = top_k(np.abs(post), k)  # (k,)
    return pd.DataFrame({"neuron": order, "activation": post[order], "pre": pre[order]})


def next_tokens(lm, trace: Trace, k: int = 10, decoding: Decoding | None = None) -> pd.DataFrame:
    """The k most likely next tokens, most likely first.

    Columns: rank, token_id, token (with its id where two tokens look alike), logit,
    probability (the model's softmax); with ``decoding`` also after_temperature, after_filters
    (the distribution ``decoding`` draws from) and status ("kept" or "filtered out").
    """
    logits = np.asarray(trace.logits, dtype=np.float64)  # (vocab,)
    order = top_k(logits, k)  # (k,)
    table = pd.DataFrame({
        "rank": np.arange(1, len(order) + 1), "token_id": order,
        "token": unique_labels(display_tokens(lm, order), order),
        "logit": logits[order], "probability": next_token_probs(logits)[order],
    })  # fmt: skip
    if decoding is None:
        return table
    final = decoding.probs(logits)[order]
    return table.assign(
        after_temperature=next_token_probs(logits, decoding.temperature)[order],
        after_filters=final,
        status=np.where(final > 0, "kept", "filtered out"),
    )


def final_vector_changes(normal: Trace, changed: Trace) -> pd.DataFrame:
    """How an experiment moved each token's final vector (the output of the last block).

    For an encoder this is what the experiment changes: it has no next token to compare.
    Columns: position, token, cosine (normal vs experiment; 1 = same direction), distance
    (|experiment - normal|), normal_norm.
    """
    name = f"blocks.{normal.architecture.n_layers - 1}.resid_post"
    before, after = normal.activations[name].astype(np.float64), changed.activations[name].astype(np.float64)
    return pd.DataFrame({
        "position": np.arange(normal.n_tokens), "token": list(normal.tokens),
        "cosine": [cosine(a, b) for a, b in zip(before, after, strict=True)],
        "distance": np.linalg.norm(after - before, axis=-1), "normal_norm": np.linalg.norm(before, axis=-1),
    })  # fmt: skip
