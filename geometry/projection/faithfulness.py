"""What a map distorts: one word's neighbours in the full space and on the map (kept, lost and
false neighbours), and how much a picture changes with the random seed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geometry.projection.methods import distances_from, project
from geometry.words.vectors import top_k


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
