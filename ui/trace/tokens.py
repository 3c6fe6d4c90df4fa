"""The token table at the top of the trace page (and its one-line form on a projector)."""

from __future__ import annotations

import streamlit as st

from geometry.transformer import trace as tr
from geometry.transformer.tables import token_table
from ui.trace.describe import positions_text
from ui.trace.widgets import token_chips


def compact_tokens(trace: tr.Trace) -> None:
    """One line for a projector: the model and the prompt's tokens."""
    st.markdown(f"**{trace.model_name}** reads {trace.n_tokens} tokens: {token_chips(trace.tokens)}")


def tokens_view(trace: tr.Trace) -> None:
    """The tokens with their ids, left to right."""
    table = token_table(trace)
    st.dataframe(table.set_index("position").T.astype(str), width="stretch")
    arch = trace.architecture
    st.caption(
        f"{trace.n_tokens} tokens. Each id selects one row of the embedding matrix E "
        f"({arch.vocab_size:,} rows × {arch.d_model} numbers): the token's starting vector. Positions "
        f"enter as {positions_text(arch)}"
    )
