"""A teacher and thirty students in one class on one server, over Streamlit's own websocket (no browser).

Every session behaves as a browser tab does in a class: it opens its page once, then reruns the class
panel's fragment on the timer the page announces (``run_every``), and acts between ticks (an answer, a
click). The teacher resumes the class with her resume link on the Dot products page (king and queen by
hand, so no model is involved) and presses *Ask the class* and *Reveal* there; the students sit on the
home page with their ``?student=`` links. Measured:

- idle: the 31 sessions polling while nothing happens, the server's CPU (% of one core, from /proc);
- open: seconds from the question's ``opened_at`` (in the database) to the first tick that shows it on
  each student's screen;
- answers: all 30 students send an answer in the same second; seconds from sending to "Received",
  and how many the database holds afterwards;
- reveal: seconds from ``revealed_at`` to the first tick that shows the reveal on each screen.

:func:`play_follow` is the ``follow`` scenario: the teacher moves the class through the steps of a
lesson (``ClassStore.set_step``, as her presenter bar does) and every student's session follows on
its own; measured per student and step, the seconds from the teacher's move to the end of that
session's run of the step's page with the step's settings.

:class:`ClassInBackground` keeps such a class polling while other scenarios run (the lesson pages
"with the class on").
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import random
import statistics
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from streamlit_session import PageRun, Student

from classroom import ClassStore

TEACHER_PAGE = "dot-products"
TEACHER_QUERY = {
    "dp_source": "hand-made",
    "dp_vectors": "king = [9, -5, 6]\nqueen = [8, -4, 6]",
    "dp_a": "king",
    "dp_b": "queen",
}
REACH_LIMIT = 30.0  # seconds a scenario waits for every screen before it reports who never saw it
Action = Callable[[Student, str], Awaitable[PageRun]]


@dataclass
class Member:
    """One tab in the class: its page, then ticks on the page's timer; queued actions run between ticks."""

    port: int
    page: str
    query: str
    actions: asyncio.Queue = field(default_factory=asyncio.Queue)
    last: PageRun | None = None  # the last run (a tick draws only the class panel)
    page_run: PageRun | None = None  # the last run of the whole page
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    ticks: int = 0
    interval: float = 0.0  # seconds between ticks, as the page announced
    seen: dict[str, float] = field(default_factory=dict)  # "open" / "reveal" -> wall time first seen
    errors: list[str] = field(default_factory=list)
    pages: list[tuple[float, str, str]] = field(default_factory=list)  # (wall time, page, query) of each run

    def observe(self, run: PageRun) -> None:
        self.last = run
        self.errors += run.exceptions
        self.pages.append((run.finished_at, run.page, run.query))
        if "Your guess" in run.inputs:
            self.seen.setdefault("open", run.finished_at)
        if any(text.startswith("The true value is") for text in run.texts):
            self.seen.setdefault("reveal", run.finished_at)

    async def live(self, stop: asyncio.Event) -> None:
        async with Student(self.port) as student:
            self.page_run = await student.run(self.page, self.query)
            self.observe(self.page_run)
            fragment, interval = next(iter(student.fragments.items()))
            self.interval = interval
            self.ready.set()
            # students open the page at different moments, so their timers are out of step
            due = time.monotonic() + interval * random.Random(self.query).random()
            while not stop.is_set():
                try:
                    action = await asyncio.wait_for(self.actions.get(), max(0.0, due - time.monotonic()))
                except TimeoutError:
                    action = None
                if action is None:
                    self.observe(await student.tick(fragment))
                    self.ticks += 1
                    due = max(due + interval, time.monotonic())
                    fragment = next(iter(student.fragments), fragment)  # a new page announces its own
                else:
                    self.observe(await action(student, fragment))
                    fragment = next(iter(student.fragments), fragment)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(pid: int, below: float = 5.0, window: float = 5.0, limit: float = 300.0) -> float:
    """Wait until the server's CPU over ``window`` seconds is under ``below`` % of one core (its
    warm-up done), at most ``limit`` seconds; the last window's %."""
    deadline, used = time.monotonic() + limit, float("inf")
    while time.monotonic() < deadline:
        before, started = cpu_seconds(pid), time.monotonic()
        time.sleep(window)
        used = 100 * (cpu_seconds(pid) - before) / (time.monotonic() - started)
        if used < below:
            break
    return used


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else float("nan")


def summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(statistics.median(values), 2), "p95": round(p95(values), 2),
            "max": round(max(values), 2)}  # fmt: skip


def a_class(store: ClassStore, students: int) -> tuple[str, str, list[str]]:
    code, key = store.create_class()
    return code, key, [store.join(code, nickname=f"S{i}") for i in range(students)]


def members(port: int, key: str, student_ids: list[str]) -> tuple[Member, list[Member]]:
    teacher_query = urllib.parse.urlencode({**TEACHER_QUERY, "resume": key})
    teacher = Member(port, TEACHER_PAGE, teacher_query)
    return teacher, [Member(port, "", urllib.parse.urlencode({"student": sid})) for sid in student_ids]


async def _wait_until(condition: Callable[[], bool], limit: float = REACH_LIMIT) -> None:
    deadline = time.monotonic() + limit
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


def answering(member: Member, value: str, acks: list[float], received: list[bool]) -> Action:
    """The member's answer, typed into the box its last run showed and sent: one tick with both."""

    async def act(student: Student, fragment: str) -> PageRun:
        last = member.last
        texts = {last.inputs["Your guess"]: value}
        run = await student.tick(fragment, triggers=(last.buttons["Send my answer"],), texts=texts)
        acks.append(run.seconds)
        received.append(any(text.startswith("Received:") for text in run.texts))
        return run

    return act


async def play_class(port: int, pid: int, store: ClassStore, students: int, idle_seconds: float) -> dict:
    """The scenario of the module docstring; its figures."""
    _, key, ids = a_class(store, students)
    teacher, class_ = members(port, key, ids)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(member.live(stop)) for member in (teacher, *class_)]
    await asyncio.wait_for(asyncio.gather(*(m.ready.wait() for m in (teacher, *class_))), 300)
    await asyncio.sleep(3)
    before, started, ticked = cpu_seconds(pid), time.monotonic(), sum(m.ticks for m in (teacher, *class_))
    await asyncio.sleep(idle_seconds)
    idle_cpu = 100 * (cpu_seconds(pid) - before) / (time.monotonic() - started)
    idle_ticks = sum(m.ticks for m in (teacher, *class_)) - ticked

    ask = teacher.page_run.buttons["Ask the class"]
    await teacher.actions.put(lambda s, f: s.run(TEACHER_PAGE, urllib.parse.urlencode(TEACHER_QUERY), (ask,)))
    await _wait_until(lambda: store.teacher_poll(key).question_id is not None)
    question = store.teacher_poll(key).question_id
    opened = store.question(question).opened_at.timestamp()
    await _wait_until(lambda: all("open" in m.seen for m in class_))

    acks: list[float] = []
    received: list[bool] = []
    for number, member in enumerate(class_):  # the same second: every answer queued at once
        member.actions.put_nowait(answering(member, str(100 + number), acks, received))
    await _wait_until(lambda: len(acks) == len(class_), 120)
    stored = store.answer_count(question)

    await _wait_until(lambda: teacher.last is not None and "Reveal" in teacher.last.buttons)
    reveal = teacher.last.buttons["Reveal"]
    await teacher.actions.put(lambda s, f: s.tick(f, triggers=(reveal,)))
    await _wait_until(lambda: store.question(question).state == "revealed")
    revealed = store.question(question).revealed_at.timestamp()
    await _wait_until(lambda: all("reveal" in m.seen for m in class_))
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    errors = [e for m in (teacher, *class_) for e in m.errors]
    return {
        "students": len(class_),
        "idle CPU % of one core": round(idle_cpu, 1),
        "idle ticks per second": round(idle_ticks / idle_seconds, 1) if idle_seconds else None,
        "poll interval (s)": teacher.interval,
        "question reached students (s)": summary(
            [m.seen["open"] - opened for m in class_ if "open" in m.seen]
        ),
        "answers acknowledged": f"{sum(received)} of {len(class_)} ({stored} in the database)",
        "acknowledgement (s)": summary(acks),
        "reveal reached students (s)": summary(
            [m.seen["reveal"] - revealed for m in class_ if "reveal" in m.seen]
        ),
        "exceptions": len(errors),
        "first exception": errors[0] if errors else None,
    }


FOLLOW_PAGE = "dot-products"  # with hand-made vectors it needs no model: the figure is the following


def follow_steps(moves: int) -> list[dict[str, str]]:
    """The settings of ``moves + 1`` steps of one lesson page, each step different from the last."""
    return [
        {"dp_source": "hand-made", "dp_vectors": f"v{i} = [{i}, 1, 2]\nw = [1, 2, 3]", "dp_a": f"v{i}",
         "dp_b": "w"}
        for i in range(moves + 1)
    ]  # fmt: skip


def arrived(member: Member, since: float, settings: dict[str, str]) -> float | None:
    """Seconds from ``since`` to the end of the member's first run of the step's page with its settings."""
    marker = urllib.parse.urlencode({"dp_vectors": settings["dp_vectors"]})  # a default (dp_a) leaves the URL
    for finished_at, page, query in member.pages:
        if finished_at >= since and page == FOLLOW_PAGE and marker in query.split("&"):
            return finished_at - since
    return None


def all_arrived(members: list[Member], since: float, settings: dict[str, str]) -> bool:
    return all(arrived(member, since, settings) is not None for member in members)


async def play_follow(port: int, store: ClassStore, students: int, moves: int) -> dict:
    """The follow scenario (module docstring): a class of ``students`` and ``moves`` moves of the teacher."""
    code, key, ids = a_class(store, students)
    steps = follow_steps(moves)
    store.set_step(key, index=0, page=FOLLOW_PAGE, settings=steps[0])  # where the class starts
    class_ = [Member(port, "", urllib.parse.urlencode({"student": sid})) for sid in ids]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(member.live(stop)) for member in class_]
    await asyncio.wait_for(asyncio.gather(*(m.ready.wait() for m in class_)), 300)
    await _wait_until(functools.partial(all_arrived, class_, 0, steps[0]), 120)
    await asyncio.sleep(3)
    delays: list[float] = []
    missed = 0
    for index in range(1, moves + 1):
        moved = time.time()
        store.set_step(key, index=index, page=FOLLOW_PAGE, settings=steps[index])
        step = steps[index]
        await _wait_until(functools.partial(all_arrived, class_, moved, step))
        reached = [arrived(m, moved, step) for m in class_]
        delays += [delay for delay in reached if delay is not None]
        missed += sum(delay is None for delay in reached)
        await asyncio.sleep(random.Random(index).uniform(1.0, 2.0))  # the teacher talks a moment
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    errors = [e for m in class_ for e in m.errors]
    return {
        "students": len(class_),
        "moves": moves,
        "poll interval (s)": class_[0].interval,
        "a move reached each student (s)": summary(delays),
        "never reached (within 30 s)": missed,
        "exceptions": len(errors),
        "first exception": errors[0] if errors else None,
    }


class ClassInBackground:
    """A class of ``students`` (and its teacher) polling in a thread of its own while other scenarios
    run; ``student_ids`` lets page visits come from the class's students."""

    def __init__(self, port: int, store: ClassStore, students: int) -> None:
        _, key, self.student_ids = a_class(store, students)
        self.teacher, self.members = members(port, key, self.student_ids)
        self.teacher.page, self.teacher.query = "", urllib.parse.urlencode({"resume": key})
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="class-in-background")

    def _run(self) -> None:
        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            tasks = [asyncio.create_task(m.live(self._stop)) for m in (self.teacher, *self.members)]
            await asyncio.gather(*(m.ready.wait() for m in (self.teacher, *self.members)))
            self._started.set()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run(main())

    @contextlib.contextmanager
    def polling(self) -> Iterator[ClassInBackground]:
        self._thread.start()
        self._started.wait(300)
        try:
            yield self
        finally:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(60)

    @property
    def ticks(self) -> int:
        return sum(m.ticks for m in (self.teacher, *self.members))
