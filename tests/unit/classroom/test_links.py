"""The join link carries the code only; its QR code is an SVG a projector shows large."""

from __future__ import annotations

import re

import pytest

from classroom import join_link, qr_svg
from classroom.errors import Refused


def test_the_join_link_is_the_apps_address_with_the_code_and_nothing_else():
    link = join_link("http://school.local:8501/inside-the-model?prompt=secret&key=abc#x", "k7r-x3p")
    assert link == "http://school.local:8501/inside-the-model?class=K7RX3P"
    with pytest.raises(Refused, match="not a class code"):
        join_link("http://school.local:8501/", "K7RX0P")


def test_the_qr_code_is_svg_big_enough_for_a_projector():
    import segno

    link = join_link("https://semantic-geometry.streamlit.app/", "K7RX3P")
    svg = qr_svg(link)
    width = int(re.search(r'width="(\d+)"', svg)[1])
    modules = segno.make(link, error="m", micro=False).symbol_size(scale=1, border=2)[0]
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and width == 10 * modules >= 290
