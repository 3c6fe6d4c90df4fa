"""A question's spec from the page's numbers (ui/classroom/specs.py), on tiny random models: every
spec is one the store accepts, and every number in it is the model's own output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from classroom.questions import check_spec, reveal_table
from geometry.learning import training
from geometry.models.handle import network
from geometry.transformer import generation
from geometry.transformer.sampling import Decoding
from geometry.transformer.trace import trace
from ui.classroom import specs

PROMPT = "the cat sat on the"


def own_next_token_logits(lm, prompt: str) -> np.ndarray:
    """(vocab,) the network's own logits after the prompt, without the trace."""
    ids = torch.tensor([lm.tokenizer(prompt)["input_ids"]])
    with torch.inference_mode():
        return network(lm)(ids).logits[0, -1].double().numpy()


def test_next_token_spec_holds_the_models_own_top_ten(tiny_lm):
    spec = specs.next_token_spec(tiny_lm, trace(tiny_lm, PROMPT))
    check_spec("next_token", spec)
    probs = torch.softmax(torch.from_numpy(own_next_token_logits(tiny_lm, PROMPT)), -1).numpy()
    top = np.argsort(-probs)[:10]
    assert [entry["id"] for entry in spec["top_tokens"]] == top.tolist()
    np.testing.assert_allclose([e["probability"] for e in spec["top_tokens"]], probs[top], atol=1e-5)
    assert spec["prompt"] == PROMPT and spec["model"] == tiny_lm.name


def test_top_probability_at_temperature_two_is_the_models(tiny_lm):
    spec = specs.top_probability_spec(trace(tiny_lm, PROMPT), 2.0)
    check_spec("number", spec)
    logits = torch.from_numpy(own_next_token_logits(tiny_lm, PROMPT))
    assert spec["value"] == pytest.approx(float(torch.softmax(logits / 2, -1).max()), abs=1e-5)


def test_attention_spec_is_one_row_of_the_heads_pattern(tiny_llama):
    traced = trace(tiny_llama, PROMPT)
    query = traced.n_tokens - 2
    spec = specs.attention_spec(traced, 1, 0, query)
    check_spec("attention", spec)
    assert len(spec["weights"]) == query + 1  # a causal model sees itself and what came before
    np.testing.assert_allclose(spec["weights"], traced.attention[1, 0, query, : query + 1])
    assert spec["tokens"] == list(traced.tokens) and spec["model"] == tiny_llama.name


def test_closer_pairs_start_with_the_pages_pair():
    names = ["king", "queen", "apple", "river", "storm"]
    X = np.random.default_rng(0).normal(size=(5, 8))  # (5, 8)
    spec = specs.closer_pair_spec("a model", names, X, (0, 1), baseline=0.1)
    check_spec("closer_pair", spec)
    assert [(p["a"], p["b"]) for p in spec["pairs"]] == [
        ("king", "queen"),
        ("king", "apple"),
        ("king", "river"),
        ("king", "storm"),
    ]
    expected = X[0] @ X[3] / np.linalg.norm(X[0]) / np.linalg.norm(X[3])
    assert spec["pairs"][2]["cosine"] == pytest.approx(expected)
    assert specs.closer_pair_spec("a model", names[:2], X[:2], (0, 1), 0.1) is None  # one pair: no question


def test_the_pairs_numbers_are_its_dot_product_and_cosine():
    names, X = ["king", "queen"], np.array([[9.0, -5, 6], [8, -4, 6]])
    dot = specs.pair_number_spec(names, X, (0, 1), "dot")
    assert (dot["value"], dot["decimals"]) == (128.0, 0)  # hand-made whole numbers: a whole answer
    cosine = specs.pair_number_spec(names, X, (0, 1), "cosine")
    assert cosine["value"] == pytest.approx(128 / np.sqrt(142 * 116))
    for spec in (dot, cosine):
        check_spec("number", spec)


@pytest.mark.parametrize("asked", [0.2, 1.0, 1.5])
def test_three_continuations_one_from_the_asked_temperature(tiny_llama, asked):
    settings = Decoding(asked, 0, 1.0, True, seed=3)
    decodings = specs.continuation_decodings(settings)
    temperatures = [d.temperature for d in decodings]
    assert temperatures.count(asked) == 1 and len(set(temperatures)) == 3
    assert all(abs(t - asked) > 0.25 for t in temperatures if t != asked)
    assert all(d.seed == 3 and d.sample for d in decodings)
    written = []
    for decoding in decodings:
        result = generation.generate(
            tiny_llama, PROMPT, 4, choose=lambda logits, d=decoding: d.choose(logits)
        )
        written.append((result.text, decoding))
    spec = specs.continuation_spec(PROMPT, tiny_llama.name, asked, written)
    check_spec("continuation", spec)
    answer = reveal_table("continuation", spec, pd.DataFrame({"answer": [], "count": []})).summary["answer"]
    assert spec["continuations"]["ABC".index(answer)]["temperature"] == asked


def test_the_seed_decides_the_order_of_the_continuations():
    orders = {
        tuple(d.temperature for d in specs.continuation_decodings(Decoding(0.2, sample=True, seed=s)))
        for s in range(12)
    }
    assert len(orders) > 1  # the asked one is not always A


def test_rows_moved_is_the_runs_own_count(tiny_llama):
    run = training.train_steps(tiny_llama, "the dog ran to the park", 1, 0.5, "sgd")
    spec = specs.rows_moved_spec(run)
    check_spec("number", spec)
    assert spec["value"] == run.moved_rows == int(np.count_nonzero(run.row_shift))
    assert spec["value"] > len(set(run.token_ids.tolist()))  # more rows than the text's own tokens move
