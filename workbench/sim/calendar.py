"""Working calendars: when a role's staff are at work.

The simulation clock is calendar minutes from Monday 00:00 of the first simulated week (simulation day 0;
`closed_days` are day numbers on that clock, worked out from the real date of day 0).

Two kinds of role:

* `hours_per_day` / `days_per_week` (the first form, `Calendar`): every person works `hours_per_day` hours
  from `opens` (default `OPENS_AT`, 08:00) on the first `days_per_week` days of each week (5 = Monday to
  Friday); 24 hours and 7 days mean always at work. A day that cannot fit after `opens` starts earlier so that
  it ends at midnight. Touch time is working time: a 30-minute job started ten minutes before closing
  finishes twenty minutes after the next opening.
* opening `hours` or a `roster` (`Person` calendars, one per person): the role is a pool of people, person k
  (1, 2, ...) at work whenever the staff at work then (the roster's figure, overlapping shifts added up; with
  opening hours, the role's staff) is at least k. Work goes to the first free person who is at work, in the
  order it arrived. A person who has started a job finishes it, even after their shift ends (a call is not cut
  off at closing time); they take no new work until their next shift.

In both, closed days (holidays) have no working time at all, and work waiting for opening time or a shift
counts as queueing.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable

MINUTES_PER_DAY = 1440.0
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
OPENS_AT = 8 * 60.0  # 08:00


class Calendar:
    def __init__(self, hours_per_day: float, days_per_week: float, opens: float | None = None,
                 closed_days: Iterable[int] = ()) -> None:
        self.length = max(0.0, min(hours_per_day, 24.0)) * 60.0
        self.days = max(0, min(int(math.ceil(days_per_week)), 7))
        self.closed = frozenset(closed_days)
        self.always = self.length >= MINUTES_PER_DAY and self.days >= 7 and not self.closed
        if opens is None:  # the first form, as it always was: 08:00, or midnight for a day over 16 hours
            self.opens = 0.0 if self.length > MINUTES_PER_DAY - OPENS_AT else OPENS_AT
        else:
            self.opens = min(float(opens) % MINUTES_PER_DAY, MINUTES_PER_DAY - self.length)

    def _window(self, day: int) -> tuple[float, float] | None:
        if day % 7 >= self.days or day in self.closed:
            return None
        start = day * MINUTES_PER_DAY + self.opens
        return start, start + self.length

    def finish(self, start: float, work: float) -> float:
        """Calendar time at which `work` working minutes, begun (or queued) at `start`, are done."""
        if self.always or work <= 0:
            return start + max(work, 0.0)
        if self.length <= 0 or self.days <= 0:
            return math.inf
        t = start
        day = int(t // MINUTES_PER_DAY)
        remaining = work
        for _ in range(100_000):
            window = self._window(day)
            if window is not None:
                begin, end = window
                if t < end:
                    t = max(t, begin)
                    if remaining <= end - t:
                        return t + remaining
                    remaining -= end - t
            day += 1
            t = day * MINUTES_PER_DAY
        return math.inf

    def start_finish(self, start: float, work: float) -> tuple[float, float]:
        """(when `work` begun or queued at `start` is started, when it is done): `next_working(start)` (`start`
        for no work) and `finish(start, work)` in one pass, the same figures."""
        if work <= 0:
            return start, start + max(work, 0.0)
        if self.always:
            return start, start + work
        if self.length <= 0 or self.days <= 0:
            return math.inf, math.inf
        t = start
        day = int(t // MINUTES_PER_DAY)
        remaining = work
        began = math.inf
        days, closed, opens, length = self.days, self.closed, self.opens, self.length
        for _ in range(100_000):
            if day % 7 < days and day not in closed:
                begin = day * MINUTES_PER_DAY + opens
                end = begin + length
                if t < end:
                    if t < begin:
                        t = begin
                    if began == math.inf:
                        began = t
                    if remaining <= end - t:
                        return began, t + remaining
                    remaining -= end - t
            day += 1
            t = day * MINUTES_PER_DAY
        return began, math.inf

    def next_working(self, t: float) -> float:
        """The first moment at or after `t` at work (`t` itself during working time); inf when never."""
        if self.always:
            return t
        if self.length <= 0 or self.days <= 0:
            return math.inf
        day = int(t // MINUTES_PER_DAY)
        for _ in range(100_000):
            window = self._window(day)
            if window is not None and t < window[1]:
                return max(t, window[0])
            day += 1
        return math.inf

    def working_minutes(self, start: float, end: float) -> float:
        """Working minutes between two calendar times (capacity of one person)."""
        if end <= start:
            return 0.0
        if self.always:
            return end - start
        total = 0.0
        for day in range(int(start // MINUTES_PER_DAY), int(end // MINUTES_PER_DAY) + 1):
            window = self._window(day)
            if window is None:
                continue
            lo, hi = max(window[0], start), min(window[1], end)
            if hi > lo:
                total += hi - lo
        return total


class Person:
    """When one person of a pool is at work: weekly windows (minutes from Monday 00:00, each within one week;
    a window ending at the week's end continues into one starting at 0) minus closed days."""

    __slots__ = ("closed", "ends", "starts")

    def __init__(self, windows: list[tuple[float, float]], closed_days: Iterable[int] = ()) -> None:
        merged: list[list[float]] = []
        for a, b in sorted(windows):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            elif b > a:
                merged.append([a, b])
        self.starts = [w[0] for w in merged]
        self.ends = [w[1] for w in merged]
        self.closed = frozenset(closed_days)

    def at_work(self, t: float) -> bool:
        if not self.starts or int(t // MINUTES_PER_DAY) in self.closed:
            return False
        w = t % MINUTES_PER_WEEK
        i = bisect.bisect_right(self.starts, w) - 1
        return i >= 0 and w < self.ends[i]

    def next_start(self, t: float) -> float:
        """The first moment at or after `t` at work; inf when never."""
        if not self.starts:
            return math.inf
        for _ in range(10_000):
            day = int(t // MINUTES_PER_DAY)
            if day in self.closed:
                t = (day + 1) * MINUTES_PER_DAY
                continue
            week = math.floor(t / MINUTES_PER_WEEK) * MINUTES_PER_WEEK
            w = t - week
            i = bisect.bisect_right(self.starts, w) - 1
            if i >= 0 and w < self.ends[i]:
                return t
            nxt = week + (self.starts[i + 1] if i + 1 < len(self.starts) else MINUTES_PER_WEEK + self.starts[0])
            t = max(nxt, t)
        return math.inf

    def working_minutes(self, start: float, end: float) -> float:
        """Minutes at work between two calendar times."""
        if end <= start or not self.starts:
            return 0.0
        total = 0.0
        first_week = math.floor(start / MINUTES_PER_WEEK)
        last_week = math.floor(end / MINUTES_PER_WEEK)
        for k in range(first_week, last_week + 1):
            base = k * MINUTES_PER_WEEK
            for a, b in zip(self.starts, self.ends, strict=True):
                lo, hi = max(base + a, start), min(base + b, end)
                if hi <= lo:
                    continue
                total += hi - lo
                for day in self.closed:  # closed days inside this piece
                    dlo, dhi = max(day * MINUTES_PER_DAY, lo), min((day + 1) * MINUTES_PER_DAY, hi)
                    if dhi > dlo:
                        total -= dhi - dlo
        return total


def whole_people(staff: float) -> int:
    """People at work for a staffing figure: whole people, half up (0 stays 0)."""
    return max(0, math.floor(float(staff) + 0.5))


def pool(levels: list[tuple[float, float, float]], closed_days: Iterable[int] = ()) -> list[Person]:
    """People of a role from its staff at work through the week, as (start, end, staff) pieces in minutes from
    Monday 00:00 (see `workbench.flow.model.roster_levels`): person k works whenever the staff then, in whole
    people, is at least k."""
    closed = frozenset(closed_days)
    most = max((whole_people(level) for _, _, level in levels), default=0)
    return [Person([(a, b) for a, b, level in levels if whole_people(level) >= k], closed)
            for k in range(1, most + 1)]


def hours_levels(hours: dict[int, list[tuple[float, float]]], staff: float) -> list[tuple[float, float, float]]:
    """Opening hours (weekday -> windows in minutes after midnight; an end at or before the start runs over
    midnight) as weekly (start, end, staff) pieces, each window with the role's staff."""
    out = []
    for day, windows in hours.items():
        for a, b in windows:
            lo = day * MINUTES_PER_DAY + a
            hi = lo + ((b - a) if b > a else (b + MINUTES_PER_DAY - a))
            if hi <= MINUTES_PER_WEEK:
                out.append((lo, hi, staff))
            else:
                out.extend([(lo, MINUTES_PER_WEEK, staff), (0.0, hi - MINUTES_PER_WEEK, staff)])
    return out
