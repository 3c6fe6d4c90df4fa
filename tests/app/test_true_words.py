"""Issue 23, item 2, on the pages: words that are true to the screen.

Generated text read verbatim (a line break shown as ↵, never a literal "\\n"), a sampled token never
"p = 0.000", a cosine of 80.9° never "aligned", tables headed in words, and one display of a token
in the Next token tab's chart and table. (Every place that quotes model text is fed hostile text in
tests/unit/ui/test_text.py; every box's limits are in tests/app/test_hostile_input.py.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
TRACE = str(ROOT / "lessons" / "trace.py")


def open_page(script: str, **query: str) -> AppTest:
    at = AppTest.from_file(script, default_timeout=600)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(markdown: str) -> str:
    """Markdown as it reads on the page: escaped marks without their backslash."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_generated_text_is_shown_verbatim_with_its_line_breaks_visible():
    """ " Paris.\\n\\nThe" reads “ Paris.↵↵The”, not ' Paris.\\n\\nThe' with a literal backslash-n."""
    at = open_page(TRACE, tr_tab="Generate", tr_prompt="The capital of France is", tr_generate_n="5")
    continuation = next(shown(m.value) for m in at.markdown if m.value.startswith("Continuation"))
    assert "\\n" not in continuation and "'" not in continuation
    assert continuation.startswith("Continuation: “ Paris") and "↵" in continuation, continuation
    append = next(b.label for b in at.button if b.label.startswith("Append “"))
    assert append == "Append “ Paris” and step again"


def test_a_sampled_token_never_reads_as_impossible():
    """Sampled (seed 0) after "The storm is" is ␣great, a rare but possible token: not p = 0.000."""
    at = open_page(TRACE, tr_tab="Next token", tr_choice="sample", tr_seed="0")
    sampled = next(m for m in at.metric if m.label.startswith("Sampled"))
    assert sampled.delta != "p = 0.000"
    assert sampled.delta == "p < 0.001" or float(sampled.delta.removeprefix("p = ")) > 0


def test_a_cosine_of_81_degrees_reads_nearly_perpendicular():
    at = open_page(
        str(ROOT / "lessons" / "dot_products.py"), dp_words="king, large", dp_a="king", dp_b="large"
    )
    angle = float(next(m.value for m in at.metric if m.label == "angle").rstrip("°"))
    assert 75 < angle < 105  # the encoder's king and large: about 81°
    reading = next(m.value for m in at.markdown if m.value.startswith("**Reading:"))
    assert reading.startswith("**Reading: nearly perpendicular.**") and "same way" not in reading


def raw_headers(table) -> list[str]:
    """The table's columns the page heads with their machine name (snake_case, no label of its own)."""
    settings = json.loads(table.proto.columns or "{}")
    return [
        str(name)
        for name in table.value.columns
        if "_" in str(name) and not settings.get(str(name), {}).get("label")
    ]


@pytest.mark.parametrize(
    "tab", ["Attention", "Next token", "Generate", "Experiments", "Cost", "Sampling lab"]
)
def test_tables_are_headed_in_words(tab):
    """No q_dot_k, weighted_value_norm, token_id, after_filters or multiply_adds_with_cache on screen."""
    at = open_page(TRACE, tr_tab=tab, tr_prompt="The capital of France is", tr_generate_n="2")
    assert len(at.dataframe) > 1
    assert [header for table in at.dataframe[1:] for header in raw_headers(table)] == []


def chart_rows(at: AppTest, column: str) -> list[dict]:
    """The rows behind the page's charts that have ``column`` (Streamlit sends them as Arrow)."""
    rows = []
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frame = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            if column in frame.columns:
                rows.extend(frame.to_dict("records"))
    return rows


def test_the_next_token_chart_and_table_name_each_token_the_same_way():
    """Token 216 is "␣ space" on the chart's axis: the table says the same, not "␣"."""
    at = open_page(TRACE, tr_tab="Next token")
    table = next(d.value for d in at.dataframe if "after_filters" in d.value.columns)
    on_chart = {row["rank"]: row["token_label"] for row in chart_rows(at, "token_label")}
    assert on_chart and {rank: on_chart[rank] for rank in table["rank"]} == dict(
        zip(table["rank"], table["token"], strict=True)
    )
