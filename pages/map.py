"""Map: where the filtered strikes and attacks happened; click one for its details."""

import streamlit as st

from lib import basemap, config, mapchart, session, views

view = session.view()
store = session.get_store()
state = view.state
dataset = view.dataset.name

st.title("Map of strikes and attacks")
st.caption(view.description)
tiles = basemap.tile_url(config.get("SITREP_TILES"))
result = session.get_map(
    state, view.dataset.fingerprint, config.get("SITREP_MAX_POINTS"), config.get("SITREP_MAX_CELLS"), tiles
)
if result.note:
    st.info(result.note, icon=":material/grid_on:")
if (state.cell or state.area) and st.button("Clear the map selection (cell / box)", icon=":material/close:"):
    st.session_state["p_cell"] = st.session_state["p_area"] = None
    st.rerun()
if result.events == 0:
    st.warning("No event matches these filters. Widen the dates or remove a filter (or press Reset in the sidebar).")

points = mapchart.map_chart(result.figure_json)
if points:  # a click or a box/lasso selection, just made
    changed = views.selection_to_state(store, state, result.kind, points, dataset, result.cell_size)
    if changed is not None:
        for key in ("event", "cell", "area"):
            st.session_state[f"p_{key}"] = getattr(changed, key)
        st.rerun()
st.caption(
    "Filled dots: size shows people killed and injured as reported. Rings: casualties unknown. "
    + ("Background © OpenStreetMap contributors." if tiles else "No map tiles: the tile server cannot be reached.")
)

if state.event:
    card = views.event_card(store, dataset, state.event)
    if card:
        with st.container(border=True):
            st.subheader(card["title"])
            left, right = st.columns(2)
            left.markdown(f"**Date:** {card['date']}  \n**Date precision:** {card['date_precision']}")
            left.markdown(f"**Attacker:** {card['attacker']}  \n**Target:** {card['target']}")
            right.markdown(f"**Place:** {card['place']}  \n**Coordinates:** {card['coordinates']}")
            right.markdown(f"**Place precision:** {card['geo_precision']}")
            right.markdown(f"**Killed:** {card['fatalities']}  \n**Injured:** {card['injuries']}")
            st.text(card["notes"])
            st.markdown(f"**Sources:** {card['sources']}")
            for host, url in card["links"]:
                st.link_button(f"Read the report ({host})", url, icon=":material/open_in_new:")
            for label, linked in (("Answers", card["response_to"]), ("Answered by", card["answered_by"])):
                for other in linked:  # follow the chain: select the linked event
                    if st.button(f"{label}: {views.md_escape(other)}", key=f"link_{label}_{other}"):
                        st.session_state["p_event"] = other
                        st.rerun()
            st.caption(f"Event id {views.md_escape(card['event_id'])} in dataset {views.md_escape(card['dataset'])}")
            if st.button("Close details", icon=":material/close:"):
                st.session_state["p_event"] = None
                st.rerun()
