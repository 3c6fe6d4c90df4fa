"""Settings in a link: when a link opens a page, the settings it asked for that the page could not
use are named once, above the page, in words (ui/url_settings.py), with what the page shows instead.

Only the run that opens a page reads the link (a shared link, a reload, the navigation, the browser's
back button): after it, the URL follows the user's own edits and a page's own corrections (a new
prompt's last token), which are not the link's. A value is compared as the widget shows it and
writes it in the URL ("t-SNE", "2 ␣is"), through Streamlit's own serializer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
from streamlit.runtime.state.query_params import _coerce_value_for_query_url

from ui.page.text import verbatim
from ui.url_settings import APP_SETTINGS, CATALOGUE, CLASS_PARAMETERS, LESSON_SETTINGS, setting_label

STREAMLIT_PARAMETERS = {"embed", "embed_options"}  # Streamlit's own; never a lesson setting
# Not a page's settings but the app's, on every page: Streamlit's, a presented plan's place (a wrong
# one is said by the presenter bar) and a class's membership (said by the class panel).
NOT_PAGE_SETTINGS = {*STREAMLIT_PARAMETERS, *LESSON_SETTINGS, *CLASS_PARAMETERS}
OPENED = "_url_page"  # session state: the page the last run showed
SHOWN_CHARS = 40  # a value longer than this is cut in the notice


def link_opened(page: str) -> bool:
    """True on the first run of ``page`` since it was opened (by a link, a reload, the navigation or
    the browser's history): the one run whose URL is the link's own."""
    ctx = get_script_run_ctx()
    opened = st.session_state.get(OPENED) != page or bool(ctx and ctx.is_history_navigation)
    st.session_state[OPENED] = page
    return opened


def url_settings() -> dict[str, list[str]]:
    """The settings in this run's URL, before the page reads them."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def shown_value(key: str) -> tuple[str, ...] | None:
    """The value of the widget with ``key`` as the URL writes it (its shown option, "true", "3"), or
    None when no widget with that key was drawn."""
    ctx = get_script_run_ctx()
    if ctx is None or key not in st.session_state:
        return None
    state = ctx.session_state._state  # Streamlit's SessionState: the widget's own serializer
    widget_id = state.get_widget_id_from_key(key)
    metadata = state.get_widget_metadata(widget_id) if widget_id else None
    if metadata is None:
        return None
    serialized = metadata.serializer(st.session_state[key])
    if serialized is None:
        return ()
    written = _coerce_value_for_query_url(serialized, metadata.value_type)
    return tuple(written) if isinstance(written, list) else (written,)


def _matches(asked: list[str], shown: tuple[str, ...]) -> bool:
    """Whether the widget shows what the link asked for (the URL holds text: "3" is 3, "0.10" is 0.1,
    "TRUE" is true)."""
    if len(asked) != len(shown):
        return False
    for one, other in zip(asked, shown, strict=True):
        if one == other or one.lower() == other.lower():
            continue
        try:
            if float(one) != float(other):
                return False
        except ValueError:
            return False
    return True


def _quoted(values: tuple[str, ...] | list[str]) -> str:
    text = ", ".join(values)
    text = text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
    return f"“{verbatim(text)}”" if text else "nothing"


def unused_url_settings(
    asked: dict[str, list[str]], page: str, shown: Callable[[str], tuple[str, ...] | None] = shown_value
) -> tuple[list[str], list[str]]:
    """The link's settings the page did not take, in words: ("Label: “shown” (the link asked for
    “asked”)", …), and the names the link gave that are no setting of this page."""
    settings = {**CATALOGUE[page].settings, **APP_SETTINGS} if page in CATALOGUE else dict(APP_SETTINGS)
    replaced, unknown = [], []
    for key, values in asked.items():
        if key in NOT_PAGE_SETTINGS:
            continue
        if key not in settings:
            unknown.append(f"“{verbatim(key)}”")
            continue
        now = shown(key)
        if now is not None and not _matches(values, now):
            label = verbatim(setting_label(key, page))
            replaced.append(f"**{label}** shows {_quoted(now)} (the link asked for {_quoted(values)})")
    return replaced, unknown


def notice_text(replaced: list[str], unknown: list[str]) -> str:
    """The one notice: what the page shows instead of the link's settings, and names it does not know."""
    parts = []
    if replaced:
        parts.append(
            "This link asked for settings this page cannot show here, so it shows others: "
            + "; ".join(replaced)
            + "."
        )
    if unknown:
        parts.append(f"Not settings of this page, so left out: {', '.join(unknown)}.")
    return " ".join(parts)


def say_unused_url_settings(
    asked: dict[str, list[str]], page: str, where: st.delta_generator.DeltaGenerator
) -> None:
    """After the run that opened ``page``: one notice above it, if the link asked for anything the
    page could not use. Nothing when the run was cut short by a rerun (the user acted first)."""
    if isinstance(sys.exc_info()[1], RerunException):
        return
    text = notice_text(*unused_url_settings(asked, page))
    if text:
        where.info(text, icon="🔗")
