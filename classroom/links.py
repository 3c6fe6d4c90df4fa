"""A class's join link and its QR code, for the board: plain strings, no Streamlit.

The join link is the app's address with ``?class=CODE``; it carries the code only (student
rights), never the teacher key.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno

from classroom import codes
from classroom.errors import Refused


def join_link(app_url: str, code: str) -> str:
    """The app's address with ``?class=CODE`` (any other query string and fragment dropped).

    >>> join_link("https://geometry.example.org/dot-products?x=1#top", "abc234")
    'https://geometry.example.org/dot-products?class=ABC234'
    """
    canonical = codes.typed_code(code)
    if canonical is None:
        raise Refused("That is not a class code: a code has 6 letters and digits, like K7RX3P.")
    scheme, host, path, _, _ = urlsplit(app_url)
    return urlunsplit((scheme, host, path, urlencode({"class": canonical}), ""))


def qr_svg(link: str, *, scale: int = 10, border: int = 2) -> str:
    """The link as a QR code in SVG text (error correction M), ``scale`` pixels per module: 10 makes
    a short link's code about 330 px, read from the back of a room when projected.

    >>> qr_svg("https://geometry.example.org/?class=ABC234").startswith("<?xml")
    True
    """
    code = segno.make(link, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=scale, border=border, dark="#000000", light="#ffffff")
    return out.getvalue().decode("utf-8")
