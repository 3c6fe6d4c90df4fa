"""The class's reveals: what the class answered beside what the model computed, one chart per kind
of question.

Each builder takes a reveal's tidy table as ``classroom.questions`` documents it (``Kind.columns``)
and computes nothing; bars run across, so a phone (390 px) shows every label. The class is drawn in
orange, the model in blue, on the one palette.
"""

from __future__ import annotations

import json

import altair as alt

from geometry.charts.style import FONT_SIZE, NEUTRAL, PALETTE, POSITIVE, finish, in_order, layered

CLASS_COLOUR, MODEL_COLOUR = PALETTE[1], POSITIVE
ROW_STEP = 16  # pixels per bar of a grouped bar chart
_CLASS = "share of the class"


def _class_beside_model(
    df, label: str, model_value: str, model_name: str, title: str, model_format: str = ".0%", low: float = 0.0
) -> alt.Chart:
    """Two bars per row, the class's share of answers and the model's ``model_value`` (written with
    ``model_format``), on one axis from ``low`` to 1, rows in the frame's order."""
    series = alt.Color(
        "series:N",
        scale=alt.Scale(domain=[_CLASS, model_name], range=[CLASS_COLOUR, MODEL_COLOUR]),
        title=None,
        legend=alt.Legend(orient="top", direction="vertical", labelLimit=0),
    )
    shares = model_format.endswith("%")
    base = (
        alt.Chart(df)
        .transform_fold(["share", model_value], as_=["measure", "value"])
        .transform_filter("isValid(datum.value)")  # a guess the model's numbers do not cover: no blue bar
        .transform_calculate(
            series=f"datum.measure == 'share' ? {json.dumps(_CLASS)} : {json.dumps(model_name)}",
            written=f"format(datum.value, datum.measure == 'share' ? '.0%' : {json.dumps(model_format)})",
        )
        .encode(
            y=alt.Y(f"{label}:N", sort=in_order(df[label]), title=None),
            yOffset=alt.YOffset("series:N", sort=[_CLASS, model_name]),
            x=alt.X(
                "value:Q",
                title=title,
                axis=alt.Axis(format="%" if shares else ".1f"),
                scale=alt.Scale(domain=[low, 1]),
            ),
            tooltip=[
                label,
                "votes:Q",
                alt.Tooltip("share:Q", format=".0%"),
                alt.Tooltip(f"{model_value}:Q", format=model_format, title=model_name),
            ],
        )
    )
    bars = base.mark_bar().encode(color=series)
    values = base.mark_text(align="left", dx=3, fontSize=FONT_SIZE - 2).encode(text="written:N", color=series)
    return layered(bars, values).properties(width="container", height=alt.Step(ROW_STEP))


def next_token_reveal_chart(df) -> alt.Chart:
    """The class's guesses beside the model's probabilities for the same tokens.

    Columns (``next_token`` reveal): token, rank, probability, votes, share, in_top.
    """
    chart = _class_beside_model(df, "token", "probability", "the model's probability", "share or probability")
    return finish(chart, "The class and the model")


def attention_reveal_chart(df) -> alt.Chart:
    """Where the class thought the head looks, beside the attention it really pays.

    Columns (``attention`` reveal): position, token, option, weight, votes, share, most_attended.
    """
    chart = _class_beside_model(df, "option", "weight", "the head's attention", "share or attention weight")
    return finish(chart, "The class and the head")


def closer_pair_reveal_chart(df, baseline: float) -> alt.LayerChart:
    """The class's votes for each pair beside the pair's cosine; the dashed line is the anisotropy
    ``baseline`` (a cosine means something only when it is clearly above it).

    Columns (``closer_pair`` reveal): pair, a, b, cosine, above_baseline, votes, share, closest.
    """
    low = min(0.0, baseline, float(df["cosine"].min()) if len(df) else 0.0)
    bars = _class_beside_model(
        df,
        "pair",
        "cosine",
        "cosine (the model)",
        "share of the class, or cosine",
        model_format=".2f",
        low=low,
    )
    line = alt.Chart(alt.Data(values=[{"baseline": baseline, "label": "baseline"}]))
    rule = line.mark_rule(color=NEUTRAL, strokeDash=[4, 3], strokeWidth=2).encode(
        x="baseline:Q", tooltip=[alt.Tooltip("baseline:Q", format=".3f", title="baseline (random words)")]
    )
    label = line.mark_text(align="left", dx=4, dy=-4, fontSize=FONT_SIZE - 2, color=NEUTRAL).encode(
        x="baseline:Q", y=alt.value(0), text="label:N"
    )
    return finish(alt.layer(bars, rule, label), "The votes and the cosines")


def number_reveal_chart(df, true_value: float) -> alt.Chart:
    """The histogram of the class's guesses; the line is the true value (the bin holding it is blue).

    Columns (``number`` reveal): low, high, count, holds_true_value.
    """
    bars = (
        alt.Chart(df)
        .mark_bar(binSpacing=1)
        .encode(
            x=alt.X("low:Q", title="the class's guesses", scale=alt.Scale(zero=False)),
            x2="high:Q",
            y=alt.Y("count:Q", title="students", axis=alt.Axis(tickMinStep=1), scale=alt.Scale(domainMin=0)),
            y2=alt.datum(0),
            color=alt.condition("datum.holds_true_value", alt.value(MODEL_COLOUR), alt.value(CLASS_COLOUR)),
            tooltip=[alt.Tooltip("low:Q", format=".4g"), alt.Tooltip("high:Q", format=".4g"), "count:Q"],
        )
    )
    truth = alt.Chart(alt.Data(values=[{"value": true_value, "label": "true value"}]))
    rule = truth.mark_rule(color="black", strokeWidth=3).encode(
        x="value:Q", tooltip=[alt.Tooltip("value:Q", format=".6g", title="true value")]
    )
    label = truth.mark_text(align="left", dx=5, dy=-8, fontSize=FONT_SIZE, fontWeight="bold").encode(
        x="value:Q", y=alt.value(0), text="label:N"
    )
    return finish(
        alt.layer(bars, rule, label).properties(width="container", height=240),
        "The guesses and the true value",
    )


def continuation_reveal_chart(df) -> alt.Chart:
    """The class's votes for each continuation; the one from the asked temperature is blue and
    each row names its temperature.

    Columns (``continuation`` reveal): option, text, temperature, seed, votes, share, is_answer.
    """
    base = (
        alt.Chart(df)
        .transform_calculate(row="datum.option + '  (temperature ' + format(datum.temperature, '.2~f') + ')'")
        .encode(
            y=alt.Y("row:N", sort=alt.EncodingSortField("option"), title=None),
            tooltip=[
                "option",
                "text",
                "temperature:Q",
                "seed:Q",
                "votes:Q",
                alt.Tooltip("share:Q", format=".0%"),
            ],
        )
    )
    bars = base.mark_bar().encode(
        x=alt.X("share:Q", title=_CLASS, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.condition("datum.is_answer", alt.value(MODEL_COLOUR), alt.value(CLASS_COLOUR)),
    )
    values = base.mark_text(align="left", dx=3, fontSize=FONT_SIZE - 2).encode(
        x="share:Q", text=alt.Text("share:Q", format=".0%")
    )
    return finish(
        layered(bars, values).properties(width="container", height=alt.Step(34)),
        "The votes",
    )
