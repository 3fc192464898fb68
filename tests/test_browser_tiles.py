"""Headline tiles at 1280x720 in Chromium (a projector's screen, the sidebar open): no tile's label or figure
is cut short ("Flow efficie…", "100.…"). Each label and figure is measured as drawn: the text of an element
whose content is wider than its box (scrollWidth > clientWidth) is cut. The Flow, Demand (its headline and its
End to end tab) and Dashboard pages have tiles; the Compare page shows its figures in tables, not tiles."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pages import ARTIFACTS, TIMEOUT_MS, AppPage, FlowPage

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}

# Every tile shown, with whether its label or its figure is cut: once the page's fonts are loaded (a figure
# measured in a fallback font would say nothing).
_MEASURE = """async () => {
  await document.fonts.ready;
  const cut = (el) => !!el && [el, ...el.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1);
  return [...document.querySelectorAll('[data-testid="stMetric"]')].filter(m => m.offsetParent !== null).map(m => {
    const label = m.querySelector('[data-testid="stMetricLabel"]'), value = m.querySelector('[data-testid="stMetricValue"]');
    return {label: label.innerText.trim(), value: value.innerText.trim(), width: m.clientWidth,
            cut: cut(label) || cut(value)};
  });
}"""


class Tiles(AppPage):
    """The headline tiles of whatever page is open."""

    def expect_shown(self, count: int) -> None:
        expect(self.page.locator('[data-testid="stMetric"]:visible')).to_have_count(count, timeout=TIMEOUT_MS)

    def measured(self) -> list[dict[str, Any]]:
        return self.page.evaluate(_MEASURE)


def assert_none_cut(tiles: Tiles, labels: list[str]) -> None:
    tiles.expect_shown(len(labels))
    shown = tiles.measured()
    assert [t["label"] for t in shown] == labels
    assert [t for t in shown if t["cut"]] == []
    assert all(t["value"] and "…" not in t["value"] + t["label"] for t in shown)


def test_flow_tiles_are_not_cut_at_1280x720(page: Page, flow_server) -> None:
    server, _ = flow_server
    page.set_viewport_size(PROJECTOR)
    FlowPage(page, server.url).open_flow()
    tiles = Tiles(page, server.url)
    assert_none_cut(tiles, ["Hand-offs", "One-stop", "End-to-end days", "Value steps", "Touch minutes",
                            "Failure demand", "Flow efficiency"])
    widths = {t["width"] for t in tiles.measured()}
    assert len(widths) == 1 and widths.pop() >= 180  # two rows of equal columns, each wide enough to read
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "flow-tiles-1280x720.png"))


def test_demand_and_dashboard_tiles_are_not_cut_at_1280x720(page: Page, app_server) -> None:
    page.set_viewport_size(PROJECTOR)
    demand = Tiles(page, app_server.url).open()
    assert_none_cut(demand, ["Demands", "Failure demand share", "Value demand", "Failure demand",
                             "Not yet classified", "Resolved at first contact"])
    demand.tab("End to end")
    assert_none_cut(demand, ["Demands", "Failure demand share", "Value demand", "Failure demand",
                             "Not yet classified", "Resolved at first contact", "Half of needs met within",
                             "85 in 100 met within", "95 in 100 met within", "Needs still open"])
    board = Tiles(page, app_server.url).open("dashboard")
    assert_none_cut(board, ["Demands", "Failure demand share", "Not yet classified", "Resolved at first contact",
                            "Half of needs met within", "85 in 100 met within", "Needs still open",
                            "Repeat contacts"])
