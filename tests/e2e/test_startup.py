"""The first minute of a class: many sessions open pages on a fresh server while it warms up.

No browser: each student speaks Streamlit's own websocket protocol (benchmarks/streamlit_session.py).
A fresh server starts loading both models in the background; pages opened meanwhile must wait
for the load or do it themselves, never fail (an import race once raised ImportError here).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
from pathlib import Path

import pytest

# after the repository: `import classroom` must stay the class store, not benchmarks/classroom.py
sys.path.append(str(Path(__file__).resolve().parents[2] / "benchmarks"))
from streamlit_session import Student  # noqa: E402


def _run(coroutine):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps a loop in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


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
    runs = _run(_class(int(fresh_server.rsplit(":", 1)[1])))
    for page, run in zip(PAGES, runs, strict=True):
        assert not run.exceptions, (page or "home", run.exceptions)
        assert run.elements > 5, page  # the page was drawn, not just started


async def _visit(port: int, page: str, query: str):
    async with Student(port) as student:
        return await student.run(page, query, timeout=240)


@pytest.mark.slow
def test_a_link_with_settings_that_do_not_exist_says_which_were_ignored(fresh_server):
    port = int(fresh_server.rsplit(":", 1)[1])
    run = _run(_visit(port, "trace", "tr_tab=Nowhere&tr_model=no-such-model&tr_prompt=The%20storm%20is"))
    assert not run.exceptions
    notices = [text for text in run.texts if "This link asked for settings" in text]
    assert len(notices) == 1, run.texts[:5]
    # each setting named in words, with what the link asked for and what is shown instead
    assert "**Tab** shows" in notices[0] and "(the link asked for “Nowhere”)" in notices[0]
    assert "**Model** shows" in notices[0] and "(the link asked for “no-such-model”)" in notices[0]
    assert "tr_" not in notices[0] and "Prompt" not in notices[0]  # no internal keys; a used setting unnamed
