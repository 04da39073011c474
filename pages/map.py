"""Map: where the filtered strikes and attacks happened; click one for its details."""

import streamlit as st

from lib import config, filters, mapchart, session, views

view = session.view()
store = session.get_store()
state = view.state
dataset = view.dataset.name

session.heading(f"Map of {view.dataset.subject.lower()}")
tiles, borders = mapchart.background(config.get("SITREP_TILES"))
result = session.get_map(
    state, view.dataset.fingerprint, config.get("SITREP_MAX_POINTS"), config.get("SITREP_MAX_CELLS"), tiles, borders
)
# Notices come and go in a container that is always there: the columns below must keep their
# place in the page, or the browser remounts them and the map with them (a new MapLibre map,
# the user's zoom lost, ~0.1 s more per redraw).
with st.container():
    if result.note:
        st.info(result.note, icon=":material/grid_on:")
    if result.beyond:
        st.warning(
            f"{filters.count_text(result.beyond, 'event')} of this view "
            f"{'lies' if result.beyond == 1 else 'lie'} nearer a pole than {views.MERCATOR_LIMIT:.0f}° of latitude, "
            "where a web map stops, so the map cannot show "
            f"{'it' if result.beyond == 1 else 'them'}: the Events page lists "
            f"{'it' if result.beyond == 1 else 'them'} (check the coordinates).",
            icon=":material/public_off:",
        )
    if (state.cell or state.area) and st.button("Clear the map selection (cell / box)", icon=":material/close:"):
        st.session_state["p_cell"] = st.session_state["p_area"] = None
        st.rerun()
    if result.events == 0:
        st.warning(view.no_event)

# The map, and beside it the selected event's card, in view as soon as a dot is clicked
# (below the map it was off-screen). Where the card would be narrower than CARD_MIN_PX (a
# 1000 px window with the sidebar open left it ~150 px, a word per line), it goes below the
# map instead, at full width; Streamlit stacks the columns on a phone by itself.
CARD_MIN_PX = 220
st.html(
    "<style>.st-key-map_layout [data-testid=stHorizontalBlock]{flex-wrap:wrap}"
    f".st-key-map_layout [data-testid=stColumn]:nth-child(2){{min-width:{CARD_MIN_PX}px}}"
    # the card's title is an h2 under the page's h1, at a size its ~250 px column holds (at the
    # h2's own size "Shelling/artillery/missile attack — Erbil …" ran over five lines)
    ".st-key-map_layout [data-testid=stColumn]:nth-child(2) h2{font-size:1.3rem;line-height:1.3}"
    # the title takes the focus when an event opens (mapchart.js): its outline clear of the text
    ".st-key-map_layout [data-testid=stColumn]:nth-child(2) h2:focus{outline-offset:4px;border-radius:2px}</style>"
)
map_column, card_column = st.container(key="map_layout").columns([5, 2], gap="medium")
key_text = (
    "Cells: size shows the events in each, colour the people killed where the number is known; "
    "grey rings: the number killed is unknown for every event in the cell"
    if result.kind == "cells"
    else "Filled dots: size shows people killed and injured as reported. Rings: number killed unknown"
)
# What the map's PNG (its toolbar's camera) carries besides the map: the page's sentence, the
# key, where the background and the events come from, and the link back to this view.
start, end = state.date_from or view.min_date, state.date_to or view.max_date
export = {
    "title": view.sentence,
    # its name to a screen reader: what it shows, and where its text version is
    "label": f"Map: {view.sentence}. The Events page lists these events as a table, with their sources.",
    "lines": [
        key_text + ".",
        f"Events: Sitrep dataset “{dataset}”; each event's sources are in its details at the link below. "
        + ("Background © OpenStreetMap contributors." if tiles else "Borders: Natural Earth 1:50m."),
        "Link: " + view.link,
    ],
    "filename": f"sitrep-map-{start:%Y-%m-%d}_{end:%Y-%m-%d}.png",
}
with map_column:
    points = mapchart.map_chart(result.figure_json, export)
    st.caption(
        (
            key_text
            + (
                " (hover for counts by type). "
                if result.kind == "cells"
                # two colours may look alike (to one reader in twelve, several do): the filter tells
                else ". Colour is the type: to see one type alone, choose it under Event type. "
            )
        )
        + (
            "Background © OpenStreetMap contributors."
            if tiles
            else "No tile server answers, so the background is country borders only (Natural Earth 1:50m)."
        )
        + ' The toolbar\'s "Download the map as PNG" button (the camera) saves it with this key, the sentence'
        " above and the link."
    )
if points:  # a click or a box/lasso selection, just made
    changed = views.selection_to_state(store, state, result.kind, points, dataset, result.cell_size)
    if changed is not None:
        for key in ("event", "cell", "area"):
            st.session_state[f"p_{key}"] = getattr(changed, key)
        st.rerun()

card = session.get_card(dataset, view.dataset.fingerprint, state.event) if state.event else None
with card_column:
    if card is None:
        st.caption(
            ("Click a cell to narrow the map to it." if result.splittable else "The Events table lists these events.")
            if result.kind == "cells"
            else "Click a dot for the event's details: its date, place, casualties, how precise each is, and the "
            "reports it comes from. With a keyboard or a screen reader, the Events page lists the same events: "
            "Shift+Space on a row opens its details here."
        )
        if result.events:
            session.table_link(view, result.events)
    else:
        with st.container(border=True):
            if st.button("Close details", icon=":material/close:"):
                st.session_state["p_event"] = None
                st.rerun()
            st.header(card["title"], anchor=False)  # h2 under the page's h1
            if result.kind == "points" and not result.selected_drawn:
                st.caption(":material/visibility_off: Outside the current filters, so not on the map.")
            st.markdown(f"**Date:** {card['date']}  \n**Date precision:** {card['date_precision']}")
            first, second = filters.actor_roles(view.dataset.directed)  # ACLED/UCDP: no direction
            st.markdown(f"**{first}:** {card['attacker']}  \n**{second}:** {card['target']}")
            st.markdown(f"**Place:** {card['place']}  \n**Coordinates:** {card['coordinates']}")
            st.markdown(f"**Place precision:** {card['geo_precision']}")
            if card["same_place_total"]:  # drawn under this dot, so out of a click's reach: listed here
                others = card["same_place_total"]
                with st.expander(
                    f"{others:,} other event{'s' if others != 1 else ''} at these coordinates (any date, any filter)"
                ):
                    for other, label in card["same_place"]:
                        if st.button(label, key=f"here_{other}"):
                            st.session_state["p_event"] = other
                            st.rerun()
                    if card["same_place_total"] > len(card["same_place"]):
                        st.caption(f"The {len(card['same_place'])} newest are listed.")
                    if st.button("Narrow every view to this spot", icon=":material/my_location:"):
                        st.session_state["p_area"] = views.spot_area(card["lat"], card["lon"])
                        st.session_state["p_cell"] = None
                        st.rerun()
            st.markdown(f"**Killed:** {card['fatalities']}  \n**Injured:** {card['injuries']}")
            st.text(card["notes"])
            st.markdown(f"**Sources:** {card['sources']}")
            for host, url in card["links"]:
                st.link_button(
                    f"Read the report ({host})",
                    url,
                    icon=":material/open_in_new:",
                    help="Opens in a new tab",  # said, not only drawn (the icon)
                )
            if card["unlinked_names"]:
                st.caption(f"Named only, with no link: {'; '.join(card['unlinked_names'])}.")
            elif card["unlinked"]:
                st.caption(
                    f"{card['unlinked']} of the {card['unlinked'] + len(card['links'])} sources named "
                    f"{'has' if card['unlinked'] == 1 else 'have'} no link: "
                    f"{'it is' if card['unlinked'] == 1 else 'they are'} named only."
                )
            for label, linked in (("Answers", card["response_to"]), ("Answered by", card["answered_by"])):
                for other in linked:  # follow the chain: select the linked event
                    if st.button(f"{label}: {card['labels'][other]}", key=f"link_{label}_{other}"):
                        st.session_state["p_event"] = other
                        st.rerun()
            if card["response_to_missing"]:
                st.caption(
                    f"Answers {', '.join(card['response_to_missing'])}, which "
                    f"{'is' if len(card['response_to_missing']) == 1 else 'are'} not in this dataset."
                )
            st.caption(f"Event id {views.md_escape(card['event_id'])} in dataset {views.md_escape(card['dataset'])}")
