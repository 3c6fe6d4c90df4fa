"""2. One backward pass: the two paths by which the gradient reaches the embedding matrix."""

from __future__ import annotations

import streamlit as st

from geometry.charts import learning as charts
from geometry.learning import gradients as learning
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table, metric_row
from ui.page.safety import safe_tokens
from ui.page.tables import show_table


def gradient_section(model_name: str, tables: learning.GradientTables) -> None:
    """2. How the gradient reaches the embedding matrix through the input and the output path."""
    summary = tables.summary
    st.header("2. One backward pass: two paths into the embedding matrix")
    row = metric_row()
    row.metric("Vocabulary rows", f"{summary.vocab:,}", width="content")
    row.metric("Rows hit by the input lookup", f"{summary.input_rows:,}", width="content")
    row.metric("Rows hit by the output projection", f"{summary.output_rows:,}", width="content")
    if tables.tied:
        st.markdown(
            f"{model_name} uses **one matrix twice** (tied embeddings): as the input lookup that turns "
            "each token into its first vector, and as the output projection that scores the final "
            "vector against every token. The gradient arrives by both paths and adds up.\n\n"
            f"- **Input lookup**: only the {summary.input_rows} rows of tokens the model read get any "
            "gradient: a sparse update. The last token gets none through this path "
            "unless it also occurs earlier, because nothing after it is predicted.\n"
            f"- **Output projection**: {summary.output_rows:,} rows get some gradient, because softmax "
            "gives every token a share of probability: the true next token's row is pulled towards the "
            "context vector, every other row pushed away in proportion to its share. A common "
            "explanation says only the rows of the tokens in the batch change: that holds for the input "
            "path only.\n\n"
            f"By size, {summary.input_share:.0%} of the squared gradient comes through the input lookup "
            f"and {summary.output_share:.0%} through the output projection."
        )
    else:
        st.markdown(
            f"{model_name} has a separate output matrix, so its embedding matrix gets only the sparse "
            "input-lookup gradient; the output-projection numbers below belong to the other matrix."
        )
    show_chart(
        cached_chart(charts.gradient_paths_chart, tables.paths), "learning_gradient_paths", key="ln_paths"
    )
    show_chart(
        cached_chart(
            charts.log_histogram_chart,
            tables.histogram,
            "path",
            "log10 of a row's gradient norm",
            "Every vocabulary row, by path",
        ),
        "learning_gradient_histogram",
        key="ln_hist",
    )
    st.markdown("Rows outside the text that the output path pushes hardest (the model expected them):")
    show_table(safe_tokens(tables.pushed, "token"))
    download_table(tables.positions, "learning_loss_and_gradients.csv", key="ln_csv_positions")
