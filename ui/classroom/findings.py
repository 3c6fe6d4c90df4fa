"""Findings: a student sends the view on their screen to the teacher, who may show it to the class.

**Send to the teacher** (the sidebar, for a class's students, on every lesson page) sends the page
and its URL settings, read as "Add this view" reads them (``ui.lesson.sidebar.current_view``), with
a one-line note that the store masks and limits. The teacher's class panel shows the inbox: how
many findings are new, and the list folded (nickname, page, note). **Show on the projector** makes
a finding the lesson's next step and presents it, so every following student opens it too.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from classroom import ClassroomError
from classroom.plans import PlanError, Step
from classroom.presenting import inserted_after, view_step
from ui.classroom import membership
from ui.lesson.keeper import lesson_keeper
from ui.lesson.navigate import present
from ui.lesson.sidebar import current_view
from ui.server.classroom import class_store
from ui.url_settings import CATALOGUE

NOTE_BOX = "_class_finding_note"
SENT_KEY = "_class_finding_said"  # (kind, sentence) after the last click of Send to the teacher
SHOWN_KEY = "_class_findings_shown"  # the finding ids this teacher has shown on the projector
INBOX_SAID = "_class_inbox_said"  # why the last Show on the projector failed


def _send(student_id: str, page: str) -> None:
    """Send the view on screen with the note; keep the store's sentence (the note stays in its box)."""
    step, _ = current_view(page)
    try:
        class_store().send_finding(
            student_id, page=step.page, settings=step.query, note=st.session_state.get(NOTE_BOX, "")
        )
    except ClassroomError as error:
        st.session_state[SENT_KEY] = ("error", str(error))
        return
    st.session_state[SENT_KEY] = ("success", f"Sent to the teacher: {step.title}.")
    st.session_state[NOTE_BOX] = ""


def send_to_teacher(page: str) -> None:
    """In the sidebar of a lesson page (``page``, its url path), for a class's student: a note box
    and **Send to the teacher**."""
    found = membership.member()
    if found is None or found.is_teacher or page not in CATALOGUE:
        return
    with st.form("class_finding", border=False, enter_to_submit=True):
        st.text_input(
            "A note for the teacher (one line)", key=NOTE_BOX, placeholder="What did you find here?"
        )
        st.form_submit_button(
            "Send to the teacher",
            icon=":material/send:",
            on_click=_send,
            args=(found.student_id, page),
            help="Sends this page as you see it now, with your note. The teacher may show it to the class.",
        )
    said = st.session_state.pop(SENT_KEY, None)
    if said is not None:
        kind, sentence = said
        (st.success if kind == "success" else st.error)(sentence)


def finding_step(finding: pd.Series) -> Step:
    """A finding as a lesson step: its view, titled as "Add this view" titles it, and whose it was
    as the step's note. PlanError when its page is not a lesson page."""
    step, _ = view_step(finding["page"], finding["settings"], CATALOGUE)
    who = finding["nickname"] or "a student"
    note = f"Sent by {who}" + (f": {finding['note']}" if finding["note"] else ".")
    return dataclasses.replace(step, note=note)


def show_finding(finding: pd.Series) -> None:
    """Insert the finding after the presented step and present it (the class follows); a full plan
    or an unknown page is a sentence for the inbox."""
    keeper = lesson_keeper()
    try:
        position = inserted_after(keeper.position(), keeper.plan(), finding_step(finding))
    except PlanError as error:
        st.session_state[INBOX_SAID] = str(error)
        return
    st.session_state.setdefault(SHOWN_KEY, set()).add(int(finding["finding_id"]))
    present(position)


def findings_inbox(found: membership.Member) -> None:
    """In the teacher's class panel: how many findings are new (not yet shown), and the list folded."""
    try:
        inbox = class_store().findings(found.teacher_key)
    except ClassroomError:
        return  # the panel's poll says what is wrong with the class
    if inbox.empty:
        return
    shown = st.session_state.get(SHOWN_KEY, set())
    new = sum(int(finding_id) not in shown for finding_id in inbox["finding_id"])
    st.markdown(f"**Findings from students:** {new} new, {len(inbox)} in all")
    with st.expander("Students' findings", icon=":material/inbox:"):
        for _, finding in inbox.iloc[::-1].iterrows():  # the newest first
            _finding_row(finding)
    if st.session_state.get(INBOX_SAID):
        st.warning(st.session_state.pop(INBOX_SAID), icon="⚠️")


def _finding_row(finding: pd.Series) -> None:
    row = st.container(horizontal=True, vertical_alignment="center")
    page = CATALOGUE[finding["page"]].title if finding["page"] in CATALOGUE else finding["page"]
    note = f": {finding['note']}" if finding["note"] else ""
    row.text(f"{finding['nickname'] or 'A student'} · {page}{note}")  # plain text, never Markdown
    if row.button("Show on the projector", key=f"_class_show_finding_{finding['finding_id']}"):
        show_finding(finding)
