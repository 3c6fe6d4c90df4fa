"""A revealed question on the page: the sentence that reads it aloud, its chart (with the SVG
download), and its table as CSV. The same view for the teacher's projector and every student."""

from __future__ import annotations

import streamlit as st

from classroom import Reveal
from geometry.charts import classroom as charts
from geometry.words.safety import mask_text
from ui.classroom.sentences import reveal_sentence
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import download_table
from ui.page.safety import masked_note, safe_tokens
from ui.page.settings import classroom_safe

TOKEN_COLUMNS = {"next_token": ("token",), "attention": ("token", "option")}


def _shown(kind: str, table):
    """The table as the classroom-safe setting shows it: model tokens and generated text masked."""
    if kind in TOKEN_COLUMNS:
        return safe_tokens(table, *TOKEN_COLUMNS[kind])
    if kind == "continuation" and classroom_safe():
        masked = [mask_text(text) for text in table["text"]]
        masked_note(sum(count for _, count in masked))
        return table.assign(text=[text for text, _ in masked])
    return table


def _chart(kind: str, table, reveal: Reveal):
    if kind == "next_token":
        return cached_chart(charts.next_token_reveal_chart, table)
    if kind == "attention":
        return cached_chart(charts.attention_reveal_chart, table)
    if kind == "closer_pair":
        return cached_chart(charts.closer_pair_reveal_chart, table, reveal.summary["baseline"])
    if kind == "number":
        return cached_chart(charts.number_reveal_chart, table, reveal.summary["true_value"])
    return cached_chart(charts.continuation_reveal_chart, table)


def reveal_view(question_id: int, kind: str, spec: dict, reveal: Reveal) -> None:
    """The reveal: its sentence, chart and downloads (keys carry the question, so a new one is fresh)."""
    st.markdown(reveal_sentence(kind, spec, reveal.summary))
    table = _shown(kind, reveal.table)
    if reveal.summary["answers"] or kind != "number":
        show_chart(
            _chart(kind, table, reveal), f"class-{kind}-{question_id}", key=f"_class_reveal_{question_id}"
        )
    if kind == "continuation":
        st.dataframe(
            table[["option", "text", "temperature", "seed", "votes"]], hide_index=True, width="stretch"
        )
    download_table(table, f"class-{kind}-{question_id}.csv", key=f"_class_csv_{question_id}")
