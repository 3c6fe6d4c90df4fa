"""GPT-NeoX (EleutherAI's Pythia suite, the interpretability community's standard): LayerNorm before
each sublayer, attention and the MLP side by side on the block's input (a parallel residual),
rotary positions on the first quarter of each head only (partial rotary), a GELU MLP, causal
attention, an untied unembedding.

The query, key and value projections are one fused ``nn.Linear`` (``query_key_value``) whose outputs
come head by head, ``[q_h | k_h | v_h]`` for each head h: each head's three matrices are views of it.
A GPT-NeoX model trained with attention and the MLP one after the other is refused by name.
"""

from __future__ import annotations

from typing import Any

from geometry.transformer.family import (
    BYTE_LEVEL,
    STANDARD_REFUSALS,
    Family,
    Refusal,
    TinyModel,
    far_from_initial,
)
from geometry.transformer.layout import GELU_MLP, LAYER_NORM, PARALLEL, PARTIAL_ROTARY, PRE_NORM, Layout
from geometry.transformer.weights import LayerWeights, Norm, PlainMLP, Weights, activation, output_head


def read(model: Any, architecture: Any) -> Weights:
    base, config = model.base_model, model.config
    return Weights(
        architecture, W_E=base.embed_in.weight,
        layers=tuple(_layer(layer, architecture.d_head) for layer in base.layers),
        ln_final=Norm(base.final_layer_norm.weight, base.final_layer_norm.bias),
        eps=float(config.layer_norm_eps), activation=activation(config.hidden_act),
        rotary_embedding=base.rotary_emb, **output_head(model),
    )  # fmt: skip


def _fused(projection: Any, d_head: int, which: int) -> tuple[Any, Any]:
    """Query (0), key (1) or value (2) of every head from the fused projection, as views:
    W (H, d, dh) and b (H, 1, dh) or None."""
    W = projection.weight.T.unflatten(1, (-1, 3, d_head))[:, :, which].transpose(0, 1)  # (H, d, dh)
    b = projection.bias
    return W, None if b is None else b.unflatten(0, (-1, 3, d_head))[:, which][:, None]  # (H, 1, dh)


def _layer(layer: Any, d_head: int) -> LayerWeights:
    attn, mlp, qkv = layer.attention, layer.mlp, layer.attention.query_key_value
    (W_Q, b_Q), (W_K, b_K), (W_V, b_V) = (_fused(qkv, d_head, which) for which in range(3))
    return LayerWeights(
        ln1=Norm(layer.input_layernorm.weight, layer.input_layernorm.bias),
        W_Q=W_Q, W_K=W_K, W_V=W_V, b_Q=b_Q, b_K=b_K, b_V=b_V,
        W_O=attn.dense.weight.T, b_O=attn.dense.bias, scale=float(attn.scaling),
        ln2=Norm(layer.post_attention_layernorm.weight, layer.post_attention_layernorm.bias),
        mlp=PlainMLP(
            W_in=mlp.dense_h_to_4h.weight.T, b_in=mlp.dense_h_to_4h.bias,
            W_out=mlp.dense_4h_to_h.weight.T, b_out=mlp.dense_4h_to_h.bias,
        ),
    )  # fmt: skip


def tiny_config(tokenizer: Any, **changes: Any) -> Any:
    """Pythia's shape in small: 4 heads of 16 numbers, the first 4 of each turned (rotary_pct 0.25)."""
    from transformers import GPTNeoXConfig

    end = tokenizer.eos_token_id
    return GPTNeoXConfig(
        vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=128, max_position_embeddings=64, rotary_pct=0.25, bos_token_id=end,
        eos_token_id=end, **changes,
    )  # fmt: skip


SEQUENTIAL_RESIDUAL = Refusal(
    "attention and MLP one after the other (use_parallel_residual = False)",
    lambda config: not getattr(config, "use_parallel_residual", True),
)

FAMILY = Family(
    name="gpt_neox",
    title="GPT-NeoX",
    model_types=("gpt_neox",),
    layout=Layout(
        norm=LAYER_NORM, placement=PRE_NORM, positions=PARTIAL_ROTARY, mlp=GELU_MLP, residual=PARALLEL
    ),
    read=read,
    word_boundaries=(BYTE_LEVEL,),
    tiny=TinyModel(
        tiny_config,
        tokenizer=BYTE_LEVEL,
        prepare=far_from_initial,
        refused=((SEQUENTIAL_RESIDUAL, lambda tok: tiny_config(tok, use_parallel_residual=False)),),
    ),  # fmt: skip
    refusals=(*STANDARD_REFUSALS, SEQUENTIAL_RESIDUAL),
    example_model="EleutherAI/pythia-70m",
    example_weights=70_400_000,
)
