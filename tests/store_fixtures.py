"""Database fixtures for the store tests: every test that asks for `session` (or `engine`, `database_url`)
runs twice, on a SQLite file and on a PostgreSQL schema of its own.

PostgreSQL is WORKBENCH_TEST_DATABASE_URL if set, else the local server; the test session creates its own
database there and drops it at the end. Unreachable, the PostgreSQL runs skip with the reason, except under
CI (CI=true), where `make test` starts the server and a missing one fails."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from workbench.store import db

UNDER_CI = os.environ.get("CI", "").lower() == "true"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _unavailable(message: str) -> None:
    if UNDER_CI:
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def new_pg_database(prefix: str = "workbench_test") -> Iterator[str]:
    """A new PostgreSQL database (`prefix`_<random>), dropped at the end, connections and all: on
    WORKBENCH_TEST_DATABASE_URL if set, else the local server."""
    given = os.environ.get("WORKBENCH_TEST_DATABASE_URL", "").strip()
    url = make_url(given or PG_DEFAULT)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    admin = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        admin.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        _unavailable(f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)} ({reason}); "
                     f"set WORKBENCH_TEST_DATABASE_URL to a server where the tests may create a database")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of this test session's own, dropped at the end."""
    with new_pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of this test's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'workbench.db'}"
        return
    base = request.getfixturevalue("pg_database")
    schema_name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema_name}"')
    try:
        yield make_url(base).update_query_dict({"options": f"-csearch_path={schema_name}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema_name}" CASCADE')
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = db.engine_for(database_url)
    db.migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with db.sessions(engine)() as s:
        yield s
