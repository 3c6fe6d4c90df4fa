"""Every cache of the "Inside the model" page, keyed by plain values (model name, prompt, settings).

The model is fetched by name inside each function, so views pass ``lm.name``, never the model.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import streamlit as st

from geometry import models
from geometry import trace as tr
from geometry.sampling import Decoding
from ui.heavy import computed_in_turn
from ui.page import friendly_errors

# intervention key: (ablated (layer, head) pairs, scale by 1/√d, causal mask; None = the model's own)
NORMAL = ((), True, None)
TRACE_TTL = datetime.timedelta(minutes=30)


def _intervention(key: tuple) -> tr.Intervention:
    ablated, scale, mask = key
    return tr.Intervention(
        ablated_heads=tuple(tuple(pair) for pair in ablated), scale_scores=scale, causal_mask=mask
    )


# A resource cache, not a data cache: a trace is read-only, so all sessions share one object.
# st.cache_data would keep a pickled copy and unpickle a fresh one (up to ~106 MB at 64 tokens
# on SmolLM2) for every session on every rerun. Bounded: 4 traces, each dropped after 30 minutes.
@st.cache_resource(max_entries=4, ttl=TRACE_TTL, show_spinner="Following the prompt through every layer…")
def cached_trace(model_name: str, prompt: str, intervention: tuple = NORMAL) -> tr.Trace:
    """The trace of ``prompt`` (see geometry.trace), cached per (model, prompt, intervention)."""
    return tr.trace(models.load_model(model_name), prompt, _intervention(intervention))


@st.cache_data(max_entries=16, show_spinner=False)
def cached_logit_lens(model_name: str, prompt: str, intervention: tuple, position: int) -> pd.DataFrame:
    """The logit lens of one position (geometry.trace.logit_lens), read from the cached trace."""
    return tr.logit_lens(cached_trace(model_name, prompt, intervention), position=position, k=5)


def cached_generation(model_name: str, prompt: str, n_tokens: int, decoding: tuple) -> tr.GenerationResult:
    """Tokens written one at a time: once per settings for the server, in turn with other heavy work."""
    return computed_in_turn(
        ("generation", model_name, prompt, n_tokens, decoding),
        lambda: _generate(model_name, prompt, n_tokens, decoding),
        "Writing tokens with the key/value cache",
    )


def _generate(model_name: str, prompt: str, n_tokens: int, decoding: tuple) -> tr.GenerationResult:
    settings = Decoding(*decoding)
    steps = iter(range(tr.MAX_NEW_TOKENS))

    def pick(logits: np.ndarray) -> int:
        return settings.choose(logits, next(steps))

    return tr.generate(models.load_model(model_name), prompt, n_tokens, choose=pick, use_cache=True)


def load_trace(model_name: str, prompt: str, intervention: tuple = NORMAL) -> tr.Trace | None:
    """The trace, or None after a warning on the page (empty prompt and the like)."""
    with friendly_errors():
        return cached_trace(model_name, prompt, intervention)
    return None
