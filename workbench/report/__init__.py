"""The study report people keep: one self-contained HTML file (and a PDF of it) with the Dashboard's figures.

`gather(session, study_id)` reads the study, `build(data, quotes=...)` makes the `Report`, `to_html(report)`
writes it, `html_to_pdf(html)` prints it. The CLI (`workbench study report`) and the Dashboard's button both
go through `make_report`. docs/report.md says what is in it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from workbench.report.build import MAX_QUOTES, StudyData, build, gather
from workbench.report.html import to_html
from workbench.report.model import Report
from workbench.report.pdf import PdfUnavailable, find_chromium, html_to_pdf

__all__ = ["MAX_QUOTES", "PdfUnavailable", "Report", "StudyData", "build", "find_chromium", "gather",
           "html_to_pdf", "make_report", "to_html"]


def make_report(session: Session, study_id: int, *, quotes: int = 0, now: datetime | None = None) -> str:
    """The study's report as HTML, read and built in one store session (as the session's actor)."""
    return to_html(build(gather(session, study_id), quotes=quotes, now=now))
