"""Qwen3: Llama's blocks, read the same way, plus an RMSNorm on each head's query and key before they
are turned by position (``q_norm``, ``k_norm``, over the head's own numbers), heads whose size is set
on their own (128 numbers per head in Qwen3-0.6B, not d_model / heads), no query/key/value biases.
Its optional sliding-window attention is refused by name (the standard refusals).

Example model: Qwen3-0.6B, the family's smallest (28 layers, 0.6 billion weights, about 2.4 GB in
float32, a byte-level BPE vocabulary of 151,936 tokens tied to the unembedding).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from geometry.transformer.families import llama
from geometry.transformer.family import BYTE_LEVEL, SLIDING_WINDOW, Family, TinyModel, far_from_initial
from geometry.transformer.layout import QK_NORM_PER_HEAD
from geometry.transformer.weights import Norm, Weights


def read(model: Any, architecture: Any) -> Weights:
    return with_qk_norms(llama.read(model, architecture), model)


def with_qk_norms(weights: Weights, model: Any) -> Weights:
    """``weights`` with each layer's query and key norms, read from its attention module's ``q_norm``
    and ``k_norm``: (dh,) each, one gain shared by every head."""
    layers = tuple(
        dataclasses.replace(
            layer,
            q_norm=Norm(block.self_attn.q_norm.weight, None),
            k_norm=Norm(block.self_attn.k_norm.weight, None),
        )
        for layer, block in zip(weights.layers, model.base_model.layers, strict=True)
    )
    return dataclasses.replace(weights, layers=layers)


def tiny_config(tokenizer: Any, **changes: Any) -> Any:
    """Llama's tiny sizes with heads of 16 numbers (d_model / heads is 8) and tied embeddings."""
    from transformers import Qwen3Config

    sizes = llama.TINY_SIZES | {"head_dim": 16}
    return Qwen3Config(vocab_size=len(tokenizer), tie_word_embeddings=True, **sizes, **changes)


def sliding_window_config(tokenizer: Any) -> Any:
    """Every layer looks back at most 4 tokens (the window the trace does not follow)."""
    return tiny_config(tokenizer, use_sliding_window=True, sliding_window=4, max_window_layers=0)


FAMILY = Family(
    name="qwen3",
    title="Qwen3",
    model_types=("qwen3",),
    layout=dataclasses.replace(llama.FAMILY.layout, qk_norm=QK_NORM_PER_HEAD),
    read=read,
    word_boundaries=(BYTE_LEVEL,),
    tiny=TinyModel(
        tiny_config,
        tokenizer=BYTE_LEVEL,
        prepare=far_from_initial,
        refused=((SLIDING_WINDOW, sliding_window_config),),
    ),
    example_model="Qwen/Qwen3-0.6B",
    example_weights=600_000_000,
)
