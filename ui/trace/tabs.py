"""The tabs of the "Inside the model" page (lessons/trace.py), in order: one module each, drawn by
``view(lm, trace)``.

Each tab module draws its controls (keys prefixed ``tr_`` and bound to the URL), its chart, the table of
the numbers on screen with a CSV download and a short explanation; the tables come from
geometry.transformer.tables. Adding a tab is one line in ``REGISTRY``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from geometry.models.handle import LoadedModel
from geometry.transformer.trace import Trace
from ui.trace import (
    architectures,
    attention,
    cost,
    experiments,
    generate,
    heads,
    mlp,
    next_token,
    residual,
    sampling_lab,
    whole_model,
    why,
)


@dataclass(frozen=True)
class Tab:
    """One tab: its name (also its value in the URL), what draws it, and whether it needs logits."""

    name: str
    view: Callable[[LoadedModel, Trace], None]
    needs_logits: bool = False  # a next-token tab: an encoder shows one line saying why instead


REGISTRY = (
    Tab("Attention", attention.view),
    Tab("All heads", heads.view),
    Tab("Residual stream", residual.view),
    Tab("MLP neurons", mlp.view),
    Tab("Whole model", whole_model.view),
    Tab("Next token", next_token.view, needs_logits=True),
    Tab("Why this token", why.view, needs_logits=True),
    Tab("Generate", generate.view, needs_logits=True),
    Tab("Sampling lab", sampling_lab.view, needs_logits=True),
    Tab("Cost", cost.view),
    Tab("Experiments", experiments.view),
    Tab("Architectures", architectures.view),
)
TABS = tuple(tab.name for tab in REGISTRY)
