"""Gemma 2: Gemma's choices (√d_model embedding scale, ``(1 + w)`` RMSNorm, GeGLU, heads of their own
size) with a norm both before each sublayer and on its output (``input_layernorm`` then
``post_attention_layernorm``; ``pre_feedforward_layernorm`` then ``post_feedforward_layernorm``), and
the queries scaled by a number of the config's own (``query_pre_attn_scalar``), not the head size.

Every released Gemma 2 model also caps its attention scores and logits softly (``tanh``) and lets
every other layer look back only a window of tokens: the trace refuses both by name. A model of
this family without them (the tiny test model) is followed.
"""

from __future__ import annotations

from typing import Any

from geometry.transformer.families import llama
from geometry.transformer.family import (
    SENTENCEPIECE_NO_PREFIX,
    SLIDING_WINDOW,
    SOFT_CAPPING,
    Family,
    TinyModel,
    far_from_initial,
)
from geometry.transformer.layout import GEGLU, RMS_NORM_PLUS_ONE, ROTARY, SANDWICH_NORM, SQRT_D, Layout
from geometry.transformer.weights import LayerWeights, Norm, Weights


def read(model: Any, architecture: Any) -> Weights:
    return llama.read(
        model, architecture, read_layer=sandwich_layer, activation_name=model.config.hidden_activation
    )


def sandwich_layer(layer: Any, d_head: int) -> LayerWeights:
    """One block with a norm before each sublayer and one on its output."""
    return LayerWeights(
        ln1=Norm(layer.input_layernorm.weight, None), ln2=Norm(layer.pre_feedforward_layernorm.weight, None),
        ln1_out=Norm(layer.post_attention_layernorm.weight, None),
        ln2_out=Norm(layer.post_feedforward_layernorm.weight, None),
        mlp=llama.gated_mlp(layer.mlp), **llama.attention_weights(layer.self_attn, d_head),
    )  # fmt: skip


def tiny_settings(tokenizer: Any) -> dict[str, Any]:
    """Every layer looks at every earlier token, nothing is capped; queries scaled by 1/√24; heads of
    16 numbers while d_model / heads is 8."""
    return dict(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, head_dim=16, query_pre_attn_scalar=24,
        max_position_embeddings=64, layer_types=["full_attention"] * 2, attn_logit_softcapping=None,
        final_logit_softcapping=None, pad_token_id=tokenizer.unk_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
    )  # fmt: skip


def tiny_config(tokenizer: Any, **changes: Any) -> Any:
    from transformers import Gemma2Config

    return Gemma2Config(**(tiny_settings(tokenizer) | changes))


def capped_config(tokenizer: Any) -> Any:
    return tiny_config(tokenizer, attn_logit_softcapping=50.0, final_logit_softcapping=30.0)


def windowed_config(tokenizer: Any) -> Any:
    return tiny_config(tokenizer, layer_types=["sliding_attention", "full_attention"], sliding_window=4)


FAMILY = Family(
    name="gemma2",
    title="Gemma 2",
    model_types=("gemma2",),
    layout=Layout(
        norm=RMS_NORM_PLUS_ONE, placement=SANDWICH_NORM, positions=ROTARY, mlp=GEGLU, embedding_scale=SQRT_D
    ),
    read=read,
    word_boundaries=(SENTENCEPIECE_NO_PREFIX,),
    tiny=TinyModel(
        tiny_config,
        tokenizer=SENTENCEPIECE_NO_PREFIX,
        prepare=lambda model: far_from_initial(model, matrices=0.1),  # 0.2 makes SGD at 0.5 overshoot
        refused=((SOFT_CAPPING, capped_config), (SLIDING_WINDOW, windowed_config)),
    ),
)
