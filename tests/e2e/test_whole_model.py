"""The trace page's "Whole model" tab in headless Chromium at 1024x768 (a classroom projector).

It renders without an exception, every chart draws, no chart is wider than the page's main
column (nothing hides behind a horizontal scroll bar), and choosing a head in the model view opens
it in the Attention tab. Screenshots land in ``test-artifacts/screenshots/`` for a person to judge.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest

from tests.e2e.test_browser import (
    CHANGE_MS,
    CHARTS_DRAWN,
    SCREENSHOTS,
    assert_healthy,
    full_page_screenshot,
    open_page,
    page_url,
    settle,
)
from ui import journey

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PROJECTOR = {"width": 1024, "height": 768}
TRACE = next(lesson for lesson in journey.LESSONS if lesson.url_path == "trace")
QUERY = {"tr_tab": "Whole model", "tr_prompt": "The capital of France is"}
# Charts whose drawing is wider than the main column they sit in (by more than a pixel).
TOO_WIDE = """() => {
  const main = document.querySelector("[data-testid='stMainBlockContainer']").getBoundingClientRect();
  return Array.from(document.querySelectorAll("[data-testid='stVegaLiteChart'] svg, "
    + "[data-testid='stVegaLiteChart'] canvas"))
    .filter((c) => c.getBoundingClientRect().right > main.right + 1)
    .map((c) => Math.round(c.getBoundingClientRect().width));
}"""


ATTENTION_OPEN = """() => Array.from(document.querySelectorAll("[role='tab']"))
  .some((tab) => tab.innerText.trim() === "Attention" && tab.getAttribute("aria-selected") === "true")"""


@pytest.mark.parametrize(
    ("presenter", "prompt"),
    [(False, "The dog that chased the cat was"), (True, "The capital of France is")],
    ids=["normal", "presenter"],
)
def test_the_whole_model_tab_renders_at_1024(presenter, prompt, app_url, new_context):
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    # a link that sets a folded section's setting opens it: every head and the neuron are drawn too
    opened = {"tr_mv_layer": 0, "tr_neuron": 0}
    query = {**QUERY, **opened, "tr_prompt": prompt, **({"presenter": "true"} if presenter else {})}
    open_page(page, f"{page_url(app_url, TRACE)}?{urllib.parse.urlencode(query)}")
    assert_healthy(page)
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("Every head at a glance", exact=False).wait_for(timeout=CHANGE_MS)
    page.wait_for_function(CHARTS_DRAWN, timeout=CHANGE_MS, polling=200)
    assert main.locator("[data-testid='stVegaLiteChart']").count() >= 4  # lens, target, heads, neuron
    read_aloud = re.compile("(first becomes|is never) the top token")  # the target's line, in words
    assert main.locator("[data-testid='stMarkdownContainer'] p", has_text=read_aloud).count() == 1
    name = "presenter" if presenter else "normal"
    page.screenshot(path=str(SCREENSHOTS / f"whole-model-1024-{name}-top.png"))
    full_page_screenshot(page, SCREENSHOTS / f"whole-model-1024-{name}.png")
    assert page.evaluate(TOO_WIDE) == []


def test_a_head_of_the_model_view_opens_in_the_attention_tab(app_url, new_context):
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    open_page(page, f"{page_url(app_url, TRACE)}?{urllib.parse.urlencode({**QUERY, 'tr_mv_layer': 4})}")
    page.get_by_role("button", name="Open it in the Attention tab").click()
    attention = page.get_by_role("tab", name="Attention", exact=True)
    page.wait_for_function(ATTENTION_OPEN, timeout=CHANGE_MS, polling=200)
    settle(page, CHANGE_MS)
    assert_healthy(page)
    assert attention.get_attribute("aria-selected") == "true"
    layer, head = page.locator("[data-testid='stSliderThumbValue']").all_inner_texts()[:2]
    assert (layer, head) == ("4", "0")  # the Attention tab's own Layer and Head sliders
    assert page.get_by_text("The dot product tournament", exact=False).count() >= 1
