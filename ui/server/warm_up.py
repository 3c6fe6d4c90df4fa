"""TODO"""

from __future__ import annotations

import threading
import time

import numpy as np

from geometry.projection.methods import project

_warm_lock = threading.Lock()

_warm_done = threading.Event()


def warm_up() -> float:
    """Run a tiny UMAP so numba compiles now; seconds spent (0.0 if already warm).

    Safe to call from several threads at once and as often as you like: the first caller
    compiles, the others wait for it, later calls return at once.
    """
    if _warm_done.is_set():
        return 0.0
    with _warm_lock:
        if _warm_done.is_set():
            return 0.0
        start = time.perf_counter()
        points = np.random.default_rng(0).normal(size=(40, 8))  # (40, 8)
        project(points, "umap", n_neighbors=5)
        _warm_done.set()
        return time.perf_counter() - start


def is_warm() -> bool:
    """True once UMAP's code has been compiled in this process."""
    return _warm_done.is_set()


def is_warming() -> bool:
    """True while some thread is inside :func:`warm_up`."""
    return _warm_lock.locked() and not _warm_done.is_set()
