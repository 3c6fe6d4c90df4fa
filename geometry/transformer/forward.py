"""A transformer's forward pass, written out one textbook step at a time.

Every number comes from the model's own weights, read as views by its family's file (no copies,
nothing written back; see :mod:`geometry.transformer.weights`). The pass reads only what the family
declares in its :class:`~geometry.transformer.layout.Layout`: the norm (LayerNorm, RMSNorm, RMSNorm
with a (1 + w) scale), where the norms sit (before each sublayer, on each sublayer's output, after
each addition), the MLP (plain or gated, with the config's activation), the positions (learned
vectors, rotary or partial rotary), the residual layout (attention then the MLP, or both side by side
on the block's input), the embedding scale, the query and key norms (per head, or over the whole
projection), whether attention looks only back, whether there is a vocabulary head. It never reads
a family's name.

:func:`run` chains the steps and returns every intermediate under a hierarchical name
(``blocks.3.attn.pattern``); :func:`run_from` resumes the pass from any block with a given
residual stream (and, optionally, the keys and values of earlier tokens), as activation patching
needs. Shapes: T tokens, d = d_model, H query heads, Hkv key/value heads, dh = d_head.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from geometry.transformer.layout import NO_QK_NORM, PARALLEL, QK_NORM_WHOLE, Layout, NormKind
from geometry.transformer.registry import architecture_of, family_of
from geometry.transformer.weights import GatedMLP, LayerWeights, Norm, PlainMLP, Weights

# --------------------------------------------------------------------------- reading a model


def unfollowed(layout: Layout) -> list[str]:
    """The features of ``layout`` this forward pass does not compute yet, in words (none: [])."""
    features = {
        # post-norm normalises the stream after each addition; side by side there is one addition
        "attention and MLP side by side in a post-norm block": layout.residual == PARALLEL
        and layout.placement.after_add,
    }
    return [feature for feature, used in features.items() if used]


def weights_of(model: Any) -> Weights:
    """Views of the model's weights in ``(in, out)`` layout, read by its family (no matrix is copied).

    ValueError (a sentence for the user) for a model no family reads, one its family refuses, or
    one whose family uses a feature this forward pass does not compute yet.
    """
    family = family_of(model)
    missing = unfollowed(family.layout)
    if missing:
        raise ValueError(
            f"The step-by-step trace cannot follow {' or '.join(missing)} yet, which {family.title} "
            "models use."
        )
    return family.read(model, architecture_of(model))


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


def centre(x: torch.Tensor, kind: NormKind) -> torch.Tensor:
    """Each row minus its mean for a centring norm (LayerNorm); the rows as they are otherwise."""
    return x - x.mean(-1, keepdim=True) if kind.centred else x  # (T, d)


def inverse_rms(x: torch.Tensor, eps: float) -> torch.Tensor:
    """1 / the root-mean-square of each row (plus eps under the root): the norm's one divisor per row."""
    return torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)  # (T, 1)


def gain(norm: Norm, kind: NormKind) -> torch.Tensor:
    """The norm's learned scale: w, or ``1 + w`` where the family learns it as an offset from 1."""
    return norm.w if not kind.gain_offset else kind.gain_offset + norm.w  # (d,)


def normalize(x: torch.Tensor, norm: Norm, weights: Weights) -> torch.Tensor:
    """The family's norm with one set of learned weights: centre (LayerNorm), divide each row by its
    root-mean-square, scale, shift (when there is a shift).

    LayerNorm of a row [1, 3] is [-1, 1]; RMSNorm of [3, 4] is [3, 4] / √12.5 = [0.85, 1.13].
    """
    kind = weights.layout.norm
    x = centre(x, kind)  # (T, d)
    out = x * inverse_rms(x, weights.eps) * gain(norm, kind)  # (T, d)
    return out if norm.b is None else out + norm.b  # (T, d)


def project(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
    """``x @ W (+ b)``: every output number is one dot product of a row of x with a column of W.

    With one matrix per head, W (heads, d, dh), the same product gives every head's (T, dh) at once.
    """
    out = x @ W  # (T, out), or (heads, T, dh) with per-head weights
    return out if b is None else out + b  # (T, out) or (heads, T, dh)


def split_heads(x: torch.Tensor, d_head: int) -> torch.Tensor:
    """(T, heads·dh) → (heads, T, dh): each head gets its own slice of dh numbers."""
    return x.unflatten(-1, (-1, d_head)).transpose(-3, -2)  # (heads, T, dh)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """Pair coordinate i with i + r/2 and turn each pair by 90°: (a, b) → (-b, a)."""
    first, second = x.chunk(2, dim=-1)  # (..., r/2) each
    return torch.cat((-second, first), dim=-1)  # (..., r)


def rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate each (i, i + r/2) pair of a query or key by an angle that grows with position.

    Two rotated vectors' dot product then depends on how far apart their positions are. ``cos``
    and ``sin`` have r numbers per position: r = dh turns the whole head; a smaller r (partial
    rotary) turns the first r numbers and leaves the others as they are.

    >>> rotary(torch.tensor([[[1.0, 0.0]]]), torch.tensor([[0.0, 0.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([[[0., 1.]]])
    >>> rotary(torch.tensor([[[1.0, 0.0, 5.0]]]), torch.tensor([[0.0, 0.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([[[0., 1., 5.]]])
    """
    r = cos.shape[-1]
    turned, kept = x[..., :r], x[..., r:]  # (heads, T, r), (heads, T, dh - r)
    turned = turned * cos + rotate_half(turned) * sin  # (heads, T, r)
    return turned if kept.shape[-1] == 0 else torch.cat((turned, kept), dim=-1)  # (heads, T, dh)


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
    """(…, H, T, dh) → (…, T, H·dh): concatenate the heads' outputs side by side."""
    return z.transpose(-3, -2).flatten(-2)  # (…, T, H·dh)


def plain_mlp(x: torch.Tensor, mlp: PlainMLP, activation: Callable) -> dict[str, torch.Tensor]:
    """``pre`` = x W_in + b_in (detector dot products), ``post`` = activation(pre), ``out`` = post W_out."""
    pre = project(x, mlp.W_in, mlp.b_in)  # (T, d_mlp)
    post = activation(pre)  # (T, d_mlp)
    return {"pre": pre, "post": post, "out": project(post, mlp.W_out, mlp.b_out)}  # out: (T, d)


def gated_mlp(x: torch.Tensor, mlp: GatedMLP, activation: Callable) -> dict[str, torch.Tensor]:
    """``pre`` = x W_gate, ``pre_linear`` = x W_up, ``post`` = activation(pre) ⊙ pre_linear, and
    ``out`` = post W_down."""
    pre = project(x, mlp.W_gate, mlp.b_gate)  # (T, d_mlp)
    pre_linear = project(x, mlp.W_up, mlp.b_up)  # (T, d_mlp)
    post = activation(pre) * pre_linear  # (T, d_mlp) the gate's output scales the linear half
    return {"pre": pre, "pre_linear": pre_linear, "post": post, "out": project(post, mlp.W_down, mlp.b_down)}


def mlp(x: torch.Tensor, weights: LayerWeights, activation: Callable) -> dict[str, torch.Tensor]:
    """The block's MLP on vectors x (T, d), plain or gated as its weights are; its steps by name."""
    if isinstance(weights.mlp, GatedMLP):
        return gated_mlp(x, weights.mlp, activation)
    return plain_mlp(x, weights.mlp, activation)


def unembed(x: torch.Tensor, W_U: torch.Tensor, b_U: torch.Tensor | None) -> torch.Tensor:
    """Logits: the dot product of each final vector with every token's output vector."""
    return project(x, W_U, b_U)  # (T, vocab)


def final_norm(x: torch.Tensor, weights: Weights) -> torch.Tensor:
    """The norm after the last block (pre-norm families); post-norm vectors are already normalised."""
    return normalize(x, weights.ln_final, weights) if weights.layout.final_norm else x  # (T, d)


def read_out(x: torch.Tensor, weights: Weights) -> torch.Tensor:
    """Residual vectors (S, d) → logits (S, vocab): final norm, then the unembedding."""
    if not weights.layout.vocabulary_head:
        raise ValueError(
            f"A {weights.architecture.title} encoder has no vocabulary head: it predicts no tokens."
        )
    return unembed(final_norm(x, weights), weights.W_U, weights.b_U)  # (S, vocab)


# --------------------------------------------------------------------------- the pass


@dataclass(frozen=True)
class Intervention:
    """Experiments that change the computation (the default changes nothing)."""

    ablated_heads: tuple[tuple[int, int], ...] = ()  # (layer, head) pairs whose z is zeroed
    scale_scores: bool = True  # multiply q·k by 1/√d_head
    causal_mask: bool | None = None  # hide future tokens; None: as the model does (causal or not)

    def masks_the_future(self, layout: Layout) -> bool:
        """Whether this run hides later tokens: the model's own choice unless forced."""
        return layout.causal if self.causal_mask is None else self.causal_mask


NO_INTERVENTION = Intervention()


def ablation_mask(intervention: Intervention, layer: int, n_heads: int) -> torch.Tensor:
    """(H, 1, 1): 0 for the heads switched off in this layer, 1 for the others."""
    keep = torch.ones(n_heads, 1, 1)  # (H, 1, 1)
    for ablated_layer, head in intervention.ablated_heads:
        if ablated_layer == layer:
            keep[head] = 0.0
    return keep


def normalize_heads(x: torch.Tensor, norm: Norm, weights: Weights) -> torch.Tensor:
    """A query or key norm on (heads, T, dh): each head's dh numbers on their own (per head), or the
    heads' numbers of one token together, as the projection came out before it was split (whole)."""
    if weights.layout.qk_norm == QK_NORM_WHOLE:
        return split_heads(normalize(merge_heads(x), norm, weights), x.shape[-1])  # (heads, T, dh)
    return normalize(x, norm, weights)  # (heads, T, dh)


def queries_keys_values(
    x: torch.Tensor, layer: LayerWeights, weights: Weights, rope: tuple | None
) -> dict[str, torch.Tensor]:
    """Each head's queries, keys and values of vectors x (T, d), and the steps that prepare q and k.

    ``q``, ``k``, ``v`` are the projections; a family with query and key norms normalises q and k
    (``normed_q``, ``normed_k``); a rotary family then turns them by position (``rot_q``, ``rot_k``).
    The last of these is what meets in the dot products (:func:`met`).
    """
    q = project(x, layer.W_Q, layer.b_Q)  # (H, T, dh)
    k = project(x, layer.W_K, layer.b_K)  # (Hkv, T, dh)
    steps = {"q": q, "k": k, "v": project(x, layer.W_V, layer.b_V)}  # v: (Hkv, T, dh)
    if weights.layout.qk_norm != NO_QK_NORM:
        q, k = normalize_heads(q, layer.q_norm, weights), normalize_heads(k, layer.k_norm, weights)
        steps |= {"normed_q": q, "normed_k": k}  # (H, T, dh), (Hkv, T, dh)
    if rope is not None:  # the family turns q and k by position (rope: their cos, sin)
        steps |= {"rot_q": rotary(q, *rope), "rot_k": rotary(k, *rope)}  # (H, T, dh), (Hkv, T, dh)
    return steps


def met(steps: dict[str, torch.Tensor], name: str) -> torch.Tensor:
    """The queries (``name`` "q") or keys ("k") as they meet in the dot products: turned by position
    where the family turns them, else normalised where it normalises them, else the projections.
    ``steps`` holds one attention sublayer's steps, named as :func:`queries_keys_values` names them."""
    for stage in (f"rot_{name}", f"normed_{name}", name):
        if stage in steps:
            return steps[stage]  # (heads, T, dh)
    raise KeyError(name)


def output_norm(out: torch.Tensor, norm: Norm | None, weights: Weights) -> dict[str, torch.Tensor]:
    """A sublayer's ``out``: what it adds to the stream. A family that normalises each sublayer's
    output keeps the sublayer's own result as ``out_pre_norm`` and adds its normalised copy."""
    if not weights.layout.placement.on_output:
        return {"out": out}  # (T, d)
    return {"out_pre_norm": out, "out": normalize(out, norm, weights)}  # (T, d) each


def attention_output(z: torch.Tensor, layer: LayerWeights, weights: Weights) -> dict[str, torch.Tensor]:
    """What attention adds to the stream from its heads' outputs z (…, H, T, dh): the heads side by
    side times W_O (plus b_O), normalised where the family normalises each sublayer's output."""
    out = project(merge_heads(z), layer.W_O, layer.b_O)  # (…, T, d)
    return output_norm(out, layer.ln1_out, weights)


def attention(
    x: torch.Tensor, layer: LayerWeights, weights: Weights, rope: tuple | None, keep: torch.Tensor,
    intervention: Intervention, past: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> dict[str, torch.Tensor]:  # fmt: skip
    """One attention sublayer on vectors x (T, d); returns its intermediates by name.

    ``past``: the keys (as queries meet them) and values of earlier tokens, (Hkv, P, dh) each, a
    key/value cache; x then holds only the tokens after them, and ``rope`` their angles.
    """
    H = weights.architecture.n_heads
    steps = queries_keys_values(x, layer, weights, rope)
    q, k, v = met(steps, "q"), met(steps, "k"), steps["v"]  # (H, T, dh), (Hkv, T, dh) twice
    if past is not None:
        k, v = torch.cat((past[0], k), dim=-2), torch.cat((past[1], v), dim=-2)  # (Hkv, P + T, dh)
    scale = layer.scale if intervention.scale_scores else None
    causal = intervention.masks_the_future(weights.layout)
    dots, scores = attention_scores(q, share_kv_heads(k, H), scale, causal)  # (H, T, T) each
    pattern = attention_pattern(scores)  # (H, T, T)
    z = attend(pattern, share_kv_heads(v, H)) * keep  # (H, T, dh), ablated heads zeroed
    return steps | dict(dots=dots, scores=scores, pattern=pattern, z=z) | attention_output(z, layer, weights)


def keys_and_values(acts: dict[str, torch.Tensor], layer: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The keys queries meet (normalised and turned, where the family does) and the values of one
    layer of a run: what a key/value cache keeps, (Hkv, T, dh) each."""
    prefix = f"blocks.{layer}.attn."
    steps = {name.removeprefix(prefix): value for name, value in acts.items() if name.startswith(prefix)}
    return met(steps, "k"), steps["v"]


def _prefixed(prefix: str, steps: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {f"{prefix}.{name}": value for name, value in steps.items()}


def residual_add(resid: torch.Tensor, out: torch.Tensor, norm: Norm | None, weights: Weights) -> torch.Tensor:
    """The stream after a sublayer's output is added: ``resid + out``, normalised after the addition
    in a post-norm family (BERT)."""
    total = resid + out  # (…, T, d)
    return normalize(total, norm, weights) if weights.layout.placement.after_add else total


def block(
    resid: torch.Tensor, layer: LayerWeights, weights: Weights, rope: tuple | None, keep: torch.Tensor,
    intervention: Intervention, past: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> dict[str, torch.Tensor]:  # fmt: skip
    """One block: attention, then the MLP, each added to the stream; returns the block's record.

    Pre-norm (GPT-2, Llama): x + attention(norm(x)), with ``ln1`` the normalised copy. Post-norm
    (BERT): norm(x + attention(x)): the sublayer reads the stream as it is and the norm sits on the
    stream after the addition, so ``resid_mid`` is already normalised and there is no ``ln1``.
    Output norms (OLMo-2): x + norm(attention(x)). Side by side (GPT-NeoX): the MLP reads the
    block's input too, so ``resid_post = resid_pre + attn.out + mlp.out``.
    """
    record = {"resid_pre": resid}
    x = resid
    if weights.layout.placement.before:
        x = record["ln1"] = normalize(resid, layer.ln1, weights)  # (T, d)
    attn = attention(x, layer, weights, rope, keep, intervention, past)
    record |= _prefixed("attn", attn)
    resid_mid = residual_add(resid, attn["out"], layer.ln1, weights)  # (T, d)
    return record | mlp_half(resid_mid, layer, weights, block_input=resid)


def mlp_input(resid_mid: torch.Tensor, block_input: torch.Tensor | None, layout: Layout) -> torch.Tensor:
    """The stream the MLP reads: ``resid_mid`` (after attention), or in a block that runs attention
    and the MLP side by side, the block's input (``resid_pre``), as attention did."""
    if layout.residual != PARALLEL:
        return resid_mid  # (T, d)
    if block_input is None:
        raise ValueError("A block with attention and MLP side by side needs its input for the MLP.")
    return block_input  # (T, d)


def mlp_half(
    resid_mid: torch.Tensor, layer: LayerWeights, weights: Weights, block_input: torch.Tensor | None = None
) -> dict[str, torch.Tensor]:
    """A block's second half, from ``resid_mid`` to ``resid_post``: the MLP, added to the stream, with
    the norms where the family puts them (``ln2`` before the MLP, on its output, or on the stream
    after the addition). ``block_input``: the block's ``resid_pre``, which a side-by-side MLP reads."""
    record = {"resid_mid": resid_mid}
    x = mlp_input(resid_mid, block_input, weights.layout)  # (T, d)
    if weights.layout.placement.before:
        x = record["ln2"] = normalize(x, layer.ln2, weights)  # (T, d)
    steps = mlp(x, layer, weights.activation)
    steps |= output_norm(steps.pop("out"), layer.ln2_out, weights)  # out: (T, d)
    resid_post = residual_add(resid_mid, steps["out"], layer.ln2, weights)  # (T, d)
    return record | _prefixed("mlp", steps) | {"resid_post": resid_post}


def embeddings(weights: Weights, token_ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """The vectors the first block reads, with their parts: ``embed`` (the token's row, times √d where
    the family scales it) and, by family, ``pos_embed`` (learned positions), ``token_type_embed`` and
    ``embed_norm`` (the norm of the sum)."""
    layout, T = weights.layout, len(token_ids)
    record = {"embed": embed(token_ids, weights.W_E) * weights.architecture.embedding_factor()}  # (T, d)
    if layout.positions.learned:
        record["pos_embed"] = position_embed(T, weights.W_pos)  # (T, d)
    if layout.token_types:
        record["token_type_embed"] = embed(
            torch.zeros(T, dtype=torch.long), weights.W_type
        )  # (T, d) sentence A
    if layout.embedding_norm:
        record["embed_norm"] = normalize(first_residual(record), weights.ln_embed, weights)  # (T, d)
    return record


def first_residual(record: dict[str, torch.Tensor]) -> torch.Tensor:
    """Block 0's input: the normalised sum where there is one, else token + position (+ token type)."""
    if "embed_norm" in record:
        return record["embed_norm"]  # (T, d)
    parts = [record[name] for name in ("embed", "pos_embed", "token_type_embed") if name in record]
    total = parts[0]
    for part in parts[1:]:
        total = total + part  # (T, d)
    return total


def rotary_angles(weights: Weights, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Rotary families: the model's own rotary module gives cos and sin per position, (T, r) each."""
    if not weights.layout.positions.rotary:
        return None
    positions = torch.arange(x.shape[0])[None]  # (1, T)
    cos, sin = weights.rotary_embedding(x[None], positions)  # (1, T, r) each
    return cos[0], sin[0]


@torch.no_grad()
def run(
    weights: Weights, token_ids: torch.Tensor, intervention: Intervention = NO_INTERVENTION,
    last_layer: int | None = None,
) -> dict[str, torch.Tensor]:  # fmt: skip
    """The whole forward pass on token ids (T,); every intermediate by name, in forward order.

    One sentence, no padding: the only mask is the causal one, for the families that have it.
    ``last_layer`` stops after that block (no final norm, no logits): what reading one layer needs.
    """
    layout, arch = weights.layout, weights.architecture
    acts = embeddings(weights, token_ids)
    resid = first_residual(acts)  # (T, d)
    rope = rotary_angles(weights, resid)
    for index, layer in enumerate(weights.layers[: None if last_layer is None else last_layer + 1]):
        keep = ablation_mask(intervention, index, arch.n_heads)  # (H, 1, 1)
        record = block(resid, layer, weights, rope, keep, intervention)
        acts |= _prefixed(f"blocks.{index}", record)
        resid = record["resid_post"]  # (T, d)
    if last_layer is not None:
        return acts
    if layout.final_norm:
        acts["ln_final"] = final_norm(resid, weights)  # (T, d)
    if layout.vocabulary_head:
        acts["logits"] = unembed(acts.get("ln_final", resid), weights.W_U, weights.b_U)  # (T, vocab)
    return acts


@torch.no_grad()
def run_from(
    weights: Weights, resid: torch.Tensor, layer: int, rope: tuple | None, after_attention: bool = False,
    past: Sequence[tuple[torch.Tensor, torch.Tensor]] | None = None, block_input: torch.Tensor | None = None,
) -> torch.Tensor:  # fmt: skip
    """Resume the pass from the residual stream ``resid`` (T, d) entering block ``layer``; returns
    the last block's output (T, d), before the final norm.

    With ``after_attention`` the stream enters that block's MLP (it is ``resid_mid``); a block that
    runs attention and the MLP side by side also needs ``block_input``, its ``resid_pre`` (T, d).
    ``layer == n_layers`` returns ``resid`` itself. ``rope`` is :func:`rotary_angles` of these T
    tokens. ``past``, one (keys, values) per layer: the cache of earlier tokens, which ``resid``
    then follows. One sequence, like :func:`run`; ``torch.func.vmap`` runs a batch.
    """
    if after_attention:
        resid = mlp_half(resid, weights.layers[layer], weights, block_input)["resid_post"]  # (T, d)
        layer += 1
    keep = torch.ones(weights.architecture.n_heads, 1, 1)
    for index in range(layer, len(weights.layers)):
        cache = None if past is None else past[index]
        resid = block(resid, weights.layers[index], weights, rope, keep, NO_INTERVENTION, cache)["resid_post"]
    return resid  # (T, d)
