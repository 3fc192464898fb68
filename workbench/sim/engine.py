"""Discrete-event simulation of real demand flowing through a process map (SimPy).

Trace-driven: demands arrive when and where the sample says, with their type and touchpoint (optionally
resampled to more weeks or more volume, by weekday so the weekly rhythm stays). Roles are SimPy resources
with their staff and a working calendar; work queues when everyone is busy. Each step draws its wait and
touch time, its accuracy and its route from the map; rework loops back; recalls and chases enter as new
failure demand of the same case and count against the design.

Random numbers are counter-based: every draw is a hash of (seed, replication, demand, step, visit, draw),
so two designs that share a step give the same demand the same draws there (common random numbers), and a
seed always gives the same result.
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import simpy

from workbench import schema
from workbench.demand.catalogue import Catalogue
from workbench.flow.expected import is_handoff
from workbench.flow.model import RESOLVED, Duration, ProcessMap, Step
from workbench.flow.routing import UNROUTED, DemandKind, next_steps
from workbench.sim.calendar import MINUTES_PER_DAY, Calendar

RECALL_AFTER_DAYS = 7.0  # a customer whose job was not put right comes back about a week later
DRAIN_DAYS = 365.0  # after the last arrival, work in progress may run this long before the run stops
_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    """splitmix64 finaliser: a well-spread 64-bit hash of an integer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _text_key(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


class Draws:
    """Uniform draws for one (demand, step, visit): the same key gives the same sequence in any design."""

    __slots__ = ("base", "i")

    def __init__(self, *parts: int) -> None:
        h = 0
        for p in parts:
            h = _mix(h ^ (p & _MASK))
        self.base = h
        self.i = 0

    def uniform(self) -> float:
        self.i += 1
        return ((_mix(self.base + self.i) >> 11) + 0.5) / float(1 << 53)


def sample_minutes(d: Duration, u: float) -> float:
    """Inverse-CDF draw from a step's time (triangular or exponential), in minutes."""
    t = d.triple
    if t is None:
        return 0.0
    if d.exponential:
        return -t[1] * math.log(1.0 - u) * d.factor
    a, c, b = t
    if b <= a:
        return a * d.factor
    cut = (c - a) / (b - a)
    x = a + math.sqrt(u * (b - a) * (c - a)) if u < cut else b - math.sqrt((1 - u) * (b - a) * (b - c))
    return x * d.factor


@dataclass
class Arrival:
    id: int
    case: int
    time: float  # calendar minutes from Monday 00:00 of the first simulated week
    kind: DemandKind
    measured: bool = True  # False for the warm-up period
    generated: str = ""  # "", "chase" or "recall"
    caused_by_step: str = ""
    origin: int = -1  # the demand whose flow generated this one
    row: int = -1  # the demand sample's row it replays (its position in the frame); -1 for generated demand


@dataclass
class RunResult:
    """One replication of one design: a row per demand (generated ones included) and per role."""

    demands: pd.DataFrame
    roles: pd.DataFrame
    measured_start: float
    measured_end: float


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


def kind_for(demand_type: str, touchpoint: str, catalogue: Catalogue | None, nature: str = "",
             cause: str = "") -> DemandKind:
    entry = catalogue.lookup(demand_type) if catalogue and demand_type else None
    if entry and entry.decided:
        return DemandKind(entry.name, entry.nature, entry.cause, touchpoint)
    return DemandKind(entry.name if entry else demand_type, nature, cause, touchpoint)


class _Model:
    def __init__(self, m: ProcessMap, catalogue: Catalogue | None, seed: int, replication: int,
                 staffing: Mapping[str, float] | None) -> None:
        self.m = m
        self.catalogue = catalogue
        self.seed = seed
        self.replication = replication
        self.env = simpy.Environment()
        self.steps = {s.id: s for s in m.steps if s.id}
        self.step_keys = {sid: _text_key(sid) for sid in self.steps}
        staffing = staffing or {}
        self.staff = {r.id: float(staffing.get(r.id, r.staff)) for r in m.roles}
        # people work whole: 2.5 staff are simulated as 3 (half up, at least 1), and utilisation is of those
        self.servers = {rid: people(n) for rid, n in self.staff.items()}
        self.resources = {rid: simpy.Resource(self.env, capacity=n) for rid, n in self.servers.items()}
        self.calendars = {r.id: Calendar(r.hours_per_day, r.days_per_week) for r in m.roles}
        self.records: list[_Record] = []
        self.routes: dict[tuple[str, DemandKind], list[tuple[float, str, bool]]] = {}
        self.next_id = 0
        self.busy: list[tuple[str, float, float]] = []  # (role, start, work minutes)

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
            with self.resources[step.role].request() as req:
                yield req
                rec.queue += env.now - queued
                work = sample_minutes(step.touch, touch_u)
                began = env.now
                end = self.calendars[step.role].finish(began, work)
                if end > began:
                    yield env.timeout(end - began)
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


def people(staff: float) -> int:
    """How many people a staffing figure is simulated as: whole people, half up, at least one."""
    return max(1, math.floor(float(staff) + 0.5))


def simulate(m: ProcessMap, arrivals: list[Arrival], *, catalogue: Catalogue | None = None, seed: int = 1,
             replication: int = 0, staffing: Mapping[str, float] | None = None,
             measured: tuple[float, float] | None = None) -> RunResult:
    """Run one replication of one design on the given arrivals (which every design shares)."""
    model = _Model(m, catalogue, seed, replication, staffing)
    model.next_id = max((a.id for a in arrivals), default=0) + 1_000_000
    for a in arrivals:
        model.start(a)
    last = max((a.time for a in arrivals), default=0.0)
    start, end = measured or (min((a.time for a in arrivals if a.measured), default=0.0), last)
    model.env.run(until=last + DRAIN_DAYS * MINUTES_PER_DAY)
    return RunResult(_frame(model, m), _roles(model, m, start, end), start, end)


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
            "steps": rec.steps, "value_steps": rec.value_steps, "handoffs": rec.handoffs, "rework": rec.rework,
            "touch_minutes": rec.touch, "wait_minutes": rec.wait, "queue_minutes": rec.queue,
            "one_stop": rec.one_stop and not rec.unrouted, "recalls": rec.recalls, "chases": rec.chases,
            "unrouted": rec.unrouted, "path": " > ".join(rec.path),
        }
        for rid in role_ids:
            row[f"minutes_{rid}"] = rec.minutes_by_role.get(rid, 0.0)
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
        capacity = model.servers[r.id] * model.calendars[r.id].working_minutes(start, end)
        rows.append({"role": r.id, "name": r.name, "staff": model.staff[r.id], "people": model.servers[r.id],
                     "busy_minutes": busy[r.id], "capacity_minutes": capacity,
                     "utilisation": busy[r.id] / capacity if capacity > 0 else np.nan})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------- arrivals


# a demand of the sample as a day replays it: (minute of the day, kind, the sample's row)
_Item = tuple[float, DemandKind, int]


def _day_pools(demands: list[tuple[_Item, pd.Timestamp]]) -> dict[int, list[list[_Item]]]:
    """The sample's days grouped by weekday (0 = Monday): each day a list of (minute of day, kind, row)."""
    by_day: dict[pd.Timestamp, list[_Item]] = defaultdict(list)
    for item, d in demands:
        by_day[d].append(item)
    pools: dict[int, list[list[_Item]]] = defaultdict(list)
    if by_day:
        for d in pd.date_range(min(by_day), max(by_day), freq="D"):
            pools[d.day_of_week].append(sorted(by_day.get(d, []), key=lambda x: x[0]))
    return pools


@dataclass
class ArrivalPlan:
    arrivals: list[Arrival]
    measured_start: float
    measured_end: float
    weeks: float


def plan_arrivals(frame: pd.DataFrame, catalogue: Catalogue | None = None, *, weeks: int | None = None,
                  volume: float = 1.0, warmup_weeks: int = 1, seed: int = 1, replication: int = 0,
                  vary_arrivals: bool = False) -> ArrivalPlan:
    """The arrivals of one replication, shared by every design.

    With `weeks=None` and `volume=1` the measured period is the sample itself, day by day. Otherwise each
    simulated day is a random day of the sample falling on the same weekday (a bootstrap by weekday), and
    `volume` scales each day's count (extra demands drawn from that day). A warm-up of `warmup_weeks` built the
    same way runs first so queues are not empty when measurement starts; warm-up demands are not measured.
    With `vary_arrivals` the sample's own days are bootstrapped too (each day of the sample replaced by a random
    day of the sample on the same weekday), so replications differ in which days arrive. Every arrival keeps
    the sample row it replays (`Arrival.row`).
    """
    if frame.empty:
        raise ValueError("the demand sample is empty")
    rng = np.random.default_rng([seed, replication, 4_099])
    demands = _demands_with_days(frame, catalogue)
    pools = _day_pools(demands)
    first_day = frame[schema.RECEIVED_AT].min().normalize()
    first_monday = first_day - pd.Timedelta(days=first_day.day_of_week)
    sample_days = [d for d in pd.date_range(first_day, frame[schema.RECEIVED_AT].max().normalize(), freq="D")]
    arrivals: list[Arrival] = []

    def add_day(day_index: int, demands: list[_Item], measured: bool) -> None:
        for minute, kind, row in demands:
            n = len(arrivals) + 1
            arrivals.append(Arrival(n, n, day_index * MINUTES_PER_DAY + minute, kind, measured, row=row))

    def bootstrap_day(day_index: int, measured: bool) -> None:
        pool = pools.get(day_index % 7) or [[]]
        demands = pool[int(rng.integers(len(pool)))]
        add_day(day_index, _scaled(demands, volume, rng), measured)

    warm_days = 7 * max(warmup_weeks, 0)
    for d in range(warm_days):
        bootstrap_day(d, measured=False)
    if weeks is None and volume == 1.0:
        offset = warm_days + (first_day - first_monday).days
        by_day: dict[pd.Timestamp, list[_Item]] = {day: [] for day in sample_days}
        for item, day in demands:
            by_day[day].append(item)
        for i, day in enumerate(sample_days):
            if vary_arrivals:  # the sample's calendar, each day a random sample day of the same weekday
                pool = pools.get(day.day_of_week) or [[]]
                add_day(offset + i, pool[int(rng.integers(len(pool)))], measured=True)
            else:
                add_day(offset + i, sorted(by_day[day], key=lambda x: x[0]), measured=True)
        start = (warm_days + (first_day - first_monday).days) * MINUTES_PER_DAY
        end = (offset + len(sample_days)) * MINUTES_PER_DAY
        n_weeks = len(sample_days) / 7.0
    else:
        n_weeks = weeks if weeks is not None else math.ceil(len(sample_days) / 7)
        for d in range(warm_days, warm_days + 7 * n_weeks):
            bootstrap_day(d, measured=True)
        start, end = warm_days * MINUTES_PER_DAY, (warm_days + 7 * n_weeks) * MINUTES_PER_DAY
    return ArrivalPlan(arrivals, start, end, float(n_weeks))


def _demands_with_days(frame: pd.DataFrame, catalogue: Catalogue | None) -> list[tuple[_Item, pd.Timestamp]]:
    dates = frame[schema.RECEIVED_AT]
    day = dates.dt.normalize()
    minute = ((dates - day).dt.total_seconds() / 60.0).to_numpy()
    types = frame[schema.DEMAND_TYPE].astype("object").fillna("").to_numpy()
    tps = frame[schema.TOUCHPOINT].astype("object").fillna("").to_numpy()
    natures = frame[schema.NATURE].astype("object").fillna("").to_numpy()
    causes = frame[schema.FAILURE_CAUSE].astype("object").fillna("").to_numpy()
    cache: dict[tuple[str, str, str, str], DemandKind] = {}
    out = []
    for i, d in enumerate(day):
        key = (types[i], tps[i], natures[i], causes[i])
        if key not in cache:
            nature = natures[i] if natures[i] in ("value", "failure") else ""
            cache[key] = kind_for(types[i], tps[i], catalogue, nature, causes[i])
        out.append(((float(minute[i]), cache[key], i), d))
    return out


def _scaled(demands: list[_Item], volume: float, rng: np.random.Generator) -> list[_Item]:
    if volume == 1.0 or not demands:
        return demands
    n = int(rng.poisson(len(demands) * volume)) if volume > 0 else 0
    picks = rng.integers(len(demands), size=n)
    return sorted((demands[i] for i in picks), key=lambda x: x[0])
