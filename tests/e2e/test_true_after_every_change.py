"""Issue 23, item 1, in headless Chromium: the Attention tab after a preset, and the 🔗 notice.

With "The storm is" loaded, the preset "The capital of France is" must leave the Query token box on
a token of the new prompt (its last, "4 ␣is") and the tournament's heading must name that token,
with presenter mode on and off. A link asking for a token the prompt does not have gets one notice
naming the setting in words and what is shown instead; the user's own edits never bring it back,
and a link the page can follow entirely (t-SNE on Projections) gets none.
"""

from __future__ import annotations

import urllib.parse

import pytest

from tests.e2e.test_browser import SCREENSHOTS, assert_healthy, open_page, page_url, settle
from ui import journey

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TRACE = next(lesson for lesson in journey.LESSONS if lesson.url_path == "trace")
PROJECTIONS = next(lesson for lesson in journey.LESSONS if lesson.url_path == "projections")
DOT_PRODUCTS = next(lesson for lesson in journey.LESSONS if lesson.url_path == "dot-products")
PROJECTOR = {"width": 1024, "height": 768}
NOTICE = "This link asked for settings"
TOURNAMENT_HEADING = """() => Array.from(document.querySelectorAll("h3"))
  .map((h) => h.innerText.trim()).find((t) => t.startsWith("The dot product tournament")) || null"""


def url(app_url: str, lesson: journey.Lesson, **query: str) -> str:
    return page_url(app_url, lesson) + "?" + urllib.parse.urlencode(query)


SHOWS = """(value) => Array.from(document.querySelectorAll("input[role='combobox']"))
  .some((box) => box.getAttribute("aria-label").startsWith("Query token") && box.value === value)"""


def query_box(page) -> str:
    """The text the Query token box shows."""
    return page.get_by_role("combobox", name="Query token (the one looking)").input_value()


def notices(page) -> list[str]:
    return [text for text in page.locator("[data-testid='stAlert']").all_inner_texts() if NOTICE in text]


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
def test_a_preset_moves_the_query_token_to_a_token_of_the_new_prompt(app_url, new_context, presenter):
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    query = {"tr_tab": "Attention", **({"presenter": "true"} if presenter else {})}
    open_page(page, url(app_url, TRACE, **query))
    assert query_box(page) == "2 ␣is"
    assert page.evaluate(TOURNAMENT_HEADING) == "The dot product tournament of “␣is”"
    if presenter:  # the presets are folded with the model and the prompt
        page.get_by_text("Model, prompt presets and the token table").click()
    page.get_by_role("button", name="The capital of France is").click()
    page.wait_for_function(SHOWS, arg="4 ␣is", timeout=120_000)
    settle(page)
    assert_healthy(page)
    page.screenshot(path=str(SCREENSHOTS / f"attention-after-preset{'-presenter' if presenter else ''}.png"))
    assert query_box(page) == "4 ␣is"  # never "2 ␣is", which this prompt does not have
    assert page.evaluate(TOURNAMENT_HEADING) == "The dot product tournament of “␣is”"
    assert "tr_query" not in page.url or "4" in urllib.parse.unquote(page.url)
    assert notices(page) == []  # the user's own click: no link notice


def test_the_link_notice_names_the_setting_and_what_is_shown_and_goes_with_the_users_edits(
    app_url, new_context
):
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    link = url(app_url, TRACE, tr_tab="Attention", tr_prompt="The capital of France is", tr_query="2 ␣is")
    open_page(page, link)
    assert_healthy(page)
    said = notices(page)
    page.screenshot(path=str(SCREENSHOTS / "link-notice.png"))
    assert len(said) == 1, said
    assert "Query token (Attention tab) shows “4 ␣is” (the link asked for “2 ␣is”)" in said[0]
    assert "tr_query" not in said[0]  # in words, not the URL's key
    assert query_box(page) == "4 ␣is"
    page.get_by_role("button", name="The dog that chased the cat was").click()  # the user's own edit
    page.wait_for_function(SHOWS, arg="6 ␣was", timeout=120_000)
    settle(page)
    assert notices(page) == []


def test_a_link_the_page_can_follow_gets_no_notice_nor_do_the_users_edits(app_url, new_context):
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    open_page(page, url(app_url, PROJECTIONS, pj_method="t-SNE"))
    assert_healthy(page)
    assert notices(page) == []  # the URL writes "t-SNE", the page keeps "tsne": the same method
    box = page.get_by_role("combobox", name="Method")
    box.click()
    page.get_by_role("option", name="PCA", exact=True).click()
    settle(page)
    assert notices(page) == []


def test_the_users_own_word_lists_bring_no_notice(app_url, new_context):
    """The old main said "…defaults for them: dp_a=a, dp_b=b" after the user typed two word lists:
    the browser rewrites the URL after each edit, which is not a link."""
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)
    open_page(page, page_url(app_url, DOT_PRODUCTS))
    words = page.get_by_role("textbox", name="Words or short phrases, separated by commas or new lines")
    for text in ("a, b, c", "apple, pear, plum"):
        words.fill(text)
        words.press("Control+Enter")
        page.wait_for_function(
            "(word) => Array.from(document.querySelectorAll(\"input[role='combobox']\"))"
            ".some((box) => box.getAttribute('aria-label') === 'First' && box.value === word)",
            arg=text.split(",")[0],
            timeout=120_000,
        )
        settle(page)
        assert_healthy(page)
        assert notices(page) == [], text
    page.get_by_text("hand-made", exact=True).click()  # the hand-made vectors: still the user's edit
    settle(page)
    assert notices(page) == []
