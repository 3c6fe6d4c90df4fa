"""Classroom-safe lists: the maintained word list, masking tokens and text, numbers left alone."""

from __future__ import annotations

from geometry.words import safety as classroom


def test_the_list_is_the_maintained_one_and_catches_what_a_projector_showed():
    words = classroom.offensive_words()
    assert len(words) > 300  # better-profanity's list, not a few words typed here
    assert classroom.is_offensive("␣Sexual")  # seen among a causal LM's nearest words for "bank"
    assert not any(classroom.is_offensive(w) for w in ["bank", "river", "money", "king", "queen", "."])


def test_masking_keeps_positions_and_counts_what_it_hid():
    tokens = ["␣river", "␣sexual", "␣money", "##ing", ","]
    shown, hidden = classroom.mask_tokens(tokens)
    assert hidden == 1 and len(shown) == len(tokens)
    assert shown[1] == classroom.MASK and [shown[i] for i in (0, 2, 3, 4)] == [
        tokens[i] for i in (0, 2, 3, 4)
    ]
    text, count = classroom.mask_text("Sexual content near the river bank")
    assert count == 1 and text == f"{classroom.MASK} content near the river bank"
