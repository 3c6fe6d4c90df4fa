"""The Architectures tab: the families side by side, and the prompt through a second model."""

from __future__ import annotations

import streamlit as st

from geometry.models import catalogue
from geometry.models.handle import LoadedModel, network
from geometry.transformer import architecture, readings, registry
from geometry.transformer import trace as tr
from ui.cache.trace import load_trace
from ui.models import get_model, models_help, unavailable_reason
from ui.page.dependent import dependent
from ui.page.layout import download_table, explain
from ui.page.tables import column_label, show_table
from ui.trace.describe import family_sentence
from ui.trace.widgets import token_chips

# the two default models, then each family's example model (GPT-2's on the hub)
FAMILY_MODELS = tuple(
    dict.fromkeys((catalogue.ENCODER_NAME, catalogue.CAUSAL_LM_NAME, *catalogue.FAMILY_EXAMPLES))
)


def family_architectures(trace: tr.Trace) -> tuple[dict[str, architecture.Architecture], list[str]]:
    """The traced model's architecture and those of the families' models that load here.

    Returns ({model name: architecture}, ["model (why it is missing)", …])."""
    named, missing = {trace.model_name: trace.architecture}, []
    for name in FAMILY_MODELS:
        if name in named:
            continue
        reason = unavailable_reason(name)
        other = get_model(name) if reason is None else None
        if other is None:
            missing.append(f"{name} ({reason or 'it did not load'})")
        else:
            named[name] = registry.architecture_of(network(other))
    return named, missing


def second_run(lm: LoadedModel, trace: tr.Trace) -> None:
    """The same prompt through a second model: its tokens and, for a causal LM, its next tokens."""
    others = [name for name in catalogue.TRACE_CHOICES if name != lm.name]
    available = [name for name in others if unavailable_reason(name) is None]
    left, right = st.columns([1, 2])
    compare = left.toggle(
        "Run the prompt through a second model", False, key="tr_compare", bind="query-params"
    )
    other_name = dependent(
        right.selectbox, "Second model", others, key="tr_compare_model", default=(available or others)[0],
        context=lm.name, help=models_help(others),
    )  # fmt: skip
    if not compare:
        return
    other_lm = get_model(other_name)
    if other_lm is None:
        st.info(
            f"{other_name} is not available on this machine, so only {lm.name} is shown. "
            "With the internet reachable once, the comparison appears here."
        )
        return
    other = load_trace(other_lm, trace.prompt)
    if other is None:
        return
    for column, one, owner in zip(st.columns(2), [trace, other], [lm, other_lm], strict=True):
        column.markdown(f"**{one.model_name}**: {one.n_tokens} tokens: {token_chips(one.tokens)}")
        if one.predicts_tokens:
            show_table(readings.next_tokens(owner, one, 5), where=column)
        else:
            column.caption("An encoder: no next token, one vector per token.")


def view(lm: LoadedModel, trace: tr.Trace) -> None:
    named, missing = family_architectures(trace)
    table = architecture.architecture_table(named)
    show_table(table.assign(property=table["property"].map(column_label)), width="stretch")
    if missing:
        st.caption("Not on this machine, so not in the table: " + "; ".join(missing) + ".")
    download_table(table, "architectures.csv", key="tr_dl_architectures")
    second_run(lm, trace)
    explain(
        f"{len(named)} models, one recipe of attention and MLP blocks. "
        + " ".join(family_sentence(name, arch) for name, arch in named.items()),
        r"\text{post-norm: } h \leftarrow \text{LN}(h + f(h)),\qquad"
        r"\text{pre-norm: } h \leftarrow h + f(\text{norm}(h)),\qquad"
        r"\text{RMSNorm}(x) = \frac{x}{\sqrt{\overline{x^2}}}\,\gamma",
    )
