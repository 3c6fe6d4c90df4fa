"""Contextual vectors: one word in many sentences, followed from layer to layer.

A static embedding gives a word one vector whatever the sentence. Each layer of a
transformer then rewrites the vector using the words around it. This module finds
every occurrence of a word in a list of sentences, keeps its vector at every layer,
and measures how context-specific those vectors become, after Ethayarajh (2019),
"How Contextual are Contextualized Word Representations?":

* **self-similarity** at a layer: the mean cosine between the word's vectors in
  different occurrences (1 means context changed nothing);
* **within-sense / across-sense similarity**: the same mean over pairs that share a
  labelled sense, or that do not;
* **anisotropy baseline**: the mean cosine between randomly chosen words of a
  reference text at that layer (how similar "unrelated" already looks), and the
  **adjusted self-similarity** = self-similarity - baseline;
* **standardised** vectors: every dimension shifted and scaled by its mean and spread
  over the reference words at that layer, so a few huge "rogue" dimensions no longer
  dominate the cosine.

Layers are numbered as the model reports its hidden states, with the static
embedding row in front (n_layers + 2 entries in all)::

    0 "static"      the input-embedding row(s) of the word, identical in every sentence
    1 "embeddings"  hidden_states[0]: the embedding layer's output (adds position in
                    BERT and GPT-2; equals the static row in Llama-style models)
    k+1 "layer k"   hidden_states[k], the output of block k, for k = 1..n_layers
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geometry import wordlists
from geometry.models import network, using
from geometry.senses import MAX_SENTENCE_CHARS, MAX_SENTENCES, NO_SENSE
from geometry.similarity import VocabularyMatrix, vocabulary_matrix
from geometry.tokens import (
    MAX_WORD_CHARS,  # noqa: F401 (the page states this limit as context.MAX_WORD_CHARS)
    display_token,
)
from geometry.vectors import cosine_matrix, top_k, unit

MAX_OCCURRENCES = 80  # the page's limit on all occurrences in all sentences together
# What the page passes to find_occurrences; the library's own defaults (below) are generous.
PAGE_LIMITS = {
    "max_sentences": MAX_SENTENCES,
    "max_sentence_chars": MAX_SENTENCE_CHARS,
    "max_occurrences": MAX_OCCURRENCES,
}
REFERENCE_PATH = Path(__file__).parent / "data" / "reference.txt"
STATIC = "static"
EMBEDDINGS = "embeddings"
EPS = 1e-8


def layer_names(n_layers: int) -> list[str]:
    """Names of the n_layers + 2 positions a vector is followed through.

    >>> layer_names(2)
    ['static', 'embeddings', 'layer 1', 'layer 2']
    """
    return [STATIC, EMBEDDINGS, *(f"layer {k}" for k in range(1, n_layers + 1))]


# ------------------------------------------------------------------------- finding the word


def clean_word(word: str) -> str:
    """The target word, stripped; ValueError if it cannot be searched for (:func:`wordlists.clean_word`).

    >>> clean_word("  Bank ")
    'Bank'
    """
    if not str(word).strip():
        raise ValueError("Type the word to follow, for example 'bank'.")
    return wordlists.clean_word(str(word))


def word_spans(sentence: str, word: str) -> list[tuple[int, int]]:
    """Character spans of ``word`` in ``sentence``: whole words only, any letter case.

    >>> word_spans("The bank, the Bank and the banks.", "bank")
    [(4, 8), (14, 18)]
    """
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    return [match.span() for match in pattern.finditer(sentence)]


def _short(sentence: str, limit: int = 80) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def _max_positions(lm) -> int | None:
    config = network(lm).config
    return getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)


BATCH = 8  # sentences per forward pass


def _hidden_states(lm, sentences: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]], np.ndarray]]:
    """Token ids, character offsets and hidden states (n_layers + 1, T, d) of each sentence.

    Sentences run in small batches, padded on the right by hand (GPT-2 has no pad token):
    a real token never attends to the padding after it, and its position is unchanged.
    """
    import torch

    results = []
    with using(lm):
        encodings = [lm.tokenizer(s, return_offsets_mapping=True) for s in sentences]
        limit = _max_positions(lm)
        for sentence, encoding in zip(sentences, encodings, strict=True):
            if limit and len(encoding["input_ids"]) > limit:
                raise ValueError(f"“{_short(sentence)}” is too long for {lm.name}; shorten it.")
        for first in range(0, len(encodings), BATCH):
            chunk = encodings[first : first + BATCH]
            with torch.no_grad():
                output = network(lm).base_model(**_padded(chunk), output_hidden_states=True)
            states = torch.stack(output.hidden_states).float().numpy()  # (L+1, B, T, d)
            for b, encoding in enumerate(chunk):
                length = len(encoding["input_ids"])
                offsets = [(int(a), int(z)) for a, z in encoding["offset_mapping"]]
                results.append((list(encoding["input_ids"]), offsets, states[:, b, :length]))
    return results


def _padded(encodings: Sequence) -> dict:
    """Right-padded input tensors for a batch of single-sentence encodings."""
    import torch

    width = max(len(e["input_ids"]) for e in encodings)
    batch = {}
    for name in ("input_ids", "attention_mask", "token_type_ids"):
        if name in encodings[0]:
            rows = [list(e[name]) + [0] * (width - len(e[name])) for e in encodings]
            batch[name] = torch.tensor(rows, dtype=torch.long)  # (B, T)
    return batch


def _pieces(offsets: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    """Positions of the tokens that overlap the characters [start, end); special tokens have none."""
    return [i for i, (a, b) in enumerate(offsets) if b > a and a < end and b > start]


# ------------------------------------------------------------------------- occurrences


@dataclass(frozen=True)
class Occurrences:
    """Every occurrence of a word in some sentences, with its vector at every layer.

    ``table`` has one row per occurrence, in the order of the arrays, with columns:
    ``occurrence`` (label such as "S3" or "S3.2" for a second use in sentence 3),
    ``sentence`` (1-based sentence number), ``number`` (1-based use within the sentence),
    ``sense``, ``pieces`` (the tokens, joined by " + "), ``n_pieces``, ``text`` (the sentence).
    """

    word: str
    model_name: str
    layers: tuple[str, ...]  # (L+2,) names, see layer_names
    states: np.ndarray  # (n, L+1, d) hidden_states[0..L], averaged over the word's pieces
    static: np.ndarray  # (n, d) mean input-embedding row of the word's pieces
    table: pd.DataFrame

    @property
    def vectors(self) -> np.ndarray:
        """(n, L+2, d): the static row first, then every hidden state."""
        return np.concatenate([self.static[:, None, :], self.states], axis=1)

    @property
    def senses(self) -> list[str]:
        return self.table["sense"].tolist()

    @property
    def labels(self) -> list[str]:
        return self.table["occurrence"].tolist()

    @property
    def split_pieces(self) -> list[str]:
        """The distinct token splits of occurrences cut into several pieces (empty if none)."""
        split = self.table[self.table["n_pieces"] > 1]
        return list(dict.fromkeys(split["pieces"]))

    def with_senses(self, senses: Sequence[str]) -> Occurrences:
        """A copy whose occurrences carry the sense of their sentence (one label per sentence)."""
        table = self.table.copy()
        table["sense"] = [senses[s - 1] for s in table["sentence"]]
        return dataclasses.replace(self, table=table)

    def sense_order(self) -> np.ndarray:
        """Occurrence indices grouped by sense, senses in order of first appearance."""
        first = {sense: i for i, sense in reversed(list(enumerate(self.senses)))}
        return np.array(sorted(range(len(self.senses)), key=lambda i: (first[self.senses[i]], i)))


def find_occurrences(
    model, sentences: Sequence[str], word: str, senses: Sequence[str] | None = None, *,
    max_sentences: int = 100_000, max_sentence_chars: int = 100_000, max_occurrences: int = 100_000,
) -> Occurrences:  # fmt: skip
    """Run each sentence through the model and keep every occurrence of ``word``.

    A word cut into several tokens gets the mean of its pieces' vectors. Raises ValueError
    naming the word and the sentence when a sentence lacks the word, and for bad input
    (beyond the limits: the page passes :data:`PAGE_LIMITS`).
    """
    word = clean_word(word)
    sentences = [str(s).strip() for s in sentences]
    _check_sentences(sentences, max_sentences, max_sentence_chars)
    senses = list(senses) if senses is not None else [NO_SENSE] * len(sentences)
    if len(senses) != len(sentences):
        raise ValueError(f"{len(senses)} sense labels for {len(sentences)} sentences; give one per sentence.")
    spans = [word_spans(sentence, word) for sentence in sentences]
    for sentence, found in zip(sentences, spans, strict=True):
        if not found:
            raise ValueError(f"The word '{word}' does not appear in the sentence “{_short(sentence)}”.")
    if sum(map(len, spans)) > max_occurrences:
        raise ValueError(f"'{word}' occurs more than {max_occurrences} times; use fewer sentences.")
    embedding = model.embedding_matrix()  # (vocab, d)
    rows, states, statics = [], [], []
    encoded = _hidden_states(model, sentences)
    for s, (sentence, found, (ids, offsets, hidden)) in enumerate(
        zip(sentences, spans, encoded, strict=True), 1
    ):
        # hidden: (L+1, T, d)
        for number, (start, end) in enumerate(found, start=1):
            positions = _pieces(offsets, start, end)
            if not positions:
                raise ValueError(f"The tokenizer gave '{word}' no tokens in “{_short(sentence)}”.")
            states.append(hidden[:, positions].mean(axis=1))  # (L+1, d)
            statics.append(embedding[[ids[p] for p in positions]].mean(axis=0))  # (d,)
            pieces = model.tokenizer.convert_ids_to_tokens([ids[p] for p in positions])
            label = f"S{s}" if len(found) == 1 else f"S{s}.{number}"
            shown = " + ".join(map(display_token, pieces))
            rows.append((label, s, number, senses[s - 1], shown, len(pieces), sentence))
    table = pd.DataFrame(
        rows, columns=["occurrence", "sentence", "number", "sense", "pieces", "n_pieces", "text"]
    )
    return Occurrences(
        word=word,
        model_name=str(getattr(model, "name", "model")),
        layers=tuple(layer_names(len(states[0]) - 1)),
        states=np.stack(states).astype(np.float32),
        static=np.stack(statics).astype(np.float32),
        table=table,
    )


def _check_sentences(sentences: Sequence[str], max_sentences: int, max_sentence_chars: int) -> None:
    if len([s for s in sentences if s]) < 2:
        raise ValueError("Type at least two sentences, one per line, each containing the word.")
    if not all(sentences):
        raise ValueError("One of the sentences is empty; remove the blank entry.")
    if len(sentences) > max_sentences:
        raise ValueError(f"{len(sentences)} sentences is more than the limit of {max_sentences}.")
    for sentence in sentences:
        if len(sentence) > max_sentence_chars:
            raise ValueError(
                f"“{_short(sentence, 40)}” has {len(sentence):,} characters, more than the limit "
                f"of {max_sentence_chars}; split it into shorter sentences."
            )


def occurrence_vectors(model, sentences: Sequence[str], word: str, **limits: int) -> np.ndarray:
    """The word's vector in each occurrence at every layer, (n_occurrences, n_layers + 1, d).

    Index 0 is the embedding layer's output (``hidden_states[0]``), the last index the
    final layer. One row per occurrence: a sentence that uses the word twice gives two
    rows (see :func:`find_occurrences` for the labels). A word cut into several tokens
    gets the mean of its pieces. Raises ValueError naming the word and the sentence if a
    sentence lacks the word. ``limits``: those of :func:`find_occurrences`.
    """
    return find_occurrences(model, sentences, word, **limits).states


# ------------------------------------------------------------------------- similarity


def _layer_cosines(vectors: np.ndarray) -> np.ndarray:
    u = unit(vectors)  # (n, layers, d)
    return np.einsum("ild,jld->lij", u, u)  # (layers, n, n)


def _mean_over_pairs(cosines: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of cosines[l][mask] per layer; NaN when the mask selects no pair."""
    if not mask.any():
        return np.full(cosines.shape[0], np.nan)
    return cosines[:, mask].mean(axis=1)


def self_similarity(vectors: np.ndarray) -> np.ndarray:
    """Mean cosine between different occurrences at each layer: (n, layers, d) -> (layers,).

    >>> same = np.ones((3, 1, 2)); self_similarity(same)
    array([1.])
    """
    n = vectors.shape[0]
    return _mean_over_pairs(_layer_cosines(vectors), ~np.eye(n, dtype=bool))


def sense_similarity(vectors: np.ndarray, senses: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Mean cosine over pairs with the same sense and over pairs with different senses, per layer.

    Returns (within, across), each (layers,); NaN where no such pair exists.

    >>> v = np.array([[[1.0, 0.0]], [[1.0, 0.1]], [[0.0, 1.0]]])
    >>> within, across = sense_similarity(v, ["a", "a", "b"])
    >>> bool(within[0] > across[0])
    True
    """
    labels = np.asarray(senses)
    same = labels[:, None] == labels[None, :]
    off_diagonal = ~np.eye(len(labels), dtype=bool)
    cosines = _layer_cosines(vectors)
    return _mean_over_pairs(cosines, same & off_diagonal), _mean_over_pairs(cosines, ~same)


# ------------------------------------------------------------------------- reference text


def reference_text() -> str:
    """The shipped reference text: varied plain English, one sentence per line."""
    return REFERENCE_PATH.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Reference:
    """Per-layer statistics of the words of a reference text (layers = n_layers + 2, static first)."""

    layers: tuple[str, ...]
    baseline: np.ndarray  # (layers,) mean cosine of random word pairs from different sentences
    baseline_standardised: np.ndarray  # (layers,) the same after standardising
    mean: np.ndarray  # (layers, d) per-dimension mean over the reference words
    std: np.ndarray  # (layers, d) per-dimension standard deviation
    n_words: int
    n_pairs: int


def reference_vectors(model, text: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every word of the reference text at every layer: ((N, layers, d), (N,) sentence index)."""
    lines = [line.strip() for line in (text or reference_text()).splitlines() if line.strip()]
    embedding = model.embedding_matrix()
    vectors, sentence_of = [], []
    for s, (sentence, (ids, offsets, hidden)) in enumerate(
        zip(lines, _hidden_states(model, lines), strict=True)
    ):
        # hidden: (L+1, T, d)
        for match in re.finditer(r"[A-Za-z]+", sentence):
            positions = _pieces(offsets, *match.span())
            if positions:
                static = embedding[[ids[p] for p in positions]].mean(axis=0)  # (d,)
                vectors.append(np.concatenate([static[None], hidden[:, positions].mean(axis=1)]))
                sentence_of.append(s)
    return np.stack(vectors).astype(np.float32), np.asarray(sentence_of)


def random_pairs(sentence_of: np.ndarray, n_pairs: int, seed: int = 0) -> np.ndarray:
    """(n_pairs, 2) indices of words drawn uniformly at random from different sentences."""
    rng = np.random.default_rng(seed)
    pairs = np.empty((0, 2), dtype=np.int64)
    while len(pairs) < n_pairs:
        draw = rng.integers(0, len(sentence_of), size=(2 * n_pairs, 2))
        draw = draw[sentence_of[draw[:, 0]] != sentence_of[draw[:, 1]]]
        pairs = np.concatenate([pairs, draw])
    return pairs[:n_pairs]


def _pair_cosine(vectors: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    u = unit(vectors)  # (N, layers, d)
    return np.einsum("pld,pld->pl", u[pairs[:, 0]], u[pairs[:, 1]]).mean(axis=0)  # (layers,)


def reference_statistics(model, text: str | None = None, n_pairs: int = 4000, seed: int = 0) -> Reference:
    """The anisotropy baseline and per-dimension mean/std of every layer, from the reference text."""
    vectors, sentence_of = reference_vectors(model, text)  # (N, layers, d)
    mean, std = vectors.mean(axis=0), vectors.std(axis=0)  # (layers, d)
    pairs = random_pairs(sentence_of, n_pairs, seed)
    return Reference(
        layers=tuple(layer_names(vectors.shape[1] - 2)),
        baseline=_pair_cosine(vectors, pairs),
        baseline_standardised=_pair_cosine((vectors - mean) / (std + EPS), pairs),
        mean=mean,
        std=std,
        n_words=len(vectors),
        n_pairs=n_pairs,
    )


def standardise(vectors: np.ndarray, reference: Reference) -> np.ndarray:
    """Shift and scale every dimension of every layer by the reference words' mean and std.

    ``vectors`` is (n, layers, d) with the static row first, like ``Occurrences.vectors``.
    """
    return (vectors - reference.mean) / (reference.std + EPS)


# ------------------------------------------------------------------------- tables for pages


def layer_table(occurrences: Occurrences, reference: Reference, standardised: bool = False) -> pd.DataFrame:
    """One row per layer: self-similarity, within/across sense, baseline and adjusted self-similarity.

    Columns: ``layer_index`` (0 = static), ``layer``, ``self_similarity``, ``within_sense``,
    ``across_sense``, ``baseline``, ``adjusted`` (= self_similarity - baseline).
    """
    vectors = occurrences.vectors
    baseline = reference.baseline
    if standardised:
        vectors, baseline = standardise(vectors, reference), reference.baseline_standardised
    self_sim = self_similarity(vectors)
    within, across = sense_similarity(vectors, occurrences.senses)
    return pd.DataFrame(
        {
            "layer_index": np.arange(len(occurrences.layers)),
            "layer": list(occurrences.layers),
            "self_similarity": self_sim,
            "within_sense": within,
            "across_sense": across,
            "baseline": baseline,
            "adjusted": self_sim - baseline,
        }
    )


def long_layer_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`layer_table` in long form for a chart: columns layer_index, layer, measure, value."""
    measures = {
        "self_similarity": "self-similarity",
        "within_sense": "within sense",
        "across_sense": "across senses",
        "baseline": "baseline (random words)",
        "adjusted": "adjusted self-similarity",
    }
    long = table.melt(["layer_index", "layer"], list(measures), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(measures)
    return long.dropna(subset=["value"]).reset_index(drop=True)


def pairwise_table(occurrences: Occurrences, vectors: np.ndarray) -> pd.DataFrame:
    """Cosine between every pair of occurrences at one layer, rows and columns ordered by sense.

    ``vectors`` is (n, d). Columns: ``row``, ``column`` (occurrence labels), ``row_name``,
    ``column_name`` ("S3 · river"), ``row_sense``,
    ``column_sense``, ``row_order``, ``column_order`` (position in the sense ordering),
    ``cosine``, ``row_text``, ``column_text``.
    """
    order = occurrences.sense_order()
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    cosines = cosine_matrix(vectors)
    t = occurrences.table
    names = (t["occurrence"] + " · " + t["sense"]).to_numpy()
    i, j = np.meshgrid(np.arange(len(t)), np.arange(len(t)), indexing="ij")
    i, j = i.ravel(), j.ravel()
    frame = pd.DataFrame(
        {
            "row": t["occurrence"].to_numpy()[i],
            "column": t["occurrence"].to_numpy()[j],
            "row_name": names[i],
            "column_name": names[j],
            "row_sense": t["sense"].to_numpy()[i],
            "column_sense": t["sense"].to_numpy()[j],
            "row_order": rank[i],
            "column_order": rank[j],
            "cosine": cosines[i, j],
            "row_text": t["text"].to_numpy()[i],
            "column_text": t["text"].to_numpy()[j],
        }
    )
    return frame.sort_values(["row_order", "column_order"]).reset_index(drop=True)


def path_table(occurrences: Occurrences, vectors: np.ndarray, coordinates: np.ndarray) -> pd.DataFrame:
    """Tidy rows for the layer-by-layer map: one row per occurrence and layer.

    ``vectors`` is (n, layers, d) (only its shape is used), ``coordinates`` is (n * layers, 2)
    in occurrence-major order. Columns: ``occurrence``, ``sense``, ``text``, ``layer_index``,
    ``layer``, ``x``, ``y``.
    """
    n, n_layers = vectors.shape[:2]
    t = occurrences.table
    return pd.DataFrame(
        {
            "occurrence": np.repeat(t["occurrence"].to_numpy(), n_layers),
            "sense": np.repeat(t["sense"].to_numpy(), n_layers),
            "text": np.repeat(t["text"].to_numpy(), n_layers),
            "layer_index": np.tile(np.arange(n_layers), n),
            "layer": np.tile(np.asarray(occurrences.layers), n),
            "x": coordinates[:, 0],
            "y": coordinates[:, 1],
        }
    )


def layer_map(
    occurrences: Occurrences, vectors: np.ndarray, method: str = "pca"
) -> tuple[pd.DataFrame, list[str], tuple[str, ...]]:
    """A 2-D map of every occurrence at every layer, each vector scaled to length 1 first.

    Scaling to unit length keeps the map about direction (what cosine measures), not about
    the growth of vector lengths with depth. ``method`` is "pca" or "umap" (see
    :func:`geometry.projection.project`). Returns (path_table, axis titles, notes).
    """
    from geometry.projection import axis_titles, project

    n, n_layers, d = vectors.shape
    projection = project(unit(vectors).reshape(n * n_layers, d), method)
    return path_table(occurrences, vectors, projection.coords), axis_titles(projection), projection.notes


def nearest_words(
    model,
    occurrences: Occurrences,
    vectors: np.ndarray,
    k: int = 5,
    vocabulary: VocabularyMatrix | None = None,
) -> pd.DataFrame:
    """The k whole-word vocabulary tokens whose input-embedding rows have the highest cosine.

    ``vectors`` is (n, d), one per occurrence, at one layer. Beyond the first layers this
    is only a lens: hidden states are not made to line up with the input embeddings.
    ``vocabulary`` is the model's search index (the one the dot-products page uses), built
    when omitted. Columns: ``occurrence``, ``sense``, ``rank``, ``word``, ``cosine``.
    """
    vocabulary = vocabulary or vocabulary_matrix(model)
    words = vocabulary.words
    cosines = vocabulary.cosines(vectors)  # (n, V')
    top = top_k(cosines, k)  # (n, k)
    records = [
        (label, sense, rank + 1, words[index], float(cosines[i, index]))
        for i, (label, sense) in enumerate(zip(occurrences.labels, occurrences.senses, strict=True))
        for rank, index in enumerate(top[i])
    ]
    return pd.DataFrame(records, columns=["occurrence", "sense", "rank", "word", "cosine"])


def static_spread(occurrences: Occurrences) -> float:
    """Largest absolute difference between any occurrence's static vector and the first one's."""
    return float(np.abs(occurrences.static - occurrences.static[0]).max())


def nearest_summary(nearest: pd.DataFrame) -> pd.DataFrame:
    """:func:`nearest_words` as one row per occurrence: ``occurrence``, ``sense``, ``nearest``.

    >>> df = pd.DataFrame({"occurrence": ["S1", "S1"], "sense": ["river"] * 2, "rank": [1, 2],
    ...                    "word": ["bank", "shore"], "cosine": [0.51, 0.42]})
    >>> nearest_summary(df)["nearest"].tolist()
    ['bank 0.51 · shore 0.42']
    """
    words = nearest.sort_values("rank", kind="stable").assign(
        entry=lambda f: f["word"] + " " + f["cosine"].map("{:.2f}".format)
    )
    grouped = words.groupby(["occurrence", "sense"], sort=False)["entry"].agg(" · ".join)
    return grouped.rename("nearest").reset_index()


def dimension_table(
    occurrences: Occurrences, vectors: np.ndarray, layer_indices: Sequence[int], n_dims: int = 32
) -> pd.DataFrame:
    """The first ``n_dims`` components of every occurrence at some layers, in long form.

    ``vectors`` is (n, layers, d). Columns: ``occurrence``, ``sense``, ``order`` (position in
    the sense ordering), ``layer``, ``layer_index``, ``dimension``, ``value``.
    """
    order = occurrences.sense_order()
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    t = occurrences.table
    frames = []
    for index in dict.fromkeys(layer_indices):
        values = vectors[:, index, :n_dims]  # (n, n_dims)
        n, k = values.shape
        frames.append(
            pd.DataFrame(
                {
                    "occurrence": np.repeat(t["occurrence"].to_numpy(), k),
                    "sense": np.repeat(t["sense"].to_numpy(), k),
                    "order": np.repeat(rank, k),
                    "layer": occurrences.layers[index],
                    "layer_index": index,
                    "dimension": np.tile(np.arange(k), n),
                    "value": values.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------------- where the context comes from


def word_positions(model, sentence: str, word: str) -> list[list[int]]:
    """Token positions of each whole-word use of ``word`` in ``sentence``, as ``model.tokenizer`` cuts it.

    One list per use, in order; a word cut into several tokens has several positions.

    >>> word_positions(encoder, "The bank by the river bank.", "bank")  # doctest: +SKIP
    [[2], [6]]
    """
    with using(model):
        encoding = model.tokenizer(sentence, return_offsets_mapping=True)
    offsets = [(int(a), int(b)) for a, b in encoding["offset_mapping"]]
    return [_pieces(offsets, start, end) for start, end in word_spans(sentence, word)]


@dataclass(frozen=True)
class OccurrenceContext:
    """Where one occurrence of a word gets its context: its attention and what each sublayer does to it.

    ``attention`` has one row per block, head and token of the sentence, with columns ``layer``
    (the hidden-state numbering of this module: block 0 makes "layer 1"), ``layer_index``
    (1..n_layers), ``head``, ``head_label``, ``key_position``, ``key_label`` ("3 river"),
    ``probability`` (the word's attention to that token; the mean over its pieces' rows for a
    word cut into several tokens), ``is_word`` (the token is a piece of the word itself) and
    ``is_special`` (a token the tokenizer adds around every text, such as [CLS] and [SEP]).
    ``attention_by_layer`` is the same with the heads averaged (no head columns). ``changes`` is
    :func:`geometry.trace.sublayer_changes` of the word's vector with ``layer`` and ``layer_index``
    in the same numbering.
    """

    label: str  # the occurrence, as in Occurrences.table ("S3", "S3.2")
    sentence: str
    word: str
    tokens: tuple[str, ...]
    positions: tuple[int, ...]  # the word's pieces
    causal: bool  # True: the word saw only the tokens before it
    attention: pd.DataFrame
    attention_by_layer: pd.DataFrame
    changes: pd.DataFrame


def occurrence_context(
    model, sentence: str, word: str, number: int = 1, label: str = ""
) -> OccurrenceContext:
    """Trace ``sentence`` step by step (see :mod:`geometry.trace`) and read the ``number``-th use of ``word``.

    ValueError (a message for the user) when the sentence lacks the word, has fewer uses, or is too long.
    """
    from geometry.trace import sublayer_changes, trace

    word, sentence = clean_word(word), str(sentence).strip()
    found = word_positions(model, sentence, word)
    if not found:
        raise ValueError(f"The word '{word}' does not appear in the sentence “{_short(sentence)}”.")
    if not 1 <= int(number) <= len(found) or not found[int(number) - 1]:
        raise ValueError(f"“{_short(sentence)}” has no use number {number} of '{word}' with tokens.")
    positions = found[int(number) - 1]
    limit = _max_positions(model) or 1024
    traced = trace(model, sentence, max_tokens=limit)
    if traced.truncated:
        raise ValueError(
            f"“{_short(sentence)}” is too long for {getattr(model, 'name', 'the model')}; shorten it."
        )
    tokens = traced.tokens
    with using(model):
        special_ids = set(model.tokenizer.all_special_ids)
    special = [i for i, token_id in enumerate(traced.token_ids.tolist()) if token_id in special_ids]
    rows = traced.attention[:, :, positions, :].mean(axis=2)  # (L, H, T): the word's rows
    return OccurrenceContext(
        label=label or f"“{_short(sentence, 30)}”",
        sentence=sentence,
        word=word,
        tokens=tokens,
        positions=tuple(positions),
        causal=traced.masks_the_future,
        attention=_word_attention(rows, tokens, positions, special),
        attention_by_layer=_word_attention(rows.mean(axis=1, keepdims=True), tokens, positions, special).drop(
            columns=["head", "head_label"]
        ),
        changes=_numbered(sublayer_changes(traced, positions)),
    )


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """Block L's rows renamed to the hidden state it makes: "layer L+1" (see layer_names)."""
    index = frame["layer"].to_numpy() + 1
    return frame.assign(layer=[f"layer {i}" for i in index], layer_index=index)


def _word_attention(
    rows: np.ndarray, tokens: Sequence[str], positions: Sequence[int], special: Sequence[int]
) -> pd.DataFrame:
    """Tidy rows of one word's attention, rows (L, H, T) → columns as in OccurrenceContext.attention."""
    L, H, T = rows.shape
    block, head, key = (
        axis.ravel() for axis in np.meshgrid(np.arange(L), np.arange(H), np.arange(T), indexing="ij")
    )
    labels = np.asarray([f"{i} {token}" for i, token in enumerate(tokens)], dtype=object)
    return pd.DataFrame({
        "layer": [f"layer {b + 1}" for b in block], "layer_index": block + 1,
        "head": head, "head_label": [f"head {h}" for h in head],
        "key_position": key, "key_label": labels[key], "probability": rows.ravel().astype(np.float64),
        "is_word": np.isin(key, list(positions)), "is_special": np.isin(key, list(special)),
    })  # fmt: skip


def strongest_context(
    context: OccurrenceContext, layer_index: int, k: int = 3, words_only: bool = False
) -> pd.DataFrame:
    """The k tokens (not the word itself) the word attends to most at one layer, heads averaged.

    ``words_only`` leaves out the tokens the tokenizer adds around the text ([CLS], [SEP]).
    Columns: key_position, key_label, probability, in descending probability.
    """
    at = context.attention_by_layer
    others = at[(at["layer_index"] == layer_index) & ~at["is_word"]]
    if words_only:
        others = others[~others["is_special"]]
    top = others.sort_values("probability", ascending=False, kind="stable").head(k)
    return top[["key_position", "key_label", "probability"]].reset_index(drop=True)


# --------------------------------------------------------------------------- two occurrences side by side


def occurrence_names(occurrences: Occurrences) -> dict[str, str]:
    """How a picker names each occurrence: "S2 · river · The bank of the river…" (text cut at 60)."""
    table = occurrences.table
    return {
        label: f"{label} · {sense} · {text if len(text) <= 60 else text[:59] + '…'}"
        for label, sense, text in zip(table["occurrence"], table["sense"], table["text"], strict=True)
    }


def default_pair(occurrences: Occurrences) -> tuple[str, str]:
    """The first occurrence, and the first one after it in another sense (else simply the second)."""
    labels, senses = occurrences.labels, occurrences.senses
    other = next((b for b, sense in zip(labels, senses, strict=True) if sense != senses[0]), labels[1])
    return labels[0], other


def occurrence_key(occurrences: Occurrences, label: str) -> tuple[str, str, int, str]:
    """The plain values that name one occurrence for :func:`occurrence_context`: (sentence, word,
    which use in the sentence, the label shown "S2 · river")."""
    row = occurrences.table.set_index("occurrence").loc[label]
    return row["text"], occurrences.word, int(row["number"]), f"{label} · {row['sense']}"


def pair_tables(contexts: Sequence[OccurrenceContext]) -> tuple[bool, pd.DataFrame, pd.DataFrame]:
    """Whether the model is causal, and the occurrences' ``changes`` and ``attention`` stacked, each
    row with its ``occurrence`` label."""
    changes = pd.concat([ctx.changes.assign(occurrence=ctx.label) for ctx in contexts], ignore_index=True)
    attention = pd.concat([ctx.attention.assign(occurrence=ctx.label) for ctx in contexts], ignore_index=True)
    return contexts[0].causal, changes, attention


@dataclass(frozen=True)
class AttentionColumn:
    """What one occurrence's column shows: its attention table and how to draw it, and one sentence."""

    label: str
    tokens: tuple[str, ...]
    positions: tuple[int, ...]  # the word's pieces
    frame: pd.DataFrame  # rows of OccurrenceContext.attention (one layer) or attention_by_layer
    axes: tuple[str, str, str]  # the chart's row column, its sort column, its title
    numbers: bool  # numbers in the cells (short sentences only)
    strongest: str  # the tokens the word reads most, in a sentence


def _listed(top: pd.DataFrame) -> str:
    return ", ".join(f"{row.key_label.split(' ', 1)[1]} ({row.probability:.2f})" for row in top.itertuples())


def strongest_sentence(context: OccurrenceContext, layer_index: int) -> str:
    """One sentence naming the tokens the word attends to most at a layer (and among words alone,
    when the tokenizer added tokens such as [CLS])."""
    text = (
        f"At layer {layer_index}, heads averaged, '{context.word}' looks most at: "
        f"{_listed(strongest_context(context, layer_index))}."
    )
    if context.attention_by_layer["is_special"].any():
        text += (
            f" Among the words alone: {_listed(strongest_context(context, layer_index, words_only=True))}."
        )
    return text


def attention_column(context: OccurrenceContext, layer_index: int, per_head: bool) -> AttentionColumn:
    """One occurrence's attention: every head at ``layer_index`` (``per_head``) or every layer with
    the heads averaged; numbers in the cells for sentences of at most 8 tokens."""
    if per_head:
        frame = context.attention[context.attention["layer_index"] == layer_index]
        axes = ("head_label", "head", f"layer {layer_index}, every head")
    else:
        frame, axes = context.attention_by_layer, ("layer", "layer_index", "every layer, heads averaged")
    return AttentionColumn(
        context.label,
        context.tokens,
        context.positions,
        frame,
        axes,
        len(context.tokens) <= 8,  # in a half column, longer sentences show colour only
        strongest_sentence(context, layer_index),
    )


def layer_summary(table: pd.DataFrame, last_layer: str, labelled: bool = True) -> str:
    """A few sentences (Markdown) on the first and last rows of :func:`layer_table`; ``labelled``: some
    sentence has a sense."""
    text = (
        f"Self-similarity goes from **{table.self_similarity.iloc[0]:.2f}** (static) to "
        f"**{table.self_similarity.iloc[-1]:.2f}** at {last_layer}."
    )
    within, across = table.within_sense.iloc[-1], table.across_sense.iloc[-1]
    if not labelled or (math.isnan(within) and math.isnan(across)):
        return text + " Label the sentences with senses (`sense: sentence`) to compare within and across."
    if math.isnan(within):  # labelled, but no sense has two sentences: no same-sense pair exists
        return text + (
            f" There, pairs with different senses average **{across:.2f}**. No sense has two sentences "
            "yet, so nothing can be compared within a sense: give one sense a second sentence."
        )
    if math.isnan(across):  # every sentence carries the same label
        return text + (
            f" There, pairs with the same sense average **{within:.2f}**. Every sentence has the same "
            "sense, so nothing can be compared across senses: label a sentence with another sense."
        )
    return text + (
        f" There, pairs with the same sense average **{within:.2f}** and pairs with different senses "
        f"**{across:.2f}**."
    )
