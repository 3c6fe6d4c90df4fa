"""The Words-in-context lesson's charts: occurrence cosines, their paths through the layers,
similarity by layer, the dimensions that move, a word's attention, what each sublayer changes.
"""

from __future__ import annotations

import altair as alt

from geometry.charts.projections import category_encodings
from geometry.charts.style import (
    FONT_SIZE,
    NEUTRAL,
    PALETTE,
    SEQUENTIAL,
    finish,
    in_order,
    layered,
    signed_scale,
    zero_centred,
)

CONTEXT_MEASURES = {  # measure name -> (colour, dash) for the across-layer curves
    "self-similarity": (PALETTE[0], []),
    "within sense": (PALETTE[2], []),
    "across senses": (PALETTE[5], []),
    "baseline (random words)": (NEUTRAL, [6, 4]),
    "adjusted self-similarity": (PALETTE[3], [2, 2]),
}


def occurrence_cosine_chart(
    df, title: str | None = None, show_values: bool = True, compact: bool = False
) -> alt.Chart:
    """Cosine between every pair of occurrences at one layer, rows and columns grouped by sense.
    ``compact`` (a phone): columns named by their occurrence alone ("S3"), the colour key below.

    Columns: row_name, column_name, row_order, column_order, cosine, row_sense, column_sense,
    row_text, column_text (see geometry.context.tables.pairwise_table).
    """
    columns_axis = (
        alt.Axis(labelAngle=-90, labelOverlap=False, labelExpr="split(datum.label, ' · ')[0]")
        if compact
        else alt.Axis(labelAngle=-45, labelOverlap=False)
    )
    base = alt.Chart(df).encode(
        x=alt.X("column_name:N", sort=alt.EncodingSortField("column_order"), title=None, axis=columns_axis),
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
    key = alt.Legend(orient="bottom" if compact else "right")
    cells = base.mark_rect().encode(
        color=alt.Color("cosine:Q", scale=zero_centred([-1, 1]), title="cosine", legend=key)
    )
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

    Columns: occurrence, sense, text, layer, layer_index, x, y (see geometry.context.tables.path_table).
    The points of ``layer_index`` are drawn large; the others small; the static row (layer 0,
    shared by every occurrence when the tokens agree) is a black diamond.
    """
    tooltip = ["occurrence:N", "sense:N", "layer:N", "text:N"]
    # each sense its own colour and shape, as on the word maps (colour-blind viewers tell them by shape)
    colour, shape = category_encodings(in_order(df["sense"]), field="sense")
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

    Columns: layer_index, layer, measure, value (see geometry.context.tables.long_layer_table).
    """
    present = [m for m in CONTEXT_MEASURES if m in set(df["measure"])]
    colour = alt.Color(
        "measure:N",
        scale=alt.Scale(domain=present, range=[CONTEXT_MEASURES[m][0] for m in present]),
        title=None,
        legend=alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeWidth=3),
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


def dimension_strip_chart(df, columns: int = 2, width: int = 300, legend: str = "right") -> alt.Chart:
    """The first components of each occurrence's vector, one panel per layer, value as colour;
    ``columns`` panels a row (2: side by side; 1: one above the other, for a phone), each ``width``,
    the colour keys at the ``legend`` side.

    Columns: occurrence, sense, order, layer, layer_index, dimension, value
    (see geometry.context.tables.dimension_table). Each panel has its own colour range.
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
            color=alt.Color("value:Q", scale=signed_scale(), title="value", legend=alt.Legend(orient=legend)),
            tooltip=[
                "occurrence:N",
                "sense:N",
                "layer:N",
                "dimension:O",
                alt.Tooltip("value:Q", format=".3f"),
            ],
        )
        .properties(width=width, height=alt.Step(16))
        .facet(
            facet=alt.Facet("layer:N", sort=alt.EncodingSortField("layer_index"), title=None), columns=columns
        )
        .resolve_scale(color="independent")
    )
    return finish(chart)


def word_attention_chart(df, row: str = "layer", row_order: str = "layer_index", title: str | None = None,
                         show_values: bool = True, label_angle: int = -60) -> alt.Chart:  # fmt: skip
    """One word's attention to every token of its sentence: rows (layers or heads) down, tokens across
    (their names at ``label_angle``: -90 on a phone, where the cells are narrower than a word).

    Columns: key_label, key_position, probability, is_word, and ``row`` with its order column
    ``row_order`` (see geometry.context.OccurrenceContext). The word's own tokens are outlined.
    """
    base = alt.Chart(df).encode(
        x=alt.X(
            "key_label:N",
            sort=alt.EncodingSortField("key_position"),
            title="token of the sentence (looked at)",
            axis=alt.Axis(labelAngle=label_angle, labelOverlap=False),  # every token named
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


def sublayer_change_chart(df, columns: int = 2, width: int = 300) -> alt.Chart:
    """How far each layer's attention and MLP move a word's vector, one panel per occurrence,
    ``columns`` panels a row (1 for a phone), each ``width`` pixels wide.

    Columns: occurrence, layer, layer_index, sublayer ("attention" or "MLP"), change, output_norm,
    cosine (see geometry.transformer.readings.sublayer_changes).
    """
    bars = (
        alt.Chart(df, width=width, height=240)
        .mark_bar()
        .encode(
            x=alt.X("layer:N", sort=alt.EncodingSortField("layer_index"), title=None, axis=LAYER_AXIS),
            xOffset=alt.XOffset("sublayer:N", sort=["attention", "MLP"]),
            y=alt.Y("change:Q", title="how far the vector moved (|after − before|)"),
            color=alt.Color(
                "sublayer:N",
                scale=alt.Scale(domain=["attention", "MLP"], range=PALETTE[:2]),
                title=None,
                legend=alt.Legend(orient="top"),  # above the panels: no width taken beside them
            ),
            tooltip=[
                "occurrence:N", "layer:N", "sublayer:N", alt.Tooltip("change:Q", format=".3f"),
                alt.Tooltip("output_norm:Q", format=".3f", title="|sublayer output|"),
                alt.Tooltip("cosine:Q", format=".3f", title="cosine before/after"),
            ],
        )
    )  # fmt: skip
    return finish(bars.facet(facet=alt.Facet("occurrence:N", title=None), columns=columns))
