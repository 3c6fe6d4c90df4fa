"""The layer-by-layer sections of Words in context: the cosine matrix, the paths, the nearest words,
the table across layers and the first dimensions. Each draws tables the page computed."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from geometry.charts import context as charts
from geometry.context import tables
from ui.page.charts import cached_chart, show_chart, show_wide_and_narrow
from ui.page.layout import download_table
from ui.page.safety import safe_tokens
from ui.page.tables import show_table
from ui.server.warm_up import umap_ready


def cosine_matrix_view(pairwise: pd.DataFrame, layer: str, show_values: bool) -> None:
    """The cosine between every two occurrences at the chosen layer (context.tables.pairwise_table)."""
    st.subheader(f"Cosine between occurrences at {layer}")
    show_wide_and_narrow(  # on a phone without the numbers, which would overlap in cells that small
        charts.occurrence_cosine_chart,
        pairwise,
        show_values=show_values,
        filename="context_cosines",
        key="cx_cos",
        narrow={"show_values": False, "compact": True},
    )
    st.caption(
        "Colours run from -1 to 1 on every model and layer, as for every cosine in this app, so "
        "equal numbers get equal colours; on a causal LM most cells are dark because its cosines "
        "sit close to 1."
    )


def paths_heading(method: str) -> None:
    """The heading of the map, said before the map is computed (UMAP's first map compiles)."""
    st.subheader("Every occurrence, every layer")
    if method == "UMAP" and not umap_ready():
        st.caption("UMAP compiles its code on first use in this server (about 15 seconds).")


def paths_view(paths: tuple[pd.DataFrame, list[str], tuple[str, ...]], index: int, method: str) -> None:
    """Each occurrence's path through the layers (geometry.context.tables.layer_map: frame, titles, notes)."""
    path_frame, titles, notes = paths
    chart = cached_chart(charts.occurrence_paths_chart, path_frame, index, *titles)
    show_chart(chart, "context_paths", "cx_paths")
    st.caption(
        "Each line is one occurrence, from the static row (black diamond) through every layer; the "
        f"large marks are the chosen layer. Vectors are scaled to length 1 before the {method} map. "
        + " ".join(notes)
    )


def nearest_view(nearest: pd.DataFrame, layer: str) -> None:
    """The vocabulary words nearest each occurrence (geometry.context.nearest_words), one row each."""
    st.subheader(f"Nearest vocabulary words at {layer}")
    show_table(tables.nearest_summary(safe_tokens(nearest, "word")), width="stretch")
    st.caption(
        "A lens, not a readout: cosine with the input-embedding rows of whole-word tokens. It is exact "
        "for the static row. In the middle layers it is only an approximation, since hidden states drift "
        "away from the embedding space; in a causal LM the last layers lean toward the *next* token."
    )


def across_layers_view(table: pd.DataFrame, index: int, last_layer: str, labelled: bool) -> None:
    """Self-similarity, within and across senses at every layer (geometry.context.layer_table)."""
    st.subheader("Across layers")
    chart = cached_chart(charts.layer_similarity_chart, tables.long_layer_table(table), index)
    show_chart(chart, "context_layers", "cx_layers")
    st.markdown(layer_summary(table, last_layer, labelled=labelled))


def downloads(table: pd.DataFrame, pairwise: pd.DataFrame, word: str, model_name: str, layer: str) -> None:
    download_table(table, f"context_{word}_{model_name}_layers.csv", "cx_csv", "Download similarity table")
    download_table(pairwise, f"context_{word}_{layer}.csv", "cx_pairs_csv", "Download cosine matrix")


def dimensions_view(strips: pd.DataFrame, layer: str) -> None:
    """The first 32 dimensions of the static row and the chosen layer (context.tables.dimension_table)."""
    st.subheader(f"The first 32 dimensions: static row and {layer}")
    show_wide_and_narrow(  # the static row beside the layer, or above it on a phone
        charts.dimension_strip_chart,
        strips,
        filename="context_dimensions",
        key="cx_dims",
        narrow={"columns": 1, "width": 190, "legend": "bottom"},
    )


def layer_summary(table: pd.DataFrame, last_layer: str, labelled: bool = True) -> str:
    """A few sentences (Markdown) on the first and last rows of :func:`layer_table`; ``labelled``: some
    sentence has a sense."""
    text = (
        f"Self-similarity goes from **{table.self_similarity.iloc[0]:.2f}** (static) to "
        f"**{table.self_similarity.iloc[-1]:.2f}** at {last_layer}."
    )
    within, across = table.within_sense.iloc[-1], table.across_sense.iloc[-1]
    if not labelled or (math.isnan(within) and math.isnan(across)):
        return text + " Label the sentences with senses (`sense: sentence`) to compare within and across."
    if math.isnan(within):  # labelled, but no sense has two sentences: no same-sense pair exists
        return text + (
            f" There, pairs with different senses average **{across:.2f}**. No sense has two sentences "
            "yet, so nothing can be compared within a sense: give one sense a second sentence."
        )
    if math.isnan(across):  # every sentence carries the same label
        return text + (
            f" There, pairs with the same sense average **{within:.2f}**. Every sentence has the same "
            "sense, so nothing can be compared across senses: label a sentence with another sense."
        )
    return text + (
        f" There, pairs with the same sense average **{within:.2f}** and pairs with different senses "
        f"**{across:.2f}**."
    )
