"""Exports: CSV with neutralised formulas and empty unknowns; GeoJSON points with null unknowns."""

import csv
import io
import json
import re

import pyarrow as pa
import pytest

from lib import exports, queries, schema
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


@pytest.mark.parametrize(
    ("source_format", "said", "not_said"),
    [
        ("csv", "never zero", "ACLED"),
        ("acled", "fatalities 0 means none reported", "never zero"),
        ("ucdp", "best estimate", "never zero"),
        ("gdelt", "GDELT counts none", "never zero"),
    ],
)
def test_what_unknown_values_mean_follows_the_source_format(source_format, said, not_said):
    about = exports.provenance("d", "terms", "", source_format=source_format)
    assert said in about["unknown values"] and not_said not in about["unknown values"]


TRICKY = [
    'He said "no", then left',
    "two\nlines",
    "carriage\rreturn",
    "=SUM(A1:A2)",
    "\tindented",
    "-5 wounded",
    "Kata'ib Hezbollah – Iraq, Syria",
    "",
    None,
    "ends with a comma,",
]


def _tricky_batches(fixture_store, registry) -> list[pa.Table]:
    (table,) = queries.iter_batches(fixture_store, FilterState(dataset="fixture"), registry)
    table = pa.concat_tables([table, table])  # 10 rows, one per tricky text
    notes = table.schema.get_field_index("notes")
    table = table.set_column(notes, "notes", pa.array(TRICKY, pa.string()))
    return [table.slice(0, 0), table.slice(0, 4), table.slice(4, 0), table.slice(4)]  # empty batches among them


def test_the_csv_is_what_pythons_csv_module_writes_of_the_guarded_cells(fixture_store, registry):
    batches = _tricky_batches(fixture_store, registry)
    out = io.BytesIO()
    assert exports.write_csv(batches, out) == 10
    cells = []
    for table in batches:
        for row in table.to_pylist():
            line = []
            for name in schema.CANONICAL_COLUMNS:
                value = row[name]
                if value is None:
                    value = ""
                elif name == "event_date":
                    value = value.date().isoformat()
                elif isinstance(value, str):
                    value = exports.neutralise(value)
                line.append(value)
            cells.append(line)
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(schema.CANONICAL_COLUMNS)
    writer.writerows(cells)
    # as Python's csv writes it, but a lone carriage return is quoted (Python's csv left it bare
    # with "\n" line ends, and CSV readers then took it for a line's end)
    text = out.getvalue().decode("utf-8")
    assert text == expected.getvalue().replace("carriage\rreturn", '"carriage\rreturn"')
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [schema.CANONICAL_COLUMNS] + [[str(v) for v in line] for line in cells]
    notes = [row[schema.CANONICAL_COLUMNS.index("notes")] for row in rows[1:]]
    assert notes[1:5] == ["two\nlines", "carriage\rreturn", "'=SUM(A1:A2)", "'\tindented"]
    assert notes[7:9] == ["", ""]  # an empty text and an unknown both empty


def test_the_geojson_keeps_text_as_stored_and_unknowns_null(fixture_store, registry):
    out = io.BytesIO()
    assert exports.write_geojson(_tricky_batches(fixture_store, registry), out) == 10
    features = json.loads(out.getvalue())["features"]
    assert [f["properties"]["notes"] for f in features] == TRICKY  # no formula guard in JSON
    assert all(len(f["geometry"]["coordinates"]) == 2 for f in features)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", f["properties"]["event_date"]) for f in features)


def test_an_export_of_no_rows_is_a_header_or_an_empty_collection():
    out = io.BytesIO()
    assert exports.write_csv([], out) == 0
    assert out.getvalue().decode() == ",".join(schema.CANONICAL_COLUMNS) + "\n"
    out = io.BytesIO()
    assert exports.write_geojson([], out) == 0
    assert json.loads(out.getvalue()) == {"type": "FeatureCollection", "features": []}


def test_a_geojson_s_view_is_counted_on_the_rows_it_holds_at_download_time(catalog, registry):
    """The Events page counted its sentence when drawn; an import before the click put more rows
    in the file than its "view" said (57,467 features, "47,087 events")."""
    from lib import store
    from tests.conftest import make_frame

    frame = make_frame("grows")
    store.write_dataset(frame.head(3), "grows", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    state = FilterState(dataset="grows")
    assert exports.provenance_now(events, state, registry)["view"].endswith(": 3 events")
    store.write_dataset(frame, "grows", "csv", catalog_path=catalog)
    events.refresh()
    about = exports.provenance_now(events, state, registry, "http://h/?dataset=grows")
    data = json.load(exports.to_file(queries.iter_batches(events, state, registry), "geojson", about))
    assert len(data["features"]) == 5 and data["sitrep"]["view"].endswith(": 5 events")
    assert data["sitrep"]["link"] == "http://h/?dataset=grows" and data["sitrep"]["filters"] == "dataset=grows"


def test_an_export_keeps_the_order_of_its_rows_however_duckdb_reads_them(fixture_store, registry):
    """DuckDB's threads may read an Arrow table's rows out of order: the CSV's lines came out of
    the table's order about one time in ten. Each batch is numbered and written in that order."""
    (table,) = queries.iter_batches(fixture_store, FilterState(dataset="fixture"), registry)
    big = pa.concat_tables([table] * 4_000)  # 20,000 rows, one batch
    ids = pa.array([f"e{i:05d}" for i in range(big.num_rows)])
    big = big.set_column(big.schema.get_field_index("event_id"), "event_id", ids)
    for kind in ("csv", "geojson"):
        for _ in range(5):
            out = exports.to_file([big.slice(0, 12_000), big.slice(12_000)], kind)
            if kind == "csv":
                got = [row["event_id"] for row in csv.DictReader(io.StringIO(out.read().decode("utf-8")))]
            else:
                got = [f["properties"]["event_id"] for f in json.load(out)["features"]]
            assert got == ids.to_pylist()
