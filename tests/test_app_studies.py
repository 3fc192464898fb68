"""Studies, map versions and the managers' dashboard through Streamlit's AppTest, on a database of the
test's own (tests/conftest.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from app_helpers import APP, metric
from app_pages import DemandScreen, FlowScreen, Screen, StudiesScreen
from app_pages import open_app as _open_app
from flow_fixtures import SMALL_HANDOFFS, SMALL_HANDOFFS_AFTER_ROLE_CHANGE
from streamlit.testing.v1 import AppTest

from workbench.flow.model import parse_map, to_yaml
from workbench.store import db, studies
from workbench.store.sample import SAMPLE_STUDY

from independent import SAMPLE_CSV, sample_expected


def button(at: AppTest, label: str):  # noqa: ANN201 - AppTest's element type
    return Screen(at).button(label)


def open_app(page: str | None = None, author: str = "", **query: str) -> AppTest:
    return _open_app(page, author=author, timeout=120, **query)


def store() -> studies.Session:  # type: ignore[name-defined]
    return db.sessions(db.engine_for())()


def sample_id() -> int:
    with store() as s:
        found = studies.find_study(s, SAMPLE_STUDY)
        assert found is not None
        return found.id


# ------------------------------------------------------------------------------------------ studies


def test_first_start_creates_the_sample_study_with_its_maps() -> None:
    at = open_app("studies")
    with store() as s:
        (only,) = studies.list_studies(s)
        assert only.name == SAMPLE_STUDY
        assert studies.current_demand_source(s, only.id).name == "housing_repairs_demand.csv"
        assert sorted(v.name for v in studies.list_maps(s, only.id)) == [
            "Housing repairs - as is", "Housing repairs - redesign"]
    assert at.query_params["study"] in (str(only.id), [str(only.id)])
    assert at.dataframe[0].value["Study"].tolist() == [SAMPLE_STUDY]


def test_create_rename_archive_and_delete_a_study() -> None:
    at = open_app("studies", author="Ann")
    page = StudiesScreen(at)
    page.create("Repairs 2027", start_with="Nothing: I will upload our demand")
    page.assert_no_exception()
    assert any("Created 'Repairs 2027'" in s.value for s in at.success)
    with store() as s:
        made = studies.find_study(s, "Repairs 2027")
        assert made is not None and studies.current_demand_source(s, made.id) is None
    assert at.query_params["study"] in (str(made.id), [str(made.id)])  # it is now the open study
    # the Demand page of an empty study asks for data instead of failing
    at.switch_page("views/demand.py").run()
    assert not at.exception
    assert any("no demand data yet" in i.value for i in at.info)

    at.switch_page("views/studies.py").run()
    page.rename("Repairs 2027 (pilot)")
    with store() as s:
        assert studies.get_study(s, made.id).name == "Repairs 2027 (pilot)"
    page.archive()
    with store() as s:
        assert [x.name for x in studies.list_studies(s)] == [SAMPLE_STUDY]
        assert studies.get_study(s, made.id).archived
    # deleting needs the name typed exactly
    assert button(at, "Delete for ever").disabled
    page.delete(confirm_name="Repairs 2027 (pilot)")
    page.assert_no_exception()
    with store() as s:
        assert [x.name for x in studies.list_studies(s, include_archived=True)] == [SAMPLE_STUDY]


def test_a_duplicate_study_name_is_refused_with_a_message() -> None:
    at = open_app("studies")
    StudiesScreen(at).create(SAMPLE_STUDY)
    assert any("already exists" in e.value for e in at.error)
    with store() as s:
        assert len(studies.list_studies(s, include_archived=True)) == 1


# ------------------------------------------------------------------------------------------ map versions


def edit_role(at: AppTest, position: int, role: str) -> None:
    flow = FlowScreen(at)
    flow.edit_step(position, role=role)
    flow.assert_no_exception()


def test_versions_are_listed_compared_and_restored(small_maps: Path) -> None:
    at = open_app("flow", author="Ann")
    edit_role(at, 1, "agent")
    assert metric(at, "Hand-offs") == f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}"
    versions = next(d for d in at.dataframe if "Version" in d.value.columns).value
    assert versions["Version"].tolist() == [2, 1]
    assert versions["By"].tolist()[0] == "Ann"
    assert "role" in versions["What changed"].iloc[0]
    # what changed between 1 and 2, in words
    assert any("Step 'process'" in m.value and "role" in m.value for m in at.markdown)
    button(at, "Restore version 1 as the newest").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Hand-offs") == f"{SMALL_HANDOFFS:.2f}"
    with store() as s:
        listed = studies.list_map_versions(s, sample_id(), "Small service")
        assert [(v.version, v.note) for v in listed][-1] == (3, "Restored version 1")
        assert listed[2].yaml_text == listed[0].yaml_text


def test_two_people_editing_one_map_merge_or_are_refused(small_maps: Path) -> None:
    ann, bob = open_app("flow", author="Ann"), open_app("flow", author="Bob")
    edit_role(ann, 1, "agent")  # Ann changes step 2's role (version 2)
    # Bob, still on version 1, changes another step: merged with Ann's change, both kept
    bob_flow, ann_flow = FlowScreen(bob), FlowScreen(ann)
    bob_w = bob_flow.working
    third = bob_w.map.steps[2]
    bob_flow.edit_step(2, name="Renamed by Bob")
    bob_flow.assert_no_exception()
    assert any("both sets of changes are kept" in i.value for i in bob.info)
    with store() as s:
        latest = studies.get_map_version(s, sample_id(), "Small service")
    merged = parse_map(latest.yaml_text)
    assert latest.version == 3
    assert merged.step(bob_w.map.steps[1].id).role == "agent"  # Ann's
    assert merged.step(third.id).name == "Renamed by Bob"  # Bob's
    # Ann, still on version 2, changes the step Bob renamed: refused, Bob's version shown
    assert ann_flow.working.stored_version == 2
    ann_flow.edit_step(2, name="Renamed by Ann")
    messages = " ".join(e.value for e in ann.error)
    assert f"step '{third.id}'" in messages and "Bob" in messages and "Renamed by Bob" in messages, messages
    with store() as s:
        assert studies.get_map_version(s, sample_id(), "Small service").version == 3  # nothing of Ann's
    # her page now shows the merged map
    assert ann_flow.working.stored_version == 3
    assert ann_flow.working.map.step(third.id).name == "Renamed by Bob"


# ------------------------------------------------------------------------------------------ dashboard


def test_dashboard_by_link_is_read_only_and_shows_the_stored_comparison() -> None:
    at = open_app("compare")  # the first visit runs a comparison of the study's maps, but does not publish it
    assert not at.exception
    with db.sessions(db.engine_for())() as s:
        assert studies.latest_comparison_run(s, sample_id()) is None
    assert any("Not on the managers' dashboard" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Show on the dashboard").click().run()  # a person publishes it
    assert not at.exception
    assert any("the one on the managers' dashboard" in c.value for c in at.caption)
    with db.sessions(db.engine_for())() as s:
        study_id = sample_id()
        run = studies.latest_comparison_run(s, study_id)
    assert run is not None and run.summary["headline"]
    # its inputs: which designs at which saved version, on which demand file, with the settings used
    assert run.settings["designs"] == ["Housing repairs - as is", "Housing repairs - redesign"]
    assert run.settings["map_versions"] == {"Housing repairs - as is": 1, "Housing repairs - redesign": 1}
    assert run.settings["demand"] == "housing_repairs_demand.csv" and run.settings["corrections"] == 0
    assert (run.settings["replications"], run.settings["seed"]) == (3, 1)
    # a manager opens the link: only the dashboard, nothing to edit, figures from what is stored
    board = open_app(view="dashboard", study=str(study_id))
    assert not board.exception, [e.value for e in board.exception]
    assert board.title[0].value == SAMPLE_STUDY
    assert any(run.summary["headline"] == s.value for s in board.success)
    assert not board.text_input and not board.button and not board.file_uploader and not board.selectbox
    assert len(board.sidebar.selectbox) == 0
    assert metric(board, "Demands") == "2,532"
    assert any("Housing repairs - as is (version 1)" in c.value for c in board.caption)
    # a link to a study that does not exist says so
    gone = open_app(view="dashboard", study="9999")
    assert any("no such study" in i.value for i in gone.info)


def test_dashboard_without_a_comparison_says_so() -> None:
    board = open_app(view="dashboard", study="1")
    assert not board.exception
    assert any("No comparison" in i.value for i in board.info)


def test_dashboard_shows_the_end_to_end_time_of_the_demand() -> None:
    from e2e_expected import independent, percentile

    exp = independent(SAMPLE_CSV.read_text(encoding="utf-8"))
    met = [n["days"] for n in exp["needs"].values() if n["met"]]
    board = Screen(open_app(view="dashboard", study="1"))
    board.assert_no_exception()
    assert board.headline("Half of needs met within") == f"{percentile(met, 50):,.1f} days"
    assert board.headline("85 in 100 met within") == f"{percentile(met, 85):,.1f} days"
    assert board.headline("Needs still open") == f"{len(exp['needs']) - len(met):,}"
    assert board.headline("Repeat contacts") == f"{len(exp['repeats']):,}"
    assert "Capability: average days to meet a need, by the week it arrived" in board.chart_titles()
    assert board.says("caption", f"{len(exp['needs']):,} needs: {len(met):,} met")


def test_a_map_saved_from_another_session_shows_on_the_next_rerun(small_maps: Path) -> None:
    at = open_app("flow")
    with store() as s:
        latest = studies.get_map_version(s, sample_id(), "Small service")
        m = parse_map(latest.yaml_text)
        m.step(m.steps[1].id).role = "agent"
        studies.save_map_version(s, sample_id(), "Small service", to_yaml(m), "Bob", latest.version)
    at.run()
    assert metric(at, "Hand-offs") == f"{SMALL_HANDOFFS_AFTER_ROLE_CHANGE:.2f}"


# ------------------------------------------------------------------------------------------ export / import


def test_import_through_the_page_and_a_corrupt_zip_is_refused() -> None:
    from workbench.store import archive

    at = open_app("studies", author="Ann")
    with store() as s:
        studies.add_correction(s, sample_id(), 2, "nature", "value", "Bob", 0)
        exported = archive.export_study(s, sample_id())
    page = StudiesScreen(at)
    page.import_archive("study.zip", exported)
    page.assert_no_exception()
    assert any("Imported" in s.value for s in at.success)
    with store() as s:
        names = [x.name for x in studies.list_studies(s)]
        assert len(names) == 2
        imported = next(x for x in studies.list_studies(s) if x.name != SAMPLE_STUDY)
        log = studies.correction_log(s, imported.id)
        assert [(c.row, c.after, c.author) for c in log] == [(2, "value", "Bob")]
        assert sorted(v.name for v in studies.list_maps(s, imported.id)) == sorted(
            v.name for v in studies.list_maps(s, sample_id()))
    assert at.query_params["study"] in (str(imported.id), [str(imported.id)])  # opened

    broken = exported[: len(exported) // 2]
    page.import_archive("broken.zip", broken)
    assert not at.exception
    assert any("broken.zip" in e.value and "Nothing was changed" in e.value for e in at.error)
    with store() as s:
        assert len(studies.list_studies(s)) == 2


# ------------------------------------------------------------------------------------------ databases


def test_the_same_app_runs_on_sqlite_and_postgresql(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """WORKBENCH_DATABASE_URL points the app at another database (PostgreSQL for a shared server): it is
    migrated and given the sample study on first use, and a correction made in one session is there in the
    next."""
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", database_url)
    exp = sample_expected()
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        assert next(csv.DictReader(f))["nature"] == "failure"  # the first row, corrected below
    at = open_app(author="Ann")
    assert metric(at, "Failure demand") == f"{exp.failure:,}"
    with store() as s:
        found = studies.find_study(s, SAMPLE_STUDY)
        assert found is not None
    assert db.current_revision(db.engine_for()) == db.head_revision()
    demand = DemandScreen(at)
    demand.correct(row=0, field="nature", value="unclassified")
    demand.assert_no_exception()
    with store() as s:
        assert [(c.row, c.after, c.author) for c in studies.correction_log(s, found.id)] == [
            (2, "unclassified", "Ann")]
    fresh = open_app()
    assert metric(fresh, "Failure demand") == f"{exp.failure - 1:,}"
    assert metric(fresh, "Not yet classified") == f"{exp.unclassified + 1:,}"


def test_export_through_the_page_offers_a_zip_that_imports() -> None:
    from workbench.store import archive

    at = open_app("studies")
    page = StudiesScreen(at)
    page.export()
    page.assert_no_exception()
    data, contents = page.exported(sample_id())
    assert any(c.value.startswith("Inside: ") and contents in c.value for c in at.caption)
    read = archive.read_archive(data)  # what is offered reads back as a study archive
    assert read.describe() == contents
    with store() as s:
        made = archive.import_study(s, data)
        assert made.name == f"{SAMPLE_STUDY} (imported)"
        assert len(studies.list_maps(s, made.id)) == 2


def test_delete_a_map_from_the_flow_page() -> None:
    at = open_app("flow")
    flow = FlowScreen(at)
    shown = flow.working.name
    assert button(at, "Delete the map").disabled
    next(c for c in at.checkbox if c.label == f"Yes, delete '{shown}'").check().run()
    button(at, "Delete the map").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with store() as s:
        left = [v.name for v in studies.list_maps(s, sample_id())]
    assert shown not in left and len(left) == 1
    assert flow.working.name == left[0]  # the page opened the other map


def test_a_new_study_from_the_sample_has_its_demand_and_maps() -> None:
    at = open_app("studies", author="Ann")
    page = StudiesScreen(at)
    page.create("Training copy")
    page.assert_no_exception()
    with store() as s:
        made = studies.find_study(s, "Training copy")
        assert made is not None
        src = studies.current_demand_source(s, made.id)
        assert src is not None and (src.name, src.created_by) == ("housing_repairs_demand.csv", "Ann")
        assert sorted(v.name for v in studies.list_maps(s, made.id)) == [
            "Housing repairs - as is", "Housing repairs - redesign"]
    at.switch_page("views/demand.py").run()
    assert metric(at, "Demands") == "2,532"


def test_an_unreachable_database_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    messages = " ".join(e.value for e in at.error)
    assert "cannot be reached" in messages and "127.0.0.1" not in messages  # the address is in the log only
    assert len(at.error) == 1  # said once, not again by the page
    board = AppTest.from_file(APP, default_timeout=60)
    board.query_params["view"] = "dashboard"
    board.query_params["study"] = "1"
    board.run()
    assert not board.exception and any("cannot be reached" in e.value for e in board.error)


def test_a_store_refusal_the_page_did_not_expect_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """E.g. a study deleted by someone else between this page's read and its write."""
    at = open_app("studies")

    def gone(*args: object, **kwargs: object) -> None:
        raise studies.NotFoundError("There is no study 1 (it may have been deleted).")

    monkeypatch.setattr(studies, "archive_study", gone)
    button(at, "Archive (hide from the list)").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("There is no study 1" in w.value and "Reload" in w.value for w in at.warning)
