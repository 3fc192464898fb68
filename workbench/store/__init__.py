"""Persistence of studies: one SQLite file by default, PostgreSQL when WORKBENCH_DATABASE_URL says so.

`db` opens the database and migrates it; `studies` is the API the app and CLI call (plain dataclasses in
and out, one transaction per call, optimistic checks so two people never overwrite each other silently);
`models` and `migrations` are the schema; `archive` exports a study as a zip and imports it back;
`sample` makes the sample study on first start. Every call checks who is asking (`access`: the session
carries it, the local person by default) and `members` says who may work on a study on a shared server.
docs/storage.md and docs/access.md are the guides for people.

    from workbench.store import db, studies
    engine = db.engine_for()          # WORKBENCH_DATABASE_URL or <project>/data/workbench.db
    db.migrate(engine)                # safe at every start
    with db.sessions(engine)() as session:
        study = studies.create_study(session, "Housing repairs 2026")
"""

from workbench.store import db, studies
from workbench.store.studies import ConflictError, DuplicateNameError, NotFoundError, StoreError

__all__ = ["ConflictError", "DuplicateNameError", "NotFoundError", "StoreError", "db", "studies"]
