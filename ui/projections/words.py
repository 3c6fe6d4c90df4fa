"""Choosing words: the word set, the custom axes, the word whose neighbours are compared, the search."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from geometry.projection import axes
from geometry.words import tokens
from geometry.words import wordsets as ws
from ui.page.dependent import dependent
from ui.page.layout import box_message, checked, friendly_errors
from ui.page.text import verbatim

OWN_WORDS_ONLY = "(only my words)"


def word_set_ui() -> ws.WordSet | None:
    """A preset plus the user's own words, checked; None after a warning."""
    names = [*ws.PRESETS, OWN_WORDS_ONLY]
    preset = st.selectbox("Lesson preset", names, key="pj_preset", bind="query-params")
    if preset in ws.PRESETS:
        st.caption(ws.PRESETS[preset].hint)
    text = st.text_area(
        "Your own words",
        key="pj_words",
        bind="query-params",
        placeholder="pets: dog, cat, hamster\nking, queen, banana",
    )
    st.caption(
        "Commas or new lines between words; start a line with `label:` to colour its words as a group. "
        f"Added to the preset. Limits: {ws.MAX_WORDS} words, {ws.MAX_TEXT_CHARS:,} characters, "
        f"{tokens.MAX_WORD_CHARS} characters a word."
    )
    base = ws.preset_words(ws.PRESETS[preset].categories) if preset in ws.PRESETS else ws.WordSet((), ())
    if not text.strip():
        if len(base):
            return base
        st.warning("Type some words, or choose a lesson preset.", icon="⚠️")
        return None
    with friendly_errors("pj_words"):
        return ws.combine(base, ws.parse_words(text))
    return None


def asked_words() -> tuple[str, ...]:
    """The words the chosen lesson preset asks about: the map always labels them."""
    preset = ws.PRESETS.get(st.session_state.get("pj_preset", ""))
    return preset.asks_about if preset is not None else ()


def skipped_notice(word_set: ws.WordSet, kind: str) -> None:
    if word_set.skipped:
        shown = "; ".join(word_set.skipped[:8]) + ("; …" if len(word_set.skipped) > 8 else "")
        st.warning(box_message("pj_words", f"Left out {len(word_set.skipped)} item(s): {shown}."), icon="⚠️")
    if word_set.split and kind == "static":
        shown = ", ".join(word_set.split[:10]) + (" …" if len(word_set.split) > 10 else "")
        st.caption(
            f"Read as several tokens, so their static vector is the mean of the pieces: {verbatim(shown)}."
        )


def axes_ui() -> tuple[axes.Axis, axes.Axis] | None:
    """Two text boxes, one direction each; None (after a warning) when one cannot be read."""
    left, right = st.columns(2)
    x_text = left.text_input(
        "x axis (from one word to another)", "man -> woman", key="pj_x_axis", bind="query-params",
        help="'small -> large', 'from poor to rich', 'woman - man' (a word minus a word) or a single word.",
    )  # fmt: skip
    y_text = right.text_input(
        "y axis", "boy -> king", key="pj_y_axis", bind="query-params", help="Written the same way as x."
    )
    parsed = checked(axes.parse_axis, pj_x_axis=x_text, pj_y_axis=y_text)
    return None if parsed is None else tuple(parsed.values())


def _clicked(key: str) -> str | None:
    """The word last clicked on the Altair map (selection "pick") or a Plotly one (customdata)."""
    selection = (st.session_state.get(key) or {}).get("selection") or {}
    picked = selection.get("pick") or selection.get("points") or []
    if not picked or not isinstance(picked[0], dict):
        return None
    point = picked[0]
    custom = point.get("customdata")
    return point.get("word") or (custom[0] if isinstance(custom, list | tuple) and custom else None)


def take_clicked_word(words: tuple[str, ...]) -> None:
    """Make a word clicked on the map (last run) the chosen word, before its select box is drawn."""
    for key in ("pj_map_chart", "pj_map_plot"):
        word = _clicked(key)
        if word and word != st.session_state.get(f"_clicked_{key}"):
            st.session_state[f"_clicked_{key}"] = word
            if word in words:
                st.session_state["pj_focus"] = word


def offered(word_set: ws.WordSet, matches: Sequence[int]) -> list[str]:
    """What the word box lists when a map has too many words to list: the coloured (curated) words,
    then the search's matches."""
    coloured = [
        word
        for word, group in zip(word_set.words, word_set.categories, strict=True)
        if group != ws.VOCABULARY
    ]
    return [*coloured, *(word_set.words[match] for match in matches)]


OFFERED_WORDS = 2_000  # a longer list is not sent to the browser whole (see focus_ui)
FOCUS_LABEL = "Chosen word (or click a point)"


def focus_ui(words: tuple[str, ...], offered: Sequence[str] = ()) -> int:
    """The word whose neighbours are compared (also chosen by clicking it on the map).

    Up to OFFERED_WORDS words, the box lists every word. A vocabulary is not listed (the whole
    vocabulary's 21,719 words were 0.2 MB for the browser on every change, and slow to draw): the
    box lists ``offered`` (the coloured words and the search's matches) and takes any word of the
    map typed into it; a word that is not on the map gets a warning naming it.
    """
    take_clicked_word(words)
    default = "king" if "king" in words else words[0]
    if len(words) <= OFFERED_WORDS:
        word = dependent(st.selectbox, FOCUS_LABEL, words, key="pj_focus", default=default)
        return words.index(word)
    # a vocabulary: the box lists the coloured words and the matches, and takes any word of the map
    current = st.session_state.get("pj_focus")
    options = tuple(dict.fromkeys([default, *offered, *([current] if current else [])]))
    word = st.selectbox(
        FOCUS_LABEL, options, index=options.index(default), key="pj_focus", bind="query-params",
        accept_new_options=True,
        help=f"Type any of the {len(words):,} words, or pick a coloured word or a match.",
    )  # fmt: skip
    if word in words:
        return words.index(word)
    st.warning(
        f"'{verbatim(str(word)[:30])}' is not one of the {len(words):,} words on this map; its neighbours "
        f"are shown for '{verbatim(default)}' instead.",
        icon="⚠️",
    )
    return words.index(default)


def search_ui(words: tuple[str, ...]) -> list[int]:
    """Indices of the words matching the search box, after a caption saying what matched."""
    query = st.text_input("Find a word", key="pj_search", bind="query-params", placeholder="e.g. king")
    if not query.strip():
        return []
    with friendly_errors("pj_search"):
        found = ws.search_words(words, query)
        if found:
            shown = ", ".join(words[i] for i in found[:12]) + (" …" if len(found) > 12 else "")
            st.caption(f"{len(found)} match(es), ringed on the map: {verbatim(shown)}")
        else:
            st.warning(
                f"No word among these {len(words):,} starts with '{verbatim(query.strip()[:30])}'.", icon="⚠️"
            )
        return found
    return []
