"""PCA, UMAP and t-SNE with their trustworthiness (geometry/projection/methods.py), on hand-made
vectors: exact maths, tiny and bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness as sklearn_trustworthiness
from sklearn.neighbors import NearestNeighbors

from geometry.projection import methods as pj


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
