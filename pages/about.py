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
# The codebook's wide tables scroll on their own on a phone, not the whole page
st.html("<style>[data-testid='stMarkdownContainer'] table { display: block; overflow-x: auto; }</style>")
for info in store.datasets():
    st.markdown(f"**{views.md_escape(info.name)}** — {views.md_escape(info.licence)}")  # a plain table's is typed
st.header("Codebook")
st.markdown(docs.codebook_for_readers())
