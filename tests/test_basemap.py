"""The basemap choice: tiles only when a server answers, so clicks keep working offline."""

from lib import basemap


def test_none_and_templates():
    assert basemap.tile_url("none") is None
    assert basemap.tile_url("https://t.example/{z}/{x}/{y}.png") == "https://t.example/{z}/{x}/{y}.png"
    assert basemap.tile_url("https://t.example/no-placeholders.png") is None


def test_auto_probes_once_per_period(monkeypatch):
    monkeypatch.setattr(basemap, "_probe_cache", {})
    calls = []
    clock = [1000.0]

    def probe(url):
        calls.append(url)
        return False

    assert basemap.tile_url("auto", probe=probe, now=lambda: clock[0]) is None
    assert basemap.tile_url("auto", probe=probe, now=lambda: clock[0]) is None
    assert len(calls) == 1
    clock[0] += basemap.PROBE_EVERY_SECONDS + 1
    assert basemap.tile_url("auto", probe=lambda url: True, now=lambda: clock[0]) == basemap.DEFAULT_TILES
