"""The Attention tab: one head's heatmap and one query token's dot product tournament."""

from __future__ import annotations

import streamlit as st

from geometry.charts import trace as charts
from geometry.models.handle import LoadedModel
from geometry.transformer import trace as tr
from geometry.transformer.tables import attention_frame, tournament, tournament_long
from ui.classroom import asks
from ui.classroom.ask import ask_the_class
from ui.page.charts import cached_chart, show_chart, show_wide_and_narrow
from ui.page.layout import download_table, explain
from ui.page.tables import show_table
from ui.page.text import verbatim
from ui.trace.widgets import index_slider, position_picker


def sharing_text(trace: tr.Trace, head: int) -> str:
    """Which key/value head this query head reads, and which heads share it."""
    arch = trace.architecture
    kv = arch.kv_head_of(head)
    partners = [h for h in range(arch.n_heads) if arch.kv_head_of(h) == kv]
    if arch.n_kv_heads == arch.n_heads:
        return f"Full attention: each of the {arch.n_heads} heads has its own keys and values (no sharing)."
    return (
        f"Grouped-query attention: query head {head} uses key/value head {kv}, shared with query heads "
        f"{', '.join(map(str, partners))} ({arch.n_heads} query heads, {arch.n_kv_heads} key/value heads)."
    )


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    arch = trace.architecture
    left, middle, right = st.columns(3)
    with left:
        layer = index_slider("Layer", arch.n_layers, "tr_layer", trace.model_name)
    with middle:
        head = index_slider("Head", arch.n_heads, "tr_head", trace.model_name)
    with right:
        query = position_picker(trace, "Query token (the one looking)", "tr_query")
    ask_the_class(asks.attention(trace, layer, head, query))  # before the tournament gives the answer away
    # One query's tournament first (the step's key moment), then the whole head's pattern.
    tournament_section(trace, layer, head, query)
    st.caption(sharing_text(trace, head))
    show_chart(
        cached_chart(
            charts.attention_heatmap_chart,
            attention_frame(trace, layer, [head]),
            f"Layer {layer}, head {head}: who looks at whom",
            show_values=trace.n_tokens <= 12,
        ),
        f"attention_L{layer}_H{head}",
        key="tr_heatmap",
    )
    explanation(trace)


def tournament_section(trace: tr.Trace, layer: int, head: int, query: int) -> None:
    """The query's dot product with every visible key, scaled, softmaxed, and the winner named."""
    st.subheader(tournament_heading(trace.tokens[query]))
    table = tournament(trace, layer, head, query)
    show_wide_and_narrow(  # four panels side by side, or stacked on a phone
        charts.tournament_chart,
        tournament_long(table),
        filename=f"tournament_L{layer}_H{head}_q{query}",
        key="tr_tournament",
        narrow={"columns": 1},
    )
    winner = table.loc[table["probability"].idxmax()]
    st.markdown(
        winner_sentence(
            trace.tokens[query], winner["key_token"], int(winner["key_position"]), winner["probability"]
        )
    )
    show_table(table.drop(columns="key_label"), width="stretch")
    download_table(table, f"tournament_L{layer}_H{head}_q{query}.csv", key="tr_dl_attention")


def tournament_heading(query_token: str) -> str:
    """The section's heading, naming the query token shown in the box (verbatim)."""
    return f"The dot product tournament of “{verbatim(query_token)}”"


def winner_sentence(query_token: str, key_token: str, key_position: int, probability: float) -> str:
    """The key the query agrees with most, read aloud (tokens verbatim)."""
    return (
        f"The query of **{verbatim(query_token)}** agrees most with the key of **{verbatim(key_token)}** "
        f"(position {key_position}), which takes **{probability:.0%}** of the attention. The head's "
        "output for this token is the sum of the value vectors weighted by these probabilities."
    )


def explanation(trace: tr.Trace) -> None:
    explain(
        "Each token makes a query q, a key k and a value v from its vector (three matrix products). "
        "The query of the chosen token is compared with the key of every token it may see: one dot product "
        f"each, divided by √d_head = √{trace.architecture.d_head} so the scores stay in a range where "
        "softmax is not saturated. Softmax turns the scores into probabilities that add up to 1, and the "
        "output is the probability-weighted sum of the values. Rows of the heatmap are queries; "
        + (
            "a token never sees the tokens after it (the causal mask). Many heads put most of their weight "
            "on the first token: an 'attention sink' where a head parks attention it does not need."
            if trace.masks_the_future
            else "in this encoder every token sees every other, before and after it: there is no causal "
            "mask, so the heatmap is full. Many heads put much of their weight on [CLS] or [SEP], the "
            "tokens around the sentence, where a head parks attention it does not need."
        ),
        r"a_{ij} = \operatorname{softmax}_j\!\left(\frac{q_i \cdot k_j}{\sqrt{d_\text{head}}}\right),"
        + (
            r"\qquad z_i = \sum_{j \le i} a_{ij}\, v_j"
            if trace.masks_the_future
            else r"\qquad z_i = \sum_j a_{ij}\, v_j"
        ),
    )
