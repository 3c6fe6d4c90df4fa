"""A question as the class reads it, and a student's answer: typed (a next word, a number) or
picked (a pair, a token, a continuation). The answer is saved in the database before the page
says "received"; a student may change it until the teacher closes the question."""

from __future__ import annotations

import streamlit as st

from classroom import ClassroomError, options
from geometry.words.safety import mask_text
from ui.classroom import membership
from ui.classroom.sentences import wording
from ui.page.settings import classroom_safe
from ui.server.classroom import class_store

PLACEHOLDERS = {"next_token": "one word", "number": "a number, for example 0.5"}


def _safe(text: str) -> str:
    return mask_text(text)[0] if classroom_safe() else text


def question_text(kind: str, spec: dict) -> None:
    """The question, and what it is about (the prompt, the sentence with its query token), never
    the model's answer."""
    st.subheader(wording(kind, spec), anchor=False)
    if kind == "attention":
        tokens = [
            f"**[{token}]**" if i == spec["query"] else f"`{token}`" for i, token in enumerate(spec["tokens"])
        ]
        st.markdown(
            " ".join(tokens) + f"  \nLayer {spec['layer']}, head {spec['head']}; the query is in brackets."
        )
    elif kind in ("next_token", "continuation"):
        st.markdown(f"Prompt: *{_safe(spec['prompt'])}*")


def _tokenizer(model: str | None):
    """The model's tokenizer, to read a next-word guess as the model's token (None if unavailable)."""
    from geometry.models import loading

    try:
        return loading.load_model(model).tokenizer if model else None
    except (loading.ModelUnavailable, loading.IntegrityError):
        return None


def _send(question_id: int, kind: str, spec: dict) -> None:
    value = st.session_state.get(f"_class_answer_{question_id}")
    said = f"_class_answer_said_{question_id}"
    if value is None or (isinstance(value, str) and not value.strip()):
        st.session_state[said] = "Type or choose an answer first."
        return
    tokenizer = _tokenizer(spec.get("model")) if kind == "next_token" else None
    try:
        class_store().answer(question_id, membership.member().student_id, value, tokenizer=tokenizer)
    except ClassroomError as error:
        st.session_state[said] = str(error)
        return
    st.session_state.pop(said, None)


def answer_form(question_id: int, kind: str, spec: dict, own_answer: str | None) -> None:
    """The answer box or choices, and *Send*; "received" once the database has the answer."""
    key = f"_class_answer_{question_id}"
    choices = options(kind, spec)
    with st.form(f"_class_form_{question_id}", border=False, enter_to_submit=True):
        if choices is None:
            unit = spec.get("unit", "")
            label = "Your guess" + (f" (in {unit})" if unit else "")
            st.text_input(label, key=key, max_chars=60, placeholder=PLACEHOLDERS[kind])
        else:
            texts = [c["text"] for c in spec["continuations"]] if kind == "continuation" else None
            st.radio(
                "Your answer",
                range(len(choices)),
                index=None,
                key=key,
                format_func=lambda i: f"{choices[i]}: …{_safe(texts[i])}" if texts else choices[i],
            )
        st.form_submit_button(
            "Change my answer" if own_answer else "Send my answer",
            type="primary",
            on_click=_send,
            args=(question_id, kind, spec),
        )
    if not refusal(question_id) and own_answer:
        st.success(
            f"Received: **{own_answer}**. You can change it until the teacher closes the question.",
            icon=":material/check_circle:",
        )


def refusal(question_id: int) -> bool:
    """Say why the student's last answer to this question was refused (a late one, a bad number)."""
    said = st.session_state.get(f"_class_answer_said_{question_id}")
    if said:
        st.warning(said, icon="⚠️")
    return bool(said)
