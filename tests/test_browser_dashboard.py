"""A study's dashboard opened on its own in Chromium: the page alone, read-only, drawn from what the study
stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from workbench import paths
from workbench.demand.catalogue import load_catalogue
from workbench.demand.load import load_demand
from workbench.flow.model import load_map
from workbench.sim.compare import compare
from workbench.sim.snapshot import snapshot
from workbench.store import db, studies
from workbench.store.sample import SAMPLE_STUDY

from conftest import AppServer, _need_chromium
from pages import AppPage

pytestmark = pytest.mark.browser


def test_the_dashboard_link_opens_the_stored_comparison_read_only(page: Page, tmp_path: Path) -> None:
    _need_chromium()
    server = AppServer(tmp_path).start()
    try:
        AppPage(page, server.url).open()  # first start: the sample study is created
        catalogue = load_catalogue(paths.SAMPLE_CATALOGUE)
        frame = load_demand(paths.SAMPLE_DEMAND, catalogue=catalogue).frame
        maps = [load_map(paths.PROCESS_MAPS_DIR / f)
                for f in ("housing_repairs_standard_work.yaml", "housing_repairs_worker_led.yaml")]
        result = compare(maps, frame, catalogue=catalogue, weeks=2, replications=1, seed=3)
        engine = db.engine_for(f"sqlite:///{server.env['WORKBENCH_DATA_DIR']}/workbench.db")
        try:
            with db.sessions(engine)() as s:
                found = studies.find_study(s, SAMPLE_STUDY)
                assert found is not None
                studies.save_comparison_run(s, found.id, {"weeks": 2}, snapshot(result, frame["received_at"].min()),
                                            "Ann")
        finally:
            engine.dispose()

        # the dashboard on its own (share links, which managers are given, open the same page: test_browser_share)
        link = f"{server.url}/?view=dashboard&study={found.id}"
        board = AppPage(page, server.url)
        board.open(link.removeprefix(server.url + "/"))
        expect(page.get_by_role("heading", name=SAMPLE_STUDY)).to_be_visible(timeout=60_000)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(result.headline())
        board.expect_headline("Demands", "2,532")
        # read-only and on its own: no navigation, no study picker, nothing to type, pick or press
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
        for kind in ("stTextInput", "stSelectbox", "stFileUploader", "stButton", "stDataEditor"):
            expect(page.get_by_test_id(kind)).to_have_count(0)
        expect(page.get_by_text("Capability: Housing repairs - as is")).to_be_visible()
        expect(page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg")).to_be_visible(timeout=60_000)
        board.expect_rendered_charts(at_least=6)  # demand charts, the distribution, two capability charts
        board.expect_no_exception()
    finally:
        server.stop()
