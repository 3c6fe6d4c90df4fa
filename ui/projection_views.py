"""Widgets, caches and views of the Projections page (lessons/projections.py).

Widget keys start with ``pj_`` and are bound to the URL. Heavy work (vectors, maps, seed
comparisons) goes through ``st.cache_data`` keyed by plain values: the model name, the
word tuple, the method and its settings.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from geometry import charts, models, uploads, vectors
from geometry import projection as pj
from geometry import wordsets as ws
from ui.page import (
    cached_chart,
    download_table,
    friendly_errors,
    more_controls,
    presenter_mode,
    show_chart,
    show_plotly,
)

log = logging.getLogger(__name__)

MODEL_CHOICES = [models.ENCODER_NAME, *models.CAUSAL_LM_CHOICES]
WORD_SETS, VOCABULARY, UPLOAD = "Word sets", "Vocabulary", "Your vectors"
VOCABULARY_SIZES = [1_000, 5_000, 10_000]
MAP_METHODS = (*pj.METHODS, "custom")  # custom axes: two directions the user names
# How the box (and so the URL) names each method; each is its value up to case, as links expect.
METHOD_CHOICES = {**pj.METHOD_NAMES, "custom": "Custom"}
FLAT_2D, ROTATABLE_3D, PANELS_3D = "2D", "3D", "3D flat"
STABILITY_MAX_POINTS = 10_000  # three more UMAPs of the whole vocabulary would take minutes
COLOUR_MAX_GROUPS = 20  # metadata columns with more distinct values are not offered as colours
UPLOADED = "your vectors"  # the category of uploaded points when no metadata column colours them
EXPECTED_MAP_SECONDS = 60.0  # a whole-vocabulary UMAP on two busy cores, for the progress bar only
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
    panels: bool = False  # 3D drawn as three flat views (print-friendly) instead of a rotatable scene


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
        "What to map", [WORD_SETS, VOCABULARY, UPLOAD], key="pj_view", bind="query-params", required=True,
        default=WORD_SETS,
        help="A few hundred chosen words, the model's own tokens, or vectors from a file of yours.",
    )  # fmt: skip
    left, middle, right = st.columns(3)
    if view == UPLOAD:
        model_name = left.selectbox("Model", ["(none: your file)"], key="pj_model_upload", disabled=True)
    else:
        model_name = left.selectbox("Model", MODEL_CHOICES, key="pj_model", bind="query-params")
    kind = "static"
    if view == WORD_SETS:
        kind = middle.selectbox(
            "Vectors", vectors.KINDS, key="pj_kind", bind="query-params",
            help="static: the embedding row, before any context. sentence: the encoder's vector "
            "for the word read on its own (encoder only).",
        )  # fmt: skip
    else:
        middle.selectbox("Vectors", [view.lower()], key="pj_kind_fixed", disabled=True)
    method = right.selectbox(
        "Method", MAP_METHODS, format_func=METHOD_CHOICES.get, key="pj_method", bind="query-params",
        help="Custom: axes you name, each a direction from one word to another; every point is placed "
        "by how far it reaches along each.",
    )  # fmt: skip
    dims = st.segmented_control(
        "View", [FLAT_2D, ROTATABLE_3D, PANELS_3D], key="pj_dims", bind="query-params", required=True,
        default=FLAT_2D, disabled=method == "custom",
        help="3D: a scene to turn with the mouse (drag), zoom (scroll) and hover. 3D flat: the same "
        "3D map as axes 1×2, 1×3 and 2×3, for print.",
    )  # fmt: skip
    if method == "custom":
        dims = FLAT_2D  # two named axes make a flat picture
    seed, metric, k, labels, params = _method_settings(view, method)
    return Settings(
        view, model_name, kind, method, 2 if dims == FLAT_2D else 3, seed, params, k, labels,
        panels=dims == PANELS_3D,
    )  # fmt: skip


def _method_settings(view: str, method: str) -> tuple[int, str, int, bool, tuple]:
    """Seed, metric, k, labels and the method's own settings, under "Method settings"."""
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
    return int(seed), metric, k, labels and view != VOCABULARY, tuple(params.items())


def vocabulary_size_ui() -> int | None:
    """How many vocabulary tokens to map; None for the whole whole-word vocabulary."""
    left, right = st.columns([3, 1])
    whole = right.toggle(
        "Whole vocabulary", False, key="pj_all", bind="query-params",
        help="Every whole-word token of the model (about 21,700 for the encoder) on one WebGL map.",
    )  # fmt: skip
    size = left.select_slider(
        "Vocabulary tokens (lowest ids first: roughly the most common)",
        VOCABULARY_SIZES, 5_000, key="pj_size", bind="query-params", disabled=whole,
    )  # fmt: skip
    return None if whole else size


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


@dataclass(frozen=True)
class Upload:
    """Vectors from the user's file, named and coloured, with the key that identifies them."""

    word_set: ws.WordSet
    vectors: np.ndarray  # (n, d) float32
    digest: str  # sha-256 of the files, the cache key of every map of them


def upload_ui() -> Upload | None:
    """Two file boxes (vectors, optional metadata) and the colour column; None until a good file."""
    left, right = st.columns(2)
    kinds = ["tsv", "csv", "txt", "vec"]
    size = int(uploads.MAX_BYTES // 1_000_000)  # the browser refuses bigger files before they are sent
    vectors_file = left.file_uploader("Vectors file", type=kinds, key="pj_upload", max_upload_size=size)
    metadata_file = right.file_uploader(
        "Metadata TSV (optional)", type=["tsv", "txt"], key="pj_metadata", max_upload_size=size
    )
    limits = (
        f"at most {uploads.MAX_ROWS:,} rows, {uploads.MAX_DIMENSIONS:,} dimensions and "
        f"{uploads.MAX_BYTES / 1e6:g} MB a file"
    )
    st.caption(
        "The Embedding Projector's vectors TSV (one row of tab-separated numbers per point, labels in "
        "the metadata TSV, whose first row is a header when it has several columns), a CSV with a "
        "header row and a column of labels, or word2vec's text format (`rows dimensions`, then "
        f"`word 0.1 0.2 …`). Limits: {limits}."
    )
    if vectors_file is None:
        st.info("Upload a vectors file to map it (a metadata file alone is not enough).", icon="📄")
        return None
    data = vectors_file.getvalue()
    metadata = metadata_file.getvalue() if metadata_file is not None else None
    with friendly_errors():
        labels, matrix, frame = cached_upload(data, metadata, vectors_file.name)
        groups = [c for c in frame.columns[1:] if 1 < frame[c].nunique() <= COLOUR_MAX_GROUPS]
        colour = st.selectbox(
            "Colour points by", ["(one colour)", *groups], index=1 if groups else 0, key="pj_colour",
            help=f"Metadata columns with 2 to {COLOUR_MAX_GROUPS} different values.",
        )  # fmt: skip
        categories = frame[colour].astype(str) if colour in groups else [UPLOADED] * len(labels)
        digest = hashlib.sha256(data + b"\0" + (metadata or b"")).hexdigest()[:16]
        st.caption(f"{vectors_file.name}: {len(labels):,} points of {matrix.shape[1]:,} dimensions.")
        return Upload(ws.WordSet(labels, tuple(categories)), matrix, digest)
    return None


def axes_ui() -> tuple[pj.Axis, pj.Axis] | None:
    """Two text boxes, one direction each; None (after a warning) when one cannot be read."""
    left, right = st.columns(2)
    x_text = left.text_input(
        "x axis (from one word to another)", "man -> woman", key="pj_x_axis", bind="query-params",
        help="'small -> large', 'from poor to rich', 'woman - man' (a word minus a word) or a single word.",
    )  # fmt: skip
    y_text = right.text_input(
        "y axis", "boy -> king", key="pj_y_axis", bind="query-params", help="Written the same way as x."
    )
    with friendly_errors():
        return pj.parse_axis(x_text), pj.parse_axis(y_text)
    return None


# --------------------------------------------------------------------------- caches


@st.cache_data(max_entries=8, show_spinner="Looking up the vectors…")
def cached_word_vectors(model_name: str, kind: str, words: tuple[str, ...]) -> np.ndarray:
    lm = models.load_model(model_name)
    chunks = [words[i : i + vectors.MAX_WORDS] for i in range(0, len(words), vectors.MAX_WORDS)]
    return np.concatenate([vectors.word_vectors(chunk, lm, kind) for chunk in chunks])  # (n, d)


@st.cache_data(max_entries=4, show_spinner="Reading the vocabulary…")
def cached_vocabulary(model_name: str, size: int | None) -> tuple[ws.WordSet, np.ndarray]:
    return ws.vocabulary_set(models.load_model(model_name), size)


@st.cache_data(max_entries=8, show_spinner="Reading your file…")
def cached_upload(data: bytes, metadata: bytes | None, filename: str):
    return uploads.read_vectors(data, metadata, filename)


def _map_result(result: pj.Projection, with_trust: bool = True) -> MapResult:
    ratio = result.explained_variance_ratio
    trust = result.trustworthiness if with_trust else None
    return MapResult(result.coords, tuple(pj.axis_titles(result)), ratio, trust, result.notes)


@st.cache_data(max_entries=16, show_spinner="Drawing the map…")
def cached_map(source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors) -> MapResult:
    """``source`` names the vectors (model, kind, words or vocabulary size); they are not hashed.

    A map of more than STABILITY_MAX_POINTS points comes without its trustworthiness, which is
    then computed by :func:`cached_trust` after the map is on the page (~20 s for 21,700 points).
    """
    result = pj.project(_vectors, method, dims, seed, **dict(params))
    return _map_result(result, with_trust=len(_vectors) <= STABILITY_MAX_POINTS)


@st.cache_data(
    max_entries=8, show_spinner="Checking the map against the full space (trustworthiness, once per map)…"
)
def cached_trust(source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors, _coords) -> float:
    k = min(pj.TRUST_NEIGHBOURS, (len(_coords) - 1) // 2)
    return pj.trustworthiness(_vectors, _coords, k, dict(params)["metric"])


def cached_custom_map(source: tuple, axes: tuple[pj.Axis, pj.Axis], metric: str, vectors_, directions):
    """The map on two custom axes, cached by the names of the inputs (source, axes, metric)."""
    names = tuple(axis.name for axis in axes)
    return _cached_custom_map(source, names, metric, axes, vectors_, directions)


@st.cache_data(max_entries=16, show_spinner="Placing the words along your axes…")
def _cached_custom_map(source: tuple, names: tuple, metric: str, _axes, _vectors, _directions) -> MapResult:
    return _map_result(pj.custom_projection(_vectors, _axes, _directions, metric))


@dataclass(eq=False)
class MapJob:
    """One map computed in a background thread, shared by every session that asks for it."""

    started: float = field(default_factory=time.monotonic)
    result: MapResult | None = None
    error: Exception | None = None
    done: threading.Event = field(default_factory=threading.Event)


@st.cache_resource(max_entries=4, show_spinner=False)
def _map_job(source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors) -> MapJob:
    job = MapJob()

    def run() -> None:
        try:
            job.result = _map_result(pj.project(_vectors, method, dims, seed, **dict(params)))
        except Exception as error:  # noqa: BLE001 - handed to every waiting page, which says it
            log.exception("background map failed")
            job.error = error
        finally:
            job.done.set()

    threading.Thread(target=run, name="vocabulary-map", daemon=True).start()
    return job


def map_with_progress(source: tuple, method: str, dims: int, seed: int, params: tuple, vectors_) -> MapResult:
    """A slow map (the whole vocabulary's UMAP): computed once per server, progress shown while it runs.

    Sessions that arrive while it is computing wait for the same computation; later ones get it at once.
    """
    job = _map_job(source, method, dims, seed, params, vectors_)
    if not job.done.is_set():
        what = f"{pj.METHOD_NAMES[method]} of {len(vectors_):,} words"
        bar = st.progress(0.0)
        while not job.done.wait(0.5):
            elapsed = time.monotonic() - job.started
            text = (
                f"Computing the {what}: once for every visitor of this server, {elapsed:.0f} s so far "
                f"(about {EXPECTED_MAP_SECONDS:.0f} s on two cores)…"
            )
            bar.progress(min(0.95, elapsed / EXPECTED_MAP_SECONDS), text=text)
        bar.empty()
    if isinstance(job.error, ValueError):
        raise job.error
    if job.error is not None:
        _map_job.clear()  # let the next visitor try again
        raise ValueError(f"The map could not be computed ({type(job.error).__name__}); try again.")
    return job.result


@st.cache_data(max_entries=8, show_spinner="Drawing the same map with other seeds…")
def cached_stability(source: tuple, method: str, dims: int, seed: int, params: tuple, k: int, _vectors):
    seeds = range(seed, seed + STABILITY_RUNS)
    return pj.seed_stability(_vectors, method, seeds, dims, k, **dict(params))


def known_word_set(model_name: str, word_set: ws.WordSet) -> ws.WordSet:
    return ws.known_words(models.load_model(model_name), word_set)


def axis_directions(
    axes: tuple[pj.Axis, pj.Axis], words: tuple[str, ...], vectors_: np.ndarray, settings: Settings
) -> list[np.ndarray]:
    """Each axis as a vector: its words' rows when they are on the map, else the model's vectors."""
    index = {word: i for i, word in enumerate(words)}
    missing = tuple(dict.fromkeys(w for axis in axes for w in axis.words if w not in index))
    looked_up: dict[str, np.ndarray] = {}
    if missing and settings.view == UPLOAD:
        raise ValueError(f"'{missing[0][:30]}' is not a label in your file; name the axes with its labels.")
    if missing:
        looked_up = dict(
            zip(missing, cached_word_vectors(settings.model_name, settings.kind, missing), strict=True)
        )

    def vector_of(word: str) -> np.ndarray:
        return vectors_[index[word]] if word in index else looked_up[word]

    return [pj.axis_direction(axis, vector_of) for axis in axes]


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


def _clicked(key: str) -> str | None:
    """The word last clicked on the Altair map (selection "pick") or a Plotly one (customdata)."""
    selection = (st.session_state.get(key) or {}).get("selection") or {}
    picked = selection.get("pick") or selection.get("points") or []
    if not picked or not isinstance(picked[0], dict):
        return None
    point = picked[0]
    custom = point.get("customdata")
    return point.get("word") or (custom[0] if isinstance(custom, list | tuple) and custom else None)


def take_clicked_word(words: tuple[str, ...]) -> None:
    """Make a word clicked on the map (last run) the chosen word, before its select box is drawn."""
    for key in ("pj_map_chart", "pj_map_plot"):
        word = _clicked(key)
        if word and word != st.session_state.get(f"_clicked_{key}"):
            st.session_state[f"_clicked_{key}"] = word
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


TURN_HINT = (
    "Drag to turn the scene, scroll to zoom, hover a point for its word; choose a word in the box above."
)
PAN_HINT = "Drag to pan, scroll to zoom, hover a dot for its word, click it to see its neighbours."


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
    titles = list(result.titles)
    if settings.dims == 3 and not settings.panels:
        figure = charts.projection_3d_chart(frame, titles, categories, labels=labels, many=many)
        _plotly_map(figure, TURN_HINT)
    elif settings.dims == 2 and many:
        _plotly_map(charts.vocabulary_map_chart(frame, titles, categories), PAN_HINT)
    else:
        if settings.dims == 2:
            chart = cached_chart(
                charts.projection_chart, frame, *titles, categories=categories, labels=labels
            )
        else:
            chart = cached_chart(
                charts.projection_panels_chart, frame, titles, categories=categories, labels=labels, many=many
            )
        show_chart(
            chart, "projection", key="pj_map", on_select="rerun", selection_mode="pick", width="stretch"
        )
    columns = ["word", "category", *pj.AXES[: settings.dims]]
    download_table(frame[columns], "projection.csv", key="pj_csv", label="Download coordinates (CSV)")


def _plotly_map(figure, hint: str) -> None:
    show_plotly(figure, key="pj_map", on_select="rerun", selection_mode="points")
    st.caption(f"{hint} The camera button in the chart's toolbar saves a PNG of the view as it is.")


def faithfulness_view(result: MapResult, settings: Settings, trust: float | None = None) -> None:
    """Trustworthiness (``trust`` when the map came without it), spread kept, notes, variance bars."""
    left, middle, right = st.columns(3)
    trust = result.trust if trust is None else trust
    trust = "n/a" if trust is None else f"{trust:.3f}"
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
    if settings.method in ("pca", "custom"):
        name = pj.METHOD_NAMES[settings.method]
        st.caption(
            f"{name} has no randomness: every seed gives the same map, so there is nothing to compare."
        )
        return
    if len(frame) > STABILITY_MAX_POINTS:
        st.caption(
            f"Seed comparison is offered up to {STABILITY_MAX_POINTS:,} points: three more maps of "
            f"{len(frame):,} would take minutes."
        )
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


def axes_view(directions: list[np.ndarray], axes: tuple[pj.Axis, pj.Axis]) -> None:
    """The cosine between the two custom axes and what it does to the picture."""
    cos, meaning = pj.axes_cosine(*directions)
    left, right = st.columns([2, 5])
    left.metric("Cosine between the axes", f"{cos:.3f}", f"{axes[0].name} vs {axes[1].name}", **QUIET)
    right.markdown(
        f"{meaning} Each point is placed by its scalar projection x · u on each axis (u the axis "
        "direction divided by its length); everything at right angles to both axes is left out."
    )
