"""Work that runs in a thread of its own, shared by every session that waits for it.

Every thread the app starts is started here (the warm-up, UMAP's compilation, a slow map): one
place to see what runs in the background of a server.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(eq=False)
class BackgroundJob:
    """One piece of work running in a daemon thread: its result or its error once ``done`` is set."""

    name: str
    started: float = field(default_factory=time.monotonic)
    result: object = None
    error: Exception | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def seconds(self) -> float:
        """Seconds since the job started."""
        return time.monotonic() - self.started

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the job; True once it is done."""
        return self.done.wait(seconds)


def start(work: Callable[[], object], name: str) -> BackgroundJob:
    """Run ``work()`` in a new daemon thread named ``name``; its result or exception lands on the job.

    An exception is kept (for the sessions that wait to say it), never raised in the thread.
    """
    job = BackgroundJob(name)

    def run() -> None:
        try:
            job.result = work()
        except Exception as error:  # noqa: BLE001 - handed to every waiting session, which says it
            log.exception("background job %s failed", name)
            job.error = error
        finally:
            job.done.set()

    threading.Thread(target=run, name=name, daemon=True).start()
    return job
