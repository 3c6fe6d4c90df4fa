"""Flatten word vectors onto a 2-D or 3-D map: three methods, one entry point, :func:`project`.

* ``"pca"``: the linear view that keeps the most spread (scikit-learn's PCA);
* ``"umap"``: a non-linear map that keeps each point's nearest neighbours near it (umap-learn);
* ``"tsne"``: the older neighbour-keeping map (scikit-learn's t-SNE).

Every result carries its **trustworthiness** (1.0 when every neighbour seen on the map is a
real neighbour in the full space). What else a map distorts is in
:mod:`geometry.projection.faithfulness`.

Neighbours in the full space are exact: for UMAP they are computed here by brute force and
handed to umap-learn, so it never builds its approximate index (which would compile for more
than a minute on first use and give slightly different neighbours). umap-learn compiles code
with numba on its first call in a process (~15 s); the app does that once in its warm-up.
"""

from __future__ import annotations

import functools
import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geometry.words.vectors import top_k, unit

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


def checked_vectors(X: Any, max_points: int | None = None) -> np.ndarray:
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
    X = checked_vectors(X, max_points)
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
