"""The Map page's map: one Plotly map kept across reruns, updated in place.

``st.plotly_chart`` derives its element from the figure, so every filter change mounted a
new chart: a new MapLibre map (~0.15 s of every redraw here) and the zoom back to the
figure's framing. This component keeps one map per session and updates it with
``Plotly.react`` (lib/mapchart.js): the same figure JSON and a quicker redraw. Each figure
is framed on its events; once the user pans or zooms, their view is kept across filter
changes until the dataset (``layout.uirevision``) changes.

Plotly.js is the copy inside the ``plotly`` Python package (so it matches the figure JSON
the package writes), served by this Streamlit server — no CDN, so it works offline.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import plotly
import streamlit as st
from streamlit.components.v1 import declare_component

from lib import basemap, figures

JS = (Path(__file__).with_name("mapchart.js")).read_text(encoding="utf-8")
HTML = (
    '<div class="sitrep-map-message" role="alert"></div>'
    '<div class="sitrep-map" style="width:100%;height:600px"></div>'
    '<div class="sitrep-map-legend" role="list" aria-label="Key"></div>'
    '<div class="sitrep-map-note" role="status"></div>'
)
CSS = (
    ".sitrep-map-message:empty,.sitrep-map-note:empty,.sitrep-map-legend:empty{display:none}"
    ".sitrep-map-message{color:#b00020;padding:0.5rem 0}.sitrep-map-note{padding:0.25rem 0;font-size:0.9rem}"
    ".sitrep-map-legend{display:flex;flex-wrap:wrap;gap:0.3rem 1.2rem;padding:0.5rem 0;font-size:0.8rem}"
    ".sitrep-map-legend .swatch{display:inline-block;box-sizing:border-box;width:12px;height:12px;"
    "border-radius:50%;margin-right:0.4rem;vertical-align:-1px}"
)
PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
BASEMAP_DIR = Path(__file__).resolve().parent.parent / "data" / "basemap"
CONFIG = {**figures.PLOTLY_CONFIG, "scrollZoom": True, "responsive": True}


@functools.cache
def _component():
    return st.components.v2.component("sitrep_map", html=HTML, css=CSS, js=JS, isolate_styles=False)


def served_url(name: str, directory: Path, filename: str) -> str:
    """Where this server serves ``directory/filename``: a v1 component's file route, registered
    by this call (so call it within the script run), under ``server.baseUrlPath`` if any."""
    assets = declare_component(name, path=str(directory))
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{'/' + base if base else ''}/component/{assets.name}/{filename}"


def plotly_url() -> str:
    """Where this server serves plotly.min.js."""
    return served_url("plotly_js", PLOTLY_DIR, "plotly.min.js")


def borders_url() -> str:
    """Where this server serves the country outlines (data/basemap, Natural Earth 1:50m)."""
    return served_url("basemap", BASEMAP_DIR, "countries.geojson")


def background(setting: str) -> tuple[str | None, str | None]:
    """The maps' background for ``SITREP_TILES``: (tile URL template, None) when a tile server
    is used; else (None, URL of the country outlines this server serves), or (None, None)
    for ``none``, a blank background."""
    tiles = basemap.tile_url(setting)
    if tiles or (setting or "").strip() == "none":
        return tiles, None
    return None, borders_url()


def payload(figure_json: str, url: str, export: dict | None = None) -> bytes:
    """The component's data: raw JSON bytes, so the figure is not escaped into a JSON string."""
    head = json.dumps({"plotly": url, "config": CONFIG, "export": export})
    return (head[:-1] + ',"figure":' + figure_json + "}").encode()


def map_chart(figure_json: str, export: dict | None = None, key: str = "map") -> list[dict]:
    """Draw a figure (``pio.to_json`` of it) in the session's map; the points the user clicked or
    boxed, if they just did.

    ``export``, if given, is what the toolbar's camera puts around the map in its PNG:
    ``title`` (plain text), ``lines`` under the key, and the ``filename``. Without it the
    camera saves the map with its key only, as ``sitrep-map.png``.

    Returns ``[]`` on a plain rerun; after a click, one point ``{lat, lon, customdata}``;
    after a box or lasso, the two corners of the box around the selected points.
    """
    result = _component()(key=key, data=payload(figure_json, plotly_url(), export), on_select_change=lambda: None)
    chosen = getattr(result, "select", None) if result is not None else None
    return list(chosen.get("points") or []) if isinstance(chosen, dict) else []
