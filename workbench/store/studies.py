"""Studies that persist: a small plain-Python API over the store.

Every function takes a SQLAlchemy `Session` (from `workbench.store.db.sessions(engine)`) and returns plain
dataclasses, never ORM objects. Each call is one transaction of its own: a write is all or nothing, and a
read sees what others committed before it. The session must not hold uncommitted changes of the caller's
(the API never leaves any); a read-only transaction left open is ended first.

Two people may work on one study at once. Nobody's work is overwritten silently:

* a **correction** names the version of the row's field it was made from (`expected_version`: how many
  corrections that row's field had when the person looked); if someone else corrected it since, nothing is
  saved and `ConflictError` says who, when, and what the value now is;
* a **map** is saved from a base version; if someone saved a newer one meanwhile, the two sets of changes are
  merged step by step when they touch different steps, roles and map fields, and refused with
  `ConflictError` (naming the steps, with the other person's version of each) when they touch the same one.
  One person's edits a few minutes apart are one version (`save_map_version(coalesce_within=...)`), so the
  history reads as the changes people made, and a version can be given a name (`name_map_version`).

Every call checks who is asking (the session's actor, `workbench.store.access.acting`; the local person, who may
do everything, by default): reads need the right to see the study, changes to its work an editor's, renaming,
archiving and deleting an owner's, and a refusal is `AccessDenied` in plain words. `list_studies` and
`find_study` answer with the studies the actor may see. A signed-in person's identity is the author stored
with each of their changes, whatever name is passed.

docs/storage.md describes these rules for people; docs/access.md the roles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from workbench import schema
from workbench.access import Action
from workbench.demand.catalogue import (
    Catalogue,
    DemandType,
    merge_catalogues,
    parse_catalogue,
)
from workbench.demand.corrections import EDITABLE, Correction
from workbench.demand.reading import ReadOptions
from workbench.flow.merge import MergeResult, describe_changes, last_changes, merge_maps
from workbench.flow.model import MapFileError, parse_map
from workbench.store._common import (  # the errors and Study are this API's too: callers import them from here
    ConflictError,
    DuplicateNameError,
    NotFoundError,
    StoreError,  # noqa: F401
    Study,
    clean_name,
    reading_columns,
    reading_of,
    study_of,
    transaction,
)
from workbench.store.access import add_owner, author_for, may_create, require, visible
from workbench.store.models import (
    NAME_LENGTH,
    CatalogueVersionRow,
    ComparisonRunRow,
    CorrectionRow,
    DemandSourceRow,
    MapRow,
    MapVersionRow,
    StudyRow,
    utcnow,
)

LABEL_LENGTH = NAME_LENGTH  # the longest name a map version may be given

VIEW, EDIT, MANAGE = Action.VIEW, Action.EDIT, Action.MANAGE

# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class DemandSource:
    """A demand file as uploaded and how it is read (`reading`, for `workbench.demand.load.load_demand`)."""

    id: int
    study_id: int
    name: str
    data: bytes = field(repr=False)
    reading: ReadOptions
    created_at: datetime
    created_by: str

    # The options one by one, as callers read them before ReadOptions; new code reads `reading`.
    @property
    def mapping(self) -> dict[str, Any]:
        return self.reading.mapping

    @property
    def date_order(self) -> str | None:
        return self.reading.date_order

    @property
    def sheet(self) -> str | None:
        return self.reading.sheet

    @property
    def header_row(self) -> int | None:
        return self.reading.header_row

    @property
    def catalogue_text(self) -> str | None:
        return self.reading.catalogue_text


@dataclass(frozen=True)
class CorrectionRecord:
    """A stored correction with who made it. `version` is its place among that row's field's corrections
    (1 = the first); pass it as `expected_version` to correct the same field again."""

    id: int
    study_id: int
    source_id: int  # the demand file whose row it corrects
    row: int
    field: str
    before: str | None
    after: str
    author: str
    created_at: datetime
    version: int
    batch: int | None = None  # corrections made in one action share it (undone together)
    note: str = ""  # how it was made: "suggested, accepted", "applied to 12 matching", "undo" ...

    def as_correction(self) -> Correction:
        return Correction(self.row, self.field, self.after)


@dataclass(frozen=True)
class MapVersion:
    map_id: int
    study_id: int
    name: str  # the map's name in the study
    version: int
    yaml_text: str = field(repr=False)
    author: str
    note: str
    created_at: datetime  # when it was last saved: a version that holds several edits, at the latest
    label: str = ""  # the name people gave it ("agreed in workshop 2"), '' for none
    edits: int = 0  # how many of its author's edits it holds; 0: not made by editing (a new map, a restore...)


@dataclass(frozen=True)
class ComparisonRun:
    id: int
    study_id: int
    created_at: datetime
    settings: dict[str, Any]
    summary: dict[str, Any]
    author: str


def _source(r: DemandSourceRow, *, with_data: bool = True) -> DemandSource:
    """The result for a stored file; without its bytes (`data` empty) when they were not loaded."""
    return DemandSource(r.id, r.study_id, r.name, bytes(r.data) if with_data else b"", reading_of(r), r.created_at,
                        r.created_by)


def _correction(r: CorrectionRow) -> CorrectionRecord:
    return CorrectionRecord(r.id, r.study_id, r.source_id, r.row, r.field, r.before, r.after, r.author, r.created_at,
                            r.version, r.batch, r.note or "")


def _map_version(m: MapRow, v: MapVersionRow) -> MapVersion:
    return MapVersion(m.id, m.study_id, m.name, v.version, v.yaml_text, v.author, v.note, v.created_at,
                      v.label or "", v.edits or 0)


def _run(r: ComparisonRunRow) -> ComparisonRun:
    return ComparisonRun(r.id, r.study_id, r.created_at, dict(r.settings), dict(r.summary), r.author)


# ------------------------------------------------------------------------------------------ plumbing


def _who(author: str) -> str:
    return author or "someone else"


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC" if at else "just now"


def _get_study(session: Session, study_id: int, *, lock: bool = False) -> StudyRow:
    query = select(StudyRow).where(StudyRow.id == study_id)
    if lock:  # PostgreSQL: writes to one study queue here (SQLite already holds its write lock)
        query = query.with_for_update()
    study = session.scalars(query).one_or_none()
    if study is None:
        raise NotFoundError(f"There is no study {study_id} (it may have been deleted).")
    return study


def _study_for(session: Session, study_id: int, action: Action, *, lock: bool = False) -> StudyRow:
    """The study, if the session's actor may do `action` in it (AccessDenied if not): every public function
    of this API reaches its study through here, so no call forgets to ask who is asking."""
    study = _get_study(session, study_id, lock=lock)
    require(session, study_id, action)
    return study


def _touch(study: StudyRow) -> None:
    study.updated_at = utcnow()


def _check_json(value: Any, what: str) -> dict[str, Any]:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The {what} cannot be stored as JSON: {exc}.") from None
    if not isinstance(value, dict):
        raise ValueError(f"The {what} must be a mapping (a dict).")
    return value


# ------------------------------------------------------------------------------------------ studies


def create_study(session: Session, name: str, description: str = "") -> Study:
    """A new, empty study; a signed-in person who creates it becomes its owner."""
    name = clean_name(name, "study")
    try:
        with transaction(session, write=True):
            may_create(session)
            if session.scalar(select(StudyRow.id).where(StudyRow.name == name)) is not None:
                raise DuplicateNameError(f"A study called '{name}' already exists (perhaps archived).")
            now = utcnow()
            row = StudyRow(name=name, description=description or "", archived=False, created_at=now,
                           updated_at=now)
            session.add(row)
            session.flush()
            add_owner(session, row.id)
            return study_of(row)
    except IntegrityError:  # created by someone else between the check and the insert
        raise DuplicateNameError(f"A study called '{name}' already exists (perhaps archived).") from None


def get_study(session: Session, study_id: int) -> Study:
    with transaction(session, write=False):
        return study_of(_study_for(session, study_id, VIEW))


def find_study(session: Session, name: str) -> Study | None:
    """The study of that name, if there is one the session's actor may see."""
    with transaction(session, write=False):
        row = session.scalars(visible(session, select(StudyRow).where(
            StudyRow.name == " ".join(name.split())))).one_or_none()
        return study_of(row) if row else None


def list_studies(session: Session, include_archived: bool = False) -> list[Study]:
    """The studies the session's actor may see, by name (case ignored); archived ones only when asked."""
    with transaction(session, write=False):
        query = visible(session, select(StudyRow))
        if not include_archived:
            query = query.where(StudyRow.archived.is_(False))
        rows = session.scalars(query).all()
        return sorted((study_of(r) for r in rows), key=lambda s: (s.name.casefold(), s.id))


def rename_study(session: Session, study_id: int, new_name: str) -> Study:
    new_name = clean_name(new_name, "study")
    try:
        with transaction(session, write=True):
            study = _study_for(session, study_id, MANAGE, lock=True)
            clash = session.scalar(select(StudyRow.id).where(StudyRow.name == new_name, StudyRow.id != study_id))
            if clash is not None:
                raise DuplicateNameError(f"A study called '{new_name}' already exists (perhaps archived).")
            study.name = new_name
            _touch(study)
            session.flush()
            return study_of(study)
    except IntegrityError:
        raise DuplicateNameError(f"A study called '{new_name}' already exists (perhaps archived).") from None


def archive_study(session: Session, study_id: int, archived: bool = True) -> Study:
    """Hide a study from the list (archived=False brings it back). Nothing is deleted."""
    with transaction(session, write=True):
        study = _study_for(session, study_id, MANAGE, lock=True)
        study.archived = archived
        _touch(study)
        session.flush()
        return study_of(study)


def delete_study(session: Session, study_id: int) -> None:
    """Delete a study and everything in it: sources, corrections, maps and their versions, comparison runs
    (the database cascades). There is no undo; the caller asks the person to confirm first."""
    with transaction(session, write=True):
        _study_for(session, study_id, MANAGE, lock=True)
        session.execute(delete(StudyRow).where(StudyRow.id == study_id))


# ------------------------------------------------------------------------------------------ demand


def set_demand_source(session: Session, study_id: int, name: str, data: bytes, reading: ReadOptions | None = None,
                      *, author: str = "", **changes: Any) -> DemandSource:
    """Store a demand file exactly as uploaded, with how to read it; it becomes the study's current source.
    Earlier sources are kept (the current one is the latest). The options may also be given one by one
    (`mapping=`, `date_order=`, `sheet=`, `header_row=`, `catalogue_text=`)."""
    name = clean_name(name, "demand file")
    columns = reading_columns((reading or ReadOptions()).updated(**changes))
    with transaction(session, write=True):
        study = _study_for(session, study_id, EDIT, lock=True)
        _check_json(columns["mapping"], "column mapping")
        row = DemandSourceRow(study_id=study_id, name=name, data=bytes(data), **columns, created_at=utcnow(),
                              created_by=author_for(session, author))
        session.add(row)
        _touch(study)
        session.flush()
        return _source(row)


def update_demand_reading(session: Session, study_id: int, source_id: int, reading: ReadOptions | None = None,
                          *, with_data: bool = True, **changes: Any) -> DemandSource:
    """Change how the current file is read (column mapping, date order, sheet, header row, catalogue) without
    storing it again: its rows keep their numbers, so the corrections made on it still apply. Refused with
    ConflictError when someone has loaded another file since. The options may also be given one by one, as
    for `set_demand_source`. `with_data=False` neither loads nor returns the file's bytes (a page that holds
    them already: a 100k-row file is 14 MB to copy)."""
    columns = reading_columns((reading or ReadOptions()).updated(**changes))
    with transaction(session, write=True):
        study = _study_for(session, study_id, EDIT, lock=True)
        current = _current_source_id(session, study_id)
        row = session.get_one(DemandSourceRow, current, options=[] if with_data else [
            defer(DemandSourceRow.data, raiseload=True)]) if current is not None else None
        if row is None or row.id != source_id:
            raise ConflictError(
                f"{_who(row.created_by) if row else 'Someone'} loaded another demand file into this study "
                f"since you opened it; nothing was changed.",
                author=row.created_by if row else "", at=row.created_at if row else None, version=0)
        _check_json(columns["mapping"], "column mapping")
        for column, value in columns.items():
            setattr(row, column, value)
        _touch(study)
        session.flush()
        return _source(row, with_data=with_data)


def current_demand_source(session: Session, study_id: int, *, with_data: bool = True) -> DemandSource | None:
    """The study's current demand file and how to read it. `with_data=False` leaves the file's bytes out
    (`data` is empty): a page that already holds the bytes of source `id` (they never change) reads only the
    rest, which may change (`update_demand_reading`)."""
    with transaction(session, write=False):
        _study_for(session, study_id, VIEW)
        query = select(DemandSourceRow).where(DemandSourceRow.study_id == study_id)
        if not with_data:
            query = query.options(defer(DemandSourceRow.data, raiseload=True))
        row = session.scalars(query.order_by(DemandSourceRow.id.desc()).limit(1)).one_or_none()
        if row is None:
            return None
        return _source(row, with_data=with_data)


def list_demand_sources(session: Session, study_id: int) -> list[tuple[DemandSource, int]]:
    """Every demand file the study has had, newest (the current one) first, without their bytes, each with
    the number of corrections made on it."""
    with transaction(session, write=False):
        _study_for(session, study_id, VIEW)
        rows = session.scalars(select(DemandSourceRow).where(DemandSourceRow.study_id == study_id)
                               .options(defer(DemandSourceRow.data, raiseload=True))
                               .order_by(DemandSourceRow.id.desc())).all()
        counts = dict(session.execute(select(CorrectionRow.source_id, func.count())
                                      .where(CorrectionRow.study_id == study_id)
                                      .group_by(CorrectionRow.source_id)).all())
        return [(_source(r, with_data=False), int(counts.get(r.id, 0))) for r in rows]


def reuse_demand_source(session: Session, study_id: int, source_id: int, author: str = "") -> DemandSource:
    """Make an earlier demand file of the study its current one again, with the corrections made on it:
    both are copied as they were (who, when, versions), so going back to a file never loses its work."""
    with transaction(session, write=True):
        study = _study_for(session, study_id, EDIT, lock=True)
        old = session.scalars(select(DemandSourceRow).where(DemandSourceRow.id == source_id,
                                                            DemandSourceRow.study_id == study_id)).one_or_none()
        if old is None:
            raise NotFoundError(f"Study {study_id} has no demand file {source_id}.")
        row = DemandSourceRow(study_id=study_id, name=old.name, data=bytes(old.data),
                              **reading_columns(reading_of(old)), created_at=utcnow(),
                              created_by=author_for(session, author))
        session.add(row)
        session.flush()
        for c in session.scalars(select(CorrectionRow).where(CorrectionRow.source_id == source_id)
                                 .order_by(CorrectionRow.id)).all():
            session.add(CorrectionRow(study_id=study_id, source_id=row.id, row=c.row, field=c.field,
                                      before=c.before, after=c.after, author=c.author, created_at=c.created_at,
                                      version=c.version))
        _touch(study)
        session.flush()
        return _source(row)


def demand_file(session: Session, source_id: int) -> bytes:
    """The bytes of one stored demand file (they never change once stored)."""
    with transaction(session, write=False):
        found = session.execute(select(DemandSourceRow.study_id, DemandSourceRow.data)
                                .where(DemandSourceRow.id == source_id)).one_or_none()
        if found is None:
            raise NotFoundError(f"There is no demand file {source_id} (its study may have been deleted).")
        require(session, found.study_id, VIEW)
        return bytes(found.data)


# ------------------------------------------------------------------------------------------ corrections


def _current_source_id(session: Session, study_id: int) -> int | None:
    return session.scalar(select(func.max(DemandSourceRow.id)).where(DemandSourceRow.study_id == study_id))


def _source_for(session: Session, study_id: int, source_id: int | None) -> int:
    """The source corrections are read from or written to: the one given, else the study's current one."""
    if source_id is not None:
        found = session.scalar(select(DemandSourceRow.id).where(DemandSourceRow.id == source_id,
                                                                DemandSourceRow.study_id == study_id))
        if found is None:
            raise NotFoundError(f"Study {study_id} has no demand file {source_id}.")
        return int(found)
    current = _current_source_id(session, study_id)
    if current is None:
        raise NotFoundError("This study has no demand data yet: load a demand file before correcting rows.")
    return int(current)


def _latest_correction(session: Session, source_id: int, row: int, field_: str) -> CorrectionRow | None:
    return session.scalars(select(CorrectionRow)
                           .where(CorrectionRow.source_id == source_id, CorrectionRow.row == row,
                                  CorrectionRow.field == field_)
                           .order_by(CorrectionRow.version.desc()).limit(1)).one_or_none()


def _correction_conflict(latest: CorrectionRow | None, row: int, field_: str, after: str,
                         expected_version: int) -> ConflictError:
    label = schema.FIELD_LABELS.get(field_, field_).lower()
    if latest is None:
        return ConflictError(
            f"Row {row}'s {label} has no stored corrections, but you started from version {expected_version}. "
            f"Nothing was saved; reload the study and correct it again.",
            author="", at=None, version=0, value=None)
    return ConflictError(
        f"{_who(latest.author)} corrected row {row}'s {label} to '{latest.after}' at {_when(latest.created_at)} "
        f"(version {latest.version}), after you opened it at version {expected_version}. Your change to "
        f"'{after}' was not saved; look at their value and correct it again if you still disagree.",
        author=latest.author, at=latest.created_at, version=latest.version, value=latest.after)


def _source_seen(session: Session, study_id: int, source_id: int | None, refused: str) -> int:
    """The study's current demand file, if it is the one the person was looking at (`source_id`, or None for
    whichever is current); else `ConflictError` saying who loaded another one and that `refused`."""
    current_source = _source_for(session, study_id, None)
    if source_id is not None and int(source_id) != current_source:
        newer = session.get_one(DemandSourceRow, current_source)
        raise ConflictError(
            f"{_who(newer.created_by)} loaded another demand file ('{newer.name}') into this study at "
            f"{_when(newer.created_at)}, after you opened it. {refused}; the page now shows their file.",
            author=newer.created_by, at=newer.created_at, version=0, value=None)
    return current_source


def add_correction(session: Session, study_id: int, row: int, field: str, after: str, author: str,
                   expected_version: int, *, before: str | None = None,
                   source_id: int | None = None) -> CorrectionRecord:
    """Correct one row's field of the study's current demand file, if nobody else has since
    `expected_version` (0 for a field never corrected).

    The row's current version is the number of corrections its field has; it must equal `expected_version`,
    else `ConflictError` carries the other person's value, name and time. `before` is the value as loaded,
    recorded with the first correction (later ones record the previous correction's value). `source_id` is
    the file the person was looking at: if someone has loaded another file since, nothing is saved."""
    if field not in EDITABLE:
        raise ValueError(f"'{field}' cannot be corrected; only {', '.join(EDITABLE)}.")
    row, expected_version, after = int(row), int(expected_version), str(after or "")
    try:
        with transaction(session, write=True):
            study = _study_for(session, study_id, EDIT, lock=True)
            current_source = _source_seen(session, study_id, source_id, f"Your change to row {row} was not saved")
            latest = _latest_correction(session, current_source, row, field)
            current = latest.version if latest else 0
            if current != expected_version:
                raise _correction_conflict(latest, row, field, after, expected_version)
            record = CorrectionRow(study_id=study_id, source_id=current_source, row=row, field=field,
                                   before=latest.after if latest else before, after=after,
                                   author=author_for(session, author), created_at=utcnow(), version=current + 1)
            session.add(record)
            _touch(study)
            session.flush()
            return _correction(record)
    except IntegrityError:
        # Two writers passed the check at once (only possible without the study lock); the unique
        # (study, row, field, version) let one through. Report the winner like any other conflict.
        with transaction(session, write=False):
            latest = _latest_correction(session, _source_for(session, study_id, source_id), row, field)
        if latest is None or latest.version == expected_version:
            raise  # not a version clash: let the database's own error through
        raise _correction_conflict(latest, row, field, after, expected_version) from None


@dataclass(frozen=True)
class Change:
    """One row's field to correct in a batch: the value, and the version the person saw (0: never corrected)."""

    row: int
    field: str
    after: str
    expected_version: int = 0
    before: str | None = None  # the value as loaded, recorded with a first correction


@dataclass(frozen=True)
class BatchResult:
    """What a batch of corrections did: those saved (one batch), and a message per row refused."""

    saved: list[CorrectionRecord]
    refused: list[str]
    batch: int | None


def add_corrections(session: Session, study_id: int, changes: list[Change], author: str, *,
                    source_id: int | None = None, note: str = "") -> BatchResult:
    """Correct many rows in one action (a whole filter classified at once, suggestions accepted together):
    each row its own audited correction, all with one `batch` number so that they are undone as one.

    Every row is checked as `add_corrections` checks one: a row someone else corrected since the version the
    person saw is refused (its message says by whom and to what) and the others are saved. If someone has
    loaded another demand file since `source_id`, nothing is saved."""
    for c in changes:
        if c.field not in EDITABLE:
            raise ValueError(f"'{c.field}' cannot be corrected; only {', '.join(EDITABLE)}.")
    if not changes:
        return BatchResult([], [], None)
    with transaction(session, write=True):
        study = _study_for(session, study_id, EDIT, lock=True)
        current_source = _source_seen(session, study_id, source_id, "Nothing was saved")
        latest_rows = session.execute(
            select(CorrectionRow.row, CorrectionRow.field, func.max(CorrectionRow.version))
            .where(CorrectionRow.source_id == current_source,
                   CorrectionRow.row.in_(sorted({int(c.row) for c in changes})))
            .group_by(CorrectionRow.row, CorrectionRow.field)).all()
        versions = {(r, f): v for r, f, v in latest_rows}
        batch = (session.scalar(select(func.max(CorrectionRow.batch)).where(CorrectionRow.study_id == study_id))
                 or 0) + 1
        saved: list[CorrectionRow] = []
        refused: list[str] = []
        now = utcnow()
        for c in changes:
            row, after = int(c.row), str(c.after or "")
            current = versions.get((row, c.field), 0)
            latest = _latest_correction(session, current_source, row, c.field) if current else None
            if current != int(c.expected_version):
                refused.append(_correction_conflict(latest, row, c.field, after, int(c.expected_version)).message)
                continue
            record = CorrectionRow(study_id=study_id, source_id=current_source, row=row, field=c.field,
                                   before=latest.after if latest else c.before, after=after,
                                   author=author_for(session, author), created_at=now, version=current + 1,
                                   batch=batch, note=note or "")
            versions[(row, c.field)] = current + 1
            session.add(record)
            saved.append(record)
        if saved:
            _touch(study)
        session.flush()
        return BatchResult([_correction(r) for r in saved], refused, batch if saved else None)


def undo_last(session: Session, study_id: int, author: str, source_id: int | None = None) -> BatchResult:
    """Undo `author`'s last action on the study's current file: their last correction, or the whole batch it
    belongs to, each row put back to its value before, as new corrections (history is kept). A row someone
    else corrected since is left as they left it and named in `refused`."""
    with transaction(session, write=False):
        _study_for(session, study_id, EDIT)
        source = _source_for(session, study_id, source_id)
        last = session.scalars(select(CorrectionRow).where(CorrectionRow.source_id == source,
                                                           CorrectionRow.author == author_for(session, author))
                               .order_by(CorrectionRow.id.desc()).limit(1)).one_or_none()
        if last is None:
            return BatchResult([], [], None)
        rows = ([last] if last.batch is None else session.scalars(
            select(CorrectionRow).where(CorrectionRow.source_id == source, CorrectionRow.batch == last.batch)
            .order_by(CorrectionRow.id)).all())
        changes = [Change(r.row, r.field, r.before or "", r.version) for r in rows]
    return add_corrections(session, study_id, changes, author, source_id=source,
                           note="undo" + (f" of {len(changes)} corrections made together" if len(changes) > 1 else ""))


def correction_log(session: Session, study_id: int, source_id: int | None = None) -> list[CorrectionRecord]:
    """Every stored correction of a demand file of the study (its current one by default) with who made
    it, oldest first. Empty when the study has no demand file."""
    with transaction(session, write=False):
        _study_for(session, study_id, VIEW)
        if source_id is None and _current_source_id(session, study_id) is None:
            return []
        source = _source_for(session, study_id, source_id)
        rows = session.scalars(select(CorrectionRow).where(CorrectionRow.source_id == source)
                               .order_by(CorrectionRow.id)).all()
        return [_correction(r) for r in rows]


def corrections_for(session: Session, study_id: int, source_id: int | None = None) -> list[Correction]:
    """The corrections of a demand file (the current one by default) in the order they were made, for
    `apply_corrections`: replayed in this order, the latest correction of each row's field stands."""
    return [r.as_correction() for r in correction_log(session, study_id, source_id)]


def correction_versions(session: Session, study_id: int,
                        source_id: int | None = None) -> dict[tuple[int, str], int]:
    """{(row, field): current version} for every corrected field: what to pass as `expected_version`."""
    with transaction(session, write=False):
        _study_for(session, study_id, VIEW)
        if source_id is None and _current_source_id(session, study_id) is None:
            return {}
        source = _source_for(session, study_id, source_id)
        rows = session.execute(select(CorrectionRow.row, CorrectionRow.field, func.max(CorrectionRow.version))
                               .where(CorrectionRow.source_id == source)
                               .group_by(CorrectionRow.row, CorrectionRow.field)).all()
        return {(r, f): v for r, f, v in rows}


# ------------------------------------------------------------------------------------------ maps


def _find_map(session: Session, study_id: int, name: str) -> MapRow | None:
    return session.scalars(select(MapRow).where(MapRow.study_id == study_id, MapRow.name == name)).one_or_none()


def _get_map(session: Session, study_id: int, name: str) -> MapRow:
    m = _find_map(session, study_id, name)
    if m is None:
        raise NotFoundError(f"This study has no map called '{name}'.")
    return m


def _version_row(session: Session, m: MapRow, version: int | None) -> MapVersionRow:
    query = select(MapVersionRow).where(MapVersionRow.map_id == m.id)
    query = (query.where(MapVersionRow.version == version) if version is not None
             else query.order_by(MapVersionRow.version.desc()).limit(1))
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFoundError(f"Map '{m.name}' has no version {version}." if version is not None
                            else f"Map '{m.name}' has no versions.")
    return row


def _add_version(session: Session, study: StudyRow, m: MapRow, version: int, text: str, author: str,
                 note: str, *, edits: int = 0, at: datetime | None = None) -> MapVersion:
    row = MapVersionRow(map_id=m.id, version=version, yaml_text=text, author=author_for(session, author),
                        note=note or "", created_at=at or utcnow(), label="", edits=edits)
    session.add(row)
    _touch(study)
    session.flush()
    return _map_version(m, row)


def _map_conflict(session: Session, m: MapRow, base_version: int, result: MergeResult, *,
                  added_to: bool = False) -> ConflictError:
    """Name what both changed, who changed it on their side (the latest version since yours that changed
    it) and their version of it."""
    rows = session.scalars(select(MapVersionRow).where(MapVersionRow.map_id == m.id,
                                                      MapVersionRow.version >= base_version)
                           .order_by(MapVersionRow.version)).all()
    latest = rows[-1]
    changed_in = last_changes([r.yaml_text for r in rows], result.conflict_keys)
    shown = []
    for i, (what, text) in zip(changed_in, result.conflicts.items(), strict=True):
        by = rows[i]
        done = "removed" if text is None else "changed"
        shown.append(f"- {what}: {done} by {_who(by.author)} in version {by.version} ({_when(by.created_at)})"
                     + ("." if text is None else ". Their version:\n"
                        + "\n".join("    " + line for line in text.splitlines())))
    names = ", ".join(result.conflicts)
    since = (f"{_who(latest.author)} went on editing version {base_version} of map '{m.name}' after you opened it "
             f"({_when(latest.created_at)})" if added_to else
             f"Map '{m.name}' was saved again after version {base_version}, the one you started from (latest: "
             f"version {latest.version}, by {_who(latest.author)}, {_when(latest.created_at)})")
    message = (f"{since}, and those changes touch the same {'thing' if len(result.conflicts) == 1 else 'things'} "
               f"as yours: {names}.\n" + "\n".join(shown)
               + f"\nNothing of yours was saved: open version {latest.version}, make your change again and save.")
    return ConflictError(message, author=latest.author, at=latest.created_at, version=latest.version,
                         value=dict(result.conflicts), items=tuple(result.conflicts))


EDIT_WINDOW = timedelta(minutes=5)
"""How far apart one person's edits may be and still make one version (the Flow page's setting)."""
NOTE_CHANGES = 6  # the changes a version's note names; the rest are counted ("+3 more")


def _changes_note(old_text: str | None, new_text: str, since: int) -> str:
    """What a version changed from the one before it, in words: one version's note, however many edits it
    took (edits that undo each other leave nothing to say)."""
    if old_text is None:
        return "Edited"
    try:
        lines = describe_changes(old_text, new_text)
    except (MapFileError, ValueError):  # an older version that no longer reads
        return "Edited"
    if not lines:
        return f"No change from version {since} (the edits were undone)."
    more = len(lines) - NOTE_CHANGES
    return " ".join(lines[:NOTE_CHANGES]) + (f" (+{more} more)" if more > 0 else "")


def _adds_to(session: Session, m: MapRow, latest: MapVersionRow, author: str, window: timedelta | None,
             now: datetime) -> bool:
    """Whether an edit from `latest` (the newest version, which the person started from) is added to it rather
    than saved as a new version: the same person's, `window` or less after it was last saved, and it is an
    unnamed version made by editing (never a new map, a restore, a merge or an import) that no comparison
    stored since may have run on (the dashboard names the versions a comparison ran on)."""
    if not (window is not None and latest.edits > 0 and not latest.label
            and latest.author == author_for(session, author) and now - latest.created_at <= window):
        return False
    compared = session.scalar(select(ComparisonRunRow.id).where(
        ComparisonRunRow.study_id == m.study_id, ComparisonRunRow.created_at >= latest.created_at).limit(1))
    return compared is None


def _add_edit(session: Session, study: StudyRow, m: MapRow, latest: MapVersionRow, text: str,
              now: datetime) -> MapVersion:
    """Fold one more edit into the newest version: its text becomes the edit's, exactly; its note says what
    it changes from the version before it."""
    before = session.scalars(select(MapVersionRow.yaml_text).where(
        MapVersionRow.map_id == m.id, MapVersionRow.version == latest.version - 1)).one_or_none()
    latest.yaml_text = text
    latest.edits += 1
    latest.created_at = now
    latest.note = _changes_note(before, text, latest.version - 1)
    _touch(study)
    session.flush()
    return _map_version(m, latest)


def save_map_version(session: Session, study_id: int, name: str, yaml_text: str, author: str,
                     base_version: int | None, note: str = "", *, base_text: str | None = None,
                     coalesce_within: timedelta | None = None, now: datetime | None = None) -> MapVersion:
    """Save `yaml_text` as the next version of the study's map `name`.

    `base_version` is the version the person started from (None or 0 for a new map). If it is still the
    latest, the text is saved as it is. If someone saved since, the two edits are merged step by step
    (`merge_maps`) and the merge is saved, its note saying so; if both changed the same step, role or map
    field, `ConflictError` names them and shows the other person's version, and nothing is saved. The text
    must be a YAML mapping (a map that only has mistakes is fine: the editor shows them).

    An edit (`coalesce_within` given, e.g. `EDIT_WINDOW`) is added to the latest version instead of making a
    new one when that version is the same person's, made by editing, not named, and last saved at most
    `coalesce_within` before `now`: its text becomes this one and its note says what it changes from the
    version before it. `base_text` is the text the person started from; when the latest version's text is no
    longer that (its author went on editing it), the edit is merged with theirs, as for a newer version."""
    name = clean_name(name, "map")
    parse_map(yaml_text, name)  # MapFileError if it is not YAML at all: such text could never be merged
    now = now or utcnow()
    try:
        with transaction(session, write=True):
            study = _study_for(session, study_id, EDIT, lock=True)
            m = _find_map(session, study_id, name)
            if m is None:
                if base_version:
                    raise NotFoundError(f"Map '{name}' no longer exists (it may have been deleted).")
                m = MapRow(study_id=study_id, name=name)
                session.add(m)
                session.flush()
                return _add_version(session, study, m, 1, yaml_text, author, note, at=now)
            latest = _version_row(session, m, None)
            if not base_version:
                raise ConflictError(
                    f"{_who(latest.author)} already saved a map called '{name}' in this study "
                    f"(version {latest.version}, {_when(latest.created_at)}). Nothing was saved: open it, or "
                    f"save yours under another name.",
                    author=latest.author, at=latest.created_at, version=latest.version, value=latest.yaml_text)
            added_to = base_version == latest.version and base_text is not None and base_text != latest.yaml_text
            if base_version == latest.version and not added_to:
                if _adds_to(session, m, latest, author, coalesce_within, now):
                    return _add_edit(session, study, m, latest, yaml_text, now)
                return _add_version(session, study, m, latest.version + 1, yaml_text, author, note,
                                    edits=1 if coalesce_within is not None else 0, at=now)
            base = base_text if added_to else _version_row(session, m, base_version).yaml_text
            assert base is not None
            result = merge_maps(base, latest.yaml_text, yaml_text)
            if result.text is None:
                raise _map_conflict(session, m, base_version, result, added_to=added_to)
            merged_note = (f"{note} " if note else "") + (
                f"(merged with {_who(latest.author)}'s later edits to version {latest.version})" if added_to else
                f"(merged with version {latest.version} by {_who(latest.author)}; "
                f"started from version {base_version})")
            return _add_version(session, study, m, latest.version + 1, result.text, author, merged_note, at=now)
    except IntegrityError:
        # only reachable without the study lock: another save took the same version number first
        raise ConflictError(f"Someone else saved map '{name}' at the same moment. Nothing was saved; "
                            f"open the latest version and save again.", author="", at=None, version=0) from None


def name_map_version(session: Session, study_id: int, name: str, version: int, label: str) -> MapVersion:
    """Give a version of a map a name people recognise ("agreed in workshop 2"), or take it away with ''.
    A named version is kept as it is: later edits make a new version. Needs the right to edit the study."""
    label = " ".join(str(label or "").split())
    if len(label) > LABEL_LENGTH:
        raise ValueError(f"A version's name can be at most {LABEL_LENGTH} characters.")
    with transaction(session, write=True):
        study = _study_for(session, study_id, EDIT, lock=True)
        m = _get_map(session, study_id, name)
        row = _version_row(session, m, version)
        row.label = label
        _touch(study)
        session.flush()
        return _map_version(m, row)


def list_maps(session: Session, study_id: int) -> list[MapVersion]:
    """The latest version of every map in the study, by name."""
    with transaction(session, write=False):
        _study_for(session, study_id, VIEW)
        latest = (select(MapVersionRow.map_id, func.max(MapVersionRow.version).label("v"))
                  .group_by(MapVersionRow.map_id).subquery())
        rows = session.execute(
            select(MapRow, MapVersionRow)
            .join(latest, latest.c.map_id == MapRow.id)
            .join(MapVersionRow, (MapVersionRow.map_id == MapRow.id) & (MapVersionRow.version == latest.c.v))
            .where(MapRow.study_id == study_id)).all()
        return sorted((_map_version(m, v) for m, v in rows), key=lambda x: x.name.casefold())


def list_map_versions(session: Session, study_id: int, name: str) -> list[MapVersion]:
    """Every version of a map, oldest first."""
    with transaction(session, write=False):
        _study_for(session, study_id, VIEW)
        m = _get_map(session, study_id, name)
        rows = session.scalars(select(MapVersionRow).where(MapVersionRow.map_id == m.id)
                               .order_by(MapVersionRow.version)).all()
        return [_map_version(m, v) for v in rows]


def get_map_version(session: Session, study_id: int, name: str, version: int | None = None) -> MapVersion:
    """One version of a map; the latest when `version` is None."""
    with transaction(session, write=False):
        _study_for(session, study_id, VIEW)
        m = _get_map(session, study_id, name)
        return _map_version(m, _version_row(session, m, version))


def diff_map_versions(session: Session, study_id: int, name: str, a: int, b: int) -> list[str]:
    """What changed from version `a` to version `b` of a map, in plain words (`describe_changes`)."""
    with transaction(session, write=False):
        _study_for(session, study_id, VIEW)
        m = _get_map(session, study_id, name)
        old, new = _version_row(session, m, a).yaml_text, _version_row(session, m, b).yaml_text
    return describe_changes(old, new)


def restore_map_version(session: Session, study_id: int, name: str, version: int, author: str) -> MapVersion:
    """Make an old version the latest again, as a new version with its text, byte for byte (history is never
    rewritten; later edits are never added to a restore)."""
    with transaction(session, write=True):
        study = _study_for(session, study_id, EDIT, lock=True)
        m = _get_map(session, study_id, name)
        old = _version_row(session, m, version)
        latest = _version_row(session, m, None)
        return _add_version(session, study, m, latest.version + 1, old.yaml_text, author,
                            f"Restored version {version}" + (f" ({old.label})" if old.label else ""))


def rename_map(session: Session, study_id: int, name: str, new_name: str) -> MapVersion:
    """Give a study's map another name (when its own name is changed on the Flow page): its versions go with
    it. Raises DuplicateNameError when the study has another map of that name. Returns its latest version."""
    new_name = clean_name(new_name, "map")
    try:
        with transaction(session, write=True):
            study = _study_for(session, study_id, EDIT, lock=True)
            m = _get_map(session, study_id, name)
            if new_name != name:
                if _find_map(session, study_id, new_name) is not None:
                    raise DuplicateNameError(f"This study already has a map called '{new_name}'.")
                m.name = new_name
                _touch(study)
                session.flush()
            return _map_version(m, _version_row(session, m, None))
    except IntegrityError:
        raise DuplicateNameError(f"This study already has a map called '{new_name}'.") from None


def delete_map(session: Session, study_id: int, name: str) -> None:
    """Delete a map and all its versions from the study. There is no undo; the caller asks first (an export
    of the study keeps a copy)."""
    with transaction(session, write=True):
        study = _study_for(session, study_id, EDIT, lock=True)
        m = _get_map(session, study_id, name)
        session.execute(delete(MapRow).where(MapRow.id == m.id))
        _touch(study)


# ------------------------------------------------------------------------------------------ catalogue


@dataclass(frozen=True)
class CatalogueVersion:
    study_id: int
    version: int
    yaml_text: str = field(repr=False)
    author: str
    note: str
    created_at: datetime

    def catalogue(self) -> Catalogue:
        return parse_catalogue(self.yaml_text, f"catalogue version {self.version}")


def _catalogue_version(r: CatalogueVersionRow) -> CatalogueVersion:
    return CatalogueVersion(r.study_id, r.version, r.yaml_text, r.author, r.note, r.created_at)


def _catalogue_row(session: Session, study_id: int, version: int | None) -> CatalogueVersionRow | None:
    query = select(CatalogueVersionRow).where(CatalogueVersionRow.study_id == study_id)
    query = (query.where(CatalogueVersionRow.version == version) if version is not None
             else query.order_by(CatalogueVersionRow.version.desc()).limit(1))
    return session.scalars(query).one_or_none()


def _entry_words(t: DemandType | None) -> str:
    if t is None:
        return "removed it"
    words = {"value": "value", "failure": "failure", "unclassified": "not sure"}[t.nature]
    return f"set it to {words}" + (f" ({t.cause})" if t.cause else "")


def save_catalogue(session: Session, study_id: int, yaml_text: str, author: str, base_version: int | None,
                   note: str = "") -> CatalogueVersion:
    """Save the study's demand-type catalogue as its next version.

    `base_version` is the version the person started from (None or 0: the study had none). If someone saved
    since, the two are merged type by type (`merge_catalogues`) and the merge is saved, its note saying so;
    if both changed the same type differently, `ConflictError` names the types, who changed them and how,
    and nothing is saved: the same rule as for corrections and maps. The text must be a valid catalogue."""
    mine = parse_catalogue(yaml_text, "the catalogue")  # CatalogueError: nothing stored that cannot be read
    base_version = int(base_version or 0)
    try:
        with transaction(session, write=True):
            study = _study_for(session, study_id, EDIT, lock=True)
            latest = _catalogue_row(session, study_id, None)
            current = latest.version if latest else 0
            text, saved_note = yaml_text, note or ""
            if current != base_version:
                assert latest is not None  # current > 0
                base_row = _catalogue_row(session, study_id, base_version) if base_version else None
                base = parse_catalogue(base_row.yaml_text) if base_row else Catalogue()
                result = merge_catalogues(base, parse_catalogue(latest.yaml_text), mine)
                if result.catalogue is None:
                    shown = "; ".join(f"'{name}': {_who(latest.author)} {_entry_words(theirs)}, you "
                                      f"{_entry_words(yours)}" for name, (theirs, yours) in result.conflicts.items())
                    raise ConflictError(
                        f"{_who(latest.author)} saved the catalogue at {_when(latest.created_at)} (version "
                        f"{latest.version}), after you opened version {base_version}, and changed the same "
                        f"type{'s' if len(result.conflicts) > 1 else ''} as you: {shown}. Nothing of yours was "
                        f"saved: look at their decision and change it again if you still disagree.",
                        author=latest.author, at=latest.created_at, version=latest.version,
                        value={n: (t.nature if t else None) for n, (t, _) in result.conflicts.items()},
                        items=tuple(result.conflicts))
                text = result.catalogue.to_yaml()
                saved_note = (f"{note} " if note else "") + (
                    f"(merged with version {latest.version} by {_who(latest.author)}; started from version "
                    f"{base_version})")
            row = CatalogueVersionRow(study_id=study.id, version=current + 1, yaml_text=text,
                                      author=author_for(session, author), note=saved_note, created_at=utcnow())
            session.add(row)
            _touch(study)
            session.flush()
            return _catalogue_version(row)
    except IntegrityError:  # only reachable without the study lock
        raise ConflictError("Someone else saved the catalogue at the same moment. Nothing was saved; open the "
                            "latest version and save again.", author="", at=None, version=0) from None


def get_catalogue(session: Session, study_id: int, version: int | None = None) -> CatalogueVersion | None:
    """One version of the study's catalogue (the latest when `version` is None); None when it has none."""
    with transaction(session, write=False):
        _study_for(session, study_id, VIEW)
        row = _catalogue_row(session, study_id, version)
        if row is None and version is not None:
            raise NotFoundError(f"The catalogue has no version {version}.")
        return _catalogue_version(row) if row else None


def list_catalogue_versions(session: Session, study_id: int) -> list[CatalogueVersion]:
    """Every saved version of the study's catalogue, oldest first."""
    with transaction(session, write=False):
        _study_for(session, study_id, VIEW)
        rows = session.scalars(select(CatalogueVersionRow).where(CatalogueVersionRow.study_id == study_id)
                               .order_by(CatalogueVersionRow.version)).all()
        return [_catalogue_version(r) for r in rows]


def restore_catalogue(session: Session, study_id: int, version: int, author: str) -> CatalogueVersion:
    """Make an old version the latest again, as a new version with its text (history is never rewritten)."""
    old = get_catalogue(session, study_id, version)
    latest = get_catalogue(session, study_id)
    assert old is not None and latest is not None
    return save_catalogue(session, study_id, old.yaml_text, author, latest.version, f"Restored version {version}")


# ------------------------------------------------------------------------------------------ comparisons


def save_comparison_run(session: Session, study_id: int, settings: dict[str, Any], summary: dict[str, Any],
                        author: str = "") -> ComparisonRun:
    """Keep a comparison: the settings it ran with and its summary (`Comparison.to_json()`)."""
    settings, summary = _check_json(settings, "settings"), _check_json(summary, "summary")
    with transaction(session, write=True):
        study = _study_for(session, study_id, EDIT, lock=True)
        row = ComparisonRunRow(study_id=study_id, created_at=utcnow(), settings=settings, summary=summary,
                               author=author_for(session, author))
        session.add(row)
        _touch(study)
        session.flush()
        return _run(row)


def latest_comparison_run(session: Session, study_id: int) -> ComparisonRun | None:
    with transaction(session, write=False):
        _study_for(session, study_id, VIEW)
        row = session.scalars(select(ComparisonRunRow).where(ComparisonRunRow.study_id == study_id)
                              .order_by(ComparisonRunRow.id.desc()).limit(1)).one_or_none()
        return _run(row) if row else None
