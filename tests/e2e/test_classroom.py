"""A class in real browsers: a teacher and two students (three browser contexts) run the five kinds of
question end to end: the teacher asks from a lesson page, each student's screen shows the question
without a reload, they answer (one changes her mind), the teacher sees only how many answered, then
reveals, and both students see the reveal. Presenter mode shows it at projector size.

``SAVE_DOCS_SCREENSHOTS=1`` also writes the README's pictures of a class to ``docs/screenshots/``.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.test_browser import DOCS_SCREENSHOTS, LOAD_MS, SCREENSHOTS, save_docs_copy, settle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1024, "height": 768}
REACH_MS = 30_000  # a question or a reveal on a student's screen (the app's goal is 2 s; this is no timer)
IN_CLASS = re.compile("the teacher's questions appear here|Send my answer")  # a student's class panel
CHART = "[data-testid='stMain'] [data-testid='stVegaLiteChart']"
CHART_DRAWN = f"{CHART} svg, {CHART} canvas"


@dataclass(frozen=True)
class Kind:
    """One kind of question: the page and settings that ask it, which of the view's questions, the two
    students' answers (text, or the index of a choice; the first student's first answer is replaced by
    her second), and what the reveal sentence says."""

    page: str
    settings: dict[str, str]
    pick: str | None
    first: list[str | int]
    second: str | int
    revealed: str
    title: str  # the lesson page's title: the class panel is what comes above it


KINDS = {
    "next_token": Kind(
        "trace", {"tr_prompt": "The capital of France is", "tr_tab": "Next token"}, "What comes next",
        ["pineapple", "Paris"], "banana", "The model's most likely next token is", "Inside the model",
    ),
    "attention": Kind(
        "trace", {"tr_prompt": "The dog that chased the cat was", "tr_tab": "Attention", "tr_layer": "13",
                  "tr_head": "8"}, None, [6, 1], 5, "looks most at", "Inside the model",
    ),
    "continuation": Kind(
        "trace", {"tr_prompt": "The storm is", "tr_tab": "Generate", "tr_temperature": "0.2",
                  "tr_choice": "sample", "tr_generate_n": "5"},
        None, [0, 1], 2, "came from temperature 0.2", "Inside the model",
    ),
    "closer_pair": Kind(
        "dot-products", {"dp_source": "static", "dp_words": "dog, cat, runs, quickly", "dp_a": "dog",
                         "dp_b": "cat"},
        "Which pair", [2, 0], 1, "The closest pair is", "Dot products",
    ),
    "number": Kind(
        "dot-products", {"dp_source": "hand-made", "dp_vectors": "king = [9, -5, 6]\nqueen = [8, -4, 6]",
                         "dp_a": "king", "dp_b": "queen"}, "What is king · queen", ["100", "120"], "130",
        "The true value is 128", "Dot products",
    ),
}  # fmt: skip


def main(page):
    return page.locator("[data-testid='stMain']")


def panel_text(page, title: str) -> str:
    """What the class panel shows: the page's text above the lesson's title."""
    text = main(page).inner_text()
    return text.split(title)[0] if title else text


def start_class(teacher) -> tuple[str, str]:
    """Start a class in the sidebar; (code, teacher key from the resume link shown on request)."""
    teacher.get_by_role("button", name="Start a class").click()
    teacher.get_by_text("students joined").wait_for(timeout=LOAD_MS)
    sidebar = teacher.locator("[data-testid='stSidebar']")
    code = sidebar.locator("strong").filter(has_text=re.compile(r"^[A-Z0-9]{6}$")).first.inner_text()
    assert "resume" not in teacher.url and "class" not in teacher.url
    settle(teacher)
    folded = sidebar.get_by_text("Resume link (private)")
    switch = (
        sidebar.locator("[data-testid='stCheckbox']").filter(has_text="Show my resume link").locator("label")
    )
    shown = sidebar.locator("[data-testid='stCode']")
    for _ in range(3):  # a click that lands while the sidebar is being redrawn is lost: click again
        if not switch.is_visible():
            folded.click()
        try:
            switch.click(timeout=10_000)
            shown.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    link = shown.inner_text(timeout=REACH_MS).strip()
    return code, urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["resume"][0]


def join_by_link(student, app_url: str, code: str, nickname: str) -> None:
    student.goto(f"{app_url}/?class={code}", wait_until="commit")
    settle(student)
    main(student).get_by_role("textbox", name="Nickname (optional)").fill(nickname)
    main(student).get_by_role("button", name="Join").click()
    main(student).get_by_text(IN_CLASS).first.wait_for(timeout=REACH_MS)
    assert "student=" in student.url and code not in student.url


def join_by_code(student, app_url: str, code: str) -> None:
    student.goto(app_url + "/", wait_until="commit")
    settle(student)
    sidebar = student.locator("[data-testid='stSidebar']")
    sidebar.get_by_role("textbox", name="Class code").fill(code.lower())
    sidebar.get_by_role("button", name="Join").click()
    main(student).get_by_text(IN_CLASS).first.wait_for(timeout=REACH_MS)


def ask(teacher, app_url: str, key: str, kind: Kind) -> None:
    """The teacher opens the view (her resume link with the view's settings) and asks its question."""
    query = urllib.parse.urlencode({**kind.settings, "resume": key})
    teacher.goto(f"{app_url}/{kind.page}?{query}", wait_until="commit")
    teacher.get_by_role("button", name="Ask the class").wait_for(timeout=LOAD_MS)
    settle(teacher)
    if kind.pick:
        picker = (
            main(teacher).locator("[data-testid='stSelectbox']").filter(has_text="Question for the class")
        )
        chosen = picker.locator("input").first
        for _ in range(3):  # a list opened while the page is redrawn closes again: open it again
            if kind.pick in chosen.input_value():
                break
            picker.get_by_role("combobox").click()
            teacher.keyboard.type(kind.pick)
            teacher.keyboard.press("Enter")
            settle(teacher)
        assert kind.pick in chosen.input_value()
    teacher.get_by_role("button", name="Ask the class").click()
    main(teacher).get_by_text("Asked:").wait_for(timeout=LOAD_MS)


def send(student, value: str | int, label: str = "Send my answer") -> None:
    """Answer the question on screen and wait for "Received"."""
    if isinstance(value, str):
        main(student).get_by_role("textbox", name="Your guess").fill(value)
    else:
        main(student).get_by_role("radio").nth(value).check(force=True)
    main(student).get_by_role("button", name=label).click()
    main(student).get_by_text("Received").wait_for(timeout=REACH_MS)


def test_a_teacher_and_two_students_run_every_kind_of_question(app_url, new_context):
    teacher = new_context().new_page()
    teacher.goto(app_url + "/", wait_until="commit")
    settle(teacher)
    code, key = start_class(teacher)
    ada = new_context().new_page()
    ada.set_viewport_size(PHONE)
    join_by_link(ada, app_url, code, "Ada")
    bo = new_context().new_page()
    join_by_code(bo, app_url, code)

    for name, kind in KINDS.items():
        ask(teacher, app_url, key, kind)
        for student in (ada, bo):  # on their screens without a reload
            main(student).get_by_role("button", name="Send my answer").wait_for(timeout=REACH_MS)
        send(ada, kind.first[0])
        send(bo, kind.second)
        send(ada, kind.first[1], label="Change my answer")  # she may change it while it is open
        main(teacher).get_by_text("2 of 2").wait_for(timeout=REACH_MS)
        counted = panel_text(teacher, kind.title)
        for value in (kind.first[1], kind.second):
            if isinstance(value, str):
                assert value not in counted, f"{name}: the teacher saw an answer before the reveal"
        ada.screenshot(path=str(SCREENSHOTS / f"class-{name}-student-asked.png"))

        teacher.get_by_role("button", name="Reveal").click()
        for student in (ada, bo, teacher):
            main(student).get_by_text(kind.revealed).first.wait_for(timeout=REACH_MS)
            student.wait_for_selector(CHART_DRAWN, timeout=REACH_MS)
            assert main(student).get_by_role("button", name="Download CSV").count() >= 1
            assert student.locator("[data-testid='stException']").count() == 0
        ada.screenshot(path=str(SCREENSHOTS / f"class-{name}-student-revealed.png"), full_page=True)
        teacher.screenshot(path=str(SCREENSHOTS / f"class-{name}-teacher-revealed.png"))
    if os.environ.get("SAVE_DOCS_SCREENSHOTS") == "1":
        save_docs_copy(
            SCREENSHOTS / "class-next_token-student-revealed.png", DOCS_SCREENSHOTS / "class-phone.png"
        )


MIN_FONT = """(root) => Math.min(...Array.from(root.querySelectorAll("svg text"))
  .filter((t) => t.textContent.trim()).map((t) => parseFloat(getComputedStyle(t).fontSize)))"""


def test_presenter_mode_shows_the_class_at_projector_size(app_url, new_context):
    from classroom import ClassStore
    from tests.e2e.conftest import class_database

    teacher = new_context().new_page()
    teacher.set_viewport_size(PROJECTOR)
    teacher.goto(app_url + "/", wait_until="commit")
    settle(teacher)
    code, key = start_class(teacher)
    teacher.goto(f"{app_url}/?presenter=true&resume={key}", wait_until="commit")
    teacher.get_by_text("students joined").wait_for(timeout=LOAD_MS)
    letters = main(teacher).locator("p").filter(has_text=re.compile(f"^{code}$")).first
    size = float(letters.evaluate("(e) => getComputedStyle(e).fontSize").removesuffix("px"))
    qr = main(teacher).locator("[data-testid='stImage'] img").first
    qr.wait_for(timeout=REACH_MS)
    assert size >= 80 and qr.bounding_box()["width"] >= 350  # read from the back of the room
    assert key not in main(teacher).inner_text() and "resume" not in teacher.url
    board = SCREENSHOTS / "class-presenter-1024.png"
    teacher.screenshot(path=str(board))

    store = ClassStore(class_database(urllib.parse.urlsplit(app_url).port))
    students = [store.join(code) for _ in range(3)]
    kind = KINDS["number"]
    query = urllib.parse.urlencode({**kind.settings, "presenter": "true", "resume": key})
    teacher.goto(f"{app_url}/{kind.page}?{query}", wait_until="commit")
    teacher.get_by_role("button", name="Ask the class").click()
    main(teacher).get_by_text("Asked:").wait_for(timeout=LOAD_MS)
    question = store.teacher_poll(key).question_id
    for student, guess in zip(students, ("110", "128", "150"), strict=True):
        store.answer(question, student, guess)
    main(teacher).get_by_text("3 of 3").wait_for(timeout=REACH_MS)
    heading = main(teacher).get_by_role("heading", name="What is king · queen?")
    assert float(heading.evaluate("(e) => getComputedStyle(e).fontSize").removesuffix("px")) >= 24
    teacher.get_by_role("button", name="Reveal").click()
    teacher.wait_for_selector(CHART_DRAWN, timeout=REACH_MS)
    chart = main(teacher).locator("[data-testid='stVegaLiteChart']").first
    assert chart.evaluate(MIN_FONT) >= 16  # the reveal chart's text, at presenter size
    store.dispose()
    reveal = SCREENSHOTS / "class-presenter-1024-reveal.png"
    teacher.screenshot(path=str(reveal))
    if os.environ.get("SAVE_DOCS_SCREENSHOTS") == "1":
        save_docs_copy(board, DOCS_SCREENSHOTS / "class-presenter-1024.png")
        save_docs_copy(reveal, DOCS_SCREENSHOTS / "class-presenter-1024-reveal.png")
