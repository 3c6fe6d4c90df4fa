"""The sidebar's two settings every page reads, presenter mode and classroom-safe lists, and
the page styles they choose.
"""

from __future__ import annotations

import streamlit as st

PRESENTER_KEY = "presenter"

CLASSROOM_KEY = "classroom_safe"

# Every page: a row of tabs wraps onto a second line instead of hiding tabs behind a scroll arrow.
PAGE_STYLE = (
    "<style>[data-testid='stTabs'] [role='tablist'] {flex-wrap: wrap; row-gap: 0.25rem;}"
    " [data-testid='stTabs'] [role='tablist'] button {flex: 0 0 auto;}</style>"
)

# Presenter mode: larger prose, captions and tab labels (charts are enlarged by show_chart).
PRESENTER_STYLE = PAGE_STYLE + (
    "<style>html, .stMarkdown p, .stMarkdown li {font-size: 1.3rem;}"
    " h1 {font-size: 3rem;} [data-testid='stCaptionContainer'] {font-size: 1.1rem;}"
    " [data-testid='stTabs'] [role='tab'] p {font-size: 1.15rem;}</style>"
)


def presenter_mode() -> bool:
    """True when the sidebar's presenter setting is on (large type, fewer controls).

    Before the toggle is drawn on a first visit, the link's ``?presenter=true`` decides.
    """
    if PRESENTER_KEY in st.session_state:
        return bool(st.session_state[PRESENTER_KEY])
    return st.query_params.get(PRESENTER_KEY, "").lower() in ("true", "1", "yes", "on")


def classroom_safe() -> bool:
    """True unless the sidebar's classroom-safe setting (on by default, kept in the URL) is off."""
    if CLASSROOM_KEY in st.session_state:
        return bool(st.session_state[CLASSROOM_KEY])
    return st.query_params.get(CLASSROOM_KEY, "true").lower() not in ("false", "0", "no", "off")
