"""Contextual vectors on the packaged models: senses separate with depth, self-similarity falls.

Numbers measured while writing these tests (presets of geometry.senses; "layer 1" is the
first block's output, the top layer the last):

* encoder, top layer, within vs across sense: bank 0.83 / 0.74, crane 0.88 / 0.77,
  bat 0.84 / 0.76, spring 0.84 / 0.75, plant 0.81 / 0.67, match 0.83 / 0.76;
* encoder self-similarity, static -> layer 1 -> top: bank 1.00 -> 0.91 -> 0.77 (it dips at layer 4
  and rises again at layer 5, so it does not fall at every step);
* SmolLM2 self-similarity, bank: 1.00 -> 0.99 (layer 1) -> 0.65 (layer 30), with a plateau
  around 0.8 in the middle layers.

So the tests claim "top layer below layer 1" rather than "lower at every layer".
"""

from __future__ import annotations

import numpy as np
import pytest

from geometry.context import occurrences as cx
from geometry.context import tables
from geometry.context.senses import PRESETS
from geometry.words import vectors

pytestmark = pytest.mark.slow


def preset_occurrences(lm, name: str) -> cx.Occurrences:
    preset = PRESETS[name]
    sentences = [sentence for _, sentence in preset.sentences]
    return cx.find_occurrences(lm, sentences, preset.word, [sense for sense, _ in preset.sentences])


@pytest.fixture(scope="module")
def encoder_presets(encoder):
    return {name: preset_occurrences(encoder, name) for name in PRESETS}


@pytest.fixture(scope="module")
def causal_bank(causal_lm):
    return preset_occurrences(causal_lm, "bank")


def test_shapes_on_the_real_models(encoder_presets, causal_bank):
    bank = encoder_presets["bank"]
    assert bank.states.shape == (15, 7, 384)  # 6 layers + the embedding output, 384-d
    assert causal_bank.states.shape == (15, 31, 576)  # 30 layers + the embedding output, 576-d


@pytest.mark.parametrize("name", list(PRESETS))
def test_encoder_top_layer_separates_senses(encoder_presets, name):
    occ = encoder_presets[name]
    within, across = cx.sense_similarity(occ.vectors, occ.senses)
    assert within[-1] > across[-1] + 0.04, (name, within[-1], across[-1])
    assert within[1] - across[1] < 0.01  # before any block runs, the senses are not separated


@pytest.mark.parametrize("name", list(PRESETS))
def test_encoder_self_similarity_falls_with_depth(encoder_presets, name):
    occ = encoder_presets[name]
    self_sim = cx.self_similarity(occ.vectors)  # static, embeddings, layer 1..6
    assert self_sim[0] == pytest.approx(1.0)  # the static row is the same everywhere
    assert self_sim[-1] < self_sim[2] - 0.05 < self_sim[1]  # top < layer 1 < embedding output


def test_causal_self_similarity_falls_and_senses_separate(causal_bank):
    self_sim = cx.self_similarity(causal_bank.vectors)
    assert self_sim[0] == pytest.approx(1.0) and self_sim[1] == pytest.approx(1.0)  # no positions yet
    assert self_sim[-1] < self_sim[2] - 0.2
    within, across = cx.sense_similarity(causal_bank.vectors, causal_bank.senses)
    assert within[-1] > across[-1]


def test_static_vector_is_identical_in_every_preset_sentence(encoder_presets, causal_bank):
    assert all(tables.static_spread(occ) == 0.0 for occ in encoder_presets.values())
    assert tables.static_spread(causal_bank) == 0.0
    np.testing.assert_array_equal(causal_bank.states[:, 0], causal_bank.static)  # SmolLM2: E row itself


def test_a_causal_model_cannot_see_what_comes_after_the_word(encoder, causal_lm):
    sentences = ["We saw the crane lift steel beams.", "We saw the crane fly over the marsh."]
    causal = cx.occurrence_vectors(causal_lm, sentences, "crane")
    np.testing.assert_allclose(causal[0], causal[1], rtol=1e-4, atol=1e-3)  # same left context
    bidirectional = cx.occurrence_vectors(encoder, sentences, "crane")
    assert vectors.cosine_matrix(bidirectional[:, -1])[0, 1] < 0.95  # the encoder read the endings


def test_reference_baseline_and_standardising_on_the_encoder(encoder):
    reference = cx.reference_statistics(encoder)
    assert reference.n_words > 400
    assert reference.baseline.max() > 0.1  # unrelated words already look alike in some layers
    assert np.abs(reference.baseline_standardised).max() < 0.05  # standardising removes the common part


def test_nearest_word_at_the_static_layer_is_the_word(encoder, encoder_presets):
    occ = encoder_presets["bank"]
    nearest = tables.nearest_words(encoder, occ, occ.vectors[:, 0], k=3)
    assert set(nearest[nearest["rank"] == 1]["word"]) == {"bank"}


def test_a_word_the_encoder_splits_is_reported(encoder):
    occ = cx.find_occurrences(encoder, ["The soup was flavourful.", "Flavourful bread, too."], "flavourful")
    assert occ.table["n_pieces"].min() > 1
    assert occ.split_pieces and "##" in occ.split_pieces[0]
