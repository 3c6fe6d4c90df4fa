"""Maps kept on disk: a slow map (a whole vocabulary's UMAP, ~45 s on two cores; its
trustworthiness, ~10 s) is computed once per machine and read back by every later server.

A stored map is never trusted blindly: it is read back only when it was made from exactly the same
inputs (:func:`map_digest`: the vectors' bytes, the method and its settings, the libraries that
computed it and this module's :data:`FORMAT`) and holds a well-formed map of the expected size.
Anything else (a missing, truncated, corrupt or stale file) reads as None and the caller computes
the map again. Files are written atomically: a reader sees the old file or the new one, never half.
Where the files live is the caller's choice (the app: ``ui.cache.projections``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np

from geometry.projection.maps import MapResult

FORMAT = 1  # change it when a stored map's contents, or how a method computes a map, change
LIBRARIES = ("numpy", "scikit-learn", "umap-learn")  # their versions are part of every digest


def _version(library: str) -> str:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "absent"


def map_digest(vectors: np.ndarray, method: str, dims: int, seed: int, params: tuple) -> str:
    """SHA-256 (hex) of everything a map depends on: ``vectors`` (n, d) (their dtype, shape and
    bytes), the method, its dimensions, seed and settings, the versions of :data:`LIBRARIES` and
    :data:`FORMAT`.

    >>> a = map_digest(np.eye(3, dtype=np.float32), "pca", 2, 0, (("metric", "cosine"),))
    >>> a == map_digest(np.eye(3, dtype=np.float32), "pca", 2, 1, (("metric", "cosine"),))
    False
    """
    vectors = np.ascontiguousarray(vectors)
    inputs = {
        "format": FORMAT,
        "method": method,
        "dims": int(dims),
        "seed": int(seed),
        "params": [[str(name), repr(value)] for name, value in params],
        "dtype": vectors.dtype.str,
        "shape": list(vectors.shape),
        "libraries": {library: _version(library) for library in LIBRARIES},
    }
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode())
    digest.update(memoryview(vectors).cast("B"))
    return digest.hexdigest()


def write_map(path: Path, result: MapResult, digest: str) -> None:
    """Store ``result`` at ``path`` (a ``.npz`` file, folders created), tagged with ``digest``.

    Written to a temporary file beside ``path`` and renamed over it, so a reader (another
    session or server) never sees a half-written map; on any error the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {
        "digest": np.array(digest),
        "coords": np.asarray(result.coords, dtype=np.float64),
        "titles": np.array(result.titles, dtype=str),
        "ratio": np.array([] if result.ratio is None else result.ratio, dtype=np.float64),
        "has_ratio": np.array(result.ratio is not None),
        "trust": np.array(np.nan if result.trust is None else result.trust, dtype=np.float64),
        "notes": np.array(result.notes, dtype=str),
    }
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".npz.tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_map(path: Path, digest: str, points: int, dims: int) -> MapResult | None:
    """The map stored at ``path`` if it was made from ``digest`` and is a finite (points, dims) map
    with one title per axis; None when the file is missing, unreadable, corrupt or stale."""
    try:
        with np.load(Path(path), allow_pickle=False) as stored:
            if str(stored["digest"]) != digest:
                return None  # stale: made from other vectors, settings or library versions
            coords, titles = stored["coords"], tuple(str(title) for title in stored["titles"])
            ratio = stored["ratio"] if bool(stored["has_ratio"]) else None
            trust, notes = float(stored["trust"]), tuple(str(note) for note in stored["notes"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # missing, truncated or not a map at all
    well_formed = (
        coords.dtype == np.float64
        and coords.shape == (points, dims)
        and np.isfinite(coords).all()
        and len(titles) == dims
        and (ratio is None or (ratio.shape == (dims,) and np.isfinite(ratio).all()))
        and (np.isnan(trust) or 0.0 <= trust <= 1.0)
    )
    if not well_formed:
        return None
    return MapResult(coords, titles, ratio, None if np.isnan(trust) else trust, notes)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` most recently written ``.npz`` maps in ``folder`` (and temporary
    files older than a day, left by a process that died mid-write); returns what was deleted."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    maps = sorted(folder.glob("*.npz"), key=_written, reverse=True)
    now = time.time()
    stale = [file for file in folder.glob(".*.npz.tmp") if now - _written(file) > 86_400]
    deleted = []
    for file in [*maps[keep:], *stale]:
        try:
            file.unlink()
            deleted.append(file)
        except OSError:  # another server pruned it first
            pass
    return deleted


def _written(file: Path) -> float:
    try:
        return file.stat().st_mtime
    except OSError:  # deleted meanwhile by another server
        return time.time()
