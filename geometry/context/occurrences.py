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
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geometry.context.senses import MAX_SENTENCE_CHARS, MAX_SENTENCES, NO_SENSE
from geometry.models.handle import network, using
from geometry.words import wordlists
from geometry.words.tokens import display_token
from geometry.words.vectors import unit

MAX_OCCURRENCES = 80  # the page's limit on all occurrences in all sentences together

# What the page passes to find_occurrences; the library's own defaults (below) are generous.
PAGE_LIMITS = {
    "max_sentences": MAX_SENTENCES,
    "max_sentence_chars": MAX_SENTENCE_CHARS,
    "max_occurrences": MAX_OCCURRENCES,
}

REFERENCE_PATH = Path(__file__).parents[1] / "data" / "reference.txt"

STATIC = "static"

EMBEDDINGS = "embeddings"

EPS = 1e-8


def layer_names(n_layers: int) -> list[str]:
    """Names of the n_layers + 2 positions a vector is followed through.

    >>> layer_names(2)
    ['static', 'embeddings', 'layer 1', 'layer 2']
    """
    return [STATIC, EMBEDDINGS, *(f"layer {k}" for k in range(1, n_layers + 1))]


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


def shortened(sentence: str, limit: int = 80) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def max_positions(lm) -> int | None:
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
        limit = max_positions(lm)
        for sentence, encoding in zip(sentences, encodings, strict=True):
            if limit and len(encoding["input_ids"]) > limit:
                raise ValueError(f"“{shortened(sentence)}” is too long for {lm.name}; shorten it.")
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


def pieces_in_span(offsets: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    """Positions of the tokens that overlap the characters [start, end); special tokens have none."""
    return [i for i, (a, b) in enumerate(offsets) if b > a and a < end and b > start]


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
            raise ValueError(f"The word '{word}' does not appear in the sentence “{shortened(sentence)}”.")
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
            positions = pieces_in_span(offsets, start, end)
            if not positions:
                raise ValueError(f"The tokenizer gave '{word}' no tokens in “{shortened(sentence)}”.")
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
                f"“{shortened(sentence, 40)}” has {len(sentence):,} characters, more than the limit "
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
            positions = pieces_in_span(offsets, *match.span())
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
