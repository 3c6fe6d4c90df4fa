"""Dot products: how much two token vectors point the same way, by hand and with real model vectors."""

import numpy as np
import streamlit as st

from geometry import handmade, similarity, wordlists
from geometry.models import CAUSAL_LM_CHOICES, ENCODER_NAME
from ui import dot_product_views as views
from ui.models import get_model, model_source_caption
from ui.page import friendly_errors, glossary

st.title("Dot products")
st.markdown(
    "A model stores every token as a **vector**, a long list of numbers. To ask how related two tokens "
    "are, it multiplies their matching numbers and adds the results: the **dot product**. Large and "
    "positive means the vectors point the same way. Try it with three numbers by hand, then with the "
    "real vectors of two models."
)

preset_name = st.selectbox(
    "Lesson preset", list(views.PRESETS), key="dp_preset", on_change=views.apply_preset, width=460
)
note = st.empty()  # the preset's caption, written once the boxes hold their text
source = st.radio(
    "Vectors",
    list(views.SOURCES),
    captions=list(views.SOURCES.values()),
    key="dp_source",
    bind="query-params",
    horizontal=True,
)
by_hand = source == "hand-made"
views.initial_text()  # the boxes' first contents (a URL, a preset or the user may replace them)
note.caption(views.preset_note(preset_name))
model_name = st.selectbox(
    "Model for static vectors, neighbours and analogies",
    [ENCODER_NAME, *CAUSAL_LM_CHOICES],
    key="dp_model",
    bind="query-params",
    help="Sentence vectors always come from the encoder (all-MiniLM-L6-v2).",
)
metric = st.segmented_control(
    "Compare with",
    similarity.METRICS,
    format_func=similarity.METRIC_NAMES.get,
    default="cosine",
    required=True,
    key="dp_metric",
    bind="query-params",
)
standardise, k = views.secondary_controls(by_hand)

names: list[str] = []
X = np.zeros((0, 0))
base = None
if by_hand:
    text = st.text_area(
        "Hand-made vectors, one per line",
        key="dp_vectors",
        bind="query-params",
        height=120,
    )
    st.caption(
        f"Write `name = [numbers]`. Up to {handmade.MAX_VECTORS} vectors of up to "
        f"{handmade.MAX_DIMENSIONS} numbers each, all the same length."
    )
    with friendly_errors():
        vectors = handmade.parse_vectors(text)
        names, X = list(vectors), np.stack(list(vectors.values()))
else:
    text = st.text_area(
        "Words or short phrases, separated by commas or new lines",
        key="dp_words",
        bind="query-params",
        height=80,
    )
    st.caption(
        f"Up to {wordlists.MAX_LIST_WORDS} entries of up to 60 characters. "
        + (
            "Static vectors: each word's embedding rows before any context."
            if source == "static"
            else "Sentence vectors: the encoder reads each entry as a tiny sentence and averages its outputs."
        )
    )
    list_model = model_name if source == "static" else ENCODER_NAME
    lm = get_model(list_model)
    if lm is None:
        st.stop()
    model_source_caption(lm)
    with friendly_errors():
        parsed = wordlists.parse_word_list(text)
        for notice in parsed.notices:
            st.info(notice)
        tokens, problems = wordlists.tokenize_words(parsed.words, lm)
        for problem in (*parsed.dropped, *problems):
            st.warning(problem, icon="⚠️")
        names = [t.word for t in tokens]
        if names:
            X = views.model_vectors(list_model, tuple(names), source)
            base = views.baseline(list_model, source, standardise)
            if standardise:
                X = views.standardised(list_model, X, source)
            views.tokenization_expander(tokens, X.shape[1], source)

if names:
    picked = views.pair_section(names, X, base, by_hand)
    if picked and not by_hand:
        views.contributions_section(
            names[picked[0]], names[picked[1]], X[picked[0]], X[picked[1]], standardise
        )
    views.matrix_section(names, X, metric, base)


def pole_vectors(start: str, end: str) -> np.ndarray:
    """The two axis words' vectors, from the same source (and standardisation) as the list."""
    if by_hand:
        missing = [word for word in (start, end) if word not in names]
        if missing:
            raise ValueError(
                f"With hand-made vectors the axis ends must be names from the box: {', '.join(missing)}."
            )
        return X[[names.index(start), names.index(end)]]
    poles = views.model_vectors(list_model, (start, end), source)
    return views.standardised(list_model, poles, source) if standardise else poles


views.axis_section(names, X, pole_vectors, by_hand)

st.divider()
st.markdown(f"The last two sections search the whole vocabulary of **{model_name}** using static vectors.")
if get_model(model_name) is not None:
    views.neighbours_section(model_name, metric, standardise, k)
    views.analogy_section(model_name, metric, standardise, k)

glossary(*views.GLOSSARY_TERMS)
