"""The Dot products lesson's charts (geometry/charts/dot_products.py), through their Vega-Lite specs."""

import numpy as np
import pytest

from geometry.charts import dot_products as charts
from geometry.words import similarity, wordlists
from geometry.words.similarity import (
    axis_projections,
    dimension_contributions,
    pair_strips,
    pairwise,
)
from ui.dot_products.pair import reading

KING, QUEEN = [9, -5, 6], [8, -4, 6]
X = np.random.default_rng(0).normal(size=(4, 5))  # four random 5-d vectors


# ------------------------------------------------------------------ charts


def _marks(spec: dict) -> list[str]:
    found = []
    for key, value in spec.items():
        if key == "mark":
            found.append(value if isinstance(value, str) else value["type"])
        elif isinstance(value, dict):
            found += _marks(value)
        elif isinstance(value, list):
            found += [m for item in value if isinstance(item, dict) for m in _marks(item)]
    return found


def _tooltips(spec) -> int:
    if isinstance(spec, dict):
        return ("tooltip" in spec.get("encoding", {})) + sum(_tooltips(v) for v in spec.values())
    if isinstance(spec, list):
        return sum(_tooltips(v) for v in spec)
    return 0


def test_pair_strips_chart_has_strips_and_a_running_sum():
    spec = charts.pair_strips_chart(pair_strips(KING, QUEEN, "king", "queen"), show_values=True).to_dict()
    assert len(spec["vconcat"]) == 3
    assert _marks(spec).count("rect") == 2 and "line" in _marks(spec) and "text" in _marks(spec)
    assert spec["resolve"]["scale"]["color"] == "independent"
    assert _tooltips(spec) >= 3


@pytest.mark.parametrize("metric", similarity.METRICS)
def test_heatmap_chart(metric):
    frame = similarity.similarity_frame(pairwise(X[:3], metric), ["a", "b", "c"], metric)
    spec = charts.similarity_heatmap_chart(frame, metric).to_dict()
    assert set(_marks(spec)) == {"rect", "text"} and _tooltips(spec) >= 2
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert ("domainMid" in colour) == (metric != "euclidean")
    assert len(spec["datasets"][next(iter(spec["datasets"]))]) == 9


def test_other_charts_carry_tooltips():
    import pandas as pd

    neighbours = pd.DataFrame({"rank": [1, 2], "word": ["dogs", "puppy"], "score": [0.8, 0.6]})
    axis = axis_projections(X[:2], ["a", "b"], X[2], X[3], "s", "e")
    built = [
        charts.contributions_chart(dimension_contributions(X[0], X[1], top=4)),
        charts.neighbours_chart(neighbours, "cosine"),
        charts.axis_strip_chart(axis, "s", "e"),
    ]
    for chart in built:
        spec = chart.to_dict()
        assert _tooltips(spec) >= 1 and _marks(spec)
    assert "rule" in _marks(built[2].to_dict()) and "point" in _marks(built[2].to_dict())


def test_one_word_check_and_one_limit_for_every_word_box():
    """The dot-products list, the projections list and the context page's word share one check."""
    from geometry.context import occurrences as context
    from geometry.words import wordsets
    from geometry.words.tokens import MAX_WORD_CHARS

    fine, long = "a" * MAX_WORD_CHARS, "a" * (MAX_WORD_CHARS + 1)
    assert wordlists.clean_word(fine) == context.clean_word(fine) == fine
    for check in (wordlists.clean_word, context.clean_word):
        with pytest.raises(ValueError, match=f"more than the limit of {MAX_WORD_CHARS}"):
            check(long)
    typed = f"dog; cat\t{long}, !!!"
    assert wordlists.parse_word_list(typed).words == wordsets.parse_words(typed).words == ("dog", "cat")
    problems = [wordlists.word_problem(w) for w in (long, "!!!")]
    assert wordsets.parse_words(typed).skipped == tuple(reason for reason, _ in problems)
    assert wordlists.parse_word_list(typed).dropped == tuple(f"Left out: {r}; {a}." for r, a in problems)


def test_a_word_list_of_one_unusable_entry_says_why():
    """3,000 characters without commas are one entry, too long to be a word: say so, not "type some"."""
    with pytest.raises(ValueError) as error:
        wordlists.parse_word_list("word" * 750)
    assert "more than the limit of 60" in str(error.value)
    assert "Separate words with commas" in str(error.value)


def test_reading_of_an_entry_with_itself_says_so():
    label, sentence = reading(1.0, baseline=0.2, same=True)
    assert label == "the same entry twice"
    assert "closer than" not in sentence and "Pick two different" in sentence


def test_vectors_too_large_to_multiply_are_refused():
    from geometry.words.similarity import summarise_pair

    with pytest.raises(ValueError, match="too large"):
        summarise_pair([1e308, 1e308], [1e308, 1e308])


def test_contribution_bars_are_sorted_by_share_not_by_row_order():
    """Streamlit swaps data into a drawn chart; an explicit sort keeps the bars in the sentence's order."""
    top = dimension_contributions([9, -5, 6], [8, -4, 6], top=3)
    y = charts.contributions_chart(top).to_dict()["encoding"]["y"]
    assert y["sort"] == {"field": "share_of_size", "order": "descending"}


def test_similarity_heatmap_names_its_word_order():
    frame = similarity.similarity_frame(np.eye(2), ["dog", "apple"], "cosine")
    spec = charts.similarity_heatmap_chart(frame, "cosine").to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["dog", "apple"]


def test_every_pair_never_writes_a_different_pair_as_identical():
    """A cosine of 0.9973 between two different words is written 0.997, not 1.00 (only an entry with
    itself is 1.00); the heatmap's numbers are that label."""
    S = np.array([[1.0, 0.9973], [0.9973, 1.0]])
    frame = similarity.similarity_frame(S, ["big", "large"], "cosine")
    assert frame["label"].tolist() == ["1.00", "0.997", "0.997", "1.00"]
    spec = charts.similarity_heatmap_chart(frame, "cosine").to_dict()
    assert spec["layer"][1]["encoding"]["text"]["field"] == "label"
