"""The words-in-context page: occurrences of a word, their neighbours, paths, attention."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geometry.context import attention, tables
from geometry.context import occurrences as context
from geometry.models.handle import LoadedModel
from ui.cache import MODEL_BY_NAME
from ui.cache.vectors import vocabulary


@st.cache_data(
    max_entries=16, show_spinner="Running the sentences through the model…", hash_funcs=MODEL_BY_NAME
)
def occurrences(lm: LoadedModel, sentences: tuple[str, ...], word: str) -> context.Occurrences:
    """Hidden states of every occurrence of ``word`` (senses are added by the caller)."""
    return context.find_occurrences(lm, sentences, word, **context.PAGE_LIMITS)


def _labelled(lm: LoadedModel, sentences: tuple[str, ...], word: str, labels: tuple[str, ...]):
    return occurrences(lm, sentences, word).with_senses(labels)


@st.cache_data(max_entries=4, show_spinner="Measuring the baseline on the reference text (once per model)…",
               hash_funcs=MODEL_BY_NAME)  # fmt: skip
def reference(lm: LoadedModel) -> context.Reference:
    return context.reference_statistics(lm)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def occurrence_nearest(
    lm: LoadedModel, sentences: tuple[str, ...], word: str, labels: tuple[str, ...], index: int, k: int
) -> pd.DataFrame:
    """The vocabulary words nearest each occurrence at layer ``index``, once per input for the server."""
    occ = _labelled(lm, sentences, word, labels)
    return tables.nearest_words(lm, occ, occ.vectors[:, index], k, vocabulary=vocabulary(lm))


@st.cache_data(max_entries=16, show_spinner="Drawing the map…", hash_funcs=MODEL_BY_NAME)
def occurrence_paths(
    lm: LoadedModel,
    sentences: tuple[str, ...],
    word: str,
    labels: tuple[str, ...],
    standardised: bool,
    method: str,
):
    """The layer-by-layer map (path table, axis titles, notes) of every occurrence."""
    occ = _labelled(lm, sentences, word, labels)
    vectors = context.standardise(occ.vectors, reference(lm)) if standardised else occ.vectors
    return tables.layer_map(occ, vectors, method)


@st.cache_data(
    max_entries=32, show_spinner="Following the sentence through every layer…", hash_funcs=MODEL_BY_NAME
)
def occurrence_context(
    lm: LoadedModel, sentence: str, word: str, number: int, label: str
) -> attention.OccurrenceContext:
    """One occurrence traced step by step (see :func:`geometry.context.attention.occurrence_key`)."""
    return attention.occurrence_context(lm, sentence, word, number, label)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def pair_tables(lm: LoadedModel, pair: tuple[tuple, tuple]) -> tuple[bool, pd.DataFrame, pd.DataFrame]:
    """For two occurrences: whether the model is causal, and their moves and attention, stacked."""
    return attention.pair_tables([occurrence_context(lm, *key) for key in pair])


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def attention_column(
    lm: LoadedModel, key: tuple, layer_index: int, per_head: bool
) -> attention.AttentionColumn:
    """What one occurrence's column shows, once per input."""
    return attention.attention_column(occurrence_context(lm, *key), layer_index, per_head)
