"""Projection of every word onto the direction from one word to another."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geometry.charts import dot_products as charts
from ui.dot_products.pair import pick_two
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table, explain


def axis_ui(names: list[str], by_hand: bool) -> tuple[str, str] | None:
    """The heading and the two axis ends, as typed (None, after a note, when nothing can be placed).

    Model vectors exist for any word, so the ends are typed; hand-made vectors exist only for
    the names in the box, so the ends are picked from those names.
    """
    st.subheader("Projection onto a semantic axis")
    if by_hand and len(names) >= 2:
        start, end = pick_two(names, ("Axis from", "Axis to"), ("dp_axis_start", "dp_axis_end"))
    elif by_hand:
        st.info("Give at least two hand-made vectors: the axis runs from one to the other.")
        return None
    else:
        left, right = st.columns(2)
        start = left.text_input("Axis from", key="dp_axis_start", bind="query-params")
        end = right.text_input("Axis to", key="dp_axis_end", bind="query-params")
    if not names:
        st.info("Type some words (or vectors) above to place them on the axis.")
        return None
    return start, end


def axis_view(frame: pd.DataFrame, start: str, end: str) -> None:
    """The strip of every word's place on the axis (geometry.similarity.axis_projections)."""
    show_chart(cached_chart(charts.axis_strip_chart, frame, start, end), "semantic-axis", key="dp_axis")
    download_table(frame, "semantic-axis.csv", key="dp_axis_csv")


def axis_explanation() -> None:
    explain(
        "The difference between two words, such as large minus small, is a direction. The scalar "
        "projection measures how far each word reaches along it: one number per word, a one-dimensional "
        "view of a space with hundreds of dimensions. Position rescales it so the first word sits at 0 "
        "and the second at 1.",
        r"u=\frac{e-s}{\lVert e-s\rVert}\qquad \operatorname{proj}_u(x)=x\cdot u",
    )
