"""About the data: the datasets with counts, licence and provenance, and the codebook."""

import json

import streamlit as st

from lib import docs, session, views

store = session.get_store()
session.heading("About the data")
st.header("Datasets")
st.dataframe(
    docs.dataset_table(store.datasets()),
    hide_index=True,
    column_config={"events": st.column_config.NumberColumn(format="localized")},  # 100,005
)
# The codebook's wide table fits a phone's screen: each row's cells one under another, the
# first (the field) in bold, the others named by their column, as the header row is not shown.
# (Scrolling on its own, its right-hand columns were out of a keyboard's reach; wrapped in
# place, a field's name broke every two letters.)
CELLS = "[data-testid='stMarkdownContainer'] table"
NAMED = "".join(
    f"{CELLS} td:nth-child({i})::before{{content:{json.dumps(name + ': ')};color:#5e5d5b}}"
    for i, name in enumerate(docs.codebook_columns(), start=1)
    if i > 1
)
st.html(
    "<style>@media (max-width: 640px){"
    f"{CELLS},{CELLS} :is(thead,tbody,tr,th,td){{display:block;width:auto;border:none}}"
    f"{CELLS} thead{{display:none}}"
    f"{CELLS} tr{{border-bottom:1px solid #d6d6d6;padding:0.4rem 0}}"
    f"{CELLS} td{{padding:0.1rem 0}}{CELLS} td:first-child{{font-weight:600}}{NAMED}"
    f"{CELLS} code{{white-space:normal;overflow-wrap:anywhere}}"
    "}</style>"
)
for info in store.datasets():
    st.markdown(f"**{views.md_escape(info.name)}** — {views.md_escape(info.licence)}")  # a plain table's is typed
st.header("Codebook")
st.markdown(docs.codebook_for_readers())
