"""Synthetic canonical datasets for benchmarks and the large-data browser test. SYNTHETIC: never data.

Every row says it is synthetic (``source`` and ``notes``) and the dataset name starts with
``synthetic-``. The skew is realistic enough to stress the views: events pile up on a few
hundred places out of a few thousand (Zipf), a few actors do most of the acting, a handful
of types dominate, dates come in bursts, and 40 % of fatalities are unknown.

    python -m benchmarks.generate --rows 1000000 [--store PATH]   # writes dataset synthetic-1000000
    python -m benchmarks.generate --rows 100000 --csv synthetic-100000.csv   # a file to import instead
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from lib import geocheck, schema, store

TYPES = [
    ("Explosions/Remote violence", "Air/drone strike", 0.22),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", 0.25),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", 0.10),
    ("Battles", "Armed clash", 0.28),
    ("Violence against civilians", "Attack", 0.10),
    ("Riots", "Violent demonstration", 0.03),
    ("Explosions/Remote violence", "Suicide bomb", 0.02),
]
COUNTRIES = [
    ("Iraq", 33.2, 43.7),
    ("Syria", 35.0, 38.5),
    ("Jordan", 31.2, 36.5),
    ("Lebanon", 33.9, 35.9),
    ("Yemen", 15.5, 47.5),
    ("Iran", 32.4, 53.7),
    ("Turkey", 39.0, 35.2),
    ("Saudi Arabia", 24.0, 45.0),
]


def zipf_weights(n: int, a: float = 1.1) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** a
    return weights / weights.sum()


VERBS = ("attacked", "shelled", "struck", "clashed with", "fired rockets at", "raided", "ambushed", "bombed")
REPORTED = ("Local sources report", "Media report", "A monitoring group reports", "Residents report")
OUTCOMES = ("no casualties", "an unknown number of casualties", "several injured", "damage to a checkpoint")


def synthetic_notes(rng: np.random.Generator, dates, attackers, targets, place: np.ndarray) -> list[str]:
    """A different sentence for each event, as real notes are (~200 characters): a search tests
    every one, not one sentence per dictionary as a constant text would let it."""
    index = pd.DatetimeIndex(dates)
    days = index.day.astype(str) + index.strftime(" %B %Y")  # not "%-d": glibc's alone
    verbs = rng.integers(0, len(VERBS), len(place))
    said = rng.integers(0, len(REPORTED), len(place))
    outcome = rng.integers(0, len(OUTCOMES), len(place))
    return [
        f"SYNTHETIC event {i} for benchmarks; not a real event. On {d}, {a} {VERBS[v]} {t} near Place {p:05d}. "
        f"{REPORTED[r]} {OUTCOMES[o]}."
        for i, (d, a, v, t, p, r, o) in enumerate(
            zip(days, attackers, verbs, targets, place, said, outcome, strict=True)
        )
    ]


def generate(rows: int, seed: int = 7, dataset: str | None = None) -> pd.DataFrame:
    """A canonical frame of ``rows`` synthetic events (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    dataset = dataset or f"synthetic-{rows}"
    n_places = max(50, min(20_000, rows // 20))
    place_country = rng.choice(len(COUNTRIES), n_places, p=zipf_weights(len(COUNTRIES), 0.8))
    centres = np.array([(lat, lon) for _, lat, lon in COUNTRIES])
    place_lat = np.round(centres[place_country, 0] + rng.normal(0, 2.0, n_places), 4)
    place_lon = np.round(centres[place_country, 1] + rng.normal(0, 2.5, n_places), 4)
    # a place drawn outside its country (Lebanon is small) is drawn again, so that imports of these
    # files are not told that their points lie in another country (lib/geocheck)
    names = pd.Series([COUNTRIES[c][0] for c in place_country])
    for _ in range(100):
        far, _swapped = geocheck.outside(place_lat, place_lon, names)
        if not far.any():
            break
        redo = np.flatnonzero(far)
        place_lat[redo] = np.round(centres[place_country[redo], 0] + rng.normal(0, 1.0, len(redo)), 4)
        place_lon[redo] = np.round(centres[place_country[redo], 1] + rng.normal(0, 1.0, len(redo)), 4)
    place = rng.choice(n_places, rows, p=zipf_weights(n_places))

    n_actors = max(20, min(3_000, rows // 100))
    actor_names = np.array([f"Synthetic Group {i:04d}" for i in range(n_actors)], dtype=object)
    actor_weights = zipf_weights(n_actors, 1.3)
    actor1 = rng.choice(n_actors, rows, p=actor_weights)
    actor2 = rng.choice(n_actors, rows, p=actor_weights)

    # bursty dates over ten years: a random-walk intensity per week
    weeks = 52 * 10
    intensity = np.exp(np.cumsum(rng.normal(0, 0.15, weeks)))
    week = rng.choice(weeks, rows, p=intensity / intensity.sum())
    dates = pd.Timestamp("2015-01-01") + pd.to_timedelta(week * 7 + rng.integers(0, 7, rows), unit="D")

    type_index = rng.choice(len(TYPES), rows, p=np.array([t[2] for t in TYPES]) / sum(t[2] for t in TYPES))
    deaths = rng.geometric(0.35, rows) - 1
    fatalities = pd.array(np.where(rng.random(rows) < 0.4, -1, deaths), dtype="Int32")
    fatalities[fatalities == -1] = pd.NA
    injuries = pd.array(np.where(rng.random(rows) < 0.8, -1, rng.geometric(0.2, rows)), dtype="Int32")
    injuries[injuries == -1] = pd.NA

    # the notes draw from their own generator, so every other column is as before they differed
    notes = synthetic_notes(np.random.default_rng(seed + 1), dates, actor_names[actor1], actor_names[actor2], place)
    frame = pd.DataFrame(
        {
            "event_id": pd.array([f"synthetic:{i}" for i in range(rows)], dtype="string"),
            "event_date": dates.values.astype("datetime64[s]"),
            "date_precision": rng.choice([1, 2, 3], rows, p=[0.8, 0.15, 0.05]).astype("int8"),
            "event_type": pd.array([TYPES[i][0] for i in type_index], dtype="string"),
            "sub_event_type": pd.array([TYPES[i][1] for i in type_index], dtype="string"),
            "actor1": pd.array(actor_names[actor1], dtype="string"),
            "assoc_actor_1": pd.array([None] * rows, dtype="string"),
            "actor2": pd.array(actor_names[actor2], dtype="string"),
            "assoc_actor_2": pd.array([None] * rows, dtype="string"),
            "country": pd.array([COUNTRIES[c][0] for c in place_country[place]], dtype="string"),
            "admin1": pd.array([None] * rows, dtype="string"),
            "admin2": pd.array([None] * rows, dtype="string"),
            "location": pd.array([f"Place {p:05d}" for p in place], dtype="string"),
            "latitude": place_lat[place],
            "longitude": place_lon[place],
            "geo_precision": rng.choice([1, 2, 3], rows, p=[0.7, 0.2, 0.1]).astype("int8"),
            "fatalities": fatalities,
            "injuries": injuries,
            "source": pd.array(["SYNTHETIC (benchmarks/generate.py)"] * rows, dtype="string"),
            "source_url": pd.array([None] * rows, dtype="string"),
            "notes": pd.array(notes, dtype="string"),
            "response_to": pd.array([None] * rows, dtype="string"),
            "dataset": pd.array([dataset] * rows, dtype="string"),
        }
    )
    return frame[schema.CANONICAL_COLUMNS]


def ensure_dataset(rows: int, catalog: Path) -> tuple[str, float | None]:
    """Create ``synthetic-<rows>`` in the store at ``catalog`` if missing; return (name, build seconds or None)."""
    name = f"synthetic-{rows}"
    if name in store.Catalog(catalog).read()["datasets"]:
        return name, None
    started = time.perf_counter()
    store.write_dataset(generate(rows), name, "csv", catalog_path=catalog, replace=True)
    return name, time.perf_counter() - started


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as a CSV in the canonical columns (unknown numbers empty), as `lib import` reads it."""
    frame.to_csv(path, columns=schema.CANONICAL_COLUMNS, index=False, date_format="%Y-%m-%d")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--store", type=Path, default=Path("benchmarks/data/catalog.json"))
    parser.add_argument(
        "--csv", type=Path, help="write a canonical CSV file there instead of a store (to try an import: the CLI's "
        "`python -m lib import` or the Data page)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.csv:
        started = time.perf_counter()
        write_csv(generate(args.rows, dataset=f"synthetic-{args.rows}"), args.csv)
        print(f"{args.csv}: {args.rows:,} synthetic events written in {time.perf_counter() - started:.1f} s")
        return
    name, seconds = ensure_dataset(args.rows, args.store.resolve())
    print(f"{name}: " + ("already in the store" if seconds is None else f"generated and stored in {seconds:.1f} s"))


if __name__ == "__main__":
    main()
