"""Which database a class lives in: the ``[connections.classroom]`` secret (st.connection) before
``CLASSROOM_DB_URL``, and a hosted PostgreSQL's plain ``postgresql://`` URL in the secret works as it is."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from classroom import ClassStore
from tests.app.conftest import APP, healthy, reset_class_store
from tests.integration.classroom.conftest import empty_database, postgres_server  # noqa: F401 - a fixture

pytestmark = pytest.mark.slow


def started_with_secret(url: str, monkeypatch, tmp_path) -> str:
    """Start a class in an app whose secret names ``url`` (and whose CLASSROOM_DB_URL names another
    database); the teacher key."""
    monkeypatch.setenv("CLASSROOM_DB_URL", f"sqlite:///{tmp_path / 'environment.sqlite3'}")
    reset_class_store()
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["connections"] = {"classroom": {"url": url}}
    at.run()
    at.button(key="_class_start").click().run()
    healthy(at)
    reset_class_store()
    return at.session_state["_class_teacher_key"]


def test_the_secret_names_the_class_database(monkeypatch, tmp_path):
    secret = f"sqlite:///{tmp_path / 'secret.sqlite3'}"
    key = started_with_secret(secret, monkeypatch, tmp_path)
    assert ClassStore(secret).resume(key).students == 0
    with pytest.raises(PermissionError):
        ClassStore(f"sqlite:///{tmp_path / 'environment.sqlite3'}").resume(key)


@pytest.mark.postgres
def test_a_hosted_postgresql_url_in_the_secret(postgres_server, monkeypatch, tmp_path):  # noqa: F811
    url = empty_database(postgres_server).replace(
        "postgresql+psycopg://", "postgresql://"
    )  # as hosts give it
    key = started_with_secret(url, monkeypatch, tmp_path)
    store = ClassStore(url)
    assert store.resume(key).students == 0
    store.dispose()
