"""Contextual vectors (geometry/context/occurrences.py) with tiny random models and hand-made
vectors: shapes, labels, edge cases, self-similarity and the reference baseline."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from geometry.context import occurrences as cx
from geometry.context import tables
from geometry.context.senses import MAX_SENTENCE_CHARS, MAX_SENTENCES
from geometry.models.handle import network
from geometry.words import vectors as words_vectors
from geometry.words.tokens import display_token
from tests.conftest import mid_sentence_id

SENTENCES = ["We sat on the bank of the river.", "The bank lent them money.", "Pilots bank to turn."]


@pytest.fixture(scope="module")
def tiny_bert(wordpiece):
    """A random BERT wrapped like the encoder: ``network(lm)`` is the BertModel."""
    from transformers import BertConfig, BertModel

    from geometry.models.handle import LoadedModel

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(wordpiece),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    bert = BertModel(config).eval().requires_grad_(False)
    wrapper = [SimpleNamespace(auto_model=bert)]  # what SentenceTransformer[0].auto_model gives
    return LoadedModel(wrapper, wordpiece, "tiny-bert", "encoder", "test", "random")


@pytest.fixture(params=["tiny_bert", "tiny_gpt2", "tiny_llama"])
def tiny(request):
    return request.getfixturevalue(request.param)


def direct_states(lm, sentence: str) -> tuple[list[int], np.ndarray]:
    """Token ids and hidden states (L+1, T, d) from one plain forward pass, for comparison."""
    encoding = lm.tokenizer(sentence, return_tensors="pt")
    with torch.no_grad():
        output = network(lm).base_model(**encoding, output_hidden_states=True)
    return encoding["input_ids"][0].tolist(), torch.stack(output.hidden_states)[:, 0].numpy()


# ------------------------------------------------------------------ occurrence_vectors


def test_shape_is_occurrences_by_layers_plus_one_by_d(tiny):
    vectors = cx.occurrence_vectors(tiny, SENTENCES, "bank")
    assert vectors.shape == (3, tiny.n_layers + 1, tiny.d_model)
    assert np.isfinite(vectors).all()


def test_first_index_is_embedding_output_and_last_is_final_layer(tiny):
    vectors = cx.occurrence_vectors(tiny, SENTENCES, "bank")
    for row, sentence in zip(vectors, SENTENCES, strict=True):
        ids, states = direct_states(tiny, sentence)
        position = ids.index(mid_sentence_id(tiny.tokenizer, "bank"))
        np.testing.assert_allclose(row[0], states[0, position], atol=1e-5)
        np.testing.assert_allclose(row[-1], states[-1, position], atol=1e-4)


def test_batched_sentences_of_different_lengths_match_single_forward_passes(tiny):
    """Right padding must not change any real token's vector (positions, masks)."""
    sentences = [
        "A bank.",
        "The old stone bank of the slow brown river was covered in bright green moss today.",
    ]
    vectors = cx.occurrence_vectors(tiny, sentences, "bank")
    for row, sentence in zip(vectors, sentences, strict=True):
        ids, states = direct_states(tiny, sentence)
        position = ids.index(mid_sentence_id(tiny.tokenizer, "bank"))
        np.testing.assert_allclose(row, states[:, position], atol=1e-4)


def test_llama_embedding_output_is_the_static_row(tiny_llama):
    occ = cx.find_occurrences(tiny_llama, SENTENCES, "bank")
    np.testing.assert_allclose(occ.states[:, 0], occ.static, atol=1e-6)


def test_static_vector_is_the_embedding_row_and_identical_in_every_sentence(tiny):
    occ = cx.find_occurrences(tiny, SENTENCES, "bank")
    row = tiny.embedding_matrix()[mid_sentence_id(tiny.tokenizer, "bank")]
    np.testing.assert_allclose(occ.static, np.tile(row, (3, 1)), atol=1e-6)
    assert tables.static_spread(occ) == 0.0
    assert occ.vectors.shape == (3, tiny.n_layers + 2, tiny.d_model)
    np.testing.assert_array_equal(occ.vectors[:, 0], occ.static)
    assert occ.layers == tuple(cx.layer_names(tiny.n_layers))


def test_word_used_twice_in_one_sentence_gives_two_labelled_occurrences(tiny_gpt2):
    sentences = ["The bank by the river bank flooded.", "My bank is closed."]
    occ = cx.find_occurrences(tiny_gpt2, sentences, "bank", ["river", "money"])
    assert occ.labels == ["S1.1", "S1.2", "S2"]
    assert occ.table["number"].tolist() == [1, 2, 1]
    assert occ.table["sentence"].tolist() == [1, 1, 2]
    assert occ.senses == ["river", "river", "money"]
    assert not np.allclose(occ.states[0, -1], occ.states[1, -1])  # different positions, different vectors


def test_word_split_into_pieces_is_the_mean_of_its_pieces(tiny_gpt2):
    tokenizer = tiny_gpt2.tokenizer
    word = "embeddings"
    pieces = tokenizer.tokenize(" " + word)  # mid-sentence: byte-level BPE starts with Ġ
    assert len(pieces) > 1  # the premise of the test
    sentences = [f"Models learn {word} quickly.", f"Good {word} help."]
    occ = cx.find_occurrences(tiny_gpt2, sentences, word)
    assert occ.table["n_pieces"].tolist() == [len(pieces)] * 2
    assert occ.split_pieces == [" + ".join(map(display_token, pieces))]
    assert occ.split_pieces[0].startswith("␣")  # byte-level BPE: the leading space is shown
    ids, states = direct_states(tiny_gpt2, sentences[0])
    piece_ids = tokenizer.convert_tokens_to_ids(pieces)
    start = next(i for i in range(len(ids)) if ids[i : i + len(pieces)] == piece_ids)
    expected = states[:, start : start + len(pieces)].mean(axis=1)
    np.testing.assert_allclose(occ.states[0], expected, atol=1e-5)


def test_matching_ignores_case_and_respects_word_boundaries(tiny_gpt2):
    occ = cx.find_occurrences(
        tiny_gpt2, ["BANK holidays and banks.", "The Bank, not the embankment."], "bank"
    )
    assert occ.labels == ["S1", "S2"]
    assert cx.word_spans("banks, bank's and bank.", "bank") == [(7, 11), (18, 22)]


def test_sentence_without_the_word_names_the_word_and_the_sentence(tiny_gpt2):
    with pytest.raises(ValueError, match=r"'bank'.*“Nothing to see here\.”"):
        cx.occurrence_vectors(tiny_gpt2, ["The bank is open.", "Nothing to see here."], "bank")


@pytest.mark.parametrize(
    ("sentences", "word", "message"),
    [
        (SENTENCES, "", "Type the word"),
        (SENTENCES, "   ", "Type the word"),
        (SENTENCES, "🙂🙂", "no letters"),
        (SENTENCES, "...", "no letters"),
        (SENTENCES, "bank" * 20, "more than the limit"),
        (SENTENCES, "ba\x00nk", "control characters"),
        (["Only the bank."], "bank", "at least two"),
        (["The bank.", "", "A bank."], "bank", "empty"),
        (["The bank."] * (MAX_SENTENCES + 1), "bank", "limit"),
        (["The bank " + "x" * MAX_SENTENCE_CHARS, "The bank."], "bank", "characters"),
    ],
)
def test_bad_input_raises_a_message_for_the_user(tiny_gpt2, sentences, word, message):
    with pytest.raises(ValueError, match=message):
        cx.find_occurrences(tiny_gpt2, sentences, word, **cx.PAGE_LIMITS)


def test_too_many_occurrences_and_mismatched_senses_are_refused(tiny_gpt2):
    with pytest.raises(ValueError, match="more than"):
        cx.find_occurrences(tiny_gpt2, ["bank " * 50, "bank " * 40], "bank", **cx.PAGE_LIMITS)
    with pytest.raises(ValueError, match="sense labels"):
        cx.find_occurrences(tiny_gpt2, SENTENCES, "bank", ["river"])


def test_sentence_longer_than_the_model_allows_is_refused(tiny_gpt2):
    long_sentence = "bank " + "a " * 140  # > 64 positions of the tiny model, < the character limit
    with pytest.raises(ValueError, match="too long"):
        cx.find_occurrences(tiny_gpt2, [long_sentence[:MAX_SENTENCE_CHARS], "The bank."], "bank")


# ------------------------------------------------------------------ similarity maths


def test_cosine_and_self_similarity_on_hand_made_vectors():
    vectors = np.array([[[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], [[2.0, 0.0], [-1.0, 0.0]]])
    # layer 0: all the same direction; layer 1: cosines 0, -1, 0 between the three pairs
    np.testing.assert_allclose(cx.self_similarity(vectors), [1.0, -1 / 3])
    np.testing.assert_allclose(words_vectors.cosine_matrix(vectors[:, 1]).diagonal(), 1.0)


def test_within_and_across_sense_use_the_right_pairs():
    vectors = np.array([[[1.0, 0.0]], [[0.6, 0.8]], [[0.0, 1.0]]])  # (3 occurrences, 1 layer, 2)
    within, across = cx.sense_similarity(vectors, ["a", "a", "b"])
    np.testing.assert_allclose(within, [0.6])  # only the pair (0, 1)
    np.testing.assert_allclose(across, [(0.0 + 0.8) / 2])  # pairs (0, 2) and (1, 2)
    within, across = cx.sense_similarity(vectors, ["a", "a", "a"])
    assert np.isnan(across).all()


def test_random_pairs_come_from_different_sentences_and_repeat_with_the_seed():
    sentence_of = np.array([0, 0, 1, 1, 2])
    pairs = cx.random_pairs(sentence_of, 200, seed=3)
    assert pairs.shape == (200, 2)
    assert (sentence_of[pairs[:, 0]] != sentence_of[pairs[:, 1]]).all()
    np.testing.assert_array_equal(pairs, cx.random_pairs(sentence_of, 200, seed=3))


def test_reference_statistics_and_standardising(tiny_llama):
    text = "The cat sat on the mat.\nA dog ran in the park.\nRain fell all day."
    reference = cx.reference_statistics(tiny_llama, text, n_pairs=300)
    layers = tiny_llama.n_layers + 2
    assert reference.baseline.shape == (layers,) and reference.mean.shape == (layers, tiny_llama.d_model)
    assert reference.n_words == 16
    assert (np.abs(reference.baseline) <= 1).all()
    vectors, _ = cx.reference_vectors(tiny_llama, text)
    standardised = cx.standardise(vectors, reference)
    np.testing.assert_allclose(standardised.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(standardised.std(axis=0), 1.0, atol=1e-3)


def test_reference_text_is_shipped_and_a_few_hundred_words():
    words = cx.reference_text().split()
    assert 300 <= len(words) <= 800


def test_layer_table_adjusts_by_the_baseline(tiny_gpt2):
    occ = cx.find_occurrences(tiny_gpt2, SENTENCES, "bank", ["river", "money", "air"])
    reference = cx.reference_statistics(tiny_gpt2, "One two three.\nFour five six.", n_pairs=50)
    table = tables.layer_table(occ, reference)
    assert table["layer"].tolist() == list(occ.layers)
    assert table["self_similarity"].iloc[0] == pytest.approx(1.0)  # identical static rows
    np.testing.assert_allclose(table["adjusted"], table["self_similarity"] - table["baseline"])
    assert table["within_sense"].isna().all()  # every sense has one sentence: no within pair
    standardised = tables.layer_table(occ, reference, standardised=True)
    np.testing.assert_allclose(standardised["baseline"], reference.baseline_standardised)
    long = tables.long_layer_table(table)
    assert set(long["measure"]) == {
        "self-similarity",
        "across senses",
        "baseline (random words)",
        "adjusted self-similarity",
    }


def test_pairwise_table_orders_rows_by_sense(tiny_gpt2):
    sentences = ["The bank lent money.", "A river bank.", "Bank fees rose.", "The muddy bank."]
    occ = cx.find_occurrences(tiny_gpt2, sentences, "bank", ["money", "river", "money", "river"])
    table = tables.pairwise_table(occ, occ.vectors[:, -1])
    assert len(table) == 16
    order = table.drop_duplicates("row").sort_values("row_order")["row"].tolist()
    assert order == ["S1", "S3", "S2", "S4"]
    diagonal = table[table["row"] == table["column"]]
    np.testing.assert_allclose(diagonal["cosine"], 1.0, atol=1e-6)
    assert table["row_name"].iloc[0] == "S1 · money"


def test_layer_map_has_one_point_per_occurrence_and_layer(tiny_gpt2):
    occ = cx.find_occurrences(tiny_gpt2, SENTENCES, "bank")
    frame, titles, _ = tables.layer_map(occ, occ.vectors)
    assert len(frame) == 3 * len(occ.layers)
    assert titles[0].startswith("PC1")
    static = frame[frame["layer_index"] == 0][["x", "y"]].to_numpy()
    np.testing.assert_allclose(static, static[0:1].repeat(3, axis=0), atol=1e-9)  # one shared start


def test_nearest_words_at_the_static_layer_finds_the_word_itself(tiny_llama):
    occ = cx.find_occurrences(tiny_llama, SENTENCES, "bank")
    nearest = tables.nearest_words(tiny_llama, occ, occ.vectors[:, 0], k=3)
    top = nearest[nearest["rank"] == 1]
    assert top["word"].tolist() == ["bank"] * 3
    np.testing.assert_allclose(top["cosine"], 1.0, atol=1e-5)
    summary = tables.nearest_summary(nearest)
    assert summary["occurrence"].tolist() == ["S1", "S2", "S3"]
    assert summary["nearest"].iloc[0].startswith("bank 1.00 · ")


def test_dimension_table_keeps_the_first_dimensions(tiny_gpt2):
    occ = cx.find_occurrences(tiny_gpt2, SENTENCES, "bank")
    table = tables.dimension_table(occ, occ.vectors, [0, 3], n_dims=8)
    assert len(table) == 2 * 3 * 8
    first = table[(table["layer_index"] == 3) & (table["occurrence"] == "S2")]["value"].to_numpy()
    np.testing.assert_allclose(first, occ.vectors[1, 3, :8])
