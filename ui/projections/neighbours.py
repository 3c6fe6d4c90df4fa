"""Real neighbours or false ones: the chosen word's nearest words in both spaces, side by side."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geometry.projection import maps
from ui.page.layout import download_table
from ui.page.tables import show_table
from ui.page.text import verbatim


def neighbours_view(table: pd.DataFrame, words: tuple[str, ...], index: int, metric: str) -> None:
    """The chosen word's neighbours in both spaces, side by side, from the page's one
    :func:`geometry.projection.faithfulness.neighbour_comparison` (with labels)."""
    kept, false = int(table["kept"].sum()), int(table["false_neighbour"].sum())
    k = len(table)
    st.markdown(
        f"**{verbatim(words[index])}**: {kept} of its {k} nearest words in the full space are also among "
        f"its {k} nearest on the map; **{false} map neighbour(s) are false** (close on the map only)."
    )
    left, right = st.columns(2)
    full, flat = maps.neighbour_tables(table, metric)
    left.markdown("Nearest in the full space")
    show_table(marked(full, "also near on map", KEPT), where=left, width="stretch")
    right.markdown("Nearest on the map")
    show_table(marked(flat, "false", FALSE), where=right, width="stretch")
    download_table(table, "neighbours.csv", key="pj_neighbours_csv", label="Download neighbours (CSV)")


# Each row says in words (and a sign) whether the neighbour survives the map: readable without colour,
# and a plain table (a pandas Styler's row shading took ~50 ms of every rerun of this page to send).
KEPT = {True: "✓ yes", False: "✗ no, lost on the map"}
FALSE = {True: "✗ false: near on the map only", False: "✓ no, near in both"}


def marked(table: pd.DataFrame, column: str, words: dict[bool, str]) -> pd.DataFrame:
    """``table`` with its yes/no ``column`` written in words.

    >>> marked(pd.DataFrame({"word": ["a", "b"], "kept": [True, False]}), "kept", KEPT)["kept"].tolist()
    ['✓ yes', '✗ no, lost on the map']
    """
    return table.assign(**{column: table[column].map(words)})
