"""A few training steps on a private copy of the model, and what moved: the loss curve, the
embedding rows before and after, their nearest neighbours. The shared model is never touched.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geometry.learning.gradients import log_histogram, next_token_loss, training_ids
from geometry.models.handle import frozen, network, using
from geometry.transformer.registry import architecture_of
from geometry.words.tokens import display_tokens
from geometry.words.vectors import cosine_matrix, top_k

MAX_STEPS = 20

MIN_LR, MAX_LR = 1e-6, 1.0

OPTIMIZERS = ("sgd", "adam")

NEIGHBOURS = 6  # nearest neighbours kept per token, before and after training


def _check_training(steps: int, lr: float, optimizer: str) -> tuple[int, float, str]:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"Choose between 1 and {MAX_STEPS} training steps.")
    if not isinstance(lr, int | float) or not math.isfinite(lr) or not MIN_LR <= lr <= MAX_LR:
        raise ValueError(f"Choose a learning rate between {MIN_LR:g} and {MAX_LR:g}.")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"Choose an optimizer from {', '.join(OPTIMIZERS)}.")
    return int(steps), float(lr), optimizer


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
    return _train_copy(lm, ids, steps, lr, optimizer)  # one copy at a time: the app's line of heavy jobs


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
    embeds = lookup[None] * architecture_of(student).embedding_factor()  # (1, T, d) as the lookup scales
    loss = next_token_loss(student(inputs_embeds=embeds).logits[0], token_ids)
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
