"""Who may work on a study (a shared server with sign-in): its members by email, each an owner, editor or viewer.

Owners (and server administrators) list, add, change and remove members; a study that has an owner always
keeps one, so nobody can lock everyone out by accident. A server administrator may also make anyone an owner
of any study ("fix ownership"), and on the first start with sign-in the studies that have no members yet
(made before sign-in, or at the command line) become the administrators' (`adopt_unowned`). Each call is one
transaction, like `workbench.store.studies`. docs/access.md ("Roles") describes this for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.access import ROLE_WORDS, Action, Role, normal_email
from workbench.store._common import DuplicateNameError, NotFoundError, StoreError, transaction
from workbench.store.access import actor_of, author_for, require, require_admin, role_in
from workbench.store.models import EMAIL_LENGTH, StudyMemberRow, StudyRow, utcnow


@dataclass(frozen=True)
class Member:
    study_id: int
    email: str
    role: Role
    added_by: str
    added_at: datetime


class LastOwnerError(StoreError):
    """The change would leave a study that has an owner without one."""


def _member(r: StudyMemberRow) -> Member:
    return Member(r.study_id, r.email, Role(r.role), r.added_by, r.added_at)


def _role(role: Role | str) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise ValueError(f"'{role}' is not a role: a member is an owner, an editor or a viewer.") from None


def _email(email: str) -> str:
    """An email as stored (lower case); refused when it cannot be one. The provider's address is compared
    as it is, so nothing more than its shape is checked."""
    address = normal_email(str(email or ""))
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in address) or len(address) > EMAIL_LENGTH:
        raise ValueError(f"'{email}' is not an email address; people are added by the email they sign in with.")
    return address


def _study(session: Session, study_id: int) -> StudyRow:
    """The study, locked for the change (PostgreSQL), if the actor may manage it."""
    row = session.scalars(select(StudyRow).where(StudyRow.id == study_id).with_for_update()).one_or_none()
    if row is None:
        raise NotFoundError(f"There is no study {study_id} (it may have been deleted).")
    require(session, study_id, Action.MANAGE)
    return row


def _find(session: Session, study_id: int, email: str) -> StudyMemberRow | None:
    return session.scalars(select(StudyMemberRow).where(StudyMemberRow.study_id == study_id,
                                                        StudyMemberRow.email == email)).one_or_none()


def _get(session: Session, study_id: int, email: str) -> StudyMemberRow:
    found = _find(session, study_id, email)
    if found is None:
        raise NotFoundError(f"{email} is not a member of this study.")
    return found


def _keeps_an_owner(session: Session, study_id: int, leaving: StudyMemberRow, what: str) -> None:
    """Refuse (in words) when `leaving` is the study's only owner."""
    if leaving.role != Role.OWNER.value:
        return
    owners = session.scalar(select(func.count()).select_from(StudyMemberRow).where(
        StudyMemberRow.study_id == study_id, StudyMemberRow.role == Role.OWNER.value)) or 0
    if owners <= 1:
        raise LastOwnerError(f"{leaving.email} is this study's only owner, so they cannot be {what}: make someone "
                             f"else an owner first.")


def my_role(session: Session, study_id: int) -> Role | None:
    """The asker's role in the study (owner for the local person and administrators; None: no access), so a
    page offers only what they may do. It refuses nothing: every call checks again."""
    with transaction(session, write=False):
        return role_in(session, actor_of(session), study_id)


def list_members(session: Session, study_id: int) -> list[Member]:
    """The study's members: owners first, then editors and viewers, each by email."""
    order = {Role.OWNER.value: 0, Role.EDITOR.value: 1, Role.VIEWER.value: 2}
    with transaction(session, write=False):
        if session.get(StudyRow, study_id) is None:
            raise NotFoundError(f"There is no study {study_id} (it may have been deleted).")
        require(session, study_id, Action.MANAGE)
        rows = session.scalars(select(StudyMemberRow).where(StudyMemberRow.study_id == study_id)).all()
        return [_member(r) for r in sorted(rows, key=lambda r: (order.get(r.role, 3), r.email))]


def add_member(session: Session, study_id: int, email: str, role: Role | str = Role.VIEWER) -> Member:
    """Give a person (by the email they sign in with) a role in the study. Refused when they already have one:
    `set_member_role` changes it."""
    address, role = _email(email), _role(role)
    try:
        with transaction(session, write=True):
            _study(session, study_id)
            found = _find(session, study_id, address)
            if found is not None:
                raise DuplicateNameError(f"{address} is already {_a(Role(found.role))} of this study; change "
                                         f"their role instead.")
            row = StudyMemberRow(study_id=study_id, email=address, role=role.value,
                                 added_by=author_for(session, "") or "the server's administrator",
                                 added_at=utcnow())
            session.add(row)
            session.flush()
            return _member(row)
    except IntegrityError:  # added by someone else between the check and the insert (only without the lock)
        raise DuplicateNameError(f"{address} was added to this study by someone else just now.") from None


def set_member_role(session: Session, study_id: int, email: str, role: Role | str) -> Member:
    """Change a member's role; a study's only owner keeps being its owner."""
    address, role = normal_email(str(email or "")), _role(role)
    with transaction(session, write=True):
        _study(session, study_id)
        row = _get(session, study_id, address)
        if role != Role.OWNER:
            _keeps_an_owner(session, study_id, row, f"made {_a(role)}")
        row.role = role.value
        session.flush()
        return _member(row)


def remove_member(session: Session, study_id: int, email: str) -> None:
    """Take a person's access to the study away (at once: every call checks their role afresh)."""
    address = normal_email(str(email or ""))
    with transaction(session, write=True):
        _study(session, study_id)
        row = _get(session, study_id, address)
        _keeps_an_owner(session, study_id, row, "removed")
        session.execute(delete(StudyMemberRow).where(StudyMemberRow.id == row.id))


def make_owner(session: Session, study_id: int, email: str) -> Member:
    """Fix ownership (a server administrator, or the command line): make the person an owner of the study,
    whether or not they were a member, e.g. when its owners have left the organisation."""
    address = _email(email)
    with transaction(session, write=True):
        require_admin(session, "fix a study's ownership")
        _study(session, study_id)
        row = _find(session, study_id, address)
        if row is None:
            row = StudyMemberRow(study_id=study_id, email=address, role=Role.OWNER.value,
                                 added_by=author_for(session, "") or "the server's administrator",
                                 added_at=utcnow())
            session.add(row)
        row.role = Role.OWNER.value
        session.flush()
        return _member(row)


def adopt_unowned(session: Session, admins: frozenset[str] | set[str]) -> list[str]:
    """Studies without any member (made before sign-in was configured, or at the command line) become owned
    by the listed administrators, so that somebody can manage them once everyone signs in. Returns the names
    of the studies adopted (none when there are no administrators listed, or nothing to adopt): the app says
    so at first start. Safe to call at every start: a study with members is never touched."""
    owners = sorted({normal_email(a) for a in admins if a.strip()})
    if not owners:
        return []
    with transaction(session, write=True):
        require_admin(session, "give unowned studies to the administrators")
        orphans = session.scalars(select(StudyRow).where(~exists().where(StudyMemberRow.study_id == StudyRow.id))
                                  .order_by(StudyRow.id)).all()
        now = utcnow()
        who = author_for(session, "") or "Workbench (first start with sign-in)"
        for study in orphans:
            for email in owners:
                session.add(StudyMemberRow(study_id=study.id, email=_email(email), role=Role.OWNER.value,
                                           added_by=who, added_at=now))
        session.flush()
        return [s.name for s in orphans]


def _a(role: Role) -> str:
    word = ROLE_WORDS[role]
    return ("an " if word[0] in "aeiou" else "a ") + word

