"""The browser side of a packed Plotly figure (``show_packed_plotly`` in ui/page/charts.py): a
Streamlit component whose script (packed_plotly.js) unpacks the figure and draws it with the
Plotly.js that Streamlit itself ships, so nothing is downloaded from elsewhere.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import streamlit as st

from geometry.charts.plotly import PLOTLY_CONFIG

SCRIPT = Path(__file__).with_name("packed_plotly.js")
HEIGHT_PX = 640  # room kept for the figure while it is unpacked (the vocabulary map's height)
# The toolbar st.plotly_chart shows for a click-to-choose chart: no box or lasso selection, no cloud.
CONFIG = {
    **PLOTLY_CONFIG,
    "showSendToCloud": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendChartToCloud"],
}


def plotly_chunk() -> str | None:
    """The file name of Streamlit's own Plotly.js bundle (it sets ``window.Plotly`` when loaded),
    beside the frontend's entry script; None when this Streamlit has no such file."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    chunks = sorted(folder.glob("PlotlyChart.*.js"))
    return chunks[0].name if len(chunks) == 1 else None


def _component():
    chunk = plotly_chunk()
    if chunk is None:
        return None
    root = (
        f'<div class="packed-plotly" data-chunk="{html.escape(chunk)}" '
        f'data-config="{html.escape(json.dumps(CONFIG))}" style="min-height: {HEIGHT_PX}px"></div>'
    )
    return st.components.v2.component(
        "packed_plotly", html=root, js=SCRIPT.read_text(encoding="utf-8"), isolate_styles=False
    )


COMPONENT = _component()
