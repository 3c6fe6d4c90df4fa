"""The sidebar's two settings every page reads: presenter mode and classroom-safe lists (the styles
they choose are in ui/page/style.py).
"""

from __future__ import annotations

import streamlit as st

PRESENTER_KEY = "presenter"

CLASSROOM_KEY = "classroom_safe"


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
