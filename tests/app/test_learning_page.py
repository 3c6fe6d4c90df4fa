"""The Learning page through AppTest: real numbers on screen, presets, the URL, training, hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geometry.learning import gradients as learning

pytestmark = pytest.mark.slow

PAGE = str(Path(__file__).resolve().parents[2] / "lessons" / "learning.py")
DEFAULT_TEXT = "The dog ran to the park."


def open_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_default_view_shows_the_models_numbers(causal_lm):
    at = open_page()
    assert not at.exception
    assert at.text_area(key="ln_text").value == DEFAULT_TEXT
    grads = learning.embedding_gradients(causal_lm, DEFAULT_TEXT)
    summary = learning.path_summary(grads)
    shown = metrics(at)
    assert shown["Mean loss (nats)"] == f"{grads.loss:.3f}"
    assert shown["Rows hit by the input lookup"] == f"{summary.input_rows:,}" == "6"
    assert shown["Rows hit by the output projection"] == f"{summary.output_rows:,}"
    assert "Loss after" not in shown  # training waits for the toggle
    labels = [button.label for button in at.get("download_button")]
    assert "Download CSV" in labels and "Download chart (SVG)" in labels


def test_preset_and_url_restore_the_text():
    at = open_page()
    at.selectbox(key="ln_preset").set_value("The cat sat").run()
    assert not at.exception
    assert at.text_area(key="ln_text").value == "The cat sat on the mat."
    restored = open_page(ln_text="Gravity pulls mass.")
    assert not restored.exception
    assert restored.text_area(key="ln_text").value == "Gravity pulls mass."


def test_training_a_copy_lowers_the_loss(causal_lm):
    at = open_page(ln_text="The cat sat.")
    at.radio(key="ln_optimizer").set_value("sgd")
    at.slider(key="ln_steps").set_value(1)
    at.select_slider(key="ln_lr").set_value(1e-3)
    at.toggle(key="ln_train").set_value(True).run()
    assert not at.exception
    shown = metrics(at)
    before, after = float(shown["Loss before"]), float(shown["Loss after"])
    assert after < before
    assert before == pytest.approx(learning.embedding_gradients(causal_lm, "The cat sat.").loss, abs=1e-3)
    assert at.selectbox(key="ln_token").options  # the nearest-neighbour chooser lists the text's tokens
    assert not any("went up" in w.value for w in at.warning)


INVALID = [
    "",
    "   \n\t ",
    "🙂🙂🙂",
    "!!! ??? ...",
    "\x00\x01\x07\x1b",
    "x" * 5000,
    " ".join(["word"] * 600),
]
VALID_BUT_ODD = ["1e309", "<script>alert('hi')</script>"]


def test_hostile_input_warns_and_keeps_the_text():
    at = open_page()
    for text in INVALID:
        at.text_area(key="ln_text").set_value(text).run()
        assert not at.exception, repr(text[:20])
        assert at.text_area(key="ln_text").value == text
        assert at.warning, f"no warning for {text[:20]!r}"
        assert "Mean loss (nats)" not in metrics(at)
        assert at.header[-1].value == "4. What one step costs"  # the rest of the page still renders
    for text in VALID_BUT_ODD:
        at.text_area(key="ln_text").set_value(text).run()
        assert not at.exception, text
        assert at.text_area(key="ln_text").value == text
        assert float(metrics(at)["Mean loss (nats)"]) > 0
