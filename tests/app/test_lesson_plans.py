"""Every step of every bundled lesson plan (lesson_plans/*.toml) opens on its page without an error, and
the page takes every setting of the step: each widget then shows the step's value."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom.plans import Step, read_plan
from tests.app.test_url_settings import bound_widgets, open_page, shown_values
from ui.page.links import unused_url_settings
from ui.url_settings import CATALOGUE

pytestmark = pytest.mark.slow
PLANS = sorted((Path(__file__).resolve().parents[2] / "lesson_plans").glob("*.toml"))
STEPS = [
    (path.stem, number, step)
    for path in PLANS
    for number, step in enumerate(read_plan(path.read_bytes(), CATALOGUE).steps, 1)
]


def same(asked: tuple[str, ...], shown: tuple[str, ...]) -> bool:
    """Whether a widget shows what the URL asked for: the same text, number or switch."""
    if len(asked) != len(shown):
        return False
    for a, b in zip(asked, shown, strict=True):
        try:
            equal = a == b or a.lower() == b.lower() or float(a) == float(b)
        except ValueError:
            equal = False
        if not equal:
            return False
    return True


@pytest.mark.parametrize(
    ("plan", "number", "step"), STEPS, ids=[f"{plan}-{number}" for plan, number, _ in STEPS]
)
def test_every_step_opens_with_its_settings_taken(plan: str, number: int, step: Step):
    at = open_page(step.page, step.query)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "the page stopped before its title"
    widgets = bound_widgets(at)
    for key, value in step.settings:
        asked = (value,) if isinstance(value, str) else value
        assert key in widgets, f"{plan} step {number}: {key} is not on the page in this view"
        shown = shown_values(widgets[key], at, key)
        assert same(asked, shown), f"{plan} step {number}: {key} asked {asked}, the page shows {shown}"
    assert not at.error, [e.value for e in at.error]  # e.g. a model that could not load
    # nor does the app's notice claim a setting was not used (app.py shows it above the page)
    asked = {key: [value] if isinstance(value, str) else list(value) for key, value in step.settings}
    shown = lambda key: shown_values(widgets[key], at, key) if key in widgets else None  # noqa: E731
    assert unused_url_settings(asked, step.page, shown) == ([], [])
