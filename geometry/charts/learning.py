"""The Learning lesson's charts: each prediction's loss, the gradient's two paths, row-norm
histograms, the loss curve, the tokens that moved, the parameters per part.
"""

from __future__ import annotations

import altair as alt

from geometry.charts.style import FONT_SIZE, NEUTRAL, POSITIVE, SEQUENTIAL, category_scale, finish, layered


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
