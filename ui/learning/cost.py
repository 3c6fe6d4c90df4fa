"""4. What one training step costs, and the page's closing explanation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geometry import charts
from ui.page import cached_chart, counts_config, download_table, explain, show_chart


def cost_section(counts: pd.DataFrame, sentences: str) -> None:
    """4. Parameter counts (geometry.learning.parameter_counts) and the multiply-adds of one step."""
    st.header("4. What one step costs")
    show_chart(cached_chart(charts.parameter_chart, counts), "learning_parameters", key="ln_params")
    st.dataframe(counts, hide_index=True, column_config=counts_config(counts))
    st.markdown(sentences)
    download_table(
        counts, "learning_parameters.csv", key="ln_csv_params", label="Download parameter counts (CSV)"
    )


def footer() -> None:
    """The whole page in one paragraph and a formula."""
    explain(
        "The loss averages -ln p over every position that has a true next token. One backward pass gives "
        "the gradient of every weight. For the embedding matrix it has two parts: rows read by the input "
        "lookup (only the text's tokens) and every row scored by the output projection, weighted by how much "
        "probability the model gave it minus 1 for the true token. An SGD step moves each weight by "
        "-η × gradient; Adam divides by a running size of the gradient first.",
        r"L = -\frac{1}{T-1}\sum_{t=1}^{T-1}\ln p(x_{t+1}\mid x_{\le t}),\qquad "
        r"\frac{\partial L}{\partial E_v}\Big|_{\text{out}} = "
        r"\frac{1}{T-1}\sum_t \big(p_t(v) - [v = x_{t+1}]\big)\,h_t,"
        r"\qquad E \leftarrow E - \eta\,\nabla_E L",
    )
