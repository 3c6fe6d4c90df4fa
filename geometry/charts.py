"""Every chart in the app, built with Altair from tidy DataFrames.

Rules: each function is ``*_chart(df, ...) -> alt.Chart``; no computation happens here
(the DataFrame arrives with every number already computed); colours come from the one
palette below, which is colour-blind safe (Okabe-Ito) and readable on a projector.
Each section belongs to one lesson; shared helpers sit at the top. Importing this module
changes nothing in Altair (the app switches its own speed-ups on: ui/server/altair_speed.py).
"""

from __future__ import annotations

import altair as alt

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
POSITIVE, NEGATIVE, NEUTRAL = "#0072B2", "#D55E00", "#999999"
DIVERGING = "blueorange"  # for signed values (dot products, cosines): centred on zero
SEQUENTIAL = "blues"  # for non-negative values (probabilities, distances)
FONT_SIZE = 14
# Presenter mode: every text size ×1.3 and never below 16 px (readable from the back of a room on a
# 1024-pixel projector); cell and bar steps ×1.5 so the larger numbers still fit inside their cells.
PRESENTER_SCALE = 1.3
PRESENTER_MIN_FONT = 16
PRESENTER_STEP_SCALE = 1.5
LABEL_LIMIT = 220  # pixels of an axis label before "…" ("S11 · aeroplane" fits); ×scale in presenter mode
_FONT_KEYS = frozenset({"fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize"})


def _in_order(column) -> list:
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
    config["axis"] = alt.AxisConfig(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=LABEL_LIMIT)
    config["legend"] = alt.LegendConfig(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
    config["title"] = alt.TitleConfig(fontSize=FONT_SIZE + 2)
    config["header"] = alt.HeaderConfig(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
    config["text"] = alt.MarkConfig(fontSize=FONT_SIZE)
    chart.config = config
    return chart


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
        elif key == "labelLimit" and number and value > 0:  # 0 means no limit
            items[key] = round(value * scale)
        else:
            _enlarge(value, scale, minimum, step_scale)


# ---------------------------------------------------------------- lesson 1: dot products

AXIS_ROLE_COLOURS = {"axis start": PALETTE[5], "axis end": PALETTE[0], "word": "#000000"}


STRIP_WIDTH = 420  # with its row labels, fits beside the open sidebar on a 1024-pixel screen


def _pair_dimension_axis(show_labels: bool) -> alt.X:
    return alt.X(
        "dimension:O",
        title="dimension",
        axis=alt.Axis(labels=show_labels, ticks=show_labels, labelAngle=0),
    )


def _zero_centred(domain: list[float] | None = None) -> alt.Scale:
    """The signed scale with zero kept in the domain: 20 must not look like 0 when all values are positive."""
    if domain is not None:
        return alt.Scale(scheme=DIVERGING, domainMid=0, reverse=True, domain=domain)
    return alt.Scale(scheme=DIVERGING, domainMid=0, reverse=True, zero=True)


def pair_strips_chart(df, show_values: bool = False) -> alt.VConcatChart:
    """A pair of vectors as strips: their components, the products and the running sum.

    Columns: dimension, row, value, panel ("components", "products", "running sum"), as made by
    geometry.similarity.pair_strips. ``show_values`` writes each number in its cell (small vectors).
    """
    tooltip = ["row:N", "dimension:O", alt.Tooltip("value:Q", format=".4~g")]
    strips = []
    for panel, title in [("components", "component"), ("products", "product")]:
        base = (
            alt.Chart(df)
            .transform_filter(alt.datum.panel == panel)
            .encode(
                x=_pair_dimension_axis(show_values),
                y=alt.Y("row:N", title=None, sort=_in_order(df["row"])),
                tooltip=tooltip,
            )
        )
        key = alt.Legend(orient="top", direction="horizontal")  # above the strip: no width taken beside it
        layer = base.mark_rect().encode(
            color=alt.Color("value:Q", scale=_zero_centred(), title=title, legend=key)
        )
        if show_values:
            layer += (  # white on the darkest cells of its own strip, black elsewhere
                base.transform_calculate(magnitude="abs(datum.value)")
                .transform_joinaggregate(size="max(magnitude)", groupby=["panel"])
                .mark_text(fontSize=FONT_SIZE)
                .encode(
                    text=alt.Text("value:Q", format=".4~g"),
                    color=alt.condition(
                        "datum.magnitude > 0.55 * datum.size", alt.value("white"), alt.value("black")
                    ),
                )
            )
        strips.append(layer.properties(width=STRIP_WIDTH, height=alt.Step(34 if show_values else 22)))
    running = (
        alt.Chart(df)
        .transform_filter(alt.datum.panel == "running sum")
        .mark_line(point=show_values, color=PALETTE[2])
        .encode(
            x=alt.X(
                "dimension:Q",
                title="dimension (running sum after adding this product)",
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            y=alt.Y("value:Q", title="running sum"),
            tooltip=tooltip,
        )
        .properties(width=STRIP_WIDTH, height=140)
    )
    chart = alt.vconcat(*strips, running).resolve_scale(color="independent")
    return finish(chart)


def similarity_heatmap_chart(df, metric: str, show_values: bool = True) -> alt.Chart:
    """Every pair of words compared, the value as colour and (optionally) as text.

    Columns: word_a, word_b, value (geometry.similarity.similarity_frame). Dot products and
    cosines use the diverging scale centred on zero; distances a sequential scale (dark = close).
    """
    signed = metric in ("dot", "cosine")
    words = _in_order(df["word_a"])
    scale = alt.Scale(scheme=SEQUENTIAL, reverse=True, zero=True)
    if signed:
        scale = _zero_centred([-1, 1] if metric == "cosine" else None)
    base = alt.Chart(df).encode(
        x=alt.X("word_b:N", sort=words, title=None, axis=alt.Axis(labelAngle=-45, labelOverlap=False)),
        y=alt.Y("word_a:N", sort=words, title=None, axis=alt.Axis(labelOverlap=False)),
        tooltip=[
            alt.Tooltip("word_a:N", title="word"),
            alt.Tooltip("word_b:N", title="compared with"),
            alt.Tooltip("value:Q", title=metric, format=".4f"),
        ],
    )
    chart = base.mark_rect().encode(color=alt.Color("value:Q", scale=scale, title=metric))
    if show_values:
        chart += (
            base.transform_joinaggregate(largest="max(value)", smallest="min(value)")
            .transform_calculate(size="max(abs(datum.largest), abs(datum.smallest))")
            .mark_text(fontSize=FONT_SIZE - 2)
            .encode(
                text=alt.Text("value:Q", format=".2f"),
                color=alt.condition(
                    "abs(datum.value) > 0.6 * datum.size" if signed else "datum.value < 0.4 * datum.size",
                    alt.value("white"),
                    alt.value("black"),
                ),
            )
        )
    return finish(chart.properties(width="container", height=alt.Step(36)))


BY_SHARE = alt.EncodingSortField("share_of_size", order="descending")


def contributions_chart(df) -> alt.Chart:
    """The dimensions whose products a_i b_i weigh most in a dot product, largest first.

    Columns: dimension, a, b, product, share, share_of_size (geometry.similarity.dimension_contributions).
    """
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            # sorted by a field, not by row order: when Streamlit swaps the data of a drawn chart,
            # dimensions shared with the previous pair would keep their old places
            y=alt.Y("dimension:N", sort=BY_SHARE, title="dimension"),
            x=alt.X("product:Q", title="product a_i × b_i"),
            color=alt.condition("datum.product >= 0", alt.value(POSITIVE), alt.value(NEGATIVE)),
            tooltip=[
                "dimension:N",
                alt.Tooltip("a:Q", format=".4f"),
                alt.Tooltip("b:Q", format=".4f"),
                alt.Tooltip("product:Q", format=".4f"),
                alt.Tooltip("share:Q", title="share of the dot product", format=".1%"),
                alt.Tooltip("share_of_size:Q", title="share of all |products|", format=".1%"),
            ],
        )
        .properties(width="container", height=alt.Step(22))
    )
    return finish(chart)


def neighbours_chart(df, metric: str) -> alt.Chart:
    """Scores of the best vocabulary words, best at the top.

    Columns: rank, word, score. For euclidean distance the shortest bar is the closest word.
    """
    chart = (
        alt.Chart(df)
        .mark_bar(color=POSITIVE)
        .encode(
            y=alt.Y("word:N", sort=alt.EncodingSortField("rank"), title=None),
            x=alt.X("score:Q", title=metric),
            tooltip=["rank:O", "word:N", alt.Tooltip("score:Q", title=metric, format=".4f")],
        )
        .properties(width="container", height=alt.Step(22))
    )
    return finish(chart)


def axis_strip_chart(df, start_name: str, end_name: str) -> alt.Chart:
    """Words placed along one semantic axis by their scalar projection (one number per word).

    Columns: word, projection, position, role ("axis start", "axis end", "word"), as made by
    geometry.similarity.axis_projections. The axis ends are coloured.
    """
    base = alt.Chart(df).encode(
        x=alt.X(
            "projection:Q",
            title=f"scalar projection onto {start_name} → {end_name}",
            scale=alt.Scale(zero=False),
        ),
        y=alt.Y("word:N", sort="x", title=None),
        tooltip=[
            "word:N",
            "role:N",
            alt.Tooltip("projection:Q", title="scalar projection", format=".4f"),
            alt.Tooltip("position:Q", title=f"position (0 = {start_name}, 1 = {end_name})", format=".3f"),
        ],
    )
    colour = alt.Color(
        "role:N",
        scale=alt.Scale(domain=list(AXIS_ROLE_COLOURS), range=list(AXIS_ROLE_COLOURS.values())),
        title=None,
    )
    ends = (
        base.transform_filter(alt.datum.role != "word")
        .mark_rule(strokeDash=[4, 4])
        .encode(color=colour, y=alt.value(0), y2=alt.value("height"))
    )
    points = base.mark_point(filled=True, size=120).encode(color=colour)
    labels = base.mark_text(align="left", dx=8, fontSize=FONT_SIZE).encode(text="word:N")
    return finish(layered(ends, points, labels).properties(width="container", height=alt.Step(26)))


# ---------------------------------------------------------------- lesson 2: projections

PROJECTION_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-left"]
ROLE_COLOURS = {
    "chosen word": "#000000",
    "kept neighbour": "#009E73",
    "false neighbour": "#D55E00",
    "lost neighbour": "#56B4E9",
    "search match": "#CC79A7",
}
MAP_LABEL_PX = 11  # word labels on the maps (projection.label_room spaces them at this size)
CANVAS = {"embedOptions": {"renderer": "canvas"}}  # many points draw faster on a canvas than as SVG


# The palette in the order categories take it: the first four (blue, orange, reddish purple, bluish
# green) stay apart under red-green and blue-yellow colour blindness, and each also has its own shape.
CATEGORY_COLOURS = [PALETTE[i] for i in (0, 1, 3, 2, 7, 5, 4, 6)]


def _category_encodings(
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
    color, shape = _category_encodings(categories, legend)
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
        layers.append(
            plain.mark_text(align="left", dx=6, dy=-5, fontSize=MAP_LABEL_PX, color="#333333").encode(
                *position, text="word:N", tooltip=tooltip
            )
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
    layers.append(
        written.mark_text(align="left", dx=9, dy=-9, fontSize=MAP_LABEL_PX + 2, fontWeight="bold").encode(
            *position,
            text="word:N",
            color=alt.Color("role:N", scale=role_scale, legend=None),
            tooltip=role_tooltip,
        )
    )
    # the zoom goes on the first layer before layering, as LayerChart.add_params would put it, without
    # its two deep copies of every layer (a third of a map's building time under a class)
    layers[0] = layers[0].add_params(alt.selection_interval(bind="scales", name=f"zoom_{x}{y}"))
    return layered(*layers).resolve_scale(color="independent", shape="independent")


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
    color, shape = _category_encodings(categories)
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


# ---------------------------------------------------------------- lesson 3: context

CONTEXT_MEASURES = {  # measure name -> (colour, dash) for the across-layer curves
    "self-similarity": (PALETTE[0], []),
    "within sense": (PALETTE[2], []),
    "across senses": (PALETTE[5], []),
    "baseline (random words)": (NEUTRAL, [6, 4]),
    "adjusted self-similarity": (PALETTE[3], [2, 2]),
}


def occurrence_cosine_chart(df, title: str | None = None, show_values: bool = True) -> alt.Chart:
    """Cosine between every pair of occurrences at one layer, rows and columns grouped by sense.

    Columns: row_name, column_name, row_order, column_order, cosine, row_sense, column_sense,
    row_text, column_text (see geometry.context.pairwise_table).
    """
    base = alt.Chart(df).encode(
        x=alt.X(
            "column_name:N",
            sort=alt.EncodingSortField("column_order"),
            title=None,
            axis=alt.Axis(labelAngle=-45, labelOverlap=False),
        ),
        y=alt.Y(
            "row_name:N",
            sort=alt.EncodingSortField("row_order"),
            title=None,
            axis=alt.Axis(labelOverlap=False),
        ),
        tooltip=[
            alt.Tooltip("row_name:N", title="row"),
            alt.Tooltip("column_name:N", title="column"),
            alt.Tooltip("cosine:Q", format=".3f"),
            alt.Tooltip("row_text:N", title="row sentence"),
            alt.Tooltip("column_text:N", title="column sentence"),
        ],
    )
    # A fixed domain, -1 to 1 as for every cosine in the app: a scale fitted to the data (0.996 to
    # 1 on a causal LM) would draw two cells that both read 1.00 pale and dark.
    cells = base.mark_rect().encode(color=alt.Color("cosine:Q", scale=_zero_centred([-1, 1]), title="cosine"))
    chart = cells
    if show_values:
        text = base.mark_text(fontSize=FONT_SIZE - 3).encode(
            text=alt.Text("cosine:Q", format=".2f"),
            color=alt.condition("abs(datum.cosine) > 0.6", alt.value("white"), alt.value("black")),
        )
        chart = layered(cells, text)
    return finish(chart.properties(width=alt.Step(30), height=alt.Step(30)), title)


def occurrence_paths_chart(df, layer_index: int, x_title: str = "x", y_title: str = "y") -> alt.Chart:
    """Each occurrence's path from layer to layer on a 2-D map, coloured by sense.

    Columns: occurrence, sense, text, layer, layer_index, x, y (see geometry.context.path_table).
    The points of ``layer_index`` are drawn large; the others small; the static row (layer 0,
    shared by every occurrence when the tokens agree) is a black diamond.
    """
    tooltip = ["occurrence:N", "sense:N", "layer:N", "text:N"]
    # each sense its own colour and shape, as on the word maps (colour-blind viewers tell them by shape)
    colour, shape = _category_encodings(_in_order(df["sense"]), field="sense")
    base = alt.Chart(df).encode(
        x=alt.X("x:Q", title=x_title, axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("y:Q", title=y_title, axis=alt.Axis(labels=False, ticks=False)),
    )
    paths = base.mark_line(opacity=0.45, strokeWidth=1.5).encode(
        color=colour, detail="occurrence:N", order="layer_index:Q", tooltip=tooltip
    )
    steps = base.mark_circle(size=18, opacity=0.6).encode(color=colour, tooltip=tooltip)
    chosen = (
        base.transform_filter(alt.datum.layer_index == layer_index)
        .mark_point(size=170, filled=True, stroke="black", strokeWidth=0.8)
        .encode(color=colour, shape=shape, tooltip=tooltip)
    )
    start = (
        base.transform_filter(alt.datum.layer_index == 0)
        .mark_point(shape="diamond", size=260, filled=True, color="black")
        .encode(tooltip=tooltip)
    )
    chart = layered(paths, steps, chosen, start).properties(width="container", height=460)
    return finish(chart)


def layer_similarity_chart(df, layer_index: int | None = None) -> alt.Chart:
    """Similarity measures layer by layer, with a rule at the chosen layer.

    Columns: layer_index, layer, measure, value (see geometry.context.long_layer_table).
    """
    present = [m for m in CONTEXT_MEASURES if m in set(df["measure"])]
    colour = alt.Color(
        "measure:N",
        scale=alt.Scale(domain=present, range=[CONTEXT_MEASURES[m][0] for m in present]),
        title=None,
        legend=alt.Legend(orient="bottom", columns=3, symbolType="stroke", symbolStrokeWidth=3),
    )
    dash = alt.StrokeDash(
        "measure:N",
        scale=alt.Scale(domain=present, range=[CONTEXT_MEASURES[m][1] for m in present]),
        legend=None,
    )
    x = alt.X("layer:N", sort=alt.EncodingSortField("layer_index"), title=None, axis=alt.Axis(labelAngle=-45))
    tooltip = ["layer:N", "measure:N", alt.Tooltip("value:Q", format=".3f")]
    lines = (
        alt.Chart(df)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(x=x, y=alt.Y("value:Q", title="mean cosine"), color=colour, strokeDash=dash, tooltip=tooltip)
    )
    chart = lines
    if layer_index is not None:
        rule = (
            alt.Chart(df)
            .transform_filter(alt.datum.layer_index == layer_index)
            .mark_rule(color=NEUTRAL, strokeWidth=6, opacity=0.25)
            .encode(x=x, tooltip=["layer:N"])
        )
        chart = layered(rule, lines)
    return finish(chart.properties(width="container", height=380))


def dimension_strip_chart(df) -> alt.Chart:
    """The first components of each occurrence's vector, one panel per layer, value as colour.

    Columns: occurrence, sense, order, layer, layer_index, dimension, value
    (see geometry.context.dimension_table). Each panel has its own colour range.
    """
    chart = (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("dimension:O", title="dimension", axis=alt.Axis(labels=False, ticks=False)),
            y=alt.Y(
                "occurrence:N",
                sort=alt.EncodingSortField("order"),
                title=None,
                axis=alt.Axis(labelOverlap=False),
            ),
            color=alt.Color("value:Q", scale=signed_scale(), title="value"),
            tooltip=[
                "occurrence:N",
                "sense:N",
                "layer:N",
                "dimension:O",
                alt.Tooltip("value:Q", format=".3f"),
            ],
        )
        .properties(width=360, height=alt.Step(16))
        .facet(column=alt.Column("layer:N", sort=alt.EncodingSortField("layer_index"), title=None))
        .resolve_scale(color="independent")
    )
    return finish(chart)


def word_attention_chart(df, row: str = "layer", row_order: str = "layer_index", title: str | None = None,
                         show_values: bool = True) -> alt.Chart:  # fmt: skip
    """One word's attention to every token of its sentence: rows (layers or heads) down, tokens across.

    Columns: key_label, key_position, probability, is_word, and ``row`` with its order column
    ``row_order`` (see geometry.context.OccurrenceContext). The word's own tokens are outlined.
    """
    base = alt.Chart(df).encode(
        x=alt.X(
            "key_label:N",
            sort=alt.EncodingSortField("key_position"),
            title="token of the sentence (looked at)",
            axis=alt.Axis(labelAngle=-60, labelOverlap=False),  # every token named, even in a half column
        ),
        y=alt.Y(
            f"{row}:N", sort=alt.EncodingSortField(row_order), title=None, axis=alt.Axis(labelOverlap=False)
        ),
        tooltip=[f"{row}:N", "key_label:N", alt.Tooltip("probability:Q", format=".3f")],
    )
    cells = base.mark_rect().encode(
        color=alt.Color("probability:Q", scale=alt.Scale(scheme=SEQUENTIAL, zero=True), title="attention")
    )
    own = base.transform_filter(alt.datum.is_word).mark_rect(fill=None, stroke="black", strokeWidth=2)
    chart = layered(cells, own)
    if show_values:
        text = base.mark_text(fontSize=FONT_SIZE - 5).encode(
            text=alt.Text("probability:Q", format=".2f"),
            color=alt.condition("datum.probability > 0.5", alt.value("white"), alt.value("black")),
        )
        chart = chart + text
    return finish(chart.properties(width="container", height=alt.Step(26)), title)


LAYER_AXIS = alt.Axis(labelAngle=-45)


def sublayer_change_chart(df) -> alt.Chart:
    """How far each layer's attention and MLP move a word's vector, one panel per occurrence.

    Columns: occurrence, layer, layer_index, sublayer ("attention" or "MLP"), change, output_norm,
    cosine (see geometry.trace.sublayer_changes).
    """
    bars = (
        alt.Chart(df, width=320, height=240)
        .mark_bar()
        .encode(
            x=alt.X("layer:N", sort=alt.EncodingSortField("layer_index"), title=None, axis=LAYER_AXIS),
            xOffset=alt.XOffset("sublayer:N", sort=["attention", "MLP"]),
            y=alt.Y("change:Q", title="how far the vector moved (|after − before|)"),
            color=alt.Color(
                "sublayer:N", scale=alt.Scale(domain=["attention", "MLP"], range=PALETTE[:2]), title=None
            ),
            tooltip=[
                "occurrence:N", "layer:N", "sublayer:N", alt.Tooltip("change:Q", format=".3f"),
                alt.Tooltip("output_norm:Q", format=".3f", title="|sublayer output|"),
                alt.Tooltip("cosine:Q", format=".3f", title="cosine before/after"),
            ],
        )
    )  # fmt: skip
    return finish(bars.facet(column=alt.Column("occurrence:N", title=None)))


# ---------------------------------------------------------------- lesson 4: attention trace


def _trace_token_axis(field: str, order_field: str, title: str) -> alt.X:
    """A nominal axis ordered by a position column (token labels can repeat their text)."""
    return alt.X(
        f"{field}:N", sort=alt.EncodingSortField(order_field), title=title, axis=alt.Axis(labelAngle=-45)
    )


def attention_heatmap_chart(df, title: str | None = None, show_values: bool = True) -> alt.Chart:
    """One head's attention pattern: query tokens down, key tokens across, probability as colour.

    Columns: query_label, query_position, key_label, key_position, probability, q_dot_k, scaled_score.
    """
    base = alt.Chart(df).encode(
        x=_trace_token_axis("key_label", "key_position", "key token (looked at)"),
        y=alt.Y("query_label:N", sort=alt.EncodingSortField("query_position"), title="query token (looking)"),
        tooltip=[
            "query_label",
            "key_label",
            alt.Tooltip("q_dot_k:Q", format=".3f"),
            alt.Tooltip("scaled_score:Q", format=".3f"),
            alt.Tooltip("probability:Q", format=".4f"),
        ],
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "probability:Q", scale=alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]), title="probability"
        )
    )
    chart = cells
    if show_values:
        text = base.mark_text(fontSize=FONT_SIZE - 2).encode(
            text=alt.Text("probability:Q", format=".2f"),
            color=alt.condition("datum.probability > 0.5", alt.value("white"), alt.value("black")),
        )
        chart = layered(cells, text)
    return finish(chart.properties(width="container", height=alt.Step(34)), title)


def head_grid_chart(df, columns: int = 3) -> alt.Chart:
    """All heads of one layer as small multiples. Columns: as the heatmap, plus head and head_label."""
    cells = (
        alt.Chart(df, width=170, height=170)
        .mark_rect()
        .encode(
            x=alt.X("key_position:O", title="key position"),
            y=alt.Y("query_position:O", title="query position"),
            color=alt.Color(
                "probability:Q", scale=alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]), title="probability"
            ),
            tooltip=["head_label", "query_label", "key_label", alt.Tooltip("probability:Q", format=".4f")],
        )
    )
    chart = cells.facet(
        facet=alt.Facet("head_label:N", sort=alt.EncodingSortField("head"), title=None), columns=columns
    )
    return finish(chart)


def tournament_chart(df) -> alt.Chart:
    """One query's "dot product tournament": each key's q·k, scaled score, probability and weighted value.

    Long format, columns: key_label, key_position, measure, measure_order, value.
    """
    bars = (
        alt.Chart(df, width=170, height=alt.Step(24))  # four panels fit a 1024 projector
        .mark_bar()
        .encode(
            y=alt.Y("key_label:N", sort=alt.EncodingSortField("key_position"), title="key token"),
            x=alt.X("value:Q", title=None),
            color=alt.Color(
                "measure:N", scale=category_scale(), legend=None, sort=alt.EncodingSortField("measure_order")
            ),
            tooltip=["key_label", "measure", alt.Tooltip("value:Q", format=".4f")],
        )
    )
    chart = bars.facet(
        column=alt.Column("measure:N", sort=alt.EncodingSortField("measure_order"), title=None)
    ).resolve_scale(x="independent")
    return finish(chart)


def residual_norm_chart(df) -> alt.Chart:
    """The length of one token's residual vector after each sublayer.

    Columns: step, name, layer, stage, norm.
    """
    chart = (
        alt.Chart(df)
        .mark_line(point=True, color=PALETTE[0])
        .encode(
            x=alt.X("step:Q", title="step (embedding, then attention and MLP of each layer)"),
            y=alt.Y("norm:Q", title="norm of the residual vector"),
            tooltip=["step", "name", "layer", "stage", alt.Tooltip("norm:Q", format=".2f")],
        )
        .properties(width="container", height=320)
    )
    points = (
        alt.Chart(df)
        .mark_point(filled=True, size=60)
        .encode(
            x="step:Q",
            y="norm:Q",
            color=alt.Color("stage:N", scale=category_scale(), title="after"),
            tooltip=["step", "name", "layer", "stage", alt.Tooltip("norm:Q", format=".2f")],
        )
    )
    return finish(layered(chart, points))


def logit_lens_chart(df) -> alt.Chart:
    """The top token at each stage of the residual stream, coloured by its probability.

    One row per stage (rank 1 only). Columns: layer_label, layer, stage, token, probability, logit.
    """
    base = alt.Chart(df).encode(
        x=alt.X(
            "stage:N",
            sort=["embedding", "after attention", "after MLP"],
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0),
        ),
        # every layer named (no label dropped for overlap), rows tall enough for their token text
        y=alt.Y(
            "layer_label:N",
            sort=alt.EncodingSortField("layer"),
            title=None,
            axis=alt.Axis(labelOverlap=False),
        ),
        tooltip=[
            "layer_label",
            "stage",
            "token",
            alt.Tooltip("probability:Q", format=".4f"),
            alt.Tooltip("logit:Q", format=".2f"),
        ],
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "probability:Q", scale=alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]), title="probability"
        )
    )
    text = base.mark_text(fontSize=FONT_SIZE - 2).encode(
        text="token:N", color=alt.condition("datum.probability > 0.5", alt.value("white"), alt.value("black"))
    )
    return finish(layered(cells, text).properties(width=420, height=alt.Step(24)))


def neuron_chart(df) -> alt.Chart:
    """The most active MLP neurons for one token. Columns: neuron, activation, pre."""
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("neuron:N", sort=_in_order(df["neuron"]), title="neuron (most active first)"),
            y=alt.Y("activation:Q", title="activation"),  # a long title is clipped at 300 px
            color=alt.Color("activation:Q", scale=signed_scale(), legend=None),
            tooltip=["neuron", alt.Tooltip("activation:Q", format=".4f"), alt.Tooltip("pre:Q", format=".4f")],
        )
        .properties(width="container", height=300)
    )
    return finish(chart)


def _grouped_token_bars(df, value: str, x_title: str, y_title: str, colours: list[str], height: int):
    """Bars per token, one bar per series side by side, tokens in the model's rank order."""
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X(
                "token_label:N",
                sort=alt.EncodingSortField("rank"),
                title=x_title,
                axis=alt.Axis(labelAngle=-45, labelOverlap=False),  # every token named, none skipped
            ),
            xOffset=alt.XOffset("series:N", sort=alt.EncodingSortField("series_order")),
            y=alt.Y(f"{value}:Q", title=y_title),
            color=alt.Color(
                "series:N",
                sort=alt.EncodingSortField("series_order"),
                scale=alt.Scale(range=colours),
                title=None,
                legend=alt.Legend(orient="top", labelLimit=0),
            ),
        )
        .properties(width="container", height=height)
    )


def next_token_chart(df) -> alt.Chart:
    """The most likely next tokens before and after the decoding filters.

    Long format, columns: token_label, rank, series, series_order, probability, status ("kept" /
    "filtered out"). The first series is drawn grey, the second blue.
    """
    chart = _grouped_token_bars(
        df, "probability", "next token (by the model's rank)", "probability", [NEUTRAL, POSITIVE], 320
    ).encode(
        opacity=alt.condition("datum.status == 'kept'", alt.value(1.0), alt.value(0.45)),
        tooltip=["rank", "token_label", "series", alt.Tooltip("probability:Q", format=".4f"), "status"],
    )
    return finish(chart)


def sampling_chart(df) -> alt.Chart:
    """N seeded samples against the distribution they were drawn from.

    Long format, columns: token_label, rank, series ("distribution" / "samples"), series_order, share.
    """
    chart = _grouped_token_bars(
        df, "share", "token", "probability or share", [POSITIVE, PALETTE[1]], 300
    ).encode(tooltip=["token_label", "series", alt.Tooltip("share:Q", format=".4f")])
    return finish(chart)


def operation_counts_chart(df, value: str = "multiply_adds", group: str | None = None) -> alt.Chart:
    """Arithmetic per component as horizontal bars. Columns: component, ``value``, optional ``group``."""
    encoding = {
        "y": alt.Y("component:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
        "x": alt.X(f"{value}:Q", title=value.replace("_", "-")),
        "tooltip": ["component", alt.Tooltip(f"{value}:Q", format=",")],
    }
    if group:
        encoding["yOffset"] = alt.YOffset(f"{group}:N")
        encoding["color"] = alt.Color(
            f"{group}:N", scale=category_scale(), title=None, legend=alt.Legend(orient="top", labelLimit=0)
        )
        encoding["tooltip"] = [*encoding["tooltip"], group]
    else:
        encoding["color"] = alt.value(POSITIVE)
    height = alt.Step(40 if group else 28)  # one row per component, shared by grouped bars
    chart = alt.Chart(df).mark_bar().encode(**encoding).properties(width="container", height=height)
    return finish(chart)


def top_tokens_comparison_chart(df) -> alt.Chart:
    """The top next tokens of two runs side by side.

    Columns: token_label, order (row order), run, run_order (0 is drawn blue, 1 vermilion), probability.
    """
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("token_label:N", sort=alt.EncodingSortField("order"), title=None),
            yOffset=alt.YOffset("run:N", sort=alt.EncodingSortField("run_order")),
            x=alt.X("probability:Q", title="probability of the next token"),
            color=alt.Color(
                "run:N",
                sort=alt.EncodingSortField("run_order"),
                scale=alt.Scale(range=[POSITIVE, NEGATIVE]),
                title=None,
                legend=alt.Legend(orient="top"),
            ),
            tooltip=["token_label", "run", alt.Tooltip("probability:Q", format=".4f")],
        )
        .properties(width="container")
    )
    return finish(chart)


# ---------------------------------------------------------------- lesson 5: learning


def true_next_loss_chart(df) -> alt.Chart:
    """Each prediction's loss, -ln p(true next token), with the probability written on the bar.

    Columns (``learning.prediction_table``): position, prediction, context_token,
    true_next_token, probability, loss.
    """
    tooltip = [
        "position",
        "context_token",
        "true_next_token",
        alt.Tooltip("probability:Q", format=".3g"),
        alt.Tooltip("loss:Q", format=".3f", title="loss = -ln p"),
    ]
    base = alt.Chart(df).encode(
        x=alt.X(
            "prediction:N",
            sort=alt.EncodingSortField("position"),
            title="context so far → true next token",
            axis=alt.Axis(labelAngle=-45),
        ),
        y=alt.Y("loss:Q", title="loss = -ln p(true next token)"),
        tooltip=tooltip,
    )
    bars = base.mark_bar().encode(
        color=alt.Color("probability:Q", scale=alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]), title="p")
    )
    labels = base.mark_text(dy=-8, fontSize=FONT_SIZE - 2).encode(
        text=alt.Text("probability:Q", format=".2g")
    )
    return finish((bars + labels).properties(width="container", height=300))


def gradient_paths_chart(df) -> alt.Chart:
    """Gradient norm of each text token's row, through the input lookup and the output projection.

    Long format, columns (``learning.path_norms``): token, path, norm.
    """
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("token:N", sort=None, title="token of the text"),
            yOffset=alt.YOffset("path:N"),
            x=alt.X("norm:Q", title="gradient norm of the row"),
            color=alt.Color("path:N", scale=category_scale(), title="path"),
            tooltip=["token", "path", alt.Tooltip("norm:Q", format=".4g")],
        )
        .properties(width="container", height=alt.Step(14))
    )
    return finish(chart)


def log_histogram_chart(df, group_title: str, x_title: str, title: str | None = None) -> alt.Chart:
    """Rows counted in bins of log10(value), one colour per group, counts on a log axis.

    Columns (``learning.log_histogram``): group, log10_low, log10_high, rows.
    """
    chart = (
        alt.Chart(df)
        .mark_bar(opacity=0.75, binSpacing=0)
        .encode(
            x=alt.X("log10_low:Q", title=x_title, scale=alt.Scale(zero=False)),
            x2="log10_high:Q",
            y=alt.Y("rows:Q", scale=alt.Scale(type="log", domainMin=0.5), title="number of rows (log scale)"),
            y2=alt.datum(0.5),  # a log axis has no zero: bars start just below one row
            order=alt.Order("rows:Q", sort="descending"),  # short bars drawn last, on top
            color=alt.Color("group:N", scale=category_scale(), title=group_title),
            tooltip=[
                alt.Tooltip("group:N", title=group_title),
                alt.Tooltip("log10_low:Q", format=".2f", title="from log10"),
                alt.Tooltip("log10_high:Q", format=".2f", title="to log10"),
                "rows",
            ],
        )
        .properties(width="container", height=260)
    )
    return finish(chart, title)


def loss_curve_chart(df) -> alt.Chart:
    """The training loss after each update. Columns (``learning.loss_table``): step, loss."""
    base = alt.Chart(df).encode(
        x=alt.X("step:Q", title="updates made", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("loss:Q", title="loss (mean -ln p)", scale=alt.Scale(zero=False)),
        tooltip=["step", alt.Tooltip("loss:Q", format=".4f")],
    )
    chart = base.mark_line(color=POSITIVE) + base.mark_point(color=POSITIVE, filled=True, size=70)
    return finish(chart.properties(width="container", height=260))


def token_movement_chart(df, zoom: float = 1.0) -> alt.Chart:
    """Each text token's vector before (hollow) and after (filled) training, joined by a line.

    Columns (``learning.movement_table``): token, x_before, y_before, x_after, y_after,
    shift, relative_shift. ``zoom`` only names the magnification in the title.
    """
    tooltip = [
        "token",
        alt.Tooltip("shift:Q", format=".4g", title="moved (full space)"),
        alt.Tooltip("relative_shift:Q", format=".2%", title="moved / length"),
    ]
    x, y = alt.X("x_before:Q", title="PC 1"), alt.Y("y_before:Q", title="PC 2")
    base = alt.Chart(df).encode(tooltip=tooltip)
    lines = base.mark_rule(color=NEUTRAL, strokeWidth=2).encode(x=x, y=y, x2="x_after:Q", y2="y_after:Q")
    before = base.mark_point(color=NEUTRAL, size=90, filled=False).encode(x=x, y=y)
    after = base.mark_point(size=110, filled=True).encode(
        x="x_after:Q", y="y_after:Q", color=alt.Color("token:N", scale=category_scale(), legend=None)
    )
    labels = base.mark_text(dx=8, align="left", fontSize=FONT_SIZE).encode(
        x="x_after:Q", y="y_after:Q", text="token:N"
    )
    drawn = "true size" if zoom == 1 else f"movement drawn ×{zoom:g}"
    title = f"Token vectors before (hollow) and after (filled), PCA of both ({drawn})"
    return finish(layered(lines, before, after, labels).properties(width="container", height=380), title)


def parameter_chart(df) -> alt.Chart:
    """Parameters per part of the model. Columns (``learning.parameter_counts``): part, parameters, share."""
    chart = (
        alt.Chart(df)
        .mark_bar(color=POSITIVE)
        .encode(
            y=alt.Y("part:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("parameters:Q", title="parameters"),
            tooltip=["part", alt.Tooltip("parameters:Q", format=","), alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(width="container", height=alt.Step(28))
    )
    return finish(chart)


# ---------------------------------------------------------------- lesson 2: Plotly views
# Altair has no 3-D and draws tens of thousands of points slowly, so these two use Plotly
# (imported here only, when first drawn): a rotatable 3-D scatter and a WebGL vocabulary map.

SYMBOLS_3D = ["circle", "square", "diamond", "cross", "x", "circle-open", "square-open", "diamond-open"]
PLOTLY_CONFIG = {  # the toolbar's camera button saves the view as it is turned, for slides
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "filename": "projection", "scale": 2},
}


def category_colours(categories: list[str]) -> dict[str, str]:
    """The palette colour of each category, in order; "vocabulary" (uncurated tokens) is grey."""
    curated = [name for name in categories if name != "vocabulary"]
    colours = {name: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, name in enumerate(curated)}
    return {**colours, "vocabulary": NEUTRAL} if "vocabulary" in categories else colours


def _hover(axes: list[str], titles: list[str]) -> str:
    """Hover text: the word in bold, its trace (category or highlight), each coordinate with its axis."""
    lines = [f"{title}: %{{{axis}:.3f}}" for axis, title in zip(axes, titles, strict=False)]
    return "<b>%{customdata[0]}</b><br>%{fullData.name}<br>" + "<br>".join(lines) + "<extra></extra>"


def _xyz(part, axes: str) -> dict:
    """Coordinates as float32 (sent to the browser as typed arrays: half the bytes of float64)."""
    return {axis: part[axis].to_numpy(dtype="float32") for axis in axes}


def presenter_plotly(figure, scale: float = PRESENTER_SCALE, minimum: int = PRESENTER_MIN_FONT):
    """A Plotly figure for a projector, as :func:`presenter_sized` is for Altair: the base font (axis
    titles, ticks, legend, hover) and every trace's text ×``scale``, at least ``minimum`` px; the
    data untouched. Returns a copy.

    >>> import plotly.graph_objects as go
    >>> big = presenter_plotly(go.Figure(go.Scatter(x=[1], y=[1], text=["a"], textfont={"size": 11}),
    ...                                  layout={"font": {"size": 14}}))
    >>> big.layout.font.size, big.data[0].textfont.size
    (18, 16)
    """
    import plotly.graph_objects as go

    enlarged = go.Figure(figure)  # a copy
    base = enlarged.layout.font.size or FONT_SIZE
    enlarged.update_layout(font={"size": max(round(base * scale), minimum)})
    for trace in enlarged.data:
        size = getattr(getattr(trace, "textfont", None), "size", None)
        if isinstance(size, int | float):
            trace.textfont.size = max(round(size * scale), minimum)
    return enlarged


def _plotly_layout(height: int, legend_title: str = "category") -> dict:
    return {
        "height": height,
        "font": {"size": FONT_SIZE},
        # Legend below the chart (clear of the toolbar), so the scene keeps the width of a small screen.
        "legend": {
            "title": {"text": legend_title},
            "itemsizing": "constant",
            "orientation": "h",
            "yanchor": "top",
            "y": -0.02,
            "x": 0,
        },
        "margin": {"l": 0, "r": 0, "t": 30, "b": 0},
        "uirevision": "keep",  # keeps zoom and camera while the figure lives (a rerun redraws it)
        "hoverlabel": {"font": {"size": FONT_SIZE}},
    }


def projection_3d_chart(df, titles: list[str], categories: list[str] | None = None, labels: bool = True,
                        many: bool = False, height: int = 640):  # fmt: skip
    """A rotatable, zoomable 3-D map. df: word, category, x, y, z, role (as for projection_chart).

    One trace per category (palette colour and symbol), then one per highlight role (open
    rings, bold labels). Each point's customdata is its word, so a click names the word.
    """
    import plotly.graph_objects as go

    categories = categories or sorted(df["category"].unique())
    colours, hover = category_colours(categories), _hover(["x", "y", "z"], titles)
    figure = go.Figure()
    for i, category in enumerate(categories):
        part = df[df["category"] == category]
        symbol = "circle" if category == "vocabulary" else SYMBOLS_3D[i % len(SYMBOLS_3D)]
        figure.add_scatter3d(
            **_xyz(part, "xyz"), name=category, customdata=part[["word"]],
            mode="markers+text" if labels and not many else "markers",
            text=part["word"].where(part["role"] == "", ""),  # highlighted words get their own label
            textfont={"size": FONT_SIZE - 3, "color": "#333333"}, hovertemplate=hover,
            marker={"size": 2 if many else 5, "color": colours[category], "symbol": symbol,
                    "opacity": 0.5 if many else 0.9},
        )  # fmt: skip
    for role, colour in ROLE_COLOURS.items():
        part = df[df["role"] == role]
        if len(part):
            figure.add_scatter3d(
                **_xyz(part, "xyz"), name=role, legendgroup="highlight",
                legendgrouptitle={"text": "highlight"}, customdata=part[["word"]],
                mode="markers+text", text=part["word"], hovertemplate=hover,
                textfont={"size": FONT_SIZE, "color": colour}, textposition="top center",
                marker={"size": 10, "color": colour, "symbol": "circle-open", "line": {"width": 3}},
            )  # fmt: skip
    scene = {
        axis: {"title": {"text": title}}
        for axis, title in zip(["xaxis", "yaxis", "zaxis"], titles, strict=False)
    }
    # Dragging turns the scene. Said here because Streamlit sets the figure's dragmode to "pan"
    # for click selections, which a 3D scene would otherwise inherit.
    scene["dragmode"] = "turntable"
    figure.update_layout(**_plotly_layout(height), scene=scene)
    return figure


def vocabulary_map_chart(df, titles: list[str], categories: list[str] | None = None, height: int = 640):
    """Tens of thousands of words on one WebGL (Scattergl) map. df: word, category, x, y, role.

    Uncurated tokens are small grey dots, curated words larger coloured ones, highlighted words
    ringed and labelled. Scroll zooms, drag pans, hover names a point, a click chooses it.
    """
    import plotly.graph_objects as go

    categories = categories or sorted(df["category"].unique())
    colours, hover = category_colours(categories), _hover(["x", "y"], titles)
    figure = go.Figure()
    curated = [name for name in categories if name != "vocabulary"]
    for category in categories:
        part = df[df["category"] == category]
        grey = category == "vocabulary"
        symbol = "circle" if grey else PROJECTION_SHAPES[curated.index(category) % len(PROJECTION_SHAPES)]
        figure.add_scattergl(
            **_xyz(part, "xy"), name=category, mode="markers", hovertemplate=hover,
            customdata=part[["word"]],
            marker={"size": 4 if grey else 8, "color": colours[category], "symbol": symbol,
                    "opacity": 0.45 if grey else 0.95},
        )  # fmt: skip
    for role, colour in ROLE_COLOURS.items():
        part = df[df["role"] == role]
        if len(part):
            figure.add_scattergl(
                **_xyz(part, "xy"), name=role, legendgroup="highlight", mode="markers+text",
                legendgrouptitle={"text": "highlight"}, customdata=part[["word"]],
                text=part["word"], textposition="top right", hovertemplate=hover,
                textfont={"size": FONT_SIZE, "color": colour},
                marker={"size": 14, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": colour}},
            )  # fmt: skip
    layout = _plotly_layout(height)
    layout["legend"]["y"] = -0.16  # below the x axis and its title
    figure.update_layout(
        **layout, dragmode="pan", xaxis={"title": {"text": titles[0]}},
        yaxis={"title": {"text": titles[1]}}, plot_bgcolor="white",
    )  # fmt: skip
    return figure


# --------------------------------------------------------------------------- why this token

DIRECTION_COLOURS = {"pushes up": PALETTE[0], "pushes down": PALETTE[5]}


def attribution_bars_chart(df, value_title: str = "contribution to the logit") -> alt.Chart:
    """The parts that moved the logit most, in the frame's order (largest first), each bar's number
    written at its end.

    Columns: label, rank (1 = largest |contribution|), contribution, direction ("pushes up" or
    "pushes down"), component.
    """
    base = alt.Chart(df).encode(
        y=alt.Y("label:N", sort=_in_order(df["label"]), title=None, axis=alt.Axis(labelOverlap=False)),
        x=alt.X("contribution:Q", title=value_title),
        tooltip=["component", "label", alt.Tooltip("contribution:Q", format="+.3f"), "direction"],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "direction:N",
            scale=alt.Scale(domain=list(DIRECTION_COLOURS), range=list(DIRECTION_COLOURS.values())),
            title=None,
            legend=alt.Legend(orient="bottom"),
        )
    )
    number = alt.Text("contribution:Q", format="+.2f")
    up = base.transform_filter("datum.contribution >= 0").mark_text(
        align="left", dx=4, fontSize=FONT_SIZE - 2
    )
    down = base.transform_filter("datum.contribution < 0").mark_text(
        align="right", dx=-4, fontSize=FONT_SIZE - 2
    )
    chart = layered(bars, up.encode(text=number), down.encode(text=number))
    return finish(chart.properties(width="container", height=alt.Step(22)))


def layer_head_chart(df, value: str = "contribution", title: str | None = None, show_values: bool = True):
    """A signed value per (layer, head) as colour: layers down, heads across, zero in white.

    Columns: layer, head and ``value`` (a head's contribution to the logit, or the fraction it restores).
    """
    x, y = alt.X("head:O", axis=alt.Axis(labelAngle=0)), alt.Y("layer:O", axis=alt.Axis(labelOverlap=False))
    return _signed_grid(df, x, "head", y, "layer", value, title, show_values, 22)


def patching_chart(df, title: str | None = None, show_values: bool = True) -> alt.Chart:
    """Fraction restored for every (layer, position): layers down (the final residual last),
    positions across, both in the frame's order. Columns: layer, layer_label, position,
    position_label, restored."""
    x = alt.X(
        "position_label:N", sort=_in_order(df["position_label"]), title="position patched",
        axis=alt.Axis(labelAngle=-45, labelOverlap=False),
    )  # fmt: skip
    y = alt.Y(
        "layer_label:N", sort=_in_order(df["layer_label"]), title="layer (the stream entering it)",
        axis=alt.Axis(labelOverlap=False),
    )  # fmt: skip
    return _signed_grid(df, x, "position_label", y, "layer_label", "restored", title, show_values, 18)


def _signed_grid(df, x, x_name: str, y, y_name: str, value: str, title, show_values: bool, step: int):
    base = alt.Chart(df).encode(x=x, y=y, tooltip=[x_name, y_name, alt.Tooltip(f"{value}:Q", format="+.3f")])
    cells = base.mark_rect().encode(color=alt.Color(f"{value}:Q", scale=signed_scale(), title=value))
    chart = cells
    if show_values:
        text = base.mark_text(fontSize=FONT_SIZE - 4).encode(text=alt.Text(f"{value}:Q", format=".1f"))
        chart = layered(cells, text)
    return finish(chart.properties(width="container", height=alt.Step(step)), title)


# ---------------------------------------------------------------- inside the model: the whole model

LENS_CELL_WIDTH = 88  # one position's column: a token and its probability ("␣capital 100%") fit in it
MODEL_VIEW_CELL = 48  # one head's small square, in pixels: nine heads in a row fit a 1024-pixel screen


def lens_grid_chart(df) -> alt.Chart:
    """The logit lens over the whole prompt: positions across, stages down, the top token in each cell.

    One row per (stage, position). Columns: step, stage_label, position, position_label,
    top_token, top_probability, cell_text (what the cell says), target_token, target_rank,
    target_probability.
    """
    base = alt.Chart(df).encode(
        x=alt.X(
            "position_label:N",
            sort=_in_order(df["position_label"]),
            title="token position (the prediction is for the token after it)",
            axis=alt.Axis(orient="top", labelAngle=0, labelLimit=LENS_CELL_WIDTH, labelOverlap=False),
        ),
        y=alt.Y(
            "stage_label:N", sort=_in_order(df["stage_label"]), title=None, axis=alt.Axis(labelOverlap=False)
        ),
        tooltip=[
            "stage_label", "position_label", "top_token", alt.Tooltip("top_probability:Q", format=".4f"),
            "target_token", "target_rank", alt.Tooltip("target_probability:Q", format=".4g"),
        ],
    )  # fmt: skip
    cells = base.mark_rect().encode(
        color=alt.Color(
            "top_probability:Q",
            scale=alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]),
            title="probability of the top token",
            legend=alt.Legend(orient="bottom", gradientLength=200),
        )
    )
    text = base.mark_text(fontSize=FONT_SIZE - 3).encode(
        text="cell_text:N",
        color=alt.condition("datum.top_probability > 0.5", alt.value("white"), alt.value("black")),
    )
    return finish(layered(cells, text).properties(width=alt.Step(LENS_CELL_WIDTH), height=alt.Step(20)))


def target_track_chart(df) -> alt.Chart:
    """One token's probability and rank at one position, stage by stage (depth 0 = the embedding,
    L + 0.5 = after layer L's attention, L + 1 = after its MLP).

    Columns: depth, stage_label, target_probability, target_rank.
    """
    base = alt.Chart(df).encode(
        x=alt.X("depth:Q", title="layer (a half step = after that layer's attention)"),
        tooltip=["stage_label", alt.Tooltip("target_probability:Q", format=".4g"), "target_rank"],
    )
    probability = base.mark_line(point=True, color=PALETTE[0]).encode(
        y=alt.Y("target_probability:Q", title="probability", scale=alt.Scale(domain=[0, 1]))
    )
    rank = base.mark_line(point=True, color=PALETTE[5]).encode(
        y=alt.Y("target_rank:Q", title="rank (1 = top)", scale=alt.Scale(type="log", reverse=True))
    )
    return finish(
        alt.vconcat(
            probability.properties(width="container", height=150),
            rank.properties(width="container", height=150),
        )
    )


def model_view_chart(df, step: float = 8.0) -> alt.FacetChart:
    """Every head of every chosen layer as a small square (BertViz's model view): layers down, heads across.

    ``step``: pixels per token, so a square is ``step`` × tokens wide (the page passes
    MODEL_VIEW_CELL / tokens). Columns: layer, head, query_position, key_position, query_token,
    key_token, probability.
    """
    squares = (
        alt.Chart(df, width=alt.Step(step), height=alt.Step(step))
        .mark_rect()
        .encode(
            x=alt.X("key_position:O", axis=None),
            y=alt.Y("query_position:O", axis=None),
            color=alt.Color(
                "probability:Q",
                scale=alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]),
                title="attention",
                legend=alt.Legend(orient="bottom", gradientLength=200),
            ),
            tooltip=[
                "layer",
                "head",
                "query_token",
                "key_token",
                alt.Tooltip("probability:Q", format=".3f"),
            ],
        )  # fmt: skip
    )
    chart = squares.facet(
        row=alt.Row("layer:O", header=alt.Header(labelAngle=0, labelExpr="'L' + datum.value"), title=None),
        column=alt.Column("head:O", header=alt.Header(labelExpr="'H' + datum.value"), title=None),
        spacing=4,
    )
    return finish(chart)


def neuron_vocabulary_chart(df) -> alt.Chart:
    """The tokens one neuron's output row pushes up (positive) and down (negative), score as the bar.

    Columns: direction ("promotes" or "suppresses"), token_label (unique), score.
    """
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y(
                "token_label:N",
                sort=alt.EncodingSortField("score", order="descending"),
                title=None,
                axis=alt.Axis(labelOverlap=False),
            ),
            x=alt.X("score:Q", title="output row · unembedding column"),
            color=alt.Color(
                "direction:N",
                scale=alt.Scale(domain=["promotes", "suppresses"], range=[POSITIVE, NEGATIVE]),
                title=None,
            ),
            tooltip=["direction", "token_label", alt.Tooltip("score:Q", format=".4f")],
        )
        .properties(width="container", height=alt.Step(22))
    )
    return finish(chart)
