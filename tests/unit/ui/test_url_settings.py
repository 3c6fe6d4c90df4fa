"""The catalogue of URL settings (ui.url_settings): its small checks, and that it names the app's pages.

tests/app/test_url_settings.py drives every page to keep the catalogue equal to the widgets."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ui import journey
from ui.url_settings import APP_SETTINGS, CATALOGUE, Choice, Number, Setting, Switch, Text, setting_label

ROOT = Path(__file__).resolve().parents[3]


def test_the_catalogue_has_every_page_of_the_journey_registry():
    pages = [journey.HOME, *journey.LESSONS]
    assert list(CATALOGUE) == [lesson.url_path for lesson in pages]
    assert [page.title for page in CATALOGUE.values()] == [lesson.title for lesson in pages]


def test_the_module_is_pure_data():
    """No Streamlit and no model library: a notebook or classroom.plans can load it anywhere."""
    tree = ast.parse((ROOT / "ui" / "url_settings.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "re", "dataclasses", "geometry.models.catalogue"}


def test_labels_are_unique_on_each_page_so_a_notice_can_name_a_setting():
    for url_path, page in CATALOGUE.items():
        labels = [setting.label for setting in page.settings.values()]
        assert len(labels) == len(set(labels)), url_path


def test_keys_carry_their_page_prefix():
    prefixes = {
        "dot-products": "dp_",
        "projections": "pj_",
        "context": "cx_",
        "trace": "tr_",
        "learning": "ln_",
    }
    for url_path, prefix in prefixes.items():
        assert all(key.startswith(prefix) for key in CATALOGUE[url_path].settings), url_path


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (Choice(("PCA", "UMAP")), ["UMAP"], ["umap", "", "UMAP "]),
        (Switch(), ["true", "False", "TRUE"], ["yes", "1", ""]),
        (Number(0, 30), ["0", "30", "-0"], ["31", "-1", "1.5", "three", "", "1e1"]),
        (Number(0.0, 2.0, whole=False), ["0", "2", "0.05", "1e-3"], ["2.01", "nan", "inf", "-0.1", ""]),
        (Text(5), ["", "abc", "a\nb\tc"], ["abcdef", "a\x00", "\x1b[31m", "a\x85"]),
    ],
)
def test_each_rule_takes_what_its_widget_takes(rule, good, bad):
    assert all(rule.accepts(value) for value in good)
    assert not any(rule.accepts(value) for value in bad)


def test_a_setting_counts_its_values():
    layers = Setting("Layers shown", Number(0, 29), values=(2, 2))
    assert layers.problem(("0", "5")) is None
    assert layers.problem(("3",)) == "2 values, each a whole number from 0 to 29"
    assert layers.problem(("3", "99")) == "a whole number from 0 to 29"
    heads = Setting("Switch heads off", Text(12), values=(0, 3))
    assert heads.problem(()) is None
    assert (
        heads.problem(("L0H1",) * 4)
        == "from 0 to 3 values, each text of at most 12 characters, without control characters"
    )
    assert Setting("Method", Choice(("PCA",))).problem(("PCA", "PCA")).startswith("one value, each one of")


def test_a_setting_is_named_in_words():
    assert setting_label("tr_layer") == "Layer (Attention tab)"
    assert setting_label("pj_method", "projections") == "Method"
    assert setting_label("classroom_safe") == "Classroom-safe lists"
    assert setting_label("tr_layer", "projections") == "tr_layer"  # not a setting of that page
    assert set(APP_SETTINGS) == {"presenter", "classroom_safe"}  # ui/page.py PRESENTER_KEY, CLASSROOM_KEY


def test_text_limits_are_at_least_the_pages_own():
    """A view the page accepts is never refused by a plan: the limits here are the pages' limits."""
    from geometry.context import senses
    from geometry.learning import gradients as learning
    from geometry.learning import training
    from geometry.words import handmade, tokens, wordlists, wordsets

    settings = {key: s for page in CATALOGUE.values() for key, s in page.settings.items()}
    assert settings["dp_words"].rule.max_chars >= wordlists.MAX_LIST_CHARS
    assert settings["dp_vectors"].rule.max_chars >= handmade.MAX_TEXT_CHARS
    assert settings["pj_words"].rule.max_chars >= wordsets.MAX_TEXT_CHARS
    assert settings["cx_sentences"].rule.max_chars >= senses.MAX_SENTENCES * (senses.MAX_SENTENCE_CHARS + 1)
    assert settings["ln_text"].rule.max_chars >= learning.MAX_TEXT_CHARS
    assert settings["ln_steps"].rule.high == training.MAX_STEPS
    assert settings["dp_neighbour"].rule.max_chars >= tokens.MAX_WORD_CHARS


def test_the_model_lists_are_the_apps():
    from geometry.models import catalogue as models

    assert set(CATALOGUE["dot-products"].settings["dp_model"].rule.options) == set(models.MODELS)
    assert list(CATALOGUE["trace"].settings["tr_model"].rule.options) == models.TRACE_CHOICES
    assert list(CATALOGUE["learning"].settings["ln_model"].rule.options) == models.CAUSAL_LM_CHOICES


def test_the_examples_in_the_docstrings_hold():
    import doctest

    import ui.url_settings

    results = doctest.testmod(ui.url_settings)
    assert results.attempted and results.failed == 0
