"""The class's cached reads: a question's spec, a revealed question's reveal, a join link's QR code.

A question's kind and spec never change once it is open, and a revealed question takes no more
answers, so both are read from the database once per server (keyed by the store, so two databases
in one process never mix) and every polling session reuses them. Only the poll itself goes to the
database on every tick.
"""

from __future__ import annotations

import streamlit as st

from classroom import Reveal, qr_svg
from ui.server.classroom import class_store


def store_name() -> str:
    """The server's store by its database (password hidden): part of every key here."""
    return repr(class_store())


@st.cache_data(max_entries=256, show_spinner=False)
def question_spec(store: str, question_id: int) -> tuple[str, dict]:
    """(kind, spec) of a question, as it was opened."""
    question = class_store().question(question_id)
    return question.kind, question.spec


@st.cache_data(max_entries=64, show_spinner=False)
def revealed(store: str, question_id: int) -> Reveal:
    """The reveal of a revealed question (its tally is final: a revealed question takes no answers).

    A next-token reveal also gives the model's probability of each guess outside its top ten, read
    from the same model's trace of the same prompt.
    """
    found = class_store()
    kind, spec = question_spec(store, question_id)
    extra = {"probability_of": _probability_reader(spec)} if kind == "next_token" else {}
    return found.reveal_of(question_id, **extra)


def _probability_reader(spec: dict):
    """The model's next-token probability of a guess (a token as shown, "␣Lyon"), or None when the
    model is not available here or the guess is not one token of it."""
    from geometry.models import loading
    from geometry.transformer.sampling import next_token_probs
    from geometry.words.tokens import display_tokens
    from ui.cache.trace import cached_trace

    try:
        lm = loading.load_model(spec["model"])
        probs = next_token_probs(cached_trace(lm, spec["prompt"]).logits)  # (vocab,)
    except (loading.ModelUnavailable, loading.IntegrityError, ValueError):
        return None

    def probability_of(token: str) -> float | None:
        ids = lm.tokenizer.encode(token.replace("␣", " "), add_special_tokens=False)
        if len(ids) != 1 or display_tokens(lm, ids)[0] != token:
            return None
        return float(probs[ids[0]])

    return probability_of


@st.cache_data(max_entries=16, show_spinner=False)
def join_qr(link: str) -> str:
    """The join link as a QR code (SVG text)."""
    return qr_svg(link)
