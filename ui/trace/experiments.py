"""The Experiments tab: switch heads off, drop the 1/√d scaling or change the mask, and rerun."""

from __future__ import annotations

import numpy as np
import streamlit as st

from geometry.charts import trace as charts
from geometry.models.handle import LoadedModel
from geometry.transformer import architecture, readings
from geometry.transformer import trace as tr
from geometry.transformer.tables import (
    attention_frame,
    comparison_long,
    comparison_table,
    head_focus,
    top_of_run,
)
from ui.cache.trace import NORMAL, load_trace
from ui.page.charts import cached_chart, show_chart
from ui.page.dependent import dependent
from ui.page.layout import download_table, explain, metric_row, more_controls
from ui.page.safety import safe_tokens
from ui.page.tables import show_table
from ui.page.text import verbatim
from ui.trace.widgets import QUIET, index_slider, token_chips


def _head_order(name: str) -> tuple[int, int]:
    layer, head = name[1:].split("H")
    return int(layer), int(head)


def _ablate_layer(layer: int, n_heads: int) -> None:
    current = set(st.session_state.get("tr_ablate", []))
    st.session_state["tr_ablate"] = sorted(
        current | {f"L{layer}H{h}" for h in range(n_heads)}, key=_head_order
    )


def _reset_experiment() -> None:
    st.session_state["tr_ablate"] = []
    st.session_state["tr_scale"] = True
    st.session_state["tr_mask"] = True
    st.session_state["tr_mask_encoder"] = False


def mask_toggle(arch: architecture.Architecture, where: st.delta_generator.DeltaGenerator) -> bool | None:
    """The causal-mask switch: on by default for a causal LM, off for an encoder (its own keys).

    Returns the intervention's ``causal_mask``: None while the model keeps its own mask."""
    if arch.layout.causal:
        mask = where.toggle(
            "Causal mask", True, key="tr_mask", bind="query-params",
            help="No peeking ahead: each token sees only itself and the tokens before it.",
        )  # fmt: skip
    else:
        mask = where.toggle(
            "Add a causal mask", False, key="tr_mask_encoder", bind="query-params",
            help="Hide the later tokens from each token, as a causal language model does.",
        )  # fmt: skip
    return None if bool(mask) == arch.layout.causal else bool(mask)


def heads_to_ablate(arch: architecture.Architecture, model: str) -> list[str]:
    """The URL-bound choice of heads of ``model`` to switch off ("L0H3"); heads chosen in another
    model are dropped."""
    options = [f"L{layer}H{head}" for layer in range(arch.n_layers) for head in range(arch.n_heads)]
    return dependent(
        st.multiselect, "Switch heads off (L = layer, H = head)", options, key="tr_ablate", default=[],
        context=model, placeholder="e.g. L0H3",
    )  # fmt: skip


def controls(arch: architecture.Architecture, model: str) -> tuple[tuple, int, int]:
    """The experiment's settings: (intervention key as in ui.cache.trace, layer, head to inspect)."""
    ablate = heads_to_ablate(arch, model)
    left, middle, right = st.columns(3)
    scale = left.toggle("Divide q·k by √d_head", True, key="tr_scale", bind="query-params")
    mask = mask_toggle(arch, middle)
    right.button("Undo every change", key="tr_reset", on_click=_reset_experiment)
    with more_controls("Shortcuts and the head to inspect"):
        a, b = st.columns(2)
        with a:
            layer = index_slider("Layer", arch.n_layers, "tr_x_layer", model)
        with b:
            head = index_slider("Head", arch.n_heads, "tr_x_head", model)
        st.button(
            f"Switch off every head of layer {layer}",
            key="tr_ablate_layer", on_click=_ablate_layer, args=(layer, arch.n_heads),
        )  # fmt: skip
    return (tuple(_head_order(name) for name in ablate), bool(scale), mask), layer, head


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    arch = trace.architecture
    key, layer, head = controls(arch, trace.model_name)
    if key == NORMAL:
        st.info("Nothing is changed yet: switch a head off, or change the scaling or the mask.")
    changed = load_trace(lm, trace.prompt, key)
    if changed is None:
        return
    if trace.predicts_tokens:
        next_token_comparison(lm, trace, changed)
    else:
        vector_comparison(trace, changed)
    experiment_head(trace, changed, layer, head, key)


def vector_comparison(trace: tr.Trace, changed: tr.Trace) -> None:
    """An encoder's experiment: how far every token's final vector moved (it has no next token)."""
    table = readings.final_vector_changes(trace, changed)
    left, right = st.columns(2)
    left.metric(
        "Mean cosine of the final vectors", f"{table['cosine'].mean():.3f}", "normal vs experiment", **QUIET
    )
    right.metric("Least similar token", verbatim(str(table.loc[table["cosine"].idxmin(), "token"])), **QUIET)
    st.caption(
        "An encoder has no next token to compare, so the experiment is measured on its output: the final "
        "vector of every token, normal against experiment (cosine 1 = unchanged direction)."
    )
    show_table(table, width="stretch")
    download_table(table, "experiment_final_vectors.csv", key="tr_dl_experiment")


def next_token_comparison(lm: LoadedModel, trace: tr.Trace, changed: tr.Trace) -> None:
    """A causal LM's experiment: the top next tokens of both runs."""
    table = safe_tokens(comparison_table(lm, trace, changed), "token")
    top_normal, top_changed = top_of_run(table, "normal"), top_of_run(table, "experiment")
    verdict = "unchanged" if top_normal == top_changed else "changed"
    st.markdown(
        f"Top-5 next tokens: **{verdict}**. Normal: {token_chips(top_normal)}. "
        f"Experiment: {token_chips(top_changed)}."
    )
    show_chart(
        cached_chart(charts.top_tokens_comparison_chart, comparison_long(table)),
        "experiment_top_tokens",
        key="tr_experiment",
    )
    show_table(table, width="stretch")
    download_table(table, "experiment_top_tokens.csv", key="tr_dl_experiment")


def experiment_head(trace: tr.Trace, changed: tr.Trace, layer: int, head: int, key: tuple) -> None:
    """One head's pattern in the experiment, with how saturated and how forward-looking it is."""
    st.subheader(f"Layer {layer}, head {head} in the experiment")
    focus, normal = head_focus(changed, layer, head), head_focus(trace, layer, head)
    row = metric_row()
    row.metric(
        "Mean of each row's largest weight",
        f"{focus['mean_max_weight']:.3f}",
        f"normal {normal['mean_max_weight']:.3f}",
        **QUIET,
        help="Close to 1 means softmax is saturated: one key takes everything.",
    )
    row.metric(
        "Attention on future tokens (mean per row)",
        f"{focus['future_attention']:.3f}",
        **QUIET,
        help="Above 0 only without a causal mask: tokens peek at what comes after them "
        "(always, in an encoder).",
    )
    if (layer, head) in key[0]:
        st.caption("This head is switched off: its pattern is still computed, but its output is zeroed.")
    show_chart(
        cached_chart(
            charts.attention_heatmap_chart,
            attention_frame(changed, layer, [head]),
            show_values=changed.n_tokens <= 12,
        ),
        f"experiment_L{layer}_H{head}",
        key="tr_experiment_heatmap",
    )
    explanation(trace.architecture)


def explanation(arch: architecture.Architecture) -> None:
    explain(
        "Every experiment reruns the whole forward pass with one change and recomputes everything "
        "downstream. Switching a head off zeroes its output before W_O, so the layer adds nothing from "
        "that head. Without the 1/√d_head scaling the scores are "
        f"{np.sqrt(arch.d_head):.0f} times larger and softmax saturates: one key takes almost all the "
        "weight. "
        + (
            "Without the causal mask every token also sees the tokens after it; the last token already saw "
            "everything, so its prediction changes only through the earlier tokens that now peek ahead."
            if arch.layout.causal
            else "This encoder normally lets every token see the whole sentence; adding a causal mask hides "
            "the later tokens, as a causal LM does, and every vector but the last token's loses the words "
            "after it."
        ),
        r"\operatorname{softmax}(c\,s)\ \xrightarrow{\;c \to \infty\;}\ \text{one-hot on } \max_j s_j",
    )
