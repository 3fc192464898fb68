"""The map keys that say what the service is like (issue 14): opening hours, rosters, closed dates, callers'
patience and call backs, service times from the data and lognormal / gamma times. Reading (lenient, with
YAML lines), writing (times always quoted) and the round trip parse -> to_yaml -> parse."""

from __future__ import annotations

import datetime

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.flow.model import (
    Duration,
    Shift,
    TouchpointQueue,
    format_days,
    parse_map,
    roster_levels,
    to_dict,
    to_yaml,
)
from workbench.flow.validate import has_errors, validate_map

SERVICE = """name: Contact centre
closed: [2026-12-25, 2026-12-26]
touchpoints:
  Phone:
    patience: {mean: 3, unit: minutes, distribution: exponential}
    call_back: 60%
    call_back_after: {mean: 30, unit: minutes, distribution: exponential}
roles:
  - id: agent
    name: Contact centre agent
    staff: 10
    roster:
      - {days: Mon-Fri, from: "08:00", to: "10:00", staff: 8}
      - {days: Mon-Fri, from: 10:00, to: "16:00", staff: 12}
      - {days: weekdays, from: "16:00", to: "20:00", staff: 6}
      - {days: Sat, from: "22:00", to: "06:00", staff: 3}
  - id: back
    name: Back office
    staff: 4
    hours:
      Mon-Fri: "09:00-17:00"
      Sat: "09:00-12:30"
  - id: old
    name: Old form
    staff: 2
    hours_per_day: 7.5
    opens: "09:30"
entry: answer
steps:
  - id: answer
    name: Answer
    role: agent
    touch: {from_data: true, fit: lognormal}
    patience: {mean: 2, unit: minutes, distribution: exponential}
    routes:
      - {to: assess}
  - id: assess
    name: Assess
    role: back
    touch: {mean: 6, sd: 4, distribution: lognormal}
    routes:
      - {to: fix}
  - id: fix
    name: Fix
    role: old
    touch: from_data
"""


def test_every_new_key_is_read() -> None:
    m = parse_map(SERVICE, "service.yaml")
    assert m.problems == []
    assert m.closed == [datetime.date(2026, 12, 25), datetime.date(2026, 12, 26)]
    phone = m.touchpoints["Phone"]
    assert phone == TouchpointQueue(Duration(likely=3, distribution="exponential"), 0.6,
                                    Duration(likely=30, distribution="exponential"))
    agent, back, old = m.roles
    weekdays = (0, 1, 2, 3, 4)
    # the unquoted 10:00 is read by YAML 1.1 as the number 600: minutes after midnight
    assert agent.roster == [Shift(weekdays, 480, 600, 8), Shift(weekdays, 600, 960, 12), Shift(weekdays, 960, 1200, 6),
                            Shift((5,), 1320, 360, 3)]
    assert agent.peak_staff == 12
    assert back.hours == {**{d: [(540.0, 1020.0)] for d in weekdays}, 5: [(540.0, 750.0)]}
    assert old.opens == 570 and not old.hours and not old.roster
    answer, assess, fix = m.steps
    assert (answer.touch.distribution, answer.touch.fit) == ("from_data", "lognormal")
    assert answer.patience == Duration(likely=2, distribution="exponential")
    assert (assess.touch.distribution, assess.touch.likely, assess.touch.sd) == ("lognormal", 6, 4)
    assert assess.touch.mean_minutes() == 6
    assert (fix.touch.distribution, fix.touch.fit) == ("from_data", "")
    assert m.uses_patience()
    assert not has_errors(validate_map(m))


def test_the_round_trip_keeps_everything_and_quotes_times() -> None:
    first = parse_map(SERVICE, "service.yaml")
    once = to_yaml(first)
    second = parse_map(once, "service.yaml")
    assert second.problems == []
    assert to_dict(second) == to_dict(first)
    assert [(r.opens, r.hours, r.roster) for r in second.roles] == [(r.opens, r.hours, r.roster) for r in first.roles]
    assert second.touchpoints == first.touchpoints
    assert [s.touch for s in second.steps] == [s.touch for s in first.steps]
    assert to_yaml(second) == once
    assert '{days: Mon-Fri, from: "10:00", to: "16:00", staff: 12}' in once
    assert 'Mon-Fri: "09:00-17:00"' in once and 'opens: "09:30"' in once
    assert "touch: {from_data: true, fit: lognormal}" in once and "touch: from_data" in once
    # checked against the file read with plain yaml, so the round trip cannot agree with itself by dropping
    raw = yaml.safe_load(once)
    assert raw["closed"] == ["2026-12-25", "2026-12-26"]
    assert raw["touchpoints"]["Phone"]["call_back"] == "60%"


def test_old_maps_write_as_before() -> None:
    text = "name: Old\nroles:\n  - {id: a, name: A}\nentry: s\nsteps:\n  - {id: s, role: a, touch: 5}\n"
    d = to_dict(parse_map(text))
    assert set(d) == {"name", "roles", "entry", "steps"}
    assert d["roles"] == [{"id": "a", "name": "A", "staff": 1, "hours_per_day": 7.5, "days_per_week": 5}]
    assert "patience" not in d["steps"][0]


@pytest.mark.parametrize(("value", "days"), [
    ("Mon-Fri", (0, 1, 2, 3, 4)), ("monday, Wednesday", (0, 2)), ("weekend", (5, 6)), ("every day", tuple(range(7))),
    ("daily", tuple(range(7))), ("Fri-Mon", (0, 4, 5, 6)), (["Tue", "thu"], (1, 3)), ("SUN", (6,)),
])
def test_days(value: object, days: tuple[int, ...]) -> None:
    text = f"name: D\nroles:\n  - id: a\n    roster:\n      - {{days: {value!r}, from: '08:00', to: '09:00', staff: 1}}\n"
    if isinstance(value, list):
        text = text.replace(repr(value), "[" + ", ".join(value) + "]")
    m = parse_map(text)
    assert m.problems == []
    assert m.roles[0].roster[0].days == days


@pytest.mark.parametrize(("value", "minutes"), [("'08:00'", 480), ("'8:30'", 510), ("10:00", 600), ("8", 480),
                                                ("'24:00'", 1440), ("23:59", 1439), ("0", 0)])
def test_times_from_text_and_from_yaml_numbers(value: str, minutes: float) -> None:
    m = parse_map(f"name: T\nroles:\n  - id: a\n    roster:\n      - {{days: Mon, from: '00:00', to: {value}, staff: 1}}\n")
    assert m.problems == []
    assert m.roles[0].roster[0].end == minutes


def test_problems_are_reported_with_their_line_and_kept_as_typed() -> None:
    text = """name: Bad
closed: ["2026-13-01"]
touchpoints:
  Phone:
    patience: soon
    call_back: lots
roles:
  - id: a
    opens: "25:00"
    hours:
      Mon-Fry: "09:00-17:00"
    roster:
      - {days: Mon, from: 30, to: "16:00", staff: 2}
steps:
  - id: s
    role: a
    touch: {from_data: true, fit: weibull}
"""
    m = parse_map(text, "bad.yaml")
    lines = {p.line for p in m.problems}
    messages = " | ".join(p.message for p in m.problems)
    assert "'2026-13-01' is not a date" in messages
    assert "opens '25:00' is not a time" in messages
    assert "'mon-fry' is not a day" in messages.lower()
    assert "from 30 is not a time" in messages  # 25..59 can be neither hours nor HH:MM read by YAML
    assert "fit 'weibull' is not lognormal or gamma" in messages
    assert "call_back should be a number" in messages
    assert {2, 5, 6, 9, 11, 13, 17} <= lines, sorted(lines)
    # what could not be read is written back as typed, not "fixed"
    d = to_dict(m)
    assert d["roles"][0]["opens"] == "25:00"
    assert d["roles"][0]["hours"] == {"Mon-Fry": "09:00-17:00"}
    assert d["roles"][0]["roster"][0]["from"] == 30
    assert d["touchpoints"]["Phone"]["call_back"] == "lots"
    assert d["touchpoints"]["Phone"]["patience"] == "soon"


def test_validation_of_shifts_and_queues() -> None:
    text = """name: V
touchpoints:
  Phone: {call_back: 150%}
roles:
  - id: a
    roster:
      - {days: Mon, from: "08:00", to: "08:00", staff: 2}
      - {days: Tue, from: "08:00", to: "12:00", staff: -1}
    hours:
      Mon: "09:00-12:00, 11:00-13:00"
entry: s
steps:
  - id: s
    name: S
    role: a
    touch: {mean: 5, distribution: gamma}
    patience: -2
"""
    problems = validate_map(parse_map(text))
    errors = " | ".join(p.message for p in problems if p.severity == "error")
    warnings = " | ".join(p.message for p in problems if p.severity == "warning")
    assert "the shift starts and ends at 08:00" in errors
    assert "a shift's staff cannot be negative" in errors
    assert "call_back must be a share between 0% and 100% (is 150%)" in errors
    assert "touch time: a gamma time needs a mean and an sd" in errors
    assert "patience: cannot be negative" in errors
    assert "the hours are not used" in warnings and "opening hours overlap" in warnings


def test_overlapping_shifts_add_up_and_wrap_the_week() -> None:
    shifts = [Shift((6,), 1320, 120, 2), Shift((0,), 0, 60, 1)]
    # Sunday 22:00 to Monday 02:00 with 2, and Monday 00:00-01:00 with 1 more
    assert roster_levels(shifts) == [(0.0, 60.0, 3.0), (60.0, 120.0, 2.0), (6 * 1440 + 1320, 7 * 1440.0, 2.0)]


TIMES = st.integers(0, 95).map(lambda q: q * 15.0)


@st.composite
def shifts(draw: st.DrawFn) -> Shift:
    days = tuple(sorted(draw(st.sets(st.integers(0, 6), min_size=1))))
    start = draw(TIMES)
    end = draw(TIMES.filter(lambda e: e != start))
    return Shift(days, start, end, float(draw(st.integers(0, 30))))


@settings(max_examples=60, deadline=None)
@given(st.lists(shifts(), min_size=1, max_size=5),
       st.dictionaries(st.integers(0, 6), st.lists(st.tuples(TIMES, TIMES).filter(lambda w: w[0] != w[1]),
                                                   min_size=1, max_size=2), max_size=7),
       st.sampled_from(["", "lognormal", "gamma"]), st.floats(0, 1).map(lambda x: round(x, 2)))
def test_any_roster_hours_and_queue_survive_the_round_trip(roster: list[Shift], hours: dict, fit: str,
                                                          share: float) -> None:
    m = parse_map(SERVICE, "service.yaml")
    m.roles[0].roster = roster
    m.roles[1].hours = {d: sorted(w) for d, w in hours.items()}
    m.steps[0].touch = Duration(distribution="from_data", fit=fit)
    m.touchpoints["Phone"].call_back = share
    once = to_yaml(m)
    back = parse_map(once, "service.yaml")
    assert back.problems == []
    assert [(s.days, s.start, s.end, s.staff) for s in back.roles[0].roster] == [
        (s.days, s.start, s.end, s.staff) for s in roster]
    assert back.roles[1].hours == m.roles[1].hours
    assert back.steps[0].touch == m.steps[0].touch
    assert back.touchpoints["Phone"].call_back == pytest.approx(share)
    assert to_yaml(back) == once
    assert format_days(roster[0].days)
