"""Similarity (geometry/words/similarity.py): pairwise invariants, tables and vocabulary searches, on
hand-made vectors and tiny models."""

import hashlib

import numpy as np
import pytest

from geometry.words import similarity
from geometry.words.similarity import (
    analogy,
    axis_projections,
    dimension_contributions,
    nearest,
    pair_scores,
    pair_strips,
    pair_table,
    pairwise,
    rank,
    vocabulary_matrix,
)
from geometry.words.vectors import angle_degrees, cosine, dot, norm, project_onto, scalar_projection
from tests.conftest import mid_sentence_id
from ui.dot_products.pair import reading

KING, QUEEN = [9, -5, 6], [8, -4, 6]
RNG = np.random.default_rng(7)
X = RNG.normal(size=(6, 5))  # six random 5-d vectors


# ------------------------------------------------------------------ named operations


def test_toy_vectors_give_128():
    assert dot(KING, QUEEN) == 128.0
    assert pairwise(np.array([KING, QUEEN]), "dot")[0, 1] == 128.0
    assert pair_table(KING, QUEEN)["running_sum"].tolist() == [72.0, 92.0, 128.0]


def test_seed_decimal_example_gives_0_64():
    assert dot([0.7, 0.2, 0.5], [0.6, 0.1, 0.4]) == pytest.approx(0.64)


def test_cosine_and_angle_of_simple_directions():
    assert cosine([1, 0], [5, 0]) == 1.0
    assert cosine([1, 0], [0, 3]) == 0.0
    assert cosine([1, 0], [-2, 0]) == -1.0
    assert angle_degrees([1, 0], [1, 1]) == pytest.approx(45.0)
    assert angle_degrees(KING, KING) == 0.0  # clipped: rounding cannot push the cosine past 1
    assert cosine(KING, QUEEN) == pytest.approx(128 / (np.sqrt(142) * np.sqrt(116)))


def test_projections():
    assert scalar_projection([3, 4], [0, 10]) == 4.0
    along = project_onto([3, 4], [1, 1])
    assert dot(np.subtract([3, 4], along), [1, 1]) == pytest.approx(0.0)  # the rest is perpendicular
    assert norm(along) == pytest.approx(scalar_projection([3, 4], [1, 1]))


def test_operations_refuse_what_makes_no_sense():
    with pytest.raises(ValueError, match="different lengths"):
        dot([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="all zeros"):
        cosine([0, 0], [1, 2])
    with pytest.raises(ValueError, match="no direction"):
        scalar_projection([1, 2], [0, 0])


# ------------------------------------------------------------------ pairwise invariants


@pytest.mark.parametrize("metric", similarity.METRICS)
def test_matrices_are_exactly_symmetric(metric):
    S = pairwise(X, metric)
    assert S.shape == (6, 6)
    assert np.array_equal(S, S.T)


def test_cosine_of_a_vector_with_itself_is_one():
    assert np.allclose(np.diag(pairwise(X, "cosine")), 1.0, atol=1e-12)
    assert np.allclose(np.diag(pairwise(X, "euclidean")), 0.0)


def test_euclidean_squared_is_lengths_minus_twice_the_dot():
    D, G = pairwise(X, "euclidean"), pairwise(X, "dot")
    lengths = np.diag(G)
    assert np.allclose(D**2, lengths[:, None] + lengths[None, :] - 2 * G)


def test_cosine_matrix_matches_the_named_operation():
    assert pairwise(X, "cosine")[1, 4] == pytest.approx(cosine(X[1], X[4]))


def test_pairwise_errors():
    with pytest.raises(ValueError, match="Unknown metric"):
        pairwise(X, "manhattan")
    with pytest.raises(ValueError, match="too large"):
        pairwise(np.array([[1.0, np.inf]]), "dot")
    with pytest.raises(ValueError, match="all zeros"):
        pairwise(np.array([[0.0, 0.0], [1.0, 2.0]]), "cosine")


# ------------------------------------------------------------------ tables


def test_pair_strips_has_every_panel():
    frame = pair_strips(KING, QUEEN, "king", "queen")
    assert set(frame["panel"]) == {"components", "products", "running sum"}
    assert frame.query("row == 'king × queen'")["value"].tolist() == [72.0, 20.0, 36.0]
    assert len(frame) == 4 * 3


def test_reading_follows_the_angle_and_the_baseline():
    assert reading(0.9)[0] == "aligned"
    assert reading(0.05)[0] == "nearly perpendicular"
    assert reading(-0.4)[0] == "leaning apart"
    assert reading(-0.9)[0] == "opposed"
    assert reading(None)[0] == "undefined"
    label, sentence = reading(0.5, baseline=0.48)
    assert label == "leaning the same way" and "about as close as two random words" in sentence
    assert "closer than" in reading(0.8, baseline=0.1)[1]


def test_a_cosine_of_80_degrees_reads_nearly_perpendicular_not_aligned():
    """king · large: |cos| 0.158 is 80.9°, nearly a right angle; the words must say so."""
    label, sentence = reading(0.158)
    assert label == "nearly perpendicular" and "right angles (81°)" in sentence
    assert "same way" not in sentence
    for cos in (0.2, 0.25, -0.2, -0.25):  # 75.5°-104.5°: within 15° of a right angle
        assert reading(cos)[0] == "nearly perpendicular", cos


def test_dimension_contributions_put_the_biggest_product_first():
    top = dimension_contributions([1, 10, -3], [1, 2, 5], top=3)
    assert top["dimension"].tolist() == [1, 2, 0]  # |20| > |-15| > |1|
    assert top["share"].sum() == pytest.approx(1.0)
    assert top["share_of_size"].tolist() == pytest.approx([20 / 36, 15 / 36, 1 / 36])


def test_axis_projection_places_the_ends_at_zero_and_one():
    frame = axis_projections(np.array([[1.0, 7.0], [3.0, -2.0]]), ["a", "b"], [0, 0], [2, 0], "s", "e")
    assert frame["position"].tolist() == pytest.approx([0.0, 1.0, 0.5, 1.5])
    assert frame["projection"].tolist() == pytest.approx([0.0, 2.0, 1.0, 3.0])
    assert frame["role"].tolist() == ["axis start", "axis end", "word", "word"]
    with pytest.raises(ValueError, match="no axis"):
        axis_projections(X, list("abcdef"), X[0], X[0], "s", "s")


def test_pair_scores_lists_each_pair_once_with_the_baseline():
    frame = pair_scores(X[:4], list("abcd"), baseline=0.25)
    assert len(frame) == 6
    assert np.allclose(frame["cosine_minus_baseline"], frame["cosine"] - 0.25)
    assert frame.iloc[0]["dot"] == pytest.approx(dot(X[0], X[1]))


# ------------------------------------------------------------------ vocabulary searches (tiny model)


def _fingerprint(lm) -> str:
    return hashlib.sha256(np.ascontiguousarray(lm.embedding_matrix()).tobytes()).hexdigest()


def test_vocabulary_matrix_is_read_only_and_leaves_the_model_alone(tiny_gpt2):
    before, attributes = _fingerprint(tiny_gpt2), set(vars(tiny_gpt2))
    vocabulary = vocabulary_matrix(tiny_gpt2)
    again = vocabulary_matrix(tiny_gpt2)  # nothing is cached in geometry: a fresh, equal index
    assert again is not vocabulary and again.words == vocabulary.words
    assert np.array_equal(again.norms, vocabulary.norms)
    rows = vocabulary.rows(np.arange(len(vocabulary.words)))
    assert np.allclose(np.linalg.norm(rows, axis=1), vocabulary.norms, rtol=1e-5)
    assert np.allclose(vocabulary.cosines(rows[:3]).diagonal(), 1.0, atol=1e-5)
    assert not vocabulary.E.flags.writeable and not vocabulary.stats.mean.flags.writeable
    assert _fingerprint(tiny_gpt2) == before and set(vars(tiny_gpt2)) == attributes


@pytest.mark.parametrize("standardise", [False, True])
@pytest.mark.parametrize("metric", similarity.METRICS)
def test_one_product_scores_match_the_direct_computation(tiny_gpt2, metric, standardise):
    vocabulary = vocabulary_matrix(tiny_gpt2)
    rows = np.asarray(tiny_gpt2.embedding_matrix()[vocabulary.ids], dtype=np.float64)  # (n, d)
    query = RNG.normal(size=rows.shape[1])
    if standardise:
        rows, query = vocabulary.stats.apply(rows), vocabulary.stats.apply(query)
    expected = {
        "dot": rows @ query,
        "cosine": rows @ query / (np.linalg.norm(rows, axis=1) * np.linalg.norm(query)),
        "euclidean": np.linalg.norm(rows - query, axis=1),
    }[metric]
    raw_query = query * vocabulary.stats.std + vocabulary.stats.mean if standardise else query
    got = vocabulary.scores(raw_query, metric, standardise)
    assert np.allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


def test_nearest_is_sorted_excludes_and_agrees_with_rank(tiny_gpt2):
    vocabulary = vocabulary_matrix(tiny_gpt2)
    word = vocabulary.words[100]
    vector = tiny_gpt2.embedding_matrix()[vocabulary.ids[100]]
    found = nearest(vector, tiny_gpt2, k=5)
    assert found[0] == (word, pytest.approx(1.0, abs=1e-5))  # a word is its own nearest neighbour
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    without = nearest(vector, tiny_gpt2, k=5, exclude=(word,))
    assert word not in [w for w, _ in without] and without[0][0] == found[1][0]
    assert rank(found[2][0], vector, tiny_gpt2) == 3
    assert rank(found[2][0], vector, tiny_gpt2, exclude=(word,)) == 2
    assert rank("notaword" * 3, vector, tiny_gpt2) is None
    assert nearest(vector, tiny_gpt2, k=5, vocabulary=vocabulary) == found  # a passed index: same answer


def test_euclidean_neighbours_are_closest_first(tiny_gpt2):
    vector = RNG.normal(size=tiny_gpt2.d_model)
    distances = [score for _, score in nearest(vector, tiny_gpt2, k=6, metric="euclidean")]
    assert distances == sorted(distances)


def test_analogy_is_b_minus_a_plus_c_and_exclusion_is_optional(tiny_gpt2):
    vector = similarity.analogy_vector("man", "king", "woman", tiny_gpt2)
    E = tiny_gpt2.embedding_matrix()
    ids = {w: mid_sentence_id(tiny_gpt2.tokenizer, w) for w in ("man", "king", "woman")}
    assert np.allclose(vector, E[ids["king"]] - E[ids["man"]] + E[ids["woman"]])
    kept = analogy("man", "king", "woman", tiny_gpt2, k=50, exclude_inputs=False)
    left_out = analogy("man", "king", "woman", tiny_gpt2, k=50)
    assert not {"man", "king", "woman"} & {w for w, _ in left_out}
    assert {w for w, _ in kept[:3]} & {"man", "king", "woman"}  # random vectors: an input wins


def test_analogy_answers_keep_both_lists_and_the_honest_rank(tiny_gpt2):
    answers = similarity.analogy_answers("man", "king", "woman", tiny_gpt2, k=50)
    assert answers.left_out == analogy("man", "king", "woman", tiny_gpt2, k=50)
    assert answers.kept == analogy("man", "king", "woman", tiny_gpt2, k=50, exclude_inputs=False)
    kept_words = [w for w, _ in answers.kept]
    assert answers.place == kept_words.index(answers.left_out[0][0]) + 1  # its place when nothing is left out
    table = answers.table()
    assert table.columns.tolist() == ["rank", "word", "score", "inputs"]
    assert table.groupby("inputs")["rank"].max().to_dict() == {"kept": 50, "left out": 50}


def test_ranked_table_numbers_from_one():
    table = similarity.ranked_table([("cat", 0.9), ("dog", 0.5)])
    assert table.to_dict("list") == {"rank": [1, 2], "word": ["cat", "dog"], "score": [0.9, 0.5]}
    assert similarity.ranked_table([]).columns.tolist() == ["rank", "word", "score"]


def test_search_arguments_are_checked(tiny_gpt2):
    with pytest.raises(ValueError, match="at least 1"):
        nearest(np.ones(tiny_gpt2.d_model), tiny_gpt2, k=0)
    with pytest.raises(ValueError, match="between 1 and 5"):
        nearest(np.ones(tiny_gpt2.d_model), tiny_gpt2, k=6, max_k=5)
    assert len(nearest(np.ones(tiny_gpt2.d_model), tiny_gpt2, k=10**6)) >= 100  # a notebook: every word
    with pytest.raises(ValueError, match="has 3 numbers"):
        nearest(np.ones(3), tiny_gpt2)
    with pytest.raises(ValueError, match="Unknown metric"):
        nearest(np.ones(tiny_gpt2.d_model), tiny_gpt2, metric="manhattan")


def test_baseline_is_fixed_and_standardising_centres_it(tiny_gpt2):
    raw = similarity.anisotropy_baseline(tiny_gpt2)
    assert raw == similarity.anisotropy_baseline(tiny_gpt2)
    assert -1 < raw < 1
    assert abs(similarity.anisotropy_baseline(tiny_gpt2, standardise=True)) < 0.01
    vocabulary = vocabulary_matrix(tiny_gpt2)
    assert similarity.anisotropy_baseline(
        tiny_gpt2, standardise=True, vocabulary=vocabulary
    ) == pytest.approx(similarity.anisotropy_baseline(tiny_gpt2, standardise=True))
    stats = similarity.dimension_stats(tiny_gpt2)
    assert stats.mean.shape == stats.std.shape == (tiny_gpt2.d_model,)
    with pytest.raises(ValueError, match="kind"):
        similarity.dimension_stats(tiny_gpt2, "contextual")
