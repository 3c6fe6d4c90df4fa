"""Does the picture depend on the seed? The same map drawn again with other seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from geometry.charts import projections as charts
from geometry.projection import maps
from geometry.projection import methods as pj
from ui.cache import projections as cache
from ui.page.charts import cached_chart, show_chart
from ui.page.layout import friendly_errors
from ui.projections.controls import Settings
from ui.projections.maps import QUIET


def stability_view(source, frame: pd.DataFrame, vectors: np.ndarray, settings: Settings, many: bool) -> None:
    """A switch, then the disparity, the shared neighbours and the maps side by side."""
    if settings.method in ("pca", "custom"):
        name = pj.METHOD_NAMES[settings.method]
        st.caption(
            f"{name} has no randomness: every seed gives the same map, so there is nothing to compare."
        )
        return
    if len(frame) > cache.STABILITY_MAX_POINTS:
        st.caption(
            f"Seed comparison is offered up to {cache.STABILITY_MAX_POINTS:,} points: three more maps of "
            f"{len(frame):,} would take minutes."
        )
        return
    if settings.method == "tsne":
        st.caption(
            "scikit-learn's t-SNE starts from the PCA map, so here the seed changes little or nothing."
        )
    if not st.toggle(
        f"Compare {cache.STABILITY_RUNS} seeds", key="pj_stability", bind="query-params",
        help="Draws the same words again with seeds "
        f"{settings.seed}…{settings.seed + cache.STABILITY_RUNS - 1}; slow for thousands of words.",
    ):  # fmt: skip
        return
    with friendly_errors():
        result = cache.stability(
            source, settings.method, settings.dims, settings.seed, settings.params, settings.k, vectors
        )
        left, right = st.columns(2)
        left.metric("Mean Procrustes disparity", f"{result.disparity:.3f}", "0 = same picture", **QUIET)
        right.metric("Shared map neighbours", f"{result.neighbour_overlap:.0%}", f"k = {settings.k}", **QUIET)
        seeds = maps.seed_maps_frame(frame, result)
        categories = list(dict.fromkeys(frame["category"]))
        show_chart(
            cached_chart(charts.seed_maps_chart, seeds, categories, many=many), "seed_maps", key="pj_seeds"
        )
        st.caption("Each map is shifted, scaled and turned to match the first, so only real changes remain.")
