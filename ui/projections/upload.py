"""The user's own vectors: two file boxes and the column that colours the points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from geometry.projection import uploads
from geometry.words import wordsets as ws
from ui.cache import projections as cache
from ui.page.layout import friendly_errors
from ui.page.text import verbatim

COLOUR_MAX_GROUPS = 20  # metadata columns with more distinct values are not offered as colours
UPLOADED = "your vectors"  # the category of uploaded points when no metadata column colours them


@dataclass(frozen=True)
class Upload:
    """Vectors from the user's file, named and coloured, with the key that identifies them."""

    word_set: ws.WordSet
    vectors: np.ndarray  # (n, d) float32
    digest: str  # sha-256 of the files, the cache key of every map of them


def upload_ui() -> Upload | None:
    """Two file boxes (vectors, optional metadata) and the colour column; None until a good file."""
    left, right = st.columns(2)
    kinds = ["tsv", "csv", "txt", "vec"]
    size = int(uploads.MAX_BYTES // 1_000_000)  # the browser refuses bigger files before they are sent
    vectors_file = left.file_uploader("Vectors file", type=kinds, key="pj_upload", max_upload_size=size)
    metadata_file = right.file_uploader(
        "Metadata TSV (optional)", type=["tsv", "txt"], key="pj_metadata", max_upload_size=size
    )
    limits = (
        f"at most {uploads.MAX_ROWS:,} rows, {uploads.MAX_DIMENSIONS:,} dimensions and "
        f"{uploads.MAX_BYTES / 1e6:g} MB a file"
    )
    st.caption(
        "The Embedding Projector's vectors TSV (one row of tab-separated numbers per point, labels in "
        "the metadata TSV, whose first row is a header when it has several columns), a CSV with a "
        "header row and a column of labels, or word2vec's text format (`rows dimensions`, then "
        f"`word 0.1 0.2 …`). Limits: {limits}."
    )
    if vectors_file is None:
        st.info("Upload a vectors file to map it (a metadata file alone is not enough).", icon="📄")
        return None
    data = vectors_file.getvalue()
    metadata = metadata_file.getvalue() if metadata_file is not None else None
    with friendly_errors():
        labels, matrix, frame = cache.upload(data, metadata, vectors_file.name)
        groups = uploads.colour_columns(frame, COLOUR_MAX_GROUPS)
        colour = st.selectbox(
            "Colour points by", ["(one colour)", *groups], index=1 if groups else 0, key="pj_colour",
            help=f"Metadata columns with 2 to {COLOUR_MAX_GROUPS} different values.",
        )  # fmt: skip
        categories = frame[colour].astype(str) if colour in groups else [UPLOADED] * len(labels)
        digest = uploads.upload_digest(data, metadata)
        st.caption(
            f"{verbatim(vectors_file.name)}: {len(labels):,} points of {matrix.shape[1]:,} dimensions."
        )
        return Upload(ws.WordSet(labels, tuple(categories)), matrix, digest)
    return None
