"""The catalogue of URL settings (ui.url_settings) is true: every page, driven by AppTest in the states
that show all its widgets, binds to the URL exactly the catalogue's keys, under the catalogue's names,
with the catalogue's options and ranges.

The helpers here (``bound_widgets``, ``shown_values``) are also used by tests/app/test_lesson_plans.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from ui import journey
from ui.url_settings import APP_SETTINGS, CATALOGUE, Choice, Number, Setting, Switch, Text

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
# Start here runs inside app.py (its links need the app's navigation), the lessons on their own.
SCRIPTS = {"home": "app.py"} | {lesson.url_path: lesson.path for lesson in journey.LESSONS}

# The settings under which each page shows the widgets it hides otherwise; every state is run once.
LONG_PROMPT = "The dog that chased the cat was tired"  # more tokens than the lens grid shows: its slider
STATES = {
    "home": [{}],
    "dot-products": [{}, {"dp_source": "hand-made"}],
    "projections": [
        {},
        {"pj_method": "UMAP"},
        {"pj_method": "t-SNE"},
        {"pj_method": "Custom"},
        {"pj_view": "Vocabulary"},
    ],
    "context": [{}, {"cx_model": "causal LM"}],
    "trace": [{"tr_tab": tab} for tab in CATALOGUE["trace"].settings["tr_tab"].rule.options]
    + [
        # a link that sets a folded section's setting opens the section (ui.page.frames.folded)
        {"tr_tab": "Whole model", "tr_prompt": LONG_PROMPT, "tr_mv_layer": "0", "tr_neuron": "0"},
        {"tr_tab": "Why this token", "tr_clean": "The capital of France is"},
        {"tr_tab": "Experiments", "tr_model": "all-MiniLM-L6-v2"},
    ],
    "learning": [{}, {"ln_train": "true", "ln_steps": "1"}],
}
# Which kinds of widget each rule may describe; a setting that depends on other inputs may be any
# picker whose options the page builds (a token, a layer, an occurrence).
WIDGETS = {
    Choice: {"Selectbox", "Radio", "ButtonGroup", "SelectSlider", "Tabs"},
    Switch: {"Toggle", "Checkbox"},
    Number: {"Slider", "NumberInput"},
    Text: {"TextInput", "TextArea"},
}
PICKERS = {"Selectbox", "Radio", "SelectSlider", "Multiselect"}


def open_page(url_path: str, query: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / SCRIPTS[url_path]), default_timeout=600)
    at.query_params.update(query)
    return at.run()


def query_param_key(node: object) -> str | None:
    """The URL key a widget (or a tab container) is bound to, if any."""
    proto = getattr(node, "proto", None)
    fields = proto.DESCRIPTOR.fields_by_name if hasattr(proto, "DESCRIPTOR") else {}
    if "tab_container" in fields and proto.HasField("tab_container"):  # a row of tabs is a Block
        proto = proto.tab_container
    return getattr(proto, "query_param_key", "") or None


def bound_widgets(at: AppTest, where: str = "main") -> dict[str, object]:
    """Every element of the page (or the sidebar) bound to the URL, by its key (tabs: their Block)."""
    found: dict[str, object] = {}

    def walk(node: object) -> None:
        key = query_param_key(node)
        if key:
            found[key] = node
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(getattr(at, where))
    return found


def kind_of(node: object) -> str:
    return "Tabs" if isinstance(node, Block) else type(node).__name__


def options_of(node: object) -> list[str]:
    """A picker's options as the URL writes them."""
    if isinstance(node, Block):
        return [tab.label for tab in node.children.values()]
    return list(node.options)


def _number(value: object) -> str:
    """A number as the URL writes it: 2.0 → "2" (as Streamlit writes query parameters)."""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value)


def shown_values(node: object, at: AppTest, key: str) -> tuple[str, ...]:
    """The widget's current value as URL text, to compare with what a link asked for."""
    if isinstance(node, Block):
        return (str(at.session_state[key]),)
    value = node.value
    if kind_of(node) in ("Toggle", "Checkbox"):
        return ("true" if value else "false",)
    if kind_of(node) in ("Slider", "NumberInput"):
        return tuple(_number(v) for v in value) if isinstance(value, list | tuple) else (_number(value),)
    if hasattr(node, "format_func"):
        many = value if isinstance(value, list | tuple) else [] if value is None else [value]
        return tuple(str(node.format_func(v)) for v in many)
    return (str(value),)


@pytest.fixture(scope="module", params=list(STATES))
def page(request):
    """One page run in each of its states: (url path, {key: widget as first seen})."""
    url_path, seen = request.param, {}
    for query in STATES[url_path]:
        at = open_page(url_path, query)
        assert not at.exception, (query, [e.value for e in at.exception])
        for key, node in bound_widgets(at).items():
            seen.setdefault(key, node)
    return url_path, seen


def test_the_sidebar_binds_the_apps_own_settings():
    at = open_page("home", {})
    assert not at.exception
    widgets = bound_widgets(at, "sidebar")
    assert set(widgets) == set(APP_SETTINGS)
    for key, node in widgets.items():
        assert node.label == APP_SETTINGS[key].label and kind_of(node) in WIDGETS[Switch]


def test_every_url_setting_of_the_page_is_in_the_catalogue_and_back(page):
    url_path, seen = page
    catalogue = CATALOGUE[url_path].settings
    assert sorted(set(seen) - set(catalogue)) == [], f"bound on {url_path}, missing from ui/url_settings.py"
    assert sorted(set(catalogue) - set(seen)) == [], f"in ui/url_settings.py, not bound on {url_path}"


def catalogued(page: tuple[str, dict]) -> Iterator[tuple[str, object, Setting]]:
    """(key, widget, its setting) for each bound widget the catalogue names (the others fail above)."""
    url_path, seen = page
    for key, node in seen.items():
        if key in CATALOGUE[url_path].settings:
            yield key, node, CATALOGUE[url_path].settings[key]


def test_each_setting_describes_its_widget(page):
    for key, node, setting in catalogued(page):
        kind = kind_of(node)
        allowed = WIDGETS[type(setting.rule)] | (PICKERS if setting.depends_on else set())
        assert kind in allowed, f"{key}: a {kind} is not a {type(setting.rule).__name__}"
        if kind != "Tabs":  # the label in words is the widget's own, with the tab or section after it
            assert node.label.startswith(setting.label.split(" (")[0]), (key, node.label, setting.label)


def test_fixed_options_and_ranges_are_the_widgets(page):
    for key, node, setting in catalogued(page):
        if isinstance(setting.rule, Choice):
            options = options_of(node)
            if setting.depends_on:  # e.g. the second model: every model but the first
                assert set(options) <= set(setting.rule.options), key
            else:
                assert options == list(setting.rule.options), key
        if isinstance(setting.rule, Number) and not setting.depends_on:
            assert (node.min, node.max) == (setting.rule.low, setting.rule.high), key


MACHINE_STATE = re.compile(r"unavailable|not on this machine|\(p = ")  # this machine's state, live numbers


def test_url_values_are_plain_settings(page):
    """What a picker writes in the URL is the setting alone: not whether this machine can load a model
    ("gpt2 (unavailable here)"), nor a number the model computed ("␣Paris  (p = 0.412)")."""
    for key, node, _setting in catalogued(page):
        if kind_of(node) in PICKERS | {"ButtonGroup"}:
            stated = [option for option in options_of(node) if MACHINE_STATE.search(option)]
            assert stated == [], (key, stated)
