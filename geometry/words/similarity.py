"""Comparing vectors: similarity matrices, nearest words, analogies and honest cosines.

Everything a model-wide search needs (its whole-word vocabulary's embedding rows, normalised,
with their lengths and each dimension's mean and spread) is one :class:`VocabularyMatrix`,
built by :func:`vocabulary_matrix`; with it a query is one matrix-vector product and the model
itself is never touched. Nothing is cached here: every search takes ``vocabulary=`` (built
afresh when omitted), so a caller that searches often builds the index once and passes it
(the app keeps one per model in ui/cache.py).

Two corrections make raw cosines of model vectors honest:

* the **baseline**: the mean cosine of random vocabulary pairs. Model vectors crowd into a
  narrow cone (anisotropy), so "unrelated" is often well above zero;
* **standardising** each dimension (subtract its mean over the vocabulary, divide by its
  spread), which stops a few rogue dimensions with huge values from dominating the cosine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geometry.models.handle import frozen
from geometry.words.tokens import whole_word_vocabulary, word_tokens
from geometry.words.vectors import (
    angle_degrees,
    cosine,
    cosine_matrix,
    dot,
    norm,
    sentence_vectors,
    static_vector,
    top_k,
    unit,
)

METRICS = ("dot", "cosine", "euclidean")

METRIC_NAMES = {"dot": "dot product", "cosine": "cosine similarity", "euclidean": "euclidean distance"}

SEED = 0  # fixed, so the baseline is the same number every time

BASELINE_WORDS = 1000  # static baseline: all pairs among this many random vocabulary words

SENTENCE_SAMPLE = 200  # sentence vectors: encoding is slow, so fewer words

MAX_K = 100

Vector = Sequence[float] | np.ndarray


def pairwise(X: np.ndarray, metric: str = "cosine") -> np.ndarray:
    """All pairs of rows compared, (n, n), symmetric.

    ``metric`` is "dot" (a·b), "cosine" (a·b / |a||b|) or "euclidean" (|a - b|).

    >>> pairwise(np.array([[9.0, -5, 6], [8, -4, 6]]), "dot").tolist()
    [[142.0, 128.0], [128.0, 116.0]]
    >>> pairwise(np.array([[3.0, 0], [0, 4]]), "euclidean").tolist()
    [[0.0, 5.0], [5.0, 0.0]]
    """
    X = _finite_rows(X)  # (n, d) float64
    if metric == "dot":
        S = X @ X.T  # (n, n)
    elif metric == "cosine":
        if np.any(np.linalg.norm(X, axis=1) == 0):
            raise ValueError("A vector of all zeros has no direction, so its cosine is undefined.")
        S = np.clip(cosine_matrix(X), -1.0, 1.0)  # (n, n)
    elif metric == "euclidean":
        # the length of each difference, one row at a time (|a|²+|b|²-2a·b loses digits near 0)
        S = np.stack([np.linalg.norm(X - row, axis=1) for row in X])  # (n, n)
    else:
        raise ValueError(f"Unknown metric {metric!r}; use one of {', '.join(METRICS)}.")
    return (S + S.T) / 2  # exactly symmetric, whatever the rounding of the product


def _finite_rows(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError("Give at least one vector.")
    if not np.all(np.isfinite(X)):
        raise ValueError("The vectors contain a number too large to compute with (or not a number).")
    return X


def pair_table(a: Vector, b: Vector) -> pd.DataFrame:
    """The dot product step by step: one row per dimension.

    Columns: ``dimension`` (0-based), ``a``, ``b``, ``product`` (a_i b_i) and ``running_sum``
    (the sum of products so far; its last value is a·b).

    >>> pair_table([9, -5, 6], [8, -4, 6])["running_sum"].tolist()
    [72.0, 92.0, 128.0]
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)  # (d,), (d,)
    dot(a, b)  # checks the lengths match
    products = a * b  # (d,)
    columns = {"dimension": np.arange(a.size), "a": a, "b": b, "product": products}
    return pd.DataFrame({**columns, "running_sum": np.cumsum(products)})


def pair_strips(a: Vector, b: Vector, name_a: str, name_b: str) -> pd.DataFrame:
    """A tidy version of :func:`pair_table` for strip charts.

    Columns: ``dimension``, ``row`` (name_a, name_b, "a × b" or "running sum"), ``value`` and
    ``panel`` ("components", "products" or "running sum").
    """
    table = pair_table(a, b)
    parts = [
        (name_a, "a", "components"),
        (name_b, "b", "components"),
        (f"{name_a} × {name_b}", "product", "products"),
        ("running sum", "running_sum", "running sum"),
    ]
    frames = [
        pd.DataFrame({"dimension": table["dimension"], "row": row, "value": table[column], "panel": panel})
        for row, column, panel in parts
    ]
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class PairSummary:
    """Everything the page says about one pair of vectors."""

    dot: float
    norm_a: float
    norm_b: float
    cosine: float | None  # None when a vector is all zeros
    angle: float | None  # degrees


def summarise_pair(a: Vector, b: Vector) -> PairSummary:
    """Dot product, both lengths, cosine and angle of a pair.

    >>> summarise_pair([1, 0], [0, 2]).angle
    90.0
    """
    if not np.isfinite([dot(a, b), norm(a), norm(b)]).all():
        raise ValueError("These vectors are too large to compute with: their products overflow.")
    if norm(a) == 0 or norm(b) == 0:
        return PairSummary(dot(a, b), norm(a), norm(b), None, None)
    return PairSummary(dot(a, b), norm(a), norm(b), cosine(a, b), angle_degrees(a, b))


def dimension_contributions(a: Vector, b: Vector, top: int = 10) -> pd.DataFrame:
    """The dimensions that contribute most to a·b, largest |a_i b_i| first.

    Columns: ``dimension``, ``a``, ``b``, ``product``, ``share`` (product / a·b) and
    ``share_of_size`` (|product| / Σ|products|: how much of all the multiplying this dimension is).

    >>> dimension_contributions([9, -5, 6], [8, -4, 6], top=1)["dimension"].tolist()
    [0]
    """
    table = pair_table(a, b)
    total, size = table["product"].sum(), table["product"].abs().sum()
    table["share"] = table["product"] / total if total != 0 else np.nan
    table["share_of_size"] = table["product"].abs() / size if size != 0 else 0.0
    order = table["product"].abs().sort_values(ascending=False, kind="stable").index
    columns = ["dimension", "a", "b", "product", "share", "share_of_size"]
    return table.loc[order, columns].head(top).reset_index(drop=True)


def similarity_frame(S: np.ndarray, words: Sequence[str], metric: str) -> pd.DataFrame:
    """A similarity matrix as a tidy table: ``word_a``, ``word_b``, ``value``, ``metric`` and
    ``label``, the value as a cell writes it (:func:`value_label`)."""
    words = list(words)
    rows = [
        (words[i], words[j], float(S[i, j]), value_label(float(S[i, j]), metric, same=i == j))
        for i in range(len(words))
        for j in range(len(words))
    ]
    frame = pd.DataFrame(rows, columns=["word_a", "word_b", "value", "label"])
    frame["metric"] = metric
    return frame


def value_label(value: float, metric: str, same: bool = False, decimals: int = 2) -> str:
    """A cell's number with ``decimals`` decimals, and more where rounding would make two different
    entries look identical: a cosine of 0.9973 is "0.997", not "1.00"; a distance of 0.004, "0.004".

    >>> value_label(0.9973, "cosine"), value_label(1.0, "cosine", same=True), value_label(0.42, "cosine")
    ('0.997', '1.00', '0.42')
    >>> value_label(-0.99996, "cosine"), value_label(0.004, "euclidean")
    ('-0.99996', '0.004')
    """
    text = f"{value:.{decimals}f}"
    extremes = {"cosine": (1.0, -1.0), "euclidean": (0.0,)}.get(metric, ())
    while not same and float(text) in extremes and value not in extremes and decimals < 8:
        decimals += 1
        text = f"{value:.{decimals}f}"
    return text


def pair_scores(X: np.ndarray, words: Sequence[str], baseline: float | None = None) -> pd.DataFrame:
    """Every pair of different words with all three metrics (and the cosine baseline if given).

    Columns: ``word_a``, ``word_b``, ``dot``, ``cosine``, ``euclidean`` and, with a baseline,
    ``baseline`` and ``cosine_minus_baseline``.
    """
    matrices = {metric: pairwise(X, metric) for metric in METRICS}
    n = len(words)
    rows = [
        {"word_a": words[i], "word_b": words[j], **{m: float(S[i, j]) for m, S in matrices.items()}}
        for i in range(n)
        for j in range(i + 1, n)
    ]
    frame = pd.DataFrame(rows, columns=["word_a", "word_b", *METRICS])
    if baseline is not None:
        frame["baseline"] = baseline
        frame["cosine_minus_baseline"] = frame["cosine"] - baseline
    return frame


def axis_projections(
    X: np.ndarray, words: Sequence[str], start: Vector, end: Vector, start_name: str, end_name: str
) -> pd.DataFrame:
    """Each word's scalar projection onto the axis from ``start`` to ``end``.

    Columns: ``word``, ``projection`` (x · u, u the unit vector of end - start), ``position``
    ((x - start) · (end - start) / |end - start|², so ``start`` sits at 0 and ``end`` at 1) and
    ``role`` ("axis start", "axis end" or "word").

    >>> axis_projections(np.array([[2.0, 5]]), ["w"], [0, 0], [4, 0], "s", "e")["position"].tolist()
    [0.0, 1.0, 0.5]
    """
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)  # (d,), (d,)
    direction = end - start  # (d,)
    length = norm(direction)
    if length == 0:
        raise ValueError(f"'{start_name}' and '{end_name}' have the same vector, so they define no axis.")
    points = np.vstack([start, end, _finite_rows(X)])  # (2 + n, d)
    projection = points @ direction / length  # (2 + n,)
    position = (points - start) @ direction / length**2  # (2 + n,)
    return pd.DataFrame(
        {
            "word": [start_name, end_name, *words],
            "projection": projection,
            "position": position,
            "role": ["axis start", "axis end", *(["word"] * len(words))],
        }
    )


@dataclass(frozen=True)
class DimensionStats:
    """Each dimension's mean and spread over a model's vocabulary, (d,) each."""

    mean: np.ndarray
    std: np.ndarray

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Standardise: (X - mean) / std, dimension by dimension, same shape."""
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.std


@dataclass(frozen=True, eq=False)
class VocabularyMatrix:
    """A model's whole-word tokens ready for search (all arrays read-only).

    No copy of the rows is kept: every score is one product with the model's own embedding
    matrix ``E @ w``, read at the whole-word rows ``ids`` (r_i = E[ids[i]]). Standardised scores
    reuse the same product: z_i · q_z = r_i · q_z/σ - μ · q_z/σ, with z_i = (r_i - μ)/σ.
    """

    words: tuple[str, ...]  # (n,)
    ids: np.ndarray  # (n,) token ids
    E: np.ndarray = field(repr=False)  # (vocab, d) float32: the model's embedding matrix itself
    norms: np.ndarray  # (n,) |r_i|
    stats: DimensionStats  # mean and std of the rows, (d,) each
    standardised_norms: np.ndarray  # (n,) |z_i|
    index: dict[str, int] = field(repr=False)

    def scores(self, vector: Vector, metric: str = "cosine", standardise: bool = False) -> np.ndarray:
        """The score of every vocabulary word against ``vector``, (n,); higher is better except euclidean."""
        q = np.asarray(vector, dtype=np.float64)  # (d,)
        if q.shape != self.stats.mean.shape:
            size = self.stats.mean.size
            raise ValueError(f"The vector has {q.size} numbers but this model's vectors have {size}.")
        if not np.all(np.isfinite(q)):
            raise ValueError("The vector contains a number too large to compute with.")
        if standardise:
            q = self.stats.apply(q)  # (d,)
            w = q / self.stats.std  # (d,)
            dots = self.dots(w) - float(self.stats.mean @ w)  # (n,)
            lengths = self.standardised_norms
        else:
            dots = self.dots(q)  # (n,)
            lengths = self.norms
        if metric == "dot":
            return dots
        if metric == "cosine":
            if norm(q) == 0:
                raise ValueError("A vector of all zeros has no direction, so its cosine is undefined.")
            return dots / (lengths * norm(q))
        if metric == "euclidean":
            return np.sqrt(np.maximum(lengths**2 + norm(q) ** 2 - 2 * dots, 0.0))
        raise ValueError(f"Unknown metric {metric!r}; use one of {', '.join(METRICS)}.")

    def dots(self, vectors) -> np.ndarray:
        """Dot products of every whole-word row with ``vectors``: (n,) for one (d,), (m, n) for (m, d)."""
        Q = np.asarray(vectors, dtype=np.float32)
        return (Q @ self.E.T)[..., self.ids].astype(np.float64)

    def cosines(self, vectors) -> np.ndarray:
        """Cosine of every whole-word row with each of ``vectors`` (m, d): (m, n)."""
        Q = np.atleast_2d(np.asarray(vectors, dtype=np.float64))  # (m, d)
        return self.dots(unit(Q)) / self.norms  # the rows' own lengths divide the product

    def rows(self, picks) -> np.ndarray:
        """The embedding rows of the whole words at ``picks`` (positions in ``words``), (m, d)."""
        return self.E[self.ids[np.asarray(picks)]]

    def positions(self, lm: Any, words: Iterable[str]) -> set[int]:
        """Vocabulary rows that stand for these words: same spelling, or the word's single token."""
        found = set()
        for word in words:
            if word.strip() in self.index:
                found.add(self.index[word.strip()])
            try:
                tokens = word_tokens(lm, word)
            except ValueError:
                continue
            if len(tokens.ids) == 1:
                found.update(np.flatnonzero(self.ids == tokens.ids[0]).tolist())
        return found


def vocabulary_matrix(lm: Any) -> VocabularyMatrix:
    """The model's whole-word vocabulary ready for search (0.33 s for SmolLM2, 0.6 s for the encoder)."""
    vocabulary = whole_word_vocabulary(lm)
    E = lm.embedding_matrix()  # (vocab, d) read-only view of the model's own weights
    rows = np.asarray(E[vocabulary.ids], dtype=np.float64)  # (n, d) a copy, only while building
    norms = np.linalg.norm(rows, axis=1)  # (n,)
    norms[norms == 0] = 1.0  # an all-zero row (padding) scores 0 instead of dividing by zero
    std = rows.std(axis=0)  # (d,)
    std[std == 0] = 1.0
    stats = DimensionStats(frozen(rows.mean(axis=0)), frozen(std))
    return VocabularyMatrix(
        words=vocabulary.words,
        ids=frozen(vocabulary.ids.copy()),
        E=E,
        norms=frozen(norms),
        stats=stats,
        standardised_norms=frozen(np.linalg.norm(stats.apply(rows), axis=1)),
        index={word: i for i, word in enumerate(vocabulary.words)},
    )


@dataclass(frozen=True, eq=False)
class SentenceSample:
    """SENTENCE_SAMPLE random whole words (fixed seed) and their sentence vectors."""

    words: tuple[str, ...]  # (m,)
    vectors: np.ndarray  # (m, d) float64, read-only


def sentence_sample(lm: Any, vocabulary: VocabularyMatrix | None = None) -> SentenceSample:
    """The words and sentence vectors behind the sentence-kind baseline and statistics (encodes
    SENTENCE_SAMPLE words: a few seconds on the encoder)."""
    words = (vocabulary or vocabulary_matrix(lm)).words
    size = min(SENTENCE_SAMPLE, len(words))
    picks = np.random.default_rng(SEED).choice(len(words), size=size, replace=False)
    sample = tuple(words[i] for i in sorted(picks))
    return SentenceSample(sample, frozen(np.asarray(sentence_vectors(lm, sample), dtype=np.float64)))


def dimension_stats(
    lm: Any,
    kind: str = "static",
    *,
    vocabulary: VocabularyMatrix | None = None,
    sample: SentenceSample | None = None,
) -> DimensionStats:
    """Mean and spread of each dimension over the vocabulary.

    Static: over every whole-word embedding row (``vocabulary``'s, built when omitted). Sentence:
    over the sentence vectors of SENTENCE_SAMPLE random vocabulary words (``sample``, encoded when
    omitted: encoding all of them would take minutes).
    """
    if kind == "static":
        return (vocabulary or vocabulary_matrix(lm)).stats
    if kind == "sentence":
        X = (sample or sentence_sample(lm, vocabulary)).vectors
        std = X.std(axis=0)
        std[std == 0] = 1.0
        return DimensionStats(frozen(X.mean(axis=0)), frozen(std))
    raise ValueError(f"Unknown vector kind {kind!r}; use static or sentence.")


def anisotropy_baseline(
    lm: Any,
    kind: str = "static",
    standardise: bool = False,
    *,
    vocabulary: VocabularyMatrix | None = None,
    sample: SentenceSample | None = None,
) -> float:
    """The mean cosine between different random vocabulary words (fixed seed): what "unrelated" looks like.

    Static: all pairs among BASELINE_WORDS random whole-word rows. Sentence: all pairs among the
    SENTENCE_SAMPLE encoded words. With ``standardise`` the vectors are standardised first.
    ``vocabulary`` and ``sample`` are built when omitted (pass them to reuse them).
    """
    if kind == "static":
        vocabulary = vocabulary or vocabulary_matrix(lm)
        n = len(vocabulary.words)
        picks = np.random.default_rng(SEED).choice(n, size=min(BASELINE_WORDS, n), replace=False)
        X = vocabulary.rows(picks)  # (m, d)
    elif kind == "sentence":
        sample = sample or sentence_sample(lm, vocabulary)
        X = sample.vectors  # (m, d)
    else:
        raise ValueError(f"Unknown vector kind {kind!r}; use static or sentence.")
    if standardise:
        X = dimension_stats(lm, kind, vocabulary=vocabulary, sample=sample).apply(X)
    S = pairwise(X, "cosine")  # (m, m)
    return float(S[~np.eye(len(S), dtype=bool)].mean())


def _check_k(k: int, max_k: int | None = None) -> int:
    if int(k) < 1 or (max_k is not None and int(k) > max_k):
        raise ValueError(f"Ask for between 1 and {max_k} words." if max_k else "Ask for at least 1 word.")
    return int(k)


def _best(scores: np.ndarray, metric: str) -> np.ndarray:
    """Scores turned so that bigger is better (euclidean distance: smaller is better)."""
    return -scores if metric == "euclidean" else scores


def nearest(
    vector: Vector,
    model: Any,
    k: int = 10,
    metric: str = "cosine",
    exclude: Iterable[str] = (),
    standardise: bool = False,
    vocabulary: VocabularyMatrix | None = None,
    max_k: int | None = None,
) -> list[tuple[str, float]]:
    """The k vocabulary words whose static vectors score best against ``vector``, best first.

    Scores are cosines or dot products (higher is closer) or euclidean distances (lower is
    closer). ``exclude`` removes words (by spelling and by their single token). ``vocabulary``
    is the model's search index (:func:`vocabulary_matrix`), built when omitted. ``max_k``
    refuses a bigger k (the pages pass MAX_K); k beyond the vocabulary gives every word.
    """
    k = _check_k(k, max_k)
    vocabulary = vocabulary or vocabulary_matrix(model)
    scores = vocabulary.scores(vector, metric, standardise)  # (n,)
    ranked = _best(scores, metric).astype(np.float64)
    ranked[list(vocabulary.positions(model, exclude))] = -np.inf
    top = top_k(ranked, k)  # (k,)
    return [(vocabulary.words[i], float(scores[i])) for i in top if np.isfinite(ranked[i])]


def rank(
    word: str,
    vector: Vector,
    model: Any,
    metric: str = "cosine",
    exclude: Iterable[str] = (),
    standardise: bool = False,
    vocabulary: VocabularyMatrix | None = None,
) -> int | None:
    """Where ``word`` ranks (1 = best) among the vocabulary against ``vector``.

    None when ``word`` is not a whole-word token of the model.
    """
    vocabulary = vocabulary or vocabulary_matrix(model)
    position = vocabulary.index.get(word.strip())
    if position is None:
        return None
    ranked = _best(vocabulary.scores(vector, metric, standardise), metric)
    ranked[list(vocabulary.positions(model, exclude) - {position})] = -np.inf
    return int(np.sum(ranked > ranked[position])) + 1


def analogy_vector(a: str, b: str, c: str, model: Any) -> np.ndarray:
    """b - a + c from the static vectors (``king - man + woman`` for a=man, b=king, c=woman), (d,)."""
    va, vb, vc = (static_vector(model, word)[0].astype(np.float64) for word in (a, b, c))
    return vb - va + vc


def analogy(
    a: str,
    b: str,
    c: str,
    model: Any,
    k: int = 5,
    exclude_inputs: bool = True,
    metric: str = "cosine",
    standardise: bool = False,
    vocabulary: VocabularyMatrix | None = None,
) -> list[tuple[str, float]]:
    """a is to b as c is to ?: the words nearest to b - a + c, best first.

    With ``exclude_inputs`` (the usual practice) a, b and c themselves cannot be answers; that
    flatters the method, so compare with ``exclude_inputs=False`` (Nissim et al. 2020).
    """
    vector = analogy_vector(a, b, c, model)
    exclude = (a, b, c) if exclude_inputs else ()
    options = {"metric": metric, "standardise": standardise, "vocabulary": vocabulary}
    return nearest(vector, model, k=k, exclude=exclude, **options)


def ranked_table(found: Sequence[tuple[str, float]]) -> pd.DataFrame:
    """Words with their scores, best first, as a table: ``rank`` (1 = best), ``word``, ``score``.

    >>> ranked_table([("cat", 0.9), ("dog", 0.8)]).values.tolist()
    [[1, 'cat', 0.9], [2, 'dog', 0.8]]
    """
    rows = [(place, word, score) for place, (word, score) in enumerate(found, start=1)]
    return pd.DataFrame(rows, columns=["rank", "word", "score"])


@dataclass(frozen=True)
class AnalogyAnswers:
    """b - a + c answered twice: with the three inputs left out (the usual practice) and kept."""

    left_out: list[tuple[str, float]]  # best first
    kept: list[tuple[str, float]]  # best first
    place: int | None  # where left_out's first answer ranks when nothing is left out; None: no answer

    def table(self) -> pd.DataFrame:
        """Both lists in one table: ``rank``, ``word``, ``score``, ``inputs`` ("left out" or "kept")."""
        return pd.concat(
            [
                ranked_table(self.left_out).assign(inputs="left out"),
                ranked_table(self.kept).assign(inputs="kept"),
            ],
            ignore_index=True,
        )


def analogy_answers(
    a: str,
    b: str,
    c: str,
    model: Any,
    k: int = 5,
    metric: str = "cosine",
    standardise: bool = False,
    vocabulary: VocabularyMatrix | None = None,
) -> AnalogyAnswers:
    """:func:`analogy` with and without leaving the inputs out, and the honest rank of the usual answer."""
    vocabulary = vocabulary or vocabulary_matrix(model)
    options = {"metric": metric, "standardise": standardise, "vocabulary": vocabulary}
    left_out = analogy(a, b, c, model, k=k, **options)
    kept = analogy(a, b, c, model, k=k, exclude_inputs=False, **options)
    place = rank(left_out[0][0], analogy_vector(a, b, c, model), model, **options) if left_out else None
    return AnalogyAnswers(left_out, kept, place)
