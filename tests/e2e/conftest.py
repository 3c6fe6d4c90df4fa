"""Real-browser fixtures: one `streamlit run app.py` per test session, driven by headless Chromium.

Chromium is Debian's package (`make browser`), driven by Playwright's Python package; Playwright's
own browser download is not used. Without /usr/bin/chromium the browser tests are skipped with a
reason, unless ``REQUIRE_BROWSER=1`` (set by CI), which turns the skip into a failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
VIEWPORT = {"width": 1280, "height": 900}
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
SERVER_START_SECONDS = 120  # a cold import of torch and transformers on a busy machine


def _browser_unavailable(reason: str) -> None:
    """Skip the browser tests, or fail them when CI demands a browser."""
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1, so this is a failure)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_for_health(base_url: str, process: subprocess.Popen, log: Path) -> None:
    """Poll /_stcore/health until the server answers; fail with its log if it dies or never answers."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        if _answers(f"{base_url}/_stcore/health"):
            return
        time.sleep(0.2)  # polling interval, not a wait for the app
    pytest.fail(f"streamlit did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop the server we started (its own process group), politely first."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium, shared by the session; each test opens its own context."""
    if not CHROMIUM.exists():
        _browser_unavailable(f"{CHROMIUM} is missing: install Debian's chromium (`make browser`)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("Playwright is not installed: pip install -r requirements-dev.txt")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def class_database(port: int) -> str:
    """The class database of the server on ``port``: its own SQLite file among the test artifacts (a
    test never writes into the app's cache folder)."""
    return f"sqlite:///{ARTIFACTS / f'classroom-{port}.sqlite3'}"


@contextlib.contextmanager
def started_app(
    port: int | None = None, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run `streamlit run app.py` on ``port`` (a free one by default) with ``env`` added to the
    environment; yield its base URL and process; always stop it. Its class database is
    :func:`class_database` unless ``env`` names another (``CLASSROOM_DB_URL``)."""
    port = port or int(os.environ.get("E2E_PORT") or free_port())  # a fixed port on a shared machine
    base_url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"streamlit-{port}.log"
    command = [
        str(Path(sys.executable).parent / "streamlit"),
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    env = {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "CLASSROOM_DB_URL": class_database(port),
        **(env or {}),
    }
    with log.open("a") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_for_health(base_url, process, log)
            yield base_url, process
        finally:
            stop(process)


@contextlib.contextmanager
def running_app() -> Iterator[str]:
    """This checkout's app (serve_app), or the one already running at ``E2E_APP_URL`` (another
    checkout's server, to check that a test fails on an older version of the app)."""
    if os.environ.get("E2E_APP_URL"):
        yield os.environ["E2E_APP_URL"].rstrip("/")
    else:
        with serve_app() as base_url:
            yield base_url


@contextlib.contextmanager
def serve_app() -> Iterator[str]:
    """Run `streamlit run app.py` on a free localhost port; yield its base URL; always stop it."""
    with started_app() as (base_url, _):
        yield base_url


@pytest.fixture(scope="session")
def app_url(browser) -> Iterator[str]:
    """The app served for the whole test session.

    Its home page is opened once first, as a teacher would before class: Streamlit runs a
    ``pages/`` folder the old way until app.py has called st.navigation once (see
    test_a_shared_link_opens_the_app_shell_on_a_fresh_server for the first request alone).
    """
    with running_app() as base_url:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto(base_url + "/", wait_until="commit")
            page.wait_for_selector(READY, timeout=SERVER_START_SECONDS * 1000)
        finally:
            context.close()
        yield base_url


@pytest.fixture
def fresh_server() -> Iterator[str]:
    """A fresh server for tests that speak Streamlit's websocket protocol (no browser needed)."""
    with serve_app() as base_url:
        yield base_url


@pytest.fixture
def fresh_app_url(browser) -> Iterator[str]:
    """A server of its own that no browser has visited yet."""
    with serve_app() as base_url:
        yield base_url


@pytest.fixture
def new_context(browser) -> Iterator[Callable[[], object]]:
    """Open fresh browser contexts (no shared cookies or session); all are closed after the test."""
    contexts = []

    def open_context():
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh browser context."""
    return new_context().new_page()
