"""One backward pass split by path (geometry/learning/gradients.py), on every causal family's tiny model."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from geometry.learning import gradients as learning
from geometry.transformer.registry import architecture_of
from tests.conftest import mid_sentence_id
from tests.unit.learning.conftest import TEXT, assert_unchanged, snapshot

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
    assert grads.tied == architecture_of(tiny.model).tied_embeddings
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
    E, W = (
        tiny.model.get_input_embeddings().weight,
        tiny.model.get_output_embeddings().weight,
    )  # W is E if tied
    E_in, W_out = E.detach().clone().requires_grad_(True), W.detach().clone().requires_grad_(True)
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


def test_the_two_paths_are_the_models_own_gradients(tiny):
    """Train-style: a copy whose embedding matrices require grad, the model's own forward and loss. A
    tied matrix's gradient is both paths added; untied, each matrix gets its own path."""
    grads = learning.embedding_gradients(tiny, TEXT)
    twin = copy.deepcopy(tiny.model)
    E, W = twin.get_input_embeddings().weight, twin.get_output_embeddings().weight
    E.requires_grad_(True), W.requires_grad_(True)
    ids = torch.tensor(grads.token_ids)[None]
    twin(ids, labels=ids).loss.backward()
    if grads.tied:
        assert E is W
        np.testing.assert_allclose(grads.total_grad, E.grad.numpy(), rtol=1e-4, atol=1e-7)
        # and neither path alone is the total
        assert not np.allclose(grads.input_grad, E.grad.numpy(), atol=1e-7)
        assert not np.allclose(grads.output_grad, E.grad.numpy(), atol=1e-7)
    else:
        np.testing.assert_allclose(grads.input_grad, E.grad.numpy(), rtol=1e-4, atol=1e-7)
        np.testing.assert_allclose(grads.output_grad, W.grad.numpy(), rtol=1e-4, atol=1e-7)


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
