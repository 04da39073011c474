"""Shared fixtures: a small, hand-made event table and a store built from it in a temp folder."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lib import schema, store
from lib.actors import Actor, Registry
from tests.browser import browser  # noqa: F401 - the shared chromium fixture of the browser tests

ROWS = [
    # event_id, date, type, sub, actor1, assoc1, actor2, assoc2, country, location, lat, lon, fat, inj, response_to
    (
        "t:1",
        "2020-01-03",
        "Explosions/Remote violence",
        "Air/drone strike",
        "Military Forces of the United States",
        None,
        "IRGC",
        None,
        "Iraq",
        "Baghdad",
        33.26,
        44.23,
        10,
        None,
        None,
    ),
    (
        "t:2",
        "2020-01-08",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        "IRGC",
        None,
        "United States",
        None,
        "Iraq",
        "Al Asad",
        33.78,
        42.44,
        None,
        11,
        "t:1",
    ),
    (
        "t:3",
        "2021-02-15",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        "Saraya Awliya al-Dam",
        None,
        "US-led coalition",
        None,
        "Iraq",
        "Erbil",
        36.24,
        43.96,
        1,
        6,
        None,
    ),
    (
        "t:4",
        "2021-02-25",
        "Explosions/Remote violence",
        "Air/drone strike",
        "United States",
        None,
        "Kait'ib Hezbollah",
        "Kataib Sayyid al-Shuhada",
        "Syria",
        "Abu Kamal",
        34.45,
        40.92,
        None,
        None,
        "t:3",
    ),
    (
        "t:5",
        "2019-12-31",
        "Riots",
        "Violent demonstration",
        "KH",
        None,
        "United States",
        None,
        "Iraq",
        "US Embassy Baghdad",
        33.30,
        44.37,
        0,
        None,
        None,
    ),
]


def make_frame(dataset: str = "fixture") -> pd.DataFrame:
    """The fixture rows as a canonical frame (validated)."""
    records = []
    for r in ROWS:
        records.append(
            {
                "event_id": r[0],
                "event_date": r[1],
                "date_precision": "1",
                "event_type": r[2],
                "sub_event_type": r[3],
                "actor1": r[4],
                "assoc_actor_1": r[5],
                "actor2": r[6],
                "assoc_actor_2": r[7],
                "country": r[8],
                "admin1": None,
                "admin2": None,
                "location": r[9],
                "latitude": str(r[10]),
                "longitude": str(r[11]),
                "geo_precision": "1",
                "fatalities": None if r[12] is None else str(r[12]),
                "injuries": None if r[13] is None else str(r[13]),
                "source": "Fixture",
                "source_url": "https://example.org/report",
                "notes": f"Fixture event {r[0]}",
                "response_to": r[14],
                "dataset": dataset,
            }
        )
    report = schema.Report(file="fixture")
    frame = schema.validate_frame(pd.DataFrame(records), report)
    assert not report.problems, report.lines()
    return frame


@pytest.fixture
def registry() -> Registry:
    return Registry(
        [
            Actor("United States", ["US-led coalition"], ["Military Forces of the United States", "US forces"]),
            Actor("US-led coalition", ["US-led coalition"], ["Coalition forces"]),
            Actor("Islamic Revolutionary Guard Corps", ["Iran-aligned", "Iranian state"], ["IRGC"]),
            Actor("Kata'ib Hezbollah", ["Iran-aligned"], ["Kait'ib Hezbollah", "KH", "Kataib Hizballah"]),
            Actor("Kata'ib Sayyid al-Shuhada", ["Iran-aligned"], ["Kataib Sayyid al-Shuhada", "KSS"]),
            Actor("Saraya Awliya al-Dam", ["Iran-aligned"], []),
        ]
    )


@pytest.fixture
def catalog(tmp_path):
    return tmp_path / "store" / "catalog.json"


@pytest.fixture
def fixture_store(catalog) -> store.Store:
    """A Store whose catalog holds the fixture rows as dataset 'fixture'."""
    store.write_dataset(make_frame(), "fixture", "csv", catalog_path=catalog)
    return store.Store(catalog)


DAY = dt.date
