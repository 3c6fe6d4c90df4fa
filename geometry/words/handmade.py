"""Vectors small enough to multiply by hand: parse what the user typed, show every step.

A line looks like ``king = [9, -5, 6]``; brackets are optional, numbers are separated by
commas or spaces, and ``:`` works in place of ``=``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

MAX_VECTORS = 12
MAX_DIMENSIONS = 12
MAX_NAME_CHARS = 30
MAX_TEXT_CHARS = 2000
MAX_MAGNITUDE = 1e6  # products and sums of numbers this size stay exact enough to read and to check

_SEPARATOR = re.compile(r"[=:]")
_NUMBER_SPLIT = re.compile(r"[,\s;]+")


def parse_vectors(text: str) -> dict[str, np.ndarray]:
    """Named vectors from lines such as ``king = [9, -5, 6]``, in the order typed.

    Raises ValueError, with the line and the reason, for anything that is not a name followed by
    numbers, for vectors of unequal length, repeated names, or too many vectors or numbers.

    >>> parse_vectors("king = [9, -5, 6]\\nqueen = [8, -4, 6]")["queen"].tolist()
    [8.0, -4.0, 6.0]
    """
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"The vectors box holds {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}.")
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise ValueError("Type at least one vector, for example: king = [9, -5, 6]")
    if len(lines) > MAX_VECTORS:
        raise ValueError(f"{len(lines)} vectors is more than the limit of {MAX_VECTORS}; remove some lines.")
    vectors: dict[str, np.ndarray] = {}
    for number, line in lines:
        name, vector = _parse_line(number, line)
        if name in vectors:
            raise ValueError(f"'{name}' is defined twice (line {number}); give each vector its own name.")
        vectors[name] = vector
    _check_lengths(vectors)
    return vectors


def _parse_line(number: int, line: str) -> tuple[str, np.ndarray]:
    parts = _SEPARATOR.split(line, maxsplit=1)
    if len(parts) != 2:
        raise ValueError(f"Line {number} needs a name, '=' and numbers, like: king = [9, -5, 6]")
    name, body = parts[0].strip(), parts[1].strip()
    if not name:
        raise ValueError(f"Line {number} has no name before '='.")
    if len(name) > MAX_NAME_CHARS or not name.isprintable():
        raise ValueError(f"Line {number}: use a short, plain name (at most {MAX_NAME_CHARS} characters).")
    body = body.replace("−", "-").strip("[]() ")  # a typographic minus sign is still a minus
    pieces = [piece for piece in _NUMBER_SPLIT.split(body) if piece]
    if not pieces:
        raise ValueError(f"Line {number} ({name}) has no numbers after '='.")
    if len(pieces) > MAX_DIMENSIONS:
        raise ValueError(
            f"{name} has {len(pieces)} numbers; hand-made vectors are limited to {MAX_DIMENSIONS} dimensions."
        )
    return name, np.array([_number(piece, number, name) for piece in pieces])


def _number(piece: str, number: int, name: str) -> float:
    try:
        value = float(piece)
    except ValueError:
        raise ValueError(f"Line {number} ({name}): '{piece[:20]}' is not a number.") from None
    if math.isnan(value):
        raise ValueError(f"Line {number} ({name}): '{piece[:20]}' is not a number.")
    if not abs(value) <= MAX_MAGNITUDE:
        raise ValueError(
            f"Line {number} ({name}): '{piece[:20]}' is too large for a hand-made vector; "
            f"keep each number between -{MAX_MAGNITUDE:,.0f} and {MAX_MAGNITUDE:,.0f}."
        )
    return value


def _check_lengths(vectors: dict[str, np.ndarray]) -> None:
    sizes = {name: vector.size for name, vector in vectors.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{name} has {size}" for name, size in sizes.items())
        raise ValueError(f"Every vector needs the same number of components ({listed}).")


def number_text(value: float) -> str:
    """A number as a person writes it: no trailing zeros, six significant digits.

    >>> number_text(128.0), number_text(0.7 * 0.6), number_text(-5.0)
    ('128', '0.42', '-5')
    """
    return f"{value:.6g}"


def multiplication_table(a: Sequence[float], b: Sequence[float], name_a: str, name_b: str) -> pd.DataFrame:
    """One row per component: the two numbers, their product and the running sum.

    Columns: ``dimension`` (0-based, as in the charts), ``name_a``, ``name_b``, ``step``
    (e.g. "9 × 8 = 72"), ``product`` and ``running sum``.

    >>> multiplication_table([9, -5, 6], [8, -4, 6], "king", "queen")["step"].tolist()
    ['9 × 8 = 72', '-5 × -4 = 20', '6 × 6 = 36']
    """
    a, b = _same_length(a, b, name_a, name_b)  # (d,), (d,)
    reserved = {"dimension", "step", "product", "running sum"}
    name_a = f"{name_a} (vector)" if name_a in reserved else name_a
    name_b = f"{name_b} (vector)" if name_b in reserved else name_b
    name_b = f"{name_b} (again)" if name_a == name_b else name_b
    products = a * b  # (d,)
    steps = [
        f"{number_text(x)} × {number_text(y)} = {number_text(p)}"
        for x, y, p in zip(a, b, products, strict=True)
    ]
    return pd.DataFrame(
        {
            "dimension": np.arange(a.size),
            name_a: a,
            name_b: b,
            "step": steps,
            "product": products,
            "running sum": np.cumsum(products),
        }
    )


def worked_sum(a: Sequence[float], b: Sequence[float], per_line: int | None = None) -> str:
    """The whole dot product in LaTeX: products, then their values, then the total. On one line,
    or, for a narrow screen, as aligned lines of at most ``per_line`` terms, the total on its own.

    >>> worked_sum([9, -5, 6], [8, -4, 6])
    '(9)(8) + (-5)(-4) + (6)(6) = 72 + 20 + 36 = 128'
    >>> print(worked_sum([9, -5, 6], [8, -4, 6], per_line=2).replace(r" \\\\ ", "\\n"))
    \\begin{aligned}&(9)(8) + (-5)(-4)
    &\\quad + (6)(6)
    &= 72 + 20
    &\\quad + 36
    &= 128\\end{aligned}
    """
    a, b = _same_length(a, b, "the first vector", "the second")  # (d,), (d,)
    products = a * b  # (d,)
    factors = [f"({number_text(x)})({number_text(y)})" for x, y in zip(a, b, strict=True)]
    terms = [number_text(p) for p in products]
    total = number_text(float(products.sum()))
    if per_line is None:
        return f"{' + '.join(factors)} = {' + '.join(terms)} = {total}"
    lines = [*_chunked(factors, per_line, ""), *_chunked(terms, per_line, "= "), f"= {total}"]
    return r"\begin{aligned}" + r" \\ ".join(f"&{line}" for line in lines) + r"\end{aligned}"


def _chunked(items: list[str], per_line: int, lead: str) -> list[str]:
    """``items`` joined by " + ", ``per_line`` a line; the first line starts with ``lead``."""
    lines = [" + ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return [lead + lines[0], *(r"\quad + " + line for line in lines[1:])]


def _same_length(
    a: Sequence[float], b: Sequence[float], name_a: str, name_b: str
) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)  # (d,), (d,)
    if a.shape != b.shape:
        sizes = f"{name_a} has {a.size} numbers and {name_b} has {b.size}"
        raise ValueError(f"{sizes}; only vectors of the same length can be multiplied.")
    return a, b


def named_rows(names: Sequence[str], X: np.ndarray, wanted: Sequence[str]) -> np.ndarray:
    """The rows of X (n, d) named ``wanted``, (m, d); ValueError naming any that is not in ``names``.

    >>> named_rows(["a", "b"], np.array([[1.0, 2], [3, 4]]), ["b", "a"]).tolist()
    [[3.0, 4.0], [1.0, 2.0]]
    """
    missing = [word for word in wanted if word not in names]
    if missing:
        raise ValueError(
            f"With hand-made vectors the axis ends must be names from the box: {', '.join(missing)}."
        )
    return np.asarray(X)[[list(names).index(word) for word in wanted]]
