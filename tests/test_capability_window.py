"""Capability charts by arrival day over the days that had time to finish (issue 14): the run-out window from
the data (Kaplan-Meier), which days are left out and said so, the chart's mean agreeing with the table's, and
words instead of an empty chart. Every expected figure is worked out by hand (in comments) or in plain Python."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import cli, spc
from workbench.demand import end_to_end
from workbench.demand.load import load_demand

DAY0 = pd.Timestamp("2026-03-02")  # a Monday


def _csv(rows: list[tuple[float, float | None]]) -> bytes:
    """Needs without case ids (each row its own need): (received day, end-to-end days or None when open);
    every need arrives at 09:00."""
    lines = ["received_at,touchpoint,demand_type,nature,resolved_at"]
    for day, e2e in rows:
        received = DAY0 + pd.Timedelta(days=day, hours=9)
        resolved = "" if e2e is None else f"{received + pd.Timedelta(days=e2e):%Y-%m-%d %H:%M}"
        lines.append(f"{received:%Y-%m-%d %H:%M},Phone,Leak,value,{resolved}")
    return ("\n".join(lines) + "\n").encode()


# Days 0..9 (2 to 11 March): need A met after 1 day, need B after 2 days, except day 9's B still open; day 0
# has a third need met after 2 days. The data ends at the latest date: day 10 09:00 (A and B of days 9 and 8).
HAND = [(d, 1.0) for d in range(10)] + [(d, 2.0) for d in range(9)] + [(9, None), (0, 2.0)]


@pytest.fixture(scope="module")
def hand() -> end_to_end.EndToEnd:
    return end_to_end.measure(load_demand(_csv(HAND), "hand.csv").frame)


def test_the_run_out_window_is_the_time_95_in_100_take_counting_the_open_ones(hand: end_to_end.EndToEnd) -> None:
    # Kaplan-Meier by hand: 21 needs. At 1 day all 21 are waiting and 10 are met: survival 11/21. Day 9's open B
    # has waited 1 day (to day 10 09:00), so at 2 days 10 are waiting (8 Bs and day 0's extra), all met: 0.
    # 95 in 100 are met within 2 days.
    w = hand.window
    assert w.run_out_days == pytest.approx(2.0)
    # A day d is charted when d + 1 + 2 <= 10.375 (the data ends 10 days 9 hours after day 0): d <= 7, 2-9 March.
    assert (w.first, w.last) == (DAY0, DAY0 + pd.Timedelta(days=7))
    assert (w.arrived, w.finished, w.still_open, w.later) == (17, 17, 0, 4)
    # 8 As (1 day), 8 Bs (2 days) and day 0's extra (2 days): 26 days over 17 needs
    assert w.mean_days == pytest.approx(26 / 17)
    assert w.words() == ("Needs that arrived from 2 Mar to 9 Mar; later arrivals had not had time to finish "
                         "(95 in 100 finish within 2.0 days).")


def test_the_chart_is_by_arrival_day_and_its_mean_is_the_mean_of_the_needs_charted(
        hand: end_to_end.EndToEnd) -> None:
    daily = hand.daily
    assert [d.date() for d in daily["period_start"]] == [(DAY0 + pd.Timedelta(days=d)).date() for d in range(8)]
    assert list(daily["needs_met"]) == [3] + [2] * 7
    assert list(daily["mean_days"]) == pytest.approx([5 / 3] + [1.5] * 7)
    table = end_to_end.capability(daily)
    # the centre line is the mean of the 17 needs (26/17 = 1.529), not the mean of the 8 points (1.521)
    assert table[spc.CENTRE].iloc[0] == pytest.approx(26 / 17)
    assert table[spc.CENTRE].iloc[0] != pytest.approx((5 / 3 + 7 * 1.5) / 8)
    mr_bar = (5 / 3 - 1.5) / 7  # one step down after day 0, then flat
    assert table[spc.UPPER].iloc[0] == pytest.approx(26 / 17 + 2.66 * mr_bar)
    # by week of arrival: the same needs (2-8 March: 15 needs, 23 days; 9 March: 2 needs, 3 days), the same mean
    weekly = hand.weekly
    assert list(weekly["needs_met"]) == [15, 2]
    assert list(weekly["mean_days"]) == pytest.approx([23 / 15, 1.5])
    assert end_to_end.capability(weekly)[spc.CENTRE].iloc[0] == pytest.approx(26 / 17)
    assert spc.provisional(table) and table.attrs["provisional"]  # 8 points: fewer than 20


def test_the_json_states_the_window_and_its_mean_agrees_with_the_chart(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hand.csv"
    path.write_bytes(_csv(HAND))
    assert cli.main(["demand", "summary", str(path), "--format", "json"]) == 0
    block = json.loads(capsys.readouterr().out)["end_to_end"]
    window = block["capability_window"]
    assert (window["first_arrival"], window["last_arrival"]) == ("2026-03-02", "2026-03-09")
    assert (window["needs"], window["met"], window["later"], window["provisional"]) == (17, 17, 4, True)
    assert window["mean_days"] == round(26 / 17, 2)
    weighted = sum(w["mean_days"] * w["needs_met"] for w in block["weekly"]) / sum(w["needs_met"]
                                                                                    for w in block["weekly"])
    assert weighted == pytest.approx(window["mean_days"], abs=0.01)
    assert window["words"].startswith("Needs that arrived from 2 Mar to 9 Mar")


def test_times_with_a_time_zone_give_the_same_window_and_points() -> None:
    frame = load_demand(_csv(HAND), "hand.csv").frame
    zoned = frame.copy()
    for col in ("received_at", "resolved_at"):
        zoned[col] = zoned[col].dt.tz_localize("Europe/London")
    plain, aware = end_to_end.measure(frame), end_to_end.measure(zoned)
    assert aware.window.words() == plain.window.words()
    assert (aware.window.finished, aware.window.later) == (17, 4)
    assert list(aware.daily["mean_days"]) == pytest.approx(list(plain.daily["mean_days"]))
    json.dumps(end_to_end.summary(zoned))


def test_a_sample_shorter_than_the_lead_time_is_not_charted_as_if_it_were_quick() -> None:
    # The real-file failure ("average 8.6 days" on the chart, 31.7 in the table): needs arrive on days 0-20, half
    # met in 2 days, half in 30. With the data running until all are met (day 50 09:00): 95 in 100 within 30
    # days, so days with d + 1 + 30 <= 50.375 are charted: days 0-19 (40 needs, mean (2 + 30) / 2 = 16), and
    # day 20's two needs are later arrivals. By the day met up to the last day received (the old chart), only
    # the 2-day needs would have been charted: 2 days.
    rows = [(d, 2.0) for d in range(21)] + [(d, 30.0) for d in range(21)]
    whole = end_to_end.measure(load_demand(_csv(rows), "long.csv").frame)
    w = whole.window
    assert w.run_out_days == pytest.approx(30.0)
    assert (w.last, w.arrived, w.finished, w.later) == (DAY0 + pd.Timedelta(days=19), 40, 40, 2)
    assert w.mean_days == pytest.approx(16.0)
    assert end_to_end.capability(whole.daily)[spc.CENTRE].iloc[0] == pytest.approx(16.0)
    assert list(whole.daily["mean_days"]) == pytest.approx([16.0] * 20)  # flat: no artefact, no signal
    assert not end_to_end.capability(whole.daily)[spc.SIGNAL].any()
    # The same arrivals in a file taken on day 22: the 30-day needs are all open. Kaplan-Meier: at 2 days 42
    # are waiting and 21 met (1/2); no other need is met, so the data cannot tell when 95 in 100 are: no chart.
    short = [(d, 2.0) for d in range(21)] + [(d, None) for d in range(21)]
    e2e = end_to_end.measure(load_demand(_csv(short), "short.csv").frame)
    assert e2e.window.run_out_days is None and e2e.daily.empty and e2e.weekly.empty
    assert "so many needs are still open (21)" in e2e.window.words()
    assert "nan" not in e2e.window.words().lower()


def test_no_day_with_time_to_finish_says_so_in_words() -> None:
    # every need met after 10 days, arriving on days 0-2: the data ends day 12 09:00 (12.375 days after day 0).
    # 95 in 100 within 10 days; a day is charted when d + 1 + 10 <= 12.375: days 0 and 1, two points by day but
    # one by week: that chart is words.
    rows = [(d, 10.0) for d in range(3)]
    e2e = end_to_end.measure(load_demand(_csv(rows), "ten.csv").frame)
    assert (e2e.window.first, e2e.window.last) == (DAY0, DAY0 + pd.Timedelta(days=1))
    assert spc.too_few_points(e2e.window, len(e2e.daily)) is None
    weekly_words = spc.too_few_points(e2e.window, len(e2e.weekly), "week")
    assert weekly_words is not None and weekly_words.startswith("No end-to-end chart: only 1 week had needs")
    window, charted = spc.arrival_window(np.array([0.2, 1.2]), np.array([30.0, 30.0]), 31.0, 2)
    # 95 in 100 take 30 days; day 0 needs 0 + 1 + 30 <= 31: in; day 1: out
    assert (window.first, window.last, window.later, list(charted)) == (0, 0, 1, [True, False])
    none, charted = spc.arrival_window(np.array([0.2, 1.2]), np.array([30.0, 30.0]), 30.5, 2)
    assert not none.charted and not charted.any()
    assert none.reason == ("No end-to-end chart yet: 95 in 100 demands take up to 30.0 days to finish, longer than "
                           "the data runs after its first day (30.5 days), so no arrival day has had time to finish. "
                           "A longer sample would show one.")


def _km_plain(times: list[float], met: list[bool], share: float = 0.95) -> float | None:
    """Kaplan-Meier in plain Python: walk the distinct times of met ones in order."""
    survival = 1.0
    for t in sorted({t for t, m in zip(times, met, strict=True) if m}):
        waiting = sum(1 for x in times if x >= t)
        done = sum(1 for x, m in zip(times, met, strict=True) if m and x == t)
        survival *= 1 - done / waiting
        if survival <= 1 - share + 1e-9:
            return t
    return None


def test_finish_within_agrees_with_a_plain_kaplan_meier() -> None:
    rng = random.Random(14)
    for _ in range(200):
        n = rng.randint(1, 40)
        times = [float(rng.randint(0, 15)) for _ in range(n)]
        met = [rng.random() < 0.8 for _ in range(n)]
        assert spc.finish_within(times, met) == _km_plain(times, met)
    # every one finished: the smallest time within which 95 in 100 did (the 19th of 20 here)
    assert spc.finish_within(list(range(1, 21)), [True] * 20) == 19.0
    assert spc.finish_within([1.0, 2.0], [False, False]) is None


# ------------------------------------------------------------------------------------------ the simulation


def test_simulated_capability_centre_is_the_tables_mean_and_a_day_without_time_is_left_out() -> None:
    from workbench.sim import metrics
    from workbench.sim.engine import DRAIN_DAYS, RunResult

    day = 1440.0
    # Three measured days; each day two demands of 1 and 3 days, measured; day 2 has one demand still open after
    # the run stopped (the run stops DRAIN_DAYS after the last arrival).
    rows = []
    for i, (d, e2e) in enumerate([(0, 1.0), (0, 3.0), (1, 1.0), (1, 3.0), (2, 1.0), (2, None)]):
        arrival = (7 + d) * day + 600
        rows.append({"id": i + 1, "case": i + 1, "generated": "", "measured": True, "arrival": arrival,
                     "resolved": np.nan if e2e is None else arrival + e2e * day, "unrouted": False,
                     "nature": "value", "one_stop": False, "handoffs": 0, "steps": 1, "value_steps": 1,
                     "touch_minutes": 10.0})
    run = RunResult(pd.DataFrame(rows), pd.DataFrame(columns=["role"]), 7 * day, 10 * day)
    table = metrics.capability(run)
    window = table.attrs["window"]
    # Kaplan-Meier: 6 demands; 1 day: 6 waiting, 3 met (1/2); 3 days: 3 waiting (day 2's open one has waited a
    # year), 2 met: 1/2 x 1/3 = 1/6, never 5/100: no run-out, nothing charted, and the window says why.
    assert window.run_out_days is None and table.empty
    assert "so many demands are still open (1)" in window.words()
    # with day 2's demand met after 2 days instead: 95 in 100 within 3 days; every day had a year: all in
    rows[-1]["resolved"] = rows[-1]["arrival"] + 2 * day
    run = RunResult(pd.DataFrame(rows), pd.DataFrame(columns=["role"]), 7 * day, 10 * day)
    table = metrics.capability(run)
    assert list(table.index) == [0.0, 1.0, 2.0]
    assert list(table[spc.VALUE]) == pytest.approx([2.0, 2.0, 1.5])
    assert table[spc.CENTRE].iloc[0] == pytest.approx(11 / 6)  # (1+3+1+3+1+2) / 6
    assert metrics.summarise(run, 3 / 7)["e2e_days_mean"] == pytest.approx(11 / 6)
    assert table.attrs["window"].words() == ("Demands that arrived from day 1 to day 3, all with time to finish "
                                             "(95 in 100 finish within 3.0 days).")
    assert DRAIN_DAYS > 3


def test_compare_chart_mean_is_the_tables_mean_and_the_snapshot_keeps_the_window() -> None:
    """On the Compare path (the sample maps, one replication): every measured day had time to finish (the run
    drains for a year), so each design's capability centre line is the table's 'End-to-end days (mean)'; the
    stored snapshot carries the same window, dated, and the provisional flags."""
    from workbench import paths
    from workbench.demand.catalogue import load_catalogue
    from workbench.flow.model import load_map
    from workbench.sim import metrics
    from workbench.sim.compare import compare
    from workbench.sim.snapshot import Snapshot, check_snapshot, snapshot

    catalogue = load_catalogue(paths.SAMPLE_CATALOGUE)
    frame = load_demand(paths.SAMPLE_DEMAND, catalogue=catalogue).frame
    maps = [load_map(paths.PROCESS_MAPS_DIR / f)
            for f in ("housing_repairs_standard_work.yaml", "housing_repairs_worker_led.yaml")]
    result = compare(maps, frame, catalogue=catalogue, weeks=2, replications=1, seed=5)
    first_day = frame["received_at"].min().normalize()
    data = json.loads(json.dumps(snapshot(result, first_day), allow_nan=False))
    check_snapshot(data)
    snap = Snapshot(data)
    table = result.table().set_index(["metric", "design"])
    for d in result.designs:
        chart = metrics.capability(d.runs[0])
        window = chart.attrs["window"]
        assert window.later == 0 and window.first == 0 and window.last == 13  # 2 weeks, all had time
        assert chart[spc.CENTRE].iloc[0] == pytest.approx(table.loc[("e2e_days_mean", d.name), "mean"])
        assert snap.capability_window(d.name) == window.dated(first_day)
        stored = snap.capability(d.name)
        assert stored[spc.PROVISIONAL].all() and spc.provisional(stored)  # 14 days: provisional
        assert stored.index[0] == first_day and stored.index[-1] <= first_day + pd.Timedelta(days=13)


def test_the_compare_page_says_which_days_its_capability_chart_covers() -> None:
    from app_pages import Screen, open_app

    at = open_app("compare", timeout=240)  # the first visit runs the sample study's two designs
    page = Screen(at)
    page.assert_no_exception()
    caption = next(c.value for c in at.caption if c.value.startswith("Average ") and "demands charted" in c.value)
    assert "(the same demands as the table's mean for this replication)" in caption
    assert "Demands that arrived from 5 Jan to" in caption and "all with time to finish" in caption
    assert "nan" not in caption.lower()
    spec = next(s for s in page.chart_specs() if isinstance(s.get("title"), dict)
                and s["title"]["text"].startswith("Capability: "))
    assert any(line.startswith("Demands that arrived from 5 Jan to") for line in spec["title"]["subtitle"])
