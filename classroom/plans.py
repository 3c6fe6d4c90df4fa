"""Lesson plans: a teacher's ordered views of the lesson pages, as TOML files to share.

A plan is a title, a time estimate and a list of steps; a step is one view (a lesson page by its
url path, and the page's URL settings as its query parameters carry them), a title, a short note
for the teacher and, optionally, a question for the class. Plans are immutable: the editing
functions return new plans.

A plan file is TOML (``FORMAT_VERSION`` 1)::

    title = "Why 'bank' changes with its sentence"
    minutes = 20
    version = 1

    [[step]]
    page = "context"
    title = "Before context: one vector"
    note = "Every bank starts from the same row of the embedding matrix."

    [step.settings]
    cx_layer = "static"

    [step.question]
    kind = "closer_pair"
    wording = "Which two banks are closest?"

An uploaded file is validated, never executed (:func:`read_plan`): it is parsed as data, every
page and setting is checked against a catalogue of the app's pages that the caller passes in
(``ui.url_settings.CATALOGUE`` in the app), and titles and notes must be plain text. A refusal is
one :class:`PlanError` whose message names the step and can be shown on a page as it is.

Setting values are kept as the URL carries them: text (``"3"``, ``"true"``, ``"UMAP"``), or a
tuple of texts for a widget with several values (a range slider, a multiselect). A file may write
``3``, ``true`` or ``0.5`` for them; they are read as ``"3"``, ``"true"`` and ``"0.5"``.
"""

from __future__ import annotations

import dataclasses
import html
import math
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import tomli_w

FORMAT_VERSION = 1
MAX_FILE_BYTES = 200 * 1024  # "200 KB": a plan of 60 steps with long notes is about 60 KB
MAX_STEPS = 60  # a double lesson at two minutes a step; more is a sign of a wrong file
MAX_MINUTES = 600
MAX_TITLE_CHARS = 80  # one line on a 1024-pixel presenter bar
MAX_NOTE_CHARS = 600  # a short paragraph for the teacher
MAX_WORDING_CHARS = 200  # a question read aloud in one breath
QUESTION_KINDS = ("next_token", "closer_pair", "attention", "number", "continuation")

SettingValue = str | tuple[str, ...]


class PlanError(ValueError):
    """A plan that cannot be read or edited. ``step`` is the 1-based step it concerns (None: the
    whole plan); the message names that step and is safe to show on a page as it is."""

    def __init__(self, message: str, step: int | None = None) -> None:
        super().__init__(message)
        self.step = step


class SettingCheck(Protocol):
    """What a plan needs to know of one URL setting of a page (see ``ui.url_settings.Setting``)."""

    label: str  # the setting in words, e.g. "Query token"

    def problem(self, values: tuple[str, ...]) -> str | None:
        """None when the page can take these URL values; else what it takes, in words."""


class PageSettings(Protocol):
    """What a plan needs to know of one lesson page (see ``ui.url_settings.PageSettings``)."""

    title: str
    settings: Mapping[str, SettingCheck]
    questions: frozenset[str]  # the question kinds this page can ask


@dataclass(frozen=True)
class Question:
    """A question for the class, one of ``QUESTION_KINDS``; the page builds its data from its
    current inputs. ``wording`` is what the class reads (empty: the page's own wording)."""

    kind: str
    wording: str = ""


@dataclass(frozen=True)
class Step:
    """One view of a lesson page, and what the teacher says about it."""

    page: str  # the lesson's url path, e.g. "trace"
    title: str
    note: str = ""
    settings: tuple[tuple[str, SettingValue], ...] = ()  # URL key → URL text (or texts), in order
    question: Question | None = None

    @property
    def query(self) -> dict[str, str | list[str]]:
        """The settings as query parameters (for ``st.query_params`` or a page link)."""
        return {key: value if isinstance(value, str) else list(value) for key, value in self.settings}


@dataclass(frozen=True)
class Plan:
    """A lesson: a title, an estimate in minutes, the file format's version and the steps in order."""

    title: str
    minutes: int
    version: int = FORMAT_VERSION
    steps: tuple[Step, ...] = ()


# ----------------------------------------------------------------------------------- editing


def add_step(plan: Plan, step: Step, index: int | None = None) -> Plan:
    """The plan with ``step`` inserted before position ``index`` (0-based; None: at the end)."""
    if len(plan.steps) >= MAX_STEPS:
        raise PlanError(f"A plan has at most {MAX_STEPS} steps; delete one to add another.")
    steps = list(plan.steps)
    steps.insert(len(steps) if index is None else index, step)
    return dataclasses.replace(plan, steps=tuple(steps))


def move_step(plan: Plan, index: int, to: int) -> Plan:
    """The plan with the step at ``index`` moved to position ``to`` (both 0-based)."""
    steps = list(plan.steps)
    if not (0 <= index < len(steps) and 0 <= to < len(steps)):
        raise IndexError(f"no step {index} or {to} in a plan of {len(steps)} steps")
    steps.insert(to, steps.pop(index))
    return dataclasses.replace(plan, steps=tuple(steps))


def retitle_step(plan: Plan, index: int, title: str) -> Plan:
    """The plan with step ``index`` (0-based) renamed; a title that is not plain text is refused."""
    problem = text_problem(title, MAX_TITLE_CHARS, one_line=True)
    if problem:
        raise PlanError(f"Step {index + 1}: the title {problem}.", index + 1)
    steps = list(plan.steps)
    steps[index] = dataclasses.replace(steps[index], title=title.strip())
    return dataclasses.replace(plan, steps=tuple(steps))


def replace_step(plan: Plan, index: int, step: Step, catalogue: Mapping[str, PageSettings]) -> Plan:
    """The plan with step ``index`` (0-based) replaced by ``step`` (a new note or question), which is
    checked against the catalogue first: PlanError names the step."""
    check_step(step, index + 1, catalogue)
    steps = list(plan.steps)
    steps[index] = step
    return dataclasses.replace(plan, steps=tuple(steps))


def delete_step(plan: Plan, index: int) -> Plan:
    """The plan without step ``index`` (0-based)."""
    steps = list(plan.steps)
    del steps[index]
    return dataclasses.replace(plan, steps=tuple(steps))


# ------------------------------------------------------------------------- plain-text rule

# Titles, notes and questions are plain text. A page may show them with Markdown, so anything a
# browser or a Markdown renderer would turn into markup, a link or script is refused, never cleaned:
# HTML tags, HTML character references (which could spell a tag), Markdown links and images, web
# addresses and script URLs; also control characters and the invisible ones that reorder text.
_TAG = re.compile(r"<[A-Za-z!/?]")
_MARKDOWN_LINK = re.compile(r"\][(\[]|^ {0,3}\[[^\]]*\]:", re.MULTILINE)  # [a](b), ![a](b), [a][b], [a]: b
_WEB_ADDRESS = re.compile(r"\b[a-z][a-z0-9+.-]*://|\bwww\.", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"(?:java|vb)script:", re.IGNORECASE)  # also when spaced out: "java script:"
_DATA_URL = re.compile(r"\bdata:[a-z]+/[a-z0-9.+-]+[;,]", re.IGNORECASE)  # data:text/html,...
_REORDERING = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _control_character(text: str, allowed: str) -> str | None:
    for char in text:
        category = unicodedata.category(char)
        if (category in ("Cc", "Cs", "Zl", "Zp") and char not in allowed) or char in _REORDERING:
            return f"U+{ord(char):04X}"
    return None


def text_problem(text: object, max_chars: int, one_line: bool = False) -> str | None:
    """None when ``text`` is acceptable plain text; else what is wrong, e.g. "is empty".

    >>> text_problem("Why 'bank' changes", 80, one_line=True) is None
    True
    >>> text_problem("See <b>this</b>", 80)
    'contains an HTML tag; write plain text'
    """
    if not isinstance(text, str):
        return "must be text in quotes"
    if not text.strip():
        return "is empty"
    if len(text) > max_chars:
        return f"has {len(text):,} characters; at most {max_chars:,} are allowed"
    control = _control_character(text, "" if one_line else "\n\t")
    if control:
        return f"contains a control character ({control}); write plain text" + (
            " on one line" if one_line else ""
        )
    if html.unescape(text) != text:
        return "contains an HTML character reference (a code between & and ;); write the character itself"
    if _TAG.search(text):
        return "contains an HTML tag; write plain text"
    if _MARKDOWN_LINK.search(text):
        return "contains a Markdown link or image; a plan carries no links"
    if _SCRIPT_URL.search("".join(text.split())) or _DATA_URL.search(text):
        return "contains a script address; a plan carries no links"
    if _WEB_ADDRESS.search(text):
        return "contains a web address; a plan carries no links"
    return None


# What a message may repeat from a file: words, digits and punctuation that no renderer turns into
# markup (no brackets, angle brackets, backticks, asterisks, dollars, ampersands or hashes).
_PLAIN_ECHO = re.compile(r"[\w .,:;!?'’‘“”\"«»()…—–%°×·−␣+=/-]*")


def _plain(text: str) -> bool:
    return bool(_PLAIN_ECHO.fullmatch(text)) and text_problem(text, 10**6) in (None, "is empty")


def echo(text: str, limit: int = 40) -> str:
    """A fragment of the user's file, quoted for a message shown as it is: plain fragments are cut to
    ``limit`` characters, others are not repeated (a message must not carry the file's markup).

    >>> echo("UMAP"), echo("<script>")
    ("'UMAP'", 'this value (not repeated here: it is not plain text)')
    """
    if not _plain(text):
        return "this value (not repeated here: it is not plain text)"
    return f"'{text if len(text) <= limit else text[: limit - 1] + '…'}'"


# ---------------------------------------------------------------------------- reading a file


def read_plan(data: bytes, catalogue: Mapping[str, PageSettings]) -> Plan:
    """The plan in a TOML file, checked against the app's pages; PlanError says what is wrong.

    Nothing in the file is run: it is parsed as data, and every page, setting and text checked.
    """
    if len(data) > MAX_FILE_BYTES:
        raise PlanError(
            f"This file is larger than {MAX_FILE_BYTES // 1024} KB ({len(data):,} bytes); a lesson plan "
            f"file is at most {MAX_FILE_BYTES // 1024} KB."
        )
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise PlanError("This file is not a lesson plan: it is not text (UTF-8).") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(text, str(error)) from None
    plan = _plan_from_document(document)
    check_plan(plan, catalogue)
    return plan


def _syntax_error(text: str, message: str) -> PlanError:
    """The parser's complaint as a sentence with its line, and the step whose table holds it."""
    found = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
    if found is None:
        return PlanError(f"This file is not valid TOML: {message}.")
    line = int(found.group(1))
    reason = message[: found.start()].rstrip(".")
    step = sum(1 for row in text.splitlines()[: line - 1] if re.match(r"\s*\[\[\s*step\s*\]\]", row))
    where = f"Step {step}: line {line}" if step else f"Line {line}"
    return PlanError(f"{where} is not valid TOML: {reason}.", step or None)


def _plan_from_document(document: dict) -> Plan:
    """The plan's fields from a parsed file, each of the right kind (texts are checked later)."""
    version = document.get("version")
    if version is None:
        raise PlanError(f"The file does not say its format version: add the line version = {FORMAT_VERSION}.")
    if type(version) is not int or version != FORMAT_VERSION:
        raise _version_error(version)
    unknown = set(document) - {"title", "minutes", "version", "step"}
    if unknown:
        raise PlanError(
            f"The plan has an unknown field {echo(sorted(unknown)[0])}: a plan has a title, minutes, "
            "a version and [[step]] tables."
        )
    if "title" not in document:
        raise PlanError('The plan has no title: add a line such as title = "My lesson".')
    steps = document.get("step", [])
    if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
        raise PlanError("The plan's steps must be [[step]] tables.")
    if len(steps) > MAX_STEPS:
        raise PlanError(f"This plan has {len(steps)} steps; a plan has at most {MAX_STEPS}.")
    return Plan(
        title=document["title"],
        minutes=document.get("minutes"),
        version=version,
        steps=tuple(_step_from_table(table, number) for number, table in enumerate(steps, 1)),
    )


def _version_error(version: object) -> PlanError:
    return PlanError(
        f"This plan is in format version {version if type(version) is int else echo(str(version))}; "
        f"this app reads version {FORMAT_VERSION}."
    )


def _step_from_table(table: dict, number: int) -> Step:
    where = _where(number, table.get("title"))
    unknown = set(table) - {"page", "title", "note", "settings", "question"}
    if unknown:
        raise PlanError(
            f"{where} has an unknown field {echo(sorted(unknown)[0])}: a step has a page, a title, "
            "a note, settings and a question.",
            number,
        )
    if "title" not in table:
        raise PlanError(f'{where} has no title: add a line such as title = "Attention".', number)
    if not isinstance(table.get("page"), str):
        raise PlanError(f'{where} does not name its page: add a line such as page = "trace".', number)
    settings = table.get("settings", {})
    if not isinstance(settings, dict):
        raise PlanError(f"{where}: its settings must be a table, such as [step.settings].", number)
    return Step(
        page=table["page"],
        title=table["title"],
        note=table.get("note", ""),
        settings=tuple((key, _url_value(value, key, where, number)) for key, value in settings.items()),
        question=_question(table.get("question"), where, number),
    )


def _where(number: int, title: object) -> str:
    """How a message names a step: "Step 3 ('Attention')", or "Step 3" when the title is unusable."""
    usable = isinstance(title, str) and text_problem(title, MAX_TITLE_CHARS, one_line=True) is None
    if usable and _plain(title):
        return f"Step {number} ({echo(title)})"
    return f"Step {number}"


def _url_value(value: object, key: str, where: str, number: int) -> SettingValue:
    """A setting as the URL carries it: text, or a tuple of texts for a list."""
    if isinstance(value, list):
        return tuple(_url_text(item, key, where, number) for item in value)
    return _url_text(value, key, where, number)


def _url_text(value: object, key: str, where: str, number: int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, str):
        return value
    raise PlanError(
        f"{where}: the setting {echo(key)} must be text, a number, true or false, or a list of these.",
        number,
    )


def _number_text(value: float) -> str:
    """A number as the URL writes it: 5.0 → "5", 0.05 → "0.05"."""
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return repr(value)


def _question(value: object, where: str, number: int) -> Question | None:
    """``question = "number"`` or a table with ``kind`` and ``wording``."""
    if value is None:
        return None
    if isinstance(value, str):
        return Question(value)
    if isinstance(value, dict) and set(value) <= {"kind", "wording"} and isinstance(value.get("kind"), str):
        return Question(value["kind"], value.get("wording", ""))
    raise PlanError(
        f'{where}: its question must be a table with a kind and a wording, such as kind = "number".',
        number,
    )


# ------------------------------------------------------------------------------- checking


def check_plan(plan: Plan, catalogue: Mapping[str, PageSettings]) -> None:
    """Raise PlanError, naming the first step at fault, unless every page, setting and text is fine."""
    problem = text_problem(plan.title, MAX_TITLE_CHARS, one_line=True)
    if problem:
        raise PlanError(f"The plan's title {problem}.")
    minutes = plan.minutes
    if type(minutes) is not int or not 1 <= minutes <= MAX_MINUTES:
        raise PlanError(
            f"The plan's minutes must be a whole number from 1 to {MAX_MINUTES}, such as minutes = 20."
        )
    if plan.version != FORMAT_VERSION:
        raise _version_error(plan.version)
    if len(plan.steps) > MAX_STEPS:
        raise PlanError(f"This plan has {len(plan.steps)} steps; a plan has at most {MAX_STEPS}.")
    for number, step in enumerate(plan.steps, 1):
        check_step(step, number, catalogue)


def check_step(step: Step, number: int, catalogue: Mapping[str, PageSettings]) -> None:
    """Raise PlanError (naming step ``number``, 1-based) unless the step is fine for its page."""
    where = _where(number, step.title)
    for field, text, limit, one_line in (
        ("title", step.title, MAX_TITLE_CHARS, True),
        ("note", step.note, MAX_NOTE_CHARS, False),
    ):
        problem = text_problem(text, limit, one_line) if field == "title" or text != "" else None
        if problem:
            raise PlanError(f"{where}: the {field} {problem}.", number)
    page = catalogue.get(step.page)
    if page is None:
        raise PlanError(
            f"{where}: there is no lesson page {echo(step.page)}. The pages are: {', '.join(catalogue)}.",
            number,
        )
    for key, value in step.settings:
        _check_setting(page, key, value, where, number)
    if step.question is not None:
        _check_question(page, step.question, where, number)


def _check_setting(page: PageSettings, key: str, value: SettingValue, where: str, number: int) -> None:
    setting = page.settings.get(key)
    if setting is None:
        raise PlanError(f"{where}: the page {page.title} has no setting {echo(key)}.", number)
    values = (value,) if isinstance(value, str) else value
    if not isinstance(values, tuple) or not all(isinstance(v, str) for v in values):
        raise PlanError(f"{where}: the setting {echo(key)} must be text or a list of texts.", number)
    problem = setting.problem(values)
    if problem:
        shown = echo(value) if isinstance(value, str) else f"[{', '.join(echo(v) for v in value)}]"
        raise PlanError(f"{where}: {setting.label} ({key}) cannot be {shown}: it takes {problem}.", number)


def _check_question(page: PageSettings, question: Question, where: str, number: int) -> None:
    if question.kind not in QUESTION_KINDS:
        raise PlanError(
            f"{where}: there is no question of the kind {echo(question.kind)}. "
            f"The kinds are: {', '.join(QUESTION_KINDS)}.",
            number,
        )
    if question.kind not in page.questions:
        asked = ", ".join(sorted(page.questions)) or "none"
        raise PlanError(
            f"{where}: the page {page.title} cannot ask a {question.kind} question (it asks: {asked}).",
            number,
        )
    problem = text_problem(question.wording, MAX_WORDING_CHARS) if question.wording != "" else None
    if problem:
        raise PlanError(f"{where}: the question's wording {problem}.", number)


def step_titles(text: str) -> list[str]:
    """The step titles of a plan's TOML text, in order, and nothing else of it (not the teacher's
    notes): what a following student may read. A text that is not a plan gives [].

    >>> step_titles('title = "L"\\n[[step]]\\npage = "trace"\\ntitle = "Attention"\\nnote = "x"')
    ['Attention']
    """
    try:
        steps = tomllib.loads(text).get("step", [])
    except tomllib.TOMLDecodeError:
        return []
    if not isinstance(steps, list):
        return []
    return [str(step.get("title", "")) if isinstance(step, dict) else "" for step in steps]


# ---------------------------------------------------------------------------- writing a file


def plan_to_toml(plan: Plan) -> str:
    """The plan as a TOML file that :func:`read_plan` reads back as the same plan.

    Strings are escaped by tomli_w (the writer matching Python's own TOML reader); this function
    only lays out the fixed shape: the plan's fields, then one ``[[step]]`` table per step.
    """
    header = {"title": plan.title, "minutes": plan.minutes, "version": plan.version}
    chunks = [f"# A lesson plan for Semantic Geometry Explorer.\n{_dumps(header)}"]
    for step in plan.steps:
        fields = {"page": step.page, "title": step.title} | ({"note": step.note} if step.note else {})
        chunks.append(f"[[step]]\n{_dumps(fields)}")
        if step.settings:
            settings = {key: _toml_value(value) for key, value in step.settings}
            chunks.append(f"[step.settings]\n{_dumps(settings)}")
        if step.question is not None:
            question = {"kind": step.question.kind}
            if step.question.wording:
                question["wording"] = step.question.wording
            chunks.append(f"[step.question]\n{_dumps(question)}")
    return "\n".join(chunks)


def _dumps(table: dict) -> str:
    return tomli_w.dumps(table, multiline_strings=True)


def _toml_value(value: SettingValue) -> object:
    """A URL text as the plainest TOML value that reads back as the same text: "3" → 3,
    "true" → true, "0.05" → 0.05; anything else stays a string."""
    if not isinstance(value, str):
        return [_toml_value(item) for item in value]
    if value in ("true", "false"):
        return value == "true"
    if re.fullmatch(r"0|-?[1-9]\d{0,14}", value):
        return int(value)
    if re.fullmatch(r"-?\d{1,15}\.\d{1,15}", value) and _number_text(float(value)) == value:
        return float(value)
    return value
