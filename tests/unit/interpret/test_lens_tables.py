"""The lens grid's labels (geometry/transformer/tables.py) and the target's sentence, on a tiny model."""

from __future__ import annotations

import numpy as np
import pytest

from geometry.charts import trace as charts
from geometry.interpret import lens as interpret_lens
from geometry.transformer import tables as trace_tables
from geometry.transformer import trace as tr
from ui.trace import whole_model


@pytest.fixture(scope="module")
def lens(tiny_llama):
    return interpret_lens.lens_table(tr.trace(tiny_llama, "the cat sat on the mat"), target=1000)


def test_lens_labels_name_every_stage_once_and_place_it_by_depth(lens):
    one = trace_tables.lens_labels(lens[lens["position"] == 2])
    assert one["stage_label"].tolist() == ["embedding", "L0 attn", "L0 MLP", "L1 attn", "L1 MLP"]
    assert one["depth"].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    row = one.iloc[-1]
    assert row["cell_text"] == f"{row['top_token']} {round(100 * row['top_probability'])}%"
    assert row["position_label"].startswith("2 ")
    spec = charts.lens_grid_chart(trace_tables.lens_labels(lens)).to_dict()
    assert len(spec["layer"][0]["encoding"]["y"]["sort"]) == 5


def test_the_target_sentence_reads_the_line_aloud(lens):
    track = trace_tables.lens_labels(lens[lens["position"] == 5])
    name = track["target_token"].iloc[0]
    final = track.iloc[-1]
    sentence = whole_model.target_sentence(track, name)
    assert sentence.startswith(name)
    assert f"rank {final['target_rank']} with probability {final['target_probability']:.1%}" in sentence
    top = track.assign(target_rank=np.where(track["stage_label"] == "L1 attn", 1, 7))
    assert "first becomes the top token at **L1 attn**" in whole_model.target_sentence(top, name)
    assert "is never the top token" in whole_model.target_sentence(top.assign(target_rank=3), name)
