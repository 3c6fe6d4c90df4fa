"""The sections of the Learning page: the loss, the two gradient paths, training a copy, the cost.

Each ``*_section`` draws one numbered part of lessons/learning.py from plain values (tables
computed once per text by :func:`gradient_tables`); widget keys start with ``ln_`` and are
bound to the URL.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from geometry import charts, learning
from ui.heavy import computed_in_turn, computed_together
from ui.page import (
    cached_chart,
    counts_config,
    download_table,
    explain,
    friendly_errors,
    glossary,
    metric_row,
    more_controls,
    safe_tokens,
    show_chart,
)

PRESETS = {
    "The dog ran": "The dog ran to the park.",
    "The cat sat": "The cat sat on the mat.",
    "Gravity and mass": "Gravity pulls every mass toward every other mass.",
    "Joy and happiness": "Her joy slowly turned into happiness.",
    "Your own text": "",
}
CUSTOM = "Your own text"
LEARNING_RATES = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1]
ZOOMS = [1, 10, 100, 1000]
GLOSSARY_TERMS = (
    "loss",
    "softmax",
    "gradient",
    "backpropagation",
    "tied embeddings",
    "sparse update",
    "embedding matrix",
    "learning rate",
    "SGD",
    "Adam",
    "PCA",
    "nearest neighbours",
    "parameter",
    "multiply-add",
)


def apply_preset() -> None:
    """on_change of the preset box: put the preset's text in the text box."""
    if st.session_state.ln_preset != CUSTOM:
        st.session_state.ln_text = PRESETS[st.session_state.ln_preset]


def mark_custom() -> None:
    """on_change of the text box: an edited text is no longer a preset."""
    if st.session_state.ln_text != PRESETS.get(st.session_state.ln_preset):
        st.session_state.ln_preset = CUSTOM


def gradient_tables(lm, model_name: str, text: str) -> dict:
    """Everything sections 1, 2 and 4 show about one text, from one backward pass (no arrays kept).

    Computed once per (model, text) for the whole server. Students waiting in line are served
    together: one batched pass for up to eight texts costs about what one text does.
    """

    def tables(grads: learning.EmbeddingGradients) -> dict:
        return {
            "loss": grads.loss,
            "tied": grads.tied,
            "summary": learning.path_summary(grads),
            "predictions": learning.prediction_table(grads),
            "positions": learning.position_table(grads),
            "paths": learning.path_norms(grads),
            "histogram": learning.row_norm_histogram(grads),
            "pushed": learning.top_output_rows(lm, grads),
        }

    def compute_many(texts: list[str]) -> list:
        return [
            found if isinstance(found, ValueError) else tables(found)
            for found in learning.embedding_gradients_many(lm, texts)
        ]

    return computed_together(
        f"gradients {model_name}",
        ("gradients", model_name, text),
        text,
        compute_many,
        "One forward and one backward pass",
    )


def training_run(lm, model_name: str, text: str, steps: int, lr: float, optimizer: str):
    """A training run on a private copy, once per settings for the whole server, one copy at a time."""
    return computed_in_turn(
        ("training", model_name, text, steps, lr, optimizer),
        lambda: learning.train_steps(lm, text, steps, lr, optimizer),  # the copy is released inside
        "Copying the model and training the copy",
        release=True,
    )


def loss_section(tables: dict) -> None:
    """1. The mean loss and the probability of each true next token."""
    loss = tables["loss"]
    row = metric_row()
    row.metric("Mean loss (nats)", f"{loss:.3f}", width="content")
    row.metric(
        "Typical probability of the true next token",
        f"{np.exp(-loss):.3g}",
        help="exp(-mean loss)",
        width="content",
    )
    st.markdown(
        "At each position the model gives every vocabulary token a probability. The **loss** there is "
        "**-ln p(true next token)**: 0 when the model was sure and right, about 0.69 at p = 0.5, "
        "about 6.9 at p = 0.001. Training lowers the mean of these numbers."
    )
    show_chart(
        cached_chart(charts.true_next_loss_chart, tables["predictions"]), "learning_loss", key="ln_loss"
    )


def gradient_section(model_name: str, tables: dict) -> None:
    """2. How the gradient reaches the embedding matrix through the input and the output path."""
    summary = tables["summary"]
    st.header("2. One backward pass: two paths into the embedding matrix")
    row = metric_row()
    row.metric("Vocabulary rows", f"{summary.vocab:,}", width="content")
    row.metric("Rows hit by the input lookup", f"{summary.input_rows:,}", width="content")
    row.metric("Rows hit by the output projection", f"{summary.output_rows:,}", width="content")
    if tables["tied"]:
        st.markdown(
            f"{model_name} uses **one matrix twice** (tied embeddings): as the input lookup that turns "
            "each token into its first vector, and as the output projection that scores the final "
            "vector against every token. The gradient arrives by both paths and adds up.\n\n"
            f"- **Input lookup**: only the {summary.input_rows} rows of tokens the model read get any "
            "gradient: a sparse update. The last token gets none through this path "
            "unless it also occurs earlier, because nothing after it is predicted.\n"
            f"- **Output projection**: {summary.output_rows:,} rows get some gradient, because softmax "
            "gives every token a share of probability: the true next token's row is pulled towards the "
            "context vector, every other row pushed away in proportion to its share. A common "
            "explanation says only the rows of the tokens in the batch change: that holds for the input "
            "path only.\n\n"
            f"By size, {summary.input_share:.0%} of the squared gradient comes through the input lookup "
            f"and {summary.output_share:.0%} through the output projection."
        )
    else:
        st.markdown(
            f"{model_name} has a separate output matrix, so its embedding matrix gets only the sparse "
            "input-lookup gradient; the output-projection numbers below belong to the other matrix."
        )
    show_chart(
        cached_chart(charts.gradient_paths_chart, tables["paths"]), "learning_gradient_paths", key="ln_paths"
    )
    show_chart(
        cached_chart(
            charts.log_histogram_chart,
            tables["histogram"],
            "path",
            "log10 of a row's gradient norm",
            "Every vocabulary row, by path",
        ),
        "learning_gradient_histogram",
        key="ln_hist",
    )
    st.markdown("Rows outside the text that the output path pushes hardest (the model expected them):")
    st.dataframe(safe_tokens(tables["pushed"], "token"), hide_index=True)
    download_table(tables["positions"], "learning_loss_and_gradients.csv", key="ln_csv_positions")


def training_section(lm, model_name: str, text: str, tables: dict | None) -> None:
    """3. A few optimizer steps on a private copy of the model, and how far the rows moved."""
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
    if train and tables is not None:
        with friendly_errors():
            run = training_run(lm, model_name, text, int(steps), float(lr), optimizer)
            curve = learning.loss_table(run)
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
            st.markdown(
                f"**{run.moved_rows:,}** of {len(run.row_shift):,} embedding rows moved. With SGD the rows "
                "of the text move far and the rest only by the output path's tiny gradient; Adam divides "
                "each number's step by its own typical gradient size, so even rows with a tiny gradient "
                "take a full step."
            )
            show_chart(
                cached_chart(
                    charts.log_histogram_chart,
                    learning.shift_histogram(run),
                    "rows",
                    "log10 of how far a row moved",
                    "How far every row moved",
                ),
                "learning_row_shift",
                key="ln_shift",
            )
            zoom = st.select_slider("Magnify the movement", ZOOMS, 100, key="ln_zoom", bind="query-params")
            movement = learning.movement_table(run, zoom)
            show_chart(
                cached_chart(charts.token_movement_chart, movement, zoom), "learning_movement", key="ln_move"
            )
            st.caption(
                f"In the full {lm.d_model}-dimensional space each vector moved between "
                f"{movement['shift'].min():.3g} and {movement['shift'].max():.3g} "
                f"({movement['relative_shift'].min():.2%} to "
                f"{movement['relative_shift'].max():.2%} of its length). "
                "The flat view shows only the part of each move that lies in its plane."
            )
            token = st.selectbox("Nearest neighbours of", run.tokens, key="ln_token", bind="query-params")
            token_id = int(run.rows[run.tokens.index(token)]) if token in run.tokens else int(run.rows[0])
            neighbours = learning.neighbour_comparison(run, token_id)
            st.dataframe(safe_tokens(neighbours, "before", "after"), hide_index=True)
            download_table(
                curve, "learning_loss_curve.csv", key="ln_csv_curve", label="Download loss curve (CSV)"
            )
            download_table(
                run.neighbours, "learning_neighbours.csv", key="ln_csv_nb", label="Download neighbours (CSV)"
            )


def cost_section(lm, tables: dict | None) -> None:
    """4. Parameter counts and the multiply-adds of one training step."""
    st.header("4. What one step costs")
    counts = learning.parameter_counts(lm)
    show_chart(cached_chart(charts.parameter_chart, counts), "learning_parameters", key="ln_params")
    st.dataframe(counts, hide_index=True, column_config=counts_config(counts))
    n_tokens = len(tables["positions"]) if tables is not None else learning.MAX_TEXT_TOKENS
    st.markdown(learning.cost_sentences(lm, n_tokens))
    download_table(
        counts, "learning_parameters.csv", key="ln_csv_params", label="Download parameter counts (CSV)"
    )


def footer() -> None:
    """The whole page in one paragraph and a formula, then the glossary."""
    explain(
        "The loss averages -ln p over every position that has a true next token. One backward pass gives "
        "the gradient of every weight. For the embedding matrix it has two parts: rows read by the input "
        "lookup (only the text's tokens) and every row scored by the output projection, weighted by how much "
        "probability the model gave it minus 1 for the true token. An SGD step moves each weight by "
        "-η × gradient; Adam divides by a running size of the gradient first.",
        r"L = -\frac{1}{T-1}\sum_{t=1}^{T-1}\ln p(x_{t+1}\mid x_{\le t}),\qquad "
        r"\frac{\partial L}{\partial E_v}\Big|_{\text{out}} = "
        r"\frac{1}{T-1}\sum_t \big(p_t(v) - [v = x_{t+1}]\big)\,h_t,"
        r"\qquad E \leftarrow E - \eta\,\nabla_E L",
    )
    glossary(*GLOSSARY_TERMS)
