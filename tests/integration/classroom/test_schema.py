"""The schema carries a version and upgrades itself: a version-1 database (issue 25's tables, with a
class in it) opened by the current code keeps its data and gains version 2's tables."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from classroom import ClassroomUnavailable, ClassStore, codes, schema
from tests.unit.classroom.examples import spec

V2_TABLES = {"lesson_steps", "lesson_plans", "findings"}


def make_version_1_database(url: str) -> dict:
    """A database as the first version left it: its tables only, and a class with two students, a
    revealed question and its answers."""
    engine = sa.create_engine(url)
    now = datetime.now(UTC)
    key, students = codes.new_teacher_key(), [codes.new_student_id(), codes.new_student_id()]
    tomorrow = now + timedelta(hours=24)
    with engine.begin() as connection:
        schema.create(connection, version=1)
        insert = lambda table, **row: connection.execute(sa.insert(table).values(**row))  # noqa: E731
        insert(
            schema.classes,
            id=1,
            code="K7RX3P",
            key_hash=codes.key_hash(key),
            created_at=now,
            expires_at=tomorrow,
        )
        for student, nickname in zip(students, ["Ada", None], strict=True):
            insert(schema.students, id=student, class_id=1, nickname=nickname, joined_at=now)
        asked = json.dumps(spec("number"))
        insert(schema.questions, id=1, class_id=1, kind="number", spec=asked, state="revealed", opened_at=now)
        for student, value in zip(students, ["0.5", "0.7"], strict=True):
            insert(schema.answers, question_id=1, student_id=student, value=value, answered_at=now)
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert not tables & V2_TABLES and {"classes", "students", "questions", "answers"} <= tables
    return {"key": key, "students": students, "question_id": 1}


def test_a_version_1_database_is_upgraded_with_its_data(database_url):
    old = make_version_1_database(database_url)
    store = ClassStore(database_url)
    assert store.upgraded_from == 1
    with store.engine.connect() as connection:
        assert schema.found_version(connection) == schema.VERSION == 2
        assert set(sa.inspect(connection).get_table_names()) >= V2_TABLES
    key, (ada, bo), question_id = old["key"], old["students"], old["question_id"]
    info = store.resume(key)
    assert (info.code, info.students) == ("K7RX3P", 2) and store.nicknames(key) == ["Ada"]
    assert store.tally(question_id).to_dict("records") == [
        {"answer": "0.5", "count": 1},
        {"answer": "0.7", "count": 1},
    ]
    assert store.question(question_id).spec == spec("number") and store.own_answer(question_id, bo) == "0.7"
    # the new tables work for the old class
    assert store.set_step(key, index=2, page="learning", settings={"steps": 3}) == 1
    assert store.poll(ada).step_version == 1
    store.save_plan(key, "title = 'upgraded'")
    store.send_finding(bo, page="learning", settings={}, note="it moved")
    assert store.findings(key)["note"].tolist() == ["it moved"]
    store.dispose()
    assert ClassStore(database_url).upgraded_from == 2  # opened again: nothing left to do


def test_a_new_database_starts_at_the_current_version(database_url):
    store = ClassStore(database_url)
    with store.engine.connect() as connection:
        assert store.upgraded_from == 0 and schema.found_version(connection) == schema.VERSION
        assert {t.name for t in schema.metadata.sorted_tables} <= set(
            sa.inspect(connection).get_table_names()
        )
    store.dispose()


def test_a_database_from_a_newer_app_is_refused_with_a_sentence(database_url):
    ClassStore(database_url).dispose()
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.update(schema.schema_table).values(version=schema.VERSION + 1))
    engine.dispose()
    with pytest.raises(ClassroomUnavailable, match="newer version of the app"):
        ClassStore(database_url)


def test_app_processes_starting_together_create_the_schema_once(database_url):
    start, opened, failed = threading.Barrier(4), [], []

    def open_store() -> None:
        start.wait()
        try:
            opened.append(ClassStore(database_url))
        except Exception as error:  # noqa: BLE001 - reported below
            failed.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == [] and sorted(store.upgraded_from for store in opened) == [0, 2, 2, 2]
    with opened[0].engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(schema.schema_table)).scalar() == 1
    for store in opened:
        store.dispose()
