"""Nothing the page showed as saved is lost when the server process is killed: edits through the real pages
in Chromium, SIGKILL, a new server on the same database, and every edit is there."""

from __future__ import annotations

import csv
import signal
from pathlib import Path

import pytest
from flow_fixtures import SMALL_HANDOFFS, SMALL_HANDOFFS_AFTER_ROLE_CHANGE, maps_folder
from playwright.sync_api import Page, expect

from workbench.store import db, studies

from conftest import AppServer, _need_chromium
from independent import SAMPLE_CSV, sample_expected
from pages import DemandPage, FlowPage, StudiesPage

pytestmark = pytest.mark.browser


def test_saved_edits_survive_a_killed_server(page: Page, tmp_path: Path) -> None:
    _need_chromium()
    env = {"WORKBENCH_DATA_DIR": str(tmp_path / "data"), "WORKBENCH_MAPS_DIR": str(maps_folder(tmp_path))}
    server = AppServer(tmp_path, env=env).start()
    exp = sample_expected()
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        first = next(csv.DictReader(f))
    old = first["nature"]
    new = "value" if old == "failure" else "failure"
    value_demand = f"{exp.value + (1 if new == 'value' else -1):,}"
    try:
        # 1. a correction in the customers' words table: the first row's value/failure
        demand = DemandPage(page, server.url).open()
        demand.enter_text("Your name", "Ann")
        demand.correct_first_row("Value or failure", new)
        demand.expect_saved(1)
        demand.expect_headline("Value demand", value_demand)
        demand.reload()  # a refresh keeps the correction; the name is typed again (never kept in the address)
        expect(page.get_by_role("textbox", name="Your name")).to_have_value("", timeout=60_000)
        demand.enter_text("Your name", "Ann")
        demand.expect_headline("Value demand", value_demand)

        # 2. a map edit: a step's role, so a hand-off disappears
        flow = FlowPage(page, server.url)
        flow.go_to("Flow")  # same session
        flow.expect_heading()
        flow.expect_headline("Hand-offs", f"{SMALL_HANDOFFS:.2f}")
        flow.change_step_role("Process in the back office (process)", "agent")
        flow.expect_version(2)
        flow.expect_headline("Hand-offs", f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}")

        # 3. the study renamed on the Studies page
        studies_page = StudiesPage(page, server.url)
        studies_page.go_to("Studies")
        studies_page.rename("Repairs pilot")
        url = page.url
    finally:
        assert server.process is not None
        server.process.send_signal(signal.SIGKILL)  # no clean shut-down
        assert server.process.wait(timeout=10) == -signal.SIGKILL

    again = AppServer(tmp_path, env=env).start()
    try:
        query = url.split("?", 1)[1]  # study=…, and no name
        assert "who=" not in query
        demand = DemandPage(page, again.url).open(f"?{query}")
        demand.expect_headline("Value demand", value_demand)
        expect(demand.expect_saved(1)).to_contain_text("by Ann")
        expect(page.get_by_text("Study: Repairs pilot")).to_be_visible()
        flow = FlowPage(page, again.url)
        flow.open(f"flow?{query}")
        flow.expect_heading()
        flow.expect_headline("Hand-offs", f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}")
        flow.expect_version(2)
    finally:
        again.stop()
    # and the store says who did each of them
    engine = db.engine_for(f"sqlite:///{tmp_path / 'data' / 'workbench.db'}")
    try:
        with db.sessions(engine)() as s:
            found = studies.find_study(s, "Repairs pilot")
            assert found is not None
            log = studies.correction_log(s, found.id)
            assert [(c.row, c.field, c.after, c.author) for c in log] == [(2, "nature", new, "Ann")]
            versions = studies.list_map_versions(s, found.id, "Small service")
            assert [(v.version, v.author) for v in versions][-1] == (2, "Ann")
    finally:
        engine.dispose()
