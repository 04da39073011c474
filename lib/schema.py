"""The canonical event table: its columns, their types, and the checks every row passes.

Every importer ends by calling :func:`validate_frame`, which turns a frame of strings and
numbers into the canonical dtypes and returns the rows that failed with the reason. The
shipped data, uploads and the command line all go through it, so a rule lives here once.
``data/CODEBOOK.md`` documents the same columns; ``tests/test_schema.py`` checks the two agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib import geocheck

# name -> (kind, required). Kinds: str, date, int (1..3 precision), float, nint (nullable int).
COLUMNS: dict[str, tuple[str, bool]] = {
    "event_id": ("str", True),
    "event_date": ("date", True),
    "date_precision": ("precision", True),
    "event_type": ("str", True),
    "sub_event_type": ("str", False),
    "actor1": ("str", True),
    "assoc_actor_1": ("str", False),
    "actor2": ("str", False),
    "assoc_actor_2": ("str", False),
    "country": ("str", True),
    "admin1": ("str", False),
    "admin2": ("str", False),
    "location": ("str", False),
    "latitude": ("float", True),
    "longitude": ("float", True),
    "geo_precision": ("precision", True),
    "fatalities": ("nint", False),
    "injuries": ("nint", False),
    "source": ("str", False),
    "source_url": ("str", False),
    "notes": ("str", False),
    "response_to": ("str", False),
    "dataset": ("str", True),
}
CANONICAL_COLUMNS: list[str] = list(COLUMNS)
REQUIRED_COLUMNS: list[str] = [c for c, (_, req) in COLUMNS.items() if req]
# Required in a file to be imported; the rest can be filled (dataset from --dataset,
# precisions default to their loosest value with a warning, event_id can be derived).
REQUIRED_IN_FILE: list[str] = ["event_date", "event_type", "actor1", "country", "latitude", "longitude"]

LIST_SEPARATOR = ";"  # in assoc_actor_*, source and response_to
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EARLIEST_DATE = pd.Timestamp("1900-01-01")
# what may follow an ISO date and be ignored: a time of day (9:30, 09:30:00.000, 12:00 AM, T09), a zone
# (Z, UTC, GMT, +05:30, +0000)
ISO_TIME = (
    r"(?:(?:T(?:[01]?\d|2[0-3])|[T ](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?(?: ?[AaPp][Mm])?)"
    r"(?: ?(?:[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?)?"
)
MAX_COUNT = 10_000_000  # people killed or injured in one event: more is a typo or a wrapped number
MAX_TEXT = 20_000  # characters in one text cell (~3,000 words); a 5 MB cell froze the tab showing it


@dataclass
class Problem:
    """One thing wrong with an input: where it is and what to do about it.

    ``row`` is the 1-based data row in the file (the header is row 0), or None when the
    problem concerns the whole file or a column.
    """

    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    fatal: bool = True
    # a row the format's own rules leave out (UCDP or GDELT placing it only at country level):
    # not an error in the file, and correcting the file would not bring it in
    by_rule: bool = False

    def __str__(self) -> str:
        return self.text()

    def text(self, header_rows: int = 1) -> str:
        """The problem in words; ``row`` also as a spreadsheet numbers it, counting the file's
        ``header_rows`` (a GDELT or headerless UCDP file has none: its rows are its lines)."""
        where = []
        if self.row is not None and header_rows:
            where.append(f"row {self.row} (spreadsheet row {self.row + header_rows})")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        head = ", ".join(where)
        shown = "" if self.value is None else f" (value {self.value[:60]!r})"
        return f"{head}: {self.message}{shown}" if head else f"{self.message}{shown}"


@dataclass
class Report:
    """What happened to one input: rows read, kept, rejected, and why."""

    file: str
    rows_read: int = 0
    rows_kept: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the import did besides (columns not kept)
    header_rows: int = 1  # rows above the data: a row's spreadsheet number is row + header_rows

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.fatal and p.row is not None})

    @property
    def rows_left_by_rule(self) -> list[int]:
        """Rejected rows that the format's rules leave out (:attr:`Problem.by_rule`)."""
        return sorted({p.row for p in self.problems if p.fatal and p.by_rule and p.row is not None})

    @property
    def file_errors(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal and p.row is None]

    @property
    def ok(self) -> bool:
        return not self.file_errors

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def lines(self, limit: int = 50) -> list[str]:
        """Human-readable lines, file errors first, at most ``limit`` row problems."""
        out = [f"{self.file}: {p}" for p in self.file_errors]
        row_problems = [p for p in self.problems if p.row is not None or not p.fatal]
        for p in row_problems[:limit]:
            prefix = "" if p.fatal else "warning: "
            out.append(f"{self.file}: {prefix}{p.text(self.header_rows)}")
        if len(row_problems) > limit:
            out.append(f"{self.file}: … and {len(row_problems) - limit} more problems")
        out += [f"{self.file}: note: {note}" for note in self.notes]
        return out


def empty_frame() -> pd.DataFrame:
    """A canonical frame with no rows and the canonical dtypes."""
    return _to_dtypes(pd.DataFrame({c: pd.Series([], dtype="object") for c in CANONICAL_COLUMNS}))


def _to_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for col, (kind, _) in COLUMNS.items():
        s = frame[col]
        if kind == "date":
            out[col] = pd.to_datetime(s).astype("datetime64[s]")
        elif kind == "precision":
            out[col] = s.astype("int8")
        elif kind == "float":
            out[col] = s.astype("float64")
        elif kind == "nint":
            out[col] = s.astype("Int32")
        else:
            out[col] = s.astype("string")
    return pd.DataFrame(out)


def clean_text(value: object) -> str | None:
    """Strip a text cell; empty and NA become None. Text is kept as text (never evaluated)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).replace("\r\n", "\n").strip()
    return text or None


def validate_frame(raw: pd.DataFrame, report: Report, row_numbers: list[int] | None = None) -> pd.DataFrame:
    """The valid rows of ``raw``, typed (see :func:`validate_rows`)."""
    return validate_rows(raw, report, row_numbers)[0]


def validate_rows(
    raw: pd.DataFrame, report: Report, row_numbers: list[int] | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Check a frame already named in canonical columns; return the valid rows, typed, and
    their numbers in the source file.

    ``raw`` holds strings or numbers; ``event_date`` may already be a ``datetime.date`` or
    ISO string. ``row_numbers`` gives each row's number in the source file (1-based data
    rows); by default the frame's position + 1. Problems go into ``report``; rows with a
    fatal problem are left out. Duplicate ``event_id`` values within the frame reject
    every copy after the first.

    Vectorised: each column is checked as a whole (a million rows take about a second);
    problems come out in the same order as a row-by-row check would give them: column by
    column in canonical order, rows ascending within a column, then the (0, 0) check, then
    duplicate ids.
    """
    n = len(raw)
    numbers = np.asarray(row_numbers if row_numbers is not None else np.arange(1, n + 1), dtype=np.int64)
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        report.add(
            Problem(
                f"required column(s) missing: {', '.join(missing)}. Add them, or map your "
                "file's columns onto them (see data/CODEBOOK.md)."
            )
        )
        return empty_frame(), numbers[:0]
    frame = raw.reindex(columns=CANONICAL_COLUMNS).reset_index(drop=True)
    bad = np.zeros(n, dtype=bool)
    # rows whose date an importer refused and reported: checked for their other problems, then left out
    dated_badly = np.asarray(raw.attrs.get("dated_badly", np.zeros(n, dtype=bool)), dtype=bool)
    bad |= dated_badly
    cols: dict[str, object] = {}

    pending: list[tuple[int, Problem]] = []

    def flag(mask: np.ndarray, column: str, message: str, values: pd.Series | None = None, text: str | None = None):
        if column == "event_date":
            mask = mask & ~dated_badly  # said once, by the importer
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        bad[positions] = True
        shown = values.iloc[positions].tolist() if values is not None else [text] * len(positions)
        for i, v in zip(positions.tolist(), shown, strict=True):
            said = message
            if isinstance(v, str) and v.startswith("="):  # a workbook's formula is read as written
                said += (
                    "; it is a spreadsheet formula: paste the column as values in the spreadsheet, then import again"
                )
            pending.append((i, Problem(said, row=int(numbers[i]), column=column, value=None if v is None else str(v))))

    def publish() -> None:
        # A row-by-row check reports rows in order within each column; keep that order.
        pending.sort(key=lambda item: item[0])
        report.problems.extend(problem for _, problem in pending)
        pending.clear()

    for col, (kind, required) in COLUMNS.items():
        publish()
        values = frame[col]
        if kind == "str":
            text = _clean_text_series(values)
            if required:
                flag(text.isna().to_numpy(), col, "is empty; this column is required", values)
            # a 5 MB notes cell froze the browser tab that opened its event
            long = (text.str.len() > MAX_TEXT).fillna(False).to_numpy(dtype=bool)
            lengths = text.str.len().map(lambda n: f"{n:,} characters" if pd.notna(n) else None)
            flag(long, col, f"is longer than the {MAX_TEXT:,} characters a cell may hold; shorten it", lengths)
            cols[col] = text
        elif kind == "date":
            cols[col] = _parse_date_series(values, col, flag)
        elif kind == "precision":
            number, empty, wrong = _parse_int_series(values)
            out_of_range = ~empty & ~wrong & ((number < 1) | (number > 3))
            problem = empty | wrong | out_of_range
            flag(problem, col, "must be 1, 2 or 3 (see data/CODEBOOK.md)", values)
            cols[col] = np.where(problem, 3, np.nan_to_num(number, nan=3)).astype(np.int64)
        elif kind == "float":
            number = _parse_float_series(values)
            not_number = ~np.isfinite(number)
            flag(not_number, col, "must be a number in decimal degrees (WGS84)", values)
            number = np.where(not_number, 0.0, number)
            if col == "latitude":
                # swapped, if read the other way round both are in range (lat 95, lon 200 is not that)
                other = _parse_float_series(frame["longitude"])
                fits = np.abs(number) <= 180
                fits &= np.isfinite(other) & (np.abs(other) <= 90)
                outside = np.abs(number) > 90
                flag(outside & fits, col, "is outside -90..90; are latitude and longitude swapped?", values)
                flag(outside & ~fits, col, "is outside -90..90", values)
            elif col == "longitude":
                flag(np.abs(number) > 180, col, "is outside -180..180", values)
            cols[col] = number
        else:  # nint
            number, empty, wrong = _parse_int_series(values)
            problem = wrong | (~empty & (number < 0))
            flag(
                problem,
                col,
                "must be a whole number ≥ 0 (1200 or 1,200; not 1,5 or 1.000, which read two ways), "
                "or empty when unknown",
                values,
            )
            # stored as 32-bit counts: 4,294,967,296 became 0 and 2,147,483,648 a negative number
            huge = ~empty & ~problem & (number > MAX_COUNT)
            flag(huge, col, f"is more than any plausible count ({MAX_COUNT:,}); check the number", values)
            problem |= huge
            cols[col] = pd.array(np.where(problem | empty, np.nan, number), dtype="Int64")

    publish()
    # (0, 0) is the classic placeholder for "no coordinates", not a place in our scope.
    zero = (cols["latitude"] == 0.0) & (cols["longitude"] == 0.0) & ~bad
    flag(zero, "latitude", "coordinates are 0, 0 — a placeholder, not a place; give the real location", text="0, 0")

    publish()
    _warn_outside_country(cols, bad, numbers, pending)
    publish()
    # a row refused for its date does not hold its id: a corrected copy of it below is kept
    ids = cols["event_id"].where(~pd.Series(dated_badly, index=cols["event_id"].index))
    repeated = (ids.duplicated(keep="first") & ids.notna()).to_numpy()
    if repeated.any():
        firsts = ids[~ids.duplicated(keep="first") & ids.notna()]
        first_row = pd.Series(numbers[firsts.index.to_numpy()], index=firsts.to_numpy())
        positions = np.flatnonzero(repeated)
        bad[positions] = True
        for i, event_id in zip(positions.tolist(), ids.iloc[positions].tolist(), strict=True):
            message = f"duplicate id; already used on row {first_row[event_id]}"
            pending.append((i, Problem(message, row=int(numbers[i]), column="event_id", value=event_id)))
    publish()

    keep = ~bad
    typed = pd.DataFrame(
        {c: (v[keep].reset_index(drop=True) if isinstance(v, pd.Series) else v[keep]) for c, v in cols.items()}
    )
    typed = _to_dtypes(typed) if len(typed) else empty_frame()
    typed = check_links(typed, numbers[keep], report)
    report.rows_kept = len(typed)
    return typed, numbers[keep]


LINK_WARNINGS_SHOWN = 10  # rows named one by one per kind of warning; past it, one line counts the rest
# a source address the event's details link (views.event_card): whole, http or https
WEB_ADDRESS = re.compile(r"^https?://\S+$", re.IGNORECASE)


def _warn_rows(report: Report, rows: list[tuple[int, str, str]], column: str) -> None:
    """Warnings (row, message, value) for ``column``, the first LINK_WARNINGS_SHOWN one by one."""
    for row, message, value in rows[:LINK_WARNINGS_SHOWN]:
        report.add(Problem(message, row=row, column=column, value=value, fatal=False))
    if len(rows) > LINK_WARNINGS_SHOWN:
        report.add(
            Problem(f"… and {len(rows) - LINK_WARNINGS_SHOWN:,} more rows like these", column=column, fatal=False)
        )


def check_links(frame: pd.DataFrame, numbers: np.ndarray, report: Report) -> pd.DataFrame:
    """Warnings for the links a valid row gives, which the app would show wrong; ``frame`` back,
    with any event named as answering itself taken out of its ``response_to``.

    - ``source_url``: each address, separated by spaces, is linked only if it is whole (http://
      or https://); "www.reuters.com/…" was named without a link and without a word, and an
      address ending in ";" or "," (addresses joined by them) linked with it.
    - ``response_to``: an event answering itself (its details said it answers and is answered by
      itself) is left out; an event answering one dated after it in the file is kept, warned.
    Vectorised: a million rows take about a second."""
    if not len(frame):
        return frame
    cells = frame["source_url"].astype("string")
    # most cells are whole addresses separated by spaces: only the others are split and looked at
    plain = cells.str.fullmatch(r"(?i)\s*https?://[^\s;,]+(?:\s+https?://[^\s;,]+)*\s*").fillna(True)
    urls = cells[~plain].str.split().explode().dropna()
    urls = urls[urls.str.len() > 0]
    if len(urls):
        whole = urls.str.match(WEB_ADDRESS).fillna(False)
        joined = whole & urls.str.contains(r"[;,]$|[;,]https?://", regex=True, case=False).fillna(False)
        found: list[tuple[int, str, str]] = []
        for position, url, is_whole in zip(
            urls.index[~whole | joined], urls[~whole | joined], whole[~whole | joined], strict=True
        ):
            if is_whole:
                message = (
                    "addresses joined by ';' or ',' make one broken link: separate addresses with spaces. Kept as given"
                )
            else:
                message = (
                    "not a whole web address (http:// or https://), so the event's details name the source without "
                    "a link: give each address whole, separated by spaces. Kept as given"
                )
            found.append((int(numbers[position]), message, url))
        _warn_rows(report, found, "source_url")
    answers = frame["response_to"].astype("string").dropna()
    answers = answers.str.split(LIST_SEPARATOR).explode().str.strip().dropna()
    answers = answers[answers.str.len() > 0]
    if not len(answers):
        return frame
    ids = frame["event_id"].astype(str)
    itself = answers.to_numpy(dtype=object) == ids.loc[answers.index].to_numpy(dtype=object)
    if itself.any():
        rows = sorted(set(answers.index[itself].tolist()))
        _warn_rows(
            report,
            [
                (int(numbers[i]), "the event names itself as the event it answers; left out of response_to", ids[i])
                for i in rows
            ],
            "response_to",
        )
        kept = answers[~itself].groupby(level=0).agg(f"{LIST_SEPARATOR} ".join)
        frame = frame.copy()
        column = pd.Series(pd.NA, index=frame.index, dtype="string")
        column.loc[kept.index] = kept.astype("string")
        frame.loc[rows, "response_to"] = column.loc[rows]
        answers = answers[~itself]
    dates = pd.Series(frame["event_date"].to_numpy(), index=ids.to_numpy())
    dates = dates[~dates.index.duplicated()]
    answered_on = answers.map(dates)
    later = answered_on.notna() & (answered_on.to_numpy() > frame["event_date"].loc[answers.index].to_numpy())
    if later.any():
        found = [
            (
                int(numbers[i]),
                f"answers {other!r}, dated {pd.Timestamp(when):%Y-%m-%d}, after this event "
                f"({pd.Timestamp(frame['event_date'].iloc[i]):%Y-%m-%d}): check the dates or the ids. Kept as given",
                other,
            )
            for i, other, when in zip(answers.index[later], answers[later], answered_on[later], strict=True)
        ]
        _warn_rows(report, found, "response_to")
    return frame


GEO_WARNINGS_SHOWN = 20  # rows named one by one; past it, one line counts the rest


def outside_country_warning(name: str, y: float, x: float, swapped: bool, row: int) -> Problem:
    """The warning for a point (latitude y, longitude x) far outside the country it names."""
    if swapped:
        message = (
            f"the point lies outside {name} (more than ~50 km beyond its extent), but read the other way "
            f"round ({x:g}, {y:g}) it is inside: are latitude and longitude swapped? Kept as given; "
            "correct the file and import it again, updating the stored events (the Data page's "
            "'Update' box, or --update)"
        )
    else:
        message = (
            f"the point lies outside {name} (more than ~50 km beyond its extent): check the coordinates "
            "(a lost minus sign?) and the country. Kept as given"
        )
    return Problem(message, row=row, column="latitude", value=f"{y:g}, {x:g}", fatal=False)


def _warn_outside_country(cols: dict, bad: np.ndarray, numbers: np.ndarray, pending: list) -> None:
    """Warn (and keep the row) where a point lies far outside the country the row names."""
    checked = np.flatnonzero(~bad)
    if not len(checked):
        return
    lat, lon = cols["latitude"][checked], cols["longitude"][checked]
    country = cols["country"].iloc[checked].reset_index(drop=True)
    for note, row in geocheck.spelling_notes(country, numbers[checked]):
        pending.append((len(bad), Problem(note, row=row, column="country", fatal=False)))
    far, swapped = geocheck.outside(lat, lon, country)
    flagged = np.flatnonzero(far)
    for i in flagged[:GEO_WARNINGS_SHOWN].tolist():
        y, x = float(lat[i]), float(lon[i])
        problem = outside_country_warning(country.iloc[i], y, x, bool(swapped[i]), int(numbers[checked[i]]))
        pending.append((int(checked[i]), problem))
    if len(flagged) > GEO_WARNINGS_SHOWN:
        message = (
            f"{len(flagged):,} rows in all have a point outside the country they name, {int(swapped.sum()):,} of "
            f"them inside it when read the other way round (swapped); the first {GEO_WARNINGS_SHOWN} are listed"
        )
        pending.append((len(bad), Problem(message, column="latitude", fatal=False)))


def _as_text(values: pd.Series) -> pd.Series:
    """Each value as a string (NA stays NA), the way ``str(value)`` would print it."""
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values.astype("string")
    if pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype):
        return (
            values.astype(object)
            .where(values.notna(), None)
            .map(lambda v: None if v is None else str(v))
            .astype("string")
        )
    objects = values.astype(object)
    missing = objects.isna().to_numpy()
    return pd.Series([None if m else str(v) for v, m in zip(objects.tolist(), missing, strict=True)], dtype="string")


def _clean_text_series(values: pd.Series) -> pd.Series:
    """:func:`clean_text` over a column: stripped strings, empty and NA as NA."""
    text = _as_text(values).str.replace("\r\n", "\n", regex=False).str.strip()
    return text.where(text.str.len() > 0, pd.NA).astype("string")


# a comma only as a thousands separator ("1,200"; "1,5" read as 15 and "12,3456" as 123456)
_GROUPED = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.0*)?$"
# a point before three digits and no other: the thousands of "1.000" (1000 in much of Europe) or the
# decimals of 1? Refused, not read as 1
_POINT_THOUSANDS = r"^[+-]?\d{1,3}(?:\.\d{3})+$"


def _parse_int_series(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whole numbers over a column ("1,200" and "3.0" allowed; "1,5" and "1.000" are not, being
    unclear): (numbers as float with NaN, empty mask, bad mask)."""
    unclear = np.zeros(len(values), dtype=bool)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        number = values.astype("float64").to_numpy()
        empty = np.isnan(number)
    else:
        text = _clean_text_series(values)
        empty = text.isna().to_numpy()
        comma = text.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
        grouped = text.str.match(_GROUPED).fillna(False).to_numpy(dtype=bool)
        unclear = (comma & ~grouped) | text.str.match(_POINT_THOUSANDS).fillna(False).to_numpy(dtype=bool)
        number = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").astype("float64").to_numpy()
    with np.errstate(invalid="ignore"):
        wrong = ~empty & (unclear | ~np.isfinite(number) | (number != np.trunc(number)))
    return number, empty, wrong


def _parse_float_series(values: pd.Series) -> np.ndarray:
    """``float(clean_text(value))`` over a column; NaN where empty or not a number."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64").to_numpy()
    text = _clean_text_series(values)
    return pd.to_numeric(text, errors="coerce").astype("float64").to_numpy()


def _parse_date_series(values: pd.Series, col: str, flag) -> np.ndarray:
    """ISO dates (a time after them ignored) over a column: datetime64 values, problems flagged."""
    n = len(values)
    out = np.full(n, np.datetime64("1970-01-01", "s"))
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        missing = stamps.isna().to_numpy()
        flag(missing, col, "is empty; give the event's date as YYYY-MM-DD", values)
        out[~missing] = stamps[~missing].dt.normalize().to_numpy().astype("datetime64[s]")
        return out
    objects = values.astype(object) if values.dtype == object else None
    datelike = np.zeros(n, dtype=bool)
    if objects is not None:
        datelike = np.fromiter(
            (v is not pd.NaT and hasattr(v, "year") and hasattr(v, "month") for v in objects.tolist()), bool, n
        )
        if datelike.any():
            stamps = pd.to_datetime(pd.Series(objects[datelike].tolist()).map(pd.Timestamp))
            out[datelike] = stamps.dt.normalize().to_numpy().astype("datetime64[s]")
    text = _clean_text_series(values)
    text = text.where(~datelike, "1970-01-01")
    empty = text.isna().to_numpy()
    flag(empty, col, "is empty; give the event's date as YYYY-MM-DD", values)
    head = text.str.slice(0, 10)
    dated = ((text.str.len() >= 10) & head.str.fullmatch(r"\d{4}-\d{2}-\d{2}")).fillna(False).astype(bool)
    # a time after the date is ignored, but only a real one: "2021-02-25T25:99" is a typo to show
    timed = text.str.slice(10).str.fullmatch(ISO_TIME).fillna(False).astype(bool)
    bad_time = (dated & ~timed).to_numpy()
    flag(bad_time, col, "has a date followed by something that is not a time of day (hh:mm); check it", values)
    text = text.where(~(dated & timed), head)
    iso = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool).to_numpy()
    flag(~empty & ~iso & ~bad_time, col, "is not an ISO date (YYYY-MM-DD)", values)
    parsed = pd.to_datetime(text.where(iso, None), format="%Y-%m-%d", errors="coerce")
    unreal = iso & parsed.isna().to_numpy()
    flag(unreal, col, "is not a real calendar date", values)
    ok = iso & ~unreal
    latest = (pd.Timestamp.now() + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    iso_text = text.where(ok, "1970-01-01").astype(str)
    outside = ok & ((iso_text < EARLIEST_DATE.strftime("%Y-%m-%d")) | (iso_text > latest)).to_numpy()
    flag(outside & ~datelike, col, "is outside 1900 – today; check the year", values)
    fine = ok & ~datelike
    out[fine] = parsed[fine].to_numpy().astype("datetime64[s]")
    return out


def split_list(value: str | None) -> list[str]:
    """Split a `;`-separated cell into its stripped, non-empty parts."""
    if not value:
        return []
    return [part.strip() for part in str(value).split(LIST_SEPARATOR) if part.strip()]
