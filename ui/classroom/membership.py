"""Who this session is in a class: nobody, the class's teacher, or one of its students.

* The **teacher key** lives only in the teacher's session state. It never goes into the address
  bar: a resume link (``?resume=KEY``, shown only on request) is read once and removed from the
  URL at once, and a teacher's own URL carries no class at all.
* A **student id** lives in the student's session and in their own URL (``?student=ID``), so a
  reload, or a new tab with the same address, is the same student with the same answers.
* A student who chose **Explore on my own** stops following the teacher's step; that choice is kept
  the same way as the id (``?exploring=true`` beside ``?student=ID``), so a reload keeps it.
* A **join code** in a URL (``?class=CODE``, the link and QR code on the board) only offers a
  session the class's join form: whoever copies it gets student rights, nothing more.

Session keys start with ``_class_`` (never a URL setting of a page).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import streamlit as st

from classroom import Attempts, ClassroomError, ClassroomUnavailable, NotAllowed, NotFound
from ui.server.classroom import class_store
from ui.url_settings import CLASS_PARAMETERS

TEACHER_KEY = "_class_teacher_key"
STUDENT_KEY = "_class_student_id"
CODE_KEY = "_class_code"
NOTICE_KEY = "_class_notice"  # one sentence for the class panel, shown once
ATTEMPTS_KEY = "_class_attempts"  # wrong class codes typed in this session (classroom.Attempts)
EXPLORING_KEY = "_class_exploring"  # a student who does not follow the teacher's step

CLASS_PARAM, STUDENT_PARAM, RESUME_PARAM, EXPLORING_PARAM = CLASS_PARAMETERS  # the address's class parameters


@dataclass(frozen=True)
class Member:
    """This session's place in a class: its code and either the teacher key or a student id."""

    code: str
    teacher_key: str | None = None
    student_id: str | None = None

    @property
    def is_teacher(self) -> bool:
        return self.teacher_key is not None


def member() -> Member | None:
    """This session in its class, or None."""
    state = st.session_state
    code = state.get(CODE_KEY)
    if not code:
        return None
    if state.get(TEACHER_KEY):
        return Member(code, teacher_key=state[TEACHER_KEY])
    if state.get(STUDENT_KEY):
        return Member(code, student_id=state[STUDENT_KEY])
    return None


def teacher_key() -> str | None:
    """The teacher key of this session's class, when this session is its teacher."""
    found = member()
    return found.teacher_key if found else None


def say(sentence: str) -> None:
    """Keep a sentence for the class panel to show once (a class that ended, a refused link)."""
    st.session_state[NOTICE_KEY] = sentence


def take_notice() -> str | None:
    return st.session_state.pop(NOTICE_KEY, None)


def attempts() -> Attempts:
    """This session's wrong class codes (at most 10 a minute)."""
    return st.session_state.setdefault(ATTEMPTS_KEY, Attempts())


def become_teacher(code: str, key: str) -> None:
    leave()
    st.session_state[CODE_KEY], st.session_state[TEACHER_KEY] = code, key


def become_student(code: str, student_id: str) -> None:
    leave()
    st.session_state[CODE_KEY], st.session_state[STUDENT_KEY] = code, student_id
    st.query_params.pop(CLASS_PARAM, None)
    st.query_params[STUDENT_PARAM] = student_id


def leave() -> None:
    """Forget the class in this session and in its URL (the class itself goes on)."""
    for key in (CODE_KEY, TEACHER_KEY, STUDENT_KEY, EXPLORING_KEY):
        st.session_state.pop(key, None)
    st.query_params.pop(STUDENT_PARAM, None)
    st.query_params.pop(EXPLORING_PARAM, None)


def exploring() -> bool:
    """Whether this student explores on their own (does not follow the teacher's step)."""
    return bool(st.session_state.get(EXPLORING_KEY))


def explore(on: bool) -> None:
    """Detach this student from the teacher's step (``on``), or attach them again; in the URL too."""
    st.session_state[EXPLORING_KEY] = on
    if on:
        st.query_params[EXPLORING_PARAM] = "true"
    else:
        st.query_params.pop(EXPLORING_PARAM, None)


def key_from_link(text: str) -> str:
    """A teacher key from a pasted resume link (its ``resume`` parameter) or from the bare key."""
    text = text.strip()
    if "://" in text or "?" in text:
        found = parse_qs(urlsplit(text).query).get(RESUME_PARAM)
        return found[0] if found else ""
    return text


def resume(key: str) -> None:
    """Take the class of this teacher key into this session; NotAllowed (a sentence) otherwise."""
    info = class_store().resume(key)
    become_teacher(info.code, key)


def read_link() -> None:
    """Once per run, before the class is drawn: act on the class parameters of this session's URL.

    ``?resume=KEY`` resumes the class and leaves the address bar at once; ``?student=ID`` makes this
    session that student (after a reload or in a new tab); a teacher's URL keeps no class parameter;
    a student's URL always keeps their id, also after moving to another page.
    """
    params = st.query_params
    if RESUME_PARAM in params:
        key = params.pop(RESUME_PARAM)
        try:
            resume(key)
        except ClassroomError as error:
            say(str(error) if not isinstance(error, NotAllowed) else _NO_CLASS_FOR_KEY)
    found = member()
    if found is not None and found.is_teacher:
        params.pop(STUDENT_PARAM, None)
        params.pop(CLASS_PARAM, None)
        return
    asked, asked_to_explore = params.get(STUDENT_PARAM), params.get(EXPLORING_PARAM) == "true"
    if asked and (found is None or found.student_id != asked):
        _adopt_student(asked)
        found = member()
    if found is not None:
        params.pop(CLASS_PARAM, None)
        if params.get(STUDENT_PARAM) != found.student_id:
            params[STUDENT_PARAM] = found.student_id
        if asked_to_explore:  # a reload of an exploring student's address
            st.session_state[EXPLORING_KEY] = True
        if exploring() and params.get(EXPLORING_PARAM) != "true":  # a page opened since keeps it too
            params[EXPLORING_PARAM] = "true"


_NO_CLASS_FOR_KEY = (
    "That resume link opens no class: it was mistyped, or its class has ended. Start a new class."
)


def _adopt_student(student_id: str) -> None:
    """This session becomes the student of this id, when their class still runs."""
    try:
        poll = class_store().poll(student_id)
    except NotFound as error:
        say(str(error))
        st.query_params.pop(STUDENT_PARAM, None)
        return
    except ClassroomUnavailable as error:
        say(str(error))  # the id stays in the URL: a reload joins again once the database is back
        return
    become_student(poll.code, student_id)


def pending_code() -> str | None:
    """The class code of a join link this session opened and has not joined yet."""
    if member() is not None:
        return None
    return st.query_params.get(CLASS_PARAM) or None
