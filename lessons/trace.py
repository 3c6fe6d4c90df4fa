"""Inside the model: one prompt through a real causal LM, from tokens to the next token's probabilities."""

import streamlit as st

from ui import trace_views as views
from ui.models import causal_lm_picker, get_model, model_source_caption
from ui.page import explain, glossary, presenter_mode

TERMS = (
    "token",
    "embedding matrix",
    "dot product",
    "query, key, value",
    "attention",
    "attention head",
    "grouped-query attention",
    "causal mask",
    "softmax",
    "residual stream",
    "normalisation",
    "MLP",
    "rotary position embedding",
    "logits",
    "logit lens",
    "tied embeddings",
    "temperature",
    "top-k",
    "top-p",
    "entropy",
    "greedy decoding",
    "key/value cache",
    "ablation",
    "multiply-add",
    "matrix multiplication",
)


def footer() -> None:
    explain(
        "One prompt goes through the model step by step, and every number on this page is recomputed "
        "from the model's own weights (it matches the model's own output). Tokens become rows of the "
        "embedding matrix; in every layer each token's query meets the keys of the tokens before it "
        "(dot products, scaled, softmax) and mixes their values; an MLP reshapes the result; at the end "
        "the last vector is scored against every vocabulary row and softmax gives the next token's "
        "probabilities. Each tab shows one step.",
        r"\text{token} \to E[\text{id}] \to \big(\text{attention} \to \text{MLP}\big)^{L}"
        r" \to h_T W_U \to \operatorname{softmax} \to \text{next token}",
        title="The whole journey, in one paragraph",
    )
    glossary(*TERMS)


st.title("Inside the model")
st.markdown(
    "Follow one prompt through a real language model: its tokens, the dot products of attention in "
    "every head, the growing residual vector, and the probabilities of the next token. "
    "Pick a tab to look at one step at a time."
)
header = views.header_container(presenter_mode())  # folded into one line on a projector
with header:
    model_name = causal_lm_picker("tr_model")
    prompt = views.prompt_ui()
lm = get_model(model_name)
if lm is None:
    footer()
    st.stop()
with header:
    model_source_caption(lm)
trace = views.load_trace(model_name, prompt)
if trace is None:
    footer()
    st.stop()
views.prompt_notices(prompt, trace)
with header:
    views.tokens_view(trace)
if presenter_mode():
    views.compact_tokens(model_name, trace)

drawers = {
    "Attention": lambda: views.attention_view(trace),
    "All heads": lambda: views.heads_view(trace),
    "Residual stream": lambda: views.residual_view(model_name, trace),
    "MLP neurons": lambda: views.mlp_view(trace),
    "Next token": lambda: views.next_token_view(lm, trace),
    "Generate": lambda: views.generate_view(model_name, lm, trace),
    "Sampling lab": lambda: views.sampling_view(lm, trace),
    "Cost": lambda: views.cost_view(trace),
    "Experiments": lambda: views.experiments_view(model_name, lm, trace),
    "Architectures": lambda: views.architectures_view(model_name, lm, trace),
}
# Bound to the URL, the tabs run lazily: only the open tab computes and draws.
for tab, name in zip(st.tabs(views.TABS, key="tr_tab", bind="query-params"), views.TABS, strict=True):
    if tab.open is not False:
        with tab:
            drawers[name]()
footer()
