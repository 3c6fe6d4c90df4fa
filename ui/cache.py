"""Every cached computation of the lessons, in one place: keyed by plain values, bounded in size.

Pages fetch a model by name from ui/models.py and pass its handle here. A handle is hashed by
its name (``MODEL_BY_NAME``), so every cached function takes the model itself, never a name
beside an unhashed copy. Values are plain (numpy arrays, DataFrames, frozen dataclasses);
``st.cache_data`` hands each session its own unpickled copy, so no session can change another's.
Only the vocabulary index, which reads the model's own embedding matrix, is shared as one
read-only object (``st.cache_resource``). geometry keeps no caches of its own: what is worth
keeping between reruns is kept here.

Heavy jobs (backward passes, training runs) go through ui.heavy's first-come, first-served
line and its bounded store of results, keyed here the same way. Chart specifications (every
``show_chart`` of a ``cached_chart``) are kept here too, by builder name and inputs.
"""

from __future__ import annotations

import datetime
import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from geometry import attribution, context, learning, models, neurons, similarity, uploads
from geometry import projection as pj
from geometry import trace as tr
from geometry import wordsets as ws
from geometry.models import LoadedModel
from geometry.sampling import Decoding
from geometry.vectors import MAX_WORDS
from geometry.vectors import word_vectors as _word_vectors
from ui.heavy import computed_in_turn, computed_together
from ui.page import friendly_errors

log = logging.getLogger(__name__)


def _model_name(lm: LoadedModel) -> str:
    return lm.name


MODEL_BY_NAME = {LoadedModel: _model_name}  # a model handle is known by its name

# --------------------------------------------------------------------------- models


@st.cache_data(ttl=300, max_entries=8, show_spinner=False)
def availability(name: str) -> str | None:
    """Why ``name`` cannot load here, or None: at most ~2 s for a hub-only model, then kept 5 minutes."""
    return models.availability(name)


# --------------------------------------------------------------------------- vectors and the vocabulary


@st.cache_resource(max_entries=4, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def vocabulary(lm: LoadedModel) -> similarity.VocabularyMatrix:
    """The model's whole-word search index (read-only, over the model's own weights), once per server."""
    return similarity.vocabulary_matrix(lm)


@st.cache_data(max_entries=4, show_spinner="Encoding a sample of vocabulary words (once per model)…",
               hash_funcs=MODEL_BY_NAME)  # fmt: skip
def sentence_sample(lm: LoadedModel) -> similarity.SentenceSample:
    return similarity.sentence_sample(lm, vocabulary(lm))


def _vocabulary_options(lm: LoadedModel, kind: str) -> dict:
    """The shared index, and the sentence sample when ``kind`` needs it."""
    sample = sentence_sample(lm) if kind == "sentence" else None
    return {"vocabulary": vocabulary(lm), "sample": sample}


BASELINE_SPINNER = "Measuring the baseline on random vocabulary words (once per model)…"


@st.cache_data(max_entries=64, show_spinner="Computing vectors…", hash_funcs=MODEL_BY_NAME)
def word_vectors(lm: LoadedModel, words: tuple[str, ...], kind: str) -> np.ndarray:
    """Vectors of the words, (n, d)."""
    return _word_vectors(words, lm, kind, max_words=MAX_WORDS)


@st.cache_data(max_entries=8, show_spinner=BASELINE_SPINNER, hash_funcs=MODEL_BY_NAME)
def baseline(lm: LoadedModel, kind: str, standardise: bool) -> float:
    return similarity.anisotropy_baseline(lm, kind, standardise, **_vocabulary_options(lm, kind))


@st.cache_data(max_entries=8, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def dimension_stats(lm: LoadedModel, kind: str) -> similarity.DimensionStats:
    return similarity.dimension_stats(lm, kind, **_vocabulary_options(lm, kind))


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def nearest_words(lm: LoadedModel, word: str, metric: str, standardise: bool, k: int) -> pd.DataFrame:
    """The k vocabulary words nearest to ``word``'s static vector (the word itself left out), ranked."""
    vector = word_vectors(lm, (word,), "static")[0]  # (d,)
    found = similarity.nearest(
        vector, lm, k=k, metric=metric, exclude=(word,), standardise=standardise, vocabulary=vocabulary(lm),
        max_k=similarity.MAX_K,
    )  # fmt: skip
    return similarity.ranked_table(found)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def analogy_answers(
    lm: LoadedModel, abc: tuple[str, str, str], metric: str, standardise: bool, k: int
) -> similarity.AnalogyAnswers:
    """b - a + c, with and without the inputs left out."""
    return similarity.analogy_answers(
        *abc, lm, k=k, metric=metric, standardise=standardise, vocabulary=vocabulary(lm)
    )


# --------------------------------------------------------------------------- projections


@st.cache_data(max_entries=8, show_spinner="Looking up the vectors…", hash_funcs=MODEL_BY_NAME)
def word_set_vectors(lm: LoadedModel, kind: str, words: tuple[str, ...]) -> np.ndarray:
    return ws.word_set_vectors(lm, kind, words)  # (n, d)


@st.cache_data(max_entries=4, show_spinner="Reading the vocabulary…", hash_funcs=MODEL_BY_NAME)
def vocabulary_set(lm: LoadedModel, size: int | None) -> tuple[ws.WordSet, np.ndarray]:
    return ws.vocabulary_set(lm, size)


@st.cache_data(max_entries=8, show_spinner="Reading your file…")
def upload(data: bytes, metadata: bytes | None, filename: str):
    return uploads.read_vectors(data, metadata, filename)


STABILITY_MAX_POINTS = 10_000  # three more UMAPs of the whole vocabulary would take minutes
STABILITY_RUNS = 3
EXPECTED_MAP_SECONDS = 60.0  # a whole-vocabulary UMAP on two busy cores, for the progress bar only


@st.cache_data(max_entries=16, show_spinner="Drawing the map…")
def projection_map(source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors) -> pj.MapResult:
    """``source`` names the vectors (model, kind, words or vocabulary size; or an upload's digest);
    they are not hashed.

    A map of more than STABILITY_MAX_POINTS points comes without its trustworthiness, which is
    then computed by :func:`trust` after the map is on the page (~20 s for 21,700 points).
    """
    result = pj.project(_vectors, method, dims, seed, **pj.PAGE_LIMITS, **dict(params))
    return pj.map_result(result, with_trust=len(_vectors) <= STABILITY_MAX_POINTS)


@st.cache_data(
    max_entries=8, show_spinner="Checking the map against the full space (trustworthiness, once per map)…"
)
def trust(source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors, _coords) -> float:
    k = min(pj.TRUST_NEIGHBOURS, (len(_coords) - 1) // 2)
    return pj.trustworthiness(_vectors, _coords, k, dict(params)["metric"])


def custom_map(
    source: tuple, axes: tuple[pj.Axis, pj.Axis], metric: str, vectors, directions
) -> pj.MapResult:
    """The map on two custom axes, cached by the names of the inputs (source, axes, metric)."""
    names = tuple(axis.name for axis in axes)
    return _custom_map(source, names, metric, axes, vectors, directions)


@st.cache_data(max_entries=16, show_spinner="Placing the words along your axes…")
def _custom_map(source: tuple, names: tuple, metric: str, _axes, _vectors, _directions) -> pj.MapResult:
    return pj.map_result(pj.custom_projection(_vectors, _axes, _directions, metric))


@st.cache_data(max_entries=8, show_spinner="Drawing the same map with other seeds…")
def stability(source: tuple, method: str, dims: int, seed: int, params: tuple, k: int, _vectors):
    seeds = range(seed, seed + STABILITY_RUNS)
    return pj.seed_stability(_vectors, method, seeds, dims, k, **pj.PAGE_LIMITS, **dict(params))


@dataclass(eq=False)
class MapJob:
    """One map computed in a background thread, shared by every session that asks for it."""

    started: float = field(default_factory=time.monotonic)
    result: pj.MapResult | None = None
    error: Exception | None = None
    done: threading.Event = field(default_factory=threading.Event)


@st.cache_resource(max_entries=4, show_spinner=False)
def _map_job(source: tuple, method: str, dims: int, seed: int, params: tuple, _vectors) -> MapJob:
    job = MapJob()

    def run() -> None:
        try:
            job.result = pj.map_result(
                pj.project(_vectors, method, dims, seed, **pj.PAGE_LIMITS, **dict(params))
            )
        except Exception as error:  # noqa: BLE001 - handed to every waiting page, which says it
            log.exception("background map failed")
            job.error = error
        finally:
            job.done.set()

    threading.Thread(target=run, name="vocabulary-map", daemon=True).start()
    return job


def map_with_progress(
    source: tuple, method: str, dims: int, seed: int, params: tuple, vectors
) -> pj.MapResult:
    """A slow map (the whole vocabulary's UMAP): computed once per server, progress shown while it runs.

    Sessions that arrive while it is computing wait for the same computation; later ones get it at once.
    """
    job = _map_job(source, method, dims, seed, params, vectors)
    if not job.done.is_set():
        what = f"{pj.METHOD_NAMES[method]} of {len(vectors):,} words"
        bar = st.progress(0.0)
        while not job.done.wait(0.5):
            elapsed = time.monotonic() - job.started
            text = (
                f"Computing the {what}: once for every visitor of this server, {elapsed:.0f} s so far "
                f"(about {EXPECTED_MAP_SECONDS:.0f} s on two cores)…"
            )
            bar.progress(min(0.95, elapsed / EXPECTED_MAP_SECONDS), text=text)
        bar.empty()
    if isinstance(job.error, ValueError):
        raise job.error
    if job.error is not None:
        _map_job.clear()  # let the next visitor try again
        raise ValueError(f"The map could not be computed ({type(job.error).__name__}); try again.")
    return job.result


# --------------------------------------------------------------------------- words in context


@st.cache_data(
    max_entries=16, show_spinner="Running the sentences through the model…", hash_funcs=MODEL_BY_NAME
)
def occurrences(lm: LoadedModel, sentences: tuple[str, ...], word: str) -> context.Occurrences:
    """Hidden states of every occurrence of ``word`` (senses are added by the caller)."""
    return context.find_occurrences(lm, sentences, word, **context.PAGE_LIMITS)


def _labelled(lm: LoadedModel, sentences: tuple[str, ...], word: str, labels: tuple[str, ...]):
    return occurrences(lm, sentences, word).with_senses(labels)


@st.cache_data(max_entries=4, show_spinner="Measuring the baseline on the reference text (once per model)…",
               hash_funcs=MODEL_BY_NAME)  # fmt: skip
def reference(lm: LoadedModel) -> context.Reference:
    return context.reference_statistics(lm)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def occurrence_nearest(
    lm: LoadedModel, sentences: tuple[str, ...], word: str, labels: tuple[str, ...], index: int, k: int
) -> pd.DataFrame:
    """The vocabulary words nearest each occurrence at layer ``index``, once per input for the server."""
    occ = _labelled(lm, sentences, word, labels)
    return context.nearest_words(lm, occ, occ.vectors[:, index], k, vocabulary=vocabulary(lm))


@st.cache_data(max_entries=16, show_spinner="Drawing the map…", hash_funcs=MODEL_BY_NAME)
def occurrence_paths(
    lm: LoadedModel,
    sentences: tuple[str, ...],
    word: str,
    labels: tuple[str, ...],
    standardised: bool,
    method: str,
):
    """The layer-by-layer map (path table, axis titles, notes) of every occurrence."""
    occ = _labelled(lm, sentences, word, labels)
    vectors = context.standardise(occ.vectors, reference(lm)) if standardised else occ.vectors
    return context.layer_map(occ, vectors, method)


@st.cache_data(
    max_entries=32, show_spinner="Following the sentence through every layer…", hash_funcs=MODEL_BY_NAME
)
def occurrence_context(
    lm: LoadedModel, sentence: str, word: str, number: int, label: str
) -> context.OccurrenceContext:
    """One occurrence traced step by step (see :func:`geometry.context.occurrence_key`)."""
    return context.occurrence_context(lm, sentence, word, number, label)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def pair_tables(lm: LoadedModel, pair: tuple[tuple, tuple]) -> tuple[bool, pd.DataFrame, pd.DataFrame]:
    """For two occurrences: whether the model is causal, and their moves and attention, stacked."""
    return context.pair_tables([occurrence_context(lm, *key) for key in pair])


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def attention_column(
    lm: LoadedModel, key: tuple, layer_index: int, per_head: bool
) -> context.AttentionColumn:
    """What one occurrence's column shows, once per input."""
    return context.attention_column(occurrence_context(lm, *key), layer_index, per_head)


# --------------------------------------------------------------------------- learning (heavy, in turn)


def gradient_tables(lm: LoadedModel, text: str) -> learning.GradientTables:
    """Everything sections 1, 2 and 4 of the learning page show about one text, from one backward pass.

    Computed once per (model, text) for the whole server. Students waiting in line are served
    together: one batched pass for up to eight texts costs about what one text does.
    """

    def compute_many(texts: list[str]) -> list:
        return [
            found if isinstance(found, ValueError) else learning.gradient_tables(lm, found)
            for found in learning.embedding_gradients_many(lm, texts)
        ]

    key = ("gradients", lm.name, text)
    return computed_together(
        f"gradients {lm.name}", key, text, compute_many, "One forward and one backward pass"
    )


def training_run(lm: LoadedModel, text: str, steps: int, lr: float, optimizer: str) -> learning.TrainingRun:
    """A training run on a private copy, once per settings for the whole server, one copy at a time."""
    return computed_in_turn(
        ("training", lm.name, text, steps, lr, optimizer),
        lambda: learning.train_steps(lm, text, steps, lr, optimizer),  # the copy is released inside
        "Copying the model and training the copy",
        release=True,
    )


# --------------------------------------------------------------------------- chart specifications


def _pickled(frame: pd.DataFrame) -> bytes:
    # Streamlit's own DataFrame hash is ~1 ms for a 30-row frame of Arrow strings (pandas 3); a
    # pickle is ~0.05 ms and names the same frame. Frames here are the small tables charts draw.
    import pickle

    return pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)


@st.cache_data(
    max_entries=128,
    ttl=datetime.timedelta(minutes=30),
    show_spinner=False,
    hash_funcs={"pandas.DataFrame": _pickled, "pandas.core.frame.DataFrame": _pickled},
)
def vega_lite_spec(
    name: str, args: tuple, kwargs: dict, presenter: bool, _build: Callable[..., object]
) -> dict:
    # Keyed by the builder's name, its inputs and presenter mode. What st.altair_chart sends: the
    # specification with its data as Arrow bytes. Cached data is unpickled afresh for every
    # caller, so no session can change another's specification.
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    from ui.page import scaled

    return _convert_altair_to_vega_lite_spec(unvalidated(scaled(_build(*args, **kwargs), presenter)))


def unvalidated(chart):
    """The chart, its specification written without checking it against Vega-Lite's JSON schema.

    Every builder's specification is checked by the unit tests (``to_dict()`` validates there);
    on the server the check was a quarter of the interpreter's time under a class of 30 on the
    context page (a py-spy profile of the threads holding the GIL), spent under the one lock
    Streamlit takes for every Altair conversion. Streamlit calls ``chart.to_dict()``; this
    chart's own ``to_dict`` passes ``validate=False`` (set on the instance, so only this one).
    """
    object.__setattr__(chart, "to_dict", functools.partial(type(chart).to_dict, chart, validate=False))
    return chart


# --------------------------------------------------------------------------- the trace page

# intervention key: (ablated (layer, head) pairs, scale by 1/√d, causal mask; None = the model's own)
NORMAL = ((), True, None)
TRACE_TTL = datetime.timedelta(minutes=30)


def _intervention(key: tuple) -> tr.Intervention:
    ablated, scale, mask = key
    return tr.Intervention(
        ablated_heads=tuple(tuple(pair) for pair in ablated), scale_scores=scale, causal_mask=mask
    )


# A resource cache, not a data cache: a trace is read-only, so all sessions share one object.
# st.cache_data would keep a pickled copy and unpickle a fresh one (up to ~106 MB at 64 tokens
# on SmolLM2) for every session on every rerun. Bounded: 4 traces, each dropped after 30 minutes.
@st.cache_resource(max_entries=4, ttl=TRACE_TTL, show_spinner="Following the prompt through every layer…",
                   hash_funcs=MODEL_BY_NAME)  # fmt: skip
def cached_trace(lm: LoadedModel, prompt: str, intervention: tuple = NORMAL) -> tr.Trace:
    """The trace of ``prompt`` (see geometry.trace), cached per (model, prompt, intervention)."""
    return tr.trace(lm, prompt, _intervention(intervention))


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def cached_logit_lens(lm: LoadedModel, prompt: str, intervention: tuple, position: int) -> pd.DataFrame:
    """The logit lens of one position (geometry.trace.logit_lens), read from the cached trace."""
    return tr.logit_lens(cached_trace(lm, prompt, intervention), position=position, k=5)


def cached_generation(lm: LoadedModel, prompt: str, n_tokens: int, decoding: tuple) -> tr.GenerationResult:
    """Tokens written one at a time: once per settings for the server, in turn with other heavy work."""
    return computed_in_turn(
        ("generation", lm.name, prompt, n_tokens, decoding),
        lambda: _generate(lm, prompt, n_tokens, decoding),
        "Writing tokens with the key/value cache",
    )


def _generate(lm: LoadedModel, prompt: str, n_tokens: int, decoding: tuple) -> tr.GenerationResult:
    settings = Decoding(*decoding)
    steps = iter(range(tr.MAX_NEW_TOKENS))

    def pick(logits: np.ndarray) -> int:
        return settings.choose(logits, next(steps))

    return tr.generate(lm, prompt, n_tokens, choose=pick, use_cache=True, max_new_tokens=tr.MAX_NEW_TOKENS)


def load_trace(lm: LoadedModel, prompt: str, intervention: tuple = NORMAL) -> tr.Trace | None:
    """The trace, or None after a warning on the page (empty prompt and the like)."""
    with friendly_errors():
        return cached_trace(lm, prompt, intervention)
    return None


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def logit_attribution(lm: LoadedModel, prompt: str, target: int, other: int | None) -> pd.DataFrame:
    """The direct logit attribution of the prompt's cached trace (geometry.attribution)."""
    return attribution.attribution_from_trace(lm, cached_trace(lm, prompt), target, other)


def cached_patching(lm: LoadedModel, clean: str, corrupted: str, target: int, other: int):
    """(residual table, head table), once per input for the server, with a progress bar meanwhile."""
    where = st.empty()

    def compute() -> tuple[pd.DataFrame, pd.DataFrame]:
        bar = where.progress(0.0, text="Patching…")
        residual = attribution.patch_residual(
            lm,
            clean,
            corrupted,
            target,
            other,
            progress=lambda f, text: bar.progress(0.8 * f, f"Residual: {text}"),
        )
        heads = attribution.patch_heads(
            lm,
            clean,
            corrupted,
            target,
            other,
            progress=lambda f, text: bar.progress(0.8 + 0.2 * f, f"Heads: {text}"),
        )
        return residual, heads

    try:
        key = ("patching", lm.name, clean, corrupted, target, other)
        return computed_in_turn(key, compute, "Patching every layer and position")
    finally:
        where.empty()


@st.cache_data(max_entries=16, ttl=TRACE_TTL, show_spinner="Reading every position through the unembedding…",
               hash_funcs=MODEL_BY_NAME)  # fmt: skip
def cached_lens(lm: LoadedModel, prompt: str, target: int | None) -> pd.DataFrame:
    """The logit lens at every position of the prompt's cached trace (geometry.trace.lens_table)."""
    return tr.lens_table(cached_trace(lm, prompt), target)


def cached_reference(lm: LoadedModel, layer: int) -> neurons.ReferenceActivations:
    """One layer's activations over the reference text: once per (model, layer) for the server."""
    return computed_in_turn(
        ("neuron reference", lm.name, layer),
        lambda: neurons.reference_activations(lm, layer),
        "Reading the reference text through the model",
    )


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=MODEL_BY_NAME)
def cached_vocabulary(lm: LoadedModel, layer: int, neuron: int, k: int) -> pd.DataFrame:
    """The vocabulary tokens one MLP neuron's output row promotes and suppresses most."""
    return neurons.neuron_vocabulary(lm, layer, neuron, k=k)
