"""Llama (SmolLM2): rotary positions, RMSNorm before each sublayer, a SiLU-gated MLP (SwiGLU),
grouped-query causal attention.

Its ``nn.Linear`` weights are stored ``(out, in)``: ``.T`` is a view in ``(in, out)`` layout. Biases
are read where the model has them, else None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from geometry.transformer.family import BYTE_LEVEL, SENTENCEPIECE, Family, TinyModel
from geometry.transformer.layout import PRE_NORM, RMS_NORM, ROTARY, SWIGLU, Layout
from geometry.transformer.weights import (
    GatedMLP,
    LayerWeights,
    Norm,
    Weights,
    activation,
    output_head,
    per_head,
    per_head_bias,
)

# Llama and the families that share its layout (Qwen2): 2 layers, 4 query heads sharing 2
# key/value heads, rotary positions
TINY_SIZES = {
    "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
    "num_key_value_heads": 2, "max_position_embeddings": 64,
}  # fmt: skip


def read(
    model: Any, architecture: Any, read_layer: Callable[[Any, int], LayerWeights] | None = None,
    activation_name: str | None = None,
) -> Weights:  # fmt: skip
    """The named matrices of a Llama-style model; ``read_layer`` reads each block (Llama's by default:
    a family with these module names and its norms elsewhere passes its own), ``activation_name`` is
    the MLP's activation where the config does not call it ``hidden_act``."""
    base, config, read_layer = model.base_model, model.config, read_layer or pre_norm_layer
    return Weights(
        architecture, W_E=base.embed_tokens.weight,
        layers=tuple(read_layer(layer, architecture.d_head) for layer in base.layers),
        ln_final=Norm(base.norm.weight, None), eps=float(config.rms_norm_eps),
        activation=activation(activation_name or config.hidden_act), rotary_embedding=base.rotary_emb,
        **output_head(model),
    )  # fmt: skip


def pre_norm_layer(layer: Any, d_head: int) -> LayerWeights:
    """One block with RMSNorm before each sublayer (``input_layernorm``, ``post_attention_layernorm``)."""
    return LayerWeights(
        ln1=Norm(layer.input_layernorm.weight, None), ln2=Norm(layer.post_attention_layernorm.weight, None),
        mlp=gated_mlp(layer.mlp), **attention_weights(layer.self_attn, d_head),
    )  # fmt: skip


def attention_weights(attn: Any, d_head: int) -> dict[str, Any]:
    """The query, key, value and output projections of one attention module, as LayerWeights fields."""
    q, k, v = attn.q_proj, attn.k_proj, attn.v_proj
    return dict(
        W_Q=per_head(q.weight.T, d_head), W_K=per_head(k.weight.T, d_head), W_V=per_head(v.weight.T, d_head),
        b_Q=per_head_bias(q.bias, d_head), b_K=per_head_bias(k.bias, d_head),
        b_V=per_head_bias(v.bias, d_head),
        W_O=attn.o_proj.weight.T, b_O=attn.o_proj.bias, scale=float(attn.scaling),
    )  # fmt: skip


def gated_mlp(mlp: Any) -> GatedMLP:
    return GatedMLP(
        W_gate=mlp.gate_proj.weight.T, b_gate=mlp.gate_proj.bias, W_up=mlp.up_proj.weight.T,
        b_up=mlp.up_proj.bias, W_down=mlp.down_proj.weight.T, b_down=mlp.down_proj.bias,
    )  # fmt: skip


def tiny_config(tokenizer: Any) -> Any:
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=len(tokenizer), bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        tie_word_embeddings=True, **TINY_SIZES,
    )  # fmt: skip


FAMILY = Family(
    name="llama",
    title="Llama",
    model_types=("llama",),
    layout=Layout(norm=RMS_NORM, placement=PRE_NORM, positions=ROTARY, mlp=SWIGLU),
    read=read,
    word_boundaries=(BYTE_LEVEL, SENTENCEPIECE),  # SmolLM2 and Llama 3 are byte-level; Llama 2 SentencePiece
    tiny=TinyModel(tiny_config, tokenizer=BYTE_LEVEL),
    example_model="HuggingFaceTB/SmolLM2-135M-Instruct",
)
