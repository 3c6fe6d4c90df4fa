"""Presenting a lesson plan: where the lesson is, as one small value, and a step made from a view.

A :class:`Position` is a plan and the index of its current step. Its ``page`` and ``settings`` are
all a page needs to show the step (the lesson's url path and its URL settings), and all a class
publishes as the teacher's current step (``ClassStore.set_step(key, index=position.index,
page=position.page, settings=position.settings)``); a student's page applies them the same way.

A bundled plan has a name (its file's stem, such as ``start_here``), so its position can travel in
an address as ``lesson=start_here&lesson_step=3`` (:meth:`Position.query`,
:func:`position_from_query`): a journey link, a reload or a shared link opens the step with its
presenter bar. The teacher's own plan has no name; the app keeps it (the session, or a class).

:func:`view_step` makes a step from the view a teacher is looking at: the page's url path and its
URL settings, keeping the settings the page's catalogue knows and whose values it accepts, and
nothing else (no class code, no sidebar setting, nothing of this machine or this session).

A class follows its teacher's step with the rules at the end of the module: the teacher's position
read back from the class's step (:func:`class_position`), what a student opens of it
(:func:`step_view`, never the plan's marker), when a student's page must open it
(:func:`needs_opening`), the student's line (:func:`following_line`), and a student's finding
made the lesson's next step (:func:`inserted_after`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

from classroom.plans import (
    MAX_TITLE_CHARS,
    PageSettings,
    Plan,
    PlanError,
    SettingValue,
    Step,
    add_step,
    echo,
    text_problem,
)

PLAN_PARAMETER = "lesson"  # a bundled plan's name in the address
STEP_PARAMETER = "lesson_step"  # its step, counted from 1
QueryValue = str | list[str]


@dataclass(frozen=True)
class Position:
    """A plan being presented, at the step ``index`` (0-based); ``name`` is a bundled plan's name
    ("" for the teacher's own plan, which no address can carry)."""

    plan: Plan
    index: int
    name: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.index < len(self.plan.steps):
            raise IndexError(f"no step {self.index} in a plan of {len(self.plan.steps)} steps")

    @property
    def step(self) -> Step:
        return self.plan.steps[self.index]

    @property
    def number(self) -> int:
        """The step counted from 1, as the presenter bar says it ("step 3 of 12")."""
        return self.index + 1

    @property
    def count(self) -> int:
        return len(self.plan.steps)

    @property
    def page(self) -> str:
        return self.step.page

    @property
    def settings(self) -> dict[str, QueryValue]:
        """The step's URL settings (the page's query parameters), what a class publishes."""
        return self.step.query

    @property
    def query(self) -> dict[str, QueryValue]:
        """The address's query for this step: its settings and, for a bundled plan, where it is.

        >>> plan = Plan("L", 5, steps=(Step("trace", "A", settings=(("tr_tab", "Attention"),)),))
        >>> Position(plan, 0, "start_here").query
        {'tr_tab': 'Attention', 'lesson': 'start_here', 'lesson_step': '1'}
        """
        marker = {PLAN_PARAMETER: self.name, STEP_PARAMETER: str(self.number)} if self.name else {}
        return self.settings | marker

    def moved(self, by: int) -> Position:
        """The position ``by`` steps on (back when negative), kept within the plan."""
        return dataclasses.replace(self, index=min(max(self.index + by, 0), self.count - 1))

    def within(self, plan: Plan) -> Position | None:
        """The same place in an edited version of the plan (None when it has no step left)."""
        if not plan.steps:
            return None
        return dataclasses.replace(self, plan=plan, index=min(self.index, len(plan.steps) - 1))


def position_from_query(query: Mapping[str, QueryValue], plans: Mapping[str, Plan]) -> Position | None:
    """The bundled plan's position an address names (None when it names none); PlanError with a
    sentence when it names a plan or a step that does not exist.

    >>> plans = {"start_here": Plan("Start", 5, steps=(Step("home", "A"), Step("trace", "B")))}
    >>> position_from_query({"lesson": "start_here", "lesson_step": "2"}, plans).page
    'trace'
    >>> position_from_query({"tr_tab": "Cost"}, plans) is None
    True
    """
    name, number = _last(query.get(PLAN_PARAMETER)), _last(query.get(STEP_PARAMETER))
    if name is None and number is None:
        return None
    plan = plans.get(name or "")
    if plan is None or not plan.steps:
        raise PlanError(
            f"This link names a lesson plan {echo(name or '')} that is not here; the plans are: "
            f"{', '.join(plans)}."
        )
    if number is None or not re.fullmatch(r"[1-9]\d{0,4}", number) or int(number) > len(plan.steps):
        raise PlanError(
            f"This link names step {echo(number or '')} of the plan {echo(plan.title, 80)}, which has steps "
            f"1 to {len(plan.steps)}."
        )
    return Position(plan, int(number) - 1, name or "")


def _last(value: QueryValue | None) -> str | None:
    if isinstance(value, list):
        return value[-1] if value else None
    return value


# ------------------------------------------------------------------------------ a class that follows


def class_position(
    index: int, settings: Mapping[str, QueryValue], plan: Plan, plans: Mapping[str, Plan]
) -> Position | None:
    """The teacher's position from the class's current step (``ClassStore.current_step``): the
    bundled plan's step its settings name (:meth:`Position.query` keeps the marker), or else step
    ``index`` of the teacher's own ``plan`` (its last, should the plan have lost steps since).

    >>> own = Plan("Mine", 5, steps=(Step("home", "A"), Step("trace", "B")))
    >>> class_position(7, {}, own, {}).index
    1
    >>> class_position(0, {}, Plan("Empty", 5), {}) is None
    True
    """
    try:
        named = position_from_query(settings, plans)
    except PlanError:
        named = None
    if named is not None:
        return named
    if not plan.steps:
        return None
    return Position(plan, min(index, len(plan.steps) - 1))


def step_view(settings: Mapping[str, QueryValue]) -> dict[str, QueryValue]:
    """What a following student opens of the class's step: its page settings, without a bundled
    plan's marker (which would give the student the teacher's presenter bar).

    >>> step_view({"tr_tab": "Attention", "lesson": "start_here", "lesson_step": "3"})
    {'tr_tab': 'Attention'}
    """
    return {key: value for key, value in settings.items() if key not in (PLAN_PARAMETER, STEP_PARAMETER)}


def needs_opening(opened_version: int | None, step_version: int) -> bool:
    """Whether a following student's page must open the class's step: there is one (version 1 or
    more) and it is not the version this session opened last (None: none yet, a student who just
    joined or reloaded).

    >>> needs_opening(None, 0), needs_opening(None, 4), needs_opening(4, 4), needs_opening(4, 5)
    (False, True, False, True)
    """
    return step_version > 0 and step_version != opened_version


def following_line(number: int, count: int, title: str) -> str:
    """What a following student reads above the page.

    >>> following_line(3, 12, "Attention")
    'Following the teacher · step 3 of 12: Attention'
    >>> following_line(3, 0, "")
    'Following the teacher · step 3'
    """
    where = f"step {number} of {count}" if count >= number else f"step {number}"
    return f"Following the teacher · {where}" + (f": {title}" if title else "")


def inserted_after(position: Position | None, plan: Plan, step: Step) -> Position:
    """The lesson with ``step`` inserted just after the presented one, and presented: the
    presented plan (``plan``, the teacher's own, when nothing is presented: at its end). A bundled
    plan becomes the teacher's own. PlanError (a sentence) when the plan is full.

    >>> own = Plan("Mine", 5, steps=(Step("home", "A"), Step("trace", "B")))
    >>> shown = inserted_after(Position(own, 0), own, Step("context", "Found"))
    >>> [step.title for step in shown.plan.steps], shown.index
    (['A', 'Found', 'B'], 1)
    """
    base, at = (plan, len(plan.steps)) if position is None else (position.plan, position.index + 1)
    return Position(add_step(base, step, at), at)


# ------------------------------------------------------------------------------ a view as a step

# Settings whose value best names a view, by their label, in this order ("Inside the model · Attention").
_NAMING_LABELS = ("Tab", "Lesson preset", "What to map", "Vectors", "Method")


def view_step(
    page: str, query: Mapping[str, QueryValue], catalogue: Mapping[str, PageSettings], title: str = ""
) -> tuple[Step, list[str]]:
    """The step that shows this view: the page's url path and the URL settings its catalogue knows
    and accepts, in the catalogue's order; and the labels of the settings left out (a value the
    catalogue would refuse). Every other query parameter (a class code, the sidebar's settings, a
    lesson's marker) is not part of a view. ``title`` defaults to the page's title and its tab or preset.

    PlanError when the page is not a lesson page.
    """
    known = catalogue.get(page)
    if known is None:
        raise PlanError(f"This page cannot be a step of a lesson; the pages are: {', '.join(catalogue)}.")
    settings: list[tuple[str, SettingValue]] = []
    left_out = []
    for key, setting in known.settings.items():
        if key not in query:
            continue
        asked = query[key]
        values = tuple(asked) if isinstance(asked, list) else (asked,)
        if setting.values == (1, 1) and len(values) > 1:
            values = values[-1:]  # a repeated key: the page reads the last
        if setting.problem(values) is not None:
            left_out.append(setting.label)
            continue
        settings.append((key, values[0] if setting.values == (1, 1) else values))
    step = Step(page, title.strip() or view_title(known, settings), settings=tuple(settings))
    return step, left_out


def view_title(page: PageSettings, settings: list[tuple[str, SettingValue]]) -> str:
    """A title for a new step: the page's title and the value of its naming setting, if set."""
    by_label = {page.settings[key].label: value for key, value in settings if isinstance(value, str)}
    named = next((by_label[label] for label in _NAMING_LABELS if label in by_label), "")
    title = f"{page.title} · {named}" if named else page.title
    if text_problem(title, MAX_TITLE_CHARS, one_line=True) is not None:  # an odd value: the page alone
        return page.title
    return title
