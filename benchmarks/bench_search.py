"""A search typed on the whole dataset, then the dates moved with it kept: the Map page's server
cost, with the search's events found in the index of words and kept in a table
(``queries.search_matches``), beside two ways before it in the same process: found by reading
the text and kept, and the text tested again by every query.

For each size and text: "typed" is the first rerun (the text is new), "moves" the median of
five date windows narrowing from ~5 years to 30 days with the same text. The two ways
alternate, each starting with no kept table.

    python -m benchmarks.bench_search --sizes 100000 1000000 5000000 [--store benchmarks/data/catalog.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

import psutil

from benchmarks.bench_views import sitrep_map_page, synthetic_registry
from benchmarks.generate import ensure_dataset
from lib import queries, store
from lib.filters import FilterState

# a place's name as written, part of 10 synthetic groups' names, and an alias of 2–3 letters
TEXTS = ("Place 012", "Group 004", "KH")
WINDOWS = (2000, 1000, 365, 90, 30)  # days back from the data's last day


def tested_every_time(events: store.Store, state: FilterState, registry) -> tuple[str, str, list]:
    """The baseline: the text tested on every event the other filters let through, per query."""
    return events.relation(queries.dataset_of(events, state)), *queries.where(state, registry)


def no_index(*args) -> None:
    """The way before the index of words: the search's events found by reading the text."""
    return None


def run(size: int, catalog: Path) -> None:
    name, _ = ensure_dataset(size, catalog)
    events = store.Store(catalog)
    registry = synthetic_registry()
    facet = queries.facets(events, name, registry)
    sitrep_map_page(events, registry, FilterState(dataset=name))  # warm-up (first query opens the file)
    print(f"\n## {size:,} events ({name})")
    kept, indexed = queries._source, queries.indexed_search
    if not events.info(name).words:
        print("(this dataset has no index of words: import it again, or generate it anew, to time the index)")
    for text in TEXTS:
        states = [FilterState(dataset=name, q=text)] + [
            FilterState(dataset=name, q=text, date_from=facet.max_date - dt.timedelta(days=d)) for d in WINDOWS
        ]
        ways = (
            ("tested by every query", tested_every_time, no_index),
            ("kept, the text read", kept, no_index),
            ("kept, index of words", kept, indexed),
        )
        for label, where, index in ways:
            queries._source, queries.indexed_search = where, index
            events.drop_derived_tables()  # each way starts with no kept table
            seconds = []
            for state in states:
                events.forget_query_results()
                started = time.perf_counter()
                sitrep_map_page(events, registry, state)
                seconds.append(time.perf_counter() - started)
            queries._source, queries.indexed_search = kept, indexed
            moves = ", ".join(f"{s * 1000:.0f}" for s in seconds[1:])
            print(
                f"{text!r:12} {label:22} typed {seconds[0] * 1000:6.0f} ms, "
                f"then moves median {statistics.median(seconds[1:]) * 1000:5.0f} ms ({moves})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--store", type=Path, default=Path("benchmarks/data/catalog.json"))
    args = parser.parse_args()
    print(f"# bench_search — {dt.datetime.now():%Y-%m-%d %H:%M}, {psutil.cpu_count()} cores; SYNTHETIC data")
    for size in args.sizes:
        run(size, args.store.resolve())


if __name__ == "__main__":
    main()
