"""A packed Plotly figure (geometry/charts/packed.py) is the same figure in a third of the bytes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geometry.charts import packed
from geometry.charts import plotly as plotly_charts
from geometry.projection import maps


def vocabulary_frame(n: int = 3_000, seed: int = 0) -> pd.DataFrame:
    """A vocabulary map's table: n words on a PCA-sized map, a few curated and highlighted."""
    rng = np.random.default_rng(seed)
    coords = rng.normal(scale=0.2, size=(n, 2))  # (n, 2)
    words = [f"word{i}" for i in range(n)]
    categories = ["fruit" if i % 100 == 0 else "vocabulary" for i in range(n)]
    roles = ["chosen word", "kept neighbour", "false neighbour", "search match"] + [""] * (n - 4)
    return maps.projection_frame(words, categories, coords, roles)


def figure_json(frame: pd.DataFrame) -> dict:
    figure = plotly_charts.vocabulary_map_chart(frame, ["PC1", "PC2"], ["vocabulary", "fruit"])
    return json.loads(figure.to_json())  # what st.plotly_chart sends


def decoded(values) -> np.ndarray:
    """A JSON figure's array: Plotly's base64 typed array or a list."""
    return np.asarray(packed._array(values) if isinstance(values, dict) else values)


def test_a_packed_map_draws_the_same_points_with_the_same_words_and_looks():
    frame = vocabulary_frame()
    original = figure_json(frame)
    unpacked = packed.unpack(packed.pack(original))
    assert unpacked["layout"] == original["layout"]
    assert [trace["name"] for trace in unpacked["data"]] == [trace["name"] for trace in original["data"]]
    for before, after in zip(original["data"], unpacked["data"], strict=True):
        name = before["name"]
        column = "role" if name in plotly_charts.ROLE_COLOURS else "category"
        part = frame[frame[column] == name]
        for axis in "xy":
            assert after[axis].dtype == np.float64
            # The table's numbers exactly (what the CSV download holds), so the hover (%{x:.3f}) rounds
            # them as the table does; the float32 copies st.plotly_chart sent could round the other
            # way at exact halves (0.0715 read 0.071).
            assert np.array_equal(after[axis], part[axis].to_numpy()), name
            sent = decoded(before[axis])  # st.plotly_chart's float32: the same points, to 1e-6 of a unit
            assert np.abs(after[axis] - sent).max() < 1e-6
        assert [row[0] for row in after["customdata"]] == part["word"].tolist()
        rest = {key for key in before if key not in ("x", "y")}
        assert {key: after[key] for key in rest} == {key: before[key] for key in rest}, name


def test_the_whole_vocabularys_map_packs_into_a_third_of_the_bytes():
    frame = vocabulary_frame(21_719)
    original = figure_json(frame)
    size = len(packed.pack(original))
    assert size < len(json.dumps(original)) / 3
    assert size < 200_000  # the browser's share of the 0.3 MB a whole-vocabulary view may send


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (np.array([0.1234, -0.5, 6.0]), "<u2"),  # spans 6.5 units: 16 bits of ten-thousandths
        (np.array([-20.0, 15.5, 0.0001]), "<i4"),  # a wide UMAP: 32 bits
        (np.array([1e300, 0.0]), "<f8"),  # beyond 32 bits: as it is
        (np.array([np.nan, 1.0]), "<f8"),
        (np.array([], dtype=float), "<u2"),
    ],
)
def test_numbers_are_stored_in_the_smallest_exact_form(values, dtype):
    entry, blob = packed.encode_numbers(values)
    figure = {"data": [{"type": "scattergl", "x": values}], "layout": {}}
    back = packed.unpack(packed.pack(figure))["data"][0]["x"]
    if dtype == "<u2" and not len(values):
        assert entry["dtype"] in ("<u2", "<f8") and len(back) == 0
        return
    assert entry["dtype"] == dtype and len(blob) == len(values) * np.dtype(dtype).itemsize
    expected = values if dtype == "<f8" else np.round(values, 4)
    assert np.array_equal(back, expected, equal_nan=True)


def test_small_arrays_text_and_settings_travel_unchanged():
    figure = {
        "data": [{"type": "scattergl", "x": [1, 2], "y": np.array([0.5, 0.25]), "text": np.array(["a", "b"]),
                  "marker": {"size": np.array([3, 4])}, "hovertemplate": "%{text}"}],
        "layout": {"title": {"text": "t"}, "height": 640},
    }  # fmt: skip
    trace = packed.unpack(packed.pack(figure))["data"][0]
    assert trace["x"].tolist() == [1.0, 2.0] and trace["y"].tolist() == [0.5, 0.25]
    assert trace["text"] == ["a", "b"] and trace["marker"] == {"size": [3, 4]}
    assert trace["hovertemplate"] == "%{text}"
