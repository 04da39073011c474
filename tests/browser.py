"""Helpers for the browser tier: a real `streamlit run` on 127.0.0.1 and Debian's chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SITREP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# JS: events drawn on the first Plotly map (legend traces; a ring's white centre is not counted).
POINTS_DRAWN_JS = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  if (!gd || !gd._fullData) return -1;
  return gd._fullData.filter(t => t.showlegend !== false && t.name !== 'selected event' && t.meta !== 'stack')
                     .reduce((n, t) => n + (t._length || 0), 0);
}"""
TRACE_NAMES_JS = "() => (document.querySelector('.js-plotly-plot')?._fullData || []).map(t => t.name)"
# JS: the MapLibre map of the first Plotly map.
MAP_JS = "document.querySelector('.js-plotly-plot')._fullLayout.map._subplot.map"
# JS: the page position of a longitude/latitude on the first Plotly map.
PROJECT_JS = f"""([lon, lat]) => {{
  const m = {MAP_JS};
  const p = m.project([lon, lat]); const r = m.getContainer().getBoundingClientRect();
  return {{x: r.left + p.x, y: r.top + p.y}};
}}"""


# JS: the Map page's component has finished its latest figure (framing included); true elsewhere.
COMPONENT_DONE_JS = "(() => { const el = document.querySelector('.sitrep-map'); "
COMPONENT_DONE_JS += "return !el || el.dataset.drawn === String(el.__sitrepDraw); })()"


def map_settled(page) -> None:
    """Wait until the map has its latest figure, has loaded every source and is not moving."""
    page.wait_for_function(
        f"() => {{ try {{ const m = {MAP_JS}; return {COMPONENT_DONE_JS} && m.loaded() && !m.isMoving(); }}"
        " catch (e) { return false; } }",
        timeout=60_000,
    )


def click_map(page, lon: float, lat: float, url_pattern=None, attempts: int = 5) -> None:
    """Click the map where a point at (lon, lat) is drawn, as a person would.

    Plotly binds its click handlers a moment after the map's first render, and on a busy
    machine that moment varies: with ``url_pattern`` the click is repeated (like a person
    clicking again) until the page's URL matches it.
    """
    map_settled(page)
    for attempt in range(attempts):
        page.wait_for_timeout(500 * (attempt + 1))
        pos = page.evaluate(PROJECT_JS, [lon, lat])
        page.mouse.move(pos["x"], pos["y"])
        page.wait_for_timeout(200)
        page.mouse.down()
        page.mouse.up()
        if url_pattern is None:
            return
        try:
            page.wait_for_url(url_pattern, timeout=5_000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: click again
            continue
    raise AssertionError(f"clicking the map at {lon}, {lat} never led to {url_pattern}")


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for the whole test run (each test makes its own context)."""
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(env_extra: dict[str, str]):
    """Start `streamlit run dashboard.py` on a free port; yield its base URL; stop it."""
    port = free_port()
    # No tile server in tests: nothing leaves the machine, and the map must work without tiles,
    # on the country borders this server serves (what a user without internet access sees).
    env = {**os.environ, "SITREP_TILES": "borders", **env_extra, "PYTHONUNBUFFERED": "1"}
    log = open(env_extra.get("SITREP_LOG", os.devnull), "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def page_on_store(browser, catalog, datasets: dict[str, str], width: int = 1400, height: int = 1000):
    """A server on a store at ``catalog`` holding the fixture rows as each of ``datasets`` (name →
    source format), and a fresh page of the given size on it; yields (page, base URL)."""
    from lib import store
    from tests.conftest import make_frame

    for name, source_format in datasets.items():
        store.write_dataset(make_frame(name), name, source_format, catalog_path=catalog)
    with streamlit_server({"SITREP_STORE": str(catalog)}) as url:
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            yield context.new_page(), url
        finally:
            context.close()
