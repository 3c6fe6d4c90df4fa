"""Activation patching (geometry/interpret/patching.py) on every causal family's tiny model, checked
against the model's own forward pass patched with a hook."""

from __future__ import annotations

import pytest
import torch

from geometry.interpret import patching
from geometry.models.handle import network
from geometry.transformer import forward
from geometry.transformer.registry import architecture_of
from geometry.transformer.trace import trace
from tests.unit.interpret.conftest import (
    AGREEING,
    CLEAN,
    CORRUPTED,
    DIFFERING,
    LAST,
    blocks_of,
    ids_of,
    model_logits,
    module_holding,
)

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

        W_O = (
            forward.weights_of(network(tiny_lm)).layers[0].W_O
        )  # the module multiplying by it reads the heads
        hooked = difference(corrupted_ids, [(module_holding(tiny_lm, W_O), hook)])
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
