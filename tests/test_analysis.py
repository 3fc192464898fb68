"""What the demand says: every figure below is worked out by hand from the nine rows of TINY."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench import schema, spc
from workbench.demand import analysis
from workbench.demand.load import load_demand

# Wed 7 Jan 2026 to Wed 21 Jan 2026; nothing in the week of Mon 12 Jan.
TINY = """\
Date,Channel,Type,V/F,Cause,One stop,Mins
2026-01-07 09:00,Phone,Leak,V,,yes,10
2026-01-07 10:00,Phone,Chasing,F,progress chasing,no,5
2026-01-08 11:00,Email,Chasing,F,progress chasing,yes,3
2026-01-09 12:00,Phone,Leak,V,,,20
2026-01-09 13:00,Letter,,,,no,
2026-01-19 08:00,Email,No show,F,not done,no,7
2026-01-20 08:00,Phone,No show,F,,yes,8
2026-01-21 08:00,Phone,Leak,F,error,no,6
2026-01-21 09:00,Phone,Leak,V,,yes,12
"""


@pytest.fixture(scope="module")
def tiny() -> pd.DataFrame:
    loaded = load_demand(TINY.encode(), "tiny.csv")
    assert loaded.report.rows_used == 9
    return loaded.frame


def test_headline(tiny: pd.DataFrame) -> None:
    head = analysis.headline(tiny)
    assert (head.total, head.value, head.failure, head.unclassified) == (9, 3, 5, 1)
    assert head.failure_share == pytest.approx(5 / 8)  # of classified demand only
    assert head.one_stop_share == pytest.approx(4 / 8)  # 8 rows recorded yes/no, 4 yes; not 4/9
    assert (head.first, head.last) == ("2026-01-07", "2026-01-21")
    assert head.to_dict()["failure"] == 5


def test_headline_without_classified_or_one_stop() -> None:
    frame = load_demand(b"Date,V/F\n2026-01-05,\n2026-01-06,?\n", "none.csv").frame
    head = analysis.headline(frame)
    assert head.failure_share is None
    assert head.one_stop_share is None
    assert head.unclassified == 2


def test_nature_shares(tiny: pd.DataFrame) -> None:
    shares = analysis.nature_shares(tiny)
    assert shares[schema.NATURE].tolist() == ["value", "failure", "unclassified"]
    assert shares["count"].tolist() == [3, 5, 1]
    assert shares["share"].tolist() == pytest.approx([3 / 9, 5 / 9, 1 / 9])


def test_by_touchpoint(tiny: pd.DataFrame) -> None:
    table = analysis.by_touchpoint(tiny)
    assert table[schema.TOUCHPOINT].tolist() == ["Phone", "Email", "Letter"]
    assert table["value"].tolist() == [3, 0, 0]
    assert table["failure"].tolist() == [3, 2, 0]
    assert table["unclassified"].tolist() == [0, 0, 1]
    assert table["total"].tolist() == [6, 2, 1]
    assert table["failure_share"].iloc[0] == pytest.approx(0.5)
    assert table["failure_share"].iloc[1] == pytest.approx(1.0)
    assert math.isnan(table["failure_share"].iloc[2])  # nothing classified at the Letter touchpoint


def test_pareto(tiny: pd.DataFrame) -> None:
    table = analysis.pareto(tiny)
    assert table[schema.DEMAND_TYPE].tolist() == ["Leak", "Chasing", "No show", analysis.NO_TYPE]
    assert table["count"].tolist() == [4, 2, 2, 1]
    # Leak was recorded V, V, F, V: its nature is the majority, value.
    assert table[schema.NATURE].tolist() == ["value", "failure", "failure", "unclassified"]
    assert table["share"].tolist() == pytest.approx([4 / 9, 2 / 9, 2 / 9, 1 / 9])
    assert table["cumulative_share"].tolist() == pytest.approx([4 / 9, 6 / 9, 8 / 9, 1.0])
    assert table["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert table["cumulative_share"].is_monotonic_increasing


def test_failure_causes(tiny: pd.DataFrame) -> None:
    table = analysis.failure_causes(tiny)
    assert table[schema.FAILURE_CAUSE].iloc[0] == "progress chasing"
    got = dict(zip(table[schema.FAILURE_CAUSE], table["count"], strict=True))
    assert got == {"progress chasing": 2, "not done": 1, "error": 1, analysis.NO_CAUSE: 1}
    assert dict(zip(table[schema.FAILURE_CAUSE], table["share"], strict=True)) == pytest.approx(
        {"progress chasing": 2 / 5, "not done": 1 / 5, "error": 1 / 5, analysis.NO_CAUSE: 1 / 5})


def test_over_time_weekly(tiny: pd.DataFrame) -> None:
    weekly = analysis.over_time(tiny, "W")
    assert weekly["period_start"].tolist() == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-12"),
                                               pd.Timestamp("2026-01-19")]
    assert (weekly["period_start"].dt.day_of_week == 0).all()  # Mondays
    assert weekly["value"].tolist() == [2, 0, 1]
    assert weekly["failure"].tolist() == [2, 0, 3]
    assert weekly["unclassified"].tolist() == [1, 0, 0]
    assert weekly["total"].tolist() == [5, 0, 4]
    assert weekly["failure_share"].iloc[0] == pytest.approx(0.5)
    assert math.isnan(weekly["failure_share"].iloc[1])
    assert weekly["failure_share"].iloc[2] == pytest.approx(0.75)
    # Wed 7 - Sun 11 Jan is 5 days; the empty week is whole; Mon 19 - Wed 21 is 3 days.
    assert weekly["days_covered"].tolist() == [5, 7, 3]


def test_over_time_sunday_belongs_to_the_week_starting_the_monday_before() -> None:
    frame = load_demand(b"Date\n2026-01-11 23:59\n2026-01-12 00:00\n", "edge.csv").frame
    weekly = analysis.over_time(frame, "W")
    assert weekly["period_start"].tolist() == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-12")]
    assert weekly["total"].tolist() == [1, 1]
    assert weekly["days_covered"].tolist() == [1, 1]


def test_over_time_daily(tiny: pd.DataFrame) -> None:
    daily = analysis.over_time(tiny, "D")
    assert len(daily) == 15  # 7 to 21 January, gaps filled
    assert daily["period_start"].iloc[0] == pd.Timestamp("2026-01-07")
    assert daily["period_start"].iloc[-1] == pd.Timestamp("2026-01-21")
    totals = dict(zip(daily["period_start"].dt.day, daily["total"], strict=True))
    assert totals == {7: 2, 8: 1, 9: 2, 10: 0, 11: 0, 12: 0, 13: 0, 14: 0, 15: 0, 16: 0, 17: 0, 18: 0,
                      19: 1, 20: 1, 21: 2}
    assert int(daily["total"].sum()) == 9
    assert (daily["days_covered"] == 1).all()


def test_over_time_unknown_frequency(tiny: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="frequency"):
        analysis.over_time(tiny, "M")


def test_behaviour_leaves_partial_weeks_out_of_counts_but_not_shares() -> None:
    # Four weeks: a partial first week (Thu-Sun), two whole weeks, a partial last week (Mon only).
    dates = (["2026-01-08"] * 2 + ["2026-01-12"] * 5 + ["2026-01-19"] * 7 + ["2026-01-26"] * 1)
    natures = ["V", "F"] + ["V", "F", "F", "V", "F"] + ["V"] * 7 + ["F"]
    text = "Date,V/F\n" + "".join(f"{d},{n}\n" for d, n in zip(dates, natures, strict=True))
    weekly = analysis.over_time(load_demand(text.encode(), "w.csv").frame, "W")
    assert weekly["days_covered"].tolist() == [4, 7, 7, 1]
    counts = analysis.behaviour(weekly, "total")
    assert list(counts.index) == [pd.Timestamp("2026-01-12"), pd.Timestamp("2026-01-19")]
    assert counts[spc.CENTRE].iloc[0] == pytest.approx(6.0)  # (5 + 7) / 2
    shares = analysis.behaviour(weekly, "failure_share")
    assert shares[spc.VALUE].tolist() == pytest.approx([0.5, 0.6, 0.0, 1.0])
    assert (shares[spc.UPPER] <= 1.0).all()
    assert (shares[spc.LOWER] >= 0.0).all()


def test_by_field_touchpoint(tiny: pd.DataFrame) -> None:
    table = analysis.by_field(tiny, schema.TOUCHPOINT).set_index(schema.TOUCHPOINT)
    assert table["count"].to_dict() == {"Phone": 6, "Email": 2, "Letter": 1}
    assert list(table.index) == ["Phone", "Email", "Letter"]
    assert table.loc["Phone", "one_stop_share"] == pytest.approx(3 / 5)
    assert table.loc["Phone", "one_stop_recorded"] == 5
    assert table.loc["Email", "one_stop_share"] == pytest.approx(1 / 2)
    assert table.loc["Letter", "one_stop_share"] == pytest.approx(0.0)
    assert table.loc["Phone", "minutes_median"] == pytest.approx(9.0)  # 5 6 8 10 12 20
    assert table.loc["Phone", "minutes_mean"] == pytest.approx(61 / 6)
    assert table.loc["Phone", "hours_total"] == pytest.approx(61 / 60)
    assert table.loc["Email", "minutes_median"] == pytest.approx(5.0)
    assert np.isnan(table.loc["Letter", "minutes_median"])


def test_by_field_type_without_minutes_or_one_stop() -> None:
    frame = load_demand(b"Date,Type\n2026-01-05,A\n2026-01-06,B\n2026-01-07,A\n2026-01-08,\n", "t.csv").frame
    table = analysis.by_field(frame, schema.DEMAND_TYPE)
    assert table.columns.tolist() == [schema.DEMAND_TYPE, "count"]
    assert dict(zip(table[schema.DEMAND_TYPE], table["count"], strict=True)) == {
        "A": 2, "B": 1, analysis.NO_TYPE: 1}
    assert table[schema.DEMAND_TYPE].iloc[0] == "A"


def test_summary_shape_and_values(tiny: pd.DataFrame) -> None:
    data = analysis.summary(tiny)
    assert data["value"] == 3 and data["failure"] == 5 and data["unclassified"] == 1
    assert data["failure_share"] == 0.625
    assert data["one_stop_share"] == 0.5
    assert data["first_date"] == "2026-01-07" and data["last_date"] == "2026-01-21"
    assert data["by_touchpoint"] == {
        "Phone": {"value": 3, "failure": 3, "unclassified": 0},
        "Email": {"value": 0, "failure": 2, "unclassified": 0},
        "Letter": {"value": 0, "failure": 0, "unclassified": 1},
    }
    assert data["by_type"] == [
        {"demand_type": "Leak", "nature": "value", "count": 4},
        {"demand_type": "Chasing", "nature": "failure", "count": 2},
        {"demand_type": "No show", "nature": "failure", "count": 2},
        {"demand_type": analysis.NO_TYPE, "nature": "unclassified", "count": 1},
    ]
    assert {c["cause"]: c["count"] for c in data["by_cause"]} == {
        "progress chasing": 2, "not done": 1, "error": 1, analysis.NO_CAUSE: 1}
    assert [w["week_start"] for w in data["weekly"]] == ["2026-01-05", "2026-01-12", "2026-01-19"]
    assert [w["total"] for w in data["weekly"]] == [5, 0, 4]
    assert [w["failure_share"] for w in data["weekly"]] == [0.5, None, 0.75]
    assert [w["days_covered"] for w in data["weekly"]] == [5, 7, 3]
    assert all(w["signals"] == [] for w in data["weekly"])
    for w in data["weekly"]:
        assert set(w) == {"week_start", "total", "value", "failure", "unclassified", "failure_share",
                          "days_covered", "signals"}
