"""Similarity, neighbours and analogies on the packaged models."""

import hashlib

import numpy as np
import pytest
from sentence_transformers import util

from geometry.words import similarity
from geometry.words.tokens import tokenize_many, word_tokens
from geometry.words.vectors import word_vectors

ANALOGY = ("man", "king", "woman")  # king - man + woman


def _fingerprint(lm) -> str:
    return hashlib.sha256(np.ascontiguousarray(lm.embedding_matrix()).tobytes()).hexdigest()


def test_cosine_agrees_with_sentence_transformers(encoder):
    texts = ["dog", "cat", "runs", "quickly", "the dog chased the cat"]
    ours = similarity.pairwise(word_vectors(texts, encoder, "sentence"), "cosine")
    theirs = util.cos_sim(encoder.model.encode(texts), encoder.model.encode(texts)).numpy()
    assert np.abs(ours - theirs).max() < 1e-4


def test_king_minus_man_plus_woman_is_queen_in_the_encoder(encoder):
    found = similarity.analogy(*ANALOGY, encoder, k=5)
    assert found[0][0] == "queen"
    assert not {"man", "king", "woman"} & {word for word, _ in found}


def test_without_exclusion_the_encoder_puts_king_first_and_queen_second(encoder):
    """The honest caveat: leaving the inputs in, the nearest word to king - man + woman is king itself."""
    kept = similarity.analogy(*ANALOGY, encoder, k=5, exclude_inputs=False)
    assert [word for word, _ in kept[:2]] == ["king", "queen"]
    vector = similarity.analogy_vector(*ANALOGY, encoder)
    assert similarity.rank("queen", vector, encoder) == 2
    assert similarity.rank("queen", vector, encoder, exclude=ANALOGY) == 1


def test_smollm2_puts_queen_first_even_without_exclusion(causal_lm):
    assert similarity.analogy(*ANALOGY, causal_lm, k=3)[0][0] == "queen"
    vector = similarity.analogy_vector(*ANALOGY, causal_lm)
    assert similarity.rank("queen", vector, causal_lm) == 1


@pytest.mark.parametrize("fixture", ["encoder", "causal_lm"])
def test_dog_neighbours(fixture, request):
    lm = request.getfixturevalue(fixture)
    found = similarity.nearest(word_vectors(["dog"], lm)[0], lm, k=5, exclude=("dog",))
    assert "dogs" in [word for word, _ in found]
    assert "dog" not in [word for word, _ in found]


def test_bpe_words_are_looked_up_with_their_leading_space(causal_lm):
    tokens = word_tokens(causal_lm, "chased")
    assert tokens.pieces == ("Ġchased",)
    row = causal_lm.embedding_matrix()[tokens.ids[0]]
    assert np.array_equal(word_vectors(["chased"], causal_lm, "static")[0], row)


def test_a_split_word_is_the_mean_of_its_rows(encoder):
    tokens = word_tokens(encoder, "monarchies")
    assert tokens.is_split
    rows = encoder.embedding_matrix()[list(tokens.ids)]
    assert np.allclose(word_vectors(["monarchies"], encoder)[0], rows.mean(axis=0))


def test_smollm2_is_anisotropic_and_standardising_fixes_the_baseline(causal_lm):
    raw = similarity.anisotropy_baseline(causal_lm)
    assert raw > 0.3  # random SmolLM2 words already share a cosine near 0.48
    assert abs(similarity.anisotropy_baseline(causal_lm, standardise=True)) < 0.01
    X = word_vectors(["dog", "banana"], causal_lm)
    Z = similarity.dimension_stats(causal_lm).apply(X)
    assert similarity.pairwise(X, "cosine")[0, 1] > raw - 0.3  # raw: looks related
    assert abs(similarity.pairwise(Z, "cosine")[0, 1]) < 0.1  # standardised: unrelated


def test_rogue_dimensions_dominate_smollm2_until_standardised(causal_lm):
    X = word_vectors(["dog", "cat"], causal_lm)
    Z = similarity.dimension_stats(causal_lm).apply(X)
    raw = similarity.dimension_contributions(X[0], X[1], top=3)["share_of_size"].sum()
    fair = similarity.dimension_contributions(Z[0], Z[1], top=3)["share_of_size"].sum()
    assert raw > 2 * fair


def test_encoder_static_baseline_is_small_and_sentence_baseline_is_not(encoder):
    static = similarity.anisotropy_baseline(encoder, "static")
    sentence = similarity.anisotropy_baseline(encoder, "sentence")
    assert abs(static) < 0.05 < 0.1 < sentence


def test_searches_leave_the_models_untouched(encoder, causal_lm):
    before = [_fingerprint(encoder), _fingerprint(causal_lm)]
    for lm in (encoder, causal_lm):
        similarity.analogy(*ANALOGY, lm, standardise=True, metric="euclidean")
        similarity.nearest(word_vectors(["cat"], lm)[0], lm, metric="dot")
    assert [_fingerprint(encoder), _fingerprint(causal_lm)] == before
    assert not causal_lm.model.training and not any(p.requires_grad for p in causal_lm.model.parameters())


@pytest.mark.parametrize("fixture", ["encoder", "causal_lm"])
def test_one_tokenizer_call_for_a_list_gives_what_one_word_at_a_time_gives(request, fixture):
    lm = request.getfixturevalue(fixture)
    words = ["dog", " river bank ", "monarchies", "", "x" * 70, "chased"]
    together = tokenize_many(lm, words)
    for word, result in zip(words, together, strict=True):
        try:
            alone = word_tokens(lm, word)
        except ValueError as error:
            assert isinstance(result, ValueError) and str(result) == str(error)
        else:
            assert result == alone
