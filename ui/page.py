"""Shared page furniture: explanations, glossary, downloads, errors, presenter mode."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import streamlit as st

from ui.glossary import GLOSSARY

if TYPE_CHECKING:  # imported by the pages that draw charts, not by the home page
    import altair as alt
    import pandas as pd

PRESENTER_KEY = "presenter"


def presenter_mode() -> bool:
    """True when the sidebar's presenter setting is on (large type, fewer controls)."""
    return bool(st.session_state.get(PRESENTER_KEY, False))


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
def friendly_errors() -> Iterator[None]:
    """Turn a ValueError from geometry/ into a warning on the page (the rest of the block is skipped)."""
    try:
        yield
    except ValueError as error:
        st.warning(str(error), icon="⚠️")


def download_table(frame: pd.DataFrame, filename: str, key: str, label: str = "Download CSV") -> None:
    st.download_button(
        label, frame.to_csv(index=False).encode(), file_name=filename, mime="text/csv", key=key
    )


def _svg_bytes(chart: alt.TopLevelMixin) -> bytes:
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_dict()).encode()


def show_chart(chart: alt.TopLevelMixin, filename: str, key: str, **kwargs) -> object:
    """Draw an Altair chart with an SVG download beside it (rendered only when clicked)."""
    event = st.altair_chart(chart, key=f"{key}_chart", **kwargs)
    st.download_button(
        "Download chart (SVG)",
        data=lambda: _svg_bytes(chart),
        file_name=f"{filename}.svg",
        mime="image/svg+xml",
        key=f"{key}_svg",
        type="tertiary",
    )
    return event
