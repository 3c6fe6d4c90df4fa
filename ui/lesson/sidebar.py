"""The sidebar's "Add this view to my lesson": the page as it is now, as the plan's next step.

:func:`current_view` is the one reading of "the view on screen" (a class's student sends it to the
teacher with the same function)."""

from __future__ import annotations

import streamlit as st

from classroom.plans import PlanError, Step, add_step
from classroom.presenting import view_step
from ui import journey
from ui.lesson.keeper import lesson_keeper
from ui.page.links import url_settings
from ui.url_settings import CATALOGUE


def current_view(page: str) -> tuple[Step, list[str]]:
    """The view on screen as a step: the page ``page`` (its url path) and its URL settings as the
    address carries them now; and the settings left out (a value a link could not carry)."""
    return view_step(page, url_settings(), CATALOGUE)


def add_view_button(page: str) -> None:
    """On a lesson page (``page``, its url path): a button that adds the page and its URL settings
    (as the address carries them now) to the teacher's plan, and a line saying how long it is."""
    if page not in CATALOGUE:
        return
    keeper = lesson_keeper()
    if st.button("Add this view to my lesson", key="lesson_add_view", icon=":material/playlist_add:"):
        step, left_out = current_view(page)
        try:
            keeper.keep_plan(add_step(keeper.plan(), step))
        except PlanError as error:  # a full plan: its sentence, and nothing changes
            st.error(str(error))
        else:
            number = len(keeper.plan().steps)
            st.toast(f"Step {number} of your lesson: {step.title}.", icon=":material/check_circle:")
        if left_out:
            st.warning(f"Not kept (a link could not carry the value): {', '.join(left_out)}.")
    count = len(keeper.plan().steps)
    if count:
        st.page_link(journey.PLANNER.path, label=f"My lesson: {count} step{'s' if count != 1 else ''}")
