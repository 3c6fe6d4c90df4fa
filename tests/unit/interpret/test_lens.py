"""The logit lens (geometry/interpret/lens.py) over the whole prompt, on every causal family's tiny model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from geometry.interpret.lens import lens_table, logit_lens, target_token
from geometry.transformer.readings import (
    model_view,
)
from geometry.transformer.trace import trace
from tests.conftest import mid_sentence_id

PROMPT = "the dog that chased the cat was"


# --------------------------------------------------------------------------- the whole prompt at a glance


def test_the_lens_table_ends_at_the_models_own_probabilities(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    target = 1234
    lens = lens_table(t, target=target)
    n_stages = 1 + 2 * t.architecture.n_layers
    assert len(lens) == n_stages * t.n_tokens
    assert lens["stage"].iloc[0] == "embedding" and lens["position"].tolist()[: t.n_tokens] == list(
        range(t.n_tokens)
    )
    last = lens[lens["step"] == n_stages - 1].set_index("position")
    with torch.no_grad():
        own = torch.softmax(
            tiny_lm.model(torch.tensor([t.token_ids.tolist()])).logits[0].double(), -1
        ).numpy()
    np.testing.assert_allclose(last["target_probability"], own[:, target], rtol=1e-4, atol=1e-9)
    np.testing.assert_allclose(last["top_probability"], own.max(-1), rtol=1e-4)
    assert last["top_id"].tolist() == own.argmax(-1).tolist()
    expected_rank = (own > own[:, [target]]).sum(-1) + 1
    assert last["target_rank"].tolist() == expected_rank.tolist()
    assert (last["target_rank"] >= 1).all() and (lens["top_probability"] >= lens["target_probability"]).all()


def test_the_lens_table_agrees_with_the_single_position_lens(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    lens = lens_table(t)
    assert lens["target_id"].iloc[0] == int(np.argmax(t.logits))  # the default target
    one = logit_lens(t, position=2, k=1)
    at_two = lens[lens["position"] == 2]
    assert at_two["top_id"].tolist() == one["token_id"].tolist()
    assert at_two["top_token"].tolist() == one["token"].tolist()
    np.testing.assert_allclose(at_two["top_probability"], one["probability"], rtol=1e-4)
    top = lens[lens["target_rank"] == 1]
    np.testing.assert_allclose(top["target_probability"], top["top_probability"])
    with pytest.raises(ValueError, match="outside the vocabulary"):
        lens_table(t, target=-1)


def test_the_model_view_holds_every_heads_pattern(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    a, T = t.architecture, t.n_tokens
    view = model_view(t)
    assert len(view) == a.n_layers * a.n_heads * T * (T + 1) // 2  # the causal mask hides the future
    rows = view.groupby(["layer", "head", "query_position"])["probability"].sum()
    np.testing.assert_allclose(rows, 1.0, atol=1e-5)
    cell = view.set_index(["layer", "head", "query_position", "key_position"]).loc[(1, 3, 4, 2)]
    assert cell["probability"] == pytest.approx(t.attention[1, 3, 4, 2])
    assert cell["query_token"] == t.tokens[4] and cell["key_token"] == t.tokens[2]
    assert model_view(t, layers=[1])["layer"].unique().tolist() == [1]
    with pytest.raises(ValueError, match="Layer 7"):
        model_view(t, layers=[7])


def test_a_typed_target_names_one_token_as_it_reads_mid_sentence(tiny_llama):
    lm = tiny_llama
    expected = mid_sentence_id(lm.tokenizer, "cat")  # ␣cat: the word as it reads after a space
    assert target_token(lm, "cat") == (expected, None)
    assert target_token(lm, "␣cat") == target_token(lm, " cat") == (expected, None)
    assert target_token(lm, "  cat ")[0] == expected
    first, note = target_token(lm, "catastrophically")
    pieces = lm.tokenizer(" catastrophically", add_special_tokens=False)["input_ids"]
    assert first == pieces[0] and len(pieces) > 1 and "tokens" in note
    for text in ("", "   ", "x" * 500):
        with pytest.raises(ValueError):
            target_token(lm, text)
