"""Readings of a trace (geometry/transformer/readings.py): norms, tournaments, neurons, next tokens."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from geometry.interpret.lens import logit_lens
from geometry.transformer import forward
from geometry.transformer.readings import (
    head_contributions,
    next_tokens,
    residual_norms,
    residual_stages,
    top_neurons,
)
from geometry.transformer.sampling import Decoding, next_token_probs
from geometry.transformer.trace import trace
from geometry.words.tokens import display_tokens

PROMPT = "the dog that chased the cat was"


# --------------------------------------------------------------------------- readings of a trace


def test_logit_lens_ends_at_the_models_prediction(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    lens = logit_lens(t, k=3)
    n_layers = t.architecture.n_layers
    assert len(lens) == 3 * (1 + 2 * n_layers)
    assert lens["stage"].iloc[0] == "embedding" and lens["layer"].iloc[0] == -1
    last = lens[lens["step"] == lens["step"].max()]
    assert last["token_id"].iloc[0] == int(np.argmax(t.logits))
    assert np.isclose(last["logit"].iloc[0], t.logits.max(), atol=1e-4)
    for _, stage in lens.groupby("step"):
        assert stage["probability"].is_monotonic_decreasing and stage["rank"].tolist() == [1, 2, 3]


def test_the_trace_reads_its_own_logit_lens_as_the_models_weights_do(tiny_lm):
    """logit_lens(trace) needs no model beside the trace: it equals the read-out through lm's own weights."""
    t = trace(tiny_lm, PROMPT)
    lens = logit_lens(t, position=2, k=4)
    stages = [name for *_, name in residual_stages(t)]
    resid = torch.from_numpy(np.stack([t.activations[name][2] for name in stages]))  # (S, d)
    with torch.no_grad():
        logits = forward.read_out(resid, forward.weights_of(tiny_lm.model))  # (S, vocab)
    top = torch.topk(logits, k=4, dim=-1)
    assert lens["token_id"].tolist() == top.indices.flatten().tolist()
    np.testing.assert_array_equal(lens["logit"], top.values.flatten().numpy())
    expected = torch.softmax(logits, dim=-1).gather(-1, top.indices).flatten().numpy()
    np.testing.assert_array_equal(lens["probability"], expected)
    assert lens["token"].tolist() == list(display_tokens(tiny_lm, lens["token_id"]))


def test_a_pickled_trace_leaves_its_model_behind_and_says_so(tiny_lm):
    again = pickle.loads(pickle.dumps(trace(tiny_lm, PROMPT)))
    assert again.read_out is None
    with pytest.raises(ValueError, match="without its model"):
        logit_lens(again)


def test_residual_norms_are_the_vector_lengths(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    norms = residual_norms(t, position=2)
    assert len(norms) == 1 + 2 * t.architecture.n_layers
    assert norms["name"].tolist()[:3] == ["blocks.0.resid_pre", "blocks.0.resid_mid", "blocks.0.resid_post"]
    expected = np.linalg.norm(t.activations["blocks.1.resid_mid"][2])
    assert np.isclose(norms.set_index("name").loc["blocks.1.resid_mid", "norm"], expected)


def test_head_contributions_are_the_tournament_in_numbers(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    table = head_contributions(t, layer=1, head=3, query=4)
    a, acts = t.architecture, t.activations
    q = acts.get("blocks.1.attn.rot_q", acts["blocks.1.attn.q"])[3, 4]  # turned, in a rotary family
    k = acts.get("blocks.1.attn.rot_k", acts["blocks.1.attn.k"])[a.kv_head_of(3), :5]
    assert table["key_position"].tolist() == [0, 1, 2, 3, 4]
    assert np.allclose(table["q_dot_k"], k @ q, atol=1e-5)
    scale = forward.weights_of(tiny_lm.model).layers[1].scale  # 1/√d_head unless the config says otherwise
    assert np.allclose(table["scaled_score"], table["q_dot_k"] * scale, atol=1e-5)
    assert np.isclose(table["probability"].sum(), 1.0, atol=1e-5)
    assert np.allclose(table["weighted_value_norm"], table["probability"] * table["value_norm"])
    with pytest.raises(ValueError, match="Head 9"):
        head_contributions(t, 1, 9, 0)


def test_top_neurons_are_the_largest_activations(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    table = top_neurons(t, layer=0, position=-1, k=5)
    post = t.activations["blocks.0.mlp.post"][-1]
    assert np.allclose(np.abs(table["activation"]), np.sort(np.abs(post))[::-1][:5])
    assert np.allclose(table["pre"], t.activations["blocks.0.mlp.pre"][-1][table["neuron"]])
    with pytest.raises(ValueError, match="Layer 5"):
        top_neurons(t, layer=5)


def test_next_tokens_are_sorted_probabilities(tiny_lm):
    table = next_tokens(tiny_lm, trace(tiny_lm, PROMPT), k=4)
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert table["probability"].is_monotonic_decreasing and table["probability"].between(0, 1).all()
    logits = trace(tiny_lm, PROMPT).logits.astype(np.float64)
    softmax = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_array_equal(table["probability"], softmax[table["token_id"]])


def test_next_tokens_with_decoding_show_what_the_filters_keep(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    table = next_tokens(tiny_lm, t, k=6, decoding=Decoding(temperature=0.5, top_k=2))
    assert table["status"].tolist() == ["kept"] * 2 + ["filtered out"] * 4
    np.testing.assert_allclose(table["after_filters"].sum(), 1.0)
    np.testing.assert_array_equal(
        table["after_temperature"], next_token_probs(t.logits, 0.5)[table["token_id"]]
    )
    assert list(table.columns[:5]) == list(next_tokens(tiny_lm, t, k=6).columns)
