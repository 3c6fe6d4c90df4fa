"""Where one occurrence of a word gets its context: its attention in every layer and head, and
what each sublayer does to its vector (a trace of its sentence); two occurrences side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geometry.context.occurrences import (
    Occurrences,
    clean_word,
    max_positions,
    pieces_in_span,
    shortened,
    word_spans,
)
from geometry.models.handle import using


def word_positions(model, sentence: str, word: str) -> list[list[int]]:
    """Token positions of each whole-word use of ``word`` in ``sentence``, as ``model.tokenizer`` cuts it.

    One list per use, in order; a word cut into several tokens has several positions.

    >>> word_positions(encoder, "The bank by the river bank.", "bank")  # doctest: +SKIP
    [[2], [6]]
    """
    with using(model):
        encoding = model.tokenizer(sentence, return_offsets_mapping=True)
    offsets = [(int(a), int(b)) for a, b in encoding["offset_mapping"]]
    return [pieces_in_span(offsets, start, end) for start, end in word_spans(sentence, word)]


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
    :func:`geometry.transformer.readings.sublayer_changes` of the word's vector with ``layer`` and
    ``layer_index`` in the same numbering.
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
    """Trace ``sentence`` step by step (:mod:`geometry.transformer.trace`) and read the ``number``-th
    use of ``word``.

    ValueError (a message for the user) when the sentence lacks the word, has fewer uses, or is too long.
    """
    from geometry.transformer.readings import sublayer_changes
    from geometry.transformer.trace import trace

    word, sentence = clean_word(word), str(sentence).strip()
    found = word_positions(model, sentence, word)
    if not found:
        raise ValueError(f"The word '{word}' does not appear in the sentence “{shortened(sentence)}”.")
    if not 1 <= int(number) <= len(found) or not found[int(number) - 1]:
        raise ValueError(f"“{shortened(sentence)}” has no use number {number} of '{word}' with tokens.")
    positions = found[int(number) - 1]
    limit = max_positions(model) or 1024
    traced = trace(model, sentence, max_tokens=limit)
    if traced.truncated:
        raise ValueError(
            f"“{shortened(sentence)}” is too long for {getattr(model, 'name', 'the model')}; shorten it."
        )
    tokens = traced.tokens
    with using(model):
        special_ids = set(model.tokenizer.all_special_ids)
    special = [i for i, token_id in enumerate(traced.token_ids.tolist()) if token_id in special_ids]
    rows = traced.attention[:, :, positions, :].mean(axis=2)  # (L, H, T): the word's rows
    return OccurrenceContext(
        label=label or f"“{shortened(sentence, 30)}”",
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
    """What one occurrence's column shows: its attention table and how to draw it, and the tokens the
    word reads most at the chosen layer (heads averaged)."""

    label: str
    tokens: tuple[str, ...]
    positions: tuple[int, ...]  # the word's pieces
    frame: pd.DataFrame  # rows of OccurrenceContext.attention (one layer) or attention_by_layer
    axes: tuple[str, str, str]  # the chart's row column, its sort column, its title
    numbers: bool  # numbers in the cells (short sentences only)
    word: str
    layer_index: int
    strongest: pd.DataFrame  # strongest_context at layer_index: the tokens the word reads most
    strongest_words: (
        pd.DataFrame | None
    )  # the same among words alone, when the tokenizer added [CLS] and the like


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
        context.word,
        layer_index,
        strongest_context(context, layer_index),
        strongest_context(context, layer_index, words_only=True)
        if context.attention_by_layer["is_special"].any()
        else None,
    )
