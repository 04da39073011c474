"""Server-side cost of the Map page per filter change, beside a naive baseline in the same process.

For each size it makes (or reuses) the synthetic dataset in a benchmark store, then replays
the same sequence of filter changes through (a) Sitrep's path — the page sentence's totals,
the map's count and points-or-cells query, the figure, and its JSON as Streamlit sends it —
and (b) the naive dashboard: the whole dataset in a pandas frame, a boolean filter and
``px.scatter_map`` with hover data over every filtered row. It prints medians and p95s of
latency, the bytes of the figure JSON, and the memory of this process.

    python -m benchmarks.bench_views --sizes 10000 100000 1000000 5000000 [--changes 40] [--naive-runs 3] [--who]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.io as pio
import psutil
import pyarrow.parquet as pq

from benchmarks.generate import ensure_dataset
from lib import config, queries, store, views
from lib.actors import Actor, Registry
from lib.filters import FilterState

NAIVE_HOVER = ["event_date", "actor1", "actor2", "fatalities", "injuries", "location"]


def filter_changes(
    name: str, facet: queries.Facets, count: int, seed: int = 11, who: bool = False
) -> list[FilterState]:
    """A reproducible sequence of views a user might step through: date windows, a country, a type;
    with ``who``, also an actor, an affiliation (of 100 actors) and a search text in every 8."""
    rng = np.random.default_rng(seed)
    span = (facet.max_date - facet.min_date).days
    states = [FilterState(dataset=name)]
    for i in range(count - 1):
        width = int(rng.choice([30, 90, 365, 3 * 365, span]))
        start = facet.min_date + dt.timedelta(days=int(rng.integers(0, max(1, span - width))))
        state = FilterState(
            dataset=name, date_from=start, date_to=min(facet.max_date, start + dt.timedelta(days=width))
        )
        kind = i % 8 if who else i % 4
        if kind == 1:
            state = state.with_(country=(facet.countries[int(rng.integers(0, len(facet.countries)))],))
        if kind == 2:
            state = state.with_(type=("Air/drone strike",))
        if kind == 5:
            state = state.with_(actor=(f"Synthetic Group {int(rng.integers(0, 200)):04d}",))
        if kind == 6:
            state = state.with_(affiliation=("Synthetic side A",))
        if kind == 7:  # a place's name as written, and part of an actor's
            state = state.with_(q=f"Place 0{int(rng.integers(0, 100)):02d}" if i % 16 < 8 else "Group 004")
        states.append(state)
    return states


def synthetic_registry() -> Registry:
    """The shipped actor list, and the first 200 synthetic groups in two affiliations of 100."""
    shipped = Registry.from_csv()
    sides = [Actor(f"Synthetic Group {i:04d}", [f"Synthetic side {'AB'[i % 2]}"], []) for i in range(200)]
    return Registry([*shipped.actors.values(), *sides])


def kind_of(state: FilterState) -> str:
    if state.q:
        return "search"
    if state.affiliation:
        return "affiliation"
    if state.actor:
        return "actor"
    return "dates, country, type"


def sitrep_map_page(events: store.Store, registry: Registry, state: FilterState) -> int:
    """What a rerun of the Map page computes on the server; returns the bytes sent for the figure."""
    events.refresh()
    queries.totals(events, state, registry)
    result = views.map_view(events, registry, state, config.get("SITREP_MAX_POINTS"), config.get("SITREP_MAX_CELLS"))
    return len(pio.to_json(result.figure, validate=False))


def naive_map_page(frame: pd.DataFrame, state: FilterState) -> int:
    mask = pd.Series(True, index=frame.index)
    if state.date_from:
        mask &= frame["event_date"] >= pd.Timestamp(state.date_from)
    if state.date_to:
        mask &= frame["event_date"] <= pd.Timestamp(state.date_to)
    if state.country:
        mask &= frame["country"].isin(state.country)
    if state.type:
        mask &= frame["sub_event_type"].isin(state.type) | frame["event_type"].isin(state.type)
    view = frame[mask]
    fig = px.scatter_map(view, lat="latitude", lon="longitude", color="sub_event_type", hover_data=NAIVE_HOVER)
    return len(pio.to_json(fig, validate=False))


def timed(fn, *args) -> tuple[float, int]:
    started = time.perf_counter()
    size = fn(*args)
    return time.perf_counter() - started, size


def summary(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"median {statistics.median(ms):8.1f} ms  p95 {p95:8.1f} ms"


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def run(size: int, catalog: Path, changes: int, naive_runs: int, who: bool = False) -> None:
    name, build = ensure_dataset(size, catalog)
    events = store.Store(catalog)
    registry = synthetic_registry() if who else Registry.from_csv()
    facet = queries.facets(events, name, registry)
    states = filter_changes(name, facet, changes, who=who)
    print(f"\n## {size:,} events ({name})")
    print(f"store build (generate + write Parquet): {'reused' if build is None else f'{build:.1f} s'}")
    sitrep_map_page(events, registry, states[0])  # warm-up (first query opens the file)
    latencies, sizes = [], []
    for state in states:
        events.forget_query_results()  # each change uncached (a state may come again in the sequence)
        seconds, sent = timed(sitrep_map_page, events, registry, state)
        latencies.append(seconds)
        sizes.append(sent)
    default_bytes = sizes[0]
    print(f"Sitrep  map page ({len(states)} filter changes): {summary(latencies)}")
    if who:  # each kind of change on its own
        for kind in sorted({kind_of(state) for state in states}):
            mine = [t for t, state in zip(latencies, states, strict=True) if kind_of(state) == kind]
            print(f"Sitrep    {kind + ':':22} {len(mine):3d} changes, {summary(mine)}")
    print(f"Sitrep  bytes: default view {default_bytes / 1e3:8.1f} KB, largest {max(sizes) / 1e3:8.1f} KB")
    print(f"Sitrep  process RSS after the changes: {rss_mb():.0f} MB")
    if naive_runs <= 0:
        print("naive   not run (--naive-runs 0)")
        return
    started = time.perf_counter()
    path = catalog.parent / store.Catalog(catalog).read()["datasets"][name]["file"]
    # the file as it was before it held the search text (Sitrep's own, as the naive app has no search)
    frame = pd.read_parquet(path, columns=[c for c in pq.read_schema(path).names if c != "search"])
    load = time.perf_counter() - started
    naive_latencies, naive_sizes = [], []
    for state in states[:naive_runs]:
        seconds, sent = timed(naive_map_page, frame, state)
        naive_latencies.append(seconds)
        naive_sizes.append(sent)
    ours = statistics.median(latencies[:naive_runs])
    theirs = statistics.median(naive_latencies)
    print(f"naive   load whole dataset into pandas: {load:.1f} s, RSS now {rss_mb():.0f} MB")
    print(f"naive   map page ({naive_runs} of the same changes): {summary(naive_latencies)}")
    print(f"naive   bytes: default view {naive_sizes[0] / 1e3:8.1f} KB, largest {max(naive_sizes) / 1e3:8.1f} KB")
    print(
        f"ratio   default view (the whole dataset): latency {naive_latencies[0] / latencies[0]:8.1f}× "
        f"({naive_latencies[0] * 1000:.0f} ms vs {latencies[0] * 1000:.0f} ms), bytes {naive_sizes[0] / sizes[0]:8.1f}×"
    )
    print(
        f"ratio   median over the first {naive_runs} changes: latency {theirs / ours:6.1f}×, "
        f"bytes {statistics.median(naive_sizes) / statistics.median(sizes[:naive_runs]):6.1f}×"
    )
    del frame
    gc.collect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--store", type=Path, default=Path("benchmarks/data/catalog.json"))
    parser.add_argument("--changes", type=int, default=40, help="filter changes replayed per size")
    parser.add_argument("--naive-runs", type=int, default=3, help="changes replayed through the naive baseline")
    parser.add_argument(
        "--who", action="store_true", help="mix in actor, affiliation and search changes (the naive app has none)"
    )
    args = parser.parse_args()
    print(f"# bench_views — {dt.datetime.now():%Y-%m-%d %H:%M}, {psutil.cpu_count()} cores; SYNTHETIC data")
    for size in args.sizes:
        run(size, args.store.resolve(), args.changes, args.naive_runs, args.who)


if __name__ == "__main__":
    main()
