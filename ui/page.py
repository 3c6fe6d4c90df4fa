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


def show_plotly(figure: object, key: str, **kwargs) -> object:
    """Draw a Plotly figure (3D and WebGL maps) with the app's palette and a PNG button in its toolbar."""
    from geometry.charts import PLOTLY_CONFIG  # imported when first drawn: pages without charts skip it

    return st.plotly_chart(
        figure, key=f"{key}_plot", config=PLOTLY_CONFIG, theme=None, width="stretch", **kwargs
    )


STREAMLIT_PARAMETERS = {"embed", "embed_options"}  # Streamlit's own; never a lesson setting


def _matches(asked: list[str], value: object) -> bool:
    """Whether a widget's value is what the URL asked for (the URL holds text)."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value] == asked
    text = asked[-1] if asked else ""
    if str(value) == text or str(value).lower() == text.lower():
        return True
    try:
        return float(text) == float(value)  # "3" and 3, "0.10" and 0.1
    except (TypeError, ValueError):
        return False


def ignored_url_settings(asked: dict[str, list[str]], state: dict) -> list[str]:
    """``key=value`` of every URL setting a page's widget did not take (unknown or out of range)."""
    return [
        f"{key}={','.join(values)}"
        for key, values in asked.items()
        if key not in STREAMLIT_PARAMETERS and key in state and not _matches(values, state[key])
    ]


def url_settings() -> dict[str, list[str]]:
    """The settings in this run's URL, before the page reads them."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def say_ignored_url_settings(asked: dict[str, list[str]], where: st.delta_generator.DeltaGenerator) -> None:
    """Once per link: one line naming the URL settings the page could not use (it showed defaults)."""
    fingerprint = repr(sorted(asked.items()))
    if st.session_state.get("_url_checked") == fingerprint:
        return
    st.session_state["_url_checked"] = fingerprint
    ignored = ignored_url_settings(asked, st.session_state)
    if ignored:
        where.info(
            "This link asked for settings that do not exist here, so the page shows its defaults for them: "
            + ", ".join(f"`{item}`" for item in ignored)
            + ".",
            icon="🔗",
        )
