"""The study store, on SQLite (a file in tmp_path) and on PostgreSQL, every test on both.

PostgreSQL: WORKBENCH_TEST_DATABASE_URL, else the local server (postgres@127.0.0.1:5432) when it answers. The
session makes its own database `workbench_test_<random>` (dropped at the end) and each test its own schema
in it. Without a server the PostgreSQL half is skipped with the reason on a user's machine and fails under
CI (CI=true), where the server is part of the machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flow_fixtures import SMALL_MAP as MAP
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench import schema
from workbench.demand.catalogue import parse_catalogue
from workbench.demand.corrections import Correction, apply_corrections
from workbench.demand.load import load_demand
from workbench.flow import merge
from workbench.flow.model import parse_map
from workbench.store import db, studies
from workbench.store.models import (
    ComparisonRunRow,
    CorrectionRow,
    DemandSourceRow,
    MapRow,
    MapVersionRow,
    StudyRow,
)
from workbench.store.studies import ConflictError, DuplicateNameError, NotFoundError

ROOT = Path(__file__).resolve().parent.parent
TABLES = {"studies", "demand_sources", "corrections", "maps", "map_versions", "comparison_runs", "catalogue_versions",
          "study_members", "share_links"}


CSV = b"Date,Type,V/F\n2026-01-05,Report a leak,\n2026-01-05,Chasing a repair,\n2026-01-06,Report a leak,V\n"
CATALOGUE = "types:\n  - type: Report a leak\n    nature: value\n  - type: Chasing a repair\n    nature: failure\n"


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture
def study(session: Session) -> studies.Study:
    """A study with a demand file loaded, so that its rows can be corrected."""
    made = studies.create_study(session, "Housing repairs", "The 2026 sample")
    studies.set_demand_source(session, made.id, "demand.csv", CSV, mapping={"received_at": "Date"})
    return made


def count(session: Session, model: type, **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    with session.begin():
        return int(session.scalar(query) or 0)


# ------------------------------------------------------------------------------------------ database


def test_database_url_and_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(db.ENV_DATABASE_URL, raising=False)
    monkeypatch.delenv(db.ENV_DATA_DIR, raising=False)
    assert db.PROJECT_ROOT == ROOT  # the default is <project root>/data/workbench.db ...
    monkeypatch.setattr(db, "PROJECT_ROOT", tmp_path / "checkout")  # ... shown without touching the checkout
    assert db.database_url() == f"sqlite:///{tmp_path / 'checkout' / 'data' / 'workbench.db'}"
    assert (tmp_path / "checkout" / "data").is_dir()
    folder = tmp_path / "nested" / "store"
    monkeypatch.setenv(db.ENV_DATA_DIR, str(folder))
    assert db.database_url() == f"sqlite:///{folder.resolve() / 'workbench.db'}"
    assert folder.is_dir()  # created
    monkeypatch.setenv(db.ENV_DATABASE_URL, "postgresql://someone@db.example/workbench")
    assert db.database_url() == "postgresql://someone@db.example/workbench"
    # a plain postgresql:// URL is driven by psycopg 3 (the one driver Workbench depends on)
    eng = db.engine_for(db.database_url())
    assert eng.dialect.driver == "psycopg"
    eng.dispose()


def test_migration_creates_every_table(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from workbench.store.models import Base

    found = inspect(engine)
    assert set(found.get_table_names()) == TABLES | {"alembic_version"}
    assert {c["name"] for c in found.get_columns("corrections")} == {
        "id", "study_id", "source_id", "row", "field", "before", "after", "author", "created_at", "version", "batch",
        "note"}
    assert {c["name"] for c in found.get_columns("demand_sources")} == {
        "id", "study_id", "name", "data", "mapping", "date_order", "sheet", "header_row", "catalogue_text",
        "reading_extra", "created_at", "created_by"}
    assert {tuple(u["column_names"]) for u in found.get_unique_constraints("map_versions")} == {("map_id", "version")}
    for table in TABLES - {"studies", "map_versions"}:
        fks = {fk["referred_table"]: fk["options"].get("ondelete") for fk in found.get_foreign_keys(table)}
        expected = {"studies": "CASCADE"} | ({"demand_sources": "CASCADE"} if table == "corrections" else {})
        assert fks == expected, table
    assert {tuple(u["column_names"]) for u in found.get_unique_constraints("corrections")} == {
        ("source_id", "row", "field", "version")}
    assert db.current_revision(engine) == db.head_revision() == "0006"
    # the migration builds exactly what the models describe
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_migrate_twice_is_a_noop(engine: Engine, session: Session) -> None:
    made = studies.create_study(session, "Kept")
    before = {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in TABLES}
    assert db.migrate(engine) == "0006"
    assert db.migrate(engine) == "0006"
    assert {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in TABLES} == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0006"]
    assert [s.id for s in studies.list_studies(session)] == [made.id]


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    eng = db.engine_for(f"sqlite:///{tmp_path / 'sub' / 'w.db'}")  # the folder is created
    try:
        db.migrate(eng)
        with eng.connect() as a, eng.connect() as b:  # two pooled connections: both set up
            for conn in (a, b):
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.BUSY_TIMEOUT_MS
        # foreign keys are enforced: a correction for a study that does not exist is refused
        with pytest.raises(IntegrityError), eng.begin() as conn:
            conn.execute(CorrectionRow.__table__.insert().values(
                study_id=999, row=2, field="nature", after="failure", author="", version=1,
                created_at=datetime.now(UTC)))
    finally:
        eng.dispose()


# ------------------------------------------------------------------------------------------ studies


def test_study_crud(session: Session) -> None:
    a = studies.create_study(session, "  Housing   repairs ", "The 2026 sample")
    assert (a.name, a.description, a.archived) == ("Housing repairs", "The 2026 sample", False)
    assert a.created_at.tzinfo is not None and abs(a.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    with pytest.raises(DuplicateNameError, match="already exists"):
        studies.create_study(session, "Housing repairs")
    with pytest.raises(ValueError, match="needs a name"):
        studies.create_study(session, "   ")
    b = studies.create_study(session, "adult social care")
    assert [s.name for s in studies.list_studies(session)] == ["adult social care", "Housing repairs"]

    renamed = studies.rename_study(session, a.id, "Repairs")
    assert renamed.name == "Repairs" and renamed.updated_at >= a.updated_at
    with pytest.raises(DuplicateNameError):
        studies.rename_study(session, a.id, "adult social care")
    assert studies.get_study(session, a.id).name == "Repairs"
    assert studies.find_study(session, "Repairs") == studies.get_study(session, a.id)

    assert studies.archive_study(session, b.id).archived is True
    assert [s.name for s in studies.list_studies(session)] == ["Repairs"]
    assert [s.name for s in studies.list_studies(session, include_archived=True)] == ["adult social care",
                                                                                    "Repairs"]
    assert studies.archive_study(session, b.id, archived=False).archived is False
    with pytest.raises(NotFoundError):
        studies.get_study(session, 10_000)


def test_each_call_sees_what_others_committed(engine: Engine, session: Session, study: studies.Study) -> None:
    """A long-lived session (as the app keeps one) never answers from what it loaded before."""
    assert studies.get_study(session, study.id).name == "Housing repairs"
    assert studies.correction_versions(session, study.id) == {}
    with db.sessions(engine)() as other:
        studies.rename_study(other, study.id, "Repairs 2026")
        studies.add_correction(other, study.id, 2, schema.NATURE, "failure", "Bob", 0)
    assert studies.get_study(session, study.id).name == "Repairs 2026"
    assert studies.correction_versions(session, study.id) == {(2, schema.NATURE): 1}
    assert not session.in_transaction() and len(session.identity_map) == 0


def test_delete_cascades_to_everything_in_the_study(session: Session, study: studies.Study) -> None:
    other = studies.create_study(session, "Other")
    for s in (study, other):
        studies.set_demand_source(session, s.id, "demand.csv", CSV, mapping={"received_at": "Date"})
        studies.add_correction(session, s.id, 2, schema.NATURE, "failure", "Ann", 0)
        studies.save_map_version(session, s.id, "As is", MAP, "Ann", None)
        studies.save_comparison_run(session, s.id, {"weeks": 4}, {"designs": []}, "Ann")
    studies.delete_study(session, study.id)
    with pytest.raises(NotFoundError):
        studies.get_study(session, study.id)
    for model in (DemandSourceRow, CorrectionRow, MapRow, ComparisonRunRow):
        assert count(session, model, study_id=study.id) == 0
        assert count(session, model, study_id=other.id) == 1
    assert count(session, MapVersionRow) == 1  # only the other study's
    assert count(session, StudyRow) == 1
    assert [s.name for s in studies.list_studies(session)] == ["Other"]


def test_demand_source_keeps_the_file_as_uploaded(session: Session) -> None:
    study = studies.create_study(session, "Fresh")
    assert studies.current_demand_source(session, study.id) is None
    assert studies.correction_versions(session, study.id) == {} and studies.corrections_for(session, study.id) == []
    with pytest.raises(NotFoundError, match="no demand data yet"):
        studies.add_correction(session, study.id, 2, schema.NATURE, "failure", "Ann", 0)
    studies.set_demand_source(session, study.id, "first.csv", CSV, author="Ann")
    blob = b"PK\x03\x04" + bytes(range(256)) * 4000 + b"\x00\xff"  # binary, ~1 MB, like an .xlsx
    studies.set_demand_source(session, study.id, "second.xlsx", blob, mapping={"received_at": "Logged on"},
                              date_order="dmy", sheet="Demand", header_row=3, catalogue_text=CATALOGUE,
                              author="Bob")
    current = studies.current_demand_source(session, study.id)
    assert current is not None
    assert (current.name, current.data, current.mapping) == ("second.xlsx", blob, {"received_at": "Logged on"})
    assert (current.date_order, current.sheet, current.header_row, current.created_by) == ("dmy", "Demand", 3, "Bob")
    assert current.catalogue_text == CATALOGUE
    assert count(session, DemandSourceRow, study_id=study.id) == 2  # the earlier one is kept
    # without the bytes: the same description, and the bytes by id (they never change)
    light = studies.current_demand_source(session, study.id, with_data=False)
    assert light is not None and light.data == b""
    assert (light.id, light.name, light.mapping, light.sheet) == (current.id, "second.xlsx", current.mapping, "Demand")
    assert studies.demand_file(session, light.id) == blob
    with pytest.raises(NotFoundError):
        studies.demand_file(session, 10_000)


# ------------------------------------------------------------------------------------------ corrections


def test_corrections_are_optimistic(session: Session, study: studies.Study) -> None:
    first = studies.add_correction(session, study.id, 2, schema.NATURE, "failure", "Ann", 0, before="value")
    assert (first.version, first.before, first.after, first.author) == (1, "value", "failure", "Ann")

    # Bob opened row 2 before Ann saved: his correction is refused, with Ann's value, name and time
    with pytest.raises(ConflictError) as caught:
        studies.add_correction(session, study.id, 2, schema.NATURE, "value", "Bob", 0)
    err = caught.value
    assert (err.value, err.author, err.version, err.at) == ("failure", "Ann", 1, first.created_at)
    assert "Ann corrected row 2's value or failure to 'failure'" in str(err)
    assert "'value' was not saved" in str(err)

    # having seen it, Bob corrects from version 1; another row never conflicts with row 2
    second = studies.add_correction(session, study.id, 2, schema.NATURE, "value", "Bob", 1)
    assert (second.version, second.before) == (2, "failure")
    other_row = studies.add_correction(session, study.id, 3, schema.NATURE, "value", "Cy", 0)
    other_field = studies.add_correction(session, study.id, 2, schema.DEMAND_TYPE, "Chasing a repair", "Cy", 0)
    assert other_row.version == other_field.version == 1
    with pytest.raises(ValueError, match="cannot be corrected"):
        studies.add_correction(session, study.id, 2, schema.RECEIVED_AT, "2026-01-01", "Cy", 0)

    assert studies.correction_versions(session, study.id) == {
        (2, schema.NATURE): 2, (3, schema.NATURE): 1, (2, schema.DEMAND_TYPE): 1}
    assert studies.corrections_for(session, study.id) == [
        Correction(2, schema.NATURE, "failure"), Correction(2, schema.NATURE, "value"),
        Correction(3, schema.NATURE, "value"), Correction(2, schema.DEMAND_TYPE, "Chasing a repair")]
    assert [c.author for c in studies.correction_log(session, study.id)] == ["Ann", "Bob", "Cy", "Cy"]

    # replayed onto the loaded data, the latest correction of each row's field stands
    loaded = load_demand(CSV, "d.csv", catalogue=parse_catalogue(CATALOGUE, "c.yaml")).frame
    out = apply_corrections(loaded, studies.corrections_for(session, study.id))
    by_row = out.set_index(schema.ROW)
    assert by_row.loc[2, schema.NATURE] == "value"
    assert by_row.loc[2, schema.DEMAND_TYPE] == "Chasing a repair"
    assert by_row.loc[3, schema.NATURE] == "value"


def test_corrections_belong_to_the_demand_file_they_were_made_on(session: Session,
                                                                   study: studies.Study) -> None:
    first_source = studies.current_demand_source(session, study.id)
    assert first_source is not None
    studies.add_correction(session, study.id, 2, schema.NATURE, "failure", "Ann", 0, source_id=first_source.id)
    second = studies.set_demand_source(session, study.id, "newer.csv", CSV, author="Bob")
    # the new file starts clean: row 2 of it is another demand
    assert studies.corrections_for(session, study.id) == []
    assert studies.correction_versions(session, study.id) == {}
    # someone still looking at the old file is told, and nothing lands on the new file's rows
    with pytest.raises(ConflictError, match="Bob loaded another demand file \\('newer.csv'\\)"):
        studies.add_correction(session, study.id, 3, schema.NATURE, "value", "Ann", 0, source_id=first_source.id)
    assert studies.corrections_for(session, study.id) == []
    # the old file's corrections are kept with it
    assert studies.corrections_for(session, study.id, first_source.id) == [Correction(2, schema.NATURE, "failure")]
    made = studies.add_correction(session, study.id, 2, schema.NATURE, "value", "Cy", 0, source_id=second.id)
    assert (made.version, made.source_id) == (1, second.id)
    with pytest.raises(NotFoundError):
        studies.corrections_for(session, study.id, 10_000)


def test_reading_the_same_file_differently_keeps_its_corrections(session: Session, study: studies.Study) -> None:
    source = studies.current_demand_source(session, study.id)
    assert source is not None
    studies.add_correction(session, study.id, 2, schema.NATURE, "failure", "Ann", 0)
    changed = studies.update_demand_reading(session, study.id, source.id, mapping={"received_at": "Date"},
                                            date_order="day-first", sheet=None, header_row=1,
                                            catalogue_text=CATALOGUE)
    assert (changed.id, changed.data, changed.date_order, changed.header_row) == (
        source.id, CSV, "day-first", 1)
    assert changed.catalogue_text == CATALOGUE
    again = studies.current_demand_source(session, study.id)
    assert again is not None and (again.id, again.date_order, again.catalogue_text) == (source.id, "day-first",
                                                                                          CATALOGUE)
    assert studies.corrections_for(session, study.id) == [Correction(2, schema.NATURE, "failure")]
    # once someone has loaded another file, the old one's reading cannot be changed from a stale page
    studies.set_demand_source(session, study.id, "newer.csv", CSV, author="Bob")
    with pytest.raises(ConflictError, match="Bob loaded another demand file"):
        studies.update_demand_reading(session, study.id, source.id, mapping={}, date_order="auto", sheet=None,
                                      header_row=None, catalogue_text=None)
    assert studies.current_demand_source(session, study.id).name == "newer.csv"


def test_an_earlier_file_comes_back_with_its_corrections(session: Session, study: studies.Study) -> None:
    first = studies.current_demand_source(session, study.id)
    assert first is not None
    studies.add_correction(session, study.id, 2, schema.NATURE, "failure", "Ann", 0)
    studies.add_correction(session, study.id, 2, schema.NATURE, "value", "Bob", 1)
    second = studies.set_demand_source(session, study.id, "wrong file.csv", b"Date\n2026-01-01\n", author="Cy")
    studies.add_correction(session, study.id, 2, schema.NATURE, "failure", "Cy", 0)
    listed = studies.list_demand_sources(session, study.id)
    assert [(s.id, s.name, n) for s, n in listed] == [(second.id, "wrong file.csv", 1), (first.id, "demand.csv", 2)]
    assert all(s.data == b"" for s, _ in listed)

    back = studies.reuse_demand_source(session, study.id, first.id, author="Ann")
    assert back.id not in (first.id, second.id) and (back.name, back.data, back.mapping) == (
        "demand.csv", CSV, first.mapping)
    assert studies.current_demand_source(session, study.id).id == back.id
    log = studies.correction_log(session, study.id)  # the current file's: the earlier one's, as they were
    assert [(c.row, c.after, c.author, c.version) for c in log] == [(2, "failure", "Ann", 1), (2, "value", "Bob", 2)]
    # and work goes on from there: the next correction of row 2 is version 3
    assert studies.add_correction(session, study.id, 2, schema.NATURE, "failure", "Ann", 2).version == 3
    with pytest.raises(NotFoundError):
        studies.reuse_demand_source(session, study.id, 10_000)


def test_migration_0002_moves_corrections_onto_their_source(tmp_path: Path) -> None:
    """A database at 0001 with corrections is upgraded in place: each correction goes to its study's latest
    file; the corrections of a study without any file cannot mean anything and go."""
    from alembic import command

    eng = db.engine_for(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with eng.begin() as conn:
            command.upgrade(db.alembic_config(conn), "0001")
            now = "2026-11-01 10:00:00"
            conn.execute(text(f"INSERT INTO studies VALUES (1, 'A', '', 0, '{now}', '{now}'), "
                              f"(2, 'B', '', 0, '{now}', '{now}')"))
            conn.execute(text(f"INSERT INTO demand_sources (id, study_id, name, data, mapping, created_at, "
                              f"created_by) VALUES (5, 1, 'a.csv', x'00', '{{}}', '{now}', ''), "
                              f"(6, 1, 'b.csv', x'00', '{{}}', '{now}', '')"))
            conn.execute(text(f"INSERT INTO corrections (study_id, row, field, before, after, author, "
                              f"created_at, version) VALUES (1, 2, 'nature', NULL, 'failure', 'Ann', '{now}', 1), "
                              f"(2, 2, 'nature', NULL, 'value', 'Bob', '{now}', 1)"))
        assert db.migrate(eng) == "0006"
        with eng.connect() as conn:
            rows = conn.execute(text("SELECT study_id, source_id, after FROM corrections")).all()
        assert [tuple(r) for r in rows] == [(1, 6, "failure")]
    finally:
        eng.dispose()


def _race(engine: Engine, writers: list[Callable[[Session], Any]]) -> list[Any]:
    """Run each writer in its own thread with its own session, all starting together; each result is
    what the writer returned or the exception it raised."""
    barrier = threading.Barrier(len(writers))
    results: list[Any] = [None] * len(writers)

    def run(i: int) -> None:
        with db.sessions(engine)() as own:
            barrier.wait()
            try:
                results[i] = writers[i](own)
            except Exception as exc:  # the test looks at it
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_writers_on_the_same_row_exactly_one_wins(engine: Engine, session: Session,
                                                      study: studies.Study) -> None:
    for round_ in range(3):
        row = 10 + round_
        results = _race(engine, [
            lambda s, row=row: studies.add_correction(s, study.id, row, schema.NATURE, "failure", "Ann", 0),
            lambda s, row=row: studies.add_correction(s, study.id, row, schema.NATURE, "value", "Bob", 0),
        ])
        won = [r for r in results if isinstance(r, studies.CorrectionRecord)]
        lost = [r for r in results if isinstance(r, ConflictError)]
        assert len(won) == 1 and len(lost) == 1, results
        assert (lost[0].value, lost[0].author, lost[0].version) == (won[0].after, won[0].author, 1)
        assert studies.correction_versions(session, study.id)[(row, schema.NATURE)] == 1
    assert count(session, CorrectionRow, study_id=study.id) == 3


def test_two_writers_on_different_rows_both_succeed(engine: Engine, session: Session,
                                                    study: studies.Study) -> None:
    results = _race(engine, [
        lambda s: studies.add_correction(s, study.id, 2, schema.NATURE, "failure", "Ann", 0),
        lambda s: studies.add_correction(s, study.id, 3, schema.NATURE, "value", "Bob", 0),
    ])
    assert all(isinstance(r, studies.CorrectionRecord) for r in results), results
    assert studies.correction_versions(session, study.id) == {(2, schema.NATURE): 1, (3, schema.NATURE): 1}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_without_the_study_lock_the_unique_version_still_refuses(engine: Engine, session: Session,
                                                                 study: studies.Study,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: even if both writers read version 0 before either writes (the study lock switched off,
    a barrier between the check and the write), the unique (study, row, field, version) lets one through
    and the other gets the same ConflictError. (SQLite cannot interleave them: BEGIN IMMEDIATE.)"""
    get_study, latest = studies._get_study, studies._latest_correction
    both_read = threading.Barrier(2, timeout=10)
    seen = threading.local()

    def read_then_wait(*args: Any) -> Any:
        out = latest(*args)
        if not getattr(seen, "done", False):
            seen.done = True
            both_read.wait()
        return out

    monkeypatch.setattr(studies, "_get_study", lambda s, sid, lock=False: get_study(s, sid, lock=False))
    monkeypatch.setattr(studies, "_latest_correction", read_then_wait)
    results = _race(engine, [
        lambda s: studies.add_correction(s, study.id, 2, schema.NATURE, "failure", "Ann", 0),
        lambda s: studies.add_correction(s, study.id, 2, schema.NATURE, "value", "Bob", 0),
    ])
    won = [r for r in results if isinstance(r, studies.CorrectionRecord)]
    lost = [r for r in results if isinstance(r, ConflictError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert (lost[0].value, lost[0].author) == (won[0].after, won[0].author)
    assert count(session, CorrectionRow, study_id=study.id) == 1


def test_a_committed_correction_survives_a_killed_process(tmp_path: Path) -> None:
    """SQLite only: a process killed (SIGKILL) right after its commit loses nothing it committed, and
    nothing it had not."""
    url = f"sqlite:///{tmp_path / 'workbench.db'}"
    eng = db.engine_for(url)
    db.migrate(eng)
    with db.sessions(eng)() as s:
        study_id = studies.create_study(s, "Durable").id
        studies.set_demand_source(s, study_id, "demand.csv", CSV)
    eng.dispose()
    child = textwrap.dedent(f"""
        import sys
        from sqlalchemy import text
        from workbench.store import db, studies
        engine = db.engine_for({url!r})
        with db.sessions(engine)() as s:
            studies.add_correction(s, {study_id}, 7, "nature", "failure", "Ann", 0)
        conn = engine.connect().execution_options(workbench_write=True)
        conn.begin()
        conn.execute(text("UPDATE studies SET name = 'half written' WHERE id = {study_id}"))
        print("committed", flush=True)
        sys.stdin.read()  # wait to be killed, mid-transaction
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            cwd=ROOT, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "committed"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (tmp_path / "workbench.db-wal").exists()  # the commit lives in the write-ahead log
    eng = db.engine_for(url)
    try:
        with db.sessions(eng)() as s:
            log = studies.correction_log(s, study_id)
            assert [(c.row, c.field, c.after, c.author, c.version) for c in log] == [(7, "nature", "failure", "Ann", 1)]
            assert studies.get_study(s, study_id).name == "Durable"  # the uncommitted change is gone
    finally:
        eng.dispose()


# ------------------------------------------------------------------------------------------ maps


def test_map_versions_list_diff_and_restore(session: Session, study: studies.Study) -> None:
    v1 = studies.save_map_version(session, study.id, "As is", MAP, "Ann", None, note="from the workshop")
    edited = (MAP.replace("touch: 10", "touch: 12").replace("staff: 3", "staff: 4")
              .replace("  - id: close\n", "  - id: check\n    name: Check the job\n    role: office\n"
                                          "    work: check\n    touch: 3\n  - id: close\n"))
    v2 = studies.save_map_version(session, study.id, "As is", edited, "Bob", 1)
    assert (v1.version, v2.version, v2.author) == (1, 2, "Bob")
    assert [(v.version, v.author, v.note) for v in studies.list_map_versions(session, study.id, "As is")] == [
        (1, "Ann", "from the workshop"), (2, "Bob", "")]
    assert studies.get_map_version(session, study.id, "As is").yaml_text == edited
    assert studies.get_map_version(session, study.id, "As is", 1).yaml_text == MAP

    assert studies.diff_map_versions(session, study.id, "As is", 1, 2) == [
        "Role 'agent' (Agent) changed: staff 3 → 4.",
        "Step 'process' (Process in the back office) changed: touch 10 → 12.",
        "Step 'check' (Check the job) added.",
    ]
    assert studies.diff_map_versions(session, study.id, "As is", 2, 1)[-1] == "Step 'check' (Check the job) removed."
    assert studies.diff_map_versions(session, study.id, "As is", 1, 1) == []

    v3 = studies.restore_map_version(session, study.id, "As is", 1, "Cy")
    assert (v3.version, v3.yaml_text, v3.author, v3.note) == (3, MAP, "Cy", "Restored version 1")
    assert studies.get_map_version(session, study.id, "As is").version == 3
    assert len(studies.list_map_versions(session, study.id, "As is")) == 3  # history kept
    assert studies.diff_map_versions(session, study.id, "As is", 1, 3) == []
    assert [(m.name, m.version) for m in studies.list_maps(session, study.id)] == [("As is", 3)]
    with pytest.raises(NotFoundError):
        studies.get_map_version(session, study.id, "As is", 9)


def test_delete_a_map_with_its_versions(session: Session, study: studies.Study) -> None:
    studies.save_map_version(session, study.id, "As is", MAP, "Ann", None)
    studies.save_map_version(session, study.id, "As is", MAP, "Ann", 1)
    studies.save_map_version(session, study.id, "Redesign", MAP, "Ann", None)
    studies.delete_map(session, study.id, "As is")
    assert [v.name for v in studies.list_maps(session, study.id)] == ["Redesign"]
    assert count(session, MapVersionRow) == 1
    with pytest.raises(NotFoundError):
        studies.delete_map(session, study.id, "As is")
    # the name is free again: a new map under it starts at version 1
    assert studies.save_map_version(session, study.id, "As is", MAP, "Bob", None).version == 1


def test_edits_to_different_steps_merge(session: Session, study: studies.Study) -> None:
    studies.save_map_version(session, study.id, "As is", MAP, "Ann", None)
    # Bob and Ann both open version 1; Bob saves first (a step and a role), then Ann (another step, a new one)
    bob = MAP.replace("touch: 6", "touch: 7").replace("staff: 1", "staff: 2")
    studies.save_map_version(session, study.id, "As is", bob, "Bob", 1)
    ann = MAP.replace("touch: 4", "touch: 5").replace(
        "  - id: close\n", "  - id: check\n    name: Check\n    role: office\n    work: check\n    touch: 3\n"
                           "  - id: close\n")
    merged = studies.save_map_version(session, study.id, "As is", ann, "Ann", 1, note="close is quicker")
    assert merged.version == 3
    assert merged.note == "close is quicker (merged with version 2 by Bob; started from version 1)"
    m = parse_map(merged.yaml_text)
    assert [s.id for s in m.steps] == ["answer", "process", "check", "close"]
    touch = {s.id: s.touch.likely for s in m.steps}
    assert touch == {"answer": 7, "process": 10, "check": 3, "close": 5}  # Bob's and Ann's edits both kept
    assert m.role("office").staff == 2 and m.role("agent").staff == 3
    assert merged.yaml_text.startswith("# A small map for tests\n")
    assert studies.diff_map_versions(session, study.id, "As is", 2, 3) == [
        "Step 'check' (Check) added.", "Step 'close' (Close with the customer) changed: touch 4 → 5."]


def test_edits_to_the_same_step_conflict(session: Session, study: studies.Study) -> None:
    studies.save_map_version(session, study.id, "As is", MAP, "Ann", None)
    studies.save_map_version(session, study.id, "As is", MAP.replace("touch: 10", "touch: 15"), "Bob", 1)
    mine = MAP.replace("touch: 10", "touch: 8").replace("touch: 6", "touch: 5")
    with pytest.raises(ConflictError) as caught:
        studies.save_map_version(session, study.id, "As is", mine, "Ann", 1)
    err = caught.value
    assert err.items == ("step 'process' (Process in the back office)",)
    assert (err.author, err.version) == ("Bob", 2)
    assert "touch: 15" in err.value["step 'process' (Process in the back office)"]  # their version of it
    assert "step 'process' (Process in the back office): changed by Bob in version 2" in str(err)
    assert "Nothing of yours was saved" in str(err)
    assert [v.version for v in studies.list_map_versions(session, study.id, "As is")] == [1, 2]

    # a step one removed and the other changed is a conflict too; a second map of the same name is refused
    removed = MAP.replace("  - id: close\n    name: Close with the customer\n    role: agent\n    touch: 4\n", "")
    studies.save_map_version(session, study.id, "As is", removed, "Bob", 2)
    with pytest.raises(ConflictError, match="step 'close'.*removed by Bob in version 3"):
        studies.save_map_version(session, study.id, "As is", MAP.replace("touch: 4", "touch: 9"), "Ann", 2)
    with pytest.raises(ConflictError, match="already saved a map called 'As is'"):
        studies.save_map_version(session, study.id, "As is", MAP, "Cy", None)


def test_merge_and_describe_without_a_database() -> None:
    # both made the same change: no conflict; entry changed on one side only: taken
    theirs = MAP.replace("touch: 6", "touch: 7")
    mine = MAP.replace("touch: 6", "touch: 7").replace("entry: answer", "entry: process")
    result = merge.merge_maps(MAP, theirs, mine)
    assert result.conflicts == {} and result.text is not None
    assert parse_map(result.text).entry_default == "process"
    # both changed the entry differently: a top-level conflict
    clash = merge.merge_maps(MAP, MAP.replace("entry: answer", "entry: close"),
                               MAP.replace("entry: answer", "entry: process"))
    assert clash.text is None and clash.conflict_keys == [("map", "entry")]
    assert clash.conflicts == {"the entry step": "close"}
    # only comments changed on their side: mine is kept as written
    assert merge.merge_maps(MAP, "# new comment\n" + MAP, mine).text == mine
    assert merge.describe_changes(MAP, "# another comment\n" + MAP) == ["Only comments or layout changed."]


# ------------------------------------------------------------------------------------------ comparisons


def test_comparison_runs(session: Session, study: studies.Study) -> None:
    assert studies.latest_comparison_run(session, study.id) is None
    summary = {"weeks": 12.0, "replications": 5, "seed": 1, "demands_per_replication": 2532,
               "designs": [{"name": "As is", "design": "standard-work", "source": "as_is.yaml",
                            "metrics": {"one_stop_share": 0.41, "e2e_days_median": None,
                                        "utilisation": {"agent": 0.46}},
                            "intervals": {"one_stop_share": [0.39, 0.43]}}]}
    studies.save_comparison_run(session, study.id, {"replications": 3}, {"designs": []}, "Ann")
    latest = studies.save_comparison_run(session, study.id, {"replications": 5, "maps": ["as_is.yaml"]},
                                         summary, "Bob")
    got = studies.latest_comparison_run(session, study.id)
    assert got == latest
    assert (got.summary, got.settings, got.author) == (summary, {"replications": 5, "maps": ["as_is.yaml"]}, "Bob")
    with pytest.raises(ValueError, match="JSON"):
        studies.save_comparison_run(session, study.id, {}, {"mean": float("nan")}, "Ann")


def test_storage_doc_names_every_setting() -> None:
    doc = (ROOT / "docs" / "storage.md").read_text(encoding="utf-8")
    for name in (db.ENV_DATABASE_URL, db.ENV_DATA_DIR, "WORKBENCH_TEST_DATABASE_URL", "data/workbench.db"):
        assert name in doc, f"docs/storage.md does not mention {name}"


def test_update_demand_reading_without_the_files_bytes(session: Session) -> None:
    """A page that holds the file already changes how it is read without loading (or copying) its bytes."""
    study = studies.create_study(session, "Reading only")
    source = studies.set_demand_source(session, study.id, "d.csv", b"Date,Type\n05/01/2026,Leak\n", author="Ann")
    changed = studies.update_demand_reading(session, study.id, source.id, with_data=False,
                                            mapping={"received_at": "Date"}, date_order="day-first")
    assert (changed.id, changed.data, changed.date_order, changed.mapping) == (
        source.id, b"", "day-first", {"received_at": "Date"})
    assert studies.current_demand_source(session, study.id).data == b"Date,Type\n05/01/2026,Leak\n"
