"""My lesson: the teacher's plan of views, built from the pages, kept as a file, presented step by step."""

import streamlit as st

from ui.lesson.editor import plan_header, steps_editor
from ui.lesson.files import download_button, open_plan_file, ready_made_lessons
from ui.lesson.keeper import lesson_keeper

st.title("My lesson")
st.markdown(
    "Open a lesson page, set it up as the class should see it, and press **Add this view to my "
    "lesson** in the sidebar: the page and its settings become the next step. Present the steps with "
    "◀ ▶ above the page, or a presentation clicker's Page Up and Page Down."
)
plan_header()
steps_editor()

st.subheader("Files")
download_button(lesson_keeper().plan())
open_plan_file()

st.subheader("Ready-made lessons")
ready_made_lessons()
