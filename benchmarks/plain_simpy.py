"""The Workbench simulation model written plainly in SimPy: the baseline of benchmarks/sim.py.

    .venv/bin/python benchmarks/plain_simpy.py [MAP.yaml ...] [--volume 10] [--staff scaled|map]

Same model as `workbench.sim.engine` (docs/compare.md), none of its bookkeeping:

* one SimPy process per demand, arriving at the planned minute (the arrivals are built once with
  `workbench.sim.engine.plan_arrivals` and shared with the engine, so both simulate the same demand);
* a `simpy.Resource` per role with its staff (rounded, at least one), a working calendar per role
  (`workbench.sim.calendar.Calendar`: hours_per_day from 08:00 on the first days_per_week days);
* each step draws its wait (elapsed) and its touch time (working time) with `random.triangular`
  (`random.expovariate` for exponential times) from ONE `random.Random(seed)`; %C&A decides whether the
  output is right; rework goes back to the rework step; routes are drawn from
  `workbench.flow.routing.next_steps`, called once per (step, kind) and cached - routing is part of what a
  map means, not of the engine;
* a wrong outcome with a recall spawns a new demand of the recall type 7 days later at the original
  touchpoint; waits spawn chases (for each full `every_days` of the wait, with the rule's probability);
  both flow through the map like any other demand;
* the run goes on until 365 days after the last arrival, as the engine's does.

What it does NOT do (the engine does): common random numbers (a hash per demand/step/visit/draw),
per-demand records, the result DataFrame, per-role busy logs. Bookkeeping is a handful of counters: demands
started and finished, total touch minutes, and for the measured demands hand-offs and end-to-end time (case
end = the later of the demand's own end and its recalls' ends, as docs/compare.md defines it), so a reader
can check that the two programs simulate the same model.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import simpy

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from workbench.demand.catalogue import Catalogue  # noqa: E402
from workbench.flow.model import RESOLVED, Duration, ProcessMap, Step  # noqa: E402
from workbench.flow.routing import DemandKind, next_steps  # noqa: E402
from workbench.sim.calendar import MINUTES_PER_DAY, Calendar  # noqa: E402

RECALL_AFTER_DAYS = 7.0
DRAIN_DAYS = 365.0


@dataclass
class PlainResult:
    started: int = 0  # demands that arrived (generated ones included)
    finished: int = 0  # demands that reached `resolved`
    measured: int = 0  # measured demands of the sample (not generated, after the warm-up)
    generated: int = 0  # chases and recalls spawned
    touch_minutes: float = 0.0
    handoffs_measured: int = 0  # hand-offs of the measured demands
    e2e_days: list[float] = field(default_factory=list)  # per measured case that finished
    unfinished_cases: int = 0

    @property
    def handoffs_mean(self) -> float:
        return self.handoffs_measured / self.measured if self.measured else float("nan")

    @property
    def e2e_days_mean(self) -> float:
        return sum(self.e2e_days) / len(self.e2e_days) if self.e2e_days else float("nan")


def _kind(demand_type: str, touchpoint: str, catalogue: Catalogue | None) -> DemandKind:
    entry = catalogue.lookup(demand_type) if catalogue and demand_type else None
    if entry:
        return DemandKind(entry.name, entry.nature, entry.cause, touchpoint)
    return DemandKind(demand_type, "failure", "", touchpoint)


def _sampler(d: Duration, rng: random.Random):  # noqa: ANN202 - returns a zero-argument callable
    """A function drawing one time in minutes from a step's wait or touch."""
    t = d.triple
    if t is None or max(t) <= 0:
        return None
    f = d.factor
    if d.exponential:
        rate = 1.0 / (t[1] * f)
        return lambda: rng.expovariate(rate)
    lo, mode, hi = t[0] * f, t[1] * f, t[2] * f
    if hi <= lo:
        return lambda: lo
    return lambda: rng.triangular(lo, hi, mode)


def run(m: ProcessMap, arrivals: Iterable, *, catalogue: Catalogue | None = None, seed: int = 1,
        staffing: dict[str, float] | None = None, env: simpy.Environment | None = None) -> PlainResult:
    """Simulate `arrivals` (objects with .time, .kind, .measured) through map `m`."""
    rng = random.Random(seed)
    env = env or simpy.Environment()
    staffing = staffing or {}
    resources = {r.id: simpy.Resource(env, capacity=max(1, round(float(staffing.get(r.id, r.staff)))))
                 for r in m.roles}
    calendars = {r.id: Calendar(r.hours_per_day, r.days_per_week) for r in m.roles}
    steps: dict[str, Step] = {s.id: s for s in m.steps}
    waits = {s.id: _sampler(s.wait, rng) for s in m.steps}
    touches = {s.id: _sampler(s.touch, rng) for s in m.steps}
    recall_kind: dict[tuple[str, str], DemandKind] = {}
    chase_rules = [(rule, rule.every_days * MINUTES_PER_DAY, _kind(rule.demand_type, rule.touchpoint, catalogue))
                   for rule in m.chases if rule.every_days > 0]
    chases_at = {s.id: [(every, rule.probability, kind) for rule, every, kind in chase_rules
                        if not rule.steps or s.id in rule.steps] for s in m.steps}
    routes: dict[tuple[str, DemandKind], list[tuple[float, str]]] = {}
    res = PlainResult()
    cases: dict[int, list] = {}  # measured case -> [arrival, open demands, last end]

    def route(step: Step, kind: DemandKind) -> list[tuple[float, str]]:
        table = routes.get((step.id, kind))
        if table is None:
            cum, table = 0.0, []
            for dest, p, _ in next_steps(step, kind):
                cum += p
                table.append((cum, dest))
            routes[(step.id, kind)] = table
        return table

    def spawn(when: float, kind: DemandKind, case: int | None, recall: bool) -> None:
        res.generated += 1
        if case is not None and recall:  # a recall means the need was not met: the case waits for it
            cases[case][1] += 1
        env.process(demand(when, kind, case, False, recall))

    def demand(arrive: float, kind: DemandKind, case: int | None, original: bool, ends_case: bool):  # noqa: ANN202
        if arrive > env.now:
            yield env.timeout(arrive - env.now)
        res.started += 1
        step_id = m.entry_for(kind.touchpoint)
        done = False
        while True:
            step = steps.get(step_id)
            if step is None or step.role not in resources:
                break
            draw_wait = waits[step_id]
            wait = draw_wait() if draw_wait else 0.0
            if wait > 0:
                now = env.now
                for every, p, chase_kind in chases_at[step_id]:
                    k = 1
                    while k * every <= wait:
                        if rng.random() < p:
                            spawn(now + k * every, chase_kind, case, False)
                        k += 1
                yield env.timeout(wait)
            with resources[step.role].request() as req:
                yield req
                draw_touch = touches[step_id]
                work = draw_touch() if draw_touch else 0.0
                began = env.now
                end = calendars[step.role].finish(began, work)
                if end > began:
                    yield env.timeout(end - began)
            res.touch_minutes += work
            if rng.random() * 100.0 >= step.complete_and_accurate:  # output not right
                if step.rework_to:
                    nxt = step.rework_to
                else:
                    if step.recall_type:
                        key = (step.recall_type, kind.touchpoint)
                        if key not in recall_kind:
                            recall_kind[key] = _kind(step.recall_type, kind.touchpoint, catalogue)
                        spawn(env.now + RECALL_AFTER_DAYS * MINUTES_PER_DAY, recall_kind[key], case, True)
                    nxt = _pick(route(step, kind), rng.random())
            else:
                nxt = _pick(route(step, kind), rng.random())
            if nxt == RESOLVED:
                done = True
                break
            following = steps.get(nxt)
            if following is None:
                break
            if original and step.role != following.role and not (step.pulled or following.pulled):
                res.handoffs_measured += 1
            step_id = nxt
        res.finished += done
        if done and case is not None and (original or ends_case):
            entry = cases[case]
            entry[1] -= 1
            entry[2] = max(entry[2], env.now)

    for a in arrivals:
        case = None
        if a.measured:
            res.measured += 1
            case = a.id
            cases[case] = [a.time, 1, a.time]
        env.process(demand(a.time, a.kind, case, a.measured, a.measured))
    last = max((a.time for a in arrivals), default=0.0)
    env.run(until=last + DRAIN_DAYS * MINUTES_PER_DAY)
    for arrived, open_, end in cases.values():
        if open_ > 0:
            res.unfinished_cases += 1
        else:
            res.e2e_days.append((end - arrived) / MINUTES_PER_DAY)
    return res


def _pick(table: list[tuple[float, str]], u: float) -> str:
    for cum, dest in table:
        if u < cum:
            return dest
    return "__unrouted__"


def main(argv: list[str] | None = None) -> int:
    from workbench.demand.catalogue import load_catalogue
    from workbench.demand.load import load_demand
    from workbench.flow.model import load_map
    from workbench.sim.engine import plan_arrivals

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("maps", nargs="*", default=[str(ROOT / "process_maps/housing_repairs_standard_work.yaml"),
                                                str(ROOT / "process_maps/housing_repairs_worker_led.yaml")])
    p.add_argument("--volume", type=float, default=10.0)
    p.add_argument("--staff", choices=("scaled", "map"), default="scaled")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    catalogue = load_catalogue(ROOT / "sample_data/housing_repairs_catalogue.yaml")
    frame = load_demand(ROOT / "sample_data/housing_repairs_demand.csv", catalogue=catalogue).frame
    plan = plan_arrivals(frame, catalogue, volume=args.volume, seed=args.seed)
    for path in args.maps:
        m = load_map(path)
        scale = args.volume if args.staff == "scaled" else 1.0
        r = run(m, plan.arrivals, catalogue=catalogue, seed=args.seed,
                staffing={role.id: role.staff * scale for role in m.roles})
        print(f"{m.name}: {r.started} demands ({r.generated} generated), {r.finished} finished, "
              f"hand-offs {r.handoffs_mean:.3f}, end-to-end {r.e2e_days_mean:.2f} days, "
              f"{r.unfinished_cases} cases open")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
