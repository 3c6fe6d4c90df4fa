"""The families the trace understands, found in the files of ``geometry/transformer/families/``.

Each module there declares one ``FAMILY`` (a :class:`~geometry.transformer.family.Family`); the
registry imports every module of the folder and keys the families by name. Nothing else lists
them: adding a family is adding its file.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from geometry.transformer import families
from geometry.transformer.architecture import Architecture, config_sizes, parameter_count
from geometry.transformer.family import Family, WordBoundary


def _discovered() -> dict[str, Family]:
    found = {}
    for module in sorted(pkgutil.iter_modules(families.__path__), key=lambda m: m.name):
        family = getattr(importlib.import_module(f"{families.__name__}.{module.name}"), "FAMILY", None)
        if isinstance(family, Family):
            found[family.name] = family
    return found


FAMILIES: dict[str, Family] = _discovered()


def understood() -> str:
    """The families' titles in a phrase: "BERT, GPT-2, Llama and Qwen2"."""
    titles = [family.title for family in FAMILIES.values()]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]


def family_of(model: Any) -> Family:
    """The declared family of a transformers model.

    ValueError (one sentence for the user) for a model no family reads, or one using a feature
    its family refuses (sliding-window attention, soft-capping, …).
    """
    config = model.config
    model_type = getattr(config, "model_type", "")
    for family in FAMILIES.values():
        if model_type in family.model_types:
            for refusal in family.refusals:
                if refusal.applies(config):
                    raise ValueError(refusal.sentence(model_type))
            return family
    raise ValueError(f"The step-by-step trace understands {understood()} models, not {model_type!r}.")


def architecture_of(model: Any) -> Architecture:
    """The architecture of a transformers model of a registered family, from its config and weights."""
    family = family_of(model)
    sizes = (family.sizes or config_sizes)(model.config)
    embedding = model.get_input_embeddings().weight  # (vocab, d)
    head = model.get_output_embeddings() if family.layout.vocabulary_head else None
    return Architecture(
        family=family.name,
        title=family.title,
        **sizes,
        vocab_size=int(embedding.shape[0]),
        layout=family.layout,
        tied_embeddings=head is not None and head.weight.data_ptr() == embedding.data_ptr(),
        n_parameters=parameter_count(model),
    )


def word_boundaries(model: Any | None) -> tuple[WordBoundary, ...]:
    """The word boundaries ``model``'s family declares; every family's when the model is None or of
    no registered family (a tokenizer on its own, a model the trace does not read)."""
    if model is not None:
        model_type = getattr(getattr(model, "config", None), "model_type", None)
        for family in FAMILIES.values():
            if model_type in family.model_types:
                return family.word_boundaries
    return tuple(dict.fromkeys(b for family in FAMILIES.values() for b in family.word_boundaries))
