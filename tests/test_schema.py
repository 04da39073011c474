"""Tests for lib/schema.py: the vectorised validate_frame against a row-by-row reference.

The reference below is the original per-value loop (kept here, not in lib, as the
specification the vectorised version must match: same rows kept, same typed values, same
problems in the same order).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib import geocheck, schema
from lib.schema import COLUMNS, Problem, Report, clean_text, empty_frame, validate_frame

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _reference_parse_int(value: object) -> int | None | str:
    text = clean_text(value)
    if text is None:
        return None
    if "," in text and not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.0*)?", text):
        return "bad"  # a comma only between thousands: "1,5" was read as 15
    if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", text):
        return "bad"  # "1.000": a thousand, or one?
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return "bad"
    if not np.isfinite(number) or number != int(number):
        return "bad"
    return int(number)


def _reference_parse_date(value, i, col, flag):
    fallback = pd.Timestamp("1970-01-01")
    if isinstance(value, pd.Timestamp):
        return value.normalize()
    if hasattr(value, "year") and hasattr(value, "month"):
        return pd.Timestamp(value).normalize()
    text = clean_text(value)
    if text is None:
        flag(i, col, "is empty; give the event's date as YYYY-MM-DD", value)
        return fallback
    if len(text) >= 10 and _ISO_DATE.match(text[:10]):
        if not re.fullmatch(schema.ISO_TIME, text[10:]):
            flag(i, col, "has a date followed by something that is not a time of day (hh:mm); check it", value)
            return fallback
        text = text[:10]
    if not _ISO_DATE.match(text):
        flag(i, col, "is not an ISO date (YYYY-MM-DD)", value)
        return fallback
    try:
        ts = pd.Timestamp(text)
    except ValueError:
        flag(i, col, "is not a real calendar date", value)
        return fallback
    if ts < schema.EARLIEST_DATE or ts > pd.Timestamp.now() + pd.Timedelta(days=1):
        flag(i, col, "is outside 1900 – today; check the year", value)
    return ts


def reference_validate(raw: pd.DataFrame, report: Report, row_numbers=None) -> pd.DataFrame:
    """The original row-by-row validate_frame (before vectorisation), verbatim in behaviour."""
    n = len(raw)
    numbers = row_numbers if row_numbers is not None else list(range(1, n + 1))
    frame = raw.reindex(columns=schema.CANONICAL_COLUMNS)
    bad = np.zeros(n, dtype=bool)
    cols: dict[str, list] = {}

    def flag(i, column, message, value):
        bad[i] = True
        report.add(Problem(message, row=numbers[i], column=column, value=None if value is None else str(value)))

    for col, (kind, required) in COLUMNS.items():
        parsed: list = []
        for i, v in enumerate(frame[col].tolist()):
            if kind == "str":
                text = clean_text(v)
                if required and text is None:
                    flag(i, col, "is empty; this column is required", v)
                parsed.append(text)
            elif kind == "date":
                parsed.append(_reference_parse_date(v, i, col, flag))
            elif kind == "precision":
                p = _reference_parse_int(v)
                if p is None or p == "bad" or not 1 <= p <= 3:
                    flag(i, col, "must be 1, 2 or 3 (see data/CODEBOOK.md)", v)
                    p = 3
                parsed.append(p)
            elif kind == "float":
                text = clean_text(v)
                try:
                    x = float(text) if text is not None else None
                except ValueError:
                    x = None
                if x is None or not np.isfinite(x):
                    flag(i, col, "must be a number in decimal degrees (WGS84)", v)
                    x = 0.0
                elif col == "latitude" and not -90 <= x <= 90:
                    try:  # swapped only if, read the other way round, both are in range
                        other = float(clean_text(frame["longitude"].iloc[i]) or "nan")
                    except ValueError:
                        other = float("nan")
                    fits = abs(x) <= 180 and np.isfinite(other) and abs(other) <= 90
                    flag(i, col, "is outside -90..90" + ("; are latitude and longitude swapped?" if fits else ""), v)
                elif col == "longitude" and not -180 <= x <= 180:
                    flag(i, col, "is outside -180..180", v)
                parsed.append(x)
            else:
                p = _reference_parse_int(v)
                if p == "bad" or (isinstance(p, int) and p < 0):
                    flag(
                        i,
                        col,
                        "must be a whole number ≥ 0 (1200 or 1,200; not 1,5 or 1.000, which read two ways), "
                        "or empty when unknown",
                        v,
                    )
                    p = None
                parsed.append(p)
        cols[col] = parsed
    for i in range(n):
        if cols["latitude"][i] == 0.0 and cols["longitude"][i] == 0.0 and not bad[i]:
            flag(i, "latitude", "coordinates are 0, 0 — a placeholder, not a place; give the real location", "0, 0")
    far = 0
    for i in range(n):  # a point far outside its country: a warning, the row kept
        name = None if bad[i] else geocheck.known(cols["country"][i])
        if name is None:
            continue
        box = geocheck.boxes(name)
        y, x = cols["latitude"][i], cols["longitude"][i]

        def inside(a, b, box=box):
            return any(s <= a <= north and w <= b <= e for w, s, e, north in box)

        if not inside(y, x):
            far += 1
            if far <= schema.GEO_WARNINGS_SHOWN:
                report.add(schema.outside_country_warning(cols["country"][i], y, x, inside(x, y), numbers[i]))
    if far > schema.GEO_WARNINGS_SHOWN:
        raise AssertionError("the reference checks a few rows only")
    kept_countries = pd.Series([cols["country"][i] for i in range(n) if not bad[i]], dtype=object)
    kept_numbers = np.asarray([numbers[i] for i in range(n) if not bad[i]])
    for note, row in geocheck.spelling_notes(kept_countries, kept_numbers):  # names not known, spelt two ways
        report.add(schema.Problem(note, row=row, column="country", fatal=False))
    seen: dict[str, int] = {}
    for i, event_id in enumerate(cols["event_id"]):
        if event_id is None:
            continue
        if event_id in seen:
            flag(i, "event_id", f"duplicate id; already used on row {seen[event_id]}", event_id)
        else:
            seen[event_id] = numbers[i]
    typed = pd.DataFrame(cols)[~bad].reset_index(drop=True)
    typed = schema._to_dtypes(typed) if len(typed) else empty_frame()
    report.rows_kept = len(typed)
    return typed


def good_row(**overrides) -> dict:
    row = {
        "event_id": "x:1",
        "event_date": "2021-02-25",
        "date_precision": "1",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "A",
        "assoc_actor_1": "",
        "actor2": "B",
        "assoc_actor_2": None,
        "country": "Iraq",
        "admin1": "Baghdad",
        "admin2": "",
        "location": "Baghdad",
        "latitude": "33.3",
        "longitude": "44.4",
        "geo_precision": "2",
        "fatalities": "3",
        "injuries": "",
        "source": "Reuters",
        "source_url": "",
        "notes": "  text\r\nmore  ",
        "response_to": "",
        "dataset": "t",
    }
    row.update(overrides)
    return row


# Each case: (column, value) put into one row among good rows.
CASES = [
    ("event_id", ""),
    ("event_id", "   "),
    ("event_id", None),
    ("event_date", ""),
    ("event_date", "2021-02-30"),
    ("event_date", "25/02/2021"),
    ("event_date", "1850-01-01"),
    ("event_date", "2999-01-01"),
    ("event_date", "2021-02-25 00:00:00.000"),
    ("event_date", "2021-02-25T10:00"),
    ("event_date", "2021-02-25T25:99"),  # not a time: a typo to show, not to drop silently
    ("event_date", "2021-02-25 10:00:00.5+03:00"),
    ("event_date", "2021-02-25x"),
    ("event_date", dt.date(2021, 2, 25)),
    ("event_date", pd.Timestamp("2021-02-25 13:45")),
    ("event_date", dt.datetime(1850, 1, 1)),
    ("event_date", "0000-01-01"),
    ("date_precision", "0"),
    ("date_precision", "4"),
    ("date_precision", "2.0"),
    ("date_precision", "2.5"),
    ("date_precision", ""),
    ("date_precision", "x"),
    ("date_precision", 2),
    ("date_precision", 2.0),
    ("event_type", ""),
    ("actor1", "\t"),
    ("country", None),
    ("latitude", "abc"),
    ("latitude", "91"),
    ("latitude", "-90"),
    ("latitude", "nan"),
    ("latitude", "inf"),
    ("latitude", ""),
    ("latitude", 33.25),
    ("longitude", "181"),
    ("longitude", "-180"),
    ("longitude", "1,5"),
    ("longitude", "-44.4"),  # a lost minus sign: far outside Iraq, a warning
    ("country", "Syria"),  # Baghdad's point is not in Syria
    ("country", "Atlantis"),  # a country not known is not checked
    ("geo_precision", "3"),
    ("geo_precision", None),
    ("fatalities", "-1"),
    ("fatalities", "1,200"),
    ("fatalities", "1,234,567"),
    ("fatalities", "1,5"),  # was read as 15
    ("fatalities", "2,50"),
    ("fatalities", "12,3456"),  # was read as 123456
    ("fatalities", "1.000"),  # was read as 1
    ("fatalities", "1.0"),
    ("injuries", "1,200.0"),
    ("fatalities", "1.5"),
    ("fatalities", "many"),
    ("fatalities", ""),
    ("fatalities", 7),
    ("fatalities", float("nan")),
    ("injuries", "0"),
    ("dataset", ""),
    ("notes", '=HYPERLINK("http://x")'),
    ("notes", "<b>bold</b>"),
]


def _frames_for(column, value):
    rows = [good_row(event_id=f"x:{i}") for i in range(4)]
    rows[2][column] = value
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("column", "value"), CASES)
def test_vectorised_matches_reference(column, value):
    raw = _frames_for(column, value)
    expected_report, got_report = Report("f"), Report("f")
    expected = reference_validate(raw.copy(), expected_report, [10, 11, 12, 13])
    got = validate_frame(raw.copy(), got_report, [10, 11, 12, 13])
    assert [vars(p) for p in got_report.problems] == [vars(p) for p in expected_report.problems]
    assert got_report.rows_kept == expected_report.rows_kept
    pd.testing.assert_frame_equal(got, expected)


def test_problem_order_and_row_numbers_match_reference_on_a_messy_frame():
    rows = [good_row(event_id=f"x:{i}") for i in range(8)]
    rows[1].update(latitude="0", longitude="0")
    rows[2].update(event_id="x:0", fatalities="-3")
    rows[3].update(latitude="200", event_date="2021-13-01")
    rows[4].update(event_id="x:0")
    rows[5].update(longitude="x", latitude="95")
    rows[6].update(latitude="0", longitude="0", event_id="x:1")
    raw = pd.DataFrame(rows)
    a, b = Report("f"), Report("f")
    expected = reference_validate(raw, a)
    got = validate_frame(raw, b)
    assert [str(p) for p in b.problems] == [str(p) for p in a.problems]
    pd.testing.assert_frame_equal(got, expected)
    assert b.rejected_rows == [2, 3, 4, 5, 6, 7]
    assert "row 3 (spreadsheet row 4), column 'event_id': duplicate id; already used on row 1 (value 'x:0')" in [
        str(p) for p in b.problems
    ]


def test_missing_required_columns_is_one_file_problem():
    report = Report("f")
    out = validate_frame(pd.DataFrame({"event_id": ["a"]}), report)
    assert out.empty and list(out.columns) == schema.CANONICAL_COLUMNS
    assert len(report.file_errors) == 1 and "event_date" in report.file_errors[0].message


def test_typed_values_and_dtypes():
    report = Report("f")
    out = validate_frame(pd.DataFrame([good_row()]), report)
    row = out.iloc[0]
    assert row["event_date"] == pd.Timestamp("2021-02-25")
    assert str(out["event_date"].dtype) == "datetime64[s]"
    assert row["date_precision"] == 1 and out["date_precision"].dtype == "int8"
    assert row["latitude"] == 33.3 and row["longitude"] == 44.4
    assert row["fatalities"] == 3 and str(out["fatalities"].dtype) == "Int32"
    assert pd.isna(row["injuries"]) and pd.isna(row["admin2"])
    assert row["notes"] == "text\nmore"
    assert report.rows_kept == 1 and report.problems == []


def test_datetime64_column_is_accepted_directly():
    raw = pd.DataFrame([good_row(), good_row(event_id="x:2")])
    raw["event_date"] = pd.to_datetime(["2021-02-25 10:00", None])
    report = Report("f")
    out = validate_frame(raw, report)
    assert out["event_date"].tolist() == [pd.Timestamp("2021-02-25")]
    assert [(p.row, p.column) for p in report.problems] == [(2, "event_date")]


def test_a_hundred_thousand_rows_validate_quickly():
    import time

    raw = pd.DataFrame([good_row()] * 100_000)
    raw["event_id"] = [f"x:{i}" for i in range(100_000)]
    started = time.perf_counter()
    out = validate_frame(raw, Report("f"))
    assert len(out) == 100_000
    assert time.perf_counter() - started < 5


def test_a_text_cell_longer_than_a_cell_may_hold_rejects_its_row_with_its_length():
    from tests.conftest import make_frame

    raw = make_frame().astype(object)
    raw.loc[1, "notes"] = "A" * (schema.MAX_TEXT + 1)
    raw.loc[2, "notes"] = "A" * schema.MAX_TEXT
    report = schema.Report(file="x.csv")
    kept = schema.validate_frame(raw, report)
    assert len(kept) == len(raw) - 1 and raw.loc[2, "event_id"] in set(kept["event_id"])
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.value) == (2, "notes", f"{schema.MAX_TEXT + 1:,} characters")


def test_a_point_outside_its_country_is_kept_with_a_warning_that_says_swapped_when_it_is():
    rows = [good_row(event_id=f"x:{i}", country="Syria", latitude="35.0", longitude="38.0") for i in range(3)]
    rows[1].update(latitude="38.0", longitude="35.0")  # in Turkey; the other way round, in Syria
    rows[2].update(latitude="35.0", longitude="-38.0")  # in the Atlantic
    report = Report("f")
    frame = validate_frame(pd.DataFrame(rows), report)
    assert len(frame) == 3 and report.rejected_rows == []  # kept as given
    swapped, sign = report.problems
    assert (swapped.row, swapped.fatal, swapped.value) == (2, False, "38, 35")
    assert "are latitude and longitude swapped?" in swapped.message and "Syria" in swapped.message
    assert sign.row == 3 and "lost minus sign" in sign.message and "swapped" not in sign.message


def test_outside_country_warnings_stop_at_twenty_with_a_count_of_the_rest():
    rows = [good_row(event_id=f"x:{i}", country="Iraq", latitude="44.4", longitude="33.3") for i in range(25)]
    report = Report("f")
    validate_frame(pd.DataFrame(rows), report)
    listed = [p for p in report.problems if p.row is not None]
    assert len(listed) == schema.GEO_WARNINGS_SHOWN
    (summary,) = [p for p in report.problems if p.row is None]
    assert summary.message.startswith("25 rows in all have a point outside the country they name, 25 of them")
    assert not summary.fatal


@pytest.mark.parametrize(
    ("country", "lat", "lon"),
    [
        ("Israel", 31.5, 34.45),  # Gaza, as UCDP codes it
        ("Somalia", 9.56, 44.06),  # Hargeisa, in Somaliland
        ("Morocco", 27.15, -13.2),  # Laayoune, Western Sahara
        ("DR Congo (Zaire)", -4.32, 15.31),  # UCDP's name for Kinshasa's country
        ("Kingdom of eSwatini (Swaziland)", -26.31, 31.14),  # UCDP's, Mbabane (once "not a name Sitrep knows")
        ("Macedonia, FYR", 41.99, 21.43),  # UCDP's, Skopje
        ("Democratic Republic of Congo", -11.66, 27.48),  # ACLED's, Lubumbashi
        ("United States", 61.2, -149.9),  # Anchorage: Alaska is its own part of the map
        ("French Guiana", 4.93, -52.33),  # GDELT's name, drawn within France
        ("Turkey", 36.2, 36.16),  # Antakya: near Syria, still Turkey
        ("Fiji", -16.6, -179.9),  # across the antimeridian (Vanua Levu's outline runs past 180)
        ("Fiji", -16.6, 179.9),
        ("Russia", 65.0, -175.0),  # Chukotka
        ("Antarctica", -80.0, 90.0),  # inland: the 1:50m outline lacks the mainland's ring
        ("Antarctica", -89.0, 0.0),
    ],
)
def test_places_coded_under_a_country_by_real_datasets_are_not_flagged(country, lat, lon):
    far, _ = geocheck.outside(np.array([lat]), np.array([lon]), pd.Series([country]))
    assert not far[0]


def test_every_gdelt_country_name_is_checked_but_a_few_without_a_border():
    names = pd.read_csv(Path(schema.__file__).parent / "importers" / "fips_countries.csv", keep_default_na=False)
    unknown = sorted(n for n in names["country"] if geocheck.known(n) is None)
    assert unknown == [
        "Bouvet Island", "Gibraltar", "Netherlands Antilles", "Oceans", "Paracel Islands", "Spratly Islands",
        "Tokelau", "Tuvalu",
    ]  # fmt: skip


def test_country_names_not_known_or_spelt_two_ways_are_said_once_each():
    country = pd.Series(["Iraq", "iraq", "Iraq", "Narnia", "Narnia", "IRQ", None, "Syria"])
    said = geocheck.spelling_notes(country, np.arange(10, 18))  # the rows' numbers in the file
    notes = [note for note, _ in said]
    # each unknown name with its rows (the first is where the warning sits) and the known name nearest
    assert said[0][1] == 13 and notes[0].startswith("country 'Narnia' (rows 13, 14) is not a country name Sitrep")
    assert said[1][1] == 15 and notes[1].startswith("country 'IRQ' (row 15) is not a country name Sitrep knows")
    assert "write the country's name" in notes[1] and notes[1].endswith("Did you mean 'Iraq'?")
    assert "Did you mean" not in notes[0]  # nothing near Narnia
    assert notes[2] == (
        "'Iraq', 'iraq' name one country; the Country filter lists each spelling apart, so write one of them"
    )
    assert len(notes) == 3  # Syria, and the empty value, say nothing
    (irak,) = geocheck.spelling_notes(pd.Series(["Irak", "Syria"]))
    assert irak == ("country 'Irak' (row 1) " + irak[0].split(") ", 1)[1], 1) and irak[0].endswith(
        "Did you mean 'Iraq'?"
    )
    assert geocheck.spelling_notes(pd.Series(["Syria", "Yemen (North Yemen)", "Iraq"])) == []
    assert geocheck.spelling_notes(pd.Series(["Kingdom of eSwatini (Swaziland)", "Macedonia, FYR"])) == []
    many = geocheck.spelling_notes(pd.Series([f"Land {i}" for i in range(14)]))
    assert len(many) == 11 and many[-1] == ("… and 4 more country names not known here", None)


def test_links_the_app_would_show_wrong_are_warned_and_an_event_answering_itself_is_left_out():
    rows = [
        good_row(event_id="x:1", source_url="www.reuters.com/world/report https://ok.example/a"),
        good_row(event_id="x:2", source_url="https://a.example/1; https://b.example/2"),
        good_row(event_id="x:3", source_url="https://a.example/1,https://b.example/2"),
        good_row(event_id="x:4", source_url="https://a.example/x y", response_to="x:4; x:1"),
        good_row(event_id="x:5", event_date="2021-02-20", response_to="x:1"),  # answers a later event
        good_row(event_id="x:6", event_date="2021-03-01", source_url="HTTPS://ok.example/b", response_to="x:1"),
    ]
    report = Report("f")
    frame = validate_frame(pd.DataFrame(rows), report)
    assert report.rows_kept == 6 and not report.file_errors
    said = [(p.row, p.column, p.value, p.fatal) for p in report.problems]
    assert said == [
        (1, "source_url", "www.reuters.com/world/report", False),
        (2, "source_url", "https://a.example/1;", False),
        (3, "source_url", "https://a.example/1,https://b.example/2", False),
        (4, "source_url", "y", False),
        (4, "response_to", "x:4", False),
        (5, "response_to", "x:1", False),
    ], said
    messages = [p.message for p in report.problems]
    assert "name the source without a link" in messages[0] and "make one broken link" in messages[1]
    assert messages[4] == "the event names itself as the event it answers; left out of response_to"
    assert messages[5].startswith("answers 'x:1', dated 2021-02-25, after this event (2021-02-20)")
    assert frame.set_index("event_id")["response_to"].to_dict()["x:4"] == "x:1"  # itself taken out, the rest kept
    assert frame.set_index("event_id")["response_to"].to_dict()["x:6"] == "x:1"


def test_link_warnings_past_ten_rows_are_counted_in_one_line():
    rows = [good_row(event_id=f"x:{i}", source_url="www.example.org") for i in range(25)]
    report = Report("f")
    validate_frame(pd.DataFrame(rows), report)
    assert len(report.problems) == 11 and report.problems[-1].message == "… and 15 more rows like these"
