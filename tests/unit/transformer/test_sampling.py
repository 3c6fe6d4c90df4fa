"""Decoding controls: invariants of next_token_probs, entropy, nucleus size and seeded choice."""

import numpy as np
import pytest

from geometry.transformer.sampling import (
    MAX_SAMPLES,
    choose,
    entropy_bits,
    greedy_distribution,
    next_token_probs,
    nucleus_size,
    probability_ranks,
    sample_counts,
    softmax,
)

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(scale=3.0, size=500)  # (500,) a made-up vocabulary
ARGMAX = int(np.argmax(LOGITS))


@pytest.mark.parametrize(
    "controls",
    [
        {},
        {"temperature": 0.3},
        {"temperature": 2.5},
        {"top_k": 7},
        {"top_p": 0.6},
        {"top_k": 40, "top_p": 0.9},
    ],
)
def test_sums_to_one_and_non_negative(controls):
    probs = next_token_probs(LOGITS, **controls)
    assert probs.shape == LOGITS.shape
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert (probs >= 0).all()


def test_defaults_are_plain_softmax():
    probs = next_token_probs(LOGITS)
    expected = np.exp(LOGITS) / np.exp(LOGITS).sum()
    np.testing.assert_allclose(probs, expected, rtol=1e-12)


def test_top_k_one_is_one_hot_on_argmax():
    probs = next_token_probs(LOGITS, top_k=1)
    assert probs[ARGMAX] == 1.0
    assert np.count_nonzero(probs) == 1


def test_top_k_keeps_exactly_k_most_probable_in_proportion():
    probs = next_token_probs(LOGITS, top_k=5)
    kept = np.flatnonzero(probs)
    assert set(kept) == set(np.argsort(-LOGITS)[:5])
    full = softmax(LOGITS)
    np.testing.assert_allclose(probs[kept], full[kept] / full[kept].sum())


def test_top_k_larger_than_vocabulary_keeps_everything():
    np.testing.assert_allclose(next_token_probs(LOGITS, top_k=10_000), softmax(LOGITS))


@pytest.mark.parametrize("p", [0.05, 0.3, 0.5, 0.75, 0.9, 0.99])
def test_top_p_is_the_minimal_set_reaching_p(p):
    full = softmax(LOGITS)
    kept = np.flatnonzero(next_token_probs(LOGITS, top_p=p))
    ranked = np.argsort(-full)
    # The kept tokens are the most probable ones, their mass reaches p, and one fewer would not.
    assert set(kept) == set(ranked[: kept.size])
    assert full[kept].sum() >= p
    assert full[ranked[: kept.size - 1]].sum() < p


def test_top_p_boundary_on_a_hand_made_distribution():
    logits = np.log([0.5, 0.3, 0.2])
    assert np.count_nonzero(next_token_probs(logits, top_p=0.5)) == 1
    assert np.count_nonzero(next_token_probs(logits, top_p=0.8)) == 2
    assert np.count_nonzero(next_token_probs(logits, top_p=0.800001)) == 3
    assert np.count_nonzero(next_token_probs(logits, top_p=1.0)) == 3


def test_temperature_zero_is_greedy_and_small_temperature_approaches_it():
    greedy = next_token_probs(LOGITS, temperature=0)
    assert greedy[ARGMAX] == 1.0 and np.count_nonzero(greedy) == 1
    cold = next_token_probs(LOGITS, temperature=1e-3)
    assert cold[ARGMAX] == pytest.approx(1.0)
    tiny = next_token_probs(LOGITS, temperature=1e-300)  # no overflow, no NaN
    assert tiny[ARGMAX] == 1.0 and np.isfinite(tiny).all()


def test_higher_temperature_gives_higher_entropy():
    entropies = [entropy_bits(next_token_probs(LOGITS, temperature=t)) for t in (0.1, 0.5, 1.0, 2.0, 10.0)]
    assert entropies == sorted(entropies)
    assert len(set(entropies)) == len(entropies)
    assert entropies[-1] < np.log2(LOGITS.size) + 1e-9


def test_large_logits_do_not_overflow():
    probs = next_token_probs([1e308, 1e308 - 1e300, -1e308])
    assert np.isfinite(probs).all() and probs.sum() == pytest.approx(1.0)


def test_minus_infinity_is_a_ruled_out_token():
    probs = next_token_probs([0.0, -np.inf, 0.0])
    assert probs.tolist() == [0.5, 0.0, 0.5]


@pytest.mark.parametrize(
    ("logits", "controls"),
    [
        ([], {}),
        ([[1.0, 2.0]], {}),
        ([1.0, float("nan")], {}),
        ([1.0, float("inf")], {}),
        ([-np.inf, -np.inf], {}),
        ([1.0, 2.0], {"temperature": -1}),
        ([1.0, 2.0], {"temperature": float("nan")}),
        ([1.0, 2.0], {"temperature": float("inf")}),
        ([1.0, 2.0], {"temperature": "hot"}),
        ([1.0, 2.0], {"top_k": 0}),
        ([1.0, 2.0], {"top_k": 2.5}),
        ([1.0, 2.0], {"top_k": True}),
        ([1.0, 2.0], {"top_p": 0}),
        ([1.0, 2.0], {"top_p": 1.5}),
        ([1.0, 2.0], {"top_p": float("nan")}),
    ],
)
def test_invalid_arguments_raise_value_error(logits, controls):
    with pytest.raises(ValueError):
        next_token_probs(logits, **controls)


def test_entropy_and_nucleus_size():
    assert entropy_bits([1.0, 0.0, 0.0]) == 0.0
    assert entropy_bits(np.full(8, 1 / 8)) == pytest.approx(3.0)
    assert nucleus_size(np.full(10, 0.1), 0.55) == 6
    assert nucleus_size([0.9, 0.05, 0.05], 0.9) == 1
    with pytest.raises(ValueError):
        entropy_bits([0.5, 0.6])
    with pytest.raises(ValueError):
        nucleus_size([0.5, 0.5], 0.0)


def test_greedy_is_one_token_id_and_greedy_distribution_its_one_hot():
    """One meaning of "greedy": the argmax token id (geometry.trace.greedy); the one-hot has its own name."""
    from geometry.transformer.generation import greedy

    onehot = greedy_distribution(LOGITS)
    assert greedy(LOGITS) == ARGMAX == choose(onehot) and isinstance(greedy(LOGITS), int)
    assert onehot[ARGMAX] == 1.0 and onehot.sum() == 1.0
    assert np.array_equal(onehot, next_token_probs(LOGITS, temperature=0))


def test_choose_is_greedy_without_seed_and_reproducible_with_one():
    probs = next_token_probs(LOGITS, temperature=1.5)
    assert choose(probs) == ARGMAX
    draws = [choose(probs, seed=s) for s in range(50)]
    assert draws == [choose(probs, seed=s) for s in range(50)]
    assert len(set(draws)) > 1  # a flat enough distribution gives different tokens for different seeds
    assert all(probs[d] > 0 for d in draws)
    with pytest.raises(ValueError):
        choose(probs, seed=-1)


def test_choose_never_picks_a_filtered_token():
    probs = next_token_probs(LOGITS, top_k=3)
    allowed = set(np.argsort(-LOGITS)[:3])
    assert {choose(probs, seed=s) for s in range(200)} <= allowed


def test_sample_counts_match_the_distribution():
    probs = next_token_probs(LOGITS, top_k=4)
    counts = sample_counts(probs, 20_000, seed=3)
    assert counts.sum() == 20_000
    assert (counts[probs == 0] == 0).all()
    np.testing.assert_allclose(counts / 20_000, probs, atol=0.02)
    np.testing.assert_array_equal(counts, sample_counts(probs, 20_000, seed=3))


@pytest.mark.parametrize("n", [0, -5, MAX_SAMPLES + 1, 2.5])
def test_sample_counts_rejects_bad_sizes(n):
    with pytest.raises(ValueError):
        sample_counts([0.5, 0.5], n)


def test_probability_ranks_are_the_place_by_probability():
    probs = np.array([0.1, 0.5, 0.1, 0.3])
    assert probability_ranks(probs, [3, 1, 0, 2]).tolist() == [2, 1, 3, 3]  # ties share a rank
