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
    show_table(full.style.apply(_shade("also near on map", False), axis=1), where=left, width="stretch")
    right.markdown("Nearest on the map")
    show_table(flat.style.apply(_shade("false", True), axis=1), where=right, width="stretch")
    download_table(table, "neighbours.csv", key="pj_neighbours_csv", label="Download neighbours (CSV)")


def _shade(column: str, when: bool):
    def style(row: pd.Series) -> list[str]:
        colour = "background-color: rgba(213, 94, 0, 0.18)" if row[column] == when else ""
        return [colour] * len(row)

    return style
