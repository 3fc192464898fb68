"""The editor's tables (to_tables / from_tables, blank maps, inserted steps) and the diagram (to_dot).

Tables: the round trip gives the same map; renaming a step renames every reference to it; a blank new row is
ignored; editing a role changes the hand-offs. Diagram: the DOT text is checked line by line.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from flow_fixtures import SMALL_MAP

from workbench.flow.diagram import HANDOFF_COLOUR, PROBLEM_COLOUR, VALUE_FILL, WASTE_FILL, to_dot
from workbench.flow.expected import expect
from workbench.flow.model import Duration, ProcessMap, parse_map, to_dict, to_yaml
from workbench.flow.routing import DemandKind
from workbench.flow.tables import (
    DEFAULT_ENTRY,
    TableError,
    apply_tables,
    blank,
    from_tables,
    insert_step_after,
    to_tables,
)
from workbench.flow.validate import has_errors, validate_map

PHONE = DemandKind("Report a leak", "value", "", "Phone")

# Written the way the tables show times (touch in minutes, full or fixed triangles), so the round trip must
# give exactly the same to_dict.
MAP = """\
# Header kept through table edits
name: Tables
service: Housing repairs
design: standard-work
description: For the table tests.
roles:
  - id: agent
    name: Agent
    staff: 4
    hours_per_day: 7
    days_per_week: 5
  - id: office
    name: Back office
    staff: 2
    hours_per_day: 7.5
    days_per_week: 4
entry:
  default: answer
  touchpoints:
    Email: read
steps:
  - id: read
    name: Read the email
    role: office
    work: re-key
    touch: 3
    wait: 1
    routes:
      - to: answer
        otherwise: true
  - id: answer
    name: Answer
    role: agent
    touch: {min: 3, likely: 6, max: 14}
    source: sample handling_minutes
    routes:
      - to: resolved
        nature: failure
        cause: progress chasing
        touchpoints: [Phone, Web form]
        probability: 0.4
      - to: process
        types: [Report a leak, Report damp and mould]
      - to: process
        otherwise: true
  - id: process
    name: Process it
    role: office
    work: check
    touch: {mean: 12, distribution: exponential}
    wait: {min: 1, likely: 2, max: 6}
    complete_and_accurate: 80
    not_accurate: {rework: answer}
    routes:
      - to: close
        otherwise: true
  - id: close
    name: Close
    role: agent
    pulled: true
    touch: 4
    complete_and_accurate: 95
    not_accurate: {recall: Nobody turned up}
    routes:
      - to: process
        probability: 0.1
        rework: true
      - to: resolved
        otherwise: true
failure_demand:
  - kind: chase
    name: Chasers
    every_days: 5
    probability: 0.5
    demand_type: Chasing a repair
    touchpoint: Phone
    steps: [process, close]
"""


def _id(value: object) -> str | None:
    """Readable test ids for YAML snippets (no newlines)."""
    return " ".join(value.split())[:60] or "empty" if isinstance(value, str) else None



def base() -> ProcessMap:
    m = parse_map(MAP, "tables.yaml")
    assert not has_errors(validate_map(m))
    return m


def _append_blank(df: pd.DataFrame) -> pd.DataFrame:
    blank = pd.DataFrame([dict.fromkeys(df.columns)], columns=df.columns)
    return pd.concat([df.astype(object), blank.astype(object)], ignore_index=True)


# ------------------------------------------------------------------------------------------ round trip


def test_the_tables_hold_what_the_map_says() -> None:
    t = to_tables(base())
    steps = t["steps"].set_index("id")
    assert list(steps.index) == ["read", "answer", "process", "close"]
    assert list(steps.loc["answer", ["touch_min", "touch_likely", "touch_max"]]) == [3, 6, 14]
    assert list(steps.loc["process", ["wait_min", "wait_likely", "wait_max"]]) == [1, 2, 6]
    assert steps.loc["process", "rework_to"] == "answer"
    assert steps.loc["close", "recall_type"] == "Nobody turned up" and bool(steps.loc["close", "pulled"])
    routes = t["routes"]
    assert list(routes["step"]) == ["read", "answer", "answer", "answer", "process", "close", "close"]
    assert routes.loc[1, "touchpoints"] == "Phone, Web form" and routes.loc[1, "probability"] == 0.4
    assert routes.loc[2, "types"] == "Report a leak, Report damp and mould"
    assert bool(routes.loc[5, "rework"]) and not bool(routes.loc[6, "rework"])
    assert t["entry"].values.tolist() == [[DEFAULT_ENTRY, "answer"], ["Email", "read"]]
    assert t["roles"]["id"].tolist() == ["agent", "office"]
    assert t["failure_demand"].loc[0, "steps"] == "process, close"


def test_tables_round_trip_gives_the_same_map() -> None:
    m = base()
    back = from_tables(m, to_tables(m))
    assert to_dict(back) == to_dict(m)
    assert to_yaml(back) == to_yaml(m)  # header comment included
    assert to_yaml(back).startswith("# Header kept through table edits\n")
    assert not has_errors(validate_map(back))


def test_a_fixed_wait_in_hours_survives_the_tables_unchanged() -> None:
    """`wait: {likely: 4, unit: hours}` shows as 4 / 4 / 4 hours in the table; saving it back must not
    rewrite the file as {min: 4, likely: 4, max: 4, unit: hours}."""
    m = parse_map(MAP.replace("    touch: 3\n    wait: 1\n", "    touch: 3\n    wait: {likely: 4, unit: hours}\n"))
    back = from_tables(m, to_tables(m))
    assert to_dict(back) == to_dict(m)


@pytest.mark.parametrize(("typed", "attr"), [
    ("touch: {likely: 1.5, unit: hours}", "touch"),    # shown (and saved) in minutes: 90
    ("touch: {min: 3, max: 9}", "touch"),              # likely shown as the midpoint
    ("touch: 1\n    wait: {min: 1, max: 5}", "wait"),
    ("touch: 1\n    wait: {mean: 2, distribution: exponential}", "wait"),
], ids=_id)
def test_times_the_tables_show_differently_keep_their_meaning(typed: str, attr: str) -> None:
    m = parse_map(f"name: x\nroles:\n  - id: r\nentry: a\nsteps:\n  - id: a\n    role: r\n    {typed}\n")
    back = from_tables(m, to_tables(m))
    before, after = getattr(m.steps[0], attr), getattr(back.steps[0], attr)
    assert after.mean_minutes() == pytest.approx(before.mean_minutes())
    assert [v * after.factor for v in after.triple] == pytest.approx([v * before.factor for v in before.triple])
    assert after.distribution == before.distribution


# ------------------------------------------------------------------------------------------ edits


def test_renaming_a_step_renames_every_reference() -> None:
    m = base()
    t = to_tables(m)
    t["steps"].loc[t["steps"]["id"] == "answer", "id"] = "understand"
    t["steps"].loc[t["steps"]["id"] == "process", "id"] = "fix"
    new = from_tables(m, t)
    assert [s.id for s in new.steps] == ["read", "understand", "fix", "close"]
    # routes from and to the renamed steps
    assert [r.to for r in new.step("read").routes] == ["understand"]  # type: ignore[union-attr]
    assert [r.to for r in new.step("understand").routes] == ["resolved", "fix", "fix"]  # type: ignore[union-attr]
    assert [r.to for r in new.step("close").routes] == ["fix", "resolved"]  # type: ignore[union-attr]
    # entry and rework
    assert new.entry_default == "understand"
    assert new.step("fix").rework_to == "understand"  # type: ignore[union-attr]
    # chase rules watching the renamed step
    assert new.chases[0].steps == ["fix", "close"]
    assert not has_errors(validate_map(new))
    # nothing else changed: the renamed map equals the original with ids replaced
    expected = MAP.replace("answer", "understand").replace("process", "fix")
    assert to_dict(new) == to_dict(parse_map(expected))


def test_renaming_the_entry_for_a_touchpoint() -> None:
    m = base()
    t = to_tables(m)
    t["steps"].loc[0, "id"] = "inbox"
    new = from_tables(m, t)
    assert new.entry_touchpoints == {"Email": "inbox"}
    assert new.entry_for("Email") == "inbox"


@pytest.mark.parametrize("table", ["roles", "steps", "routes", "entry", "failure_demand"])
def test_a_blank_new_row_is_ignored(table: str) -> None:
    m = base()
    t = to_tables(m)
    t[table] = _append_blank(t[table])
    new = from_tables(m, t)
    assert to_dict(new) == to_dict(m)


def test_a_rename_with_a_blank_new_row_still_renames() -> None:
    """The blank row the editor adds is ignored, so it must not stop a rename from reaching the routes."""
    m = base()
    t = to_tables(m)
    t["steps"].loc[t["steps"]["id"] == "process", "id"] = "fix"
    t["steps"] = _append_blank(t["steps"])
    new = from_tables(m, t)
    assert [r.to for r in new.step("answer").routes] == ["resolved", "fix", "fix"]  # type: ignore[union-attr]
    assert not has_errors(validate_map(new))


def test_a_new_step_row_becomes_a_step() -> None:
    m = base()
    t = to_tables(m)
    row = dict.fromkeys(t["steps"].columns)
    row.update({"id": "call_back", "name": "Call back", "role": "agent", "touch_likely": 5.0})
    t["steps"] = pd.concat([t["steps"].astype(object), pd.DataFrame([row]).astype(object)], ignore_index=True)
    new = from_tables(m, t)
    added = new.step("call_back")
    assert added is not None and added.role == "agent" and added.touch.triple == (5, 5, 5)
    assert added.work == "value" and added.complete_and_accurate == 100
    # no route leads to it yet: validation says so, with the step named
    assert any(p.where == "step 'call_back'" and "no demand can reach" in p.message for p in validate_map(new))


def test_editing_a_role_cell_changes_the_hand_offs() -> None:
    m = parse_map(SMALL_MAP)
    # agent -> office -> agent: 2 hand-offs
    assert expect(m, PHONE).handoffs == pytest.approx(2)
    t = to_tables(m)
    t["steps"].loc[t["steps"]["id"] == "process", "role"] = "agent"
    new = from_tables(m, t)
    # all agent now: no hand-off; the 2-day wait still keeps it from one stop
    e = expect(new, PHONE)
    assert e.handoffs == pytest.approx(0)
    assert e.one_stop == pytest.approx(0)
    # and only the close step moved back to the office: 1 hand-off (agent -> office at the end)
    t2 = to_tables(m)
    t2["steps"].loc[t2["steps"]["id"] == "process", "role"] = "agent"
    t2["steps"].loc[t2["steps"]["id"] == "close", "role"] = "office"
    assert expect(from_tables(m, t2), PHONE).handoffs == pytest.approx(1)


def test_editing_a_route_probability_changes_the_expectation() -> None:
    m = base()
    t = to_tables(m)
    routes = t["routes"]
    routes.loc[(routes["step"] == "close") & (routes["to"] == "process"), "probability"] = 0.5
    new = from_tables(m, t)
    assert new.step("close").routes[0].probability == 0.5  # type: ignore[union-attr]
    assert "probability: 0.5" in to_yaml(new)


# ------------------------------------------------------------------------------ editing in a workshop


def test_renaming_a_role_renames_it_in_every_step_that_had_it() -> None:
    m = base()
    had = [s.id for s in m.steps if s.role == "agent"]
    kept = {s.id: s.role for s in m.steps if s.role != "agent"}
    assert had == ["answer", "close"] and kept == {"read": "office", "process": "office"}
    t = to_tables(m)
    t["roles"].loc[t["roles"]["id"] == "agent", "id"] = "advisor"
    new = from_tables(m, t)
    assert [s.id for s in new.steps if s.role == "advisor"] == had
    assert {s.id: s.role for s in new.steps if s.id not in had} == kept
    assert not any(s.role == "agent" for s in new.steps)
    assert not has_errors(validate_map(new))
    # nothing else changed: the map equals the original with the role's id replaced
    expected = MAP.replace("role: agent", "role: advisor").replace("id: agent", "id: advisor")
    assert to_dict(new) == to_dict(parse_map(expected))


def test_a_renamed_roles_working_hours_follow_it() -> None:
    m = base()
    t = to_tables(m)
    t["hours"] = pd.DataFrame([{"role": "agent", "days": "Mon-Fri", "from": "09:00", "to": "17:00", "staff": None}])
    t["roles"].loc[t["roles"]["id"] == "agent", "id"] = "advisor"
    new = from_tables(m, t)
    advisor = new.role("advisor")
    assert advisor is not None and advisor.staff == 4 and advisor.hours_per_day == 7  # the same role, renamed
    assert advisor.hours == {d: [(540.0, 1020.0)] for d in range(5)}  # Mon-Fri 09:00-17:00, in minutes
    assert new.role("office").hours == {}  # type: ignore[union-attr]


def test_a_role_deleted_and_another_added_is_not_a_rename() -> None:
    """Fewer roles than before: positions no longer say which is which, so nothing is renamed."""
    m = base()
    t = to_tables(m)
    t["roles"] = t["roles"][t["roles"]["id"] != "office"].reset_index(drop=True)
    t["roles"].loc[0, "id"] = "advisor"
    new = from_tables(m, t)
    assert [r.id for r in new.roles] == ["advisor"]
    assert [s.role for s in new.steps] == [s.role for s in m.steps]  # the steps keep what they had: validation asks


@pytest.mark.parametrize("typed, stored", [(0.4, 0.4), (1, 1.0), (0, 0.0), (50, 0.5), (2.5, 0.025), (100, 1.0)])
def test_a_probability_is_a_share_or_a_percent(typed: float, stored: float) -> None:
    m = base()
    t = to_tables(m)
    t["routes"].loc[5, "probability"] = typed  # close -> process
    edit = apply_tables(m, t)
    assert edit.map.step("close").routes[0].probability == pytest.approx(stored)  # type: ignore[union-attr]
    if typed > 1:
        assert edit.notes == [f"Routes table, row 6 (close → process), Probability: read {typed:g} as {typed:g}% "
                              f"(a share of {typed / 100:g}). If you meant something else, change it there."]
    else:
        assert edit.notes == []


@pytest.mark.parametrize("typed", [150, 100.5, -3, -0.1])
def test_a_probability_out_of_range_is_refused_naming_the_route_and_column(typed: float) -> None:
    m = base()
    t = to_tables(m)
    t["routes"].loc[5, "probability"] = typed
    with pytest.raises(TableError) as refused:
        from_tables(m, t)
    assert str(refused.value).startswith(f"Routes table, row 6, column 'Probability': {typed:g} is not a probability "
                                         "(close → process)")


def test_a_chase_probability_typed_as_a_percent_is_read_as_one() -> None:
    m = base()
    t = to_tables(m)
    t["failure_demand"].loc[0, "probability"] = 30
    edit = apply_tables(m, t)
    assert edit.map.chases[0].probability == pytest.approx(0.3)
    assert edit.notes and "rule 'Chasers'" in edit.notes[0] and "read 30 as 30%" in edit.notes[0]
    t["failure_demand"].loc[0, "probability"] = 300
    with pytest.raises(TableError, match=r"Failure demand table, row 1, column 'Probability': 300 is not"):
        from_tables(m, t)


@pytest.mark.parametrize("typed, stored, noted", [(80, 80.0, False), (0.9, 90.0, True), (100, 100.0, False),
                                                  (0, 0.0, False)])
def test_right_first_time_is_a_percent(typed: float, stored: float, noted: bool) -> None:
    m = base()
    t = to_tables(m)
    t["steps"].loc[2, "complete_and_accurate"] = typed  # process
    edit = apply_tables(m, t)
    assert edit.map.step("process").complete_and_accurate == stored  # type: ignore[union-attr]
    assert bool(edit.notes) == noted
    if noted:
        assert "Steps table, row 3 (step 'process'), %C&A: read 0.9 as 90%" in edit.notes[0]


@pytest.mark.parametrize("typed", [120, -5])
def test_right_first_time_out_of_range_is_refused(typed: float) -> None:
    m = base()
    t = to_tables(m)
    t["steps"].loc[2, "complete_and_accurate"] = typed
    with pytest.raises(TableError, match=rf"Steps table, row 3, column '%C&A': {typed} is not a percent "
                                         r"\(step 'process'\)"):
        from_tables(m, t)


def test_inserting_a_step_after_another_routes_through_it() -> None:
    m = base()
    before = [(r.to, r.probability, r.otherwise, r.rework) for r in m.step("close").routes]  # type: ignore[union-attr]
    new, sid, said = insert_step_after(m, "close")
    assert sid == "new_step"
    assert [s.id for s in new.steps] == ["read", "answer", "process", "close", "new_step"]
    assert [(r.to, r.otherwise) for r in new.step("close").routes] == [("new_step", True)]  # type: ignore[union-attr]
    assert [(r.to, r.probability, r.otherwise, r.rework)
            for r in new.step("new_step").routes] == before  # type: ignore[union-attr]
    added = new.step("new_step")
    assert added is not None and added.role == "agent" and added.work == "value" and added.touch.triple is None
    assert said == "Added step 'new_step' after 'close': 'close' now goes to it, and it goes on where 'close' went " \
                   "(2 routes)."
    assert [s.id for s in m.steps] == ["read", "answer", "process", "close"]  # the map it came from is unchanged
    # a second one gets a free id; a step with no routes ends the demand after the new one
    again, sid2, said2 = insert_step_after(new, "new_step")
    assert sid2 == "new_step_2" and [r.to for r in again.step("new_step").routes] == ["new_step_2"]  # type: ignore[union-attr]
    lone, _, lone_said = insert_step_after(parse_map(SMALL_MAP), "close")
    assert lone.step("new_step").routes == [] and lone_said.endswith("the demand ends after it.")  # type: ignore[union-attr]
    # validation asks for its touch time, and nothing else: once it is filled in the map is valid again
    assert [p.where for p in validate_map(new) if p.severity == "error"] == ["step 'new_step'"]
    added.touch = Duration(5, 5, 5, "minutes")
    assert not has_errors(validate_map(new))


def test_a_probability_written_with_a_percent_sign_in_a_file_is_that_percent() -> None:
    """`probability: 50%` is 0.5 (it was read as 50); a bare 50 in a file stays 50, for validation to question."""
    text = MAP.replace("probability: 0.4", "probability: 40%").replace("probability: 0.5", "probability: 50%")
    m = parse_map(text)
    assert m.step("answer").routes[0].probability == pytest.approx(0.4)  # type: ignore[union-attr]
    assert m.chases[0].probability == pytest.approx(0.5)
    assert not has_errors(validate_map(m))
    bare = parse_map(MAP.replace("probability: 0.4", "probability: 40"))
    assert bare.step("answer").routes[0].probability == 40  # type: ignore[union-attr]
    assert any("probab" in p.message and p.severity == "error" for p in validate_map(bare))


def test_a_blank_map_asks_for_its_touch_time_and_nothing_else() -> None:
    m = blank()
    errors = [p for p in validate_map(m) if p.severity == "error"]
    assert [p.where for p in errors] == ["step 'first'"] and "touch" in errors[0].message


# ------------------------------------------------------------------------------------------ diagram

_NODE = re.compile(r'^\s*"(?P<id>[^"]+)" \[(?P<attrs>.*)\];$')
_EDGE = re.compile(r'^\s*"?(?P<a>[^" ]+)"? -> "?(?P<b>[^" ]+)"? \[(?P<attrs>.*)\];$')


def _nodes(dot: str) -> dict[str, str]:
    return {m["id"]: m["attrs"] for line in dot.splitlines() if (m := _NODE.match(line)) and " -> " not in line}


def _edges(dot: str) -> list[tuple[str, str, str]]:
    return [(m["a"], m["b"], m["attrs"]) for line in dot.splitlines() if (m := _EDGE.match(line))]


def _fill(attrs: str) -> str:
    found = re.search(r'fillcolor="([^"]+)"', attrs)
    assert found, attrs
    return found.group(1)


def test_the_diagram_has_a_node_per_step_coloured_by_value_or_waste() -> None:
    m = base()
    dot = to_dot(m)
    assert dot.startswith("digraph map {") and dot.rstrip().endswith("}")
    nodes = _nodes(dot)
    assert set(nodes) == {"read", "answer", "process", "close"}
    assert VALUE_FILL != WASTE_FILL
    # answer and close are value work; read (re-key) and process (check) are waste
    assert _fill(nodes["answer"]) == _fill(nodes["close"]) == VALUE_FILL
    assert _fill(nodes["read"]) == _fill(nodes["process"]) == WASTE_FILL
    assert "[re-key]" in nodes["read"] and "[check]" in nodes["process"]
    # labels carry the figures: 80% right first time, the pulled step dashed
    assert "80% right first time" in nodes["process"]
    assert "dashed" in nodes["close"]
    # one swimlane per role
    assert dot.count("subgraph cluster_") == 2
    assert 'label="Back office (2)"' in dot and 'label="Agent (4)"' in dot


def test_hand_off_edges_are_in_the_hand_off_colour() -> None:
    edges = {(a, b): attrs for a, b, attrs in _edges(to_dot(base()))}
    # read (office) -> answer (agent): a hand-off
    assert f'color="{HANDOFF_COLOUR}"' in edges[("read", "answer")]
    assert "hand-off" in edges[("read", "answer")]
    # answer (agent) -> process (office): a hand-off
    assert f'color="{HANDOFF_COLOUR}"' in edges[("answer", "process")]
    # process (office) -> close (agent, pulled): not a hand-off
    assert HANDOFF_COLOUR not in edges[("process", "close")]
    assert "hand-off" not in edges[("process", "close")]
    # the end of the demand
    assert ("answer", "resolved") in edges and ("close", "resolved") in edges
    # the entry per touchpoint
    assert 'label="Email"' in edges[("customer", "read")]


def test_rework_edges_are_dashed() -> None:
    edges = _edges(to_dot(base()))
    # the route marked rework: true (close -> process)
    close_back = [attrs for a, b, attrs in edges if (a, b) == ("close", "process")]
    assert len(close_back) == 1 and 'style="dashed"' in close_back[0]
    # not_accurate rework at process -> answer, labelled with the 20% that is not right
    rework = [attrs for a, b, attrs in edges if (a, b) == ("process", "answer")]
    assert len(rework) == 1 and "style=dashed" in rework[0] and 'label="rework 20%"' in rework[0]
    # an ordinary route is not dashed
    ordinary = [attrs for a, b, attrs in edges if (a, b) == ("process", "close")]
    assert ordinary and "dashed" not in ordinary[0]
    # the recall at close goes back to the customer, dotted
    recall = [attrs for a, b, attrs in edges if (a, b) == ("close", "customer")]
    assert len(recall) == 1 and "style=dotted" in recall[0] and "recall 5%" in recall[0]


def test_steps_with_errors_are_outlined() -> None:
    text = MAP.replace("    role: office\n    work: check\n", "    role: boss\n    work: check\n").replace(
        "      - to: answer\n        otherwise: true\n", "      - to: nowhere\n        otherwise: true\n")
    m = parse_map(text, "broken.yaml")
    problems = validate_map(m)
    assert has_errors(problems)
    nodes = _nodes(to_dot(m, problems))
    outline = f'color="{PROBLEM_COLOUR}"'
    # process has an unknown role; read routes to an unknown step
    assert outline in nodes["process"] and "penwidth=3" in nodes["process"]
    assert outline in nodes["read"] and "penwidth=3" in nodes["read"]
    assert outline not in nodes["close"] and "penwidth" not in nodes["close"]
    # the unknown step is drawn as such
    assert "nowhere (unknown step)" in nodes["nowhere"]
    # without problems given, nothing is outlined
    assert all("penwidth=3" not in attrs for attrs in _nodes(to_dot(m)).values())


def test_warnings_do_not_outline_a_step() -> None:
    text = MAP.replace("    complete_and_accurate: 95\n    not_accurate: {recall: Nobody turned up}\n",
                       "    complete_and_accurate: 95\n")
    m = parse_map(text)
    problems = validate_map(m)
    assert problems and not has_errors(problems)
    assert all("penwidth=3" not in attrs for attrs in _nodes(to_dot(m, problems)).values())
