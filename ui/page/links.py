"""Settings in a shared link: the URL's query parameters a page could not use are named once, above
the page.
"""

from __future__ import annotations

import streamlit as st

STREAMLIT_PARAMETERS = {"embed", "embed_options"}  # Streamlit's own; never a lesson setting


def _matches(asked: list[str], value: object) -> bool:
    """Whether a widget's value is what the URL asked for (the URL holds text)."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value] == asked
    text = asked[-1] if asked else ""
    if str(value) == text or str(value).lower() == text.lower():
        return True
    try:
        return float(text) == float(value)  # "3" and 3, "0.10" and 0.1
    except (TypeError, ValueError):
        return False


def ignored_url_settings(asked: dict[str, list[str]], state: dict) -> list[str]:
    """``key=value`` of every URL setting a page's widget did not take (unknown or out of range)."""
    return [
        f"{key}={','.join(values)}"
        for key, values in asked.items()
        if key not in STREAMLIT_PARAMETERS and key in state and not _matches(values, state[key])
    ]


def url_settings() -> dict[str, list[str]]:
    """The settings in this run's URL, before the page reads them."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def say_ignored_url_settings(asked: dict[str, list[str]], where: st.delta_generator.DeltaGenerator) -> None:
    """Once per link: one line naming the URL settings the page could not use (it showed defaults)."""
    fingerprint = repr(sorted(asked.items()))
    if st.session_state.get("_url_checked") == fingerprint:
        return
    st.session_state["_url_checked"] = fingerprint
    ignored = ignored_url_settings(asked, st.session_state)
    if ignored:
        where.info(
            "This link asked for settings that do not exist here, so the page shows its defaults for them: "
            + ", ".join(f"`{item}`" for item in ignored)
            + ".",
            icon="🔗",
        )
