"""Classroom-safe lists: hide tokens from a maintained list of offensive words, keep every number.

A model's vocabulary holds whatever its training text held, so a list of nearest words or next
tokens can put a slur or an obscenity on a classroom projector. The words come from the list that
ships with the ``better-profanity`` package (PyPI, MIT licence, pure Python, no dependencies, an
English list of about 900 words and their common spellings). Only its word file is read; its own
censoring functions keep global state and rewrite whole sentences, which is not wanted here.

Masking replaces a token's text with :data:`MASK`; the rows, ranks, scores and probabilities
around it stay exactly as they were, so nothing on screen changes but the word itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from importlib import resources

MASK = "▒▒▒"  # neutral: says something is hidden without hinting at what
_LETTERS = re.compile(r"[^a-z]")
_WORDS = re.compile(r"[A-Za-z]+")


@functools.cache
def offensive_words() -> frozenset[str]:
    """The maintained list, lower case (better-profanity's ``profanity_wordlist.txt``)."""
    text = resources.files("better_profanity").joinpath("profanity_wordlist.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def is_offensive(token: str) -> bool:
    """Whether a token, read as a word, is on the list: letter case, the space marker ``␣``,
    ``##`` and punctuation are ignored.

    >>> is_offensive("␣Sexual"), is_offensive("bank"), is_offensive("")
    (True, False, False)
    """
    word = _LETTERS.sub("", str(token).lower())
    return bool(word) and word in offensive_words()


def mask_tokens(tokens: Iterable[str], distinct: bool = False) -> tuple[list[str], int]:
    """The tokens with each offensive one replaced by MASK, and how many were replaced.

    ``distinct`` numbers the masks (``▒▒▒ 1``, ``▒▒▒ 2``) so a chart axis keeps one bar per token.

    >>> mask_tokens(["␣river", "␣sexual", "␣money"])
    (['␣river', '▒▒▒', '␣money'], 1)
    >>> mask_tokens(["␣sexual", "Sexual"], distinct=True)[0]
    ['▒▒▒ 1', '▒▒▒ 2']
    """
    shown, hidden = [], 0
    for token in tokens:
        if is_offensive(token):
            hidden += 1
            token = f"{MASK} {hidden}" if distinct else MASK
        shown.append(token)
    return shown, hidden


def mask_text(text: str) -> tuple[str, int]:
    """Running text (a generated continuation) with each offensive word replaced by MASK.

    >>> mask_text("a sexual remark about the bank")
    ('a ▒▒▒ remark about the bank', 1)
    """
    count = 0

    def replace(match: re.Match) -> str:
        nonlocal count
        if match.group(0).lower() in offensive_words():
            count += 1
            return MASK
        return match.group(0)

    return _WORDS.sub(replace, text), count
