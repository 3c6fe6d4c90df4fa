"""The two views Altair cannot draw, in Plotly: a rotatable 3D scene and a WebGL map of tens of
thousands of points (the Projections lesson). Same palette, and a presenter mode of their own.
"""

from __future__ import annotations

from geometry.charts.projections import PROJECTION_SHAPES, ROLE_COLOURS, category_colours
from geometry.charts.style import FONT_SIZE, PRESENTER_MIN_FONT, PRESENTER_SCALE

SYMBOLS_3D = ["circle", "square", "diamond", "cross", "x", "circle-open", "square-open", "diamond-open"]

PLOTLY_CONFIG = {  # the toolbar's camera button saves the view as it is turned, for slides
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "filename": "projection", "scale": 2},
}


def _hover(axes: list[str], titles: list[str]) -> str:
    """Hover text: the word in bold, its trace (category or highlight), each coordinate with its axis."""
    lines = [f"{title}: %{{{axis}:.3f}}" for axis, title in zip(axes, titles, strict=False)]
    return "<b>%{customdata[0]}</b><br>%{fullData.name}<br>" + "<br>".join(lines) + "<extra></extra>"


def _xyz(part, axes: str) -> dict:
    """Coordinates as float32 (sent to the browser as typed arrays: half the bytes of float64)."""
    return {axis: part[axis].to_numpy(dtype="float32") for axis in axes}


def presenter_plotly(figure, scale: float = PRESENTER_SCALE, minimum: int = PRESENTER_MIN_FONT):
    """A Plotly figure for a projector, as :func:`presenter_sized` is for Altair: the base font (axis
    titles, ticks, legend, hover) and every trace's text ×``scale``, at least ``minimum`` px; the
    data untouched. Returns a copy.

    >>> import plotly.graph_objects as go
    >>> big = presenter_plotly(go.Figure(go.Scatter(x=[1], y=[1], text=["a"], textfont={"size": 11}),
    ...                                  layout={"font": {"size": 14}}))
    >>> big.layout.font.size, big.data[0].textfont.size
    (18, 16)
    """
    import plotly.graph_objects as go

    enlarged = go.Figure(figure)  # a copy
    base = enlarged.layout.font.size or FONT_SIZE
    enlarged.update_layout(font={"size": max(round(base * scale), minimum)})
    for trace in enlarged.data:
        size = getattr(getattr(trace, "textfont", None), "size", None)
        if isinstance(size, int | float):
            trace.textfont.size = max(round(size * scale), minimum)
    for label in enlarged.layout.scene.annotations:
        if isinstance(label.font.size, int | float):
            label.font.size = max(round(label.font.size * scale), minimum)
    return enlarged


def _plotly_layout(height: int, legend_title: str = "category") -> dict:
    return {
        "height": height,
        "font": {"size": FONT_SIZE},
        # Legend below the chart (clear of the toolbar), so the scene keeps the width of a small screen.
        "legend": {
            "title": {"text": legend_title},
            "itemsizing": "constant",
            "orientation": "h",
            "yanchor": "top",
            "y": -0.02,
            "x": 0,
        },
        "margin": {"l": 0, "r": 0, "t": 30, "b": 0},
        "uirevision": "keep",  # keeps zoom and camera while the figure lives (a rerun redraws it)
        "hoverlabel": {"font": {"size": FONT_SIZE}},
    }


def projection_3d_chart(df, titles: list[str], categories: list[str] | None = None, labels: bool = True,
                        many: bool = False, height: int = 640):  # fmt: skip
    """A rotatable, zoomable 3-D map. df: word, category, x, y, z, role (as for projection_chart).

    One trace per category (palette colour and symbol), then one per highlight role (open
    rings). Each point's customdata is its word, so a click names the word. Words are written
    as the scene's annotations (:func:`scene_labels`), highlighted ones in their role's colour.
    """
    import plotly.graph_objects as go

    categories = categories or sorted(df["category"].unique())
    colours, hover = category_colours(categories), _hover(["x", "y", "z"], titles)
    figure = go.Figure()
    for i, category in enumerate(categories):
        part = df[df["category"] == category]
        symbol = "circle" if category == "vocabulary" else SYMBOLS_3D[i % len(SYMBOLS_3D)]
        figure.add_scatter3d(
            **_xyz(part, "xyz"), name=category, customdata=part[["word"]], mode="markers",
            hovertemplate=hover,
            marker={"size": 2 if many else 5, "color": colours[category], "symbol": symbol,
                    "opacity": 0.5 if many else 0.9},
        )  # fmt: skip
    for role, colour in ROLE_COLOURS.items():
        part = df[df["role"] == role]
        if len(part):
            figure.add_scatter3d(
                **_xyz(part, "xyz"), name=role, legendgroup="highlight",
                legendgrouptitle={"text": "highlight"}, customdata=part[["word"]],
                mode="markers", hovertemplate=hover,
                marker={"size": 10, "color": colour, "symbol": "circle-open", "line": {"width": 3}},
            )  # fmt: skip
    scene = {
        axis: {"title": {"text": title}}
        for axis, title in zip(["xaxis", "yaxis", "zaxis"], titles, strict=False)
    }
    # Dragging turns the scene. Said here because Streamlit sets the figure's dragmode to "pan"
    # for click selections, which a 3D scene would otherwise inherit.
    scene["dragmode"] = "turntable"
    scene["annotations"] = scene_labels(df, labels and not many)
    layout = _plotly_layout(height)
    if labels and not many:  # a category hidden from the legend would leave its words floating
        layout["legend"] |= {"itemclick": False, "itemdoubleclick": False}
    figure.update_layout(**layout, scene=scene)
    return figure


def scene_labels(df, every_word: bool = True) -> list[dict]:
    """The words of a 3-D map written above their points, as the scene's annotations: highlighted
    words (``role``) in their role's colour, the others (when ``every_word``) small and dark.

    Annotations are drawn as text over the scene, where text in the WebGL scene itself is turned
    into triangles for every word (about 0.8 s of the browser's time for 45 words).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"word": ["king", "pear"], "x": [0.0, 1.0], "y": [0.0, 1.0], "z": [0.0, 1.0],
    ...                       "role": ["chosen word", ""]})
    >>> [(label["text"], label["font"]["color"]) for label in scene_labels(frame)]
    [('pear', '#333333'), ('king', '#000000')]
    """
    plain = df[df["role"] == ""] if every_word else df.iloc[:0]
    written = [(plain, FONT_SIZE - 3, "#333333", 3)]
    written += [(df[df["role"] == role], FONT_SIZE, colour, 7) for role, colour in ROLE_COLOURS.items()]
    return [
        {"x": float(row.x), "y": float(row.y), "z": float(row.z), "text": row.word, "showarrow": False,
         "yanchor": "bottom", "yshift": shift, "font": {"size": size, "color": colour}}
        for part, size, colour, shift in written
        for row in part.itertuples()
    ]  # fmt: skip


def vocabulary_map_chart(df, titles: list[str], categories: list[str] | None = None, height: int = 640):
    """Tens of thousands of words on one WebGL (Scattergl) map. df: word, category, x, y, role.

    Uncurated tokens are small grey dots, curated words larger coloured ones, highlighted words
    ringed and labelled. Scroll zooms, drag pans, hover names a point, a click chooses it.
    """
    import plotly.graph_objects as go

    categories = categories or sorted(df["category"].unique())
    colours, hover = category_colours(categories), _hover(["x", "y"], titles)
    figure = go.Figure()
    curated = [name for name in categories if name != "vocabulary"]
    for category in categories:
        part = df[df["category"] == category]
        grey = category == "vocabulary"
        symbol = "circle" if grey else PROJECTION_SHAPES[curated.index(category) % len(PROJECTION_SHAPES)]
        figure.add_scattergl(
            **_xyz(part, "xy"), name=category, mode="markers", hovertemplate=hover,
            customdata=part[["word"]],
            marker={"size": 4 if grey else 8, "color": colours[category], "symbol": symbol,
                    "opacity": 0.45 if grey else 0.95},
        )  # fmt: skip
    for role, colour in ROLE_COLOURS.items():
        part = df[df["role"] == role]
        if len(part):
            figure.add_scattergl(
                **_xyz(part, "xy"), name=role, legendgroup="highlight", mode="markers+text",
                legendgrouptitle={"text": "highlight"}, customdata=part[["word"]],
                text=part["word"], textposition="top right", hovertemplate=hover,
                textfont={"size": FONT_SIZE, "color": colour},
                marker={"size": 14, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": colour}},
            )  # fmt: skip
    layout = _plotly_layout(height)
    layout["legend"]["y"] = -0.16  # below the x axis and its title
    figure.update_layout(
        **layout, dragmode="pan", xaxis={"title": {"text": titles[0]}},
        yaxis={"title": {"text": titles[1]}}, plot_bgcolor="white",
    )  # fmt: skip
    return figure
