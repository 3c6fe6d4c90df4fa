"""Classroom-safe lists on the page: offensive tokens shown as a neutral mark, with a caption
that counts them; every number and rank unchanged (the masking itself is geometry.words.safety).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from ui.page.settings import classroom_safe

if TYPE_CHECKING:  # imported by the pages that draw charts, not by the home page
    import pandas as pd


def safe_tokens(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The table with offensive tokens in ``columns`` shown as a neutral mark (classroom-safe
    setting), followed by a caption counting them. Rows, ranks and numbers stay as they are."""
    if not classroom_safe():
        return frame
    from geometry.words.safety import mask_tokens

    shown, hidden = frame.copy(), 0
    for column in columns:
        unique = shown[column].is_unique  # a chart axis of unique tokens keeps one bar per token
        shown[column], count = mask_tokens(shown[column].astype(str), distinct=unique)
        hidden += count
    masked_note(hidden)
    return shown


def safe_words(tokens: list[str]) -> list[str]:
    """A few tokens for a sentence or a metric, masked like :func:`safe_tokens` (with its caption)."""
    if not classroom_safe():
        return list(tokens)
    from geometry.words.safety import mask_tokens

    shown, hidden = mask_tokens(tokens)
    masked_note(hidden)
    return shown


def safe_text(text: str) -> str:
    """Running text (a generated continuation) with offensive words masked (classroom-safe setting)."""
    if not classroom_safe():
        return text
    from geometry.words.safety import mask_text

    shown, hidden = mask_text(text)
    masked_note(hidden)
    return shown


def masked_note(hidden: int) -> None:
    if hidden:
        from geometry.words.safety import MASK

        st.caption(
            f"Classroom-safe: {hidden} token{'s' if hidden != 1 else ''} from a list of offensive words "
            f"shown as {MASK}; every number and rank is unchanged. The sidebar setting shows them all."
        )
