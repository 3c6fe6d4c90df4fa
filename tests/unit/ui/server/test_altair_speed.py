"""The app's Altair speed-ups (ui/server/altair_speed.py): the same chart specifications, faster."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SPECS = """
import json
import numpy as np, pandas as pd
from geometry.charts import context, dot_products, style
from geometry.words import similarity
from ui.server.altair_speed import restore_altair, speed_up_altair

def specs():
    rng = np.random.default_rng(0)
    paths = pd.DataFrame({
        "occurrence": np.repeat(["a", "b"], 4), "sense": np.repeat(["river", "money"], 4), "text": "the bank",
        "layer": [f"layer {i}" for i in range(4)] * 2, "layer_index": list(range(4)) * 2,
        "x": rng.random(8), "y": rng.random(8),
    })
    heat = similarity.similarity_frame(np.array([[1.0, 0.5], [0.5, 1.0]]), ["dog", "cat"], "cosine")
    built = [
        context.occurrence_paths_chart(paths, 2), dot_products.similarity_heatmap_chart(heat, "cosine"),
        style.presenter_sized(dot_products.similarity_heatmap_chart(heat, "cosine")),
    ]
    return [json.dumps(chart.to_dict(), sort_keys=True) for chart in built]

import altair as alt
plain = specs()
speed_up_altair()
switched = (alt.utils.schemapi.DEBUG_MODE, getattr(alt.utils.schemapi._FromDict, "_table_once", False))
fast, again = specs(), specs()
restore_altair()
restored = alt.utils.schemapi.DEBUG_MODE and not alt.utils.schemapi._FromDict._table_once
print(json.dumps({"same": plain == fast == again, "switched": switched, "restored": restored}))
"""


def test_the_speed_ups_give_identical_chart_specifications():
    done = subprocess.run([sys.executable, "-c", SPECS], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"same": True, "switched": [False, True], "restored": True}


def calls(path: Path, name: str) -> int:
    tree = ast.parse(path.read_text())
    return sum(
        isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", "")) == name
        for n in ast.walk(tree)
    )


def test_the_app_switches_the_speed_ups_on_in_one_place():
    scripts = [ROOT / "app.py", *(ROOT / "ui").rglob("*.py"), *(ROOT / "lessons").glob("*.py")]
    scripts += list((ROOT / "geometry").rglob("*.py"))
    callers = {path.relative_to(ROOT).as_posix(): calls(path, "speed_up_altair") for path in scripts}
    assert {path: n for path, n in callers.items() if n} == {"app.py": 1}
