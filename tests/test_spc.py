"""XmR charts: limits against hand-computed numbers and each signal rule on series built for it."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench import spc


def flags(table: pd.DataFrame, column: str) -> list[int]:
    """Positions of the points that trip a rule."""
    return [i for i, v in enumerate(table[column].tolist()) if v]


def hand_limits(x: list[float]) -> tuple[float, float, float, float]:
    """(mean, mean moving range, sigma-hat, upper range limit) worked out with plain Python."""
    mean = sum(x) / len(x)
    ranges = [abs(b - a) for a, b in zip(x, x[1:], strict=False)]
    mr_bar = sum(ranges) / len(ranges)
    return mean, mr_bar, mr_bar / 1.128, 3.268 * mr_bar


def test_limits_for_a_short_series() -> None:
    x = [5.0, 7.0, 6.0, 9.0, 4.0]
    # mean 31/5 = 6.2; moving ranges 2, 1, 3, 5 -> mR-bar 11/4 = 2.75
    mean, mr_bar, _, url = hand_limits(x)
    assert mean == pytest.approx(6.2) and mr_bar == pytest.approx(2.75)
    table = spc.xmr(x, lower_bound=None)
    assert table[spc.CENTRE].tolist() == pytest.approx([6.2] * 5)
    assert table[spc.MEAN_RANGE].tolist() == pytest.approx([2.75] * 5)
    assert table[spc.UPPER].tolist() == pytest.approx([6.2 + 2.66 * 2.75] * 5)  # 13.515
    assert table[spc.LOWER].tolist() == pytest.approx([6.2 - 2.66 * 2.75] * 5)  # -1.115
    assert table[spc.RANGE_LIMIT].tolist() == pytest.approx([url] * 5)  # 8.987
    assert math.isnan(table[spc.MOVING_RANGE].iloc[0])
    assert table[spc.MOVING_RANGE].iloc[1:].tolist() == [2.0, 1.0, 3.0, 5.0]
    assert table[spc.VALUE].tolist() == x
    assert not table[spc.SIGNAL].any()


def test_lower_limit_is_clipped_at_zero_by_default() -> None:
    table = spc.xmr([5.0, 7.0, 6.0, 9.0, 4.0])
    assert table[spc.LOWER].tolist() == [0.0] * 5
    assert table[spc.UPPER].iloc[0] == pytest.approx(6.2 + 2.66 * 2.75)


def test_upper_bound_for_shares() -> None:
    x = [0.9, 0.95, 0.2, 0.99]
    mean, mr_bar, _, _ = hand_limits(x)
    assert mean + 2.66 * mr_bar > 1.0  # the raw limit would be above 100%
    table = spc.xmr(x, upper_bound=1.0)
    assert table[spc.UPPER].tolist() == [1.0] * 4
    assert table[spc.LOWER].tolist() == [0.0] * 4
    assert table[spc.CENTRE].iloc[0] == pytest.approx(mean)
    assert not table[spc.OUTSIDE].any()


def test_rule_1_a_point_outside_the_limits() -> None:
    x = [10.0, 12, 11, 13, 10, 12, 11, 13, 30, 11, 12, 10]
    mean, mr_bar, sigma, _ = hand_limits(x)
    upper, lower = mean + 2.66 * mr_bar, mean - 2.66 * mr_bar
    assert x[8] > upper and all(lower <= v <= upper for i, v in enumerate(x) if i != 8)
    table = spc.xmr(x)
    assert table[spc.UPPER].iloc[0] == pytest.approx(upper)
    assert flags(table, spc.OUTSIDE) == [8]
    assert flags(table, spc.RUN) == []
    assert flags(table, spc.NEAR_LIMIT) == []  # only one point beyond 1.5 sigma
    assert flags(table, spc.SIGNAL) == [8]
    assert spc.signal_names(table.iloc[8]) == ["outside the limits"]
    assert spc.signal_names(table.iloc[0]) == []


def test_rule_1_a_point_below_the_lower_limit() -> None:
    x = [30.0, 32, 31, 33, 30, 32, 31, 33, 5, 31, 32, 30]
    mean, mr_bar, _, _ = hand_limits(x)
    assert x[8] < mean - 2.66 * mr_bar
    assert flags(spc.xmr(x), spc.OUTSIDE) == [8]


def test_rule_2_exactly_eight_in_a_row_flags_those_eight() -> None:
    x = [10.0, 0, 10, 0] + [6.0] * 8 + [0.0, 10, 0, 10]
    mean, _, _, _ = hand_limits(x)
    assert mean == pytest.approx(5.5)  # points 3 and 12 (0) are below; 4..11 (6) above
    table = spc.xmr(x)
    assert flags(table, spc.RUN) == list(range(4, 12))
    assert flags(table, spc.OUTSIDE) == []
    assert flags(table, spc.NEAR_LIMIT) == []
    assert spc.signal_names(table.iloc[4]) == ["8 or more in a row on one side"]


def test_rule_2_seven_in_a_row_is_not_a_signal() -> None:
    x = [10.0, 0, 10, 0] + [6.0] * 7 + [0.0, 10, 0, 10]
    mean, _, _, _ = hand_limits(x)
    assert 0 < mean < 6
    table = spc.xmr(x)
    assert flags(table, spc.RUN) == []
    assert not table[spc.SIGNAL].any()


def test_rule_2_a_longer_run_below_flags_all_of_it() -> None:
    x = [0.0, 10, 0, 10] + [4.0] * 10 + [10.0, 0, 10, 0]
    mean, _, _, _ = hand_limits(x)
    assert 4 < mean < 10
    assert flags(spc.xmr(x), spc.RUN) == list(range(4, 14))


def test_rule_2_a_point_on_the_centre_line_breaks_the_run() -> None:
    # Centre is exactly 5; the run above is broken by the 5 in the middle.
    x = [1.0] * 4 + [9.0] * 4 + [5.0] + [9.0] * 4 + [1.0] * 4
    assert sum(x) / len(x) == 5.0
    table = spc.xmr(x)
    assert flags(table, spc.RUN) == []


BASE = [10.0, 12] * 4


def test_rule_3_three_of_four_beyond_one_and_a_half_sigma_high() -> None:
    x = BASE + [16.0, 15.5, 11, 16] + [10.0, 12, 10, 12]
    mean, mr_bar, sigma, _ = hand_limits(x)
    beyond = [i for i, v in enumerate(x) if v > mean + 1.5 * sigma]
    assert beyond == [8, 9, 11]  # three of the four points 8..11
    assert all(v < mean + 2.66 * mr_bar for v in x)  # and none outside the limits
    table = spc.xmr(x)
    assert flags(table, spc.NEAR_LIMIT) == [8, 9, 11]
    assert flags(table, spc.OUTSIDE) == []
    assert flags(table, spc.RUN) == []
    assert spc.signal_names(table.iloc[9]) == ["3 of 4 near a limit"]


def test_rule_3_low_side_is_the_mirror_image() -> None:
    high = BASE + [16.0, 15.5, 11, 16] + [10.0, 12, 10, 12]
    x = [22.0 - v for v in high]
    mean, _, sigma, _ = hand_limits(x)
    assert [i for i, v in enumerate(x) if v < mean - 1.5 * sigma] == [8, 9, 11]
    assert flags(spc.xmr(x), spc.NEAR_LIMIT) == [8, 9, 11]


def test_rule_3_two_of_four_is_not_a_signal() -> None:
    x = BASE + [16.0, 11, 11, 16] + [10.0, 12, 10, 12]
    mean, _, sigma, _ = hand_limits(x)
    assert [i for i, v in enumerate(x) if v > mean + 1.5 * sigma] == [8, 11]
    assert flags(spc.xmr(x), spc.NEAR_LIMIT) == []


def test_rule_3_needs_the_same_side() -> None:
    x = BASE + [17.0, 5, 17, 12] + [10.0, 12, 10, 12]
    mean, _, sigma, _ = hand_limits(x)
    assert [i for i, v in enumerate(x) if v > mean + 1.5 * sigma] == [8, 10]
    assert [i for i, v in enumerate(x) if v < mean - 1.5 * sigma] == [9]
    assert flags(spc.xmr(x), spc.NEAR_LIMIT) == []


def test_split_at_gives_separate_limits_per_phase() -> None:
    weeks = pd.date_range("2026-01-05", periods=8, freq="7D")
    x = [1.0, 2, 3, 2, 10, 11, 13, 12]
    table = spc.xmr(x, weeks, split_at=pd.Timestamp("2026-02-02"))
    assert table[spc.PHASE].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    before, after = hand_limits(x[:4]), hand_limits(x[4:])
    assert before[:2] == pytest.approx((2.0, 1.0))  # mean 2, ranges 1 1 1
    assert after[:2] == pytest.approx((11.5, 4 / 3))  # mean 11.5, ranges 1 2 1
    assert table[spc.CENTRE].tolist() == pytest.approx([2.0] * 4 + [11.5] * 4)
    assert table[spc.UPPER].tolist() == pytest.approx([2 + 2.66 * 1.0] * 4 + [11.5 + 2.66 * 4 / 3] * 4)
    assert table[spc.LOWER].tolist() == pytest.approx([0.0] * 4 + [11.5 - 2.66 * 4 / 3] * 4)
    assert table[spc.RANGE_LIMIT].tolist() == pytest.approx([3.268] * 4 + [3.268 * 4 / 3] * 4)
    # The jump between the phases is not a moving range of either phase.
    assert math.isnan(table[spc.MOVING_RANGE].iloc[4])
    assert not table[spc.SIGNAL].any()
    # Without the split the same jump is a signal.
    assert spc.xmr(x, weeks)[spc.SIGNAL].any()


def test_split_at_accepts_a_date_string_and_several_splits() -> None:
    weeks = pd.date_range("2026-01-05", periods=6, freq="7D")
    table = spc.xmr([1.0, 2, 5, 6, 9, 10], weeks, split_at=["2026-01-19", "2026-02-02"])
    assert table[spc.PHASE].tolist() == [0, 0, 1, 1, 2, 2]
    assert table[spc.CENTRE].tolist() == pytest.approx([1.5, 1.5, 5.5, 5.5, 9.5, 9.5])


def test_nans_are_dropped_before_computing() -> None:
    table = spc.xmr([np.nan, 2.0, np.nan, 3.0, 7.0], ["a", "b", "c", "d", "e"])
    assert list(table.index) == ["b", "d", "e"]
    # mean 4, ranges 1 and 4 -> 2.5
    assert table[spc.CENTRE].iloc[0] == pytest.approx(4.0)
    assert table[spc.MEAN_RANGE].iloc[0] == pytest.approx(2.5)
    assert table[spc.UPPER].iloc[0] == pytest.approx(4.0 + 2.66 * 2.5)


def test_one_point_phase_has_a_centre_and_no_limits() -> None:
    weeks = pd.date_range("2026-01-05", periods=4, freq="7D")
    table = spc.xmr([1.0, 2, 3, 10], weeks, split_at=pd.Timestamp("2026-01-26"))
    last = table.iloc[-1]
    assert last[spc.PHASE] == 1
    assert last[spc.CENTRE] == 10.0
    assert math.isnan(last[spc.UPPER]) and math.isnan(last[spc.LOWER])
    assert not last[spc.SIGNAL]
    assert table[spc.CENTRE].iloc[:3].tolist() == pytest.approx([2.0] * 3)


def test_single_point_and_empty_series() -> None:
    one = spc.xmr([4.0])
    assert one[spc.CENTRE].tolist() == [4.0]
    assert not one[spc.SIGNAL].any()
    empty = spc.xmr([])
    assert len(empty) == 0
    assert spc.SIGNAL in empty.columns


def test_flat_series_has_no_signals() -> None:
    table = spc.xmr([3.0] * 12)
    assert table[spc.UPPER].tolist() == [3.0] * 12
    assert table[spc.LOWER].tolist() == [3.0] * 12
    assert not table[spc.SIGNAL].any()
