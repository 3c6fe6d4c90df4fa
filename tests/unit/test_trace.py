"""The glass-box trace on tiny random GPT-2, Llama and Qwen2 models: parity, invariants, experiments."""

from __future__ import annotations

import dataclasses
import pickle
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from geometry.interpret.lens import lens_table, logit_lens, target_token
from geometry.transformer import forward, registry
from geometry.transformer.architecture import Architecture
from geometry.transformer.counting import (
    CACHE_MODES,
    cache_savings,
    mode_totals,
    operation_counts,
    step_costs,
)
from geometry.transformer.forward import Intervention
from geometry.transformer.generation import generate
from geometry.transformer.layout import SWIGLU
from geometry.transformer.readings import (
    head_contributions,
    model_view,
    next_tokens,
    residual_norms,
    residual_stages,
    top_neurons,
)
from geometry.transformer.sampling import Decoding, next_token_probs
from geometry.transformer.trace import MAX_PROMPT_TOKENS, trace
from geometry.words.tokens import display_tokens
from tests.conftest import mid_sentence_id

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


def test_sliding_window_attention_is_refused():
    config = SimpleNamespace(model_type="qwen2", layer_types=["full_attention", "sliding_attention"])
    with pytest.raises(ValueError, match="cannot follow sliding-window attention"):
        registry.family_of(SimpleNamespace(config=config))


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
    d_head = base.architecture.d_head
    T = base.n_tokens
    visible = ~np.triu(np.ones((T, T), dtype=bool), k=1)
    dots = base.activations["blocks.0.attn.dots"]
    assert np.allclose(base.scores[0][:, visible], dots[:, visible] / np.sqrt(d_head), atol=1e-5)
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


def test_weights_are_views_not_copies(tiny_gpt2, tiny_llama):
    gpt2, llama = forward.weights_of(tiny_gpt2.model), forward.weights_of(tiny_llama.model)
    c_attn = tiny_gpt2.model.transformer.h[0].attn.c_attn.weight
    assert gpt2.layers[0].W_Q.data_ptr() == c_attn.data_ptr()
    assert gpt2.layers[0].W_K.untyped_storage().data_ptr() == c_attn.untyped_storage().data_ptr()
    q_proj = tiny_llama.model.model.layers[0].self_attn.q_proj.weight  # (out, in)
    assert llama.layers[0].W_Q.data_ptr() == q_proj.data_ptr() and llama.layers[0].W_Q.shape == q_proj.T.shape
    assert llama.W_U.data_ptr() == llama.W_E.data_ptr()  # tied embeddings


# --------------------------------------------------------------------------- readings of a trace


def test_logit_lens_ends_at_the_models_prediction(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    lens = logit_lens(t, k=3)
    n_layers = t.architecture.n_layers
    assert len(lens) == 3 * (1 + 2 * n_layers)
    assert lens["stage"].iloc[0] == "embedding" and lens["layer"].iloc[0] == -1
    last = lens[lens["step"] == lens["step"].max()]
    assert last["token_id"].iloc[0] == int(np.argmax(t.logits))
    assert np.isclose(last["logit"].iloc[0], t.logits.max(), atol=1e-4)
    for _, stage in lens.groupby("step"):
        assert stage["probability"].is_monotonic_decreasing and stage["rank"].tolist() == [1, 2, 3]


def test_the_trace_reads_its_own_logit_lens_as_the_models_weights_do(tiny_lm):
    """logit_lens(trace) needs no model beside the trace: it equals the read-out through lm's own weights."""
    t = trace(tiny_lm, PROMPT)
    lens = logit_lens(t, position=2, k=4)
    stages = [name for *_, name in residual_stages(t)]
    resid = torch.from_numpy(np.stack([t.activations[name][2] for name in stages]))  # (S, d)
    with torch.no_grad():
        logits = forward.read_out(resid, forward.weights_of(tiny_lm.model))  # (S, vocab)
    top = torch.topk(logits, k=4, dim=-1)
    assert lens["token_id"].tolist() == top.indices.flatten().tolist()
    np.testing.assert_array_equal(lens["logit"], top.values.flatten().numpy())
    expected = torch.softmax(logits, dim=-1).gather(-1, top.indices).flatten().numpy()
    np.testing.assert_array_equal(lens["probability"], expected)
    assert lens["token"].tolist() == list(display_tokens(tiny_lm, lens["token_id"]))


def test_a_pickled_trace_leaves_its_model_behind_and_says_so(tiny_lm):
    again = pickle.loads(pickle.dumps(trace(tiny_lm, PROMPT)))
    assert again.read_out is None
    with pytest.raises(ValueError, match="without its model"):
        logit_lens(again)


def test_residual_norms_are_the_vector_lengths(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    norms = residual_norms(t, position=2)
    assert len(norms) == 1 + 2 * t.architecture.n_layers
    assert norms["name"].tolist()[:3] == ["blocks.0.resid_pre", "blocks.0.resid_mid", "blocks.0.resid_post"]
    expected = np.linalg.norm(t.activations["blocks.1.resid_mid"][2])
    assert np.isclose(norms.set_index("name").loc["blocks.1.resid_mid", "norm"], expected)


def test_head_contributions_are_the_tournament_in_numbers(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    table = head_contributions(t, layer=1, head=3, query=4)
    a, acts = t.architecture, t.activations
    q = acts.get("blocks.1.attn.rot_q", acts["blocks.1.attn.q"])[3, 4]  # turned, in a rotary family
    k = acts.get("blocks.1.attn.rot_k", acts["blocks.1.attn.k"])[a.kv_head_of(3), :5]
    assert table["key_position"].tolist() == [0, 1, 2, 3, 4]
    assert np.allclose(table["q_dot_k"], k @ q, atol=1e-5)
    assert np.allclose(table["scaled_score"], table["q_dot_k"] / np.sqrt(a.d_head), atol=1e-5)
    assert np.isclose(table["probability"].sum(), 1.0, atol=1e-5)
    assert np.allclose(table["weighted_value_norm"], table["probability"] * table["value_norm"])
    with pytest.raises(ValueError, match="Head 9"):
        head_contributions(t, 1, 9, 0)


def test_top_neurons_are_the_largest_activations(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    table = top_neurons(t, layer=0, position=-1, k=5)
    post = t.activations["blocks.0.mlp.post"][-1]
    assert np.allclose(np.abs(table["activation"]), np.sort(np.abs(post))[::-1][:5])
    assert np.allclose(table["pre"], t.activations["blocks.0.mlp.pre"][-1][table["neuron"]])
    with pytest.raises(ValueError, match="Layer 5"):
        top_neurons(t, layer=5)


def test_next_tokens_are_sorted_probabilities(tiny_lm):
    table = next_tokens(tiny_lm, trace(tiny_lm, PROMPT), k=4)
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert table["probability"].is_monotonic_decreasing and table["probability"].between(0, 1).all()
    logits = trace(tiny_lm, PROMPT).logits.astype(np.float64)
    softmax = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_array_equal(table["probability"], softmax[table["token_id"]])


def test_next_tokens_with_decoding_show_what_the_filters_keep(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    table = next_tokens(tiny_lm, t, k=6, decoding=Decoding(temperature=0.5, top_k=2))
    assert table["status"].tolist() == ["kept"] * 2 + ["filtered out"] * 4
    np.testing.assert_allclose(table["after_filters"].sum(), 1.0)
    np.testing.assert_array_equal(
        table["after_temperature"], next_token_probs(t.logits, 0.5)[table["token_id"]]
    )
    assert list(table.columns[:5]) == list(next_tokens(tiny_lm, t, k=6).columns)


# --------------------------------------------------------------------------- generation


def test_the_kv_cache_writes_the_same_tokens(tiny_lm):
    cached = generate(tiny_lm, PROMPT, 6, use_cache=True)
    scratch = generate(tiny_lm, PROMPT, 6, use_cache=False)
    T, a = len(cached.prompt_ids), registry.architecture_of(tiny_lm.model)
    assert cached.new_ids == scratch.new_ids and len(cached.new_ids) == 6
    assert cached.cached_tokens == (0, T, T + 1, T + 2, T + 3, T + 4)
    assert scratch.cached_tokens == (0,) * 6
    assert cached.reused_kv_vectors[1] == 2 * a.n_layers * a.n_kv_heads * T
    assert len(cached.step_texts) == len(cached.step_tokens) == len(cached.seconds) == 6


def test_greedy_generation_follows_the_trace(tiny_lm):
    first = generate(tiny_lm, PROMPT, 1).new_ids[0]
    assert first == int(np.argmax(trace(tiny_lm, PROMPT).logits))


def test_generation_uses_the_chooser(tiny_lm):
    result = generate(tiny_lm, PROMPT, 3, choose=lambda logits: 7)
    assert result.new_ids == (7, 7, 7)


def test_generation_refuses_too_many_tokens(tiny_lm):
    with pytest.raises(ValueError, match="new tokens"):
        generate(tiny_lm, PROMPT, 0)
    with pytest.raises(ValueError, match="between 1 and 2 new tokens"):  # the page's limit, passed in
        generate(tiny_lm, PROMPT, 3, max_new_tokens=2)
    with pytest.raises(ValueError, match="reads at most 64 tokens"):  # the model's own context
        generate(tiny_lm, PROMPT, 64)


# --------------------------------------------------------------------------- counting


def arch(mlp=None, **changes):
    layout = registry.FAMILIES["gpt2"].layout
    base = dict(
        family="gpt2", title="GPT-2", n_layers=2, n_heads=4, n_kv_heads=4, d_model=8, d_head=2, d_mlp=32,
        vocab_size=100, tied_embeddings=True,
        layout=layout if mlp is None else dataclasses.replace(layout, mlp=mlp),
    )  # fmt: skip
    return Architecture(**(base | changes))


def test_operation_counts_by_hand():
    counts = operation_counts(arch(), n_tokens=3).set_index("component")
    # L=2, H=4, d=8, dh=2, d_mlp=32, T=3: 6 query-key pairs under the causal mask
    assert counts.loc["embedding lookup", "multiply_adds"] == 0
    assert counts.loc["query projection", "multiply_adds"] == 2 * 3 * 8 * 8
    assert counts.loc["attention scores (q·k)", "dot_products"] == 2 * 4 * 6
    assert counts.loc["weighted sum of values", "multiply_adds"] == 2 * 4 * 6 * 2
    assert counts.loc["MLP", "multiply_adds"] == 2 * 2 * 3 * 8 * 32
    assert counts.loc["unembedding", "multiply_adds"] == 8 * 100


def test_grouped_query_attention_and_swiglu_change_the_counts():
    full = operation_counts(arch(), 3).set_index("component")
    gqa = operation_counts(arch(n_kv_heads=2, mlp=SWIGLU), 3).set_index("component")
    assert gqa.loc["key projection", "multiply_adds"] * 2 == full.loc["key projection", "multiply_adds"]
    assert gqa.loc["MLP", "multiply_adds"] * 2 == full.loc["MLP", "multiply_adds"] * 3


def test_the_cache_saves_work_for_one_new_token():
    step = operation_counts(arch(), 1, cached_tokens=9).set_index("component")
    assert step.loc["attention scores (q·k)", "dot_products"] == 2 * 4 * 10  # the new query meets 10 keys
    assert step.loc["key projection", "multiply_adds"] == 2 * 1 * 8 * 8  # one new key per layer and head
    savings = cache_savings(arch(), 10).pivot(index="component", columns="mode", values="multiply_adds")
    with_cache, without_cache = savings[CACHE_MODES[0]], savings[CACHE_MODES[1]]
    assert (with_cache <= without_cache).all()
    assert with_cache.sum() < without_cache.sum() / 3
    with pytest.raises(ValueError):
        operation_counts(arch(), 0)


def test_step_costs_are_one_new_token_with_the_cache_and_the_whole_context_without():
    costs = step_costs(arch(), 6, [0, 6, 7])
    total = lambda n, c=0: int(operation_counts(arch(), n, c)["multiply_adds"].sum())  # noqa: E731
    assert costs["multiply_adds_with_cache"].tolist() == [total(6), total(1, 6), total(1, 7)]
    assert costs["multiply_adds_from_scratch"].tolist() == [total(6), total(7), total(8)]
    totals = mode_totals(cache_savings(arch(), 7))
    assert totals.index.tolist() == list(CACHE_MODES)
    assert totals.loc[CACHE_MODES[0], "multiply_adds"] == total(1, 6)
    assert totals.loc[CACHE_MODES[1], "multiply_adds"] == total(7)


def test_the_trace_costs_what_the_model_costs(tiny_lm):
    """Counted, not timed: the trace's matrix products equal the model's own forward pass."""
    from torch.utils.flop_counter import FlopCounterMode

    ids = torch.tensor([tiny_lm.tokenizer(PROMPT)["input_ids"]])
    with FlopCounterMode(display=False) as model_flops:
        reference(tiny_lm, ids[0].tolist())
    with FlopCounterMode(display=False) as trace_flops:
        trace(tiny_lm, PROMPT)
    assert 0 < trace_flops.get_total_flops() <= 1.5 * model_flops.get_total_flops()


# --------------------------------------------------------------------------- the whole prompt at a glance


def test_the_lens_table_ends_at_the_models_own_probabilities(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    target = 1234
    lens = lens_table(t, target=target)
    n_stages = 1 + 2 * t.architecture.n_layers
    assert len(lens) == n_stages * t.n_tokens
    assert lens["stage"].iloc[0] == "embedding" and lens["position"].tolist()[: t.n_tokens] == list(
        range(t.n_tokens)
    )
    last = lens[lens["step"] == n_stages - 1].set_index("position")
    with torch.no_grad():
        own = torch.softmax(
            tiny_lm.model(torch.tensor([t.token_ids.tolist()])).logits[0].double(), -1
        ).numpy()
    np.testing.assert_allclose(last["target_probability"], own[:, target], rtol=1e-4, atol=1e-9)
    np.testing.assert_allclose(last["top_probability"], own.max(-1), rtol=1e-4)
    assert last["top_id"].tolist() == own.argmax(-1).tolist()
    expected_rank = (own > own[:, [target]]).sum(-1) + 1
    assert last["target_rank"].tolist() == expected_rank.tolist()
    assert (last["target_rank"] >= 1).all() and (lens["top_probability"] >= lens["target_probability"]).all()


def test_the_lens_table_agrees_with_the_single_position_lens(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    lens = lens_table(t)
    assert lens["target_id"].iloc[0] == int(np.argmax(t.logits))  # the default target
    one = logit_lens(t, position=2, k=1)
    at_two = lens[lens["position"] == 2]
    assert at_two["top_id"].tolist() == one["token_id"].tolist()
    assert at_two["top_token"].tolist() == one["token"].tolist()
    np.testing.assert_allclose(at_two["top_probability"], one["probability"], rtol=1e-4)
    top = lens[lens["target_rank"] == 1]
    np.testing.assert_allclose(top["target_probability"], top["top_probability"])
    with pytest.raises(ValueError, match="outside the vocabulary"):
        lens_table(t, target=-1)


def test_the_model_view_holds_every_heads_pattern(tiny_lm):
    t = trace(tiny_lm, PROMPT)
    a, T = t.architecture, t.n_tokens
    view = model_view(t)
    assert len(view) == a.n_layers * a.n_heads * T * (T + 1) // 2  # the causal mask hides the future
    rows = view.groupby(["layer", "head", "query_position"])["probability"].sum()
    np.testing.assert_allclose(rows, 1.0, atol=1e-5)
    cell = view.set_index(["layer", "head", "query_position", "key_position"]).loc[(1, 3, 4, 2)]
    assert cell["probability"] == pytest.approx(t.attention[1, 3, 4, 2])
    assert cell["query_token"] == t.tokens[4] and cell["key_token"] == t.tokens[2]
    assert model_view(t, layers=[1])["layer"].unique().tolist() == [1]
    with pytest.raises(ValueError, match="Layer 7"):
        model_view(t, layers=[7])


def test_a_typed_target_names_one_token_as_it_reads_mid_sentence(tiny_llama):
    lm = tiny_llama
    expected = mid_sentence_id(lm.tokenizer, "cat")  # ␣cat: the word as it reads after a space
    assert target_token(lm, "cat") == (expected, None)
    assert target_token(lm, "␣cat") == target_token(lm, " cat") == (expected, None)
    assert target_token(lm, "  cat ")[0] == expected
    first, note = target_token(lm, "catastrophically")
    pieces = lm.tokenizer(" catastrophically", add_special_tokens=False)["input_ids"]
    assert first == pieces[0] and len(pieces) > 1 and "tokens" in note
    for text in ("", "   ", "x" * 500):
        with pytest.raises(ValueError):
            target_token(lm, text)
