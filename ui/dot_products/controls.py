"""The dot-products page's secondary controls, and how its words were tokenized."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.page.layout import more_controls
from ui.page.tables import show_table


def secondary_controls(by_hand: bool, folded: bool = True) -> tuple[bool, int]:
    """The standardise switch and the number of neighbours (under "More controls" when ``folded``
    in presenter mode; in place when they are already in a folded header)."""
    with more_controls() if folded else st.container():
        left, right = st.columns(2)
        standardise = left.toggle(
            "Standardise dimensions",
            key="dp_standardise",
            bind="query-params",
            disabled=by_hand,
            help="Subtract each dimension's mean over the vocabulary and divide by its spread.",
        )
        k = right.slider("Neighbours to list", 3, 30, 10, key="dp_k", bind="query-params")
    return standardise and not by_hand, k


def tokenization_expander(split: pd.DataFrame, dimensions: int, source: str) -> None:
    """How each word was split into tokens (geometry.wordlists.tokenization_table), and how its
    vector was made."""
    with st.expander(f"How the words were tokenized ({len(split)} words, {dimensions} dimensions each)"):
        show_table(split, width="stretch")
        if source == "sentence":
            st.caption("Sentence vectors run the whole entry through the encoder, not just a row lookup.")
