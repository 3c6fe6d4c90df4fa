"""Word sets for the maps (geometry/words/wordsets.py): presets, typed sets, the vocabulary."""

from __future__ import annotations

import numpy as np
import pytest

from geometry.words import wordsets as ws

# --------------------------------------------------------------------------- word sets


def test_curated_categories():
    assert len(ws.CATEGORIES) >= 8
    assert all(10 <= len(words) <= 30 for words in ws.CATEGORIES.values())
    every = [word.lower() for words in ws.CATEGORIES.values() for word in words]
    assert len(every) == len(set(every)), "a word in two categories"
    assert {"king", "queen", "banana", "dog", "cat", "runs", "quickly", "monarchy"} <= set(every)
    for preset in ws.PRESETS.values():
        assert set(preset.categories) <= set(ws.CATEGORIES) and preset.hint
    assert len(ws.preset_words(ws.PRESETS["All twelve categories"].categories)) <= 300


def test_parse_words_with_labels_duplicates_and_junk():
    found = ws.parse_words("fruit: apple, pear; apple\n  dog ,, 😀 , ... \nNew   York\n: cat")
    assert found.words == ("apple", "pear", "dog", "New York", "cat")
    assert found.categories == ("fruit", "fruit", ws.UNLABELLED, ws.UNLABELLED, ws.UNLABELLED)
    no_letters = ("'😀' has no letters or digits", "'...' has no letters or digits")  # wordlists.word_problem
    assert found.skipped == ("'apple' appears twice", *no_letters)


def test_parse_words_strips_control_characters():
    assert ws.parse_words("do\x00g, c\u200bat\x07").words == ("dog", "cat")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one word"),
        ("   \n\t ", "at least one word"),
        ("!!! ???", r"No usable word: '!!! \?\?\?' has no letters or digits"),
        ("a" * 500, "No usable word: 'aaaaaaaaaaaaaaaaaaaa…' has 500 characters, more than the limit of 60"),
        ("\x00\x01\x02", "at least one word"),
        ("x" * 5_000, "limit is 4,000"),
        (", ".join(f"w{i}" for i in range(600)), "600 words"),
    ],
)
def test_parse_words_refuses_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        ws.parse_words(text)


def test_over_long_word_is_skipped():
    found = ws.parse_words("dog, " + "a" * 80)
    assert found.words == ("dog",) and "more than the limit" in found.skipped[0]


def test_combine_keeps_the_first_category():
    combined = ws.combine(ws.preset_words(["fruit"]), ws.parse_words("pets: dog, banana"))
    assert combined.categories[combined.words.index("banana")] == "fruit"
    assert combined.categories[-1] == "pets" and combined.words[-1] == "dog"


def test_unknown_category_is_refused():
    with pytest.raises(ValueError, match="Unknown category"):
        ws.preset_words(["planets"])


def test_known_words_drop_what_the_tokenizer_cannot_read(tiny_bert):
    """WordPiece has an unknown token: an emoji has no token of its own and is left out."""
    found = ws.known_words(tiny_bert, ws.WordSet(("dog", "😀😀", "cat", "apricot"), ("a", "b", "c", "d")))
    assert found.words == ("dog", "cat", "apricot") and found.categories == ("a", "c", "d")
    assert found.split == ("apricot",)  # a ##p ##ri ##c ##ot
    assert "not in the model's vocabulary" in found.skipped[0]
    with pytest.raises(ValueError, match="cannot read any"):
        ws.known_words(tiny_bert, ws.WordSet(("😀",), ("a",)))


def test_byte_level_bpe_reads_every_word_in_bytes(tiny_llama):
    """Byte-level BPE has no unknown token: an emoji becomes byte tokens, a split word, not a dropped one."""
    found = ws.known_words(tiny_llama, ws.WordSet(("dog", "😀😀", "apricot"), ("a", "b", "c")))
    assert found.words == ("dog", "😀😀", "apricot") and found.skipped == ()
    assert found.split == ("😀😀", "apricot")


def test_vocabulary_set_is_embedding_rows(tiny_llama):
    from geometry.words.tokens import whole_word_vocabulary

    vocabulary = whole_word_vocabulary(tiny_llama)
    size = min(ws.VOCABULARY_SIZE, len(vocabulary.words))  # the tiny tokenizer knows about a thousand words
    words, vectors = ws.vocabulary_set(tiny_llama, size)
    assert len(words) == size and vectors.shape == (size, 32)
    np.testing.assert_array_equal(vectors[10], tiny_llama.embedding_matrix()[vocabulary.ids[10]])
    assert words.words[:3] == vocabulary.words[:3]
    assert words.categories[words.words.index("king")] == "royalty and family"
    with pytest.raises(ValueError, match="Choose between"):
        ws.vocabulary_set(tiny_llama, 10**7)


def test_search_words():
    words = ("king", "kingdom", "queen", "King", "thinking")
    assert ws.search_words(words, " KING ") == [0, 3, 1]
    assert ws.search_words(words, "") == [] and ws.search_words(words, "zebra") == []
    with pytest.raises(ValueError, match="at most"):
        ws.search_words(words, "k" * 61)
