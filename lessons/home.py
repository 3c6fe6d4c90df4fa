"""Start here: the journey of one token, and where each step is shown."""

import streamlit as st

from classroom.presenting import Position
from geometry.models.loading import model_sources
from ui import journey
from ui.page.frames import wide_and_narrow

st.title("Semantic Geometry Explorer")
st.markdown(
    "A language model never sees words. It sees **vectors**, long lists of numbers, and it "
    "relates them with one operation repeated billions of times: the **dot product**. "
    "These pages follow a token through a real model, with the real numbers, from the moment "
    "it becomes a vector to the moment the model picks the next token."
)

# Two rows on a projector or a laptop, two boxes a row on a phone (the browser shows the one that fits).
steps = [step.title.lower() for step in journey.JOURNEY[:-1]]
wide, narrow = wide_and_narrow("journey")
wide.graphviz_chart(journey.journey_graph(steps), width="stretch")
narrow.graphviz_chart(journey.journey_graph(steps, per_row=2, font_size=24), width="stretch")

lessons = {lesson.url_path: lesson for lesson in journey.LESSONS}
st.subheader("The journey, step by step")
plan = journey.PLANS[journey.JOURNEY_PLAN]
for index, step in enumerate(journey.JOURNEY):
    left, right = st.columns([1, 3])
    lesson = lessons[step.page]
    # The link opens the step's page with its settings, presenting the journey from there (◀ ▶).
    where = Position(plan, index, journey.JOURNEY_PLAN).query
    left.page_link(lesson.path, label=step.title, icon=lesson.icon, query_params=where)
    right.text(f"{step.note} ({lesson.title})")

st.subheader("Models")
st.markdown(
    "Everything runs on this computer. The default models come inside Python packages, so the "
    "app works offline; GPT-2 models are offered when the internet is reachable."
)
st.markdown(
    "| model | kind | loads from |\n|---|---|---|\n"
    + "\n".join(f"| {row['model']} | {row['kind']} | {row['source']} |" for row in model_sources())
)
