"""How training moves the vectors: the loss, one backward pass, and a few steps on a copy.

:func:`embedding_gradients` scores a short text with the next-token loss and takes the
gradient of the embedding matrix ``E`` (vocab, d). In SmolLM2 and GPT-2 the same matrix is
used twice: once as the input lookup (row ``E[id]`` is the token's first vector) and once as
the output projection (``logits = h @ E.T``). The backward pass here asks for the gradient of
the looked-up input vectors and of the logits, from which each use's contribution follows
exactly (see :class:`EmbeddingGradients`); their sum is the tied matrix's total gradient:

* input path: non-zero only on the rows of tokens that were read (a lookup copies a row);
* output path: non-zero on (nearly) every row, because softmax gives every token some
  probability and the gradient of row ``v`` is ``Σ_t (p_t[v] - [v = y_t]) h_t``.

:func:`train_steps` trains a deep copy for a few SGD or Adam steps; the shared model is
never touched. :func:`parameter_counts` and :func:`step_multiply_adds` count the cost.

Every array is numpy float32 and read-only; every table is a tidy DataFrame.
"""

from __future__ import annotations

import copy
import functools
import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geometry.counting import operation_counts
from geometry.forward import weights_of
from geometry.models import frozen, network, using
from geometry.tokens import display_tokens, has_control_characters
from geometry.transformer.architecture import parameter_count
from geometry.transformer.registry import architecture_of
from geometry.transformer.weights import PARTS, parameter_parts
from geometry.vectors import cosine_matrix, top_k

MIN_TEXT_TOKENS = 2  # one prediction needs a context token and a true next token
MAX_TEXT_TOKENS = 48  # keeps one training step on a 135M model to about a second on a laptop CPU
MAX_TEXT_CHARS = 400
MAX_STEPS = 20
MIN_LR, MAX_LR = 1e-6, 1.0
OPTIMIZERS = ("sgd", "adam")
NEIGHBOURS = 6  # nearest neighbours kept per token, before and after training
INPUT_PATH, OUTPUT_PATH = "input lookup", "output projection"
_TRAINING = threading.Lock()  # one training copy at a time per process: each adds ~0.6 GB for SmolLM2


# --------------------------------------------------------------------------- text


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


def _check_training(steps: int, lr: float, optimizer: str) -> tuple[int, float, str]:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"Choose between 1 and {MAX_STEPS} training steps.")
    if not isinstance(lr, int | float) or not math.isfinite(lr) or not MIN_LR <= lr <= MAX_LR:
        raise ValueError(f"Choose a learning rate between {MIN_LR:g} and {MAX_LR:g}.")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"Choose an optimizer from {', '.join(OPTIMIZERS)}.")
    return int(steps), float(lr), optimizer


# --------------------------------------------------------------------------- the split forward pass


def split_logits(model: Any, token_ids, E_in, W_out):
    """Logits (T, vocab) with the input lookup read from ``E_in`` and the projection from ``W_out``.

    ``E_in`` and ``W_out`` may be two different leaf tensors holding the same numbers, so a
    backward pass sends each path's gradient to its own leaf.
    """
    import torch.nn.functional as F

    embeds = F.embedding(token_ids, E_in)[None]  # (1, T, d) the input lookup
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
        hidden = model.base_model(inputs_embeds=inputs, attention_mask=mask).last_hidden_state  # (B, T, d)
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


# --------------------------------------------------------------------------- tables from one backward pass


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


# --------------------------------------------------------------------------- a few training steps on a copy


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """A few optimizer steps on a private copy of the model, summarised for display.

    ``losses[i]`` is the loss before update i; ``final_loss`` is the loss after the last one.
    ``before`` and ``after`` are the embedding rows of the text's distinct tokens ``rows``.
    """

    losses: np.ndarray  # (steps,)
    final_loss: float
    token_ids: np.ndarray  # (T,)
    rows: np.ndarray  # (n,) the text's distinct token ids, in order of first appearance
    tokens: tuple[str, ...]  # (n,) display strings of ``rows``
    before: np.ndarray  # (n, d)
    after: np.ndarray  # (n, d)
    row_shift: np.ndarray  # (vocab,) ‖E_after[v] - E_before[v]‖ for every row
    neighbours: pd.DataFrame  # token_id, token, when, rank, neighbour_id, neighbour, cosine
    optimizer: str
    lr: float

    @property
    def moved_rows(self) -> int:
        """How many vocabulary rows changed at all."""
        return int(np.count_nonzero(self.row_shift))


def train_steps(lm, text: str, steps: int, lr: float, optimizer: str = "sgd") -> TrainingRun:
    """Train a deep copy of ``lm``'s network on ``text`` for ``steps`` updates; return the losses.

    Every weight of the copy trains (eval mode, so no dropout: the same text gives the same
    run). The copy and its optimizer state are released before returning; ``lm`` is unchanged.

    >>> run = train_steps(lm, "The dog ran to the park.", 5, 1e-4, "adam")  # doctest: +SKIP
    >>> run.losses.round(2)  # doctest: +SKIP
    array([5.04, 2.67, 2.14, 1.98, 1.86], dtype=float32)
    """
    steps, lr, optimizer = _check_training(steps, lr, optimizer)
    ids = training_ids(lm, text)
    with _TRAINING:
        return _train_copy(lm, ids, steps, lr, optimizer)


def _train_copy(lm, ids: list[int], steps: int, lr: float, optimizer: str) -> TrainingRun:
    losses, final, E_before, E_after = _optimise_copy(lm, ids, steps, lr, optimizer)
    # the copy, its gradients and the optimizer state were locals of _optimise_copy: freed by now
    return _summarise(lm, ids, losses, final, E_before, E_after, optimizer, lr)


def _optimise_copy(lm, ids: list[int], steps: int, lr: float, optimizer: str):
    """Losses before each update, the loss after the last, and E (vocab, d) before and after.

    Memory matters here: a class may train one after another on a server with 2.7 GB. Each
    weight is updated the moment its gradient is complete, inside the backward pass, and its
    gradient is dropped at once (PyTorch's "optimizer step in backward" pattern), so the copy
    never holds a second model-sized set of gradients. The updates are the ones torch.optim
    makes: one optimizer per weight, and both SGD and Adam treat every weight on its own.
    "Before" is the shared model's own (unchanged) matrix, not a clone.
    """
    import torch

    token_ids = torch.tensor(ids, dtype=torch.long)  # (T,)
    with using(lm):
        student = copy.deepcopy(network(lm))
    student.eval().requires_grad_(True)  # eval: no dropout, so a text always gives the same run
    student.zero_grad(set_to_none=True)  # a user's model may carry gradients of its own: not ours to add
    make = torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam
    optimisers = {p: make([p], lr=lr, foreach=False) for p in student.parameters()}
    tied = student.get_input_embeddings().weight if architecture_of(student).tied_embeddings else None

    def step(p: torch.Tensor) -> None:  # called once p.grad holds this step's whole gradient
        if p is tied:
            return  # its lookup rows are still to come: added after the backward pass
        optimisers[p].step()
        p.grad = None

    hooks = [p.register_post_accumulate_grad_hook(step) for p in optimisers]
    losses = []
    try:
        for _ in range(steps):
            losses.append(_backward(student, token_ids, tied))  # updates every weight on the way
            if tied is not None:
                optimisers[tied].step()
                tied.grad = None
        with torch.no_grad():
            final = next_token_loss(student(token_ids[None]).logits[0], token_ids).item()
    finally:
        for hook in hooks:
            hook.remove()
    E_after = student.get_input_embeddings().weight.detach()  # (vocab, d): keeps only this of the copy
    E_before = network(lm).get_input_embeddings().weight.detach()  # (vocab, d): the shared model's, unchanged
    return losses, final, E_before, E_after


def _backward(student, token_ids, tied) -> float:
    """One forward and backward pass of the copy; the loss before the update.

    A tied matrix gets two gradients: the output projection's, dense (vocab, d), and the lookup's,
    T rows. Left to autograd, the two meet in a third (vocab, d) buffer, their sum. Instead the
    lookup reads a detached copy of its rows, and their gradient is added into the dense one in
    place (110 MB less at the peak of a SmolLM2 run; the same sum, so the same update).
    """
    import torch.nn.functional as F

    if tied is None:
        loss = next_token_loss(student(token_ids[None]).logits[0], token_ids)
        loss.backward()
        return loss.item()
    lookup = F.embedding(token_ids, tied.detach()).requires_grad_(True)  # (T, d)
    loss = next_token_loss(student(inputs_embeds=lookup[None]).logits[0], token_ids)
    loss.backward()
    tied.grad.index_add_(0, token_ids, lookup.grad)  # (vocab, d) += the lookup's T rows
    return loss.item()


def _summarise(lm, ids, losses, final, E_before, E_after, optimizer, lr) -> TrainingRun:
    _, first = np.unique(ids, return_index=True)
    rows = np.asarray([ids[i] for i in sorted(first)], dtype=np.int64)  # (n,)
    before, after = E_before[rows].numpy(), E_after[rows].numpy()  # (n, d)
    tokens = display_tokens(lm, rows)
    neighbours = pd.concat(
        [
            _neighbours(lm, E_before.numpy(), rows, tokens, "before"),
            _neighbours(lm, E_after.numpy(), rows, tokens, "after"),
        ],
        ignore_index=True,
    )
    return TrainingRun(
        losses=frozen(np.asarray(losses, dtype=np.float32)),
        final_loss=final,
        token_ids=frozen(np.asarray(ids, dtype=np.int64)),
        rows=frozen(rows),
        tokens=tokens,
        before=frozen(before),
        after=frozen(after),
        row_shift=frozen((E_after - E_before).norm(dim=1).numpy()),
        neighbours=neighbours,
        optimizer=optimizer,
        lr=lr,
    )


def _neighbours(lm, E: np.ndarray, rows: np.ndarray, tokens, when: str, k: int = NEIGHBOURS) -> pd.DataFrame:
    """The k rows of E with the highest cosine to each of ``rows`` (itself excluded)."""
    cosines = cosine_matrix(E[rows], E)  # (n, vocab)
    cosines[np.arange(len(rows)), rows] = -np.inf
    top = top_k(cosines, k)  # (n, k)
    names = display_tokens(lm, top.ravel())
    records = [
        (
            int(row),
            tokens[i],
            when,
            rank + 1,
            int(top[i, rank]),
            names[i * k + rank],
            float(cosines[i, top[i, rank]]),
        )
        for i, row in enumerate(rows)
        for rank in range(k)
    ]
    columns = ["token_id", "token", "when", "rank", "neighbour_id", "neighbour", "cosine"]
    return pd.DataFrame(records, columns=columns)


def loss_table(run: TrainingRun) -> pd.DataFrame:
    """The loss curve: columns step (0 = before any update), loss."""
    losses = [*run.losses.tolist(), run.final_loss]
    return pd.DataFrame({"step": np.arange(len(losses)), "loss": losses})


def movement_table(run: TrainingRun, zoom: float = 1.0) -> pd.DataFrame:
    """The text's token vectors before and after training, in one 2-D PCA view.

    PCA is fitted on the before and after rows together, so both share the same axes. The
    projection is linear, so drawing ``before + zoom × (after - before)`` magnifies each
    arrow without moving its start; ``zoom`` = 1 is the true picture.
    Columns: token_id, token, x_before, y_before, x_after, y_after (drawn, after zoom),
    shift (‖after - before‖ in the full space), norm_before (‖before‖), relative_shift
    (shift / norm_before).
    """
    if not math.isfinite(zoom) or zoom <= 0:
        raise ValueError("The magnification must be a positive number.")
    both = np.concatenate([run.before, run.after]).astype(np.float64)  # (2n, d)
    centred = both - both.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axes = np.zeros((2, both.shape[1]))
    axes[: min(2, len(vt))] = vt[:2]  # one point pair may leave a single axis
    xy = centred @ axes.T  # (2n, 2)
    n = len(run.rows)
    start, end = xy[:n], xy[:n] + zoom * (xy[n:] - xy[:n])  # (n, 2) each
    shift = np.linalg.norm(run.after.astype(np.float64) - run.before, axis=1)
    norm = np.linalg.norm(run.before.astype(np.float64), axis=1)
    return pd.DataFrame(
        {
            "token_id": run.rows,
            "token": run.tokens,
            "x_before": start[:, 0],
            "y_before": start[:, 1],
            "x_after": end[:, 0],
            "y_after": end[:, 1],
            "shift": shift,
            "norm_before": norm,
            "relative_shift": shift / np.maximum(norm, 1e-12),
        }
    )


TEXT_ROWS, OTHER_ROWS = "rows of the text's tokens", "all other rows"


def shift_histogram(run: TrainingRun) -> pd.DataFrame:
    """How far every vocabulary row moved in training, text rows against the rest (log scale).

    Rows that did not move at all are left out; ``run.moved_rows`` counts the ones that did.
    """
    in_text = np.zeros(len(run.row_shift), dtype=bool)
    in_text[run.rows] = True
    return log_histogram({TEXT_ROWS: run.row_shift[in_text], OTHER_ROWS: run.row_shift[~in_text]})


def neighbour_comparison(run: TrainingRun, token_id: int) -> pd.DataFrame:
    """Nearest neighbours of one of the text's tokens before and after training, side by side.

    Columns: rank, before, cosine_before, after, cosine_after.
    """
    table = run.neighbours[run.neighbours["token_id"] == int(token_id)]
    if table.empty:
        raise ValueError("Choose one of the tokens of the training text.")
    before = table[table["when"] == "before"].set_index("rank")
    after = table[table["when"] == "after"].set_index("rank")
    return pd.DataFrame(
        {
            "rank": before.index,
            "before": before["neighbour"].to_numpy(),
            "cosine_before": before["cosine"].to_numpy(),
            "after": after["neighbour"].reindex(before.index).to_numpy(),
            "cosine_after": after["cosine"].reindex(before.index).to_numpy(),
        }
    )


# --------------------------------------------------------------------------- cost


def parameter_counts(lm) -> pd.DataFrame:
    """Parameters per part of the model, counted from its weights (a tied matrix counts once): each
    parameter belongs to the part of the named matrix its family's file read it as
    (:func:`geometry.transformer.weights.parameter_parts`); a parameter no matrix reads is "other".

    Columns: part, parameters, share, shape (the embedding matrix as "rows × dims").
    """
    model = network(lm)
    part_of = {}  # the storage a tensor views -> its part: views of one fused matrix share it
    for part, tensor in parameter_parts(weights_of(model)):
        part_of.setdefault(tensor.untyped_storage().data_ptr(), part)
    counts = dict.fromkeys((*PARTS, "other"), 0)
    for weight in model.parameters():
        counts[part_of.get(weight.untyped_storage().data_ptr(), "other")] += weight.numel()
    total = sum(counts.values())
    vocab, d = model.get_input_embeddings().weight.shape
    rows = [
        {
            "part": part,
            "parameters": n,
            "share": n / total,
            "shape": f"{vocab:,} rows × {d} dims" if part == "token embedding" else "",
        }
        for part, n in counts.items()
        if n
    ]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class StepCost:
    """Multiply-adds of one training step on ``n_tokens`` tokens (norms, softmax, biases left out)."""

    n_tokens: int
    matrices: int  # weights used in one multiply-add per token: attention and MLP matrices + unembedding
    forward: int  # multiply-adds of the forward pass
    backward: int  # ≈ 2 × forward: one product for the inputs' gradient, one for the weights'

    @property
    def total(self) -> int:
        return self.forward + self.backward

    @property
    def flops(self) -> int:
        """Floating-point operations: one multiply-add is two (a multiply and an add)."""
        return 2 * self.total


def step_multiply_adds(lm, n_tokens: int) -> StepCost:
    """Multiply-adds of one forward and backward pass of ``lm`` over ``n_tokens`` tokens.

    The forward pass is :func:`geometry.counting.operation_counts` (the one cost model) with the
    unembedding at every position, since training scores every next token: every attention and
    MLP weight matrix entry is used once per token, the unembedding is vocab × d per token, and
    attention adds q·k and the weighted sum of values over the causal pairs. The embedding
    lookup is a copy, not arithmetic. Backward ≈ 2 × forward.
    """
    architecture = architecture_of(network(lm))
    counts = operation_counts(architecture, n_tokens, every_position=True).set_index("component")
    forward = int(counts["multiply_adds"].sum())
    attention = int(counts.loc[["attention scores (q·k)", "weighted sum of values"], "multiply_adds"].sum())
    per_token = (forward - attention) // n_tokens  # weights used once per token, unembedding included
    return StepCost(n_tokens=n_tokens, matrices=per_token, forward=forward, backward=2 * forward)


def training_run_flops(parameters: float, tokens: float) -> float:
    """The rule-of-thumb estimate of a training run: 6 × parameters × tokens FLOPs.

    2 FLOPs per parameter per token forward (a multiply-add), 4 backward.

    >>> training_run_flops(70e9, 15e12)
    6.3e+24
    """
    return 6.0 * parameters * tokens


def scientific(x: float) -> str:
    """A large number for a sentence: ``6.3e24`` → ``"6.3 × 10²⁴"``, smaller ones with commas.

    >>> scientific(6.3e24), scientific(12345)
    ('6.3 × 10²⁴', '12,345')
    """
    if abs(x) < 1e6:
        return f"{x:,.0f}"
    mantissa, exponent = f"{x:.2g}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPTS)}"


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

ACCELERATOR_FLOPS = 1e15  # an assumed sustained rate for one modern accelerator, for the estimate only
LARGE_MODEL = (70e9, 15e12)  # a hypothetical large run: parameters, training tokens


def cost_sentences(lm, n_tokens: int) -> str:
    """Markdown: what one step on ``n_tokens`` tokens costs, then the scaled-up estimate."""
    cost = step_multiply_adds(lm, n_tokens)
    n_params = parameter_count(network(lm))
    rule = training_run_flops(n_params, n_tokens)
    own = training_run_flops(n_params, 1e12)
    big = training_run_flops(*LARGE_MODEL)
    seconds = big / ACCELERATOR_FLOPS
    return (
        f"One forward pass over these {n_tokens} tokens takes about **{scientific(cost.forward)}** "
        f"multiply-adds, the backward pass about twice as many, so one training step is about "
        f"**{scientific(cost.total)}** multiply-adds, or {scientific(cost.flops)} floating-point operations "
        f"(a multiply-add is two). The rule of thumb 6 × parameters × tokens gives {scientific(rule)}: "
        f"nearly every one of the {n_params:,} parameters is used once per token forward "
        "and twice backward.\n\n"
        f"**Scaled up (an estimate from that rule, not a measurement):** training this model on one "
        f"trillion tokens would take about {scientific(own)} operations. A hypothetical model with "
        f"{LARGE_MODEL[0] / 1e9:.0f} billion parameters trained on {LARGE_MODEL[1] / 1e12:.0f} trillion "
        f"tokens needs about {scientific(big)}: some {seconds / 3.156e7:,.0f} years for one accelerator "
        f"sustaining {scientific(ACCELERATOR_FLOPS)} operations per second, or about "
        f"{seconds / 1000 / 604800:.0f} weeks for a thousand of them working together."
    )


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
