"""The questions each view can ask, made from the page's current inputs (one function per question).

Each returns an :class:`~ui.classroom.ask.Ask` whose ``build`` reads the model's numbers only when
the teacher clicks (ui/classroom/specs.py turns them into a spec), or None when these inputs cannot
make the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple

import numpy as np

from geometry.learning.training import TrainingRun
from geometry.models.handle import LoadedModel
from geometry.transformer.sampling import Decoding
from geometry.transformer.trace import Trace
from ui.cache.learning import training_run
from ui.cache.trace import cached_generation
from ui.classroom import specs
from ui.classroom.ask import Ask

TEMPERATURE = 2.0  # "a probability at temperature 2"


def next_token(lm: LoadedModel, trace: Trace) -> Ask:
    return Ask(
        "next_token",
        "next_token",
        f"What comes next after '{trace.prompt.strip()}'?",
        lambda: specs.next_token_spec(lm, trace),
    )


def top_probability(trace: Trace, temperature: float = TEMPERATURE) -> Ask:
    return Ask(
        "top_probability",
        "number",
        f"At temperature {temperature:g}, what probability does the model's top next token get? "
        "(0 to 1, or a percentage)",
        lambda: specs.top_probability_spec(trace, temperature),
    )


def attention(trace: Trace, layer: int, head: int, query: int) -> Ask:
    token = trace.tokens[query]
    earlier = "token" if not trace.masks_the_future else "earlier token (or itself)"
    return Ask(
        "attention",
        "attention",
        f"In layer {layer}, head {head}, which {earlier} does {token} look at most?",
        lambda: specs.attention_spec(trace, layer, head, query),
    )


def closer_pair(
    model: str, names: Sequence[str], X: np.ndarray, pair: tuple[int, int], baseline: float | None
) -> Ask | None:
    """None for hand-made vectors (no baseline) or a list without two pairs."""
    if baseline is None:
        return None
    spec = specs.closer_pair_spec(model, names, X, pair, baseline)
    if spec is None:
        return None
    pairs = [f"{p['a']} and {p['b']}" for p in spec["pairs"]]
    choices = ", ".join(pairs[:-1]) + " or " + pairs[-1]
    return Ask("closer_pair", "closer_pair", f"Which pair points more the same way: {choices}?", lambda: spec)


def pair_questions(
    lm: LoadedModel | None, names: Sequence[str], X: np.ndarray, pair: tuple[int, int], baseline: float | None
) -> tuple[Ask | None, ...]:
    """The Dot products pair's questions: which pair is closer (model vectors), its dot product and
    its cosine."""
    model = lm.name if lm is not None else "hand-made vectors"
    return (
        closer_pair(model, names, X, pair, baseline),
        pair_number(names, X, pair, "dot"),
        pair_number(names, X, pair, "cosine"),
    )


def pair_number(names: Sequence[str], X: np.ndarray, pair: tuple[int, int], measure: str) -> Ask:
    a, b = names[pair[0]], names[pair[1]]
    wording = (
        f"What is {a} · {b}? Multiply matching numbers and add them up."
        if measure == "dot"
        else f"What is the cosine of {a} and {b}? (from −1 to 1)"
    )
    return Ask(f"pair_{measure}", "number", wording, lambda: specs.pair_number_spec(names, X, pair, measure))


def continuation(lm: LoadedModel, prompt: str, n_tokens: int, settings: Decoding) -> Ask:
    """Three continuations of ``n_tokens`` written as the Generate tab writes them (its cache)."""

    def build() -> dict:
        decodings = specs.continuation_decodings(settings)
        texts = [cached_generation(lm, prompt, n_tokens, astuple(decoding)).text for decoding in decodings]
        return specs.continuation_spec(
            prompt, lm.name, settings.temperature, list(zip(texts, decodings, strict=True))
        )

    return Ask(
        "continuation",
        "continuation",
        f"Which of these continuations came from temperature {settings.temperature:g}?",
        build,
    )


def rows_moved(lm: LoadedModel, text: str, optimizer: str, lr: float, vocab: int) -> Ask:
    """One step on a private copy, as the page's own training run of one step (its cache)."""

    def build() -> dict:
        run: TrainingRun = training_run(lm, text, 1, lr, optimizer)
        return specs.rows_moved_spec(run)

    return Ask(
        "rows_moved",
        "number",
        f"One step of {optimizer.upper()} on this text (learning rate {lr:g}): how many of the "
        f"{vocab:,} embedding rows move?",
        build,
    )
