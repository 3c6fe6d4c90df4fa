"""The logit lens: every residual vector of a trace read through the final norm and the
unembedding, as if the model stopped there (one position, or every position with a target
token's rank).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geometry.models.handle import using
from geometry.transformer.readings import residual_stages
from geometry.transformer.trace import NO_HEAD, Trace, checked_position
from geometry.words.tokens import display_tokens, word_tokens


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

    p, stages = checked_position(trace, position), residual_stages(trace)
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
