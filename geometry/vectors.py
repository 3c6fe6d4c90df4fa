"""Vectors for words: static embedding rows or pooled sentence embeddings.

Also the named vector operations of the first lesson, each small enough to check by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from geometry.models import using
from geometry.tokens import WordTokens, word_tokens

MAX_WORDS = 300  # a word list longer than this is refused with a message
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


def word_vectors(words: Sequence[str], model, kind: str = "static") -> np.ndarray:
    """One vector per word, (n, d).

    ``kind`` is "static" (embedding rows, before any context) or "sentence" (the
    encoder's pooled embedding of the word or phrase). Raises ValueError for an
    empty or too long list, an unknown kind, or a word the model cannot tokenize.
    """
    words = list(words)
    if not words:
        raise ValueError("Type at least one word.")
    if len(words) > MAX_WORDS:
        raise ValueError(f"{len(words)} words is more than the limit of {MAX_WORDS}; shorten the list.")
    if kind == "static":
        return np.stack([static_vector(model, word)[0] for word in words])
    if kind == "sentence":
        for word in words:
            word_tokens(model, word)  # same checks and messages as static vectors
        return sentence_vectors(model, words)
    raise ValueError(f"Unknown vector kind {kind!r}; use one of {', '.join(KINDS)}.")
