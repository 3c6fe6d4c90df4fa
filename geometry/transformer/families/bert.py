"""BERT (the sentence encoder all-MiniLM-L6-v2): token, position and token-type vectors summed and
normalised, attention that looks both ways (no causal mask), LayerNorm after each residual addition
(post-norm), a GELU MLP, and no vocabulary head.

Its ``nn.Linear`` weights are stored ``(out, in)``: ``.T`` is a view in ``(in, out)`` layout.
"""

from __future__ import annotations

from typing import Any

from geometry.transformer.family import WORDPIECE, Family, TinyModel
from geometry.transformer.layout import GELU_MLP, LAYER_NORM, LEARNED, POST_NORM, Layout
from geometry.transformer.weights import (
    LayerWeights,
    Norm,
    PlainMLP,
    Weights,
    activation,
    per_head,
    per_head_bias,
)


def read(model: Any, architecture: Any) -> Weights:
    base, config = model.base_model, model.config
    embeddings = base.embeddings
    return Weights(
        architecture, W_E=embeddings.word_embeddings.weight, W_pos=embeddings.position_embeddings.weight,
        W_type=embeddings.token_type_embeddings.weight,
        ln_embed=Norm(embeddings.LayerNorm.weight, embeddings.LayerNorm.bias),
        layers=tuple(_layer(layer, architecture.d_head) for layer in base.encoder.layer),
        eps=float(config.layer_norm_eps), activation=activation(config.hidden_act),
    )  # fmt: skip


def _layer(layer: Any, d_head: int) -> LayerWeights:
    attn, attn_output = layer.attention.self, layer.attention.output
    intermediate, output = layer.intermediate, layer.output
    q, k, v = attn.query, attn.key, attn.value
    return LayerWeights(
        ln1=Norm(attn_output.LayerNorm.weight, attn_output.LayerNorm.bias),
        W_Q=per_head(q.weight.T, d_head), W_K=per_head(k.weight.T, d_head), W_V=per_head(v.weight.T, d_head),
        b_Q=per_head_bias(q.bias, d_head), b_K=per_head_bias(k.bias, d_head),
        b_V=per_head_bias(v.bias, d_head),
        W_O=attn_output.dense.weight.T, b_O=attn_output.dense.bias, scale=float(attn.scaling),
        ln2=Norm(output.LayerNorm.weight, output.LayerNorm.bias),
        mlp=PlainMLP(
            W_in=intermediate.dense.weight.T, b_in=intermediate.dense.bias,
            W_out=output.dense.weight.T, b_out=output.dense.bias,
        ),
    )  # fmt: skip


def tiny_config(tokenizer: Any) -> Any:
    from transformers import BertConfig

    return BertConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=128,
    )  # fmt: skip


def sharper_weights(model: Any) -> None:
    """Larger than BERT's initial 0.02, so attention is far from uniform."""
    import torch

    with torch.no_grad():
        for weight in model.parameters():
            if weight.dim() == 2:
                weight.normal_(0.0, 0.3)


FAMILY = Family(
    name="bert",
    title="BERT",
    model_types=("bert",),
    layout=Layout(
        norm=LAYER_NORM,
        placement=POST_NORM,
        positions=LEARNED,
        mlp=GELU_MLP,
        causal=False,
        vocabulary_head=False,
        final_norm=False,
        token_types=True,
        embedding_norm=True,
    ),  # fmt: skip
    read=read,
    word_boundaries=(WORDPIECE,),
    tiny=TinyModel(tiny_config, tokenizer=WORDPIECE, prepare=sharper_weights),
)
