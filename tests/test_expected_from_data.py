"""Exact expectations (workbench.flow.expected) for a step whose touch time comes from the data: the mean of the
demand's handling minutes as the engine takes them (resampled, or the fit's mean), and unknown (NaN, never a
confident zero) without them; the figures of demand that never visits the step stay known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench import schema
from workbench.flow.expected import expect_mix
from workbench.flow.model import parse_map
from workbench.sim.service_times import Sampler, touch_mean

MAP = """
name: Desk
roles: [{id: desk, name: Desk, staff: 2, hours_per_day: 24, days_per_week: 7}]
entry: answer
steps:
  - id: answer
    name: Answer
    role: desk
    touch: {from_data: true, fit: FIT}
    routes: [{to: fix, types: [Fix it]}, {to: resolved, otherwise: true}]
  - id: fix
    name: Fix
    role: desk
    touch: {min: 10, likely: 20, max: 30}
    wait: 1
    routes: [{to: resolved, otherwise: true}]
"""
FIX = [4.0, 6.0, 5.0, 9.0, 6.0, 12.0]
ASK = [2.0, 3.0, 2.5, 4.0, 3.5]
ODD = [30.0, 40.0]  # too few of its own: every type's times are used


def _mix() -> pd.DataFrame:
    return pd.DataFrame({schema.DEMAND_TYPE: ["Fix it", "Ask", "Odd"], schema.TOUCHPOINT: ["Phone"] * 3,
                         "nature": ["value"] * 3, "cause": [""] * 3, "count": [6, 5, 2]})


def _sampler() -> Sampler:
    return Sampler({"Fix it": FIX, "Ask": ASK, "Odd": ODD})


def test_resampled_times_have_the_recorded_mean_per_type() -> None:
    m = parse_map(MAP.replace(", fit: FIT", ""), "m.yaml")
    per_type, totals = expect_mix(m, _mix(), touch_mean(_sampler()))
    got = per_type.set_index("demand_type")["touch_minutes"]
    assert got["Fix it"] == pytest.approx(np.mean(FIX) + 20.0)  # answer, then the 10-20-30 fix
    assert got["Ask"] == pytest.approx(np.mean(ASK))
    assert got["Odd"] == pytest.approx(np.mean(FIX + ASK + ODD))
    expected_total = (6 * (np.mean(FIX) + 20) + 5 * np.mean(ASK) + 2 * np.mean(FIX + ASK + ODD)) / 13
    assert totals["touch_minutes"] == pytest.approx(expected_total)
    e2e = per_type.set_index("demand_type")["end_to_end_days"]
    assert e2e["Fix it"] == pytest.approx(1.0 + (np.mean(FIX) + 20.0) / 1440.0)


def test_a_lognormal_fit_has_the_fits_mean() -> None:
    m = parse_map(MAP.replace("FIT", "lognormal"), "m.yaml")
    per_type, _ = expect_mix(m, _mix(), touch_mean(_sampler()))
    logs = np.log(ASK)
    mean = math.exp(logs.mean() + logs.std(ddof=1) ** 2 / 2)
    assert per_type.set_index("demand_type").loc["Ask", "touch_minutes"] == pytest.approx(mean)


def test_without_handling_minutes_the_times_are_unknown_not_zero() -> None:
    m = parse_map(MAP.replace(", fit: FIT", ""), "m.yaml")
    for mean in (None, touch_mean(None), touch_mean(Sampler({}))):
        per_type, totals = expect_mix(m, _mix(), mean)
        row = per_type.set_index("demand_type").loc["Ask"]
        assert math.isnan(row["touch_minutes"]) and math.isnan(row["end_to_end_days"])
        assert math.isnan(row["flow_efficiency"])
        assert row["handoffs"] == 0 and row["steps"] == 1  # what does not need the time is still known
        assert math.isnan(totals["touch_minutes"]) and math.isnan(totals["flow_efficiency"])


def test_a_step_never_visited_does_not_make_a_demand_unknown() -> None:
    m = parse_map(MAP.replace(", fit: FIT", "").replace("entry: answer", "entry: {default: answer, touchpoints: "
                                                                          "{Email: fix}}"), "m.yaml")
    mix = _mix().assign(**{schema.TOUCHPOINT: ["Email", "Phone", "Phone"]})
    per_type, _ = expect_mix(m, mix, touch_mean(None))
    row = per_type.set_index("demand_type").loc["Fix it"]  # by email, straight to the fix: answer never visited
    assert row["touch_minutes"] == pytest.approx(20.0)
