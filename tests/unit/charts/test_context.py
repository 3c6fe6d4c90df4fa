"""The Words-in-context lesson's charts (geometry/charts/context.py), through their Vega-Lite specs."""

from __future__ import annotations

import pandas as pd

from geometry.charts import context as charts
from geometry.context import occurrences as cx
from geometry.context import tables
from ui.context import layers as context_layers

SENTENCES = ["We sat on the bank of the river.", "The bank lent them money.", "Pilots bank to turn."]


# ------------------------------------------------------------------ charts


def _marks(spec: dict) -> list[dict]:
    if "layer" in spec:
        return [m for layer in spec["layer"] for m in _marks(layer)]
    if "spec" in spec:
        return _marks(spec["spec"])
    return [spec]


def test_context_charts_carry_tooltips_and_the_right_fields(tiny_gpt2):
    occ = cx.find_occurrences(tiny_gpt2, SENTENCES, "bank", ["river", "money", "air"])
    reference = cx.reference_statistics(tiny_gpt2, "One two three.\nFour five six.", n_pairs=50)
    frames = {
        "cosine": charts.occurrence_cosine_chart(tables.pairwise_table(occ, occ.vectors[:, 2])),
        "paths": charts.occurrence_paths_chart(tables.layer_map(occ, occ.vectors)[0], 2),
        "layers": charts.layer_similarity_chart(
            tables.long_layer_table(tables.layer_table(occ, reference)), 2
        ),
        "dims": charts.dimension_strip_chart(tables.dimension_table(occ, occ.vectors, [0, 2])),
    }
    for name, chart in frames.items():
        spec = chart.to_dict()
        for mark in _marks(spec):
            assert "tooltip" in mark.get("encoding", {}), (name, mark.get("mark"))
    cosine = _marks(frames["cosine"].to_dict())[0]["encoding"]
    assert cosine["color"]["field"] == "cosine" and cosine["y"]["sort"]["field"] == "row_order"
    paths = _marks(frames["paths"].to_dict())
    assert paths[0]["encoding"]["order"]["field"] == "layer_index"
    assert paths[0]["encoding"]["color"]["field"] == "sense"
    layer_marks = _marks(frames["layers"].to_dict())
    assert layer_marks[-1]["encoding"]["y"]["field"] == "value"
    assert "layer_index" in str(layer_marks[0].get("transform"))  # the rule marks the chosen layer


def test_context_summary_says_what_the_labels_allow():
    nan = float("nan")
    table = pd.DataFrame(
        {"self_similarity": [1.0, 0.6], "within_sense": [nan, nan], "across_sense": [nan, 0.4]}
    )
    text = context_layers.layer_summary(table, "layer 6")
    assert "different senses average **0.40**" in text and "second sentence" in text
    assert "Label the sentences" not in text
    unlabelled = table.assign(across_sense=[nan, nan])
    assert "Label the sentences" in context_layers.layer_summary(unlabelled, "layer 6")
    assert "Label the sentences" in context_layers.layer_summary(
        table.assign(within_sense=[nan, 0.7]), "layer 6", labelled=False
    )
    one_sense = table.assign(within_sense=[nan, 0.7], across_sense=[nan, nan])
    assert "another sense" in context_layers.layer_summary(one_sense, "layer 6")
