"""What learning costs (geometry/learning/cost.py): parameters per part, multiply-adds of a step."""

from __future__ import annotations

import pytest

from geometry.learning import cost as learning_cost
from geometry.transformer import counting, forward
from geometry.transformer.registry import architecture_of
from ui.learning import cost as cost_view

# --------------------------------------------------------------------------- cost


def mlp_matrices(mlp):
    """The MLP's weight matrices (2-D tensors), plain or gated."""
    return [value for value in vars(mlp).values() if value is not None and value.dim() == 2]


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
    """One cost model (geometry.counting): the matrices the family read (attention's W_Q, W_K, W_V, W_O
    and the MLP's), each entry used once per token, give the same multiply-adds as the architecture count."""
    model, T = tiny.model, 6
    vocab, d = model.get_output_embeddings().weight.shape
    weights = forward.weights_of(model)
    blocks = [w for L in weights.layers for w in (L.W_Q, L.W_K, L.W_V, L.W_O, *mlp_matrices(L.mlp))]
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
