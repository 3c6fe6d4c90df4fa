"""Training a private copy (geometry/learning/training.py): the shared model untouched, the copy freed."""

from __future__ import annotations

import numpy as np
import pytest

from geometry.learning import gradients as learning
from geometry.learning import training
from tests.unit.learning.conftest import TEXT, assert_unchanged, snapshot

# --------------------------------------------------------------------------- training on a copy


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.5), ("adam", 3e-3)])
def test_loss_falls_and_the_model_is_unchanged(tiny, optimizer, lr):
    before = snapshot(tiny.model)
    run = training.train_steps(tiny, TEXT, steps=4, lr=lr, optimizer=optimizer)
    assert run.losses.shape == (4,)
    assert run.final_loss < run.losses[0]
    assert np.all(np.diff(run.losses) < 0)
    assert run.losses[0] == pytest.approx(learning.embedding_gradients(tiny, TEXT).loss, rel=1e-5)
    assert_unchanged(tiny.model, before)


def test_training_run_records_the_movement(tiny_llama):
    run = training.train_steps(tiny_llama, TEXT, steps=2, lr=0.5, optimizer="sgd")
    E = tiny_llama.embedding_matrix()
    assert run.rows.tolist() == list(dict.fromkeys(run.token_ids.tolist()))
    np.testing.assert_array_equal(run.before, E[run.rows])
    np.testing.assert_allclose(
        run.row_shift[run.rows], np.linalg.norm(run.after - run.before, axis=1), rtol=1e-5
    )
    assert run.row_shift.shape == (E.shape[0],) and run.moved_rows > 0.99 * E.shape[0]  # tied: every row
    table = run.neighbours
    assert set(table["when"]) == {"before", "after"}
    assert len(table) == 2 * len(run.rows) * training.NEIGHBOURS
    assert not (table["neighbour_id"] == table["token_id"]).any()


def test_neighbours_are_the_nearest_by_cosine(tiny_llama):
    run = training.train_steps(tiny_llama, TEXT, steps=1, lr=0.1, optimizer="sgd")
    E = tiny_llama.embedding_matrix().astype(np.float64)
    row = int(run.rows[1])
    unit = E / np.linalg.norm(E, axis=1, keepdims=True)
    cosines = unit @ unit[row]
    cosines[row] = -np.inf
    comparison = training.neighbour_comparison(run, row)
    assert comparison["rank"].tolist() == list(range(1, training.NEIGHBOURS + 1))
    np.testing.assert_allclose(
        comparison["cosine_before"], np.sort(cosines)[::-1][: training.NEIGHBOURS], rtol=1e-5
    )
    with pytest.raises(ValueError, match="tokens of the training text"):
        training.neighbour_comparison(run, 10**9)


def test_movement_table_projects_and_magnifies(tiny_llama):
    run = training.train_steps(tiny_llama, TEXT, steps=1, lr=0.5, optimizer="sgd")
    true = training.movement_table(run)
    zoomed = training.movement_table(run, zoom=10)
    np.testing.assert_allclose(zoomed[["x_before", "y_before"]], true[["x_before", "y_before"]])
    np.testing.assert_allclose(
        zoomed["x_after"] - zoomed["x_before"], 10 * (true["x_after"] - true["x_before"]), atol=1e-9
    )
    # a projection never makes an arrow longer than the move in the full space
    drawn = np.hypot(true["x_after"] - true["x_before"], true["y_after"] - true["y_before"])
    assert (drawn <= true["shift"] + 1e-6).all()
    with pytest.raises(ValueError, match="positive"):
        training.movement_table(run, zoom=float("nan"))


def test_loss_table_starts_before_any_update(tiny_llama):
    run = training.train_steps(tiny_llama, TEXT, steps=3, lr=0.5, optimizer="sgd")
    table = training.loss_table(run)
    assert table["step"].tolist() == [0, 1, 2, 3]
    assert table["loss"].iloc[-1] == pytest.approx(run.final_loss)


@pytest.mark.parametrize(
    "steps, lr, optimizer, message",
    [
        (0, 0.1, "sgd", "training steps"),
        (training.MAX_STEPS + 1, 0.1, "sgd", "training steps"),
        (True, 0.1, "sgd", "training steps"),
        (2.5, 0.1, "sgd", "training steps"),
        (2, float("nan"), "sgd", "learning rate"),
        (2, float("1e309"), "sgd", "learning rate"),
        (2, 0.0, "sgd", "learning rate"),
        (2, 2.0, "sgd", "learning rate"),
        (2, 0.1, "rmsprop", "optimizer"),
    ],
)
def test_train_steps_rejects_bad_settings(tiny_llama, steps, lr, optimizer, message):
    with pytest.raises(ValueError, match=message):
        training.train_steps(tiny_llama, TEXT, steps, lr, optimizer)
