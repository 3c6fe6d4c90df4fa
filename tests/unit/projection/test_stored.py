"""Maps kept on disk (geometry/projection/stored.py): read back only when made from the same inputs,
never half-written, and anything doubtful reads as "compute it again"."""

from __future__ import annotations

import os

import numpy as np
import pytest

from geometry.projection import maps, stored
from geometry.projection import methods as pj

PARAMS = (("metric", "cosine"),)


def vectors(n: int = 60, d: int = 12, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)  # (n, d)


def pca_map(X: np.ndarray, dims: int = 2) -> maps.MapResult:
    return maps.map_result(pj.project(X, "pca", dims, 0, metric="cosine"))


def assert_same_map(a: maps.MapResult, b: maps.MapResult) -> None:
    assert np.array_equal(a.coords, b.coords) and a.coords.dtype == b.coords.dtype == np.float64
    assert a.titles == b.titles and a.notes == b.notes and a.trust == b.trust
    assert (a.ratio is None and b.ratio is None) or np.array_equal(a.ratio, b.ratio)


def test_a_stored_map_equals_a_freshly_computed_one(tmp_path):
    X = vectors()
    path = tmp_path / "maps" / "pca.npz"
    digest = stored.map_digest(X, "pca", 2, 0, PARAMS)
    stored.write_map(path, pca_map(X), digest)
    assert_same_map(stored.read_map(path, digest, len(X), 2), pca_map(X))  # computed again, from scratch


@pytest.mark.parametrize("dims", [2, 3])
def test_a_umap_without_its_score_and_with_notes_reads_back_as_written(tmp_path, dims):
    X = vectors(8)
    result = maps.map_result(pj.project(X, "umap", dims, 3, n_neighbors=15), with_trust=False)
    assert result.notes and result.ratio is None and result.trust is None  # n_neighbors was lowered
    digest = stored.map_digest(X, "umap", dims, 3, (("n_neighbors", 15),))
    stored.write_map(tmp_path / "umap.npz", result, digest)
    assert_same_map(stored.read_map(tmp_path / "umap.npz", digest, len(X), dims), result)


def test_the_digest_names_every_input():
    X = vectors()
    digest = stored.map_digest(X, "pca", 2, 0, PARAMS)
    assert digest == stored.map_digest(X.copy(), "pca", 2, 0, PARAMS)
    changed = X.copy()
    changed[5, 3] += 1e-3
    others = [
        stored.map_digest(changed, "pca", 2, 0, PARAMS),  # one number of one vector
        stored.map_digest(X.astype(np.float64), "pca", 2, 0, PARAMS),  # the same numbers, another type
        stored.map_digest(X[:-1], "pca", 2, 0, PARAMS),  # a word fewer
        stored.map_digest(X, "umap", 2, 0, PARAMS),
        stored.map_digest(X, "pca", 3, 0, PARAMS),
        stored.map_digest(X, "pca", 2, 1, PARAMS),
        stored.map_digest(X, "pca", 2, 0, (("metric", "euclidean"),)),
    ]
    assert len({digest, *others}) == 1 + len(others)


def test_a_stale_map_is_not_read(tmp_path, monkeypatch):
    X = vectors()
    path = tmp_path / "pca.npz"
    stored.write_map(path, pca_map(X), stored.map_digest(X, "pca", 2, 0, PARAMS))
    other_words = vectors(seed=1)
    assert stored.read_map(path, stored.map_digest(other_words, "pca", 2, 0, PARAMS), len(X), 2) is None
    monkeypatch.setattr(stored, "FORMAT", stored.FORMAT + 1)  # the way maps are made has changed
    assert stored.read_map(path, stored.map_digest(X, "pca", 2, 0, PARAMS), len(X), 2) is None
    monkeypatch.undo()
    monkeypatch.setattr(stored, "_version", lambda library: "0.0-other")  # another scikit-learn
    assert stored.read_map(path, stored.map_digest(X, "pca", 2, 0, PARAMS), len(X), 2) is None


def test_a_missing_truncated_or_corrupt_file_reads_as_none(tmp_path):
    X = vectors()
    digest = stored.map_digest(X, "pca", 2, 0, PARAMS)
    good = tmp_path / "good.npz"
    stored.write_map(good, pca_map(X), digest)
    whole = good.read_bytes()
    assert stored.read_map(tmp_path / "absent.npz", digest, len(X), 2) is None
    for name, content in [
        ("empty", b""),
        ("noise", os.urandom(4096)),
        ("truncated", whole[: len(whole) // 2]),
        ("flipped", whole[:300] + bytes(b ^ 0xFF for b in whole[300:400]) + whole[400:]),
    ]:
        (tmp_path / f"{name}.npz").write_bytes(content)
        assert stored.read_map(tmp_path / f"{name}.npz", digest, len(X), 2) is None, name
    assert stored.read_map(good, digest, len(X) + 1, 2) is None  # not the size the caller expects
    assert stored.read_map(good, digest, len(X), 3) is None


def test_a_well_formed_file_holding_impossible_numbers_reads_as_none(tmp_path):
    X = vectors()
    digest = stored.map_digest(X, "pca", 2, 0, PARAMS)
    result = pca_map(X)
    broken = [
        maps.MapResult(np.full_like(result.coords, np.nan), result.titles, result.ratio, None, ()),
        maps.MapResult(result.coords, result.titles[:1], result.ratio, None, ()),
        maps.MapResult(result.coords, result.titles, result.ratio, 1.5, ()),
        maps.MapResult(result.coords.astype(np.float32), result.titles, result.ratio, None, ()),
    ]
    for i, map_ in enumerate(broken):
        path = tmp_path / f"broken{i}.npz"
        stored.write_map(path, map_, digest)
        if map_.coords.dtype == np.float32:  # write_map stores float64: make the file hold float32
            np.savez(path, **{**dict(np.load(path)), "coords": map_.coords})
        assert stored.read_map(path, digest, len(X), 2) is None, i


def test_a_write_that_fails_leaves_the_old_map_and_no_half_file(tmp_path, monkeypatch):
    X = vectors()
    digest = stored.map_digest(X, "pca", 2, 0, PARAMS)
    path = tmp_path / "pca.npz"
    stored.write_map(path, pca_map(X), digest)
    before = path.read_bytes()

    def fail_half_way(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(stored.np, "savez", fail_half_way)
    with pytest.raises(OSError, match="disk full"):
        stored.write_map(path, pca_map(vectors(seed=2)), "other")
    assert path.read_bytes() == before and sorted(tmp_path.iterdir()) == [path]


def test_prune_keeps_the_newest_maps_and_clears_old_temporary_files(tmp_path):
    for i in range(5):
        (tmp_path / f"map{i}.npz").write_bytes(b"x")
        os.utime(tmp_path / f"map{i}.npz", (1_000 + i, 1_000 + i))
    (tmp_path / ".map9-abc.npz.tmp").write_bytes(b"x")
    os.utime(tmp_path / ".map9-abc.npz.tmp", (1_000, 1_000))  # a writer that died long ago
    (tmp_path / ".map8-abc.npz.tmp").write_bytes(b"x")  # a writer still at work
    deleted = stored.prune(tmp_path, keep=2)
    assert sorted(path.name for path in tmp_path.iterdir()) == [".map8-abc.npz.tmp", "map3.npz", "map4.npz"]
    assert len(deleted) == 4
    assert stored.prune(tmp_path / "absent", keep=2) == []
