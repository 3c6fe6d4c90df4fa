"""The forward pass (geometry/transformer/forward.py): the steps a layout switches on, each checked
against the transformers module it stands for, and the pass resumed from any layer with the keys and
values of earlier tokens cached, as patching needs. (Whole models of every family are checked against
their own forward pass in test_families.py.)"""

from __future__ import annotations

import dataclasses

import pytest
import torch

from geometry.models.handle import network
from geometry.transformer import forward
from geometry.transformer.layout import (
    GEGLU,
    PARALLEL,
    POST_NORM,
    QK_NORM_PER_HEAD,
    QK_NORM_WHOLE,
    RMS_NORM_PLUS_ONE,
    SQRT_D,
)
from geometry.transformer.weights import GatedMLP, Norm, activation, per_head, per_head_bias

# --------------------------------------------------------------------------- each step against its module


def relaid(weights, eps=None, **layout_changes):
    """The same weights read under a changed layout (and norm epsilon)."""
    layout = dataclasses.replace(weights.layout, **layout_changes)
    architecture = dataclasses.replace(weights.architecture, layout=layout)
    return dataclasses.replace(weights, architecture=architecture, eps=weights.eps if eps is None else eps)


@pytest.fixture
def llama_weights(tiny_llama):
    return forward.weights_of(network(tiny_llama))


def test_a_gain_learned_as_an_offset_from_one_is_gemmas_norm(llama_weights):
    """RMSNorm (1 + w) is transformers' GemmaRMSNorm, with a learned w far from zero."""
    from transformers.models.gemma.modeling_gemma import GemmaRMSNorm

    torch.manual_seed(1)
    module = GemmaRMSNorm(32, eps=1e-6)
    with torch.no_grad():
        module.weight.normal_(0.0, 0.5)
    x = torch.randn(5, 32) * 3.0
    weights = relaid(llama_weights, eps=1e-6, norm=RMS_NORM_PLUS_ONE)
    with torch.no_grad():
        torch.testing.assert_close(forward.normalize(x, Norm(module.weight, None), weights), module(x))


def test_a_gelu_gated_mlp_is_gemmas_mlp(llama_weights):
    """GeGLU: (GELU(x W_gate) ⊙ x W_up) W_down with the config's activation, as GemmaMLP computes it."""
    from transformers import GemmaConfig
    from transformers.models.gemma.modeling_gemma import GemmaMLP

    torch.manual_seed(2)
    config = GemmaConfig(hidden_size=32, intermediate_size=64, hidden_act="gelu_pytorch_tanh")
    module = GemmaMLP(config)
    mlp = GatedMLP(
        W_gate=module.gate_proj.weight.T, b_gate=None, W_up=module.up_proj.weight.T, b_up=None,
        W_down=module.down_proj.weight.T, b_down=None,
    )  # fmt: skip
    layer = dataclasses.replace(llama_weights.layers[0], mlp=mlp)
    x = torch.randn(4, 32)
    with torch.no_grad():
        steps = forward.mlp(x, layer, activation("gelu_pytorch_tanh"))
        torch.testing.assert_close(steps["out"], module(x))
    assert GEGLU.gated and GEGLU.activation == "GELU"


def test_an_embedding_scaled_by_root_d_is_gemmas_lookup(llama_weights):
    from transformers.models.gemma.modeling_gemma import GemmaTextScaledWordEmbedding

    d = llama_weights.architecture.d_model
    module = GemmaTextScaledWordEmbedding(50, d, padding_idx=0, embed_scale=d**0.5)
    weights = dataclasses.replace(relaid(llama_weights, embedding_scale=SQRT_D), W_E=module.weight)
    ids = torch.tensor([1, 2, 3, 7])
    with torch.no_grad():
        torch.testing.assert_close(forward.embeddings(weights, ids)["embed"], module(ids))


def test_partial_rotary_is_gpt_neoxs(llama_weights):
    """Partial rotary turns the first quarter of each head (Pythia) and keeps the rest, as GPT-NeoX does."""
    from transformers import GPTNeoXConfig
    from transformers.models.gpt_neox.modeling_gpt_neox import GPTNeoXRotaryEmbedding, apply_rotary_pos_emb

    config = GPTNeoXConfig(hidden_size=64, num_attention_heads=2, rotary_pct=0.25)  # dh 32, 8 turned
    rotary = GPTNeoXRotaryEmbedding(config)
    q, k = torch.randn(1, 2, 6, 32), torch.randn(1, 2, 6, 32)  # (batch, heads, T, dh)
    weights = dataclasses.replace(llama_weights, rotary_embedding=rotary)
    cos, sin = forward.rotary_angles(weights, torch.zeros(6, 64))  # (T, r) each
    assert cos.shape == (6, 8)
    q_theirs, k_theirs = apply_rotary_pos_emb(q, k, *rotary(q, torch.arange(6)[None]))
    torch.testing.assert_close(forward.rotary(q[0], cos, sin), q_theirs[0])
    torch.testing.assert_close(forward.rotary(k[0], cos, sin), k_theirs[0])
    torch.testing.assert_close(forward.rotary(q[0], cos, sin)[..., 8:], q[0, ..., 8:])  # the rest kept


def test_query_norms_per_head_and_over_the_whole_projection(llama_weights):
    """Per head (Qwen3): each head's dh numbers on their own. Whole (OLMo-2): the projection's H·dh
    numbers of a token together, before the heads are split."""
    from transformers.models.olmo2.modeling_olmo2 import Olmo2RMSNorm
    from transformers.models.qwen3.modeling_qwen3 import Qwen3RMSNorm

    torch.manual_seed(3)
    q = torch.randn(4, 5, 8) * 2.0  # (H, T, dh)
    per_head_norm, whole_norm = Qwen3RMSNorm(8, eps=1e-6), Olmo2RMSNorm(32, eps=1e-6)
    with torch.no_grad():
        per_head_norm.weight.normal_(1.0, 0.5), whole_norm.weight.normal_(1.0, 0.5)
        each = forward.normalize_heads(
            q, Norm(per_head_norm.weight, None), relaid(llama_weights, eps=1e-6, qk_norm=QK_NORM_PER_HEAD)
        )
        torch.testing.assert_close(each, per_head_norm(q.transpose(0, 1)).transpose(0, 1))
        whole = forward.normalize_heads(
            q, Norm(whole_norm.weight, None), relaid(llama_weights, eps=1e-6, qk_norm=QK_NORM_WHOLE)
        )
        expected = whole_norm(forward.merge_heads(q))  # (T, H·dh) normalised together
        torch.testing.assert_close(whole, forward.split_heads(expected, 8))
    assert not torch.allclose(each, whole)


def test_per_head_weights_are_views_that_project_like_the_full_matrix():
    W, b, x = torch.randn(32, 4 * 8), torch.randn(4 * 8), torch.randn(5, 32)
    heads = forward.project(x, per_head(W, 8), per_head_bias(b, 8))  # (H, T, dh)
    torch.testing.assert_close(heads, forward.split_heads(x @ W + b, 8))
    assert per_head(W, 8).untyped_storage().data_ptr() == W.untyped_storage().data_ptr()


def test_a_parallel_block_adds_attention_and_the_mlp_of_the_same_input(tiny_llama, llama_weights):
    """Side by side (GPT-NeoX): resid_post = x + attn(ln1(x)) + mlp(ln2(x)); the MLP never reads resid_mid."""
    weights = relaid(llama_weights, residual=PARALLEL)
    x = torch.randn(5, weights.architecture.d_model)
    rope = forward.rotary_angles(weights, x)
    keep = torch.ones(weights.architecture.n_heads, 1, 1)
    layer = weights.layers[0]
    record = forward.block(x, layer, weights, rope, keep, forward.NO_INTERVENTION)
    mlp_alone = forward.mlp(forward.normalize(x, layer.ln2, weights), layer, weights.activation)["out"]
    torch.testing.assert_close(record["ln2"], forward.normalize(x, layer.ln2, weights))
    torch.testing.assert_close(record["resid_post"], x + record["attn.out"] + mlp_alone)
    torch.testing.assert_close(record["resid_mid"], x + record["attn.out"])
    with pytest.raises(ValueError, match="needs its input"):
        forward.mlp_half(record["resid_mid"], layer, weights)


def test_output_norms_normalise_what_each_sublayer_adds(llama_weights):
    """On each sublayer's output (OLMo-2): x + norm(attn(x)), then + norm(mlp(·)); the sublayers read
    the stream itself. The norms are the model's own (here ln1, ln2 stand in for them)."""
    from geometry.transformer.layout import OUTPUT_NORM

    weights = relaid(llama_weights, placement=OUTPUT_NORM)
    layer = dataclasses.replace(
        weights.layers[0], ln1_out=weights.layers[0].ln1, ln2_out=weights.layers[0].ln2
    )
    x = torch.randn(5, weights.architecture.d_model)
    keep = torch.ones(weights.architecture.n_heads, 1, 1)
    record = forward.block(
        x, layer, weights, forward.rotary_angles(weights, x), keep, forward.NO_INTERVENTION
    )
    assert "ln1" not in record and "ln2" not in record
    torch.testing.assert_close(
        record["attn.out"], forward.normalize(record["attn.out_pre_norm"], layer.ln1, weights)
    )
    torch.testing.assert_close(
        record["mlp.out"], forward.normalize(record["mlp.out_pre_norm"], layer.ln2, weights)
    )
    torch.testing.assert_close(record["resid_post"], x + record["attn.out"] + record["mlp.out"])


def test_a_feature_the_pass_does_not_compute_is_named(llama_weights):
    layout = relaid(llama_weights, residual=PARALLEL, placement=POST_NORM).layout
    assert forward.unfollowed(layout) == ["attention and MLP side by side in a post-norm block"]
    assert forward.unfollowed(llama_weights.layout) == []


# --------------------------------------------------------------------------- resuming the forward pass

PROMPT = "The capital of France is"  # 5 byte-level tokens


def test_resuming_from_a_layer_with_cached_keys_gives_the_full_runs_output(tiny_lm):
    """run_from on the tokens from position 3 on, the earlier ones' keys and values cached, at layer 1."""
    weights = forward.weights_of(network(tiny_lm))
    acts = forward.run(weights, torch.tensor(tiny_lm.tokenizer(PROMPT)["input_ids"]))
    n_layers, first = weights.architecture.n_layers, 3
    past = [tuple(kv[:, :first] for kv in forward.keys_and_values(acts, L)) for L in range(n_layers)]
    rope = forward.rotary_angles(weights, acts["embed"])
    rope = None if rope is None else (rope[0][first:], rope[1][first:])
    resumed = forward.run_from(weights, acts["blocks.1.resid_pre"][first:], 1, rope, past=past)
    full = acts[f"blocks.{n_layers - 1}.resid_post"][first:]
    torch.testing.assert_close(resumed, full, atol=1e-5, rtol=1e-5)
    after_attention = forward.run_from(
        weights,
        acts["blocks.0.resid_mid"],
        0,
        forward.rotary_angles(weights, acts["embed"]),
        after_attention=True,
        block_input=acts["blocks.0.resid_pre"],  # what a side-by-side MLP reads
    )
    torch.testing.assert_close(
        after_attention, acts[f"blocks.{n_layers - 1}.resid_post"], atol=1e-5, rtol=1e-5
    )
