"""Roles per study, enforced in the store's API: every public function of `studies`, `archive` and `members`
is called as a viewer, an editor, an owner, an administrator, a stranger and a share link's holder, and what
each may do is checked against the roles (workbench/access.py) written out here again, call by call.

Every test runs on SQLite and on PostgreSQL (tests/store_fixtures.py).
"""

from __future__ import annotations

import inspect
import io
import json
import zipfile
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from flow_fixtures import SMALL_MAP as MAP
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from workbench import cli, schema
from workbench.access import LOCAL, AccessDenied, Actor, Role, link_holder, person
from workbench.store import archive, db, members, studies
from workbench.store.access import acting, configured_admins
from workbench.store.members import LastOwnerError
from workbench.store.models import TABLES, StudyMemberRow, StudyRow

CSV = b"Date,Type,V/F\n2026-01-05,Report a leak,\n2026-01-05,Chasing a repair,\n2026-01-06,Report a leak,V\n"
CATALOGUE = "types:\n  - type: Report a leak\n    nature: value\n  - type: Chasing a repair\n    nature: failure\n"

OWNER = person("Olive Owner", "Olive@Example.org")
EDITOR = person("Ed Editor", "ed@example.org")
VIEWER = person("Vi Viewer", "vi@example.org")
STRANGER = person("Stan Stranger", "stan@example.org")
ADMIN = person("Ada Admin", "ada@example.org", admins={"ADA@example.org"})

Call = Callable[[Session, "Made"], Any]


class Made:
    """A study with something of everything in it, owned by OWNER, EDITOR an editor and VIEWER a viewer."""

    def __init__(self, engine: Engine, name: str = "Housing repairs") -> None:
        with as_(engine, OWNER) as s:
            self.id = studies.create_study(s, name).id
            self.source = studies.set_demand_source(s, self.id, "demand.csv", CSV,
                                                    mapping={"received_at": "Date"}).id
            studies.add_correction(s, self.id, 2, schema.NATURE, "failure", "", 0)
            studies.save_map_version(s, self.id, "M", MAP, "", None)
            studies.save_catalogue(s, self.id, CATALOGUE, "", None)
            studies.save_comparison_run(s, self.id, {"runs": 1}, {"ok": True})
            members.add_member(s, self.id, EDITOR.email, Role.EDITOR)
            members.add_member(s, self.id, VIEWER.email, "viewer")


def as_(engine: Engine, actor: Actor) -> Session:
    return acting(db.sessions(engine)(), actor)


# Every public function that takes a session, by what it needs, each with a call that would succeed for someone
# allowed (on a `Made` study). A function of these modules missing here fails the first test: a new write must
# be classified (and so checked) before it can be merged.

VIEW_READS: dict[str, Call] = {
    "get_study": lambda s, m: studies.get_study(s, m.id),
    "current_demand_source": lambda s, m: studies.current_demand_source(s, m.id),
    "list_demand_sources": lambda s, m: studies.list_demand_sources(s, m.id),
    "demand_file": lambda s, m: studies.demand_file(s, m.source),
    "correction_log": lambda s, m: studies.correction_log(s, m.id),
    "corrections_for": lambda s, m: studies.corrections_for(s, m.id),
    "correction_versions": lambda s, m: studies.correction_versions(s, m.id),
    "list_maps": lambda s, m: studies.list_maps(s, m.id),
    "list_map_versions": lambda s, m: studies.list_map_versions(s, m.id, "M"),
    "get_map_version": lambda s, m: studies.get_map_version(s, m.id, "M"),
    "diff_map_versions": lambda s, m: studies.diff_map_versions(s, m.id, "M", 1, 1),
    "get_catalogue": lambda s, m: studies.get_catalogue(s, m.id),
    "list_catalogue_versions": lambda s, m: studies.list_catalogue_versions(s, m.id),
    "latest_comparison_run": lambda s, m: studies.latest_comparison_run(s, m.id),
}
# answer with only what the actor may see (their studies, their role), never refuse
FILTERED_READS = {"list_studies", "find_study", "my_role"}
EDIT_WRITES: dict[str, Call] = {
    "set_demand_source": lambda s, m: studies.set_demand_source(s, m.id, "again.csv", CSV),
    "update_demand_reading": lambda s, m: studies.update_demand_reading(s, m.id, m.source, date_order="day-first"),
    "reuse_demand_source": lambda s, m: studies.reuse_demand_source(s, m.id, m.source),
    "add_correction": lambda s, m: studies.add_correction(s, m.id, 3, schema.NATURE, "value", "", 0),
    "add_corrections": lambda s, m: studies.add_corrections(s, m.id, [studies.Change(4, schema.NATURE, "value")],
                                                            ""),
    "undo_last": lambda s, m: studies.undo_last(s, m.id, ""),
    "save_map_version": lambda s, m: studies.save_map_version(s, m.id, "M", MAP.replace("Small", "Smaller"), "",
                                                              1),
    "restore_map_version": lambda s, m: studies.restore_map_version(s, m.id, "M", 1, ""),
    "name_map_version": lambda s, m: studies.name_map_version(s, m.id, "M", 1, "agreed in workshop 2"),
    "rename_map": lambda s, m: studies.rename_map(s, m.id, "M", "M renamed"),
    "delete_map": lambda s, m: studies.delete_map(s, m.id, "M"),
    "save_catalogue": lambda s, m: studies.save_catalogue(s, m.id, CATALOGUE.replace("failure", "value"), "", 1),
    "restore_catalogue": lambda s, m: studies.restore_catalogue(s, m.id, 1, ""),
    "save_comparison_run": lambda s, m: studies.save_comparison_run(s, m.id, {"runs": 2}, {"ok": False}),
}
MANAGE_CALLS: dict[str, Call] = {
    "rename_study": lambda s, m: studies.rename_study(s, m.id, "Renamed"),
    "archive_study": lambda s, m: studies.archive_study(s, m.id),
    "delete_study": lambda s, m: studies.delete_study(s, m.id),
    "export_study": lambda s, m: archive.export_study(s, m.id),
    "list_members": lambda s, m: members.list_members(s, m.id),
    "add_member": lambda s, m: members.add_member(s, m.id, "new@example.org", "editor"),
    "set_member_role": lambda s, m: members.set_member_role(s, m.id, VIEWER.email, "editor"),
    "remove_member": lambda s, m: members.remove_member(s, m.id, VIEWER.email),
}
ADMIN_CALLS: dict[str, Call] = {  # a server administrator's (and the command line's) only
    "make_owner": lambda s, m: members.make_owner(s, m.id, "new@example.org"),
    "adopt_unowned": lambda s, m: members.adopt_unowned(s, {"ada@example.org"}),
}
CREATES: dict[str, Call] = {  # anyone but a share link's holder; a signed-in person becomes the owner
    "create_study": lambda s, m: studies.create_study(s, "Another study"),
    "import_study": lambda s, m: archive.import_study(s, _exported(s, m)),
}
WRITES = {**EDIT_WRITES, **MANAGE_CALLS, **ADMIN_CALLS}


def _exported(s: Session, m: Made) -> bytes:
    with acting(db.sessions(s.get_bind())(), LOCAL) as local:
        return archive.export_study(local, m.id)


def _public_functions(module: ModuleType) -> set[str]:
    """The module's own public functions whose first parameter is the store session."""
    return {name for name, fn in inspect.getmembers(module, inspect.isfunction)
            if not name.startswith("_") and fn.__module__ == module.__name__
            and next(iter(inspect.signature(fn).parameters), None) == "session"}


def _everything(engine: Engine) -> dict[str, Any]:
    """What the database holds, to show a refused call changed nothing: every table's rows, and the studies."""
    with db.sessions(engine)() as s, s.begin():
        held: dict[str, Any] = {t: s.scalar(select(func.count()).select_from(StudyRow.metadata.tables[t]))
                                for t in TABLES}
        held["studies"] = sorted((r.id, r.name, r.archived, r.updated_at) for r in s.scalars(select(StudyRow)))
        held["members"] = sorted((r.study_id, r.email, r.role) for r in s.scalars(select(StudyMemberRow)))
        return held


def _denied(engine: Engine, actor: Actor, calls: dict[str, Call], made: Made) -> list[str]:
    """The calls the actor was NOT refused (AccessDenied), each in a session of its own."""
    let_through = []
    for name, call in calls.items():
        with as_(engine, actor) as s:
            try:
                call(s, made)
            except AccessDenied:
                continue
            except Exception as exc:  # noqa: BLE001 - any other outcome is a failure, named in the assert
                let_through.append(f"{name} ({type(exc).__name__}: {exc})")
            else:
                let_through.append(name)
    return let_through


# ------------------------------------------------------------------------------------------ the classification


def test_every_public_function_of_the_store_is_classified() -> None:
    """A new public function of studies, archive or members must be listed here with its need, so that the
    refusal tests below call it: an unchecked write cannot slip in unnoticed."""
    found = set().union(*(_public_functions(m) for m in (studies, archive, members)))
    listed = {*VIEW_READS, *FILTERED_READS, *WRITES, *CREATES}
    assert found == listed, f"not classified: {sorted(found - listed)}; gone: {sorted(listed - found)}"


# ------------------------------------------------------------------------------------------ who may do what


def test_a_viewer_is_refused_every_write_and_nothing_changes(engine: Engine) -> None:
    made = Made(engine)
    before = _everything(engine)
    assert _denied(engine, VIEWER, WRITES, made) == []
    assert _everything(engine) == before
    with as_(engine, VIEWER) as s:  # ... and may read everything the dashboard and reports show
        results = {name: call(s, made) for name, call in VIEW_READS.items()}
    assert results["get_study"].name == "Housing repairs"
    assert [c.after for c in results["correction_log"]] == ["failure"]
    assert [m.name for m in results["list_maps"]] == ["M"]
    assert results["demand_file"] == CSV
    assert results["latest_comparison_run"].summary == {"ok": True}


def test_an_editor_changes_the_work_but_is_refused_every_manage_action(engine: Engine) -> None:
    made = Made(engine)
    before = _everything(engine)
    assert _denied(engine, EDITOR, {**MANAGE_CALLS, **ADMIN_CALLS}, made) == []
    assert _everything(engine) == before
    for name, call in EDIT_WRITES.items():  # each on a fresh study: delete_map and undo_last need the map, a row
        fresh = Made(engine, f"For {name}")
        with as_(engine, EDITOR) as s:
            call(s, fresh)
    with as_(engine, EDITOR) as s:
        assert [v.version for v in studies.list_map_versions(s, made.id, "M")] == [1]


@pytest.mark.parametrize("actor", [OWNER, ADMIN, LOCAL], ids=["owner", "admin", "local"])
def test_owners_administrators_and_the_local_person_may_do_everything(engine: Engine, actor: Actor) -> None:
    calls = {**VIEW_READS, **EDIT_WRITES, **MANAGE_CALLS, **(ADMIN_CALLS if actor is not OWNER else {})}
    for name, call in calls.items():
        made = Made(engine, f"For {name}")
        with as_(engine, actor) as s:
            call(s, made)
    with as_(engine, actor) as s:
        if actor is OWNER:
            assert _denied(engine, OWNER, ADMIN_CALLS, Made(engine, "Not for owners")) == []
        seen = {st.name for st in studies.list_studies(s, include_archived=True)}
    assert "For delete_study" not in seen and "Renamed" in seen and "For archive_study" in seen


def test_a_stranger_sees_no_study_and_is_refused_every_call(engine: Engine) -> None:
    made = Made(engine)
    with as_(engine, STRANGER) as s:
        assert studies.list_studies(s, include_archived=True) == []
        assert studies.find_study(s, "Housing repairs") is None
        with pytest.raises(AccessDenied, match="You may not see this study"):
            studies.get_study(s, made.id)
    assert _denied(engine, STRANGER, {**VIEW_READS, **WRITES}, made) == []
    with as_(engine, ADMIN) as s:  # an administrator sees every study without being a member
        assert [x.name for x in studies.list_studies(s)] == ["Housing repairs"]
        assert studies.find_study(s, "Housing repairs") is not None


def test_members_see_only_their_studies_archived_ones_when_asked(engine: Engine) -> None:
    mine, theirs = Made(engine, "Mine"), Made(engine, "Theirs")
    with as_(engine, LOCAL) as s:
        members.remove_member(s, theirs.id, VIEWER.email)
        studies.archive_study(s, mine.id)
        local_view = [x.name for x in studies.list_studies(s, include_archived=True)]
    assert local_view == ["Mine", "Theirs"]
    with as_(engine, VIEWER) as s:
        assert studies.list_studies(s) == []
        assert [x.name for x in studies.list_studies(s, include_archived=True)] == ["Mine"]
        assert studies.find_study(s, "Theirs") is None
        with pytest.raises(AccessDenied):
            studies.get_study(s, theirs.id)  # removed: refused at once


def test_a_share_link_opens_its_one_study_to_read_and_nothing_else(engine: Engine) -> None:
    made, other = Made(engine, "Shared"), Made(engine, "Not shared")
    holder = link_holder(made.id)
    with as_(engine, holder) as s:
        assert [x.name for x in studies.list_studies(s)] == ["Shared"]
        assert studies.find_study(s, "Not shared") is None
        assert studies.get_study(s, made.id).name == "Shared"
    assert _denied(engine, holder, VIEW_READS, other) == []
    assert _denied(engine, holder, {**WRITES, **CREATES}, made) == []


def test_a_deleted_study_is_not_found_rather_than_refused(engine: Engine) -> None:
    made = Made(engine)
    with as_(engine, OWNER) as s:
        studies.delete_study(s, made.id)
    with as_(engine, VIEWER) as s, pytest.raises(studies.NotFoundError):
        studies.get_study(s, made.id)


# ------------------------------------------------------------------------------------------ owners


def test_the_signed_in_creator_and_importer_own_the_study_and_members_are_not_exported(engine: Engine) -> None:
    made = Made(engine)
    with as_(engine, EDITOR) as s:
        created = studies.create_study(s, "Ed's own")
        assert [(m.email, m.role) for m in members.list_members(s, created.id)] == [(EDITOR.email, Role.OWNER)]
    with as_(engine, OWNER) as s:
        data = archive.export_study(s, made.id)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    text = b"".join(zipfile.ZipFile(io.BytesIO(data)).read(n) for n in names).decode("utf-8", "replace")
    assert EDITOR.email not in text and VIEWER.email not in text  # members are not exported (the owner is in
    assert "Olive Owner <olive@example.org>" in text  # as the author of the changes they made: the audit trail)
    assert "members" not in json.loads(zipfile.ZipFile(io.BytesIO(data)).read(archive.MANIFEST))
    with as_(engine, VIEWER) as s:  # a viewer of the original imports it: they own the copy, nobody else is in
        copy = archive.import_study(s, data)
        assert copy.name == "Housing repairs (imported)"
        assert [(m.email, m.role) for m in members.list_members(s, copy.id)] == [(VIEWER.email, Role.OWNER)]
        assert [c.after for c in studies.correction_log(s, copy.id)] == ["failure"]
    with as_(engine, LOCAL) as s:  # the local person's studies have no members (an administrator adopts them)
        made_here = studies.create_study(s, "Laptop study")
        assert members.list_members(s, made_here.id) == []


def test_the_last_owner_cannot_be_removed_or_demoted(engine: Engine) -> None:
    made = Made(engine)
    for change in (lambda s: members.remove_member(s, made.id, OWNER.email),
                   lambda s: members.set_member_role(s, made.id, OWNER.email, "editor")):
        with as_(engine, OWNER) as s, pytest.raises(LastOwnerError, match="only owner.*make someone else an owner"):
            change(s)
    with as_(engine, ADMIN) as s, pytest.raises(LastOwnerError):  # not even by an administrator
        members.remove_member(s, made.id, OWNER.email)
    with as_(engine, OWNER) as s:
        members.set_member_role(s, made.id, EDITOR.email, "owner")
        members.set_member_role(s, made.id, OWNER.email, "viewer")  # two owners: one may step down
        with pytest.raises(AccessDenied):
            members.list_members(s, made.id)  # ... and is a viewer at once
    with as_(engine, EDITOR) as s:
        assert {(m.email, m.role) for m in members.list_members(s, made.id)} == {
            (OWNER.email, Role.VIEWER), (EDITOR.email, Role.OWNER), (VIEWER.email, Role.VIEWER)}
        with pytest.raises(LastOwnerError):
            members.remove_member(s, made.id, EDITOR.email)


def test_adding_members_checks_the_email_the_role_and_duplicates(engine: Engine) -> None:
    made = Made(engine)
    with as_(engine, OWNER) as s:
        added = members.add_member(s, made.id, "  New.Person@Example.ORG ", "EDITOR")
        assert (added.email, added.role, added.added_by) == ("new.person@example.org", Role.EDITOR,
                                                             "Olive Owner <olive@example.org>")
        with pytest.raises(studies.DuplicateNameError, match="already an editor"):
            members.add_member(s, made.id, "new.person@example.org", "viewer")
        with pytest.raises(ValueError, match="not an email address"):
            members.add_member(s, made.id, "no address", "viewer")
        with pytest.raises(ValueError, match="not a role"):
            members.add_member(s, made.id, "x@example.org", "boss")
        with pytest.raises(studies.NotFoundError, match="not a member"):
            members.remove_member(s, made.id, "nobody@example.org")
    with as_(engine, EDITOR) as s:
        assert studies.get_study(s, made.id).name == "Housing repairs"
    with as_(engine, person("New", "new.person@EXAMPLE.org")) as s:  # signs in with another spelling
        assert studies.add_correction(s, made.id, 5, schema.NATURE, "value", "", 0).version == 1


def test_an_administrator_fixes_ownership(engine: Engine) -> None:
    made = Made(engine)
    with as_(engine, OWNER) as s, pytest.raises(AccessDenied, match="server administrator"):
        members.make_owner(s, made.id, "heir@example.org")
    with as_(engine, ADMIN) as s:
        members.make_owner(s, made.id, VIEWER.email)  # a member already: promoted
        members.make_owner(s, made.id, "heir@example.org")  # not a member: added
        members.remove_member(s, made.id, OWNER.email)
        roles = {m.email: m.role for m in members.list_members(s, made.id)}
    assert roles == {EDITOR.email: Role.EDITOR, VIEWER.email: Role.OWNER, "heir@example.org": Role.OWNER}


def test_unowned_studies_are_adopted_by_the_administrators(engine: Engine) -> None:
    owned = Made(engine, "Owned")
    with as_(engine, LOCAL) as s:
        for name in ("Before sign-in", "From the command line"):
            studies.create_study(s, name)
        assert members.adopt_unowned(s, set()) == []  # no administrators listed: nothing to do
        with as_(engine, OWNER) as owner, pytest.raises(AccessDenied):
            members.adopt_unowned(owner, {"ada@example.org"})
        adopted = members.adopt_unowned(s, {" Ada@Example.org", "bo@example.org"})
        assert sorted(adopted) == ["Before sign-in", "From the command line"]
        assert members.adopt_unowned(s, {"ada@example.org"}) == []  # every study has members now
        assert [(m.email, m.role) for m in members.list_members(s, owned.id)] == [
            (OWNER.email, Role.OWNER), (EDITOR.email, Role.EDITOR), (VIEWER.email, Role.VIEWER)]
    bo = person("Bo", "bo@example.org")  # listed at adoption, so an owner even if no longer an administrator
    with as_(engine, bo) as s:
        assert [x.name for x in studies.list_studies(s)] == ["Before sign-in", "From the command line"]
        studies.rename_study(s, studies.find_study(s, "Before sign-in").id, "Adopted")  # type: ignore[union-attr]


def test_administrators_are_read_from_one_setting() -> None:
    assert configured_admins({"WORKBENCH_ADMINS": " Ada@Example.org, bo@example.org ,,"}) == {
        "ada@example.org", "bo@example.org"}
    assert configured_admins({}) == frozenset()
    assert person("Ada", "ada@example.org", configured_admins({"WORKBENCH_ADMINS": "ADA@example.org"})).admin


# ------------------------------------------------------------------------------------------ audit


def test_the_signed_in_identity_is_the_author_whatever_name_was_typed(engine: Engine) -> None:
    made = Made(engine)
    ed = "Ed Editor <ed@example.org>"
    with as_(engine, EDITOR) as s:
        fix = studies.add_correction(s, made.id, 3, schema.NATURE, "value", "The Director", 0)
        version = studies.save_map_version(s, made.id, "M", MAP.replace("Small", "Smaller"), "The Director", 1)
        catalogue = studies.save_catalogue(s, made.id, CATALOGUE.replace("failure", "value"), "The Director", 1)
        run = studies.save_comparison_run(s, made.id, {}, {}, "The Director")
        source = studies.set_demand_source(s, made.id, "again.csv", CSV, author="The Director")
    assert (fix.author, version.author, catalogue.author, run.author, source.created_by) == (ed,) * 5
    with as_(engine, VIEWER) as s:  # what the corrections list and map versions show
        assert [c.author for c in studies.correction_log(s, made.id, made.source)] == [
            "Olive Owner <olive@example.org>", ed]
        assert [(v.version, v.author) for v in studies.list_map_versions(s, made.id, "M")] == [
            (1, "Olive Owner <olive@example.org>"), (2, ed)]
    with as_(engine, EDITOR) as s:  # "undo my last" finds their own last change, whatever they type
        studies.add_correction(s, made.id, 4, schema.NATURE, "failure", "", 0)
        undone = studies.undo_last(s, made.id, "Someone else")
    assert [(c.row, c.after, c.author) for c in undone.saved] == [(4, "", ed)]
    with as_(engine, LOCAL) as s:  # without sign-in the typed name is kept, as before
        assert studies.add_correction(s, made.id, 6, schema.NATURE, "value", "  Ann   Lee ", 0).author == "Ann Lee"


def test_a_name_too_long_for_the_column_keeps_the_email(engine: Engine) -> None:
    made = Made(engine)
    long_name = person("N" * 300, "long@example.org")
    with as_(engine, LOCAL) as s:
        members.add_member(s, made.id, long_name.email, "editor")
    with as_(engine, long_name) as s:
        assert studies.add_correction(s, made.id, 3, schema.NATURE, "value", "", 0).author == "long@example.org"


# ------------------------------------------------------------------------------------------ command line


def test_the_command_line_lists_adds_changes_and_removes_members(database_url: str,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(db.ENV_DATABASE_URL, database_url)
    engine = db.engine_for(database_url)
    db.migrate(engine)
    try:
        made = Made(engine)
    finally:
        engine.dispose()

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["study", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("add-member", "Housing repairs", "New@Example.org", "--role", "editor")
    assert (code, out.strip()) == (0, "new@example.org (editor) added to 'Housing repairs'.")
    code, out, _ = run("add-member", str(made.id), "new@example.org", "--role", "owner")
    assert (code, out.strip()) == (0, "new@example.org (owner) now has this role in 'Housing repairs'.")
    code, out, _ = run("members", "Housing repairs", "--format", "json")
    listed = json.loads(out)["members"]
    assert [(m["email"], m["role"]) for m in listed] == [
        ("new@example.org", "owner"), (OWNER.email, "owner"), (EDITOR.email, "editor"), (VIEWER.email, "viewer")]
    assert listed[0]["added_by"] == "the server's administrator"
    code, out, _ = run("remove-member", "Housing repairs", "NEW@example.org")
    assert (code, out.strip()) == (0, "new@example.org removed from 'Housing repairs'.")
    code, _, err = run("remove-member", "Housing repairs", OWNER.email)
    assert code == cli.EXIT_UNUSABLE and "only owner" in err
    code, _, err = run("add-member", "Housing repairs", "not-an-address", "--role", "viewer")
    assert code == cli.EXIT_UNUSABLE and "not an email address" in err
    code, out, _ = run("members", "Housing repairs")
    lines = out.splitlines()
    assert lines[0].split() == ["email", "role", "added"]
    assert [line.split()[:2] for line in lines[1:]] == [[OWNER.email, "owner"], [EDITOR.email, "editor"],
                                                         [VIEWER.email, "viewer"]]


def test_each_person_is_told_their_own_role(engine: Engine) -> None:
    made = Made(engine)
    expected = {OWNER: Role.OWNER, EDITOR: Role.EDITOR, VIEWER: Role.VIEWER, STRANGER: None, ADMIN: Role.OWNER,
                LOCAL: Role.OWNER, link_holder(made.id): Role.VIEWER, link_holder(made.id + 1): None}
    for actor, role in expected.items():
        with as_(engine, actor) as s:
            assert members.my_role(s, made.id) == role, actor


def test_nobody_signed_in_may_see_create_or_import_anything(engine: Engine) -> None:
    made = Made(engine)
    nobody = Actor(kind="person")  # sign-in configured, nobody signed in yet
    assert _denied(engine, nobody, {**VIEW_READS, **WRITES, **CREATES}, made) == []
    with as_(engine, nobody) as s:
        assert studies.list_studies(s, include_archived=True) == []
