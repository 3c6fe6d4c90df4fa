"""Learning: the loss on a short text, the embedding gradient by path, and a few steps on a copy."""

import streamlit as st

from geometry import learning
from ui import learning_views as views
from ui.models import causal_lm_picker, get_model, model_source_caption
from ui.page import friendly_errors

st.title("Learning: how gradients move the vectors")
st.markdown(
    "Every vector on the other pages was once random. Training read text, measured how badly the "
    "model predicted each next token, and nudged the numbers against that error. Here you make "
    "one such nudge, then a few, on a real model, and watch which rows of the embedding matrix move."
)
model_name = causal_lm_picker("ln_model")
lm = get_model(model_name)
if lm is None:
    st.stop()
model_source_caption(lm)

st.selectbox(
    "Lesson preset", list(views.PRESETS), key="ln_preset", bind="query-params", on_change=views.apply_preset
)
st.session_state.setdefault("ln_text", views.PRESETS[st.session_state.ln_preset])  # a preset may rewrite it
text = st.text_area(
    "Training text",
    key="ln_text",
    bind="query-params",
    on_change=views.mark_custom,
    height=80,
)
st.caption(
    f"At most {learning.MAX_TEXT_CHARS} characters and {learning.MAX_TEXT_TOKENS} tokens, "
    f"at least {learning.MIN_TEXT_TOKENS} tokens. The model is never changed: training works on a copy."
)

st.header("1. The loss: how surprised was the model?")
tables = None
with friendly_errors():
    tables = views.gradient_tables(lm, model_name, text)
if tables is not None:
    views.loss_section(tables)
    views.gradient_section(model_name, tables)
views.training_section(lm, model_name, text, tables)
views.cost_section(lm, tables)
views.footer()
