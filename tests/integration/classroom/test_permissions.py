"""Nobody in where they don't belong: teacher actions need the teacher key; students see answers only
after the reveal, and then without names."""

from __future__ import annotations

import pytest

from classroom import codes
from tests.integration.classroom.conftest import populated_class
from tests.unit.classroom.examples import spec

TEACHER_ACTIONS = {
    "open_question": lambda s, key, q: s.open_question(key, "number", spec("number")),
    "close": lambda s, key, q: s.close(key, q),
    "reveal": lambda s, key, q: s.reveal(key, q),
    "tally": lambda s, key, q: s.tally(q, key),
    "reveal_of": lambda s, key, q: s.reveal_of(q, key),
    "questions": lambda s, key, q: s.questions(key),
    "resume": lambda s, key, q: s.resume(key),
    "class_code": lambda s, key, q: s.class_code(key),
    "nicknames": lambda s, key, q: s.nicknames(key),
    "student_count": lambda s, key, q: s.student_count(key),
    "teacher_poll": lambda s, key, q: s.teacher_poll(key),
    "end_class": lambda s, key, q: s.end_class(key),
    "set_step": lambda s, key, q: s.set_step(key, index=1, page="learning", settings={}),
    "save_plan": lambda s, key, q: s.save_plan(key, 'title = "mine now"'),
    "load_plan": lambda s, key, q: s.load_plan(key),
    "findings": lambda s, key, q: s.findings(key),
}
QUESTION_ACTIONS = {"close", "reveal", "tally", "reveal_of"}  # the ones that name a question


@pytest.fixture
def running(store):
    """A class with a student, an open question with one answer, a step, a plan and a finding."""
    return store, *populated_class(store)


def wrong_keys(code: str, student_id: str) -> dict[str, object]:
    return {
        "no key": None, "empty": "", "another key": codes.new_teacher_key(), "the student id": student_id,
        "the join code": code, "the key's hash": None, "a number": 12345,
    }  # fmt: skip


@pytest.mark.parametrize("action", TEACHER_ACTIONS)
def test_no_teacher_action_works_without_the_teacher_key(running, action):
    store, code, key, ada, question_id = running
    for label, wrong in wrong_keys(code, ada).items():
        wrong = codes.key_hash(key) if label == "the key's hash" else wrong
        if action in ("tally", "reveal_of") and wrong is None:
            continue  # tally without a key is the students' view, tested below
        with pytest.raises(PermissionError) as refused:
            TEACHER_ACTIONS[action](store, wrong, question_id)
        assert str(refused.value).endswith(".") and "key" in str(refused.value), (action, label)
    # nothing changed: the class, its open question, its answer, its step and its plan are as they were
    poll = store.teacher_poll(key)
    assert (poll.question_id, poll.state, poll.answers, poll.step_version) == (question_id, "open", 1, 1)
    assert store.load_plan(key) == 'title = "the teacher\'s"' and store.questions(key).shape[0] == 1


@pytest.mark.parametrize("action", sorted(QUESTION_ACTIONS))
def test_another_classs_teacher_cannot_touch_this_classs_questions(running, action):
    store, code, key, ada, question_id = running
    _, other_key = store.create_class()
    with pytest.raises(PermissionError, match="another class"):
        TEACHER_ACTIONS[action](store, other_key, question_id)
    assert store.question(question_id).state == "open"


def test_students_see_no_tally_before_the_reveal_and_an_anonymous_one_after(running):
    store, code, key, ada, question_id = running
    bo = store.join(code, nickname="Bo")
    store.answer(question_id, bo, "0.9")
    with pytest.raises(PermissionError, match="when the teacher reveals them"):
        store.tally(question_id)
    with pytest.raises(PermissionError):
        store.reveal_of(question_id)
    store.close(key, question_id)
    with pytest.raises(PermissionError):
        store.tally(question_id)  # closed is not revealed
    assert store.tally(question_id, key)["count"].sum() == 2  # the teacher may look
    store.reveal(key, question_id)
    tally = store.tally(question_id)
    assert list(tally.columns) == ["answer", "count"] and sorted(tally["answer"]) == ["0.5", "0.9"]
    shown = tally.to_csv()
    assert not any(secret in shown for secret in (ada, bo, "Ada", "Bo", key))


def test_a_students_poll_and_own_answer_show_only_their_own(running):
    store, code, key, ada, question_id = running
    bo = store.join(code)
    assert store.poll(bo).own_answer is None and store.own_answer(question_id, bo) is None
    assert store.poll(ada).own_answer == "0.5" and store.poll(ada).answers is None


def test_a_student_cannot_answer_another_classs_question_or_answer_as_nobody(running):
    store, code, key, ada, question_id = running
    other_code, other_key = store.create_class()
    stranger = store.join(other_code)
    with pytest.raises(LookupError, match="not in your class"):
        store.answer(question_id, stranger, "0.1")
    for nobody in (None, "", key, code, "x" * 22):
        with pytest.raises(LookupError):
            store.answer(question_id, nobody, "0.1")
    assert store.answer_count(question_id) == 1


def test_end_class_deletes_everything_and_only_for_its_teacher(running):
    store, code, key, ada, question_id = running
    with pytest.raises(PermissionError):
        store.end_class(ada)
    store.end_class(key)
    with pytest.raises(PermissionError, match="opens no class"):
        store.resume(key)
    for lookup in (lambda: store.poll(ada), lambda: store.question(question_id), lambda: store.join(code)):
        with pytest.raises(LookupError):
            lookup()
