"""The shipped dataset: ids, coordinates, dates, actors, sources, retaliation links, the seed events."""

import re

import numpy as np
import pandas as pd
import pytest

from lib import geocheck, schema
from lib.actors import Registry
from lib.store import SHIPPED_FILES, load_shipped

# Iraq, Syria and Jordan with a margin: anything outside is a swapped or mistyped coordinate.
REGION = {"lat": (29.0, 37.5), "lon": (34.8, 48.8)}
SPAN = (pd.Timestamp("2019-12-01"), pd.Timestamp("2024-12-31"))
URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return load_shipped()


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(SHIPPED_FILES[0], dtype=str, keep_default_na=False)


def test_header_is_exactly_the_canonical_columns(raw):
    assert list(raw.columns) == schema.CANONICAL_COLUMNS


def test_at_least_sixty_events_with_unique_ids(events):
    assert len(events) >= 60
    assert events["event_id"].is_unique
    assert events["event_id"].str.match(r"^sitrep:\d{4}-\d{2}-\d{2}-[a-z0-9-]+$").all()


def test_coordinates_inside_the_region_and_countries_in_scope(events):
    assert events["latitude"].between(*REGION["lat"]).all()
    assert events["longitude"].between(*REGION["lon"]).all()
    assert set(events["country"]) <= {"Iraq", "Syria", "Jordan"}


def test_every_point_lies_in_the_country_its_row_names(events):
    far, _ = geocheck.outside(events["latitude"].to_numpy(), events["longitude"].to_numpy(), events["country"])
    assert events.loc[far, "event_id"].tolist() == []


def test_dates_in_range_and_precision_codes_valid(events):
    assert events["event_date"].between(*SPAN).all()
    assert events["date_precision"].isin([1, 2, 3]).all()
    assert events["geo_precision"].isin([1, 2, 3]).all()


def test_every_actor_is_in_the_registry(events):
    registry = Registry.from_csv()
    names = set(events["actor1"]) | set(events["actor2"].dropna())
    for column in ("assoc_actor_1", "assoc_actor_2"):
        names |= {n for cell in events[column].dropna() for n in schema.split_list(cell)}
    unknown = sorted(n for n in names if registry.resolve(n) is None)
    assert unknown == []


def test_every_row_has_a_source_and_real_addresses(events):
    assert events["source"].notna().all()
    for cell in events["source_url"]:
        assert isinstance(cell, str) and cell, "every row links at least one report"
        for url in cell.split():
            assert URL.match(url), url


def test_response_to_points_to_existing_earlier_events(events):
    dates = dict(zip(events["event_id"], events["event_date"], strict=True))
    links = 0
    for event_id, date, answers in zip(events["event_id"], events["event_date"], events["response_to"], strict=True):
        for earlier in schema.split_list(answers if isinstance(answers, str) else None):
            assert earlier in dates, f"{event_id} answers unknown {earlier}"
            assert dates[earlier] <= date, f"{event_id} answers the later {earlier}"
            assert earlier != event_id
            links += 1
    assert links >= 20


def test_unknown_casualties_are_empty_not_zero(raw):
    # A 0 must be said by a source: the notes of every zero row say nobody was hurt/killed.
    for _, row in raw[(raw["fatalities"] == "0") | (raw["injuries"] == "0")].iterrows():
        assert re.search(r"no (one|casualt|injur|death|damage)|nobody|without casualt|none", row["notes"], re.I), row[
            "event_id"
        ]


SEED = {
    # the source article's five events: (id, date, country, fatalities, injuries, response_to)
    "sitrep:2019-12-31-us-embassy-baghdad-storming": ("2019-12-31", "Iraq"),
    "sitrep:2020-01-03-baghdad-airport-soleimani-strike": ("2020-01-03", "Iraq"),
    "sitrep:2020-01-08-iran-missiles-ain-al-asad": ("2020-01-08", "Iraq"),
    "sitrep:2021-02-15-erbil-airport-rockets": ("2021-02-15", "Iraq"),
    "sitrep:2021-02-25-us-strikes-abu-kamal": ("2021-02-25", "Syria"),
}


@pytest.mark.parametrize(("event_id", "expected"), SEED.items())
def test_the_seed_articles_events_are_there(events, event_id, expected):
    row = events.set_index("event_id").loc[event_id]
    assert (str(row["event_date"].date()), row["country"]) == expected
    assert "Epoch Times" in row["source"]


def test_seed_facts(events):
    by_id = events.set_index("event_id")
    erbil = by_id.loc["sitrep:2021-02-15-erbil-airport-rockets"]
    assert (erbil["fatalities"], erbil["injuries"]) == (1, 6)
    syria = by_id.loc["sitrep:2021-02-25-us-strikes-abu-kamal"]
    assert syria["response_to"] == "sitrep:2021-02-15-erbil-airport-rockets"
    assert "Kata'ib Sayyid al-Shuhada" in syria["assoc_actor_2"]
    asad = by_id.loc["sitrep:2020-01-08-iran-missiles-ain-al-asad"]
    assert asad["response_to"] == "sitrep:2020-01-03-baghdad-airport-soleimani-strike"


def test_event_ids_carry_the_events_own_date(events):
    # A row redated after checking its sources (a strike announced on the 8th in Washington hit
    # after midnight local time) takes a new id: an id naming another day misleads whoever cites it.
    slug_dates = events["event_id"].str.slice(7, 17)
    wrong = events.loc[slug_dates != events["event_date"].dt.strftime("%Y-%m-%d"), "event_id"].tolist()
    assert wrong == []


def _place_key(name: str) -> str:
    return re.sub(r"^al\s+", "", re.sub(r"[-'’\s]+", " ", name.casefold())).strip()


@pytest.mark.parametrize("column", ["admin1", "admin2"])
def test_one_spelling_per_place(events, column):
    # "Anbar" and "Al Anbar" split the same governorate in every count and filter
    spellings = events[column].dropna().drop_duplicates()
    clashes = spellings.groupby(spellings.map(_place_key)).agg(sorted)
    assert [names for names in clashes if len(names) > 1] == []


def test_one_point_per_site(events):
    # A site coded twice a few hundred metres apart (Mayadin at 35.0192, 40.4528 and 35.0196,
    # 40.4520) draws two dots where the reader should see one place hit again and again.
    points = events[["latitude", "longitude"]].drop_duplicates().to_numpy()
    lat, lon = points[:, 0][:, None], points[:, 1][:, None]
    km_north = (lat - lat.T) * 111.2
    km_east = (lon - lon.T) * 111.2 * np.cos(np.radians(lat))
    near = (np.hypot(km_north, km_east) < 0.5) & ~np.eye(len(points), dtype=bool)
    assert [tuple(points[i]) for i in np.flatnonzero(near.any(axis=1))] == []
