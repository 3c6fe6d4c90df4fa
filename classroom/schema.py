"""The class database's tables (SQLAlchemy Core), their version, and the upgrade between versions.

Version 1 (issue 25): ``classes``, ``students``, ``questions``, ``answers``.
Version 2 (issue 26): ``lesson_steps`` (a class's current step: plan index, page, settings, and a
version counter that grows on every change), ``lesson_plans`` (the teacher's plan as TOML text) and
``findings`` (what students send to the teacher).

Each table records the version that added it (``table.info["since"]``); the one-row table
``classroom_schema`` records the database's version. :func:`ensure_schema` creates a new database at
:data:`VERSION` or upgrades an older one step by step (:data:`UPGRADES`), inside one transaction
that holds a lock (PostgreSQL: an advisory lock; SQLite: ``BEGIN IMMEDIATE``), so two app processes
starting together upgrade once. A later version that changes an existing table adds its own step
to :data:`UPGRADES` rather than editing the tables above.

Times are stored in UTC (:class:`UTCDateTime`) and read back as aware datetimes on both engines.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from classroom.errors import ClassroomUnavailable

VERSION = 2
_LOCK_ID = 0x5E6C1A55  # the PostgreSQL advisory lock for schema changes


class UTCDateTime(sa.types.TypeDecorator):
    """A datetime stored in UTC; SQLite's naive text comes back as aware UTC like PostgreSQL's."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the class store takes aware datetimes only (the clock must give a time zone)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()


def _cascade(column: str) -> sa.ForeignKey:
    return sa.ForeignKey(column, ondelete="CASCADE")


schema_table = sa.Table(
    "classroom_schema",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # always 1: one row
    sa.Column("version", sa.Integer, nullable=False),
    info={"since": 1},
)
classes = sa.Table(
    "classes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(6), nullable=False, unique=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),  # SHA-256 of the teacher key
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
    info={"since": 1},
)
students = sa.Table(
    "students",
    metadata,
    sa.Column("id", sa.String(22), primary_key=True),  # random, lives in the student's URL
    sa.Column("class_id", sa.Integer, _cascade("classes.id"), nullable=False, index=True),
    sa.Column("nickname", sa.String(96)),  # ≤ 24 characters typed, masked
    sa.Column("joined_at", UTCDateTime, nullable=False),
    info={"since": 1},
)
questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, _cascade("classes.id"), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("spec", sa.Text, nullable=False),  # the JSON text, exactly as the page gave it
    sa.Column("state", sa.String(10), nullable=False),  # open, closed, revealed
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Column("closed_at", UTCDateTime),
    sa.Column("revealed_at", UTCDateTime),
    sa.Index("questions_by_class", "class_id", "id"),
    info={"since": 1},
)
answers = sa.Table(
    "answers",
    metadata,
    sa.Column("question_id", sa.Integer, _cascade("questions.id"), primary_key=True),
    sa.Column("student_id", sa.String(22), _cascade("students.id"), primary_key=True),  # one each
    sa.Column("value", sa.String(255), nullable=False),  # the answer as counted
    sa.Column("answered_at", UTCDateTime, nullable=False),
    info={"since": 1},
)
lesson_steps = sa.Table(
    "lesson_steps",
    metadata,
    sa.Column("class_id", sa.Integer, _cascade("classes.id"), primary_key=True),
    sa.Column("step_index", sa.Integer, nullable=False),  # the step's index in the plan
    sa.Column("page", sa.String(200), nullable=False),  # the lesson page's url path
    sa.Column("settings", sa.Text, nullable=False),  # the page's URL settings as JSON
    sa.Column("version", sa.Integer, nullable=False),  # grows by 1 on every change
    sa.Column("updated_at", UTCDateTime, nullable=False),
    info={"since": 2},
)
lesson_plans = sa.Table(
    "lesson_plans",
    metadata,
    sa.Column("class_id", sa.Integer, _cascade("classes.id"), primary_key=True),
    sa.Column("plan", sa.Text, nullable=False),  # TOML text, as the teacher saved it
    sa.Column("updated_at", UTCDateTime, nullable=False),
    info={"since": 2},
)
findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, _cascade("classes.id"), nullable=False, index=True),
    sa.Column("student_id", sa.String(22), _cascade("students.id"), nullable=False, index=True),
    sa.Column("page", sa.String(200), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON
    sa.Column("note", sa.String(512), nullable=False),  # one line, masked
    sa.Column("sent_at", UTCDateTime, nullable=False),
    info={"since": 2},
)

# Children before parents: the order in which a class's rows are deleted.
CLASS_TABLES = [answers, findings, lesson_steps, lesson_plans, questions, students, classes]


def tables_since(version: int) -> list[sa.Table]:
    """The tables that version ``version`` added."""
    return [table for table in metadata.sorted_tables if table.info["since"] == version]


def _add_tables(version: int) -> Callable[[Connection], None]:
    def upgrade(connection: Connection) -> None:
        metadata.create_all(connection, tables=tables_since(version))

    return upgrade


UPGRADES: dict[int, Callable[[Connection], None]] = {2: _add_tables(2)}  # to version → step


def _lock(connection: Connection) -> None:
    """Hold the schema lock until the transaction ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    else:  # SQLite: take the write lock now, so no other process upgrades at the same time
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def found_version(connection: Connection) -> int | None:
    """The database's schema version; None for a database without the class tables."""
    if not sa.inspect(connection).has_table(schema_table.name):
        return None
    return connection.execute(sa.select(schema_table.c.version)).scalar_one_or_none()


def create(connection: Connection, version: int = VERSION) -> None:
    """Create the tables of ``version`` (and no later ones) in an empty database."""
    wanted = [table for table in metadata.sorted_tables if table.info["since"] <= version]
    metadata.create_all(connection, tables=wanted)
    connection.execute(sa.insert(schema_table).values(id=1, version=version))


def _refuse_newer(version: int | None) -> None:
    if version is not None and version > VERSION:
        raise ClassroomUnavailable(
            f"The class database was made by a newer version of the app (schema {version}; this "
            f"one knows {VERSION}). Update the app, or point it at another database."
        )


def ensure_schema(engine: Engine) -> int:
    """Create or upgrade the class tables to :data:`VERSION`; the version found before (0 if new).

    A database already at the current version is only read (a read-only one opens). Raises
    :class:`ClassroomUnavailable` for a database made by a newer version of the app.
    """
    with engine.connect() as connection:
        version = found_version(connection)
    _refuse_newer(version)
    if version == VERSION:
        return VERSION
    with engine.begin() as connection:
        _lock(connection)
        version = found_version(connection)  # another process may have done it meanwhile
        _refuse_newer(version)
        if version is None:
            create(connection)
            return 0
        for step in range(version + 1, VERSION + 1):
            UPGRADES[step](connection)
        connection.execute(sa.update(schema_table).values(version=VERSION))
        return version
