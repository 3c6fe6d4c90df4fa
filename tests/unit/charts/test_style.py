"""The one look of every chart (geometry/charts/style.py): presenter sizing and colour domains."""

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


def contrast(foreground: str, background: str = "#FFFFFF") -> float:
    """WCAG contrast ratio of two #RRGGBB colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_chart_text_is_explicit_and_readable_on_white():
    """An SVG download or a notebook draws axis, legend and header text at 4.5:1 or more (the app's
    stylesheet gives the dark theme its own text colour)."""
    config = heatmap().to_dict()["config"]
    colours = [
        config[part][key] for part in ("axis", "legend", "header") for key in ("labelColor", "titleColor")
    ]
    colours.append(config["title"]["color"])
    assert all(contrast(colour) >= 4.5 for colour in colours), colours
    assert config["axisBand"]["labelFlush"] is False


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
    words = ["king", "queen", "prince", "duke", "earl", "apple"]
    x, y = np.array([0.0, 0.001, 0.002, 0.003, 0.004, 1.0]), np.array([0.0, 0.0, 0.0, 0.0, 0.0, 1.0])
    sides = pj.label_places(words, x, y, first=[4])
    assert sides.tolist() == ["left", "above", "below", "", "right", "right"]  # "earl" placed first
    frame = pj.projection_frame(words, ["royal"] * 6, np.stack([x, y], axis=1))
    frame = frame.assign(labelled=sides != "", label_side=sides)
    spec = projections_charts.projection_chart(frame).to_dict()
    filters = [
        str(t["filter"]) for layer in spec["layer"] for t in layer.get("transform", []) if "filter" in t
    ]
    assert any("labelled" in f for f in filters)
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert {layer["mark"]["align"] for layer in texts} == {"left", "right", "center"}  # one layer per side
    assert all(any("label_side" in str(t) for t in layer["transform"]) for layer in texts)


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
    text = {"labelColor": charts.TEXT_COLOUR, "titleColor": charts.TEXT_COLOUR}
    expected = (
        base.properties(title="t")
        .configure_axis(
            labelFontSize=charts.FONT_SIZE,
            titleFontSize=charts.FONT_SIZE,
            labelLimit=charts.LABEL_LIMIT,
            **text,
        )
        .configure_axisBand(labelFlush=False)
        .configure_legend(
            labelFontSize=charts.FONT_SIZE,
            titleFontSize=charts.FONT_SIZE,
            columns=1,
            labelLimit=charts.LABEL_LIMIT,
            titleLimit=charts.LABEL_LIMIT,
            **text,
        )
        .configure_title(
            fontSize=charts.FONT_SIZE + 2, color=charts.TITLE_COLOUR, subtitleColor=charts.TEXT_COLOUR
        )
        .configure_header(labelFontSize=charts.FONT_SIZE, titleFontSize=charts.FONT_SIZE, **text)
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
