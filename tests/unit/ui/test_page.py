"""Page furniture (ui/page/): counts written for people."""

from __future__ import annotations

import pandas as pd


def test_count_columns_get_thousands_separators():
    from ui.page.layout import counts_config

    frame = pd.DataFrame({"component": ["MLP"], "multiply_adds": [878902272], "token_id": [5]})
    assert set(counts_config(frame)) == {"multiply_adds"}  # ids keep their plain digits
