"""Tests for lib/importers/generic.py (plain CSV/XLSX) and format detection in lib/importers/__init__.py."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lib import schema
from lib.importers import FORMATS, ImportFailed, detect_format, read_file

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
CANONICAL = FIXTURES / "canonical.csv"


def write(tmp_path: Path, text: str, name: str = "plain.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_canonical_file_keeps_its_ids_and_values():
    result = read_file(CANONICAL, dataset="mine")
    assert result.format == "csv" and result.report.ok and result.report.rows_kept == 2
    first = result.frame.iloc[0]
    assert first["event_id"] == "hand:0001" and first["event_date"] == pd.Timestamp("2024-01-28")
    assert (first["latitude"], first["longitude"], first["geo_precision"]) == (32.2999, 36.4171, 1)
    assert first["fatalities"] == 3 and first["injuries"] == 47
    assert first["source_url"] == "https://example.invalid/report"
    assert first["response_to"] is pd.NA or pd.isna(first["response_to"])
    assert set(result.frame["dataset"]) == {"mine"}  # the file's dataset column is overridden
    assert result.frame.iloc[1]["response_to"] == "hand:0001"


def test_column_mapping(tmp_path):
    path = write(
        tmp_path,
        "Id,When,What,Who,Where,Lat,Lon\nA1,2024-02-01,Battles,Army,Iraq,33.1,44.2\n",
    )
    mapping = {
        "event_id": "Id",
        "event_date": "When",
        "event_type": "What",
        "actor1": "Who",
        "country": "Where",
        "latitude": "lat",
        "longitude": "Lon",
    }
    result = read_file(path, mapping=mapping)
    assert result.format == "csv" and result.report.rows_kept == 1
    got = result.frame.iloc[0]
    assert (got["event_id"], got["latitude"], got["country"]) == ("A1", 33.1, "Iraq")
    assert (got["date_precision"], got["geo_precision"]) == (3, 3)
    assert {p.column for p in result.report.problems if not p.fatal} == {"date_precision", "geo_precision"}


@pytest.mark.parametrize(
    ("mapping", "fragment"),
    [
        ({"event_id": "Missing"}, "does not have"),
        ({"when": "Id"}, "not canonical columns"),
    ],
)
def test_bad_mappings_are_file_errors(tmp_path, mapping, fragment):
    path = write(tmp_path, "Id,When\nA1,2024-02-01\n")
    result = read_file(path, mapping=mapping)
    assert result.frame.empty and fragment in result.report.file_errors[0].message


def test_missing_event_id_is_derived_with_a_warning(tmp_path):
    text = "event_date,event_type,actor1,country,latitude,longitude,date_precision,geo_precision\n"
    text += "2024-02-01,Battles,Army,Iraq,33.1,44.2,1,1\n2024-02-02,Battles,Army,Iraq,33.1,44.2,1,1\n"
    result = read_file(write(tmp_path, text), dataset="hand")
    assert result.frame["event_id"].tolist() == ["hand:1", "hand:2"]
    [warning] = result.report.problems
    assert not warning.fatal and warning.column == "event_id"


def test_missing_required_columns(tmp_path):
    result = read_file(write(tmp_path, "event_id,event_date,latitude\nx,2024-01-01,1\n"), format="csv")
    assert "event_type" in result.report.file_errors[0].message and result.frame.empty


def test_xlsx_plain_file(tmp_path):
    path = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["event_id", "event_date", "event_type", "actor1", "country", "latitude", "longitude"])
    book.active.append(["x1", 45321, "Battles", "=1+1", "Iraq", 33.0, 44.0])
    book.save(path)
    result = read_file(path, dataset="x")
    assert result.format == "csv" and result.report.rows_kept == 1, result.report.lines()
    got = result.frame.iloc[0]
    assert got["event_date"] == pd.Timestamp("2024-01-30") and got["actor1"] == "=1+1"


@pytest.mark.parametrize(
    ("name", "format"),
    [
        ("acled_current.csv", "acled"),
        ("acled_2019.csv", "acled"),
        ("acled_2016.csv", "acled"),
        ("ucdp_ged.csv", "ucdp"),
        ("ucdp_ged_headerless.csv", "ucdp"),
        ("canonical.csv", "csv"),
    ],
)
def test_detect_format(name, format):
    assert detect_format(FIXTURES / name) == format
    assert format in FORMATS


def test_unknown_format_argument_and_non_utf8_detection(tmp_path):
    result = read_file(CANONICAL, format="shapefile")
    assert "unknown format 'shapefile'" in result.report.file_errors[0].message
    path = tmp_path / "x.csv"
    path.write_bytes("event_id,notes\n1,Caf\u00e9\n".encode("cp1252"))
    with pytest.raises(ImportFailed, match="not UTF-8"):
        detect_format(path)
    assert issubclass(ImportFailed, ValueError)


def test_result_frame_is_canonical_and_typed():
    result = read_file(CANONICAL)
    assert list(result.frame.columns) == schema.CANONICAL_COLUMNS
    assert str(result.frame["event_date"].dtype) == "datetime64[s]"


def test_parse_mapping_from_text():
    from lib.importers import parse_mapping

    text = "event_date = Date\nlatitude=Lat\n\nnot a mapping\nlongitude= Lon \n=x\n"
    assert parse_mapping(text) == {"event_date": "Date", "latitude": "Lat", "longitude": "Lon"}


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image"), (b"%PDF-1.7\n", "a PDF document"),
     (b"PK\x03\x04\x14\x00", "a ZIP archive"), (b"abc\x00def", "binary data")],
)  # fmt: skip
def test_a_binary_file_named_csv_is_refused_as_not_text_not_as_an_encoding_problem(tmp_path, head, kind):
    path = tmp_path / "events.csv"
    path.write_bytes(head + bytes(range(256)) * 4)
    (problem,) = read_file(path).report.file_errors
    message = problem.message
    assert message.startswith(f"the file is not text: it looks like {kind}") and "UTF-8" in message
    assert "Re-save the file as UTF-8" not in message
    if kind == "a ZIP archive":  # GDELT's files come zipped: say what to do with one
        assert "unzip it and import the file inside" in message


def test_the_missing_column_message_reads_an_acled_file(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text("event_id_cnty,event_date,year\nX1,2021-01-01,2021\n", encoding="utf-8")
    (problem,) = read_file(path, format="acled").report.file_errors
    assert "which an ACLED file needs" in problem.message


def test_a_year_alone_is_refused_and_an_implausible_count_is_not_wrapped_round(tmp_path):
    head = "event_id,event_date,event_type,actor1,country,latitude,longitude,fatalities,injuries\n"
    path = write(
        tmp_path,
        head
        + "a,2021,Battles,Army,Iraq,33.1,44.2,1,\n"
        + "b,2021-02-25,Battles,Army,Iraq,33.1,44.2,4294967296,\n"  # stored as 0 by a 32-bit wrap
        + "c,2021-02-25,Battles,Army,Iraq,33.1,44.2,2,2147483648\n"  # stored as -2147483648
        + "d,2021-02-25,Battles,Army,Iraq,33.1,44.2,250000,3\n",
    )
    result = read_file(path, dataset="mine")
    assert result.frame["event_id"].tolist() == ["d"]
    assert int(result.frame["fatalities"].iloc[0]) == 250000
    problems = {(p.column, p.value): p.message for p in result.report.problems}
    assert problems[("event_date", "2021")].startswith("is a year alone")
    assert "plausible" in problems[("fatalities", "4294967296")]
    assert "plausible" in problems[("injuries", "2147483648")]


@pytest.mark.parametrize(("name", "mark", "word"), [("semi.csv", ";", "semicolons"), ("tabs.tsv", "\t", "tabs")])
def test_a_file_separated_by_semicolons_or_tabs_is_named_as_such_not_as_an_unknown_format(tmp_path, name, mark, word):
    head = mark.join(["event_id", "event_date", "event_type", "actor1", "country", "latitude", "longitude"])
    path = write(
        tmp_path, head + "\n" + mark.join(["a", "2021-02-25", "Battles", "Army", "Iraq", "33", "44"]) + "\n", name
    )
    for given in (None, "csv", "acled"):  # detected, or the format given (it said "no column event_date…")
        (error,) = [str(p) for p in read_file(path, given, dataset="x").report.file_errors]
        assert error.startswith(f"the file's columns are separated by {word}, not commas. Save it again as")
        assert error.endswith("then import it again.")  # the command line's word as well as the page's


def test_a_workbook_whose_first_sheet_is_not_the_events_names_that_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Readme"
    book.active.append(["This export was made on 2024-01-01"])
    book.create_sheet("Events").append(["event_id", "event_date"])
    book.save(tmp_path / "two.xlsx")
    (error,) = [str(p) for p in read_file(tmp_path / "two.xlsx", dataset="x").report.file_errors]
    # the header as written (not lower-cased), and one full stop
    assert "'Readme', starts with This export was made on 2024-01-01. Only a workbook's first sheet" in error
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.create_sheet("Events").append(["event_id"])
    book.save(tmp_path / "empty.xlsx")
    (error,) = [str(p) for p in read_file(tmp_path / "empty.xlsx", dataset="x").report.file_errors]
    assert error.startswith("the workbook's first sheet, 'Cover', is empty. Only the first sheet is read")
    book = openpyxl.Workbook()  # the header on row 6 under blank rows: it read "is empty"
    book.active.title = "Events"
    book.active.cell(row=6, column=1, value="event_id")
    book.active.cell(row=6, column=2, value="event_date")
    book.save(tmp_path / "low.xlsx")
    (error,) = [str(p) for p in read_file(tmp_path / "low.xlsx", dataset="x").report.file_errors]
    assert error.startswith("the first row of the workbook's first sheet, 'Events', is blank; its first filled row is")
    assert "row 6. Sitrep reads the column names from row 1: delete the rows above them" in error


def test_problems_in_a_mapped_file_name_the_files_column(tmp_path):
    path = write(tmp_path, "Id,When,What,Who,Where,Lat,Lon\nA1,2024-02-01,Battles,Army,Iraq,95,44.2\n")
    mapping = {"event_id": "Id", "event_date": "When", "event_type": "What", "actor1": "Who", "country": "Where",
               "latitude": "Lat", "longitude": "Lon"}  # fmt: skip
    result = read_file(path, dataset="m", mapping=mapping)
    assert [(p.row, p.column) for p in result.report.problems if p.row] == [(1, "Lat (Sitrep's latitude)")]


@pytest.mark.parametrize(
    ("opened_in", "expected"),
    [("notes", "3 lines after it that look like rows were read"), ("actor1", "so the 3 lines after it were read")],
)
def test_a_quote_never_closed_is_named_with_the_rows_it_swallowed(tmp_path, opened_in, expected):
    rows = [f"e{i},2021-02-2{i},Battles,Army,Iraq,33.1,44.2,note {i}" for i in range(5)]
    rows[1] = rows[1].replace(
        "note 1" if opened_in == "notes" else "Army", '"' + ("note 1" if opened_in == "notes" else "Army")
    )
    head = "event_id,event_date,event_type,actor1,country,latitude,longitude,notes\n"
    result = read_file(write(tmp_path, head + "\n".join(rows) + "\n"), dataset="x")
    (problem,) = [p for p in result.report.problems if p.row]
    assert problem.row == 2 and expected in problem.message and "Close or remove that quote" in problem.message
    assert result.frame["event_id"].tolist() == ["e0"]  # nothing of the swallowed rows passes as a note


def test_a_note_with_paragraphs_is_not_taken_for_swallowed_rows(tmp_path):
    head = "event_id,event_date,event_type,actor1,country,latitude,longitude,notes\n"
    text = head + 'e1,2021-02-21,Battles,Army,Iraq,33.1,44.2,"first paragraph\nsecond, with a comma"\n'
    result = read_file(write(tmp_path, text), dataset="x")
    assert result.report.rows_kept == 1 and not [p for p in result.report.problems if p.row]


@pytest.mark.parametrize("dropped", [["latitude"], ["actor1", "country"]])
def test_a_plain_file_missing_required_columns_is_told_which_when_its_format_is_detected(tmp_path, dropped):
    frame = pd.read_csv(FIXTURES / "canonical.csv", dtype=str).drop(columns=dropped)
    path = tmp_path / "missing.csv"
    frame.to_csv(path, index=False)
    (error,) = [str(p) for p in read_file(path, dataset="x").report.file_errors]
    assert error.startswith(f"the header has no column(s) {', '.join(dropped)}, which a plain CSV/XLSX"), error


def test_a_file_with_few_canonical_columns_is_still_of_unknown_format(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("date,latitude,longitude,what\n2024-01-01,33,44,x\n", encoding="utf-8")
    (error,) = [str(p) for p in read_file(path, dataset="x").report.file_errors]
    assert error.startswith("unknown file format: the header starts with date, latitude, longitude, what")


HEAD = "event_id,event_date,event_type,actor1,country,latitude,longitude"


@pytest.mark.parametrize(
    ("header", "said"),
    [
        (HEAD + ",latitude", "'latitude' (columns 6 and 8)"),  # an extra column of the same name
        (HEAD.replace("country", "Country") + ",COUNTRY", "'country' (columns 5 and 8)"),  # case aside
    ],
)
def test_a_header_naming_a_column_twice_is_refused_saying_which(tmp_path, header, said):
    path = write(tmp_path, header + "\na,2021-02-25,Battles,Army,Iraq,33.1,44.2,33.2\n")
    result = read_file(path, dataset="mine")
    (problem,) = result.report.file_errors
    assert said in problem.message and "Rename or remove the extra column" in problem.message
    assert result.frame is None or result.frame.empty
    book = openpyxl.Workbook()
    book.active.append(header.split(","))
    book.active.append(["a", "2021-02-25", "Battles", "Army", "Iraq", 33.1, 44.2, 33.2])
    book.save(tmp_path / "twice.xlsx")
    (problem,) = read_file(tmp_path / "twice.xlsx", dataset="mine").report.file_errors
    assert said in problem.message


def test_a_date_with_text_after_it_is_refused_a_time_of_day_is_not(tmp_path):
    rows = ["2023-01-10 foo", "2021-02-25 to 2021-03-01", "2021-02-25T25:99", "2021-02-25T09:30", "2021-02-25 9:30:00"]
    # and the times other tools write: BigQuery, 12-hour clocks, comma fractions, zones after a space
    rows += ["2021-02-25 00:00:00 UTC", "2021-02-25 12:00:00 AM", "2021-02-25 00:00:00,000", "2021-02-25T00"]
    rows += ["2021-02-25 00:00:00 +0000", "2021-02-25T00:00:00z", "2021-02-25 00:00:00.000"]
    lines = "".join(f'r{i},"{d}",Battles,Army,Iraq,33.1,44.2\n' for i, d in enumerate(rows))  # quoted: "00,000"
    path = write(tmp_path, HEAD + "\n" + lines)
    result = read_file(path, dataset="mine")
    assert result.frame["event_id"].tolist() == [f"r{i}" for i in range(3, len(rows))]
    assert set(result.frame["event_date"]) == {pd.Timestamp("2021-02-25")}
    refused = {p.value: p.message for p in result.report.problems if p.row is not None}
    assert set(refused) == set(rows[:3])
    assert all(m.startswith("has a date followed by something that is not a time of day") for m in refused.values())


def test_a_cell_longer_than_the_csv_modules_limit_is_a_row_problem_and_a_formula_is_named(tmp_path):
    long = "x" * 200_000  # unquoted, on a ragged row: read by Python's csv module, whose limit was 131,072
    path = write(tmp_path, HEAD + "\na,2021-02-25,Battles,Army,Iraq,33.1,44.2\nb," + long + ",x\n")
    result = read_file(path, dataset="mine")
    assert result.frame["event_id"].tolist() == ["a"] and result.report.problems
    book = openpyxl.Workbook()
    book.active.append(HEAD.split(","))
    book.active.append(["a", "2021-02-25", "Battles", "Army", "Iraq", "=33+0.3", 44.2])
    book.save(tmp_path / "formula.xlsx")
    (problem,) = [p for p in read_file(tmp_path / "formula.xlsx", dataset="mine").report.problems if p.row]
    assert problem.column == "latitude" and "it is a spreadsheet formula: paste the column as values" in problem.message


def test_a_workbook_named_csv_is_told_to_be_named_xlsx(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(HEAD.split(","))
    book.save(tmp_path / "events.xlsx")
    (tmp_path / "events.xlsx").rename(tmp_path / "events.csv")
    (problem,) = read_file(tmp_path / "events.csv").report.file_errors
    assert "it looks like an Excel workbook (.xlsx) saved with another name: name it .xlsx" in problem.message


def test_a_row_with_a_bad_date_has_its_other_problems_named_too(tmp_path):
    """A file is mended in one go: the row's date, latitude, longitude and count, all at once (it
    said only the date, then the next problem at each try). Swapped is asked only where it fits."""
    path = write(
        tmp_path,
        HEAD + ",fatalities\n"
        "a,2023-13-45,Battles,Army,Iraq,95,200,-3\n"  # every value wrong
        "b,2021-02-25,Battles,Army,Iraq,133.1,44.2,1\n"  # read the other way round, it is a point
        "c,2021-02-25,Battles,Army,Iraq,33.1,44.2,1\n",
    )
    result = read_file(path, dataset="mine")
    assert result.frame["event_id"].tolist() == ["c"]
    said = {(p.row, p.column): p.message for p in result.report.problems if p.row is not None}
    assert set(said) == {(1, "event_date"), (1, "latitude"), (1, "longitude"), (1, "fatalities"), (2, "latitude")}
    assert said[(1, "event_date")].startswith("is not a real calendar date")  # once, not also "is empty"
    assert said[(1, "latitude")] == "is outside -90..90"
    assert said[(2, "latitude")] == "is outside -90..90; are latitude and longitude swapped?"


def test_a_row_refused_for_its_date_does_not_hold_its_id_against_a_corrected_copy(tmp_path):
    row = "a,{},Battles,Army,Iraq,33.1,44.2\n"
    path = write(tmp_path, HEAD + "\n" + row.format("2021-02-30") + row.format("2021-02-28"))  # then corrected
    result = read_file(path, dataset="mine")
    assert result.frame["event_id"].tolist() == ["a"]
    assert result.frame["event_date"].iloc[0] == pd.Timestamp("2021-02-28")
    assert [p.column for p in result.report.problems if p.row is not None] == ["event_date"]


@pytest.mark.parametrize("source", [CANONICAL, FIXTURES / "acled_current.csv"])
def test_columns_with_no_name_are_left_out_not_a_crash(tmp_path, source):
    """A spreadsheet's trailing ",,," gives two or more columns with no name: each column lookup
    then found a table of columns, not a column, and the import crashed."""
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"), newline="")))
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(row + ["", "", ""] for row in rows)
    padded = write(tmp_path, text.getvalue(), source.name)
    plain = read_file(source, dataset="x")
    result = read_file(padded, dataset="x")
    assert not result.report.file_errors and result.report.rows_kept == plain.report.rows_kept > 0
    pd.testing.assert_frame_equal(result.frame, plain.frame)


def test_lines_ended_by_a_carriage_return_alone_read_as_lines(tmp_path):
    """Excel for Mac's "CSV (Macintosh)" ends lines with \\r alone: the import crashed."""
    text = CANONICAL.read_text(encoding="utf-8")
    assert "\r" not in text
    mac = write(tmp_path, text.replace("\n", "\r"), "mac.csv")
    result = read_file(mac, dataset="mine")
    assert not result.report.file_errors and result.report.rows_kept == 2
    pd.testing.assert_frame_equal(result.frame, read_file(CANONICAL, dataset="mine").frame)


def test_an_upload_named_past_what_a_file_system_holds_is_cut_before_its_suffixes(tmp_path):
    from lib.importers import local_file_name

    assert local_file_name("../../etc/ACLED Iraq.csv") == "ACLED Iraq.csv"
    long = "事件" * 60 + ".export.CSV.zip"  # 360 bytes in UTF-8: "File name too long" on the Data page
    short = local_file_name(long)
    assert len(short.encode("utf-8")) <= 200 and short.endswith("….export.CSV.zip") and short.startswith("事件")
    path = tmp_path / local_file_name("é" * 200 + ".csv")
    path.write_text(CANONICAL.read_text(encoding="utf-8"), encoding="utf-8")  # a name this system holds
    assert read_file(path, dataset="mine").report.rows_kept == 2


def test_mapping_lines_that_cannot_be_read_are_named():
    from lib.importers import parse_mapping, unread_mapping_lines

    text = "event_date: Date\n\nactor1 = Actor\n=Lat\nlongitude=\n  \ncountry=Land = Staat"
    assert parse_mapping(text) == {"actor1": "Actor", "country": "Land = Staat"}
    assert unread_mapping_lines(text) == ["event_date: Date", "=Lat", "longitude="]


def test_a_csv_named_xlsx_and_an_empty_zip_are_said_as_what_they_are(tmp_path):
    import zipfile

    named = tmp_path / "events.xlsx"
    named.write_bytes(CANONICAL.read_bytes())
    (error,) = [str(p) for p in read_file(named, dataset="x").report.file_errors]
    assert error.startswith("the file is named .xlsx but holds text, not an Excel workbook (it starts with 'event_id")
    assert error.endswith("rename it .csv and import it again.")
    empty = tmp_path / "events.zip"
    zipfile.ZipFile(empty, "w").close()
    (error,) = [str(p) for p in read_file(empty, dataset="x").report.file_errors]
    assert error == (
        "the file is an empty ZIP archive: it holds no file to import. Zip the events file alone again, or import "
        "the file itself."
    )  # not "Import a CSV file or an Excel workbook", as a ZIP of one such file is read


def test_control_characters_in_a_csv_are_read_as_spaces(tmp_path):
    """A U+0085 (NEL) or a stray control character in a name drew a missing-glyph box in the
    details ("KATAIB⊠HEZBOLLAH"), and made it another name to the filters; tabs and line breaks
    within a note stay."""
    from lib.importers import read_file
    from tests.conftest import make_frame

    frame = make_frame()
    frame.loc[0, "actor2"] = "Kata'ib\u0085Hezbollah"
    frame.loc[1, "location"] = "Al\x07Qaim\u2028"
    frame.loc[2, "notes"] = "Two\tparts\nand a second line"
    path = tmp_path / "controls.csv"
    frame.to_csv(path, index=False)
    got = read_file(path, format="csv").frame.set_index("event_id")
    assert got.loc["t:1", "actor2"] == "Kata'ib Hezbollah"
    assert got.loc["t:2", "location"] == "Al Qaim"
    assert got.loc["t:3", "notes"] == "Two\tparts\nand a second line"
