"""Many sessions share one pair of models: calls from several threads at once give the serial answers.

A fast (Rust) tokenizer raises ``RuntimeError: Already borrowed`` when two threads use it at the
same moment, and a model must never carry one call's state into another. Eight threads start
together (a barrier) on the same shared models; every result must equal the serial run exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from geometry.transformer.generation import generate
from geometry.transformer.trace import trace
from geometry.words.vectors import word_vectors

pytestmark = pytest.mark.slow

THREADS = 8
WORD_LISTS = [
    ["dog", "cat", "chased"],
    ["king", "queen", "banana"],
    ["river", "bank", "money"],
    ["storm", "rain", "thunderstorm"],  # "thunderstorm" splits into several tokens
]


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Run the jobs THREADS at a time, each batch released at the same instant; results in job order."""
    results = []
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for first in range(0, len(jobs), THREADS):
            batch = jobs[first : first + THREADS]
            barrier = threading.Barrier(len(batch))

            def start_together(job, barrier=barrier):
                barrier.wait()
                return job()

            results.extend(pool.map(start_together, batch))
    return results


def word_vector_jobs(encoder, causal_lm) -> list[Callable[[], np.ndarray]]:
    jobs = []
    for words in WORD_LISTS:
        jobs.append(lambda words=words: word_vectors(words, encoder, "sentence"))
        jobs.append(lambda words=words: word_vectors(words, causal_lm, "static"))
        jobs.append(lambda words=words: word_vectors(words, encoder, "static"))
    return jobs  # 12 jobs: the tokenizers of both models and the encoder's forward pass


def test_word_vectors_from_eight_threads_equal_the_serial_run(encoder, causal_lm):
    jobs = word_vector_jobs(encoder, causal_lm)
    serial = [job() for job in jobs]
    for _ in range(3):  # a race that shows once in a while is still a race
        parallel = run_together(jobs)
        for expected, got in zip(serial, parallel, strict=True):
            np.testing.assert_array_equal(got, expected)


def test_traces_from_several_threads_equal_the_serial_run(causal_lm):
    prompts = ["The storm is", "The dog chased the cat", "I sat by the river bank", "The king and queen"]
    jobs = [lambda prompt=prompt: trace(causal_lm, prompt) for prompt in prompts]
    serial = [job() for job in jobs]
    parallel = run_together(jobs)
    for expected, got in zip(serial, parallel, strict=True):
        assert got.tokens == expected.tokens
        np.testing.assert_array_equal(got.logits, expected.logits)
        np.testing.assert_array_equal(got.attention, expected.attention)


def test_generation_from_several_threads_equals_the_serial_run(causal_lm):
    jobs = [
        lambda prompt=prompt, cache=cache: generate(causal_lm, prompt, 3, use_cache=cache).new_ids
        for prompt in ("The storm is", "Once upon a time")
        for cache in (True, False)
    ]
    serial = [job() for job in jobs]
    assert run_together(jobs) == serial
