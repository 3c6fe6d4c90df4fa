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
from functools import partial

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


def _box(widget: Callable, label: str, value: object, key: str, change: Callable, **options: object) -> None:
    """A box that edits the plan by ``change(plan, value)`` when it changes, and its refusal under it."""
    widget(label, value=value, key=key, on_change=_edit, args=(key, change), **options)
    _refusal(key)


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
    with left:
        _box(st.text_input, "Lesson title", plan.title, title_key, _retitled_plan, max_chars=MAX_TITLE_CHARS)
    with right:
        minutes = lambda plan, minutes: dataclasses.replace(plan, minutes=int(minutes))  # noqa: E731
        _box(
            st.number_input, "Minutes", plan.minutes, minutes_key, minutes, min_value=1, max_value=MAX_MINUTES
        )
    presented = st.button(
        "Present my lesson", key="lesson_present", icon=":material/slideshow:", disabled=not plan.steps
    )
    if presented:
        present(Position(plan, 0))


def _timed(plan: Plan, minutes: object) -> Plan:
    return dataclasses.replace(plan, minutes=int(minutes))


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
        retitled = lambda plan, title: retitle_step(plan, index, str(title))  # noqa: E731
        _box(st.text_input, "Title", step.title, title_key, retitled, max_chars=MAX_TITLE_CHARS)
        noted = lambda plan, note: _changed(plan, index, note=str(note))  # noqa: E731
        _box(
            st.text_area,
            "Note for the teacher",
            step.note,
            note_key,
            noted,
            max_chars=MAX_NOTE_CHARS,
            height=68,
        )
    with question:
        _question_boxes(index, step, prefix)
    _step_buttons(plan, index)


def _step_edit(index: int, field: str, plan: Plan, value: object) -> Plan:
    """The plan with step ``index``'s title, note or question wording set to ``value``."""
    if field == "title":
        return retitle_step(plan, index, str(value))
    if field == "wording":
        return _asked(plan, index, None, str(value))
    return _changed(plan, index, note=str(value))


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
        worded = partial(_step_edit, index, "wording")
        wording = step.question.wording if step.question else ""
        label = "Wording (empty: the page's own)"
        _box(st.text_input, label, wording, wording_key, worded, max_chars=MAX_WORDING_CHARS)


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
