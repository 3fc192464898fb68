"""Alembic environment for Workbench's store.

There is no alembic.ini: `workbench.store.db.migrate(engine)` builds the configuration in code and hands
this script an open connection (`config.attributes["connection"]`), inside the transaction it began. Run
without one (e.g. `command.upgrade(db.alembic_config(), "head")`), it opens `db.database_url()` itself.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from workbench.store import db
from workbench.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_offline() -> None:
    """Write the SQL instead of running it (`alembic upgrade --sql`)."""
    context.configure(url=config.get_main_option("sqlalchemy.url") or db.database_url(),
                      target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = db.engine_for(config.get_main_option("sqlalchemy.url") or db.database_url())
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


def _run(connection: Connection) -> None:
    # render_as_batch: SQLite cannot ALTER most things; batch mode copies the table instead.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
