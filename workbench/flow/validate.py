"""Checks that need the whole map: references, reachability, endings, probabilities, times.

A map with errors still opens and can be edited; these messages say what to fix, where (step or route)
and on which YAML line. Nothing is changed here.
"""

from __future__ import annotations

import re
from collections import Counter

from workbench.demand.catalogue import Catalogue
from workbench.flow.expected import _transitions
from workbench.flow.model import (
    DAY_NAMES,
    RESOLVED,
    UNITS_IN_MINUTES,
    WORK_KINDS,
    Duration,
    Problem,
    ProcessMap,
    Role,
    Step,
    format_time,
)
from workbench.flow.routing import DemandKind, split_groups

_ID = re.compile(r"^[A-Za-z0-9_\-]+$")
MAX_TOUCH_MINUTES = 7 * 24 * 60  # a week of work on one demand at one step
MAX_WAIT_DAYS = 5 * 365  # five years' wait before one step


class _Collector:
    def __init__(self, m: ProcessMap) -> None:
        self.m = m
        self.items: list[Problem] = list(m.problems)

    def error(self, message: str, where: str = "", line: int | None = None) -> None:
        self.items.append(Problem("error", message, where, line, self.m.source))

    def warning(self, message: str, where: str = "", line: int | None = None) -> None:
        self.items.append(Problem("warning", message, where, line, self.m.source))


def successors(step: Step) -> set[str]:
    """Every step (or `resolved`) a demand can move to from `step`, whatever its type."""
    if step.rework_to and step.complete_and_accurate <= 0:  # nothing is ever right: always reworked
        return {step.rework_to}
    out = {r.to for r in step.routes if r.to}
    if not step.routes:
        out.add(RESOLVED)
    if step.rework_to and step.complete_and_accurate < 100:
        out.add(step.rework_to)
    return out


def entry_steps(m: ProcessMap) -> list[str]:
    return [s for s in dict.fromkeys([m.entry_default, *m.entry_touchpoints.values()]) if s]


def validate_map(m: ProcessMap, catalogue: Catalogue | None = None) -> list[Problem]:
    """All problems, errors first, each with the map file, the step or route and the YAML line."""
    c = _Collector(m)
    _check_roles(m, c)
    step_ids = _check_steps(m, c)
    _check_entry(m, c, step_ids)
    _check_routes(m, c, step_ids)
    _check_graph(m, c, step_ids, catalogue)
    _check_chases(m, c, step_ids)
    if catalogue is not None:
        _check_types(m, c, catalogue)
    order = {"error": 0, "warning": 1}
    return sorted(c.items, key=lambda p: (order.get(p.severity, 2), p.line or 0))


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def _check_roles(m: ProcessMap, c: _Collector) -> None:
    if not m.roles:
        c.error("the map has no roles: say who does the work", "roles", m.lines.get(("roles",)))
    counts = Counter(r.id for r in m.roles)
    for r in m.roles:
        where = f"role '{r.id}'" if r.id else "role"
        if not r.id:
            c.error("a role has no id", where, r.line)
        elif counts[r.id] > 1:
            c.error(f"role id '{r.id}' is used {counts[r.id]} times; ids must be unique", where, r.line)
        elif not _ID.match(r.id):
            c.error(f"role id '{r.id}' may only use letters, digits, '_' and '-'", where, r.line)
        if r.staff <= 0:
            c.error(f"staff must be more than 0 (is {r.staff:g})", where, r.line)
        if not 0 < r.hours_per_day <= 24:
            c.error(f"hours_per_day must be between 0 and 24 (is {r.hours_per_day:g})", where, r.line)
        if not 0 < r.days_per_week <= 7:
            c.error(f"days_per_week must be between 0 and 7 (is {r.days_per_week:g})", where, r.line)
        _check_working_time(r, c, where)
    _check_touchpoints(m, c)


def _check_working_time(r: Role, c: _Collector, where: str) -> None:
    """Shifts and opening hours. Shifts of one role that overlap add up (8 people 08:00-16:00 and 4 people
    12:00-20:00 are 12 people at 13:00): a roster is read as written, shift by shift."""
    for i, sh in enumerate(r.roster):
        swhere = f"shift {i + 1} of {where}"
        if sh.staff < 0:
            c.error(f"a shift's staff cannot be negative (is {sh.staff:g})", swhere, sh.line or r.line)
        if sh.start == sh.end % 1440 and sh.end != 1440:
            c.error(f"the shift starts and ends at {format_time(sh.start)}: give it a length (a shift over "
                    "midnight ends the next morning, such as 22:00 to 06:00)", swhere, sh.line or r.line)
    if r.roster and r.peak_staff <= 0:
        c.error("the roster has nobody at work at any time: give some shift its staff", where, r.line)
    if r.roster and r.hours:
        c.warning("the role has a roster and opening hours: the roster says who is at work, so the hours are "
                  "not used", where, r.line)
    for day, windows in r.hours.items():
        spans = sorted((a, a + ((b - a) if b > a else b + 1440 - a)) for a, b in windows)
        for (a1, b1), (a2, _) in zip(spans, spans[1:], strict=False):
            if a2 < b1:
                c.warning(f"on {DAY_NAMES[day]} the opening hours overlap ({format_time(a1)}-{format_time(b1 % 1440)}"
                          f" and one from {format_time(a2)}); they are read as one opening", where, r.line)


def _check_touchpoints(m: ProcessMap, c: _Collector) -> None:
    for name, q in m.touchpoints.items():
        where = f"touchpoint '{name}'"
        if not 0 <= q.call_back <= 1:
            c.error(f"call_back must be a share between 0% and 100% (is {q.call_back:.0%})", where, q.line)
        for label, dur in (("patience", q.patience), ("call_back_after", q.call_back_after)):
            problem = _duration_problem(dur, data_ok=label == "patience")
            if problem:
                c.error(f"{label}: {problem}", where, q.line)
            if label == "patience" and dur is not None and dur.from_data and dur.fit:
                c.warning(_PATIENCE_FIT, where, q.line)
        if q.call_back and q.patience is None and not any(s.patience for s in m.steps):
            c.warning("call_back is set but no patience: nobody gives up, so nobody calls back", where, q.line)


_PATIENCE_FIT = ("patience from the data is always exponential (its mean estimated from the queue waits); "
                 "fit is ignored")


def _duration_problem(dur: Duration | None, data_ok: bool = False) -> str | None:
    """What is wrong with a patience or a lognormal / gamma time, or None. `data_ok`: the time may be
    `from_data` (a patience: estimated from the demand's queue waits when the designs run)."""
    if dur is None:
        return None
    if dur.from_data:
        return None if data_ok else "cannot come from the data (only patience and touch times can)"
    values = [v for v in (dur.min, dur.likely, dur.max, dur.sd) if v is not None]
    if any(v < 0 for v in values):
        return "cannot be negative"
    if dur.distribution in ("lognormal", "gamma") and not (dur.likely and dur.sd):
        return f"a {dur.distribution} time needs a mean and an sd (standard deviation) above 0"
    if dur.triple is None:
        return "no time given"
    return None


def _check_steps(m: ProcessMap, c: _Collector) -> set[str]:
    if not m.steps:
        c.error("the map has no steps", "steps", m.lines.get(("steps",)))
    counts = Counter(s.id for s in m.steps)
    roles = {r.id for r in m.roles}
    for s in m.steps:
        where = f"step '{s.id}'" if s.id else "step"
        if not s.id:
            c.error("a step has no id", where, s.line)
        elif s.id == RESOLVED:
            c.error(f"'{RESOLVED}' is reserved for the end of a demand; choose another step id", where, s.line)
        elif counts[s.id] > 1:
            c.error(f"step id '{s.id}' is used {counts[s.id]} times; ids must be unique", where, s.line)
        elif not _ID.match(s.id):
            c.error(f"step id '{s.id}' may only use letters, digits, '_' and '-'", where, s.line)
        if not s.role:
            c.error("no role: say who does this step", where, s.line)
        elif s.role not in roles:
            c.error(f"role '{s.role}' is not one of the map's roles ({', '.join(sorted(roles)) or 'none'})",
                    where, s.line)
        if s.work not in WORK_KINDS:
            c.error(f"work '{s.work}' is not a known kind; use value or one of: {', '.join(WORK_KINDS[1:])}",
                    where, s.line)
        if s.patience is not None:
            problem = _duration_problem(s.patience, data_ok=True)
            if problem:
                c.error(f"patience: {problem}", where, s.line)
            if s.patience.from_data and s.patience.fit:
                c.warning(_PATIENCE_FIT, where, s.line)
        for label, dur in (("touch time", s.touch), ("wait", s.wait)):
            if dur.from_data:
                if label == "wait":
                    c.error("a wait cannot come from the data (only a touch time can: handling minutes)", where,
                            s.line)
                continue
            if dur.distribution in ("lognormal", "gamma"):
                problem = _duration_problem(dur)
                if problem:
                    c.error(f"{label}: {problem}", where, s.line)
                    continue
            t = (dur.min, dur.likely, dur.max)
            if label == "touch time" and all(v is None for v in t):
                c.error("touch time is missing (minutes of work on the demand)", where, s.line)
                continue
            if any(v is not None and v < 0 for v in t):
                c.error(f"{label} cannot be negative", where, s.line)
            elif dur.triple is not None:
                lo, mode, hi = dur.triple
                if not lo <= mode <= hi:
                    c.error(f"{label}: min ≤ likely ≤ max does not hold ({lo:g}, {mode:g}, {hi:g})", where, s.line)
                minutes = max(dur.triple) * dur.factor
                if label == "touch time" and minutes > MAX_TOUCH_MINUTES:
                    c.error(f"touch time of {max(dur.triple):g} {dur.unit} is more than a week of work on one "
                            f"demand at one step (at most {MAX_TOUCH_MINUTES:,} minutes); split the step or check "
                            "the unit", where, s.line)
                elif label == "wait" and minutes > MAX_WAIT_DAYS * UNITS_IN_MINUTES["days"]:
                    c.error(f"wait of {max(dur.triple):g} {dur.unit} is more than five years (at most "
                            f"{MAX_WAIT_DAYS:,} days before one step); check the figure and its unit", where,
                            s.line)
        if not 0 <= s.complete_and_accurate <= 100:
            c.error(f"complete_and_accurate must be a percentage 0–100 (is {s.complete_and_accurate:g})",
                    where, s.line)
        if s.rework_to and s.recall_type:
            c.error("not_accurate can be a rework or a recall, not both", where, s.line)
        if s.complete_and_accurate < 100 and not (s.rework_to or s.recall_type):
            c.warning("complete_and_accurate is below 100 but not_accurate does not say what happens "
                      "to the rest (rework at a step, or a recall)", where, s.line)
    return {s.id for s in m.steps if s.id}


def _check_entry(m: ProcessMap, c: _Collector, step_ids: set[str]) -> None:
    line = m.lines.get(("entry",))
    if not m.entry_default:
        c.error("no entry step: say where demand arrives (entry: step, or entry: {default: step})", "entry", line)
    elif m.entry_default not in step_ids:
        c.error(f"entry step '{m.entry_default}' is not a step of this map", "entry", line)
    for tp, sid in m.entry_touchpoints.items():
        if sid not in step_ids:
            c.error(f"entry for touchpoint '{tp}' goes to '{sid}', which is not a step of this map", "entry",
                    m.lines.get(("entry", "touchpoints", tp), line))


def _check_routes(m: ProcessMap, c: _Collector, step_ids: set[str]) -> None:
    for s in m.steps:
        if s.rework_to and s.rework_to not in step_ids:
            c.error(f"rework goes to '{s.rework_to}', which is not a step of this map", f"step '{s.id}'", s.line)
        unconditional_seen = False
        for i, group in enumerate(split_groups(s.routes)):
            head = group[0]
            for r in group:
                where = f"route {s.routes.index(r) + 1} of step '{s.id}' (to '{r.to}')"
                if not r.to:
                    c.error("the route has no 'to:' step", where, r.line)
                elif r.to != RESOLVED and r.to not in step_ids:
                    c.error(f"goes to '{r.to}', which is not a step of this map (or '{RESOLVED}')", where, r.line)
                if r.probability is not None and not 0 <= r.probability <= 1:
                    c.error(f"probability must be between 0 and 1 (is {r.probability:g})", where, r.line)
                if r.nature and r.nature not in ("value", "failure"):
                    c.error(f"nature must be value or failure (is '{r.nature}')", where, r.line)
                if unconditional_seen:
                    c.warning("no demand reaches this route: a route above already takes everything", where,
                              r.line)
            total = sum(r.probability or 0 for r in group)
            where = f"route {s.routes.index(head) + 1} of step '{s.id}'"
            if head.probability is not None and total > 1 + 1e-9:
                c.error(f"probabilities of this split add up to {total:g}, more than 1", where, head.line)
            takes_all = head.otherwise or not head.has_condition()
            if takes_all and (head.probability is None or abs(total - 1) <= 1e-9):
                unconditional_seen = True
            elif takes_all and head.probability is not None and total < 1 - 1e-9:
                rest = split_groups(s.routes)[i + 1:]
                if not any(g[0].otherwise or not g[0].has_condition() for g in rest):
                    c.error(f"probabilities add up to {total:g} and no 'otherwise' route below takes the rest "
                            f"({1 - total:.0%} of the demand would have nowhere to go)", where, head.line)
        if s.routes and not unconditional_seen:
            c.warning("no 'otherwise' route: demand matching none of the routes has nowhere to go",
                      f"step '{s.id}'", s.line)


def _check_graph(m: ProcessMap, c: _Collector, step_ids: set[str], catalogue: Catalogue | None) -> None:
    by_id = {s.id: s for s in m.steps if s.id}
    reached = _closure([e for e in entry_steps(m) if e in by_id],
                       {sid: [n for n in successors(s) if n in by_id] for sid, s in by_id.items()})
    for s in m.steps:
        if s.id and s.id in by_id and s.id not in reached and entry_steps(m):
            c.error("no demand can reach this step (no entry or route leads here)", f"step '{s.id}'", s.line)
    # steps from which some route ends the demand: everything that reaches 'resolved' backwards (linear time)
    preds: dict[str, list[str]] = {}
    last: list[str] = []
    for s in m.steps:
        if not s.id:
            continue
        nxt = successors(s)
        if RESOLVED in nxt:
            last.append(s.id)
        for n in set(nxt):
            preds.setdefault(n, []).append(s.id)
    ends = _closure(last, preds)
    for s in m.steps:
        if s.id and s.id not in ends:
            c.error("no route from this step ever ends the demand (it loops or stops without 'resolved')",
                    f"step '{s.id}'", s.line)
    _check_endless(m, c, by_id, {s.id for s in m.steps if s.id and s.id not in ends}, catalogue)


_MAX_KINDS = 100  # kinds of demand whose routing is followed to find flows that never end


def _kinds(m: ProcessMap, catalogue: Catalogue | None) -> list[DemandKind]:
    """Kinds of demand that between them take every route: any demand, one per route condition, one per entry
    touchpoint, and the catalogue's types (at most _MAX_KINDS)."""
    kinds = [DemandKind(), *(DemandKind(touchpoint=tp) for tp in m.entry_touchpoints)]
    for s in m.steps:
        for r in s.routes:
            if r.has_condition():
                kinds.append(DemandKind(r.types[0] if r.types else "", r.nature, r.cause,
                                        r.touchpoints[0] if r.touchpoints else ""))
    if catalogue is not None:
        kinds += [DemandKind(t.name, t.nature if t.decided else "", t.cause) for t in catalogue.types]
    return list(dict.fromkeys(kinds))[:_MAX_KINDS]


def _check_endless(m: ProcessMap, c: _Collector, by_id: dict[str, Step], flagged: set[str],
                   catalogue: Catalogue | None) -> None:
    """Flows that can never end: steps a kind of demand reaches from its entry but from which, following only
    moves with a probability above 0 (the absorbing chain of workbench.flow.expected), it can never get to
    'resolved' (e.g. rework with probability 1, a route back with probability 1, exits with probability 0)."""
    if not by_id:
        return
    steps = list(by_id.values())
    index = {s.id: i for i, s in enumerate(steps)}
    reported: set[frozenset[str]] = set()
    for kind in _kinds(m, catalogue):
        entry = m.entry_for(kind.touchpoint)
        if entry not in index:
            continue
        onward: dict[str, list[str]] = {}
        back: dict[str, list[str]] = {}
        ending: list[str] = []
        for s in steps:
            nxt = [target for target, p, _ in _transitions(s, kind, index) if p > 1e-12]
            if any(isinstance(t, str) for t in nxt):  # 'resolved' or unrouted (a warning of its own)
                ending.append(s.id)
            onward[s.id] = [steps[t].id for t in nxt if isinstance(t, int)]
            for t in onward[s.id]:
                back.setdefault(t, []).append(s.id)
        reached = _closure([entry], onward)
        trapped = reached - _closure(ending, back)
        if not trapped or trapped <= flagged or frozenset(trapped) in reported:
            continue
        reported.add(frozenset(trapped))
        names = [s.id for s in steps if s.id in trapped]
        shown = ", ".join(f"'{n}'" for n in names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        who = (f"demand of type '{kind.demand_type}'" if kind.demand_type else
               f"{kind.nature} demand" if kind.nature else f"demand arriving by {kind.touchpoint}"
               if kind.touchpoint else "demand")
        first = by_id[names[0]]
        c.error(f"{who} that reaches step {shown.split(',')[0]} can never end: every move with a probability above "
                f"0 from step{'s' if len(names) > 1 else ''} {shown} leads back among them (a loop with no way "
                "out, e.g. rework or a route back with probability 1, or exits with probability 0)",
                f"step '{first.id}'", first.line)


def _closure(start: list[str], edges: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        sid = todo.pop()
        if sid in seen:
            continue
        seen.add(sid)
        todo.extend(n for n in edges.get(sid, ()) if n not in seen)
    return seen


def _check_chases(m: ProcessMap, c: _Collector, step_ids: set[str]) -> None:
    for i, rule in enumerate(m.chases):
        where = f"failure demand rule {i + 1}" + (f" ('{rule.name}')" if rule.name else "")
        if rule.every_days <= 0:
            c.error("every_days must be more than 0", where, rule.line)
        if not 0 <= rule.probability <= 1:
            c.error(f"probability must be between 0 and 1 (is {rule.probability:g})", where, rule.line)
        if not rule.demand_type:
            c.error("demand_type is missing: what kind of failure demand does the customer bring?", where,
                    rule.line)
        for sid in rule.steps:
            if sid not in step_ids:
                c.error(f"step '{sid}' is not a step of this map", where, rule.line)


def _check_types(m: ProcessMap, c: _Collector, catalogue: Catalogue) -> None:
    def unknown(name: str) -> bool:
        return catalogue.lookup(name) is None

    natures = {t.nature for t in catalogue.types if t.decided}
    causes = {t.cause.casefold() for t in catalogue.types if t.cause}
    for s in m.steps:
        for j, r in enumerate(s.routes):
            where = f"route {j + 1} of step '{s.id}'"
            for t in r.types:
                if unknown(t):
                    c.warning(f"demand type '{t}' is not in the catalogue", where, r.line)
            if r.nature and r.nature not in natures:
                c.warning(f"the catalogue has no {r.nature} demand types", where, r.line)
            if r.cause and r.cause.casefold() not in causes:
                c.warning(f"no catalogue type has the cause '{r.cause}'", where, r.line)
        if s.recall_type and unknown(s.recall_type):
            c.warning(f"recall demand type '{s.recall_type}' is not in the catalogue", f"step '{s.id}'", s.line)
    for i, rule in enumerate(m.chases):
        if rule.demand_type and unknown(rule.demand_type):
            c.warning(f"demand type '{rule.demand_type}' is not in the catalogue", f"failure demand rule {i + 1}",
                      rule.line)
