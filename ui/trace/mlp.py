"""The MLP neurons tab: the neurons most active for one token at one layer."""

from __future__ import annotations

import streamlit as st

from geometry.charts import trace as charts
from geometry.models.handle import LoadedModel
from geometry.transformer import readings
from geometry.transformer import trace as tr
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table, explain
from ui.page.tables import show_table
from ui.trace.describe import mlp_explanation, pre_text
from ui.trace.widgets import index_slider, position_picker


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    arch = trace.architecture
    left, right = st.columns(2)
    with left:
        layer = index_slider("Layer", arch.n_layers, "tr_mlp_layer", trace.model_name)
    with right:
        position = position_picker(trace, "Token", "tr_mlp_position")
    neurons = readings.top_neurons(trace, layer, position, k=12)
    show_chart(cached_chart(charts.neuron_chart, neurons), f"neurons_L{layer}_{position}", key="tr_neurons")
    st.caption(
        "**activation**: what the MLP's output matrix reads from the neuron (the bar). **pre**: the "
        "neuron's detector score before the activation function" + pre_text(arch)
    )
    show_table(neurons)
    download_table(neurons, f"neurons_L{layer}_{position}.csv", key="tr_dl_mlp")
    explain(*mlp_explanation(arch))
