"""Learning: the loss on a short text, the embedding gradient by path, and a few steps on a copy."""

import streamlit as st

from geometry.learning.cost import parameter_counts, step_multiply_adds
from geometry.learning.gradients import MAX_TEXT_CHARS, MAX_TEXT_TOKENS, MIN_TEXT_TOKENS
from geometry.learning.training import loss_table, movement_table, neighbour_comparison, shift_histogram
from ui.cache import learning as cache
from ui.classroom import asks
from ui.classroom.ask import ask_the_class
from ui.learning import cost, gradients, loss, presets, training
from ui.models import causal_lm_picker, get_model, model_source_caption
from ui.page.frames import title_and_intro
from ui.page.layout import friendly_errors, glossary, more_controls
from ui.page.settings import presenter_mode

TERMS = (
    "loss",
    "softmax",
    "gradient",
    "backpropagation",
    "tied embeddings",
    "sparse update",
    "embedding matrix",
    "learning rate",
    "SGD",
    "Adam",
    "PCA",
    "nearest neighbours",
    "parameter",
    "multiply-add",
)

title_and_intro(
    "Learning: how gradients move the vectors",
    "Every vector on the other pages was once random. Training read text, measured how badly the "
    "model predicted each next token, and nudged the numbers against that error. Here you make "
    "one such nudge, then a few, on a real model, and watch which rows of the embedding matrix move.",
)

# ---------------------------------------------------------------- inputs
header = more_controls("Model and lesson preset")  # folded away on a projector
with header:
    model_name = causal_lm_picker("ln_model")
lm = get_model(model_name)  # its progress and any error stay in view
if lm is None:
    st.stop()
with header:
    model_source_caption(lm)
    st.selectbox(
        "Lesson preset",
        list(presets.PRESETS),
        key="ln_preset",
        bind="query-params",
        on_change=presets.apply_preset,
    )
st.session_state.setdefault("ln_text", presets.PRESETS[st.session_state.ln_preset])  # a preset may rewrite it
text = st.text_area(
    "Training text", key="ln_text", bind="query-params", on_change=presets.mark_custom, height=80
)
st.caption(
    f"At most {MAX_TEXT_CHARS} characters and {MAX_TEXT_TOKENS} tokens, "
    f"at least {MIN_TEXT_TOKENS} tokens. The model is never changed: training works on a copy."
)

# On a projector the private copy comes first: switching training on is the lesson's key moment.
private_copy = st.container() if presenter_mode() else None

# ---------------------------------------------------------------- 1 and 2: one backward pass
st.header("1. The loss: how surprised was the model?")
tables = None
with friendly_errors("ln_text"):
    tables = cache.gradient_tables(lm, text)
if tables is not None:
    loss.loss_section(tables)
    gradients.gradient_section(lm.name, tables)

# ---------------------------------------------------------------- 3: training a private copy
with private_copy or st.container():
    settings = training.training_ui()
    if tables is not None:
        ask_the_class(asks.rows_moved(lm, text, settings.optimizer, settings.lr, tables.summary.vocab))
    if settings.train and tables is not None:
        with friendly_errors():
            run = cache.training_run(lm, text, settings.steps, settings.lr, settings.optimizer)
            curve = loss_table(run)
            training.losses_view(curve)
            training.shifts_view(run, shift_histogram(run))
            zoom = training.zoom_ui()
            training.movement_view(movement_table(run, zoom), zoom, lm.d_model)
            token_id = training.token_ui(run)
            training.neighbours_view(run, neighbour_comparison(run, token_id), curve)

# ---------------------------------------------------------------- 4: the cost
n_tokens = len(tables.positions) if tables is not None else MAX_TEXT_TOKENS
parts = parameter_counts(lm)
cost.cost_section(
    parts, cost.cost_sentences(step_multiply_adds(lm, n_tokens), int(parts["parameters"].sum()))
)
cost.footer()
glossary(*TERMS)
