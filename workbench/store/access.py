"""The store's side of access: who is asking travels with the session, and every call checks it.

The app opens every session through one factory that says who is asking (`acting`); the command line and a
laptop run without sign-in act as `LOCAL` (everything allowed, as before sign-in existed). A signed-in
person's role in a study is their `study_members` row; a server administrator may do everything; a share
link's holder may only view its one study.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from workbench.access import ACTION_WORDS, LOCAL, AccessDenied, Action, Actor, Role, allows, normal_email
from workbench.store.models import NAME_LENGTH, StudyMemberRow, StudyRow, utcnow

_ACTOR = "workbench_actor"  # key in Session.info
ENV_ADMINS = "WORKBENCH_ADMINS"  # the server's administrators: emails, separated by commas


def configured_admins(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The administrators' emails from WORKBENCH_ADMINS (comma-separated, case ignored): read here only, so
    the sign-in, the first-start adoption of unowned studies and the docs all mean the same list."""
    raw = (os.environ if environ is None else environ).get(ENV_ADMINS, "")
    return frozenset(normal_email(e) for e in raw.split(",") if e.strip())


def acting(session: Session, actor: Actor) -> Session:
    """Mark `session` as used by `actor`; returns it, so `acting(make_session(), who)` reads well."""
    session.info[_ACTOR] = actor
    return session


def actor_of(session: Session) -> Actor:
    return session.info.get(_ACTOR, LOCAL)


def role_in(session: Session, actor: Actor, study_id: int) -> Role | None:
    """The actor's role in the study: owner for the local person and administrators, viewer for the holder of
    that study's share link, the member row's role for a signed-in person, else None (no access)."""
    if actor.kind == "local" or actor.admin:
        return Role.OWNER
    if actor.kind == "link":
        return Role.VIEWER if actor.link_study == study_id else None
    found = session.scalars(select(StudyMemberRow.role).where(
        StudyMemberRow.study_id == study_id, StudyMemberRow.email == actor.email)).first()
    return Role(found) if found else None


def require(session: Session, study_id: int, action: Action) -> Actor:
    """The session's actor, when they may do `action` in the study; else AccessDenied in plain words."""
    actor = actor_of(session)
    if not allows(role_in(session, actor, study_id), action):
        raise AccessDenied(f"You may not {ACTION_WORDS[action]} this study. Ask its owner for access.")
    return actor


def may_create(session: Session) -> Actor:
    """Anyone but a share link's holder may start a study (a signed-in person becomes its owner)."""
    actor = actor_of(session)
    if actor.kind == "link":
        raise AccessDenied("A share link only opens one study's dashboard; it cannot create or import studies.")
    if actor.kind == "person" and not actor.email:
        raise AccessDenied("Sign in first: a study's owner is known by the email they sign in with.")
    return actor


def require_admin(session: Session, what: str) -> Actor:
    """The local person or a server administrator, else AccessDenied saying `what` is theirs to do."""
    actor = actor_of(session)
    if actor.kind != "local" and not actor.admin:
        raise AccessDenied(f"Only a server administrator may {what}.")
    return actor


def visible(session: Session, query: Select[StudyRow]) -> Select[StudyRow]:
    """`query` over studies narrowed to those the session's actor may see: all for the local person and
    administrators, the link's study for its holder, the studies they are a member of for a person."""
    actor = actor_of(session)
    if actor.kind == "local" or actor.admin:
        return query
    if actor.kind == "link":
        return query.where(StudyRow.id == (actor.link_study if actor.link_study is not None else -1))
    return query.where(StudyRow.id.in_(select(StudyMemberRow.study_id).where(StudyMemberRow.email == actor.email)))


def identity(actor: Actor) -> str:
    """How a signed-in person is named in the audit trail: "Name <email>" (their email alone if the provider
    gave no other name), within the column's length (the email wins if both do not fit)."""
    name = " ".join(actor.name.split())
    shown = f"{name} <{actor.email}>" if name and name != actor.email else actor.email
    return shown if len(shown) <= NAME_LENGTH else actor.email[:NAME_LENGTH]


def author_for(session: Session, typed: str) -> str:
    """The author stored with a change: a signed-in person's identity from the provider whatever was typed
    (so nobody can put another name on their edits), else the typed name, cleaned."""
    actor = actor_of(session)
    if actor.kind == "person":
        return identity(actor)
    return " ".join(str(typed or "").split())[:NAME_LENGTH]


def add_owner(session: Session, study_id: int) -> None:
    """A signed-in person who creates or imports a study owns it (inside the caller's transaction); the local
    person and a study made at the command line leave it without members (an administrator may adopt it)."""
    actor = actor_of(session)
    if actor.kind == "person":
        session.add(StudyMemberRow(study_id=study_id, email=actor.email, role=Role.OWNER.value,
                                   added_by=identity(actor), added_at=utcnow()))
        session.flush()
