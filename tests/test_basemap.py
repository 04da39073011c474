"""The basemap choice: tiles only when a server answers, so clicks keep working offline."""

import json
import time

import streamlit as st

from lib import basemap, mapchart
from scripts import make_basemap


def test_none_and_templates():
    assert basemap.tile_url("none") is None
    assert basemap.tile_url("borders") is None
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


def test_the_shipped_country_outlines_are_valid_geojson_covering_the_region():
    collection = json.loads((mapchart.BASEMAP_DIR / "countries.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    features = {f["properties"]["name"]: f["geometry"] for f in collection["features"]}
    assert len(features) > 200
    assert {"Syria", "Iraq", "Iran", "Jordan", "Israel", "Lebanon", "Yemen"} <= set(features)
    for geometry in features.values():
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for ring in (r for polygon in polygons for r in polygon):
            assert len(ring) >= 4
            # closed, and continuous across the antimeridian (past 180, which MapLibre draws in the
            # next world copy): a step from 179.9 to -180 drew a line right across the map. Only a
            # ring around the pole (Antarctica) keeps its step, along the map's bottom edge.
            steps = [abs(b[0] - a[0]) for a, b in zip(ring, ring[1:], strict=False)]
            assert ring[0] == ring[-1] or all(y < -60 for _, y in ring)
            assert max(steps) <= 180 or min(y for _, y in ring) < -85
            assert all(-360 <= x <= 360 and -90 <= y <= 90 for x, y in ring)
    # Deir ez-Zor (the 2021 strikes' region) lies within Syria's outline, not Iraq's
    syria = features["Syria"]["coordinates"][0] if features["Syria"]["type"] == "Polygon" else None
    assert syria is not None and inside(40.14, 35.33, syria)


def inside(x: float, y: float, ring: list) -> bool:
    """Even-odd rule: is the point inside the ring?"""
    result = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            result = not result
    return result


def test_a_ring_across_the_antimeridian_is_made_continuous_and_one_around_the_pole_is_kept():
    fiji = [(179.0, -16.0), (179.9, -16.5), (-180.0, -16.6), (-179.5, -16.0), (179.9, -15.9), (179.0, -16.0)]
    assert make_basemap.unwrap(fiji) == [
        (179.0, -16.0), (179.9, -16.5), (180.0, -16.6), (180.5, -16.0), (179.9, -15.9), (179.0, -16.0)
    ]  # fmt: skip
    pole = [(-180.0, -80.0), (0.0, -70.0), (180.0, -80.0), (180.0, -90.0), (-180.0, -90.0), (-180.0, -80.0)]
    assert make_basemap.unwrap(pole) == pole


def test_decode_topojson_arcs_into_closed_polygons():
    # two squares sharing one border, stored once: arc 0 the shared edge, arcs 1 and 2 the rest
    topo = {
        "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
        "arcs": [[[2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2], [2, 0]], [[2, 0], [2, 0], [0, 2], [-2, 0]]],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "West"}},
                    {"type": "MultiPolygon", "arcs": [[[2, -1]]], "properties": {"name": "East"}},
                    {"type": "Point", "coordinates": [0, 0]},
                ],
            }
        },
    }
    out = make_basemap.decode(topo)
    assert [f["properties"]["name"] for f in out["features"]] == ["West", "East"]
    west = out["features"][0]["geometry"]["coordinates"][0]
    assert west == [(11.0, 20.0), (11.0, 21.0), (10.0, 21.0), (10.0, 20.0), (11.0, 20.0)]
    east = out["features"][1]["geometry"]["coordinates"][0][0]
    assert east == [(11.0, 20.0), (12.0, 20.0), (12.0, 21.0), (11.0, 21.0), (11.0, 20.0)]  # arc 0 reversed closes it


def test_background_is_tiles_when_given_else_the_outlines_this_server_serves(monkeypatch):
    assert mapchart.background("https://t.example/{z}/{x}/{y}.png") == ("https://t.example/{z}/{x}/{y}.png", None)
    outlines = (None, "/component/lib.mapchart.basemap/countries.geojson")
    assert mapchart.background("borders") == outlines
    monkeypatch.setattr(basemap, "_probe_cache", {basemap.DEFAULT_TILES: (time.time(), False)})
    assert mapchart.background("auto") == outlines  # OpenStreetMap did not answer
    assert mapchart.background("none") == (None, None)  # a blank background
    real = st.get_option
    monkeypatch.setattr(st, "get_option", lambda name: "/sitrep/" if name == "server.baseUrlPath" else real(name))
    assert mapchart.borders_url() == "/sitrep/component/lib.mapchart.basemap/countries.geojson"


def test_every_country_has_a_label_inside_it_shown_from_a_zoom_by_its_size():
    outlines = json.loads(mapchart.BASEMAP_DIR.joinpath("countries.geojson").read_text(encoding="utf-8"))
    labels = json.loads(mapchart.BASEMAP_DIR.joinpath("labels.json").read_text(encoding="utf-8"))
    assert {name for name, *_ in labels} == {f["properties"]["name"] for f in outlines["features"]}
    three = ("Syria", "Iraq", "Jordan")
    features = [f for f in outlines["features"] if f["properties"]["name"] in three]
    region = {"type": "FeatureCollection", "features": features}
    mine = [label for label in labels if label[0] in three]
    assert mine == make_basemap.labels(region)  # the shipped file is what the script makes (three countries)
    assert sum(1 for label in mine if label[0] == "Iraq" and label[3] == make_basemap.DETAIL_ZOOM) >= 5
    by_name = {f["properties"]["name"]: f["geometry"] for f in outlines["features"]}
    for name, lon, lat, minzoom in labels:
        geometry = by_name[name]
        parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        # inside, not at sea (a label's longitude is within ±180; an outline's may run past 180)
        assert any(make_basemap._distance(x, lat, rings) > 0 for rings in parts for x in (lon, lon + 360)), name
        assert -180 <= lon <= 180
        assert 0 <= minzoom <= 6
    zoom: dict[str, float] = {}
    for name, _, _, minzoom in labels:  # each country's first name to show
        zoom[name] = min(minzoom, zoom.get(name, minzoom))
    assert zoom["Russia"] < zoom["Syria"] < zoom["Lebanon"]  # the large show first, the small once zoomed in


def test_pole_of_inaccessibility_of_a_c_shape_is_inside_its_thick_part():
    # a "C": a 10 × 10 square with a 6 × 6 bite taken from its right side; its centroid is in the bite
    ring = [[0, 0], [10, 0], [10, 2], [4, 2], [4, 8], [10, 8], [10, 10], [0, 10], [0, 0]]
    lon, lat = make_basemap.pole_of_inaccessibility([ring], precision=0.01)
    assert make_basemap._distance(lon, lat, [ring]) > 1.5 and lon < 4
