"""Semantic Geometry Explorer: how a language model turns tokens into vectors and relates them."""

import streamlit as st

from ui import journey
from ui.models import start_background_warm_up
from ui.page import PRESENTER_KEY, presenter_mode, say_ignored_url_settings, url_settings

st.set_page_config(page_title="Semantic Geometry Explorer", page_icon="📐", layout="wide")

pages = [
    st.Page(
        lesson.path,
        title=lesson.title,
        icon=lesson.icon,
        url_path=lesson.url_path,
        default=lesson is journey.HOME,
    )
    for lesson in [journey.HOME, *journey.LESSONS]
]
navigation = st.navigation(pages)

with st.sidebar:
    st.toggle(
        "Presenter mode",
        key=PRESENTER_KEY,
        help="Larger type and fewer controls, for a projector.",
    )
if presenter_mode():
    st.html(
        "<style>html, .stMarkdown p, .stMarkdown li {font-size: 1.3rem;}"
        " h1 {font-size: 3rem;} [data-testid='stCaptionContainer'] {font-size: 1.1rem;}</style>"
    )

asked = url_settings()  # read before the page runs: its widgets rewrite the URL
url_notice = st.empty()  # above the page: where an ignored link setting is named
try:
    navigation.run()
finally:  # also when the page stopped early (st.stop) for want of a model or an input
    say_ignored_url_settings(asked, url_notice)
    start_background_warm_up()  # after the first page is drawn, so that page does not wait on it
