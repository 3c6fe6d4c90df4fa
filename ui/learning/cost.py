"""4. What one training step costs, and the page's closing explanation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geometry.charts import learning as charts
from geometry.learning.cost import StepCost, training_run_flops
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table, explain
from ui.page.tables import show_table


def cost_section(counts: pd.DataFrame, sentences: str) -> None:
    """4. Parameter counts (geometry.learning.parameter_counts) and the multiply-adds of one step."""
    st.header("4. What one step costs")
    show_chart(cached_chart(charts.parameter_chart, counts), "learning_parameters", key="ln_params")
    show_table(counts)
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


def scientific(x: float) -> str:
    """A large number for a sentence: ``6.3e24`` → ``"6.3 × 10²⁴"``, smaller ones with commas.

    >>> scientific(6.3e24), scientific(12345)
    ('6.3 × 10²⁴', '12,345')
    """
    if abs(x) < 1e6:
        return f"{x:,.0f}"
    mantissa, exponent = f"{x:.2g}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPTS)}"


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

ACCELERATOR_FLOPS = 1e15  # an assumed sustained rate for one modern accelerator, for the estimate only

LARGE_MODEL = (70e9, 15e12)  # a hypothetical large run: parameters, training tokens


def cost_sentences(cost: StepCost, n_params: int) -> str:
    """Markdown: what one step costs (``cost``, of a model with ``n_params`` parameters), then the
    scaled-up estimate (from the rule of thumb, not a measurement)."""
    n_tokens = cost.n_tokens
    rule = training_run_flops(n_params, n_tokens)
    own = training_run_flops(n_params, 1e12)
    big = training_run_flops(*LARGE_MODEL)
    seconds = big / ACCELERATOR_FLOPS
    return (
        f"One forward pass over these {n_tokens} tokens takes about **{scientific(cost.forward)}** "
        f"multiply-adds, the backward pass about twice as many, so one training step is about "
        f"**{scientific(cost.total)}** multiply-adds, or {scientific(cost.flops)} floating-point operations "
        f"(a multiply-add is two). The rule of thumb 6 × parameters × tokens gives {scientific(rule)}: "
        f"nearly every one of the {n_params:,} parameters is used once per token forward "
        "and twice backward.\n\n"
        f"**Scaled up (an estimate from that rule, not a measurement):** training this model on one "
        f"trillion tokens would take about {scientific(own)} operations. A hypothetical model with "
        f"{LARGE_MODEL[0] / 1e9:.0f} billion parameters trained on {LARGE_MODEL[1] / 1e12:.0f} trillion "
        f"tokens needs about {scientific(big)}: some {seconds / 3.156e7:,.0f} years for one accelerator "
        f"sustaining {scientific(ACCELERATOR_FLOPS)} operations per second, or about "
        f"{seconds / 1000 / 604800:.0f} weeks for a thousand of them working together."
    )
