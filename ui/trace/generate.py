"""The Generate tab: append the chosen token, see what the key/value cache saves, write several tokens."""

from __future__ import annotations

from dataclasses import astuple

import streamlit as st

from geometry.charts import trace as charts
from geometry.models.handle import LoadedModel
from geometry.transformer import counting
from geometry.transformer import trace as tr
from geometry.transformer.sampling import Decoding
from geometry.transformer.tables import generation_steps
from geometry.words.safety import MASK
from geometry.words.tokens import decode_token, display_tokens
from ui.cache.trace import cached_generation
from ui.classroom import asks
from ui.classroom.ask import ask_the_class
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table, explain, friendly_errors, metric_row
from ui.page.safety import safe_text, safe_words
from ui.page.tables import show_table
from ui.page.text import verbatim
from ui.trace.widgets import PROMPT_KEY, QUIET, decoding_ui

HISTORY_KEY = "tr_history"  # earlier prompts of the generation ratchet (session only)


def _append(text: str) -> None:
    st.session_state.setdefault(HISTORY_KEY, []).append(st.session_state[PROMPT_KEY])
    st.session_state[PROMPT_KEY] = st.session_state[PROMPT_KEY] + text


def _step_back() -> None:
    history = st.session_state.get(HISTORY_KEY) or []
    if history:
        st.session_state[PROMPT_KEY] = history.pop()


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    answer = st.container()  # the chosen token and its buttons first, then the settings that chose it
    settings = decoding_ui()
    with answer:
        next_step_section(lm, trace, settings)
    cache_section(trace)
    writing_section(lm, trace, settings)
    explain(
        "Generation is a ratchet: pick a token, append it, run again. The keys and values of earlier "
        "tokens never change (a token cannot see later ones), so the model keeps them in a cache and, on "
        "each new step, computes the projections, the MLP and the unembedding for the newest token only. "
        "Its query still meets every cached key, which is why attention grows with the context.",
        r"\text{with cache: } n = 1 \text{ new token}, \qquad \text{from scratch: } n = T;"
        r"\qquad \text{keys and values reused} = 2 \cdot L \cdot H_{kv} \cdot (T - 1)",
    )


def next_step_section(lm: LoadedModel, trace: tr.Trace, settings: Decoding) -> None:
    """The chosen next token, with buttons to append it to the prompt or to take it back."""
    chosen = settings.choose(trace.logits)
    text = decode_token(lm, chosen)
    shown = safe_words(display_tokens(lm, [chosen]))[0]
    st.markdown(next_token_sentence(shown, settings.greedy))
    left, right = st.columns(2)
    left.button(
        append_label(shown if shown == MASK else text),
        key="tr_append", on_click=_append, args=(text,), type="primary", width="stretch",
    )  # fmt: skip
    right.button(
        "Take one step back",
        key="tr_back", on_click=_step_back, width="stretch", disabled=not st.session_state.get(HISTORY_KEY),
    )  # fmt: skip
    st.caption(
        "Appending puts the token's text at the end of the prompt box (and the URL), so the whole "
        "prompt is read again; the tokens normally come out the same."
    )


def cache_section(trace: tr.Trace) -> None:
    """One step after the prompt, with the key/value cache and from scratch."""
    arch, context = trace.architecture, trace.n_tokens
    cached = context - 1  # predicting after the prompt: its last token is new, the others are cached
    st.subheader(
        f"What the key/value cache saves on this step ({context} tokens: {cached} cached, 1 computed)"
    )
    counts = counting.cache_savings(arch, context)
    totals = counting.mode_totals(counts)
    reused = counting.reused_kv_vectors(arch, cached)
    row = metric_row()
    row.metric(
        f"Key and value vectors reused ({cached} cached tokens)",
        f"{reused:,}", f"{reused * arch.d_head:,} numbers", **QUIET,
    )  # fmt: skip
    for i, mode in enumerate(("with the cache", "from scratch")):
        adds, dots = totals["multiply_adds"].iloc[i], totals["dot_products"].iloc[i]
        row.metric(f"Multiply-adds {mode}", f"{adds:,}", f"{dots:,} dot products", **QUIET)
    show_chart(
        cached_chart(charts.operation_counts_chart, counts, group="mode"), "kv_cache_savings", key="tr_kv"
    )
    download_table(counts, "kv_cache_savings.csv", key="tr_dl_kv")


def writing_section(lm: LoadedModel, trace: tr.Trace, settings: Decoding) -> None:
    """Several tokens written with the model's own cache, one row per step."""
    st.subheader("Write several tokens, one at a time, with the model's own cache")
    n_tokens = st.slider("Tokens to write", 1, 20, 5, key="tr_generate_n", bind="query-params")
    ask_the_class(asks.continuation(lm, trace.prompt, n_tokens, settings))
    with friendly_errors():
        result = cached_generation(lm, trace.prompt, n_tokens, astuple(settings))
        tokens = safe_words(list(result.step_tokens))
        steps = generation_steps(result, trace.architecture, trace.n_tokens, tokens)
        st.markdown(continuation_sentence(safe_text(result.text)))
        show_table(steps, width="stretch")
        st.caption(
            "Step 1 reads the whole prompt (nothing cached yet); each later step computes one new token "
            "and reuses the keys and values of the cached tokens: 2 × layers × key/value heads × cached "
            "tokens, the same count as above."
        )
        st.button("Append all of these", key="tr_append_all", on_click=_append, args=(result.text,))
        download_table(steps, "generation_steps.csv", key="tr_dl_generate")


def next_token_sentence(token: str, greedy: bool) -> str:
    """The chosen next token (as displayed, e.g. ␣Paris), verbatim."""
    return f"Next token: **{verbatim(token)}** ({'greedy' if greedy else 'sampled'})."


def append_label(text: str) -> str:
    """The append button's label: the token's text between quotes, verbatim (a space stays a space)."""
    return f"Append “{verbatim(text)}” and step again"


def continuation_sentence(text: str) -> str:
    """The generated text between quotes, verbatim: no Markdown, each line break shown as ↵."""
    return f"Continuation: “{verbatim(text)}”"
