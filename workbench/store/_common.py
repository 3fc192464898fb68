"""What the store's API (`studies`) and the study archive (`archive`) both need: the store's errors, the
`Study` result, one call as one transaction, name cleaning, and how a demand source's columns hold its
`ReadOptions`. Its own module so that neither of the two reaches into the other's private names.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from workbench.demand.reading import EXTRA_OPTION_NAMES, READ_OPTION_NAMES, ReadOptions
from workbench.store.db import WRITE
from workbench.store.models import NAME_LENGTH, DemandSourceRow, StudyRow

# ------------------------------------------------------------------------------------------ errors


class StoreError(Exception):
    """Something the store refused, in words a person can act on."""


class NotFoundError(StoreError, LookupError):
    """The study, map or version asked for does not exist (any more)."""


class DuplicateNameError(StoreError, ValueError):
    """A study (or a map within a study) of that name already exists."""


class ConflictError(StoreError):
    """Someone else saved first; nothing of yours was saved.

    `author`, `at` and `version` describe the other person's save. `value` is what they left: for a
    correction, the row's field as they corrected it; for a map, {what: their version of it as YAML, or None
    where they removed it} for every step, role or map field you both changed (`items` names them).
    """

    def __init__(self, message: str, *, author: str, at: datetime | None, version: int,
                 value: Any = None, items: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.author = author
        self.at = at
        self.version = version
        self.value = value
        self.items = items

    def __str__(self) -> str:
        return self.message


# ------------------------------------------------------------------------------------------ studies


@dataclass(frozen=True)
class Study:
    id: int
    name: str
    description: str
    archived: bool
    created_at: datetime
    updated_at: datetime


def study_of(r: StudyRow) -> Study:
    return Study(r.id, r.name, r.description, bool(r.archived), r.created_at, r.updated_at)


# ------------------------------------------------------------------------------------------ demand sources


def reading_of(row: DemandSourceRow) -> ReadOptions:
    """How a stored demand file is read. The first options have columns named as `ReadOptions.to_dict` names
    them; the others are in the JSON column `reading_extra` under the same names (an unknown name there,
    written by a newer Workbench, is left out rather than refused)."""
    extra = {name: value for name, value in (row.reading_extra or {}).items() if name in EXTRA_OPTION_NAMES}
    return ReadOptions.from_dict({**{name: getattr(row, name) for name in READ_OPTION_NAMES
                                     if name not in EXTRA_OPTION_NAMES}, **extra})


def reading_columns(reading: ReadOptions) -> dict[str, Any]:
    """The `DemandSourceRow` columns that hold `reading` (keyword arguments for the row or `setattr`)."""
    columns = {name: value for name, value in reading.to_dict().items() if name not in EXTRA_OPTION_NAMES}
    return {**columns, "reading_extra": reading.extras() or None}


# ------------------------------------------------------------------------------------------ plumbing


_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_queue(session: Session) -> threading.RLock | None:
    """SQLite: one lock per database file for the writers of this process. They queue on it in turn instead of
    polling SQLite's lock (its busy handler sleeps up to 100 ms between tries, so under load a writer waited
    long after the lock was free). Writers in other processes still meet at SQLite's own lock (busy timeout).
    PostgreSQL needs none: writes to one study queue on its row lock (`FOR UPDATE`)."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    key = bind.engine.url.render_as_string(hide_password=False)
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(key, threading.RLock())


@contextmanager
def transaction(session: Session, *, write: bool) -> Iterator[None]:
    """One call, one transaction. A write transaction takes SQLite's write lock at BEGIN (see db.engine_for),
    so a check-then-write cannot be overtaken between the check and the write. The session's identity map is
    emptied before and after: nothing loaded by an earlier call can hide what others committed since, and a
    long-lived session does not keep uploaded files in memory."""
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise StoreError("the session has unsaved changes of its own; use a fresh session for the store")
        session.rollback()
    session.expunge_all()
    queue = _writer_queue(session) if write else None
    try:
        with queue or nullcontext(), session.begin():
            if write:
                session.connection(execution_options={WRITE: True})
            yield
    finally:
        session.expunge_all()


def clean_name(name: str, what: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValueError(f"A {what} needs a name.")
    if len(name) > NAME_LENGTH:
        raise ValueError(f"A {what} name can be at most {NAME_LENGTH} characters.")
    return name
