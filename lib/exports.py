"""Exports: the filtered events as CSV or GeoJSON, written batch by batch.

Text that a spreadsheet would run as a formula (a cell starting with ``= + - @``, a tab or
a carriage return) is prefixed with an apostrophe in CSV, as OWASP advises; the stored
data keeps it exactly as imported, and importing the CSV back takes the apostrophe off
(``importers.generic.unguard_formulas``). Unknown values stay empty (CSV) or ``null`` (GeoJSON).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import re
import shlex
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

import duckdb
import pyarrow as pa

from lib import filters, schema

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A text cell made safe for spreadsheets: formula-like text gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


ORDER_COLUMN = "sitrep_row_in_batch"  # see _Formatter._numbered


class _Formatter:
    """Writes Arrow batches as CSV or GeoJSON text with DuckDB, a batch at a time, in the batch's
    order (its own connection keeps insertion order, which the store's does not). A cell at a time
    in Python took 24 s for a million events. The CSV is what :mod:`csv` wrote before (quotes
    only where needed, numbers as Python writes them, unknowns empty), but for a lone carriage
    return in a text, which DuckDB quotes and :mod:`csv` did not (CSV readers took it for a
    line's end)."""

    def __init__(self) -> None:
        self.con = duckdb.connect(":memory:")
        self.folder = tempfile.TemporaryDirectory(prefix="sitrep-export-")
        self.part = Path(self.folder.name) / "part.csv"
        self._select: str | None = None

    def close(self) -> None:
        self.con.close()
        self.folder.cleanup()

    def _columns(self, table: pa.Table) -> str:
        """The canonical columns as an export writes them: text guarded as :func:`neutralise`
        does, an empty text unknown, dates as ISO days."""
        if self._select is None:
            marks = ", ".join(f"chr({ord(mark)})" for mark in FORMULA_START)
            parts = []
            for name in schema.CANONICAL_COLUMNS:
                kind = table.schema.field(name).type
                if pa.types.is_string(kind) or pa.types.is_large_string(kind):
                    parts.append(
                        f"CASE WHEN left({name}, 1) IN ({marks}) THEN chr(39) || {name} ELSE nullif({name}, '') END"
                    )
                elif pa.types.is_timestamp(kind) or pa.types.is_date(kind):
                    parts.append(f"strftime(CAST({name} AS DATE), '%Y-%m-%d')")
                else:
                    parts.append(name)
            self._select = ", ".join(
                f"{part} AS {name}" for part, name in zip(parts, schema.CANONICAL_COLUMNS, strict=True)
            )
        return self._select

    @staticmethod
    def _numbered(table: pa.Table) -> pa.Table:
        """The batch with each row's place in it: DuckDB's threads may read an Arrow table's rows
        out of order, and an export keeps the table's (the CSV's lines came out of order about one
        time in ten, on ten rows in four batches)."""
        return table.append_column(ORDER_COLUMN, pa.array(range(table.num_rows), pa.int64()))

    def csv(self, table: pa.Table, header: bool) -> bytes:
        """The batch as CSV lines (the header first if asked)."""
        self.con.register("batch", self._numbered(table))
        try:
            self.con.execute(
                f"COPY (SELECT {self._columns(table)} FROM batch ORDER BY {ORDER_COLUMN}) TO '{self.part}' "
                f"(FORMAT csv, HEADER {str(header).lower()})"
            )
        except duckdb.IOException as exc:  # the temporary folder full, or a file size limit
            first = str(exc).splitlines()[0]
            code = errno.ENOSPC if "No space" in first else errno.EIO
            raise OSError(
                code, f"the temporary folder {self.folder.name} could not hold a batch ({first}; TMPDIR names another)"
            ) from None
        finally:
            self.con.unregister("batch")
        return self.part.read_bytes()

    def features(self, table: pa.Table) -> list[str]:
        """One GeoJSON Feature per row: a point (lon, lat), the other columns as properties,
        unknowns ``null``, dates as ISO days, text as stored (JSON needs no formula guard)."""
        props = ", ".join(
            f"{name}: strftime(CAST({name} AS DATE), '%Y-%m-%d')" if name == "event_date" else f"{name}: {name}"
            for name in schema.CANONICAL_COLUMNS
            if name not in ("latitude", "longitude")
        )
        point = "{type: 'Point', coordinates: [longitude, latitude]}"
        feature = f"{{type: 'Feature', geometry: {point}, properties: {{{props}}}}}"
        self.con.register("batch", self._numbered(table))
        try:
            return (
                self.con.sql(f"SELECT CAST(to_json({feature}) AS VARCHAR) FROM batch ORDER BY {ORDER_COLUMN}")
                .to_arrow_table()
                .column(0)
                .to_pylist()
            )
        finally:
            self.con.unregister("batch")


def write_csv(batches: Iterable[pa.Table], out: BinaryIO) -> int:
    """Write canonical columns as CSV (UTF-8, header, ISO dates) to a binary stream; return rows written."""
    formatter = _Formatter()
    rows, headed = 0, False
    try:
        for table in batches:
            out.write(formatter.csv(table, header=not headed))  # an empty batch writes the header alone
            rows, headed = rows + table.num_rows, True
        if not headed:  # no batch at all: the header alone
            out.write((",".join(schema.CANONICAL_COLUMNS) + "\n").encode())
    finally:
        formatter.close()
    return rows


# What an empty value, a 0 and source_url mean in a dataset of each source format: a 0 in an
# ACLED dataset is "none reported" (ACLED's rule), and ACLED and UCDP give no addresses.
UNKNOWN_VALUES = {
    "acled": (
        "fatalities 0 means none reported, not known to be none (ACLED codes 0 when no source reports a death); "
        "injuries are empty (ACLED has none); source names the outlets, and source_url is empty (ACLED gives no "
        "addresses)"
    ),
    "ucdp": (
        "fatalities is UCDP's best estimate (its low and high are in notes); injuries are empty (UCDP has none); "
        "source names UCDP's sources, and source_url is empty (UCDP gives no addresses)"
    ),
    "gdelt": (
        "fatalities and injuries are empty (GDELT counts none); source_url is the news report GDELT coded, and "
        "event_date that report's day"
    ),
}
UNKNOWN_OWN = "empty fatalities or injuries mean not reported, never zero; source_url lists each event's reports"


def unknown_values(source_format: str) -> str:
    """What empty values, zeros and source_url mean in a dataset of ``source_format``, in one
    sentence (a GeoJSON export's ``sitrep`` member and the Events page say it)."""
    return UNKNOWN_VALUES.get(source_format, UNKNOWN_OWN)


def provenance(
    dataset: str, licence: str, query: str, view: str = "", link: str = "", source_format: str = "csv"
) -> dict:
    """Where a GeoJSON export comes from, written as its ``sitrep`` member (RFC 7946 allows such
    "foreign members"; GIS tools keep or ignore them): the dataset, its licence, the filters as
    a link's query, the view in words and the link back, when it was written, and what its
    empty values and zeros mean (by the dataset's source format)."""
    about = {"dataset": dataset, "licence": licence, "filters": query}
    about |= {"view": view} if view else {}
    about |= {"link": link} if link else {}
    about["exported"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    about["unknown values"] = unknown_values(source_format)
    return about


def provenance_now(store, state, registry, link: str = "") -> dict:
    """:func:`provenance` for a view as the store holds it now: its dataset's licence and format,
    its filters, and its sentence counted on the rows an export of it reads. Counted when the
    page was drawn, a file's "view" said 47,087 events over the 57,467 an import had added since.
    (The command line's export and the Events page's GeoJSON both say it so.)"""
    from lib import queries  # queries reads the store, which exports does not need otherwise

    info = store.info(state.dataset or store.default_dataset)
    lo, hi = (dt.date.fromisoformat(str(d)[:10]) for d in (info.min_date, info.max_date))
    count = queries.count_events(store, state, registry)
    view = filters.describe(state, count, lo, hi, info.directed, markdown=False, subject=info.subject)
    return provenance(info.name, info.licence, filters.query_string(state), view, link, info.source_format)


def write_geojson(batches: Iterable[pa.Table], out: BinaryIO, about: dict | None = None) -> int:
    """Write a GeoJSON FeatureCollection of points (lon, lat), properties = the other columns,
    to a binary stream; ``about`` (see :func:`provenance`), if given, as its ``sitrep`` member."""
    head = f'"sitrep": {json.dumps(about, ensure_ascii=False)}, ' if about else ""
    out.write(('{"type": "FeatureCollection", ' + head + '"features": [\n').encode())
    formatter = _Formatter()
    rows = 0
    try:
        for table in batches:
            if table.num_rows:
                out.write(((",\n" if rows else "") + ",\n".join(formatter.features(table))).encode())
            rows += table.num_rows
    finally:
        formatter.close()
    out.write(b"\n]}\n")
    return rows


def to_file(batches: Iterable[pa.Table], fmt: str, about: dict | None = None) -> io.BufferedReader:
    """The export in a rewound, read-only binary file, written batch by batch to a temporary file
    on disk (so no frame of the rows is ever held). A ``BufferedReader``, one of the file kinds
    that ``st.download_button`` accepts from a callable; it refused the SpooledTemporaryFile this
    returned before (Streamlit 1.67: "Callable returned unsupported type")."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - returned open to the caller
    if fmt == "geojson":
        write_geojson(batches, file, about)
    else:
        write_csv(batches, file)
    file.flush()
    raw = file.detach()  # the FileIO under the buffer, still open
    raw.seek(0)
    return io.BufferedReader(raw)


def cli_command(
    state: filters.FilterState,
    dataset: str,
    fmt: str,
    sort: str = "oldest",
    launcher: Sequence[str] = ("python", "-m", "lib"),
    store: str | None = None,
) -> str:
    """The ``python -m lib export`` command that writes the rows of ``state`` (the same filters as
    its link, the selected event aside, since it filters nothing) in ``fmt`` to a file, in the
    order ``sort``. ``launcher`` runs the command line (``bash …/scripts/sitrep`` runs it from any
    folder); ``store``, when given, is the catalog the command must read (``SITREP_STORE``)."""
    words = [*launcher, "export", f"--dataset={dataset}", f"--format={fmt}"]
    if sort != "oldest":
        words.append(f"--sort={sort}")
    # "--key=value": a value starting with "-" (a box west of 0°, a search "-foo") would be read
    # as an option after a space
    words += [f"--{key}={value}" for key, value in _filter_pairs(state)]
    words.append(f"--output={file_stem(state, dataset)}.{fmt}")
    return (f"SITREP_STORE={shlex.quote(store)} " if store else "") + shlex.join(words)


def _filter_pairs(state: filters.FilterState) -> list[tuple[str, str]]:
    """The link's (key, value) pairs that filter rows: not the dataset, nor the selected event."""
    return [(k, v) for k, vs in filters.to_query(state.with_(dataset=None, event=None)).items() for v in vs]


def file_stem(state: filters.FilterState, dataset: str, limit: int = 100) -> str:
    """A download's name: the dataset and its filters, so two filtered exports do not overwrite
    each other (sitrep-us-iran-2019-2024_country-Syria_from-2023-01-01)."""
    stem = "_".join([f"sitrep-{dataset}", *(f"{key}-{value}" for key, value in _filter_pairs(state))])
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).rstrip("-_.")
    if len(stem) <= limit:
        return stem
    # Too long: keep whole filters (else whole words, not "q-Abu-Ka"), and add a short hash of
    # the whole name, so two views that differ only in what was cut still get two files.
    tag = hashlib.sha1(stem.encode()).hexdigest()[:8]
    head = stem[: limit - len(tag) - 1]
    for mark in ("_", "-"):
        cut = head.rfind(mark)
        if cut > len(f"sitrep-{dataset}"):
            head = head[:cut]
            break
    return f"{head.rstrip('-_.')}_{tag}"
