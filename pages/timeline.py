"""Timeline: events and casualties over time by type, with retaliation links."""

import streamlit as st

from lib import figures, session, views

view = session.view()
session.heading("Timeline")
result = views.timeline_view(session.get_store(), session.get_registry(), view.state, view.min_date, view.max_date)
if view.count == 0:
    st.warning(view.no_event)
# the counts with thousands separators, as the killed column ("18,559") has, all right-aligned:
# "16347" beside "18,559", in two alignments, read as different kinds of figure
TABLE_CONFIG = {
    "Events": st.column_config.NumberColumn(format="localized"),
    "People killed (known figures)": st.column_config.TextColumn(alignment="right"),
    "Events with number killed unknown": st.column_config.NumberColumn(format="localized"),
}
# Before the charts, which are images to a screen reader (their text is axis ticks, in no order):
# their counts as text, and the events' table
if view.count:
    with st.expander(f"The counts per {result.bin} as a table"):
        st.dataframe(result.table, hide_index=True, width="stretch", column_config=TABLE_CONFIG)
    session.table_link(view, view.count)
    st.caption(
        "With a keyboard or a screen reader, the Events page lists the same events, with their dates, types, "
        "casualties and the events they answer."
    )
chart = st.plotly_chart(
    result.figure, key="timeline", config=figures.PLOTLY_CONFIG, on_select="rerun", selection_mode="points"
)
points = list(getattr(getattr(chart, "selection", None), "points", None) or [])
clicked = views.timeline_click(session.get_store(), view.dataset.name, points) if points else None
if clicked:  # an event on the lanes: open it on the Map, with these filters
    st.session_state["p_event"] = clicked
    session.switch_page("pages/map.py")
if result.lane_shown:
    side = "attacker's" if view.dataset.directed else "actor 1's"  # ACLED/UCDP: no direction
    st.caption(
        f"Bottom panel: every event on the lane of its {side} side (affiliation), coloured by type; an arrow runs "
        f"from an event to the one a source says answered it ({result.links} link{'s' if result.links != 1 else ''} "
        "in view). Rings: number killed unknown. Click an event to open its details on the map, with these filters."
    )
elif view.count:
    st.caption("Too many events to draw one by one; narrow the filters to see each event and the retaliation links.")
