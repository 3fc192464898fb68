"""The exact expected-value engine (and the routing it uses), checked against answers worked out by hand in
the comments. Nothing here asks the engine for an expected value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from flow_fixtures import LOOP

from workbench import schema
from workbench.demand.catalogue import load_catalogue
from workbench.demand.load import load_demand
from workbench.flow.expected import (
    FlowError,
    demand_mix,
    expect,
    expect_mix,
    is_handoff,
    mix_from_catalogue,
)
from workbench.flow.model import RESOLVED, ProcessMap, Route, Step, parse_map
from workbench.flow.routing import UNROUTED, DemandKind, next_steps, split_groups
from workbench.flow.validate import has_errors, validate_map

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"
DAY = 1440.0
approx = pytest.approx


def valid_map(text: str) -> ProcessMap:
    """A test map, checked to be free of errors so the numbers below are about a sane map."""
    m = parse_map(text, "test.yaml")
    problems = validate_map(m)
    assert not has_errors(problems), "\n".join(map(str, problems))
    return m


PHONE = DemandKind("Report a leak", "value", "", "Phone")


# ------------------------------------------------------------------------------------------ routing


def test_split_groups_joins_adjacent_probabilities_with_the_same_conditions() -> None:
    routes = [Route("a", probability=0.2), Route("b", probability=0.3),          # one split
              Route("c", types=["X"], probability=0.5),                           # other conditions
              Route("d", types=["x"], probability=0.5),                           # same (case ignored)
              Route("e", types=["Y"]),                                            # no probability
              Route("f", otherwise=True)]
    assert [[r.to for r in g] for g in split_groups(routes)] == [["a", "b"], ["c", "d"], ["e"], ["f"]]


def test_next_steps_probabilities_by_hand() -> None:
    step = Step("s", routes=[Route("x", types=["Leak"], probability=0.5), Route("y", probability=0.2),
                             Route("z", otherwise=True)])
    # a leak: 0.5 to x; the other 0.5 carries on: 0.2 of it to y (0.1), the rest (0.4) to z
    leak = {d: p for d, p, _ in next_steps(step, DemandKind("leak"))}
    assert leak == approx({"x": 0.5, "y": 0.1, "z": 0.4})
    # anything else skips x: 0.2 to y, 0.8 to z
    other = {d: p for d, p, _ in next_steps(step, DemandKind("Other"))}
    assert other == approx({"y": 0.2, "z": 0.8})
    # no routes: resolved
    assert next_steps(Step("end"), DemandKind()) == [(RESOLVED, 1.0, None)]
    # no route takes it: unrouted
    only = Step("s", routes=[Route("x", touchpoints=["Email"])])
    assert [(d, p) for d, p, _ in next_steps(only, DemandKind(touchpoint="Phone"))] == [(UNROUTED, 1.0)]


def test_routes_match_nature_cause_and_touchpoint() -> None:
    step = Step("s", routes=[Route("fd", nature="failure", cause="Progress chasing"),
                             Route("web", touchpoints=["Web form"]), Route("rest", otherwise=True)])
    assert next_steps(step, DemandKind("Chasing", "failure", "progress  chasing", "Phone"))[0][0] == "fd"
    assert next_steps(step, DemandKind("Nobody came", "failure", "not done", " web FORM"))[0][0] == "web"
    assert next_steps(step, DemandKind("Leak", "value", "", "Phone"))[0][0] == "rest"


def test_is_handoff() -> None:
    agent, office = Step("a", role="agent"), Step("b", role="office")
    assert is_handoff(agent, office) and is_handoff(office, agent)
    assert not is_handoff(agent, Step("c", role="agent"))
    assert not is_handoff(agent, Step("p", role="office", pulled=True))
    assert not is_handoff(Step("p", role="office", pulled=True), agent)


# ------------------------------------------------------------------------------------------ (a) a line

LINE = """\
name: Line
roles:
  - id: agent
  - id: office
entry: answer
steps:
  - id: answer
    role: agent
    touch: 6
    routes:
      - to: check
        otherwise: true
  - id: check
    role: office
    work: check
    touch: 10
    wait: 2
    routes:
      - to: fix
        otherwise: true
  - id: fix
    role: office
    touch: {min: 2, likely: 5, max: 8}
    wait: {min: 0, likely: 1, max: 2}
"""


def test_a_straight_line_of_three_steps() -> None:
    e = expect(valid_map(LINE), PHONE)
    # every demand visits each step once
    assert e.steps == approx(3)
    # answer and fix are value work, check is waste: 2 of 3
    assert e.value_steps == approx(2)
    assert e.value_step_share == approx(2 / 3)
    # agent -> office is a hand-off; office -> office is not
    assert e.handoffs == approx(1)
    # touch: 6 + 10 + (2+5+8)/3 = 21 minutes; wait: 0 + 2 + (0+1+2)/3 = 3 days
    assert e.touch_minutes == approx(21)
    assert e.wait_days == approx(3)
    # e2e = waits + touch / 1440 = 3 + 21/1440 days
    assert e.end_to_end_days == approx(3 + 21 / DAY)
    # flow efficiency = touch / e2e = 21 / (3*1440 + 21)
    assert e.flow_efficiency == approx(21 / 4341)
    assert (e.one_stop, e.rework, e.recalls, e.chases, e.failure_demand, e.unrouted) == approx((0, 0, 0, 0, 0, 0))
    assert (e.demand_type, e.touchpoint, e.nature) == ("Report a leak", "Phone", "value")


# ------------------------------------------------------------------------------------------ (b) branches

BRANCH = """\
name: Branch
roles:
  - id: agent
  - id: office
entry: answer
steps:
  - id: answer
    role: agent
    touch: 5
    routes:
      - to: office_fix
        probability: 0.3
      - to: agent_fix
        {second}
  - id: office_fix
    role: office
    touch: 20
    wait: 4
  - id: agent_fix
    role: agent
    touch: 10
"""


@pytest.mark.parametrize("second", ["otherwise: true", "probability: 0.7"])
def test_a_branch_by_probability(second: str) -> None:
    e = expect(valid_map(BRANCH.replace("{second}", second)), PHONE)
    # two steps whichever branch
    assert e.steps == approx(2)
    # touch 5 + 0.3*20 + 0.7*10 = 18; wait 0.3*4 = 1.2 days
    assert e.touch_minutes == approx(18)
    assert e.wait_days == approx(1.2)
    assert e.end_to_end_days == approx(1.2 + 18 / DAY)
    assert e.flow_efficiency == approx(18 / (1.2 * DAY + 18))
    # only the 0.3 to the office is a hand-off
    assert e.handoffs == approx(0.3)
    # the 0.7 that stays with the agent (no wait) is met at one stop
    assert e.one_stop == approx(0.7)
    assert e.unrouted == approx(0)


BY_TYPE = """\
name: By type
roles:
  - id: agent
  - id: office
entry:
  default: answer
  touchpoints:
    Email: read
steps:
  - id: read
    role: office
    work: re-key
    touch: 3
    wait: 1
    routes:
      - to: answer
        otherwise: true
  - id: answer
    role: agent
    touch: 5
    routes:
      - to: office_fix
        types: [Report a leak]
      - to: resolved
        nature: failure
        cause: progress chasing
      - to: office_fix
        touchpoints: [Web form]
      - to: agent_fix
        otherwise: true
  - id: office_fix
    role: office
    touch: 20
    wait: 4
  - id: agent_fix
    role: agent
    touch: 10
"""


@pytest.mark.parametrize(("kind", "steps", "touch", "wait", "handoffs", "one_stop", "value_share"), [
    # phone leak: answer (5) -> office_fix (20, wait 4): 1 hand-off
    (DemandKind("Report a leak", "value", "", "Phone"), 2, 25, 4, 1, 0, 1),
    # the type matches ignoring case and spaces
    (DemandKind(" report  a LEAK ", "value", "", "Phone"), 2, 25, 4, 1, 0, 1),
    # emailed leak: read (3, wait 1, re-key) -> answer (5) -> office_fix (20, wait 4): 2 hand-offs, 2 of 3 value
    (DemandKind("Report a leak", "value", "", "Email"), 3, 28, 5, 2, 0, 2 / 3),
    # a chaser by phone: ended at answer: one stop
    (DemandKind("Chasing a repair", "failure", "progress chasing", "Phone"), 1, 5, 0, 0, 1, 1),
    # a chaser by email: read -> answer -> resolved: a hand-off, and a wait: not one stop
    (DemandKind("Chasing a repair", "failure", "progress chasing", "Email"), 2, 8, 1, 1, 0, 1 / 2),
    # other failure demand: answer -> agent_fix, same role, no wait: one stop
    (DemandKind("Nobody turned up", "failure", "not done", "Phone"), 2, 15, 0, 0, 1, 1),
    # other types from a web form: the touchpoint route to the office
    (DemandKind("Book a gas safety check", "value", "", "Web form"), 2, 25, 4, 1, 0, 1),
    # ... and by phone: the agent fixes it
    (DemandKind("Book a gas safety check", "value", "", "Phone"), 2, 15, 0, 0, 1, 1),
])
def test_branches_by_demand_type_nature_cause_and_touchpoint(kind: DemandKind, steps: float, touch: float,
                                                             wait: float, handoffs: float, one_stop: float,
                                                             value_share: float) -> None:
    e = expect(valid_map(BY_TYPE), kind)
    assert (e.steps, e.touch_minutes, e.wait_days, e.handoffs, e.one_stop, e.value_step_share) == approx(
        (steps, touch, wait, handoffs, one_stop, value_share))
    assert e.end_to_end_days == approx(wait + touch / DAY)


def test_an_entry_step_unknown_for_the_touchpoint_raises_flow_error() -> None:
    m = parse_map(BY_TYPE.replace("    Email: read\n", "    Email: inbox\n"), "test.yaml")
    with pytest.raises(FlowError, match="inbox"):
        expect(m, DemandKind("Report a leak", "value", "", "Email"))
    assert expect(m, PHONE).steps == approx(2)  # other touchpoints still work


# ------------------------------------------------------------------------------------------ (c) rework

REWORK = """\
name: Rework
roles:
  - id: agent
  - id: office
entry: answer
steps:
  - id: answer
    role: agent
    touch: 5
    routes:
      - to: process
        otherwise: true
  - id: process
    role: office
    touch: 10
    wait: 2
    complete_and_accurate: 80
    not_accurate: {rework: answer}
"""


def test_rework_via_not_accurate() -> None:
    e = expect(valid_map(REWORK), PHONE)
    # visits: v_answer = 1 + 0.2 v_process, v_process = v_answer  =>  v = 1 / 0.8 = 1.25 each
    assert e.steps == approx(2.5)
    # the wrong 20% of 1.25 process visits go back: 0.25 rework moves
    assert e.rework == approx(0.25)
    # hand-offs: answer -> process on each of 1.25 visits, plus process -> answer 0.25 times = 1.5
    assert e.handoffs == approx(1.5)
    # touch 1.25 * (5 + 10) = 18.75; the 2-day wait is waited again on every visit: 1.25 * 2 = 2.5 days
    assert e.touch_minutes == approx(18.75)
    assert e.wait_days == approx(2.5)
    assert e.end_to_end_days == approx(2.5 + 18.75 / DAY)
    assert e.one_stop == approx(0)
    assert e.recalls == approx(0)


def test_rework_at_the_same_step() -> None:
    e = expect(valid_map(REWORK.replace("{rework: answer}", "{rework: process}")), PHONE)
    # answer once; process 1 / 0.8 = 1.25 times
    assert e.steps == approx(2.25)
    assert e.rework == approx(0.25)
    # office -> office is no hand-off: only answer -> process
    assert e.handoffs == approx(1)
    # touch 5 + 1.25 * 10 = 17.5; wait 1.25 * 2 = 2.5
    assert e.touch_minutes == approx(17.5)
    assert e.wait_days == approx(2.5)


REWORK_ROUTE = """\
name: Rework route
roles:
  - id: agent
  - id: office
entry: answer
steps:
  - id: answer
    role: agent
    touch: 5
    routes:
      - to: process
        otherwise: true
  - id: process
    role: office
    touch: 10
    wait: 2
    routes:
      - to: answer
        probability: 0.25
        rework: true
      - to: resolved
        otherwise: true
"""


def test_a_rework_route_back_to_an_earlier_step() -> None:
    e = expect(valid_map(REWORK_ROUTE), PHONE)
    # v = 1 / (1 - 0.25) = 4/3 visits of each step
    assert e.steps == approx(8 / 3)
    # 0.25 of 4/3 process visits go back: 1/3 rework
    assert e.rework == approx(1 / 3)
    # hand-offs: 4/3 forward + 1/3 back = 5/3
    assert e.handoffs == approx(5 / 3)
    # touch 4/3 * 15 = 20; wait 4/3 * 2 = 8/3 days
    assert e.touch_minutes == approx(20)
    assert e.wait_days == approx(8 / 3)


def test_a_route_back_without_the_rework_flag_is_not_counted_as_rework() -> None:
    e = expect(valid_map(REWORK_ROUTE.replace("        rework: true\n", "")), PHONE)
    assert e.steps == approx(8 / 3)
    assert e.rework == approx(0)


SELF_LOOP = """\
name: Try again
roles:
  - id: agent
entry: s
steps:
  - id: s
    role: agent
    touch: 5
    {extra}
    routes:
      - to: s
        probability: 0.5
        rework: true
      - to: resolved
        otherwise: true
"""


def test_one_stop_excludes_rework() -> None:
    e = expect(valid_map(SELF_LOOP.replace("{extra}", "work: value")), PHONE)
    # v = 1 / (1 - 0.5) = 2; half the demands are resolved the first time without rework
    assert e.steps == approx(2)
    assert e.rework == approx(1)
    assert e.one_stop == approx(0.5)
    assert e.handoffs == approx(0)


# ------------------------------------------------------------------------------------------ (d) recalls

ONE_STEP_RECALL = """\
name: Recall
roles:
  - id: agent
entry: s
steps:
  - id: s
    role: agent
    touch: 5
    complete_and_accurate: 90
    not_accurate: {recall: Nobody turned up}
"""


def test_a_recall_after_a_wrong_outcome() -> None:
    e = expect(valid_map(ONE_STEP_RECALL), PHONE)
    # one visit, 10% wrong: 0.1 recalls; the demand looks done, so one step
    assert e.steps == approx(1)
    assert e.recalls == approx(0.1)
    assert e.failure_demand == approx(0.1)
    # only the 90% that were right were met at one stop
    assert e.one_stop == approx(0.9)
    assert e.rework == approx(0)


def test_recalls_are_visits_times_the_wrong_share() -> None:
    text = SELF_LOOP.replace("{extra}", "complete_and_accurate: 70\n    not_accurate: {recall: Nobody turned up}")
    e = expect(valid_map(text), PHONE)
    # 2 visits (see test_one_stop_excludes_rework), 30% wrong each: 0.6 recalls
    assert e.steps == approx(2)
    assert e.recalls == approx(0.6)
    # one stop: resolved the first time (0.5) and right (0.7)
    assert e.one_stop == approx(0.35)


def test_a_recall_after_a_hand_off() -> None:
    text = LINE.replace("    wait: {min: 0, likely: 1, max: 2}\n",
                        "    wait: {min: 0, likely: 1, max: 2}\n    complete_and_accurate: 75\n"
                        "    not_accurate: {recall: Nobody turned up}\n")
    e = expect(valid_map(text), PHONE)
    assert e.recalls == approx(0.25)
    assert e.one_stop == approx(0)
    assert e.steps == approx(3)  # a recall is a new demand, not more steps of this one


# ------------------------------------------------------------------------------------------ (e) chases

CHASE = """\
name: Chase
roles:
  - id: agent
entry: a
steps:
  - id: a
    role: agent
    touch: 5
    routes:
      - to: b
        otherwise: true
  - id: b
    role: agent
    touch: 5
    wait: {wait}
failure_demand:
  - name: Chasers
    every_days: 5
    probability: 0.5
    demand_type: Chasing a repair
    {steps}
"""


def chase_map(wait: str, steps: str = "") -> ProcessMap:
    return valid_map(CHASE.replace("{wait}", wait).replace("{steps}", steps))


def test_chases_in_a_fixed_wait() -> None:
    e = expect(chase_map("12"), PHONE)
    # 12 days hold two full 5-day periods; each, the customer chases with p 0.5: 2 * 0.5 = 1
    assert e.chases == approx(1)
    assert e.failure_demand == approx(1)
    assert e.end_to_end_days == approx(12 + 10 / DAY)


@pytest.mark.parametrize(("wait", "chases"), [
    ("4.9", 0.0),                       # no full period
    ("5", 0.5),                         # exactly one
    ("10", 1.0),                        # exactly two
    ("{likely: 240, unit: hours}", 1.0),  # 240 hours = 10 days
    ("{likely: 11, unit: hours}", 0.0),
])
def test_chases_count_full_periods(wait: str, chases: float) -> None:
    assert expect(chase_map(wait), PHONE).chases == approx(chases)


def test_chases_in_a_triangular_wait() -> None:
    e = expect(chase_map("{min: 0, likely: 0, max: 10}"), PHONE)
    # triangular a=0, c=0, b=10: P(W >= 5) = (b - 5)^2 / ((b - a)(b - c)) = 25 / 100 = 0.25; P(W >= 10) = 0
    # expected chases = 0.5 * 0.25 = 0.125
    assert e.chases == approx(0.125)
    # mean wait (0 + 0 + 10) / 3
    assert e.wait_days == approx(10 / 3)


def test_chases_in_a_wait_rising_to_its_mode() -> None:
    e = expect(chase_map("{min: 0, likely: 10, max: 10}"), PHONE)
    # a=0, c=10, b=10: P(W >= 5) = 1 - 5^2 / ((b - a)(c - a)) = 1 - 25/100 = 0.75; P(W >= 10) = 0
    assert e.chases == approx(0.5 * 0.75)


def test_a_chase_rule_for_some_steps_only() -> None:
    # the rule only watches the wait before `a`, which is 0
    assert expect(chase_map("12", "steps: [a]"), PHONE).chases == approx(0)
    assert expect(chase_map("12", "steps: [b]"), PHONE).chases == approx(1)


def test_chases_are_repeated_on_every_visit() -> None:
    text = REWORK.replace("    wait: 2\n", "    wait: 6\n") + (
        "failure_demand:\n  - every_days: 5\n    probability: 0.4\n    demand_type: Chasing a repair\n")
    e = expect(valid_map(text), PHONE)
    # 1.25 visits of process, each with a 6-day wait: one full period, p 0.4: 1.25 * 0.4 = 0.5
    assert e.chases == approx(0.5)
    assert e.failure_demand == approx(0.5)


# ------------------------------------------------------------------------------------------ (f) one stop

ONE_STOP = """\
name: One stop
roles:
  - id: agent
  - id: specialist
entry: a
steps:
  - id: a
    role: agent
    touch: 10
    routes:
      - to: b
        otherwise: true
  - id: b
    role: {role}
    touch: 20
    wait: {wait}
    {pulled}
"""


def one_stop_map(role: str, wait: str, pulled: bool = False) -> ProcessMap:
    return valid_map(ONE_STOP.replace("{role}", role).replace("{wait}", wait)
                     .replace("{pulled}", "pulled: true" if pulled else ""))


def test_resolved_at_the_first_step_is_one_stop() -> None:
    e = expect(valid_map(ONE_STEP_RECALL.replace("complete_and_accurate: 90", "complete_and_accurate: 100")), PHONE)
    assert e.one_stop == approx(1)


def test_a_pulled_specialist_with_no_wait_keeps_one_stop() -> None:
    e = expect(one_stop_map("specialist", "0", pulled=True), PHONE)
    assert e.handoffs == approx(0)
    assert e.one_stop == approx(1)


def test_a_pulled_specialist_back_to_the_owner_keeps_one_stop() -> None:
    text = ONE_STOP.replace("{role}", "specialist").replace("{wait}", "0").replace("{pulled}", "pulled: true") + (
        "    routes:\n      - to: c\n        otherwise: true\n  - id: c\n    role: agent\n    touch: 5\n")
    e = expect(valid_map(text), PHONE)
    assert e.steps == approx(3)
    assert e.handoffs == approx(0)
    assert e.one_stop == approx(1)


def test_a_pulled_specialist_after_a_wait_is_not_one_stop() -> None:
    e = expect(one_stop_map("specialist", "1", pulled=True), PHONE)
    assert e.handoffs == approx(0)
    assert e.one_stop == approx(0)


def test_after_a_hand_off_it_is_not_one_stop() -> None:
    e = expect(one_stop_map("specialist", "0"), PHONE)
    assert e.handoffs == approx(1)
    assert e.one_stop == approx(0)


def test_the_same_role_after_a_wait_is_not_one_stop() -> None:
    e = expect(one_stop_map("agent", "0.5"), PHONE)
    assert e.handoffs == approx(0)
    assert e.one_stop == approx(0)
    # and with no wait it is
    assert expect(one_stop_map("agent", "0"), PHONE).one_stop == approx(1)


# ------------------------------------------------------------------------------------------ (g) no exit



def test_a_loop_with_no_exit_is_caught_by_validation_and_raises_flow_error() -> None:
    m = parse_map(LOOP, "loop.yaml")
    assert has_errors(validate_map(m))
    with pytest.raises(FlowError, match="loop.yaml"):
        expect(m, PHONE)


def test_a_loop_for_one_type_only_raises_flow_error() -> None:
    text = """\
name: Leaks go round
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
      - to: resolved
        otherwise: true
  - id: b
    role: agent
    touch: 5
    routes:
      - to: a
        otherwise: true
"""
    m = parse_map(text, "test.yaml")  # every step can end for some demand, but not for a leak:
    errors = [str(p) for p in validate_map(m) if p.severity == "error"]  # validation says so, naming the steps
    assert len(errors) == 1 and "type 'Report a leak'" in errors[0] and "'a', 'b'" in errors[0], errors
    with pytest.raises(FlowError, match="Report a leak"):
        expect(m, PHONE)
    assert expect(m, DemandKind("Other", "value", "", "Phone")).steps == approx(1)


def test_everything_sent_back_for_ever_raises_flow_error() -> None:
    m = parse_map(ONE_STEP_RECALL.replace("complete_and_accurate: 90", "complete_and_accurate: 0")
                  .replace("{recall: Nobody turned up}", "{rework: s}"), "zero.yaml")
    with pytest.raises(FlowError):
        expect(m, PHONE)


def test_demand_no_route_takes_is_counted_as_unrouted() -> None:
    text = BY_TYPE.replace("      - to: agent_fix\n        otherwise: true\n", "")
    m = parse_map(text, "test.yaml")
    e = expect(m, DemandKind("Book a gas safety check", "value", "", "Phone"))
    # answer takes none of it: all of it is unrouted after one step
    assert e.unrouted == approx(1)
    assert e.steps == approx(1)


# ------------------------------------------------------------------------------------------ (h) mixes

MIX_MAP = """\
name: Mix
roles:
  - id: agent
  - id: office
entry:
  default: answer
  touchpoints:
    Email: read
steps:
  - id: read
    role: office
    work: re-key
    touch: 4
    wait: 1
    routes:
      - to: answer
        otherwise: true
  - id: answer
    role: agent
    touch: 10
    routes:
      - to: resolved
        types: [Quick]
      - to: check
        otherwise: true
  - id: check
    role: office
    work: check
    touch: 20
    wait: 3
    routes:
      - to: fix
        otherwise: true
  - id: fix
    role: office
    touch: 30
    wait: 1
"""


def mix(*rows: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame([{schema.DEMAND_TYPE: t, schema.TOUCHPOINT: tp, "nature": "value", "cause": "", "count": n}
                         for t, tp, n in rows])


def test_expect_mix_totals_are_weighted_means() -> None:
    per_type, totals = expect_mix(valid_map(MIX_MAP), mix(("Quick", "Phone", 3), ("Slow", "Phone", 1)))
    # Quick (phone): answer only: 1 step, 1 value, touch 10, no wait, no hand-off, one stop
    # Slow (phone): answer -> check -> fix: 3 steps, 2 value, touch 60, wait 4, 1 hand-off, not one stop
    assert totals["demands"] == 4
    assert totals["steps"] == approx((3 * 1 + 1 * 3) / 4)          # 1.5
    assert totals["value_steps"] == approx((3 * 1 + 1 * 2) / 4)    # 1.25
    # share of the whole mix: 1.25 / 1.5 = 5/6, not the mean of the shares ((3*1 + 2/3) / 4 = 11/12)
    assert totals["value_step_share"] == approx(5 / 6)
    assert totals["handoffs"] == approx(0.25)
    assert totals["touch_minutes"] == approx((3 * 10 + 60) / 4)    # 22.5
    assert totals["wait_days"] == approx(1)
    assert totals["end_to_end_days"] == approx(1 + 22.5 / DAY)
    # flow efficiency of the mix: 22.5 / (1440 + 22.5)
    assert totals["flow_efficiency"] == approx(22.5 / 1462.5)
    assert totals["one_stop"] == approx(0.75)
    assert totals["failure_demand_per_100"] == approx(0)
    rows = per_type.set_index("demand_type")
    assert list(per_type["demand_type"]) == ["Quick", "Slow"]  # most common first
    assert rows.loc["Quick", "count"] == 3 and rows.loc["Slow", "count"] == 1
    assert rows.loc["Slow", "steps"] == approx(3)
    assert rows.loc["Slow", "value_step_share"] == approx(2 / 3)
    assert rows.loc["Slow", "flow_efficiency"] == approx(60 / (4 * DAY + 60))


def test_expect_mix_weights_touchpoints_within_a_type() -> None:
    per_type, totals = expect_mix(valid_map(MIX_MAP), mix(("Quick", "Phone", 3), ("Quick", "Email", 1)))
    # Quick by email: read (office, re-key, 4 min, wait 1) -> answer (agent, 10): 2 steps, 1 value, 1 hand-off
    (row,) = per_type.to_dict("records")
    assert row["count"] == 4
    assert row["steps"] == approx((3 * 1 + 1 * 2) / 4)                  # 1.25
    assert row["value_step_share"] == approx(((3 * 1 + 1 * 1) / 4) / 1.25)  # 0.8
    assert row["touch_minutes"] == approx((3 * 10 + 14) / 4)            # 11
    assert row["wait_days"] == approx(0.25)
    assert row["handoffs"] == approx(0.25)
    assert row["one_stop"] == approx(0.75)
    assert totals["steps"] == approx(1.25)


def test_expect_mix_with_failure_demand_per_100() -> None:
    m = valid_map(MIX_MAP.replace("    touch: 30\n    wait: 1\n", "    touch: 30\n    wait: 1\n"
                                  "    complete_and_accurate: 80\n    not_accurate: {recall: Nobody turned up}\n"))
    _, totals = expect_mix(m, mix(("Quick", "Phone", 3), ("Slow", "Phone", 1)))
    # only Slow reaches fix: 0.2 recalls for 1 of 4 demands: 0.05 per demand, 5 per 100
    assert totals["recalls"] == approx(0.05)
    assert totals["failure_demand_per_100"] == approx(5)


def test_mix_from_catalogue_is_one_of_each_type() -> None:
    catalogue = load_catalogue(SAMPLE_CATALOGUE)
    frame = mix_from_catalogue(catalogue, "Email")
    assert list(frame[schema.DEMAND_TYPE]) == catalogue.names()
    assert set(frame[schema.TOUCHPOINT]) == {"Email"} and set(frame["count"]) == {1}
    chasing = frame[frame[schema.DEMAND_TYPE] == "Chasing a repair"].iloc[0]
    assert (chasing["nature"], chasing["cause"]) == ("failure", "progress chasing")


DEMAND_CSV = """\
received_at,touchpoint,demand_type,nature,failure_cause
2026-01-05 09:00,Phone,Report a leak,value,
2026-01-05 09:10,Phone,Report a leak,,
2026-01-05 09:20,Email,Report a leak,value,
2026-01-05 09:30,Phone,Chasing a repair,value,
2026-01-05 09:40,Phone,Chasing a repair,,
2026-01-05 09:50,Phone,Kitchen query,value,
2026-01-05 10:00,Phone,Kitchen query,failure,not done
2026-01-05 10:10,Phone,Kitchen query,failure,not done
2026-01-05 10:20,Web form,,,
2026-01-05 10:30,,Report a leak,,
"""


def test_demand_mix_from_a_loaded_sample_takes_nature_and_cause_from_the_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "tiny.csv"
    path.write_text(DEMAND_CSV, encoding="utf-8")
    catalogue = load_catalogue(SAMPLE_CATALOGUE)
    loaded = load_demand(path, catalogue=catalogue)
    assert len(loaded.frame) == 10
    got = demand_mix(loaded.frame, catalogue)
    rows = {(r[schema.DEMAND_TYPE], r[schema.TOUCHPOINT]): (r["count"], r["nature"], r["cause"])
            for r in got.to_dict("records")}
    # the row with no touchpoint is kept, under whatever the loader calls a missing touchpoint
    missing_tp = loaded.frame[schema.TOUCHPOINT].iloc[9]
    assert isinstance(missing_tp, str) and missing_tp not in ("Phone", "Email", "Web form")
    assert rows.pop(("Report a leak", missing_tp)) == (1, "value", "")
    assert rows == {
        ("Report a leak", "Phone"): (2, "value", ""),
        ("Report a leak", "Email"): (1, "value", ""),
        # recorded once as value, but the catalogue says failure / progress chasing
        ("Chasing a repair", "Phone"): (2, "failure", "progress chasing"),
        # not in the catalogue: the most common classification in the data (2 of 3 failure, not done)
        ("Kitchen query", "Phone"): (3, "failure", "not done"),
        # no type at all, and no value/failure recorded: the loader's "unclassified"
        ("", "Web form"): (1, schema.UNCLASSIFIED, ""),
    }
    assert list(got["count"]) == sorted(got["count"], reverse=True)
    assert int(got["count"].sum()) == 10  # every row of the sample is in the mix
