"""The trace page's widgets: tokens as chips a projector shows."""

from __future__ import annotations

from ui.trace.widgets import token_chips


def test_token_chips_make_punctuation_visible():
    assert token_chips([".", ",", "␣and"]) == "`. full stop` `, comma` `␣and`"
