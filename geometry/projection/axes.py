"""Axes you name yourself: "man -> woman", "from poor to rich", "woman - man" or one word.
Each point is placed by its scalar projection on each axis's direction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from geometry.projection.methods import Projection, checked_vectors
from geometry.words.tokens import MAX_WORD_CHARS, has_control_characters

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
        if word is not None and len(word) > MAX_WORD_CHARS:  # the limit of every word, said now
            raise ValueError(
                f"'{word[:20]}…' has {len(word):,} characters, more than the limit of {MAX_WORD_CHARS} "
                "for a word; shorten it."
            )
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
    X = checked_vectors(X)
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
