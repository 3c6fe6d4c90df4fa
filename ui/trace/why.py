"""The "Why this token" tab of the trace page: the next token's logit taken apart, part by part.

Direct logit attribution (geometry.interpret.attribution): a target token (the top next token by default),
optionally minus a second token; a ranked chart of the parts that moved it most, a layer x head
heatmap, a sentence that reads the biggest parts aloud, and a button that opens a head in the
Attention tab. Activation patching follows (ui.trace.patching). Keys are prefixed ``tr_why_``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geometry.charts import trace as charts
from geometry.interpret import attribution
from geometry.interpret.attribution import component_name, top_components
from geometry.models.handle import LoadedModel
from geometry.transformer import readings
from geometry.transformer import trace as tr
from ui.cache.trace import logit_attribution
from ui.page.charts import cached_chart, show_chart
from ui.page.dependent import dependent
from ui.page.frames import folded
from ui.page.layout import download_table, explain, friendly_errors, metric_row
from ui.page.safety import safe_words
from ui.page.text import probability_phrase, verbatim
from ui.trace import patching
from ui.trace.widgets import QUIET

CHOICES = 20  # next tokens offered as the target (and as the token it is compared with)
NOTHING = -1  # "minus" choice: the target's logit itself
SHOWN = 15  # bars in the ranked chart
HEADS = "Every head's contribution"
PATCHING = "Activation patching: where the difference is carried"
PATCH_SETTINGS = ("tr_clean", "tr_corrupted", "tr_patch_target", "tr_patch_other")  # open the section


def token_choices(lm, trace: tr.Trace) -> tuple[list[int], dict[int, str], dict[int, float]]:
    """The top next tokens: ids (most likely first), their names (distinct, as the boxes and the URL
    show them) and their probabilities."""
    top = readings.next_tokens(lm, trace, k=CHOICES)
    ids = [int(i) for i in top["token_id"]]
    names = dict(zip(ids, tr.unique_labels(safe_words(list(top["token"])), ids), strict=True))
    return ids, names, dict(zip(ids, top["probability"], strict=True))


def open_head(layer: int, head: int, query: int) -> None:
    """Show this head's pattern for the last token in the Attention tab."""
    st.session_state.update(tr_layer=layer, tr_head=head, tr_query=query, tr_tab="Attention")


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    ids, names, probabilities = token_choices(lm, trace)
    left, right = st.columns(2)
    target = dependent(
        left.selectbox, "Target token", ids, key="tr_why_target", default=ids[0], format_func=names.get,
        context=trace.model_name,
        help="The token whose logit is taken apart: the model's top next token by default.",
    )  # fmt: skip
    others = [NOTHING, *[i for i in ids if i != target]]
    other = dependent(
        right.selectbox, "Minus (optional)", others, key="tr_why_other", default=NOTHING,
        format_func=lambda i: names.get(i, "nothing: the logit itself"), context=trace.model_name,
        help="Compare two tokens, e.g. ␣Paris minus ␣London: the parts that make one beat the other.",
    )  # fmt: skip
    left.caption(f"{probability_phrase(probabilities[target])} as the next token")
    if other != NOTHING:
        right.caption(f"{probability_phrase(probabilities[other])} as the next token")
    other = None if other == NOTHING else other
    table = None
    with friendly_errors():
        table = logit_attribution(lm, trace.prompt, target, other)
    if table is None:
        return
    attribution_summary(table, names[target], None if other is None else names[other])
    ranked_parts(table, trace)
    # the rest folds: each head's share, and activation patching (two more runs per patched piece)
    heads = folded(HEADS, "tr_more_why_heads")
    if heads.open:
        with heads:
            head_heatmap(table, trace)
    patched = folded(PATCHING, "tr_more_patching", PATCH_SETTINGS)
    if patched.open:
        with patched:
            patching.patching_view(lm)


def attribution_summary(table: pd.DataFrame, target: str, other: str | None) -> None:
    row = metric_row()
    measure = "logit" if other is None else "logit difference"
    row.metric(
        f"The model's {measure}",
        f"{table.attrs['logit']:.3f}",
        verbatim(target) + (f" − {verbatim(other)}" if other else ""),
        **QUIET,
    )
    row.metric(
        "Sum of the parts",
        f"{table['contribution'].sum():.3f}",
        "embedding + heads + MLPs + remainder",
        **QUIET,
    )
    row.metric(
        "Final norm's frozen scale",
        f"{table.attrs['scale']:.4f}",
        "1 / RMS (or σ) at the last token",
        **QUIET,
    )
    st.markdown(attribution_sentence(table, target, other))


def ranked_parts(table: pd.DataFrame, trace: tr.Trace) -> None:
    st.subheader("The parts that moved it most")
    top = attribution.top_components(table, k=SHOWN)
    show_chart(cached_chart(charts.attribution_bars_chart, top), "attribution_top", key="tr_why_bars")
    download_table(table, "logit_attribution.csv", key="tr_dl_why")
    positions = (
        "the token's embedding and its position vector"
        if "pos_embed" in set(table["component"])
        else "the token's embedding (this model's positions are rotations inside attention, not a vector)"
    )
    explain(
        "The last token's final vector is a sum of what every part wrote into the residual stream: "
        f"{positions}, every attention head (its output z times its slice of W_O), every MLP, and any "
        "attention output bias. The final norm divides that sum by one number, its scale s at the last "
        "token; frozen at the value the model used, the norm is a straight line, so each part's share "
        "of the logit is its vector times s and the norm's weights, dotted with the target's row of the "
        "unembedding (minus the other token's row). The remainder is what belongs to no part: the final "
        "norm's shift and the unembedding bias (0 in a model without them). The parts add up to the "
        "model's own number above. The CSV has every part, not only the largest.",
        r"\ell_t = s\,(w \odot x_T)\cdot u_t + r,\quad"
        r" x_T = e + \sum_{l,h} z^{l,h}_T W_O^{l,h} + \sum_l m^l_T"
        r"\ \Rightarrow\ \text{contribution}(c) = s\,(w \odot c)\cdot u_t",
    )


def head_heatmap(table: pd.DataFrame, trace: tr.Trace) -> None:
    heads = attribution.heads_only(table)
    show_chart(
        cached_chart(charts.layer_head_chart, heads, "contribution", show_values=True),
        "attribution_heads",
        key="tr_why_heads",
    )
    download_table(heads, "logit_attribution_heads.csv", key="tr_dl_why_heads")
    ranked = heads.reindex(heads["contribution"].abs().sort_values(ascending=False).index).head(CHOICES)
    options = list(zip(ranked["layer"], ranked["head"], strict=True))
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    layer, head = left.selectbox(
        "Head to look at (largest first)",
        options,
        format_func=lambda lh: (
            f"L{lh[0]}H{lh[1]}: {heads.set_index(['layer', 'head']).loc[lh, 'contribution']:+.3f}"
        ),
        key="tr_why_head",
    )
    right.button(
        "Open its attention pattern",
        key="tr_why_open",
        on_click=open_head,
        args=(int(layer), int(head), trace.n_tokens - 1),
    )
    explain(
        "Each cell is one head's share of the logit (difference), as in the chart above: blue pushes the "
        "target up, orange pushes it down. A head that matters usually attends from the last token to "
        "the word that decides the answer: open it to see where it looks.",
        r"\text{contribution}(l,h) = s\,\big(w \odot z^{l,h}_T W_O^{l,h}\big)\cdot u_t",
    )


def attribution_sentence(table: pd.DataFrame, target: str, other: str | None = None, k: int = 3) -> str:
    """The biggest contributors read aloud, with the numbers (``target``, ``other``: token labels)."""
    top = top_components(table[table["component"] != "remainder"], k=len(table))
    up, down = top[top["contribution"] > 0].head(k), top[top["contribution"] < 0].head(1)
    listed = [f"{component_name(r.component)} ({r.contribution:+.2f})" for r in up.itertuples()]
    logit = table.attrs["logit"]
    text = (
        f"The logit of {verbatim(target)} is {logit:.2f}. "
        if other is None
        else f"{verbatim(target)} beats {verbatim(other)} by {logit:.2f}. "
    )
    text += f"The biggest pushes up come from {_joined(listed)}" if listed else "No part pushes it up"
    for row in down.itertuples():
        text += f"; the biggest push down is {component_name(row.component)} ({row.contribution:+.2f})"
    return text + "."


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
