"""Model and user text in Markdown is shown verbatim (ui/page/text.py), in every place that puts a
token, a generated text or a typed word into Markdown; probabilities never read as impossible.

Each place is rendered with a CommonMark renderer (markdown-it, as Streamlit's react-markdown reads
the same syntax) and what a reader sees must hold the hostile text exactly; Streamlit's own
additions ($…$ maths, :emoji: and :colour[…]) must find no unescaped mark to start from.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from ui.page.text import chip, exact_probability, one_line, probability_phrase, verbatim

HOSTILE = [
    "*",
    "**",
    "*a* and *b*",
    "_x_",
    "__bold__",
    "$5 and $6",
    "$x^2$",
    "`",
    "``code``",
    "\\",
    "\\*",
    "[link](http://example.com)",
    "![image](x.png)",
    "<b>bold</b>",
    "<script>alert(1)</script>",
    "# heading",
    "1. list",
    "- item",
    "+ item",
    "> quote",
    "a | b",
    "~~gone~~",
    "~x~",
    ":smile:",
    ":red[colour]",
    ":material/home:",
    "&amp; &lt;",
    "Paris.\n\nThe",
    " Paris",
    "␣*",
]
RENDER = MarkdownIt("commonmark").enable(["strikethrough", "table"])


def visible(markdown: str) -> str:
    """What a reader sees: the rendered text without tags, entities resolved."""
    rendered = RENDER.render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


def formatting(markdown: str) -> set[str]:
    """The HTML elements the Markdown makes (besides the paragraph)."""
    return set(re.findall(r"<(\w+)", RENDER.render(markdown))) - {"p"}


def unescaped(markdown: str, pattern: str) -> list[str]:
    """Occurrences of ``pattern`` not preceded by a backslash escape (an odd run of backslashes)."""
    return [m.group() for m in re.finditer(rf"(?<!\\)(?:\\\\)*({pattern})", markdown)]


def assert_verbatim(markdown: str, text: str, allowed: set[str] = frozenset()) -> None:
    assert one_line(text).strip() in visible(markdown), (markdown, visible(markdown))
    assert formatting(markdown) <= set(allowed), (markdown, formatting(markdown))
    assert not unescaped(markdown, r"\$"), markdown  # Streamlit's maths
    assert not unescaped(markdown, r":(?=\w)"), markdown  # Streamlit's :emoji: and :red[…]


@pytest.mark.parametrize("text", HOSTILE)
def test_verbatim_text_reads_exactly_as_given(text):
    assert_verbatim(verbatim(text), text)
    assert_verbatim(f"Next: **{verbatim(text)}**.", text, {"strong"})  # inside emphasis too


@pytest.mark.parametrize("text", HOSTILE)
def test_a_chip_holds_exactly_the_token(text):
    rendered = RENDER.render(chip(text))
    code = re.findall(r"<code>(.*?)</code>", rendered, re.S)
    assert [html.unescape(c) for c in code] == [one_line(text)], rendered


def test_line_breaks_show_as_a_mark_not_as_a_new_paragraph():
    assert visible(verbatim("Paris.\n\nThe")) == "Paris.↵↵The"
    assert "\\n" not in verbatim("a\nb")


# --------------------------------------------------------------------------- every place


def places(token: str) -> dict[str, tuple[str, set[str]]]:
    """Every function that puts a token, a generated text or a typed word into Markdown, given the
    hostile ``token``: (its Markdown, the formatting it means to add)."""
    from ui.context.sources import direction_text, occurrence_line
    from ui.dot_products.pair import pick_two  # noqa: F401  (a widget: its labels are the words)
    from ui.page.links import notice_text, unused_url_settings
    from ui.trace.attention import tournament_heading, winner_sentence
    from ui.trace.generate import append_label, continuation_sentence, next_token_sentence
    from ui.trace.whole_model import target_sentence
    from ui.trace.why import attribution_sentence
    from ui.trace.widgets import token_chips

    track = pd.DataFrame(
        {
            "target_rank": [3, 1],
            "stage_label": ["L0 after MLP", "L1 after MLP"],
            "target_probability": [0.1, 0.6],
        }
    )
    parts = pd.DataFrame({"component": ["L0H1", "L2.mlp", "remainder"], "contribution": [1.5, -0.5, 0.1]})
    parts.attrs["logit"] = 1.1
    replaced, unknown = unused_url_settings(
        {"tr_query": [token], token: ["1"]}, "trace", shown=lambda key: ("4 ␣is",)
    )
    return {
        "tournament heading": (tournament_heading(token), set()),
        "winner sentence": (winner_sentence(token, token, 2, 0.5), {"strong"}),
        "target sentence": (target_sentence(track, token), {"strong"}),
        "attribution sentence": (attribution_sentence(parts, token, token), set()),
        "next token": (next_token_sentence(token, greedy=True), {"strong"}),
        "append button": (append_label(token), set()),
        "continuation": (continuation_sentence(token), set()),
        "occurrence line": (occurrence_line(token, [token, "bank"], [1]), {"strong"}),
        "direction text": (direction_text(True, token), {"strong"}),
        "link notice": (notice_text([*replaced], []), {"strong"}),
        "unknown link names": (notice_text([], unknown), set()),
        "token chips": (token_chips([token]), {"code"}),
    }


@pytest.mark.parametrize("token", HOSTILE)
def test_every_place_shows_hostile_text_verbatim(token):
    for place, (markdown, allowed) in places(token).items():
        if place == "token chips":  # a code span: the token is its content
            assert re.findall(r"<code>(.*?)</code>", RENDER.render(markdown), re.S), (place, markdown)
            continue
        try:
            assert_verbatim(markdown, token if place != "link notice" else token[:39], allowed)
        except AssertionError as error:
            raise AssertionError(f"{place}: {error}") from None


# --------------------------------------------------------------------------- probabilities


def test_a_possible_token_never_reads_as_impossible():
    assert probability_phrase(0.000021) == "p < 0.001"  # never "p = 0.000"
    assert exact_probability(0.000021) == "p = 0.0000210"
    assert probability_phrase(0.4123) == "p = 0.412"
    assert probability_phrase(0.0) == "p = 0"
