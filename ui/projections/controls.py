"""The controls above the map: what to map, the model, the method and its settings."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from geometry.models import catalogue
from geometry.projection import methods as pj
from geometry.words import vectors
from ui.page.layout import more_controls

MODEL_CHOICES = [catalogue.ENCODER_NAME, *catalogue.CAUSAL_LM_CHOICES]
WORD_SETS, VOCABULARY, UPLOAD = "Word sets", "Vocabulary", "Your vectors"
VOCABULARY_SIZES = [1_000, 5_000, 10_000]
MAP_METHODS = (*pj.METHODS, "custom")  # custom axes: two directions the user names
# How the box (and so the URL) names each method; each is its value up to case, as links expect.
METHOD_CHOICES = {**pj.METHOD_NAMES, "custom": "Custom"}
FLAT_2D, ROTATABLE_3D, PANELS_3D = "2D", "3D", "3D flat"


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


def settings_ui(folded: bool = True) -> Settings:
    """The controls above the map; secondary ones fold away in presenter mode when ``folded`` (not
    when the controls are already in a folded header)."""
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
    seed, metric, k, labels, params = _method_settings(view, method, folded)
    return Settings(
        view, model_name, kind, method, 2 if dims == FLAT_2D else 3, seed, params, k, labels,
        panels=dims == PANELS_3D,
    )  # fmt: skip


def _method_settings(view: str, method: str, folded: bool) -> tuple[int, str, int, bool, tuple]:
    """Seed, metric, k, labels and the method's own settings, under "Method settings"."""
    with more_controls("Method settings") if folded else st.container():
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
