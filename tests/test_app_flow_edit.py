"""Building a map in the room (issue 17): starting a map, its name and design, the editor's sections, dropdowns,
renaming a role, adding the next step, and numbers that look wrong questioned, through Streamlit's AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from app_pages import APP, FlowScreen, open_app
from flow_fixtures import SMALL_MAP
from streamlit.testing.v1 import AppTest

from workbench.app import keys
from workbench.app.flow_state import SECTIONS
from workbench.app.text import literal
from workbench.flow.model import WORK_KINDS, ProcessMap, parse_map
from workbench.flow.templates import TEMPLATES_DIR
from workbench.flow.validate import has_errors, validate_map
from workbench.store import db, studies

SMALL = yaml.safe_load(SMALL_MAP)  # the small map as plain data: what the tests expect is computed from it


@pytest.fixture
def flow(small_maps: Path) -> FlowScreen:
    return FlowScreen(open_app("flow"))


def _store():  # noqa: ANN202 - a store session
    return db.sessions(db.engine_for())()


def _stored(flow: FlowScreen) -> tuple[ProcessMap, int]:
    """The map on screen as the study stores it now (its latest version), and that version's number."""
    w = flow.working
    with _store() as s:
        v = studies.get_map_version(s, w.study_id, w.name)
    return parse_map(v.yaml_text, v.name), v.version


def _editors(flow: FlowScreen) -> list[str]:
    """The keys of the editable tables drawn on the page."""
    return [d.key for d in flow.at.dataframe if d.key and d.key.startswith("flow_")]


def _columns(flow: FlowScreen, table: str) -> dict[str, dict]:
    """The column settings of one of the map's editable tables, as sent to the browser."""
    key = keys.flow_table(table, flow.working.version)
    editor = next(d for d in flow.at.dataframe if d.key == key)
    return json.loads(editor.proto.columns)


@pytest.fixture
def empty(small_maps: Path) -> FlowScreen:
    """The Flow page of a new study that has no map yet."""
    open_app()  # the first start makes the sample study
    with _store() as s:
        made = studies.create_study(s, "Benefits redesign")
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state[keys.STUDY] = made.id
    at.run()
    at.switch_page("views/flow.py").run()
    screen = FlowScreen(at)
    screen.assert_no_exception()
    return screen


def _maps(flow: FlowScreen) -> list[str]:
    with _store() as s:
        return [v.name for v in studies.list_maps(s, flow.at.session_state[keys.STUDY])]


# ------------------------------------------------------------------------------------ starting a map


def test_an_empty_study_makes_no_map_by_itself_and_offers_the_ways_to_start(empty: FlowScreen) -> None:
    assert _maps(empty) == []
    empty.run()  # nor on a second look
    assert _maps(empty) == []
    assert empty.says("info", "This study has no process map yet")
    labels = [b.label for b in empty.at.button]
    assert {"New from template", "New blank map", "Add to the study and open"} <= set(labels)
    assert [u.label for u in empty.at.file_uploader] == ["Upload a map"]
    assert empty.selectbox("A map in process_maps/").options == ["small.yaml"]
    assert keys.FLOW_EDITOR not in empty.at.session_state or empty.at.session_state[keys.FLOW_EDITOR] is None


@pytest.mark.parametrize("file, title, steps, roles, routes", [
    ("contact_centre_back_office.yaml", "Contact centre with back office", 7, 3, 10),
    ("case_work_verification.yaml", "Case work with verification", 7, 4, 9),
    ("field_service_appointments.yaml", "Field service with appointments", 7, 3, 8),
])
def test_new_from_template_makes_that_template_and_says_what_it_made(empty: FlowScreen, file: str, title: str,
                                                                     steps: int, roles: int, routes: int) -> None:
    raw = yaml.safe_load((TEMPLATES_DIR / file).read_text(encoding="utf-8"))
    assert (len(raw["steps"]), len(raw["roles"]), sum(len(s.get("routes", [])) for s in raw["steps"])) == (
        steps, roles, routes)
    pick = empty.selectbox("Template")
    pick.set_value(pick.options.index(title)).run()
    empty.press("New from template")
    empty.assert_no_exception()
    assert _maps(empty) == [title]
    stored, version = _stored(empty)
    assert version == 1
    assert [s.id for s in stored.steps] == [s["id"] for s in raw["steps"]]
    assert not has_errors(validate_map(stored))
    assert empty.says("success", f"Made '{title}' from the template '{title}': {steps} steps, {roles} roles and "
                                 f"{routes} routes.")
    assert any(h.value.startswith(title) for h in empty.at.subheader)


def test_a_blank_map_has_one_role_and_one_step_to_fill_in(empty: FlowScreen) -> None:
    empty.press("New blank map")
    empty.assert_no_exception()
    assert _maps(empty) == ["New map"]
    stored, _ = _stored(empty)
    assert [(r.id, s.id, s.role) for r in stored.roles for s in stored.steps] == [("worker", "first", "worker")]
    assert stored.steps[0].touch.triple is None  # no time is guessed: validation asks for it
    assert empty.says("success", "Made the blank map 'New map': 1 step, 1 role and 0 routes.")


# ------------------------------------------------------------------------------- name, design, description


def test_name_design_and_description_are_edited_in_the_app_and_stored(flow: FlowScreen) -> None:
    assert flow.working.map.design == SMALL["design"]
    flow.text_input("Map name").set_value("Benefits - as is")
    flow.selectbox("Design").set_value("as-is")
    flow.text_input("Service").set_value("Housing benefit")
    next(t for t in flow.at.text_area if t.label == "Description").set_value("Claims by post and phone.")
    flow.press("Save the name, design and description")
    flow.assert_no_exception()
    stored, version = _stored(flow)
    assert (stored.name, stored.design, stored.service, stored.description) == (
        "Benefits - as is", "as-is", "Housing benefit", "Claims by post and phone.")
    assert version == 2
    assert [s.id for s in stored.steps] == [s["id"] for s in SMALL["steps"]]  # nothing else changed
    assert any(h.value == "Benefits - as is · as-is" for h in flow.at.subheader)
    # the study's list of maps follows the new name, with the map's versions
    assert _maps(flow) == ["Benefits - as is"]
    with _store() as s:
        assert [v.version for v in studies.list_map_versions(s, flow.working.study_id, "Benefits - as is")] == [1, 2]
    assert flow.says("caption", "Saved in the study as 'Benefits - as is', version 2")
    # the other designs are offered, and a design in the team's own words (from a file) is kept as an option
    assert flow.selectbox("Design").options == ["as-is", "standard-work", "worker-led"]


def test_a_name_another_map_of_the_study_has_is_refused(flow: FlowScreen) -> None:
    flow.press("Duplicate")
    assert _maps(flow) == ["Copy of Small service", "Small service"]
    flow.text_input("Map name").set_value("Small service")
    flow.press("Save the name, design and description")
    assert "This study already has a map called 'Small service'" in flow.errors()
    stored, version = _stored(flow)
    assert (flow.working.name, stored.name, version) == ("Copy of Small service", "Copy of Small service", 1)
    assert _maps(flow) == ["Copy of Small service", "Small service"]


def test_an_empty_name_is_refused(flow: FlowScreen) -> None:
    flow.text_input("Map name").set_value("   ")
    flow.press("Save the name, design and description")
    assert "Give the map a name" in flow.errors()
    stored, version = _stored(flow)
    assert (stored.name, version) == (SMALL["name"], 1)


# --------------------------------------------------------------------------------- sections and dropdowns


def test_the_section_stays_open_after_an_edit_and_only_its_tables_are_drawn(flow: FlowScreen) -> None:
    assert flow.at.button_group(key=keys.FLOW_SECTION).options == list(SECTIONS)
    v = flow.working.version
    assert _editors(flow) == [keys.flow_table("steps", v)]
    flow.section("Routes")
    assert _editors(flow) == [keys.flow_table("routes", v)]
    flow.edit_table("routes", 0, types="Report a leak")
    flow.assert_no_exception()
    stored, version = _stored(flow)
    assert version == 2 and stored.steps[0].routes[0].types == ["Report a leak"]
    # after the edit's rerun the person is still on Routes, and the edit landed in the routes, not the steps
    assert flow.at.session_state[keys.FLOW_SECTION] == "Routes"
    assert _editors(flow) == [keys.flow_table("routes", flow.working.version)]
    assert [s.name for s in stored.steps] == [s["name"] for s in SMALL["steps"]]
    flow.section("Roles and hours")
    assert _editors(flow) == [keys.flow_table("roles", flow.working.version),
                              keys.flow_table("hours", flow.working.version)]


def test_roles_work_and_targets_are_dropdowns_and_the_step_stays_in_view(flow: FlowScreen) -> None:
    steps = _columns(flow, "steps")
    assert steps["role"]["type_config"] == {"type": "selectbox", "options": [r["id"] for r in SMALL["roles"]]}
    assert steps["work"]["type_config"]["options"] == list(WORK_KINDS)
    assert steps["id"]["pinned"] is True and steps["name"]["pinned"] is True
    assert steps["complete_and_accurate"]["type_config"].get("max_value") is None  # questioned by the app
    flow.section("Routes")
    routes = _columns(flow, "routes")
    ids = [s["id"] for s in SMALL["steps"]]
    assert routes["to"]["type_config"]["options"] == [*ids, "resolved"]
    assert routes["step"]["type_config"]["options"] == ids
    assert "max_value" not in routes["probability"]["type_config"]  # the grid would turn 50 into 1


# ------------------------------------------------------------------------------------- renaming a role


def test_renaming_a_role_renames_it_in_every_step_that_had_it(flow: FlowScreen) -> None:
    had = [s["id"] for s in SMALL["steps"] if s["role"] == "agent"]
    others = {s["id"]: s["role"] for s in SMALL["steps"] if s["role"] != "agent"}
    assert had == ["answer", "close"] and others == {"process": "office"}
    row = [r["id"] for r in SMALL["roles"]].index("agent")
    flow.edit_table("roles", row, id="advisor")
    flow.assert_no_exception()
    stored, version = _stored(flow)
    assert version == 2
    assert [s.id for s in stored.steps if s.role == "advisor"] == had
    assert {s.id: s.role for s in stored.steps if s.id not in had} == others
    assert [r.id for r in stored.roles] == ["advisor", "office"]
    assert stored.roles[0].staff == SMALL["roles"][row]["staff"]
    assert not has_errors(validate_map(stored))


# ------------------------------------------------------------------------------------ adding the next step


def test_add_the_next_step_inserts_it_routes_to_it_and_opens_it(flow: FlowScreen) -> None:
    after = SMALL["steps"][1]  # process -> close
    flow.section("Edit one step")
    flow.choose("Step", after["id"])
    flow.press("Add the next step after this one")
    flow.assert_no_exception()
    stored, version = _stored(flow)
    assert version == 2
    assert [s.id for s in stored.steps] == ["answer", "process", "new_step", "close"]
    process, new = stored.step("process"), stored.step("new_step")
    assert [(r.to, r.otherwise) for r in process.routes] == [("new_step", True)]
    assert [r.to for r in new.routes] == [r["to"] for r in after["routes"]]  # it goes on where process went
    assert new.role == after["role"]
    assert flow.selectbox("Step").value == "new_step"  # opened for editing
    assert flow.at.session_state[keys.FLOW_SECTION] == "Edit one step"
    assert flow.says("success", "Added step 'new_step' after 'process': 'process' now goes to it, and it goes on "
                                "where 'process' went (1 route).")
    # filled in at once in the form that opened
    flow.text_input("Name").set_value("Check the evidence")
    next(n for n in flow.at.number_input if n.label == "Touch likely").set_value(5.0)
    flow.press("Apply to step")
    stored, _ = _stored(flow)
    assert stored.step("new_step").name == "Check the evidence" and stored.step("new_step").touch.likely == 5.0


# ------------------------------------------------------------------------ numbers that look wrong


def test_a_probability_typed_as_50_is_read_as_50_percent_and_said(flow: FlowScreen) -> None:
    first = SMALL["steps"][0]
    route = f"{first['id']} → {first['routes'][0]['to']}"
    flow.edit_table("routes", 0, probability=50)
    flow.assert_no_exception()
    stored, version = _stored(flow)
    assert version == 2 and stored.steps[0].routes[0].probability == 0.5
    said = f"Routes table, row 1 ({route}), Probability: read 50 as 50% (a share of 0.5)."
    assert flow.says("warning", said)
    assert any(said in t.value for t in flow.at.toast)
    assert flow.at.session_state[keys.FLOW_SECTION] == "Routes"


@pytest.mark.parametrize("typed", [150, -3])
def test_a_probability_that_is_not_one_is_refused_naming_the_route(flow: FlowScreen, typed: int) -> None:
    first = SMALL["steps"][0]
    flow.edit_table("routes", 0, probability=typed)
    flow.assert_no_exception()
    errors = flow.errors()
    assert f"Routes table, row 1, column 'Probability': {typed} is not a probability " \
           f"({first['id']} → {first['routes'][0]['to']})" in errors
    assert "Not saved" in errors
    stored, version = _stored(flow)
    assert version == 1 and stored.steps[0].routes[0].probability is None


def test_right_first_time_outside_0_to_100_is_refused_and_a_share_is_read_as_a_percent(flow: FlowScreen) -> None:
    flow.edit_step(1, complete_and_accurate=120)
    assert literal("Steps table, row 2, column '%C&A': 120 is not a percent (step 'process')") in flow.errors()
    assert _stored(flow)[1] == 1
    flow.at.session_state[keys.flow_table("steps", flow.working.version)] = {
        "edited_rows": {1: {"complete_and_accurate": 0.9}}, "added_rows": [], "deleted_rows": []}
    flow.at.run()
    stored, version = _stored(flow)
    assert version == 2 and stored.step("process").complete_and_accurate == 90.0
    assert flow.says("warning", "read 0.9 as 90%")
