"""Flatten word vectors onto a 2-D or 3-D map, and measure what the map distorts.

Three methods, one entry point, :func:`project`:

* ``"pca"``: the linear view that keeps the most spread (scikit-learn's PCA);
* ``"umap"``: a non-linear map that keeps each point's nearest neighbours near it (umap-learn);
* ``"tsne"``: the older neighbour-keeping map (scikit-learn's t-SNE).

Every result carries its **trustworthiness** (1.0 when every neighbour seen on the map is a
real neighbour in the full space). :func:`neighbour_comparison` lists one word's neighbours
in both spaces, and :func:`seed_stability` measures how much a picture changes with the seed.

Neighbours in the full space are exact: for UMAP they are computed here by brute force and
handed to umap-learn, so it never builds its approximate index (which would compile for more
than a minute on first use and give slightly different neighbours).

umap-learn compiles code with numba on its first call in a process (~15 s).
:func:`warm_up` does that once, from any thread; :func:`is_warm` says whether it has happened.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geometry.tokens import has_control_characters
from geometry.vectors import angle_degrees, cosine, top_k, unit

log = logging.getLogger(__name__)

METHODS = ("pca", "umap", "tsne")
METHOD_NAMES = {"pca": "PCA", "umap": "UMAP", "tsne": "t-SNE", "custom": "Custom axes"}
METRICS = ("cosine", "euclidean")
MAX_POINTS = (
    32_000  # the page's limit: neighbours grow with n²; both whole vocabularies fit (SmolLM2: 31,534)
)
TSNE_MAX_POINTS = 2_000  # the page's limit: scikit-learn's t-SNE takes minutes beyond this on a laptop
# What the pages pass to project(); the library itself refuses nothing for size.
PAGE_LIMITS = {"max_points": MAX_POINTS, "tsne_max_points": TSNE_MAX_POINTS}
TRUST_NEIGHBOURS = 5  # k of the trustworthiness score (scikit-learn's default)
DEFAULTS: dict[str, dict[str, Any]] = {
    "pca": {"metric": "cosine"},
    "umap": {"n_neighbors": 15, "min_dist": 0.1, "metric": "cosine"},
    "tsne": {"perplexity": 30.0, "metric": "cosine"},
}
_ROWS_PER_CHUNK = 512  # rows of the distance matrix held at once (512 × n floats)


@dataclass(frozen=True, eq=False)
class Projection:
    """A map of n points, with what it took to make it.

    ``coords`` (n, n_components); ``explained_variance_ratio`` (n_components,) for PCA,
    else None; ``params`` the settings actually used (after any adjustment); ``notes``
    one sentence per adjustment made for a small input, written for the user.
    ``trustworthiness`` is computed on first access (it costs a pass over all distances).
    """

    coords: np.ndarray  # (n, n_components)
    method: str
    explained_variance_ratio: np.ndarray | None  # (n_components,) PCA only
    params: dict[str, Any]
    notes: tuple[str, ...]
    vectors: np.ndarray = field(repr=False, compare=False)  # (n, d) the input, for trustworthiness

    @functools.cached_property
    def trustworthiness(self) -> float | None:
        """Trustworthiness with k = 5 neighbours (fewer for tiny sets); None below 3 points."""
        n = len(self.coords)
        k = min(TRUST_NEIGHBOURS, (n - 1) // 2)
        if k < 1:
            return None
        return trustworthiness(self.vectors, self.coords, k, self.params["metric"])


# --------------------------------------------------------------------------- distances


def _floats(X: Any) -> np.ndarray:
    """X as float32 if it already is (model vectors: half the work), else as float64."""
    X = np.asarray(X)
    return X if X.dtype == np.float32 else X.astype(np.float64)


def _prepared(X: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows ready for distances by matrix products: unit rows (cosine) or rows and squared norms."""
    X = _floats(X)
    if metric == "cosine":
        return unit(X), np.ones(len(X))  # (n, d) rows of length 1, (n,)
    return X, np.einsum("ij,ij->i", X, X)  # (n, d), (n,)


def _distance_rows(prepared: tuple[np.ndarray, np.ndarray], rows: np.ndarray, metric: str) -> np.ndarray:
    """Distances from the points ``rows`` to every point, (len(rows), n)."""
    X, squares = prepared
    products = X[rows] @ X.T  # (r, n)
    if metric == "cosine":
        distances = 1.0 - products
    else:
        distances = np.sqrt(np.maximum(squares[rows, None] + squares[None, :] - 2.0 * products, 0.0))
    distances[np.arange(len(rows)), rows] = 0.0  # exactly zero to itself
    return np.maximum(distances, 0.0)


def distances_from(X: np.ndarray, index: int, metric: str = "cosine") -> np.ndarray:
    """Distances from point ``index`` to every point, (n,).

    >>> distances_from(np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]]), 0).round(3).tolist()
    [0.0, 1.0, 0.0]
    """
    return _distance_rows(_prepared(X, metric), np.array([index]), metric)[0]


def exact_neighbours(X: np.ndarray, k: int, metric: str = "cosine") -> tuple[np.ndarray, np.ndarray]:
    """Each point's k nearest points, itself first (umap-learn's convention).

    Returns indices (n, k) and distances (n, k), nearest first, computed by brute force in
    chunks of rows so memory stays at ~512 × n numbers.

    >>> indices, distances = exact_neighbours(np.array([[0.0], [1.0], [5.0]]), 2, "euclidean")
    >>> indices.tolist(), distances.tolist()
    ([[0, 1], [1, 0], [2, 1]], [[0.0, 1.0], [0.0, 1.0], [0.0, 4.0]])
    """
    prepared = _prepared(X, metric)
    n = len(prepared[0])
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float64)
    for start in range(0, n, _ROWS_PER_CHUNK):
        rows = np.arange(start, min(start + _ROWS_PER_CHUNK, n))
        block = _distance_rows(prepared, rows, metric)  # (r, n)
        block[np.arange(len(rows)), rows] = -1.0  # itself first, even among duplicates
        indices[rows] = top_k(-block, k)  # (r, k) nearest first
        distances[rows] = np.maximum(np.take_along_axis(block, indices[rows], axis=1), 0.0)
    return indices, distances


def trustworthiness(
    X: np.ndarray, coords: np.ndarray, k: int = TRUST_NEIGHBOURS, metric: str = "cosine"
) -> float:
    """How far the map's k nearest neighbours are real neighbours, from 0 to 1.

    The same number as ``sklearn.manifold.trustworthiness`` (tested), computed without its
    n × n rank table, so 5,000 points take a fraction of a second:
    T = 1 - 2 / (n k (2n - 3k - 1)) · Σ_i Σ_{j in map-kNN(i), not in kNN(i)} (rank_i(j) - k).

    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    >>> trustworthiness(X, X, k=1, metric="euclidean")
    1.0
    """
    n = len(X)
    if not 1 <= k < n / 2:
        raise ValueError(f"Trustworthiness needs k from 1 to {int(np.ceil(n / 2)) - 1} for {n} points.")
    from sklearn.neighbors import NearestNeighbors

    map_neighbours = NearestNeighbors(n_neighbors=k).fit(coords).kneighbors(return_distance=False)  # (n, k)
    prepared = _prepared(X, metric)
    penalty = 0
    for start in range(0, n, _ROWS_PER_CHUNK):
        rows = np.arange(start, min(start + _ROWS_PER_CHUNK, n))
        block = _distance_rows(prepared, rows, metric)  # (r, n)
        block[np.arange(len(rows)), rows] = np.inf  # a point is not its own neighbour
        chosen = np.take_along_axis(block, map_neighbours[rows], axis=1)  # (r, k)
        ranks = np.count_nonzero(block[:, None, :] < chosen[:, :, None], axis=2) + 1  # (r, k) full-space rank
        penalty += int(np.maximum(ranks - k, 0).sum())
    return float(1.0 - penalty * 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)))


# --------------------------------------------------------------------------- checks


def _checked_vectors(X: Any, max_points: int | None = None) -> np.ndarray:
    try:
        X = _floats(X)
    except (TypeError, ValueError) as error:
        raise ValueError("The vectors must be numbers, one row per word.") from error
    if X.ndim != 2 or X.shape[1] == 0:
        raise ValueError("The vectors must form a table: one row per word, one column per dimension.")
    if len(X) < 2:
        raise ValueError("A map needs at least 2 words; add more words.")
    if max_points is not None and len(X) > max_points:
        raise ValueError(f"{len(X):,} points is more than the limit of {max_points:,}; use fewer words.")
    if not np.isfinite(X).all():
        raise ValueError("Some vectors contain infinite or missing numbers; remove those words.")
    if np.ptp(X, axis=0).max() == 0:
        raise ValueError(
            "All the words have the same vector, so there is nothing to spread out; use different words."
        )
    return X


def _checked_params(method: str, n_components: int, params: dict[str, Any]) -> dict[str, Any]:
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    if n_components not in (1, 2, 3):
        raise ValueError("A map has 1, 2 or 3 dimensions.")
    unknown = set(params) - set(DEFAULTS[method])
    if unknown:
        allowed = ", ".join(DEFAULTS[method]) or "none"
        raise ValueError(
            f"{METHOD_NAMES[method]} has no setting {', '.join(sorted(unknown))}; settings: {allowed}."
        )
    settings = {**DEFAULTS[method], **params}
    if settings["metric"] not in METRICS:
        raise ValueError(f"Unknown metric {settings['metric']!r}; choose one of {', '.join(METRICS)}.")
    if "n_neighbors" in settings and not (
        isinstance(settings["n_neighbors"], int | np.integer) and 2 <= settings["n_neighbors"] <= 200
    ):
        raise ValueError("UMAP's n_neighbors must be a whole number from 2 to 200.")
    if "min_dist" in settings and not 0.0 <= float(settings["min_dist"]) <= 1.0:
        raise ValueError("UMAP's min_dist must be between 0 and 1.")
    if "perplexity" in settings and not 1.0 <= float(settings["perplexity"]) <= 100.0:
        raise ValueError("t-SNE's perplexity must be between 1 and 100.")
    return settings


# --------------------------------------------------------------------------- methods


def project(
    X: Any, method: str, n_components: int = 2, random_state: int = 0, *, max_points: int | None = None,
    tsne_max_points: int | None = None, **params: Any,
) -> Projection:  # fmt: skip
    """Project the rows of X (n, d) onto ``n_components`` axes with ``method``.

    Settings (``params``): ``metric`` ("cosine" or "euclidean": how neighbours are measured
    in the full space, for every method); UMAP ``n_neighbors`` (15) and ``min_dist`` (0.1);
    t-SNE ``perplexity`` (30). The same ``random_state`` gives the same map. ``max_points`` and
    ``tsne_max_points`` refuse bigger inputs before any work (the pages pass :data:`PAGE_LIMITS`).

    Small inputs are adjusted, with a note saying so, rather than refused: UMAP's
    ``n_neighbors`` and t-SNE's perplexity shrink to fit, UMAP starts from PCA when its
    spectral start cannot work, and PCA pads axes that have no spread left with zeros.
    Below 2 points (3 for UMAP) a ValueError says what to do.

    >>> X = np.array([[2.0, 0.0, 1.0], [-2.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, -1.0, 1.0]])
    >>> result = project(X, "pca")
    >>> result.coords.shape, result.explained_variance_ratio.round(2).tolist()
    ((4, 2), [0.8, 0.2])
    """
    settings = _checked_params(method, n_components, dict(params))
    X = _checked_vectors(X, max_points)
    if method == "tsne" and tsne_max_points is not None and len(X) > tsne_max_points:
        raise ValueError(
            f"t-SNE is slow on {len(X):,} points; use UMAP, or at most {tsne_max_points:,} words."
        )
    runner = {"pca": _pca, "umap": _umap, "tsne": _tsne}[method]
    coords, ratio, settings, notes = runner(X, n_components, int(random_state), settings)
    coords = np.ascontiguousarray(coords, dtype=np.float64)
    return Projection(coords, method, ratio, settings, tuple(notes), X)


def _pca(X: np.ndarray, n_components: int, seed: int, settings: dict) -> tuple:
    from sklearn.decomposition import PCA

    notes, X = [], X.astype(np.float64)  # exact ratios, whatever the input precision
    fitted = min(n_components, *X.shape)
    if fitted < n_components:
        notes.append(f"{len(X)} points have only {fitted} direction(s) of spread; the other axes are zero.")
    # Exact solvers only: the randomized one scikit-learn picks for big inputs is off by ~0.2% on small axes.
    solver = "covariance_eigh" if len(X) >= X.shape[1] else "full"
    pca = PCA(n_components=fitted, svd_solver=solver, random_state=seed)
    coords = np.zeros((len(X), n_components))  # (n, n_components)
    coords[:, :fitted] = pca.fit_transform(X)
    ratio = np.zeros(n_components)
    ratio[:fitted] = pca.explained_variance_ratio_
    return coords, ratio, settings, notes


def _umap(X: np.ndarray, n_components: int, seed: int, settings: dict) -> tuple:
    n = len(X)
    if n < 3:
        raise ValueError("UMAP needs at least 3 words; add words or choose PCA.")
    notes = []
    neighbours = settings["n_neighbors"]
    if neighbours >= n:
        neighbours = n - 1
        notes.append(
            f"n_neighbors lowered from {settings['n_neighbors']} to {neighbours}: there are only {n} points."
        )
    # Spectral start needs more points than n_components + 1 (scipy's eigsh fails otherwise).
    init = "spectral" if n > n_components + 1 else "pca"
    if init == "pca":
        notes.append(f"UMAP started from PCA: {n} points are too few for its spectral start.")
    knn = exact_neighbours(X, neighbours, settings["metric"])
    try:
        coords = _run_umap(X, n_components, seed, neighbours, settings, init, knn)
    except (TypeError, ValueError, np.linalg.LinAlgError) as error:  # spectral start failed
        if init != "spectral":
            raise
        log.info("spectral start failed (%s); retrying from PCA", error)
        notes.append("UMAP's spectral start failed on these points, so it started from PCA.")
        coords = _run_umap(X, n_components, seed, neighbours, settings, "pca", knn)
    return coords, None, {**settings, "n_neighbors": neighbours, "init": init}, notes


def _run_umap(X, n_components, seed, neighbours, settings, init, knn) -> np.ndarray:
    import umap

    model = umap.UMAP(
        n_neighbors=neighbours,
        n_components=n_components,
        min_dist=float(settings["min_dist"]),
        metric=settings["metric"],
        init=init,
        random_state=seed,
        n_jobs=1,  # umap-learn is single-threaded when seeded anyway; saying so silences its warning
        precomputed_knn=(knn[0].copy(), knn[1].copy()),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no search index": we never call transform
        return model.fit_transform(X)  # (n, n_components)


def _tsne(X: np.ndarray, n_components: int, seed: int, settings: dict) -> tuple:
    from sklearn.manifold import TSNE

    n, notes = len(X), []
    perplexity = float(settings["perplexity"])
    if perplexity >= n:
        perplexity = max(1.0, (n - 1) / 3)
        notes.append(
            f"Perplexity lowered to {perplexity:.1f}: it must stay below the number of points ({n})."
        )
    init = "pca" if n > n_components else "random"
    tsne = TSNE(
        n_components=n_components,
        perplexity=perplexity,
        metric=settings["metric"],
        init=init,
        random_state=seed,
        method="barnes_hut" if n_components < 4 else "exact",
    )
    coords = tsne.fit_transform(X)  # (n, n_components)
    return coords, None, {**settings, "perplexity": perplexity}, notes


# --------------------------------------------------------------------------- faithfulness


def neighbour_comparison(
    X: Any,
    coords: Any,
    index: int,
    k: int = 10,
    metric: str = "cosine",
    labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Point ``index``'s k nearest neighbours in the full space beside those on the map.

    One row per rank 1..k (k shrinks to n - 1 for tiny sets). Columns: ``rank``;
    ``original`` (index), ``original_distance`` (full space, ``metric``), ``kept`` (also
    among the map's k nearest); ``projected`` (index), ``projected_distance`` (straight
    line on the map), ``false_neighbour`` (close on the map but not among the k nearest
    in the full space). With ``labels``, ``original_word`` and ``projected_word`` too.

    >>> X = np.array([[0.0], [1.0], [2.0], [10.0]])
    >>> coords = np.array([[0.0], [5.0], [2.0], [1.0]])
    >>> neighbour_comparison(X, coords, 0, 2, "euclidean")[["original", "projected", "false_neighbour"]]
       original  projected  false_neighbour
    0         1          3             True
    1         2          2            False
    """
    X, coords = np.asarray(X, dtype=np.float64), np.asarray(coords, dtype=np.float64)
    n = len(X)
    if not 0 <= index < n:
        raise ValueError(f"There is no word number {index}; choose one of the {n} words.")
    k = min(int(k), n - 1)
    if k < 1:
        raise ValueError("Neighbours need at least 2 words.")
    full = distances_from(X, index, metric)  # (n,)
    flat = np.linalg.norm(coords - coords[index], axis=1)  # (n,)
    full[index] = flat[index] = np.inf
    original, projected = top_k(-full, k), top_k(-flat, k)  # (k,) each, nearest first
    frame = pd.DataFrame(
        {
            "rank": np.arange(1, k + 1),
            "original": original,
            "original_distance": full[original],
            "kept": np.isin(original, projected),
            "projected": projected,
            "projected_distance": flat[projected],
            "false_neighbour": ~np.isin(projected, original),
        }
    )
    if labels is not None:
        words = np.asarray(labels, dtype=object)
        frame.insert(2, "original_word", words[original])
        frame.insert(6, "projected_word", words[projected])
    return frame


@dataclass(frozen=True, eq=False)
class SeedStability:
    """How much a map changes when only the seed changes.

    ``disparity``: mean Procrustes disparity over all pairs of seeds (0 = the same picture
    after shifting, scaling and rotating; 1 = unrelated). ``neighbour_overlap``: mean share
    of each point's k map neighbours that two seeds agree on (1 = identical neighbourhoods).
    ``coords``: one map per seed, each rotated and scaled onto the first seed's map.
    """

    seeds: tuple[int, ...]
    disparity: float
    neighbour_overlap: float
    coords: tuple[np.ndarray, ...]  # each (n, n_components), aligned to the first


def seed_stability(
    X: Any, method: str, seeds: Sequence[int], n_components: int = 2, k: int = 10, **params: Any
) -> SeedStability:
    """Project X once per seed and compare the pictures (Procrustes and shared neighbours).

    >>> X = np.random.default_rng(0).normal(size=(30, 5))
    >>> stability = seed_stability(X, "pca", seeds=[0, 1])
    >>> round(stability.disparity, 6), stability.neighbour_overlap
    (0.0, 1.0)
    """
    seeds = tuple(dict.fromkeys(int(seed) for seed in seeds))
    if len(seeds) < 2:
        raise ValueError("Compare at least 2 different seeds.")
    maps = [project(X, method, n_components, seed, **params).coords for seed in seeds]
    k = max(1, min(int(k), len(maps[0]) - 1))
    neighbour_sets = [_map_neighbours(coords, k) for coords in maps]
    disparities, overlaps = [], []
    for a, b in itertools.combinations(range(len(seeds)), 2):
        disparities.append(_disparity(maps[a], maps[b]))
        shared = [len(set(x) & set(y)) / k for x, y in zip(neighbour_sets[a], neighbour_sets[b], strict=True)]
        overlaps.append(float(np.mean(shared)))
    aligned = tuple(_aligned_to(maps[0], coords) for coords in maps)
    return SeedStability(seeds, float(np.mean(disparities)), float(np.mean(overlaps)), aligned)


def _map_neighbours(coords: np.ndarray, k: int) -> np.ndarray:
    from sklearn.neighbors import NearestNeighbors

    return NearestNeighbors(n_neighbors=k).fit(coords).kneighbors(return_distance=False)  # (n, k)


def _disparity(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.spatial import procrustes

    if np.ptp(a, axis=0).max() == 0 or np.ptp(b, axis=0).max() == 0:
        return 0.0  # every point in one place: nothing to compare
    return float(procrustes(a, b)[2])


def _aligned_to(reference: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """coords shifted, scaled and rotated (or mirrored) to sit on reference, in its units."""
    from scipy.linalg import orthogonal_procrustes

    ref_centre, centre = reference.mean(axis=0), coords.mean(axis=0)
    ref_scale = np.linalg.norm(reference - ref_centre) or 1.0
    scale = np.linalg.norm(coords - centre) or 1.0
    a, b = (reference - ref_centre) / ref_scale, (coords - centre) / scale  # (n, c) each
    rotation, _ = orthogonal_procrustes(b, a)  # (c, c)
    return b @ rotation * ref_scale + ref_centre


# --------------------------------------------------------------------------- warm-up

_warm_lock = threading.Lock()
_warm_done = threading.Event()


def warm_up() -> float:
    """Run a tiny UMAP so numba compiles now; seconds spent (0.0 if already warm).

    Safe to call from several threads at once and as often as you like: the first caller
    compiles, the others wait for it, later calls return at once.
    """
    if _warm_done.is_set():
        return 0.0
    with _warm_lock:
        if _warm_done.is_set():
            return 0.0
        start = time.perf_counter()
        points = np.random.default_rng(0).normal(size=(40, 8))  # (40, 8)
        project(points, "umap", n_neighbors=5)
        _warm_done.set()
        return time.perf_counter() - start


def is_warm() -> bool:
    """True once UMAP's code has been compiled in this process."""
    return _warm_done.is_set()


def is_warming() -> bool:
    """True while some thread is inside :func:`warm_up`."""
    return _warm_lock.locked() and not _warm_done.is_set()


# --------------------------------------------------------------------------- tables for charts

AXES = ("x", "y", "z")


def axis_titles(projection: Projection) -> list[str]:
    """One title per axis: "PC1 (12.3% of the spread)" for PCA, "UMAP 1", or a custom axis's name."""
    name = METHOD_NAMES[projection.method]
    if projection.method == "custom":
        return [f"along {axis}" for axis in projection.params["axes"]]
    if projection.explained_variance_ratio is None:
        return [f"{name} {i + 1}" for i in range(projection.coords.shape[1])]
    return [
        f"PC{i + 1} ({ratio:.1%} of the spread)"
        for i, ratio in enumerate(projection.explained_variance_ratio)
    ]


def projection_frame(
    words: Sequence[str],
    categories: Sequence[str],
    coords: np.ndarray,
    roles: Sequence[str] | None = None,
    decimals: int = 4,
) -> pd.DataFrame:
    """The tidy table a map is drawn from: word, category, x, y[, z], role.

    Coordinates are rounded to ``decimals`` places (less data for the browser); ``role`` is
    "" unless the word is highlighted ("chosen word", "false neighbour", ...).

    >>> projection_frame(["dog", "cat"], ["animals"] * 2, np.array([[0.123456, 1.0], [2.0, -1.0]]))
         word category       x    y role
    0     dog  animals  0.1235  1.0
    1     cat  animals  2.0000 -1.0
    """
    coords = np.asarray(coords)
    frame = pd.DataFrame({"word": list(words), "category": list(categories)})
    for axis, column in zip(AXES, coords.T, strict=False):
        frame[axis] = np.round(column, decimals)
    frame["role"] = list(roles) if roles is not None else [""] * len(frame)
    return frame


def label_room(
    words: Sequence[str],
    x: np.ndarray,
    y: np.ndarray,
    width_px: float = 800,
    height_px: float = 520,
    font_px: float = 13,
    first: Sequence[int] = (),
) -> np.ndarray:
    """Which points get a written label on a map so that no two labels overlap, (n,) bool.

    A label is drawn to the right of its point, about 0.6 ``font_px`` per character wide and
    ``font_px`` tall, on a plot of ``width_px`` × ``height_px``. Labels are placed greedily (the
    ``first`` indices, then the rest in order); one that would overlap a placed label is left
    out, so a crowded cluster shows a readable few and the others are named on hover.

    >>> x, y = np.array([0.0, 0.001, 1.0]), np.array([0.0, 0.0, 1.0])
    >>> label_room(["king", "queen", "apple"], x, y).tolist()
    [True, False, True]
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)  # (n,), (n,)
    span_x = float(np.ptp(x)) or 1.0
    span_y = float(np.ptp(y)) or 1.0
    px = (x - x.min()) / span_x * width_px  # (n,) pixel positions on the plot
    py = (y - y.min()) / span_y * height_px  # (n,)
    keep = np.zeros(len(px), dtype=bool)
    placed: list[tuple[float, float, float, float]] = []  # left, right, bottom, top of each label
    for i in dict.fromkeys([*first, *range(len(px))]):
        box = (px[i], px[i] + 6 + 0.6 * font_px * len(words[i]), py[i] - font_px / 2, py[i] + font_px / 2)
        if all(box[1] < b[0] or b[1] < box[0] or box[3] < b[2] or b[3] < box[2] for b in placed):
            keep[i] = True
            placed.append(box)
    return keep


def neighbour_roles(comparison: pd.DataFrame, index: int, n: int) -> list[str]:
    """Roles for highlighting one word's neighbours on the map (see :func:`neighbour_comparison`).

    "chosen word"; "kept neighbour" (near in both spaces); "false neighbour" (near only on the
    map); "lost neighbour" (near in the full space, pushed away on the map); "" otherwise.
    """
    roles = [""] * n
    for row in comparison.itertuples():
        roles[row.original] = "kept neighbour" if row.kept else "lost neighbour"
        if row.false_neighbour:
            roles[row.projected] = "false neighbour"
    roles[index] = "chosen word"
    return roles


# --------------------------------------------------------------------------- custom axes

_MINUS = re.compile(r"\s+(?:-|−|minus)\s+", re.IGNORECASE)
_ARROW = re.compile(r"\s*(?:->|→)\s*|\s+to\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Axis:
    """A direction in the full space, from the vector of ``start`` to that of ``end``.

    Without ``start`` the direction is the vector of ``end`` itself (from the origin).
    """

    end: str
    start: str | None = None

    @property
    def name(self) -> str:
        """How the axis is written: "small → large", or "king" for a single word."""
        return self.end if self.start is None else f"{self.start} → {self.end}"

    @property
    def words(self) -> tuple[str, ...]:
        return (self.end,) if self.start is None else (self.start, self.end)


def parse_axis(text: str) -> Axis:
    """An axis typed as "small -> large", "from man to woman", "woman - man" or a single word.

    "a - b" (a word minus a word) is the direction from b to a, the same as "b -> a".

    >>> parse_axis("from small to large"), parse_axis("woman - man").name, parse_axis(" king ").name
    (Axis(end='large', start='small'), 'man → woman', 'king')
    """
    if has_control_characters(text):
        raise ValueError(
            "The axis contains control characters (such as a null or an escape); type plain words."
        )
    text = " ".join(text.split())
    if text.lower().startswith("from "):
        text = text[5:]
    minus, arrow = _MINUS.split(text), _ARROW.split(text)
    if len(minus) == 2:
        end, start = minus
    elif len(arrow) == 2:
        start, end = arrow
    elif len(minus) > 2 or len(arrow) > 2:
        raise ValueError(
            f"'{text[:40]}' has more than two words; an axis is one word, or two joined by -> or -."
        )
    else:
        start, end = None, text
    for word in (start, end):
        if word is not None and (not word or not any(ch.isalnum() for ch in word)):
            raise ValueError("Each end of an axis needs a word, e.g. 'small -> large' or 'woman - man'.")
    if start == end:
        raise ValueError(f"The axis goes from '{start}' to itself, so it has no direction; use two words.")
    return Axis(end, start)


def axis_direction(axis: Axis, vector_of) -> np.ndarray:
    """The axis as a vector (d,): vector_of(end) - vector_of(start), or vector_of(end) alone."""
    end = np.asarray(vector_of(axis.end), dtype=np.float64)  # (d,)
    return end if axis.start is None else end - np.asarray(vector_of(axis.start), dtype=np.float64)


def custom_projection(
    X: Any, axes: Sequence[Axis], directions: Sequence[np.ndarray], metric: str = "cosine"
) -> Projection:
    """Place every row of X (n, d) by its scalar projection onto each direction: x · u, u = d / |d|.

    Like the Embedding Projector's custom projection and whatlies: the axes need not be at
    right angles (see :func:`axes_cosine`). ``metric`` is what trustworthiness measures by.

    >>> X = np.array([[1.0, 0, 0], [0, 2, 0], [1, 1, 5]])
    >>> custom_projection(X, [Axis("a"), Axis("b")], [[2.0, 0, 0], [0, 1, 0]]).coords.tolist()
    [[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]
    """
    X = _checked_vectors(X)
    units = []
    for axis, direction in zip(axes, directions, strict=True):
        direction = np.asarray(direction, dtype=np.float64)  # (d,)
        if direction.shape != (X.shape[1],):
            raise ValueError(
                f"The axis {axis.name} has {direction.size} numbers but the vectors have {X.shape[1]}."
            )
        length = float(np.linalg.norm(direction))
        if length == 0 or not np.isfinite(length):
            raise ValueError(
                f"The words of the axis {axis.name} have the same vector, so it has no direction."
            )
        units.append(direction / length)
    coords = X.astype(np.float64) @ np.stack(units, axis=1)  # (n, axes)
    params = {"metric": metric, "axes": tuple(axis.name for axis in axes)}
    return Projection(np.ascontiguousarray(coords), "custom", None, params, (), X)


def axes_cosine(first: np.ndarray, second: np.ndarray) -> tuple[float, str]:
    """The cosine between two axis directions and what it means for the picture (one sentence or two).

    >>> axes_cosine(np.array([1.0, 0]), np.array([0.0, 3]))[0]
    0.0
    """
    cos = cosine(first, second)
    angle = angle_degrees(first, second)
    if abs(cos) < 0.1:
        meaning = (
            f"The axes are nearly at right angles ({angle:.0f}°): where a word sits along one says "
            "little about where it sits along the other, so the picture is a fair flat slice."
        )
    else:
        way = "the same" if cos > 0 else "opposite"
        diagonal = "rising" if cos > 0 else "falling"
        meaning = (
            f"The axes point partly {way} ways ({angle:.0f}° apart, not 90°): a word far along one "
            f"tends to be {'far' if cos > 0 else 'low'} along the other, so the points stretch along the "
            f"{diagonal} diagonal and the two ideas look more related on the page than the drawing's "
            "right-angled axes suggest."
        )
    return cos, meaning


def axis_words_missing(axes: Sequence[Axis], words: Sequence[str]) -> tuple[str, ...]:
    """The axes' words that are not on the map, each once, in the order the axes name them.

    >>> axis_words_missing([parse_axis("man -> woman"), parse_axis("boy -> king")], ("man", "king"))
    ('woman', 'boy')
    """
    on_map = set(words)
    return tuple(dict.fromkeys(word for axis in axes for word in axis.words if word not in on_map))


def axis_directions(
    axes: Sequence[Axis], words: Sequence[str], X: np.ndarray, looked_up: dict[str, np.ndarray]
) -> list[np.ndarray]:
    """Each axis as a vector (d,): its words' rows of X (n, d) when they are on the map (``words``),
    else their vectors in ``looked_up`` (see :func:`axis_words_missing`).

    >>> X = np.array([[1.0, 0], [0, 1]])
    >>> axis_directions([parse_axis("a -> b")], ("a", "b"), X, {})[0].tolist()
    [-1.0, 1.0]
    """
    index = {word: i for i, word in enumerate(words)}

    def vector_of(word: str) -> np.ndarray:
        return X[index[word]] if word in index else looked_up[word]

    return [axis_direction(axis, vector_of) for axis in axes]


# --------------------------------------------------------------------------- what a page shows of a map


@dataclass(frozen=True)
class MapResult:
    """A map as a page keeps it: coordinates and what is shown beside them (no input vectors kept)."""

    coords: np.ndarray  # (n, dims)
    titles: tuple[str, ...]  # one per axis (axis_titles)
    ratio: np.ndarray | None  # (dims,) explained variance ratio, PCA only
    trust: float | None  # trustworthiness; None when not computed (or fewer than 3 points)
    notes: tuple[str, ...]


def map_result(projection: Projection, with_trust: bool = True) -> MapResult:
    """What a page keeps of ``projection``; ``with_trust=False`` skips the trustworthiness pass."""
    trust = projection.trustworthiness if with_trust else None
    titles = tuple(axis_titles(projection))
    return MapResult(projection.coords, titles, projection.explained_variance_ratio, trust, projection.notes)


def variance_table(ratio: np.ndarray) -> pd.DataFrame:
    """The explained variance bars' table: ``component`` (PC1, PC2, ...), ``ratio``.

    >>> variance_table(np.array([0.5, 0.25])).values.tolist()
    [['PC1', 0.5], ['PC2', 0.25]]
    """
    return pd.DataFrame({"component": [f"PC{i + 1}" for i in range(len(ratio))], "ratio": ratio})


def neighbour_tables(comparison: pd.DataFrame, metric: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`neighbour_comparison` (with labels) as the two tables shown side by side.

    Full space: ``rank``, ``word``, ``{metric} distance``, ``also near on map``. Map: ``rank``,
    ``word``, ``map distance``, ``false``.
    """
    full = comparison[["rank", "original_word", "original_distance", "kept"]].rename(
        columns={
            "original_word": "word",
            "original_distance": f"{metric} distance",
            "kept": "also near on map",
        }
    )
    flat = comparison[["rank", "projected_word", "projected_distance", "false_neighbour"]].rename(
        columns={"projected_word": "word", "projected_distance": "map distance", "false_neighbour": "false"}
    )
    return full, flat


def seed_maps_frame(frame: pd.DataFrame, stability: SeedStability) -> pd.DataFrame:
    """The seed comparison's table: ``word``, ``category``, ``seed`` ("seed 0"...), ``x``, ``y``
    (4 decimals), one block of rows per seed; ``frame`` is the map's :func:`projection_frame`."""
    return pd.concat(
        [
            frame[["word", "category"]].assign(
                seed=f"seed {seed}", x=coords[:, 0].round(4), y=coords[:, 1].round(4)
            )
            for seed, coords in zip(stability.seeds, stability.coords, strict=True)
        ]
    )


def with_labels(frame: pd.DataFrame, width_px: float, font_px: float) -> pd.DataFrame:
    """``frame`` with a ``labelled`` column: which words get a written label (:func:`label_room`),
    the chosen word first, then the other highlighted ones, on a plot ``width_px`` wide, 480 high."""
    roles = frame["role"].to_numpy()
    first = [*np.flatnonzero(roles == "chosen word"), *np.flatnonzero(roles != "")]
    room = label_room(frame["word"].tolist(), frame["x"], frame["y"], width_px, 480, font_px, first)
    return frame.assign(labelled=room)
