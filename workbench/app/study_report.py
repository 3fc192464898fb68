"""The Dashboard's study report downloads (HTML and PDF; docs/report.md), in the full app and a share link's view.

The report is made when a download button is clicked (Streamlit's deferred download data), never while the page
is drawn, and kept per state of the study (its `updated_at` moves with every change), so the Dashboard stays
fast and a second click, or a second person, gets it at once. The callable runs outside the page's run, so it
is given who is asking (their actor) and checks again, as they, that they may see the study.
"""

from __future__ import annotations

import functools

import streamlit as st

from workbench import report
from workbench.access import AccessDenied, Actor
from workbench.app import study
from workbench.store import db, share_links, studies
from workbench.store.access import acting

HTML_LABEL = "Download the study report (HTML)"
PDF_LABEL = "Download the study report (PDF)"
QUOTES_LABEL = "Customers' words in the report"


@st.cache_data(show_spinner=False, max_entries=8)
def _html(database: str, study_id: int, state: str, quotes: int, _actor: Actor) -> bytes:
    """The report of the study in this state (`state`: its updated_at), as UTF-8 bytes."""
    with acting(db.sessions(study.engine())(), _actor) as session:
        return report.make_report(session, study_id, quotes=quotes).encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=4)
def _pdf(database: str, study_id: int, state: str, quotes: int, _actor: Actor) -> bytes:
    return report.html_to_pdf(_html(database, study_id, state, quotes, _actor).decode("utf-8"))


def _allowed(actor: Actor, study_id: int, token: str | None) -> None:
    """Raises AccessDenied when `actor` may no longer see the study (a role taken away), and LinkRefused when the
    share link it came by (`token`) no longer opens it (withdrawn, expired): checked at each click, as a page
    checks the link at each run."""
    with acting(db.sessions(study.engine())(), actor) as session:
        if token is not None and share_links.open_link(session, token) != study_id:
            raise AccessDenied("This link does not open this study.")
        studies.get_study(session, study_id)


def html_bytes(database: str, study_id: int, state: str, quotes: int, actor: Actor, token: str | None = None
               ) -> bytes:
    _allowed(actor, study_id, token)
    return _html(database, study_id, state, quotes, actor)


def pdf_bytes(database: str, study_id: int, state: str, quotes: int, actor: Actor, token: str | None = None
              ) -> bytes:
    _allowed(actor, study_id, token)
    return _pdf(database, study_id, state, quotes, actor)


def file_stem(name: str) -> str:
    """A file name from the study's name: letters, digits, '-' and '_' only."""
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in name).strip("_")[:60]
    return (stem or "study") + "_report"


def buttons(found: studies.Study, *, team: bool) -> None:
    """The report's download buttons; for the team (`team`) also how many of the customers' words to include.
    A share link's holder, or the dashboard opened on its own, gets the report without any (the team's words
    stay with the team)."""
    st.markdown("**Study report**: the headline, demand, end-to-end time, the designs compared, what they assume "
                "and the data used, in one file that opens without Workbench or a network.")
    quotes = 0
    columns = st.columns(3, vertical_alignment="bottom")
    if team:
        quotes = int(columns[2].number_input(
            QUOTES_LABEL, min_value=0, max_value=report.MAX_QUOTES, value=0, step=1, key=f"report_quotes_{found.id}",
            help="How many examples of the customers' own words the report quotes (0-20; none by default). The "
                 "report is for people outside the team: choose what they may read."))
    actor = study.actor()
    token = st.query_params.get(share_links.PARAM) if actor.kind == "link" else None  # kept in memory only
    args = (study.database_key(), found.id, found.updated_at.isoformat(), quotes, actor, token)
    stem = file_stem(found.name)
    columns[0].download_button(HTML_LABEL, functools.partial(html_bytes, *args), file_name=f"{stem}.html",
                               mime="text/html", on_click="ignore", icon=":material/description:")
    if report.find_chromium():
        columns[1].download_button(PDF_LABEL, functools.partial(pdf_bytes, *args), file_name=f"{stem}.pdf",
                                   mime="application/pdf", on_click="ignore", icon=":material/picture_as_pdf:")
    else:
        columns[1].caption("A PDF needs Chromium on the server; the HTML report prints the same from a browser.")
