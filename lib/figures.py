"""Figure builders: a small frame in, a ``plotly.graph_objects.Figure`` out.

Pure functions — no Streamlit, no data access — so tests assert on ``fig.data``. Maps use
lean ``go.Scattermap`` traces (float32 coordinates, the row's numeric key as
``customdata``) on a blank style, with a tile layer below the points only when a tile
server was found (lib.basemap): without tiles the points, hover and click work on a plain
background.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib.basemap import ATTRIBUTION as TILE_ATTRIBUTION
from lib.filters import day_text, wrap_longitude

# Every Plotly chart's config: no logo, and no "Share chart" button, which would upload the
# figure, rows included, to Plotly's cloud.
PLOTLY_CONFIG = {"displaylogo": False, "showSendToCloud": False}

# Stable colours for ACLED's (sub-)event types; other types take the fallback palette in order.
# Each is at least 3:1 on white (WCAG 1.4.11, a graphic): Plotly's orange was 2.5:1 and its pink
# 2.7:1. Red and brown, hard to tell apart without red vision, are no longer neighbours.
TYPE_COLOURS = {
    "Air/drone strike": "#b2182b",
    "Shelling/artillery/missile attack": "#d95f02",
    "Remote explosive/landmine/IED": "#7b3294",
    "Suicide bomb": "#c51b7d",
    "Violent demonstration": "#2166ac",
    "Armed clash": "#4d9221",
    "Attack": "#8c6d31",
}
FALLBACK_COLOURS = ["#00798c", "#7a7a00", "#7f7f7f", "#393b79", "#637939", "#1b7837", "#843c39", "#7b4173"]
UNKNOWN_SIZE = 11
PRECISION_WORDS = {1: "exact place", 2: "near the place", 3: "area centroid"}
# After a hover's date when the day is not known: the date is the span's first day
DATE_WORDS = {2: " (within a week)", 3: " (within a month)"}


def colour_for(types: list[str]) -> dict[str, str]:
    """A colour per type: known ACLED types fixed, the rest from the fallback palette in sorted order."""
    out: dict[str, str] = {}
    extra = 0
    for t in sorted(types, key=str):
        if t in TYPE_COLOURS:
            out[t] = TYPE_COLOURS[t]
        else:
            out[t] = FALLBACK_COLOURS[extra % len(FALLBACK_COLOURS)]
            extra += 1
    return out


def safe(text: object) -> str:
    """Data text made inert for Plotly's hover labels (which read a few HTML tags)."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or text is pd.NA:
        return ""
    return html.escape(str(text), quote=False)


def marker_size(fatalities: pd.Series, injuries: pd.Series) -> np.ndarray:
    """Area-true marker sizes (px) from known casualties: 8 px for none, growing with the square root."""
    total = fatalities.astype("Float64").fillna(0) + injuries.astype("Float64").fillna(0)
    return (8 + 4 * np.sqrt(total.to_numpy(dtype="float64", na_value=0))).clip(8, 40)


# Country outlines (borders and coasts) under the points when there are no tiles. Named so
# that lib/mapchart.js can find the layer and draw it from a MapLibre source of its own. No
# land fill: triangulating it cost 0.05-0.1 s on each redraw that zooms (bench_browser).
BORDER_LAYER = {
    "name": "sitrep-borders",
    "sourcetype": "geojson",
    "type": "line",
    "below": "traces",
    "color": "#8c887e",
    "line": {"width": 0.8},
}


def _background(tiles: str | None, borders: str | None) -> list[dict]:
    """The map's layers under the points: the tiles if any, else the country outlines if served."""
    if tiles:
        return [{"sourcetype": "raster", "source": [tiles], "below": "traces", "sourceattribution": TILE_ATTRIBUTION}]
    if borders:
        return [{**BORDER_LAYER, "source": borders}]
    return []


def add_outline(fig: go.Figure, box: tuple[float, float, float, float]) -> None:
    """Outline the map's selection, ``box`` = (west, south, east, north) (a box drawn on the map or a
    cell clicked), so the view shows what it is narrowed to. A layer, not a trace: it takes no
    click, hover or place in the key."""
    west, south, east, north = (float(v) for v in box)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    layer = {
        "name": "sitrep-selection",
        "sourcetype": "geojson",
        "source": {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": ring}},
        "type": "line",
        "color": "#111111",
        "line": {"width": 1.5, "dash": [3, 2]},
    }
    fig.update_layout(map_layers=[*(fig.layout.map.layers or ()), layer])


def camera(bounds: list[float]) -> dict:
    """The map's centre and zoom for [west, south, east, north]: the zoom at which the extent
    fills most of a ~900 × 560 px map (the height is the tighter side). lib/mapchart.js frames
    ``meta.bounds`` on the map's real size instead."""
    west, south, east, north = bounds
    span = max((north - south) * 1.6, east - west, 1e-6)
    zoom = float(np.clip(math.log2(360 / span) + 0.2, 1, 11))
    # an extent across the antimeridian runs past 180 (frame_bounds): its middle, back within ±180
    middle = wrap_longitude((west + east) / 2)
    return {"center": {"lat": (south + north) / 2, "lon": middle}, "zoom": zoom}


def frame_box(fig: go.Figure, box: tuple[float, float, float, float], margin: float = 0.1) -> None:
    """Frame the map on ``box`` (west, south, east, north), a cell clicked or a box drawn, with
    ``margin`` of its size around it: the view is narrowed to it, and the events' own framing
    (at least MIN_FRAME_DEGREES) showed a 0.5° cell as a small square in the middle."""
    west, south, east, north = (float(v) for v in box)
    dx, dy = (east - west) * margin, (north - south) * margin
    bounds = [west - dx, max(south - dy, -85.0), east + dx, min(north + dy, 85.0)]
    fig.update_layout(meta={**(fig.layout.meta or {}), "bounds": bounds}, map=camera(bounds))


def frame_extent(fig: go.Figure, lat: list[float], lon: list[float]) -> None:
    """Frame the map on these places (a view with no event: on its whole dataset)."""
    bounds = frame_bounds(pd.Series(lat, dtype="float64"), pd.Series(lon, dtype="float64"))
    fig.update_layout(meta={**(fig.layout.meta or {}), "bounds": bounds}, map=camera(bounds))


MIN_FRAME_DEGREES = 2.0  # a lone event or a tight cluster is framed with ~200 km around it, for context


def frame_bounds(lat: pd.Series, lon: pd.Series) -> list[float]:
    """[west, south, east, north] to frame: the events' extent, at least MIN_FRAME_DEGREES wide and
    high. Events on both sides of the antimeridian are framed across it when that is the shorter
    way round, with ``east`` past 180."""
    if len(lat):
        lat0, lat1, lon0, lon1 = float(lat.min()), float(lat.max()), float(lon.min()), float(lon.max())
        if lon1 - lon0 > 180:  # perhaps across the antimeridian (Fiji at 179.9 and -179.9): the shorter way
            east = lon.where(lon >= 0, lon + 360)
            if float(east.max()) - float(east.min()) < lon1 - lon0:
                lon0, lon1 = float(east.min()), float(east.max())  # east may run past 180
    else:
        lat0, lat1, lon0, lon1 = 29.0, 37.5, 35.0, 48.0  # the region of the shipped data
    grow_lon = max(0.0, MIN_FRAME_DEGREES - (lon1 - lon0)) / 2
    grow_lat = max(0.0, MIN_FRAME_DEGREES - (lat1 - lat0)) / 2
    return [lon0 - grow_lon, max(lat0 - grow_lat, -85.0), lon1 + grow_lon, min(lat1 + grow_lat, 85.0)]


def _map_layout(
    fig: go.Figure, lat: pd.Series, lon: pd.Series, uirevision: str, tiles: str | None, borders: str | None
) -> None:
    bounds = frame_bounds(lat, lon)
    fig.update_layout(
        meta={"bounds": bounds},
        map={"style": "white-bg", **camera(bounds), "layers": _background(tiles, borders)},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=600,
        modebar=MODEBAR,
        # below the map, so the legend never hides a point
        # A key, not a switch: a type hidden from the legend would be out of the URL, the count and
        # the shared link. Types are filtered in the sidebar.
        # Always shown, even for one type (Plotly shows it only from two legend traces). The map
        # component (the Map page and the upload preview) hides it and draws its own key with
        # rings (mapchart.js); the legend stays for a figure drawn anywhere else.
        showlegend=True,
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.01,
            "xanchor": "left",
            "x": 0,
            "itemclick": False,
            "itemdoubleclick": False,
        },
        uirevision=uirevision,
        clickmode="event+select",
        dragmode="pan",
    )


def short(text: object, width: int = 32) -> str:
    """Escaped text cut to ``width`` characters (hover labels travel once per point)."""
    value = safe(text)
    # not cut inside an escape ("&am…" would show as it is)
    return value if len(value) <= width else re.sub(r"&[a-z]*$", "", value[: width - 1]) + "…"


HOVER_WIDTHS = (80, 32, 24, 18, 14, 11, 8)
BYTES_PER_POINT = 40  # coordinates, key and size as base64 float32/int32, with JSON punctuation
FIXED_HOVER = 48  # date, arrows, casualties and precision words of one hover label
MIN_BYTES_PER_POINT = BYTES_PER_POINT + FIXED_HOVER + 2 * 8  # with actor names cut to the shortest width


def stack_text(n: int) -> str:
    """The hover line of an event that shares its coordinates with ``n - 1`` others on the map."""
    return f"<br>{n} events in view at this spot, sized for all of them: the details list them"


def actor_width(points: pd.DataFrame, max_bytes: int, extra: int = 0) -> int:
    """The widest actor-name cut at which the map's JSON stays within ``max_bytes``, with
    ``extra`` bytes of hover text besides (the stacked-events lines)."""
    n = len(points)
    if n == 0:
        return HOVER_WIDTHS[0]
    budget = max_bytes - n * (BYTES_PER_POINT + FIXED_HOVER) - extra
    lengths = [points[c].fillna("").astype(str).str.len().to_numpy() for c in ("actor1", "actor2")]
    for width in HOVER_WIDTHS:
        if sum(int(np.minimum(length, width).sum()) for length in lengths) <= budget:
            return width
    return HOVER_WIDTHS[-1]


def casualty_text(fatalities, injuries) -> str:
    """ "3 killed, 2 injured"; an unknown number killed is "killed unknown" (as the key says); unknown injuries are left
    out (ACLED records none, and "injured ?" stood on every ACLED event)."""
    killed = "killed unknown" if pd.isna(fatalities) else f"{int(fatalities)} killed"
    return killed if pd.isna(injuries) else f"{killed}, {int(injuries)} injured"


def actor_link(directed: bool) -> str:
    """Between actor 1 and actor 2: an arrow where the order is a direction, else a dash
    (ACLED's and UCDP's orders are none; see lib.store.UNDIRECTED_FORMATS)."""
    return " → " if directed else " – "


def make_event_map(
    points: pd.DataFrame,
    selected_rowkey: int | None = None,
    uirevision: str = "map",
    max_bytes: int = 900_000,
    tiles: str | None = None,
    borders: str | None = None,
    directed: bool = True,
) -> go.Figure:
    """Events as points, one trace per type; events whose number killed is unknown drawn as rings.

    ``points`` has rowkey, lat, lon, type, event_date, date_precision (optional), fatalities,
    injuries, actor1, actor2, location, geo_precision (as ``queries.map_points`` returns); a
    date known only to a week or a month says so after it in the hover. Known casualties
    size the marker (area ∝ killed + injured); events whose fatalities are unknown are a
    fixed-size ring, never a zero-sized dot, named "(killed unknown)": their injuries may be
    known (3 injured at Erbil, 25 Dec 2023), so not "casualties unknown". ``customdata`` is the rowkey (int32). The
    hover is short — date, actors, casualties and place precision, the type being the
    trace's name — because it is sent once per point: actor names are cut so that the
    figure's JSON stays within ``max_bytes``. Details come on click.
    """
    traces = []  # dicts, validated once by go.Figure at the end (a go.Scattermap each is validated twice)
    colours = colour_for(points["type"].dropna().unique().tolist()) if len(points) else {}
    # Events at the very same coordinates draw as one dot, and a click reaches only the top one:
    # the hover says how many share the spot, and the details list them (views.event_card).
    here = (
        points.groupby(["lat", "lon"], sort=False)["rowkey"].transform("size").to_numpy()
        if len(points)
        else np.zeros(0, dtype="int64")
    )
    # the dark outlines under shared spots first, then the hover's line saying how many share
    # each, when the byte budget has room for them (the details list them all the same)
    spots = len(points[here > 1].drop_duplicates(["lat", "lon"])) if (here > 1).any() else 0
    outlines = spots * BYTES_PER_POINT
    if len(points) * MIN_BYTES_PER_POINT + outlines > max_bytes:
        spots, outlines = 0, 0
    stacked = {n: stack_text(n) for n in np.unique(here[here > 1]).tolist()}
    extra = sum(len(stacked[n]) for n in here[here > 1].tolist())
    if len(points) * MIN_BYTES_PER_POINT + outlines + extra > max_bytes:
        stacked, extra = {}, 0  # no room within the byte budget: the details still list them
    extra += outlines
    # a date known to a week or a month says so, when the byte budget has room for it (every
    # point may need it); else the details still say it
    dated = points["date_precision"] if "date_precision" in points else pd.Series(1, index=points.index)
    dated = dated.fillna(1).astype(int)
    date_words = DATE_WORDS
    dates_extra = int(sum(len(DATE_WORDS[k]) * int(n) for k, n in dated.value_counts().items() if k in DATE_WORDS))
    if len(points) * MIN_BYTES_PER_POINT + extra + dates_extra > max_bytes:
        date_words, dates_extra = {}, 0
    extra += dates_extra
    width = actor_width(points, max_bytes, extra)
    points = points.assign(_dated=dated)
    points = points.assign(_here=here)
    if len(points) and (here > 1).any():  # the known casualties of every event at each spot
        spot = points.groupby(["lat", "lon"], sort=False)[["fatalities", "injuries"]].transform("sum")
        points = points.assign(_spot_killed=spot["fatalities"], _spot_injured=spot["injuries"])
    else:
        points = points.assign(_spot_killed=points["fatalities"], _spot_injured=points["injuries"])
    arrow = actor_link(directed)
    if spots:
        traces.append(_stack_outlines(points, here))
    for event_type, group in points.groupby("type", sort=True):
        colour = colours[event_type]
        unknown = group["fatalities"].isna()
        hover = np.array(
            [
                f"{pd.Timestamp(d):%Y-%m-%d}{date_words.get(k, '')}"
                + f" · {short(a1, width)}{arrow}{short(a2, width) or '?'}"
                # nothing when nothing is known (the trace's name says "killed unknown"), else
                # what is: "killed unknown, 4 injured" kept the injured out of sight
                + ("" if pd.isna(f) and pd.isna(i) else f"<br>{casualty_text(f, i)}")
                + ("" if int(p) == 1 else f" · {PRECISION_WORDS[int(p)]}")
                + stacked.get(n, "")
                for d, k, a1, a2, p, f, i, n in zip(
                    group["event_date"],
                    group["_dated"],
                    group["actor1"],
                    group["actor2"],
                    group["geo_precision"],
                    group["fatalities"],
                    group["injuries"],
                    group["_here"],
                    strict=True,
                )
            ],
            dtype=object,
        )
        for is_unknown in (False, True):
            mask = (unknown == is_unknown).to_numpy()
            part = group[mask]
            if part.empty:
                continue
            # the name shows in hovers, which read a few HTML tags; the key (mapchart.js) decodes it
            name = safe(f"{event_type} (killed unknown)" if is_unknown else event_type)
            if is_unknown:
                size = UNKNOWN_SIZE
            else:  # events at one spot draw as one dot: sized for all of them, not for the top one
                size = marker_size(part["_spot_killed"], part["_spot_injured"]).astype("float32")
            lat = part["lat"].to_numpy(dtype="float32")
            lon = part["lon"].to_numpy(dtype="float32")
            keys = part["rowkey"].to_numpy(dtype="int32")
            traces.append(
                {
                    "type": "scattermap",
                    "lat": lat,
                    "lon": lon,
                    "mode": "markers",
                    "marker": {"size": size, "color": colour, "opacity": 0.85},
                    "customdata": keys,
                    "hovertext": hover[mask].tolist(),  # a list: orjson < 3.9 leaked numpy str arrays
                    "hoverinfo": "text+name",
                    "hoverlabel": {"namelength": -1},  # the whole type, not Plotly's first 15 characters
                    "name": name,
                    "legendgroup": name,
                    "meta": "ring" if is_unknown else "dot",  # how the map's key (mapchart.js) draws it
                }
            )
            if is_unknown:  # the white centre that makes the ring; hovers like the ring itself
                traces.append(
                    {
                        "type": "scattermap",
                        "lat": lat,
                        "lon": lon,
                        "mode": "markers",
                        "marker": {"size": 5, "color": "white"},
                        "customdata": keys,
                        "hoverinfo": "skip",
                        "name": name,
                        "legendgroup": name,
                        "showlegend": False,
                    }
                )
    if selected_rowkey is not None and len(points):
        traces += _selected(points[points["rowkey"] == selected_rowkey], colours)
    if not traces:  # no event: still a map (with its borders), not Plotly's empty axes
        traces.append({"type": "scattermap", "lat": [], "lon": [], "hoverinfo": "skip", "showlegend": False})
    fig = go.Figure(data=traces)
    empty = pd.Series([], dtype="float32")
    _map_layout(
        fig,
        points["lat"] if len(points) else empty,
        points["lon"] if len(points) else empty,
        uirevision,
        tiles,
        borders,
    )
    return fig


STACK_COLOUR = "#222222"  # the outline under a spot that holds several events
STACK_EXTRA = 6  # px beyond the spot's largest marker: a 3 px outline
STACK_NAME = "Dark outline: several events at one spot (the details list them)"


def _stack_outlines(points: pd.DataFrame, here: np.ndarray) -> dict:
    """A dark disc under each spot holding several events, a little larger than its largest
    marker: the top dot's colour is one event's, and the outline says there are more (a user
    took Al Asad's 11 events for one). A click on it opens the event drawn on top, as a click on
    the dot does; the hover is the dot's."""
    stacked = points.assign(
        _size=np.where(
            points["fatalities"].isna(),
            UNKNOWN_SIZE,
            marker_size(points["_spot_killed"], points["_spot_injured"]),
        ),
        # drawn last, so on top: the last type in order, an unknown number killed (its ring) after
        # known ones, then the later row
        _order=np.arange(len(points)),
        _type_rank=points["type"].rank(method="dense").fillna(0).to_numpy(),
        _ring=points["fatalities"].isna().to_numpy(),
    )[here > 1]
    stacked = stacked.sort_values(["_type_rank", "_ring", "_order"])
    spots = stacked.groupby(["lat", "lon"], sort=False).agg(size=("_size", "max"), top=("rowkey", "last")).reset_index()
    return {
        "type": "scattermap",
        "lat": spots["lat"].to_numpy(dtype="float32"),
        "lon": spots["lon"].to_numpy(dtype="float32"),
        "mode": "markers",
        "marker": {"size": (spots["size"] + STACK_EXTRA).to_numpy(dtype="float32"), "color": STACK_COLOUR},
        "customdata": spots["top"].to_numpy(dtype="int32"),
        "hoverinfo": "skip",
        "name": STACK_NAME,
        "meta": "stack",  # the map's key draws it as an outlined dot (mapchart.js)
    }


SELECTED_RINGS = (("#111111", 16), ("#ffd400", 8))  # colour, px beyond the point: a black ring, then yellow


def _selected(chosen: pd.DataFrame, colours: dict[str, str]) -> list[dict]:
    """The selected event on top of every other point: a black ring around a yellow one, then
    the event drawn again as it is (its colour; a ring's white centre), so it shows in a cluster."""
    if chosen.empty:
        return []
    unknown = bool(chosen["fatalities"].isna().iloc[0])
    # as its dot is drawn: a spot's dot is sized for every event there (make_event_map)
    killed, injured = ("_spot_killed", "_spot_injured") if "_spot_killed" in chosen else ("fatalities", "injuries")
    size = UNKNOWN_SIZE if unknown else float(marker_size(chosen[killed], chosen[injured])[0])
    lat, lon = chosen["lat"].to_numpy(dtype="float32")[:1], chosen["lon"].to_numpy(dtype="float32")[:1]
    layers = [(colour, size + extra) for colour, extra in SELECTED_RINGS]
    layers.append((colours[chosen["type"].iloc[0]], size))
    if unknown:
        layers.append(("white", 5))
    return [
        {
            "type": "scattermap",
            "lat": lat,
            "lon": lon,
            "mode": "markers",
            "marker": {"size": float(s), "color": colour},
            "hoverinfo": "skip",
            "name": "selected event",
            "legendgroup": "selected event",
            # no legend row: the legend's height would change as the details open and close, and
            # the map (above it) would jump; the card names the event
            "showlegend": False,
        }
        for colour, s in layers
    ]


# A hover template cannot choose "event" or "events" by its number: counts follow their labels,
# so a cell of one reads "Events in this 0.02° cell: 1", not "1 events".
KNOWN_CELL_LINE = "killed: %{customdata[1]:,} (known figures) · events with no figure: %{customdata[2]:,}<br>"
UNKNOWN_CELL = "#767676"  # a cell whose every event has the number killed unknown: a grey ring (4.5:1 on white)


def make_cell_map(
    cells: pd.DataFrame,
    size: float,
    types: list[str],
    uirevision: str = "cells",
    tiles: str | None = None,
    borders: str | None = None,
) -> go.Figure:
    """Aggregated cells as one trace of markers at cell centres, sized by events, coloured by fatalities.

    ``cells`` as ``queries.map_cells`` returns it: lat, lon (centres), events, fatalities,
    unknown_fatalities and one count column per type in ``types`` (``n_0`` …) plus
    ``n_other``. Everything per cell travels as numbers in ``customdata``; the hover
    template holds the type names once, so the payload stays small at thousands of cells.
    """
    n = len(cells)
    events = cells["events"].to_numpy(dtype="float32") if n else np.zeros(0, dtype="float32")
    fatalities = (
        pd.to_numeric(cells["fatalities"], errors="coerce").fillna(0).to_numpy(dtype="float32") if n else events
    )
    sizes = (6 + 34 * np.sqrt(events / events.max())).astype("float32") if n else events
    columns = ["events", "fatalities", "unknown_fatalities"] + [f"n_{i}" for i in range(len(types))] + ["n_other"]
    custom = (
        np.column_stack([pd.to_numeric(cells[c], errors="coerce").fillna(0).to_numpy(dtype="float32") for c in columns])
        if n
        else np.zeros((0, len(columns)), dtype="float32")
    )
    lines = [f"{safe(t)}: %{{customdata[{3 + i}]:,}}" for i, t in enumerate(types)]
    lines.append(f"other types: %{{customdata[{3 + len(types)}]:,}}")
    tail = "<br>".join(lines) + "<br><i>click to narrow to this cell</i><extra></extra>"
    head = f"<b>Events in this {size:g}° cell: %{{customdata[0]:,}}</b><br>"
    lat = cells["lat"].to_numpy(dtype="float32") if n else events
    lon = cells["lon"].to_numpy(dtype="float32") if n else events
    # A cell none of whose events has a number killed is not a cell where nobody was killed:
    # drawn as a grey ring (as the points draw such events), not in the colour of 0.
    unknown = custom[:, 2] >= custom[:, 0] if n else np.zeros(0, dtype=bool)
    known = ~unknown
    fig = go.Figure(
        go.Scattermap(
            lat=lat[known],
            lon=lon[known],
            mode="markers",
            marker={
                "size": sizes[known],
                "color": fatalities[known],
                "colorscale": [[i / (len(CELL_SCALE) - 1), c] for i, c in enumerate(CELL_SCALE)],
                # cmin is ignored without cmax: one cell's bar read "162.2926k … 162.2934k"
                "cmin": 0,
                "cmax": float(max(fatalities[known].max(), 1)) if known.any() else 1.0,
                "showscale": True,
                # under the map's toolbar (top right) the bar's title was hidden: a shorter bar, at the bottom
                "colorbar": {"title": {"text": "killed"}, "thickness": 12, "len": 0.7, "y": 0, "yanchor": "bottom"},
                "opacity": CELL_OPACITY,
            },
            customdata=custom[known],
            hovertemplate=head + KNOWN_CELL_LINE + tail,
            name=f"{size:g}° cells",
        )
    )
    if unknown.any():
        ring = sizes[unknown]
        for part in (
            {"marker": {"size": ring, "color": UNKNOWN_CELL, "opacity": 0.9}, "name": "number killed unknown",
             "meta": "ring"},
            {"marker": {"size": np.maximum(ring - 6, 2).astype("float32"), "color": "white"},
             "name": "number killed unknown", "showlegend": False},
        ):  # fmt: skip
            fig.add_trace(
                go.Scattermap(
                    lat=lat[unknown],
                    lon=lon[unknown],
                    mode="markers",
                    customdata=custom[unknown],
                    hovertemplate=head + "number killed unknown for all of them<br>" + tail,
                    **part,
                )
            )
    empty = pd.Series([], dtype="float32")
    _map_layout(fig, cells["lat"] if n else empty, cells["lon"] if n else empty, uirevision, tiles, borders)
    return fig


DAY_MS = 86_400_000


def bin_label(start: object, bin_: str) -> str:
    """A time bin in words: "2 Feb 2024", "week of 29 Jan 2024", "Feb 2024", "2024"."""
    day = pd.Timestamp(start)
    if bin_ == "year":
        return f"{day:%Y}"
    if bin_ == "month":
        return f"{day:%b %Y}"
    text = day_text(day)
    return f"week of {text}" if bin_ == "week" else text


def bin_span_ms(starts: pd.Series, bin_: str) -> list[float]:
    """The length of each time bin in milliseconds (a month's own length), a little narrower so
    neighbouring bars stay apart."""
    days = []
    for start in pd.to_datetime(starts):
        if bin_ == "year":
            days.append(366 if start.is_leap_year else 365)
        elif bin_ == "month":
            days.append(start.days_in_month)
        else:
            days.append(7 if bin_ == "week" else 1)
    return [d * DAY_MS * 0.92 for d in days]


def midday(events: pd.DataFrame) -> pd.Series:
    """Where an event sits on a time axis: the middle of its day, so it falls inside its day's bar."""
    return pd.to_datetime(events["event_date"]) + pd.Timedelta(hours=12)


LANE_LABEL_WIDTH = 36  # characters of a lane's name beside the Timeline's lanes
LANE_LINE = 16  # a longer lane name goes on two lines, where the lanes have room for them
LANES_TWO_LINES = 12  # … that is, up to this many lanes


def lane_label(name: str, two_lines: bool) -> str:
    """A lane's name as its tick label: cut to LANE_LABEL_WIDTH, made inert, and, when
    ``two_lines``, broken at the space nearest its middle if it is longer than LANE_LINE (on a
    phone the names took ~40% of the chart's width)."""
    cut = name if len(name) <= LANE_LABEL_WIDTH else name[: LANE_LABEL_WIDTH - 1] + "…"
    spaces = [i for i, c in enumerate(cut) if c == " "]
    if not two_lines or len(cut) <= LANE_LINE or not spaces:
        return safe(cut)
    at = min(spaces, key=lambda i: abs(i - len(cut) / 2))
    return safe(cut[:at]) + "<br>" + safe(cut[at + 1 :])


LANE_SPREAD = 0.16  # how far apart, in lanes, events of one lane and one day are drawn


def lane_spread(lane_of: pd.Series, dates: pd.Series, lanes: list[str]) -> list[float]:
    """Each event's position on the lanes axis: its lane's index, and events of the same lane and
    day spread around it (0, +, −, ++, −−…) so none hides another from the hover and the click."""
    index = {name: i for i, name in enumerate(lanes)}
    seen: dict[tuple, int] = {}
    out = []
    for name, day in zip(lane_of, pd.to_datetime(dates), strict=True):
        k = seen.get((name, day), 0)
        seen[(name, day)] = k + 1
        step = (k + 1) // 2 * (1 if k % 2 else -1)
        out.append(index[name] + max(-0.42, min(0.42, step * LANE_SPREAD)))
    return out


CHART_TEXT = "#4a4a4a"  # the Timeline's axes, titles and legend: 8.9:1 on white
# The toolbar's icons: Plotly's default grey at 30 % was 1.7:1 on white (the map's PNG button and
# "Reset view" among them); this grey is 7:1, and the icon under the pointer near black
MODEBAR = {"color": "#595959", "activecolor": "#111111", "bgcolor": "rgba(255, 255, 255, 0.9)"}
# Cells coloured by the people killed, light to dark: Plotly's OrRd began near white (1.05:1 on the
# white map without tiles, a cell of few deaths all but invisible); each stop here is 3:1 or more
# at the cells' opacity. lib/mapchart.js draws the key with the same stops (its CELL_SCALE).
CELL_SCALE = ("#e34a33", "#b30000", "#4d0000")
CELL_OPACITY = 0.9


SUBTITLE = '<span style="font-size:12px">%s</span>'  # a panel title's second line


def make_timeline(
    bins: pd.DataFrame, events: pd.DataFrame, links: pd.DataFrame, bin_: str, directed: bool = True
) -> go.Figure:
    """Events and fatalities per time bin by type, and event lanes with retaliation links.

    ``bins``: bin, type, events, fatalities (``queries.timeline_bins``). ``events``: the
    events for the lanes (may be empty when there are too many to draw), with an optional
    ``lane`` column (e.g. the attacker's side; default: the type). ``links``:
    from_id, from_date, to_id, to_date (``queries.retaliation_links``), drawn as arrows
    from the earlier event to the one that answered it.
    """
    lane = len(events) > 0
    rows = 3 if lane else 2
    side = "attacker’s side" if directed else "actor 1’s side"
    # the killed bars add up known figures only: say how many events they leave out
    unknown = int(bins["unknown_killed"].sum()) if "unknown_killed" in bins and len(bins) else 0
    left_out = f" ({unknown:,} event{'s' if unknown != 1 else ''} unknown)" if unknown else ""  # phone-short
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.09,
        row_heights=[0.3, 0.25, 0.45] if lane else [0.55, 0.45],
        # Short titles, what qualifies them on a smaller second line, from the left edge: centred
        # one-line titles were cut at both ends on a phone
        # (12 px: as <sup> they were 8 px, too small to read)
        subplot_titles=[f"Events per {bin_}", f"People killed per {bin_}<br>{SUBTITLE % ('known figures' + left_out)}"]
        + ([f"Events by {side if 'lane' in events else 'type'}<br>{SUBTITLE % 'arrow: answered by'}"] if lane else []),
    )
    for title in fig.layout.annotations:
        title.update(x=0, xanchor="left", align="left")
    types = sorted(set(bins["type"].dropna()) | (set(events["type"].dropna()) if lane else set()))
    colours = colour_for(types)
    # a click on a bar selects nothing to see (the lanes' events open on the Map): no dimming
    still = {"marker": {"opacity": 1}}
    for t in types:
        part = bins[bins["type"] == t]
        # each bar covers its own day, week or month: it starts at its bin and is as wide as it
        span = {"x": part["bin"], "width": bin_span_ms(part["bin"], bin_), "offset": 0, "unselected": still}
        # hovers in words: the bin as a date, the type, the count; for the killed, the events whose
        # number is unknown (a bar of 0 can be "nobody killed" or "not reported")
        when = [bin_label(b, bin_) for b in part["bin"]]
        unknown_here = part["unknown_killed"] if "unknown_killed" in part else pd.Series(0, index=part.index)
        head = f"<b>{safe(t)}</b><br>%{{customdata[0]}}<br>"
        fig.add_trace(
            go.Bar(
                y=part["events"],
                name=safe(t),  # the legend reads a few HTML tags
                marker_color=colours[t],
                legendgroup=t,
                customdata=list(zip(when, strict=True)),
                hovertemplate=head + "%{y:,} event(s)<extra></extra>",
                **span,
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Bar(
                y=pd.to_numeric(part["fatalities"], errors="coerce"),
                name=safe(t),
                marker_color=colours[t],
                legendgroup=t,
                showlegend=False,
                customdata=[
                    (w, f"<br>{n:,} event(s) with the number killed unknown, not counted" if n else "")
                    for w, n in zip(when, unknown_here.astype(int), strict=True)
                ],
                hovertemplate=head + "%{y:,} killed (known figures)%{customdata[1]}<extra></extra>",
                **span,
            ),
            row=2,
            col=1,
        )
    # counts are whole: a few events gave ticks at 0.5 event and 0.5 killed
    for row in (1, 2):
        fig.update_yaxes(tickformat=",d", rangemode="tozero", row=row, col=1)
        top = bins.groupby("bin")["events" if row == 1 else "fatalities"].sum().max() if len(bins) else 0
        if pd.notna(top) and top <= 5:
            fig.update_yaxes(dtick=1, row=row, col=1)
    if lane:
        # the lane of each event: its attacker side when the caller gives one ("lane"), else its type
        lane_of = events["lane"] if "lane" in events else events["type"]
        lanes = list(dict.fromkeys(lane_of.sort_values(kind="stable"))) if "lane" in events else types
        events = events.assign(_lane=lane_spread(lane_of, events["event_date"], lanes), _x=midday(events))
        for t in types:
            part = events[events["type"] == t]
            if part.empty:
                continue
            unknown = part["fatalities"].isna()
            fig.add_trace(
                go.Scatter(
                    x=part["_x"],
                    y=part["_lane"],
                    mode="markers",
                    marker={
                        "size": np.where(unknown, UNKNOWN_SIZE, marker_size(part["fatalities"], part["injuries"])),
                        "color": colours[t],
                        "symbol": np.where(unknown, "circle-open", "circle"),
                        "line": {"width": 2, "color": colours[t]},
                    },
                    customdata=part["rowkey"].to_numpy(dtype="int64"),
                    hovertext=[
                        f"<b>{safe(row.type)}</b> {bin_label(row.event_date, 'day')}"
                        + DATE_WORDS.get(getattr(row, "date_precision", 1), "")  # "within a week"
                        + f"<br>{safe(row.actor1)}"
                        f"{actor_link(directed)}{safe(row.actor2) or '?'}<br>{safe(row.location)}<br>"
                        + casualty_text(row.fatalities, row.injuries)
                        for row in part.itertuples()
                    ],
                    hoverinfo="text",
                    name=safe(t),
                    legendgroup=t,
                    showlegend=False,
                ),
                row=3,
                col=1,
            )
        lane_by_id = dict(zip(events["event_id"], events["_lane"], strict=True))
        x_by_id = dict(zip(events["event_id"], events["_x"], strict=True))
        for link in links.itertuples():
            fig.add_annotation(
                x=x_by_id[link.to_id],
                y=lane_by_id[link.to_id],
                ax=x_by_id[link.from_id],
                ay=lane_by_id[link.from_id],
                xref="x3",
                yref="y3",
                axref="x3",
                ayref="y3",
                showarrow=True,
                arrowhead=2,
                arrowsize=1.2,
                arrowwidth=1.5,
                arrowcolor="rgba(60,60,60,0.7)",
                text="",
            )
        # names from data: inert (tick labels read a few HTML tags, links included) and cut, so
        # that a long one does not squeeze the charts; the lane's events' hovers give them whole
        fig.update_yaxes(
            tickvals=list(range(len(lanes))),
            ticktext=[lane_label(name, len(lanes) <= LANES_TWO_LINES) for name in lanes],
            range=[-0.6, len(lanes) - 0.4],
            row=3,
            col=1,
        )
    fig.update_layout(
        barmode="stack",
        height=760 if lane else 500,
        # room above the first title for Plotly's toolbar, which covered it on a phone
        margin={"l": 10, "r": 10, "t": 66, "b": 10},
        # the colour key above the panels: below them it was off-screen on a laptop, under 760 px of charts
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.045, "yanchor": "bottom"},
        hovermode="closest",
        modebar=MODEBAR,
        # Streamlit's theme greys the axes and titles to 3.7:1 on white; read at 8.9:1
        font={"color": CHART_TEXT},
    )
    fig.update_xaxes(tickfont={"color": CHART_TEXT})
    fig.update_yaxes(tickfont={"color": CHART_TEXT})
    for title in fig.layout.annotations:
        if not title.showarrow:  # the panels' titles, not the arrows
            title.font = {"color": CHART_TEXT}
    return fig
