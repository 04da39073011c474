"""Tests for lib/importers/ucdp.py on hand-written GED fixtures (synthetic events)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib.importers import detect_format, read_file
from lib.importers.ucdp import DATE_PREC

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
GED = FIXTURES / "ucdp_ged.csv"
HEADERLESS = FIXTURES / "ucdp_ged_headerless.csv"


def records(result) -> dict[str, dict]:
    return {r["event_id"]: r for r in result.frame.to_dict("records")}


def test_detects_ged_with_and_without_header():
    assert detect_format(GED) == "ucdp"
    assert detect_format(HEADERLESS) == "ucdp"


def test_ged_rows_map_to_canonical_values():
    result = read_file(GED, dataset="ged")
    assert result.report.rows_read == 6 and result.report.rows_kept == 4
    first = records(result)["ucdp:900001"]
    assert first["event_date"] == pd.Timestamp("2013-01-03")
    assert (first["latitude"], first["longitude"]) == (35.76, 36.55)
    assert (first["actor1"], first["actor2"]) == ("Government of Synthland", "Synthetic Rebels")
    assert (first["event_type"], first["sub_event_type"]) == ("Battles", "Armed clash")
    assert first["fatalities"] == 12 and pd.isna(first["injuries"]) and pd.isna(first["source_url"])
    assert first["notes"] == "UCDP deaths best 12 (low 10, high 15). Headlines: Synthetic headline one"
    assert (first["country"], first["admin1"], first["admin2"], first["location"]) == (
        "Synthland",
        "Synth province",
        "Synth district",
        "Place 900001",
    )
    assert first["source"] == "Synthetic Office" and first["dataset"] == "ged"
    second = records(result)["ucdp:900002"]
    assert second["source"] == "Synthetic Original"  # no source_office → source_original
    assert second["notes"] == (
        "UCDP deaths best 3 (low 3, high 4). Dates 2014-05-10 to 2014-05-12. "
        'Source: Synthetic Wire 2014-05-12 "SYNTHETIC REPORT"'
    )


@pytest.mark.parametrize(
    ("event_id", "date_precision", "geo_precision", "event_type"),
    [
        ("ucdp:900001", 1, 1, "Battles"),  # date_prec 1, where_prec 1, state-based
        ("ucdp:900002", 2, 2, "Battles"),  # date_prec 2, where_prec 2, non-state
        ("ucdp:900003", 3, 3, "Violence against civilians"),  # date_prec 4, where_prec 4, one-sided
        ("ucdp:900006", 2, 3, "Violence against civilians"),  # date_prec 3, where_prec 5
    ],
)
def test_precision_and_type_rules(event_id, date_precision, geo_precision, event_type):
    got = records(read_file(GED))[event_id]
    assert (got["date_precision"], got["geo_precision"], got["event_type"]) == (
        date_precision,
        geo_precision,
        event_type,
    )


def test_country_level_places_and_year_wide_dates_are_rejected_with_reasons():
    result = read_file(GED)
    problems = {(p.row, p.column): p for p in result.report.problems}
    assert result.report.rejected_rows == [4, 5]
    assert "country level" in problems[(4, "where_prec")].message
    assert "within a year" in problems[(5, "date_prec")].message
    # UCDP's own rules leave them out: not errors in the file (they do not block --replace)
    assert result.report.rows_left_by_rule == [4, 5]


def test_headerless_file_reads_the_standard_columns():
    result = read_file(HEADERLESS)
    assert result.format == "ucdp" and result.report.rows_kept == 2
    assert records(result)["ucdp:900002"]["event_date"] == pd.Timestamp("2014-05-10")


def test_missing_ged_columns_is_a_file_error(tmp_path):
    path = tmp_path / "api.csv"
    path.write_text("relid,type_of_violence,side_a,side_b,best\nX-1,1,A,B,2\n", encoding="utf-8")
    result = read_file(path)
    assert result.format == "ucdp" and result.frame.empty
    assert "latitude" in result.report.file_errors[0].message


def test_zero_best_is_kept_and_bad_best_rejects(tmp_path):
    text = GED.read_text(encoding="utf-8").replace(",12,15,10,", ",many,15,10,", 1)
    assert text != GED.read_text(encoding="utf-8")
    path = tmp_path / "ged.csv"
    path.write_text(text, encoding="utf-8")
    result = read_file(path)
    problems = [(p.row, p.column) for p in result.report.problems if p.row == 1]
    assert problems == [(1, "best (Sitrep's fatalities)")]  # the file's column, the one the user can find
    assert records(result)["ucdp:900003"]["fatalities"] == 0


def test_sources_listed_as_ucdp_writes_them_are_listed_as_the_codebook_does(tmp_path):
    """UCDP writes "Reuters;Agence France Presse"; the codebook's lists are "; "-separated."""
    frame = pd.read_csv(GED, dtype=str, keep_default_na=False)
    frame.loc[0, "source_office"] = "Reuters;Agence France Presse ;  BBC Monitoring"
    path = tmp_path / "ged.csv"
    frame.to_csv(path, index=False)
    got = records(read_file(path))[f"ucdp:{frame.loc[0, 'id']}"]
    assert got["source"] == "Reuters; Agence France Presse; BBC Monitoring"


def _with_first_row(tmp_path, **cells) -> Path:
    frame = pd.read_csv(GED, dtype=str, keep_default_na=False)
    for column, value in cells.items():
        frame.loc[0, column] = value
    path = tmp_path / "ged.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("date_prec", "date_end", "precision"),
    [
        ("1", "2013-01-05", 2),  # "the day", over three days: within a week
        ("2", "2013-01-23", 3),  # "2–6 days", over 21: within a month
        ("4", "2013-01-05", 3),  # looser already: kept as date_prec says
        ("1", "2013-01-03", 1),  # one day
    ],
)
def test_ucdp_s_own_dates_loosen_a_date_prec_they_do_not_fit(tmp_path, date_prec, date_end, precision):
    """date_prec 1 on an event UCDP dates 3 to 5 January was shown as "the day is known"."""
    path = _with_first_row(tmp_path, date_prec=date_prec, date_start="2013-01-03", date_end=date_end)
    result = read_file(path)
    got = records(result)["ucdp:900001"]
    assert got["event_date"] == pd.Timestamp("2013-01-03") and got["date_precision"] == precision
    said = [p for p in result.report.problems if p.column == "date_prec" and not p.fatal]
    assert bool(said) == (precision > int(DATE_PREC[date_prec]))
    if said:
        assert said[0].row == 1 and "taken from those dates" in said[0].message


def test_ucdp_dates_longer_than_a_month_or_backwards_leave_the_row_out(tmp_path):
    long = read_file(_with_first_row(tmp_path, date_start="2013-01-03", date_end="2013-03-01"))
    assert "ucdp:900001" not in records(long)
    (problem,) = [p for p in long.report.problems if p.row == 1]
    assert problem.column == "date_end" and "longer than a month" in problem.message and problem.by_rule
    backwards = read_file(_with_first_row(tmp_path, date_start="2013-01-05", date_end="2013-01-02"))
    assert "ucdp:900001" not in records(backwards)
    (problem,) = [p for p in backwards.report.problems if p.row == 1]
    assert problem.column == "date_end" and "before date_start" in problem.message and problem.fatal


def test_ucdp_numbers_written_as_decimals_and_joined_headlines_read_cleanly_in_notes(tmp_path):
    path = _with_first_row(tmp_path, best="12.0", low="10.0", high="15.0", source_headline="One;Two ;  Three")
    got = records(read_file(path))["ucdp:900001"]
    assert got["fatalities"] == 12
    assert got["notes"] == "UCDP deaths best 12 (low 10, high 15). Headlines: One; Two; Three"
