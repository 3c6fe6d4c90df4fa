"""The README's class, run as written on the packaged causal model: it stays true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]


def readme_class_code() -> str:
    section = (ROOT / "README.md").read_text().split("## Running a class from a notebook", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL)[1]


def test_the_readmes_class_runs_on_the_real_model(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLASSROOM_DB_URL", f"sqlite:///{tmp_path / 'class.sqlite3'}")
    names: dict = {}
    exec(compile(readme_class_code(), "README.md", "exec"), names)  # our own README's code
    reveal, store, question = names["reveal"], names["store"], names["question"]
    printed = capsys.readouterr().out
    assert printed.startswith("2\n") and "answer" in printed and "count" in printed
    table = reveal.table.set_index("token")
    assert table.loc["␣Paris", "votes"] == 1 and table.loc["␣Paris", "rank"] >= 1  # a top-10 token
    assert (
        reveal.summary["answers"] == 2 and reveal.summary["top_token"] == table.index[table["rank"] == 1][0]
    )
    assert store.question(question).spec == names["spec"]  # the model's numbers, kept as given
    store.dispose()
