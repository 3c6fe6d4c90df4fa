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


# --------------------------------------------------------------------------- vocabulary maps kept on disk

PARAMS = (("metric", "cosine"),)
VOCABULARY = ("tiny-model", "vocabulary", None)  # how the page names a model's whole vocabulary


@pytest.fixture
def maps_on_disk(tmp_path, monkeypatch):
    """ui.cache.projections with the app's cache folder in tmp_path and its memory caches empty
    (a new server), and a count of the maps it computed."""
    import numpy as np

    from ui.cache import projections as cache

    monkeypatch.setenv("SEMANTIC_GEOMETRY_CACHE", str(tmp_path))
    computed = []
    project = cache.pj.project

    def counted(*args, **kwargs):
        computed.append(args[1])
        return project(*args, **kwargs)

    monkeypatch.setattr(cache.pj, "project", counted)
    cache.projection_map.clear()
    cache.trust.clear()
    vectors = np.random.default_rng(0).normal(size=(40, 6)).astype(np.float32)  # (n, d)
    yield cache, vectors, computed
    cache.projection_map.clear()
    cache.trust.clear()


def new_server(cache) -> None:
    cache.projection_map.clear()
    cache.trust.clear()


def test_a_vocabulary_map_is_computed_once_and_read_back_from_disk(maps_on_disk, tmp_path):
    import numpy as np

    cache, vectors, computed = maps_on_disk
    first = cache.projection_map(VOCABULARY, "pca", 2, 0, PARAMS, vectors)
    path = cache.stored_map_path(VOCABULARY, "pca", 2, 0, PARAMS)
    assert path.parent == tmp_path / "maps" and path.is_file() and computed == ["pca"]
    new_server(cache)
    again = cache.projection_map(VOCABULARY, "pca", 2, 0, PARAMS, vectors)
    assert computed == ["pca"]  # read back, not computed
    assert np.array_equal(again.coords, first.coords) and again.titles == first.titles
    assert again.trust == pytest.approx(first.trust)


def test_a_corrupt_or_stale_stored_map_is_computed_again_and_replaced(maps_on_disk):
    import numpy as np

    cache, vectors, computed = maps_on_disk
    first = cache.projection_map(VOCABULARY, "pca", 2, 0, PARAMS, vectors)
    path = cache.stored_map_path(VOCABULARY, "pca", 2, 0, PARAMS)
    path.write_bytes(path.read_bytes()[:200])  # cut short, as by a crash of another tool
    new_server(cache)
    again = cache.projection_map(VOCABULARY, "pca", 2, 0, PARAMS, vectors)
    assert computed == ["pca", "pca"] and np.array_equal(again.coords, first.coords)
    new_server(cache)
    cache.projection_map(VOCABULARY, "pca", 2, 0, PARAMS, vectors)
    assert computed == ["pca", "pca"]  # the rewritten file is whole again
    retrained = vectors[::-1].copy()  # the same model name, other embedding rows
    new_server(cache)
    changed = cache.projection_map(VOCABULARY, "pca", 2, 0, PARAMS, retrained)
    assert computed == ["pca"] * 3 and np.allclose(np.abs(changed.coords), np.abs(first.coords[::-1]))


def test_the_trust_of_a_big_map_is_added_to_the_stored_map(maps_on_disk, monkeypatch):
    cache, vectors, computed = maps_on_disk
    monkeypatch.setattr(cache, "STABILITY_MAX_POINTS", 10)  # a "big" map: drawn first, scored after
    result = cache.projection_map(VOCABULARY, "pca", 2, 0, PARAMS, vectors)
    assert result.trust is None
    score = cache.trust(VOCABULARY, "pca", 2, 0, PARAMS, vectors, result.coords)
    new_server(cache)
    assert cache.projection_map(VOCABULARY, "pca", 2, 0, PARAMS, vectors).trust == pytest.approx(score)
    assert computed == ["pca"]


def test_word_sets_and_uploads_are_not_kept_on_disk(maps_on_disk, tmp_path):
    cache, vectors, computed = maps_on_disk
    for source in [("tiny-model", "static", ("dog", "cat")), ("upload", "0123abcd")]:
        assert cache.stored_map_path(source, "pca", 2, 0, PARAMS) is None
        cache.projection_map(source, "pca", 2, 0, PARAMS, vectors)
    assert not (tmp_path / "maps").exists() and computed == ["pca", "pca"]


def test_a_disk_that_cannot_be_written_only_costs_the_next_server_a_computation(maps_on_disk, tmp_path):
    cache, vectors, computed = maps_on_disk
    (tmp_path / "maps").write_text("a file where the folder should be")
    result = cache.projection_map(VOCABULARY, "pca", 2, 0, PARAMS, vectors)
    assert result.coords.shape == (40, 2) and computed == ["pca"]
