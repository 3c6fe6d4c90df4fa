"""The Inside-the-model lesson's charts: attention, every head, the tournament, the residual
stream, the logit lens, neurons, next tokens, sampling, cost, experiments, why this token
(attribution and patching) and the whole model at a glance.
"""

from __future__ import annotations

import altair as alt

from geometry.charts.style import (
    FONT_SIZE,
    NEGATIVE,
    NEUTRAL,
    PALETTE,
    POSITIVE,
    SEQUENTIAL,
    category_scale,
    finish,
    in_order,
    layered,
    signed_scale,
    wrapped,
)


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


HEAD_GRID_NARROW = 110  # a head's square on a phone: two a row, with their axes, in 356 px


def head_grid_chart(df, columns: int = 3, size: int = 170, legend: str = "right") -> alt.Chart:
    """All heads of one layer as small multiples, ``columns`` a row, each ``size`` pixels square,
    the colour key at the ``legend`` side ("bottom" on a phone). Columns: as the heatmap, plus
    head and head_label."""
    cells = (
        alt.Chart(df, width=size, height=size)
        .mark_rect()
        .encode(
            x=alt.X("key_position:O", title="key position"),
            y=alt.Y("query_position:O", title="query position"),
            color=alt.Color(
                "probability:Q",
                scale=alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]),
                title="probability",
                legend=alt.Legend(orient=legend),
            ),
            tooltip=["head_label", "query_label", "key_label", alt.Tooltip("probability:Q", format=".4f")],
        )
    )
    chart = cells.facet(
        facet=alt.Facet("head_label:N", sort=alt.EncodingSortField("head"), title=None), columns=columns
    )
    return finish(chart)


def tournament_chart(df, columns: int = 4) -> alt.Chart:
    """One query's "dot product tournament": each key's q·k, scaled score, probability and weighted value.

    Long format, columns: key_label, key_position, measure, measure_order, value. ``columns``: panels
    side by side (4: one row, which fits a 1024 projector; 1: stacked, for a phone).
    """
    width = 150 if columns > 1 else 230  # four panels and their labels in 816 px; one in 356 px
    bars = (
        alt.Chart(df, width=width, height=alt.Step(24))
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
        facet=alt.Facet("measure:N", sort=alt.EncodingSortField("measure_order"), title=None),
        columns=columns,
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
            x=alt.X("step:Q", title=wrapped("step (embedding, then attention and MLP of each layer)")),
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
            x=alt.X("neuron:N", sort=in_order(df["neuron"]), title="neuron (most active first)"),
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


DIRECTION_COLOURS = {"pushes up": PALETTE[0], "pushes down": PALETTE[5]}


def attribution_bars_chart(df, value_title: str = "contribution to the logit") -> alt.Chart:
    """The parts that moved the logit most, in the frame's order (largest first), each bar's number
    written at its end.

    Columns: label, rank (1 = largest |contribution|), contribution, direction ("pushes up" or
    "pushes down"), component.
    """
    base = alt.Chart(df).encode(
        y=alt.Y("label:N", sort=in_order(df["label"]), title=None, axis=alt.Axis(labelOverlap=False)),
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
        "position_label:N", sort=in_order(df["position_label"]), title="position patched",
        axis=alt.Axis(labelAngle=-45, labelOverlap=False),
    )  # fmt: skip
    y = alt.Y(
        "layer_label:N", sort=in_order(df["layer_label"]), title="layer (the stream entering it)",
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


LENS_CELL_WIDTH = 84  # one position's column: a token and its probability ("␣capital 100%") fit in it

MODEL_VIEW_CELL = 48  # one head's small square, in pixels: nine heads in a row fit a 1024-pixel screen


def lens_grid_chart(df, output_on_top: bool = True) -> alt.Chart:
    """The logit lens over the whole prompt: positions across, stages down, the top token in each cell.

    One row per (stage, position), in the model's order. Columns: step, stage_label, position,
    position_label, top_token, top_probability, cell_text (what the cell says), target_token,
    target_rank, target_probability. ``output_on_top``: the last stage (the model's own prediction)
    is the top row and the embedding the bottom one, so the answer is on the first screen; the
    stages are named on both sides, so a grid scrolled to its last positions still names them.
    """
    stages = in_order(df["stage_label"])
    stage_axis = {"sort": stages[::-1] if output_on_top else stages, "title": None}
    base = alt.Chart(df).encode(
        x=alt.X(
            "position_label:N",
            sort=in_order(df["position_label"]),
            title="token position (the prediction is for the token after it)",
            axis=alt.Axis(orient="top", labelAngle=0, labelLimit=LENS_CELL_WIDTH, labelOverlap=False),
        ),
        tooltip=[
            "stage_label", "position_label", "top_token", alt.Tooltip("top_probability:Q", format=".4f"),
            "target_token", "target_rank", alt.Tooltip("target_probability:Q", format=".4g"),
        ],
    )  # fmt: skip
    cells = base.mark_rect().encode(
        y=alt.Y("stage_label:N", **stage_axis, axis=alt.Axis(labelOverlap=False)),
        color=alt.Color(
            "top_probability:Q",
            scale=alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]),
            title="probability of the top token",
            legend=alt.Legend(orient="bottom", gradientLength=200),
        ),
    )
    text = base.mark_text(fontSize=FONT_SIZE - 3).encode(
        y=alt.Y("stage_label:N", **stage_axis, axis=alt.Axis(labelOverlap=False, orient="right")),
        text="cell_text:N",
        color=alt.condition("datum.top_probability > 0.5", alt.value("white"), alt.value("black")),
    )
    grid = layered(cells, text).resolve_axis(y="independent")
    return finish(grid.properties(width=alt.Step(LENS_CELL_WIDTH), height=alt.Step(20)))


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
