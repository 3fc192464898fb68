"""Who is working, through Streamlit's AppTest: on a laptop the name is typed and never taken from (or put in)
the address; on a shared server (an `[auth]` section in the secrets) nothing of any study is shown before
sign-in, and then the name is the signed-in identity, which goes with every change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from app_helpers import APP, in_sample_study
from app_pages import DemandScreen, Screen
from streamlit.testing.v1 import AppTest

from workbench.app import keys
from workbench.store import studies
from workbench.store.access import ENV_ADMINS
from workbench.store.sample import SAMPLE_STUDY

from independent import sample_expected

# what a server's secrets.toml holds for one provider (docs/access.md); AppTest never reaches the provider
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-string-for-the-tests-only",
    "client_id": "workbench",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
}
ALICE = {"is_logged_in": True, "name": "Alice Owner", "email": "Alice.Owner@Example.org"}


def app(*, auth: dict[str, Any] | None = None, user: dict[str, Any] | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if auth is not None:
        at.secrets["auth"] = auth
    if user is not None:
        at.user = user
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def everything_shown(at: AppTest) -> str:
    """All the text the page shows (messages, markdown, captions, titles, widgets' labels and options)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error",
                 "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for box in at.selectbox:
        parts += [box.label, *map(str, box.options)]
    parts += [b.label for b in at.button] + [t.label for t in at.text_input]
    parts += [m.label for m in at.metric]
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------- a laptop

def test_a_name_in_the_address_is_not_taken_as_the_authors() -> None:
    at = app(who="The Director")
    screen = Screen(at)
    screen.assert_no_exception()
    assert screen.text_input("Your name").value == ""
    assert keys.AUTHOR not in at.session_state or at.session_state[keys.AUTHOR] == ""
    assert "The Director" not in everything_shown(at)
    # a correction made now carries no name at all, certainly not the one in the link
    DemandScreen(at).correct(row=0, field="nature", value="unclassified")
    log = in_sample_study(studies.correction_log)
    assert [c.author for c in log] == [""]


def test_a_typed_name_is_never_written_to_the_address() -> None:
    at = app()
    screen = Screen(at)
    assert "who" not in at.query_params
    screen.type("Your name", "Ann")
    assert screen.text_input("Your name").value == "Ann"
    assert "who" not in at.query_params
    DemandScreen(at).correct(row=0, field="nature", value="unclassified")
    assert [c.author for c in in_sample_study(studies.correction_log)] == ["Ann"]
    assert "who" not in at.query_params
    # no sign-in here: no sign-in page, no sign-out button
    assert "Sign in" not in [b.label for b in at.button] and "Sign out" not in [b.label for b in at.button]


# ------------------------------------------------------------------------------------ a shared server

def test_with_sign_in_configured_a_person_not_signed_in_sees_only_the_sign_in_page() -> None:
    at = app(auth=AUTH, user={"is_logged_in": False}, study="1", view="dashboard")
    screen = Screen(at)
    screen.assert_no_exception()
    assert [b.label for b in at.button] == ["Sign in"]
    shown = everything_shown(at)
    assert "Sign in to see the studies you work on" in shown
    assert SAMPLE_STUDY not in shown
    assert not at.selectbox and not at.metric and not at.dataframe and not at.text_input
    assert not at.sidebar.children  # no navigation, no study picker, no name box
    # the claims Streamlit gives before anyone has signed in (no is_logged_in at all) are no sign-in either
    again = app(auth=AUTH, user={"email": "someone@example.org"})
    assert [b.label for b in again.button] == ["Sign in"] and not again.metric


def test_each_named_provider_gets_its_own_button() -> None:
    auth = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"],
            "microsoft": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")},
            "keycloak": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}}
    at = app(auth=auth, user={"is_logged_in": False})
    assert [b.label for b in at.button] == ["Sign in with microsoft", "Sign in with keycloak"]


def test_a_sign_in_the_server_cannot_start_is_a_sentence_not_a_traceback() -> None:
    # AppTest's secrets do not reach Streamlit's own sign-in, which finds no provider: as on a server whose
    # [auth] section lacks what the provider needs
    at = app(auth=AUTH, user={"is_logged_in": False})
    Screen(at).press("Sign in")
    Screen(at).assert_no_exception()
    assert Screen(at).says("error", "Sign-in is not set up completely on this server")
    assert SAMPLE_STUDY not in everything_shown(at)


def test_a_signed_in_person_works_as_their_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_ADMINS, " alice.owner@example.org ,admin2@example.org")  # sees every study
    exp = sample_expected()
    at = app(auth=AUTH, user=ALICE, who="The Director")
    screen = Screen(at)
    screen.assert_no_exception()
    sidebar = "\n".join(str(e.value) for e in at.sidebar.text)
    assert "Alice Owner" in sidebar and "alice.owner@example.org" in sidebar
    assert "Sign out" in [b.label for b in at.sidebar.button]
    assert not [t for t in at.text_input if t.label == "Your name"]
    assert screen.says("caption", "Server administrator")
    assert screen.headline("Demands") == f"{exp.rows:,}"
    # her correction carries her identity from the provider, not the name in the link
    DemandScreen(at).correct(row=0, field="nature", value="unclassified")
    screen.assert_no_exception()
    assert [c.author for c in in_sample_study(studies.correction_log)] == [
        "Alice Owner <alice.owner@example.org>"]


def test_signing_out_ends_access(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_ADMINS, "alice.owner@example.org")
    at = app(auth=AUTH, user=ALICE)
    assert Screen(at).headline("Demands") == f"{sample_expected().rows:,}"
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    assert at.user.get("is_logged_in") is False
    at.run()
    Screen(at).assert_no_exception()
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and SAMPLE_STUDY not in everything_shown(at)


def test_a_sign_in_without_an_email_opens_nothing() -> None:
    at = app(auth=AUTH, user={"is_logged_in": True, "name": "No Mail", "preferred_username": "nomail"})
    screen = Screen(at)
    screen.assert_no_exception()
    assert screen.says("warning", "did not say your email address")
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.metric and SAMPLE_STUDY not in everything_shown(at)


def test_an_email_shaped_user_name_stands_in_for_a_missing_email(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_ADMINS, "bo@example.org")
    at = app(auth=AUTH, user={"is_logged_in": True, "name": "Bo", "preferred_username": "Bo@Example.org"})
    Screen(at).assert_no_exception()
    sidebar = "\n".join(str(e.value) for e in at.sidebar.text)
    assert "Bo" in sidebar and "bo@example.org" in sidebar
    assert Screen(at).headline("Demands") == f"{sample_expected().rows:,}"


def test_a_secrets_file_that_cannot_be_read_opens_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A typing mistake in secrets.toml must not open the server without sign-in."""
    import streamlit as st
    from streamlit.runtime.secrets import Secrets
    from streamlit.testing.v1.util import patch_config_options

    broken = tmp_path / "secrets.toml"
    broken.write_text('[auth\nredirect_uri = "http://localhost:8501/oauth2callback"\n', encoding="utf-8")
    from streamlit import config

    monkeypatch.setattr(st, "secrets", Secrets())  # a fresh one, that reads the files configured below
    monkeypatch.setattr(st, "get_option", lambda key: config.get_option(key))  # st's is bound at import
    with patch_config_options({"secrets.files": [str(broken)]}):
        at = AppTest.from_file(APP, default_timeout=120).run()
    Screen(at).assert_no_exception()
    assert Screen(at).says("error", "Workbench cannot read its sign-in settings")
    assert not at.button and not at.metric and not at.text_input
    assert SAMPLE_STUDY not in everything_shown(at)


def test_a_share_link_opens_its_dashboard_without_signing_in() -> None:
    """Share links are for people without an account: on a sign-in server they open their one dashboard, and
    the rest of the app still asks for sign-in."""
    from workbench.store import db, sample, share_links

    engine = db.engine_for()
    try:
        db.migrate(engine)
        with db.sessions(engine)() as s:
            sample.ensure_sample_study(s)
            found = studies.find_study(s, SAMPLE_STUDY)
            assert found is not None
            token = share_links.make_link(s, found.id).token
    finally:
        engine.dispose()
    at = app(auth=AUTH, user={"is_logged_in": False}, share=token)
    Screen(at).assert_no_exception()
    assert [t.value for t in at.title] == [SAMPLE_STUDY]
    assert Screen(at).headline("Demands") == f"{sample_expected().rows:,}"
    assert not at.button and not at.sidebar.children
    # the same browser without the link: the sign-in page, not the app
    elsewhere = app(auth=AUTH, user={"is_logged_in": False})
    assert [b.label for b in elsewhere.button] == ["Sign in"] and not elsewhere.metric


def test_at_first_start_with_sign_in_studies_without_owners_become_the_administrators(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.store import db, members, sample

    engine = db.engine_for()
    try:
        db.migrate(engine)
        with db.sessions(engine)() as s:
            sample.ensure_sample_study(s)
            studies.create_study(s, "Made at the command line")
    finally:
        engine.dispose()
    monkeypatch.setenv(ENV_ADMINS, "Alice.Owner@Example.org, it@example.org")
    at = app(auth=AUTH, user=ALICE)
    Screen(at).assert_no_exception()
    told = " ".join(i.value for i in at.sidebar.info)
    assert "now belong to the administrators" in told
    assert SAMPLE_STUDY in told and "Made at the command line" in told

    def owners(s: studies.Session) -> dict[str, list[tuple[str, str]]]:  # type: ignore[name-defined]
        return {st.name: sorted((m.email, m.role) for m in members.list_members(s, st.id))
                for st in studies.list_studies(s)}
    engine = db.engine_for()
    try:
        with db.sessions(engine)() as s:
            assert owners(s) == {name: [("alice.owner@example.org", "owner"), ("it@example.org", "owner")]
                                 for name in (SAMPLE_STUDY, "Made at the command line")}
    finally:
        engine.dispose()
    at.run()  # told once
    assert not at.sidebar.info
