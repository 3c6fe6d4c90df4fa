"""The catalogue (geometry/models/catalogue.py): every family's example model is offered, and the
list a page may load all at once stays light."""

from __future__ import annotations

from geometry.models import catalogue
from geometry.transformer.registry import FAMILIES


def test_every_familys_example_is_offered_by_the_pickers():
    hub_ids = {spec.hub_id: name for name, spec in catalogue.MODELS.items()}
    for family in FAMILIES.values():
        if family.example_model:
            name = hub_ids[family.example_model]
            choices = (
                catalogue.CAUSAL_LM_CHOICES if family.layout.vocabulary_head else catalogue.TRACE_CHOICES
            )
            assert name in choices and name in catalogue.TRACE_CHOICES


def test_the_examples_loaded_together_are_light_and_declared():
    """The Architectures tab loads every name in FAMILY_EXAMPLES beside the default models."""
    assert catalogue.FAMILY_EXAMPLES
    for name in catalogue.FAMILY_EXAMPLES:
        assert 0 < catalogue.MODELS[name].weights <= catalogue.LIGHT_WEIGHTS
    declared = [
        f for f in FAMILIES.values() if f.example_model and f.example_model not in _packaged_hub_ids()
    ]
    heavy = {f.example_model for f in declared if f.example_weights > catalogue.LIGHT_WEIGHTS}
    assert not heavy & {catalogue.MODELS[name].hub_id for name in catalogue.FAMILY_EXAMPLES}


def _packaged_hub_ids() -> set[str]:
    return {spec.hub_id for spec in catalogue.MODELS.values() if spec.packaged is not None}
