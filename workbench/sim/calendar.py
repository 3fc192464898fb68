"""Working calendars: when a role's staff are at work.

The simulation clock is calendar minutes from Monday 00:00 of the first simulated week. A role works
`hours_per_day` hours from `OPENS_AT` on the first `days_per_week` days of each week (5 = Monday to
Friday); 24 hours and 7 days mean always at work. A day longer than 16 hours cannot fit after 08:00, so it
runs from midnight. Touch time is working time: a 30-minute job started
ten minutes before closing finishes twenty minutes after the next opening.
"""

from __future__ import annotations

import math

MINUTES_PER_DAY = 1440.0
OPENS_AT = 8 * 60.0  # 08:00


class Calendar:
    def __init__(self, hours_per_day: float, days_per_week: float) -> None:
        self.length = max(0.0, min(hours_per_day, 24.0)) * 60.0
        self.days = max(0, min(int(math.ceil(days_per_week)), 7))
        self.always = self.length >= MINUTES_PER_DAY and self.days >= 7
        self.opens = 0.0 if self.length > MINUTES_PER_DAY - OPENS_AT else OPENS_AT

    def _window(self, day: int) -> tuple[float, float] | None:
        if day % 7 >= self.days:
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
