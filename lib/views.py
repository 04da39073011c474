"""Views: what each page shows, composed from queries and figure builders.

A page calls one function here with the store, registry and state and renders what comes
back; the choices a page would otherwise make in pandas (points or cells, which bin,
what a click means) are made here, where tests reach them without a browser.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pandas as pd
import plotly.graph_objects as go

from lib import exports, figures, filters, queries, schema
from lib.actors import Registry
from lib.filters import FilterState
from lib.store import Store

TIMELINE_LANE_LIMIT = 2_000
PRECISION_LABELS = {
    "date_precision": {1: "the day is known", 2: "known to within a week", 3: "known to within a month"},
    "geo_precision": {
        1: "the place itself",
        2: "near the place / part of a region",
        3: "only a larger area is known (drawn at its centroid)",
    },
}


@dataclass
class MapView:
    kind: str  # "points" or "cells"
    figure: go.Figure
    events: int  # events in view
    drawn: int  # points or cells drawn
    cell_size: float | None = None
    note: str = ""
    selected_drawn: bool = False  # the selected event (state.event) is one of the points drawn
    beyond: int = 0  # events in view nearer a pole than a web map reaches (MERCATOR_LIMIT), not drawn
    splittable: bool = True  # cells: a click on one shows something finer (views.cells_note)


MERCATOR_LIMIT = queries.MERCATOR_LIMIT  # degrees of latitude: a web (Mercator) map stops there


# What one map may cost the browser. The first, unfiltered view of a dataset must stay light
# (it is what every shared link and every newcomer loads); narrowed views may carry more.
MAP_BYTES_DEFAULT_VIEW = 300_000
MAP_BYTES_MAX = 1_000_000
MAP_BYTES_MARGIN = 40_000  # layout, legend and trace names


def points_budget(state: FilterState, max_points: int) -> tuple[int, int]:
    """(most points drawn one by one, bytes the point map may use) for a view.

    Each point costs at least ``figures.MIN_BYTES_PER_POINT`` (coordinates, key, size and the
    shortest hover), so the byte budget caps the points as well as ``max_points`` does.
    """
    budget = (MAP_BYTES_MAX if state.is_narrowed else MAP_BYTES_DEFAULT_VIEW) - MAP_BYTES_MARGIN
    return min(max_points, budget // figures.MIN_BYTES_PER_POINT), budget


def _say_selected(fig: go.Figure, state: FilterState) -> None:
    """The selected event's id in the figure's meta, drawn or not: mapchart.js brings its details
    into view when it changes."""
    fig.layout.meta = {**(fig.layout.meta or {}), "event": state.event or ""}


def _outline_selection(fig, state: FilterState) -> None:
    """Draw the box or cell the view is narrowed to (``area`` is west, south, east, north; ``cell``
    is its south-west corner and size), and frame the map on it."""
    box = None
    if state.area:
        box = state.area
    elif state.cell:
        lat, lon, size = state.cell
        box = (lon, lat, lon + size, lat + size)
    if box is not None:
        west, south, east, north = box
        if west > east:  # across the antimeridian: drawn and framed with its east past 180
            box = (west, south, east + 360, north)
        figures.add_outline(fig, box)
        figures.frame_box(fig, box)  # framed on what the view is narrowed to


def map_view(
    store: Store,
    registry: Registry,
    state: FilterState,
    max_points: int,
    max_cells: int,
    tiles: str | None = None,
    borders: str | None = None,
) -> MapView:
    """Points when the view holds few enough events, store-aggregated cells above.

    "Few enough" is at most ``max_points`` and within the view's byte budget
    (:func:`points_budget`): the unfiltered view of a dataset stays under 300 KB, any view
    under 1 MB.
    """
    events, beyond = queries.count_events_and_beyond(store, state, registry)
    dataset = queries.dataset_of(store, state)  # also the maps' uirevision: a user's zoom is kept per dataset
    limit, budget = points_budget(state, max_points)
    if events <= limit:
        points = queries.map_points(store, state, registry, limit)
        selected = None
        if state.event:
            match = points.loc[points["event_id"] == state.event, "rowkey"]
            selected = int(match.iloc[0]) if len(match) else None
        fig = figures.make_event_map(
            points,
            selected_rowkey=selected,
            uirevision=dataset,
            tiles=tiles,
            borders=borders,
            max_bytes=budget,
            directed=store.info(dataset).directed,  # ACLED/UCDP: "A – B", not "A → B"
        )
        extent = queries.dataset_extent(store, dataset) if events == 0 else None
        if extent:  # no event in view: the map shows where the dataset's events are, not a default region
            figures.frame_extent(fig, *extent)
        _say_selected(fig, state)
        _outline_selection(fig, state)
        return MapView("points", fig, events, len(points), selected_drawn=selected is not None, beyond=beyond)
    cells, size, types = queries.map_cells(store, state, registry, max_cells)
    fig = figures.make_cell_map(cells, size, types, uirevision=dataset, tiles=tiles, borders=borders)
    _say_selected(fig, state)
    _outline_selection(fig, state)
    note, splittable = cells_note(store, registry, state, events, limit, len(cells), size)
    return MapView("cells", fig, events, len(cells), size, note, beyond=beyond, splittable=splittable)


def cells_note(
    store: Store,
    registry: Registry,
    state: FilterState,
    events: int,
    limit: int,
    cells: int,
    size: float,
) -> tuple[str, bool]:
    """Why the map shows cells, and how to get to single events; and whether a click on a cell
    shows anything finer. Where it cannot (the events share one spot, or the cells are the
    smallest), it says so rather than sending the user clicking at a cell that stays the same."""
    drawn = f"more than the {limit:,} this view draws one by one"
    listed = "The Events table lists them; narrow the dates, types or actors to see them on the map one by one."
    n = f"{cells:,} cell{'' if cells == 1 else 's'}"
    extent = queries.view_extent(store, state, registry)
    if extent and extent[0] == extent[1] and extent[2] == extent[3]:
        said = (
            f"All {events:,} events of this view are recorded at one spot ({extent[0]:.4f}, {extent[2]:.4f}), {drawn}"
        )
        return f"{said}, so the map shows them as one cell. {listed}", False
    said = f"{events:,} events are {drawn}"
    if size <= queries.NICE_CELL_SIZES[0]:
        return f"{said}, so the map shows them aggregated into {n} of {size:g}°, the smallest cells. {listed}", False
    reason = "narrow the filters" if state.is_narrowed else "filter (dates, place, actors…)"
    return (
        f"{said}, so the map shows them aggregated into {n} of {size:g}°. "
        f"Click a cell, or {reason}, to see single events.",
        True,
    )


def selection_to_state(
    store: Store, state: FilterState, kind: str, points: list[dict], dataset: str, cell_size: float | None = None
) -> FilterState | None:
    """What a map click or box/lasso selection means for the view, or None for no change.

    One point on the event map selects that event; one cell narrows to the cell; several
    points or cells (box or lasso) narrow to the box around them.
    """
    if not points:
        return None
    if len(points) == 1:
        data = points[0].get("customdata")
        if kind == "points" and data is not None:
            rowkey = int(data[0] if isinstance(data, list) else data)
            ids = queries.event_ids_for_rowkeys(store, dataset, [rowkey])
            return state.with_(event=ids[0]) if ids else None
        if kind == "cells" and cell_size and "lat" in points[0]:
            # the point is the cell's centre; the cell is the grid square around it
            lat = math.floor(float(points[0]["lat"]) / cell_size) * cell_size
            lon = math.floor(float(points[0]["lon"]) / cell_size) * cell_size
            return state.with_(cell=(round(lat, 6), round(lon, 6), cell_size), event=None)
        return None
    lats = [float(p["lat"]) for p in points if "lat" in p]
    lons = [float(p["lon"]) for p in points if "lon" in p]
    if not lats:
        return None
    pad = 0.0005
    # the map's longitudes run past ±180 near the antimeridian: the link's are within it
    area = filters.normal_area(min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad)
    return state.with_(area=area, event=None)


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&]|:(?=[\w+\-/]+:)|:(?=\w+\[))")
SAFE_URL = schema.WEB_ADDRESS  # the addresses linked: those an import does not warn of


def md_escape(text: str) -> str:
    """Data text made literal for st.markdown (no links, images, HTML or emphasis from data).

    Addresses and e-mails in the text carry an invisible word joiner (:func:`filters.unlinked`):
    escapes alone leave them linked, and the escapes inside them shown as backslashes."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", filters.unlinked(text))


def event_card(store: Store, dataset: str, event_id: str) -> dict | None:
    """An event's details in the words the page shows: every field, precision spelled out,
    unknowns said as unknown, sources as (name, url) pairs and the events that answered it.

    Text fields are escaped for Markdown (``md_escape``) — they come from data files; a
    source address that is not http(s) is dropped, so no ``javascript:`` link is ever shown.
    """
    row = queries.event_detail(store, dataset, event_id)
    if row is None:
        return None

    def text(value) -> str | None:
        return None if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)

    def number(value) -> str:
        return "unknown (not reported)" if value is None or pd.isna(value) else f"{int(value):,}"

    source_format = store.info(dataset).source_format
    acled_zero = source_format == "acled" and number(row["fatalities"]) == "0"
    urls = [u for u in (text(row["source_url"]) or "").split() if SAFE_URL.match(u)]
    names = [md_escape(n) for n in schema.split_list(text(row["source"]))]
    day = pd.Timestamp(row["event_date"]).date()
    precision_d = int(row["date_precision"])
    answered = queries.answered_by(store, dataset, event_id)
    here, here_total = queries.same_place(store, dataset, event_id, row["latitude"], row["longitude"])
    response_to = schema.split_list(text(row["response_to"]))
    labels = queries.event_labels(store, dataset, response_to + answered["event_id"].tolist())
    return {
        "event_id": row["event_id"],
        "title": md_escape(
            f"{text(row['sub_event_type']) or row['event_type']} — {text(row['location']) or row['country']}"
        ),
        "date": f"{day.day} {day:%B %Y}"
        + ("" if precision_d == 1 else f" (first day of the span; {PRECISION_LABELS['date_precision'][precision_d]})"),
        # GDELT dates an event by the news report it was coded from: that day is known, not the event's
        "date_precision": f"{precision_d}: "
        + (
            "the day of the news report GDELT coded it from (the event may be earlier)"
            if source_format == "gdelt" and precision_d == 1
            else PRECISION_LABELS["date_precision"][precision_d]
        ),
        "attacker": md_escape("; ".join(filter(None, [text(row["actor1"]), text(row["assoc_actor_1"])]))),
        "target": md_escape("; ".join(filter(None, [text(row["actor2"]), text(row["assoc_actor_2"])])))
        or "not recorded",
        "place": md_escape(
            ", ".join(
                filter(None, [text(row["location"]), text(row["admin2"]), text(row["admin1"]), text(row["country"])])
            )
        ),
        "coordinates": coordinates(row["latitude"], row["longitude"]),
        "lat": float(row["latitude"]),
        "lon": float(row["longitude"]),
        "geo_precision": f"{int(row['geo_precision'])}: {PRECISION_LABELS['geo_precision'][int(row['geo_precision'])]}",
        "fatalities": number(row["fatalities"])
        # ACLED codes 0 when no source reports a death: "none reported", not "known to be none"
        + (" (none reported: ACLED codes 0 when no source reports a death)" if acled_zero else ""),
        "injuries": number(row["injuries"]),
        "notes": text(row["notes"]) or "",
        "sources": "; ".join(names) or "not recorded",
        # sources named but not linked (a print or wire report not online): said, not left to be counted
        "unlinked": max(0, len(names) - len(urls)),
        # which ones, where each link tells whose it is by its site name; else [] (only how many)
        "unlinked_names": [md_escape(n) for n in unlinked_names(schema.split_list(text(row["source"])), urls)]
        if len(names) > len(urls)
        else [],
        "links": link_labels(urls),
        "response_to": [e for e in response_to if e in labels],
        # named as answered, but not in the dataset: said as ids, with no button to a missing event
        "response_to_missing": [md_escape(e) for e in response_to if e not in labels],
        "answered_by": answered["event_id"].tolist(),
        # the linked events in words (an id not in the dataset stays an id)
        "labels": {e: md_escape(labels.get(e, e)) for e in response_to + answered["event_id"].tolist()},
        # the events drawn under this one's dot: (event_id, "date · type"), and how many in all
        "same_place": [
            (e, f"{filters.day_text(pd.Timestamp(d))} · {md_escape(t)}")
            for e, d, t in zip(here["event_id"], here["event_date"], here["type"], strict=True)
        ],
        "same_place_total": here_total,
        "dataset": row["dataset"],
    }


SPOT = 0.001  # degrees each side of an event's coordinates (~110 m): "this spot", kept by the link's 5 decimals


def spot_area(lat: float, lon: float) -> tuple[float, float, float, float]:
    """The map box (``area``) around one spot: every event drawn on the same dot, and any within ~110 m."""
    return filters.normal_area(lon - SPOT, lat - SPOT, lon + SPOT, lat + SPOT)


def coordinates(lat: float, lon: float) -> str:
    """Latitude and longitude in words that say which is which: 33.7857° N, 42.4412° E."""
    return f"{filters.latitude_text(lat, 4)}, {filters.longitude_text(lon, 4)}"


def preview_map(frame: pd.DataFrame, limit: int, tiles: str | None = None, borders: str | None = None) -> go.Figure:
    """A map of the first ``limit`` rows of a canonical frame (an upload not yet committed)."""
    part = frame.head(limit)
    points = pd.DataFrame(
        {
            "rowkey": range(len(part)),
            "lat": part["latitude"].astype("float32"),
            "lon": part["longitude"].astype("float32"),
            "type": part["sub_event_type"].fillna(part["event_type"]),
            "event_date": part["event_date"],
            "date_precision": part["date_precision"],
            "fatalities": part["fatalities"],
            "injuries": part["injuries"],
            "actor1": part["actor1"],
            "actor2": part["actor2"],
            "location": part["location"],
            "geo_precision": part["geo_precision"],
        }
    )
    return figures.make_event_map(points, uirevision="preview", tiles=tiles, borders=borders)


def problems_table(report: schema.Report, limit: int = 1000, rows_only: bool = False) -> pd.DataFrame:
    """The report's problems as rows: row, spreadsheet row, column, problem, value, severity.

    File problems first, then by row, a row's errors before its warnings. "row" counts data rows
    (the header is row 0, as in the command line's report); "spreadsheet row" is where a
    spreadsheet shows it, one more, since it counts the header as its row 1. ``rows_only``
    leaves out the problems of the whole file (the Data page says them above the table, whose
    empty cells read "None"). A missing column or value is an empty text."""
    rows = [p for p in report.problems if p.row is not None or (not p.fatal and not rows_only)]
    rows.sort(key=lambda p: (p.row if p.row is not None else -1, not p.fatal))
    problems = ([] if rows_only else report.file_errors) + rows
    return pd.DataFrame(
        [
            {
                "row": p.row,
                "spreadsheet row": None if p.row is None else p.row + report.header_rows,
                "column": p.column or "",
                "problem": p.message,
                "value": p.value if p.value is not None else "",
                "severity": ("left out by the format's rules" if p.by_rule else "error") if p.fatal else "warning",
            }
            for p in problems[:limit]
        ],
        columns=["row", "spreadsheet row", "column", "problem", "value", "severity"],
    ).astype({"row": "Int64", "spreadsheet row": "Int64"})  # 3, not 3.0, beside a file's empty row


def problems_count_text(report: schema.Report) -> str:
    """How many problems a check found, errors, rows the format's rules leave out and warnings
    apart: "2 errors, 3 rows left out by the format's rules and 1 warning"."""
    errors = sum(p.fatal and not p.by_rule for p in report.problems)
    by_rule = sum(p.fatal and p.by_rule for p in report.problems)
    warnings = len(report.problems) - errors - by_rule
    parts = [filters.count_text(errors, "error")] if errors else []
    if by_rule:
        parts.append(f"{filters.count_text(by_rule, 'row')} left out by the format's rules")
    if warnings:
        parts.append(filters.count_text(warnings, "warning"))
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def file_warnings(report: schema.Report) -> list[str]:
    """The warnings about the whole file or a column (no row), in words."""
    return [p.text(report.header_rows) for p in report.problems if p.row is None and not p.fatal]


def problems_csv(report: schema.Report) -> bytes:
    """Every problem of a check (not only the first thousand shown) as a CSV to download and
    work through; text cells that a spreadsheet would run as a formula are neutralised."""
    table = problems_table(report, limit=len(report.problems) + len(report.file_errors))
    for column in ("column", "problem", "value"):
        table[column] = [exports.neutralise(str(v)) if isinstance(v, str) else v for v in table[column]]
    return table.to_csv(index=False).encode("utf-8")


MAX_SIDE_LANES = 8
SIDE_ORDER = ("US-led coalition", "Iranian state", "Iran-aligned", "Islamic Resistance in Iraq")


def attacker_side(registry: Registry, name: str, directed: bool = True) -> str:
    """The timeline lane of an attacker (actor 1, where the order is no direction): its main
    affiliation (named as in the Affiliation filter), else its canonical name."""
    canonical = registry.canonical(name)
    actor = registry.actors.get(canonical)
    affiliations = actor.affiliations if actor else []
    for side in SIDE_ORDER:
        if side in affiliations:
            return side
    if affiliations:
        return affiliations[0]
    return "Unidentified attackers" if directed and canonical == "Unidentified armed group" else canonical


@dataclass
class TimelineView:
    figure: go.Figure
    bin: str
    lane_shown: bool
    links: int
    table: pd.DataFrame  # the charts' counts as text (timeline_table)


def timeline_view(
    store: Store, registry: Registry, state: FilterState, min_date: dt.date, max_date: dt.date
) -> TimelineView:
    start, end = state.date_from or min_date, state.date_to or max_date
    bin_ = queries.time_bin(start, end)
    bins = queries.timeline_bins(store, state, registry, bin_)
    count = int(bins["events"].sum()) if len(bins) else 0
    lane = (
        queries.timeline_events(store, state, registry, TIMELINE_LANE_LIMIT)
        if 0 < count <= TIMELINE_LANE_LIMIT
        else queries.timeline_events(store, state, registry, 0)
    )
    links = queries.retaliation_links(lane) if len(lane) else queries.retaliation_links(lane.head(0))
    directed = store.info(queries.dataset_of(store, state)).directed
    if len(lane):
        sides = lane["actor1"].map(lambda name: attacker_side(registry, name, directed))
        if sides.nunique() <= MAX_SIDE_LANES:
            lane = lane.assign(lane=sides)
    fig = figures.make_timeline(bins, lane, links, bin_, directed)
    # The axis spans the chosen dates, not only the bins that hold events (from its first bin,
    # which may start a little before the first day, to the day after the last).
    first = min([pd.Timestamp(start), *([pd.Timestamp(bins["bin"].min())] if len(bins) else [])])
    last = pd.Timestamp(end) + pd.Timedelta(days=1)
    pad = max((last - first) * 0.02, pd.Timedelta(hours=2))  # so a dot on the first or last day shows whole
    fig.update_xaxes(range=[first - pad, last + pad])
    if (end - start).days < 7:  # a few days: a tick per day, named by its date (not hours)
        fig.update_xaxes(dtick=figures.DAY_MS, tickformat="%-d %b %Y")
    return TimelineView(fig, bin_, len(lane) > 0, len(links), timeline_table(bins, bin_))


def timeline_table(bins: pd.DataFrame, bin_: str) -> pd.DataFrame:
    """The Timeline's bars as a table, for keyboard and screen-reader users and for reading
    exact figures: a row per day, week, month or year that holds events. People killed add up
    the known figures, and read "unknown" where no event of the period has one (not 0)."""
    columns = ["Period", "Events", "People killed (known figures)", "Events with number killed unknown", "By type"]
    if not len(bins):
        return pd.DataFrame(columns=columns)
    rows = []
    for start, part in bins.groupby("bin", sort=True):
        known = pd.to_numeric(part["fatalities"], errors="coerce")
        by_type = part.sort_values(["events", "type"], ascending=[False, True])
        names = by_type["type"].fillna("No type")
        rows.append(
            [
                figures.bin_label(start, bin_),
                int(part["events"].sum()),
                f"{int(known.sum()):,}" if known.notna().any() else "unknown",
                int(part["unknown_killed"].sum()),
                "; ".join(f"{t} {n:,}" for t, n in zip(names, by_type["events"], strict=True)),
            ]
        )
    return pd.DataFrame(rows, columns=columns)


def timeline_click(store: Store, dataset: str, points: list[dict]) -> str | None:
    """The event clicked on the Timeline's lanes (their points carry the rowkey), or None for a
    bar, an empty selection or a box around several events."""
    keys = []
    for point in points:
        data = point.get("customdata")
        data = data[0] if isinstance(data, list) and data else data
        if isinstance(data, int | float) and not isinstance(data, bool):
            keys.append(data)
    if len(keys) != 1:
        return None
    ids = queries.event_ids_for_rowkeys(store, dataset, [int(keys[0])])
    return ids[0] if ids else None


TABLE_FIRST = ("event_date", "sub_event_type", "fatalities", "injuries", "actor1", "actor2", "location", "country",
               "report", "more reports", "source")  # fmt: skip


def table_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """One page of the Events table as shown: precision codes with their words ("1: the day is
    known"), the first report as a link and the others beside it (a link cell holds one
    address), and empty text cells empty rather than "None". Unknown numbers stay empty."""
    out = frame.copy()
    for column in ("date_precision", "geo_precision"):
        if column in out:
            words = PRECISION_LABELS[column]
            out[column] = [f"{int(v)}: {words.get(int(v), '?')}" if pd.notna(v) else "" for v in out[column]]
    if "source_url" in out:
        urls = [str(v).split() if pd.notna(v) else [] for v in out["source_url"]]
        position = out.columns.get_loc("source_url")
        out = out.drop(columns="source_url")
        out.insert(position, "report", pd.Series([u[0] if u else "" for u in urls], index=out.index, dtype=object))
        out.insert(position + 1, "more reports", [u[1:] for u in urls])
    # What is read first, then what qualifies it: date, type, casualties (short numbers, in view
    # in a 1024 px window with the sidebar open), who, where and the report; precision codes,
    # the broad type, associated actors, coordinates and the long technical id after.
    first = [c for c in TABLE_FIRST if c in out.columns]
    rest = [c for c in out.columns if c not in first and c != "event_id"]
    out = out[first + rest + (["event_id"] if "event_id" in out.columns else [])]
    for column in ("fatalities", "injuries"):  # the grid would print an unknown number as "None"
        if column in out:
            out[column] = ["" if pd.isna(v) else f"{int(v):,}" for v in out[column]]
    for column in out.columns:
        text = out[column].dtype == object or pd.api.types.is_string_dtype(out[column])
        if text and column not in ("report", "more reports"):
            out[column] = out[column].astype(object).where(out[column].notna(), "")
    return out


def commit_label(dataset: str, rows: int, already: int, differ: int, update: bool, licence: bool = False) -> str | None:
    """The Data page's Commit button for a checked file of ``rows`` events, ``already`` of them
    in ``dataset`` (``differ`` with other values), updating those or not, and setting its
    licence or not; None when committing would change nothing (every event is stored, none is
    to be updated and the licence is as stored), so no button."""
    new = rows - already
    changes = [f"add {filters.count_text(new, 'event')}" if new else ""]
    changes.append(f"update {differ:,}" if update and differ else "")
    changes.append("set its licence" if licence and already else "")
    if not any(changes):
        return None
    if not already:
        return f"Commit {filters.count_text(rows, 'event')} to '{dataset}'" + (" with its licence" if licence else "")
    return f"Commit to '{dataset}': " + ", ".join(c for c in changes if c)


NAME_WORD = re.compile(r"[a-z0-9]+")
# words too common in outlets' names to tell one site from another
COMMON_WORDS = frozenset({"the", "news", "times", "press", "post", "daily", "with", "via", "and", "online", "agency"})
SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu"})  # thetimes.co.uk's "co"


def site_name(url: str) -> str:
    """A link's site by its own name: thetimes.co.uk → "thetimes", arabic.rt.com → "rt",
    news.un.org → "un" (no subdomain, no ending, no hyphen)."""
    labels = (urlsplit(url).hostname or "").removeprefix("www.").split(".")
    if len(labels) >= 3 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2:
        labels = labels[:-1]
    return labels[-2].replace("-", "") if len(labels) >= 2 else labels[0]


def unlinked_names(names: list[str], urls: list[str]) -> list[str]:
    """The named sources that have no link, when the links tell which names they belong to.

    A name owns a link when one of its words, or two or three of them run together, is the
    link's site name exactly ("Al Bawaba" → albawaba.com, "The Times" → thetimes.co.uk,
    "ILKHA via Cinar Insesi" → cinarinsesi.com, "RT" → arabic.rt.com). The answer is given
    only when it is certain: every link has exactly one owner, and the names left over are as
    many as the links missing. Otherwise (NRT → nrttv.com, SOHR → syriahr.com) it is ``[]``
    and the page says only how many are unlinked.
    """

    def keys(name: str) -> set[str]:
        words = NAME_WORD.findall(name.lower())
        runs = {"".join(words[i : i + n]) for n in (2, 3) for i in range(len(words) - n + 1)}
        return {w for w in words if w not in COMMON_WORDS and not w.isdigit()} | runs

    name_keys = [keys(name) for name in names]
    owners = [{i for i, k in enumerate(name_keys) if site_name(url) in k} for url in urls]  # each link's names
    if any(len(o) != 1 for o in owners):
        return []
    linked = [next(iter(o)) for o in owners]
    left = [n for i, n in enumerate(names) if i not in linked]
    return left if len(left) == len(names) - len(urls) and len(set(linked)) == len(urls) else []


def link_labels(urls: list[str]) -> list[tuple[str, str]]:
    """(label, url) for an event's report buttons: the site, and where two reports come from the
    same site, the end of each address too (usually the headline's words), so the buttons differ."""
    hosts = [(urlsplit(u).hostname or "report").removeprefix("www.") for u in urls]
    labels = []
    for host, url in zip(hosts, urls, strict=True):
        if hosts.count(host) > 1:
            parts = [p for p in urlsplit(url).path.split("/") if p]
            slug = re.sub(r"\.[a-z]{2,5}$", "", parts[-1]) if parts else ""
            slug = re.sub(r" \d{4,}$", "", slug.replace("-", " ").replace("_", " ").strip())  # an article number
            if slug:  # from the data: made literal, as the button's label is Markdown
                host = f"{host}: {md_escape(slug if len(slug) <= 40 else slug[:39] + '…')}"
        labels.append((host, url))
    return labels


@functools.lru_cache(maxsize=4)  # once per registry (the app keeps one), not on every rerun
def affiliation_help(registry: Registry) -> str:
    """The Affiliation filter's help: every affiliation and the actors it holds (from actors.csv),
    so that, say, "Iran-aligned" visibly holds the militias and not the IRGC ("Iranian state")."""
    lines = ["Every actor with this affiliation, on either side:"]
    for affiliation in registry.affiliations():
        members = registry.members_of([affiliation])
        lines.append(f"- **{md_escape(affiliation)}**: {md_escape(', '.join(members))}")
    return "\n".join(lines)
