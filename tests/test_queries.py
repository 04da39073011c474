"""Queries against a store built from the fixture rows: each filter, the map, timeline and table."""

import datetime as dt

import pandas as pd
import pytest

from lib import filters, queries
from lib.filters import FilterState
from tests.conftest import make_frame

CASES = [
    (FilterState(), {"t:1", "t:2", "t:3", "t:4", "t:5"}),
    (FilterState(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 12, 31)), {"t:1", "t:2"}),
    (FilterState(actor=("Kata'ib Hezbollah",)), {"t:4", "t:5"}),  # "Kait'ib Hezbollah" and "KH"
    (FilterState(actor=("Kata'ib Sayyid al-Shuhada",)), {"t:4"}),  # an associated actor counts
    (FilterState(attacker=("United States",)), {"t:1", "t:4"}),  # alias "Military Forces of the United States"
    (FilterState(target=("United States",)), {"t:2", "t:5"}),
    (FilterState(actor=("United States",)), {"t:1", "t:2", "t:4", "t:5"}),
    (FilterState(affiliation=("Iran-aligned",)), {"t:1", "t:2", "t:3", "t:4", "t:5"}),
    (FilterState(affiliation=("Iran-aligned",), country=("Syria",)), {"t:4"}),
    (FilterState(type=("Air/drone strike",)), {"t:1", "t:4"}),
    (FilterState(type=("Riots",)), {"t:5"}),  # a top-level event type matches too
    (FilterState(country=("Syria",)), {"t:4"}),
    (FilterState(q="embassy"), {"t:5"}),  # location, case-insensitive
    (FilterState(q="event t:3"), {"t:3"}),  # notes
    (FilterState(q="100%_"), set()),  # LIKE wildcards are literal
    (FilterState(q="'"), set()),  # only apostrophes: nothing to look for (an empty pattern found every event)
    (FilterState(q="’ '"), set()),
    (FilterState(q="Kataib Hezbollah"), {"t:4", "t:5"}),  # an actor, spelled without the apostrophe
    (FilterState(q="KH"), {"t:4", "t:5"}),  # an alias the registry knows
    (FilterState(q="sayyid al shuhada"), {"t:4"}),  # part of a name, dashes aside; associated actors count
    (FilterState(cell=(33.0, 44.0, 0.5)), {"t:1", "t:5"}),
    (FilterState(area=(42.0, 33.0, 44.0, 34.0)), {"t:2"}),
]


def ids(store, state, registry):
    return set(queries.events_page(store, state, registry, 0, 100)["event_id"])


@pytest.mark.parametrize(("state", "expected"), CASES)
def test_filters_select_the_right_events(state, expected, fixture_store, registry):
    state = state.with_(dataset="fixture")
    assert ids(fixture_store, state, registry) == expected
    assert queries.count_events(fixture_store, state, registry) == len(expected)


def test_the_search_reads_text_as_written_apostrophes_aside_and_short_texts_as_whole_words(catalog, registry):
    from lib import store
    from tests.conftest import make_frame

    frame = make_frame("q")
    frame.loc[0, "notes"] = "US officials blamed Kata'ib Hezbollah."  # named in the notes only
    frame.loc[1, "admin2"] = "Karkh"  # "KH" inside a word
    frame.loc[2, "actor1"] = "Some Local Militia"  # an actor not in the registry
    frame.loc[3, "notes"] = "Near the border with Jordan."
    frame.loc[4, "notes"] = r"Half the town (50%) left; see C:\temp"
    frame.loc[1, "notes"] = "Rockets from Dayr az-Zawr fell near Kirkūk and Şanlıurfa."
    frame.loc[2, "notes"] = "Claimed by Jaysh al-ʿAdl on the ΟΔΟΣ road (ﬁrst report)."
    frame.loc[3, "admin1"] = "بغداد"
    store.write_dataset(frame, "q", "csv", catalog_path=catalog)
    events = store.Store(catalog)

    def found(q: str) -> set[str]:
        return ids(events, FilterState(dataset="q", q=q), registry)

    # the notes' "Kata'ib", and the actor's events, however the apostrophe is written (or not)
    assert (
        found("Kata'ib Hezbollah") == found("Kataib Hezbollah") == found("Kata’ib Hezbollah") == {"t:1", "t:4", "t:5"}
    )
    assert found("KH") == {"t:4", "t:5"}  # the alias, not "Karkh"
    assert found("Karkh") == {"t:2"}
    assert found("Militia") == {"t:3"}  # an actor's name as written in the event
    # accents and dashes aside, both ways round: as written, or as typed on a plain keyboard
    assert found("Kirkuk") == found("KIRKŪK") == found("dayr az zawr") == found("Sanliurfa") == {"t:2"}
    assert found("Dayr az–Zawr") == found("Şanlıurfa") == {"t:2"}
    assert found("Kirkuks") == found("Dayrazzawr") == set()
    # a short text is a whole word in any script, and a dash around it is not part of it
    assert found("al-") == found("Al") == found("AL -") != set()
    assert found("بغداد") == {"t:4"} and found("بغد") == set()
    # ʿayn as an apostrophe, Greek's final sigma, a ligature taken apart
    assert found("Jaysh al-Adl") == found("jaysh al 'adl") == found("οδος") == found("first report") == {"t:3"}
    # LIKE's marks are literal, with ESCAPE or without it (a text that holds none of them)
    assert found("the town (50%)") == found(r"C:\temp") == found("the town") == {"t:5"}
    assert found("the_town") == found("50%)_") == found("Half%town") == found(r"\t") == set()
    # a country's name finds the events that mention it, not every event of an actor one of
    # whose aliases holds it ("Unidentified Armed Group (Jordan)", "US Forces in Syria")
    assert found("Jordan") == {"t:4"}
    from lib.actors import Registry

    shipped = Registry.from_csv()
    assert "Unidentified armed group" not in shipped.search("Jordan")
    assert "United States" not in shipped.search("Syria")
    assert "Harakat al-Nujaba" in shipped.search("Hezbollah")  # part of an alias that is not a place


def test_a_search_is_looked_up_once_and_finds_what_the_full_test_finds(fixture_store, registry):
    """The search text's events are kept in a table (search_matches); each query with the same
    text reads that table, and finds what testing the text on every event finds."""

    def direct(state: FilterState) -> int:  # the text tested on every row, no table
        clause, params = queries.where(state, registry)
        rel = fixture_store.relation("fixture")
        return fixture_store.con.execute(f"SELECT count(*) FROM {rel} WHERE {clause}", params).fetchone()[0]

    for q in ["embassy", "KH", "Kataib Hezbollah", "event t:3", "100%_", "' OR 1=1 --", "sayyid al shuhada"]:
        state = FilterState(dataset="fixture", q=q)
        assert queries.count_events(fixture_store, state, registry) == direct(state), q
        narrowed = state.with_(date_from=dt.date(2021, 1, 1))  # with other filters too
        assert queries.count_events(fixture_store, narrowed, registry) == direct(narrowed), q
    kept = fixture_store.derived_tables()
    queries.totals(fixture_store, FilterState(dataset="fixture", q="embassy"), registry)
    assert sorted(fixture_store.derived_tables()) == sorted(kept)  # the same text: no new table
    # a text first asked with dates that hold few of the events is tested on those alone
    fixture_store.drop_derived_tables()
    narrow = FilterState(dataset="fixture", q="embassy", date_to=dt.date(2019, 12, 31))  # 1 event of 5
    assert queries.count_events(fixture_store, narrow, registry) == direct(narrow) == 1
    assert fixture_store.derived_tables() == []
    wide = narrow.with_(date_to=dt.date(2020, 12, 31))  # 3 of 5
    assert queries.count_events(fixture_store, wide, registry) == direct(wide) == 1
    assert len(fixture_store.derived_tables()) == 1  # made for the whole dataset, then used for any dates
    assert queries.count_events(fixture_store, narrow, registry) == direct(narrow)
    assert len(fixture_store.derived_tables()) == 1


def test_actor_filters_read_the_actor_columns_and_find_what_the_stored_keys_find(catalog, registry):
    """With the dataset's actor cells (actor_cells), a side is looked up in its actor columns as
    written; it finds exactly the events its stored lists of keys find (where() without cells),
    cells naming several actors, associated actors and ACLED's periods included."""
    from lib import store
    from lib.actors import actor_key
    from tests.conftest import make_frame

    frame = make_frame("sides")
    frame.loc[0, ["actor1", "assoc_actor_1"]] = [
        "Military Forces of the United States (2021-)",
        "IRGC; Kataib Hizballah",
    ]
    frame.loc[1, ["actor2", "assoc_actor_2"]] = ["US forces", "Coalition forces;KSS"]
    frame.loc[2, "actor1"] = "Saraya Awliya al-Dam; Kata'ib Hezbollah"  # two actors in one cell
    store.write_dataset(frame, "sides", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    rel = events.relation("sides")
    base = FilterState(dataset="sides")
    names = list(registry.actors)
    states = (
        [base.with_(actor=(n,)) for n in names]
        + [base.with_(attacker=(n,)) for n in names]
        + [base.with_(target=(n,)) for n in names]
        + [base.with_(affiliation=(a,)) for a in ("Iran-aligned", "US-led coalition", "Iranian state")]
        + [base.with_(actor=("KH", "United States")), base.with_(attacker=("Nobody at all",))]
        + [base.with_(q=q) for q in ("KH", "KSS", "coalition", "Hezbollah", "IRGC", "Nobody at all")]
    )
    found = []
    for state in states:
        clause, params = queries.where(state, registry)  # the stored lists of keys
        by_keys = {r[0] for r in events.con.execute(f"SELECT event_id FROM {rel} WHERE {clause}", params).fetchall()}
        by_cells = ids(events, state, registry)
        assert by_cells == by_keys, state
        found.append(len(by_cells))
    assert 0 in found and 5 in found and len(set(found)) >= 4  # the states tell the events apart
    cells = queries.actor_cells(events, events.relation("sides"))
    us = actor_key("Military Forces of the United States")
    assert cells["actor1"][us] == ["Military Forces of the United States (2021-)"]  # the keys' fold, not the text
    assert cells["assoc_actor_1"][actor_key("IRGC")] == ["IRGC; Kataib Hizballah"]
    assert queries.either_side(["nobody at all"], cells) == ("FALSE", [])  # a key no cell names reads nothing

    # a new version of the dataset has its own cells
    frame.loc[3, "actor2"] = "Islamic Revolutionary Guard Corps"
    store.write_dataset(frame, "sides", "csv", catalog_path=catalog, replace=True)
    events.refresh()
    assert "t:4" in ids(events, base.with_(target=("Islamic Revolutionary Guard Corps",)), registry)


def test_a_query_reads_one_version_even_while_another_sessions_import_lands(catalog, registry, monkeypatch):
    """The view a query reads, its actor cells and its kept search come from one version of
    the dataset: cells of the old version on the new view found none of the actor's events."""
    from lib import store
    from tests.conftest import make_frame

    frame = make_frame("v")
    frame["actor1"] = "Kata'ib Hezbollah"
    store.write_dataset(frame, "v", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    real, landed = events.version, []

    def version_then_an_import(dataset: str):
        got = real(dataset)
        if not landed:  # another session imports a new version right after this query read its own
            landed.append(True)
            store.write_dataset(
                frame.assign(actor1="KATA'IB  HEZBOLLAH"), "v", "csv", catalog_path=catalog, replace=True
            )
            events.refresh()
        return got

    monkeypatch.setattr(events, "version", version_then_an_import)
    kh = FilterState(dataset="v", actor=("Kata'ib Hezbollah",))
    assert queries.count_events(events, kh, registry) == 5  # the same actor, spelled otherwise in the new version
    assert queries.count_events(events, kh.with_(q="Hezbollah"), registry) == 5
    assert landed and queries.count_events(events, kh, registry) == 5  # and the new version, read whole


def test_kept_searches_are_bounded_and_follow_a_new_version_of_the_dataset(catalog, registry, monkeypatch):
    from lib import store
    from tests.conftest import make_frame

    frame = make_frame("kept")
    store.write_dataset(frame, "kept", "csv", catalog_path=catalog)
    events = store.Store(catalog)

    def count(q: str) -> int:
        return queries.count_events(events, FilterState(dataset="kept", q=q), registry)

    def tables() -> set[str]:
        return {r[0] for r in events.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}

    monkeypatch.setattr(store, "DERIVED_TABLES", 3)
    for q in ["embassy", "KH", "event", "Syria", "Baghdad"]:
        count(q)
    kept = events.derived_tables()
    assert len(kept) == 3 and tables() >= set(kept)
    # the others are no longer handed out, but still there a while for a query given their names
    retired = {t for t in tables() if t.startswith("derived_")} - set(kept)
    assert len(retired) == 2
    monkeypatch.setattr(store, "RETIRED_SECONDS", 0.0)
    count("Erbil")  # the next table made drops them
    assert not retired & tables()
    monkeypatch.setattr(store, "DERIVED_ROWS", 0)  # one table, however large, is still kept
    assert count("Hezbollah") > 0  # a new text
    assert len(events.derived_tables()) == 1

    assert count("Zakho") == 0
    more = make_frame("kept").iloc[[0]].copy()
    more.loc[:, ["event_id", "location"]] = ["t:9", "Zakho"]
    store.write_dataset(more, "kept", "csv", catalog_path=catalog)  # adds its new event
    events.refresh()
    assert count("Zakho") == 1  # the new version is searched, not the kept table


def test_a_kept_search_is_never_dropped_under_a_query_and_a_datasets_view_keeps_its_name(
    catalog, registry, monkeypatch
):
    """Sessions share the store: a table handed to one query stays while another session's
    searches push it out (it was dropped under it: "Table … does not exist"), and a dataset's
    view keeps its name when another dataset is imported ahead of it (it was re-pointed, and a
    search kept for one dataset could be made from another's rows)."""
    import threading
    import time

    from lib import store
    from tests.conftest import make_frame

    store.write_dataset(make_frame("bbb"), "bbb", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    view = events.relation("bbb")
    monkeypatch.setattr(store, "DERIVED_TABLES", 1)  # every new search pushes the others out
    failures: list[Exception] = []
    stop = time.monotonic() + 2

    def search(texts) -> None:
        for i in range(10_000):
            if time.monotonic() > stop:
                return
            try:
                queries.map_cells(events, FilterState(dataset="bbb", q=texts(i)), registry, 20)
            except Exception as exc:  # noqa: BLE001 (any failure is the finding)
                failures.append(exc)

    threads = [threading.Thread(target=search, args=(f,)) for f in (lambda i: "Erbil", lambda i: "the" + "'" * i)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]

    store.write_dataset(make_frame("aaa"), "aaa", "csv", catalog_path=catalog)  # sorts ahead of bbb
    events.refresh()
    assert events.relation("bbb") == view  # the same name, still bbb's rows
    rows = events.con.execute(f"SELECT DISTINCT dataset FROM {view}").fetchall()
    assert rows == [("bbb",)]


def test_sql_injection_in_values_is_just_text(fixture_store, registry):
    state = FilterState(dataset="fixture", country=("Iraq'); DROP TABLE shipped; --",), q="' OR 1=1 --")
    assert queries.count_events(fixture_store, state, registry) == 0
    assert queries.count_events(fixture_store, FilterState(dataset="fixture"), registry) == 5


def test_facets(fixture_store, registry):
    facet = queries.facets(fixture_store, "fixture", registry)
    assert facet.min_date == dt.date(2019, 12, 31)
    assert facet.max_date == dt.date(2021, 2, 25)
    assert "Kata'ib Hezbollah" in facet.actors and "KH" not in facet.actors
    assert "Saraya Awliya al-Dam" in facet.actors
    assert facet.countries == ("Iraq", "Syria")
    assert "Air/drone strike" in facet.types and "Riots" in facet.types


def test_totals_keep_unknown_apart_from_zero(fixture_store, registry):
    totals = queries.totals(fixture_store, FilterState(dataset="fixture"), registry)
    assert totals == {
        "events": 5, "with_fatalities": 3, "fatalities": 11, "injuries": 17, "spanning": 0, "spanning_from": None,
    }  # fmt: skip


def test_events_dated_to_a_week_or_month_that_the_start_cuts_off_are_counted(catalog, registry):
    """The date filter takes an event's first day; one dated only to a week or a month whose
    span begins before the view's first day may still have happened in the view: counted apart."""
    from lib import store
    from tests.conftest import make_frame

    frame = make_frame("spans")
    precision = {"t:2": 3, "t:3": 2}  # t:2 in the month from 8 Jan 2020; t:3 in the week from 15 Feb 2021
    frame["date_precision"] = [precision.get(i, 1) for i in frame["event_id"]]
    store.write_dataset(frame, "spans", "csv", catalog_path=catalog)
    events = store.Store(catalog)

    def cut(day: dt.date, **more) -> tuple[int, dt.date | None, int]:
        got = queries.totals(events, FilterState(dataset="spans", date_from=day, **more), registry)
        return got["spanning"], got["spanning_from"], got["events"]

    assert cut(dt.date(2021, 2, 16)) == (1, dt.date(2021, 2, 15), 1)  # t:3's week reaches into it; t:4 is in
    assert cut(dt.date(2021, 2, 21)) == (1, dt.date(2021, 2, 15), 1)  # the week's last day
    assert cut(dt.date(2021, 2, 22))[:2] == (0, None)
    assert cut(dt.date(2021, 2, 15))[:2] == (0, None)  # its first day is in the view: it is counted there
    assert cut(dt.date(2020, 2, 7))[:2] == (1, dt.date(2020, 1, 8))  # t:2's month: 8 Jan – 7 Feb
    assert cut(dt.date(2020, 2, 8))[:2] == (0, None)
    assert cut(dt.date(2021, 2, 16), country=("Syria",))[:2] == (0, None)  # the other filters hold
    assert cut(dt.date(2021, 2, 16), q="Erbil")[:2] == (1, dt.date(2021, 2, 15))
    # the search tested on the month before the start alone, not kept for the whole dataset (a
    # new text on a narrow window cost 0.5 s at 5M events when it was)
    assert events.derived_tables() == []
    text = filters.spanning_text(1, dt.date(2021, 2, 15), dt.date(2021, 2, 16), shown=1)
    assert text.startswith("1 more event dated only to a week or a month begins before 16 Feb 2021")
    assert text.endswith("start the dates on 15 Feb 2021 to include it.")
    assert filters.spanning_text(0, None, dt.date(2021, 2, 16), shown=1) == ""
    assert filters.spanning_text(2, dt.date(2021, 2, 15), dt.date(2021, 2, 16), shown=0).startswith("2 events dated")


@pytest.mark.parametrize(
    "state",
    [
        FilterState(dataset="fixture"),
        FilterState(dataset="fixture", country=("Iraq",)),
        FilterState(dataset="fixture", q="embassy"),
        FilterState(dataset="fixture", type=("Riots",)),
        FilterState(dataset="fixture", country=("Nowhere",)),
    ],
)
def test_the_summary_is_each_figure_as_its_own_query_gave_it(fixture_store, registry, state):
    """One scan gives the sentence's totals, the map's count and extent and the cells' types:
    each is what a query of its own over the view's events gives."""
    frame = queries.events_page(fixture_store, state, registry, 0, 100)
    rel, clause, params = queries._source(fixture_store, state, registry)
    cur = fixture_store.cursor()
    n, known, deaths, hurt, lat0, lat1, lon0, lon1 = cur.execute(
        f"SELECT count(*), count(fatalities), sum(fatalities), sum(injuries), min(latitude), max(latitude), "
        f"min(longitude), max(longitude) FROM {rel} WHERE {clause}",
        params,
    ).fetchone()
    by_type = dict(
        cur.execute(f"SELECT {queries.TYPE_EXPR}, count(*) FROM {rel} WHERE {clause} GROUP BY 1", params).fetchall()
    )
    cur.close()
    assert n == len(frame)
    totals = queries.totals(fixture_store, state, registry)
    assert (totals["events"], totals["with_fatalities"], totals["fatalities"], totals["injuries"]) == (
        n,
        known,
        deaths,
        hurt,
    )
    assert queries.count_events_and_beyond(fixture_store, state, registry) == (n, 0)
    summary = queries.summary(fixture_store, state, registry)
    per_type = summary.loc[~summary["all"]]
    assert dict(zip(per_type["type"], per_type["events"], strict=True)) == by_type
    whole = summary.loc[summary["all"]].iloc[0]
    assert [None if v != v else v for v in whole[["lat0", "lat1", "lon0", "lon1"]]] == [lat0, lat1, lon0, lon1]
    cells, _, types = queries.map_cells(fixture_store, state, registry, max_cells=20)
    assert cells["events"].sum() == n
    assert types == sorted(by_type, key=lambda t: (-by_type[t], t))[: queries.CELL_TYPES]


def test_the_pages_figures_read_one_summary_scan(fixture_store, registry, monkeypatch):
    """The sentence's totals, the map's count and the cells' extent and types are one query,
    asked once per view: the others read its kept result."""
    asked = []
    run = queries._run
    monkeypatch.setattr(queries, "_run", lambda store, sql, params: asked.append(sql) or run(store, sql, params))
    state = FilterState(dataset="fixture", country=("Iraq",))
    queries.totals(fixture_store, state, registry)
    queries.count_events_and_beyond(fixture_store, state, registry)
    queries.map_cells(fixture_store, state, registry, max_cells=20)
    assert sum("GROUPING SETS" in sql for sql in asked) == 1
    assert len(asked) == 2  # the summary and the cells
    queries.totals(fixture_store, state.with_(country=("Syria",)), registry)  # another view: its own scan
    assert sum("GROUPING SETS" in sql for sql in asked) == 2


def test_kept_query_results_are_bounded_and_go_with_their_version(catalog, registry, monkeypatch):
    from lib import store
    from tests.conftest import make_frame

    monkeypatch.setattr(store, "QUERY_RESULTS", 2)
    store.write_dataset(make_frame("kept"), "kept", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    for country in ("Iraq", "Syria", "Nowhere"):
        queries.count_events(events, FilterState(dataset="kept", country=(country,)), registry)
    assert len(events._per_query) == 2  # the two most recent views
    assert queries.count_events(events, FilterState(dataset="kept"), registry) == 5
    frame = make_frame("kept").iloc[:2]
    store.write_dataset(frame, "kept", "csv", catalog_path=catalog, replace=True)
    events.refresh()
    assert queries.count_events(events, FilterState(dataset="kept"), registry) == 2  # the new version's
    assert {key[0] for key in events._per_query} == {events.relation("kept")}


def test_map_points_are_lean(fixture_store, registry):
    points = queries.map_points(fixture_store, FilterState(dataset="fixture"), registry, limit=3)
    assert len(points) == 3
    assert str(points["lat"].dtype) == "float32"
    assert list(points["event_id"]) == ["t:5", "t:1", "t:2"]  # date order


@pytest.mark.parametrize(
    ("extent", "max_cells", "size"),
    [((33, 34, 44, 45), 15000, 0.01), ((30, 37, 38, 48), 1000, 0.5), ((-60, 70, -170, 170), 15000, 2.0)],
)
def test_cell_size_fits_the_extent(extent, max_cells, size):
    assert queries.cell_size_for(extent, max_cells) == size


def test_map_cells_count_every_event(fixture_store, registry):
    cells, size, types = queries.map_cells(fixture_store, FilterState(dataset="fixture"), registry, max_cells=20)
    assert size == 1.0  # the smallest nice size giving at most 20 cells (4 × 5) over the fixture's extent
    assert cells["events"].sum() == 5
    assert types == ["Air/drone strike", "Shelling/artillery/missile attack", "Violent demonstration"]
    baghdad = cells[(cells["cell_lat"] == 33.0) & (cells["cell_lon"] == 44.0)].iloc[0]
    assert (baghdad["events"], baghdad["n_0"], baghdad["n_1"], baghdad["n_2"], baghdad["n_other"]) == (2, 1, 0, 1, 0)
    assert (baghdad["lat"], baghdad["lon"]) == (33.5, 44.5)
    assert (baghdad["fatalities"], baghdad["unknown_fatalities"]) == (10, 0)  # 10 + a reported 0


def test_map_cells_beyond_the_type_limit_count_as_other(fixture_store, registry, monkeypatch):
    monkeypatch.setattr(queries, "CELL_TYPES", 1)
    cells, _, types = queries.map_cells(fixture_store, FilterState(dataset="fixture"), registry, max_cells=20)
    assert types == ["Air/drone strike"]
    assert cells["n_0"].sum() == 2 and cells["n_other"].sum() == 3


@pytest.mark.parametrize(
    ("start", "end", "bin_"),
    [
        (dt.date(2020, 1, 1), dt.date(2020, 3, 1), "day"),
        (dt.date(2020, 1, 1), dt.date(2021, 1, 1), "week"),
        (dt.date(2019, 12, 1), dt.date(2024, 12, 31), "month"),
        (dt.date(1989, 1, 1), dt.date(2024, 12, 31), "year"),  # UCDP GED's span: 36 bars, not 432
    ],
)
def test_time_bin(start, end, bin_):
    assert queries.time_bin(start, end) == bin_


def test_timeline_bins(fixture_store, registry):
    bins = queries.timeline_bins(fixture_store, FilterState(dataset="fixture"), registry, "month")
    jan = bins[bins["bin"].astype(str) == "2020-01-01"]
    assert set(jan["type"]) == {"Air/drone strike", "Shelling/artillery/missile attack"}
    assert bins["events"].sum() == 5
    assert bins["unknown_killed"].sum() == 2  # t:2 and t:4: not reported, not zero
    assert bins["fatalities"].sum() == 11


def test_retaliation_links_only_within_the_view(fixture_store, registry):
    events = queries.timeline_events(fixture_store, FilterState(dataset="fixture"), registry, 100)
    links = queries.retaliation_links(events)
    assert set(zip(links["from_id"], links["to_id"], strict=True)) == {("t:1", "t:2"), ("t:3", "t:4")}
    only_2021 = FilterState(dataset="fixture", date_from=dt.date(2021, 2, 20))
    links = queries.retaliation_links(queries.timeline_events(fixture_store, only_2021, registry, 100))
    assert links.empty  # t:3 is outside the view


def test_events_page_sorts_and_pages_in_the_store(fixture_store, registry):
    state = FilterState(dataset="fixture")
    first = queries.events_page(fixture_store, state, registry, 0, 2, "oldest")
    second = queries.events_page(fixture_store, state, registry, 2, 2, "oldest")
    assert list(first["event_id"]) == ["t:5", "t:1"]
    assert list(second["event_id"]) == ["t:2", "t:3"]
    by_deaths = queries.events_page(fixture_store, state, registry, 0, 5, "fatalities")
    assert list(by_deaths["event_id"][:3]) == ["t:1", "t:3", "t:5"]  # unknown last, 0 before unknown


@pytest.mark.parametrize(
    ("sort", "columns"), [("country", ["country", "location"]), ("type", ["sub_event_type"]), ("actor", ["actor1"])]
)
def test_the_table_sorts_the_whole_view_by_a_column_then_newest_first(fixture_store, registry, sort, columns):
    # a header click sorts only the page shown: at 1M events a view could not be listed by place or actor
    state = FilterState(dataset="fixture")
    pages = [queries.events_page(fixture_store, state, registry, offset, 2, sort) for offset in (0, 2, 4)]
    got = pd.concat(pages)["event_id"].tolist()
    frame = make_frame()
    frame["day"] = pd.to_datetime(frame["event_date"])
    order = frame.sort_values([*columns, "day"], ascending=[True] * len(columns) + [False], kind="stable")
    assert got == order["event_id"].tolist() and len(set(frame[columns[0]])) > 1


def test_event_detail_and_answered_by(fixture_store):
    detail = queries.event_detail(fixture_store, "fixture", "t:3")
    assert detail["location"] == "Erbil" and detail["fatalities"] == 1 and detail["injuries"] == 6
    assert queries.event_detail(fixture_store, "fixture", "t:404") is None
    assert list(queries.answered_by(fixture_store, "fixture", "t:3")["event_id"]) == ["t:4"]


def test_iter_batches_streams_everything(fixture_store, registry):
    batches = list(queries.iter_batches(fixture_store, FilterState(dataset="fixture"), registry, batch_rows=2))
    assert [b.num_rows for b in batches] == [2, 2, 1]


def test_event_labels_name_the_events_that_exist(fixture_store):
    labels = queries.event_labels(fixture_store, "fixture", ["t:3", "not-an-event"])
    assert list(labels) == ["t:3"]
    assert " · " in labels["t:3"] and " — " in labels["t:3"]
    assert queries.event_labels(fixture_store, "fixture", []) == {}


def test_affiliations_present_are_those_some_actor_of_the_dataset_holds(registry):
    assert queries.affiliations_present(registry, ["United States", "Kata'ib Hezbollah"]) == sorted(
        {"US-led coalition", "Iran-aligned", "Popular Mobilization Forces", "Islamic Resistance in Iraq"}
        & set(registry.affiliations())
    )
    assert queries.affiliations_present(registry, []) == []


def test_the_attacker_and_target_filters_offer_only_the_actors_seen_on_their_side(fixture_store, registry):
    from lib import filters

    facet = queries.facets(fixture_store, "fixture", registry)
    assert "Saraya Awliya al-Dam" in facet.attackers and "Saraya Awliya al-Dam" not in facet.targets
    assert "Kata'ib Sayyid al-Shuhada" in facet.targets and "Kata'ib Sayyid al-Shuhada" not in facet.attackers
    assert set(facet.attackers) | set(facet.targets) == set(facet.actors)
    vocab = queries.vocabulary(fixture_store, "fixture", registry, facet)
    state, notices = filters.from_query({"attacker": ["Kataib Sayyid al-Shuhada"], "target": ["KH"]}, vocab)
    assert state.attacker == () and state.target == ("Kata'ib Hezbollah",)  # an alias still resolves on its side
    assert notices == [
        "Unknown attacker 'Kataib Sayyid al-Shuhada' ignored: it does not occur as actor 1 (attacker) in this dataset."
    ]


def test_the_index_of_words_finds_exactly_what_reading_the_text_finds(catalog, registry, monkeypatch):
    """Any piece of any event's search text (starting or ending inside a word, across spaces,
    double spaces, punctuation, other scripts) and whole words of 1–3 letters: the index of
    words (queries.indexed_search) finds exactly the events the test on the text finds."""
    import random

    import pandas as pd

    from lib import store
    from tests.conftest import make_frame

    rng = random.Random(5)
    vocab = ["Kirkūk", "al-Asad", "(KH)", "KH,", "Karkh", "Dayr  az-Zawr", "ΟΔΟΣ", "بغداد", "bgd", "Erbil.",
             "U.S.", "air", "base", "rocket", "", " ", "a", "al", "Kata'ib", "Hezbollah;", "12", "0012"]  # fmt: skip
    base = make_frame("words")
    frame = pd.concat([base] * 40, ignore_index=True)
    frame["event_id"] = [f"w:{i}" for i in range(len(frame))]
    frame["notes"] = [" ".join(rng.choices(vocab, k=rng.randint(0, 9))) or None for _ in range(len(frame))]
    frame["location"] = [rng.choice(vocab) or None for _ in range(len(frame))]
    store.write_dataset(frame, "words", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    rel, info = events.version("words")
    assert info.words
    texts = [t for (t,) in events.con.execute(f"SELECT search FROM {rel}").fetchall()]
    # the postings: every word of every text (cut at single spaces), its place and the word before
    postings = events.con.execute(f"SELECT rowkey, pos, word, prev FROM {rel}_postings").fetchall()
    by_row = dict(events.con.execute(f"SELECT rowkey, search FROM {rel}").fetchall())
    assert len(postings) == sum(len(t.split(" ")) for t in texts)
    for rowkey, pos, word, prev in postings:
        cut = by_row[rowkey].split(" ")
        assert (word, prev) == (cut[pos], cut[pos - 1] if pos else None)
    monkeypatch.setattr(queries, "INDEX_POSTINGS_PER_EVENT", (10**9, 10**9))  # the index, however common

    def both(q: str) -> tuple[set, set]:
        text, params, _ = queries.search_parts(q, registry)
        expected = {k for (k,) in events.con.execute(f"SELECT rowkey FROM {rel} WHERE {text}", params).fetchall()}
        sql, args = queries.indexed_search(events, rel, info.rows, *queries.search_key(q))
        return {k for (k,) in events.con.execute(sql, args).fetchall()}, expected

    pieces = []
    for _ in range(400):
        text = rng.choice(texts).replace(store.SEARCH_SEPARATOR, " ")
        start = rng.randrange(len(text) + 1)
        pieces.append(text[start : start + rng.randint(1, 14)])
    words = ["kh", "KH", "al", "a", "bgd", "بغد", "12", "s.", "u.s", "air base", "az zawr", "dayr  az", "οδος"]
    checked = 0
    for q in pieces + words:
        if not queries.search_key(q)[0]:
            continue
        got, expected = both(q)
        assert got == expected, q
        checked += bool(expected)
    assert checked > 150  # most pieces are found somewhere: the test compares real matches

    # the app's search finds its events in the index (then keeps them), and counts the same
    asked = []
    indexed = queries.indexed_search
    monkeypatch.setattr(queries, "indexed_search", lambda *args: asked.append(args[3:]) or indexed(*args))
    for q in ["air base", "KH", "Kirkuk", "dayr  az", "zzzz"]:
        state = FilterState(dataset="words", q=q)
        clause, params = queries.where(state, registry)  # the text and the actors it names, on every event
        direct = events.con.execute(f"SELECT count(*) FROM {rel} WHERE {clause}", params).fetchone()[0]
        assert queries.count_events(events, state, registry) == direct, q
    assert [key for key, _ in asked] == ["air base", "kh", "kirkuk", "dayr  az", "zzzz"]
    monkeypatch.setattr(queries, "indexed_search", indexed)

    # a common word reads more of the index than of the text: tested on the text instead
    monkeypatch.setattr(queries, "INDEX_POSTINGS_PER_EVENT", (0.05, 0.05))  # 10 postings
    assert queries.indexed_search(events, rel, info.rows, *queries.search_key("air")) is None
    assert queries.indexed_search(events, rel, info.rows, *queries.search_key("zzzz")) is not None  # found nowhere
    # a part that many distinct words may be: the text too
    monkeypatch.setattr(queries, "INDEX_POSTINGS_PER_EVENT", (10**9, 10**9))
    words = events.con.execute(f"SELECT count(*) FROM {rel}_words WHERE contains(word, 'al')").fetchone()[0]
    assert words > 3
    assert queries.indexed_search(events, rel, info.rows, "al", False) is not None
    monkeypatch.setattr(queries, "INDEX_WORDS_MAX", words - 1)
    assert queries.indexed_search(events, rel, info.rows, "al", False) is None


def test_the_links_cell_sizes_are_the_maps():
    assert (min(queries.NICE_CELL_SIZES), max(queries.NICE_CELL_SIZES)) == filters.CELL_SIZES
