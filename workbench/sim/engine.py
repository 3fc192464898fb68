"""Discrete-event simulation of real demand flowing through a process map.

Trace-driven: demands arrive when and where the sample says, with their type and touchpoint (optionally
resampled to more weeks or more volume, by weekday so the weekly rhythm stays). Roles are resources (whole people)
with their staff and a working calendar; work queues when everyone is busy. Each step draws its wait and
touch time, its accuracy and its route from the map; rework loops back; recalls and chases enter as new
failure demand of the same case and count against the design.

Random numbers are counter-based: every draw is a hash of (seed, replication, demand, step, visit, draw),
so two designs that share a step give the same demand the same draws there (common random numbers), and a
seed always gives the same result.

Roles with opening `hours` or a `roster` are pools of people with their own shifts (workbench/sim/calendar.py):
work goes to the first free person at work, in order of arrival, and a job started before the end of a shift
is finished (a call is not cut off). Time spent waiting for opening time or a shift counts as queueing.

Callers' patience (a touchpoint's `patience`, or a step's own): while a demand queues for the role of its
first step (or at a step with its own patience, at every visit), it gives up when its patience runs out
before someone starts on it. It is then `abandoned` (not resolved, not one-stop) and, with the touchpoint's
`call_back` probability, contacts again `call_back_after` later as failure demand ("gave up waiting"). These
draws use their own counters, so a design without patience draws everything else exactly as before.

The engine is its own event loop (`_Loop`: a heap of timed events, no SimPy objects; SimPy is no longer used
here). It keeps SimPy's order of simultaneous events, so it gives exactly the results the earlier SimPy engine
gave (tests/test_engine_agreement.py runs both); benchmarks/README.md ("Simulation") has its speed.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
import math
import zlib
from collections import defaultdict, deque
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from workbench import schema
from workbench.demand.catalogue import Catalogue
from workbench.flow.expected import FlowError, is_handoff
from workbench.flow.model import RESOLVED, Duration, ProcessMap, Role, Step, TouchpointQueue, roster_levels
from workbench.flow.routing import UNROUTED, DemandKind, next_steps
from workbench.sim.calendar import MINUTES_PER_DAY, Calendar, Person, hours_levels, pool
from workbench.sim.service_times import (
    ALL_TOUCHPOINTS,
    Sampler,
    gamma_draw,
    gamma_params,
    lognormal_draw,
    lognormal_params,
    splitmix64,
    touchpoint_key,
)

RECALL_AFTER_DAYS = 7.0  # a customer whose job was not put right comes back about a week later
GAVE_UP = "gave up waiting"  # the cause of a call back from a customer who hung up
CALL_BACK = "call back"  # `generated` of that demand
_PATIENCE_KEY = 9_001  # counters of the patience and call-back draws (apart from the step's own draws)
DRAIN_DAYS = 365.0  # after the last arrival, work in progress may run this long before the run stops
_MASK = (1 << 64) - 1


def _text_key(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


class Draws:
    """Uniform draws for one (demand, step, visit): the same key gives the same sequence in any design."""

    __slots__ = ("base", "i")

    def __init__(self, *parts: int) -> None:
        h = 0
        for p in parts:
            h = splitmix64(h ^ (p & _MASK))
        self.base = h
        self.i = 0

    def uniform(self) -> float:
        self.i += 1
        return ((splitmix64(self.base + self.i) >> 11) + 0.5) / float(1 << 53)


def sample_minutes(d: Duration, u: float) -> float:
    """Inverse-CDF draw from a step's time (triangular, exponential, lognormal or gamma), in minutes. A time
    `from_data` is drawn by the model, which holds the data (`_Model.touch_minutes`)."""
    t = d.triple
    if t is None:
        return 0.0
    if d.exponential:
        return -t[1] * math.log(1.0 - u) * d.factor
    if d.distribution in ("lognormal", "gamma"):
        mean, sd = t[1], float(d.sd or 0.0)
        if mean <= 0 or sd <= 0:
            return max(mean, 0.0) * d.factor
        if d.distribution == "lognormal":
            return lognormal_draw(*lognormal_params(mean, sd), u) * d.factor
        return gamma_draw(*gamma_params(mean, sd), u) * d.factor
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
    visits: pd.DataFrame = field(default_factory=pd.DataFrame)  # a row per step visit (see `VISIT_COLUMNS`)
    patience: bool = False  # some touchpoint or step of the design says how long callers wait


VISIT_COLUMNS = ("id", "step", "role", "queued", "started", "finished", "queue_minutes", "abandoned")


class _Record:
    """What happened to one demand (role figures by the role's position in the map)."""

    __slots__ = ("abandoned", "answer_wait", "arrival", "chases", "handoffs", "minutes_by_role", "one_stop",
                 "path", "patience_at_answer", "queue", "queue_by_role", "recalls", "resolved", "rework",
                 "steps", "touch", "unrouted", "value_steps", "wait")

    def __init__(self, arrival: Arrival, roles: int) -> None:
        self.arrival = arrival
        self.steps = self.value_steps = self.handoffs = self.rework = self.recalls = self.chases = 0
        self.touch = self.wait = self.queue = 0.0
        self.one_stop = True
        self.unrouted = self.abandoned = False
        self.patience_at_answer = False  # its first step's queue had patience (callers could give up there)
        self.resolved = math.nan
        self.answer_wait = math.nan
        self.path: list[str] = []
        self.minutes_by_role = [0.0] * roles
        self.queue_by_role = [0.0] * roles


def kind_for(demand_type: str, touchpoint: str, catalogue: Catalogue | None, nature: str = "",
             cause: str = "") -> DemandKind:
    entry = catalogue.lookup(demand_type) if catalogue and demand_type else None
    if entry and entry.decided:
        return DemandKind(entry.name, entry.nature, entry.cause, touchpoint)
    return DemandKind(entry.name if entry else demand_type, nature, cause, touchpoint)


# ------------------------------------------------------------------------------------ the event loop
#
# A purpose-built loop with SimPy's order of events, without SimPy's objects. SimPy processes the events
# due at one time by priority (a process's start is urgent, everything else normal), then in the order they
# were scheduled. Here: `urgent` holds the starts due now, `normal` the other events scheduled at the
# present time (in order), `heap` the events scheduled for later, as (time, sequence, function, x, y). An event
# in the heap due now was scheduled before the clock reached now, so it goes before every event in `normal`;
# starts go before both. The model below schedules exactly the events the SimPy model scheduled (a request
# that is granted is an event, its release another, "the request or the caller's patience" a third), so the
# demands meet the queues in the same order and draw the same numbers: the results are identical.


class _Ev:
    """An event: `cbs` are the generators waiting for it (or a `_Cond`), None once it has been processed;
    `triggered` once it is scheduled to happen; `value` is what the waiting generators receive."""

    __slots__ = ("cbs", "triggered", "value")

    def __init__(self) -> None:
        self.cbs: list | None = []
        self.triggered = False
        self.value: object = None


class _Cond(_Ev):
    """The first of two events (SimPy's `a | b`): it happens when the first of them is processed."""

    __slots__ = ()


class _Loop:
    __slots__ = ("heap", "normal", "now", "seq", "urgent")

    def __init__(self) -> None:
        self.now = 0.0
        self.heap: list[tuple] = []
        self.urgent: deque[tuple] = deque()
        self.normal: deque[tuple] = deque()
        self.seq = itertools.count()

    def at(self, t: float, fn: Callable, x: object, y: object = None) -> None:
        if t == self.now:
            self.normal.append((fn, x, y))
        else:
            heapq.heappush(self.heap, (t, next(self.seq), fn, x, y))

    def succeed(self, ev: _Ev, value: object = None) -> None:
        ev.triggered = True
        ev.value = value
        self.normal.append((self.process, ev, None))

    def process(self, ev: _Ev, _: object = None) -> None:
        cbs = ev.cbs
        ev.cbs = None
        for cb in cbs:  # type: ignore[union-attr]
            if cb.__class__ is _Cond:
                if not cb.triggered:
                    cb.triggered = True
                    self.normal.append((self.process, cb, None))
            else:
                self.drive(cb, ev.value)

    def start(self, gen: Generator[Any, Any, None], _: object = None) -> None:
        self.drive(gen, None)

    def drive(self, gen: Generator[Any, Any, None], value: object) -> None:
        """Resume a generator: it yields a delay in minutes, or an event to wait for."""
        try:
            y = gen.send(value)
        except StopIteration:
            return
        cls = y.__class__
        if cls is _Ev or cls is _Cond:
            y.cbs.append(gen)
            return
        t = self.now + y
        if t == self.now:
            self.normal.append((self.drive, gen, None))
        else:
            heapq.heappush(self.heap, (t, next(self.seq), self.drive, gen, None))

    def timeout(self, delay: float) -> _Ev:
        ev = _Ev()
        ev.triggered = True
        self.at(self.now + delay, self.process, ev)
        return ev

    def first_of(self, a: _Ev, b: _Ev) -> _Cond:
        cond = _Cond()
        a.cbs.append(cond)  # type: ignore[union-attr]
        b.cbs.append(cond)  # type: ignore[union-attr]
        return cond

    def run(self, until: float) -> int:
        """Process events up to (not including) `until`; returns how many were processed."""
        heap, urgent, normal = self.heap, self.urgent, self.normal
        pop = heapq.heappop
        n = 0
        while True:
            if urgent:
                fn, x, y = urgent.popleft()
            elif heap and heap[0][0] == self.now:
                _, _, fn, x, y = pop(heap)
            elif normal:
                fn, x, y = normal.popleft()
            else:
                if not heap or heap[0][0] >= until:
                    return n
                self.now = heap[0][0]
                continue
            n += 1
            fn(x, y)


class _Res:
    """A role of whole people on one working calendar: SimPy's Resource (a request is granted from the head of
    the queue when someone is free, on a request or when a release is processed)."""

    __slots__ = ("cap", "loop", "queue", "users")

    def __init__(self, loop: _Loop, capacity: int) -> None:
        self.loop = loop
        self.cap = capacity
        self.users = 0
        self.queue: deque[_Ev] = deque()


class _Pool:
    """A role of people with their own shifts: FIFO to the first free person at work (see the module
    docstring). `request()` gives an event that happens with the person's index when someone starts."""

    def __init__(self, loop: _Loop, people_: list[Person]) -> None:
        self.loop = loop
        self.people = people_
        self.free = [True] * len(people_)
        self.waiting: deque[_Ev] = deque()
        self.wake_at = [math.inf] * len(people_)

    def _free_at_work(self, now: float) -> int | None:
        free = self.free
        for k, person in enumerate(self.people):
            if free[k] and person.at_work(now):
                return k
        return None

    def request(self) -> _Ev:
        ev = _Ev()
        k = self._free_at_work(self.loop.now) if not self.waiting else None
        if k is not None:
            self.free[k] = False
            self.loop.succeed(ev, k)
        else:
            self.waiting.append(ev)
            self._schedule_wakes()
        return ev

    def cancel(self, ev: _Ev) -> None:
        if not ev.triggered:
            with contextlib.suppress(ValueError):
                self.waiting.remove(ev)

    def release(self, k: int) -> None:
        self.free[k] = True
        self._dispatch()

    def _dispatch(self, _: object = None, __: object = None) -> None:
        now = self.loop.now
        while self.waiting:
            k = self._free_at_work(now)
            if k is None:
                break
            self.free[k] = False
            self.loop.succeed(self.waiting.popleft(), k)
        if self.waiting:
            self._schedule_wakes()

    def _schedule_wakes(self) -> None:
        """Wake each free person who is off work at their next shift, to take the work then waiting."""
        now = self.loop.now
        for k, person in enumerate(self.people):
            if not self.free[k]:
                continue
            t = person.next_start(now)
            if t == math.inf or now <= self.wake_at[k] <= t:
                continue
            self.wake_at[k] = t
            self.loop.urgent.append((self._wake_start, k, t))  # a process of its own, as in SimPy

    def _wake_start(self, k: int, t: float) -> None:
        loop = self.loop
        loop.at(loop.now + (t - loop.now), self._wake, k, t)

    def _wake(self, k: int, t: float) -> None:
        if self.wake_at[k] == t:
            self.wake_at[k] = math.inf
        self._dispatch()

    def working_minutes(self, start: float, end: float) -> float:
        return sum(p.working_minutes(start, end) for p in self.people)


def _levels(role: Role, staff: float) -> list[tuple[float, float, float]]:
    """Staff at work through the week of a role with a roster or opening hours. For a roster, `staff` is its
    busiest moment unless a comparison's staffing says otherwise: then every shift is scaled by staff / that
    busiest moment (a roster of 12 at peak given 6 staff runs at half strength all day)."""
    if role.roster:
        levels = roster_levels(role.roster)
        peak = max((level for _, _, level in levels), default=0.0)
        factor = staff / peak if peak > 0 else 1.0
        return [(a, b, level * factor) for a, b, level in levels]
    return hours_levels(role.hours, staff)


class ServiceTimeError(FlowError):
    """A step takes its time from the data and the demand file has none (the message names the step)."""


def missing_service_times(m: ProcessMap, has_data: bool) -> str | None:
    """In plain words, why the map cannot run on demand without handling minutes; None when it can."""
    if has_data:
        return None
    for s in m.steps:
        if s.touch.from_data:
            return (f"{m.name}: step '{s.name or s.id}' takes its time from the data (touch: from_data), but the "
                    "demand file has no handling minutes to take it from. Add a handling_minutes column to the "
                    "demand file, or give the step a time in minutes on the Flow page.")
    return None


def _patience_from_data(m: ProcessMap, means: Mapping[str, float] | None) -> dict[str, Duration]:
    """Exponential patience by touchpoint key for the map's `patience: from_data` (a step's falls back on the
    estimate over all touchpoints, key ALL_TOUCHPOINTS); raises ServiceTimeError when an estimate is missing."""
    means = dict(means or {})
    out = {k: Duration(likely=v, distribution="exponential") for k, v in means.items()}
    for tp, q in m.touchpoints.items():
        if q.patience is not None and q.patience.from_data and touchpoint_key(tp) not in out:
            raise ServiceTimeError(f"{m.name}: callers' patience at {tp} is to come from the data (patience: "
                                   "from_data), but there is no estimate of it; give patience as a number of "
                                   "minutes.")
    step = next((s for s in m.steps if s.patience is not None and s.patience.from_data), None)
    if step is not None and ALL_TOUCHPOINTS not in out:
        raise ServiceTimeError(f"{m.name}: callers' patience at step '{step.name or step.id}' is to come from the "
                               "data (patience: from_data), but there is no estimate of it; give patience as a "
                               "number of minutes.")
    return out


def closed_day_numbers(m: ProcessMap, start_date: pd.Timestamp | None) -> list[int]:
    """The map's closed dates as simulation day numbers (day 0 is `start_date`); none without a start date."""
    if start_date is None or not m.closed:
        return []
    day0 = pd.Timestamp(start_date).normalize()
    return [int((pd.Timestamp(d) - day0).days) for d in m.closed]


def _sampler(d: Duration) -> Callable[[float], float] | None:
    """`sample_minutes(d, u)` as a function of u, its constants worked out once (the same arithmetic, so the
    same floats); None for a time that is always 0 without using u."""
    t = d.triple
    if t is None:
        return None
    f = d.factor
    if d.exponential:
        neg = -t[1]
        return lambda u: neg * math.log(1.0 - u) * f
    if d.distribution in ("lognormal", "gamma"):
        mean, sd = t[1], float(d.sd or 0.0)
        if mean <= 0 or sd <= 0:
            fixed = max(mean, 0.0) * f
            return lambda u: fixed
        if d.distribution == "lognormal":
            mu, sigma = lognormal_params(mean, sd)
            return lambda u: lognormal_draw(mu, sigma, u) * f
        shape, scale = gamma_params(mean, sd)
        return lambda u: gamma_draw(shape, scale, u) * f
    a, c, b = t
    if b <= a:
        fixed = a * f
        return lambda u: fixed
    cut = (c - a) / (b - a)
    ba, ca, bc = b - a, c - a, b - c
    sqrt = math.sqrt

    def tri(u: float) -> float:
        return (a + sqrt(u * ba * ca) if u < cut else b - sqrt((1 - u) * ba * bc)) * f

    return tri


class _Step:
    """What the loop needs of a step, worked out once per run."""

    __slots__ = ("accuracy", "cal", "chases", "handoff", "id", "is_value", "key", "name", "patience", "pool",
                 "recall", "recall_kinds", "res", "rework_to", "role", "role_ix", "routes", "step", "touch",
                 "touch_by_type", "wait")

    def __init__(self, step: Step) -> None:
        self.step = step
        self.id = step.id
        self.key = _text_key(step.id)
        self.name = step.name or step.id
        self.role = step.role
        self.is_value = step.is_value
        self.accuracy = step.complete_and_accurate
        self.rework_to = step.rework_to
        self.recall = step.recall_type
        self.wait = _sampler(step.wait)
        self.touch = None if step.touch.from_data else _sampler(step.touch)
        self.touch_by_type: dict[str, Callable[[float], float]] = {}
        self.patience = step.patience
        self.routes: dict[int, list[tuple[float, str, bool]]] = {}  # by id() of the demand's kind
        self.handoff: dict[str, bool] = {}
        self.recall_kinds: dict[str, DemandKind] = {}
        self.chases: list[tuple[int, float, float, DemandKind, str]] = []
        self.role_ix = -1
        self.res: _Res | None = None
        self.pool: _Pool | None = None
        self.cal: Calendar | None = None


def _hash_prefix(*parts: int) -> int:
    h = 0
    for p in parts:
        h = splitmix64(h ^ (p & _MASK))
    return h


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
        self.loop = _Loop()
        staffing = staffing or {}
        self.staff = {r.id: float(staffing.get(r.id, r.peak_staff if r.roster else r.staff)) for r in m.roles}
        closed = closed_day_numbers(m, start_date)
        self.pools: dict[str, _Pool] = {}
        self.calendars: dict[str, Calendar] = {}
        self.resources: dict[str, _Res | None] = {}
        self.servers: dict[str, int] = {}
        for r in m.roles:
            if r.roster or r.hours:
                p = _Pool(self.loop, pool(_levels(r, self.staff[r.id]), closed))
                self.pools[r.id] = p
                self.resources[r.id] = None
                self.servers[r.id] = len(p.people)
            else:
                # people work whole: 2.5 staff are simulated as 3 (half up, at least 1); utilisation is of those
                self.servers[r.id] = people(self.staff[r.id])
                self.resources[r.id] = _Res(self.loop, self.servers[r.id])
                self.calendars[r.id] = Calendar(r.hours_per_day, r.days_per_week, r.opens, closed)
        self.role_ids = [r.id for r in m.roles]
        role_ix = {rid: i for i, rid in enumerate(self.role_ids)}  # the first role of an id, as the frame's
        self.steps: dict[str, _Step] = {}
        for s in m.steps:
            if not s.id:
                continue
            st = _Step(s)
            if s.role in self.resources:
                st.role_ix = role_ix[s.role]
                st.res = self.resources[s.role]
                st.pool = self.pools.get(s.role)
                st.cal = self.calendars.get(s.role)
            self.steps[s.id] = st
        for st in self.steps.values():
            for ri, rule in enumerate(m.chases):
                if rule.every_days <= 0 or (rule.steps and st.id not in rule.steps):
                    continue
                kind = kind_for(rule.demand_type, rule.touchpoint, catalogue, "failure")
                if rule.cause:  # the map says why: it wins over the catalogue's cause of the type
                    kind = replace(kind, cause=rule.cause)
                cause = rule.name or "progress chasing"
                if cause and not kind.cause:
                    kind = replace(kind, cause=cause)
                st.chases.append((ri, rule.every_days * MINUTES_PER_DAY, rule.probability, kind, cause))
        self.n_roles = len(self.role_ids)
        self.records: list[_Record] = []
        self.next_id = 0
        self.events = 0  # processed by the loop
        self.measure = (-math.inf, -math.inf)  # busy minutes count for work begun in [start, end)
        self.busy = [0.0] * self.n_roles
        self.visits: list[tuple[int, str, str, float, float, float, float, bool]] = []
        self.sampler = Sampler(service_minutes)
        problem = missing_service_times(m, self.sampler.has_data())
        if problem:
            raise ServiceTimeError(problem)
        self.patience_on = m.uses_patience()
        self.patience_data = _patience_from_data(m, patience_minutes)
        self.prefix = _hash_prefix(seed, replication)
        self.entry: dict[str, str] = {}
        self.queues: dict[str, tuple[TouchpointQueue | None, Callable[[float], float] | None]] = {}
        self.patience_cache: dict[tuple[str, str, bool], Callable[[float], float] | None] = {}
        self.call_back_kinds: dict[DemandKind, DemandKind] = {}

    # -- what depends on the demand's kind only, worked out on first use

    def entry_for(self, touchpoint: str) -> str:
        found = self.entry.get(touchpoint)
        if found is None:
            found = self.entry[touchpoint] = self.m.entry_for(touchpoint)
        return found

    def route_table(self, st: _Step, kind: DemandKind) -> list[tuple[float, str, bool]]:
        table = st.routes.get(id(kind))
        if table is None:
            cum, table = 0.0, []
            for dest, p, route in next_steps(st.step, kind):
                cum += p
                table.append((cum, dest, bool(route and route.rework)))
            st.routes[id(kind)] = table
        return table

    def touch_for(self, st: _Step, demand_type: str) -> Callable[[float], float]:
        fn = st.touch_by_type.get(demand_type)
        if fn is None:
            fn = st.touch_by_type[demand_type] = self.sampler.for_type(demand_type, st.step.touch.fit).draw
        return fn

    def queue_for(self, touchpoint: str) -> tuple[TouchpointQueue | None, Callable[[float], float] | None]:
        found = self.queues.get(touchpoint)
        if found is None:
            q = self.m.queue_at(touchpoint)
            after = _sampler(q.call_back_after) if q is not None else None
            found = self.queues[touchpoint] = (q, after)
        return found

    def patience_for(self, st: _Step, touchpoint: str, first: bool) -> Callable[[float], float] | None | bool:
        """A function drawing the caller's patience from u at this step, or False when they wait for ever."""
        key = (st.id, touchpoint, first)
        if key in self.patience_cache:
            return self.patience_cache[key]
        patience: Duration | None = None
        if st.patience is not None:
            patience = st.patience
        elif first:
            q = self.m.queue_at(touchpoint)
            patience = q.patience if q is not None else None
        if patience is not None and patience.from_data:  # exponential, its mean estimated from the queue waits
            k = touchpoint_key(touchpoint)
            patience = self.patience_data.get(k) or self.patience_data[ALL_TOUCHPOINTS]
        fn: Callable[[float], float] | None | bool = False
        if patience is not None:
            fn = _sampler(patience) or (lambda u: 0.0)
        self.patience_cache[key] = fn  # type: ignore[assignment]
        return fn

    def is_handoff(self, st: _Step, nxt: str) -> bool:
        found = st.handoff.get(nxt)
        if found is None:
            found = st.handoff[nxt] = is_handoff(st.step, self.steps[nxt].step)
        return found

    # -- demands

    def start(self, arrival: Arrival) -> None:
        self.loop.urgent.append((self.loop.start, self.flow(arrival), None))

    def spawn(self, when: float, kind: DemandKind, parent: Arrival, generated: str, step_id: str,
              cause: str = "") -> None:
        """A demand this design generates; `cause` (when the kind has none of its own) is the failure cause it
        carries in the results (docs/compare.md, "Causes of the design's own failure demand")."""
        self.next_id += 1
        if cause and not kind.cause:
            kind = replace(kind, cause=cause)
        child = Arrival(self.next_id, parent.case, when, kind, parent.measured, generated, step_id, parent.id)
        self.loop.urgent.append((self.loop.start, self.flow(child), None))

    def flow(self, a: Arrival) -> Generator[Any, Any, None]:  # noqa: C901, PLR0912, PLR0915 - one demand through the map, the hot path
        loop = self.loop
        if a.time > loop.now:
            yield a.time - loop.now
        rec = _Record(a, self.n_roles)
        self.records.append(rec)
        steps = self.steps
        kind = a.kind
        kid = id(kind)  # route tables by kind (the arrival holds the kind for the whole run)
        step_id = self.entry_for(kind.touchpoint)
        visits: dict[str, int] = {}
        first = True
        # the draws' key (seed, replication, demand, step, visit) hashed as `Draws` does, one part at a time
        x = ((self.prefix ^ a.id) + _GOLDEN) & _MASK
        x = ((x ^ (x >> 30)) * _MIX1) & _MASK
        x = ((x ^ (x >> 27)) * _MIX2) & _MASK
        h_demand = x ^ (x >> 31)
        visit_log = self.visits.append
        m_start, m_end = self.measure
        busy = self.busy
        patience_on = self.patience_on
        normal = loop.normal
        inf = math.inf
        while True:
            st = steps.get(step_id)
            if st is None or st.role_ix < 0:
                rec.unrouted = True
                break
            visit = visits.get(step_id, 0)
            visits[step_id] = visit + 1
            x = ((h_demand ^ st.key) + _GOLDEN) & _MASK
            x = ((x ^ (x >> 30)) * _MIX1) & _MASK
            x = ((x ^ (x >> 27)) * _MIX2) & _MASK
            x = ((x ^ (x >> 31) ^ visit) + _GOLDEN) & _MASK
            x = ((x ^ (x >> 30)) * _MIX1) & _MASK
            x = ((x ^ (x >> 27)) * _MIX2) & _MASK
            base = x ^ (x >> 31)
            if st.wait is not None:
                wait = st.wait(_uniform(base, 1))
                if wait > 0:
                    if not first:
                        rec.one_stop = False
                    if st.chases:
                        self.chases_during(a, rec, st, base, wait)
                    yield wait
                    rec.wait += wait
            queued = loop.now
            limit = inf
            pbase = 0
            if patience_on:
                pfn = self.patience_for(st, kind.touchpoint, first)
                if pfn is not False:
                    pbase = splitmix64(base ^ _PATIENCE_KEY)
                    limit = queued + pfn(_uniform(pbase, 1))  # type: ignore[operator,misc]
                    if first:
                        rec.patience_at_answer = True
            gave_up = False
            work = 0.0
            pool_ = st.pool
            if pool_ is not None:  # a pool of people with shifts
                began = queued
                req = pool_.request()
                if limit < inf and not req.triggered:
                    yield loop.first_of(req, loop.timeout(max(limit - loop.now, 0.0)))
                    if not req.triggered:
                        pool_.cancel(req)
                        gave_up = True
                else:
                    yield req
                if not gave_up:
                    person: int = req.value  # type: ignore[assignment]
                    began = loop.now
                    touch = st.touch
                    work = touch(_uniform(base, 2)) if touch is not None else self.touch_minutes(st, kind, base)
                    if work > 0:
                        yield work
                    pool_.release(person)
            else:
                res = st.res
                if limit == inf and not res.queue and res.users < res.cap:  # type: ignore[union-attr]
                    # granted at once: the request's event is processed in its turn, then the demand goes on
                    res.users += 1  # type: ignore[union-attr]
                    req = _GRANTED
                    yield 0.0
                else:
                    req = _Ev()
                    res.queue.append(req)  # type: ignore[union-attr]
                    if res.users < res.cap:  # type: ignore[union-attr]
                        _grant(loop, res)  # type: ignore[arg-type]
                if req is _GRANTED:
                    pass
                elif limit < inf:
                    yield loop.first_of(req, loop.timeout(max(limit - loop.now, 0.0)))
                    # answered only if someone is free and at work before the caller's patience runs out
                    gave_up = not req.triggered or st.cal.next_working(loop.now) > limit  # type: ignore[union-attr]
                else:
                    yield req
                if gave_up:
                    began = queued
                else:
                    touch = st.touch
                    work = touch(_uniform(base, 2)) if touch is not None else self.touch_minutes(st, kind, base)
                    granted = loop.now
                    began, end = st.cal.start_finish(granted, work)  # type: ignore[union-attr]
                    if end > granted:
                        yield end - granted
                # the request's release (SimPy's `with resource.request()` ends here)
                if req.triggered:
                    res.users -= 1  # type: ignore[union-attr]
                else:
                    res.queue.remove(req)  # type: ignore[union-attr]
                normal.append((_trigger, res, None))
                if gave_up and loop.now < limit:
                    yield limit - loop.now
            if gave_up:
                wait_q = loop.now - queued
                rec.queue += wait_q
                rec.queue_by_role[st.role_ix] += wait_q
                if first:
                    rec.answer_wait = wait_q
                visit_log((a.id, step_id, st.role, queued, math.nan, loop.now, wait_q, True))
                self.give_up(a, rec, st, pbase)
                break
            wait_q = began - queued
            rec.queue += wait_q
            role_ix = st.role_ix
            rec.queue_by_role[role_ix] += wait_q
            if first:
                rec.answer_wait = wait_q
            visit_log((a.id, step_id, st.role, queued, began, loop.now, wait_q, False))
            if m_start <= began < m_end:
                busy[role_ix] += work
            rec.touch += work
            rec.minutes_by_role[role_ix] += work
            rec.steps += 1
            rec.value_steps += st.is_value
            rec.path.append(step_id)
            x = (base + 3 + _GOLDEN) & _MASK
            x = ((x ^ (x >> 30)) * _MIX1) & _MASK
            x = ((x ^ (x >> 27)) * _MIX2) & _MASK
            accurate = (((x ^ (x >> 31)) >> 11) + 0.5) / _TWO53 * 100.0 < st.accuracy
            if not accurate and st.rework_to:
                nxt = st.rework_to
                rec.rework += 1
                rec.one_stop = False
            else:
                if not accurate and st.recall:
                    rec.recalls += 1
                    rec.one_stop = False
                    rkind = st.recall_kinds.get(kind.touchpoint)
                    if rkind is None:
                        rkind = st.recall_kinds[kind.touchpoint] = kind_for(st.recall, kind.touchpoint,
                                                                            self.catalogue, "failure")
                    self.spawn(loop.now + RECALL_AFTER_DAYS * MINUTES_PER_DAY, rkind, a, "recall", step_id,
                               cause=f"not put right at {st.name}")
                table = st.routes.get(kid) or self.route_table(st, kind)
                if table and table[0][0] < 1.0:
                    x = (base + 4 + _GOLDEN) & _MASK
                    x = ((x ^ (x >> 30)) * _MIX1) & _MASK
                    x = ((x ^ (x >> 27)) * _MIX2) & _MASK
                    u = (((x ^ (x >> 31)) >> 11) + 0.5) / _TWO53
                else:  # a draw is below 1: a first route of probability 1 is taken without one
                    u = 0.0
                nxt = UNROUTED
                for cum, dest, is_rework in table:
                    if u < cum:
                        nxt = dest
                        if is_rework:
                            rec.rework += 1
                            rec.one_stop = False
                        break
            if nxt == RESOLVED:
                break
            if nxt == UNROUTED or nxt not in steps:
                rec.unrouted = True
                break
            handoff = st.handoff.get(nxt)
            if handoff is None:
                handoff = self.is_handoff(st, nxt)
            if handoff:
                rec.handoffs += 1
                rec.one_stop = False
            step_id = nxt
            first = False
        if not rec.abandoned:
            rec.resolved = loop.now

    def touch_minutes(self, st: _Step, kind: DemandKind, base: int) -> float:
        """A step's touch time when it has no fixed sampler: from the data, or 0 when none is given."""
        if not st.step.touch.from_data:
            return 0.0
        return self.touch_for(st, kind.demand_type)(_uniform(base, 2))

    def give_up(self, a: Arrival, rec: _Record, st: _Step, pbase: int) -> None:
        """The caller hung up: maybe they call back later, as failure demand."""
        rec.abandoned = True
        rec.one_stop = False
        q, after = self.queue_for(a.kind.touchpoint)
        if q is None or q.call_back <= 0:
            return
        if _uniform(pbase, 2) < q.call_back:
            minutes = after(_uniform(pbase, 3)) if after is not None else 0.0
            kind = self.call_back_kinds.get(a.kind)
            if kind is None:
                kind = DemandKind(a.kind.demand_type, "failure", GAVE_UP, a.kind.touchpoint)
                self.call_back_kinds[a.kind] = kind
            self.spawn(self.loop.now + minutes, kind, a, CALL_BACK, st.id)

    def chases_during(self, a: Arrival, rec: _Record, st: _Step, base: int, wait: float) -> None:
        for r, every, probability, kind, cause in st.chases:
            cbase = splitmix64(base ^ (7_919 + r))
            k = 1
            while k * every <= wait:
                if _uniform(cbase, k) < probability:
                    rec.chases += 1
                    self.spawn(self.loop.now + k * every, kind, a, "chase", st.id, cause=cause)
                k += 1


_GOLDEN, _MIX1, _MIX2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB  # splitmix64's constants
_TWO53 = float(1 << 53)


def _uniform(base: int, i: int) -> float:
    """The i-th uniform of a `Draws` whose key hashed to `base` (`Draws.uniform` and `splitmix64`, inlined)."""
    x = (base + i + _GOLDEN) & _MASK
    x = ((x ^ (x >> 30)) * _MIX1) & _MASK
    x = ((x ^ (x >> 27)) * _MIX2) & _MASK
    return (((x ^ (x >> 31)) >> 11) + 0.5) / _TWO53


_GRANTED = _Ev()  # a request granted as it was made
_GRANTED.triggered = True


def _grant(loop: _Loop, res: _Res) -> None:
    """SimPy's Resource `_trigger_put`: the head of the queue is granted when someone is free."""
    head = res.queue.popleft()
    res.users += 1
    head.triggered = True
    loop.normal.append((loop.process, head, None))


def _trigger(res: _Res, _: object) -> None:
    """A release, processed: SimPy's Resource grants the head of its queue when someone is free."""
    if res.queue and res.users < res.cap:
        _grant(res.loop, res)


def people(staff: float) -> int:
    """How many people a staffing figure is simulated as: whole people, half up, at least one."""
    return max(1, math.floor(float(staff) + 0.5))


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
    last = max((a.time for a in arrivals), default=0.0)
    start, end = measured or (min((a.time for a in arrivals if a.measured), default=0.0), last)
    model.measure = (start, end)
    for a in arrivals:
        model.start(a)
    # The run makes many small objects that live until its end; the cyclic garbage collector, left on, would
    # walk them again and again (about a tenth of the run) and finds nothing to free: it is paused for the
    # loop and put back as it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        model.events = model.loop.run(last + DRAIN_DAYS * MINUTES_PER_DAY)
    finally:
        if collecting:
            gc.enable()
    return RunResult(_frame(model, m), _roles(model, m, start, end), start, end, _visits(model),
                     model.patience_on)


def _visits(model: _Model) -> pd.DataFrame:
    if not model.visits:
        return pd.DataFrame({c: [] for c in VISIT_COLUMNS})
    cols = list(zip(*model.visits, strict=True))
    df = pd.DataFrame({c: list(v) for c, v in zip(VISIT_COLUMNS, cols, strict=True)})
    return df.astype({"queued": float, "started": float, "finished": float, "queue_minutes": float,
                      "abandoned": bool})


_FRAME_COLUMNS = ("id", "case", "origin", "demand_type", "touchpoint", "nature", "cause", "generated",
                  "caused_by_step", "measured", "arrival", "resolved", "abandoned", "answer_wait_minutes",
                  "patience_at_answer", "steps", "value_steps", "handoffs", "rework", "touch_minutes",
                  "wait_minutes", "queue_minutes", "one_stop", "recalls", "chases", "unrouted", "path")


def _frame(model: _Model, m: ProcessMap) -> pd.DataFrame:
    """A row per demand, built column by column."""
    recs = model.records
    if not recs:
        return pd.DataFrame()
    nan = math.nan
    rows = [(a.id, a.case, a.origin, a.kind.demand_type, a.kind.touchpoint, a.kind.nature, a.kind.cause,
             a.generated, a.caused_by_step, a.measured, a.time, nan if r.unrouted else r.resolved, r.abandoned,
             r.answer_wait, r.patience_at_answer, r.steps, r.value_steps, r.handoffs, r.rework, r.touch, r.wait,
             r.queue, r.one_stop and not r.unrouted, r.recalls, r.chases, r.unrouted, " > ".join(r.path))
            for r in recs for a in (r.arrival,)]
    data: dict[str, object] = {c: list(v) for c, v in zip(_FRAME_COLUMNS, zip(*rows, strict=True), strict=True)}
    role_ix = {rid: i for i, rid in enumerate(model.role_ids)}
    for rid in model.role_ids:
        i = role_ix[rid]
        data[f"minutes_{rid}"] = [r.minutes_by_role[i] for r in recs]
    for rid in model.role_ids:
        i = role_ix[rid]
        data[f"queue_minutes_{rid}"] = [r.queue_by_role[i] for r in recs]
    df = pd.DataFrame(data)
    # Each demand never finishes before it starts; an unfinished one (still in progress when the run stops)
    # keeps NaN as its resolution time.
    df["finished"] = df["resolved"].notna()
    return df.sort_values(["arrival", "id"]).reset_index(drop=True)


def _roles(model: _Model, m: ProcessMap, start: float, end: float) -> pd.DataFrame:
    role_ix = {rid: i for i, rid in enumerate(model.role_ids)}
    rows = []
    for r in m.roles:
        busy = model.busy[role_ix[r.id]]
        if r.id in model.pools:
            capacity = model.pools[r.id].working_minutes(start, end)
        else:
            capacity = model.servers[r.id] * model.calendars[r.id].working_minutes(start, end)
        rows.append({"role": r.id, "name": r.name, "staff": model.staff[r.id], "people": model.servers[r.id],
                     "busy_minutes": busy, "capacity_minutes": capacity,
                     "utilisation": busy / capacity if capacity > 0 else np.nan})
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
    start_date: pd.Timestamp | None = None  # the real date of simulation day 0 (for the map's closed dates)


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
    return ArrivalPlan(arrivals, start, end, float(n_weeks), first_monday - pd.Timedelta(days=warm_days))


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


def service_minutes_by_type(frame: pd.DataFrame, catalogue: Catalogue | None = None) -> dict[str, list[float]]:
    """The recorded handling minutes of the demand by demand type, the type resolved through the catalogue as
    the engine resolves it (for steps whose time is `from_data`). Blank and negative minutes are left out."""
    if schema.HANDLING_MINUTES not in frame.columns or frame.empty:
        return {}
    minutes = pd.to_numeric(frame[schema.HANDLING_MINUTES], errors="coerce")
    keep = minutes.notna() & (minutes >= 0)
    types = frame.loc[keep, schema.DEMAND_TYPE].astype("object").fillna("").astype(str)
    names = {t: kind_for(t, "", catalogue).demand_type for t in types.unique()}
    out: dict[str, list[float]] = defaultdict(list)
    for t, values in minutes[keep].groupby(types.to_numpy(), sort=False):
        out[names[str(t)]].extend(float(v) for v in values.to_numpy())
    return dict(out)
