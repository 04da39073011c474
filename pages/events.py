"""Events: the filtered events as a table with their sources, downloadable as CSV or GeoJSON."""

from pathlib import Path

import streamlit as st

from lib import config, exports, filters, queries, session, views
from lib.store import store_path

ROOT = Path(__file__).resolve().parent.parent

view = session.view()
store, registry = session.get_store(), session.get_registry()
state = view.state

session.heading("Events")
page_size = config.get("SITREP_TABLE_PAGE_SIZE")
pages = max(1, -(-view.count // page_size))
left, right = st.columns([1, 1])
attacker_label, target_label = filters.actor_roles(view.dataset.directed)
SORT_NAMES = {
    "newest": "Newest",
    "oldest": "Oldest",
    "fatalities": "Most killed",
    "country": "Country, then place",
    "type": "Type",
    "actor": attacker_label,
}
sort = left.selectbox("Sort", list(queries.SORTS), format_func=SORT_NAMES.get, key="events_sort")
page = right.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, key="events_page")
the = "the " if view.dataset.directed else ""  # "With the attacker", "With actor 1"
rows = queries.events_page(store, state, registry, (page - 1) * page_size, page_size, sort)
# What the table holds and how to use it, before it: a screen reader reaches it first, and
# Shift+Space on a row leaves this page
if view.count:
    unknowns = exports.unknown_values(view.dataset.source_format)  # an ACLED 0 is "none reported"
    st.caption(
        f"Rows {(page - 1) * page_size + 1:,}–{min(page * page_size, view.count):,} of {view.count:,}. "
        "Tick a row's box (keyboard: arrow to the row, Shift+Space) to open the event on the Map page. "
        "The Sort box sorts the whole view, in the store; "
        "a click on a column header sorts only this page. "
        f"{unknowns[0].upper()}{unknowns[1:]}. "
        "Precision codes: see About the data."
    )
else:
    st.warning(view.no_event)
st.space("small")  # the table's toolbar shows above its top edge: clear of the Page buttons
table = st.dataframe(
    views.table_rows(rows),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="events_table",
    # Headers in words for the columns read first (each help names the field, as in the
    # downloads and the codebook); short numbers kept narrow, so casualties are in view at 1024 px.
    column_config={
        "report": st.column_config.LinkColumn(
            "Report",
            help="`source_url`: the first report the event was coded from",
            display_text=r"https?://(?:www\.)?([^/]+)",
        ),
        "more reports": st.column_config.ListColumn("More reports", help="The other reports; all are in the details"),
        "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD", help="`event_date`", width=92),
        "sub_event_type": st.column_config.TextColumn("Type", help="`sub_event_type`"),
        "actor1": st.column_config.TextColumn(attacker_label, help="`actor1`"),
        "actor2": st.column_config.TextColumn(target_label, help="`actor2`"),
        "location": st.column_config.TextColumn("Place", help="`location`"),
        "country": st.column_config.TextColumn("Country", help="`country`"),
        "fatalities": st.column_config.TextColumn(
            "Killed", help="`fatalities`. Empty: not reported (unknown), not zero", width=64
        ),
        "injuries": st.column_config.TextColumn(
            "Injured", help="`injuries`. Empty: not reported (unknown), not zero", width=64
        ),
        # the rest in words too (a header of field names beside "Killed" read as two tables)
        "source": st.column_config.TextColumn("Sources", help="`source`: who reported it"),
        "date_precision": st.column_config.TextColumn("Date precision", help="`date_precision`"),
        "geo_precision": st.column_config.TextColumn("Place precision", help="`geo_precision`"),
        "event_type": st.column_config.TextColumn("Broad type", help="`event_type`"),
        "assoc_actor_1": st.column_config.TextColumn(f"With {the}{attacker_label.lower()}", help="`assoc_actor_1`"),
        "assoc_actor_2": st.column_config.TextColumn(f"With {the}{target_label.lower()}", help="`assoc_actor_2`"),
        "admin1": st.column_config.TextColumn("Province", help="`admin1`: the first-level division"),
        "latitude": st.column_config.NumberColumn("Latitude", help="`latitude`"),
        "longitude": st.column_config.NumberColumn("Longitude", help="`longitude`"),
        "response_to": st.column_config.TextColumn("Answers", help="`response_to`: the event this one answers"),
        "event_id": st.column_config.TextColumn("Event id", help="`event_id`"),
    },
)
picked = list(getattr(getattr(table, "selection", None), "rows", None) or [])
if picked and picked[0] < len(rows):  # a row chosen: open its event on the Map, with these filters
    st.session_state["p_event"] = str(rows["event_id"].iloc[picked[0]])
    session.switch_page("pages/map.py")
name = view.dataset.name
most = config.get("SITREP_DOWNLOAD_MAX_ROWS")
too_many = view.count > most


# The GeoJSON says where it comes from (a CSV has no place for it: its header is the columns);
# its time and its count are the download's, so it is made when the file is, in the button's
# callable: an import since the page was drawn is in its rows, and in the count it gives them.
def geojson_file():
    store.refresh()  # the rows and the words about them, from one version of the data
    about = exports.provenance_now(store, state.with_(event=None), registry, view.link)
    return exports.to_file(queries.iter_batches(store, state, registry, sort=sort), "geojson", about)


c1, c2 = st.columns(2)
c1.download_button(
    "Download CSV",
    data=lambda: exports.to_file(queries.iter_batches(store, state, registry, sort=sort), "csv"),
    file_name=f"{exports.file_stem(state, name)}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    disabled=too_many or not view.count,
)
c2.download_button(
    "Download GeoJSON",
    data=geojson_file,
    file_name=f"{exports.file_stem(state, name)}.geojson",
    mime="application/geo+json",
    on_click="ignore",
    icon=":material/download:",
    disabled=too_many or not view.count,
)
if too_many:
    st.info(
        f"This view holds {view.count:,} events, more than the {most:,} the download buttons export "
        "(`SITREP_DOWNLOAD_MAX_ROWS`: the server holds a download in memory), so they are off. Narrow the filters, "
        "or run one of these on the server (from any folder), which write the same rows to a file batch by batch:",
        icon=":material/info:",
    )
    # the project's launcher and, where the server was started with one, its store: typed in
    # another folder or another shell, "python -m lib export" found no module, or the default store
    launcher = ("bash", str(ROOT / "scripts" / "sitrep"))
    store_named = str(store_path()) if config.get("SITREP_STORE") else None
    st.code(
        "\n".join(exports.cli_command(state, name, fmt, sort, launcher, store_named) for fmt in ("csv", "geojson")),
        language="bash",
        wrap_lines=True,
    )
if view.dataset.source_format == "acled":
    st.warning("ACLED's terms forbid redistributing its raw data: keep downloads of this dataset to yourself.")
