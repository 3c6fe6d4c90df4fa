"""Helpers of the "Words in context" page: cached computations, notes and the explanation."""

from __future__ import annotations

import math

import streamlit as st

from geometry import context
from geometry.models import load_model
from ui.page import explain


@st.cache_data(max_entries=16, show_spinner="Running the sentences through the model…")
def occurrences(model_name: str, sentences: tuple[str, ...], word: str) -> context.Occurrences:
    """Hidden states of every occurrence, keyed by (model name, sentences, word); senses added later."""
    return context.find_occurrences(load_model(model_name), sentences, word, **context.PAGE_LIMITS)


@st.cache_data(max_entries=32, show_spinner=False)
def nearest_words(
    model_name: str, sentences: tuple[str, ...], word: str, labels: tuple[str, ...], index: int, k: int
):
    """The vocabulary words nearest each occurrence at layer ``index``, once per input for the server."""
    occ = occurrences(model_name, sentences, word).with_senses(labels)
    return context.nearest_words(load_model(model_name), occ, occ.vectors[:, index], k)


@st.cache_data(max_entries=4, show_spinner="Measuring the baseline on the reference text (once per model)…")
def reference(model_name: str) -> context.Reference:
    return context.reference_statistics(load_model(model_name))


@st.cache_data(max_entries=16, show_spinner="Drawing the map…")
def paths(
    model_name: str,
    sentences: tuple[str, ...],
    word: str,
    labels: tuple[str, ...],
    standardised: bool,
    method: str,
):
    """The layer-by-layer map (path table, axis titles, notes) of every occurrence."""
    occ = occurrences(model_name, sentences, word).with_senses(labels)
    vectors = context.standardise(occ.vectors, reference(model_name)) if standardised else occ.vectors
    return context.layer_map(occ, vectors, method)


def number(value: float) -> str:
    """A cosine for a metric; a dash when it is undefined (no pair of that kind)."""
    return "–" if math.isnan(value) else f"{value:.3f}"


def occurrence_notes(occ: context.Occurrences) -> None:
    """Say how the word was tokenized and whether its static vector is shared by every occurrence."""
    if occ.split_pieces:
        st.info(
            f"The tokenizer cuts '{occ.word}' into several tokens ({'; '.join(occ.split_pieces)}); "
            "each occurrence's vector is the mean of its pieces."
        )
    spread = context.static_spread(occ)
    if spread == 0:
        st.success(
            f"Static vector: the same embedding row in all {len(occ.labels)} occurrences (largest "
            "difference 0). Every path below starts from this one point."
        )
    else:
        st.warning(
            f"The static vectors differ (largest difference {spread:.3g}) because the word became "
            f"different tokens in different sentences: {', '.join(sorted(set(occ.table['pieces'])))}. "
            "Capitals or a missing space before the word change the token."
        )
    with st.expander(f"The {len(occ.labels)} occurrences and their tokens"):
        st.dataframe(occ.table, hide_index=True, width="stretch")


def summary(table, last_layer: str, labelled: bool = True) -> str:
    """One sentence on the first and last rows of a layer table; ``labelled``: some sentence has a sense."""
    text = (
        f"Self-similarity goes from **{table.self_similarity.iloc[0]:.2f}** (static) to "
        f"**{table.self_similarity.iloc[-1]:.2f}** at {last_layer}."
    )
    within, across = table.within_sense.iloc[-1], table.across_sense.iloc[-1]
    if not labelled or (math.isnan(within) and math.isnan(across)):
        return text + " Label the sentences with senses (`sense: sentence`) to compare within and across."
    if math.isnan(within):  # labelled, but no sense has two sentences: no same-sense pair exists
        return text + (
            f" There, pairs with different senses average **{across:.2f}**. No sense has two sentences "
            "yet, so nothing can be compared within a sense: give one sense a second sentence."
        )
    if math.isnan(across):  # every sentence carries the same label
        return text + (
            f" There, pairs with the same sense average **{within:.2f}**. Every sentence has the same "
            "sense, so nothing can be compared across senses: label a sentence with another sense."
        )
    return text + (
        f" There, pairs with the same sense average **{within:.2f}** and pairs with different senses "
        f"**{across:.2f}**."
    )


def explanation(reference: context.Reference) -> None:
    explain(
        "**Self-similarity** at a layer is the mean cosine between the word's vectors in different "
        "occurrences. The static row gives 1 (same vector everywhere); lower values mean the layer has "
        "made the word more specific to its sentence. **Within sense** averages only pairs whose "
        "sentences share a label, **across senses** only pairs that do not: the gap between them is "
        "the meaning the model has read from context.\n\n"
        "Raw cosines in a model are inflated: even unrelated words point into a narrow cone. The "
        f"**baseline** is the mean cosine of {reference.n_pairs:,} random pairs of words from different "
        f"sentences of a reference text ({reference.n_words} words) at the same layer, and the "
        "**adjusted self-similarity** subtracts it, as in Ethayarajh (2019), *How Contextual are "
        "Contextualized Word Representations?*. **Standardising** shifts and scales every dimension by "
        "its mean and spread over those reference words, so a few huge dimensions cannot decide every "
        "cosine.\n\n"
        "The layer called *embeddings* is the model's own first hidden state: the encoder and GPT-2 "
        "add position information there, so it already differs a little from sentence to sentence; "
        "Llama-style models such as SmolLM2 do not (their positions act inside attention).",
        r"\text{SelfSim}_\ell = \frac{1}{n(n-1)}\sum_{i \ne j}"
        r" \cos\big(h_\ell(w, s_i),\, h_\ell(w, s_j)\big)\qquad"
        r" \text{adjusted}_\ell = \text{SelfSim}_\ell - \mathbb{E}_{x,y}\cos\big(h_\ell(x), h_\ell(y)\big)",
    )
