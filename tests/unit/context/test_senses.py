"""Sentences labelled with senses, and the presets (geometry/context/senses.py)."""

from __future__ import annotations

import pytest

from geometry.context import occurrences as cx
from geometry.context.senses import MAX_SENTENCES, NO_SENSE, PRESETS, parse_sentences

# ------------------------------------------------------------------ senses and presets


def test_parse_sentences_reads_labels_and_unlabelled_lines():
    text = "river: We sat on the bank.\n\n  The bank closed.  \nA long label that is no sense: the bank."
    assert parse_sentences(text) == [
        ("river", "We sat on the bank."),
        (NO_SENSE, "The bank closed."),
        (NO_SENSE, "A long label that is no sense: the bank."),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least two"),
        ("\n  \n", "at least two"),
        ("\n".join(["the bank"] * (MAX_SENTENCES + 1)), "limit"),
        ("x" * 5000, "characters"),
        ("the bank\x07 rang", "control characters"),
    ],
)
def test_parse_sentences_refuses_bad_text(text, message):
    with pytest.raises(ValueError, match=message):
        parse_sentences(text)


def test_presets_cover_bank_and_four_more_words_with_enough_sentences():
    assert "bank" in PRESETS and len(PRESETS) >= 5
    assert {sense for sense, _ in PRESETS["bank"].sentences} == {"river", "money", "aeroplane"}
    for name, preset in PRESETS.items():
        counts = {}
        for sense, sentence in preset.sentences:
            counts[sense] = counts.get(sense, 0) + 1
            spans = cx.word_spans(sentence, preset.word)
            assert len(spans) == 1, (name, sentence)
            start = spans[0][0]
            assert start > 0 and sentence[start - 1] == " ", (name, sentence)  # same token everywhere
            assert sentence[start : start + len(preset.word)] == preset.word  # lower case
        assert 2 <= len(counts) <= 3, name
        assert min(counts.values()) >= 4, name
        assert parse_sentences(preset.as_text()) == list(preset.sentences)
