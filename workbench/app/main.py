"""Workbench app entry point: page set-up and navigation. Each page lives in its own file in views/."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "views"  # not "pages/": that name switches on Streamlit's older page mode

st.set_page_config(page_title="Workbench", page_icon="🔧", layout="wide")

navigation = st.navigation(
    [
        st.Page(PAGES / "demand.py", title="Demand", icon=":material/forum:", default=True),
        st.Page(PAGES / "flow.py", title="Flow", icon=":material/account_tree:"),
        st.Page(PAGES / "compare.py", title="Compare", icon=":material/compare_arrows:"),
    ]
)
st.sidebar.caption("Workbench: study demand, map the flow, compare designs.")
navigation.run()
