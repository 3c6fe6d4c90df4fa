"""Words in context: one word in many sentences, its vector followed from layer to layer."""

import streamlit as st

from geometry.context import senses
from geometry.context.attention import occurrence_key
from geometry.context.occurrences import clean_word, layer_names, standardise
from geometry.context.tables import dimension_table, layer_table, pairwise_table
from ui.cache import context as cache
from ui.context import explanation, inputs, layers, occurrences, sources
from ui.models import get_model, model_source_caption
from ui.page.frames import title_and_intro
from ui.page.layout import checked, friendly_errors, glossary

TERMS = (
    "contextual vector",
    "embedding",
    "layer",
    "cosine similarity",
    "word sense",
    "self-similarity",
    "adjusted self-similarity",
    "anisotropy",
    "rogue dimensions",
    "encoder",
    "causal language model",
    "attention",
    "attention head",
    "causal mask",
    "normalisation",
    "nearest neighbours",
    "PCA",
    "UMAP",
)

title_and_intro(
    "Words in context",
    "A static embedding gives a word **one vector**, whatever the sentence. Each layer of a "
    "transformer then rewrites that vector using the words around it. Follow one ambiguous word "
    "through many sentences and watch its vectors spread out, and group by meaning, layer by layer.",
)

# ---------------------------------------------------------------- inputs
word, text, model_name = inputs.inputs_ui()
lm = get_model(model_name)
if lm is None:
    st.stop()
model_source_caption(lm)
names = layer_names(lm.n_layers)
reference = cache.reference(lm)

# Each box checked on its own, so a message names its box; what needs both (the word in every
# sentence) is then said about the sentences.
if checked(clean_word, cx_word=word) is None or checked(senses.parse_sentences, cx_sentences=text) is None:
    explanation.explanation(reference)
    glossary(*TERMS)
    st.stop()
with friendly_errors("cx_sentences"):
    pairs = senses.parse_sentences(text)
    labels = tuple(sense for sense, _ in pairs)
    sentences = tuple(sentence for _, sentence in pairs)
    occ = cache.occurrences(lm, sentences, word).with_senses(labels)
    view = inputs.view_ui(names, lm.name)

    # ------------------------------------------------------------ the chosen layer
    vectors = standardise(occ.vectors, reference) if view.standardised else occ.vectors  # (n, L+2, d)
    table = layer_table(occ, reference, view.standardised)
    occurrences.layer_metrics(table.iloc[view.index])  # the layer's key numbers first
    occurrences.occurrence_notes(occ)
    # One above the other: side by side, a 15 × 15 matrix gets half a 1024-pixel screen and 7-pixel numbers.
    pairwise = pairwise_table(occ, vectors[:, view.index])
    layers.cosine_matrix_view(pairwise, view.layer, view.values and len(occ.labels) <= 24)
    layers.paths_heading(view.method)
    paths = cache.occurrence_paths(lm, sentences, word, labels, view.standardised, view.method.lower())
    layers.paths_view(paths, view.index, view.method)
    layers.nearest_view(cache.occurrence_nearest(lm, sentences, word, labels, view.index, view.k), view.layer)

    # ------------------------------------------------------------ every layer
    labelled = any(sense != senses.NO_SENSE for sense in labels)
    layers.across_layers_view(table, view.index, names[-1], labelled)
    layers.downloads(table, pairwise, occ.word, lm.name, view.layer)

    # ------------------------------------------------------------ where the context comes from
    chosen, layer_index, per_head = sources.sources_ui(occ, lm.n_layers, lm.name)
    keys = tuple(occurrence_key(occ, label) for label in chosen)
    causal, changes, attention = cache.pair_tables(lm, keys)
    columns = [cache.attention_column(lm, key, layer_index, per_head) for key in keys]
    sources.sources_view(occ.word, causal, columns, changes, attention)

    layers.dimensions_view(dimension_table(occ, occ.vectors, [0, view.index]), view.layer)

explanation.explanation(reference)
glossary(*TERMS)
