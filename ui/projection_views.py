"""Widgets, caches and views of the Projections page (lessons/projections.py).

Widget keys start with ``pj_`` and are bound to the URL. Heavy work (vectors, maps, seed
comparisons) goes through ``st.cache_data`` keyed by plain values: the model name, the
word tuple, the method and its settings.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from geometry import charts, models, vectors
from geometry import projection as pj
from geometry import wordsets as ws
from ui.page import cached_chart, download_table, friendly_errors, more_controls, presenter_mode, show_chart

MODEL_CHOICES = [models.ENCODER_NAME, *models.CAUSAL_LM_CHOICES]
WORD_SETS, VOCABULARY = "Word sets", "Vocabulary"
VOCABULARY_SIZES = [1_000, 5_000, 10_000]
OWN_WORDS_ONLY = "(only my words)"
STABILITY_RUNS = 3
WARM_UP_SECONDS = 15.0  # typical numba compile time, for the progress bar only
QUIET = {"delta_color": "off", "delta_arrow": "off"}


@dataclass(frozen=True)
class Settings:
    """Everything that defines the current map, as plain values."""

    view: str
    model_name: str
    kind: str
    method: str
    dims: int
    seed: int
    params: tuple[tuple[str, object], ...]  # method settings, e.g. (("metric", "cosine"), ...)
    k: int
    labels: bool


@dataclass(frozen=True)
class MapResult:
    """A cached map: coordinates and what is shown beside them (no input vectors kept)."""

    coords: np.ndarray  # (n, dims)
    titles: tuple[str, ...]
    ratio: np.ndarray | None
    trust: float | None
    notes: tuple[str, ...]


# --------------------------------------------------------------------------- controls


def settings_ui() -> Settings:
    """The controls above the map; secondary ones fold away in presenter mode."""
    view = st.segmented_control(
        "What to map", [WORD_SETS, VOCABULARY], key="pj_view", bind="query-params", required=True,
        default=WORD_SETS, help="A few hundred chosen words, or thousands of the model's own tokens.",
    )  # fmt: skip
    left, middle, right, last = st.columns(4)
    model_name = left.selectbox("Model", MODEL_CHOICES, key="pj_model", bind="query-params")
    kind = "static"
    if view == WORD_SETS:
        kind = middle.selectbox(
            "Vectors", vectors.KINDS, key="pj_kind", bind="query-params",
            help="static: the embedding row, before any context. sentence: the encoder's vector "
            "for the word read on its own (encoder only).",
        )  # fmt: skip
    else:
        middle.selectbox("Vectors", ["static"], key="pj_kind_vocabulary", disabled=True)
    method = right.selectbox(
        "Method", pj.METHODS, format_func=pj.METHOD_NAMES.get, key="pj_method", bind="query-params"
    )
    dims = last.segmented_control(
        "View", ["2D", "3D"], key="pj_dims", bind="query-params", required=True, default="2D",
        help="3D is shown as three flat views of the same map: axes 1×2, 1×3 and 2×3.",
    )  # fmt: skip
    with more_controls("Method settings"):
        a, b, c, d = st.columns(4)
        seed = a.number_input("Seed", 0, 10_000, 0, key="pj_seed", bind="query-params")
        metric = b.selectbox("Distance in the full space", pj.METRICS, key="pj_metric", bind="query-params")
        k = c.slider("Neighbours compared (k)", 3, 20, 10, key="pj_k", bind="query-params")
        labels = d.toggle(
            "Word labels", True, key="pj_labels", bind="query-params", disabled=view == VOCABULARY,
            help="Words written beside their points (word sets only; the vocabulary map labels only "
            "highlighted words).",
        )  # fmt: skip
        params: dict[str, object] = {"metric": metric}
        if method == "umap":
            params["n_neighbors"] = a.slider(
                "n_neighbors", 2, 100, 15, key="pj_neighbors", bind="query-params"
            )
            params["min_dist"] = b.slider(
                "min_dist", 0.0, 1.0, 0.1, 0.05, key="pj_min_dist", bind="query-params"
            )
        if method == "tsne":
            params["perplexity"] = float(
                a.slider("perplexity", 2, 50, 30, key="pj_perplexity", bind="query-params")
            )
    return Settings(
        view, model_name, kind, method, 3 if dims == "3D" else 2, int(seed), tuple(params.items()), k, labels
    )


def word_set_ui() -> ws.WordSet | None:
    """A preset plus the user's own words, checked; None after a warning."""
    names = [*ws.PRESETS, OWN_WORDS_ONLY]
    preset = st.selectbox("Lesson preset", names, key="pj_preset", bind="query-params")
    if preset in ws.PRESETS:
        st.caption(ws.PRESETS[preset].hint)
    text = st.text_area(
        "Your own words",
        key="pj_words",
        bind="query-params",
        placeholder="pets: dog, cat, hamster\nking, queen, banana",
    )
    st.caption(
        "Commas or new lines between words; start a line with `label:` to colour its words as a group. "
        f"Added to the preset. Limits: {ws.MAX_WORDS} words, {ws.MAX_TEXT_CHARS:,} characters, "
        f"{ws.MAX_WORD_CHARS} characters a word."
    )
    base = ws.preset_words(ws.PRESETS[preset].categories) if preset in ws.PRESETS else ws.WordSet((), ())
    if not text.strip():
        if len(base):
            return base
        st.warning("Type some words, or choose a lesson preset.", icon="⚠️")
        return None
    with friendly_errors():
        return ws.combine(base, ws.parse_words(text))
    return None


def skipped_notice(word_set: ws.WordSet, kind: str) -> None:
    if word_set.skipped:
        shown = "; ".join(word_set.skipped[:8]) + ("; …" if len(word_set.skipped) > 8 else "")
        st.warning(f"Left out {len(word_set.skipped)} item(s): {shown}.", icon="⚠️")
    if word_set.split and kind == "static":
        shown = ", ".join(word_set.split[:10]) + (" …" if len(word_set.split) > 10 else "")
        st.caption(f"Read as several tokens, so their static vector is the mean of the pieces: {shown}.")


# --------------------------------------------------------------------------- caches


@st.cache_data(max_entries=8, show_spinner="Looking up the vectors…")
def cached_word_vectors(model_name: str, kind: str, words: tuple[str, ...]) -> np.ndarray:
    lm = models.load_model(model_name)
    chunks = [words[i : i + vectors.MAX_WORDS] for i in range(0, len(words), vectors.MAX_WORDS)]
    return np.concatenate([vectors.word_vectors(chunk, lm, kind) for chunk in chunks])  # (n, d)


@st.cache_data(max_entries=4, show_spinner="Reading the vocabulary…")
def cached_vocabulary(model_name: str, size: int) -> tuple[ws.WordSet, np.ndarray]:
    return ws.vocabulary_set(models.load_model(model_name), size)


@st.cache_data(max_entries=16, show_spinner="Drawing the map…")
def cached_map(source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors) -> MapResult:
    """``source`` names the vectors (model, kind, words or vocabulary size); they are not hashed."""
    result = pj.project(_vectors, method, dims, seed, **dict(params))
    ratio = result.explained_variance_ratio
    return MapResult(
        result.coords, tuple(pj.axis_titles(result)), ratio, result.trustworthiness, result.notes
    )


@st.cache_data(max_entries=8, show_spinner="Drawing the same map with other seeds…")
def cached_stability(source: tuple, method: str, dims: int, seed: int, params: tuple, k: int, _vectors):
    seeds = range(seed, seed + STABILITY_RUNS)
    return pj.seed_stability(_vectors, method, seeds, dims, k, **dict(params))


def known_word_set(model_name: str, word_set: ws.WordSet) -> ws.WordSet:
    return ws.known_words(models.load_model(model_name), word_set)


# --------------------------------------------------------------------------- UMAP warm-up


def wait_for_umap() -> None:
    """Show progress while UMAP's one-off compilation finishes (starting it if nobody has)."""
    if pj.is_warm():
        return
    worker = None
    if not pj.is_warming():
        worker = threading.Thread(target=pj.warm_up, name="umap-warm-up", daemon=True)
        worker.start()
    text = "Preparing UMAP: its first map in this server compiles code (about 15 s, once)…"
    bar, start = st.progress(0.0, text=text), time.monotonic()
    while not pj.is_warm():
        if worker is not None:
            worker.join(0.25)
            if not worker.is_alive():
                break
        else:
            time.sleep(0.25)
            if not pj.is_warming():
                break
        bar.progress(min(0.95, (time.monotonic() - start) / WARM_UP_SECONDS), text=text)
    bar.empty()


# --------------------------------------------------------------------------- views


def take_clicked_word(words: tuple[str, ...]) -> None:
    """Make a word clicked on the map (last run) the chosen word, before its select box is drawn."""
    event = st.session_state.get("pj_map_chart") or {}
    picked = (event.get("selection") or {}).get("pick") or []
    word = picked[0].get("word") if picked and isinstance(picked[0], dict) else None
    if word and word != st.session_state.get("_pj_clicked"):
        st.session_state["_pj_clicked"] = word
        if word in words:
            st.session_state["pj_focus"] = word


def focus_ui(words: tuple[str, ...]) -> int:
    """The word whose neighbours are compared (also chosen by clicking it on the map)."""
    take_clicked_word(words)
    if st.session_state.get("pj_focus") not in (None, *words):
        st.session_state["pj_focus"] = words[0]
    default = words.index("king") if "king" in words else 0
    word = st.selectbox(
        "Chosen word (or click a point)", words, index=default, key="pj_focus", bind="query-params"
    )
    return words.index(word)


def search_ui(words: tuple[str, ...]) -> list[int]:
    """Indices of the words matching the search box, after a caption saying what matched."""
    query = st.text_input("Find a word", key="pj_search", bind="query-params", placeholder="e.g. king")
    if not query.strip():
        return []
    with friendly_errors():
        found = ws.search_words(words, query)
        if found:
            shown = ", ".join(words[i] for i in found[:12]) + (" …" if len(found) > 12 else "")
            st.caption(f"{len(found)} match(es), ringed on the map: {shown}")
        else:
            st.warning(f"No word among these {len(words):,} starts with '{query.strip()[:30]}'.", icon="⚠️")
        return found
    return []


def map_view(frame: pd.DataFrame, result: MapResult, settings: Settings, many: bool) -> None:
    categories = list(dict.fromkeys(frame["category"]))
    labels = settings.labels and not many
    if labels:  # a readable subset: crowded words keep their point and are named on hover
        highlighted = np.flatnonzero(frame["role"].to_numpy() != "")
        chosen = np.flatnonzero(frame["role"].to_numpy() == "chosen word")
        big = presenter_mode()  # the plot is narrower and the letters larger on a projector
        font = charts.PRESENTER_MIN_FONT + 2 if big else charts.MAP_LABEL_PX + 2  # the bold labels' size
        plot_width = (540 if big else 700) - 2 * 90  # the map's padding keeps 90 px free each side
        frame = frame.assign(
            labelled=pj.label_room(
                frame["word"].tolist(),
                frame["x"],
                frame["y"],
                width_px=plot_width,
                height_px=480,
                font_px=font,
                first=[*chosen, *highlighted],
            )
        )
        hidden = int((~frame["labelled"]).sum())
        if hidden:
            st.caption(
                f"{hidden} of {len(frame)} labels would overlap others and are left out: hover a point "
                "to read its word, or zoom in with the mouse wheel."
            )
    if settings.dims == 2:
        chart = cached_chart(
            charts.projection_chart, frame, *result.titles, categories=categories, labels=labels, many=many
        )
    else:
        chart = cached_chart(
            charts.projection_panels_chart,
            frame,
            list(result.titles),
            categories=categories,
            labels=labels,
            many=many,
        )
    show_chart(chart, "projection", key="pj_map", on_select="rerun", selection_mode="pick", width="stretch")
    columns = ["word", "category", *pj.AXES[: settings.dims]]
    download_table(frame[columns], "projection.csv", key="pj_csv", label="Download coordinates (CSV)")


def faithfulness_view(result: MapResult, settings: Settings) -> None:
    left, middle, right = st.columns(3)
    trust = "n/a" if result.trust is None else f"{result.trust:.3f}"
    left.metric(
        "Trustworthiness (k = 5)", trust, help="1.0: every word's 5 nearest on the map are real neighbours."
    )
    if result.ratio is not None:
        middle.metric(
            "Spread kept by the map", f"{result.ratio.sum():.1%}", f"{settings.dims} of many axes", **QUIET
        )
    for note in result.notes:
        st.info(note, icon="ℹ️")
    if result.ratio is not None:
        table = pd.DataFrame(
            {"component": [f"PC{i + 1}" for i in range(len(result.ratio))], "ratio": result.ratio}
        )
        with right:
            show_chart(
                cached_chart(charts.explained_variance_chart, table), "explained_variance", key="pj_variance"
            )


def neighbours_view(vectors_: np.ndarray, words, coords, index: int, settings: Settings) -> pd.DataFrame:
    """The chosen word's neighbours in both spaces, side by side; returns the comparison."""
    metric = dict(settings.params)["metric"]
    table = pj.neighbour_comparison(vectors_, coords, index, settings.k, metric, labels=words)
    kept, false = int(table["kept"].sum()), int(table["false_neighbour"].sum())
    k = len(table)
    st.markdown(
        f"**{words[index]}**: {kept} of its {k} nearest words in the full space are also among its {k} "
        f"nearest on the map; **{false} map neighbour(s) are false** (close on the map only)."
    )
    left, right = st.columns(2)
    full = table[["rank", "original_word", "original_distance", "kept"]].rename(
        columns={
            "original_word": "word",
            "original_distance": f"{metric} distance",
            "kept": "also near on map",
        }
    )
    flat = table[["rank", "projected_word", "projected_distance", "false_neighbour"]].rename(
        columns={"projected_word": "word", "projected_distance": "map distance", "false_neighbour": "false"}
    )
    left.markdown("Nearest in the full space")
    left.dataframe(
        full.style.apply(_shade("also near on map", False), axis=1), hide_index=True, width="stretch"
    )
    right.markdown("Nearest on the map")
    right.dataframe(flat.style.apply(_shade("false", True), axis=1), hide_index=True, width="stretch")
    download_table(table, "neighbours.csv", key="pj_neighbours_csv", label="Download neighbours (CSV)")
    return table


def _shade(column: str, when: bool):
    def style(row: pd.Series) -> list[str]:
        colour = "background-color: rgba(213, 94, 0, 0.18)" if row[column] == when else ""
        return [colour] * len(row)

    return style


def stability_view(source, frame: pd.DataFrame, vectors_: np.ndarray, settings: Settings, many: bool) -> None:
    if settings.method == "pca":
        st.caption("PCA has no randomness: every seed gives the same map, so there is nothing to compare.")
        return
    if settings.method == "tsne":
        st.caption(
            "scikit-learn's t-SNE starts from the PCA map, so here the seed changes little or nothing."
        )
    if not st.toggle(
        f"Compare {STABILITY_RUNS} seeds", key="pj_stability", bind="query-params",
        help="Draws the same words again with seeds "
        f"{settings.seed}…{settings.seed + STABILITY_RUNS - 1}; slow for thousands of words.",
    ):  # fmt: skip
        return
    with friendly_errors():
        result = cached_stability(
            source, settings.method, settings.dims, settings.seed, settings.params, settings.k, vectors_
        )
        left, right = st.columns(2)
        left.metric("Mean Procrustes disparity", f"{result.disparity:.3f}", "0 = same picture", **QUIET)
        right.metric("Shared map neighbours", f"{result.neighbour_overlap:.0%}", f"k = {settings.k}", **QUIET)
        seeds = pd.concat(
            [
                frame[["word", "category"]].assign(
                    seed=f"seed {seed}", x=coords[:, 0].round(4), y=coords[:, 1].round(4)
                )
                for seed, coords in zip(result.seeds, result.coords, strict=True)
            ]
        )
        categories = list(dict.fromkeys(frame["category"]))
        show_chart(
            cached_chart(charts.seed_maps_chart, seeds, categories, many=many), "seed_maps", key="pj_seeds"
        )
        st.caption("Each map is shifted, scaled and turned to match the first, so only real changes remain.")
