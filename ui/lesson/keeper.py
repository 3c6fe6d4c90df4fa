"""Where the teacher's lesson is kept: the plan being built and the position being presented.

One small seam. Without a class both live in this session (a reload starts afresh, so the plan is
downloadable). While a class runs they belong in the class store under the teacher's key, so a
reload or another device finds them and the students follow: the plan as its TOML text
(``ClassStore.save_plan`` / ``load_plan`` with ``plan_to_toml`` / ``read_plan``), the position as
the class's current step (``ClassStore.set_step(key, index=position.index, page=position.page,
settings=position.query)``; a bundled plan's marker rides in the settings, so its name comes
back too). :class:`ClassKeeper` implements the same four methods, and :func:`lesson_keeper`
returns it while this session teaches a class. It also keeps everything in the session, which a
read falls back on while the class's database cannot be reached.
"""

from __future__ import annotations

from typing import Protocol

import streamlit as st

from classroom import ClassroomError
from classroom.plans import Plan, PlanError, plan_to_toml, read_plan
from classroom.presenting import Position, class_position
from ui import journey
from ui.classroom import membership
from ui.server.classroom import class_store
from ui.url_settings import CATALOGUE

NEW_PLAN = Plan("My lesson", 20)
PLAN_KEY, POSITION_KEY = "lesson_plan", "lesson_position"  # session keys (no widget uses them)


class LessonKeeper(Protocol):
    def plan(self) -> Plan:
        """The teacher's plan (a new, empty one at first)."""

    def keep_plan(self, plan: Plan) -> None:
        """Keep an edited plan; a presentation of it follows the edit."""

    def position(self) -> Position | None:
        """Where the presented plan is (None: nothing is presented)."""

    def keep_position(self, position: Position | None) -> None:
        """Move the presentation (None: stop presenting)."""


class SessionKeeper:
    """The lesson kept in this browser session."""

    def plan(self) -> Plan:
        return st.session_state.get(PLAN_KEY, NEW_PLAN)

    def keep_plan(self, plan: Plan) -> None:
        st.session_state[PLAN_KEY] = plan
        position = self.position()
        if position is not None and not position.name:  # the teacher's own plan is being presented
            self.keep_position(position.within(plan))

    def position(self) -> Position | None:
        return st.session_state.get(POSITION_KEY)

    def keep_position(self, position: Position | None) -> None:
        st.session_state[POSITION_KEY] = position


_READ_KEY = "_class_plan_read"  # (TOML text, plan): the class's plan, parsed once per change
_STOPPED_KEY = "_class_stopped_at"  # the step version at which this teacher stopped presenting


class ClassKeeper(SessionKeeper):
    """The lesson of the class this session teaches, kept in the class store under its teacher
    key: a reload, or the resume link on another device, finds the plan and the step again."""

    def __init__(self, found: membership.Member) -> None:
        self.found = found

    def plan(self) -> Plan:
        try:
            text = class_store().load_plan(self.found.teacher_key)
        except ClassroomError:
            text = None
        if text is None:  # nothing saved yet (or no database): the plan made before the class
            return super().plan()
        read = st.session_state.get(_READ_KEY)
        if read is None or read[0] != text:
            try:
                read = (text, read_plan(text.encode("utf-8"), CATALOGUE))
            except PlanError:  # saved by another version of the app: the session's plan
                return super().plan()
            st.session_state[_READ_KEY] = read
        return read[1]

    def keep_plan(self, plan: Plan) -> None:
        self._save_plan(plan)
        position = self.position()
        if position is not None and not position.name:  # the class follows the edit
            self.keep_position(position.within(plan))

    def _save_plan(self, plan: Plan) -> None:
        st.session_state[PLAN_KEY] = plan
        text = plan_to_toml(plan)
        if self._saved(lambda store: store.save_plan(self.found.teacher_key, text)):
            st.session_state[_READ_KEY] = (text, plan)

    def position(self) -> Position | None:
        try:
            step = class_store().current_step(self.found.code)
        except ClassroomError:
            return super().position()
        if step is None or st.session_state.get(_STOPPED_KEY) == step.version:
            return None
        return class_position(step.index, step.settings, self.plan(), journey.PLANS)

    def keep_position(self, position: Position | None) -> None:
        super().keep_position(position)
        if position is None:  # the class stays on its step; this teacher's bar goes until the next move
            try:
                step = class_store().current_step(self.found.code)
            except ClassroomError:
                return
            st.session_state[_STOPPED_KEY] = step.version if step else None
            return
        st.session_state.pop(_STOPPED_KEY, None)
        saved = st.session_state.get(_READ_KEY)
        if not position.name and (saved is None or saved[1] != position.plan):  # a reload finds it
            self._save_plan(position.plan)
        key, index, page, query = self.found.teacher_key, position.index, position.page, position.query
        self._saved(lambda store: store.set_step(key, index=index, page=page, settings=query))

    @staticmethod
    def _saved(write) -> bool:
        """Run a write on the store; a refusal becomes the class panel's sentence."""
        try:
            write(class_store())
        except ClassroomError as error:
            membership.say(str(error))
            return False
        return True


def lesson_keeper() -> LessonKeeper:
    """The keeper of this session's lesson: the class's while this session teaches one."""
    found = membership.member()
    if found is not None and found.is_teacher:
        return ClassKeeper(found)
    return SessionKeeper()
