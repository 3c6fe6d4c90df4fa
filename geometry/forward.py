"""A causal language model's forward pass, written out one textbook step at a time.

Every number comes from the model's own weights, read as views (no copies, nothing
written back). Two families are understood:

* **GPT-2**: learned position vectors, LayerNorm, GELU MLP; its ``Conv1D`` weights are
  stored ``(in, out)`` and the query/key/value projections are fused in ``c_attn``;
* **Llama** (SmolLM2): rotary positions, RMSNorm, SiLU-gated MLP (SwiGLU) and
  grouped-query attention; its ``nn.Linear`` weights are stored ``(out, in)``.

Weights are named as in TransformerLens and always used as ``x @ W`` with ``W`` of
shape ``(in, out)``: ``W_E`` (vocab, d), ``W_pos`` (n_positions, d), ``W_Q`` (d, H·dh),
``W_K``/``W_V`` (d, Hkv·dh), ``W_O`` (H·dh, d), ``W_in`` or ``W_gate``/``W_up``
(d, d_mlp), ``W_out`` (d_mlp, d), ``W_U`` (d, vocab).

:func:`run` chains the steps and returns every intermediate under a hierarchical
name (``blocks.3.attn.pattern``). Shapes: T tokens, d = d_model, H query heads,
Hkv key/value heads, dh = d_head.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

LLAMA_LIKE = ("llama",)  # model_type values read with the Llama layout


# --------------------------------------------------------------------------- architecture


@dataclass(frozen=True)
class Architecture:
    """The shape of a model: what the page names when it compares two families."""

    family: str  # "llama" or "gpt2"
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

    def kv_head_of(self, head: int) -> int:
        """The key/value head a query head shares (grouped-query attention).

        >>> Architecture("llama", 30, 9, 3, 576, 64, 1536, 49152, "RMSNorm", "rotary",
        ...              "SwiGLU", True).kv_head_of(4)
        1
        """
        return head // (self.n_heads // self.n_kv_heads)


def family_of(model: Any) -> str:
    """``"gpt2"`` or ``"llama"``; ValueError for any other model."""
    model_type = getattr(model.config, "model_type", "")
    if model_type == "gpt2":
        return "gpt2"
    if model_type in LLAMA_LIKE:
        return "llama"
    raise ValueError(f"The step-by-step trace understands GPT-2 and Llama models, not {model_type!r}.")


def architecture_of(model: Any) -> Architecture:
    """Read the architecture of a transformers causal LM from its config and weights."""
    config, family = model.config, family_of(model)
    n_heads, d_model = int(config.num_attention_heads), int(config.hidden_size)
    embedding = model.get_input_embeddings().weight  # (vocab, d)
    unembedding = model.get_output_embeddings().weight  # (vocab, d)
    shared = dict(
        family=family,
        n_layers=int(config.num_hidden_layers),
        n_heads=n_heads,
        d_model=d_model,
        vocab_size=int(embedding.shape[0]),
        tied_embeddings=unembedding.data_ptr() == embedding.data_ptr(),
    )
    if family == "gpt2":
        return Architecture(
            **shared,
            n_kv_heads=n_heads,
            d_head=d_model // n_heads,
            d_mlp=int(config.n_inner or 4 * d_model),
            norm="LayerNorm",
            positions="learned",
            mlp="GELU",
        )
    return Architecture(
        **shared,
        n_kv_heads=int(config.num_key_value_heads),
        d_head=int(getattr(config, "head_dim", None) or d_model // n_heads),
        d_mlp=int(config.intermediate_size),
        norm="RMSNorm",
        positions="rotary",
        mlp="SwiGLU",
    )


# --------------------------------------------------------------------------- weights


@dataclass(frozen=True)
class LayerWeights:
    """One transformer block's weights, as ``(in, out)`` views of the model's tensors."""

    ln1_w: torch.Tensor  # (d,)
    ln1_b: torch.Tensor | None  # (d,) LayerNorm only
    W_Q: torch.Tensor  # (d, H·dh)
    W_K: torch.Tensor  # (d, Hkv·dh)
    W_V: torch.Tensor  # (d, Hkv·dh)
    b_Q: torch.Tensor | None  # (H·dh,)
    b_K: torch.Tensor | None  # (Hkv·dh,)
    b_V: torch.Tensor | None  # (Hkv·dh,)
    W_O: torch.Tensor  # (H·dh, d)
    b_O: torch.Tensor | None  # (d,)
    scale: float  # the model's own factor for q·k (1/√dh unless its config says otherwise)
    ln2_w: torch.Tensor  # (d,)
    ln2_b: torch.Tensor | None  # (d,)
    W_in: torch.Tensor  # (d, d_mlp) GPT-2's first MLP matrix; Llama's gate
    b_in: torch.Tensor | None  # (d_mlp,)
    W_up: torch.Tensor | None  # (d, d_mlp) Llama only: the linear half of SwiGLU
    W_out: torch.Tensor  # (d_mlp, d)
    b_out: torch.Tensor | None  # (d,)


@dataclass(frozen=True)
class Weights:
    """All the weights the forward pass reads, plus the few settings it needs."""

    architecture: Architecture
    W_E: torch.Tensor  # (vocab, d)
    W_pos: torch.Tensor | None  # (n_positions, d) GPT-2 only
    layers: tuple[LayerWeights, ...]
    ln_final_w: torch.Tensor  # (d,)
    ln_final_b: torch.Tensor | None  # (d,)
    W_U: torch.Tensor  # (d, vocab)
    b_U: torch.Tensor | None  # (vocab,)
    eps: float  # the norm's epsilon, from the config
    activation: Callable[[torch.Tensor], torch.Tensor]  # GELU (GPT-2) or SiLU (Llama gate)
    rotary_embedding: Any  # Llama's own rotary module: positions -> (cos, sin); None for GPT-2


def weights_of(model: Any) -> Weights:
    """Views of the model's weights in ``(in, out)`` layout (cheap: no matrix is copied)."""
    from transformers.activations import ACT2FN

    architecture = architecture_of(model)
    base, config = model.base_model, model.config
    head = model.get_output_embeddings()
    shared = dict(architecture=architecture, W_U=head.weight.T, b_U=getattr(head, "bias", None))
    if architecture.family == "gpt2":
        return Weights(
            **shared,
            W_E=base.wte.weight,
            W_pos=base.wpe.weight,
            layers=tuple(_gpt2_layer(block, architecture.d_model) for block in base.h),
            ln_final_w=base.ln_f.weight,
            ln_final_b=base.ln_f.bias,
            eps=float(config.layer_norm_epsilon),
            activation=ACT2FN[config.activation_function],
            rotary_embedding=None,
        )
    return Weights(
        **shared,
        W_E=base.embed_tokens.weight,
        W_pos=None,
        layers=tuple(_llama_layer(layer) for layer in base.layers),
        ln_final_w=base.norm.weight,
        ln_final_b=None,
        eps=float(config.rms_norm_eps),
        activation=ACT2FN[config.hidden_act],
        rotary_embedding=base.rotary_emb,
    )


def _gpt2_layer(block: Any, d: int) -> LayerWeights:
    """GPT-2 ``Conv1D`` weights are already ``(in, out)``; ``c_attn`` holds [W_Q | W_K | W_V]."""
    attn, mlp = block.attn, block.mlp
    qkv, qkv_bias = attn.c_attn.weight, attn.c_attn.bias  # (d, 3d), (3d,)
    return LayerWeights(
        ln1_w=block.ln_1.weight, ln1_b=block.ln_1.bias,
        W_Q=qkv[:, :d], W_K=qkv[:, d : 2 * d], W_V=qkv[:, 2 * d :],
        b_Q=qkv_bias[:d], b_K=qkv_bias[d : 2 * d], b_V=qkv_bias[2 * d :],
        W_O=attn.c_proj.weight, b_O=attn.c_proj.bias, scale=float(attn.scaling),
        ln2_w=block.ln_2.weight, ln2_b=block.ln_2.bias,
        W_in=mlp.c_fc.weight, b_in=mlp.c_fc.bias, W_up=None, W_out=mlp.c_proj.weight, b_out=mlp.c_proj.bias,
    )  # fmt: skip


def _llama_layer(layer: Any) -> LayerWeights:
    """Llama ``nn.Linear`` weights are ``(out, in)``: ``.T`` is a view in ``(in, out)`` layout."""
    attn, mlp = layer.self_attn, layer.mlp
    return LayerWeights(
        ln1_w=layer.input_layernorm.weight, ln1_b=None,
        W_Q=attn.q_proj.weight.T, W_K=attn.k_proj.weight.T, W_V=attn.v_proj.weight.T,
        b_Q=attn.q_proj.bias, b_K=attn.k_proj.bias, b_V=attn.v_proj.bias,
        W_O=attn.o_proj.weight.T, b_O=attn.o_proj.bias, scale=float(attn.scaling),
        ln2_w=layer.post_attention_layernorm.weight, ln2_b=None,
        W_in=mlp.gate_proj.weight.T, b_in=mlp.gate_proj.bias, W_up=mlp.up_proj.weight.T,
        W_out=mlp.down_proj.weight.T, b_out=mlp.down_proj.bias,
    )  # fmt: skip


# --------------------------------------------------------------------------- the steps


def embed(token_ids: torch.Tensor, W_E: torch.Tensor) -> torch.Tensor:
    """Token ids → their rows of the embedding matrix: a lookup, no arithmetic.

    >>> embed(torch.tensor([2, 0]), torch.eye(3))
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    return W_E[token_ids]  # (T, d)


def position_embed(n_tokens: int, W_pos: torch.Tensor) -> torch.Tensor:
    """GPT-2's learned position vectors for positions 0..T-1 (added to the token vectors)."""
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


def normalize(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, eps: float) -> torch.Tensor:
    """LayerNorm when there is a bias (GPT-2), RMSNorm otherwise (Llama)."""
    return rms_norm(x, w, eps) if b is None else layer_norm(x, w, b, eps)  # (T, d)


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
    if causal:
        T = q.shape[-2]
        future = torch.ones(T, T, dtype=torch.bool).triu(1)  # (T, T) key after query
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


def mlp(x: torch.Tensor, layer: LayerWeights, activation: Callable) -> dict[str, torch.Tensor]:
    """The feed-forward block: ``pre`` (detector dot products), ``post`` (after the nonlinearity), ``out``.

    GPT-2: post = GELU(x W_in + b_in). Llama (SwiGLU): post = SiLU(x W_gate) ⊙ (x W_up).
    """
    pre = project(x, layer.W_in, layer.b_in)  # (T, d_mlp)
    if layer.W_up is None:  # GPT-2
        steps = {"pre": pre, "post": activation(pre)}  # (T, d_mlp) each
    else:  # Llama: the gate's output scales a second, linear projection
        up = project(x, layer.W_up, None)  # (T, d_mlp)
        steps = {"pre": pre, "up": up, "post": activation(pre) * up}  # (T, d_mlp) each
    out = project(steps["post"], layer.W_out, layer.b_out)  # (T, d)
    return steps | {"out": out}


def unembed(x: torch.Tensor, W_U: torch.Tensor, b_U: torch.Tensor | None) -> torch.Tensor:
    """Logits: the dot product of each final vector with every token's output vector."""
    return project(x, W_U, b_U)  # (T, vocab)


# --------------------------------------------------------------------------- the pass


@dataclass(frozen=True)
class Intervention:
    """Experiments that change the computation (the default changes nothing)."""

    ablated_heads: tuple[tuple[int, int], ...] = ()  # (layer, head) pairs whose z is zeroed
    scale_scores: bool = True  # multiply q·k by 1/√d_head
    causal_mask: bool = True  # hide future tokens


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
    intervention: Intervention,
) -> dict[str, torch.Tensor]:  # fmt: skip
    """One attention sublayer on normalised vectors x (T, d); returns its intermediates by name."""
    q = split_heads(project(x, layer.W_Q, layer.b_Q), arch.d_head)  # (H, T, dh)
    k = split_heads(project(x, layer.W_K, layer.b_K), arch.d_head)  # (Hkv, T, dh)
    v = split_heads(project(x, layer.W_V, layer.b_V), arch.d_head)  # (Hkv, T, dh)
    steps = {}
    if rope is not None:
        steps |= {"q_unrotated": q, "k_unrotated": k}
        q, k = rotary(q, *rope), rotary(k, *rope)  # (H, T, dh), (Hkv, T, dh)
    scale = layer.scale if intervention.scale_scores else None
    k_shared = share_kv_heads(k, arch.n_heads)  # (H, T, dh)
    dots, scores = attention_scores(q, k_shared, scale, intervention.causal_mask)  # (H, T, T) each
    pattern = attention_pattern(scores)  # (H, T, T)
    z = attend(pattern, share_kv_heads(v, arch.n_heads)) * keep  # (H, T, dh), ablated heads zeroed
    out = project(merge_heads(z), layer.W_O, layer.b_O)  # (T, d)
    return steps | dict(q=q, k=k, v=v, dots=dots, scores=scores, pattern=pattern, z=z, out=out)


def block(
    resid: torch.Tensor, index: int, weights: Weights, rope: tuple | None, intervention: Intervention,
    acts: dict[str, torch.Tensor],
) -> torch.Tensor:  # fmt: skip
    """One transformer block: x + attention(norm(x)), then + mlp(norm(x)); records into ``acts``."""
    layer, arch, name = weights.layers[index], weights.architecture, f"blocks.{index}"
    keep = ablation_mask(intervention, index, arch.n_heads)  # (H, 1, 1)
    ln1 = normalize(resid, layer.ln1_w, layer.ln1_b, weights.eps)  # (T, d)
    attn = attention(ln1, layer, arch, rope, keep, intervention)
    resid_mid = resid + attn["out"]  # (T, d)
    ln2 = normalize(resid_mid, layer.ln2_w, layer.ln2_b, weights.eps)  # (T, d)
    feed_forward = mlp(ln2, layer, weights.activation)
    resid_post = resid_mid + feed_forward["out"]  # (T, d)
    acts |= {f"{name}.resid_pre": resid, f"{name}.ln1": ln1}
    acts |= {f"{name}.attn.{step}": value for step, value in attn.items()}
    acts |= {f"{name}.resid_mid": resid_mid, f"{name}.ln2": ln2}
    acts |= {f"{name}.mlp.{step}": value for step, value in feed_forward.items()}
    acts[f"{name}.resid_post"] = resid_post
    return resid_post


def rotary_angles(weights: Weights, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Llama: the model's own rotary module gives cos and sin per position, (T, dh) each."""
    if weights.rotary_embedding is None:
        return None
    positions = torch.arange(x.shape[0])[None]  # (1, T)
    cos, sin = weights.rotary_embedding(x[None], positions)  # (1, T, dh) each
    return cos[0], sin[0]


@torch.no_grad()
def run(
    weights: Weights, token_ids: torch.Tensor, intervention: Intervention = NO_INTERVENTION
) -> dict[str, torch.Tensor]:
    """The whole forward pass on token ids (T,); every intermediate by name, in forward order."""
    acts = {"embed": embed(token_ids, weights.W_E)}  # (T, d)
    resid = acts["embed"]  # (T, d)
    if weights.W_pos is not None:
        acts["pos_embed"] = position_embed(len(token_ids), weights.W_pos)  # (T, d)
        resid = resid + acts["pos_embed"]  # (T, d)
    rope = rotary_angles(weights, resid)
    for index in range(len(weights.layers)):
        resid = block(resid, index, weights, rope, intervention, acts)  # (T, d)
    acts["ln_final"] = normalize(resid, weights.ln_final_w, weights.ln_final_b, weights.eps)  # (T, d)
    acts["logits"] = unembed(acts["ln_final"], weights.W_U, weights.b_U)  # (T, vocab)
    return acts
