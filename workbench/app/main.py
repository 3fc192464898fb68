"""Workbench app entry point: page set-up, the study picker and navigation. Each page is a file in views/.

A share link (`?share=<token>`, workbench/app/share.py) opens one study's dashboard alone, read-only, and
nothing else whatever the address says. `?view=dashboard&study=<id>` shows a study's dashboard on its own
for people already using the app: a view, not a permission. When the server has sign-in configured
(docs/access.md), every other page first asks the person to sign in (workbench/app/signin.py).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from workbench.app import share, signin, study

PAGES = Path(__file__).parent / "views"  # not "pages/": that name switches on Streamlit's older page mode

st.set_page_config(page_title="Workbench", page_icon="🔧", layout="wide")

dashboard = st.Page(PAGES / "dashboard.py", title="Dashboard", icon=":material/dashboard:", url_path="dashboard")
if share.requested():  # a share link's holder: its study's dashboard or a plain refusal; nothing below runs
    share.run(dashboard)
    st.stop()
if not signin.gate():  # sign-in configured and nobody signed in: the sign-in page only, nothing of any study
    st.stop()
database_ok = True
studies_page = st.Page(PAGES / "studies.py", title="Studies", icon=":material/folder_open:", url_path="studies")
if st.query_params.get("view") == "dashboard":
    navigation = st.navigation([dashboard], position="hidden")
elif study.only_views():  # a viewer of this study: its dashboard (and reports), and the studies they may open
    navigation = st.navigation([
        st.Page(PAGES / "dashboard.py", title="Dashboard", icon=":material/dashboard:", url_path="dashboard",
                default=True),
        studies_page,
    ])
else:
    navigation = st.navigation(
        [
            st.Page(PAGES / "demand.py", title="Demand", icon=":material/forum:", default=True),
            st.Page(PAGES / "flow.py", title="Flow", icon=":material/account_tree:"),
            st.Page(PAGES / "compare.py", title="Compare", icon=":material/compare_arrows:"),
            dashboard,
            studies_page,
        ]
    )
if st.query_params.get("view") != "dashboard":
    with study.page_errors("the sidebar"), study.database_errors() as reachable:
        study.sidebar()
    database_ok = reachable.ok
    st.sidebar.caption("Workbench: study demand, map the flow, compare designs. Every change is saved in the "
                       "study as you make it.")
if database_ok:  # else the message is shown once, not again by the page
    # A page's unexpected error is a sentence and a reference (the traceback goes to the server's log), and
    # Streamlit is told to show no error details either (.streamlit/config.toml, `workbench app`).
    with study.page_errors(f"page {navigation.url_path or 'demand'}"), study.database_errors():
        navigation.run()
