"""Inside the model: one prompt through a real transformer, from tokens to the next token (or the vectors)."""

import streamlit as st

from geometry.models.catalogue import TRACE_CHOICES
from ui.cache.trace import load_trace
from ui.models import causal_lm_picker, get_model, model_source_caption
from ui.page.frames import title_and_intro
from ui.page.layout import explain, glossary
from ui.page.settings import presenter_mode
from ui.trace.notices import encoder_notice, needs_logits_notice, prompt_notices
from ui.trace.tabs import REGISTRY, TABS
from ui.trace.tokens import compact_tokens, tokens_view
from ui.trace.widgets import header_container, prompt_ui

TERMS = (
    "token",
    "embedding matrix",
    "dot product",
    "query, key, value",
    "attention",
    "attention head",
    "grouped-query attention",
    "causal mask",
    "encoder",
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


ENCODER_JOURNEY = (
    "One sentence goes through the encoder step by step, and every number on this page is recomputed "
    "from the model's own weights (it matches the model's own output). Tokens become rows of the "
    "embedding matrix, plus a position vector and a token-type vector, normalised; in every layer each "
    "token's query meets the keys of **every** token of the sentence, before and after it (dot products, "
    "scaled, softmax), mixes their values, and a normalisation follows the addition; an MLP reshapes "
    "the result, and is normalised in turn. At the end there is no vocabulary: each token keeps its "
    "vector, and the sentence vector is their mean, scaled to length 1. Each tab shows one step."
)


def footer(predicts_tokens: bool = True) -> None:
    if not predicts_tokens:
        explain(
            ENCODER_JOURNEY,
            r"\text{token} \to \text{LN}(E[\text{id}] + P + S) \to \big(\text{LN}(h + \text{Attn}(h))"
            r" \to \text{LN}(h + \text{MLP}(h))\big)^{L} \to \text{mean} \to \text{sentence vector}",
            title="The whole journey, in one paragraph",
        )
        glossary(*TERMS)
        return
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


title_and_intro(
    "Inside the model",
    "Follow one prompt through a real language model: its tokens, the dot products of attention in "
    "every head, the residual vector layer by layer, and the probabilities of the next token (or, in "
    "the sentence encoder, the vectors it makes). Pick a tab to look at one step at a time.",
)

# Inputs: the model and the prompt (folded into one line on a projector).
header = header_container(presenter_mode())
with header:
    model_name = causal_lm_picker(
        "tr_model",
        "Model",
        TRACE_CHOICES,
        help="SmolLM2 (a causal LM) and the sentence encoder all-MiniLM-L6-v2 are packaged and work "
        "offline; GPT-2 models need the internet once.",
    )
    prompt = prompt_ui()
lm = get_model(model_name)
if lm is None:
    footer()
    st.stop()
with header:
    model_source_caption(lm)

# Cached geometry: the prompt's trace, shared by every tab.
trace = load_trace(lm, prompt)
if trace is None:
    footer()
    st.stop()

# Sections: notices, the tokens, then the tabs; bound to the URL, only the open tab computes and draws.
encoder_notice(trace)
prompt_notices(prompt, trace)
with header:
    tokens_view(trace)
if presenter_mode():
    compact_tokens(trace)
for streamlit_tab, tab in zip(st.tabs(TABS, key="tr_tab", bind="query-params"), REGISTRY, strict=True):
    if streamlit_tab.open is not False:
        with streamlit_tab:
            if tab.needs_logits and not trace.predicts_tokens:
                needs_logits_notice(tab.name)
            else:
                tab.view(lm, trace)
footer(trace.predicts_tokens)
