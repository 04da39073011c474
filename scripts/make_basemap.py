"""Write data/basemap/countries.geojson, the country outlines the Map draws when no tile server answers.

The source is Natural Earth's 1:50m countries (public domain) as redistributed in TopoJSON
by the ``world-atlas`` npm package, version 2.0.2 (ISC licence). To make the file again::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_basemap.py package/countries-50m.json

TopoJSON stores each border once, as delta-encoded integer arcs; MapLibre reads GeoJSON,
so the arcs are decoded into polygons here, with coordinates rounded to 3 decimals
(about 100 m, finer than the 1:50m data itself).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "basemap" / "countries.geojson"


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
        return [r for r in (ring(ids) for ids in rings) if len(r) >= 4]  # a closed ring needs 4 positions

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topojson", type=Path, help="world-atlas countries-50m.json")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    collection = decode(json.loads(args.topojson.read_text(encoding="utf-8")))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    print(f"{args.out}: {len(collection['features'])} countries, {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
