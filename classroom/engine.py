"""The database under the class store: which one, how its connections are set up, and what a
page is told when it fails.

* ``None``: ``CLASSROOM_DB_URL`` if set, else an SQLite file in the app's cache folder.
* A URL: ``postgresql://`` and ``postgres://`` go through psycopg 3.
* An SQLAlchemy Engine (the app passes ``st.connection("classroom", type="sql").engine``): used as
  it is; an SQLite one gets the same connection settings as the store's own.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from classroom.errors import ClassroomUnavailable
from classroom.shared import cache_root

URL_VARIABLE = "CLASSROOM_DB_URL"
SQLITE_FILE = "classroom.sqlite3"
BUSY_TIMEOUT_SECONDS = 30  # SQLite: how long a writer waits for another one
CONNECT_TIMEOUT_SECONDS = 5  # PostgreSQL: an unreachable server fails this fast


def default_url() -> str:
    """``CLASSROOM_DB_URL`` if set, else an SQLite file in the app's cache folder (created here)."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        return url
    folder = Path(cache_root())
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / SQLITE_FILE}"


def driver_url(url: str) -> sa.URL:
    """A URL with psycopg 3 as PostgreSQL's driver (``postgres://`` and ``postgresql://`` name none)."""
    parsed = sa.make_url(
        url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url
    )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_settings(dbapi_connection, _record) -> None:
    """Every SQLite connection: WAL (readers never wait for the writer), a durable commit, a busy
    timeout instead of an immediate "database is locked", and foreign keys on."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def make_engine(url: str | sa.URL | Engine | None = None) -> Engine:
    """An engine for ``url`` (see :func:`default_url` for None); an Engine is used as it is, except
    that an SQLite one gets the settings of :func:`_sqlite_settings` on its connections."""
    if isinstance(url, Engine):
        engine = url
    else:
        parsed = driver_url(str(url) if url is not None else default_url())
        arguments: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            # A server restarts or drops idle connections; a file does not (a ping would be a second
            # query on every poll of a class: a third of a poll's time)
            arguments["pool_pre_ping"] = True
            if "connect_timeout" not in parsed.query:
                arguments["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        engine = sa.create_engine(parsed, **arguments)
    if engine.dialect.name not in ("sqlite", "postgresql"):
        raise ClassroomUnavailable(
            "The class store works with SQLite or PostgreSQL, not " + engine.dialect.name + "."
        )
    if engine.dialect.name == "sqlite" and not sa.event.contains(engine, "connect", _sqlite_settings):
        sa.event.listen(engine, "connect", _sqlite_settings)
        engine.dispose()  # connections made before the settings would lack them
    return engine


def _sentence(error: exc.DBAPIError) -> str:
    """What a page says when the database fails."""
    text = str(error.orig).lower()
    if "read-only" in text or "readonly" in text:
        return (
            "The class database is read-only, so the class cannot save anything. The lessons work without it."
        )
    return (
        "The class database cannot be reached right now. Try again in a moment; the lessons work without it."
    )


def guarded(method: Callable) -> Callable:
    """Turn a database failure into :class:`ClassroomUnavailable` with a sentence for the page."""

    @functools.wraps(method)
    def guarded(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (exc.OperationalError, exc.InternalError, exc.InterfaceError) as error:
            raise ClassroomUnavailable(_sentence(error)) from error
        except exc.TimeoutError as error:  # every pooled connection stayed busy
            raise ClassroomUnavailable(
                "The class database is too busy right now. Try again in a moment."
            ) from error

    return guarded


def upsert(connection: Connection, table: sa.Table):
    """The dialect's INSERT with ON CONFLICT (SQLite and PostgreSQL spell it alike)."""
    return (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(table)
