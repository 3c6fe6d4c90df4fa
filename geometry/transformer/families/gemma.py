"""Gemma (the first Gemma models, and CodeGemma): Llama's blocks, read the same way, with four
choices of its own: each token's embedding row times √d_model before block 0, an RMSNorm whose
learned scale is an offset from one (``1 + w``), a GELU-gated MLP (GeGLU), and heads whose size is
set on its own, not d_model / heads (256 numbers per head in every Gemma). The unembedding is the
embedding matrix itself (tied), unscaled.

Its tokenizer is SentencePiece without the dummy prefix: a text's first word gets no ``▁``.

No example model: every model of this family is at least 2.5 billion weights (10 GB in float32) and
gated on the hub. The small Gemmas (Gemma 2 2B, Gemma 3 270M and 1B) are other families: they use
sliding-window attention, and Gemma 2 soft-capped scores, which the trace refuses by name.
"""

from __future__ import annotations

from typing import Any

from geometry.transformer.families import llama
from geometry.transformer.family import SENTENCEPIECE_NO_PREFIX, Family, TinyModel, far_from_initial
from geometry.transformer.layout import GEGLU, PRE_NORM, RMS_NORM_PLUS_ONE, ROTARY, SQRT_D, Layout


def tiny_config(tokenizer: Any) -> Any:
    """4 query heads sharing 2 key/value heads, each of 16 numbers while d_model / heads is 8."""
    from transformers import GemmaConfig

    return GemmaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, head_dim=16, max_position_embeddings=64,
        hidden_act="gelu_pytorch_tanh", pad_token_id=tokenizer.unk_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
    )  # fmt: skip


FAMILY = Family(
    name="gemma",
    title="Gemma",
    model_types=("gemma",),
    layout=Layout(
        norm=RMS_NORM_PLUS_ONE, placement=PRE_NORM, positions=ROTARY, mlp=GEGLU, embedding_scale=SQRT_D
    ),
    read=llama.read,
    word_boundaries=(SENTENCEPIECE_NO_PREFIX,),
    tiny=TinyModel(tiny_config, tokenizer=SENTENCEPIECE_NO_PREFIX, prepare=far_from_initial),
)
