"""Exports: the filtered events as CSV or GeoJSON, written batch by batch.

Text that a spreadsheet would run as a formula (a cell starting with ``= + - @``, a tab or
a carriage return) is prefixed with an apostrophe in CSV, as OWASP advises; the stored
data keeps it exactly as imported, and importing the CSV back takes the apostrophe off
(``importers.generic.unguard_formulas``). Unknown values stay empty (CSV) or ``null`` (GeoJSON).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
import shlex
import tempfile
from collections.abc import Iterable, Sequence

import pandas as pd
import pyarrow as pa

from lib import filters, schema

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A text cell made safe for spreadsheets: formula-like text gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _cell(value) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, str):
        return neutralise(value)
    return value


def write_csv(batches: Iterable[pa.Table], out: io.TextIOBase) -> int:
    """Write canonical columns as CSV (UTF-8, header, ISO dates); return rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(schema.CANONICAL_COLUMNS)
    rows = 0
    for table in batches:
        columns = [table.column(c).to_pylist() for c in schema.CANONICAL_COLUMNS]
        for record in zip(*columns, strict=True):
            writer.writerow([_cell(v) for v in record])
            rows += 1
    return rows


def _json_value(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return value


def provenance(dataset: str, licence: str, query: str, view: str = "", link: str = "") -> dict:
    """Where a GeoJSON export comes from, written as its ``sitrep`` member (RFC 7946 allows such
    "foreign members"; GIS tools keep or ignore them): the dataset, its licence, the filters as
    a link's query, the view in words and the link back, and when it was written."""
    about = {"dataset": dataset, "licence": licence, "filters": query}
    about |= {"view": view} if view else {}
    about |= {"link": link} if link else {}
    about["exported"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    about["unknown values"] = "null (not reported), never 0; source_url lists each event's reports"
    return about


def write_geojson(batches: Iterable[pa.Table], out: io.TextIOBase, about: dict | None = None) -> int:
    """Write a GeoJSON FeatureCollection of points (lon, lat), properties = the other columns;
    ``about`` (see :func:`provenance`), if given, as its ``sitrep`` member."""
    props = [c for c in schema.CANONICAL_COLUMNS if c not in ("latitude", "longitude")]
    head = f'"sitrep": {json.dumps(about, ensure_ascii=False)}, ' if about else ""
    out.write('{"type": "FeatureCollection", ' + head + '"features": [\n')
    rows = 0
    for table in batches:
        lat = table.column("latitude").to_pylist()
        lon = table.column("longitude").to_pylist()
        values = [table.column(c).to_pylist() for c in props]
        for i in range(table.num_rows):
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon[i], lat[i]]},
                "properties": {c: _json_value(values[j][i]) for j, c in enumerate(props)},
            }
            out.write((",\n" if rows else "") + json.dumps(feature, ensure_ascii=False))
            rows += 1
    out.write("\n]}\n")
    return rows


def to_file(batches: Iterable[pa.Table], fmt: str, about: dict | None = None) -> io.BufferedReader:
    """The export in a rewound, read-only binary file, written batch by batch to a temporary file
    on disk (so no frame of the rows is ever held). A ``BufferedReader``, one of the file kinds
    that ``st.download_button`` accepts from a callable; it refused the SpooledTemporaryFile this
    returned before (Streamlit 1.67: "Callable returned unsupported type")."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - returned open to the caller
    text = io.TextIOWrapper(file, encoding="utf-8", newline="")
    if fmt == "geojson":
        write_geojson(batches, text, about)
    else:
        write_csv(batches, text)
    text.flush()
    raw = text.detach().detach()  # the FileIO under the text and buffer layers, still open
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
