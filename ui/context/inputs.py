"""The inputs of Words in context: preset, word, model and sentences; then the view controls."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from geometry.context import senses
from geometry.models.catalogue import ENCODER_NAME
from geometry.words.tokens import MAX_WORD_CHARS
from ui.models import causal_lm_picker
from ui.page.dependent import dependent
from ui.page.layout import more_controls

PRESETS = senses.PRESETS
KINDS = ["encoder", "causal LM"]  # the encoder reads both sides of a word, the causal LM only the left


def load_preset() -> None:
    """on_change of the preset box: its word and sentences replace the boxes' contents."""
    preset = PRESETS[st.session_state["cx_preset"]]
    st.session_state["cx_word"], st.session_state["cx_sentences"] = preset.word, preset.as_text()


def inputs_ui() -> tuple[str, str, str]:
    """The preset, the word, the model and the sentences: (word, sentences text, model name)."""
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
    # folded on a projector, where the layers are the lesson
    sentences = more_controls("The sentences and the model")
    with sentences:
        text = st.text_area(
            "Sentences, one per line, each containing the word; label a sense with `sense: sentence`",
            key="cx_sentences",
            bind="query-params",
            height=220,
        )
        st.caption(
            f"Limits: {senses.MAX_SENTENCES} sentences of up to {senses.MAX_SENTENCE_CHARS} characters, "
            f"a word of up to {MAX_WORD_CHARS} characters. The word is matched as a whole word, "
            "in any letter case."
        )
    with sentences:
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
                "The encoder lets every token attend to the whole sentence, so clues after the word "
                "count too."
            )
    return word, text, model_name


@dataclass(frozen=True)
class View:
    """How the occurrences are shown: the layer, standardised or not, the map, k, numbers on."""

    layer: str
    index: int  # the layer's position in layer_names
    standardised: bool
    method: str  # "PCA" or "UMAP"
    k: int
    values: bool


def view_ui(layers: list[str], model: str) -> View:
    """The layer slider (the last layer of ``model`` by default), the standardise switch and (folded
    in presenter mode) the other controls."""
    layer_column, switch_column = st.columns([2, 1])
    layer = dependent(
        layer_column.select_slider, "Layer", layers, key="cx_layer", default=layers[-1], context=model
    )
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
        values = controls[2].toggle("Numbers in the matrix", True, key="cx_values", bind="query-params")
    return View(layer, layers.index(layer), standardised, method, k, values)
