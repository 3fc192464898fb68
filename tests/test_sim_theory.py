"""The simulation engine against queueing theory, through real maps and `simulate` (the product's path).

Each check compares a simulated figure with a closed form from tests/queueing_theory.py (written from the
formulas, nothing from Workbench): M/M/c against Erlang C (c = 1, 3, 10 at rho 0.5 to 0.95), triangular
M/G/1 against Pollaczek-Khinchine, M/M/c+M against Erlang-A (c = 1, 5, 20 at load 0.8, 0.95, 1.1, through a
Phone touchpoint with patience), a roster that changes by the hour against piecewise Erlang C, and Little's
law with work in progress integrated from timestamps (and from the visit log) against the per-demand means.

Tolerances come from the simulated standard error: batch means over the run, batches several relaxation
times long, stated in every assertion message (`pytest -s` prints every figure, passing or not). A case
fails when the simulated figure is more than Z = 4 standard errors from theory (with 10 to 20 batches that
happens by chance about 1 time in 300 to 1,000 per figure; the seeds are fixed, so a result never flickers).
The Erlang-A figures also pass within 5% of theory, as the issue asks.

Run lengths are set by the queue's relaxation time, tau = 1 / (c mu (1 - sqrt(rho))^2) for M/M/c and
1 / the spectral gap of the birth-death chain for Erlang-A: a warm-up of 5 tau from an empty system is
dropped, and at least 40 tau (or 10,000 arrivals when that is more) are measured. Heavily loaded queues
need long runs for a modest precision: at rho = 0.95 a 40-tau run (about 60,000 arrivals) gives the mean
wait to 12-15% (one SE), so 4 SE there is about 50% of Wq, which is still an error of only 0.02 in the
utilisation (Wq grows like 1 / (1 - rho)); P(wait) and the utilisation are pinned to within 0.01-0.02.
The light loads are checked much more tightly. Longer runs would not fit the file's time budget.

Besides the means, every M/M/c and M/G/1 run is checked path by path: the waits the engine reports must be
exactly those of first-come-first-served servers (the Kiefer-Wolfowitz recursion) on its own arrival and
touch times, which has no sampling error at all.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from flow_fixtures import one_role_map
from queueing_theory import (
    batch_means,
    erlang_a,
    erlang_a_gmr,
    erlang_a_relaxation_time,
    erlang_a_service_level,
    erlang_c,
    erlang_c_mean_wait,
    piecewise_erlang_c,
    pollaczek_khinchine_wait,
    relaxation_time,
    time_average,
    triangular_moments,
)

from workbench.flow.model import parse_map
from workbench.flow.routing import DemandKind
from workbench.sim import metrics
from workbench.sim.engine import Arrival, RunResult, simulate

Z = 4.0  # standard errors allowed between simulation and theory
WARMUP_TAU = 5.0  # relaxation times dropped from the start (the queue starts empty)
MEASURE_TAU = 40.0  # relaxation times measured, at least
MIN_MEASURED = 10_000  # arrivals measured, at least
BATCH_TAU = 4.0  # each batch at least this many relaxation times long, with 10 to 20 batches
TRIANGLE = (2.0, 4.0, 12.0)  # min, likely, max minutes of a triangular touch time: mean 6, SCV 0.13
DAY = 1440.0
CALL = DemandKind("Ask a question", "value", "", "Phone")




def poisson_arrivals(rate_per_minute: float, n: int, seed: int, kind: DemandKind = CALL) -> list[Arrival]:
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(1.0 / rate_per_minute, n))
    return [Arrival(i + 1, i + 1, float(t), kind) for i, t in enumerate(times)]


@dataclass(frozen=True)
class Plan:
    """How long to run a queue: arrivals in all, the warm-up to drop (minutes) and how many batches."""

    arrivals: int
    warmup: float
    batches: int


def plan_run(lam: float, tau: float, mean_service: float) -> Plan:
    warmup = WARMUP_TAU * max(tau, mean_service)
    measured = max(MEASURE_TAU * tau, MIN_MEASURED / lam)
    batches = int(min(20, max(10, measured // (BATCH_TAU * tau))))
    return Plan(math.ceil(lam * (warmup + measured)), warmup, batches)


def fcfs_queue_minutes(arrive: np.ndarray, service: np.ndarray, servers: int) -> np.ndarray:
    """Waits in queue of first-come-first-served identical servers (Kiefer-Wolfowitz): each demand, in
    arrival order, takes the server that frees first."""
    free = [0.0] * servers
    out = np.empty(len(arrive))
    for i, (a, s) in enumerate(zip(arrive, service, strict=True)):
        start = max(a, heapq.heappop(free))
        heapq.heappush(free, start + s)
        out[i] = start - a
    return out


def steady(run: RunResult, warmup: float) -> pd.DataFrame:
    """The demands that arrived after the warm-up, in arrival order (so batches are consecutive)."""
    d = run.demands.sort_values("arrival")
    return d[d["arrival"] >= warmup]


def within(name: str, sim: float, se: float, theory: float, batches: int) -> str | None:
    """None when |sim - theory| < Z se, else a message with the figures and the interval. The figures are
    printed either way (`pytest -s` shows them)."""
    how = f"SE from {batches} batch means" if batches > 1 else "SE of independent draws"
    off = f"{abs(sim - theory) / se:.1f} SE" if se > 0 else "- (no variation)"
    text = (f"{name}: simulated {sim:.4g} ± {se:.2g} ({how}), theory {theory:.4g}; "
            f"interval {sim - Z * se:.4g} .. {sim + Z * se:.4g} ({Z:g} SE), off by {off}")
    print(text)
    return None if abs(sim - theory) < Z * se else text


# ------------------------------------------------------------------------------------------ the formulas


def test_erlang_c_helper_against_known_values() -> None:
    # M/M/1: P(wait) = rho; M/M/2 with a = 1: C = (1/2 * 2) / (1 + 1 + 1) = 1/3; M/M/2 at rho 0.75: 9/14
    assert erlang_c(1, 0.6) == pytest.approx(0.6)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(2, 1.5) == pytest.approx(9 / 14)
    # the textbook sum a^c / c! c / (c - a) / (sum_{k<c} a^k / k! + that), at c = 10, a = 8
    head = sum(8.0 ** k / math.factorial(k) for k in range(10))
    tail = 8.0 ** 10 / math.factorial(10) * 10 / (10 - 8)
    assert erlang_c(10, 8.0) == pytest.approx(tail / (head + tail), rel=1e-12)
    # M/M/1 mean wait rho / (mu - lambda); and Pollaczek-Khinchine with exponential moments is M/M/1
    assert erlang_c_mean_wait(1, 0.08, 0.1) == pytest.approx(0.8 / 0.02)
    assert pollaczek_khinchine_wait(0.08, 10.0, 200.0) == pytest.approx(40.0)
    # M/D/1 waits half as long as M/M/1
    assert pollaczek_khinchine_wait(0.08, 10.0, 100.0) == pytest.approx(20.0)


def test_triangular_moments_by_integration() -> None:
    low, mode, high = TRIANGLE
    x = np.linspace(low, high, 400_001)
    pdf = np.where(x < mode, 2 * (x - low) / ((high - low) * (mode - low)),
                   2 * (high - x) / ((high - low) * (high - mode)))
    mean, second = triangular_moments(low, mode, high)
    assert np.trapezoid(pdf, x) == pytest.approx(1.0, abs=1e-9)
    assert np.trapezoid(x * pdf, x) == pytest.approx(mean, rel=1e-8)
    assert np.trapezoid(x * x * pdf, x) == pytest.approx(second, rel=1e-8)
    assert mean == pytest.approx(6.0)


@pytest.mark.parametrize("c", [1, 5, 20])
@pytest.mark.parametrize("load", [0.5, 0.8, 0.95, 1.1, 2.0])
@pytest.mark.parametrize("patience_over_touch", [0.25, 0.5, 1.0, 4.0])
def test_erlang_a_chain_against_garnett_mandelbaum_reiman(c: int, load: float, patience_over_touch: float
                                                           ) -> None:
    """The truncated birth-death chain against GMR's closed forms (incomplete gamma), to 1e-9."""
    mu = 0.25
    theta = mu / patience_over_touch
    lam = load * c * mu
    chain = erlang_a(c, lam, mu, theta)
    p_wait, p_abandon, mean_wait = erlang_a_gmr(c, lam, mu, theta)
    assert chain.p_wait == pytest.approx(p_wait, rel=1e-9)
    assert chain.p_abandon == pytest.approx(p_abandon, rel=1e-9)
    assert chain.mean_wait == pytest.approx(mean_wait, rel=1e-9)
    # the arrivals' own fates (PASTA, FCFS) agree with theta E[queue] / lambda
    assert chain.p_answered + chain.p_abandon == pytest.approx(1.0, abs=1e-12)
    assert chain.mean_wait_answered > 0


def test_erlang_a_service_level() -> None:
    # patience very long: Erlang C's service level 1 - C exp(-(c mu - lambda) t)
    for t in (0.0, 0.1, 0.5, 2.0):
        want = 1.0 - erlang_c(3, 2.1) * math.exp(-(3.0 - 2.1) * t)
        assert erlang_a_service_level(3, 2.1, 1.0, 1e-7, t) == pytest.approx(want, rel=1e-6)
    # at t = 0 only those who find a free agent; in the long run all who do not give up
    chain = erlang_a(5, 1.2, 0.25, 0.5)
    assert erlang_a_service_level(5, 1.2, 0.25, 0.5, 0.0) == pytest.approx(1.0 - chain.p_wait, rel=1e-9)
    assert erlang_a_service_level(5, 1.2, 0.25, 0.5, 60.0) == pytest.approx(chain.p_answered, rel=1e-9)
    # the answered callers' mean wait two ways: the chain's sum over callers ahead (telescoped), and the
    # integral of P(answered, wait > t) = P(answered) - service level(t) over t
    c, lam, mu, theta = 2, 0.45, 0.25, 0.5
    chain = erlang_a(c, lam, mu, theta)
    grid, h = np.linspace(0.0, 25.0, 201, retstep=True)
    late = np.array([chain.p_answered - erlang_a_service_level(c, lam, mu, theta, t) for t in grid])
    simpson = h / 3 * (late[0] + late[-1] + 4 * late[1:-1:2].sum() + 2 * late[2:-1:2].sum())
    assert simpson == pytest.approx(chain.mean_wait_answered * chain.p_answered, rel=1e-6)


def test_erlang_a_limits() -> None:
    # patience very long: Erlang C (M/M/3 at a = 2.1)
    slow = erlang_a(3, 2.1, 1.0, 1e-7)
    assert slow.p_wait == pytest.approx(erlang_c(3, 2.1), rel=1e-5)
    assert slow.mean_wait == pytest.approx(erlang_c_mean_wait(3, 2.1, 1.0), rel=1e-5)
    assert slow.mean_wait_answered == pytest.approx(erlang_c_mean_wait(3, 2.1, 1.0), rel=1e-5)
    # patience = service time: the number in the system is Poisson(a), as in M/M/infinity, whatever c
    a, c = 7.0, 5
    same = erlang_a(c, a, 1.0, 1.0)
    poisson = [math.exp(n * math.log(a) - a - math.lgamma(n + 1)) for n in range(200)]
    assert same.p_wait == pytest.approx(sum(poisson[c:]), rel=1e-9)
    assert same.mean_queue == pytest.approx(sum((n - c) * p for n, p in enumerate(poisson) if n > c), rel=1e-9)
    # one server, one caller ahead at most matters when patience is tiny: P(abandon) -> P(wait) = a / (1 + a)
    quick = erlang_a(1, 0.5, 1.0, 1e6)
    assert quick.p_wait == pytest.approx(0.5 / 1.5, rel=1e-5)
    assert quick.p_abandon == pytest.approx(0.5 / 1.5, rel=1e-5)


# ------------------------------------------------------------------------------------------ M/M/c

MEAN_TOUCH = 10.0  # minutes: mu = 0.1 a minute per person


@pytest.mark.parametrize("rho", [0.5, 0.8, 0.9, 0.95])
@pytest.mark.parametrize("c", [1, 3, 10])
def test_mmc_matches_erlang_c(c: int, rho: float) -> None:
    mu = 1.0 / MEAN_TOUCH
    lam = rho * c * mu
    tau = relaxation_time(c, lam, mu)
    plan = plan_run(lam, tau, MEAN_TOUCH)
    m = one_role_map(c, f"{{mean: {MEAN_TOUCH}, distribution: exponential}}")
    arrivals = poisson_arrivals(lam, plan.arrivals, seed=1000 * c + int(100 * rho))
    run = simulate(m, arrivals, seed=7)
    d = run.demands.sort_values("arrival")
    assert len(d) == plan.arrivals and d["resolved"].notna().all()
    np.testing.assert_allclose(d["arrival"].to_numpy(), [a.time for a in arrivals], rtol=0, atol=1e-9)

    # path by path: the engine's waits are those of c FCFS servers on its own arrival and touch times,
    # and time in system is queue + touch (a 24/7 role has no closed hours)
    arrive, touch, queue = (d[k].to_numpy() for k in ("arrival", "touch_minutes", "queue_minutes"))
    np.testing.assert_allclose(queue, fcfs_queue_minutes(arrive, touch, c), rtol=0, atol=1e-6)
    np.testing.assert_allclose((d["resolved"] - d["arrival"]).to_numpy(), queue + touch, rtol=0, atol=1e-6)

    s = steady(run, plan.warmup)
    queue, touch = s["queue_minutes"].to_numpy(), s["touch_minutes"].to_numpy()
    b = plan.batches
    c_prob, wq = erlang_c(c, lam / mu), erlang_c_mean_wait(c, lam, mu)
    failures = [
        within("mean wait in queue Wq (minutes)", *batch_means(queue, b), wq, b),
        within("P(wait) = Erlang C", *batch_means(queue > 0, b), c_prob, b),
        # touch times are independent exponentials: SE = sd / sqrt(n)
        within("mean touch (minutes)", touch.mean(), touch.std() / math.sqrt(len(touch)), MEAN_TOUCH, 1),
    ]
    # those who wait, wait exponentially with mean 1 / (c mu - lambda) (enough of them at every load here)
    waited = queue[queue > 0]
    failures.append(within("mean wait of those who wait", *batch_means(waited, b), 1.0 / (c * mu - lam), b))
    # utilisation of the role over the measured window: busy / capacity against rho; busy minutes are a
    # compound Poisson sum, SE = sqrt(lambda T E[S^2]) / (c T) with E[S^2] = 2 / mu^2
    role = run.roles.set_index("role").loc["desk"]
    window = run.measured_end - run.measured_start
    assert role["capacity_minutes"] == pytest.approx(c * window)
    util_se = math.sqrt(lam * window * 2 * MEAN_TOUCH ** 2) / (c * window)
    failures.append(within("utilisation", float(role["utilisation"]), util_se, rho, 1))
    # Little: the time-average number in the system, integrated from the arrival and resolution timestamps
    # over the steady part, is lambda (Wq + 1 / mu); its SE is lambda x the batch-means SE of time in system
    t0, t1 = plan.warmup, float(arrive[-1])
    big_l = time_average(arrive, d["resolved"].to_numpy(), t0, t1)
    _, se_w = batch_means(queue + touch, b)
    failures.append(within("number in the system L (time-average)", big_l, lam * se_w, lam * (wq + MEAN_TOUCH), b))
    print(f"M/M/{c} rho {rho}: {len(s)} arrivals measured")
    failures = [f for f in failures if f]
    assert not failures, f"M/M/{c} at rho {rho} ({len(s)} arrivals measured, tau {tau:.0f} min): {failures}"


# ------------------------------------------------------------------------------------------ M/G/1

@pytest.mark.parametrize("rho", [0.5, 0.8, 0.9])
def test_triangular_single_server_matches_pollaczek_khinchine(rho: float) -> None:
    mean, second = triangular_moments(*TRIANGLE)
    lam = rho / mean
    scv = second / mean ** 2 - 1.0
    # the heavy-traffic relaxation time of M/G/1 scales with (1 + SCV) / 2 against M/M/1
    tau = relaxation_time(1, lam, 1.0 / mean) * (1.0 + scv) / 2.0
    plan = plan_run(lam, tau, mean)
    low, likely, high = TRIANGLE
    m = one_role_map(1, f"{{min: {low}, likely: {likely}, max: {high}}}")
    arrivals = poisson_arrivals(lam, plan.arrivals, seed=500 + int(100 * rho))
    run = simulate(m, arrivals, seed=11)
    d = run.demands.sort_values("arrival")
    np.testing.assert_allclose(d["queue_minutes"].to_numpy(), fcfs_queue_minutes(
        d["arrival"].to_numpy(), d["touch_minutes"].to_numpy(), 1), rtol=0, atol=1e-6)

    s = steady(run, plan.warmup)
    queue, touch = s["queue_minutes"].to_numpy(), s["touch_minutes"].to_numpy()
    b = plan.batches
    n = len(touch)
    failures = [
        within("mean wait in queue (P-K)", *batch_means(queue, b), pollaczek_khinchine_wait(lam, mean, second), b),
        within("P(wait) = rho", *batch_means(queue > 0, b), rho, b),
        within("mean touch", touch.mean(), touch.std() / math.sqrt(n), mean, 1),
        within("E[touch^2]", (touch ** 2).mean(), (touch ** 2).std() / math.sqrt(n), second, 1),
    ]
    print(f"M/G/1 rho {rho}: {n} arrivals measured")
    failures = [f for f in failures if f]
    assert not failures, f"M/G/1 triangular {TRIANGLE} at rho {rho} ({n} arrivals measured): {failures}"
    assert touch.min() >= low and touch.max() <= high


# ------------------------------------------------------------------------------------------ Little's law


TWO_ROLES = """
name: Two roles
roles:
  - {id: front, name: Front desk, staff: 2, hours_per_day: 24, days_per_week: 7}
  - {id: back, name: Back office, staff: 3, hours_per_day: 24, days_per_week: 7}
entry: front
steps:
  - id: front
    role: front
    touch: {mean: 10, distribution: exponential}
    routes:
      - {to: resolved, probability: 0.4}
      - {to: back, otherwise: true}
  - id: back
    role: back
    touch: {min: 5, likely: 15, max: 40}
    wait: {mean: 30, unit: minutes, distribution: exponential}
    complete_and_accurate: 80
    not_accurate: {rework: back}
    routes:
      - {to: resolved, otherwise: true}
"""
TWO_ROLES_RATE = 0.15  # demands a minute


@pytest.fixture(scope="module")
def two_roles_run() -> RunResult:
    """A flow of two 24/7 roles with a wait, rework and a route by probability; 0.15 demands a minute, so
    the front desk (2 people, 10 minutes exponential) runs at rho 0.75 and the back office at about 0.68."""
    return simulate(parse_map(TWO_ROLES, "two_roles.yaml"), poisson_arrivals(TWO_ROLES_RATE, 15_000, seed=99),
                    seed=3)


def test_littles_law_on_timestamped_work_in_progress(two_roles_run: RunResult) -> None:
    """L = lambda W, with L the exact time-average of the number in the system from the arrival and
    resolution timestamps, and W from the per-demand durations the engine adds up (wait + queue + touch)."""
    run = two_roles_run
    d = run.demands
    assert (d["generated"] == "").all() and d["resolved"].notna().all()
    arrive, leave = d["arrival"].to_numpy(), d["resolved"].to_numpy()
    durations = (d["wait_minutes"] + d["queue_minutes"] + d["touch_minutes"]).to_numpy()
    t0, t1 = np.quantile(arrive, [0.1, 0.9])
    inside = (arrive >= t0) & (arrive < t1)
    big_l = time_average(arrive, leave, t0, t1)
    lam_hat = inside.sum() / (t1 - t0)
    w = float(durations[inside].mean())
    # The two sides differ only by the demands open at the window's edges: at most their whole time in the
    # system, divided by the window.
    edge = (durations[(arrive < t0) & (leave > t0)].sum() + durations[inside & (leave > t1)].sum()) / (t1 - t0)
    assert abs(big_l - lam_hat * w) <= edge, (big_l, lam_hat * w, edge)
    assert edge < 0.005 * big_l


def test_littles_law_from_timestamped_visits(two_roles_run: RunResult) -> None:
    """Work in progress integrated over time from the visit log (when each visit joined its queue, started,
    finished) against lambda x the per-demand means (queue_minutes_<role>, minutes_<role>): two records of
    the same run that the engine keeps apart. The two sides may differ only by the demands open at the
    window's edges, which bounds the difference exactly. And the front desk, which every demand visits once
    and first, holds the M/M/2 number lambda (Wq + 1 / mu)."""
    run, lam = two_roles_run, TWO_ROLES_RATE
    d, v = run.demands, run.visits
    assert not d["abandoned"].any() and d["resolved"].notna().all()
    assert len(v) == d["steps"].sum()
    arrive = d["arrival"].to_numpy()
    t0, t1 = np.quantile(arrive, [0.1, 0.9])
    inside = (arrive >= t0) & (arrive < t1)
    lam_hat = inside.sum() / (t1 - t0)
    open_at_edges = ((arrive < t0) & (d["resolved"].to_numpy() > t0)) | (inside & (d["resolved"].to_numpy() > t1))
    failures = []
    for role in ("front", "back"):
        rv = v[v["role"] == role]
        for what, starts, ends, per_demand in (
                ("queue", rv["queued"], rv["started"], d[f"queue_minutes_{role}"]),
                ("in service", rv["started"], rv["finished"], d[f"minutes_{role}"])):
            big_l = time_average(starts.to_numpy(), ends.to_numpy(), t0, t1)
            per = per_demand.to_numpy()
            edge = per[open_at_edges].sum() / (t1 - t0)
            rhs = lam_hat * per[inside].mean()
            print(f"Little at {role}, {what}: L from visits {big_l:.4f}, lambda W {rhs:.4f}, edge bound {edge:.4f}")
            if abs(big_l - rhs) > edge + 1e-9:
                failures.append(f"{role} {what}: L {big_l:.4f} from visits, lambda W {rhs:.4f}, edges {edge:.4f}")
    assert not failures, failures
    # busy people at the back office: from the visits, and from the role table's busy minutes (work started
    # in the measured window), within the work open at the window's edges
    back = v[v["role"] == "back"]
    busy = time_average(back["started"].to_numpy(), back["finished"].to_numpy(), run.measured_start,
                        run.measured_end)
    row = run.roles.set_index("role").loc["back"]
    window = run.measured_end - run.measured_start
    assert busy == pytest.approx(row["busy_minutes"] / window, abs=2 * 40.0 * 3 / window)

    # the front desk against theory: number there = lambda (Wq + 1/mu), SE = lambda x batch-means SE of
    # the time each demand spends there (queue + touch), demands in arrival order
    front = v[v["step"] == "front"].sort_values("queued")
    np.testing.assert_allclose(front["queued"].to_numpy(), np.sort(arrive), rtol=0, atol=1e-9)
    steady_front = front[(front["queued"] >= t0) & (front["queued"] < t1)]
    big_l = time_average(front["queued"].to_numpy(), front["finished"].to_numpy(), t0, t1)
    _, se = batch_means((steady_front["finished"] - steady_front["queued"]).to_numpy(), 20)
    theory = lam * (erlang_c_mean_wait(2, lam, 0.1) + 10.0)
    msg = within("number at the front desk (M/M/2)", big_l, lam * se, theory, 20)
    assert msg is None, msg


# ------------------------------------------------------------------------------------------ Erlang-A

ANSWER_TOUCH = 4.0  # minutes a call takes (exponential): mu = 0.25
PATIENCE = 2.0  # minutes a caller waits before hanging up (exponential): theta = 0.5
ANSWER_WITHIN = 20  # seconds: the service level a call centre reports
MIN_ABANDONED = 1_000  # the runs are long enough for about this many callers to give up, at least
CALL_CENTRE_QUEUE = f"""touchpoints:
  Phone:
    patience: {{mean: {PATIENCE}, unit: minutes, distribution: exponential}}
    call_back: 0
"""


def within_or_close(name: str, sim: float, se: float, theory: float, batches: int, rel: float = 0.05
                    ) -> str | None:
    """As `within`, but also passes within `rel` of theory (the issue's 5%)."""
    msg = within(name, sim, se, theory, batches)
    if msg is None or abs(sim - theory) <= rel * abs(theory):
        return None
    return f"{msg}; not within {rel:.0%} either"


@pytest.mark.parametrize("load", [0.8, 0.95, 1.1])
@pytest.mark.parametrize("c", [1, 5, 20])
def test_erlang_a_abandonment_and_waits(c: int, load: float) -> None:
    """M/M/c+M through a map whose Phone touchpoint has exponential patience and nobody calls back: the
    share who give up and the waits match the birth-death chain, within 5% or within 4 SE (stated)."""
    mu, theta = 1.0 / ANSWER_TOUCH, 1.0 / PATIENCE
    lam = load * c * mu
    theory = erlang_a(c, lam, mu, theta)
    tau = erlang_a_relaxation_time(c, lam, mu, theta)
    warmup = WARMUP_TAU * max(tau, ANSWER_TOUCH)
    n = math.ceil(lam * warmup + max(MIN_MEASURED, MIN_ABANDONED / theory.p_abandon))
    m = one_role_map(c, f"{{mean: {ANSWER_TOUCH}, distribution: exponential}}", CALL_CENTRE_QUEUE)
    arrivals = poisson_arrivals(lam, n, seed=3000 + 10 * c + int(10 * load))
    for a in arrivals:
        a.measured = a.time >= warmup  # the warm-up's callers are left out of the product's measures
    run = simulate(m, arrivals, seed=17)
    d = run.demands
    assert len(d) == n and (d["generated"] == "").all(), "call_back: 0 brings nobody back"
    assert (d["abandoned"] == d["resolved"].isna()).all(), "a caller either gives up or is resolved"
    s = steady(run, warmup)
    abandoned = s["abandoned"].to_numpy(dtype=bool)
    wait = s["answer_wait_minutes"].to_numpy(dtype=float)
    assert np.isfinite(wait).all() and (wait >= 0).all()
    np.testing.assert_allclose(wait, s["queue_minutes"].to_numpy(), rtol=0, atol=1e-9)
    b = 20
    answered_wait = wait[~abandoned]  # in arrival order, so batches of it are still consecutive
    failures = [
        within_or_close("P(abandon)", *batch_means(abandoned, b), theory.p_abandon, b),
        within_or_close("mean wait of all callers (min)", *batch_means(wait, b), theory.mean_wait, b),
        within_or_close("mean wait of answered callers (min)", *batch_means(answered_wait, b),
                        theory.mean_wait_answered, b),
        within_or_close("P(wait) (every agent busy)", *batch_means(wait > 0, b), theory.p_wait, b),
        within_or_close(f"answered within {ANSWER_WITHIN} s", *batch_means(~abandoned & (wait * 60 <= ANSWER_WITHIN), b),
                        erlang_a_service_level(c, lam, mu, theta, ANSWER_WITHIN / 60.0), b),
    ]
    # the product's own queue measures are those figures (the measured callers, computed by metrics.py)
    summary = metrics.summarise(run, (run.measured_end - run.measured_start) / (7 * DAY), ANSWER_WITHIN)
    assert summary["abandoned_share"] == pytest.approx(abandoned.mean())
    assert summary["answer_wait_seconds_mean"] == pytest.approx(60 * answered_wait.mean())
    assert summary["answered_within_share"] == pytest.approx(np.mean(~abandoned & (wait * 60 <= ANSWER_WITHIN)))
    print(f"Erlang-A c {c} load {load}: {len(s)} callers measured, {abandoned.sum()} gave up")
    failures = [f for f in failures if f]
    assert not failures, f"M/M/{c}+M at load {load} ({len(s)} callers measured): {failures}"


# ------------------------------------------------------------------------------------------ roster

ROSTER = ((0.0, 480.0, 3), (480.0, 960.0, 8), (960.0, 1440.0, 4))  # 00-08 3 people, 08-16 8, 16-24 4
ROSTER_TOUCH = 3.0  # minutes (exponential): mu = 1/3
ROSTER_RATE = 0.7  # calls a minute, day and night: offered load 2.1, rho 0.7 / 0.26 / 0.53
SETTLE = 120.0  # minutes after each change left out (over 3 relaxation times of the busiest period)
BEFORE_CHANGE = 30.0  # minutes before each change left out (a caller then is answered in the next period)
ROSTER_DAYS = 40


def test_roster_by_hour_matches_piecewise_erlang_c() -> None:
    """A 24/7 desk whose staff change by the hour, constant Poisson calls: well inside each stable period the
    waits are those of stationary M/M/c with that period's staff (the days are the batches)."""
    shifts = "\n".join(f'      - {{days: every day, from: "{int(a // 60):02d}:00", to: "{int(b // 60):02d}:00", '
                       f"staff: {c}}}" for a, b, c in ROSTER)
    m = parse_map(f"""
name: Roster
roles:
  - id: desk
    name: Desk
    roster:
{shifts}
entry: serve
steps:
  - id: serve
    role: desk
    touch: {{mean: {ROSTER_TOUCH}, distribution: exponential}}
    routes:
      - {{to: resolved, otherwise: true}}
""", "roster.yaml")
    assert not [p for p in m.problems if p.severity == "error"], m.problems
    mu = 1.0 / ROSTER_TOUCH
    periods = piecewise_erlang_c(ROSTER, ROSTER_RATE, mu)
    busiest = max(relaxation_time(p.staff, ROSTER_RATE, mu) for p in periods)
    assert 3 * busiest < SETTLE
    n = int(ROSTER_RATE * ROSTER_DAYS * DAY)
    run = simulate(m, poisson_arrivals(ROSTER_RATE, n, seed=4242), seed=23)
    d = run.demands
    assert d["resolved"].notna().all()
    day = (d["arrival"] // DAY).astype(int)
    minute = d["arrival"] % DAY
    failures = []
    for p in periods:
        inside = (minute >= p.start + SETTLE) & (minute < p.end - BEFORE_CHANGE) & (day >= 1) \
            & (day < ROSTER_DAYS - 1)
        per_day = d[inside].groupby(day[inside])
        waits = per_day["queue_minutes"].mean()
        waited = per_day["queue_minutes"].apply(lambda q: float((q > 0).mean()))
        k = len(waits)
        label = f"{p.staff} people {int(p.start // 60):02d}-{int(p.end // 60):02d}h"
        failures += [
            within(f"{label}: mean wait (min)", float(waits.mean()), float(waits.std(ddof=1)) / math.sqrt(k),
                   p.mean_wait, k),
            within(f"{label}: P(wait)", float(waited.mean()), float(waited.std(ddof=1)) / math.sqrt(k),
                   p.p_wait, k),
        ]
    failures = [f for f in failures if f]
    assert not failures, failures
