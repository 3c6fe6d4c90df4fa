"""Vectors a person brings in a file: read, check, and return them as labels, a matrix and metadata.

Three formats, the ones people already have:

* the Embedding Projector's **vectors TSV**: one row of tab-separated numbers per point, no
  labels; its optional **metadata TSV** has one row per point (a header row first when it has
  more than one column, or whenever it has one row more than the vectors);
* a **CSV** with a header row: one column of labels (named ``label``, ``word``, ``token`` or
  ``name``, else the first column that is not numbers), the numeric columns are the vector,
  any other text column is metadata;
* **word2vec's text format**: a first line ``<rows> <dimensions>``, then ``word v1 v2 ...``.

:func:`read_vectors` refuses a bad file with one sentence that says what is wrong and where
(a ValueError): empty, binary, over the size, row or dimension limits, ragged rows, a cell
that is not a number, NaN or infinity, duplicate or empty labels, a metadata file whose rows
do not match. The limits are keyword arguments with the module constants as defaults.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geometry.words.tokens import MAX_WORD_CHARS, has_control_characters

MAX_BYTES = 20_000_000  # per file: 20 MB holds 20,000 × 300 numbers written with 8 digits
MAX_ROWS = 20_000  # a UMAP of this many points takes about a minute on a classroom laptop
MAX_DIMENSIONS = 4_096
MIN_ROWS = 3  # fewer points make no map and no neighbours
FORMATS = ("Embedding Projector TSV", "CSV with a label column", "word2vec text")
LABEL_COLUMNS = ("label", "word", "token", "name")


@dataclass(frozen=True)
class Limits:
    """The limits an upload is checked against (the page states them)."""

    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS
    max_dimensions: int = MAX_DIMENSIONS


def read_vectors(
    data: bytes,
    metadata: bytes | None = None,
    filename: str = "vectors.tsv",
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_dimensions: int = MAX_DIMENSIONS,
) -> tuple[tuple[str, ...], np.ndarray, pd.DataFrame]:
    """Parse an uploaded vectors file: (labels (n,), vectors (n, d) float32, metadata (n rows)).

    The format follows the file name (``.csv``: CSV) and the first line (two whole numbers:
    word2vec text); anything else is read as a Projector TSV. A TSV whose first column is text
    takes its labels from there. Without labels the points are called "row 1", "row 2", ...
    The metadata frame has one column per metadata field (``label`` first, from the labels).

    >>> labels, X, meta = read_vectors(b"2 3\\ndog 1 0 0\\ncat 0 1 0\\nfox 0 0 1\\n", filename="w.txt")
    Traceback (most recent call last):
    ValueError: The first line says 2 rows, but the file has 3.
    >>> labels, X, meta = read_vectors(b"1\\t0\\n0\\t1\\n1\\t1\\n", b"word\\tkind\\na\\tx\\nb\\ty\\nc\\tx\\n")
    >>> labels, X.shape, meta.columns.tolist()
    (('a', 'b', 'c'), (3, 2), ['label', 'word', 'kind'])
    """
    limits = Limits(max_bytes, max_rows, max_dimensions)
    text = _text(data, "vectors file", limits)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("The vectors file has no rows: it holds only blank lines.")
    first = lines[0].split()
    if filename.lower().endswith(".csv"):
        labels, cells, extra = _csv_rows(text)
    elif "\t" not in lines[0] and len(first) == 2 and all(field.isdigit() for field in first):
        labels, cells, extra = _word2vec_rows(lines)
    else:
        labels, cells, extra = _tsv_rows(lines)
    _check_counts(len(cells), len(cells[0]) if cells else 0, limits)
    vectors = _numbers(cells)
    if metadata is not None:
        extra = _metadata(metadata, len(vectors), limits)
        labels = labels or tuple(extra.iloc[:, 0].astype(str))
    labels = labels or tuple(f"row {i + 1}" for i in range(len(vectors)))
    _check_labels(labels)
    frame = pd.DataFrame({"label": list(labels)})
    for column in extra.columns:
        frame[column if column != "label" else "label (metadata)"] = extra[column].to_numpy()
    return labels, vectors, frame


# --------------------------------------------------------------------------- text and rows


def _text(data: bytes, what: str, limits: Limits) -> str:
    if not data:
        raise ValueError(f"The {what} is empty.")
    if len(data) > limits.max_bytes:
        raise ValueError(
            f"The {what} is {len(data) / 1e6:.1f} MB; the limit is {limits.max_bytes / 1e6:g} MB."
        )
    if b"\x00" in data[:65_536]:
        raise ValueError(f"The {what} is a binary file, not text; upload a TSV, CSV or word2vec text file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"The {what} is not UTF-8 text (byte {error.start:,} cannot be read); "
            "upload a TSV, CSV or word2vec text file."
        ) from error
    if has_control_characters(text):
        raise ValueError(f"The {what} contains control characters, so it is not a plain text table.")
    return text


def _tsv_rows(lines: list[str]) -> tuple[tuple[str, ...], list[list[str]], pd.DataFrame]:
    rows = [line.rstrip("\r\n").split("\t") for line in lines]
    labelled = all(not _is_number(row[0]) for row in rows) and len(rows[0]) > 1
    if labelled:
        return tuple(row[0].strip() for row in rows), [row[1:] for row in rows], pd.DataFrame()
    return (), rows, pd.DataFrame()


def _word2vec_rows(lines: list[str]) -> tuple[tuple[str, ...], list[list[str]], pd.DataFrame]:
    declared_rows, declared_dims = (int(field) for field in lines[0].split())
    rows = [line.split() for line in lines[1:]]
    if len(rows) != declared_rows:
        raise ValueError(f"The first line says {declared_rows:,} rows, but the file has {len(rows):,}.")
    for number, row in enumerate(rows, start=2):
        if len(row) - 1 != declared_dims:
            raise ValueError(
                f"Line {number:,} has {len(row) - 1:,} numbers after its word, but the first line "
                f"says {declared_dims:,} dimensions."
            )
    return tuple(row[0] for row in rows), [row[1:] for row in rows], pd.DataFrame()


def _csv_rows(text: str) -> tuple[tuple[str, ...], list[list[str]], pd.DataFrame]:
    table = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if len(table) < 2:
        raise ValueError("The CSV needs a header row and at least one row of numbers.")
    header, rows = [name.strip() for name in table[0]], table[1:]
    _check_ragged(rows, len(header), "the header")
    text_columns = [j for j in range(len(header)) if not all(_is_number(row[j]) for row in rows)]
    if not text_columns:
        raise ValueError("The CSV has no label column: every column holds numbers. Add a column of words.")
    named = [j for j in text_columns if header[j].lower() in LABEL_COLUMNS]
    label_column = named[0] if named else text_columns[0]
    numeric = [j for j in range(len(header)) if j not in text_columns]
    if not numeric:
        raise ValueError("The CSV has no column of numbers, so there are no vectors in it.")
    labels = tuple(row[label_column].strip() for row in rows)
    extra = pd.DataFrame({header[j] or f"column {j + 1}": [row[j] for row in rows] for j in text_columns})
    extra = extra.drop(columns=[header[label_column] or f"column {label_column + 1}"])
    return labels, [[row[j] for j in numeric] for row in rows], extra


def _metadata(data: bytes, n: int, limits: Limits) -> pd.DataFrame:
    """The metadata TSV as n rows; its first row is a header when it has several columns or n + 1 rows."""
    lines = [line for line in _text(data, "metadata file", limits).splitlines() if line.strip()]
    if not lines:
        raise ValueError("The metadata file has no rows: it holds only blank lines.")
    rows = [line.split("\t") for line in lines]
    has_header = len(rows[0]) > 1 or len(rows) == n + 1
    header, body = (rows[0], rows[1:]) if has_header else (["name"], rows)
    if len(body) != n:
        after = " after its header row" if has_header else ""
        raise ValueError(
            f"The metadata file has {len(body):,} rows{after} but the vectors file has {n:,}; "
            "they must match row for row."
        )
    _check_ragged(body, len(header), "the metadata header" if has_header else "row 1", 2 if has_header else 1)
    names = [name.strip() or f"column {j + 1}" for j, name in enumerate(header)]
    if len(set(names)) != len(names):
        raise ValueError("The metadata header names a column twice; give each column its own name.")
    return pd.DataFrame({name: [row[j].strip() for row in body] for j, name in enumerate(names)})


# --------------------------------------------------------------------------- checks


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _check_ragged(rows: list[list[str]], width: int, reference: str, first_row: int = 2) -> None:
    for number, row in enumerate(rows, start=first_row):
        if len(row) != width:
            raise ValueError(
                f"Row {number:,} has {len(row):,} fields but {reference} has {width:,}; "
                "every row needs the same number of columns."
            )


def _check_counts(rows: int, dimensions: int, limits: Limits) -> None:
    if rows < MIN_ROWS:
        raise ValueError(f"The file has {rows} row(s); a map needs at least {MIN_ROWS}.")
    if rows > limits.max_rows:
        raise ValueError(f"The file has {rows:,} rows; the limit is {limits.max_rows:,}.")
    if dimensions > limits.max_dimensions:
        raise ValueError(
            f"The vectors have {dimensions:,} dimensions; the limit is {limits.max_dimensions:,}."
        )
    if dimensions < 1:
        raise ValueError("The rows hold no numbers.")


def _numbers(cells: list[list[str]]) -> np.ndarray:
    """The cells as an (n, d) float32 matrix, or the first ragged row / bad cell named."""
    width = len(cells[0])
    for number, row in enumerate(cells, start=1):
        if len(row) != width:
            raise ValueError(
                f"Row {number:,} has {len(row):,} numbers but row 1 has {width:,}; "
                "every row needs the same number of dimensions."
            )
    try:
        X = np.array(cells, dtype=np.float64)  # (n, d)
    except ValueError:
        for number, row in enumerate(cells, start=1):
            for column, cell in enumerate(row, start=1):
                if not _is_number(cell):
                    shown = cell.strip()[:20] or "(empty)"
                    raise ValueError(
                        f"Row {number:,}, number {column:,} is '{shown}', not a number."
                    ) from None
        raise
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        row, column = (int(i) + 1 for i in bad[0])
        raise ValueError(
            f"Row {row:,}, number {column:,} is NaN or infinity; every value must be a finite number."
        )
    if np.abs(X).max() > np.finfo(np.float32).max:
        raise ValueError("A value is too large to compute with (over 3.4e38).")
    return X.astype(np.float32)


def _check_labels(labels: tuple[str, ...]) -> None:
    seen: dict[str, int] = {}
    for number, label in enumerate(labels, start=1):
        if not label:
            raise ValueError(f"Row {number:,} has an empty label; every point needs a name.")
        if len(label) > MAX_WORD_CHARS:
            raise ValueError(f"The label on row {number:,} is longer than {MAX_WORD_CHARS} characters.")
        if label in seen:
            raise ValueError(
                f"The label '{label[:30]}' appears on rows {seen[label]:,} and {number:,}; "
                "every label must be unique."
            )
        seen[label] = number


def colour_columns(metadata: pd.DataFrame, max_groups: int = 20) -> list[str]:
    """The metadata columns (after the label column) fit to colour points by: 2 to ``max_groups`` values.

    >>> metadata = pd.DataFrame({"label": ["a", "b", "c"], "kind": ["x", "y", "x"], "id": ["1", "2", "3"]})
    >>> colour_columns(metadata, max_groups=2)
    ['kind']
    """
    return [column for column in metadata.columns[1:] if 1 < metadata[column].nunique() <= max_groups]


def upload_digest(data: bytes, metadata: bytes | None) -> str:
    """16 hex digits of the SHA-256 of both files: the name every map of them is cached by.

    >>> upload_digest(b"1 2", None) == upload_digest(b"1 2", b"") != upload_digest(b"1 2", b"label")
    True
    """
    return hashlib.sha256(data + b"\0" + (metadata or b"")).hexdigest()[:16]
