"""Large data in the browser: 100,000 generated events switch the Map to cells, and back to points
when the filter narrows. The data is SYNTHETIC (benchmarks/generate.py), made for the test."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from benchmarks.generate import ensure_dataset
from lib import config
from tests.browser import MAP_JS, POINTS_DRAWN_JS, TRACE_NAMES_JS, click_map, map_settled, streamlit_server

pytestmark = pytest.mark.browser
ROWS = 100_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    catalog = tmp_path_factory.mktemp("large") / "catalog.json"
    name, _ = ensure_dataset(ROWS, catalog)
    with streamlit_server({"SITREP_STORE": str(catalog)}) as url:
        yield url, name


def test_cells_above_the_limit_and_points_when_narrowed(server, browser):
    url, name = server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{url}/?dataset={name}")
    expect(page.locator("[data-testid='stAlert']", has_text="aggregated into")).to_be_visible(timeout=60_000)
    page.wait_for_function(f"() => ({TRACE_NAMES_JS})().some(n => n.endsWith('° cells'))", timeout=60_000)
    cells = page.evaluate(POINTS_DRAWN_JS)
    assert 0 < cells <= config.get("SITREP_MAX_CELLS")
    expect(page.locator("[data-testid='stCaptionContainer']", has_text=f": {ROWS:,} events")).to_be_visible()
    map_settled(page)
    # the key shows the cells' colour scale, not a grey like the rings of cells with the number killed unknown
    scale = page.locator(".sitrep-map-legend .swatch[data-scale]")
    expect(scale).to_have_count(1)
    assert "gradient" in scale.evaluate("(e) => getComputedStyle(e).backgroundImage")
    page.evaluate(f"() => {{ {MAP_JS}.__sitrepTest = 'same map'; }}")

    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider'] input").first
    thumb.focus()
    page.keyboard.press("End")  # from = the last day: a few dozen events
    page.wait_for_url(re.compile(r"[?&]from=\d{4}-\d{2}-\d{2}"), timeout=60_000)
    page.wait_for_function(f"() => !({TRACE_NAMES_JS})().some(n => n.endsWith('° cells'))", timeout=60_000)
    expect(page.locator("[data-testid='stAlert']", has_text="aggregated into")).to_have_count(0)
    # the view's sentence (then what its start cuts off: a fifth of the synthetic events are dated to a week or month)
    said = r": ([\d,]+) events?(\. .*)?$"
    sentence = page.locator("[data-testid='stCaptionContainer']").filter(has_text=re.compile(said))
    count = int(re.search(said, sentence.first.inner_text()).group(1).replace(",", ""))
    assert 0 < count <= config.get("SITREP_MAX_POINTS")
    page.wait_for_function(f"() => ({POINTS_DRAWN_JS})() === {count}", timeout=60_000)
    # the notice about cells went away, and the map is the same MapLibre map, updated in place
    assert page.evaluate(f"() => {MAP_JS}.__sitrepTest") == "same map"

    thumb.focus()
    page.keyboard.press("Home")  # widen again: back to cells, on the same map
    page.wait_for_function(f"() => ({TRACE_NAMES_JS})().some(n => n.endsWith('° cells'))", timeout=60_000)
    expect(page.locator("[data-testid='stAlert']", has_text="aggregated into")).to_be_visible(timeout=60_000)
    assert page.evaluate(POINTS_DRAWN_JS) == cells
    assert page.evaluate(f"() => {MAP_JS}.__sitrepTest") == "same map"
    context.close()


def test_clicking_a_cell_narrows_every_view_to_it(server, browser):
    url, name = server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{url}/?dataset={name}")
    page.wait_for_function(f"() => ({TRACE_NAMES_JS})().some(n => n.endsWith('° cells'))", timeout=60_000)
    lon, lat = page.evaluate(
        "() => { const t = document.querySelector('.js-plotly-plot')._fullData[0]; return [t.lon[0], t.lat[0]]; }"
    )  # the busiest cell comes first
    click_map(page, lon, lat, url_pattern=re.compile(r"[?&]cell=[-\d.]+%2C[-\d.]+%2C[\d.]+"))
    sentence = page.locator("[data-testid='stCaptionContainer']").filter(
        has_text=re.compile(r" cell \d.*: [\d,]+ events?(\. .*)?$")
    )
    expect(sentence).to_be_visible(timeout=60_000)
    page.locator("[data-testid='stSidebarNav'] a", has_text="Events").click()
    page.wait_for_url(re.compile(r"/events\?.*cell="), timeout=60_000)
    expect(page.locator("[data-testid='stCaptionContainer']").filter(has_text=re.compile(r"° cell \d"))).to_be_visible(
        timeout=60_000
    )
    context.close()
