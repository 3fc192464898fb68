"""The study report in a browser: downloaded from the Dashboard (the team's and a share link's view), then opened
with all network blocked: its charts are drawn and nothing is asked of any server."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from workbench.store import share_links

from conftest import AppServer, _need_chromium
from pages import DashboardPage, OfflineReport
from report_fixtures import compared, sample_study, store

pytestmark = pytest.mark.browser


def test_the_report_downloads_from_the_dashboard_and_opens_offline(page: Page, browser: Browser, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _need_chromium()
    server = AppServer(tmp_path).start()
    try:
        board = DashboardPage(page, server.url)
        board.open()  # first start: the sample study is made
        monkeypatch.setenv("WORKBENCH_DATA_DIR", server.env["WORKBENCH_DATA_DIR"])  # the server's database
        with store() as s:
            sid = sample_study(s)
            snap = compared(s, sid)
            link = share_links.make_link(s, sid, label="for the director")

        board.open(f"?study={sid}")
        board.go_to("Dashboard")
        expect(board.report_button(DashboardPage.REPORT_PDF)).to_be_visible()
        saved = board.download_report(tmp_path / "team")
        assert saved.name == "Housing_repairs_sample_report.html"

        report = OfflineReport(browser, saved)
        try:
            expect(report.page).to_have_title("Housing repairs sample: study report")
            expect(report.section("headline")).to_contain_text("of the demand the team has classified is failure")
            expect(report.section("designs")).to_contain_text(snap["headline"][:60])
            expect(report.section("designs").locator("table th").first).to_have_text("Measure")
            report.expect_charts_drawn(at_least=8)  # demand (4), weekly, end to end, distribution, 2 designs
            assert report.outside_requests() == []
        finally:
            report.close()

        # a share link's holder downloads the same report from the shared view
        shared = DashboardPage(page, server.url)
        shared.open(link.path().lstrip("/"))
        expect(page.get_by_role("heading", name="Housing repairs sample")).to_be_visible()
        theirs = shared.download_report(tmp_path / "shared")
        assert theirs.read_text(encoding="utf-8").count("<svg") == saved.read_text(encoding="utf-8").count("<svg")
        board.expect_no_exception()
    finally:
        server.stop()
