"""A class that follows, in real browsers: a teacher presents a ready-made lesson and two students
follow her steps without a reload; one explores on his own (the teacher's next step leaves him
where he is), sends the view he found with a note, and comes back; the teacher shows his finding on
the projector as the lesson's next step, and the student who kept following sees it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser import LOAD_MS, SCREENSHOTS, settle
from tests.e2e.test_classroom import REACH_MS, join_by_link, main, start_class

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FOLLOWING = ".st-key-class_following"  # the student's line above the page
SIDEBAR = "[data-testid='stSidebar']"
KING, DOG = "king = [9, -5, 6]", "dog = [0.7, 0.2, 0.5]"  # the vectors of next_word's steps 2 and 3


def following(student, says: str) -> None:
    """Wait until the student's line says ``says`` (the page under it has moved with it)."""
    student.locator(FOLLOWING).get_by_text(says).wait_for(timeout=REACH_MS)


def on_step(student, vectors: str) -> None:
    """Wait until the student's Dot products page shows the step's hand-made vectors (a setting equal
    to the page's default is not repeated in the address, so the page itself is read)."""
    box = main(student).get_by_role("textbox", name="Hand-made vectors, one per line")
    expect(box).to_have_value(re.compile("^" + re.escape(vectors)), timeout=REACH_MS)
    settle(student)


def test_two_students_follow_the_teacher_one_explores_sends_a_finding_and_the_class_sees_it(
    app_url, new_context
):
    teacher = new_context().new_page()
    teacher.goto(app_url + "/", wait_until="commit")
    settle(teacher)
    code, key = start_class(teacher)
    ada, bo = new_context().new_page(), new_context().new_page()
    join_by_link(ada, app_url, code, "Ada")
    join_by_link(bo, app_url, code, "Bo")

    # The teacher presents "How a model picks the next word" from its second step (king · queen).
    teacher.goto(f"{app_url}/?resume={key}&lesson=next_word&lesson_step=2", wait_until="commit")
    main(teacher).get_by_text("Multiply and add: king · queen").first.wait_for(timeout=LOAD_MS)
    for student in (ada, bo):
        following(student, "step 2 of 14: Multiply and add: king · queen")
        on_step(student, KING)
        assert "lesson=" not in student.url  # the teacher's bar (and her notes) stay hers

    # Bo explores on his own: the teacher's next step moves Ada only.
    bo.get_by_role("button", name="Explore on my own").click()
    bo.get_by_text("You are exploring on your own").wait_for(timeout=REACH_MS)
    assert "exploring=true" in bo.url
    teacher.get_by_role("button", name="▶").click()
    following(ada, "step 3 of 14: With decimals: dog · cat")
    on_step(ada, DOG)
    on_step(bo, KING)  # he stays where he was
    assert "exploring=true" in bo.url

    # He sends the view he is on (king · queen) with a note, then comes back to the teacher.
    sidebar = bo.locator(SIDEBAR)
    sidebar.get_by_role("textbox", name="A note for the teacher (one line)").fill("king and queen agree")
    sidebar.get_by_role("button", name="Send to the teacher").click()
    sidebar.get_by_text("Sent to the teacher").wait_for(timeout=REACH_MS)
    bo.get_by_role("button", name="Back to the teacher").click()
    following(bo, "step 3 of 14: With decimals: dog · cat")
    on_step(bo, DOG)
    assert "exploring" not in bo.url

    # The teacher's inbox shows it; one click shows it on the projector, as the lesson's next step.
    main(teacher).get_by_text("1 new, 1 in all").wait_for(timeout=REACH_MS)
    main(teacher).get_by_text("Students' findings").click()
    main(teacher).get_by_text("Bo · Dot products: king and queen agree").wait_for(timeout=REACH_MS)
    main(teacher).get_by_role("button", name="Show on the projector").click()
    teacher.get_by_text("Step 4 of 15").wait_for(timeout=REACH_MS)
    for student in (ada, bo):
        following(student, "step 4 of 15")
        on_step(student, KING)
        assert student.locator("[data-testid='stException']").count() == 0
    ada.screenshot(path=str(SCREENSHOTS / "class-following-finding.png"))
