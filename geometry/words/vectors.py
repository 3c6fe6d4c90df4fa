"""Vectors for words: static embedding rows or pooled sentence embeddings.

Also the named vector operations of the first lesson, each small enough to check by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from geometry.models.handle import using
from geometry.words.tokens import WordTokens, tokenize_many, word_tokens

MAX_WORDS = 300  # the pages' limit on one list (they pass it); the library's own default is generous
LIBRARY_MAX_WORDS = 1_000_000  # word_vectors' default: a notebook can score a whole data set in one call
KINDS = ("static", "sentence")
TINY_LENGTH = 1e-12  # below this a vector counts as all zeros when it is scaled to length 1


def static_vector(lm, word: str) -> tuple[np.ndarray, WordTokens]:
    """The word's input-embedding row (d,), the mean of its rows if it splits into tokens."""
    tokens = word_tokens(lm, word)
    rows = lm.embedding_matrix()[list(tokens.ids)]  # (n_tokens, d)
    return rows.mean(axis=0), tokens


def sentence_vectors(lm, texts: Sequence[str]) -> np.ndarray:
    """The encoder's pooled, normalised sentence embeddings, (n, d)."""
    if getattr(lm, "kind", "encoder") != "encoder":
        raise ValueError("Sentence vectors come from the encoder; choose it, or use static vectors.")
    with using(lm):
        return np.asarray(lm.model.encode(list(texts), convert_to_numpy=True, show_progress_bar=False))


def word_vectors(
    words: Sequence[str], model, kind: str = "static", *, max_words: int = LIBRARY_MAX_WORDS
) -> np.ndarray:
    """One vector per word, (n, d).

    ``kind`` is "static" (embedding rows, before any context) or "sentence" (the
    encoder's pooled embedding of the word or phrase). Raises ValueError for an
    empty list or one longer than ``max_words`` (the pages pass :data:`MAX_WORDS`),
    an unknown kind, or a word the model cannot tokenize.
    """
    words = list(words)
    if not words:
        raise ValueError("Type at least one word.")
    if len(words) > max_words:
        raise ValueError(f"{len(words)} words is more than the limit of {max_words}; shorten the list.")
    if kind not in KINDS:
        raise ValueError(f"Unknown vector kind {kind!r}; use one of {', '.join(KINDS)}.")
    tokens = tokenize_many(model, words)  # same checks and messages for both kinds
    for result in tokens:
        if isinstance(result, ValueError):
            raise result
    if kind == "static":
        E = model.embedding_matrix()
        return np.stack([E[list(t.ids)].mean(axis=0) for t in tokens])
    return sentence_vectors(model, words)


# --------------------------------------------------------------- named vector operations


def dot(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Multiply matching components and add them up.

    >>> dot([9, -5, 6], [8, -4, 6])  # 72 + 20 + 36
    128.0
    """
    a, b = _pair(a, b)
    return float(np.sum(a * b))


def norm(a: Sequence[float] | np.ndarray) -> float:
    """The length of a vector, the square root of its dot product with itself.

    >>> norm([3, 4])
    5.0
    """
    return float(np.sqrt(dot(a, a)))


def cosine(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """The dot product of the two directions: a·b / (|a| |b|), from -1 to 1.

    Raises ValueError when a vector has length zero (it has no direction).

    >>> round(cosine([9, -5, 6], [8, -4, 6]), 4)
    0.9973
    """
    lengths = norm(a) * norm(b)
    if lengths == 0:
        raise ValueError("A vector of all zeros has no direction, so its cosine and angle are undefined.")
    return float(np.clip(dot(a, b) / lengths, -1.0, 1.0))


def unit(vectors: Sequence[float] | np.ndarray) -> np.ndarray:
    """Each vector (along the last axis, any batch shape) divided by its length; dtype kept.

    An all-zero vector stays zero (it has no direction; its cosines come out 0). The one
    normalisation every cosine in the library goes through.

    >>> unit(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    vectors = np.asarray(vectors)
    lengths = np.linalg.norm(vectors, axis=-1, keepdims=True)  # (..., 1)
    return vectors / np.maximum(lengths, TINY_LENGTH)


def cosine_matrix(rows: np.ndarray, others: np.ndarray | None = None) -> np.ndarray:
    """Cosine of every row with every row of ``others`` (default: ``rows`` itself): (n, d), (m, d) -> (n, m).

    The batched form of :func:`cosine`; a zero row gives cosines of 0 instead of an error.

    >>> cosine_matrix(np.array([[1.0, 0.0], [1.0, 1.0]])).round(3)
    array([[1.   , 0.707],
           [0.707, 1.   ]])
    """
    u = unit(rows)  # (n, d)
    return u @ (u if others is None else unit(others)).T  # (n, m)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores along the last axis, highest first, ties broken by
    the lower position: exactly ``np.argsort(-scores, kind="stable")[..., :k]``, without sorting
    whole rows. Every nearest-neighbour search ranks through this. (..., n) -> (..., k).

    >>> top_k(np.array([0.1, 0.9, 0.5, 0.9]), 3).tolist()
    [1, 3, 2]
    >>> top_k(np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]), 2).tolist()
    [[0, 2], [1, 2]]
    """
    scores = np.asarray(scores)
    n = scores.shape[-1]
    k = min(int(k), n)
    rows = -scores.reshape(-1, n)  # (r, n) lower is better
    if k < n:
        best = np.argpartition(rows, k - 1, axis=1)[:, :k]  # (r, k) the k best, in no order
        worst_kept = np.take_along_axis(rows, best, axis=1).max(axis=1, keepdims=True)  # (r, 1)
        # a row whose k-th score ties with one left out: the tie goes to the lower position
        tied = (rows == worst_kept).sum(axis=1) > (np.take_along_axis(rows, best, axis=1) == worst_kept).sum(
            axis=1
        )
        best[tied] = np.argsort(rows[tied], axis=1, kind="stable")[:, :k]
    else:
        best = np.tile(np.arange(n), (len(rows), 1))  # (r, n)
    best = np.sort(best, axis=1)  # by position first, so the stable sort breaks ties by position
    order = np.argsort(np.take_along_axis(rows, best, axis=1), axis=1, kind="stable")  # (r, k)
    return np.take_along_axis(best, order, axis=1).reshape(*scores.shape[:-1], k)


def angle_degrees(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """The angle between two vectors in degrees: 0 aligned, 90 unrelated, 180 opposed.

    >>> angle_degrees([1, 0], [0, 2])
    90.0
    """
    return float(np.degrees(np.arccos(cosine(a, b))))


def scalar_projection(vector: Sequence[float] | np.ndarray, direction: Sequence[float] | np.ndarray) -> float:
    """How far ``vector`` reaches along ``direction``: vector · direction / |direction|.

    >>> scalar_projection([3, 4], [2, 0])
    3.0
    """
    length = norm(direction)
    if length == 0:
        raise ValueError("The two words of the axis have the same vector, so the axis has no direction.")
    return dot(vector, direction) / length


def project_onto(vector: Sequence[float] | np.ndarray, direction: Sequence[float] | np.ndarray) -> np.ndarray:
    """The part of ``vector`` that lies along ``direction`` (a vector, same shape).

    >>> project_onto([3, 4], [2, 0]).tolist()
    [3.0, 0.0]
    """
    direction = np.asarray(direction, dtype=np.float64)
    return scalar_projection(vector, direction) * direction / norm(direction)


def _pair(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)  # (d,), (d,)
    if a.shape != b.shape:
        sizes = f"{a.size} and {b.size}"
        raise ValueError(f"The vectors have different lengths ({sizes}); they cannot be multiplied.")
    return a, b
