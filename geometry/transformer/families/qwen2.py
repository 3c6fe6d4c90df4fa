"""Qwen2: Llama's layout, read the same way, plus a bias on the query, key and value projections
(``b_Q``, ``b_K``, ``b_V``). Its optional sliding-window attention is refused (the standard refusals).
"""

from __future__ import annotations

from typing import Any

from geometry.transformer.families import llama
from geometry.transformer.family import BYTE_LEVEL, SLIDING_WINDOW, Family, TinyModel


def tiny_config(tokenizer: Any, **changes: Any) -> Any:
    from transformers import Qwen2Config

    return Qwen2Config(vocab_size=len(tokenizer), tie_word_embeddings=False, **llama.TINY_SIZES, **changes)


def sliding_window_config(tokenizer: Any) -> Any:
    """Every layer looks back at most 4 tokens (the window the trace does not follow)."""
    return tiny_config(tokenizer, use_sliding_window=True, sliding_window=4, max_window_layers=0)


def random_biases(model: Any) -> None:
    """transformers starts biases at zero; non-zero ones prove they are read."""
    import torch

    with torch.no_grad():
        for layer in model.model.layers:
            for projection in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj):
                projection.bias.normal_(0.0, 0.5)


FAMILY = Family(
    name="qwen2",
    title="Qwen2",
    model_types=("qwen2",),
    layout=llama.FAMILY.layout,
    read=llama.read,
    word_boundaries=(BYTE_LEVEL,),
    tiny=TinyModel(
        tiny_config,
        tokenizer=BYTE_LEVEL,
        prepare=random_biases,
        refused=((SLIDING_WINDOW, sliding_window_config),),
    ),
)
