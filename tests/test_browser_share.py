"""A study's owner makes a share link on the Dashboard page; a manager opens it in another browser: the
dashboard alone, whatever they change in the address; withdrawn, it is refused. The token never reaches the
server's log."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from workbench.store import db, studies
from workbench.store.sample import SAMPLE_STUDY

from conftest import AppServer
from pages import TIMEOUT_MS, AppPage

pytestmark = pytest.mark.browser
OTHER = "Other team's secret study"


class SharePanel(AppPage):
    """The owner's Dashboard page and its "Share a read-only link" panel."""

    def open_panel(self) -> None:
        self.page.get_by_text("Share a read-only link", exact=True).click()
        expect(self.page.get_by_role("button", name="Make a link")).to_be_visible(timeout=TIMEOUT_MS)

    def make(self, label: str) -> str:
        self.page.get_by_role("textbox", name="What the link is for (optional)").fill(label)
        self.press("Make a link")
        code = self.page.get_by_test_id("stCode")
        expect(code).to_contain_text("?share=", timeout=TIMEOUT_MS)
        return code.inner_text().strip()

    def withdraw(self) -> None:
        self.press("Withdraw")
        expect(self.page.get_by_text(re.compile(r"withdrawn on .* UTC"))).to_be_visible(timeout=TIMEOUT_MS)


class SharedDashboard(AppPage):
    """What the link's holder sees."""

    def expect_alone(self, name: str) -> None:
        expect(self.page.get_by_role("heading", name=name)).to_be_visible(timeout=TIMEOUT_MS)
        self.expect_headline("Demands", "2,532")
        expect(self.page.get_by_test_id("stSidebar")).to_have_count(0)
        expect(self.page.get_by_test_id("stSidebarNav")).to_have_count(0)
        for kind in ("stTextInput", "stSelectbox", "stFileUploader", "stButton", "stDataEditor", "stNumberInput",
                     "stExpander"):
            expect(self.page.get_by_test_id(kind)).to_have_count(0)
        expect(self.page.get_by_text(OTHER)).to_have_count(0)
        self.expect_no_exception()

    def expect_refused(self, words: str) -> None:
        expect(self.page.get_by_role("heading", name="This link does not open")).to_be_visible(timeout=TIMEOUT_MS)
        expect(self.page.get_by_test_id("stAlertContentInfo")).to_contain_text(words)
        expect(self.page.get_by_text(SAMPLE_STUDY)).to_have_count(0)
        expect(self.page.get_by_test_id("stSidebar")).to_have_count(0)


def test_a_share_link_opens_one_dashboard_and_nothing_else(page: Page, browser: Browser,
                                                           app_server: AppServer) -> None:
    owner = SharePanel(page, app_server.url)
    owner.open()  # first start: the sample study is made
    engine = db.engine_for(f"sqlite:///{app_server.env['WORKBENCH_DATA_DIR']}/workbench.db")
    try:
        with db.sessions(engine)() as s:
            found = studies.find_study(s, SAMPLE_STUDY)
            assert found is not None
            other = studies.create_study(s, OTHER)
    finally:
        engine.dispose()

    owner.open(f"dashboard?study={found.id}")
    owner.open_panel()
    link = owner.make("For the director")
    assert re.fullmatch(rf"{re.escape(app_server.url)}/\?share=[A-Za-z0-9_-]{{43}}", link), link
    token = link.rsplit("=", 1)[1]

    manager_context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        board = SharedDashboard(manager_context.new_page(), app_server.url)
        board.open(link.removeprefix(app_server.url + "/"))
        board.expect_alone(SAMPLE_STUDY)
        # the address edited as an attacker would: another study, an editing page, the old dashboard view
        for edited in (f"?share={token}&study={other.id}", f"flow?share={token}&view=flow",
                       f"studies?share={token}&view=studies&study={other.id}",
                       f"?share={token}&view=dashboard&study={other.id}"):
            board.open(edited)
            board.expect_alone(SAMPLE_STUDY)
        board.open(f"?share={token[:-3]}abc")  # a changed token
        board.expect_refused("does not open anything")

        owner.withdraw()
        board.open(link.removeprefix(app_server.url + "/"))
        board.expect_refused("This link was withdrawn on")
    finally:
        manager_context.close()
    assert token not in app_server.log_path.read_text(errors="replace")
