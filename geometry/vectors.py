"""Vectors for words: static embedding rows or pooled sentence embeddings.

Also the named vector operations of the first lesson, each small enough to check by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from geometry.models import using
from geometry.tokens import WordTokens, tokenize_many, word_tokens

MAX_WORDS = 300  # the pages' limit on one list (they pass it); the library's own default is generous
LIBRARY_MAX_WORDS = 1_000_000  # word_vectors' default: a notebook can score a whole data set in one call
KINDS = ("static", "sentence")


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
