"""geometry.learning on tiny random GPT-2 and Llama models: gradient paths, training on a copy, counts."""

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
from geometry.transformer import counting
from geometry.transformer.registry import architecture_of
from tests.conftest import mid_sentence_id
from ui.learning import cost as cost_view

TEXT = "the dog ran to the park"


@pytest.fixture(params=["tiny_gpt2", "tiny_llama"])
def tiny(request):
    return request.getfixturevalue(request.param)


def snapshot(model) -> dict[str, torch.Tensor]:
    return {name: tensor.clone() for name, tensor in model.state_dict().items()}


def assert_unchanged(model, before: dict[str, torch.Tensor]) -> None:
    after = model.state_dict()
    assert before.keys() == after.keys()
    for name, tensor in before.items():
        assert torch.equal(tensor, after[name]), name
    assert not any(p.requires_grad for p in model.parameters())
    assert not model.training


# --------------------------------------------------------------------------- text limits


class OneTokenTokenizer:
    def __call__(self, text):
        return {"input_ids": [7]}


class OneTokenModel:
    tokenizer = OneTokenTokenizer()


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Type a short training text"),
        ("   \n\t", "Type a short training text"),
        ("!!! ?? ...", "letters or digits"),
        ("🙂🙂", "letters or digits"),
        ("\x00\x07\x1b", "control characters"),
        ("x" * 5000, "5,000 characters"),
        ("a " * 100, "tokens; the limit is"),
    ],
)
def test_training_ids_rejects_unusable_text(tiny_llama, text, message):
    with pytest.raises(ValueError, match=message):
        learning.training_ids(tiny_llama, text)


def test_training_ids_needs_two_tokens():
    with pytest.raises(ValueError, match="single token"):
        learning.training_ids(OneTokenModel(), "dog")


def test_training_ids_match_the_tokenizer(tiny_llama):
    assert learning.training_ids(tiny_llama, TEXT) == tiny_llama.tokenizer(TEXT)["input_ids"]


# --------------------------------------------------------------------------- one backward pass


def test_split_forward_matches_the_model(tiny):
    ids = torch.tensor(learning.training_ids(tiny, TEXT))
    E = tiny.model.get_input_embeddings().weight
    with torch.no_grad():
        expected = tiny.model(ids[None]).logits[0]
        mine = learning.split_logits(tiny.model, ids, E, tiny.model.get_output_embeddings().weight)
    torch.testing.assert_close(mine, expected, rtol=1e-5, atol=1e-5)


def test_loss_and_probabilities_match_the_model(tiny):
    grads = learning.embedding_gradients(tiny, TEXT)
    ids = torch.tensor(grads.token_ids)
    with torch.no_grad():
        out = tiny.model(ids[None], labels=ids[None])
    assert grads.loss == pytest.approx(float(out.loss), rel=1e-5)
    probs = torch.softmax(out.logits[0, :-1], dim=-1)[torch.arange(len(ids) - 1), ids[1:]]
    np.testing.assert_allclose(grads.true_next_probs, probs.numpy(), rtol=1e-5)
    assert grads.loss == pytest.approx(float(-np.log(grads.true_next_probs.astype(float)).mean()), rel=1e-5)


def test_input_path_touches_only_the_texts_rows(tiny):
    grads = learning.embedding_gradients(tiny, TEXT)
    assert grads.tied
    assert grads.input_grad.shape == grads.output_grad.shape == tiny.embedding_matrix().shape
    rows = set(grads.input_rows.tolist())
    assert rows <= set(grads.token_ids.tolist())
    # every token that is followed by a prediction influences the loss; the last one alone does not
    assert rows == set(grads.token_ids[:-1].tolist())


def test_each_path_is_what_autograd_gives_two_separate_leaves(tiny):
    """The small arrays kept (lookup, logit gradients, final hidden) give the dense gradients,
    their rows and every row's length exactly as autograd computes them on two leaf matrices."""
    grads = learning.embedding_gradients(tiny, TEXT)
    ids = torch.tensor(grads.token_ids)
    E = tiny.model.get_input_embeddings().weight
    E_in, W_out = E.detach().clone().requires_grad_(True), E.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        loss = learning.next_token_loss(learning.split_logits(tiny.model, ids, E_in, W_out), ids)
        input_grad, output_grad = (g.numpy() for g in torch.autograd.grad(loss, (E_in, W_out)))
    np.testing.assert_allclose(grads.input_grad, input_grad, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(grads.output_grad, output_grad, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(
        grads.input_row_norms, np.linalg.norm(input_grad, axis=1), rtol=1e-4, atol=1e-7
    )
    np.testing.assert_allclose(
        grads.output_row_norms, np.linalg.norm(output_grad, axis=1), rtol=1e-4, atol=1e-7
    )
    some = np.array([int(grads.token_ids[0]), 5, int(grads.token_ids[-1])])
    np.testing.assert_allclose(grads.input_rows_of(some), input_grad[some], rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(grads.output_rows_of(some), output_grad[some], rtol=1e-4, atol=1e-7)
    assert grads.output_rows.tolist() == np.flatnonzero(np.any(output_grad != 0, axis=1)).tolist()


def test_output_path_touches_nearly_every_row(tiny):
    grads = learning.embedding_gradients(tiny, TEXT)
    summary = learning.path_summary(grads)
    assert summary.output_rows >= 0.99 * summary.vocab
    assert summary.input_rows < 0.01 * summary.vocab
    assert summary.input_share + summary.output_share == pytest.approx(1.0)


def test_the_two_paths_add_up_to_the_tied_matrixs_gradient(tiny):
    """Train-style: a copy whose tied matrix requires grad, HF's own forward and loss."""
    grads = learning.embedding_gradients(tiny, TEXT)
    twin = copy.deepcopy(tiny.model)
    E = twin.get_input_embeddings().weight
    assert E is twin.get_output_embeddings().weight
    E.requires_grad_(True)
    ids = torch.tensor(grads.token_ids)[None]
    twin(ids, labels=ids).loss.backward()
    np.testing.assert_allclose(grads.total_grad, E.grad.numpy(), rtol=1e-4, atol=1e-7)
    # and neither path alone is the total
    assert not np.allclose(grads.input_grad, E.grad.numpy(), atol=1e-7)
    assert not np.allclose(grads.output_grad, E.grad.numpy(), atol=1e-7)


def test_gradients_leave_the_model_unchanged(tiny):
    before = snapshot(tiny.model)
    grads = learning.embedding_gradients(tiny, TEXT)
    assert_unchanged(tiny.model, before)
    assert not grads.input_grad.flags.writeable
    assert tiny.model.get_input_embeddings().weight.grad is None


# --------------------------------------------------------------------------- tables


def test_tables_agree_with_the_record(tiny_llama):
    grads = learning.embedding_gradients(tiny_llama, "a dog ran to the park by the river")  # " the" twice
    predictions = learning.prediction_table(grads)
    assert len(predictions) == len(grads.token_ids) - 1
    np.testing.assert_allclose(predictions["loss"], -np.log(predictions["probability"]), rtol=1e-9)
    assert predictions["loss"].mean() == pytest.approx(grads.loss, rel=1e-5)
    positions = learning.position_table(grads)
    assert len(positions) == len(grads.token_ids) and np.isnan(positions["probability"].iloc[-1])
    assert positions["input_norm"].iloc[-1] == 0.0  # the last token predicts nothing
    rows = learning.text_row_table(grads)
    assert rows["count"].sum() == len(grads.token_ids)
    assert rows["token_id"].tolist() == list(
        dict.fromkeys(grads.token_ids.tolist())
    )  # first-appearance order
    the = rows[rows["token_id"] == mid_sentence_id(tiny_llama.tokenizer, "the")].iloc[0]
    assert the["token"] == "␣the" and the["count"] == 2  # byte-level BPE: the leading space shown as ␣
    np.testing.assert_allclose(
        the["total_norm"], np.linalg.norm(grads.total_grad[the["token_id"]]), rtol=1e-5
    )


def test_histogram_counts_every_nonzero_row(tiny_llama):
    grads = learning.embedding_gradients(tiny_llama, TEXT)
    table = learning.row_norm_histogram(grads)
    summary = learning.path_summary(grads)
    totals = table.groupby("group")["rows"].sum()
    assert totals[learning.INPUT_PATH] == summary.input_rows
    assert totals[learning.OUTPUT_PATH] == summary.output_rows
    assert (table["log10_high"] > table["log10_low"]).all()


def test_empty_histogram_has_the_columns():
    table = learning.log_histogram({"a": np.zeros(3)})
    assert list(table.columns) == ["group", "log10_low", "log10_high", "rows"] and table.empty


def test_top_output_rows_skip_the_text(tiny_llama):
    grads = learning.embedding_gradients(tiny_llama, TEXT)
    top = learning.top_output_rows(tiny_llama, grads, k=5)
    assert len(top) == 5 and not set(top["token_id"]) & set(grads.token_ids.tolist())
    assert top["output_norm"].is_monotonic_decreasing
    outside = np.delete(np.linalg.norm(grads.output_grad, axis=1), grads.token_ids)
    assert top["output_norm"].iloc[0] == pytest.approx(outside.max())


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


# --------------------------------------------------------------------------- cost


def test_parameter_counts_cover_every_weight_once(tiny):
    counts = learning_cost.parameter_counts(tiny).set_index("part")
    assert counts["parameters"].sum() == sum(p.numel() for p in tiny.model.parameters())
    vocab, d = tiny.embedding_matrix().shape
    assert counts.loc["token embedding", "parameters"] == vocab * d
    assert counts.loc["token embedding", "shape"] == f"{vocab:,} rows × {d} dims"
    assert {"attention", "MLP", "norms"} <= set(counts.index) and "other" not in counts.index
    assert counts["share"].sum() == pytest.approx(1.0)


def test_gpt2_counts_its_position_embedding(tiny_gpt2):
    counts = learning_cost.parameter_counts(tiny_gpt2).set_index("part")
    assert counts.loc["position embedding", "parameters"] == 64 * 32


def test_step_multiply_adds_by_hand(tiny_llama):
    vocab = tiny_llama.embedding_matrix().shape[0]
    per_layer = 32 * 32 + 2 * 32 * 16 + 32 * 32 + 3 * 32 * 64  # q, k and v (2 kv heads of 8), o, SwiGLU
    matrices = 2 * per_layer + vocab * 32  # two layers, then the tied unembedding
    T = 5
    attention = 2 * 4 * 8 * (T * (T + 1) // 2) * 2  # layers · heads · d_head · causal pairs · (q·k, p·v)
    cost = learning_cost.step_multiply_adds(tiny_llama, T)
    assert cost.matrices == matrices
    assert cost.forward == T * matrices + attention
    assert cost.backward == 2 * cost.forward and cost.flops == 6 * cost.forward


def test_step_cost_is_the_trace_cost_model_with_every_position_unembedded(tiny):
    """One cost model (geometry.counting): the weights the step uses, read from the model's own
    parameters, give the same multiply-adds as the architecture count."""
    model, T = tiny.model, 6
    vocab, d = model.get_output_embeddings().weight.shape
    blocks = [w for name, w in model.named_parameters() if w.dim() == 2 and ("attn" in name or "mlp" in name)]
    per_token = sum(w.numel() for w in blocks) + vocab * d  # attention and MLP matrices, the unembedding
    cost = learning_cost.step_multiply_adds(tiny, T)
    assert cost.matrices == per_token
    last_only = counting.operation_counts(architecture_of(model), T)["multiply_adds"].sum()
    assert cost.forward == last_only + (T - 1) * vocab * d


def test_cost_sentences_are_labelled_estimates(tiny_llama):
    n_params = int(learning_cost.parameter_counts(tiny_llama)["parameters"].sum())
    text = cost_view.cost_sentences(learning_cost.step_multiply_adds(tiny_llama, 5), n_params)
    assert "estimate" in text and "6 × parameters × tokens" in text
    assert cost_view.scientific(learning_cost.training_run_flops(70e9, 15e12)) in text


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

    import torch

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
