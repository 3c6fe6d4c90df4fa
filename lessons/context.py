"""Words in context: one word in many sentences, its vector followed from layer to layer."""

import streamlit as st

from geometry import charts, context, senses
from geometry.models import ENCODER_NAME
from geometry.projection import is_warm
from ui.context_attention_view import context_sources_section
from ui.context_view import (
    explanation,
    nearest_words,
    number,
    occurrence_notes,
    occurrences,
    paths,
    reference,
    summary,
)
from ui.models import causal_lm_picker, get_model, model_source_caption
from ui.page import (
    cached_chart,
    download_table,
    friendly_errors,
    glossary,
    metric_row,
    more_controls,
    safe_tokens,
    show_chart,
)

PRESETS = senses.PRESETS
KINDS = ["encoder", "causal LM"]  # the encoder reads both sides of a word, the causal LM only the left


def load_preset() -> None:
    preset = PRESETS[st.session_state["cx_preset"]]
    st.session_state["cx_word"], st.session_state["cx_sentences"] = preset.word, preset.as_text()


st.title("Words in context")
st.markdown(
    "A static embedding gives a word **one vector**, whatever the sentence. Each layer of a "
    "transformer then rewrites that vector using the words around it. Follow one ambiguous word "
    "through many sentences and watch its vectors spread out, and group by meaning, layer by layer."
)

preset_column, word_column, model_column = st.columns([1, 1, 2])
preset = PRESETS[
    preset_column.selectbox(
        "Lesson preset", list(PRESETS), key="cx_preset", bind="query-params", on_change=load_preset
    )
]
# first contents through session state, not value=: a preset rewrites them (no double default)
st.session_state.setdefault("cx_word", preset.word)
st.session_state.setdefault("cx_sentences", preset.as_text())
word = word_column.text_input("Word to follow", key="cx_word", bind="query-params")
kind = model_column.radio("Model", KINDS, key="cx_model", bind="query-params", horizontal=True)
st.caption(f"Preset *{preset.word}*: {preset.note}.")
text = st.text_area(
    "Sentences, one per line, each containing the word; label a sense with `sense: sentence`",
    key="cx_sentences",
    bind="query-params",
    height=220,
)
st.caption(
    f"Limits: {senses.MAX_SENTENCES} sentences of up to {senses.MAX_SENTENCE_CHARS} characters, "
    f"a word of up to {context.MAX_WORD_CHARS} characters. The word is matched as a whole word, "
    "in any letter case."
)
if kind == "causal LM":
    model_name = causal_lm_picker("cx_causal")
    st.caption(
        "A causal model builds each token's vector from that token and the ones **before** it. At "
        "'crane' in 'The crane lifted the beams' it has not yet seen 'lifted', so bird and machine "
        "still look alike; only clues that come earlier in the sentence can separate them."
    )
else:
    model_name = ENCODER_NAME
    st.caption(
        "The encoder lets every token attend to the whole sentence, so clues after the word count too."
    )

lm = get_model(model_name)
if lm is None:
    st.stop()
model_source_caption(lm)
layers = context.layer_names(lm.n_layers)
ref = reference(model_name)

with friendly_errors():
    pairs = senses.parse_sentences(text)
    labels = tuple(sense for sense, _ in pairs)
    sentences = tuple(sentence for _, sentence in pairs)
    occ = occurrences(model_name, sentences, word).with_senses(labels)

    occurrence_notes(occ)

    layer_column, switch_column = st.columns([2, 1])
    layer = layer_column.select_slider("Layer", layers, value=layers[-1], key="cx_layer", bind="query-params")
    standardised = switch_column.toggle(
        "Standardise dimensions",
        key="cx_standardise",
        bind="query-params",
        help="Shift and scale every dimension by its mean and spread over the reference text's words, "
        "so a few huge 'rogue' dimensions stop dominating the cosine.",
    )
    with more_controls():
        controls = st.columns(3)
        method = controls[0].radio("Map", ["PCA", "UMAP"], key="cx_map", bind="query-params", horizontal=True)
        k = controls[1].slider("Nearest words shown", 1, 10, 5, key="cx_k", bind="query-params")
        values_on = controls[2].toggle("Numbers in the matrix", True, key="cx_values", bind="query-params")
    index = layers.index(layer)
    vectors = context.standardise(occ.vectors, ref) if standardised else occ.vectors  # (n, L+2, d)
    table = context.layer_table(occ, ref, standardised)
    row = table.iloc[index]
    metrics = metric_row()
    metrics.metric("Self-similarity", number(row.self_similarity), width="content")
    metrics.metric("Within sense", number(row.within_sense), width="content")
    metrics.metric("Across senses", number(row.across_sense), width="content")
    metrics.metric("Baseline (random words)", number(row.baseline), width="content")

    # One above the other: side by side, a 15 × 15 matrix gets half a 1024-pixel screen and 7-pixel numbers.
    matrix_column, map_column = st.container(), st.container()
    with matrix_column:
        st.subheader(f"Cosine between occurrences at {layer}")
        pairwise = context.pairwise_table(occ, vectors[:, index])
        show_chart(
            cached_chart(
                charts.occurrence_cosine_chart, pairwise, show_values=values_on and len(occ.labels) <= 24
            ),
            "context_cosines",
            "cx_cos",
        )
        st.caption(
            "Colours run from -1 to 1 on every model and layer, as for every cosine in this app, so "
            "equal numbers get equal colours; on a causal LM most cells are dark because its cosines "
            "sit close to 1."
        )
    with map_column:
        st.subheader("Every occurrence, every layer")
        if method == "UMAP" and not is_warm():
            st.caption("UMAP compiles its code on first use in this server (about 15 seconds).")
        path_frame, titles, notes = paths(model_name, sentences, word, labels, standardised, method.lower())
        show_chart(
            cached_chart(charts.occurrence_paths_chart, path_frame, index, *titles),
            "context_paths",
            "cx_paths",
        )
        st.caption(
            "Each line is one occurrence, from the static row (black diamond) through every layer; the "
            f"large marks are the chosen layer. Vectors are scaled to length 1 before the {method} map. "
            + " ".join(notes)
        )

    st.subheader(f"Nearest vocabulary words at {layer}")
    nearest = nearest_words(model_name, sentences, word, labels, index, k)
    st.dataframe(context.nearest_summary(safe_tokens(nearest, "word")), hide_index=True, width="stretch")
    st.caption(
        "A lens, not a readout: cosine with the input-embedding rows of whole-word tokens. It is exact "
        "for the static row. In the middle layers it is only an approximation, since hidden states drift "
        "away from the embedding space; in a causal LM the last layers lean toward the *next* token."
    )

    st.subheader("Across layers")
    show_chart(
        cached_chart(charts.layer_similarity_chart, context.long_layer_table(table), index),
        "context_layers",
        "cx_layers",
    )
    st.markdown(summary(table, layers[-1], labelled=any(sense != senses.NO_SENSE for sense in labels)))
    download_table(
        table, f"context_{occ.word}_{model_name}_layers.csv", "cx_csv", "Download similarity table"
    )
    download_table(pairwise, f"context_{occ.word}_{layer}.csv", "cx_pairs_csv", "Download cosine matrix")

    context_sources_section(model_name, occ, lm.n_layers)

    st.subheader(f"The first 32 dimensions: static row and {layer}")
    strips = context.dimension_table(occ, occ.vectors, [0, index])
    show_chart(cached_chart(charts.dimension_strip_chart, strips), "context_dimensions", "cx_dims")

explanation(ref)
glossary(
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
