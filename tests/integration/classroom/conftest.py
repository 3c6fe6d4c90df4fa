"""The class store on real engines: every store test runs on SQLite and on a real PostgreSQL server.

The PostgreSQL server is Debian's (``make postgres`` installs it), started once per test session in
a temporary folder, on 127.0.0.1 and a free port, as the ``postgres`` user when the tests run as
root (PostgreSQL refuses root), and stopped at the end. Each test starts from an empty database. When
no server can be started the PostgreSQL half is skipped with the reason, unless
``REQUIRE_POSTGRES=1`` (set by CI), which turns the skip into a failure.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from classroom import ClassStore


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    folder: Path

    def url(self, database: str = "postgres", **query: str) -> str:
        options = "&".join(f"{key}={value}" for key, value in query.items())
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{database}" + (
            f"?{options}" if options else ""
        )


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (REQUIRE_POSTGRES=1, so this is a failure)", pytrace=False)
    pytest.skip(reason)


def _binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian keeps it off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    on_path = shutil.which("pg_ctl")
    chosen = found[-1] if found else on_path
    return Path(chosen).parent if chosen else None


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=120)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for this test session (see the module docstring)."""
    binaries = _binaries()
    if binaries is None:
        _unavailable("PostgreSQL is not installed (make postgres installs Debian's package)")
    folder = Path(tempfile.mkdtemp(prefix="classroom-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", free_port()
    made = _run([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C", "--no-sync"])  # fmt: skip
    started = made.returncode == 0 and _run([
        str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
        "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200",
        "start",
    ])  # fmt: skip
    if not started or started.returncode != 0:
        output = (made.stderr if made.returncode else started.stderr + started.stdout).strip()
        shutil.rmtree(folder, ignore_errors=True)
        _unavailable(f"PostgreSQL could not start here: {output[-500:]}")
    try:
        yield PostgresServer("127.0.0.1", port, folder)
    finally:
        _run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


def empty_database(server: PostgresServer) -> str:
    """The server's test database, emptied (its schema dropped and made again, much quicker than a
    new database): its URL."""
    import psycopg

    with psycopg.connect(host=server.host, port=server.port, user="postgres", dbname="postgres",
                         autocommit=True) as connection:  # fmt: skip
        connection.execute("SET lock_timeout = '20s'")  # a test that left a transaction open fails here
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = 'classroom_tests'").fetchone():
            connection.execute("CREATE DATABASE classroom_tests")
    with psycopg.connect(host=server.host, port=server.port, user="postgres", dbname="classroom_tests",
                         autocommit=True) as connection:  # fmt: skip
        connection.execute("SET lock_timeout = '20s'")
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")
    return server.url("classroom_tests")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """An empty database on each engine: a new SQLite file, or the real server's emptied test database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'class.sqlite3'}"
    return empty_database(request.getfixturevalue("postgres_server"))


class Clock:
    """A clock a test moves by hand (``clock.now += timedelta(...)``); it starts at the real now."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **duration: float) -> None:
        self.now += timedelta(**duration)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database_url, clock) -> Iterator[ClassStore]:
    """A class store on a fresh database of each engine, with a clock the test controls."""
    opened = ClassStore(database_url, clock=clock)
    yield opened
    opened.dispose()


def populated_class(store: ClassStore) -> tuple[str, str, str, int]:
    """A class with something in every table: a student (Ada) who answered an open question and
    sent a finding, a lesson step and a plan. ``(code, key, student_id, question_id)``."""
    from tests.unit.classroom.examples import spec

    code, key = store.create_class()
    ada = store.join(code, nickname="Ada")
    question_id = store.open_question(key, "number", spec("number"))
    store.answer(question_id, ada, "0.5")
    store.set_step(key, index=0, page="dot-products", settings={})
    store.save_plan(key, 'title = "the teacher\'s"')
    store.send_finding(ada, page="dot-products", settings={}, note="look")
    return code, key, ada, question_id


@contextlib.contextmanager
def statements(store: ClassStore) -> Iterator[list[str]]:
    """The SQL statements the store sends while the block runs (a real listener on the engine)."""
    import sqlalchemy as sa

    sent: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
