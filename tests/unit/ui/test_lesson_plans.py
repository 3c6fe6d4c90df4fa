"""The bundled lesson plans (lesson_plans/*.toml) read and validate against the app's real catalogue.

tests/app/test_lesson_plans.py opens every step of every plan on its page."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom.plans import plan_to_toml, read_plan
from ui import journey
from ui.url_settings import CATALOGUE

FOLDER = Path(__file__).resolve().parents[3] / "lesson_plans"
PLANS = sorted(FOLDER.glob("*.toml"))


def read(path: Path):
    return read_plan(path.read_bytes(), CATALOGUE)


def test_the_lessons_are_bundled():
    titles = {read(path).title: read(path).minutes for path in PLANS}
    assert titles["How a model chooses the next word"] == 45
    assert titles["Why 'bank' changes with its sentence"] == 20
    assert titles["What one gradient step moves"] == 15
    assert "Start here: the journey of one token" in titles


@pytest.mark.parametrize("path", PLANS, ids=[path.stem for path in PLANS])
def test_every_bundled_plan_validates_and_round_trips(path):
    plan = read(path)  # raises PlanError, naming the step, if any page, setting or text is wrong
    assert plan.steps
    assert read_plan(plan_to_toml(plan).encode(), CATALOGUE) == plan


@pytest.mark.parametrize("path", [p for p in PLANS if p.stem != "start_here"], ids=lambda p: p.stem)
def test_every_lesson_asks_the_class_to_predict(path):
    plan = read(path)
    questions = [step.question for step in plan.steps if step.question is not None]
    assert len(questions) >= 2
    assert all(question.wording for question in questions)  # the class reads the teacher's question
    assert all(step.note for step in plan.steps)  # every step has its note for the teacher


def test_start_here_is_the_home_pages_journey():
    """One source: the home page's journey is the plan's steps, and the app offers every bundled plan."""
    assert read(FOLDER / "start_here.toml").steps == journey.JOURNEY
    assert {p.stem: read(p) for p in PLANS} == journey.PLANS
    assert next(iter(journey.PLANS)) == journey.JOURNEY_PLAN  # the first plan offered


def test_the_example_in_the_readme_is_a_valid_plan():
    readme = (FOLDER / "README.md").read_text()
    example = readme.split("```toml\n")[1].split("```")[0]
    assert read_plan(example.encode(), CATALOGUE).steps[0].question.kind == "closer_pair"
