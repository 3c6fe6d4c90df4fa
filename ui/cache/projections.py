"""The projections page: word sets, uploads, maps (with a progress bar for slow ones), faithfulness.

Vocabulary maps are also kept on disk, in the app's cache folder (``maps/`` under
``geometry.models.loading.cache_root()``): a whole vocabulary's UMAP and trustworthiness are computed
once per machine, not once per server. A stored map is read back only if it was made from the
same vectors, settings and libraries (``geometry.projection.stored``); otherwise it is computed again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import streamlit as st

from geometry.models.handle import LoadedModel
from geometry.models.loading import cache_root
from geometry.projection import axes as projection_axes
from geometry.projection import faithfulness, maps, stored, uploads
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
STORED_MAPS = 24  # vocabulary maps kept on disk (a whole vocabulary's map is ~0.35 MB)


def stored_map_path(source: tuple, method: str, dims: int, seed: int, params: tuple) -> Path | None:
    """Where a vocabulary map is kept on disk; None for maps not worth keeping (word sets, uploads)."""
    if len(source) != 3 or source[1] != "vocabulary":
        return None
    model, _, size = source
    settings = [f"{name}-{value}" for name, value in params]
    size = "all" if size is None else str(size)
    name = "_".join([model, size, method, f"{dims}d", f"seed{seed}", *settings])
    return cache_root() / "maps" / f"{re.sub(r'[^A-Za-z0-9.-]+', '_', name)}.npz"


def _computed_or_stored(
    source: tuple, method: str, dims: int, seed: int, params: tuple, vectors,
    compute: Callable[[], maps.MapResult],
) -> maps.MapResult:  # fmt: skip
    """The map read back from disk when it is stored there (and still valid), else ``compute()``d and kept."""
    path = stored_map_path(source, method, dims, seed, params)
    if path is None:
        return compute()
    digest = stored.map_digest(vectors, method, dims, seed, params)
    kept = stored.read_map(path, digest, len(vectors), dims)
    if kept is not None:
        return kept
    result = compute()
    _keep(path, result, digest)
    return result


def _keep(path: Path, result: maps.MapResult, digest: str) -> None:
    try:
        stored.write_map(path, result, digest)
        stored.prune(path.parent, STORED_MAPS)
    except OSError as error:  # a read-only or full disk: the map is computed again next time
        log.warning("could not keep the map in %s: %s", path, error)


@st.cache_data(max_entries=16, show_spinner="Drawing the map…")
def projection_map(
    source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors
) -> maps.MapResult:
    """``source`` names the vectors (model, kind, words or vocabulary size; or an upload's digest);
    they are not hashed.

    A map of more than STABILITY_MAX_POINTS points comes without its trustworthiness, which is
    then computed by :func:`trust` after the map is on the page (~20 s for 21,700 points).
    """

    def compute() -> maps.MapResult:
        result = pj.project(_vectors, method, dims, seed, **pj.PAGE_LIMITS, **dict(params))
        return maps.map_result(result, with_trust=len(_vectors) <= STABILITY_MAX_POINTS)

    return _computed_or_stored(source, method, dims, seed, params, _vectors, compute)


@st.cache_data(
    max_entries=8, show_spinner="Checking the map against the full space (trustworthiness, once per map)…"
)
def trust(source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors, _coords) -> float:
    k = min(pj.TRUST_NEIGHBOURS, (len(_coords) - 1) // 2)
    value = pj.trustworthiness(_vectors, _coords, k, dict(params)["metric"])
    path = stored_map_path(source, method, dims, seed, params)
    if path is not None:  # the stored map gets its score, so the next server need not compute it
        digest = stored.map_digest(_vectors, method, dims, seed, params)
        kept = stored.read_map(path, digest, len(_vectors), dims)
        if kept is not None and np.array_equal(kept.coords, _coords):
            _keep(path, replace(kept, trust=value), digest)
    return value


def custom_map(
    source: tuple, axes: tuple[projection_axes.Axis, projection_axes.Axis], metric: str, vectors, directions
) -> maps.MapResult:
    """The map on two custom axes, cached by the names of the inputs (source, axes, metric)."""
    names = tuple(axis.name for axis in axes)
    return _custom_map(source, names, metric, axes, vectors, directions)


@st.cache_data(max_entries=16, show_spinner="Placing the words along your axes…")
def _custom_map(source: tuple, names: tuple, metric: str, _axes, _vectors, _directions) -> maps.MapResult:
    return maps.map_result(projection_axes.custom_projection(_vectors, _axes, _directions, metric))


def neighbours(source: tuple, vectors, coords: np.ndarray, index: int, k: int, metric: str, labels):
    """One word's neighbours in the full space and on the map (``faithfulness.neighbour_comparison``),
    once per map and word for the server: on a whole vocabulary it reads every vector (~0.2 s)."""
    return _neighbours(source, coords, index, k, metric, vectors, labels)


@st.cache_data(max_entries=32, show_spinner=False)
def _neighbours(source: tuple, coords: np.ndarray, index: int, k: int, metric: str, _vectors, _labels):
    return faithfulness.neighbour_comparison(_vectors, coords, index, k, metric, labels=_labels)


@st.cache_data(max_entries=8, show_spinner="Drawing the same map with other seeds…")
def stability(source: tuple, method: str, dims: int, seed: int, params: tuple, k: int, _vectors):
    seeds = range(seed, seed + STABILITY_RUNS)
    return faithfulness.seed_stability(_vectors, method, seeds, dims, k, **pj.PAGE_LIMITS, **dict(params))


@st.cache_resource(max_entries=4, show_spinner=False)
def _map_job(source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors) -> BackgroundJob:
    """One map computed in a background job, shared by every session that asks for it."""

    def compute() -> maps.MapResult:
        return maps.map_result(pj.project(_vectors, method, dims, seed, **pj.PAGE_LIMITS, **dict(params)))

    stored_or_computed = lambda: _computed_or_stored(source, method, dims, seed, params, _vectors, compute)  # noqa: E731
    return background.start(stored_or_computed, name="vocabulary-map")


def map_with_progress(
    source: tuple, method: str, dims: int, seed: int, params: tuple, vectors
) -> maps.MapResult:
    """A slow map (the whole vocabulary's UMAP): computed once per server, progress shown while it runs.

    Sessions that arrive while it is computing wait for the same computation; later ones get it at once.
    """
    job = _map_job(source, method, dims, seed, params, vectors)
    if not job.wait(0.5):  # a map read back from disk is ready before any progress bar is drawn
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
