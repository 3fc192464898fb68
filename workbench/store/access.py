"""The store's side of access: who is asking travels with the session, and every call checks it.

The app opens every session through one factory that says who is asking (`acting`); the command line and a
laptop run without sign-in act as `LOCAL` (everything allowed, as before sign-in existed). A signed-in
person's role in a study is their `study_members` row; a server administrator may do everything; a share
link's holder may only view its one study.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.access import ACTION_WORDS, LOCAL, AccessDenied, Action, Actor, Role, allows
from workbench.store.models import StudyMemberRow

_ACTOR = "workbench_actor"  # key in Session.info


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
