"""Joining a class: by its link (the code is in the URL) or by typing the class code, with an
optional nickname. Wrong codes are limited per session (``classroom.Attempts``); every refusal is a
sentence under the form, which keeps what was typed."""

from __future__ import annotations

import streamlit as st

from classroom import ClassroomError
from classroom.codes import typed_code
from classroom.limits import MAX_NICKNAME_CHARS
from ui.classroom import membership
from ui.server.classroom import class_store


def _keys(where: str) -> tuple[str, str, str]:
    return f"_class_typed_code_{where}", f"_class_nickname_{where}", f"_class_join_said_{where}"


def _join(code: str | None, where: str) -> None:
    code_key, nickname_key, said_key = _keys(where)
    code = code or st.session_state.get(code_key, "")
    try:
        student_id = class_store().join(
            code, st.session_state.get(nickname_key) or None, attempts=membership.attempts()
        )
    except ClassroomError as error:
        st.session_state[said_key] = str(error)
        return
    st.session_state.pop(said_key, None)
    membership.become_student(typed_code(code) or code, student_id)


def join_form(code: str | None, where: str) -> None:
    """The join form: the code of a join link, or a *Class code* box; a nickname; *Join*."""
    code_key, nickname_key, said_key = _keys(where)
    with st.form(f"_class_join_{where}", border=where != "sidebar", enter_to_submit=True):
        if code is None:
            st.text_input("Class code", key=code_key, max_chars=12, placeholder="6 letters and digits")
        else:
            st.markdown(f"Join the class **{code}**: your answers are anonymous.")
        st.text_input(
            "Nickname (optional)",
            key=nickname_key,
            max_chars=MAX_NICKNAME_CHARS,
            help="Shown to the teacher only; your answers stay anonymous.",
        )
        st.form_submit_button("Join", on_click=_join, args=(code, where), type="primary")
    if st.session_state.get(said_key):
        st.warning(st.session_state[said_key], icon="⚠️")
