"""ui.cache's chart conversion: what the page sends equals Streamlit's own, validated conversion."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from geometry.charts import style as charts


@pytest.mark.parametrize(
    "build",
    [
        lambda: charts.layered(
            alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3.0, 4.5]})).mark_point().encode(x="x:Q", y="y:Q"),
            alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3.0, 4.5]})).mark_line().encode(x="x:Q", y="y:Q"),
        ),
        lambda: alt.Chart(pd.DataFrame({"a": ["p", "q"], "b": [1, -1]})).mark_bar().encode(x="a:N", y="b:Q"),
    ],
)
def test_an_unvalidated_conversion_sends_the_same_specification(build):
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    from ui.cache.charts import unvalidated

    chart = unvalidated(build())
    assert _convert_altair_to_vega_lite_spec(chart) == _convert_altair_to_vega_lite_spec(build())
    assert "to_dict" not in vars(build())  # only the chart it was given changed


def test_an_unvalidated_chart_skips_the_schema_check():
    from ui.cache.charts import unvalidated

    broken = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    broken.mark = "not-a-mark"  # the schema check would refuse this
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        broken.to_dict()
    assert unvalidated(broken).to_dict()["mark"] == {"type": "not-a-mark"}
