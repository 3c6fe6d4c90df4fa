"""One MLP neuron, drilled down (a section of the "Whole model" tab): where it fires in the reference
text and which tokens its output row promotes and suppresses."""

from __future__ import annotations

import streamlit as st

from geometry.charts import trace as charts
from geometry.interpret import neurons
from geometry.models.handle import LoadedModel
from geometry.transformer import readings
from geometry.transformer import trace as tr
from geometry.transformer.trace import unique_labels
from ui.cache.trace import cached_reference, cached_vocabulary
from ui.page.charts import cached_chart, show_chart
from ui.page.dependent import dependent
from ui.page.layout import download_table, explain, friendly_errors
from ui.page.safety import safe_tokens
from ui.page.tables import show_table
from ui.page.text import verbatim
from ui.trace.describe import neuron_formula
from ui.trace.widgets import index_slider, token_chips

SHOWN_CONTEXTS = 12
SHOWN_TOKENS = 10  # promoted and suppressed tokens, each


def _most_active(trace: tr.Trace, layer: int) -> None:
    st.session_state["tr_neuron"] = int(readings.top_neurons(trace, layer, -1, k=1)["neuron"].iloc[0])


def neuron_ui(trace: tr.Trace) -> tuple[int, int]:
    """Layer and neuron pickers (URL-bound), with a shortcut to this prompt's most active neuron."""
    arch = trace.architecture
    left, right = st.columns(2)
    with left:
        layer = index_slider("Layer of the neuron", arch.n_layers, "tr_neuron_layer", trace.model_name)
    neuron = dependent(
        right.number_input, f"Neuron (0–{arch.d_mlp - 1})", range(arch.d_mlp), key="tr_neuron", default=0,
        context=trace.model_name,
    )  # fmt: skip
    st.button(
        f"Pick the neuron most active for the last token ({verbatim(trace.tokens[-1])}) in layer {layer}",
        key="tr_neuron_top",
        on_click=_most_active,
        args=(trace, layer),
    )
    return int(layer), int(neuron)


def neuron_section(lm: LoadedModel, trace: tr.Trace) -> None:
    """Drawn in the Whole model tab's folded section "One neuron, drilled down"."""
    layer, neuron = neuron_ui(trace)
    reference = cached_reference(lm, layer)
    with friendly_errors():
        contexts = safe_tokens(neurons.neuron_contexts(lm, reference, neuron, k=SHOWN_CONTEXTS), "token")
        st.markdown(
            f"Where **L{layer} neuron {neuron}** fires most in the reference text "
            f"({len(reference.tokens)} tokens, every line read on its own):"
        )
        show_table(
            contexts[["rank", "activation", "context"]],  # the token is the one in [brackets]
            width="stretch",
            column_config={"activation": st.column_config.NumberColumn(format="%.3f")},
        )
        download_table(contexts, f"neuron_L{layer}_N{neuron}_contexts.csv", key="tr_dl_neuron_contexts")
    if trace.predicts_tokens:
        vocabulary_part(lm, layer, neuron)
    else:
        st.info(
            "What the neuron writes cannot be read as tokens here: this encoder has no unembedding.",
            icon="🚫",
        )
    explain(
        "A neuron is one of the MLP's hidden numbers: its activation is a detector's dot product with "
        "the token's normalised vector, passed through the activation function (GELU, or SwiGLU's gate "
        "times a second dot product). The table runs every line of a short reference text through the "
        "model and lists the tokens where this neuron is largest, with the words around them. Whatever "
        "the neuron detects, it writes one fixed direction into the residual stream: its row of the MLP's "
        "output matrix, times its activation. Scored against every vocabulary row, that direction pushes "
        "some tokens up and others down.",
        neuron_formula(trace.architecture)
        + r",\qquad \text{MLP}(x) = \sum_n a_n\, w^\text{out}_n,"
        + r"\qquad \text{score}(w) = w^\text{out}_n \cdot W_U[:, w]",
    )


def vocabulary_part(lm: LoadedModel, layer: int, neuron: int) -> None:
    with friendly_errors():
        table = safe_tokens(cached_vocabulary(lm, layer, neuron, SHOWN_TOKENS), "token")
        shown = table.assign(token_label=unique_labels(table["token"], table["token_id"]))
        st.markdown("**What it writes**: the tokens its output row pushes up and down most.")
        show_chart(
            cached_chart(charts.neuron_vocabulary_chart, shown),
            f"neuron_L{layer}_N{neuron}_tokens",
            key="tr_neuron_tokens",
        )
        up, down = (
            table[table["direction"] == d]["token"].head(3).tolist() for d in ("promotes", "suppresses")
        )
        st.markdown(
            f"Each unit of its activation adds most to the logits of {token_chips(up)} and takes most "
            f"from {token_chips(down)}."
        )
        download_table(table, f"neuron_L{layer}_N{neuron}_tokens.csv", key="tr_dl_neuron_tokens")
