"""The starting points offered by "New from template" (process_maps/templates/): each is a valid map of a real
shape of service, with the steps, roles and routes its file says, and figures a workshop can start from."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workbench.flow.expected import expect
from workbench.flow.model import WORK_KINDS, parse_map, to_dict, to_yaml
from workbench.flow.routing import DemandKind
from workbench.flow.templates import TEMPLATES_DIR, templates
from workbench.flow.validate import validate_map

# file: (title, steps, roles, routes) as the docs and the page's message state them
STATED = {
    "case_work_verification.yaml": ("Case work with verification", 7, 4, 9),
    "contact_centre_back_office.yaml": ("Contact centre with back office", 7, 3, 10),
    "field_service_appointments.yaml": ("Field service with appointments", 7, 3, 8),
}


def _raw(name: str) -> dict:
    return yaml.safe_load((TEMPLATES_DIR / name).read_text(encoding="utf-8"))


def test_the_three_templates_are_offered_in_file_order() -> None:
    found = templates()
    assert [t.path.name for t in found] == sorted(STATED)
    assert [t.title for t in found] == [STATED[name][0] for name in sorted(STATED)]
    assert all(len(t.summary) > 40 for t in found)  # a sentence saying what it is, shown under the choice


@pytest.mark.parametrize("name", sorted(STATED))
def test_a_template_loads_and_validates_with_no_problems(name: str) -> None:
    title, steps, roles, routes = STATED[name]
    raw = _raw(name)
    assert (len(raw["steps"]), len(raw["roles"]), sum(len(s.get("routes", [])) for s in raw["steps"])) == (
        steps, roles, routes)
    m = next(t for t in templates() if t.path.name == name).load()
    assert validate_map(m) == []  # no errors, no warnings
    assert m.name == title and m.path is None  # the map made from it is the study's, not the template file's
    assert [s.id for s in m.steps] == [s["id"] for s in raw["steps"]]
    assert to_dict(parse_map(to_yaml(m))) == to_dict(m)  # stored and read back unchanged


@pytest.mark.parametrize("name", sorted(STATED))
def test_a_template_has_realistic_roles_times_and_rework(name: str) -> None:
    m = next(t for t in templates() if t.path.name == name).load()
    used = {s.role for s in m.steps}
    assert {r.id for r in m.roles} == used  # every role does something
    assert all(r.staff >= 1 and r.name and r.name != r.id for r in m.roles)
    for s in m.steps:
        assert s.touch.triple is not None and 0 < s.touch.triple[0] <= s.touch.triple[1] <= s.touch.triple[2], s.id
        assert s.wait.triple is not None and s.work in WORK_KINDS and s.source.startswith("template"), s.id
    waits = [s.wait.triple[1] for s in m.steps if s.wait.triple]
    assert max(waits) >= 3  # a real queue somewhere: days, not minutes
    rework = [s.id for s in m.steps if s.rework_to or s.recall_type or any(r.rework for r in s.routes)]
    assert rework, "each template shows work coming back"
    assert m.chases and all(c.probability < 1 and c.steps for c in m.chases)  # and the chasing it causes
    assert {s.work for s in m.steps} - {"value"}  # waste to see, as well as value work


def test_the_contact_centre_resolves_a_third_of_value_demand_at_first_contact() -> None:
    """One-stop, from the file's own probabilities: value demand is resolved at 'answer' 35% of the time;
    failure demand first half the time (a status answer), then 35% of the rest."""
    raw = _raw("contact_centre_back_office.yaml")
    answer = next(s for s in raw["steps"] if s["id"] == "answer")
    failure_p, script_p = answer["routes"][0]["probability"], answer["routes"][1]["probability"]
    m = next(t for t in templates() if t.path.name == "contact_centre_back_office.yaml").load()
    assert expect(m, DemandKind("A request", "value", "", "Phone")).one_stop == pytest.approx(script_p)
    assert expect(m, DemandKind("Chasing", "failure", "", "Phone")).one_stop == pytest.approx(
        failure_p + (1 - failure_p) * script_p)


@pytest.mark.parametrize("name", ["case_work_verification.yaml", "field_service_appointments.yaml"])
def test_case_work_and_field_service_are_never_one_stop(name: str) -> None:
    """Every demand passes from one role to another (and waits) before it is met."""
    m = next(t for t in templates() if t.path.name == name).load()
    e = expect(m, DemandKind("A request", "value", "", "Phone"))
    assert e.one_stop == 0 and e.handoffs >= 2


def test_a_template_this_server_could_not_store_is_not_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_MAX_MAP_STEPS", "6")
    assert templates() == []


def test_the_templates_are_not_maps_of_the_process_maps_folder(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """They sit in a folder of their own, so "a map in process_maps/" does not list them as the team's maps."""
    from workbench.app.flow_state import map_files

    monkeypatch.setenv("WORKBENCH_MAPS_DIR", str(TEMPLATES_DIR.parent))
    listed = [p.name for p in map_files()]
    assert "housing_repairs_standard_work.yaml" in listed and not set(listed) & set(STATED)
    assert templates(tmp_path) == []  # a folder with no templates offers none
