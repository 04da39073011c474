"""Tests for lib/importers/gdelt.py on synthetic GDELT 1.0/2.0 rows built field by field."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib.importers import detect_format, read_file
from lib.importers.gdelt import LAYOUTS, cameo_labels, fips_countries


def gdelt_row(width: int, **fields: str) -> str:
    values = dict.fromkeys(LAYOUTS[width], "")
    values.update(
        GLOBALEVENTID="1000",
        SQLDATE="20240807",
        MonthYear="202408",
        Year="2024",
        FractionDate="2024.5945",
        Actor1Code="ISR",
        Actor1Name="ISRAEL",
        Actor2Code="LEB",
        Actor2Name="LEBANON",
        IsRootEvent="1",
        EventCode="195",
        EventBaseCode="195",
        EventRootCode="19",
        QuadClass="4",
        ActionGeo_Type="4",
        ActionGeo_FullName="Tyre, Liban-Sud, Lebanon",
        ActionGeo_CountryCode="LE",
        ActionGeo_ADM1Code="LE06",
        ActionGeo_Lat="33.2733",
        ActionGeo_Long="35.1939",
        DATEADDED="20240807220000",
    )
    if "SOURCEURL" in values:
        values["SOURCEURL"] = "https://www.example.org/news/1"
    values.update(fields)
    return "\t".join(values[name] for name in LAYOUTS[width])


def write(tmp_path: Path, lines: list[str], name: str = "events.export.CSV") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def records(result) -> dict[str, dict]:
    return {r["event_id"]: r for r in result.frame.to_dict("records")}


def test_lookup_tables_are_shipped_with_official_labels():
    labels = cameo_labels()
    assert labels["183"].startswith("Conduct suicide, car, or other non-military bombing")
    assert labels["195"] == "Employ aerial weapons, not specified below"
    assert labels["20"] == "USE UNCONVENTIONAL MASS VIOLENCE"
    # the codes GDELT added to CAMEO, which its files carry
    assert labels["1951"] == "Employ precision-guided aerial munitions"
    assert labels["1952"] == "Employ remotely piloted aerial munitions"
    assert (labels["1834"], labels["155"], labels["176"]) == (
        "Carry out location bombing",
        "Mobilize or increase cyber-forces",
        "Attack cybernetically",
    )
    countries = fips_countries()
    assert (countries["IZ"], countries["UP"], countries["RS"], countries["CG"]) == (
        "Iraq",
        "Ukraine",
        "Russia",
        "Democratic Republic of Congo",
    )


def test_a_2_0_row_maps_to_canonical_values(tmp_path):
    result = read_file(write(tmp_path, [gdelt_row(61)]), dataset="gd")
    assert result.format == "gdelt" and result.report.rows_kept == 1
    got = result.frame.iloc[0]
    assert got["event_id"] == "gdelt:1000" and got["event_date"] == pd.Timestamp("2024-08-07")
    assert (got["latitude"], got["longitude"]) == (33.2733, 35.1939)
    assert (got["country"], got["admin1"], got["location"]) == ("Lebanon", "Liban-Sud", "Tyre")
    assert (got["date_precision"], got["geo_precision"]) == (1, 2)
    assert (got["event_type"], got["sub_event_type"]) == ("Explosions/Remote violence", "Air/drone strike")
    assert (got["actor1"], got["actor2"]) == ("ISRAEL", "LEBANON")
    assert got["source_url"] == "https://www.example.org/news/1" and got["source"] == "example.org"
    assert got["notes"].startswith("GDELT CAMEO 195 (Employ aerial weapons, not specified below): ISRAEL → LEBANON.")
    assert pd.isna(got["fatalities"]) and pd.isna(got["injuries"]) and got["dataset"] == "gd"


def test_mixed_layouts_in_one_file(tmp_path):
    lines = [
        gdelt_row(58, GLOBALEVENTID="1"),
        gdelt_row(57, GLOBALEVENTID="2"),
        gdelt_row(61, GLOBALEVENTID="3"),
        "1\t2\t3",
    ]
    result = read_file(write(tmp_path, lines))
    assert sorted(records(result)) == ["gdelt:1", "gdelt:2", "gdelt:3"]
    assert pd.isna(records(result)["gdelt:2"]["source_url"])  # the 57-field backfile has no URL
    assert records(result)["gdelt:1"]["latitude"] == 33.2733
    assert result.report.rejected_rows == [4] and result.report.rows_read == 4


@pytest.mark.parametrize(
    ("code", "event_type", "sub_event_type"),
    [
        ("180", "Violence against civilians", "Attack"),
        ("1823", "Violence against civilians", "Attack"),
        ("183", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
        ("1831", "Explosions/Remote violence", "Suicide bomb"),
        ("1832", "Explosions/Remote violence", "Remote explosive/landmine/IED"),  # a car bomb is not a suicide attack
        ("1833", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
        ("1834", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
        ("190", "Battles", "Armed clash"),
        ("191", "Strategic developments", "Other"),  # a blockade: no fighting is said
        ("192", "Strategic developments", "Other"),  # an occupation: nor here
        ("193", "Battles", "Armed clash"),
        ("194", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ("195", "Explosions/Remote violence", "Air/drone strike"),
        ("1951", "Explosions/Remote violence", "Air/drone strike"),
        ("1952", "Explosions/Remote violence", "Air/drone strike"),
        ("196", "Battles", "Armed clash"),
        ("202", "Violence against civilians", "Attack"),
    ],
)
def test_cameo_codes_map_onto_acled_types(tmp_path, code, event_type, sub_event_type):
    line = gdelt_row(61, EventCode=code, EventBaseCode=code[:3], EventRootCode=code[:2])
    got = read_file(write(tmp_path, [line])).frame.iloc[0]
    assert (got["event_type"], got["sub_event_type"]) == (event_type, sub_event_type)
    assert f"GDELT CAMEO {code} (" in got["notes"] and "label unknown" not in got["notes"]


def test_only_material_conflict_by_default_and_all_with_all_cameo(tmp_path):
    lines = [
        gdelt_row(61, GLOBALEVENTID="1"),
        gdelt_row(61, GLOBALEVENTID="2", EventCode="042", EventBaseCode="042", EventRootCode="04"),
        gdelt_row(61, GLOBALEVENTID="3", EventCode="145", EventBaseCode="145", EventRootCode="14"),
    ]
    path = write(tmp_path, lines)
    default = read_file(path)
    assert list(records(default)) == ["gdelt:1"]
    assert [p.fatal for p in default.report.problems] == [False]
    assert "2 of 3 events" in default.report.problems[0].message
    # where to find "all CAMEO codes", on either side
    assert "the Data page's 'Keep every CAMEO code', or the command line's --all-cameo" in (
        default.report.problems[0].message
    )
    everything = records(read_file(path, all_cameo=True))
    assert everything["gdelt:2"]["event_type"] == "Strategic developments"
    assert everything["gdelt:2"]["notes"].startswith("GDELT CAMEO 042 (Make a visit)")
    assert everything["gdelt:3"]["event_type"] == "Riots"


@pytest.mark.parametrize(("geo_type", "precision"), [("2", 3), ("3", 2), ("4", 2), ("5", 3)])
def test_action_geo_type_maps_to_precision(tmp_path, geo_type, precision):
    got = read_file(write(tmp_path, [gdelt_row(61, ActionGeo_Type=geo_type)])).frame.iloc[0]
    assert got["geo_precision"] == precision


def test_country_level_rows_are_refused_as_ucdp_ones_are(tmp_path):
    """A country-level row's point is the country's centroid, not a place where anything happened."""
    lines = [
        gdelt_row(61, GLOBALEVENTID="1"),
        gdelt_row(61, GLOBALEVENTID="2", ActionGeo_Type="1", ActionGeo_FullName="Iraq", ActionGeo_Lat="33",
                  ActionGeo_Long="44"),
    ]  # fmt: skip
    result = read_file(write(tmp_path, lines))
    assert list(records(result)) == ["gdelt:1"]
    (problem,) = [p for p in result.report.problems if p.fatal]
    assert (problem.row, problem.column, problem.value) == (2, "ActionGeo_Type", "1")
    assert "only at country level" in problem.message and "not imported" in problem.message
    assert problem.by_rule and result.report.rows_left_by_rule == [2]


def test_rows_without_coordinates_or_with_unknown_country_are_rejected(tmp_path):
    lines = [
        gdelt_row(61, GLOBALEVENTID="1"),
        gdelt_row(61, GLOBALEVENTID="2", ActionGeo_Type="0", ActionGeo_Lat="", ActionGeo_Long=""),
        gdelt_row(61, GLOBALEVENTID="3", ActionGeo_CountryCode="QQ"),
        gdelt_row(61, GLOBALEVENTID="4", Actor1Name="", Actor1Code=""),
    ]
    result = read_file(write(tmp_path, lines))
    assert sorted(records(result)) == ["gdelt:1", "gdelt:4"]
    assert records(result)["gdelt:4"]["actor1"] == "Unidentified actor"
    problems = {p.row: p for p in result.report.problems if p.fatal}
    assert problems[2].column == "ActionGeo_Lat" and "no ActionGeo coordinates" in problems[2].message
    assert problems[3].column == "ActionGeo_CountryCode" and problems[3].value == "QQ"
    # no header: a row's number is its line's, in a spreadsheet too
    assert any(": row 2, column 'ActionGeo_Lat': has no ActionGeo" in line for line in result.report.lines())
    from lib import views

    table = views.problems_table(result.report)
    assert (table["spreadsheet row"] == table["row"]).all()


def test_a_line_break_character_inside_a_field_splits_no_row(tmp_path):
    """U+0085 (NEL) and U+2028 are line breaks to str.splitlines, not to GDELT, whose rows end at
    a newline: a name holding one once split its row in two and shifted every later row number."""
    lines = [
        gdelt_row(61, GLOBALEVENTID="1"),
        gdelt_row(61, GLOBALEVENTID="2", Actor1Name="AL\u0085SHABAAB", Actor2Name="X\u2028Y"),
        gdelt_row(61, GLOBALEVENTID="3", ActionGeo_CountryCode="QQ"),
    ]
    result = read_file(write(tmp_path, lines))
    assert sorted(records(result)) == ["gdelt:1", "gdelt:2"]
    # and the characters themselves are spaces: kept, they were a missing-glyph box in the name
    assert (records(result)["gdelt:2"]["actor1"], records(result)["gdelt:2"]["actor2"]) == ("AL SHABAAB", "X Y")
    assert result.report.rows_read == 3 and result.report.rejected_rows == [3]


def test_a_file_whose_first_line_is_cut_short_is_still_gdelt(tmp_path):
    """A download cut short, or a stray first line, once read as a table "separated by tabs, not
    commas", with the advice to save it again from Excel: that would ruin a GDELT file."""
    cut = gdelt_row(61, GLOBALEVENTID="1")[:60]  # 12 of its 61 fields
    path = write(tmp_path, [cut, gdelt_row(61, GLOBALEVENTID="2"), gdelt_row(61, GLOBALEVENTID="3")])
    assert detect_format(path) == "gdelt"
    result = read_file(path)
    assert sorted(records(result)) == ["gdelt:2", "gdelt:3"] and result.report.rejected_rows == [1]


def test_a_byte_that_is_not_utf8_is_placed_by_line_with_gdelt_advice(tmp_path):
    """A GDELT file has no header: the byte is on a line (not "data row N", one off), and the
    advice is to download it again, not to save it from Excel as a comma-separated CSV."""
    path = write(tmp_path, [gdelt_row(61, GLOBALEVENTID=str(n)) for n in range(1, 6)])
    raw = path.read_bytes().split(b"\n")
    raw[4] = raw[4].replace(b"example.org", b"exampl\xe9.org")
    path.write_bytes(b"\n".join(raw))
    result = read_file(path)
    assert result.frame.empty
    (message,) = [p.message for p in result.report.problems if p.fatal]
    assert "line 5 " in message and "data row" not in message
    assert "GDELT" in message and "download" in message and "Excel" not in message


def test_detection_and_duplicate_ids(tmp_path):
    path = write(tmp_path, [gdelt_row(58), gdelt_row(58)], name="x.tsv")
    assert detect_format(path) == "gdelt"
    result = read_file(path)
    assert result.report.rejected_rows == [2]


def test_a_zipped_or_gzipped_gdelt_file_is_read_as_the_file_inside(tmp_path):
    """GDELT publishes its event files as *.export.CSV.zip."""
    import gzip
    import zipfile

    lines = [gdelt_row(61, GLOBALEVENTID="1"), gdelt_row(61, GLOBALEVENTID="2", EventCode="1831")]
    plain = write(tmp_path, lines, "20240807.export.CSV")
    zipped = tmp_path / "20240807.export.CSV.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, plain.name)
    gzipped = tmp_path / "20240807.export.CSV.gz"
    gzipped.write_bytes(gzip.compress(plain.read_bytes()))
    for packed in (zipped, gzipped):
        result = read_file(packed)
        assert result.format == "gdelt" and sorted(records(result)) == ["gdelt:1", "gdelt:2"], packed.name
        assert result.report.notes == [f"read 20240807.export.CSV, the file inside the archive {packed.name}"]
    from lib import store

    assert store.suggest_dataset_name(zipped.name) == "20240807.export"  # named for the file inside


def test_an_archive_of_several_files_or_over_the_limit_unpacked_is_refused_with_what_to_do(tmp_path):
    import zipfile

    plain = write(tmp_path, [gdelt_row(61)] * 50)
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.write(plain, "a.export.CSV")
        archive.write(plain, "b.export.CSV")
    (problem,) = read_file(two).report.file_errors
    assert problem.message == (
        "the ZIP archive holds 2 files (a.export.CSV, b.export.CSV); Sitrep reads an archive of one file. Unzip it "
        "and import its files one by one."
    )
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, plain.name)
    assert big.stat().st_size < plain.stat().st_size  # small packed: the limit holds for what it unpacks to
    (problem,) = read_file(big, max_bytes=plain.stat().st_size - 1).report.file_errors
    assert problem.message.startswith(f"{plain.name} is ") and "MB unpacked, larger than the" in problem.message
    assert len(read_file(big, max_bytes=plain.stat().st_size).frame) == 1  # one event, 50 times


def test_archives_are_read_with_no_limit_as_the_cli_reads_them_and_a_gzip_over_a_limit_says_more_than(tmp_path):
    import gzip
    import sys
    import zipfile

    plain = write(tmp_path, [gdelt_row(61)] * 50)
    zipped = tmp_path / "20240807.export.CSV.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, plain.name)
    gzipped = tmp_path / "20240807.export.CSV.gz"
    gzipped.write_bytes(gzip.compress(plain.read_bytes()))
    for packed in (zipped, gzipped):  # the CLI's "no limit" (read(sys.maxsize + 1) overflowed)
        result = read_file(packed, max_bytes=sys.maxsize)
        assert not result.report.file_errors and len(result.frame) == 1, packed
    # only the limit and one byte more are unpacked: the size is "more than" the limit, not the limit
    big = write(tmp_path, [gdelt_row(61)] * 14000, "big.export.CSV")
    assert big.stat().st_size > 2 * 1_048_576
    big_gz = tmp_path / "big.export.CSV.gz"
    big_gz.write_bytes(gzip.compress(big.read_bytes()))
    (problem,) = read_file(big_gz, max_bytes=1_048_576).report.file_errors
    assert "big.export.CSV is more than 1.0 MB unpacked, larger than the 1.0 MB limit" in problem.message
