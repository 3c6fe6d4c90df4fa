"""The layout of a section: an explanation with its formula, the glossary, a row of key numbers,
secondary controls, CSV downloads, and geometry's ValueErrors as warnings on the page."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

import streamlit as st

from ui.glossary import GLOSSARY
from ui.page.settings import presenter_mode
from ui.page.text import verbatim
from ui.url_settings import setting_label

T = TypeVar("T")

if TYPE_CHECKING:  # imported by the pages that draw charts, not by the home page
    import pandas as pd


def metric_row() -> st.delta_generator.DeltaGenerator:
    """Where a row of key numbers goes: each metric as wide as its label and value (``width="content"``),
    wrapping onto a new line when the screen is narrow, so no value is ever cut short."""
    return st.container(horizontal=True, wrap=True, gap="medium")


def more_controls(label: str = "More controls") -> st.delta_generator.DeltaGenerator:
    """Where secondary controls go: folded away in presenter mode, inline otherwise."""
    return st.expander(label) if presenter_mode() else st.container()


def explain(body: str, formula: str | None = None, title: str = "What you are seeing") -> None:
    """A short explanation with its formula, folded so the chart stays in view."""
    with st.expander(title, expanded=False):
        if formula:
            st.latex(formula)
        st.markdown(body)


def glossary(*terms: str) -> None:
    """Definitions of the terms a page uses, from the one shared glossary."""
    with st.expander("Glossary"):
        for term in terms:
            st.markdown(f"**{term}**: {GLOSSARY[term]}")


@contextlib.contextmanager
def friendly_errors(box: str | None = None) -> Iterator[None]:
    """Turn a ValueError from geometry/ into a warning on the page (the rest of the block is skipped).

    ``box``: the URL key of the text box whose text the block reads; the warning starts with its name
    (ui/url_settings.py), so a limit is always said with the box it belongs to.
    """
    try:
        yield
    except ValueError as error:
        st.warning(box_message(box, str(error)), icon="⚠️")


def box_message(box: str | None, message: str) -> str:
    """A message about a box's text, the box named first; the message may quote the user's text, so
    it is shown verbatim."""
    text = verbatim(message)
    return f"**{verbatim(setting_label(box))}**: {text}" if box else text


def checked(check: Callable[[str], T], **texts: str) -> dict[str, T] | None:
    """Each box's text (by URL key) through ``check``: the results, or None after one warning per box
    that ``check`` refused (naming the box)."""
    results = {}
    for box, text in texts.items():
        with friendly_errors(box):
            results[box] = check(text)
    return results if len(results) == len(texts) else None


def download_table(frame: pd.DataFrame, filename: str, key: str, label: str = "Download CSV") -> None:
    """A CSV download of ``frame``, written only when the button is clicked (not on every rerun)."""
    st.download_button(
        label, lambda: frame.to_csv(index=False).encode(), file_name=filename, mime="text/csv", key=key
    )
