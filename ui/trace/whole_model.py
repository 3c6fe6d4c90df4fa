"""The "Whole model" tab of the trace page: the logit lens over the whole prompt, every head at a
glance, and one MLP neuron drilled down. Keys are prefixed ``tr_`` and bound to the URL."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geometry.charts import trace as charts
from geometry.interpret.lens import target_token
from geometry.models.handle import LoadedModel
from geometry.transformer import readings
from geometry.transformer import trace as tr
from geometry.transformer.tables import lens_labels
from ui.cache.trace import cached_lens
from ui.page.charts import cached_chart, show_chart
from ui.page.dependent import dependent
from ui.page.frames import folded, scrolling_frame
from ui.page.layout import download_table, explain, friendly_errors, more_controls
from ui.page.safety import safe_tokens
from ui.page.text import verbatim
from ui.trace.one_neuron import neuron_section
from ui.trace.widgets import index_slider, position_picker

TAB = "Whole model"
LENS_POSITIONS = 5  # positions the lens grid shows at once (its columns fit a 1024-pixel screen)
MODEL_VIEW_LAYERS = 10  # layers of small squares shown at first (30 × 9 heads is a long scroll)
MODEL_VIEW_ROWS = 60_000  # most attention cells drawn at once; a long prompt shows fewer layers


LENS_HINT = "← The grid opens at the last position, where the answer is: drag it for the earlier ones."
HEADS_SETTINGS = ("tr_mv_layers", "tr_mv_layer", "tr_mv_head")
NEURON_SETTINGS = ("tr_neuron_layer", "tr_neuron")


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    """The logit lens first (where the answer forms); every head and one neuron folded below it."""
    if trace.predicts_tokens:
        lens_section(lm, trace)
    else:
        st.info("The logit lens does not apply to this encoder: it has no vocabulary head.", icon="🚫")
    arch = trace.architecture
    title = f"Every head at a glance: {arch.n_layers} layers × {arch.n_heads} heads"
    heads = folded(title, "tr_more_heads", HEADS_SETTINGS, opened=not trace.predicts_tokens)
    if heads.open:
        with heads:
            heads_section(trace)
    neuron = folded("One neuron, drilled down", "tr_more_neuron", NEURON_SETTINGS)
    if neuron.open:
        with neuron:
            neuron_section(lm, trace)


# --------------------------------------------------------------------------- the lens over the prompt


def target_ui(lm, trace: tr.Trace) -> int | None:
    """The token to follow, typed; None (the model's top next token) when the box is empty or unusable."""
    text = st.text_input(
        "Token to follow (empty: the model's top next token)",
        key="tr_lens_target",
        bind="query-params",
        placeholder="e.g. Paris",
        help="Typed as it reads in the middle of a sentence: “Paris” is the token ␣Paris.",
    )
    if not text.strip():
        return None
    with friendly_errors("tr_lens_target"):
        target, note = target_token(lm, text)
        if note:
            st.info(note, icon="✂️")
        return target
    return None


def grid_window(trace: tr.Trace) -> tuple[int, bool]:
    """Which lens rows the grid draws: its first position (a slider, for prompts longer than
    LENS_POSITIONS) and whether every sublayer or only the stages after each MLP."""
    first = 0
    if trace.n_tokens > LENS_POSITIONS:
        last = trace.n_tokens - LENS_POSITIONS  # the last positions first: the prediction is made there
        first = index_slider(
            "First position in the grid", last + 1, "tr_lens_first", trace.prompt, default=last
        )
        st.caption(
            f"The grid shows {LENS_POSITIONS} positions at a time; the CSV holds all {trace.n_tokens}."
        )
    every = st.toggle(
        "Every sublayer (off: after each MLP only, half as tall)",
        True,
        key="tr_lens_every",
        bind="query-params",
    )
    return first, every


def grid_rows(lens: pd.DataFrame, first: int, every: bool) -> pd.DataFrame:
    """The lens rows of LENS_POSITIONS positions from ``first``: every sublayer, or after each MLP."""
    in_view = lens["position"].between(first, first + LENS_POSITIONS - 1)
    return lens[in_view & (every | (lens["stage"] != "after attention"))]


def lens_section(lm: LoadedModel, trace: tr.Trace) -> None:
    """Where the answer forms, in one sentence, then the grid (the model's output on top) and the line."""
    st.subheader("The logit lens over the whole prompt")
    answer = st.container()  # the sentence first: where the followed token becomes the top token
    with more_controls("Token to follow, position, rows of the grid"):
        left, right = st.columns(2)
        with left:
            target = target_ui(lm, trace)
        with right:
            position = position_picker(trace, "Position whose target line is drawn", "tr_lens_follow")
        first, every = grid_window(trace)
    lens = safe_tokens(cached_lens(lm, trace.prompt, target), "top_token", "target_token")
    track = lens_labels(lens[lens["position"] == position])
    name = track["target_token"].iloc[0]
    answer.markdown(target_sentence(track, name))
    grid = lens_labels(grid_rows(lens, first, every))
    # drawn at its own width: stretched or squeezed to the column, the cells would not fit their text
    with scrolling_frame("lens", LENS_HINT, from_end=True):
        show_chart(
            cached_chart(charts.lens_grid_chart, grid), "lens_grid", key="tr_lens_grid", width="content"
        )
    st.markdown(
        f"**{verbatim(name)}** at position {position} ({verbatim(trace.tokens[position])}), stage by stage:"
    )
    show_chart(cached_chart(charts.target_track_chart, track), "lens_target", key="tr_lens_track")
    download_table(lens, "lens_all_positions.csv", key="tr_dl_lens_grid")
    explain(
        "Every token's residual vector is read out after every stage, as if the model stopped there: the "
        "final normalisation, then a dot product with every vocabulary row, then softmax. Each cell names "
        "the most probable token at that position and stage (colour: its probability); the lines follow "
        "one token's probability and rank (1 = top) at one position. The last row is the model's own "
        "prediction for the token after each position.",
        r"p_\text{stage}(w \mid t) = \operatorname{softmax}\big(\text{norm}_\text{final}(h_t^\text{stage})"
        r"\, W_U\big)_w,\qquad \text{rank}(w) = 1 + \#\{v : \ell_v > \ell_w\}",
    )


# --------------------------------------------------------------------------- every head at a glance


def _open_in_attention() -> None:
    """Open the Attention tab at the chosen layer and head (read now: the pickers may have just moved)."""
    state = st.session_state
    state["tr_layer"], state["tr_head"] = state["tr_mv_layer"], state["tr_mv_head"]
    state["tr_tab"] = "Attention"


def heads_section(trace: tr.Trace) -> None:
    arch, T = trace.architecture, trace.n_tokens
    visible = T * (T + 1) // 2 if trace.masks_the_future else T * T
    most = max(1, min(arch.n_layers, MODEL_VIEW_ROWS // (arch.n_heads * visible)))
    if arch.n_layers > 1:
        low, high = dependent(
            st.slider, "Layers shown", range(arch.n_layers), key="tr_mv_layers",
            default=(0, min(arch.n_layers, MODEL_VIEW_LAYERS, most) - 1), context=trace.model_name,
        )  # fmt: skip
    else:
        low, high = 0, 0
    high = min(high, low + most - 1)
    if most < arch.n_layers:
        st.caption(f"At {T} tokens, {most} layers fit in one view: layers {low}–{high} are drawn.")
    view = readings.model_view(trace, range(low, high + 1))
    step = charts.MODEL_VIEW_CELL / T  # pixels per token: every square the same size whatever the prompt
    with scrolling_frame("model_view", "Drag the squares sideways for the other heads →"):
        show_chart(
            cached_chart(charts.model_view_chart, view, step),
            f"model_view_L{low}-{high}",
            key="tr_mv",
            width="content",
        )
    download_table(view, f"model_view_L{low}-{high}.csv", key="tr_dl_mv")
    model = trace.model_name
    with st.container(horizontal=True, vertical_alignment="bottom"):
        dependent(st.selectbox, "Layer", range(arch.n_layers), key="tr_mv_layer", default=0, context=model)
        dependent(st.selectbox, "Head", range(arch.n_heads), key="tr_mv_head", default=0, context=model)
        st.button("Open it in the Attention tab", key="tr_mv_open", on_click=_open_in_attention)
    explain(
        "Each small square is one head's attention pattern for this prompt, as on the Attention tab: rows "
        "are the tokens looking (queries, first at the top), columns the tokens looked at (keys), dark = "
        "much attention. Every row of a square sums to 1. Patterns repeat across the model: a diagonal "
        "just below the main one is a head that reads the previous token; a dark first column is a head "
        "that parks its attention on the first token.",
        r"A^{(\ell, h)}_{ij} = \operatorname{softmax}_j\!\left(\frac{q_i \cdot k_j}{\sqrt{d_\text{head}}}"
        r"\right),\qquad \textstyle\sum_j A^{(\ell, h)}_{ij} = 1",
    )


def target_sentence(track: pd.DataFrame, name: str) -> str:
    """One line that reads the target's line aloud: where it first becomes the top token."""
    top = track[track["target_rank"] == 1]
    final = track.iloc[-1]
    ending = (
        f"It ends at rank {int(final['target_rank'])} with probability {final['target_probability']:.1%}."
    )
    if top.empty:
        return f"{verbatim(name)} is never the top token at this position. {ending}"
    return f"{verbatim(name)} first becomes the top token at **{top.iloc[0]['stage_label']}**. {ending}"
