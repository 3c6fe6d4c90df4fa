"""A lesson as the back row and a phone see it: one table, one column per checkout (issue 23).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/lesson_flow.py --repo /work/wt/before --repo .
    make flow REPOS="/work/wt/before ."

For each checkout given with ``--repo``, its own app is started (``<repo>/.venv/bin/streamlit run
app.py``, cwd = the checkout, offline), warmed (every page visited once) and measured in headless
Chromium, one section after another, the checkouts taking turns, so before and after come from
the same run on the same machine:

- ``projector``: presenter mode at 1024x768: how many screens one scrolls before each key moment
  of the lesson (``KEY_MOMENTS``: its top in the page / 768) and how long two long tabs are.
- ``phone``: 390x844, touch: how far every page and every tab of Inside the model scrolls
  sideways, how many charts are wider than their column, and whether the two answers a student
  looks for (``PHONE_ANSWERS``) can be read without swiping.
- ``contrast``: WCAG contrast of a Vega chart's axis text and of captions, light and dark theme.
- ``waits``: warm seconds until four slow views are ready (``WAITS``, median of ``--repeats``),
  and the bytes the vocabulary map sends over the websocket.

``--screenshots DIR`` also photographs every page and tab at 1024x768 (presenter), 390x844 and
1440x900, and each step of Start here's journey as it opens on the projector, under
DIR/<checkout>/. Wording that a fix changes is matched by the regular expressions in the tables
below: adjust them there. The load average is printed at the start and the end: on a shared
machine, compare seconds only from one run. Never part of ``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PROJECTOR = {"viewport": {"width": 1024, "height": 768}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
LAPTOP = {"viewport": {"width": 1440, "height": 900}}
log = logging.getLogger("lesson_flow")
SECTIONS = ("projector", "phone", "contrast", "waits", "screenshots")  # screenshots: only when asked

SERVER_START_S = 180  # a cold import of torch and transformers on a busy machine
LOAD_MS = 240_000  # a page's first visit loads its models
ACTION_MS = 120_000  # one change on a warm page
SETTLE_S = 15  # at most this long waiting for charts to stop moving the layout

TRACE_PROMPT = "The capital of France is"  # the lesson's prompt on every Inside the model view
T = TypeVar("T")
PAGES = ("home", "dot-products", "projections", "context", "trace", "learning")  # URL paths


# --------------------------------------------------------------------------- what is measured


@dataclass(frozen=True)
class View:
    """A page as a link opens it: its URL path ("home" is "/") and query settings."""

    path: str
    query: tuple[tuple[str, str], ...] = ()

    def url(self, base: str, **extra: str) -> str:
        query = urllib.parse.urlencode({**dict(self.query), **extra})
        return f"{base}/{'' if self.path == 'home' else self.path}" + (f"?{query}" if query else "")


def trace_view(tab: str) -> View:
    return View("trace", (("tr_tab", tab), ("tr_prompt", TRACE_PROMPT)))


@dataclass(frozen=True)
class KeyMoment:
    """The first visible element (in ``scope``) whose text matches ``pattern`` (a JavaScript regex
    matched against textContent, so words in neighbouring boxes may run together)."""

    name: str
    view: View
    pattern: str
    scope: str = "[data-testid='stMain'] *"


BY_HAND = View("dot-products", (("dp_source", "hand-made"),))  # Start here's "Dot product" step
CHART_TEXT = "[data-testid='stMain'] [data-testid='stVegaLiteChart'] svg text"
KEY_MOMENTS = (
    KeyMoment("'128' (Dot products by hand)", BY_HAND, r"(?<![\d(.])128(?![\d).])"),
    KeyMoment("'Paris p = 0.773' (Next token)", trace_view("Next token"), r"Paris[\s\S]{0,60}?p\s*=\s*0\.77"),
    KeyMoment("logit lens row with Paris (Whole model)", trace_view("Whole model"), r"Paris", CHART_TEXT),
    KeyMoment("'first becomes the top token' (Whole model)", trace_view("Whole model"), r"first becomes the"),
    KeyMoment("'Train a private copy' (Learning)", View("learning"), r"Train a private copy"),
)  # fmt: skip
LONG_TABS = ("Whole model", "Why this token")  # their length in screens, with the lesson's prompt


@dataclass(frozen=True)
class PhoneAnswer:
    """An element a student must read: visible without swiping sideways?

    ``pattern`` finds it (as in KeyMoment); with ``rightmost``, the pattern finds a chart and the
    answer is that chart's rightmost axis label (the last position of a grid)."""

    name: str
    view: View
    pattern: str
    scope: str = "[data-testid='stMain'] *"
    rightmost: bool = False


PHONE_ANSWERS = (
    PhoneAnswer("worked formula's '= 128' visible", BY_HAND, r"=\s*128(?![\d.])"),
    PhoneAnswer(
        "logit lens's last position visible",
        trace_view("Whole model"),
        r"Paris",
        "[data-testid='stMain'] [data-testid='stVegaLiteChart']",
        rightmost=True,
    ),
)


@dataclass(frozen=True)
class Wait:
    """A slow view, timed two ways until ``ready`` (a JavaScript predicate, checked once the script
    has finished): from ``act`` in a new tab just opened on ``view`` (as a student changes a
    setting), and, when the view has a ``link``, from opening that link in a new tab. A new tab
    each time: the browser keeps large messages it has seen, so a repeat in one tab is faster
    than any student's first time."""

    name: str
    view: View
    act: Callable[[object], None]
    ready: str
    link: View | None = None
    bytes_sent: bool = False


def click_text(text: str) -> Callable[[object], None]:
    """Click the widget labelled exactly ``text`` (a toggle, a radio option, a segmented button)."""
    return lambda page: page.locator("[data-testid='stMain']").get_by_text(text, exact=True).first.click()


def choose(label: str, option: str) -> Callable[[object], None]:
    """Pick ``option`` in the select box labelled ``label``."""

    def act(page) -> None:
        box = page.get_by_role("combobox", name=label, exact=True)
        box.click()
        box.fill(option)
        page.get_by_role("option", name=option, exact=True).click()

    return act


PLOTLY_POINTS = """(least) => Array.from(document.querySelectorAll(".js-plotly-plot"))
  .some((gd) => (gd._fullData || []).reduce((n, t) => n + (t.x ? t.x.length : 0), 0) >= least)"""
PLOTLY_3D = """() => Array.from(document.querySelectorAll(".js-plotly-plot"))
  .some((gd) => (gd._fullData || []).some((t) => t.type === "scatter3d") && gd.querySelector("canvas"))"""
CHART_SAYS = """(pattern) => Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] svg text"))
  .some((t) => new RegExp(pattern).test(t.textContent))"""
VOCABULARY = View("projections", (("pj_view", "Vocabulary"),))
WAITS = (
    Wait(
        "whole-vocabulary map (Projections)",
        VOCABULARY,
        click_text("Whole vocabulary"),
        f"() => ({PLOTLY_POINTS})(20000)",  # the encoder's whole-word vocabulary: 21,719 points
        link=View("projections", (*VOCABULARY.query, ("pj_all", "true"))),
        bytes_sent=True,
    ),
    Wait(
        "Words in context: switch to the causal LM",
        View("context"),
        click_text("causal LM"),
        f"() => ({CHART_SAYS})('^[A-Za-z ]*29$')",  # "layer 29": a layer the 6-layer encoder lacks
        link=View("context", (("cx_model", "causal LM"),)),
    ),
    Wait(
        "3D view (Projections)",
        View("projections"),
        click_text("3D"),
        PLOTLY_3D,
        link=View("projections", (("pj_dims", "3D"),)),
    ),
    Wait(
        "Dot products: preset change",  # the preset is not kept in the URL: no link to time
        View("dot-products"),
        choose("Lesson preset", "King, queen, monarchy, banana"),
        f"() => ({CHART_SAYS})('monarchy')",
    ),
)


# --------------------------------------------------------------------------- in the page (JavaScript)

# The script has finished, nothing is spinning, and the page drew something.
SETTLED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const busy = "[data-testid='stStatusWidget'], [data-testid='stExpanderIconSpinner'],"
    + " [data-testid='stSpinner'], [data-testid='stSkeleton']";
  if (document.querySelector(busy)) return false;
  return document.querySelector("[data-testid='stMain'] [data-testid='stElementContainer']") !== null;
}"""
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll(
  "[data-testid='stVegaLiteChart'], [data-testid='stGraphVizChart'], [data-testid='stPlotlyChart'],"
  + " [data-testid='stBidiComponentRegular'] .js-plotly-plot"
)).every((chart) => chart.querySelector("canvas, svg") || chart.getBoundingClientRect().width === 0)"""
# Counts finished script runs from now on: an action is done once a run it started has finished.
WATCH_RUNS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  window.__flow = {running: false, finished: 0};
  new MutationObserver(() => {
    const state = app.getAttribute("data-test-script-state");
    if (state === "running") window.__flow.running = true;
    else if (state === "notRunning" && window.__flow.running) {
      window.__flow.running = false;
      window.__flow.finished += 1;
    }
  }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""
# Streamlit scrolls inside its main block (stMain), not the document.
HELPERS = """
const main = () => document.querySelector("[data-testid='stMain']");
const scroller = () => {
  const m = main();
  return m && m.scrollHeight > m.clientHeight ? m : document.scrollingElement;
};
const shown = (el) => {
  if (el.closest(".katex-mathml, annotation")) return false;
  const r = el.getBoundingClientRect();
  return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== "hidden";
};
const textOf = (el) => el.textContent || "";
// The deepest shown elements matching the pattern, in page order.
const matches = (scope, pattern) => {
  const re = new RegExp(pattern);
  return Array.from(document.querySelectorAll(scope)).filter((el) => re.test(textOf(el))
    && !Array.from(el.children).some((child) => re.test(textOf(child))) && shown(el));
};
// Where the matched words themselves are drawn (a wide box may hold text that overflows it).
const textBox = (el, re) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), nodes = [];
  let text = "";
  while (walker.nextNode()) {
    nodes.push([walker.currentNode, text.length]);
    text += walker.currentNode.data;
  }
  const m = re.exec(text);
  if (!m) return el.getBoundingClientRect();
  const at = (i) => {
    let k = nodes.length - 1;
    while (k > 0 && nodes[k][1] > i) k--;
    return [nodes[k][0], Math.min(i - nodes[k][1], nodes[k][0].data.length)];
  };
  const range = document.createRange();
  range.setStart(...at(m.index));
  range.setEnd(...at(m.index + m[0].length));
  const drawn = Array.from(range.getClientRects()).filter((r) => r.width > 0 && r.height > 0);
  if (!drawn.length) return el.getBoundingClientRect();
  return {left: Math.min(...drawn.map((r) => r.left)), right: Math.max(...drawn.map((r) => r.right))};
};
// The part of the page's width an element may be seen in: the screen, cut by every ancestor that clips.
const window_of = (el) => {
  let left = 0, right = Math.min(window.innerWidth, document.documentElement.clientWidth);
  for (let a = el.parentElement; a; a = a.parentElement) {
    if (getComputedStyle(a).overflowX === "visible") continue;
    const r = a.getBoundingClientRect();
    left = Math.max(left, r.left);
    right = Math.min(right, r.right);
  }
  return {left, right};
};
"""
LOCATE = (
    """([scope, pattern]) => {"""
    + HELPERS
    + """
  const box = scroller(), origin = box === document.scrollingElement ? 0 : box.getBoundingClientRect().top;
  let best = null;
  for (const el of matches(scope, pattern)) {
    const top = el.getBoundingClientRect().top - origin + box.scrollTop;
    if (best === null || top < best.top) best = {top, text: textOf(el).trim().slice(0, 70)};
  }
  return best;
}"""
)
PAGE_LENGTH = (
    """() => {"""
    + HELPERS
    + """
  return scroller().scrollHeight;
}"""
)
VISIBLE_SIDEWAYS = (
    """([scope, pattern, rightmost]) => {"""
    + HELPERS
    + """
  const re = new RegExp(pattern);
  let found = rightmost ? Array.from(document.querySelectorAll(scope)).find((el) => re.test(textOf(el)))
    : matches(scope, pattern)[0];
  if (!found) return null;
  let box = found.getBoundingClientRect();
  if (rightmost) {
    const labels = Array.from(found.querySelectorAll(".role-axis-label text")).filter(shown);
    if (!labels.length) return null;
    const right = (el) => el.getBoundingClientRect().right;
    found = labels.reduce((a, b) => (right(b) > right(a) ? b : a));
    box = found.getBoundingClientRect();
  } else {
    box = textBox(found, re);
  }
  const w = window_of(found);
  const past = Math.round(Math.max(box.right - w.right, w.left - box.left, 0));
  return {text: textOf(found).trim().slice(0, 40), past};
}"""
)
SIDEWAYS = """() => {
  const doc = document.scrollingElement, main = document.querySelector("[data-testid='stMain']");
  return Math.max(doc.scrollWidth - doc.clientWidth, main ? main.scrollWidth - main.clientWidth : 0);
}"""
WIDE_CHARTS = """() => {
  const charts = ["stVegaLiteChart", "stPlotlyChart", "stBidiComponentRegular", "stGraphVizChart",
    "stDeckGlJsonChart", "stPyplot"]
    .map((id) => `[data-testid='${id}']`).join(", ");
  const wide = [];
  for (const chart of document.querySelectorAll(charts)) {
    const own = chart.getBoundingClientRect();
    if (own.width < 2) continue;  // in a closed expander or tab
    const holder = chart.closest("[data-testid='stColumn'], [data-testid='stVerticalBlock']");
    const column = holder.getBoundingClientRect();
    let width = own.width, right = own.right;
    for (const drawn of chart.querySelectorAll("svg, canvas")) {
      const r = drawn.getBoundingClientRect();
      if (r.width > 20) { width = Math.max(width, r.width); right = Math.max(right, r.right); }
    }
    if (width <= column.width + 1 && right <= column.right + 1) continue;
    // a chart may scroll inside a frame of its own, under a hint (ui/page/frames.scrolling_frame)
    const frame = chart.closest("[class*='st-key-scroll_end_'], [class*='st-key-scroll_start_']");
    const name = frame && frame.className.match(/st-key-scroll_(?:end|start)_(\\S+)/)[1];
    const hint = name && document.querySelector(`.st-key-scroll_hint_${name}`);
    const framed = Boolean(hint && hint.getBoundingClientRect().height > 0);
    wide.push(`${chart.dataset.testid} ${Math.round(width)} px in ${Math.round(column.width)}`
      + (framed ? " (in a scrolling frame with a hint)" : ""));
  }
  return wide;
}"""
# WCAG contrast of the text found by `selector` against what is behind it (alpha composited).
CONTRAST = """(selector) => {
  const parse = (c) => {
    const m = (c || "").match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(parseFloat);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const behind = (el) => {
    const layers = [];
    const svg = el.closest("svg"), plate = svg && svg.querySelector(".background");
    if (plate) layers.push(parse(getComputedStyle(plate).fill));
    for (let a = el.parentElement; a; a = a.parentElement) {
      layers.push(parse(getComputedStyle(a).backgroundColor));
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.filter((c) => c && c[3] > 0).reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = (c) => {
    const linear = (v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
    const [r, g, b] = c.slice(0, 3).map(linear);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const rgb = (c) => `rgb(${c.slice(0, 3).map(Math.round).join(",")})`;
  let worst = null;
  for (const el of document.querySelectorAll(selector)) {
    if (el.getBoundingClientRect().width < 1 || !el.textContent.trim()) continue;
    const style = getComputedStyle(el), svgText = el instanceof SVGElement;
    const ink = parse(svgText ? style.fill : style.color);
    if (!ink) continue;
    ink[3] *= parseFloat(svgText ? style.fillOpacity : "1");
    for (let a = el; a; a = a.parentElement) ink[3] *= parseFloat(getComputedStyle(a).opacity);
    if (ink[3] < 0.05) continue;  // a label Vega hid (overlapping others): not read by anyone
    const back = behind(el), fore = over(ink, back);
    const [hi, lo] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (worst === null || ratio < worst.ratio) worst = {ratio, text: rgb(fore), back: rgb(back)};
  }
  return worst;
}"""
AXIS_TEXT = (
    "[data-testid='stVegaLiteChart'] svg .role-axis-label text, "
    "[data-testid='stVegaLiteChart'] svg .role-axis-title text"
)
CAPTIONS = "[data-testid='stMain'] [data-testid='stCaptionContainer']"
CONTRAST_VIEW = View("dot-products")  # Vega charts with axes, and captions
THEMES = {"light": "light_theme", "dark": "dark_theme"}  # Streamlit's ?embed_options= (also without embed)


# --------------------------------------------------------------------------- servers


@dataclass
class App:
    """One checkout's running app."""

    repo: Path
    label: str
    base: str
    process: subprocess.Popen | None = None
    notes: list[str] = field(default_factory=list)


def label_of(repo: Path) -> str:
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"{repo.name} ({commit})" if commit else repo.name


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_app(repo: Path, port: int, logs: Path) -> App:
    """``streamlit run app.py`` in the checkout, on ``port``; returns once /_stcore/health answers."""
    streamlit = repo / ".venv" / "bin" / "streamlit"
    if not streamlit.exists():
        raise SystemExit(f"{streamlit} is missing: that checkout needs its .venv")
    if not port_is_free(port):
        raise SystemExit(f"port {port} is taken: pass another --port")
    command = [str(streamlit), "run", "app.py", "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]  # fmt: skip
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    log = logs / f"lesson-flow-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=repo, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    app = App(repo, label_of(repo), f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + SERVER_START_S
    while not answers(f"{app.base}/_stcore/health"):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_app(app)
            raise SystemExit(f"{repo}: the app did not start; see {log}")
        time.sleep(0.5)
    return app


def stop_app(app: App) -> None:
    """Stop the server this script started (its own process group), politely first."""
    process = app.process
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


@contextlib.contextmanager
def running_apps(repos: list[Path], urls: list[str], port: int, logs: Path) -> Iterator[list[App]]:
    apps: list[App] = [App(Path("."), url, url.rstrip("/")) for url in urls]
    try:
        for offset, repo in enumerate(repos):
            log.info(f"starting {repo} on port {port + offset}")
            apps.append(start_app(repo.resolve(), port + offset, logs))
        yield apps
    finally:
        for app in apps:
            stop_app(app)


# --------------------------------------------------------------------------- the browser


def settle(page, timeout: int = LOAD_MS) -> None:
    """The script has finished, the charts are drawn and the page has stopped growing."""
    page.wait_for_function(SETTLED, timeout=timeout, polling=200)
    with contextlib.suppress(Exception):
        page.wait_for_function(CHARTS_DRAWN, timeout=20_000, polling=200)
    last, since, deadline = None, time.monotonic(), time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        height = page.evaluate(PAGE_LENGTH)
        if height != last:
            last, since = height, time.monotonic()
        elif time.monotonic() - since >= 1.0:
            return
        time.sleep(0.25)


@contextlib.contextmanager
def opened(browser, url: str, device: dict, frames: list[int] | None = None) -> Iterator[object]:
    """A fresh session (its own browser context) on ``url``, settled; closed afterwards. The sizes
    of the websocket frames it receives are appended to ``frames``."""
    context = browser.new_context(**device)
    try:
        page = context.new_page()
        if frames is not None:
            count_frames(page, frames)
        page.goto(url, wait_until="commit")
        settle(page)
        yield page
    finally:
        context.close()


def count_frames(page, frames: list[int]) -> None:
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(len(frame))))


def screens(pixels: float, device: dict) -> str:
    return f"{pixels / device['viewport']['height']:.1f}"


def attempt(app: App, what: str, measure: Callable[[], T], failed: T = "failed") -> T:
    """One figure, or ``failed`` (the reason kept as a note) when the page never got there."""
    try:
        return measure()
    except Exception as error:  # a timeout or a page that changed shape: say so, keep measuring
        app.notes.append(f"{what}: {type(error).__name__}: {str(error).splitlines()[0][:160]}")
        return failed


def visit(browser, url: str, device: dict) -> str:
    with opened(browser, url, device):
        return "ok"


# --------------------------------------------------------------------------- sections


Rows = dict[str, str]  # measurement → figure, for one app


def warm(browser, app: App) -> None:
    """Visit every page once (models loaded, caches filled), as a teacher would before class."""
    for path in PAGES:
        log.info(f"{app.label}: warming {path}")
        attempt(app, f"warm {path}", lambda path=path: visit(browser, View(path).url(app.base), LAPTOP))


def projector(browser, app: App) -> Rows:
    rows: Rows = {}
    for moment in KEY_MOMENTS:
        log.info(f"{app.label}: projector, {moment.name}")

        def measure(moment=moment) -> str:
            with opened(browser, moment.view.url(app.base, presenter="true"), PROJECTOR) as page:
                found = page.evaluate(LOCATE, [moment.scope, moment.pattern])
            if found is None:
                return "not found"
            app.notes.append(f"{moment.name}: found “{found['text']}” at y = {found['top']:.0f} px")
            return screens(found["top"], PROJECTOR)

        rows[f"screens before {moment.name}"] = attempt(app, moment.name, measure)
    for tab in LONG_TABS:

        def length(tab=tab) -> str:
            with opened(browser, trace_view(tab).url(app.base, presenter="true"), PROJECTOR) as page:
                return screens(page.evaluate(PAGE_LENGTH), PROJECTOR)

        rows[f"length of the {tab} tab, screens"] = attempt(app, f"{tab} length", length)
    return rows


def trace_tabs(browser, app: App) -> list[str]:
    """The tab names of Inside the model, read from the page itself."""
    with opened(browser, View("trace").url(app.base), LAPTOP) as page:
        return page.locator("[data-testid='stTabs'] [role='tab']").all_inner_texts()


def phone_views(browser, app: App) -> dict[str, View]:
    views = {path: View(path) for path in PAGES if path != "trace"}
    views["dot-products (by hand)"] = BY_HAND
    for tab in attempt(app, "trace tabs", lambda: trace_tabs(browser, app), failed=[]):
        views[f"trace: {tab.strip()}"] = trace_view(tab.strip())
    return views


def phone(browser, app: App) -> Rows:
    rows: Rows = {}
    for name, view in phone_views(browser, app).items():
        log.info(f"{app.label}: phone, {name}")

        def measure(view=view, name=name) -> str:
            with opened(browser, view.url(app.base), PHONE) as page:
                sideways, wide = page.evaluate(SIDEWAYS), page.evaluate(WIDE_CHARTS)
            if wide:
                app.notes.append(f"phone {name}: wider than their column: {'; '.join(wide)}")
            framed = sum("scrolling frame" in chart for chart in wide)
            inside = f" ({framed} in a scrolling frame)" if framed else ""
            return f"{sideways} px, {len(wide) - framed} wide{inside}"

        rows[f"phone {name}: sideways scroll, charts wider than their column"] = attempt(app, name, measure)
    for answer in PHONE_ANSWERS:
        log.info(f"{app.label}: phone, {answer.name}")

        def visible(answer=answer) -> str:
            with opened(browser, answer.view.url(app.base), PHONE) as page:
                found = page.evaluate(VISIBLE_SIDEWAYS, [answer.scope, answer.pattern, answer.rightmost])
            if found is None:
                return "not found"
            return (
                "yes" if found["past"] <= 1 else f"no ({found['past']} px past the edge: “{found['text']}”)"
            )

        rows[f"phone {answer.name}"] = attempt(app, answer.name, visible)
    return rows


def contrast(browser, app: App) -> Rows:
    rows: Rows = {}
    for theme, option in THEMES.items():
        log.info(f"{app.label}: contrast, {theme} theme")
        url = CONTRAST_VIEW.url(app.base, presenter="true", embed_options=option)
        for what, selector in (("chart axis text", AXIS_TEXT), ("captions", CAPTIONS)):

            def measure(url=url, selector=selector) -> str:
                with opened(browser, url, PROJECTOR) as page:
                    worst = page.evaluate(CONTRAST, selector)
                if worst is None:
                    return "not found"
                return f"{worst['ratio']:.2f}:1 ({worst['text']} on {worst['back']})"

            rows[f"contrast, {what}, {theme} theme (lowest)"] = attempt(app, f"{what} {theme}", measure)
    return rows


@dataclass
class Timings:
    """One app's figures for one wait: (seconds, bytes received) per change and per visit."""

    changes: list[tuple[float, int]] = field(default_factory=list)
    visits: list[tuple[float, int]] = field(default_factory=list)


def change(browser, app: App, wait: Wait) -> tuple[float, int]:
    """A new tab on the wait's page; seconds from the action until the script run it started has
    finished and the view is ready, and the bytes received meanwhile."""
    frames: list[int] = []
    with opened(browser, wait.view.url(app.base), LAPTOP, frames) as page:
        page.evaluate(WATCH_RUNS)
        frames.clear()
        start = time.monotonic()
        wait.act(page)
        ready = f"() => window.__flow.finished > 0 && ({SETTLED})() && ({wait.ready})()"
        page.wait_for_function(ready, timeout=ACTION_MS, polling=100)
        return time.monotonic() - start, sum(frames)


def open_link(browser, app: App, wait: Wait) -> tuple[float, int]:
    """Seconds from opening the wait's link in a new tab until the view is ready; bytes received."""
    frames: list[int] = []
    context = browser.new_context(**LAPTOP)
    try:
        page = context.new_page()
        count_frames(page, frames)
        start = time.monotonic()
        page.goto(wait.link.url(app.base), wait_until="commit")
        page.wait_for_function(f"() => ({SETTLED})() && ({wait.ready})()", timeout=LOAD_MS, polling=100)
        return time.monotonic() - start, sum(frames)
    finally:
        context.close()


def time_once(browser, app: App, wait: Wait, timings: Timings | None = None) -> Timings:
    """One change and one visit (when the view has a link), kept in ``timings`` (untimed: none)."""
    timings = timings if timings is not None else Timings()
    timings.changes.append(change(browser, app, wait))
    if wait.link is not None:
        timings.visits.append(open_link(browser, app, wait))
    return timings


def median_of(figures: list[tuple[float, int]]) -> tuple[str, str]:
    """(seconds: the median and every repeat, MB: the median), or "failed" for both."""
    if not figures:
        return "failed", "failed"
    seconds = [s for s, _ in figures]
    listed = ", ".join(f"{s:.1f}" for s in seconds)
    return (
        f"{statistics.median(seconds):.1f} ({listed})",
        f"{statistics.median(b for _, b in figures) / 1e6:.2f}",
    )


def wait_rows(wait: Wait, timings: Timings, repeats: int) -> Rows:
    rows: Rows = {}
    ways = [("change in a new tab", timings.changes)]
    if wait.link is not None:
        ways.append(("link opened in a new tab", timings.visits))
    for way, figures in ways:
        seconds, megabytes = median_of(figures)
        rows[f"wait: {wait.name}, {way}, s (median of {repeats})"] = seconds
        if wait.bytes_sent:
            rows[f"wait: {wait.name}, {way}, MB received over the websocket"] = megabytes
    return rows


def waits(browser, apps: list[App], repeats: int) -> dict[str, Rows]:
    """Each slow view, warm: once untimed (the server computes and caches it), then ``repeats``
    timed times, the apps taking turns so that a change in the machine's load hits them alike."""
    rows: dict[str, Rows] = {app.label: {} for app in apps}
    for wait in WAITS:
        timings = {app.label: Timings() for app in apps}
        for repeat in range(repeats + 1):
            for app in apps:
                log.info(
                    "%s: waits, %s (%s)", app.label, wait.name, f"{repeat}/{repeats}" if repeat else "untimed"
                )
                kept = timings[app.label] if repeat else None
                attempt(
                    app,
                    f"{wait.name} ({repeat})",
                    lambda app=app, w=wait, kept=kept: time_once(browser, app, w, kept),
                )
        for app in apps:
            rows[app.label].update(wait_rows(wait, timings[app.label], repeats))
    return rows


# --------------------------------------------------------------------------- screenshots


def full_page_screenshot(page, path: Path) -> None:
    """The whole page (Streamlit scrolls inside stMain): the window is made as tall as the page."""
    viewport = page.viewport_size
    height = min(page.evaluate(PAGE_LENGTH), 16_000)
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)


def journey_links(browser, app: App) -> list[tuple[str, str]]:
    """Start here's journey: (step, URL) of every lesson link on the home page."""
    with opened(browser, View("home").url(app.base), PROJECTOR) as page:
        return page.evaluate(JOURNEY_LINKS)


def shoot(browser, url: str, device: dict, path: Path, first_screen: bool = False) -> str:
    with opened(browser, url, device) as page:
        if first_screen:  # what the room sees on arrival, and the whole page beside it
            page.screenshot(path=str(path))
            path = path.with_name(path.stem + "-full.png")
        full_page_screenshot(page, path)
    return "ok"


# The home page's lesson links: (label without its icon's ligature text, href).
JOURNEY_LINKS = """() => Array.from(document.querySelectorAll(
  "[data-testid='stMain'] [data-testid='stPageLink'] a"
)).map((link) => {
    const label = link.cloneNode(true), icons = "[data-testid='stIconMaterial'], [data-testid='stIconEmoji']";
    label.querySelectorAll(icons).forEach((icon) => icon.remove());
    return [label.textContent.trim(), link.getAttribute("href")];
  })"""
SCREENSHOT_DEVICES = (
    ("presenter-1024", PROJECTOR, True),
    ("phone-390", PHONE, False),
    ("laptop-1440", LAPTOP, False),
)


def screenshots(browser, app: App, folder: Path) -> None:
    """Every view on every device, then each journey step on the projector, into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    views = phone_views(browser, app)
    for device_name, device, presenter in SCREENSHOT_DEVICES:
        for name, view in views.items():
            log.info("%s: screenshot %s %s", app.label, device_name, name)
            url = view.url(app.base, **({"presenter": "true"} if presenter else {}))
            path = folder / f"{device_name}-{slug(name)}.png"
            attempt(
                app, path.name, lambda url=url, path=path, device=device: shoot(browser, url, device, path)
            )
    steps = attempt(app, "journey links", lambda: journey_links(browser, app), failed=[])
    for number, (step, href) in enumerate(steps, start=1):
        url = urllib.parse.urljoin(app.base + "/", href)
        url += ("&" if "?" in url else "?") + "presenter=true"
        path = folder / f"journey-{number:02d}-{slug(step)}.png"
        log.info("%s: screenshot journey step %s", app.label, step)
        attempt(
            app, path.name, lambda url=url, path=path: shoot(browser, url, PROJECTOR, path, first_screen=True)
        )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --------------------------------------------------------------------------- the table


def table(apps: list[App], rows: dict[str, Rows]) -> str:
    labels = [app.label for app in apps]
    names = list(dict.fromkeys(name for label in labels for name in rows[label]))
    lines = ["| measurement | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(rows[label].get(name, "") for label in labels) + " |")
    return "\n".join(lines)


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def report(apps: list[App], rows: dict[str, Rows], started: str) -> str:
    """The table, the load average at the start and the end, and what each page showed or refused."""
    lines = [table(apps, rows), ""]
    lines.append(f"Load average (1, 5, 15 min): {started} at the start, {load_average()} at the end "
                 f"({os.cpu_count()} cores).")  # fmt: skip
    lines += [f"- {app.label}: {note}" for app in apps for note in app.notes]
    return "\n".join(lines)


def measure_all(browser, apps: list[App], args: argparse.Namespace) -> dict[str, Rows]:
    rows: dict[str, Rows] = {app.label: {} for app in apps}
    for app in apps:
        warm(browser, app)
    per_app = {"projector": projector, "phone": phone, "contrast": contrast}
    for section in args.only:
        if section == "waits":
            for label, found in waits(browser, apps, args.repeats).items():
                rows[label].update(found)
        elif section == "screenshots":
            for app in apps:
                screenshots(browser, app, args.screenshots / slug(app.label))
        else:
            for app in apps:
                rows[app.label].update(per_app[section](browser, app))
    return rows


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", action="append", type=Path, default=[], help="a checkout (repeat)")
    parser.add_argument("--url", action="append", default=[], help="an app already running (repeat)")
    parser.add_argument("--port", type=int, default=8630, help="the first checkout's port (the next: +1…)")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="one section (repeat)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats of each wait (median)")
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="also photograph every view into DIR")
    args = parser.parse_args(argv)
    if not args.repo and not args.url:
        args.repo = [Path(".")]
    if args.only is None:  # every measurement, and the screenshots when a folder is given
        args.only = [s for s in SECTIONS if s != "screenshots" or args.screenshots is not None]
    if "screenshots" in args.only and args.screenshots is None:
        args.screenshots = Path("test-artifacts/flow")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the servers are stopped
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    from playwright.sync_api import sync_playwright

    logs = Path("test-artifacts")  # the servers' logs, git-ignored
    logs.mkdir(exist_ok=True)
    started = load_average()
    log.info("load average at start: %s", started)
    with running_apps(args.repo, args.url, args.port, logs) as apps, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            rows = measure_all(browser, apps, args)
        finally:
            browser.close()
    print(report(apps, rows, started))  # noqa: T201 - the report is this script's output
    return 0


if __name__ == "__main__":
    sys.exit(main())
