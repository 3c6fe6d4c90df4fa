"""Opening a lesson step: its page with its settings, from any page, the same page included.

Streamlit takes a URL-bound widget's value from the address only when a page is arrived at, and
refuses to set the address of a widget drawn on the current page. So every step is opened through
a hidden page (:func:`step_page`): the click forgets the target page's settings (a setting the step
does not name shows its default, not a value left from an earlier visit), remembers the view, and
switches to the hidden page, which switches at once to the target page with the step's settings in
the address. The sidebar's presenter and classroom-safe settings stay as they are (Streamlit puts a
bound sidebar toggle's value back into the address).

:func:`open_view` is also what a following student's page calls with the teacher's step, from the
class panel's fragment. A fragment's run cannot let go of the widgets of the page around it (their
settings stay bound to the address until a whole run ends without them), so from a fragment the
view is kept and the whole app rerun: :func:`open_deferred_view`, called by app.py before the page
is drawn, opens it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NoReturn

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from classroom.presenting import Position
from ui import journey
from ui.lesson.keeper import lesson_keeper
from ui.url_settings import CATALOGUE

STEP_PAGE = "lesson-step"  # the hidden page's url path
_SCRIPTS = {lesson.url_path: lesson.path for lesson in [journey.HOME, *journey.LESSONS]}
_PENDING = "lesson_pending_view"  # session key: (page, settings) on the way to the page
_DEFERRED = "lesson_deferred_view"  # session key: (page, settings) asked for by a fragment
ARRIVED = "lesson_arrived"  # session key: set for the first run of the step's page (ui/lesson/bar.py)


def open_view(page: str, query: Mapping[str, str | list[str]]) -> NoReturn:
    """Open the lesson page ``page`` (its url path) with these query parameters, every other
    setting of that page at its default. Ends this run."""
    context = get_script_run_ctx()
    if context is not None and context.fragment_ids_this_run:  # a fragment's run: the next whole run opens it
        st.session_state[_DEFERRED] = (page, dict(query))
        st.rerun(scope="app")
    for key in CATALOGUE[page].settings:
        if key in st.session_state:
            del st.session_state[key]
    st.session_state[_PENDING] = (page, dict(query))
    st.switch_page(step_page(), query_params={})  # {} and not None: None would clear bound settings


def open_deferred_view() -> None:
    """Open the view a fragment asked for, if any (app.py, before the page is drawn)."""
    deferred = st.session_state.pop(_DEFERRED, None)
    if deferred is not None:
        open_view(*deferred)


def present(position: Position) -> NoReturn:
    """Present the plan at ``position``: keep it, and open its step's page with its settings."""
    lesson_keeper().keep_position(position)
    open_view(position.page, position.query)


def step_page() -> st.Page:
    """The hidden page every step passes through (registered in app.py's navigation)."""
    return st.Page(_open_pending, title="Lesson step", url_path=STEP_PAGE, visibility="hidden")


def _open_pending() -> None:
    page, query = st.session_state.pop(_PENDING, (journey.HOME.url_path, {}))
    st.session_state[ARRIVED] = True
    st.switch_page(_SCRIPTS[page], query_params=query)
