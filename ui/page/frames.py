"""Where the parts of a view go on a projector and on a phone: a page's title and opening paragraph, sections
folded until opened, a wide and a narrow variant of a chart, and a frame a wide chart scrolls in.

The width-dependent choices are made in the browser by ui/page/style.py (Streamlit cannot tell
the page how wide the screen is); the containers here carry the keys its rules look for.
"""

from __future__ import annotations

import streamlit as st

from ui.page.settings import presenter_mode


def title_and_intro(title: str, intro: str) -> None:
    """A page's title and opening paragraph. In presenter mode the paragraph is the title's tooltip
    (the teacher says it aloud), so the lesson itself starts high on the projector's first screen."""
    if presenter_mode():
        st.title(title, help=intro)
    else:
        st.title(title)
        st.markdown(intro)


def folded(label: str, key: str, settings: tuple[str, ...] = (), opened: bool = False):
    """A section folded behind its label and computed only when opened (``if section.open:``);
    ``opened``: open at first (say, when nothing above it applies).

    A link that sets one of the section's URL ``settings`` opens it, so the setting is shown and
    used rather than dropped with the unopened section.
    """
    asked = opened or any(name in st.query_params for name in settings)
    return st.expander(label, expanded=asked, key=key, on_change="rerun")


def wide_and_narrow(name: str):
    """Two places for one chart, as ``(wide, narrow)``: the browser shows the first in a wide main
    column (a projector, a laptop) and the second in a narrow one (a phone, a narrow window); see
    ui/page/style.py. Both are drawn, so only charts go in them, never widgets."""
    return st.container(key=f"wide_{name}"), st.container(key=f"narrow_{name}")


def scrolling_frame(name: str, hint: str, from_end: bool = False):
    """A frame a chart wider than the column scrolls in sideways, with ``hint`` (which way to swipe)
    shown above it on a phone; ``from_end``: it opens at its right end (the last position)."""
    with st.container(key=f"scroll_hint_{name}"):
        st.caption(hint)
    return st.container(key=f"scroll_{'end' if from_end else 'start'}_{name}")
