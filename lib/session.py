"""The app's shared context: cached store and registry, and the current view.

With lib/mapchart.py, the only lib module that touches Streamlit, and only for caching
and handing the view from the entrypoint to the pages; it creates no widgets. Big objects live in
``st.cache_resource`` (one per process); small results are cached by dataset fingerprint
and FilterState with a bound (``max_entries``), so no large frame is hashed per rerun.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import functools
import gc
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import plotly.io as pio
import pyarrow as pa
import streamlit as st

from lib import filters, queries, views
from lib.actors import Registry
from lib.filters import FilterState, Vocabulary
from lib.store import DatasetInfo, Store

VIEW_KEY = "sitrep_view"
_frozen = False  # see freeze_long_lived_objects


@st.cache_resource(show_spinner="Opening the event store…")
def get_store() -> Store:
    return Store()


@st.cache_resource
def get_registry() -> Registry:
    return Registry.from_csv()


@st.cache_data(max_entries=32, show_spinner=False)
def get_facets(dataset: str, fingerprint: str) -> queries.Facets:
    """Facets of a dataset; ``fingerprint`` keys the cache so a re-import refreshes it."""
    return queries.facets(get_store(), dataset, get_registry())


@st.cache_data(max_entries=256, show_spinner=False)
def get_totals(state: FilterState, fingerprint: str) -> dict:
    return queries.totals(get_store(), state, get_registry())


@dataclass(frozen=True)
class MapResult:
    """The Map page's map for one filter state, its figure already JSON (see :func:`get_map`)."""

    kind: str  # "points" or "cells"
    figure_json: str
    events: int
    drawn: int
    cell_size: float | None = None
    note: str = ""
    selected_drawn: bool = False
    beyond: int = 0  # events too near a pole for the map (views.MERCATOR_LIMIT)
    splittable: bool = True  # cells: a click on one shows something finer


@st.cache_data(max_entries=32, show_spinner=False)
def get_map(
    state: FilterState, fingerprint: str, max_points: int, max_cells: int, tiles: str | None, borders: str | None = None
) -> MapResult:
    """The map of ``state``, cached by dataset fingerprint and filter state.

    Bounded: 32 maps of at most ~1 MB of JSON each (views.MAP_BYTES_MAX), shared by every
    session. A view seen before — the unfiltered default above all, which every bare link
    and every Reset opens — comes back without a query or a figure to build.
    """
    result = views.map_view(get_store(), get_registry(), state, max_points, max_cells, tiles=tiles, borders=borders)
    figure = pio.to_json(result.figure, validate=False)
    return MapResult(
        result.kind,
        figure,
        result.events,
        result.drawn,
        result.cell_size,
        result.note,
        result.selected_drawn,
        result.beyond,
        result.splittable,
    )


@st.cache_data(max_entries=64, show_spinner=False)
def get_card(dataset: str, fingerprint: str, event_id: str) -> dict | None:
    """An event's details (``views.event_card``), cached by dataset fingerprint and event id:
    at 5M events the lookups take ~0.3 s, and the card shows on every rerun while it is open."""
    return views.event_card(get_store(), dataset, event_id)


@dataclass
class View:
    """What the entrypoint decided for this run; the pages read it with :func:`view`."""

    state: FilterState
    dataset: DatasetInfo
    facets: queries.Facets
    vocabulary: Vocabulary
    notices: list[str] = field(default_factory=list)
    description: str = ""  # the view in one sentence, Markdown made literal (the pages' caption)
    count: int = 0
    sentence: str = ""  # the same sentence as plain text (a PNG's title, a GeoJSON's "view")
    link: str = ""  # the link to this view on this page, as the sidebar shows it
    page_notices: list[str] = field(default_factory=list)  # what the link asked that was not done

    @property
    def min_date(self) -> dt.date:
        return self.facets.min_date

    @property
    def max_date(self) -> dt.date:
        return self.facets.max_date

    @property
    def no_event(self) -> str:
        """What a page with no event in view says (:func:`filters.no_event`)."""
        return filters.no_event(self.state, self.min_date, self.max_date, self.notices)


FILTER_NAMES = ("actor", "attacker", "target", "affiliation", "type", "country", "dates", "q")
PAGE_KEYS = ("event", "cell", "area")  # set by pages, kept in session_state["p_<key>"]


def widget_key(name: str) -> str:
    return f"f_{name}"


def reset_filters(dataset: str | None = None) -> None:
    """Clear every filter and page selection; switch to ``dataset`` if given. For callbacks.

    The filters are set to their empty values, not taken out of the session state: a widget
    whose key is taken out keeps the value its browser sent with this run, so the chips and
    the search stayed while the URL and the sentence said they were gone (and came back at the
    next change). The dates are taken out: the sidebar sets them to the dataset's span."""
    for name in FILTER_NAMES:
        if name == "dates":
            st.session_state.pop(widget_key(name), None)
        else:
            st.session_state[widget_key(name)] = "" if name == "q" else []
    for key in PAGE_KEYS:
        st.session_state.pop(f"p_{key}", None)
    if dataset is not None:
        st.session_state[widget_key("dataset")] = dataset
    st.session_state["notices"] = []
    st.session_state["table_notices"] = []


CARRY_KEY = "carried_filters"
ASKED_PAGE_KEY = "asked_page"  # the page path a first run in Streamlit's legacy mode was asked for


def switch_page(page: str) -> None:
    """``st.switch_page`` keeping the filters. Streamlit resets every widget on a page switch
    made from Python (the browser sends no widget states with it), so the sidebar's values
    are carried in a plain session key and put back by :func:`restore_carried_filters`.

    The new page's link goes with the switch: without it Streamlit cleared the query string,
    and the browser's history gained a bare page and a half-written one between the two
    views (Back then lost every filter)."""
    names = ("dataset", *FILTER_NAMES)
    st.session_state[CARRY_KEY] = {
        widget_key(n): st.session_state[widget_key(n)] for n in names if widget_key(n) in st.session_state
    }
    target = view().state.with_(**{key: st.session_state.get(f"p_{key}") for key in PAGE_KEYS})
    # with the Events table's keys, as every page's link has them: without them, the entries this
    # switch writes showed the table in the other order, and the new page wrote its address again
    st.switch_page(page, query_params={**filters.to_query(target), **table_keys()})


def table_keys() -> dict[str, list[str]]:
    """The Events table's order and page as link keys (defaults left out). They are in every
    page's link, not only the Events page's: Streamlit keeps the query string through a page
    link, so dropped from the Map's, a click from the Events page to the Map wrote the address
    twice, and Back showed the Events page in the other order. Other pages ignore them."""
    return filters.table_query(st.session_state.get("events_sort", "newest"), st.session_state.get("events_page", 1))


def restore_carried_filters() -> None:
    """Put back the filters :func:`switch_page` carried; call before the sidebar's widgets exist."""
    carried = st.session_state.pop(CARRY_KEY, None)
    for key, value in (carried or {}).items():
        st.session_state[key] = value


def history_navigation() -> bool:
    """Whether this run follows the browser's Back or Forward button.

    The URL of the history entry is then the view to show: the widgets still hold the view the
    user left, and writing them back would undo the navigation (and did: Back only flashed
    the previous link). Streamlit flags such runs (``isHistoryNavigation``) and, during them,
    replaces the history entry rather than pushing one when the script rewrites the URL."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


def missing_page(known: Sequence[str]) -> str:
    """The page path this run's browser asked for when the app has no such page ("" if none).

    Streamlit then runs the default page and says "Page not found" in the browser; its
    ``st.context.url`` still ends with the path asked for (see :func:`filters.share_link`)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    manager = getattr(get_script_run_ctx(), "pages_manager", None)
    asked = getattr(manager, "intended_page_name", None) or ""
    asked = st.session_state.pop(ASKED_PAGE_KEY, "") or asked  # see leave_legacy_pages_mode
    return asked if asked and asked not in known else ""


def set_view(view: View) -> None:
    st.session_state[VIEW_KEY] = view


LEGACY_RERUNS_KEY = "legacy_reruns"  # this session's reruns out of the legacy mode (a bound, not a loop)


def leave_legacy_pages_mode(page_alone: bool = False) -> None:
    """Make sure this run is the entrypoint's, not Streamlit's legacy multipage mode.

    With a ``pages/`` folder beside the entrypoint, a fresh server runs its first request
    in the legacy mode until some session calls ``st.navigation``: ``/timeline`` then runs
    ``pages/timeline.py`` alone, and ``/`` runs the entrypoint nested inside a generated
    navigation that drops the query string. Leave that mode — what ``st.navigation``
    itself does — and rerun, so the entrypoint builds the view and opens the page asked for.

    The mode is the process's: a session whose first run began before another session left
    it still runs its page alone (``page_alone``: a page found no view), and reruns too. Links
    opened together on a fresh server crashed so, with KeyError 'sitrep_view'.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    legacy = PagesManager.uses_pages_directory
    if not (legacy or page_alone):
        return
    PagesManager.uses_pages_directory = False
    reruns = st.session_state.get(LEGACY_RERUNS_KEY, 0)
    if reruns >= 3:  # the entrypoint never set the view: said, not rerun for ever
        st.error("This page could not be prepared. Reload the page; if it persists, tell whoever runs this server.")
        st.stop()
    st.session_state[LEGACY_RERUNS_KEY] = reruns + 1
    # the rerun asks for the page this run resolved to, not the path the browser asked for
    manager = getattr(get_script_run_ctx(), "pages_manager", None)
    st.session_state[ASKED_PAGE_KEY] = getattr(manager, "intended_page_name", None) or ""
    st.rerun()


def release_memory() -> None:
    """Give back to the system the memory a large operation freed (a file checked or committed on
    the Data page). Arrow's allocator (mimalloc) and glibc keep freed memory for reuse: after a
    300,000-row ACLED file was read and dropped, the process stayed at ~660 MB; with this, ~220 MB."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: its allocator keeps what it keeps
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def freeze_long_lived_objects() -> None:
    """Once per process, after its first complete run: collect, then freeze what survives.

    Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``)
    so that memory stays flat. That pass walks every object of the process: ~100 ms here
    with pandas, Plotly, DuckDB and Streamlit loaded, holding the GIL while the run's last
    deltas (the map) wait to be sent, so each filter change reached the browser ~75 ms
    later (benchmarks/README.md). The modules, store, registry and caches alive after the
    first run live as long as the process; ``gc.freeze`` moves them out of the collector's
    way, and the pass after each run then walks only that run's objects (~1 ms). Objects
    freed by reference counting are freed as before.

    A flag, not ``gc.get_freeze_count()``, says whether it is done: that call counts the
    frozen objects one by one (~12–15 ms here, on every run).
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def view() -> View:
    """The view the entrypoint set in this run (see :func:`leave_legacy_pages_mode`)."""
    if VIEW_KEY not in st.session_state:
        leave_legacy_pages_mode(page_alone=True)
    return st.session_state[VIEW_KEY]


@functools.cache
def _link_guard():
    js = (Path(__file__).with_name("linkguard.js")).read_text(encoding="utf-8")
    return st.components.v2.component("sitrep_link_guard", html="", js=js, isolate_styles=False)


def link_guard() -> None:
    """Keep a page link clicked straight from a text box from being lost (lib/linkguard.js).

    With typed text not yet applied in the search or the date box, a click on a page link sent
    the box's value and the page change at once, and Streamlit ran neither: the click did
    nothing, and a typed date was dropped. The script that holds such a click back until the
    box's value has gone out is mounted once per run, at the foot of the sidebar. It also says
    the page's sentence to a screen reader when a filter changes it (a live region of its own)."""
    with st.sidebar:
        _link_guard()(key="sitrep_link_guard")


def heading(title: str) -> View:
    """The page's title, the view's sentence under it, then the link's notices ("Unknown country
    'Irak' ignored…"): said before the title, they were the page's first words."""
    current = view()
    st.title(title, anchor=False)  # no "Link to heading" stop for the keyboard on every page
    st.caption(current.description)
    for notice in current.page_notices:
        st.warning(notice, icon=":material/warning:")
    return current


def table_link(view: View, events: int) -> None:
    """A link to the Events page listing the view's ``events`` events. Its address holds the
    view's filters, so a copied link or one opened in a new tab shows the same events (a click
    carries them anyway)."""
    st.page_link(
        "pages/events.py",
        label=filters.table_link_label(events),
        icon=":material/table_rows:",
        query_params=filters.to_query(view.state),
    )
