"""The floor for the browser benchmark (not part of Sitrep): a Streamlit app with one date
slider and one caption, nothing else. Its slider → caption time is what any Streamlit rerun
costs on this machine, before a query, a figure or a map.
"""

import datetime as dt

import streamlit as st

lo, hi = dt.date(2020, 1, 1), dt.date(2024, 12, 31)
start, end = st.sidebar.slider("Dates", min_value=lo, max_value=hi, value=(lo, hi))
st.caption(f"Floor app, {start} – {end}: {(end - start).days + 1:,} days, no events")
