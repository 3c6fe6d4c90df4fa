"""Activation patching on the "Why this token" tab: copy one piece of a clean run into a corrupted one.

Two prompts of equal token length and a pair of tokens; a heatmap of the fraction of the clean
logit difference each (layer, position) restores, and one per head at the last position. The
runs go through the server's heavy line once per input (ui.server.line) with a progress bar. Keys are
prefixed ``tr_patch_`` (the two prompt boxes: ``tr_clean``, ``tr_corrupted``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geometry.charts import trace as charts
from geometry.interpret import patching as patches
from geometry.models.handle import LoadedModel
from geometry.transformer import readings
from geometry.transformer import trace as tr
from geometry.words import tokens
from ui.cache.trace import cached_patching, cached_trace
from ui.page.charts import cached_chart, show_chart
from ui.page.dependent import dependent
from ui.page.layout import download_table, explain, friendly_errors, metric_row
from ui.page.safety import safe_words
from ui.page.text import verbatim
from ui.trace.notices import prompt_notices
from ui.trace.widgets import QUIET

PRESETS = (
    ("The capital of France is", "The capital of Italy is"),
    ("The dog that chased the cat was", "The dogs that chased the cat were"),
)
CHOICES = 10  # top next tokens of each run offered as the pair


def _set_prompts(clean: str, corrupted: str) -> None:
    st.session_state.update(tr_clean=clean, tr_corrupted=corrupted)


def prompts_ui() -> tuple[str, str]:
    st.session_state.setdefault("tr_clean", PRESETS[0][0])
    st.session_state.setdefault("tr_corrupted", PRESETS[0][1])
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown("**Pairs:**", width="content")
        for i, pair in enumerate(PRESETS):
            st.button(" / ".join(pair), key=f"tr_patch_preset_{i}", on_click=_set_prompts, args=pair)
    left, right = st.columns(2)
    clean = left.text_input("Clean prompt", key="tr_clean", bind="query-params")
    corrupted = right.text_input(
        "Corrupted prompt (same number of tokens)", key="tr_corrupted", bind="query-params"
    )
    return clean, corrupted


def pair_ui(lm, clean: tr.Trace, corrupted: tr.Trace) -> tuple[int, int]:
    """The two tokens whose logit difference is restored: by default each run's own top next token."""
    tops = [readings.next_tokens(lm, run, k=CHOICES) for run in (clean, corrupted)]
    ids = list(dict.fromkeys(int(i) for top in tops for i in top["token_id"]))
    shown = tr.unique_labels(safe_words(list(tokens.display_tokens(lm, ids))), ids)
    names = dict(zip(ids, shown, strict=True))
    clean_top, corrupted_top = (int(top["token_id"].iloc[0]) for top in tops)
    left, right = st.columns(2)
    target = dependent(
        left.selectbox, "Clean answer", ids, key="tr_patch_target", default=clean_top,
        format_func=names.get, context=lm.name,
    )  # fmt: skip
    others = [i for i in ids if i != target]
    other = dependent(
        right.selectbox, "Corrupted answer", others, key="tr_patch_other",
        default=corrupted_top if corrupted_top in others else others[0], format_func=names.get,
        context=lm.name,
    )  # fmt: skip
    return target, other


def patching_view(lm: LoadedModel) -> None:
    """Drawn in the Why this token tab's folded section "Activation patching"."""
    clean_prompt, corrupted_prompt = prompts_ui()
    runs = None
    with friendly_errors():
        patches.patching_prompts(lm, clean_prompt, corrupted_prompt)
        runs = [cached_trace(lm, prompt) for prompt in (clean_prompt, corrupted_prompt)]
    if runs is None:
        return
    for prompt, run in zip((clean_prompt, corrupted_prompt), runs, strict=True):
        prompt_notices(prompt, run)
    target, other = pair_ui(lm, *runs)
    tables = None
    with friendly_errors():
        tables = cached_patching(lm, clean_prompt, corrupted_prompt, target, other)
    if tables is not None:
        residual_heatmap(tables[0], runs[0].architecture.n_layers)
        head_patching(tables[1])


def residual_heatmap(table: pd.DataFrame, n_layers: int) -> None:
    row = metric_row()
    row.metric("Clean logit difference", f"{table.attrs['clean']:.3f}", "restored = 1", **QUIET)
    row.metric("Corrupted logit difference", f"{table.attrs['corrupted']:.3f}", "restored = 0", **QUIET)
    best = table.loc[table["restored"].idxmax()]
    st.markdown(
        f"Copying the clean stream at **{verbatim(best['position_label'])}** entering layer "
        f"**{best['layer_label']}** "
        f"restores **{best['restored']:.0%}** of the difference. Before the layers where a column fades, the "
        "answer still sits at that word; after them it has moved to the last token."
    )
    show_chart(
        cached_chart(charts.patching_chart, table, show_values=True), "patching_residual", key="tr_patch_grid"
    )
    download_table(table, "patching_residual.csv", key="tr_dl_patch")
    explain(
        "Both prompts run through the model. Then, for every layer and position, the corrupted run is "
        "repeated with one vector replaced: the residual stream of the clean run at that layer and "
        "position. Each repeated run starts at the layer it patches (everything before it is the "
        "corrupted run) and only recomputes the tokens from the patched position on, since the earlier "
        "ones cannot see it. The number is how much of the clean logit difference comes back: 0 = none, "
        f"1 = all. Row 0 is the stream entering the first layer (the token vectors); the last row, "
        f"'final', is the output of layer {n_layers - 1}, which only the last token can pass on.",
        r"\text{restored} = \frac{\Delta_\text{patched} - \Delta_\text{corrupted}}"
        r"{\Delta_\text{clean} - \Delta_\text{corrupted}},\qquad \Delta = \ell_\text{clean answer} - "
        r"\ell_\text{corrupted answer}",
    )


def head_patching(table: pd.DataFrame) -> None:
    st.subheader("Each head, patched at the last token")
    show_chart(
        cached_chart(charts.layer_head_chart, table, "restored", show_values=True),
        "patching_heads",
        key="tr_patch_heads",
    )
    download_table(table, "patching_heads.csv", key="tr_dl_patch_heads")
    explain(
        "The same measure for one head at a time: the head's output at the last token in the corrupted run "
        "(its z times its slice of W_O) is replaced by its output in the clean run, and the run goes on "
        "from that layer's MLP. A head with a high number moves the deciding information to the last token.",
        r"\text{attn}_T \leftarrow \text{attn}_T"
        r" + \big(z^{l,h}_{T,\text{clean}} - z^{l,h}_{T,\text{corrupted}}\big) W_O^{l,h}",
    )
