"""The "Words in context" page driven by AppTest on the encoder: presets, layers, switches, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geometry.context import attention, tables
from geometry.context import occurrences as cx
from geometry.context.senses import PRESETS
from tests.app.test_true_words import shown

PAGE = str(Path(__file__).resolve().parents[2] / "lessons" / "context.py")
pytestmark = pytest.mark.slow

HOSTILE = [
    "",
    "   ",
    "🙂🎉🚀",
    "?!.,;:",
    "x" * 5000,
    " ".join(["word"] * 600),
    "1e309",
    "<script>alert('bank')</script>",
    "bank\x00\x07\x1b",
    "zzqxjv",
]


def page(**state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def metric(at: AppTest, label: str) -> float:
    return float(next(m.value for m in at.metric if m.label == label))


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture(scope="module")
def expected(encoder):
    """The bank preset's numbers, computed without the page."""
    preset = PRESETS["bank"]
    occ = cx.find_occurrences(
        encoder, [s for _, s in preset.sentences], "bank", [sense for sense, _ in preset.sentences]
    )
    return tables.layer_table(occ, cx.reference_statistics(encoder))


def test_default_view_shows_the_top_layer_numbers(expected):
    at = page()
    no_exception(at)
    assert at.text_input(key="cx_word").value == "bank"
    assert at.select_slider(key="cx_layer").value == "layer 6"
    top = expected.iloc[-1]
    assert metric(at, "Self-similarity") == pytest.approx(top.self_similarity, abs=5e-4)
    assert metric(at, "Within sense") == pytest.approx(top.within_sense, abs=5e-4)
    assert metric(at, "Within sense") > metric(at, "Across senses")
    assert any("same embedding row in all 15" in s.value for s in at.success)
    assert at.download_button(key="cx_csv")
    assert any("300 characters" in c.value for c in at.caption)  # limits are stated


def test_static_layer_is_identical_and_standardising_removes_the_baseline():
    at = page()
    at.select_slider(key="cx_layer").set_value("static").run()
    no_exception(at)
    assert metric(at, "Self-similarity") == pytest.approx(1.0)
    at.select_slider(key="cx_layer").set_value("layer 3").run()
    raw_baseline = metric(at, "Baseline (random words)")
    at.toggle(key="cx_standardise").set_value(True).run()
    no_exception(at)
    assert raw_baseline > 0.1
    assert abs(metric(at, "Baseline (random words)")) < 0.05


def test_choosing_a_preset_fills_the_word_and_sentences():
    at = page()
    at.selectbox(key="cx_preset").set_value("crane").run()
    no_exception(at)
    assert at.text_input(key="cx_word").value == "crane"
    assert at.text_area(key="cx_sentences").value == PRESETS["crane"].as_text()
    assert any("same embedding row in all 12" in s.value for s in at.success)


def test_word_twice_and_a_split_word_are_reported():
    text = "river: The bank by the river bank.\nmoney: The bank is closed."
    at = page(cx_word="bank", cx_sentences=text)
    no_exception(at)
    table = at.dataframe[0].value
    assert table["occurrence"].tolist() == ["S1.1", "S1.2", "S2"]
    at = page(cx_word="flavourful", cx_sentences="A flavourful soup.\nThe flavourful bread.")
    no_exception(at)
    assert any("several tokens" in i.value for i in at.info)


def test_sentence_without_the_word_is_named_and_the_rest_still_renders():
    text = "The bank is open.\nThe river is wide."
    at = page(cx_sentences=text)
    no_exception(at)
    assert any("“The river is wide.”" in w.value for w in at.warning)
    assert at.text_area(key="cx_sentences").value == text
    assert at.expander  # the explanation and glossary still render


@pytest.mark.parametrize("box", ["cx_word", "cx_sentences"])
def test_hostile_input_gives_a_warning_and_keeps_the_text(box):
    at = page()
    widget = at.text_input(key=box) if box == "cx_word" else at.text_area(key=box)
    for text in HOSTILE:
        widget.set_value(text).run()
        no_exception(at)
        assert at.warning, (box, text[:20])
        widget = at.text_input(key=box) if box == "cx_word" else at.text_area(key=box)
        assert widget.value == text


def test_unlabelled_sentences_leave_the_sense_comparison_undefined():
    at = page(cx_sentences="The bank is open.\nWe sat on the bank.\nThe bank lent money.")
    no_exception(at)
    assert next(m.value for m in at.metric if m.label == "Across senses") == "–"
    assert 0 < metric(at, "Self-similarity") < 1
    assert any("Label the sentences" in md.value for md in at.markdown)


# --------------------------------------------------------------------------- where the context comes from


def test_two_occurrences_in_different_senses_show_their_attention_and_moves(encoder):
    at = page()
    no_exception(at)
    # the defaults: S1 (river) and the first in another sense, S6 (money)
    assert (at.selectbox(key="cx_focus_a").value, at.selectbox(key="cx_focus_b").value) == ("S1", "S6")
    assert any("looks **both ways**" in md.value for md in at.markdown)
    river = attention.occurrence_context(encoder, PRESETS["bank"].sentences[0][1], "bank", 1)
    top = attention.strongest_context(river, layer_index=6)
    first_word = top["key_label"].iloc[0].split(" ", 1)[1]
    captions = [shown(c.value) for c in at.caption if "looks most at" in c.value]
    assert len(captions) == 2
    assert f"{first_word} ({top['probability'].iloc[0]:.2f})" in captions[0]
    words = attention.strongest_context(river, layer_index=6, words_only=True)
    assert f"Among the words alone: {words['key_label'].iloc[0].split(' ', 1)[1]} (" in captions[0]
    assert at.download_button(key="cx_attention_csv") and at.download_button(key="cx_changes_csv")


def test_every_head_of_one_layer_and_another_pair(encoder):
    at = page()
    at.radio(key="cx_focus_heads").set_value("every head, one layer").run()
    at.select_slider(key="cx_focus_layer").set_value(2).run()
    at.selectbox(key="cx_focus_b").set_value("S11").run()
    no_exception(at)
    plane = attention.occurrence_context(encoder, PRESETS["bank"].sentences[10][1], "bank", 1)
    top = attention.strongest_context(plane, layer_index=2)
    captions = [c.value for c in at.caption if "looks most at" in c.value]
    assert captions[1].startswith("At layer 2") and f"({top['probability'].iloc[0]:.2f})" in captions[1]
    assert any("S11 · aeroplane" in md.value for md in at.markdown)


def test_the_causal_model_looks_only_back():
    at = page(cx_model="causal LM")
    no_exception(at)
    assert any("looks **only back**" in md.value for md in at.markdown)
    assert at.select_slider(key="cx_focus_layer").value == 30


@pytest.mark.parametrize(
    "query",
    [
        {"cx_focus_a": "S999", "cx_focus_b": "<script>"},
        {"cx_focus_layer": "99"},
        {"cx_focus_layer": "-1", "cx_focus_heads": "all of them"},
    ],
)
def test_hostile_links_to_the_new_controls_fall_back_to_defaults(query):
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.query_params.update(query)
    at.run()
    no_exception(at)
    assert len([c for c in at.caption if "looks most at" in c.value]) == 2


def test_one_sentence_per_sense_says_why_there_is_no_within_sense_pair():
    at = page(cx_sentences="money: The bank lent money.\nriver: We sat on the bank.")
    no_exception(at)
    summary = next(md.value for md in at.markdown if "Self-similarity goes from" in md.value)
    assert "Label the sentences" not in summary
    assert "different senses average" in summary and "second sentence" in summary
    assert any("Colours run from -1 to 1" in c.value for c in at.caption)


def nearest_table(at: AppTest):
    return next(d.value for d in at.dataframe if "nearest" in d.value.columns)


def test_classroom_safe_lists_mask_an_offensive_neighbour_and_keep_the_numbers():
    """ "Sexual" was among the causal LM's nearest words for "bank" at layer 2 on a projector."""
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.query_params.update({"cx_model": "causal LM", "cx_layer": "layer 2"})
    at.run()
    no_exception(at)
    masked = nearest_table(at)["nearest"].str.cat(sep=" ")
    shown = AppTest.from_file(PAGE, default_timeout=300)
    shown.query_params.update({"cx_model": "causal LM", "cx_layer": "layer 2", "classroom_safe": "false"})
    shown.run()
    everything = nearest_table(shown)["nearest"].str.cat(sep=" ")
    assert "sexual" in everything.lower() and "sexual" not in masked.lower()
    assert "▒▒▒" in masked and any("Classroom-safe" in c.value for c in at.caption)
    # the same cosines, in the same places: only the word itself is hidden
    assert re.findall(r"\d\.\d\d", masked) == re.findall(r"\d\.\d\d", everything)
