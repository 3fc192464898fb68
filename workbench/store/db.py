"""Where the store lives and how to open it: the database URL, the engine, migrations.

By default a study is kept in one SQLite file, `<project>/data/workbench.db`, so a team needs nothing
installed; `WORKBENCH_DATABASE_URL` points Workbench at PostgreSQL (or another file) instead, and
`WORKBENCH_DATA_DIR` moves the default file's folder. The schema is made and changed only by the Alembic
migrations beside this module (`migrate`), never by `create_all`. docs/storage.md says the same for people.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from workbench.paths import PROJECT_ROOT

ENV_DATABASE_URL = "WORKBENCH_DATABASE_URL"
ENV_DATA_DIR = "WORKBENCH_DATA_DIR"
DATABASE_FILE = "workbench.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000  # how long a SQLite writer waits for another one before giving up
WRITE = "workbench_write"  # execution option: this transaction will write (SQLite takes the write lock at BEGIN)
_MIGRATION_LOCK = 0x57_42_53_54  # PostgreSQL advisory lock key held while migrating ("WBST")


def data_dir() -> Path:
    """The folder of the default SQLite file: WORKBENCH_DATA_DIR, or `<project root>/data`; created if
    missing. Read at each call (tests and the CLI change it)."""
    folder = Path(os.environ.get(ENV_DATA_DIR) or PROJECT_ROOT / "data").expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def database_url() -> str:
    """WORKBENCH_DATABASE_URL, or the SQLite file in `data_dir()`."""
    url = os.environ.get(ENV_DATABASE_URL, "").strip()
    if url:
        return url
    return f"sqlite:///{(data_dir() / DATABASE_FILE).resolve()}"


def _json(value: Any) -> str:
    # NaN is not JSON (PostgreSQL refuses it); saying so here beats a database error later.
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def engine_for(url: str | None = None) -> Engine:
    """A SQLAlchemy engine for `url` (default: `database_url()`).

    PostgreSQL: `postgresql://` and `postgres://` URLs use psycopg 3. SQLite: every connection gets
    `journal_mode=WAL` (readers do not block the writer), `foreign_keys=ON` (so deleting a study deletes
    what belongs to it) and a busy timeout; Python's own transaction handling is switched off so that BEGIN
    is ours, and a transaction opened with the `WRITE` execution option starts with BEGIN IMMEDIATE: two
    writers queue at the start instead of one failing half way through.
    """
    parsed = make_url(url or database_url())
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, json_serializer=_json)

    if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, json_serializer=_json)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # sqlite3 must not issue BEGIN itself
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions for the `workbench.store.studies` API (objects stay readable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Any:
    """Alembic's configuration built in code (there is no alembic.ini). With a connection, migrations run
    on it; without one, on `database_url()`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> str:
    """Bring the database's schema up to the latest migration; returns that revision.

    Safe to call at every start: on an up-to-date database it changes nothing. The whole upgrade runs in one
    transaction (SQLite and PostgreSQL both have transactional DDL), under the write lock on SQLite and an
    advisory lock on PostgreSQL, so two processes starting at once do not migrate twice.
    """
    from alembic import command

    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITE: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            command.upgrade(alembic_config(connection), "head")
            revision = current_revision(connection)
    return revision or ""


def current_revision(bind: Engine | Connection) -> str | None:
    """The migration the database is at, or None for a database never migrated."""
    from alembic.migration import MigrationContext

    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    return MigrationContext.configure(bind).get_current_revision()


def head_revision() -> str:
    """The latest migration shipped with this version of Workbench."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return head or ""
