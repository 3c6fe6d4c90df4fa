"""A class of students on one server: many real sessions at once over Streamlit's websocket.

Starts the app on 127.0.0.1 (a fresh server per run), then plays these scenarios with
``benchmarks/streamlit_session.py`` (no browser):

- ``arrivals``: 30 students arrive in the first 3 seconds of a fresh server, each opening a
  lesson page (the start-up race: every page must load cleanly while the warm-up runs);
- ``<page>``: for every lesson page, one warm visit with new inputs, then 30 students at once with
  30 different inputs, then 30 at once with one identical (new) input;
- ``training``: 10 students switch on "Train a private copy now" on the Learning page at the same
  moment, each with a different text (10 distinct training runs);
- ``class``: a teacher and 30 students in one class (benchmarks/class_of_thirty.py): the server's CPU
  while the 31 sessions poll, how fast a question and its reveal reach every screen, 30 answers sent in
  the same second;
- ``follow``: a class of 30 follows the teacher through 10 steps of a lesson (``--moves``): seconds
  from each move (``set_step``, as the presenter bar calls it) until each student's session has run
  the step's page with its settings (benchmarks/class_of_thirty.py, ``play_follow``).

Unless ``--without-class``, the lesson pages and training run with the class feature on: a class of
30 and its teacher keep polling in the background, and every page visit comes from one of its students.

For each it reports p50/p95/max seconds from sending the request to the page's "script finished",
the exceptions the pages showed, whether sessions with equal inputs read identical text and numbers,
and the server's RSS (now, and the peak sampled during the scenario; VmHWM is the process peak).

    .venv/bin/python benchmarks/classroom.py                 # everything (about 5 minutes)
    .venv/bin/python benchmarks/classroom.py --only trace training --students 10
    .venv/bin/python benchmarks/classroom.py --only class
    .venv/bin/python benchmarks/classroom.py --only follow --moves 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the repository before this folder: ``import classroom`` is the class store, not this script
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from class_of_thirty import ClassInBackground, p95, play_class, play_follow, wait_until_quiet  # noqa: E402
from run import _proc_status, free_port, machine, streamlit_server, wait_for_http  # noqa: E402
from streamlit_session import PageRun, Student  # noqa: E402

from classroom import ClassStore  # noqa: E402

WORDS = [
    "cat",
    "dog",
    "horse",
    "river",
    "storm",
    "king",
    "queen",
    "apple",
    "teacher",
    "doctor",
    "city",
    "train",
    "ocean",
    "forest",
    "garden",
    "window",
    "music",
    "winter",
    "summer",
    "mountain",
    "bridge",
    "school",
    "market",
    "letter",
    "candle",
    "rocket",
    "dragon",
    "island",
    "castle",
    "pencil",
    "lantern",
    "violet",  # the words from here on are for the single warm visit, which no student of 30 shares
    "harbour",
    "meadow",
    "thunder",
]


def _query(**values: str) -> str:
    return urllib.parse.urlencode(values)


# page -> (inputs for student i, one input shared by every student of the "identical" scenario)
INPUTS: dict[str, tuple[Callable[[int], str], str]] = {
    "dot-products": (
        lambda i: _query(dp_words=f"dog, cat, {WORDS[i % len(WORDS)]}, quickly"),
        _query(dp_words="teacher, student, lesson, chalk"),
    ),
    "projections": (
        lambda i: _query(pj_words=f"{WORDS[i % len(WORDS)]}, {WORDS[(i + 7) % len(WORDS)]}"),
        _query(pj_words="violin, trumpet, cello"),
    ),
    "context": (
        lambda i: _query(
            cx_word="bank",
            cx_sentences=f"river: We sat on the bank of the river.\nmoney: The bank lent us money.\n"
            f"The {WORDS[i % len(WORDS)]} stood by the bank.",
        ),
        _query(cx_word="bank", cx_sentences="river: The bank was muddy.\nmoney: The bank was closed."),
    ),
    "trace": (
        lambda i: _query(tr_prompt=f"The {WORDS[i % len(WORDS)]} is"),
        _query(tr_prompt="The teacher opened the"),
    ),
    "learning": (
        lambda i: _query(ln_text=f"The {WORDS[i % len(WORDS)]} ran across the field."),
        _query(ln_text="The class read the book together."),
    ),
}


@dataclass
class Scenario:
    name: str
    runs: list[PageRun] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # timeouts or protocol failures
    peak_rss_mb: int = 0
    rss_after_mb: int = 0
    identical: bool | None = None  # equal inputs gave equal text and numbers (None: not checked)

    def row(self) -> dict:
        times = sorted(run.seconds for run in self.runs)
        return {
            "scenario": self.name,
            "sessions": len(self.runs),
            "p50 s": round(statistics.median(times), 2) if times else None,
            "p95 s": round(p95(times), 2),
            "max s": round(times[-1], 2) if times else None,
            "exceptions": sum(len(run.exceptions) for run in self.runs) + len(self.errors),
            "identical": self.identical,
            "peak RSS MB": self.peak_rss_mb,
            "RSS after MB": self.rss_after_mb,
            "first exception": next((e for run in self.runs for e in run.exceptions), None)
            or (self.errors[0] if self.errors else None),
        }


class MemoryWatch:
    """Samples the server's RSS every 0.1 s while a scenario runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _proc_status(self.pid)["VmRSS"])
            self._stop.wait(0.1)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


async def one_student(port: int, page: str, query: str, delay: float = 0.0) -> PageRun:
    await asyncio.sleep(delay)
    async with Student(port) as student:
        return await student.run(page, query)


async def together(port: int, visits: list[tuple], scenario: Scenario) -> None:
    results = await asyncio.gather(*(one_student(port, *visit) for visit in visits), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            scenario.errors.append(f"{type(result).__name__}: {result}")
        else:
            scenario.runs.append(result)


def play(pid: int, port: int, name: str, visits: list[tuple], check_identical: bool = False) -> Scenario:
    scenario = Scenario(name)
    with MemoryWatch(pid) as watch:
        asyncio.run(together(port, visits, scenario))
    scenario.peak_rss_mb = watch.peak
    time.sleep(2)
    scenario.rss_after_mb = _proc_status(pid)["VmRSS"]
    if check_identical and scenario.runs:
        scenario.identical = len({run.fingerprint for run in scenario.runs}) == 1
    return scenario


def arrivals(students: int) -> list[Scenario]:
    """A fresh server; the students arrive over its first 3 seconds, on every lesson page."""
    pages = list(INPUTS)
    port = free_port()
    with streamlit_server(port) as process:
        wait_for_http(f"http://127.0.0.1:{port}/_stcore/health", process)
        visits = [(pages[i % len(pages)], "", 3.0 * i / students) for i in range(students)]
        return [play(process.pid, port, f"{students} arrivals in a fresh server's first 3 s", visits)]


def lesson_pages(
    pages: list[str], students: int, train: int, store: ClassStore | None = None
) -> list[Scenario]:
    """Every page's scenarios and the training one; with ``store``, inside a polling class of ``students``."""
    port = free_port()
    scenarios = []
    with streamlit_server(port) as process:
        wait_for_http(f"http://127.0.0.1:{port}/_stcore/health", process)
        for page in pages:  # warm: the default view of every page, and the warm-up thread done
            play(process.pid, port, "warm", [(page, "")])
        time.sleep(20)
        with contextlib.ExitStack() as stack:
            ids = None
            if store is not None:
                ids = stack.enter_context(ClassInBackground(port, store, students).polling()).student_ids
            scenarios += _page_scenarios(process.pid, port, pages, students, ids)
            if train:
                different = INPUTS["learning"][0]
                visits = [("learning", _in(ids, i, different(i) + "&ln_train=true")) for i in range(train)]
                scenarios.append(
                    play(process.pid, port, f"training: {train} different texts at once", visits)
                )
                time.sleep(5)
                scenarios[-1].rss_after_mb = _proc_status(process.pid)["VmRSS"]
        status = _proc_status(process.pid)
        scenarios.append(Scenario("whole run", peak_rss_mb=status["VmHWM"], rss_after_mb=status["VmRSS"]))
    return scenarios


def _in(student_ids: list[str] | None, i: int, query: str) -> str:
    """A visit's query, from student i of the class when there is one."""
    return query if student_ids is None else f"{query}&student={student_ids[i % len(student_ids)]}"


def _page_scenarios(
    pid: int, port: int, pages: list[str], students: int, ids: list[str] | None
) -> list[Scenario]:
    scenarios = []
    for page in pages:
        different, same = INPUTS[page]
        warm = [(page, _in(ids, 0, different(len(WORDS) - 1)))]
        scenarios.append(play(pid, port, f"{page}: one warm visit, new inputs", warm))
        visits = [(page, _in(ids, i, different(i))) for i in range(students)]
        scenarios.append(play(pid, port, f"{page}: {students} at once, different inputs", visits))
        visits = [(page, _in(ids, i, same)) for i in range(students)]
        scenarios.append(play(pid, port, f"{page}: {students} at once, identical inputs", visits, True))
    return scenarios


def class_of_thirty(students: int, idle_seconds: float, store: ClassStore) -> dict:
    """A fresh server and one class on it (benchmarks/class_of_thirty.py)."""
    port = free_port()
    with streamlit_server(port) as process:
        wait_for_http(f"http://127.0.0.1:{port}/_stcore/health", process)
        asyncio.run(one_student(port, "", ""))  # the first visit starts the server's warm-up
        quiet = wait_until_quiet(process.pid)  # ... which loads the models: measure the class after it
        figures = asyncio.run(play_class(port, process.pid, store, students, idle_seconds))
        return {**figures, "server CPU before the class (% of one core)": round(quiet, 1)}


def following(students: int, moves: int, store: ClassStore) -> dict:
    """A fresh server, warmed up, and a class that follows the teacher's moves on it."""
    port = free_port()
    with streamlit_server(port) as process:
        wait_for_http(f"http://127.0.0.1:{port}/_stcore/health", process)
        asyncio.run(one_student(port, "", ""))  # the first visit starts the server's warm-up
        quiet = wait_until_quiet(process.pid)
        figures = asyncio.run(play_follow(port, store, students, moves))
        return {**figures, "server CPU before the class (% of one core)": round(quiet, 1)}


def markdown(rows: list[dict]) -> str:
    columns = ["scenario", "sessions", "p50 s", "p95 s", "max s", "exceptions", "identical",
               "peak RSS MB", "RSS after MB"]  # fmt: skip
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join("" if row[c] is None else str(row[c]) for c in columns) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--train", type=int, default=10, help="simultaneous training runs (0: none)")
    parser.add_argument("--only", nargs="*", default=None, help="arrivals, training and/or page names")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--without-class", action="store_true", help="pages and training outside any class")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds the class polls idle (CPU)")
    parser.add_argument("--moves", type=int, default=10, help="the teacher's moves in the follow scenario")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    folder = Path(tempfile.mkdtemp(prefix="classroom-benchmark-"))
    os.environ["CLASSROOM_DB_URL"] = f"sqlite:///{folder / 'class.sqlite3'}"  # the servers' class database
    store = ClassStore(os.environ["CLASSROOM_DB_URL"])
    only = set(args.only) if args.only else {"arrivals", "training", "class", "follow", *INPUTS}
    pages = [page for page in INPUTS if page in only]
    scenarios = arrivals(args.students) if "arrivals" in only else []
    class_figures = class_of_thirty(args.students, args.idle, store) if "class" in only else None
    follow_figures = following(args.students, args.moves, store) if "follow" in only else None
    if pages or "training" in only:
        in_class = None if args.without_class else store
        scenarios += lesson_pages(pages, args.students, args.train if "training" in only else 0, in_class)
    rows = [scenario.row() for scenario in scenarios]
    load = os.getloadavg()
    print(" · ".join(f"{name}: {value}" for name, value in machine()))  # noqa: T201 - the report is this script's output
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n")  # noqa: T201 - the report is this script's output
    print(markdown(rows))  # noqa: T201 - the report is this script's output
    for row in rows:
        if row["first exception"]:
            print(f"\n{row['scenario']}: {row['first exception']}")  # noqa: T201 - the report is this script's output
    if class_figures is not None:
        print("\nA teacher and", class_figures["students"], "students in one class:")  # noqa: T201 - the report is this script's output
        for name, value in class_figures.items():
            print(f"- {name}: {value}")  # noqa: T201 - the report is this script's output
    if follow_figures is not None:
        print("\nA class that follows the teacher:")  # noqa: T201 - the report is this script's output
        for name, value in follow_figures.items():
            print(f"- {name}: {value}")  # noqa: T201 - the report is this script's output
    if args.json:
        figures = {"pages": rows, "class": class_figures, "follow": follow_figures}
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
