"""Every chart in the app, built with Altair from tidy DataFrames.

Rules: each function is ``*_chart(df, ...) -> alt.Chart``; no computation happens here
(the DataFrame arrives with every number already computed); colours come from the one
palette below, which is colour-blind safe (Okabe-Ito) and readable on a projector.
Each section belongs to one lesson; shared helpers sit at the top.
"""

from __future__ import annotations

import altair as alt

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
POSITIVE, NEGATIVE, NEUTRAL = "#0072B2", "#D55E00", "#999999"
DIVERGING = "blueorange"  # for signed values (dot products, cosines): centred on zero
SEQUENTIAL = "blues"  # for non-negative values (probabilities, distances)
FONT_SIZE = 14


def category_scale() -> alt.Scale:
    return alt.Scale(range=PALETTE)


def signed_scale(domain_mid: float = 0.0) -> alt.Scale:
    return alt.Scale(scheme=DIVERGING, domainMid=domain_mid, reverse=True)


def finish(chart: alt.Chart, title: str | None = None) -> alt.Chart:
    """Common look: readable fonts for projectors, optional title."""
    if title:
        chart = chart.properties(title=title)
    return chart.configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE).configure_legend(
        labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE
    )


# ---------------------------------------------------------------- lesson 1: dot products


# ---------------------------------------------------------------- lesson 2: projections


# ---------------------------------------------------------------- lesson 3: context


# ---------------------------------------------------------------- lesson 4: attention trace


# ---------------------------------------------------------------- lesson 5: learning
