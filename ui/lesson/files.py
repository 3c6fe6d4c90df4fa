"""The My lesson page's files: the plan downloaded as TOML, a plan file opened (read as data and
checked, never run), and the ready-made lessons to present or to copy and edit."""

from __future__ import annotations

import re

import streamlit as st

from classroom.plans import Plan, PlanError, plan_to_toml, read_plan
from classroom.presenting import Position
from ui import journey
from ui.lesson.editor import new_revision
from ui.lesson.keeper import lesson_keeper
from ui.lesson.navigate import present
from ui.url_settings import CATALOGUE

_OPENED = "lesson_opened_file"  # session key: the uploaded file already taken as the plan
UPLOAD_LIMIT_MB = 1  # the browser refuses more; from 200 KB up, read_plan says why in a sentence


def file_name(plan: Plan) -> str:
    """A file name from the plan's title, e.g. "Why 'bank' changes" → "why-bank-changes.toml"."""
    slug = re.sub(r"[^a-z0-9]+", "-", plan.title.lower()).strip("-")[:60].strip("-")
    return f"{slug or 'lesson'}.toml"


def download_button(plan: Plan) -> None:
    st.download_button(
        "Download my lesson (TOML)",
        data=plan_to_toml(plan),
        file_name=file_name(plan),
        mime="application/toml",
        icon=":material/download:",
        on_click="ignore",
        disabled=not plan.steps,
        key="lesson_download",
    )


def open_plan_file() -> None:
    """A plan file from the teacher's computer becomes their lesson; a file the app cannot take is
    refused with its sentence (which names the step) while it stays in the box, and the lesson
    stays as it was."""
    uploaded = st.file_uploader(
        "Open a lesson plan file (.toml)",
        type=["toml"],
        max_upload_size=UPLOAD_LIMIT_MB,
        key="lesson_upload",
        help="It replaces your lesson: download your lesson first to keep it.",
    )
    if uploaded is None:
        return
    try:
        plan = read_plan(uploaded.getvalue(), CATALOGUE)
    except PlanError as error:
        st.error(f"This file was not opened. {error}", icon=":material/block:")
        return
    if st.session_state.get(_OPENED) != uploaded.file_id:  # once per file, not on every rerun
        st.session_state[_OPENED] = uploaded.file_id
        lesson_keeper().keep_plan(plan)
        new_revision()
        st.rerun()
    st.success(f"Opened: {len(plan.steps)} steps.", icon=":material/check:")


def ready_made_lessons() -> None:
    """The bundled lessons: each to present at once, or to copy into My lesson and edit."""
    for name, plan in journey.PLANS.items():
        with st.container(border=True, key=f"lesson_ready_{name}"):
            st.text(plan.title)
            st.caption(f"{plan.minutes} minutes · {len(plan.steps)} steps")
            with st.container(horizontal=True):
                if st.button("Present", key=f"lesson_ready_present_{name}", icon=":material/slideshow:"):
                    present(Position(plan, 0, name))
                st.button(
                    "Copy to my lesson",
                    key=f"lesson_ready_copy_{name}",
                    icon=":material/content_copy:",
                    help="It replaces your lesson: download your lesson first to keep it.",
                    on_click=_copy,
                    args=(plan,),
                )


def _copy(plan: Plan) -> None:
    lesson_keeper().keep_plan(plan)
    new_revision()
