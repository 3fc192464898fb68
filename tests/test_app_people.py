"""The Studies page's People panel and roles in the app, through Streamlit's AppTest.

The app's store sessions act as a signed-in person here by wrapping `db.sessions` (what every session of the
app is opened from); the secrets name a sign-in provider and `at.user` is that same person, so the test means
the same wherever the app learns who is signed in (workbench/app/signin.py reads `st.user`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from app_helpers import APP
from app_pages import DemandScreen, Screen
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from workbench.access import LOCAL, Actor, Role, person
from workbench.store import db, members, sample, studies
from workbench.store.access import acting

OLIVE = person("Olive Owner", "olive@example.org")
ED = person("Ed Editor", "ed@example.org")
VI = person("Vi Viewer", "vi@example.org")
AUTH = {  # what a server's secrets.toml holds for one provider (docs/access.md); AppTest never reaches it
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-string-for-the-tests-only",
    "client_id": "workbench",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
}


@pytest.fixture
def store() -> Iterator[Callable[[Actor], Session]]:
    """Sessions on the test's database (the app's, by WORKBENCH_DATA_DIR) acting as whoever is named."""
    engine = db.engine_for()
    db.migrate(engine)
    factory = db.sessions(engine)
    yield lambda actor: acting(factory(), actor)
    engine.dispose()


@pytest.fixture
def repairs(store: Callable[[Actor], Session]) -> int:
    """A study with the sample's demand and maps, owned by Olive, Ed its editor and Vi its viewer, and one
    study of somebody else's."""
    with store(OLIVE) as s:
        made = studies.create_study(s, "Repairs").id
        sample.fill_with_sample(s, made, "")
        members.add_member(s, made, ED.email, Role.EDITOR)
        members.add_member(s, made, VI.email, Role.VIEWER)
    with store(person("Other", "other@example.org")) as s:
        studies.create_study(s, "Someone else's")
    return made


def signed_in_app(monkeypatch: pytest.MonkeyPatch, who: Actor, page: str = "studies", **query: str) -> AppTest:
    """The app with `who` signed in: its store sessions act as them."""
    real = db.sessions

    def sessions(engine: Engine, *args: Any, **kwargs: Any) -> Callable[[], Session]:
        factory = real(engine, *args, **kwargs)
        return lambda: acting(factory(), who)

    monkeypatch.setattr(db, "sessions", sessions)
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "name": who.name, "email": who.email}
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"views/{page}.py").run()
    Screen(at).assert_no_exception()
    return at


def unescape(text: str) -> str:
    """Shown text as a person reads it (Markdown's backslash escapes resolved)."""
    return re.sub(r"\\(.)", r"\1", text)


def shown(at: AppTest) -> str:
    """Everything the page says, as a person reads it: titles, text, messages, buttons' and expanders' labels."""
    parts: list[str] = []
    for kind in ("title", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return unescape("\n".join(parts + [b.label for b in at.button] + [e.label for e in at.expander]))


def people(store: Callable[[Actor], Session], study_id: int) -> dict[str, Role]:
    with store(LOCAL) as s:
        return {m.email: m.role for m in members.list_members(s, study_id)}


# ------------------------------------------------------------------------------------------ a laptop


def test_on_a_laptop_the_panel_says_sign_in_is_not_configured() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/studies.py").run()
    Screen(at).assert_no_exception()
    text = shown(at)
    assert "People: who may work on this study" in text
    assert ("Sign-in is not configured on this Workbench, so everyone who can open it can see and change every "
            "study") in text and "docs/access.md" in text
    assert not [t for t in at.text_input if t.label.startswith("Add a person")]
    assert "Rename" in text and "Delete for ever" in text  # the local person may do everything, as before


# ------------------------------------------------------------------------------------------ signed in


def test_an_owner_adds_changes_and_removes_people(monkeypatch: pytest.MonkeyPatch, store: Callable[[Actor], Session],
                                                  repairs: int) -> None:
    at = signed_in_app(monkeypatch, OLIVE, study=str(repairs))
    page = Screen(at)
    assert [o for o in page.selectbox("Open a study").options] == ["Repairs"]  # not someone else's study
    table = next(d.value for d in at.dataframe if "Email" in d.value.columns)
    assert table[["Email", "Role"]].values.tolist() == [[OLIVE.email, "owner"], [ED.email, "editor"],
                                                         [VI.email, "viewer"]]

    page.text_input("Add a person by the email they sign in with").set_value(" New@Example.org ")
    page.selectbox("as").set_value(Role.VIEWER)
    page.press("Add")
    page.assert_no_exception()
    assert "new@example.org may now work on this study as a viewer." in shown(at)
    assert people(store, repairs)["new@example.org"] == Role.VIEWER
    added = next(d.value for d in at.dataframe if "Email" in d.value.columns)
    assert added.loc[added["Email"] == "new@example.org", "Added by"].tolist() == ["Olive Owner <olive@example.org>"]

    page.choose("Change or remove", "new@example.org")
    page.choose("new role", Role.EDITOR)
    page.press("Change role")
    assert people(store, repairs)["new@example.org"] == Role.EDITOR
    page.choose("Change or remove", "new@example.org")
    page.press("Remove")
    assert "new@example.org" not in people(store, repairs)
    assert "new@example.org may no longer open this study." in shown(at)


def test_the_last_owner_is_refused_in_words(monkeypatch: pytest.MonkeyPatch, store: Callable[[Actor], Session],
                                            repairs: int) -> None:
    at = signed_in_app(monkeypatch, OLIVE, study=str(repairs))
    page = Screen(at)
    page.choose("Change or remove", OLIVE.email)
    page.press("Remove")
    page.assert_no_exception()
    assert ("olive@example.org is this study's only owner, so they cannot be removed: make someone else an owner "
            "first.") in unescape(page.errors())
    page.text_input("Add a person by the email they sign in with").set_value("not an address")
    page.press("Add")
    assert "is not an email address" in unescape(page.errors())
    assert people(store, repairs) == {OLIVE.email: Role.OWNER, ED.email: Role.EDITOR, VI.email: Role.VIEWER}


@pytest.mark.parametrize(("who", "role"), [(ED, "an editor"), (VI, "a viewer")])
def test_editors_and_viewers_are_offered_nothing_to_manage(monkeypatch: pytest.MonkeyPatch, repairs: int,
                                                           who: Actor, role: str) -> None:
    at = signed_in_app(monkeypatch, who, study=str(repairs))
    text = shown(at)
    assert f"You are {role} of 'Repairs'" in text
    for label in ("Rename", "Delete for ever", "Export the study (zip)", "People: who may work on this study"):
        assert label not in text
    assert Screen(at).selectbox("Open a study").options == ["Repairs"]


def test_a_study_that_is_not_theirs_does_not_open_by_its_number(monkeypatch: pytest.MonkeyPatch,
                                                                store: Callable[[Actor], Session],
                                                                repairs: int) -> None:
    with store(LOCAL) as s:
        other = studies.find_study(s, "Someone else's")
        assert other is not None
    at = signed_in_app(monkeypatch, VI, study=str(other.id))
    assert at.query_params["study"] in (str(repairs), [str(repairs)])  # their own study opened instead
    assert "Someone else" not in shown(at)


def test_an_editor_made_a_viewer_while_the_page_is_open_saves_nothing(
        monkeypatch: pytest.MonkeyPatch, store: Callable[[Actor], Session], repairs: int) -> None:
    at = signed_in_app(monkeypatch, ED, page="demand", study=str(repairs))
    with store(OLIVE) as s:  # the owner makes Ed a viewer while his Demand page is open
        members.set_member_role(s, repairs, ED.email, Role.VIEWER)
    DemandScreen(at).correct(row=0, field="nature", value="unclassified")
    Screen(at).assert_no_exception()
    assert [t.value for t in at.title][:1] == ["Repairs"]  # the study's dashboard: all a viewer is offered
    with store(LOCAL) as s:
        assert studies.correction_log(s, repairs) == []


# ------------------------------------------------------------------------------------------ what a viewer is offered


def test_a_viewer_is_offered_the_dashboard_and_studies_only(monkeypatch: pytest.MonkeyPatch, repairs: int) -> None:
    # "viewer: the dashboard and reports of that study only": the pages for changing it are not offered, and
    # asking for one by its address opens the dashboard instead.
    at = signed_in_app(monkeypatch, VI, page="dashboard", study=str(repairs))
    assert [t.value for t in at.title][:1] == ["Repairs"]  # the dashboard is titled with its study's name
    for page in ("demand", "flow", "compare"):
        with pytest.raises(ValueError, match="Known pages") as refused:  # not among the pages the app offers
            at.switch_page(f"views/{page}.py")
        offered = re.findall(r"views/(\w+)\.py", str(refused.value).split("Known pages")[1])
        assert sorted(offered) == ["dashboard", "studies"]
    at.switch_page("views/studies.py").run()
    assert "Studies" in [t.value for t in at.title]


def test_an_editor_is_offered_every_page(monkeypatch: pytest.MonkeyPatch, repairs: int) -> None:
    at = signed_in_app(monkeypatch, ED, page="demand", study=str(repairs))
    assert [t.value for t in at.title][:1] == ["Demand"]
    at.switch_page("views/flow.py").run()
    assert [t.value for t in at.title][:1] == ["Flow"]
