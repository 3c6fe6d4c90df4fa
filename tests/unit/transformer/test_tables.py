"""The trace page's tables (geometry/transformer/tables.py), on a tiny model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geometry.interpret import lens as interpret_lens
from geometry.models.handle import network
from geometry.transformer import (
    architecture,
    counting,
    forward,
    generation,
    readings,
    registry,
    sampling,
    tables,
)
from geometry.transformer import trace as tr
from geometry.transformer.sampling import Decoding


def test_attention_frame_keeps_only_visible_pairs_and_real_numbers(small_trace):
    T = small_trace.n_tokens
    frame = tables.attention_frame(small_trace, 1, [0, 3])
    assert len(frame) == 2 * T * (T + 1) // 2  # causal: each query sees itself and the tokens before it
    assert (frame["key_position"] <= frame["query_position"]).all()
    rows = frame.groupby(["head", "query_position"])["probability"].sum()
    np.testing.assert_allclose(rows, 1.0, atol=1e-5)
    one = frame[(frame["head"] == 3) & (frame["query_position"] == T - 1)]
    np.testing.assert_allclose(one["probability"], small_trace.attention[1, 3, T - 1], atol=1e-7)
    assert frame["query_label"].nunique() == T  # "4 ␣the" and "0 the" stay distinct


def test_attention_frame_without_the_mask_shows_every_pair(tiny_llama):
    open_trace = tr.trace(tiny_llama, "the cat sat", forward.Intervention(causal_mask=False))
    T = open_trace.n_tokens
    assert len(tables.attention_frame(open_trace, 0, [0])) == T * T


def test_unique_labels_only_disambiguate_duplicates():
    assert tr.unique_labels(["a", "b", "a"], [1, 2, 3]) == ["a [1]", "b", "a [3]"]
    assert tr.unique_labels(["a", "b"], [1, 2]) == ["a", "b"]


def test_decoding_settings():
    logits = np.array([3.0, 2.0, 1.0, 0.0])
    assert Decoding(temperature=0.0, sample=True).greedy
    assert Decoding(top_k=2).probs(logits)[2:].tolist() == [0.0, 0.0]
    sampled = Decoding(temperature=2.0, sample=True, seed=5)
    assert sampled.choose(logits, 0) == sampled.choose(logits, 0)
    assert Decoding().choose(logits) == 0


def test_comparison_table_ranks(tiny_llama, small_trace):
    changed = tr.trace(tiny_llama, small_trace.prompt, forward.Intervention(ablated_heads=((0, 0), (1, 1))))
    table = tables.comparison_table(tiny_llama, small_trace, changed)
    assert 5 <= len(table) <= 10
    best = int(np.argmax(small_trace.logits))
    assert table.set_index("token_id").loc[best, "rank_normal"] == 1
    assert (table["rank_experiment"] >= 1).all()


def test_cache_savings_save_work_with_the_cache(small_trace):
    counts = counting.cache_savings(small_trace.architecture, small_trace.n_tokens)
    totals = counts.groupby("mode")["multiply_adds"].sum()
    assert totals["with the cache (new token only)"] < totals["from scratch (all tokens)"]


def test_architecture_table_names_the_three_families(tiny_llama, tiny_gpt2, tiny_bert):
    named = {lm.name: registry.architecture_of(network(lm)) for lm in (tiny_llama, tiny_gpt2, tiny_bert)}
    rows = architecture.architecture_table(named).set_index("property")
    assert rows.columns.tolist() == ["tiny-llama", "tiny-gpt2", "tiny-bert"]
    assert rows.loc["positions"].tolist() == ["rotary", "learned", "learned"]
    assert rows.loc["norm"].tolist() == ["RMSNorm", "LayerNorm", "LayerNorm"]
    assert rows.loc["attention"].tolist()[2] == "both ways (bidirectional)"
    assert rows.loc["vocabulary_head"].tolist() == ["True", "True", "False"]
    assert rows.loc["residual"].tolist() == ["attention, then the MLP"] * 3
    assert rows.loc["qk_norm"].tolist() == ["none"] * 3 and rows.loc["embedding_scale"].tolist() == ["1"] * 3
    assert int(rows.loc["n_parameters", "tiny-bert"].replace(",", "")) == named["tiny-bert"].n_parameters


def test_token_table_lists_the_ids_left_to_right(small_trace):
    table = tables.token_table(small_trace)
    assert table["id"].tolist() == small_trace.token_ids.tolist()
    assert table["token"].tolist() == list(small_trace.tokens)
    assert table["position"].tolist() == list(range(small_trace.n_tokens))


def test_tournament_labels_each_key_and_keeps_the_trace_numbers(small_trace):
    table = tables.tournament(small_trace, 1, 2, 3)
    assert table.columns[:2].tolist() == ["key_position", "key_label"]
    assert table["key_label"].tolist() == tr.position_labels(small_trace)[:4]
    pd.testing.assert_frame_equal(
        table.drop(columns="key_label"), readings.head_contributions(small_trace, 1, 2, 3)
    )


def test_kv_sharing_table_maps_query_heads_to_their_key_value_heads(small_trace):
    arch = small_trace.architecture
    table = tables.kv_sharing_table(arch)
    assert table["key/value head"].tolist() == [arch.kv_head_of(h) for h in range(arch.n_heads)]
    assert table["key/value head"].nunique() == arch.n_kv_heads


def test_lens_tables_keep_the_top_token_and_add_the_norms(small_trace):
    lens, norms = interpret_lens.logit_lens(small_trace, 2), readings.residual_norms(small_trace, 2)
    top = tables.lens_top(lens)
    assert (top["rank"] == 1).all() and top["layer_label"].iloc[0] == "embedding"
    assert top["layer_label"].iloc[-1] == f"layer {small_trace.architecture.n_layers - 1}"
    numbers = tables.lens_with_norms(lens, norms)
    assert len(numbers) == len(lens)
    np.testing.assert_array_equal(numbers.drop_duplicates("step")["norm"], norms["norm"])


def test_sublayer_change_rows_name_the_layers_as_the_sliders_do(small_trace):
    changes = readings.sublayer_changes(small_trace, 4)
    rows = tables.sublayer_change_rows(small_trace, changes, 4)
    assert rows["layer"].tolist()[:2] == ["layer 0", "layer 0"]
    assert rows["layer_index"].tolist() == changes["layer"].tolist()
    assert set(rows["occurrence"]) == {tr.position_labels(small_trace)[4]}


def test_the_sampling_tables_count_every_draw(small_trace):
    probs = Decoding(top_k=8).probs(small_trace.logits)
    counts = sampling.sample_counts(probs, 300, seed=1)
    ids = tables.sampled_ids(probs, counts)
    assert set(np.flatnonzero(counts)) <= set(ids.tolist()) and len(ids) <= 20
    assert (np.diff(probs[ids]) <= 0).all()  # in probability order
    table = tables.sampling_table(probs, counts, ids, [f"t{i}" for i in ids])
    assert table["samples"].sum() == 300 and np.allclose(table["share"], table["samples"] / 300)
    assert table["rank"].tolist() == sampling.probability_ranks(probs, ids).tolist()
    long = tables.sampling_long(table, 300)
    assert long["series"].unique().tolist() == ["distribution", "300 samples"]
    np.testing.assert_array_equal(long.query("series_order == 0")["share"], table["probability"])


def test_generation_steps_cost_what_the_counter_says(tiny_llama, small_trace):
    result = generation.generate(tiny_llama, small_trace.prompt, 3)
    arch, T = small_trace.architecture, small_trace.n_tokens
    steps = tables.generation_steps(result, arch, T)
    assert steps["token"].tolist() == list(result.step_tokens)
    costs = counting.step_costs(arch, T, result.cached_tokens)
    pd.testing.assert_frame_equal(steps[costs.columns.tolist()], costs)
    first = int(counting.operation_counts(arch, T)["multiply_adds"].sum())
    assert steps["multiply_adds_with_cache"].iloc[0] == steps["multiply_adds_from_scratch"].iloc[0] == first
    assert tables.generation_steps(result, arch, T, ["a", "b", "c"])["token"].tolist() == ["a", "b", "c"]


def test_comparison_long_and_the_top_of_each_run(tiny_llama, small_trace):
    changed = tr.trace(tiny_llama, small_trace.prompt, forward.Intervention(ablated_heads=((0, 0),)))
    table = tables.comparison_table(tiny_llama, small_trace, changed)
    long = tables.comparison_long(table)
    assert len(long) == 2 * len(table) and long["run"].unique().tolist() == ["normal", "experiment"]
    best = table.loc[table["probability_experiment"].idxmax(), "token"]
    assert tables.top_of_run(table, "experiment")[0] == best and len(tables.top_of_run(table, "normal")) == 5


def test_head_focus_reads_saturation_and_peeking(tiny_llama, small_trace):
    causal = tables.head_focus(small_trace, 0, 1)
    assert causal["future_attention"] == 0.0 and 0 < causal["mean_max_weight"] <= 1
    pattern = small_trace.attention[0, 1]
    assert causal["mean_max_weight"] == pytest.approx(float(pattern.max(axis=-1).mean()))
    unmasked = tr.trace(tiny_llama, small_trace.prompt, forward.Intervention(causal_mask=False))
    assert tables.head_focus(unmasked, 0, 1)["future_attention"] > 0
