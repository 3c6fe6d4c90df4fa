"""A class that takes part: questions from the real models, every student's answer, then the reveal.

Streamlit-free (a test keeps it so), for the app's class pages, a notebook or a test::

    from classroom import ClassStore

    store = ClassStore()                        # CLASSROOM_DB_URL, or an SQLite file in the cache
    code, key = store.create_class()            # the join code for the board; the key stays secret
    ada = store.join(code, nickname="Ada")      # an anonymous student id (lives in her URL)
    spec = {"quantity": "cos(king, queen)", "value": 0.71}
    q = store.open_question(key, "number", spec)
    store.answer(q, ada, "0.6")                 # committed before it returns; replaced if she answers again
    store.close(key, q)
    store.reveal(key, q)
    store.tally(q)                              # DataFrame[answer, count]; students see it only now
    store.reveal_of(q).table                    # the reveal's tidy table (classroom.questions)

The store (:class:`ClassStore`, arguments ``url=None, *, expiry=timedelta(hours=24), clock``):

======================================  ===============================================================
teacher (needs the teacher key)         ``create_class() -> (code, key)``, ``resume(key) -> ClassInfo``,
                                        ``class_code(key)``, ``end_class(key)``,
                                        ``open_question(key, kind, spec) -> question_id``,
                                        ``close(key, question_id)``, ``reveal(key, question_id)``,
                                        ``tally(question_id, key)`` (any time), ``questions(key)``,
                                        ``nicknames(key)``, ``student_count(key)``,
                                        ``teacher_poll(key) -> Poll`` (with the number of answers)
student (needs the student id)          ``join(code, nickname=None, *, attempts=None) -> student_id``,
                                        ``answer(question_id, student_id, value, *, tokenizer=None)``,
                                        ``own_answer(question_id, student_id)``,
                                        ``poll(student_id) -> Poll`` (with the student's own answer)
anyone                                  ``question(question_id) -> Question``, ``answer_count(question_id)``,
                                        ``tally(question_id)`` and ``reveal_of(question_id)`` once revealed,
                                        ``delete_expired()``
a lesson (issue 26)                     ``set_step(key, *, index, page, settings) -> version``,
                                        ``current_step(code) -> Step | None``, ``save_plan(key, toml)``,
                                        ``followed_step(student_id) -> FollowedStep | None`` (the
                                        step's title and the plan's length, never its notes),
                                        ``load_plan(key)``, ``send_finding(student_id, *, page, settings,
                                        note)``, ``findings(key) -> DataFrame``
======================================  ===============================================================

For the board: :func:`join_link` (the app's address with ``?class=CODE``) and :func:`qr_svg`
(that link as a QR code, SVG text), from :mod:`classroom.links`.

A poll (:class:`Poll`) is one cheap query a page can repeat every second or two: the class's
current question (its latest), that question's state (``"open"``, ``"closed"``, ``"revealed"``),
the student's own answer or the teacher's count of answers, and the lesson step's version; a page
reads the question's spec (:meth:`ClassStore.question`) only when the question id changes.

The kinds of question (``"next_token"``, ``"closer_pair"``, ``"attention"``, ``"number"``,
``"continuation"``), what their specs hold, how answers are read and what each reveal's table
holds: :mod:`classroom.questions`.

Errors (:mod:`classroom.errors`), each with a message a page can show as it is: a missing or
wrong teacher key (or a student id in its place) raises :class:`NotAllowed`, a
``PermissionError``; an unknown or expired code, student or question :class:`NotFound`, a
``LookupError``; an empty, over-long (> 60 characters) or late answer, a bad spec, a long nickname
:class:`Refused`, a ``ValueError``; too many wrong codes :class:`TooManyAttempts`; a database that
cannot be reached, is read-only or is newer than the app :class:`ClassroomUnavailable`.

Limits (:mod:`classroom.limits`): answers ≤ 60 characters, one per student per question (replaced
while it is open), nicknames ≤ 24 characters, specs ≤ 16 KB, 10 wrong codes a minute per session
(:class:`Attempts`, kept by the page), classes deleted with everything in them 24 hours after they
start (``expiry``). Nicknames, answers and notes are masked with the classroom-safe list.

Storage (:mod:`classroom.engine`, :mod:`classroom.schema`): SQLAlchemy Core on SQLite (default: a
WAL file in the app's cache folder, ``SEMANTIC_GEOMETRY_CACHE``) or PostgreSQL through psycopg 3
(``CLASSROOM_DB_URL``, e.g. ``postgresql://user:password@host/db``); ``url`` may also be an
SQLAlchemy Engine. The schema carries a version and upgrades itself when a store opens the
database.
"""

from __future__ import annotations

from classroom.errors import (
    ClassroomError,
    ClassroomUnavailable,
    NotAllowed,
    NotFound,
    Refused,
    TooManyAttempts,
)
from classroom.limits import Attempts
from classroom.links import join_link, qr_svg
from classroom.questions import KINDS, Reveal, options, reveal_table
from classroom.store import ClassInfo, ClassStore, FollowedStep, Poll, Question, Step

__all__ = [
    "KINDS",
    "Attempts",
    "ClassInfo",
    "ClassStore",
    "ClassroomError",
    "ClassroomUnavailable",
    "FollowedStep",
    "NotAllowed",
    "NotFound",
    "Poll",
    "Question",
    "Refused",
    "Reveal",
    "Step",
    "TooManyAttempts",
    "join_link",
    "options",
    "qr_svg",
    "reveal_table",
]
