"""The class's limits, and the cleaning of what students type (nicknames, answers, notes).

Each refusal is a :class:`~classroom.errors.Refused` (a ``ValueError``) whose message a page shows
as it is, above the box that keeps what the student typed.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from classroom.errors import Refused, TooManyAttempts
from classroom.shared import mask_text

MAX_ANSWER_CHARS = 60
MAX_NICKNAME_CHARS = 24
MAX_NOTE_CHARS = 140  # a finding's one-line note
MAX_SPEC_BYTES = 16 * 1024  # a question's spec, or a lesson step's settings, as UTF-8 JSON
MAX_PLAN_BYTES = 200 * 1024  # a lesson plan's TOML text (issue 26)
MAX_PAGE_CHARS = 200  # a lesson page's url path
MAX_FINDINGS_PER_STUDENT = 30
WRONG_CODES_PER_MINUTE = 10
DEFAULT_EXPIRY = timedelta(hours=24)


def utc_now() -> datetime:
    """The default clock: now, in UTC."""
    return datetime.now(UTC)


def one_line(text: str) -> str:
    """``text`` with control characters dropped and every run of white space made one space.

    >>> one_line("  two\\t words\\n\\x07 ")
    'two words'
    """
    kept = "".join(char for char in text if char.isspace() or unicodedata.category(char) != "Cc")
    return " ".join(kept.split())


def _typed(text: object, what: str, limit: int) -> str:
    """``text`` as one clean line, or Refused when it is not text or longer than ``limit``."""
    if not isinstance(text, str):
        raise Refused(f"The {what} must be text.")
    line = one_line(text)
    if len(line) > limit:
        raise Refused(
            f"The {what} is {len(line)} characters long; the limit is {limit}. Shorten it and try again."
        )
    return line


def clean_nickname(nickname: object) -> str | None:
    """A nickname as the class shows it: one line, at most 24 characters, offensive words masked;
    None for no nickname (None or blank).

    >>> clean_nickname("  Ada  "), clean_nickname(""), clean_nickname(None)
    ('Ada', None, None)
    """
    if nickname is None:
        return None
    line = _typed(nickname, "nickname", MAX_NICKNAME_CHARS)
    return mask_text(line)[0] or None


def clean_answer(value: object) -> str:
    """A typed answer as one line of at most 60 characters, offensive words masked (before any
    normalisation by the question's kind). Empty answers are refused.

    >>> clean_answer("  Paris ")
    'Paris'
    """
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        value = repr(value)  # a number given as a number (a slider's value)
    line = _typed(value, "answer", MAX_ANSWER_CHARS)
    if not line:
        raise Refused("The answer is empty: type or choose an answer first.")
    return mask_text(line)[0]


def clean_note(note: object) -> str:
    """A finding's note: one line of at most 140 characters, masked; may be empty."""
    return mask_text(_typed("" if note is None else note, "note", MAX_NOTE_CHARS))[0]


@dataclass
class Attempts:
    """Wrong class codes typed in one session: at most ``limit`` in any ``window``.

    Pure and small, for a page to keep in its session state and pass to
    :meth:`classroom.ClassStore.join` (which calls :meth:`check` before it looks a code up and
    :meth:`failed` after a wrong one). The clock is injectable for tests.

    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> attempts = Attempts(limit=2, clock=lambda: t)
    >>> attempts.failed(); attempts.failed(); attempts.seconds_to_wait()
    60
    """

    limit: int = WRONG_CODES_PER_MINUTE
    window: timedelta = timedelta(minutes=1)
    clock: Callable[[], datetime] = utc_now
    wrong: list[datetime] = field(default_factory=list)

    def _recent(self) -> list[datetime]:
        now = self.clock()
        self.wrong = [time for time in self.wrong if now - time < self.window]
        return self.wrong

    def seconds_to_wait(self) -> int:
        """Whole seconds until another code may be tried; 0 when one may be tried now."""
        recent = self._recent()
        if len(recent) < self.limit:
            return 0
        remaining = recent[-self.limit] + self.window - self.clock()
        return max(1, math.ceil(remaining.total_seconds()))

    def check(self) -> None:
        """Raise :class:`TooManyAttempts` (with the wait in its message) when the limit is reached."""
        wait = self.seconds_to_wait()
        if wait:
            raise TooManyAttempts(
                f"Too many wrong class codes in a minute. Wait {wait} seconds, check the code on the "
                "board and try again."
            )

    def failed(self) -> None:
        """Count one wrong code now."""
        self._recent().append(self.clock())
