"""Drawing a chart on the page: from the server's shared cache of chart specifications, enlarged in
presenter mode, with an SVG download beside it; Plotly figures with their PNG button.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from ui.cache.charts import scaled
from ui.page.frames import wide_and_narrow
from ui.page.settings import presenter_mode

if TYPE_CHECKING:  # imported by the pages that draw charts, not by the home page
    import altair as alt


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

    def chart(self, presenter: bool = False) -> alt.TopLevelMixin:
        return scaled(self.build(*self.args, **self.kwargs), presenter)


def cached_chart(build: Callable[..., alt.TopLevelMixin], *args, **kwargs) -> CachedChart:
    """``build(*args, **kwargs)``, drawn from the server's shared cache of chart specifications."""
    return CachedChart(build, args, kwargs)


def show_chart(chart: alt.TopLevelMixin | CachedChart, filename: str, key: str, **kwargs) -> object:
    """Draw a chart with an SVG download beside it (rendered only when clicked).

    In presenter mode the chart's text and cells are enlarged (geometry.charts.style.presenter_sized).
    """
    presenter = presenter_mode()
    if isinstance(chart, CachedChart):
        from ui.cache.charts import (
            vega_lite_spec,  # imported by the pages that draw charts, not by the home page
        )

        event = st.vega_lite_chart(
            spec=vega_lite_spec(chart.name, chart.args, chart.kwargs, presenter, _build=chart.build),
            key=f"{key}_chart",
            **kwargs,
        )
        altair_chart = lambda: chart.chart(presenter)  # noqa: E731
    else:
        sized = scaled(chart, presenter)
        event = st.altair_chart(sized, key=f"{key}_chart", **kwargs)
        altair_chart = lambda: sized  # noqa: E731
    st.download_button(
        "Download chart (SVG)",
        data=lambda: _svg_bytes(altair_chart()),
        file_name=f"{filename}.svg",
        mime="image/svg+xml",
        key=f"{key}_svg",
        type="tertiary",
    )
    return event


def show_wide_and_narrow(
    build: Callable[..., alt.TopLevelMixin], *args, filename: str, key: str, narrow: dict, **kwargs
) -> None:
    """``build(*args, **kwargs)`` for a wide column and ``build(*args, **kwargs, **narrow)`` for a
    phone (panels stacked, say); the browser shows the one that fits (ui/page/frames.wide_and_narrow)."""
    wide_place, narrow_place = wide_and_narrow(key)
    with wide_place:
        show_chart(cached_chart(build, *args, **kwargs), filename, key)
    with narrow_place:
        show_chart(cached_chart(build, *args, **{**kwargs, **narrow}), filename, f"{key}_narrow")


def show_plotly(figure: object, key: str, **kwargs) -> object:
    """Draw a Plotly figure (3D and WebGL maps) with the app's palette and a PNG button in its toolbar;
    in presenter mode its text is enlarged (geometry.charts.plotly.presenter_plotly)."""
    from geometry.charts.plotly import PLOTLY_CONFIG, presenter_plotly  # imported when first drawn

    if presenter_mode():
        figure = presenter_plotly(figure)
    return st.plotly_chart(
        figure, key=f"{key}_plot", config=PLOTLY_CONFIG, theme=None, width="stretch", **kwargs
    )


def show_packed_plotly(chart: CachedChart, key: str) -> object:
    """Draw a Plotly figure of tens of thousands of points (``cached_chart`` of its builder), packed
    (geometry.charts.packed: about a third of the bytes of st.plotly_chart's JSON) and unpacked by
    the browser into the same figure; built and packed once per input for the server.

    A click on a point is kept in ``st.session_state[f"{key}_plot"]`` as st.plotly_chart keeps
    its selection (``{"selection": {"points": [{"customdata": [...], ...}]}}``). Without the
    Plotly.js Streamlit ships (another Streamlit version), the figure goes through :func:`show_plotly`.
    """
    from ui.cache.charts import packed_plotly_figure  # imported by the pages that draw charts
    from ui.page import packed_plotly

    if packed_plotly.COMPONENT is None:
        figure = chart.build(*chart.args, **chart.kwargs)
        return show_plotly(figure, key, on_select="rerun", selection_mode="points")
    packed = packed_plotly_figure(chart.name, chart.args, chart.kwargs, presenter_mode(), _build=chart.build)
    return packed_plotly.COMPONENT(data=packed, key=f"{key}_plot")
