"""The glass-box trace on the packaged encoder all-MiniLM-L6-v2: parity with BERT's own outputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from geometry.models.handle import network
from geometry.transformer.counting import operation_counts
from geometry.transformer.readings import sublayer_changes
from geometry.transformer.trace import trace

pytestmark = pytest.mark.slow

SENTENCES = ["We sat on the bank of the river.", "The bank raised its interest rates."]


@pytest.fixture(scope="module")
def eager_encoder(encoder):
    """A separate eager copy of the encoder's BertModel: the shared one may use SDPA attention,
    which does not return attention probabilities. The shared model is never changed."""
    from transformers import AutoModel

    from geometry.models.catalogue import ENCODER_NAME, MODELS
    from geometry.models.loading import locate_packaged

    folder = locate_packaged(MODELS[ENCODER_NAME].packaged).parent
    model = AutoModel.from_pretrained(str(folder), attn_implementation="eager")
    return model.eval().requires_grad_(False)


def own_outputs(model, ids):
    with torch.no_grad():
        return model(torch.tensor([list(ids)]), output_attentions=True, output_hidden_states=True)


@pytest.mark.parametrize("sentence", SENTENCES)
def test_parity_with_the_encoders_own_attention_and_hidden_states(encoder, eager_encoder, sentence):
    t = trace(encoder, sentence)
    eager = own_outputs(eager_encoder, t.token_ids.tolist())
    attention = np.stack([layer[0].numpy() for layer in eager.attentions])  # (6, 12, T, T)
    assert t.attention.shape == attention.shape == (6, 12, t.n_tokens, t.n_tokens)
    assert np.abs(t.attention - attention).max() <= 1e-4
    with torch.no_grad():  # the shared model's own hidden states (any attention implementation)
        shared = network(encoder)(torch.tensor([t.token_ids.tolist()]), output_hidden_states=True)
    ours = [t.activations["embed_norm"]] + [t.activations[f"blocks.{L}.resid_post"] for L in range(6)]
    for mine, theirs, eager_state in zip(ours, shared.hidden_states, eager.hidden_states, strict=True):
        assert np.abs(mine - theirs[0].numpy()).max() <= 1e-4
        assert np.abs(mine - eager_state[0].numpy()).max() <= 1e-4


def test_the_sentence_vector_is_the_mean_of_the_last_layer(encoder):
    """The sentence-transformers embedding is the normalised mean of the trace's final vectors."""
    sentence = SENTENCES[0]
    final = trace(encoder, sentence).activations["blocks.5.resid_post"].mean(axis=0)  # (d,)
    expected = encoder.model.encode([sentence], convert_to_numpy=True)[0]
    assert np.abs(final / np.linalg.norm(final) - expected).max() <= 1e-4


def test_minilm_is_read_as_a_post_norm_bidirectional_bert(encoder):
    arch = trace(encoder, SENTENCES[0]).architecture
    assert (arch.family, arch.n_layers, arch.n_heads, arch.n_kv_heads, arch.d_model, arch.d_mlp) == (
        "bert", 6, 12, 12, 384, 1536
    )  # fmt: skip
    layout = arch.layout
    assert (str(layout.placement), layout.causal, layout.vocabulary_head, str(layout.positions)) == (
        "post", False, False, "learned"
    )  # fmt: skip
    assert 22_000_000 < arch.n_parameters < 23_000_000


def test_the_word_bank_is_moved_by_every_layer(encoder):
    t = trace(encoder, SENTENCES[0])
    position = t.tokens.index("bank")
    changes = sublayer_changes(t, position)
    assert len(changes) == 12 and (changes["change"] > 0).all()


def test_the_trace_costs_what_it_counts(encoder):
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as flops:
        t = trace(encoder, SENTENCES[1])
    counted = operation_counts(t.architecture, t.n_tokens)["multiply_adds"].sum()
    assert flops.get_total_flops() == 2 * counted
