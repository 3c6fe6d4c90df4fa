"""Tables on the page with their columns in words: ``q·k`` for ``q_dot_k``, "token id" for
``token_id``. geometry's tables keep their documented machine names (a notebook reads them, and so
does each CSV download, whose columns stay stable identifiers for a spreadsheet or a script); only
the page's headers are written for people, through :func:`column_label` and :func:`show_table`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:  # imported by the pages that draw tables, not by the home page
    import pandas as pd

COUNT_COLUMNS = ("multiply_adds", "dot_products", "key_value_vectors_reused", "parameters")  # "%,d"

# Names whose words are not simply the name with spaces (each other name: "key_position" → "key position").
COLUMN_LABELS = {
    "q_dot_k": "q · k",
    "scaled_score": "q · k / √d_head",
    "value_norm": "|v| (value length)",
    "weighted_value_norm": "probability × |v|",
    "token_id": "token id",
    "token_label": "token",
    "cosine_minus_baseline": "cosine − baseline",
    "output_norm": "|output|",
    "normal_norm": "|vector| (normal)",
    "input_norm": "|input|",
    "total_norm": "|total|",
    "rank_normal": "rank (normal)",
    "rank_experiment": "rank (experiment)",
    "probability_normal": "probability (normal)",
    "probability_experiment": "probability (experiment)",
    "after_temperature": "after temperature",
    "after_filters": "after top-k / top-p",
    "multiply_adds": "multiply-adds",
    "multiply_adds_with_cache": "multiply-adds with the cache",
    "multiply_adds_from_scratch": "multiply-adds from scratch",
    "key_value_vectors_reused": "key/value vectors reused",
    "cached_tokens": "cached tokens",
    "share_of_size": "share of |a_i b_i|",
    "word_a": "first word",
    "word_b": "second word",
    "self_similarity": "self-similarity",
    "n_pieces": "pieces",
    "true_next_token": "true next token",
}

# The Architectures table's rows: an architecture's sizes as the lessons name them.
ROW_LABELS = {
    "n_layers": "layers",
    "n_heads": "attention heads per layer",
    "n_kv_heads": "key/value heads per layer",
    "d_model": "vector size (d_model)",
    "d_head": "size of a head (d_head)",
    "d_mlp": "MLP hidden size (d_mlp)",
    "vocab_size": "vocabulary size",
    "n_parameters": "parameters",
    "mlp": "MLP",
}


def column_label(name: object) -> str:
    """A table's column name in words.

    >>> column_label("q_dot_k"), column_label("key_position"), column_label("probability")
    ('q · k', 'key position', 'probability')
    """
    text = str(name)
    return COLUMN_LABELS.get(text) or ROW_LABELS.get(text) or text.replace("_", " ")


def columns_config(frame: pd.DataFrame, config: dict | None = None) -> dict:
    """``st.dataframe``'s column settings: each column headed in words, counts with thousands
    separators (878,902,272); a setting in ``config`` wins for its column."""
    settings = {}
    for column in frame.columns:
        label = column_label(column)
        if str(column).startswith(COUNT_COLUMNS):
            settings[column] = st.column_config.NumberColumn(label, format="%,d")
        elif label != str(column):
            settings[column] = st.column_config.Column(label)
    return {**settings, **(config or {})}


def show_table(
    frame: pd.DataFrame, where: object = st, column_config: dict | None = None, **kwargs
) -> object:
    """``frame`` as a table (in ``where``, a column or the page) with its columns headed in words; no
    index unless ``hide_index=False``."""
    data = getattr(frame, "data", frame)  # a Styler's frame
    kwargs.setdefault("hide_index", True)
    return where.dataframe(frame, column_config=columns_config(data, column_config), **kwargs)
