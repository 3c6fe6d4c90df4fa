"""The MLP neurons tab: the neurons most active for one token at one layer."""

from __future__ import annotations

import streamlit as st

from geometry import charts
from geometry import trace as tr
from geometry.models import LoadedModel
from ui.page import cached_chart, download_table, explain, show_chart
from ui.trace.widgets import index_slider, position_picker

SWIGLU = (
    "The MLP widens the vector from {d_model} to {d_mlp} numbers and back. Each of the {d_mlp} neurons "
    "has a learned detector (a column of W_gate): its **pre** value is the dot product of the normalised "
    "vector with that detector. SiLU squashes it, a second dot product (W_up) scales it, and the "
    "**activation** is what the down projection reads. The most active neurons are the detectors this "
    "token's vector matches best (or most strongly opposes).",
    r"\text{MLP}(x) = \big(\operatorname{SiLU}(x W_\text{gate}) \odot x W_\text{up}\big)\, W_\text{down}",
)
GELU = (
    "The MLP widens the vector from {d_model} to {d_mlp} numbers and back. Each neuron's **pre** value is "
    "the dot product of the normalised vector with a learned detector (a column of W_in) plus a bias; "
    "GELU keeps the positive part, and the **activation** is what W_out reads.",
    r"\text{MLP}(x) = \operatorname{GELU}(x W_\text{in} + b_\text{in})\, W_\text{out} + b_\text{out}",
)


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    arch = trace.architecture
    left, right = st.columns(2)
    with left:
        layer = index_slider("Layer", arch.n_layers, "tr_mlp_layer")
    with right:
        position = position_picker(trace, "Token", "tr_mlp_position")
    neurons = tr.top_neurons(trace, layer, position, k=12)
    show_chart(cached_chart(charts.neuron_chart, neurons), f"neurons_L{layer}_{position}", key="tr_neurons")
    st.caption(
        "**activation**: what the MLP's output matrix reads from the neuron (the bar). **pre**: the "
        "neuron's detector score before the activation function"
        + (", the gate's dot product before SiLU." if arch.mlp == "SwiGLU" else ", before GELU.")
    )
    st.dataframe(neurons, hide_index=True)
    download_table(neurons, f"neurons_L{layer}_{position}.csv", key="tr_dl_mlp")
    body, formula = SWIGLU if arch.mlp == "SwiGLU" else GELU
    explain(body.format(d_model=arch.d_model, d_mlp=arch.d_mlp), formula)
