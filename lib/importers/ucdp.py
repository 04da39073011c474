"""UCDP Georeferenced Event Dataset (GED) CSV → canonical rows.

Reads the 49 standard GED columns, found by name (any order, any case), or a file with no
header row whose rows have exactly the 49 fields in the standard order. Dates may be
``2013-01-03`` or ``2013-01-03 00:00:00.000``.

Mapping rules (codebook):

- ``event_id`` = ``ucdp:`` + ``id``.
- ``event_date`` = ``date_start`` (the first day when UCDP gives a span); a span is
  written into ``notes``.
- ``date_precision`` from ``date_prec``: 1 (exact day) → 1; 2 (2–6 days) and 3 (within
  a week) → 2; 4 (within a month) → 3; 5 (more than a month, within a year) → row
  rejected with the reason. Our loosest code means "within a month"; calling a
  year-wide date that would claim a precision UCDP does not give. Where UCDP's own
  ``date_start``–``date_end`` span is longer than ``date_prec`` says, the span decides (up
  to 7 days → 2, up to a month → 3, with one warning for the rows); a span longer than a
  month leaves the row out as ``date_prec`` 5 does, and one ending before it starts is
  rejected.
- ``geo_precision`` from ``where_prec``: 1 (exact place) → 1; 2 (within ~25 km) → 2;
  3 (second-order admin area), 4 (first-order admin area), 5 (a line or between places)
  → 3; 6 (country only) and 7 (international waters or airspace) → row rejected with the
  reason. A country centroid is not a place an event happened, and drawing it would put
  a country's worth of events on one arbitrary point; precision 3 is for admin areas.
- ``event_type``/``sub_event_type`` from ``type_of_violence``: 1 (state-based) and 2
  (non-state) → Battles · Armed clash; 3 (one-sided) → Violence against civilians ·
  Attack. Any other value rejects the row.
- actors: ``side_a`` → actor1, ``side_b`` → actor2. UCDP's dyad order (government
  first) is not a direction: side A did not necessarily act.
- ``fatalities`` = ``best``; ``low``/``high`` go into notes ("UCDP deaths best 12 (low
  10, high 15)", numbers written as decimals said as whole ones). ``injuries`` empty (UCDP
  has none).
- ``country``, ``adm_1`` → admin1, ``adm_2`` → admin2, ``where_coordinates`` →
  location, ``latitude``, ``longitude`` straight over.
- ``source`` = ``source_office`` (else ``source_original``); ``source_url`` empty
  (UCDP gives none); ``notes`` = the deaths sentence, then ``source_headline`` (else
  ``source_article``) where present.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from lib.importers.common import (
    ImportFailed,
    add_row_problems,
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

GED_COLUMNS = [
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start",
    "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low",
    "gwnoa", "gwnob",
]  # fmt: skip
REQUIRED = ["id", "type_of_violence", "side_a", "side_b", "where_prec", "latitude", "longitude", "country",
            "date_prec", "date_start", "best"]  # fmt: skip
WHERE_PREC = {"1": "1", "2": "2", "3": "3", "4": "3", "5": "3"}
DATE_PREC = {"1": "1", "2": "2", "3": "2", "4": "3"}
VIOLENCE = {
    "1": ("Battles", "Armed clash"),
    "2": ("Battles", "Armed clash"),
    "3": ("Violence against civilians", "Attack"),
}


def looks_like(names: list[str]) -> bool:
    """True for a GED header (normalised names)."""
    return "type_of_violence" in names and ("where_prec" in names or "side_a" in names or "relid" in names)


def looks_like_headerless(line: str) -> bool:
    """True for a first line that is a GED data row (49 fields, numeric id, year, violence type)."""
    fields = next(csv.reader([line]), [])
    return (
        len(fields) == len(GED_COLUMNS)
        and fields[0].strip().isdigit()
        and len(fields[2].strip()) == 4
        and fields[2].strip().isdigit()
        and fields[5].strip() in VIOLENCE
    )


def _integer_text(values: pd.Series) -> pd.Series:
    """'2.0' → '2' so that codes written as floats still match."""
    return values.str.replace(r"\.0+$", "", regex=True)


def _span_precision(get, dates, date_precision, date_prec, rows, report, keep, years, date_order):
    """The date precision UCDP's own span (``date_start`` to ``date_end``) allows, where it is
    looser than ``date_prec`` says: a date_prec 1 event over three days is dated to within a
    week, not to the day. A span longer than a month is left out as date_prec 5 is; one that
    ends before it starts is rejected. Returns (date_precision, keep)."""
    start_text, end_text = get("date_start").str.slice(0, 10), get("date_end").str.slice(0, 10)
    spanned = ((end_text != "") & (end_text != start_text)).to_numpy() & keep & ~dates.bad
    if not spanned.any():
        return date_precision, keep
    positions = np.flatnonzero(spanned)
    ends = parse_dates(
        get("date_end").iloc[positions].reset_index(drop=True), rows[positions], report, "date_end",
        years=None if years is None else years.iloc[positions].reset_index(drop=True), date_order=date_order,
    )  # fmt: skip
    keep = keep.copy()
    keep[positions[ends.bad]] = False
    start = dates.values[positions].astype("datetime64[D]")
    end = ends.values.astype("datetime64[D]")
    days = (end - start).astype("int64")
    within_month = end <= (pd.DatetimeIndex(start) + pd.DateOffset(months=1) - pd.Timedelta(days=1)).to_numpy()
    needed = np.where(days <= 6, 2, np.where(within_month, 3, 4))
    valid = ~ends.bad
    backwards = np.zeros(len(keep), dtype=bool)
    backwards[positions[valid & (days < 0)]] = True
    add_row_problems(
        report, backwards, rows, "date_end", "is before date_start; one of the two is wrong: correct the row",
        get("date_end"),
    )  # fmt: skip
    too_long = np.zeros(len(keep), dtype=bool)
    too_long[positions[valid & (days >= 0) & (needed == 4)]] = True
    add_row_problems(
        report, too_long, rows, "date_end",
        "UCDP's dates for this event (date_start to date_end) run longer than a month, looser than our loosest "
        "precision; not imported", get("date_end"), by_rule=True,
    )  # fmt: skip
    keep &= ~backwards & ~too_long
    mapped = pd.to_numeric(date_precision, errors="coerce").to_numpy()
    looser = np.zeros(len(keep), dtype=bool)
    fits = valid & (days >= 0) & (needed < 4)
    looser[positions[fits]] = needed[fits] > mapped[positions[fits]]
    looser &= keep
    if looser.any():
        first = int(np.flatnonzero(looser)[0])
        report.add(
            Problem(
                f"{int(looser.sum())} event(s) have a date_prec finer than their own dates: the days from date_start "
                "to date_end do not fit it. Their date precision is taken from those dates (a span of up to 7 days: "
                "within a week; up to a month: within a month)",
                row=int(rows[first]),
                column="date_prec",
                value=f"{date_prec.iloc[first]} ({start_text.iloc[first]} to {end_text.iloc[first]})",
                fatal=False,
            )
        )
        date_precision = date_precision.copy()
        widened = np.flatnonzero(looser)
        lookup = dict(zip(positions.tolist(), needed.tolist(), strict=True))
        date_precision.iloc[widened] = [str(lookup[i]) for i in widened.tolist()]
    return date_precision, keep


def to_canonical(
    path: Path, data: bytes | None, report: Report, dataset: str, date_order: str | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Canonical (not yet validated) rows of a GED file and their data row numbers."""
    headerless = data is not None and looks_like_headerless(data[:200_000].decode("utf-8", "replace").split("\n")[0])
    table = read_table(path, data, header=not headerless)
    if headerless:
        report.header_rows = 0  # a row's number is its line's
        if len(table.frame.columns) != len(GED_COLUMNS):
            raise ImportFailed("a GED file without a header must have the 49 standard columns.")
        table.frame.columns = GED_COLUMNS
    keep = reject_ragged(table, report)
    frame = table.frame
    frame.columns = [normalise_header(str(c)) for c in frame.columns]
    rows = table.rows
    report.rows_read = len(frame)
    require_columns(list(frame.columns), REQUIRED, "UCDP GED")
    warn_text_cells(report, frame, rows, ["source_headline", "source_article", "side_a", "side_b"])

    def get(name: str) -> pd.Series:
        return text_column(frame, name)

    years = get("year") if "year" in frame else None
    dates = parse_dates(get("date_start"), rows, report, "date_start", years=years, date_order=date_order)

    where_prec = _integer_text(get("where_prec"))
    geo_precision = where_prec.map(WHERE_PREC)
    unmappable = geo_precision.isna().to_numpy() & keep
    add_row_problems(
        report,
        unmappable & where_prec.isin(["6", "7"]).to_numpy(),
        rows,
        "where_prec",
        "UCDP places this event only at country level (6) or in international waters/airspace (7); it has no "
        "mappable location and is not imported",
        where_prec,
        by_rule=True,
    )
    add_row_problems(
        report,
        unmappable & ~where_prec.isin(["6", "7"]).to_numpy(),
        rows,
        "where_prec",
        "must be a UCDP where_prec code 1–7",
        where_prec,
    )
    keep &= ~unmappable

    date_prec = _integer_text(get("date_prec"))
    date_precision = date_prec.map(DATE_PREC)
    vague = date_precision.isna().to_numpy() & keep
    add_row_problems(
        report,
        vague & (date_prec == "5").to_numpy(),
        rows,
        "date_prec",
        "UCDP dates this event only within a year (date_prec 5), looser than our loosest precision (a month); "
        "not imported",
        date_prec,
        by_rule=True,
    )
    add_row_problems(
        report, vague & (date_prec != "5").to_numpy(), rows, "date_prec", "must be a UCDP date_prec code 1–5", date_prec
    )
    keep &= ~vague
    date_precision, keep = _span_precision(get, dates, date_precision, date_prec, rows, report, keep, years, date_order)

    violence = _integer_text(get("type_of_violence"))
    unknown_type = ~violence.isin(list(VIOLENCE)).to_numpy() & keep
    add_row_problems(
        report, unknown_type, rows, "type_of_violence", "must be 1 (state-based), 2 (non-state) or 3 (one-sided)",
        violence,
    )  # fmt: skip
    keep &= ~unknown_type
    event_type = violence.map({k: v[0] for k, v in VIOLENCE.items()})
    sub_event_type = violence.map({k: v[1] for k, v in VIOLENCE.items()})

    best, low, high = (_integer_text(get(name)) for name in ("best", "low", "high"))  # "12.0" is said "12"
    notes = "UCDP deaths best " + best.where(best != "", "unknown")
    notes = notes + (" (low " + low.where(low != "", "?") + ", high " + high.where(high != "", "?") + ")").where(
        (low != "") | (high != ""), ""
    )
    notes = notes + "."
    start, end = get("date_start").str.slice(0, 10), get("date_end").str.slice(0, 10)
    notes = notes + (" Dates " + start + " to " + end + ".").where((end != "") & (end != start), "")
    headline = get("source_headline").str.replace(r"\s*;\s*", "; ", regex=True)  # UCDP joins them with ";"
    article = get("source_article")
    notes = notes + (" Headlines: " + headline).where(headline != "", (" Source: " + article).where(article != "", ""))
    source = get("source_office")
    source = source.where(source != "", get("source_original"))
    source = source.str.replace(r"\s*;\s*", "; ", regex=True)  # UCDP writes "Reuters;AFP"; the codebook's lists "; "
    columns = {
        "event_id": ("ucdp:" + get("id")).where(get("id") != "", ""),
        "event_date": dates.values,
        "date_precision": date_precision.fillna(""),
        "event_type": event_type.fillna(""),
        "sub_event_type": sub_event_type.fillna(""),
        "actor1": get("side_a"),
        "actor2": get("side_b"),
        "country": get("country"),
        "admin1": get("adm_1"),
        "admin2": get("adm_2"),
        "location": get("where_coordinates"),
        "latitude": get("latitude"),
        "longitude": get("longitude"),
        "geo_precision": geo_precision.fillna(""),
        "fatalities": best,
        "source": source,
        "notes": notes,
        "dataset": dataset,
    }
    return canonical_frame(columns, keep, rows, dated_badly=dates.bad)
