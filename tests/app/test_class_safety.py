"""Nobody in where they don't belong, and nothing breaks: no student can open, close, reveal or end a
class whatever they put in the URL or the session; students never see each other's answers before the
reveal; wrong codes are limited; hostile text gets a sentence and stays in its box; an unknown or expired
code, a closed question, an unreachable or read-only database are sentences, and every lesson page keeps
working without the class."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from classroom import ClassStore
from tests.app.conftest import answer, healthy, reset_class_store, shown, tab
from tests.integration.classroom.conftest import free_port
from ui import journey

pytestmark = pytest.mark.slow
TEACHER_CONTROLS = {"Ask the class", "Close the question", "Reveal", "End the class for everyone"}
HAND_MADE = {"dp_source": "hand-made", "dp_vectors": "king = [9, -5, 6]\nqueen = [8, -4, 6]"}


def controls(at) -> set[str]:
    return {b.label for b in at.button} & TEACHER_CONTROLS


@pytest.fixture
def open_question(class_db):
    """A class with two students and an open number question: (key, [student ids], question id)."""
    code, key = class_db.create_class()
    students = [class_db.join(code) for _ in range(2)]
    return key, students, class_db.open_question(key, "number", {"quantity": "king · queen", "value": 128.0})


def test_a_student_sees_no_teacher_control_on_any_page(class_db, open_question):
    _, (ada, _), _ = open_question
    for page in ("lessons/dot_products.py", "lessons/trace.py"):
        student = healthy(
            tab(page, student=ada, **(HAND_MADE if "dot" in page else {"tr_tab": "Next token"}))
        )
        assert controls(student) == set() and "_class_teacher_key" not in student.session_state


@pytest.mark.parametrize("forged", ["student id", "random key", "code"])
def test_nothing_in_the_url_makes_a_student_the_teacher(class_db, open_question, forged):
    key, (ada, _), question = open_question
    fake = {"student id": ada, "random key": secrets.token_urlsafe(32), "code": class_db.class_code(key)}[
        forged
    ]
    at = healthy(tab(resume=fake, student=ada))
    assert "_class_teacher_key" not in at.session_state and controls(at) == set()
    assert "That resume link opens no class" in shown(at)
    assert "resume" not in at.query_params  # gone from the address bar at once
    assert class_db.question(question).state == "open"


def test_nothing_in_the_session_makes_a_student_the_teacher(class_db, open_question):
    """A forged teacher key in the session state (the only place the app reads one) opens nothing: the
    store refuses it, the session leaves the class, and the question stays as the teacher left it."""
    key, (ada, bo), question = open_question
    answer(tab(student=bo), question, "127")
    at = tab(student=ada)
    at.session_state["_class_teacher_key"] = secrets.token_urlsafe(32)
    at.run()
    assert controls(healthy(at)) == set() and "_class_code" not in at.session_state
    assert "The class has ended" in shown(at) and "127" not in shown(at)
    at.session_state["_class_code"] = class_db.class_code(key)
    at.session_state["_class_teacher_key"] = ada  # a student id in its place
    at.run()
    assert controls(healthy(at)) == set()
    assert class_db.question(question).state == "open" and class_db.answer_count(question) == 1


def test_students_never_see_each_others_answers_before_the_reveal(class_db, open_question):
    key, (ada, bo), question = open_question
    answer(tab(student=ada), question, "99")
    bo_tab = answer(tab(student=bo), question, "130")
    assert "99" not in shown(bo_tab) and not bo_tab.get("vega_lite_chart")
    class_db.close(key, question)
    assert "99" not in shown(bo_tab.run())
    class_db.reveal(key, question)
    assert "The median guess was 114" in shown(bo_tab.run())  # the class's guesses, together, anonymous


def test_ten_wrong_codes_a_minute_then_a_wait(class_db):
    class_db.create_class()
    at = tab()
    box = "_class_typed_code_sidebar"
    for attempt in range(11):
        at.text_input(key=box).input("ZZZZZ9")
        at.button(key="FormSubmitter:_class_join_sidebar-Join").click().run()
        words = shown(healthy(at))
        if attempt < 10:
            assert "No class has that code" in words
    assert "Too many wrong class codes in a minute. Wait" in words
    assert at.text_input(key=box).value == "ZZZZZ9"  # the typed code stays in its box


@pytest.mark.parametrize("typed", ["", "  ", "🙂🎉🚀", "<b>AB</b>", "\x00\x07\x1b[31m", "'; DROP--"])
def test_a_hostile_code_is_a_sentence_and_stays_in_its_box(class_db, typed):
    at = tab()
    at.text_input(key="_class_typed_code_sidebar").input(typed)
    at.button(key="FormSubmitter:_class_join_sidebar-Join").click().run()
    assert "No class has that code" in shown(healthy(at))
    assert at.text_input(key="_class_typed_code_sidebar").value == typed


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "Type or choose an answer first"),
        (" \t ", "Type or choose an answer first"),
        ("x" * 60, "is not a number"),  # the box takes 60 characters at most
        ("eleventy", "is not a number"),
        ("1e309", "Type a finite number"),
        ("<b>1</b>", "is not a number"),
    ],
)
def test_a_hostile_answer_is_a_sentence_and_stays_in_its_box(class_db, open_question, typed, said):
    _, (ada, _), question = open_question
    at = answer(tab(student=ada), question, typed)
    assert said in shown(at) and at.text_input(key=f"_class_answer_{question}").value == typed
    assert class_db.answer_count(question) == 0


def test_a_nickname_is_masked_for_the_classroom(class_db):
    code, key = class_db.create_class()
    at = tab(**{"class": code})
    at.text_input(key="_class_nickname_panel").input("Sexual Ada")
    at.button(key="FormSubmitter:_class_join_panel-Join").click().run()
    assert class_db.nicknames(key) == ["▒▒▒ Ada"]


def test_an_unknown_or_expired_class_is_a_sentence(class_db, tmp_path):
    past = datetime.now(UTC) - timedelta(hours=25)
    old = ClassStore(str(class_db.engine.url), clock=lambda: past)  # a class started yesterday
    code, _ = old.create_class()
    student = old.join(code)
    at = healthy(tab(**{"class": code}))
    at.button(key="FormSubmitter:_class_join_panel-Join").click().run()
    assert "No class has that code" in shown(healthy(at))
    returning = healthy(tab(student=student))  # a reload after the class expired
    assert "This class has ended" in shown(returning) and "student" not in returning.query_params
    old.dispose()


@pytest.fixture
def unreachable(monkeypatch):
    monkeypatch.setenv("CLASSROOM_DB_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/class")
    reset_class_store()
    yield
    reset_class_store()


def test_an_unreachable_database_is_a_sentence_and_the_page_goes_on(unreachable):
    at = tab("lessons/dot_products.py", **HAND_MADE)
    at.button(key="_class_start").click().run()
    assert "The class database cannot be reached right now" in shown(healthy(at))
    assert at.title[0].value == "Dot products" and at.metric  # the lesson is all there
    returning = healthy(tab(student=secrets.token_urlsafe(16)))
    assert "cannot be reached" in shown(returning) and "student" in returning.query_params  # kept for later


def test_a_read_only_database_is_a_sentence(class_db, monkeypatch):
    class_db.create_class()  # the file exists, with its tables
    path = class_db.engine.url.database
    monkeypatch.setenv("CLASSROOM_DB_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    reset_class_store()
    at = tab()
    at.button(key="_class_start").click().run()
    assert "The class database is read-only" in shown(healthy(at))


@pytest.mark.parametrize("lesson", journey.LESSONS, ids=lambda lesson: lesson.url_path)
def test_every_lesson_page_works_without_the_class(unreachable, lesson):
    """A student whose class database has gone keeps every lesson page."""
    at = healthy(tab(lesson.path, student=secrets.token_urlsafe(16)))
    assert at.title, "the page stopped before its title"
    assert not at.error, [e.value for e in at.error]
