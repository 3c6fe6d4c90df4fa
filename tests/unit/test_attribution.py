"""Direct logit attribution and activation patching on tiny random GPT-2, Llama and Qwen2 models.

Every number is checked against the model's own forward pass (transformers), patched with a
hook where the experiment changes the computation.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from geometry.interpret import attribution, patching
from geometry.models.handle import network
from geometry.transformer import forward
from geometry.transformer.registry import architecture_of
from geometry.transformer.trace import trace
from ui.trace import why

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


# --------------------------------------------------------------------------- direct logit attribution


def test_contributions_add_up_to_the_models_own_logit(tiny_lm):
    logits = model_logits(tiny_lm, ids_of(tiny_lm, CLEAN))
    target = int(np.argmax(logits))
    table = attribution.logit_attribution(tiny_lm, CLEAN, target)
    assert abs(table["contribution"].sum() - logits[target]) <= 1e-3
    assert table.attrs["target"] == target and table.attrs["other"] is None


def test_contributions_add_up_to_the_models_logit_difference(tiny_lm, pair):
    target, other = pair
    logits = model_logits(tiny_lm, ids_of(tiny_lm, CLEAN))
    table = attribution.logit_attribution(tiny_lm, CLEAN, target, other)
    assert abs(table["contribution"].sum() - (logits[target] - logits[other])) <= 1e-3
    assert abs(table.attrs["logit"] - (logits[target] - logits[other])) <= 1e-3


def test_one_row_per_part_of_the_residual_stream(tiny_lm):
    table = attribution.logit_attribution(tiny_lm, CLEAN, 5)
    weights = forward.weights_of(network(tiny_lm))
    arch = weights.architecture
    learned = arch.layout.positions.learned  # a position vector of its own
    biased = weights.layers[0].b_O is not None  # an attention output bias
    expected = ["embed", *(["pos_embed"] if learned else [])]
    for layer in range(arch.n_layers):
        expected += [f"L{layer}H{h}" for h in range(arch.n_heads)]
        expected += [f"L{layer}.attn_bias"] if biased else []
        expected += [f"L{layer}.mlp"]
    assert table["component"].tolist() == [*expected, "remainder"]
    heads = table[table["component"].str.fullmatch(r"L\d+H\d+")]
    assert heads["head"].notna().all() and table.loc[~table.index.isin(heads.index), "head"].isna().all()
    assert table["layer"].isna().tolist()[: len(expected) - 1].count(True) == (2 if learned else 1)


def test_a_layers_heads_and_bias_add_up_to_its_attention_output(tiny_lm):
    """Each head's z times its slice of W_O, summed with the bias, is the attention sublayer's output."""
    t = trace(tiny_lm, CLEAN)
    table = attribution.attribution_from_trace(tiny_lm, t, 5)
    read, _, _ = attribution.read_out_of(tiny_lm, 5)
    scale = table.attrs["scale"]
    for layer in range(t.architecture.n_layers):
        out = t.activations[f"blocks.{layer}.attn.out"][-1].astype(np.float64)
        out = out - out.mean() if read.weights.layout.norm.centred else out
        w = read.weights.ln_final.w.double()
        direct = scale * float(out @ (w * read.direction.double()).numpy())
        parts = table[(table["layer"] == layer) & (table["component"] != f"L{layer}.mlp")]
        assert parts["contribution"].sum() == pytest.approx(direct, abs=1e-4)


def test_the_frozen_scale_is_the_final_norms_own(tiny_lm):
    t = trace(tiny_lm, CLEAN)
    table = attribution.attribution_from_trace(tiny_lm, t, 5)
    final = t.activations[f"blocks.{t.architecture.n_layers - 1}.resid_post"][-1]
    weights = forward.weights_of(network(tiny_lm))
    normed = forward.final_norm(torch.tensor(final)[None], weights)[0].numpy()
    w = weights.ln_final.w.numpy()
    shift = 0 if weights.ln_final.b is None else weights.ln_final.b.numpy()
    centred = final - final.mean() if weights.layout.norm.centred else final
    np.testing.assert_allclose(centred * table.attrs["scale"] * w + shift, normed, atol=1e-5)


@pytest.mark.parametrize("token", ["two words here", "", 10**9])
def test_a_target_must_be_one_token(tiny_lm, token):
    with pytest.raises(ValueError, match="one token|no token"):
        attribution.logit_attribution(tiny_lm, CLEAN, token)


def test_target_and_other_must_differ(tiny_lm):
    with pytest.raises(ValueError, match="same token"):
        attribution.logit_attribution(tiny_lm, CLEAN, 7, 7)


def test_an_encoder_has_no_token_to_take_apart(tiny_bert):
    with pytest.raises(ValueError, match="causal language model"):
        attribution.logit_attribution(tiny_bert, CLEAN, 5)


# --------------------------------------------------------------------------- activation patching


@pytest.fixture
def patched(tiny_lm, pair):
    table = patching.patch_residual(tiny_lm, CLEAN, CORRUPTED, *pair)
    return table.set_index(["layer", "position"])["restored"]


def test_the_prompts_differ_at_one_position(tiny_lm):
    clean, corrupted = ids_of(tiny_lm, CLEAN), ids_of(tiny_lm, CORRUPTED)
    assert len(clean) == len(corrupted) == 5
    assert [i for i, (a, b) in enumerate(zip(clean, corrupted, strict=True)) if a != b] == [DIFFERING]


def test_nothing_patched_restores_nothing(tiny_lm, pair):
    """Resuming the corrupted run from any layer, unpatched, is the corrupted run: 0 restored."""
    runs = patching.patching_runs(tiny_lm, CLEAN, CORRUPTED, *pair)
    n_layers = runs.read.weights.architecture.n_layers
    for layer in range(n_layers + 1):
        stream = patching._stream(runs.corrupted, layer, n_layers)
        final = forward.run_from(runs.read.weights, stream, layer, runs.rope)
        assert runs.restored(final[None])[0] == pytest.approx(0.0, abs=1e-4)


def test_patching_the_first_layer_where_the_prompts_differ_restores_all(patched):
    assert patched[(0, DIFFERING)] == pytest.approx(1.0, abs=1e-4)


def test_patching_the_final_residual_at_the_last_position_restores_all(patched):
    n_layers = patched.index.get_level_values("layer").max()
    assert patched[(n_layers, LAST)] == pytest.approx(1.0, abs=1e-4)
    assert (
        patched.xs(n_layers, level="layer").iloc[:-1].abs().max() <= NOTHING
    )  # only the last position reads out


# "Nothing" within float32 rounding: a patched run goes through the batch (vmap) and the cache, the
# corrupted one through one plain pass, and a tiny model's logit difference can be ~0.05, so two
# roundings of its logits (~3e-8 each) are ~1e-6 of it.
NOTHING = 1e-5


def test_patching_a_position_where_the_prompts_agree_restores_nothing(patched):
    assert patched[(0, AGREEING)] == pytest.approx(0.0, abs=NOTHING)
    assert patched.xs(0, level="layer").drop(DIFFERING).abs().max() <= 1e-4  # every agreeing position


def test_positions_before_the_change_stay_untouched_at_every_layer(patched):
    """Causal attention: before the differing position both runs are the same; patching there does nothing."""
    early = patched[patched.index.get_level_values("position") < DIFFERING]
    assert early.abs().max() <= NOTHING


def blocks_of(lm):
    base = network(lm).base_model
    return list(base.h) if hasattr(base, "h") else list(base.layers)


def test_residual_patching_matches_the_model_patched_with_a_hook(tiny_lm, pair, patched):
    """The model's own forward pass with block 1's input at the differing row replaced by the clean run's."""
    target, other = pair
    clean_ids, corrupted_ids = ids_of(tiny_lm, CLEAN), ids_of(tiny_lm, CORRUPTED)
    clean_vector = torch.tensor(trace(tiny_lm, CLEAN).activations["blocks.1.resid_pre"][DIFFERING])

    def hook(module, args):
        hidden = args[0].clone()
        hidden[0, DIFFERING] = clean_vector
        return (hidden, *args[1:])

    def difference(logits):
        return logits[target] - logits[other]

    clean, corrupted = (
        difference(model_logits(tiny_lm, clean_ids)),
        difference(model_logits(tiny_lm, corrupted_ids)),
    )
    hooked = difference(model_logits(tiny_lm, corrupted_ids, [(blocks_of(tiny_lm)[1], hook)]))
    assert patched[(1, DIFFERING)] == pytest.approx((hooked - corrupted) / (clean - corrupted), abs=1e-4)


def output_projection(block):
    return block.attn.c_proj if hasattr(block, "attn") else block.self_attn.o_proj


def test_head_patching_matches_the_model_patched_with_a_hook(tiny_lm, pair):
    """Head h's input to W_O at the last position, taken from the clean run, in the corrupted run."""
    target, other = pair
    table = patching.patch_heads(tiny_lm, CLEAN, CORRUPTED, *pair).set_index(["layer", "head"])["restored"]
    arch = architecture_of(network(tiny_lm))
    clean_ids, corrupted_ids = ids_of(tiny_lm, CLEAN), ids_of(tiny_lm, CORRUPTED)
    z_clean = trace(tiny_lm, CLEAN).activations["blocks.0.attn.z"][:, -1]  # (H, dh)

    def difference(ids, hooks=()):
        logits = model_logits(tiny_lm, ids, hooks)
        return logits[target] - logits[other]

    clean, corrupted = difference(clean_ids), difference(corrupted_ids)
    for head in range(arch.n_heads):

        def hook(module, args, head=head):
            merged = args[0].clone()  # (1, T, H·dh) the heads' outputs side by side
            merged[0, -1, head * arch.d_head : (head + 1) * arch.d_head] = torch.tensor(z_clean[head])
            return (merged,)

        hooked = difference(corrupted_ids, [(output_projection(blocks_of(tiny_lm)[0]), hook)])
        assert table[(0, head)] == pytest.approx((hooked - corrupted) / (clean - corrupted), abs=1e-4)
    assert len(table) == arch.n_layers * arch.n_heads


def test_prompts_of_unequal_length_get_a_message(tiny_lm, pair):
    with pytest.raises(ValueError, match="same number of tokens"):
        patching.patch_residual(tiny_lm, CLEAN, "the capital of the united states is", *pair)


def test_long_prompts_are_refused(tiny_lm, pair):
    with pytest.raises(ValueError, match="up to 16"):
        patching.patch_residual(tiny_lm, CLEAN + " big" * 20, CORRUPTED + " big" * 20, *pair)


def test_identical_prompts_have_nothing_to_restore(tiny_lm, pair):
    with pytest.raises(ValueError, match="nothing to restore"):
        patching.patch_heads(tiny_lm, CLEAN, CLEAN, *pair)


def test_progress_is_reported_to_the_end(tiny_lm, pair):
    seen = []
    patching.patch_residual(tiny_lm, CLEAN, CORRUPTED, *pair, progress=lambda f, text: seen.append(f))
    n = len(ids_of(tiny_lm, CLEAN))  # one step per position
    assert seen == pytest.approx([(i + 1) / n for i in range(n)])


def test_patching_leaves_the_model_unchanged(tiny_lm, pair):
    before = {name: p.clone() for name, p in network(tiny_lm).named_parameters()}
    patching.patch_heads(tiny_lm, CLEAN, CORRUPTED, *pair)
    patching.patch_residual(tiny_lm, CLEAN, CORRUPTED, *pair)
    assert all(torch.equal(before[name], p) for name, p in network(tiny_lm).named_parameters())


# --------------------------------------------------------------------------- readings of the tables


@pytest.mark.parametrize(
    ("component", "words"),
    [("L23H4", "head 4 of layer 23"), ("L5.mlp", "the MLP of layer 5"), ("embed", "the token's embedding"),
     ("L0.attn_bias", "the attention output bias of layer 0")],
)  # fmt: skip
def test_components_in_words(component, words):
    assert attribution.component_name(component) == words


def test_the_sentence_reads_the_largest_parts_with_their_numbers(tiny_lm, pair):
    table = attribution.logit_attribution(tiny_lm, CLEAN, *pair)
    sentence = why.attribution_sentence(table, "a", "b")
    top = attribution.top_components(table[table["component"] != "remainder"], k=len(table))
    biggest_up = top[top["contribution"] > 0].iloc[0]
    assert sentence.startswith(f"a beats b by {table.attrs['logit']:.2f}.")
    assert (
        f"{attribution.component_name(biggest_up['component'])} ({biggest_up['contribution']:+.2f})"
        in sentence
    )
    assert top["contribution"].abs().is_monotonic_decreasing


# --------------------------------------------------------------------------- resuming the forward pass


def test_resuming_from_a_layer_with_cached_keys_gives_the_full_runs_output(tiny_lm):
    """run_from on the tokens from position 3 on, the earlier ones' keys and values cached, at layer 1."""
    weights = forward.weights_of(network(tiny_lm))
    acts = forward.run(weights, torch.tensor(ids_of(tiny_lm, CLEAN)))
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
    )
    torch.testing.assert_close(
        after_attention, acts[f"blocks.{n_layers - 1}.resid_post"], atol=1e-5, rtol=1e-5
    )
