"""Statistical checks that the simulation engine is right.

- A single role with exponential arrivals and service is an M/M/c queue: its mean wait must match the
  Erlang C closed form, worked out here from the formula (math only).
- Little's law (L = lambda x W) must hold on the simulated output.
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

from workbench.demand.catalogue import Catalogue, load_catalogue
from workbench.demand.load import load_demand
from workbench.flow.expected import demand_mix, expect, expect_mix
from workbench.flow.model import ProcessMap, load_map, parse_map
from workbench.flow.routing import DemandKind
from workbench.sim import metrics
from workbench.sim.calendar import Calendar
from workbench.sim.engine import Arrival, RunResult, plan_arrivals, simulate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = ROOT / "sample_data" / "housing_repairs_demand.csv"
SAMPLE_CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"
MAPS = ROOT / "process_maps"
DAY = 1440.0
ASK = DemandKind("Ask a question", "value", "", "Phone")


def one_role_map(staff: int, touch: str, wait: str = "0") -> ProcessMap:
    return parse_map(f"""
name: One role
roles:
  - {{id: desk, name: Desk, staff: {staff}, hours_per_day: 24, days_per_week: 7}}
entry: serve
steps:
  - id: serve
    name: Serve the customer
    role: desk
    touch: {touch}
    wait: {wait}
    routes:
      - to: resolved
        otherwise: true
""", "one_role.yaml")


def poisson_arrivals(rate_per_minute: float, n: int, seed: int) -> list[Arrival]:
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(1.0 / rate_per_minute, n))
    return [Arrival(i + 1, i + 1, float(t), ASK) for i, t in enumerate(times)]


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c with offered load a = lambda / mu (a < c)."""
    head = sum(a ** k / math.factorial(k) for k in range(c))
    tail = a ** c / math.factorial(c) * c / (c - a)
    return tail / (head + tail)


def time_average_in_system(arrive: np.ndarray, leave: np.ndarray, t0: float, t1: float) -> float:
    """Exact time-average number of demands in the system over [t0, t1] from their intervals."""
    overlap = np.clip(np.minimum(leave, t1) - np.maximum(arrive, t0), 0.0, None)
    return float(overlap.sum() / (t1 - t0))


# ------------------------------------------------------------------------------------------ M/M/c


def test_erlang_c_helper_against_known_values() -> None:
    # M/M/1: P(wait) = rho; M/M/2 with a = 1: C = (1/2 * 2) / (1 + 1 + 1) = 1/3
    assert erlang_c(1, 0.6) == pytest.approx(0.6)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


C_STAFF = 2
MEAN_TOUCH = 10.0  # minutes: mu = 0.1 a minute per person
RHO = 0.75  # utilisation: lambda = rho * c * mu = 0.15 a minute
N_ARRIVALS = 100_000  # about 470 days of demand


@pytest.fixture(scope="module")
def mmc_run() -> tuple[RunResult, list[Arrival]]:
    m = one_role_map(C_STAFF, f"{{mean: {MEAN_TOUCH}, distribution: exponential}}")
    arrivals = poisson_arrivals(RHO * C_STAFF / MEAN_TOUCH, N_ARRIVALS, seed=2024)
    return simulate(m, arrivals, seed=3), arrivals


def test_mmc_mean_wait_matches_erlang_c(mmc_run: tuple[RunResult, list[Arrival]]) -> None:
    run, arrivals = mmc_run
    mu = 1.0 / MEAN_TOUCH
    lam = RHO * C_STAFF * mu
    c_prob = erlang_c(C_STAFF, lam / mu)  # 9/14 = 0.643
    wq = c_prob / (C_STAFF * mu - lam)  # 12.86 minutes
    assert c_prob == pytest.approx(9 / 14)

    demands = run.demands.sort_values("arrival")
    assert len(demands) == N_ARRIVALS
    assert demands["arrival"].to_numpy() == pytest.approx([a.time for a in arrivals])
    steady = demands.iloc[N_ARRIVALS // 10:]  # the first 10% are the warm-up from an empty system
    queue = steady["queue_minutes"].to_numpy()

    # Standard error by batch means (20 batches of 4,500 demands, each far longer than the queue's
    # relaxation time of a few hundred minutes): about 3% of Wq at this run length.
    batches = queue[: len(queue) // 20 * 20].reshape(20, -1).mean(axis=1)
    se = batches.std(ddof=1) / math.sqrt(len(batches))
    assert se < 0.04 * wq, "the run is too short for the tolerance below"
    # Tolerance: 10% of Wq (about 3 standard errors at this run length), and 4 standard errors.
    assert abs(queue.mean() - wq) < 0.10 * wq, (queue.mean(), wq)
    assert abs(queue.mean() - wq) < 4 * se, (queue.mean(), wq, se)

    # P(wait > 0) is Erlang C itself: within 0.02 (its batch-means standard error is about 0.004).
    waited = queue > 0
    assert abs(waited.mean() - c_prob) < 0.02, (waited.mean(), c_prob)
    # Those who wait, wait exponentially with mean 1 / (c mu - lambda) = 20 minutes: within 10%.
    assert queue[waited].mean() == pytest.approx(1.0 / (C_STAFF * mu - lam), rel=0.10)

    # Service times are exponential with mean 10 minutes (SE of the mean 0.03): mean within 1.5%,
    # and the coefficient of variation of an exponential is 1.
    touch = steady["touch_minutes"].to_numpy()
    assert touch.mean() == pytest.approx(MEAN_TOUCH, rel=0.015)
    assert touch.std() / touch.mean() == pytest.approx(1.0, abs=0.03)
    # Time in system = queue + service, to the minute's fraction (24/7 role: no closed hours).
    in_system = (steady["resolved"] - steady["arrival"]).to_numpy()
    assert in_system == pytest.approx(queue + touch, abs=1e-6)


def test_mmc_utilisation_is_rho(mmc_run: tuple[RunResult, list[Arrival]]) -> None:
    run, _ = mmc_run
    role = run.roles.set_index("role").loc["desk"]
    window = run.measured_end - run.measured_start
    assert role["capacity_minutes"] == pytest.approx(C_STAFF * window)
    # busy time / capacity estimates rho; with 100,000 services its error is well under 0.02
    assert role["utilisation"] == pytest.approx(RHO, abs=0.02)


def test_littles_law_on_mmc_output(mmc_run: tuple[RunResult, list[Arrival]]) -> None:
    """L = lambda x W over a steady window, with L the exact time-average of the number in the system."""
    run, _ = mmc_run
    d = run.demands
    arrive, leave = d["arrival"].to_numpy(), d["resolved"].to_numpy()
    assert np.all(leave >= arrive)
    t0, t1 = np.quantile(arrive, [0.1, 0.9])
    inside = (arrive >= t0) & (arrive < t1)
    lam = inside.sum() / (t1 - t0)
    w = float((leave - arrive)[inside].mean())
    big_l = time_average_in_system(arrive, leave, t0, t1)
    # The only difference is the edge of the window (W is ~23 minutes against a window of ~370 days): 1%.
    assert big_l == pytest.approx(lam * w, rel=0.01)
    # and L is the M/M/c figure: lambda x (Wq + 1/mu) = 0.15 x 22.86 = 3.43 (the mean wait is checked above)
    assert big_l == pytest.approx(0.15 * (12.857 + 10.0), rel=0.10)


def test_littles_law_on_daily_flow() -> None:
    """Little's law on the product's own daily flow: mean WIP = throughput x mean end-to-end time.

    An infinite-server queue: 40 demands a day (Poisson) wait an exponential 2 days, then 30 minutes of
    touch; staff are unlimited and work round the clock. In theory L = 40 x (2 + 30/1440) = 80.8.
    """
    m = one_role_map(10_000, "{mean: 30, distribution: exponential}", "{mean: 2, distribution: exponential}")
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
    assert time_average_in_system(arrive, end, 0.0, days * DAY) == pytest.approx(rhs, rel=0.04)
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
