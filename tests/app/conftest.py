"""The class through the whole app (app.py) with AppTest: a class database per test, and the helpers the
class's app tests share (each AppTest is one browser tab: one session of the same server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from classroom import ClassStore

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def reset_class_store() -> None:
    """Forget the server's class store (the next session builds it from CLASSROOM_DB_URL again)."""
    from ui.server.classroom import store_holder

    store_holder.clear()


@pytest.fixture
def class_db(tmp_path, monkeypatch) -> Iterator[ClassStore]:
    """An empty SQLite class database the app uses (CLASSROOM_DB_URL), and a store on it for the test."""
    url = f"sqlite:///{tmp_path / 'class.sqlite3'}"
    monkeypatch.setenv("CLASSROOM_DB_URL", url)
    reset_class_store()
    store = ClassStore(url)
    yield store
    store.dispose()
    reset_class_store()


def tab(page: str | None = None, **query: str) -> AppTest:
    """A new tab on the app (``page``: a lesson's script, e.g. "lessons/dot_products.py"), run once."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update(query)
    at.run()
    if page:  # after a first run: st.navigation then knows the pages by their url paths
        at.switch_page(page).run()
    return at


def shown(at: AppTest) -> str:
    """Everything a tab shows in words (markdown, headings, captions, alerts, metrics, code)."""
    parts = [e.value for kind in ("markdown", "caption", "subheader", "success", "info", "warning", "error",
                                  "code", "toast") for e in getattr(at, kind)]  # fmt: skip
    parts += [f"{m.label}: {m.value}" for m in at.metric]
    return "\n".join(str(part) for part in parts)


def healthy(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, label: str):
    """The one button (or form button) with this label."""
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, (label, [b.label for b in at.button])
    return found[0]


def start_class(at: AppTest) -> str:
    """Start a class in this tab (the sidebar's button); its code."""
    at.button(key="_class_start").click().run()
    healthy(at)
    return at.session_state["_class_code"]


def answer(at: AppTest, question_id: int, value: str | int) -> AppTest:
    """A student's answer: typed into the box, or the index of a choice; then *Send*."""
    key = f"_class_answer_{question_id}"
    if isinstance(value, str):
        at.text_input(key=key).input(value)
    else:
        at.radio(key=key).set_value(value)
    label = "Change my answer" if any(b.label == "Change my answer" for b in at.button) else "Send my answer"
    button(at, label).click().run()
    return healthy(at)
