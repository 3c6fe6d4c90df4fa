"""Presenting a plan (classroom.presenting): the position as one small value, its address, and a step
made from a page's URL settings, checked against the app's real catalogue (ui.url_settings)."""

from __future__ import annotations

import doctest

import pytest

import classroom.presenting
from classroom.plans import Plan, PlanError, Question, Step, check_plan, replace_step, text_problem
from classroom.presenting import (
    PLAN_PARAMETER,
    STEP_PARAMETER,
    Position,
    class_position,
    inserted_after,
    needs_opening,
    position_from_query,
    step_view,
    view_step,
)
from ui.url_settings import CATALOGUE, LESSON_SETTINGS, setting_label

ATTENTION = Step("trace", "Attention", "Ask first.", (("tr_tab", "Attention"), ("tr_layer", "13")))
BY_HAND = Step("dot-products", "By hand", settings=(("dp_source", "hand-made"),))
PLAN = Plan("Lesson", 20, steps=(BY_HAND, ATTENTION, Step("learning", "Learning")))
PLANS = {"start_here": PLAN}


def test_a_position_is_the_step_its_page_and_its_settings():
    position = Position(PLAN, 1)
    assert (position.number, position.count, position.page) == (2, 3, "trace")
    assert position.settings == {"tr_tab": "Attention", "tr_layer": "13"}
    assert position.query == position.settings  # the teacher's own plan: nothing in the address


def test_a_bundled_plan_carries_its_place_in_the_address_and_reads_back():
    position = Position(PLAN, 2, "start_here")
    assert position.query == {"lesson": "start_here", "lesson_step": "3"}
    assert position_from_query(position.query, PLANS) == position
    assert position_from_query({"lesson": ["start_here"], "lesson_step": ["1", "2"]}, PLANS).index == 1


def test_moving_stays_within_the_plan():
    position = Position(PLAN, 0)
    assert position.moved(1).index == 1 and position.moved(-1).index == 0 and position.moved(9).index == 2
    with pytest.raises(IndexError):
        Position(PLAN, 3)


def test_an_edited_plan_keeps_the_place_where_it_can():
    position = Position(PLAN, 2)
    shorter = Plan("Lesson", 20, steps=PLAN.steps[:2])
    assert position.within(shorter) == Position(shorter, 1)
    assert position.within(Plan("Lesson", 20)) is None


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ({"lesson": "secrets", "lesson_step": "1"}, "names a lesson plan 'secrets' that is not here"),
        ({"lesson": "<script>", "lesson_step": "1"}, "not repeated here"),
        (
            {"lesson": "start_here", "lesson_step": "4"},
            "names step '4' of the plan 'Lesson', which has steps 1 to 3",
        ),
        ({"lesson": "start_here", "lesson_step": "0"}, "step '0'"),
        ({"lesson": "start_here", "lesson_step": "two"}, "step 'two'"),
        ({"lesson": "start_here"}, "names step ''"),
        ({"lesson_step": "2"}, "names a lesson plan ''"),
    ],
)
def test_a_link_to_a_missing_plan_or_step_is_a_sentence(query, sentence):
    with pytest.raises(PlanError) as refused:
        position_from_query(query, PLANS)
    assert sentence in str(refused.value)
    assert text_problem(str(refused.value), 10_000) is None  # plain: safe to show as it is


def test_a_view_keeps_the_pages_catalogued_settings_in_catalogue_order():
    query = {
        "tr_tab": ["Attention"],
        "tr_prompt": ["The dog that chased the cat was"],
        "presenter": ["true"],  # the sidebar's, not the view's
        "classroom_safe": ["false"],
        "class": ["ABC234"],  # a class code: never part of a plan
        "lesson": ["start_here"],
        "lesson_step": ["3"],
        "embed": ["true"],
        "dp_source": ["static"],  # another page's setting
    }
    step, left_out = view_step("trace", query, CATALOGUE)
    assert step.settings == (("tr_prompt", "The dog that chased the cat was"), ("tr_tab", "Attention"))
    assert (step.page, step.title, left_out) == ("trace", "Inside the model · Attention", [])
    check_plan(Plan("L", 5, steps=(step,)), CATALOGUE)  # a step made from a view is a valid step


def test_a_value_the_catalogue_refuses_is_left_out_and_named():
    step, left_out = view_step("trace", {"tr_temperature": ["9"], "tr_mv_layers": ["0", "5"]}, CATALOGUE)
    assert step.settings == (("tr_mv_layers", ("0", "5")),)  # a range keeps its two values
    assert left_out == ["Temperature"]


def test_a_view_is_named_by_its_page_and_its_tab_or_preset():
    assert view_step("home", {}, CATALOGUE)[0].title == "Start here"
    assert view_step("context", {"cx_preset": ["crane"]}, CATALOGUE)[0].title == "Words in context · crane"
    assert view_step("dot-products", {"dp_source": ["hand-made"]}, CATALOGUE, " Mine ")[0].title == "Mine"


def test_a_page_that_is_not_a_lesson_is_not_a_view():
    with pytest.raises(PlanError, match="cannot be a step of a lesson"):
        view_step("my-lesson", {}, CATALOGUE)


def test_a_step_is_replaced_only_when_the_catalogue_accepts_it():
    asked = Step("trace", "Attention", "Ask first.", ATTENTION.settings, Question("attention", "Where?"))
    assert replace_step(PLAN, 1, asked, CATALOGUE).steps[1] == asked
    with pytest.raises(PlanError, match=r"^Step 2 \('Attention'\): the note contains an HTML tag"):
        replace_step(PLAN, 1, Step("trace", "Attention", "<b>now</b>"), CATALOGUE)
    with pytest.raises(PlanError, match="cannot ask a closer_pair question"):
        replace_step(PLAN, 1, Step("trace", "Attention", question=Question("closer_pair")), CATALOGUE)


def test_the_examples_in_the_docstrings_hold():
    results = doctest.testmod(classroom.presenting)
    assert results.attempted and results.failed == 0


def test_the_address_parameters_are_named_in_words_beside_the_sidebars():
    assert set(LESSON_SETTINGS) == {PLAN_PARAMETER, STEP_PARAMETER}
    assert setting_label("lesson_step") == "Step of the lesson plan"
    assert not set(LESSON_SETTINGS) & {key for page in CATALOGUE.values() for key in page.settings}


# ------------------------------------------------------------------------------ a class that follows


def test_the_class_step_of_a_bundled_plan_names_it_and_a_student_opens_only_the_view():
    published = Position(PLAN, 1, "start_here").query  # what the class keeper publishes
    back = class_position(1, published, Plan("Mine", 5), PLANS)
    assert (back.name, back.index) == ("start_here", 1)
    assert step_view(published) == ATTENTION.query  # no marker: a student gets no presenter bar


def test_the_class_step_of_the_teachers_own_plan_is_read_in_that_plan():
    own = Plan("Mine", 5, steps=(BY_HAND, ATTENTION))
    assert class_position(1, ATTENTION.query, own, PLANS) == Position(own, 1)
    assert class_position(0, {"lesson": "gone", "lesson_step": "1"}, own, PLANS) == Position(own, 0)


def test_a_student_opens_each_new_step_once():
    opened = None
    for version in (0, 1, 1, 2, 2, 5):
        if needs_opening(opened, version):
            opened = version
    assert opened == 5 and not needs_opening(5, 5)


def test_a_finding_goes_after_the_presented_step_or_at_the_end():
    found = Step("context", "Found")
    assert inserted_after(Position(PLAN, 2), PLAN, found).index == 3
    assert inserted_after(None, PLAN, found).plan.steps[-1] == found
    named = inserted_after(Position(PLAN, 0, "start_here"), Plan("Mine", 5), found)
    assert named.name == "" and named.plan.steps[1] == found  # a bundled plan becomes the teacher's own
    full = Plan("Full", 5, steps=(BY_HAND,) * 60)
    with pytest.raises(PlanError, match="at most 60 steps"):
        inserted_after(Position(full, 0), full, found)
