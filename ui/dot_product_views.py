"""The sections of the dot-products page: each takes plain values and draws one part of the lesson."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from geometry import charts, handmade, similarity
from geometry.models import load_model
from geometry.tokens import WordTokens, display_token
from geometry.vectors import MAX_WORDS, word_vectors
from geometry.wordlists import clean_word, keep_pair
from ui.page import (
    cached_chart,
    download_table,
    explain,
    friendly_errors,
    metric_row,
    more_controls,
    safe_tokens,
    show_chart,
)


@dataclass(frozen=True)
class Preset:
    """One lesson preset: the fields it fills in."""

    note: str
    source: str = "static"
    words: str = ""
    vectors: str = ""
    pair: tuple[str, str] = ("", "")
    axis: tuple[str, str] = ("small", "large")
    neighbour: str = "dog"
    analogy: tuple[str, str, str] = ("man", "king", "woman")


PRESETS: dict[str, Preset] = {
    "Dog, cat, runs, quickly": Preset(
        "Two animals, a verb and an adverb: which pairs point the same way?",
        words="dog, cat, runs, quickly",
        pair=("dog", "cat"),
        axis=("cat", "dog"),
        neighbour="dog",
    ),
    "The dog chased the cat": Preset(
        "The words of one short sentence, compared out of context.",
        words="the, dog, chased, cat",
        pair=("dog", "chased"),
        axis=("cat", "dog"),
        neighbour="chased",
    ),
    "King, queen, monarchy, banana": Preset(
        "Related royal words and one unrelated fruit.",
        words="king, queen, monarchy, banana",
        pair=("king", "queen"),
        axis=("man", "woman"),
        neighbour="king",
    ),
    "Large and small": Preset(
        "A simple story says opposites have negative dot products; real vectors disagree, because "
        "opposites appear in the same kinds of sentences.",
        words="large, small, big, tiny, huge, little",
        pair=("large", "small"),
        axis=("small", "large"),
        neighbour="large",
    ),
    "By hand: king and queen (128)": Preset(
        "Three made-up dimensions, small enough to multiply in your head.",
        source="hand-made",
        vectors="king = [9, -5, 6]\nqueen = [8, -4, 6]",
        pair=("king", "queen"),
        axis=("queen", "king"),
        neighbour="king",
    ),
    "By hand: dog and cat (0.64)": Preset(
        "Three made-up dimensions with decimals.",
        source="hand-made",
        vectors="dog = [0.7, 0.2, 0.5]\ncat = [0.6, 0.1, 0.4]",
        pair=("dog", "cat"),
        axis=("cat", "dog"),
        neighbour="dog",
    ),
}
DEFAULT = PRESETS["Dog, cat, runs, quickly"]
SOURCES = {
    "static": "embedding rows, before any context",
    "sentence": "the encoder's pooled vector",
    "hand-made": "type the numbers yourself",
}


GLOSSARY_TERMS = (
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
BASELINE_HELP = (
    "The mean cosine between random pairs of this model's vocabulary words (a fixed random sample). "
    "A cosine means something only when it is clearly above this."
)


def apply_preset() -> None:
    """Fill the page's inputs from the chosen preset (a callback, before the rerun)."""
    preset = PRESETS[st.session_state["dp_preset"]]
    state = st.session_state
    state["dp_source"] = preset.source
    if preset.words:
        state["dp_words"] = preset.words
    if preset.vectors:
        state["dp_vectors"] = preset.vectors
    state["dp_a"], state["dp_b"] = preset.pair
    state["dp_axis_start"], state["dp_axis_end"] = preset.axis
    state["dp_neighbour"] = preset.neighbour
    state["dp_an_a"], state["dp_an_b"], state["dp_an_c"] = preset.analogy


def _shows(preset: Preset) -> bool:
    """Whether the page's source and box hold this preset's entries."""
    state = st.session_state
    box, text = ("dp_vectors", preset.vectors) if preset.source == "hand-made" else ("dp_words", preset.words)
    return state.get("dp_source", preset.source) == preset.source and state.get(box, text) == text


def preset_note(name: str) -> str:
    """The caption of the preset whose entries are on screen (the chosen one first), or say they are
    the user's own: a caption never describes words that are no longer there."""
    if _shows(PRESETS[name]):
        return f"Preset: {PRESETS[name].note}"
    shown = next((other for other, preset in PRESETS.items() if _shows(preset)), None)
    if shown is not None:  # e.g. a link to hand-made vectors shows the king and queen preset's numbers
        return f"Preset “{shown}”: {PRESETS[shown].note}"
    return f"Your own entries (the preset “{name}” no longer matches the box)."


def initial_text() -> None:
    """Give the text boxes their first contents (a URL, a preset or the user may replace them).

    Setting session state before a widget exists, instead of passing ``value=``, lets a preset
    fill a box that is not on screen yet without Streamlit's double-default warning.
    """
    state = st.session_state
    state.setdefault("dp_words", DEFAULT.words)
    state.setdefault("dp_vectors", PRESETS["By hand: king and queen (128)"].vectors)
    state.setdefault("dp_axis_start", DEFAULT.axis[0])
    state.setdefault("dp_axis_end", DEFAULT.axis[1])
    state.setdefault("dp_neighbour", DEFAULT.neighbour)
    for key, word in zip(("dp_an_a", "dp_an_b", "dp_an_c"), DEFAULT.analogy, strict=True):
        state.setdefault(key, word)


def plain(word: str) -> str:
    """A word made safe to put inside Markdown (no formatting, links or maths)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|$<>~])", r"\\\1", word)


@st.cache_data(max_entries=64, show_spinner="Computing vectors…")
def model_vectors(model_name: str, words: tuple[str, ...], kind: str) -> np.ndarray:
    """Vectors of the words, (n, d), cached by (model name, words, kind)."""
    return word_vectors(words, load_model(model_name), kind, max_words=MAX_WORDS)


@st.cache_data(
    max_entries=8, show_spinner="Measuring the baseline on random vocabulary words (once per model)…"
)
def baseline(model_name: str, kind: str, standardise: bool) -> float:
    return similarity.anisotropy_baseline(load_model(model_name), kind, standardise)


def standardised(model_name: str, X: np.ndarray, kind: str) -> np.ndarray:
    return similarity.dimension_stats(load_model(model_name), kind).apply(X)


def tokenization_expander(tokens: list[WordTokens], dimensions: int, source: str) -> None:
    """How each word was split into tokens, and how its vector was made."""
    split = pd.DataFrame(
        {
            "word": [t.word for t in tokens],
            "tokens": [" · ".join(display_token(p) for p in t.pieces) for t in tokens],
            "vector": [
                "row of one token" if len(t.ids) == 1 else f"mean of {len(t.ids)} rows" for t in tokens
            ],
        }
    )
    with st.expander(f"How the words were tokenized ({len(tokens)} words, {dimensions} dimensions each)"):
        st.dataframe(split, hide_index=True, width="stretch")
        if source == "sentence":
            st.caption("Sentence vectors run the whole entry through the encoder, not just a row lookup.")


# --------------------------------------------------------------------------- one pair


def pair_section(
    names: list[str], X: np.ndarray, base: float | None, by_hand: bool
) -> tuple[int, int] | None:
    """Pick two vectors and show their dot product step by step; returns their rows."""
    st.subheader("One pair, step by step")
    if len(names) < 2:
        st.info("Add a second word (or vector) to compare a pair.")
        return None
    state = st.session_state
    # a new list keeps the entries still in it and fills the others with different entries
    state["dp_a"], state["dp_b"] = keep_pair(names, state.get("dp_a"), state.get("dp_b"))
    # index=None: no fixed default, so a URL can ask for any entry (a default is never written there)
    left, right = st.columns(2)
    name_a = left.selectbox("First", names, index=None, key="dp_a", bind="query-params") or names[0]
    name_b = right.selectbox("Second", names, index=None, key="dp_b", bind="query-params") or names[1]
    i, j = names.index(name_a), names.index(name_b)
    a, b = X[i], X[j]
    summary = similarity.summarise_pair(a, b)
    row = metric_row()
    row.metric("dot product a·b", f"{summary.dot:.4g}", width="content")
    row.metric(f"|{name_a}|", f"{summary.norm_a:.4g}", width="content")
    row.metric(f"|{name_b}|", f"{summary.norm_b:.4g}", width="content")
    if summary.cosine is None:
        row.metric("cosine", "undefined", width="content")
    else:
        delta = None if base is None else f"{summary.cosine - base:+.3f} vs random"
        row.metric("cosine", f"{summary.cosine:.4f}", delta=delta, delta_color="off", width="content")
    if base is not None:
        row.metric("baseline cosine", f"{base:.3f}", help=BASELINE_HELP, width="content")
    angle = "undefined" if summary.angle is None else f"{summary.angle:.1f}°"
    row.metric("angle", angle, width="content")
    label, sentence = similarity.reading(summary.cosine, base, same=i == j)
    st.markdown(f"**Reading: {label}.** {sentence}")
    if by_hand:
        table = handmade.multiplication_table(a, b, name_a, name_b)
        st.dataframe(table, hide_index=True, width="stretch")
        st.latex(handmade.worked_sum(a, b))
    strips = similarity.pair_strips(a, b, name_a, name_b)
    show_chart(
        cached_chart(charts.pair_strips_chart, strips, show_values=by_hand), "dot-product-pair", key="dp_pair"
    )
    download_table(similarity.pair_table(a, b), "dot-product-pair.csv", key="dp_pair_csv")
    explain(
        "Each column of the strips is one dimension. The top strip shows the two vectors' components, "
        "the middle strip multiplies them position by position, and the line adds those products up "
        "from left to right: its last value is the dot product. Dividing by both lengths gives the "
        "cosine, which ignores how long the vectors are and keeps only their direction; its inverse "
        "cosine is the angle. Positive means the vectors lean the same way, near zero means they are "
        "close to perpendicular, negative means they lean apart.",
        r"a\cdot b=\sum_{i=1}^{d}a_i b_i \qquad \cos\theta=\frac{a\cdot b}{\lVert a\rVert\,\lVert b\rVert}"
        r"\qquad \lVert a\rVert=\sqrt{a\cdot a}",
    )
    return i, j


def contributions_section(name_a: str, name_b: str, a: np.ndarray, b: np.ndarray, standardise: bool) -> None:
    """Which dimensions dominate the pair's dot product."""
    st.subheader("Which dimensions dominate?")
    top = similarity.dimension_contributions(a, b, top=12)
    share = top["share_of_size"].head(3).sum()
    dimensions = ", ".join(str(d) for d in top["dimension"].head(3))
    st.markdown(
        f"The 3 largest products (dimensions {dimensions}) make up **{share:.0%}** of all the "
        f"multiplying (the sum of |a_i b_i|) in {plain(name_a)} · {plain(name_b)}, "
        f"out of {a.size} dimensions. "
        + (
            "These are standardised dimensions: each one now has an equal spread over the vocabulary."
            if standardise
            else "Switch **standardise dimensions** on to see how much came from a few rogue dimensions."
        )
    )
    show_chart(cached_chart(charts.contributions_chart, top), "dot-product-dimensions", key="dp_dims")
    download_table(top, "dot-product-dimensions.csv", key="dp_dims_csv")
    explain(
        "Some dimensions of a trained model take much larger values than the rest, for almost every "
        "word. Their products swamp the others, so a raw cosine mostly measures agreement on those few "
        "dimensions (Timkey & van Schijndel, 2021). Standardising each dimension, subtracting its mean "
        "over the vocabulary and dividing by its spread, gives every dimension an equal say.",
        r"z_i=\frac{a_i-\mu_i}{\sigma_i}\qquad \text{share}_i=\frac{|a_i b_i|}{\sum_j |a_j b_j|}",
    )


# --------------------------------------------------------------------------- the whole list


def matrix_section(names: list[str], X: np.ndarray, metric: str, base: float | None) -> None:
    """The heatmap of every pair with the chosen metric, and a table of all pairs."""
    st.subheader(f"Every pair: {similarity.METRIC_NAMES[metric]}")
    with friendly_errors():
        S = similarity.pairwise(X, metric)
        frame = similarity.similarity_frame(S, names, metric)
        heatmap = cached_chart(charts.similarity_heatmap_chart, frame, metric, show_values=len(names) <= 15)
        show_chart(heatmap, "similarity", key="dp_matrix")
        if base is not None:
            st.caption(f"Baseline cosine of two random vocabulary words for this model: **{base:.3f}**.")
        pairs = similarity.pair_scores(X, names, base)
        st.dataframe(pairs, hide_index=True, width="stretch")
        download_table(pairs, "similarity-pairs.csv", key="dp_pairs_csv")
    explain(
        "Each cell compares the word of its row with the word of its column. The dot product grows with "
        "the lengths of the vectors as well as their agreement; the cosine keeps only the direction; the "
        "euclidean distance is small when the tips of the vectors are close. All three are linked: the "
        "squared distance is the two squared lengths minus twice the dot product.",
        r"\lVert a-b\rVert^2=\lVert a\rVert^2+\lVert b\rVert^2-2\,a\cdot b",
    )


def axis_section(names: list[str], X: np.ndarray, pole_vectors, by_hand: bool = False) -> None:
    """Project every word onto the direction from one word to another.

    Model vectors exist for any word, so the axis ends are typed; hand-made vectors exist only
    for the names in the box, so the ends are picked from those names.
    """
    st.subheader("Projection onto a semantic axis")
    left, right = st.columns(2)
    if by_hand and len(names) >= 2:
        state = st.session_state
        state["dp_axis_start"], state["dp_axis_end"] = keep_pair(
            names, state.get("dp_axis_start"), state.get("dp_axis_end")
        )
        start = left.selectbox("Axis from", names, index=None, key="dp_axis_start", bind="query-params")
        end = right.selectbox("Axis to", names, index=None, key="dp_axis_end", bind="query-params")
        start, end = start or names[0], end or names[1]
    elif by_hand:
        st.info("Give at least two hand-made vectors: the axis runs from one to the other.")
        return
    else:
        start = left.text_input("Axis from", key="dp_axis_start", bind="query-params")
        end = right.text_input("Axis to", key="dp_axis_end", bind="query-params")
    if not names:
        st.info("Type some words (or vectors) above to place them on the axis.")
        return
    with friendly_errors():
        start, end = clean_word(start), clean_word(end)
        poles = pole_vectors(start, end)  # (2, d)
        frame = similarity.axis_projections(X, names, poles[0], poles[1], start, end)
        show_chart(cached_chart(charts.axis_strip_chart, frame, start, end), "semantic-axis", key="dp_axis")
        download_table(frame, "semantic-axis.csv", key="dp_axis_csv")
    explain(
        "The difference between two words, such as large minus small, is a direction. The scalar "
        "projection measures how far each word reaches along it: one number per word, a one-dimensional "
        "view of a space with hundreds of dimensions. Position rescales it so the first word sits at 0 "
        "and the second at 1.",
        r"u=\frac{e-s}{\lVert e-s\rVert}\qquad \operatorname{proj}_u(x)=x\cdot u",
    )


# --------------------------------------------------------------------------- the vocabulary


def neighbours_section(model_name: str, metric: str, standardise: bool, k: int) -> None:
    """The vocabulary words closest to one word."""
    st.subheader("Nearest neighbours in the vocabulary")
    word = st.text_input("Word", key="dp_neighbour", bind="query-params")
    lm = load_model(model_name)
    with friendly_errors():
        word = clean_word(word)
        frame = safe_tokens(_ranked(nearest_words(model_name, word, metric, standardise, k)), "word")
        show_chart(cached_chart(charts.neighbours_chart, frame, metric), "neighbours", key="dp_neighbours")
        download_table(frame, "neighbours.csv", key="dp_neighbours_csv")
    size = len(similarity.vocabulary_matrix(lm).words)
    explain(
        f"The word's static vector is compared with every one of the {size:,} whole-word tokens of "
        f"{model_name}: a single matrix-vector product, one dot product per vocabulary row. The word "
        "itself is left out.",
        r"\text{score}_w=\frac{E_w\cdot v}{\lVert E_w\rVert\,\lVert v\rVert}",
    )


def analogy_section(model_name: str, metric: str, standardise: bool, k: int) -> None:
    """b - a + c, with and without leaving out the three input words."""
    st.subheader("Analogy arithmetic")
    columns = st.columns(3)
    a = columns[0].text_input("a (take away)", key="dp_an_a", bind="query-params")
    b = columns[1].text_input("b (start from)", key="dp_an_b", bind="query-params")
    c = columns[2].text_input("c (add)", key="dp_an_c", bind="query-params")
    with friendly_errors():
        a, b, c = (clean_word(text) for text in (a, b, c))
        usual, honest, place = analogy_answers(model_name, (a, b, c), metric, standardise, k)
        st.markdown(f"**{plain(b)} − {plain(a)} + {plain(c)}** ≈ ?")
        shown = safe_tokens(
            pd.concat([_ranked(usual).assign(inputs="left out"), _ranked(honest).assign(inputs="kept")]),
            "word",
        )
        left_out, kept = (
            shown[shown["inputs"] == inputs].drop(columns="inputs") for inputs in ("left out", "kept")
        )
        left, right = st.columns(2)
        left.markdown("Inputs left out (the usual practice)")
        left.dataframe(left_out, hide_index=True, width="stretch")
        right.markdown("Nothing left out")
        right.dataframe(kept, hide_index=True, width="stretch")
        if usual:
            answer_shown, top_shown = left_out["word"].iloc[0], kept["word"].iloc[0]
            st.info(
                f"Caveat: with the inputs left out the answer is **{plain(answer_shown)}**. When nothing is "
                f"left out, {plain(answer_shown)} ranks **{place}** and the top word is "
                f"**{plain(top_shown)}**. "
                "Leaving the inputs out flatters analogy tests (Nissim, van Noord & van der Goot, 2020).",
            )
        download_table(
            shown,
            "analogy.csv",
            key="dp_analogy_csv",
        )
    explain(
        "Subtracting a from b keeps what separates them (for man → king, roughly royalty); adding c "
        "applies that difference to a new word. The result is a point in space that is not itself a "
        "word, so the page lists the vocabulary words nearest to it.",
        r"v=E_b-E_a+E_c\qquad \hat w=\arg\max_{w}\cos(E_w, v)",
    )


@st.cache_data(max_entries=64, show_spinner=False)
def nearest_words(
    model_name: str, word: str, metric: str, standardise: bool, k: int
) -> list[tuple[str, float]]:
    """The k vocabulary words nearest to ``word``'s static vector (the word itself left out)."""
    vector = model_vectors(model_name, (word,), "static")[0]  # (d,)
    lm = load_model(model_name)
    return similarity.nearest(vector, lm, k=k, metric=metric, exclude=(word,), standardise=standardise)


@st.cache_data(max_entries=64, show_spinner=False)
def analogy_answers(model_name: str, abc: tuple[str, str, str], metric: str, standardise: bool, k: int):
    """b - a + c: (answers with the inputs left out, answers with nothing left out, the rank of the
    first answer when nothing is left out, or None when there is no answer)."""
    lm, options = load_model(model_name), {"metric": metric, "standardise": standardise}
    usual = similarity.analogy(*abc, lm, k=k, **options)
    honest = similarity.analogy(*abc, lm, k=k, exclude_inputs=False, **options)
    place = (
        similarity.rank(usual[0][0], similarity.analogy_vector(*abc, lm), lm, **options) if usual else None
    )
    return usual, honest, place


def _ranked(found: list[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(r, w, s) for r, (w, s) in enumerate(found, start=1)], columns=["rank", "word", "score"]
    )


def secondary_controls(by_hand: bool) -> tuple[bool, int]:
    """The standardise switch and the number of neighbours."""
    with more_controls():
        left, right = st.columns(2)
        standardise = left.toggle(
            "Standardise dimensions",
            key="dp_standardise",
            bind="query-params",
            disabled=by_hand,
            help="Subtract each dimension's mean over the vocabulary and divide by its spread.",
        )
        k = right.slider("Neighbours to list", 3, 30, 10, key="dp_k", bind="query-params")
    return standardise and not by_hand, k
