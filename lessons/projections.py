"""Projections: hundreds of dimensions on a flat map, and what the map keeps and what it bends."""

import streamlit as st

from geometry.projection.axes import axis_directions, axis_words_missing
from geometry.projection.maps import neighbour_roles, projection_frame
from geometry.projection.methods import METHOD_NAMES
from geometry.words import wordsets as ws
from ui.cache import projections as cache
from ui.models import get_model, model_source_caption
from ui.page.frames import title_and_intro
from ui.page.layout import explain, friendly_errors, glossary, more_controls
from ui.page.settings import presenter_mode
from ui.projections import controls, maps, neighbours, stability, upload, words

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
    "custom axes",
    "scalar projection",
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
        "- **Custom axes** are chosen by you, not by the data: each axis is the direction from one word "
        "to another, and a point's place on it is its scalar projection x · u. Nothing is rotated or "
        "bent, but everything at right angles to both axes is left out.\n"
        "- **Trustworthiness** checks a map against the full space. For each word, take its k = 5 "
        "nearest on the map; each one that is not among its 5 nearest in the full space costs a "
        "penalty that grows with its real rank r(i, j). 1 means no false neighbours; a random "
        "scatter scores about 0.5.",
        r"T(k) = 1 - \frac{2}{nk(2n-3k-1)} \sum_{i=1}^{n} \sum_{j \in U_i^{(k)}} \big(r(i,j) - k\big)",
    )
    glossary(*TERMS)


title_and_intro(
    "Projections: a flat map of meaning",
    "Word vectors live in hundreds of dimensions. To look at them we squash them onto a page, and "
    "every squash keeps some things and bends others. Map a set of words, then check the map: which "
    "neighbours are real, and which only look close?",
)

# ---------------------------------------------------------------- inputs
INPUTS = "What to map: model, method and words"
header = more_controls(INPUTS)  # folded away on a projector, where the map is the lesson
with header:
    settings = controls.settings_ui(folded=not presenter_mode())
    many, uploaded, word_set, size = settings.view == controls.VOCABULARY, None, None, None
    if settings.view == controls.UPLOAD:
        uploaded = upload.upload_ui()
    elif many:
        size = controls.vocabulary_size_ui()
    else:
        word_set = words.word_set_ui()
    axes = words.axes_ui() if settings.method == "custom" else None
lm = None if settings.view == controls.UPLOAD else get_model(settings.model_name)
ready = uploaded is not None if settings.view == controls.UPLOAD else lm is not None and (many or word_set)
if not ready or (settings.method == "custom" and axes is None):
    if presenter_mode():
        st.info(f"The map needs its inputs: open “{INPUTS}” above.", icon="👆")
    footer()
    st.stop()
if lm is not None:
    with header:
        model_source_caption(lm)

# ---------------------------------------------------------------- the vectors and their map
vectors = result = directions = None
with friendly_errors():
    if uploaded is not None:
        word_set, vectors, source = uploaded.word_set, uploaded.vectors, ("upload", uploaded.digest)
    elif many:
        word_set, vectors = cache.vocabulary_set(lm, size)
        source = (lm.name, "vocabulary", size)
        st.caption(f"{len(word_set):,} whole-word tokens with their static vectors (embedding rows).")
    else:
        word_set = ws.known_words(lm, word_set)
        with header:  # beside the words they are about
            words.skipped_notice(word_set, settings.kind)
        source = (lm.name, settings.kind, word_set.words)
        vectors = cache.word_set_vectors(lm, settings.kind, word_set.words)
        header.caption(f"{len(word_set)} words, {settings.kind} vectors of {vectors.shape[1]} dimensions.")
    metric = dict(settings.params)["metric"]
    if settings.method == "custom":
        missing = axis_words_missing(axes, word_set.words)  # looked up in the model
        if missing and uploaded is not None:
            raise ValueError(
                f"'{missing[0][:30]}' is not a label in your file; name the axes with its labels."
            )
        looked_up = (
            dict(zip(missing, cache.word_set_vectors(lm, settings.kind, missing), strict=True))
            if missing
            else {}
        )
        directions = axis_directions(axes, word_set.words, vectors, looked_up)
        result = cache.custom_map(source, axes, metric, vectors, directions)
    else:
        if settings.method == "umap":
            maps.wait_for_umap()
        slow = len(vectors) > cache.STABILITY_MAX_POINTS and settings.method == "umap"
        draw = cache.map_with_progress if slow else cache.projection_map
        result = draw(source, settings.method, settings.dims, settings.seed, settings.params, vectors)
if result is None:
    footer()
    st.stop()

# ---------------------------------------------------------------- the chosen word, once for every section
names = word_set.words
focus_column, search_column = st.columns(2)
with search_column:
    matches = words.search_ui(names)
with focus_column:
    index = words.focus_ui(names, offered=words.offered(word_set, matches))
comparison = cache.neighbours(source, vectors, result.coords, index, settings.k, metric, names)
roles = neighbour_roles(comparison, index, len(names))
for match in matches:
    roles[match] = roles[match] or "search match"
frame = projection_frame(names, word_set.categories, result.coords, roles)

# ---------------------------------------------------------------- sections
st.subheader(f"{METHOD_NAMES[settings.method]} map, {settings.dims}D")
if directions is not None:
    maps.axes_view(directions, axes)
maps.map_view(frame, result, settings, many, words.asked_words())
trust = None
if result.trust is None and len(names) > cache.STABILITY_MAX_POINTS:  # the map first, then its score
    trust = cache.trust(source, settings.method, settings.dims, settings.seed, settings.params,
                        vectors, result.coords)  # fmt: skip
maps.faithfulness_view(result, settings, trust)

st.subheader("Real neighbours or false ones?")
neighbours.neighbours_view(comparison, names, index, metric)

st.subheader("Does the picture depend on the seed?")
stability.stability_view(source, frame, vectors, settings, many)
footer()
