"""Page furniture (ui/page/): counts and column names written for people."""

from __future__ import annotations

import pandas as pd


def test_count_columns_get_thousands_separators():
    from ui.page.tables import columns_config

    frame = pd.DataFrame({"component": ["MLP"], "multiply_adds": [878902272], "token_id": [5]})
    config = columns_config(frame)
    assert config["multiply_adds"]["type_config"]["format"] == "%,d"
    assert "format" not in config["token_id"].get("type_config", {})  # ids keep their plain digits


def test_the_packed_map_is_drawn_with_the_plotly_streamlit_ships():
    """packed_plotly.js imports Streamlit's own Plotly.js bundle, which sets window.Plotly; a
    Streamlit upgrade that renames or changes it must fail here, not on a teacher's projector."""
    from pathlib import Path

    import streamlit as st

    from ui.page import packed_plotly

    chunk = packed_plotly.plotly_chunk()
    assert chunk is not None and packed_plotly.COMPONENT is not None
    bundle = (Path(st.__file__).parent / "static" / "static" / "js" / chunk).read_text(encoding="utf-8")
    assert "window.Plotly=" in bundle


def test_the_browser_unpacks_every_kind_of_number_the_packer_writes():
    import re

    import numpy as np

    from geometry.charts import packed
    from ui.page import packed_plotly

    written = {
        packed.encode_numbers(values)[0]["dtype"]
        for values in (np.array([0.5, 1.0]), np.array([-20.0, 20.0]), np.array([1e300, 0.0]))
    }
    read = set(re.findall(r'"(<[a-z]\d)": \w+Array', packed_plotly.SCRIPT.read_text(encoding="utf-8")))
    assert written == read == {"<u2", "<i4", "<f8"}


def test_the_apps_own_address_parameters_are_never_named_as_a_pages_unknown_settings():
    """A journey step (lesson, lesson_step) and a class (class, student) ride on every page's address:
    the link notice must not call them "not settings of this page"."""
    from ui.page.links import unused_url_settings

    asked = {
        "lesson": ["start_here"],
        "lesson_step": ["7"],
        "class": ["ABCDEF"],
        "student": ["s"],
        "exploring": ["true"],
    }
    assert unused_url_settings({**asked, "zz": ["1"]}, "context", shown=lambda key: None) == ([], ["“zz”"])
