"""The sidebar's *Class* section: start a class, join one, or resume yours; in a class, its code,
who joined, the teacher's private resume link and *End the class*."""

from __future__ import annotations

import streamlit as st

from classroom import ClassroomError
from ui.classroom import membership
from ui.classroom.board import class_link, resume_link
from ui.classroom.join import join_form
from ui.page.settings import presenter_mode
from ui.server.classroom import class_store

SAID_KEY = "_class_sidebar_said"  # why the last click here failed
RESUME_BOX = "_class_resume_typed"
RESUME_SHOWN = "_class_resume_shown"


def _attempt(action) -> None:
    """Run a click's action; keep its refusal (a sentence) for the sidebar."""
    st.session_state.pop(SAID_KEY, None)
    try:
        action()
    except ClassroomError as error:
        st.session_state[SAID_KEY] = str(error)


def _start() -> None:
    def start() -> None:
        code, key = class_store().create_class()
        membership.become_teacher(code, key)

    _attempt(start)


def _resume_typed() -> None:
    key = membership.key_from_link(st.session_state.get(RESUME_BOX, ""))
    _attempt(lambda: membership.resume(key))


def _end() -> None:
    key = membership.teacher_key()
    _attempt(lambda: class_store().end_class(key))
    if SAID_KEY not in st.session_state:
        membership.leave()
        membership.say("The class has ended, with all its answers.")


def class_sidebar() -> None:
    """The *Class* section (and, first, what this session's URL says about its class)."""
    membership.read_link()
    st.divider()
    st.markdown("**Class**")
    found = membership.member()
    if found is None:
        _outside()
    elif found.is_teacher:
        _teacher(found)
    else:
        st.markdown(f"You are in the class **{found.code}**. Your answers are anonymous.")
        st.button("Leave the class", key="_class_leave", on_click=membership.leave)
    if st.session_state.get(SAID_KEY):
        st.warning(st.session_state[SAID_KEY], icon="⚠️")


def _outside() -> None:
    st.button(
        "Start a class",
        key="_class_start",
        on_click=_start,
        help="A class code and a QR code for your students. Then, on the lesson pages, ask the class to "
        "predict what the model will do before you reveal it.",
    )
    join_form(None, "sidebar")
    with st.expander("Resume my class"):
        st.text_input("Resume link or teacher key", key=RESUME_BOX, type="password")
        st.button("Resume", key="_class_resume", on_click=_resume_typed)


def _teacher(found: membership.Member) -> None:
    st.markdown(f"You teach the class **{found.code}**: [join link]({class_link(found.code)})")
    with st.expander("Who joined"):
        try:
            names = class_store().nicknames(found.teacher_key)
        except ClassroomError as error:
            st.warning(str(error))
        else:
            st.markdown(", ".join(names) if names else "No nicknames yet (students may join without one).")
    if presenter_mode():
        st.caption("Your resume link is hidden in presenter mode.")
    else:
        with st.expander("Resume link (private)"):
            st.caption(
                "Opens this class as its teacher after a reload or on another device. Anyone who has it "
                "can run your class: never project it or share it."
            )
            if st.toggle("Show my resume link", key=RESUME_SHOWN):
                st.code(resume_link(found.teacher_key), language=None, wrap_lines=True)
    with st.popover("End the class"):
        st.markdown("Ending deletes the class and every answer in it, for everyone.")
        st.button("End the class for everyone", key="_class_end", on_click=_end, type="primary")
