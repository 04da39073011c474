"""Queries: a FilterState becomes SQL with bound parameters, and every view is a bounded query.

Each function takes the :class:`~lib.store.Store`, the registry and a state, and returns a
small pandas frame (through Arrow): the rows or aggregates one view needs, never the whole
dataset. Identifiers in SQL come from the store (``Store.relation``), values only through
parameters.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from lib import schema
from lib.actors import Registry, actor_key
from lib.filters import FilterState, Vocabulary, day_text
from lib.store import DatasetInfo, Store, cell_keys, search_fold

TYPE_EXPR = "coalesce(sub_event_type, event_type)"
# An event's side (its actor keys, a list) holds one of the keys given (twice, as a parameter).
# Most sides hold one actor: its key is looked up in a hash of the keys given (a semi-join, the
# same cost for 1 key or an affiliation's 150), and only the few lists of several are searched
# one by one. list_has_any alone took 0.1 s for 11 keys at a million rows, 0.4 s for 150.
HAS_KEY = "({0}[1] IN (SELECT unnest(?::VARCHAR[])) OR (len({0}) > 1 AND list_has_any({0}, ?::VARCHAR[])))"

NICE_CELL_SIZES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
# A point on a grid line belongs to the cell it starts: 33.3 / 0.01 is 3329.999…, so floor()
# put it in the cell 33.29–33.30, whose filter (latitude < 33.30) then held none of it: a click
# on a cell of events at 33.3 showed 0 events. The nudge (a billionth of a cell) is far above
# the rounding error (~1e-12 of a cell at 90°) and far below any coordinate's precision.
CELL_NUDGE = 1e-9


def dataset_of(store: Store, state: FilterState) -> str:
    return state.dataset or store.default_dataset


# letters and digits of any script (RE2's [:alnum:] is ASCII: "بغد" was found in "بغداد")
NOT_ALNUM = "[^\\pL\\pN]"
WHOLE_WORD_MAX = 3  # a search text this short is a whole word ("KH" is not in "Karkh")


def search_key(q: str) -> tuple[str, bool]:
    """The search box's text as the ``search`` column holds it, and whether it must be a whole word."""
    key = search_fold(q).strip()  # "Al-" is "al", a word, not "al " followed by one
    return key, len(key) <= WHOLE_WORD_MAX


def search_parts(q: str, registry: Registry) -> tuple[str, list, list[str]]:
    """What the search box's text finds: a test of the text on the stored ``search`` column
    (``store.SEARCH_FIELDS``) with its parameters, and the actor keys it names (for either_side)."""
    # the text as written in the event (places, notes, actors), apostrophes and case aside
    # ("Kataib" finds "Kata'ib"); a text of 1–3 letters as a whole word ("KH" is not in "Karkh").
    key, whole = search_key(q)
    if not key:  # only apostrophes: nothing to look for (an empty text finds every event)
        return "FALSE", [], []
    if whole:  # the cheap substring test first, the word test on what it lets through
        word = f"(^|{NOT_ALNUM})" + re.escape(key) + f"({NOT_ALNUM}|$)"
        text, params = "(contains(search, ?) AND regexp_matches(search, ?))", [key, word]
    else:
        text, params = "contains(search, ?)", [key]
    # and the actors it names in the registry, whatever spelling their events carry ("KH"
    # finds Kata'ib Hezbollah's), or named exactly so if not in it: keys, not text, so cheap
    named = registry.keys_for(registry.search(q)) + [actor_key(q)]
    return text, params, named


# the columns an event's side (its keys) is made from: its actor, and its associated actors
SIDE_COLUMNS = {"attacker_keys": ("actor1", "assoc_actor_1"), "target_keys": ("actor2", "assoc_actor_2")}
# per actor column, the distinct cells that name each actor key (actor_cells)
ActorCells = dict[str, dict[str, list[str]]]


def actor_cells(store: Store, view: str) -> ActorCells:
    """For each actor column of a dataset's version (its ``view``), which of its distinct cells
    name each actor key (a cell may name several: "A; B"), as the side's stored keys were made
    (``store.cell_keys``). Worked out once per version: a few thousand actors, one scan."""

    def make(view: str) -> ActorCells:
        out: ActorCells = {}
        cur = store.cursor()
        try:
            for column in (c for pair in SIDE_COLUMNS.values() for c in pair):
                by_key: dict[str, list[str]] = {}
                sql = f"SELECT DISTINCT {column} FROM {view} WHERE {column} IS NOT NULL"
                for (cell,) in cur.execute(sql).fetchall():
                    for key in set(cell_keys(cell)):
                        by_key.setdefault(key, []).append(cell)
                out[column] = by_key
        finally:
            cur.close()
        return out

    return store.per_view(view, "actor_cells", make)


def has_key(side: str, keys: list[str], cells: ActorCells | None) -> tuple[str, list]:
    """The event's side (``attacker_keys`` or ``target_keys``) holds one of ``keys``: SQL and
    its parameters. With the dataset's ``cells``, its actor columns are looked up as written,
    in the cells that name those keys: four times quicker than reading the lists of keys (a
    string column is read as a dictionary; 0.05 s against 0.19 s at 5M events). A key no cell
    names costs nothing."""
    if cells is None:
        return HAS_KEY.format(side), [keys, keys]
    clauses, params = [], []
    for column in SIDE_COLUMNS[side]:
        found = sorted({cell for key in keys for cell in cells[column].get(key, ())})
        if found:
            clauses.append(f"{column} IN (SELECT unnest(?::VARCHAR[]))")
            params.append(found)
    return ("(" + " OR ".join(clauses) + ")" if clauses else "FALSE"), params


def either_side(keys: list[str], cells: ActorCells | None) -> tuple[str, list]:
    """The event's attacker or target side holds one of ``keys`` (``has_key``)."""
    attacker, first = has_key("attacker_keys", keys, cells)
    target, second = has_key("target_keys", keys, cells)
    if attacker == target == "FALSE":
        return "FALSE", []
    return f"({attacker} OR {target})", first + second


def where(
    state: FilterState, registry: Registry, *, matches: str | None = None, cells: ActorCells | None = None
) -> tuple[str, list]:
    """The WHERE clause (without the word) and its parameters for a state.

    ``matches`` names a table of the rowkeys the search text finds (``search_matches``); without
    it the text is tested on every event the other filters let through. With the dataset's
    ``cells`` (``actor_cells``) the actor filters read the actor columns, else the lists of keys."""
    clauses: list[str] = ["TRUE"]
    params: list = []
    if state.date_from:
        clauses.append("event_date >= ?")
        params.append(state.date_from)
    if state.date_to:
        clauses.append("event_date <= ?")
        params.append(state.date_to)
    sides: list[tuple[str, list]] = []
    if state.actor:
        sides.append(either_side(registry.keys_for(state.actor), cells))
    if state.attacker:
        sides.append(has_key("attacker_keys", registry.keys_for(state.attacker), cells))
    if state.target:
        sides.append(has_key("target_keys", registry.keys_for(state.target), cells))
    if state.affiliation:
        sides.append(either_side(registry.keys_for(registry.members_of(state.affiliation)) or ["\x00none"], cells))
    for clause, clause_params in sides:
        clauses.append(clause)
        params += clause_params
    if state.type:
        clauses.append("(list_contains(?::VARCHAR[], event_type) OR list_contains(?::VARCHAR[], sub_event_type))")
        params += [list(state.type), list(state.type)]
    if state.country:
        clauses.append("list_contains(?::VARCHAR[], country)")
        params.append(list(state.country))
    if state.q and matches:  # the events found for the text, once (store.search_matches)
        clauses.append(f"rowkey IN (SELECT rowkey FROM {matches})")
    elif state.q:
        text, text_params, named = search_parts(state.q, registry)
        side, side_params = either_side(named, cells)
        clauses.append(f"({text} OR {side})")
        params += text_params + side_params
    if state.cell:
        lat, lon, size = state.cell
        # the cell as map_cells draws it (CELL_NUDGE): a range, so Parquet's row-group bounds still prune
        low, high = -CELL_NUDGE * size, size - CELL_NUDGE * size
        clauses.append("latitude >= ? AND latitude < ? AND longitude >= ? AND longitude < ?")
        params += [lat + low, lat + high, lon + low, lon + high]
    if state.area:
        lon0, lat0, lon1, lat1 = state.area
        # west > east: a box across the antimeridian, east of its west side or west of its east side
        lons = "(longitude >= ? OR longitude <= ?)" if lon0 > lon1 else "longitude BETWEEN ? AND ?"
        clauses.append(f"{lons} AND latitude BETWEEN ? AND ?")
        params += [lon0, lon1, lat0, lat1]
    return " AND ".join(clauses), params


# The index of words (store.write_word_index) answers a search when it reads fewer postings
# than this many per event of the dataset (a text of one word; of several: the postings of all
# but the first): past that, reading the text is quicker (5M events: ~0.4 s; 10M postings of
# one word, 0.25 s).
INDEX_POSTINGS_PER_EVENT = (2, 5)
INDEX_WORDS_MAX = 10_000  # distinct words one part of a text may match in the index


def word_tests(key: str, whole: bool) -> list[tuple[str, list]]:
    """What each word of the index must be for a search text ``key`` (``search_key``) to be in
    an event's text: a test on a word (``{col}`` in it names the column) and its parameters,
    per part of the key cut at single spaces, as the index cuts the texts.

    The text holds the key where consecutive words of it pass the tests: a key of one part
    lies inside one word; of several, the first ends a word, the middle ones are whole words
    (empty where the key has two spaces), the last begins a word. A whole-word key also has a
    letter or digit on neither side within the word."""
    parts = key.split(" ")
    tests: list[tuple[str, list]] = []
    for i, part in enumerate(parts):
        first, last = i == 0, i == len(parts) - 1
        if whole:
            lead, tail = (f"(^|{NOT_ALNUM})" if first else "^"), (f"({NOT_ALNUM}|$)" if last else "$")
            tests.append(("(contains({col}, ?) AND regexp_matches({col}, ?))", [part, lead + re.escape(part) + tail]))
        elif first and last:
            tests.append(("contains({col}, ?)", [part]))
        elif first:
            tests.append(("ends_with({col}, ?)", [part]))
        elif last:
            tests.append(("starts_with({col}, ?)", [part]))
        else:
            tests.append(("{col} = ?", [part]))
    return tests


def indexed_search(store: Store, rel: str, rows: int, key: str, whole: bool) -> tuple[str, list] | None:
    """A query of the rowkeys of the events whose search text holds ``key`` (what
    ``search_parts``' test finds), read from the index of words of the dataset's version
    ``rel`` (of ``rows`` events); None when the index would read more than the text (a
    common word) or match too many words (``INDEX_WORDS_MAX``).

    One scan of the distinct words finds those the last part may be (the only part, or each
    part after the first); their postings are read, with the word before each tested for the
    part before. A key of three parts or more joins those on consecutive places."""
    tests = word_tests(key, whole)
    parts = key.split(" ")
    read = list(range(1, len(tests))) or [0]  # the parts whose postings are read
    columns = ", ".join(f"{tests[i][0].format(col='word')} AS t{i}" for i in read)
    found = ", ".join(  # the words themselves only when few enough to use (not a million to Python)
        f"count(*) FILTER (WHERE t{i}), sum(n) FILTER (WHERE t{i}), "
        f"CASE WHEN count(*) FILTER (WHERE t{i}) <= {INDEX_WORDS_MAX} THEN list(word) FILTER (WHERE t{i}) END"
        for i in read
    )
    # first what the store can answer from the words' order (starts_with, =: the row groups of
    # those words alone, 3 ms at 5M against 65 for a scan), or the part in the word (a regex's
    # test then runs only on what that lets through)
    first = [
        ("contains(word, ?)", [parts[i]]) if whole else (tests[i][0].format(col="word"), tests[i][1]) for i in read
    ]
    row = _scalar(
        store,
        f"SELECT {found} FROM (SELECT word, n, {columns} FROM {rel}_words WHERE {' OR '.join(t for t, _ in first)})",
        [p for i in read for p in tests[i][1]] + [p for _, params in first for p in params],
    )
    words = {i: (int(row[3 * j]), int(row[3 * j + 1] or 0), row[3 * j + 2] or []) for j, i in enumerate(read)}
    if any(count == 0 for count, _, _ in words.values()):
        return f"SELECT rowkey FROM {rel} WHERE FALSE", []  # a part no word holds: no event
    per_event = INDEX_POSTINGS_PER_EVENT[0 if len(tests) == 1 else 1]
    if (
        max(c for c, _, _ in words.values()) > INDEX_WORDS_MAX
        or sum(n for _, n, _ in words.values()) > per_event * rows
    ):
        return None
    if len(tests) == 1:
        sql = f"SELECT DISTINCT rowkey FROM {rel}_postings WHERE word IN (SELECT unnest(?::VARCHAR[]))"
        return sql, [words[0][2]]
    selects, params = [], []
    for i in read:  # part i's words, after a word that passes part i - 1's test
        before, before_params = tests[i - 1]
        selects.append(
            f"(SELECT rowkey, pos FROM {rel}_postings WHERE word IN (SELECT unnest(?::VARCHAR[])) "
            f"AND {before.format(col='prev')})"
        )
        params += [words[i][2], *before_params]
    if len(selects) == 1:
        return f"SELECT DISTINCT rowkey FROM {selects[0]}", params
    joined = ", ".join(f"{sql} AS p{j}" for j, sql in enumerate(selects))
    places = " AND ".join(f"p{j}.rowkey = p0.rowkey AND p{j}.pos = p0.pos + {j}" for j in range(1, len(selects)))
    return f"SELECT DISTINCT p0.rowkey FROM {joined} WHERE {places}", params


def search_matches(
    store: Store,
    version: tuple[str, DatasetInfo],
    q: str,
    registry: Registry,
    *,
    make: Callable[[], bool] = lambda: True,
) -> str | None:
    """The name of a table of the rowkeys of the events of a dataset's ``version`` (its view and
    info, ``Store.version``) that the search text ``q`` finds, kept (``Store.derived_table``);
    if none is kept yet, made when ``make()`` says so, else None.

    A rerun of the Map page asks three queries of the same text, and every move of the slider
    asks them again: the text's test costs 0.2–0.5 s a scan at 5M events, the lookup in this
    table a few ms. The text is tested on the whole dataset once, in two scans (the text, then
    the actors it names): one scan with both, OR-ed, took longer."""
    text, params, named = search_parts(q, registry)
    rel, info = version
    key = ("search", info.fingerprint, q, tuple(named))
    kept = store.kept_table(key)
    if kept is not None or not make():
        return kept
    # found in the dataset's index of words where it has one and that reads less than the text
    indexed = indexed_search(store, rel, info.rows, *search_key(q)) if info.words and text != "FALSE" else None
    side, side_params = either_side(named, actor_cells(store, rel))
    sql, params = indexed or (f"SELECT rowkey FROM {rel} WHERE {text}", params)
    if side != "FALSE":  # the actors it names are in the dataset: their events too
        sql += f" UNION SELECT rowkey FROM {rel} WHERE {side}"
    return store.derived_table(key, sql, [*params, *side_params])


# A search is tested on the whole dataset (and kept) unless its dates hold less than this share
# of the events: then testing it on those alone, in each of a rerun's three queries, is cheaper
# (the events are stored by date, so a date window reads only its part of the file).
SEARCH_WHOLE_SHARE = 1 / 3


def _search_whole(store: Store, version: tuple[str, DatasetInfo], state: FilterState) -> bool:
    if not (state.date_from or state.date_to):
        return True
    rel, info = version
    start, end = state.date_from or dt.date.min, state.date_to or dt.date.max
    within = _scalar(store, f"SELECT count(*) FROM {rel} WHERE event_date BETWEEN ? AND ?", [start, end])[0]
    return within >= info.rows * SEARCH_WHOLE_SHARE


def _source(store: Store, state: FilterState, registry: Registry) -> tuple[str, str, list]:
    """What a query on the store reads, and ``where``: (view, clause, parameters), all from one
    version of the dataset (read once: another session's import may bring a new one meanwhile).

    The search text's events are looked up in their kept table where there is one, or where
    the dates hold much of the dataset (``search_matches``); else the text is tested on the
    events of those dates. Actor filters read the version's actor cells."""
    version = store.version(dataset_of(store, state))
    rel = version[0]
    names_actors = state.q or state.actor or state.attacker or state.target or state.affiliation
    cells = actor_cells(store, rel) if names_actors else None
    if not state.q:
        return rel, *where(state, registry, cells=cells)
    matches = search_matches(store, version, state.q, registry, make=lambda: _search_whole(store, version, state))
    return rel, *where(state, registry, matches=matches, cells=cells)


def _run(store: Store, sql: str, params: list) -> pd.DataFrame:
    cur = store.cursor()
    try:
        return cur.sql(sql, params=params).to_arrow_table().to_pandas()
    finally:
        cur.close()


def _scalar(store: Store, sql: str, params: list):
    cur = store.cursor()
    try:
        return cur.execute(sql, params).fetchone()
    finally:
        cur.close()


# ---------------------------------------------------------------- vocabulary and counts


@dataclass(frozen=True)
class Facets:
    """The values a dataset offers to the filters."""

    min_date: dt.date
    max_date: dt.date
    actors: tuple[str, ...]
    types: tuple[str, ...]
    countries: tuple[str, ...]
    affiliations: tuple[str, ...] = ()  # those some actor of the dataset holds (affiliations_present)
    attackers: tuple[str, ...] = ()  # the actors on side 1 (actor1, assoc_actor_1): the Attacker filter's
    targets: tuple[str, ...] = ()  # the actors on side 2 (actor2, assoc_actor_2): the Target filter's


def facets(store: Store, dataset: str, registry: Registry) -> Facets:
    """Date bounds and the distinct actors (canonical; all, and by side), types and countries of a dataset."""
    rel = store.relation(dataset)
    lo, hi = _scalar(store, f"SELECT min(event_date), max(event_date) FROM {rel}", [])
    sides = _run(
        store,
        f"""SELECT DISTINCT trim(name) AS name, side FROM (
                SELECT actor1 AS name, 1 AS side FROM {rel}
                UNION ALL SELECT actor2, 2 FROM {rel}
                UNION ALL SELECT unnest(string_split(assoc_actor_1, ';')), 1 FROM {rel}
                UNION ALL SELECT unnest(string_split(assoc_actor_2, ';')), 2 FROM {rel}
            ) WHERE name IS NOT NULL AND trim(name) <> ''""",
        [],
    )
    names = sides["name"].tolist()

    def canonical(side: int) -> tuple[str, ...]:
        found = {registry.canonical(n) for n in sides.loc[sides["side"] == side, "name"]}
        return tuple(sorted(found, key=str.casefold))

    types = _run(
        store,
        f"SELECT DISTINCT t FROM (SELECT event_type AS t FROM {rel} UNION ALL SELECT sub_event_type FROM {rel}) "
        "WHERE t IS NOT NULL ORDER BY t",
        [],
    )["t"].tolist()
    countries = _run(store, f"SELECT DISTINCT country FROM {rel} ORDER BY country", [])["country"].tolist()
    to_day = lambda v: v.date() if hasattr(v, "date") else v  # noqa: E731
    actors = tuple(sorted({registry.canonical(n) for n in names}, key=str.casefold))
    return Facets(
        min_date=to_day(lo) if lo is not None else dt.date.today(),
        max_date=to_day(hi) if hi is not None else dt.date.today(),
        actors=actors,
        types=tuple(types),
        countries=tuple(countries),
        affiliations=tuple(affiliations_present(registry, actors)),
        attackers=canonical(1),
        targets=canonical(2),
    )


def vocabulary(store: Store, dataset: str, registry: Registry, facet: Facets) -> Vocabulary:
    """The URL vocabulary for a dataset (see lib.filters)."""
    return Vocabulary(
        datasets=[d.name for d in store.datasets()],
        default_dataset=store.default_dataset,
        min_date=facet.min_date,
        max_date=facet.max_date,
        actors=facet.actors,
        attackers=facet.attackers,
        targets=facet.targets,
        affiliations=list(facet.affiliations),
        types=facet.types,
        countries=facet.countries,
        registry=registry,
        event_exists=lambda event_id: event_detail(store, dataset, event_id) is not None,
    )


MERCATOR_LIMIT = 85.0511  # degrees of latitude: a web (Mercator) map stops there


def summary(store: Store, state: FilterState, registry: Registry) -> pd.DataFrame:
    """The view's events per type, and in all: one scan for what the page's sentence and the
    map ask first, kept per query (``Store.per_query``), so each is read from one result.

    One row per type (``type``) and a last row for all of them (``type`` None, ``all`` True):
    ``events``, ``with_fatalities`` (events with a known figure), ``fatalities`` and
    ``injuries`` (sums of the known figures, None where none is known), ``beyond`` (events
    nearer a pole than MERCATOR_LIMIT), and the extent ``lat0``, ``lat1``, ``lon0``, ``lon1``.
    At 5M events each of the four queries it replaces read the dataset's rows again (~35 ms
    each, ~55 with a search)."""
    return _summary(store, *_source(store, state, registry))


def _summary(store: Store, rel: str, clause: str, params: list) -> pd.DataFrame:
    sql = f"""SELECT {TYPE_EXPR} AS type, GROUPING({TYPE_EXPR}) = 1 AS "all", count(*) AS events,
                     count(fatalities) AS with_fatalities, sum(fatalities)::BIGINT AS fatalities,
                     sum(injuries)::BIGINT AS injuries, count(*) FILTER (WHERE abs(latitude) > ?) AS beyond,
                     min(latitude) AS lat0, max(latitude) AS lat1, min(longitude) AS lon0, max(longitude) AS lon1
              FROM {rel} WHERE {clause} GROUP BY GROUPING SETS (({TYPE_EXPR}), ()) ORDER BY "all", type"""
    args = [MERCATOR_LIMIT, *params]
    return store.per_query(rel, sql, args, lambda: _run(store, sql, args))


def _in_all(frame: pd.DataFrame) -> dict:
    """The summary's row for all types, as Python values (None for a missing figure)."""
    row = frame.loc[frame["all"]].iloc[0]
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}


def count_events(store: Store, state: FilterState, registry: Registry) -> int:
    return int(_in_all(summary(store, state, registry))["events"])


def view_extent(store: Store, state: FilterState, registry: Registry) -> tuple[float, float, float, float] | None:
    """The view's events' (south, north, west, east), or None for no event."""
    total = _in_all(summary(store, state, registry))
    if total["lat0"] is None:
        return None
    return tuple(float(total[k]) for k in ("lat0", "lat1", "lon0", "lon1"))


def count_events_and_beyond(store: Store, state: FilterState, registry: Registry) -> tuple[int, int]:
    """The events in view, and how many of them lie nearer a pole than MERCATOR_LIMIT."""
    total = _in_all(summary(store, state, registry))
    return int(total["events"]), int(total["beyond"])


def dataset_extent(store: Store, dataset: str) -> tuple[list[float], list[float]] | None:
    """Where a whole dataset's events lie, as latitudes and longitudes to frame (``figures.frame_bounds``),
    or None when it is empty: its corners, and its east and west counted across the antimeridian
    too, so a dataset around Fiji (179.9 and -179.9) is framed there, not on the whole world."""
    rel = store.relation(dataset)
    shifted = "CASE WHEN longitude < 0 THEN longitude + 360 ELSE longitude END"
    row = _scalar(
        store,
        f"SELECT min(latitude), max(latitude), min(longitude), max(longitude), min({shifted}), max({shifted}) "
        f"FROM {rel}",
        [],
    )
    if row[0] is None:
        return None
    lat0, lat1, lon0, lon1, east0, east1 = (float(v) for v in row)
    return [lat0, lat1], [lon0, lon1, *(x - 360 if x > 180 else x for x in (east0, east1))]


def totals(store: Store, state: FilterState, registry: Registry) -> dict:
    """Events, events with known fatalities, fatalities and injuries reported, in the view; and
    the events dated only to a week or a month that the view's start cuts (``spanning_start``)."""
    total = _in_all(summary(store, state, registry))
    out = {"events": int(total["events"]), "with_fatalities": int(total["with_fatalities"])}
    out |= {k: None if total[k] is None else int(total[k]) for k in ("fatalities", "injuries")}
    return out | spanning_start(store, state, registry)


# An event dated to a week or a month (date_precision 2 or 3) is stored on its span's first
# day: the span of each, less that day
SPANS = "CASE date_precision WHEN 2 THEN INTERVAL 6 DAY WHEN 3 THEN INTERVAL 1 MONTH - INTERVAL 1 DAY END"


def spanning_start(store: Store, state: FilterState, registry: Registry) -> dict:
    """The events the view's other filters let through that are dated only to a week or a month
    whose span begins before the view's first day and reaches into it: the date filter takes
    their first day, so they are not in the view, though they may have happened in it.
    ``{"spanning": count, "spanning_from": the earliest such first day (a date) or None}``."""
    if not state.date_from:
        return {"spanning": 0, "spanning_from": None}
    # the month before the start (no span is longer), as a view of its own: a search is then
    # tested on those days alone, not on the whole dataset (0.5 s at 5M events for a new text)
    start = state.date_from
    before = state.with_(date_from=start - dt.timedelta(days=31), date_to=start - dt.timedelta(days=1))
    rel, clause, params = _source(store, before, registry)
    n, first = _scalar(
        store,
        f"SELECT count(*), min(event_date) FROM {rel} WHERE {clause} AND date_precision > 1 "
        f"AND event_date + {SPANS} >= ?",
        [*params, start],
    )
    return {"spanning": int(n), "spanning_from": first.date() if hasattr(first, "date") else first}


# ---------------------------------------------------------------- the map


def map_points(store: Store, state: FilterState, registry: Registry, limit: int) -> pd.DataFrame:
    """Up to ``limit`` events as points: rowkey, lat, lon (float32), type, date, casualties, hover text."""
    rel, clause, params = _source(store, state, registry)
    return _run(
        store,
        f"""SELECT rowkey, latitude::FLOAT AS lat, longitude::FLOAT AS lon, {TYPE_EXPR} AS type,
                   event_date, date_precision, fatalities, injuries, event_id, actor1, actor2, location,
                   geo_precision
            FROM {rel} WHERE {clause} ORDER BY event_date, rowkey LIMIT ?""",
        [*params, limit],
    )


def cell_size_for(extent: tuple[float, float, float, float], max_cells: int) -> float:
    """The smallest nice cell size (degrees) whose grid over ``extent`` has at most ``max_cells`` cells."""
    lat0, lat1, lon0, lon1 = extent
    for size in NICE_CELL_SIZES:
        cells = (math.floor(lat1 / size) - math.floor(lat0 / size) + 1) * (
            math.floor(lon1 / size) - math.floor(lon0 / size) + 1
        )
        if cells <= max_cells:
            return size
    return NICE_CELL_SIZES[-1]


CELL_TYPES = 6  # types counted one by one in a cell's hover; the rest are "other types"


def map_cells(
    store: Store, state: FilterState, registry: Registry, max_cells: int
) -> tuple[pd.DataFrame, float, list[str]]:
    """Events aggregated into square cells of a size chosen from the filtered extent.

    Returns (cells, size, types). ``size`` (degrees) is the smallest nice size whose grid
    over the filtered extent has at most ``max_cells`` cells, so at most that many come
    back. ``cells`` has one row per non-empty cell: its south-west corner (cell_lat,
    cell_lon), centre (lat, lon), events, fatalities (sum of known figures),
    unknown_fatalities (events without a figure), ``n_0`` … counts of the view's most
    common ``types`` and ``n_other``; the busiest cell first.
    """
    rel, clause, params = _source(store, state, registry)
    counts = _summary(store, rel, clause, params)  # the same version of the dataset as the cells
    total = _in_all(counts)
    if total["lat0"] is None:
        columns = ["cell_lat", "cell_lon", "lat", "lon", "events", "fatalities", "unknown_fatalities", "n_other"]
        return pd.DataFrame(columns=columns), 1.0, []
    size = cell_size_for(tuple(float(total[k]) for k in ("lat0", "lat1", "lon0", "lon1")), max_cells)
    # the most common types (ties by name, in code point order as DuckDB sorts them)
    ranked = counts.loc[~counts["all"]].sort_values(["events", "type"], ascending=[False, True], kind="stable")
    types = ranked["type"].head(CELL_TYPES).tolist()
    per_type = "".join(f", count(*) FILTER (WHERE type = ?) AS n_{i}" for i in range(len(types)))
    other = "count(*) FILTER (WHERE NOT list_contains(?::VARCHAR[], type))" if types else "0"
    frame = _run(
        store,
        f"""WITH f AS (
                SELECT floor(latitude / ? + {CELL_NUDGE}) AS gy, floor(longitude / ? + {CELL_NUDGE}) AS gx,
                       {TYPE_EXPR} AS type, fatalities
                FROM {rel} WHERE {clause})
            SELECT gy * ? AS cell_lat, gx * ? AS cell_lon, (gy + 0.5) * ? AS lat, (gx + 0.5) * ? AS lon,
                   count(*) AS events, sum(fatalities)::BIGINT AS fatalities,
                   count(*) - count(fatalities) AS unknown_fatalities{per_type}, {other} AS n_other
            FROM f GROUP BY gy, gx ORDER BY events DESC LIMIT ?""",
        [size, size, *params, size, size, size, size, *types, *([types] if types else []), max_cells],
    )
    return frame, size, types


# ---------------------------------------------------------------- the timeline


def time_bin(start: dt.date, end: dt.date) -> str:
    """'day', 'week', 'month' or 'year': the bin that keeps a span readable (≤ ~150 bins; UCDP
    GED's decades by year, not in 400 hairline months)."""
    days = (end - start).days
    if days <= 150:
        return "day"
    if days <= 7 * 150:
        return "week"
    if days <= 366 * 12.5:
        return "month"
    return "year"


def timeline_bins(store: Store, state: FilterState, registry: Registry, bin_: str) -> pd.DataFrame:
    """Events and fatalities per time bin and type: bin (date), type, events, fatalities (the
    known figures' sum), unknown_killed (events whose number killed is unknown)."""
    rel, clause, params = _source(store, state, registry)
    return _run(
        store,
        f"""SELECT date_trunc('{bin_}', event_date)::DATE AS bin, {TYPE_EXPR} AS type,
                   count(*) AS events, sum(fatalities)::BIGINT AS fatalities,
                   count(*) - count(fatalities) AS unknown_killed
            FROM {rel} WHERE {clause} GROUP BY ALL ORDER BY bin, type""",
        params,
    )


def timeline_events(store: Store, state: FilterState, registry: Registry, limit: int) -> pd.DataFrame:
    """Up to ``limit`` events for the timeline's event lane, with their response_to links."""
    rel, clause, params = _source(store, state, registry)
    return _run(
        store,
        f"""SELECT rowkey, event_id, event_date, date_precision, {TYPE_EXPR} AS type, actor1, actor2, location,
                   fatalities, injuries, response_to
            FROM {rel} WHERE {clause} ORDER BY event_date, rowkey LIMIT ?""",
        [*params, limit],
    )


def retaliation_links(events: pd.DataFrame) -> pd.DataFrame:
    """Pairs (from_id → to_id) where an event in ``events`` answers another in ``events``.

    Returns from_id, from_date, to_id, to_date (the earlier event is "from").
    """
    rows = []
    by_id = dict(zip(events["event_id"], events["event_date"], strict=True))
    for event_id, date, answers in zip(events["event_id"], events["event_date"], events["response_to"], strict=True):
        for earlier in schema.split_list(answers if isinstance(answers, str) else None):
            if earlier in by_id:
                rows.append({"from_id": earlier, "from_date": by_id[earlier], "to_id": event_id, "to_date": date})
    return pd.DataFrame(rows, columns=["from_id", "from_date", "to_id", "to_date"])


# ---------------------------------------------------------------- the table and details

TABLE_COLUMNS = [
    "event_id",
    "event_date",
    "date_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
    "injuries",
    "source",
    "source_url",
    "response_to",
]
SORTS = {
    "newest": "event_date DESC, rowkey DESC",
    "oldest": "event_date, rowkey",
    "fatalities": "fatalities DESC NULLS LAST, event_date DESC, rowkey DESC",
    # by a column, then newest first: a table's header sorts only its page, and at 1M events an
    # analyst could not list a view by place, type or actor
    "country": "country, admin1 NULLS LAST, location NULLS LAST, event_date DESC, rowkey DESC",
    "type": f"{TYPE_EXPR} NULLS LAST, event_date DESC, rowkey DESC",
    "actor": "actor1, event_date DESC, rowkey DESC",
}


def events_page(
    store: Store, state: FilterState, registry: Registry, offset: int, limit: int, sort: str = "newest"
) -> pd.DataFrame:
    """One page of the filtered events, sorted in the store."""
    rel, clause, params = _source(store, state, registry)
    order = SORTS.get(sort, SORTS["newest"])
    return _run(
        store,
        f"SELECT {', '.join(TABLE_COLUMNS)} FROM {rel} WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )


def event_detail(store: Store, dataset: str, event_id: str) -> dict | None:
    """Every canonical column of one event, or None."""
    rel = store.relation(dataset)
    frame = _run(store, f"SELECT {', '.join(schema.CANONICAL_COLUMNS)} FROM {rel} WHERE event_id = ?", [event_id])
    return None if frame.empty else frame.iloc[0].to_dict()


def event_ids_for_rowkeys(store: Store, dataset: str, rowkeys: list[int]) -> list[str]:
    rel = store.relation(dataset)
    frame = _run(store, f"SELECT event_id FROM {rel} WHERE list_contains(?::BIGINT[], rowkey)", [rowkeys])
    return frame["event_id"].tolist()


def same_place(
    store: Store, dataset: str, event_id: str, lat: float, lon: float, limit: int = 20
) -> tuple[pd.DataFrame, int]:
    """The other events of the dataset at exactly this event's coordinates (all dates, no filter):
    up to ``limit`` of them (event_id, event_date, type), newest first, and how many there are."""
    rel = store.relation(dataset)
    frame = _run(
        store,
        f"""SELECT event_id, event_date, {TYPE_EXPR} AS type, count(*) OVER () AS total FROM {rel}
            WHERE latitude = ? AND longitude = ? AND event_id <> ?
            ORDER BY event_date DESC, event_id LIMIT ?""",
        [lat, lon, event_id, limit],
    )
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    return frame.drop(columns="total"), total


def event_labels(store: Store, dataset: str, event_ids: list[str]) -> dict[str, str]:
    """A short label per event id that exists: "25 Feb 2021 · Air/drone strike — Abu Kamal"."""
    if not event_ids:
        return {}
    rel = store.relation(dataset)
    frame = _run(
        store,
        f"SELECT event_id, event_date, {TYPE_EXPR} AS type, coalesce(location, country) AS place FROM {rel} "
        "WHERE list_contains(?::VARCHAR[], event_id)",
        [list(event_ids)],
    )
    return {
        e: f"{day_text(pd.Timestamp(d))} · {t} — {p}"
        for e, d, t, p in zip(frame["event_id"], frame["event_date"], frame["type"], frame["place"], strict=True)
    }


def answered_by(store: Store, dataset: str, event_id: str) -> pd.DataFrame:
    """Events whose response_to names ``event_id``: event_id, event_date, type, location."""
    rel = store.relation(dataset)
    return _run(
        store,
        f"""SELECT event_id, event_date, {TYPE_EXPR} AS type, location FROM {rel}
            WHERE list_contains(list_transform(string_split(coalesce(response_to, ''), ';'), lambda x: trim(x)), ?)
            ORDER BY event_date""",
        [event_id],
    )


def iter_batches(
    store: Store, state: FilterState, registry: Registry, batch_rows: int = 50_000, sort: str = "oldest"
) -> Iterator[pa.Table]:
    """The filtered events' canonical columns in the order of ``sort`` (one of :data:`SORTS`;
    the Events table's, so a download lists its rows as the table does), as Arrow batches
    (for streamed exports)."""
    rel, clause, params = _source(store, state, registry)
    cur = store.cursor()
    try:
        reader = cur.sql(
            f"SELECT {', '.join(schema.CANONICAL_COLUMNS)} FROM {rel} WHERE {clause} "
            f"ORDER BY {SORTS.get(sort, SORTS['oldest'])}",
            params=params,
        ).to_arrow_reader(batch_rows)
        for batch in reader:
            yield pa.Table.from_batches([batch])
    finally:
        cur.close()


def affiliations_present(registry: Registry, actors: Iterable[str]) -> list[str]:
    """The registry's affiliations that some actor of the dataset (canonical names) holds: the
    Affiliation filter offers no choice that can only give nothing."""
    present = set(actors)
    return [a for a in registry.affiliations() if present & set(registry.members_of([a]))]
