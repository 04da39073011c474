"""Shared reading for the importers: size and encoding checks, tables of strings, dates.

Owns the rules every format follows:

- A file larger than ``max_bytes`` (default ``config.max_upload_bytes()``) is refused
  before it is read.
- Text must be UTF-8 (a UTF-8 byte-order mark is dropped). A file that is not, is
  refused with the data row, line and byte offset of the first bad byte and the advice to
  re-save it as UTF-8; the encoding is never guessed.
- A table is read as strings only, cell for cell: nothing is evaluated, so a cell that
  starts with ``=`` (a spreadsheet formula) or holds HTML stays exactly as written; a
  warning says so, and exports neutralise formulas. CRLF line ends and quoted fields with
  line breaks are read as such. Row numbers are data rows, 1-based (the header is row 0);
  in a file without a header the first line is row 1.
- XLSX: the first sheet; numbers become their text (``12.0`` → ``12``), date cells their
  ISO date, formula cells their formula text.
- Dates (:func:`parse_dates`): ``2021-02-25`` (a time after it is ignored),
  ``20210225``, ``25 February 2021`` / ``25 Feb 2021``, ``February 25, 2021``,
  ``9-May-20`` / ``25-Feb-2021``, Excel serial day numbers (``44252`` = 2021-02-25;
  1900 date system), and numeric day/month orders such as ``25/02/2021`` or ``03-04-19``.
  A numeric date whose day and month could be swapped is decided by the file's other rows
  (if any row has a first part above 12 the file is day-first; a second part above 12,
  month-first) and by the ``year`` column (a two-digit year must agree with it). A date
  that stays ambiguous rejects its row with both readings; a two-digit year without a
  ``year`` column is 20yy up to this year, else 19yy. Dates before 1900 or after
  tomorrow, and impossible ones (``2021-02-30``), reject the row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from lib import config
from lib.schema import ISO_TIME, Problem, Report

UTF8_BOM = b"\xef\xbb\xbf"
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
FORMULA_PREFIXES = ("=", "+", "@")


class ImportFailed(ValueError):
    """A file cannot be imported at all; ``str(exc)`` is the message for the user."""


@dataclass
class Table:
    """A file read as strings: ``frame`` (missing cells are ""), ``rows`` (data row numbers)."""

    frame: pd.DataFrame
    rows: np.ndarray


# Where a size limit comes from, and what to do: said after "larger than the N MB limit"
PAGE_LIMIT = "(SITREP_MAX_UPLOAD_MB). Split it into smaller files, or ask the operator to raise the limit."
OPTION_LIMIT = "given (--max-mb). Leave --max-mb out to import a file of any size."


def check_size(path: Path, max_bytes: int | None, advice: str = PAGE_LIMIT) -> int:
    """The file's size in bytes; raise ImportFailed if it is empty or larger than the limit."""
    limit = config.max_upload_bytes() if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFailed(f"cannot read the file: {exc.strerror or exc}") from exc
    if size > limit:
        raise ImportFailed(
            f"the file is {size / 1_048_576:.1f} MB, larger than the {limit / 1_048_576:.1f} MB limit {advice}"
        )
    if size == 0:
        raise ImportFailed("the file is empty (0 bytes). Export it again from its source.")
    return size


def is_xlsx(path: Path) -> bool:
    return path.suffix.lower() in XLSX_SUFFIXES


EMPTY_ZIP = "an empty ZIP archive: it holds no file to import"
BINARY_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (
        b"PK\x03\x04",
        "a ZIP archive: unzip it and import the file inside (GDELT publishes its event files zipped, "
        "as *.export.CSV.zip); an Excel or Word file saved with another name is one too",
    ),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls or Word .doc file (save it as .xlsx or CSV)"),
    (b"\x1f\x8b", "a gzip archive: unpack it and import the file inside"),
    (b"PAR1", "a Parquet file"),
    (b"PK\x05\x06", EMPTY_ZIP),
)


def binary_kind(data: bytes) -> str | None:
    """What a non-text file looks like, from its first bytes; None for text. UTF-16 text has NUL
    bytes too, so it is left to its own message."""
    if data.startswith(b"PK\x03\x04") and b"xl/" in data[:65536]:  # its parts are named xl/workbook.xml, …
        return "an Excel workbook (.xlsx) saved with another name: name it .xlsx and import it again"
    for signature, kind in BINARY_SIGNATURES:
        if data.startswith(signature):
            return kind
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary data"
    return None


def read_bytes(path: Path) -> bytes:
    """The file's bytes with a UTF-8 BOM removed; raise ImportFailed unless they are UTF-8 text."""
    return text_bytes(path.read_bytes())


def _too_large(name: str, size: int, limit: int, advice: str, read_to_limit: bool = False) -> ImportFailed:
    """``read_to_limit``: only the first ``limit`` + 1 bytes were unpacked, so the size is more than
    that (a 4.8 MB file read "1.0 MB unpacked, larger than the 1.0 MB limit")."""
    size_text = f"more than {limit / 1_048_576:.1f} MB" if read_to_limit else f"{size / 1_048_576:.1f} MB"
    return ImportFailed(f"{name} is {size_text} unpacked, larger than the {limit / 1_048_576:.1f} MB limit {advice}")


def _read_at_most(fh, limit: int) -> bytes:
    """Up to ``limit`` + 1 bytes (one more tells a file over the limit), or all of them when there is
    no limit (the CLI without --max-mb: ``read(sys.maxsize + 1)`` overflowed on every archive)."""
    return fh.read() if limit >= sys.maxsize - 1 else fh.read(limit + 1)


def unpacked(path: Path, max_bytes: int | None = None, advice: str = PAGE_LIMIT) -> tuple[bytes, str] | None:
    """The one file inside a ZIP or gzip archive (GDELT publishes ``*.export.CSV.zip``): its bytes
    and its name, or None when ``path`` is no archive Sitrep opens (its text is then checked as
    it is). The unpacked size is held to the upload limit, whatever the archive says of it."""
    limit = config.max_upload_bytes() if max_bytes is None else max_bytes
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            return None  # said by the text check: "it looks like a ZIP archive"
        with archive:
            names = archive.namelist()
            if any(name.startswith("xl/") for name in names):
                return None  # a workbook under another name: the text check says so
            members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
            if len(members) != 1:
                listed = ", ".join(m.filename for m in members[:5]) + (", …" if len(members) > 5 else "")
                raise ImportFailed(
                    f"the ZIP archive holds {len(members)} files ({listed or 'none'}); Sitrep reads an archive of "
                    "one file. Unzip it and import its files one by one."
                )
            member = members[0]
            if is_xlsx(Path(member.filename)):
                raise ImportFailed(
                    f"the ZIP archive holds an Excel workbook, {member.filename}: unzip it and import it."
                )
            if member.file_size > limit:
                raise _too_large(member.filename, member.file_size, limit, advice)
            try:
                with archive.open(member) as fh:
                    data = _read_at_most(fh, limit)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                raise ImportFailed(f"the ZIP archive cannot be read ({exc}); unzip it and import the file.") from None
            if len(data) > limit:  # its header said less
                raise _too_large(member.filename, len(data), limit, advice, read_to_limit=True)
            return data, member.filename
    if head.startswith(b"\x1f\x8b"):
        name = path.stem if path.suffix.lower() == ".gz" else path.name
        try:
            with gzip.open(path, "rb") as fh:
                data = _read_at_most(fh, limit)
        except (OSError, EOFError) as exc:
            raise ImportFailed(f"the gzip archive cannot be read ({exc}); unpack it and import the file.") from None
        if len(data) > limit:
            raise _too_large(name, len(data), limit, advice, read_to_limit=True)
        return data, name
    return None


def text_bytes(data: bytes) -> bytes:
    """``data`` with a UTF-8 BOM removed; raise ImportFailed unless it is UTF-8 text."""
    kind = binary_kind(data)
    if kind == EMPTY_ZIP:  # an archive of one events file is read; this one holds none
        raise ImportFailed(f"the file is {kind}. Zip the events file alone again, or import the file itself.")
    if kind:
        raise ImportFailed(
            f"the file is not text: it looks like {kind}. Import a CSV file (UTF-8) or an Excel .xlsx workbook; "
            "export the events from their source in one of those formats."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailed("the file is UTF-16 text, not UTF-8. Re-save it as UTF-8 (in Excel: Save As › 'CSV UTF-8').")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    if not data[:65536].strip() and not data.strip():
        raise ImportFailed("the file is empty (only blank space). Export it again from its source.")
    # Check in slices so that a large file is never held twice in memory.
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 24
    try:
        for start in range(0, len(data), step):
            decoder.decode(data[start : start + step], final=start + step >= len(data))
    except UnicodeDecodeError:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFailed(_encoding_message(data, exc.start)) from None
    return data


def _encoding_message(data: bytes, offset: int) -> str:
    before = data[:offset]
    line = before.count(b"\n") + 1
    # Data row of the bad byte: records completed before it (quoted line breaks counted right).
    records = sum(1 for _ in csv.reader(io.StringIO(before.decode("utf-8", errors="replace"))))
    row = max(records - 1, 0) if before and not before.endswith(b"\n") else records
    guess = ""
    byte = data[offset]
    if 0x80 <= byte <= 0xFF:
        shown = bytes([byte]).decode("cp1252", errors="replace")
        guess = f" (in Latin-1 / Windows-1252 it would be {shown!r})"
    if any(text.count("\t") >= 56 for text in first_lines(data, 5)):  # a GDELT file: no header, tabs
        return (
            f"the file is not UTF-8: line {line} has byte 0x{byte:02X} at byte offset {offset}{guess}. GDELT "
            "writes its files in UTF-8, so this one was changed or damaged after it was published: download it "
            "again from GDELT and import that file. The encoding is not guessed, so no name is garbled silently."
        )
    where = f"data row {row}" if row >= 1 else "the header"
    return (
        f"the file is not UTF-8: {where} (line {line}) has byte 0x{byte:02X} at byte offset {offset}{guess}. "
        "Re-save the file as UTF-8 (in Excel: Save As › 'CSV UTF-8'; in LibreOffice: character set "
        "'Unicode (UTF-8)') and import it again. The encoding is not guessed, so no name is garbled silently."
    )


def first_lines(data: bytes, count: int = 1, limit: int = 200_000) -> list[str]:
    """The first ``count`` lines of the text that are not blank (for format detection). Lines
    end at CR LF, LF or a lone CR, never at the other breaks str.splitlines knows (U+0085,
    U+2028…), which may sit inside a field."""
    head = data[:limit].decode("utf-8", errors="replace")
    lines = [line for line in re.split(r"\r\n|\r|\n", head) if line.strip()]
    return lines[:count]


def first_line(data: bytes, limit: int = 200_000) -> str:
    """The first line of the text (for format detection)."""
    head = data[:limit].decode("utf-8", errors="replace")
    return re.split(r"\r\n|\r|\n", head, maxsplit=1)[0] if head else ""


# Control characters in UTF-8 (C0 but tab and line ends, DEL, C1 such as U+0085) and the line and
# paragraph separators U+2028/2029: never meant as text, drawn as a missing-glyph box in a name
# ("KATAIB⊠HEZBOLLAH"), and a name holding one is another name to the filters
CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]")
# the looks for each kind that a file holds none of, quick: ~0.35 s at 340 MB, where one search
# of CONTROLS took 3.4 s (a regex without a first byte to look for)
_NOT_C0 = bytes(b for b in range(256) if not ((b < 0x20 and b not in (0x09, 0x0A, 0x0D)) or b == 0x7F))
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_SEPARATORS = re.compile(rb"\xe2\x80[\xa8\xa9]")


def blank_controls(data: bytes) -> bytes:
    """``data`` with each control character (see CONTROLS) made a space; the same bytes when it
    holds none."""
    if data.translate(None, _NOT_C0) or _C1.search(data) or _SEPARATORS.search(data):
        return CONTROLS.sub(b" ", data)
    return data


def read_csv_table(data: bytes, header: bool = True, delimiter: str = ",") -> Table:
    """Parse UTF-8 CSV/TSV bytes into a Table of strings.

    The fast path is pyarrow's multi-threaded reader; a file with rows of a different
    length than the header falls back to Python's csv module, which keeps exact row numbers
    and lets the caller report the bad rows.
    """
    if b"\r" in data and b"\n" not in data:
        # lines ended by a carriage return alone: the "CSV (Macintosh)" of Excel for Mac
        data = data.replace(b"\r", b"\n")
    data = blank_controls(data)
    text_head = data[:1_000_000].decode("utf-8", errors="replace")
    try:
        names = next(csv.reader(io.StringIO(text_head, newline=""), delimiter=delimiter))
    except StopIteration:
        raise ImportFailed("the file is empty. Export it again from its source.") from None
    except csv.Error as exc:
        raise ImportFailed(_unreadable_csv(exc, 1)) from None
    if not header:
        names = [str(i) for i in range(len(names))]
    unique = _unique_names(names)
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=unique, skip_rows=1 if header else 0, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, quote_char='"' if delimiter != "\t" else False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in unique}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _read_csv_python(data, names, header, delimiter)
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    del data
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    frame.columns = names
    out = Table(frame, np.arange(1, len(frame) + 1))
    # more lines than rows: some cell holds a line break (a note's paragraphs, or a quote never
    # closed that read the next rows into it); reject_ragged looks, only then
    out.frame.attrs["multiline"] = lines > len(frame) + (1 if header else 0)
    out.frame.attrs["delimiter"] = delimiter
    return out


# A cell may be as long as the file: a cell over 20,000 characters is reported as such by the
# checks (schema.MAX_TEXT), where the csv module's own limit (131,072) raised an error.
csv.field_size_limit(2**31 - 1)


def _unreadable_csv(exc: csv.Error, line: int) -> str:
    return (
        f"line {line:,} of the file cannot be read as CSV ({exc}): a line break inside a cell that is not in "
        "double quotes, often a carriage return (\\r) alone. Open the file in a spreadsheet and save it again as "
        '"CSV UTF-8", or remove the stray line breaks.'
    )


def _read_csv_python(data: bytes, names: list[str], header: bool, delimiter: str) -> Table:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportFailed(_unreadable_csv(exc, reader.line_num)) from None
    if header:
        records = records[1:]
    width = len(names)
    rows = [r + [""] * (width - len(r)) if len(r) < width else r[:width] for r in records]
    lengths = np.array([len(r) for r in records])
    frame = pd.DataFrame(rows, columns=_unique_names(names), dtype="str")
    frame.columns = names
    table = Table(frame, np.arange(1, len(frame) + 1))
    table.frame.attrs["field_counts"] = lengths
    table.frame.attrs["multiline"] = True
    table.frame.attrs["delimiter"] = delimiter
    # lines a record holds beyond its own: a quote never closed reads the next lines into it
    table.frame.attrs["lines_inside"] = np.array(
        [sum(1 for f in r for line in f.split("\n")[1:] if line.strip()) for r in records]
    )
    return table


def check_workbook_bytes(path: Path) -> None:
    """Raise ImportFailed when a file named .xlsx holds text (a CSV renamed): "cannot be opened as
    an Excel workbook (BadZipFile)" did not say what it is."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK") or not head:
        return
    if binary_kind(head) is None and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not a character cut at the end of the sample
                return
        raise ImportFailed(
            f"the file is named {path.suffix} but holds text, not an Excel workbook (it starts with "
            f"{head[:40].decode('utf-8', 'replace').splitlines()[0]!r}): rename it .csv and import it again."
        )


def read_xlsx_table(path: Path) -> Table:
    """The first sheet of an XLSX workbook as a Table of strings (header on the first row)."""
    import openpyxl

    check_workbook_bytes(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise ImportFailed(
            f"the file cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}). "
            "Save it again from Excel as .xlsx, or export it as CSV UTF-8."
        ) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            names = [_cell_text(v) for v in next(rows)]
        except StopIteration:
            raise ImportFailed("the workbook's first sheet is empty.") from None
        while names and names[-1] == "":
            names.pop()
        width = len(names)
        records, numbers = [], []
        for number, row in enumerate(rows, start=1):
            cells = [_cell_text(v) for v in row[:width]]
            if not any(cells):
                continue
            records.append(cells + [""] * (width - len(cells)))
            numbers.append(number)
    finally:
        book.close()
    frame = pd.DataFrame(records, columns=_unique_names(names), dtype="str") if records else None
    if frame is None:
        frame = pd.DataFrame({n: pd.Series([], dtype="str") for n in _unique_names(names)})
    frame.columns = names
    return Table(frame, np.array(numbers, dtype=np.int64))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}.{count}")
    return out


def read_table(path: Path, data: bytes | None = None, header: bool = True, delimiter: str = ",") -> Table:
    """Read a CSV/TSV (``data`` = its checked bytes) or an XLSX file into a Table. Columns with
    no name (a spreadsheet's trailing ",,,") are named "(column N)": no mapping names them, and
    two of them under one empty name made every column lookup fail."""
    if is_xlsx(path):
        table = read_xlsx_table(path)
    else:
        table = read_csv_table(data if data is not None else read_bytes(path), header=header, delimiter=delimiter)
    if header:
        names = [str(n) for n in table.frame.columns]
        if any(not normalise_header(n) for n in names):
            table.frame.columns = [n if normalise_header(n) else f"(column {i})" for i, n in enumerate(names, 1)]
        check_unique_names(list(table.frame.columns))
    return table


def check_unique_names(names: list[str]) -> None:
    """Raise ImportFailed if two columns have one name (as matched: case and spaces aside), which
    would leave it unclear which of them holds the values."""
    where: dict[str, list[int]] = {}
    for number, name in enumerate(names, start=1):
        if normalise_header(name):
            where.setdefault(normalise_header(name), []).append(number)
    twice = [(name, numbers) for name, numbers in where.items() if len(numbers) > 1]
    if twice:
        said = "; ".join(
            f"{name!r} (columns {', '.join(map(str, numbers[:-1]))} and {numbers[-1]})" for name, numbers in twice[:3]
        )
        raise ImportFailed(
            f"the header names {'a column' if len(twice) == 1 else 'columns'} twice: {said}. Column names are "
            "matched without regard to case or spaces. Rename or remove the extra column and import it again."
        )


def normalise_header(name: str) -> str:
    """Header name as matched: BOM and spaces stripped, lower case."""
    return name.replace("\ufeff", "").strip().lower()


def add_row_problems(
    report: Report,
    mask: np.ndarray,
    rows: np.ndarray,
    column: str | None,
    message: str,
    values: pd.Series | list | None = None,
    fatal: bool = True,
    by_rule: bool = False,
) -> None:
    """One Problem per row where ``mask`` is true (row numbers from ``rows``); ``by_rule``: rows
    the format's rules leave out, not errors (:attr:`lib.schema.Problem.by_rule`)."""
    positions = np.flatnonzero(mask)
    shown = [None] * len(positions)
    if values is not None:
        series = values if isinstance(values, pd.Series) else pd.Series(values)
        shown = series.iloc[positions].tolist()
    for i, value in zip(positions.tolist(), shown, strict=True):
        text = None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        report.add(Problem(message, row=int(rows[i]), column=column, value=text, fatal=fatal, by_rule=by_rule))


def warn_text_cells(report: Report, frame: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> None:
    """Warn (once per column) about cells that look like spreadsheet formulas or HTML; they stay text."""
    for column in columns:
        if column not in frame.columns:
            continue
        text = frame[column].astype("string").fillna("").str.lstrip()
        formula = np.zeros(len(text), dtype=bool)
        for prefix in FORMULA_PREFIXES:
            formula |= text.str.startswith(prefix).to_numpy(dtype=bool, na_value=False)
        if formula.any():
            first = int(np.flatnonzero(formula)[0])
            report.add(
                Problem(
                    f"{int(formula.sum())} cell(s) start like a spreadsheet formula (=, +, @); kept as text exactly "
                    "as written and never evaluated (exports neutralise them)",
                    row=int(rows[first]),
                    column=column,
                    value=str(frame[column].iloc[first]),
                    fatal=False,
                )
            )
        html = text.str.contains("<", regex=False).to_numpy(dtype=bool, na_value=False)
        if html.any():
            candidates = np.flatnonzero(html)
            tagged = text.iloc[candidates].str.contains(r"<\s*/?\s*[a-zA-Z][^>]*>", regex=True)
            html[:] = False
            html[candidates[tagged.to_numpy(dtype=bool, na_value=False)]] = True
        if html.any():
            first = int(np.flatnonzero(html)[0])
            report.add(
                Problem(
                    f"{int(html.sum())} cell(s) contain HTML markup; kept as text and never rendered as HTML",
                    row=int(rows[first]),
                    column=column,
                    value=str(frame[column].iloc[first]),
                    fatal=False,
                )
            )


# ---------------------------------------------------------------- dates

_MONTHS = {
    m.lower(): i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}


@dataclass
class ParsedDates:
    """Result of :func:`parse_dates`: ``values`` (datetime64[s], NaT where rejected), ``bad`` mask."""

    values: np.ndarray
    bad: np.ndarray


def parse_dates(
    texts: pd.Series,
    rows: np.ndarray,
    report: Report,
    column: str,
    years: pd.Series | None = None,
    date_order: str | None = None,
) -> ParsedDates:
    """Parse a column of date strings in any of the module's accepted forms.

    ``years`` (the source's own ``year`` column, as text) decides two-digit years and
    ambiguous day/month orders. ``date_order`` ("dmy" or "mdy", as the user states it) reads
    every numeric date in that order, for a file whose rows cannot show it (every day 1–12).
    Rejected rows get one Problem each and are True in ``bad``.
    """
    text = texts.astype("string").fillna("").str.strip()
    n = len(text)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    done = np.zeros(n, dtype=bool)
    year_hint = pd.to_numeric(years.astype("string"), errors="coerce").to_numpy() if years is not None else None

    empty = (text == "").to_numpy()
    add_row_problems(report, empty, rows, column, "is empty; give the event's date as YYYY-MM-DD")
    done |= empty

    # Fast path: plain ISO dates, parsed in C.
    plain = (text.str.len() == 10).to_numpy(dtype=bool, na_value=False) & ~done
    if plain.any():
        fast = pd.to_datetime(text.where(plain, None), format="%Y-%m-%d", errors="coerce").to_numpy()
        hit = plain & ~np.isnat(fast)
        out[hit] = fast[hit].astype("datetime64[s]")
        done |= hit
    ambiguous = np.zeros(n, dtype=bool)
    rest = np.flatnonzero(~done)
    if len(rest):
        _parse_other_forms(text, rest, out, done, ambiguous, year_hint, rows, report, column, texts, date_order)
    impossible = done & ~empty & ~ambiguous & np.isnat(out)
    add_row_problems(
        report, impossible, rows, column, "is not a real calendar date; check the day and the month", texts
    )

    unknown = ~done
    add_row_problems(
        report,
        unknown,
        rows,
        column,
        "is not a date in a known form; write it as YYYY-MM-DD (e.g. 2021-02-25)",
        texts,
    )
    bad = unknown | empty | np.isnat(out)
    # Anything parsed but impossible (e.g. 2021-02-30 became NaT above) was already reported.
    latest = np.datetime64((pd.Timestamp.now() + pd.Timedelta(days=1)).date(), "s")
    ok = ~bad
    outside = ok & ((out < np.datetime64("1900-01-01", "s")) | (out > latest))
    add_row_problems(report, outside, rows, column, "is outside 1900 – today; check the year", texts)
    bad |= outside
    out[bad] = np.datetime64("NaT")
    return ParsedDates(out, bad)


def _parse_other_forms(text, rest, out, done, ambiguous, year_hint, rows, report, column, texts, date_order) -> None:
    """Parse the rows at positions ``rest`` that are not plain ISO dates (fills the arrays in place)."""
    sub = text.iloc[rest].reset_index(drop=True)
    sub_out = out[rest]
    sub_done = done[rest]
    hint = year_hint[rest] if year_hint is not None else None
    # ISO with a time of day after it (ignored), or an impossible ISO date.
    iso = sub.str.extract(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + ISO_TIME + "$")
    _fill_ymd(sub_out, sub_done, iso[0], iso[1], iso[2])
    sub_texts = texts.iloc[rest].reset_index(drop=True)

    def refuse(found: pd.Series, message: str) -> np.ndarray:
        """The rows ``found`` not read yet: reported with ``message``, and done (refused)."""
        mask = found.to_numpy(dtype=bool, na_value=False) & ~sub_done
        add_row_problems(report, mask, rows[rest], column, message, sub_texts)
        sub_done[mask] = True
        return mask

    # An ISO date with anything else after it: "2021-02-25 to 2021-03-01" would lose its end, and
    # "2021-02-25T25:99" is a typo.
    trailing = refuse(
        sub.str.match(r"\d{4}-\d{1,2}-\d{1,2}[ T]"),
        "has a date followed by something that is not a time of day (hh:mm); check it (for a span of days, "
        "give its first day and the span's date_precision)",
    )
    compact = sub.str.extract(r"^(\d{4})(\d{2})(\d{2})$")
    _fill_ymd(sub_out, sub_done, compact[0], compact[1], compact[2])
    # 25 February 2021, 25 Feb 2021, 9-May-20, 25-Feb-2021
    named = sub.str.extract(r"^(\d{1,2})[ \-/]([A-Za-z]{3,9})\.?[ \-/,]+(\d{2}|\d{4})$")
    _fill_dmy_named(sub_out, sub_done, named[0], named[1], named[2], hint)
    # February 25, 2021
    named_first = sub.str.extract(r"^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$")
    _fill_dmy_named(sub_out, sub_done, named_first[1], named_first[0], named_first[2], hint)
    # A year alone ("2021") is no date, and read as an Excel day number it was 13 Jul 1905.
    year_only = refuse(
        sub.str.fullmatch(r"1[89]\d\d|20\d\d"),
        "is a year alone, not a date; give YYYY-MM-DD (the year's first day, with date_precision 3, "
        "if only the year is known)",
    )
    # Excel serial day numbers; where the file has a year column, it must agree.
    serial = sub.str.fullmatch(r"\d{1,5}(?:\.\d+)?").to_numpy(dtype=bool, na_value=False) & ~sub_done
    if serial.any():
        days = pd.to_numeric(sub[serial]).to_numpy()
        plausible = (days >= 1) & (days < 2_958_466)
        stamps = (EXCEL_EPOCH + pd.to_timedelta(np.floor(days[plausible]), unit="D")).to_numpy()
        positions = np.flatnonzero(serial)[plausible]
        sub_out[positions] = stamps.astype("datetime64[s]")
        sub_done[positions] = True
        if hint is not None:
            years = pd.DatetimeIndex(sub_out[positions]).year.to_numpy()
            disagree = np.zeros(len(sub), dtype=bool)
            disagree[positions] = ~np.isnan(hint[positions]) & (years != hint[positions])
            add_row_problems(
                report, disagree, rows[rest], column,
                "read as an Excel day number it is a date in another year than the file's year column; "
                "give YYYY-MM-DD", sub_texts,
            )  # fmt: skip
            sub_out[disagree] = np.datetime64("NaT")
            year_only |= disagree
    # Numeric day/month orders: 25/02/2021, 03-04-19.
    numeric = sub.str.extract(r"^(\d{1,2})[\-/.](\d{1,2})[\-/.](\d{2}|\d{4})$")
    sub_ambiguous = _fill_numeric(
        sub_out, sub_done, numeric, hint, rows[rest], report, column, texts.iloc[rest].reset_index(drop=True),
        date_order,
    )  # fmt: skip
    out[rest] = sub_out
    done[rest] = sub_done
    ambiguous[rest] = sub_ambiguous | year_only | trailing  # reported above: not also "not a real calendar date"


def _to_date(years: np.ndarray, months: np.ndarray, days: np.ndarray) -> np.ndarray:
    """datetime64[s] per (y, m, d); NaT where the date does not exist."""
    frame = pd.DataFrame({"year": years, "month": months, "day": days})
    return pd.to_datetime(frame, errors="coerce").to_numpy().astype("datetime64[s]")


def _fill_ymd(out, done, y, m, d) -> None:
    hit = y.notna().to_numpy() & ~done
    if not hit.any():
        return
    values = _to_date(y[hit].astype(int).to_numpy(), m[hit].astype(int).to_numpy(), d[hit].astype(int).to_numpy())
    out[hit] = values
    done[hit] = True


def _expand_year(two_or_four: np.ndarray, hint: np.ndarray | None) -> np.ndarray:
    """Four-digit years; a two-digit year takes the century from the hint, else the pivot rule."""
    years = two_or_four.astype(float)
    short = years < 100
    this_year = dt.date.today().year
    pivot = np.where(years <= this_year % 100, 2000 + years, 1900 + years)
    if hint is not None:
        from_hint = np.where(np.isfinite(hint) & (hint % 100 == years), hint, np.nan)
        pivot = np.where(np.isfinite(from_hint), from_hint, pivot)
    return np.where(short, pivot, years)


def _fill_dmy_named(out, done, d, month_names, y, year_hint) -> None:
    hit = d.notna().to_numpy() & ~done
    if not hit.any():
        return
    months = month_names[hit].str.lower().map(_MONTHS)
    known = months.notna().to_numpy()
    positions = np.flatnonzero(hit)[known]
    if not len(positions):
        return
    hint = year_hint[positions] if year_hint is not None else None
    years = _expand_year(y.iloc[positions].astype(int).to_numpy(), hint)
    out[positions] = _to_date(years, months[known].astype(int).to_numpy(), d.iloc[positions].astype(int).to_numpy())
    done[positions] = True


DATE_ORDERS = ("dmy", "mdy")  # a numeric date's stated order: day first, month first


def _fill_numeric(out, done, parts, year_hint, rows, report, column, texts, date_order=None) -> np.ndarray:
    """Fill numeric d/m/y dates; report and return the mask of rows left ambiguous."""
    result = np.zeros(len(done), dtype=bool)
    hit = parts[0].notna().to_numpy() & ~done
    if not hit.any():
        return result
    positions = np.flatnonzero(hit)
    first = parts[0].iloc[positions].astype(int).to_numpy()
    second = parts[1].iloc[positions].astype(int).to_numpy()
    raw_year = parts[2].iloc[positions].astype(int).to_numpy()
    hint = year_hint[positions] if year_hint is not None else None
    years = _expand_year(raw_year, hint)
    year_first = np.zeros(len(positions), dtype=bool)
    if hint is not None:
        # yy-mm-dd: the first part is the year column's two digits and the last is not.
        year_first = np.isfinite(hint) & (raw_year < 100) & (hint % 100 == first) & (hint % 100 != raw_year)
    # The file's own order, from rows that can only be read one way.
    day_first = bool(((first > 12) & (second <= 12) & ~year_first).any())
    month_first = bool(((second > 12) & (first <= 12) & ~year_first).any())
    if date_order in DATE_ORDERS:  # stated: a row in the other order is then no real date, and said so
        day_first, month_first = date_order == "dmy", date_order == "mdy"
    as_dmy = _to_date(years, second, first)
    as_mdy = _to_date(years, first, second)
    if day_first and not month_first:
        chosen = as_dmy
        ambiguous = np.zeros(len(positions), dtype=bool)
    elif month_first and not day_first:
        chosen = as_mdy
        ambiguous = np.zeros(len(positions), dtype=bool)
    else:
        same = (first == second) | np.isnat(as_dmy) | np.isnat(as_mdy)
        chosen = np.where(np.isnat(as_dmy), as_mdy, as_dmy)
        ambiguous = ~same
    if hint is not None and year_first.any():
        chosen = np.where(year_first, _to_date(np.where(year_first, hint, 2000), second, raw_year), chosen)
        ambiguous &= ~year_first
    out[positions] = chosen
    done[positions] = True
    if ambiguous.any():
        order = (
            "this file has rows in both day-first and month-first order"
            if day_first and month_first
            else "no other row shows whether this file writes the day or the month first (state it: the "
            "Data page's 'Dates such as 03/04/2021', or the command line's --date-order day-first|month-first)"
        )
        for k in np.flatnonzero(ambiguous).tolist():
            i = positions[k]
            a = pd.Timestamp(as_dmy[k]).strftime("%d %B %Y") if not np.isnat(as_dmy[k]) else "—"
            b = pd.Timestamp(as_mdy[k]).strftime("%d %B %Y") if not np.isnat(as_mdy[k]) else "—"
            report.add(
                Problem(
                    f"is an ambiguous date: it could be {a} (day first) or {b} (month first), and {order}. "
                    "Write it as YYYY-MM-DD",
                    row=int(rows[i]),
                    column=column,
                    value=str(texts.iloc[i]),
                )
            )
            out[i] = np.datetime64("NaT")
            result[i] = True
    return result


def reject_ragged(table: Table, report: Report) -> np.ndarray:
    """Reject rows whose number of fields differs from the header's, and rows whose cell swallowed
    the rows after it (a quote never closed); return the mask of good rows."""
    counts = table.frame.attrs.get("field_counts")
    keep = np.ones(len(table.frame), dtype=bool)
    if table.frame.attrs.get("multiline"):
        keep &= ~_reject_swallowed(table, report, counts)
    if counts is None:
        return keep
    width = len(table.frame.columns)
    wrong = counts != width

    def fields(n: int) -> str:
        return f"{n} field" if n == 1 else f"{n} fields"

    inside = table.frame.attrs.get("lines_inside")
    for i in np.flatnonzero(wrong).tolist():
        swallowed = int(inside[i]) if inside is not None else 0
        message = (
            f'has {fields(counts[i])} but the header has {width}: a quote (") opened in this row is never closed, '
            f"so the {swallowed:,} line{'s' if swallowed != 1 else ''} after it {'were' if swallowed != 1 else 'was'} "
            "read into it (and are not imported). Close or remove that quote."
            if swallowed
            else f"has {fields(counts[i])} but the header has {width}; check for an unquoted comma or a cut line"
        )
        report.add(Problem(message, row=int(table.rows[i])))
    return keep & ~wrong


def _reject_swallowed(table: Table, report: Report, counts: np.ndarray | None) -> np.ndarray:
    """Rows with a cell whose later lines look like rows of the file (as many separators as a row
    has): a quote opened in the row and never closed read them into it. Rows of the wrong width
    are left to the width check."""
    frame = table.frame
    width = len(frame.columns)
    mark = frame.attrs.get("delimiter", ",")
    bad = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        cells = frame[column]
        if not (pd.api.types.is_string_dtype(cells.dtype) or cells.dtype == object):
            continue
        broken = cells.str.contains("\n", regex=False).fillna(False).to_numpy(dtype=bool)
        for i in np.flatnonzero(broken & ~bad).tolist():
            if counts is not None and counts[i] != width:
                continue
            rows_inside = [line for line in str(cells.iloc[i]).split("\n")[1:] if line.count(mark) >= width - 2]
            if rows_inside:
                bad[i] = True
                n = len(rows_inside)
                report.add(
                    Problem(
                        f'a quote (") opened in this row is never closed, so {n:,} line{"s" if n != 1 else ""} '
                        f"after it that look{'s' if n == 1 else ''} like rows {'were' if n != 1 else 'was'} read into "
                        f"its '{column}' cell and not imported. Close or remove that quote.",
                        row=int(table.rows[i]),
                        column=str(column),
                    )
                )
    return bad


def _article(word: str) -> str:
    """'a' or 'an' as the formats are said: an ACLED, a UCDP GED, a plain CSV."""
    return "an" if word[:1].upper() in "AEIO" else "a"


def require_columns(names: list[str], required: list[str], what: str) -> None:
    """Raise ImportFailed naming the required columns missing from a header."""
    missing = [c for c in required if c not in names]
    if missing:
        raise ImportFailed(
            f"the header has no column(s) {', '.join(missing)}, which {_article(what)} {what} file needs. Check that "
            "this is the "
            "right file and that its first row is the header (or choose another format / give a column mapping)."
        )


def text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as stripped strings ("" where absent or empty)."""
    if name not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype="str")
    return frame[name].astype("str").fillna("").str.strip()


def canonical_frame(
    columns: dict[str, object], keep: np.ndarray, rows: np.ndarray, dated_badly: np.ndarray | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows still kept, as a frame in canonical column order (absent columns empty), with their row numbers.

    ``dated_badly``: rows whose date was refused and reported already (``parse_dates``). They stay
    in the frame, so the checks report the row's other problems too (a file is mended in one
    go, not one problem per try), and are then left out (``schema.validate_frame`` reads
    ``frame.attrs["dated_badly"]``)."""
    from lib.schema import CANONICAL_COLUMNS

    n = len(keep)
    out = {}
    for name in CANONICAL_COLUMNS:
        value = columns.get(name)
        if value is None:
            out[name] = pd.Series([""] * int(keep.sum()), dtype="str")
            continue
        if isinstance(value, str):
            out[name] = pd.Series([value] * int(keep.sum()), dtype="str")
            continue
        if isinstance(value, pd.Series):
            assert len(value) == n, name
            out[name] = value.reset_index(drop=True)[keep].reset_index(drop=True)
        else:
            array = np.asarray(value)
            assert len(array) == n, name
            out[name] = pd.Series(array[keep])
    frame = pd.DataFrame(out)
    if dated_badly is not None:
        frame.attrs["dated_badly"] = np.asarray(dated_badly, dtype=bool)[keep]
    return frame, rows[keep]
