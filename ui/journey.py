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
LESSONS: list[Lesson] = [
    # Pages are listed here when they work; a lesson page never ships as a stub.
    Lesson("lessons/dot_products.py", "Dot products", ":material/functions:", "dot-products"),
    Lesson("lessons/projections.py", "Projections", ":material/scatter_plot:", "projections"),
    Lesson("lessons/context.py", "Words in context", ":material/layers:", "context"),
    Lesson("lessons/trace.py", "Inside the model", ":material/account_tree:", "trace"),
    Lesson("lessons/learning.py", "Learning", ":material/trending_down:", "learning"),
]

# (step, what happens, which lesson shows it)
JOURNEY: list[tuple[str, str, str | None]] = [
    ("token", "Text is cut into tokens, each with an id.", "trace"),
    ("vector", "Each id selects a row of the embedding matrix.", "dot-products"),
    (
        "dot product",
        "Multiply matching numbers and add: how much two vectors agree.",
        "dot-products",
    ),
    ("projection", "Hundreds of dimensions squeezed onto a flat map.", "projections"),
    (
        "matrix multiply",
        "Many dot products at once turn vectors into queries, keys and values.",
        "trace",
    ),
    ("attention", "Each token weighs the earlier tokens by q·k and mixes their values.", "trace"),
    ("layers", "Block after block, the vector of a word takes on its context.", "context"),
    ("logits", "The last vector is scored against every vocabulary row.", "trace"),
    ("probabilities", "Softmax turns scores into a distribution over next tokens.", "trace"),
    (
        "chosen token",
        "Greedy or sampled, one token is picked, appended, and the loop repeats.",
        "trace",
    ),
    ("learning", "Gradients nudged all these vectors into place during training.", "learning"),
]
