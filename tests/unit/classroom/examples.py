"""One hand-made spec of each kind, as a page would build it (the numbers are made up for the
tests, in the shapes the models give), shared by the unit and integration tests of ``classroom``."""

from __future__ import annotations

import copy

_SPECS = {
    "next_token": {
        "prompt": "The capital of France is",
        "model": "SmolLM2-135M",
        "top_tokens": [
            {"id": 7042, "token": "␣Paris", "probability": 0.42},
            {"id": 253, "token": "␣the", "probability": 0.11},
            {"id": 260, "token": "␣a", "probability": 0.06},
            {"id": 9312, "token": "␣Lyon", "probability": 0.02},
        ],
    },
    "closer_pair": {
        "model": "all-MiniLM-L6-v2",
        "pairs": [
            {"a": "king", "b": "queen", "cosine": 0.68},
            {"a": "king", "b": "banana", "cosine": 0.21},
            {"a": "river", "b": "bank", "cosine": 0.44},
        ],
        "baseline": 0.12,
    },
    "attention": {
        "model": "SmolLM2-135M",
        "tokens": ["The", "␣cat", "␣sat", "␣on", "␣the", "␣mat"],
        "query": 4,
        "layer": 3,
        "head": 1,
        "weights": [0.5, 0.3, 0.05, 0.1, 0.05],
    },
    "number": {"quantity": "the cosine of king and queen", "value": 0.68, "unit": "", "decimals": 2},
    "continuation": {
        "prompt": "Once upon a time",
        "model": "SmolLM2-135M",
        "temperature": 0.2,
        "continuations": [
            {"text": " there was a dragon who ate clouds", "temperature": 2.0, "seed": 7},
            {"text": " there was a little girl who lived", "temperature": 0.2, "seed": 7},
            {"text": " a fox and a crow shared some cheese", "temperature": 1.0, "seed": 7},
        ],
    },
}


def spec(kind: str) -> dict:
    """A fresh copy of the example spec of ``kind`` (a test may change it)."""
    return copy.deepcopy(_SPECS[kind])


KINDS = tuple(_SPECS)
