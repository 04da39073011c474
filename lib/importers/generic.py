"""Plain CSV/XLSX with the canonical columns (or mapped onto them) → canonical rows.

Column names are matched case-insensitively. A ``mapping`` (canonical name → the file's
column name) renames the file's columns first; it must name canonical columns and
columns the file has.

Rules (codebook):

- Required in the file: ``event_date``, ``event_type``, ``actor1``, ``country``,
  ``latitude``, ``longitude`` (``schema.REQUIRED_IN_FILE``).
- ``event_id`` kept as given; if the file has no such column, each row gets
  ``<dataset>:<row number>`` and a warning says so (such ids change if rows move).
- ``date_precision`` / ``geo_precision`` absent → 3 (the loosest) with a warning.
- ``dataset`` is always the import's dataset name (a column of that name is ignored).
- ``event_date`` in any form :func:`common.parse_dates` reads (a ``year`` column, if any,
  helps with two-digit years and ambiguous day/month orders).
- Every other canonical column is taken as written; missing ones are empty.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lib.importers.common import (
    ImportFailed,
    canonical_frame,
    normalise_header,
    parse_dates,
    read_table,
    reject_ragged,
    require_columns,
    text_column,
    warn_text_cells,
)
from lib.schema import CANONICAL_COLUMNS, REQUIRED_IN_FILE, Problem, Report


def looks_like(names: list[str]) -> bool:
    """True for a header holding every column a plain file needs, or most of them with other
    canonical columns (at least four canonical names in all): a plain file missing a column,
    which reading it as one then names ("the header has no column(s) latitude"), rather than
    "unknown file format"."""
    if all(c in names for c in REQUIRED_IN_FILE):
        return True
    required = sum(c in names for c in REQUIRED_IN_FILE)
    return required >= len(REQUIRED_IN_FILE) - 2 and sum(c in CANONICAL_COLUMNS for c in set(names)) >= 4


def _apply_mapping(frame: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    unknown = [k for k in mapping if k not in CANONICAL_COLUMNS]
    if unknown:
        raise ImportFailed(
            f"the column mapping names {', '.join(map(repr, unknown))}, which are not canonical columns; "
            f"use names from: {', '.join(CANONICAL_COLUMNS)}."
        )
    by_name = {normalise_header(str(c)): c for c in frame.columns}
    absent = [v for v in mapping.values() if normalise_header(v) not in by_name]
    if absent:
        raise ImportFailed(
            f"the column mapping names file column(s) {', '.join(map(repr, absent))}, which the file does not have; "
            f"its columns are: {', '.join(str(c) for c in frame.columns)}."
        )
    out = {}
    mapped_sources = {normalise_header(v) for v in mapping.values()}
    for name in frame.columns:
        key = normalise_header(str(name))
        if key in mapped_sources or key in mapping:
            continue  # replaced by the mapping (or shadowed by a mapped column of that name)
        out[key] = frame[name]
    for canonical, source in mapping.items():
        out[canonical] = frame[by_name[normalise_header(source)]]
    return pd.DataFrame(out)


# What Sitrep's CSV export puts before text a spreadsheet would run as a formula: an apostrophe
# (lib/exports.neutralise). Taken off again on import, so an export imported back stores the
# text as it was ("-5 reported killed", not "'-5 reported killed").
GUARDED = r"^'[=+\-@\t\r]"


def unguard_formulas(frame: pd.DataFrame, report: Report) -> pd.DataFrame:
    """``frame`` with the export's formula guard taken off its text cells, and a note of how many."""
    taken = 0
    out = {}
    for name in frame.columns:
        values = frame[name]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            text = values.astype("string")
            guarded = text.str.contains(GUARDED, regex=True).fillna(False).to_numpy(dtype=bool)
            if guarded.any():
                taken += int(guarded.sum())
                values = text.where(~guarded, text.str.slice(1))
        out[name] = values
    if taken:
        report.notes.append(
            f"{taken:,} cell{'s' if taken != 1 else ''} began with the apostrophe that Sitrep's CSV export puts "
            "before text a spreadsheet would run as a formula (= + - @): taken off, so the text is stored as it "
            "was before the export"
        )
        return pd.DataFrame(out, index=frame.index)
    return frame


def to_canonical(
    path: Path,
    data: bytes | None,
    report: Report,
    dataset: str,
    mapping: dict[str, str] | None = None,
    date_order: str | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Canonical (not yet validated) rows of a plain CSV/XLSX file and their data row numbers."""
    table = read_table(path, data)
    keep = reject_ragged(table, report)
    frame = table.frame
    frame = _apply_mapping(frame, mapping) if mapping else frame.set_axis(
        [normalise_header(str(c)) for c in frame.columns], axis=1
    )  # fmt: skip
    rows = table.rows
    report.rows_read = len(frame)
    require_columns(list(frame.columns), REQUIRED_IN_FILE, "plain CSV/XLSX (canonical columns)")
    frame = unguard_formulas(frame, report)
    warn_text_cells(report, frame, rows, ["notes", "actor1", "actor2", "source"])

    years = text_column(frame, "year") if "year" in frame.columns else None
    dates = parse_dates(
        text_column(frame, "event_date"), rows, report, "event_date", years=years, date_order=date_order
    )
    columns: dict[str, object] = {c: text_column(frame, c) for c in CANONICAL_COLUMNS if c in frame.columns}
    columns["notes"] = frame["notes"].astype("str").fillna("") if "notes" in frame.columns else ""
    columns["event_date"] = dates.values
    columns["dataset"] = dataset
    if "event_id" not in frame.columns:
        columns["event_id"] = pd.Series([f"{dataset}:{n}" for n in rows.tolist()], dtype="str")
        report.add(
            Problem(
                f"the file has no event_id column; rows get ids '{dataset}:<row number>', which change if the "
                "file's rows are reordered. Add a stable event_id column to re-import safely.",
                column="event_id",
                fatal=False,
            )
        )
    for precision in ("date_precision", "geo_precision"):
        if precision not in frame.columns:
            columns[precision] = "3"
            report.add(
                Problem(
                    f"the file has no {precision} column; every row gets 3, the loosest (see data/CODEBOOK.md)",
                    column=precision,
                    fatal=False,
                )
            )
    return canonical_frame(columns, keep, rows, dated_badly=dates.bad)
