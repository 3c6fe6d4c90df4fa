"""One pair of vectors step by step, and which dimensions dominate their dot product."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from geometry.charts import dot_products as charts
from geometry.words import handmade, similarity
from ui.page.charts import cached_chart, show_chart, show_wide_and_narrow
from ui.page.dependent import dependent
from ui.page.frames import wide_and_narrow
from ui.page.layout import download_table, explain, metric_row
from ui.page.tables import show_table
from ui.page.text import verbatim

BASELINE_HELP = (
    "The mean cosine between random pairs of this model's vocabulary words (a fixed random sample). "
    "A cosine means something only when it is clearly above this."
)


def pair_ui(names: list[str]) -> tuple[int, int] | None:
    """The section's heading and two select boxes; the rows of the chosen pair (None: too few)."""
    st.subheader("One pair, step by step")
    if len(names) < 2:
        st.info("Add a second word (or vector) to compare a pair.")
        return None
    name_a, name_b = pick_two(names, ("First", "Second"), ("dp_a", "dp_b"))
    return names.index(name_a), names.index(name_b)


def pick_two(names: list[str], labels: tuple[str, str], keys: tuple[str, str]) -> tuple[str, str]:
    """Two URL-bound select boxes of entries side by side (ui.page.dependent): by default the first
    entry, and the first entry that is not the first box's (each default computed from what comes
    before it, so a link that leaves a default out gets it back)."""
    left, right = st.columns(2)
    first = dependent(left.selectbox, labels[0], names, key=keys[0], default=names[0])
    default = next((name for name in names if name != first), names[0])
    return first, dependent(right.selectbox, labels[1], names, key=keys[1], default=default)


def _metrics(summary: similarity.PairSummary, name_a: str, name_b: str, base: float | None) -> None:
    row = metric_row()
    row.metric("dot product a·b", f"{summary.dot:.4g}", width="content")
    row.metric(f"\\|{verbatim(name_a)}\\|", f"{summary.norm_a:.4g}", width="content")
    row.metric(f"\\|{verbatim(name_b)}\\|", f"{summary.norm_b:.4g}", width="content")
    if summary.cosine is None:
        row.metric("cosine", "undefined", width="content")
    else:
        delta = None if base is None else f"{summary.cosine - base:+.3f} vs random"
        row.metric("cosine", f"{summary.cosine:.4f}", delta=delta, delta_color="off", width="content")
    if base is not None:
        row.metric("baseline cosine", f"{base:.3f}", help=BASELINE_HELP, width="content")
    angle = "undefined" if summary.angle is None else f"{summary.angle:.1f}°"
    row.metric("angle", angle, width="content")


def pair_view(
    names: list[str], X: np.ndarray, pair: tuple[int, int], base: float | None, by_hand: bool
) -> None:
    """The pair's numbers, its reading, the worked sum (hand-made vectors) and the strips."""
    i, j = pair
    a, b, name_a, name_b = X[i], X[j], names[i], names[j]
    summary = similarity.summarise_pair(a, b)
    _metrics(summary, name_a, name_b, base)
    label, sentence = reading(summary.cosine, base, same=i == j)
    st.markdown(f"**Reading: {label}.** {sentence}")
    if by_hand:
        show_table(handmade.multiplication_table(a, b, name_a, name_b), width="stretch")
        one_line, lines = wide_and_narrow("worked_sum")  # on a phone the sum wraps, its total alone
        one_line.latex(handmade.worked_sum(a, b))
        lines.latex(handmade.worked_sum(a, b, per_line=3))
    show_wide_and_narrow(
        charts.pair_strips_chart,
        similarity.pair_strips(a, b, name_a, name_b),
        show_values=by_hand,
        filename="dot-product-pair",
        key="dp_pair",
        narrow={"width": charts.STRIP_NARROW},
    )
    download_table(similarity.pair_table(a, b), "dot-product-pair.csv", key="dp_pair_csv")
    explain(
        "Each column of the strips is one dimension. The top strip shows the two vectors' components, "
        "the middle strip multiplies them position by position, and the line adds those products up "
        "from left to right: its last value is the dot product. Dividing by both lengths gives the "
        "cosine, which ignores how long the vectors are and keeps only their direction; its inverse "
        "cosine is the angle. Positive means the vectors lean the same way, near zero means they are "
        "close to perpendicular, negative means they lean apart.",
        r"a\cdot b=\sum_{i=1}^{d}a_i b_i \qquad \cos\theta=\frac{a\cdot b}{\lVert a\rVert\,\lVert b\rVert}"
        r"\qquad \lVert a\rVert=\sqrt{a\cdot a}",
    )


def contributions_section(names: list[str], X: np.ndarray, pair: tuple[int, int], standardise: bool) -> None:
    """Which dimensions dominate the pair's dot product."""
    st.subheader("Which dimensions dominate?")
    (i, j), a, b = pair, X[pair[0]], X[pair[1]]
    top = similarity.dimension_contributions(a, b, top=12)
    share = top["share_of_size"].head(3).sum()
    dimensions = ", ".join(str(d) for d in top["dimension"].head(3))
    st.markdown(
        f"The 3 largest products (dimensions {dimensions}) make up **{share:.0%}** of all the "
        f"multiplying (the sum of |a_i b_i|) in {verbatim(names[i])} · {verbatim(names[j])}, "
        f"out of {a.size} dimensions. "
        + (
            "These are standardised dimensions: each one now has an equal spread over the vocabulary."
            if standardise
            else "Switch **standardise dimensions** on to see how much came from a few rogue dimensions."
        )
    )
    show_chart(cached_chart(charts.contributions_chart, top), "dot-product-dimensions", key="dp_dims")
    download_table(top, "dot-product-dimensions.csv", key="dp_dims_csv")
    explain(
        "Some dimensions of a trained model take much larger values than the rest, for almost every "
        "word. Their products swamp the others, so a raw cosine mostly measures agreement on those few "
        "dimensions (Timkey & van Schijndel, 2021). Standardising each dimension, subtracting its mean "
        "over the vocabulary and dividing by its spread, gives every dimension an equal say.",
        r"z_i=\frac{a_i-\mu_i}{\sigma_i}\qquad \text{share}_i=\frac{|a_i b_i|}{\sum_j |a_j b_j|}",
    )


# How a cosine reads, by the angle it gives: within 15° of a right angle the vectors are nearly
# perpendicular (80.9° is not "aligned"), within 45° of each other (or of opposite) they are aligned
# (or opposed), in between they only lean one way.
PERPENDICULAR_WITHIN = 15.0  # degrees either side of 90°
ALIGNED_WITHIN = 45.0  # degrees from 0° (aligned) or from 180° (opposed)
AS_RANDOM_WITHIN = 0.1  # a cosine this close to the random-pairs baseline is "about as close as" them

READINGS = (  # (largest angle, label, sentence), from aligned to opposed
    (ALIGNED_WITHIN, "aligned", "The vectors point roughly the same way ({angle:.0f}° apart): positive "
     "products outweigh negative ones."),
    (90 - PERPENDICULAR_WITHIN, "leaning the same way", "The vectors lean the same way, but {angle:.0f}° "
     "apart they are far from parallel: positive products outweigh negative ones, not by much."),
    (90 + PERPENDICULAR_WITHIN, "nearly perpendicular", "The vectors are nearly at right angles "
     "({angle:.0f}°): positive and negative products almost cancel out."),
    (180 - ALIGNED_WITHIN, "leaning apart", "The vectors lean apart ({angle:.0f}°), far from opposite: "
     "negative products outweigh positive ones, not by much."),
    (180.0, "opposed", "The vectors point in roughly opposite directions ({angle:.0f}° apart): negative "
     "products win."),
)  # fmt: skip


def reading(cos: float | None, baseline: float | None = None, same: bool = False) -> tuple[str, str]:
    """A plain-language reading of a cosine: (label, sentence), from the angle it gives.

    The label says what the angle says (:data:`READINGS`); when a baseline is given the sentence also
    says how the pair compares with random words. ``same``: one entry compared with itself, which
    says nothing about two words.

    >>> [reading(c)[0] for c in (0.99, 0.5, 0.158, -0.5, -0.99)]
    ['aligned', 'leaning the same way', 'nearly perpendicular', 'leaning apart', 'opposed']
    >>> reading(1.0, same=True)[0]
    'the same entry twice'
    """
    if same:
        return "the same entry twice", (
            "A vector compared with itself always has cosine 1 and angle 0. Pick two different entries."
        )
    if cos is None:
        return "undefined", "One vector is all zeros, so it points nowhere and has no angle."
    angle = math.degrees(math.acos(min(1.0, max(-1.0, cos))))
    label, sentence = next((label, text) for largest, label, text in READINGS if angle <= largest)
    sentence = sentence.format(angle=angle)
    if baseline is not None:
        gap = cos - baseline
        verdict = "about as close as"
        if abs(gap) > AS_RANDOM_WITHIN:
            verdict = "closer than" if gap > 0 else "further apart than"
        sentence += (
            f" Random word pairs of this model average a cosine of {baseline:.3f}, so this pair "
            f"({cos:.3f}, {gap:+.3f}) is {verdict} two random words."
        )
    return label, sentence
