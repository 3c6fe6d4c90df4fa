"""The one implementation of unit vectors, cosines and top-k ranking every search goes through."""

import numpy as np
import pytest

from geometry.projection import methods as projection
from geometry.words import similarity, vectors
from geometry.words import vectors as context
from geometry.words import vectors as learning
from geometry.words import vectors as words_vectors
from geometry.words.vectors import cosine, cosine_matrix, top_k, unit

RNG = np.random.default_rng(3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5,), (7, 4), (6, 3, 4)])
def test_unit_is_plain_division_by_the_length(shape, dtype):
    """The same numbers as each copy it replaced (x / |x|), dtype and batch shape kept."""
    X = RNG.normal(size=shape).astype(dtype)
    expected = X / np.linalg.norm(X, axis=-1, keepdims=True)
    assert unit(X).dtype == dtype and np.array_equal(unit(X), expected)


def test_a_zero_vector_stays_zero_and_its_cosines_are_zero():
    X = np.array([[0.0, 0.0], [3.0, 4.0]])
    assert unit(X).tolist() == [[0.0, 0.0], [0.6, 0.8]]
    assert cosine_matrix(X)[0].tolist() == [0.0, 0.0]


def test_cosine_matrix_is_the_named_cosine_for_every_pair():
    A, B = RNG.normal(size=(4, 6)), RNG.normal(size=(3, 6))
    expected = [[cosine(a, b) for b in B] for a in A]
    np.testing.assert_allclose(cosine_matrix(A, B), expected, rtol=1e-12)
    assert np.array_equal(cosine_matrix(A), cosine_matrix(A, A))


def test_every_module_uses_the_one_implementation():
    """No second copy: the modules that normalise or rank hold these very functions."""
    assert context.unit is unit and context.cosine_matrix is cosine_matrix
    assert words_vectors.top_k is context.top_k is learning.top_k is vectors.top_k is top_k


@pytest.mark.parametrize("trial", range(40))
def test_top_k_is_a_stable_sort_cut_at_k(trial):
    """Exactly argsort(-scores, stable)[:k], ties (many here) to the lower position, -inf last."""
    rng = np.random.default_rng(trial)
    n = int(rng.integers(1, 40))
    scores = rng.integers(0, 4, size=(3, n)).astype(float)
    scores[scores == 0] = -np.inf
    for k in (1, max(1, n // 2), n, n + 2):
        expected = np.argsort(-scores, axis=-1, kind="stable")[:, :k]
        assert np.array_equal(top_k(scores, k), expected)
        assert np.array_equal(top_k(scores[1], k), expected[1])


def test_pairwise_cosine_and_exact_neighbours_are_built_on_them():
    X = RNG.normal(size=(30, 8)).astype(np.float32)
    cosines = np.clip(cosine_matrix(X.astype(np.float64)), -1, 1)  # pairwise also symmetrises the rounding
    np.testing.assert_allclose(similarity.pairwise(X, "cosine"), cosines, rtol=0, atol=1e-15)
    indices, distances = projection.exact_neighbours(X, 5, "cosine")
    distance = np.maximum(1.0 - cosine_matrix(X), 0.0)
    np.fill_diagonal(distance, -1.0)
    assert np.array_equal(indices, top_k(-distance, 5)) and (indices[:, 0] == np.arange(30)).all()
