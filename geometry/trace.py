"""A glass-box trace: one prompt through a real transformer, every intermediate kept by name.

:func:`trace` tokenizes the prompt exactly as ``lm.tokenizer(prompt)`` does, recomputes
the forward pass from the model's own weights (see :mod:`geometry.forward`) and returns a
:class:`Trace`: the tokens, the architecture, and one record of activations, all numpy
float32 and read-only. The model is a causal LM (GPT-2, Llama, Qwen2) or a BERT encoder such as the
sentence encoder all-MiniLM-L6-v2. The helpers below turn a trace into the tidy tables a page
shows: the logit lens (at one position, or at every position with a target token's rank:
:func:`lens_table`), every head's attention pattern at once (:func:`model_view`), residual norms,
what each sublayer changes, one head's "dot product tournament", the most active MLP neurons and
the top next tokens (the trace page's other tables are in :mod:`geometry.trace_tables`). A trace
keeps a :class:`ReadOut` of its model's final norm and unembedding, so the lens needs only the
trace. :func:`generate` runs the model's own forward pass one token at a time, with or without
its key/value cache.

Activation names and shapes (T tokens, d = d_model, H heads, Hkv kv heads, dh = d_head), named as
TransformerLens names its hooks (``attn.q`` is ``hook_q``, the query before any rotation;
``attn.rot_q`` is ``hook_rot_q``; ``mlp.pre_linear`` is ``hook_pre_linear``)::

    embed (T, d)                       pos_embed (T, d)            learned positions only
    token_type_embed (T, d)            embed_norm (T, d)           token types; the norm of the sum (BERT)
    blocks.{L}.resid_pre (T, d)        blocks.{L}.ln1 (T, d)       ln1/ln2: norms before the sublayers only
    blocks.{L}.attn.q (H, T, dh)       blocks.{L}.attn.k (Hkv, T, dh)   blocks.{L}.attn.v (Hkv, T, dh)
    blocks.{L}.attn.rot_q (H, T, dh)   blocks.{L}.attn.rot_k (Hkv, T, dh)   rotary only: q and k turned
    blocks.{L}.attn.dots (H, T, T)     raw q·k (of the turned q and k in a rotary family)
    blocks.{L}.attn.scores (H, T, T)   after scaling and the mask (-inf where masked)
    blocks.{L}.attn.pattern (H, T, T)  softmax probabilities
    blocks.{L}.attn.z (H, T, dh)       blocks.{L}.attn.out (T, d)   blocks.{L}.resid_mid (T, d)
    blocks.{L}.ln2 (T, d)              blocks.{L}.mlp.pre (T, d_mlp)
    blocks.{L}.mlp.pre_linear (T, d_mlp)   gated MLPs only (SwiGLU): the linear half, x W_up
    blocks.{L}.mlp.post (T, d_mlp)     blocks.{L}.mlp.out (T, d)    blocks.{L}.resid_post (T, d)
    ln_final (T, d)                    logits (T, vocab)           families with a vocabulary head only

Where the norms sit differs by family. Pre-norm families (GPT-2, Llama, Qwen2) normalise a copy of
the stream before each sublayer (``ln1``, ``ln2``; ``resid_mid = resid_pre + attn.out``) and once more
at the end (``ln_final``). Post-norm ones (BERT) normalise the stream itself after each addition
(``resid_mid = LayerNorm(resid_pre + attn.out)``, ``resid_post = LayerNorm(resid_mid + mlp.out)``),
so they have no ``ln1``, ``ln2`` or ``ln_final``; and an encoder has no ``logits``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geometry.counting import operation_counts, reused_kv_vectors
from geometry.forward import NO_INTERVENTION, Intervention, read_out, run, weights_of
from geometry.models import frozen, network, using
from geometry.sampling import Decoding, next_token_probs
from geometry.tokens import display_tokens, word_tokens
from geometry.transformer.architecture import Architecture, architecture_table
from geometry.transformer.registry import architecture_of
from geometry.transformer.weights import Weights
from geometry.vectors import cosine, norm, top_k

__all__ = [
    "MAX_PROMPT_TOKENS",
    "MAX_NEW_TOKENS",
    "NO_INTERVENTION",
    "Activations",
    "Architecture",
    "GenerationResult",
    "Intervention",
    "ReadOut",
    "Trace",
    "architecture_of",
    "architecture_table",
    "final_vector_changes",
    "display_tokens",
    "generate",
    "greedy",
    "head_contributions",
    "lens_table",
    "logit_lens",
    "model_view",
    "next_tokens",
    "operation_counts",
    "position_labels",
    "prompt_ids",
    "reused_kv_vectors",
    "residual_norms",
    "residual_stages",
    "sublayer_changes",
    "target_token",
    "top_neurons",
    "trace",
    "unique_labels",
]

MAX_PROMPT_TOKENS = 64  # longer prompts keep their last 64 tokens (trace.truncated is then True)
MAX_NEW_TOKENS = 50  # the page's limit on tokens written in one call (generate(max_new_tokens=...))
NO_HEAD = (
    "A sentence-embedding encoder has no vocabulary head: it turns each token into a vector "
    "and predicts no next token."
)


class Activations(Mapping):
    """A read-only name → array mapping, in forward order (picklable, unlike MappingProxyType)."""

    def __init__(self, arrays: Mapping[str, np.ndarray]):
        self._arrays = dict(arrays)

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._arrays[name]
        except KeyError:
            raise KeyError(f"No activation named {name!r}; see Trace.names.") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def __repr__(self) -> str:
        return f"Activations({len(self)} arrays: {', '.join(list(self)[:3])}, …)"


@dataclass(frozen=True, eq=False)
class ReadOut:
    """The end of the model a trace went through: its final norm and unembedding, and the
    tokenizer that names the tokens. The weights are views of the model's own tensors (nothing
    copied, nothing changed), so a trace can read any residual vector the way the model would.
    """

    weights: Weights
    lm: Any  # the model handle: its tokenizer (and lock) name the tokens

    def logits(self, resid: np.ndarray):
        """Residual vectors (S, d) → torch logits (S, vocab): final norm, then the unembedding."""
        import torch

        with torch.no_grad():
            return read_out(torch.from_numpy(np.ascontiguousarray(resid)), self.weights)  # (S, vocab)

    def tokens(self, ids) -> tuple[str, ...]:
        return display_tokens(self.lm, ids)


@dataclass(frozen=True, eq=False)
class Trace:
    """One prompt's forward pass: tokens, architecture and every named intermediate.

    ``read_out`` reaches the model's final norm and unembedding (see :func:`logit_lens`); it stays
    in memory: a pickled trace keeps its numbers and leaves the model behind.
    """

    prompt: str
    token_ids: np.ndarray  # (T,) int64
    tokens: tuple[str, ...]  # display strings, "␣" for a space
    architecture: Architecture
    intervention: Intervention
    truncated: bool  # True when the prompt was cut to its last MAX_PROMPT_TOKENS tokens
    activations: Mapping[str, np.ndarray]
    model_name: str = ""
    read_out: ReadOut | None = field(default=None, repr=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "read_out": None}  # numbers only: the model is not pickled

    @property
    def names(self) -> list[str]:
        """Activation names in forward order."""
        return list(self.activations)

    @property
    def n_tokens(self) -> int:
        return len(self.token_ids)

    @property
    def predicts_tokens(self) -> bool:
        """Whether the model has a vocabulary head (a causal LM) or only makes vectors (an encoder)."""
        return self.architecture.layout.vocabulary_head

    @property
    def masks_the_future(self) -> bool:
        """Whether each token saw only itself and the tokens before it in this run."""
        return self.intervention.masks_the_future(self.architecture.layout)

    @property
    def logits(self) -> np.ndarray:
        """(vocab,) the next-token logits at the final position; ValueError for an encoder."""
        if not self.predicts_tokens:
            raise ValueError(NO_HEAD)
        return self.activations["logits"][-1]

    @functools.cached_property
    def attention(self) -> np.ndarray:
        """(L, H, T, T) attention probabilities: layer, head, query, key."""
        return frozen(np.stack([self.activations[f"blocks.{L}.attn.pattern"] for L in self._layers]))

    @functools.cached_property
    def scores(self) -> np.ndarray:
        """(L, H, T, T) pre-softmax scores, after scaling and the mask (-inf where masked)."""
        return frozen(np.stack([self.activations[f"blocks.{L}.attn.scores"] for L in self._layers]))

    @property
    def _layers(self) -> range:
        return range(self.architecture.n_layers)


# --------------------------------------------------------------------------- tokens


def prompt_ids(lm, prompt: str, limit: int = MAX_PROMPT_TOKENS) -> tuple[list[int], bool]:
    """Token ids of ``prompt`` exactly as ``lm.tokenizer(prompt)`` makes them, the last ``limit`` kept.

    Returns (ids, truncated). ValueError (a message for the user) for an empty prompt or
    one the tokenizer turns into nothing.
    """
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("Type a prompt: at least one word.")
    with using(lm):
        ids = list(lm.tokenizer(prompt)["input_ids"])
    if not ids:
        raise ValueError("The tokenizer turned this prompt into no tokens at all; type some words.")
    truncated = len(ids) > limit
    return [int(i) for i in ids[-limit:]], truncated


def unique_labels(tokens: Sequence[str], ids) -> list[str]:
    """Token strings, with the id added only where two different ids would look the same.

    >>> unique_labels(["a", "b", "a"], [1, 2, 3])
    ['a [1]', 'b', 'a [3]']
    """
    tokens, ids = list(tokens), [int(i) for i in ids]
    seen = pd.Series(tokens, dtype=object).duplicated(keep=False).tolist()
    return [f"{t} [{i}]" if dup else t for t, i, dup in zip(tokens, ids, seen, strict=True)]


def position_labels(trace: Trace) -> list[str]:
    """``"3 ␣France"``: position and token, unique even when a token repeats."""
    return [f"{i} {token}" for i, token in enumerate(trace.tokens)]


# --------------------------------------------------------------------------- the trace


def trace(
    lm, prompt: str, intervention: Intervention = NO_INTERVENTION, *, max_tokens: int = MAX_PROMPT_TOKENS
) -> Trace:
    """Run ``prompt`` through ``lm`` step by step, keeping every intermediate.

    ``lm`` is anything with ``.model`` (a transformers GPT-2, Llama or Qwen2 causal LM, or a BERT
    model) or ``.transformer`` (a loaded sentence encoder), and ``.tokenizer``. At most
    ``max_tokens`` tokens are kept (the last ones). ValueError (a message for the user) for
    an empty prompt, a prompt without tokens, an unsupported model or an ablated head that
    does not exist.

    >>> t = trace(lm, "The capital of France is")  # doctest: +SKIP
    >>> t.tokens, t.attention.shape  # doctest: +SKIP
    (('The', '␣capital', '␣of', '␣France', '␣is'), (30, 9, 5, 5))
    """
    import torch

    model = network(lm)
    weights = weights_of(model)
    _check_intervention(intervention, weights.architecture)
    max_positions = int(getattr(model.config, "max_position_embeddings", max_tokens))
    ids, truncated = prompt_ids(lm, prompt, limit=min(int(max_tokens), max_positions))
    with using(lm):
        acts = run(weights, torch.tensor(ids, dtype=torch.long), intervention)
    # detach: a slice of a weight that requires grad (W_pos[:T]) still requires it under no_grad
    arrays = {name: frozen(tensor.detach().numpy()) for name, tensor in acts.items()}
    return Trace(
        prompt=prompt,
        token_ids=frozen(np.asarray(ids, dtype=np.int64)),
        tokens=display_tokens(lm, ids),
        architecture=weights.architecture,
        intervention=intervention,
        truncated=truncated,
        activations=Activations(arrays),
        model_name=str(getattr(lm, "name", "")),
        read_out=ReadOut(weights, lm),
    )


def _check_intervention(intervention: Intervention, arch: Architecture) -> None:
    for layer, head in intervention.ablated_heads:
        if not (0 <= layer < arch.n_layers and 0 <= head < arch.n_heads):
            raise ValueError(
                f"There is no head {head} in layer {layer}: this model has layers 0–{arch.n_layers - 1} "
                f"and heads 0–{arch.n_heads - 1}."
            )


# --------------------------------------------------------------------------- readings of a trace


def _position(trace: Trace, position: int) -> int:
    T = trace.n_tokens
    if not -T <= position < T:
        raise ValueError(f"Position {position} is outside the prompt's {T} tokens.")
    return position % T


def _layer(trace: Trace, layer: int) -> int:
    n = trace.architecture.n_layers
    if not 0 <= layer < n:
        raise ValueError(f"Layer {layer} does not exist: this model has layers 0–{n - 1}.")
    return layer


def residual_stages(trace: Trace) -> list[tuple[int, str, str]]:
    """(layer, stage, activation name) of the residual stream, from the embedding to the last MLP.

    The embedding is layer -1 (before block 0); then "after attention" and "after MLP" per block.
    """
    stages = [(-1, "embedding", "blocks.0.resid_pre")]
    for L in range(trace.architecture.n_layers):
        stages.append((L, "after attention", f"blocks.{L}.resid_mid"))
        stages.append((L, "after MLP", f"blocks.{L}.resid_post"))
    return stages


def residual_norms(trace: Trace, position: int = -1) -> pd.DataFrame:
    """Length of the chosen token's residual vector after each sublayer.

    Columns: step (0, 1, …), name (activation), layer (-1 for the embedding), stage, norm.
    """
    p = _position(trace, position)
    rows = [
        {"step": step, "name": name, "layer": layer, "stage": stage,
         "norm": float(np.linalg.norm(trace.activations[name][p]))}
        for step, (layer, stage, name) in enumerate(residual_stages(trace))
    ]  # fmt: skip
    return pd.DataFrame(rows)


def sublayer_changes(trace: Trace, positions: int | Sequence[int] = -1) -> pd.DataFrame:
    """How much each layer's attention and MLP move one token's vector.

    ``positions`` is one position or several (a word cut into pieces: their mean vector is
    followed). One row per layer and sublayer. Columns: layer, sublayer ("attention" or "MLP"),
    step (0, 1, … in forward order), output_norm (|what the sublayer adds|), change
    (|after - before|: how far the vector itself moved, a post-norm family's rescaling included),
    before_norm, after_norm, cosine (between the vector before and after: 1 = same direction).
    """
    chosen = [_position(trace, p) for p in np.atleast_1d(positions).tolist()]
    if not chosen:
        raise ValueError("Choose at least one token position.")

    def vector(name: str) -> np.ndarray:
        return trace.activations[name][chosen].astype(np.float64).mean(axis=0)  # (d,)

    rows = []
    for L in range(trace.architecture.n_layers):
        stream = [vector(f"blocks.{L}.{name}") for name in ("resid_pre", "resid_mid", "resid_post")]
        outputs = [vector(f"blocks.{L}.attn.out"), vector(f"blocks.{L}.mlp.out")]
        for i, sublayer in enumerate(("attention", "MLP")):
            before, after = stream[i], stream[i + 1]
            rows.append({
                "layer": L, "sublayer": sublayer, "step": 2 * L + i,
                "output_norm": norm(outputs[i]), "change": norm(after - before),
                "before_norm": norm(before), "after_norm": norm(after), "cosine": cosine(before, after),
            })  # fmt: skip
    return pd.DataFrame(rows)


def _read_out(trace: Trace, vectors: np.ndarray):
    """Residual vectors (R, d) → torch logits (R, vocab) through the final norm and unembedding the
    trace's model used (``trace.read_out``). The one way the lens reads a vector. ValueError for an
    encoder (no vocabulary head) or a trace unpickled without its model."""
    if not trace.predicts_tokens:
        raise ValueError(NO_HEAD)
    if trace.read_out is None:
        raise ValueError(
            "This trace was copied without its model, so it cannot read out tokens; trace again."
        )
    return trace.read_out.logits(np.asarray(vectors, dtype=np.float32))


def logit_lens(trace: Trace, position: int = -1, k: int = 5) -> pd.DataFrame:
    """What the model would predict if it stopped early: final norm + unembedding at each stage.

    Stages: the embedding (layer -1), then after the attention and after the MLP of each
    layer. Columns: step, layer, stage, rank (1..k), token_id, token, probability, logit.
    The last stage is the model's own prediction. ValueError for an encoder (no vocabulary head)
    or a trace unpickled without its model. See :func:`lens_table` for every position at once.
    """
    import torch

    p, stages = _position(trace, position), residual_stages(trace)
    logits = _read_out(trace, np.stack([trace.activations[name][p] for *_, name in stages]))  # (S, vocab)
    top = torch.topk(logits, k=min(k, logits.shape[-1]), dim=-1)  # (S, k) values and indices
    probabilities = torch.softmax(logits, dim=-1).gather(-1, top.indices)  # (S, k)
    n_top = top.indices.shape[1]
    table = pd.DataFrame({
        "step": np.repeat(np.arange(len(stages)), n_top),
        "layer": np.repeat([layer for layer, _, _ in stages], n_top),
        "stage": np.repeat([stage for _, stage, _ in stages], n_top),
        "rank": np.tile(np.arange(1, n_top + 1), len(stages)),
        "token_id": top.indices.flatten().numpy(),
        "probability": probabilities.flatten().numpy(),
        "logit": top.values.flatten().numpy(),
    })  # fmt: skip
    table.insert(5, "token", trace.read_out.tokens(table["token_id"]))
    return table


LENS_CHUNK = 512  # residual vectors read out at once: 512 × vocab logits (~100 MB on SmolLM2) at a time


def _lens_rows(logits, target: int) -> dict[str, np.ndarray]:
    """The top token and the target, from logits (R, vocab) of R residual vectors."""
    import torch

    log_z = torch.logsumexp(logits, dim=-1)  # (R,) log of softmax's denominator
    top_logit, top = logits.max(dim=-1)  # (R,) each
    target_logit = logits[:, target]  # (R,)
    columns = {
        "top_id": top, "top_logit": top_logit, "top_probability": torch.exp(top_logit - log_z),
        "target_rank": (logits > target_logit[:, None]).sum(dim=-1) + 1,
        "target_logit": target_logit, "target_probability": torch.exp(target_logit - log_z),
    }  # fmt: skip
    return {name: column.numpy() for name, column in columns.items()}


def target_token(lm, text: str) -> tuple[int, str | None]:
    """The token a typed target names. A word reads as it does mid-sentence: ``Paris``, `` Paris``
    and ``␣Paris`` all name ``␣Paris`` (a byte-level tokenizer's word with its leading space);
    punctuation is taken as typed (``,`` is the comma token, ``␣,`` the comma after a space).

    Returns (token id, note): the note says so when the text is several tokens and only the first
    is followed. ValueError (a message for the user) for empty or over-long text, or text without
    tokens.
    """
    typed = str(text).replace("␣", " ")
    pieces = word_tokens(lm, typed)  # checks the text; a word gets its leading space
    ids = pieces.ids
    if not typed[:1].isspace() and not pieces.word[:1].isalnum():
        with using(lm):
            ids = tuple(lm.tokenizer(pieces.word, add_special_tokens=False)["input_ids"]) or ids
    note = None
    if len(ids) > 1:
        shown = display_tokens(lm, ids)
        note = (
            f"“{pieces.word}” is {len(shown)} tokens ({', '.join(shown)}); a prediction is one token, "
            f"so the first one, {shown[0]}, is followed."
        )
    return int(ids[0]), note


def lens_table(trace: Trace, target: int | None = None) -> pd.DataFrame:
    """The logit lens at every position and every stage: what each token's vector would predict.

    Each residual vector (the embedding, then after the attention and after the MLP of every
    layer) goes through the final norm and the unembedding. ``target`` is a token id to follow
    (default: the model's top next token at the last position). One row per (stage, position),
    stage by stage. Columns: step, layer (-1 = embedding), stage, position, token (the prompt's
    token there), top_id, top_token, top_probability, top_logit, target_id, target_token,
    target_rank (1 = the top token), target_probability, target_logit. The last step is the
    model's own prediction. ValueError for an encoder or a target outside the vocabulary.
    """
    target = int(np.argmax(trace.logits)) if target is None else int(target)
    if not 0 <= target < trace.architecture.vocab_size:
        raise ValueError(
            f"Token id {target} is outside the vocabulary (0–{trace.architecture.vocab_size - 1})."
        )
    stages, T = residual_stages(trace), trace.n_tokens
    vectors = np.concatenate([trace.activations[name] for *_, name in stages])  # (S·T, d) stage by stage
    chunks = [
        _lens_rows(_read_out(trace, vectors[start : start + LENS_CHUNK]), target)
        for start in range(0, len(vectors), LENS_CHUNK)
    ]
    table = pd.DataFrame({
        "step": np.repeat(np.arange(len(stages)), T),
        "layer": np.repeat([layer for layer, _, _ in stages], T),
        "stage": np.repeat([stage for _, stage, _ in stages], T),
        "position": np.tile(np.arange(T), len(stages)),
        "token": np.tile(np.asarray(trace.tokens, dtype=object), len(stages)),
        **{name: np.concatenate([chunk[name] for chunk in chunks]) for name in chunks[0]},
    })  # fmt: skip
    ids = table["top_id"].unique()
    names = dict(zip(ids.tolist(), trace.read_out.tokens(ids), strict=True))
    table["top_token"] = table["top_id"].map(names)
    table["target_id"], table["target_token"] = target, trace.read_out.tokens([target])[0]
    return table[LENS_COLUMNS]


LENS_COLUMNS = [
    "step", "layer", "stage", "position", "token", "top_id", "top_token", "top_probability", "top_logit",
    "target_id", "target_token", "target_rank", "target_probability", "target_logit",
]  # fmt: skip


def model_view(trace: Trace, layers: Sequence[int] | None = None) -> pd.DataFrame:
    """Every head's attention pattern in ``layers`` (default: all), as BertViz's model view shows them.

    One row per (layer, head, query, key) pair the query may see (keys after it are left out while
    the causal mask is on). Columns: layer, head, query_position, key_position, query_token,
    key_token, probability (each query's row sums to 1 over its keys).
    """
    chosen = list(range(trace.architecture.n_layers) if layers is None else layers)
    for layer in chosen:
        _layer(trace, layer)
    T, H = trace.n_tokens, trace.architecture.n_heads
    query, key = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")  # (T, T) each
    visible = key <= query if trace.masks_the_future else np.ones((T, T), dtype=bool)  # (T, T)
    patterns = trace.attention[chosen][:, :, visible]  # (L', H, V) the visible cells, row by row
    n_visible, tokens = int(visible.sum()), np.asarray(trace.tokens, dtype=object)
    return pd.DataFrame({
        "layer": np.repeat(chosen, H * n_visible),
        "head": np.tile(np.repeat(np.arange(H), n_visible), len(chosen)),
        "query_position": np.tile(query[visible], len(chosen) * H),
        "key_position": np.tile(key[visible], len(chosen) * H),
        "query_token": np.tile(tokens[query[visible]], len(chosen) * H),
        "key_token": np.tile(tokens[key[visible]], len(chosen) * H),
        "probability": patterns.reshape(-1),
    })  # fmt: skip


def head_contributions(trace: Trace, layer: int, head: int, query: int) -> pd.DataFrame:
    """One query token's "dot product tournament" in one head: every key it may look at.

    Columns: key_position, key_token, q_dot_k (raw), scaled_score (after scaling; -inf if
    masked), probability (softmax), value_norm (|v_key|), weighted_value_norm (|p · v_key|).
    Keys after the query are left out while the causal mask is on (an encoder has none).
    """
    L, q = _layer(trace, layer), _position(trace, query)
    if not 0 <= head < trace.architecture.n_heads:
        last = trace.architecture.n_heads - 1
        raise ValueError(f"Head {head} does not exist: this model has heads 0–{last}.")
    acts, prefix = trace.activations, f"blocks.{L}.attn"
    keys = np.arange(q + 1 if trace.masks_the_future else trace.n_tokens)  # (K,) visible keys
    v = acts[f"{prefix}.v"][trace.architecture.kv_head_of(head), keys]  # (K, dh) shared by grouped heads
    probability = acts[f"{prefix}.pattern"][head, q, keys]  # (K,)
    value_norm = np.linalg.norm(v, axis=-1)  # (K,)
    return pd.DataFrame({
        "key_position": keys,
        "key_token": [trace.tokens[j] for j in keys],
        "q_dot_k": acts[f"{prefix}.dots"][head, q, keys],
        "scaled_score": acts[f"{prefix}.scores"][head, q, keys],
        "probability": probability,
        "value_norm": value_norm,
        "weighted_value_norm": probability * value_norm,
    })  # fmt: skip


def top_neurons(trace: Trace, layer: int, position: int = -1, k: int = 10) -> pd.DataFrame:
    """The MLP neurons most active (largest |post|) for one token at one layer.

    Columns: neuron, activation (post: what W_out, or SwiGLU's W_down, reads), pre (the detector's
    dot product; in SwiGLU the gate's, before SiLU).
    """
    L, p = _layer(trace, layer), _position(trace, position)
    post = trace.activations[f"blocks.{L}.mlp.post"][p]  # (d_mlp,)
    pre = trace.activations[f"blocks.{L}.mlp.pre"][p]  # (d_mlp,)
    order = top_k(np.abs(post), k)  # (k,)
    return pd.DataFrame({"neuron": order, "activation": post[order], "pre": pre[order]})


def next_tokens(lm, trace: Trace, k: int = 10, decoding: Decoding | None = None) -> pd.DataFrame:
    """The k most likely next tokens, most likely first.

    Columns: rank, token_id, token (with its id where two tokens look alike), logit,
    probability (the model's softmax); with ``decoding`` also after_temperature, after_filters
    (the distribution ``decoding`` draws from) and status ("kept" or "filtered out").
    """
    logits = np.asarray(trace.logits, dtype=np.float64)  # (vocab,)
    order = top_k(logits, k)  # (k,)
    table = pd.DataFrame({
        "rank": np.arange(1, len(order) + 1), "token_id": order,
        "token": unique_labels(display_tokens(lm, order), order),
        "logit": logits[order], "probability": next_token_probs(logits)[order],
    })  # fmt: skip
    if decoding is None:
        return table
    final = decoding.probs(logits)[order]
    return table.assign(
        after_temperature=next_token_probs(logits, decoding.temperature)[order],
        after_filters=final,
        status=np.where(final > 0, "kept", "filtered out"),
    )


# --------------------------------------------------------------------------- generation


def greedy(logits: np.ndarray) -> int:
    """The most likely token id.

    >>> greedy(np.array([0.1, 2.0, -1.0]))
    1
    """
    return int(np.argmax(logits))


@dataclass(frozen=True)
class GenerationResult:
    """Tokens written one at a time; per-step lists have one entry per new token."""

    prompt_ids: tuple[int, ...]
    new_ids: tuple[int, ...]
    step_texts: tuple[str, ...]  # each new token decoded on its own
    step_tokens: tuple[str, ...]  # the same as display strings ("␣" for a space)
    text: str  # the new tokens decoded together
    use_cache: bool
    cached_tokens: tuple[int, ...]  # tokens whose keys/values were reused at each step (0 without cache)
    reused_kv_vectors: tuple[int, ...]  # key and value vectors reused: 2 · layers · kv heads · cached tokens
    seconds: tuple[float, ...] = field(default=(), compare=False)  # wall clock per step (informative only)
    truncated: bool = False


def generate(
    lm, prompt: str, n_tokens: int, choose: Callable[[np.ndarray], int] = greedy, use_cache: bool = True,
    stop_at_eos: bool = False, max_new_tokens: int | None = None,
) -> GenerationResult:  # fmt: skip
    """Write ``n_tokens`` tokens after ``prompt`` with the model's own forward pass.

    ``choose(logits (vocab,) float32) -> token id`` picks each token (greedy by default).
    With ``use_cache`` the model's key/value cache (``past_key_values``) is fed back, so
    each step computes keys and values for the new token only; without it, every step
    reruns the whole sequence. ``max_new_tokens`` refuses a bigger ``n_tokens`` (the page passes
    MAX_NEW_TOKENS); the model's context length always bounds it.
    """
    import torch

    if int(n_tokens) < 1 or (max_new_tokens is not None and int(n_tokens) > max_new_tokens):
        most = f"between 1 and {max_new_tokens}" if max_new_tokens else "at least 1"
        raise ValueError(f"Choose {most} new tokens.")
    model = network(lm)
    arch = architecture_of(model)
    if not arch.layout.vocabulary_head:
        raise ValueError(NO_HEAD)
    room = int(getattr(model.config, "max_position_embeddings", 1 << 30)) - int(n_tokens)
    if room < 1:
        raise ValueError(f"{lm.name} reads at most {room + int(n_tokens)} tokens; ask for fewer new tokens.")
    ids, truncated = prompt_ids(lm, prompt, limit=min(MAX_PROMPT_TOKENS, room))
    sequence, cache, cached, seconds = list(ids), None, [], []
    with torch.no_grad(), using(lm):
        for _ in range(int(n_tokens)):
            start = time.perf_counter()
            cached.append(cache.get_seq_length() if cache is not None else 0)
            if use_cache:  # feed only what the cache has not seen
                out = model(
                    input_ids=torch.tensor([sequence[cached[-1] :]]), past_key_values=cache, use_cache=True
                )
                cache = out.past_key_values
            else:
                out = model(input_ids=torch.tensor([sequence]), use_cache=False)
            sequence.append(int(choose(out.logits[0, -1].numpy())))
            seconds.append(time.perf_counter() - start)
            if stop_at_eos and sequence[-1] == lm.tokenizer.eos_token_id:
                break
    new_ids = sequence[len(ids) :]
    return GenerationResult(
        prompt_ids=tuple(ids),
        new_ids=tuple(new_ids),
        step_texts=_decode_each(lm, new_ids),
        step_tokens=display_tokens(lm, new_ids),
        text=_decode(lm, new_ids),
        use_cache=use_cache,
        cached_tokens=tuple(cached),
        reused_kv_vectors=tuple(reused_kv_vectors(arch, c) for c in cached),
        seconds=tuple(seconds),
        truncated=truncated,
    )


def _decode(lm, ids: list[int]) -> str:
    with using(lm):
        return lm.tokenizer.decode(ids)


def _decode_each(lm, ids: list[int]) -> tuple[str, ...]:
    with using(lm):
        return tuple(lm.tokenizer.decode([i]) for i in ids)


# --------------------------------------------------------------------------- comparing runs and models


def final_vector_changes(normal: Trace, changed: Trace) -> pd.DataFrame:
    """How an experiment moved each token's final vector (the output of the last block).

    For an encoder this is what the experiment changes: it has no next token to compare.
    Columns: position, token, cosine (normal vs experiment; 1 = same direction), distance
    (|experiment - normal|), normal_norm.
    """
    name = f"blocks.{normal.architecture.n_layers - 1}.resid_post"
    before, after = normal.activations[name].astype(np.float64), changed.activations[name].astype(np.float64)
    return pd.DataFrame({
        "position": np.arange(normal.n_tokens), "token": list(normal.tokens),
        "cosine": [cosine(a, b) for a, b in zip(before, after, strict=True)],
        "distance": np.linalg.norm(after - before, axis=-1), "normal_norm": np.linalg.norm(before, axis=-1),
    })  # fmt: skip
