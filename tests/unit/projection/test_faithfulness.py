"""What a map distorts (geometry/projection/faithfulness.py): neighbours kept, lost and false; seeds."""

from __future__ import annotations

import numpy as np
import pytest

from geometry.projection import faithfulness, maps


def blobs(n_per: int = 20, d: int = 12, centres: int = 3, seed: int = 0) -> np.ndarray:
    """Well separated clusters: (centres * n_per, d)."""
    rng = np.random.default_rng(seed)
    middles = rng.normal(scale=6.0, size=(centres, d))
    return np.concatenate([middle + rng.normal(size=(n_per, d)) for middle in middles])


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
