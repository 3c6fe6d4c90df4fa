"""The teacher's lesson in the app (ui/lesson), driven with AppTest: the presenter bar and the journey
it walks, "Add this view to my lesson", the My lesson page's editing, and plan files (every hostile
file refused with its sentence on the page; a downloaded plan opens as the same plan)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest, app_test

from classroom.plans import Plan, Question, Step, plan_to_toml, read_plan
from tests.unit.classroom.test_plans import HOSTILE
from ui import journey
from ui.lesson.keeper import PLAN_KEY, POSITION_KEY
from ui.url_settings import CATALOGUE

APP = str(Path(__file__).resolve().parents[2] / "app.py")
# Each page by the start of its st.title (the lessons' titles; Start here is titled by the app's name).
TITLES = {lesson.url_path: lesson.title for lesson in journey.LESSONS} | {
    "home": "Semantic Geometry Explorer"
}
COUNTER = re.compile(r"Step (\d+) of (\d+)")
# A plan of steps on pages that need no model to open: the editor's tests never open them.
PLAN = Plan(
    "Fractions of a lesson",
    25,
    steps=(
        Step("dot-products", "King and queen", "Ask first.", (("dp_source", "hand-made"),)),
        Step("trace", "Attention", "", (("tr_tab", "Attention"), ("tr_layer", "13")), Question("attention")),
        Step("learning", "One step"),
    ),
)


def run_app(query: dict | None = None, plan: Plan | None = None, page: str | None = None) -> AppTest:
    """The app in AppTest, with this address, this plan kept in the session, on this page's script."""
    at = AppTest.from_file(APP, default_timeout=600)
    at.query_params.update(query or {})
    if plan is not None:
        at.session_state[PLAN_KEY] = plan
    at.run()
    if page is not None:  # AppTest switches pages only after a first run (st.navigation registers them)
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def bar(at: AppTest) -> tuple[int, int, str] | None:
    """(step, steps, title) as the presenter bar shows them, or None without a bar."""
    texts = [text.value for text in at.main.text]
    for index, text in enumerate(texts):
        found = COUNTER.fullmatch(text)
        if found:
            return int(found.group(1)), int(found.group(2)), texts[index + 1]
    return None


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def address(at: AppTest) -> dict[str, str]:
    """The address's query parameters after the run (the last value of a repeated one)."""
    return {key: value[-1] if isinstance(value, list) else value for key, value in at.query_params.items()}


def page_shown(at: AppTest) -> str:
    """The lesson page that ran, by its title."""
    shown = at.title[0].value
    return next(url for url, title in TITLES.items() if shown.startswith(title))


# ---------------------------------------------------------------------------------- the bar


def test_a_journey_link_presents_start_here_at_its_step():
    at = run_app({"lesson": "start_here", "lesson_step": "3"})  # Start here's "Dot product" link
    assert bar(at) == (3, len(journey.JOURNEY), "Dot product")
    previous, following = at.button(key="lesson_previous"), at.button(key="lesson_next")
    assert (previous.label, following.label) == ("◀", "▶")
    assert not previous.disabled and not following.disabled
    assert (previous.proto.shortcut, following.proto.shortcut) == ("pageup", "pagedown")  # a clicker's keys
    assert journey.JOURNEY[2].note in [text.value for text in at.main.text]  # the teacher's note, folded
    assert at.button(key="lesson_back").label == "↩"  # on Start here, not yet on the step's page


@pytest.mark.slow
def test_the_bar_walks_the_whole_journey_with_each_steps_page_and_settings():
    at = click(run_app({"lesson": "start_here", "lesson_step": "1"}), "lesson_back")
    for index, step in enumerate(journey.JOURNEY):
        if index:
            click(at, "lesson_next")
        assert bar(at) == (index + 1, len(journey.JOURNEY), step.title)
        assert page_shown(at) == step.page, step.title
        assert address(at)["lesson_step"] == str(index + 1)
        for key, value in step.settings:
            assert str(at.session_state[key]) == value, (step.title, key)
    assert at.button(key="lesson_next").disabled  # the last step
    click(at, "lesson_previous")
    assert bar(at)[:2] == (len(journey.JOURNEY) - 1, len(journey.JOURNEY))
    assert page_shown(at) == journey.JOURNEY[-2].page


@pytest.mark.slow
def test_a_step_on_the_same_page_resets_the_settings_it_does_not_name():
    """Vector (dot products, static) after Dot product (dot products, hand-made): the page's own
    widgets take the step's settings, though they were drawn a moment ago with other values."""
    at = click(run_app({"lesson": "start_here", "lesson_step": "3"}), "lesson_back")
    assert at.session_state["dp_source"] == "hand-made"
    click(at, "lesson_previous")
    assert (bar(at)[0], page_shown(at), at.session_state["dp_source"]) == (2, "dot-products", "static")
    click(at, "lesson_next")
    assert (bar(at)[0], at.session_state["dp_source"]) == (3, "hand-made")


def test_stopping_removes_the_bar_and_the_plan_from_the_address():
    at = click(run_app({"lesson": "start_here", "lesson_step": "2"}), "lesson_stop")
    assert bar(at) is None and at.session_state[POSITION_KEY] is None
    assert "lesson" not in address(at) and "lesson_step" not in address(at)


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ({"lesson": "admin", "lesson_step": "1"}, "This link names a lesson plan 'admin' that is not here"),
        ({"lesson": "start_here", "lesson_step": "99"}, "which has steps 1 to 11"),
        ({"lesson": "<img src=x onerror=alert(1)>", "lesson_step": "1"}, "not repeated here"),
    ],
)
def test_a_link_to_a_plan_or_step_that_is_not_here_is_a_sentence(query, sentence):
    at = run_app(query)
    assert bar(at) is None
    assert any(sentence in info.value for info in at.info), [info.value for info in at.info]


def test_titles_and_notes_are_shown_as_plain_text():
    tricky = Step("home", "*Not bold* $x$ [a]", "# not a heading\n**nor bold** <3 $y$")
    plan = Plan("Plain", 5, steps=(tricky,))
    at = run_app(plan=plan, page=journey.PLANNER.path)
    click(at, "lesson_present")
    assert bar(at) == (1, 1, tricky.title)
    assert tricky.note in [text.value for text in at.main.text]
    assert not any(tricky.title in m.value or "nor bold" in m.value for m in at.main.markdown)


# -------------------------------------------------------------------------------- building


@pytest.mark.slow
def test_add_this_view_adds_the_page_and_its_settings_as_the_next_step():
    at = run_app({"dp_source": "hand-made"}, page=journey.LESSONS[0].path)
    click(at, "lesson_add_view")
    (step,) = at.session_state[PLAN_KEY].steps
    assert (step.page, step.title) == ("dot-products", "Dot products · hand-made")
    assert ("dp_source", "hand-made") in step.settings
    assert {key for key, _ in step.settings} <= set(CATALOGUE["dot-products"].settings)  # no sidebar setting
    at.radio(key="dp_source").set_value("static").run()
    click(at, "lesson_add_view")
    steps = at.session_state[PLAN_KEY].steps
    assert [s.title for s in steps] == ["Dot products · hand-made", "Dot products"]
    assert "dp_source" not in dict(steps[1].settings)  # a default is not in the address, nor in the step
    assert at.sidebar.get("page_link")[-1].proto.label == "My lesson: 2 steps"


def test_the_editor_shows_every_step_with_its_settings_in_words():
    at = run_app(plan=PLAN, page=journey.PLANNER.path)
    titles = [box.value for box in at.text_input if box.label == "Title"]
    assert titles == [step.title for step in PLAN.steps]
    assert "Tab: Attention · Layer (Attention tab): 13" in [text.value for text in at.main.text]
    kinds = [box for box in at.selectbox if box.label == "Question for the class"]
    assert [box.value for box in kinds] == ["", "attention", ""]  # Learning asks only a number question
    assert [box.options for box in kinds] == [  # the kinds each page can ask, in words
        ["No question", "Which is closer", "Guess the number"],
        ["No question", "Where does it look", "Which continuation", "Next token", "Guess the number"],
        ["No question", "Guess the number"],
    ]


def test_retitling_noting_and_asking_edit_the_plan():
    at = run_app(plan=PLAN, page=journey.PLANNER.path)
    at.text_input(key="lesson_0_1_title").set_value("Where 'was' looks").run()
    at.text_area(key="lesson_0_2_note").set_value("Five steps, then ask.").run()
    at.selectbox(key="lesson_0_2_question").set_value("number").run()
    at.text_input(key="lesson_0_2_wording").set_value("How far did the loss fall?").run()
    at.text_input(key="lesson_title_0").set_value("My fractions").run()
    plan = at.session_state[PLAN_KEY]
    assert plan.title == "My fractions"
    assert plan.steps[1].title == "Where 'was' looks"
    assert plan.steps[2].note == "Five steps, then ask."
    assert plan.steps[2].question == Question("number", "How far did the loss fall?")
    assert not at.error


def test_a_refused_title_keeps_what_was_typed_and_says_why():
    at = run_app(plan=PLAN, page=journey.PLANNER.path)
    at.text_input(key="lesson_0_1_title").set_value("<script>alert(1)</script>").run()
    assert at.session_state[PLAN_KEY].steps[1].title == "Attention"  # the plan is unchanged
    assert at.text_input(key="lesson_0_1_title").value == "<script>alert(1)</script>"  # the input is kept
    assert [e.value for e in at.error] == ["Step 2: the title contains an HTML tag; write plain text."]
    at.text_input(key="lesson_0_1_title").set_value("Attention, again").run()
    assert not at.error and at.session_state[PLAN_KEY].steps[1].title == "Attention, again"


def test_steps_move_up_and_down_and_are_deleted():
    at = run_app(plan=PLAN, page=journey.PLANNER.path)
    assert at.button(key="lesson_move_-1_0").disabled and at.button(key="lesson_move_1_2").disabled
    click(at, "lesson_move_1_0")  # the first step down
    assert [s.title for s in at.session_state[PLAN_KEY].steps] == ["Attention", "King and queen", "One step"]
    assert [box.value for box in at.text_input if box.label == "Title"] == [
        "Attention",
        "King and queen",
        "One step",
    ]
    click(at, "lesson_move_-1_2")  # the last step up
    assert [s.title for s in at.session_state[PLAN_KEY].steps] == ["Attention", "One step", "King and queen"]
    click(at, "lesson_delete_0")
    assert [s.title for s in at.session_state[PLAN_KEY].steps] == ["One step", "King and queen"]
    assert [box.value for box in at.text_input if box.label == "Title"] == ["One step", "King and queen"]


# ------------------------------------------------------------------------------------ files


def upload(at: AppTest, data: bytes, name: str = "lesson.toml") -> AppTest:
    at.file_uploader(key="lesson_upload").set_value((name, data, "application/toml")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_hostile_file_is_refused_with_its_sentence_on_the_page(name):
    text, _, sentence = HOSTILE[name]
    at = upload(run_app(plan=PLAN, page=journey.PLANNER.path), text.encode())
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and sentence in errors[0], errors
    assert at.session_state[PLAN_KEY] == PLAN  # the teacher's lesson is as it was
    assert at.file_uploader(key="lesson_upload").value is not None  # and the file stays in the box


def test_a_file_over_200_kb_is_refused_with_its_size():
    at = upload(run_app(page=journey.PLANNER.path), b"# " + b"x" * 210_000)
    assert "larger than 200 KB" in at.error[0].value


class _KeptStorage(MemoryMediaFileStorage):
    """AppTest's in-memory media storage, kept so a test can read what a download button serves."""

    made: list[MemoryMediaFileStorage] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _KeptStorage.made.append(self)


def downloaded(at: AppTest, storage: _KeptStorage) -> bytes:
    """The bytes the page's download button serves."""
    url = at.get("download_button")[0].proto.url  # /mock/media/<file id>.toml
    return storage.get_file(url.rsplit("/", 1)[-1].split(".")[0]).content


def test_a_downloaded_plan_opens_as_the_same_plan(monkeypatch):
    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", _KeptStorage)
    plan = journey.PLANS["next_word"]
    at = run_app(plan=plan, page=journey.PLANNER.path)
    button = at.get("download_button")[0]
    assert button.proto.label == "Download my lesson (TOML)"
    data = downloaded(at, _KeptStorage.made[-1])
    assert data.decode() == plan_to_toml(plan) and read_plan(data, CATALOGUE) == plan
    fresh = upload(run_app(page=journey.PLANNER.path), data)  # another session, another teacher
    assert fresh.session_state[PLAN_KEY] == plan
    assert [box.value for box in fresh.text_input if box.label == "Title"] == [s.title for s in plan.steps]
    assert [s.value for s in fresh.success] == [f"Opened: {len(plan.steps)} steps."]


def test_a_ready_made_lesson_is_copied_to_edit():
    at = run_app(plan=PLAN, page=journey.PLANNER.path)
    click(at, "lesson_ready_copy_bank")
    assert at.session_state[PLAN_KEY] == journey.PLANS["bank"]
    assert [box.value for box in at.text_input if box.label == "Title"] == [
        s.title for s in journey.PLANS["bank"].steps
    ]


@pytest.mark.slow
def test_a_ready_made_lesson_is_presented_from_its_first_step():
    at = click(run_app(page=journey.PLANNER.path), "lesson_ready_present_gradient_step")
    plan = journey.PLANS["gradient_step"]
    assert bar(at) == (1, len(plan.steps), plan.steps[0].title)
    assert page_shown(at) == "trace" and at.session_state["tr_prompt"] == "The dog ran to the"
    assert address(at)["lesson"] == "gradient_step"
