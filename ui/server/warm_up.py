"""Getting ready for the first visitors: the server's background warm-up, and UMAP's compilation.

After the first page is drawn, one background job per server loads both default models (once per
process: a page that asks meanwhile waits for the same load), indexes the encoder's vocabulary and
compiles UMAP's numba code (~15 s the first time in a process). A page that needs UMAP before the
warm-up got there compiles it itself, and every other page that asks meanwhile waits for the same
compilation.
"""

from __future__ import annotations

import logging
import threading
import time

import streamlit as st

from geometry.models import catalogue, loading
from ui.server import background
from ui.server.interpreter import share_the_interpreter_quickly
from ui.server.memory import return_big_blocks_to_the_os

log = logging.getLogger(__name__)
_umap_lock = threading.Lock()
_umap_ready = threading.Event()


def compile_umap() -> float:
    """Run a tiny UMAP so numba compiles now; seconds spent (0.0 if already compiled).

    Safe to call from several threads at once and as often as you like: the first caller
    compiles, the others wait for it, later calls return at once.
    """
    if _umap_ready.is_set():
        return 0.0
    with _umap_lock:
        if _umap_ready.is_set():
            return 0.0
        import numpy as np

        from geometry.projection.methods import project  # imported here: umap is slow to import

        start = time.perf_counter()
        points = np.random.default_rng(0).normal(size=(40, 8))  # (40, 8)
        project(points, "umap", n_neighbors=5)
        _umap_ready.set()
        return time.perf_counter() - start


def umap_ready() -> bool:
    """True once UMAP's code has been compiled in this process."""
    return _umap_ready.is_set()


def umap_compiling() -> bool:
    """True while some thread is inside :func:`compile_umap`."""
    return _umap_lock.locked() and not _umap_ready.is_set()


def compile_umap_soon() -> background.BackgroundJob:
    """A job that is done when UMAP is compiled: started now, waiting for a compilation under way."""
    return background.start(compile_umap, name="umap-compile")


def _warm_up() -> None:
    """Load the default models, index the encoder's vocabulary, compile UMAP: what first visits wait for."""
    from ui.cache import vectors as cache

    for name in (catalogue.ENCODER_NAME, catalogue.CAUSAL_LM_NAME):
        try:
            model = loading.load_model(name)  # the same once-per-process load get_model uses
        except (loading.ModelUnavailable, loading.IntegrityError) as error:
            log.info("warm-up skipped %s: %s", name, error)  # the pages that need it say why
            continue
        if name == catalogue.ENCODER_NAME:
            cache.vocabulary(model)  # the search index of the dot-products page's default searches
    compile_umap()


def _warm_up_and_log_failures() -> None:
    try:
        _warm_up()
    except Exception:  # noqa: BLE001 - a failed warm-up only means the first visitor waits
        log.exception("background warm-up failed; pages will load what they need themselves")


@st.cache_resource(show_spinner=False)
def start_background_warm_up() -> background.BackgroundJob:
    """Once per server, in a background job: get ready for the first visitor of each page.

    The models load once per process, so a page that asks while the warm-up is loading
    waits for that load rather than starting its own. Memory policy is set first, before
    any model's weights are allocated, and so is how quickly threads take turns in Python.
    """
    return_big_blocks_to_the_os()
    share_the_interpreter_quickly()
    return background.start(_warm_up_and_log_failures, name="warm-up")
