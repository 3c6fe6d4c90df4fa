"""The "Where the context comes from" section of Words in context: two occurrences, glass-box.

For two occurrences of the word (by default in different senses): its attention to every token of
its sentence, layer by layer and head by head, and how far each layer's attention and MLP move its
vector. Every number is recomputed from the model's weights by geometry.transformer.trace (parity-tested).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geometry.charts import context as charts
from geometry.context import attention as context_attention
from geometry.context import occurrences as context
from ui.page.charts import show_wide_and_narrow
from ui.page.dependent import dependent
from ui.page.layout import download_table, explain
from ui.page.text import verbatim

HEAD_VIEWS = ["heads averaged, every layer", "every head, one layer"]


def pick_occurrences(occ: context.Occurrences) -> tuple[str, str]:
    """Two URL-bound select boxes of occurrences, each named with its sentence (so other sentences
    cannot keep a stale choice): by default the first and one in another sense."""
    first, second = context_attention.default_pair(occ)
    names = context_attention.occurrence_names(occ)
    left, right = st.columns(2)
    a = dependent(
        left.selectbox, "First occurrence", occ.labels, key="cx_focus_a", default=first,
        format_func=names.get,
    )  # fmt: skip
    second = second if second != a else next(label for label in occ.labels if label != a)
    b = dependent(
        right.selectbox, "Second occurrence", occ.labels, key="cx_focus_b", default=second,
        format_func=names.get,
    )  # fmt: skip
    return a, b


def sources_ui(occ: context.Occurrences, n_layers: int, model: str) -> tuple[tuple[str, str], int, bool]:
    """The heading, two occurrences, the layer and the head view: (labels, layer index, per head)."""
    st.subheader("Where the context comes from")
    pair = pick_occurrences(occ)
    left, right = st.columns([2, 1])
    layer_index = dependent(
        left.select_slider, "Layer to look at", list(range(1, n_layers + 1)), key="cx_focus_layer",
        default=n_layers, context=model,
    )  # fmt: skip
    view = right.radio("Attention shown", HEAD_VIEWS, key="cx_focus_heads", bind="query-params")
    return pair, layer_index, view == HEAD_VIEWS[1]


def direction_text(causal: bool, word: str) -> str:
    if causal:
        return (
            f"This causal model's attention looks **only back**: '{verbatim(word)}' can read itself and "
            "the tokens before it, so every token after it gets 0. A clue that comes later in the "
            "sentence cannot reach the word here."
        )
    return (
        f"The encoder's attention looks **both ways**: in every layer '{verbatim(word)}' reads the tokens "
        "before it *and* after it, so a clue at the end of the sentence ('…of the river') can pull it "
        "toward one sense. A causal model (the other choice above) could only look back."
    )


def occurrence_column(column: context_attention.AttentionColumn, key: str) -> None:
    """One occurrence: its tokens (the word in bold), its attention chart and the words it reads most."""
    st.markdown(occurrence_line(column.label, column.tokens, column.positions))
    show_wide_and_narrow(  # on a phone the tokens' names stand upright and the cells lose their numbers
        charts.word_attention_chart,
        column.frame,
        *column.axes,
        show_values=column.numbers,
        filename=f"context_attention_{key}",
        key=key,
        narrow={"show_values": False, "label_angle": -90},
    )
    st.caption(strongest_sentence(column))


def sources_view(
    word: str,
    causal: bool,
    columns: list[context_attention.AttentionColumn],
    changes: pd.DataFrame,
    attention: pd.DataFrame,
) -> None:
    """The two occurrences side by side, how far each layer moves the vector, the explanation."""
    st.markdown(direction_text(causal, word))
    for place, column, key in zip(st.columns(2), columns, ("cx_attention_a", "cx_attention_b"), strict=True):
        with place:
            occurrence_column(column, key)
    st.markdown(f"**How far each layer moves the vector of '{verbatim(word)}'**")
    show_wide_and_narrow(  # the occurrences side by side, or one above the other on a phone
        charts.sublayer_change_chart,
        changes,
        filename="context_changes",
        key="cx_changes",
        narrow={"columns": 1, "width": 270},
    )
    download_table(attention, f"context_{word}_attention.csv", "cx_attention_csv", "Download attention")
    download_table(changes, f"context_{word}_changes.csv", "cx_changes_csv", "Download changes")
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


def occurrence_line(label: str, tokens: list[str], positions) -> str:
    """An occurrence's label and its sentence's tokens, the word's own in bold (every token verbatim)."""
    shown = [f"**{verbatim(t)}**" if i in positions else verbatim(t) for i, t in enumerate(tokens)]
    return f"**{verbatim(label)}**: {' '.join(shown)}"


def _listed(top: pd.DataFrame) -> str:
    return ", ".join(
        f"{verbatim(row.key_label.split(' ', 1)[1])} ({row.probability:.2f})" for row in top.itertuples()
    )


def strongest_sentence(column: context_attention.AttentionColumn) -> str:
    """One sentence naming the tokens the word attends to most at a layer (and among words alone,
    when the tokenizer added tokens such as [CLS])."""
    text = (
        f"At layer {column.layer_index}, heads averaged, '{verbatim(column.word)}' looks most at: "
        f"{_listed(column.strongest)}."
    )
    if column.strongest_words is not None:
        text += f" Among the words alone: {_listed(column.strongest_words)}."
    return text
