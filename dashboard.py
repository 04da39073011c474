"""Sitrep's entrypoint: page config, dataset choice, the shared sidebar filters, navigation.

The URL is the view: on a session's first run, and after the browser's Back or Forward,
the query parameters are parsed into a FilterState (lib.filters), bad values dropped with a
notice; otherwise the widgets own the state and every run writes it back to the URL,
defaults left out. Pages read the result through ``lib.session.view()``.
"""

from __future__ import annotations

import logging

import duckdb
import streamlit as st

from lib import config, docs, filters, queries, session, views
from lib.filters import FilterState
from lib.store import StoreError, error_line

st.set_page_config(page_title="Sitrep — strikes and attacks", page_icon="🛰️", layout="wide")

LIST_WIDGETS = {
    "actor": ("Actor (either side)", "Any actor, attacker or target"),
    "attacker": ("Attacker", "The side that acted: actor 1, or an actor listed with it (associated actor 1)"),
    "target": (
        "Target",
        "The side attacked: actor 2, or an actor listed with it (associated actor 2, such as the coalition at a "
        "US base)",
    ),
    "affiliation": ("Affiliation", "Every actor with this affiliation, on either side"),
    "type": ("Event type", "ACLED event or sub-event type"),
    "country": ("Country", None),
}
PAGE_KEYS = session.PAGE_KEYS
_LOG = logging.getLogger("sitrep")
_widget_key = session.widget_key


def _clear_notices() -> None:
    st.session_state["notices"] = []
    st.session_state["table_notices"] = []


def _slider_moved() -> None:
    """The date slider moved: the box under it shows the new range, even half-picked."""
    _clear_notices()
    st.session_state[_widget_key("typed_dates")] = st.session_state[_widget_key("dates")]


def _dates_typed() -> None:
    """Dates typed or picked under the slider: the range, once both ends are given."""
    _clear_notices()
    value = st.session_state.get(_widget_key("typed_dates"))
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(value):  # one end only: still picking
        st.session_state[_widget_key("dates")] = (min(value), max(value))


def _dataset_changed() -> None:
    """Another dataset chosen: keep the filters that mean something in it. The selected event
    (an id of the other dataset) goes, and so do the dates if they were the other dataset's
    whole span (no filter, then); the sidebar then drops, with a notice, the values the new
    dataset does not hold. Countries, types, actors, the search and the map area stay."""
    old = st.session_state.get("dataset_shown")
    dates = st.session_state.get(_widget_key("dates"))
    try:
        facet = session.get_facets(old, session.get_store().info(old).fingerprint) if old and dates else None
    except KeyError:  # the other dataset was removed meanwhile
        facet = None
    if facet is None or tuple(dates) == (facet.min_date, facet.max_date):
        st.session_state.pop(_widget_key("dates"), None)
    st.session_state.pop("p_event", None)
    _clear_notices()
    st.session_state["dataset_switched"] = True


def _unreadable_notice(store, name: str) -> str:
    """A dataset the catalog names and the store cannot show (``Store.problems``)."""
    problem = docs.problem_texts({name: store.problems[name]}, [])[0]
    return filters.md_inline(f"{problem} This view shows {store.default_dataset!r}.")


def _load_url(store, registry) -> None:
    """First run of a session, or Back/Forward: the URL's parameters become the widgets' values."""
    raw = {key: st.query_params.get_all(key) for key in st.query_params}  # unknown keys get a notice
    names = [d.name for d in store.datasets()]
    wanted = (raw.get("dataset") or [None])[0]
    dataset = wanted if wanted in names else store.default_dataset
    facet = session.get_facets(dataset, store.info(dataset).fingerprint)
    vocab = queries.vocabulary(store, dataset, registry, facet)
    unreadable = wanted in store.problems and wanted not in names  # said as such, not as unknown
    state, notices = filters.from_query({k: v for k, v in raw.items() if k != "dataset"} if unreadable else raw, vocab)
    if unreadable:
        notices.insert(0, _unreadable_notice(store, wanted))
    sort, page, table_notices = filters.table_from_query(raw)
    st.session_state["events_sort"], st.session_state["events_page"] = sort, page
    st.session_state["table_notices"] = table_notices  # said on the Events page, whose keys they are
    st.session_state[_widget_key("dataset")] = dataset
    st.session_state[_widget_key("dates")] = (state.date_from or facet.min_date, state.date_to or facet.max_date)
    for name in LIST_WIDGETS:
        st.session_state[_widget_key(name)] = list(getattr(state, name))
    st.session_state[_widget_key("q")] = state.q
    for key in PAGE_KEYS:
        st.session_state[f"p_{key}"] = getattr(state, key)
    st.session_state["notices"] = filters.cap_notices(notices)
    st.session_state["url_loaded"] = True
    # the link as typed, and its view, when it asked for nothing that had to be dropped: see _run
    st.session_state["url_as_loaded"] = None if notices or table_notices else (state, session.table_keys(), raw)


def _sidebar(store, registry) -> session.View:
    datasets = store.datasets()
    names = [d.name for d in datasets]
    gone = st.session_state.get(_widget_key("dataset"))
    if gone not in names:
        session.reset_filters(store.default_dataset)
        if gone in store.problems:  # its file lost or damaged while this page was open
            st.session_state["notices"] = [_unreadable_notice(store, gone)]
        elif gone is not None:  # deleted (or replaced under another name) while this page was open
            st.session_state["notices"] = [
                f"The dataset {gone!r} is no longer in the store, so this view was reset to "
                f"{store.default_dataset!r}. Ask whoever runs the server, or import it again on the Data page."
            ]
    with st.sidebar:
        # Names only: Streamlit's selectbox sends back the label shown, not the option, so a
        # label holding the count ("acled-iraq (5 events)") no longer named the dataset once an
        # import changed that count, and the next run reset every open view of it to the default.
        dataset = st.selectbox(
            "Dataset",
            names,
            key=_widget_key("dataset"),
            help="; ".join(f"{d.name}: {filters.count_text(d.rows, 'event')}" for d in datasets),
            on_change=_dataset_changed,
        )
        info = store.info(dataset)
        st.session_state["dataset_shown"] = dataset
        switched = st.session_state.pop("dataset_switched", False)
        # Imported again (the command line, another session) since this session's last run: said,
        # with any filter value the new data lacks. The counts changed, and values went in silence.
        shown = st.session_state.get("fingerprint_shown")
        reimported = not switched and shown is not None and shown[0] == dataset and shown[1] != info.fingerprint
        st.session_state["fingerprint_shown"] = (dataset, info.fingerprint)
        dropped = []  # on a switch of dataset, or a new import of it: the filters it cannot hold
        facet = session.get_facets(dataset, info.fingerprint)
        lo, hi = facet.min_date, facet.max_date
        dates = st.session_state.get(_widget_key("dates"))
        # An import (another session's, or the command line's) moved the data's first or last
        # day: a range that ran to the data's end runs to its new end, as its link (no to=)
        # says, rather than gaining a to= at the old end; the same for the start.
        span = st.session_state.get("dates_span")
        if dates and not switched and span and span[0] == dataset and span[1:] != (lo, hi):
            start = lo if dates[0] == span[1] else dates[0]
            end = hi if dates[1] == span[2] else dates[1]
            st.session_state[_widget_key("dates")] = dates = (start, max(start, end))
        st.session_state["dates_span"] = (dataset, lo, hi)
        if switched and dates and dates[0] <= hi and dates[1] >= lo and not (lo <= dates[0] and dates[1] <= hi):
            # another dataset: a range overlapping its span keeps the part inside it
            clamped = (max(dates[0], lo), min(dates[1], hi))
            dropped.append(
                f"dates before {filters.day_text(lo)} or after {filters.day_text(hi)} (its span; kept the rest)"
            )
            st.session_state[_widget_key("dates")] = dates = clamped
        if not dates or (switched and not (lo <= dates[0] <= hi and lo <= dates[1] <= hi)):
            if switched and dates:
                dropped.append(
                    f"dates {filters.day_text(dates[0])} – {filters.day_text(dates[1])} "
                    f"(it spans {filters.day_text(lo)} – {filters.day_text(hi)})"
                )
            st.session_state[_widget_key("dates")] = dates = (lo, hi)
        # The slider spans the data, and a link's dates beyond it (kept as asked: see
        # filters.from_query); once moved back inside, it spans the data again.
        slide_lo, slide_hi = min(lo, dates[0]), max(hi, dates[1])
        # Streamlit makes a new slider when its bounds change (another dataset, a link's dates
        # beyond the data moved back inside, an import that widened the data), and a new slider
        # starts at its full range: the dates were dropped without a word. Its value is set on
        # every run, so the new one starts where the old one was.
        st.session_state[_widget_key("dates")] = dates
        if slide_lo < slide_hi:
            date_from, date_to = st.slider(
                "Dates",
                min_value=slide_lo,
                max_value=slide_hi,
                key=_widget_key("dates"),
                format="D MMM YYYY",
                on_change=_slider_moved,
            )
            # The same range as dates to type or pick (on five years of slider a pixel is a week),
            # in one box (two side by side in the sidebar cut the dates short). The slider's state
            # is the range: the box follows it on every run and sets it when typed. While a range
            # is being picked in its calendar (one end clicked) the box is left alone: set from
            # the slider at that rerun, the first click was undone and no range could be picked.
            typed = st.session_state.get(_widget_key("typed_dates"))
            if not (isinstance(typed, (tuple, list)) and len(typed) == 1):
                st.session_state[_widget_key("typed_dates")] = (date_from, date_to)
            # Any day Sitrep takes, as a link may ask: bounded by the data, a typed "2024-12-31"
            # past its last day was refused in a tooltip only, and the typed start with it
            st.date_input(
                "From – to (type or pick)",
                min_value=filters.EARLIEST_DAY,
                max_value=filters.LATEST_DAY,
                key=_widget_key("typed_dates"),
                format="YYYY-MM-DD",
                on_change=_dates_typed,
                # Streamlit takes a typed date when focus leaves the box, not on Enter: say so
                help="A typed date applies when you leave the box (Escape, a click elsewhere, or Tab past the calendar "
                "button). "
                "In the calendar, click the first day, then the last.",
            )
        else:
            date_from, date_to = lo, hi
            st.caption(f"All events are on {filters.day_text(lo)}.")
        options = {
            "actor": facet.actors,
            "attacker": facet.attackers,
            "target": facet.targets,
            "affiliation": facet.affiliations,
            "type": facet.types,
            "country": facet.countries,
        }
        chosen = {}
        for name, (label, help_text) in LIST_WIDGETS.items():
            key = _widget_key(name)
            current = st.session_state.get(key, [])
            if any(v not in options[name] for v in current):  # another dataset, or a re-import removed a value
                st.session_state[key] = [v for v in current if v in options[name]]
                if switched or reimported:
                    dropped.append(f"{label.lower()} {', '.join(v for v in current if v not in options[name])}")
            if name == "affiliation":  # say who is in each: "Iran-aligned" does not hold Iran's own forces
                help_text = views.affiliation_help(registry)
            if name in ("attacker", "target") and not info.directed:
                label = filters.actor_roles(info.directed)[name == "target"]
                help_text = (
                    f"{label} as this dataset lists it. Its actor order implies no direction (ACLED says so; "
                    "UCDP lists a dyad's sides, government first), so it is not always the side that acted."
                )
            # Typed text finds the names that hold it ("United" is not "Unidentified armed group", as
            # Streamlit's fuzzy matching had it), and Enter takes the first, never "Select 2 matches"
            chosen[name] = tuple(
                st.multiselect(
                    label,
                    options[name],
                    key=key,
                    help=help_text,
                    on_change=_clear_notices,
                    filter_mode="contains",
                    select_all=False,
                )
            )
        q = st.text_input(
            "Search places, notes and actors",
            key=_widget_key("q"),
            help="Place names, notes and actor names as the events write them, case, apostrophes, dashes and "
            "accents aside; a text of 1–3 letters as a whole word. An actor is also found by any spelling the "
            'actor list knows ("KH" finds Kata\'ib Hezbollah).',
            max_chars=filters.MAX_QUERY_LENGTH,
            on_change=_clear_notices,
        )
    if reimported:
        st.session_state["notices"] = [filters.reimport_notice(dataset, info.imported_at, dropped)]
    elif dropped:
        st.session_state["notices"] = [
            f"Not in the dataset {dataset!r}, so dropped from the filters: {'; '.join(dropped)}. "
            "The other filters were kept."
        ]
    state = FilterState(
        dataset=None if dataset == store.default_dataset else dataset,
        date_from=date_from if date_from != lo else None,
        date_to=date_to if date_to != hi else None,
        q=filters.search_text(q),
        **chosen,
        **{key: st.session_state.get(f"p_{key}") for key in PAGE_KEYS},
    )
    vocab = queries.vocabulary(store, dataset, registry, facet)
    if reimported and state.event and not vocab.event_exists(state.event):
        # the open event went with the new import: its details closed in silence, its id kept in the link
        st.session_state["notices"] = [
            *st.session_state.get("notices", []),
            f"The event that was open ({state.event}) is not in it any more, so its details were closed.",
        ]
        st.session_state["p_event"] = None
        state = state.with_(event=None)
    totals = session.get_totals(state, info.fingerprint)
    count = totals["events"]
    spanning = filters.spanning_text(totals["spanning"], totals["spanning_from"], state.date_from, count)
    return session.View(
        state=state,
        dataset=info,
        facets=facet,
        vocabulary=vocab,
        notices=list(st.session_state.get("notices", [])),
        description=". ".join(
            filter(None, [filters.describe(state, count, lo, hi, info.directed, subject=info.subject), spanning])
        ),
        count=count,
        sentence=filters.describe(state, count, lo, hi, info.directed, markdown=False, subject=info.subject),
    )


def _table_page(view: session.View, loaded: bool) -> None:
    """The Events table's page: back to the first when the filters or the order change (page 7
    of another view means nothing), and within the view's pages, with a notice when a link
    asked for one past the end. Kept on every page's run, so a filter changed on the Map
    counts too; the selected event is not a filter."""
    # The Sort and Page boxes are the Events page's widgets: Streamlit drops a widget's value on
    # a run that does not draw it, so the order and page were lost on a visit to another page.
    # Set again on every run, they are the session's own values and stay.
    for key in ("events_sort", "events_page"):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    basis = (view.state.with_(event=None), st.session_state.get("events_sort", "newest"))
    if not loaded and st.session_state.get("table_basis", basis) != basis:
        st.session_state["events_page"] = 1
    st.session_state["table_basis"] = basis
    pages = max(1, -(-view.count // config.get("SITREP_TABLE_PAGE_SIZE")))
    page = st.session_state.get("events_page", 1)
    if page > pages:
        if loaded:
            notice = (
                f"Page {page:,} of the Events table is past its end ({pages:,} page{'s' if pages != 1 else ''} "
                f"in this view), so page {pages:,} is shown."
            )
            st.session_state["table_notices"] = [*st.session_state.get("table_notices", []), notice]
        st.session_state["events_page"] = pages


def _sync_url(state: FilterState, extra: dict[str, list[str]]) -> None:
    # Written on every run, even when Streamlit's copy of the address already says it: a date
    # typed and then a page link clicked send two reruns, and the last ran with the address
    # Streamlit had while the browser showed the one the first had written (the typed date
    # over the old range). The browser does not add a history entry for an unchanged address.
    st.query_params.from_dict({**filters.to_query(state), **extra})


def _share_box(link: str) -> None:
    with st.sidebar:
        st.caption('Link to this view (its "Copy to clipboard" button copies it):')
        st.code(link, language=None, wrap_lines=True)
        st.button("Reset all filters", icon=":material/restart_alt:", width="stretch", on_click=session.reset_filters)


def _unreadable_data(store, exc: Exception) -> None:
    """A query failed on a dataset's file (damaged after the store opened it: DuckDB reads a
    file's pages only when a query needs them): said in words, the details in the server's log."""
    dataset = st.session_state.get(_widget_key("dataset")) or st.query_params.get("dataset")  # a link's, if first
    if dataset not in {info.name for info in store.datasets()}:
        dataset = store.default_dataset
    _LOG.error("reading the dataset %r failed", dataset, exc_info=exc)
    said = filters.md_inline(error_line(exc))
    st.error(
        f"Sitrep could not read the dataset {dataset!r} ({said}). "
        "Its file may be damaged. Choose another dataset in the sidebar, or press **Reset all filters**; whoever "
        f"runs the server can remove it (`python -m lib delete --dataset {dataset} --yes`) and import it again.",
        icon=":material/error:",
    )
    if dataset != store.default_dataset:  # a link's first run fails before the sidebar is drawn
        st.button(f"Show {store.default_dataset!r}", on_click=_show_default, args=(store.default_dataset,))


def _show_default(dataset: str) -> None:
    session.reset_filters(dataset)
    st.session_state["url_loaded"] = True  # the widgets' state, not the link's, from now on


def main() -> None:
    session.leave_legacy_pages_mode()
    try:
        store = session.get_store()
        store.refresh()
        registry = session.get_registry()
    except (StoreError, ValueError, OSError) as exc:
        st.error(f"Sitrep could not open its data: {exc}")
        st.stop()
    # a page link reached with Tab is outlined (the sidebar's, and the pages' "List these N events
    # as a table"): a grey background alone looked like the current page's, or barely showed.
    # Captions carry what people need (each page's sentence, the key, how to use the map), and
    # Streamlit greys them to 3.9:1 on white (opacity 0.6): #5e5d5b, opaque, is 6.5:1 there and 6.1:1
    # on the sidebar.
    st.html(
        "<style>[data-testid=stSidebarNav] a:focus-visible,a[data-testid=stPageLink-NavLink]:focus-visible"
        "{outline:2px solid #1c6dd0;outline-offset:-2px}"
        "[data-testid=stCaptionContainer]{color:#5e5d5b;opacity:1}</style>"
    )
    try:
        _run(store, registry)
    except duckdb.Error as exc:
        _unreadable_data(store, exc)


def _run(store, registry) -> None:
    loaded = "url_loaded" not in st.session_state or session.history_navigation()
    if loaded:
        _load_url(store, registry)
    session.restore_carried_filters()
    view = _sidebar(store, registry)
    _table_page(view, loaded)
    session.set_view(view)
    pages = [
        st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
        st.Page("pages/timeline.py", title="Timeline", icon=":material/timeline:", url_path="timeline"),
        st.Page("pages/events.py", title="Events", icon=":material/table:", url_path="events"),
        st.Page("pages/data.py", title="Data", icon=":material/upload_file:", url_path="data"),
        st.Page("pages/about.py", title="About the data", icon=":material/info:", url_path="about"),
    ]
    page = st.navigation(pages)
    # each page its own tab title, so tabs, bookmarks and the history list tell them apart
    st.set_page_config(page_title=f"{page.title} · Sitrep")
    extra = session.table_keys()
    # A link that means this view already (keys in another order, "actor=KH" for Kata'ib
    # Hezbollah) is left as typed while the view is the link's: rewritten, it was a second
    # history entry, on the link's first run, or on the next run of any kind (a page link, an
    # event opened), and Back stayed on the same view. The next change writes the view's own form.
    as_loaded = st.session_state.get("url_as_loaded")
    typed = {key: st.query_params.get_all(key) for key in st.query_params}
    if not as_loaded or as_loaded != (view.state, extra, typed):
        st.session_state["url_as_loaded"] = None  # the view has moved on: its own form from now on
        _sync_url(view.state, extra)
    # the pages put it in what they save (the map's PNG, a GeoJSON), as the sidebar shows it
    view.link = filters.share_link(
        st.context.url or "",
        filters.query_string(view.state, extra),
        session.missing_page([p.url_path for p in pages]),
    )
    _share_box(view.link)
    session.link_guard()
    # the Events table's sort and page belong to its links: their notices are said there only
    table_notices = st.session_state.get("table_notices", []) if page.url_path == "events" else []
    view.page_notices = filters.cap_notices(view.notices + table_notices)  # said under the page's title
    page.run()
    session.freeze_long_lived_objects()


main()
