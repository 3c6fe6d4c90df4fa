"""Shared page furniture: explanations, glossary, downloads, errors, presenter mode."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


@dataclass(frozen=True)
class CachedChart:
    """A chart named by its builder in geometry.charts and the builder's inputs.

    Building an Altair chart and converting it to Vega-Lite is most of what a page costs to draw
    (a profile of 30 students on one page: 40-60 % of the server's time, behind one lock Streamlit
    holds for every Altair conversion). Named by its inputs, a chart is built once per input for
    the whole server and every session reuses the finished specification.
    """

    build: Callable[..., alt.TopLevelMixin]
    args: tuple
    kwargs: dict

    @property
    def name(self) -> str:
        return f"{self.build.__module__}.{self.build.__qualname__}"

    def chart(self) -> alt.TopLevelMixin:
        return self.build(*self.args, **self.kwargs)


def cached_chart(build: Callable[..., alt.TopLevelMixin], *args, **kwargs) -> CachedChart:
    """``build(*args, **kwargs)``, drawn from the server's shared cache of chart specifications."""
    return CachedChart(build, args, kwargs)


def _pickled(frame: pd.DataFrame) -> bytes:
    # Streamlit's own DataFrame hash is ~1 ms for a 30-row frame of Arrow strings (pandas 3); a
    # pickle is ~0.05 ms and names the same frame. Frames here are the small tables charts draw.
    import pickle

    return pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)


@st.cache_data(
    max_entries=128,
    ttl=datetime.timedelta(minutes=30),
    show_spinner=False,
    hash_funcs={"pandas.DataFrame": _pickled, "pandas.core.frame.DataFrame": _pickled},
)
def _vega_lite_spec(name: str, args: tuple, kwargs: dict, _build: Callable[..., alt.TopLevelMixin]) -> dict:
    # Keyed by the builder's name and inputs. What st.altair_chart sends: the specification with
    # its data as Arrow bytes. Cached data is unpickled afresh for every caller, so no session can
    # change another's specification.
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    return _convert_altair_to_vega_lite_spec(_build(*args, **kwargs))


def show_chart(chart: alt.TopLevelMixin | CachedChart, filename: str, key: str, **kwargs) -> object:
    """Draw a chart with an SVG download beside it (rendered only when clicked)."""
    if isinstance(chart, CachedChart):
        event = st.vega_lite_chart(
            spec=_vega_lite_spec(chart.name, chart.args, chart.kwargs, _build=chart.build),
            key=f"{key}_chart",
            **kwargs,
        )
        altair_chart = chart.chart
    else:
        event = st.altair_chart(chart, key=f"{key}_chart", **kwargs)
        altair_chart = lambda: chart  # noqa: E731
    st.download_button(
        "Download chart (SVG)",
        data=lambda: _svg_bytes(altair_chart()),
        file_name=f"{filename}.svg",
        mime="image/svg+xml",
        key=f"{key}_svg",
        type="tertiary",
    )
    return event


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
