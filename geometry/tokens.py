"""Words to token ids, and the model's vocabulary of whole-word tokens.

Two tokenizer families are handled:

* WordPiece (the encoder): a word is split into pieces, later pieces start with ``##``;
* byte-level BPE (GPT-2, SmolLM2): a word in the middle of a sentence carries its
  leading space, shown as ``Ġ``, so words are looked up as ``" " + word``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from geometry.models import using

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


def is_byte_level(tokenizer) -> bool:
    """True for GPT-2-style byte-level BPE tokenizers (a leading space is ``Ġ``)."""
    # One probe per call (a fraction of a millisecond): no table keyed by id(tokenizer), which a
    # new tokenizer could inherit from a freed one in a notebook.
    probe = tokenizer.convert_ids_to_tokens(tokenizer(" the", add_special_tokens=False)["input_ids"])
    return any(piece.startswith("Ġ") for piece in probe)


def _checked(word: str) -> str:
    text = word.strip()
    if not text:
        raise ValueError("Type at least one word.")
    if len(text) > MAX_WORD_CHARS:
        raise ValueError(f"'{text[:20]}…' is longer than {MAX_WORD_CHARS} characters; use a shorter word.")
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
            prefix = " " if is_byte_level(tokenizer) else ""
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
    """A tokenizer piece (as ``convert_ids_to_tokens`` writes it) as a person reads it: byte-level
    ``Ġking`` → ``␣king``, ``Ċ`` → ``↵``; WordPiece ``##ing`` stays.

    >>> display_token("Ġking"), display_token("Ċ"), display_token("##ing")
    ('␣king', '↵', '##ing')
    """
    return shown_text(piece.replace("Ġ", " ").replace("Ċ", "\n"))


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
    WordPiece tokens show as their pieces (``##ing``).
    """
    tokenizer, ids = lm.tokenizer, [int(i) for i in ids]
    with using(lm):
        if is_byte_level(tokenizer):
            pieces = [tokenizer.decode([i]) for i in ids]
        else:
            pieces = tokenizer.convert_ids_to_tokens(ids)
    return tuple(shown_text(piece) for piece in pieces)


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

    WordPiece: tokens without ``##`` made of letters. Byte-level BPE: tokens that
    start with a space marker followed by letters. Read afresh each call (~50 ms for 49,152
    tokens); a caller that needs it often keeps the result.
    """
    with using(lm):
        tokenizer = lm.tokenizer
        byte_level = is_byte_level(tokenizer)
        vocabulary = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    ids, words = [], []
    for token, token_id in vocabulary:
        word = token[1:] if byte_level and token.startswith("Ġ") else (None if byte_level else token)
        if word and len(word) >= 2 and word.isascii() and word.isalpha():
            ids.append(token_id)
            words.append(word)
    return Vocabulary(np.asarray(ids, dtype=np.int64), tuple(words))


def decode_token(lm, token_id: int) -> str:
    """The text one token id stands for, as the tokenizer writes it back."""
    with using(lm):
        return lm.tokenizer.decode([int(token_id)])
