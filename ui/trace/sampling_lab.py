"""The Sampling lab tab: many seeded draws against the distribution they come from."""

from __future__ import annotations

import numpy as np
import streamlit as st

from geometry.charts import trace as charts
from geometry.models.handle import LoadedModel
from geometry.transformer import sampling
from geometry.transformer import trace as tr
from geometry.transformer.tables import sampled_ids, sampling_long, sampling_table
from geometry.words import tokens
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table, explain, metric_row, more_controls
from ui.page.safety import safe_words
from ui.page.tables import show_table
from ui.trace.widgets import QUIET, decoding_ui


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    results = st.container()  # the draws first (the step's key moment), then the settings that made them
    settings = decoding_ui()
    with more_controls("Sample size"):
        n = st.slider("Samples to draw", 10, 5000, 500, 10, key="tr_samples", bind="query-params")
    final = settings.probs(trace.logits)
    counts = sampling.sample_counts(final, n, settings.seed)
    shown = sampled_ids(final, counts)
    labels = tr.unique_labels(safe_words(tokens.display_tokens(lm, shown)), shown)
    table = sampling_table(final, counts, shown, labels)
    with results:
        summary(trace, final, counts, n)
        show_chart(
            cached_chart(charts.sampling_chart, sampling_long(table, n)), "sampling_lab", key="tr_sampling"
        )
    st.caption(
        "Tokens are in order of probability and **rank** is that order, as on the Next token tab; "
        "**samples** counts how often each was drawn, which can put a lower-ranked token ahead by chance."
    )
    show_table(table, width="stretch")
    download_table(table, "sampling_lab.csv", key="tr_dl_sampling")
    explanation(n, settings.seed)


def summary(trace: tr.Trace, final: np.ndarray, counts: np.ndarray, n: int) -> None:
    """Entropy, nucleus size, and how many tokens can be and were drawn."""
    row = metric_row()
    row.metric(
        "Entropy",
        f"{sampling.entropy_bits(final):.2f} bits",
        f"model at T = 1: {sampling.entropy_bits(sampling.next_token_probs(trace.logits)):.2f}",
        **QUIET,
    )
    row.metric("Nucleus size (p = 0.9)", f"{sampling.nucleus_size(final, 0.9):,}", "tokens", **QUIET)
    row.metric("Tokens that can be drawn", f"{np.count_nonzero(final):,}", **QUIET)
    row.metric("Different tokens drawn", f"{np.count_nonzero(counts):,}", f"in {n} draws", **QUIET)


def explanation(n: int, seed: int) -> None:
    explain(
        f"{n} tokens are drawn from the distribution set by temperature, top-k and top-p, with seed "
        f"{seed} (the same seed gives the same draws). With more samples the bars of the sample "
        "approach the probabilities. Entropy measures how spread out the distribution is: 0 bits when one "
        "token is certain, 1 bit for a fair coin. The nucleus size is how many of the most probable tokens "
        "it takes to reach 90% of the probability.",
        r"H = -\sum_w P(w)\,\log_2 P(w)",
    )
