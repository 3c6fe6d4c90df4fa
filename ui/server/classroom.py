"""The server's one class store: built on first use, shared by every session, retried after a failure.

Which database (``classroom.engine`` documents the rest):

1. the ``[connections.classroom]`` secret (``.streamlit/secrets.toml``, or the app's secrets on
   Community Cloud): ``st.connection("classroom", type="sql")``, whose engine the store uses;
2. else ``CLASSROOM_DB_URL``;
3. else an SQLite file in the app's cache folder, created on first use.

A database that cannot be reached is not fatal: :func:`class_store` raises
:class:`classroom.ClassroomUnavailable` (its message is a sentence for the page), the lesson pages
carry on without the class, and the store is tried again after :data:`RETRY_SECONDS`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import streamlit as st

from classroom import ClassroomUnavailable, ClassStore
from classroom.engine import CONNECT_TIMEOUT_SECONDS, driver_url

log = logging.getLogger(__name__)

RETRY_SECONDS = 10.0  # after a failed connection, how long every session is told "unavailable"
CONNECTION_NAME = "classroom"


class StoreHolder:
    """Builds the store once (under a lock, so thirty first visitors make one), remembers a failure
    for ``retry_seconds`` and then tries again."""

    def __init__(self, connect: Callable[[], ClassStore], retry_seconds: float = RETRY_SECONDS) -> None:
        self.connect, self.retry_seconds = connect, retry_seconds
        self._lock = threading.Lock()
        self._store: ClassStore | None = None
        self._failure: ClassroomUnavailable | None = None
        self._failed_at = 0.0

    def get(self) -> ClassStore:
        """The store; :class:`ClassroomUnavailable` while the database cannot be reached."""
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is not None:
                return self._store
            if self._failure is not None and time.monotonic() - self._failed_at < self.retry_seconds:
                raise self._failure
            try:
                self._store = self.connect()
            except ClassroomUnavailable as failure:
                log.warning("class store unavailable: %s", failure)
                self._failure, self._failed_at = failure, time.monotonic()
                raise
            self._failure = None
            return self._store


def configured_by_secrets() -> bool:
    """Whether the app's secrets hold ``[connections.classroom]`` (no secrets file: False)."""
    if not st.secrets.load_if_toml_exists():
        return False
    connections = st.secrets.get("connections", {})
    return CONNECTION_NAME in connections


def connection_settings(secret: dict) -> dict:
    """``st.connection``'s arguments for the ``[connections.classroom]`` secret: the secret itself and,
    for PostgreSQL, psycopg 3 as the driver (a hosted database's ``postgresql://`` URL names none,
    and SQLAlchemy's default driver is not installed), a connection that fails within seconds when
    the server is unreachable, and a ping for connections a server dropped."""
    settings = dict(secret)
    if "url" in secret:
        url = driver_url(str(secret["url"]))
        settings["url"] = url.render_as_string(hide_password=False)
        postgresql = url.get_backend_name() == "postgresql"
    else:
        postgresql = str(secret.get("dialect", "")).startswith("postgres")
        if postgresql:
            settings |= {"dialect": "postgresql", "driver": secret.get("driver", "psycopg")}
    if postgresql:
        settings |= {"pool_pre_ping": True, "connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS}}
    return settings


def connect() -> ClassStore:
    """A store on the secret's connection, else on ``CLASSROOM_DB_URL`` or the SQLite file."""
    if configured_by_secrets():
        try:
            secret = dict(st.secrets["connections"][CONNECTION_NAME])
            engine = st.connection(CONNECTION_NAME, type="sql", **connection_settings(secret)).engine
        except Exception as error:  # noqa: BLE001 - any driver or URL error: the page says one sentence
            log.warning("the classroom connection in the secrets failed: %s", error)
            raise ClassroomUnavailable(
                "The class database in the app's secrets cannot be reached right now. The lessons "
                "work without it."
            ) from error
        return ClassStore(engine)
    return ClassStore()


@st.cache_resource(show_spinner=False)
def store_holder() -> StoreHolder:
    """The server's one holder of the class store."""
    return StoreHolder(connect)


def class_store() -> ClassStore:
    """The server's class store; :class:`ClassroomUnavailable` (a sentence) when its database fails."""
    return store_holder().get()
