"""The Inside-the-model lesson's charts (geometry/charts/trace.py), on a tiny model's tables."""

from __future__ import annotations

import pandas as pd

from geometry.charts import style
from geometry.charts import trace as charts
from geometry.interpret import lens as interpret_lens
from geometry.transformer import (
    counting,
    generation,
    readings,
    tables,
)
from geometry.transformer import trace as tr
from geometry.transformer.sampling import Decoding
from tests.unit.charts.test_style import font_sizes

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
    frame = tables.attention_frame(small_trace, 0, [0])
    heat = encodings(charts.attention_heatmap_chart(frame, "title"))
    assert heat["color"]["field"] == "probability"
    assert heat["color"]["scale"]["domain"] == [0, 1]
    assert {"q_dot_k", "scaled_score", "probability"} <= {
        t["field"] for t in heat["tooltip"] if isinstance(t, dict)
    }
    grid = charts.head_grid_chart(tables.attention_frame(small_trace, 0, range(4)), columns=2).to_dict()
    assert grid["columns"] == 2 and grid["facet"]["field"] == "head_label"


def test_tournament_and_lens_charts(tiny_llama, small_trace):
    table = readings.head_contributions(small_trace, 0, 1, small_trace.n_tokens - 1)
    table.insert(1, "key_label", tr.position_labels(small_trace))
    long = tables.tournament_long(table)
    assert sorted(long["measure_order"].unique()) == [0, 1, 2, 3]
    spec = charts.tournament_chart(long).to_dict()
    assert spec["facet"]["field"] == "measure" and spec["columns"] == 4  # one row on a projector
    assert spec["resolve"]["scale"]["x"] == "independent"
    assert charts.tournament_chart(long, columns=1).to_dict()["columns"] == 1  # stacked on a phone
    lens = (
        interpret_lens.logit_lens(small_trace)
        .query("rank == 1")
        .assign(layer_label=lambda f: f["layer"].astype(str))
    )
    assert encodings(charts.logit_lens_chart(lens))["text"]["field"] == "token"
    norms = readings.residual_norms(small_trace)
    assert encodings(charts.residual_norm_chart(norms))["y"]["field"] == "norm"
    assert encodings(charts.neuron_chart(readings.top_neurons(small_trace, 0)))["y"]["field"] == "activation"


def test_decoding_charts(tiny_llama, small_trace):
    table = readings.next_tokens(tiny_llama, small_trace, 15, Decoding(top_k=3))
    assert (table["status"] == "kept").sum() == 3
    long = tables.next_token_long(table)
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
    counts = counting.cache_savings(small_trace.architecture, small_trace.n_tokens)
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
    result = generation.generate(tiny_llama, small_trace.prompt, 3)
    for cached, reused in zip(result.cached_tokens, result.reused_kv_vectors, strict=True):
        assert (
            reused == counting.reused_kv_vectors(arch, cached) == 2 * arch.n_layers * arch.n_kv_heads * cached
        )
    assert result.cached_tokens[1] == T  # the second step reuses the whole prompt, one more than the first


# --------------------------------------------------------------------------- why this token


def _attribution_frame() -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "component": ["embed", "L0H0", "L0H1", "L0.mlp", "L1H0", "L1H1", "L1.mlp", "remainder"],
            "layer": pd.array([None, 0, 0, 0, 1, 1, 1, None], dtype="Int64"),
            "head": pd.array([None, 0, 1, None, 0, 1, None, None], dtype="Int64"),
            "contribution": [0.5, -1.5, 0.2, 2.0, 3.0, -0.1, 0.4, 0.0],
        }
    )
    table.attrs["logit"] = float(table["contribution"].sum())
    return table


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def test_attribution_bars_are_ranked_coloured_by_direction_and_labelled():
    from geometry.interpret.attribution import top_components

    top = top_components(_attribution_frame(), k=4)
    spec = charts.attribution_bars_chart(top).to_dict()
    bars, up, down = _layers(spec)
    assert (
        bars["mark"]["type"] == "bar" and up["mark"]["align"] == "left" and down["mark"]["align"] == "right"
    )
    rows = next(iter(spec["datasets"].values()))
    assert [row["component"] for row in rows] == ["L1H0", "L0.mlp", "L0H0", "embed"]
    assert bars["encoding"]["y"]["sort"] == [row["label"] for row in rows]  # largest first, as ranked
    assert bars["encoding"]["color"]["scale"]["domain"] == ["pushes up", "pushes down"]
    assert up["encoding"]["text"]["format"] == down["encoding"]["text"]["format"] == "+.2f"  # every number


def test_layer_head_chart_is_a_signed_grid_with_values():
    from geometry.interpret.attribution import heads_only

    spec = charts.layer_head_chart(heads_only(_attribution_frame()), "contribution").to_dict()
    cells, text = _layers(spec)
    assert cells["encoding"]["x"]["field"] == "head" and cells["encoding"]["y"]["field"] == "layer"
    assert cells["encoding"]["color"]["scale"]["domainMid"] == 0  # zero in the middle of the colours
    assert text["encoding"]["text"]["field"] == "contribution"
    assert len(next(iter(spec["datasets"].values()))) == 4  # heads only
    assert (
        "layer" not in charts.layer_head_chart(heads_only(_attribution_frame()), show_values=False).to_dict()
    )


def test_patching_chart_puts_positions_across_and_layers_down():
    frame = pd.DataFrame(
        {
            "layer": [0, 0, 1, 1],
            "layer_label": ["0", "0", "final", "final"],
            "position": [0, 1, 0, 1],
            "position_label": ["0 The", "1 ␣France/␣Italy", "0 The", "1 ␣France/␣Italy"],
            "restored": [0.0, 1.0, 0.0, 1.0],
        }
    )
    cells, text = _layers(charts.patching_chart(frame).to_dict())
    assert cells["encoding"]["x"]["field"] == "position_label"
    assert cells["encoding"]["x"]["sort"] == ["0 The", "1 ␣France/␣Italy"]
    assert cells["encoding"]["y"]["sort"] == ["0", "final"]  # the final residual last, not alphabetically
    assert cells["encoding"]["color"]["field"] == "restored"
    assert text["encoding"]["text"]["format"] == ".1f"


# ---------------------------------------------------------------- the whole model at a glance


def lens_frame():
    return pd.DataFrame({
        "step": [0, 0, 1, 1], "stage_label": ["embedding", "embedding", "L0 attention", "L0 attention"],
        "position": [0, 1, 0, 1], "position_label": ["0 The", "1 ␣cat", "0 The", "1 ␣cat"],
        "top_token": ["␣a", "␣sat", "␣a", "␣sat"], "top_probability": [0.1, 0.2, 0.3, 0.9],
        "cell_text": ["␣a 10%", "␣sat 20%", "␣a 30%", "␣sat 90%"], "target_token": "␣sat",
        "target_rank": [4, 1, 2, 1], "target_probability": [0.01, 0.2, 0.1, 0.9],
    })  # fmt: skip


def test_the_lens_grid_writes_each_cells_token_in_the_frames_order():
    spec = charts.lens_grid_chart(lens_frame()).to_dict()
    cells, text = spec["layer"]
    assert cells["mark"]["type"] == "rect" and text["encoding"]["text"]["field"] == "cell_text"
    assert cells["encoding"]["y"]["sort"] == ["L0 attention", "embedding"]  # the output on top
    assert text["encoding"]["y"]["axis"]["orient"] == "right"  # stages named on both sides
    assert spec["resolve"]["axis"]["y"] == "independent"
    top_down = charts.lens_grid_chart(lens_frame(), output_on_top=False).to_dict()["layer"][0]
    assert top_down["encoding"]["y"]["sort"] == ["embedding", "L0 attention"]
    assert cells["encoding"]["x"]["sort"] == ["0 The", "1 ␣cat"]
    assert cells["encoding"]["color"]["scale"]["domain"] == [0, 1]
    assert spec["width"] == {"step": charts.LENS_CELL_WIDTH}


def test_the_target_track_shows_probability_and_a_reversed_log_rank():
    frame = lens_frame().assign(depth=[0, 0, 0.5, 0.5])
    spec = charts.target_track_chart(frame).to_dict()
    probability, rank = spec["vconcat"]
    assert probability["encoding"]["y"]["field"] == "target_probability"
    assert rank["encoding"]["y"]["scale"] == {"type": "log", "reverse": True}
    assert probability["encoding"]["x"]["field"] == "depth"


def test_the_model_view_is_a_grid_of_layers_by_heads():
    frame = pd.DataFrame({
        "layer": [0, 0, 1, 1], "head": [0, 1, 0, 1], "query_position": 0, "key_position": 0,
        "query_token": "The", "key_token": "The", "probability": 1.0,
    })  # fmt: skip
    chart = charts.model_view_chart(frame, step=10)
    spec = chart.to_dict()
    assert spec["facet"]["row"]["field"] == "layer" and spec["facet"]["column"]["field"] == "head"
    assert spec["spec"]["width"] == spec["spec"]["height"] == {"step": 10}
    assert spec["spec"]["encoding"]["x"]["axis"] is None  # small squares, no tick labels
    enlarged = style.presenter_sized(chart).to_dict()
    assert min(font_sizes(enlarged)) >= style.PRESENTER_MIN_FONT
    assert enlarged["spec"]["width"] == enlarged["spec"]["height"] == {"step": 15}  # still square


def test_the_neuron_vocabulary_colours_promoted_and_suppressed_tokens():
    frame = pd.DataFrame({
        "direction": ["promotes", "suppresses"], "token_label": ["␣Paris", "␣no"], "score": [2.0, -1.5],
    })  # fmt: skip
    spec = charts.neuron_vocabulary_chart(frame).to_dict()
    assert spec["encoding"]["color"]["scale"]["range"] == [style.POSITIVE, style.NEGATIVE]
    assert spec["encoding"]["y"]["sort"] == {"field": "score", "order": "descending"}
