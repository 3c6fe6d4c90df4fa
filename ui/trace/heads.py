"""The All heads tab: every head of one layer side by side, and which heads share keys and values."""

from __future__ import annotations

import streamlit as st

from geometry.charts import trace as charts
from geometry.models.handle import LoadedModel
from geometry.transformer import trace as tr
from geometry.transformer.tables import attention_frame, kv_sharing_table
from ui.page.charts import show_wide_and_narrow
from ui.page.layout import download_table, explain
from ui.page.tables import show_table
from ui.trace.attention import sharing_text
from ui.trace.widgets import index_slider


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    arch = trace.architecture
    layer = index_slider("Layer", arch.n_layers, "tr_grid_layer", trace.model_name)
    grid = attention_frame(trace, layer, range(arch.n_heads))
    show_wide_and_narrow(  # three or four heads a row; two smaller ones on a phone
        charts.head_grid_chart,
        grid,
        columns=3 if arch.n_heads % 3 == 0 else 4,
        filename=f"heads_L{layer}",
        key="tr_grid",
        narrow={"columns": 2, "size": charts.HEAD_GRID_NARROW, "legend": "bottom"},
    )
    left, right = st.columns([1, 2])
    show_table(kv_sharing_table(arch), where=left)
    right.markdown(sharing_text(trace, 0))
    right.markdown(
        "Each small square is one head of this layer, with the same rows (queries) and columns (keys) "
        "as the big heatmap. Heads learn different habits: some look at the previous token, some at "
        "the first token, some at a related word elsewhere in the text."
    )
    download_table(grid, f"all_heads_L{layer}.csv", key="tr_dl_heads")
    explain(
        f"All {arch.n_heads} heads run side by side on the same vectors, each with its own query matrix. "
        f"Their outputs (each {arch.d_head} numbers) are laid end to end and multiplied by W_O to give one "
        f"{arch.d_model}-number update that is added to the token's residual vector.",
        r"\text{attn}(x_i) = \big[z_i^{(1)}; z_i^{(2)}; \dots; z_i^{(H)}\big]\, W_O",
    )
