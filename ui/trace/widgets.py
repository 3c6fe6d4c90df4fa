"""The trace page's shared controls: the prompt box, pickers of a layer, head or position, the decoding
settings, and the header that folds away on a projector. Keys are prefixed ``tr_`` and bound to the URL."""

from __future__ import annotations

import streamlit as st

from geometry.transformer import trace as tr
from geometry.transformer.sampling import Decoding
from geometry.words.tokens import readable_token
from ui.page.dependent import dependent
from ui.page.text import chips

PRESETS = ("The storm is", "The capital of France is", "The dog that chased the cat was")
LIMIT = tr.MAX_PROMPT_TOKENS
PROMPT_KEY = "tr_prompt"
# A metric's second line is a note, not a change; each metric is as wide as its text (see metric_row).
QUIET = {"delta_color": "off", "delta_arrow": "off", "width": "content"}


def _set_prompt(text: str) -> None:
    st.session_state[PROMPT_KEY] = text


def prompt_ui() -> str:
    """Preset buttons and the URL-bound prompt box; returns the prompt exactly as typed."""
    st.session_state.setdefault(PROMPT_KEY, PRESETS[0])
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown("**Presets:**", width="content")
        for i, preset in enumerate(PRESETS):
            st.button(preset, key=f"tr_preset_{i}", on_click=_set_prompt, args=(preset,))
    prompt = st.text_area(
        "Prompt",
        key=PROMPT_KEY,
        bind="query-params",
        height=80,
        help=f"Up to {LIMIT} tokens; a longer prompt keeps its last {LIMIT} tokens.",
    )
    st.caption(
        f"The model reads at most **{LIMIT} tokens** here (a few hundred characters of English); "
        "a longer prompt keeps its last tokens."
    )
    return prompt


def header_container(presenter: bool):
    """Where the model picker, presets, prompt and token table go: in place, or folded into one
    expander in presenter mode so every tab starts near the top of the screen."""
    if presenter:
        return st.expander("Model, prompt presets and the token table", expanded=False)
    return st.container()


def token_chips(tokens) -> str:
    """Tokens as separate code spans, punctuation named, so they can be seen and read out:
    `. full stop` `, comma` `␣and`."""
    return chips(readable_token(token) for token in tokens)


def index_slider(label: str, count: int, key: str, context: str, default: int = 0, **kwargs) -> int:
    """A URL-bound slider over 0..count-1: a layer or head of the model named ``context`` (another
    model's layer 3 is another layer: a choice made there goes back to ``default``)."""
    if count <= 1:
        return 0
    default = min(max(default, 0), count - 1)
    return dependent(st.slider, label, range(count), key=key, default=default, context=context, **kwargs)


def position_picker(trace: tr.Trace, label: str, key: str) -> int:
    """A URL-bound select box of the prompt's positions, each shown (and written in the URL) with its
    token ("2 ␣is"), so a new prompt cannot keep a position that now holds another token; the last
    token by default."""
    labels = tr.position_labels(trace)
    return dependent(
        st.selectbox, label, range(trace.n_tokens), key=key, default=trace.n_tokens - 1,
        format_func=labels.__getitem__,
    )  # fmt: skip


def decoding_ui() -> Decoding:
    """Temperature, top-k, top-p, greedy or sampled, seed: the same URL-bound keys on every tab."""
    left, middle, right = st.columns(3)
    temperature = left.slider(
        "Temperature", 0.0, 2.0, 1.0, 0.05, key="tr_temperature", bind="query-params",
        help="Divide the logits by this before softmax. 0 = greedy.",
    )  # fmt: skip
    top_k = middle.slider(
        "Top-k (0 = no limit)", 0, 100, 0, key="tr_top_k", bind="query-params",
        help="Keep only the k most probable tokens.",
    )  # fmt: skip
    top_p = right.slider(
        "Top-p (1 = no limit)", 0.05, 1.0, 1.0, 0.05, key="tr_top_p", bind="query-params",
        help="Keep the smallest set of most probable tokens whose probability reaches p.",
    )  # fmt: skip
    left, right = st.columns(2)
    mode = left.radio(
        "Choice", ["greedy", "sample"], horizontal=True, key="tr_choice", bind="query-params",
        help="Greedy takes the most probable token; sample draws one at random, seeded.",
    )  # fmt: skip
    seed = right.number_input("Seed", 0, 1_000_000, 0, key="tr_seed", bind="query-params")
    settings = Decoding(float(temperature), int(top_k), float(top_p), mode == "sample", int(seed))
    if settings.temperature == 0:
        st.info(
            "Temperature 0 means **greedy** decoding: the most probable token is always chosen.", icon="🎯"
        )
    return settings
