"""The class's limits on both engines: answer length, one answer each, wrong codes, masking, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from classroom import Attempts, ClassStore, TooManyAttempts
from classroom import store as store_module
from classroom.schema import CLASS_TABLES
from classroom.shared import mask_text
from tests.integration.classroom.conftest import populated_class
from tests.unit.classroom.examples import spec


def test_answers_are_at_most_60_characters_and_never_empty(store):
    code, key = store.create_class()
    ada = store.join(code)
    question_id = store.open_question(key, "next_token", spec("next_token"))
    assert store.answer(question_id, ada, "w" * 60) == "␣" + "w" * 60
    for bad, message in [("w" * 61, "61 characters long; the limit is 60"), ("  ", "empty"), ("", "empty")]:
        with pytest.raises(ValueError, match=message):
            store.answer(question_id, ada, bad)
    assert store.own_answer(question_id, ada) == "␣" + "w" * 60  # a refused answer keeps the last one


def test_one_answer_per_student_however_often_they_answer(store):
    code, key = store.create_class()
    ada, bo = store.join(code), store.join(code)
    question_id = store.open_question(key, "number", spec("number"))
    for value in ("0.1", "0.2", "0.3", "0.4"):
        store.answer(question_id, ada, value)
    store.answer(question_id, bo, "0.4")
    assert store.answer_count(question_id) == 2
    assert store.tally(question_id, key).to_dict("records") == [{"answer": "0.4", "count": 2}]


def test_nicknames_and_free_answers_are_masked_in_the_database_itself(store):
    code, key = store.create_class()
    student = store.join(code, nickname="sexual Sam")
    question_id = store.open_question(key, "next_token", spec("next_token"))
    store.answer(question_id, student, "sexual")
    with store.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT nickname FROM students").scalars().all()
        stored += connection.exec_driver_sql("SELECT value FROM answers").scalars().all()
    assert stored == [mask_text("sexual Sam")[0], "␣" + mask_text("sexual")[0]]
    assert not any("sexual" in text for text in stored)
    with pytest.raises(ValueError, match="limit is 24"):
        store.join(code, nickname="n" * 25)


def test_ten_wrong_codes_a_minute_per_session_then_a_clear_wait(store, clock):
    code, _ = store.create_class()
    attempts = Attempts(clock=clock)
    for wrong in ["ABCDEF", "nope", "", "K7RX0P", "222222", "333333", "444444", "555555", "666666", "777777"]:
        with pytest.raises(LookupError):
            store.join(wrong, attempts=attempts)
    with pytest.raises(TooManyAttempts, match="Wait 60 seconds"):
        store.join(code, attempts=attempts)  # even the right code waits: no probing past the limit
    other_session = Attempts(clock=clock)
    assert store.join(code, attempts=other_session)  # the limit is per session
    clock.advance(seconds=60)
    assert store.join(code, attempts=attempts)


def test_a_class_expires_after_24_hours_and_is_then_unknown_everywhere(store, clock):
    code, key = store.create_class()
    ada = store.join(code)
    question_id = store.open_question(key, "number", spec("number"))
    store.answer(question_id, ada, "0.5")
    clock.advance(hours=23, minutes=59)
    assert store.poll(ada).question_id == question_id
    clock.advance(minutes=1)
    for student_call in (
        lambda: store.join(code), lambda: store.poll(ada), lambda: store.answer(question_id, ada, "0.6"),
        lambda: store.question(question_id), lambda: store.current_step(code),
        lambda: store.send_finding(ada, page="learning", settings={}),
    ):  # fmt: skip
        with pytest.raises(LookupError):
            student_call()
    for teacher_call in (lambda: store.resume(key), lambda: store.reveal(key, question_id)):
        with pytest.raises(PermissionError, match="opens no class"):
            teacher_call()


def count_rows(store: ClassStore) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            t.name: connection.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in CLASS_TABLES
        }


def test_expired_classes_are_deleted_with_everything_in_them(store, clock):
    populated_class(store)
    clock.advance(hours=12)
    new_code, new_key = store.create_class()
    store.join(new_code)
    assert store.delete_expired() == 0 and all(count_rows(store).values())
    clock.advance(hours=12)
    assert store.delete_expired() == 1
    assert count_rows(store) == dict.fromkeys(count_rows(store), 0) | {"students": 1, "classes": 1}
    assert store.resume(new_key).students == 1 and store.delete_expired() == 0


def test_the_expiry_is_configurable(database_url, clock):
    short = ClassStore(database_url, expiry=timedelta(minutes=45), clock=clock)
    code, key = short.create_class()
    clock.advance(minutes=44)
    assert short.join(code)
    clock.advance(minutes=1)
    with pytest.raises(LookupError):
        short.join(code)
    short.dispose()
    with pytest.raises(ValueError):
        ClassStore(database_url, expiry=timedelta(0))


def test_a_class_holds_a_bounded_number_of_students_and_findings(store, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_STUDENTS", 3)
    monkeypatch.setattr(store_module.limits, "MAX_FINDINGS_PER_STUDENT", 2)
    code, _ = store.create_class()
    students = [store.join(code) for _ in range(3)]
    with pytest.raises(ValueError, match="full"):
        store.join(code)
    for _ in range(2):
        store.send_finding(students[0], page="learning", settings={})
    with pytest.raises(ValueError, match="findings"):
        store.send_finding(students[0], page="learning", settings={})


def test_a_question_closed_between_the_check_and_the_write_refuses_the_answer(store):
    """The worst moment, made to happen: the teacher's close commits (on its own connection) just
    before the student's write reaches the database. The answer is refused, not lost in silence."""
    code, key = store.create_class()
    ada = store.join(code)
    question_id = store.open_question(key, "number", spec("number"))
    store.answer(question_id, ada, "0.5")

    def close_first(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO answers") and store.question(question_id).state == "open":
            store.close(key, question_id)  # on another connection of the pool, committed now

    sa.event.listen(store.engine, "before_cursor_execute", close_first)
    with pytest.raises(ValueError, match="closed before your answer arrived"):
        store.answer(question_id, ada, "0.9")
    sa.event.remove(store.engine, "before_cursor_execute", close_first)
    assert store.question(question_id).state == "closed" and store.own_answer(question_id, ada) == "0.5"
