"""geometry.learning on the packaged SmolLM2-135M: the same claims as the unit tests, on the real model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from geometry.learning import cost as learning_cost
from geometry.learning import gradients as learning
from geometry.learning import training

pytestmark = pytest.mark.slow

TEXT = "The dog ran to the park."


@pytest.fixture(scope="module")
def grads(causal_lm):
    return learning.embedding_gradients(causal_lm, TEXT)


def test_loss_is_the_models_own(causal_lm, grads):
    ids = torch.tensor(grads.token_ids)[None]
    with torch.no_grad():
        out = causal_lm.model(ids, labels=ids)
    assert grads.loss == pytest.approx(float(out.loss), rel=1e-4)
    assert grads.tokens == ("The", "␣dog", "␣ran", "␣to", "␣the", "␣park", ".")
    assert np.all((grads.true_next_probs > 0) & (grads.true_next_probs < 1))


def test_input_path_is_sparse_and_output_path_dense(causal_lm, grads):
    assert grads.tied
    summary = learning.path_summary(grads)
    assert summary.vocab == 49152 and grads.input_grad.shape == (49152, 576)
    assert set(grads.input_rows.tolist()) == set(grads.token_ids[:-1].tolist())  # "." predicts nothing
    assert summary.output_rows >= 0.99 * summary.vocab


def test_the_two_paths_add_up_to_the_tied_gradient(causal_lm, grads):
    """One leaf used for both the lookup and the projection receives the sum of both paths."""
    model = causal_lm.model
    ids = torch.tensor(grads.token_ids)
    E = model.get_input_embeddings().weight.detach().requires_grad_(True)
    with torch.enable_grad():
        loss = learning.next_token_loss(learning.split_logits(model, ids, E, E), ids)
        (total,) = torch.autograd.grad(loss, (E,))
    np.testing.assert_allclose(grads.total_grad, total.numpy(), rtol=1e-4, atol=1e-8)


def test_training_lowers_the_loss_and_leaves_the_shared_model_alone(causal_lm):
    """One SGD step on a copy (each step of the 135M model takes seconds on a shared CPU)."""
    ids = torch.tensor(learning.training_ids(causal_lm, "The cat sat."))[None]
    with torch.no_grad():
        logits_before = causal_lm.model(ids).logits.clone()
    E_before = causal_lm.embedding_matrix().copy()
    run = training.train_steps(causal_lm, "The cat sat.", steps=1, lr=1e-3, optimizer="sgd")
    assert run.final_loss < run.losses[0]
    with torch.no_grad():
        logits_after = causal_lm.model(ids).logits
    assert torch.equal(logits_before, logits_after)
    np.testing.assert_array_equal(E_before, causal_lm.embedding_matrix())
    assert not any(p.requires_grad for p in causal_lm.model.parameters())
    # SGD: the text's rows move by lr × their gradient; the rest only by the output path's dust
    others = np.delete(run.row_shift, run.rows)
    assert np.median(run.row_shift[run.rows]) > 1000 * np.median(others)
    assert set(run.neighbours["when"]) == {"before", "after"}


def test_parameter_counts_of_smollm2(causal_lm):
    counts = learning_cost.parameter_counts(causal_lm).set_index("part")["parameters"]
    assert counts.sum() == 134_515_008
    assert counts["token embedding"] == 49152 * 576
    cost = learning_cost.step_multiply_adds(causal_lm, 7)
    # the rule of thumb 6 × N × T is within 1 % of the count for a short text
    assert cost.flops == pytest.approx(learning_cost.training_run_flops(134_515_008, 7), rel=0.01)


def test_smollm2_batched_gradients_equal_each_texts_own(causal_lm):
    texts = ["The dog ran to the park.", "Gravity pulls every mass toward every other mass."]
    for text, batched in zip(texts, learning.embedding_gradients_many(causal_lm, texts), strict=True):
        alone = learning.embedding_gradients(causal_lm, text)
        assert batched.loss == pytest.approx(alone.loss, rel=1e-5)
        np.testing.assert_allclose(batched.output_row_norms, alone.output_row_norms, rtol=1e-3, atol=1e-7)
        # float32 sums in another order (a padded batch, two threads): equal up to 1e-4 of the largest entry
        scale = np.abs(alone.lookup_grad).max()
        np.testing.assert_allclose(batched.lookup_grad, alone.lookup_grad, rtol=1e-3, atol=1e-4 * scale)
