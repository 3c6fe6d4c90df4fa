"""Dot products: how much two token vectors point the same way, by hand and with real model vectors."""

import numpy as np
import streamlit as st

from geometry.models.catalogue import CAUSAL_LM_CHOICES, ENCODER_NAME
from geometry.words import handmade, similarity, wordlists
from geometry.words.tokens import MAX_WORD_CHARS
from ui.cache import vectors as cache
from ui.classroom import asks
from ui.classroom.ask import ask_the_class
from ui.dot_products import axis, controls, matrix, pair, presets, vocabulary
from ui.models import get_model, model_source_caption
from ui.page.frames import title_and_intro
from ui.page.layout import box_message, checked, friendly_errors, glossary, more_controls
from ui.page.settings import presenter_mode

TERMS = (
    "vector",
    "embedding",
    "sentence embedding",
    "dot product",
    "norm",
    "cosine similarity",
    "euclidean distance",
    "anisotropy",
    "rogue dimensions",
    "scalar projection",
    "nearest neighbours",
    "analogy",
)

title_and_intro(
    "Dot products",
    "A model stores every token as a **vector**, a long list of numbers. To ask how related two tokens "
    "are, it multiplies their matching numbers and adds the results: the **dot product**. Large and "
    "positive means the vectors point the same way. Try it with three numbers by hand, then with the "
    "real vectors of two models.",
)

# ---------------------------------------------------------------- inputs
# The preset, the model and the measure (folded away on a projector), then the kind of vectors.
header = more_controls("Preset, model and measure")
preset_box = header.container()  # the lesson preset and its caption, drawn once the boxes hold their text
source = st.radio(
    "Vectors",
    list(presets.SOURCES),
    captions=list(presets.SOURCES.values()),
    key="dp_source",
    bind="query-params",
    horizontal=True,
)
by_hand = source == "hand-made"
presets.initial_text()  # the boxes' first contents (a URL, a preset or the user may replace them)
model_name = header.selectbox(
    "Model for static vectors, neighbours and analogies",
    [ENCODER_NAME, *CAUSAL_LM_CHOICES],
    key="dp_model",
    bind="query-params",
    help="Sentence vectors always come from the encoder (all-MiniLM-L6-v2).",
)
metric = header.segmented_control(
    "Compare with",
    similarity.METRICS,
    format_func=similarity.METRIC_NAMES.get,
    default="cosine",
    required=True,
    key="dp_metric",
    bind="query-params",
)
with header:
    standardise, k = controls.secondary_controls(by_hand, folded=not presenter_mode())

# ---------------------------------------------------------------- the list's vectors
names: list[str] = []
X = np.zeros((0, 0))
base = list_lm = None
if by_hand:
    text = st.text_area("Hand-made vectors, one per line", key="dp_vectors", bind="query-params", height=120)
    st.caption(
        f"Write `name = [numbers]`. Up to {handmade.MAX_VECTORS} vectors of up to "
        f"{handmade.MAX_DIMENSIONS} numbers each, all the same length."
    )
else:
    text = st.text_area(
        "Words or short phrases, separated by commas or new lines",
        key="dp_words",
        bind="query-params",
        height=80,
    )
    st.caption(
        f"Up to {wordlists.MAX_LIST_WORDS} entries of up to {MAX_WORD_CHARS} characters. "
        + (
            "Static vectors: each word's embedding rows before any context."
            if source == "static"
            else "Sentence vectors: the encoder reads each entry as a tiny sentence and averages its outputs."
        )
    )
with preset_box:  # now that the source and the box hold their values (a link's, a preset's or the user's)
    presets.preset_ui()
if by_hand:
    with friendly_errors("dp_vectors"):
        vectors = handmade.parse_vectors(text)
        names, X = list(vectors), np.stack(list(vectors.values()))
else:
    list_lm = get_model(model_name if source == "static" else ENCODER_NAME)
    if list_lm is None:
        st.stop()
    with header:  # beside the model picker (folded on a projector)
        model_source_caption(list_lm)
    with friendly_errors("dp_words"):
        parsed = wordlists.parse_word_list(text)
        for notice in parsed.notices:
            st.info(box_message("dp_words", notice))
        tokens, problems = wordlists.tokenize_words(parsed.words, list_lm)
        for problem in (*parsed.dropped, *problems):
            st.warning(box_message("dp_words", problem), icon="⚠️")
        names = [t.word for t in tokens]
        if names:
            X = cache.word_vectors(list_lm, tuple(names), source)
            base = cache.baseline(list_lm, source, standardise)
            if standardise:
                X = cache.dimension_stats(list_lm, source).apply(X)
            controls.tokenization_expander(wordlists.tokenization_table(tokens), X.shape[1], source)

# ---------------------------------------------------------------- sections on the list
if names:
    picked = pair.pair_ui(names)
    if picked is not None:
        ask_the_class(*asks.pair_questions(list_lm, names, X, picked, base))  # before the numbers show
        pair.pair_view(names, X, picked, base, by_hand)
        if not by_hand:
            pair.contributions_section(names, X, picked, standardise)
    matrix.matrix_section(names, X, metric, base)

ends = axis.axis_ui(names, by_hand)
ends = None if ends is None else checked(wordlists.clean_word, dp_axis_start=ends[0], dp_axis_end=ends[1])
if ends is not None:
    with friendly_errors():
        start, end = ends.values()
        if by_hand:  # the ends are names from the box
            poles = handmade.named_rows(names, X, (start, end))  # (2, d)
        else:  # the same source (and standardisation) as the list
            poles = cache.word_vectors(list_lm, (start, end), source)  # (2, d)
            poles = cache.dimension_stats(list_lm, source).apply(poles) if standardise else poles
        axis.axis_view(similarity.axis_projections(X, names, poles[0], poles[1], start, end), start, end)
    axis.axis_explanation()

# ---------------------------------------------------------------- the vocabulary
st.divider()
st.markdown(f"The last two sections search the whole vocabulary of **{model_name}** using static vectors.")
lm = get_model(model_name)
if lm is not None:
    word = vocabulary.neighbours_ui()
    with friendly_errors("dp_neighbour"):
        vocabulary.neighbours_view(
            cache.nearest_words(lm, wordlists.clean_word(word), metric, standardise, k), metric
        )
    vocabulary.neighbours_explanation(model_name, len(cache.vocabulary(lm).words))

    a, b, c = vocabulary.analogy_ui()
    typed = checked(wordlists.clean_word, dp_an_a=a, dp_an_b=b, dp_an_c=c)
    if typed is not None:
        with friendly_errors():
            a, b, c = typed.values()
            vocabulary.analogy_view(cache.analogy_answers(lm, (a, b, c), metric, standardise, k), a, b, c)
    vocabulary.analogy_explanation()

glossary(*TERMS)
