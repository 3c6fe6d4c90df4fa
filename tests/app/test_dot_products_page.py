"""The "Dot products" page driven by AppTest: presets, vector sources, models, metrics, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sentence_transformers import util
from streamlit.testing.v1 import AppTest

from geometry.models.catalogue import CAUSAL_LM_NAME
from geometry.words import similarity
from geometry.words.vectors import word_vectors
from tests.unit.charts.test_style import font_sizes
from ui.dot_products.pair import reading
from ui.dot_products.presets import OWN_ENTRIES, PRESETS

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "lessons" / "dot_products.py")
pytestmark = pytest.mark.slow
TEXT_BOXES = ["dp_words", "dp_axis_start", "dp_axis_end", "dp_neighbour", "dp_an_a", "dp_an_b", "dp_an_c"]
HOSTILE = [
    "",
    "   ",
    "🙂🙂",
    "?!.,;",
    "x" * 5000,
    ", ".join(f"w{i}" for i in range(600)),
    "1e309",
    "<script>alert(1)</script>",
    "dog\x00\x07cat",
    "zzqxjv",  # no such word: it can only be built from pieces
]


def page(**query: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.query_params.update(query)
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def pairs_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "cosine" in d.value.columns and "word_a" in d.value.columns)


def pair_cosine(at: AppTest, a: str, b: str) -> float:
    table = pairs_table(at)
    return float(table.query("word_a == @a and word_b == @b")["cosine"].iloc[0])


def test_default_view_shows_a_real_pair_with_its_baseline(encoder):
    at = page()
    no_exception(at)
    X = word_vectors(["dog", "cat"], encoder)
    assert metric(at, "cosine") == f"{similarity.pairwise(X, 'cosine')[0, 1]:.4f}"
    assert metric(at, "dot product a·b") == f"{X[0] @ X[1]:.4g}"
    baseline = similarity.anisotropy_baseline(encoder)
    assert metric(at, "baseline cosine") == f"{baseline:.3f}"
    assert len(pairs_table(at)) == 6  # four words, every pair once
    label = reading(similarity.pairwise(X, "cosine")[0, 1])[0]  # what its angle says
    assert any(f"Reading: {label}" in m.value for m in at.markdown)
    assert len(at.latex) >= 5  # a formula beside each result
    assert any("queen" in i.value and "ranks **2**" in i.value for i in at.info)  # the honest caveat
    assert any(e.label == "Glossary" for e in at.expander)


def test_hand_made_preset_shows_128_step_by_step():
    at = page()
    at.selectbox(key="dp_preset").select("By hand: king and queen (128)").run()
    no_exception(at)
    assert at.radio(key="dp_source").value == "hand-made"
    assert metric(at, "dot product a·b") == "128"
    assert at.latex[0].value.strip("$\n") == "(9)(8) + (-5)(-4) + (6)(6) = 72 + 20 + 36 = 128"
    steps = next(d.value for d in at.dataframe if "step" in d.value.columns)
    assert steps["step"].tolist() == ["9 × 8 = 72", "-5 × -4 = 20", "6 × 6 = 36"]
    at.selectbox(key="dp_preset").select("By hand: dog and cat (0.64)").run()
    assert metric(at, "dot product a·b") == "0.64"


def test_every_preset_runs_and_fills_the_boxes():
    at = page()
    for name, preset in PRESETS.items():
        at.selectbox(key="dp_preset").select(name).run()
        no_exception(at)
        box = "dp_vectors" if preset.source == "hand-made" else "dp_words"
        assert at.text_area(key=box).value == (preset.vectors or preset.words), name
        assert at.selectbox(key="dp_a").value == preset.pair[0]


def test_sentence_vectors_agree_with_sentence_transformers(encoder):
    at = page()
    at.radio(key="dp_source").set_value("sentence").run()
    no_exception(at)
    embeddings = encoder.model.encode(["dog", "cat"])
    assert abs(pair_cosine(at, "dog", "cat") - float(util.cos_sim(embeddings[0], embeddings[1]))) < 1e-4


def test_causal_model_static_vectors_and_standardising(causal_lm):
    at = page(dp_words="king, queen, monarchy, banana", dp_model=CAUSAL_LM_NAME)
    no_exception(at)
    X = word_vectors(["king", "banana"], causal_lm)
    assert pair_cosine(at, "king", "banana") == pytest.approx(
        similarity.pairwise(X, "cosine")[0, 1], abs=1e-6
    )
    split = next(d.value for d in at.dataframe if "tokens" in d.value.columns)
    assert split["tokens"].tolist()[0] == "␣king"  # the BPE word carries its leading space
    at.toggle(key="dp_standardise").set_value(True).run()
    no_exception(at)
    Z = similarity.dimension_stats(causal_lm).apply(X)
    assert pair_cosine(at, "king", "banana") == pytest.approx(
        similarity.pairwise(Z, "cosine")[0, 1], abs=1e-6
    )
    assert abs(pair_cosine(at, "king", "banana")) < 0.1  # raw SmolLM2 cosines sit near 0.48 for any pair


def test_metric_switch_changes_the_matrix():
    at = page()
    at.segmented_control(key="dp_metric").set_value("euclidean").run()
    no_exception(at)
    assert any("euclidean distance" in h.value for h in at.subheader)
    at.segmented_control(key="dp_metric").set_value("dot").run()
    assert any("dot product" in h.value for h in at.subheader)


def test_the_url_restores_the_view():
    """A shared link: words, source, model, metric and pair come back from the query string."""
    query = {"dp_words": "large, small", "dp_metric": "dot product", "dp_source": "static"}
    at = page(**query, dp_model=CAUSAL_LM_NAME, dp_a="small", dp_b="large")
    no_exception(at)
    assert at.text_area(key="dp_words").value == "large, small"
    assert at.segmented_control(key="dp_metric").value == "dot"
    assert at.selectbox(key="dp_model").value == CAUSAL_LM_NAME
    assert (at.selectbox(key="dp_a").value, at.selectbox(key="dp_b").value) == ("small", "large")
    assert any("dot product" in h.value for h in at.subheader)


def test_a_preset_writes_its_view_into_the_url():
    """AppTest only sees URL changes made by code (the browser test covers clicks). A default (the
    first entry) stays out of the URL; the link still opens the same view."""
    at = page()
    at.selectbox(key="dp_preset").select("The dog chased the cat").run()
    query = {key: at.query_params[key] for key in at.query_params}
    assert query["dp_words"] == PRESETS["The dog chased the cat"].words
    assert (query["dp_a"], query["dp_b"]) == ("dog", "chased")
    reopened = page(**query)
    assert (reopened.selectbox(key="dp_a").value, reopened.selectbox(key="dp_b").value) == ("dog", "chased")


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_answered_with_a_message(hostile):
    """Every text box gets the hostile text; the page warns, keeps the text, and draws the rest."""
    legal = hostile in ("1e309", "<script>alert(1)</script>", "zzqxjv")  # odd, but words a tokenizer can take
    at = page()
    at.text_area(key="dp_words").input(hostile)
    for key in TEXT_BOXES[1:]:
        at.text_input(key=key).input(hostile)
    at.run()
    no_exception(at)
    assert at.text_area(key="dp_words").value == hostile
    assert [at.text_input(key=key).value for key in TEXT_BOXES[1:]] == [hostile] * 6
    assert legal or len(at.warning) >= 3  # the list, the neighbours and the analogy
    assert any(h.value == "Analogy arithmetic" for h in at.subheader)  # the rest of the page is drawn
    at.radio(key="dp_source").set_value("hand-made").run()
    at.text_area(key="dp_vectors").input(hostile).run()
    no_exception(at)
    assert at.text_area(key="dp_vectors").value == hostile
    assert at.warning


def test_hand_made_vectors_of_unequal_length_are_refused():
    at = page(dp_source="hand-made")
    at.text_area(key="dp_vectors").input("king = [9, -5, 6]\nqueen = [8, -4]").run()
    no_exception(at)
    assert any("king has 3, queen has 2" in w.value for w in at.warning)
    assert at.text_area(key="dp_vectors").value == "king = [9, -5, 6]\nqueen = [8, -4]"


def test_a_zero_vector_has_no_cosine_but_still_a_dot_product():
    at = page(dp_source="hand-made")
    at.text_area(key="dp_vectors").input("z = [0, 0]\nv = [1, 2]").run()
    no_exception(at)
    assert metric(at, "dot product a·b") == "0" and metric(at, "cosine") == "undefined"


def test_the_page_is_registered_and_opens_from_the_app():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).run()
    at.switch_page("lessons/dot_products.py").run()
    no_exception(at)
    assert at.title[0].value == "Dot products"
    assert np.isfinite(float(metric(at, "cosine")))


def test_hostile_axis_words_are_refused_while_the_list_still_works():
    at = page()
    for hostile in ["", "🙂", "x" * 5000, "dog\x00", "?!"]:
        at.text_input(key="dp_axis_start").input(hostile).run()
        no_exception(at)
        assert at.text_input(key="dp_axis_start").value == hostile
        assert len(at.warning) == 1  # only the axis complains
        assert metric(at, "cosine")  # the pair above is still drawn


def test_an_unavailable_model_gets_a_message_not_a_traceback():
    at = page(dp_source="hand-made")
    at.selectbox(key="dp_model").select("gpt2").run()
    no_exception(at)
    assert metric(at, "dot product a·b") == "128"  # hand-made vectors need no model
    assert any("gpt2" in e.value for e in at.error)


# --------------------------------------------------------------------------- words that match the screen


def subheader_text(at: AppTest, start: str) -> str:
    return next(m.value for m in at.markdown if m.value.startswith(start))


def test_own_words_never_compare_one_word_with_itself():
    """ "apple, dog" after dog/cat: dog stays First and Second becomes apple, not dog again."""
    at = page()
    at.text_area(key="dp_words").input("apple, dog").run()
    no_exception(at)
    assert {at.selectbox(key="dp_a").value, at.selectbox(key="dp_b").value} == {"apple", "dog"}
    assert not any("the same entry twice" in m.value for m in at.markdown)
    at.selectbox(key="dp_b").select(at.selectbox(key="dp_a").value).run()  # chosen on purpose
    assert any("Reading: the same entry twice" in m.value for m in at.markdown)
    assert not any("closer than two random words" in m.value for m in at.markdown)


def test_the_preset_caption_goes_when_the_words_are_your_own():
    at = page()
    note = PRESETS["Dog, cat, runs, quickly"].note
    assert any(note in c.value for c in at.caption)
    at.text_area(key="dp_words").input("apple, dog").run()
    assert not any(note in c.value for c in at.caption)
    assert any("Your own entries" in c.value for c in at.caption)
    assert at.selectbox(key="dp_preset").value == OWN_ENTRIES


def test_a_link_to_hand_made_vectors_names_their_preset_in_the_box_and_the_caption():
    """Start here's "dot product" step opens ?dp_source=hand-made: the box, its caption and the
    vectors on screen are the same preset (not "Dog, cat, runs, quickly" over king and queen)."""
    name = "By hand: king and queen (128)"
    by_hand = page(dp_source="hand-made")
    assert by_hand.selectbox(key="dp_preset").value == name
    assert by_hand.text_area(key="dp_vectors").value == PRESETS[name].vectors
    assert any(c.value == f"Preset: {PRESETS[name].note}" for c in by_hand.caption)
    by_hand.radio(key="dp_source").set_value("static").run()  # back to words: the words' preset
    assert by_hand.selectbox(key="dp_preset").value == "Dog, cat, runs, quickly"
    assert any(PRESETS["Dog, cat, runs, quickly"].note in c.value for c in by_hand.caption)


def test_own_hand_made_vectors_pick_their_axis_from_their_names():
    at = page(dp_source="hand-made")
    at.text_area(key="dp_vectors").input("sun = [1, 2, 3]\nmoon = [3, 2, 1]\nstar = [2, 2, 2]").run()
    no_exception(at)
    assert not at.warning, [w.value for w in at.warning]  # no "axis ends must be names from the box"
    assert (at.selectbox(key="dp_axis_start").value, at.selectbox(key="dp_axis_end").value) == ("sun", "moon")
    assert at.selectbox(key="dp_axis_start").options == ["sun", "moon", "star"]


def test_huge_hand_made_numbers_are_refused_before_they_overflow():
    at = page(dp_source="hand-made")
    at.text_area(key="dp_vectors").input("a = [1e308, 1e308]\nb = [1e308, 1e308]").run()
    no_exception(at)
    assert any("too large for a hand-made vector" in w.value for w in at.warning)
    assert not any(m.value in ("inf", "nan") for m in at.metric)
    at.text_area(key="dp_vectors").input("a = [nan, 1]\nb = [1, 1]").run()
    assert any("'nan' is not a number" in w.value for w in at.warning)


def test_a_long_list_without_commas_says_why_it_was_refused():
    at = page()
    at.text_area(key="dp_words").input("word" * 750).run()  # 3,000 characters, one "word"
    no_exception(at)
    assert any("more than the limit of 60" in w.value for w in at.warning)
    assert not any("Type some words" in w.value for w in at.warning)


def test_the_dimension_sentence_and_bars_follow_a_new_pair(encoder):
    """After dog/cat → dog/quickly the sentence and the bars (sorted by share, not by the rows of
    whatever data the chart held before) name the new pair's dimensions."""
    import json

    at = page()
    at.selectbox(key="dp_b").select("quickly").run()
    no_exception(at)
    X = word_vectors(["dog", "quickly"], encoder)
    top = similarity.dimension_contributions(X[0], X[1], top=12)["dimension"].head(3)
    sentence = subheader_text(at, "The 3 largest products")
    assert f"(dimensions {', '.join(str(d) for d in top)})" in sentence
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    bars = next(spec for spec in specs if spec.get("encoding", {}).get("x", {}).get("field") == "product")
    assert bars["encoding"]["y"]["sort"] == {"field": "share_of_size", "order": "descending"}


def test_presenter_mode_enlarges_every_chart_text_to_16_px():
    import json

    at = page(presenter="true")
    no_exception(at)
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert specs
    for spec in specs:
        sizes = font_sizes(spec)
        assert sizes and min(sizes) >= 16, sizes
