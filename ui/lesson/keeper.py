"""Where the teacher's lesson is kept: the plan being built and the position being presented.

One small seam. Without a class both live in this session (a reload starts afresh, so the plan is
downloadable). While a class runs they belong in the class store under the teacher's key, so a
reload or another device finds them and the students follow: the plan as its TOML text
(``ClassStore.save_plan`` / ``load_plan`` with ``plan_to_toml`` / ``read_plan``), the position as
the class's current step (``ClassStore.set_step(key, index=position.index, page=position.page,
settings=position.settings)``). A keeper for a class implements the same four methods, and
:func:`lesson_keeper` returns it while the class runs.
"""

from __future__ import annotations

from typing import Protocol

import streamlit as st

from classroom.plans import Plan
from classroom.presenting import Position

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


def lesson_keeper() -> LessonKeeper:
    """The keeper of this session's lesson."""
    return SessionKeeper()
