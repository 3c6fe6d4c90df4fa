"""Words to token ids, and the model's vocabulary of whole-word tokens.

How a tokenizer marks word boundaries is declared by the model's family
(:class:`~geometry.transformer.family.WordBoundary`):

* WordPiece (the encoder): a word is split into pieces, later pieces start with ``##``;
* byte-level BPE (GPT-2, SmolLM2): a word in the middle of a sentence carries its
  leading space, shown as ``Ġ``, so words are looked up as ``" " + word``;
* SentencePiece: a word's first piece starts with ``▁``, which the tokenizer adds itself (Llama 2's
  dummy prefix), or, without a dummy prefix (Gemma), only for a word after a space.

A family that declares several (Llama's tokenizers are byte-level or SentencePiece) is told apart
by one probe of the tokenizer; a tokenizer without a model is probed against every declared one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from geometry.models.handle import network, using
from geometry.transformer.family import WordBoundary
from geometry.transformer.registry import FAMILIES, word_boundaries

MAX_WORD_CHARS = 60  # longer "words" are rejected with a message


def has_control_characters(text: str) -> bool:
    r"""True if ``text`` holds an invisible control character other than a tab or a line break.

    >>> has_control_characters("two\tcolumns\nand lines"), has_control_characters("bell\x07")
    (False, True)
    """
    return any(unicodedata.category(char) == "Cc" for char in text if char not in "\t\n\r")


@dataclass(frozen=True)
class WordTokens:
    """How a word was tokenized: its text, token ids and token strings."""

    word: str
    ids: tuple[int, ...]
    pieces: tuple[str, ...]

    @property
    def is_split(self) -> bool:
        return len(self.ids) > 1


def word_boundary(lm) -> WordBoundary:
    """How ``lm``'s tokenizer marks words: its family's declared boundary (probed among several).

    A start-of-word boundary fits a tokenizer that writes "the", prefixed as the boundary prefixes a
    mid-sentence word, as one piece, its marker then "the", and needs that prefix (byte-level BPE
    writes "Ġthe" only after a space; SentencePiece with a dummy prefix writes "▁the" without one).
    Otherwise the first declared boundary that marks continuations (WordPiece), else the first one.
    """
    candidates = word_boundaries(network(lm) if hasattr(lm, "model") else None)
    if len(candidates) == 1:
        return candidates[0]
    # One probe per call (a fraction of a millisecond): no table keyed by id(tokenizer), which a
    # new tokenizer could inherit from a freed one in a notebook.
    for boundary in candidates:
        if boundary.starts_word and _fits(lm.tokenizer, boundary):
            return boundary
    return next((b for b in candidates if not b.starts_word), candidates[0])


def _fits(tokenizer, boundary: WordBoundary) -> bool:
    """Whether ``tokenizer`` writes a mid-sentence "the" as ``boundary`` says, and only with its prefix."""

    def pieces(text: str) -> list[str]:
        return tokenizer.convert_ids_to_tokens(tokenizer(text, add_special_tokens=False)["input_ids"])

    marked = [boundary.marker + "the"]
    return pieces(boundary.space_prefix + "the") == marked and (
        not boundary.space_prefix or pieces("the") != marked
    )


def _checked(word: str) -> str:
    text = word.strip()
    if not text:
        raise ValueError("Type at least one word.")
    if len(text) > MAX_WORD_CHARS:
        raise ValueError(
            f"'{text[:20]}…' has {len(text):,} characters, more than the limit of {MAX_WORD_CHARS}; "
            "shorten it."
        )
    return text


def tokenize_many(lm, words) -> list[WordTokens | ValueError]:
    """:func:`word_tokens` for every word with one tokenizer call: each result or the error it raises."""
    results: list[WordTokens | ValueError | str] = []
    for word in words:
        try:
            results.append(_checked(word))
        except ValueError as error:
            results.append(error)
    texts = [text for text in results if isinstance(text, str)]
    tokenizer = lm.tokenizer
    if texts:
        with using(lm):
            prefix = word_boundary(lm).space_prefix
            batch = tokenizer([prefix + text for text in texts], add_special_tokens=False)["input_ids"]
            pieces = [tokenizer.convert_ids_to_tokens(ids) for ids in batch]
    found = iter(zip(batch, pieces, strict=True)) if texts else iter(())
    unknown = tokenizer.unk_token_id
    for i, text in enumerate(results):
        if not isinstance(text, str):
            continue
        ids, strings = next(found)
        if not ids or (unknown is not None and all(t == unknown for t in ids)):
            results[i] = ValueError(f"The model has no tokens for '{text}'; try another word.")
        else:
            results[i] = WordTokens(text, tuple(int(t) for t in ids), tuple(strings))
    return results


def word_tokens(lm, word: str) -> WordTokens:
    """Tokenize one word or phrase as it appears mid-sentence, without special tokens.

    Raises ValueError for empty or over-long text, or text with no tokens.
    """
    (result,) = tokenize_many(lm, [word])
    if isinstance(result, ValueError):
        raise result
    return result


def display_token(piece: str) -> str:
    """A tokenizer piece (as ``convert_ids_to_tokens`` writes it) as a person reads it: the markers
    every family's tokenizers declare become what they stand for: byte-level ``Ġking`` → ``␣king``,
    ``Ċ`` → ``↵``, SentencePiece ``▁king`` → ``␣king``; WordPiece ``##ing`` stays.

    >>> display_token("Ġking"), display_token("Ċ"), display_token("##ing"), display_token("▁king")
    ('␣king', '↵', '##ing', '␣king')
    """
    for written, meaning in SHOWN_AS:
        piece = piece.replace(written, meaning)
    return shown_text(piece)


SHOWN_AS = tuple(
    dict.fromkeys(pair for family in FAMILIES.values() for b in family.word_boundaries for pair in b.shown_as)
)


def shown_text(text: str) -> str:
    r"""The text of a token as a person reads it: a space shows as ``␣``, a newline as ``↵``, and
    a token that decodes to nothing as ``∅``.

    >>> shown_text(" Paris"), shown_text("\n"), shown_text("")
    ('␣Paris', '↵', '∅')
    """
    return text.replace(" ", "␣").replace("\n", "↵") or "∅"


def display_tokens(lm, ids) -> tuple[str, ...]:
    """Each token id as a person reads it (:func:`shown_text`): ``" Paris"`` → ``"␣Paris"``.

    Byte-level tokens are decoded one by one, so a character split across tokens shows as "�";
    other tokens show as their pieces (``##ing``, ``▁king`` as ``␣king``).
    """
    tokenizer, ids = lm.tokenizer, [int(i) for i in ids]
    with using(lm):
        if word_boundary(lm).decodes_bytes:
            return tuple(shown_text(tokenizer.decode([i])) for i in ids)
        return tuple(display_token(piece) for piece in tokenizer.convert_ids_to_tokens(ids))


PUNCTUATION_NAMES = {
    ".": "full stop",
    ",": "comma",
    "!": "exclamation mark",
    "?": "question mark",
    ":": "colon",
    ";": "semicolon",
    "'": "apostrophe",
    '"': "quotation mark",
    "-": "hyphen",
    "(": "open bracket",
    ")": "close bracket",
    "↵": "new line",
    "␣": "space",
}


def readable_token(token: str) -> str:
    """A displayed token for a chart axis read from the back of a room: a lone punctuation mark
    gets its name beside it, so a comma is not a speck.

    >>> readable_token(","), readable_token("␣("), readable_token("␣and"), readable_token("␣")
    (', comma', '␣( open bracket', '␣and', '␣ space')
    """
    mark = token.removeprefix("␣") or token  # a lone space marker is named as well
    name = PUNCTUATION_NAMES.get(mark)
    return f"{token} {name}" if name else token


@dataclass(frozen=True)
class Vocabulary:
    """The whole-word tokens of a model: their ids and the words they spell."""

    ids: np.ndarray  # (n,) int token ids
    words: tuple[str, ...]  # (n,) the words, without space markers

    def index_of(self, word: str) -> int | None:
        try:
            return self.words.index(word)
        except ValueError:
            return None


def whole_word_vocabulary(lm) -> Vocabulary:
    """Tokens that are whole alphabetic words (for neighbour searches and maps).

    WordPiece: tokens without ``##`` made of letters. Byte-level BPE and SentencePiece: tokens that
    start with the word marker followed by letters. Read afresh each call (~50 ms for 49,152
    tokens); a caller that needs it often keeps the result.
    """
    with using(lm):
        boundary = word_boundary(lm)
        vocabulary = sorted(lm.tokenizer.get_vocab().items(), key=lambda item: item[1])
    ids, words = [], []
    for token, token_id in vocabulary:
        word = _whole_word(token, boundary)
        if word and len(word) >= 2 and word.isascii() and word.isalpha():
            ids.append(token_id)
            words.append(word)
    return Vocabulary(np.asarray(ids, dtype=np.int64), tuple(words))


def _whole_word(token: str, boundary: WordBoundary) -> str | None:
    """The word a vocabulary token spells when it can stand alone mid-sentence, else None."""
    marked = token.startswith(boundary.marker)
    if boundary.starts_word:
        return token[len(boundary.marker) :] if marked else None
    return None if marked else token


def decode_token(lm, token_id: int) -> str:
    """The text one token id stands for, as the tokenizer writes it back."""
    with using(lm):
        return lm.tokenizer.decode([int(token_id)])
