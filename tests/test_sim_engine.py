"""The simulation engine and the metrics of one run: reproducibility, common random numbers, and the flow
metrics of a tiny map whose every figure is worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import spc
from workbench.demand.catalogue import Catalogue, load_catalogue
from workbench.demand.load import load_demand
from workbench.flow.model import Duration, ProcessMap, load_map, parse_map
from workbench.flow.routing import DemandKind
from workbench.sim import metrics
from workbench.sim.calendar import Calendar
from workbench.sim.engine import (
    RECALL_AFTER_DAYS,
    Arrival,
    Draws,
    RunResult,
    plan_arrivals,
    sample_minutes,
    simulate,
)

from independent import SAMPLE_CATALOGUE, SAMPLE_CSV

ROOT = Path(__file__).resolve().parent.parent
MAPS = ROOT / "process_maps"
DAY = 1440.0


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, Catalogue]:
    catalogue = load_catalogue(SAMPLE_CATALOGUE)
    return load_demand(SAMPLE_CSV, catalogue=catalogue).frame, catalogue


# ------------------------------------------------------------------------------------------ draws


def test_draws_are_uniform_and_keyed() -> None:
    a, b = Draws(1, 0, 5, 9, 0), Draws(1, 0, 5, 9, 0)
    seq_a = [a.uniform() for _ in range(5)]
    assert seq_a == [b.uniform() for _ in range(5)]
    assert len(set(seq_a)) == 5
    other = Draws(1, 0, 5, 9, 1)  # another visit
    assert [other.uniform() for _ in range(5)] != seq_a
    # uniform on (0, 1): first draws of many keys have mean 1/2 and variance 1/12 (SE 0.003 and 0.001)
    u = np.array([Draws(7, 0, i, 3, 0).uniform() for i in range(10_000)])
    assert u.min() > 0 and u.max() < 1
    assert u.mean() == pytest.approx(0.5, abs=0.012)
    assert u.var() == pytest.approx(1 / 12, abs=0.004)


def test_sample_minutes_inverse_cdf() -> None:
    # triangular {min 2, likely 4, max 10}: F(4) = (4-2)^2 / (8 * 2) = 0.25, so u = 0.25 gives the mode
    tri = Duration(2, 4, 10)
    assert sample_minutes(tri, 0.25) == pytest.approx(4.0)
    assert sample_minutes(tri, 0.0) == pytest.approx(2.0)
    assert sample_minutes(tri, 1.0) == pytest.approx(10.0)
    # u = 0.5 is past the mode: x = 10 - sqrt(0.5 * 8 * 6)
    assert sample_minutes(tri, 0.5) == pytest.approx(10 - math.sqrt(24))
    # units: 1.5 hours fixed is 90 minutes; days are 1440 minutes
    assert sample_minutes(Duration(likely=1.5, unit="hours"), 0.3) == pytest.approx(90)
    assert sample_minutes(Duration(1, 2, 3, unit="days"), 0.5) == pytest.approx(2 * DAY)
    # exponential with mean 5: the median is 5 ln 2
    expo = Duration(likely=5, distribution="exponential")
    assert sample_minutes(expo, 0.5) == pytest.approx(5 * math.log(2))
    assert sample_minutes(expo, 1 - math.exp(-1)) == pytest.approx(5.0)
    assert sample_minutes(Duration(), 0.5) == 0.0


# ------------------------------------------------------------------------------------------ reproducibility


@pytest.fixture(scope="module")
def two_weeks(sample: tuple[pd.DataFrame, Catalogue]) -> tuple[list[Arrival], Catalogue, ProcessMap]:
    frame, catalogue = sample
    plan = plan_arrivals(frame, catalogue, weeks=2, warmup_weeks=1, seed=3)
    return plan.arrivals, catalogue, load_map(MAPS / "housing_repairs_standard_work.yaml")


def test_same_seed_same_result(two_weeks: tuple[list[Arrival], Catalogue, ProcessMap]) -> None:
    arrivals, catalogue, m = two_weeks
    first = simulate(m, arrivals, catalogue=catalogue, seed=21)
    again = simulate(m, arrivals, catalogue=catalogue, seed=21)
    pd.testing.assert_frame_equal(first.demands, again.demands)
    pd.testing.assert_frame_equal(first.roles, again.roles)
    assert len(first.demands) > len(arrivals)  # chases and recalls were generated


def test_another_seed_or_replication_gives_other_draws(two_weeks: tuple[list[Arrival], Catalogue, ProcessMap]
                                                      ) -> None:
    arrivals, catalogue, m = two_weeks
    base = simulate(m, arrivals, catalogue=catalogue, seed=21).demands
    for other in (simulate(m, arrivals, catalogue=catalogue, seed=22).demands,
                  simulate(m, arrivals, catalogue=catalogue, seed=21, replication=1).demands):
        original = other[other["generated"] == ""].set_index("id")
        base_original = base[base["generated"] == ""].set_index("id")
        # the same demands arrive ...
        pd.testing.assert_series_equal(original["arrival"], base_original["arrival"])
        # ... but their touch times differ for (almost) all of them
        differ = (original["touch_minutes"] - base_original["touch_minutes"]).abs() > 1e-9
        assert differ.mean() > 0.9


CRN_MAP = """
name: {name}
roles:
  - {{id: agent, name: Agent, staff: 1000, hours_per_day: 24, days_per_week: 7}}
  - {{id: office, name: Office, staff: 1000, hours_per_day: 24, days_per_week: 7}}
  - {{id: crew, name: Crew, staff: 1000, hours_per_day: 24, days_per_week: 7}}
entry: answer
steps:
  - id: answer
    role: agent
    touch: {{min: 2, likely: 5, max: 15}}
    wait: {{min: 0, likely: 0.1, max: 0.5}}
    complete_and_accurate: 90
    not_accurate: {{rework: answer}}
    routes:
      - to: fix
        probability: 0.6
      - to: resolved
        otherwise: true
{extra}
  - id: fix
    role: crew
    touch: {{min: 20, likely: 40, max: 90}}
    wait: {{min: 1, likely: 2, max: 6}}
"""
CHECK_STEP = """
  - id: check
    role: office
    work: check
    touch: {min: 5, likely: 10, max: 30}
    routes:
      - to: fix
"""


def test_a_shared_step_gets_the_same_draws_in_two_designs() -> None:
    """Two designs identical except that B puts a check in front of `fix` for every demand: the shared
    steps (answer, fix) give each demand the same waits, touch times, rework and routes in both."""
    a = parse_map(CRN_MAP.format(name="A", extra=""), "a.yaml")
    b = parse_map(CRN_MAP.format(name="B", extra=CHECK_STEP).replace(
        "      - to: fix\n        probability: 0.6", "      - to: check\n        probability: 0.6"), "b.yaml")
    kind = DemandKind("Report a leak", "value", "", "Phone")
    arrivals = [Arrival(i + 1, i + 1, i * 37.0, kind) for i in range(600)]
    run_a = simulate(a, arrivals, seed=4).demands.set_index("id")
    run_b = simulate(b, arrivals, seed=4).demands.set_index("id")
    # not a vacuous check: B really does more work, on the demands that went on
    went_on = run_b["path"].str.contains("check")
    assert 0.5 < went_on.mean() < 0.7
    assert (run_b.loc[went_on, "minutes_office"] > 0).all()
    assert (run_a["minutes_office"] == 0).all()
    # the shared steps: the same paths apart from the check, the same minutes of agent and crew work
    assert (run_b["path"].str.replace(" > check", "") == run_a["path"]).all()
    pd.testing.assert_series_equal(run_a["minutes_agent"], run_b["minutes_agent"])
    pd.testing.assert_series_equal(run_a["minutes_crew"], run_b["minutes_crew"])
    pd.testing.assert_series_equal(run_a["wait_minutes"], run_b["wait_minutes"])
    pd.testing.assert_series_equal(run_a["rework"], run_b["rework"])
    assert (run_a["rework"] > 0).any()


# ------------------------------------------------------------------------------------------ a tiny map, by hand

# Everyone works round the clock and there is plenty of staff, so every time below is plain arithmetic.
# - "Report a leak": answer (5 min, agent) -> fix (30 min, crew; never right: a recall) -> resolved at +35 min.
#   The recall "Repair did not fix it" arrives 7 days after the fix ends, is answered (5) and redone (20,
#   always right): the case ends at 35 + 10080 + 25 = 10140 minutes. One hand-off (answer -> fix).
# - "Chasing a repair" (failure demand in the sample): answered and resolved at once: one stop, 5 minutes.
# - "Report damp and mould": answer (5) -> inspect after a 7-day wait (60 min, crew); the chase rule (every
#   2 days, probability 1) makes the customer chase at days 2, 4 and 6 of the wait: 3 chases, each answered
#   in 5 minutes. The case ends at 5 + 10080 + 60 = 10145 minutes.
TINY = """
name: Tiny repairs
design: as-is
roles:
  - {id: agent, name: Agent, staff: 50, hours_per_day: 24, days_per_week: 7}
  - {id: crew, name: Crew, staff: 50, hours_per_day: 24, days_per_week: 7}
entry: answer
steps:
  - id: answer
    role: agent
    work: triage
    touch: 5
    routes:
      - to: redo
        types: [Repair did not fix it]
      - to: inspect
        types: [Report damp and mould]
      - to: resolved
        nature: failure
      - to: fix
        otherwise: true
  - id: fix
    role: crew
    touch: 30
    complete_and_accurate: 0
    not_accurate: {recall: Repair did not fix it}
  - id: redo
    role: crew
    work: rework
    touch: 20
  - id: inspect
    role: crew
    touch: 60
    wait: 7
failure_demand:
  - name: Customers chase while they wait
    kind: chase
    every_days: 2
    probability: 1
    demand_type: Chasing a repair
    touchpoint: Phone
"""
LEAK = DemandKind("Report a leak", "value", "", "Phone")
CHASE = DemandKind("Chasing a repair", "failure", "progress chasing", "Phone")
DAMP = DemandKind("Report damp and mould", "value", "", "Email")


T0 = 3 * DAY  # the measured window starts here and lasts 14 days


@pytest.fixture(scope="module")
def tiny() -> RunResult:
    m = parse_map(TINY, "tiny.yaml")
    arrivals = [
        Arrival(1, 1, 0.0, LEAK, measured=False),  # warm-up: not measured, not in the metrics
        Arrival(2, 2, T0, LEAK),
        Arrival(3, 3, T0 + 60, CHASE),
        Arrival(4, 4, T0 + 120, DAMP),
    ]
    return simulate(m, arrivals, seed=1, measured=(T0, T0 + 14 * DAY))


def test_generated_demands_of_the_tiny_map(tiny: RunResult) -> None:
    d = tiny.demands.set_index("id")
    generated = d[d["generated"] != ""]
    recalls, chases = generated[generated["generated"] == "recall"], generated[generated["generated"] == "chase"]
    assert len(recalls) == 2 and len(chases) == 3
    recall = recalls[recalls["case"] == 2].iloc[0]
    assert recall["origin"] == 2 and recall["caused_by_step"] == "fix"
    assert recall["demand_type"] == "Repair did not fix it" and recall["nature"] == "failure"
    assert recall["arrival"] == pytest.approx(T0 + 35 + RECALL_AFTER_DAYS * DAY)
    assert recall["resolved"] == pytest.approx(T0 + 10140)
    assert recall["path"] == "answer > redo"
    # chases at days 2, 4, 6 of the wait that started when the answer finished (minute 125)
    assert sorted(chases["arrival"]) == pytest.approx([T0 + 125 + k * 2 * DAY for k in (1, 2, 3)])
    assert set(chases["case"]) == {4} and set(chases["caused_by_step"]) == {"inspect"}
    assert set(chases["demand_type"]) == {"Chasing a repair"} and set(chases["path"]) == {"answer"}
    assert d.loc[4, "chases"] == 3 and d.loc[2, "recalls"] == 1
    # the warm-up demand's recall is not measured either
    assert not d.loc[d["case"] == 1, "measured"].any()


def test_case_view_by_hand(tiny: RunResult) -> None:
    cases = metrics.case_view(tiny).set_index("id")
    assert list(cases.index) == [2, 3, 4]
    assert (cases["case_end"] - T0).tolist() == pytest.approx([10140, 60 + 5, 120 + 5 + 7 * DAY + 60])
    assert cases["e2e_days"].tolist() == pytest.approx([10140 / DAY, 5 / DAY, 10145 / DAY])
    # the leak's own flow was over at minute 35; the recall is what makes it 7 days end to end
    assert cases.loc[2, "resolved"] == pytest.approx(T0 + 35)
    assert cases["one_stop"].tolist() == [False, True, False]
    assert cases["handoffs"].tolist() == [1, 0, 1]
    assert cases["generated_demands"].tolist() == [1, 0, 3]
    assert cases["case_staff_minutes"].tolist() == pytest.approx([5 + 30 + 5 + 20, 5, 5 + 60 + 3 * 5])
    assert cases["touch_minutes"].tolist() == pytest.approx([35, 5, 65])


def test_summarise_by_hand(tiny: RunResult) -> None:
    s = metrics.summarise(tiny, weeks=2)
    assert s["demands"] == 3
    assert s["e2e_days_median"] == pytest.approx(10140 / DAY)
    assert s["e2e_days_mean"] == pytest.approx((10140 + 5 + 10145) / 3 / DAY)
    assert s["one_stop_share"] == pytest.approx(1 / 3)
    assert s["handoffs_mean"] == pytest.approx(2 / 3)
    assert s["steps_mean"] == pytest.approx((2 + 1 + 2) / 3)
    assert s["value_step_share"] == pytest.approx(2 / 5)  # fix and inspect are value; answer is triage
    assert s["touch_minutes_mean"] == pytest.approx((35 + 5 + 65) / 3)
    # failure demand caused: one recall and three chases for three demands
    assert s["failure_demand_per_100"] == pytest.approx(400 / 3)
    # staff hours: every minute of the three cases (the warm-up case is left out)
    assert s["staff_hours_total"] == pytest.approx((60 + 5 + 80) / 60)
    assert s["staff_hours_per_demand"] == pytest.approx((60 + 5 + 80) / 60 / 3)
    # on failure demand: the recall (25), the chases (15) and the sample's own chase (5)
    assert s["failure_staff_hours"] == pytest.approx(45 / 60)
    assert s["failure_fte"] == pytest.approx(45 / 60 / (37.5 * 2))
    # flow efficiency as documented: touch time of the measured demands / their end-to-end time
    assert s["flow_efficiency"] == pytest.approx((35 + 5 + 65) / (10140 + 5 + 10145))
    assert s["unfinished"] == 0
    # all three needs were met in the 14 measured days, and so was the warm-up demand's (its recall was
    # resolved inside the measured window): throughput counts every need met in the window
    assert s["throughput_per_day"] == pytest.approx(4 / 14)


def test_failure_demand_per_100_counts_chases_and_recalls(tiny: RunResult) -> None:
    by_type = metrics.per_type(tiny).set_index("demand_type")
    assert by_type.loc["Report a leak", "failure_demand_per_100"] == 100
    assert by_type.loc["Report damp and mould", "failure_demand_per_100"] == 300
    assert by_type.loc["Chasing a repair", "failure_demand_per_100"] == 0
    assert by_type["demands"].sum() == 3
    assert by_type.loc["Chasing a repair", "one_stop_share"] == 1.0


def test_failure_hours_splits_design_from_sample(tiny: RunResult) -> None:
    table = metrics.failure_hours(tiny, weeks=2)
    rows = {(r["source"], r["cause"], r["caused_by_step"]): r for r in table.to_dict("records")}
    # each demand's own cause (issue 14): without a catalogue, the recall is "not put right at <step>" and the
    # chase carries its rule's name (it was "repeat / recall" and "progress chasing" whatever the map said)
    assert set(rows) == {
        ("caused by this design", "not put right at fix", "fix"),
        ("caused by this design", "Customers chase while they wait", "inspect"),
        ("in the demand sample", "progress chasing", ""),
    }
    recall = rows["caused by this design", "not put right at fix", "fix"]
    assert recall["demands"] == 1 and recall["staff_hours"] == pytest.approx(25 / 60)
    chases = rows["caused by this design", "Customers chase while they wait", "inspect"]
    assert chases["demands"] == 3 and chases["staff_hours"] == pytest.approx(15 / 60)
    own = rows["in the demand sample", "progress chasing", ""]
    assert own["demands"] == 1 and own["staff_hours"] == pytest.approx(5 / 60)
    assert table["fte"].tolist() == pytest.approx((table["staff_hours"] / (37.5 * 2)).tolist())
    assert table["staff_hours"].sum() == pytest.approx(metrics.summarise(tiny, 2)["failure_staff_hours"])


def test_role_utilisation_by_hand(tiny: RunResult) -> None:
    roles = tiny.roles.set_index("role")
    window = 14 * DAY
    # Work counts where it began. agent: the answers of the three measured demands, their recall and the
    # three chases (7 x 5 min), and the warm-up leak's recall (day 7: inside the window; the warm-up leak
    # itself was answered before it). crew: 30 + 20 + 60, and the warm-up recall's redo (20).
    assert roles.loc["agent", "busy_minutes"] == pytest.approx(5 * 8)
    assert roles.loc["crew", "busy_minutes"] == pytest.approx(30 + 20 + 60 + 20)
    assert roles.loc["agent", "capacity_minutes"] == pytest.approx(50 * window)
    assert roles.loc["agent", "utilisation"] == pytest.approx(40 / (50 * window))


def test_capability_is_an_xmr_of_daily_end_to_end(two_weeks: tuple[list[Arrival], Catalogue, ProcessMap]
                                                  ) -> None:
    """By the day a demand arrived (not the day it was met: a period shorter than the lead time would chart
    only the quick ones), over measured demands; the run drains for a year after the last arrival, so every
    measured day had time to finish and the chart holds every measured demand that finished. Its centre line is
    the mean of those demands, the table's mean for this run (points weighted by their demands)."""
    arrivals, catalogue, m = two_weeks
    run = simulate(m, arrivals, catalogue=catalogue, seed=8)
    cases = metrics.case_view(run)  # measured demands only
    done = cases.dropna(subset=["e2e_days"])
    day = np.floor((done["arrival"] - run.measured_start) / DAY)
    daily = done.groupby(day)["e2e_days"].agg(["mean", "size"])
    chart = metrics.capability(run)
    assert list(chart.index) == list(daily.index)
    assert chart[spc.VALUE].to_numpy() == pytest.approx(daily["mean"].to_numpy())
    centre = done["e2e_days"].sum() / len(done)
    assert chart[spc.CENTRE].iloc[0] == pytest.approx(centre)
    assert centre == pytest.approx(metrics.summarise(run, 2)["e2e_days_mean"])
    mr = np.abs(np.diff(daily["mean"].to_numpy())).mean()
    assert chart[spc.UPPER].iloc[0] == pytest.approx(centre + 2.66 * mr)
    assert chart[spc.PROVISIONAL].all() and chart.attrs["provisional"]  # 14 days: fewer than 20 points
    window = chart.attrs["window"]
    assert (window.first, window.last, window.later) == (0, 13, 0)


def test_unlimited_staff_never_queues_and_few_staff_do(two_weeks: tuple[list[Arrival], Catalogue, ProcessMap]
                                                       ) -> None:
    arrivals, catalogue, m = two_weeks
    free = simulate(m, arrivals, catalogue=catalogue, seed=2, staffing={r.id: 10_000 for r in m.roles})
    # queueing includes waiting for opening time (issue 14): with unlimited staff every piece of work starts at
    # the first working moment of its role, and the demand's queue minutes are only that waiting
    calendars = {r.id: Calendar(r.hours_per_day, r.days_per_week) for r in m.roles}
    visits = free.visits
    opening = [calendars[role].next_working(t) for role, t in zip(visits["role"], visits["queued"], strict=True)]
    assert visits["started"].to_numpy() == pytest.approx(np.array(opening))
    per_demand = visits.groupby("id")["queue_minutes"].sum()
    assert free.demands.set_index("id")["queue_minutes"].to_numpy() == pytest.approx(
        per_demand.reindex(free.demands["id"]).fillna(0).to_numpy())
    # one administrator instead of three: the back office queues, and customers wait longer
    tight = simulate(m, arrivals, catalogue=catalogue, seed=2, staffing={"admin": 1})
    assert tight.roles.set_index("role").loc["admin", "staff"] == 1
    assert tight.demands["queue_minutes"].mean() > 60
    assert (metrics.summarise(tight, 2)["e2e_days_median"] > metrics.summarise(free, 2)["e2e_days_median"])


def test_fractional_staff_are_simulated_and_counted_as_the_same_whole_people(
        two_weeks: tuple[list[Arrival], Catalogue, ProcessMap]) -> None:
    """2.5 staff are simulated as 3 people and their utilisation is of those 3, never of 2.5 (which showed
    40% where 2 showed 50% for one run)."""
    from workbench.sim.engine import people

    arrivals, catalogue, m = two_weeks
    role = m.roles[0].id
    runs = {n: simulate(m, arrivals, catalogue=catalogue, seed=5, staffing={role: n}).roles.set_index("role")
            for n in (2.0, 2.5, 3.0)}
    assert [people(n) for n in (0.2, 1.49, 2.5, 3.0)] == [1, 1, 3, 3]
    assert runs[2.5].loc[role, "people"] == runs[3.0].loc[role, "people"] == 3 and runs[2.0].loc[role, "people"] == 2
    assert runs[2.5].loc[role, "staff"] == 2.5  # what the person typed is kept beside it
    assert runs[2.5].loc[role, "utilisation"] == pytest.approx(runs[3.0].loc[role, "utilisation"])
    assert runs[2.5].loc[role, "busy_minutes"] / runs[2.5].loc[role, "capacity_minutes"] == \
        pytest.approx(runs[2.5].loc[role, "utilisation"])
