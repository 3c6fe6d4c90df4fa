"""Word lists typed by a person: split, clean, and check them against a model's tokenizer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geometry.words.tokens import MAX_WORD_CHARS, WordTokens, display_token, tokenize_many

MAX_LIST_WORDS = 40  # a similarity matrix bigger than this is unreadable on a projector
MAX_LIST_CHARS = 3000

_SEPARATORS = re.compile(r"[,;\t\n\r]+")  # between entries: commas, semicolons, tabs, new lines


@dataclass(frozen=True)
class WordList:
    """The words to use, in the order typed, with what was changed on the way.

    ``notices`` are harmless (a repeat was merged); ``dropped`` says which entries were left out and why.
    """

    words: tuple[str, ...]
    notices: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


def split_entries(text: str) -> list[str]:
    r"""The entries of a typed list, split on commas, semicolons, tabs and new lines, inner
    spaces collapsed, empty entries dropped.

    >>> split_entries(" dog,, New   York;\tcat\n")
    ['dog', 'New York', 'cat']
    """
    return [" ".join(entry.split()) for entry in _SEPARATORS.split(text) if entry.strip()]


def word_problem(word: str, max_chars: int = MAX_WORD_CHARS) -> tuple[str, str] | None:
    """Why a stripped, non-empty entry cannot be used as a word: (reason, advice), or None if it can.

    The one check of a typed word; :func:`clean_word` raises it, list parsers list it.

    >>> word_problem("!!!")
    ("'!!!' has no letters or digits", 'type a word')
    >>> word_problem("queen") is None
    True
    """
    shown = word[:20] + ("…" if len(word) > 20 else "")
    if len(word) > max_chars:
        return f"'{shown}' has {len(word):,} characters, more than the limit of {max_chars}", "shorten it"
    if not word.isprintable():
        return "The text contains control characters (such as a tab or a null)", "type plain words"
    if not any(character.isalnum() for character in word):
        return f"'{shown}' has no letters or digits", "type a word"
    return None


def clean_word(text: str, max_chars: int = MAX_WORD_CHARS) -> str:
    """One word or short phrase, stripped; ValueError (with the reason) if it cannot be used.

    >>> clean_word("  queen ")
    'queen'
    >>> clean_word("!!!")
    Traceback (most recent call last):
    ValueError: '!!!' has no letters or digits; type a word.
    """
    word = str(text).strip()
    if not word:
        raise ValueError("Type a word.")
    problem = word_problem(word, max_chars)
    if problem is not None:
        reason, advice = problem
        raise ValueError(f"{reason}; {advice}.")
    return word


def parse_word_list(text: str, max_words: int = MAX_LIST_WORDS) -> WordList:
    """Split (:func:`split_entries`), drop repeats and unusable entries (:func:`clean_word`).

    Raises ValueError when nothing usable is left, for a list longer than ``max_words`` or text
    longer than MAX_LIST_CHARS characters.

    >>> parse_word_list("dog, cat,\\n cat ,, runs")
    WordList(words=('dog', 'cat', 'runs'), notices=("'cat' appeared 2 times; it is used once.",), dropped=())
    """
    if len(text) > MAX_LIST_CHARS:
        raise ValueError(f"The list holds {len(text):,} characters; the limit is {MAX_LIST_CHARS:,}.")
    entries = split_entries(text)
    words, dropped = [], []
    for entry in dict.fromkeys(entries):
        try:
            words.append(clean_word(entry))
        except ValueError as error:
            dropped.append(f"Left out: {error}")
    notices = [
        f"'{w}' appeared {entries.count(w)} times; it is used once." for w in words if entries.count(w) > 1
    ]
    if len(words) > max_words:
        raise ValueError(f"The list has {len(words)} words; the limit is {max_words}. Shorten it.")
    if not words and dropped:  # say why the text was refused, not just that nothing is left
        reason = dropped[0].removeprefix("Left out: ")
        raise ValueError(f"No usable word: {reason} Separate words with commas or new lines.")
    if not words:
        raise ValueError("Type some words, separated by commas or new lines.")
    return WordList(tuple(words), tuple(notices), tuple(dropped))


def tokenize_words(words: tuple[str, ...] | list[str], lm: Any) -> tuple[list[WordTokens], list[str]]:
    """Tokenize each word for ``lm``: (the words the model can take, one message per word it cannot)."""
    kept, problems = [], []
    for result in tokenize_many(lm, words):
        if isinstance(result, ValueError):
            problems.append(f"Left out: {result}")
        else:
            kept.append(result)
    return kept, problems


def tokenization_table(tokens: list[WordTokens]) -> pd.DataFrame:
    """How each word was split and how its static vector is made: ``word``, ``tokens`` (the pieces
    shown readably, joined by " · "), ``vector`` ("row of one token" or "mean of n rows")."""
    return pd.DataFrame(
        {
            "word": [t.word for t in tokens],
            "tokens": [" · ".join(display_token(piece) for piece in t.pieces) for t in tokens],
            "vector": [
                "row of one token" if len(t.ids) == 1 else f"mean of {len(t.ids)} rows" for t in tokens
            ],
        },
        columns=["word", "tokens", "vector"],
    )
