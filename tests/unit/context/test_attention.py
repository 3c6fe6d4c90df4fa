"""Where a word's context comes from: its attention and its moves, on tiny random BERT and Llama models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geometry.charts import context as charts
from geometry.context import attention as context_attention
from geometry.context import occurrences as context
from geometry.transformer.trace import trace

SENTENCE = "we sat by the bank of the river"


@pytest.fixture(scope="module")
def bert_context(tiny_bert):
    return context_attention.occurrence_context(tiny_bert, SENTENCE, "bank", label="S1 · river")


def test_word_positions_follow_the_tokenizer(wordpiece, tiny_bert):
    found = context_attention.word_positions(tiny_bert, "The bank by the river bank.", "bank")
    ids = wordpiece("The bank by the river bank.")["input_ids"]
    assert found == [[2], [6]]
    assert [wordpiece.convert_ids_to_tokens(ids[p[0]]) for p in found] == ["bank", "bank"]
    assert context_attention.word_positions(tiny_bert, "No such word here.", "bank") == []


def test_the_words_attention_is_its_row_of_the_trace(tiny_bert, bert_context):
    t = trace(tiny_bert, SENTENCE, max_tokens=512)
    position = bert_context.positions[0]
    at = bert_context.attention
    assert bert_context.tokens == t.tokens and t.tokens[position] == "bank"
    got = at.sort_values(["layer_index", "head", "key_position"])["probability"].to_numpy()
    assert np.allclose(got, t.attention[:, :, position, :].ravel(), atol=1e-7)
    sums = at.groupby(["layer_index", "head"])["probability"].sum()
    assert np.allclose(sums, 1.0, atol=1e-5)
    assert at["is_word"].sum() == 2 * 4  # one piece, every layer and head
    assert at["layer"].iloc[0] == "layer 1" and at["layer_index"].max() == 2


def test_heads_averaged_is_the_mean_of_the_heads(bert_context):
    mean = bert_context.attention.groupby(["layer_index", "key_position"])["probability"].mean().to_numpy()
    by_layer = bert_context.attention_by_layer.sort_values(["layer_index", "key_position"])
    assert np.allclose(by_layer["probability"], mean, atol=1e-7)
    assert "head" not in by_layer


def test_an_encoder_word_reads_the_words_after_it(bert_context):
    after = bert_context.attention[bert_context.attention["key_position"] > bert_context.positions[0]]
    assert not bert_context.causal and (after["probability"] > 0).all()


def test_a_causal_word_reads_only_back(tiny_llama):
    ctx = context_attention.occurrence_context(tiny_llama, SENTENCE, "bank")
    after = ctx.attention[ctx.attention["key_position"] > max(ctx.positions)]
    assert ctx.causal and len(after) and (after["probability"] == 0).all()


def test_changes_are_numbered_like_the_hidden_states(bert_context):
    changes = bert_context.changes
    assert changes["layer"].tolist() == ["layer 1", "layer 1", "layer 2", "layer 2"]
    assert changes["sublayer"].tolist() == ["attention", "MLP"] * 2 and (changes["change"] > 0).all()


def test_strongest_context_leaves_the_word_out(bert_context):
    top = context_attention.strongest_context(bert_context, layer_index=2, k=3)
    assert len(top) == 3 and bert_context.positions[0] not in top["key_position"].tolist()
    assert top["probability"].is_monotonic_decreasing
    T = len(bert_context.tokens)
    assert bert_context.attention_by_layer.query("is_special")["key_position"].unique().tolist() == [0, T - 1]
    words = context_attention.strongest_context(bert_context, layer_index=2, k=20, words_only=True)
    assert not {0, T - 1} & set(words["key_position"]) and len(words) == T - 3  # [CLS], [SEP], the word


def test_a_missing_word_or_use_is_refused(tiny_bert):
    with pytest.raises(ValueError, match="does not appear"):
        context_attention.occurrence_context(tiny_bert, "the river is wide", "bank")
    with pytest.raises(ValueError, match="no use number 2"):
        context_attention.occurrence_context(tiny_bert, SENTENCE, "bank", number=2)


def test_the_charts_draw_the_frames_they_are_given(bert_context):
    spec = charts.word_attention_chart(bert_context.attention_by_layer).to_dict()
    cells = spec["layer"][0]
    assert cells["encoding"]["color"]["field"] == "probability"
    assert cells["encoding"]["y"]["field"] == "layer"
    changes = pd.concat([bert_context.changes.assign(occurrence=o) for o in ("S1", "S2")])
    bars = charts.sublayer_change_chart(changes).to_dict()
    assert bars["facet"]["field"] == "occurrence"  # wrapped panels: two a row, or one on a phone
    assert bars["spec"]["encoding"]["y"]["field"] == "change"


# ------------------------------------------------------------------ two occurrences side by side


def test_the_default_pair_prefers_another_sense_and_keys_name_each_occurrence(tiny_bert):
    sentences = ("we sat by the bank of the river", "the bank lent money", "a bank of fog")
    occ = context.find_occurrences(tiny_bert, sentences, "bank").with_senses(["river", "river", "money"])
    assert context_attention.default_pair(occ) == ("S1", "S3")
    assert context_attention.default_pair(occ.with_senses(["x", "x", "x"])) == ("S1", "S2")
    assert context_attention.occurrence_names(occ)["S2"] == "S2 · river · the bank lent money"
    assert context_attention.occurrence_key(occ, "S3") == ("a bank of fog", "bank", 1, "S3 · money")
    long = context.find_occurrences(tiny_bert, ("bank " + "word " * 20, "a bank"), "bank")
    assert (
        context_attention.occurrence_names(long)["S1"].endswith("…")
        and len(context_attention.occurrence_names(long)["S1"]) < 80
    )


def test_pair_tables_stack_both_occurrences(tiny_bert, bert_context):
    other = context_attention.occurrence_context(tiny_bert, "the bank lent money", "bank", label="S2 · money")
    causal, changes, attention = context_attention.pair_tables([bert_context, other])
    assert causal is False
    assert set(changes["occurrence"]) == set(attention["occurrence"]) == {"S1 · river", "S2 · money"}
    assert len(attention) == len(bert_context.attention) + len(other.attention)


def test_attention_column_shows_one_layer_or_every_layer(bert_context):
    every = context_attention.attention_column(bert_context, 1, per_head=False)
    assert every.frame is bert_context.attention_by_layer and every.axes[0] == "layer"
    one = context_attention.attention_column(bert_context, 1, per_head=True)
    assert set(one.frame["layer_index"]) == {1} and one.axes == ("head_label", "head", "layer 1, every head")
    from ui.context.sources import strongest_sentence

    assert strongest_sentence(one).startswith("At layer 1, heads averaged, 'bank' looks most at: ")
    assert one.strongest.equals(context_attention.strongest_context(bert_context, 1))
    assert one.numbers == (len(bert_context.tokens) <= 8) and one.positions == bert_context.positions
