"""The computing layer behind the app: models, vectors, projections, the forward pass. No Streamlit.

One public API, ``import geometry as g``: every name in ``__all__`` is ``g.<name>`` (``g.load_encoder``,
``g.word_vectors``, ``g.cosine``, ``g.trace``, ``g.logit_attribution``, …), loaded on first use, so
``import geometry`` itself costs almost nothing (no torch, no transformers). The modules behind
the names may move; the names stay (a test pins them).

Importing it changes nothing global (no environment variable, no torch setting, nothing in Altair):
a notebook that imports ``geometry`` keeps the process it had. The app sets its own (app.py).
"""

from __future__ import annotations

import importlib
from typing import Any

# module -> the public names it gives; g.<name> imports the module on first use
_PUBLIC: dict[str, tuple[str, ...]] = {
    "geometry.models": (
        "LoadedModel", "ModelUnavailable", "load_causal_lm", "load_encoder", "load_model", "model_sources",
        "network", "wrap",
    ),
    "geometry.tokens": ("display_tokens", "whole_word_vocabulary", "word_tokens"),
    "geometry.vectors": (
        "angle_degrees", "cosine", "cosine_matrix", "dot", "norm", "project_onto", "scalar_projection",
        "unit", "word_vectors",
    ),
    "geometry.similarity": (
        "analogy", "analogy_answers", "nearest", "pair_scores", "pairwise", "rank", "vocabulary_matrix",
    ),
    "geometry.wordsets": ("preset_words",),
    "geometry.projection": (
        "axes_cosine", "axis_direction", "custom_projection", "neighbour_comparison", "parse_axis", "project",
        "projection_frame", "seed_stability", "trustworthiness",
    ),
    "geometry.uploads": ("read_vectors",),
    "geometry.context": (
        "find_occurrences", "occurrence_context", "occurrence_vectors", "reference_statistics",
        "self_similarity", "sense_similarity",
    ),
    "geometry.trace": (
        "Intervention", "Trace", "generate", "lens_table", "logit_lens", "next_tokens", "trace",
    ),
    "geometry.transformer.registry": ("FAMILIES", "architecture_of"),
    "geometry.forward": ("run", "weights_of"),
    "geometry.counting": ("operation_counts",),
    "geometry.sampling": ("Decoding", "next_token_probs"),
    "geometry.attribution": ("logit_attribution", "patch_heads", "patch_residual"),
    "geometry.neurons": ("neuron_contexts", "neuron_vocabulary", "reference_activations"),
    "geometry.learning": (
        "embedding_gradients", "parameter_counts", "prediction_table", "step_multiply_adds", "train_steps",
    ),
}  # fmt: skip
_HOME = {name: module for module, names in _PUBLIC.items() for name in names}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    """``geometry.<name>``: the public function or class, imported from its module on first use."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'geometry' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
