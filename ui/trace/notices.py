"""One-line notices of the trace page: what an encoder lacks, and what happened to unusual text."""

from __future__ import annotations

import re

import streamlit as st

from geometry.transformer import trace as tr
from geometry.words.tokens import has_control_characters


def encoder_notice(trace: tr.Trace) -> None:
    """One line at the top when the traced model is an encoder: what differs from a causal LM."""
    if not trace.predicts_tokens:
        st.info(
            f"{trace.model_name} is an **encoder**: its attention looks both ways (every token sees the "
            "whole sentence, before and after it), it normalises *after* each residual addition, and it "
            "has no vocabulary head, so the tabs about the next token do not apply.",
            icon="↔️",
        )


def needs_logits_notice(tab: str) -> None:
    """The one line a next-token tab shows for an encoder instead of disappearing."""
    st.info(
        f"{tab} does not apply here: a sentence-embedding encoder has no vocabulary head, so it gives "
        "no next-token logits to pick from; it makes one vector per token (see the other tabs).",
        icon="🚫",
    )


def prompt_notices(prompt: str, trace: tr.Trace) -> None:
    """Warnings about what happened to unusual text (it is traced either way)."""
    if trace.truncated:
        st.warning(
            f"The prompt is longer than {tr.MAX_PROMPT_TOKENS} tokens: only its last {tr.MAX_PROMPT_TOKENS} "
            "tokens are traced below.",
            icon="✂️",
        )
    if has_control_characters(prompt):
        st.warning(
            "The prompt contains invisible control characters; the model reads them as ordinary bytes."
        )
    if "[UNK]" in trace.tokens:
        st.warning(
            "The encoder's vocabulary has no token for some characters (emoji, rare scripts): they are "
            "read as the unknown token [UNK]."
        )
    elif any(ord(ch) > 0xFFFF or 0x2600 <= ord(ch) <= 0x27BF for ch in prompt):
        st.warning(
            "Emoji and rare characters are split into several byte-sized tokens; a token shown as � holds "
            "part of a character."
        )
    if re.search(r"<[a-zA-Z/!][^>]*>", prompt):
        st.info(
            "Markup such as HTML tags is not interpreted: the model reads `<`, the tag name and `>` as text."
        )
