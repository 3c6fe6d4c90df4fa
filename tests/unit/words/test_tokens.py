"""Tokens with every declared word boundary, built in memory: byte-level BPE, WordPiece and
SentencePiece (geometry/words/tokens.py)."""

from types import SimpleNamespace

import numpy as np
import pytest

from geometry.transformer.family import BYTE_LEVEL, SENTENCEPIECE, WORDPIECE
from geometry.transformer.generation import generate
from geometry.transformer.registry import FAMILIES
from geometry.transformer.trace import prompt_ids, trace
from geometry.words import tokens
from tests.conftest import TOKENIZER_FIXTURES, mid_sentence_id


@pytest.fixture(scope="module")
def bpe(byte_level):
    return SimpleNamespace(tokenizer=byte_level, name="byte-level")


@pytest.fixture(scope="module")
def wp(wordpiece):
    return SimpleNamespace(tokenizer=wordpiece, name="wordpiece")


def test_the_word_boundaries_are_told_apart(bpe, wp, sentencepiece):
    sp = SimpleNamespace(tokenizer=sentencepiece, name="sentencepiece")
    assert [tokens.word_boundary(lm) for lm in (bpe, wp, sp)] == [BYTE_LEVEL, WORDPIECE, SENTENCEPIECE]


def test_a_tokenizer_on_its_own_is_told_apart_for_every_declared_boundary(request):
    """Each boundary some family declares, on a tokenizer of that kind without a model."""
    declared = {b for family in FAMILIES.values() for b in family.word_boundaries}
    assert {BYTE_LEVEL, WORDPIECE, SENTENCEPIECE} <= declared
    for boundary in declared:
        tokenizer = request.getfixturevalue(TOKENIZER_FIXTURES[boundary])
        assert tokens.word_boundary(SimpleNamespace(tokenizer=tokenizer, name="alone")) == boundary


def test_a_models_family_declares_its_word_boundary(tiny_gpt2, tiny_bert):
    assert tokens.word_boundary(tiny_gpt2) == BYTE_LEVEL and tokens.word_boundary(tiny_bert) == WORDPIECE


def test_sentencepiece_words_are_their_marked_tokens(sentencepiece):
    sp = SimpleNamespace(tokenizer=sentencepiece, name="sentencepiece")
    cat = tokens.word_tokens(sp, "cat")
    assert cat.pieces == ("▁cat",) and tokens.display_tokens(sp, cat.ids) == ("␣cat",)
    vocabulary = tokens.whole_word_vocabulary(sp)
    assert {"bank", "king", "river"} <= set(vocabulary.words)
    pieces = sentencepiece.convert_ids_to_tokens(vocabulary.ids.tolist())
    assert pieces == ["▁" + word for word in vocabulary.words]


def test_a_word_is_looked_up_as_it_appears_mid_sentence(bpe, wp):
    cat = tokens.word_tokens(bpe, "cat")
    assert cat.pieces == ("Ġcat",) and cat.ids == (mid_sentence_id(bpe.tokenizer, "cat"),)
    assert tokens.word_tokens(wp, "cat").pieces == ("cat",)
    split = tokens.word_tokens(bpe, "catalogue")
    assert split.is_split and split.pieces[0] == "Ġcat" and not split.pieces[1].startswith("Ġ")
    assert bpe.tokenizer.decode(list(split.ids)) == " catalogue"


def test_byte_level_bpe_has_no_unknown_word(bpe, wp):
    assert tokens.word_tokens(bpe, "😀").is_split  # four bytes, four tokens
    with pytest.raises(ValueError, match="no tokens"):
        tokens.word_tokens(wp, "😀")  # WordPiece reads it as [UNK]


def test_whole_words_of_a_byte_level_vocabulary_are_its_space_marked_tokens(bpe):
    vocabulary = tokens.whole_word_vocabulary(bpe)
    pieces = bpe.tokenizer.convert_ids_to_tokens(vocabulary.ids.tolist())
    assert pieces == ["Ġ" + word for word in vocabulary.words]
    assert {"bank", "king", "queen", "river"} <= set(vocabulary.words)
    first_word = bpe.tokenizer.convert_tokens_to_ids("The")  # "The" without a space opens a text only
    assert first_word not in set(vocabulary.ids.tolist())


def test_wordpiece_whole_words_leave_out_the_pieces(wp):
    vocabulary = tokens.whole_word_vocabulary(wp)
    assert {"bank", "king"} <= set(vocabulary.words)
    assert not any(word.startswith("##") for word in vocabulary.words)


def test_byte_level_display_shows_spaces_newlines_and_split_characters(bpe):
    ids = bpe.tokenizer("The cat\nsat on the mat. 😀")["input_ids"]
    shown = tokens.display_tokens(bpe, ids)
    assert shown[:3] == ("The", "␣cat", "↵") and "␣mat" in shown
    assert "�" in shown  # the emoji's bytes are separate tokens, each decoded alone
    assert "".join(shown).replace("␣", " ").replace("↵", "\n").startswith("The cat\nsat on the mat.")
    pieces = bpe.tokenizer.convert_ids_to_tokens(ids[:3])
    assert [tokens.display_token(piece) for piece in pieces] == ["The", "␣cat", "↵"]


def test_wordpiece_display_keeps_its_pieces(wp):
    ids = wp.tokenizer("Embeddings")["input_ids"]
    shown = tokens.display_tokens(wp, ids)
    assert shown[0] == "[CLS]" and shown[-1] == "[SEP]" and any(s.startswith("##") for s in shown)


def test_the_trace_shows_byte_level_tokens(tiny_gpt2):
    prompt = "The river bank\nflooded"
    ids, truncated = prompt_ids(tiny_gpt2, prompt)
    assert ids == tiny_gpt2.tokenizer(prompt)["input_ids"] and not truncated  # no special tokens added
    traced = trace(tiny_gpt2, prompt)
    assert traced.tokens == tokens.display_tokens(tiny_gpt2, ids)
    assert traced.tokens[:4] == ("The", "␣river", "␣bank", "↵")


def test_generated_tokens_are_shown_like_the_prompt(tiny_llama):
    result = generate(tiny_llama, "The bank of the", 3)
    assert result.step_tokens == tokens.display_tokens(tiny_llama, result.new_ids)
    assert result.text == tiny_llama.tokenizer.decode(list(result.new_ids))
    assert all("Ġ" not in token and " " not in token for token in result.step_tokens)


def test_the_tiny_tokenizers_come_from_no_package(byte_level, wordpiece):
    """Unit tests build their tokenizers in memory: nothing was read from an installed model."""
    for tokenizer in (byte_level, wordpiece):
        assert tokenizer.name_or_path == "" and 1_000 < len(tokenizer) < 5_000
    assert np.unique(byte_level(" bank bank")["input_ids"]).size == 1
