"""Data: the datasets in the store, and importing your own file."""

import streamlit as st

from lib import docs, session

store = session.get_store()
st.title("Data")
st.caption(session.view().description)
st.dataframe(docs.dataset_table(store.datasets()), hide_index=True)
