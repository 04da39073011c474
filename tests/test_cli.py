"""The command line: import (all or nothing, no duplicates), export with filters, datasets."""

import csv
import datetime as dt
import io
import json
import os
import shlex
from pathlib import Path

import openpyxl
import pytest

from lib import cli, exports, queries, store
from lib.actors import Registry
from lib.filters import FilterState

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


@pytest.fixture(autouse=True)
def temp_store(tmp_path, monkeypatch):
    catalog = tmp_path / "store" / "catalog.json"
    monkeypatch.setenv("SITREP_STORE", str(catalog))
    return catalog


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_reports_and_stores_then_reimport_adds_nothing(capsys, temp_store):
    code, _, err = run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "acled-test")
    assert code == 0, err
    kept = store.Store(temp_store).info("acled-test").rows
    assert kept > 0
    assert f"valid {kept:,}" in err and "format ACLED (--format acled);" in err
    code, _, err = run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "acled-test")
    assert code == 0
    assert f"imported 0 events into 'acled-test' ({kept:,} already present, skipped)" in err
    assert store.Store(temp_store).info("acled-test").rows == kept


def test_dry_run_stores_nothing(capsys, temp_store):
    code, _, err = run(capsys, "import", str(FIXTURES / "ucdp_ged.csv"), "--dataset", "u", "--dry-run")
    assert code == 0 and "dry run: nothing stored." in err
    assert not temp_store.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"foo,bar\n1,2\n", "unknown file format"),
        (b"event_id,event_date\nx,2020-01-01\n", "unknown file format"),
        (
            "event_date,event_type,actor1,country,latitude,longitude,notes\n2020-01-01,X,Y,Iraq,33,44,café\n".encode(
                "latin-1"
            ),
            "UTF-8",
        ),
    ],
)
def test_a_refused_file_exits_1_and_leaves_the_store_unchanged(capsys, tmp_path, temp_store, content, message):
    run(capsys, "import", str(FIXTURES / "ucdp_ged.csv"), "--dataset", "keep")
    before = temp_store.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    code, _, err = run(capsys, "import", str(bad), "--dataset", "keep")
    assert code == 1
    assert message in err and "bad.csv" in err
    assert "the store is unchanged" in err
    assert temp_store.read_bytes() == before


def test_rejected_rows_are_named(capsys, tmp_path):
    bad = tmp_path / "rows.csv"
    bad.write_text(
        "event_id,event_date,event_type,actor1,country,latitude,longitude,date_precision,geo_precision\n"
        "a,2020-01-01,X,Y,Iraq,33,44,1,1\n"
        "b,2020-02-30,X,Y,Iraq,33,44,1,1\n"
        "c,2020-01-01,X,Y,Iraq,95,44,1,1\n"
        "a,2020-01-01,X,Y,Iraq,33,44,1,1\n"
    )
    code, _, err = run(capsys, "import", str(bad), "--dataset", "rows")
    assert code == 0
    assert "rows read 4; valid 1; rejected 3 (rows 2, 3, 4)" in err
    assert "row 2 (spreadsheet row 3), column 'event_date'" in err
    assert "row 3 (spreadsheet row 4), column 'latitude'" in err
    assert "row 4 (spreadsheet row 5), column 'event_id': duplicate id; already used on row 1" in err
    # one rejected row is a row; a line of one field is one field
    bad.write_text(
        "event_id,event_date,event_type,actor1,country,latitude,longitude,date_precision,geo_precision\n"
        "a,2020-01-01,X,Y,Iraq,33,44,1,1\nlost\n"
    )
    code, _, err = run(capsys, "import", str(bad), "--dataset", "rows2")
    assert "rejected 1 (row 2)" in err and "has 1 field but the header has 9" in err


def test_a_geojson_export_of_acled_data_says_what_its_zeros_mean(capsys, temp_store, tmp_path):
    """An ACLED 0 is "none reported" (ACLED's rule), and ACLED gives no addresses: the file's
    provenance once said "never 0; source_url lists each event's reports" for every dataset."""
    assert run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "acled-test")[0] == 0
    target = tmp_path / "acled.geojson"
    code, _, err = run(capsys, "export", "--dataset", "acled-test", "--format", "geojson", "--output", str(target))
    assert code == 0, err
    collection = json.loads(target.read_text())
    said = collection["sitrep"]["unknown values"]
    assert "0 means none reported" in said and "never 0" not in said and "source_url is empty" in said
    assert any(f["properties"]["fatalities"] == 0 for f in collection["features"])  # the case it is about
    assert all(f["properties"]["source_url"] is None for f in collection["features"])


def test_bad_dataset_name_is_usage_error(capsys):
    code, _, err = run(capsys, "import", str(FIXTURES / "ucdp_ged.csv"), "--dataset", "../etc")
    assert code == 2 and "not allowed" in err


def test_export_with_filters_csv_and_geojson(capsys, tmp_path):
    code, out, err = run(capsys, "export", "--dataset", "us-iran-2019-2024", "--country", "Jordan")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {r["country"] for r in rows} == {"Jordan"}
    # without --dataset, the one the app opens with, as a link without dataset=
    assert run(capsys, "export", "--country", "Jordan")[:2] == (0, out)
    target = tmp_path / "out.geojson"
    code, _, err = run(
        capsys,
        "export",
        "--dataset",
        "us-iran-2019-2024",
        "--format",
        "geojson",
        "--output",
        str(target),
        "--from",
        "2024-01-01",
        "--affiliation",
        "Iran-aligned",
    )
    assert code == 0, err
    collection = json.loads(target.read_text())
    features = collection["features"]
    assert features and all(f["properties"]["event_date"] >= "2024-01-01" for f in features)
    about = collection["sitrep"]  # where the file comes from, inside it
    assert about["dataset"] == "us-iran-2019-2024"
    assert about["filters"] == "dataset=us-iran-2019-2024&from=2024-01-01&affiliation=Iran-aligned"
    assert about["unknown values"].startswith("empty fatalities or injuries mean not reported, never zero")
    assert about["licence"] and about["exported"].endswith("Z")
    # the view in words, as the page's sentence says it
    assert about["view"].startswith("Strikes and attacks involving Iran-aligned groups, 1 Jan 2024 – ")
    assert about["view"].endswith(f": {len(features):,} events")
    assert f"exported {len(features):,} events" in err


def test_export_refuses_unknown_values(capsys):
    code, out, err = run(capsys, "export", "--dataset", "us-iran-2019-2024", "--country", "Narnia")
    assert code == 2 and out == ""
    assert "--country: unknown country 'Narnia'" in err and "nothing was exported" in err
    # said of the command's options, not of a link the app corrects ("ignored", "as said above")
    code, _, err = run(capsys, "export", "--from", "2021-02-30", "--country", "Irak")
    assert code == 2
    assert err.splitlines()[:2] == [
        "error: --from 2021-02-30 is not a date (use YYYY-MM-DD).",
        "error: --country: unknown country 'Irak': it does not occur in this dataset. Did you mean 'Iraq'?",
    ]
    assert "ignored" not in err and "as said above" not in err


def test_export_outside_the_data_says_it_corrects_nothing(capsys, tmp_path):
    target = tmp_path / "late.csv"
    code, _, err = run(
        capsys, "export", "--dataset", "us-iran-2019-2024", "--from", "2030-01-01", "--output", str(target)
    )
    assert code == 2 and not target.exists()
    assert "outside the data" in err  # the app's notice, which says what the app would use
    assert "the command does not guess" in err  # and that nothing was used here


def test_datasets_lists_shipped_and_imported(capsys):
    run(capsys, "import", str(FIXTURES / "ucdp_ged.csv"), "--dataset", "ucdp-test")
    code, out, _ = run(capsys, "datasets")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("us-iran-2019-2024")
    assert any(line.startswith("ucdp-test") and "CC BY 4.0" in line for line in lines)
    # the format as the About and Data pages name it, not the importer's key
    (ucdp,) = [line for line in lines if line.startswith("ucdp-test")]
    assert "  UCDP GED     UCDP GED, CC BY 4.0" in ucdp and " ucdp " not in ucdp


def test_datasets_names_a_dataset_whose_file_is_damaged_and_what_to_do(capsys, temp_store):
    run(capsys, "import", str(FIXTURES / "ucdp_ged.csv"), "--dataset", "ucdp-test")
    run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "cut-short")
    (temp_store.parent / store.Store(temp_store).info("cut-short").files[0]).write_bytes(b"PAR1")
    code, out, err = run(capsys, "datasets")
    assert code == 0 and "ucdp-test" in out and "cut-short" not in out
    assert "warning: The dataset 'cut-short' cannot be shown: its file cut-short-" in err
    assert "python -m lib delete --dataset cut-short --yes" in err


def test_the_events_pages_export_command_writes_exactly_the_rows_of_its_view(capsys, tmp_path):
    state = FilterState(  # a box west of 0° and a search starting with "-" read as options after a space
        date_from=dt.date(2021, 1, 1), country=("Syria", "Iraq"), q="-base", area=(-48.0, 30.0, 48.0, 38.0)
    )
    command = exports.cli_command(state, "us-iran-2019-2024", "csv", "fatalities")  # in the table's order
    words = shlex.split(command)
    assert words[:4] == ["python", "-m", "lib", "export"] and "--area=-48,30,48,38" in words and "--q=-base" in words
    assert "--sort=fatalities" in words
    target = tmp_path / "out.csv"
    words = [w for w in words if not w.startswith("--output=")] + [f"--output={target}"]
    code, _, err = run(capsys, *words[3:])
    assert code == 0, err
    written = [r["event_id"] for r in csv.DictReader(target.open(encoding="utf-8"))]
    events = cli._open_store()
    view = state.with_(dataset="us-iran-2019-2024")
    table = queries.events_page(events, view, Registry.from_csv(), 0, 1000, "fatalities")["event_id"].tolist()
    assert written == table and 0 < len(written) < len(store.load_shipped())  # the same rows, in the same order


def test_delete_asks_for_yes_then_removes_an_imported_dataset_never_the_shipped_one(capsys, temp_store):
    code, _, err = run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "acled-test")
    assert code == 0, err
    code, _, err = run(capsys, "delete", "--dataset", "acled-test")
    assert code == 0 and "would delete 'acled-test'" in err and "--yes" in err
    assert "acled-test" in [d.name for d in store.Store(temp_store).datasets()]
    code, _, err = run(capsys, "delete", "--dataset", "acled-test", "--yes")
    assert code == 0 and "deleted 'acled-test'" in err
    assert "acled-test" not in [d.name for d in store.Store(temp_store).datasets()]
    code, _, err = run(capsys, "delete", "--dataset", "us-iran-2019-2024", "--yes")
    assert code == 2 and "shipped dataset" in err
    code, _, err = run(capsys, "delete", "--dataset", "nope", "--yes")
    assert code == 2 and "unknown dataset" in err
    code, _, err = run(capsys, "export", "--dataset", "us-iran-2019-2O24")  # a letter O for a zero
    assert code == 2 and "unknown dataset 'us-iran-2019-2O24' (did you mean 'us-iran-2019-2024'?)" in err


def test_a_folder_or_an_unwritable_output_is_said_not_a_traceback(capsys, tmp_path):
    code, _, err = run(capsys, "import", str(tmp_path), "--dataset", "x")
    assert code == 2 and f"{tmp_path} is a folder; give the path of a CSV" in err
    code, _, err = run(capsys, "import", str(tmp_path / "nope.csv"), "--dataset", "x")
    assert code == 2 and "is not there" in err
    code, _, err = run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "x", "--max-mb", "-1")
    assert code == 2 and "--max-mb must be a number of megabytes above 0" in err
    for target, why in ((tmp_path, "it is a folder"), (tmp_path / "missing" / "out.csv", "no such file or directory")):
        code, _, err = run(capsys, "export", "--dataset", "us-iran-2019-2024", "--output", str(target))
        assert code == 1 and f"cannot write {target}: {why}" in err and "nothing exported" in err, err


def test_replace_says_what_it_replaced_and_refuses_to_drop_stored_events_for_a_file_with_rejected_rows(
    capsys, tmp_path, temp_store
):
    head = "event_id,event_date,event_type,actor1,country,latitude,longitude\n"
    first = tmp_path / "first.csv"
    first.write_text(head + "".join(f"e{i},2021-02-2{i},Battles,Army,Iraq,33.1,44.2\n" for i in range(5)))
    assert run(capsys, "import", str(first), "--dataset", "base")[0] == 0
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(head + "n1,2021-03-01,Battles,Army,Iraq,33.1,44.2\nn2,2021,Battles,Army,Iraq,33.1,44.2\n")
    code, _, err = run(capsys, "import", str(mixed), "--dataset", "base", "--replace")
    assert code == 1 and "--replace would swap the 5 events of 'base' for the 1 valid rows" in err
    assert store.Store(temp_store).info("base").rows == 5  # nothing lost
    clean = tmp_path / "clean.csv"
    clean.write_text(head + "n1,2021-03-01,Battles,Army,Iraq,33.1,44.2\n")
    code, _, err = run(capsys, "import", str(clean), "--dataset", "base", "--replace")
    assert code == 0 and "replaced the 5 events of 'base' with the 1 of this file" in err
    assert store.Store(temp_store).info("base").rows == 1


def test_replace_takes_a_ged_file_whose_only_rejected_rows_are_those_ucdp_places_at_country_level(
    capsys, tmp_path, temp_store
):
    """Every GED release has such rows: no correction brings them in, so they cannot block --replace."""
    ged = Path(__file__).parent / "fixtures" / "importers" / "ucdp_ged.csv"  # 4 events, 2 rows left out by rule
    assert run(capsys, "import", str(ged), "--dataset", "ged")[0] == 0
    code, _, err = run(capsys, "import", str(ged), "--dataset", "ged", "--replace")
    assert code == 0 and "replaced the 4 events of 'ged' with the 4 of this file" in err
    # a row with an error of its own still blocks it
    import pandas as pd

    broken = pd.read_csv(ged, dtype=str, keep_default_na=False)
    broken.loc[0, "latitude"] = "123"
    path = tmp_path / "broken.csv"
    broken.to_csv(path, index=False)
    code, _, err = run(capsys, "import", str(path), "--dataset", "ged", "--replace")
    assert code == 1 and "leaving out its 1 rejected rows" in err


def test_import_keeps_a_swapped_point_and_says_so(capsys, temp_store, tmp_path):
    header = "event_id,event_date,event_type,actor1,country,latitude,longitude\n"
    source = tmp_path / "swapped.csv"
    source.write_text(header + "a,2021-02-25,Attack,X,Syria,35.0,38.0\nb,2021-02-26,Attack,X,Syria,38.0,35.0\n")
    code, _, err = run(capsys, "import", str(source), "--dataset", "swapped")
    assert code == 0, err
    assert store.Store(temp_store).info("swapped").rows == 2  # kept as given: the user decides
    assert "warning: row 2 (spreadsheet row 3), column 'latitude': the point lies outside Syria" in err
    assert "are latitude and longitude swapped?" in err


def test_a_corrected_file_imported_again_with_update_takes_its_values(capsys, temp_store, tmp_path):
    header = "event_id,event_date,event_type,actor1,country,latitude,longitude,notes\n"
    first = tmp_path / "first.csv"
    first.write_text(header + "a,2021-02-25,Attack,X,Syria,35.0,38.0,one\nb,2021-02-26,Attack,X,Syria,38.0,35.0,two\n")
    assert run(capsys, "import", str(first), "--dataset", "fix")[0] == 0
    fixed = tmp_path / "fixed.csv"  # b's swapped coordinates and note corrected; c new
    fixed.write_text(
        header + "a,2021-02-25,Attack,X,Syria,35.0,38.0,one\nb,2021-02-26,Attack,X,Syria,35.0,38.0,two (fixed)\n"
        "c,2021-02-27,Attack,X,Syria,35.1,38.1,three\n"
    )
    code, _, err = run(capsys, "import", str(fixed), "--dataset", "fix", "--dry-run")
    assert code == 0 and "'fix' already holds 2 of these events, 1 with other values: --update would" in err
    code, _, err = run(capsys, "import", str(fixed), "--dataset", "fix")  # without --update: left as stored
    assert "imported 1 event into 'fix' (2 already present, skipped)" in err
    assert "To take this file's values for the events already present (a corrected file): --update." in err
    code, _, err = run(capsys, "import", str(fixed), "--dataset", "fix", "--update")
    assert code == 0, err
    assert "imported 0 events into 'fix' and updated 1 with this file's values (2 already present and unchanged)" in err
    rows = (
        store.Store(temp_store)
        .cursor()
        .execute(
            f"SELECT event_id, latitude, longitude, notes FROM {store.Store(temp_store).relation('fix')} ORDER BY 1"
        )
        .fetchall()
    )
    assert rows == [("a", 35.0, 38.0, "one"), ("b", 35.0, 38.0, "two (fixed)"), ("c", 35.1, 38.1, "three")]
    with pytest.raises(SystemExit) as stop:  # one or the other: argparse says so
        run(capsys, "import", str(fixed), "--dataset", "fix", "--update", "--replace")
    assert stop.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_a_dry_run_refuses_what_the_import_would_refuse(capsys, temp_store):
    assert run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "mixed")[0] == 0
    code, _, err = run(capsys, "import", str(FIXTURES / "ucdp_ged.csv"), "--dataset", "mixed", "--dry-run")
    assert code == 1 and "holds ACLED data" in err and "dry run: nothing stored." not in err


def test_a_workbook_is_reported_as_a_plain_table_read_from_its_first_sheet(capsys, tmp_path):
    path = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["event_id", "event_date", "event_type", "actor1", "country", "latitude", "longitude"])
    book.active.append(["x1", "2024-01-30", "Air strike", "A", "Iraq", 33.0, 44.0])
    book.save(path)
    code, _, err = run(capsys, "import", str(path), "--dataset", "book", "--dry-run")
    assert code == 0, err
    assert "plain.xlsx: format plain-table (--format csv), read from the workbook's first sheet; rows read 1" in err
    code, _, err = run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "book2")
    assert code == 0, err
    code, _, err = run(capsys, "import", str(path), "--dataset", "book2", "--dry-run")
    assert code == 1 and "'book2' holds ACLED data and this is a plain-table file" in err


def test_import_warns_of_a_response_to_naming_no_event_it_or_the_dataset_holds(capsys, tmp_path):
    lines = (FIXTURES / "canonical.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "answers.csv"
    path.write_text("\n".join([lines[0], lines[2].replace(",hand:0001,", ",hand:0404,")]) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(path), "--dataset", "answers")
    assert code == 0, err
    assert (
        "answers.csv: warning: column 'response_to': 'hand:0404', named as the event answered by hand:0002, is in "
        "neither this file nor 'answers'" in err
    )
    code, _, err = run(capsys, "import", str(FIXTURES / "canonical.csv"), "--dataset", "answers")
    assert code == 0 and "column 'response_to'" not in err  # hand:0001, answered by hand:0002, is in that file


def test_an_acled_dataset_exported_to_csv_and_imported_again_stays_acled(capsys, tmp_path, temp_store):
    assert run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "acled-a")[0] == 0
    exported = tmp_path / "acled-a.csv"
    code, _, err = run(capsys, "export", "--dataset", "acled-a", "--output", str(exported))
    assert code == 0, err
    code, _, err = run(capsys, "import", str(exported), "--dataset", "acled-b")
    assert code == 0, err
    assert (
        "format ACLED (--format acled);" in err and "every event id is ACLED's (acled:…), as in a Sitrep export" in err
    )
    again = store.Store(temp_store).info("acled-b")
    assert again.source_format == "acled" and again.licence == store.LICENCES["acled"] and not again.directed
    assert again.rows == store.Store(temp_store).info("acled-a").rows
    # mixed with other ids: a plain table, and said so
    rows = exported.read_text(encoding="utf-8").splitlines()
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("\n".join([rows[0], rows[1].replace("acled:", "mine:", 1), *rows[2:]]) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(mixed), "--dataset", "mixed")
    assert code == 0, err
    acled_ids = sum(r["event_id"].startswith("acled:") for r in csv.DictReader(io.StringIO(mixed.read_text("utf-8"))))
    assert (
        "format plain-table (--format csv);" in err
        and f"{acled_ids:,} event ids are ACLED's (acled:…) among others" in err
    )
    assert store.Store(temp_store).info("mixed").source_format == "csv"


def test_an_export_imported_back_stores_its_text_as_it_was_without_the_formula_guard(capsys, tmp_path, temp_store):
    lines = (FIXTURES / "canonical.csv").read_text(encoding="utf-8").splitlines()
    source = tmp_path / "guard.csv"
    first = (
        lines[1]
        .replace("A synthetic drone strike.", '"-5 reported killed, +3 injured"')
        .replace("Synthetic Base", "@home")
    )
    source.write_text("\n".join([lines[0], first, *lines[2:]]) + "\n", encoding="utf-8")
    assert run(capsys, "import", str(source), "--dataset", "guard")[0] == 0
    exported = tmp_path / "guard-export.csv"
    assert run(capsys, "export", "--dataset", "guard", "--output", str(exported))[0] == 0
    text = exported.read_text(encoding="utf-8")
    assert "'-5 reported killed" in text and "'@home" in text  # guarded for spreadsheets
    code, _, err = run(capsys, "import", str(exported), "--dataset", "guard", "--update")
    assert code == 0, err
    assert "2 cells began with the apostrophe that Sitrep's CSV export puts" in err
    events = store.Store(temp_store)
    notes = (
        events.cursor()
        .execute(f"SELECT notes, location FROM {events.relation('guard')} WHERE event_id = 'hand:0001'")
        .fetchone()
    )
    assert notes == ("-5 reported killed, +3 injured", "@home")


def test_an_import_states_a_plain_tables_licence_and_refuses_one_for_acled(capsys, temp_store, tmp_path):
    source = tmp_path / "own.csv"
    source.write_text(
        "event_id,event_date,event_type,actor1,country,latitude,longitude\na,2021-02-25,Attack,X,Syria,35,38\n"
    )
    code, _, err = run(capsys, "import", str(source), "--dataset", "own", "--licence", "CC BY 4.0: cite Example")
    assert code == 0, err
    assert "licence of 'own': CC BY 4.0: cite Example" in err
    code, out, _ = run(capsys, "datasets")
    assert "CC BY 4.0: cite Example" in out
    acled = Path(__file__).parent / "fixtures" / "importers" / "acled_current.csv"
    code, _, err = run(capsys, "import", str(acled), "--dataset", "acl", "--licence", "mine", "--dry-run")
    assert code == 1
    assert "error: a licence can be given for a plain table only: ACLED data carries its publisher's terms" in err
    assert "the store is unchanged" in err


def test_a_file_with_only_a_header_or_no_valid_row_is_said_as_such_and_one_event_is_one(capsys, temp_store, tmp_path):
    header = "event_id,event_date,event_type,actor1,country,latitude,longitude\n"
    empty = tmp_path / "empty.csv"
    empty.write_text(header)
    code, _, err = run(capsys, "import", str(empty), "--dataset", "e")
    assert code == 1 and "error: the file has no data rows, only its header; the store is unchanged." in err
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "a,2021-02-30,Attack,X,Syria,35,38\n")
    code, _, err = run(capsys, "import", str(bad), "--dataset", "e")
    assert code == 1 and "row 1 (spreadsheet row 2), column 'event_date': is not a real calendar date" in err
    assert "error: no valid row to import: correct the rows listed above and import again" in err
    one = tmp_path / "one.csv"
    one.write_text(header + "a,2021-02-28,Attack,X,Syria,35,38\n")
    assert run(capsys, "import", str(one), "--dataset", "one")[0] == 0
    code, _, err = run(capsys, "delete", "--dataset", "one", "--yes")
    assert code == 0 and "deleted 'one' (1 event)." in err


def test_reindex_brings_an_older_import_up_to_date_from_its_own_rows(capsys, temp_store):
    """A dataset imported before the index of words gets it (its file untouched); one imported
    before the search column gets its file made again from its rows. Either way it finds the
    same events, and a second run has nothing to do."""
    import pyarrow.parquet as pq

    for name in ("no-index", "no-column"):
        code, _, err = run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", name)
        assert code == 0, err
    registry = Registry.from_csv()
    texts = ["baghdad", "KH", "rocket", "al", "Kata'ib Hezbollah", "zzzz"]

    def found(name: str) -> list[set]:
        events = store.Store(temp_store)
        return [
            set(queries.events_page(events, FilterState(dataset=name, q=q), registry, 0, 1000)["event_id"])
            for q in texts
        ]

    before = found("no-index")
    assert any(before) and before == found("no-column")
    data = json.loads(temp_store.read_text())
    entry = data["datasets"]["no-index"]  # as an import made it before the index of words
    del entry["words"]
    for name in store.word_files(entry["file"]):
        (temp_store.parent / name).unlink()
    old = data["datasets"]["no-column"]  # and before the search column
    del old["search"], old["words"]
    path = temp_store.parent / old["file"]
    pq.write_table(pq.read_table(path).drop_columns(["search"]), path)
    temp_store.write_text(json.dumps(data))
    events = store.Store(temp_store)
    assert not events.info("no-index").words and not events.info("no-column").words

    code, _, err = run(capsys, "reindex")
    assert code == 0, err
    assert "no-index: its words indexed" in err and "no-column: its file made again from its rows" in err
    data = json.loads(temp_store.read_text())["datasets"]
    assert data["no-index"]["file"] == entry["file"]  # untouched
    assert data["no-column"]["file"] != old["file"] and data["no-column"]["licence"] == old["licence"]
    events = store.Store(temp_store)
    assert events.info("no-index").words and events.info("no-column").words
    assert events.info("no-column").rows == old["rows"]
    assert found("no-index") == before and found("no-column") == before
    code, _, err = run(capsys, "reindex", "--dataset", "no-index")
    assert code == 0 and "no-index: already current" in err
    code, _, err = run(capsys, "reindex", "--dataset", "us-iran-2019-2024")
    assert code == 2 and "shipped dataset" in err
    code, _, err = run(capsys, "reindex", "--dataset", "nope")
    assert code == 2 and "not a dataset of this store" in err
    # the rows were read from one file: a write is refused if another import replaced it meanwhile
    from tests.conftest import make_frame

    with pytest.raises(store.StoreError, match="changed while its rows were read"):
        store.write_dataset(
            make_frame("no-index"), "no-index", "acled", catalog_path=temp_store, replace=True, expect_file="x.parquet"
        )
    assert json.loads(temp_store.read_text())["datasets"]["no-index"]["file"] == entry["file"]  # nothing written


def test_the_wrapper_runs_the_command_line_from_any_folder_with_the_callers_paths(tmp_path, temp_store):
    """``python -m lib`` needs the project folder and its .venv ("No module named lib"
    elsewhere); scripts/sitrep runs it from anywhere, and a relative path is the caller's."""
    import shutil
    import subprocess

    folder = tmp_path / "elsewhere"
    (folder / "exports").mkdir(parents=True)
    shutil.copy(FIXTURES / "acled_current.csv", folder / "exports" / "mine.csv")
    wrapper = Path(__file__).parents[1] / "scripts" / "sitrep"
    done = subprocess.run(
        ["bash", str(wrapper), "import", "exports/mine.csv", "--dataset", "from-elsewhere"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert store.Store(temp_store).info("from-elsewhere").rows > 0
    listed = subprocess.run(["bash", str(wrapper), "datasets"], cwd=folder, capture_output=True, text=True, timeout=600)
    assert listed.returncode == 0 and "from-elsewhere" in listed.stdout
    # a failure keeps the command line's own message and exit code
    missing = subprocess.run(
        ["bash", str(wrapper), "import", "exports/none.csv", "--dataset", "x"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0 and "Traceback" not in missing.stderr and "none.csv" in missing.stderr


def test_import_takes_a_stated_date_order_for_a_file_whose_rows_cannot_show_it(capsys, tmp_path, temp_store):
    source = tmp_path / "dmy.csv"
    with open(FIXTURES / "acled_current.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r, day in zip(rows, ("03/04/2021", "05/06/2021", "07/08/2021"), strict=False):
        r["event_date"], r["time_precision"] = day, "1"  # the day itself (a month's is moved to its first day)
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, _, err = run(capsys, "import", str(source), "--dataset", "dmy", "--dry-run")
    assert "ambiguous date" in err and "--date-order day-first|month-first" in err
    code, _, err = run(capsys, "import", str(source), "--dataset", "dmy", "--date-order", "day-first")
    assert code == 0, err
    dates = store.Store(temp_store).info("dmy")
    assert (dates.min_date, dates.max_date) == ("2021-04-03", "2021-08-07")


def test_the_command_line_takes_files_above_the_data_pages_upload_limit(capsys, tmp_path, monkeypatch, temp_store):
    # the Data page sends larger files to `python -m lib import`, which refused them with its own limit
    with (FIXTURES / "acled_current.csv").open(encoding="utf-8", newline="") as fh:
        header, row = list(csv.reader(fh))[:2]
    ids = header.index("event_id_cnty")
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(6000):
            row[ids] = f"SYN{i}"
            writer.writerow(row)
    assert big.stat().st_size > 1024 * 1024
    code, _, err = run(capsys, "import", str(big), "--dataset", "big", "--max-mb", "1")
    assert code == 1 and "rows read 0" not in err, err
    # the limit is the option's, not the Data page's setting, and the user is the operator here
    assert "larger than the 1.0 MB limit given (--max-mb). Leave --max-mb out to import a file of any size." in err
    assert not temp_store.exists()
    monkeypatch.setenv("SITREP_MAX_UPLOAD_MB", "1")  # the Data page's limit: not the command line's
    code, _, err = run(capsys, "import", str(big), "--dataset", "big")
    assert code == 0, err
    assert store.Store(temp_store).info("big").rows == 6000


def test_sitrep_store_may_name_a_folder_or_the_catalog_file(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "team store"  # not there yet, no .json: a folder, made on the first import
    monkeypatch.setenv("SITREP_STORE", str(folder))
    assert store.store_path() == folder / "catalog.json"
    code, _, err = run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "acled-f")
    assert code == 0, err
    assert (folder / "catalog.json").is_file() and list(folder.glob("acled-f-*.parquet"))
    assert f"store {folder / 'catalog.json'}" in err
    existing = tmp_path / "existing"
    existing.mkdir()
    monkeypatch.setenv("SITREP_STORE", str(existing))  # a folder that is there (it read "Is a directory")
    assert store.store_path() == existing / "catalog.json"
    assert run(capsys, "datasets")[0] == 0
    for named in (tmp_path / "new.json", folder / "catalog.json"):  # a catalog file, there or not
        monkeypatch.setenv("SITREP_STORE", str(named))
        assert store.store_path() == named
    plain = tmp_path / "catalog"  # a catalog file with no suffix, already there (older stores)
    plain.write_text(json.dumps({"version": 1, "datasets": {}}))
    monkeypatch.setenv("SITREP_STORE", str(plain))
    assert store.store_path() == plain


def test_a_dataset_whose_file_is_damaged_is_removed_replaced_or_refused_as_the_app_advises(capsys, temp_store):
    """A file cut short: `datasets` and the Data page advise `delete --dataset cyc --yes`, which
    said "unknown dataset"; an import adding to it was pyarrow's traceback; reindex and export said
    it was not a dataset of the store."""
    ged = str(FIXTURES / "ucdp_ged.csv")
    assert run(capsys, "import", ged, "--dataset", "cyc")[0] == 0
    file = temp_store.parent / store.Store(temp_store).info("cyc").files[0]
    file.write_bytes(file.read_bytes()[:500])
    _, _, err = run(capsys, "datasets")
    assert "python -m lib delete --dataset cyc --yes" in err and "--replace" in err
    before = temp_store.read_bytes()
    for dry in ([], ["--dry-run"]):  # the dry run refuses what the import would
        code, _, err = run(capsys, "import", ged, "--dataset", "cyc", *dry)
        assert code == 1, err
        assert f"error: the stored file of 'cyc' ({file.name}) is damaged (" in err
        assert "import its file again with --replace" in err and "python -m lib delete --dataset cyc --yes" in err
        assert err.rstrip().endswith("the store is unchanged.")
    code, _, err = run(capsys, "reindex", "--dataset", "cyc")
    assert code == 1 and f"error: 'cyc' cannot be reindexed: its file {file.name} cannot be read (" in err
    assert "not a dataset" not in err
    code, _, err = run(capsys, "reindex")  # every dataset: this one said, not skipped in silence
    assert code == 1 and "error: 'cyc' cannot be reindexed" in err
    code, out, err = run(capsys, "export", "--dataset", "cyc")
    assert code == 1 and out == "" and f"error: the dataset 'cyc' cannot be exported: its file {file.name}" in err
    assert "unknown dataset" not in err and "--replace" in err
    assert temp_store.read_bytes() == before
    code, _, err = run(capsys, "delete", "--dataset", "cyc")
    assert code == 0 and "would delete 'cyc', which cannot be shown: its file" in err and "Add --yes" in err
    code, _, err = run(capsys, "delete", "--dataset", "cyc", "--yes")
    assert code == 0 and "deleted 'cyc'" in err, err
    events = store.Store(temp_store)
    assert events.problems == {} and "cyc" not in [d.name for d in events.datasets()]
    assert not list(temp_store.parent.glob("cyc-*"))
    # and, damaged again, --replace makes it this file's rows
    assert run(capsys, "import", ged, "--dataset", "cyc")[0] == 0
    file = temp_store.parent / store.Store(temp_store).info("cyc").files[0]
    file.write_bytes(file.read_bytes()[:500])
    code, _, err = run(capsys, "import", ged, "--dataset", "cyc", "--replace")
    assert code == 0, err
    assert store.Store(temp_store).info("cyc").rows == 4
    # replaced whole: nothing was "already present, skipped"
    assert "into 'cyc' (--replace; it held none that could be read)" in err and "already present" not in err, err


@pytest.mark.parametrize(
    "content", ["{}", "null", '{"datasets": []}', '{"datasets": {"x": 5}}', '{"datasets": {"x": {}}}']
)
def test_a_catalog_of_the_wrong_shape_is_said_by_every_command_not_a_traceback(capsys, temp_store, content):
    temp_store.parent.mkdir(parents=True)
    temp_store.write_text(content)
    whole = "datasets" not in content or "[]" in content  # the catalog itself is not one; else one entry
    commands = [
        ["datasets"],
        ["import", str(FIXTURES / "ucdp_ged.csv"), "--dataset", "x"],
        ["export", "--dataset", "x"],
        ["reindex", "--dataset", "x"],
        ["delete", "--dataset", "x"],
    ]
    for argv in commands:
        code, _, err = run(capsys, *argv)  # no exception: each says what is wrong
        if whole:
            assert code == 1, (argv, err)
            assert f"error: the store catalog {temp_store} cannot be read (it is not a Sitrep catalog: " in err
            assert "Restore it from a backup, or point SITREP_STORE at another file" in err
        else:
            entry = (
                "error: the catalog's entry for 'x' "
                if argv[0] == "import"
                else f"its entry in the catalog {temp_store} "
            )
            assert entry in err, (argv, err)
            assert code == (0 if argv[0] in ("datasets", "delete") else 1), (argv, err)
    if not whole:  # the way out the problem gives
        code, _, err = run(capsys, "delete", "--dataset", "x", "--yes")
        assert code == 0 and "deleted 'x'" in err
        assert json.loads(temp_store.read_text())["datasets"] == {}


def test_an_export_that_cannot_be_written_says_so_and_leaves_no_partial_file(capsys, tmp_path, monkeypatch):
    """`--output /dev/full` was an OSError traceback; a disk that filled during an export left a
    part of the file under the export's name, though the message said "nothing exported"."""
    if Path("/dev/full").exists():
        code, _, err = run(capsys, "export", "--output", "/dev/full")
        assert code == 1 and "error: cannot write /dev/full: no space left on device." in err, err
        assert "nothing exported" in err
    target = tmp_path / "out.csv"
    target.write_text("an earlier export\n")
    real = exports.write_csv

    def fills_the_disk(batches, out):
        real(batches, out)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "write_csv", fills_the_disk)
    code, _, err = run(capsys, "export", "--output", str(target))
    assert code == 1 and f"error: cannot write {target}: no space left on device. Free some space" in err
    assert "nothing exported" in err
    assert target.read_text() == "an earlier export\n"  # neither cut short nor replaced
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "store") == ["out.csv"]  # no temporary file left
    monkeypatch.setattr(exports, "write_csv", real)
    target.chmod(0o640)
    code, _, err = run(capsys, "export", "--output", str(target))
    assert code == 0, err
    assert target.read_text().startswith("event_id,") and target.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "fresh.csv"  # a new file, made as open() would make it
    assert run(capsys, "export", "--output", str(fresh))[0] == 0
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_reader_that_stops_reading_ends_the_export_quietly(temp_store):
    """`export | head -1`: a BrokenPipeError traceback once the reader had gone."""
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader has gone before the first row
    try:
        done = subprocess.run(
            [sys.executable, "-m", "lib", "export"],
            cwd=Path(__file__).parents[1],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=600,
        )
    finally:
        os.close(write)
    assert done.returncode == 141 and done.stderr == ""  # as a Unix tool killed by SIGPIPE, without a word


def test_a_store_that_cannot_be_changed_is_said_by_delete_as_by_import(capsys, temp_store, monkeypatch):
    """A read-only store: `delete --yes` was a PermissionError traceback on catalog.json.lock."""
    assert run(capsys, "import", str(FIXTURES / "ucdp_ged.csv"), "--dataset", "kept")[0] == 0
    before = temp_store.read_bytes()
    real_open = open

    def read_only(path, *args, **kwargs):  # as for a user who may read the store, not write it
        if str(path).endswith(".lock"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(store, "open", read_only, raising=False)
    said = (
        f"the store in {temp_store.parent} cannot be changed (permission denied: {temp_store}.lock). Run this as a "
        "user who may write there, or point SITREP_STORE at a store you may change"
    )
    for argv, tail in (
        (["delete", "--dataset", "kept", "--yes"], "the store is unchanged."),
        (["import", str(FIXTURES / "acled_current.csv"), "--dataset", "other"], "the store is unchanged."),
        (["reindex", "--dataset", "kept"], "the dataset is as it was."),  # as before: said by reindex's own line
    ):
        code, _, err = run(capsys, *argv)
        assert code == 1 and f"{said}; {tail}" in err and "Traceback" not in err, err
    assert temp_store.read_bytes() == before


def test_a_store_named_inside_a_file_is_said_as_such(capsys, tmp_path, monkeypatch):
    """SITREP_STORE=/data/events.csv/catalog.json: a NotADirectoryError traceback on `datasets` and `import`."""
    blocker = tmp_path / "events.csv"
    blocker.write_text("event_id\n")
    for named in (blocker / "catalog.json", blocker / "store" / "catalog.json"):
        monkeypatch.setenv("SITREP_STORE", str(named))
        for argv in (["datasets"], ["import", str(FIXTURES / "ucdp_ged.csv"), "--dataset", "x"], ["export"]):
            code, _, err = run(capsys, *argv)
            assert code == 1, err
            assert f"error: the store {named} cannot be opened: {blocker} is a file, not a folder. Point " in err
    assert blocker.read_text() == "event_id\n"


def test_an_operating_system_error_is_one_line_not_a_traceback(capsys, monkeypatch):
    """The last resort: an OSError no command expected (a disk failing) is said in a line."""

    def failing(*args, **kwargs):
        raise OSError(5, "Input/output error", "/srv/sitrep/catalog.json")

    monkeypatch.setattr(store, "Store", failing)
    code, out, err = run(capsys, "datasets")
    assert code == 1 and out == ""
    assert err.startswith("error: datasets failed: input/output error (/srv/sitrep/catalog.json). Check that")
    assert len(err.strip().splitlines()) == 1


def test_a_store_error_goes_on_into_the_store_is_unchanged_without_a_stray_full_stop(capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise store.StoreError("the store catalog x cannot be read (…). … the Parquet files beside it are intact.")

    monkeypatch.setattr(store, "write_dataset", refuse)
    code, _, err = run(capsys, "import", str(FIXTURES / "ucdp_ged.csv"), "--dataset", "keep")
    assert code == 1 and "are intact; the store is unchanged." in err, err
    assert ".;" not in err, err


def test_an_export_whose_temporary_batches_cannot_be_written_says_so_in_one_line(tmp_path):
    """Each CSV batch passes through a file in the temporary folder: a full disk there (or a
    file size limit) gave DuckDB's IOException as a traceback."""
    import resource
    import subprocess
    import sys

    def small_files() -> None:  # Python ignores SIGXFSZ: a write past the limit fails, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    target = tmp_path / "out.csv"
    done = subprocess.run(
        [sys.executable, "-m", "lib", "export", "--output", str(target)],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "SITREP_STORE": "", "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "could not hold a batch" in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and not target.exists()


def test_a_replace_reports_what_it_replaced_under_the_lock_and_a_full_disk_is_said(capsys, temp_store, monkeypatch):
    """Counted before the store's lock, two --replace at once both said "replaced the 300,000
    events", where the second replaced the first's 100,000; and a full disk was the system's words."""
    assert run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "acled-test")[0] == 0
    real = store.write_dataset

    def another_import_first(frame, dataset, *args, **kwargs):  # lands while this one reads its file
        real(frame.head(1), dataset, "acled", replace=True)
        return real(frame, dataset, *args, **kwargs)

    monkeypatch.setattr(store, "write_dataset", another_import_first)
    code, _, err = run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "acled-test", "--replace")
    assert code == 0, err
    assert "replaced the 1 event of 'acled-test' with the 3 of this file" in err
    monkeypatch.setattr(store, "delete_dataset", lambda *a, **k: 7)
    code, _, err = run(capsys, "delete", "--dataset", "acled-test", "--yes")
    assert code == 0 and "deleted 'acled-test' (7 events)" in err  # as the store counted it, under its lock

    def full(*args, **kwargs):
        raise store.StoreError("could not index the words of the search (Out of Memory Error: failed to offload x)")

    monkeypatch.setattr(store, "write_dataset", full)
    code, _, err = run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "other")
    assert code == 1 and "the store is unchanged. The disk holding the store (" in err and "is full" in err


def test_delete_removes_the_files_a_killed_import_left_before_the_catalog_named_them(capsys, temp_store):
    """An import killed between writing its files and the catalog left them under their final
    names; `delete` called the dataset unknown, and the rows stayed on the disk."""
    assert run(capsys, "import", str(FIXTURES / "acled_current.csv"), "--dataset", "kept")[0] == 0
    folder = store.store_path().parent
    left = [folder / "orphan-0123456789ab.parquet", folder / "orphan-0123456789ab.postings.parquet"]
    for path in left:
        path.write_bytes(b"PAR1")
    mine = folder / "orphan-notes.parquet"  # not named as a version: a file of the user's, kept
    mine.write_bytes(b"PAR1")
    code, _, err = run(capsys, "delete", "--dataset", "orphan")
    assert code == 0 and "an import of it that did not finish left 2 files" in err and "--yes" in err
    assert all(path.exists() for path in left)
    code, _, err = run(capsys, "delete", "--dataset", "orphan", "--yes")
    assert code == 0 and "deleted 2 files an import of 'orphan' left" in err
    assert not any(path.exists() for path in left) and mine.exists()
    assert store.Store().info("kept").rows == 3  # the store's own dataset untouched
    code, _, err = run(capsys, "delete", "--dataset", "orphan", "--yes")
    assert code == 2 and "unknown dataset 'orphan'" in err
