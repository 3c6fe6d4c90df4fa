"""Lesson presets of the dot-products page and the first contents of its boxes."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.page.dependent import dependent


@dataclass(frozen=True)
class Preset:
    """One lesson preset: the fields it fills in."""

    note: str
    source: str = "static"
    words: str = ""
    vectors: str = ""
    pair: tuple[str, str] = ("", "")
    axis: tuple[str, str] = ("small", "large")
    neighbour: str = "dog"
    analogy: tuple[str, str, str] = ("man", "king", "woman")


PRESETS: dict[str, Preset] = {
    "Dog, cat, runs, quickly": Preset(
        "Two animals, a verb and an adverb: which pairs point the same way?",
        words="dog, cat, runs, quickly",
        pair=("dog", "cat"),
        axis=("cat", "dog"),
        neighbour="dog",
    ),
    "The dog chased the cat": Preset(
        "The words of one short sentence, compared out of context.",
        words="the, dog, chased, cat",
        pair=("dog", "chased"),
        axis=("cat", "dog"),
        neighbour="chased",
    ),
    "King, queen, monarchy, banana": Preset(
        "Related royal words and one unrelated fruit.",
        words="king, queen, monarchy, banana",
        pair=("king", "queen"),
        axis=("man", "woman"),
        neighbour="king",
    ),
    "Large and small": Preset(
        "A simple story says opposites have negative dot products; real vectors disagree, because "
        "opposites appear in the same kinds of sentences.",
        words="large, small, big, tiny, huge, little",
        pair=("large", "small"),
        axis=("small", "large"),
        neighbour="large",
    ),
    "By hand: king and queen (128)": Preset(
        "Three made-up dimensions, small enough to multiply in your head.",
        source="hand-made",
        vectors="king = [9, -5, 6]\nqueen = [8, -4, 6]",
        pair=("king", "queen"),
        axis=("queen", "king"),
        neighbour="king",
    ),
    "By hand: dog and cat (0.64)": Preset(
        "Three made-up dimensions with decimals.",
        source="hand-made",
        vectors="dog = [0.7, 0.2, 0.5]\ncat = [0.6, 0.1, 0.4]",
        pair=("dog", "cat"),
        axis=("cat", "dog"),
        neighbour="dog",
    ),
}
DEFAULT = PRESETS["Dog, cat, runs, quickly"]
SOURCES = {
    "static": "embedding rows, before any context",
    "sentence": "the encoder's pooled vector",
    "hand-made": "type the numbers yourself",
}


OWN_ENTRIES = "(your own entries)"  # the preset box when the boxes hold no preset's entries


def apply_preset() -> None:
    """Fill the page's inputs from the chosen preset (a callback, before the rerun)."""
    preset = PRESETS.get(st.session_state["dp_preset"])
    if preset is None:  # "your own entries": nothing to fill
        return
    state = st.session_state
    state["dp_source"] = preset.source
    if preset.words:
        state["dp_words"] = preset.words
    if preset.vectors:
        state["dp_vectors"] = preset.vectors
    state["dp_a"], state["dp_b"] = preset.pair
    state["dp_axis_start"], state["dp_axis_end"] = preset.axis
    state["dp_neighbour"] = preset.neighbour
    state["dp_an_a"], state["dp_an_b"], state["dp_an_c"] = preset.analogy


def _shows(preset: Preset) -> bool:
    """Whether the page's source and box hold this preset's entries."""
    state = st.session_state
    box, text = ("dp_vectors", preset.vectors) if preset.source == "hand-made" else ("dp_words", preset.words)
    return state.get("dp_source", preset.source) == preset.source and state.get(box, text) == text


def preset_ui() -> str:
    """The lesson preset box and its caption, drawn once the source and the boxes hold their values
    (a link's or the user's): the box shows the preset whose entries are on screen, or says they
    are the user's own, so box and caption always describe the same entries."""
    state = st.session_state
    shown = next((name for name, preset in PRESETS.items() if _shows(preset)), OWN_ENTRIES)
    name = dependent(
        st.selectbox, "Lesson preset", [*PRESETS, OWN_ENTRIES], key="dp_preset", default=shown,
        context=(state.get("dp_source"), state.get("dp_words"), state.get("dp_vectors")), bind=None,
        on_change=apply_preset, width=460,
    )  # fmt: skip
    st.caption(
        f"Preset: {PRESETS[name].note}"
        if name in PRESETS
        else "Your own entries: choose a preset to fill the boxes with one again."
    )
    return name


def initial_text() -> None:
    """Give the text boxes their first contents (a URL, a preset or the user may replace them).

    Setting session state before a widget exists, instead of passing ``value=``, lets a preset
    fill a box that is not on screen yet without Streamlit's double-default warning.
    """
    state = st.session_state
    state.setdefault("dp_words", DEFAULT.words)
    state.setdefault("dp_vectors", PRESETS["By hand: king and queen (128)"].vectors)
    state.setdefault("dp_axis_start", DEFAULT.axis[0])
    state.setdefault("dp_axis_end", DEFAULT.axis[1])
    state.setdefault("dp_neighbour", DEFAULT.neighbour)
    for key, word in zip(("dp_an_a", "dp_an_b", "dp_an_c"), DEFAULT.analogy, strict=True):
        state.setdefault(key, word)
