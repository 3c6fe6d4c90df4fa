"""Gemma 3 (text): Gemma 2's blocks (a norm before each sublayer and on its output, √d_model embedding
scale, ``(1 + w)`` RMSNorm, GeGLU, ``query_pre_attn_scalar``) with each head's query and key
normalised before they are turned (``q_norm``, ``k_norm``, ``(1 + w)`` RMSNorms over the head's own
numbers), and no soft-capping.

Every released Gemma 3 model (270M, 1B, …) lets five layers in six look back only a window of
tokens, with rotary angles of their own: the trace refuses sliding-window attention by name. A
model of this family whose layers all see every earlier token (the tiny test model) is followed,
with the full-attention layers' rotary angles.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from geometry.transformer.families import gemma2, qwen3
from geometry.transformer.family import SLIDING_WINDOW, Family, TinyModel, far_from_initial
from geometry.transformer.layout import QK_NORM_PER_HEAD
from geometry.transformer.weights import Weights


def read(model: Any, architecture: Any) -> Weights:
    weights = qwen3.with_qk_norms(gemma2.read(model, architecture), model)
    rotary = functools.partial(model.base_model.rotary_emb, layer_type="full_attention")
    return dataclasses.replace(weights, rotary_embedding=rotary)


def tiny_config(tokenizer: Any, **changes: Any) -> Any:
    """Gemma 2's tiny settings: every layer full attention, heads of 16 numbers, queries scaled by 1/√24."""
    from transformers import Gemma3TextConfig

    return Gemma3TextConfig(**(gemma2.tiny_settings(tokenizer) | changes))


def windowed_config(tokenizer: Any) -> Any:
    return tiny_config(tokenizer, layer_types=["sliding_attention", "full_attention"], sliding_window=4)


FAMILY = Family(
    name="gemma3",
    title="Gemma 3",
    model_types=("gemma3_text",),
    layout=dataclasses.replace(gemma2.FAMILY.layout, qk_norm=QK_NORM_PER_HEAD),
    read=read,
    word_boundaries=gemma2.FAMILY.word_boundaries,
    tiny=TinyModel(
        tiny_config,
        tokenizer=gemma2.FAMILY.tiny.tokenizer,
        prepare=lambda model: far_from_initial(model, matrices=0.1),
        refused=((SLIDING_WINDOW, windowed_config),),
    ),
)
