"""Working calendars (workbench/sim/calendar.py): every expected time below is worked out by hand.

The clock is calendar minutes from Monday 00:00 of the first simulated week; a role works `hours_per_day`
hours from 08:00 on the first `days_per_week` days of each week. A 7.5-hour day is 08:00-15:30.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench.sim.calendar import MINUTES_PER_DAY, OPENS_AT, Calendar

DAY = 1440.0
WEEK = 7 * DAY
MON, TUE, WED, THU, FRI, SAT, SUN = (i * DAY for i in range(7))


def at(day: float, hour: float, minute: float = 0.0) -> float:
    """Calendar minutes of `hour:minute` on `day` (a day's start in minutes)."""
    return day + hour * 60 + minute


def test_constants() -> None:
    assert MINUTES_PER_DAY == 1440.0
    assert OPENS_AT == 8 * 60.0


# ------------------------------------------------------------------------------------------ finish


OFFICE = Calendar(7.5, 5)  # Monday to Friday, 08:00-15:30


@pytest.mark.parametrize(
    ("start", "work", "expected"),
    [
        # inside the day: plain addition
        (at(MON, 9), 30, at(MON, 9, 30)),
        # exactly fits up to closing time: done at 15:30 the same day
        (at(MON, 15), 30, at(MON, 15, 30)),
        # the docstring's example: 30 minutes begun ten minutes before closing end twenty minutes after opening
        (at(MON, 15, 20), 30, at(TUE, 8, 20)),
        # queued before opening: starts at 08:00
        (at(WED, 6), 45, at(WED, 8, 45)),
        # queued after closing: starts at 08:00 the next day
        (at(WED, 18), 45, at(THU, 8, 45)),
        # Friday afternoon across the weekend: 10 minutes on Friday, 20 on Monday of the next week
        (at(FRI, 15, 20), 30, WEEK + at(MON, 8, 20)),
        # arriving on Saturday or Sunday waits for Monday
        (at(SAT, 11), 60, WEEK + at(MON, 9)),
        (at(SUN, 23, 59), 60, WEEK + at(MON, 9)),
        # two and a bit working days of work: 450 (Mon, from 08:00) + 450 (Tue) + 100 (Wed)
        (at(MON, 8), 1000, at(WED, 9, 40)),
        # a full week of work (5 x 450 = 2250 minutes) from Monday 08:00 ends Friday 15:30
        (at(MON, 8), 2250, at(FRI, 15, 30)),
        # one minute more runs over into the next Monday
        (at(MON, 8), 2251, WEEK + at(MON, 8, 1)),
        # a later week behaves like the first: week 3, Thursday 15:00, 90 minutes -> 30 Thu + 60 Fri
        (2 * WEEK + at(THU, 15), 90, 2 * WEEK + at(FRI, 9)),
    ],
)
def test_finish_office_hours(start: float, work: float, expected: float) -> None:
    assert OFFICE.finish(start, work) == pytest.approx(expected, abs=1e-9)


def test_zero_or_negative_work_is_done_at_once_even_out_of_hours() -> None:
    assert OFFICE.finish(at(SAT, 3), 0) == at(SAT, 3)
    assert OFFICE.finish(at(TUE, 20), -5) == at(TUE, 20)


def test_always_open_role_adds_work_to_the_clock() -> None:
    always = Calendar(24, 7)
    assert always.always
    assert always.finish(at(FRI, 23, 50), 30) == at(SAT, 0, 20)
    assert always.finish(at(SUN, 23), 3 * DAY) == WEEK + at(WED, 23)
    assert always.working_minutes(at(MON, 3), WEEK + at(MON, 3)) == WEEK


def test_seven_day_role_works_weekends() -> None:
    weekend = Calendar(7.5, 7)  # 08:00-15:30 every day
    assert not weekend.always
    assert weekend.finish(at(SAT, 11), 60) == at(SAT, 12)
    assert weekend.finish(at(FRI, 15, 20), 30) == at(SAT, 8, 20)
    assert weekend.working_minutes(0, WEEK) == 7 * 450


def test_round_the_clock_on_weekdays_only() -> None:
    # 24 hours on 5 days: Monday 00:00 to Saturday 00:00, nothing at the weekend
    weekdays = Calendar(24, 5)
    assert not weekdays.always
    assert weekdays.finish(at(FRI, 23), 120) == WEEK + at(MON, 1)
    assert weekdays.finish(at(SAT, 12), 30) == WEEK + at(MON, 0, 30)
    assert weekdays.working_minutes(0, 2 * WEEK) == 10 * DAY


def test_a_role_that_never_works_never_finishes() -> None:
    assert Calendar(0, 5).finish(at(MON, 9), 10) == math.inf
    assert Calendar(7.5, 0).finish(at(MON, 9), 10) == math.inf
    assert Calendar(7.5, 0).working_minutes(0, WEEK) == 0


# ------------------------------------------------------------------------------------------ working minutes


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, WEEK, 5 * 450),  # a whole week: five 7.5-hour days
        (0, 4 * WEEK, 20 * 450),
        (at(MON, 12), at(WED, 10), 210 + 450 + 120),  # Mon 12:00-15:30, all Tue, Wed 08:00-10:00
        (at(FRI, 14), WEEK + at(MON, 9), 90 + 60),  # across the weekend
        (at(SAT, 0), at(MON, 0) + WEEK, 0),  # the weekend alone
        (at(TUE, 16), at(WED, 7, 59), 0),  # overnight
        (at(THU, 9), at(THU, 9, 1), 1),
        (at(THU, 9), at(THU, 9), 0),
        (at(THU, 10), at(THU, 9), 0),  # end before start
    ],
)
def test_working_minutes_office_hours(start: float, end: float, expected: float) -> None:
    assert OFFICE.working_minutes(start, end) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("calendar", [Calendar(7.5, 5), Calendar(10, 6), Calendar(24, 5), Calendar(8, 7)],
                         ids=["7.5h x5", "10h x6", "24h x5", "8h x7"])
def test_finish_and_working_minutes_agree(calendar: Calendar) -> None:
    """Work begun at any time is done after exactly that many working minutes, and never in a closed hour."""
    rng = np.random.default_rng(11)
    starts = rng.uniform(0, 3 * WEEK, 300)
    works = rng.exponential(600, 300)
    for start, work in zip(starts, works, strict=True):
        end = calendar.finish(float(start), float(work))
        assert end >= start + work - 1e-9
        assert calendar.working_minutes(float(start), end) == pytest.approx(work, rel=1e-9, abs=1e-7)
        # the last minute of the work is inside a working window
        assert calendar.working_minutes(end - 1e-3, end) == pytest.approx(1e-3, rel=1e-6)


def test_long_days_start_at_eight() -> None:
    # 12 hours from 08:00: 08:00-20:00
    long_day = Calendar(12, 5)
    assert long_day.finish(at(MON, 19, 30), 60) == at(TUE, 8, 30)
    assert long_day.working_minutes(0, WEEK) == 5 * 720


def test_sixteen_hour_day_runs_from_eight_to_midnight() -> None:
    """Two shifts, 08:00-24:00: the docstring's rule ("hours_per_day hours from OPENS_AT") fits inside the
    day, so nothing should move. (The engine moves a window to 00:00 when it would pass midnight; a window
    that ends exactly at midnight does not pass it.)"""
    two_shifts = Calendar(16, 5)
    assert two_shifts.finish(at(MON, 7), 30) == at(MON, 8, 30)  # nobody at work at 07:00
    assert two_shifts.finish(at(MON, 23, 30), 60) == at(TUE, 8, 30)  # 30 min before midnight, 30 after 08:00
    assert two_shifts.working_minutes(at(MON, 0), at(MON, 8)) == 0
    assert two_shifts.working_minutes(at(MON, 16), at(TUE, 0)) == 8 * 60
