"""Workbench app entry point: page set-up and navigation. Each page lives in its own file in pages/."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="Workbench", page_icon="🔧", layout="wide")

navigation = st.navigation(
    [
        st.Page(PAGES / "demand.py", title="Demand", icon=":material/forum:", default=True),
    ]
)
st.sidebar.caption("Workbench: study demand, map the flow, compare designs.")
navigation.run()
