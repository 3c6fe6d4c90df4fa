"""A question's spec from the numbers a page has just computed with the real model.

Each function takes what the page already holds (a trace, the list's vectors, a training run,
generated continuations) and returns the JSON-able dict ``classroom.questions`` documents for its
kind: every number in it is read from the model's own output at the moment the teacher asks, never
typed in. No Streamlit here; the asks (ui/classroom/asks.py) call these with the page's values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from geometry.learning.training import TrainingRun
from geometry.transformer import readings
from geometry.transformer.sampling import Decoding, next_token_probs
from geometry.transformer.trace import Trace
from geometry.words.vectors import cosine, dot

TOP_TOKENS = 10  # the next-token reveal shows the model's top ten
MAX_PAIRS = 4  # a which-is-closer question offers 2 to 4 pairs
OTHER_TEMPERATURES = (0.2, 1.0, 1.6)  # the two decoys of a which-continuation question come from these


def next_token_spec(lm, trace: Trace, k: int = TOP_TOKENS) -> dict:
    """The prompt and the model's own top ``k`` next tokens (temperature 1, no filter)."""
    table = readings.next_tokens(lm, trace, k)
    top = [
        {"id": int(token_id), "token": str(token), "probability": float(probability)}
        for token_id, token, probability in zip(
            table["token_id"], table["token"], table["probability"], strict=True
        )
    ]
    return {"prompt": trace.prompt, "model": lm.name, "top_tokens": top}


def top_probability_spec(trace: Trace, temperature: float = 2.0) -> dict:
    """The probability the model's top next token gets at ``temperature`` (a number question)."""
    probs = next_token_probs(np.asarray(trace.logits, dtype=np.float64), temperature)  # (vocab,)
    return {
        "quantity": f"the top token's probability at temperature {temperature:g}",
        "value": float(probs.max()),
        "unit": "",
        "decimals": 3,
    }


def closer_pair_spec(
    model: str, names: Sequence[str], X: np.ndarray, pair: tuple[int, int], baseline: float
) -> dict | None:
    """The first word of the pair against the second and up to two more entries of the list, each
    with its cosine (from the list's vectors ``X``, (n, d)), and the model's anisotropy baseline.
    None when the list has fewer than three different entries (a question needs two pairs)."""
    first, second = pair
    others = [second, *(j for j in range(len(names)) if j not in (first, second))]
    others = [j for j in others if names[j] != names[first]][:MAX_PAIRS]
    if len(others) < 2:
        return None
    pairs = [
        {"a": names[first], "b": names[j], "cosine": float(np.clip(cosine(X[first], X[j]), -1.0, 1.0))}
        for j in others
    ]
    return {"model": model, "pairs": pairs, "baseline": float(baseline)}


def pair_number_spec(names: Sequence[str], X: np.ndarray, pair: tuple[int, int], measure: str) -> dict:
    """The pair's dot product (``measure="dot"``) or cosine (``"cosine"``), from the list's vectors."""
    i, j = pair
    whole = bool(np.all(X[[i, j]] == np.round(X[[i, j]])))  # hand-made whole numbers: a whole answer
    if measure == "dot":
        value = dot(X[i], X[j])
        return {
            "quantity": f"{names[i]} · {names[j]}",
            "value": float(value),
            "unit": "",
            "decimals": 0 if whole else 2,
        }
    value = float(np.clip(cosine(X[i], X[j]), -1.0, 1.0))
    return {"quantity": f"the cosine of {names[i]} and {names[j]}", "value": value, "unit": "", "decimals": 2}


def attention_spec(trace: Trace, layer: int, head: int, query: int) -> dict:
    """One head's attention row for the query token: a weight for every position it may see."""
    row = trace.attention[layer, head, query]  # (T,)
    seen = query + 1 if trace.masks_the_future else trace.n_tokens
    return {
        "model": trace.model_name,
        "tokens": list(trace.tokens),
        "query": int(query),
        "layer": int(layer),
        "head": int(head),
        "weights": [float(weight) for weight in row[:seen]],
    }


def continuation_decodings(settings: Decoding) -> list[Decoding]:
    """Three seeded samplers for a which-continuation question, in the order A, B, C: the page's
    temperature (with its top-k, top-p and seed) and two others far from it, in an order set by the
    seed (so the asked one is not always first)."""
    asked = settings.temperature
    others = [t for t in OTHER_TEMPERATURES if abs(t - asked) > 0.25][:2]
    temperatures = [asked, *others]
    order = np.random.default_rng(settings.seed).permutation(3)
    return [
        Decoding(float(temperatures[i]), settings.top_k, settings.top_p, True, settings.seed) for i in order
    ]


def continuation_spec(
    prompt: str, model: str, asked: float, continuations: Sequence[tuple[str, Decoding]]
) -> dict:
    """Three generated continuations (text, and the sampler that wrote it) and the asked temperature."""
    return {
        "prompt": prompt,
        "model": model,
        "temperature": float(asked),
        "continuations": [
            {"text": text, "temperature": float(decoding.temperature), "seed": int(decoding.seed)}
            for text, decoding in continuations
        ],
    }


def rows_moved_spec(run: TrainingRun) -> dict:
    """How many rows of the embedding matrix one training step moved (the run's own count)."""
    return {
        "quantity": "embedding rows moved by one step",
        "value": int(run.moved_rows),
        "unit": "rows",
        "decimals": 0,
    }
