"""The naive baseline dashboard for the browser benchmark (not part of Sitrep).

What the usual Streamlit + Plotly dashboard does: the whole dataset in a pandas frame,
filtered in pandas, drawn with ``px.scatter_map`` and hover data over every filtered row.
Reads the Parquet file named by ``NAIVE_PARQUET``.
"""

import os

import pandas as pd
import plotly.express as px
import pyarrow.parquet as pq
import streamlit as st


@st.cache_data
def load(path: str) -> pd.DataFrame:
    # the file as it was before it held the search text (Sitrep's own, as this app has no search)
    return pd.read_parquet(path, columns=[c for c in pq.read_schema(path).names if c != "search"])


frame = load(os.environ["NAIVE_PARQUET"])
lo, hi = frame["event_date"].min().date(), frame["event_date"].max().date()
start, end = st.sidebar.slider("Dates", min_value=lo, max_value=hi, value=(lo, hi))
view = frame[(frame["event_date"].dt.date >= start) & (frame["event_date"].dt.date <= end)]
st.caption(f"{len(view):,} events")
fig = px.scatter_map(
    view, lat="latitude", lon="longitude", color="sub_event_type",
    hover_data=["event_date", "actor1", "actor2", "fatalities", "injuries", "location"],
    map_style="white-bg",  # the one change: no basemap, so it draws here without internet, as Sitrep does
)  # fmt: skip
st.plotly_chart(fig)
