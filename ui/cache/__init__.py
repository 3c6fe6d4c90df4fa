"""Every cached computation of the lessons, in one package, one module per page (vectors for dot
products, projections, context, learning, trace) and one for chart specifications: keyed by plain
values, bounded in size.

Pages fetch a model by name from ui/loading.py and pass its handle here. A handle is hashed by
its name (``MODEL_BY_NAME``), so every cached function takes the model itself, never a name
beside an unhashed copy. Values are plain (numpy arrays, DataFrames, frozen dataclasses);
``st.cache_data`` hands each session its own unpickled copy, so no session can change another's.
Only read-only objects are shared as one (``st.cache_resource``): the vocabulary index, which
reads the model's own embedding matrix, and traces. geometry keeps no caches of its own: what is worth
keeping between reruns is kept here.

Heavy jobs (backward passes, training runs) go through ui.server.line's first-come, first-served
line and its bounded store of results, keyed here the same way. Chart specifications (every
``show_chart`` of a ``cached_chart``) are kept here too, by builder name and inputs.
"""

from __future__ import annotations

import streamlit as st

from geometry.models import loading
from geometry.models.handle import LoadedModel


def _model_name(lm: LoadedModel) -> str:
    return lm.name


MODEL_BY_NAME = {LoadedModel: _model_name}  # a model handle is known by its name


@st.cache_data(ttl=300, max_entries=8, show_spinner=False)
def availability(name: str) -> str | None:
    """Why ``name`` cannot load here, or None: at most ~2 s for a hub-only model, then kept 5 minutes."""
    return loading.availability(name)
