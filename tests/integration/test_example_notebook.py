"""docs/example.ipynb runs: its code cells, in order, in one namespace (so it cannot rot)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "example.ipynb"


def code_cells() -> list[str]:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def test_the_example_notebook_runs_top_to_bottom():
    namespace: dict = {"__name__": "__notebook__"}
    cells = code_cells()
    assert len(cells) >= 6
    for number, source in enumerate(cells, 1):
        exec(compile(source, f"{NOTEBOOK.name}, code cell {number}", "exec"), namespace)
    assert {"encoder", "lm", "table", "frame", "t", "grads", "mine"} <= namespace.keys()
    assert namespace["table"].iloc[0][["word_a", "word_b"]].tolist() == ["king", "queen"]
    assert namespace["t"].tokens[-1] == "␣is" and namespace["grads"].loss > 0
    assert namespace["mine"].model.training  # the user's model kept its mode
