"""GPT-2: learned position vectors, LayerNorm before each sublayer, a GELU MLP, causal attention.

Its ``Conv1D`` weights are stored ``(in, out)`` already, and the query, key and value projections
are fused in one matrix, ``c_attn`` = [W_Q | W_K | W_V].
"""

from __future__ import annotations

from typing import Any

from geometry.transformer.family import BYTE_LEVEL, Family, TinyModel
from geometry.transformer.layout import GELU_MLP, LAYER_NORM, LEARNED, PRE_NORM, Layout
from geometry.transformer.weights import (
    LayerWeights,
    Norm,
    PlainMLP,
    Weights,
    activation,
    output_head,
    per_head,
    per_head_bias,
)


def read(model: Any, architecture: Any) -> Weights:
    base, config = model.base_model, model.config
    return Weights(
        architecture, W_E=base.wte.weight, W_pos=base.wpe.weight,
        layers=tuple(_layer(block, architecture.d_model, architecture.d_head) for block in base.h),
        ln_final=Norm(base.ln_f.weight, base.ln_f.bias), eps=float(config.layer_norm_epsilon),
        activation=activation(config.activation_function), **output_head(model),
    )  # fmt: skip


def _layer(block: Any, d: int, d_head: int) -> LayerWeights:
    attn, mlp = block.attn, block.mlp
    qkv, qkv_bias = attn.c_attn.weight, attn.c_attn.bias  # (d, 3d), (3d,)
    W_Q, W_K, W_V = (per_head(qkv[:, i * d : (i + 1) * d], d_head) for i in range(3))  # (H, d, dh) each
    b_Q, b_K, b_V = (per_head_bias(qkv_bias[i * d : (i + 1) * d], d_head) for i in range(3))
    return LayerWeights(
        ln1=Norm(block.ln_1.weight, block.ln_1.bias),
        W_Q=W_Q, W_K=W_K, W_V=W_V, b_Q=b_Q, b_K=b_K, b_V=b_V,
        W_O=attn.c_proj.weight, b_O=attn.c_proj.bias, scale=float(attn.scaling),
        ln2=Norm(block.ln_2.weight, block.ln_2.bias),
        mlp=PlainMLP(
            W_in=mlp.c_fc.weight, b_in=mlp.c_fc.bias, W_out=mlp.c_proj.weight, b_out=mlp.c_proj.bias
        ),
    )  # fmt: skip


def tiny_config(tokenizer: Any) -> Any:
    from transformers import GPT2Config

    end = tokenizer.eos_token_id  # GPT2Config's default (50256) is outside a tiny vocabulary
    return GPT2Config(
        vocab_size=len(tokenizer), n_positions=64, n_embd=32, n_layer=2, n_head=4, bos_token_id=end,
        eos_token_id=end,
    )  # fmt: skip


FAMILY = Family(
    name="gpt2",
    title="GPT-2",
    model_types=("gpt2",),
    layout=Layout(norm=LAYER_NORM, placement=PRE_NORM, positions=LEARNED, mlp=GELU_MLP),
    read=read,
    word_boundaries=(BYTE_LEVEL,),
    tiny=TinyModel(tiny_config, tokenizer=BYTE_LEVEL),
    example_model="openai-community/gpt2",
    example_weights=124_000_000,
)
