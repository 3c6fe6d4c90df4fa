"""The lesson pages in order, and the journey of one token that links them."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class Step:
    """One step of a token's journey, and the lesson (with its settings) that shows it."""

    name: str
    what: str
    lesson: str  # url_path of the lesson
    settings: tuple[tuple[str, str], ...] = ()  # widget key → value, sent as URL query parameters

    @property
    def query(self) -> dict[str, str]:
        return dict(self.settings)


JOURNEY: list[Step] = [
    Step("token", "Text is cut into tokens, each with an id.", "trace"),
    Step(
        "vector", "Each id selects a row of the embedding matrix.", "dot-products", (("dp_source", "static"),)
    ),
    Step(
        "dot product",
        "Multiply matching numbers and add: how much two vectors agree.",
        "dot-products",
        (("dp_source", "hand-made"),),
    ),
    Step("projection", "Hundreds of dimensions squeezed onto a flat map.", "projections"),
    Step(
        "matrix multiply",
        "Many dot products at once turn vectors into queries, keys and values.",
        "trace",
        (("tr_tab", "Cost"),),
    ),
    Step(
        "attention",
        "Each token weighs the earlier tokens by q·k and mixes their values.",
        "trace",
        (("tr_tab", "Attention"),),
    ),
    Step("layers", "Block after block, the vector of a word takes on its context.", "context"),
    Step(
        "logits",
        "The last vector is scored against every vocabulary row.",
        "trace",
        (("tr_tab", "Next token"),),
    ),
    Step(
        "probabilities",
        "Softmax turns scores into a distribution over next tokens.",
        "trace",
        (("tr_tab", "Sampling lab"),),
    ),
    Step(
        "chosen token",
        "Greedy or sampled, one token is picked, appended, and the loop repeats.",
        "trace",
        (("tr_tab", "Generate"),),
    ),
    Step("learning", "Gradients nudged all these vectors into place during training.", "learning"),
]


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
