"""Projections: hundreds of dimensions on a flat map, and what the map keeps and what it bends."""

import streamlit as st

from geometry import projection as pj
from ui import projection_views as views
from ui.models import get_model, model_source_caption
from ui.page import explain, friendly_errors, glossary

TERMS = (
    "vector",
    "embedding",
    "sentence embedding",
    "dimension",
    "projection",
    "PCA",
    "explained variance",
    "UMAP",
    "t-SNE",
    "cosine similarity",
    "euclidean distance",
    "nearest neighbours",
    "trustworthiness",
    "false neighbour",
    "seed",
    "Procrustes disparity",
)


def footer() -> None:
    explain(
        "Every word is a vector with hundreds of numbers (384 in the encoder, 576 in SmolLM2), but a "
        "screen has two directions, so a map must leave most of them out.\n\n"
        "- **PCA** turns the cloud of points until its widest spreads line up with the axes, then "
        "keeps the first two or three: a rotation and a shadow. Straight lines stay straight, the "
        "bars show how much of the spread survives (share = λᵢ / Σλⱼ, from the eigenvalues λ of the "
        "covariance), and there is no randomness.\n"
        "- **UMAP** and **t-SNE** start from each word's nearest neighbours in the full space and "
        "move the points until those neighbours sit close on the page. Neighbourhoods survive; the "
        "gaps between groups and the sizes of groups carry little meaning, and the seed changes the "
        "picture.\n"
        "- **Trustworthiness** checks a map against the full space. For each word, take its k = 5 "
        "nearest on the map; each one that is not among its 5 nearest in the full space costs a "
        "penalty that grows with its real rank r(i, j). 1 means no false neighbours; a random "
        "scatter scores about 0.5.",
        r"T(k) = 1 - \frac{2}{nk(2n-3k-1)} \sum_{i=1}^{n} \sum_{j \in U_i^{(k)}} \big(r(i,j) - k\big)",
    )
    glossary(*TERMS)


st.title("Projections: a flat map of meaning")
st.markdown(
    "Word vectors live in hundreds of dimensions. To look at them we squash them onto a page, and "
    "every squash keeps some things and bends others. Map a set of words, then check the map: which "
    "neighbours are real, and which only look close?"
)
settings = views.settings_ui()
many = settings.view == views.VOCABULARY
if many:
    size = st.select_slider(
        "Vocabulary tokens (lowest ids first: roughly the most common)",
        views.VOCABULARY_SIZES, 5_000, key="pj_size", bind="query-params",
    )  # fmt: skip
    word_set = None
else:
    word_set = views.word_set_ui()
lm = get_model(settings.model_name)
if lm is None or (word_set is None and not many):
    footer()
    st.stop()
model_source_caption(lm)

vectors = result = None
with friendly_errors():
    if many:
        word_set, vectors = views.cached_vocabulary(settings.model_name, size)
        source = (settings.model_name, "vocabulary", size)
        st.caption(f"{len(word_set):,} whole-word tokens with their static vectors (embedding rows).")
    else:
        word_set = views.known_word_set(settings.model_name, word_set)
        views.skipped_notice(word_set, settings.kind)
        source = (settings.model_name, settings.kind, word_set.words)
        vectors = views.cached_word_vectors(*source)
        st.caption(f"{len(word_set)} words, {settings.kind} vectors of {vectors.shape[1]} dimensions.")
    if settings.method == "umap":
        views.wait_for_umap()
    result = views.cached_map(source, settings.method, settings.dims, settings.seed, settings.params, vectors)
if result is None:
    footer()
    st.stop()

words = word_set.words
focus_column, search_column = st.columns(2)
with focus_column:
    index = views.focus_ui(words)
with search_column:
    matches = views.search_ui(words)
metric = dict(settings.params)["metric"]
comparison = pj.neighbour_comparison(vectors, result.coords, index, settings.k, metric)
roles = pj.neighbour_roles(comparison, index, len(words))
for match in matches:
    roles[match] = roles[match] or "search match"
frame = pj.projection_frame(words, word_set.categories, result.coords, roles)

st.subheader(f"{pj.METHOD_NAMES[settings.method]} map, {settings.dims}D")
views.map_view(frame, result, settings, many)
views.faithfulness_view(result, settings)

st.subheader("Real neighbours or false ones?")
views.neighbours_view(vectors, words, result.coords, index, settings)

st.subheader("Does the picture depend on the seed?")
views.stability_view(source, frame, vectors, settings, many)
footer()
