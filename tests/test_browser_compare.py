"""Real-browser journey on the Compare page: the two sample designs, their headline and table."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pages import ARTIFACTS, ComparePage

pytestmark = pytest.mark.browser


def test_compare_the_two_sample_designs(page: Page, app_server) -> None:
    compare = ComparePage(page, app_server.url).open_compare()
    headline = compare.headline_text()
    assert "Housing repairs - redesign" in headline and "resolved at first contact" in headline
    rows = compare.results_table()
    header, body = rows[0], {r[0]: r[1:] for r in rows[1:]}
    assert header[1:3] == ["Housing repairs - as is", "Housing repairs - redesign"]
    one_stop = body["Resolved at one stop"]
    assert f"{one_stop[1].split()[0]} resolved at first contact" in headline  # the headline reads the table
    median = body["End-to-end days (median)"]
    assert float(median[1].split()[0]) < float(median[0].split()[0])
    expect(page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart").nth(4)).to_be_attached()  # at least 5 charts
    compare.expect_no_exception()
    ARTIFACTS.mkdir(exist_ok=True)
    compare.screenshot(ARTIFACTS / "compare.png")
