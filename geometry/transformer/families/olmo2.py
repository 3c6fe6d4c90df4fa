"""OLMo-2 (AI2's fully open models): Llama's module names, with its norms elsewhere. Each sublayer
reads the residual stream as it is, and its output is normalised before it is added,
``x + RMSNorm(attention(x))`` then ``+ RMSNorm(MLP(·))`` (``post_attention_layernorm``,
``post_feedforward_layernorm``); the queries and keys are normalised over the whole projection, all
heads' numbers of a token together, before they are split into heads and turned (``q_norm``,
``k_norm``); one more RMSNorm before the unembedding; a SwiGLU MLP, rotary positions.

Example model: OLMo-2 1B (April 2025), the family's smallest: 16 layers, 1.5 billion weights,
about 6 GB in float32, so a machine with that much memory (not Streamlit Community Cloud).
"""

from __future__ import annotations

from typing import Any

from geometry.transformer.families import llama
from geometry.transformer.family import BYTE_LEVEL, Family, TinyModel, far_from_initial
from geometry.transformer.layout import OUTPUT_NORM, QK_NORM_WHOLE, RMS_NORM, ROTARY, SWIGLU, Layout
from geometry.transformer.weights import LayerWeights, Norm, Weights


def read(model: Any, architecture: Any) -> Weights:
    return llama.read(model, architecture, read_layer=_layer)


def _layer(layer: Any, d_head: int) -> LayerWeights:
    attn = layer.self_attn
    return LayerWeights(
        ln1=None, ln2=None, mlp=llama.gated_mlp(layer.mlp), **llama.attention_weights(attn, d_head),
        ln1_out=Norm(layer.post_attention_layernorm.weight, None),
        ln2_out=Norm(layer.post_feedforward_layernorm.weight, None),
        q_norm=Norm(attn.q_norm.weight, None), k_norm=Norm(attn.k_norm.weight, None),  # (H·dh,), (Hkv·dh,)
    )  # fmt: skip


def tiny_config(tokenizer: Any) -> Any:
    from transformers import Olmo2Config

    return Olmo2Config(
        vocab_size=len(tokenizer), pad_token_id=tokenizer.eos_token_id, bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id, **llama.TINY_SIZES,
    )  # fmt: skip


FAMILY = Family(
    name="olmo2",
    title="OLMo-2",
    model_types=("olmo2",),
    layout=Layout(norm=RMS_NORM, placement=OUTPUT_NORM, positions=ROTARY, mlp=SWIGLU, qk_norm=QK_NORM_WHOLE),
    read=read,
    word_boundaries=(BYTE_LEVEL,),
    tiny=TinyModel(tiny_config, tokenizer=BYTE_LEVEL, prepare=far_from_initial),
    example_model="allenai/OLMo-2-0425-1B",
    example_weights=1_480_000_000,
)
