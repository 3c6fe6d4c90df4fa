"""How the word was found in the sentences, and the chosen layer's key numbers."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from geometry.context import occurrences as context
from geometry.context import tables
from ui.page.layout import metric_row
from ui.page.tables import show_table
from ui.page.text import verbatim


def number(value: float) -> str:
    """A cosine for a metric; a dash when it is undefined (no pair of that kind)."""
    return "–" if math.isnan(value) else f"{value:.3f}"


def occurrence_notes(occ: context.Occurrences) -> None:
    """Say how the word was tokenized and whether its static vector is shared by every occurrence."""
    if occ.split_pieces:
        st.info(
            f"The tokenizer cuts '{verbatim(occ.word)}' into several tokens "
            f"({verbatim('; '.join(occ.split_pieces))}); "
            "each occurrence's vector is the mean of its pieces."
        )
    spread = tables.static_spread(occ)
    if spread == 0:
        st.success(
            f"Static vector: the same embedding row in all {len(occ.labels)} occurrences (largest "
            "difference 0). Every path below starts from this one point."
        )
    else:
        st.warning(
            f"The static vectors differ (largest difference {spread:.3g}) because the word became "
            "different tokens in different sentences: "
            f"{verbatim(', '.join(sorted(set(occ.table['pieces']))))}. "
            "Capitals or a missing space before the word change the token."
        )
    with st.expander(f"The {len(occ.labels)} occurrences and their tokens"):
        show_table(occ.table, width="stretch")


def layer_metrics(row: pd.Series) -> None:
    """One row of geometry.context.layer_table as four key numbers."""
    metrics = metric_row()
    metrics.metric("Self-similarity", number(row.self_similarity), width="content")
    metrics.metric("Within sense", number(row.within_sense), width="content")
    metrics.metric("Across senses", number(row.across_sense), width="content")
    metrics.metric("Baseline (random words)", number(row.baseline), width="content")
