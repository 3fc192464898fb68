"""Share links: a read-only link to one study's dashboard, for a person without an account.

A link carries a random token (`secrets.token_urlsafe(32)`: 256 bits, 43 characters). The store keeps only the
token's SHA-256, so a copy of the database or a backup opens nothing; the token itself is handed out once, when
the link is made, and never written anywhere by Workbench (nor logged). Opening a link looks its hash up and
says plainly why it is refused: unknown (mistyped, changed, or its study deleted), expired, withdrawn, or its
study archived. Each page run of a link opens it again, so withdrawing one takes effect at once.

Making, listing and withdrawing links is managing the study (`Action.MANAGE`: its owner, an administrator, or
the local person of a laptop run without sign-in). Opening one needs no account: the token is the permission,
and it opens that study's dashboard only (`workbench.access.link_holder`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.access import Action
from workbench.store._common import NotFoundError, StoreError, transaction
from workbench.store.access import actor_of, require
from workbench.store.models import NAME_LENGTH, ShareLinkRow, StudyRow, utcnow

TOKEN_BYTES = 32  # 256 bits from the system's secure generator: far beyond guessing (the issue asks >= 128)
MAX_EXPIRY_DAYS = 3650
PARAM = "share"  # the link's query parameter: <app address>/?share=<token>
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")  # what token_urlsafe makes; anything else is not ours

Reason = Literal["unknown", "expired", "revoked", "archived"]
State = Literal["open", "expired", "revoked"]


class LinkRefused(StoreError):
    """A share link that does not open its study (any more). `reason` says which case; the message says it in
    words for the person holding the link, without naming the study."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ShareLink:
    """A link as listed to its study's owners (never with its token: the store does not have it)."""

    id: int
    study_id: int
    label: str
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None

    def state(self, now: datetime | None = None) -> State:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or utcnow()):
            return "expired"
        return "open"

    def state_words(self, now: datetime | None = None) -> str:
        """E.g. "open until 12 Dec 2026 14:00 UTC", "expired on ...", "withdrawn on ... by Ann"."""
        state = self.state(now)
        if state == "revoked":
            assert self.revoked_at is not None
            by = f" by {self.revoked_by}" if self.revoked_by else ""
            return f"withdrawn on {_when(self.revoked_at)}{by}"
        if state == "expired":
            assert self.expires_at is not None
            return f"expired on {_when(self.expires_at)}"
        return f"open until {_when(self.expires_at)}" if self.expires_at else "open, no expiry"


@dataclass(frozen=True)
class NewLink:
    """A link just made: `token` is shown to its maker once and kept nowhere (only its hash is stored)."""

    link: ShareLink
    token: str

    def path(self) -> str:
        """The part after the app's address: `/?share=<token>`."""
        return f"/?{PARAM}={self.token}"


def _when(at: datetime) -> str:
    return f"{at:%d %b %Y %H:%M} UTC"


def _link(r: ShareLinkRow) -> ShareLink:
    return ShareLink(r.id, r.study_id, r.label, r.created_by, r.created_at, r.expires_at, r.revoked_at, r.revoked_by)


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _clean(text: str) -> str:
    return " ".join(str(text or "").split())[:NAME_LENGTH]


def _maker(session: Session, author: str) -> str:
    """Who made or withdrew a link: a signed-in person's own name, else the name given (typed by the person)."""
    actor = actor_of(session)
    return _clean(actor.name if actor.signed_in else author)


def _study(session: Session, study_id: int) -> StudyRow:
    row = session.get(StudyRow, study_id)
    if row is None:
        raise NotFoundError(f"There is no study {study_id} (it may have been deleted).")
    return row


def make_link(session: Session, study_id: int, *, label: str = "", expires_days: int | None = None,
              author: str = "", now: datetime | None = None) -> NewLink:
    """A new read-only link to the study's dashboard, open for `expires_days` days (None: until withdrawn).
    The token is in the result only; the store keeps its hash."""
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise ValueError(f"A link's expiry is between 1 and {MAX_EXPIRY_DAYS} days (or none).")
    made = now or utcnow()
    token = new_token()
    with transaction(session, write=True):
        require(session, study_id, Action.MANAGE)
        if _study(session, study_id).archived:
            raise StoreError("This study is archived: bring it back before sharing it (an archived study's links "
                             "do not open).")
        row = ShareLinkRow(study_id=study_id, token_hash=token_hash(token), label=_clean(label),
                           created_by=_maker(session, author), created_at=made,
                           expires_at=made + timedelta(days=expires_days) if expires_days else None)
        session.add(row)
        session.flush()
        return NewLink(_link(row), token)


def list_links(session: Session, study_id: int) -> list[ShareLink]:
    """The study's links, newest first, withdrawn and expired ones too (with who made and withdrew them)."""
    with transaction(session, write=False):
        require(session, study_id, Action.MANAGE)
        _study(session, study_id)
        rows = session.scalars(select(ShareLinkRow).where(ShareLinkRow.study_id == study_id)
                               .order_by(ShareLinkRow.created_at.desc(), ShareLinkRow.id.desc())).all()
        return [_link(r) for r in rows]


def revoke_link(session: Session, study_id: int, link_id: int, *, author: str = "",
                now: datetime | None = None) -> ShareLink:
    """Withdraw a link at once: its next page run is refused. Withdrawing one already withdrawn changes
    nothing (the first withdrawal's who and when stay)."""
    with transaction(session, write=True):
        require(session, study_id, Action.MANAGE)
        row = session.scalars(select(ShareLinkRow).where(ShareLinkRow.id == link_id,
                                                         ShareLinkRow.study_id == study_id)
                              .with_for_update()).one_or_none()
        if row is None:
            raise NotFoundError(f"This study has no share link {link_id}.")
        if row.revoked_at is None:
            row.revoked_at = now or utcnow()
            row.revoked_by = _maker(session, author)
            session.flush()
        return _link(row)


_UNKNOWN = ("This link does not open anything: it may have been mistyped or cut short, or what it opened was "
            "deleted. Ask whoever sent it for a new link.")


def open_link(session: Session, token: str, *, now: datetime | None = None) -> int:
    """The id of the study a share link opens, or LinkRefused saying why in plain words. The token is
    compared by its hash only; it is never stored, logged or put in a message."""
    if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):
        raise LinkRefused("unknown", _UNKNOWN)
    digest = token_hash(token)
    with transaction(session, write=False):
        row = session.scalars(select(ShareLinkRow).where(ShareLinkRow.token_hash == digest)).one_or_none()
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            raise LinkRefused("unknown", _UNKNOWN)
        if row.revoked_at is not None:
            raise LinkRefused("revoked", f"This link was withdrawn on {_when(row.revoked_at)}: it no longer "
                              f"opens anything. Ask whoever sent it for a new link.")
        if row.expires_at is not None and row.expires_at <= (now or utcnow()):
            raise LinkRefused("expired", f"This link expired on {_when(row.expires_at)}. Ask whoever sent it "
                              f"for a new link.")
        study = session.get(StudyRow, row.study_id)
        if study is None:
            raise LinkRefused("unknown", _UNKNOWN)
        if study.archived:
            raise LinkRefused("archived", "What this link opened has been archived, so the link no longer opens "
                              "it. Ask whoever sent it for a new link.")
        return row.study_id
