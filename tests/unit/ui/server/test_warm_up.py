"""The server's warm-up (ui/server/warm_up.py): UMAP compiles once, whoever asks first."""

from __future__ import annotations

import threading

from ui.server import background, warm_up


def test_compiling_umap_is_idempotent_and_thread_safe():
    results: list[float] = []
    threads = [threading.Thread(target=lambda: results.append(warm_up.compile_umap())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and warm_up.umap_ready() and not warm_up.umap_compiling()
    assert sum(seconds > 0 for seconds in results) <= 1  # only one thread compiled
    assert warm_up.compile_umap() == 0.0


def test_a_page_waits_for_the_compilation_already_under_way():
    job = warm_up.compile_umap_soon()
    assert job.wait(120) and job.error is None and warm_up.umap_ready()


def test_a_background_job_keeps_its_result_or_its_error():
    done = background.start(lambda: 41 + 1, name="test-job")
    assert done.wait(10) and done.result == 42 and done.error is None
    failed = background.start(lambda: 1 / 0, name="test-failing-job")
    assert failed.wait(10) and isinstance(failed.error, ZeroDivisionError)
