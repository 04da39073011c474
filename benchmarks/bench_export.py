"""Export speed: a whole synthetic dataset written as CSV and as GeoJSON, as ``python -m lib
export`` and the Events page's download buttons write it (``lib.exports``: each batch formatted
by DuckDB), beside the way before it in the same process (a cell at a time in Python, with
:mod:`csv` and :mod:`json`), with the ratio. Both read the same sorted Arrow batches
(``queries.iter_batches``, oldest first) and write to a file in a temporary folder. Seconds
are medians of ``--runs`` alternated runs; the last column is the process's peak RSS so far.

    python -m benchmarks.bench_export --sizes 100000 1000000 [--store benchmarks/data/catalog.json] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import resource
import statistics
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks.generate import ensure_dataset
from lib import exports, queries, schema, store
from lib.actors import Registry
from lib.filters import FilterState


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return exports.neutralise(value) if isinstance(value, str) else value


def baseline_csv(batches, out) -> int:
    """The CSV writer before DuckDB formatted the batches: every cell through Python."""
    text = open(out.fileno(), "w", encoding="utf-8", newline="", closefd=False)  # noqa: SIM115
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(schema.CANONICAL_COLUMNS)
    rows = 0
    for table in batches:
        columns = [table.column(c).to_pylist() for c in schema.CANONICAL_COLUMNS]
        for record in zip(*columns, strict=True):
            writer.writerow([_cell(v) for v in record])
            rows += 1
    text.flush()
    return rows


def baseline_geojson(batches, out) -> int:
    """The GeoJSON writer before: a dict and a ``json.dumps`` per event."""
    props = [c for c in schema.CANONICAL_COLUMNS if c not in ("latitude", "longitude")]
    text = open(out.fileno(), "w", encoding="utf-8", newline="", closefd=False)  # noqa: SIM115
    text.write('{"type": "FeatureCollection", "features": [\n')
    rows = 0
    for table in batches:
        lat, lon = table.column("latitude").to_pylist(), table.column("longitude").to_pylist()
        values = [table.column(c).to_pylist() for c in props]
        for i in range(table.num_rows):
            properties = {}
            for j, c in enumerate(props):
                v = values[j][i]
                properties[c] = v.isoformat()[:10] if hasattr(v, "isoformat") else v
            feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon[i], lat[i]]}}
            feature["properties"] = properties
            text.write((",\n" if rows else "") + json.dumps(feature, ensure_ascii=False))
            rows += 1
    text.write("\n]}\n")
    text.flush()
    return rows


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(size: int, catalog: Path, runs: int) -> None:
    name, build = ensure_dataset(size, catalog)
    events = store.Store(catalog)
    registry = Registry.from_csv()
    state = FilterState(dataset=name)
    print(f"\n## {size:,} events ({name}); store build: {'reused' if build is None else f'{build:.1f} s'}")
    print("| format | Sitrep (s) | before, a cell at a time (s) | before ÷ Sitrep | file (MB) | peak RSS so far (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    ways = {
        "csv": (exports.write_csv, baseline_csv),
        "geojson": (exports.write_geojson, baseline_geojson),
    }
    with tempfile.TemporaryDirectory(prefix="sitrep-bench-export-") as folder:
        for fmt, (now, before) in ways.items():
            times: dict[str, list[float]] = {"now": [], "before": []}
            size_mb = 0.0
            for _ in range(runs):
                for label, write in (("now", now), ("before", before)):
                    path = Path(folder) / f"{label}.{fmt}"
                    started = time.perf_counter()
                    with open(path, "wb") as out:
                        rows = write(queries.iter_batches(events, state, registry), out)
                    times[label].append(time.perf_counter() - started)
                    assert rows == size, (rows, size)
                    size_mb = path.stat().st_size / 1e6 if label == "now" else size_mb
            a, b = statistics.median(times["now"]), statistics.median(times["before"])
            print(f"| {fmt} | {a:.2f} | {b:.2f} | {b / a:.1f}× | {size_mb:.0f} | {peak_mb():.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--store", type=Path, default=Path("benchmarks/data/catalog.json"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"# bench_export — {dt.datetime.now():%Y-%m-%d %H:%M}, {psutil.cpu_count()} cores; SYNTHETIC data")
    for size in args.sizes:
        run(size, args.store.resolve(), args.runs)


if __name__ == "__main__":
    main()
