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


LABEL_SIDES = ("right", "left", "above", "below")  # where a label may sit, in order of preference


def _label_boxes(px: float, py: float, width: float, font_px: float) -> dict[str, tuple]:
    """The box (left, right, bottom, top, in pixels) a label of ``width`` takes on each side of its point."""
    half = font_px / 2
    return {
        "right": (px + 6, px + 6 + width, py - half, py + half),
        "left": (px - 6 - width, px - 6, py - half, py + half),
        "above": (px - width / 2, px + width / 2, py + half + 2, py + half + 2 + font_px),
        "below": (px - width / 2, px + width / 2, py - half - 2 - font_px, py - half - 2),
    }


def _overlaps(box: tuple, others: list[tuple]) -> int:
    return sum(not (box[1] < b[0] or b[1] < box[0] or box[3] < b[2] or b[3] < box[2]) for b in others)


def label_places(
    words: Sequence[str],
    x: np.ndarray,
    y: np.ndarray,
    width_px: float = 800,
    height_px: float = 520,
    font_px: float = 13,
    first: Sequence[int] = (),
    always: Sequence[int] = (),
) -> np.ndarray:
    """Where each point's written label goes on a map, (n,) of "right", "left", "above", "below" or
    "" (no label), so that labels neither overlap each other nor cover another point.

    A label is about 0.6 ``font_px`` per character wide and ``font_px`` tall, on a plot of
    ``width_px`` × ``height_px``. Labels are placed greedily (the ``always`` indices, then
    ``first``, then the rest in order), each on the first side where it fits. One that fits
    nowhere is left out (a crowded cluster shows a readable few, the others are named on hover),
    except the ``always`` ones (the words a lesson asks about), which take the side where they
    overlap least.

    >>> x, y = np.array([0.0, 0.001, 0.002, 1.0]), np.array([0.0, 0.0, 0.0, 1.0])
    >>> label_places(["king", "queen", "prince", "apple"], x, y).tolist()
    ['right', 'left', 'above', 'right']
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)  # (n,), (n,)
    span_x = float(np.ptp(x)) or 1.0
    span_y = float(np.ptp(y)) or 1.0
    px = (x - x.min()) / span_x * width_px  # (n,) pixel positions on the plot
    py = (y - y.min()) / span_y * height_px  # (n,)
    dots = [(px[i] - 4, px[i] + 4, py[i] - 4, py[i] + 4) for i in range(len(px))]
    sides = np.full(len(px), "", dtype=object)
    placed: list[tuple] = []  # the boxes of the labels placed so far
    forced = set(always)
    for i in dict.fromkeys([*always, *first, *range(len(px))]):
        boxes = _label_boxes(px[i], py[i], 0.6 * font_px * len(words[i]), font_px)
        others = dots[:i] + dots[i + 1 :]
        clashes = {side: (_overlaps(box, placed), _overlaps(box, others)) for side, box in boxes.items()}
        free = [side for side in LABEL_SIDES if clashes[side] == (0, 0)]
        free = free or [side for side in LABEL_SIDES if clashes[side][0] == 0]
        side = free[0] if free else (min(LABEL_SIDES, key=clashes.get) if i in forced else "")
        if side:
            sides[i] = side
            placed.append(boxes[side])
    return sides


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


def with_labels(
    frame: pd.DataFrame, width_px: float, font_px: float, always: Sequence[str] = (), height_px: float = 480
) -> pd.DataFrame:
    """``frame`` with ``labelled`` (which words get a written label) and ``label_side`` (where:
    :func:`label_places`) on a plot ``width_px`` × ``height_px``. The chosen word and the ``always``
    words (those a lesson asks about) are always labelled; the other highlighted words (the chosen
    word's neighbours) come next, then the rest, each where it has room."""
    roles = frame["role"].to_numpy()
    chosen = np.flatnonzero(roles == "chosen word")
    asked = np.flatnonzero(frame["word"].isin(list(always)).to_numpy())
    x, y, first = frame["x"], frame["y"], np.flatnonzero(roles != "")
    sides = label_places(frame["word"].tolist(), x, y, width_px, height_px, font_px, first, [*chosen, *asked])
    return frame.assign(labelled=sides != "", label_side=sides)
