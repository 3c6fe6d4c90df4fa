"""The learning page: one backward pass per text and training runs, both in the heavy line."""

from __future__ import annotations

from geometry.learning import gradients as learning
from geometry.learning import training
from geometry.models.handle import LoadedModel
from ui.server.line import computed_in_turn, computed_together


def gradient_tables(lm: LoadedModel, text: str) -> learning.GradientTables:
    """Everything sections 1, 2 and 4 of the learning page show about one text, from one backward pass.

    Computed once per (model, text) for the whole server. Students waiting in line are served
    together: one batched pass for up to eight texts costs about what one text does.
    """

    def compute_many(texts: list[str]) -> list:
        return [
            found if isinstance(found, ValueError) else learning.gradient_tables(lm, found)
            for found in learning.embedding_gradients_many(lm, texts)
        ]

    key = ("gradients", lm.name, text)
    return computed_together(
        f"gradients {lm.name}", key, text, compute_many, "One forward and one backward pass"
    )


def training_run(lm: LoadedModel, text: str, steps: int, lr: float, optimizer: str) -> training.TrainingRun:
    """A training run on a private copy, once per settings for the whole server, one copy at a time."""
    return computed_in_turn(
        ("training", lm.name, text, steps, lr, optimizer),
        lambda: training.train_steps(lm, text, steps, lr, optimizer),  # the copy is released inside
        "Copying the model and training the copy",
        release=True,
    )
