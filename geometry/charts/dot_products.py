"""The Dot products lesson's charts: two vectors side by side, a similarity matrix, the
dimensions that contribute most, neighbours, a semantic axis.
"""

from __future__ import annotations

import altair as alt

from geometry.charts.style import (
    FONT_SIZE,
    NEGATIVE,
    PALETTE,
    POSITIVE,
    SEQUENTIAL,
    finish,
    in_order,
    layered,
    zero_centred,
)

AXIS_ROLE_COLOURS = {"axis start": PALETTE[5], "axis end": PALETTE[0], "word": "#000000"}

STRIP_WIDTH = 420  # with its row labels, fits beside the open sidebar on a 1024-pixel screen
STRIP_NARROW = 230  # with its row labels and the running sum's axis, fits a phone (356 px)


def _pair_dimension_axis(show_labels: bool) -> alt.X:
    return alt.X(
        "dimension:O",
        title="dimension",
        axis=alt.Axis(labels=show_labels, ticks=show_labels, labelAngle=0),
    )


def pair_strips_chart(df, show_values: bool = False, width: int = STRIP_WIDTH) -> alt.VConcatChart:
    """A pair of vectors as strips: their components, the products and the running sum, ``width``
    pixels wide (STRIP_NARROW for a phone).

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
                y=alt.Y("row:N", title=None, sort=in_order(df["row"])),
                tooltip=tooltip,
            )
        )
        key = alt.Legend(orient="top", direction="horizontal")  # above the strip: no width taken beside it
        layer = base.mark_rect().encode(
            color=alt.Color("value:Q", scale=zero_centred(), title=title, legend=key)
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
        strips.append(layer.properties(width=width, height=alt.Step(34 if show_values else 22)))
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
        .properties(width=width, height=140)
    )
    chart = alt.vconcat(*strips, running).resolve_scale(color="independent")
    return finish(chart)


def similarity_heatmap_chart(df, metric: str, show_values: bool = True) -> alt.Chart:
    """Every pair of words compared, the value as colour and (optionally) as text.

    Columns: word_a, word_b, value, label (geometry.similarity.similarity_frame). Dot products and
    cosines use the diverging scale centred on zero; distances a sequential scale (dark = close).
    """
    signed = metric in ("dot", "cosine")
    words = in_order(df["word_a"])
    scale = alt.Scale(scheme=SEQUENTIAL, reverse=True, zero=True)
    if signed:
        scale = zero_centred([-1, 1] if metric == "cosine" else None)
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
                text=alt.Text("label:N"),  # two decimals; more where 1.00 would claim identical
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
