"""Who is asking, and what a role in a study lets them do.

Three ways to be in Workbench: the *local* person (a laptop run without sign-in, and the command line: may do
everything, as before sign-in existed), a *signed-in person* (name and email from the sign-in provider; what
they may do in a study is their role there, or everything for a server administrator), and the holder of a
*share link* (may look at one study's dashboard and report, nothing else). Plain Python: the store enforces
these rules on every call (`workbench.store.access`), the app only decides what to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    OWNER = "owner"  # everything, including renaming, archiving, deleting, exporting and sharing
    EDITOR = "editor"  # demand, corrections, catalogue, maps, comparisons
    VIEWER = "viewer"  # the dashboard and reports


class Action(StrEnum):
    VIEW = "view"  # see the study's dashboard and reports
    EDIT = "edit"  # change its demand, corrections, catalogue, maps; run comparisons
    MANAGE = "manage"  # rename, archive, delete, export, share links, members


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.EDITOR: frozenset({Action.VIEW, Action.EDIT}),
    Role.VIEWER: frozenset({Action.VIEW}),
}

ROLE_WORDS = {Role.OWNER: "owner", Role.EDITOR: "editor", Role.VIEWER: "viewer"}
ACTION_WORDS = {Action.VIEW: "see", Action.EDIT: "change", Action.MANAGE: "manage (rename, archive, delete, "
                "export or share)"}


def allows(role: Role | None, action: Action) -> bool:
    return role is not None and action in ALLOWED[role]


def normal_email(email: str) -> str:
    """Emails are compared as written by the provider, ignoring case and surrounding spaces."""
    return email.strip().lower()


@dataclass(frozen=True)
class Actor:
    """Who is asking. `name` goes with every change they make; `email` identifies a signed-in person."""

    kind: Literal["local", "person", "link"] = "local"
    name: str = ""
    email: str = ""
    admin: bool = False
    link_study: int | None = None  # for a share link: the one study it opens

    @property
    def signed_in(self) -> bool:
        return self.kind == "person"


LOCAL = Actor()


def person(name: str, email: str, admins: frozenset[str] | set[str] = frozenset()) -> Actor:
    """A signed-in person; an administrator when their email is listed in the server's configuration."""
    address = normal_email(email)
    listed = {normal_email(a) for a in admins}
    return Actor(kind="person", name=(name or address).strip(), email=address, admin=address in listed)


def link_holder(study_id: int) -> Actor:
    return Actor(kind="link", name="share link", link_study=study_id)


class AccessDenied(PermissionError):
    """The person may not do this in this study; the message says so in plain words."""
