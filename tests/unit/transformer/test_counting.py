"""The one cost model (geometry/transformer/counting.py): multiply-adds counted from the shapes."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from geometry.transformer import registry
from geometry.transformer.architecture import Architecture
from geometry.transformer.counting import (
    CACHE_MODES,
    cache_savings,
    mode_totals,
    operation_counts,
    step_costs,
)
from geometry.transformer.layout import SWIGLU
from geometry.transformer.trace import trace

PROMPT = "the dog that chased the cat was"


def reference(lm, ids):
    """The model's own forward pass with attentions and hidden states."""
    with torch.no_grad():
        return lm.model(torch.tensor([list(ids)]), output_attentions=True, output_hidden_states=True)


# --------------------------------------------------------------------------- counting


def arch(mlp=None, **changes):
    layout = registry.FAMILIES["gpt2"].layout
    base = dict(
        family="gpt2", title="GPT-2", n_layers=2, n_heads=4, n_kv_heads=4, d_model=8, d_head=2, d_mlp=32,
        vocab_size=100, tied_embeddings=True,
        layout=layout if mlp is None else dataclasses.replace(layout, mlp=mlp),
    )  # fmt: skip
    return Architecture(**(base | changes))


def test_operation_counts_by_hand():
    counts = operation_counts(arch(), n_tokens=3).set_index("component")
    # L=2, H=4, d=8, dh=2, d_mlp=32, T=3: 6 query-key pairs under the causal mask
    assert counts.loc["embedding lookup", "multiply_adds"] == 0
    assert counts.loc["query projection", "multiply_adds"] == 2 * 3 * 8 * 8
    assert counts.loc["attention scores (q·k)", "dot_products"] == 2 * 4 * 6
    assert counts.loc["weighted sum of values", "multiply_adds"] == 2 * 4 * 6 * 2
    assert counts.loc["MLP", "multiply_adds"] == 2 * 2 * 3 * 8 * 32
    assert counts.loc["unembedding", "multiply_adds"] == 8 * 100


def test_grouped_query_attention_and_swiglu_change_the_counts():
    full = operation_counts(arch(), 3).set_index("component")
    gqa = operation_counts(arch(n_kv_heads=2, mlp=SWIGLU), 3).set_index("component")
    assert gqa.loc["key projection", "multiply_adds"] * 2 == full.loc["key projection", "multiply_adds"]
    assert gqa.loc["MLP", "multiply_adds"] * 2 == full.loc["MLP", "multiply_adds"] * 3


def test_the_cache_saves_work_for_one_new_token():
    step = operation_counts(arch(), 1, cached_tokens=9).set_index("component")
    assert step.loc["attention scores (q·k)", "dot_products"] == 2 * 4 * 10  # the new query meets 10 keys
    assert step.loc["key projection", "multiply_adds"] == 2 * 1 * 8 * 8  # one new key per layer and head
    savings = cache_savings(arch(), 10).pivot(index="component", columns="mode", values="multiply_adds")
    with_cache, without_cache = savings[CACHE_MODES[0]], savings[CACHE_MODES[1]]
    assert (with_cache <= without_cache).all()
    assert with_cache.sum() < without_cache.sum() / 3
    with pytest.raises(ValueError):
        operation_counts(arch(), 0)


def test_step_costs_are_one_new_token_with_the_cache_and_the_whole_context_without():
    costs = step_costs(arch(), 6, [0, 6, 7])
    total = lambda n, c=0: int(operation_counts(arch(), n, c)["multiply_adds"].sum())  # noqa: E731
    assert costs["multiply_adds_with_cache"].tolist() == [total(6), total(1, 6), total(1, 7)]
    assert costs["multiply_adds_from_scratch"].tolist() == [total(6), total(7), total(8)]
    totals = mode_totals(cache_savings(arch(), 7))
    assert totals.index.tolist() == list(CACHE_MODES)
    assert totals.loc[CACHE_MODES[0], "multiply_adds"] == total(1, 6)
    assert totals.loc[CACHE_MODES[1], "multiply_adds"] == total(7)


def test_the_trace_costs_what_the_model_costs(tiny_lm):
    """Counted, not timed: the trace's matrix products equal the model's own forward pass."""
    from torch.utils.flop_counter import FlopCounterMode

    ids = torch.tensor([tiny_lm.tokenizer(PROMPT)["input_ids"]])
    with FlopCounterMode(display=False) as model_flops:
        reference(tiny_lm, ids[0].tolist())
    with FlopCounterMode(display=False) as trace_flops:
        trace(tiny_lm, PROMPT)
    assert 0 < trace_flops.get_total_flops() <= 1.5 * model_flops.get_total_flops()
