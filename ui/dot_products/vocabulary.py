"""Searches of the whole vocabulary: a word's nearest neighbours, and analogy arithmetic."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geometry.charts import dot_products as charts
from geometry.words import similarity
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table, explain
from ui.page.safety import safe_tokens
from ui.page.tables import show_table
from ui.page.text import verbatim


def neighbours_ui() -> str:
    """The heading and the word box (its text as typed)."""
    st.subheader("Nearest neighbours in the vocabulary")
    return st.text_input("Word", key="dp_neighbour", bind="query-params")


def neighbours_view(ranked: pd.DataFrame, metric: str) -> None:
    """The ranked neighbours (geometry.similarity.ranked_table) as bars, offensive words masked."""
    frame = safe_tokens(ranked, "word")
    show_chart(cached_chart(charts.neighbours_chart, frame, metric), "neighbours", key="dp_neighbours")
    download_table(frame, "neighbours.csv", key="dp_neighbours_csv")


def neighbours_explanation(model_name: str, size: int) -> None:
    explain(
        f"The word's static vector is compared with every one of the {size:,} whole-word tokens of "
        f"{model_name}: a single matrix-vector product, one dot product per vocabulary row. The word "
        "itself is left out.",
        r"\text{score}_w=\frac{E_w\cdot v}{\lVert E_w\rVert\,\lVert v\rVert}",
    )


def analogy_ui() -> tuple[str, str, str]:
    """The heading and the three word boxes (a, b, c as typed)."""
    st.subheader("Analogy arithmetic")
    columns = st.columns(3)
    a = columns[0].text_input("a (take away)", key="dp_an_a", bind="query-params")
    b = columns[1].text_input("b (start from)", key="dp_an_b", bind="query-params")
    c = columns[2].text_input("c (add)", key="dp_an_c", bind="query-params")
    return a, b, c


def analogy_view(answers: similarity.AnalogyAnswers, a: str, b: str, c: str) -> None:
    """Both answer lists side by side, and the caveat about leaving the inputs out."""
    st.markdown(f"**{verbatim(b)} − {verbatim(a)} + {verbatim(c)}** ≈ ?")
    shown = safe_tokens(answers.table(), "word")
    left_out, kept = (
        shown[shown["inputs"] == inputs].drop(columns="inputs") for inputs in ("left out", "kept")
    )
    left, right = st.columns(2)
    left.markdown("Inputs left out (the usual practice)")
    show_table(left_out, where=left, width="stretch")
    right.markdown("Nothing left out")
    show_table(kept, where=right, width="stretch")
    if answers.left_out:
        answer_shown, top_shown = left_out["word"].iloc[0], kept["word"].iloc[0]
        st.info(
            f"Caveat: with the inputs left out the answer is **{verbatim(answer_shown)}**. When nothing is "
            f"left out, {verbatim(answer_shown)} ranks **{answers.place}** and the top word is "
            f"**{verbatim(top_shown)}**. "
            "Leaving the inputs out flatters analogy tests (Nissim, van Noord & van der Goot, 2020).",
        )
    download_table(shown, "analogy.csv", key="dp_analogy_csv")


def analogy_explanation() -> None:
    explain(
        "Subtracting a from b keeps what separates them (for man → king, roughly royalty); adding c "
        "applies that difference to a new word. The result is a point in space that is not itself a "
        "word, so the page lists the vocabulary words nearest to it.",
        r"v=E_b-E_a+E_c\qquad \hat w=\arg\max_{w}\cos(E_w, v)",
    )
