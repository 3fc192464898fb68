"""Closed days on the daily volume chart (issue 14): a closed day is not a day of no demand. The rule
(workbench/demand/analysis.py `closed_days`): a weekday with no demand in every week of the sample is closed; a
single zero day whose weekday typically has enough demand that a zero is implausible (Poisson P(0) < 1%) is a
closed date; any other zero is a real zero and is charted. Checked on hand-built days, against a plain-Python
version of the rule over random calendars (hypothesis), and on the Demand page."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import spc
from workbench.demand import analysis

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MONDAY = pd.Timestamp("2026-11-30")  # a Monday; 25 December 2026 is a Friday


def _days(counts: list[int], first: pd.Timestamp = MONDAY) -> pd.DataFrame:
    """A daily `over_time`-shaped frame: period_start and total."""
    return pd.DataFrame({"period_start": pd.date_range(first, periods=len(counts), freq="D"), "total": counts})


def test_sundays_and_christmas_are_closed_and_a_quiet_saturday_is_not() -> None:
    # four weeks from Mon 30 Nov: weekdays 40 a day, Saturdays 1 (one of them 0), Sundays always 0; Fri 25 Dec 0.
    counts = []
    for week in range(4):
        counts += [40, 40, 40, 40, 40, 1 if week != 2 else 0, 0]
    christmas = (pd.Timestamp("2026-12-25") - MONDAY).days
    counts[christmas] = 0
    closed = analysis.closed_days(_days(counts))
    assert closed.weekdays == [6]  # Sundays: no demand in any week
    # Friday's rate is 40 (its days with demand): P(0) = e^-40, implausible: 25 Dec was closed. Saturday's rate
    # is 1: P(0) = e^-1 = 37%, so the quiet Saturday (19 Dec) is a real zero and stays.
    assert closed.dates == [pd.Timestamp("2026-12-25")]
    left_out = [d for d, k in zip(_days(counts)["period_start"], closed.keep, strict=True) if not k]
    assert len(left_out) == 4 + 1 and pd.Timestamp("2026-12-19") not in left_out
    assert closed.words() == "Sundays and 25 Dec left out: the service was closed."
    volume = analysis.behaviour(_days(counts)[closed.keep], "total", full_periods_only=False)
    assert len(volume) == 28 - 5 and (volume[spc.VALUE] > 0).sum() == 28 - 5 - 1  # the quiet Saturday charted


def test_the_threshold_is_poisson_p0_below_one_percent() -> None:
    # ln 100 = 4.605: a weekday averaging 5 on its busy days makes a zero implausible (e^-5 = 0.7%), one
    # averaging 4 does not (e^-4 = 1.8%).
    five = [5, 5, 5, 5, 5, 5, 5] * 3
    five[7] = 0  # the second Monday
    assert analysis.closed_days(_days(five)).dates == [MONDAY + pd.Timedelta(days=7)]
    four = [4] * 21
    four[7] = 0
    assert analysis.closed_days(_days(four)).dates == []
    assert math.exp(-5) < analysis.IMPLAUSIBLE_ZERO < math.exp(-4)


def test_no_closed_days_and_an_empty_series() -> None:
    closed = analysis.closed_days(_days([3] * 14))
    assert (closed.weekdays, closed.dates, closed.words(), closed.keep.all()) == ([], [], None, True)
    empty = analysis.closed_days(_days([]))
    assert empty.keep.shape == (0,) and empty.words() is None
    many = [50] * 70
    for i in range(0, 70, 7):
        many[i + 2] = 0  # ten Wednesdays... but one Wednesday open, so not a closed weekday
    many[2 + 7 * 9] = 50
    closed = analysis.closed_days(_days(many))
    assert closed.weekdays == [] and len(closed.dates) == 9
    assert closed.words() == ("2 Dec, 9 Dec, 16 Dec, 23 Dec, 30 Dec and 4 other dates left out: the service was "
                              "closed.")


def _rule_plain(counts: list[int], first: pd.Timestamp) -> list[bool]:
    """The documented rule in plain Python: keep (True) or leave out (False) each day."""
    weekdays = [(first + pd.Timedelta(days=i)).day_of_week for i in range(len(counts))]
    keep = []
    for c, w in zip(counts, weekdays, strict=True):
        same = [x for x, v in zip(counts, weekdays, strict=True) if v == w]
        if c > 0:
            keep.append(True)
        elif all(x == 0 for x in same):
            keep.append(False)  # a closed weekday
        else:
            busy = [x for x in same if x > 0]
            keep.append(not math.exp(-sum(busy) / len(busy)) < 0.01)
    return keep


@SETTINGS
@given(st.lists(st.integers(0, 60), min_size=1, max_size=60), st.integers(0, 6), st.sets(st.integers(0, 6)),
       st.lists(st.integers(0, 59), max_size=4))
def test_closed_days_follow_the_rule(counts: list[int], shift: int, shut: set[int], holidays: list[int]) -> None:
    first = MONDAY + pd.Timedelta(days=shift)
    weekdays = [(first + pd.Timedelta(days=i)).day_of_week for i in range(len(counts))]
    counts = [0 if w in shut else c for c, w in zip(counts, weekdays, strict=True)]
    for h in holidays:
        if h < len(counts):
            counts[h] = 0
    closed = analysis.closed_days(_days(counts, first))
    assert closed.keep.tolist() == _rule_plain(counts, first)
    # never leaves out a day with demand; every shut weekday present in the sample is named
    assert all(k for k, c in zip(closed.keep, counts, strict=True) if c > 0)
    assert {w for w in shut if w in weekdays} <= set(closed.weekdays)
    # the words name what was left out, and nothing when nothing was
    words = closed.words()
    assert (words is None) == bool(closed.keep.all())
    if words is not None:
        assert words.endswith(" left out: the service was closed.")
        for w in closed.weekdays:
            assert analysis.WEEKDAYS[w] in words
    # the dates listed are zero days of an open weekday, in order
    assert closed.dates == sorted(closed.dates)
    for d in closed.dates:
        i = (d - first).days
        assert counts[i] == 0 and weekdays[i] not in closed.weekdays


@SETTINGS
@given(st.lists(st.integers(1, 60), min_size=1, max_size=40), st.integers(0, 6))
def test_a_sample_with_demand_every_day_keeps_every_day(counts: list[int], shift: int) -> None:
    closed = analysis.closed_days(_days(counts, MONDAY + pd.Timedelta(days=shift)))
    assert closed.keep.all() and closed.words() is None


# ------------------------------------------------------------------------------------------ the Demand page


def _closed_sundays_csv() -> bytes:
    """Four weeks of demand from Mon 30 Nov 2026: 12 a day Monday to Saturday at 10:00, none on Sundays, none
    on Fri 25 Dec."""
    rows = ["received_at,touchpoint,demand_type,nature"]
    for i in range(28):
        day = MONDAY + pd.Timedelta(days=i)
        if day.day_of_week == 6 or day == pd.Timestamp("2026-12-25"):
            continue
        rows += [f"{day:%Y-%m-%d} 10:{m:02d},Phone,Leak,value" for m in range(12)]
    return ("\n".join(rows) + "\n").encode()


def test_the_demand_page_leaves_closed_days_out_of_the_daily_volume_chart() -> None:
    from app_pages import DemandScreen, open_app

    at = open_app(timeout=180)
    demand = DemandScreen(at)
    demand.upload("closed_sundays.csv", _closed_sundays_csv())
    demand.assert_no_exception()
    at.radio(key="spc_period").set_value("Day").run()
    demand.assert_no_exception()
    words = "Sundays and 25 Dec left out: the service was closed"
    assert demand.says("caption", words)
    spec = next(s for s in demand.chart_specs("Over time") if isinstance(s.get("title"), dict)
                and s["title"].get("text") == "Demands per day")
    subtitle = " ".join(spec["title"]["subtitle"])
    assert words in subtitle and "Limits are provisional" not in subtitle  # 28 - 4 Sundays - 25 Dec = 23 points
    # the points drawn: Streamlit sends the chart's data beside its spec, as Arrow
    import pyarrow as pa
    node = next(n for n in demand._walk(demand.tab("Over time")) if getattr(n, "type", "") == "vega_lite_chart"
                and '"Demands per day"' in n.proto.spec)
    frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in node.proto.datasets]
    values = next(f for f in frames if "value" in f.columns)["value"].tolist()
    assert len(values) == 23 and values == [12] * 23  # no zero for a closed day
