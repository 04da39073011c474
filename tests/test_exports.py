"""Exports: CSV with neutralised formulas and empty unknowns; GeoJSON points with null unknowns."""

import csv
import io
import json
import re

import pytest

from lib import exports, queries
from lib.filters import FilterState


@pytest.mark.parametrize(
    ("value", "expected"),
    [('=HYPERLINK("x")', '\'=HYPERLINK("x")'), ("+1", "'+1"), ("-2", "'-2"), ("@SUM", "'@SUM"), ("Erbil", "Erbil")],
)
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


def test_csv_export(fixture_store, registry):
    out = exports.to_file(queries.iter_batches(fixture_store, FilterState(dataset="fixture"), registry), "csv")
    rows = list(csv.DictReader(io.TextIOWrapper(out, encoding="utf-8")))
    assert len(rows) == 5
    erbil = next(r for r in rows if r["event_id"] == "t:3")
    assert (erbil["event_date"], erbil["fatalities"], erbil["injuries"]) == ("2021-02-15", "1", "6")
    strike = next(r for r in rows if r["event_id"] == "t:4")
    assert strike["fatalities"] == ""  # unknown stays empty
    embassy = next(r for r in rows if r["event_id"] == "t:5")
    assert embassy["fatalities"] == "0"


def test_geojson_export(fixture_store, registry):
    out = exports.to_file(
        queries.iter_batches(fixture_store, FilterState(dataset="fixture", country=("Syria",)), registry), "geojson"
    )
    data = json.load(out)
    assert data["type"] == "FeatureCollection"
    assert "sitrep" not in data  # no provenance given, none written
    (feature,) = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [40.92, 34.45]}
    assert feature["properties"]["fatalities"] is None
    assert feature["properties"]["event_date"] == "2021-02-25"


def test_a_downloads_name_says_its_dataset_and_filters():
    import datetime as dt

    state = FilterState(country=("Syria",), date_from=dt.date(2023, 1, 1), q="Al Omar / base", event="x:1")
    assert exports.file_stem(state, "us-iran-2019-2024") == (
        "sitrep-us-iran-2019-2024_from-2023-01-01_country-Syria_q-Al-Omar-base"
    )
    assert exports.file_stem(FilterState(), "d") == "sitrep-d"
    assert len(exports.file_stem(FilterState(q="x" * 300), "d")) <= 100
    # too long: cut at a word's end and tagged with a hash of the whole, so two long views differ
    many = ("Syria", "Iraq", "Jordan", "Kuwait", "Lebanon", "Israel", "Turkey", "Iran")
    long_one = exports.file_stem(FilterState(country=many, q="Abu Kamal"), "us-iran-2019-2024")
    other = exports.file_stem(FilterState(country=many, q="Abu Kamal strikes"), "us-iran-2019-2024")
    assert len(long_one) <= 100 and long_one != other
    # whole filters kept: each "_key-value" ends before the next or the tag
    assert re.fullmatch(r"sitrep-us-iran-2019-2024(_country-[A-Z][a-z]+)+_[0-9a-f]{8}", long_one), long_one


def test_a_geojson_export_carries_its_provenance(fixture_store, registry):
    about = exports.provenance("fixture", "CC BY 4.0", "country=Syria", "Strikes … in Syria: 1 event", "http://h/?c=1")
    state = FilterState(dataset="fixture", country=("Syria",))
    data = json.load(exports.to_file(queries.iter_batches(fixture_store, state, registry), "geojson", about))
    assert data["sitrep"] == about and len(data["features"]) == 1
    assert set(about) == {"dataset", "licence", "filters", "view", "link", "exported", "unknown values"}
