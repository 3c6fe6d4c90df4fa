"""Page furniture (ui/page/): counts and column names written for people."""

from __future__ import annotations

import pandas as pd


def test_count_columns_get_thousands_separators():
    from ui.page.tables import columns_config

    frame = pd.DataFrame({"component": ["MLP"], "multiply_adds": [878902272], "token_id": [5]})
    config = columns_config(frame)
    assert config["multiply_adds"]["type_config"]["format"] == "%,d"
    assert "format" not in config["token_id"].get("type_config", {})  # ids keep their plain digits
