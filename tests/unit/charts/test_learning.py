"""The Learning lesson's charts (geometry/charts/learning.py), on a tiny model's tables."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from geometry.charts import learning as charts
from geometry.learning import cost as learning_cost
from geometry.learning import gradients as learning
from geometry.learning import training
from tests.unit.learning.conftest import TEXT

# --------------------------------------------------------------------------- charts


def _marks(spec: dict) -> list[dict]:
    layers = spec.get("layer") or [spec]
    return [layer for layer in layers if "mark" in layer]


def test_learning_charts_have_tooltips(tiny_llama):
    grads = learning.embedding_gradients(tiny_llama, TEXT)
    run = training.train_steps(tiny_llama, TEXT, steps=2, lr=0.5, optimizer="sgd")
    built = [
        charts.true_next_loss_chart(learning.prediction_table(grads)),
        charts.gradient_paths_chart(learning.path_norms(grads)),
        charts.log_histogram_chart(learning.row_norm_histogram(grads), "path", "log10 norm"),
        charts.log_histogram_chart(training.shift_histogram(run), "rows", "log10 shift"),
        charts.loss_curve_chart(training.loss_table(run)),
        charts.token_movement_chart(training.movement_table(run, 10), 10),
        charts.parameter_chart(learning_cost.parameter_counts(tiny_llama)),
    ]
    for chart in built:
        spec = chart.to_dict()
        marks = _marks(spec)
        assert marks and all(
            "tooltip" in m.get("encoding", {}) or "tooltip" in spec.get("encoding", {}) for m in marks
        )
    assert "×10" in built[5].to_dict()["title"]


def test_movement_chart_joins_before_and_after(tiny_llama):
    run = training.train_steps(tiny_llama, TEXT, steps=1, lr=0.5, optimizer="sgd")
    spec = charts.token_movement_chart(training.movement_table(run)).to_dict()
    rule = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    assert rule["encoding"]["x2"]["field"] == "x_after" and rule["encoding"]["x"]["field"] == "x_before"
    assert "true size" in spec["title"]


def test_path_norms_is_long_format(tiny_llama):
    grads = learning.embedding_gradients(tiny_llama, TEXT)
    table = learning.path_norms(grads)
    assert isinstance(table, pd.DataFrame) and set(table["path"]) == {
        learning.INPUT_PATH,
        learning.OUTPUT_PATH,
    }
    assert len(table) == 2 * len(set(grads.token_ids.tolist()))


def test_the_training_copy_is_released(tiny_llama, monkeypatch):
    import types
    import weakref

    copies = []

    def recording_deepcopy(obj):
        twin = copy.deepcopy(obj)
        copies.append(weakref.ref(twin))
        return twin

    monkeypatch.setattr(training, "copy", types.SimpleNamespace(deepcopy=recording_deepcopy))
    training.train_steps(tiny_llama, TEXT, steps=2, lr=1e-3, optimizer="adam")
    assert len(copies) == 1 and copies[0]() is None  # freed by reference counting, no gc needed


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_updates_inside_backward_equal_a_plain_optimizer_loop(tiny_llama, optimizer):
    """Stepping each weight as its gradient completes (to save memory) changes no number."""
    import copy

    ids = learning.training_ids(tiny_llama, TEXT)
    token_ids = torch.tensor(ids)
    reference = copy.deepcopy(tiny_llama.model).eval().requires_grad_(True)
    make = torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam
    opt = make(reference.parameters(), lr=0.01)
    losses = []
    for _ in range(3):
        opt.zero_grad(set_to_none=True)
        loss = learning.next_token_loss(reference(token_ids[None]).logits[0], token_ids)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    run = training.train_steps(tiny_llama, TEXT, steps=3, lr=0.01, optimizer=optimizer)
    np.testing.assert_allclose(run.losses, losses, rtol=1e-6)
    E_after = reference.get_input_embeddings().weight.detach().numpy()
    np.testing.assert_allclose(run.after, E_after[run.rows], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("fixture", ["tiny_gpt2", "tiny_llama"])
def test_a_batch_of_texts_gives_each_text_its_own_pass(request, fixture):
    lm = request.getfixturevalue(fixture)
    texts = ["The dog ran to the park.", "", "A cat sat.", "Birds sing in the tall green trees today."]
    together = learning.embedding_gradients_many(lm, texts)
    assert isinstance(together[1], ValueError)
    for text, batched in zip(texts, together, strict=True):
        if not text:
            continue
        alone = learning.embedding_gradients(lm, text)
        assert batched.loss == pytest.approx(alone.loss, rel=1e-5)
        assert batched.token_ids.tolist() == alone.token_ids.tolist()
        for name in ("true_next_probs", "lookup_grad", "logit_grad", "hidden"):
            np.testing.assert_allclose(getattr(batched, name), getattr(alone, name), rtol=1e-4, atol=1e-6)


def test_gradient_tables_hold_every_table_of_one_pass_and_pickle(tiny_llama):
    import pickle

    grads = learning.embedding_gradients(tiny_llama, TEXT)
    tables = learning.gradient_tables(tiny_llama, grads)
    assert tables.loss == grads.loss and tables.tied == grads.tied
    assert tables.summary == learning.path_summary(grads)
    assert tables.positions.equals(learning.position_table(grads))
    assert tables.pushed.equals(learning.top_output_rows(tiny_llama, grads))
    again = pickle.loads(pickle.dumps(tables))  # kept pickled in the server's shared store
    assert again.predictions.equals(tables.predictions) and again.histogram.equals(tables.histogram)
