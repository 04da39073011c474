"""The basemap: which tile server the maps draw under the points, if any.

Plotly's MapLibre maps stop handling clicks and selections when their tile layer fails to
load at start ("Map error."), so a tile layer is added only when the tile server answers.
``SITREP_TILES`` is ``auto`` (probe the default server once every ten minutes),
``borders`` (no tiles, never probe), ``none`` (no tiles and no borders: a blank
background), or a URL template with ``{z}/{x}/{y}`` (always used: your own tile server).
Without tiles, the maps draw the country outlines this server serves itself
(data/basemap, see lib.mapchart.background), unless the setting is ``none``.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable

DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ATTRIBUTION = "© OpenStreetMap contributors"
PROBE_EVERY_SECONDS = 600
_probe_cache: dict[str, tuple[float, bool]] = {}


def _reachable(template: str, timeout: float = 2.0) -> bool:
    url = template.replace("{z}", "0").replace("{x}", "0").replace("{y}", "0")
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": "Sitrep (tile probe)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - fixed https template
            return response.status == 200
    except (OSError, ValueError):
        return False


def tile_url(
    setting: str, probe: Callable[[str], bool] = _reachable, now: Callable[[], float] = time.time
) -> str | None:
    """The tile URL template to draw, or None for a plain background."""
    value = (setting or "auto").strip()
    if value in ("none", "borders"):
        return None
    if value != "auto":
        return value if all(part in value for part in ("{z}", "{x}", "{y}")) else None
    checked = _probe_cache.get(DEFAULT_TILES)
    if checked is None or now() - checked[0] > PROBE_EVERY_SECONDS:
        checked = (now(), probe(DEFAULT_TILES))
        _probe_cache[DEFAULT_TILES] = checked
    return DEFAULT_TILES if checked[1] else None
