"""The My lesson page's editor: the plan's title and length, then each step with its title, note and
question, moved up or down, deleted, opened or presented from.

Each box edits the plan when it changes; a value the plan refuses (markup in a title, an empty
title) leaves the plan as it was and shows the refusal's sentence under the box, which keeps what the
teacher typed. Widget keys carry a revision that changes whenever steps move, so a box never shows
the step that used to be in its place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import streamlit as st

from classroom.plans import (
    MAX_MINUTES,
    MAX_NOTE_CHARS,
    MAX_TITLE_CHARS,
    MAX_WORDING_CHARS,
    Plan,
    PlanError,
    Question,
    Step,
    check_plan,
    delete_step,
    move_step,
    replace_step,
    retitle_step,
)
from classroom.presenting import Position
from classroom.questions import KINDS
from ui.lesson.keeper import lesson_keeper
from ui.lesson.navigate import open_view, present
from ui.url_settings import CATALOGUE, setting_label

_REVISION, _ERRORS = "lesson_revision", "lesson_errors"  # session keys


def revision() -> int:
    """Changes whenever the steps move (or a new plan replaces the old), renaming every box."""
    return st.session_state.get(_REVISION, 0)


def new_revision() -> None:
    st.session_state[_REVISION] = revision() + 1
    st.session_state[_ERRORS] = {}  # the refusals belonged to the boxes of the old revision


def _edit(key: str, change: Callable[[Plan, object], Plan]) -> None:
    """A box's callback: the plan changed by the box's value, or the refusal kept for the box."""
    keeper, errors = lesson_keeper(), st.session_state.setdefault(_ERRORS, {})
    try:
        keeper.keep_plan(change(keeper.plan(), st.session_state[key]))
    except PlanError as error:
        errors[key] = str(error)
    else:
        errors.pop(key, None)


def _refusal(key: str) -> None:
    sentence = st.session_state.get(_ERRORS, {}).get(key)
    if sentence:
        st.error(sentence)  # classroom.plans' sentences are plain text: they quote no markup


# ------------------------------------------------------------------------------------ the plan


def plan_header() -> None:
    """The plan's title and its minutes, and the button that presents it from its first step."""
    plan, rev = lesson_keeper().plan(), revision()
    left, right = st.columns([3, 1])
    title_key, minutes_key = f"lesson_title_{rev}", f"lesson_minutes_{rev}"
    left.text_input(
        "Lesson title",
        value=plan.title,
        max_chars=MAX_TITLE_CHARS,
        key=title_key,
        on_change=_edit,
        args=(title_key, _retitled_plan),
    )
    right.number_input(
        "Minutes",
        min_value=1,
        max_value=MAX_MINUTES,
        value=plan.minutes,
        key=minutes_key,
        on_change=_edit,
        args=(minutes_key, lambda plan, minutes: dataclasses.replace(plan, minutes=int(minutes))),
    )
    _refusal(title_key)
    presented = st.button(
        "Present my lesson", key="lesson_present", icon=":material/slideshow:", disabled=not plan.steps
    )
    if presented:
        present(Position(plan, 0))


def _retitled_plan(plan: Plan, title: object) -> Plan:
    edited = dataclasses.replace(plan, title=str(title).strip())
    check_plan(dataclasses.replace(edited, steps=()), CATALOGUE)  # the title's sentence, if any
    return edited


# ----------------------------------------------------------------------------------- the steps


def steps_editor() -> None:
    """Every step of the teacher's plan, each in its own box."""
    plan = lesson_keeper().plan()
    if not plan.steps:
        st.info(
            "No steps yet. Open a lesson page, set it up as you want the class to see it, and press "
            "**Add this view to my lesson** in the sidebar; or open a plan file, or copy a ready-made "
            "lesson below.",
            icon=":material/playlist_add:",
        )
    for index, step in enumerate(plan.steps):
        with st.container(border=True, key=f"lesson_step_{revision()}_{index}"):
            _step_box(plan, index, step)


def _step_box(plan: Plan, index: int, step: Step) -> None:
    page = CATALOGUE[step.page]
    st.markdown(f"**Step {index + 1}** · {page.title}")
    if step.settings:
        st.text(settings_in_words(step))
    prefix = f"lesson_{revision()}_{index}"
    title_key, note_key = f"{prefix}_title", f"{prefix}_note"
    words, question = st.columns([2, 1])
    with words:
        st.text_input(
            "Title",
            value=step.title,
            max_chars=MAX_TITLE_CHARS,
            key=title_key,
            on_change=_edit,
            args=(title_key, lambda plan, title: retitle_step(plan, index, str(title))),
        )
        _refusal(title_key)
        st.text_area(
            "Note for the teacher",
            value=step.note,
            max_chars=MAX_NOTE_CHARS,
            height=68,
            key=note_key,
            on_change=_edit,
            args=(note_key, lambda plan, note: _changed(plan, index, note=str(note))),
        )
        _refusal(note_key)
    with question:
        _question_boxes(index, step, prefix)
    _step_buttons(plan, index)


def _changed(plan: Plan, index: int, **changes: object) -> Plan:
    return replace_step(plan, index, dataclasses.replace(plan.steps[index], **changes), CATALOGUE)


def settings_in_words(step: Step, limit: int = 60) -> str:
    """The step's settings as a line of words, e.g. "Tab: Attention · Layer (Attention tab): 13"."""
    parts = []
    for key, value in step.settings:
        text = value if isinstance(value, str) else ", ".join(value)
        text = " ".join(text.split())  # a sentence list on one line
        shown = text if len(text) <= limit else text[: limit - 1] + "…"
        parts.append(f"{setting_label(key, step.page)}: {shown}")
    return " · ".join(parts)


def _question_boxes(index: int, step: Step, prefix: str) -> None:
    """The step's question for the class: one of the kinds its page can ask, and its wording."""
    kinds = sorted(CATALOGUE[step.page].questions)
    if not kinds:
        return
    kind_key, wording_key = f"{prefix}_question", f"{prefix}_wording"
    current = step.question.kind if step.question else ""
    kind = st.selectbox(
        "Question for the class",
        ["", *kinds],
        index=["", *kinds].index(current),
        format_func=lambda name: KINDS[name].title if name else "No question",
        key=kind_key,
        on_change=_edit,
        args=(kind_key, lambda plan, name: _asked(plan, index, str(name or ""), None)),
    )
    if kind:
        st.text_input(
            "Wording (empty: the page's own)",
            value=step.question.wording if step.question else "",
            max_chars=MAX_WORDING_CHARS,
            key=wording_key,
            on_change=_edit,
            args=(wording_key, lambda plan, wording: _asked(plan, index, None, str(wording))),
        )
        _refusal(wording_key)


def _asked(plan: Plan, index: int, kind: str | None, wording: str | None) -> Plan:
    """The plan with step ``index`` asking ``kind`` (None: the same kind; "": no question) in ``wording``."""
    question = plan.steps[index].question
    kind = question.kind if kind is None and question else kind or ""
    wording = (question.wording if question else "") if wording is None else wording.strip()
    return _changed(plan, index, question=Question(kind, wording) if kind else None)


def _step_buttons(plan: Plan, index: int) -> None:
    step, last = plan.steps[index], len(plan.steps) - 1
    with st.container(horizontal=True, key=f"lesson_buttons_{revision()}_{index}"):
        for label, by, help_text in (("↑", -1, "Move up"), ("↓", 1, "Move down")):
            blocked = index + by < 0 or index + by > last
            move = {"help": help_text, "disabled": blocked, "on_click": _moved, "args": (index, by)}
            st.button(label, key=f"lesson_move_{by}_{index}", **move)
        delete = {"icon": ":material/delete:", "on_click": _deleted, "args": (index,)}
        st.button("Delete", key=f"lesson_delete_{index}", **delete)
        if st.button("Open", key=f"lesson_open_{index}", icon=":material/open_in_new:"):
            open_view(step.page, step.query)
        if st.button("Present from here", key=f"lesson_from_{index}", icon=":material/slideshow:"):
            present(Position(plan, index))


def _moved(index: int, by: int) -> None:
    keeper = lesson_keeper()
    keeper.keep_plan(move_step(keeper.plan(), index, index + by))
    new_revision()


def _deleted(index: int) -> None:
    keeper = lesson_keeper()
    keeper.keep_plan(delete_step(keeper.plan(), index))
    new_revision()
