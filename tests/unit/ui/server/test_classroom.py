"""The server's one class store (ui/server/classroom.py): built once for every session, a failed
database remembered for a few seconds then tried again, and a hosted PostgreSQL secret read with the
driver the app installs."""

from __future__ import annotations

import threading

import pytest

from classroom import ClassroomUnavailable
from ui.server.classroom import StoreHolder, connection_settings


def test_thirty_first_visitors_share_one_store():
    made, gate = [], threading.Event()

    def connect():
        gate.wait(5)
        made.append(object())
        return made[-1]

    holder = StoreHolder(connect)
    found: list[object] = []
    threads = [threading.Thread(target=lambda: found.append(holder.get())) for _ in range(30)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(10)
    assert len(made) == 1 and found == made * 30


def test_a_failed_database_is_remembered_then_tried_again():
    attempts = []

    def connect():
        attempts.append(1)
        if len(attempts) == 1:
            raise ClassroomUnavailable("The class database cannot be reached right now.")
        return "store"

    holder = StoreHolder(connect, retry_seconds=3600)
    for _ in range(3):  # the sessions of the next seconds hear the same sentence, without a new attempt
        with pytest.raises(ClassroomUnavailable, match="cannot be reached"):
            holder.get()
    assert len(attempts) == 1
    holder.retry_seconds = 0
    assert holder.get() == "store" and holder.get() == "store" and len(attempts) == 2


@pytest.mark.parametrize(
    ("secret", "url"),
    [
        (
            {"url": "postgresql://ada:pw@db.example.org/class"},
            "postgresql+psycopg://ada:pw@db.example.org/class",
        ),
        (
            {"url": "postgres://ada:pw@db.example.org:6543/class"},
            "postgresql+psycopg://ada:pw@db.example.org:6543/class",
        ),
        (
            {"url": "postgresql+psycopg://ada@db.example.org/class"},
            "postgresql+psycopg://ada@db.example.org/class",
        ),
    ],
)
def test_a_hosted_postgresql_url_gets_the_installed_driver_and_a_connect_timeout(secret, url):
    settings = connection_settings(secret)
    assert settings["url"] == url
    assert settings["connect_args"] == {"connect_timeout": 5} and settings["pool_pre_ping"] is True


def test_other_secrets_are_used_as_they_are():
    assert connection_settings({"url": "sqlite:////tmp/class.sqlite3"}) == {
        "url": "sqlite:////tmp/class.sqlite3"
    }
    fields = {"dialect": "postgresql", "host": "db", "username": "ada"}
    expected = {**fields, "driver": "psycopg", "pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}
    assert connection_settings(fields) == expected
