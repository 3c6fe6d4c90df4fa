"""The families' sentences (ui/trace/describe.py) are written from each layout, never a name."""

from __future__ import annotations

import dataclasses

from geometry.models.handle import network
from geometry.transformer.layout import GEGLU, PARTIAL_ROTARY, POST_NORM, RMS_NORM_PLUS_ONE, SQRT_D
from geometry.transformer.registry import architecture_of
from ui.trace import describe


def test_every_family_reads_as_its_layout_says(tiny_family):
    arch = architecture_of(network(tiny_family))
    layout = arch.layout
    sentence = describe.family_sentence(tiny_family.name, arch)
    assert sentence.startswith(f"**{arch.title}** ({tiny_family.name})")
    assert ("post-norm" in sentence) == layout.placement.after_add
    assert ("pre-norm" in sentence) == layout.placement.before
    assert ("backwards" in sentence) == layout.causal
    assert ("without a vocabulary head" in sentence) == (not layout.vocabulary_head)
    assert ("gated" in sentence) == layout.mlp.gated
    assert ("learned position" in describe.positions_text(arch)) == layout.positions.learned
    assert layout.mlp.activation in describe.neuron_formula(arch)


def test_a_new_layout_reads_right_without_a_new_line(tiny_llama):
    """Gemma's choices, declared as data, are said as they are."""
    arch = architecture_of(network(tiny_llama))
    gemma_like = dataclasses.replace(
        arch.layout, norm=RMS_NORM_PLUS_ONE, mlp=GEGLU, embedding_scale=SQRT_D, positions=PARTIAL_ROTARY
    )
    arch = dataclasses.replace(arch, layout=gemma_like, title="Gemma")
    sentence = describe.family_sentence("gemma-test", arch)
    assert "GELU-gated MLP (GeGLU)" in sentence and "RMSNorm (1 + w)" in sentence and "by √d" in sentence
    assert "the first numbers of every query and key" in describe.positions_text(arch)
    body, formula = describe.mlp_explanation(arch)
    assert "GELU squashes it" in body and r"\operatorname{GELU}(x W_\text{gate})" in formula
    post = dataclasses.replace(arch, layout=dataclasses.replace(gemma_like, placement=POST_NORM))
    assert "each residual addition (post-norm)" in describe.family_sentence("x", post)
