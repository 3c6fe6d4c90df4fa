"""A class that follows the teacher's step: the watcher on the panel's tick, and the student's line.

Every poll carries the class's step version (``Poll.step_version``). :func:`follow_teacher`, one
of the panel's watchers, compares it with the version this session opened last: when the teacher
has moved (or the student has just joined or reloaded), it reads the step once
(``ClassStore.followed_step``: page, settings, title and the plan's length, never the teacher's
note) and opens it with ``ui.lesson.navigate.open_view``, the page with its settings, as the
teacher's presenter bar does. A student who chose **Explore on my own** is not moved;
**Back to the teacher** opens the current step at once.
"""

from __future__ import annotations

import streamlit as st

from classroom import ClassroomError, FollowedStep, Poll
from classroom.plans import Plan
from classroom.presenting import class_position, following_line, needs_opening, step_view
from ui import journey
from ui.classroom import membership
from ui.lesson.navigate import open_view
from ui.server.classroom import class_store

OPENED_KEY = "_class_followed"  # the FollowedStep this session opened last


def follow_teacher(previous: Poll | None, poll: Poll) -> None:
    """A watcher of the panel's tick: an attached student's page moves to the teacher's new step."""
    found = membership.member()
    if found is None or found.is_teacher or membership.exploring():
        return
    opened = st.session_state.get(OPENED_KEY)
    if needs_opening(opened.version if opened else None, poll.step_version):
        open_current_step(found.student_id)


def open_current_step(student_id: str) -> None:
    """Open the class's current step (its page with its settings); ends this run when there is one.
    Nothing happens before the first step, or when the class cannot be read (the next tick says why)."""
    try:
        step = class_store().followed_step(student_id)
    except ClassroomError:
        return
    if step is None:
        return
    st.session_state[OPENED_KEY] = step
    open_view(step.page, step_view(step.settings))


def where(step: FollowedStep) -> str:
    """The following student's line for this step; a ready-made plan's title and length from its file."""
    named = class_position(step.index, step.settings, Plan("", 0), journey.PLANS)
    if named is not None:
        return following_line(named.number, named.count, named.step.title)
    return following_line(step.index + 1, step.count, step.title)


def following_bar(student_id: str) -> None:
    """Above a student's page: whom they follow and **Explore on my own**, or **Back to the teacher**."""
    row = st.container(horizontal=True, vertical_alignment="center", key="class_following")
    if membership.exploring():
        row.markdown("You are exploring on your own: the teacher's steps do not move your page.")
        if row.button("Back to the teacher", key="_class_back", icon=":material/group:", type="primary"):
            membership.explore(False)
            st.session_state.pop(OPENED_KEY, None)
            open_current_step(student_id)
            st.rerun()  # no step yet: just redraw, following
        return
    opened = st.session_state.get(OPENED_KEY)
    if opened is None:
        row.markdown("You follow the teacher: your page moves with the lesson's steps.")
    else:
        row.text(where(opened))
    row.button(
        "Explore on my own",
        key="_class_explore",
        icon=":material/explore:",
        on_click=membership.explore,
        args=(True,),
        help="Your page stops moving with the teacher's steps until you come back.",
    )
