"""The glass-box trace (geometry/transformer/trace.py) on every causal family's tiny model: parity,
the record and its names, invariants, experiments, bad input."""

from __future__ import annotations

import pickle
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from geometry.transformer import forward, registry
from geometry.transformer.forward import Intervention
from geometry.transformer.readings import (
    head_contributions,
)
from geometry.transformer.trace import MAX_PROMPT_TOKENS, trace
from geometry.transformer.weights import parameter_parts

PROMPT = "the dog that chased the cat was"


def reference(lm, ids):
    """The model's own forward pass with attentions and hidden states."""
    with torch.no_grad():
        return lm.model(torch.tensor([list(ids)]), output_attentions=True, output_hidden_states=True)


def entropy(pattern):
    return -(pattern * np.log(np.clip(pattern, 1e-30, None))).sum(-1)


# --------------------------------------------------------------------------- parity


def test_logits_and_attention_match_the_model(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    out = reference(tiny_lm, t.token_ids)
    attention = np.stack([a[0].numpy() for a in out.attentions])  # (L, H, T, T)
    assert np.abs(t.activations["logits"] - out.logits[0].numpy()).max() <= 1e-3
    assert np.abs(t.logits - out.logits[0, -1].numpy()).max() <= 1e-3
    assert t.attention.shape == attention.shape
    assert np.abs(t.attention - attention).max() <= 1e-4


def test_residual_stream_matches_the_models_hidden_states(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    hidden = reference(tiny_lm, t.token_ids).hidden_states  # L + 1 states, the last after the final norm
    n_layers = t.architecture.n_layers
    ours = [t.activations[f"blocks.{L}.resid_pre"] for L in range(n_layers)] + [t.activations["ln_final"]]
    for mine, theirs in zip(ours, hidden, strict=True):
        assert np.abs(mine - theirs[0].numpy()).max() <= 1e-4


def test_tokens_are_exactly_the_tokenizers(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    assert t.token_ids.tolist() == tiny_lm.tokenizer(PROMPT)["input_ids"]
    assert len(t.tokens) == t.n_tokens and not t.truncated


# --------------------------------------------------------------------------- the record


# As TransformerLens names its hooks: attn.q is the query before rotation (hook_q), attn.rot_q after
# it (hook_rot_q), mlp.pre_linear the gated MLP's linear half (hook_pre_linear).
GPT2_LAYER = [
    "resid_pre", "ln1", "attn.q", "attn.k", "attn.v", "attn.dots", "attn.scores", "attn.pattern", "attn.z",
    "attn.out", "resid_mid", "ln2", "mlp.pre", "mlp.post", "mlp.out", "resid_post",
]  # fmt: skip
LLAMA_LAYER = [
    "resid_pre", "ln1", "attn.q", "attn.k", "attn.v", "attn.rot_q", "attn.rot_k", "attn.dots",
    "attn.scores", "attn.pattern", "attn.z", "attn.out", "resid_mid", "ln2", "mlp.pre", "mlp.pre_linear",
    "mlp.post", "mlp.out", "resid_post",
]  # fmt: skip


def test_activation_names_are_pinned(tiny_gpt2, tiny_llama):
    gpt2, llama = trace(tiny_gpt2, PROMPT), trace(tiny_llama, PROMPT)
    blocks = lambda names: [f"blocks.{L}.{name}" for L in range(2) for name in names]  # noqa: E731
    assert gpt2.names == ["embed", "pos_embed", *blocks(GPT2_LAYER), "ln_final", "logits"]
    assert llama.names == ["embed", *blocks(LLAMA_LAYER), "ln_final", "logits"]


def test_qwen2_is_llamas_layout_with_query_key_value_biases(tiny_qwen2):
    assert trace(tiny_qwen2, PROMPT).names == trace_names_of_a_llama()
    layer, attn = forward.weights_of(tiny_qwen2.model).layers[0], tiny_qwen2.model.model.layers[0].self_attn
    assert registry.family_of(tiny_qwen2.model).name == "qwen2"
    assert layer.b_Q.data_ptr() == attn.q_proj.bias.data_ptr() and layer.b_Q.abs().max() > 0.1
    assert layer.b_K is not None and layer.b_V is not None and layer.b_O is None


def trace_names_of_a_llama():
    return ["embed", *[f"blocks.{L}.{name}" for L in range(2) for name in LLAMA_LAYER], "ln_final", "logits"]


def test_shapes_dtypes_and_read_only(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    a, T = t.architecture, t.n_tokens
    expected = {
        "embed": (T, a.d_model), "blocks.1.attn.q": (a.n_heads, T, a.d_head),
        "blocks.1.attn.k": (a.n_kv_heads, T, a.d_head), "blocks.1.attn.v": (a.n_kv_heads, T, a.d_head),
        "blocks.1.attn.pattern": (a.n_heads, T, T), "blocks.1.attn.z": (a.n_heads, T, a.d_head),
        "blocks.1.mlp.post": (T, a.d_mlp), "logits": (T, a.vocab_size),
    }  # fmt: skip
    assert {name: t.activations[name].shape for name in expected} == expected
    assert t.logits.shape == (a.vocab_size,)
    assert t.scores.shape == t.attention.shape == (a.n_layers, a.n_heads, T, T)
    for array in [*t.activations.values(), t.attention, t.scores]:
        assert array.dtype == np.float32 and not array.flags.writeable
    with pytest.raises(KeyError, match="No activation"):
        t.activations["blocks.9.attn.q"]


def test_resid_pre_is_embedding_plus_positions(tiny_gpt2, tiny_llama):
    gpt2, llama = trace(tiny_gpt2, PROMPT), trace(tiny_llama, PROMPT)
    acts = gpt2.activations
    assert np.allclose(acts["blocks.0.resid_pre"], acts["embed"] + acts["pos_embed"])
    assert np.allclose(acts["embed"], tiny_gpt2.model.transformer.wte.weight[gpt2.token_ids.tolist()].numpy())
    assert np.array_equal(llama.activations["blocks.0.resid_pre"], llama.activations["embed"])


def test_the_residual_adds_are_what_they_say(tiny_lm):
    acts = trace(tiny_lm, PROMPT).activations
    assert np.allclose(acts["blocks.0.resid_mid"], acts["blocks.0.resid_pre"] + acts["blocks.0.attn.out"])
    assert np.allclose(acts["blocks.0.resid_post"], acts["blocks.0.resid_mid"] + acts["blocks.0.mlp.out"])
    assert np.array_equal(acts["blocks.1.resid_pre"], acts["blocks.0.resid_post"])


def test_a_trace_can_be_pickled_for_the_page_cache(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    again = pickle.loads(pickle.dumps(t))
    assert again.names == t.names and np.array_equal(again.attention, t.attention)


# --------------------------------------------------------------------------- attention invariants


def test_attention_rows_sum_to_one_and_the_future_is_hidden(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    T = t.n_tokens
    future = np.triu(np.ones((T, T), dtype=bool), k=1)
    assert np.allclose(t.attention.sum(-1), 1.0, atol=1e-5)
    assert (t.attention[..., future] == 0).all()
    assert np.isneginf(t.scores[..., future]).all() and np.isfinite(t.scores[..., ~future]).all()
    assert np.allclose(t.attention[..., 0, 0], 1.0)  # the first token can only see itself


def test_grouped_query_heads_share_their_keys(tiny_llama):
    t = trace(tiny_llama, PROMPT)
    a, acts = t.architecture, t.activations
    assert [a.kv_head_of(h) for h in range(a.n_heads)] == [0, 0, 1, 1]
    q, k = acts["blocks.0.attn.rot_q"], acts["blocks.0.attn.rot_k"]  # the turned ones meet
    assert np.allclose(acts["blocks.0.attn.dots"][3], q[3] @ k[1].T, atol=1e-5)


def test_rotary_turns_queries_but_keeps_their_length(tiny_llama):
    acts = trace(tiny_llama, PROMPT).activations
    before, after = acts["blocks.0.attn.q"], acts["blocks.0.attn.rot_q"]
    assert np.allclose(np.linalg.norm(before, axis=-1), np.linalg.norm(after, axis=-1), atol=1e-5)
    assert np.allclose(before[:, 0], after[:, 0], atol=1e-6)  # position 0: angle 0
    assert not np.allclose(before[:, 3], after[:, 3])


# --------------------------------------------------------------------------- interventions


def test_ablating_a_head_changes_downstream_only(tiny_lm):
    base = trace(tiny_lm, PROMPT)
    ablated = trace(tiny_lm, PROMPT, Intervention(ablated_heads=((1, 2),)))
    same = lambda name: np.array_equal(base.activations[name], ablated.activations[name])  # noqa: E731
    assert all(same(name) for name in base.names if name.startswith("blocks.0."))
    assert same("blocks.1.attn.pattern") and same("blocks.1.attn.v")
    assert (ablated.activations["blocks.1.attn.z"][2] == 0).all()
    assert np.array_equal(base.activations["blocks.1.attn.z"][1], ablated.activations["blocks.1.attn.z"][1])
    assert not same("blocks.1.attn.out") and not same("blocks.1.resid_post") and not same("logits")


def test_ablating_an_early_head_reaches_the_next_layer(tiny_lm):
    base = trace(tiny_lm, PROMPT)
    ablated = trace(tiny_lm, PROMPT, Intervention(ablated_heads=((0, 0),)))
    assert np.array_equal(
        base.activations["blocks.0.attn.pattern"], ablated.activations["blocks.0.attn.pattern"]
    )
    assert not np.array_equal(
        base.activations["blocks.1.attn.pattern"], ablated.activations["blocks.1.attn.pattern"]
    )


def test_without_scaling_the_scores_are_the_raw_dots_and_softmax_sharpens(tiny_lm):
    base = trace(tiny_lm, PROMPT)
    raw = trace(tiny_lm, PROMPT, Intervention(scale_scores=False))
    scale = forward.weights_of(tiny_lm.model).layers[0].scale  # 1/√d_head unless the config says otherwise
    T = base.n_tokens
    visible = ~np.triu(np.ones((T, T), dtype=bool), k=1)
    dots = base.activations["blocks.0.attn.dots"]
    assert np.allclose(base.scores[0][:, visible], dots[:, visible] * scale, atol=1e-5)
    assert np.allclose(raw.scores[0][:, visible], dots[:, visible], atol=1e-5)
    assert entropy(raw.attention[0][:, 1:]).mean() < entropy(base.attention[0][:, 1:]).mean()


def test_without_the_mask_tokens_see_the_future(tiny_lm):
    t = trace(tiny_lm, PROMPT, Intervention(causal_mask=False))
    T = t.n_tokens
    future = np.triu(np.ones((T, T), dtype=bool), k=1)
    assert np.isfinite(t.scores).all()
    assert (t.attention[..., future] > 0).all()
    assert np.allclose(t.attention.sum(-1), 1.0, atol=1e-5)
    assert len(head_contributions(t, 0, 0, query=0)) == T  # every key is a candidate


def test_an_ablated_head_that_does_not_exist_is_refused(tiny_lm):
    with pytest.raises(ValueError, match="no head 7 in layer 0"):
        trace(tiny_lm, PROMPT, Intervention(ablated_heads=((0, 7),)))


# --------------------------------------------------------------------------- bad input, truncation, safety


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t"])
def test_an_empty_prompt_is_refused_with_a_message(tiny_gpt2, prompt):
    with pytest.raises(ValueError, match="Type a prompt"):
        trace(tiny_gpt2, prompt)


def test_a_prompt_without_tokens_is_refused(tiny_gpt2):
    silent = SimpleNamespace(model=tiny_gpt2.model, tokenizer=lambda text: {"input_ids": []})
    with pytest.raises(ValueError, match="no tokens"):
        trace(silent, "hello")


def test_a_long_prompt_keeps_its_last_tokens(tiny_lm):
    prompt = " ".join(f"word{i}" for i in range(200))
    all_ids = tiny_lm.tokenizer(prompt)["input_ids"]
    t = trace(tiny_lm, prompt)
    assert t.truncated and t.n_tokens == MAX_PROMPT_TOKENS
    assert t.token_ids.tolist() == all_ids[-MAX_PROMPT_TOKENS:]


@pytest.mark.parametrize("prompt", ["🙂🙂", "<b>x</b>", "\x00\x07 a", "1e309", "é" * 300])
def test_hostile_prompts_still_trace(tiny_gpt2, prompt):
    t = trace(tiny_gpt2, prompt)
    assert np.isfinite(t.logits).all() and t.n_tokens <= MAX_PROMPT_TOKENS


def test_an_unknown_architecture_is_refused():
    fake = SimpleNamespace(model=SimpleNamespace(config=SimpleNamespace(model_type="t5")), tokenizer=None)
    with pytest.raises(ValueError, match="not 't5'") as refused:
        trace(fake, "hello")
    assert all(family.title in str(refused.value) for family in registry.FAMILIES.values())


def test_the_model_is_left_untouched(tiny_lm):
    model = tiny_lm.model
    before = {name: p.clone() for name, p in model.state_dict().items()}
    hooks = sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())
    trace(tiny_lm, PROMPT, Intervention(ablated_heads=((0, 1),), scale_scores=False, causal_mask=False))
    assert all(torch.equal(before[name], p) for name, p in model.state_dict().items())
    assert hooks == sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())
    assert not any(p.requires_grad for p in model.parameters())


def test_weights_are_views_not_copies(tiny_family):
    """Every matrix and vector a family reads is a view of one of the model's own tensors."""
    weights, model = forward.weights_of(tiny_family.model), tiny_family.model
    storages = {p.untyped_storage().data_ptr() for p in model.parameters()}
    read = parameter_parts(weights)
    assert read and all(tensor.untyped_storage().data_ptr() in storages for _, tensor in read)


def test_gpt2_and_llama_heads_are_slices_of_their_projections(tiny_gpt2, tiny_llama):
    gpt2, llama = forward.weights_of(tiny_gpt2.model), forward.weights_of(tiny_llama.model)
    c_attn = tiny_gpt2.model.transformer.h[0].attn.c_attn.weight  # (d, 3d): [W_Q | W_K | W_V]
    assert (
        torch.equal(gpt2.layers[0].W_Q[1], c_attn[:, 8:16])
        and gpt2.layers[0].W_Q.data_ptr() == c_attn.data_ptr()
    )
    q_proj = tiny_llama.model.model.layers[0].self_attn.q_proj.weight  # (out, in)
    assert torch.equal(llama.layers[0].W_Q[2], q_proj[16:24].T)
    assert llama.W_U.data_ptr() == llama.W_E.data_ptr()  # tied embeddings
