"""The SimPy engine as it was before the engine became its own event loop: the oracle of
tests/test_engine_agreement.py, NOT part of the package (nothing in workbench/ imports it).

`workbench.sim.engine` replaced SimPy with a purpose-built loop that keeps SimPy's order of simultaneous
events; its SimPy part (the model, the pool of people, the run and its result frames) is kept, unchanged apart
from this docstring, so the test can show that the two give identical results, demand by demand, on every
bundled map. What did not change (the draws, the arrivals, the plain helpers, the visits frame) is imported
from the engine rather than copied; what the two model is what the engine's module docstring describes.
"""

from __future__ import annotations

import contextlib
import math
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import simpy

from workbench.demand.catalogue import Catalogue
from workbench.flow.expected import is_handoff
from workbench.flow.model import RESOLVED, Duration, ProcessMap, Step
from workbench.flow.routing import UNROUTED, DemandKind, next_steps
from workbench.sim.calendar import MINUTES_PER_DAY, Calendar, Person, pool
from workbench.sim.engine import (
    _PATIENCE_KEY,
    CALL_BACK,
    DRAIN_DAYS,
    GAVE_UP,
    RECALL_AFTER_DAYS,
    Arrival,
    Draws,
    RunResult,
    ServiceTimeError,
    _levels,
    _patience_from_data,
    _text_key,
    _visits,
    closed_day_numbers,
    kind_for,
    missing_service_times,
    people,
    sample_minutes,
)
from workbench.sim.service_times import (
    ALL_TOUCHPOINTS,
    Sampler,
    touchpoint_key,
)


@dataclass
class _Record:
    arrival: Arrival
    steps: int = 0
    value_steps: int = 0
    handoffs: int = 0
    rework: int = 0
    touch: float = 0.0
    wait: float = 0.0
    queue: float = 0.0
    one_stop: bool = True
    recalls: int = 0
    chases: int = 0
    unrouted: bool = False
    resolved: float = math.nan
    path: list[str] = field(default_factory=list)
    minutes_by_role: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    queue_by_role: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    answer_wait: float = math.nan
    abandoned: bool = False
    patience_at_answer: bool = False  # its first step's queue had patience (callers could give up there)


class _Pool:
    """A role of people with their own shifts: FIFO to the first free person at work (see the module
    docstring). `request()` gives an event that succeeds with the person's index when someone starts."""

    def __init__(self, env: simpy.Environment, people_: list[Person]) -> None:
        self.env = env
        self.people = people_
        self.free = [True] * len(people_)
        self.waiting: deque[simpy.Event] = deque()
        self.wake_at = [math.inf] * len(people_)

    def _free_at_work(self, now: float) -> int | None:
        for k, person in enumerate(self.people):
            if self.free[k] and person.at_work(now):
                return k
        return None

    def request(self) -> simpy.Event:
        ev = self.env.event()
        now = self.env.now
        k = self._free_at_work(now) if not self.waiting else None
        if k is not None:
            self.free[k] = False
            ev.succeed(k)
        else:
            self.waiting.append(ev)
            self._schedule_wakes()
        return ev

    def cancel(self, ev: simpy.Event) -> None:
        if not ev.triggered:
            with contextlib.suppress(ValueError):
                self.waiting.remove(ev)

    def release(self, k: int) -> None:
        self.free[k] = True
        self._dispatch()

    def _dispatch(self) -> None:
        now = self.env.now
        while self.waiting:
            k = self._free_at_work(now)
            if k is None:
                break
            self.free[k] = False
            self.waiting.popleft().succeed(k)
        if self.waiting:
            self._schedule_wakes()

    def _schedule_wakes(self) -> None:
        """Wake each free person who is off work at their next shift, to take the work then waiting."""
        now = self.env.now
        for k, person in enumerate(self.people):
            if not self.free[k]:
                continue
            t = person.next_start(now)
            if t == math.inf or now <= self.wake_at[k] <= t:
                continue
            self.wake_at[k] = t
            self.env.process(self._wake(k, t))

    def _wake(self, k: int, t: float):  # noqa: ANN202 - a SimPy process
        yield self.env.timeout(t - self.env.now)
        if self.wake_at[k] == t:
            self.wake_at[k] = math.inf
        self._dispatch()

    def working_minutes(self, start: float, end: float) -> float:
        return sum(p.working_minutes(start, end) for p in self.people)


class _Model:
    def __init__(self, m: ProcessMap, catalogue: Catalogue | None, seed: int, replication: int,
                 staffing: Mapping[str, float] | None,
                 service_minutes: Mapping[str, Sequence[float]] | None = None,
                 start_date: pd.Timestamp | None = None,
                 patience_minutes: Mapping[str, float] | None = None) -> None:
        self.m = m
        self.catalogue = catalogue
        self.seed = seed
        self.replication = replication
        self.env = simpy.Environment()
        self.steps = {s.id: s for s in m.steps if s.id}
        self.step_keys = {sid: _text_key(sid) for sid in self.steps}
        staffing = staffing or {}
        self.staff = {r.id: float(staffing.get(r.id, r.peak_staff if r.roster else r.staff)) for r in m.roles}
        closed = closed_day_numbers(m, start_date)
        self.pools: dict[str, _Pool] = {}
        self.calendars: dict[str, Calendar] = {}
        self.resources: dict[str, simpy.Resource | None] = {}
        self.servers: dict[str, int] = {}
        for r in m.roles:
            if r.roster or r.hours:
                p = _Pool(self.env, pool(_levels(r, self.staff[r.id]), closed))
                self.pools[r.id] = p
                self.resources[r.id] = None
                self.servers[r.id] = len(p.people)
            else:
                # people work whole: 2.5 staff are simulated as 3 (half up, at least 1); utilisation is of those
                self.servers[r.id] = people(self.staff[r.id])
                self.resources[r.id] = simpy.Resource(self.env, capacity=self.servers[r.id])
                self.calendars[r.id] = Calendar(r.hours_per_day, r.days_per_week, r.opens, closed)
        self.records: list[_Record] = []
        self.routes: dict[tuple[str, DemandKind], list[tuple[float, str, bool]]] = {}
        self.next_id = 0
        self.busy: list[tuple[str, float, float]] = []  # (role, start, work minutes)
        self.visits: list[tuple[int, str, str, float, float, float, float, bool]] = []
        self.sampler = Sampler(service_minutes)
        problem = missing_service_times(m, self.sampler.has_data())
        if problem:
            raise ServiceTimeError(problem)
        self.patience_on = m.uses_patience()
        self.patience_data = _patience_from_data(m, patience_minutes)

    def touch_minutes(self, step: Step, demand_type: str, u: float) -> float:
        if step.touch.from_data:
            return self.sampler.for_type(demand_type, step.touch.fit).draw(u)
        return sample_minutes(step.touch, u)

    def patience_for(self, step: Step, a: Arrival, first: bool) -> Duration | None:
        patience: Duration | None = None
        if step.patience is not None:
            patience = step.patience
        elif first:
            q = self.m.queue_at(a.kind.touchpoint)
            patience = q.patience if q is not None else None
        if patience is not None and patience.from_data:  # exponential, its mean estimated from the queue waits
            key = touchpoint_key(a.kind.touchpoint)
            return self.patience_data.get(key) or self.patience_data[ALL_TOUCHPOINTS]
        return patience

    def give_up(self, a: Arrival, rec: _Record, step: Step, visit: int, draws: Draws) -> None:
        """The caller hung up: maybe they call back later, as failure demand."""
        rec.abandoned = True
        rec.one_stop = False
        q = self.m.queue_at(a.kind.touchpoint)
        if q is None or q.call_back <= 0:
            return
        if draws.uniform() < q.call_back:
            after = sample_minutes(q.call_back_after, draws.uniform())
            kind = DemandKind(a.kind.demand_type, "failure", GAVE_UP, a.kind.touchpoint)
            self.spawn(self.env.now + after, kind, a, CALL_BACK, step.id)

    def route_table(self, step: Step, kind: DemandKind) -> list[tuple[float, str, bool]]:
        key = (step.id, kind)
        table = self.routes.get(key)
        if table is None:
            cum, table = 0.0, []
            for dest, p, route in next_steps(step, kind):
                cum += p
                table.append((cum, dest, bool(route and route.rework)))
            self.routes[key] = table
        return table

    def start(self, arrival: Arrival) -> None:
        self.env.process(self.flow(arrival))

    def spawn(self, when: float, kind: DemandKind, parent: Arrival, generated: str, step_id: str,
              cause: str = "") -> None:
        """A demand this design generates; `cause` (when the kind has none of its own) is the failure cause it
        carries in the results (docs/compare.md, "Causes of the design's own failure demand")."""
        self.next_id += 1
        if cause and not kind.cause:
            kind = replace(kind, cause=cause)
        child = Arrival(self.next_id, parent.case, when, kind, parent.measured, generated, step_id, parent.id)
        self.env.process(self.flow(child))

    def flow(self, a: Arrival):  # noqa: ANN201 - a SimPy process (generator)
        env = self.env
        if a.time > env.now:
            yield env.timeout(a.time - env.now)
        rec = _Record(a)
        self.records.append(rec)
        step_id = self.m.entry_for(a.kind.touchpoint)
        visits: dict[str, int] = defaultdict(int)
        first = True
        while True:
            step = self.steps.get(step_id)
            if step is None or step.role not in self.resources:
                rec.unrouted = True
                break
            visit = visits[step_id]
            visits[step_id] += 1
            draws = Draws(self.seed, self.replication, a.id, self.step_keys[step_id], visit)
            wait = sample_minutes(step.wait, draws.uniform())
            if wait > 0:
                if not first:
                    rec.one_stop = False
                self.chases_during(a, rec, step, visit, wait)
                yield env.timeout(wait)
                rec.wait += wait
            touch_u = draws.uniform()
            queued = env.now
            patience = self.patience_for(step, a, first) if self.patience_on else None
            limit = math.inf
            pdraws = None
            if patience is not None:
                pdraws = Draws(self.seed, self.replication, a.id, self.step_keys[step_id], visit, _PATIENCE_KEY)
                limit = queued + sample_minutes(patience, pdraws.uniform())
                if first:
                    rec.patience_at_answer = True
            role = step.role
            resource = self.resources[role]
            gave_up = False
            if resource is None:  # a pool of people with shifts
                pool_ = self.pools[role]
                req = pool_.request()
                if limit < math.inf and not req.triggered:
                    yield req | env.timeout(max(limit - env.now, 0.0))
                    if not req.triggered:
                        pool_.cancel(req)
                        gave_up = True
                else:
                    yield req
                if not gave_up:
                    person: int = req.value  # type: ignore[assignment]
                    began = env.now
                    work = self.touch_minutes(step, a.kind.demand_type, touch_u)
                    if work > 0:
                        yield env.timeout(work)
                    pool_.release(person)
            else:
                calendar = self.calendars[role]
                with resource.request() as req:
                    if limit < math.inf:
                        yield req | env.timeout(max(limit - env.now, 0.0))
                        # answered only if someone is free and at work before the caller's patience runs out
                        gave_up = not req.triggered or calendar.next_working(env.now) > limit
                    else:
                        yield req
                    if not gave_up:
                        work = self.touch_minutes(step, a.kind.demand_type, touch_u)
                        granted = env.now
                        began = calendar.next_working(granted) if work > 0 else granted
                        end = calendar.finish(granted, work)
                        if end > granted:
                            yield env.timeout(end - granted)
                if gave_up and env.now < limit:
                    yield env.timeout(limit - env.now)
            if gave_up:
                wait_q = env.now - queued
                rec.queue += wait_q
                rec.queue_by_role[role] += wait_q
                if first:
                    rec.answer_wait = wait_q
                self.visits.append((a.id, step_id, role, queued, math.nan, env.now, wait_q, True))
                self.give_up(a, rec, step, visit, pdraws)  # type: ignore[arg-type]
                break
            wait_q = began - queued
            rec.queue += wait_q
            rec.queue_by_role[role] += wait_q
            if first:
                rec.answer_wait = wait_q
            self.visits.append((a.id, step_id, role, queued, began, env.now, wait_q, False))
            self.busy.append((step.role, began, work))
            rec.touch += work
            rec.minutes_by_role[step.role] += work
            rec.steps += 1
            rec.value_steps += step.is_value
            rec.path.append(step_id)
            accurate = draws.uniform() * 100.0 < step.complete_and_accurate
            if not accurate and step.rework_to:
                nxt, rework = step.rework_to, True
            else:
                if not accurate and step.recall_type:
                    rec.recalls += 1
                    rec.one_stop = False
                    kind = kind_for(step.recall_type, a.kind.touchpoint, self.catalogue, "failure")
                    self.spawn(env.now + RECALL_AFTER_DAYS * MINUTES_PER_DAY, kind, a, "recall", step_id,
                               cause=f"not put right at {step.name or step.id}")
                u = draws.uniform()
                nxt, rework = UNROUTED, False
                for cum, dest, is_rework in self.route_table(step, a.kind):
                    if u < cum:
                        nxt, rework = dest, is_rework
                        break
            if rework:
                rec.rework += 1
                rec.one_stop = False
            if nxt == RESOLVED:
                break
            if nxt == UNROUTED or nxt not in self.steps:
                rec.unrouted = True
                break
            if is_handoff(step, self.steps[nxt]):
                rec.handoffs += 1
                rec.one_stop = False
            step_id = nxt
            first = False
        if not rec.abandoned:
            rec.resolved = env.now

    def chases_during(self, a: Arrival, rec: _Record, step: Step, visit: int, wait: float) -> None:
        for r, rule in enumerate(self.m.chases):
            if rule.every_days <= 0 or (rule.steps and step.id not in rule.steps):
                continue
            every = rule.every_days * MINUTES_PER_DAY
            draws = Draws(self.seed, self.replication, a.id, self.step_keys[step.id], visit, 7_919 + r)
            k = 1
            while k * every <= wait:
                if draws.uniform() < rule.probability:
                    rec.chases += 1
                    kind = kind_for(rule.demand_type, rule.touchpoint, self.catalogue, "failure")
                    if rule.cause:  # the map says why: it wins over the catalogue's cause of the type
                        kind = replace(kind, cause=rule.cause)
                    self.spawn(self.env.now + k * every, kind, a, "chase", step.id,
                               cause=rule.name or "progress chasing")
                k += 1


def simulate(m: ProcessMap, arrivals: list[Arrival], *, catalogue: Catalogue | None = None, seed: int = 1,
             replication: int = 0, staffing: Mapping[str, float] | None = None,
             measured: tuple[float, float] | None = None,
             service_minutes: Mapping[str, Sequence[float]] | None = None,
             start_date: pd.Timestamp | None = None,
             patience_minutes: Mapping[str, float] | None = None) -> RunResult:
    """Run one replication of one design on the given arrivals (which every design shares).

    `service_minutes`: recorded handling minutes by demand type, for steps whose time is `from_data` (see
    `service_minutes_by_type`); `start_date`: the real date of simulation day 0, for the map's `closed` dates
    (without it they are not applied); `patience_minutes`: mean patience by touchpoint key for the map's
    `patience: from_data` (see `service_times.patience_estimates`). Raises ValueError, naming the step, when a
    step takes its time from the data and there is none (or a patience from the data has no estimate)."""
    model = _Model(m, catalogue, seed, replication, staffing, service_minutes, start_date, patience_minutes)
    model.next_id = max((a.id for a in arrivals), default=0) + 1_000_000
    for a in arrivals:
        model.start(a)
    last = max((a.time for a in arrivals), default=0.0)
    start, end = measured or (min((a.time for a in arrivals if a.measured), default=0.0), last)
    model.env.run(until=last + DRAIN_DAYS * MINUTES_PER_DAY)
    return RunResult(_frame(model, m), _roles(model, m, start, end), start, end, _visits(model),
                     model.patience_on)


def _frame(model: _Model, m: ProcessMap) -> pd.DataFrame:
    role_ids = [r.id for r in m.roles]
    rows = []
    for rec in model.records:
        a = rec.arrival
        row = {
            "id": a.id, "case": a.case, "origin": a.origin, "demand_type": a.kind.demand_type,
            "touchpoint": a.kind.touchpoint, "nature": a.kind.nature, "cause": a.kind.cause,
            "generated": a.generated, "caused_by_step": a.caused_by_step, "measured": a.measured,
            "arrival": a.time, "resolved": rec.resolved if not rec.unrouted else math.nan,
            "abandoned": rec.abandoned, "answer_wait_minutes": rec.answer_wait,
            "patience_at_answer": rec.patience_at_answer,
            "steps": rec.steps, "value_steps": rec.value_steps, "handoffs": rec.handoffs, "rework": rec.rework,
            "touch_minutes": rec.touch, "wait_minutes": rec.wait, "queue_minutes": rec.queue,
            "one_stop": rec.one_stop and not rec.unrouted, "recalls": rec.recalls, "chases": rec.chases,
            "unrouted": rec.unrouted, "path": " > ".join(rec.path),
        }
        for rid in role_ids:
            row[f"minutes_{rid}"] = rec.minutes_by_role.get(rid, 0.0)
        for rid in role_ids:
            row[f"queue_minutes_{rid}"] = rec.queue_by_role.get(rid, 0.0)
        rows.append(row)
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    # Each demand never finishes before it starts; an unfinished one (still in progress when the run stops)
    # keeps NaN as its resolution time.
    finished = {r.arrival.id for r in model.records}
    df["finished"] = df["id"].isin(finished) & df["resolved"].notna()
    return df.sort_values(["arrival", "id"]).reset_index(drop=True)


def _roles(model: _Model, m: ProcessMap, start: float, end: float) -> pd.DataFrame:
    busy: dict[str, float] = defaultdict(float)
    for role, began, work in model.busy:
        if start <= began < end:
            busy[role] += work
    rows = []
    for r in m.roles:
        if r.id in model.pools:
            capacity = model.pools[r.id].working_minutes(start, end)
        else:
            capacity = model.servers[r.id] * model.calendars[r.id].working_minutes(start, end)
        rows.append({"role": r.id, "name": r.name, "staff": model.staff[r.id], "people": model.servers[r.id],
                     "busy_minutes": busy[r.id], "capacity_minutes": capacity,
                     "utilisation": busy[r.id] / capacity if capacity > 0 else np.nan})
    return pd.DataFrame(rows)


# a demand of the sample as a day replays it: (minute of the day, kind, the sample's row)
