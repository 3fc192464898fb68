"""Suggestions in the browser: three accepted are found in the corrections list as "suggested, accepted" with
the person's name; the tile of demands not yet classified goes down by three."""

from __future__ import annotations

import csv

import pytest
from playwright.sync_api import Page, expect

from independent import SAMPLE_CSV
from pages import TIMEOUT_MS, DemandPage

pytestmark = pytest.mark.browser


def test_accept_three_suggestions(page: Page, app_server) -> None:  # noqa: ANN001 - the server fixture
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        unclassified = sum(1 for r in csv.DictReader(f) if r["received_at"].strip() and not r["nature"].strip()
                           and not r["demand_type"].strip())
    demand = DemandPage(page, app_server.url).open()
    demand.enter_text("Your name", "Ann")
    demand.expect_headline("Not yet classified", f"{unclassified:,}")
    demand.show_suggestions()
    expect(page.get_by_test_id("stAlertContentInfo").filter(has_text="suggestions agree")).to_be_visible(
        timeout=TIMEOUT_MS)
    words = [demand.suggestion_words(i) for i in range(3)]
    for i in range(3):
        demand.pick_suggestion(i)
    with demand.rerun():
        page.get_by_role("button", name="Accept the picked").click()
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="Accepted 3 suggestion(s)")).to_be_visible(
        timeout=TIMEOUT_MS)
    demand.expect_headline("Not yet classified", f"{unclassified - 3:,}")

    demand.tab(demand.WORDS_TAB)
    history = page.get_by_text("Corrections made (", exact=False).first
    history.click()
    grid = demand.grid("How")
    expect(demand.grid_cell(grid, 0, "How")).to_have_text("suggested, accepted", timeout=TIMEOUT_MS)
    for row in range(3):
        expect(demand.grid_cell(grid, row, "Who")).to_have_text("Ann", timeout=TIMEOUT_MS)
        expect(demand.grid_cell(grid, row, "How")).to_have_text("suggested, accepted", timeout=TIMEOUT_MS)
    assert all(w for w in words)
