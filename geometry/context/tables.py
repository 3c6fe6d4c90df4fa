"""The tables the Words-in-context page draws from occurrences: similarity by layer, every pair,
the paths of the occurrences on a map, the nearest vocabulary words, the dimensions that move.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geometry.context.occurrences import (
    Occurrences,
    Reference,
    self_similarity,
    sense_similarity,
    standardise,
)
from geometry.words.similarity import VocabularyMatrix, vocabulary_matrix
from geometry.words.vectors import cosine_matrix, top_k, unit


def layer_table(occurrences: Occurrences, reference: Reference, standardised: bool = False) -> pd.DataFrame:
    """One row per layer: self-similarity, within/across sense, baseline and adjusted self-similarity.

    Columns: ``layer_index`` (0 = static), ``layer``, ``self_similarity``, ``within_sense``,
    ``across_sense``, ``baseline``, ``adjusted`` (= self_similarity - baseline).
    """
    vectors = occurrences.vectors
    baseline = reference.baseline
    if standardised:
        vectors, baseline = standardise(vectors, reference), reference.baseline_standardised
    self_sim = self_similarity(vectors)
    within, across = sense_similarity(vectors, occurrences.senses)
    return pd.DataFrame(
        {
            "layer_index": np.arange(len(occurrences.layers)),
            "layer": list(occurrences.layers),
            "self_similarity": self_sim,
            "within_sense": within,
            "across_sense": across,
            "baseline": baseline,
            "adjusted": self_sim - baseline,
        }
    )


def long_layer_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`layer_table` in long form for a chart: columns layer_index, layer, measure, value."""
    measures = {
        "self_similarity": "self-similarity",
        "within_sense": "within sense",
        "across_sense": "across senses",
        "baseline": "baseline (random words)",
        "adjusted": "adjusted self-similarity",
    }
    long = table.melt(["layer_index", "layer"], list(measures), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(measures)
    return long.dropna(subset=["value"]).reset_index(drop=True)


def pairwise_table(occurrences: Occurrences, vectors: np.ndarray) -> pd.DataFrame:
    """Cosine between every pair of occurrences at one layer, rows and columns ordered by sense.

    ``vectors`` is (n, d). Columns: ``row``, ``column`` (occurrence labels), ``row_name``,
    ``column_name`` ("S3 · river"), ``row_sense``,
    ``column_sense``, ``row_order``, ``column_order`` (position in the sense ordering),
    ``cosine``, ``row_text``, ``column_text``.
    """
    order = occurrences.sense_order()
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    cosines = cosine_matrix(vectors)
    t = occurrences.table
    names = (t["occurrence"] + " · " + t["sense"]).to_numpy()
    i, j = np.meshgrid(np.arange(len(t)), np.arange(len(t)), indexing="ij")
    i, j = i.ravel(), j.ravel()
    frame = pd.DataFrame(
        {
            "row": t["occurrence"].to_numpy()[i],
            "column": t["occurrence"].to_numpy()[j],
            "row_name": names[i],
            "column_name": names[j],
            "row_sense": t["sense"].to_numpy()[i],
            "column_sense": t["sense"].to_numpy()[j],
            "row_order": rank[i],
            "column_order": rank[j],
            "cosine": cosines[i, j],
            "row_text": t["text"].to_numpy()[i],
            "column_text": t["text"].to_numpy()[j],
        }
    )
    return frame.sort_values(["row_order", "column_order"]).reset_index(drop=True)


def path_table(occurrences: Occurrences, vectors: np.ndarray, coordinates: np.ndarray) -> pd.DataFrame:
    """Tidy rows for the layer-by-layer map: one row per occurrence and layer.

    ``vectors`` is (n, layers, d) (only its shape is used), ``coordinates`` is (n * layers, 2)
    in occurrence-major order. Columns: ``occurrence``, ``sense``, ``text``, ``layer_index``,
    ``layer``, ``x``, ``y``.
    """
    n, n_layers = vectors.shape[:2]
    t = occurrences.table
    return pd.DataFrame(
        {
            "occurrence": np.repeat(t["occurrence"].to_numpy(), n_layers),
            "sense": np.repeat(t["sense"].to_numpy(), n_layers),
            "text": np.repeat(t["text"].to_numpy(), n_layers),
            "layer_index": np.tile(np.arange(n_layers), n),
            "layer": np.tile(np.asarray(occurrences.layers), n),
            "x": coordinates[:, 0],
            "y": coordinates[:, 1],
        }
    )


def layer_map(
    occurrences: Occurrences, vectors: np.ndarray, method: str = "pca"
) -> tuple[pd.DataFrame, list[str], tuple[str, ...]]:
    """A 2-D map of every occurrence at every layer, each vector scaled to length 1 first.

    Scaling to unit length keeps the map about direction (what cosine measures), not about
    the growth of vector lengths with depth. ``method`` is "pca" or "umap" (see
    :func:`geometry.projection.methods.project`). Returns (path_table, axis titles, notes).
    """
    from geometry.projection.maps import axis_titles
    from geometry.projection.methods import project

    n, n_layers, d = vectors.shape
    projection = project(unit(vectors).reshape(n * n_layers, d), method)
    return path_table(occurrences, vectors, projection.coords), axis_titles(projection), projection.notes


def nearest_words(
    model,
    occurrences: Occurrences,
    vectors: np.ndarray,
    k: int = 5,
    vocabulary: VocabularyMatrix | None = None,
) -> pd.DataFrame:
    """The k whole-word vocabulary tokens whose input-embedding rows have the highest cosine.

    ``vectors`` is (n, d), one per occurrence, at one layer. Beyond the first layers this
    is only a lens: hidden states are not made to line up with the input embeddings.
    ``vocabulary`` is the model's search index (the one the dot-products page uses), built
    when omitted. Columns: ``occurrence``, ``sense``, ``rank``, ``word``, ``cosine``.
    """
    vocabulary = vocabulary or vocabulary_matrix(model)
    words = vocabulary.words
    cosines = vocabulary.cosines(vectors)  # (n, V')
    top = top_k(cosines, k)  # (n, k)
    records = [
        (label, sense, rank + 1, words[index], float(cosines[i, index]))
        for i, (label, sense) in enumerate(zip(occurrences.labels, occurrences.senses, strict=True))
        for rank, index in enumerate(top[i])
    ]
    return pd.DataFrame(records, columns=["occurrence", "sense", "rank", "word", "cosine"])


def static_spread(occurrences: Occurrences) -> float:
    """Largest absolute difference between any occurrence's static vector and the first one's."""
    return float(np.abs(occurrences.static - occurrences.static[0]).max())


def nearest_summary(nearest: pd.DataFrame) -> pd.DataFrame:
    """:func:`nearest_words` as one row per occurrence: ``occurrence``, ``sense``, ``nearest``.

    >>> df = pd.DataFrame({"occurrence": ["S1", "S1"], "sense": ["river"] * 2, "rank": [1, 2],
    ...                    "word": ["bank", "shore"], "cosine": [0.51, 0.42]})
    >>> nearest_summary(df)["nearest"].tolist()
    ['bank 0.51 · shore 0.42']
    """
    words = nearest.sort_values("rank", kind="stable").assign(
        entry=lambda f: f["word"] + " " + f["cosine"].map("{:.2f}".format)
    )
    grouped = words.groupby(["occurrence", "sense"], sort=False)["entry"].agg(" · ".join)
    return grouped.rename("nearest").reset_index()


def dimension_table(
    occurrences: Occurrences, vectors: np.ndarray, layer_indices: Sequence[int], n_dims: int = 32
) -> pd.DataFrame:
    """The first ``n_dims`` components of every occurrence at some layers, in long form.

    ``vectors`` is (n, layers, d). Columns: ``occurrence``, ``sense``, ``order`` (position in
    the sense ordering), ``layer``, ``layer_index``, ``dimension``, ``value``.
    """
    order = occurrences.sense_order()
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    t = occurrences.table
    frames = []
    for index in dict.fromkeys(layer_indices):
        values = vectors[:, index, :n_dims]  # (n, n_dims)
        n, k = values.shape
        frames.append(
            pd.DataFrame(
                {
                    "occurrence": np.repeat(t["occurrence"].to_numpy(), k),
                    "sense": np.repeat(t["sense"].to_numpy(), k),
                    "order": np.repeat(rank, k),
                    "layer": occurrences.layers[index],
                    "layer_index": index,
                    "dimension": np.tile(np.arange(k), n),
                    "value": values.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
