"""Import speed: a synthetic ACLED-style CSV through read_file and store.write_dataset.

Generates (in a temporary folder, deleted afterwards) a CSV of N clearly synthetic events in
ACLED's current 31-column layout, then prints the time to generate it, to import it with
``lib.importers.read_file`` (reading, mapping and ``schema.validate_frame``), to write it
with ``store.write_dataset`` into a temporary catalog, the peak resident memory, and a naive
baseline in the same process: a plain ``pd.read_csv`` of the same file (no checks, no
mapping), with the ratio. The data is never shipped.

    python benchmarks/bench_import.py --rows 1000000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import store  # noqa: E402
from lib.importers import read_file  # noqa: E402

HEADER = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip
TYPES = [
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Violence against civilians", "Attack"),
    ("Protests", "Peaceful protest"),
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` synthetic ACLED-style events (invented names, SYN ids) to ``path``."""
    rng = np.random.default_rng(seed)
    chunk = 200_000
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            ids = np.arange(start, start + n)
            days = rng.integers(0, 9000, n)
            dates = (np.datetime64("2000-01-01") + days).astype(str)
            kind = rng.integers(0, len(TYPES), n)
            frame = pd.DataFrame(
                {
                    "event_id_cnty": np.char.add("SYN", ids.astype(str)),
                    "event_date": dates,
                    "year": [d[:4] for d in dates],
                    "time_precision": rng.integers(1, 4, n),
                    "disorder_type": "Political violence",
                    "event_type": [TYPES[k][0] for k in kind],
                    "sub_event_type": [TYPES[k][1] for k in kind],
                    "actor1": np.char.add("Synthetic Actor ", rng.integers(0, 500, n).astype(str)),
                    "assoc_actor_1": "",
                    "inter1": rng.integers(1, 9, n),
                    "actor2": np.char.add("Synthetic Actor ", rng.integers(0, 500, n).astype(str)),
                    "assoc_actor_2": "",
                    "inter2": rng.integers(0, 9, n),
                    "interaction": rng.integers(10, 90, n),
                    "civilian_targeting": "",
                    "iso": 999,
                    "region": "Synthetic Region",
                    "country": np.char.add("Synthland ", rng.integers(0, 30, n).astype(str)),
                    "admin1": np.char.add("Province ", rng.integers(0, 300, n).astype(str)),
                    "admin2": np.char.add("District ", rng.integers(0, 3000, n).astype(str)),
                    "admin3": "",
                    "location": np.char.add("Place ", rng.integers(0, 30000, n).astype(str)),
                    "latitude": np.round(rng.uniform(-40, 60, n), 4),
                    "longitude": np.round(rng.uniform(-20, 120, n), 4),
                    "geo_precision": rng.integers(1, 4, n),
                    "source": "Synthetic Wire",
                    "source_scale": "National",
                    "notes": np.char.add(
                        "Synthetic event, not real; a benchmark note of typical length #", ids.astype(str)
                    ),
                    "fatalities": rng.integers(0, 20, n),
                    "tags": "",
                    "timestamp": 1700000000,
                }
            )
            frame.to_csv(fh, header=False, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitrep-bench-") as folder:
        path = Path(folder) / "synthetic_acled.csv"
        started = time.perf_counter()
        generate(path, args.rows)
        generated = time.perf_counter() - started
        size_mb = path.stat().st_size / 1_048_576
        print(f"synthetic ACLED-style CSV: {args.rows:,} rows, {size_mb:.0f} MB, generated in {generated:.1f} s")
        print(f"peak RSS after generating: {peak_rss_mb():.0f} MB")

        # The command a user runs, in its own process: its time and peak memory are the import's alone.
        env = {**os.environ, "SITREP_STORE": str(Path(folder) / "cli" / "catalog.json")}
        command = [sys.executable, "-m", "lib", "import", str(path), "--dataset", "bench", "--max-mb", "100000"]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        cli_seconds = time.perf_counter() - started
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"`python -m lib import` (detect, read, validate, store): {cli_seconds:.1f} s, exit {done.returncode}, "
              f"peak RSS of that process {child_peak:.0f} MB")  # fmt: skip
        print("   " + (done.stderr.strip().splitlines() or ["(no output)"])[-1])

        started = time.perf_counter()
        result = read_file(path, format="acled", dataset="bench", max_bytes=1 << 40)
        imported = time.perf_counter() - started
        problems = len(result.report.problems)
        print(f"read_file (read + map + validate): {imported:.2f} s, {result.report.rows_kept:,} rows kept, "
              f"{problems} problems")  # fmt: skip
        print(f"peak RSS after read_file: {peak_rss_mb():.0f} MB")

        started = time.perf_counter()
        added = store.write_dataset(result.frame, "bench", "acled", catalog_path=Path(folder) / "catalog.json").added
        written = time.perf_counter() - started
        print(f"store.write_dataset: {written:.2f} s ({added:,} rows)")
        print(f"peak RSS after write_dataset: {peak_rss_mb():.0f} MB")

        del result
        started = time.perf_counter()
        naive = pd.read_csv(path)
        baseline = time.perf_counter() - started
        print(f"naive baseline pd.read_csv (no checks, no mapping): {baseline:.2f} s, {len(naive):,} rows")
        print(f"read_file / naive read_csv: {imported / baseline:.2f}x")
        print(f"peak RSS overall: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
