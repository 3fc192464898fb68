"""Two `workbench app` servers on one PostgreSQL database, as a shared deployment behind a load balancer runs:
the two-people journey (tests/pages.py) with Ann on one server and Bob on the other. What one server saves
the other shows (Bob's page counts Ann's correction, Ann's counts Bob's), and a change to a row the other
person changed since is refused with their name, exactly as on one server.

Both servers start at once on a fresh, empty database (so their migrations run at the same moment) and the two
windows open at once (so both servers' first runs try to create the sample study at the same moment).

The database is made by the test on the local PostgreSQL (WORKBENCH_TEST_DATABASE_URL's server if set) and
dropped after; without PostgreSQL or Chromium the test skips with the reason, and fails under CI=true."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlalchemy import func, select
from store_fixtures import new_pg_database

from workbench.store import db, models
from workbench.store.sample import SAMPLE_STUDY

from conftest import AppServer, _need_chromium
from pages import expect_two_corrections_stored, two_people_correct

pytestmark = pytest.mark.browser

START_SECONDS = 120  # a busy 2-core machine: importing pandas and migrating can take a while


@pytest.fixture
def shared_database() -> Iterator[str]:
    """A fresh PostgreSQL database of this test's own (dropped at the end, connections and all)."""
    with new_pg_database("workbench_servers") as url:
        yield url


class WorkbenchApp(AppServer):
    """`workbench app --headless --port N` on the database at `url`; stopping it sends SIGTERM to `workbench
    app`, which passes it on to its server and waits for it."""

    NAME = "workbench-app"
    STOP_SECONDS = 30

    def __init__(self, tmp: Path, url: str) -> None:
        super().__init__(tmp)
        self.env["WORKBENCH_DATABASE_URL"] = url  # the data folder is unused: the URL wins

    def command(self) -> list[str]:
        return [sys.executable, "-m", "workbench.cli", "app", "--headless", "--port", str(self.port)]


def _start_together(servers: list[WorkbenchApp]) -> None:
    for server in servers:
        server.launch()
    deadline = time.monotonic() + START_SECONDS
    waiting = list(servers)
    while waiting and time.monotonic() < deadline:
        waiting = [s for s in waiting if not s.answers()]
        if waiting:
            time.sleep(0.3)  # polling a server's health, not waiting on the page
    if waiting:
        raise RuntimeError("workbench app did not answer:\n" + "\n".join(s.log_path.read_text() for s in waiting))


def test_two_people_on_two_servers_share_one_database(browser: Browser, shared_database: str,
                                                      tmp_path: Path) -> None:
    _need_chromium()
    first, second = WorkbenchApp(tmp_path, shared_database), WorkbenchApp(tmp_path, shared_database)
    assert first.port != second.port
    try:
        _start_together([first, second])
        two_people_correct(browser, first.url, second.url, open_together=True)
    finally:
        first.stop()
        second.stop()
    logs = first.log_path.read_text() + second.log_path.read_text()
    assert "Traceback" not in logs, logs

    engine = db.engine_for(shared_database)
    try:
        assert db.current_revision(engine) == db.head_revision()  # migrated once, to the latest
        with db.sessions(engine)() as s:
            # the sample study was made once, whole: one study of that name, one demand file, its maps
            assert s.scalar(select(func.count()).select_from(models.StudyRow)) == 1
            assert s.scalar(select(models.StudyRow.name)) == SAMPLE_STUDY
            assert s.scalar(select(func.count()).select_from(models.DemandSourceRow)) == 1
            assert s.scalar(select(func.count()).select_from(models.MapRow)) == len(_sample_maps())
        expect_two_corrections_stored(engine)
    finally:
        engine.dispose()


def _sample_maps() -> list[Path]:
    from workbench import paths

    return sorted(paths.process_maps_dir().glob("*.yaml"))
