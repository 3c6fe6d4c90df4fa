"""Writing tokens one at a time with the model's own forward pass, with or without its key/value
cache, and what the cache saved at each step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from geometry.models.handle import network, using
from geometry.transformer.counting import reused_kv_vectors
from geometry.transformer.registry import architecture_of
from geometry.transformer.trace import MAX_PROMPT_TOKENS, NO_HEAD, prompt_ids
from geometry.words.tokens import display_tokens

MAX_NEW_TOKENS = 50  # the page's limit on tokens written in one call (generate(max_new_tokens=...))


def greedy(logits: np.ndarray) -> int:
    """The most likely token id.

    >>> greedy(np.array([0.1, 2.0, -1.0]))
    1
    """
    return int(np.argmax(logits))


@dataclass(frozen=True)
class GenerationResult:
    """Tokens written one at a time; per-step lists have one entry per new token."""

    prompt_ids: tuple[int, ...]
    new_ids: tuple[int, ...]
    step_texts: tuple[str, ...]  # each new token decoded on its own
    step_tokens: tuple[str, ...]  # the same as display strings ("␣" for a space)
    text: str  # the new tokens decoded together
    use_cache: bool
    cached_tokens: tuple[int, ...]  # tokens whose keys/values were reused at each step (0 without cache)
    reused_kv_vectors: tuple[int, ...]  # key and value vectors reused: 2 · layers · kv heads · cached tokens
    seconds: tuple[float, ...] = field(default=(), compare=False)  # wall clock per step (informative only)
    truncated: bool = False


def generate(
    lm, prompt: str, n_tokens: int, choose: Callable[[np.ndarray], int] = greedy, use_cache: bool = True,
    stop_at_eos: bool = False, max_new_tokens: int | None = None,
) -> GenerationResult:  # fmt: skip
    """Write ``n_tokens`` tokens after ``prompt`` with the model's own forward pass.

    ``choose(logits (vocab,) float32) -> token id`` picks each token (greedy by default).
    With ``use_cache`` the model's key/value cache (``past_key_values``) is fed back, so
    each step computes keys and values for the new token only; without it, every step
    reruns the whole sequence. ``max_new_tokens`` refuses a bigger ``n_tokens`` (the page passes
    MAX_NEW_TOKENS); the model's context length always bounds it.
    """
    import torch

    if int(n_tokens) < 1 or (max_new_tokens is not None and int(n_tokens) > max_new_tokens):
        most = f"between 1 and {max_new_tokens}" if max_new_tokens else "at least 1"
        raise ValueError(f"Choose {most} new tokens.")
    model = network(lm)
    arch = architecture_of(model)
    if not arch.layout.vocabulary_head:
        raise ValueError(NO_HEAD)
    room = int(getattr(model.config, "max_position_embeddings", 1 << 30)) - int(n_tokens)
    if room < 1:
        raise ValueError(f"{lm.name} reads at most {room + int(n_tokens)} tokens; ask for fewer new tokens.")
    ids, truncated = prompt_ids(lm, prompt, limit=min(MAX_PROMPT_TOKENS, room))
    sequence, cache, cached, seconds = list(ids), None, [], []
    with torch.no_grad(), using(lm):
        for _ in range(int(n_tokens)):
            start = time.perf_counter()
            cached.append(cache.get_seq_length() if cache is not None else 0)
            if use_cache:  # feed only what the cache has not seen
                out = model(
                    input_ids=torch.tensor([sequence[cached[-1] :]]), past_key_values=cache, use_cache=True
                )
                cache = out.past_key_values
            else:
                out = model(input_ids=torch.tensor([sequence]), use_cache=False)
            sequence.append(int(choose(out.logits[0, -1].numpy())))
            seconds.append(time.perf_counter() - start)
            if stop_at_eos and sequence[-1] == lm.tokenizer.eos_token_id:
                break
    new_ids = sequence[len(ids) :]
    return GenerationResult(
        prompt_ids=tuple(ids),
        new_ids=tuple(new_ids),
        step_texts=_decode_each(lm, new_ids),
        step_tokens=display_tokens(lm, new_ids),
        text=_decode(lm, new_ids),
        use_cache=use_cache,
        cached_tokens=tuple(cached),
        reused_kv_vectors=tuple(reused_kv_vectors(arch, c) for c in cached),
        seconds=tuple(seconds),
        truncated=truncated,
    )


def _decode(lm, ids: list[int]) -> str:
    with using(lm):
        return lm.tokenizer.decode(ids)


def _decode_each(lm, ids: list[int]) -> tuple[str, ...]:
    with using(lm):
        return tuple(lm.tokenizer.decode([i]) for i in ids)
