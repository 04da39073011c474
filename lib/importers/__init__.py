"""Importers: turn a real event file (ACLED, UCDP GED, GDELT, plain CSV/XLSX) into canonical rows.

:func:`read_file` is the one entry point. It checks the file (size, emptiness, UTF-8),
detects its format from the header when none is given, hands it to the format's module
(``acled``, ``ucdp``, ``gdelt``, ``generic``), and ends with :func:`lib.schema.validate_frame`.
It never raises for bad content: a file that cannot be imported at all gives a report with
one fatal problem (row None) and an empty frame; a bad row is left out with a problem
naming its row, column and the fix. Each module's docstring states its mapping rules
(they are the codebook's source).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lib import filters, schema, store
from lib.importers import acled, gdelt, generic, ucdp
from lib.importers.common import (
    DATE_ORDERS,
    OPTION_LIMIT,
    PAGE_LIMIT,
    ImportFailed,
    check_size,
    check_workbook_bytes,
    first_line,
    first_lines,
    is_xlsx,
    normalise_header,
    read_bytes,
    text_bytes,
    unpacked,
)

FORMATS = ("acled", "ucdp", "gdelt", "csv")
# What a person picks and is told (the names are the store's): "csv" is any plain table in
# Sitrep's columns, a workbook too.
FORMAT_LABELS = {f: store.format_name(f) for f in FORMATS} | {"csv": "plain table in Sitrep's columns (csv)"}

__all__ = [
    "OPTION_LIMIT",
    "FORMATS",
    "FORMAT_LABELS",
    "is_xlsx",
    "local_file_name",
    "ImportFailed",
    "ImportResult",
    "detect_format",
    "parse_mapping",
    "unread_mapping_lines",
    "unread_mapping_message",
    "read_file",
]


def local_file_name(name: str, most_bytes: int = 200) -> str:
    """An uploaded file's name as a file on this server may be named: its last part, and, if longer
    than ``most_bytes`` in UTF-8 (file systems hold 255; 100 CJK characters are 300), its stem cut
    with "…" before its suffixes (".export.CSV.zip"), which tell the format."""
    name = Path(name).name or "upload"
    if len(name.encode("utf-8")) <= most_bytes:
        return name
    path = Path(name)
    suffixes = "".join(s for s in path.suffixes[-3:] if len(s) <= 12)
    stem = name[: len(name) - len(suffixes)]
    room = most_bytes - len(suffixes.encode("utf-8")) - len("…".encode())
    cut = stem.encode("utf-8")[: max(room, 1)].decode("utf-8", errors="ignore")
    return f"{cut}…{suffixes}"


def unread_mapping_lines(text: str) -> list[str]:
    """The lines of a typed column mapping that :func:`parse_mapping` cannot read ("event_date:
    Date", "=Date"): said on the Data page, where they were left out without a word."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and ("=" not in line or not all(side.strip() for side in line.split("=", 1)))
    ]


def unread_mapping_message(text: str) -> str | None:
    """The Data page's refusal of a typed mapping with lines it cannot read, or None."""
    unread = unread_mapping_lines(text)
    if not unread:
        return None
    named = ", ".join(f"“{filters.md_inline(line)}”" for line in unread[:5])
    more = f" and {len(unread) - 5} more lines" if len(unread) > 5 else ""
    return (
        f"The column mapping cannot read {named}{more}: write each line as `canonical=your column` "
        "(event_date=Date), or remove it; nothing was checked."
    )


def parse_mapping(text: str) -> dict[str, str]:
    """A column mapping from lines of ``canonical=file column`` (blank lines and lines without '=' ignored)."""
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {canon.strip(): column.strip() for canon, column in pairs if canon.strip() and column.strip()}


@dataclass
class ImportResult:
    frame: pd.DataFrame  # canonical, typed, valid rows only (output of schema.validate_frame)
    report: schema.Report  # rows_read, rows_kept, problems
    format: str


def _header_names(path: Path, data: bytes | None) -> list[str]:
    if is_xlsx(path):
        table = _xlsx_header(path)
        return table
    line = first_line(data or b"")
    import csv

    return next(csv.reader([line]), [])


def _xlsx_first_sheet_name(path: Path) -> str:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return book.sheetnames[0]
    finally:
        book.close()


def _xlsx_header(path: Path) -> list[str]:
    import openpyxl

    check_workbook_bytes(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # a damaged or mislabelled workbook
        raise ImportFailed(
            f"the file cannot be opened as an Excel workbook ({type(exc).__name__}). Save it again as .xlsx, "
            "or export it as CSV UTF-8."
        ) from None
    try:
        sheet = book.worksheets[0]
        first = next(sheet.iter_rows(max_row=1, values_only=True), None)
        # a header further down (title rows above it, or blank ones): said as such, not "empty"
        later = None
        if not first or not any(v is not None for v in first):
            for number, row in enumerate(sheet.iter_rows(min_row=2, max_row=50, values_only=True), start=2):
                if any(v is not None and str(v).strip() for v in row):
                    later = number
                    break
    finally:
        book.close()
    if later:
        raise ImportFailed(
            f"the first row of the workbook's first sheet, {_xlsx_first_sheet_name(path)!r}, is blank; its first "
            f"filled row is row {later}. Sitrep reads the column names from row 1: delete the rows above them and "
            "save again."
        )
    if not first or not any(v is not None for v in first):
        raise ImportFailed(
            f"the workbook's first sheet, {_xlsx_first_sheet_name(path)!r}, is empty. Only the first sheet is "
            "read: move the sheet with the events first, or save that sheet as CSV."
        )
    return ["" if v is None else str(v) for v in first]


def _check_separator(data: bytes | None, names: list[str]) -> None:
    """Raise ImportFailed when a text file's header is one column because its separator is
    another (a European Excel's semicolons, a .tsv's tabs)."""
    if data is None or len(names) > 1:
        return
    line = first_line(data)
    for mark, word in ((";", "semicolons"), ("\t", "tabs")):
        if line.count(mark) >= 2:
            raise ImportFailed(
                f"the file's columns are separated by {word}, not commas. Save it again as "
                '"CSV UTF-8 (comma delimited)" (Excel: File > Save As), then import it again.'
            )


def _cut(text: str, length: int = 60) -> str:
    """A header cell as a message shows it: a 5,000-character one was printed whole."""
    return text if len(text) <= length else text[: length - 1] + "…"


def _detect(path: Path, data: bytes | None) -> str:
    # any of the first rows: a download cut short, or a stray line, may spoil the first one
    if data is not None and any(gdelt.looks_like(line) for line in first_lines(data, 5)):
        return "gdelt"
    raw = _header_names(path, data)
    names = [normalise_header(n) for n in raw]
    # the header as the file writes it, for messages ("…starts with This export was made…")
    shown = ", ".join(_cut(str(n).strip().rstrip(".")) for n in raw[:8] if str(n).strip()) or "(no column names)"
    if acled.looks_like(names):
        return "acled"
    if ucdp.looks_like(names) or (data is not None and ucdp.looks_like_headerless(first_line(data))):
        return "ucdp"
    if generic.looks_like(names):
        return "csv"
    _check_separator(data, names)
    if is_xlsx(path):
        sheet = _xlsx_first_sheet_name(path)
        raise ImportFailed(
            f"unknown file format: the first sheet, {sheet!r}, starts with {shown}. Only a workbook's first "
            "sheet is read: move the sheet with the events first (with its header on row 1), or save that "
            "sheet as CSV."
        )
    raise ImportFailed(
        f"unknown file format: the header starts with {shown}. Sitrep reads ACLED, UCDP GED and GDELT exports "
        f"and CSV/XLSX files with the canonical columns ({', '.join(schema.REQUIRED_IN_FILE)}). Choose the "
        "format explicitly, or give a column mapping."
    )


def detect_format(path: str | Path) -> str:
    """The format of ``path`` ("acled", "ucdp", "gdelt" or "csv"), judged from its header.

    Raises ImportFailed (a ValueError) with a user message if the file is empty, not UTF-8
    or of no known format.
    """
    path = Path(path)
    check_size(path, max_bytes=1 << 62)
    data = None if is_xlsx(path) else read_bytes(path)
    return _detect(path, data)


def read_file(
    path: str | Path,
    format: str | None = None,
    dataset: str = "imported",
    mapping: dict[str, str] | None = None,
    max_bytes: int | None = None,
    all_cameo: bool = False,
    date_order: str | None = None,
    limit_advice: str = PAGE_LIMIT,
) -> ImportResult:
    """Read one file into canonical rows and a validation report.

    ``format`` is one of FORMATS or None to detect it; ``dataset`` fills the dataset
    column; ``mapping`` (canonical name -> file column, plain CSV/XLSX only) renames
    columns; ``max_bytes`` overrides the upload limit (``limit_advice``: where it comes from, said
    when a file exceeds it); ``all_cameo`` keeps GDELT events of
    every CAMEO root, not only material conflict (18, 19, 20); ``date_order`` ("dmy" or "mdy")
    reads numeric dates such as 03/04/2021 in that order, for a file whose rows cannot show it
    (GDELT's dates are YYYYMMDD).
    """
    path = Path(path)
    report = schema.Report(file=path.name)
    chosen = format or ("csv" if mapping else None)
    try:
        if chosen is not None and chosen not in FORMATS:
            raise ImportFailed(f"unknown format {chosen!r}; choose one of {', '.join(FORMATS)}.")
        if date_order is not None and date_order not in DATE_ORDERS:
            raise ImportFailed(f"unknown date order {date_order!r}; choose one of {', '.join(DATE_ORDERS)}.")
        check_size(path, max_bytes, limit_advice)
        inner = None if is_xlsx(path) else unpacked(path, max_bytes, limit_advice)
        if inner is not None:  # a zipped or gzipped file: read as the one file inside
            data = text_bytes(inner[0])
            report.notes.append(f"read {inner[1]}, the file inside the archive {path.name}")
        else:
            data = None if is_xlsx(path) else read_bytes(path)
        if chosen in ("csv", "acled", "ucdp") and data is not None:  # a format given: its separator still checked
            _check_separator(data, _header_names(path, data))
        chosen = chosen or _detect(path, data)
        if chosen == "gdelt":
            if data is None:
                raise ImportFailed("GDELT files are tab-separated text, not Excel workbooks.")
            raw, rows = gdelt.to_canonical(data, report, dataset, all_cameo=all_cameo)
        elif chosen == "acled":
            raw, rows = acled.to_canonical(path, data, report, dataset, date_order=date_order)
        elif chosen == "ucdp":
            raw, rows = ucdp.to_canonical(path, data, report, dataset, date_order=date_order)
        else:
            raw, rows = generic.to_canonical(path, data, report, dataset, mapping=mapping, date_order=date_order)
        data = None  # the file's bytes are no longer needed; free them before validating
    except ImportFailed as exc:
        report.add(schema.Problem(str(exc)))
        return ImportResult(schema.empty_frame(), report, chosen or "unknown")
    before = len(report.problems)
    frame, kept = schema.validate_rows(raw, report, rows)
    _name_file_columns(report.problems[before:], chosen, mapping)
    if chosen == "acled":  # said of the rows imported: a row refused for its latitude is not "kept as given"
        acled.warn_unknown_types(frame["event_type"], frame["sub_event_type"], kept, report)
    if chosen == "csv":
        chosen = _origin_format(frame, report)
    return ImportResult(frame, report, chosen)


ORIGIN_PREFIXES = {f: store.format_name(f) for f in ("acled", "ucdp", "gdelt")}  # an id's importer prefix


def _origin_format(frame: pd.DataFrame, report: schema.Report) -> str:
    """The format of a plain table whose every event id is one Sitrep's importers give ("acled:…"),
    as a Sitrep export of ACLED data carries: its licence note and its actor order (no
    direction for ACLED and UCDP) come with it, not the plain table's. Else "csv"."""
    if frame.empty:
        return "csv"
    prefix = frame["event_id"].astype(str).str.extract(r"^([a-z]+):", expand=False)
    counts = prefix.value_counts()
    origins = [p for p in counts.index if p in ORIGIN_PREFIXES]
    if len(counts) == 1 and origins and counts.iloc[0] == len(frame):
        origin, name = origins[0], ORIGIN_PREFIXES[origins[0]]
        order = "" if origin == "gdelt" else " and its actor order read as no direction"
        report.notes.append(
            f"every event id is {name}'s ({origin}:…), as in a Sitrep export of {name} data: stored as {name} "
            f"data, with {name}'s licence note{order}"
        )
        return origins[0]
    for origin in origins:
        n = int(counts[origin])
        report.notes.append(
            f"{n:,} event id{'s are' if n != 1 else ' is'} {ORIGIN_PREFIXES[origin]}'s ({origin}:…) among others: "
            f"stored as a plain table, with no licence note of its own; {ORIGIN_PREFIXES[origin]}'s terms still "
            "apply to those events. Import them on their own to keep their format"
        )
    return "csv"


# Where a format's column has another name than Sitrep's, problems found after mapping name the
# file's column (the one the user can find), with Sitrep's in brackets: an ACLED row's bad
# "date_precision" is in its "time_precision" column.
FILE_COLUMNS = {
    "acled": {"event_id": "event_id_cnty", "date_precision": "time_precision"},
    "ucdp": {
        "event_id": "id", "event_date": "date_start", "date_precision": "date_prec", "geo_precision": "where_prec",
        "fatalities": "best", "actor1": "side_a", "actor2": "side_b", "admin1": "adm_1", "admin2": "adm_2",
        "location": "where_coordinates",
    },
    "gdelt": {
        "event_id": "GLOBALEVENTID", "event_date": "SQLDATE", "actor1": "Actor1Name", "actor2": "Actor2Name",
        "latitude": "ActionGeo_Lat", "longitude": "ActionGeo_Long", "source_url": "SOURCEURL",
    },
}  # fmt: skip


def _name_file_columns(problems: list[schema.Problem], chosen: str, mapping: dict[str, str] | None) -> None:
    names = FILE_COLUMNS.get(chosen, {}) if chosen != "csv" else dict(mapping or {})
    for problem in problems:
        source = names.get(problem.column or "")
        if source and source != problem.column:
            problem.column = f"{source} (Sitrep's {problem.column})"
