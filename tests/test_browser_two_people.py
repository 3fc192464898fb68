"""Two people correcting one study at once, in two Chromium windows on one server: a correction to another
row is kept, a correction to a row someone changed since the page showed it is refused with their name and
value, and nothing is overwritten. (tests/test_browser_two_servers.py runs the same with each person on a
server of their own, both on one PostgreSQL database.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from workbench.store import db

from conftest import AppServer, _need_chromium
from pages import expect_two_corrections_stored, two_people_correct

pytestmark = pytest.mark.browser


def test_two_people_correct_one_study(browser: Browser, tmp_path: Path) -> None:
    _need_chromium()
    server = AppServer(tmp_path).start()
    try:
        two_people_correct(browser, server.url, server.url)
    finally:
        server.stop()
    engine = db.engine_for(f"sqlite:///{server.env['WORKBENCH_DATA_DIR']}/workbench.db")
    try:
        expect_two_corrections_stored(engine)
    finally:
        engine.dispose()
