"""FilterState: the view as a value, its URL grammar, and its plain-English description.

The URL is the view. :func:`from_query` turns query parameters into a :class:`FilterState`
plus a list of notices for every value it had to drop; :func:`to_query` turns a state back
into parameters, leaving defaults out. Round trips are exact (``tests/test_filters.py``).

Grammar (repeated keys for lists, ISO dates, inclusive range)::

    dataset=NAME  from=YYYY-MM-DD  to=YYYY-MM-DD  q=TEXT  event=EVENT_ID
    actor=… attacker=… target=… affiliation=… type=… country=…   (each repeatable)
    cell=LAT,LON,SIZE   (an aggregated map cell the view is narrowed to)
    area=LON0,LAT0,LON1,LAT1   (a box drawn on the map)

Nothing here reads Streamlit or the store: the allowed values come in as a
:class:`Vocabulary`, built by the caller from the dataset.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from lib import schema
from lib.actors import Registry

LIST_KEYS = ("actor", "attacker", "target", "affiliation", "type", "country")
SCALAR_KEYS = ("dataset", "from", "to", "q", "event", "cell", "area")
ALL_KEYS = LIST_KEYS + SCALAR_KEYS
# The Events table's order and page: part of that page's links only (see table_query).
TABLE_KEYS = ("sort", "page")
TABLE_SORTS = ("newest", "oldest", "fatalities", "country", "type", "actor")  # the keys of queries.SORTS (tested)
CELL_SIZES = (0.01, 10.0)  # the smallest and largest of the map's cells (queries.NICE_CELL_SIZES), degrees
MAX_QUERY_LENGTH = 200
MAX_PAGE = 10**9  # a page link's number is held to this: past any table's end
# Query keys that are not Sitrep's and need no notice: Streamlit's own, and what trackers add.
FOREIGN_KEYS = ("embed", "embed_options", "fbclid", "gclid", "mc_cid", "mc_eid")
FOREIGN_PREFIXES = ("utm_",)
SHOWN_LENGTH = 60  # longest URL value echoed in a notice
MAX_VALUES_PER_KEY = 50


@dataclass(frozen=True)
class FilterState:
    """What the user is looking at. Empty tuples and None mean "no restriction"."""

    dataset: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: tuple[str, ...] = ()
    attacker: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    affiliation: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    q: str = ""
    event: str | None = None
    cell: tuple[float, float, float] | None = None  # lat, lon of the cell's south-west corner; size in degrees
    area: tuple[float, float, float, float] | None = None  # lon0, lat0, lon1, lat1

    def __post_init__(self) -> None:
        # a cell or box as its link carries it (link_degrees), however it was made (a box drawn on the map)
        for key in ("cell", "area"):
            value = getattr(self, key)
            if value is not None:
                object.__setattr__(self, key, tuple(link_degrees(float(v)) for v in value))

    def with_(self, **changes) -> FilterState:
        return replace(self, **changes)

    @property
    def is_narrowed(self) -> bool:
        """True if anything but the dataset and the selected event restricts the view."""
        return self.cleared() != self.with_(event=None)

    def cleared(self) -> FilterState:
        return FilterState(dataset=self.dataset)


@dataclass
class Vocabulary:
    """The values a URL may name for one dataset."""

    datasets: Sequence[str]
    default_dataset: str
    min_date: dt.date
    max_date: dt.date
    actors: Sequence[str]
    affiliations: Sequence[str]
    types: Sequence[str]
    countries: Sequence[str]
    registry: Registry | None = None
    attackers: Sequence[str] | None = None  # actor 1's side; None: any actor
    targets: Sequence[str] | None = None  # actor 2's side; None: any actor
    event_exists: Callable[[str], bool] = field(default=lambda event_id: True)


# The days a link's dates may name: from the first day an import takes, and within what
# Streamlit's date slider can reach (1684–2255; beyond it the page failed whole).
EARLIEST_DAY = schema.EARLIEST_DATE.date()
LATEST_DAY = dt.date(2199, 12, 31)


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def wrap_longitude(lon: float) -> float:
    """A longitude past ±180 (as a map centred near the antimeridian gives it) back within ±180."""
    return lon if -180 <= lon <= 180 else (lon + 180) % 360 - 180


def normal_area(west: float, south: float, east: float, north: float) -> tuple[float, float, float, float]:
    """A box with its longitudes as a map gives them (past ±180 when the map is centred near the
    antimeridian; ``west`` < ``east``) as a link writes it: within ±180, ``west`` > ``east``
    when it crosses the antimeridian, the whole band when it is 360° wide or more."""
    if east - west >= 360:
        return (-180.0, south, 180.0, north)
    west, east = wrap_longitude(west), wrap_longitude(east)
    if east == -180 and west > east:
        east = 180.0  # a box ending on the antimeridian ends at its east side
    return (west, south, east, north)


def _parse_floats(text: str, count: int) -> tuple[float, ...] | None:
    parts = text.split(",")
    if len(parts) != count:
        return None
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        return None
    # as a link writes them, so the view a link opens is the one it was made from
    return tuple(link_degrees(v) for v in values) if all(math.isfinite(v) for v in values) else None


LINK_DECIMALS = 5  # of a degree in a link's cell and area: ~1 m


def link_degrees(value: float) -> float:
    """Degrees as a link carries them (rounded to LINK_DECIMALS; no -0). The state holds them so
    too: a box kept at full precision was not the box its link opened (44.0000001 became 44, and a
    box of no width was refused)."""
    return round(value, LINK_DECIMALS) + 0.0


def _values(params: Mapping[str, Sequence[str]], key: str) -> list[str]:
    """A key's non-blank values, stripped (a string counts as one value)."""
    raw = params.get(key, [])
    items = [raw] if isinstance(raw, str) else list(raw)
    return [v for v in (str(x).strip() for x in items) if v]


# What makes Markdown of text inside a line: emphasis, code, maths, links and images ("[", "]"),
# "<…>" autolinks, Streamlit's colour directives (":red[") and :emoji: or :material/…: shortcodes.
# ":" alone ("sitrep:2021-…") and ".", "-", "#" (only at a line's start) stay as typed.
_INLINE_SPECIAL = re.compile(r"[\\`*_\[\]<>~$|]|:(?=[\w+\-/]+:)|:(?=\w+\[)")


# Streamlit links a bare address whatever the escaping ("https\://x" too); an invisible word
# joiner (U+2060) inside "https://", "www." and "a@b" keeps it text.
_AUTOLINK = re.compile(r"(?i)(?<![\w])(https?|ftp|www)(?=://|\.)|(?=@)")


def md_inline(text: str) -> str:
    """Text from a link or a data file made literal inside a line of Streamlit Markdown (the page's
    sentence, a notice): ``?q=[retracted](https://evil.example)`` must not become a link (nor a
    bare address), ``![x](http://…)`` an image the viewer's browser fetches, nor a line break a
    new paragraph."""
    text = " ".join(text.split())
    return unlinked(_INLINE_SPECIAL.sub(lambda m: "\\" + m.group(0), text))


def unlinked(text: str) -> str:
    """``text`` with a word joiner where Streamlit's Markdown would make a link of it by itself."""
    return _AUTOLINK.sub(lambda m: (m.group(1) or "") + "\u2060", text)


MAX_NOTICES = 8


def cap_notices(notices: list[str], limit: int = MAX_NOTICES) -> list[str]:
    """At most ``limit`` notices and one line for the rest: a link with 200 bad keys gave 200
    warnings above the page."""
    if len(notices) <= limit:
        return notices
    rest = len(notices) - limit + 1
    return [*notices[: limit - 1], f"… and {rest:,} more problems with this link's values: correct or remove them."]


def nearest(asked: str, names: Iterable[str]) -> str | None:
    """The name most like ``asked`` (case aside), for "Did you mean …?", or None: one of the same
    first letter ("Narnia" is not near "Armenia", whose letters it shares), at least 75% alike.
    ~25 ms among 20,000 names."""
    wanted = asked.casefold()[:200]
    folded = {name.casefold(): name for name in names if name.casefold()[:1] == wanted[:1]}
    near = difflib.get_close_matches(wanted, list(folded), n=1, cutoff=0.75)
    return folded[near[0]] if near else None


def _shown(value: str) -> str:
    """A value from the URL, quoted for a notice (Markdown made literal), and cut if long (a link
    can carry kilobytes)."""
    return md_inline(repr(value if len(value) <= SHOWN_LENGTH else value[: SHOWN_LENGTH - 1] + "…"))


def search_text(text: str) -> str:
    """A search text as it is searched for: spaces and line breaks as one space (the box cannot
    hold a line break), without control characters and direction marks (a right-to-left
    override in a link turned the page's sentence around), nor the invisible characters that
    text pasted from a web page or a document carries ("Erbil" with a zero-width space after
    it looked like "Erbil" and found nothing). A zero-width joiner or non-joiner stays between
    two letters beyond ASCII, where Persian, Kurdish, Urdu and Indic words are spelt with it."""
    kept = []
    for i, c in enumerate(text):
        if c in BIDI_CONTROLS or c in INVISIBLE or (unicodedata.category(c) == "Cc" and not c.isspace()):
            continue
        if c in JOINERS and not (0 < i < len(text) - 1 and _spelt_with_joiners(text[i - 1], text[i + 1])):
            continue
        kept.append(c)
    return " ".join("".join(kept).split())


def _spelt_with_joiners(before: str, after: str) -> bool:
    return all(c.isalpha() and not c.isascii() or unicodedata.category(c) == "Mn" for c in (before, after))


# Marks that turn text's direction, invisible: taken out of a search.
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible in any text: zero-width space, soft hyphen, byte order mark (zero-width no-break
# space), word joiner, Mongolian vowel separator, the invisible operators.
INVISIBLE = frozenset("\u200b\u00ad\ufeff\u2060\u180e\u2061\u2062\u2063\u2064")
JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner: spelling, between letters


def from_query(params: Mapping[str, Sequence[str]], vocab: Vocabulary) -> tuple[FilterState, list[str]]:
    """Parse query parameters into a state; return it with a notice per dropped value.

    ``params`` maps a key to all its values (as ``st.query_params.to_dict`` would give
    lists). Bad values of known keys are dropped with a notice that names the key and the
    value; so are unknown keys (a typo such as ``contry=Iraq`` would otherwise show every
    event without a word), except Streamlit's own and trackers' (:data:`FOREIGN_KEYS`).
    """
    notices: list[str] = []
    known = ALL_KEYS + TABLE_KEYS
    for key in params:
        if key in known or key in FOREIGN_KEYS or key.startswith(FOREIGN_PREFIXES):
            continue
        near = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6)
        hint = f" Did you mean '{near[0]}'?" if near else f" The keys are: {', '.join(known)}."
        notices.append(f"Unknown link key {_shown(key)} ignored.{hint}")

    def values(key: str) -> list[str]:
        return _values(params, key)

    def scalar(key: str) -> str | None:
        items = values(key)
        if len(items) > 1:
            notices.append(f"'{key}' was given {len(items)} times; used the first value, {_shown(items[0])}.")
        return items[0] if items else None

    dataset = scalar("dataset")
    if dataset is not None and dataset not in vocab.datasets:
        near = nearest(dataset, vocab.datasets)
        hint = f" Did you mean {_shown(near)}?" if near else ""
        notices.append(f"Unknown dataset {_shown(dataset)} ignored; showing {vocab.default_dataset!r}.{hint}")
        dataset = None
    if dataset == vocab.default_dataset:
        dataset = None

    dates: dict[str, dt.date | None] = {}
    for key in ("from", "to"):
        text = scalar(key)
        day = _parse_date(text) if text else None
        if text and day is None:
            notices.append(f"{_shown(key + '=' + text)} is not a date (use YYYY-MM-DD); ignored.")
        elif day and not EARLIEST_DAY <= day <= LATEST_DAY:
            notices.append(
                f"{_shown(key + '=' + text)} is outside the dates Sitrep takes ({EARLIEST_DAY} – {LATEST_DAY}); "
                "ignored. Check the year."
            )
            day = None
        dates[key] = day
    date_from, date_to = dates["from"], dates["to"]
    if date_from and date_to and date_from > date_to:
        notices.append(f"'from={date_from}' is after 'to={date_to}'; the two were swapped.")
        date_from, date_to = date_to, date_from
    # Dates beyond the data are kept as asked: a link to 2025 on data that ends in 2024 shows no
    # event (clamped to the last day, it showed that day's events under the 2025 question), and a
    # link to "from 1 Nov 2024" keeps meaning that when the dataset grows.
    # One end given, past the data's other end ("from=2030-01-01" on data ending in 2024): the
    # range is that one day, not reversed.
    if date_from and not date_to and date_from > vocab.max_date:
        date_to = date_from
    if date_to and not date_from and date_to < vocab.min_date:
        date_from = date_to
    start, end = date_from or vocab.min_date, date_to or vocab.max_date
    if end < vocab.min_date or start > vocab.max_date:
        asked = f"The date {start} is" if start == end else f"The dates {start} – {end} are"
        them = "it" if start == end else "them"
        # After the data, an event dated only to a week or a month may still reach into the dates
        # (the page's sentence names it): none begins in them, which is what the filter counts.
        fact = f"no event falls in {them}" if end < vocab.min_date else f"no event begins in {them}"
        notices.append(
            f"{asked} outside the data ({vocab.min_date} – {vocab.max_date}): {fact}. Change the dates to see events."
        )
    if date_from == vocab.min_date:
        date_from = None
    if date_to == vocab.max_date:
        date_to = None

    lists: dict[str, tuple[str, ...]] = {}
    allowed = {
        "actor": vocab.actors,
        "attacker": vocab.actors if vocab.attackers is None else vocab.attackers,
        "target": vocab.actors if vocab.targets is None else vocab.targets,
        "affiliation": vocab.affiliations,
        "type": vocab.types,
        "country": vocab.countries,
    }
    hints_left = 5  # "Did you mean …?" for the first unknown values
    for key in LIST_KEYS:
        known = set(allowed[key])
        folded = {v.casefold(): v for v in known}
        kept: list[str] = []
        items = values(key)
        if len(items) > MAX_VALUES_PER_KEY:
            notices.append(f"'{key}' was given {len(items)} times; kept the first {MAX_VALUES_PER_KEY}.")
            items = items[:MAX_VALUES_PER_KEY]
        for item in items:
            match = item if item in known else folded.get(item.casefold())
            if match is None and key in ("actor", "attacker", "target") and vocab.registry is not None:
                resolved = vocab.registry.resolve(item)
                match = resolved if resolved in known else None
            if match is None:
                side = {"attacker": " as actor 1 (attacker)", "target": " as actor 2 (target)"}.get(key, "")
                hint = ""
                if hints_left:  # ~25 ms a name among 20,000 actors: a few per link, not 300
                    hints_left -= 1
                    near = nearest(item, known)
                    hint = f" Did you mean {_shown(near)}?" if near else ""
                notices.append(f"Unknown {key} {_shown(item)} ignored: it does not occur{side} in this dataset.{hint}")
            elif match not in kept:
                kept.append(match)
        lists[key] = tuple(kept)

    q = search_text(scalar("q") or "")
    if len(q) > MAX_QUERY_LENGTH:
        notices.append(f"Search text cut to {MAX_QUERY_LENGTH} characters.")
        q = q[:MAX_QUERY_LENGTH]

    event = scalar("event")
    if event is not None and not vocab.event_exists(event):
        notices.append(f"Unknown event {_shown(event)} ignored: no such event in this dataset.")
        event = None

    cell = None
    text = scalar("cell")
    if text:
        parsed = _parse_floats(text, 3)
        # the south-west corner and the size: the whole cell on the globe (not past a pole)
        if parsed is None or not (-90 <= parsed[0] <= 90 - parsed[2] and -180 <= parsed[1] <= 180 - parsed[2]):
            notices.append(f"{_shown('cell=' + text)} is not a map cell (LAT,LON,SIZE in degrees); ignored.")
        elif not CELL_SIZES[0] <= parsed[2] <= CELL_SIZES[1]:  # the map's cells: "the 1e-05° cell" was none
            notices.append(
                f"{_shown('cell=' + text)} is not a map cell: its size must be {CELL_SIZES[0]:g} to "
                f"{CELL_SIZES[1]:g} degrees, as the map's cells are; ignored."
            )
        else:
            cell = parsed
    area = None
    text = scalar("area")
    if text:
        parsed = _parse_floats(text, 4)
        # west > east is a box across the antimeridian (as a GeoJSON bbox writes it)
        if parsed is None or not (
            -180 <= parsed[0] <= 180 and -180 <= parsed[2] <= 180 and parsed[0] != parsed[2]
            and -90 <= parsed[1] < parsed[3] <= 90
        ):  # fmt: skip
            rule = "LON0,LAT0,LON1,LAT1 in degrees, south < north; west > east only across the antimeridian"
            notices.append(f"{_shown('area=' + text)} is not a box ({rule}); ignored.")
        else:
            area = parsed

    state = FilterState(
        dataset=dataset,
        date_from=date_from,
        date_to=date_to,
        q=q,
        event=event,
        cell=cell,
        area=area,
        **lists,
    )
    return state, notices


def _fmt_float(value: float) -> str:
    return f"{link_degrees(value):.{LINK_DECIMALS}f}".rstrip("0").rstrip(".")


def to_query(state: FilterState) -> dict[str, list[str]]:
    """The state as query parameters; defaults (None, empty) are left out."""
    out: dict[str, list[str]] = {}
    if state.dataset:
        out["dataset"] = [state.dataset]
    if state.date_from:
        out["from"] = [state.date_from.isoformat()]
    if state.date_to:
        out["to"] = [state.date_to.isoformat()]
    for key in LIST_KEYS:
        items = getattr(state, key)
        if items:
            out[key] = list(items)
    if state.q:
        out["q"] = [state.q]
    if state.event:
        out["event"] = [state.event]
    if state.cell:
        out["cell"] = [",".join(_fmt_float(v) for v in state.cell)]
    if state.area:
        out["area"] = [",".join(_fmt_float(v) for v in state.area)]
    return out


def query_string(state: FilterState, extra: Mapping[str, Sequence[str]] | None = None) -> str:
    """``to_query`` (and ``extra``, e.g. :func:`table_query`) encoded for a link (``a=1&a=2``), stable order."""
    from urllib.parse import urlencode

    pairs = [(k, v) for k, vs in {**to_query(state), **(extra or {})}.items() for v in vs]
    return urlencode(pairs)


def share_link(page_url: str, query: str, missing_page: str = "") -> str:
    """The link to a view: the page's address (``st.context.url``) and its query string.

    The app's root reads ``http://host:port/?…``, with the slash browsers put there
    themselves, so the copied link is the one the address bar shows. ``missing_page`` is a
    page path the browser asked for and the app does not have (``/nonexistent-page``):
    Streamlit shows the Map and rewrites the address bar without it, but its URL still ends
    with it on that first run, and the link copied then led back to "Page not found"."""
    from urllib.parse import urlsplit

    base = page_url.split("?", 1)[0].split("#", 1)[0]
    if missing_page and base.rstrip("/").endswith("/" + missing_page.strip("/")):
        base = base.rstrip("/").removesuffix("/" + missing_page.strip("/"))
    if base and not urlsplit(base).path:
        base += "/"
    return f"{base}?{query}" if query else base


def table_from_query(params: Mapping[str, Sequence[str]]) -> tuple[str, int, list[str]]:
    """The Events table's order and page from a link (``sort``, ``page``), with a notice per bad value."""
    notices: list[str] = []

    def first(key: str) -> str | None:
        items = _values(params, key)
        if len(items) > 1:
            notices.append(f"'{key}' was given {len(items)} times; used the first value, {_shown(items[0])}.")
        return items[0] if items else None

    sort = first("sort") or TABLE_SORTS[0]
    if sort.strip().lower() in TABLE_SORTS:  # "FATALITIES", as other values are taken in any case
        sort = sort.strip().lower()
    if sort not in TABLE_SORTS:
        notices.append(f"Unknown sort {_shown(sort)} ignored; the orders are {', '.join(TABLE_SORTS)}.")
        sort = TABLE_SORTS[0]
    text = first("page")
    page = 1
    if text:
        if re.fullmatch(r"0*[1-9][0-9]*", text):  # not "²", which isdigit() lets through
            # a page past any table's end, said so by the Events page as page 999 is ("is not a page
            # number" for page 10²³ only), without int() on thousands of digits
            page = min(int(text.lstrip("0")[:10]), MAX_PAGE)
        else:
            notices.append(f"{_shown('page=' + text)} is not a page number (1, 2, …); showing page 1.")
    return sort, page, notices


def table_query(sort: str, page: int) -> dict[str, list[str]]:
    """The Events table's order and page as link parameters; defaults (newest, page 1) left out."""
    out: dict[str, list[str]] = {}
    if sort != TABLE_SORTS[0]:
        out["sort"] = [sort]
    if page > 1:
        out["page"] = [str(page)]
    return out


SPOT_DEGREES = 0.01  # a box at most this wide and high is described as one spot


def latitude_text(value: float, decimals: int = 2) -> str:
    """33.79° N; 12.05° S."""
    return f"{abs(value):.{decimals}f}° {'S' if value < 0 else 'N'}"


def longitude_text(value: float, decimals: int = 2) -> str:
    """42.44° E; 70.50° W."""
    return f"{abs(value):.{decimals}f}° {'W' if value < 0 else 'E'}"


def count_text(n: int, word: str) -> str:
    """ "1 event", "2 events", "1,204 problems": a count with its noun (regular plurals only)."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def spanning_text(n: int, first: dt.date | None, start: dt.date | None, shown: int) -> str:
    """What the view's start cuts off (``queries.spanning_start``), in a sentence to follow the
    view's (``shown`` events); "" if nothing."""
    if not n or first is None or start is None:
        return ""
    them = "it" if n == 1 else "them"
    return (
        f"{count_text(n, 'more event' if shown else 'event')} dated only to a week or a month "
        f"{'begins' if n == 1 else 'begin'} before {day_text(start)} and may fall in these dates (an event counts "
        f"on its span's first day): start the dates on {day_text(first)} to include {them}."
    )


def clause(text: object) -> str:
    """A message to go on after "; …" or to end with a full stop: without its own ("…intact.; the")."""
    return str(text).rstrip().rstrip(".")


NO_EVENT = (
    "No event matches these filters. Widen the dates or remove a filter "
    "(or press **Reset all filters** in the sidebar)."
)


def no_event(state: FilterState, min_date: dt.date, max_date: dt.date, notices: Sequence[str] = ()) -> str:
    """What a view with no event says: :data:`NO_EVENT`, led by the data's span when the dates
    lie wholly outside it (dates typed in the box said nothing of it), unless the link's
    ``notices`` already say so."""
    start, end = state.date_from or min_date, state.date_to or max_date
    said = any("outside the data" in notice for notice in notices)
    if (end < min_date or start > max_date) and not said:
        return (
            f"No event: the dates {day_text(start)} – {day_text(end)} are outside the data, which runs from "
            f"{day_text(min_date)} to {day_text(max_date)}. " + NO_EVENT.split(". ", 1)[1]
        )
    return NO_EVENT


def table_link_label(events: int) -> str:
    """The label of a link to the Events page listing a view's events."""
    return "List this event as a table" if events == 1 else f"List these {count_text(events, 'event')} as a table"


def day_text(day: dt.date) -> str:
    """A day in words, as every page writes it: "3 Jan 2020" (no leading zero)."""
    return f"{day.day} {day.strftime('%b %Y')}"


def _plain(text: str) -> str:
    return " ".join(text.split())


def _join_names(items: Sequence[str], literal=md_inline) -> str:
    items = [literal(item) for item in items]  # names from the data or the link
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def actor_roles(directed: bool) -> tuple[str, str]:
    """The names of actor 1 and actor 2: "Attacker" and "Target" where the dataset's actor order
    is a direction (``DatasetInfo.directed``), else "Actor 1" and "Actor 2"."""
    return ("Attacker", "Target") if directed else ("Actor 1", "Actor 2")


def describe(
    state: FilterState,
    count: int,
    min_date: dt.date,
    max_date: dt.date,
    is_directed: bool = True,
    markdown: bool = True,
    subject: str = "Strikes and attacks",
) -> str:
    """The view in one sentence, e.g. "Strikes and attacks by Iran-aligned groups in Iraq,
    1 Jan 2020 – 28 Feb 2021: 3 events". In a dataset whose actor order is no direction
    (``is_directed`` false), the attacker and target filters read "with X as actor 1/2";
    ``subject`` is what the dataset's events are called (``DatasetInfo.subject``).
    Names and the search are made literal for Streamlit's Markdown; ``markdown=False`` gives
    them as they are, for plain text (the map's PNG title)."""
    literal = md_inline if markdown else _plain

    def names(items: Sequence[str]) -> str:
        return _join_names(items, literal)

    if state.type:
        subject = names(state.type)
        subject = subject[0].upper() + subject[1:] + (" events" if not subject.endswith("s") else "")
    parts = [subject]
    if is_directed:
        if state.attacker:
            parts.append(f"by {names(state.attacker)}")
        if state.target:
            parts.append(f"against {names(state.target)}")
    elif state.attacker or state.target:  # "with A as actor 1 and B as actor 2"
        roles = [f"{names(side)} as actor {n}" for n, side in ((1, state.attacker), (2, state.target)) if side]
        parts.append("with " + " and ".join(roles))
    involving = []  # one "involving": "involving United States involving Iran-aligned groups" read twice
    if state.actor:
        involving.append(names(state.actor))
    if state.affiliation:
        involving.append(f"{names(state.affiliation)} groups")
    if involving:
        parts.append("involving " + " and ".join(involving))
    if state.country:
        parts.append(f"in {names(state.country)}")
    if state.q:
        parts.append(f"mentioning “{literal(state.q)}”")
    if state.cell:
        lat, lon, size = state.cell
        # its span, not only its south-west corner ("at 33.40° N, 44.40° E" read as its middle)
        parts.append(
            f"in the {size:g}° cell {latitude_text(lat)} – {latitude_text(lat + size)}, "
            f"{longitude_text(lon)} – {longitude_text(lon + size)}"
        )
    if state.area:
        lon0, lat0, lon1, lat1 = state.area
        wide = (lon1 - lon0) % 360 or 360.0  # west > east: across the antimeridian
        if lat1 - lat0 <= SPOT_DEGREES and wide <= SPOT_DEGREES:  # "Narrow every view to this spot"
            middle = wrap_longitude(lon0 + wide / 2)
            parts.append(f"at {latitude_text((lat0 + lat1) / 2, 4)}, {longitude_text(middle, 4)}")
        else:
            lats = f"{latitude_text(lat0)} – {latitude_text(lat1)}"
            parts.append(f"in the box {lats}, {longitude_text(lon0)} – {longitude_text(lon1)}")
    start = state.date_from or min_date
    end = state.date_to or max_date
    noun = "event" if count == 1 else "events"
    when = f" on {day_text(start)}" if start == end else f", {day_text(start)} – {day_text(end)}"
    return f"{' '.join(parts)}{when}: {count:,} {noun}"


def reimport_notice(dataset: str, imported_at: str | None, dropped: list[str]) -> str:
    """What a session says when the dataset it shows was imported again since its last run (by
    the command line or another session): the counts are the new data's, and the filter values
    the new data lacks were dropped (``dropped``: "country Iraq", …)."""
    when = f" (at {imported_at[11:16]} UTC)" if imported_at and len(imported_at) >= 16 else ""
    said = f"The dataset {dataset!r} was imported again{when} since this page was drawn: what you see is the new data."
    if dropped:
        said += f" Not in it any more, so dropped from the filters: {'; '.join(dropped)}. The other filters were kept."
    return said
