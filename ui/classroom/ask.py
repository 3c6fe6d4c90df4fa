"""*Ask the class*, under the views that can ask: the one call a page makes.

A view offers its questions as :class:`Ask` values (ui/classroom/asks.py makes them from the
page's inputs) and calls :func:`ask_the_class` once. Only the teacher of a running class sees the
row; everyone else sees nothing, so a lesson page is the same without a class. The spec is built
when the teacher clicks, from the model's numbers for what the page shows at that moment.

The asks a page offered in this run are kept (:func:`offered`), so a lesson step can open the
question it names (issue 26) without a second copy of the page's logic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from classroom import ClassroomError
from ui.classroom import membership
from ui.classroom.sentences import WORDING_KEY
from ui.server.classroom import class_store

OFFERED_KEY = "_class_offered"  # the asks of this run, by name


@dataclass(frozen=True)
class Ask:
    """One question a view can ask: ``name`` (unique on its page), ``kind`` (one of classroom's
    five), the ``wording`` the class reads, and ``build``, which returns its spec when asked."""

    name: str
    kind: str
    wording: str
    build: Callable[[], dict]


def offered() -> dict[str, Ask]:
    """The asks the page offered in this run (empty before the page drew them)."""
    return dict(st.session_state.get(OFFERED_KEY, {}))


def forget_offered() -> None:
    """Called once per run, before the page: the asks of an earlier run are stale."""
    st.session_state[OFFERED_KEY] = {}


def open_ask(ask: Ask, wording: str | None = None) -> int:
    """Open ``ask`` in the teacher's class (``wording`` replaces its own); the question's id.
    ClassroomError (a sentence) without a class, and ValueError when the model refuses the input."""
    key = membership.teacher_key()
    if key is None:
        raise ClassroomError("Start a class first (in the sidebar): then the class can answer.")
    spec = {**ask.build(), WORDING_KEY: wording or ask.wording}
    return class_store().open_question(key, ask.kind, spec)


def ask_the_class(*asks: Ask | None) -> None:
    """A row under the view: which question (when there are several) and *Ask the class*.

    Drawn for the teacher of a running class only. ``None`` entries (a question this input cannot
    make, such as a closer-pair question with two words) are left out."""
    kept = [ask for ask in asks if ask is not None]
    st.session_state.setdefault(OFFERED_KEY, {}).update({ask.name: ask for ask in kept})
    if not kept or membership.teacher_key() is None:
        return
    names = "_".join(ask.name for ask in kept)
    with st.container(horizontal=True, vertical_alignment="bottom"):
        chosen = kept[0]
        if len(kept) > 1:
            wordings = {ask.wording: ask for ask in kept}
            chosen = wordings[
                st.selectbox("Question for the class", list(wordings), key=f"_class_pick_{names}")
            ]
        else:
            st.markdown(f"Question for the class: *{chosen.wording}*", width="content")
        clicked = st.button(
            "Ask the class", key=f"_class_ask_{names}", icon=":material/front_hand:", type="primary"
        )
    if clicked:
        with st.spinner("Reading the model's answer for this question…"):
            try:
                open_ask(chosen)
            except (ClassroomError, ValueError) as error:
                st.warning(str(error), icon="⚠️")
                return
        st.success("Asked: the class sees the question at the top of the page; you see how many answered.")
