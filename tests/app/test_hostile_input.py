"""Every text box of every lesson, fed the same hostile texts: a message or a result, never a traceback.

The pages' own tests check their particular messages; this one checks the promise they share:
no exception reaches the page, the user's text stays in every box, and a text nobody could
mean gets a message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import journey

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

# What students type. The first group can never be a real input: the box must say so.
MEANINGLESS = {
    "empty": "",
    "whitespace": " \t \n ",
    "emoji": "🙂🎉🚀",
    "control characters": "\x00\x07\x1b[31m\x7f",
    "5,000 characters": "x" * 5000,
    "600 words": " ".join(f"word{i}" for i in range(600)),
}
# The second group is odd but can be legal (a prompt may be all punctuation): a message or a result.
ODD = {
    "punctuation": "?!.,;: ...",
    "other scripts": "Собака, 犬, कुत्ता, ᚱᚢᚾ",
    "HTML and script": "<script>alert('hi')</script><b>bold</b>",
    "huge number": "1e309",
    "absent word": "zzqxjv",
}
HOSTILE = {**MEANINGLESS, **ODD}
# Boxes where an empty value is a normal choice (no search; the preset's words only).
EMPTY_IS_FINE = {"pj_search", "pj_words", "tr_lens_target"}  # the lens then follows the top next token
HAND_MADE = (("dp_source", "hand-made"),)  # the setting that shows the hand-made vectors box
ENCODER_TRACE = (("tr_model", "all-MiniLM-L6-v2"),)  # the trace page on the encoder (WordPiece, BERT)
WHY_THIS_TOKEN = (("tr_tab", "Why this token"),)  # the trace page's tab with the two patching prompts
WHOLE_MODEL = (("tr_tab", "Whole model"),)  # the trace page's tab with the lens's target-token box
# Every text box of every lesson: (page, settings that show it, key). A test below keeps this
# list in step with the pages.
BOXES = [
    *[("lessons/dot_products.py", (), key) for key in ("dp_words", "dp_axis_start", "dp_axis_end")],
    *[("lessons/dot_products.py", (), key) for key in ("dp_neighbour", "dp_an_a", "dp_an_b", "dp_an_c")],
    ("lessons/dot_products.py", HAND_MADE, "dp_vectors"),
    ("lessons/projections.py", (), "pj_words"),
    ("lessons/projections.py", (), "pj_search"),
    *[("lessons/projections.py", (("pj_method", "Custom"),), key) for key in ("pj_x_axis", "pj_y_axis")],
    ("lessons/context.py", (), "cx_word"),
    ("lessons/context.py", (), "cx_sentences"),
    ("lessons/trace.py", (), "tr_prompt"),
    ("lessons/trace.py", ENCODER_TRACE, "tr_prompt"),
    *[("lessons/trace.py", WHY_THIS_TOKEN, key) for key in ("tr_clean", "tr_corrupted")],
    ("lessons/trace.py", WHOLE_MODEL, "tr_prompt"),
    ("lessons/trace.py", WHOLE_MODEL, "tr_lens_target"),
    ("lessons/learning.py", (), "ln_text"),
]


def text_boxes(at: AppTest) -> dict:
    return {box.key: box for box in [*at.text_input, *at.text_area] if box.key}


def messages(at: AppTest) -> list[str]:
    return [m.value for m in [*at.warning, *at.error, *at.info]]


def open_page(path: str, query: tuple) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=300)
    at.query_params.update(dict(query))
    return at.run()


def test_the_list_names_every_text_box_of_every_lesson():
    listed = {(path, key) for path, _, key in BOXES}
    shown = set()
    for path, query in {(path, query) for path, query, _ in BOXES}:
        shown |= {(path, key) for key in text_boxes(open_page(path, query))}
    assert {lesson.path for lesson in journey.LESSONS} <= {path for path, _ in shown}
    assert shown == listed


def box_id(path: str, query: tuple, key: str) -> str:
    return "-".join([Path(path).stem, *(value for _, value in query), key])


@pytest.fixture(scope="module", params=BOXES, ids=[box_id(*box) for box in BOXES])
def page_state(request):
    """One page per box, run once; each hostile text then reruns it."""
    path, query, key = request.param
    at = open_page(path, query)
    assert not at.exception, [e.value for e in at.exception]
    return at, key


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_in_every_box(page_state, name):
    at, key = page_state
    text = HOSTILE[name]
    text_boxes(at)[key].input(text)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "the page stopped drawing"
    assert text_boxes(at)[key].value == text, "the user's text must stay in the box"
    if name in MEANINGLESS and not (key in EMPTY_IS_FINE and not text.strip()):
        assert messages(at), f"{name!r} in {key} got no message"
