"""The teacher's lesson in headless Chromium: a plan built from two views, downloaded, opened by
another browser and presented with the bar's buttons and with a clicker's Page Down / Page Up; and
Start here's journey walked with next and previous on a projector (presenter mode, 1024x768) and on
a phone (390x844). Each step's page and settings are checked in the address and on the page, and
its first screen is photographed (test-artifacts/screenshots/lesson-*.png) for a person to judge.
"""

from __future__ import annotations

import re
import tomllib
import urllib.parse

import pytest

from tests.e2e.test_browser import SCREENSHOTS, assert_healthy, open_page, page_url, settle
from ui import journey

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PROJECTOR = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
BAR = "[data-testid='stMain'] .st-key-lesson_bar"
COUNTER = ".st-key-lesson_counter [data-testid='stText']"
COST_VIEW = {"tr_prompt": "The dog ran", "tr_tab": "Cost"}
# How the journey's settings show on their pages: the tab chosen, the vectors' source checked.
SHOWN = {
    "tr_tab": lambda page, value: page.get_by_role("tab", name=value, exact=True),
    "dp_source": lambda page, value: page.get_by_role("radio", name=value, exact=True),
}


def address(page) -> tuple[str, dict[str, str]]:
    """The page's url path and its query (the last value of each parameter)."""
    parts = urllib.parse.urlsplit(page.url)
    query = {key: values[-1] for key, values in urllib.parse.parse_qs(parts.query).items()}
    return parts.path.strip("/"), query


def wait_for_step(page, url_path: str, number: int, count: int) -> None:
    """The bar says step ``number`` of ``count`` on ``url_path`` (after the hidden page), settled."""
    page.wait_for_url(re.compile(rf"/{re.escape(url_path)}(\?|$)"), timeout=120_000)
    page.locator(COUNTER).filter(has_text=f"Step {number} of {count}").wait_for(timeout=120_000)
    settle(page)
    assert_healthy(page)


def add_view(page, steps: int) -> None:
    """Press the sidebar's "Add this view to my lesson"; the plan then has ``steps`` steps."""
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_role("button", name="Add this view to my lesson").click()
    label = f"My lesson: {steps} step{'s' if steps != 1 else ''}"
    sidebar.get_by_role("link", name=label).wait_for(timeout=60_000)
    settle(page)


def assert_trace_cost_view(page) -> None:
    path, query = address(page)
    assert path == "trace" and {k: query.get(k) for k in COST_VIEW} == COST_VIEW
    assert page.get_by_role("tab", name="Cost").get_attribute("aria-selected") == "true"
    assert (
        "␣ran" in page.locator("[data-testid='stMain']").inner_text()
    )  # the prompt's tokens (the box may fold)


def assert_by_hand_view(page) -> None:
    path, query = address(page)
    assert path == "dot-products" and query.get("dp_source") == "hand-made"
    assert page.get_by_role("radio", name="hand-made").is_checked()


def test_a_plan_of_two_views_is_built_downloaded_opened_and_presented(app_url, new_context, tmp_path):
    # The teacher prepares: two views, each added from the sidebar.
    teacher = new_context().new_page()
    teacher.set_viewport_size({"width": 1280, "height": 900})
    open_page(teacher, f"{app_url}/trace?" + urllib.parse.urlencode(COST_VIEW))
    add_view(teacher, 1)
    teacher.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Dot products").click()
    teacher.wait_for_url(re.compile(r"/dot-products"))
    settle(teacher)
    teacher.locator("[data-testid='stMain']").get_by_text("hand-made", exact=True).click()
    teacher.wait_for_url(re.compile(r"dp_source=hand-made"))
    settle(teacher)
    add_view(teacher, 2)
    teacher.locator("[data-testid='stSidebar']").get_by_role("link", name="My lesson: 2 steps").click()
    teacher.wait_for_url(re.compile(rf"/{journey.PLANNER.url_path}"))
    settle(teacher)
    titles = teacher.get_by_role("textbox", name="Title", exact=True)
    assert [titles.nth(i).input_value() for i in range(titles.count())] == [
        "Inside the model · Cost",
        "Dot products · hand-made",
    ]
    with teacher.expect_download() as download:
        teacher.get_by_role("button", name="Download my lesson (TOML)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    steps = tomllib.loads(saved.read_text())["step"]
    assert [(s["page"], s["settings"].get("tr_tab") or s["settings"].get("dp_source")) for s in steps] == [
        ("trace", "Cost"),
        ("dot-products", "hand-made"),
    ]

    # In class, on the projector: another browser opens the file and presents it.
    room = new_context().new_page()
    room.set_viewport_size(PROJECTOR)
    open_page(room, f"{app_url}/{journey.PLANNER.url_path}?presenter=true&classroom_safe=false")
    room.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(saved))
    room.get_by_text("Opened: 2 steps.").wait_for(timeout=60_000)
    titles = room.get_by_role("textbox", name="Title", exact=True)
    assert [titles.nth(i).input_value() for i in range(titles.count())] == [s["title"] for s in steps]
    room.get_by_role("button", name="Present my lesson").click()
    wait_for_step(room, "trace", 1, 2)
    assert_trace_cost_view(room)
    assert room.locator(BAR).bounding_box()["height"] < 80, (
        "the bar must leave the projector its first screen"
    )
    room.screenshot(path=str(SCREENSHOTS / "lesson-plan-1024-step-1.png"))

    room.locator(BAR).get_by_role("button", name="▶").click()  # the bar's buttons
    wait_for_step(room, "dot-products", 2, 2)
    assert_by_hand_view(room)
    room.screenshot(path=str(SCREENSHOTS / "lesson-plan-1024-step-2.png"))
    room.locator(BAR).get_by_role("button", name="◀").click()
    wait_for_step(room, "trace", 1, 2)
    assert_trace_cost_view(room)

    room.locator(COUNTER).click()  # a clicker's keys go to the page, not to a box with the focus
    room.keyboard.press("PageDown")
    wait_for_step(room, "dot-products", 2, 2)
    assert_by_hand_view(room)
    room.locator(COUNTER).click()
    room.keyboard.press("PageUp")
    wait_for_step(room, "trace", 1, 2)
    assert_trace_cost_view(room)
    query = address(room)[1]
    assert (query.get("presenter"), query.get("classroom_safe")) == (
        "true",
        "false",
    )  # the sidebar's settings


DEVICES = {"projector": (PROJECTOR, {"presenter": "true"}), "phone": (PHONE, {})}


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_journey_walks_with_next_and_previous(device, app_url, new_context):
    viewport, settings = DEVICES[device]
    page = new_context().new_page()
    page.set_viewport_size(viewport)
    home = page_url(app_url, journey.HOME) + ("?" + urllib.parse.urlencode(settings) if settings else "")
    open_page(page, home)
    first = journey.JOURNEY[0]
    page.locator("[data-testid='stMain']").get_by_role("link", name=first.title).first.click()
    count = len(journey.JOURNEY)
    for index, step in enumerate(journey.JOURNEY):
        if index:
            page.locator(BAR).get_by_role("button", name="▶").click()
        wait_for_step(page, step.page, index + 1, count)
        _assert_journey_step(page, index, settings)
        assert page.locator(BAR).get_by_text(step.title, exact=True).is_visible()
        page.screenshot(path=str(SCREENSHOTS / f"lesson-journey-{device}-{index + 1:02d}.png"))
    assert page.locator(BAR).get_by_role("button", name="▶").is_disabled()
    for index in (count - 2, count - 3):  # and back: Chosen token, then Probabilities
        page.locator(BAR).get_by_role("button", name="◀").click()
        wait_for_step(page, journey.JOURNEY[index].page, index + 1, count)
        _assert_journey_step(page, index, settings)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def _assert_journey_step(page, index: int, kept: dict[str, str]) -> None:
    step, (path, query) = journey.JOURNEY[index], address(page)
    assert path == step.page
    assert query.get("lesson") == journey.JOURNEY_PLAN and query.get("lesson_step") == str(index + 1)
    for key, value in step.settings:  # on the page (the address drops a setting at its default)
        assert query.get(key) in (value, None), (step.title, key)
        shown = SHOWN[key](page, value)
        assert shown.get_attribute("aria-selected") == "true" or shown.is_checked(), (step.title, key)
    assert {key: query.get(key) for key in kept} == kept  # presenter mode stays on
    # the step's own place in the address is the app's, not a setting the page could not use
    assert page.get_by_text("Not settings of this page").count() == 0, step.title
    box = page.locator(BAR).bounding_box()  # the bar is on the first screen, near its top
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] < page.viewport_size["height"] / 3
