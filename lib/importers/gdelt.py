"""GDELT 1.0 and 2.0 event files (tab-separated, no header) → canonical rows.

Layouts, told apart per row by the number of fields (one file may mix them): 57 (GDELT
1.0 historical backfiles, no SOURCEURL), 58 (GDELT 1.0 daily files), 61 (GDELT 2.0,
which adds an ADM2Code to each of the three geography blocks). Any other count rejects
the row.

Mapping rules (codebook):

- Kept by default: material-conflict events only, CAMEO ``EventRootCode`` 18 (assault),
  19 (fight), 20 (unconventional mass violence). Other rows are skipped (counted in one
  warning); ``all_cameo=True`` keeps every root.
- ``event_id`` = ``gdelt:`` + ``GLOBALEVENTID``.
- ``event_date`` = ``SQLDATE``, ``date_precision`` 1. GDELT dates are when the event
  was reported in the news (mention-based), not an independently established event day.
- ``event_type``/``sub_event_type`` from ``EventCode``: 1831 (suicide bombing) →
  Explosions/Remote violence · Suicide bomb; the rest of 183 (car, roadside or other
  non-military bombing, or not said which) → Explosions/Remote violence · Remote
  explosive/landmine/IED, ACLED's type for a bomb that is not a suicide attack; other 18x →
  Violence against civilians · Attack; 194 (artillery and tanks) → Explosions/Remote
  violence · Shelling/artillery/missile attack; 195 (aerial weapons, and GDELT's 1951
  precision-guided and 1952 remotely piloted munitions) → Explosions/Remote violence ·
  Air/drone strike; 191 (impose a blockade, restrict movement) and 192 (occupy territory) →
  Strategic developments · Other, as neither says there was fighting; other 19x → Battles ·
  Armed clash; 20x →
  Violence against civilians · Attack (mass violence). With ``all_cameo``: 145x
  (violent protest) → Riots · Violent demonstration; other 14x → Protests · Peaceful
  protest; everything else → Strategic developments · Other. The CAMEO code and its
  official label (``cameo_eventcodes.csv``) are kept in ``notes``.
- actors: ``Actor1Name`` → actor1 (else ``Actor1Code``, else "Unidentified actor"),
  ``Actor2Name`` → actor2 (else ``Actor2Code``). Machine-coded: the order is GDELT's
  source/target guess.
- place: ``ActionGeo_*``. ``ActionGeo_CountryCode`` (FIPS 10-4) → country name through
  ``fips_countries.csv`` (names as ACLED writes them; an unknown code rejects the row);
  ``ActionGeo_FullName`` → location (its first part) and admin1 (its second-to-last part,
  for a city); ``ActionGeo_Lat``/``ActionGeo_Long`` → latitude/longitude; a row
  without them (``ActionGeo_Type`` 0) is rejected with the reason, and so is a row whose
  ``ActionGeo_Type`` is not 1–5 (its precision is unknown), and a row placed only at
  country level (``ActionGeo_Type`` 1): its point is the country's centroid, not a place
  where anything happened (UCDP's country-level rows are refused for the same reason).
- ``geo_precision`` from ``ActionGeo_Type``: 3 and 4 (city or landmark) → 2, since GDELT
  geocodes from text and is rarely exact; 2 (US state) and 5 (world state) → 3.
- ``fatalities``, ``injuries`` empty (GDELT counts none). ``source_url`` = ``SOURCEURL``;
  ``source`` = the URL's host (empty in 57-field rows, which have no URL).
- ``notes``: a generated sentence: "GDELT CAMEO 190 (Use conventional military force,
  not specified below): ACTOR1 → ACTOR2. Machine-coded from news; date is the report
  date."
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from lib.importers.common import ImportFailed, add_row_problems, blank_controls, canonical_frame, parse_dates
from lib.schema import Problem, Report

HERE = Path(__file__).resolve().parent
_BASE = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(f"Actor1{f}" for f in ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
                             "Religion2Code", "Type1Code", "Type2Code", "Type3Code")),
    *(f"Actor2{f}" for f in ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
                             "Religion2Code", "Type1Code", "Type2Code", "Type3Code")),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions",
    "NumSources", "NumArticles", "AvgTone",
]  # fmt: skip
_GEO1 = ("Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID")
_GEO2 = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
_V1 = _BASE + [f"{block}_{f}" for block in ("Actor1Geo", "Actor2Geo", "ActionGeo") for f in _GEO1] + ["DATEADDED"]
LAYOUTS: dict[int, list[str]] = {
    57: _V1,
    58: _V1 + ["SOURCEURL"],
    61: _BASE
    + [f"{b}_{f}" for b in ("Actor1Geo", "Actor2Geo", "ActionGeo") for f in _GEO2]
    + ["DATEADDED", "SOURCEURL"],
}
MATERIAL_CONFLICT = ("18", "19", "20")
# ActionGeo_Type → geo_precision: city/landmark → 2 (geocoded from text), state → 3; a country
# (1) is refused: its point is the country's centroid.
GEO_PRECISION = {"2": "3", "3": "2", "4": "2", "5": "3"}
COUNTRY_LEVEL = "1"


@cache
def cameo_labels() -> dict[str, str]:
    """CAMEO event code → official label, from the shipped ``cameo_eventcodes.csv``."""
    with open(HERE / "cameo_eventcodes.csv", encoding="utf-8", newline="") as fh:
        return {row["cameo_code"]: row["label"] for row in csv.DictReader(fh)}


@cache
def fips_countries() -> dict[str, str]:
    """FIPS 10-4 country code → country name, from the shipped ``fips_countries.csv``."""
    with open(HERE / "fips_countries.csv", encoding="utf-8", newline="") as fh:
        return {row["fips"]: row["country"] for row in csv.DictReader(fh)}


def looks_like(line: str) -> bool:
    """True for a first line that is a GDELT event row."""
    fields = line.rstrip("\r\n").split("\t")
    return len(fields) in LAYOUTS and fields[0].isdigit() and len(fields[1]) == 8 and fields[1].isdigit()


def event_types(codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(event_type, sub_event_type) for a column of CAMEO event codes (see the module docstring)."""
    root = codes.str.slice(0, 2)
    base = codes.str.slice(0, 3)
    conditions = [
        codes == "1831",
        base == "183",
        root == "18",
        base == "194",
        base == "195",
        base.isin(["191", "192"]),
        root == "19",
        root == "20",
        base == "145",
        root == "14",
    ]
    types = [
        ("Explosions/Remote violence", "Suicide bomb"),
        ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
        ("Violence against civilians", "Attack"),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ("Explosions/Remote violence", "Air/drone strike"),
        ("Strategic developments", "Other"),  # a blockade or an occupation: no fighting is said
        ("Battles", "Armed clash"),
        ("Violence against civilians", "Attack"),
        ("Riots", "Violent demonstration"),
        ("Protests", "Peaceful protest"),
    ]
    masks = [c.to_numpy(dtype=bool, na_value=False) for c in conditions]
    event_type = np.select(masks, [t for t, _ in types], default="Strategic developments")
    sub_type = np.select(masks, [s for _, s in types], default="Other")
    return pd.Series(event_type, index=codes.index, dtype="str"), pd.Series(sub_type, index=codes.index, dtype="str")


def _split_rows(data: bytes, report: Report) -> tuple[pd.DataFrame, np.ndarray]:
    """All rows in the 61-field naming (missing fields empty), with their line numbers."""
    report.header_rows = 0  # no header: a row's number is its line's
    # GDELT ends its rows with "\n" only; str.splitlines would also break a row at a U+0085 or
    # U+2028 inside a name, and number every later row wrong
    lines = [line.removesuffix("\r") for line in blank_controls(data).decode("utf-8").split("\n")]
    by_layout: dict[int, tuple[list[list[str]], list[int]]] = {n: ([], []) for n in LAYOUTS}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        target = by_layout.get(len(fields))
        if target is None:
            report.add(
                Problem(
                    f"has {len(fields)} tab-separated fields; GDELT event rows have 57 or 58 (GDELT 1.0) "
                    "or 61 (GDELT 2.0)",
                    row=number,
                )
            )
            continue
        target[0].append(fields)
        target[1].append(number)
    report.rows_read = sum(len(v[1]) for v in by_layout.values()) + len(report.rejected_rows)
    frames, numbers = [], []
    for width, (records, rows) in by_layout.items():
        if records:
            frames.append(pd.DataFrame(records, columns=LAYOUTS[width], dtype="str"))
            numbers.extend(rows)
    if not frames:
        raise ImportFailed("no row has the 57, 58 or 61 tab-separated fields of a GDELT event file.")
    frame = pd.concat(frames, ignore_index=True)
    for name in LAYOUTS[61]:
        if name not in frame.columns:
            frame[name] = ""
    frame = frame[LAYOUTS[61]].astype("str").fillna("")
    order = np.argsort(numbers, kind="stable")
    return frame.iloc[order].reset_index(drop=True), np.asarray(numbers)[order]


def to_canonical(data: bytes, report: Report, dataset: str, all_cameo: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    """Canonical (not yet validated) rows of a GDELT events file and their line numbers."""
    frame, rows = _split_rows(data, report)
    frame = frame.apply(lambda s: s.str.strip())
    keep = np.ones(len(frame), dtype=bool)
    root = frame["EventRootCode"].str.zfill(2)
    if not all_cameo:
        conflict = root.isin(MATERIAL_CONFLICT).to_numpy()
        skipped = int((~conflict).sum())
        if skipped:
            report.add(
                Problem(
                    f"{skipped} of {len(frame)} events are not material conflict (CAMEO roots 18, 19, 20) and were "
                    "skipped; to keep them, import with every CAMEO code (the Data page's 'Keep every CAMEO code', or "
                    "the command line's --all-cameo)",
                    fatal=False,
                )
            )
        keep &= conflict

    lat, lon = frame["ActionGeo_Lat"], frame["ActionGeo_Long"]
    no_geo = ((lat == "") | (lon == "")).to_numpy() & keep
    add_row_problems(
        report,
        no_geo,
        rows,
        "ActionGeo_Lat",
        "has no ActionGeo coordinates: GDELT could not place the event at the place shown (ActionGeo_FullName), so "
        "it cannot go on the map and is not imported",
        frame["ActionGeo_FullName"],
        by_rule=True,
    )
    keep &= ~no_geo

    countries = fips_countries()
    code = frame["ActionGeo_CountryCode"]
    country = code.map(countries)
    unknown = country.isna().to_numpy() & keep
    add_row_problems(
        report,
        unknown,
        rows,
        "ActionGeo_CountryCode",
        "is not a FIPS 10-4 country code Sitrep knows; add it to lib/importers/fips_countries.csv",
        code,
    )
    keep &= ~unknown

    geo_type = frame["ActionGeo_Type"]
    country_level = (geo_type == COUNTRY_LEVEL).to_numpy() & keep
    add_row_problems(
        report,
        country_level,
        rows,
        "ActionGeo_Type",
        "GDELT places this event only at country level (type 1), so its point is the country's centroid, not "
        "where it happened; it has no mappable location and is not imported",
        geo_type,
        by_rule=True,
    )
    keep &= ~country_level
    geo_precision = geo_type.map(GEO_PRECISION)
    untyped = geo_precision.isna().to_numpy() & keep
    add_row_problems(
        report,
        untyped,
        rows,
        "ActionGeo_Type",
        "is not a GDELT geography type 1–5, so how precise the coordinates are is unknown (the row's fields may "
        "be shifted); not imported",
        geo_type,
    )
    keep &= ~untyped
    geo_precision = geo_precision.fillna("")

    dates = parse_dates(frame["SQLDATE"], rows, report, "SQLDATE")
    keep &= ~dates.bad
    event_code = frame["EventCode"]
    event_type, sub_event_type = event_types(event_code)
    labels = cameo_labels()
    label = event_code.map(labels).fillna("label unknown")

    actor1 = frame["Actor1Name"].where(frame["Actor1Name"] != "", frame["Actor1Code"])
    actor1 = actor1.where(actor1 != "", "Unidentified actor")
    actor2 = frame["Actor2Name"].where(frame["Actor2Name"] != "", frame["Actor2Code"])
    notes = (
        "GDELT CAMEO " + event_code + " (" + label + "): " + actor1 + (" → " + actor2).where(actor2 != "", "")
        + ". Machine-coded from news; the date is the report date."
    )  # fmt: skip
    parts = frame["ActionGeo_FullName"].str.split(", ")
    location = parts.str[0].fillna("")
    is_city = geo_type.isin(["3", "4"])
    admin1 = parts.map(lambda p: p[-2] if isinstance(p, list) and len(p) >= 3 else "").astype("str")
    admin1 = admin1.where(is_city, location.where(geo_type.isin(["2", "5"]), ""))
    url = frame["SOURCEURL"]
    host = url.str.extract(r"^[a-zA-Z][a-zA-Z0-9+.-]*://(?:www\.)?([^/:?#]+)")[0].fillna("")
    columns = {
        "event_id": ("gdelt:" + frame["GLOBALEVENTID"]).where(frame["GLOBALEVENTID"] != "", ""),
        "event_date": dates.values,
        "date_precision": "1",
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor1": actor1,
        "actor2": actor2,
        "country": country.fillna(""),
        "admin1": admin1,
        "location": location,
        "latitude": lat,
        "longitude": lon,
        "geo_precision": geo_precision,
        "source": host,
        "source_url": url,
        "notes": notes,
        "dataset": dataset,
    }
    return canonical_frame(columns, keep, rows)
