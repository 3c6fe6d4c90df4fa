"""The lesson pages in order, the ready-made lesson plans, and the journey of one token (the first plan)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from classroom.plans import Plan, Step, read_plan
from ui.url_settings import CATALOGUE


@dataclass(frozen=True)
class Lesson:
    path: str  # the page script
    title: str
    icon: str
    url_path: str


HOME = Lesson("lessons/home.py", "Start here", ":material/home:", "home")
# The one registry of lesson pages. app.py builds its navigation from it, the home page links to
# it, and every per-lesson test reads it (tests/app/test_hostile_input.py feeds every text box of
# every lesson, tests/e2e renders and photographs every page): registering a lesson here is all
# the tests need. Only a lesson's own interaction check (SPECS in tests/e2e/test_browser.py) is
# written by hand; without one it is skipped with a reason.
LESSONS: list[Lesson] = [
    # Pages are listed here when they work; a lesson page never ships as a stub.
    Lesson("lessons/dot_products.py", "Dot products", ":material/functions:", "dot-products"),
    Lesson("lessons/projections.py", "Projections", ":material/scatter_plot:", "projections"),
    Lesson("lessons/context.py", "Words in context", ":material/layers:", "context"),
    Lesson("lessons/trace.py", "Inside the model", ":material/account_tree:", "trace"),
    Lesson("lessons/learning.py", "Learning", ":material/trending_down:", "learning"),
]
# The teacher's lesson plan: built from views of the lessons, presented step by step (ui/lesson).
PLANNER = Lesson("lessons/my_lesson.py", "My lesson", ":material/playlist_play:", "my-lesson")


# The ready-made lesson plans (lesson_plans/*.toml, read and checked once, at import), by file name:
# the teacher picks one to present. Start here's journey is the first of them: the home page lists
# its steps and links each to its page, and every page reached from it offers the previous and the
# next step (ui/lesson). One file, so the home page and the presented journey can never disagree.
PLAN_FOLDER = Path(__file__).resolve().parents[1] / "lesson_plans"
JOURNEY_PLAN = "start_here"


def _bundled_plans() -> dict[str, Plan]:
    paths = sorted(PLAN_FOLDER.glob("*.toml"), key=lambda path: (path.stem != JOURNEY_PLAN, path.stem))
    return {path.stem: read_plan(path.read_bytes(), CATALOGUE) for path in paths}


PLANS: dict[str, Plan] = _bundled_plans()
JOURNEY: tuple[Step, ...] = PLANS[JOURNEY_PLAN].steps


def journey_graph(steps: list[str], per_row: int | None = None, font_size: int = 18) -> str:
    """The home page's diagram of a token's journey, in Graphviz DOT: the steps as boxes in rows
    (two rows by default: a single row of ten is drawn so small that a projector loses it; two
    boxes a row, in larger type, for a phone), the last step looping back to the first ("appended,
    repeat"). Kept
    beside JOURNEY, with no chart library, so the home page, the first one a visitor waits for,
    imports none.

    >>> journey_graph(["a", "b", "c"]).count("->")  # a -> b, a -> c (hidden), b -> c, c -> a
    4
    >>> journey_graph(["a", "b", "c", "d", "e"], per_row=2).count("rank=same")
    3
    """
    per_row = per_row or (len(steps) + 1) // 2
    rows = [steps[i : i + per_row] for i in range(0, len(steps), per_row)]
    ranks = " ".join("{rank=same; " + " -> ".join(f'"{step}"' for step in row) + "}" for row in rows)
    links = " ".join(
        f'"{upper[0]}" -> "{lower[0]}" [style=invis]; "{upper[-1]}" -> "{lower[0]}" [constraint=false];'
        for upper, lower in zip(rows, rows[1:], strict=False)
    )
    return (
        "digraph { rankdir=TB; bgcolor=transparent; nodesep=0.25; ranksep=0.45; node [shape=box "
        f'style="rounded,filled" fillcolor="#DCEBF7" fontname="Helvetica" fontsize={font_size}]; '
        f"{ranks} {links} "
        f'"{steps[-1]}" -> "{steps[0]}" [label=" appended, repeat" style=dashed constraint=false]; }}'
    )
