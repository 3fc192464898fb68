"""Two server processes starting at the same moment on one fresh PostgreSQL database (a shared deployment's
first start): both migrate it at once, both find no study and try to make the sample study at once. The
database ends migrated once, with one sample study, and neither process is ever shown that study without its
demand file (the second waits for the first to fill it). The browser journey on two servers is
tests/test_browser_two_servers.py."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
from sqlalchemy import func, select

from workbench.flow.model import parse_map
from workbench.store import db, models, sample, studies

START_SECONDS = 120


def _start(url: str, barrier: Any, results: Any) -> None:
    """What a server does when it starts and its first page opens: migrate, make the sample if none, read it."""
    engine = db.engine_for(url)
    try:
        barrier.wait(START_SECONDS)
        revision = db.migrate(engine)
        barrier.wait(START_SECONDS)
        with db.sessions(engine)() as s:
            made = sample.ensure_sample_study(s) is not None
        with db.sessions(engine)() as s:
            listed = studies.list_studies(s)
            source = studies.current_demand_source(s, listed[0].id, with_data=False) if listed else None
            maps = [m.name for m in studies.list_maps(s, listed[0].id)] if listed else []
        results.put((revision, made, [x.name for x in listed], source.name if source else None, sorted(maps)))
    except BaseException as exc:  # noqa: BLE001 - reported to the test, which fails with it
        results.put(repr(exc))
        raise
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_servers_start_together_on_one_database(database_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")  # each a process of its own, as two servers are
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_start, args=(database_url, barrier, results)) for _ in range(2)]
    for p in procs:
        p.start()
    seen = [results.get(timeout=START_SECONDS) for _ in procs]
    for p in procs:
        p.join(START_SECONDS)
    assert all(isinstance(r, tuple) for r in seen), seen
    assert [p.exitcode for p in procs] == [0, 0]

    folder = sample.samples()[0].maps_dir()
    expected_maps = sorted(parse_map(f.read_text(encoding="utf-8-sig"), f.name, f).name
                           for f in folder.glob("*.yaml"))
    head = db.head_revision()
    # both reached the latest schema; exactly one made the sample; both saw it whole
    assert sorted(r[1] for r in seen) == [False, True]
    for revision, _made, listed, source, maps in seen:
        assert revision == head
        assert listed == [sample.SAMPLE_STUDY]
        assert source == sample.samples()[0].demand.name
        assert maps == expected_maps

    engine = db.engine_for(database_url)
    try:
        with db.sessions(engine)() as s:
            assert s.scalar(select(func.count()).select_from(models.StudyRow)) == 1
            assert s.scalar(select(func.count()).select_from(models.DemandSourceRow)) == 1
            assert s.scalar(select(func.count()).select_from(models.MapVersionRow)) == len(expected_maps)
    finally:
        engine.dispose()
