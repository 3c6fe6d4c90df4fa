"""The app's stylesheet: what every page needs, what a projector needs (presenter mode), and what a
phone needs. app.py writes one of the two styles at the top of every page.

Streamlit cannot tell the page how wide the screen is, so what depends on width is decided here, in
the browser: the main column is a CSS container (``page``) and ``@container page (...)`` rules
choose between a wide and a narrow variant of a view (:func:`ui.page.layout.wide_and_narrow`),
show the hint of a chart that scrolls inside its own frame (:func:`ui.page.layout.scrolling_frame`),
and wrap what would otherwise push the page sideways.
"""

from __future__ import annotations

# Below this width of the main column a view takes its narrow variant (a phone is 356 px wide
# inside its margins; a 1024-pixel projector in presenter mode about 816 px; an open sidebar at
# 1024 pixels leaves about 630 px).
NARROW_BELOW = 700

# Every page.
_PAGE = f"""
/* The main column is a container: views choose their variant by its width, not the screen's. */
[data-testid='stMainBlockContainer'] {{container-type: inline-size; container-name: page;}}

/* A row of tabs wraps onto a second line instead of hiding tabs behind a scroll arrow. */
[data-testid='stTabs'] [role='tablist'] {{flex-wrap: wrap; row-gap: 0.25rem;}}
[data-testid='stTabs'] [role='tablist'] button {{flex: 0 0 auto;}}

/* Nothing pushes the page sideways: a chart wider than its column scrolls inside its own frame,
   a formula too (KaTeX draws one line), and a long word in a table cell or a metric wraps. */
[data-testid='stVegaLiteChart'], [data-testid='stGraphVizChart'] {{max-width: 100%; overflow-x: auto;
  overflow-y: hidden;}}
.katex-display {{max-width: 100%; overflow-x: auto; overflow-y: hidden;}}
/* A diagram's words at the size its boxes were laid out for (Streamlit's own size drew them at a
   third of it, 6 px on a phone). */
[data-testid='stGraphVizChart'] svg text {{font-size: revert-layer !important;}}

/* Chart text in the theme's own text colour (Streamlit keeps a chart's explicit colours in both
   themes, so the grey an SVG download carries would vanish on the dark theme): at least 4.5:1. */
[data-testid='stVegaLiteChart'] svg :is(.role-axis-label, .role-axis-title, .role-legend-label,
  .role-legend-title, .role-title-text, .role-title-subtitle, .role-column-header,
  .role-row-header, .role-column-title, .role-row-title, .role-header-label) text {{
  fill: currentColor; fill-opacity: 0.75;}}
/* Captions in the text colour, lighter (Streamlit's grey is 4.9:1 on white, less on a tint). */
[data-testid='stCaptionContainer'] {{color: inherit; opacity: 0.72;}}

/* A chart wider than its column scrolls inside its own frame (with a hint on a phone); a frame
   that starts at its right end (the last position, where the answer is) reads right to left. */
:is([class*='st-key-scroll_end_'], [class*='st-key-scroll_start_']) {{overflow-x: auto; overflow-y: hidden;}}
[class*='st-key-scroll_end_'] {{direction: rtl;}}
[class*='st-key-scroll_end_'] > * {{direction: ltr;}}
:is([class*='st-key-scroll_end_'], [class*='st-key-scroll_start_']) :is([data-testid='stElementContainer'],
  [data-testid='stFullScreenFrame'], [data-testid='stFullScreenFrame'] > div) {{width: max-content !important;
  min-width: 100%; max-width: none !important;}}
:is([class*='st-key-scroll_end_'], [class*='st-key-scroll_start_']) [data-testid='stVegaLiteChart'] {{
  max-width: none; overflow: visible;}}
[class*='st-key-scroll_hint_'] {{display: none;}}

/* The wide variant of a view, or its narrow one (see NARROW_BELOW). */
[class*='st-key-narrow_'] {{display: none;}}
@container page (max-width: {NARROW_BELOW - 1}px) {{
  [class*='st-key-wide_'] {{display: none;}}
  [class*='st-key-narrow_'] {{display: flex;}}
}}
"""

# A phone: a chart's scrolling hint shows, the code and the tables' cells wrap.
_PHONE = """
@container page (max-width: 640px) {
  [class*='st-key-scroll_hint_'] {display: block;}
  [data-testid='stMarkdownContainer'] code {white-space: pre-wrap; word-break: break-word;}
  h1 {font-size: 2.1rem !important;}
}
@media (max-width: 640px) {
  [data-testid='stMainBlockContainer'] {padding-top: 3.5rem;}
  [data-testid='stHeader'] {background: transparent; pointer-events: none;}
  [data-testid='stHeader'] * {pointer-events: auto;}
}
"""

PAGE_STYLE = f"<style>{_PAGE}{_PHONE}</style>"

# Presenter mode at 1024x768: a compact header (the page's own work starts high on the first
# screen) and everything readable from the back of the room: prose, captions, tabs, widget labels,
# the values in select boxes and sliders, metric labels and notes, and tables (drawn on a canvas by
# Streamlit, so they are enlarged as a whole). Charts are enlarged by show_chart.
_PRESENTER = """
[data-testid='stMainBlockContainer'] {padding-top: 2.75rem; padding-bottom: 4rem;}
[data-testid='stHeader'] {background: transparent; pointer-events: none;}  /* the title starts under it */
[data-testid='stHeader'] * {pointer-events: auto;}
.stMarkdown p, .stMarkdown li, [data-testid='stAlertContainer'] p {font-size: 1.3rem;}
.stMarkdown code {font-size: 1.05rem;}
h1 {font-size: 2.6rem !important; padding: 0 0 0.25rem 0 !important;}
h2 {font-size: 1.9rem !important;} h3 {font-size: 1.6rem !important;}
[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] p {font-size: 1.1rem;}
[data-testid='stTabs'] [role='tab'] p {font-size: 1.2rem;}
[data-testid='stWidgetLabel'] p, [data-testid='stWidgetLabel'] label {font-size: 1.15rem;}
[data-testid='stSelectbox'] input, [data-testid='stMultiSelect'] input, [role='listbox'] [role='option'],
  [data-testid='stButtonGroup'] button p, [data-testid='stTextInputRootElement'] input,
  [data-testid='stTextArea'] textarea, [data-testid='stNumberInputContainer'] input,
  [data-testid='stRadio'] label p, [data-testid='stCheckbox'] label p, [data-testid='stToggle'] label p,
  [data-testid='stSegmentedControl'] button p, [data-testid='stButton'] button p,
  [data-testid='stDownloadButton'] button p {font-size: 1.15rem !important;}
[data-testid='stPageLink'] p {font-size: 1.3rem !important;}  /* a journey step as large as its words */
[data-testid='stSliderThumbValue'], [data-testid='stSliderTickBarMin'],
  [data-testid='stSliderTickBarMax'] {font-size: 1.1rem;}
[data-testid='stMetricValue'] {font-size: 2.75rem;}
[data-testid='stMetricLabel'] p {font-size: 1.15rem;}
[data-testid='stMetricDelta'] div, [data-testid='stMetricDelta'] p {font-size: 1.2rem;}
[data-testid='stExpander'] summary p {font-size: 1.15rem;}
[data-testid='stDataFrame'], [data-testid='stTable'] {zoom: 1.3;}
[data-testid='stElementContainer']:has(> * > [data-testid='stDataFrame'], > [data-testid='stTable'])
  {width: calc(100% / 1.3) !important;}  /* the table measures this width, then is enlarged to the column */
"""

PRESENTER_STYLE = f"<style>{_PAGE}{_PHONE}{_PRESENTER}</style>"
