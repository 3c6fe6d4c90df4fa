"""A class through the whole app with AppTest: start, join by link and by code, ask from a lesson page,
answer (and change an answer), see only the count, close, reveal; and every kind of question a page asks,
made from the real model's numbers."""

from __future__ import annotations

import urllib.parse

import numpy as np
import pytest

from geometry.models.loading import load_causal_lm
from geometry.transformer import readings
from geometry.transformer.trace import trace
from tests.app.conftest import answer, button, healthy, shown, start_class, tab

pytestmark = pytest.mark.slow
HAND_MADE = {"dp_source": "hand-made", "dp_vectors": "king = [9, -5, 6]\nqueen = [8, -4, 6]"}


def test_a_teacher_starts_a_class_and_keeps_the_key_to_herself(class_db):
    teacher = tab()
    code = start_class(teacher)
    key = teacher.session_state["_class_teacher_key"]
    assert class_db.resume(key).code == code and len(key) == 43
    assert dict(teacher.query_params) == {}  # no class, no key in the teacher's address bar
    words = shown(teacher)
    assert key not in words  # nor on the page
    assert f"?class={code}" in words and teacher.get("image")  # the join link and its QR code
    teacher.toggle(key="_class_resume_shown").set_value(True).run()
    assert f"?resume={key}" in shown(teacher)  # only on request
    teacher.toggle(key="presenter").set_value(True).run()
    assert key not in shown(teacher) and "hidden in presenter mode" in shown(teacher)


def test_students_join_by_link_or_by_code_and_keep_their_identity_in_the_url(class_db):
    code, key = class_db.create_class()
    by_link = tab(**{"class": code})
    by_link.text_input(key="_class_nickname_panel").input("Ada")
    by_link.button(key="FormSubmitter:_class_join_panel-Join").click().run()
    ada = healthy(by_link).session_state["_class_student_id"]
    assert dict(by_link.query_params) == {"student": ada}  # the code gives way to her own id
    by_code = tab()
    by_code.text_input(key="_class_typed_code_sidebar").input(f" {code[:3].lower()}-{code[3:]} ")
    by_code.button(key="FormSubmitter:_class_join_sidebar-Join").click().run()
    bo = healthy(by_code).session_state["_class_student_id"]
    assert class_db.student_count(key) == 2 and class_db.nicknames(key) == ["Ada"] and ada != bo

    question = class_db.open_question(key, "number", {"quantity": "a guess", "value": 1.0})
    answer(by_link.run(), question, "0.5")
    reloaded = healthy(tab(student=ada))  # a reload: the same student, her answer kept
    assert reloaded.session_state["_class_student_id"] == ada
    assert "Received: **0.5**" in shown(reloaded)
    assert class_db.answer_count(question) == 1


def test_the_class_answers_the_teacher_sees_only_the_count_then_everyone_sees_the_reveal(class_db):
    teacher = tab()
    start_class(teacher)
    key = teacher.session_state["_class_teacher_key"]
    ada, bo = (tab(student=class_db.join(teacher.session_state["_class_code"])) for _ in range(2))
    teacher.query_params.update(HAND_MADE)
    teacher.switch_page("lessons/dot_products.py").run()
    assert (
        healthy(teacher)
        .selectbox(key="_class_pick_pair_dot_pair_cosine")
        .options[0]
        .startswith("What is king · queen?")
    )
    teacher.button(key="_class_ask_pair_dot_pair_cosine").click().run()
    question = class_db.teacher_poll(key).question_id
    assert class_db.question(question).spec["value"] == 128.0  # the page's own dot product

    answer(ada.run(), question, "120")
    answer(bo.run(), question, "130")
    answer(bo, question, "127")  # a changed mind replaces the first answer
    assert "Received: **127**" in shown(bo) and "120" not in shown(bo)  # never another's answer
    teacher.run()
    words = shown(teacher)
    assert "Answers so far: 2 of 2" in words and not {"120", "127"} & set(words.split())

    ada.run()  # her form is on screen when the teacher closes the question
    button(teacher, "Close the question").click().run()
    answer(ada, question, "125")
    assert "This question is closed: answers are no longer taken." in shown(ada)
    assert class_db.own_answer(question, ada.session_state["_class_student_id"]) == "120"
    button(teacher, "Reveal").click().run()
    for tab_ in (teacher, ada.run(), bo.run()):
        words = shown(healthy(tab_))
        assert "The true value is **128**. The median guess was 124" in words
        assert tab_.get("vega_lite_chart") and tab_.get("download_button")


def asked(key: str, class_db, page: str, ask_key: str, pick: str | None = None, **query) -> dict:
    """The teacher opens a page in a new tab (her resume link with the page's settings) and asks one
    of its questions; the spec the class got."""
    teacher = healthy(tab(page, resume=key, **query))
    if pick is not None:
        box = teacher.selectbox(key=f"_class_pick_{ask_key}")
        box.set_value(next(option for option in box.options if pick in option)).run()
    healthy(teacher).button(key=f"_class_ask_{ask_key}").click().run()
    assert "Asked:" in shown(healthy(teacher)), shown(teacher)
    return class_db.question(class_db.teacher_poll(key).question_id).spec


@pytest.fixture(scope="module")
def smollm():
    return load_causal_lm()


def test_every_kind_of_question_is_made_from_the_models_own_numbers(class_db, smollm):
    _, key = class_db.create_class()
    prompt = "The capital of France is"
    own = trace(smollm, prompt)

    spec = asked(
        key, class_db, "lessons/trace.py", "next_token_top_probability", tr_prompt=prompt, tr_tab="Next token"
    )
    top = readings.next_tokens(smollm, own, 10)
    assert [e["id"] for e in spec["top_tokens"]] == top["token_id"].tolist()
    np.testing.assert_allclose([e["probability"] for e in spec["top_tokens"]], top["probability"], rtol=1e-5)

    spec = asked(
        key,
        class_db,
        "lessons/trace.py",
        "next_token_top_probability",
        pick="temperature 2",
        tr_prompt=prompt,
        tr_tab="Next token",
    )
    logits = own.logits.astype(np.float64) / 2
    assert spec["value"] == pytest.approx(np.exp(logits.max() - np.logaddexp.reduce(logits)), rel=1e-5)

    spec = asked(
        key,
        class_db,
        "lessons/trace.py",
        "attention",
        tr_prompt=prompt,
        tr_tab="Attention",
        tr_layer="3",
        tr_head="2",
        tr_query="4 ␣is",
    )
    np.testing.assert_allclose(spec["weights"], own.attention[3, 2, 4], rtol=1e-5)

    spec = asked(
        key,
        class_db,
        "lessons/trace.py",
        "continuation",
        tr_prompt=prompt,
        tr_tab="Generate",
        tr_temperature="0.2",
        tr_choice="sample",
        tr_generate_n="3",
    )
    assert sorted(c["temperature"] for c in spec["continuations"]) == [0.2, 1.0, 1.6]
    assert all(c["text"].strip() for c in spec["continuations"])

    spec = asked(
        key,
        class_db,
        "lessons/dot_products.py",
        "closer_pair_pair_dot_pair_cosine",
        dp_source="static",
        dp_words="dog, cat, runs, quickly",
        dp_a="dog",
        dp_b="cat",
    )
    assert [(p["a"], p["b"]) for p in spec["pairs"]] == [("dog", "cat"), ("dog", "runs"), ("dog", "quickly")]
    assert -1 < spec["baseline"] < spec["pairs"][0]["cosine"] <= 1


def test_the_learning_question_counts_the_rows_one_real_step_moves(class_db, smollm):
    _, key = class_db.create_class()
    spec = asked(key, class_db, "lessons/learning.py", "rows_moved", ln_preset="The dog ran")
    from geometry.learning.training import train_steps

    run = train_steps(smollm, "The dog ran to the park.", 1, 1e-3, "sgd")  # the page's text and defaults
    assert spec["value"] == run.moved_rows and spec["unit"] == "rows"


def test_a_join_link_shows_the_join_form_above_any_page(class_db):
    code, _ = class_db.create_class()
    student = healthy(tab("lessons/dot_products.py", **{"class": code}, **HAND_MADE))
    assert f"Join the class **{code}**" in shown(student)
    assert urllib.parse.urlencode({"class": code}) in urllib.parse.urlencode(dict(student.query_params))
