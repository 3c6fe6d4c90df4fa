"""The shape of a model: its sizes and its family's layout, read from its config and weights."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geometry.transformer.layout import (
    NO_QK_NORM,
    PARALLEL,
    QK_NORM_PER_HEAD,
    QK_NORM_WHOLE,
    SEQUENTIAL,
    SQRT_D,
    Layout,
)

EMBEDDING_SCALES = {SQRT_D: math.sqrt}  # layout.embedding_scale -> d_model -> factor; absent: 1


@dataclass(frozen=True)
class Architecture:
    """A model's sizes and layout: what the cost model counts and the page names when it compares two."""

    family: str  # the family's name (its module in geometry/transformer/families)
    title: str  # how people call the family ("GPT-2")
    n_layers: int
    n_heads: int
    n_kv_heads: int
    d_model: int
    d_head: int
    d_mlp: int
    vocab_size: int
    layout: Layout
    tied_embeddings: bool
    n_parameters: int = 0  # every weight of the module that was read, each shared tensor once

    def kv_head_of(self, head: int) -> int:
        """The key/value head a query head shares (grouped-query attention).

        >>> from geometry.transformer.layout import Layout, RMS_NORM, PRE_NORM, ROTARY, SWIGLU
        >>> layout = Layout(RMS_NORM, PRE_NORM, ROTARY, SWIGLU)
        >>> Architecture("llama", "Llama", 30, 9, 3, 576, 64, 1536, 49152, layout, True).kv_head_of(4)
        1
        """
        return head // (self.n_heads // self.n_kv_heads)

    def embedding_factor(self) -> float:
        """What each token's embedding row is multiplied by before block 0: √d_model where the family
        scales it (Gemma), else 1. Code that feeds the model vectors of its own applies it too.

        >>> from geometry.transformer.layout import Layout, RMS_NORM, PRE_NORM, ROTARY, SWIGLU
        >>> layout = Layout(RMS_NORM, PRE_NORM, ROTARY, SWIGLU, embedding_scale=SQRT_D)
        >>> Architecture("x", "X", 1, 1, 1, 16, 16, 32, 10, layout, True).embedding_factor()
        4.0
        """
        scale = EMBEDDING_SCALES.get(self.layout.embedding_scale)
        return 1.0 if scale is None else scale(self.d_model)

    def sizes(self) -> dict[str, int]:
        """The sizes by the names the MLP kind's matrices use: d and d_mlp."""
        return {"d": self.d_model, "d_mlp": self.d_mlp}


def _config_value(config: Any, *names: str) -> Any:
    for name in names:
        value = getattr(config, name, None)
        if value:
            return value
    return None


def config_sizes(config: Any) -> dict[str, int]:
    """Layers, heads and widths under the config names transformers uses for most families."""
    n_heads, d_model = int(config.num_attention_heads), int(config.hidden_size)
    return {
        "n_layers": int(config.num_hidden_layers),
        "n_heads": n_heads,
        "n_kv_heads": int(_config_value(config, "num_key_value_heads") or n_heads),
        "d_model": d_model,
        "d_head": int(_config_value(config, "head_dim") or d_model // n_heads),
        "d_mlp": int(_config_value(config, "intermediate_size", "n_inner") or 4 * d_model),
    }


def parameter_count(model: Any) -> int:
    """Number of weights in the model, each tensor counted once even when it is shared (tied)."""
    return sum(p.numel() for p in model.parameters())


ATTENTION_DIRECTION = {True: "causal (looks back only)", False: "both ways (bidirectional)"}
RESIDUAL = {SEQUENTIAL: "attention, then the MLP", PARALLEL: "attention and the MLP side by side"}
QK_NORM = {
    NO_QK_NORM: "none",
    QK_NORM_PER_HEAD: "each head's own",
    QK_NORM_WHOLE: "over the whole projection",
}
ARCHITECTURE_ROWS = {  # row of the table -> its value, as text
    "family": lambda a: a.family,
    "attention": lambda a: ATTENTION_DIRECTION[a.layout.causal],
    "n_layers": lambda a: str(a.n_layers),
    "n_heads": lambda a: str(a.n_heads),
    "n_kv_heads": lambda a: str(a.n_kv_heads),
    "d_model": lambda a: str(a.d_model),
    "d_head": lambda a: str(a.d_head),
    "d_mlp": lambda a: str(a.d_mlp),
    "vocab_size": lambda a: str(a.vocab_size),
    "norm": lambda a: str(a.layout.norm),
    "norm_placement": lambda a: a.layout.placement.label,
    "positions": lambda a: str(a.layout.positions),
    "mlp": lambda a: str(a.layout.mlp),
    "residual": lambda a: RESIDUAL[a.layout.residual],
    "qk_norm": lambda a: QK_NORM[a.layout.qk_norm],
    "embedding_scale": lambda a: a.layout.embedding_scale,
    "tied_embeddings": lambda a: str(a.tied_embeddings),
    "vocabulary_head": lambda a: str(a.layout.vocabulary_head),
    "n_parameters": lambda a: f"{a.n_parameters:,}",
}


def architecture_table(architectures: Mapping[str, Architecture]) -> pd.DataFrame:
    """Architectures side by side: one row per property (``ARCHITECTURE_ROWS``), one column per model.

    Columns: property, then one per model name, values as text (parameter counts with commas).
    """
    table = {name: [value(a) for value in ARCHITECTURE_ROWS.values()] for name, a in architectures.items()}
    return pd.DataFrame({"property": list(ARCHITECTURE_ROWS), **table})
