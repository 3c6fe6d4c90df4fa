"""Projections of the packaged models' real word vectors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness as sklearn_trustworthiness

from geometry.projection import axes, faithfulness
from geometry.projection import methods as pj
from geometry.words import vectors
from geometry.words import wordsets as ws

ALL_CATEGORIES = ws.PRESETS["All twelve categories"].categories


@pytest.fixture(scope="module")
def nine_hundred(encoder):
    """The curated words plus vocabulary words up to 900, with the encoder's static vectors."""
    curated = ws.preset_words(ALL_CATEGORIES)
    curated_vectors = vectors.word_vectors(curated.words, encoder, "static")  # (227, 384)
    vocabulary, vocabulary_vectors = ws.vocabulary_set(encoder, 2_000)
    taken = {word.lower() for word in curated.words}
    extra = [i for i, word in enumerate(vocabulary.words) if word not in taken][: 900 - len(curated)]
    words = curated.words + tuple(vocabulary.words[i] for i in extra)
    X = np.concatenate([curated_vectors, vocabulary_vectors[extra]])  # (900, 384)
    assert X.shape == (900, 384) and len(set(words)) == 900
    return words, X


def test_umap_on_nine_hundred_words_is_trustworthy(nine_hundred):
    _, X = nine_hundred
    result = pj.project(X, "umap")
    assert result.trustworthiness >= 0.85
    # float32 vectors: a near-tie may rank differently in the two computations, hence not 1e-12
    reference = sklearn_trustworthiness(X, result.coords, n_neighbors=5, metric="cosine")
    assert result.trustworthiness == pytest.approx(reference, abs=1e-5)
    again = pj.project(X, "umap")
    np.testing.assert_array_equal(result.coords, again.coords)


def test_pca_ratios_on_real_vectors_equal_scikit_learn(nine_hundred):
    _, X = nine_hundred
    result = pj.project(X, "pca", 3)
    exact = PCA(n_components=3, svd_solver="full").fit(X.astype(np.float64)).explained_variance_ratio_
    np.testing.assert_allclose(result.explained_variance_ratio, exact, rtol=1e-7)
    assert 0.0 < result.explained_variance_ratio.sum() < 0.5  # 3 axes keep a minority of 384


def test_king_keeps_queen_nearby_in_the_full_space(nine_hundred):
    words, X = nine_hundred
    table = faithfulness.neighbour_comparison(
        X, pj.project(X, "pca").coords, words.index("king"), 5, labels=words
    )
    assert table["original_word"].iloc[0] == "queen"
    assert "banana" not in set(table["original_word"]) | set(table["projected_word"])


@pytest.mark.parametrize("kind", ["static", "sentence"])
def test_curated_words_of_the_encoder_map_in_3d(encoder, kind):
    found = ws.known_words(encoder, ws.preset_words(["royalty and family", "fruit"]))
    assert found.skipped == ()
    X = vectors.word_vectors(found.words, encoder, kind)
    result = pj.project(X, "umap", 3, n_neighbors=10)
    assert result.coords.shape == (len(found), 3) and result.trustworthiness > 0.8


def test_vocabulary_sets_of_both_models(encoder, causal_lm):
    words, X = ws.vocabulary_set(encoder, 5_000)
    assert X.shape == (5_000, 384) and words.words[:3] == ("the", "of", "and")
    words, X = ws.vocabulary_set(causal_lm, 5_000)
    assert X.shape == (5_000, 576) and len(set(words.words)) == 5_000
    assert "royalty and family" in set(words.categories)


def test_causal_model_curated_words_are_all_readable(causal_lm):
    found = ws.known_words(causal_lm, ws.preset_words(ALL_CATEGORIES))
    assert found.skipped == () and len(found) == len(ws.preset_words(ALL_CATEGORIES))


def test_the_whole_vocabulary_of_each_model_fits_on_one_map(encoder, causal_lm):
    for model in (encoder, causal_lm):
        words, X = ws.vocabulary_set(model, None)
        assert 10_000 < len(words) <= pj.MAX_POINTS and X.shape == (len(words), model.d_model)
    words, X = ws.vocabulary_set(encoder, None)
    assert 21_000 < len(words) < 22_500  # "about 21,700 words", as the page says
    result = pj.project(X, "pca")
    assert result.coords.shape == (len(words), 2) and 0 < result.explained_variance_ratio.sum() < 1


def test_custom_axes_on_real_vectors(encoder):
    words = ("man", "woman", "king", "queen", "boy", "girl", "apple")
    X = vectors.word_vectors(words, encoder, "static")
    gender = axes.parse_axis("man -> woman")
    royalty = axes.parse_axis("boy - king")
    directions = [X[1] - X[0], X[4] - X[2]]
    result = axes.custom_projection(X, [gender, royalty], directions)
    x = dict(zip(words, result.coords[:, 0], strict=True))
    assert x["queen"] > x["king"] and x["girl"] > x["boy"]  # the female word of each pair is further along
    assert -1 < vectors.cosine(*directions) < 1
