"""The forward pass resumed from any layer (geometry/transformer/forward.py run_from), with the
keys and values of earlier tokens cached, as patching needs."""

from __future__ import annotations

import torch

from geometry.models.handle import network
from geometry.transformer import forward

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
    )
    torch.testing.assert_close(
        after_attention, acts[f"blocks.{n_layers - 1}.resid_post"], atol=1e-5, rtol=1e-5
    )
