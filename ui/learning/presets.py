"""The Learning page's training texts: lesson presets, and the user's own text."""

from __future__ import annotations

import streamlit as st

PRESETS = {
    "The dog ran": "The dog ran to the park.",
    "The cat sat": "The cat sat on the mat.",
    "Gravity and mass": "Gravity pulls every mass toward every other mass.",
    "Joy and happiness": "Her joy slowly turned into happiness.",
    "Your own text": "",
}
CUSTOM = "Your own text"


def apply_preset() -> None:
    """on_change of the preset box: put the preset's text in the text box."""
    if st.session_state.ln_preset != CUSTOM:
        st.session_state.ln_text = PRESETS[st.session_state.ln_preset]


def mark_custom() -> None:
    """on_change of the text box: an edited text is no longer a preset."""
    if st.session_state.ln_text != PRESETS.get(st.session_state.ln_preset):
        st.session_state.ln_preset = CUSTOM
