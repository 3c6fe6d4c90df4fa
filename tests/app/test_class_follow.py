"""A class that follows the teacher's lesson (AppTest, one tab per session of the same server): the
class keeper (the plan and the step in the class store, found again after a reload or on another
device), students following the step, exploring on their own and coming back, and findings sent to
the teacher's inbox and shown on the projector as a step of the lesson."""

from __future__ import annotations

from classroom.plans import Plan, Step, plan_to_toml
from tests.app.conftest import healthy, shown, start_class, tab
from tests.app.test_lesson_plan_ui import address, bar, click, page_shown
from ui import journey
from ui.classroom.follow import OPENED_KEY
from ui.lesson.keeper import PLAN_KEY

HAND_MADE = (("dp_source", "hand-made"),)
# Steps on pages that need no model: Start here, and Dot products with hand-made vectors.
PLAN = Plan(
    "Following",
    10,
    steps=(
        Step("home", "Welcome"),
        Step("dot-products", "King and queen", "The answer: 128.", HAND_MADE),
        Step("dot-products", "Queen and king", "", (*HAND_MADE, ("dp_a", "queen"), ("dp_b", "king"))),
    ),
)


def teaching(class_db, plan: Plan = PLAN):
    """A teacher's tab with ``plan`` made before the class, then the class started; (tab, code, key)."""
    teacher = tab()
    teacher.session_state[PLAN_KEY] = plan
    code = start_class(teacher)
    return teacher, code, teacher.session_state["_class_teacher_key"]


def present_from_my_lesson(teacher):
    teacher.switch_page(journey.PLANNER.path).run()
    return click(teacher, "lesson_present")


def line(at) -> str:
    """The following student's line (or the exploring sentence) above the page."""
    texts = [text.value for text in at.main.text] + [md.value for md in at.main.markdown]
    return next(text for text in texts if "the teacher" in text and ("ollow" in text or "exploring" in text))


def test_the_bar_moves_the_class_and_a_resumed_teacher_finds_the_plan_and_the_step(class_db):
    teacher, code, key = teaching(class_db)
    present_from_my_lesson(teacher)
    assert class_db.load_plan(key) == plan_to_toml(PLAN)  # saved when presented
    assert class_db.current_step(code).index == 0
    click(teacher, "lesson_next")
    step = class_db.current_step(code)
    assert (step.index, step.page, step.settings) == (1, "dot-products", {"dp_source": "hand-made"})
    assert bar(teacher) == (2, 3, "King and queen")
    elsewhere = healthy(tab(resume=key))  # another device, or a reload, with the resume link
    assert bar(elsewhere) == (2, 3, "King and queen")
    assert "resume" not in address(elsewhere)
    click(elsewhere, "lesson_next")  # the other device moves the class too
    assert class_db.current_step(code).index == 2
    click(elsewhere, "lesson_stop")  # this teacher's bar goes; the class stays on its step
    assert bar(elsewhere) is None and class_db.current_step(code).index == 2


def test_a_bundled_plan_presented_in_a_class_comes_back_by_its_name(class_db):
    teacher, code, key = teaching(class_db)
    healthy(tab(resume=key, lesson="start_here", lesson_step="3"))  # Start here's journey link
    assert class_db.current_step(code).settings["lesson"] == "start_here"
    again = healthy(tab(resume=key))
    assert bar(again) == (3, len(journey.JOURNEY), journey.JOURNEY[2].title)
    assert class_db.load_plan(key) is None  # the teacher's own plan is not replaced by the journey


def test_a_student_follows_the_step_explores_on_her_own_and_comes_back(class_db):
    teacher, code, key = teaching(class_db)
    ada = class_db.join(code, nickname="Ada")
    student = healthy(tab(student=ada))
    assert line(student) == "You follow the teacher: your page moves with the lesson's steps."
    present_from_my_lesson(teacher)
    click(teacher, "lesson_next")
    healthy(student.run())  # the panel's tick: the teacher has moved
    assert page_shown(student) == "dot-products" and student.session_state["dp_source"] == "hand-made"
    assert line(student) == "Following the teacher · step 2 of 3: King and queen"
    assert "The answer: 128." not in str(student)  # never the teacher's note
    assert address(student)["student"] == ada and "lesson" not in address(student)

    click(student, "_class_explore")
    assert address(student)["exploring"] == "true"
    click(teacher, "lesson_next")
    healthy(student.run())
    assert student.session_state["dp_a"] != "queen"  # she stays where she is
    reloaded = healthy(tab(student=ada, exploring="true"))  # a reload keeps her exploring
    assert "exploring on your own" in line(reloaded) and reloaded.session_state.get(OPENED_KEY) is None
    click(reloaded, "_class_back")
    assert (reloaded.session_state["dp_a"], reloaded.session_state["dp_b"]) == ("queen", "king")
    assert line(reloaded) == "Following the teacher · step 3 of 3: Queen and king"
    assert "exploring" not in address(reloaded)


def test_a_student_who_joins_mid_lesson_lands_on_the_current_step(class_db):
    teacher, code, key = teaching(class_db)
    present_from_my_lesson(teacher)
    click(teacher, "lesson_next")
    late = healthy(tab(student=class_db.join(code)))
    assert page_shown(late) == "dot-products"
    assert line(late) == "Following the teacher · step 2 of 3: King and queen"


def test_a_finding_reaches_the_inbox_and_is_shown_to_the_class_as_the_next_step(class_db):
    teacher, code, key = teaching(class_db)
    present_from_my_lesson(teacher)
    ada = class_db.join(code, nickname="Ada")
    student = healthy(tab(student=ada, exploring="true"))
    student.switch_page("lessons/dot_products.py").run()
    student.query_params.update({"dp_source": "hand-made", "dp_a": "king", "dp_b": "queen"})
    healthy(student.run())
    student.text_input(key="_class_finding_note").input("x" * 141)
    student.button(key="FormSubmitter:class_finding-Send to the teacher").click().run()
    assert "the limit is 140" in student.error[0].value  # a sentence, and the note stays in its box
    assert student.text_input(key="_class_finding_note").value == "x" * 141
    student.text_input(key="_class_finding_note").input("king and queen nearly agree")
    student.button(key="FormSubmitter:class_finding-Send to the teacher").click().run()
    assert student.success[0].value.startswith("Sent to the teacher")
    assert student.text_input(key="_class_finding_note").value == ""
    inbox = class_db.findings(key)
    assert inbox["page"].tolist() == ["dot-products"] and inbox["settings"][0]["dp_source"] == "hand-made"

    healthy(teacher.run())
    assert any("1 new, 1 in all" in md.value for md in teacher.markdown)
    assert any(text.value == "Ada · Dot products: king and queen nearly agree" for text in teacher.text)
    click(teacher, f"_class_show_finding_{inbox['finding_id'][0]}")
    assert bar(teacher)[:2] == (2, 4)  # inserted after the presented step, and presented
    step = class_db.current_step(code)
    assert (step.index, step.page, step.settings["dp_a"]) == (1, "dot-products", "king")
    assert "Sent by Ada: king and queen nearly agree" in class_db.load_plan(key)
    assert any("0 new, 1 in all" in md.value for md in teacher.markdown)


def test_a_finding_after_the_class_ended_is_a_sentence(class_db):
    code, key = class_db.create_class()
    student = healthy(tab(student=class_db.join(code), exploring="true"))
    student.switch_page("lessons/dot_products.py").run()
    class_db.end_class(key)
    student.text_input(key="_class_finding_note").input("too late")
    student.button(key="FormSubmitter:class_finding-Send to the teacher").click().run()
    assert "The class has ended" in shown(healthy(student))  # the panel's sentence, no traceback
