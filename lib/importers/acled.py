"""ACLED exports (CSV or XLSX, every column era) → canonical rows.

Layouts read: the current one (31 columns: ``disorder_type``, ``civilian_targeting``,
``tags``, ``timestamp``…), the 2019–2022 one (``data_id``, ``iso3``,
``event_id_no_cnty``…), the 2016 API one (alphabetical columns, ``ally_actor_1/2``, an
unnamed index column, older event types), headers in any case, files without the
``actor2`` columns. Columns are found by name, so their order does not matter.

Mapping rules (codebook):

- ``event_id`` = ``acled:`` + ``event_id_cnty`` (e.g. ``acled:IRQ1234``).
- ``event_date`` from ``event_date`` in any form :func:`common.parse_dates` reads,
  with the ``year`` column deciding two-digit years and ambiguous day/month orders.
- ``date_precision`` = ``time_precision`` and ``geo_precision`` = ``geo_precision``:
  ACLED's 1..3 codes mean what ours mean, kept as they are. But ACLED dates an event known
  only to a week or a month by that period's *middle* (its codebook: "the month mid-point is
  chosen"), where Sitrep dates it by the period's first day. So ``event_date`` is moved back
  to the period's first day, 3 days for time precision 2 (a week around the date) and 14
  for 3 (15 March → 1 March, the month), and ``notes`` end with ACLED's own date.
- ``event_type``/``sub_event_type`` straight over. Pre-2019 types are mapped onto the
  current taxonomy: ``Battle-No change of territory`` → Battles · Armed clash;
  ``Battle-Government regains territory`` → Battles · Government regains territory;
  ``Battle-Non-state actor overtakes territory`` → Battles · Non-state actor overtakes
  territory; ``Remote violence`` → Explosions/Remote violence (sub-type unknown, empty);
  ``Strategic development`` → Strategic developments; ``Non-violent transfer of
  territory`` and ``Headquarters or base established`` → Strategic developments · (the
  same words); ``Riots/Protests`` → Protests when ``inter1`` is 6/Protesters, Riots when
  it is 5/Rioters, else kept as ``Riots/Protests``. ``inter1``/``inter2`` may be
  numbers or ACLED's newer text labels.
- actors: ``actor1``, ``assoc_actor_1``, ``actor2``, ``assoc_actor_2`` straight over
  (2016: ``ally_actor_1/2`` → ``assoc_actor_1/2``). ACLED's actor order implies no
  direction.
- ``fatalities`` exactly as ACLED publishes it. ACLED codes 0 when no fatalities were
  reported, so an ACLED 0 means "none reported", not "known to be none".
  ``injuries`` empty (ACLED has none).
- ``country``, ``admin1``, ``admin2``, ``location``, ``latitude``, ``longitude``,
  ``source``, ``notes`` straight over; ``source_url`` empty (ACLED gives none).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lib.importers.common import (
    canonical_frame,
    normalise_header,
    parse_dates,
    read_table,
    reject_ragged,
    require_columns,
    text_column,
    warn_text_cells,
)
from lib.schema import Problem, Report

REQUIRED = ["event_id_cnty", "event_date", "event_type", "actor1", "country", "latitude", "longitude"]
ALIASES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}
OLD_EVENT_TYPES: dict[str, tuple[str, str]] = {
    "battle-no change of territory": ("Battles", "Armed clash"),
    "battle-government regains territory": ("Battles", "Government regains territory"),
    "battle-non-state actor overtakes territory": ("Battles", "Non-state actor overtakes territory"),
    "remote violence": ("Explosions/Remote violence", ""),
    "strategic development": ("Strategic developments", ""),
    "non-violent transfer of territory": ("Strategic developments", "Non-violent transfer of territory"),
    "headquarters or base established": ("Strategic developments", "Headquarters or base established"),
}
# ACLED's event types and sub-event types, in every codebook since 2019 (2019 to 2024). A
# value outside them is kept, but said: the Type filter would list it apart ("Airstrike" beside
# "Air/drone strike"). "Riots/Protests" is the pre-2019 type kept when inter1 does not decide it.
ACLED_TYPES: dict[str, set[str]] = {
    "Battles": {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"},
    "Explosions/Remote violence": {
        "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED", "Grenade",
    },
    "Violence against civilians": {"Sexual violence", "Attack", "Abduction/forced disappearance"},
    "Protests": {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"},
    "Riots": {"Violent demonstration", "Mob violence"},
    "Strategic developments": {
        "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
        "Headquarters or base established", "Looting/property destruction", "Non-violent transfer of territory",
        "Other",
    },
    "Riots/Protests": set(),
}  # fmt: skip
TYPE_WARNINGS_SHOWN = 10
PROTESTERS = {"6", "protesters"}
RIOTERS = {"5", "rioters"}


# The ACLED columns read (year and inter1 to read dates and older event types); the rest are not kept.
USED = {"event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1",
        "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "country", "admin1", "admin2", "location",
        "latitude", "longitude", "geo_precision", "fatalities", "source", "notes"}  # fmt: skip


def looks_like(names: list[str]) -> bool:
    """True for an ACLED header (normalised names)."""
    return "event_id_cnty" in names or ("time_precision" in names and "geo_precision" in names and "inter1" in names)


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    names = []
    for name in frame.columns:
        key = normalise_header(str(name))
        names.append(ALIASES.get(key, key))
    frame = frame.copy(deep=False)
    frame.columns = names
    # The 2016 API export starts with an unnamed row-index column.
    drop = [i for i, n in enumerate(names) if n == "" or n.startswith("unnamed:")]
    if drop:
        frame = frame.iloc[:, [i for i in range(len(names)) if i not in drop]]
    return frame


def map_event_types(event_type: pd.Series, sub_event_type: pd.Series, inter1: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Current ACLED taxonomy for a column of event types (see the module docstring)."""
    key = event_type.str.lower()
    new_type, new_sub = event_type.copy(), sub_event_type.copy()
    for old, (etype, sub) in OLD_EVENT_TYPES.items():
        hit = key == old
        if hit.any():
            new_type = new_type.where(~hit, etype)
            new_sub = new_sub.where(~hit | (new_sub != ""), sub)
    mixed = key == "riots/protests"
    if mixed.any():
        actor_kind = inter1.str.lower()
        new_type = new_type.where(~(mixed & actor_kind.isin(PROTESTERS)), "Protests")
        new_type = new_type.where(~(mixed & actor_kind.isin(RIOTERS)), "Riots")
    return new_type, new_sub


def warn_unknown_types(event_type: pd.Series, sub_event_type: pd.Series, rows: np.ndarray, report: Report) -> None:
    """Warn (rows kept) of event types, and sub-event types under their event type, that no
    ACLED codebook has: a hand-edited export ("Airstrike", "Air strike") would make the Type
    filter list one kind of event under two names. ``event_type``, ``sub_event_type`` and
    ``rows`` (their numbers in the file) are of the rows imported; each warning names its
    first rows and is placed at the first."""
    pairs = pd.DataFrame({"type": event_type.fillna(""), "sub": sub_event_type.fillna(""), "row": rows})
    unknown = []
    for (etype, sub), group in pairs.groupby(["type", "sub"], sort=False):
        subs = ACLED_TYPES.get(etype)
        if subs is None and etype:
            unknown.append((group["row"], "event_type", etype, "is not one of ACLED's event types"))
        elif subs is not None and sub and sub not in subs:
            if etype == "Riots/Protests":
                continue  # pre-2019: its sub-type, if any, is the file's
            why = f"is not one of ACLED's sub-event types under {etype!r}"
            unknown.append((group["row"], "sub_event_type", sub, why))
    unknown.sort(key=lambda item: -len(item[0]))
    for where, column, value, why in unknown[:TYPE_WARNINGS_SHOWN]:
        n = len(where)
        first = np.sort(where.to_numpy())[:3].tolist()  # a million rows of one misspelt type: numpy, not sorted()
        named = ", ".join(str(r) for r in first) + (f" and {n - 3:,} more" if n > 3 else "")
        report.add(
            Problem(
                f"{value!r} (row{'s' if n != 1 else ''} {named}) {why}. Kept as given; the Type filter "
                "lists it apart from ACLED's own names, so write ACLED's name if it is one of them",
                row=int(first[0]),
                column=column,
                fatal=False,
            )
        )
    if len(unknown) > TYPE_WARNINGS_SHOWN:
        message = f"… and {len(unknown) - TYPE_WARNINGS_SHOWN:,} more event or sub-event types not ACLED's"
        report.add(Problem(message, column="sub_event_type", fatal=False))


# ACLED's date for a period is its middle: days back to the period's first day, by time precision
PERIOD_MIDDLE = {"2": 3, "3": 14}
PERIOD_WORD = {"2": "week", "3": "month"}


def _notes(frame: pd.DataFrame) -> pd.Series:
    if "notes" not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    return frame["notes"].astype("str").fillna("")


def _period_first_day(dates: np.ndarray, precision: pd.Series, notes: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """ACLED's dates (datetime64, NaT where rejected) moved to the first day of the week or
    month their time precision gives, and the notes with ACLED's own date said at their end."""
    code = precision.str.strip().str.replace(r"\.0+$", "", regex=True)
    back = code.map(PERIOD_MIDDLE).fillna(0).astype("int64").to_numpy()
    moved = (back > 0) & ~np.isnat(dates)
    if not moved.any():
        return dates, notes
    out = dates.copy()
    out[moved] = dates[moved] - back[moved].astype("timedelta64[D]")
    day = pd.Series(pd.DatetimeIndex(dates[moved]))
    said = (
        "ACLED's date: " + day.dt.day.astype("str") + " " + day.dt.strftime("%B %Y")
        + ", the middle of the " + code[moved].map(PERIOD_WORD).to_numpy() + " its sources give (time precision "
        + code[moved].to_numpy() + "); Sitrep dates the event from that period's first day."
    ).to_numpy()  # fmt: skip
    notes = notes.copy()
    before = notes[moved].to_numpy()
    notes[moved] = [f"{n}\n{s}" if n else s for n, s in zip(before, said, strict=True)]
    return out, notes


def to_canonical(
    path: Path, data: bytes | None, report: Report, dataset: str, date_order: str | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Canonical (not yet validated) rows of an ACLED file and their data row numbers."""
    table = read_table(path, data)
    keep = reject_ragged(table, report)
    frame = _normalised(table.frame)
    rows = table.rows
    report.rows_read = len(frame)
    require_columns(list(frame.columns), REQUIRED, "ACLED")
    dropped = [c for c in frame.columns if c not in USED]
    if dropped:  # said, not silent: the codebook's "one to one" holds for Sitrep's fields only
        report.notes.append(
            f"ACLED columns not kept, as Sitrep has no field for them (your file keeps them): {', '.join(dropped)}"
        )
    warn_text_cells(report, frame, rows, ["notes", "actor1", "actor2", "source"])

    cache: dict[str, pd.Series] = {}

    def get(name: str) -> pd.Series:
        if name not in cache:
            cache[name] = text_column(frame, name)
        return cache[name]

    years = get("year") if "year" in frame.columns else None
    dates = parse_dates(get("event_date"), rows, report, "event_date", years=years, date_order=date_order)
    event_date, notes = _period_first_day(dates.values, get("time_precision"), _notes(frame))
    event_type, sub_event_type = map_event_types(get("event_type"), get("sub_event_type"), get("inter1"))
    columns = {
        "event_id": "acled:" + get("event_id_cnty"),
        "event_date": event_date,
        "date_precision": get("time_precision"),
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor1": get("actor1"),
        "assoc_actor_1": get("assoc_actor_1"),
        "actor2": get("actor2"),
        "assoc_actor_2": get("assoc_actor_2"),
        "country": get("country"),
        "admin1": get("admin1"),
        "admin2": get("admin2"),
        "location": get("location"),
        "latitude": get("latitude"),
        "longitude": get("longitude"),
        "geo_precision": get("geo_precision"),
        "fatalities": get("fatalities"),
        "source": get("source"),
        "notes": notes,
        "dataset": dataset,
    }
    # An empty event_id_cnty must stay empty (validate_frame rejects it), not become "acled:".
    columns["event_id"] = columns["event_id"].where(get("event_id_cnty") != "", "")
    return canonical_frame(columns, keep, rows, dated_badly=dates.bad)
