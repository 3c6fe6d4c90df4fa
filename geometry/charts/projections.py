"""The Projections lesson's Altair charts: a map of words (one panel or several), the explained
variance, the same map under several seeds. The 3D scene and the vocabulary map are Plotly
(:mod:`geometry.charts.plotly`).
"""

from __future__ import annotations

import altair as alt

from geometry.charts.style import FONT_SIZE, NEUTRAL, PALETTE, POSITIVE, finish, layered

PROJECTION_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-left"]

ROLE_COLOURS = {
    "chosen word": "#000000",
    "kept neighbour": "#009E73",
    "false neighbour": "#D55E00",
    "lost neighbour": "#56B4E9",
    "search match": "#CC79A7",
}

MAP_LABEL_PX = 11  # word labels on the maps (projection.maps.label_places spaces them at this size)

CANVAS = {"embedOptions": {"renderer": "canvas"}}  # many points draw faster on a canvas than as SVG

# The palette in the order categories take it: the first four (blue, orange, reddish purple, bluish
# green) stay apart under red-green and blue-yellow colour blindness, and each also has its own shape.
CATEGORY_COLOURS = [PALETTE[i] for i in (0, 1, 3, 2, 7, 5, 4, 6)]


def category_colours(categories: list[str]) -> dict[str, str]:
    """The palette colour of each category, in order; "vocabulary" (uncurated tokens) is grey."""
    curated = [name for name in categories if name != "vocabulary"]
    colours = {name: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, name in enumerate(curated)}
    return {**colours, "vocabulary": NEUTRAL} if "vocabulary" in categories else colours


def category_encodings(
    categories: list[str], legend: bool = True, field: str = "category"
) -> tuple[alt.Color, alt.Shape]:
    """Colour and shape by category (12 categories stay distinct); "vocabulary" is grey dots."""
    curated = [name for name in categories if name != "vocabulary"]
    colours = category_colours(categories)
    shapes = {name: PROJECTION_SHAPES[i % len(PROJECTION_SHAPES)] for i, name in enumerate(curated)}
    shapes["vocabulary"] = "circle"
    key = alt.Legend(title=field, symbolLimit=0) if legend else None
    color = alt.Color(
        f"{field}:N", scale=alt.Scale(domain=categories, range=[colours[c] for c in categories]), legend=key
    )
    shape = alt.Shape(
        f"{field}:N", scale=alt.Scale(domain=categories, range=[shapes[c] for c in categories]), legend=key
    )
    return color, shape


def _map_layers(
    df, x, y, x_title, y_title, categories, labels, many, pick, legend=True, room=28
) -> alt.LayerChart:
    """One flat view: points by category, optional word labels, rings around highlighted words.

    ``room``: pixels kept free beside the outermost points, so labels there are not cut off.
    Drag pans and the wheel zooms this view alone (its own scale binding, named after its axes).
    """
    base = alt.Chart(df)
    position = [
        alt.X(f"{x}:Q", title=x_title, scale=alt.Scale(zero=False, padding=room)),
        alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False, padding=16)),
    ]
    tooltip = [
        "word:N",
        "category:N",
        alt.Tooltip(f"{x}:Q", format=".3f"),
        alt.Tooltip(f"{y}:Q", format=".3f"),
    ]
    color, shape = category_encodings(categories, legend)
    # Among thousands of grey vocabulary dots, the curated words are drawn larger so they stand out.
    size = alt.condition(alt.datum.category == "vocabulary", alt.value(10), alt.value(45 if many else 70))
    points = base.mark_point(filled=True, opacity=0.6 if many else 0.9).encode(
        *position, color=color, shape=shape, size=size, tooltip=tooltip
    )
    layers = [points.add_params(pick)]
    if labels:  # highlighted words get their own bold label below; crowded words are named on hover
        plain = base.transform_filter(alt.datum.role == "")
        if "labelled" in df.columns:
            plain = plain.transform_filter(alt.datum.labelled)
        style = {"fontSize": MAP_LABEL_PX, "color": "#333333"}
        layers += _side_labels(
            df, plain, style, 6, 15, encode={"text": "word:N", "tooltip": tooltip}, at=position
        )
    highlighted = base.transform_filter(alt.datum.role != "")
    written = highlighted  # ringed words keep their ring; their label too only where it has room
    if labels and "labelled" in df.columns:
        written = highlighted.transform_filter(alt.datum.labelled)
    role_scale = alt.Scale(domain=list(ROLE_COLOURS), range=list(ROLE_COLOURS.values()))
    role_key = alt.Legend(title="highlight") if legend else None
    role_tooltip = ["word:N", "category:N", "role:N"]
    layers.append(
        highlighted.mark_point(size=260, filled=False, strokeWidth=2.5).encode(
            *position, color=alt.Color("role:N", scale=role_scale, legend=role_key), tooltip=role_tooltip
        )
    )
    bold = {"fontSize": MAP_LABEL_PX + 2, "fontWeight": "bold"}
    encode = {
        "text": "word:N",
        "color": alt.Color("role:N", scale=role_scale, legend=None),
        "tooltip": role_tooltip,
    }
    layers += _side_labels(df, written, bold, 9, 18, encode=encode, at=position)
    # the zoom goes on the first layer before layering, as LayerChart.add_params would put it, without
    # its two deep copies of every layer (a third of a map's building time under a class)
    layers[0] = layers[0].add_params(alt.selection_interval(bind="scales", name=f"zoom_{x}{y}"))
    return layered(*layers).resolve_scale(color="independent", shape="independent")


# How a label sits on each side of its point (geometry.projection.maps.label_places chose the side).
_SIDE_MARKS = {
    "right": ("left", 1, 0),
    "left": ("right", -1, 0),
    "above": ("center", 0, -1),
    "below": ("center", 0, 1),
}


def _side_labels(
    df, chart: alt.Chart, style: dict, side_gap: int, row_gap: int, encode: dict, at: list
) -> list:
    """Text layers for the labels of ``chart``'s rows, one per side of the point (the frame's
    ``label_side`` column; to the right when it has none): ``side_gap`` pixels beside the point,
    ``row_gap`` above or below it."""
    if "label_side" not in df.columns:
        return [chart.mark_text(align="left", dx=side_gap, dy=-side_gap + 1, **style).encode(*at, **encode)]
    layers = []
    for side in dict.fromkeys(df["label_side"]):
        if side not in _SIDE_MARKS:
            continue  # "": no label
        align, across, down = _SIDE_MARKS[side]
        mark = chart.transform_filter(alt.datum.label_side == side).mark_text(
            align=align, dx=across * side_gap, dy=down * row_gap, **style
        )
        layers.append(mark.encode(*at, **encode))
    return layers


def projection_chart(
    df,
    x_title: str = "axis 1",
    y_title: str = "axis 2",
    categories: list[str] | None = None,
    labels: bool = True,
    many: bool = False,
    height: int = 520,
) -> alt.LayerChart:
    """A 2-D map of words. df: word, category, x, y, role ("" or a key of ROLE_COLOURS).

    Hover shows word and category; drag to pan, scroll to zoom; clicking a point selects
    its word (selection "pick"). ``many`` draws small dots on a canvas for thousands of points.
    """
    categories = categories or sorted(df["category"].unique())
    pick = alt.selection_point(name="pick", fields=["word"], on="click")
    room = 90 if labels else 28  # a label is drawn to the right of its point: "monarchy" needs ~60 px
    chart = _map_layers(df, "x", "y", x_title, y_title, categories, labels, many, pick, room=room)
    chart = chart.properties(height=height)
    return finish(chart.properties(usermeta=CANVAS) if many else chart)


def projection_panels_chart(
    df,
    titles: list[str],
    categories: list[str] | None = None,
    labels: bool = True,
    many: bool = False,
    size: int = 190,
) -> alt.HConcatChart:
    """A 3-D map as three flat views side by side: axes 1×2, 1×3 and 2×3 (legends beside the last).

    df: word, category, x, y, z, role; titles: the three axis titles.
    """
    import warnings

    categories = categories or sorted(df["category"].unique())
    pick = alt.selection_point(name="pick", fields=["word"], on="click")
    axes = [("x", "y", 0, 1, False), ("x", "z", 0, 2, False), ("y", "z", 1, 2, True)]
    with warnings.catch_warnings():  # sharing "pick" across the panels is intended: Altair merges it
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection parameter")
        panels = [
            _map_layers(df, a, b, titles[i], titles[j], categories, labels, many, pick, legend).properties(
                width=size, height=size
            )
            for a, b, i, j, legend in axes
        ]
        chart = alt.hconcat(*panels)
    return finish(chart.properties(usermeta=CANVAS) if many else chart)


def explained_variance_chart(df) -> alt.Chart:
    """Share of the spread each principal component keeps. df: component, ratio (0..1)."""
    base = alt.Chart(df).encode(
        x=alt.X("component:N", sort=None, title=None),
        y=alt.Y("ratio:Q", title="share of the spread", axis=alt.Axis(format="%")),
        tooltip=["component:N", alt.Tooltip("ratio:Q", format=".2%", title="explained variance")],
    )
    bars = base.mark_bar(color=POSITIVE)
    text = base.mark_text(dy=-8, fontSize=FONT_SIZE).encode(text=alt.Text("ratio:Q", format=".1%"))
    return finish(layered(bars, text).properties(height=220))


def seed_maps_chart(df, categories: list[str] | None = None, many: bool = False) -> alt.FacetChart:
    """The same words mapped with different seeds, each turned to match the first.

    df: seed (label), word, category, x, y.
    """
    categories = categories or sorted(df["category"].unique())
    color, shape = category_encodings(categories)
    chart = (
        alt.Chart(df)
        .mark_point(filled=True, size=10 if many else 40, opacity=0.6 if many else 0.9)
        .encode(
            x=alt.X("x:Q", title=None, axis=alt.Axis(labels=False, ticks=False)),
            y=alt.Y("y:Q", title=None, axis=alt.Axis(labels=False, ticks=False)),
            color=color,
            shape=shape,
            tooltip=["seed:N", "word:N", "category:N"],
        )
        .properties(width=240, height=240)
        .facet(column=alt.Column("seed:N", title=None, sort=None))
    )
    return finish(chart.properties(usermeta=CANVAS) if many else chart)
