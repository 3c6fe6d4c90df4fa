"""Writing tokens one at a time (geometry/transformer/generation.py), with and without the cache."""

from __future__ import annotations

import numpy as np
import pytest

from geometry.transformer import registry
from geometry.transformer.generation import generate
from geometry.transformer.trace import trace

PROMPT = "the dog that chased the cat was"


# --------------------------------------------------------------------------- generation


def test_the_kv_cache_writes_the_same_tokens(tiny_lm):
    cached = generate(tiny_lm, PROMPT, 6, use_cache=True)
    scratch = generate(tiny_lm, PROMPT, 6, use_cache=False)
    T, a = len(cached.prompt_ids), registry.architecture_of(tiny_lm.model)
    assert cached.new_ids == scratch.new_ids and len(cached.new_ids) == 6
    assert cached.cached_tokens == (0, T, T + 1, T + 2, T + 3, T + 4)
    assert scratch.cached_tokens == (0,) * 6
    assert cached.reused_kv_vectors[1] == 2 * a.n_layers * a.n_kv_heads * T
    assert len(cached.step_texts) == len(cached.step_tokens) == len(cached.seconds) == 6


def test_greedy_generation_follows_the_trace(tiny_lm):
    first = generate(tiny_lm, PROMPT, 1).new_ids[0]
    assert first == int(np.argmax(trace(tiny_lm, PROMPT).logits))


def test_generation_uses_the_chooser(tiny_lm):
    result = generate(tiny_lm, PROMPT, 3, choose=lambda logits: 7)
    assert result.new_ids == (7, 7, 7)


def test_generation_refuses_too_many_tokens(tiny_lm):
    with pytest.raises(ValueError, match="new tokens"):
        generate(tiny_lm, PROMPT, 0)
    with pytest.raises(ValueError, match="between 1 and 2 new tokens"):  # the page's limit, passed in
        generate(tiny_lm, PROMPT, 3, max_new_tokens=2)
    with pytest.raises(ValueError, match="reads at most 64 tokens"):  # the model's own context
        generate(tiny_lm, PROMPT, 64)
