"""Two prompts that differ at one token, and what the model itself says after each: shared by the
attribution and patching tests (and the forward pass's resumption test). The model's own modules are
found through what its family's file read (a weight's storage), never by a Hugging Face name."""

from __future__ import annotations

import numpy as np
import pytest
import torch

CLEAN = "The capital of France is"  # The ␣capital ␣of ␣France ␣is: 5 byte-level tokens


CORRUPTED = "The capital of Italy is"  # differs from CLEAN at position 3 only


DIFFERING, AGREEING, LAST = 3, 1, 4


def ids_of(lm, prompt):
    return lm.tokenizer(prompt)["input_ids"]


def model_logits(lm, ids, hooks=()):
    """The model's own last-position logits, with (module, pre-hook) pairs attached for the run."""
    handles = [module.register_forward_pre_hook(hook) for module, hook in hooks]
    try:
        with torch.no_grad():
            return lm.model(torch.tensor([list(ids)])).logits[0, -1].double().numpy()
    finally:
        for handle in handles:
            handle.remove()


@pytest.fixture
def pair(tiny_lm):
    """Two tokens the tiny model separates differently after the clean and the corrupted prompt."""
    clean = model_logits(tiny_lm, ids_of(tiny_lm, CLEAN))
    corrupted = model_logits(tiny_lm, ids_of(tiny_lm, CORRUPTED))
    target = int(np.argmax(clean - corrupted))
    other = int(np.argmin(clean - corrupted))
    return target, other


def module_holding(lm, tensor):
    """The model's module (a linear layer) whose own weight is the tensor ``tensor`` views: the module
    that multiplies by that matrix, whatever the family calls it."""
    storage = tensor.untyped_storage().data_ptr()
    for module in lm.model.modules():
        weight = module._parameters.get("weight")
        if weight is not None and weight.untyped_storage().data_ptr() == storage:
            return module
    raise LookupError("no module holds this weight")


def blocks_of(lm):
    """The model's transformer blocks, in order: the list of as many modules as it has layers."""
    n_layers = lm.model.config.num_hidden_layers
    lists = (m for m in lm.model.base_model.modules() if isinstance(m, torch.nn.ModuleList))
    return next(m for m in lists if len(m) == n_layers)
