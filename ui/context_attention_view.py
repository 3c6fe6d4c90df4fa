"""The "Where the context comes from" section of Words in context: two occurrences, glass-box.

For two occurrences of the word (by default in different senses): its attention to every token of
its sentence, layer by layer and head by head, and how far each layer's attention and MLP move its
vector. Every number is recomputed from the model's weights by geometry.trace (parity-tested).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geometry import charts, context
from geometry.models import load_model
from ui.page import cached_chart, download_table, explain, show_chart

HEAD_VIEWS = ["heads averaged, every layer", "every head, one layer"]


@st.cache_data(max_entries=32, show_spinner="Following the sentence through every layer…")
def occurrence_context(
    model_name: str, sentence: str, word: str, number: int, label: str
) -> context.OccurrenceContext:
    """One occurrence traced step by step, keyed by plain values (model name, sentence, word, use)."""
    return context.occurrence_context(load_model(model_name), sentence, word, number, label)


def _name(occ: context.Occurrences, label: str) -> str:
    row = occ.table.set_index("occurrence").loc[label]
    text = row["text"] if len(row["text"]) <= 60 else row["text"][:59] + "…"
    return f"{label} · {row['sense']} · {text}"


def _default_pair(occ: context.Occurrences) -> tuple[str, str]:
    """The first occurrence, and the first one after it in another sense (else simply the second)."""
    labels, senses = occ.labels, occ.senses
    other = next((b for b, sense in zip(labels, senses, strict=True) if sense != senses[0]), labels[1])
    return labels[0], other


def pick_occurrences(occ: context.Occurrences) -> tuple[str, str]:
    """Two URL-bound select boxes of occurrences; a value the sentences no longer have falls back."""
    first, second = _default_pair(occ)
    for key in ("cx_focus_a", "cx_focus_b"):
        if st.session_state.get(key) not in (None, *occ.labels):  # other sentences than before
            del st.session_state[key]
    left, right = st.columns(2)
    names = {label: _name(occ, label) for label in occ.labels}
    a = left.selectbox(
        "First occurrence", occ.labels, index=None, format_func=names.get, key="cx_focus_a",
        bind="query-params", placeholder=names[first],
    )  # fmt: skip
    b = right.selectbox(
        "Second occurrence", occ.labels, index=None, format_func=names.get, key="cx_focus_b",
        bind="query-params", placeholder=names[second],
    )  # fmt: skip
    return a or first, b or second


def _occurrence_key(model_name: str, occ: context.Occurrences, label: str) -> tuple:
    """The plain values that name one occurrence: (model, sentence, word, which use, label shown)."""
    row = occ.table.set_index("occurrence").loc[label]
    return model_name, row["text"], occ.word, int(row["number"]), f"{label} · {row['sense']}"


@st.cache_data(max_entries=32, show_spinner=False)
def pair_tables(pair: list[tuple]) -> tuple[bool, pd.DataFrame, pd.DataFrame]:
    """For two occurrences: whether the model is causal, and their moves and attention, side by side."""
    contexts = [occurrence_context(*args) for args in pair]
    changes = pd.concat([ctx.changes.assign(occurrence=ctx.label) for ctx in contexts], ignore_index=True)
    attention = pd.concat([ctx.attention.assign(occurrence=ctx.label) for ctx in contexts], ignore_index=True)
    return contexts[0].causal, changes, attention


def _sentence_with_word(ctx: context.OccurrenceContext) -> str:
    tokens = [f"**{t}**" if i in ctx.positions else t for i, t in enumerate(ctx.tokens)]
    return " ".join(tokens)


def _listed(top: pd.DataFrame) -> str:
    return ", ".join(f"{row.key_label.split(' ', 1)[1]} ({row.probability:.2f})" for row in top.itertuples())


def _strongest_sentence(ctx: context.OccurrenceContext, layer_index: int) -> str:
    text = (
        f"At layer {layer_index}, heads averaged, '{ctx.word}' looks most at: "
        f"{_listed(context.strongest_context(ctx, layer_index))}."
    )
    if ctx.attention_by_layer["is_special"].any():
        words = context.strongest_context(ctx, layer_index, words_only=True)
        text += f" Among the words alone: {_listed(words)}."
    return text


@st.cache_data(max_entries=64, show_spinner=False)
def column_view(
    model_name: str, sentence: str, word: str, number: int, label: str, layer_index: int, per_head: bool
) -> dict:
    """What one occurrence's column shows (text, chart frame and title, caption), once per input."""
    ctx = occurrence_context(model_name, sentence, word, number, label)
    if per_head:
        frame, y, order = ctx.attention[ctx.attention["layer_index"] == layer_index], "head_label", "head"
        title = f"layer {layer_index}, every head"
    else:
        frame, y, order = ctx.attention_by_layer, "layer", "layer_index"
        title = "every layer, heads averaged"
    return {
        "heading": f"**{ctx.label}**: {_sentence_with_word(ctx)}",
        "frame": frame,
        "axes": (y, order, title),
        "numbers": len(ctx.tokens) <= 8,  # in a half column, longer sentences show colour only
        "caption": _strongest_sentence(ctx, layer_index),
    }


def occurrence_column(view: dict, key: str) -> None:
    """One occurrence: its tokens, its attention chart and the words it reads most."""
    st.markdown(view["heading"])
    chart = cached_chart(
        charts.word_attention_chart, view["frame"], *view["axes"], show_values=view["numbers"]
    )
    show_chart(chart, f"context_attention_{key}", key)
    st.caption(view["caption"])


def direction_text(causal: bool, word: str) -> str:
    if causal:
        return (
            f"This causal model's attention looks **only back**: '{word}' can read itself and the tokens "
            "before it, so every token after it gets 0. A clue that comes later in the sentence cannot "
            "reach the word here."
        )
    return (
        f"The encoder's attention looks **both ways**: in every layer '{word}' reads the tokens before "
        "it *and* after it, so a clue at the end of the sentence ('…of the river') can pull it toward one "
        "sense. A causal model (the other choice above) could only look back."
    )


def context_sources_section(model_name: str, occ: context.Occurrences, n_layers: int) -> None:
    """The whole section: pickers, two occurrences side by side, the changes, the explanation."""
    st.subheader("Where the context comes from")
    first, second = pick_occurrences(occ)
    left, right = st.columns([2, 1])
    if st.session_state.get("cx_focus_layer", n_layers) not in range(1, n_layers + 1):  # another model
        st.session_state["cx_focus_layer"] = n_layers
    layer_index = left.select_slider(
        "Layer to look at", list(range(1, n_layers + 1)), value=n_layers, key="cx_focus_layer",
        bind="query-params",
    )  # fmt: skip
    view = right.radio("Attention shown", HEAD_VIEWS, key="cx_focus_heads", bind="query-params")
    pair = [_occurrence_key(model_name, occ, label) for label in (first, second)]
    causal, changes, attention = pair_tables(pair)
    st.markdown(direction_text(causal, occ.word))
    for column, args, key in zip(st.columns(2), pair, ("cx_attention_a", "cx_attention_b"), strict=True):
        with column:
            occurrence_column(column_view(*args, layer_index, view == HEAD_VIEWS[1]), key)
    st.markdown(f"**How far each layer moves the vector of '{occ.word}'**")
    show_chart(cached_chart(charts.sublayer_change_chart, changes), "context_changes", "cx_changes")
    download_table(attention, f"context_{occ.word}_attention.csv", "cx_attention_csv", "Download attention")
    download_table(changes, f"context_{occ.word}_changes.csv", "cx_changes_csv", "Download changes")
    explain(
        "Each row of the attention chart is one layer (or one head of the chosen layer); each column is a "
        "token of the sentence, and a row adds up to 1: it says how the word's query shares its attention "
        "among the keys. The word's own tokens are outlined; [CLS] and [SEP] are the tokens the encoder "
        "puts around every sentence, where many heads park attention they do not need. The bars are how "
        "far the word's vector moved at each step: the attention sublayer mixes in the tokens it looks "
        "at, the MLP then reshapes the vector on its own. In the encoder every addition is followed by a "
        "normalisation, so a move includes that rescaling; in a causal LM the move is exactly what the "
        "sublayer added. Every number is recomputed from the model's weights and matches its own output.",
        r"a_j = \operatorname{softmax}_j\!\left(\frac{q_\text{word} \cdot k_j}{\sqrt{d_\text{head}}}\right),"
        r"\qquad \text{move} = \lVert h_\text{after} - h_\text{before} \rVert",
        title="Reading the attention and the moves",
    )
