"""Timeline: events and casualties over time by type, with retaliation links."""

import streamlit as st

from lib import figures, session, views

view = session.view()
st.title("Timeline")
st.caption(view.description)
result = views.timeline_view(session.get_store(), session.get_registry(), view.state, view.min_date, view.max_date)
if view.count == 0:
    st.warning("No event matches these filters. Widen the dates or remove a filter.")
st.plotly_chart(result.figure, key="timeline", config=figures.PLOTLY_CONFIG)
if result.lane_shown:
    st.caption(
        f"Bottom panel: every event on its attacker's lane, coloured by type; an arrow runs from an event to the one "
        f"a source says answered it ({result.links} link{'s' if result.links != 1 else ''} in view). "
        "Rings: casualties unknown."
    )
else:
    st.caption("Too many events to draw one by one; narrow the filters to see each event and the retaliation links.")
