"""The Cost tab: multiply-adds and dot products of this prediction, counted from the shapes."""

from __future__ import annotations

from geometry.charts import trace as charts
from geometry.models.handle import LoadedModel
from geometry.transformer import counting
from geometry.transformer import trace as tr
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table, explain, metric_row
from ui.page.tables import show_table
from ui.trace.widgets import QUIET


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    arch, T = trace.architecture, trace.n_tokens
    counts = counting.operation_counts(arch, T)
    row = metric_row()
    label = (
        "Multiply-adds for this prediction"
        if arch.layout.vocabulary_head
        else "Multiply-adds for these vectors"
    )
    row.metric(label, f"{counts['multiply_adds'].sum():,}", **QUIET)
    row.metric("Dot products", f"{counts['dot_products'].sum():,}", **QUIET)
    show_chart(cached_chart(charts.operation_counts_chart, counts), "operation_counts", key="tr_cost")
    show_table(counts, width="stretch")
    download_table(counts, "operation_counts.csv", key="tr_dl_cost")
    if arch.layout.causal:
        rule = (
            "Attention counts only the query–key pairs the causal mask allows, and the unembedding only "
            "for the last token (the only one whose next token we need)."
        )
        pairs = r"\text{pairs} = \tfrac{T(T+1)}{2}"
    else:
        rule = (
            "Attention looks both ways in this encoder, so every token meets every key: T × T pairs per "
            "head. There is no unembedding: an encoder has no vocabulary head."
        )
        pairs = r"\text{pairs} = T^2"
    explain(
        f"Counted from the shapes of {trace.model_name or 'the model'} for {T} tokens, with no timing: "
        "every matrix product is a batch of dot products, and each dot product of length n is n "
        f"multiply-adds. {rule} Norms, softmax, activation functions and additions take a few operations "
        "per number and are left out.",
        r"\text{dot product of length } n = n \text{ multiply-adds};\qquad" + pairs,
    )
