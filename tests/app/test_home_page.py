"""The home page: the journey links each step to the lesson, and the settings, that show it, and
presents the journey from there (the link names the Start here plan and the step)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from classroom.presenting import Position
from ui import journey

APP = str(Path(__file__).resolve().parents[2] / "app.py")
LESSONS = {lesson.url_path: lesson for lesson in journey.LESSONS}


def home() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120).run()


def test_every_step_links_to_its_lesson_with_its_settings():
    at = home()
    assert not at.exception
    links = {link.value: link.proto for link in at.get("page_link")}
    plan = journey.PLANS[journey.JOURNEY_PLAN]
    for index, step in enumerate(journey.JOURNEY):
        link = links[step.title]
        assert link.page.strip("/") == step.page
        query = dict(urllib.parse.parse_qsl(link.query_string))
        assert query == step.query | {"lesson": journey.JOURNEY_PLAN, "lesson_step": str(index + 1)}
        assert query == Position(plan, index, journey.JOURNEY_PLAN).query


@pytest.mark.slow
@pytest.mark.parametrize("step", [s for s in journey.JOURNEY if s.settings], ids=lambda s: s.title)
def test_a_link_opens_the_lesson_in_the_state_it_promises(step):
    """Following the link (its query parameters) gives the promised widget value, without errors."""
    at = AppTest.from_file(str(Path(APP).parent / LESSONS[step.page].path), default_timeout=240)
    at.query_params.update(step.query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for key, value in step.settings:
        if key == "tr_tab":
            drawn = {tab.label: len(tab.children) for tab in at.tabs}
            assert drawn[value] > 0 and sum(drawn.values()) == drawn[value]  # only that tab is drawn
        else:
            assert at.session_state[key] == value
