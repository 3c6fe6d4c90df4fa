"""An unreachable or read-only database: one exception type with a sentence a page shows as it is."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from classroom import ClassroomError, ClassroomUnavailable, ClassStore
from tests.integration.classroom.conftest import free_port
from tests.unit.classroom.examples import spec


def test_an_unreachable_server_is_a_clear_sentence_not_a_traceback():
    closed = f"postgresql://nobody@127.0.0.1:{free_port()}/class"
    with pytest.raises(ClassroomUnavailable) as unavailable:
        ClassStore(closed)
    assert str(unavailable.value).startswith("The class database cannot be reached right now.")
    assert isinstance(unavailable.value, ClassroomError) and "127.0.0.1" not in str(unavailable.value)


def read_only(url: str) -> str:
    """The same database, opened read-only (a file opened read-only; a read-only PostgreSQL session)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    return str(parsed.update_query_dict({"options": "-c default_transaction_read_only=on"}))


def test_a_read_only_database_reads_and_refuses_every_write_with_a_sentence(database_url):
    writable = ClassStore(database_url)
    code, key = writable.create_class()
    ada = writable.join(code)
    question_id = writable.open_question(key, "number", spec("number"))
    writable.answer(question_id, ada, "0.5")
    writable.dispose()

    store = ClassStore(read_only(database_url))
    assert store.poll(ada).own_answer == "0.5" and store.resume(key).students == 1  # reading works
    writes = [
        lambda: store.answer(question_id, ada, "0.6"),
        lambda: store.join(code),
        lambda: store.create_class(),
        lambda: store.reveal(key, question_id),
        lambda: store.set_step(key, index=0, page="learning", settings={}),
    ]
    for write in writes:
        with pytest.raises(ClassroomUnavailable, match="^The class database is read-only"):
            write()
    assert store.own_answer(question_id, ada) == "0.5"
    store.dispose()
