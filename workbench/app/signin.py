"""Sign-in on a shared server: who is working comes from the sign-in provider, never from what is typed.

When the server's Streamlit secrets have an `[auth]` section (an OpenID Connect provider: Microsoft Entra ID,
Keycloak, Google, Okta; docs/access.md, "Sign-in"), every page asks the person to sign in first and shows
nothing of any study until they have; their name and email then come from the provider (`st.user`), every
store call acts as that person (`actor`), and every change they make carries their identity (`author`).

Without `[auth]` (a workshop laptop) the person types their name in the sidebar, as before. It is never taken
from the address: a link with `?who=The Director` cannot put someone else's name on the edits of whoever
opens it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from workbench.access import LOCAL, Actor, normal_email, person
from workbench.app import keys
from workbench.app.text import literal_list
from workbench.store.access import configured_admins, identity

log = logging.getLogger("workbench.app")

NOBODY = Actor(kind="person")  # sign-in configured, nobody signed in: no study is theirs (the gate shows none)


class SignInSetupError(RuntimeError):
    """The server has a secrets file that cannot be read: sign-in may be meant, so nothing is opened."""


def _secrets_files_present() -> bool:
    """Whether any secrets file Streamlit looks for exists (so one that cannot be parsed is not taken for none)."""
    try:
        files = st.get_option("secrets.files") or []
    except Exception:  # noqa: BLE001 - an option Streamlit does not know: nothing to look at
        return False
    return any(Path(f).exists() for f in files)


def _auth_section() -> Mapping[str, Any] | None:
    """The `[auth]` section of the secrets, or None when there is none (a laptop run)."""
    try:
        if "auth" not in st.secrets:
            return None
        section = st.secrets["auth"]
    except FileNotFoundError as exc:  # Streamlit's "no secrets" error is one; so is a file it cannot parse
        if _secrets_files_present():
            raise SignInSetupError(str(exc)) from exc
        return None
    return section if isinstance(section, Mapping) else None


def configured() -> bool:
    """Whether this server asks people to sign in (its secrets name a sign-in provider)."""
    return _auth_section() is not None


def providers() -> list[str | None]:
    """The providers to offer: None for the `[auth]` section's own (it names a client_id), then each named
    `[auth.NAME]` section, in the file's order."""
    section = _auth_section() or {}
    named = [name for name, value in section.items() if isinstance(value, Mapping)]
    return ([None] if "client_id" in section else []) + named


def signed_in() -> bool:
    return bool(st.user.get("is_logged_in"))


def _claim(name: str) -> str:
    value = st.user.get(name)
    return value.strip() if isinstance(value, str) else ""


def _email() -> str:
    """The signed-in person's email: the `email` claim, else a provider's user name when it is an address
    (Microsoft Entra gives `preferred_username`, the sign-in address, when no email is set up)."""
    email = _claim("email")
    if not email:
        fallback = _claim("preferred_username")
        email = fallback if "@" in fallback else ""
    return normal_email(email)


def _name() -> str:
    name = _claim("name") or " ".join(p for p in (_claim("given_name"), _claim("family_name")) if p)
    return name or _email()


def actor() -> Actor:
    """Who this session's store calls act as: the local person on a laptop; the signed-in person (an
    administrator when listed in WORKBENCH_ADMINS) on a shared server; NOBODY before anyone has signed in."""
    try:
        if not configured():
            return LOCAL
    except SignInSetupError:  # sign-in may be meant: nobody until the settings are fixed (the gate says so)
        return NOBODY
    if not signed_in() or not _email():
        return NOBODY
    return person(_name(), _email(), configured_admins())


def author() -> str:
    """The name saved with every change: the signed-in identity, else what the person typed in the sidebar."""
    who = actor()
    if who.signed_in:
        return identity(who) if who.email else ""
    return st.session_state.get(keys.AUTHOR, "")


# ------------------------------------------------------------------------------------------- on the page

def _sign_in_button(provider: str | None, label: str) -> None:
    if st.button(label, type="primary", icon=":material/login:", key=f"sign_in_{provider or 'default'}"):
        try:
            if provider:
                st.login(provider)
            else:
                st.login()
        except Exception as exc:  # noqa: BLE001 - a provider set up wrongly: a sentence, the details in the log
            log.error("Sign-in could not start (provider %s)", provider or "default", exc_info=exc)
            st.error("Sign-in is not set up completely on this server, so nobody can sign in yet. Tell whoever "
                     "runs Workbench (the server's log says what is missing).", icon=":material/error:")


def gate() -> bool:
    """True when the pages may be drawn: a laptop run, or a signed-in person with an email. Else draws the
    sign-in page (a sentence and a button; nothing of any study) and returns False."""
    try:
        if not configured():
            return True
    except SignInSetupError as exc:
        log.error("The server's secrets file cannot be read, so nobody is let in: %s", exc)
        st.error("Workbench cannot read its sign-in settings, so it opens nothing until they are fixed. Tell "
                 "whoever runs Workbench (the server's log says which file).", icon=":material/error:")
        return False
    if signed_in() and _email():
        return True
    st.title("Workbench")
    if signed_in():  # signed in, but the provider gave no email: nothing to match their access on
        st.warning("Your sign-in did not say your email address, which Workbench needs to know which studies "
                   "are yours. Ask whoever runs Workbench to have the sign-in provider send it.",
                   icon=":material/no_accounts:")
        if st.button("Sign out", icon=":material/logout:", key="sign_out_no_email"):
            st.logout()
        return False
    st.write("Sign in to see the studies you work on. Your name goes with every change you make.")
    offered = providers()
    if len(offered) <= 1:
        _sign_in_button(offered[0] if offered else None, "Sign in")
    else:
        for provider in offered:
            _sign_in_button(provider, f"Sign in with {provider}")
    return False


def sidebar(adopted: list[str] | None = None) -> None:
    """Who is working: the signed-in person and a "Sign out" button, or (a laptop) the "Your name" box.
    The typed name stays in this session only: never read from or written to the address. `adopted`: the
    studies given to the administrators at this start, told to an administrator once."""
    who = actor()
    if who.signed_in:
        st.caption("Signed in as")
        if who.name != who.email:
            st.text(who.name)
        st.text(who.email)
        if who.admin:
            st.caption("Server administrator: you can see every study.")
            if adopted and not st.session_state.get(keys.ADOPTED_SHOWN):
                st.session_state[keys.ADOPTED_SHOWN] = True
                st.info(f"Studies that had no owner now belong to the administrators: {literal_list(adopted, '; ')}. "
                        f"Hand each to its team on the Studies page (People).", icon=":material/key:")
        if st.button("Sign out", icon=":material/logout:", key="sign_out"):
            st.logout()
        return
    st.text_input("Your name", key=keys.AUTHOR, placeholder="so others see who changed what",
                  help="Saved with every correction and map change you make.")
