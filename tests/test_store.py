"""The store: all-or-nothing imports, no duplicates on re-import, readers unaffected by writers."""

import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from lib import store
from lib.filters import FilterState
from lib.queries import count_events, event_detail, events_page
from tests.conftest import make_frame


def test_import_then_reimport_adds_nothing(catalog):
    added, skipped, *_ = store.write_dataset(make_frame(), "mine", "csv", catalog_path=catalog)
    assert (added, skipped) == (5, 0)
    version = json.loads(catalog.read_text())["version"]
    added, skipped, *_ = store.write_dataset(make_frame(), "mine", "csv", catalog_path=catalog)
    assert (added, skipped) == (0, 5)
    assert json.loads(catalog.read_text())["version"] == version  # nothing rewritten
    assert store.Store(catalog).info("mine").rows == 5


def test_import_adds_only_new_ids(catalog):
    frame = make_frame()
    store.write_dataset(frame.iloc[:3], "mine", "csv", catalog_path=catalog)
    added, skipped, *_ = store.write_dataset(frame.iloc[1:], "mine", "csv", catalog_path=catalog)
    assert (added, skipped) == (2, 2)
    info = store.Store(catalog).info("mine")
    assert (info.rows, info.min_date, info.max_date) == (5, "2019-12-31", "2021-02-25")


def test_bad_dataset_names_are_refused(catalog):
    for name in ["", "../x", "Upper", "a b", "x" * 65]:
        with pytest.raises(ValueError, match="not allowed"):
            store.write_dataset(make_frame(), name, "csv", catalog_path=catalog)
    assert not catalog.exists()


def test_shipped_dataset_name_is_reserved(catalog):
    with pytest.raises(store.StoreError, match="shipped dataset"):
        store.write_dataset(make_frame(), store.shipped_dataset_names()[0], "csv", catalog_path=catalog)


def test_a_reader_sees_a_new_import_after_refresh(catalog, registry):
    reader = store.Store(catalog)
    assert "late" not in [d.name for d in reader.datasets()]
    store.write_dataset(make_frame(), "late", "csv", catalog_path=catalog)
    reader.refresh()
    assert count_events(reader, FilterState(dataset="late"), registry) == 5


KILLER = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, sys.argv[2])
    from lib import store
    from tests.conftest import make_frame
    real = store.write_parquet
    def slow(*args, **kwargs):
        real(*args, **kwargs)
        print("written", flush=True)
        time.sleep(60)  # killed here: the new file exists, the catalog is not switched yet
    store.write_parquet = slow
    store.write_dataset(make_frame(), "mine", "csv", catalog_path=__import__("pathlib").Path(sys.argv[1]), replace=True)
    """
)


def test_a_killed_import_leaves_the_store_as_it_was(catalog, registry, tmp_path):
    store.write_dataset(make_frame().iloc[:2], "mine", "csv", catalog_path=catalog)
    before = catalog.read_bytes()
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, str(script), str(catalog), root], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "written"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert catalog.read_bytes() == before
    reader = store.Store(catalog)
    assert count_events(reader, FilterState(dataset="mine"), registry) == 2
    # and the next import works normally (the lock died with the process)
    assert store.write_dataset(make_frame(), "mine", "csv", catalog_path=catalog)[:3] == (3, 2, 0)


def test_readers_keep_working_while_another_process_imports(catalog, registry):
    store.write_dataset(make_frame(), "mine", "csv", catalog_path=catalog)
    reader = store.Store(catalog)
    with store.Catalog(catalog).locked():  # an import in progress holds the lock
        reader.refresh()
        assert count_events(reader, FilterState(dataset="mine"), registry) == 5


def test_unreadable_catalog_gives_a_clear_error(catalog):
    catalog.parent.mkdir(parents=True)
    catalog.write_text("{not json")
    with pytest.raises(store.StoreError, match="cannot be read"):
        store.Store(catalog)


def test_shipped_data_loads_without_a_writable_store(tmp_path):
    read_only = tmp_path / "ro"
    read_only.mkdir()
    os.chmod(read_only, 0o555)
    shipped = store.Store(read_only / "catalog.json")
    assert shipped.datasets()[0].shipped
    assert shipped.datasets()[0].rows > 0


def test_suggested_dataset_names_are_valid():
    assert store.suggest_dataset_name("ACLED Iraq 2024.xlsx") == "acled-iraq-2024"
    assert store.suggest_dataset_name("ged231.csv") == "ged231"
    assert store.suggest_dataset_name("___.csv") == "imported"  # a name must start with a letter or digit
    assert store.suggest_dataset_name("événements Irak.csv") == "evenements-irak"  # accents as base letters
    assert store.suggest_dataset_name("¿¿.csv") == "imported"


def _acled_named(frame):
    """The fixture with its US attacks named as ACLED names them, one per government period."""
    frame = frame.copy()
    us = frame["actor1"] == "United States"
    assert us.sum() >= 1
    frame.loc[us, "actor1"] = "Military Forces of the United States (2021-)"
    first_other = frame.index[~us][0]
    frame.loc[first_other, "actor1"] = "Military Forces of the United States (2017-2021)"
    return frame, int(us.sum()) + 1


def test_acled_period_names_match_the_registrys_actor_and_affiliation(catalog, registry):
    frame, us_rows = _acled_named(make_frame("acled-like"))
    store.write_dataset(frame, "acled-like", "acled", catalog_path=catalog)
    events = store.Store(catalog)
    for state in (FilterState(dataset="acled-like", attacker=("United States",)),
                  FilterState(dataset="acled-like", actor=("United States",))):  # fmt: skip
        assert count_events(events, state, registry) >= us_rows
    coalition = FilterState(dataset="acled-like", affiliation=("US-led coalition",))
    assert count_events(events, coalition, registry) >= us_rows


def test_a_dataset_imported_before_the_period_rule_still_matches(catalog, registry):
    """Its stored keys keep the period; the catalog has no 'actor_keys' version; the view refolds them."""
    import pyarrow.parquet as pq

    frame, us_rows = _acled_named(make_frame("old-acled"))
    store.write_dataset(frame, "old-acled", "acled", catalog_path=catalog)
    data = json.loads(catalog.read_text())
    entry = data["datasets"]["old-acled"]
    del entry["actor_keys"]
    path = catalog.parent / entry["file"]
    table = pq.read_table(path)
    # the keys as the old actor_key made them: case and spaces folded, the period kept
    names = zip(table.column("actor1").to_pylist(), table.column("assoc_actor_1").to_pylist(), strict=True)
    old_keys = [sorted({" ".join(n.casefold().split()) for n in [a, *(b or "").split("; ")] if n}) for a, b in names]
    table = table.set_column(table.schema.get_field_index("attacker_keys"), "attacker_keys", [old_keys])
    pq.write_table(table, path)
    catalog.write_text(json.dumps(data))
    assert any("(2021-)" in k for row in old_keys for k in row)  # the legacy form is really stored
    events = store.Store(catalog)
    state = FilterState(dataset="old-acled", attacker=("United States",))
    assert count_events(events, state, registry) >= us_rows
    seen = events.cursor().execute(f"SELECT attacker_keys FROM {events.relation('old-acled')}").fetchall()
    assert not any("(20" in k for (row,) in seen for k in row)


def test_the_search_reads_one_stored_column_and_a_file_made_before_it_finds_the_same(catalog, registry):
    """An import stores the search text (store.search_column): the eight fields, apostrophes
    out, lower-cased. A file made before has no such column and no 'search' version in the
    catalog: its view computes the column (LEGACY_SEARCH_SQL), and finds the same events."""
    import pyarrow.parquet as pq

    frame = make_frame("new")
    frame.loc[0, "notes"] = "US officials blamed KATA’IB Hezbollah."
    frame.loc[1, "location"] = "Dayr az-Zawr, near Kirkūk (Şanlıurfa Straße)"
    store.write_dataset(frame, "new", "csv", catalog_path=catalog)
    store.write_dataset(frame.assign(dataset="old"), "old", "csv", catalog_path=catalog)
    data = json.loads(catalog.read_text())
    entry = data["datasets"]["old"]
    del entry["search"]
    path = catalog.parent / entry["file"]
    stored = pq.read_table(path)
    assert "search" in stored.column_names
    texts = dict(zip(stored.column("event_id").to_pylist(), stored.column("search").to_pylist(), strict=True))
    assert "kataib hezbollah" in texts["t:1"] and "\x1f" in texts["t:1"]  # fields joined, apostrophes out, lower case
    pq.write_table(stored.drop_columns(["search"]), path)  # as an import made it before
    catalog.write_text(json.dumps(data))
    events = store.Store(catalog)
    queries = ["kataib", "Kata'ib Hezbollah", "KH", "Baghdad", "fixture event t:3", "embassy", "t:2", "'"]
    for q in [*queries, "Kirkuk", "az zawr", "Sanliurfa", "strasse", "Şanlıurfa"]:
        found = {
            name: set(events_page(events, FilterState(dataset=name, q=q), registry, 0, 100)["event_id"])
            for name in ("new", "old")
        }
        assert found["new"] == found["old"], q
    assert set(events_page(events, FilterState(dataset="old", q="kataib"), registry, 0, 100)["event_id"]) >= {"t:1"}
    assert set(events_page(events, FilterState(dataset="old", q="Kirkuk"), registry, 0, 100)["event_id"]) == {"t:2"}
    # the search text is Sitrep's own: not in an event's details or a download
    assert "search" not in event_detail(events, "new", "t:1")


def test_an_import_indexes_the_words_of_the_search_and_a_file_without_its_index_reads_the_text(catalog, registry):
    """An import writes the index of words beside the dataset's file (store.write_word_index)
    and leaves no spilled sort behind; a dataset whose index is gone (or made before) is
    searched on its text, and finds the same."""
    frame = make_frame("idx")
    store.write_dataset(frame, "idx", "csv", catalog_path=catalog)
    store.write_dataset(frame.assign(dataset="bare"), "bare", "csv", catalog_path=catalog)
    data = store.Catalog(catalog).read()["datasets"]
    assert data["idx"]["words"] == store.WORDS_VERSION
    assert not list(catalog.parent.glob(".duckdb-*")) and not list(catalog.parent.glob(".import-*"))
    postings, words = (catalog.parent / name for name in store.word_files(data["bare"]["file"]))
    assert postings.exists() and words.exists()
    postings.unlink()
    events = store.Store(catalog)
    assert events.info("idx").words and not events.info("bare").words
    for q in ["embassy", "KH", "fixture event t:3", "t:2", "al", "kataib hezbollah", "nowhere"]:
        found = {
            name: set(events_page(events, FilterState(dataset=name, q=q), registry, 0, 100)["event_id"])
            for name in ("idx", "bare")
        }
        assert found["idx"] == found["bare"], q
    assert count_events(events, FilterState(dataset="idx", q="fixture event t:3"), registry) == 1


def test_a_removed_dataset_leaves_no_file_behind_and_the_others_are_kept(catalog, registry):
    frame = make_frame("gone")
    store.write_dataset(frame.iloc[:2], "gone", "acled", catalog_path=catalog)
    store.write_dataset(frame, "gone", "acled", catalog_path=catalog)  # the first file is kept a while for readers
    store.write_dataset(make_frame("gone-not"), "gone-not", "csv", catalog_path=catalog)  # a name it begins
    store.write_dataset(make_frame("kept"), "kept", "csv", catalog_path=catalog)
    before = sorted(p.name for p in catalog.parent.glob("*.parquet"))
    assert len(before) == 12  # each dataset's files (a file and the two of its index of words), and the old one's
    assert store.delete_dataset("gone", catalog_path=catalog)
    left = sorted(p.name for p in catalog.parent.glob("*.parquet"))
    files = sorted(name for name in left if name.count(".") == 1)
    assert [name.rsplit("-", 1)[0] for name in files] == ["gone-not", "kept"]
    # the removed rows are off the disk at once, not at the next import, in every version; the
    # others' files and their indexes are all there
    assert left == sorted(name for file in files for name in (file, *store.word_files(file)))
    events = store.Store(catalog)
    assert [d.name for d in events.datasets() if not d.shipped] == ["gone-not", "kept"]
    for name in ("gone-not", "kept"):
        assert count_events(events, FilterState(dataset=name), registry) == len(make_frame(name))
    assert not store.delete_dataset("gone", catalog_path=catalog)


def test_a_dataset_holds_one_format_so_its_licence_is_never_overwritten(catalog):
    store.write_dataset(make_frame("mix"), "mix", "acled", catalog_path=catalog)
    other = make_frame("mix")
    other["event_id"] = other["event_id"] + "-u"
    with pytest.raises(store.StoreError, match=r"'mix' holds ACLED data and this is a UCDP GED file"):
        store.write_dataset(other, "mix", "ucdp", catalog_path=catalog)
    info = store.Store(catalog).info("mix")
    assert info.source_format == "acled" and "forbid redistributing" in info.licence and info.rows == 5
    store.write_dataset(other, "mix", "ucdp", catalog_path=catalog, replace=True)  # said outright: allowed
    assert store.Store(catalog).info("mix").source_format == "ucdp"


def test_a_plain_tables_licence_is_stated_at_import_kept_after_and_changed_alone(catalog):
    frame = make_frame("own")
    store.write_dataset(frame.head(2), "own", "csv", catalog_path=catalog, licence="  CC BY 4.0:\n cite X ")
    assert store.Store(catalog).info("own").licence == "CC BY 4.0: cite X"  # one line
    store.write_dataset(frame.head(3), "own", "csv", catalog_path=catalog)  # no licence given: kept
    assert store.Store(catalog).info("own").licence == "CC BY 4.0: cite X"
    before = json.loads(catalog.read_text())["datasets"]["own"]["file"]
    result = store.write_dataset(frame.head(3), "own", "csv", catalog_path=catalog, licence="CC0")
    after = store.Store(catalog).info("own")  # the licence alone changed; the rows are as they were
    assert (result.added, after.licence, after.rows) == (0, "CC0", 3)
    assert json.loads(catalog.read_text())["datasets"]["own"]["file"] == before  # not written again
    store.write_dataset(frame, "own", "csv", catalog_path=catalog, replace=True)
    assert store.Store(catalog).info("own").licence == "CC0"  # replacing the rows keeps the terms
    store.write_dataset(frame, "other", "csv", catalog_path=catalog)
    assert store.Store(catalog).info("other").licence == store.LICENCES["csv"]
    for bad, says in (
        ("", "the licence is empty"),
        ("x" * 301, "the licence is 301 characters long; give at most 300"),
    ):
        with pytest.raises(store.StoreError, match=says):
            store.write_dataset(frame, "own", "csv", catalog_path=catalog, licence=bad)
    with pytest.raises(store.StoreError, match="a licence can be given for a plain table only: ACLED data"):
        store.write_dataset(make_frame("acl"), "acl", "acled", catalog_path=catalog, licence="mine")
    assert "acl" not in {d.name for d in store.Store(catalog).datasets()}
    assert store.Store(catalog).info("own").licence == "CC0"  # nothing lost to the refusals


def test_a_dataset_whose_file_went_missing_says_so_on_import(catalog):
    store.write_dataset(make_frame("lost"), "lost", "csv", catalog_path=catalog)
    for path in catalog.parent.glob("lost-*.parquet"):
        path.unlink()
    with pytest.raises(store.StoreError, match=r"the file of .lost. .* is missing .*python -m lib delete"):
        store.write_dataset(make_frame("lost"), "lost", "csv", catalog_path=catalog)


def test_a_superseded_file_is_kept_for_readers_for_the_grace_period_counted_from_its_replacement(catalog):
    first = make_frame("grace")
    store.write_dataset(first.head(3), "grace", "csv", catalog_path=catalog)
    (file,) = (store.Catalog(catalog).read()["datasets"]["grace"]["file"],)
    old = [catalog.parent / name for name in (file, *store.word_files(file))]  # the file and its index
    assert all(path.exists() for path in old)
    long_ago = old[0].stat().st_mtime - 2 * store.GARBAGE_AGE_SECONDS
    for path in old:
        os.utime(path, (long_ago, long_ago))  # made long ago, superseded only now
    store.write_dataset(first, "grace", "csv", catalog_path=catalog)
    assert all(path.exists() for path in old)  # a reader that opened them a moment ago can still finish
    for path in old:
        os.utime(path, (long_ago, long_ago))
    store.write_dataset(first.assign(event_id=first["event_id"] + "-b"), "grace", "csv", catalog_path=catalog)
    assert not any(path.exists() for path in old)  # past its grace: collected
    # left: the second version, in its grace, and the current one, each a file and its index
    assert len(list(catalog.parent.glob("*.parquet"))) == 6


def test_a_response_to_naming_an_event_in_neither_the_file_nor_the_dataset_is_warned_of(tmp_path):
    catalog = tmp_path / "catalog.json"
    frame = make_frame("answers")
    assert store.unknown_responses(frame, "answers", catalog) == []  # t:2 → t:1, t:4 → t:3: all in the file
    later = make_frame("answers").head(2).copy()
    later["event_id"] = ["t:6", "t:7"]
    later["response_to"] = ["t:3; t:99", "t:99"]
    warning, other = store.unknown_responses(later, "answers", catalog)  # t:3 is not stored yet
    assert not warning.fatal and warning.column == "response_to"
    assert str(warning) == (
        "column 'response_to': 't:99', named as the event answered by t:6, t:7, is in neither this file nor "
        "'answers': the details will show its id, not the event. Correct the id, or import that event too"
    )
    assert other.message.startswith("'t:3', named as the event answered by t:6, is in neither")
    store.write_dataset(frame, "answers", "csv", catalog_path=catalog)
    assert [p.message.split(",")[0] for p in store.unknown_responses(later, "answers", catalog)] == ["'t:99'"]
    # replacing the dataset drops what it held: t:3 is then missing too
    assert len(store.unknown_responses(later, "answers", catalog, replace=True)) == 2


def test_an_index_that_cannot_be_written_leaves_the_store_as_it_was(catalog, monkeypatch):
    """The index of words is written before the catalog names the new file: if DuckDB fails
    there (a full disk, no memory), the import says so as a StoreError and nothing changes."""
    store.write_dataset(make_frame("held"), "held", "csv", catalog_path=catalog)
    before = store.Catalog(catalog).read()
    files = sorted(p.name for p in catalog.parent.iterdir())
    monkeypatch.setattr(store, "WORDS_MEMORY", "1KB")  # too little for any sort
    with pytest.raises(store.StoreError, match="could not index the words of the search"):
        store.write_dataset(make_frame("held").assign(event_id=lambda f: f["event_id"] + "-new"), "held", "csv",
                            catalog_path=catalog)  # fmt: skip
    assert store.Catalog(catalog).read() == before
    assert sorted(p.name for p in catalog.parent.iterdir()) == files  # no file of the failed import left


def test_a_damaged_file_costs_its_dataset_only_and_is_said_with_what_to_do(catalog, registry):
    """A file cut short (a copy of the store interrupted, a full disk): the store opened with a
    DuckDB traceback, and every dataset, the shipped one too, was lost to the app."""
    store.write_dataset(make_frame("broken"), "broken", "csv", catalog_path=catalog)
    store.write_dataset(make_frame("slow"), "slow", "csv", catalog_path=catalog)
    store.write_dataset(make_frame("fine"), "fine", "csv", catalog_path=catalog)
    entries = json.loads(catalog.read_text())["datasets"]
    (catalog.parent / entries["broken"]["file"]).write_bytes(b"PAR1 cut short")
    postings, _ = store.word_files(entries["slow"]["file"])
    (catalog.parent / postings).write_bytes(b"PAR1 cut short")
    events = store.Store(catalog)
    assert [d.name for d in events.datasets() if not d.shipped] == ["fine", "slow"]
    assert set(events.problems) == {"broken", "slow"}
    assert events.problems["broken"].startswith(f"its file {entries['broken']['file']} cannot be read (")
    assert "python -m lib delete --dataset broken --yes" in events.problems["broken"]
    assert "python -m lib reindex --dataset slow" in events.problems["slow"]
    # the others whole; the one without its index searched by its text, finding the same
    assert not events.info("slow").words and events.info("fine").words
    for name in ("fine", "slow"):
        assert count_events(events, FilterState(dataset=name), registry) == len(make_frame(name))
        assert count_events(events, FilterState(dataset=name, q="fixture event t:3"), registry) == 1
    # reindex writes the damaged index again (it had said "current": the files were there)
    assert store.index_dataset("slow", catalog_path=catalog) == "indexed"
    # and a removal takes the damaged dataset off the catalog and the disk
    assert store.delete_dataset("broken", catalog_path=catalog)
    events.refresh()
    assert events.problems == {} and events.info("slow").words
    assert not (catalog.parent / entries["broken"]["file"]).exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("{}", 'it has no "datasets"'),
        ("null", 'it holds null, not an object with "datasets"'),
        ("[]", 'it holds a list, not an object with "datasets"'),
        ('{"datasets": []}', 'its "datasets" is a list, not an object of datasets by name'),
        ('{"datasets": 5}', 'its "datasets" is the number 5, not an object of datasets by name'),
        ('{"version": "two", "datasets": {}}', "its \"version\" is the text 'two', not a whole number"),
    ],
)
def test_a_catalog_of_the_wrong_shape_is_said_as_unreadable_not_a_traceback(catalog, content, said):
    """Valid JSON, but not a catalog: opening the store gave a KeyError, TypeError or
    AttributeError (Streamlit's error page on every page of the app); imports and removals too."""
    catalog.parent.mkdir(parents=True)
    catalog.write_text(content)
    expected = rf"the store catalog {catalog} cannot be read \(it is not a Sitrep catalog: .*Restore it from a backup"
    with pytest.raises(store.StoreError, match=expected) as opened:
        store.Store(catalog)
    assert said in str(opened.value)
    for change in (
        lambda: store.write_dataset(make_frame("x"), "x", "csv", catalog_path=catalog),
        lambda: store.delete_dataset("x", catalog_path=catalog),
        lambda: store.index_dataset("x", catalog_path=catalog),
        lambda: store.compare_with_stored(make_frame("x"), "x", catalog_path=catalog),
    ):
        with pytest.raises(store.StoreError, match="not a Sitrep catalog"):
            change()
    assert catalog.read_text() == content  # left for its owner to restore


def test_a_catalog_entry_of_the_wrong_shape_costs_its_dataset_only(catalog, registry):
    """An entry edited by hand or cut short (no file, no count, not an object): that dataset is
    listed as a problem with what is wrong, as a damaged file is; the others are shown, and the
    way out the problem gives (an import with replace, a removal) works."""
    store.write_dataset(make_frame("fine"), "fine", "csv", catalog_path=catalog)
    store.write_dataset(make_frame("count"), "count", "csv", catalog_path=catalog)
    data = json.loads(catalog.read_text())
    data["datasets"]["count"]["rows"] = "many"
    data["datasets"]["five"] = 5
    data["datasets"]["empty"] = {}
    data["datasets"]["away"] = {"file": "../../elsewhere.parquet", "rows": 3}
    data["datasets"]["dated"] = {**data["datasets"]["fine"], "min_date": "soon"}
    catalog.write_text(json.dumps(data))
    events = store.Store(catalog)
    assert [d.name for d in events.datasets() if not d.shipped] == ["fine"]
    assert count_events(events, FilterState(dataset="fine"), registry) == 5
    said = {
        "count": "has \"rows\" the text 'many', not a count",
        "five": "is the number 5, not an object of fields",
        "empty": 'names no file ("file")',
        "away": "names no file it could hold (\"file\" is the text '../../elsewhere.parquet')",
        "dated": "has \"min_date\" the text 'soon', not a date (YYYY-MM-DD)",
    }
    assert set(events.problems) == set(said)
    for name, what in said.items():
        assert events.problems[name].startswith(f"its entry in the catalog {catalog} {what}. Whoever runs the server")
    assert all("python -m lib delete --dataset" in p and "--replace" in p for p in events.problems.values())
    # adding to such a dataset is refused in words; replacing it, or removing it, works
    with pytest.raises(store.StoreError, match=r"the catalog's entry for 'five' is the number 5, .*--replace"):
        store.write_dataset(make_frame("five"), "five", "csv", catalog_path=catalog)
    with pytest.raises(store.StoreError, match=r"the catalog's entry for 'count' has \"rows\""):
        store.index_dataset("count", catalog_path=catalog)
    assert store.write_dataset(make_frame("five"), "five", "csv", catalog_path=catalog, replace=True).added == 5
    for name in ("empty", "away", "count"):
        assert store.delete_dataset(name, catalog_path=catalog) is not None
    events.refresh()
    assert set(events.problems) == {"dated"} and events.info("five").rows == 5
    assert (catalog.parent / data["datasets"]["dated"]["file"]).exists()  # named by an entry: never collected


def test_an_import_into_a_dataset_whose_file_is_damaged_is_refused_in_words(catalog):
    """A file cut short: an import adding to it raised pyarrow's ArrowInvalid (the command line's
    traceback, the Data page's error page); now a StoreError that says the file is damaged and
    what to do. Replacing its rows works, and so does removing it."""
    store.write_dataset(make_frame("cyc"), "cyc", "csv", catalog_path=catalog)
    file = catalog.parent / json.loads(catalog.read_text())["datasets"]["cyc"]["file"]
    os.truncate(file, 500)
    before = catalog.read_text()
    refused = (
        rf"the stored file of 'cyc' \({file.name}\) is damaged \(.+\), so this file's events cannot be added to its "
        r"own: import its file again with --replace \(python -m lib import FILE --dataset cyc --replace\), or "
        r"remove the dataset \(python -m lib delete --dataset cyc --yes\)"
    )
    with pytest.raises(store.StoreError, match=refused):
        store.write_dataset(make_frame("cyc"), "cyc", "csv", catalog_path=catalog)
    with pytest.raises(store.StoreError, match=refused):
        store.write_dataset(make_frame("cyc"), "cyc", "csv", catalog_path=catalog, update=True)
    assert re.fullmatch(refused, store.stored_problem("cyc", catalog_path=catalog))
    with pytest.raises(store.StoreError, match=rf"the stored file of 'cyc' \({file.name}\) is damaged .*--replace"):
        store.index_dataset("cyc", catalog_path=catalog)
    assert catalog.read_text() == before
    # what the Data page and the command line ask before an import: answered, not a traceback
    assert store.compare_with_stored(make_frame("cyc"), "cyc", catalog_path=catalog) == (0, 0)
    later = make_frame("cyc").head(1).assign(event_id="t:9", response_to="t:1")
    assert [p.column for p in store.unknown_responses(later, "cyc", catalog)] == ["response_to"]
    assert store.write_dataset(make_frame("cyc"), "cyc", "csv", catalog_path=catalog, replace=True).added == 5
    assert store.stored_problem("cyc", catalog_path=catalog) is None
    assert store.Store(catalog).info("cyc").rows == 5


def test_the_collection_removes_only_this_stores_superseded_versions_never_other_files_of_its_folder(tmp_path):
    """It removed every Parquet file of the folder that its catalog did not name: a user's own
    file, and the datasets of another catalog kept in the same folder (two stores in /tmp)."""
    mine, other = tmp_path / "mine.json", tmp_path / "other.json"
    store.write_dataset(make_frame("theirs"), "theirs", "csv", catalog_path=other)
    store.write_dataset(make_frame("ours"), "ours", "csv", catalog_path=mine)
    users = tmp_path / "acled-2024.parquet"
    users.write_bytes(b"PAR1 the user's own file")
    first = store.Catalog(mine).read()["datasets"]["ours"]["file"]
    long_ago = time.time() - 2 * store.GARBAGE_AGE_SECONDS
    for path in tmp_path.glob("*.parquet"):
        os.utime(path, (long_ago, long_ago))
    frame = make_frame("ours")
    store.write_dataset(frame.assign(event_id=frame["event_id"] + "-b"), "ours", "csv", catalog_path=mine)
    for path in [tmp_path / first, *(tmp_path / name for name in store.word_files(first))]:
        os.utime(path, (long_ago, long_ago))  # its grace over: the next import collects it
    store.write_dataset(frame.assign(event_id=frame["event_id"] + "-c"), "ours", "csv", catalog_path=mine)
    assert not (tmp_path / first).exists()  # this store's superseded version: collected
    assert users.exists()  # not a file of this store's naming
    theirs = store.Store(other)
    assert [d.name for d in theirs.datasets() if not d.shipped] == ["theirs"] and not theirs.problems


def test_a_sort_past_the_stores_memory_spills_into_a_temporary_folder_of_its_own(tmp_path, monkeypatch):
    """DuckDB's default spill folder is ".tmp" in the current folder: a command line's large
    export left one in the user's folder, and a read-only project folder failed the sort."""
    monkeypatch.chdir(tmp_path)
    events = store.Store(tmp_path / "catalog.json")
    folder = events.con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    assert Path(folder).parent == Path(tempfile.gettempdir()) and Path(folder).is_dir()
    events.con.execute("SET memory_limit = '64MB'")  # so that this sort must spill (DuckDB's default: ./.tmp)
    sorted_rows = events.con.sql(
        "SELECT i, repeat('x', 100) || i::VARCHAR AS t FROM range(1000000) r(i) ORDER BY t DESC"
    ).to_arrow_reader(100_000)
    assert sum(batch.num_rows for batch in sorted_rows) == 1_000_000
    assert not (tmp_path / ".tmp").exists()  # nothing left in the current folder


def test_counts_are_read_under_the_store_s_lock_and_a_wait_for_it_is_said(catalog, monkeypatch):
    """Counted before the lock, a --replace said it replaced 300,000 events where another import
    had just left 100,000, and a delete that waited for an import reported the old count."""
    import errno
    import threading

    assert store.write_dataset(make_frame(), "mine", "csv", catalog_path=catalog).held == 0  # new
    assert store.write_dataset(make_frame().head(2), "mine", "csv", catalog_path=catalog, replace=True).held == 5
    said: list[str] = []

    def hold_for_a_moment() -> None:
        """Another process's hold on the store's lock, let go of half a second later."""
        lock = open(str(catalog) + ".lock", "a+")  # noqa: SIM115 - closed when let go
        fcntl.flock(lock, fcntl.LOCK_EX)
        threading.Timer(0.5, lambda: (fcntl.flock(lock, fcntl.LOCK_UN), lock.close())).start()

    hold_for_a_moment()
    result = store.write_dataset(
        make_frame(), "mine", "csv", catalog_path=catalog, on_progress=lambda f, text: said.append(text)
    )
    assert said[0] == "waiting for another import or delete in this store to finish"
    assert (result.added, result.held) == (3, 2)
    waited = []
    hold_for_a_moment()
    assert store.delete_dataset("mine", catalog_path=catalog, waiting=lambda: waited.append(1)) == 5
    assert waited == [1] and store.delete_dataset("mine", catalog_path=catalog) is None
    # a full disk: the catalog's temporary file does not stay behind, and a delete frees its files
    # first so that the catalog can be written (it answered "No space left" and freed nothing)
    store.write_dataset(make_frame("big"), "big", "csv", catalog_path=catalog)
    big = catalog.parent / json.loads(catalog.read_text())["datasets"]["big"]["file"]
    writes = []
    real = store.Catalog.write

    def full_once(self, data):
        writes.append(big.exists())
        if len(writes) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(store.Catalog, "write", full_once)
    assert store.delete_dataset("big", catalog_path=catalog) == 5
    assert writes == [True, False] and "big" not in json.loads(catalog.read_text())["datasets"]
    monkeypatch.setattr(store.Catalog, "write", real)
    monkeypatch.setattr(store.json, "dump", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(OSError):
        store.Catalog(catalog).write({"datasets": {}, "version": 9})
    assert not list(catalog.parent.glob(".catalog-*.tmp"))


def test_a_full_disk_is_said_as_such_even_when_duckdb_calls_it_memory():
    assert store.is_disk_full(OSError(28, "No space left on device"))
    duck = "Out of Memory Error: failed to offload data block of size 256.0 KiB (92.6 MiB/92.6 MiB used)."
    assert store.is_disk_full(RuntimeError(duck))
    assert not store.is_disk_full(RuntimeError("Out of Memory Error: could not allocate block of size 1 GiB"))
