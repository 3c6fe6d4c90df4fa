"""One MLP neuron, drilled down: where it fires in a reference text, and what it writes.

A neuron of layer L's MLP is one of its d_mlp hidden numbers (``blocks.{L}.mlp.post`` in the
trace record: GELU(x W_in + b) in GPT-2, SiLU(x W_gate) ⊙ x W_up in Llama). Two readings:

* **where it fires**: every line of the bundled reference text (``geometry/data/reference.txt``,
  one sentence per line, each read on its own from its start) goes through the model's own
  weights (:func:`geometry.transformer.forward.run`), and the tokens with the largest activation are kept
  with a few tokens of context on each side;
* **what it writes**: the neuron's row of the MLP output matrix (``W_out`` / ``W_down``, shape
  (d,)) is what it adds to the residual stream, per unit of activation; dotted with the
  unembedding ``W_U`` it gives one score per vocabulary token: the tokens it pushes up
  (largest scores) and down (smallest), as the logit lens would read that direction without the
  final norm. Where the family normalises the MLP's output before adding it (OLMo-2), the row
  passes through that norm first (centred where it centres, times its gain); the norm's divisor
  depends on the whole output, one positive number, so the scores are up to that factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geometry.context.occurrences import reference_text
from geometry.models.handle import network, using
from geometry.transformer.forward import centre, gain, run, weights_of
from geometry.transformer.trace import prompt_ids
from geometry.transformer.weights import Weights
from geometry.words.tokens import display_tokens

__all__ = [
    "ReferenceActivations",
    "neuron_contexts",
    "neuron_vocabulary",
    "output_row",
    "reference_activations",
]

MAX_LINE_TOKENS = 64  # each reference line is read on its own; longer lines keep their first tokens


@dataclass(frozen=True, eq=False)
class ReferenceActivations:
    """One layer's MLP activations on every token of the reference text (N tokens in all)."""

    layer: int
    token_ids: np.ndarray  # (N,) int64
    tokens: tuple[str, ...]  # (N,) display strings, "␣" for a space
    line: np.ndarray  # (N,) which line of the text (0, 1, …)
    position: np.ndarray  # (N,) position inside its line
    post: np.ndarray  # (N, d_mlp) float32: blocks.{layer}.mlp.post, what the output matrix reads


def reference_lines(text: str | None = None) -> list[str]:
    """The reference text's non-empty lines (one sentence each)."""
    return [line.strip() for line in (text or reference_text()).splitlines() if line.strip()]


def reference_activations(lm, layer: int, text: str | None = None) -> ReferenceActivations:
    """Run every reference line through ``lm`` (its own weights, as the trace does) and keep layer
    ``layer``'s MLP activations. ValueError for a layer that does not exist or an encoder."""
    import torch

    weights = weights_of(network(lm))
    if not 0 <= layer < weights.architecture.n_layers:
        raise ValueError(
            f"Layer {layer} does not exist: this model has layers 0–{weights.architecture.n_layers - 1}."
        )
    ids, line, position, post = [], [], [], []
    for index, sentence in enumerate(reference_lines(text)):
        line_ids, _ = prompt_ids(lm, sentence, limit=MAX_LINE_TOKENS)
        with using(lm):
            acts = run(weights, torch.tensor(line_ids, dtype=torch.long), last_layer=layer)  # stops there
        post.append(acts[f"blocks.{layer}.mlp.post"].numpy())  # (T, d_mlp)
        ids += line_ids
        line += [index] * len(line_ids)
        position += list(range(len(line_ids)))
    return ReferenceActivations(
        layer=layer,
        token_ids=np.asarray(ids, dtype=np.int64),
        tokens=display_tokens(lm, ids),
        line=np.asarray(line),
        position=np.asarray(position),
        post=np.concatenate(post),
    )


def neuron_contexts(
    lm, activations: ReferenceActivations, neuron: int, k: int = 10, window: int = 4
) -> pd.DataFrame:
    """The ``k`` reference tokens where ``neuron`` is most active, each with ``window`` tokens each side.

    Columns: rank (1 = most active), line, position, token (display form), activation, before and
    after (the neighbouring text of the same line, decoded), context ("the rain [started] to").
    """
    d_mlp = activations.post.shape[1]
    if not 0 <= neuron < d_mlp:
        raise ValueError(f"Neuron {neuron} does not exist: this layer has neurons 0–{d_mlp - 1}.")
    values = activations.post[:, neuron]  # (N,)
    order = np.argsort(-values, kind="stable")[:k]
    rows = []
    for rank, i in enumerate(order, start=1):
        same_line = np.flatnonzero(activations.line == activations.line[i])  # indices of its line, in order
        start, end = max(same_line[0], i - window), min(same_line[-1], i + window)
        before = _decode(lm, activations.token_ids[start:i])
        after = _decode(lm, activations.token_ids[i + 1 : end + 1])
        word = _decode(lm, activations.token_ids[i : i + 1])
        space = word[: len(word) - len(word.lstrip())]  # a leading space stays outside the brackets
        rows.append({
            "rank": rank, "line": int(activations.line[i]), "position": int(activations.position[i]),
            "token": activations.tokens[i], "activation": float(values[i]), "before": before, "after": after,
            "context": f"{before}{space}[{word.lstrip()}]{after}".strip(),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _decode(lm, ids) -> str:
    with using(lm):
        return lm.tokenizer.decode([int(i) for i in ids])


def output_row(weights: Weights, layer: int, neuron: int):
    """(d,) torch: the direction ``neuron`` of ``layer`` adds to the residual stream per unit of
    activation. Its row of W_out (W_down in a gated MLP), a view; where the family normalises the
    MLP's output, that row through the norm's centring and gain (its divisor left out)."""
    layer_weights = weights.layers[layer]
    row = layer_weights.mlp.output_matrix[neuron]  # (d,) W_out, or W_down in a gated MLP
    if not weights.layout.placement.on_output:
        return row
    kind = weights.layout.norm
    return centre(row, kind) * gain(layer_weights.ln2_out, kind)  # (d,)


def neuron_vocabulary(lm, layer: int, neuron: int, k: int = 10) -> pd.DataFrame:
    """The vocabulary tokens the neuron's output row pushes up and down most: row · W_U.

    Columns: direction ("promotes" or "suppresses"), rank (1 = strongest), token_id, token, score
    (the dot product of the row with the token's unembedding column). ValueError for an encoder
    (no unembedding) or a layer or neuron that does not exist.
    """
    import torch

    weights = weights_of(network(lm))
    arch = weights.architecture
    if weights.W_U is None:
        raise ValueError(
            "A sentence-embedding encoder has no vocabulary head, so a neuron promotes no tokens."
        )
    if not 0 <= layer < arch.n_layers or not 0 <= neuron < arch.d_mlp:
        raise ValueError(
            f"There is no neuron {neuron} in layer {layer}: this model has layers 0–{arch.n_layers - 1} "
            f"and neurons 0–{arch.d_mlp - 1}."
        )
    with torch.no_grad():
        scores = (output_row(weights, layer, neuron) @ weights.W_U).double().numpy()  # (vocab,)
    frames = []
    for direction, order in (
        ("promotes", np.argsort(-scores, kind="stable")),
        ("suppresses", np.argsort(scores, kind="stable")),
    ):
        top = order[:k]
        frames.append(pd.DataFrame({
            "direction": direction, "rank": np.arange(1, len(top) + 1), "token_id": top,
            "token": display_tokens(lm, top), "score": scores[top],
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)
