"""Sign-in on a shared server, in Chromium against a real server and a local OpenID Connect provider
(tests/oidc_provider.py): nothing of any study before sign-in, the signed-in identity on every change,
signing out ends access; an owner, an editor and a viewer, each in a browser of their own, see and do what
their role in the study allows."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from oidc_provider import Person, SignInServer, expect_sign_in_page, local_only, provider, sign_in, sign_out
from playwright.sync_api import Browser, BrowserContext, Page, expect

from workbench.access import Role
from workbench.store import db, sample, studies
from workbench.store.models import StudyMemberRow, utcnow
from workbench.store.sample import SAMPLE_STUDY

from conftest import _need_chromium
from independent import SAMPLE_CSV
from pages import TIMEOUT_MS, VIEWPORT, DemandPage, StudiesPage

pytestmark = pytest.mark.browser

OWNER = Person("alice", "Alice Owner", "alice@example.org")
EDITOR = Person("eddie", "Eddie Editor", "eddie@example.org")
VIEWER = Person("vera", "Vera Viewer", "vera@example.org")
PRIVATE = "Another team's study"  # nobody above is a member: only its own team (and administrators) may see it


def _first_row_nature() -> tuple[str, str]:
    """The sample's first row's value/failure, and the other one (what a correction changes it to)."""
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        old = next(csv.DictReader(f))["nature"]
    return old, ("value" if old == "failure" else "failure")


class Site:
    """A sign-in server on a database prepared as the command line would (the local person): the sample
    study with its members, and `PRIVATE` with none of them."""

    def __init__(self, tmp: Path, provider_url: str, members: dict[Person, Role]) -> None:
        data = tmp / "data"
        data.mkdir()
        self.engine = db.engine_for(f"sqlite:///{data / db.DATABASE_FILE}")
        db.migrate(self.engine)
        with db.sessions(self.engine)() as s:
            sample.ensure_sample_study(s)
            found = studies.find_study(s, SAMPLE_STUDY)
            assert found is not None
            self.sample_id = found.id
            self.private_id = studies.create_study(s, PRIVATE).id
        with db.sessions(self.engine)() as s, s.begin():
            for who, role in members.items():
                s.add(StudyMemberRow(study_id=self.sample_id, email=who.email, role=role.value,
                                     added_by="test set-up", added_at=utcnow()))
        self.server = SignInServer(tmp, provider_url, env={"WORKBENCH_DATA_DIR": str(data)}).start()
        self.url = self.server.url

    def corrections(self) -> list[tuple[int, str, str]]:
        with db.sessions(self.engine)() as s:
            return [(c.row, c.after, c.author) for c in studies.correction_log(s, self.sample_id)]

    def study_name(self) -> str:
        with db.sessions(self.engine)() as s:
            return studies.get_study(s, self.sample_id).name

    def stop(self) -> None:
        self.server.stop()
        self.engine.dispose()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    _need_chromium()
    with provider([OWNER, EDITOR, VIEWER]) as provider_url:
        running = Site(tmp_path, provider_url, {OWNER: Role.OWNER, EDITOR: Role.EDITOR, VIEWER: Role.VIEWER})
        try:
            yield running
        finally:
            running.stop()


def _context(browser: Browser) -> BrowserContext:
    return local_only(browser.new_context(viewport=VIEWPORT))


def _expect_nothing_of_any_study(page: Page) -> None:
    expect_sign_in_page(page)
    for name in (SAMPLE_STUDY, PRIVATE):
        expect(page.get_by_text(name)).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)


def _expect_signed_in_as(page: Page, who: Person) -> None:
    bar = page.get_by_test_id("stSidebar")
    expect(bar.get_by_text(who.name, exact=True)).to_be_visible()
    expect(bar.get_by_text(who.email, exact=True)).to_be_visible()
    expect(bar.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("textbox", name="Your name")).to_have_count(0)


def _study_picker_options(app: DemandPage) -> list[str]:
    """The studies the sidebar's study picker offers (opened, read, closed again)."""
    box = app.page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
        has=app.page.get_by_role("combobox", name="Study", exact=True))
    box.get_by_role("button", name="Open").click()
    options = app.page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_be_visible()
    names = [t.strip() for t in options.all_inner_texts()]
    app.page.keyboard.press("Escape")
    return names


def test_sign_in_gates_every_page_and_signing_out_ends_access(browser: Browser, site: Site) -> None:
    old, new = _first_row_nature()
    context = _context(browser)
    try:
        page = context.new_page()
        app = DemandPage(page, site.url)
        # not signed in: whatever the address asks for, only the sign-in page
        for path in ("", f"?study={site.sample_id}", f"?view=dashboard&study={site.sample_id}", "studies",
                     f"flow?study={site.private_id}", "?who=The%20Director"):
            app.open(path)
            _expect_nothing_of_any_study(page)

        # signed in: their name and email in the sidebar, no name box; their correction carries their identity
        sign_in(page, site.url, OWNER)
        app.wait_loaded()
        _expect_signed_in_as(page, OWNER)
        app.open(f"?study={site.sample_id}")
        _expect_signed_in_as(page, OWNER)  # the sign-in lasts (a cookie): a new page load is still signed in
        app.correct_first_row("Value or failure", new)
        expect(app.expect_saved(1)).to_contain_text(f"by {OWNER.name}")
        assert site.corrections() == [(2, new, OWNER.identity)]
        assert old != new

        # signed out: the sign-in page again, also after a reload and for a dashboard link
        sign_out(page, site.url)
        app.wait_loaded()
        _expect_nothing_of_any_study(page)
        app.reload()
        _expect_nothing_of_any_study(page)
        app.open(f"?view=dashboard&study={site.sample_id}")
        _expect_nothing_of_any_study(page)
    finally:
        context.close()


def test_an_owner_an_editor_and_a_viewer_each_do_what_their_role_allows(browser: Browser, site: Site) -> None:
    _, new = _first_row_nature()
    contexts = {who: _context(browser) for who in (OWNER, EDITOR, VIEWER)}
    try:
        apps = {}
        for who, context in contexts.items():
            app = DemandPage(context.new_page(), site.url)
            app.open()
            _expect_nothing_of_any_study(app.page)
            sign_in(app.page, site.url, who)
            app.wait_loaded()
            _expect_signed_in_as(app.page, who)
            apps[who] = app

        # each sees the study they are a member of, and not another team's
        for who, app in apps.items():
            if who is not VIEWER:
                assert _study_picker_options(app) == [SAMPLE_STUDY], who

        # the editor corrects a row: saved, with their identity
        editor = apps[EDITOR]
        editor.correct_first_row("Value or failure", new)
        expect(editor.expect_saved(1)).to_contain_text(f"by {EDITOR.name}")
        assert site.corrections() == [(2, new, EDITOR.identity)]

        # the viewer sees the study's dashboard; another team's study, asked for by its number, shows nothing
        viewer = apps[VIEWER]
        viewer.open(f"?view=dashboard&study={site.sample_id}")
        expect(viewer.page.get_by_text(SAMPLE_STUDY).first).to_be_visible()
        viewer.open(f"?view=dashboard&study={site.private_id}")
        expect(viewer.page.get_by_text(PRIVATE)).to_have_count(0)
        # the viewer is offered the dashboard and the studies list only: the Demand page, asked for by its
        # address, opens the dashboard (the store would refuse a change anyway: tests/test_store_access.py)
        viewer.open(f"demand?study={site.sample_id}")
        nav = viewer.page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_text("Dashboard", exact=True)).to_be_visible()
        expect(nav.get_by_text("Demand", exact=True)).to_have_count(0)
        expect(viewer.page.get_by_text(SAMPLE_STUDY).first).to_be_visible()
        expect(viewer.page.get_by_text("Customers' words", exact=True)).to_have_count(0)
        assert [a for _, _, a in site.corrections()] == [EDITOR.identity]

        # the owner renames the study (owners only); the editor's study picker shows the new name
        owner = apps[OWNER]
        studies_page = StudiesPage(owner.page, site.url)
        studies_page.go_to("Studies")
        studies_page.rename("Repairs pilot")
        assert site.study_name() == "Repairs pilot"
        editor.reload()
        assert _study_picker_options(editor) == ["Repairs pilot"]
        expect(editor.page.get_by_text(PRIVATE)).to_have_count(0, timeout=TIMEOUT_MS)
    finally:
        for context in contexts.values():
            context.close()
