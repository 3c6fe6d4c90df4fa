"""How to join, for the board: the class code in large letters, the join link and its QR code; and
the teacher's private resume link (shown only on request, never on the projected page)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from classroom import join_link
from ui.cache.classroom import join_qr
from ui.classroom.membership import RESUME_PARAM

LOCAL_APP_URL = "http://localhost:8501/"  # when the browser's address is unknown (a test)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "::1")

# (code size in rem, QR width in px): in the sidebar, above a page, and on a projector
SIZES = {"sidebar": (1.8, 180), "page": (3.0, 240), "projector": (5.0, 380)}


def app_url() -> str:
    """The app's address as this browser sees it (without a page or query), ending in a slash."""
    scheme, host, path, _, _ = urlsplit(st.context.url or LOCAL_APP_URL)
    return urlunsplit((scheme, host, path if path.endswith("/") else path + "/", "", ""))


def class_link(code: str) -> str:
    return join_link(app_url(), code)


def resume_link(key: str) -> str:
    """The app's address with ``?resume=KEY``: it opens this class as its teacher, on any device."""
    scheme, host, path, _, _ = urlsplit(app_url())
    return urlunsplit((scheme, host, path, urlencode({RESUME_PARAM: key}), ""))


def join_board(code: str, size: str = "page") -> None:
    """The class code, the QR code of the join link and the link itself, at ``size`` (SIZES)."""
    letters, qr_width = SIZES[size]
    link = class_link(code)
    words, picture = st.columns([1, 1] if size == "projector" else [3, 2], vertical_alignment="center")
    with words:
        st.caption("Join the class: scan the QR code, or open the app and type the class code.")
        st.markdown(
            f"<p style='font-size:{letters}rem;font-weight:700;letter-spacing:0.12em;line-height:1.1;"
            f"margin:0;font-family:monospace;white-space:nowrap'>{code}</p>",
            unsafe_allow_html=True,
        )
        st.markdown(f"[{link}]({link})")
        if urlsplit(link).hostname in LOCAL_HOSTS:
            st.caption(
                "This address works on this computer only: students need the computer's address on "
                "the school network (or the app's public address)."
            )
    picture.image(join_qr(link), width=qr_width)
