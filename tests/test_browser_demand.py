"""Real-browser journeys on the Demand page: Chromium, driven by Playwright, against `streamlit run`."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_expected import independent, percentile
from playwright.sync_api import Page, expect

from independent import MESSY_CSV, SAMPLE_CSV, messy_expected, sample_expected
from pages import ARTIFACTS, DemandPage

pytestmark = pytest.mark.browser


def test_first_start_shows_the_sample_with_charts(page: Page, app_server) -> None:
    demand = DemandPage(page, app_server.url).open()
    exp = sample_expected()
    demand.expect_headline("Demands", f"{exp.rows:,}")
    demand.expect_headline("Failure demand share", f"{exp.failure_share:.0%}")
    expect(page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg")).to_be_visible(timeout=60_000)
    demand.expect_rendered_charts(at_least=3)
    demand.expect_no_exception()


def test_the_downloads_are_made_when_asked_for(page: Page, app_server, tmp_path: Path) -> None:
    """The classified demand is made on the click (deferred), not while the page is drawn: it still arrives."""
    demand = DemandPage(page, app_server.url).open()
    exp = sample_expected()
    demand.expect_headline("Demands", f"{exp.rows:,}")
    demand.tab("Download")
    demand.wait_idle()
    with page.expect_download(timeout=60_000) as csv_download:
        page.get_by_role("button", name="Download CSV").click()
    csv_path = tmp_path / csv_download.value.suggested_filename
    csv_download.value.save_as(csv_path)
    assert csv_path.name.endswith("_classified.csv")
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert "Row in file" in lines[0] and len(lines) >= exp.rows + 1
    with page.expect_download(timeout=60_000) as xlsx_download:
        page.get_by_role("button", name="Download Excel").click()
    xlsx_path = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx_path)
    assert xlsx_path.name.endswith("_classified.xlsx") and xlsx_path.read_bytes()[:2] == b"PK"
    demand.expect_no_exception()


def test_upload_a_messy_csv_and_read_the_headline(page: Page, app_server, tmp_path: Path) -> None:
    demand = DemandPage(page, app_server.url).open()
    demand.upload(MESSY_CSV)
    without = messy_expected(use_catalogue=False)  # a file of one's own: no catalogue until one is chosen
    demand.expect_headline("Value demand", f"{without.value:,}")
    demand.use_sample_catalogue()
    exp = messy_expected()
    demand.expect_headline("Demands", f"{exp.rows:,}")
    demand.expect_headline("Value demand", f"{exp.value:,}")
    demand.expect_headline("Failure demand", f"{exp.failure:,}")
    demand.expect_headline("Failure demand share", f"{exp.failure_share:.0%}")
    for row in exp.set_aside_rows:
        expect(demand.report()).to_contain_text(str(row))
    expect(page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg")).to_be_visible(timeout=60_000)
    demand.expect_rendered_charts(at_least=3)
    demand.tab("Demand types")
    pareto = page.get_by_test_id("stVegaLiteChart").filter(has_text="What customers contact us about")
    expect(pareto.locator("svg, canvas").first).to_be_visible()
    demand.expect_no_exception()
    ARTIFACTS.mkdir(exist_ok=True)
    demand.screenshot(ARTIFACTS / "demand-upload.png")


def test_the_end_to_end_tab_draws_the_customers_clock(page: Page, app_server) -> None:
    demand = DemandPage(page, app_server.url).open()
    demand.expect_headline("Demands", f"{sample_expected().rows:,}")
    demand.tab("End to end")
    demand.wait_idle()
    exp = independent(SAMPLE_CSV.read_text(encoding="utf-8"))
    met = [n["days"] for n in exp["needs"].values() if n["met"]]
    demand.expect_headline("Needs still open", f"{len(exp['needs']) - len(met):,}")
    demand.expect_headline("Half of needs met within", f"{percentile(met, 50):,.1f} days")
    for title in ("Capability: average days", "How long customers wait", "Share of needs met within"):
        chart = page.get_by_test_id("stVegaLiteChart").filter(has_text=title)
        expect(chart.locator("svg, canvas").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("later contacts are about needs already raised")).to_be_visible()
    demand.expect_no_exception()
    ARTIFACTS.mkdir(exist_ok=True)
    demand.screenshot(ARTIFACTS / "demand-end-to-end.png")
