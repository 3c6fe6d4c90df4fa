"""The one look every chart shares: the palette, fonts, presenter-mode sizing, layering.

Rules for every chart module of this package: each function is ``*_chart(df, ...) -> alt.Chart``;
no computation happens there (the DataFrame arrives with every number already computed);
colours come from the one palette below, which is colour-blind safe (Okabe-Ito) and readable on a
projector. Importing any of them changes nothing in Altair (the app switches its own speed-ups on:
ui/server/altair_speed.py).
"""

from __future__ import annotations

import altair as alt

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

POSITIVE, NEGATIVE, NEUTRAL = "#0072B2", "#D55E00", "#999999"

DIVERGING = "blueorange"  # for signed values (dot products, cosines): centred on zero

SEQUENTIAL = "blues"  # for non-negative values (probabilities, distances)

FONT_SIZE = 14

# Axis, legend and header text: 7.5:1 on white (WCAG asks 4.5:1), titles 12.6:1. Explicit, so an SVG
# download or a notebook draws them this way. Streamlit keeps a chart's explicit colours in its dark
# theme too, where these would vanish on near-black: the app's stylesheet (ui/page/style.py) draws
# chart text in the theme's own text colour instead.
TEXT_COLOUR = "#4B4F5C"

TITLE_COLOUR = "#262730"

# Presenter mode: every text size ×1.3 and never below 16 px (readable from the back of a room on a
# 1024-pixel projector); cell and bar steps ×1.5 so the larger numbers still fit inside their cells.
PRESENTER_SCALE = 1.3

PRESENTER_MIN_FONT = 16

PRESENTER_STEP_SCALE = 1.5

LABEL_LIMIT = 220  # pixels of an axis label before "…" ("S11 · aeroplane" fits); ×scale in presenter mode

_FONT_KEYS = frozenset({"fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize"})


def in_order(column) -> list:
    """A column's distinct values in the order of the frame, as an explicit sort.

    ``sort=None`` would also keep the frame's order on a first drawing, but when Streamlit swaps
    new data into a chart already on screen, values shared with the old data keep their old places.
    """
    return [value.item() if hasattr(value, "item") else value for value in dict.fromkeys(column)]


def category_scale() -> alt.Scale:
    return alt.Scale(range=PALETTE)


def signed_scale(domain_mid: float = 0.0) -> alt.Scale:
    return alt.Scale(scheme=DIVERGING, domainMid=domain_mid, reverse=True)


def finish(chart: alt.Chart, title: str | None = None) -> alt.Chart:
    """Common look: readable fonts for projectors, optional title.

    Every kind of text gets an explicit size here (axes, legends, titles, facet headers, text
    marks), so :func:`presenter_sized` can enlarge all of them.
    """
    if title:
        chart = chart.properties(title=title)
    # What chart.configure_axis(...).configure_legend(...)... gives, with one copy instead of five
    chart = chart.copy(deep=["config"])
    config = alt.Config() if chart.config is alt.Undefined else chart.config
    text = {"labelColor": TEXT_COLOUR, "titleColor": TEXT_COLOUR}
    config["axis"] = alt.AxisConfig(
        labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=LABEL_LIMIT, **text
    )
    # a row or column of cells: each label centred on its own band (Streamlit's theme pushes the
    # first and last inwards, which sets them beside the wrong row of a tall grid)
    config["axisBand"] = alt.AxisConfig(labelFlush=False)
    # one entry a line, also above or below a chart: a row of entries runs off a phone's screen
    config["legend"] = alt.LegendConfig(
        labelFontSize=FONT_SIZE,
        titleFontSize=FONT_SIZE,
        columns=1,
        labelLimit=LABEL_LIMIT,
        titleLimit=LABEL_LIMIT,
        **text,
    )
    config["title"] = alt.TitleConfig(fontSize=FONT_SIZE + 2, color=TITLE_COLOUR, subtitleColor=TEXT_COLOUR)
    config["header"] = alt.HeaderConfig(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, **text)
    config["text"] = alt.MarkConfig(fontSize=FONT_SIZE)
    chart.config = config
    return chart


def wrapped(title: str, width: int = 32) -> list[str] | str:
    """An axis or legend title on lines of at most about ``width`` characters (Vega cuts a title
    longer than its axis with "…", and a phone's axes are short).

    >>> wrapped("step (embedding, then attention and MLP of each layer)")
    ['step (embedding, then attention', 'and MLP of each layer)']
    """
    import textwrap

    lines = textwrap.wrap(title, width)
    return lines if len(lines) > 1 else title


def layered(*charts: alt.Chart) -> alt.LayerChart:
    """``charts[0] + charts[1] + ...``, cheaper when they share one DataFrame (the usual case here).

    Altair copies every layer and prints its DataFrame to name it when it lifts shared data to the
    top; layers handed over without data, and the data given once, skip both. Same specification.
    """
    data = charts[0].data
    if not all(isinstance(chart, alt.Chart) and chart.data is data for chart in charts):
        return alt.layer(*charts)
    bare = []
    for chart in charts:
        bare.append(chart.copy(deep=False))
        bare[-1].data = alt.Undefined
    return alt.layer(*bare, data=data)


def presenter_sized(
    chart: alt.TopLevelMixin,
    scale: float = PRESENTER_SCALE,
    minimum: int = PRESENTER_MIN_FONT,
    step_scale: float = PRESENTER_STEP_SCALE,
) -> alt.TopLevelMixin:
    """The chart for a projector: every text size ×``scale`` and at least ``minimum`` px (axis
    labels and titles, legends, titles, facet headers, text in cells and on maps), and every
    step (the size of one cell, bar or row) and fixed height ×``step_scale``. The one way
    presenter mode enlarges charts; the data and every number stay as they are. Returns a copy.

    >>> spec = presenter_sized(finish(alt.Chart().mark_text(fontSize=9))).to_dict()
    >>> spec["mark"]["fontSize"], spec["config"]["axis"]["labelFontSize"]
    (16, 18)
    """
    enlarged = chart.copy(deep=True, ignore=["data", "datasets"])
    _enlarge(enlarged, scale, minimum, step_scale)
    return enlarged


def _enlarge(node: object, scale: float, minimum: int, step_scale: float) -> None:
    """Rewrite font sizes and steps in place, through Altair objects, dicts and lists."""
    if isinstance(node, list | tuple):
        for item in node:
            _enlarge(item, scale, minimum, step_scale)
        return
    items = node._kwds if isinstance(node, alt.SchemaBase) else node
    if not isinstance(items, dict):
        return
    for key, value in items.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if key in ("data", "datasets", "values"):
            continue  # the numbers being shown are never touched
        if key in _FONT_KEYS and number:
            items[key] = max(round(value * scale), minimum)
        elif key in ("step", "height") and number:  # larger text needs taller plots
            items[key] = round(value * step_scale)
        elif key in ("labelLimit", "titleLimit") and number and value > 0:  # 0 means no limit
            items[key] = round(value * scale)
        else:
            _enlarge(value, scale, minimum, step_scale)


def zero_centred(domain: list[float] | None = None) -> alt.Scale:
    """The signed scale with zero kept in the domain: 20 must not look like 0 when all values are positive."""
    if domain is not None:
        return alt.Scale(scheme=DIVERGING, domainMid=0, reverse=True, domain=domain)
    return alt.Scale(scheme=DIVERGING, domainMid=0, reverse=True, zero=True)
