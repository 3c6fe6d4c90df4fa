"""A transformer's forward pass, written out one textbook step at a time.

Every number comes from the model's own weights, read as views (no copies, nothing
written back). Four families are understood, each declared once in :data:`FAMILIES`
(where its weights live, its norm, where the norms sit, its MLP, its positions, whether
attention looks only back, whether it has a vocabulary head):

* **GPT-2**: learned position vectors, LayerNorm *before* each sublayer (pre-norm), GELU
  MLP, causal attention; its ``Conv1D`` weights are stored ``(in, out)`` and the
  query/key/value projections are fused in ``c_attn``;
* **Llama** (SmolLM2): rotary positions, RMSNorm (pre-norm), SiLU-gated MLP (SwiGLU),
  grouped-query causal attention; its ``nn.Linear`` weights are stored ``(out, in)``;
* **Qwen2**: Llama's layout read by the same reader, plus a bias on the query, key and value
  projections (``b_Q``, ``b_K``, ``b_V``); its optional sliding-window attention is not
  traced (such a model is refused);
* **BERT** (all-MiniLM-L6-v2): token, position and token-type vectors summed and
  normalised, attention that looks **both ways** (no causal mask), LayerNorm *after* each
  residual addition (post-norm), GELU MLP, and no vocabulary head (a sentence encoder).

Weights are named as in TransformerLens and always used as ``x @ W`` with ``W`` of
shape ``(in, out)``: ``W_E`` (vocab, d), ``W_pos`` (n_positions, d), ``W_type``
(n_types, d), ``W_Q`` (d, H·dh), ``W_K``/``W_V`` (d, Hkv·dh), ``W_O`` (H·dh, d); the GELU
MLP has ``W_in`` (d, d_mlp) and ``W_out`` (d_mlp, d), SwiGLU has ``W_gate``/``W_up``
(d, d_mlp) and ``W_down`` (d_mlp, d); ``W_U`` (d, vocab).

:func:`run` chains the steps and returns every intermediate under a hierarchical
name (``blocks.3.attn.pattern``); :func:`run_from` resumes the pass from any block with a given
residual stream (and, optionally, the keys and values of earlier tokens), as activation patching
needs. Shapes: T tokens, d = d_model, H query heads,
Hkv key/value heads, dh = d_head.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

# --------------------------------------------------------------------------- architecture


@dataclass(frozen=True)
class Architecture:
    """The shape of a model: what the page names when it compares two families."""

    family: str  # "gpt2", "llama", "qwen2" or "bert"
    n_layers: int
    n_heads: int
    n_kv_heads: int
    d_model: int
    d_head: int
    d_mlp: int
    vocab_size: int
    norm: str  # "RMSNorm" or "LayerNorm"
    positions: str  # "rotary" or "learned"
    mlp: str  # "SwiGLU" or "GELU"
    tied_embeddings: bool
    norm_placement: str = "pre"  # "pre": x + f(norm(x)); "post": norm(x + f(x))
    causal: bool = True  # attention looks only back (True) or both ways (False)
    vocabulary_head: bool = True  # has an unembedding that gives next-token logits
    n_parameters: int = 0  # every weight of the module that was read, each shared tensor once

    def kv_head_of(self, head: int) -> int:
        """The key/value head a query head shares (grouped-query attention).

        >>> Architecture("llama", 30, 9, 3, 576, 64, 1536, 49152, "RMSNorm", "rotary",
        ...              "SwiGLU", True).kv_head_of(4)
        1
        """
        return head // (self.n_heads // self.n_kv_heads)


@dataclass(frozen=True)
class Family:
    """One architecture family, declared as data: how to read it and how its blocks compute."""

    name: str  # "gpt2", "llama", "qwen2", "bert"
    model_types: tuple[str, ...]  # config.model_type values read this way
    norm: str  # "LayerNorm" or "RMSNorm" (a key of NORMS)
    norm_placement: str  # "pre" or "post" (a key of BLOCKS)
    positions: str  # "learned" (added to the token vectors) or "rotary" (turns q and k)
    mlp: str  # "GELU" or "SwiGLU" (a key of MLPS)
    causal: bool  # True: each token sees only itself and the tokens before it
    token_types: bool  # BERT adds a token-type (segment) vector and normalises the sum
    final_norm: bool  # pre-norm stacks end with one more norm; post-norm ones are already normalised
    vocabulary_head: bool  # an unembedding W_U gives next-token logits
    reader: str  # name of the function that reads this family's weights (see READERS)


FAMILIES: dict[str, Family] = {
    "gpt2": Family(
        name="gpt2", model_types=("gpt2",), norm="LayerNorm", norm_placement="pre", positions="learned",
        mlp="GELU", causal=True, token_types=False, final_norm=True, vocabulary_head=True, reader="gpt2",
    ),
    "llama": Family(
        name="llama", model_types=("llama",), norm="RMSNorm", norm_placement="pre", positions="rotary",
        mlp="SwiGLU", causal=True, token_types=False, final_norm=True, vocabulary_head=True, reader="llama",
    ),
    "qwen2": Family(
        name="qwen2", model_types=("qwen2",), norm="RMSNorm", norm_placement="pre", positions="rotary",
        mlp="SwiGLU", causal=True, token_types=False, final_norm=True, vocabulary_head=True, reader="llama",
    ),
    "bert": Family(
        name="bert", model_types=("bert",), norm="LayerNorm", norm_placement="post", positions="learned",
        mlp="GELU", causal=False, token_types=True, final_norm=False, vocabulary_head=False, reader="bert",
    ),
}  # fmt: skip


def family_of(model: Any) -> Family:
    """The declared family of a transformers model; ValueError for any other model, and for a model
    with sliding-window attention layers (the trace computes full attention only)."""
    config = model.config
    model_type = getattr(config, "model_type", "")
    if "sliding_attention" in (getattr(config, "layer_types", None) or ()):
        raise ValueError(
            f"The step-by-step trace computes full attention; this {model_type} model uses a sliding window."
        )
    for family in FAMILIES.values():
        if model_type in family.model_types:
            return family
    raise ValueError(
        f"The step-by-step trace understands GPT-2, Llama, Qwen2 and BERT models, not {model_type!r}."
    )


def _config_value(config: Any, *names: str) -> Any:
    for name in names:
        value = getattr(config, name, None)
        if value:
            return value
    return None


def parameter_count(model: Any) -> int:
    """Number of weights in the model, each tensor counted once even when it is shared (tied)."""
    return sum(p.numel() for p in model.parameters())


def architecture_of(model: Any) -> Architecture:
    """The architecture of a transformers GPT-2, Llama, Qwen2 or BERT model, from its config and weights."""
    config, family = model.config, family_of(model)
    n_heads, d_model = int(config.num_attention_heads), int(config.hidden_size)
    embedding = model.get_input_embeddings().weight  # (vocab, d)
    head = model.get_output_embeddings() if family.vocabulary_head else None
    return Architecture(
        family=family.name,
        n_layers=int(config.num_hidden_layers),
        n_heads=n_heads,
        n_kv_heads=int(_config_value(config, "num_key_value_heads") or n_heads),
        d_model=d_model,
        d_head=int(_config_value(config, "head_dim") or d_model // n_heads),
        d_mlp=int(_config_value(config, "intermediate_size", "n_inner") or 4 * d_model),
        vocab_size=int(embedding.shape[0]),
        norm=family.norm,
        positions=family.positions,
        mlp=family.mlp,
        tied_embeddings=head is not None and head.weight.data_ptr() == embedding.data_ptr(),
        norm_placement=family.norm_placement,
        causal=family.causal,
        vocabulary_head=family.vocabulary_head,
        n_parameters=parameter_count(model),
    )


# --------------------------------------------------------------------------- weights


@dataclass(frozen=True)
class Norm:
    """One normalisation's learned scale (and LayerNorm's shift; RMSNorm has none)."""

    w: torch.Tensor  # (d,)
    b: torch.Tensor | None  # (d,)


@dataclass(frozen=True)
class GeluMLP:
    """GPT-2 and BERT: widen, GELU, narrow."""

    W_in: torch.Tensor  # (d, d_mlp)
    b_in: torch.Tensor | None  # (d_mlp,)
    W_out: torch.Tensor  # (d_mlp, d)
    b_out: torch.Tensor | None  # (d,)


@dataclass(frozen=True)
class GatedMLP:
    """Llama's and Qwen2's SwiGLU: a SiLU gate times a linear projection, then down."""

    W_gate: torch.Tensor  # (d, d_mlp)
    b_gate: torch.Tensor | None  # (d_mlp,)
    W_up: torch.Tensor  # (d, d_mlp)
    b_up: torch.Tensor | None  # (d_mlp,)
    W_down: torch.Tensor  # (d_mlp, d)
    b_down: torch.Tensor | None  # (d,)


@dataclass(frozen=True)
class LayerWeights:
    """One transformer block's weights, as ``(in, out)`` views of the model's tensors."""

    ln1: Norm  # before attention (pre-norm) or after its residual addition (post-norm)
    W_Q: torch.Tensor  # (d, H·dh)
    W_K: torch.Tensor  # (d, Hkv·dh)
    W_V: torch.Tensor  # (d, Hkv·dh)
    b_Q: torch.Tensor | None  # (H·dh,)
    b_K: torch.Tensor | None  # (Hkv·dh,)
    b_V: torch.Tensor | None  # (Hkv·dh,)
    W_O: torch.Tensor  # (H·dh, d)
    b_O: torch.Tensor | None  # (d,)
    scale: float  # the model's own factor for q·k (1/√dh unless its config says otherwise)
    ln2: Norm  # before the MLP (pre-norm) or after its residual addition (post-norm)
    mlp: GeluMLP | GatedMLP


@dataclass(frozen=True)
class Weights:
    """All the weights the forward pass reads, plus the few settings it needs."""

    family: Family
    architecture: Architecture
    W_E: torch.Tensor  # (vocab, d)
    W_pos: torch.Tensor | None  # (n_positions, d) learned positions only
    W_type: torch.Tensor | None  # (n_types, d) BERT's token-type vectors
    ln_embed: Norm | None  # BERT's norm of the summed embeddings
    layers: tuple[LayerWeights, ...]
    ln_final: Norm | None  # pre-norm families only
    W_U: torch.Tensor | None  # (d, vocab) families with a vocabulary head
    b_U: torch.Tensor | None  # (vocab,)
    eps: float  # the norm's epsilon, from the config
    activation: Callable[[torch.Tensor], torch.Tensor]  # GELU (GPT-2, BERT) or SiLU (the SwiGLU gate)
    rotary_embedding: Any  # a rotary family's own rotary module: positions -> (cos, sin); None otherwise


def weights_of(model: Any) -> Weights:
    """Views of the model's weights in ``(in, out)`` layout (cheap: no matrix is copied)."""
    family = family_of(model)
    return READERS[family.reader](model, family, architecture_of(model))


def _head(model: Any) -> dict[str, Any]:
    head = model.get_output_embeddings()  # (vocab, d) nn.Linear
    return dict(W_U=head.weight.T, b_U=getattr(head, "bias", None))


def _read_gpt2(model: Any, family: Family, architecture: Architecture) -> Weights:
    from transformers.activations import ACT2FN

    base, config = model.base_model, model.config
    return Weights(
        family=family, architecture=architecture, **_head(model),
        W_E=base.wte.weight, W_pos=base.wpe.weight, W_type=None, ln_embed=None,
        layers=tuple(_gpt2_layer(block, architecture.d_model) for block in base.h),
        ln_final=Norm(base.ln_f.weight, base.ln_f.bias), eps=float(config.layer_norm_epsilon),
        activation=ACT2FN[config.activation_function], rotary_embedding=None,
    )  # fmt: skip


def _gpt2_layer(block: Any, d: int) -> LayerWeights:
    """GPT-2 ``Conv1D`` weights are already ``(in, out)``; ``c_attn`` holds [W_Q | W_K | W_V]."""
    attn, mlp = block.attn, block.mlp
    qkv, qkv_bias = attn.c_attn.weight, attn.c_attn.bias  # (d, 3d), (3d,)
    return LayerWeights(
        ln1=Norm(block.ln_1.weight, block.ln_1.bias),
        W_Q=qkv[:, :d], W_K=qkv[:, d : 2 * d], W_V=qkv[:, 2 * d :],
        b_Q=qkv_bias[:d], b_K=qkv_bias[d : 2 * d], b_V=qkv_bias[2 * d :],
        W_O=attn.c_proj.weight, b_O=attn.c_proj.bias, scale=float(attn.scaling),
        ln2=Norm(block.ln_2.weight, block.ln_2.bias),
        mlp=GeluMLP(W_in=mlp.c_fc.weight, b_in=mlp.c_fc.bias, W_out=mlp.c_proj.weight, b_out=mlp.c_proj.bias),
    )  # fmt: skip


def _read_llama(model: Any, family: Family, architecture: Architecture) -> Weights:
    from transformers.activations import ACT2FN

    base, config = model.base_model, model.config
    return Weights(
        family=family, architecture=architecture, **_head(model),
        W_E=base.embed_tokens.weight, W_pos=None, W_type=None, ln_embed=None,
        layers=tuple(_llama_layer(layer) for layer in base.layers),
        ln_final=Norm(base.norm.weight, None), eps=float(config.rms_norm_eps),
        activation=ACT2FN[config.hidden_act], rotary_embedding=base.rotary_emb,
    )  # fmt: skip


def _llama_layer(layer: Any) -> LayerWeights:
    """Llama and Qwen2 ``nn.Linear`` weights are ``(out, in)``: ``.T`` is a view in ``(in, out)`` layout.
    Biases are read where the model has them (Qwen2's query, key and value), else None."""
    attn, mlp = layer.self_attn, layer.mlp
    return LayerWeights(
        ln1=Norm(layer.input_layernorm.weight, None),
        W_Q=attn.q_proj.weight.T, W_K=attn.k_proj.weight.T, W_V=attn.v_proj.weight.T,
        b_Q=attn.q_proj.bias, b_K=attn.k_proj.bias, b_V=attn.v_proj.bias,
        W_O=attn.o_proj.weight.T, b_O=attn.o_proj.bias, scale=float(attn.scaling),
        ln2=Norm(layer.post_attention_layernorm.weight, None),
        mlp=GatedMLP(
            W_gate=mlp.gate_proj.weight.T, b_gate=mlp.gate_proj.bias, W_up=mlp.up_proj.weight.T,
            b_up=mlp.up_proj.bias, W_down=mlp.down_proj.weight.T, b_down=mlp.down_proj.bias,
        ),
    )  # fmt: skip


def _read_bert(model: Any, family: Family, architecture: Architecture) -> Weights:
    from transformers.activations import ACT2FN

    base, config = model.base_model, model.config
    embeddings = base.embeddings
    return Weights(
        family=family, architecture=architecture, W_U=None, b_U=None,
        W_E=embeddings.word_embeddings.weight, W_pos=embeddings.position_embeddings.weight,
        W_type=embeddings.token_type_embeddings.weight,
        ln_embed=Norm(embeddings.LayerNorm.weight, embeddings.LayerNorm.bias),
        layers=tuple(_bert_layer(layer) for layer in base.encoder.layer),
        ln_final=None, eps=float(config.layer_norm_eps),
        activation=ACT2FN[config.hidden_act], rotary_embedding=None,
    )  # fmt: skip


def _bert_layer(layer: Any) -> LayerWeights:
    """BERT ``nn.Linear`` weights are ``(out, in)``; its norms sit after each residual addition."""
    attn, attn_output = layer.attention.self, layer.attention.output
    intermediate, output = layer.intermediate, layer.output
    return LayerWeights(
        ln1=Norm(attn_output.LayerNorm.weight, attn_output.LayerNorm.bias),
        W_Q=attn.query.weight.T, W_K=attn.key.weight.T, W_V=attn.value.weight.T,
        b_Q=attn.query.bias, b_K=attn.key.bias, b_V=attn.value.bias,
        W_O=attn_output.dense.weight.T, b_O=attn_output.dense.bias, scale=float(attn.scaling),
        ln2=Norm(output.LayerNorm.weight, output.LayerNorm.bias),
        mlp=GeluMLP(
            W_in=intermediate.dense.weight.T, b_in=intermediate.dense.bias,
            W_out=output.dense.weight.T, b_out=output.dense.bias,
        ),
    )  # fmt: skip


READERS: dict[str, Callable[[Any, Family, Architecture], Weights]] = {
    "gpt2": _read_gpt2,
    "llama": _read_llama,
    "bert": _read_bert,
}


# --------------------------------------------------------------------------- the steps


def embed(token_ids: torch.Tensor, W_E: torch.Tensor) -> torch.Tensor:
    """Token ids → their rows of the embedding matrix: a lookup, no arithmetic.

    >>> embed(torch.tensor([2, 0]), torch.eye(3))
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    return W_E[token_ids]  # (T, d)


def position_embed(n_tokens: int, W_pos: torch.Tensor) -> torch.Tensor:
    """Learned position vectors for positions 0..T-1 (added to the token vectors)."""
    return W_pos[:n_tokens]  # (T, d)


def layer_norm(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, eps: float) -> torch.Tensor:
    """Centre each row, divide by its standard deviation, then scale and shift.

    >>> layer_norm(torch.tensor([[1.0, 3.0]]), torch.ones(2), torch.zeros(2), eps=0.0)
    tensor([[-1.,  1.]])
    """
    centred = x - x.mean(-1, keepdim=True)  # (T, d)
    variance = centred.pow(2).mean(-1, keepdim=True)  # (T, 1)
    return centred * torch.rsqrt(variance + eps) * w + b  # (T, d)


def rms_norm(x: torch.Tensor, w: torch.Tensor, eps: float) -> torch.Tensor:
    """Divide each row by its root-mean-square (no centring), then scale.

    >>> rms_norm(torch.tensor([[3.0, 4.0]]), torch.ones(2), eps=0.0)
    tensor([[0.8485, 1.1314]])
    """
    mean_square = x.pow(2).mean(-1, keepdim=True)  # (T, 1)
    return w * (x * torch.rsqrt(mean_square + eps))  # (T, d)


NORMS: dict[str, Callable[[torch.Tensor, Norm, float], torch.Tensor]] = {
    "LayerNorm": lambda x, norm, eps: layer_norm(x, norm.w, norm.b, eps),
    "RMSNorm": lambda x, norm, eps: rms_norm(x, norm.w, eps),
}


def normalize(x: torch.Tensor, norm: Norm, weights: Weights) -> torch.Tensor:
    """The family's own normalisation (LayerNorm or RMSNorm) with one set of learned weights."""
    return NORMS[weights.family.norm](x, norm, weights.eps)  # (T, d)


def project(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
    """``x @ W (+ b)``: every output number is one dot product of a row of x with a column of W."""
    out = x @ W  # (T, out)
    return out if b is None else out + b  # (T, out)


def split_heads(x: torch.Tensor, d_head: int) -> torch.Tensor:
    """(T, heads·dh) → (heads, T, dh): each head gets its own slice of dh numbers."""
    T = x.shape[0]
    return x.view(T, -1, d_head).transpose(0, 1)  # (heads, T, dh)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """Pair coordinate i with i + dh/2 and turn each pair by 90°: (a, b) → (-b, a)."""
    first, second = x.chunk(2, dim=-1)  # (..., dh/2) each
    return torch.cat((-second, first), dim=-1)  # (..., dh)


def rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate each (i, i + dh/2) pair of a query or key by an angle that grows with position.

    Two rotated vectors' dot product then depends on how far apart their positions are.

    >>> rotary(torch.tensor([[[1.0, 0.0]]]), torch.tensor([[0.0, 0.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([[[0., 1.]]])
    """
    return x * cos + rotate_half(x) * sin  # (heads, T, dh)


def share_kv_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """Grouped-query attention: repeat each key/value head for the query heads that share it."""
    return x.repeat_interleave(n_heads // x.shape[0], dim=0)  # (H, T, dh)


def attention_scores(
    q: torch.Tensor, k: torch.Tensor, scale: float | None, causal: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """Raw dot products q·k, then the scores: times ``scale`` (if any), future keys set to -inf.

    >>> dots, scores = attention_scores(torch.ones(1, 2, 4), torch.ones(1, 2, 4), 0.5, True)
    >>> dots[0], scores[0]
    (tensor([[4., 4.],
            [4., 4.]]), tensor([[2., -inf],
            [2., 2.]]))
    """
    dots = q @ k.transpose(-1, -2)  # (H, T, T) query i · key j
    scores = dots if scale is None else dots * scale  # (H, T, T)
    if causal:  # with cached keys (more keys than queries) the queries are the last tokens
        n_queries, n_keys = q.shape[-2], k.shape[-2]
        future = torch.ones(n_queries, n_keys, dtype=torch.bool).triu(
            1 + n_keys - n_queries
        )  # key after query
        scores = scores.masked_fill(future, float("-inf"))  # (H, T, T)
    return dots, scores


def attention_pattern(scores: torch.Tensor) -> torch.Tensor:
    """Softmax over keys: each query's scores become probabilities that sum to 1.

    >>> attention_pattern(torch.tensor([[0.0, float("-inf")], [0.0, 0.0]]))
    tensor([[1.0000, 0.0000],
            [0.5000, 0.5000]])
    """
    return torch.softmax(scores, dim=-1)  # (H, T, T)


def attend(pattern: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Each query's output z: the probability-weighted sum of the value vectors."""
    return pattern @ v  # (H, T, dh)


def merge_heads(z: torch.Tensor) -> torch.Tensor:
    """(H, T, dh) → (T, H·dh): concatenate the heads' outputs side by side."""
    H, T, d_head = z.shape
    return z.transpose(0, 1).reshape(T, H * d_head)  # (T, H·dh)


def gelu_mlp(x: torch.Tensor, mlp: GeluMLP, activation: Callable) -> dict[str, torch.Tensor]:
    """GPT-2 and BERT: ``pre`` = x W_in + b_in (detector dot products), ``post`` = GELU(pre), ``out``."""
    pre = project(x, mlp.W_in, mlp.b_in)  # (T, d_mlp)
    post = activation(pre)  # (T, d_mlp)
    return {"pre": pre, "post": post, "out": project(post, mlp.W_out, mlp.b_out)}  # out: (T, d)


def swiglu_mlp(x: torch.Tensor, mlp: GatedMLP, activation: Callable) -> dict[str, torch.Tensor]:
    """Llama, Qwen2: ``pre`` = x W_gate, ``up`` = x W_up, ``post`` = SiLU(pre) ⊙ up, ``out`` = post W_down."""
    pre = project(x, mlp.W_gate, mlp.b_gate)  # (T, d_mlp)
    up = project(x, mlp.W_up, mlp.b_up)  # (T, d_mlp)
    post = activation(pre) * up  # (T, d_mlp) the gate's output scales the linear half
    return {"pre": pre, "up": up, "post": post, "out": project(post, mlp.W_down, mlp.b_down)}


MLPS: dict[str, Callable[..., dict[str, torch.Tensor]]] = {"GELU": gelu_mlp, "SwiGLU": swiglu_mlp}


def unembed(x: torch.Tensor, W_U: torch.Tensor, b_U: torch.Tensor | None) -> torch.Tensor:
    """Logits: the dot product of each final vector with every token's output vector."""
    return project(x, W_U, b_U)  # (T, vocab)


def final_norm(x: torch.Tensor, weights: Weights) -> torch.Tensor:
    """The norm after the last block (pre-norm families); post-norm vectors are already normalised."""
    return normalize(x, weights.ln_final, weights) if weights.family.final_norm else x  # (T, d)


def read_out(x: torch.Tensor, weights: Weights) -> torch.Tensor:
    """Residual vectors (S, d) → logits (S, vocab): final norm, then the unembedding."""
    if not weights.family.vocabulary_head:
        raise ValueError(
            f"A {weights.family.name.upper()} encoder has no vocabulary head: it predicts no tokens."
        )
    return unembed(final_norm(x, weights), weights.W_U, weights.b_U)  # (S, vocab)


# --------------------------------------------------------------------------- the pass


@dataclass(frozen=True)
class Intervention:
    """Experiments that change the computation (the default changes nothing)."""

    ablated_heads: tuple[tuple[int, int], ...] = ()  # (layer, head) pairs whose z is zeroed
    scale_scores: bool = True  # multiply q·k by 1/√d_head
    causal_mask: bool | None = None  # hide future tokens; None: as the model does (causal or not)

    def masks_the_future(self, family: Family | Architecture) -> bool:
        """Whether this run hides later tokens: the model's own choice unless forced."""
        return family.causal if self.causal_mask is None else self.causal_mask


NO_INTERVENTION = Intervention()


def ablation_mask(intervention: Intervention, layer: int, n_heads: int) -> torch.Tensor:
    """(H, 1, 1): 0 for the heads switched off in this layer, 1 for the others."""
    keep = torch.ones(n_heads, 1, 1)  # (H, 1, 1)
    for ablated_layer, head in intervention.ablated_heads:
        if ablated_layer == layer:
            keep[head] = 0.0
    return keep


def attention(
    x: torch.Tensor, layer: LayerWeights, arch: Architecture, rope: tuple | None, keep: torch.Tensor,
    intervention: Intervention, past: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> dict[str, torch.Tensor]:  # fmt: skip
    """One attention sublayer on vectors x (T, d); returns its intermediates by name.

    ``past``: the keys (rotated) and values of earlier tokens, (Hkv, P, dh) each, a key/value
    cache; x then holds only the tokens after them, and ``rope`` their angles.
    """
    q = split_heads(project(x, layer.W_Q, layer.b_Q), arch.d_head)  # (H, T, dh)
    k = split_heads(project(x, layer.W_K, layer.b_K), arch.d_head)  # (Hkv, T, dh)
    v = split_heads(project(x, layer.W_V, layer.b_V), arch.d_head)  # (Hkv, T, dh)
    steps = {}
    if arch.positions == "rotary":  # the family turns q and k by position (rope: their cos, sin)
        steps |= {"q_unrotated": q, "k_unrotated": k}
        q, k = rotary(q, *rope), rotary(k, *rope)  # (H, T, dh), (Hkv, T, dh)
    if past is not None:
        k, v = torch.cat((past[0], k), dim=-2), torch.cat((past[1], v), dim=-2)  # (Hkv, P + T, dh)
    scale = layer.scale if intervention.scale_scores else None
    causal = intervention.masks_the_future(arch)
    k_shared = share_kv_heads(k, arch.n_heads)  # (H, T, dh)
    dots, scores = attention_scores(q, k_shared, scale, causal)  # (H, T, T) each
    pattern = attention_pattern(scores)  # (H, T, T)
    z = attend(pattern, share_kv_heads(v, arch.n_heads)) * keep  # (H, T, dh), ablated heads zeroed
    out = project(merge_heads(z), layer.W_O, layer.b_O)  # (T, d)
    return steps | dict(q=q, k=k, v=v, dots=dots, scores=scores, pattern=pattern, z=z, out=out)


def _prefixed(prefix: str, steps: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {f"{prefix}.{name}": value for name, value in steps.items()}


def pre_norm_block(
    resid: torch.Tensor, layer: LayerWeights, weights: Weights, rope: tuple | None, keep: torch.Tensor,
    intervention: Intervention, past: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> dict[str, torch.Tensor]:  # fmt: skip
    """GPT-2, Llama, Qwen2: x + attention(norm(x)), then + mlp(norm(x)). Returns the block's record."""
    ln1 = normalize(resid, layer.ln1, weights)  # (T, d)
    attn = attention(ln1, layer, weights.architecture, rope, keep, intervention, past)
    resid_mid = resid + attn["out"]  # (T, d)
    return {
        "resid_pre": resid,
        "ln1": ln1,
        **_prefixed("attn", attn),
        **pre_norm_mlp(resid_mid, layer, weights),
    }


def pre_norm_mlp(resid_mid: torch.Tensor, layer: LayerWeights, weights: Weights) -> dict[str, torch.Tensor]:
    """A pre-norm block's second half: x + mlp(norm(x)), from ``resid_mid`` to ``resid_post``."""
    ln2 = normalize(resid_mid, layer.ln2, weights)  # (T, d)
    mlp = MLPS[weights.family.mlp](ln2, layer.mlp, weights.activation)
    resid_post = resid_mid + mlp["out"]  # (T, d)
    return {"resid_mid": resid_mid, "ln2": ln2, **_prefixed("mlp", mlp), "resid_post": resid_post}


def post_norm_block(
    resid: torch.Tensor, layer: LayerWeights, weights: Weights, rope: tuple | None, keep: torch.Tensor,
    intervention: Intervention, past: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> dict[str, torch.Tensor]:  # fmt: skip
    """BERT: norm(x + attention(x)), then norm(x + mlp(x)). Returns the block's record.

    The sublayers read the stream as it is; the norms sit on the stream after each addition,
    so ``resid_mid`` and ``resid_post`` are already normalised (there is no ``ln1``/``ln2``).
    """
    attn = attention(resid, layer, weights.architecture, rope, keep, intervention, past)
    resid_mid = normalize(resid + attn["out"], layer.ln1, weights)  # (T, d)
    mlp = MLPS[weights.family.mlp](resid_mid, layer.mlp, weights.activation)
    resid_post = normalize(resid_mid + mlp["out"], layer.ln2, weights)  # (T, d)
    return {
        "resid_pre": resid, **_prefixed("attn", attn), "resid_mid": resid_mid, **_prefixed("mlp", mlp),
        "resid_post": resid_post,
    }  # fmt: skip


BLOCKS: dict[str, Callable[..., dict[str, torch.Tensor]]] = {"pre": pre_norm_block, "post": post_norm_block}


def embeddings(weights: Weights, token_ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """The vectors the first block reads, with their parts: ``embed`` and, by family,
    ``pos_embed`` (learned positions), ``type_embed`` and ``embed_norm`` (BERT: the norm of the sum).
    The last entry is what block 0 reads."""
    family, T = weights.family, len(token_ids)
    record = {"embed": embed(token_ids, weights.W_E)}  # (T, d)
    if family.positions == "learned":
        record["pos_embed"] = position_embed(T, weights.W_pos)  # (T, d)
    if family.token_types:
        record["type_embed"] = embed(torch.zeros(T, dtype=torch.long), weights.W_type)  # (T, d) one sentence
        total = record["embed"] + record["pos_embed"] + record["type_embed"]  # (T, d)
        record["embed_norm"] = normalize(total, weights.ln_embed, weights)  # (T, d)
    return record


def first_residual(record: dict[str, torch.Tensor], family: Family) -> torch.Tensor:
    """Block 0's input: the normalised sum (BERT), token + position (GPT-2), the token row (Llama, Qwen2)."""
    if family.token_types:
        return record["embed_norm"]  # (T, d)
    if family.positions == "learned":
        return record["embed"] + record["pos_embed"]  # (T, d)
    return record["embed"]  # (T, d)


def rotary_angles(weights: Weights, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Rotary families: the model's own rotary module gives cos and sin per position, (T, dh) each."""
    if weights.family.positions != "rotary":
        return None
    positions = torch.arange(x.shape[0])[None]  # (1, T)
    cos, sin = weights.rotary_embedding(x[None], positions)  # (1, T, dh) each
    return cos[0], sin[0]


@torch.no_grad()
def run(
    weights: Weights, token_ids: torch.Tensor, intervention: Intervention = NO_INTERVENTION
) -> dict[str, torch.Tensor]:
    """The whole forward pass on token ids (T,); every intermediate by name, in forward order.

    One sentence, no padding: the only mask is the causal one, for the families that have it.
    """
    family, arch = weights.family, weights.architecture
    acts = embeddings(weights, token_ids)
    resid = first_residual(acts, family)  # (T, d)
    rope = rotary_angles(weights, resid)
    block = BLOCKS[family.norm_placement]
    for index, layer in enumerate(weights.layers):
        keep = ablation_mask(intervention, index, arch.n_heads)  # (H, 1, 1)
        record = block(resid, layer, weights, rope, keep, intervention)
        acts |= _prefixed(f"blocks.{index}", record)
        resid = record["resid_post"]  # (T, d)
    if family.final_norm:
        acts["ln_final"] = final_norm(resid, weights)  # (T, d)
    if family.vocabulary_head:
        acts["logits"] = unembed(acts["ln_final"], weights.W_U, weights.b_U)  # (T, vocab)
    return acts


@torch.no_grad()
def run_from(
    weights: Weights, resid: torch.Tensor, layer: int, rope: tuple | None, after_attention: bool = False,
    past: Sequence[tuple[torch.Tensor, torch.Tensor]] | None = None,
) -> torch.Tensor:  # fmt: skip
    """Resume the pass from the residual stream ``resid`` (T, d) entering block ``layer``; returns
    the last block's output (T, d), before the final norm.

    With ``after_attention`` the stream enters that block's MLP (it is ``resid_mid``, pre-norm
    families). ``layer == n_layers`` returns ``resid`` itself. ``rope`` is :func:`rotary_angles`
    of these T tokens. ``past``, one (keys, values) per layer: the cache of earlier tokens, which
    ``resid`` then follows. One sequence, like :func:`run`; ``torch.func.vmap`` runs a batch.
    """
    if after_attention:
        resid = pre_norm_mlp(resid, weights.layers[layer], weights)["resid_post"]  # (T, d)
        layer += 1
    block, keep = BLOCKS[weights.family.norm_placement], torch.ones(weights.architecture.n_heads, 1, 1)
    for index in range(layer, len(weights.layers)):
        cache = None if past is None else past[index]
        resid = block(resid, weights.layers[index], weights, rope, keep, NO_INTERVENTION, cache)["resid_post"]
    return resid  # (T, d)
