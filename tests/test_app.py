"""App tests: every page through streamlit.testing.v1.AppTest, query params set before the run.

AppTest loses the sidebar's widgets on a second run when the app uses st.navigation (their
state is dropped), so interactions — moving a filter, switching pages — are tested in the
browser tier (tests/test_browser.py); here each test is one first run from a URL.
"""

import datetime as dt
import json
import os
import shlex
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import filters, store, views
from tests.conftest import make_frame

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/map.py", "pages/timeline.py", "pages/events.py", "pages/data.py", "pages/about.py"]


@pytest.fixture(autouse=True)
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SITREP_STORE", str(tmp_path / "catalog.json"))
    monkeypatch.setenv("SITREP_TILES", "none")
    st.cache_resource.clear()  # the app's store and caches, opened by an earlier test on another catalog
    st.cache_data.clear()


def run(params: dict | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def caption_texts(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_shipped_data(page):
    at = run(page=page)
    assert at.title, f"{page} shows no title"
    # one h1, with no "Link to heading" stop for the keyboard before the page's content
    assert len(at.title) == 1 and at.title[0].proto.hide_anchor
    if page == "pages/map.py":  # colour is not the only way to tell the types apart (WCAG 1.4.1)
        assert any("to see one type alone, choose it under Event type" in c for c in caption_texts(at))
    shipped = store.Store().datasets()[0]
    assert any(f": {shipped.rows:,} events" in c for c in caption_texts(at))
    assert not at.warning


def test_url_parameters_set_the_filters_and_the_sentence():
    at = run({"from": "2021-01-01", "country": "Iraq"})
    assert at.slider(key="f_dates").value[0].isoformat() == "2021-01-01"
    assert at.multiselect(key="f_country").value == ["Iraq"]
    assert any(c.startswith("Strikes and attacks in Iraq, 1 Jan 2021 – ") for c in caption_texts(at)), caption_texts(at)
    box = at.date_input(key="f_typed_dates")
    assert box.value[0].isoformat() == "2021-01-01"  # the box under the slider shows the same range
    assert "when you leave the box" in box.help  # Enter does not apply a typed date: the box says how
    # the role filters match the associated actors too (store: attacker_keys, target_keys), and say so
    assert "associated actor 2" in at.multiselect(key="f_target").help
    assert "associated actor 1" in at.multiselect(key="f_attacker").help


def test_the_sentence_says_which_events_dated_to_a_week_the_start_cuts_off(tmp_path):
    frame = make_frame("weeks")
    frame.loc[frame["event_id"] == "t:3", "date_precision"] = 2  # the week from 15 Feb 2021
    store.write_dataset(frame, "weeks", "csv", catalog_path=tmp_path / "catalog.json")
    at = run({"dataset": "weeks", "from": "2021-02-17"})
    assert any(
        "1 more event dated only to a week or a month begins before 17 Feb 2021" in c
        and "start the dates on 15 Feb 2021 to include it." in c
        for c in caption_texts(at)
    ), caption_texts(at)
    assert any(": 1 event. 1 more event dated only" in c for c in caption_texts(at)), caption_texts(at)
    assert not any("dated only to a week" in c for c in caption_texts(run({"dataset": "weeks", "from": "2021-02-15"})))
    empty = run({"dataset": "weeks", "from": "2021-02-17", "to": "2021-02-20"})  # not "0 events 1 more event"
    assert any(": 0 events. 1 event dated only to a week" in c for c in caption_texts(empty)), caption_texts(empty)


def test_bad_parameters_are_dropped_with_visible_notices():
    at = run({"from": "2021-13-45", "actor": "Nobody at all", "event": "sitrep:missing", "type": "Bogus"})
    notices = [w.value for w in at.warning]
    assert any("'from=2021-13-45' is not a date" in n for n in notices)
    assert any("Unknown actor 'Nobody at all'" in n for n in notices)
    assert any("Unknown event 'sitrep:missing'" in n for n in notices)
    assert any("Unknown type 'Bogus'" in n for n in notices)
    assert at.multiselect(key="f_actor").value == []


def test_a_link_to_dates_beyond_the_data_shows_no_event_and_keeps_its_dates():
    # clamped to the data's last day, a link to the first half of 2025 showed that day's event
    at = run({"from": "2025-01-01", "to": "2025-06-30"})
    assert at.slider(key="f_dates").value == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert "Strikes and attacks, 1 Jan 2025 – 30 Jun 2025: 0 events" in caption_texts(at)
    assert any("outside the data" in w.value and "no event begins in them" in w.value for w in at.warning)
    assert (at.query_params["from"], at.query_params["to"]) == ("2025-01-01", "2025-06-30")
    for page in ("pages/events.py", "pages/timeline.py"):
        assert "Strikes and attacks, 1 Jan 2025 – 30 Jun 2025: 0 events" in caption_texts(
            run({"from": "2025-01-01", "to": "2025-06-30"}, page=page)
        )
    # partly beyond: the events inside, the range as asked
    at = run({"from": "2024-11-01", "to": "2025-06-30"})
    assert at.slider(key="f_dates").value == (dt.date(2024, 11, 1), dt.date(2025, 6, 30))
    shipped = store.load_shipped()
    inside = int((shipped["event_date"] >= "2024-11-01").sum())
    assert inside > 0
    assert f"Strikes and attacks, 1 Nov 2024 – 30 Jun 2025: {inside} events" in caption_texts(at)
    assert not at.warning


def test_an_alias_in_the_url_selects_the_canonical_actor():
    at = run({"actor": "KH"})
    assert at.multiselect(key="f_actor").value == ["Kata'ib Hezbollah"]
    assert not at.warning


def test_event_parameter_opens_the_details():
    shipped = store.load_shipped()
    event_id = shipped["event_id"].iloc[0]
    at = run({"event": event_id})
    texts = [m.value for m in at.markdown]
    assert any("**Place precision:**" in t for t in texts)
    assert any(views.md_escape(event_id) in c for c in caption_texts(at))


def test_the_details_name_the_sources_that_have_no_link(tmp_path):
    frame = make_frame("unlinked")
    frame.loc[0, ["source", "source_url"]] = ["NNN-NINA (MENAFN); SOHR", "https://menafn.com/1107372776/x"]
    store.write_dataset(frame, "unlinked", "csv", catalog_path=tmp_path / "catalog.json")
    at = run({"dataset": "unlinked", "event": frame.loc[0, "event_id"]})
    assert "Named only, with no link: SOHR." in caption_texts(at)


def test_events_too_near_a_pole_for_the_map_are_said_and_counted(tmp_path):
    frame = make_frame("poles")
    frame.loc[0, ["latitude", "longitude"]] = [89.0, 10.0]
    frame.loc[1, ["latitude", "longitude"]] = [-89.0, 10.0]
    store.write_dataset(frame, "poles", "csv", catalog_path=tmp_path / "catalog.json")
    at = run({"dataset": "poles"})
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith("2 events of this view lie nearer a pole than 85° of latitude")
    assert not run({"dataset": "poles", "from": "2021-01-01"}).warning  # neither is in that view


def test_an_answered_event_missing_from_the_dataset_is_said_with_no_button_to_it(tmp_path):
    frame = make_frame("dangling")
    frame.loc[1, "response_to"] = "t:1; t:404"
    store.write_dataset(frame, "dangling", "csv", catalog_path=tmp_path / "catalog.json")
    at = run({"dataset": "dangling", "event": "t:2"})
    labels = [b.label for b in at.button]
    assert any(label.startswith("Answers: ") for label in labels), labels  # t:1, in the dataset
    assert not any("t:404" in label for label in labels)
    assert "Answers t:404, which is not in this dataset." in caption_texts(at)


def test_the_first_run_freezes_long_lived_objects_so_the_gc_after_each_run_is_cheap(monkeypatch):
    import gc

    from lib import session

    calls = []
    freeze, count = gc.freeze, gc.get_freeze_count
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze") or freeze())
    monkeypatch.setattr(session, "_frozen", False)
    gc.unfreeze()
    try:
        run()
        assert count() > 10_000  # modules, Plotly, pandas, the store: all alive after the first run
        # later runs do no per-object work: no collection, and no counting (O(frozen objects))
        monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect"))
        monkeypatch.setattr(gc, "get_freeze_count", lambda: calls.append("count") or count())
        run()
        assert calls == ["freeze"]  # once per process, not once per run
    finally:
        gc.unfreeze()


def test_a_view_above_the_download_limit_disables_the_buttons_and_gives_export_commands_that_run_anywhere(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("SITREP_DOWNLOAD_MAX_ROWS", "10")
    at = run({"country": "Syria"}, page="pages/events.py")
    buttons = at.get("download_button")
    assert len(buttons) == 2 and all(b.proto.disabled for b in buttons)
    # what empty counts mean here, by the dataset's format (an ACLED 0 would be "none reported")
    assert any("Empty fatalities or injuries mean not reported, never zero" in c.value for c in at.caption)
    assert any(
        "more than the 10 the download buttons export" in i.value and "so they are off" in i.value for i in at.info
    )
    (commands,) = [c.value for c in at.code if "scripts/sitrep export" in c.value]
    csv_line, geojson_line = commands.splitlines()
    assert "--format=csv" in csv_line and "--format=geojson" in geojson_line  # GeoJSON too, not only CSV
    for line in (csv_line, geojson_line):
        assert "--country=Syria" in line and "--dataset=us-iran-2019-2024" in line
        # the server's store: the command's default store is another one
        assert line.startswith(f"SITREP_STORE={shlex.quote(os.environ['SITREP_STORE'])} bash ")
    # typed in another folder, where "python -m lib export" found no module named lib
    done = subprocess.run(["bash", "-c", csv_line], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    (written,) = tmp_path.glob("*.csv")
    shipped = store.load_shipped()
    assert len(pd.read_csv(written)) == (shipped["country"] == "Syria").sum()
    monkeypatch.setenv("SITREP_DOWNLOAD_MAX_ROWS", "1000")
    at = run({"country": "Syria"}, page="pages/events.py")
    assert not any(b.proto.disabled for b in at.get("download_button")) and not at.info


def test_a_mistyped_link_key_is_named_in_a_notice_not_silently_ignored():
    at = run({"contry": "Iraq"})
    assert any("Unknown link key 'contry' ignored. Did you mean 'country'?" in w.value for w in at.warning)


def test_the_affiliation_filter_says_who_each_affiliation_holds():
    at = run()
    help_text = at.multiselect(key="f_affiliation").help
    assert "**Iranian state**: Islamic Revolutionary Guard Corps" in help_text
    assert "Islamic Revolutionary Guard Corps" not in next(
        line for line in help_text.splitlines() if line.startswith("- **Iran\\-aligned**")
    )


def test_an_events_link_sets_the_tables_order_and_page_and_bad_ones_get_notices(monkeypatch):
    monkeypatch.setenv("SITREP_TABLE_PAGE_SIZE", "10")
    at = run({"sort": "fatalities", "page": "2"}, page="pages/events.py")
    assert at.selectbox(key="events_sort").value == "fatalities"
    assert at.number_input(key="events_page").value == 2
    assert any(c.startswith("Rows 11–20 of 99.") for c in caption_texts(at))
    at = run({"page": "999"}, page="pages/events.py")  # past the end: the last page
    assert at.number_input(key="events_page").value == 10
    # the notices are the Events page's (tests/test_browser.py sees them there): on the Map a
    # link's sort and page are not its business, and were said as if they were
    at = run({"page": "999", "sort": "loudest"})
    assert not [w.value for w in at.warning]
    past = "Page 999 of the Events table is past its end (10 pages in this view), so page 10 is shown."
    assert at.session_state["table_notices"] == [
        "Unknown sort 'loudest' ignored; the orders are newest, oldest, fatalities, country, type, actor.",
        past,
    ]
    assert "'page=-3' is not a page number" in run({"page": "-3"}).session_state["table_notices"][0]
    huge = run({"page": "99999999999999999999999"}, page="pages/events.py")  # past the end too, as 999 is
    assert huge.number_input(key="events_page").value == 10
    assert huge.session_state["table_notices"] == [
        "Page 1,000,000,000 of the Events table is past its end (10 pages in this view), so page 10 is shown."
    ]


def test_the_table_sorts_are_the_stores():
    from lib import queries

    assert tuple(queries.SORTS) == filters.TABLE_SORTS


def test_the_affiliation_filter_offers_only_affiliations_held_in_the_dataset():
    frame = make_frame("no-iran")
    frame = frame[~frame["actor1"].str.contains("Revolutionary|IRGC", na=False)]
    frame = frame[~frame["actor2"].fillna("").str.contains("Revolutionary|IRGC")]
    store.write_dataset(frame, "no-iran", "csv")
    at = run({"dataset": "no-iran", "affiliation": "Iranian state"})
    assert "Iranian state" not in at.multiselect(key="f_affiliation").options
    assert any("Unknown affiliation 'Iranian state' ignored" in w.value for w in at.warning)


@pytest.mark.parametrize(
    ("max_points", "says"), [("1000", "Rings: number killed unknown"), ("10", "Cells: size shows")]
)
def test_the_map_caption_explains_what_is_drawn_points_or_cells(monkeypatch, max_points, says):
    monkeypatch.setenv("SITREP_MAX_POINTS", max_points)  # the shipped 99 events: points, or cells above 10
    at = run()
    assert any(says in c for c in caption_texts(at)), caption_texts(at)
    assert not any(("Cells:" in c) and ("Rings" in c) for c in caption_texts(at))


@pytest.mark.parametrize(
    ("source_format", "first", "second"), [("acled", "Actor 1", "Actor 2"), ("csv", "Attacker", "Target")]
)
def test_an_acled_dataset_says_actor_1_and_2_not_attacker_and_target(tmp_path, source_format, first, second):
    frame = make_frame("other")
    store.write_dataset(frame, "other", source_format, catalog_path=tmp_path / "catalog.json")
    event = frame.loc[0, "event_id"]
    at = run({"dataset": "other", "attacker": frame.loc[0, "actor1"], "event": event})
    assert (at.multiselect(key="f_attacker").label, at.multiselect(key="f_target").label) == (first, second)
    card = " ".join(m.value for m in at.markdown)
    assert f"**{first}:** {frame.loc[0, 'actor1']}" in card and f"**{second}:**" in card
    # ACLED's data hold protests and battles too: its events are "events", Sitrep's own "strikes and attacks"
    subject = "Events" if source_format == "acled" else "Strikes and attacks"
    assert at.title[0].value == f"Map of {subject.lower()}"
    (sentence,) = [c for c in caption_texts(at) if c.startswith(subject)]
    (actor,) = at.multiselect(key="f_attacker").value  # the canonical name
    assert sentence.startswith(
        f"Events with {actor} as actor 1, " if source_format == "acled" else f"Strikes and attacks by {actor}, "
    )


def test_a_link_with_dates_or_a_page_no_slider_can_take_shows_its_notices_and_the_page():
    # before 1684 or after 2255 Streamlit's date slider raised, and "²" broke int(): every page failed whole
    at = run({"from": "1600-01-01", "to": "9999-12-31", "page": "\u00b2"})
    notices = " ".join(w.value for w in at.warning)
    assert "'from=1600-01-01' is outside the dates Sitrep takes" in notices
    assert "'to=9999-12-31' is outside the dates Sitrep takes" in notices
    assert at.title[0].value  # the page itself is drawn


def test_a_link_with_many_bad_keys_shows_a_few_notices_not_a_wall_of_them():
    at = run({f"junk{i}": "x" for i in range(40)} | {"page": "99999999999999999999"})
    notices = [w.value for w in at.warning]
    assert len(notices) <= filters.MAX_NOTICES and notices[-1].startswith("… and ")


@pytest.mark.parametrize("page", ["pages/map.py", "pages/timeline.py"])
def test_the_chart_pages_point_keyboard_and_screen_reader_users_to_the_events_table(page):
    at = run(page=page)
    hint = "With a keyboard or a screen reader, the Events page lists the same events"
    assert any(hint in c for c in caption_texts(at))
    # and links to it, the filters kept (the browser tests follow the link)
    (link,) = [e for e in at.get("page_link") if e.proto.label.startswith("List these")]
    assert link.proto.label == "List these 99 events as a table" and link.proto.page.endswith("events")
    # its address holds the view's filters: copied, or opened in a new tab, it lists the same events
    at = run({"country": "Syria", "q": "Abu Kamal"}, page=page)
    (link,) = [e for e in at.get("page_link") if e.proto.label.startswith("List th")]
    assert link.proto.query_string == "country=Syria&q=Abu+Kamal", link.proto.query_string
    assert filters.table_link_label(1) == "List this event as a table"


def test_a_dataset_whose_file_is_damaged_is_said_on_its_link_and_on_the_data_page_which_removes_it(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SITREP_ALLOW_UPLOAD", "all")  # AppTest sends no Host header
    catalog = tmp_path / "catalog.json"
    file = (
        store.write_dataset(make_frame("cut-short"), "cut-short", "csv", catalog_path=catalog)
        and (store.Store(catalog).info("cut-short").files[0])
    )
    (tmp_path / file).write_bytes(b"PAR1")
    at = run({"dataset": "cut-short", "country": "Iraq"})
    notices = [w.value for w in at.warning]
    assert len(notices) == 1, notices  # said as damaged, not as an unknown dataset too
    assert notices[0].startswith("The dataset 'cut-short' cannot be shown: its file cut")
    assert "This view shows 'us-iran-2019-2024'" in notices[0]
    assert any(c.startswith("Strikes and attacks in Iraq, ") for c in caption_texts(at))  # the rest of the link
    at = run(page="pages/data.py")
    assert any(w.value.startswith("The dataset 'cut\\-short' cannot be shown") for w in at.warning)
    at.selectbox(key="delete_name").select("cut-short").run()
    at.checkbox(key="delete_sure_cut-short").check().run()
    at.button[0].click().run()
    assert any("Removed 'cut-short' from the store" in s.value for s in at.success)
    assert not (tmp_path / file).exists() and not store.Store(catalog).problems


def test_a_file_damaged_after_the_store_opened_it_is_said_in_words_not_as_an_error_page(tmp_path):
    from lib import session

    catalog = tmp_path / "catalog.json"
    store.write_dataset(make_frame("decays"), "decays", "csv", catalog_path=catalog)
    events = session.get_store()  # the app's store, which has read the file's footer
    assert events.info("decays").rows == 5 and not events.problems
    file = tmp_path / events.info("decays").files[0]
    data = bytearray(file.read_bytes())
    data[8 : len(data) // 2] = b"\xab" * (len(data) // 2 - 8)  # its pages, not its footer
    file.write_bytes(bytes(data))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["dataset"] = "decays"
    at.run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith("Sitrep could not read the dataset 'decays' (")
    assert "python -m lib delete --dataset decays --yes" in error
    at.button[0].click().run()  # the link failed before the sidebar was drawn: a way out
    assert not at.exception and not at.error
    assert any(c.startswith("Strikes and attacks, 27 Dec 2019 – ") for c in caption_texts(at))


def test_every_column_of_the_events_table_has_a_header_in_words_and_its_field_in_the_help():
    import json

    table = run(page="pages/events.py").dataframe[0]
    config = json.loads(table.proto.columns)
    for column in table.value.columns:
        label, help_text = config[column].get("label"), config[column].get("help") or ""
        assert label and "_" not in label and label != column, column  # not a field name
        field = "source_url" if column in ("report", "more reports") else column
        assert f"`{field}`" in help_text or column == "more reports", column


def test_the_timelines_table_shows_every_count_with_thousands_separators_right_aligned():
    # at 1M events it read "16347" for events beside "18,559" killed, in two alignments
    at = run(page="pages/timeline.py")
    (table,) = [d for d in at.dataframe if "Events" in json.loads(d.proto.columns)]
    config = json.loads(table.proto.columns)
    for column in ("Events", "Events with number killed unknown"):
        assert config[column]["type_config"] == {"type": "number", "format": "localized"}
    assert config["People killed (known figures)"]["alignment"] == "right"  # text: "unknown" where none is known


def test_a_link_with_dates_outside_the_data_says_its_span_once():
    linked = [w.value for w in run({"from": "2024-12-01", "to": "2024-12-31"}).warning]
    assert sum("outside the data" in w for w in linked) == 1, linked  # the link's notice says it; once
    assert filters.NO_EVENT in linked
