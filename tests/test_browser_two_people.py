"""Two people correcting one study at once, in two Chromium windows on one server: a correction to another
row is kept, a correction to a row someone changed since the page showed it is refused with their name and
value, and nothing is overwritten."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from workbench.store import db, studies
from workbench.store.sample import SAMPLE_STUDY

from conftest import AppServer, _need_chromium
from independent import SAMPLE_CSV
from pages import DemandPage

pytestmark = pytest.mark.browser


def test_two_people_correct_one_study(browser: Browser, tmp_path: Path) -> None:
    _need_chromium()
    server = AppServer(tmp_path).start()
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert (rows[0]["nature"], rows[1]["nature"]) == ("failure", "failure")
    try:
        ann_ctx, bob_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}), \
            browser.new_context(viewport={"width": 1400, "height": 1000})
        ann = DemandPage(ann_ctx.new_page(), server.url).open("?who=Ann")
        bob = DemandPage(bob_ctx.new_page(), server.url).open("?who=Bob")  # both look at row 2 as 'failure'

        ann.correct_first_row("Value or failure", "value")
        ann.expect_saved(1)

        # Bob's page still shows row 2 as it was: his change to it is refused, with Ann's name and value
        bob.correct_first_row("Value or failure", "unclassified")
        refusal = bob.page.get_by_test_id("stAlertContentError").filter(has_text="Ann corrected row 2")
        expect(refusal).to_be_visible(timeout=60_000)
        expect(refusal).to_contain_text("to 'value'")
        expect(refusal).to_contain_text("'unclassified' was not saved")

        # Bob finds another demand (row 3) and corrects it: kept, beside Ann's
        bob.search_words(rows[1]["customer_words"][:40])
        bob.correct_first_row("Value or failure", "value")
        bob.expect_saved(2)
        ann_ctx.close()
        bob_ctx.close()
    finally:
        server.stop()
    engine = db.engine_for(f"sqlite:///{server.env['WORKBENCH_DATA_DIR']}/workbench.db")
    try:
        with db.sessions(engine)() as s:
            found = studies.find_study(s, SAMPLE_STUDY)
            assert found is not None
            log = studies.correction_log(s, found.id)
            assert [(c.row, c.field, c.before, c.after, c.author) for c in log] == [
                (2, "nature", "failure", "value", "Ann"), (3, "nature", "failure", "value", "Bob")]
    finally:
        engine.dispose()
