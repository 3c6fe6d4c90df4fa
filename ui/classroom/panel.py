"""The class panel above every page, and the app's one polling path.

Outside a class the panel draws nothing (or the join form of a join link) and nothing polls. In a
class it is one fragment that reruns every :data:`POLL_SECONDS` on its own, never the page under
it: each tick is one cheap poll of the store (``ClassStore.poll`` for a student, ``teacher_poll``
for the teacher: the current question, its state, the student's answer or the teacher's count,
and the lesson step's version, in one query). The question's spec and a reveal are read once per
server (ui/cache/classroom.py); a tick redraws them from there.

Another kind of change rides on the same tick: every function in :data:`WATCHERS` is called with
the previous poll (None on the first tick of a session) and the new one, before the panel is
drawn. Following the teacher's lesson step is one (ui/classroom/follow.py): its version is already
in every poll (``Poll.step_version``), so following costs no extra query until the teacher moves.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from classroom import ClassroomUnavailable, NotAllowed, NotFound, Poll
from ui.cache.classroom import question_spec, revealed, store_name
from ui.classroom import membership
from ui.classroom.answer import answer_form, question_text, refusal
from ui.classroom.ask import forget_offered
from ui.classroom.board import join_board
from ui.classroom.findings import findings_inbox
from ui.classroom.follow import follow_teacher, following_bar
from ui.classroom.join import join_form
from ui.classroom.reveal import reveal_view
from ui.page.layout import metric_row
from ui.page.settings import presenter_mode
from ui.server.classroom import class_store

POLL_SECONDS = 1.5  # a question or a reveal reaches every screen within this, plus one poll and a redraw
POLL_KEY = "_class_poll"  # the session's last poll
Watcher = Callable[[Poll | None, Poll], None]
WATCHERS: list[Watcher] = [follow_teacher]  # called on every tick with (previous poll, this poll)
CLASS_ENDED = "The class has ended: the teacher closed it, or it expired. The lessons go on without it."


def class_panel() -> None:
    """Above the page: a notice, the join form of a join link, or (in a class) the polling panel."""
    forget_offered()
    notice = membership.take_notice()
    if notice:
        st.info(notice, icon=":material/school:")
    if membership.member() is None:
        code = membership.pending_code()
        if code:
            join_form(code, "panel")
        return
    st.fragment(_tick, run_every=POLL_SECONDS)()


def _poll(found: membership.Member) -> Poll:
    store = class_store()
    return store.teacher_poll(found.teacher_key) if found.is_teacher else store.poll(found.student_id)


def _tick() -> None:
    """One poll, the watchers, then the panel for this session's role."""
    found = membership.member()
    if found is None:  # left the class a moment ago
        return
    try:
        poll = _poll(found)
    except (NotFound, NotAllowed):
        membership.leave()
        membership.say(CLASS_ENDED)
        st.rerun()  # the whole app: the panel goes, and the polling with it
    except ClassroomUnavailable as error:
        st.warning(str(error), icon=":material/cloud_off:")
        return
    previous = st.session_state.get(POLL_KEY)
    st.session_state[POLL_KEY] = poll
    for watch in WATCHERS:
        watch(previous, poll)
    with st.container(border=True):
        if found.is_teacher:
            teacher_view(found, poll)
            findings_inbox(found)
        else:
            following_bar(found.student_id)
            student_view(poll, previous)


def _question(poll: Poll) -> tuple[str, dict]:
    return question_spec(store_name(), poll.question_id)


def student_view(poll: Poll, previous: Poll | None) -> None:
    """What a student sees: the open question and their answer, the wait, then the reveal."""
    if poll.question_id is None:
        st.caption(f"Class **{poll.code}**: the teacher's questions appear here.")
        return
    moved = previous is not None and (previous.question_id, previous.state) != (poll.question_id, poll.state)
    if moved and poll.state in ("open", "revealed"):
        st.toast(
            "A question from the teacher" if poll.state == "open" else "The answers are revealed",
            icon=":material/front_hand:",
        )
    kind, spec = _question(poll)
    question_text(kind, spec)
    if poll.state == "open":
        answer_form(poll.question_id, kind, spec, poll.own_answer)
        return
    yours = f"Your answer: **{poll.own_answer}**." if poll.own_answer else "You did not answer this one."
    if poll.state == "closed":
        refusal(poll.question_id)  # an answer sent just after the teacher closed the question
        st.markdown(f"The teacher has closed the question. {yours} The class's answers appear at the reveal.")
        return
    st.markdown(yours)
    reveal_view(poll.question_id, kind, spec, revealed(store_name(), poll.question_id))


TEACHER_SAID = "_class_teacher_said"  # why the teacher's last click failed, until the next one works


def _act(action: str, key: str, question_id: int) -> None:
    st.session_state.pop(TEACHER_SAID, None)
    try:
        getattr(class_store(), action)(key, question_id)
    except (ClassroomUnavailable, NotAllowed, NotFound) as error:
        st.session_state[TEACHER_SAID] = str(error)


def teacher_view(found: membership.Member, poll: Poll) -> None:
    """What the teacher sees (and projects): how to join, the question and only its count of
    answers while it is open, then the reveal."""
    students = class_store().student_count(found.teacher_key)
    top = st.container(horizontal=True, vertical_alignment="center")
    top.markdown(f"Class **{poll.code}** · {students} {'student' if students == 1 else 'students'} joined")
    asked = poll.question_id is not None
    # shown until the first question, then folded (another key: the teacher may show it again)
    if top.toggle("Show how to join", value=not asked, key=f"_class_show_join_{asked}"):
        join_board(poll.code, "projector" if presenter_mode() else "page")
    if not asked:
        st.caption(
            "Ask a question with **Ask the class** under a chart: every student sees it within seconds."
        )
        return
    kind, spec = _question(poll)
    question_text(kind, spec)
    if poll.state == "revealed":
        reveal_view(poll.question_id, kind, spec, revealed(store_name(), poll.question_id))
        return
    row = metric_row()
    row.metric(
        "Answers so far" if poll.state == "open" else "Answers (closed)",
        f"{poll.answers} of {students}",
        width="content",
    )
    buttons = st.container(horizontal=True)
    if poll.state == "open":
        buttons.button(
            "Close the question",
            key=f"_class_close_{poll.question_id}",
            on_click=_act,
            args=("close", found.teacher_key, poll.question_id),
        )
    buttons.button(
        "Reveal",
        key=f"_class_reveal_button_{poll.question_id}",
        type="primary",
        on_click=_act,
        args=("reveal", found.teacher_key, poll.question_id),
    )
    st.caption("While the question is open you see only how many answered, so nobody is swayed.")
    if st.session_state.get(TEACHER_SAID):
        st.warning(st.session_state[TEACHER_SAID], icon="⚠️")
