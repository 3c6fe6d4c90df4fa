"""Every text box of every lesson, fed the same hostile texts: a message or a result, never a traceback.

The pages' own tests check their particular messages; this one checks the promise they share:
no exception reaches the page, the user's text stays in every box, and a text nobody could
mean gets a message.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import journey
from ui.url_settings import setting_label

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

# The pages come from the one registry, ui/journey.py (app.py builds its navigation from it): a
# lesson registered there is opened here with its default settings, and every text box it shows
# is fed every hostile text; nothing needs adding to this file. REVEAL lists only the settings
# under which a page shows further boxes (a test below checks each one still does).
HAND_MADE = (("dp_source", "hand-made"),)  # the setting that shows the hand-made vectors box
ENCODER_TRACE = (("tr_model", "all-MiniLM-L6-v2"),)  # the trace page on the encoder (WordPiece, BERT)
# the trace page's tab with the two patching prompts (their folded section opens for a link that sets one)
WHY_THIS_TOKEN = (("tr_tab", "Why this token"), ("tr_clean", "The capital of France is"))
WHOLE_MODEL = (("tr_tab", "Whole model"),)  # the trace page's tab with the lens's target-token box
REVEAL = [
    ("lessons/dot_products.py", HAND_MADE),
    ("lessons/projections.py", (("pj_method", "Custom"),)),
    ("lessons/trace.py", ENCODER_TRACE),  # the same box, on another model's tokenizer
    ("lessons/trace.py", WHY_THIS_TOKEN),  # the clean and corrupted prompts of activation patching
    ("lessons/trace.py", WHOLE_MODEL),  # the lens's target token
]
PAGE_STATES = [(lesson.path, ()) for lesson in journey.LESSONS] + REVEAL


def text_boxes(at: AppTest) -> dict:
    return {box.key: box for box in [*at.text_input, *at.text_area] if box.key}


def messages(at: AppTest) -> list[str]:
    return [m.value for m in [*at.warning, *at.error, *at.info]]


def open_page(path: str, query: tuple) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=300)
    at.query_params.update(dict(query))
    return at.run()


def test_every_revealing_setting_still_reveals():
    """A REVEAL entry that shows no box of its own is stale (the encoder trace: one box, another model)."""
    for path, query in REVEAL:
        revealed, default = open_page(path, query), open_page(path, ())
        new_boxes = set(text_boxes(revealed)) - set(text_boxes(default))
        assert new_boxes or query == ENCODER_TRACE, f"{query} shows no box of its own on {path}"


def state_id(path: str, query: tuple) -> str:
    return "-".join([Path(path).stem, *(value for _, value in query)])


@pytest.fixture(scope="module", params=PAGE_STATES, ids=[state_id(*state) for state in PAGE_STATES])
def page_state(request):
    """One page (with its settings) run once, and the boxes to test with the text each started with.

    Under a REVEAL setting only the boxes it adds are tested (the others are tested with the page's
    defaults), unless it adds none: then it shows the same boxes in another state, and all are tested.
    """
    path, query = request.param
    at = open_page(path, query)
    assert not at.exception, [e.value for e in at.exception]
    started = {key: box.value for key, box in text_boxes(at).items()}
    if query:
        new = set(started) - set(text_boxes(open_page(path, ())))
        started = {key: value for key, value in started.items() if key in new} or started
    return at, started


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_in_every_box(page_state, name):
    """Each box of the page in turn gets the text while the others hold what they started with."""
    at, started = page_state
    text = HOSTILE[name]
    for key in started:
        if key not in text_boxes(at):  # the previous box's text hid this one: put that back first
            at.run()
        text_boxes(at)[key].input(text)
        at.run()
        assert not at.exception, (key, [e.value for e in at.exception])
        assert at.title, f"the page stopped drawing after {name!r} in {key}"
        assert text_boxes(at)[key].value == text, f"the user's text must stay in {key}"
        if name in MEANINGLESS and not (key in EMPTY_IS_FINE and not text.strip()):
            assert messages(at), f"{name!r} in {key} got no message"
        text_boxes(at)[key].input(started[key])  # put back (applied by the next run)


def names_box(message: str, key: str) -> bool:
    """Whether a message names the box with ``key``: it starts with the box's label (ui/url_settings.py)
    or says "the <label>" ("The prompt is longer than 64 tokens")."""
    label, text = setting_label(key).lower(), re.sub(r"\\(.)", r"\1", message).lower()
    return text.startswith(f"**{label}**") or f"the {label.split(' (')[0]} " in text


def test_a_text_over_a_limit_gets_one_message_naming_the_box_and_the_limit(page_state):
    """5,000 characters of words are over every box's limit (characters, or a prompt's 64 tokens): one
    message names the box and states a limit."""
    at, started = page_state
    for key in started:
        if key not in text_boxes(at):
            at.run()
        text_boxes(at)[key].input("word " * 1000)
        at.run()
        naming = [m for m in messages(at) if names_box(m, key)]
        assert len(naming) == 1, (key, messages(at))
        assert re.search(r"\d", naming[0].replace("5,000", "").replace("1,000", "")), naming  # the limit
        text_boxes(at)[key].input(started[key])


@pytest.mark.parametrize(
    ("path", "query", "key", "text", "said"),
    [
        ("lessons/projections.py", {}, "pj_words", "a" * 500, "500 characters, more than the limit of 60"),
        (
            "lessons/dot_products.py",
            {"dp_source": "sentence"},
            "dp_words",
            "The quick brown fox jumps over the lazy dog while the cat watches from the warm windowsill.",
            "91 characters, more than the limit of 60",
        ),
    ],
    ids=["projections-500-character-entry", "dot-products-long-sentence"],
)
def test_the_limit_a_text_breaks_is_the_one_said(path, query, key, text, said):
    """Not "Type at least one word" for a 500-character entry, nor "use a shorter word" for a sentence."""
    at = open_page(path, tuple(query.items()))
    text_boxes(at)[key].input(text)
    at.run()
    naming = [m for m in messages(at) if names_box(m, key)]
    assert len(naming) == 1 and said in naming[0], messages(at)
    assert not any("at least one word" in m or "shorter word" in m for m in messages(at))
