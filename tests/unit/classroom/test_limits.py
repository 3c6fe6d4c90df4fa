"""Limits on what students type, and the wrong-code counter a page keeps per session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from classroom import Attempts, TooManyAttempts, limits
from classroom.errors import Refused
from classroom.shared import mask_text


class Clock:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_ten_wrong_codes_a_minute_then_a_wait_that_counts_down():
    clock = Clock()
    attempts = Attempts(clock=clock)
    for _ in range(10):
        attempts.check()
        attempts.failed()
        clock.now += timedelta(seconds=2)
    with pytest.raises(TooManyAttempts, match=r"Wait 40 seconds"):
        attempts.check()  # the first wrong code was 20 s ago: it stops counting in 40 s
    clock.now += timedelta(seconds=39.5)
    assert attempts.seconds_to_wait() == 1  # rounded up: never "wait 0 seconds"
    clock.now += timedelta(seconds=0.5)
    attempts.check()
    assert len(attempts.wrong) == 9


def test_a_nickname_is_one_line_of_at_most_24_characters_masked():
    assert limits.clean_nickname("  Ada\n Lovelace ") == "Ada Lovelace"
    assert limits.clean_nickname("x" * 24) == "x" * 24
    assert limits.clean_nickname("sexual Sam") == mask_text("sexual Sam")[0] != "sexual Sam"
    assert limits.clean_nickname(" \t ") is None and limits.clean_nickname(None) is None
    with pytest.raises(Refused, match="25 characters long; the limit is 24"):
        limits.clean_nickname("x" * 25)
    with pytest.raises(Refused, match="must be text"):
        limits.clean_nickname(["Ada"])


def test_an_answer_loses_control_characters_and_keeps_its_words():
    assert limits.clean_answer("\x07 two\t words \x1b") == "two words"
    assert limits.clean_answer(0.25) == "0.25" and limits.clean_answer(3) == "3"
    with pytest.raises(Refused, match="empty"):
        limits.clean_answer("\x00\x07")
    assert limits.clean_note("") == "" and limits.clean_note("see\nthis sexual thing") == "see this ▒▒▒ thing"
    with pytest.raises(Refused, match="limit is 140"):
        limits.clean_note("n" * 141)
