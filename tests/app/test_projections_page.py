"""The Projections page, driven through Streamlit's AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "lessons" / "projections.py")
OWN_WORDS = "pets: dog, cat, horse, cow, rabbit\nfruit: apple, banana, cherry, pear, plum"
HOSTILE = [
    "",
    "   \n\t  ",
    "😀🎉🚀",
    "!!! ??? ...",
    "x" * 5_000,
    ", ".join(f"word{i}" for i in range(600)),
    "1e309",
    "<script>alert('hi')</script><b>bold</b>",
    "\x00\x07\x1b[31m",
    "ᚠᛇᚻ, ᚱᚢᚾ",
]


def page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=300)


def map_data(at: AppTest) -> tuple[dict, pd.DataFrame]:
    """The spec and the data table of the first chart on the page (the map)."""
    chart = at.get("vega_lite_chart")[0].proto
    table = pa.ipc.open_stream(chart.datasets[0].data.data).read_pandas()
    return json.loads(chart.spec), table


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def own_words(at: AppTest, text: str = OWN_WORDS) -> AppTest:
    at.selectbox(key="pj_preset").set_value("(only my words)")
    at.text_area(key="pj_words").input(text)
    return at


def test_default_page_maps_royalty_and_fruit_with_pca():
    at = page().run()
    assert not at.exception
    spec, data = map_data(at)
    assert len(data) == 45 and set(data["category"]) == {"royalty and family", "fruit"}
    assert data.loc[data["word"] == "king", "role"].item() == "chosen word"
    assert spec["layer"][0]["encoding"]["x"]["title"].startswith("PC1 (")
    assert 0.5 < float(metric(at, "Trustworthiness")) <= 1.0
    assert metric(at, "Spread kept").endswith("%")
    nearest = at.dataframe[0].value
    assert nearest["word"].iloc[0] == "queen"  # king's nearest word in the full space


def test_clicking_a_point_chooses_its_word():
    at = page().run()
    at.session_state["pj_map_chart"] = {"selection": {"pick": [{"word": "banana"}]}}
    at.run()
    assert at.selectbox(key="pj_focus").value == "banana"
    _, data = map_data(at)
    assert data.loc[data["word"] == "banana", "role"].item() == "chosen word"


def test_own_words_with_labels_on_a_3d_umap():
    at = own_words(page().run())
    at.selectbox(key="pj_method").set_value("umap")
    at.button_group(key="pj_dims").set_value("3D").run()
    assert not at.exception
    spec, data = map_data(at)
    assert len(spec["hconcat"]) == 3 and {"x", "y", "z"} <= set(data.columns)
    assert set(data["category"]) == {"pets", "fruit"}
    assert any("n_neighbors lowered from 15 to 9" in info.value for info in at.info)
    assert 0.0 <= float(metric(at, "Trustworthiness")) <= 1.0


def test_seed_comparison_for_umap():
    at = own_words(page().run())
    at.selectbox(key="pj_method").set_value("umap").run()
    at.toggle(key="pj_stability").set_value(True).run()
    assert not at.exception
    assert 0.0 <= float(metric(at, "Mean Procrustes disparity")) <= 1.0
    assert metric(at, "Shared map neighbours").endswith("%")


def test_vocabulary_view_with_search():
    at = page().run()
    at.button_group(key="pj_view").set_value("Vocabulary").run()
    at.select_slider(key="pj_size").set_value(1_000)
    at.text_input(key="pj_search").input("king").run()
    assert not at.exception
    spec, data = map_data(at)
    assert len(data) == 1_000 and spec["usermeta"] == {"embedOptions": {"renderer": "canvas"}}
    assert "search match" in set(data["role"]) or data.loc[data["word"] == "king", "role"].item()
    assert any("match(es)" in caption.value for caption in at.caption)


def test_sentence_vectors_need_the_encoder():
    at = page().run()
    at.selectbox(key="pj_model").set_value("SmolLM2-135M-Instruct")
    at.selectbox(key="pj_kind").set_value("sentence").run()
    assert not at.exception
    assert any("Sentence vectors come from the encoder" in w.value for w in at.warning)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_words_warn_and_stay_in_the_box(text):
    at = own_words(page().run(), text).run()
    assert not at.exception
    assert at.warning, "expected a warning"
    assert at.text_area(key="pj_words").value == text


def test_hostile_searches_never_break_the_page():
    at = page().run()
    for text in HOSTILE:
        at.text_input(key="pj_search").input(text).run()
        assert not at.exception
        assert at.text_input(key="pj_search").value == text
        if text.strip("\x00\x07 \n\t"):
            assert at.warning, repr(text[:20])
