"""1. The loss: how surprised the model was by each true next token."""

from __future__ import annotations

import numpy as np
import streamlit as st

from geometry.charts import learning as charts
from geometry.learning import gradients as learning
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import metric_row


def loss_section(tables: learning.GradientTables) -> None:
    """1. The mean loss and the probability of each true next token."""
    loss = tables.loss
    row = metric_row()
    row.metric("Mean loss (nats)", f"{loss:.3f}", width="content")
    row.metric(
        "Typical probability of the true next token",
        f"{np.exp(-loss):.3g}",
        help="exp(-mean loss)",
        width="content",
    )
    st.markdown(
        "At each position the model gives every vocabulary token a probability. The **loss** there is "
        "**-ln p(true next token)**: 0 when the model was sure and right, about 0.69 at p = 0.5, "
        "about 6.9 at p = 0.001. Training lowers the mean of these numbers."
    )
    show_chart(cached_chart(charts.true_next_loss_chart, tables.predictions), "learning_loss", key="ln_loss")
