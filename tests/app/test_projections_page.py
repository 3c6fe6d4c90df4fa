"""The Projections page, driven through Streamlit's AppTest."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from geometry.charts import packed
from geometry.charts import projections as charts

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


def plotly_figure(at: AppTest) -> dict:
    """The figure (data and layout) of the first Plotly chart on the page: st.plotly_chart's JSON,
    or the packed figure a vocabulary map sends (what the browser unpacks)."""
    charts = at.get("plotly_chart")
    if charts:
        return json.loads(charts[0].proto.spec)
    return packed.unpack(at.get("bidi_component")[0].proto.bytes)


def numbers(values) -> np.ndarray:
    """A Plotly array as numbers: Plotly sends numpy arrays as base64 typed arrays."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def points(figure: dict) -> pd.DataFrame:
    """Every point of every trace: trace name and type, word (customdata), coordinates."""
    rows = []
    for trace in figure["data"]:
        axes = {axis: numbers(trace[axis]) for axis in "xyz" if axis in trace}
        for i, custom in enumerate(trace.get("customdata", [])):
            coords = {axis: float(values[i]) for axis, values in axes.items()}
            rows.append({"trace": trace["name"], "type": trace["type"], "word": custom[0], **coords})
    return pd.DataFrame(rows)


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


def test_own_words_with_labels_on_3d_umap_flat_views():
    at = own_words(page().run())
    at.selectbox(key="pj_method").set_value("umap")
    at.button_group(key="pj_dims").set_value("3D flat").run()
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


def test_vocabulary_view_with_search_is_a_webgl_map():
    at = page().run()
    at.button_group(key="pj_view").set_value("Vocabulary").run()
    at.select_slider(key="pj_size").set_value(1_000)
    at.text_input(key="pj_search").input("st").run()
    assert not at.exception
    figure = plotly_figure(at)
    assert {trace["type"] for trace in figure["data"]} == {"scattergl"}
    data = points(figure)
    highlighted = data[data["trace"].isin(list(charts.ROLE_COLOURS))]
    assert len(data) - len(highlighted) == 1_000
    assert data.query("trace == 'chosen word'")["word"].tolist() == ["king"]
    matches = data.query("trace == 'search match'")["word"]  # matches that are not also neighbours
    assert len(matches) >= 5 and all(word.lower().startswith("st") for word in matches)
    assert any("match(es)" in caption.value for caption in at.caption)


def test_whole_vocabulary_with_pca_and_a_click_on_a_point():
    at = page().run()
    at.button_group(key="pj_view").set_value("Vocabulary").run()
    at.toggle(key="pj_all").set_value(True).run()
    assert not at.exception
    assert any("21," in caption.value and "whole-word tokens" in caption.value for caption in at.caption)
    assert 0.5 < float(metric(at, "Trustworthiness")) < 1.0  # computed after the map is drawn
    at.session_state["pj_map_plot"] = {"selection": {"points": [{"customdata": ["banana"]}]}}
    at.run()
    assert at.selectbox(key="pj_focus").value == "banana"
    chosen = points(plotly_figure(at)).query("trace == 'chosen word'")
    assert chosen["word"].tolist() == ["banana"]


def whole_vocabulary(**query: str) -> AppTest:
    at = page()
    for key, value in {"pj_view": "Vocabulary", "pj_all": "true", **query}.items():
        at.query_params[key] = value
    return at.run()


def test_the_whole_vocabularys_word_box_offers_a_few_words_and_takes_any(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMANTIC_GEOMETRY_CACHE", str(tmp_path))
    at = whole_vocabulary()
    box = at.selectbox(key="pj_focus")
    assert box.value == "king" and "banana" in box.options and len(box.options) < 1_000  # not 21,719
    at.text_input(key="pj_search").input("umbrel").run()
    assert "umbrella" in at.selectbox(key="pj_focus").options  # the search's matches are offered
    typed = whole_vocabulary(pj_focus="house")  # any word of the map (a link, or typed into the box)
    assert not typed.exception and not typed.warning
    assert points(plotly_figure(typed)).query("trace == 'chosen word'")["word"].tolist() == ["house"]
    assert any(m.value.startswith("**house**") for m in typed.markdown)
    unknown = whole_vocabulary(pj_focus="zzqx")
    assert not unknown.exception and any("'zzqx' is not one of the 21," in w.value for w in unknown.warning)
    assert unknown.selectbox(key="pj_focus").value == "zzqx"  # the typed word is kept, and named


def test_the_whole_vocabularys_map_is_kept_on_disk_for_the_next_server(tmp_path, monkeypatch):
    from ui.cache import projections as cache

    monkeypatch.setenv("SEMANTIC_GEOMETRY_CACHE", str(tmp_path))
    cache.projection_map.clear()
    cache.trust.clear()
    at = page().run()
    at.button_group(key="pj_view").set_value("Vocabulary").run()
    at.toggle(key="pj_all").set_value(True).run()
    assert not at.exception
    stored = list((tmp_path / "maps").glob("*_all_pca_2d_*.npz"))
    assert len(stored) == 1
    first = points(plotly_figure(at))
    cache.projection_map.clear()  # a new server: the map and its score come from the disk
    cache.trust.clear()
    computed = []
    project, score = cache.pj.project, cache.pj.trustworthiness
    counted = lambda X, *args, **kwargs: computed.append(len(X)) or project(X, *args, **kwargs)  # noqa: E731
    monkeypatch.setattr(cache.pj, "project", counted)
    monkeypatch.setattr(cache.pj, "trustworthiness", lambda X, *a: computed.append(len(X)) or score(X, *a))
    again = page().run()
    again.button_group(key="pj_view").set_value("Vocabulary").run()
    again.toggle(key="pj_all").set_value(True).run()
    assert not again.exception
    assert points(plotly_figure(again)).equals(first)
    assert 0.5 < float(metric(again, "Trustworthiness")) < 1.0
    assert max(computed) < 1_000  # only the small word-set map of the page's first view


def test_rotatable_3d_view_highlights_the_chosen_word_and_its_neighbours():
    at = page().run()
    at.button_group(key="pj_dims").set_value("3D").run()
    assert not at.exception
    figure = plotly_figure(at)
    assert {trace["type"] for trace in figure["data"]} == {"scatter3d"}
    assert figure["layout"]["scene"]["xaxis"]["title"]["text"].startswith("PC1 (")
    data = points(figure)
    assert data.query("trace == 'chosen word'")["word"].tolist() == ["king"]
    assert {"royalty and family", "fruit"} <= set(data["trace"])
    assert data.query("trace == 'kept neighbour' or trace == 'false neighbour'")["word"].nunique() >= 1
    colours = {trace["name"]: trace["marker"]["color"] for trace in figure["data"]}
    assert colours["royalty and family"] == "#0072B2" and colours["fruit"] == "#E69F00"


def test_custom_axes_place_words_by_scalar_projection():
    at = page().run()
    at.selectbox(key="pj_method").set_value("custom").run()
    at.text_input(key="pj_x_axis").input("man -> woman")
    at.text_input(key="pj_y_axis").input("apple - banana").run()
    assert not at.exception
    spec, data = map_data(at)
    assert spec["layer"][0]["encoding"]["x"]["title"] == "along man → woman"
    assert spec["layer"][0]["encoding"]["y"]["title"] == "along banana → apple"
    x = data.set_index("word")["x"]
    assert x["woman"] > x["man"]  # (w - m) · w - (w - m) · m = |w - m|² > 0
    cosine = float(metric(at, "Cosine between the axes"))
    assert -1.0 <= cosine <= 1.0
    assert any(
        "right angles" in markdown.value or "apart, not 90°" in markdown.value for markdown in at.markdown
    )


@pytest.mark.parametrize(
    ("x_axis", "message"),
    [
        ("->", "needs a word"),
        ("a -> b -> c", "more than two words"),
        ("ᚠᛇᚻ -> king", "has no tokens"),
        ("king -> king", "to itself"),
    ],
)
def test_bad_custom_axes_say_why(x_axis, message):
    at = page().run()
    at.selectbox(key="pj_method").set_value("custom").run()
    at.text_input(key="pj_x_axis").input(x_axis).run()
    assert not at.exception
    assert any(message in warning.value for warning in at.warning), [w.value for w in at.warning]
    assert at.text_input(key="pj_x_axis").value == x_axis


def uploaded_vectors() -> tuple[bytes, bytes]:
    """Three clusters of 10 points in 8 dimensions, a Projector TSV and its metadata with a header."""
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=5.0, size=(3, 8))
    X = np.concatenate([centre + rng.normal(size=(10, 8)) for centre in centres])
    vectors = "\n".join("\t".join(f"{v:.5f}" for v in row) for row in X).encode()
    names = ["point"] * 10 + ["place"] * 10 + ["thing"] * 10
    metadata = "word\tgroup\n" + "\n".join(f"{n}{i}\t{n}s" for i, n in enumerate(names))
    return vectors, metadata.encode()


def upload(at: AppTest, vectors: bytes, metadata: bytes | None = None, name: str = "vectors.tsv") -> AppTest:
    at.button_group(key="pj_view").set_value("Your vectors").run()
    at.file_uploader(key="pj_upload").set_value((name, vectors, "text/tab-separated-values"))
    if metadata is not None:
        at.file_uploader(key="pj_metadata").set_value(("metadata.tsv", metadata, "text/tab-separated-values"))
    return at.run()


def test_uploaded_vectors_are_mapped_coloured_and_searched():
    at = upload(page().run(), *uploaded_vectors())
    assert not at.exception
    at.selectbox(key="pj_colour").set_value("group").run()
    spec, data = map_data(at)
    assert len(data) == 30 and set(data["category"]) == {"points", "places", "things"}
    assert 0.9 < float(metric(at, "Trustworthiness")) <= 1.0  # three clean clusters
    nearest = at.dataframe[0].value
    assert set(nearest["word"].head(5)) <= {f"point{i}" for i in range(10)}  # point0's cluster
    at.selectbox(key="pj_method").set_value("custom").run()
    at.text_input(key="pj_x_axis").input("point0 -> place10")
    at.text_input(key="pj_y_axis").input("thing25").run()
    assert not at.exception
    _, data = map_data(at)
    assert data.set_index("word")["x"]["place10"] > data.set_index("word")["x"]["point0"]
    at.text_input(key="pj_y_axis").input("king").run()
    assert any("'king' is not a label in your file" in w.value for w in at.warning)


@pytest.mark.parametrize(
    ("vectors", "metadata", "message"),
    [
        (b"1\t2\t3\n4\t5\n6\t7\t8\n", None, "Row 2 has 2 numbers but row 1 has 3"),
        (b"", None, "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None, "binary file"),
        (b"1\t2\n3\t4\n5\t6\n", b"name\tgroup\na\tx\nb\ty\n", "they must match row for row"),
    ],
    ids=["ragged", "empty", "binary", "metadata rows"],
)
def test_a_bad_upload_gets_one_sentence_and_the_page_stays_usable(vectors, metadata, message):
    at = upload(page().run(), vectors, metadata)
    assert not at.exception
    assert any(message in warning.value for warning in at.warning), [w.value for w in at.warning]
    assert any("Limits: at most 20,000 rows" in caption.value for caption in at.caption)
    at.button_group(key="pj_view").set_value("Word sets").run()
    assert not at.exception and len(map_data(at)[1]) == 45


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


def test_presenter_mode_enlarges_the_3d_scenes_text():
    normal = page().run()
    normal.button_group(key="pj_dims").set_value("3D").run()
    big = page()
    big.session_state["presenter"] = True
    big.run()
    big.button_group(key="pj_dims").set_value("3D").run()
    assert not big.exception
    small_font, large_font = (plotly_figure(at)["layout"]["font"]["size"] for at in (normal, big))
    assert large_font >= 16 and large_font > small_font
    sizes = [label["font"]["size"] for label in plotly_figure(big)["layout"]["scene"]["annotations"]]
    assert sizes and min(sizes) >= 16
