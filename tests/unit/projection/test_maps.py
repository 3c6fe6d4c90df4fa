"""The tables a map is drawn from (geometry/projection/maps.py), on hand-made vectors."""

from __future__ import annotations

import numpy as np
import pytest

from geometry.projection import axes as projection_axes
from geometry.projection import faithfulness, maps
from geometry.projection import methods as pj


def blobs(n_per: int = 20, d: int = 12, centres: int = 3, seed: int = 0) -> np.ndarray:
    """Well separated clusters: (centres * n_per, d)."""
    rng = np.random.default_rng(seed)
    middles = rng.normal(scale=6.0, size=(centres, d))
    return np.concatenate([middle + rng.normal(size=(n_per, d)) for middle in middles])


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


def test_with_labels_puts_the_chosen_word_first_and_its_neighbour_beside_it():
    coords = np.array([[0.0, 0.0], [0.001, 0.0], [1.0, 1.0]])
    frame = maps.projection_frame(["king", "queen", "apple"], ["c"] * 3, coords, ["", "chosen word", ""])
    labelled = maps.with_labels(frame, width_px=500, font_px=13)
    assert labelled["labelled"].tolist() == [True, True, True]
    assert labelled["label_side"].tolist() == ["left", "right", "right"]  # the chosen word placed first


def test_the_words_a_lesson_asks_about_are_labelled_in_a_crowd():
    """Eight words on one spot: four fit around it; the asked ones are among them whatever their order."""
    words = ["prince", "princess", "duke", "duchess", "emperor", "king", "queen", "crown", "apple"]
    coords = np.vstack([np.stack([np.linspace(0, 0.003, 8), np.zeros(8)], axis=1), [[1.0, 1.0]]])
    frame = maps.projection_frame(words, ["royal"] * 9, coords)
    crowded = maps.with_labels(frame, width_px=500, font_px=13).set_index("word")
    assert not crowded.loc[["king", "queen"], "labelled"].any()  # left out for room
    asked = maps.with_labels(frame, width_px=500, font_px=13, always=("king", "queen")).set_index("word")
    assert asked.loc[["king", "queen"], "labelled"].all()
    assert asked["labelled"].sum() == crowded["labelled"].sum()  # the others gave way


def test_axis_directions_look_up_words_missing_from_the_map():
    axes = (projection_axes.parse_axis("a -> z"), projection_axes.parse_axis("b"))
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert projection_axes.axis_words_missing(axes, ("a", "b")) == ("z",)
    directions = projection_axes.axis_directions(axes, ("a", "b"), X, {"z": np.array([3.0, 3.0])})
    assert [d.tolist() for d in directions] == [[2.0, 3.0], [0.0, 1.0]]
