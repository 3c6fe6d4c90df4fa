"""3. A few optimizer steps on a private copy of the model, and how far the rows moved."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from geometry.charts import learning as charts
from geometry.learning import training as learning
from ui.page.charts import cached_chart, show_chart
from ui.page.dependent import dependent
from ui.page.layout import download_table, metric_row, more_controls
from ui.page.safety import safe_tokens
from ui.page.tables import show_table

LEARNING_RATES = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1]
ZOOMS = [1, 10, 100, 1000]


@dataclass(frozen=True)
class Training:
    """The training controls: whether to train now, and how."""

    train: bool
    optimizer: str
    steps: int
    lr: float


def training_ui() -> Training:
    """The heading, the optimizer, steps and learning rate (folded in presenter mode), the switch."""
    st.header("3. A few steps on a private copy")
    with more_controls("Training controls"):
        left, middle, right = st.columns(3)
        optimizer = left.radio(
            "Optimizer", ["sgd", "adam"], key="ln_optimizer", bind="query-params", horizontal=True
        )
        steps = middle.slider("Steps", 1, learning.MAX_STEPS, 5, key="ln_steps", bind="query-params")
        lr = right.select_slider("Learning rate", LEARNING_RATES, 1e-3, key="ln_lr", bind="query-params")
    st.caption("Plain SGD learns steadily near 1e-3 here and overshoots from 1e-2; Adam wants about 1e-4.")
    train = st.toggle(
        "Train a private copy now",
        key="ln_train",
        bind="query-params",
        help="Copies the model (~0.5 GB) first.",
    )
    return Training(train, optimizer, int(steps), float(lr))


def losses_view(curve: pd.DataFrame) -> None:
    """The loss before and after (geometry.learning.loss_table), and its curve."""
    if not np.isfinite(curve["loss"]).all() or curve["loss"].iloc[-1] > curve["loss"].iloc[0]:
        st.warning("The loss went up: the steps overshot. Try a smaller learning rate.", icon="⚠️")
    row = metric_row()
    row.metric("Loss before", f"{curve['loss'].iloc[0]:.3f}", width="content")
    row.metric(
        "Loss after",
        f"{curve['loss'].iloc[-1]:.3f}",
        f"{curve['loss'].iloc[-1] - curve['loss'].iloc[0]:+.3f}",
        delta_color="inverse",  # a falling loss is good news
        width="content",
    )
    show_chart(cached_chart(charts.loss_curve_chart, curve), "learning_loss_curve", key="ln_curve")


def shifts_view(run: learning.TrainingRun, shifts: pd.DataFrame) -> None:
    """How many rows moved, and how far every row moved (geometry.learning.shift_histogram)."""
    st.markdown(
        f"**{run.moved_rows:,}** of {len(run.row_shift):,} embedding rows moved. With SGD the rows "
        "of the text move far and the rest only by the output path's tiny gradient; Adam divides "
        "each number's step by its own typical gradient size, so even rows with a tiny gradient "
        "take a full step."
    )
    chart = cached_chart(
        charts.log_histogram_chart, shifts, "rows", "log10 of how far a row moved", "How far every row moved"
    )
    show_chart(chart, "learning_row_shift", key="ln_shift")


def zoom_ui() -> int:
    return st.select_slider("Magnify the movement", ZOOMS, 100, key="ln_zoom", bind="query-params")


def movement_view(movement: pd.DataFrame, zoom: int, d_model: int) -> None:
    """The text's token vectors before and after, magnified (geometry.learning.movement_table)."""
    show_chart(cached_chart(charts.token_movement_chart, movement, zoom), "learning_movement", key="ln_move")
    st.caption(
        f"In the full {d_model}-dimensional space each vector moved between "
        f"{movement['shift'].min():.3g} and {movement['shift'].max():.3g} "
        f"({movement['relative_shift'].min():.2%} to "
        f"{movement['relative_shift'].max():.2%} of its length). "
        "The flat view shows only the part of each move that lies in its plane."
    )


def token_ui(run: learning.TrainingRun) -> int:
    """The token whose neighbours are compared: its row id (the first token's when none is chosen)."""
    token = dependent(
        st.selectbox, "Nearest neighbours of", run.tokens, key="ln_token", default=run.tokens[0]
    )
    return int(run.rows[run.tokens.index(token)])


def neighbours_view(run: learning.TrainingRun, neighbours: pd.DataFrame, curve: pd.DataFrame) -> None:
    """The token's neighbours before and after (geometry.learning.neighbour_comparison), downloads."""
    show_table(safe_tokens(neighbours, "before", "after"))
    download_table(curve, "learning_loss_curve.csv", key="ln_csv_curve", label="Download loss curve (CSV)")
    download_table(
        run.neighbours, "learning_neighbours.csv", key="ln_csv_nb", label="Download neighbours (CSV)"
    )
