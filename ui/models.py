"""Model loading for pages: once per server, shared read-only, with progress.

The one store of model handles is ``geometry.models.loading.load_model``'s process-wide table: it
loads each model once under one lock, so the server's warm-up thread and every session share the
same load and the same object (a notebook gets the same behaviour). A second ``st.cache_resource``
here would only hold the same objects again. Everything computed from a model is cached in
the ui/cache package, keyed by the model's name.
"""

from __future__ import annotations

import streamlit as st

from geometry.models import catalogue, loading
from geometry.models.handle import LoadedModel
from geometry.models.loading import ModelUnavailable
from ui.cache import availability


def get_model(name: str) -> LoadedModel | None:
    """The model, loaded once per server behind a progress box (gone once it is ready); None (with
    a message) if absent.

    Pages that get None stop drawing the parts that need the model; other pages keep working.
    The reason a model is unavailable is shown on the page, not folded inside the progress box.
    """
    if name in st.session_state.get("_models_ready", set()):
        try:
            return loading.load_model(name)
        except (ModelUnavailable, loading.IntegrityError) as error:
            st.error(str(error))
            return None
    failure = None
    label = f"Loading {name}…"
    if loading.needs_unpacking(name):
        label = f"Unpacking {name}'s weights: once on this machine, about 30 seconds…"
    box = st.empty()  # the progress box goes once the model is ready: the page starts higher
    with box.status(label, expanded=False) as status:
        try:
            model = loading.load_model(name)
        except (ModelUnavailable, loading.IntegrityError) as error:
            status.update(label=f"{name} is not available", state="error")
            failure = error
    if failure is not None:
        st.error(str(failure), icon="🔌")
        return None
    box.empty()
    st.session_state.setdefault("_models_ready", set()).add(name)
    return model


def unavailable_reason(name: str) -> str | None:
    """Why ``name`` cannot load here, in a few words (kept five minutes); None when it can."""
    return availability(name)


def models_help(choices: list[str], help: str | None = None) -> str | None:
    """A picker's help, saying which of its models are not on this machine (their names stay plain in
    the box and in the URL: whether a model loads is this machine's state, not a setting)."""
    missing = [name for name in choices if availability(name) is not None]
    if not missing:
        return help
    note = f"Not on this machine (they need the internet once): {', '.join(missing)}."
    return f"{help} {note}" if help else note


def causal_lm_picker(
    key: str,
    label: str = "Causal language model",
    choices: list[str] = catalogue.CAUSAL_LM_CHOICES,
    help: str = "SmolLM2 is packaged and works offline; GPT-2 models need the internet once.",
) -> str:
    """A select box of models (causal LMs unless ``choices`` says otherwise) bound to the URL.

    Returns the chosen name. The help says which models cannot load here (hub-only models on a
    machine without internet); when one is chosen, the reason is said at once below the box.
    """
    name = st.selectbox(label, choices, key=key, bind="query-params", help=models_help(choices, help))
    reason = availability(name)
    if reason is not None:
        st.warning(f"{name} cannot be used on this machine: {reason}.", icon="🔌")
    return name


def model_source_caption(model: LoadedModel) -> None:
    where = "packaged with the app (offline)" if model.source == "packaged" else "Hugging Face hub"
    st.caption(
        f"**{model.name}** · {model.n_layers} layers · {model.d_model} dimensions · "
        f"vocabulary {len(model.tokenizer):,} tokens · from the {where}"
    )
