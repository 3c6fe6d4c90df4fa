"""Presenter mode on a 1024x768 projector, in headless Chromium: what the back of the room can read.

Every page opened with ``?presenter=true`` at 1024x768: no metric value or label is cut short (its
text fits its box), the sidebar is folded away, the setting stays in the URL, the trace page's tabs
are all visible without scrolling the tab bar, and every chart's text is drawn at 16 px or more.
Screenshots land in ``test-artifacts/screenshots/`` (also at 1440x900, for a person to judge).
"""

from __future__ import annotations

import os
import urllib.parse

import pytest

from tests.e2e.test_browser import (
    DOCS_SCREENSHOTS,
    SCREENSHOTS,
    full_page_screenshot,
    open_page,
    page_url,
    save_docs_copy,
    settle,
)
from ui import journey
from ui.trace.tabs import TABS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PROJECTOR = {"width": 1024, "height": 768}
LAPTOP = {"width": 1440, "height": 900}
PAGES = [journey.HOME, *journey.LESSONS]
# The pages as a lesson shows them: the default view, and the dot products worked by hand.
VIEWS = {
    **{lesson.url_path: (lesson, {}) for lesson in PAGES},
    "dot-products-by-hand": (journey.LESSONS[0], {"dp_source": "hand-made"}),
}

DOCS_VIEWS = ("dot-products-by-hand", "trace")  # presenter-mode pictures in the README

# Metric values and labels whose text is wider than their box (drawn with "…" or cut off).
CUT_METRICS = """() => Array.from(document.querySelectorAll(
  "[data-testid='stMetricValue'], [data-testid='stMetricLabel'], [data-testid='stMetricValue'] *"
)).filter((e) => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map((e) => e.innerText)"""
# Tabs that do not lie wholly inside the visible part of their tab bar and the window.
HIDDEN_TABS = """() => Array.from(document.querySelectorAll("[data-testid='stTabs'] [role='tablist']"))
  .flatMap((bar) => {
    const box = bar.getBoundingClientRect();
    return Array.from(bar.querySelectorAll("[role='tab']")).filter((tab) => {
      const r = tab.getBoundingClientRect();
      return r.left < box.left - 1 || r.right > box.right + 1 || r.right > window.innerWidth;
    }).map((tab) => tab.innerText);
  })"""
SIDEBAR_WIDTH = """() => {
  const bar = document.querySelector("[data-testid='stSidebar']");
  if (!bar) return 0;
  const r = bar.getBoundingClientRect();
  return Math.max(0, Math.min(r.right, window.innerWidth) - Math.max(r.left, 0));
}"""
# Sizes of the text Vega drew in each chart's SVG (axis labels, titles, legends, cell text).
CHART_TEXT_SIZES = """() => Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] svg text"))
  .filter((t) => t.textContent.trim() !== "")
  .map((t) => parseFloat(getComputedStyle(t).fontSize))"""


def presenter_url(app_url: str, lesson: journey.Lesson, query: dict[str, str], presenter: bool = True) -> str:
    settings = {**query, "presenter": "true"} if presenter else query
    return page_url(app_url, lesson) + ("?" + urllib.parse.urlencode(settings) if settings else "")


def open_view(new_context, app_url: str, view: str, viewport: dict, presenter: bool = True):
    lesson, query = VIEWS[view]
    page = new_context().new_page()
    page.set_viewport_size(viewport)
    open_page(page, presenter_url(app_url, lesson, query, presenter))
    return page


@pytest.mark.parametrize("view", list(VIEWS))
def test_presenter_mode_at_1024_cuts_nothing_short(view, app_url, new_context):
    page = open_view(new_context, app_url, view, PROJECTOR)
    screenshot = SCREENSHOTS / f"presenter-1024-{view}.png"
    full_page_screenshot(page, screenshot)
    if os.environ.get("SAVE_DOCS_SCREENSHOTS") == "1" and view in DOCS_VIEWS:
        save_docs_copy(screenshot, DOCS_SCREENSHOTS / f"presenter-1024-{view}.png")
    assert page.evaluate(CUT_METRICS) == []
    assert page.evaluate(SIDEBAR_WIDTH) < 80, "presenter mode should fold the sidebar away"
    assert "presenter=true" in page.url, "presenter mode must stay in the URL"
    assert page.evaluate(HIDDEN_TABS) == []


@pytest.mark.parametrize("view", ["dot-products", "dot-products-by-hand", "context", "trace", "learning"])
def test_without_presenter_mode_at_1024_nothing_is_cut_either(view, app_url, new_context):
    """The sidebar open, normal type: key numbers and tabs still fit."""
    page = open_view(new_context, app_url, view, PROJECTOR, presenter=False)
    full_page_screenshot(page, SCREENSHOTS / f"normal-1024-{view}.png")
    assert page.evaluate(CUT_METRICS) == []
    assert page.evaluate(HIDDEN_TABS) == []
    assert page.evaluate(SIDEBAR_WIDTH) > 200  # the settings stay in view outside presenter mode


@pytest.mark.parametrize("view", ["dot-products", "context", "trace", "learning"])
def test_presenter_mode_draws_chart_text_at_16_px_or_more(view, app_url, new_context):
    page = open_view(new_context, app_url, view, PROJECTOR)
    page.wait_for_function(
        "() => document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg text\").length > 0",
        timeout=60_000,
    )
    sizes = page.evaluate(CHART_TEXT_SIZES)
    assert sizes and min(sizes) >= 16, sorted(set(sizes))


def test_the_trace_tabs_all_fit_and_the_setting_survives_a_reload(app_url, new_context):
    page = open_view(new_context, app_url, "trace", PROJECTOR)
    tabs = page.locator("[data-testid='stTabs'] [role='tab']")
    assert tabs.count() == len(TABS)
    assert page.evaluate(HIDDEN_TABS) == []
    page.get_by_role("tab", name="Architectures").click()  # the last tab: reachable with one click
    settle(page)
    assert "tr_tab=Architectures" in page.url and "presenter=true" in page.url
    page.reload()
    settle(page)
    assert page.evaluate(SIDEBAR_WIDTH) < 80
    assert page.get_by_role("tab", name="Architectures").get_attribute("aria-selected") == "true"


@pytest.mark.parametrize("view", list(VIEWS))
def test_screenshots_at_1440_with_presenter_mode(view, app_url, new_context):
    page = open_view(new_context, app_url, view, LAPTOP)
    full_page_screenshot(page, SCREENSHOTS / f"presenter-1440-{view}.png")
    assert page.evaluate(CUT_METRICS) == []
