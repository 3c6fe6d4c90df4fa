"""One pair of vectors step by step, and which dimensions dominate their dot product."""

from __future__ import annotations

import numpy as np
import streamlit as st

from geometry.charts import dot_products as charts
from geometry.words import handmade, similarity
from geometry.words.similarity import NEAR_ZERO
from geometry.words.wordlists import keep_pair
from ui.dot_products.controls import plain
from ui.page.charts import cached_chart, show_chart, show_wide_and_narrow
from ui.page.frames import wide_and_narrow
from ui.page.layout import download_table, explain, metric_row

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
    state = st.session_state
    # a new list keeps the entries still in it and fills the others with different entries
    state["dp_a"], state["dp_b"] = keep_pair(names, state.get("dp_a"), state.get("dp_b"))
    # index=None: no fixed default, so a URL can ask for any entry (a default is never written there)
    left, right = st.columns(2)
    name_a = left.selectbox("First", names, index=None, key="dp_a", bind="query-params") or names[0]
    name_b = right.selectbox("Second", names, index=None, key="dp_b", bind="query-params") or names[1]
    return names.index(name_a), names.index(name_b)


def _metrics(summary: similarity.PairSummary, name_a: str, name_b: str, base: float | None) -> None:
    row = metric_row()
    row.metric("dot product a·b", f"{summary.dot:.4g}", width="content")
    row.metric(f"|{name_a}|", f"{summary.norm_a:.4g}", width="content")
    row.metric(f"|{name_b}|", f"{summary.norm_b:.4g}", width="content")
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
        st.dataframe(handmade.multiplication_table(a, b, name_a, name_b), hide_index=True, width="stretch")
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
        f"multiplying (the sum of |a_i b_i|) in {plain(names[i])} · {plain(names[j])}, "
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


def reading(cos: float | None, baseline: float | None = None, same: bool = False) -> tuple[str, str]:
    """A plain-language reading of a cosine: (label, sentence).

    The label comes from the sign ("aligned", "unrelated" for |cos| < 0.1, "opposed"); when a
    baseline is given the sentence also says how the pair compares with random words. ``same``:
    one entry compared with itself, which says nothing about two words.

    >>> reading(0.99)[0], reading(0.02)[0], reading(-0.5)[0], reading(1.0, same=True)[0]
    ('aligned', 'unrelated', 'opposed', 'the same entry twice')
    """
    if same:
        return "the same entry twice", (
            "A vector compared with itself always has cosine 1 and angle 0. Pick two different entries."
        )
    if cos is None:
        return "undefined", "One vector is all zeros, so it points nowhere and has no angle."
    if cos >= NEAR_ZERO:
        label = "aligned"
        sentence = "The vectors point roughly the same way: positive products outweigh negative ones."
    elif cos <= -NEAR_ZERO:
        label = "opposed"
        sentence = "The vectors point in roughly opposite directions: negative products win."
    else:
        label = "unrelated"
        sentence = "The vectors are nearly at right angles: the products cancel out."
    if baseline is not None:
        gap = cos - baseline
        verdict = "about as close as"
        if abs(gap) > NEAR_ZERO:
            verdict = "closer than" if gap > 0 else "further apart than"
        sentence += (
            f" Random word pairs of this model average a cosine of {baseline:.3f}, so this pair "
            f"({cos:.3f}, {gap:+.3f}) is {verdict} two random words."
        )
    return label, sentence
