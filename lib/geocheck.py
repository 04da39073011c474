"""Coordinates against the country a row names: a cheap test for swapped or mistyped points.

An import keeps a row whose latitude and longitude are valid numbers but swapped (Syria's
35.0, 38.0 read as 38.0, 35.0 is in Turkey) or carry a lost minus sign, and the map then
draws it in the wrong country with nothing to say so. This test finds the gross cases: a
point more than ``MARGIN`` degrees (about 50 km) outside every part of the named country's
extent, each part's bounding box taken from the borders the map draws (data/basemap,
Natural Earth 1:50m). Boxes, not the outlines: a point just across a border, or in a
neighbour's corner of the box, passes, so the test never flags an event for the precision
of the borders. It warns and keeps the row; it does not move a point.

Country names are matched after folding case, accents and punctuation, through the aliases
below (ACLED's, UCDP's and GDELT's spellings). A name it does not know is not checked.
Disputed or de facto areas that a dataset codes under another country (Gaza under Israel in
UCDP, Somaliland under Somalia in ACLED, Western Sahara under Morocco) count as inside it.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

BORDERS = Path(__file__).resolve().parent.parent / "data" / "basemap" / "countries.geojson"
MARGIN = 0.5  # degrees beyond a part's bounding box; about 50 km

# Other spellings (folded by ``fold``) -> Natural Earth's name in data/basemap.
ALIASES = {
    "antigua and barbuda": "Antigua and Barb.",
    "bosnia and herzegovina": "Bosnia and Herz.",
    "bosnia herzegovina": "Bosnia and Herz.",
    "burma": "Myanmar",
    "cape verde": "Cabo Verde",
    "car": "Central African Rep.",
    "central african republic": "Central African Rep.",
    "congo brazzaville": "Congo",
    "republic of congo": "Congo",
    "republic of the congo": "Congo",
    "congo kinshasa": "Dem. Rep. Congo",
    "democratic republic of congo": "Dem. Rep. Congo",
    "democratic republic of the congo": "Dem. Rep. Congo",
    "dr congo": "Dem. Rep. Congo",
    "drc": "Dem. Rep. Congo",
    "zaire": "Dem. Rep. Congo",
    "cote d ivoire": "Côte d'Ivoire",
    "ivory coast": "Côte d'Ivoire",
    "czech republic": "Czechia",
    "dominican republic": "Dominican Rep.",
    "east timor": "Timor-Leste",
    "equatorial guinea": "Eq. Guinea",
    "eswatini": "eSwatini",
    "kingdom of eswatini": "eSwatini",  # UCDP's "Kingdom of eSwatini (Swaziland)"
    "swaziland": "eSwatini",
    "falkland islands": "Falkland Is.",
    "faroe islands": "Faeroe Is.",
    "gaza strip": "Palestine",
    "west bank": "Palestine",
    "palestinian territories": "Palestine",
    "palestinian territory": "Palestine",
    "occupied palestinian territory": "Palestine",
    "holy see": "Vatican",
    "vatican city": "Vatican",
    "iran islamic republic of": "Iran",
    "korea republic of": "South Korea",
    "republic of korea": "South Korea",
    "korea democratic people s republic of": "North Korea",
    "democratic people s republic of korea": "North Korea",
    "lao pdr": "Laos",
    "lao people s democratic republic": "Laos",
    "macau": "Macao",
    "north macedonia": "Macedonia",
    "macedonia fyr": "Macedonia",  # UCDP's "Macedonia, FYR"
    "fyr macedonia": "Macedonia",
    "former yugoslav republic of macedonia": "Macedonia",
    "the former yugoslav republic of macedonia": "Macedonia",
    "republic of macedonia": "Macedonia",
    "northern cyprus": "N. Cyprus",
    "russian federation": "Russia",
    "soviet union": "Russia",
    "sao tome and principe": "São Tomé and Principe",
    "solomon islands": "Solomon Is.",
    "south sudan": "S. Sudan",
    "syrian arab republic": "Syria",
    "tanzania united republic of": "Tanzania",
    "united republic of tanzania": "Tanzania",
    "turkiye": "Turkey",
    "uk": "United Kingdom",
    "united states": "United States of America",
    "usa": "United States of America",
    "us": "United States of America",
    "viet nam": "Vietnam",
    "western sahara": "W. Sahara",
    "yemen north yemen": "Yemen",
    "north yemen": "Yemen",
    "south yemen": "Yemen",
    "yugoslavia": "Serbia",
    "kampuchea": "Cambodia",
    "rhodesia": "Zimbabwe",
    "malagasy": "Madagascar",
    "bahamas the": "Bahamas",
    "the bahamas": "Bahamas",
    "gambia the": "Gambia",
    "the gambia": "Gambia",
    "micronesia federated states of": "Micronesia",
    "federated states of micronesia": "Micronesia",
    "marshall islands": "Marshall Is.",
    "cayman islands": "Cayman Is.",
    "cook islands": "Cook Is.",
    "british virgin islands": "British Virgin Is.",
    "virgin islands british": "British Virgin Is.",
    "us virgin islands": "U.S. Virgin Is.",
    "northern mariana islands": "N. Mariana Is.",
    "turks and caicos islands": "Turks and Caicos Is.",
    "saint kitts and nevis": "St. Kitts and Nevis",
    "st kitts and nevis": "St. Kitts and Nevis",
    "saint vincent and the grenadines": "St. Vin. and Gren.",
    "st vincent and the grenadines": "St. Vin. and Gren.",
    "saint pierre and miquelon": "St. Pierre and Miquelon",
    "french polynesia": "Fr. Polynesia",
    "wallis and futuna": "Wallis and Futuna Is.",
    "south georgia and the south sandwich islands": "S. Geo. and the Is.",
    "pitcairn islands": "Pitcairn Is.",
    "heard island and mcdonald islands": "Heard I. and McDonald Is.",
    # overseas parts Natural Earth draws within their country, and GDELT's (FIPS) names
    "french guiana": "France",
    "guadeloupe": "France",
    "martinique": "France",
    "mayotte": "France",
    "reunion": "France",
    "svalbard and jan mayen": "Norway",
    "french southern territories": "Fr. S. Antarctic Lands",
    "british indian ocean territory": "Br. Indian Ocean Ter.",
    "christmas island": "Indian Ocean Ter.",
    "cocos islands": "Indian Ocean Ter.",
    "pitcairn": "Pitcairn Is.",
    "saint martin": "St-Martin",
    "saint barthelemy": "St-Barthélemy",
    "united states virgin islands": "U.S. Virgin Is.",
    "serbia and montenegro": "Serbia",
}

# Areas counted as inside a country besides its own parts: de facto or disputed territory that
# datasets code under it, and the states it was split from or into within the datasets' span.
ALSO_INSIDE = {
    "Israel": ("Palestine",),
    "Palestine": ("Israel",),
    "Somalia": ("Somaliland",),
    "Somaliland": ("Somalia",),
    "Cyprus": ("N. Cyprus",),
    "N. Cyprus": ("Cyprus",),
    "Serbia": ("Kosovo", "Montenegro"),
    "Kosovo": ("Serbia",),
    "Morocco": ("W. Sahara",),
    "W. Sahara": ("Morocco",),
    "Sudan": ("S. Sudan",),
    "S. Sudan": ("Sudan",),
    "Ethiopia": ("Eritrea",),
    "India": ("Pakistan", "China", "Siachen Glacier"),
    "Pakistan": ("India", "Siachen Glacier"),
    "China": ("India", "Taiwan", "Hong Kong", "Macao"),
    "Russia": ("Ukraine", "Georgia"),
    "Ukraine": ("Russia",),
    "Georgia": ("Russia",),
}


# Outlines the 1:50m borders lack: Antarctica's mainland ring in world-atlas 2.0.2 is a sliver
# along the pole, so its interior is given as a box (everything south of 60° S).
EXTRA_BOXES = {"Antarctica": [[-180.0, -90.0, 180.0, -60.0]]}


def fold(name: object) -> str:
    """A country name folded for matching: no accents, case, brackets or punctuation."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = re.sub(r"\(([^)]*)\)", r" \1 ", text.casefold().replace("&", " and "))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@functools.cache
def _parts() -> dict[str, np.ndarray]:
    """Natural Earth name -> its parts' bounding boxes, rows of [west, south, east, north]."""
    features = json.loads(BORDERS.read_text(encoding="utf-8"))["features"]
    out: dict[str, np.ndarray] = {}
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        boxes = []
        for polygon in polygons:
            ring = np.asarray(polygon[0], dtype="float64")
            boxes.append([ring[:, 0].min(), ring[:, 1].min(), ring[:, 0].max(), ring[:, 1].max()])
        out[feature["properties"]["name"]] = np.asarray(boxes)
    return out


@functools.cache
def _names() -> dict[str, str]:
    """Folded name or alias -> Natural Earth name."""
    names = {fold(name): name for name in _parts()}
    for alias, name in ALIASES.items():
        names.setdefault(alias, name)
    return names


def known(country: object) -> str | None:
    """Natural Earth's name for a country as a dataset spells it, or None if not known. UCDP's
    "Yemen (North Yemen)" and "DR Congo (Zaire)" are known by either name."""
    names = _names()
    folded = fold(country)
    if folded in names:
        return names[folded]
    outer = fold(re.sub(r"\([^)]*\)", " ", str(country)))
    return names.get(outer)


@functools.cache
def boxes(country: str) -> np.ndarray:
    """Every box a point may lie in (with the margin) for the Natural Earth country named."""
    parts = _parts()
    chosen = [parts[country]] + [parts[other] for other in ALSO_INSIDE.get(country, ()) if other in parts]
    if country in EXTRA_BOXES:
        chosen.append(np.asarray(EXTRA_BOXES[country], dtype="float64"))
    grown = np.concatenate(chosen) + np.array([-MARGIN, -MARGIN, MARGIN, MARGIN])
    return grown


def _inside(lat: np.ndarray, lon: np.ndarray, box: np.ndarray) -> np.ndarray:
    found = np.zeros(len(lat), dtype=bool)
    for west, south, east, north in box:
        found |= (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
        # an outline across the antimeridian runs past 180 (data/basemap): -179.9 is 180.1 there
        if east > 180:
            found |= (lat >= south) & (lat <= north) & (lon + 360 >= west) & (lon + 360 <= east)
        if west < -180:
            found |= (lat >= south) & (lat <= north) & (lon - 360 >= west) & (lon - 360 <= east)
    return found


def outside(lat: np.ndarray, lon: np.ndarray, country: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose point lies outside the named country (beyond the margin), and of those, the
    rows whose point read the other way round (latitude as longitude) lies inside it.

    Rows naming a country not known here are never flagged.
    """
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    far = np.zeros(len(lat), dtype=bool)
    swapped = np.zeros(len(lat), dtype=bool)
    codes, names = pd.factorize(country, use_na_sentinel=True)
    for code, name in enumerate(names):
        ne_name = known(name)
        if ne_name is None:
            continue
        rows = np.flatnonzero(codes == code)
        box = boxes(ne_name)
        out = ~_inside(lat[rows], lon[rows], box)
        if not out.any():
            continue
        rows = rows[out]
        far[rows] = True
        swapped[rows] = _inside(lon[rows], lat[rows], box)
    return far, swapped


def spelling_notes(country: pd.Series, rows: np.ndarray | None = None, limit: int = 10) -> list[tuple[str, int | None]]:
    """Warnings on a file's country names, each with the first row it is about (or None): names
    not known here (their points go unchecked, and a code such as "IRQ" is a country the filters
    list apart), with their first rows and the known name nearest, and one country spelt in
    several ways ("Iraq", "iraq"), which the Country filter lists as several countries.
    ``rows``: each value's row number in the file (default: its position + 1)."""
    numbers = np.asarray(rows if rows is not None else np.arange(1, len(country) + 1))
    codes, values = pd.factorize(country.astype("object").where(country.notna(), None), use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(values))
    notes: list[tuple[str, int | None]] = []
    unknown = [(str(name), int(n), code) for code, (name, n) in enumerate(zip(values, counts, strict=True))
               if str(name).strip() and known(name) is None]  # fmt: skip
    for name, n, code in sorted(unknown, key=lambda item: -item[1])[:limit]:
        where = np.sort(numbers[codes == code])
        named = ", ".join(str(r) for r in where[:3].tolist()) + (f" and {n - 3:,} more" if n > 3 else "")
        # the same first letter: "Narnia" is not near "Armenia", whose letters it shares
        near = difflib.get_close_matches(fold(name), [k for k in _names() if k[:1] == fold(name)[:1]], n=1, cutoff=0.75)
        hint = f" Did you mean {_names()[near[0]]!r}?" if near else ""
        notes.append(
            (
                f"country {name!r} (row{'s' if n != 1 else ''} {named}) is not a country name Sitrep knows (Natural "
                "Earth's, or ACLED's, UCDP's or GDELT's spelling), so its points were not checked against it. Kept "
                f"as given; if it is a code or another spelling of a country (IRQ for Iraq), write the country's "
                f"name.{hint}",
                int(where[0]),
            )
        )
    if len(unknown) > limit:
        notes.append((f"… and {len(unknown) - limit:,} more country names not known here", None))
    by_country: dict[str, list[str]] = {}
    for name in values:
        if known(name) is not None:
            by_country.setdefault(known(name), []).append(str(name))
    for spellings in by_country.values():
        if len(spellings) > 1:
            shown = ", ".join(repr(s) for s in sorted(spellings))
            notes.append(
                (f"{shown} name one country; the Country filter lists each spelling apart, so write one of them", None)
            )
    return notes
