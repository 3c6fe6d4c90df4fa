"""Every page as a user meets it: in headless Chromium against `streamlit run app.py`.

For each page of ``ui.journey`` (home and every registered lesson): it renders without an
exception, a full-page screenshot lands in ``test-artifacts/screenshots/``; changing one input
(``SPECS``) changes the numbers on screen, and the URL the page then shows, opened in a fresh
browser, restores the input and the numbers. Several sessions opened at once get identical numbers.

``SAVE_DOCS_SCREENSHOTS=1`` also writes the README's pictures to ``docs/screenshots/``.
"""

from __future__ import annotations

import contextlib
import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

from ui import journey

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
DOCS_MAX_WIDTH, DOCS_MAX_HEIGHT = 1400, 1800

PAGES = [journey.HOME, *journey.LESSONS]
LOAD_MS = 240_000  # a cold page loads its models (~60 s alone; more when sessions share 2 cores)
CHANGE_MS = 90_000  # a rerun with warm models
SESSIONS_PER_PAGE = 2

# The script finished, no model-loading box or spinner is still turning, and the page drew something.
SETTLED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const busy = "[data-testid='stExpanderIconSpinner'], [data-testid='stSpinner'], [data-testid='stSkeleton']";
  if (document.querySelector(busy)) return false;
  return document.querySelector("[data-testid='stMain'] [data-testid='stElementContainer']") !== null;
}"""
WATCHED = (
    """(selector) => Array.from(document.querySelectorAll(selector)).map((e) => e.innerText).join(" | ")"""
)
CHANGED = f"""([selector, before]) => ({SETTLED})() && ({WATCHED})(selector) !== before
  && ({WATCHED})(selector).trim() !== "" """
# Every chart on screen is drawn (the variant of a chart for another screen width stays hidden, and
# Streamlit draws it only when it is shown).
CHARTS_DRAWN = """() => Array.from(
  document.querySelectorAll("[data-testid='stVegaLiteChart'], [data-testid='stGraphVizChart']")
).every((chart) => chart.querySelector("canvas, svg") || chart.getBoundingClientRect().width === 0)"""
NUMBER = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?")


@dataclass(frozen=True)
class Change:
    """How to change one input of a page, and where the numbers it drives are shown.

    ``kind``: "select" picks ``value`` in a select box; "text" types it into a text input and
    presses Enter; "textarea" types it into a text area and presses Ctrl+Enter; "number" types
    it into a number input. ``label`` is the widget's label, ``param`` its key (the query
    parameter it writes), ``watch`` a CSS selector of the elements whose text holds the numbers.
    """

    kind: Literal["select", "text", "textarea", "number"]
    label: str
    value: str
    param: str
    watch: str


METRICS = "[data-testid='stMain'] [data-testid='stMetricValue']"
CAPTIONS = "[data-testid='stMain'] [data-testid='stCaptionContainer']"

# One interaction per lesson, keyed by url_path, written from each page's source. Every page
# registered in ui/journey.py (the one list app.py builds its navigation from) is rendered and
# photographed; a lesson without a spec here has its interaction test skipped with a reason.
# The home page has no input that drives numbers: its interaction is following a journey link
# (test_a_journey_link_on_home_opens_the_lesson_in_its_state, below).
SPECS: dict[str, Change] = {
    # The pair's metrics (dot product, lengths, cosine, angle) follow the first word.
    "dot-products": Change("select", "First", "runs", "dp_a", METRICS),
    # Another word set: a different map, so a different trustworthiness and spread kept.
    "projections": Change("select", "Lesson preset", "Dog, cat, runs, quickly", "pj_preset", METRICS),
    # Another ambiguous word and its sentences: new self-similarities at every layer.
    "context": Change("select", "Lesson preset", "crane", "cx_preset", METRICS),
    # A longer prompt: the token count and the tokens' captions change.
    "trace": Change("textarea", "Prompt", "The capital of France is", "tr_prompt", CAPTIONS),
    # Another training sentence: another loss and other rows with gradients.
    "learning": Change("select", "Lesson preset", "The cat sat", "ln_preset", METRICS),
}


# --------------------------------------------------------------------------- helpers


def settle(page, timeout: int = LOAD_MS) -> None:
    page.wait_for_function(SETTLED, timeout=timeout, polling=200)


def open_page(page, url: str) -> None:
    page.goto(url, wait_until="commit")
    settle(page)


def assert_healthy(page) -> None:
    """No exception element, no traceback text, and the page asked for is the page shown."""
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.first.inner_text()
    text = page.locator("body").inner_text()
    assert "Traceback" not in text
    assert "Page not found" not in text, "the URL did not select the page (Streamlit ran the home page)"


def assert_app_shell(page) -> None:
    """app.py ran around the page: the presenter setting it puts in the sidebar is there."""
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("Presenter mode", exact=True).count() == 1, (
        f"app.py did not run around this page; the sidebar shows {sidebar.inner_text()!r}"
    )


def watched_text(page, selector: str) -> str:
    return page.evaluate(WATCHED, selector)


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def widget(page, change: Change):
    role = {"select": "combobox", "text": "textbox", "textarea": "textbox", "number": "spinbutton"}
    return page.get_by_role(role[change.kind], name=change.label, exact=True)


def apply(page, change: Change) -> None:
    box = widget(page, change)
    if change.kind == "select":
        box.click()
        box.fill(change.value)  # filters long option lists down to the one we want
        page.get_by_role("option", name=change.value, exact=True).click()
    else:
        box.fill(change.value)
        box.press("Control+Enter" if change.kind == "textarea" else "Enter")


def wait_for_change(page, selector: str, before: str) -> str:
    page.wait_for_function(CHANGED, arg=[selector, before], timeout=CHANGE_MS, polling=200)
    return watched_text(page, selector)


def full_page_screenshot(page, path: Path) -> None:
    """The whole page, not only the viewport: Streamlit scrolls inside its main block."""
    # A chart that never draws is still photographed (blank) for a person to see.
    with contextlib.suppress(Exception):
        page.wait_for_function(CHARTS_DRAWN, timeout=20_000, polling=200)
    viewport = page.viewport_size
    height = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size(
        {"width": viewport["width"], "height": max(viewport["height"], min(height, 12_000))}
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)


def save_docs_copy(screenshot: Path, target: Path) -> None:
    """A README-sized copy: at most DOCS_MAX_WIDTH wide, the top DOCS_MAX_HEIGHT pixels, 256 colours."""
    from PIL import Image

    with Image.open(screenshot) as image:
        picture = image.convert("RGB")
    if picture.width > DOCS_MAX_WIDTH:
        scale = DOCS_MAX_WIDTH / picture.width
        picture = picture.resize((DOCS_MAX_WIDTH, round(picture.height * scale)), Image.LANCZOS)
    picture = picture.crop((0, 0, picture.width, min(picture.height, DOCS_MAX_HEIGHT)))
    # 256 colours keep text and charts sharp at less than half the bytes of full colour.
    picture = picture.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    target.parent.mkdir(parents=True, exist_ok=True)
    picture.save(target, optimize=True)


def page_url(app_url: str, lesson: journey.Lesson) -> str:
    """Where a user finds the page: the default page (home) lives at "/", not at its url_path."""
    return f"{app_url}/" if lesson is journey.HOME else f"{app_url}/{lesson.url_path}"


# --------------------------------------------------------------------------- tests


def test_a_shared_link_opens_the_app_shell_on_a_fresh_server(fresh_app_url, page):
    """The first request a server ever gets may be a teacher's link to a lesson, not the home page.

    Streamlit runs a folder named ``pages/`` as an old-style multipage app until app.py has called
    st.navigation once, so that first visitor would get the page without app.py around it; this is
    why the lesson scripts live in ``lessons/``. This test guards against that coming back.
    """
    lesson = PAGES[-1]
    open_page(page, page_url(fresh_app_url, lesson))
    assert_healthy(page)
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "Presenter mode" in sidebar, (
        f"The first request for /{lesson.url_path} ran {lesson.path} on its own (sidebar: {sidebar!r}): "
        "Streamlit treats a folder named pages/ next to app.py as an old-style multipage app until "
        "st.navigation has run once. Renaming the folder (e.g. to lessons/) avoids it."
    )


# Early in the file on purpose: with a cold server this is a classroom arriving at once.
def test_sessions_opened_at_once_get_identical_numbers(app_url, new_context):
    sessions = [(lesson, new_context().new_page()) for lesson in PAGES for _ in range(SESSIONS_PER_PAGE)]
    for lesson, page in sessions:  # all requests go out before any page is awaited
        page.goto(page_url(app_url, lesson), wait_until="commit")
    seen: dict[str, set[str]] = {}
    for lesson, page in sessions:
        settle(page)
        assert_healthy(page)
        change = SPECS.get(lesson.url_path)
        if change is not None:
            seen.setdefault(lesson.url_path, set()).add(watched_text(page, change.watch))
    for url_path, texts in seen.items():
        assert len(texts) == 1, f"{url_path}: sessions disagree: {texts}"
        assert numbers(next(iter(texts))), f"{url_path}: no numbers under {SPECS[url_path].watch}"


@pytest.mark.parametrize("lesson", PAGES, ids=[lesson.url_path for lesson in PAGES])
def test_page_renders_without_error(lesson, app_url, page):
    open_page(page, page_url(app_url, lesson))
    assert_healthy(page)
    assert_app_shell(page)
    assert page.locator("[data-testid='stMain'] h1").count() >= 1, "the page has no title"
    screenshot = SCREENSHOTS / f"{lesson.url_path}.png"
    full_page_screenshot(page, screenshot)
    assert screenshot.stat().st_size > 10_000
    if os.environ.get("SAVE_DOCS_SCREENSHOTS") == "1":
        save_docs_copy(screenshot, DOCS_SCREENSHOTS / f"{lesson.url_path}.png")


@pytest.mark.parametrize("lesson", journey.LESSONS, ids=[lesson.url_path for lesson in journey.LESSONS])
def test_input_updates_numbers_and_shared_url_restores_them(lesson, app_url, page, new_context):
    change = SPECS.get(lesson.url_path)
    if change is None:
        pytest.skip(f"no interaction spec for {lesson.url_path!r} in SPECS (render is tested above)")
    open_page(page, page_url(app_url, lesson))
    before = watched_text(page, change.watch)
    assert numbers(before), f"no numbers under {change.watch!r} before the change: {before!r}"

    apply(page, change)
    after = wait_for_change(page, change.watch, before)
    assert_healthy(page)
    assert numbers(after) != numbers(before), "the text changed but its numbers did not"
    assert widget(page, change).input_value() == change.value
    page.screenshot(path=str(SCREENSHOTS / f"{lesson.url_path}-changed.png"))

    shared = page.url
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(shared).query)
    assert change.param in query, f"{change.param!r} is not in the shared URL {shared}"

    fresh = new_context().new_page()
    open_page(fresh, shared)
    assert_healthy(fresh)
    assert widget(fresh, change).input_value() == change.value
    assert watched_text(fresh, change.watch) == after


def test_a_journey_link_on_home_opens_the_lesson_in_its_state(app_url, page):
    """Clicking a step of the journey opens its lesson with the step's settings in the URL and on
    the page: "Dot product" shows the hand-made vectors and their numbers."""
    step = next(step for step in journey.JOURNEY if step.title == "Dot product")
    open_page(page, page_url(app_url, journey.HOME))
    page.locator("[data-testid='stMain']").get_by_role("link", name=step.title).first.click()
    page.wait_for_url(re.compile(rf"/{step.page}\?"), timeout=LOAD_MS)
    settle(page)
    assert_healthy(page)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert {key: values[0] for key, values in query.items() if key in step.query} == step.query
    assert page.get_by_role("radio", name="hand-made").is_checked()
    assert page.get_by_role("textbox", name="Hand-made vectors, one per line", exact=True).count() == 1
    assert numbers(watched_text(page, METRICS)), "the hand-made vectors' metrics are not on the page"


# --------------------------------------------------------------------------- the encoder, glass-box


def _lesson(url_path: str) -> journey.Lesson:
    return next(lesson for lesson in journey.LESSONS if lesson.url_path == url_path)


def test_words_in_context_shows_where_the_context_comes_from(app_url, page):
    open_page(page, page_url(app_url, _lesson("context")))
    assert_healthy(page)
    main = page.locator("[data-testid='stMain']")
    assert main.get_by_text("Where the context comes from", exact=True).count() == 1
    assert main.locator("p", has_text="attention looks both ways").count() >= 1
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000, polling=200)
    captions = main.locator("[data-testid='stCaptionContainer']").filter(has_text="looks most at")
    assert captions.count() == 2 and numbers(captions.first.inner_text())
    page.get_by_text("Where the context comes from", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "context-sources.png"))


def test_the_encoder_is_traced_and_next_token_tabs_say_why_not(app_url, page):
    url = f"{page_url(app_url, _lesson('trace'))}?tr_model=all-MiniLM-L6-v2&tr_tab=Next+token"
    open_page(page, url)
    assert_healthy(page)
    main = page.locator("[data-testid='stMain']")
    assert main.locator("p", has_text="[CLS] and [SEP] are the tokens").count() >= 1
    assert main.locator("p", has_text="is an encoder").count() >= 1
    assert main.locator("p", has_text="Next token does not apply here").count() == 1
    page.get_by_role("tab", name="Architectures").click()
    tables = main.locator("[data-testid='stDataFrame']")
    tables.nth(1).wait_for(timeout=LOAD_MS)  # tokens, then the families (the tab may load SmolLM2 first)
    settle(page, CHANGE_MS)
    assert_healthy(page)
    page.screenshot(path=str(SCREENSHOTS / "trace-encoder-architectures.png"))
    page.get_by_role("tab", name="Residual stream").click()
    main.locator("p", has_text="logit lens does not apply").wait_for(timeout=CHANGE_MS)
    settle(page, CHANGE_MS)
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000, polling=200)
    assert_healthy(page)
    assert main.locator("[data-testid='stVegaLiteChart']").count() >= 2  # lengths, then the moves
    full_page_screenshot(page, SCREENSHOTS / "trace-encoder-residual.png")
