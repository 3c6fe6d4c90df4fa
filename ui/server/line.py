"""Heavy work in turn: one training run or backward pass at a time per server, in arrival order.

A class presses "train" together. Each run copies the model and keeps gradients and optimizer
state (about 2 GB for SmolLM2), so ten at once would take a hosted app far past its memory;
on two cores they would also only slow each other down. Heavy jobs therefore take turns through
one first-come, first-served line per server. A student whose job waits sees their place
("2 others are ahead of you") instead of a silent spinner, and after each job the memory it used
is handed back to the operating system once the line is empty.
"""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import TypeVar

import streamlit as st

from ui.server.memory import release_memory
from ui.server.results import results

POLL_SECONDS = 0.25  # how often a waiting student's place in line is refreshed

IDLE_RELEASE_SECONDS = 1.0  # memory goes back this long after the line empties, if it stays empty

T = TypeVar("T")


class Line:
    """A first-come, first-served line with ``slots`` jobs running at once.

    ``on_idle`` runs after the last job of a burst, when nobody runs or waits any more. With
    ``idle_delay`` seconds it runs in a background thread that long after the burst, and only if
    the line is still empty then: the student whose job ended the burst does not wait for it.
    """

    def __init__(
        self, slots: int = 1, on_idle: Callable[[], None] = lambda: None, idle_delay: float = 0.0
    ) -> None:
        self.slots, self.on_idle, self.idle_delay = slots, on_idle, idle_delay
        self._changed = threading.Condition()
        self._waiting: list[object] = []
        self._running = 0
        self._started = 0  # jobs started so far: a delayed on_idle runs only if none started since

    def _idle(self) -> None:
        if not self.idle_delay:
            self.on_idle()
            return
        with self._changed:
            started = self._started
        timer = threading.Timer(self.idle_delay, self._idle_if_still, args=(started,))
        timer.daemon = True
        timer.start()

    def _idle_if_still(self, started: int) -> None:
        with self._changed:
            still = self._started == started and self._running == 0 and not self._waiting
        if still:
            self.on_idle()

    def ahead_of(self, ticket: object) -> int:
        """How many jobs run or wait before ``ticket``."""
        with self._changed:
            return self._running + self._waiting.index(ticket)

    @contextlib.contextmanager
    def turn(self, on_wait: Callable[[int], None] = lambda ahead: None) -> Iterator[None]:
        """Wait for a turn, calling ``on_wait(number ahead)`` while waiting; then run the block."""
        ticket = object()
        with self._changed:
            self._waiting.append(ticket)
        try:
            while True:
                with self._changed:
                    if self._running < self.slots and self._waiting[0] is ticket:
                        self._waiting.pop(0)
                        self._running += 1
                        self._started += 1
                        break
                    ahead = self._running + self._waiting.index(ticket)
                on_wait(ahead)  # outside the lock: it draws on the page
                with self._changed:
                    self._changed.wait(POLL_SECONDS)
        except BaseException:
            with self._changed:
                self._waiting.remove(ticket)
                self._changed.notify_all()
            raise
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                idle = self._running == 0 and not self._waiting
                self._changed.notify_all()
            if idle:
                self._idle()


@st.cache_resource(show_spinner=False)
def line() -> Line:
    """The server's one line for heavy jobs, shared by every session.

    Memory goes back to the operating system once the line empties: after every job it would cost
    a full garbage collection each (a profile of 30 students: 44 % of the server's time), and a job
    that follows at once reuses the freed memory anyway. It happens a moment later in the
    background: done in the session of the last job, it was 42 % of one student's visit to the
    learning page (a profile of six visits one after another).
    """
    return Line(slots=1, on_idle=release_memory, idle_delay=IDLE_RELEASE_SECONDS)


@contextlib.contextmanager
def in_turn(what: str) -> Iterator[None]:
    """Run the block when this session's turn comes; show its place in line meanwhile."""
    notice = st.empty()

    def show(ahead: int) -> None:
        others = "1 other student is" if ahead == 1 else f"{ahead} other students are"
        notice.info(f"{what}: {others} ahead of you. Your turn comes next in line.", icon="⏳")

    try:
        with line().turn(show):
            notice.empty()
            yield
    finally:
        notice.empty()


def computed_in_turn(key: Hashable, compute: Callable[[], T], what: str, release: bool = False) -> T:
    """``compute()`` once per key for the whole server, in turn with other heavy jobs.

    A result already computed (by any session) comes back at once, without queueing; sessions
    asking for the same key while it is computed wait in line and then read the stored result.
    ``release`` hands memory back to the operating system right after the job, for jobs as big as a
    model copy (a training run): six runs in a row otherwise left each trough ~50 MB higher.
    """
    store = results()
    found = store.get(key)
    if found is not None:
        return found
    with in_turn(what), st.spinner(f"{what}…"):
        found = store.get(key)  # computed by someone ahead in line
        if found is not None:
            return found
        value = compute()
        store.put(key, value)
        if release:
            release_memory()
    return value


class Pending:
    """Jobs of one kind waiting in the line, so the first to get its turn can take the others along."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: collections.OrderedDict[Hashable, object] = collections.OrderedDict()

    def add(self, key: Hashable, item: object) -> None:
        with self._lock:
            self._items.setdefault(key, item)

    def take(self, key: Hashable, most: int) -> list[tuple[Hashable, object]]:
        """``key``'s job (if still waiting) and up to ``most`` - 1 others, oldest first; all removed."""
        with self._lock:
            chosen = [key] if key in self._items else []
            chosen += [other for other in self._items if other != key][: most - len(chosen)]
            return [(k, self._items.pop(k)) for k in chosen]


@st.cache_resource(show_spinner=False, max_entries=8)  # one kind per model and job
def pending(kind: str) -> Pending:
    """The jobs of ``kind`` waiting in the server's line."""
    return Pending()


def computed_together(
    kind: str,
    key: Hashable,
    item: object,
    compute_many: Callable[[list], list],
    what: str,
    most: int = 8,
):
    """Like :func:`computed_in_turn`, but the session whose turn comes computes every waiting job of
    the same kind with its own, up to ``most``, in one call of ``compute_many(items)``.

    ``compute_many`` returns one value per item, or the exception to raise for that item (kept
    like a value, so the same input gives the same message without a second pass). For work whose
    cost is mostly fixed per call (a batched forward pass reads the weights once), a class waiting
    together is served together.
    """
    store = results()
    found = store.get(key)
    if found is None:
        jobs = pending(kind)
        jobs.add(key, item)
        with in_turn(what), st.spinner(f"{what}…"):
            found = store.get(key)  # computed by someone ahead in line, with theirs
            if found is None:
                batch = jobs.take(key, most) or [(key, item)]  # taken but not stored: its batch failed
                for (job_key, _), value in zip(batch, compute_many([job for _, job in batch]), strict=True):
                    store.put(job_key, value)
                    if job_key == key:
                        found = value
    if isinstance(found, BaseException):
        raise found
    return found
