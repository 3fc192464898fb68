"""Provisional limits (issue 14): an XmR chart with fewer than 20 points (Wheeler's threshold) says its limits are
provisional, in its subtitle and in the data (`spc.PROVISIONAL` on every row, `attrs["provisional"]`); points may
be weighted so the centre line is the mean of the demands behind them; the dashboard draws the same note from a
stored comparison, and an older stored one (without the column or the window) still opens."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workbench import charts, spc
from workbench.sim.snapshot import Snapshot, SnapshotError, check_snapshot

WEEKS = pd.date_range("2026-01-05", periods=25, freq="7D")


def test_fewer_than_twenty_points_are_provisional_and_twenty_are_not() -> None:
    nineteen = spc.xmr([float(i % 5) for i in range(19)], WEEKS[:19])
    assert spc.MIN_POINTS == 20
    assert nineteen[spc.PROVISIONAL].tolist() == [True] * 19 and nineteen.attrs["provisional"] is True
    assert spc.provisional(nineteen)
    assert spc.provisional_note(nineteen) == ("Limits are provisional: drawn from 19 points, and firm limits need "
                                              "20 or more.")
    twenty = spc.xmr([float(i % 5) for i in range(20)], WEEKS[:20])
    assert not twenty[spc.PROVISIONAL].any() and twenty.attrs["provisional"] is False
    assert spc.provisional_note(twenty) is None
    # split: 20 points before the change are firm, the 5 after are provisional
    split = spc.xmr([float(i % 5) for i in range(25)], WEEKS, split_at=WEEKS[20])
    assert split[spc.PROVISIONAL].tolist() == [False] * 20 + [True] * 5
    assert spc.provisional_note(split) == ("Limits are provisional: a part of the chart (before or after the change) "
                                           "has fewer than 20 points, and firm limits need 20 or more.")
    assert not spc.provisional(spc.xmr([])) and spc.provisional_note(spc.xmr([])) is None


def test_a_table_without_the_column_is_judged_by_its_points() -> None:
    """What an older stored snapshot holds: no `provisional` column."""
    old = spc.xmr([1.0, 2.0, 3.0]).drop(columns=[spc.PROVISIONAL])
    assert spc.provisional(old)
    firm = spc.xmr([float(i % 3) for i in range(21)]).drop(columns=[spc.PROVISIONAL, spc.PHASE])
    assert not spc.provisional(firm)


def test_weighted_points_centre_on_the_mean_of_what_is_behind_them() -> None:
    # three days: 1 demand of 4 days, 3 demands averaging 2 days, 1 demand of 8 days: 4 + 6 + 8 = 18 over 5
    table = spc.xmr([4.0, 2.0, 8.0], weights=[1, 3, 1])
    assert table[spc.CENTRE].iloc[0] == pytest.approx(18 / 5)
    mr_bar = (2 + 6) / 2
    assert table[spc.UPPER].iloc[0] == pytest.approx(18 / 5 + 2.66 * mr_bar)
    assert table[spc.LOWER].iloc[0] == 0.0  # 3.6 - 10.64, clipped
    # a missing point drops its weight too
    gaps = spc.xmr([4.0, float("nan"), 2.0, 8.0], weights=[1, 100, 3, 1])
    assert gaps[spc.CENTRE].iloc[0] == pytest.approx(18 / 5)
    with pytest.raises(ValueError, match="one value per point"):
        spc.xmr([1.0, 2.0], weights=[1])


def test_the_chart_says_provisional_under_its_title_and_keeps_its_title() -> None:
    short = spc.xmr([1.0, 3.0, 2.0, 4.0], WEEKS[:4])
    spec = charts.xmr_chart(short, "Failure demand share per week", "Failure share", percent=True,
                            notes=["Weeks of 5 Jan to 26 Jan."]).to_dict()
    assert spec["title"]["text"] == "Failure demand share per week"
    assert spec["title"]["subtitle"] == ["Weeks of 5 Jan to 26 Jan.",
                                         "Limits are provisional: drawn from 4 points, and firm limits need 20 or "
                                         "more."]
    firm = spc.xmr([float(i % 4) for i in range(20)], WEEKS[:20])
    assert charts.xmr_chart(firm, "Demands per week", "Demands").to_dict()["title"] == "Demands per week"


def _row(design: str) -> dict[str, object]:
    return {"metric": "one_stop_share", "label": "One-stop", "design": design, "mean": 0.5, "low": 0.4,
            "high": 0.6, "difference": 0.0, "difference_low": 0.0, "difference_high": 0.0}


OLD = {"designs": [{"name": "As is", "metrics": {}, "intervals": {}}], "table": [_row("As is")],
       "capability": {"As is": [{"day": f"2026-01-0{5 + i}T00:00:00", "phase": 0, "value": v, "centre": 2.0,
                                 "lower_limit": 0.0, "upper_limit": 4.66, "moving_range": None, "signal": False}
                                for i, v in enumerate([1.0, 2.0, 3.0])]}}


def test_an_older_snapshot_reads_back_provisional_and_without_a_window() -> None:
    check_snapshot(OLD)
    snap = Snapshot(OLD)
    assert spc.provisional(snap.capability("As is"))
    assert snap.capability_window("As is") is None
    window = spc.Window(pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-07"), 2.5, 3, 3, 0, 0, 2.0)
    new = {**OLD, "capability_window": {"As is": window.to_dict()}}
    check_snapshot(json.loads(json.dumps(new, allow_nan=False)))
    back = Snapshot(new).capability_window("As is")
    assert back == window
    assert back is not None and back.words() == ("Demands that arrived from 5 Jan to 7 Jan, all with time to finish "
                                                 "(95 in 100 finish within 2.5 days).")
    for wrong, said in (({**OLD, "capability_window": []}, "capability_window should be an object"),
                        ({**OLD, "capability_window": {"As is": {"first": "soon"}}}, r"capability_window.As is.first"),
                        ({**OLD, "capability_window": {"As is": {"finished": -1}}}, "a whole number from 0"),
                        ({**OLD, "capability_window": {"As is": {"mean_days": "long"}}}, "a number or null")):
        with pytest.raises(SnapshotError, match=said):
            check_snapshot(wrong)


def test_the_dashboard_shows_the_window_and_the_provisional_note_and_opens_an_older_snapshot() -> None:
    from app_helpers import in_sample_study
    from app_pages import Screen, open_app

    from workbench.store import studies

    open_app()  # the sample study is made on first start
    window = spc.Window(pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-07"), 2.5, 3, 3, 0, 0, 2.0)
    new = {**OLD, "designs": [*OLD["designs"], {"name": "Redesign", "metrics": {}, "intervals": {}}],
           "table": [_row("As is"), _row("Redesign")],
           "capability": {**OLD["capability"], "Redesign": []},
           "capability_window": {"As is": window.to_dict(),
                                 "Redesign": spc.Window(None, None, None, 0, 0, 0, 40, None,
                                                        "No end-to-end chart: no demand finished.").to_dict()}}
    for summary, says_window in ((OLD, False), (new, True)):
        in_sample_study(lambda s, sid, summary=summary: studies.save_comparison_run(s, sid, {}, summary, "Ann"))
        board = Screen(open_app(view="dashboard", study="1"))
        board.assert_no_exception()
        assert board.says("caption", "Limits are provisional: drawn from 3 points, and firm limits need 20 or more.")
        spec = next(s for s in board.chart_specs() if isinstance(s.get("title"), dict)
                    and s["title"]["text"] == "Capability: As is")
        assert any("Limits are provisional" in line for line in spec["title"]["subtitle"])
        said = "Demands that arrived from 5 Jan to 7 Jan, all with time to finish"
        assert board.says("caption", said) is says_window
        assert any(said in line for line in spec["title"]["subtitle"]) is says_window
        if says_window:  # a design with nothing to chart says so in words, never an empty chart
            assert board.says("info", "Redesign: No end-to-end chart: no demand finished.")
