"""Shared page furniture: explanations, glossary, downloads, errors, presenter mode."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from ui.glossary import GLOSSARY

if TYPE_CHECKING:  # imported by the pages that draw charts, not by the home page
    import altair as alt
    import pandas as pd

PRESENTER_KEY = "presenter"
CLASSROOM_KEY = "classroom_safe"
# Every page: a row of tabs wraps onto a second line instead of hiding tabs behind a scroll arrow.
PAGE_STYLE = (
    "<style>[data-testid='stTabs'] [role='tablist'] {flex-wrap: wrap; row-gap: 0.25rem;}"
    " [data-testid='stTabs'] [role='tablist'] button {flex: 0 0 auto;}</style>"
)
# Presenter mode: larger prose, captions and tab labels (charts are enlarged by show_chart).
PRESENTER_STYLE = PAGE_STYLE + (
    "<style>html, .stMarkdown p, .stMarkdown li {font-size: 1.3rem;}"
    " h1 {font-size: 3rem;} [data-testid='stCaptionContainer'] {font-size: 1.1rem;}"
    " [data-testid='stTabs'] [role='tab'] p {font-size: 1.15rem;}</style>"
)


def presenter_mode() -> bool:
    """True when the sidebar's presenter setting is on (large type, fewer controls).

    Before the toggle is drawn on a first visit, the link's ``?presenter=true`` decides.
    """
    if PRESENTER_KEY in st.session_state:
        return bool(st.session_state[PRESENTER_KEY])
    return st.query_params.get(PRESENTER_KEY, "").lower() in ("true", "1", "yes", "on")


def classroom_safe() -> bool:
    """True unless the sidebar's classroom-safe setting (on by default, kept in the URL) is off."""
    if CLASSROOM_KEY in st.session_state:
        return bool(st.session_state[CLASSROOM_KEY])
    return st.query_params.get(CLASSROOM_KEY, "true").lower() not in ("false", "0", "no", "off")


def safe_tokens(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The table with offensive tokens in ``columns`` shown as a neutral mark (classroom-safe
    setting), followed by a caption counting them. Rows, ranks and numbers stay as they are."""
    if not classroom_safe():
        return frame
    from geometry.words.safety import mask_tokens

    shown, hidden = frame.copy(), 0
    for column in columns:
        unique = shown[column].is_unique  # a chart axis of unique tokens keeps one bar per token
        shown[column], count = mask_tokens(shown[column].astype(str), distinct=unique)
        hidden += count
    masked_note(hidden)
    return shown


def safe_words(tokens: list[str]) -> list[str]:
    """A few tokens for a sentence or a metric, masked like :func:`safe_tokens` (with its caption)."""
    if not classroom_safe():
        return list(tokens)
    from geometry.words.safety import mask_tokens

    shown, hidden = mask_tokens(tokens)
    masked_note(hidden)
    return shown


def safe_text(text: str) -> str:
    """Running text (a generated continuation) with offensive words masked (classroom-safe setting)."""
    if not classroom_safe():
        return text
    from geometry.words.safety import mask_text

    shown, hidden = mask_text(text)
    masked_note(hidden)
    return shown


def masked_note(hidden: int) -> None:
    if hidden:
        from geometry.words.safety import MASK

        st.caption(
            f"Classroom-safe: {hidden} token{'s' if hidden != 1 else ''} from a list of offensive words "
            f"shown as {MASK}; every number and rank is unchanged. The sidebar setting shows them all."
        )


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
def friendly_errors() -> Iterator[None]:
    """Turn a ValueError from geometry/ into a warning on the page (the rest of the block is skipped)."""
    try:
        yield
    except ValueError as error:
        st.warning(str(error), icon="⚠️")


COUNT_COLUMNS = ("multiply_adds", "dot_products", "key_value_vectors_reused", "parameters")


def counts_config(frame: pd.DataFrame) -> dict:
    """Column settings that write large counts with thousands separators (878,902,272), for st.dataframe."""
    return {
        column: st.column_config.NumberColumn(format="%,d")
        for column in frame.columns
        if str(column).startswith(COUNT_COLUMNS)
    }


def download_table(frame: pd.DataFrame, filename: str, key: str, label: str = "Download CSV") -> None:
    """A CSV download of ``frame``, written only when the button is clicked (not on every rerun)."""
    st.download_button(
        label, lambda: frame.to_csv(index=False).encode(), file_name=filename, mime="text/csv", key=key
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

    def chart(self, presenter: bool = False) -> alt.TopLevelMixin:
        return scaled(self.build(*self.args, **self.kwargs), presenter)


def cached_chart(build: Callable[..., alt.TopLevelMixin], *args, **kwargs) -> CachedChart:
    """``build(*args, **kwargs)``, drawn from the server's shared cache of chart specifications."""
    return CachedChart(build, args, kwargs)


def scaled(chart: alt.TopLevelMixin, presenter: bool) -> alt.TopLevelMixin:
    """In presenter mode the chart's text and cells are enlarged (geometry.charts.style.presenter_sized)."""
    if not presenter:
        return chart
    from geometry.charts.style import presenter_sized

    return presenter_sized(chart)


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


def show_plotly(figure: object, key: str, **kwargs) -> object:
    """Draw a Plotly figure (3D and WebGL maps) with the app's palette and a PNG button in its toolbar;
    in presenter mode its text is enlarged (geometry.charts.plotly.presenter_plotly)."""
    from geometry.charts.plotly import PLOTLY_CONFIG, presenter_plotly  # imported when first drawn

    if presenter_mode():
        figure = presenter_plotly(figure)
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
