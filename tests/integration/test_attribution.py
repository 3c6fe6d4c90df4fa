"""Why this token, on the packaged SmolLM2: the attribution adds up, the patching checks hold."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from geometry.interpret import attribution, patching

pytestmark = pytest.mark.slow

CLEAN, CORRUPTED = "The capital of France is", "The capital of Italy is"  # differ at position 3


def own_logits(lm, prompt, hook=None):
    """The model's own last-position logits, optionally with a pre-hook on one decoder layer."""
    layer, replace = hook if hook else (None, None)
    handle = None if hook is None else lm.model.model.layers[layer].register_forward_pre_hook(replace)
    try:
        with torch.no_grad():
            return lm.model(torch.tensor([lm.tokenizer(prompt)["input_ids"]])).logits[0, -1].double().numpy()
    finally:
        if handle is not None:
            handle.remove()


def token(lm, text):
    return attribution.token_id(lm, text)


@pytest.mark.parametrize("other", [None, " London"])
def test_the_parts_add_up_to_the_models_own_logit(causal_lm, other):
    table = attribution.logit_attribution(causal_lm, CLEAN, " Paris", other)
    logits = own_logits(causal_lm, CLEAN)
    expected = logits[token(causal_lm, " Paris")] - (0 if other is None else logits[token(causal_lm, other)])
    assert abs(table["contribution"].sum() - expected) <= 1e-3
    assert len(table) == 1 + 30 * (9 + 1) + 1  # embed, 9 heads and an MLP per layer, the remainder
    assert table.loc[table["component"] == "remainder", "contribution"].item() == 0.0  # RMSNorm, no bias


def test_paris_beats_london_mostly_through_late_layers(causal_lm):
    table = attribution.logit_attribution(causal_lm, CLEAN, " Paris", " London")
    assert table.attrs["logit"] > 0
    late = table[table["layer"] >= 15]["contribution"].sum()
    assert late > 0.5 * table.attrs["logit"]  # the answer is written in the second half of the model


@pytest.fixture(scope="module")
def patched(causal_lm):
    return patching.patch_residual(causal_lm, CLEAN, CORRUPTED, " Paris", " Rome")


def test_the_four_patching_checks(patched):
    restored = patched.set_index(["layer", "position"])["restored"]
    assert restored[(0, 3)] == pytest.approx(1.0, abs=1e-3)  # the first layer where the prompts differ
    assert restored[(30, 4)] == pytest.approx(1.0, abs=1e-3)  # the final residual at the last position
    assert restored.xs(0, level="layer").drop(3).abs().max() <= 1e-3  # agreeing positions: nothing
    assert patched["clean_token"].tolist()[:5] == ["The", "␣capital", "␣of", "␣France", "␣is"]


def test_patching_matches_the_model_patched_with_a_hook(causal_lm, patched):
    from geometry.transformer.trace import trace

    clean_vector = torch.tensor(trace(causal_lm, CLEAN).activations["blocks.12.resid_pre"][3])

    def replace(module, args):
        hidden = args[0].clone()
        hidden[0, 3] = clean_vector
        return (hidden, *args[1:])

    paris, rome = token(causal_lm, " Paris"), token(causal_lm, " Rome")
    clean, corrupted = (own_logits(causal_lm, p) for p in (CLEAN, CORRUPTED))
    hooked = own_logits(causal_lm, CORRUPTED, (12, replace))
    expected = (hooked[paris] - hooked[rome] - corrupted[paris] + corrupted[rome]) / (
        clean[paris] - clean[rome] - corrupted[paris] + corrupted[rome]
    )
    row = patched[(patched["layer"] == 12) & (patched["position"] == 3)]
    assert row["restored"].item() == pytest.approx(expected, abs=1e-3)


def test_heads_at_the_last_position(causal_lm):
    heads = patching.patch_heads(causal_lm, CLEAN, CORRUPTED, " Paris", " Rome")
    assert len(heads) == 30 * 9 and np.isfinite(heads["restored"]).all()
    assert heads["restored"].max() > 0.1  # some head carries the country to the last token


def test_the_number_agreement_preset_patches_between_the_two_top_tokens(causal_lm):
    clean, corrupted = "The dog that chased the cat was", "The dogs that chased the cat were"
    tops = [int(np.argmax(own_logits(causal_lm, prompt))) for prompt in (clean, corrupted)]
    table = patching.patch_residual(causal_lm, clean, corrupted, *tops)
    n_tokens = len(causal_lm.tokenizer(clean)["input_ids"])
    assert len(table) == 31 * n_tokens
    last = table[table["position"] == n_tokens - 1].set_index("layer")["restored"]
    assert last[30] == pytest.approx(1.0, abs=1e-3)  # the final residual at the last position
