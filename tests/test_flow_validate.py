"""Validation of process maps: every documented error and warning, each from a small broken map, each checked
for the map file, the step or route (`where`) and the YAML line (counted by hand in the YAML strings below;
`_check_line` re-reads the string so a miscount fails loudly instead of agreeing with the code).

Also: a map with errors still opens and nothing is fixed silently; only invalid YAML or a non-mapping refuses
to load; values that are not numbers become problems with a line, not exceptions.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flow_fixtures import LOOP

from workbench.demand.catalogue import load_catalogue, parse_catalogue
from workbench.flow.model import MapFileError, Problem, ProcessMap, load_map, parse_map, to_yaml
from workbench.flow.validate import has_errors, validate_map

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"
SOURCE = "broken.yaml"


def _id(value: object) -> str | None:
    """Readable test ids for YAML snippets (no newlines)."""
    return " ".join(value.split())[:60] or "empty" if isinstance(value, str) else None



def problems_of(text: str, catalogue=None) -> list[Problem]:  # noqa: ANN001 - Catalogue | None
    return validate_map(parse_map(text, SOURCE), catalogue)


def _check_line(text: str, line: int, snippet: str) -> None:
    """Guard against a miscount in the test itself: line `line` of the YAML really is `snippet`."""
    actual = text.splitlines()[line - 1].strip()
    assert actual.startswith(snippet), f"test miscounted: line {line} is {actual!r}, not {snippet!r}"


def find(problems: list[Problem], severity: str, fragment: str) -> list[Problem]:
    hits = [p for p in problems if p.severity == severity and fragment in p.message]
    assert hits, f"no {severity} containing {fragment!r} in:\n" + "\n".join(map(str, problems))
    return hits


def assert_reported(text: str, severity: str, fragment: str, where: str, line: int, snippet: str,
                    catalogue=None) -> Problem:  # noqa: ANN001
    """One problem of this severity and message names the file, the step/route and the line."""
    _check_line(text, line, snippet)
    hits = find(problems_of(text, catalogue), severity, fragment)
    at_line = [p for p in hits if p.line == line]
    assert at_line, f"{fragment!r} reported at lines {[p.line for p in hits]}, expected {line}"
    p = at_line[0]
    assert p.source == SOURCE
    assert where in p.where, f"where={p.where!r}, expected it to name {where!r}"
    assert str(p).startswith(f"{SOURCE}, line {line}: {severity} ("), str(p)
    assert where in str(p) and fragment in str(p)
    return p


# ------------------------------------------------------------------------------------------ a valid map

VALID = """\
name: Valid
roles:
  - id: agent
    name: Agent
  - id: office
    name: Office
entry: answer
steps:
  - id: answer
    role: agent
    touch: 5
    routes:
      - to: fix
        otherwise: true
  - id: fix
    role: office
    touch: 10
    wait: 2
"""


def test_a_valid_map_has_no_problems_at_all() -> None:
    problems = problems_of(VALID)
    assert problems == []
    assert not has_errors(problems)


def test_has_errors_is_about_errors_only() -> None:
    assert has_errors([Problem("warning", "w"), Problem("error", "e")])
    assert not has_errors([Problem("warning", "w")])
    assert not has_errors([])


# ------------------------------------------------------------------------------------------ errors

DUP_STEPS = """\
name: Duplicate steps
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - to: resolved
        otherwise: true
  - id: a
    role: agent
    touch: 3
"""


def test_duplicate_step_ids_are_reported_at_both_steps() -> None:
    for line in (6, 12):
        assert_reported(DUP_STEPS, "error", "step id 'a' is used 2 times", "step 'a'", line, "- id: a")
    assert len(find(problems_of(DUP_STEPS), "error", "is used 2 times")) == 2


DUP_ROLES = """\
name: Duplicate roles
roles:
  - id: agent
    name: Agent
  - id: agent
    name: Agent again
entry: a
steps:
  - id: a
    role: agent
    touch: 5
"""


def test_duplicate_role_ids_are_reported_at_both_roles() -> None:
    for line in (3, 5):
        assert_reported(DUP_ROLES, "error", "role id 'agent' is used 2 times", "role 'agent'", line,
                        "- id: agent")


ROUTE_UNKNOWN = """\
name: Route to nowhere
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - to: resolved
        types: [Report a leak]
      - to: nowhere
        otherwise: true
"""


def test_route_to_an_unknown_step() -> None:
    p = assert_reported(ROUTE_UNKNOWN, "error", "goes to 'nowhere', which is not a step", "route 2 of step 'a'",
                        12, "- to: nowhere")
    assert "to 'nowhere'" in p.where
    # the route to `resolved` above it is fine: exactly one error
    assert [q.message for q in problems_of(ROUTE_UNKNOWN) if q.severity == "error"] == [p.message]


ENTRY_UNKNOWN = """\
name: Bad entry
roles:
  - id: agent
entry: start
steps:
  - id: a
    role: agent
    touch: 5
"""


def test_unknown_default_entry_step() -> None:
    assert_reported(ENTRY_UNKNOWN, "error", "entry step 'start' is not a step", "entry", 4, "entry: start")


ENTRY_TOUCHPOINT_UNKNOWN = """\
name: Bad touchpoint entry
roles:
  - id: agent
entry:
  default: a
  touchpoints:
    Phone: a
    Email: read_email
steps:
  - id: a
    role: agent
    touch: 5
"""


def test_unknown_entry_step_for_a_touchpoint_names_the_touchpoint_line() -> None:
    assert_reported(ENTRY_TOUCHPOINT_UNKNOWN, "error", "touchpoint 'Email' goes to 'read_email'", "entry", 8,
                    "Email: read_email")
    # the default and the Phone entry are fine
    assert len([p for p in problems_of(ENTRY_TOUCHPOINT_UNKNOWN) if p.severity == "error"]) == 1


UNREACHABLE = """\
name: Unreachable
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
  - id: orphan
    role: agent
    touch: 5
"""


def test_step_no_demand_can_reach() -> None:
    assert_reported(UNREACHABLE, "error", "no demand can reach this step", "step 'orphan'", 9, "- id: orphan")
    assert len(find(problems_of(UNREACHABLE), "error", "no demand can reach")) == 1  # not 'a'


REACHED_BY_REWORK_ONLY = """\
name: Reached only by rework
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    complete_and_accurate: 90
    not_accurate: {rework: redo}
  - id: redo
    role: agent
    touch: 5
    routes:
      - to: resolved
        otherwise: true
"""


def test_a_step_reached_only_by_rework_is_reachable() -> None:
    assert problems_of(REACHED_BY_REWORK_ONLY) == []




def test_a_loop_with_no_exit_is_reported_at_every_step_in_it() -> None:
    assert_reported(LOOP, "error", "no route from this step ever ends the demand", "step 'a'", 6, "- id: a")
    assert_reported(LOOP, "error", "no route from this step ever ends the demand", "step 'b'", 12, "- id: b")


def _prob_map(p: str) -> str:
    return f"""\
name: Probability
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - to: b
        probability: {p}
      - to: resolved
        otherwise: true
  - id: b
    role: agent
    touch: 5
"""


@pytest.mark.parametrize("p", ["1.5", "-0.2"])
def test_probability_outside_0_to_1(p: str) -> None:
    assert_reported(_prob_map(p), "error", f"probability must be between 0 and 1 (is {p})",
                    "route 1 of step 'a'", 10, "- to: b")


SPLIT_OVER = """\
name: Split over 1
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - to: b
        probability: 0.6
      - to: c
        probability: 0.5
      - to: resolved
        otherwise: true
  - id: b
    role: agent
    touch: 5
  - id: c
    role: agent
    touch: 5
"""


def test_a_split_summing_over_1() -> None:
    assert_reported(SPLIT_OVER, "error", "add up to 1.1, more than 1", "route 1 of step 'a'", 10, "- to: b")
    # each probability on its own is fine
    assert not [p for p in problems_of(SPLIT_OVER) if "between 0 and 1" in p.message]


SPLIT_UNDER = """\
name: Split under 1
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - to: b
        probability: 0.3
      - to: c
        probability: 0.5
  - id: b
    role: agent
    touch: 5
  - id: c
    role: agent
    touch: 5
"""


def test_a_split_summing_under_1_with_no_otherwise_below() -> None:
    p = assert_reported(SPLIT_UNDER, "error", "add up to 0.8 and no 'otherwise' route below", "route 1 of step 'a'",
                        10, "- to: b")
    assert "20%" in p.message  # the share with nowhere to go


def test_a_split_under_1_with_an_otherwise_below_is_fine() -> None:
    fixed = SPLIT_UNDER.replace("        probability: 0.5\n",
                                "        probability: 0.5\n      - to: resolved\n        otherwise: true\n")
    assert problems_of(fixed) == []


def _step_map(fields: str) -> str:
    """One step `a` (line 6) with the given extra lines."""
    return f"""\
name: One step
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
{fields}"""


@pytest.mark.parametrize(("fields", "fragment"), [
    ("    touch: -3\n", "touch time cannot be negative"),
    ("    touch: 5\n    wait: -1\n", "wait cannot be negative"),
    ("    touch: {min: -2, likely: 4, max: 6}\n", "touch time cannot be negative"),
    ("    touch: 5\n    wait: {min: -1, likely: 2, max: 3}\n", "wait cannot be negative"),
], ids=_id)
def test_negative_times(fields: str, fragment: str) -> None:
    assert_reported(_step_map(fields), "error", fragment, "step 'a'", 6, "- id: a")


def test_missing_touch_time() -> None:
    assert_reported(_step_map("    wait: 1\n"), "error", "touch time is missing", "step 'a'", 6, "- id: a")


@pytest.mark.parametrize(("fields", "fragment"), [
    ("    touch: {min: 10, max: 2}\n", "touch time: min ≤ likely ≤ max does not hold (10, 6, 2)"),
    ("    touch: {min: 5, likely: 3, max: 8}\n", "touch time: min ≤ likely ≤ max does not hold (5, 3, 8)"),
    ("    touch: 5\n    wait: {min: 3, likely: 1, max: 5}\n", "wait: min ≤ likely ≤ max does not hold (3, 1, 5)"),
], ids=_id)
def test_min_above_max(fields: str, fragment: str) -> None:
    assert_reported(_step_map(fields), "error", fragment, "step 'a'", 6, "- id: a")


@pytest.mark.parametrize("cna", ["120", "-5"])
def test_complete_and_accurate_outside_0_to_100(cna: str) -> None:
    text = _step_map(f"    touch: 5\n    complete_and_accurate: {cna}\n    not_accurate: {{recall: Nobody turned up}}\n")
    assert_reported(text, "error", f"complete_and_accurate must be a percentage 0–100 (is {cna})", "step 'a'", 6,
                    "- id: a")


@pytest.mark.parametrize("cna", ["0", "100", "55.5"])
def test_complete_and_accurate_inside_0_to_100_is_fine(cna: str) -> None:
    text = _step_map(f"    touch: 5\n    complete_and_accurate: {cna}\n    not_accurate: {{recall: Nobody turned up}}\n")
    assert not [p for p in problems_of(text) if "complete_and_accurate" in p.message]


def test_unknown_role() -> None:
    text = _step_map("    touch: 5\n").replace("    role: agent\n", "    role: boss\n")
    assert_reported(text, "error", "role 'boss' is not one of the map's roles (agent)", "step 'a'", 6, "- id: a")


def test_step_without_a_role() -> None:
    text = _step_map("    touch: 5\n").replace("    role: agent\n", "")
    assert_reported(text, "error", "no role", "step 'a'", 6, "- id: a")


def test_rework_to_an_unknown_step() -> None:
    text = _step_map("    touch: 5\n    complete_and_accurate: 80\n    not_accurate: {rework: redo}\n")
    assert_reported(text, "error", "rework goes to 'redo', which is not a step", "step 'a'", 6, "- id: a")


RESOLVED_ID = """\
name: Resolved as a step
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - to: resolved
        otherwise: true
  - id: resolved
    role: agent
    touch: 1
"""


def test_resolved_used_as_a_step_id() -> None:
    assert_reported(RESOLVED_ID, "error", "'resolved' is reserved", "step 'resolved'", 12, "- id: resolved")


INVALID_IDS = """\
name: Invalid ids
roles:
  - id: front desk
entry: fix it
steps:
  - id: fix it
    role: front desk
    touch: 5
"""


def test_invalid_step_and_role_ids() -> None:
    assert_reported(INVALID_IDS, "error", "step id 'fix it' may only use letters, digits", "step 'fix it'", 6,
                    "- id: fix it")
    assert_reported(INVALID_IDS, "error", "role id 'front desk' may only use letters, digits", "role 'front desk'",
                    3, "- id: front desk")


MISSING_IDS = """\
name: Missing ids
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - to: resolved
        otherwise: true
  - name: A step nobody named
    role: agent
    touch: 5
"""


def test_a_step_without_an_id() -> None:
    assert_reported(MISSING_IDS, "error", "a step has no id", "step", 12, "- name: A step nobody named")


CHASES = """\
name: Chases
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    wait: 10
failure_demand:
  - name: Zero
    kind: chase
    every_days: 0
    probability: 0.5
    demand_type: Chasing a repair
  - name: No type
    every_days: 5
    probability: 0.5
  - name: Bad step
    every_days: 5
    probability: 0.5
    demand_type: Chasing a repair
    steps: [a, ghost]
  - name: Too likely
    every_days: 5
    probability: 1.5
    demand_type: Chasing a repair
  - name: Negative
    every_days: -5
    probability: 0.5
    demand_type: Chasing a repair
"""


@pytest.mark.parametrize(("fragment", "where", "line", "snippet"), [
    ("every_days must be more than 0", "failure demand rule 1 ('Zero')", 11, "- name: Zero"),
    ("demand_type is missing", "failure demand rule 2 ('No type')", 16, "- name: No type"),
    ("step 'ghost' is not a step of this map", "failure demand rule 3 ('Bad step')", 19, "- name: Bad step"),
    ("probability must be between 0 and 1 (is 1.5)", "failure demand rule 4 ('Too likely')", 24,
     "- name: Too likely"),
    ("every_days must be more than 0", "failure demand rule 5 ('Negative')", 28, "- name: Negative"),
])
def test_chase_rule_errors(fragment: str, where: str, line: int, snippet: str) -> None:
    assert_reported(CHASES, "error", fragment, where, line, snippet)


def test_chase_rule_errors_are_exactly_those() -> None:
    errors = [p for p in problems_of(CHASES) if p.severity == "error"]
    assert sorted(p.line for p in errors) == [11, 16, 19, 24, 28]


# ------------------------------------------------------------------------------------------ warnings

TYPES = """\
name: Types
catalogue: catalogues/housing_repairs_catalogue.yaml
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    complete_and_accurate: 90
    not_accurate: {recall: Nobody came round}
    routes:
      - to: resolved
        types: [report  a LEAK, Report a leek]
      - to: resolved
        nature: failure
        cause: not our fault
      - to: resolved
        otherwise: true
failure_demand:
  - name: Chasers
    every_days: 5
    probability: 0.5
    demand_type: Chasing the council
"""


@pytest.mark.parametrize(("fragment", "where", "line", "snippet"), [
    ("demand type 'Report a leek' is not in the catalogue", "route 1 of step 'a'", 13, "- to: resolved"),
    ("no catalogue type has the cause 'not our fault'", "route 2 of step 'a'", 15, "- to: resolved"),
    ("recall demand type 'Nobody came round' is not in the catalogue", "step 'a'", 7, "- id: a"),
    ("demand type 'Chasing the council' is not in the catalogue", "failure demand rule 1", 21, "- name: Chasers"),
])
def test_demand_types_unknown_to_the_catalogue(fragment: str, where: str, line: int, snippet: str) -> None:
    catalogue = load_catalogue(SAMPLE_CATALOGUE)
    assert_reported(TYPES, "warning", fragment, where, line, snippet, catalogue)


def test_catalogue_types_match_ignoring_case_and_spaces_and_are_warnings_only() -> None:
    problems = problems_of(TYPES, load_catalogue(SAMPLE_CATALOGUE))
    assert not has_errors(problems)
    assert not [p for p in problems if "LEAK" in p.message or "Report a leak" in p.message]
    assert len(problems) == 4
    # without a catalogue, types are not checked at all
    assert problems_of(TYPES) == []


def test_nature_with_no_types_in_a_small_catalogue() -> None:
    small = parse_catalogue("types:\n  - type: Report a leak\n    nature: value\n", "small.yaml")
    text = TYPES.replace("        cause: not our fault\n", "")
    p = assert_reported(text, "warning", "the catalogue has no failure demand types", "route 2 of step 'a'", 15,
                        "- to: resolved", small)
    assert p.severity == "warning"


NO_OTHERWISE = """\
name: No otherwise
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - to: b
        types: [Report a leak]
  - id: b
    role: agent
    touch: 5
"""


def test_a_step_without_an_otherwise_route() -> None:
    assert_reported(NO_OTHERWISE, "warning", "no 'otherwise' route", "step 'a'", 6, "- id: a")
    assert not has_errors(problems_of(NO_OTHERWISE))


AFTER_TAKES_ALL = """\
name: After everything
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - to: resolved
        otherwise: true
      - to: b
        types: [Report a leak]
  - id: b
    role: agent
    touch: 5
"""


def test_a_route_after_a_route_that_takes_everything() -> None:
    assert_reported(AFTER_TAKES_ALL, "warning", "no demand reaches this route", "route 2 of step 'a' (to 'b')", 12,
                    "- to: b")


def test_a_full_split_takes_everything_too() -> None:
    text = AFTER_TAKES_ALL.replace("        otherwise: true\n", "        probability: 1\n")
    assert_reported(text, "warning", "no demand reaches this route", "route 2 of step 'a' (to 'b')", 12, "- to: b")


def test_complete_and_accurate_below_100_without_not_accurate() -> None:
    text = _step_map("    touch: 5\n    complete_and_accurate: 80\n")
    p = assert_reported(text, "warning", "complete_and_accurate is below 100 but not_accurate", "step 'a'", 6,
                        "- id: a")
    assert not has_errors(problems_of(text))
    assert p.severity == "warning"


def test_errors_come_before_warnings() -> None:
    text = NO_OTHERWISE.replace("  - id: b\n", "  - id: b\n    wait: -1\n")
    problems = problems_of(text)
    severities = [p.severity for p in problems]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert "error" in severities and "warning" in severities


# ------------------------------------------------------------------------------------------ not-numbers

@pytest.mark.parametrize(("fields", "fragment", "line", "snippet"), [
    ("    touch: abc\n", "touch should be a number, not 'abc'", 8, "touch: abc"),
    ("    touch:\n      min: x\n      likely: 5\n", "touch min should be a number, not 'x'", 9, "min: x"),
    ("    touch: 5\n    wait: soon\n", "wait should be a number, not 'soon'", 9, "wait: soon"),
    ("    touch: 5\n    complete_and_accurate: lots\n", "complete_and_accurate should be a number, not 'lots'", 9,
     "complete_and_accurate: lots"),
    ("    touch: 5\n    routes:\n      - to: resolved\n        probability: high\n",
     "probability should be a number, not 'high'", 11, "probability: high"),
    ("    touch: {likely: 5, unit: fortnights}\n", "touch unit 'fortnights' is not one of minutes, hours, days", 8,
     "touch: {likely: 5"),
], ids=_id)
def test_values_that_are_not_numbers_become_problems_with_a_line(fields: str, fragment: str, line: int,
                                                                 snippet: str) -> None:
    text = _step_map(fields)
    m = parse_map(text, SOURCE)  # no exception
    assert isinstance(m, ProcessMap)
    _check_line(text, line, snippet)
    hits = [p for p in m.problems if fragment in p.message]
    assert hits and hits[0].line == line and hits[0].severity == "error", m.problems
    assert hits[0].where == "step 'a'" or "of step 'a'" in hits[0].where
    # validation keeps the reading problems
    assert fragment in "\n".join(str(p) for p in validate_map(m))
    assert f"{SOURCE}, line {line}" in "\n".join(str(p) for p in validate_map(m) if fragment in p.message)


def test_role_and_chase_numbers_that_are_not_numbers() -> None:
    text = """\
name: Words
roles:
  - id: agent
    staff: many
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    wait: 10
failure_demand:
  - every_days: often
    probability: 0.5
    demand_type: Chasing a repair
"""
    m = parse_map(text, SOURCE)
    staff = find(m.problems, "error", "staff should be a number, not 'many'")[0]
    every = find(m.problems, "error", "every_days should be a number, not 'often'")[0]
    _check_line(text, 4, "staff: many")
    _check_line(text, 12, "- every_days: often")
    assert (staff.line, staff.where) == (4, "role 'agent'")
    assert (every.line, every.where) == (12, "failure demand rule 1")


# ------------------------------------------------------------------------------------------ opening files

MANY_ERRORS = """\
# A map full of mistakes
name: Many errors
roles:
  - id: agent
entry: start
steps:
  - id: a
    role: boss
    touch: -3
    wait: {min: 10, max: 2}
    complete_and_accurate: 120
    not_accurate: {rework: redo}
    routes:
      - to: nowhere
        probability: 1.5
      - to: resolved
        otherwise: true
"""


def test_a_map_with_errors_still_opens_and_nothing_is_fixed_silently() -> None:
    m = parse_map(MANY_ERRORS, SOURCE)
    assert isinstance(m, ProcessMap)
    problems = validate_map(m)
    assert has_errors(problems)
    s = m.steps[0]
    assert (s.role, s.touch.likely, s.wait.min, s.wait.max) == ("boss", -3, 10, 2)
    assert (s.complete_and_accurate, s.rework_to, m.entry_default) == (120, "redo", "start")
    assert (s.routes[0].to, s.routes[0].probability) == ("nowhere", 1.5)
    saved = yaml.safe_load(to_yaml(m))
    step = saved["steps"][0]
    assert saved["entry"] == "start"
    assert step["role"] == "boss"
    assert step["touch"] == -3
    assert step["wait"] == {"min": 10, "max": 2}
    assert step["complete_and_accurate"] == 120
    assert step["not_accurate"] == {"rework": "redo"}
    assert step["routes"][0] == {"to": "nowhere", "probability": 1.5}
    # the same errors (message and place) come back after saving and opening again
    again = validate_map(parse_map(to_yaml(m), SOURCE))

    def key(ps: list[Problem]) -> list[tuple[str, str, str]]:
        return sorted((p.severity, p.where, p.message) for p in ps)

    assert key(again) == key(problems)


def test_a_missing_touch_time_is_still_missing_after_saving() -> None:
    """Saving must not invent `touch: 0` for a step whose touch time nobody gave (that would silently turn
    the 'touch time is missing' error into a valid map)."""
    text = _step_map("    wait: 1\n")
    m = parse_map(text, SOURCE)
    assert find(validate_map(m), "error", "touch time is missing")
    reopened = parse_map(to_yaml(m), SOURCE)
    assert find(validate_map(reopened), "error", "touch time is missing")


@pytest.mark.parametrize(("fields", "fragment"), [
    ("    touch: abc\n", "touch should be a number, not 'abc'"),
    ("    touch: 5\n    complete_and_accurate: lots\n", "complete_and_accurate should be a number, not 'lots'"),
    ("    touch: 5\n    routes:\n      - to: resolved\n        probability: high\n      - to: resolved\n"
     "        otherwise: true\n", "probability should be a number, not 'high'"),
], ids=_id)
def test_a_value_that_is_not_a_number_is_still_reported_after_saving(fields: str, fragment: str) -> None:
    """The module promises that what cannot be understood is kept as typed: saving must not replace it by a
    default (touch 0, 100% right, a route with no probability), which would turn an error into a valid map
    that means something else."""
    m = parse_map(_step_map(fields), SOURCE)
    assert find(validate_map(m), "error", fragment)
    reopened = parse_map(to_yaml(m), SOURCE)
    assert find(validate_map(reopened), "error", fragment)


def test_invalid_yaml_raises_map_file_error_with_the_line() -> None:
    text = "name: Bad\nroles:\n  - id: agent: boss\nentry: a\n"
    with pytest.raises(MapFileError) as info:
        parse_map(text, SOURCE)
    assert str(info.value).startswith(f"{SOURCE}, line 3: not valid YAML")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just words\n", "", "42\n"], ids=_id)
def test_a_document_that_is_not_a_mapping_raises_map_file_error(text: str) -> None:
    with pytest.raises(MapFileError, match=f"^{SOURCE}: a process map must be a YAML mapping"):
        parse_map(text, SOURCE)


def test_an_empty_mapping_opens_and_says_what_is_missing() -> None:
    m = parse_map("name: Empty\n", SOURCE)
    messages = [p.message for p in validate_map(m)]
    assert any("no roles" in msg for msg in messages)
    assert any("no steps" in msg for msg in messages)
    assert any("no entry step" in msg for msg in messages)


def test_load_map_names_the_file_in_every_message(tmp_path: Path) -> None:
    path = tmp_path / "my-design.yaml"
    path.write_text(ROUTE_UNKNOWN, encoding="utf-8")
    m = load_map(path)
    assert m.source == "my-design.yaml"
    problems = validate_map(m)
    assert problems and all(str(p).startswith("my-design.yaml, line ") for p in problems)
    with pytest.raises(MapFileError, match="^missing.yaml: file not found"):
        load_map(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(MapFileError, match=r"^bad.yaml, line \d+: not valid YAML"):
        load_map(tmp_path / "bad.yaml")
