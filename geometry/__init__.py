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
    "geometry.models.loading": (
        "ModelUnavailable", "load_causal_lm", "load_encoder", "load_model", "model_sources",
    ),
    "geometry.models.handle": ("LoadedModel", "network", "wrap"),
    "geometry.words.tokens": ("display_tokens", "whole_word_vocabulary", "word_tokens"),
    "geometry.words.vectors": (
        "angle_degrees", "cosine", "cosine_matrix", "dot", "norm", "project_onto", "scalar_projection",
        "unit", "word_vectors",
    ),
    "geometry.words.similarity": (
        "analogy", "analogy_answers", "nearest", "pair_scores", "pairwise", "rank", "vocabulary_matrix",
    ),
    "geometry.words.wordsets": ("preset_words",),
    "geometry.projection.methods": ("project", "trustworthiness"),
    "geometry.projection.faithfulness": ("neighbour_comparison", "seed_stability"),
    "geometry.projection.axes": ("axis_direction", "custom_projection", "parse_axis"),
    "geometry.projection.maps": ("projection_frame",),
    "geometry.projection.uploads": ("read_vectors",),
    "geometry.context.occurrences": (
        "find_occurrences", "occurrence_vectors", "reference_statistics", "self_similarity",
        "sense_similarity",
    ),
    "geometry.context.attention": ("occurrence_context",),
    "geometry.transformer.registry": ("FAMILIES", "architecture_of"),
    "geometry.transformer.forward": ("Intervention", "run", "weights_of"),
    "geometry.transformer.trace": ("Trace", "trace"),
    "geometry.transformer.readings": ("next_tokens",),
    "geometry.transformer.generation": ("generate",),
    "geometry.transformer.counting": ("operation_counts",),
    "geometry.transformer.sampling": ("Decoding", "next_token_probs"),
    "geometry.interpret.lens": ("lens_table", "logit_lens"),
    "geometry.interpret.attribution": ("logit_attribution",),
    "geometry.interpret.patching": ("patch_heads", "patch_residual"),
    "geometry.interpret.neurons": ("neuron_contexts", "neuron_vocabulary", "reference_activations"),
    "geometry.learning.gradients": ("embedding_gradients", "prediction_table"),
    "geometry.learning.training": ("train_steps",),
    "geometry.learning.cost": ("parameter_counts", "step_multiply_adds"),
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
