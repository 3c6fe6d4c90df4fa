"""The Next token tab: the logits of the last token through softmax, temperature, top-k and top-p."""

from __future__ import annotations

import numpy as np
import streamlit as st

from geometry.charts import trace as charts
from geometry.models.handle import LoadedModel
from geometry.transformer import architecture, readings, sampling
from geometry.transformer import trace as tr
from geometry.transformer.tables import next_token_long
from geometry.words import tokens
from geometry.words.tokens import readable_token
from ui.classroom import asks
from ui.classroom.ask import ask_the_class
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table, explain, metric_row
from ui.page.safety import safe_tokens, safe_words
from ui.page.tables import show_table
from ui.page.text import exact_probability, probability_phrase, verbatim
from ui.trace.widgets import QUIET, decoding_ui

SHOWN_NEXT_TOKENS = 15


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    ask_the_class(asks.next_token(lm, trace), asks.top_probability(trace))  # before the answer gives it away
    answer = st.container()  # the chosen tokens first (the step's answer), then the settings that chose them
    settings = decoding_ui()
    with answer:
        choices(lm, settings.probs(trace.logits), settings.seed)
    table = safe_tokens(readings.next_tokens(lm, trace, SHOWN_NEXT_TOKENS, settings), "token")
    show_chart(cached_chart(charts.next_token_chart, next_token_long(table)), "next_tokens", key="tr_next")
    # the tokens as the chart names them ("␣ space", ". full stop"); the CSV keeps them as decoded
    show_table(table.assign(token=table["token"].map(readable_token)), width="stretch")
    download_table(table, "next_tokens.csv", key="tr_dl_next")
    explanation(trace.architecture)


def choices(lm: LoadedModel, final: np.ndarray, seed: int) -> None:
    """The greedy and the sampled token, and how many tokens survive the filters."""
    greedy_id = sampling.choose(final)
    sampled_id = sampling.choose(final, seed)
    names = safe_words(tokens.display_tokens(lm, [greedy_id, sampled_id]))
    row = metric_row()
    for label, name, token_id in zip(
        ("Greedy choice", f"Sampled (seed {seed})"), names, (greedy_id, sampled_id), strict=True
    ):
        p = float(final[token_id])
        shown = verbatim(readable_token(name))
        row.metric(label, shown, probability_phrase(p), help=exact_probability(p), **QUIET)
    row.metric(
        "Tokens that survive the filters", f"{np.count_nonzero(final):,}", f"of {final.size:,}", **QUIET
    )


def explanation(arch: architecture.Architecture) -> None:
    tied = (
        "In this model the output matrix W_U is **tied** to the embedding matrix: it is E itself, "
        "transposed, so a token's logit is the dot product of the final vector with that token's own "
        "embedding row."
        if arch.tied_embeddings
        else "In this model the output matrix W_U is a separate matrix, not the embedding matrix."
    )
    explain(
        f"The final vector of the last token (after the final {arch.layout.norm}) is compared with every one "
        "of "
        f"the {arch.vocab_size:,} vocabulary rows: one dot product per token gives its logit. {tied} "
        "Softmax turns the logits into probabilities. Temperature divides the logits first (below 1 "
        "sharpens, above 1 flattens, 0 is greedy); top-k and top-p then drop unlikely tokens (faded bars) "
        "and the survivors are rescaled to add up to 1. Greedy takes the most probable token; sampling "
        "draws one, and the seed makes the draw repeatable.",
        r"\ell = h_T\, W_U = h_T\, E^{\top},\qquad P(w) = \frac{e^{\ell_w / T}}{\sum_v e^{\ell_v / T}}",
    )
