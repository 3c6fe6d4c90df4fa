"""The class store: classes, students, questions and answers (and a lesson's steps, plan and
findings) in a real database, through SQLAlchemy Core. See the package docstring for the API.

Every write is committed before its method returns. Answers are written by one conditional
statement (insert, or replace the student's earlier answer, only while the question is open), so
a question closed a moment earlier refuses the answer even under concurrent writers, and SQLite
never has to upgrade a read lock to a write lock mid-transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from classroom import codes, limits
from classroom.engine import guarded, make_engine, upsert
from classroom.errors import ClassroomUnavailable, NotAllowed, NotFound, Refused
from classroom.limits import Attempts
from classroom.plans import step_titles
from classroom.questions import Reveal, check_spec, normalise_answer, reveal_table, spec_text
from classroom.schema import (
    CLASS_TABLES,
    answers,
    classes,
    ensure_schema,
    findings,
    lesson_plans,
    lesson_steps,
    questions,
    students,
)

MAX_STUDENTS = 300  # per class: a class of 30 with room to spare, and a bound on a join flood
STATES = ("open", "closed", "revealed")

NO_KEY = "Only the teacher who started this class can do that (this needs the class's teacher key)."
WRONG_KEY = "This teacher key opens no class: it is mistyped, or its class has ended."
CLASS_GONE = "This class has ended or was not found: join again with the code on the board."


@dataclass(frozen=True)
class ClassInfo:
    """A class as its teacher resumes it."""

    code: str
    created_at: datetime
    expires_at: datetime
    students: int


@dataclass(frozen=True)
class Question:
    """A question as it was opened (``spec`` exactly as given) and its state now."""

    question_id: int
    kind: str
    spec: dict
    state: str  # "open", "closed" or "revealed"
    opened_at: datetime
    closed_at: datetime | None
    revealed_at: datetime | None


@dataclass(frozen=True)
class Poll:
    """What a polling page needs, read in one query: the class's current question (its latest,
    None before the first) and the lesson step's version (0 before the first step)."""

    code: str
    expires_at: datetime
    question_id: int | None
    kind: str | None
    state: str | None
    own_answer: str | None  # a student poll: the student's current answer to it
    answers: int | None  # a teacher poll: how many answered it
    step_version: int


@dataclass(frozen=True)
class Step:
    """The class's current lesson step."""

    index: int
    page: str
    settings: dict
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class FollowedStep:
    """The class's current step as a following student reads it: where it is (``index`` in a plan
    of ``count`` steps, its ``title``), what to open (``page`` and ``settings``) and its ``version``.
    Title and count come from the teacher's saved plan ("" and 0 without one); never the note."""

    index: int
    page: str
    settings: dict
    version: int
    count: int
    title: str


def _delete_classes(connection: Connection, class_ids: list[int]) -> None:
    """Delete these classes and every row that belongs to them, children first (so it does not
    depend on the database enforcing ON DELETE CASCADE, which SQLite does only when asked)."""
    question_ids = sa.select(questions.c.id).where(questions.c.class_id.in_(class_ids))
    for table in CLASS_TABLES:
        if table is answers:
            where = answers.c.question_id.in_(question_ids)
        else:
            where = (classes.c.id if table is classes else table.c.class_id).in_(class_ids)
        connection.execute(sa.delete(table).where(where))


def _question_id(question_id: object) -> int:
    if isinstance(question_id, bool) or not isinstance(question_id, int):
        raise NotFound("That question was not found: it may belong to a class that has ended.")
    return question_id


def _poll_statement(extra_column: sa.ColumnElement, join_answer, whose: sa.ColumnElement) -> sa.Select:
    """A poll in one statement: the class (still live at ``:now``) of ``whose``, its latest question,
    ``extra_column`` and the lesson step's version. Built once: a page polls it every second or two,
    and a statement built anew would be compiled (looked up) anew on every poll."""
    latest = (
        sa.select(sa.func.max(questions.c.id))
        .where(questions.c.class_id == classes.c.id)
        .correlate(classes)
        .scalar_subquery()
    )
    columns = [classes.c.code, classes.c.expires_at, questions.c.id, questions.c.kind, questions.c.state]
    columns += [extra_column, sa.func.coalesce(lesson_steps.c.version, 0)]
    joined = join_answer(classes.outerjoin(questions, questions.c.id == latest))
    joined = joined.outerjoin(lesson_steps, lesson_steps.c.class_id == classes.c.id)
    now = sa.bindparam("now", type_=classes.c.expires_at.type)
    return sa.select(*columns).select_from(joined).where(classes.c.expires_at > now, whose)


STUDENT_POLL = _poll_statement(
    answers.c.value,
    lambda joined: joined.join(students, students.c.class_id == classes.c.id).outerjoin(
        answers, (answers.c.question_id == questions.c.id) & (answers.c.student_id == students.c.id)
    ),
    students.c.id == sa.bindparam("student_id"),
)
TEACHER_POLL = _poll_statement(
    sa.select(sa.func.count())
    .where(answers.c.question_id == questions.c.id)
    .correlate(questions)
    .scalar_subquery(),
    lambda joined: joined,
    classes.c.key_hash == sa.bindparam("key_hash"),
)


# --------------------------------------------------------------------------- the store


class ClassStore:
    """Classes in a database; see the ``classroom`` package docstring for the whole API.

    ``url``: a database URL, an SQLAlchemy Engine (the app passes ``st.connection(...).engine``)
    or None for ``CLASSROOM_DB_URL`` or else an SQLite file in the app's cache folder.
    ``expiry``: how long a class lives. ``clock``: a function giving the aware time now.
    Raises :class:`ClassroomUnavailable` when the database cannot be reached or upgraded.
    """

    def __init__(
        self,
        url: str | sa.URL | Engine | None = None,
        *,
        expiry: timedelta = limits.DEFAULT_EXPIRY,
        clock: Callable[[], datetime] = limits.utc_now,
    ) -> None:
        if expiry <= timedelta(0):
            raise ValueError("expiry must be a positive duration")
        self.engine = make_engine(url)
        self.expiry, self.clock = expiry, clock
        self.upgraded_from = guarded(ensure_schema)(self.engine)  # 0 for a new database

    def __repr__(self) -> str:
        return f"ClassStore({self.engine.url.render_as_string(hide_password=True)!r})"

    def dispose(self) -> None:
        """Close the store's pooled connections (an Engine passed in is the caller's to dispose)."""
        self.engine.dispose()

    # ----------------------------------------------------------------------- lookups

    def _live(self):
        return classes.c.expires_at > self.clock()

    def _class_of_key(self, connection: Connection, teacher_key: object) -> sa.Row:
        """The live class whose teacher key this is; NotAllowed otherwise (a student id too)."""
        if not codes.looks_like_key(teacher_key):
            raise NotAllowed(NO_KEY)
        found = connection.execute(
            sa.select(classes).where(classes.c.key_hash == codes.key_hash(teacher_key), self._live())
        ).one_or_none()
        if found is None:
            raise NotAllowed(WRONG_KEY)
        return found

    def _student(self, connection: Connection, student_id: object) -> sa.Row:
        """The student (with their class's code) in a live class; NotFound otherwise."""
        if not codes.looks_like_student_id(student_id):
            raise NotFound(CLASS_GONE)
        query = (
            sa.select(students.c.id, students.c.class_id, classes.c.code)
            .join(classes, classes.c.id == students.c.class_id)
            .where(students.c.id == student_id, self._live())
        )
        found = connection.execute(query).one_or_none()
        if found is None:
            raise NotFound(CLASS_GONE)
        return found

    def _question(self, connection: Connection, question_id: object) -> sa.Row:
        """A question of a live class; NotFound otherwise."""
        query = (
            sa.select(questions)
            .join(classes, classes.c.id == questions.c.class_id)
            .where(questions.c.id == _question_id(question_id), self._live())
        )
        found = connection.execute(query).one_or_none()
        if found is None:
            raise NotFound("That question was not found: it may belong to a class that has ended.")
        return found

    def _teachers_question(self, connection: Connection, teacher_key: object, question_id: object) -> sa.Row:
        teachers = self._class_of_key(connection, teacher_key)  # the key first: a wrong one learns nothing
        found = self._question(connection, question_id)
        if found.class_id != teachers.id:
            raise NotAllowed("That question belongs to another class: this teacher key cannot change it.")
        return found

    # ----------------------------------------------------------------------- classes

    @guarded
    def create_class(self) -> tuple[str, str]:
        """A new class: ``(join code, teacher key)``. Expired classes are deleted first."""
        self.delete_expired()
        now = self.clock()
        key = codes.new_teacher_key()
        for _ in range(20):  # a code still in use by a live class is drawn again
            code = codes.new_code()
            row = {
                "code": code,
                "key_hash": codes.key_hash(key),
                "created_at": now,
                "expires_at": now + self.expiry,
            }
            try:
                with self.engine.begin() as connection:
                    connection.execute(sa.insert(classes).values(**row))
                return code, key
            except exc.IntegrityError:
                continue
        raise ClassroomUnavailable("No free class code could be found; try again in a moment.")

    @guarded
    def resume(self, teacher_key: str) -> ClassInfo:
        """The teacher's class (after a reload or on another device), from the teacher key."""
        with self.engine.connect() as connection:
            found = self._class_of_key(connection, teacher_key)
            count = connection.execute(
                sa.select(sa.func.count()).select_from(students).where(students.c.class_id == found.id)
            ).scalar_one()
        return ClassInfo(found.code, found.created_at, found.expires_at, int(count))

    def class_code(self, teacher_key: str) -> str:
        """The join code of the teacher's class."""
        return self.resume(teacher_key).code

    @guarded
    def end_class(self, teacher_key: str) -> None:
        """Delete the teacher's class now, with everything in it."""
        with self.engine.begin() as connection:
            _delete_classes(connection, [self._class_of_key(connection, teacher_key).id])

    @guarded
    def delete_expired(self) -> int:
        """Delete every expired class with everything in it; the number of classes deleted. Cheap
        when nothing has expired (one indexed look-up), so a page may call it often."""
        with self.engine.begin() as connection:
            expired = sa.select(classes.c.id).where(classes.c.expires_at <= self.clock())
            class_ids = list(connection.execute(expired).scalars())
            if class_ids:
                _delete_classes(connection, class_ids)
            return len(class_ids)

    # ----------------------------------------------------------------------- students

    @guarded
    def join(self, code: str, nickname: str | None = None, *, attempts: Attempts | None = None) -> str:
        """Join the class with ``code``: a new anonymous student id.

        ``nickname``: optional, at most 24 characters, masked. ``attempts``: the session's wrong
        codes; when given, a wrong code counts, and too many raise :class:`TooManyAttempts`.
        """
        if attempts is not None:
            attempts.check()
        shown = limits.clean_nickname(nickname)
        canonical = codes.typed_code(code)
        with self.engine.begin() as connection:
            found = None
            if canonical is not None:
                query = sa.select(classes.c.id).where(classes.c.code == canonical, self._live())
                found = connection.execute(query).scalar_one_or_none()
            if found is None:
                if attempts is not None:
                    attempts.failed()
                raise NotFound(
                    "No class has that code. Check the 6 characters on the board (classes end after a day)."
                )
            count = sa.select(sa.func.count()).select_from(students).where(students.c.class_id == found)
            if connection.execute(count).scalar_one() >= MAX_STUDENTS:
                raise Refused(f"This class is full ({MAX_STUDENTS} students).")
            student_id = codes.new_student_id()
            row = {"id": student_id, "class_id": found, "nickname": shown, "joined_at": self.clock()}
            connection.execute(sa.insert(students).values(**row))
        return student_id

    @guarded
    def nicknames(self, teacher_key: str) -> list[str]:
        """The nicknames of the teacher's students, in joining order (students without one left out)."""
        with self.engine.connect() as connection:
            found = self._class_of_key(connection, teacher_key)
            query = (
                sa.select(students.c.nickname)
                .where(students.c.class_id == found.id, students.c.nickname.is_not(None))
                .order_by(students.c.joined_at, students.c.id)
            )
            return list(connection.execute(query).scalars())

    def student_count(self, teacher_key: str) -> int:
        """How many students joined the teacher's class."""
        return self.resume(teacher_key).students

    # ----------------------------------------------------------------------- questions

    @guarded
    def open_question(self, teacher_key: str, kind: str, spec: dict) -> int:
        """Open a question of ``kind`` (see ``classroom.questions``) with its ``spec``; it becomes
        the class's current question, and an earlier open one is closed. Its id."""
        text = check_spec(kind, spec)
        now = self.clock()
        with self.engine.begin() as connection:
            found = self._class_of_key(connection, teacher_key)
            connection.execute(
                sa.update(questions)
                .where(questions.c.class_id == found.id, questions.c.state == "open")
                .values(state="closed", closed_at=now)
            )
            row = {"class_id": found.id, "kind": kind, "spec": text, "state": "open", "opened_at": now}
            return connection.execute(
                sa.insert(questions).values(**row).returning(questions.c.id)
            ).scalar_one()

    @guarded
    def close(self, teacher_key: str, question_id: int) -> None:
        """Stop taking answers (nothing happens to a question already closed or revealed)."""
        with self.engine.begin() as connection:
            self._teachers_question(connection, teacher_key, question_id)
            connection.execute(
                sa.update(questions)
                .where(questions.c.id == question_id, questions.c.state == "open")
                .values(state="closed", closed_at=self.clock())
            )

    @guarded
    def reveal(self, teacher_key: str, question_id: int) -> None:
        """Show the class's answers to everyone (closing the question if it is still open)."""
        now = self.clock()
        with self.engine.begin() as connection:
            self._teachers_question(connection, teacher_key, question_id)
            connection.execute(
                sa.update(questions)
                .where(questions.c.id == question_id, questions.c.state != "revealed")
                .values(
                    state="revealed", revealed_at=now, closed_at=sa.func.coalesce(questions.c.closed_at, now)
                )
            )

    @guarded
    def question(self, question_id: int) -> Question:
        """A question: its kind, its spec as it was given, its state and times. The spec holds the
        model's answer (its numbers, the true value, the asked continuation): before the reveal a
        student's page shows only what the question asks."""
        with self.engine.connect() as connection:
            found = self._question(connection, question_id)
        return Question(
            found.id, found.kind, json.loads(found.spec), found.state,
            found.opened_at, found.closed_at, found.revealed_at,
        )  # fmt: skip

    @guarded
    def questions(self, teacher_key: str) -> pd.DataFrame:
        """The class's questions, oldest first: ``question_id``, ``kind``, ``state``, ``opened_at``,
        ``answers`` (how many answered)."""
        counted = (
            sa.select(sa.func.count())
            .where(answers.c.question_id == questions.c.id)
            .correlate(questions)
            .scalar_subquery()
        )
        with self.engine.connect() as connection:
            found = self._class_of_key(connection, teacher_key)
            query = (
                sa.select(questions.c.id, questions.c.kind, questions.c.state, questions.c.opened_at, counted)
                .where(questions.c.class_id == found.id)
                .order_by(questions.c.id)
            )
            rows = connection.execute(query).all()
        table = pd.DataFrame(rows, columns=["question_id", "kind", "state", "opened_at", "answers"])
        return table.astype({"question_id": "int64", "answers": "int64"})

    # ----------------------------------------------------------------------- answers

    @guarded
    def answer(self, question_id: int, student_id: str, value: object, *, tokenizer: Any = None) -> str:
        """Record (or replace) the student's answer while the question is open; committed before
        this returns. The answer as counted (normalised and masked). ``tokenizer``: the model's,
        for a next-token guess (see ``classroom.questions``)."""
        with self.engine.connect() as connection:
            student = self._student(connection, student_id)
            found = self._question(connection, question_id)
        if found.class_id != student.class_id:
            raise NotFound("That question is not in your class.")
        if found.state != "open":
            raise Refused("This question is closed: answers are no longer taken.")
        counted = normalise_answer(found.kind, json.loads(found.spec), value, tokenizer)
        with self.engine.begin() as connection:
            statement = self._answer_statement(connection, found.id, student.id, counted)
            # RETURNING says whether a row was written (rowcount is -1 for an INSERT on psycopg)
            written = connection.execute(statement.returning(answers.c.question_id)).first()
        if written is None:
            raise Refused("This question closed before your answer arrived: answers are no longer taken.")
        return counted

    def _answer_statement(self, connection: Connection, question_id: int, student_id: str, value: str):
        """INSERT the answer if the question is still open, replacing the student's earlier one."""
        when = sa.literal(self.clock(), answers.c.answered_at.type)
        still_open = sa.select(
            sa.literal(question_id), sa.literal(student_id), sa.literal(value, sa.String), when
        ).where(questions.c.id == question_id, questions.c.state == "open")
        statement = upsert(connection, answers).from_select(
            ["question_id", "student_id", "value", "answered_at"], still_open
        )
        return statement.on_conflict_do_update(
            index_elements=[answers.c.question_id, answers.c.student_id],
            set_={"value": statement.excluded.value, "answered_at": statement.excluded.answered_at},
        )

    @guarded
    def own_answer(self, question_id: int, student_id: str) -> str | None:
        """The student's current answer to the question (None if they have not answered)."""
        with self.engine.connect() as connection:
            student = self._student(connection, student_id)
            query = sa.select(answers.c.value).where(
                answers.c.question_id == _question_id(question_id), answers.c.student_id == student.id
            )
            return connection.execute(query).scalar_one_or_none()

    @guarded
    def answer_count(self, question_id: int) -> int:
        """How many students answered the question (a number only: no answer is shown)."""
        with self.engine.connect() as connection:
            found = self._question(connection, question_id)
            query = sa.select(sa.func.count()).select_from(answers).where(answers.c.question_id == found.id)
            return int(connection.execute(query).scalar_one())

    @guarded
    def tally(self, question_id: int, teacher_key: str | None = None) -> pd.DataFrame:
        """The anonymous tally, ``answer`` and ``count``, most common first. Without the teacher key
        only once the question is revealed (PermissionError before)."""
        with self.engine.connect() as connection:
            if teacher_key is None:
                found = self._question(connection, question_id)
                if found.state != "revealed":
                    raise NotAllowed("The class's answers are shown when the teacher reveals them.")
            else:
                found = self._teachers_question(connection, teacher_key, question_id)
            count = sa.func.count().label("count")
            query = (
                sa.select(answers.c.value, count)
                .where(answers.c.question_id == found.id)
                .group_by(answers.c.value)
                .order_by(count.desc(), answers.c.value)
            )
            rows = connection.execute(query).all()
        return pd.DataFrame(rows, columns=["answer", "count"]).astype({"answer": "object", "count": "int64"})

    def reveal_of(self, question_id: int, teacher_key: str | None = None, **extra: Any) -> Reveal:
        """The question's reveal (``classroom.questions.reveal_table``) from its spec and tally;
        the same rights as :meth:`tally`."""
        tally = self.tally(question_id, teacher_key)
        found = self.question(question_id)
        return reveal_table(found.kind, found.spec, tally, **extra)

    # ----------------------------------------------------------------------- polls

    @guarded
    def poll(self, student_id: str) -> Poll:
        """A student's poll, in one query: the class's current question, its state, the student's
        own answer to it and the lesson step's version. NotFound when the class has ended."""
        if not codes.looks_like_student_id(student_id):
            raise NotFound(CLASS_GONE)
        with self.engine.connect() as connection:
            row = connection.execute(
                STUDENT_POLL, {"student_id": student_id, "now": self.clock()}
            ).one_or_none()
        if row is None:
            raise NotFound(CLASS_GONE)
        return Poll(row[0], row[1], row[2], row[3], row[4], row[5], None, int(row[6]))

    @guarded
    def teacher_poll(self, teacher_key: str) -> Poll:
        """The teacher's poll, in one query: the current question, its state, how many answered it,
        and the lesson step's version."""
        if not codes.looks_like_key(teacher_key):
            raise NotAllowed(NO_KEY)
        values = {"key_hash": codes.key_hash(teacher_key), "now": self.clock()}
        with self.engine.connect() as connection:
            row = connection.execute(TEACHER_POLL, values).one_or_none()
        if row is None:
            raise NotAllowed(WRONG_KEY)
        answered = None if row[2] is None else int(row[5])
        return Poll(row[0], row[1], row[2], row[3], row[4], None, answered, int(row[6]))

    # ----------------------------------------------------------------------- a lesson (issue 26)

    @guarded
    def set_step(self, teacher_key: str, *, index: int, page: str, settings: dict) -> int:
        """Move the class to a lesson step (its plan index, page url path and settings); the step's
        new version, which grows by one on every change so a polling page notices cheaply."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise Refused("The step's index must be a whole number from 0.")
        if not isinstance(page, str) or not 0 < len(page) <= limits.MAX_PAGE_CHARS:
            raise Refused(f"The step's page must be a url path of 1 to {limits.MAX_PAGE_CHARS} characters.")
        text, now = spec_text(settings, "step's settings"), self.clock()
        with self.engine.begin() as connection:
            found = self._class_of_key(connection, teacher_key)
            row = {"step_index": index, "page": page, "settings": text, "updated_at": now}
            statement = upsert(connection, lesson_steps).values(class_id=found.id, version=1, **row)
            statement = statement.on_conflict_do_update(
                index_elements=[lesson_steps.c.class_id], set_={**row, "version": lesson_steps.c.version + 1}
            )
            return connection.execute(statement.returning(lesson_steps.c.version)).scalar_one()

    @guarded
    def current_step(self, code: str) -> Step | None:
        """The class's current lesson step (None before the teacher sets one), by its join code."""
        canonical = codes.typed_code(code)
        query = (
            sa.select(classes.c.id, lesson_steps)
            .outerjoin(lesson_steps, lesson_steps.c.class_id == classes.c.id)
            .where(classes.c.code == (canonical or ""), self._live())
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            raise NotFound(CLASS_GONE)
        if row.step_index is None:
            return None
        return Step(row.step_index, row.page, json.loads(row.settings), row.version, row.updated_at)

    @guarded
    def followed_step(self, student_id: str) -> FollowedStep | None:
        """The current step for a student of the class (None before the teacher sets one), with its
        title and the plan's length from the teacher's saved plan; NotFound when the class has ended.
        Read when the poll's ``step_version`` changes, not on every poll."""
        if not codes.looks_like_student_id(student_id):
            raise NotFound(CLASS_GONE)
        query = (
            sa.select(classes.c.id, lesson_steps, lesson_plans.c.plan)
            .join(students, students.c.class_id == classes.c.id)
            .outerjoin(lesson_steps, lesson_steps.c.class_id == classes.c.id)
            .outerjoin(lesson_plans, lesson_plans.c.class_id == classes.c.id)
            .where(students.c.id == student_id, self._live())
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            raise NotFound(CLASS_GONE)
        if row.step_index is None:
            return None
        titles = step_titles(row.plan) if row.plan else []
        title = titles[row.step_index] if row.step_index < len(titles) else ""
        settings = json.loads(row.settings)
        return FollowedStep(row.step_index, row.page, settings, row.version, len(titles), title)

    @guarded
    def save_plan(self, teacher_key: str, plan: str) -> None:
        """Keep the teacher's lesson plan (TOML text, at most 200 KB) with the class."""
        if not isinstance(plan, str):
            raise Refused("A lesson plan is saved as its TOML text.")
        size = len(plan.encode("utf-8"))
        if size > limits.MAX_PLAN_BYTES:
            raise Refused(
                f"The lesson plan is {size / 1024:.0f} KB; the limit is {limits.MAX_PLAN_BYTES // 1024} KB."
            )
        with self.engine.begin() as connection:
            found = self._class_of_key(connection, teacher_key)
            row = {"plan": plan, "updated_at": self.clock()}
            statement = upsert(connection, lesson_plans).values(class_id=found.id, **row)
            connection.execute(
                statement.on_conflict_do_update(index_elements=[lesson_plans.c.class_id], set_=row)
            )

    @guarded
    def load_plan(self, teacher_key: str) -> str | None:
        """The teacher's saved lesson plan (None if none was saved)."""
        with self.engine.connect() as connection:
            found = self._class_of_key(connection, teacher_key)
            query = sa.select(lesson_plans.c.plan).where(lesson_plans.c.class_id == found.id)
            return connection.execute(query).scalar_one_or_none()

    @guarded
    def send_finding(self, student_id: str, *, page: str, settings: dict, note: str = "") -> int:
        """A student sends their current view (page url path and settings) with a one-line note
        (at most 140 characters, masked) to the teacher's inbox. The finding's id."""
        if not isinstance(page, str) or not 0 < len(page) <= limits.MAX_PAGE_CHARS:
            raise Refused(f"The page must be a url path of 1 to {limits.MAX_PAGE_CHARS} characters.")
        text, shown = spec_text(settings, "view's settings"), limits.clean_note(note)
        with self.engine.begin() as connection:
            student = self._student(connection, student_id)
            sent = sa.select(sa.func.count()).select_from(findings).where(findings.c.student_id == student.id)
            if connection.execute(sent).scalar_one() >= limits.MAX_FINDINGS_PER_STUDENT:
                raise Refused(
                    f"You have sent {limits.MAX_FINDINGS_PER_STUDENT} findings, the most a student can send."
                )
            row = {"class_id": student.class_id, "student_id": student.id, "page": page, "settings": text}
            statement = sa.insert(findings).values(**row, note=shown, sent_at=self.clock())
            return connection.execute(statement.returning(findings.c.id)).scalar_one()

    @guarded
    def findings(self, teacher_key: str) -> pd.DataFrame:
        """The teacher's inbox, oldest first: ``finding_id``, ``nickname`` (None without one),
        ``page``, ``settings`` (a dict), ``note``, ``sent_at``."""
        with self.engine.connect() as connection:
            found = self._class_of_key(connection, teacher_key)
            query = (
                sa.select(findings.c.id, students.c.nickname, findings.c.page, findings.c.settings,
                          findings.c.note, findings.c.sent_at)
                .join(students, students.c.id == findings.c.student_id)
                .where(findings.c.class_id == found.id)
                .order_by(findings.c.id)
            )  # fmt: skip
            rows = connection.execute(query).all()
        columns = ["finding_id", "nickname", "page", "settings", "note", "sent_at"]
        table = pd.DataFrame(rows, columns=columns, dtype=object)  # a missing nickname stays None
        table["settings"] = [json.loads(text) for text in table["settings"]]
        table["sent_at"] = pd.to_datetime(table["sent_at"], utc=True)
        return table.astype({"finding_id": "int64"})
