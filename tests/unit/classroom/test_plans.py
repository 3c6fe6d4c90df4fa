"""Lesson plans (classroom.plans): the TOML format, its round trip, editing, and every hostile file refused
with a sentence that names its step. The pages are the app's real catalogue (ui.url_settings, pure data)."""

from __future__ import annotations

import random

import pytest

from classroom.plans import (
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    MAX_NOTE_CHARS,
    MAX_STEPS,
    MAX_TITLE_CHARS,
    Plan,
    PlanError,
    Question,
    Step,
    add_step,
    check_plan,
    delete_step,
    move_step,
    plan_to_toml,
    read_plan,
    retitle_step,
    text_problem,
)
from ui.url_settings import CATALOGUE, Choice, Number, Switch, Text

ATTENTION = Step(
    "trace",
    "Attention",
    "Ask first, then show the heatmap.",
    (("tr_prompt", "The dog that chased the cat was"), ("tr_tab", "Attention"), ("tr_layer", "13")),
    Question("attention", "Which word does 'was' look at?"),
)
KING_QUEEN = Step(
    "dot-products",
    "King · queen",
    "9×8 + (−5)×(−4) + 6×6 = 128",
    (("dp_source", "hand-made"), ("dp_vectors", "king = [9, -5, 6]\nqueen = [8, -4, 6]")),
    Question("number"),
)
PLAN = Plan("How a model chooses the next word", 45, steps=(KING_QUEEN, ATTENTION))


def read(text: str) -> Plan:
    return read_plan(text.encode(), CATALOGUE)


# ------------------------------------------------------------------------------ round trip


def test_a_plan_round_trips_through_its_file():
    text = plan_to_toml(PLAN)
    assert read(text) == PLAN
    assert text.count("[[step]]") == 2 and "[step.settings]" in text and "[step.question]" in text
    assert "tr_layer = 13" in text  # a whole number is written as one, and read back as URL text


def test_the_file_is_the_documented_shape():
    """title, minutes and version first, then one [[step]] table per step, even for short steps."""
    plan = Plan("Short", 5, steps=(Step("home", "A"), Step("home", "B")))
    text = plan_to_toml(plan)
    assert text.splitlines()[1:4] == ['title = "Short"', "minutes = 5", f"version = {FORMAT_VERSION}"]
    assert text.count("[[step]]") == 2  # never an inline array of tables
    assert read(text) == plan


def test_a_file_may_write_numbers_and_switches_plainly():
    plan = read(
        'title = "T"\nminutes = 10\nversion = 1\n[[step]]\npage = "trace"\ntitle = "S"\n'
        "[step.settings]\ntr_temperature = 0.5\ntr_layer = 3\ntr_mask = false\ntr_top_p = 1.0\n"
        'tr_mv_layers = [0, 5]\n[step.question]\nkind = "number"\n'
    )
    assert plan.steps[0].settings == (
        ("tr_temperature", "0.5"),
        ("tr_layer", "3"),
        ("tr_mask", "false"),
        ("tr_top_p", "1"),
        ("tr_mv_layers", ("0", "5")),
    )
    assert plan.steps[0].query["tr_mv_layers"] == ["0", "5"]
    assert plan.steps[0].question == Question("number")


def test_a_question_may_be_named_by_its_kind_alone():
    plan = read(
        'title = "T"\nminutes = 1\nversion = 1\n[[step]]\npage = "trace"\ntitle = "S"\nquestion = "number"\n'
    )
    assert plan.steps[0].question == Question("number")


# Pieces of text that a writer of TOML or Markdown must handle with care.
# fmt: off
TRICKY = [
    '"', "'", '"""', "'''", "\\", "\\n", "\\u0041", "#", " = ", "[[step]]", "[step.settings]", "{", "}",
    "é", "ß", "İ", "Å", "e\u0301", "😀", "👩\u200d👩\u200d👧", "🇫🇷", "日本語", "עברית", "العربية",
    "𝔸", "␣", "·", "\u00a0", "—", "…", "“", "”", "«", "»", "<3", "a < b", "x > 0", "50%", "$", "*", "_",
    "Q&A", "AT&T", "[9, -5, 6]", "(1 + 2)", "~", "^", "|", "\t", "  ", "0", "-1", "1e-05", "true", "nan",
]
# fmt: on


def tricky_text(rng: random.Random, limit: int, one_line: bool) -> str:
    """Random text of tricky pieces that is still plain text (titles and notes must be)."""
    while True:
        pieces = rng.choices(TRICKY + ["word", "The storm is", "\n"] * 2, k=rng.randint(1, 12))
        text = "".join(pieces)[:limit]
        if one_line:
            text = text.replace("\n", " ").replace("\t", " ")
        if text_problem(text, limit, one_line) is None:
            return text


def random_value(rng: random.Random, rule, count: tuple[int, int]) -> str | tuple[str, ...]:
    def one() -> str:
        if isinstance(rule, Choice):
            return rng.choice(rule.options)
        if isinstance(rule, Switch):
            return rng.choice(["true", "false", "True", "FALSE"])
        if isinstance(rule, Number):
            if rule.whole:
                return str(rng.randint(int(rule.low), int(rule.high)))
            return rng.choice([repr(rng.uniform(rule.low, rule.high)), f"{rule.low:g}", "0.5"])
        assert isinstance(rule, Text)
        return tricky_text(rng, rule.max_chars, one_line=False) if rng.random() < 0.9 else ""

    if count == (1, 1):
        return one()
    return tuple(one() for _ in range(rng.randint(count[0], min(count[1], 4))))


def random_step(rng: random.Random) -> Step:
    url_path = rng.choice(list(CATALOGUE))
    page = CATALOGUE[url_path]
    keys = rng.sample(list(page.settings), k=min(len(page.settings), rng.randint(0, 6)))
    settings = tuple(
        (key, random_value(rng, page.settings[key].rule, page.settings[key].values)) for key in keys
    )
    question = None
    if page.questions and rng.random() < 0.5:
        wording = tricky_text(rng, 200, one_line=False) if rng.random() < 0.7 else ""
        question = Question(rng.choice(sorted(page.questions)), wording)
    note = tricky_text(rng, MAX_NOTE_CHARS, one_line=False) if rng.random() < 0.8 else ""
    return Step(url_path, tricky_text(rng, MAX_TITLE_CHARS, one_line=True), note, settings, question)


@pytest.mark.parametrize("seed", range(300))
def test_generated_plans_round_trip(seed):
    rng = random.Random(seed)
    steps = tuple(random_step(rng) for _ in range(rng.randint(0, 8)))
    plan = Plan(tricky_text(rng, MAX_TITLE_CHARS, one_line=True), rng.randint(1, 600), steps=steps)
    check_plan(plan, CATALOGUE)  # the generator makes valid plans only
    assert read(plan_to_toml(plan)) == plan


def test_a_byte_order_mark_is_ignored():
    assert read_plan(b"\xef\xbb\xbf" + plan_to_toml(PLAN).encode(), CATALOGUE) == PLAN


# -------------------------------------------------------------------------------- editing


def test_steps_are_added_moved_retitled_and_deleted_without_changing_the_original():
    plan = Plan("Lesson", 20)
    plan = add_step(plan, KING_QUEEN)
    plan = add_step(plan, ATTENTION, index=0)
    assert [s.title for s in plan.steps] == ["Attention", "King · queen"]
    moved = move_step(plan, 0, 1)
    assert [s.title for s in moved.steps] == ["King · queen", "Attention"]
    renamed = retitle_step(moved, 1, "  Where 'was' looks  ")
    assert renamed.steps[1].title == "Where 'was' looks" and renamed.steps[1].settings == ATTENTION.settings
    shorter = delete_step(renamed, 0)
    assert [s.title for s in shorter.steps] == ["Where 'was' looks"]
    assert [s.title for s in plan.steps] == ["Attention", "King · queen"]  # plans are values


def test_a_full_plan_takes_no_more_steps():
    full = Plan("Full", 45, steps=(KING_QUEEN,) * MAX_STEPS)
    with pytest.raises(PlanError, match=f"at most {MAX_STEPS} steps"):
        add_step(full, ATTENTION)


def test_a_retitle_with_markup_is_refused_naming_the_step():
    with pytest.raises(PlanError) as refused:
        retitle_step(PLAN, 1, "<img src=x onerror=alert(1)>")
    assert refused.value.step == 2
    assert str(refused.value).startswith("Step 2: the title contains an HTML tag")


def test_moving_from_or_to_a_missing_step_is_an_index_error():
    with pytest.raises(IndexError):
        move_step(PLAN, 0, 5)


# ------------------------------------------------------------------------- plain-text rule


@pytest.mark.parametrize(
    "text",
    [
        "cosine > 0.5",
        "a < b",
        "<3",
        "Q&A with R&D and AT&T",
        "king·queen = [9, -5, 6]·[8, -4, 6] = 128",
        "Don't “quote” me (please)",
        "e.g. the data: a list of words",
        "日本語 😀 👩\u200d👩\u200d👧 עברית",
        "50% * 2 = $1",
    ],
)
def test_plain_text_is_accepted(text):
    assert text_problem(text, 200) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<script>alert(1)</script>", "HTML tag"),
        ("</b>", "HTML tag"),
        ("<!-- comment -->", "HTML tag"),
        ("<https://example.org>", "HTML tag"),  # a Markdown autolink
        ("&lt;script&gt;", "character reference"),
        ("&#60;script&#62;", "character reference"),
        ("&#x3C;b&#x3E;", "character reference"),
        ("&ltscript", "character reference"),  # browsers decode some references without a semicolon
        ("[click](https://example.org)", "Markdown link"),
        ("![cat](cat.png)", "Markdown link"),
        ("[click][1]", "Markdown link"),
        ("[1]: https://example.org", "Markdown link"),
        ("javascript:alert(1)", "script address"),
        ("JaVa\tScRiPt:alert(1)", "script address"),
        ("java script:alert(1)", "script address"),
        ("vbscript:msgbox", "script address"),
        ("data:text/html,hello", "script address"),
        ("see https://example.org", "web address"),
        ("see www.example.org", "web address"),
        ("ftp://files", "web address"),
        ("bell \x07", "control character (U+0007)"),
        ("right-to-left \u202e override", "control character (U+202E)"),
        ("line\u2028separator", "control character (U+2028)"),
        ("   ", "is empty"),
        ("x" * 201, "201 characters"),
    ],
)
def test_markup_script_and_hidden_characters_are_refused(text, problem):
    assert problem in text_problem(text, 200)


def test_a_title_is_one_line():
    assert "on one line" in text_problem("two\nlines", 80, one_line=True)
    assert text_problem("two\nlines", 600) is None  # a note may have several


# -------------------------------------------------------------------------- hostile files

HEADER = 'title = "Lesson"\nminutes = 20\nversion = 1\n'
GOOD_STEP = '[[step]]\npage = "dot-products"\ntitle = "King and queen"\n'


def with_step(body: str, header: str = HEADER) -> str:
    """A plan whose first step is fine and whose second step is ``body``."""
    return header + GOOD_STEP + "\n[[step]]\n" + body


ATTENTION_STEP = 'page = "trace"\ntitle = "Attention"\n'
HOSTILE = {
    "unknown page": (
        with_step('page = "admin"\ntitle = "Attention"\n'),
        2,
        "there is no lesson page 'admin'",
    ),
    "unknown setting": (
        with_step(ATTENTION_STEP + "[step.settings]\ntr_shell = 1\n"),
        2,
        "the page Inside the model has no setting 'tr_shell'",
    ),
    "another page's setting": (
        with_step(ATTENTION_STEP + '[step.settings]\ndp_source = "static"\n'),
        2,
        "has no setting 'dp_source'",
    ),
    "the app's own setting": (
        with_step(ATTENTION_STEP + "[step.settings]\npresenter = true\n"),
        2,
        "has no setting 'presenter'",
    ),
    "not an option": (
        with_step(ATTENTION_STEP + '[step.settings]\ntr_tab = "Secrets"\n'),
        2,
        "Tab (tr_tab) cannot be 'Secrets': it takes one of: Attention, All heads",
    ),
    "out of range": (
        with_step(ATTENTION_STEP + "[step.settings]\ntr_temperature = 9\n"),
        2,
        "Temperature (tr_temperature) cannot be '9': it takes a number from 0 to 2",
    ),
    "not a number": (
        with_step(ATTENTION_STEP + '[step.settings]\ntr_layer = "three"\n'),
        2,
        "Layer (Attention tab) (tr_layer) cannot be 'three': it takes a whole number from 0 to 9999",
    ),
    "not a whole number": (
        with_step(ATTENTION_STEP + "[step.settings]\ntr_layer = 1.5\n"),
        2,
        "cannot be '1.5': it takes a whole number",
    ),
    "not a number at all": (
        with_step(ATTENTION_STEP + "[step.settings]\ntr_temperature = nan\n"),
        2,
        "cannot be 'nan'",
    ),
    "not a switch": (
        with_step(ATTENTION_STEP + '[step.settings]\ntr_mask = "maybe"\n'),
        2,
        "cannot be 'maybe': it takes true or false",
    ),
    "a range with one end": (
        with_step(ATTENTION_STEP + "[step.settings]\ntr_mv_layers = [3]\n"),
        2,
        "cannot be ['3']: it takes 2 values, each a whole number",
    ),
    "a list where one value goes": (
        with_step(ATTENTION_STEP + '[step.settings]\ntr_tab = ["Attention", "Cost"]\n'),
        2,
        "it takes one value, each one of",
    ),
    "a table as a value": (
        with_step(ATTENTION_STEP + "[step.settings]\ntr_layer = { a = 1 }\n"),
        2,
        "the setting 'tr_layer' must be text, a number, true or false",
    ),
    "a date as a value": (
        with_step(ATTENTION_STEP + "[step.settings]\ntr_layer = 1979-05-27\n"),
        2,
        "must be text, a number, true or false",
    ),
    "a control character in a text setting": (
        with_step(ATTENTION_STEP + '[step.settings]\ntr_prompt = "a\\u0000b"\n'),
        2,
        "Prompt (tr_prompt) cannot be this value (not repeated here: it is not plain text)",
    ),
    "an over-long text setting": (
        with_step(ATTENTION_STEP + f'[step.settings]\ntr_prompt = "{"x" * 2001}"\n'),
        2,
        "it takes text of at most 2,000 characters",
    ),
    "settings that are not a table": (
        with_step(ATTENTION_STEP + 'settings = "tr_tab=Cost"\n'),
        2,
        "its settings must be a table",
    ),
    "malformed TOML in a step": (
        with_step(ATTENTION_STEP + 'note = "unclosed\n'),
        2,
        "Step 2: line 11 is not valid TOML",
    ),
    "malformed TOML before the steps": ('title = "Lesson\nminutes = 20\n', None, "Line 1 is not valid TOML"),
    "no title": ("minutes = 20\nversion = 1\n", None, "The plan has no title"),
    "a blank title": ('title = "  "\nminutes = 20\nversion = 1\n', None, "The plan's title is empty"),
    "a title that is not text": ("title = 5\nminutes = 20\nversion = 1\n", None, "must be text in quotes"),
    "markup in the plan's title": (
        'title = "<b>Lesson</b>"\nminutes = 20\nversion = 1\n',
        None,
        "The plan's title contains an HTML tag",
    ),
    "a step without a title": (with_step('page = "trace"\n'), 2, "Step 2 has no title"),
    "a blank step title": (with_step('page = "trace"\ntitle = ""\n'), 2, "Step 2: the title is empty"),
    "a step without a page": (
        with_step('title = "Attention"\n'),
        2,
        "Step 2 ('Attention') does not name its page",
    ),
    "script in a title": (
        with_step('page = "trace"\ntitle = "<script>alert(1)</script>"\n'),
        2,
        "Step 2: the title contains an HTML tag; write plain text",
    ),
    "a tag in a note": (
        with_step(ATTENTION_STEP + 'note = "Look <b>here</b>"\n'),
        2,
        "the note contains an HTML tag",
    ),
    "a script address in a note": (
        with_step(ATTENTION_STEP + 'note = "javascript:alert(1)"\n'),
        2,
        "the note contains a script address",
    ),
    "entities that spell a tag": (
        with_step('page = "trace"\ntitle = "&lt;script&gt;alert(1)&lt;/script&gt;"\n'),
        2,
        "Step 2: the title contains an HTML character reference",
    ),
    "a Markdown link in a note": (
        with_step(ATTENTION_STEP + 'note = "[the answers](https://example.org)"\n'),
        2,
        "the note contains a Markdown link or image",
    ),
    "a Markdown image in a note": (
        with_step(ATTENTION_STEP + 'note = "![a cat](cat.png)"\n'),
        2,
        "the note contains a Markdown link or image",
    ),
    "a web address in a note": (
        with_step(ATTENTION_STEP + 'note = "Answers at https://example.org"\n'),
        2,
        "the note contains a web address",
    ),
    "a hidden reordering character in a title": (
        with_step('page = "trace"\ntitle = "Attention \\u202e"\n'),
        2,
        "Step 2: the title contains a control character (U+202E)",
    ),
    "an over-long title": (
        with_step(f'page = "trace"\ntitle = "{"A" * (MAX_TITLE_CHARS + 1)}"\n'),
        2,
        f"the title has {MAX_TITLE_CHARS + 1} characters; at most {MAX_TITLE_CHARS}",
    ),
    "an over-long note": (
        with_step(ATTENTION_STEP + f'note = "{"a" * (MAX_NOTE_CHARS + 1)}"\n'),
        2,
        f"the note has {MAX_NOTE_CHARS + 1} characters",
    ),
    "a note that is not text": (
        with_step(ATTENTION_STEP + "note = 0\n"),
        2,
        "the note must be text in quotes",
    ),
    "an unknown question kind": (
        with_step(ATTENTION_STEP + '[step.question]\nkind = "poll"\n'),
        2,
        "there is no question of the kind 'poll'. The kinds are: next_token",
    ),
    "a question this page cannot ask": (
        with_step('page = "projections"\ntitle = "Maps"\nquestion = "next_token"\n'),
        2,
        "the page Projections cannot ask a next_token question",
    ),
    "markup in a question": (
        with_step(ATTENTION_STEP + '[step.question]\nkind = "attention"\nwording = "<i>Which?</i>"\n'),
        2,
        "the question's wording contains an HTML tag",
    ),
    "a question with extra fields": (
        with_step(ATTENTION_STEP + '[step.question]\nkind = "attention"\nrun = "rm -rf /"\n'),
        2,
        "its question must be a table with a kind and a wording",
    ),
    "an unknown step field": (
        with_step(ATTENTION_STEP + 'script = "alert(1)"\n'),
        2,
        "Step 2 ('Attention') has an unknown field 'script'",
    ),
    "an unknown plan field": (HEADER + 'script = "x"\n', None, "The plan has an unknown field 'script'"),
    "a newer version": (
        HEADER.replace("version = 1", "version = 2"),
        None,
        "format version 2; this app reads version 1",
    ),
    "a version in words": (HEADER.replace("version = 1", 'version = "1"'), None, "format version '1'"),
    "no version": ('title = "Lesson"\nminutes = 20\n', None, "does not say its format version"),
    "no minutes": ('title = "Lesson"\nversion = 1\n', None, "minutes must be a whole number from 1 to"),
    "minutes that are true": (HEADER.replace("20", "true"), None, "minutes must be a whole number"),
    "steps that are not tables": (HEADER + "step = [1, 2]\n", None, "steps must be [[step]] tables"),
    "one step table": (HEADER + '[step]\npage = "trace"\n', None, "steps must be [[step]] tables"),
    "too many steps": (
        HEADER + GOOD_STEP * (MAX_STEPS + 1),
        None,
        f"{MAX_STEPS + 1} steps; a plan has at most",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_hostile_file_is_refused_with_a_sentence_that_names_its_step(name):
    text, step, sentence = HOSTILE[name]
    with pytest.raises(PlanError) as refused:
        read(text)
    message = str(refused.value)
    assert sentence in message
    assert refused.value.step == step
    if step is not None:
        assert message.startswith(f"Step {step}")
    assert message.endswith("."), message
    # the page shows the message as it is: it must not carry the file's markup
    assert text_problem(message, 10_000) is None, message


def test_the_malformed_line_and_its_step_are_named():
    text = with_step(ATTENTION_STEP + "note = nope\n")
    with pytest.raises(PlanError) as refused:
        read(text)
    assert str(refused.value).startswith("Step 2: line 11 is not valid TOML: Invalid value")


def test_a_file_over_200_kb_is_refused_before_it_is_read():
    text = HEADER + "# " + "x" * MAX_FILE_BYTES + "\n"
    with pytest.raises(PlanError, match=r"larger than 200 KB \(2\d\d,\d\d\d bytes\); .* at most 200 KB\."):
        read(text)


def test_a_plan_made_in_the_app_is_checked_like_a_file():
    with pytest.raises(PlanError, match="minutes must be a whole number"):
        check_plan(Plan("Lesson", 0), CATALOGUE)
    with pytest.raises(PlanError, match="Step 1 \\('S'\\): the setting 'tr_layer' must be text"):
        check_plan(Plan("Lesson", 5, steps=(Step("trace", "S", settings=(("tr_layer", 3),)),)), CATALOGUE)


def test_bytes_that_are_not_text_are_refused():
    with pytest.raises(PlanError, match=r"not text \(UTF-8\)"):
        read_plan(b"\xff\xfe\x00t\x00i", CATALOGUE)


def test_a_hostile_fragment_is_not_repeated_in_the_message():
    with pytest.raises(PlanError) as refused:
        read(with_step('page = "[x](javascript:alert(1))"\ntitle = "Attention"\n'))
    assert "javascript" not in str(refused.value) and "not repeated here" in str(refused.value)


def test_the_first_fault_in_reading_order_is_reported():
    text = with_step('page = "admin"\ntitle = "One"\n') + '\n[[step]]\npage = "nowhere"\ntitle = "Two"\n'
    with pytest.raises(PlanError) as refused:
        read(text)
    assert refused.value.step == 2


def test_any_catalogue_will_do():
    """classroom.plans knows no page of its own: what it checks comes from the catalogue it is given."""

    class Always:
        label = "Anything"

        def problem(self, values):
            return None

    class Page:
        title = "A page"
        settings = {"x": Always()}
        questions = frozenset({"number"})

    plan = read_plan(
        (
            HEADER + '[[step]]\npage = "p"\ntitle = "S"\nquestion = "number"\n[step.settings]\nx = "<b>"\n'
        ).encode(),
        {"p": Page()},
    )
    assert plan.steps[0].settings == (("x", "<b>"),)
    with pytest.raises(PlanError, match="there is no lesson page 'dot-products'. The pages are: p."):
        read_plan(plan_to_toml(PLAN).encode(), {"p": Page()})


def test_the_examples_in_the_docstrings_hold():
    """pytest collects doctests from geometry/ only; this module's examples are run here."""
    import doctest

    import classroom.plans

    results = doctest.testmod(classroom.plans)
    assert results.attempted and results.failed == 0
