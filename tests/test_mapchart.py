"""The Map page's map component (lib/mapchart.py): what it sends and where its library lives."""

from __future__ import annotations

import json

import pandas as pd
import plotly.io as pio
import streamlit as st

from lib import figures, mapchart


def test_payload_is_the_figure_json_unescaped_with_the_library_url_and_config():
    points = pd.DataFrame(
        {
            "rowkey": [1, 2],
            "lat": [35.3, 34.4],
            "lon": [40.1, 40.9],
            "type": ["Air/drone strike"] * 2,
            "event_date": pd.to_datetime(["2021-02-25", "2021-02-26"]),
            "fatalities": [22, None],
            "injuries": [None, None],
            "actor1": ["United States", "United States"],
            "actor2": ['Kata\'ib "Hezbollah"', None],
            "location": ["Abu Kamal", "Mayadin"],
            "geo_precision": [1, 2],
        }
    )
    fig = figures.make_event_map(points)
    raw = mapchart.payload(pio.to_json(fig, validate=False), "/component/x/plotly.min.js")
    decoded = json.loads(raw)
    assert decoded["plotly"] == "/component/x/plotly.min.js"
    assert decoded["config"]["scrollZoom"] is True
    assert decoded["figure"] == json.loads(pio.to_json(fig, validate=False))
    # the figure travels as JSON, not as a JSON string inside JSON (no escaped quotes)
    assert len(raw) < len(pio.to_json(fig, validate=False)) + 200


def test_plotly_url_is_this_servers_copy_of_the_packages_plotly_js(monkeypatch):
    assert (mapchart.PLOTLY_DIR / "plotly.min.js").stat().st_size > 1_000_000
    assert mapchart.plotly_url() == "/component/lib.mapchart.plotly_js/plotly.min.js"
    real = st.get_option
    monkeypatch.setattr(st, "get_option", lambda name: "/sitrep/" if name == "server.baseUrlPath" else real(name))
    assert mapchart.plotly_url() == "/sitrep/component/lib.mapchart.plotly_js/plotly.min.js"
