"""The line for heavy work: arrival order, places in line, memory given back once it empties."""

from __future__ import annotations

import threading
import time

import pytest

from ui.server.line import Line
from ui.server.results import Results


def _wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_jobs_run_one_at_a_time_in_arrival_order_and_see_their_place():
    idle_calls: list[int] = []
    line = Line(slots=1, on_idle=lambda: idle_calls.append(1))
    order, places, running, most = [], {}, [0], [0]
    gate = threading.Event()
    lock = threading.Lock()

    def job(name: int) -> None:
        with line.turn(lambda ahead: places.setdefault(name, []).append(ahead)):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            if name == 0:
                gate.wait(10)
            order.append(name)
            with lock:
                running[0] -= 1

    threads = []
    for name in range(4):
        threads.append(threading.Thread(target=job, args=(name,)))
        threads[-1].start()
        if name == 0:
            _wait_until(lambda: line._running == 1)
        else:
            _wait_until(lambda name=name: name in places)  # arrived and told its place
    assert [places[name][0] for name in (1, 2, 3)] == [1, 2, 3]  # "N others are ahead of you"
    gate.set()
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3]
    assert most[0] == 1
    assert idle_calls == [1]  # memory is given back once, when the burst is over


def test_a_job_that_fails_leaves_the_line_usable():
    line = Line(slots=1)
    with pytest.raises(RuntimeError), line.turn():
        raise RuntimeError("boom")
    with line.turn():
        pass
    assert line._running == 0 and not line._waiting


def test_results_are_bounded_copied_and_expire():
    store = Results(max_entries=2, ttl=60)
    table = {"rows": [1, 2, 3]}
    store.put("a", table)
    got = store.get("a")
    got["rows"].append(4)  # a session changing its copy changes nobody else's
    assert store.get("a") == {"rows": [1, 2, 3]}
    store.put("b", 2)
    store.put("c", 3)
    assert store.get("a") is None and store.get("c") == 3  # the oldest went first
    store.ttl = 0
    assert store.get("c") is None


def test_big_blocks_go_back_to_the_os_where_glibc_runs():
    import ctypes.util

    from ui.server.memory import return_big_blocks_to_the_os

    assert return_big_blocks_to_the_os() == bool(ctypes.util.find_library("c"))


def test_jobs_waiting_together_are_computed_in_one_batch_and_errors_stay_with_their_owner():
    from ui.server.line import computed_together, pending

    batches: list[list[str]] = []
    first_running, release = threading.Event(), threading.Event()

    def compute_many(items: list[str]) -> list:
        batches.append(items)
        if items == ["a"]:
            first_running.set()
            release.wait(10)
        return [ValueError(f"bad {item}") if item == "bad" else item.upper() for item in items]

    got: dict[str, object] = {}

    def ask(item: str) -> None:
        try:
            got[item] = computed_together("test-kind", ("t", item), item, compute_many, "Testing")
        except ValueError as error:
            got[item] = error

    first = threading.Thread(target=ask, args=("a",))
    first.start()
    assert first_running.wait(10)
    others = [threading.Thread(target=ask, args=(item,)) for item in ("b", "bad", "c")]
    for thread in others:
        thread.start()
    _wait_until(lambda: len(pending("test-kind")._items) == 3)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert batches == [["a"], ["b", "bad", "c"]]  # the three who waited were served by one call
    assert got["a"] == "A" and got["b"] == "B" and got["c"] == "C"
    assert isinstance(got["bad"], ValueError) and str(got["bad"]) == "bad bad"


def test_a_delayed_release_waits_for_the_line_to_stay_empty():
    idle_calls: list[float] = []
    line = Line(slots=1, on_idle=lambda: idle_calls.append(time.monotonic()), idle_delay=0.3)
    with line.turn():
        pass
    assert idle_calls == []  # the job's session did not wait for the release
    with line.turn():  # a second job within the delay: the first burst's release is dropped
        pass
    ended = time.monotonic()
    _wait_until(lambda: len(idle_calls) == 1)
    assert idle_calls[0] >= ended + 0.3 - 0.05
    time.sleep(0.5)
    assert len(idle_calls) == 1  # once per quiet line, not once per job


def test_a_waiting_thread_gets_the_interpreter_within_the_switch_interval():
    import sys

    from ui.server.interpreter import SWITCH_SECONDS, share_the_interpreter_quickly

    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)  # CPython's default (an app test may have started the server's already)
        share_the_interpreter_quickly()
        assert sys.getswitchinterval() == pytest.approx(SWITCH_SECONDS) and SWITCH_SECONDS < 0.005
    finally:
        sys.setswitchinterval(before)
