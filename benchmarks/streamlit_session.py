"""One student without a browser: Streamlit's own websocket protocol, spoken from Python.

A browser tab talks to a Streamlit server over one websocket at ``/_stcore/stream``: it sends
``BackMsg`` protobufs (run the page with this URL and these widget values) and receives
``ForwardMsg`` protobufs (the page's elements, then "script finished"). This module does the same
with the installed streamlit package's protobuf classes, so a script can be thirty students at once
against a server started on 127.0.0.1. Used by ``benchmarks/classroom.py`` and by the start-up
race test.

A student in a class also does what the browser does for a fragment with ``run_every``: the page
run announces the fragment (``auto_rerun``), and :meth:`Student.tick` reruns just that fragment, as
the browser's timer does; :meth:`Student.tick` with widget states answers a question (a form's box
and its submit button). When the server moves the session to another page on its own (a student
following the teacher's step: ``st.switch_page`` from the fragment), the student goes with it, as a
browser does: its page, address and fragments are the ones the server last announced.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = ForwardMsg.ScriptFinishedStatus
DONE = {
    FINISHED.FINISHED_SUCCESSFULLY,
    FINISHED.FINISHED_WITH_COMPILE_ERROR,
    FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


@dataclass
class PageRun:
    """What one run of a page sent back: its elements' text, exceptions, and how long it took."""

    seconds: float = 0.0
    exceptions: list[str] = field(default_factory=list)
    shown: dict[tuple[int, ...], str] = field(default_factory=dict)  # what each place on the page shows last
    buttons: dict[str, str] = field(default_factory=dict)  # label -> widget id (buttons, form submits)
    inputs: dict[str, str] = field(default_factory=dict)  # label -> widget id (text boxes)
    auto_reruns: dict[str, float] = field(default_factory=dict)  # fragment id -> seconds between reruns
    elements: int = 0
    bytes_received: int = 0
    finished_at: float = 0.0  # time.time() when the run finished (to compare with a database's clock)
    page: str = ""  # the url path of the page the run ended on (the server may have switched pages)
    query: str = ""  # and its address's query string

    @property
    def texts(self) -> list[str]:
        """Markdown, metrics, alerts, captions and table hashes, in page order, as finally shown.

        A place that showed a passing notice ("2 other students are ahead of you") and was then
        emptied or refilled counts only with what it shows at the end.
        """
        return [text for _, text in sorted(self.shown.items()) if text]

    @property
    def fingerprint(self) -> str:
        """A hash of what the student reads (text, numbers, tables); charts' generated names excluded."""
        return hashlib.sha256("\n".join(self.texts).encode()).hexdigest()[:16]


def _read_element(element, path: tuple[int, ...], run: PageRun) -> None:
    kind = element.WhichOneof("type")
    run.elements += 1
    text = ""
    if kind == "exception":
        run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
    elif kind == "markdown":
        text = element.markdown.body
    elif kind == "metric":
        text = f"{element.metric.label}={element.metric.body}"
    elif kind == "alert":
        text = element.alert.body
    elif kind in ("text", "code"):
        text = getattr(element, kind).body if kind == "text" else element.code.code_text
    elif kind in ("dataframe", "table"):
        text = hashlib.sha256(getattr(element, kind).arrow_data.data).hexdigest()
    elif kind == "button":
        run.buttons[element.button.label] = element.button.id
    elif kind == "text_input":
        run.inputs[element.text_input.label] = element.text_input.id
    run.shown[path] = text


def _rerun_message(
    page: str,
    query: str,
    triggers: tuple[str, ...] = (),
    texts: dict[str, str] | None = None,
    fragment_id: str = "",
    page_script_hash: str = "",
) -> bytes:
    """A rerun of ``page`` (or of one fragment of it), pressing ``triggers`` and typing ``texts``
    (widget id -> text)."""
    message = BackMsg()
    message.rerun_script.query_string = query
    message.rerun_script.page_name = page
    message.rerun_script.page_script_hash = page_script_hash
    if fragment_id:
        message.rerun_script.fragment_id = fragment_id
        message.rerun_script.is_auto_rerun = not triggers
    for widget_id, text in (texts or {}).items():
        state = message.rerun_script.widget_states.widgets.add()
        state.id = widget_id
        state.string_value = text
    for widget_id in triggers:
        state = message.rerun_script.widget_states.widgets.add()
        state.id = widget_id
        state.trigger_value = True
    return message.SerializeToString()


class Student:
    """One browser tab: a websocket session that runs pages and waits for them to finish."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.url = f"ws://{host}:{port}/_stcore/stream"
        self.socket = None
        self.page, self.query, self.page_script_hash = "", "", ""
        self.fragments: dict[str, float] = {}  # the fragments that rerun on their own, and how often

    async def __aenter__(self) -> Student:
        self.socket = await websockets.connect(
            self.url, subprotocols=["streamlit"], max_size=None, open_timeout=60, ping_interval=None
        )
        return self

    async def __aexit__(self, *exc) -> None:
        await self.socket.close()

    async def run(
        self, page: str, query: str = "", triggers: tuple[str, ...] = (), timeout: float = 300
    ) -> PageRun:
        """Run `page` (its url path) with `query` (a URL query string), pressing the `triggers` buttons."""
        self.page, self.query, self.fragments = page, query, {}
        return await self._exchange(_rerun_message(page, query, triggers), timeout, f"{page}?{query}")

    async def tick(
        self, fragment_id: str, triggers: tuple[str, ...] = (), texts: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> PageRun:  # fmt: skip
        """Rerun one fragment of the current page, as the browser's timer does (or, with ``triggers``
        and ``texts``, as a click inside the fragment does)."""
        message = _rerun_message(
            self.page,
            self.query,
            triggers,
            texts,
            fragment_id=fragment_id,
            page_script_hash=self.page_script_hash,
        )
        return await self._exchange(message, timeout, f"fragment {fragment_id} of {self.page}")

    async def _exchange(self, message: bytes, timeout: float, what: str) -> PageRun:
        run = PageRun()
        start = time.perf_counter()
        await self.socket.send(message)
        deadline = start + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{what} did not finish in {timeout} s")
            data = await asyncio.wait_for(self.socket.recv(), left)
            run.bytes_received += len(data)
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                _read_element(message.delta.new_element, tuple(message.metadata.delta_path), run)
            elif kind == "new_session":
                self.page_script_hash = message.new_session.page_script_hash
            elif kind == "navigation":
                self._arrived(message.navigation)
            elif kind == "page_info_changed":
                self.query = message.page_info_changed.query_string
            elif kind == "auto_rerun":
                run.auto_reruns[message.auto_rerun.fragment_id] = message.auto_rerun.interval
            elif kind == "script_finished" and message.script_finished in DONE:
                break
        run.seconds = time.perf_counter() - start
        run.finished_at = time.time()
        run.page, run.query = self.page, self.query
        if run.auto_reruns:
            self.fragments = dict(run.auto_reruns)
        return run

    def _arrived(self, navigation) -> None:
        """A run of a whole page reached st.navigation: the page it runs is this session's page now."""
        self.page_script_hash = navigation.page_script_hash
        for page in navigation.app_pages:
            if page.page_script_hash == navigation.page_script_hash:
                self.page = page.url_pathname
