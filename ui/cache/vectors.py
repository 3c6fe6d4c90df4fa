"""The dot-products page: word vectors, the vocabulary index and its searches, the baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from geometry.models.handle import LoadedModel
from geometry.words import similarity
from geometry.words.vectors import MAX_WORDS
from geometry.words.vectors import word_vectors as _word_vectors
from ui.cache import MODEL_BY_NAME


@st.cache_resource(max_entries=4, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def vocabulary(lm: LoadedModel) -> similarity.VocabularyMatrix:
    """The model's whole-word search index (read-only, over the model's own weights), once per server."""
    return similarity.vocabulary_matrix(lm)


@st.cache_data(max_entries=4, show_spinner="Encoding a sample of vocabulary words (once per model)…",
               hash_funcs=MODEL_BY_NAME)  # fmt: skip
def sentence_sample(lm: LoadedModel) -> similarity.SentenceSample:
    return similarity.sentence_sample(lm, vocabulary(lm))


def _vocabulary_options(lm: LoadedModel, kind: str) -> dict:
    """The shared index, and the sentence sample when ``kind`` needs it."""
    sample = sentence_sample(lm) if kind == "sentence" else None
    return {"vocabulary": vocabulary(lm), "sample": sample}


BASELINE_SPINNER = "Measuring the baseline on random vocabulary words (once per model)…"


@st.cache_data(max_entries=64, show_spinner="Computing vectors…", hash_funcs=MODEL_BY_NAME)
def word_vectors(lm: LoadedModel, words: tuple[str, ...], kind: str) -> np.ndarray:
    """Vectors of the words, (n, d)."""
    return _word_vectors(words, lm, kind, max_words=MAX_WORDS)


@st.cache_data(max_entries=8, show_spinner=BASELINE_SPINNER, hash_funcs=MODEL_BY_NAME)
def baseline(lm: LoadedModel, kind: str, standardise: bool) -> float:
    return similarity.anisotropy_baseline(lm, kind, standardise, **_vocabulary_options(lm, kind))


@st.cache_data(max_entries=8, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def dimension_stats(lm: LoadedModel, kind: str) -> similarity.DimensionStats:
    return similarity.dimension_stats(lm, kind, **_vocabulary_options(lm, kind))


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def nearest_words(lm: LoadedModel, word: str, metric: str, standardise: bool, k: int) -> pd.DataFrame:
    """The k vocabulary words nearest to ``word``'s static vector (the word itself left out), ranked."""
    vector = word_vectors(lm, (word,), "static")[0]  # (d,)
    found = similarity.nearest(
        vector, lm, k=k, metric=metric, exclude=(word,), standardise=standardise, vocabulary=vocabulary(lm),
        max_k=similarity.MAX_K,
    )  # fmt: skip
    return similarity.ranked_table(found)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def analogy_answers(
    lm: LoadedModel, abc: tuple[str, str, str], metric: str, standardise: bool, k: int
) -> similarity.AnalogyAnswers:
    """b - a + c, with and without the inputs left out."""
    return similarity.analogy_answers(
        *abc, lm, k=k, metric=metric, standardise=standardise, vocabulary=vocabulary(lm)
    )
