"""Direct logit attribution (geometry/interpret/attribution.py) on every causal family's tiny model:
the parts add up to the model's own logit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from geometry.interpret import attribution
from geometry.models.handle import network
from geometry.transformer import forward
from geometry.transformer.trace import trace
from tests.unit.interpret.conftest import CLEAN, ids_of, model_logits
from ui.trace import why

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
        w = forward.gain(read.weights.ln_final, read.weights.layout.norm).double()  # w, or 1 + w
        direct = scale * float(out @ (w * read.direction.double()).numpy())
        parts = table[(table["layer"] == layer) & (table["component"] != f"L{layer}.mlp")]
        assert parts["contribution"].sum() == pytest.approx(direct, abs=1e-4)


def test_the_frozen_scale_is_the_final_norms_own(tiny_lm):
    t = trace(tiny_lm, CLEAN)
    table = attribution.attribution_from_trace(tiny_lm, t, 5)
    final = t.activations[f"blocks.{t.architecture.n_layers - 1}.resid_post"][-1]
    weights = forward.weights_of(network(tiny_lm))
    normed = forward.final_norm(torch.tensor(final)[None], weights)[0].numpy()
    w = forward.gain(weights.ln_final, weights.layout.norm).numpy()  # w, or 1 + w
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
