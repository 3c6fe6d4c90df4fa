"""Chart specifications of every page, built once per input and converted for the browser."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

if TYPE_CHECKING:  # imported by the pages that draw charts, not by the home page
    import altair as alt


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
def vega_lite_spec(
    name: str, args: tuple, kwargs: dict, presenter: bool, _build: Callable[..., object]
) -> dict:
    # Keyed by the builder's name, its inputs and presenter mode. What st.altair_chart sends: the
    # specification with its data as Arrow bytes. Cached data is unpickled afresh for every
    # caller, so no session can change another's specification.
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    return _convert_altair_to_vega_lite_spec(unvalidated(scaled(_build(*args, **kwargs), presenter)))


@st.cache_data(
    max_entries=16,
    ttl=datetime.timedelta(minutes=30),
    show_spinner=False,
    hash_funcs={"pandas.DataFrame": _pickled, "pandas.core.frame.DataFrame": _pickled},
)
def packed_plotly_figure(
    name: str, args: tuple, kwargs: dict, presenter: bool, _build: Callable[..., object]
) -> bytes:
    """A Plotly figure of tens of thousands of points, packed (geometry.charts.packed), keyed like
    :func:`vega_lite_spec`: building and packing the whole vocabulary's map is ~0.4 s a rerun."""
    from geometry.charts import packed
    from geometry.charts.plotly import presenter_plotly

    figure = _build(*args, **kwargs)
    return packed.pack((presenter_plotly(figure) if presenter else figure).to_plotly_json())


def unvalidated(chart):
    """The chart, its specification written without checking it against Vega-Lite's JSON schema.

    Every builder's specification is checked by the unit tests (``to_dict()`` validates there);
    on the server the check was a quarter of the interpreter's time under a class of 30 on the
    context page (a py-spy profile of the threads holding the GIL), spent under the one lock
    Streamlit takes for every Altair conversion. Streamlit calls ``chart.to_dict()``; this
    chart's own ``to_dict`` passes ``validate=False`` (set on the instance, so only this one).
    """
    object.__setattr__(chart, "to_dict", functools.partial(type(chart).to_dict, chart, validate=False))
    return chart


def scaled(chart: alt.TopLevelMixin, presenter: bool) -> alt.TopLevelMixin:
    """The chart, enlarged for a projector in presenter mode (geometry.charts.style.presenter_sized)."""
    if not presenter:
        return chart
    from geometry.charts.style import presenter_sized

    return presenter_sized(chart)
