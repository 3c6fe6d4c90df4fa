"""A class across real app servers: two servers on one real PostgreSQL (the teacher on one, the students
on the other: the tallies agree), and a server killed with SIGKILL mid-question and started again (every
acknowledged answer kept, the teacher back in charge from the resume link)."""

from __future__ import annotations

import os
import signal
import urllib.parse

import pytest

from classroom import ClassStore
from tests.e2e.conftest import free_port, started_app
from tests.e2e.test_classroom import KINDS, REACH_MS, ask, join_by_link, main, send, settle, start_class
from tests.integration.classroom.conftest import empty_database, postgres_server  # noqa: F401 - a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
NUMBER = KINDS["number"]  # king · queen by hand: no model to load, so the servers start quickly


def teacher_in_a_class(new_context, app_url: str):
    """A teacher who started a class: (her page, the code, her key)."""
    teacher = new_context().new_page()
    teacher.goto(app_url + "/", wait_until="commit")
    settle(teacher)
    code, key = start_class(teacher)
    return teacher, code, key


def reveal_sentence(page) -> str:
    return main(page).get_by_text("The true value is").first.inner_text()


@pytest.mark.postgres
def test_two_servers_on_one_postgresql_share_a_class(postgres_server, new_context):  # noqa: F811
    url = empty_database(postgres_server)
    environment = {"CLASSROOM_DB_URL": url}
    with (
        started_app(free_port(), environment) as (teachers, _),
        started_app(free_port(), environment) as (
            students,
            _,
        ),
    ):
        teacher, code, key = teacher_in_a_class(new_context, teachers)
        ada, bo = new_context().new_page(), new_context().new_page()
        join_by_link(ada, students, code, "Ada")
        join_by_link(bo, students, code, "Bo")
        ask(teacher, teachers, key, NUMBER)
        for student, guess in ((ada, "120"), (bo, "140")):
            main(student).get_by_role("button", name="Send my answer").wait_for(timeout=REACH_MS)
            send(student, guess)
        main(teacher).get_by_text("2 of 2").wait_for(timeout=REACH_MS)  # counted on the other server
        teacher.get_by_role("button", name="Reveal").click()
        on_teachers_server = reveal_sentence(teacher)
        for student in (ada, bo):
            main(student).get_by_text("The true value is").first.wait_for(timeout=REACH_MS)
            assert reveal_sentence(student) == on_teachers_server
        assert "The median guess was 130; 2 of 2 students guessed within 10 % of it" in on_teachers_server
        store = ClassStore(url)
        question = store.teacher_poll(key).question_id
        assert store.tally(question).set_index("answer")["count"].to_dict() == {"120": 1, "140": 1}
        store.dispose()


def test_a_killed_server_keeps_every_acknowledged_answer_and_the_teacher_resumes(new_context, tmp_path):
    port = free_port()
    environment = {"CLASSROOM_DB_URL": f"sqlite:///{tmp_path / 'class.sqlite3'}"}
    with started_app(port, environment) as (app_url, server):
        teacher, code, key = teacher_in_a_class(new_context, app_url)
        ask(teacher, app_url, key, NUMBER)
        students = [new_context().new_page() for _ in range(3)]
        for number, (student, guess) in enumerate(zip(students, ("100", "125", "150"), strict=True)):
            join_by_link(student, app_url, code, f"S{number}")
            main(student).get_by_role("button", name="Send my answer").wait_for(timeout=REACH_MS)
            send(student, guess)  # "Received" is shown only after the database has it
        os.killpg(server.pid, signal.SIGKILL)  # mid-question: it is still open
        server.wait()
        assert server.returncode == -signal.SIGKILL

    with started_app(port, environment) as (app_url, _):
        teacher = new_context().new_page()  # the teacher's session is gone: a new tab, the resume link
        teacher.goto(f"{app_url}/?{urllib.parse.urlencode({'resume': key})}", wait_until="commit")
        main(teacher).get_by_text("3 students joined").wait_for(timeout=REACH_MS)
        main(teacher).get_by_text("3 of 3").wait_for(timeout=REACH_MS)
        assert "resume" not in teacher.url
        teacher.get_by_role("button", name="Reveal").click()
        main(teacher).get_by_text("The true value is").first.wait_for(timeout=REACH_MS)
        assert "The median guess was 125; 1 of 3 students guessed within 10 % of it" in reveal_sentence(
            teacher
        )
        for student, guess in zip(students, ("100", "125", "150"), strict=True):  # a reload: the same student
            student.reload(wait_until="commit")
            main(student).get_by_text("The true value is").first.wait_for(timeout=REACH_MS)
            assert f"Your answer: {guess}." in main(student).inner_text()
