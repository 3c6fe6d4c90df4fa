"""Every registered family, on its own file's tiny random configuration: the trace is the model's
own forward pass, and the family's declarations are what the model is.

The tests take ``tiny_family`` (every family) or ``tiny_lm`` (every family with a vocabulary head),
both generated from the registry: a new family's file brings its tests with it. Attribution and
patching run on every causal family in tests/unit/test_attribution.py the same way.
"""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from geometry.models.handle import network
from geometry.transformer import forward
from geometry.transformer.family import STANDARD_REFUSALS
from geometry.transformer.layout import PARALLEL, POST_NORM
from geometry.transformer.registry import FAMILIES, architecture_of, family_of
from geometry.transformer.trace import trace
from geometry.words import tokens
from tests.conftest import TOKENIZER_FIXTURES

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
    layout = dataclasses.replace(family.layout, residual=PARALLEL, placement=POST_NORM)
    monkeypatch.setitem(FAMILIES, family.name, dataclasses.replace(family, layout=layout))
    with pytest.raises(ValueError, match="cannot follow attention and MLP side by side in a post-norm block"):
        forward.weights_of(tiny_llama.model)


REFUSED = [
    pytest.param(family, refusal, make, id=f"{family.name}: {refusal.feature}")
    for family in FAMILIES.values()
    for refusal, make in family.tiny.refused
]


@pytest.mark.parametrize(("family", "refusal", "make"), REFUSED)
def test_a_config_using_a_feature_the_trace_cannot_follow_is_refused_by_name(family, refusal, make, request):
    """Each config a family's file declares refused (``tiny.refused``): the sentence names the feature."""
    tokenizer = request.getfixturevalue(TOKENIZER_FIXTURES[family.tiny.tokenizer])
    config = make(tokenizer)
    assert config.model_type in family.model_types and refusal.applies(config)
    with pytest.raises(ValueError, match=re.escape(refusal.sentence(config.model_type))):
        family_of(SimpleNamespace(config=config))
    tiny = family.tiny.config(tokenizer)
    assert not any(r.applies(tiny) for r in family.refusals)  # the tiny model itself is followed


@pytest.mark.parametrize("refusal", STANDARD_REFUSALS)
def test_a_model_using_a_refused_feature_gets_a_sentence_naming_it(refusal, tiny_gpt2, monkeypatch):
    family = family_of(tiny_gpt2.model)
    always = dataclasses.replace(refusal, applies=lambda config: True)
    monkeypatch.setitem(FAMILIES, family.name, dataclasses.replace(family, refusals=(always,)))
    with pytest.raises(ValueError, match=f"cannot follow {refusal.feature}"):
        trace(tiny_gpt2, PROMPT)
