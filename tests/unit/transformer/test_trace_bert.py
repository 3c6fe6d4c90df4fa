"""The glass-box trace on a tiny random BERT: parity, the record, attention both ways, no vocabulary head."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from geometry.interpret.lens import logit_lens
from geometry.transformer import forward
from geometry.transformer.counting import operation_counts
from geometry.transformer.forward import Intervention
from geometry.transformer.generation import generate
from geometry.transformer.readings import head_contributions, residual_norms, sublayer_changes
from geometry.transformer.registry import architecture_of
from geometry.transformer.trace import trace

PROMPT = "we sat on the bank of the river"


def reference(lm, ids):
    """The model's own forward pass with attentions and hidden states."""
    with torch.no_grad():
        return lm.model(torch.tensor([list(ids)]), output_attentions=True, output_hidden_states=True)


@pytest.fixture(scope="module")
def bert_trace(tiny_bert):
    return trace(tiny_bert, PROMPT)


# --------------------------------------------------------------------------- parity


def test_attention_and_hidden_states_match_the_model(tiny_bert, bert_trace):
    t = bert_trace
    out = reference(tiny_bert, t.token_ids)
    attention = np.stack([a[0].numpy() for a in out.attentions])  # (L, H, T, T)
    assert t.attention.shape == attention.shape == (2, 4, t.n_tokens, t.n_tokens)
    assert np.abs(t.attention - attention).max() <= 1e-4
    ours = [t.activations["embed_norm"]] + [t.activations[f"blocks.{L}.resid_post"] for L in range(2)]
    assert len(out.hidden_states) == len(ours)
    for mine, theirs in zip(ours, out.hidden_states, strict=True):
        assert np.abs(mine - theirs[0].numpy()).max() <= 1e-4
    assert np.abs(t.activations["blocks.1.resid_post"] - out.last_hidden_state[0].numpy()).max() <= 1e-4


def test_attention_is_not_trivially_uniform(bert_trace):
    """The parity above would be weak if every head spread its weight evenly."""
    assert bert_trace.attention.max() > 2.0 / bert_trace.n_tokens


def test_tokens_are_the_tokenizers_with_its_special_tokens(tiny_bert, bert_trace):
    assert bert_trace.token_ids.tolist() == tiny_bert.tokenizer(PROMPT)["input_ids"]
    assert bert_trace.tokens[0] == "[CLS]" and bert_trace.tokens[-1] == "[SEP]"


# --------------------------------------------------------------------------- the record


BERT_LAYER = [
    "resid_pre", "attn.q", "attn.k", "attn.v", "attn.dots", "attn.scores", "attn.pattern", "attn.z",
    "attn.out", "resid_mid", "mlp.pre", "mlp.post", "mlp.out", "resid_post",
]  # fmt: skip


def test_activation_names_are_pinned(bert_trace):
    blocks = [f"blocks.{L}.{name}" for L in range(2) for name in BERT_LAYER]
    assert bert_trace.names == ["embed", "pos_embed", "token_type_embed", "embed_norm", *blocks]


def test_the_architecture_is_read_as_declared(bert_trace, tiny_bert):
    a = bert_trace.architecture
    layout = a.layout
    assert (a.family, str(layout.norm), str(layout.placement), str(layout.positions), str(layout.mlp)) == (
        "bert", "LayerNorm", "post", "learned", "GELU"
    )  # fmt: skip
    assert (layout.causal, layout.vocabulary_head, a.tied_embeddings) == (False, False, False)
    assert (a.n_layers, a.n_heads, a.n_kv_heads, a.d_model, a.d_head, a.d_mlp) == (2, 4, 4, 32, 8, 64)
    assert a.n_parameters == sum(p.numel() for p in tiny_bert.model.parameters())


def test_post_norm_blocks_normalise_the_sum(bert_trace, tiny_bert):
    acts, layer = bert_trace.activations, tiny_bert.model.encoder.layer[0]
    embeddings = tiny_bert.model.embeddings
    total = acts["embed"] + acts["pos_embed"] + acts["token_type_embed"]
    assert np.allclose(acts["embed_norm"], embeddings.LayerNorm(torch.from_numpy(total)).numpy(), atol=1e-5)
    assert np.array_equal(acts["blocks.0.resid_pre"], acts["embed_norm"])
    summed = torch.from_numpy(acts["blocks.0.resid_pre"] + acts["blocks.0.attn.out"])
    expected = layer.attention.output.LayerNorm(summed).numpy()
    assert np.allclose(acts["blocks.0.resid_mid"], expected, atol=1e-5)
    assert np.array_equal(acts["blocks.1.resid_pre"], acts["blocks.0.resid_post"])


def test_weights_are_views_not_copies(tiny_bert):
    weights = forward.weights_of(tiny_bert.model)
    query = tiny_bert.model.encoder.layer[0].attention.self.query.weight  # (out, in)
    assert weights.layers[0].W_Q.data_ptr() == query.data_ptr() and torch.equal(
        weights.layers[0].W_Q[1], query[8:16].T
    )
    assert weights.W_U is None and weights.ln_final is None


# --------------------------------------------------------------------------- attention both ways


def test_every_token_sees_the_whole_sentence(bert_trace):
    t = bert_trace
    assert np.isfinite(t.scores).all() and (t.attention > 0).all()
    assert np.allclose(t.attention.sum(-1), 1.0, atol=1e-5)
    assert not t.masks_the_future
    table = head_contributions(t, layer=1, head=2, query=1)
    assert table["key_position"].tolist() == list(range(t.n_tokens))  # keys after the query too


def test_a_causal_mask_can_be_forced_as_an_experiment(tiny_bert, bert_trace):
    masked = trace(tiny_bert, PROMPT, Intervention(causal_mask=True))
    T = masked.n_tokens
    future = np.triu(np.ones((T, T), dtype=bool), k=1)
    assert masked.masks_the_future and (masked.attention[..., future] == 0).all()
    assert np.array_equal(masked.activations["blocks.0.attn.q"], bert_trace.activations["blocks.0.attn.q"])
    assert not np.allclose(
        masked.activations["blocks.1.resid_post"], bert_trace.activations["blocks.1.resid_post"]
    )


def test_ablating_a_head_zeroes_its_output(tiny_bert, bert_trace):
    ablated = trace(tiny_bert, PROMPT, Intervention(ablated_heads=((1, 3),)))
    assert (ablated.activations["blocks.1.attn.z"][3] == 0).all()
    assert np.array_equal(
        ablated.activations["blocks.0.resid_post"], bert_trace.activations["blocks.0.resid_post"]
    )


# --------------------------------------------------------------------------- no vocabulary head


def test_an_encoder_predicts_no_tokens_and_says_so(tiny_bert, bert_trace):
    assert not bert_trace.predicts_tokens and "logits" not in bert_trace.activations
    with pytest.raises(ValueError, match="no vocabulary head"):
        _ = bert_trace.logits
    with pytest.raises(ValueError, match="no vocabulary head"):
        logit_lens(bert_trace)
    with pytest.raises(ValueError, match="no vocabulary head"):
        generate(tiny_bert, PROMPT, 2)


def test_the_model_is_left_untouched(tiny_bert):
    model = tiny_bert.model
    before = {name: p.clone() for name, p in model.state_dict().items()}
    trace(tiny_bert, PROMPT, Intervention(ablated_heads=((0, 1),), scale_scores=False, causal_mask=True))
    assert all(torch.equal(before[name], p) for name, p in model.state_dict().items())
    assert not any(p.requires_grad for p in model.parameters())


# --------------------------------------------------------------------------- readings


def test_sublayer_changes_are_the_moves_of_the_vector(bert_trace):
    acts = bert_trace.activations
    changes = sublayer_changes(bert_trace, [3, 4])
    assert changes["sublayer"].tolist() == ["attention", "MLP"] * 2
    row = changes.iloc[2]  # layer 1, attention
    before = acts["blocks.1.resid_pre"][[3, 4]].mean(0)
    after = acts["blocks.1.resid_mid"][[3, 4]].mean(0)
    assert np.isclose(row["change"], np.linalg.norm(after - before), rtol=1e-5)
    assert np.isclose(
        row["output_norm"], np.linalg.norm(acts["blocks.1.attn.out"][[3, 4]].mean(0)), rtol=1e-5
    )
    assert changes["cosine"].between(-1, 1).all()
    assert len(residual_norms(bert_trace, 3)) == 1 + 2 * 2


def test_counts_see_every_pair_and_no_unembedding(tiny_bert, bert_trace):
    counts = operation_counts(bert_trace.architecture, n_tokens=5).set_index("component")
    assert counts.loc["attention scores (q·k)", "dot_products"] == 2 * 4 * 25  # all 5 × 5 pairs
    assert counts.loc["unembedding", "multiply_adds"] == 0


def test_the_trace_costs_what_the_model_costs(tiny_bert):
    from torch.utils.flop_counter import FlopCounterMode

    ids = tiny_bert.tokenizer(PROMPT)["input_ids"]
    with FlopCounterMode(display=False) as model_flops:
        reference(tiny_bert, ids)
    with FlopCounterMode(display=False) as trace_flops:
        trace(tiny_bert, PROMPT)
    assert 0 < trace_flops.get_total_flops() <= 1.5 * model_flops.get_total_flops()
    # an encoder computes no logits and masks nothing: our count is exactly what the trace does
    counted = operation_counts(architecture_of(tiny_bert.model), len(ids))["multiply_adds"].sum()
    assert trace_flops.get_total_flops() == 2 * counted


def test_final_vector_changes_measure_an_experiment(tiny_bert, bert_trace):
    from geometry.transformer.readings import final_vector_changes

    same = final_vector_changes(bert_trace, bert_trace)
    assert same["position"].tolist() == list(range(bert_trace.n_tokens))
    assert np.allclose(same["cosine"], 1.0) and np.allclose(same["distance"], 0.0)
    masked = final_vector_changes(bert_trace, trace(tiny_bert, PROMPT, Intervention(causal_mask=True)))
    assert (masked["distance"] > 0).all() and masked["cosine"].between(-1, 1).all()
    assert masked["cosine"].min() < 0.999
