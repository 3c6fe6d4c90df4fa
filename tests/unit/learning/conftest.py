"""A short training text, every causal family's tiny model, and a check that a model was left as it was."""

from __future__ import annotations

import pytest
import torch

from tests.conftest import CAUSAL_FAMILIES

TEXT = "the dog ran to the park"


@pytest.fixture(params=CAUSAL_FAMILIES)
def tiny(request):
    """Each causal family's tiny random model in turn (generated from the registry)."""
    return request.getfixturevalue(request.param)


def snapshot(model) -> dict[str, torch.Tensor]:
    return {name: tensor.clone() for name, tensor in model.state_dict().items()}


def assert_unchanged(model, before: dict[str, torch.Tensor]) -> None:
    after = model.state_dict()
    assert before.keys() == after.keys()
    for name, tensor in before.items():
        assert torch.equal(tensor, after[name]), name
    assert not any(p.requires_grad for p in model.parameters())
    assert not model.training
