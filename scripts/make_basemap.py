"""Write data/basemap/countries.geojson, the country outlines the Map draws when no tile server answers.

The source is Natural Earth's 1:50m countries (public domain) as redistributed in TopoJSON
by the ``world-atlas`` npm package, version 2.0.2 (ISC licence). To make the file again::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_basemap.py package/countries-50m.json

It also writes data/basemap/labels.json, each country's name at the point of its largest part
farthest from its borders, with the zoom from which it shows (``--labels-only`` remakes only
that, from countries.geojson).

TopoJSON stores each border once, as delta-encoded integer arcs; MapLibre reads GeoJSON,
so the arcs are decoded into polygons here, with coordinates rounded to 3 decimals
(about 100 m, finer than the 1:50m data itself).
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "basemap" / "countries.geojson"
LABELS = OUT.with_name("labels.json")  # written beside the outlines


def decode(topo: dict, name: str = "countries", digits: int = 3) -> dict:
    """The TopoJSON object ``name`` as a GeoJSON FeatureCollection of (Multi)Polygons."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * sx + tx, digits), round(y * sy + ty, digits)))
        arcs.append(points)

    def ring(ids: list[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for i in ids:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]  # a negative index is the arc reversed
            for p in points if not out else points[1:]:  # arcs share their end points
                if not out or p != out[-1]:
                    out.append(p)
        return out

    def polygon(rings: list[list[int]]) -> list:
        return [unwrap(r, digits) for r in (ring(ids) for ids in rings) if len(r) >= 4]  # a closed ring: 4+

    features = []
    for geometry in topo["objects"][name]["geometries"]:
        if geometry["type"] == "Polygon":
            coordinates = polygon(geometry["arcs"])
        elif geometry["type"] == "MultiPolygon":
            coordinates = [p for p in (polygon(rings) for rings in geometry["arcs"]) if p]
        else:
            continue
        if coordinates:
            name_ = (geometry.get("properties") or {}).get("name")
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": name_},
                    "geometry": {"type": geometry["type"], "coordinates": coordinates},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def unwrap(ring: list, digits: int = 3) -> list:
    """A ring that crosses the antimeridian (Fiji, Chukotka, Antarctica) made continuous: a step
    from 179.9 to -180 becomes one to 180, and the points after it go on past 180. MapLibre
    draws longitudes past ±180 in the next world copy; as written, each crossing drew a line
    right across the map."""
    out, shift = [ring[0]], 0.0
    for (x0, _), (x, y) in zip(ring, ring[1:], strict=False):
        if x - x0 > 180:
            shift -= 360
        elif x0 - x > 180:
            shift += 360
        out.append((round(x + shift, digits), y) if shift else (x, y))
    # a ring around the pole (Antarctica) does not come back: as written, it runs along the
    # map's bottom edge, out of a Web Mercator map's view
    return out if shift == 0 else ring


def _lon(x: float) -> float:
    """A longitude back within -180..180 (a label placed on an unwrapped ring)."""
    return round((x + 180) % 360 - 180, 3)


def _area(ring: list) -> float:
    """Shoelace area of a ring in degrees², longitudes shrunk by cos(latitude) (roughly equal-area)."""
    k = math.cos(math.radians(sum(p[1] for p in ring) / len(ring)))
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))) * k / 2


def _distance(x: float, y: float, rings: list) -> float:
    """Signed distance from (x, y) to the polygon's edges: positive inside, negative outside."""
    inside, best = False, math.inf
    for ring in rings:
        for (ax, ay), (bx, by) in zip(ring, ring[1:], strict=False):
            if (ay > y) != (by > y) and x < (bx - ax) * (y - ay) / (by - ay) + ax:
                inside = not inside
            dx, dy = bx - ax, by - ay
            t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
            best = min(best, (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2)
    return math.sqrt(best) * (1 if inside else -1)


def pole_of_inaccessibility(rings: list, precision: float = 0.02) -> tuple[float, float]:
    """The point inside a polygon farthest from its edges (Mapbox's polylabel): where a label sits
    inside even a crescent-shaped country, unlike the centroid. Longitudes are shrunk by
    cos(latitude) while searching, so the distance is about the same in both directions."""
    k = math.cos(math.radians(sum(p[1] for p in rings[0]) / len(rings[0]))) or 1.0
    scaled = [[(x * k, y) for x, y in ring] for ring in rings]
    xs, ys = [p[0] for p in scaled[0]], [p[1] for p in scaled[0]]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    size = min(x1 - x0, y1 - y0)
    if size == 0:
        return round(x0 / k, 3), round(y0, 3)
    cells: list[tuple[float, float, float, float]] = []  # (-potential, x, y, half size), a max-heap

    def push(x: float, y: float, h: float) -> float:
        d = _distance(x, y, scaled)
        heapq.heappush(cells, (-(d + h * math.sqrt(2)), x, y, h))
        return d

    h = size / 2
    x = x0
    while x < x1:
        y = y0
        while y < y1:
            push(x + h, y + h, h)
            y += size
        x += size
    best = ((x0 + x1) / 2, (y0 + y1) / 2)
    best_d = _distance(*best, scaled)
    while cells:
        potential, x, y, h = heapq.heappop(cells)
        d = _distance(x, y, scaled)
        if d > best_d:
            best, best_d = (x, y), d
        if -potential - best_d <= precision:
            continue
        for sx in (-1, 1):
            for sy in (-1, 1):
                push(x + sx * h / 2, y + sy * h / 2, h / 2)
    return round(best[0] / k, 3), round(best[1], 3)


# The zoom from which a country's name shows, by the area of its largest part (degrees²):
# the large from the world view, the small once zoomed in, so names do not pile up.
LABEL_ZOOMS = ((200.0, 0.0), (40.0, 2.0), (8.0, 3.0), (1.5, 4.0), (0.2, 5.0))


# Zoomed in, one name per country is often out of view: from DETAIL_ZOOM on, names are repeated
# on a grid over the country (DETAIL_STEP degrees apart, wider for large countries), where the
# point is at least DETAIL_MARGIN degrees inside it (so a name is never drawn across a border).
DETAIL_ZOOM, DETAIL_STEP, DETAIL_MARGIN = 6.0, 1.0, 0.2


def labels(collection: dict) -> list[list]:
    """[name, lon, lat, minzoom] per country: the pole of inaccessibility of its largest part,
    then, from DETAIL_ZOOM, the points of a grid inside it."""
    out = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        name = feature["properties"]["name"]
        parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        largest = max(parts, key=lambda rings: _area(rings[0]))
        area = _area(largest[0])
        lon, lat = pole_of_inaccessibility(largest)
        minzoom = next((zoom for floor, zoom in LABEL_ZOOMS if area >= floor), 6.0)
        out.append([name, _lon(lon), lat, minzoom])
        for rings in parts:
            step = max(DETAIL_STEP, math.sqrt(_area(rings[0])) / 4)
            xs, ys = [p[0] for p in rings[0]], [p[1] for p in rings[0]]
            y = math.ceil(min(ys) / step) * step
            while y <= max(ys):
                x = math.ceil(min(xs) / step) * step
                while x <= max(xs):
                    far = abs(x - lon) > step / 2 or abs(y - lat) > step / 2  # not on the main name
                    if far and _distance(x, y, rings) >= DETAIL_MARGIN:
                        out.append([name, _lon(x), round(y, 3), DETAIL_ZOOM])
                    x += step
                y += step
    return sorted(out, key=lambda label: (label[3], label[0], label[1], label[2]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topojson", type=Path, nargs="?", help="world-atlas countries-50m.json")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--labels-only", action="store_true", help="only labels.json, from the outlines already made")
    args = parser.parse_args(argv)
    if args.labels_only:
        collection = json.loads(args.out.read_text(encoding="utf-8"))
    else:
        if args.topojson is None:
            parser.error("give the TopoJSON file, or --labels-only")
        collection = decode(json.loads(args.topojson.read_text(encoding="utf-8")))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
        print(f"{args.out}: {len(collection['features'])} countries, {args.out.stat().st_size:,} bytes")
    names = args.out.with_name(LABELS.name)
    names.write_text(json.dumps(labels(collection), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{names}: {len(collection['features'])} labels, {names.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
