"""Projections, faithfulness measures, word sets and their charts, on hand-made vectors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness as sklearn_trustworthiness
from sklearn.neighbors import NearestNeighbors

from geometry.charts import plotly as plotly_charts
from geometry.charts import projections as projections_charts
from geometry.charts import style as charts
from geometry.projection import axes as projection_axes
from geometry.projection import faithfulness, maps
from geometry.projection import methods as pj
from geometry.words import wordsets as ws


def blobs(n_per: int = 20, d: int = 12, centres: int = 3, seed: int = 0) -> np.ndarray:
    """Well separated clusters: (centres * n_per, d)."""
    rng = np.random.default_rng(seed)
    middles = rng.normal(scale=6.0, size=(centres, d))
    return np.concatenate([middle + rng.normal(size=(n_per, d)) for middle in middles])


# --------------------------------------------------------------------------- PCA


@pytest.mark.parametrize("n_components", [1, 2, 3])
def test_pca_matches_scikit_learn(n_components):
    X = np.random.default_rng(1).normal(size=(60, 10)) * np.arange(1, 11)
    result = pj.project(X, "pca", n_components)
    reference = PCA(n_components=n_components, svd_solver="full").fit(X)
    np.testing.assert_allclose(
        result.explained_variance_ratio, reference.explained_variance_ratio_, rtol=1e-10
    )
    np.testing.assert_allclose(result.coords, reference.transform(X), atol=1e-9)
    assert result.coords.shape == (60, n_components)


def test_pca_with_more_dimensions_than_points_matches_scikit_learn():
    X = np.random.default_rng(2).normal(size=(8, 30))
    result = pj.project(X, "pca", 3)
    reference = PCA(n_components=3, svd_solver="full").fit(X)
    np.testing.assert_allclose(
        result.explained_variance_ratio, reference.explained_variance_ratio_, rtol=1e-10
    )
    np.testing.assert_allclose(np.abs(result.coords), np.abs(reference.transform(X)), atol=1e-9)


def test_pca_of_two_points_pads_axes_without_spread():
    result = pj.project(np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]), "pca", 3)
    assert result.coords.shape == (2, 3)
    assert result.explained_variance_ratio[0] == pytest.approx(1.0)
    assert np.all(result.coords[:, 2] == 0) and result.explained_variance_ratio[2] == 0
    assert any("zero" in note for note in result.notes)


# --------------------------------------------------------------------------- trustworthiness


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
@pytest.mark.parametrize("k", [1, 5, 12])
def test_trustworthiness_equals_scikit_learn(metric, k):
    X = np.random.default_rng(2).normal(size=(80, 16))
    coords = X[:, :2] + np.random.default_rng(3).normal(scale=0.3, size=(80, 2))
    ours = pj.trustworthiness(X, coords, k, metric)
    assert ours == pytest.approx(sklearn_trustworthiness(X, coords, n_neighbors=k, metric=metric), abs=1e-12)


def test_trustworthiness_spans_perfect_to_poor():
    X = blobs()
    assert pj.trustworthiness(X, X, 5, "euclidean") == pytest.approx(1.0)
    shuffled = np.random.default_rng(0).permutation(X)
    assert pj.trustworthiness(X, shuffled[:, :2], 5, "euclidean") < 0.7


def test_trustworthiness_refuses_too_large_k():
    with pytest.raises(ValueError, match="k from 1 to"):
        pj.trustworthiness(np.eye(4), np.eye(4)[:, :2], 2)


def test_projection_trustworthiness_is_none_below_three_points():
    assert pj.project(np.array([[0.0, 1.0], [1.0, 0.0]]), "pca").trustworthiness is None
    assert pj.project(np.eye(3) + 0.1, "pca").trustworthiness is not None


def test_exact_neighbours_match_scikit_learn():
    X = np.random.default_rng(4).normal(size=(700, 8))  # more rows than one chunk
    indices, distances = pj.exact_neighbours(X, 6, "euclidean")
    ref_distances, ref_indices = NearestNeighbors(n_neighbors=6).fit(X).kneighbors(X)
    assert (indices[:, 0] == np.arange(700)).all()
    np.testing.assert_array_equal(indices, ref_indices)
    np.testing.assert_allclose(distances, ref_distances, atol=1e-9)


def test_exact_neighbours_put_a_point_first_among_its_duplicates():
    X = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    indices, distances = pj.exact_neighbours(X, 2, "cosine")
    assert indices[:, 0].tolist() == [0, 1, 2] and distances[:2, 1].tolist() == [0.0, 0.0]


# --------------------------------------------------------------------------- UMAP and t-SNE


@pytest.mark.parametrize("method", ["umap", "tsne"])
def test_same_seed_same_map(method):
    X = blobs(n_per=15)
    first = pj.project(X, method, random_state=7)
    again = pj.project(X, method, random_state=7)
    np.testing.assert_array_equal(first.coords, again.coords)


def test_umap_with_another_seed_draws_another_map():
    X = blobs(n_per=15)
    assert not np.allclose(pj.project(X, "umap", random_state=7).coords, pj.project(X, "umap").coords)


@pytest.mark.parametrize(("method", "n_components"), [("umap", 3), ("tsne", 2)])
def test_neighbour_methods_keep_separated_clusters_apart(method, n_components):
    X = blobs()
    result = pj.project(X, method, n_components)
    assert result.coords.shape == (60, n_components) and result.explained_variance_ratio is None
    assert result.trustworthiness > 0.9


def test_umap_settings_reach_umap_learn(monkeypatch):
    seen = {}

    def fake_run(X, n_components, seed, neighbours, settings, init, knn):
        seen.update(n_components=n_components, seed=seed, neighbours=neighbours, init=init, knn=knn)
        seen.update(settings)
        return np.zeros((len(X), n_components))

    monkeypatch.setattr(pj, "_run_umap", fake_run)
    pj.project(blobs(), "umap", 3, 5, n_neighbors=7, min_dist=0.4, metric="euclidean")
    assert (seen["n_components"], seen["seed"], seen["neighbours"], seen["init"]) == (3, 5, 7, "spectral")
    assert (seen["min_dist"], seen["metric"]) == (0.4, "euclidean")
    assert seen["knn"][0].shape == (60, 7)


def test_umap_falls_back_to_a_pca_start_when_spectral_fails(monkeypatch):
    inits = []
    real = pj._run_umap

    def flaky(X, n_components, seed, neighbours, settings, init, knn):
        inits.append(init)
        if init == "spectral":
            raise TypeError("Cannot use scipy.linalg.eigh for sparse A with k >= N")
        return real(X, n_components, seed, neighbours, settings, init, knn)

    monkeypatch.setattr(pj, "_run_umap", flaky)
    result = pj.project(blobs(n_per=4), "umap")
    assert inits == ["spectral", "pca"] and result.coords.shape == (12, 2)
    assert any("spectral start failed" in note for note in result.notes)


# --------------------------------------------------------------------------- tiny and bad inputs


@pytest.mark.parametrize("method", pj.METHODS)
@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("n_components", [2, 3])
def test_tiny_inputs_give_a_map_or_a_message(method, n, n_components):
    X = np.random.default_rng(n).normal(size=(n, 6))
    params = {"n_neighbors": 15} if method == "umap" else {}  # n_neighbors ≥ n
    try:
        result = pj.project(X, method, n_components, **params)
    except ValueError as error:
        assert "add" in str(error) or "choose" in str(error)  # tells the user what to do
        assert n == 1 or (method == "umap" and n == 2)
        return
    assert result.coords.shape == (n, n_components)
    assert np.isfinite(result.coords).all()


def test_umap_clips_n_neighbors_and_says_so():
    result = pj.project(np.random.default_rng(0).normal(size=(5, 4)), "umap", n_neighbors=50)
    assert result.params["n_neighbors"] == 4
    assert any("n_neighbors lowered from 50 to 4" in note for note in result.notes)


def test_umap_on_three_points_in_3d_starts_from_pca():
    result = pj.project(np.random.default_rng(0).normal(size=(3, 4)), "umap", 3)
    assert result.params["init"] == "pca" and result.coords.shape == (3, 3)


def test_tsne_lowers_perplexity_below_the_number_of_points():
    result = pj.project(blobs(n_per=3), "tsne", perplexity=30)
    assert result.params["perplexity"] < 9 and any("Perplexity" in note for note in result.notes)


@pytest.mark.parametrize(
    ("X", "kwargs", "message"),
    [
        (np.ones((4, 3)), {}, "same vector"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), {}, "infinite or missing"),
        (np.array([[1e309, 0.0], [0.0, 1.0]]), {}, "infinite or missing"),
        (np.arange(5.0), {}, "table"),
        ([["a", "b"], ["c", "d"]], {}, "numbers"),
        (np.eye(3), {"method": "mds"}, "Unknown method"),
        (np.eye(3), {"n_components": 4}, "1, 2 or 3"),
        (np.eye(3), {"metric": "manhattan"}, "Unknown metric"),
        (np.eye(3), {"perplexity": 5}, "no setting perplexity"),
        (np.eye(3), {"method": "umap", "n_neighbors": 1}, "n_neighbors"),
        (np.eye(3), {"method": "umap", "n_neighbors": 2.5}, "whole number"),
        (np.eye(3), {"method": "umap", "min_dist": 3}, "min_dist"),
        (np.eye(3), {"method": "tsne", "perplexity": 0}, "perplexity"),
    ],
)
def test_bad_inputs_raise_messages_for_the_user(X, kwargs, message):
    kwargs = {"method": "pca", **kwargs}
    with pytest.raises(ValueError, match=message):
        pj.project(X, **kwargs)


def test_too_many_points_are_refused_before_any_work():
    with pytest.raises(ValueError, match="limit"):
        pj.project(np.zeros((pj.MAX_POINTS + 1, 2)), "pca", **pj.PAGE_LIMITS)
    with pytest.raises(ValueError, match="t-SNE is slow"):
        pj.project(
            np.random.default_rng(0).normal(size=(pj.TSNE_MAX_POINTS + 1, 2)), "tsne", **pj.PAGE_LIMITS
        )


def test_the_library_leaves_sizes_to_the_caller():
    """Without limits (a notebook), a map bigger than the page allows is made; with them, refused."""
    X = np.random.default_rng(0).normal(size=(12, 3))
    assert pj.project(X, "pca").coords.shape == (12, 2)
    with pytest.raises(ValueError, match="limit of 10"):
        pj.project(X, "pca", max_points=10)
    with pytest.raises(ValueError, match="t-SNE is slow"):
        pj.project(X, "tsne", tsne_max_points=10)


# --------------------------------------------------------------------------- neighbours and seeds


def test_neighbour_comparison_flags_false_and_lost_neighbours():
    X = np.array([[0.0], [1.0], [2.0], [3.0], [10.0]])
    coords = np.array([[0.0], [4.0], [2.0], [3.0], [1.0]])  # 4 is pulled in, 1 pushed out
    table = faithfulness.neighbour_comparison(X, coords, 0, 2, "euclidean", labels=list("abcde"))
    assert table["original_word"].tolist() == ["b", "c"]
    assert table["projected_word"].tolist() == ["e", "c"]
    assert table["false_neighbour"].tolist() == [True, False]
    assert table["kept"].tolist() == [False, True]
    assert table["original_distance"].tolist() == [1.0, 2.0]
    roles = maps.neighbour_roles(table, 0, 5)
    assert roles == ["chosen word", "lost neighbour", "kept neighbour", "", "false neighbour"]


def test_neighbour_comparison_shrinks_k_and_checks_the_index():
    X = np.eye(3)
    assert len(faithfulness.neighbour_comparison(X, X[:, :2], 1, k=10)) == 2
    with pytest.raises(ValueError, match="no word number 3"):
        faithfulness.neighbour_comparison(X, X[:, :2], 3)


def test_seed_stability_of_pca_is_perfect():
    stability = faithfulness.seed_stability(blobs(), "pca", seeds=[0, 1, 2])
    assert stability.disparity == pytest.approx(0.0, abs=1e-12)
    assert stability.neighbour_overlap == 1.0 and len(stability.coords) == 3


def test_seed_stability_of_umap_measures_a_real_change():
    X = np.random.default_rng(5).normal(size=(40, 10))  # no structure: seeds disagree
    stability = faithfulness.seed_stability(X, "umap", seeds=[0, 1], k=5)
    assert 0.0 < stability.disparity < 1.0
    assert 0.0 < stability.neighbour_overlap < 1.0
    assert stability.coords[1].shape == (40, 2)


def test_alignment_undoes_rotation_scale_and_shift():
    reference = np.random.default_rng(6).normal(size=(20, 2))
    turn = np.array([[0.0, -1.0], [1.0, 0.0]])
    moved = 3.0 * reference @ turn + 5.0
    np.testing.assert_allclose(faithfulness._aligned_to(reference, moved), reference, atol=1e-9)


def test_seed_stability_needs_two_seeds():
    with pytest.raises(ValueError, match="2 different seeds"):
        faithfulness.seed_stability(blobs(), "pca", seeds=[3, 3])


# --------------------------------------------------------------------------- tables


def test_axis_titles_and_frame():
    result = pj.project(blobs(), "pca", 3)
    titles = maps.axis_titles(result)
    assert titles[0].startswith("PC1 (") and "of the spread" in titles[2]
    frame = maps.projection_frame(["w"] * 60, ["c"] * 60, result.coords)
    assert list(frame.columns) == ["word", "category", "x", "y", "z", "role"]
    assert (frame["x"] == frame["x"].round(4)).all() and set(frame["role"]) == {""}
    umap_like = pj.Projection(np.zeros((2, 2)), "umap", None, {"metric": "cosine"}, (), np.eye(2))
    assert maps.axis_titles(umap_like) == ["UMAP 1", "UMAP 2"]


# --------------------------------------------------------------------------- word sets


def test_curated_categories():
    assert len(ws.CATEGORIES) >= 8
    assert all(10 <= len(words) <= 30 for words in ws.CATEGORIES.values())
    every = [word.lower() for words in ws.CATEGORIES.values() for word in words]
    assert len(every) == len(set(every)), "a word in two categories"
    assert {"king", "queen", "banana", "dog", "cat", "runs", "quickly", "monarchy"} <= set(every)
    for preset in ws.PRESETS.values():
        assert set(preset.categories) <= set(ws.CATEGORIES) and preset.hint
    assert len(ws.preset_words(ws.PRESETS["All twelve categories"].categories)) <= 300


def test_parse_words_with_labels_duplicates_and_junk():
    found = ws.parse_words("fruit: apple, pear; apple\n  dog ,, 😀 , ... \nNew   York\n: cat")
    assert found.words == ("apple", "pear", "dog", "New York", "cat")
    assert found.categories == ("fruit", "fruit", ws.UNLABELLED, ws.UNLABELLED, ws.UNLABELLED)
    no_letters = ("'😀' has no letters or digits", "'...' has no letters or digits")  # wordlists.word_problem
    assert found.skipped == ("'apple' appears twice", *no_letters)


def test_parse_words_strips_control_characters():
    assert ws.parse_words("do\x00g, c\u200bat\x07").words == ("dog", "cat")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one word"),
        ("   \n\t ", "at least one word"),
        ("!!! ???", "at least one word"),
        ("\x00\x01\x02", "at least one word"),
        ("x" * 5_000, "limit is 4,000"),
        (", ".join(f"w{i}" for i in range(600)), "600 words"),
    ],
)
def test_parse_words_refuses_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        ws.parse_words(text)


def test_over_long_word_is_skipped():
    found = ws.parse_words("dog, " + "a" * 80)
    assert found.words == ("dog",) and "longer than" in found.skipped[0]


def test_combine_keeps_the_first_category():
    combined = ws.combine(ws.preset_words(["fruit"]), ws.parse_words("pets: dog, banana"))
    assert combined.categories[combined.words.index("banana")] == "fruit"
    assert combined.categories[-1] == "pets" and combined.words[-1] == "dog"


def test_unknown_category_is_refused():
    with pytest.raises(ValueError, match="Unknown category"):
        ws.preset_words(["planets"])


def test_known_words_drop_what_the_tokenizer_cannot_read(tiny_bert):
    """WordPiece has an unknown token: an emoji has no token of its own and is left out."""
    found = ws.known_words(tiny_bert, ws.WordSet(("dog", "😀😀", "cat", "apricot"), ("a", "b", "c", "d")))
    assert found.words == ("dog", "cat", "apricot") and found.categories == ("a", "c", "d")
    assert found.split == ("apricot",)  # a ##p ##ri ##c ##ot
    assert "not in the model's vocabulary" in found.skipped[0]
    with pytest.raises(ValueError, match="cannot read any"):
        ws.known_words(tiny_bert, ws.WordSet(("😀",), ("a",)))


def test_byte_level_bpe_reads_every_word_in_bytes(tiny_llama):
    """Byte-level BPE has no unknown token: an emoji becomes byte tokens, a split word, not a dropped one."""
    found = ws.known_words(tiny_llama, ws.WordSet(("dog", "😀😀", "apricot"), ("a", "b", "c")))
    assert found.words == ("dog", "😀😀", "apricot") and found.skipped == ()
    assert found.split == ("😀😀", "apricot")


def test_vocabulary_set_is_embedding_rows(tiny_llama):
    from geometry.words.tokens import whole_word_vocabulary

    vocabulary = whole_word_vocabulary(tiny_llama)
    size = min(ws.VOCABULARY_SIZE, len(vocabulary.words))  # the tiny tokenizer knows about a thousand words
    words, vectors = ws.vocabulary_set(tiny_llama, size)
    assert len(words) == size and vectors.shape == (size, 32)
    np.testing.assert_array_equal(vectors[10], tiny_llama.embedding_matrix()[vocabulary.ids[10]])
    assert words.words[:3] == vocabulary.words[:3]
    assert words.categories[words.words.index("king")] == "royalty and family"
    with pytest.raises(ValueError, match="Choose between"):
        ws.vocabulary_set(tiny_llama, 10**7)


def test_search_words():
    words = ("king", "kingdom", "queen", "King", "thinking")
    assert ws.search_words(words, " KING ") == [0, 3, 1]
    assert ws.search_words(words, "") == [] and ws.search_words(words, "zebra") == []
    with pytest.raises(ValueError, match="at most"):
        ws.search_words(words, "k" * 61)


# --------------------------------------------------------------------------- charts


def map_frame(n: int = 4, dims: int = 2, category: str = "fruit") -> pd.DataFrame:
    coords = np.arange(n * dims, dtype=float).reshape(n, dims)
    roles = ["chosen word", "false neighbour"] + [""] * (n - 2)
    return maps.projection_frame([f"w{i}" for i in range(n)], [category] * n, coords, roles)


def marks_and_tooltips(spec: dict) -> list[tuple[str, object]]:
    layers = [layer for panel in spec.get("hconcat", [spec]) for layer in panel.get("layer", [panel])]
    return [(layer["mark"]["type"], layer["encoding"].get("tooltip")) for layer in layers]


def test_projection_chart_has_tooltips_zoom_and_click_selection():
    spec = projections_charts.projection_chart(map_frame(), "PC1", "PC2").to_dict()
    assert all(tooltip for _, tooltip in marks_and_tooltips(spec))
    names = {param["name"] for param in spec["params"]}
    assert {"pick", "zoom_xy"} <= names
    assert spec["layer"][0]["encoding"]["x"]["title"] == "PC1"
    assert "usermeta" not in spec


def test_many_points_draw_on_canvas_without_labels():
    spec = projections_charts.projection_chart(
        map_frame(category="vocabulary"), labels=False, many=True
    ).to_dict()
    assert spec["usermeta"] == {"embedOptions": {"renderer": "canvas"}}
    assert [mark for mark, _ in marks_and_tooltips(spec)] == ["point", "point", "text"]
    assert spec["layer"][0]["encoding"]["color"]["scale"]["range"] == [charts.NEUTRAL]


def test_panels_show_three_pairs_of_axes_sharing_one_pick():
    spec = projections_charts.projection_panels_chart(map_frame(dims=3), ["a", "b", "c"]).to_dict()
    encodings = [panel["layer"][0]["encoding"] for panel in spec["hconcat"]]
    pairs = [(encoding["x"]["field"], encoding["y"]["field"]) for encoding in encodings]
    assert pairs == [("x", "y"), ("x", "z"), ("y", "z")]
    picks = [param for param in spec["params"] if param["name"] == "pick"]
    assert len(picks) == 1 and all(tooltip for _, tooltip in marks_and_tooltips(spec))


def test_twelve_categories_get_twelve_different_looks():
    names = list(ws.CATEGORIES)
    color, shape = projections_charts.category_encodings(names)
    looks = set(zip(color.to_dict()["scale"]["range"], shape.to_dict()["scale"]["range"], strict=True))
    assert len(looks) == 12


def test_explained_variance_and_seed_charts():
    bars = projections_charts.explained_variance_chart(
        pd.DataFrame({"component": ["PC1", "PC2"], "ratio": [0.3, 0.1]})
    )
    assert bars.to_dict()["layer"][0]["encoding"]["tooltip"]
    seeds = map_frame().assign(seed="seed 0")
    spec = projections_charts.seed_maps_chart(seeds).to_dict()
    assert spec["facet"]["column"]["field"] == "seed" and spec["spec"]["encoding"]["tooltip"]


def test_parse_words_says_when_it_removed_control_characters():
    found = ws.parse_words("dog,\x00 cat\x1b")
    assert found.words == ("dog", "cat")
    assert any("control characters" in note for note in found.skipped)


def plotly_traces(figure) -> dict[str, dict]:
    return {trace["name"]: trace for trace in figure.to_plotly_json()["data"]}


def test_3d_chart_is_one_trace_per_category_and_per_highlight():
    frame = pd.concat([map_frame(4, 3, "fruit"), map_frame(3, 3, "animals").assign(role="")])
    figure = plotly_charts.projection_3d_chart(frame, ["a", "b", "c"], ["fruit", "animals"])
    traces = plotly_traces(figure)
    assert list(traces) == ["fruit", "animals", "chosen word", "false neighbour"]
    assert {trace["type"] for trace in traces.values()} == {"scatter3d"}
    assert traces["fruit"]["marker"]["color"] == charts.PALETTE[0]
    assert traces["animals"]["marker"]["color"] == charts.PALETTE[1]
    assert traces["chosen word"]["customdata"].tolist() == [["w0"]]
    assert (
        "%{customdata[0]}" in traces["fruit"]["hovertemplate"]
        and "c: %{z:.3f}" in traces["fruit"]["hovertemplate"]
    )
    layout = figure.to_plotly_json()["layout"]
    assert layout["scene"]["zaxis"]["title"]["text"] == "c" and layout["uirevision"] == "keep"
    assert layout["font"]["size"] == charts.FONT_SIZE


def test_vocabulary_map_is_webgl_with_grey_vocabulary_dots():
    frame = pd.concat([map_frame(5, 2, "vocabulary"), map_frame(2, 2, "fruit").assign(role="")])
    traces = plotly_traces(plotly_charts.vocabulary_map_chart(frame, ["PC1", "PC2"], ["vocabulary", "fruit"]))
    assert {trace["type"] for trace in traces.values()} == {"scattergl"}
    assert traces["vocabulary"]["marker"]["color"] == charts.NEUTRAL
    assert traces["fruit"]["marker"]["color"] == charts.PALETTE[0]
    assert traces["chosen word"]["text"].tolist() == ["w0"]


# --------------------------------------------------------------------------- custom axes


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("small -> large", "small", "large"),
        ("small → large", "small", "large"),
        ("from  poor to rich", "poor", "rich"),
        ("woman - man", "man", "woman"),
        ("woman minus man", "man", "woman"),
        ("well-known -> famous", "well-known", "famous"),
        ("king", None, "king"),
    ],
)
def test_parse_axis(text, start, end):
    assert projection_axes.parse_axis(text) == projection_axes.Axis(end, start)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "needs a word"),
        ("-> large", "needs a word"),
        ("a -> b -> c", "more than two words"),
        ("cat -> cat", "to itself"),
        ("dog\x00 -> cat", "control characters"),
    ],
)
def test_parse_axis_refuses_what_is_not_an_axis(text, message):
    with pytest.raises(ValueError, match=message):
        projection_axes.parse_axis(text)


def test_custom_projection_is_the_scalar_projection_on_each_axis():
    from geometry.words import similarity, vectors

    X = np.random.default_rng(3).normal(size=(12, 6))
    x_axis, y_axis = projection_axes.Axis("b", "a"), projection_axes.Axis("c")
    x_direction, y_direction = X[1] - X[0], X[2]
    result = projection_axes.custom_projection(X, [x_axis, y_axis], [x_direction, y_direction])
    expected = similarity.axis_projections(X, list("x" * 12), X[0], X[1], "a", "b")["projection"][2:]
    np.testing.assert_allclose(result.coords[:, 0], expected)
    np.testing.assert_allclose(result.coords[5, 1], vectors.scalar_projection(X[5], y_direction))
    assert maps.axis_titles(result) == ["along a → b", "along c"]
    assert 0.0 <= result.trustworthiness <= 1.0


def test_custom_projection_refuses_an_axis_without_direction():
    X = np.eye(4)
    with pytest.raises(ValueError, match="same vector"):
        projection_axes.custom_projection(
            X, [projection_axes.Axis("b", "a"), projection_axes.Axis("c")], [np.zeros(4), X[2]]
        )


def test_axes_cosine_says_what_a_slanted_pair_of_axes_does():
    from ui.projections.maps import axes_cosine

    cos, meaning = axes_cosine(np.array([1.0, 0.0]), np.array([1.0, 1.0]))
    assert cos == pytest.approx(np.sqrt(0.5))
    assert "45° apart" in meaning and "rising diagonal" in meaning
    cos, meaning = axes_cosine(np.array([1.0, 0.0]), np.array([-1.0, 1.0]))
    assert cos < 0 and "falling diagonal" in meaning
    assert "right angles" in axes_cosine(np.array([1.0, 0.0]), np.array([0.0, 2.0]))[1]


# ------------------------------------------------------------------ what the page keeps and shows of a map


def test_map_result_keeps_what_the_page_shows_and_can_skip_trust():
    X = blobs()
    projection = pj.project(X, "pca", 2)
    kept = maps.map_result(projection)
    assert np.array_equal(kept.coords, projection.coords) and kept.titles == tuple(
        maps.axis_titles(projection)
    )
    assert kept.trust == pytest.approx(projection.trustworthiness)
    assert np.array_equal(kept.ratio, projection.explained_variance_ratio) and kept.notes == projection.notes
    assert maps.map_result(projection, with_trust=False).trust is None


def test_neighbour_tables_split_the_one_comparison():
    X, coords = np.array([[0.0], [1.0], [2.0], [10.0]]), np.array([[0.0], [5.0], [2.0], [1.0]])
    comparison = faithfulness.neighbour_comparison(X, coords, 0, 2, "euclidean", labels=["a", "b", "c", "d"])
    full, flat = maps.neighbour_tables(comparison, "euclidean")
    assert full.columns.tolist() == ["rank", "word", "euclidean distance", "also near on map"]
    assert flat.columns.tolist() == ["rank", "word", "map distance", "false"]
    assert full["word"].tolist() == ["b", "c"] and flat["word"].tolist() == ["d", "c"]
    assert flat["false"].tolist() == [True, False]


def test_seed_maps_frame_has_one_block_of_rows_per_seed():
    X = blobs()
    stability = faithfulness.seed_stability(X, "pca", seeds=[0, 1])
    frame = maps.projection_frame([f"w{i}" for i in range(len(X))], ["c"] * len(X), stability.coords[0])
    seeds = maps.seed_maps_frame(frame, stability)
    assert len(seeds) == 2 * len(X) and seeds["seed"].unique().tolist() == ["seed 0", "seed 1"]
    assert seeds.columns.tolist() == ["word", "category", "seed", "x", "y"]
    assert np.allclose(seeds["x"].iloc[: len(X)], stability.coords[0][:, 0].round(4))


def test_with_labels_puts_the_chosen_word_first():
    coords = np.array([[0.0, 0.0], [0.001, 0.0], [1.0, 1.0]])
    frame = maps.projection_frame(["king", "queen", "apple"], ["c"] * 3, coords, ["", "chosen word", ""])
    labelled = maps.with_labels(frame, width_px=500, font_px=13)
    assert labelled["labelled"].tolist() == [
        False,
        True,
        True,
    ]  # overlapping: the chosen word keeps its label


def test_axis_directions_look_up_words_missing_from_the_map():
    axes = (projection_axes.parse_axis("a -> z"), projection_axes.parse_axis("b"))
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert projection_axes.axis_words_missing(axes, ("a", "b")) == ("z",)
    directions = projection_axes.axis_directions(axes, ("a", "b"), X, {"z": np.array([3.0, 3.0])})
    assert [d.tolist() for d in directions] == [[2.0, 3.0], [0.0, 1.0]]
