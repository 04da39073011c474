"""Tests for lib/importers/acled.py (and the shared reading rules in common.py) on hand-written fixtures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lib.importers import ImportFailed, detect_format, read_file

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
CURRENT = FIXTURES / "acled_current.csv"
ERA_2019 = FIXTURES / "acled_2019.csv"
ERA_2016 = FIXTURES / "acled_2016.csv"
HEADER = (
    "event_id_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,assoc_actor_1,inter1,"
    "actor2,assoc_actor_2,inter2,country,admin1,admin2,location,latitude,longitude,geo_precision,source,notes,"
    "fatalities"
)


def acled_csv(tmp_path: Path, rows: list[str], header: str = HEADER, name: str = "acled.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def row(event_id="T1", date="2021-02-25", year="2021", lat="33.3", lon="44.4", fatalities="1", notes="n") -> str:
    return (
        f"{event_id},{date},{year},1,Battles,Armed clash,Army,,1,Rebels,,2,Iraq,Baghdad,,Baghdad,{lat},{lon},1,"
        f"Wire,{notes},{fatalities}"
    )


def by_id(result) -> dict[str, dict]:
    return {r["event_id"]: r for r in result.frame.to_dict("records")}


def test_current_layout_maps_every_column():
    result = read_file(CURRENT, dataset="acled-test")
    assert result.format == "acled" and result.report.ok
    assert result.report.rows_read == 3 and result.report.rows_kept == 3
    # the columns Sitrep has no field for are named, not dropped in silence
    assert result.report.notes == [
        "ACLED columns not kept, as Sitrep has no field for them (your file keeps them): disorder_type, inter2, "
        "interaction, civilian_targeting, iso, region, admin3, source_scale, tags, timestamp"
    ]
    assert result.report.lines()[-1] == f"acled_current.csv: note: {result.report.notes[0]}"
    first = by_id(result)["acled:SYN1001"]
    assert first["event_date"] == pd.Timestamp("2021-02-25")
    assert (first["date_precision"], first["geo_precision"]) == (1, 2)
    assert (first["latitude"], first["longitude"]) == (34.3686, 41.0914)
    assert (first["event_type"], first["sub_event_type"]) == ("Explosions/Remote violence", "Air/drone strike")
    assert (first["actor1"], first["actor2"], first["assoc_actor_2"]) == (
        "Synthetic Air Force",
        "Synthetic Militia A",
        "Synthetic Militia B",
    )
    assert (first["country"], first["admin1"], first["admin2"], first["location"]) == (
        "Iraq",
        "Al Anbar",
        "Al Qaim",
        "Al Qaim",
    )
    assert first["fatalities"] == 3 and pd.isna(first["injuries"]) and pd.isna(first["source_url"])
    assert first["source"] == "Test Wire; Test Daily"
    assert first["notes"] == "On 25 February 2021, a synthetic strike.\nSecond line of the note."
    assert first["dataset"] == "acled-test"
    # ACLED's 0 is kept as published (it means "none reported").
    assert by_id(result)["acled:SYN1002"]["fatalities"] == 0
    assert by_id(result)["acled:SYN1002"]["date_precision"] == 2


@pytest.mark.parametrize(
    ("acled_date", "precision", "stored", "said"),
    [
        ("15 March 2021", "3", "2021-03-01", "ACLED's date: 15 March 2021, the middle of the month"),
        ("26 February 2021", "2", "2021-02-23", "ACLED's date: 26 February 2021, the middle of the week"),
        ("25 February 2021", "1", "2021-02-25", None),
    ],
)
def test_a_date_acled_gives_as_a_period_s_middle_is_stored_from_its_first_day(
    tmp_path, acled_date, precision, stored, said
):
    """ACLED dates an event known to a month by the month's mid-point; Sitrep dates a span by its
    first day. Kept as it was, 15 March (time precision 3) read "15 March – 14 April"."""
    frame = pd.read_csv(CURRENT, dtype=str, keep_default_na=False)
    frame.loc[0, ["event_date", "time_precision"]] = [acled_date, precision]
    path = tmp_path / "acled.csv"
    frame.to_csv(path, index=False)
    got = by_id(read_file(path))["acled:SYN1001"]
    assert got["event_date"] == pd.Timestamp(stored) and got["date_precision"] == int(precision)
    first_note = "On 25 February 2021, a synthetic strike.\nSecond line of the note."
    if said:
        assert got["notes"].startswith(first_note + "\n" + said) and f"(time precision {precision})" in got["notes"]
    else:
        assert got["notes"] == first_note


def test_html_in_notes_is_kept_as_text_with_a_warning():
    result = read_file(CURRENT)
    assert by_id(result)["acled:SYN1003"]["notes"].startswith("<b>HTML</b> in the note <script>x</script>\n")
    warnings = [p for p in result.report.problems if not p.fatal]
    assert [(p.row, p.column) for p in warnings] == [(3, "notes")]
    assert "HTML" in warnings[0].message


def test_2019_layout_with_text_and_excel_mangled_dates_and_a_formula_note():
    result = read_file(ERA_2019)
    assert result.format == "acled" and result.report.rows_kept == 3
    rows = by_id(result)
    assert rows["acled:SYN2001"]["event_date"] == pd.Timestamp("2021-02-25")
    assert rows["acled:SYN2002"]["event_date"] == pd.Timestamp("2020-05-09")
    assert rows["acled:SYN2003"]["event_date"] == pd.Timestamp("2021-02-25")
    assert pd.isna(rows["acled:SYN2002"]["fatalities"])  # empty stays unknown
    assert rows["acled:SYN2003"]["notes"] == "=cmd|'/C calc'!A0"  # exactly as written
    assert pd.isna(rows["acled:SYN2003"]["actor2"])
    formula = [p for p in result.report.problems if "formula" in p.message]
    assert [(p.row, p.column, p.fatal) for p in formula] == [(3, "notes", False)]


def test_2016_api_layout_maps_old_types_and_ally_actors():
    result = read_file(ERA_2016)
    assert result.format == "acled" and result.report.rows_kept == 4, result.report.lines()
    rows = by_id(result)
    assert rows["acled:SYN3001"]["assoc_actor_1"] == "Synthetic Union"
    assert rows["acled:SYN3003"]["assoc_actor_2"] == "Synthetic Allies"
    assert (rows["acled:SYN3001"]["event_type"], rows["acled:SYN3001"]["sub_event_type"]) == ("Protests", None)
    assert rows["acled:SYN3002"]["event_type"] == "Explosions/Remote violence"
    assert (rows["acled:SYN3003"]["event_type"], rows["acled:SYN3003"]["sub_event_type"]) == (
        "Battles",
        "Government regains territory",
    )
    assert rows["acled:SYN3004"]["sub_event_type"] == "Armed clash"
    # 03/04/2016 is decided day-first by the other rows (15/03, 20/04, 21/04).
    assert rows["acled:SYN3002"]["event_date"] == pd.Timestamp("2016-04-03")
    assert rows["acled:SYN3001"]["event_date"] == pd.Timestamp("2016-03-15")


def test_uppercase_headers_and_no_actor2_columns(tmp_path):
    header = (
        "EVENT_ID_CNTY,EVENT_DATE,YEAR,TIME_PRECISION,EVENT_TYPE,ACTOR1,INTER1,COUNTRY,LATITUDE,LONGITUDE,GEO_PRECISION"
    )
    path = acled_csv(tmp_path, ["U1,2021-01-02,2021,1,Riots/Protests,Rioters (Iraq),Rioters,Iraq,33,44,1"], header)
    result = read_file(path)
    assert result.format == "acled"
    got = result.frame.iloc[0]
    assert got["event_id"] == "acled:U1" and got["event_type"] == "Riots"  # inter1 as text
    assert pd.isna(got["actor2"]) and pd.isna(got["assoc_actor_2"])


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("2021-02-25", "2021", "2021-02-25"),
        ("25 February 2021", "2021", "2021-02-25"),
        ("25 Feb 2021", "2021", "2021-02-25"),
        ("9-May-20", "2020", "2020-05-09"),
        ("25-Feb-21", "2021", "2021-02-25"),
        ("44252", "2021", "2021-02-25"),
        ("2021-02-25 00:00:00", "2021", "2021-02-25"),
        ("25-Feb-97", "1997", "1997-02-25"),
        ("03-03-19", "2019", "2019-03-03"),
        ("19-04-03", "2019", "2019-04-03"),
    ],
)
def test_date_forms(tmp_path, text, year, expected):
    result = read_file(acled_csv(tmp_path, [row(date=text, year=year)]))
    assert result.report.rows_kept == 1, result.report.lines()
    assert result.frame["event_date"].iloc[0] == pd.Timestamp(expected)


def test_ambiguous_dates_are_decided_by_other_rows(tmp_path):
    path = acled_csv(tmp_path, [row("A", "03-04-19", "2019"), row("B", "25-04-19", "2019")])
    result = read_file(path)
    assert by_id(result)["acled:A"]["event_date"] == pd.Timestamp("2019-04-03")


def test_ambiguous_dates_that_stay_ambiguous_are_reported_not_guessed(tmp_path):
    path = acled_csv(tmp_path, [row("A", "03-04-19", "2019"), row("B", "05-05-19", "2019")])
    result = read_file(path)
    assert list(by_id(result)) == ["acled:B"]
    [problem] = [p for p in result.report.problems if p.fatal]
    assert (problem.row, problem.column, problem.value) == (1, "event_date", "03-04-19")
    assert "03 April 2019" in problem.message and "04 March 2019" in problem.message


def test_a_stated_date_order_reads_a_file_whose_rows_cannot_show_it(tmp_path):
    # every day 1–12: rejected as ambiguous unless the order is stated (the message says how)
    path = acled_csv(tmp_path, [row("A", "03-04-19", "2019"), row("B", "05-06-19", "2019")])
    assert read_file(path).report.rows_kept == 0
    assert (
        "state it: the Data page's 'Dates such as 03/04/2021', or the command line's --date-order"
        in read_file(path).report.problems[0].message
    )
    day_first = by_id(read_file(path, date_order="dmy"))
    assert [day_first[k]["event_date"] for k in ("acled:A", "acled:B")] == [
        pd.Timestamp("2019-04-03"),
        pd.Timestamp("2019-06-05"),
    ]
    assert by_id(read_file(path, date_order="mdy"))["acled:A"]["event_date"] == pd.Timestamp("2019-03-04")
    # a row in the other order is then no real date, and said so, not read the other way
    path = acled_csv(tmp_path, [row("A", "03-04-19", "2019"), row("C", "04-25-19", "2019")])
    result = read_file(path, date_order="dmy")
    assert list(by_id(result)) == ["acled:A"] and result.report.rejected_rows == [2]
    assert "not a real calendar date" in result.report.problems[-1].message
    assert "unknown date order" in str(read_file(path, date_order="ymd").report.problems[0])


def test_conflicting_orders_leave_ambiguous_rows_reported(tmp_path):
    rows = [row("A", "25-04-19", "2019"), row("B", "04-25-19", "2019"), row("C", "03-04-19", "2019")]
    result = read_file(acled_csv(tmp_path, rows))
    assert result.report.rejected_rows == [3]
    assert "both day-first and month-first" in result.report.problems[-1].message


@pytest.mark.parametrize(
    ("overrides", "column", "fragment"),
    [
        ({"date": "2021-02-30"}, "event_date", "not a real calendar date"),
        ({"date": "1850-01-01", "year": "1850"}, "event_date", "outside 1900"),
        ({"date": "yesterday"}, "event_date", "not a date in a known form"),
        ({"lat": "abc"}, "latitude", "must be a number"),
        ({"lat": "95"}, "latitude", "outside -90..90"),
        ({"lon": "190"}, "longitude", "outside -180..180"),
        ({"fatalities": "-2"}, "fatalities", "whole number"),
    ],
)
def test_bad_values_reject_the_row_naming_row_and_column(tmp_path, overrides, column, fragment):
    result = read_file(acled_csv(tmp_path, [row("OK"), row("BAD", **overrides)]))
    assert list(by_id(result)) == ["acled:OK"]
    [problem] = [p for p in result.report.problems if p.fatal]
    assert (problem.row, problem.column) == (2, column)
    assert fragment in problem.message
    assert f"{result.report.file}: row 2 (spreadsheet row 3), column '{column}'" in result.report.lines()[0]


def test_duplicate_ids_inside_one_file(tmp_path):
    result = read_file(acled_csv(tmp_path, [row("D"), row("E"), row("D")]))
    assert result.report.rejected_rows == [3]
    assert (
        str(result.report.problems[0])
        == "row 3 (spreadsheet row 4), column 'event_id_cnty (Sitrep's event_id)': duplicate id; already used on row 1 "
        "(value 'acled:D')"
    )


def test_crlf_bom_and_quoted_line_breaks(tmp_path):
    text = "\ufeff" + HEADER + "\r\n" + row("C1", notes='"first\r\nsecond, with comma"') + "\r\n" + row("C2") + "\r\n"
    path = tmp_path / "crlf.csv"
    path.write_bytes(text.encode("utf-8"))
    result = read_file(path)
    assert result.format == "acled" and result.report.rows_kept == 2
    assert by_id(result)["acled:C1"]["notes"] == "first\nsecond, with comma"


def test_latin1_file_is_refused_naming_row_and_byte(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n" + row("L1") + "\n" + row("L2", notes="Caf\u00e9") + "\n").encode("latin-1"))
    result = read_file(path)
    assert result.frame.empty
    [problem] = result.report.file_errors
    assert problem.row is None
    assert "data row 2 (line 3)" in problem.message and "0xE9" in problem.message
    assert "Re-save the file as UTF-8" in problem.message


def test_missing_required_columns_is_a_file_error(tmp_path):
    header = "event_id_cnty,event_date,event_type,country,latitude"
    result = read_file(acled_csv(tmp_path, ["X,2021-01-01,Battles,Iraq,33"], header))
    [problem] = result.report.file_errors
    assert "actor1, longitude" in problem.message and result.frame.empty


def test_empty_and_header_only_and_too_large(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in read_file(empty).report.file_errors[0].message
    with pytest.raises(ImportFailed, match="empty"):
        detect_format(empty)
    header_only = acled_csv(tmp_path, [], name="header.csv")
    result = read_file(header_only)
    assert result.report.rows_read == 0 and result.frame.empty
    big = acled_csv(tmp_path, [row(f"B{i}") for i in range(50)], name="big.csv")
    result = read_file(big, max_bytes=1000)
    assert "larger than the" in result.report.file_errors[0].message
    assert read_file(big, max_bytes=10_000_000).report.rows_kept == 50


def test_unknown_format_is_reported(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,age\nAda,36\n", encoding="utf-8")
    result = read_file(path)
    assert result.format == "unknown" and result.frame.empty
    assert "unknown file format" in result.report.file_errors[0].message
    with pytest.raises(ImportFailed, match="name, age"):
        detect_format(path)


def test_ragged_rows_are_rejected_with_their_row(tmp_path):
    path = acled_csv(tmp_path, [row("R1"), row("R2") + ",extra", row("R3")])
    result = read_file(path)
    assert result.report.rejected_rows == [2]
    assert list(by_id(result)) == ["acled:R1", "acled:R3"]


def test_xlsx_with_date_cells_serial_numbers_and_formula_text(tmp_path):
    path = tmp_path / "acled.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.upper().split(","))
    base = row("X1").split(",")
    date_col = 1
    cells = []
    for event_id, date in [("X1", dt.datetime(2021, 2, 25)), ("X2", 44252), ("X3", "25 February 2021")]:
        values = list(base)
        values[0], values[date_col] = event_id, date
        values[16], values[17] = 33.5, 44.25  # numbers, not text
        values[21] = 7
        cells.append(values)
    cells[2][20] = '=HYPERLINK("http://example.invalid","x")'
    for values in cells:
        sheet.append(values)
    book.save(path)
    result = read_file(path)
    assert result.format == "acled" and result.report.rows_kept == 3, result.report.lines()
    rows = by_id(result)
    assert {r["event_date"] for r in rows.values()} == {pd.Timestamp("2021-02-25")}
    assert rows["acled:X1"]["latitude"] == 33.5 and rows["acled:X1"]["fatalities"] == 7
    assert rows["acled:X3"]["notes"] == '=HYPERLINK("http://example.invalid","x")'


def test_a_year_alone_or_a_day_number_against_the_year_column_is_refused_not_read_as_1905(tmp_path):
    rows = [
        row("Y1", date="2021"),  # a year alone: as an Excel day number it was 13 Jul 1905
        row("S1", date="44252", year="2021"),  # Excel's 2021-02-25, and the year column agrees
        row("S2", date="44252", year="2019"),  # the same day number, but the file says 2019
    ]
    result = read_file(acled_csv(tmp_path, rows))
    kept = by_id(result)
    assert set(kept) == {"acled:S1"} and kept["acled:S1"]["event_date"] == pd.Timestamp("2021-02-25")
    messages = {p.value: p.message for p in result.report.problems if p.column == "event_date"}
    assert messages["2021"].startswith("is a year alone, not a date")
    assert "another year than the file's year column" in messages["44252"]
    assert len([p for p in result.report.problems if p.column == "event_date"]) == 2  # one problem per row


def test_types_no_acled_codebook_has_are_kept_with_a_warning_and_acleds_own_pass_silently(tmp_path):
    rows = [
        row("T1"),
        row("T2").replace("Battles,Armed clash", "Explosions/Remote violence,Airstrike"),
        row("T3").replace("Battles,Armed clash", "Explosions/Remote violence,Airstrike"),
        row("T4").replace("Battles,Armed clash", "Shootings,"),
        row("T5").replace("Battles,Armed clash", "Battles,Air/drone strike"),  # ACLED's name, wrong parent
        row("T6").replace("Battles,Armed clash", "Strategic developments,Looting/property destruction"),
        # refused for its latitude: not counted among the rows "kept as given"
        row("T7", lat="123").replace("Battles,Armed clash", "Explosions/Remote violence,Airstrike"),
        row("T8", lat="123").replace("Battles,Armed clash", "Riots,Shooting"),
    ]
    result = read_file(acled_csv(tmp_path, rows), "acled", dataset="x")
    assert result.report.rows_kept == 6  # kept as given
    warned = [str(p) for p in result.report.problems if not p.fatal]
    advice = (
        "Kept as given; the Type filter lists it apart from ACLED's own names, so write ACLED's name if it is one "
        "of them"
    )
    not_acled = "is not one of ACLED's"
    assert warned == [
        f"row 2 (spreadsheet row 3), column 'sub_event_type': 'Airstrike' (rows 2, 3) {not_acled} sub-event "
        f"types under 'Explosions/Remote violence'. {advice}",
        f"row 4 (spreadsheet row 5), column 'event_type': 'Shootings' (row 4) {not_acled} event types. {advice}",
        f"row 5 (spreadsheet row 6), column 'sub_event_type': 'Air/drone strike' (row 5) {not_acled} sub-event "
        f"types under 'Battles'. {advice}",
    ]
    assert [(p.row, p.column) for p in result.report.problems if p.fatal] == [(7, "latitude"), (8, "latitude")]
    assert by_id(result)["acled:T2"]["sub_event_type"] == "Airstrike"


def test_a_type_warning_names_its_first_rows_and_counts_the_rest(tmp_path):
    rows = [row(f"M{i}").replace("Battles,Armed clash", "Explosions/Remote violence,Airstrike") for i in range(5)]
    (warning,) = read_file(acled_csv(tmp_path, rows), "acled", dataset="x").report.problems
    assert warning.row == 1 and warning.message.startswith("'Airstrike' (rows 1, 2, 3 and 2 more) is not one of")
