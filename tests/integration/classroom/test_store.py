"""A class end to end on both engines: join, the five kinds of question, polls, resume, the lesson."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from classroom import ClassStore, NotFound, Refused
from classroom.schema import VERSION
from tests.integration.classroom.conftest import statements
from tests.unit.classroom.examples import KINDS, spec

ANSWERS = {  # three students' answers per kind, and what each reveal must then say
    "next_token": (["Paris", "paris", "London"], {"favourite": "␣Paris", "guessed_top_token": 2}),
    "closer_pair": (["king – queen", 2, "king – queen"], {"closest": "king – queen", "correct": 2}),
    "attention": ([0, "1: ␣cat", 0], {"most_attended": "0: The", "correct": 2}),
    "number": (["0.7", "0,5", "70 %"], {"true_value": 0.68, "within_10_percent": 2}),
    "continuation": (["B", "b", "A"], {"answer": "B", "correct": 2}),
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_question_runs_from_open_to_reveal(store, kind):
    code, key = store.create_class()
    class_ = [store.join(code, nickname=name) for name in ("Ada", "Bo", "Cy")]
    question_id = store.open_question(key, kind, spec(kind))
    given, expected = ANSWERS[kind]
    for student, value in zip(class_, given, strict=True):
        store.answer(question_id, student, value)
    assert store.answer_count(question_id) == 3
    store.close(key, question_id)
    store.reveal(key, question_id)
    tally = store.tally(question_id)
    assert list(tally.columns) == ["answer", "count"] and tally["count"].sum() == 3
    assert tally["count"].is_monotonic_decreasing and tally["count"].iloc[0] == 2
    reveal = store.reveal_of(question_id)
    assert {name: reveal.summary[name] for name in expected} == expected
    assert reveal.summary["answers"] == 3


def test_an_answer_is_replaced_while_open_and_refused_once_closed(store):
    code, key = store.create_class()
    ada = store.join(code)
    question_id = store.open_question(key, "continuation", spec("continuation"))
    assert store.own_answer(question_id, ada) is None
    assert store.answer(question_id, ada, "a") == "A" and store.answer(question_id, ada, 2) == "C"
    assert store.own_answer(question_id, ada) == "C" and store.answer_count(question_id) == 1
    store.close(key, question_id)
    with pytest.raises(ValueError, match="closed: answers are no longer taken"):
        store.answer(question_id, ada, "B")
    store.reveal(key, question_id)
    with pytest.raises(ValueError, match="closed"):
        store.answer(question_id, ada, "B")
    assert store.tally(question_id).to_dict("records") == [{"answer": "C", "count": 1}]
    assert store.question(question_id).state == "revealed"


def test_the_spec_comes_back_exactly_as_given(store):
    code, key = store.create_class()
    given = spec("attention") | {"extra": {"nested": [1, 2.5, None, True, "é ✓ 👩‍🏫"], "": ""}}
    question = store.question(store.open_question(key, "attention", given))
    assert question.spec == given and list(question.spec) == list(given)  # the order of keys too
    assert json.dumps(question.spec, ensure_ascii=False) == json.dumps(given, ensure_ascii=False)
    assert question.kind == "attention" and question.state == "open" and question.opened_at.tzinfo


def test_a_spec_over_16_kb_is_refused_and_nothing_is_opened(store):
    code, key = store.create_class()
    with pytest.raises(Refused, match="limit is 16 KB"):
        store.open_question(key, "number", spec("number") | {"padding": "x" * 16_400})
    assert store.questions(key).empty and store.teacher_poll(key).question_id is None


def test_opening_a_question_makes_it_current_and_closes_the_open_one(store):
    code, key = store.create_class()
    first = store.open_question(key, "number", spec("number"))
    second = store.open_question(key, "closer_pair", spec("closer_pair"))
    listed = store.questions(key)
    assert listed[["question_id", "kind", "state", "answers"]].to_dict("records") == [
        {"question_id": first, "kind": "number", "state": "closed", "answers": 0},
        {"question_id": second, "kind": "closer_pair", "state": "open", "answers": 0},
    ]
    assert store.teacher_poll(key).question_id == second


def test_a_poll_is_one_query_that_tells_a_student_everything_a_page_needs(store):
    code, key = store.create_class()
    ada, bo = store.join(code), store.join(code)
    with statements(store) as sent:
        before = store.poll(ada)
    assert len(sent) == 1
    assert (before.code, before.question_id, before.state, before.own_answer, before.step_version) == (
        code, None, None, None, 0,
    )  # fmt: skip
    question_id = store.open_question(key, "number", spec("number"))
    store.answer(question_id, ada, "0.5")
    store.answer(question_id, bo, "0.9")
    with statements(store) as sent:
        polls = store.poll(ada), store.poll(bo), store.teacher_poll(key)
    assert len(sent) == 3
    assert [p.own_answer for p in polls] == ["0.5", "0.9", None] and polls[2].answers == 2
    assert {(p.question_id, p.kind, p.state, p.answers is None) for p in polls[:2]} == {
        (question_id, "number", "open", True)
    }  # a student's poll carries no count and no one else's answer
    store.reveal(key, question_id)
    store.set_step(key, index=0, page="dot-products", settings={"words": "king,queen"})
    assert (store.poll(ada).state, store.poll(ada).step_version) == ("revealed", 1)


def test_the_teacher_resumes_the_class_from_the_key_alone(database_url, clock):
    first = ClassStore(database_url, clock=clock)
    code, key = first.create_class()
    for name in ("Ada", None, "Cy"):
        first.join(code, nickname=name)
        clock.advance(seconds=1)
    question_id = first.open_question(key, "number", spec("number"))
    first.dispose()
    again = ClassStore(database_url, clock=clock)  # a reload, another device, another process
    info = again.resume(key)
    assert (info.code, info.students) == (code, 3) and info.expires_at - info.created_at == again.expiry
    assert again.class_code(key) == code and again.student_count(key) == 3
    assert again.nicknames(key) == ["Ada", "Cy"]
    assert again.teacher_poll(key).question_id == question_id and again.upgraded_from == VERSION
    again.dispose()


def test_the_store_takes_an_engine_as_the_app_passes_it(database_url, clock):
    engine = sa.create_engine(database_url)
    store = ClassStore(engine, clock=clock)
    code, key = store.create_class()
    assert store.engine is engine and store.resume(key).code == code
    if engine.dialect.name == "sqlite":  # the store's settings reach an engine it did not make
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
    engine.dispose()


def test_a_lesson_follows_the_teachers_step_and_collects_findings(store):
    code, key = store.create_class()
    ada, bo = store.join(code, nickname="Ada"), store.join(code)
    assert store.current_step(code) is None and store.load_plan(key) is None
    assert store.set_step(key, index=0, page="dot-products", settings={"a": "king"}) == 1
    assert store.set_step(key, index=3, page="inside-the-model", settings={"prompt": "The cat"}) == 2
    step = store.current_step(code.lower())
    assert (step.index, step.page, step.settings, step.version) == (
        3,
        "inside-the-model",
        {"prompt": "The cat"},
        2,
    )
    plan = 'title = "How a model chooses the next word"\nminutes = 45\n'
    store.save_plan(key, plan)
    store.save_plan(key, plan + "version = 1\n")
    assert store.load_plan(key) == plan + "version = 1\n"
    with pytest.raises(Refused, match="limit is 200 KB"):
        store.save_plan(key, "#" * (200 * 1024 + 1))
    first = store.send_finding(ada, page="dot-products", settings={"a": "bank"}, note="bank\nis near sexual")
    store.send_finding(bo, page="projections", settings={})
    inbox = store.findings(key)
    assert list(inbox.columns) == ["finding_id", "nickname", "page", "settings", "note", "sent_at"]
    assert inbox["finding_id"].tolist()[0] == first and inbox["nickname"].tolist() == ["Ada", None]
    assert inbox["settings"].tolist() == [{"a": "bank"}, {}] and inbox["note"][0] == "bank is near ▒▒▒"
    with pytest.raises(NotFound):
        store.current_step("ZZZZZZ")


def test_a_following_student_reads_the_step_and_its_title_but_never_the_note(store):
    code, key = store.create_class()
    ada = store.join(code, nickname="Ada")
    assert store.followed_step(ada) is None  # no step yet: nothing to follow
    store.set_step(key, index=1, page="trace", settings={"tr_tab": "Attention"})
    step = store.followed_step(ada)
    assert (step.index, step.page, step.settings, step.version, step.count, step.title) == (
        1, "trace", {"tr_tab": "Attention"}, 1, 0, ""
    )  # fmt: skip
    store.save_plan(key, PLAN_WITH_NOTES)
    step = store.followed_step(ada)
    assert (step.count, step.title) == (2, "Attention")
    assert "secret" not in repr(step)
    store.end_class(key)
    with pytest.raises(NotFound):
        store.followed_step(ada)
    with pytest.raises(NotFound):
        store.followed_step("not an id")


PLAN_WITH_NOTES = """title = "L"
minutes = 20
version = 1

[[step]]
page = "home"
title = "Start"

[[step]]
page = "trace"
title = "Attention"
note = "The answer is secret"
"""


def test_the_store_names_its_database_without_a_password(database_url, clock):
    url = sa.make_url(database_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(password="s3cret-teacher")  # the test server trusts local connections
    store = ClassStore(url, clock=clock)
    assert "s3cret" not in repr(store) and url.get_backend_name() in repr(store)
    store.dispose()
