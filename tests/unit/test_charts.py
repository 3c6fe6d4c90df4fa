"""Presenter sizing and colour domains of geometry/charts.py, through the Vega-Lite specs."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from geometry.charts import context as context_charts
from geometry.charts import dot_products as dot_products_charts
from geometry.charts import projections as projections_charts
from geometry.charts import style as charts
from geometry.charts import trace as trace_charts
from geometry.projection import maps as pj
from geometry.words import similarity

FONT_KEYS = {"fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize"}


def font_sizes(node) -> list[float]:
    """Every text size in a spec (data left out)."""
    if isinstance(node, list):
        return [size for item in node for size in font_sizes(item)]
    if not isinstance(node, dict):
        return []
    found = []
    for key, value in node.items():
        if key in ("data", "datasets"):
            continue
        if key in FONT_KEYS and isinstance(value, int | float):
            found.append(value)
        else:
            found.extend(font_sizes(value))
    return found


def heatmap():
    frame = similarity.similarity_frame(np.array([[1.0, 0.5], [0.5, 1.0]]), ["dog", "cat"], "cosine")
    return dot_products_charts.similarity_heatmap_chart(frame, "cosine")


def word_map():
    coords = np.arange(8, dtype=float).reshape(4, 2)
    frame = pj.projection_frame(["a", "b", "c", "d"], ["x"] * 4, coords, ["chosen word", "", "", ""])
    return projections_charts.projection_chart(frame)


def facets():
    frame = pd.DataFrame(
        {
            "head": [0, 1],
            "head_label": ["head 0", "head 1"],
            "query_position": [0, 0],
            "key_position": [0, 0],
            "query_label": ["0 a", "0 a"],
            "key_label": ["0 a", "0 a"],
            "probability": [1.0, 1.0],
        }
    )
    return trace_charts.head_grid_chart(frame)


@pytest.mark.parametrize("make", [heatmap, word_map, facets], ids=["heatmap", "map", "facets"])
def test_presenter_sizing_puts_every_text_at_16_px_or_more(make):
    chart = make()
    plain = font_sizes(chart.to_dict())
    assert plain and min(plain) < charts.PRESENTER_MIN_FONT  # the classroom-desk sizes are smaller
    enlarged = font_sizes(charts.presenter_sized(chart).to_dict())
    assert len(enlarged) == len(plain)
    assert min(enlarged) >= charts.PRESENTER_MIN_FONT
    assert all(big >= small for big, small in zip(enlarged, plain, strict=True))


def test_presenter_sizing_enlarges_cells_and_never_touches_the_data():
    chart = heatmap()
    before = chart.to_dict()
    after = charts.presenter_sized(chart).to_dict()
    assert after["height"]["step"] == round(before["height"]["step"] * charts.PRESENTER_STEP_SCALE)
    assert after["datasets"] == before["datasets"]
    assert chart.to_dict() == before  # the original is left as it was


def test_every_chart_sets_each_kind_of_text_so_presenter_mode_can_enlarge_it():
    config = heatmap().to_dict()["config"]
    assert config["axis"]["labelFontSize"] == charts.FONT_SIZE
    assert config["legend"]["labelFontSize"] == charts.FONT_SIZE
    assert {"title", "header", "text"} <= set(config)


def test_occurrence_cosines_use_one_fixed_colour_domain():
    """Two cells that both read 1.00 get the same colour on every model: the domain is -1..1."""
    frame = pd.DataFrame(
        {
            "row_name": ["S1", "S1", "S2", "S2"],
            "column_name": ["S1", "S2", "S1", "S2"],
            "row_order": [0, 0, 1, 1],
            "column_order": [0, 1, 0, 1],
            "cosine": [1.0, 0.996, 0.996, 1.0],
            "row_sense": ["money"] * 4,
            "column_sense": ["river"] * 4,
            "row_text": ["a"] * 4,
            "column_text": ["b"] * 4,
        }
    )
    spec = context_charts.occurrence_cosine_chart(frame).to_dict()
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == [-1, 1] and scale["domainMid"] == 0


def test_senses_differ_in_colour_and_in_shape():
    """Colour-blind viewers can tell the senses of a map apart by shape as well as by colour."""
    frame = pd.DataFrame(
        {
            "occurrence": ["S1", "S2", "S3", "S4"],
            "sense": ["money", "river", "aeroplane", "verb"],
            "text": ["a", "b", "c", "d"],
            "layer": ["layer 1"] * 4,
            "layer_index": [1] * 4,
            "x": [0.0, 1.0, 2.0, 3.0],
            "y": [0.0, 1.0, 0.0, 1.0],
        }
    )
    spec = context_charts.occurrence_paths_chart(frame, layer_index=1).to_dict()
    chosen = next(layer for layer in spec["layer"] if "shape" in layer.get("encoding", {}))
    colours = chosen["encoding"]["color"]["scale"]["range"]
    shapes = chosen["encoding"]["shape"]["scale"]["range"]
    assert len(set(colours)) == len(set(shapes)) == 4
    assert "#56B4E9" not in colours  # sky blue comes late: beside bluish green it is hard to tell apart


def test_map_labels_leave_out_what_would_overlap():
    words = ["king", "queen", "prince", "apple"]
    x, y = np.array([0.0, 0.001, 0.002, 1.0]), np.array([0.0, 0.0, 0.0, 1.0])
    room = pj.label_room(words, x, y, first=[2])
    assert room.tolist() == [False, False, True, True]  # the highlighted word keeps its label
    frame = pj.projection_frame(words, ["royal"] * 4, np.stack([x, y], axis=1)).assign(labelled=room)
    spec = projections_charts.projection_chart(frame).to_dict()
    filters = [t["filter"] for layer in spec["layer"] for t in layer.get("transform", []) if "filter" in t]
    assert any("labelled" in str(f) for f in filters)


# ---------------------------------------------------------------- the common look


def _paths_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "occurrence": np.repeat(["a", "b"], 4),
            "sense": np.repeat(["river", "money"], 4),
            "text": "the bank",
            "layer": [f"layer {i}" for i in range(4)] * 2,
            "layer_index": list(range(4)) * 2,
            "x": rng.random(8),
            "y": rng.random(8),
        }
    )


def test_finish_gives_what_altairs_configure_methods_give():
    base = alt.Chart(_paths_frame()).mark_text().encode(x="x:Q", y="y:Q", text="text:N")
    expected = (
        base.properties(title="t")
        .configure_axis(
            labelFontSize=charts.FONT_SIZE, titleFontSize=charts.FONT_SIZE, labelLimit=charts.LABEL_LIMIT
        )
        .configure_legend(labelFontSize=charts.FONT_SIZE, titleFontSize=charts.FONT_SIZE)
        .configure_title(fontSize=charts.FONT_SIZE + 2)
        .configure_header(labelFontSize=charts.FONT_SIZE, titleFontSize=charts.FONT_SIZE)
        .configure_text(fontSize=charts.FONT_SIZE)
    )
    assert json.dumps(charts.finish(base, "t").to_dict(), sort_keys=True) == json.dumps(
        expected.to_dict(), sort_keys=True
    )


def test_layers_sharing_a_frame_make_the_same_chart_as_adding_them():
    base = alt.Chart(_paths_frame())
    points = base.mark_point().encode(x="x:Q", y="y:Q", color="sense:N")
    words = (
        base.transform_filter(alt.datum.layer_index == 2).mark_text().encode(x="x:Q", y="y:Q", text="text:N")
    )
    added = json.dumps((points + words).to_dict(), sort_keys=True)
    assert json.dumps(charts.layered(points, words).to_dict(), sort_keys=True) == added


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
    spec = trace_charts.attribution_bars_chart(top).to_dict()
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

    spec = trace_charts.layer_head_chart(heads_only(_attribution_frame()), "contribution").to_dict()
    cells, text = _layers(spec)
    assert cells["encoding"]["x"]["field"] == "head" and cells["encoding"]["y"]["field"] == "layer"
    assert cells["encoding"]["color"]["scale"]["domainMid"] == 0  # zero in the middle of the colours
    assert text["encoding"]["text"]["field"] == "contribution"
    assert len(next(iter(spec["datasets"].values()))) == 4  # heads only
    assert (
        "layer"
        not in trace_charts.layer_head_chart(heads_only(_attribution_frame()), show_values=False).to_dict()
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
    cells, text = _layers(trace_charts.patching_chart(frame).to_dict())
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
    spec = trace_charts.lens_grid_chart(lens_frame()).to_dict()
    cells, text = spec["layer"]
    assert cells["mark"]["type"] == "rect" and text["encoding"]["text"]["field"] == "cell_text"
    assert cells["encoding"]["y"]["sort"] == ["embedding", "L0 attention"]
    assert cells["encoding"]["x"]["sort"] == ["0 The", "1 ␣cat"]
    assert cells["encoding"]["color"]["scale"]["domain"] == [0, 1]
    assert spec["width"] == {"step": trace_charts.LENS_CELL_WIDTH}


def test_the_target_track_shows_probability_and_a_reversed_log_rank():
    frame = lens_frame().assign(depth=[0, 0, 0.5, 0.5])
    spec = trace_charts.target_track_chart(frame).to_dict()
    probability, rank = spec["vconcat"]
    assert probability["encoding"]["y"]["field"] == "target_probability"
    assert rank["encoding"]["y"]["scale"] == {"type": "log", "reverse": True}
    assert probability["encoding"]["x"]["field"] == "depth"


def test_the_model_view_is_a_grid_of_layers_by_heads():
    frame = pd.DataFrame({
        "layer": [0, 0, 1, 1], "head": [0, 1, 0, 1], "query_position": 0, "key_position": 0,
        "query_token": "The", "key_token": "The", "probability": 1.0,
    })  # fmt: skip
    chart = trace_charts.model_view_chart(frame, step=10)
    spec = chart.to_dict()
    assert spec["facet"]["row"]["field"] == "layer" and spec["facet"]["column"]["field"] == "head"
    assert spec["spec"]["width"] == spec["spec"]["height"] == {"step": 10}
    assert spec["spec"]["encoding"]["x"]["axis"] is None  # small squares, no tick labels
    enlarged = charts.presenter_sized(chart).to_dict()
    assert min(font_sizes(enlarged)) >= charts.PRESENTER_MIN_FONT
    assert enlarged["spec"]["width"] == enlarged["spec"]["height"] == {"step": 15}  # still square


def test_the_neuron_vocabulary_colours_promoted_and_suppressed_tokens():
    frame = pd.DataFrame({
        "direction": ["promotes", "suppresses"], "token_label": ["␣Paris", "␣no"], "score": [2.0, -1.5],
    })  # fmt: skip
    spec = trace_charts.neuron_vocabulary_chart(frame).to_dict()
    assert spec["encoding"]["color"]["scale"]["range"] == [charts.POSITIVE, charts.NEGATIVE]
    assert spec["encoding"]["y"]["sort"] == {"field": "score", "order": "descending"}
