"""The trace page: traces, the logit lens, generation, attribution, patching, neurons."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import streamlit as st

from geometry.interpret import attribution, lens, neurons, patching
from geometry.models.handle import LoadedModel
from geometry.transformer import forward, generation
from geometry.transformer import trace as tr
from geometry.transformer.sampling import Decoding
from ui.cache import MODEL_BY_NAME
from ui.page.layout import friendly_errors
from ui.server.line import computed_in_turn

# intervention key: (ablated (layer, head) pairs, scale by 1/√d, causal mask; None = the model's own)
NORMAL = ((), True, None)
TRACE_TTL = datetime.timedelta(minutes=30)


def _intervention(key: tuple) -> forward.Intervention:
    ablated, scale, mask = key
    return forward.Intervention(
        ablated_heads=tuple(tuple(pair) for pair in ablated), scale_scores=scale, causal_mask=mask
    )


# A resource cache, not a data cache: a trace is read-only, so all sessions share one object.
# st.cache_data would keep a pickled copy and unpickle a fresh one (up to ~106 MB at 64 tokens
# on SmolLM2) for every session on every rerun. Bounded: 4 traces, each dropped after 30 minutes.
@st.cache_resource(max_entries=4, ttl=TRACE_TTL, show_spinner="Following the prompt through every layer…",
                   hash_funcs=MODEL_BY_NAME)  # fmt: skip
def cached_trace(lm: LoadedModel, prompt: str, intervention: tuple = NORMAL) -> tr.Trace:
    """The trace of ``prompt`` (see geometry.transformer.trace), cached per (model, prompt, intervention)."""
    return tr.trace(lm, prompt, _intervention(intervention))


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def cached_logit_lens(lm: LoadedModel, prompt: str, intervention: tuple, position: int) -> pd.DataFrame:
    """The logit lens of one position (geometry.interpret.lens.logit_lens), read from the cached trace."""
    return lens.logit_lens(cached_trace(lm, prompt, intervention), position=position, k=5)


def cached_generation(
    lm: LoadedModel, prompt: str, n_tokens: int, decoding: tuple
) -> generation.GenerationResult:
    """Tokens written one at a time: once per settings for the server, in turn with other heavy work."""
    return computed_in_turn(
        ("generation", lm.name, prompt, n_tokens, decoding),
        lambda: _generate(lm, prompt, n_tokens, decoding),
        "Writing tokens with the key/value cache",
    )


def _generate(lm: LoadedModel, prompt: str, n_tokens: int, decoding: tuple) -> generation.GenerationResult:
    settings = Decoding(*decoding)
    steps = iter(range(generation.MAX_NEW_TOKENS))

    def pick(logits: np.ndarray) -> int:
        return settings.choose(logits, next(steps))

    return generation.generate(
        lm, prompt, n_tokens, choose=pick, use_cache=True, max_new_tokens=generation.MAX_NEW_TOKENS
    )


def load_trace(lm: LoadedModel, prompt: str, intervention: tuple = NORMAL) -> tr.Trace | None:
    """The trace, or None after a warning on the page (empty prompt and the like)."""
    with friendly_errors():
        return cached_trace(lm, prompt, intervention)
    return None


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def logit_attribution(lm: LoadedModel, prompt: str, target: int, other: int | None) -> pd.DataFrame:
    """The direct logit attribution of the prompt's cached trace (geometry.interpret.attribution)."""
    return attribution.attribution_from_trace(lm, cached_trace(lm, prompt), target, other)


def cached_patching(lm: LoadedModel, clean: str, corrupted: str, target: int, other: int):
    """(residual table, head table), once per input for the server, with a progress bar meanwhile."""
    where = st.empty()

    def compute() -> tuple[pd.DataFrame, pd.DataFrame]:
        bar = where.progress(0.0, text="Patching…")
        residual = patching.patch_residual(
            lm,
            clean,
            corrupted,
            target,
            other,
            progress=lambda f, text: bar.progress(0.8 * f, f"Residual: {text}"),
        )
        heads = patching.patch_heads(
            lm,
            clean,
            corrupted,
            target,
            other,
            progress=lambda f, text: bar.progress(0.8 + 0.2 * f, f"Heads: {text}"),
        )
        return residual, heads

    try:
        key = ("patching", lm.name, clean, corrupted, target, other)
        return computed_in_turn(key, compute, "Patching every layer and position")
    finally:
        where.empty()


@st.cache_data(max_entries=16, ttl=TRACE_TTL, show_spinner="Reading every position through the unembedding…",
               hash_funcs=MODEL_BY_NAME)  # fmt: skip
def cached_lens(lm: LoadedModel, prompt: str, target: int | None) -> pd.DataFrame:
    """The logit lens at every position of the prompt's cached trace (geometry.interpret.lens.lens_table)."""
    return lens.lens_table(cached_trace(lm, prompt), target)


def cached_reference(lm: LoadedModel, layer: int) -> neurons.ReferenceActivations:
    """One layer's activations over the reference text: once per (model, layer) for the server."""
    return computed_in_turn(
        ("neuron reference", lm.name, layer),
        lambda: neurons.reference_activations(lm, layer),
        "Reading the reference text through the model",
    )


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def cached_vocabulary(lm: LoadedModel, layer: int, neuron: int, k: int) -> pd.DataFrame:
    """The vocabulary tokens one MLP neuron's output row promotes and suppresses most."""
    return neurons.neuron_vocabulary(lm, layer, neuron, k=k)
