"""Opening hours, rosters and closed dates in the engine (issue 14): every expected time is worked out by hand.

The clock is calendar minutes from Monday 00:00 of simulation day 0. A role with `hours` or a `roster` is a
pool of people: person k is at work when the staff at work then is at least k; work goes to the first free
person at work, in order of arrival; a job started before the end of a shift is finished (a call is not cut
off); waiting for opening time or a shift counts as queueing.
"""

from __future__ import annotations

import pandas as pd

from workbench.flow.model import parse_map, roster_levels
from workbench.flow.routing import DemandKind
from workbench.sim.calendar import Calendar, Person, pool
from workbench.sim.engine import Arrival, simulate

DAY = 1440.0
WEEK = 7 * DAY
KIND = DemandKind("Repair", "value", "", "Phone")


def at(day: int, hour: float, minute: float = 0.0) -> float:
    return day * DAY + hour * 60 + minute


def one_step(role_yaml: str, touch: str = "10", closed: str = "") -> str:
    return f"""
name: Roster test
{closed}
roles:
  - id: agent
    name: Agent
{role_yaml}
entry: answer
steps:
  - id: answer
    name: Answer
    role: agent
    touch: {touch}
"""


def arrivals(*times: float) -> list[Arrival]:
    return [Arrival(i + 1, i + 1, t, KIND) for i, t in enumerate(times)]


def run(text: str, times: list[float], **kw: object) -> pd.DataFrame:
    m = parse_map(text)
    assert not [p for p in m.problems if p.severity == "error"], m.problems
    result = simulate(m, arrivals(*times), **kw)  # type: ignore[arg-type]
    return result.visits.sort_values("id").reset_index(drop=True)


ROSTER_8_16 = """    roster:
      - {days: Mon-Fri, from: "08:00", to: "16:00", staff: 1}
"""


def test_a_call_at_two_in_the_morning_waits_360_minutes_for_the_shift() -> None:
    v = run(one_step(ROSTER_8_16), [at(0, 2)])
    assert v.loc[0, "queued"] == at(0, 2)
    assert v.loc[0, "started"] == at(0, 8)
    assert v.loc[0, "queue_minutes"] == 360
    assert v.loc[0, "finished"] == at(0, 8, 10)


def test_the_same_with_opening_hours_and_with_the_first_form() -> None:
    hours = "    staff: 1\n    hours:\n      Mon-Fri: \"08:00-16:00\"\n"
    assert run(one_step(hours), [at(0, 2)]).loc[0, "queue_minutes"] == 360
    # the first form (hours_per_day from 08:00) counts waiting for opening time as queueing too
    first = "    staff: 1\n    hours_per_day: 8\n    days_per_week: 5\n"
    v = run(one_step(first), [at(0, 2)])
    assert (v.loc[0, "started"], v.loc[0, "queue_minutes"], v.loc[0, "finished"]) == (at(0, 8), 360, at(0, 8, 10))
    # and `opens` moves the first form's day: 09:00 opening, 540 minutes from 00:00
    opens = "    staff: 1\n    hours_per_day: 8\n    opens: \"09:00\"\n"
    assert run(one_step(opens), [at(0, 0)]).loc[0, "queue_minutes"] == 540


def test_the_demand_frame_has_the_answer_wait_and_queue_by_role() -> None:
    m = parse_map(one_step(ROSTER_8_16))
    result = simulate(m, arrivals(at(0, 2), at(0, 9)))
    d = result.demands.set_index("id")
    assert d.loc[1, "answer_wait_minutes"] == 360 and d.loc[2, "answer_wait_minutes"] == 0
    assert d.loc[1, "queue_minutes_agent"] == 360 and d.loc[1, "queue_minutes"] == 360
    assert not d["abandoned"].any()
    assert d.loc[1, "resolved"] == at(0, 8, 10)


def test_a_call_running_at_the_end_of_a_shift_is_finished_and_the_next_waits_for_the_next_shift() -> None:
    v = run(one_step(ROSTER_8_16, touch="30"), [at(0, 15, 55), at(0, 15, 58)])
    # the first call starts at 15:55 and runs 30 minutes past closing, to 16:25
    assert (v.loc[0, "started"], v.loc[0, "finished"]) == (at(0, 15, 55), at(0, 16, 25))
    # the second is not started after 16:00: it waits for Tuesday 08:00
    assert v.loc[1, "started"] == at(1, 8)
    assert v.loc[1, "queue_minutes"] == at(1, 8) - at(0, 15, 58)


def test_staff_by_hour_follow_the_roster() -> None:
    roster = """    roster:
      - {days: Mon, from: "08:00", to: "10:00", staff: 2}
      - {days: Mon, from: "10:00", to: "12:00", staff: 1}
"""
    # three 60-minute calls at 09:00: two people answer two at once; the third waits for one of them (10:00);
    # at 10:00 only one person is still at work, so a fourth call at 09:30 waits until 11:00
    v = run(one_step(roster, touch="60"), [at(0, 9), at(0, 9), at(0, 9), at(0, 9, 30)])
    assert list(v["started"]) == [at(0, 9), at(0, 9), at(0, 10), at(0, 11)]
    assert list(v["queue_minutes"]) == [0, 0, 60, 90]


def test_overlapping_shifts_add_up() -> None:
    roster = """    roster:
      - {days: Mon, from: "08:00", to: "12:00", staff: 1}
      - {days: Mon, from: "09:00", to: "10:00", staff: 1}
"""
    m = parse_map(one_step(roster))
    assert roster_levels(m.roles[0].roster) == [(480.0, 540.0, 1.0), (540.0, 600.0, 2.0), (600.0, 720.0, 1.0)]
    v = run(one_step(roster, touch="30"), [at(0, 9), at(0, 9), at(0, 9)])
    assert list(v["started"]) == [at(0, 9), at(0, 9), at(0, 9, 30)]


def test_a_shift_over_midnight() -> None:
    roster = """    roster:
      - {days: Fri, from: "22:00", to: "06:00", staff: 1}
"""
    # a call on Saturday at 01:00 is answered at once by the Friday night shift; one at 07:00 waits a week
    v = run(one_step(roster), [at(5, 1), at(5, 7)])
    assert list(v["started"]) == [at(5, 1), WEEK + at(4, 22)]


def test_closed_dates_need_the_real_date_of_day_zero() -> None:
    text = one_step(ROSTER_8_16, closed="closed: [2026-12-07]")
    # day 0 is Monday 7 December 2026: closed, so a call at 09:00 waits for Tuesday 08:00
    v = run(text, [at(0, 9)], start_date=pd.Timestamp("2026-12-07"))
    assert v.loc[0, "started"] == at(1, 8)
    # without a start date the closed dates cannot be placed, and are not applied
    assert run(text, [at(0, 9)]).loc[0, "started"] == at(0, 9)
    # the first form keeps closed dates too
    first = one_step("    staff: 1\n    hours_per_day: 8\n", closed="closed: [2026-12-07]")
    assert run(first, [at(0, 9)], start_date=pd.Timestamp("2026-12-07")).loc[0, "started"] == at(1, 8)


def test_capacity_is_the_people_at_work() -> None:
    roster = """    roster:
      - {days: Mon-Fri, from: "08:00", to: "10:00", staff: 2}
      - {days: Mon-Fri, from: "10:00", to: "16:00", staff: 3}
"""
    m = parse_map(one_step(roster))
    result = simulate(m, arrivals(at(0, 9)), measured=(0.0, WEEK))
    role = result.roles.set_index("role").loc["agent"]
    assert role["people"] == 3
    assert role["capacity_minutes"] == 5 * (2 * 120 + 3 * 360)


def test_person_calendars() -> None:
    # Mondays only: two people 08:00-10:00, one until 16:00; the second Monday (day 7) is closed
    people = pool([(480.0, 600.0, 2.0), (600.0, 960.0, 1.0)], closed_days=[7])
    assert len(people) == 2
    first, second = people
    assert first.at_work(at(0, 12)) and not second.at_work(at(0, 12))
    assert second.next_start(at(0, 12)) == 2 * WEEK + at(0, 8)
    assert first.next_start(at(0, 17)) == 2 * WEEK + at(0, 8)
    assert first.next_start(at(0, 9)) == at(0, 9)
    assert first.working_minutes(0, 3 * WEEK) == 2 * 480
    assert second.working_minutes(at(0, 9), 3 * WEEK) == 60 + 120
    assert Person([]).next_start(0) == float("inf")
    # the first form keeps its old day: 17 hours a day start at midnight, as before
    assert Calendar(17, 5).opens == 0.0 and Calendar(7.5, 5, opens=540).opens == 540


def test_a_staffing_figure_scales_a_roster_by_its_busiest_moment() -> None:
    roster = """    roster:
      - {days: Mon, from: "08:00", to: "10:00", staff: 4}
      - {days: Mon, from: "10:00", to: "12:00", staff: 2}
"""
    m = parse_map(one_step(roster))
    plain = simulate(m, arrivals(at(0, 9)), measured=(0.0, WEEK)).roles.iloc[0]
    assert (plain["staff"], plain["people"], plain["capacity_minutes"]) == (4, 4, 4 * 120 + 2 * 120)
    half = simulate(m, arrivals(at(0, 9)), measured=(0.0, WEEK), staffing={"agent": 2}).roles.iloc[0]
    assert (half["staff"], half["people"], half["capacity_minutes"]) == (2, 2, 2 * 120 + 1 * 120)


def test_a_pool_open_round_the_clock_runs_exactly_like_the_first_form_open_round_the_clock() -> None:
    """Both kinds of role serve in order of arrival with the same draws, so with nobody ever off work they must
    give every demand the same queue, the same start and the same callers giving up."""
    import numpy as np

    rng = np.random.default_rng(5)
    times = np.cumsum(rng.exponential(2.0, size=3000)).tolist()
    tail = """entry: answer
steps:
  - id: answer
    name: Answer
    role: agent
    touch: {mean: 5.5, distribution: exponential}
"""
    head = "name: MMc\ntouchpoints:\n  Phone: {patience: {mean: 4, distribution: exponential}, call_back: 50%}\n"
    first = head + "roles:\n  - {id: agent, name: A, staff: 3, hours_per_day: 24, days_per_week: 7}\n" + tail
    pooled = head + ("roles:\n  - id: agent\n    name: A\n    staff: 3\n    hours:\n      every day: \"00:00-24:00\"\n"
                     + tail)
    a = simulate(parse_map(first), arrivals(*times), seed=9)
    b = simulate(parse_map(pooled), arrivals(*times), seed=9)
    cols = ["id", "queued", "started", "finished", "queue_minutes", "abandoned"]
    va = a.visits.sort_values(["id", "queued"])[cols].reset_index(drop=True)
    vb = b.visits.sort_values(["id", "queued"])[cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(va, vb)
    assert 0.05 < va["abandoned"].mean() < 0.5  # the queue is busy enough for callers to give up
    assert (a.demands["generated"] == "call back").sum() == (b.demands["generated"] == "call back").sum() > 0
