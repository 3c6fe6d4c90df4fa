"""Semantic Geometry Explorer: how a language model turns tokens into vectors and relates them."""

import os

# Idle OpenMP workers sleep rather than spin. When the machine's other cores are busy (a shared
# server, thirty sessions, a neighbour's job), spinning workers sometimes made torch's two-thread
# trace 14x slower than one thread; sleeping ones keep it near the one-thread time and cost little
# on a quiet machine (`make benchmark`, section "threads"). libgomp reads this once, when torch is
# first imported, so the app sets it here, before any import that reaches torch. A value already in
# the environment wins. The library (geometry) itself changes no environment variable.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import streamlit as st  # noqa: E402

from ui import journey  # noqa: E402
from ui.classroom.findings import send_to_teacher  # noqa: E402
from ui.classroom.panel import class_panel  # noqa: E402
from ui.classroom.sidebar import class_sidebar  # noqa: E402
from ui.lesson.bar import presenter_bar  # noqa: E402
from ui.lesson.navigate import STEP_PAGE, open_deferred_view, step_page  # noqa: E402
from ui.lesson.sidebar import add_view_button  # noqa: E402
from ui.page.links import link_opened, say_unused_url_settings, url_settings  # noqa: E402
from ui.page.settings import CLASSROOM_KEY, PRESENTER_KEY, presenter_mode  # noqa: E402
from ui.page.style import PAGE_STYLE, PRESENTER_STYLE  # noqa: E402
from ui.server.altair_speed import speed_up_altair  # noqa: E402
from ui.server.warm_up import start_background_warm_up  # noqa: E402

speed_up_altair()  # the app's choice for its own process (the library leaves Altair alone): once, idempotent

# Presenter mode is decided before anything is drawn: a projector needs the whole width, so the
# sidebar starts folded away (its toggle is still there to turn the mode off).
st.set_page_config(
    page_title="Semantic Geometry Explorer",
    page_icon="📐",
    layout="wide",
    initial_sidebar_state="collapsed" if presenter_mode() else "auto",
)

pages = [
    st.Page(
        lesson.path,
        title=lesson.title,
        icon=lesson.icon,
        url_path=lesson.url_path,
        default=lesson is journey.HOME,
    )
    for lesson in [journey.HOME, *journey.LESSONS, journey.PLANNER]
]
navigation = st.navigation([*pages, step_page()])
page = navigation.url_path or journey.HOME.url_path  # the default page's url path is ""
open_deferred_view()  # a step the class panel's fragment opened (a student following the teacher)
if page == STEP_PAGE:  # the hidden page only hands a step on to its page: nothing is drawn around it
    link_opened(page)  # so the step's page counts as opened, as by a link
    navigation.run()  # ends this run (st.switch_page); the sidebar's settings stay as they are

with st.sidebar:
    st.toggle(
        "Presenter mode",
        key=PRESENTER_KEY,
        bind="query-params",  # kept in the URL: a reload or a shared link stays in presenter mode
        help="Larger type, larger charts and fewer controls, for a projector.",
    )
    st.toggle(
        "Classroom-safe lists",
        value=True,
        key=CLASSROOM_KEY,
        bind="query-params",
        help="Tokens found in a list of offensive words are shown as ▒▒▒ in word lists, "
        "next-token bars and generated text. Numbers and ranks never change.",
    )
    class_sidebar()  # start, join or resume a class (reads the class parameters of the URL first)
    add_view_button(page)
    send_to_teacher(page)  # a class's student: this view and a note to the teacher's inbox
st.html(PRESENTER_STYLE if presenter_mode() else PAGE_STYLE)

# A link's settings, read before the page runs (its widgets rewrite the URL), on the run that opens it only.
asked = url_settings() if link_opened(navigation.url_path) else {}
presenter_bar(page)  # while a lesson plan is presented: ◀ step 3 of 12 ▶ above the page
url_notice = st.empty()  # above the page: where a link setting the page could not use is named
class_panel()  # the class's question and reveal, polled in a fragment (never the page) while in a class
try:
    navigation.run()
finally:  # also when the page stopped early (st.stop) for want of a model or an input
    if asked:
        say_unused_url_settings(asked, navigation.url_path, url_notice)
    start_background_warm_up()  # after the first page is drawn, so that page does not wait on it
