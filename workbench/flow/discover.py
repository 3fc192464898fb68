"""Draft an as-is process map from what an event log shows: one step per activity, its most frequent role,
routes with the observed shares of the directly-follows counts, waits from the observed median gaps, rework
for loops back, entry per touchpoint. The draft validates; the team edits it from there.

Takes plain data (`LogFacts` of `workbench.eventlog.observe`, matched by the `Facts` protocol) so that the
flow layer never imports the event log layer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pandas as pd

from workbench.flow.model import RESOLVED, VALUE_WORK, Duration, ProcessMap, Role, Route, Step
from workbench.flow.validate import MAX_WAIT_DAYS

START = "(start)"
END = "(end)"
DEFAULT_TOUCH_MINUTES = 5.0  # touch time of a step when the log has no start times: a placeholder to measure
MAX_ID = 32
ROUND = 4  # decimals of a route's probability


class Facts(Protocol):
    """What discovery needs from a log (see `workbench.eventlog.observe.LogFacts`)."""

    source: str
    cases: int
    events: int
    dfg: pd.DataFrame
    activities: pd.DataFrame
    roles: pd.DataFrame
    entries: pd.DataFrame
    roles_from: str
    timed_touches: int
    demand_types: tuple[str, ...]


MAX_SERVES = 500  # demand types a draft lists as the ones it serves (the most frequent first)


def slug(text: str, taken: set[str], limit: int = MAX_ID) -> str:
    """A safe id (letters, digits, '_' and '-') from a name, unique among `taken` (which it joins)."""
    words = re.sub(r"[^a-z0-9]+", " ", str(text).casefold()).split()
    base = ""
    for word in words:  # whole words while they fit
        if len(base) + len(word) + 1 > limit:
            break
        base = f"{base}_{word}" if base else word
    base = base or (words[0][:limit] if words else "step")
    if base == RESOLVED:
        base = f"{base}_step"
    out, k = base, 2
    while out in taken:
        out = f"{base[:limit - len(str(k)) - 1]}_{k}"
        k += 1
    taken.add(out)
    return out


def _duration(hours: float, default_unit: str) -> Duration:
    """A single-value duration in a readable unit: minutes under an hour, hours under a day, else days."""
    if not math.isfinite(hours) or hours <= 0:
        return Duration(likely=0, unit=default_unit)
    hours = min(hours, MAX_WAIT_DAYS * 24.0)
    if hours < 1:
        value, unit = hours * 60, "minutes"
    elif hours < 24:
        value, unit = hours, "hours"
    else:
        value, unit = hours / 24, "days"
    return Duration(likely=float(f"{value:.3g}"), unit=unit)


@dataclass
class _Departures:
    """The observed departures of one activity: (target, count), most frequent first, and what was folded."""

    observed: list[tuple[str, int]]
    kept: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(c for _, c in self.observed)


def _fold(observed: list[tuple[str, int]], min_share: float) -> dict[str, int]:
    """Routes under `min_share` of the departures folded into the most frequent one."""
    total = sum(c for _, c in observed)
    if not observed or total == 0:
        return {}
    main = observed[0][0]
    kept: dict[str, int] = {}
    for target, count in observed:
        key = target if target == main or count / total >= min_share else main
        kept[key] = kept.get(key, 0) + count
    return kept


def _trapped(departures: dict[str, _Departures]) -> set[str]:
    """Activities from which the kept routes never reach the end."""
    back: dict[str, set[str]] = {}
    for a, d in departures.items():
        for t in d.kept:
            back.setdefault(t, set()).add(a)
    ends = set()
    todo = [END]
    while todo:
        x = todo.pop()
        for a in back.get(x, ()):
            if a not in ends:
                ends.add(a)
                todo.append(a)
    return set(departures) - ends


def _unfold_exits(departures: dict[str, _Departures]) -> list[str]:
    """Give back folded routes until every activity reaches the end again (a fold can cut a loop's only way
    out); returns the activities whose routes were given back."""
    changed: list[str] = []
    while trapped := _trapped(departures):
        progress = False
        for a in sorted(trapped):
            d = departures[a]
            main = d.observed[0][0]
            for target, count in d.observed:
                if target not in d.kept and (target == END or target not in trapped):
                    d.kept[target] = count
                    d.kept[main] -= count
                    progress = True
                    changed.append(a)
                    break
            if progress:
                break
        if not progress:  # not from an observed log (every case ends); kept for safety: the smallest goes to the end
            a = sorted(trapped)[0]
            d = departures[a]
            smallest = min(d.kept, key=lambda t: (d.kept[t], t))
            d.kept[END] = d.kept.pop(smallest)
            changed.append(a)
    return list(dict.fromkeys(changed))


def _reached(entries: list[str], departures: dict[str, _Departures]) -> set[str]:
    seen: set[str] = set()
    todo = list(entries)
    while todo:
        a = todo.pop()
        if a in seen or a not in departures:
            continue
        seen.add(a)
        todo.extend(t for t, c in departures[a].kept.items() if c > 0)
    return seen


def _routes(kept: dict[str, int], ids: dict[str, str], order: dict[str, float], here: str) -> list[Route]:
    """Routes most frequent first with their shares; the last takes the rest (`otherwise`), so they add to 1."""
    total = sum(kept.values())
    items = sorted(((t, c) for t, c in kept.items() if c > 0), key=lambda tc: (-tc[1], tc[0]))
    out = []
    for i, (target, count) in enumerate(items):
        to = RESOLVED if target == END else ids[target]
        rework = target != END and order[target] <= order[here]
        if i == len(items) - 1:
            out.append(Route(to=to, otherwise=True, rework=rework))
        else:
            out.append(Route(to=to, probability=round(count / total, ROUND), rework=rework))
    return out


def discover(facts: Facts, name: str, *, min_share: float = 0.0, on: date | None = None) -> ProcessMap:
    """An as-is map drafted from a log's facts (see the module's docstring). `min_share` (0 to 1): a step's
    routes taken by less than this share of its departures are folded into its most frequent route."""
    if not 0 <= min_share < 1:
        raise ValueError(f"min_share must be at least 0 and below 1 (is {min_share:g})")
    acts = facts.activities
    if acts.empty:
        raise ValueError(f"{facts.source}: the log has no activities to draft a map from")
    taken: set[str] = set()
    role_ids = {str(r): slug(str(r), taken) for r in facts.roles["role"]}
    taken = set()
    ids = {str(a): slug(str(a), taken) for a in acts["activity"]}
    rank = {a: float(i) for i, a in enumerate(ids)}  # the activities come in order of their place in cases

    departures: dict[str, _Departures] = {a: _Departures([]) for a in ids}
    dfg = facts.dfg.sort_values(["count", "to"], ascending=[False, True], kind="stable")
    for f, t, c in zip(dfg["from"], dfg["to"], dfg["count"], strict=True):
        if f != START and str(f) in departures:
            departures[str(f)].observed.append((str(t), int(c)))
    for d in departures.values():
        if not d.observed:  # never followed by anything, not even the end: ends the case
            d.observed.append((END, 1))
        d.kept = _fold(d.observed, min_share)
    folded = sum(len(d.observed) - len(d.kept) for d in departures.values())
    given_back = _unfold_exits(departures)

    starts = facts.dfg[facts.dfg["from"] == START].sort_values(["count", "to"], ascending=[False, True])
    entry_default = str(starts["to"].iloc[0]) if len(starts) else next(iter(ids))
    entries: dict[str, str] = {}
    for tp, group in facts.entries.groupby("touchpoint", sort=True):
        best = str(group.sort_values(["cases", "activity"], ascending=[False, True]).iloc[0]["activity"])
        if best in ids:
            entries[str(tp)] = best
    reached = _reached([entry_default, *entries.values()], departures)
    left_out = [a for a in ids if a not in reached]

    timed = facts.timed_touches > 0
    steps = []
    for rec in acts.to_dict("records"):
        a = str(rec["activity"])
        if a not in reached:
            continue
        touch = rec["median_touch_minutes"]
        touch_known = timed and isinstance(touch, float) and math.isfinite(touch)
        touch_d = (Duration(likely=float(f"{max(touch, 0.0):.3g}"), unit="minutes") if touch_known
                   else Duration(likely=DEFAULT_TOUCH_MINUTES, unit="minutes"))
        share = float(rec["role_share"])
        note = (f"discovered: {int(rec['events']):,} events; role '{rec['role']}' for {share:.0%} of them; "
                f"wait = median gap before it ({float(rec['median_wait_hours']):.3g} h)"
                + ("; touch = median start to completion" if touch_known else
                   f"; touch {DEFAULT_TOUCH_MINUTES:g} min assumed (no start times)"))
        steps.append(Step(id=ids[a], name=a, role=role_ids.get(str(rec["role"]), next(iter(role_ids.values()))),
                          work=VALUE_WORK, touch=touch_d,
                          wait=_duration(float(rec["median_wait_hours"]), "days"),
                          routes=_routes(departures[a].kept, ids, rank, a), source=note))

    roles = [Role(id=role_ids[str(r)], name=str(r), staff=int(s))
             for r, s in zip(facts.roles["role"], facts.roles["staff"], strict=True)]
    used = {s.role for s in steps}
    roles = [r for r in roles if r.id in used]

    when = (on or date.today()).isoformat()
    lines = [f"Discovered from {facts.source} on {when}: {facts.cases:,} cases, {facts.events:,} events; "
             f"routes under {min_share * 100:g}% folded ("
             + (f"{folded} route(s) into their step's most frequent one)." if folded else "none: every observed route "
                "kept).")]
    lines.append("Steps are the log's activities; routes carry the observed shares of what followed each one; "
                 "waits are the median gaps before each step (a case's first event waits 0); routes back to an "
                 "earlier activity are marked rework. Every step is marked 'value' work until the team "
                 "classifies it.")
    if facts.roles_from == "role":
        lines.append("Roles: the most frequent role of each activity's events; staff = distinct resources seen in "
                     "that role (hours per day and days per week are defaults).")
    elif facts.roles_from == "resource":
        lines.append("Roles: the log names no roles, so each step's role is its most frequent resource (one "
                     "person each).")
    else:
        lines.append("Roles: the log names neither resources nor roles, so every step has one role; there are no "
                     "hand-offs until the team says who does what.")
    if not timed:
        lines.append(f"Touch times: the log has no start times, so every step's touch time is "
                     f"{DEFAULT_TOUCH_MINUTES:g} minutes, a placeholder to replace with measured times.")
    else:
        lines.append("Touch times: median start to completion of each step's events (a step without start times "
                     f"has {DEFAULT_TOUCH_MINUTES:g} minutes, a placeholder).")
    if left_out:
        shown = "; ".join(f"'{a}'" for a in left_out[:5]) + (" ..." if len(left_out) > 5 else "")
        lines.append(f"{len(left_out)} activit{'y' if len(left_out) == 1 else 'ies'} no longer reached once routes "
                     f"were folded left out: {shown}.")
    if given_back:
        shown = ", ".join(f"'{ids[a]}'" for a in given_back[:5]) + (" ..." if len(given_back) > 5 else "")
        lines.append(f"Folding would have left no way to the end from {shown}: their remainder keeps its "
                     "observed route out (to resolved or on).")
    return ProcessMap(name=name, roles=roles, steps=steps, entry_default=ids[entry_default],
                      entry_touchpoints={tp: ids[a] for tp, a in entries.items()}, design="as-is", description="\n".join(lines),
                      source=f"{name}.yaml", serves=list(facts.demand_types[:MAX_SERVES]))
