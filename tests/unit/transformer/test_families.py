"""Every registered family, on its own file's tiny random configuration: the trace is the model's
own forward pass, and the family's declarations are what the model is.

The tests take ``tiny_family`` (every family) or ``tiny_lm`` (every family with a vocabulary head),
both generated from the registry: a new family's file brings its tests with it. Attribution and
patching run on every causal family in tests/unit/test_attribution.py the same way.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from geometry.models.handle import network
from geometry.transformer import forward
from geometry.transformer.family import STANDARD_REFUSALS
from geometry.transformer.layout import PARALLEL, RMS_NORM_PLUS_ONE, SQRT_D
from geometry.transformer.registry import FAMILIES, architecture_of, family_of
from geometry.transformer.trace import trace
from geometry.transformer.weights import Norm
from geometry.words import tokens

PROMPT = "the dog that chased the cat was"


def own_pass(lm, ids):
    """The model's own forward pass (transformers), with attentions and hidden states."""
    with torch.no_grad():
        return network(lm)(torch.tensor([list(ids)]), output_attentions=True, output_hidden_states=True)


def test_the_trace_is_the_models_own_pass(tiny_family):
    t = trace(tiny_family, PROMPT)
    out = own_pass(tiny_family, t.token_ids)
    attention = np.stack([a[0].numpy() for a in out.attentions])  # (L, H, T, T)
    assert t.attention.shape == attention.shape
    assert np.abs(t.attention - attention).max() <= 1e-4
    if t.predicts_tokens:
        assert np.abs(t.activations["logits"] - out.logits[0].numpy()).max() <= 1e-3
    else:
        final = t.activations[f"blocks.{t.architecture.n_layers - 1}.resid_post"]
        assert np.abs(final - out.last_hidden_state[0].numpy()).max() <= 1e-4


def test_the_family_declares_what_the_model_is(tiny_family):
    model = network(tiny_family)
    family = family_of(model)
    assert tiny_family.name == f"tiny-{family.name}"
    assert architecture_of(model).layout == family.layout
    assert tokens.word_boundary(tiny_family) in family.word_boundaries
    weights = forward.weights_of(model)
    assert len(weights.layers) == model.config.num_hidden_layers
    assert (weights.W_U is not None) == family.layout.vocabulary_head


def test_every_family_has_a_title_model_types_and_a_tiny_configuration():
    for family in FAMILIES.values():
        assert family.title and family.model_types and family.word_boundaries
        assert family.tiny.tokenizer in family.word_boundaries


def test_a_feature_the_pass_does_not_compute_is_refused_by_name(tiny_llama, monkeypatch):
    family = family_of(tiny_llama.model)
    parallel = dataclasses.replace(family, layout=dataclasses.replace(family.layout, residual=PARALLEL))
    monkeypatch.setitem(FAMILIES, family.name, parallel)
    with pytest.raises(ValueError, match="cannot follow attention and MLP side by side"):
        forward.weights_of(tiny_llama.model)


@pytest.mark.parametrize("refusal", STANDARD_REFUSALS)
def test_a_model_using_a_refused_feature_gets_a_sentence_naming_it(refusal, tiny_gpt2, monkeypatch):
    family = family_of(tiny_gpt2.model)
    always = dataclasses.replace(refusal, applies=lambda config: True)
    monkeypatch.setitem(FAMILIES, family.name, dataclasses.replace(family, refusals=(always,)))
    with pytest.raises(ValueError, match=f"cannot follow {refusal.feature}"):
        trace(tiny_gpt2, PROMPT)


def test_a_gain_learned_as_an_offset_from_one_is_applied(tiny_llama):
    """Gemma's RMSNorm scales by (1 + w): the same norm as RMSNorm with the weight plus one."""
    weights = forward.weights_of(tiny_llama.model)
    offset = dataclasses.replace(weights.layout, norm=RMS_NORM_PLUS_ONE)
    plus_one = dataclasses.replace(
        weights, architecture=dataclasses.replace(weights.architecture, layout=offset)
    )
    x, norm = torch.randn(3, weights.architecture.d_model), weights.layers[0].ln1
    expected = forward.normalize(x, Norm(norm.w + 1.0, None), weights)
    torch.testing.assert_close(forward.normalize(x, norm, plus_one), expected)


def test_an_embedding_scaled_by_root_d(tiny_llama):
    weights = forward.weights_of(tiny_llama.model)
    scaled_layout = dataclasses.replace(weights.layout, embedding_scale=SQRT_D)
    scaled = dataclasses.replace(
        weights, architecture=dataclasses.replace(weights.architecture, layout=scaled_layout)
    )
    ids = torch.tensor([1, 2, 3])
    d = weights.architecture.d_model
    torch.testing.assert_close(forward.embeddings(scaled, ids)["embed"], weights.W_E[ids] * d**0.5)
