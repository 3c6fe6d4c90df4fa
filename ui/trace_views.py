"""The sections of the "Inside the model" page: one drawing function per idea, plus their caches.

Each ``*_view`` draws one tab of lessons/trace.py: its controls (keys prefixed ``tr_`` and
bound to the URL), its chart, the table of the numbers on screen with a CSV download and a
short explanation. Heavy work goes through cached functions keyed by plain values (model name,
prompt, intervention tuple); the model itself is looked up by name inside them.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import astuple, dataclass

import numpy as np
import pandas as pd
import streamlit as st

from geometry import charts, models, sampling
from geometry import trace as tr
from geometry.classroom import MASK
from geometry.tokens import decode_token, has_control_characters, readable_token
from ui.heavy import computed_in_turn
from ui.models import get_model, unavailable_reason
from ui.page import (
    cached_chart,
    counts_config,
    download_table,
    explain,
    friendly_errors,
    metric_row,
    more_controls,
    safe_text,
    safe_tokens,
    safe_words,
    show_chart,
)

PRESETS = ("The storm is", "The capital of France is", "The dog that chased the cat was")
TABS = (
    "Attention",
    "All heads",
    "Residual stream",
    "MLP neurons",
    "Whole model",
    "Next token",
    "Generate",
    "Sampling lab",
    "Cost",
    "Experiments",
    "Architectures",
)
LIMIT = tr.MAX_PROMPT_TOKENS
PROMPT_KEY = "tr_prompt"
HISTORY_KEY = "tr_history"  # earlier prompts of the generation ratchet (session only)
# intervention key: (ablated (layer, head) pairs, scale by 1/√d, causal mask; None = the model's own)
NORMAL = ((), True, None)
NEEDS_LOGITS = ("Next token", "Generate", "Sampling lab")  # tabs an encoder cannot have
SHOWN_NEXT_TOKENS = 15
# A metric's second line is a note, not a change; each metric is as wide as its text (see metric_row).
QUIET = {"delta_color": "off", "delta_arrow": "off", "width": "content"}
TRACE_TTL = datetime.timedelta(minutes=30)


# --------------------------------------------------------------------------- caches


def _intervention(key: tuple) -> tr.Intervention:
    ablated, scale, mask = key
    return tr.Intervention(
        ablated_heads=tuple(tuple(pair) for pair in ablated), scale_scores=scale, causal_mask=mask
    )


# A resource cache, not a data cache: a trace is read-only, so all sessions share one object.
# st.cache_data would keep a pickled copy and unpickle a fresh one (up to ~106 MB at 64 tokens
# on SmolLM2) for every session on every rerun. Bounded: 4 traces, each dropped after 30 minutes.
@st.cache_resource(max_entries=4, ttl=TRACE_TTL, show_spinner="Following the prompt through every layer…")
def cached_trace(model_name: str, prompt: str, intervention: tuple = NORMAL) -> tr.Trace:
    """The trace of ``prompt`` (see geometry.trace), cached per (model, prompt, intervention)."""
    return tr.trace(models.load_model(model_name), prompt, _intervention(intervention))


@st.cache_data(max_entries=16, show_spinner=False)
def cached_logit_lens(
    model_name: str, prompt: str, intervention: tuple, position: int, _trace
) -> pd.DataFrame:
    return tr.logit_lens(models.load_model(model_name), _trace, position=position, k=5)


def cached_generation(model_name: str, prompt: str, n_tokens: int, decoding: tuple) -> tr.GenerationResult:
    """Tokens written one at a time: once per settings for the server, in turn with other heavy work."""
    return computed_in_turn(
        ("generation", model_name, prompt, n_tokens, decoding),
        lambda: _generate(model_name, prompt, n_tokens, decoding),
        "Writing tokens with the key/value cache",
    )


def _generate(model_name: str, prompt: str, n_tokens: int, decoding: tuple) -> tr.GenerationResult:
    settings = Decoding(*decoding)
    steps = iter(range(tr.MAX_NEW_TOKENS))

    def pick(logits: np.ndarray) -> int:
        step = next(steps)
        return settings.choose(logits, step)

    return tr.generate(models.load_model(model_name), prompt, n_tokens, choose=pick, use_cache=True)


def load_trace(model_name: str, prompt: str) -> tr.Trace | None:
    """The unmodified trace, or None after a warning (empty prompt and the like)."""
    with friendly_errors():
        return cached_trace(model_name, prompt)
    return None


# --------------------------------------------------------------------------- small helpers


def encoder_notice(trace: tr.Trace) -> None:
    """One line at the top when the traced model is an encoder: what differs from a causal LM."""
    if not trace.predicts_tokens:
        st.info(
            f"{trace.model_name} is an **encoder**: its attention looks both ways (every token sees the "
            "whole sentence, before and after it), it normalises *after* each residual addition, and it "
            "has no vocabulary head, so the tabs about the next token do not apply.",
            icon="↔️",
        )


def needs_logits_notice(tab: str) -> None:
    """The one line a next-token tab shows for an encoder instead of disappearing."""
    st.info(
        f"{tab} does not apply here: a sentence-embedding encoder has no vocabulary head, so it gives "
        "no next-token logits to pick from; it makes one vector per token (see the other tabs).",
        icon="🚫",
    )


def position_labels(trace: tr.Trace) -> list[str]:
    """``"3 ␣France"``: position and token, unique even when a token repeats."""
    return [f"{i} {token}" for i, token in enumerate(trace.tokens)]


def token_chips(tokens) -> str:
    """Tokens as separate code spans, punctuation named, so they can be seen and read out:
    `. full stop` `, comma` `␣and`."""
    shown = [readable_token(token) for token in tokens]
    return " ".join(f"`{token}`" if "`" not in token else f"``{token}``" for token in shown)


def unique_labels(tokens, ids) -> list[str]:
    """Token strings, with the id added only where two different ids would look the same."""
    tokens, ids = list(tokens), [int(i) for i in ids]
    seen = pd.Series(tokens).duplicated(keep=False).tolist()
    return [f"{t} [{i}]" if dup else t for t, i, dup in zip(tokens, ids, seen, strict=True)]


def index_slider(label: str, count: int, key: str, default: int = 0, **kwargs) -> int:
    """A URL-bound slider over 0..count-1 that survives a model change with fewer layers or heads."""
    if count <= 1:
        return 0
    if not 0 <= st.session_state.get(key, default) < count:
        st.session_state[key] = min(max(default, 0), count - 1)
    return st.slider(
        label, 0, count - 1, value=min(default, count - 1), key=key, bind="query-params", **kwargs
    )


def position_picker(trace: tr.Trace, label: str, key: str) -> int:
    """A URL-bound select box of the prompt's positions; the last token by default."""
    labels = position_labels(trace)
    return st.selectbox(
        label,
        range(trace.n_tokens),
        index=trace.n_tokens - 1,
        format_func=labels.__getitem__,
        key=key,
        bind="query-params",
    )


decode = decode_token  # short name used throughout this module


@dataclass(frozen=True)
class Decoding:
    """How the next token is picked: the filters, then greedy or a seeded draw."""

    temperature: float = 1.0
    top_k: int = 0  # 0 = no limit
    top_p: float = 1.0  # 1 = no limit
    sample: bool = False
    seed: int = 0

    def probs(self, logits: np.ndarray) -> np.ndarray:
        """(vocab,) the distribution after temperature, top-k and top-p."""
        return sampling.next_token_probs(
            logits, self.temperature, self.top_k or None, self.top_p if self.top_p < 1 else None
        )

    def choose(self, logits: np.ndarray, step: int = 0) -> int:
        """Greedy, or a draw seeded by ``seed + step`` so every generation step differs but repeats."""
        return sampling.choose(self.probs(logits), self.seed + step if self.sample else None)

    @property
    def greedy(self) -> bool:
        return not self.sample or self.temperature == 0 or self.top_k == 1


def decoding_ui() -> Decoding:
    """Temperature, top-k, top-p, greedy or sampled, seed: the same URL-bound keys on every tab."""
    left, middle, right = st.columns(3)
    temperature = left.slider(
        "Temperature",
        0.0,
        2.0,
        1.0,
        0.05,
        key="tr_temperature",
        bind="query-params",
        help="Divide the logits by this before softmax. 0 = greedy.",
    )
    top_k = middle.slider(
        "Top-k (0 = no limit)",
        0,
        100,
        0,
        key="tr_top_k",
        bind="query-params",
        help="Keep only the k most probable tokens.",
    )
    top_p = right.slider(
        "Top-p (1 = no limit)",
        0.05,
        1.0,
        1.0,
        0.05,
        key="tr_top_p",
        bind="query-params",
        help="Keep the smallest set of most probable tokens whose probability reaches p.",
    )
    left, right = st.columns(2)
    mode = left.radio(
        "Choice",
        ["greedy", "sample"],
        horizontal=True,
        key="tr_choice",
        bind="query-params",
        help="Greedy takes the most probable token; sample draws one at random, seeded.",
    )
    seed = right.number_input("Seed", 0, 1_000_000, 0, key="tr_seed", bind="query-params")
    settings = Decoding(float(temperature), int(top_k), float(top_p), mode == "sample", int(seed))
    if settings.temperature == 0:
        st.info(
            "Temperature 0 means **greedy** decoding: the most probable token is always chosen.", icon="🎯"
        )
    return settings


# --------------------------------------------------------------------------- prompt and tokens


def _set_prompt(text: str) -> None:
    st.session_state[PROMPT_KEY] = text


def prompt_ui() -> str:
    """Preset buttons and the URL-bound prompt box; returns the prompt exactly as typed."""
    st.session_state.setdefault(PROMPT_KEY, PRESETS[0])
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown("**Presets:**", width="content")
        for i, preset in enumerate(PRESETS):
            st.button(preset, key=f"tr_preset_{i}", on_click=_set_prompt, args=(preset,))
    prompt = st.text_area(
        "Prompt",
        key=PROMPT_KEY,
        bind="query-params",
        height=80,
        help=f"Up to {LIMIT} tokens; a longer prompt keeps its last {LIMIT} tokens.",
    )
    st.caption(
        f"The model reads at most **{LIMIT} tokens** here (a few hundred characters of English); "
        "a longer prompt keeps its last tokens."
    )
    return prompt


def prompt_notices(prompt: str, trace: tr.Trace) -> None:
    """Warnings about what happened to unusual text (it is traced either way)."""
    if trace.truncated:
        st.warning(
            f"The prompt is longer than {tr.MAX_PROMPT_TOKENS} tokens: only its last {tr.MAX_PROMPT_TOKENS} "
            "tokens are traced below.",
            icon="✂️",
        )
    if has_control_characters(prompt):
        st.warning(
            "The prompt contains invisible control characters; the model reads them as ordinary bytes."
        )
    if "[UNK]" in trace.tokens:
        st.warning(
            "The encoder's vocabulary has no token for some characters (emoji, rare scripts): they are "
            "read as the unknown token [UNK]."
        )
    elif any(ord(ch) > 0xFFFF or 0x2600 <= ord(ch) <= 0x27BF for ch in prompt):
        st.warning(
            "Emoji and rare characters are split into several byte-sized tokens; a token shown as � holds "
            "part of a character."
        )
    if re.search(r"<[a-zA-Z/!][^>]*>", prompt):
        st.info(
            "Markup such as HTML tags is not interpreted: the model reads `<`, the tag name and `>` as text."
        )


def header_container(presenter: bool):
    """Where the model picker, presets, prompt and token table go: in place, or folded into one
    expander in presenter mode so every tab starts near the top of the screen."""
    if presenter:
        return st.expander("Model, prompt presets and the token table", expanded=False)
    return st.container()


def compact_tokens(model_name: str, trace: tr.Trace) -> None:
    """One line for a projector: the model and the prompt's tokens."""
    st.markdown(f"**{model_name}** reads {trace.n_tokens} tokens: {token_chips(trace.tokens)}")


def tokens_view(trace: tr.Trace) -> pd.DataFrame:
    """The tokens with their ids, left to right; returns the table."""
    table = pd.DataFrame(
        {"position": range(trace.n_tokens), "token": trace.tokens, "id": trace.token_ids.astype(int)}
    )
    st.dataframe(table.set_index("position").T.astype(str), width="stretch")
    arch = trace.architecture
    if arch.positions == "rotary":
        positions = "a rotation of every query and key (rotary)."
    elif arch.vocabulary_head:
        positions = "a learned position vector added to it."
    else:
        positions = (
            "a learned position vector added to it, with a token-type vector (sentence A), and the sum is "
            "normalised. [CLS] and [SEP] are the tokens the encoder puts around every sentence."
        )
    st.caption(
        f"{trace.n_tokens} tokens. Each id selects one row of the embedding matrix E "
        f"({arch.vocab_size:,} rows × {arch.d_model} numbers): the token's starting vector. Positions "
        f"enter as {positions}"
    )
    return table


# --------------------------------------------------------------------------- attention


def attention_frame(trace: tr.Trace, layer: int, heads) -> pd.DataFrame:
    """Long table of the attention of ``heads`` at ``layer``: one row per visible (query, key) pair.

    Columns: head, head_label, query_position, query_label, key_position, key_label,
    q_dot_k, scaled_score, probability.
    """
    acts, prefix, T = trace.activations, f"blocks.{layer}.attn", trace.n_tokens
    query, key = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")  # (T, T) each
    visible = key <= query if trace.masks_the_future else np.ones((T, T), dtype=bool)
    labels = np.asarray(position_labels(trace), dtype=object)
    frames = []
    for head in heads:
        frames.append(
            pd.DataFrame(
                {
                    "head": head,
                    "head_label": f"head {head} (kv {trace.architecture.kv_head_of(head)})",
                    "query_position": query[visible],
                    "query_label": labels[query[visible]],
                    "key_position": key[visible],
                    "key_label": labels[key[visible]],
                    "q_dot_k": acts[f"{prefix}.dots"][head][visible],
                    "scaled_score": acts[f"{prefix}.scores"][head][visible],
                    "probability": acts[f"{prefix}.pattern"][head][visible],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def sharing_text(trace: tr.Trace, head: int) -> str:
    arch = trace.architecture
    kv = arch.kv_head_of(head)
    partners = [h for h in range(arch.n_heads) if arch.kv_head_of(h) == kv]
    if arch.n_kv_heads == arch.n_heads:
        return f"Full attention: each of the {arch.n_heads} heads has its own keys and values (no sharing)."
    return (
        f"Grouped-query attention: query head {head} uses key/value head {kv}, shared with query heads "
        f"{', '.join(map(str, partners))} ({arch.n_heads} query heads, {arch.n_kv_heads} key/value heads)."
    )


def attention_view(trace: tr.Trace) -> None:
    arch = trace.architecture
    left, middle, right = st.columns(3)
    with left:
        layer = index_slider("Layer", arch.n_layers, "tr_layer")
    with middle:
        head = index_slider("Head", arch.n_heads, "tr_head")
    with right:
        query = position_picker(trace, "Query token (the one looking)", "tr_query")
    st.caption(sharing_text(trace, head))
    pattern = attention_frame(trace, layer, [head])
    show_chart(
        cached_chart(
            charts.attention_heatmap_chart,
            pattern,
            f"Layer {layer}, head {head}: who looks at whom",
            show_values=trace.n_tokens <= 12,
        ),
        f"attention_L{layer}_H{head}",
        key="tr_heatmap",
    )
    st.subheader(f"The dot product tournament of “{trace.tokens[query]}”")
    table = tr.head_contributions(trace, layer, head, query)
    table.insert(1, "key_label", [position_labels(trace)[j] for j in table["key_position"]])
    show_chart(
        cached_chart(charts.tournament_chart, tournament_long(table)),
        f"tournament_L{layer}_H{head}_q{query}",
        key="tr_tournament",
    )
    st.dataframe(table.drop(columns="key_label"), hide_index=True, width="stretch")
    download_table(table, f"tournament_L{layer}_H{head}_q{query}.csv", key="tr_dl_attention")
    winner = table.loc[table["probability"].idxmax()]
    st.markdown(
        f"The query of **{trace.tokens[query]}** agrees most with the key of **{winner['key_token']}** "
        f"(position {int(winner['key_position'])}), which takes **{winner['probability']:.0%}** of the "
        "attention. The head's output for this token is the sum of the value vectors weighted by these "
        "probabilities."
    )
    explain(
        "Each token makes a query q, a key k and a value v from its vector (three matrix products). "
        "The query of the chosen token is compared with the key of every token it may see: one dot product "
        f"each, divided by √d_head = √{arch.d_head} so the scores stay in a range where softmax is not "
        "saturated. Softmax turns the scores into probabilities that add up to 1, and the output is the "
        "probability-weighted sum of the values. Rows of the heatmap are queries; "
        + (
            "a token never sees the tokens after it (the causal mask). Many heads put most of their weight "
            "on the first token: an 'attention sink' where a head parks attention it does not need."
            if trace.masks_the_future
            else "in this encoder every token sees every other, before and after it: there is no causal "
            "mask, so the heatmap is full. Many heads put much of their weight on [CLS] or [SEP], the "
            "tokens around the sentence, where a head parks attention it does not need."
        ),
        r"a_{ij} = \operatorname{softmax}_j\!\left(\frac{q_i \cdot k_j}{\sqrt{d_\text{head}}}\right),"
        + (
            r"\qquad z_i = \sum_{j \le i} a_{ij}\, v_j"
            if trace.masks_the_future
            else r"\qquad z_i = \sum_j a_{ij}\, v_j"
        ),
    )


def tournament_long(table: pd.DataFrame) -> pd.DataFrame:
    measures = {
        "q_dot_k": "q·k",
        "scaled_score": "q·k / √d",
        "probability": "softmax probability",
        "weighted_value_norm": "|weighted value|",
    }
    frames = [
        pd.DataFrame(
            {
                "key_label": table["key_label"],
                "key_position": table["key_position"],
                "measure": name,
                "measure_order": order,
                "value": table[column],
            }
        )
        for order, (column, name) in enumerate(measures.items())
    ]
    return pd.concat(frames, ignore_index=True)


def heads_view(trace: tr.Trace) -> None:
    arch = trace.architecture
    layer = index_slider("Layer", arch.n_layers, "tr_grid_layer")
    grid = attention_frame(trace, layer, range(arch.n_heads))
    show_chart(
        cached_chart(charts.head_grid_chart, grid, columns=3 if arch.n_heads % 3 == 0 else 4),
        f"heads_L{layer}",
        key="tr_grid",
    )
    sharing = pd.DataFrame(
        {
            "query head": range(arch.n_heads),
            "key/value head": [arch.kv_head_of(h) for h in range(arch.n_heads)],
        }
    )
    left, right = st.columns([1, 2])
    left.dataframe(sharing, hide_index=True)
    right.markdown(sharing_text(trace, 0))
    right.markdown(
        "Each small square is one head of this layer, with the same rows (queries) and columns (keys) "
        "as the big heatmap. Heads learn different habits: some look at the previous token, some at "
        "the first token, some at a related word elsewhere in the text."
    )
    download_table(grid, f"all_heads_L{layer}.csv", key="tr_dl_heads")
    explain(
        f"All {arch.n_heads} heads run side by side on the same vectors, each with its own query matrix. "
        f"Their outputs (each {arch.d_head} numbers) are laid end to end and multiplied by W_O to give one "
        f"{arch.d_model}-number update that is added to the token's residual vector.",
        r"\text{attn}(x_i) = \big[z_i^{(1)}; z_i^{(2)}; \dots; z_i^{(H)}\big]\, W_O",
    )


# --------------------------------------------------------------------------- residual stream and MLP


def residual_view(model_name: str, trace: tr.Trace) -> None:
    position = position_picker(trace, "Token to follow", "tr_lens_position")
    norms = tr.residual_norms(trace, position)
    grows = "grows" if trace.architecture.norm_placement == "pre" else "is (normalised after each step)"
    st.subheader(f"How long the vector {grows}, sublayer by sublayer")
    show_chart(cached_chart(charts.residual_norm_chart, norms), f"residual_norms_{position}", key="tr_norms")
    if not trace.predicts_tokens:
        encoder_residual_notes(trace, norms, position)
        return
    st.subheader("Logit lens: what it would predict if the model stopped here")
    lens = safe_tokens(cached_logit_lens(model_name, trace.prompt, NORMAL, position, _trace=trace), "token")
    top = lens[lens["rank"] == 1].assign(
        layer_label=lambda f: np.where(f["layer"] < 0, "embedding", "layer " + f["layer"].astype(str))
    )
    show_chart(cached_chart(charts.logit_lens_chart, top), f"logit_lens_{position}", key="tr_lens")
    with st.expander("The top 5 tokens at every stage"):
        st.dataframe(lens, hide_index=True, width="stretch")
    numbers = lens.merge(norms[["layer", "stage", "norm"]], on=["layer", "stage"], how="left")
    download_table(numbers, f"logit_lens_{position}.csv", key="tr_dl_lens")
    explain(
        "The residual stream is the running vector of one token. Each attention sublayer and each MLP "
        "reads a normalised copy of it and adds its output back, so the vector is a sum of every "
        "sublayer's contribution. The logit lens applies the final normalisation and the unembedding "
        "to the vector after each sublayer, as if the model stopped there: early stages mostly echo the "
        "current token, later stages move towards the final prediction, which the last row equals.",
        r"h \leftarrow h + \text{Attn}(\text{norm}(h)),\quad h \leftarrow h + \text{MLP}(\text{norm}(h)),"
        r"\quad \text{lens}(h) = \operatorname{softmax}\big(\text{norm}_\text{final}(h)\, W_U\big)",
    )


def encoder_residual_notes(trace: tr.Trace, norms: pd.DataFrame, position: int) -> None:
    """An encoder's residual tab: the norms and what each sublayer changed; no logit lens."""
    st.info(
        "The logit lens does not apply here: it reads a vector through the model's vocabulary head, "
        "and this encoder has none.",
        icon="🚫",
    )
    st.subheader("How far each layer's attention and MLP move this token's vector")
    changes = tr.sublayer_changes(trace, position)
    shown = changes.assign(  # the chart's columns; layers numbered as on this page's sliders
        occurrence=position_labels(trace)[position],
        layer_index=changes["layer"],
        layer=changes["layer"].map("layer {}".format),
    )
    show_chart(
        cached_chart(charts.sublayer_change_chart, shown), f"sublayer_changes_{position}", key="tr_changes"
    )
    st.dataframe(changes, hide_index=True, width="stretch")
    download_table(changes, f"residual_norms_{position}.csv", key="tr_dl_lens")
    explain(
        "In this encoder the normalisation sits on the stream itself, after each addition: every "
        "sublayer's output is added to the vector and the sum is normalised again (post-norm), so its "
        "length is set by each norm's learned scale instead of growing layer after layer. **change** is "
        "how far the vector moved at each step, normalisation included; **output_norm** is the length of "
        "what the sublayer added before that normalisation.",
        r"h \leftarrow \text{LN}\big(h + \text{Attn}(h)\big),\qquad"
        r"h \leftarrow \text{LN}\big(h + \text{MLP}(h)\big)",
    )


def mlp_view(trace: tr.Trace) -> None:
    arch = trace.architecture
    left, right = st.columns(2)
    with left:
        layer = index_slider("Layer", arch.n_layers, "tr_mlp_layer")
    with right:
        position = position_picker(trace, "Token", "tr_mlp_position")
    neurons = tr.top_neurons(trace, layer, position, k=12)
    show_chart(cached_chart(charts.neuron_chart, neurons), f"neurons_L{layer}_{position}", key="tr_neurons")
    st.caption(
        "**activation**: what the MLP's output matrix reads from the neuron (the bar). **pre**: the "
        "neuron's detector score before the activation function"
        + (", the gate's dot product before SiLU." if arch.mlp == "SwiGLU" else ", before GELU.")
    )
    st.dataframe(neurons, hide_index=True)
    download_table(neurons, f"neurons_L{layer}_{position}.csv", key="tr_dl_mlp")
    if arch.mlp == "SwiGLU":
        body = (
            f"The MLP widens the vector from {arch.d_model} to {arch.d_mlp} numbers and back. Each of the "
            f"{arch.d_mlp} neurons has a learned detector (a column of W_gate): its **pre** value is the dot "
            "product of the normalised vector with that detector. SiLU squashes it, a second dot product "
            "(W_up) scales it, and the **activation** is what the down projection reads. The most active "
            "neurons are the detectors this token's vector matches best (or most strongly opposes)."
        )
        formula = (
            r"\text{MLP}(x) = \big(\operatorname{SiLU}(x W_\text{gate}) \odot x W_\text{up}\big)\,"
            r" W_\text{down}"
        )
    else:
        body = (
            f"The MLP widens the vector from {arch.d_model} to {arch.d_mlp} numbers and back. Each neuron's "
            "**pre** value is the dot product of the normalised vector with a learned detector (a column "
            "of W_in) plus a bias; GELU keeps the positive part, and the **activation** is what W_out reads."
        )
        formula = (
            r"\text{MLP}(x) = \operatorname{GELU}(x W_\text{in} + b_\text{in})\, W_\text{out} + b_\text{out}"
        )
    explain(body, formula)


# --------------------------------------------------------------------------- the final step


def next_token_table(lm, logits: np.ndarray, settings: Decoding, k: int = SHOWN_NEXT_TOKENS) -> pd.DataFrame:
    """The k most likely next tokens. Columns: rank, token_id, token, logit, probability (the model's
    softmax), after_temperature, after_filters, status."""
    model = sampling.next_token_probs(logits)
    tempered = sampling.next_token_probs(logits, settings.temperature)
    final = settings.probs(logits)
    order = np.argsort(-np.asarray(logits, dtype=np.float64), kind="stable")[:k]
    tokens = tr.display_tokens(lm, order)
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(order) + 1),
            "token_id": order,
            "token": unique_labels(tokens, order),
            "logit": np.asarray(logits, dtype=np.float64)[order],
            "probability": model[order],
            "after_temperature": tempered[order],
            "after_filters": final[order],
            "status": np.where(final[order] > 0, "kept", "filtered out"),
        }
    )


def next_token_long(table: pd.DataFrame) -> pd.DataFrame:
    series = {"after_temperature": "softmax at this temperature", "after_filters": "after top-k / top-p"}
    return pd.concat(
        [
            table[["rank", "token", "status"]].assign(series=name, series_order=i, probability=table[column])
            for i, (column, name) in enumerate(series.items())
        ],
        ignore_index=True,
    ).assign(token_label=lambda f: f["token"].map(readable_token))


def next_token_view(lm, trace: tr.Trace) -> None:
    settings = decoding_ui()
    table = safe_tokens(next_token_table(lm, trace.logits, settings), "token")
    final = settings.probs(trace.logits)
    show_chart(cached_chart(charts.next_token_chart, next_token_long(table)), "next_tokens", key="tr_next")
    greedy_id = sampling.choose(final)
    sampled_id = sampling.choose(final, settings.seed)
    names = safe_words(tr.display_tokens(lm, [greedy_id, sampled_id]))
    row = metric_row()
    row.metric("Greedy choice", names[0], f"p = {final[greedy_id]:.3f}", **QUIET)
    row.metric(
        f"Sampled (seed {settings.seed})",
        names[1],
        f"p = {final[sampled_id]:.3f}",
        **QUIET,
    )
    row.metric(
        "Tokens that survive the filters",
        f"{np.count_nonzero(final):,}",
        f"of {final.size:,}",
        **QUIET,
    )
    st.dataframe(table, hide_index=True, width="stretch")
    download_table(table, "next_tokens.csv", key="tr_dl_next")
    arch = trace.architecture
    tied = (
        "In this model the output matrix W_U is **tied** to the embedding matrix: it is E itself, "
        "transposed, so a token's logit is the dot product of the final vector with that token's own "
        "embedding row."
        if arch.tied_embeddings
        else "In this model the output matrix W_U is a separate matrix, not the embedding matrix."
    )
    explain(
        f"The final vector of the last token (after the final {arch.norm}) is compared with every one of "
        f"the {arch.vocab_size:,} vocabulary rows: one dot product per token gives its logit. {tied} "
        "Softmax turns the logits into probabilities. Temperature divides the logits first (below 1 "
        "sharpens, above 1 flattens, 0 is greedy); top-k and top-p then drop unlikely tokens (faded bars) "
        "and the survivors are rescaled to add up to 1. Greedy takes the most probable token; sampling "
        "draws one, and the seed makes the draw repeatable.",
        r"\ell = h_T\, W_U = h_T\, E^{\top},\qquad P(w) = \frac{e^{\ell_w / T}}{\sum_v e^{\ell_v / T}}",
    )


def _append(text: str) -> None:
    st.session_state.setdefault(HISTORY_KEY, []).append(st.session_state[PROMPT_KEY])
    st.session_state[PROMPT_KEY] = st.session_state[PROMPT_KEY] + text


def _step_back() -> None:
    history = st.session_state.get(HISTORY_KEY) or []
    if history:
        st.session_state[PROMPT_KEY] = history.pop()


def cache_table(arch: tr.Architecture, context: int) -> pd.DataFrame:
    """One step at ``context`` tokens, with the key/value cache and from scratch (long format)."""
    with_cache = tr.operation_counts(arch, 1, context - 1).assign(mode="with the cache (new token only)")
    scratch = tr.operation_counts(arch, context, 0).assign(mode="from scratch (all tokens)")
    return pd.concat([with_cache, scratch], ignore_index=True)


def generate_view(model_name: str, lm, trace: tr.Trace) -> None:
    settings = decoding_ui()
    chosen = settings.choose(trace.logits)
    text = decode(lm, chosen)
    shown = safe_words(tr.display_tokens(lm, [chosen]))[0]
    st.markdown(f"Next token: **{shown}** ({'greedy' if settings.greedy else 'sampled'}).")
    left, right = st.columns(2)
    left.button(
        f"Append {shown if shown == MASK else repr(text)} and step again",
        key="tr_append",
        on_click=_append,
        args=(text,),
        type="primary",
        width="stretch",
    )
    right.button(
        "Take one step back",
        key="tr_back",
        on_click=_step_back,
        width="stretch",
        disabled=not st.session_state.get(HISTORY_KEY),
    )
    st.caption(
        "Appending puts the token's text at the end of the prompt box (and the URL), so the whole "
        "prompt is read again; the tokens normally come out the same."
    )

    arch, context = trace.architecture, trace.n_tokens
    cached = context - 1  # predicting after the prompt: its last token is new, the others are cached
    st.subheader(
        f"What the key/value cache saves on this step ({context} tokens: {cached} cached, 1 computed)"
    )
    counts = cache_table(arch, context)
    totals = counts.groupby("mode", sort=False)[["multiply_adds", "dot_products"]].sum()
    reused = tr.reused_kv_vectors(arch, cached)
    cached_total, scratch_total = totals["multiply_adds"].iloc[0], totals["multiply_adds"].iloc[1]
    row = metric_row()
    row.metric(
        f"Key and value vectors reused ({cached} cached tokens)",
        f"{reused:,}",
        f"{reused * arch.d_head:,} numbers",
        **QUIET,
    )
    row.metric(
        "Multiply-adds with the cache",
        f"{cached_total:,}",
        f"{totals['dot_products'].iloc[0]:,} dot products",
        **QUIET,
    )
    row.metric(
        "Multiply-adds from scratch",
        f"{scratch_total:,}",
        f"{totals['dot_products'].iloc[1]:,} dot products",
        **QUIET,
    )
    show_chart(
        cached_chart(charts.operation_counts_chart, counts, group="mode"), "kv_cache_savings", key="tr_kv"
    )
    download_table(counts, "kv_cache_savings.csv", key="tr_dl_kv")

    st.subheader("Write several tokens, one at a time, with the model's own cache")
    n_tokens = st.slider("Tokens to write", 1, 20, 5, key="tr_generate_n", bind="query-params")
    with friendly_errors():
        result = cached_generation(model_name, trace.prompt, n_tokens, astuple(settings))
        steps = pd.DataFrame(
            {
                "step": range(1, len(result.new_ids) + 1),
                "token": safe_words(list(result.step_tokens)),
                "token_id": result.new_ids,
                "cached_tokens": result.cached_tokens,
                "key_value_vectors_reused": result.reused_kv_vectors,
            }
        )
        steps["multiply_adds_with_cache"] = [
            int(tr.operation_counts(arch, 1, c)["multiply_adds"].sum())
            if c
            else int(tr.operation_counts(arch, context, 0)["multiply_adds"].sum())
            for c in result.cached_tokens
        ]
        steps["multiply_adds_from_scratch"] = [
            int(tr.operation_counts(arch, c + 1 if c else context, 0)["multiply_adds"].sum())
            for c in result.cached_tokens
        ]
        st.markdown(f"Continuation: **{safe_text(result.text)!r}**")
        st.dataframe(steps, hide_index=True, width="stretch", column_config=counts_config(steps))
        st.caption(
            "Step 1 reads the whole prompt (nothing cached yet); each later step computes one new token "
            "and reuses the keys and values of the cached tokens: 2 × layers × key/value heads × cached "
            "tokens, the same count as above."
        )
        st.button("Append all of these", key="tr_append_all", on_click=_append, args=(result.text,))
        download_table(steps, "generation_steps.csv", key="tr_dl_generate")
    explain(
        "Generation is a ratchet: pick a token, append it, run again. The keys and values of earlier "
        "tokens never change (a token cannot see later ones), so the model keeps them in a cache and, on "
        "each new step, computes the projections, the MLP and the unembedding for the newest token only. "
        "Its query still meets every cached key, which is why attention grows with the context.",
        r"\text{with cache: } n = 1 \text{ new token}, \qquad \text{from scratch: } n = T;"
        r"\qquad \text{keys and values reused} = 2 \cdot L \cdot H_{kv} \cdot (T - 1)",
    )


def sampling_view(lm, trace: tr.Trace) -> None:
    settings = decoding_ui()
    with more_controls("Sample size"):
        n = st.slider("Samples to draw", 10, 5000, 500, 10, key="tr_samples", bind="query-params")
    final = settings.probs(trace.logits)
    counts = sampling.sample_counts(final, n, settings.seed)
    shown = np.union1d(np.argsort(-final, kind="stable")[:12], np.flatnonzero(counts))
    # rows in probability order, the rank as on the Next token tab (not by how often a token was drawn)
    shown = shown[np.argsort(-final[shown], kind="stable")][:20]
    labels = unique_labels(safe_words(tr.display_tokens(lm, shown)), shown)
    table = pd.DataFrame(
        {
            "rank": sampling.probability_ranks(final, shown),
            "token_id": shown,
            "token_label": labels,
            "probability": final[shown],
            "samples": counts[shown],
            "share": counts[shown] / n,
        }
    )
    long = pd.concat(
        [
            table.assign(series="distribution", series_order=0, share=table["probability"]),
            table.assign(series=f"{n} samples", series_order=1),
        ],
        ignore_index=True,
    ).assign(token_label=lambda f: f["token_label"].map(readable_token))  # a comma is named on the axis
    row = metric_row()
    row.metric(
        "Entropy",
        f"{sampling.entropy_bits(final):.2f} bits",
        f"model at T = 1: {sampling.entropy_bits(sampling.next_token_probs(trace.logits)):.2f}",
        **QUIET,
    )
    row.metric(
        "Nucleus size (p = 0.9)",
        f"{sampling.nucleus_size(final, 0.9):,}",
        "tokens",
        **QUIET,
    )
    row.metric("Tokens that can be drawn", f"{np.count_nonzero(final):,}", **QUIET)
    row.metric(
        "Different tokens drawn",
        f"{np.count_nonzero(counts):,}",
        f"in {n} draws",
        **QUIET,
    )
    show_chart(cached_chart(charts.sampling_chart, long), "sampling_lab", key="tr_sampling")
    st.caption(
        "Tokens are in order of probability and **rank** is that order, as on the Next token tab; "
        "**samples** counts how often each was drawn, which can put a lower-ranked token ahead by chance."
    )
    st.dataframe(table, hide_index=True, width="stretch")
    download_table(table, "sampling_lab.csv", key="tr_dl_sampling")
    explain(
        f"{n} tokens are drawn from the distribution set by temperature, top-k and top-p, with seed "
        f"{settings.seed} (the same seed gives the same draws). With more samples the bars of the sample "
        "approach the probabilities. Entropy measures how spread out the distribution is: 0 bits when one "
        "token is certain, 1 bit for a fair coin. The nucleus size is how many of the most probable tokens "
        "it takes to reach 90% of the probability.",
        r"H = -\sum_w P(w)\,\log_2 P(w)",
    )


def cost_view(trace: tr.Trace) -> None:
    arch, T = trace.architecture, trace.n_tokens
    counts = tr.operation_counts(arch, T)
    row = metric_row()
    label = "Multiply-adds for this prediction" if arch.vocabulary_head else "Multiply-adds for these vectors"
    row.metric(label, f"{counts['multiply_adds'].sum():,}", **QUIET)
    row.metric("Dot products", f"{counts['dot_products'].sum():,}", **QUIET)
    show_chart(cached_chart(charts.operation_counts_chart, counts), "operation_counts", key="tr_cost")
    st.dataframe(counts, hide_index=True, width="stretch", column_config=counts_config(counts))
    download_table(counts, "operation_counts.csv", key="tr_dl_cost")
    if arch.causal:
        rule = (
            "Attention counts only the query–key pairs the causal mask allows, and the unembedding only "
            "for the last token (the only one whose next token we need)."
        )
        pairs = r"\text{pairs} = \tfrac{T(T+1)}{2}"
    else:
        rule = (
            "Attention looks both ways in this encoder, so every token meets every key: T × T pairs per "
            "head. There is no unembedding: an encoder has no vocabulary head."
        )
        pairs = r"\text{pairs} = T^2"
    explain(
        f"Counted from the shapes of {trace.model_name or 'the model'} for {T} tokens, with no timing: "
        "every matrix product is a batch of dot products, and each dot product of length n is n "
        f"multiply-adds. {rule} Norms, softmax, activation functions and additions take a few operations "
        "per number and are left out.",
        r"\text{dot product of length } n = n \text{ multiply-adds};\qquad" + pairs,
    )


# --------------------------------------------------------------------------- experiments


def _ablate_layer(layer: int, n_heads: int) -> None:
    current = set(st.session_state.get("tr_ablate", []))
    st.session_state["tr_ablate"] = sorted(
        current | {f"L{layer}H{h}" for h in range(n_heads)}, key=_head_order
    )


def _reset_experiment() -> None:
    st.session_state["tr_ablate"] = []
    st.session_state["tr_scale"] = True
    st.session_state["tr_mask"] = True
    st.session_state["tr_mask_encoder"] = False


def mask_toggle(arch: tr.Architecture, where: st.delta_generator.DeltaGenerator) -> bool | None:
    """The causal-mask switch: on by default for a causal LM, off for an encoder (its own keys).

    Returns the intervention's ``causal_mask``: None while the model keeps its own mask."""
    if arch.causal:
        mask = where.toggle("Causal mask (no peeking ahead)", True, key="tr_mask", bind="query-params")
    else:
        mask = where.toggle(
            "Add a causal mask (hide later tokens)", False, key="tr_mask_encoder", bind="query-params"
        )
    return None if bool(mask) == arch.causal else bool(mask)


def _head_order(name: str) -> tuple[int, int]:
    layer, head = name[1:].split("H")
    return int(layer), int(head)


def comparison_table(lm, normal: tr.Trace, changed: tr.Trace, k: int = 5) -> pd.DataFrame:
    """The top-k next tokens of both runs, with each token's probability in both."""
    p_normal = sampling.next_token_probs(normal.logits)
    p_changed = sampling.next_token_probs(changed.logits)
    rank_normal = np.argsort(-p_normal, kind="stable")
    rank_changed = np.argsort(-p_changed, kind="stable")
    ids = list(dict.fromkeys([*rank_normal[:k].tolist(), *rank_changed[:k].tolist()]))
    return pd.DataFrame(
        {
            "token_id": ids,
            "token": unique_labels(tr.display_tokens(lm, ids), ids),
            "rank_normal": sampling.probability_ranks(p_normal, ids),
            "rank_experiment": sampling.probability_ranks(p_changed, ids),
            "probability_normal": p_normal[ids],
            "probability_experiment": p_changed[ids],
        }
    )


def experiments_view(model_name: str, lm, trace: tr.Trace) -> None:
    arch = trace.architecture
    options = [f"L{layer}H{head}" for layer in range(arch.n_layers) for head in range(arch.n_heads)]
    current = st.session_state.get("tr_ablate")
    if current and not set(current) <= set(options):  # heads of a bigger model chosen before
        st.session_state["tr_ablate"] = [o for o in current if o in options]
    ablate = st.multiselect(
        "Switch heads off (L = layer, H = head)",
        options,
        key="tr_ablate",
        bind="query-params",
        placeholder="e.g. L0H3",
    )
    left, middle, right = st.columns(3)
    scale = left.toggle("Divide q·k by √d_head", True, key="tr_scale", bind="query-params")
    mask = mask_toggle(arch, middle)
    right.button("Undo every change", key="tr_reset", on_click=_reset_experiment)
    with more_controls("Shortcuts and the head to inspect"):
        a, b = st.columns(2)
        with a:
            layer = index_slider("Layer", arch.n_layers, "tr_x_layer")
        with b:
            head = index_slider("Head", arch.n_heads, "tr_x_head")
        st.button(
            f"Switch off every head of layer {layer}",
            key="tr_ablate_layer",
            on_click=_ablate_layer,
            args=(layer, arch.n_heads),
        )
    key = (tuple(_head_order(name) for name in ablate), bool(scale), mask)
    if key == NORMAL:
        st.info("Nothing is changed yet: switch a head off, or change the scaling or the mask.")
    changed = None
    with friendly_errors():
        changed = cached_trace(model_name, trace.prompt, key)
    if changed is None:
        return
    if trace.predicts_tokens:
        next_token_comparison(lm, trace, changed)
    else:
        vector_comparison(trace, changed)
    experiment_head(trace, changed, arch, layer, head, key)


def vector_comparison(trace: tr.Trace, changed: tr.Trace) -> None:
    """An encoder's experiment: how far every token's final vector moved (it has no next token)."""
    table = tr.final_vector_changes(trace, changed)
    left, right = st.columns(2)
    left.metric(
        "Mean cosine of the final vectors", f"{table['cosine'].mean():.3f}", "normal vs experiment", **QUIET
    )
    right.metric("Least similar token", str(table.loc[table["cosine"].idxmin(), "token"]), **QUIET)
    st.caption(
        "An encoder has no next token to compare, so the experiment is measured on its output: the final "
        "vector of every token, normal against experiment (cosine 1 = unchanged direction)."
    )
    st.dataframe(table, hide_index=True, width="stretch")
    download_table(table, "experiment_final_vectors.csv", key="tr_dl_experiment")


def next_token_comparison(lm, trace: tr.Trace, changed: tr.Trace) -> None:
    """A causal LM's experiment: the top next tokens of both runs."""
    table = safe_tokens(comparison_table(lm, trace, changed), "token")
    top_normal = table.sort_values("probability_normal", ascending=False)["token"].head(5).tolist()
    top_changed = table.sort_values("probability_experiment", ascending=False)["token"].head(5).tolist()
    verdict = "unchanged" if top_normal == top_changed else "changed"
    st.markdown(
        f"Top-5 next tokens: **{verdict}**. Normal: {token_chips(top_normal)}. "
        f"Experiment: {token_chips(top_changed)}."
    )
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "token_label": table["token"],
                    "order": range(len(table)),
                    "run": run,
                    "run_order": i,
                    "probability": table[column],
                }
            )
            for i, (run, column) in enumerate(
                [("normal", "probability_normal"), ("experiment", "probability_experiment")]
            )
        ],
        ignore_index=True,
    )
    show_chart(
        cached_chart(charts.top_tokens_comparison_chart, long), "experiment_top_tokens", key="tr_experiment"
    )
    st.dataframe(table, hide_index=True, width="stretch")
    download_table(table, "experiment_top_tokens.csv", key="tr_dl_experiment")


def experiment_head(
    trace: tr.Trace, changed: tr.Trace, arch: tr.Architecture, layer: int, head: int, key
) -> None:
    """One head's pattern in the experiment, with how saturated and how forward-looking it is."""
    st.subheader(f"Layer {layer}, head {head} in the experiment")
    pattern = changed.activations[f"blocks.{layer}.attn.pattern"][head]  # (T, T)
    T = changed.n_tokens
    future = float(np.triu(pattern, k=1).sum() / T)
    row = metric_row()
    row.metric(
        "Mean of each row's largest weight",
        f"{pattern.max(axis=-1).mean():.3f}",
        f"normal {trace.activations[f'blocks.{layer}.attn.pattern'][head].max(axis=-1).mean():.3f}",
        **QUIET,
        help="Close to 1 means softmax is saturated: one key takes everything.",
    )
    row.metric(
        "Attention on future tokens (mean per row)",
        f"{future:.3f}",
        **QUIET,
        help="Above 0 only without a causal mask: tokens peek at what comes after them "
        "(always, in an encoder).",
    )
    if (layer, head) in key[0]:
        st.caption("This head is switched off: its pattern is still computed, but its output is zeroed.")
    show_chart(
        cached_chart(
            charts.attention_heatmap_chart, attention_frame(changed, layer, [head]), show_values=T <= 12
        ),
        f"experiment_L{layer}_H{head}",
        key="tr_experiment_heatmap",
    )
    explain(
        "Every experiment reruns the whole forward pass with one change and recomputes everything "
        "downstream. Switching a head off zeroes its output before W_O, so the layer adds nothing from "
        "that head. Without the 1/√d_head scaling the scores are "
        f"{np.sqrt(arch.d_head):.0f} times larger and softmax saturates: one key takes almost all the "
        "weight. "
        + (
            "Without the causal mask every token also sees the tokens after it; the last token already saw "
            "everything, so its prediction changes only through the earlier tokens that now peek ahead."
            if arch.causal
            else "This encoder normally lets every token see the whole sentence; adding a causal mask hides "
            "the later tokens, as a causal LM does, and every vector but the last token's loses the words "
            "after it."
        ),
        r"\operatorname{softmax}(c\,s)\ \xrightarrow{\;c \to \infty\;}\ \text{one-hot on } \max_j s_j",
    )


# --------------------------------------------------------------------------- two architectures


FAMILY_MODELS = (models.ENCODER_NAME, models.CAUSAL_LM_NAME, "gpt2")  # BERT, Llama, GPT-2


def family_architectures(model_name: str, trace: tr.Trace) -> tuple[dict[str, tr.Architecture], list[str]]:
    """The traced model's architecture and those of the three families' models that load here.

    Returns ({model name: architecture}, ["model (why it is missing)", …])."""
    named, missing = {model_name: trace.architecture}, []
    for name in FAMILY_MODELS:
        if name in named:
            continue
        reason = unavailable_reason(name)
        other = get_model(name) if reason is None else None
        if other is None:
            missing.append(f"{name} ({reason or 'it did not load'})")
        else:
            named[name] = tr.architecture_of(tr.network(other))
    return named, missing


def second_run(model_name: str, lm, trace: tr.Trace) -> None:
    """The same prompt through a second model: its tokens and, for a causal LM, its next tokens."""
    others = [name for name in models.TRACE_CHOICES if name != model_name]
    left, right = st.columns([1, 2])
    compare = left.toggle(
        "Run the prompt through a second model", False, key="tr_compare", bind="query-params"
    )
    other_name = right.selectbox("Second model", others, key="tr_compare_model", bind="query-params")
    if not compare:
        return
    other_lm = get_model(other_name)
    if other_lm is None:
        st.info(
            f"{other_name} is not available on this machine, so only {model_name} is shown. "
            "With the internet reachable once, the comparison appears here."
        )
        return
    other = None
    with friendly_errors():
        other = cached_trace(other_name, trace.prompt)
    if other is None:
        return
    for column, one, owner in zip(st.columns(2), [trace, other], [lm, other_lm], strict=True):
        column.markdown(f"**{one.model_name}**: {one.n_tokens} tokens: {' · '.join(one.tokens)}")
        if one.predicts_tokens:
            column.dataframe(tr.next_tokens(owner, one, 5), hide_index=True)
        else:
            column.caption("An encoder: no next token, one vector per token.")


def architectures_view(model_name: str, lm, trace: tr.Trace) -> None:
    named, missing = family_architectures(model_name, trace)
    table = tr.architecture_table(named)
    st.dataframe(table, hide_index=True, width="stretch")
    if missing:
        st.caption("Not on this machine, so not in the table: " + "; ".join(missing) + ".")
    download_table(table, "architectures.csv", key="tr_dl_architectures")
    second_run(model_name, lm, trace)
    explain(
        "Three families, one recipe of attention and MLP blocks. **BERT** (the sentence encoder "
        "all-MiniLM-L6-v2) adds learned position and token-type vectors to each token and normalises the "
        "sum; its attention looks both ways, it normalises the stream *after* each residual addition "
        "(post-norm) with LayerNorm, uses a GELU MLP and ends without a vocabulary head. **GPT-2** adds a "
        "learned position vector, attends only backwards, normalises a copy of the stream *before* each "
        "sublayer (pre-norm) with LayerNorm, and uses a GELU MLP and one key/value head per query head. "
        "**Llama**-style models such as SmolLM2 are pre-norm and causal too, but rotate queries and keys by "
        "an angle that grows with position (rotary), use RMSNorm (no mean subtraction, no bias), a "
        "SiLU-gated MLP (SwiGLU) and grouped-query attention, where several query heads share one "
        "key/value head to make the cache smaller.",
        r"\text{post-norm: } h \leftarrow \text{LN}(h + f(h)),\qquad"
        r"\text{pre-norm: } h \leftarrow h + f(\text{norm}(h)),\qquad"
        r"\text{RMSNorm}(x) = \frac{x}{\sqrt{\overline{x^2}}}\,\gamma",
    )
