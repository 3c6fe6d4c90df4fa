"""The glass-box trace on the packaged SmolLM2: parity with the model, the answer, the cost."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from geometry.interpret.lens import logit_lens
from geometry.transformer.counting import operation_counts
from geometry.transformer.forward import Intervention
from geometry.transformer.generation import generate
from geometry.transformer.readings import next_tokens
from geometry.transformer.trace import trace

pytestmark = pytest.mark.slow

PROMPTS = ["The capital of France is", "The storm is"]


@pytest.fixture(scope="module")
def traces(causal_lm):
    return {prompt: trace(causal_lm, prompt) for prompt in PROMPTS}


def model_output(lm, ids):
    with torch.no_grad():
        return lm.model(torch.tensor([list(ids)]), output_attentions=True, output_hidden_states=True)


@pytest.mark.parametrize("prompt", PROMPTS)
def test_parity_with_the_models_own_forward_pass(causal_lm, traces, prompt):
    t = traces[prompt]
    out = model_output(causal_lm, t.token_ids.tolist())
    attention = np.stack([layer[0].numpy() for layer in out.attentions])  # (30, 9, T, T)
    assert t.attention.shape == attention.shape == (30, 9, t.n_tokens, t.n_tokens)
    assert np.abs(t.activations["logits"] - out.logits[0].numpy()).max() <= 1e-3
    assert np.abs(t.attention - attention).max() <= 1e-4
    assert np.abs(t.activations["ln_final"] - out.hidden_states[-1][0].numpy()).max() <= 1e-3


def test_smollm2_is_read_as_a_llama_with_grouped_query_attention(traces):
    arch = traces["The storm is"].architecture
    assert (arch.family, arch.n_layers, arch.n_heads, arch.n_kv_heads, arch.d_head) == ("llama", 30, 9, 3, 64)
    layout = arch.layout
    assert (str(layout.norm), str(layout.positions), str(layout.mlp), arch.tied_embeddings) == (
        "RMSNorm",
        "rotary",
        "SwiGLU",
        True,
    )
    assert [arch.kv_head_of(h) for h in range(9)] == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_the_capital_of_france_is_paris(causal_lm, traces):
    t = traces["The capital of France is"]
    assert t.tokens == ("The", "␣capital", "␣of", "␣France", "␣is")
    top = next_tokens(causal_lm, t, k=3)
    assert top["token"].iloc[0] == "␣Paris" and top["probability"].iloc[0] > 0.5
    assert causal_lm.tokenizer.decode([int(top["token_id"].iloc[0])]) == " Paris"
    lens = logit_lens(t, k=1)
    assert lens["token"].iloc[-1] == "␣Paris"
    assert lens["token"].iloc[0] != "␣Paris"  # the bare embedding does not know the answer yet


def test_ablating_heads_moves_the_prediction(causal_lm, traces):
    t = traces["The capital of France is"]
    every_head_of_layer_3 = tuple((3, h) for h in range(9))
    ablated = trace(causal_lm, "The capital of France is", Intervention(ablated_heads=every_head_of_layer_3))
    assert np.array_equal(ablated.activations["blocks.2.resid_post"], t.activations["blocks.2.resid_post"])
    assert not np.allclose(ablated.logits, t.logits, atol=1e-3)


def test_the_trace_costs_what_the_model_costs(causal_lm, traces):
    """Counted with torch's FLOP counter: the trace does the model's matrix products, no more."""
    from torch.utils.flop_counter import FlopCounterMode

    prompt = "The capital of France is"
    ids = causal_lm.tokenizer(prompt)["input_ids"]
    with FlopCounterMode(display=False) as model_flops:
        model_output(causal_lm, ids)
    with FlopCounterMode(display=False) as trace_flops:
        trace(causal_lm, prompt)
    assert trace_flops.get_total_flops() <= 1.5 * model_flops.get_total_flops()
    # our own count plus what an implementation also computes: logits for the earlier positions
    # and the masked upper triangle of each T × T score matrix (scores and weighted sums)
    T, arch = len(ids), traces[prompt].architecture
    counted = operation_counts(arch, T)["multiply_adds"].sum()
    extra = (T - 1) * arch.d_model * arch.vocab_size
    extra += 2 * arch.n_layers * arch.n_heads * arch.d_head * (T * T - T * (T + 1) // 2)
    assert trace_flops.get_total_flops() == 2 * (counted + extra)


def test_cached_and_uncached_generation_agree(causal_lm):
    cached = generate(causal_lm, "The capital of France is", 3, use_cache=True)
    scratch = generate(causal_lm, "The capital of France is", 3, use_cache=False)
    assert cached.new_ids == scratch.new_ids
    assert cached.step_texts[0] == " Paris"
    assert cached.cached_tokens == (0, 5, 6)
    assert cached.reused_kv_vectors[1] == 2 * 30 * 3 * 5


# --------------------------------------------------------------------------- the whole model at a glance


def test_the_lens_over_the_prompt_ends_at_smollm2s_own_probabilities(causal_lm, traces):
    from geometry.interpret.lens import lens_table, target_token

    t = traces["The capital of France is"]
    paris, note = target_token(causal_lm, "Paris")
    assert causal_lm.tokenizer.decode([paris]) == " Paris" and note is None
    lens = lens_table(t, target=paris)
    assert len(lens) == (1 + 2 * 30) * t.n_tokens
    own = torch.softmax(model_output(causal_lm, t.token_ids.tolist()).logits[0].double(), -1).numpy()
    last = lens[lens["step"] == lens["step"].max()]
    np.testing.assert_allclose(last["target_probability"], own[:, paris], rtol=1e-3, atol=1e-7)
    np.testing.assert_allclose(last["top_probability"], own.max(-1), rtol=1e-3)
    at_is = lens[lens["position"] == 4]
    assert at_is["target_rank"].iloc[-1] == 1 and at_is["target_rank"].iloc[0] > 1


def test_the_model_view_holds_all_270_heads(traces):
    from geometry.transformer.readings import model_view

    t = traces["The storm is"]
    view = model_view(t)
    assert view.groupby(["layer", "head"]).ngroups == 30 * 9
    np.testing.assert_allclose(
        view.groupby(["layer", "head", "query_position"])["probability"].sum(), 1, atol=1e-5
    )


def test_a_smollm2_neuron_reads_the_models_own_activations(causal_lm):
    from geometry.interpret.neurons import (
        neuron_contexts,
        neuron_vocabulary,
        output_row,
        reference_activations,
        reference_lines,
    )
    from geometry.transformer.forward import weights_of

    layer, caught = 7, []
    down = causal_lm.model.model.layers[layer].mlp.down_proj
    hook = down.register_forward_hook(lambda module, inputs, output: caught.append(inputs[0][0]))
    try:
        with torch.no_grad():
            for line in reference_lines():
                causal_lm.model(torch.tensor([causal_lm.tokenizer(line)["input_ids"]]))
    finally:
        hook.remove()
    own = torch.cat(caught).numpy()  # (N, 1536) what down_proj reads
    acts = reference_activations(causal_lm, layer)
    assert acts.post.shape == own.shape and len(acts.tokens) > 400
    assert np.abs(acts.post - own).max() <= 1e-3
    top = neuron_contexts(causal_lm, acts, 321, k=5)
    np.testing.assert_allclose(top["activation"], np.sort(own[:, 321])[::-1][:5], atol=1e-3)
    words = neuron_vocabulary(causal_lm, layer, 321, k=3)
    weights = weights_of(causal_lm.model)
    scores = (output_row(weights, layer, 321) @ weights.W_U).numpy()
    assert words["token_id"].tolist()[:3] == np.argsort(-scores)[:3].tolist()


def test_a_typed_word_gets_its_space_and_punctuation_is_taken_as_typed(causal_lm):
    from geometry.interpret.lens import target_token

    tokenizer = causal_lm.tokenizer
    (paris,) = tokenizer(" Paris", add_special_tokens=False)["input_ids"]
    assert {target_token(causal_lm, text)[0] for text in ("Paris", "␣Paris", " Paris")} == {paris}
    (comma,) = tokenizer(",", add_special_tokens=False)["input_ids"]
    (space_comma,) = tokenizer(" ,", add_special_tokens=False)["input_ids"]
    assert target_token(causal_lm, ",") == (comma, None)
    assert target_token(causal_lm, "␣,")[0] == space_comma != comma
    first, note = target_token(causal_lm, "Parisian")
    assert first == tokenizer(" Parisian", add_special_tokens=False)["input_ids"][0] and "2 tokens" in note
