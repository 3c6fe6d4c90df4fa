"""The presenter bar: ◀ step 3 of 12 ▶ and the step's title above the page, while a plan is presented.

One row, so a 1024x768 projector keeps the step's key moment on its first screen: big buttons for a
touch screen, Page Up / Page Down for a presentation clicker, the teacher's note folded behind a
button (the room does not read the answer before it is asked), ↩ to return to the step after
wandering to another page, ✕ to stop. Titles and notes are shown as plain text, never Markdown.
"""

from __future__ import annotations

import streamlit as st

from classroom.plans import PlanError
from classroom.presenting import PLAN_PARAMETER, STEP_PARAMETER, Position, position_from_query
from ui import journey
from ui.lesson.keeper import lesson_keeper
from ui.lesson.navigate import ARRIVED, STEP_PAGE, present
from ui.page.links import url_settings

ARRIVALS = "lesson_arrivals"  # session key: steps arrived at, to number the scroll script

# One compact row of touch-sized buttons (44 px); the title takes the room that is left and wraps. The
# keys' names (Page Up, Page Down) are in the buttons' tooltips, not printed in the buttons.
BAR_STYLE = """<style>
.st-key-lesson_bar {gap: 0.5rem; padding-bottom: 0.3rem; border-bottom: 1px solid rgba(128,128,128,0.35);}
.st-key-lesson_bar button {min-height: 2.75rem; min-width: 3.25rem;}
.st-key-lesson_bar button p {font-size: 1.1rem;}
:is(.st-key-lesson_previous, .st-key-lesson_next, .st-key-lesson_back, .st-key-lesson_stop) button p {
  font-size: 1.4rem; line-height: 1;}
.st-key-lesson_bar kbd {display: none;}
.st-key-lesson_bar [data-testid='stText'] {font-size: 1.25rem; line-height: 1.3;}
.st-key-lesson_counter [data-testid='stText'] {font-weight: 700; white-space: nowrap;}
@media (max-width: 640px) {  /* a phone: the buttons on one row (the note's icon alone), the title below */
  .st-key-lesson_bar {gap: 0.4rem;}
  .st-key-lesson_bar button {min-width: 2.75rem;}
  .st-key-lesson_bar [data-testid='stPopoverButton'] [data-testid='stMarkdownContainer'] {display: none;}
  .st-key-lesson_bar > :has(.st-key-lesson_title) {order: 1; flex: 1 1 100%;}
}
</style>"""


# A step opens at the top of its page, bar and title in view. But Streamlit keeps the scroll of a
# page drawn again, and its tabs scroll the chosen tab into view (smoothly, whenever it changes): on
# a phone, where the tabs are far down, a step choosing a tab would open half-way down the page. So
# after arriving the page is held at its top until the reader scrolls, touches, clicks or types
# (or for a minute at most).
TO_THE_TOP = """<script>
(() => {
  const main = document.querySelector("[data-testid='stMain']");
  let touched = false, ticks = 0;
  for (const event of ["wheel", "touchstart", "pointerdown", "keydown"]) {
    window.addEventListener(event, () => { touched = true; }, {once: true, capture: true});
  }
  const top = () => { if (!touched) { main?.scrollTo(0, 0); window.scrollTo(0, 0); } };
  top();
  main?.addEventListener("scroll", top);
  const hold = setInterval(() => {
    top();
    if (touched || ++ticks >= 300) {
      clearInterval(hold);
      main?.removeEventListener("scroll", top);
    }
  }, 200);
})();
</script>"""


def presenter_bar(page: str, teacher: bool = True) -> None:
    """The bar for the presented plan, if any, on the page ``page`` (its url path). A link that
    names a ready-made plan's step (the journey on Start here) starts presenting it. The note is
    for the teacher only (a class's students follow without it)."""
    keeper = lesson_keeper()
    try:
        linked = position_from_query(url_settings(), journey.PLANS)
    except PlanError as error:  # a link to a plan or step that is not here: say so, present nothing
        st.info(str(error), icon="🔗")
        linked = None
    if linked is not None and linked != keeper.position():
        keeper.keep_position(linked)
    position = keeper.position()
    if position is None:
        return
    st.html(BAR_STYLE)
    if page != STEP_PAGE and st.session_state.pop(ARRIVED, False):
        # our own script (no text of a plan in it), numbered per arrival: the browser keeps an element
        # that did not change, so two steps on one page in a row would otherwise not run it again
        arrival = st.session_state[ARRIVALS] = st.session_state.get(ARRIVALS, 0) + 1
        script = TO_THE_TOP.replace("<script>", f"<script>/* arrival {arrival} */", 1)
        st.html(script, unsafe_allow_javascript=True)
    with st.container(key="lesson_bar", horizontal=True, vertical_alignment="center"):
        _moves(position)
        with st.container(key="lesson_title"):
            st.text(position.step.title)
        if position.page != page and st.button("↩", key="lesson_back", help="Back to this step's view"):
            present(position)
        if teacher and position.step.note:
            with st.popover("Note", icon=":material/sticky_note_2:", help="The note for this step"):
                st.text(position.step.note)
        if st.button("✕", key="lesson_stop", help="Stop presenting this plan"):
            stop_presenting()


def _moves(position: Position) -> None:
    first, last = position.index == 0, position.number == position.count
    if st.button("◀", key="lesson_previous", shortcut="PageUp", disabled=first, help="Step back (Page Up)"):
        present(position.moved(-1))
    with st.container(key="lesson_counter", width="content"):
        st.text(f"Step {position.number} of {position.count}")
    if st.button("▶", key="lesson_next", shortcut="PageDown", disabled=last, help="Next step (Page Down)"):
        present(position.moved(1))


def stop_presenting() -> None:
    """Stop presenting: the bar goes, and so does the plan's step in the address."""
    lesson_keeper().keep_position(None)
    for key in (PLAN_PARAMETER, STEP_PARAMETER):
        st.query_params.pop(key, None)
    st.rerun()
