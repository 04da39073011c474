"""The floor for the browser benchmark (not part of Sitrep): a Streamlit app with one date
slider and one caption, nothing else. Its slider → caption time is what any Streamlit rerun
costs on this machine, before a query, a figure or a map.

With ``FLOOR_FREEZE=1`` it does about the garbage collector what Sitrep does
(lib/session.freeze_long_lived_objects): after its first run it collects and freezes what is
alive, so Streamlit's full collection after each run (``runner.postScriptGC``) walks only
that run's objects. Without it, that collection walks all of Streamlit's own objects, ~30 ms
here, and the caption's deltas wait for it: that is the floor of an app that keeps
Streamlit's defaults, not of Sitrep.
"""

import datetime as dt
import gc
import os

import streamlit as st

lo, hi = dt.date(2020, 1, 1), dt.date(2024, 12, 31)
start, end = st.sidebar.slider("Dates", min_value=lo, max_value=hi, value=(lo, hi))
st.caption(f"Floor app, {start} – {end}: {(end - start).days + 1:,} days, no events")

if os.environ.get("FLOOR_FREEZE") == "1" and not st.session_state.get("frozen"):
    st.session_state["frozen"] = True  # per session; freezing again costs little
    gc.collect()
    gc.freeze()
