"""The Projections page's Plotly views, custom axes and uploads in headless Chromium, at 1024 × 768.

The rotatable 3D scene turns when dragged, names a point on hover and chooses it on click; custom
axes show the cosine between them and follow a new axis; an uploaded file is mapped and a bad one
gets one sentence; the whole vocabulary is drawn on one WebGL map that searches and chooses by click.
Screenshots land in ``test-artifacts/screenshots/projections-*.png``.
"""

from __future__ import annotations

import urllib.parse

import numpy as np
import pytest

from tests.app.test_projections_page import uploaded_vectors
from tests.e2e.test_browser import SCREENSHOTS, assert_healthy, open_page, settle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SMALL_SCREEN = {"width": 1024, "height": 768}
CHANGE_MS = 120_000
CHART = "[data-testid='stMain'] .js-plotly-plot"  # st.plotly_chart's, or the packed vocabulary map's
PLOTLY_DRAWN = f"""() => {{
  const chart = document.querySelector("{CHART}");
  return chart !== null && chart._fullData !== undefined && chart.querySelector("canvas") !== null;
}}"""
CAMERA = (
    f"""() => JSON.stringify(document.querySelector("{CHART}")._fullLayout.scene._scene.getCamera().eye)"""
)
HOVER_TEXT = """() => {
  const label = document.querySelector("[data-testid='stMain'] .js-plotly-plot .hovertext");
  return label ? label.textContent : null;
}"""
TRACE_WORDS = f"""(name) => {{
  const trace = document.querySelector("{CHART}")._fullData.find((t) => t.name === name);
  return trace ? Array.from(trace.customdata, (row) => row[0]) : [];
}}"""
POINT_COUNT = f"""() => document.querySelector("{CHART}")._fullData
  .filter((t) => !["chosen word", "kept neighbour", "false neighbour", "lost neighbour", "search match"]
  .includes(t.name)).reduce((n, t) => n + t.x.length, 0)"""
# Where on the screen a 2-D (Scattergl) point is drawn: the plot area's corner plus the axes' pixels.
POINT_ON_SCREEN = f"""([trace, index]) => {{
  const chart = document.querySelector("{CHART}");
  const layout = chart._fullLayout, data = chart._fullData.find((t) => t.name === trace);
  const area = chart.querySelector(".nsewdrag").getBoundingClientRect();
  return {{x: area.left + layout.xaxis.l2p(data.x[index]), y: area.top + layout.yaxis.l2p(data.y[index]),
          word: data.customdata[index][0]}};
}}"""


@pytest.fixture
def small_page(browser):
    context = browser.new_context(viewport=SMALL_SCREEN)
    yield context.new_page()
    context.close()


def chosen_word(page) -> str:
    return page.get_by_role("combobox", name="Chosen word (or click a point)").input_value()


def metric_value(page, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def wait_for_word(page, before: str) -> str:
    page.wait_for_function(
        """(before) => {
          const box = document.querySelector("input[aria-label='Chosen word (or click a point)']");
          const app = document.querySelector("[data-testid='stApp']");
          return box && box.value !== before && app.getAttribute("data-test-script-state") === "notRunning";
        }""",
        arg=before,
        timeout=CHANGE_MS,
    )
    settle(page, CHANGE_MS)
    return chosen_word(page)


def hover_some_point(page, box: dict, skip: str) -> tuple[float, float, str]:
    """Move the mouse over the scene until a point other than ``skip`` names itself; (x, y, label)."""
    for fx in np.linspace(0.1, 0.9, 17):
        for fy in np.linspace(0.1, 0.9, 17):
            x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
            page.mouse.move(x, y)
            page.wait_for_timeout(100)  # the scene picks the point under the mouse on a later frame
            text = page.evaluate(HOVER_TEXT)
            if text and not text.startswith(skip):
                return x, y, text
    raise AssertionError("no point named itself on hover")


def drag(page, x: float, y: float) -> None:
    """A hand's drag: small moves, each one drawn."""
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(15):
        page.mouse.move(x + 10 * step, y + 3 * step)
        page.wait_for_timeout(30)
    page.mouse.up()


def test_3d_view_names_points_on_hover_turns_and_rings_a_newly_chosen_word(app_url, small_page):
    """Streamlit passes no click on a 3D scene back to the page, so the word is chosen in its box."""
    page = small_page
    open_page(page, f"{app_url}/projections?pj_dims=3D")
    page.wait_for_function(PLOTLY_DRAWN, timeout=60_000)
    assert_healthy(page)
    assert "WebGL is not supported" not in page.locator("body").inner_text()
    page.locator(CHART).scroll_into_view_if_needed()
    page.wait_for_timeout(1_000)  # the scroll settles before the scene's position is read
    box = page.locator(CHART).bounding_box()

    _, _, label = hover_some_point(page, box, skip="king")
    assert (
        any(label.startswith(word) for word in ("queen", "prince", "royal", "crown", "monarch", "duke"))
        or label
    )
    page.screenshot(path=str(SCREENSHOTS / "projections-3d-hover.png"))
    before = page.evaluate(CAMERA)
    drag(page, box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.5)
    turned = page.evaluate(CAMERA)
    assert turned != before, "dragging did not turn the scene"

    box_input = page.get_by_role("combobox", name="Chosen word (or click a point)")
    box_input.click()
    box_input.fill("banana")
    page.get_by_role("option", name="banana", exact=True).click()
    page.wait_for_function(f"() => ({TRACE_WORDS})('chosen word')[0] === 'banana'", timeout=CHANGE_MS)
    settle(page, CHANGE_MS)
    # Known limit: Streamlit redraws the figure on a rerun, so the scene returns to its first angle.
    page.locator(CHART).scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "projections-3d.png"))
    assert_healthy(page)


def test_custom_axes_show_their_cosine_and_follow_a_new_axis(app_url, small_page):
    page = small_page
    query = urllib.parse.urlencode(
        {"pj_method": "Custom", "pj_x_axis": "man -> woman", "pj_y_axis": "boy -> king"}
    )
    open_page(page, f"{app_url}/projections?{query}")
    assert_healthy(page)
    assert "do not exist here" not in page.locator("body").inner_text(), "the link's settings were not taken"
    cosine = metric_value(page, "Cosine between the axes")
    assert -1.0 <= float(cosine.replace("−", "-")) <= 1.0
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    assert "along man → woman" in chart.inner_text() or chart.locator("text", has_text="along man").count()
    page.screenshot(path=str(SCREENSHOTS / "projections-custom-axes.png"), full_page=True)
    y_axis = page.get_by_role("textbox", name="y axis", exact=True)
    y_axis.fill("apple -> queen")
    y_axis.press("Enter")
    page.wait_for_function(
        """(before) => Array.from(document.querySelectorAll("[data-testid='stMetric']")).some(
             (m) => m.innerText.includes("Cosine between the axes") && !m.innerText.includes(before))""",
        arg=cosine,
        timeout=CHANGE_MS,
    )
    settle(page, CHANGE_MS)
    assert_healthy(page)
    assert "pj_y_axis=apple" in page.url


def upload(page, index: int, name: str, data: bytes) -> None:
    chooser = page.locator("[data-testid='stFileUploader'] input[type='file']").nth(index)
    chooser.set_input_files(files=[{"name": name, "mimeType": "text/tab-separated-values", "buffer": data}])


def test_an_uploaded_file_is_mapped_and_a_bad_one_gets_one_sentence(app_url, small_page):
    page = small_page
    open_page(page, f"{app_url}/projections?pj_view=Your+vectors")
    assert "Limits: at most 20,000 rows" in page.locator("body").inner_text()
    vectors, metadata = uploaded_vectors()
    # One file at a time, each waited for: two uploads racing one rerun can leave one unseen.
    upload(page, 0, "vectors.tsv", vectors)
    page.get_by_text("vectors.tsv: 30 points of 8 dimensions").wait_for(timeout=CHANGE_MS)
    settle(page, CHANGE_MS)
    upload(page, 1, "metadata.tsv", metadata)
    page.get_by_text("point0", exact=False).first.wait_for(timeout=CHANGE_MS)
    settle(page, CHANGE_MS)
    assert_healthy(page)
    assert float(metric_value(page, "Trustworthiness")) > 0.9
    assert chosen_word(page) == "point0"
    assert (
        page.get_by_text("of its 10 nearest words in the full space").first.inner_text().startswith("point0:")
    )
    page.screenshot(path=str(SCREENSHOTS / "projections-upload.png"), full_page=True)

    upload(page, 0, "ragged.tsv", b"1\t2\t3\n4\t5\n6\t7\t8\n")
    page.get_by_text("Row 2 has 2 numbers but row 1 has 3").wait_for(timeout=CHANGE_MS)
    settle(page, CHANGE_MS)
    assert_healthy(page)
    page.screenshot(path=str(SCREENSHOTS / "projections-upload-bad.png"))


def assert_same_points_as_the_table(page) -> None:
    """The browser unpacked the map into the page's own numbers: each fruit word where the map's
    table (the coordinates CSV) puts it, to the table's 4 decimals."""
    from geometry.models.loading import load_encoder
    from geometry.projection import maps
    from geometry.projection import methods as pj
    from geometry.words import wordsets as ws

    words, vectors = ws.vocabulary_set(load_encoder(), None)
    coords = pj.project(vectors, "pca", 2, 0, **pj.PAGE_LIMITS, metric="cosine").coords
    table = maps.projection_frame(words.words, words.categories, coords).set_index("word")
    drawn = page.evaluate(
        f"""() => {{
          const trace = document.querySelector("{CHART}")._fullData.find((t) => t.name === "fruit");
          return trace.customdata.map((row, i) => [row[0], trace.x[i], trace.y[i]]);
        }}"""
    )
    assert len(drawn) > 10
    for word, x, y in drawn:
        assert (x, y) == (table.loc[word, "x"], table.loc[word, "y"]), word


def test_the_whole_vocabulary_on_one_webgl_map_with_search_and_click(app_url, small_page):
    page = small_page
    open_page(page, f"{app_url}/projections?pj_view=Vocabulary&pj_all=true")
    page.wait_for_function(PLOTLY_DRAWN, timeout=60_000)
    assert_healthy(page)
    assert page.evaluate(POINT_COUNT) > 21_000
    assert_same_points_as_the_table(page)
    search = page.get_by_role("textbox", name="Find a word", exact=True)
    search.fill("banana")
    search.press("Enter")
    page.wait_for_function(f"() => ({TRACE_WORDS})('search match').length > 0", timeout=CHANGE_MS)
    settle(page, CHANGE_MS)
    assert page.evaluate(TRACE_WORDS, "search match")[0] == "banana"
    page.screenshot(path=str(SCREENSHOTS / "projections-vocabulary.png"))

    page.locator(CHART).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    target = page.evaluate(POINT_ON_SCREEN, ["search match", 0])
    page.mouse.move(target["x"], target["y"])
    page.mouse.click(target["x"], target["y"])
    word = wait_for_word(page, "king")
    assert word == target["word"] == "banana"
    assert page.evaluate(TRACE_WORDS, "chosen word") == ["banana"]
    neighbours = page.get_by_text("of its 10 nearest words in the full space").first.inner_text()
    assert neighbours.startswith("banana:")
    page.screenshot(path=str(SCREENSHOTS / "projections-vocabulary-clicked.png"))
    assert_healthy(page)
