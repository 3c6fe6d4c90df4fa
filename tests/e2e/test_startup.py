"""The first minute of a class: many sessions open pages on a fresh server while it warms up.

No browser: each student speaks Streamlit's own websocket protocol (benchmarks/streamlit_session.py).
A fresh server starts loading both models in the background; pages opened meanwhile must wait
for the load or do it themselves, never fail (an import race once raised ImportError here).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from streamlit_session import Student  # noqa: E402

PAGES = ["trace", "dot-products", "context", "trace", "projections", "learning", "trace", ""]


async def _open(port: int, page: str, delay: float):
    await asyncio.sleep(delay)
    async with Student(port) as student:
        return await student.run(page, timeout=240)


async def _class(port: int):
    # everyone arrives within the first 1.5 s, the trace page (the slowest model load) three times
    visits = [_open(port, page, 0.2 * i) for i, page in enumerate(PAGES)]
    return await asyncio.gather(*visits)


@pytest.mark.slow
def test_pages_opened_during_the_warm_up_load_cleanly(fresh_server):
    runs = asyncio.run(_class(int(fresh_server.rsplit(":", 1)[1])))
    for page, run in zip(PAGES, runs, strict=True):
        assert not run.exceptions, (page or "home", run.exceptions)
        assert run.elements > 5, page  # the page was drawn, not just started
