"""The Projections lesson's charts (geometry/charts/projections.py, plotly.py), through their specs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geometry.charts import plotly as plotly_charts
from geometry.charts import projections as projections_charts
from geometry.charts import style as charts
from geometry.projection import maps
from geometry.words import wordsets as ws

# --------------------------------------------------------------------------- charts


def map_frame(n: int = 4, dims: int = 2, category: str = "fruit") -> pd.DataFrame:
    coords = np.arange(n * dims, dtype=float).reshape(n, dims)
    roles = ["chosen word", "false neighbour"] + [""] * (n - 2)
    return maps.projection_frame([f"w{i}" for i in range(n)], [category] * n, coords, roles)


def marks_and_tooltips(spec: dict) -> list[tuple[str, object]]:
    layers = [layer for panel in spec.get("hconcat", [spec]) for layer in panel.get("layer", [panel])]
    return [(layer["mark"]["type"], layer["encoding"].get("tooltip")) for layer in layers]


def test_projection_chart_has_tooltips_zoom_and_click_selection():
    spec = projections_charts.projection_chart(map_frame(), "PC1", "PC2").to_dict()
    assert all(tooltip for _, tooltip in marks_and_tooltips(spec))
    names = {param["name"] for param in spec["params"]}
    assert {"pick", "zoom_xy"} <= names
    assert spec["layer"][0]["encoding"]["x"]["title"] == "PC1"
    assert "usermeta" not in spec


def test_many_points_draw_on_canvas_without_labels():
    spec = projections_charts.projection_chart(
        map_frame(category="vocabulary"), labels=False, many=True
    ).to_dict()
    assert spec["usermeta"] == {"embedOptions": {"renderer": "canvas"}}
    assert [mark for mark, _ in marks_and_tooltips(spec)] == ["point", "point", "text"]
    assert spec["layer"][0]["encoding"]["color"]["scale"]["range"] == [charts.NEUTRAL]


def test_panels_show_three_pairs_of_axes_sharing_one_pick():
    spec = projections_charts.projection_panels_chart(map_frame(dims=3), ["a", "b", "c"]).to_dict()
    encodings = [panel["layer"][0]["encoding"] for panel in spec["hconcat"]]
    pairs = [(encoding["x"]["field"], encoding["y"]["field"]) for encoding in encodings]
    assert pairs == [("x", "y"), ("x", "z"), ("y", "z")]
    picks = [param for param in spec["params"] if param["name"] == "pick"]
    assert len(picks) == 1 and all(tooltip for _, tooltip in marks_and_tooltips(spec))


def test_twelve_categories_get_twelve_different_looks():
    names = list(ws.CATEGORIES)
    color, shape = projections_charts.category_encodings(names)
    looks = set(zip(color.to_dict()["scale"]["range"], shape.to_dict()["scale"]["range"], strict=True))
    assert len(looks) == 12


def test_explained_variance_and_seed_charts():
    bars = projections_charts.explained_variance_chart(
        pd.DataFrame({"component": ["PC1", "PC2"], "ratio": [0.3, 0.1]})
    )
    assert bars.to_dict()["layer"][0]["encoding"]["tooltip"]
    seeds = map_frame().assign(seed="seed 0")
    spec = projections_charts.seed_maps_chart(seeds).to_dict()
    assert spec["facet"]["column"]["field"] == "seed" and spec["spec"]["encoding"]["tooltip"]


def test_parse_words_says_when_it_removed_control_characters():
    found = ws.parse_words("dog,\x00 cat\x1b")
    assert found.words == ("dog", "cat")
    assert any("control characters" in note for note in found.skipped)


def plotly_traces(figure) -> dict[str, dict]:
    return {trace["name"]: trace for trace in figure.to_plotly_json()["data"]}


def test_3d_chart_is_one_trace_per_category_and_per_highlight():
    frame = pd.concat([map_frame(4, 3, "fruit"), map_frame(3, 3, "animals").assign(role="")])
    figure = plotly_charts.projection_3d_chart(frame, ["a", "b", "c"], ["fruit", "animals"])
    traces = plotly_traces(figure)
    assert list(traces) == ["fruit", "animals", "chosen word", "false neighbour"]
    assert {trace["type"] for trace in traces.values()} == {"scatter3d"}
    assert traces["fruit"]["marker"]["color"] == charts.PALETTE[0]
    assert traces["animals"]["marker"]["color"] == charts.PALETTE[1]
    assert traces["chosen word"]["customdata"].tolist() == [["w0"]]
    assert (
        "%{customdata[0]}" in traces["fruit"]["hovertemplate"]
        and "c: %{z:.3f}" in traces["fruit"]["hovertemplate"]
    )
    layout = figure.to_plotly_json()["layout"]
    assert layout["scene"]["zaxis"]["title"]["text"] == "c" and layout["uirevision"] == "keep"
    assert layout["font"]["size"] == charts.FONT_SIZE


def test_3d_chart_writes_every_word_above_its_point_as_the_scenes_annotations():
    animals = map_frame(3, 3, "animals").assign(role="", word=["cat", "dog", "cow"], x=[9.0, 10.0, 11.0])
    frame = pd.concat([map_frame(4, 3, "fruit"), animals])
    figure = plotly_charts.projection_3d_chart(frame, ["a", "b", "c"], ["fruit", "animals"])
    assert {trace.mode for trace in figure.data} == {"markers"}  # no text in the WebGL scene itself
    labels = {(label.text, label.x, label.y, label.z): label for label in figure.layout.scene.annotations}
    assert len(labels) == len(frame)  # every word once, where its point is
    assert all((row.word, row.x, row.y, row.z) in labels for row in frame.itertuples())
    chosen = next(label for label in figure.layout.scene.annotations if label.text == "w0")
    assert chosen.font.color == projections_charts.ROLE_COLOURS["chosen word"]
    assert chosen.font.size == charts.FONT_SIZE and chosen.yanchor == "bottom"
    assert figure.layout.legend.itemclick is False  # hiding a category would leave its words floating
    big = plotly_charts.presenter_plotly(figure)
    assert min(label.font.size for label in big.layout.scene.annotations) >= charts.PRESENTER_MIN_FONT
    many = plotly_charts.projection_3d_chart(frame, ["a", "b", "c"], ["fruit", "animals"], many=True)
    assert sorted(label.text for label in many.layout.scene.annotations) == ["w0", "w1"]  # highlights only
    assert many.layout.legend.itemclick is None


def test_vocabulary_map_is_webgl_with_grey_vocabulary_dots():
    frame = pd.concat([map_frame(5, 2, "vocabulary"), map_frame(2, 2, "fruit").assign(role="")])
    traces = plotly_traces(plotly_charts.vocabulary_map_chart(frame, ["PC1", "PC2"], ["vocabulary", "fruit"]))
    assert {trace["type"] for trace in traces.values()} == {"scattergl"}
    assert traces["vocabulary"]["marker"]["color"] == charts.NEUTRAL
    assert traces["fruit"]["marker"]["color"] == charts.PALETTE[0]
    assert traces["chosen word"]["text"].tolist() == ["w0"]
