r"""Text from a model (tokens, generated text) or from a user (words, sentences, links) put into
Markdown shown verbatim, and probabilities written so a possible token never reads as impossible.

Streamlit reads every label, caption, heading, message and ``st.markdown`` as Markdown, with
``$…$`` as LaTeX and ``:name:`` as an emoji or icon. A generated ``*`` would start italics, a
``$`` a formula, a line break a new paragraph. :func:`verbatim` escapes every ASCII punctuation
mark (CommonMark lets each be escaped) and shows a line break as ``↵``, as token displays do;
:func:`chip` puts one token in a code span. Every place that puts such text into Markdown calls
one of them (tests/unit/ui/test_text.py feeds hostile text through each place).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

# Marks that start Markdown anywhere in a line (emphasis, code, strikethrough, maths, links, HTML,
# escapes), Streamlit's ":emoji:" and ":red[colour]" when a colon touches a word, and entities.
_INLINE = re.compile(r"([\\`*_~$\[\]<>]|:(?=\S)|&(?=[#A-Za-z]))")
# Marks that start a block only at the start of a line: a heading, a quote, a list item.
_BLOCK_START = re.compile(r"^(\s*)([#>+\-=|]|\d+(?=[.)]))")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
LINE_BREAK = "↵"  # how a line break inside a token or a sentence is shown (geometry.words.tokens too)


def one_line(text: str) -> str:
    r"""``text`` on one line: each line break shown as ``↵``.

    >>> one_line("Paris.\n\nThe")
    'Paris.↵↵The'
    """
    return _LINE_BREAK.sub(LINE_BREAK, str(text))


def verbatim(text: str) -> str:
    r"""``text`` for Markdown, shown exactly as it is: no emphasis, code, link, heading, list, formula,
    emoji or colour; each line break shown as ``↵``. Only the marks that could start something are
    escaped (CommonMark lets any punctuation be), so "Left out: 'dog.'" stays as it reads.

    >>> verbatim("*a* $x$ `c`\n_d_ :smile: [l](u)")
    '\\*a\\* \\$x\\$ \\`c\\`↵\\_d\\_ \\:smile: \\[l\\](u)'
    >>> verbatim("# 1. no list"), verbatim("1. a"), verbatim("Left out: 'dog.'")
    ('\\# 1. no list', '1\\. a', "Left out: 'dog.'")
    """
    text = _INLINE.sub(r"\\\1", one_line(text))
    return _BLOCK_START.sub(lambda m: m.group(1) + _escape_block(m.group(2)), text)


def _escape_block(mark: str) -> str:
    return mark + "\\" if mark[0].isdigit() else "\\" + mark  # "1\." escapes the dot after the number


def chip(token: str) -> str:
    """One token as a code span (exactly its characters, in a box), whatever backticks it holds.

    >>> chip("␣and"), chip("`"), chip("a``b")
    ('`␣and`', '`` ` ``', '```a``b```')
    """
    token = one_line(token)
    fence = "`" * (max((len(run) for run in re.findall("`+", token)), default=0) + 1)
    pad = " " if token.startswith("`") or token.endswith("`") else ""
    return f"{fence}{pad}{token}{pad}{fence}"


def chips(tokens: Iterable[str]) -> str:
    """Tokens as code spans, one after another."""
    return " ".join(chip(token) for token in tokens)


def probability_text(p: float) -> str:
    """A probability with three decimals; one that would round to 0.000 but is possible: "< 0.001".

    >>> probability_text(0.41234), probability_text(0.00002), probability_text(0.0)
    ('0.412', '< 0.001', '0')
    """
    if p == 0:
        return "0"
    return "< 0.001" if p < 0.0005 else f"{p:.3f}"


def probability_phrase(p: float) -> str:
    """``p = 0.412``, or ``p < 0.001`` for a token that is possible but rare.

    >>> probability_phrase(0.41234), probability_phrase(0.00002)
    ('p = 0.412', 'p < 0.001')
    """
    text = probability_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def exact_probability(p: float) -> str:
    """The probability with three significant digits, for a tooltip beside a rounded one.

    >>> exact_probability(0.0000213), exact_probability(0.41234)
    ('p = 0.0000213', 'p = 0.412')
    """
    decimals = 3 if p <= 0 else max(3, 2 - math.floor(math.log10(p)))  # three significant digits
    return f"p = {p:.{decimals}f}"
