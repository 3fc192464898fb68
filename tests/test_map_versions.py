"""Map versions that mean something, on SQLite and PostgreSQL: one person's edits a few minutes apart are one
version (its text the last edit's, its note what they changed together), another person's save or a pause
starts a new one, a named version is never added to, two people's edits still merge or conflict, restores and
undo give back the exact text. The clock is passed in (`now=`), so the windows are tested to the second."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from app_pages import FlowScreen, open_app
from flow_fixtures import SMALL_MAP, maps_folder
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from workbench import cli
from workbench.store import db, studies
from workbench.store.studies import ConflictError, MapVersion, NotFoundError

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MAP = "M"
# version 1 as a person wrote it: a comment, a blank line and quotes the standard layout would not keep, so
# "byte for byte" below means something
V1 = "# Our map, as drawn on the wall\n\n" + SMALL_MAP.replace("name: Small service", 'name: "Small service"')


@pytest.fixture
def sid(session: Session) -> int:
    found = studies.create_study(session, "Housing repairs")
    studies.save_map_version(session, found.id, MAP, V1, "Ann", None, note="From process_maps/small.yaml", now=T0)
    return found.id


def edit(session: Session, sid: int, new_text: str, who: str, at: datetime, base: MapVersion | None = None,
         *, base_text: str | None = None) -> MapVersion:
    """An edit as the Flow page saves it: from the version on screen (the latest unless `base` is given)."""
    on_screen = base or studies.get_map_version(session, sid, MAP)
    return studies.save_map_version(session, sid, MAP, new_text, who, on_screen.version, note="an edit",
                                    base_text=on_screen.yaml_text if base_text is None else base_text,
                                    coalesce_within=studies.EDIT_WINDOW, now=at)


def versions(session: Session, sid: int) -> list[MapVersion]:
    return studies.list_map_versions(session, sid, MAP)


def touch(minutes: int, start: str = SMALL_MAP) -> str:
    """The small map with the first step's touch time set (6 in the map)."""
    return start.replace("touch: 6\n", f"touch: {minutes}\n")


def test_ten_edits_by_one_person_within_two_minutes_are_one_version(session: Session, sid: int) -> None:
    texts = [touch(7), touch(8), touch(8).replace("wait: 2", "wait: 1")]
    texts.append(texts[-1].replace("name: Close with the customer", "name: Close and confirm"))
    texts.append(texts[-1].replace("staff: 1", "staff: 2"))
    texts += [touch(m, texts[-1].replace("touch: 8\n", "touch: 6\n")) for m in (9, 10, 11, 13, 12)]
    assert len(texts) == 10 and len(set(texts)) == 10
    for i, t in enumerate(texts):
        saved = edit(session, sid, t, "Ann", T0 + timedelta(seconds=12 * (i + 1)))  # 12 s apart: 2 minutes
        assert saved.version == 2
    listed = versions(session, sid)
    assert [v.version for v in listed] == [1, 2]
    first, latest = listed
    assert first.yaml_text == V1 and first.note == "From process_maps/small.yaml" and first.edits == 0
    assert latest.yaml_text == texts[-1]  # exactly the tenth edit
    assert (latest.author, latest.edits, latest.label) == ("Ann", 10, "")
    assert latest.created_at == T0 + timedelta(seconds=120)  # when it was last saved
    # what the ten edits changed together, from version 1: the touch time's steps in between are not listed
    assert latest.note == ("Role 'office' (Back office) changed: staff 1 → 2. "
                           "Step 'answer' (Answer) changed: touch 6 → 12. "
                           "Step 'process' (Process in the back office) changed: wait 2 → 1. "
                           "Step 'close' (Close and confirm) changed: name Close with the customer → Close and "
                           "confirm.")
    assert "touch 6 → 7" not in latest.note and "13" not in latest.note


def test_another_persons_save_starts_a_new_version(session: Session, sid: int) -> None:
    edit(session, sid, touch(7), "Ann", T0 + timedelta(seconds=10))
    edit(session, sid, touch(8), "Bob", T0 + timedelta(seconds=20))
    edit(session, sid, touch(9), "Ann", T0 + timedelta(seconds=30))  # not added to Bob's, nor to her own v2
    listed = versions(session, sid)
    assert [(v.version, v.author, v.edits) for v in listed] == [(1, "Ann", 0), (2, "Ann", 1), (3, "Bob", 1),
                                                                 (4, "Ann", 1)]
    assert [v.yaml_text for v in listed[1:]] == [touch(7), touch(8), touch(9)]
    assert listed[2].note == "an edit"  # a version of one edit keeps the note its save gave


def test_a_pause_longer_than_the_window_starts_a_new_version(session: Session, sid: int) -> None:
    edit(session, sid, touch(7), "Ann", T0 + timedelta(minutes=1))
    edit(session, sid, touch(8), "Ann", T0 + timedelta(minutes=6))  # 5 minutes after her last save: added
    assert [v.version for v in versions(session, sid)] == [1, 2]
    edit(session, sid, touch(9), "Ann", T0 + timedelta(minutes=12))  # 6 minutes' pause: a new version
    edit(session, sid, touch(10), "Ann", T0 + timedelta(minutes=12, seconds=30))
    listed = versions(session, sid)
    assert [(v.version, v.edits, v.yaml_text) for v in listed[1:]] == [(2, 2, touch(8)), (3, 2, touch(10))]
    assert listed[1].note == "Step 'answer' (Answer) changed: touch 6 → 8."
    assert listed[2].note == "Step 'answer' (Answer) changed: touch 8 → 10."
    assert listed[2].created_at == T0 + timedelta(minutes=12, seconds=30)


def test_a_new_map_and_a_restore_are_never_added_to(session: Session, sid: int) -> None:
    edit(session, sid, touch(7), "Ann", T0 + timedelta(seconds=10))  # version 1 (the new map) is kept as is
    restored = studies.restore_map_version(session, sid, MAP, 1, "Ann")
    assert (restored.version, restored.yaml_text, restored.note, restored.edits) == (3, V1, "Restored version 1", 0)
    after = restored.created_at + timedelta(seconds=5)
    edit(session, sid, touch(9, V1), "Ann", after)
    assert [(v.version, v.yaml_text) for v in versions(session, sid)] == [
        (1, V1), (2, touch(7)), (3, V1), (4, touch(9, V1))]


def test_a_named_version_is_never_added_to(session: Session, sid: int) -> None:
    edit(session, sid, touch(7), "Ann", T0 + timedelta(seconds=10))
    named = studies.name_map_version(session, sid, MAP, 2, "  agreed in\tworkshop 2 ")
    assert (named.version, named.label, named.yaml_text) == (2, "agreed in workshop 2", touch(7))
    edit(session, sid, touch(8), "Ann", T0 + timedelta(seconds=20))  # within the window: a new version all the same
    listed = versions(session, sid)
    assert [(v.version, v.label, v.yaml_text) for v in listed] == [
        (1, "", V1), (2, "agreed in workshop 2", touch(7)), (3, "", touch(8))]
    # the name comes with a restore of it, and can be taken away
    assert studies.restore_map_version(session, sid, MAP, 2, "Bob").note == "Restored version 2 (agreed in workshop 2)"
    assert studies.name_map_version(session, sid, MAP, 2, "").label == ""
    assert studies.get_map_version(session, sid, MAP, 2).label == ""
    # Bob's restore (version 4) is never added to; his next edit is version 5, which takes his edits until named
    edit(session, sid, touch(9), "Bob", T0 + timedelta(hours=1))
    studies.name_map_version(session, sid, MAP, 5, "draft")
    studies.name_map_version(session, sid, MAP, 5, "")  # unnamed again: open to his edits again
    edit(session, sid, touch(10), "Bob", T0 + timedelta(hours=1, seconds=30))
    assert [(v.version, v.edits, v.yaml_text) for v in versions(session, sid)[3:]] == [(4, 0, touch(7)),
                                                                                        (5, 2, touch(10))]


def test_naming_refuses_what_cannot_be_named(session: Session, sid: int) -> None:
    with pytest.raises(NotFoundError, match="no version 7"):
        studies.name_map_version(session, sid, MAP, 7, "x")
    with pytest.raises(NotFoundError, match="no map called 'Other'"):
        studies.name_map_version(session, sid, "Other", 1, "x")
    with pytest.raises(ValueError, match="at most 200 characters"):
        studies.name_map_version(session, sid, MAP, 1, "x" * 201)
    assert studies.get_map_version(session, sid, MAP, 1).label == ""


def test_restore_gives_back_the_exact_text_of_a_version_that_held_many_edits(session: Session, sid: int) -> None:
    for i, minutes in enumerate((7, 8, 9)):
        edit(session, sid, touch(minutes, V1), "Ann", T0 + timedelta(seconds=10 * (i + 1)))
    edit(session, sid, touch(20, V1), "Bob", T0 + timedelta(seconds=50))
    for version in (2, 1):
        restored = studies.restore_map_version(session, sid, MAP, version, "Bob")
        expected = touch(9, V1) if version == 2 else V1
        assert restored.yaml_text.encode("utf-8") == expected.encode("utf-8")
        assert studies.get_map_version(session, sid, MAP).yaml_text == expected
    assert [v.version for v in versions(session, sid)] == [1, 2, 3, 4, 5]


def test_edits_undone_leave_a_version_that_says_so(session: Session, sid: int) -> None:
    edit(session, sid, touch(7, V1), "Ann", T0 + timedelta(seconds=10))
    edit(session, sid, V1, "Ann", T0 + timedelta(seconds=20))  # the undo of it: the text before, exactly
    latest = studies.get_map_version(session, sid, MAP)
    assert (latest.version, latest.edits, latest.yaml_text) == (2, 2, V1)
    assert latest.note == "No change from version 1 (the edits were undone)."


# ------------------------------------------------------------------------------------------ two people at once


def test_an_edit_from_text_its_author_went_on_editing_is_merged(session: Session, sid: int) -> None:
    """Bob opened Ann's version 2 after her first edit; she goes on editing it (her second edit is added to
    version 2); Bob's edit, saved from the text he saw, merges with hers instead of overwriting it."""
    first = edit(session, sid, touch(7), "Ann", T0 + timedelta(seconds=10))
    bob_saw = studies.get_map_version(session, sid, MAP)
    assert bob_saw.yaml_text == touch(7)
    edit(session, sid, touch(7).replace("wait: 2", "wait: 1"), "Ann", T0 + timedelta(seconds=20))
    assert studies.get_map_version(session, sid, MAP).version == first.version == 2
    bobs = touch(7).replace("name: Close with the customer", "name: Close and confirm")
    merged = edit(session, sid, bobs, "Bob", T0 + timedelta(seconds=30), base=bob_saw)
    assert (merged.version, merged.author, merged.edits) == (3, "Bob", 0)
    assert "wait: 1" in merged.yaml_text and "name: Close and confirm" in merged.yaml_text  # both kept
    assert "touch: 7" in merged.yaml_text
    assert merged.note == "an edit (merged with Ann's later edits to version 2)"
    # and the merge is no edit of Bob's to add to: his next edit is a version of its own
    edit(session, sid, merged.yaml_text.replace("touch: 7", "touch: 5"), "Bob", T0 + timedelta(seconds=40))
    assert [v.version for v in versions(session, sid)] == [1, 2, 3, 4]


def test_the_same_step_changed_by_both_is_refused_and_nothing_is_saved(session: Session, sid: int) -> None:
    edit(session, sid, touch(7), "Ann", T0 + timedelta(seconds=10))
    bob_saw = studies.get_map_version(session, sid, MAP)
    anns = touch(9)
    edit(session, sid, anns, "Ann", T0 + timedelta(seconds=20))
    with pytest.raises(ConflictError) as caught:
        edit(session, sid, touch(4), "Bob", T0 + timedelta(seconds=30), base=bob_saw)
    message = str(caught.value)
    assert message.startswith("Ann went on editing version 2 of map 'M' after you opened it (2026-03-02 09:30 UTC)")
    assert "step 'answer' (Answer): changed by Ann in version 2" in message and "touch: 9" in message
    assert (caught.value.author, caught.value.version) == ("Ann", 2)
    assert [(v.version, v.yaml_text) for v in versions(session, sid)] == [(1, V1), (2, anns)]


def test_a_save_from_an_older_version_still_merges_or_conflicts(session: Session, sid: int) -> None:
    v1 = studies.get_map_version(session, sid, MAP)
    edit(session, sid, touch(7, V1), "Ann", T0 + timedelta(seconds=10))
    edit(session, sid, touch(8, V1), "Ann", T0 + timedelta(seconds=20))
    merged = edit(session, sid, V1.replace("wait: 2", "wait: 3"), "Bob", T0 + timedelta(seconds=30), base=v1)
    assert merged.version == 3 and "touch: 8" in merged.yaml_text and "wait: 3" in merged.yaml_text
    assert merged.note == "an edit (merged with version 2 by Ann; started from version 1)"
    with pytest.raises(ConflictError, match="was saved again after version 1"):
        edit(session, sid, touch(5, V1), "Cy", T0 + timedelta(seconds=40), base=v1)
    assert len(versions(session, sid)) == 3


# ------------------------------------------------------------------------------------------ the database


def test_versions_stored_before_are_kept_as_they_are(database_url: str) -> None:
    """A database at 0005 with a map is upgraded in place: its versions have no name and hold no edits, so an
    edit right after the upgrade is a version of its own."""
    from alembic import command

    eng: Engine = db.engine_for(database_url)
    try:
        with eng.begin() as conn:
            command.upgrade(db.alembic_config(conn), "0005")
            conn.execute(text("INSERT INTO studies (id, name, description, archived, created_at, updated_at) "
                              "VALUES (1, 'A', '', false, :t, :t)"), {"t": T0})
            conn.execute(text("INSERT INTO maps (id, study_id, name) VALUES (1, 1, 'M')"))
            conn.execute(text("INSERT INTO map_versions (map_id, version, yaml_text, author, note, created_at) "
                              "VALUES (1, 1, :y, 'Ann', 'old', :t)"), {"y": V1, "t": T0})
        assert db.migrate(eng) == "0006"
        with db.sessions(eng)() as session:
            (old,) = versions(session, 1)
            assert (old.label, old.edits, old.yaml_text) == ("", 0, V1)
            edit(session, 1, touch(7, V1), "Ann", T0 + timedelta(seconds=5))
            assert [v.version for v in versions(session, 1)] == [1, 2]
    finally:
        eng.dispose()


# ------------------------------------------------------------------------------------------ the Flow page


@pytest.fixture
def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FlowScreen:
    monkeypatch.setenv("WORKBENCH_MAPS_DIR", str(maps_folder(tmp_path)))
    return FlowScreen(open_app("flow"))


def _stored(flow: FlowScreen) -> list[MapVersion]:
    w = flow.working
    with db.sessions(db.engine_for())() as s:
        return studies.list_map_versions(s, w.study_id, w.name)


def test_the_flow_page_saves_a_persons_edits_as_one_version_and_undo_is_exact(flow: FlowScreen) -> None:
    original = flow.working.yaml_text
    assert original == SMALL_MAP  # the file, as written (its comment too)
    flow.edit_step(1, role="agent")
    after_first = flow.working.yaml_text
    flow.edit_step(0, name="Answer the call")
    after_second = flow.working.yaml_text
    assert "name: Answer the call" in after_second and "role: office" not in after_second
    listed = _stored(flow)
    assert [(v.version, v.edits) for v in listed] == [(1, 0), (2, 2)]
    assert listed[1].yaml_text == after_second
    assert listed[1].note == ("Step 'answer' (Answer the call) changed: name Answer → Answer the call. "
                              "Step 'process' (Process in the back office) changed: role office → agent.")
    flow.undo()
    assert flow.working.yaml_text == after_first
    flow.undo()
    assert flow.working.yaml_text == original  # byte for byte, comment and all
    listed = _stored(flow)
    assert [(v.version, v.edits) for v in listed] == [(1, 0), (2, 4)]
    assert listed[1].yaml_text == original
    assert listed[1].note == "No change from version 1 (the edits were undone)."
    assert flow.says("caption", "version 2")


def test_a_name_given_on_the_page_is_listed_and_the_next_edit_is_a_new_version(flow: FlowScreen) -> None:
    flow.edit_step(1, role="agent")
    flow.type("Name this version", "agreed in workshop 2")
    flow.press("Name version 2")
    flow.assert_no_exception()
    table = next(d for d in flow.at.dataframe if "Version" in d.value.columns).value
    assert table[["Version", "Name"]].values.tolist() == [[2, "agreed in workshop 2"], [1, ""]]
    flow.edit_step(0, name="Answer the call")
    listed = _stored(flow)
    assert [(v.version, v.label, v.edits) for v in listed] == [(1, "", 0), (2, "agreed in workshop 2", 1),
                                                                (3, "", 1)]


# ------------------------------------------------------------------------------------------ the command line


def test_the_command_line_lists_and_names_versions(capsys: pytest.CaptureFixture[str]) -> None:
    with db.sessions(eng := db.engine_for())() as s:
        db.migrate(eng)
        found = studies.create_study(s, "Repairs")
        studies.save_map_version(s, found.id, MAP, V1, "Ann", None, note="From a file", now=T0)
        edit(s, found.id, touch(7, V1), "Ann", T0 + timedelta(seconds=10))
        edit(s, found.id, touch(8, V1), "Ann", T0 + timedelta(seconds=20))
    eng.dispose()
    assert cli.main(["study", "name-version", "Repairs", MAP, "2", "agreed in workshop 2"]) == 0
    assert "Version 2 of map 'M' in 'Repairs' is now named 'agreed in workshop 2'." in capsys.readouterr().out
    assert cli.main(["study", "versions", "Repairs", MAP]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["version", "saved", "by", "edits", "name", "what", "changed"]
    assert out[1].split()[:5] == ["1", "2026-03-02", "09:30", "UTC", "Ann"]
    assert "agreed in workshop 2" in out[2] and "touch 6 → 8" in out[2]
    assert cli.main(["study", "versions", "Repairs", MAP, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(v["version"], v["label"], v["edits"], v["author"]) for v in data["versions"]] == [
        (1, "", 0, "Ann"), (2, "agreed in workshop 2", 2, "Ann")]
    assert data["versions"][1]["created_at"] == (T0 + timedelta(seconds=20)).isoformat()
    assert cli.main(["study", "name-version", "Repairs", MAP, "2", "--clear"]) == 0
    assert "Version 2 of map 'M' in 'Repairs' has no name now." in capsys.readouterr().out
    assert cli.main(["study", "name-version", "Repairs", MAP, "9", "x"]) == cli.EXIT_UNUSABLE
    assert "no version 9" in capsys.readouterr().err


def test_names_and_edits_go_with_an_exported_study(session: Session, sid: int) -> None:
    from workbench.store import archive

    edit(session, sid, touch(7, V1), "Ann", T0 + timedelta(seconds=10))
    edit(session, sid, touch(8, V1), "Ann", T0 + timedelta(seconds=20))
    studies.name_map_version(session, sid, MAP, 2, "agreed in workshop 2")
    data = archive.export_study(session, sid)
    copy = archive.import_study(session, archive.read_archive(data), name="Copy")
    assert [(v.version, v.label, v.edits, v.yaml_text) for v in versions(session, copy.id)] == [
        (1, "", 0, V1), (2, "agreed in workshop 2", 2, touch(8, V1))]
    # an export made before versions had names (no "label", no "edits") imports with none
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    doc = json.loads(files["study.json"])
    for v in doc["maps"][0]["versions"]:
        del v["label"], v["edits"]
    files["study.json"] = json.dumps(doc).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for n, b in files.items():
            zf.writestr(n, b)
    older = archive.import_study(session, archive.read_archive(out.getvalue()), name="Older")
    assert [(v.label, v.edits) for v in versions(session, older.id)] == [("", 0), ("", 0)]


def test_a_version_a_comparison_was_stored_after_is_kept_as_it_is(session: Session, sid: int) -> None:
    """The dashboard names the versions a comparison ran on: the version must still hold that text."""
    edit(session, sid, touch(7), "Ann", T0 + timedelta(seconds=10))
    run = studies.save_comparison_run(session, sid, {"map_versions": {MAP: 2}}, {"ok": True}, author="Ann")
    assert run.created_at > T0 + timedelta(seconds=10)  # stored now, after her edit (the clock of the edits is T0)
    edit(session, sid, touch(8), "Ann", T0 + timedelta(seconds=20))
    assert [(v.version, v.yaml_text) for v in versions(session, sid)] == [(1, V1), (2, touch(7)), (3, touch(8))]
