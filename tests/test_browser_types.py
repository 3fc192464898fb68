"""Classifying a whole demand type in the browser: the tiles follow, and a second person's browser sees the
study's catalogue change. Expected counts are recounted from the uploaded file with plain csv reading."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from conftest import AppServer, _need_chromium
from pages import DemandPage

pytestmark = pytest.mark.browser

ROWS = [("2026-01-05 09:00", "Phone", "Report a leak", "water through the ceiling"),
        ("2026-01-05 10:00", "Phone", "Report a leak", "dripping tap"),
        ("2026-01-06 11:00", "Phone", "Where is my repair", "still waiting for the plumber"),
        ("2026-01-07 12:00", "Email", "Where is my repair", "nobody came again"),
        ("2026-01-07 13:00", "Email", "Where is my repair", "third time I have called"),
        ("2026-01-08 09:00", "Counter", "Book a gas safety check", "annual check")]


def test_a_type_classified_in_one_browser_moves_the_tiles_in_both(browser: Browser, tmp_path: Path) -> None:
    _need_chromium()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["received_at", "touchpoint", "demand_type", "customer_words"])
    writer.writerows(ROWS)
    path = tmp_path / "no_natures.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    chasing = sum(1 for r in csv.DictReader(io.StringIO(out.getvalue())) if r["demand_type"] == "Where is my repair")
    server = AppServer(tmp_path).start()
    try:
        ann_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        bob_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        ann = DemandPage(ann_ctx.new_page(), server.url).open()
        ann.enter_text("Your name", "Ann")
        ann.upload(path)
        ann.expect_headline("Failure demand", "0")

        ann.decide_type("Where is my repair", "failure")
        ann.expect_headline("Failure demand", f"{chasing:,}")

        bob = DemandPage(bob_ctx.new_page(), server.url).open()  # another person, opened after
        bob.enter_text("Your name", "Bob")
        bob.expect_headline("Failure demand", f"{chasing:,}")
        bob.expect_type_decision("Where is my repair", "failure")
        bob.decide_type("Report a leak", "value")
        bob.expect_headline("Value demand", "2")
        ann.reload()
        ann.expect_headline("Value demand", "2")
        ann_ctx.close()
        bob_ctx.close()
    finally:
        server.stop()
