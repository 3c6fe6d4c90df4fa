"""The projections page: word sets, uploads, maps (with a progress bar for slow ones), faithfulness."""

from __future__ import annotations

import logging

import numpy as np
import streamlit as st

from geometry.models.handle import LoadedModel
from geometry.projection import axes as projection_axes
from geometry.projection import faithfulness, maps, uploads
from geometry.projection import methods as pj
from geometry.words import wordsets as ws
from ui.cache import MODEL_BY_NAME
from ui.server import background
from ui.server.background import BackgroundJob

log = logging.getLogger(__name__)


@st.cache_data(max_entries=8, show_spinner="Looking up the vectors…", hash_funcs=MODEL_BY_NAME)
def word_set_vectors(lm: LoadedModel, kind: str, words: tuple[str, ...]) -> np.ndarray:
    return ws.word_set_vectors(lm, kind, words)  # (n, d)


@st.cache_data(max_entries=4, show_spinner="Reading the vocabulary…", hash_funcs=MODEL_BY_NAME)
def vocabulary_set(lm: LoadedModel, size: int | None) -> tuple[ws.WordSet, np.ndarray]:
    return ws.vocabulary_set(lm, size)


@st.cache_data(max_entries=8, show_spinner="Reading your file…")
def upload(data: bytes, metadata: bytes | None, filename: str):
    return uploads.read_vectors(data, metadata, filename)


STABILITY_MAX_POINTS = 10_000  # three more UMAPs of the whole vocabulary would take minutes
STABILITY_RUNS = 3
EXPECTED_MAP_SECONDS = 60.0  # a whole-vocabulary UMAP on two busy cores, for the progress bar only


@st.cache_data(max_entries=16, show_spinner="Drawing the map…")
def projection_map(
    source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors
) -> maps.MapResult:
    """``source`` names the vectors (model, kind, words or vocabulary size; or an upload's digest);
    they are not hashed.

    A map of more than STABILITY_MAX_POINTS points comes without its trustworthiness, which is
    then computed by :func:`trust` after the map is on the page (~20 s for 21,700 points).
    """
    result = pj.project(_vectors, method, dims, seed, **pj.PAGE_LIMITS, **dict(params))
    return maps.map_result(result, with_trust=len(_vectors) <= STABILITY_MAX_POINTS)


@st.cache_data(
    max_entries=8, show_spinner="Checking the map against the full space (trustworthiness, once per map)…"
)
def trust(source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors, _coords) -> float:
    k = min(pj.TRUST_NEIGHBOURS, (len(_coords) - 1) // 2)
    return pj.trustworthiness(_vectors, _coords, k, dict(params)["metric"])


def custom_map(
    source: tuple, axes: tuple[projection_axes.Axis, projection_axes.Axis], metric: str, vectors, directions
) -> maps.MapResult:
    """The map on two custom axes, cached by the names of the inputs (source, axes, metric)."""
    names = tuple(axis.name for axis in axes)
    return _custom_map(source, names, metric, axes, vectors, directions)


@st.cache_data(max_entries=16, show_spinner="Placing the words along your axes…")
def _custom_map(source: tuple, names: tuple, metric: str, _axes, _vectors, _directions) -> maps.MapResult:
    return maps.map_result(projection_axes.custom_projection(_vectors, _axes, _directions, metric))


@st.cache_data(max_entries=8, show_spinner="Drawing the same map with other seeds…")
def stability(source: tuple, method: str, dims: int, seed: int, params: tuple, k: int, _vectors):
    seeds = range(seed, seed + STABILITY_RUNS)
    return faithfulness.seed_stability(_vectors, method, seeds, dims, k, **pj.PAGE_LIMITS, **dict(params))


@st.cache_resource(max_entries=4, show_spinner=False)
def _map_job(source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors) -> BackgroundJob:
    """One map computed in a background job, shared by every session that asks for it."""
    return background.start(
        lambda: maps.map_result(pj.project(_vectors, method, dims, seed, **pj.PAGE_LIMITS, **dict(params))),
        name="vocabulary-map",
    )


def map_with_progress(
    source: tuple, method: str, dims: int, seed: int, params: tuple, vectors
) -> maps.MapResult:
    """A slow map (the whole vocabulary's UMAP): computed once per server, progress shown while it runs.

    Sessions that arrive while it is computing wait for the same computation; later ones get it at once.
    """
    job = _map_job(source, method, dims, seed, params, vectors)
    if not job.done.is_set():
        what = f"{pj.METHOD_NAMES[method]} of {len(vectors):,} words"
        bar = st.progress(0.0)
        while not job.wait(0.5):
            elapsed = job.seconds
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
