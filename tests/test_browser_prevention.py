"""Real-browser journey: the team assumes its redesign prevents most progress chasing, sees the assumption in
the headline and the table beside the design without it, publishes it, and the managers' dashboard says what
was assumed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from pages import ARTIFACTS, TIMEOUT_MS, ComparePage

pytestmark = pytest.mark.browser

REDESIGN = "Housing repairs - redesign"
ASSUMES = f"{REDESIGN} (assumes 60% of progress chasing is prevented)"


def test_a_redesign_that_prevents_progress_chasing_with_and_without(page: Page, app_server) -> None:
    compare = ComparePage(page, app_server.url).open_compare()
    compare.headline_text()  # the first visit's comparison, nothing assumed
    compare.set_number("Replications", 2)
    compare.assume_prevented(REDESIGN, "progress chasing", percent=60)
    compare.run_comparison()
    expect(compare.headline_box()).to_contain_text(ASSUMES, timeout=TIMEOUT_MS)
    expect(compare.headline_box()).to_contain_text("without it (the whole sample)")
    compare.expect_results_of(["Housing repairs - as is", REDESIGN, f"{REDESIGN} (nothing prevented)"])
    expect(compare.results_cell("Failure demand assumed prevented", REDESIGN)).to_have_text(
        re.compile(r"^60% of progress chasing \(on average [0-9,]+ of the sample's demands left out\)$"))
    expect(compare.results_cell("Failure demand assumed prevented", f"{REDESIGN} (nothing prevented)")).to_have_text(
        "none: the same design on the whole sample")
    expect(compare.results_cell("The 95% intervals cover", REDESIGN)).to_have_text("service times only")
    compare.expect_no_exception()
    compare.publish()

    compare.go_to("Dashboard")
    expect(page.get_by_text("What this comparison assumes")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(f"Failure demand assumed prevented: {REDESIGN} assumes 60% of progress chasing is "
                            "prevented.", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile(rf"^Staffing of {re.escape(REDESIGN)}: Repairs coordinator"))).to_be_visible()
    expect(page.get_by_test_id("stAlertContentSuccess").first).to_contain_text(ASSUMES)
    compare.expect_no_exception()
    ARTIFACTS.mkdir(exist_ok=True)
    compare.screenshot(ARTIFACTS / "dashboard_prevention.png")
