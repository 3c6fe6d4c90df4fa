"""One MLP neuron drilled down, on every causal family's tiny model: the model's own activations."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from geometry.interpret.neurons import (
    neuron_contexts,
    neuron_vocabulary,
    output_row,
    reference_activations,
    reference_lines,
)
from geometry.transformer.forward import weights_of
from tests.unit.interpret.conftest import module_holding

TEXT = "The cat sat on the mat.\nA storm is coming over the hills tonight.\nShe sang."


def down_projection(lm, layer):
    """The model's module whose input is the neuron activations: the one multiplying by W_out / W_down."""
    return module_holding(lm, weights_of(lm.model).layers[layer].mlp.output_matrix)


def hooked_activations(lm, layer, lines):
    """The model's own MLP activations, caught by a forward hook on its output projection."""
    caught = []
    hook = down_projection(lm, layer).register_forward_hook(
        lambda m, inputs, out: caught.append(inputs[0][0])
    )
    try:
        with torch.no_grad():
            for line in lines:
                lm.model(torch.tensor([lm.tokenizer(line)["input_ids"]]))
    finally:
        hook.remove()
    return torch.cat(caught).numpy()  # (N, d_mlp)


def test_the_activations_are_the_models_own(tiny_lm):
    acts = reference_activations(tiny_lm, layer=1, text=TEXT)
    own = hooked_activations(tiny_lm, 1, reference_lines(TEXT))
    assert acts.post.shape == own.shape
    np.testing.assert_allclose(acts.post, own, rtol=1e-5, atol=1e-5)  # float32: ~1e-6 of large activations
    assert acts.line.tolist().count(2) == len(tiny_lm.tokenizer("She sang.")["input_ids"])
    assert acts.position[acts.line == 1].tolist() == list(range((acts.line == 1).sum()))


def test_the_top_contexts_are_the_largest_activations(tiny_lm):
    acts = reference_activations(tiny_lm, layer=0, text=TEXT)
    table = neuron_contexts(tiny_lm, acts, neuron=5, k=4, window=2)
    values = acts.post[:, 5]
    np.testing.assert_allclose(table["activation"], np.sort(values)[::-1][:4])
    assert table["rank"].tolist() == [1, 2, 3, 4]
    first = table.iloc[0]
    i = int(np.argmax(values))
    assert first["token"] == acts.tokens[i] and first["line"] == acts.line[i]
    context = first["context"]
    assert context.startswith(first["before"].strip()) and context.endswith(first["after"].strip())
    assert "[" in first["context"] and "\n" not in first["context"]
    with pytest.raises(ValueError, match="Neuron 999"):
        neuron_contexts(tiny_lm, acts, neuron=999)


def test_the_contexts_stay_inside_their_line(tiny_gpt2):
    acts = reference_activations(tiny_gpt2, layer=0, text=TEXT)
    table = neuron_contexts(tiny_gpt2, acts, neuron=0, k=len(acts.tokens), window=50)
    lengths = {line: int((acts.line == line).sum()) for line in set(acts.line.tolist())}
    first = table[table["position"] == 0]
    last = table[table["position"] == table["line"].map(lengths) - 1]
    assert len(first) == len(last) == len(lengths)
    assert (first["before"] == "").all() and (last["after"] == "").all()


def test_the_promoted_tokens_are_the_output_row_through_the_unembedding(tiny_lm):
    table = neuron_vocabulary(tiny_lm, layer=1, neuron=3, k=5)
    weights = weights_of(tiny_lm.model)
    scores = (output_row(weights, 1, 3) @ weights.W_U).numpy()
    promotes = table[table["direction"] == "promotes"]
    suppresses = table[table["direction"] == "suppresses"]
    assert promotes["token_id"].tolist() == np.argsort(-scores, kind="stable")[:5].tolist()
    np.testing.assert_allclose(suppresses["score"], np.sort(scores)[:5], rtol=1e-5)
    assert promotes["score"].min() > suppresses["score"].max()
    with pytest.raises(ValueError, match="no neuron"):
        neuron_vocabulary(tiny_lm, layer=9, neuron=0)


def test_the_output_row_is_a_view_of_the_models_matrix(tiny_gpt2, tiny_llama):
    row = output_row(weights_of(tiny_llama.model), 0, 7)
    assert torch.equal(row, tiny_llama.model.model.layers[0].mlp.down_proj.weight[:, 7])
    row = output_row(weights_of(tiny_gpt2.model), 0, 7)
    assert torch.equal(row, tiny_gpt2.model.transformer.h[0].mlp.c_proj.weight[7])


def test_a_layer_that_does_not_exist_is_refused(tiny_gpt2):
    with pytest.raises(ValueError, match="Layer 5"):
        reference_activations(tiny_gpt2, layer=5, text=TEXT)
