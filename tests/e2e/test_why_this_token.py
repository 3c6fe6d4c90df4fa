"""The trace page's "Why this token" tab in headless Chromium at 1024 x 768: its numbers are on screen.

The attribution's key numbers (the model's logit, the sum of the parts) are shown whole and agree,
its charts draw their numbers, the folded sections open on the patching heatmaps, and the head
button opens the Attention tab on that head. Screenshots land in
``test-artifacts/screenshots/why-this-token*.png``.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest

from tests.e2e.test_browser import (
    SCREENSHOTS,
    assert_healthy,
    full_page_screenshot,
    open_page,
    page_url,
    settle,
)
from tests.e2e.test_presenter import CUT_METRICS
from ui import journey
from ui.trace import why

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SMALL_SCREEN = {"width": 1024, "height": 768}
TRACE = next(lesson for lesson in journey.LESSONS if lesson.url_path == "trace")
QUERY = {"tr_tab": "Why this token", "tr_prompt": "The capital of France is"}
METRICS = """() => Object.fromEntries(Array.from(document.querySelectorAll("[data-testid='stMetric']"))
  .filter((m) => m.offsetParent !== null)
  .map((m) => [m.querySelector("[data-testid='stMetricLabel']").innerText.trim(),
               m.querySelector("[data-testid='stMetricValue']").innerText.trim()]))"""
CHART_TEXTS = """() => Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] svg"))
  .map((svg) => Array.from(svg.querySelectorAll("text")).map((t) => t.textContent))"""
SELECTED_TAB_IS = """(name) => Array.from(document.querySelectorAll("[role='tab'][aria-selected='true']"))
  .some((tab) => tab.innerText.trim() === name)"""
CHARTS_DRAWN = """(n) => document.querySelectorAll("[data-testid='stVegaLiteChart'] svg").length >= n"""


def open_folded_sections(page) -> None:
    """Open the tab's two folded sections (each head's share, activation patching), as a user would."""
    for label in (why.HEADS, why.PATCHING):
        page.locator("[data-testid='stExpander'] summary", has_text=label).click()
        settle(page)


@pytest.fixture
def small_page(browser):
    context = browser.new_context(viewport=SMALL_SCREEN)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
def test_why_this_token_shows_its_numbers_at_1024(app_url, small_page, presenter):
    page = small_page
    query = {**QUERY, "presenter": "true"} if presenter else QUERY
    open_page(page, page_url(app_url, TRACE) + "?" + urllib.parse.urlencode(query))
    open_folded_sections(page)
    page.wait_for_function(CHARTS_DRAWN, arg=4, timeout=240_000)  # bars, head grid, two patching grids
    settle(page)
    assert_healthy(page)
    full_page_screenshot(page, SCREENSHOTS / f"why-this-token-1024{'-presenter' if presenter else ''}.png")
    metrics = page.evaluate(METRICS)
    assert metrics["The model's logit"] == metrics["Sum of the parts"], metrics
    assert float(metrics["Clean logit difference"]) > float(metrics["Corrupted logit difference"])
    assert page.evaluate(CUT_METRICS) == []
    texts = page.evaluate(CHART_TEXTS)
    assert any(any(t.startswith("+") for t in chart) for chart in texts)  # the bars' numbers are drawn
    assert any(re.match(r"L\d+H\d+: head \d+ of layer \d+", t) for chart in texts for t in chart)
    assert page.get_by_text("The logit of ␣Paris is").count() == 1  # the sentence read aloud


def test_a_head_button_opens_the_attention_tab(app_url, small_page):
    page = small_page
    open_page(page, page_url(app_url, TRACE) + "?" + urllib.parse.urlencode(QUERY))
    open_folded_sections(page)
    chosen = page.get_by_role("combobox", name="Head to look at (largest first)").input_value()
    layer, head = re.search(r"L(\d+)H(\d+)", chosen).groups()
    page.get_by_role("button", name="Open its attention pattern").click()
    page.wait_for_function(SELECTED_TAB_IS, arg="Attention", timeout=120_000)
    settle(page)
    assert_healthy(page)
    title = f"Layer {layer}, head {head}: who looks at whom"
    page.wait_for_function(
        "(title) => Array.from(document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg text\"))"
        ".some((t) => t.textContent === title)",
        arg=title,
        timeout=120_000,
    )
    page.screenshot(path=str(SCREENSHOTS / "why-this-token-opens-attention.png"))
