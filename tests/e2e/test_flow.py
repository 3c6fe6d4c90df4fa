"""A lesson from the back of the room and on a phone, in headless Chromium (issue 23, items 3 and 4).

Every page, the dot products worked by hand and every tab of Inside the model are opened on a
phone (390x844, touch), on a projector in presenter mode (1024x768) and on a laptop (1440x900):
the page never scrolls sideways, and no chart is wider than its column unless it scrolls inside a
frame of its own under a hint. On the projector every step of Start here's journey opens with its
key moment on the first screen, without scrolling; on the phone the worked sum's total and the
logit lens's last position (where the answer is) are read without swiping.

Screenshots land in ``test-artifacts/screenshots/flow/``; ``SAVE_DOCS_SCREENSHOTS=1`` also writes
the README's phone pictures (one screen each) to ``docs/screenshots/``. ``E2E_APP_URL`` points the
tests at a server already running (an older checkout, to see them fail there).
"""

from __future__ import annotations

import contextlib
import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.e2e.test_browser import (
    CHARTS_DRAWN,
    DOCS_SCREENSHOTS,
    SCREENSHOTS,
    assert_healthy,
    full_page_screenshot,
    page_url,
    save_docs_copy,
    settle,
)
from ui import journey
from ui.trace.tabs import TABS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
PROJECTOR = {"viewport": {"width": 1024, "height": 768}}
LAPTOP = {"viewport": {"width": 1440, "height": 900}}
DEVICES = {"phone": PHONE, "projector": PROJECTOR, "laptop": LAPTOP}  # the projector in presenter mode
PROMPT = "The capital of France is"  # the lesson's prompt on every tab of Inside the model
FLOW = SCREENSHOTS / "flow"
# The README's phone pictures: a view, scrolled to its heading, as one phone screen.
DOCS_PHONE_VIEWS = {
    "dot-products-by-hand": "One pair, step by step",
    "trace-whole-model": "The logit lens over the whole prompt",
}

LESSONS = {lesson.url_path: lesson for lesson in [journey.HOME, *journey.LESSONS]}
VIEWS: dict[str, tuple[str, dict[str, str]]] = {
    **{path: (path, {}) for path in LESSONS if path != "trace"},
    "dot-products-by-hand": ("dot-products", {"dp_source": "hand-made"}),
    **{
        f"trace-{tab.lower().replace(' ', '-')}": ("trace", {"tr_tab": tab, "tr_prompt": PROMPT})
        for tab in TABS
    },
}


def view_url(app_url: str, path: str, query: dict[str, str], presenter: bool = False) -> str:
    settings = {**query, **({"presenter": "true"} if presenter else {})}
    return page_url(app_url, LESSONS[path]) + ("?" + urllib.parse.urlencode(settings) if settings else "")


@contextlib.contextmanager
def opened_on(browser, device: str, url: str) -> Iterator[object]:
    """A fresh browser context on ``device``, the page opened, settled and its charts drawn."""
    context = browser.new_context(**DEVICES[device])
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        settle(page)
        page.wait_for_function(CHARTS_DRAWN, timeout=60_000, polling=200)
        page.wait_for_timeout(1_000)  # Vega sizes a chart to its column once drawn
        yield page
    finally:
        context.close()


# --------------------------------------------------------------------------- in the page

SIDEWAYS = """() => {
  const doc = document.scrollingElement, main = document.querySelector("[data-testid='stMain']");
  return Math.max(doc.scrollWidth - doc.clientWidth, main ? main.scrollWidth - main.clientWidth : 0);
}"""
# Charts wider than their column that do not sit in a scrolling frame whose hint is shown.
WIDE_CHARTS = """() => {
  const charts = ["stVegaLiteChart", "stPlotlyChart", "stGraphVizChart"]
    .map((id) => `[data-testid='${id}']`).join(", ");
  const shown = (el) => el && el.getBoundingClientRect().width > 1 && getComputedStyle(el).display !== "none";
  const wide = [];
  for (const chart of document.querySelectorAll(charts)) {
    if (!shown(chart)) continue;  // a closed section, or the variant for another width
    const holder = chart.closest("[data-testid='stColumn'], [data-testid='stVerticalBlock']");
    const column = holder.getBoundingClientRect();
    let width = chart.getBoundingClientRect().width, right = chart.getBoundingClientRect().right;
    for (const drawn of chart.querySelectorAll("svg, canvas")) {
      const r = drawn.getBoundingClientRect();
      if (r.width > 20) { width = Math.max(width, r.width); right = Math.max(right, r.right); }
    }
    if (width <= column.width + 1 && right <= column.right + 1) continue;
    const frame = chart.closest("[class*='st-key-scroll_end_'], [class*='st-key-scroll_start_']");
    const name = frame && frame.className.match(/st-key-scroll_(?:end|start)_(\\S+)/)[1];
    const hint = name && document.querySelector(`.st-key-scroll_hint_${name}`);
    if (!(frame && shown(hint))) wide.push(`${Math.round(width)} px in ${Math.round(column.width)}`);
  }
  return wide;
}"""


@dataclass(frozen=True)
class Moment:
    """What a view must show on its first screen: elements whose text matches ``pattern`` (a
    JavaScript regex), among ``kind``: "text" (the deepest elements of the page, whole), "chart
    text" (words a chart draws, every pattern of ``also`` as well) or "chart" (the whole chart
    that draws the pattern)."""

    pattern: str
    kind: str = "text"
    also: tuple[str, ...] = ()


FIRST_SCREEN = """([pattern, kind]) => {
  const re = new RegExp(pattern), height = window.innerHeight, width = window.innerWidth;
  const whole = (r) => r.width > 0 && r.top >= 0 && r.bottom <= height + 1
    && r.left >= 0 && r.right <= width + 1;
  const text = (el) => el.textContent || "";
  const place = (r) => ({top: Math.round(r.top), bottom: Math.round(r.bottom)});
  if (kind === "text") {
    const deepest = (el) => re.test(text(el)) && !Array.from(el.children).some((c) => re.test(text(c)));
    const found = Array.from(document.querySelectorAll("[data-testid='stMain'] *"))
      .filter((el) => deepest(el) && el.getBoundingClientRect().width > 1);
    return {found: found.length, seen: found.some((el) => whole(el.getBoundingClientRect())),
            where: found.slice(0, 3).map((el) => place(el.getBoundingClientRect()))};
  }
  const words = Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] svg text"))
    .filter((t) => re.test(text(t)) && t.getBoundingClientRect().width > 0);
  const boxes = kind === "chart"
    ? words.map((t) => t.closest("[data-testid='stVegaLiteChart']").getBoundingClientRect())
    : words.map((t) => t.getBoundingClientRect());
  return {found: boxes.length, seen: boxes.some(whole), where: boxes.slice(0, 3).map(place)};
}"""

# Each step of Start here's journey (ui.journey.JOURNEY), opened as its link opens it, in presenter
# mode: what the room must see at once. Inside the model shows its default prompt, "The storm is".
KEY_MOMENTS: dict[str, Moment] = {
    "token": Moment(r"reads \d+ tokens"),
    "vector": Moment(r"^dot product a·b\s*[-−]?\d"),
    "dot product": Moment(r"^dot product a·b\s*128$"),
    "projection": Moment(r"^king$", "chart text", also=(r"^queen$",)),
    "matrix multiply": Moment(r"^Multiply-adds for this prediction\s*[\d,]+$"),
    "attention": Moment(r"^q·k$", "chart"),
    "layers": Moment(r"^Self-similarity\s*[\d.]+$"),
    "logits": Moment(r"^Greedy choice\s*\S+\s*p = 0\.\d+$"),
    "probabilities": Moment(r"^Entropy\s*[\d.]+ bits"),
    "chosen token": Moment(r"^Append .* and step again$"),
    "learning": Moment(r"^Train a private copy now$"),
}
# With the lesson's prompt: the answer where the lens shows it, and said in words.
PARIS_MOMENTS = {
    "Next token": Moment(r"^Greedy choice\s*␣Paris\s*p = 0\.77"),
    "Whole model": Moment(r"^␣Paris 7\d%$", "chart text"),
    "Whole model, in words": Moment(r"␣Paris first becomes the top token at L\d+ MLP"),
}


def assert_on_first_screen(page, moment: Moment, what: str) -> None:
    for pattern in (moment.pattern, *moment.also):
        seen = page.evaluate(FIRST_SCREEN, [pattern, moment.kind])
        assert seen["found"], f"{what}: nothing matches {pattern!r}"
        assert seen["seen"], f"{what}: {pattern!r} is not on the first screen (at {seen['where']} of 768 px)"


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("view", list(VIEWS))
def test_nothing_scrolls_sideways_and_every_chart_fits(view, device, app_url, browser):
    path, query = VIEWS[view]
    with opened_on(browser, device, view_url(app_url, path, query, presenter=device == "projector")) as page:
        assert_healthy(page)
        full_page_screenshot(page, FLOW / f"{device}-{view}.png")
        if os.environ.get("SAVE_DOCS_SCREENSHOTS") == "1" and device == "phone" and view in DOCS_PHONE_VIEWS:
            page.get_by_role("heading", name=DOCS_PHONE_VIEWS[view]).scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            screen = FLOW / f"phone-{view}-screen.png"
            page.screenshot(path=str(screen))
            save_docs_copy(screen, DOCS_SCREENSHOTS / f"phone-{view}.png")
        assert page.evaluate(SIDEWAYS) <= 1, "the page scrolls sideways"
        assert page.evaluate(WIDE_CHARTS) == [], "charts wider than their column, with no frame and hint"


def test_every_journey_step_has_a_key_moment():
    assert set(KEY_MOMENTS) == {name(step) for step in journey.JOURNEY}


def name(step) -> str:
    """A journey step by its title, as KEY_MOMENTS names it ("chosen token")."""
    return step.title.lower()


@pytest.mark.parametrize("step", journey.JOURNEY, ids=[name(step) for step in journey.JOURNEY])
def test_each_journey_step_opens_on_its_key_moment_on_the_projector(step, app_url, browser):
    with opened_on(browser, "projector", view_url(app_url, step.page, step.query, presenter=True)) as page:
        page.screenshot(path=str(FLOW / f"journey-{name(step).replace(' ', '-')}.png"))
        assert_on_first_screen(page, KEY_MOMENTS[name(step)], name(step))


@pytest.mark.parametrize("moment", list(PARIS_MOMENTS))
def test_the_answer_is_on_the_first_screen_of_its_tab(moment, app_url, browser):
    tab = moment.split(",")[0]
    url = view_url(app_url, "trace", {"tr_tab": tab, "tr_prompt": PROMPT}, presenter=True)
    with opened_on(browser, "projector", url) as page:
        assert_on_first_screen(page, PARIS_MOMENTS[moment], moment)


# On a phone: how far an element lies out of sight sideways, against the part of the screen it can
# be seen in (the window, cut by every ancestor that clips it, such as a scrolling frame), in px.
OUT_OF_SIGHT = """(el) => {
  const box = el.getBoundingClientRect();
  let left = 0, right = window.innerWidth;
  for (let a = el.parentElement; a; a = a.parentElement) {
    if (getComputedStyle(a).overflowX === "visible") continue;
    const r = a.getBoundingClientRect();
    left = Math.max(left, r.left);
    right = Math.min(right, r.right);
  }
  return Math.round(Math.max(box.right - right, left - box.left, 0));
}"""


def out_of_sight(page, locator, what: str) -> int:
    visible = locator.filter(visible=True)
    assert visible.count() >= 1, f"{what} is not drawn"
    return page.evaluate(OUT_OF_SIGHT, visible.last.element_handle())


def test_on_a_phone_the_worked_sum_shows_its_total(app_url, browser):
    with opened_on(browser, "phone", view_url(app_url, "dot-products", {"dp_source": "hand-made"})) as page:
        total = page.locator(".katex-display .katex-html .mord", has_text="128")
        past = out_of_sight(page, total, "the worked sum's total")
        assert past <= 1, f"'= 128' is {past} px out of sight"


def test_on_a_phone_the_logit_lens_opens_on_the_last_position(app_url, browser):
    url = view_url(app_url, "trace", {"tr_tab": "Whole model", "tr_prompt": PROMPT})
    with opened_on(browser, "phone", url) as page:
        last = page.locator("[data-testid='stVegaLiteChart'] svg .role-axis-label text", has_text="4 ␣is")
        past = out_of_sight(page, last, "the lens grid's last position")
        assert past <= 1, f"the last position (where the answer is) is {past} px out of sight"
