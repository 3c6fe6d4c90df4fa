"""The Residual stream tab: the vector's length sublayer by sublayer, and the logit lens (or, for
an encoder, how far each sublayer moves the vector)."""

from __future__ import annotations

import streamlit as st

from geometry.charts import context as context_charts
from geometry.charts import trace as trace_charts
from geometry.models.handle import LoadedModel
from geometry.transformer import readings
from geometry.transformer import trace as tr
from geometry.transformer.tables import lens_top, lens_with_norms, sublayer_change_rows
from ui.cache.trace import NORMAL, cached_logit_lens
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table, explain
from ui.page.safety import safe_tokens
from ui.page.tables import show_table
from ui.trace.widgets import position_picker


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    position = position_picker(trace, "Token to follow", "tr_lens_position")
    norms = readings.residual_norms(trace, position)
    grows = "is (normalised after each step)" if trace.architecture.layout.placement.after_add else "grows"
    st.subheader(f"How long the vector {grows}, sublayer by sublayer")
    show_chart(
        cached_chart(trace_charts.residual_norm_chart, norms), f"residual_norms_{position}", key="tr_norms"
    )
    if trace.predicts_tokens:
        logit_lens_section(lm, trace, norms, position)
    else:
        encoder_residual_notes(trace, position)


def logit_lens_section(lm: LoadedModel, trace: tr.Trace, norms, position: int) -> None:
    """What the model would predict if it stopped after each sublayer."""
    st.subheader("Logit lens: what it would predict if the model stopped here")
    lens = safe_tokens(cached_logit_lens(lm, trace.prompt, NORMAL, position), "token")
    show_chart(
        cached_chart(trace_charts.logit_lens_chart, lens_top(lens)), f"logit_lens_{position}", key="tr_lens"
    )
    with st.expander("The top 5 tokens at every stage"):
        show_table(lens, width="stretch")
    download_table(lens_with_norms(lens, norms), f"logit_lens_{position}.csv", key="tr_dl_lens")
    explain(
        "The residual stream is the running vector of one token. Each attention sublayer and each MLP "
        "reads a normalised copy of it and adds its output back, so the vector is a sum of every "
        "sublayer's contribution. The logit lens applies the final normalisation and the unembedding "
        "to the vector after each sublayer, as if the model stopped there: early stages mostly echo the "
        "current token, later stages move towards the final prediction, which the last row equals.",
        r"h \leftarrow h + \text{Attn}(\text{norm}(h)),\quad h \leftarrow h + \text{MLP}(\text{norm}(h)),"
        r"\quad \text{lens}(h) = \operatorname{softmax}\big(\text{norm}_\text{final}(h)\, W_U\big)",
    )


def encoder_residual_notes(trace: tr.Trace, position: int) -> None:
    """An encoder's residual tab: what each sublayer changed; no logit lens."""
    st.info(
        "The logit lens does not apply here: it reads a vector through the model's vocabulary head, "
        "and this encoder has none.",
        icon="🚫",
    )
    st.subheader("How far each layer's attention and MLP move this token's vector")
    changes = readings.sublayer_changes(trace, position)
    show_chart(
        cached_chart(context_charts.sublayer_change_chart, sublayer_change_rows(trace, changes, position)),
        f"sublayer_changes_{position}",
        key="tr_changes",
    )
    show_table(changes, width="stretch")
    download_table(changes, f"residual_norms_{position}.csv", key="tr_dl_lens")
    explain(
        "In this encoder the normalisation sits on the stream itself, after each addition: every "
        "sublayer's output is added to the vector and the sum is normalised again (post-norm), so its "
        "length is set by each norm's learned scale instead of growing layer after layer. **change** is "
        "how far the vector moved at each step, normalisation included; **output_norm** is the length of "
        "what the sublayer added before that normalisation.",
        r"h \leftarrow \text{LN}\big(h + \text{Attn}(h)\big),\qquad"
        r"h \leftarrow \text{LN}\big(h + \text{MLP}(h)\big)",
    )
