"""Statistical checks that the simulation engine is right.

The engine against queueing theory (M/M/c and Erlang C, M/G/1 and Pollaczek-Khinchine, Erlang-A, rosters,
Little's law on the per-demand output) is in tests/test_sim_theory.py. Here:
- Little's law (L = lambda x W) must hold on the product's own daily flow.
- With unlimited staff nobody queues, so the simulated means per demand must match the exact expectations
  of the static engine (workbench/flow/expected.py) for the bundled maps, within sampling error; the
  tolerance is computed from the simulated standard error.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from flow_fixtures import one_role_map
from queueing_theory import time_average

from workbench.demand.catalogue import Catalogue, load_catalogue
from workbench.demand.load import load_demand
from workbench.flow.expected import demand_mix, expect, expect_mix
from workbench.flow.model import ProcessMap, load_map, parse_map
from workbench.flow.routing import DemandKind
from workbench.sim import metrics
from workbench.sim.calendar import Calendar
from workbench.sim.engine import Arrival, plan_arrivals, simulate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = ROOT / "sample_data" / "housing_repairs_demand.csv"
SAMPLE_CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"
MAPS = ROOT / "process_maps"
DAY = 1440.0
ASK = DemandKind("Ask a question", "value", "", "Phone")




def poisson_arrivals(rate_per_minute: float, n: int, seed: int) -> list[Arrival]:
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(1.0 / rate_per_minute, n))
    return [Arrival(i + 1, i + 1, float(t), ASK) for i, t in enumerate(times)]


# ------------------------------------------------------------------------------------------ Little's law


def test_littles_law_on_daily_flow() -> None:
    """Little's law on the product's own daily flow: mean WIP = throughput x mean end-to-end time.

    An infinite-server queue: 40 demands a day (Poisson) wait an exponential 2 days, then 30 minutes of
    touch; staff are unlimited and work round the clock. In theory L = 40 x (2 + 30/1440) = 80.8.
    """
    m = one_role_map(10_000, "{mean: 30, distribution: exponential}", wait="{mean: 2, distribution: exponential}")
    arrivals = poisson_arrivals(40 / DAY, 6_000, seed=77)
    days = 140
    run = simulate(m, arrivals, seed=5, measured=(0.0, days * DAY))
    flow = metrics.daily_flow(run)
    summary = metrics.summarise(run, days / 7)
    assert len(flow) == days

    # daily_flow against an independent count: at each day's close, arrived so far and not yet met
    cases = metrics.case_view(run)
    arrive, end = cases["arrival"].to_numpy(), cases["case_end"].to_numpy()
    closes = (np.arange(days) + 1) * DAY
    wip = [int(((arrive < c) & ~(end < c)).sum()) for c in closes]
    met = [int(((end >= c - DAY) & (end < c)).sum()) for c in closes]
    came = [int(((arrive >= c - DAY) & (arrive < c)).sum()) for c in closes]
    assert flow["wip"].tolist() == wip
    assert flow["met"].tolist() == met
    assert flow["arrived"].tolist() == came
    assert summary["wip_mean"] == pytest.approx(np.mean(wip))
    assert summary["throughput_per_day"] == pytest.approx(sum(met) / days)

    # Little's law: WIP sampled at each close has the time-average's mean in a stationary 24/7 system.
    # Its standard error over 140 days (days correlated through the 2-day wait) is about 1.5%; the
    # edges of the window (an empty start, open work at the end) are of order W / T = 1.5%: within 4%.
    lhs = summary["wip_mean"]
    rhs = summary["throughput_per_day"] * summary["e2e_days_mean"]
    assert lhs == pytest.approx(rhs, rel=0.04)
    assert time_average(arrive, end, 0.0, days * DAY) == pytest.approx(rhs, rel=0.04)
    assert lhs == pytest.approx(40 * (2 + 30 / DAY), rel=0.06)


# ------------------------------------------------------------------------------------------ static agreement


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, Catalogue]:
    catalogue = load_catalogue(SAMPLE_CATALOGUE)
    return load_demand(SAMPLE_CSV, catalogue=catalogue).frame, catalogue


def unlimited(m: ProcessMap) -> dict[str, float]:
    return {r.id: 10_000 for r in m.roles}


def simulate_originals(m: ProcessMap, frame: pd.DataFrame, catalogue: Catalogue, replications: int
                       ) -> pd.DataFrame:
    """The sample's own demands (not the chases and recalls the design generates), pooled over
    replications that run the sample day by day with fresh draws each time."""
    plan = plan_arrivals(frame, catalogue, warmup_weeks=0)
    out = []
    for r in range(replications):
        run = simulate(m, plan.arrivals, catalogue=catalogue, seed=11, replication=r, staffing=unlimited(m))
        # nobody queues for staff: every piece of work starts at the first working moment of its role (queue
        # minutes include waiting for opening time since issue 14, so they are that waiting only)
        calendars = {role.id: Calendar(role.hours_per_day, role.days_per_week) for role in m.roles}
        v = run.visits
        opening = [calendars[role].next_working(t) for role, t in zip(v["role"], v["queued"], strict=True)]
        assert v["started"].to_numpy() == pytest.approx(np.array(opening))
        d = run.demands
        out.append(d[(d["generated"] == "") & d["measured"]].assign(replication=r))
    pooled = pd.concat(out, ignore_index=True)
    pooled["wait_days"] = pooled["wait_minutes"] / DAY
    return pooled


STRATA = ["demand_type", "touchpoint"]


def stratified_se(df: pd.DataFrame, column: str | pd.Series) -> float:
    """Standard error of the overall mean: the kinds of demand are fixed by the sample, so only the variation
    within each (type, touchpoint) is sampling error."""
    values = df[column] if isinstance(column, str) else column
    g = values.astype(float).groupby([df[s] for s in STRATA])
    var = (g.var(ddof=1).fillna(0.0) * g.size()).sum()
    return math.sqrt(var) / len(values)


PER_DEMAND = ("steps", "value_steps", "handoffs", "rework", "touch_minutes", "one_stop", "recalls", "chases",
              "wait_days")


@pytest.mark.parametrize(("map_file", "replications"),
                         [("housing_repairs_standard_work.yaml", 4), ("housing_repairs_worker_led.yaml", 8)])
def test_unlimited_staff_matches_exact_expectations(sample: tuple[pd.DataFrame, Catalogue], map_file: str,
                                                    replications: int) -> None:
    frame, catalogue = sample
    m = load_map(MAPS / map_file)
    per_type, exact = expect_mix(m, demand_mix(frame, catalogue))
    sim = simulate_originals(m, frame, catalogue, replications)
    assert len(sim) == replications * len(frame)

    # nobody queues for staff (checked in simulate_originals), nothing is lost on the way
    assert not sim["unrouted"].any()
    assert exact["unrouted"] == 0

    failures = []
    for key in PER_DEMAND:
        mean, se = float(sim[key].astype(float).mean()), stratified_se(sim, key)
        if abs(mean - exact[key]) >= 4 * se + 1e-9:
            failures.append(f"{key}: simulated {mean:.4f} ± {se:.4f}, exact {exact[key]:.4f}")
    # value-step share as a ratio of sums; its SE by linearisation (v - r s) / mean(s)
    ratio = sim["value_steps"].sum() / sim["steps"].sum()
    se = stratified_se(sim, sim["value_steps"] - ratio * sim["steps"]) / sim["steps"].mean()
    if abs(ratio - exact["value_step_share"]) >= 4 * se:
        failures.append(f"value_step_share: simulated {ratio:.4f} ± {se:.4f}, exact {exact['value_step_share']:.4f}")
    assert not failures, failures

    # The same per demand type, at 5 SE (about 20 types x 3 metrics are compared here). Rare events can
    # leave a type with no variation in the sample (e.g. 0 one-stop out of 600 where 0.5% is expected), so
    # the SE has a floor: an integer-valued variable with mean mu has variance at least f (1 - f), f the
    # fractional part of mu.
    by_type = sim.groupby("demand_type")
    exact_by_type = per_type.set_index("demand_type")
    for key in ("steps", "handoffs", "one_stop"):
        for demand_type, group in by_type:
            values = group[key].astype(float)
            want = float(exact_by_type.loc[demand_type, key])
            frac = want - math.floor(want)
            se = math.sqrt(max(values.var(ddof=1), frac * (1 - frac)) / len(values))
            mean = float(values.mean())
            if abs(mean - want) >= 5 * se + 1e-9:
                failures.append(f"{demand_type} {key}: simulated {mean:.4f} ± {se:.4f}, exact {want:.4f}")
    assert not failures, failures


def test_round_the_clock_end_to_end_matches_exact(sample: tuple[pd.DataFrame, Catalogue]) -> None:
    """With every role working 24/7, elapsed time through the flow is wait + touch: the static engine's
    end-to-end days (of the demand's own flow, recalls not included)."""
    frame, catalogue = sample
    m = load_map(MAPS / "housing_repairs_worker_led.yaml")
    for role in m.roles:
        role.hours_per_day, role.days_per_week = 24, 7
    _, exact = expect_mix(m, demand_mix(frame, catalogue))
    sim = simulate_originals(m, frame, catalogue, 4)
    sim["own_e2e_days"] = (sim["resolved"] - sim["arrival"]) / DAY
    assert sim["own_e2e_days"].to_numpy() == pytest.approx(
        (sim["wait_minutes"] + sim["touch_minutes"]).to_numpy() / DAY, abs=1e-9)
    mean, se = sim["own_e2e_days"].mean(), stratified_se(sim, "own_e2e_days")
    assert abs(mean - exact["end_to_end_days"]) < 4 * se, (mean, se, exact["end_to_end_days"])


# A map with what the bundled maps do not exercise: exponential waits and touch times in hours, a wait in
# hours before a step, chase rules on exponential and triangular waits, rework to the same step, a rework
# route, a pulled expert, splits by probability and by type, a touchpoint entry and a recall. Chases (by
# phone) and recalls are dealt with at once, so failure demand does not breed more failure demand.
FEATURES = """
name: Features
roles:
  - {id: front, name: Front, staff: 10000, hours_per_day: 24, days_per_week: 7}
  - {id: back, name: Back office, staff: 10000, hours_per_day: 24, days_per_week: 7}
  - {id: expert, name: Expert, staff: 10000, hours_per_day: 24, days_per_week: 7}
entry:
  default: front
  touchpoints: {Email: read}
steps:
  - id: front
    role: front
    touch: {min: 2, likely: 4, max: 9}
    complete_and_accurate: 80
    not_accurate: {rework: front}
    routes:
      - to: resolved
        types: [Where is it, Came back]
      - to: resolved
        types: [Fix it]
        probability: 0.5
      - to: expert
        types: [Fix it]
        probability: 0.3
      - to: back
        otherwise: true
  - id: read
    role: back
    work: re-key
    touch: {mean: 0.2, unit: hours, distribution: exponential}
    wait: {mean: 6, unit: hours, distribution: exponential}
    routes:
      - to: resolved
        types: [Came back]
      - to: back
        otherwise: true
  - id: back
    role: back
    work: check
    touch: 10
    wait: {min: 0, likely: 1, max: 5}
    complete_and_accurate: 70
    not_accurate: {recall: Came back}
    routes:
      - to: expert
        probability: 0.4
      - to: front
        rework: true
        probability: 0.2
      - to: resolved
        otherwise: true
  - id: expert
    role: expert
    pulled: true
    touch: {min: 30, max: 90}
    wait: {mean: 3, distribution: exponential}
failure_demand:
  - {name: Chase the back office, kind: chase, every_days: 2, probability: 0.4, demand_type: Where is it,
     steps: [back, expert]}
  - {name: Chase anything, kind: chase, every_days: 1, probability: 0.1, demand_type: Where is it}
"""
FIX_IT = DemandKind("Fix it", "value", "", "Phone")
WHERE = DemandKind("Where is it", "failure", "progress chasing", "Email")


def test_feature_map_matches_exact_expectations_per_kind() -> None:
    m = parse_map(FEATURES, "features.yaml")
    n = 6_000
    arrivals = [Arrival(i + 1, i + 1, i * 30.0, FIX_IT if i % 2 else WHERE) for i in range(n)]
    d = simulate(m, arrivals, seed=13).demands
    d = d[d["generated"] == ""].copy()
    assert len(d) == n and not d["unrouted"].any()
    d["wait_days"] = d["wait_minutes"] / DAY
    d["e2e_days"] = (d["resolved"] - d["arrival"]) / DAY  # every role works 24/7
    failures = []
    for kind in (FIX_IT, WHERE):
        exact = expect(m, kind)
        group = d[d["demand_type"] == kind.demand_type]
        assert len(group) == n // 2
        for key, want in (("steps", exact.steps), ("value_steps", exact.value_steps), ("handoffs", exact.handoffs),
                          ("rework", exact.rework), ("touch_minutes", exact.touch_minutes),
                          ("wait_days", exact.wait_days), ("e2e_days", exact.end_to_end_days),
                          ("one_stop", exact.one_stop), ("recalls", exact.recalls), ("chases", exact.chases)):
            values = group[key].astype(float)
            mean, se = float(values.mean()), float(values.std(ddof=1)) / math.sqrt(len(values))
            if abs(mean - want) >= 4 * se + 1e-9:
                failures.append(f"{kind.demand_type} {key}: simulated {mean:.4f} ± {se:.4f}, exact {want:.4f}")
    assert not failures, failures
