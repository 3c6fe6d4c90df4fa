"""Charts come out the same with Altair's schema table built once (geometry.charts)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from geometry import charts


def _paths_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "occurrence": np.repeat(["a", "b"], 4),
            "sense": np.repeat(["river", "money"], 4),
            "text": "the bank",
            "layer": [f"layer {i}" for i in range(4)] * 2,
            "layer_index": list(range(4)) * 2,
            "x": rng.random(8),
            "y": rng.random(8),
        }
    )


def test_a_chart_is_the_same_with_the_schema_table_built_once(monkeypatch):
    from altair.utils import schemapi

    shared = json.dumps(charts.occurrence_paths_chart(_paths_frame(), 2).to_dict(), sort_keys=True)
    monkeypatch.setattr(schemapi._FromDict, "__init__", schemapi._FromDict._original_init)
    fresh = json.dumps(charts.occurrence_paths_chart(_paths_frame(), 2).to_dict(), sort_keys=True)
    assert shared == fresh
