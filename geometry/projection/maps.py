"""The tidy tables a map is drawn from, and what a page keeps of a map: axis titles, points with
their roles, which labels fit without overlapping, the explained variance, the seed comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geometry.projection.faithfulness import SeedStability
from geometry.projection.methods import METHOD_NAMES, Projection

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
