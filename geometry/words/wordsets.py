"""Word sets to project: curated categories, the user's own words, the model's vocabulary.

* :data:`CATEGORIES`: twelve hand-picked groups of common words (no word in two groups);
* :data:`PRESETS`: named selections of categories that walk the lesson's examples;
* :func:`parse_words`: the user's text, with optional ``category:`` labels, checked;
* :func:`vocabulary_set`: the first whole-word tokens of a model with their static vectors.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from geometry.words import vectors
from geometry.words.tokens import MAX_WORD_CHARS, tokenize_many, whole_word_vocabulary
from geometry.words.wordlists import split_entries, word_problem

MAX_WORDS = 200  # words a user may type at once
MAX_TEXT_CHARS = 4_000  # longer text is refused before it is split
MAX_LABEL_CHARS = 40
UNLABELLED = "your words"
VOCABULARY = "vocabulary"  # the category of vocabulary tokens that are in no curated group
VOCABULARY_SIZE = 5_000

CATEGORIES: dict[str, tuple[str, ...]] = {
    "animals": (
        "dog", "cat", "horse", "cow", "pig", "sheep", "goat", "lion", "tiger", "bear", "wolf", "fox",
        "rabbit", "mouse", "elephant", "monkey", "deer", "eagle", "owl", "snake", "whale", "shark",
        "duck", "chicken",
    ),
    "fruit": (
        "apple", "banana", "orange", "grape", "lemon", "cherry", "peach", "pear", "plum", "mango",
        "olive", "strawberry", "tomato", "lime", "coconut", "berry", "fig", "pineapple",
    ),
    "royalty and family": (
        "king", "queen", "prince", "princess", "emperor", "empress", "duke", "duchess", "monarch",
        "monarchy", "throne", "crown", "royal", "man", "woman", "boy", "girl", "mother", "father",
        "son", "daughter", "brother", "sister", "uncle", "aunt", "husband", "wife",
    ),
    "countries and capitals": (
        "France", "Paris", "Germany", "Berlin", "Italy", "Rome", "Spain", "Madrid", "Japan", "Tokyo",
        "China", "Beijing", "Russia", "Moscow", "Egypt", "Cairo", "England", "London", "Canada",
        "Ottawa", "Greece", "Athens",
    ),
    "verbs": (
        "run", "runs", "walk", "jump", "swim", "eat", "drink", "sleep", "think", "speak", "write",
        "read", "sing", "dance", "build", "throw", "catch", "climb", "cook", "drive", "chased", "fly",
    ),
    "adverbs": (
        "quickly", "slowly", "quietly", "loudly", "carefully", "happily", "sadly", "easily", "rarely",
        "often", "always", "never", "soon", "already", "almost", "suddenly", "gently", "badly",
    ),
    "numbers": (
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty",
        "hundred", "thousand", "million", "first", "second", "third",
    ),
    "colours": (
        "red", "blue", "green", "yellow", "purple", "pink", "brown", "black", "white", "grey", "gold",
        "silver", "violet", "navy", "scarlet",
    ),
    "emotions": (
        "happy", "sad", "angry", "afraid", "joy", "fear", "anger", "love", "hate", "calm", "proud",
        "jealous", "lonely", "nervous", "excited", "bored", "surprised", "grief", "hope", "shame",
    ),
    "jobs": (
        "doctor", "nurse", "teacher", "lawyer", "engineer", "farmer", "pilot", "chef", "soldier",
        "judge", "baker", "artist", "scientist", "driver", "writer", "singer",
    ),
    "vehicles": (
        "car", "bus", "train", "truck", "bicycle", "boat", "ship", "plane", "taxi", "tractor",
        "motorcycle", "helicopter", "van", "tram",
    ),
    "weather": (
        "rain", "snow", "wind", "storm", "sun", "cloud", "fog", "thunder", "lightning", "hail", "frost",
        "ice", "heat", "drought",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Preset:
    """A lesson step: which categories to map, what to look for, and the words its hint asks about
    (a map labels them whatever else it leaves out for room)."""

    categories: tuple[str, ...]
    hint: str
    asks_about: tuple[str, ...] = ()


PRESETS: dict[str, Preset] = {
    "Royalty beside fruit": Preset(
        ("royalty and family", "fruit"),
        "Find king: is queen next to it, and banana far away? Does monarchy sit with the royal words? "
        "Then compare PCA with UMAP: does each keep the two groups apart?",
        ("king", "queen", "banana", "monarchy"),
    ),
    "Dog, cat, runs, quickly": Preset(
        ("animals", "verbs", "adverbs"),
        "Animals, actions and manners of acting. Is dog nearer cat than quickly? Do the three kinds of "
        "word form three islands, and which words sit on the border?",
        ("dog", "cat", "quickly"),
    ),
    "Countries and capitals": Preset(
        ("countries and capitals",),
        "Does each capital land beside its country? With PCA, picture an arrow from each country to its "
        "capital (France to Paris, Japan to Tokyo): do the arrows point the same way?",
        ("France", "Paris", "Japan", "Tokyo"),
    ),
    "Numbers, colours, emotions": Preset(
        ("numbers", "colours", "emotions"),
        "Do the numbers line up in order? Do emotions split into pleasant and unpleasant ones?",
    ),
    "Jobs, vehicles, weather": Preset(
        ("jobs", "vehicles", "weather"),
        "Three everyday topics. Which words does the map put in the wrong group, and are they false "
        "neighbours (choose one below) or real ones?",
    ),
    "All twelve categories": Preset(
        tuple(CATEGORIES),
        "Every curated word at once. Check the trustworthiness score: is a crowded map still faithful?",
    ),
}


@dataclass(frozen=True)
class WordSet:
    """Words with one category each, plus what was left out and why (for a warning)."""

    words: tuple[str, ...]
    categories: tuple[str, ...]  # same length as words
    skipped: tuple[str, ...] = ()  # one short reason per item left out
    split: tuple[str, ...] = ()  # words the model reads as several tokens (set by known_words)

    def __len__(self) -> int:
        return len(self.words)


def preset_words(categories: Sequence[str]) -> WordSet:
    """The curated words of the named categories, in order.

    >>> preset_words(["fruit"]).words[:3]
    ('apple', 'banana', 'orange')
    """
    unknown = [name for name in categories if name not in CATEGORIES]
    if unknown:
        raise ValueError(f"Unknown category {unknown[0]!r}; choose from {', '.join(CATEGORIES)}.")
    pairs = [(word, name) for name in categories for word in CATEGORIES[name]]
    return WordSet(tuple(w for w, _ in pairs), tuple(c for _, c in pairs))


def _clean(text: str) -> str:
    """Text without control or invisible format characters (newlines and tabs kept)."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))


def parse_words(text: str, max_words: int = MAX_WORDS) -> WordSet:
    """Words typed by a user: separated by commas or new lines, a line may start with ``label:``.

    Items without a letter or digit (punctuation, emoji) and over-long items are skipped
    with a reason; repeated words are kept once. Raises ValueError for empty text, text over
    4,000 characters, more than ``max_words`` words, or nothing usable.

    >>> found = parse_words("pets: dog, cat\\nking, queen, !!!")
    >>> list(zip(found.words, found.categories))
    [('dog', 'pets'), ('cat', 'pets'), ('king', 'your words'), ('queen', 'your words')]
    >>> found.skipped
    ("'!!!' has no letters or digits",)
    """
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"Your text has {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}.")
    words, categories, skipped = [], [], []
    cleaned = _clean(text)
    if cleaned != text:
        skipped.append("invisible control characters (removed)")
    for line in cleaned.splitlines():
        label, items = _split_label(line)
        for word in split_entries(items):
            problem = word_problem(word)
            if problem is not None:
                skipped.append(problem[0])
            elif word in words:
                skipped.append(f"'{word}' appears twice")
            else:
                words.append(word)
                categories.append(label)
    if len(words) > max_words:
        raise ValueError(f"{len(words)} words is more than the limit of {max_words}; shorten the list.")
    refused = [reason for reason in skipped if reason.startswith("'")]  # an item's own problem
    if not words and refused:  # say why the text was refused (a limit, no letters), not "type a word"
        raise ValueError(f"No usable word: {refused[-1]}. Separate words with commas or new lines.")
    if not words:
        raise ValueError("Type at least one word (letters or digits), separated by commas.")
    return WordSet(tuple(words), tuple(categories), tuple(s for s in skipped if s))


def _split_label(line: str) -> tuple[str, str]:
    label, colon, rest = line.partition(":")
    label = " ".join(label.split())
    if colon and not label:  # ": cat" — a colon with no label in front
        return UNLABELLED, rest
    if colon and len(label) <= MAX_LABEL_CHARS and re.search(r"\w", label):
        return label, rest
    return UNLABELLED, line


def combine(*sets: WordSet) -> WordSet:
    """Several word sets as one; a word already present keeps its first category."""
    words, categories = [], []
    for word_set in sets:
        for word, category in zip(word_set.words, word_set.categories, strict=True):
            if word not in words:
                words.append(word)
                categories.append(category)
    skipped = tuple(reason for word_set in sets for reason in word_set.skipped)
    return WordSet(tuple(words), tuple(categories), skipped)


def known_words(lm, word_set: WordSet) -> WordSet:
    """Only the words the model can tokenize; the others are added to ``skipped``.

    Words read as several tokens are listed in ``split`` (their static vector is the mean of
    the pieces). Raises ValueError when no word is left.
    """
    kept, skipped, split = [], list(word_set.skipped), []
    tokens = tokenize_many(lm, word_set.words)
    for word, category, result in zip(word_set.words, word_set.categories, tokens, strict=True):
        if isinstance(result, ValueError):
            skipped.append(f"'{word[:20]}' is not in the model's vocabulary")
            continue
        if result.is_split:
            split.append(word)
        kept.append((word, category))
    if not kept:
        raise ValueError("The model cannot read any of these words; try ordinary words in letters.")
    return WordSet(tuple(w for w, _ in kept), tuple(c for _, c in kept), tuple(skipped), tuple(split))


def category_of(word: str) -> str:
    """The curated category of a word (case-insensitive), or "vocabulary".

    >>> category_of("Banana"), category_of("the")
    ('fruit', 'vocabulary')
    """
    return _CATEGORY_BY_WORD.get(word.lower(), VOCABULARY)


_CATEGORY_BY_WORD = {word.lower(): name for name, words in CATEGORIES.items() for word in words}


def vocabulary_set(lm, size: int | None = VOCABULARY_SIZE) -> tuple[WordSet, np.ndarray]:
    """The model's first ``size`` whole-word tokens (lowest ids: roughly the most frequent)
    and their static vectors, (size, d), rows of the embedding matrix; ``None``: all of them.

    Each word's category is its curated group when it has one, else "vocabulary".
    """
    vocabulary = whole_word_vocabulary(lm)
    size = len(vocabulary.words) if size is None else size
    if not 1 <= size <= len(vocabulary.words):
        raise ValueError(f"Choose between 1 and {len(vocabulary.words):,} vocabulary words.")
    words = vocabulary.words[:size]
    vectors = np.array(lm.embedding_matrix()[vocabulary.ids[:size]], dtype=np.float32)  # (size, d)
    return WordSet(words, tuple(category_of(word) for word in words)), vectors


def search_words(words: Sequence[str], query: str, limit: int = 100) -> list[int]:
    """Indices of the words equal to ``query`` or starting with it, ignoring case; exact first.

    >>> search_words(("king", "kingdom", "queen", "King"), "King")
    [0, 3, 1]
    """
    wanted = " ".join(_clean(query).split()).lower()
    if len(wanted) > MAX_WORD_CHARS:
        raise ValueError(f"Search for a word of at most {MAX_WORD_CHARS} characters.")
    if not wanted:
        return []
    lowered = [word.lower() for word in words]
    exact = [i for i, word in enumerate(lowered) if word == wanted]
    starts = [i for i, word in enumerate(lowered) if word.startswith(wanted) and word != wanted]
    return (exact + starts)[:limit]


def word_set_vectors(lm, kind: str, words: Sequence[str]) -> np.ndarray:
    """Vectors of any number of words, (n, d): :func:`geometry.vectors.word_vectors` in chunks of
    its ``MAX_WORDS`` (a word set may hold more words than one word list)."""
    chunks = [words[i : i + vectors.MAX_WORDS] for i in range(0, len(words), vectors.MAX_WORDS)]
    return np.concatenate([vectors.word_vectors(chunk, lm, kind) for chunk in chunks])  # (n, d)
