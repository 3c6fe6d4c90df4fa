"""The class's reveal charts (geometry/charts/classroom.py), built from the reveal tables classroom
makes of each example question, tested through their specs (and compiled by Vega-Lite once)."""

from __future__ import annotations

import pandas as pd
import pytest

from classroom import reveal_table
from geometry.charts import classroom as charts
from geometry.charts.style import presenter_sized
from tests.unit.charts.test_style import font_sizes
from tests.unit.classroom.examples import spec

TALLIES = {
    "next_token": {"␣Paris": 3, "␣Nice": 1},  # a guess off the model's list
    "closer_pair": {"king – queen": 2, "river – bank": 1},
    "attention": {"0: The": 2, "1: ␣cat": 1},
    "number": {"0.5": 2, "0.7": 3, "0.9": 1},
    "continuation": {"B": 2, "A": 1},
}


def reveal(kind: str, votes: dict[str, int] | None = None):
    votes = TALLIES[kind] if votes is None else votes
    tally = pd.DataFrame({"answer": list(votes), "count": list(votes.values())})
    return reveal_table(kind, spec(kind), tally)


def built(kind: str, votes: dict[str, int] | None = None):
    found = reveal(kind, votes)
    if kind == "next_token":
        return charts.next_token_reveal_chart(found.table)
    if kind == "attention":
        return charts.attention_reveal_chart(found.table)
    if kind == "closer_pair":
        return charts.closer_pair_reveal_chart(found.table, found.summary["baseline"])
    if kind == "number":
        return charts.number_reveal_chart(found.table, found.summary["true_value"])
    return charts.continuation_reveal_chart(found.table)


def layers(spec_: dict) -> list[dict]:
    found = []
    for layer in spec_.get("layer", [spec_]):
        found += layers(layer) if "layer" in layer else [layer]
    return found


def rows(spec_: dict) -> list[dict]:
    """Every data row a spec carries: its named datasets and every layer's inline values."""
    found = [row for values in spec_.get("datasets", {}).values() for row in values]
    return found + [row for layer in layers(spec_) for row in layer.get("data", {}).get("values", [])]


def test_every_reveal_chart_compiles_with_vega_lite():
    """Expressions and fields are checked by the compiler itself (an apostrophe in a series name once
    broke an expression: the chart was blank on every screen)."""
    import vl_convert

    for kind in TALLIES:
        vl_convert.vegalite_to_vega(built(kind).to_dict())


@pytest.mark.parametrize("kind", ["next_token", "attention"])
def test_the_class_and_the_model_side_by_side(kind):
    """Two bars per row from the same columns the reveal documents: the class's share, the model's."""
    chart = built(kind).to_dict()
    fold = next(t for t in chart["layer"][0]["transform"] if "fold" in t)
    model_column = {"next_token": "probability", "attention": "weight"}[kind]
    assert fold["fold"] == ["share", model_column]
    bars = chart["layer"][0]
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, 1]
    assert bars["encoding"]["yOffset"]["field"] == "series"
    label = {"next_token": "token", "attention": "option"}[kind]
    assert bars["encoding"]["y"]["sort"] == list(reveal(kind).table[label])  # the reveal's order
    assert any(t.get("filter") == "isValid(datum.value)" for t in bars["transform"])  # unknown: no bar


def test_closer_pairs_mark_the_baseline():
    found = reveal("closer_pair")
    chart = built("closer_pair").to_dict()
    rules = [layer for layer in layers(chart) if layer.get("mark", {}).get("type") == "rule"]
    assert len(rules) == 1
    assert {row["baseline"] for row in rows(chart) if "baseline" in row} == {found.summary["baseline"]}


def test_the_number_chart_draws_the_true_value_on_the_histogram():
    chart = built("number").to_dict()
    bars, rule, label = layers(chart)
    assert bars["encoding"]["x"]["field"] == "low" and bars["encoding"]["x2"]["field"] == "high"
    assert bars["encoding"]["y2"] == {"datum": 0}  # bars rise from zero
    assert rule["mark"]["type"] == "rule" and rule["encoding"]["x"]["field"] == "value"
    assert {(row["value"], row["label"]) for row in rows(chart) if "label" in row} == {
        (spec("number")["value"], "true value")
    }


def test_the_asked_continuation_stands_out():
    chart = built("continuation").to_dict()
    bars = chart["layer"][0]
    assert "datum.is_answer" in bars["encoding"]["color"]["condition"]["test"]
    answers = [row["option"] for row in rows(chart) if row["is_answer"]]
    assert answers == [reveal("continuation").summary["answer"]]


@pytest.mark.parametrize("kind", list(TALLIES))
def test_reveal_charts_have_tooltips_and_grow_for_a_projector(kind):
    chart = built(kind)
    spec_ = chart.to_dict()
    assert all(
        "tooltip" in layer.get("encoding", {})
        for layer in layers(spec_)
        if layer["mark"]["type"] in ("bar", "rule")
    )
    assert min(font_sizes(presenter_sized(chart).to_dict())) >= 16


def test_a_reveal_without_answers_still_draws():
    for kind in ("next_token", "closer_pair", "attention", "continuation"):
        built(kind, {}).to_dict()
