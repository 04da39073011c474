"""Views: points or cells, what a map selection means, event cards, the upload preview."""

import pandas as pd
import pytest

from lib import queries, schema, store, views
from lib.filters import FilterState
from tests.conftest import make_frame

STATE = FilterState(dataset="fixture")


def test_points_below_the_limit_cells_above(fixture_store, registry):
    points = views.map_view(fixture_store, registry, STATE, max_points=5, max_cells=20)
    assert (points.kind, points.events, points.drawn, points.note) == ("points", 5, 5, "")
    cells = views.map_view(fixture_store, registry, STATE, max_points=4, max_cells=20)
    assert (cells.kind, cells.events, cells.cell_size) == ("cells", 5, 1.0)
    assert cells.drawn == 4 and "aggregated into 4 cells of 1°" in cells.note
    narrowed = views.map_view(fixture_store, registry, STATE.with_(country=("Syria",)), max_points=4, max_cells=20)
    assert narrowed.kind == "points"  # and back to points when the filter narrows


def test_cells_a_click_cannot_split_say_so_and_one_cells_bar_starts_at_0(catalog, registry):
    # 146,016 events at one spot: "aggregated into 1 cells of 0.01°. Click a cell…", and clicks changed nothing
    frame = make_frame("spot")
    frame[["latitude", "longitude"]] = [33.3, 44.4]
    store.write_dataset(frame, "spot", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    state = FilterState(dataset="spot")
    view = views.map_view(events, registry, state, max_points=4, max_cells=20)
    assert (view.kind, view.drawn) == ("cells", 1)
    assert view.note.startswith("All 5 events of this view are recorded at one spot (33.3000, 44.4000), more than")
    assert "Click a cell" not in view.note and "The Events table lists them" in view.note and not view.splittable
    # the cell a click on it narrows to holds its events: 33.3 / 0.01 is 3329.999…, and floor()
    # drew them in the cell 33.29–33.30, whose filter then held none of them ("0 events")
    (lat,), (lon,) = view.figure.data[0].lat, view.figure.data[0].lon
    clicked = views.selection_to_state(events, state, "cells", [{"lat": lat, "lon": lon}], "spot", view.cell_size)
    assert clicked.cell[:2] == (33.3, 44.4) and queries.count_events(events, clicked, registry) == 5
    (trace,) = view.figure.data  # the fixture's killed are known for some: one coloured cell
    assert (trace.marker.cmin, trace.marker.cmax) == (0, frame["fatalities"].sum())  # from 0, not around its value
    frame["latitude"] = [33.301, 33.302, 33.303, 33.304, 33.305]  # a few hundred metres apart
    store.write_dataset(frame, "spread", "csv", catalog_path=catalog)
    view = views.map_view(store.Store(catalog), registry, FilterState(dataset="spread"), max_points=4, max_cells=20)
    assert "aggregated into 1 cell of 0.01°, the smallest cells. The Events table lists them" in view.note
    assert not view.splittable
    store.write_dataset(make_frame("wide"), "wide", "csv", catalog_path=catalog)
    split = views.map_view(store.Store(catalog), registry, FilterState(dataset="wide"), max_points=4, max_cells=20)
    assert split.splittable and "Click a cell" in split.note


def test_a_click_on_a_point_selects_the_event(fixture_store):
    state = views.selection_to_state(
        fixture_store, STATE, "points", [{"customdata": 2, "lat": 33.7, "lon": 42.4}], "fixture"
    )
    assert state.event == "t:2"


def test_a_click_on_a_cell_narrows_to_the_cell(fixture_store):
    state = views.selection_to_state(fixture_store, STATE, "cells", [{"lat": 33.5, "lon": 44.5}], "fixture", 1.0)
    assert state.cell == (33.0, 44.0, 1.0) and state.event is None


def test_a_box_selection_narrows_to_the_box_around_the_points(fixture_store):
    points = [{"lat": 33.26, "lon": 44.23, "customdata": 1}, {"lat": 36.24, "lon": 43.96, "customdata": 3}]
    state = views.selection_to_state(fixture_store, STATE, "points", points, "fixture")
    lon0, lat0, lon1, lat1 = state.area
    assert lon0 < 43.96 and lon1 > 44.23 and lat0 < 33.26 and lat1 > 36.24
    assert views.selection_to_state(fixture_store, STATE, "points", [], "fixture") is None


def test_event_card_spells_out_precision_and_unknowns(fixture_store):
    card = views.event_card(fixture_store, "fixture", "t:4")
    assert card["fatalities"] == "unknown (not reported)"
    assert card["geo_precision"] == "1: the place itself"
    assert views.event_card(fixture_store, "fixture", "t:1")["date"] == "3 January 2020"  # not "03 January"
    assert card["target"] == views.md_escape("Kait'ib Hezbollah; Kataib Sayyid al-Shuhada")
    assert card["response_to"] == ["t:3"]
    assert card["sources"] == "Fixture"
    assert card["links"] == [("example.org", "https://example.org/report")]
    assert views.event_card(fixture_store, "fixture", "t:3")["answered_by"] == ["t:4"]
    assert card["labels"]["t:3"].startswith(
        views.md_escape(views.event_card(fixture_store, "fixture", "t:3")["date"][:2])
    )
    assert " · " in card["labels"]["t:3"] and "t:3" not in card["labels"]["t:3"]  # in words, not the id
    answered = views.event_card(fixture_store, "fixture", "t:2")["labels"]["t:1"]
    assert answered.startswith("3 Jan 2020 · ")  # as the sentence and the date line write it, not "03 Jan"
    assert views.event_card(fixture_store, "fixture", "nope") is None


def test_a_gdelt_event_card_says_its_day_is_the_report_s(catalog):
    """GDELT dates an event by its news report: "1: the day is known" beside the notes' "the date
    is the report date" said two things."""
    frame = make_frame()
    frame["event_id"] = "gdelt:" + frame["event_id"].str.slice(2)
    store.write_dataset(frame, "gd", "gdelt", catalog_path=catalog)
    events = store.Store(catalog)
    card = views.event_card(events, "gd", "gdelt:1")
    assert card["date_precision"] == "1: the day of the news report GDELT coded it from (the event may be earlier)"
    store.write_dataset(make_frame(), "own", "csv", catalog_path=catalog)
    assert views.event_card(store.Store(catalog), "own", "t:1")["date_precision"] == "1: the day is known"


def test_upload_preview_and_problems_table():
    fig = views.preview_map(make_frame(), limit=3)
    assert sum(len(t.lat) for t in fig.data if t.showlegend is not False) == 3
    report = schema.Report(file="x.csv")
    report.add(schema.Problem("is not a date", row=4, column="event_date", value="2021-02-30"))
    report.add(schema.Problem("the file is empty"))
    report.add(schema.Problem("formula-like text", row=2, column="notes", value="=1", fatal=False))
    report.add(schema.Problem("is not a number", row=2, column="latitude", value="x"))
    table = views.problems_table(report)
    assert list(table["problem"]) == ["the file is empty", "is not a number", "formula-like text", "is not a date"]
    assert table["row"].tolist()[1:] == [2, 2, 4]  # by row, a row's error before its warning
    assert table["spreadsheet row"].tolist()[1:] == [3, 3, 5]  # where a spreadsheet shows it
    # The Data page says the whole file's warnings above its table, whose empty cells read "None"
    report.add(schema.Problem("1 of 3 events are not material conflict", fatal=False))
    report.add(schema.Problem("'x' is in neither this file nor 'd'", column="response_to", fatal=False))
    by_row = views.problems_table(report, rows_only=True)
    assert by_row["row"].tolist() == [2, 2, 4] and by_row["row"].notna().all()
    assert views.file_warnings(report) == [
        "1 of 3 events are not material conflict",
        "column 'response_to': 'x' is in neither this file nor 'd'",
    ]
    assert views.problems_count_text(report) == "3 errors and 3 warnings"  # the download button's words
    ruled = schema.Report(file="ged.csv")
    ruled.add(schema.Problem("only at country level", row=4, column="where_prec", value="6", by_rule=True))
    ruled.add(schema.Problem("is not a number", row=5, column="latitude", value="x"))
    assert views.problems_count_text(ruled) == "1 error and 1 row left out by the format's rules"
    assert views.problems_table(ruled)["severity"].tolist() == ["left out by the format's rules", "error"]
    everything = views.problems_table(report)
    assert len(everything) == 6 and None not in everything["column"].tolist() + everything["value"].tolist()
    assert everything["column"].tolist()[:3] == ["", "", "response_to"]
    # the download holds every problem, not the first thousand shown, with formulas made inert
    for i in range(1500):
        report.add(schema.Problem("is not a date", row=10 + i, column="event_date", value="x"))
    assert len(views.problems_table(report)) == 1000
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(views.problems_csv(report).decode())))
    assert len(rows) == 1506
    assert next(r for r in rows if r["problem"] == "formula-like text")["value"] == "'=1"


def test_event_card_makes_data_inert(catalog):
    from lib import store

    frame = make_frame("evil")
    frame.loc[0, "actor1"] = "![pixel](http://tracker.example/p.png) <img src=x onerror=alert(1)>"
    frame.loc[0, "source_url"] = "javascript:alert(1) https://example.org/ok"
    store.write_dataset(frame, "evil", "csv", catalog_path=catalog)
    card = views.event_card(store.Store(catalog), "evil", frame.loc[0, "event_id"])
    # an address keeps an invisible word joiner after its scheme: Markdown would link it otherwise
    assert card["attacker"].startswith("\\!\\[pixel\\]\\(http\u2060://tracker\\.example/p\\.png\\) \\<img")
    assert views.md_escape("www.x.org, a@b.org &amp;") == "www\u2060\\.x\\.org, a\u2060@b\\.org \\&amp;"
    assert card["links"] == [("example.org", "https://example.org/ok")]


def test_an_answered_event_not_in_the_dataset_is_named_not_offered_as_a_link(catalog):
    from lib import store

    frame = make_frame("dangling")
    frame.loc[1, "response_to"] = "t:1; t:404_*x*"
    store.write_dataset(frame, "dangling", "csv", catalog_path=catalog)
    card = views.event_card(store.Store(catalog), "dangling", "t:2")
    assert card["response_to"] == ["t:1"]  # a button that opens t:1
    assert card["response_to_missing"] == ["t:404\\_\\*x\\*"]  # said, as inert text


def test_attacker_sides(registry):
    assert views.attacker_side(registry, "KH") == "Iran-aligned"  # as the Affiliation filter names it
    assert views.attacker_side(registry, "Military Forces of the United States") == "US-led coalition"
    assert views.attacker_side(registry, "Somebody else") == "Somebody else"


def test_timeline_of_the_shipped_data_shows_the_erbil_chain():
    import datetime as dt

    from lib import store
    from lib.actors import Registry

    shipped = store.Store()
    state = FilterState(date_from=dt.date(2021, 2, 1), date_to=dt.date(2021, 3, 31))
    result = views.timeline_view(shipped, Registry.from_csv(), state, dt.date(2019, 12, 27), dt.date(2024, 11, 19))
    assert result.lane_shown and result.links >= 1
    lanes = list(result.figure.layout.yaxis3.ticktext)
    assert {"US-led coalition", "Iran-aligned"} <= set(lanes)  # named as the Affiliation filter names them
    arrows = [a for a in result.figure.layout.annotations if a.showarrow]
    erbil = [a for a in arrows if str(a.ax)[:10] == "2021-02-15" and str(a.x)[:10] == "2021-02-25"]
    assert erbil and lanes[round(erbil[0].ay)] == "Iran-aligned" and lanes[round(erbil[0].y)] == "US-led coalition"


def test_the_timelines_counts_as_a_table_match_the_shipped_events():
    """The Timeline's text version: per month, the events, the known killed (unknown where no
    event of the month has a figure, never 0) and the types, as the shipped rows say."""
    import datetime as dt

    from lib import store
    from lib.actors import Registry

    shipped = store.Store()
    state = FilterState(date_from=dt.date(2021, 1, 1), date_to=dt.date(2023, 12, 31))
    result = views.timeline_view(shipped, Registry.from_csv(), state, dt.date(2019, 12, 27), dt.date(2024, 11, 19))
    assert result.bin == "month"
    rows = store.load_shipped()
    rows = rows[(rows["event_date"] >= "2021-01-01") & (rows["event_date"] <= "2023-12-31")]
    month = rows["event_date"].dt.strftime("%b %Y")
    table = result.table.set_index("Period")
    assert table["Events"].sum() == len(rows) and set(table.index) == set(month)
    for period, part in rows.groupby(month):
        row = table.loc[period]
        assert row["Events"] == len(part)
        known = part["fatalities"].dropna()
        assert row["People killed (known figures)"] == (f"{int(known.sum()):,}" if len(known) else "unknown")
        assert row["Events with number killed unknown"] == part["fatalities"].isna().sum()
        types = part["sub_event_type"].fillna(part["event_type"]).value_counts()
        assert sorted(row["By type"].split("; ")) == sorted(f"{t} {n}" for t, n in types.items())
    # a month whose events all have the number killed unknown (in Syria, Jul 2021) says so
    syria = views.timeline_view(
        shipped, Registry.from_csv(), state.with_(country=("Syria",)), dt.date(2019, 12, 27), dt.date(2024, 11, 19)
    ).table.set_index("Period")
    in_syria = rows[(rows["country"] == "Syria") & (month == "Jul 2021")]
    assert len(in_syria) and in_syria["fatalities"].isna().all()
    assert syria.loc["Jul 2021", "People killed (known figures)"] == "unknown"


def test_the_map_stays_within_its_byte_budgets(catalog, registry):
    """Issue 5: the unfiltered map under 300 KB, any map under 1 MB (synthetic data, 9,000 events)."""
    import plotly.io as pio

    from benchmarks.generate import generate
    from lib import store

    store.write_dataset(generate(9_000, dataset="big"), "big", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    default = views.map_view(events, registry, FilterState(dataset="big"), 10_000, 4_000)
    assert default.kind == "cells"  # 9,000 points would not fit in 300 KB
    assert len(pio.to_json(default.figure, validate=False)) < views.MAP_BYTES_DEFAULT_VIEW
    narrowed = FilterState(dataset="big", type=("Armed clash", "Shelling/artillery/missile attack", "Attack"))
    result = views.map_view(events, registry, narrowed, 10_000, 4_000)
    assert result.kind == "points" and result.drawn > 5_000
    assert len(pio.to_json(result.figure, validate=False)) < views.MAP_BYTES_MAX
    assert views.points_budget(FilterState(), 10_000)[0] == 2_500
    assert views.points_budget(narrowed, 10_000)[0] == 9_230
    assert views.points_budget(narrowed, 500)[0] == 500


def test_event_card_lists_the_other_events_at_the_same_coordinates(catalog):
    from lib import queries, store

    frame = make_frame("stack")
    frame.loc[[0, 1, 2], ["latitude", "longitude"]] = [33.7857, 42.4412]  # three events on one dot
    store.write_dataset(frame, "stack", "csv", catalog_path=catalog)
    opened = store.Store(catalog)
    first, second, third = frame.loc[[0, 1, 2], "event_id"]
    card = views.event_card(opened, "stack", first)
    assert card["same_place_total"] == 2
    assert [e for e, _ in card["same_place"]] == sorted(
        [second, third], key=lambda e: frame.set_index("event_id").loc[e, "event_date"], reverse=True
    )
    assert all(" · " in label for _, label in card["same_place"])  # "date · type"
    assert card["coordinates"] == "33.7857° N, 42.4412° E"
    assert views.event_card(opened, "stack", frame.loc[3, "event_id"])["same_place_total"] == 0
    some, total = queries.same_place(opened, "stack", first, 33.7857, 42.4412, limit=1)
    assert (len(some), total) == (1, 2)  # bounded, with the full count


def test_coordinates_say_which_is_latitude():
    assert views.coordinates(-33.86, 151.21) == "33.8600° S, 151.2100° E"
    assert views.coordinates(40.71, -74.0) == "40.7100° N, 74.0000° W"


def test_map_view_says_whether_the_selected_event_is_drawn_and_an_empty_view_is_still_a_map(fixture_store, registry):
    chosen = views.map_view(fixture_store, registry, STATE.with_(event="t:4"), max_points=5, max_cells=20)
    assert chosen.kind == "points" and chosen.selected_drawn
    outside = STATE.with_(event="t:4", q="no event says this")
    empty = views.map_view(fixture_store, registry, outside, max_points=5, max_cells=20)
    assert (empty.events, empty.selected_drawn) == (0, False)
    assert [t.type for t in empty.figure.data] == ["scattermap"]  # a map (borders, framing), not empty axes


def test_the_events_table_shows_precision_words_one_link_per_cell_and_empty_not_none():
    frame = make_frame().head(3).copy()
    frame["source_url"] = ["https://a.example/1 https://b.example/2", "https://c.example/3", None]
    frame["response_to"] = [None, "t:1", None]
    frame["fatalities"] = frame["fatalities"].astype("Int32")
    frame.loc[0, "fatalities"] = None
    shown = views.table_rows(frame[["event_id", "date_precision", "geo_precision", "source_url", "response_to",
                                    "fatalities"]])  # fmt: skip
    assert list(shown.columns) == [
        "fatalities", "report", "more reports", "date_precision", "geo_precision", "response_to", "event_id"
    ]  # fmt: skip
    # no link: an empty cell (None showed as a grey "None" in the link column)
    assert shown["report"].tolist() == ["https://a.example/1", "https://c.example/3", ""]
    assert [list(v) for v in shown["more reports"]] == [["https://b.example/2"], [], []]
    assert shown["response_to"].tolist() == ["", "t:1", ""]
    assert shown["date_precision"].iloc[0].startswith(f"{frame['date_precision'].iloc[0]}: ")
    assert shown["fatalities"].iloc[0] == ""  # an unknown number shows empty: not 0, and not "None"
    known = frame["fatalities"].notna().to_numpy().nonzero()[0][0]
    assert shown["fatalities"].iloc[known] == f"{int(frame['fatalities'].iloc[known]):,}"


def test_a_click_on_a_timeline_lane_gives_its_event_and_a_bar_or_a_box_gives_none(fixture_store):
    rowkey = (
        fixture_store.cursor()
        .execute(f"SELECT rowkey FROM {fixture_store.relation('fixture')} WHERE event_id = 't:3'")
        .fetchone()[0]
    )
    assert views.timeline_click(fixture_store, "fixture", [{"customdata": rowkey, "x": "2021-02-15"}]) == "t:3"
    assert views.timeline_click(fixture_store, "fixture", [{"customdata": [rowkey]}]) == "t:3"
    assert views.timeline_click(fixture_store, "fixture", [{"x": "2021-02-01", "y": 3}]) is None  # a bar
    assert views.timeline_click(fixture_store, "fixture", [{"customdata": 0}, {"customdata": 1}]) is None


def test_the_timeline_axis_spans_the_chosen_dates_not_only_the_events():
    import datetime as dt

    from lib import store
    from lib.actors import Registry

    state = FilterState(date_from=dt.date(2021, 1, 15), date_to=dt.date(2021, 2, 15))
    bounds = dt.date(2019, 12, 27), dt.date(2024, 11, 19)
    result = views.timeline_view(store.Store(), Registry.from_csv(), state, *bounds)
    low, high = (pd.Timestamp(v) for v in result.figure.layout.xaxis.range)
    assert low <= pd.Timestamp("2021-01-15") and high >= pd.Timestamp("2021-02-15")
    assert high - low < pd.Timedelta(days=45)


def test_the_affiliation_help_names_who_each_affiliation_holds(registry):
    text = views.affiliation_help(registry)
    assert "- **Iranian state**: Islamic Revolutionary Guard Corps" in text
    line = next(part for part in text.splitlines() if part.startswith("- **Iran\\-aligned**"))
    assert "Kata'ib Hezbollah" in line and "Islamic Revolutionary Guard Corps" in line  # the fixture has both


def test_the_map_figure_names_the_selected_event_drawn_or_not(fixture_store, registry):
    drawn = views.map_view(fixture_store, registry, STATE.with_(event="t:2"), max_points=10, max_cells=20)
    assert drawn.figure.layout.meta["event"] == "t:2" and "bounds" in drawn.figure.layout.meta
    cells = views.map_view(fixture_store, registry, STATE.with_(event="t:2"), max_points=2, max_cells=20)
    assert cells.kind == "cells" and cells.figure.layout.meta["event"] == "t:2"
    assert views.map_view(fixture_store, registry, STATE, max_points=10, max_cells=20).figure.layout.meta["event"] == ""


@pytest.mark.parametrize(("source_format", "zero_note"), [("acled", True), ("csv", False), ("ucdp", False)])
def test_an_acled_zero_is_said_as_none_reported_not_as_known_none(catalog, source_format, zero_note):
    from lib import store

    frame = make_frame("zero")
    frame.loc[0, "fatalities"] = 0
    frame.loc[1, "fatalities"] = 5
    store.write_dataset(frame, "zero", source_format, catalog_path=catalog)
    events = store.Store(catalog)
    zero = views.event_card(events, "zero", frame.loc[0, "event_id"])["fatalities"]
    assert zero.startswith("0") and ("none reported" in zero) == zero_note, zero
    assert views.event_card(events, "zero", frame.loc[1, "event_id"])["fatalities"] == "5"


def test_the_map_outlines_the_box_or_cell_it_is_narrowed_to(fixture_store, registry):
    def outline(state):
        figure = views.map_view(fixture_store, registry, state, max_points=5, max_cells=20).figure
        layers = [layer for layer in figure.layout.map.layers or () if layer.name == "sitrep-selection"]
        return [tuple(p) for p in layers[0].source["geometry"]["coordinates"]] if layers else None

    assert outline(STATE) is None
    box = outline(STATE.with_(area=(40.0, 34.0, 41.0, 35.0)))
    assert set(box) == {(40.0, 34.0), (41.0, 34.0), (41.0, 35.0), (40.0, 35.0)} and box[0] == box[-1]
    cell = outline(STATE.with_(cell=(33.0, 44.0, 0.5)))  # south-west corner and size
    assert set(cell) == {(44.0, 33.0), (44.5, 33.0), (44.5, 33.5), (44.0, 33.5)}


@pytest.mark.parametrize("max_points", [5, 0])  # points, and cells
def test_the_map_is_framed_on_the_cell_or_box_it_is_narrowed_to(fixture_store, registry, max_points):
    def bounds(state):
        return views.map_view(fixture_store, registry, state, max_points=max_points, max_cells=20).figure.layout.meta[
            "bounds"
        ]

    west, south, east, north = bounds(STATE)
    assert east - west >= 2.0 and north - south >= 2.0  # the events, with context around them
    # a 0.5° cell fills the frame, with a tenth of its size around it (it was a small square
    # in a frame of at least 2°)
    assert bounds(STATE.with_(cell=(33.0, 44.0, 0.5))) == pytest.approx([43.95, 32.95, 44.55, 33.55])
    assert bounds(STATE.with_(area=(40.0, 34.0, 41.0, 35.0))) == pytest.approx([39.9, 33.9, 41.1, 35.1])


def test_the_card_says_how_many_named_sources_have_no_link(catalog):
    from lib import store

    frame = make_frame("links")
    frame.loc[0, "source"] = "Print daily; Wire; Website"
    frame.loc[0, "source_url"] = "https://www.website.example/a"
    frame.loc[1, "source"] = "Website"
    store.write_dataset(frame, "links", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    assert views.event_card(events, "links", frame.loc[0, "event_id"])["unlinked"] == 2
    assert views.event_card(events, "links", frame.loc[1, "event_id"])["unlinked"] == 0
    assert views.event_card(events, "links", frame.loc[0, "event_id"])["unlinked_names"] == ["Print daily", "Wire"]


def test_the_unlinked_sources_are_named_only_when_the_links_tell_whose_they_are():
    names = ["The Epoch Times, 25 Feb 2021", "The Times", "Al Bawaba", "RT", "ILKHA via Cinar Insesi", "SOHR"]
    urls = [
        "https://www.thetimes.co.uk/article/a",  # "The Times", not "The Epoch Times"
        "https://www.albawaba.com/node/b",  # two words run together
        "https://arabic.rt.com/c",  # the site's own name, not its subdomain
        "https://cinarinsesi.com/c",  # the outlet a report came through
    ]
    assert views.unlinked_names(names, urls) == ["The Epoch Times, 25 Feb 2021", "SOHR"]
    assert views.unlinked_names(["Rudaw", "Hozint"], []) == ["Rudaw", "Hozint"]  # no link at all
    # two names from one site: which one has no link cannot be told, so none is named
    two_dates = ["The Epoch Times, 1 Jan", "The Epoch Times, 2 Jan", "UPI"]
    assert views.unlinked_names(two_dates, ["https://www.theepochtimes.com/x"]) == []
    # a link whose site is no name's word exactly: not guessed (NRT is nrttv.com, but "The New
    # Arab" is not english.news.cn, nor "Kurdistan Region Security Council" kurdistan24.net)
    for named, link in (
        (["NRT", "Rudaw"], "https://nrttv.com/x"),
        (["The New Arab", "Xinhua"], "https://english.news.cn/x"),
        (["Kurdistan Region Security Council", "K24"], "https://www.kurdistan24.net/x"),
        (["Iraqi Army", "INA"], "https://www.iraqinews.com/x"),
    ):
        assert views.unlinked_names(named, [link]) == [], named
    assert views.unlinked_names(["New York Times", "UN"], ["https://news.un.org/x"]) == ["New York Times"]
    # a name with two links (two reports from one site) and two names without
    two = ["https://www.syriahr.com/en/1/", "https://www.syriahr.com/en/2/"]
    assert views.unlinked_names(["Syrian Observatory (syriahr)", "LBCI", "Enab Baladi"], two) == []


def test_the_timelines_counts_tick_in_whole_numbers():
    import datetime as dt

    from lib import store
    from lib.actors import Registry

    state = FilterState(date_from=dt.date(2021, 2, 10), date_to=dt.date(2021, 2, 28))  # a few events a day
    fig = views.timeline_view(store.Store(), Registry.from_csv(), state, dt.date(2019, 12, 27), dt.date(2024, 11, 19))
    for axis in (fig.figure.layout.yaxis, fig.figure.layout.yaxis2):
        assert axis.tickformat == ",d" and axis.dtick == 1  # not 0.5 event or 0.5 killed


def test_the_events_table_reads_date_type_and_casualties_first_then_who_and_where(fixture_store, registry):
    rows = queries.events_page(fixture_store, FilterState(dataset="fixture"), registry, 0, 10, "newest")
    shown = views.table_rows(rows)
    # short numbers before the long names: in view in a 1024 px window with the sidebar open
    assert list(shown.columns[:8]) == [
        "event_date", "sub_event_type", "fatalities", "injuries", "actor1", "actor2", "location", "country"
    ]  # fmt: skip
    assert shown.columns[-1] == "event_id"


def test_report_buttons_from_one_site_say_which_report_they_open():
    urls = [
        "https://www.theepochtimes.com/11-us-troops-treated-for-concussion_3228131.html",
        "https://www.theepochtimes.com/world/iran-missiles-al-asad/",
        "https://apnews.com/article/abc",
    ]
    assert views.link_labels(urls) == [
        ("theepochtimes.com: 11 us troops treated for concussion", urls[0]),
        ("theepochtimes.com: iran missiles al asad", urls[1]),
        ("apnews.com", urls[2]),  # one report from its site: the site says enough
    ]
    (label, _), _ = views.link_labels(["https://a.example/[x](y)", "https://a.example/b"])
    assert "\\[x\\]" in label  # the address's words are literal in the button's Markdown


def test_the_commit_button_says_what_committing_does_and_is_absent_when_it_would_do_nothing():
    assert views.commit_label("d", 5, 0, 0, False) == "Commit 5 events to 'd'"
    assert views.commit_label("d", 1, 0, 0, False) == "Commit 1 event to 'd'"
    assert views.commit_label("d", 5, 4, 2, False) == "Commit to 'd': add 1 event"
    assert views.commit_label("d", 5, 4, 2, True) == "Commit to 'd': add 1 event, update 2"
    assert views.commit_label("d", 5, 5, 0, False) is None
    assert views.commit_label("d", 5, 5, 0, False, licence=True) == "Commit to 'd': set its licence"
    assert views.commit_label("d", 5, 0, 0, False, licence=True) == "Commit 5 events to 'd' with its licence"
    assert views.commit_label("d", 4, 4, 2, True) == "Commit to 'd': update 2"
    assert views.commit_label("d", 4, 4, 2, False) is None  # "Added 0 events" after a click, before
    assert views.commit_label("d", 4, 4, 0, True) is None


def test_a_view_with_no_event_is_framed_on_its_datasets_events_not_on_a_default_region(catalog, registry):
    import datetime as dt

    from lib import store

    frame = make_frame("fiji")
    frame["latitude"] = [-16.5, -16.6, -17.0, -16.8, -16.4]
    frame["longitude"] = [179.9, -179.9, 178.5, 179.2, -179.5]
    frame["country"] = "Fiji"
    store.write_dataset(frame, "fiji", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    assert queries.dataset_extent(events, "fiji") is not None
    for state in (FilterState(dataset="fiji"), FilterState(dataset="fiji", date_from=dt.date(2030, 1, 1))):
        view = views.map_view(events, registry, state, 100, 100)
        west, south, east, north = view.figure.layout.meta["bounds"]
        assert (west, east) == pytest.approx((178.0, 180.6), abs=0.51) and south < -16.5 < north, view.events


def test_events_too_near_a_pole_for_a_web_map_are_counted_as_points_and_as_cells(catalog, registry):
    from lib import store

    frame = make_frame("poles")
    frame.loc[0, ["latitude", "longitude"]] = [89.0, 10.0]
    frame.loc[1, ["latitude", "longitude"]] = [-85.2, 10.0]
    frame.loc[2, ["latitude", "longitude"]] = [85.0, 10.0]  # still on the map
    store.write_dataset(frame, "poles", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    state = FilterState(dataset="poles")
    assert views.map_view(events, registry, state, 100, 100).beyond == 2
    cells = views.map_view(events, registry, state, 1, 100)
    assert cells.kind == "cells" and cells.beyond == 2


def test_a_box_drawn_across_the_antimeridian_narrows_to_both_sides_and_is_framed_there(catalog, registry):
    import datetime as dt

    from lib import filters, store

    frame = make_frame("fiji")
    frame["latitude"] = [-16.5, -16.6, -17.0, -16.8, -30.0]
    frame["longitude"] = [179.9, -179.9, 178.5, -179.5, 179.9]
    store.write_dataset(frame, "fiji", "csv", catalog_path=catalog)
    events = store.Store(catalog)
    state = FilterState(dataset="fiji")
    # the map's box corners near the antimeridian run past 180 (a lasso's too, from mapchart.js)
    corners = [{"lat": -17.2, "lon": 179.5}, {"lat": -16.0, "lon": 180.8}]
    narrowed = views.selection_to_state(events, state, "points", corners, "fiji")
    assert narrowed.area == pytest.approx((179.4995, -17.2005, -179.1995, -15.9995))
    assert queries.count_events(events, narrowed, registry) == 3  # 179.9, -179.9 and -179.5, not 178.5
    view = views.map_view(events, registry, narrowed, 100, 100)
    west, _, east, _ = view.figure.layout.meta["bounds"]
    assert 179 < west < 179.5 and 180.8 < east < 181  # framed on the box, past 180
    (outline,) = [layer for layer in view.figure.layout.map.layers if layer.name == "sitrep-selection"]
    assert max(x for x, _ in outline.source["geometry"]["coordinates"]) == pytest.approx(180.8005)
    # "narrow every view to this spot" at the antimeridian gives a link the URL check accepts
    area = views.spot_area(-16.5, 179.9995)
    assert area[0] > area[2]
    vocab = filters.Vocabulary(["fiji"], "fiji", dt.date(2020, 1, 1), dt.date(2021, 1, 1), [], [], [], [])
    state, notices = filters.from_query({"area": [",".join(str(v) for v in area)]}, vocab)
    assert not notices and state.area == pytest.approx(area)
