"""Thirty students answering in the same second: every answer acknowledged, committed and counted."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from classroom import ClassStore
from tests.unit.classroom.examples import spec

STUDENTS = 30
ROUNDS = 60  # answers each student sends, at most, in the closing storm


@pytest.mark.parametrize("processes", [1, 3], ids=["one store", "three stores"])
def test_thirty_answers_at_once_are_all_acknowledged_and_counted(database_url, processes):
    """One store shared by every session (as the app keeps it), or three stores on one database
    (as three app processes would be), each with its own pool of connections."""
    stores = [ClassStore(database_url) for _ in range(processes)]
    code, key = stores[0].create_class()
    class_ = [stores[i % processes].join(code) for i in range(STUDENTS)]
    question_id = stores[0].open_question(key, "number", spec("number"))
    start = threading.Barrier(STUDENTS)

    def answer(i: int) -> str:
        start.wait()  # all thirty leave the barrier together
        return stores[i % processes].answer(question_id, class_[i], str(i % 7))

    with ThreadPoolExecutor(STUDENTS) as pool:
        acknowledged = list(pool.map(answer, range(STUDENTS)))
    assert acknowledged == [str(i % 7) for i in range(STUDENTS)]
    fresh = ClassStore(database_url)  # read back through a store that wrote nothing
    tally = fresh.tally(question_id, key)
    assert tally["count"].sum() == STUDENTS and fresh.answer_count(question_id) == STUDENTS
    assert dict(zip(tally["answer"], tally["count"], strict=True)) == {
        str(v): sum(1 for i in range(STUDENTS) if i % 7 == v) for v in range(7)
    }
    for store in [*stores, fresh]:
        store.dispose()


def test_thirty_students_join_at_once_and_each_gets_an_id(store):
    code, key = store.create_class()
    start = threading.Barrier(STUDENTS)

    def join(i: int) -> str:
        start.wait()
        return store.join(code, nickname=f"Student {i}")

    with ThreadPoolExecutor(STUDENTS) as pool:
        ids = list(pool.map(join, range(STUDENTS)))
    assert len(set(ids)) == STUDENTS and store.student_count(key) == STUDENTS


def test_closing_while_thirty_answer_keeps_every_acknowledged_answer_and_takes_none_after(database_url):
    """The teacher closes in the middle of a storm of answers: an answer acknowledged is counted
    (its latest value), and an answer sent after close() returned is refused."""
    store = ClassStore(database_url)
    code, key = store.create_class()
    class_ = [store.join(code) for _ in range(STUDENTS)]
    question_id = store.open_question(key, "number", spec("number"))
    closed, start = threading.Event(), threading.Barrier(STUDENTS + 1)

    def keep_answering(i: int) -> tuple[int | None, bool]:
        """The student's last acknowledged value, and whether an answer sent after the close got in."""
        start.wait()
        last, late_accepted = None, False
        for value in range(1, ROUNDS + 1):
            after_close = closed.is_set()
            try:
                store.answer(question_id, class_[i], str(value))
            except ValueError:
                return last, late_accepted
            last, late_accepted = value, late_accepted or after_close
        return last, late_accepted

    with ThreadPoolExecutor(STUDENTS) as pool:
        students = [pool.submit(keep_answering, i) for i in range(STUDENTS)]
        start.wait()
        while store.answer_count(question_id) < STUDENTS:  # until everyone is answering
            time.sleep(0.01)
        store.close(key, question_id)
        closed.set()
        results = [student.result() for student in students]
    assert not any(late for _, late in results)
    assert any(last < ROUNDS for last, _ in results)  # the close came mid-stream
    for student, (last, _) in zip(class_, results, strict=True):
        assert store.own_answer(question_id, student) == str(last)  # the last acknowledged value
    store.dispose()
