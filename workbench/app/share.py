"""Share links in the app: what a link's holder sees, and the panel where a study's owners make them.

A page opened with `?share=<token>` is in share mode for the whole browser session: the token is checked at
every run (so a withdrawn link stops at once), the session's store actor is the link's holder (its one
study, read-only), and the only page is that study's dashboard: no navigation, no sidebar, nothing to edit. The
dashboard's study report downloads (workbench/app/study_report.py) work there too, as the link's holder: that
study only, without the customers' words.
Changing `study=` or `view=` (or the page's path) in the address shows the same dashboard; a refused link is
a plain page saying why, without the study's name. The token is never logged nor shown again.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from workbench.access import AccessDenied, Actor, link_holder
from workbench.app import keys, study
from workbench.app.text import literal
from workbench.store import share_links, studies

_NOBODY = Actor(kind="link", name="share link")  # a link's session before (or without) its study: sees nothing


def requested() -> bool:
    """This run is a share link's: the address carries one, or this session was opened by one."""
    return share_links.PARAM in st.query_params or study.actor().kind == "link"


def run(dashboard: StreamlitPage) -> None:
    """The link's study's dashboard alone, or a plain page saying why the link does not open."""
    study_id = _open()
    if study_id is None:
        return
    study.set_actor(link_holder(study_id))
    navigation = st.navigation([dashboard], position="hidden")
    with study.page_errors("a shared dashboard"), study.database_errors():
        navigation.run()


def _open() -> int | None:
    if study.actor().kind != "link":
        study.set_actor(_NOBODY)  # from here on this session can see nothing but what the link opens
    token = st.query_params.get(share_links.PARAM)
    if token is None:  # the address lost its token since the session opened the link
        _refuse("This page was opened by a share link: open the link again to see it.")
        return None
    with study.page_errors("a share link"), study.database_errors():
        try:
            return study.call(share_links.open_link, token)
        except share_links.LinkRefused as exc:
            study.set_actor(_NOBODY)
            _refuse(str(exc))
    return None


def _refuse(message: str) -> None:
    st.title("This link does not open")
    st.info(message, icon=":material/link_off:")


# ------------------------------------------------------------------------ the owners' panel (Dashboard page)


def app_address() -> str:
    """The app's own address as the browser sees it (without the page's path or query), or "" unknown."""
    try:
        here = urlsplit(str(st.context.url or ""))
    except Exception:  # noqa: BLE001 - the address is a convenience; the link's path works without it
        here = urlsplit("")
    path = here.path.rstrip("/")
    for page in ("/dashboard", "/studies", "/flow", "/compare", "/demand"):
        path = path.removesuffix(page)
    return urlunsplit((here.scheme, here.netloc, path, "", "")) if here.netloc else ""


def panel(found: studies.Study) -> None:
    """Make, list and withdraw the study's read-only links; only for those who may manage the study."""
    try:
        links = study.call(share_links.list_links, found.id)
    except AccessDenied:
        return  # sharing is its owners' to do: nothing to show to an editor or a viewer
    with st.expander("Share a read-only link", icon=":material/share:", expanded=bool(_made(found.id))):
        st.markdown("A share link opens **this dashboard alone**, read-only, for someone without an account (with "
                    "its study report to download): "
                    "no other page, no other study, even if they change the address. Anyone holding the link can "
                    "open it until it expires or you withdraw it, so send it only to those it is for.")
        if found.archived:
            st.info("This study is archived: bring it back on the Studies page before sharing it.",
                    icon=":material/inventory_2:")
        elif _make(found):
            links = study.call(share_links.list_links, found.id)  # with the new one
        _shown(found.id)
        _listed(found.id, links)


def _made(study_id: int) -> str | None:
    made = st.session_state.get(keys.SHARE_MADE)
    return made.get(study_id) if isinstance(made, dict) else None


def _make(found: studies.Study) -> bool:
    """The form to make a link; True when one was just made (kept in the session to be shown until hidden)."""
    with st.form(f"share_make_{found.id}", clear_on_submit=True, border=False):
        left, right = st.columns([3, 1])
        label = left.text_input("What the link is for (optional)", max_chars=200,
                                placeholder="e.g. for the operations director")
        days = right.number_input("Expires after (days, 0 = never)", min_value=0,
                                  max_value=share_links.MAX_EXPIRY_DAYS, value=30, step=1)
        pressed = st.form_submit_button("Make a link", icon=":material/add_link:")
    if pressed:
        made = study.call(share_links.make_link, found.id, label=label, expires_days=int(days) or None,
                          author=study.author())
        held = st.session_state.get(keys.SHARE_MADE)
        st.session_state[keys.SHARE_MADE] = {**(held if isinstance(held, dict) else {}),
                                             found.id: app_address() + made.path()}
    return pressed


def _hide(study_id: int) -> None:
    held = st.session_state.get(keys.SHARE_MADE)
    if isinstance(held, dict):
        held.pop(study_id, None)


def _shown(study_id: int) -> None:
    link = _made(study_id)
    if not link:
        return
    st.success("Copy this link now: it is shown only here, once. Workbench keeps only a fingerprint of it, so "
               "it cannot show it again (make a new one if it is lost).", icon=":material/key:")
    st.code(link, language=None, wrap_lines=True)
    st.button("I have copied it: hide it", key=f"share_hide_{study_id}", on_click=_hide, args=(study_id,))


def _revoke(study_id: int, link_id: int) -> None:
    with study.database_errors():
        study.call(share_links.revoke_link, study_id, link_id, author=study.author())


def _listed(study_id: int, links: list[share_links.ShareLink]) -> None:
    if not links:
        st.caption("No share links yet.")
        return
    st.markdown("**Links made**")
    for link in links:
        words, button = st.columns([5, 1], vertical_alignment="center")
        what = literal(link.label) if link.label else "A link"
        by = f" by {literal(link.created_by)}" if link.created_by else ""
        words.markdown(f"{what}: made{by} on {link.created_at:%d %b %Y %H:%M} UTC, "
                       f"{literal(link.state_words())}.")
        if link.state() == "open":
            button.button("Withdraw", key=f"share_revoke_{link.id}", on_click=_revoke, args=(study_id, link.id),
                          help="The link stops opening at once; whoever holds it sees that it was withdrawn.")
