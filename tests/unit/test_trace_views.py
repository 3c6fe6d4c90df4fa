"""The trace page's tables (ui/trace_views.py) and charts (lesson 4 of charts.py), on a tiny model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geometry import charts
from geometry import trace as tr
from ui import trace_views as views


@pytest.fixture(scope="module")
def small_trace(tiny_llama):
    return tr.trace(tiny_llama, "the cat sat on the mat")


def test_attention_frame_keeps_only_visible_pairs_and_real_numbers(small_trace):
    T = small_trace.n_tokens
    frame = views.attention_frame(small_trace, 1, [0, 3])
    assert len(frame) == 2 * T * (T + 1) // 2  # causal: each query sees itself and the tokens before it
    assert (frame["key_position"] <= frame["query_position"]).all()
    rows = frame.groupby(["head", "query_position"])["probability"].sum()
    np.testing.assert_allclose(rows, 1.0, atol=1e-5)
    one = frame[(frame["head"] == 3) & (frame["query_position"] == T - 1)]
    np.testing.assert_allclose(one["probability"], small_trace.attention[1, 3, T - 1], atol=1e-7)
    assert frame["query_label"].nunique() == T  # "4 ␣the" and "0 the" stay distinct


def test_attention_frame_without_the_mask_shows_every_pair(tiny_llama):
    open_trace = tr.trace(tiny_llama, "the cat sat", tr.Intervention(causal_mask=False))
    T = open_trace.n_tokens
    assert len(views.attention_frame(open_trace, 0, [0])) == T * T


def test_unique_labels_only_disambiguate_duplicates():
    assert views.unique_labels(["a", "b", "a"], [1, 2, 3]) == ["a [1]", "b", "a [3]"]
    assert views.unique_labels(["a", "b"], [1, 2]) == ["a", "b"]


def test_decoding_settings():
    logits = np.array([3.0, 2.0, 1.0, 0.0])
    assert views.Decoding(temperature=0.0, sample=True).greedy
    assert views.Decoding(top_k=2).probs(logits)[2:].tolist() == [0.0, 0.0]
    sampled = views.Decoding(temperature=2.0, sample=True, seed=5)
    assert sampled.choose(logits, 0) == sampled.choose(logits, 0)
    assert views.Decoding().choose(logits) == 0


def test_comparison_table_ranks(tiny_llama, small_trace):
    changed = tr.trace(tiny_llama, small_trace.prompt, tr.Intervention(ablated_heads=((0, 0), (1, 1))))
    table = views.comparison_table(tiny_llama, small_trace, changed)
    assert 5 <= len(table) <= 10
    best = int(np.argmax(small_trace.logits))
    assert table.set_index("token_id").loc[best, "rank_normal"] == 1
    assert (table["rank_experiment"] >= 1).all()


def test_cache_table_saves_work_with_the_cache(small_trace):
    counts = views.cache_table(small_trace.architecture, small_trace.n_tokens)
    totals = counts.groupby("mode")["multiply_adds"].sum()
    assert totals["with the cache (new token only)"] < totals["from scratch (all tokens)"]


def test_architecture_table_names_the_three_families(tiny_llama, tiny_gpt2, tiny_bert):
    named = {lm.name: tr.architecture_of(tr.network(lm)) for lm in (tiny_llama, tiny_gpt2, tiny_bert)}
    rows = tr.architecture_table(named).set_index("property")
    assert rows.columns.tolist() == ["tiny-llama", "tiny-gpt2", "tiny-bert"]
    assert rows.loc["positions"].tolist() == ["rotary", "learned", "learned"]
    assert rows.loc["norm"].tolist() == ["RMSNorm", "LayerNorm", "LayerNorm"]
    assert rows.loc["attention"].tolist()[2] == "both ways (bidirectional)"
    assert rows.loc["vocabulary_head"].tolist() == ["True", "True", "False"]
    assert int(rows.loc["n_parameters", "tiny-bert"].replace(",", "")) == named["tiny-bert"].n_parameters


# --------------------------------------------------------------------------- charts


def encodings(chart) -> dict:
    spec = chart.to_dict()
    inner = spec.get("spec", spec)  # faceted charts wrap the layer
    layers = inner.get("layer", [inner])
    found: dict = {}
    for layer in layers:  # the first layer (the marks) wins over overlays such as text
        for channel, value in layer.get("encoding", {}).items():
            found.setdefault(channel, value)
    return found


def test_attention_charts(small_trace):
    frame = views.attention_frame(small_trace, 0, [0])
    heat = encodings(charts.attention_heatmap_chart(frame, "title"))
    assert heat["color"]["field"] == "probability"
    assert heat["color"]["scale"]["domain"] == [0, 1]
    assert {"q_dot_k", "scaled_score", "probability"} <= {
        t["field"] for t in heat["tooltip"] if isinstance(t, dict)
    }
    grid = charts.head_grid_chart(views.attention_frame(small_trace, 0, range(4)), columns=2).to_dict()
    assert grid["columns"] == 2 and grid["facet"]["field"] == "head_label"


def test_tournament_and_lens_charts(tiny_llama, small_trace):
    table = tr.head_contributions(small_trace, 0, 1, small_trace.n_tokens - 1)
    table.insert(1, "key_label", views.position_labels(small_trace))
    long = views.tournament_long(table)
    assert sorted(long["measure_order"].unique()) == [0, 1, 2, 3]
    spec = charts.tournament_chart(long).to_dict()
    assert spec["facet"]["column"]["field"] == "measure"
    assert spec["resolve"]["scale"]["x"] == "independent"
    lens = (
        tr.logit_lens(tiny_llama, small_trace)
        .query("rank == 1")
        .assign(layer_label=lambda f: f["layer"].astype(str))
    )
    assert encodings(charts.logit_lens_chart(lens))["text"]["field"] == "token"
    norms = tr.residual_norms(small_trace)
    assert encodings(charts.residual_norm_chart(norms))["y"]["field"] == "norm"
    assert encodings(charts.neuron_chart(tr.top_neurons(small_trace, 0)))["y"]["field"] == "activation"


def test_decoding_charts(tiny_llama, small_trace):
    table = views.next_token_table(tiny_llama, small_trace.logits, views.Decoding(top_k=3))
    assert (table["status"] == "kept").sum() == 3
    long = views.next_token_long(table)
    enc = encodings(charts.next_token_chart(long))
    assert enc["xOffset"]["sort"] == {"field": "series_order"}
    assert "opacity" in enc and enc["tooltip"]
    sample = pd.DataFrame(
        {
            "token_label": ["a", "a"],
            "rank": [1, 1],
            "series": ["distribution", "10 samples"],
            "series_order": [0, 1],
            "share": [0.5, 0.4],
        }
    )
    assert encodings(charts.sampling_chart(sample))["y"]["field"] == "share"
    counts = views.cache_table(small_trace.architecture, small_trace.n_tokens)
    grouped = encodings(charts.operation_counts_chart(counts, group="mode"))
    assert grouped["yOffset"]["field"] == "mode" and grouped["x"]["field"] == "multiply_adds"
    both = pd.DataFrame(
        {
            "token_label": ["a", "a"],
            "order": [0, 0],
            "run": ["normal", "experiment"],
            "run_order": [0, 1],
            "probability": [0.3, 0.2],
        }
    )
    assert encodings(charts.top_tokens_comparison_chart(both))["yOffset"]["field"] == "run"


def test_reused_kv_vectors_of_the_step_match_the_generation_table(tiny_llama, small_trace):
    """The Generate tab's metric (context T: T - 1 cached) and its table (cached c) use one count."""
    arch, T = small_trace.architecture, small_trace.n_tokens
    result = tr.generate(tiny_llama, small_trace.prompt, 3)
    for cached, reused in zip(result.cached_tokens, result.reused_kv_vectors, strict=True):
        assert reused == tr.reused_kv_vectors(arch, cached) == 2 * arch.n_layers * arch.n_kv_heads * cached
    assert result.cached_tokens[1] == T  # the second step reuses the whole prompt, one more than the first


def test_token_chips_make_punctuation_visible():
    assert views.token_chips([".", ",", "␣and"]) == "`. full stop` `, comma` `␣and`"


def test_count_columns_get_thousands_separators():
    from ui.page import counts_config

    frame = pd.DataFrame({"component": ["MLP"], "multiply_adds": [878902272], "token_id": [5]})
    assert set(counts_config(frame)) == {"multiply_adds"}  # ids keep their plain digits
