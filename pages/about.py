"""About the data: the datasets with counts, licence and provenance, and the codebook."""

import streamlit as st

from lib import docs, session, views

store = session.get_store()
st.title("About the data")
st.caption(session.view().description)
st.header("Datasets")
st.dataframe(
    docs.dataset_table(store.datasets()),
    hide_index=True,
    column_config={"events": st.column_config.NumberColumn(format="localized")},  # 100,005
)
# The codebook's wide tables fit a phone's screen: each row's cells one under the other, the
# first (the field) in bold. (Scrolling on their own, they kept keyboard users from their
# right-hand columns; wrapped in place, a field's name broke every two letters.)
CELLS = "[data-testid='stMarkdownContainer'] table"
st.html(
    "<style>@media (max-width: 640px){"
    f"{CELLS},{CELLS} :is(thead,tbody,tr,th,td){{display:block;width:auto;border:none}}"
    f"{CELLS} thead{{display:none}}"
    f"{CELLS} tr{{border-bottom:1px solid #d6d6d6;padding:0.4rem 0}}"
    f"{CELLS} td{{padding:0.1rem 0}}{CELLS} td:first-child{{font-weight:600}}"
    f"{CELLS} code{{white-space:normal;overflow-wrap:anywhere}}"
    "}</style>"
)
for info in store.datasets():
    st.markdown(f"**{views.md_escape(info.name)}** — {views.md_escape(info.licence)}")  # a plain table's is typed
st.header("Codebook")
st.markdown(docs.codebook_for_readers())
