"""Thirty students answering in the same second: every answer acknowledged, committed and counted."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from classroom import ClassStore
from tests.unit.classroom.examples import spec

STUDENTS = 30


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
