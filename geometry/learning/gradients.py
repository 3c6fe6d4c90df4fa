"""How training moves the vectors: the loss, and one backward pass split by path.

:func:`embedding_gradients` scores a short text with the next-token loss and takes the
gradient of the embedding matrix ``E`` (vocab, d). In SmolLM2 and GPT-2 the same matrix is
used twice: once as the input lookup (row ``E[id]`` is the token's first vector) and once as
the output projection (``logits = h @ E.T``). The backward pass here asks for the gradient of
the looked-up input vectors and of the logits, from which each use's contribution follows
exactly (see :class:`EmbeddingGradients`); their sum is the tied matrix's total gradient:

* input path: non-zero only on the rows of tokens that were read (a lookup copies a row);
* output path: non-zero on (nearly) every row, because softmax gives every token some
  probability and the gradient of row ``v`` is ``Σ_t (p_t[v] - [v = y_t]) h_t``.

A few training steps on a copy are :mod:`geometry.learning.training`; the cost of a step is
:mod:`geometry.learning.cost`. Every array is numpy float32 and read-only; every table is a
tidy DataFrame.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geometry.models.handle import frozen, network, using
from geometry.transformer.registry import architecture_of
from geometry.words.tokens import display_tokens, has_control_characters
from geometry.words.vectors import top_k

MIN_TEXT_TOKENS = 2  # one prediction needs a context token and a true next token

MAX_TEXT_TOKENS = 48  # keeps one training step on a 135M model to about a second on a laptop CPU

MAX_TEXT_CHARS = 400

INPUT_PATH, OUTPUT_PATH = "input lookup", "output projection"


def training_ids(lm, text: str) -> list[int]:
    """Token ids of ``text`` exactly as ``lm.tokenizer(text)`` makes them, checked for size.

    ValueError (a message for the user) for text that is empty, has control characters or
    no letters or digits, is too long, or has fewer than two tokens.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("Type a short training text, for example: The dog ran to the park.")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(
            f"The text has {len(text):,} characters; training here takes at most {MAX_TEXT_CHARS} "
            f"characters and {MAX_TEXT_TOKENS} tokens. Use one or two sentences."
        )
    if has_control_characters(text):
        raise ValueError("The text contains invisible control characters; retype it as plain text.")
    if not any(ch.isalnum() for ch in text):
        raise ValueError("The text needs at least one word with letters or digits to learn from.")
    with using(lm):
        ids = [int(i) for i in lm.tokenizer(text)["input_ids"]]
    if len(ids) > MAX_TEXT_TOKENS:
        raise ValueError(
            f"The text makes {len(ids)} tokens; the limit is {MAX_TEXT_TOKENS}. Use a shorter text."
        )
    if len(ids) < MIN_TEXT_TOKENS:
        raise ValueError("The text makes a single token, so there is no next token to predict; add a word.")
    return ids


def split_logits(model: Any, token_ids, E_in, W_out):
    """Logits (T, vocab) with the input lookup read from ``E_in`` and the projection from ``W_out``.

    ``E_in`` and ``W_out`` may be two different leaf tensors holding the same numbers, so a
    backward pass sends each path's gradient to its own leaf. The looked-up rows are scaled as the
    model's own lookup scales them (√d in a family that scales its embeddings).
    """
    import torch.nn.functional as F

    embeds = F.embedding(token_ids, E_in)[None] * architecture_of(model).embedding_factor()  # (1, T, d)
    hidden = model.base_model(inputs_embeds=embeds).last_hidden_state[0]  # (T, d) after the final norm
    bias = getattr(model.get_output_embeddings(), "bias", None)
    return F.linear(hidden, W_out, bias)  # (T, vocab) logits = h @ W_out.T


def next_token_loss(logits, token_ids):
    """Mean cross-entropy of each true next token: mean over t of -log p(x[t+1] | x[≤t])."""
    import torch.nn.functional as F

    return F.cross_entropy(logits[:-1], token_ids[1:])


@dataclass(frozen=True, eq=False)
class EmbeddingGradients:
    """The loss of a text and the gradient of the embedding matrix, split by path.

    Kept small: the (vocab, d) gradients follow from three small arrays by the chain rule.

    * Input path: the lookup copies row ``E[x_t]`` to position t, so row v's gradient is the sum
      of ``lookup_grad[t]`` over the positions where ``x_t = v`` (zero for every other row).
    * Output path: ``logits = H @ W.T``, so row v's gradient is ``Σ_t logit_grad[t, v] · H[t]``,
      that is ``logit_grad.T @ hidden``; its squared length is ``g_v · (H Hᵀ) g_v`` with
      ``g_v = logit_grad[:, v]``, which gives every row's length without the (vocab, d) matrix.

    ``input_grad`` and ``output_grad`` build the dense (vocab, d) matrices when asked (a
    notebook, a test). With tied weights (``tied``) both are gradients of the one embedding
    matrix and ``total_grad`` is their sum; otherwise ``output_grad`` belongs to the separate
    output matrix.
    """

    loss: float  # mean next-token cross-entropy, in nats
    token_ids: np.ndarray  # (T,) int64
    tokens: tuple[str, ...]  # (T,) display strings
    true_next_probs: np.ndarray  # (T-1,) p(token t+1 | tokens ≤ t)
    lookup_grad: np.ndarray  # (T, d) dL/d(input vector at position t)
    logit_grad: np.ndarray  # (T, vocab) dL/d(logits)
    hidden: np.ndarray  # (T, d) the final norm's output, which the output projection reads
    tied: bool

    @property
    def vocab(self) -> int:
        return int(self.logit_grad.shape[1])

    def input_rows_of(self, ids) -> np.ndarray:
        """(len(ids), d) the input path's gradient of rows ``ids``."""
        ids = np.asarray(ids)
        hits = (ids[:, None] == self.token_ids[None, :]).astype(self.lookup_grad.dtype)  # (n, T)
        return hits @ self.lookup_grad

    def output_rows_of(self, ids) -> np.ndarray:
        """(len(ids), d) the output path's gradient of rows ``ids``."""
        return self.logit_grad[:, np.asarray(ids)].T @ self.hidden

    @functools.cached_property
    def input_grad(self) -> np.ndarray:
        """(vocab, d) through the input lookup (dense; built on demand)."""
        dense = np.zeros((self.vocab, self.lookup_grad.shape[1]), dtype=self.lookup_grad.dtype)
        np.add.at(dense, self.token_ids, self.lookup_grad)
        return frozen(dense)

    @functools.cached_property
    def output_grad(self) -> np.ndarray:
        """(vocab, d) through the output projection (dense; built on demand)."""
        return frozen(self.logit_grad.T @ self.hidden)

    @property
    def total_grad(self) -> np.ndarray:
        """(vocab, d) the tied matrix's gradient: both paths added."""
        return self.input_grad + self.output_grad

    @functools.cached_property
    def input_rows(self) -> np.ndarray:
        """Ids of the rows the input path touched (sorted)."""
        return np.flatnonzero(self.input_row_norms > 0)

    @functools.cached_property
    def output_rows(self) -> np.ndarray:
        """Ids of the rows the output path touched (sorted): those whose logit got a gradient."""
        return np.flatnonzero(np.any(self.logit_grad != 0, axis=0))

    @functools.cached_property
    def input_row_norms(self) -> np.ndarray:
        """(vocab,) float64 length of each row's gradient through the input lookup."""
        norms = np.zeros(self.vocab)
        ids = np.unique(self.token_ids)
        norms[ids] = _row_norms(self.input_rows_of(ids))
        return frozen(norms)

    @functools.cached_property
    def output_row_norms(self) -> np.ndarray:
        """(vocab,) float64 length of each row's gradient through the output projection."""
        G = self.logit_grad.astype(np.float64)  # (T, vocab)
        H = self.hidden.astype(np.float64)
        squared = np.einsum("tv,tv->v", G, (H @ H.T) @ G)  # g_v · (H Hᵀ) g_v for every v
        return frozen(np.sqrt(np.maximum(squared, 0.0)))


def embedding_gradients(lm, text: str) -> EmbeddingGradients:
    """One forward and backward pass on ``text``: the loss and the embedding gradient by path.

    The shared model is read, never changed: the looked-up input vectors are a new leaf and the
    output matrix is read detached, so the backward pass computes no weight gradient at all.

    >>> g = embedding_gradients(lm, "The dog ran to the park.")  # doctest: +SKIP
    >>> len(g.input_rows), len(g.output_rows), g.input_grad.shape  # doctest: +SKIP
    (6, 49152, (49152, 576))
    """
    (result,) = embedding_gradients_many(lm, [text])
    if isinstance(result, ValueError):
        raise result
    return result


def embedding_gradients_many(lm, texts) -> list[EmbeddingGradients | ValueError]:
    """:func:`embedding_gradients` of several texts in one batched forward and backward pass.

    Each result equals the text's own pass (up to float rounding): the texts sit in separate
    rows of the batch, padded on the right and masked, and each text's loss depends only on its
    own row. On a CPU most of a pass is reading the weights, which a batch reads once for all.
    A text that cannot be used gives its ValueError in its place.
    """
    import torch
    import torch.nn.functional as F

    results: list[EmbeddingGradients | ValueError | list[int]] = []
    for text in texts:
        try:
            results.append(training_ids(lm, text))
        except ValueError as error:
            results.append(error)
    batch = [ids for ids in results if isinstance(ids, list)]
    if not batch:
        return results
    model = network(lm)
    lengths = [len(ids) for ids in batch]
    width = max(lengths)
    token_ids = torch.zeros((len(batch), width), dtype=torch.long)  # (B, T) padded on the right
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, ids in enumerate(batch):
        token_ids[row, : len(ids)], mask[row, : len(ids)] = torch.tensor(ids), 1
    E = model.get_input_embeddings().weight  # (vocab, d)
    W = model.get_output_embeddings().weight  # (vocab, d): E itself when tied
    bias = getattr(model.get_output_embeddings(), "bias", None)
    with using(lm), torch.enable_grad():
        inputs = F.embedding(token_ids, E.detach()).requires_grad_(True)  # (B, T, d) the input lookup
        embeds = inputs * architecture_of(model).embedding_factor()  # (B, T, d) as the model's lookup scales
        hidden = model.base_model(inputs_embeds=embeds, attention_mask=mask).last_hidden_state  # (B, T, d)
        logits = F.linear(hidden, W.detach(), None if bias is None else bias.detach())  # (B, T, vocab)
        losses = [next_token_loss(logits[row, :n], token_ids[row, :n]) for row, n in enumerate(lengths)]
        lookup_grad, logit_grad = torch.autograd.grad(sum(losses), (inputs, logits))
    found = iter(range(len(batch)))
    for i, ids in enumerate(results):
        if isinstance(ids, list):
            row = next(found)
            results[i] = _gradients_of_row(lm, ids, losses[row], logits, lookup_grad, logit_grad, hidden, row)
    return results


def _gradients_of_row(lm, ids, loss, logits, lookup_grad, logit_grad, hidden, row) -> EmbeddingGradients:
    import torch

    n = len(ids)
    probs = torch.softmax(logits.detach()[row, : n - 1], dim=-1)  # (T-1, vocab)
    true_next = probs[torch.arange(n - 1), torch.tensor(ids[1:])]  # (T-1,)
    return EmbeddingGradients(
        loss=float(loss.detach()),
        token_ids=frozen(np.asarray(ids, dtype=np.int64)),
        tokens=display_tokens(lm, ids),
        true_next_probs=frozen(true_next.numpy().astype(np.float32)),
        lookup_grad=frozen(lookup_grad[row, :n].numpy().copy()),
        logit_grad=frozen(logit_grad[row, :n].numpy().copy()),
        hidden=frozen(hidden.detach()[row, :n].numpy().copy()),
        tied=architecture_of(network(lm)).tied_embeddings,
    )


def _row_norms(matrix: np.ndarray) -> np.ndarray:
    """(n,) float64 length of each row of an (n, d) matrix, without an (n, d) temporary."""
    return np.sqrt(np.einsum("ij,ij->i", matrix, matrix, dtype=np.float64))


def prediction_table(grads: EmbeddingGradients) -> pd.DataFrame:
    """One row per prediction: the context's last token, the true next token and how likely it was.

    Columns: position (of the predicted token, 1-based), prediction ("context → next", a
    label), context_token, true_next_token, true_next_id, probability, loss (= -ln probability, nats).
    """
    probs = grads.true_next_probs.astype(np.float64)
    return pd.DataFrame(
        {
            "position": np.arange(2, len(grads.token_ids) + 1),
            "prediction": [
                f"{i + 2}. {a} → {b}"
                for i, (a, b) in enumerate(zip(grads.tokens[:-1], grads.tokens[1:], strict=True))
            ],
            "context_token": grads.tokens[:-1],
            "true_next_token": grads.tokens[1:],
            "true_next_id": grads.token_ids[1:],
            "probability": probs,
            "loss": -np.log(np.maximum(probs, np.finfo(np.float64).tiny)),
        }
    )


def text_row_table(grads: EmbeddingGradients) -> pd.DataFrame:
    """The text's distinct tokens with the gradient norm each path gives their rows.

    Columns: token_id, token, count (in the text), input_norm, output_norm, total_norm.
    Rows follow the order of first appearance.
    """
    ids, first = np.unique(grads.token_ids, return_index=True)
    order = np.argsort(first)
    ids, first = ids[order], first[order]
    return pd.DataFrame(
        {
            "token_id": ids,
            "token": [grads.tokens[i] for i in first],
            "count": [int(np.sum(grads.token_ids == i)) for i in ids],
            "input_norm": np.linalg.norm(grads.input_rows_of(ids), axis=1),
            "output_norm": np.linalg.norm(grads.output_rows_of(ids), axis=1),
            "total_norm": np.linalg.norm(grads.input_rows_of(ids) + grads.output_rows_of(ids), axis=1),
        }
    )


@dataclass(frozen=True)
class PathSummary:
    """How many rows of the embedding matrix each path touched."""

    vocab: int
    input_rows: int
    output_rows: int
    input_share: float  # share of the total squared gradient that arrives through the input path
    output_share: float


def path_summary(grads: EmbeddingGradients) -> PathSummary:
    """Counts of touched rows and each path's share of the squared gradient."""
    input_sq = float(np.sum(grads.input_row_norms**2))
    output_sq = float(np.sum(grads.output_row_norms**2))
    whole = input_sq + output_sq or 1.0
    return PathSummary(
        vocab=grads.vocab,
        input_rows=len(grads.input_rows),
        output_rows=len(grads.output_rows),
        input_share=input_sq / whole,
        output_share=output_sq / whole,
    )


def log_histogram(groups: dict[str, np.ndarray], bins: int = 40) -> pd.DataFrame:
    """Counts of positive values per group in shared bins of log10(value); zeros are left out.

    Columns: group, log10_low, log10_high, rows (only bins with at least one row).

    >>> log_histogram({"a": np.array([0.0, 1.0, 10.0])}, bins=2)[["group", "rows"]].values.tolist()
    [['a', 1], ['a', 1]]
    """
    logs = {name: np.log10(v[v > 0].astype(np.float64)) for name, v in groups.items()}
    present = [v for v in logs.values() if v.size]
    if not present:
        return pd.DataFrame(columns=["group", "log10_low", "log10_high", "rows"])
    every = np.concatenate(present)
    edges = np.linspace(every.min(), every.max() + 1e-9, bins + 1)
    frames = [
        pd.DataFrame(
            {
                "group": name,
                "log10_low": edges[:-1],
                "log10_high": edges[1:],
                "rows": np.histogram(v, edges)[0],
            }
        )
        for name, v in logs.items()
    ]
    table = pd.concat(frames, ignore_index=True)
    return table[table["rows"] > 0].reset_index(drop=True)


def row_norm_histogram(grads: EmbeddingGradients) -> pd.DataFrame:
    """How the gradient norms of all vocabulary rows spread out, per path ("group"), log scale."""
    return log_histogram(
        {
            INPUT_PATH: grads.input_row_norms,
            OUTPUT_PATH: grads.output_row_norms,
        }
    )


def position_table(grads: EmbeddingGradients) -> pd.DataFrame:
    """Everything per position of the text: the loss of its next token and its row's gradients.

    Columns: position (1-based), token, token_id, true_next_token, probability (of the true
    next token given the text so far; empty for the last token), loss (-ln probability),
    input_norm and output_norm (gradient norm of the token's row through each path; a token
    that occurs twice shows its row's norm twice).
    """
    n = len(grads.token_ids)
    probs = np.append(grads.true_next_probs.astype(np.float64), np.nan)
    return pd.DataFrame(
        {
            "position": np.arange(1, n + 1),
            "token": grads.tokens,
            "token_id": grads.token_ids,
            "true_next_token": [*grads.tokens[1:], ""],
            "probability": probs,
            "loss": -np.log(np.maximum(probs, np.finfo(np.float64).tiny)),
            "input_norm": np.linalg.norm(grads.input_rows_of(grads.token_ids), axis=1),
            "output_norm": np.linalg.norm(grads.output_rows_of(grads.token_ids), axis=1),
        }
    )


def path_norms(grads: EmbeddingGradients) -> pd.DataFrame:
    """The text's distinct tokens' gradient norms in long form: columns token, path, norm."""
    rows = text_row_table(grads)
    return pd.concat(
        [
            pd.DataFrame({"token": rows["token"], "path": INPUT_PATH, "norm": rows["input_norm"]}),
            pd.DataFrame({"token": rows["token"], "path": OUTPUT_PATH, "norm": rows["output_norm"]}),
        ],
        ignore_index=True,
    )


def top_output_rows(lm, grads: EmbeddingGradients, k: int = 10) -> pd.DataFrame:
    """The k rows outside the text that the output path pushes hardest (largest gradient norm).

    These are the tokens the model wrongly expected: the update lowers their scores.
    Columns: token_id, token, output_norm.
    """
    norms = grads.output_row_norms.copy()  # (vocab,) the text's own rows are masked below
    norms[np.isin(np.arange(len(norms)), grads.token_ids)] = -1.0
    ids = top_k(norms, k)  # (k,)
    return pd.DataFrame({"token_id": ids, "token": display_tokens(lm, ids), "output_norm": norms[ids]})


@dataclass(frozen=True)
class GradientTables:
    """Everything the learning page shows about one text's backward pass, without its arrays."""

    loss: float
    tied: bool
    summary: PathSummary
    predictions: pd.DataFrame  # prediction_table
    positions: pd.DataFrame  # position_table
    paths: pd.DataFrame  # path_norms
    histogram: pd.DataFrame  # row_norm_histogram
    pushed: pd.DataFrame  # top_output_rows


def gradient_tables(lm, grads: EmbeddingGradients) -> GradientTables:
    """The tables of :class:`GradientTables` from one backward pass (small: fit for a shared cache)."""
    return GradientTables(
        loss=grads.loss,
        tied=grads.tied,
        summary=path_summary(grads),
        predictions=prediction_table(grads),
        positions=position_table(grads),
        paths=path_norms(grads),
        histogram=row_norm_histogram(grads),
        pushed=top_output_rows(lm, grads),
    )
