"""The map itself, how faithful it is, and the angle between custom axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from geometry.charts import plotly as plotly_charts
from geometry.charts import projections as charts
from geometry.charts.style import PRESENTER_MIN_FONT
from geometry.projection import axes as projection_axes
from geometry.projection import maps
from geometry.words.vectors import angle_degrees, cosine
from ui.page.charts import cached_chart, show_chart, show_packed_plotly, show_plotly
from ui.page.layout import download_table
from ui.page.settings import presenter_mode
from ui.page.text import verbatim
from ui.projections.controls import Settings
from ui.server import warm_up

PRESENTER_MAP_HEIGHT = 340  # enlarged ×1.5 by presenter mode: the map fits a 768-pixel screen
WARM_UP_SECONDS = 15.0  # typical numba compile time, for the progress bar only
QUIET = {"delta_color": "off", "delta_arrow": "off"}


def wait_for_umap() -> None:
    """Show progress while UMAP's one-off compilation finishes (starting it if nobody has)."""
    if warm_up.umap_ready():
        return
    job = warm_up.compile_umap_soon()  # done when the compilation (this one or one under way) is
    text = "Preparing UMAP: its first map in this server compiles code (about 15 s, once)…"
    bar = st.progress(0.0, text=text)
    while not job.wait(0.25):
        bar.progress(min(0.95, job.seconds / WARM_UP_SECONDS), text=text)
    bar.empty()


TURN_HINT = (
    "Drag to turn the scene, scroll to zoom, hover a point for its word; choose a word in the box above."
)
PAN_HINT = "Drag to pan, scroll to zoom, hover a dot for its word, click it to see its neighbours."


def map_view(
    frame: pd.DataFrame, result: maps.MapResult, settings: Settings, many: bool, asked: tuple[str, ...] = ()
) -> None:
    """The map (Altair, or Plotly for 3D scenes and the whole vocabulary) and its coordinates' CSV;
    the ``asked`` words (those the lesson asks about) are always labelled."""
    categories = list(dict.fromkeys(frame["category"]))
    labels = settings.labels and not many
    big = presenter_mode()  # the plot is narrower, lower and its letters larger on a projector
    if labels:  # a readable subset: crowded words keep their point and are named on hover
        font = PRESENTER_MIN_FONT + 2 if big else charts.MAP_LABEL_PX + 2  # the bold labels' size
        # the plot's inner size: the column less the legend, the axis and 90 px of padding each side
        # (a projector's column is about 850 px); its height less the x axis and 16 px each side
        plot_width, plot_height = (400, 370) if big else (520, 400)
        frame = maps.with_labels(frame, plot_width, font, always=asked, height_px=plot_height)
    titles = list(result.titles)
    if settings.dims == 3 and not settings.panels:
        figure = plotly_charts.projection_3d_chart(frame, titles, categories, labels=labels, many=many)
        _plotly_map(figure, TURN_HINT)
    elif settings.dims == 2 and many:
        vocabulary_map = cached_chart(plotly_charts.vocabulary_map_chart, frame, titles, categories)
        show_packed_plotly(vocabulary_map, "pj_map")
        _map_caption(PAN_HINT)
    else:
        if settings.dims == 2:
            height = PRESENTER_MAP_HEIGHT if big else 520  # the whole map on a projector's first screen
            chart = cached_chart(
                charts.projection_chart, frame, *titles, categories=categories, labels=labels, height=height
            )
        else:
            chart = cached_chart(
                charts.projection_panels_chart,
                frame,
                titles,
                categories=categories,
                labels=labels,
                many=many,
            )
        show_chart(
            chart, "projection", key="pj_map", on_select="rerun", selection_mode="pick", width="stretch"
        )
    hidden = int((~frame["labelled"]).sum()) if "labelled" in frame.columns else 0
    if hidden:
        st.caption(
            f"{hidden} of {len(frame)} labels would overlap others and are left out: hover a point "
            "to read its word, or zoom in with the mouse wheel."
        )
    columns = ["word", "category", *maps.AXES[: settings.dims]]
    download_table(frame[columns], "projection.csv", key="pj_csv", label="Download coordinates (CSV)")


def _plotly_map(figure, hint: str) -> None:
    show_plotly(figure, key="pj_map", on_select="rerun", selection_mode="points")
    _map_caption(hint)


def _map_caption(hint: str) -> None:
    st.caption(f"{hint} The camera button in the chart's toolbar saves a PNG of the view as it is.")


def faithfulness_view(result: maps.MapResult, settings: Settings, trust: float | None = None) -> None:
    """Trustworthiness (``trust`` when the map came without it), spread kept, notes, variance bars."""
    left, middle, right = st.columns(3)
    trust = result.trust if trust is None else trust
    trust = "n/a" if trust is None else f"{trust:.3f}"
    left.metric(
        "Trustworthiness (k = 5)", trust, help="1.0: every word's 5 nearest on the map are real neighbours."
    )
    if result.ratio is not None:
        middle.metric(
            "Spread kept by the map", f"{result.ratio.sum():.1%}", f"{settings.dims} of many axes", **QUIET
        )
    for note in result.notes:
        st.info(note, icon="ℹ️")
    if result.ratio is not None:
        table = maps.variance_table(result.ratio)
        with right:
            show_chart(
                cached_chart(charts.explained_variance_chart, table),
                "explained_variance",
                key="pj_variance",
            )


def axes_view(directions: list[np.ndarray], axes: tuple[projection_axes.Axis, projection_axes.Axis]) -> None:
    """The cosine between the two custom axes and what it does to the picture."""
    cos, meaning = axes_cosine(*directions)
    left, right = st.columns([2, 5])
    left.metric(
        "Cosine between the axes",
        f"{cos:.3f}",
        f"{verbatim(axes[0].name)} vs {verbatim(axes[1].name)}",
        **QUIET,
    )
    right.markdown(
        f"{meaning} Each point is placed by its scalar projection x · u on each axis (u the axis "
        "direction divided by its length); everything at right angles to both axes is left out."
    )


def axes_cosine(first: np.ndarray, second: np.ndarray) -> tuple[float, str]:
    """The cosine between two axis directions and what it means for the picture (one sentence or two).

    >>> axes_cosine(np.array([1.0, 0]), np.array([0.0, 3]))[0]
    0.0
    """
    cos = cosine(first, second)
    angle = angle_degrees(first, second)
    if abs(cos) < 0.1:
        meaning = (
            f"The axes are nearly at right angles ({angle:.0f}°): where a word sits along one says "
            "little about where it sits along the other, so the picture is a fair flat slice."
        )
    else:
        way = "the same" if cos > 0 else "opposite"
        diagonal = "rising" if cos > 0 else "falling"
        meaning = (
            f"The axes point partly {way} ways ({angle:.0f}° apart, not 90°): a word far along one "
            f"tends to be {'far' if cos > 0 else 'low'} along the other, so the points stretch along the "
            f"{diagonal} diagonal and the two ideas look more related on the page than the drawing's "
            "right-angled axes suggest."
        )
    return cos, meaning
