"""Figure builders, asserted on fig.data as plotly.py's own tests do."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib import figures, queries, views
from lib.filters import FilterState


def points_frame(fixture_store, registry):
    return queries.map_points(fixture_store, FilterState(dataset="fixture"), registry, 100)


def test_event_map_one_trace_per_type_and_rings_for_unknown(fixture_store, registry):
    fig = figures.make_event_map(points_frame(fixture_store, registry))
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert names == [
        "Air/drone strike",
        "Air/drone strike (killed unknown)",
        "Shelling/artillery/missile attack",
        "Shelling/artillery/missile attack (killed unknown)",
        "Violent demonstration",
    ]
    drawn = {int(k) for t in fig.data if t.showlegend is not False for k in t.customdata}
    assert drawn == set(range(5))  # every event once, keyed by rowkey
    unknown = next(t for t in fig.data if t.name == "Air/drone strike (killed unknown)")
    assert unknown.marker.size == figures.UNKNOWN_SIZE
    assert all(t.type == "scattermap" for t in fig.data)
    assert fig.layout.map.style == "white-bg"  # points draw without any tile server
    assert fig.layout.map.layers == ()  # no tile layer unless a tile server was found


def test_marker_size_grows_with_known_casualties_and_zero_is_not_unknown():
    sizes = figures.marker_size(
        pd.Series([0, 1, None, 100], dtype="Int32"), pd.Series([None, 6, None, 0], dtype="Int32")
    )
    assert sizes[0] == 8 and sizes[1] > 8 and sizes[3] == 40


def test_hover_escapes_html_from_data():
    points = pd.DataFrame(
        {
            "rowkey": [0],
            "lat": [33.0],
            "lon": [44.0],
            "type": ["Attack"],
            "event_date": [pd.Timestamp("2020-01-01")],
            "fatalities": pd.array([None], dtype="Int32"),
            "injuries": pd.array([2], dtype="Int32"),
            "actor1": ["<script>alert(1)</script>"],
            "actor2": [None],
            "location": ["<b>x</b>"],
            "geo_precision": [3],
        }
    )
    fig = figures.make_event_map(points)
    text = fig.data[0].hovertext[0]
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert text.startswith("2020-01-01 · &lt;script&gt;")  # fatalities unknown: said by the trace name
    assert "<br>killed unknown, 2 injured" in text  # and the injured, which are known, said too
    none_known = figures.make_event_map(points.assign(injuries=pd.array([None], dtype="Int32")))
    assert "killed" not in none_known.data[0].hovertext[0]  # nothing known: the trace's name says it
    assert fig.data[0].name == "Attack (killed unknown)"
    assert "area centroid" in text
    assert fig.data[0].hoverinfo == "text+name"  # the type is the trace name
    assert fig.data[0].hoverlabel.namelength == -1  # and shown whole ("Attack (killed unknown)")
    # a type from data is a trace name, which hovers show and which reads a few HTML tags too
    odd = figures.make_event_map(points.assign(type='<a href="https://e.x/">T</a>'))
    assert odd.data[0].name == '&lt;a href="https://e.x/"&gt;T&lt;/a&gt; (killed unknown)'
    assert figures.short("a & b & c", 6) == "a …"  # cut before an escape, not inside it ("a &am…")


def test_timeline_lane_names_and_legend_are_inert_and_a_long_name_is_cut(fixture_store, registry):
    state = FilterState(dataset="fixture")
    bins = queries.timeline_bins(fixture_store, state, registry, "month")
    events = queries.timeline_events(fixture_store, state, registry, 100)
    link = '<a href="https://evil.example/">Kataib Hezbollah</a>'
    lanes = ["A" * 300, link, "Alpha<br>Bravo"] * len(events)
    events = events.assign(lane=lanes[: len(events)])
    bins = bins.assign(type=bins["type"].where(bins.index > 0, "<b>x</b>"))
    fig = figures.make_timeline(bins, events, queries.retaliation_links(events), "month")
    ticks = list(fig.layout.yaxis3.ticktext)
    assert "A" * 35 + "…" in ticks  # cut: it squeezed the charts into a strip
    # on two lines (three lanes have room), broken at a space of the name, never inside an escape
    assert '&lt;a<br>href="https://evil.example/"&gt;Kat…' in ticks and "Alpha&lt;br&gt;Bravo" in ticks
    assert not any("<" in t.replace("<br>", "") for t in ticks)  # the data's own tags are inert
    assert "&lt;b&gt;x&lt;/b&gt;" in {t.name for t in fig.data if t.type == "bar"}


def test_a_long_lane_name_goes_on_two_lines_where_the_lanes_have_room():
    # broken at the space nearest its middle, its own text made inert first
    assert figures.lane_label("Unidentified attackers", True) == "Unidentified<br>attackers"
    assert figures.lane_label("Islamic Resistance in Iraq", True) == "Islamic Resistance<br>in Iraq"
    assert figures.lane_label("US-led coalition", True) == "US-led coalition"  # 16 characters: one line
    assert figures.lane_label("Unidentified attackers", False) == "Unidentified attackers"  # many lanes: one
    assert figures.lane_label("Alpha<b>x</b> Bravo Charlie", True) == "Alpha&lt;b&gt;x&lt;/b&gt;<br>Bravo Charlie"


def test_hover_keeps_the_map_under_its_byte_budget():
    import plotly.io as pio

    n = 10_000
    points = pd.DataFrame(
        {
            "rowkey": range(n), "lat": [33.0 + i * 1e-4 for i in range(n)], "lon": [44.0] * n, "type": ["Attack"] * n,
            "event_date": [pd.Timestamp("2020-01-01")] * n, "fatalities": pd.array([3] * n, dtype="Int32"),
            "injuries": pd.array([None] * n, dtype="Int32"),
            "actor1": ["Military Forces of the United States (2021-)"] * n,
            "actor2": ["Islamic State (Iraq and Syria) and associated militias"] * n, "location": ["x"] * n,
            "geo_precision": [1] * n,
        }
    )  # fmt: skip
    small = figures.make_event_map(points.head(100))
    assert "Military Forces of the United States (2021-)" in small.data[0].hovertext[0]
    big = figures.make_event_map(points)
    assert len(pio.to_json(big, validate=False)) < 1_000_000
    assert big.data[0].hovertext[0].startswith("2020-01-01 · Milit")  # names cut to fit, date and casualties kept
    assert big.data[0].hovertext[0].endswith("<br>3 killed")  # unknown injuries left out, not "injured ?"
    # every date known only to a month: said while the budget has room, else left to the details
    vague = points.assign(date_precision=3, geo_precision=3)
    assert len(pio.to_json(figures.make_event_map(vague), validate=False)) < 1_000_000
    some = figures.make_event_map(vague.head(2_000)).data[0].hovertext[0]
    assert some.startswith("2020-01-01 (within a month) · ") and some.endswith(" · area centroid")
    # events in pairs at one spot: the outlines and the hovers' lines count in the budget too
    paired = points.assign(lat=[33.0 + (i // 2) * 1e-4 for i in range(n)])
    fig = figures.make_event_map(paired, max_bytes=900_000)
    assert len(pio.to_json(fig, validate=False)) < 900_000 + 40_000  # the views' margin for the layout
    assert any(t.meta == "stack" for t in figures.make_event_map(paired.head(2_000)).data)
    # drawn only while the points' least cost and the outlines' fit
    need = 2_000 * figures.MIN_BYTES_PER_POINT + 1_000 * figures.BYTES_PER_POINT
    assert any(t.meta == "stack" for t in figures.make_event_map(paired.head(2_000), max_bytes=need).data)
    assert not any(t.meta == "stack" for t in figures.make_event_map(paired.head(2_000), max_bytes=need - 1).data)


def test_a_hover_says_when_the_date_is_known_only_to_a_week_or_a_month(fixture_store, registry):
    points = points_frame(fixture_store, registry)
    assert "date_precision" in points  # as the store gives them
    points["date_precision"] = [1, 2, 3, 1, 2][: len(points)]
    precision = dict(zip(points["rowkey"], points["date_precision"], strict=True))
    fig = figures.make_event_map(points)
    for trace in fig.data:
        if trace.hovertext:
            for key, text in zip(trace.customdata, trace.hovertext, strict=True):
                date = text.split(" · ")[0]
                assert date.endswith({1: "", 2: " (within a week)", 3: " (within a month)"}[precision[key]] or date)
                assert (precision[key] == 1) == ("(within" not in date)


def test_selected_event_is_highlighted_on_top_of_every_point(fixture_store, registry):
    points = points_frame(fixture_store, registry)
    fig = figures.make_event_map(points, selected_rowkey=2)
    chosen = points[points["rowkey"] == 2].iloc[0]
    top = [t for t in fig.data if t.name == "selected event"]
    assert fig.data[-len(top) :] == tuple(top)  # drawn last: above any point of a cluster
    assert all(float(t.lat[0]) == pytest.approx(float(chosen["lat"])) for t in top)
    sizes = [float(t.marker.size) for t in top]
    assert sizes[0] > sizes[1] > sizes[2]  # a black ring, a yellow ring, then the event itself
    assert [t.marker.color for t in top[:2]] == ["#111111", "#ffd400"]
    assert top[2].marker.color == figures.colour_for(sorted(points["type"].unique()))[chosen["type"]]
    assert all(t.showlegend is False for t in top)  # no legend row: the map would jump when it came
    # the legend is a key: a type hidden there would be missing from the URL, the count and the link
    assert fig.layout.legend.itemclick is False and fig.layout.legend.itemdoubleclick is False
    assert fig.layout.meta["bounds"] == figures.frame_bounds(points["lat"], points["lon"])  # for mapchart.js
    assert all(t.name != "selected event" for t in figures.make_event_map(points, selected_rowkey=999_999).data)


def test_events_sharing_coordinates_say_so_in_their_hover():
    points = pd.DataFrame(
        {
            "rowkey": [1, 2, 3, 4],
            "lat": [33.7857, 33.7857, 33.7857, 34.0],
            "lon": [42.4412, 42.4412, 42.4412, 41.0],
            "type": ["Shelling/artillery/missile attack"] * 4,
            "event_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
            "fatalities": [0, 0, 0, 0],
            "injuries": [None] * 4,
            "actor1": ["A"] * 4, "actor2": ["B"] * 4, "location": ["x"] * 4, "geo_precision": [1] * 4,
        }
    )  # fmt: skip
    outline, dots = figures.make_event_map(points).data[:2]  # the spot's dark outline, under the dots
    hovers = dots.hovertext
    assert [figures.stack_text(3) in h for h in hovers] == [True, True, True, False]
    assert "3 events in view at this spot" in hovers[0]  # in view: the details count every date
    assert outline.meta == "stack" and list(outline.lat) == [np.float32(33.7857)]  # the shared spot only
    # when the byte budget has no room for it, the line is dropped, never the budget
    tight = figures.make_event_map(points, max_bytes=4 * figures.MIN_BYTES_PER_POINT + 10)
    assert not any(t.meta == "stack" for t in tight.data)  # the outline first, then the line
    assert not any("at this spot" in h for h in tight.data[0].hovertext)


def test_a_spot_holding_several_events_has_a_dark_outline_that_opens_the_event_on_top():
    """The top dot's colour is one event's: a user took Al Asad's 11 events for one."""
    points = pd.DataFrame(
        {
            "rowkey": [7, 8, 9, 10],
            "lat": [33.78, 33.78, 33.78, 34.0],
            "lon": [42.44, 42.44, 42.44, 41.0],
            "type": ["Shelling/artillery/missile attack", "Air/drone strike", "Air/drone strike", "Air/drone strike"],
            "event_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
            "fatalities": pd.array([None, 5, 0, 1], dtype="Int32"),
            "injuries": pd.array([None, 20, None, None], dtype="Int32"),
            "actor1": ["A"] * 4, "actor2": ["B"] * 4, "location": ["x"] * 4, "geo_precision": [1] * 4,
        }
    )  # fmt: skip
    fig = figures.make_event_map(points)
    outline = fig.data[0]
    assert outline.meta == "stack" and outline.name == figures.STACK_NAME and outline.hoverinfo == "skip"
    assert (list(outline.lat), list(outline.lon)) == ([np.float32(33.78)], [np.float32(42.44)])
    # larger than the spot's dot, which is sized for all its events (5 killed, 20 injured)
    dot = float(figures.marker_size(pd.Series([5]), pd.Series([20]))[0])
    assert outline.marker.size[0] == dot + figures.STACK_EXTRA
    # a click on the outline opens the event drawn on top there: the last type's unknown-killed ring
    drawn = [(t.name, k) for t in fig.data[1:] if t.customdata is not None for k in t.customdata]
    top = [k for name, k in drawn if k in (7, 8, 9)][-1]
    assert top == 7 and list(outline.customdata) == [7]
    assert not any(t.meta == "stack" for t in figures.make_event_map(points.tail(1)).data)  # one event: none


def test_a_dot_shared_by_several_events_is_sized_for_all_of_them_of_any_type():
    points = pd.DataFrame(
        {
            "rowkey": [1, 2, 3, 4],
            "lat": [35.0, 35.0, 35.0, 34.0],
            "lon": [40.0, 40.0, 40.0, 41.0],
            "type": ["Air/drone strike", "Air/drone strike", "Shelling/artillery/missile attack", "Air/drone strike"],
            "event_date": pd.to_datetime(["2024-01-01"] * 4),
            "fatalities": pd.array([1, 2, None, 1], dtype="Int32"),
            "injuries": pd.array([2, None, 4, 2], dtype="Int32"),
            "actor1": ["A"] * 4, "actor2": ["B"] * 4, "location": ["x"] * 4, "geo_precision": [1] * 4,
        }
    )  # fmt: skip
    fig = figures.make_event_map(points)
    strikes = next(t for t in fig.data if t.name == "Air/drone strike")
    together = figures.marker_size(pd.Series([1 + 2 + 0]), pd.Series([2 + 0 + 4]))[0]  # every known figure there
    alone = figures.marker_size(pd.Series([1]), pd.Series([2]))[0]
    assert list(strikes.marker.size) == pytest.approx([together, together, alone])
    assert "3 events in view at this spot, sized for all of them" in strikes.hovertext[0]
    # selected, an event there is ringed around its dot as drawn, not around its own size inside it
    chosen = [t for t in figures.make_event_map(points, selected_rowkey=1).data if t.name == "selected event"]
    assert chosen[-1].marker.size == pytest.approx(together)
    assert chosen[0].marker.size == pytest.approx(together + figures.SELECTED_RINGS[0][1])


def test_cell_map(fixture_store, registry):
    cells, size, types = queries.map_cells(fixture_store, FilterState(dataset="fixture"), registry, 20)
    fig = figures.make_cell_map(cells, size, types)
    trace, ring, centre = fig.data  # cells with a known figure; those with none, as rings
    none_known = cells["unknown_fatalities"] == cells["events"]
    assert none_known.sum() == len(ring.lat) == len(centre.lat) > 0
    assert len(trace.lat) + len(ring.lat) == len(cells) and trace.lat.dtype == "float32"
    assert list(trace.customdata[0]) == [2, 10, 0, 1, 0, 1, 0]  # events, killed, unknown, per type…, other
    assert "Air/drone strike: %{customdata[3]:,}" in trace.hovertemplate
    # a count follows its label: a template cannot say "1 event" and "2 events" by the number
    assert trace.hovertemplate.startswith(f"<b>Events in this {size:g}° cell: %{{customdata[0]:,}}</b><br>")
    assert "events with no figure: %{customdata[2]:,}" in trace.hovertemplate
    assert not re.search(r"%\{customdata\[\d\]:,\} (event|killed)", trace.hovertemplate + ring.hovertemplate)
    assert "click to narrow" in trace.hovertemplate and "click to narrow" in ring.hovertemplate
    # never coloured as 0 killed: grey with a white centre, named in the key, said in the hover
    assert ring.marker.color == figures.UNKNOWN_CELL and centre.marker.color == "white"
    assert ring.meta == "ring" and ring.name == "number killed unknown" and centre.showlegend is False
    assert "number killed unknown for all of them" in ring.hovertemplate and "(known figures)" not in ring.hovertemplate
    assert all(c[2] == c[0] for c in ring.customdata) and all(c[2] < c[0] for c in trace.customdata)


def test_timeline_draws_bars_lane_and_retaliation_arrows(fixture_store, registry):
    state = FilterState(dataset="fixture")
    bins = queries.timeline_bins(fixture_store, state, registry, "month")
    events = queries.timeline_events(fixture_store, state, registry, 100)
    links = queries.retaliation_links(events)
    fig = figures.make_timeline(bins, events, links, "month")
    bars = [t for t in fig.data if t.type == "bar"]
    lanes = [t for t in fig.data if t.type == "scatter"]
    assert sum(sum(t.y) for t in bars if t.showlegend is not False) == 5
    assert sum(len(t.x) for t in lanes) == 5
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 2
    noon = pd.Timedelta(hours=12)  # an event sits in the middle of its day, inside its day's bar
    assert {(a.ax, a.x) for a in arrows} >= {(events["event_date"][1] + noon, events["event_date"][2] + noon)}
    assert all(t.unselected.marker.opacity == 1 for t in bars)  # a click on a bar dims nothing
    # the killed bars count known figures: the title says how many events they leave out, the
    # hover says it per bar, and both hovers give the bin in words
    titles = [a.text for a in fig.layout.annotations if not a.showarrow]
    assert "People killed per month<br>" + figures.SUBTITLE % "known figures (2 events unknown)" in titles
    assert fig.layout.legend.y > 1 and fig.layout.legend.yanchor == "bottom"  # the key above the panels, in view
    killed = [t for t in bars if t.showlegend is False]
    hovers = {(t.name, c[0], c[1]) for t in killed for c in t.customdata}
    assert (
        "Shelling/artillery/missile attack",
        "Jan 2020",
        "<br>1 event(s) with the number killed unknown, not counted",
    ) in hovers
    assert "%{y:,} killed (known figures)%{customdata[1]}" in killed[0].hovertemplate
    assert figures.bin_label(pd.Timestamp("2024-01-29"), "week") == "week of 29 Jan 2024"
    assert figures.bin_label(pd.Timestamp("2024-02-02"), "day") == "2 Feb 2024"
    assert figures.bin_label(pd.Timestamp("2024-01-01"), "year") == "2024"
    assert figures.bin_span_ms(pd.Series(pd.to_datetime(["2024-01-01", "2023-01-01"])), "year") == [
        366 * figures.DAY_MS * 0.92,
        365 * figures.DAY_MS * 0.92,
    ]


def test_a_timeline_event_known_only_to_a_week_says_so_in_its_hover(catalog, registry):
    from lib import store
    from tests.conftest import make_frame

    frame = make_frame("weeks")
    frame.loc[0, "date_precision"] = 2
    frame.loc[1, "actor2"] = None  # no target recorded: "– ?", as the map says, not a dash ending the line
    store.write_dataset(frame, "weeks", "csv", catalog_path=catalog)
    events_store = store.Store(catalog)
    state = FilterState(dataset="weeks")
    events = queries.timeline_events(events_store, state, registry, 100)
    bins = queries.timeline_bins(events_store, state, registry, "month")
    fig = figures.make_timeline(bins, events, queries.retaliation_links(events), "month")
    hovers = [h for t in fig.data if t.type == "scatter" for h in t.hovertext]
    day = figures.bin_label(frame.loc[0, "event_date"], "day")
    assert sum(f"{day} (within a week)<br>" in h for h in hovers) == 1 and len(hovers) == 5
    assert sum(" → ?<br>" in h for h in hovers) == 1 and not any(" → <br>" in h for h in hovers)


def test_timeline_without_lane_when_too_many(fixture_store, registry):
    state = FilterState(dataset="fixture")
    bins = queries.timeline_bins(fixture_store, state, registry, "month")
    empty = queries.timeline_events(fixture_store, state, registry, 0)
    fig = figures.make_timeline(bins, empty, queries.retaliation_links(empty), "month")
    assert all(t.type == "bar" for t in fig.data)


def test_tile_layer_only_when_given_else_the_country_borders(fixture_store, registry):
    points = points_frame(fixture_store, registry)
    assert figures.make_event_map(points).layout.map.layers == ()
    tiles = "https://tiles.example/{z}/{x}/{y}.png"
    with_tiles = figures.make_event_map(points, tiles=tiles, borders="/borders.geojson")
    assert [layer.source for layer in with_tiles.layout.map.layers] == [(tiles,)]  # tiles have their own borders
    for fig in (
        figures.make_event_map(points, borders="/borders.geojson"),
        figures.make_cell_map(*queries.map_cells(fixture_store, FilterState(dataset="fixture"), registry, 20)[:3],
                              borders="/borders.geojson"),
    ):  # fmt: skip
        (layer,) = fig.layout.map.layers
        assert layer.name == "sitrep-borders"  # lib/mapchart.js finds it by this name
        assert (layer.sourcetype, layer.source, layer.type) == ("geojson", "/borders.geojson", "line")
        assert layer.below == "traces"


def test_frame_bounds_give_a_lone_event_some_context():
    west, south, east, north = figures.frame_bounds(pd.Series([33.31]), pd.Series([38.70]))
    assert east - west == pytest.approx(figures.MIN_FRAME_DEGREES) and north - south == pytest.approx(2.0)
    assert (west + east) / 2 == pytest.approx(38.70) and (south + north) / 2 == pytest.approx(33.31)
    wide = figures.frame_bounds(pd.Series([29.0, 37.0]), pd.Series([35.0, 48.0]))
    assert wide == [35.0, 29.0, 48.0, 37.0]  # a wide extent is kept as it is


def test_events_on_both_sides_of_the_antimeridian_are_framed_across_it_not_on_the_whole_world():
    bounds = figures.frame_bounds(pd.Series([-16.5, -16.6]), pd.Series([179.9, -179.9]))
    assert bounds == pytest.approx([179.0, -17.55, 181.0, -15.55])  # east past 180: the next world copy
    centre = figures.camera(bounds)["center"]["lon"]
    assert abs(centre) == pytest.approx(180.0) and -180 <= centre <= 180
    # far apart either way round: the usual extent
    assert figures.frame_bounds(pd.Series([0.0, 1.0, 2.0]), pd.Series([-100.0, 0.0, 100.0]))[::2] == [-100.0, 100.0]
    # nearer across it: framed across it (the Pacific from Japan to Hawaii)
    assert figures.frame_bounds(pd.Series([35.0, 21.0]), pd.Series([139.7, -157.8]))[::2] == [139.7, 202.2]


def test_timeline_bars_cover_their_own_bin_and_events_of_one_day_and_lane_do_not_hide_each_other():
    assert figures.bin_span_ms(pd.Series(pd.to_datetime(["2024-02-01", "2024-03-01"])), "month") == [
        29 * figures.DAY_MS * 0.92,
        31 * figures.DAY_MS * 0.92,
    ]
    assert figures.bin_span_ms(pd.Series(pd.to_datetime(["2024-01-29"])), "week") == [7 * figures.DAY_MS * 0.92]
    lanes = ["A", "B"]
    days = pd.Series(pd.to_datetime(["2024-02-02"] * 5 + ["2024-02-03"]))
    y = figures.lane_spread(pd.Series(["A"] * 5 + ["B"]), days, lanes)
    assert len(set(y[:5])) == 5 and all(-0.5 < v < 0.5 for v in y[:5])  # five strikes of one day: five places
    assert y[0] == 0 and y[5] == 1  # a lone event sits on its lane


def test_point_traces_say_whether_the_map_draws_them_as_rings_for_its_key(fixture_store, registry):
    fig = figures.make_event_map(points_frame(fixture_store, registry))
    keyed = [t for t in fig.data if t.showlegend is not False]
    assert keyed and all(t.meta == ("ring" if t.name.endswith("(killed unknown)") else "dot") for t in keyed)


def test_the_hover_and_the_lanes_imply_no_direction_where_the_actor_order_is_none(fixture_store, registry):
    points = points_frame(fixture_store, registry)
    directed = figures.make_event_map(points)
    undirected = figures.make_event_map(points, directed=False)  # ACLED, UCDP
    assert " → " in directed.data[0].hovertext[0] and " → " not in undirected.data[0].hovertext[0]
    assert " – " in undirected.data[0].hovertext[0]
    assert (
        figures.casualty_text(3, 2) == "3 killed, 2 injured"
        and figures.casualty_text(None, 2) == "killed unknown, 2 injured"
    )
    assert views.attacker_side(registry, "Unidentified armed group") == "Unidentified attackers"
    assert views.attacker_side(registry, "Unidentified armed group", directed=False) == "Unidentified armed group"


def contrast(colour: str, ground: str = "#ffffff") -> float:
    def lum(hex_colour: str) -> float:
        rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = sorted((lum(colour), lum(ground)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_the_timelines_text_and_the_unknown_cells_ring_are_readable(fixture_store, registry):
    """WCAG 1.4.3 and 1.4.11: Streamlit's theme greyed the Timeline's axes and titles to 3.7:1."""
    state = FilterState(dataset="fixture")
    bins = queries.timeline_bins(fixture_store, state, registry, "month")
    events = queries.timeline_events(fixture_store, state, registry, 100)
    fig = figures.make_timeline(bins, events, queries.retaliation_links(events), "month")
    assert contrast(fig.layout.font.color) >= 4.5
    assert all(contrast(axis.tickfont.color) >= 4.5 for axis in (fig.layout.xaxis, fig.layout.yaxis, fig.layout.yaxis3))
    titles = [a for a in fig.layout.annotations if not a.showarrow]
    assert titles and all(contrast(a.font.color) >= 4.5 for a in titles)
    assert contrast(figures.UNKNOWN_CELL) >= 3  # a graphic
    # the types' colours, on the map and the Timeline, are graphics too: 3:1 or more
    for colour in [*figures.TYPE_COLOURS.values(), *figures.FALLBACK_COLOURS]:
        assert contrast(colour) >= 3, colour


def _over_white(colour: str, opacity: float) -> str:
    """A colour drawn at ``opacity`` on white, as the eye sees it."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(opacity * c + (1 - opacity) * 255):02x}" for c in rgb)


def test_cells_and_the_toolbar_stand_out_from_the_white_map(fixture_store, registry):
    """WCAG 1.4.11: Plotly's OrRd began at #fff7ec (1.05:1 on the map without tiles, a cell of few
    deaths all but invisible), and the toolbar's icons (the PNG button, Reset view) were 1.7:1."""
    cells, size, types = queries.map_cells(fixture_store, FilterState(dataset="fixture"), registry, 20)[:3]
    marker = figures.make_cell_map(cells, size, types).data[0].marker
    stops = [colour for _, colour in marker.colorscale]
    assert stops == list(figures.CELL_SCALE)
    assert all(contrast(_over_white(c, marker.opacity)) >= 3 for c in stops), stops
    # the key in lib/mapchart.js draws the same scale
    script = (Path(figures.__file__).parent / "mapchart.js").read_text(encoding="utf-8")
    assert f"const CELL_SCALE = {json.dumps(list(figures.CELL_SCALE))};".replace('","', '", "') in script
    assert contrast(figures.MODEBAR["color"]) >= 4.5 and contrast(figures.MODEBAR["activecolor"]) >= 4.5
    points = figures.make_event_map(queries.map_points(fixture_store, FilterState(dataset="fixture"), registry, 50))
    state = FilterState(dataset="fixture")
    bins = queries.timeline_bins(fixture_store, state, registry, "month")
    events = queries.timeline_events(fixture_store, state, registry, 100)
    timeline = figures.make_timeline(bins, events, queries.retaliation_links(events), "month")
    for fig in (points, timeline):
        assert fig.layout.modebar.color == figures.MODEBAR["color"]
