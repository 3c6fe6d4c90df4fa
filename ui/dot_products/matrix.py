"""Every pair of the list compared with the chosen metric: a heatmap and a table."""

from __future__ import annotations

import numpy as np
import streamlit as st

from geometry.charts import dot_products as charts
from geometry.words import similarity
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table, explain, friendly_errors
from ui.page.tables import show_table


def matrix_section(names: list[str], X: np.ndarray, metric: str, base: float | None) -> None:
    """The heatmap of every pair with the chosen metric, and a table of all pairs."""
    st.subheader(f"Every pair: {similarity.METRIC_NAMES[metric]}")
    with friendly_errors():
        S = similarity.pairwise(X, metric)
        frame = similarity.similarity_frame(S, names, metric)
        heatmap = cached_chart(charts.similarity_heatmap_chart, frame, metric, show_values=len(names) <= 15)
        show_chart(heatmap, "similarity", key="dp_matrix")
        if base is not None:
            st.caption(f"Baseline cosine of two random vocabulary words for this model: **{base:.3f}**.")
        pairs = similarity.pair_scores(X, names, base)
        show_table(pairs, width="stretch")
        download_table(pairs, "similarity-pairs.csv", key="dp_pairs_csv")
    explain(
        "Each cell compares the word of its row with the word of its column. The dot product grows with "
        "the lengths of the vectors as well as their agreement; the cosine keeps only the direction; the "
        "euclidean distance is small when the tips of the vectors are close. All three are linked: the "
        "squared distance is the two squared lengths minus twice the dot product.",
        r"\lVert a-b\rVert^2=\lVert a\rVert^2+\lVert b\rVert^2-2\,a\cdot b",
    )
