"""Where the class store keeps its data: an SQLite file in the app's cache folder unless
CLASSROOM_DB_URL says otherwise; PostgreSQL URLs go through psycopg 3."""

from __future__ import annotations

from classroom import ClassStore
from classroom.engine import default_url, driver_url


def test_the_default_is_an_sqlite_file_in_wal_mode_in_the_cache_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CLASSROOM_DB_URL", raising=False)
    monkeypatch.setenv("SEMANTIC_GEOMETRY_CACHE", str(tmp_path / "cache"))
    store = ClassStore()
    code, key = store.create_class()
    path = tmp_path / "cache" / "classroom.sqlite3"
    assert default_url() == f"sqlite:///{path}" and path.is_file()  # the folder is made on first use
    with store.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert (pragma("journal_mode"), pragma("synchronous"), pragma("foreign_keys")) == ("wal", 2, 1)
        assert pragma("busy_timeout") == 30_000
    store.dispose()
    assert ClassStore().resume(key).code == code  # the next process finds the class


def test_classroom_db_url_points_the_store_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("CLASSROOM_DB_URL", f"sqlite:///{tmp_path / 'school.db'}")
    monkeypatch.setenv("SEMANTIC_GEOMETRY_CACHE", str(tmp_path / "cache"))
    ClassStore().create_class()
    assert (tmp_path / "school.db").is_file() and not (tmp_path / "cache").exists()


def test_postgresql_urls_use_psycopg_3_whatever_they_name():
    for url in ("postgresql://u:p@db.school/class", "postgres://u:p@db.school/class"):
        assert driver_url(url).drivername == "postgresql+psycopg"
    assert driver_url("postgresql+psycopg://u@h/d").drivername == "postgresql+psycopg"
    assert driver_url("sqlite:///x.db").drivername == "sqlite"
