"""Comparing designs (workbench/sim/compare.py) and planning the arrivals they share
(workbench/sim/engine.py: plan_arrivals)."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import schema
from workbench.demand.catalogue import Catalogue, load_catalogue
from workbench.demand.load import load_demand
from workbench.flow.model import load_map
from workbench.sim import metrics
from workbench.sim.compare import CompareSettings, Comparison, compare, interval, t95
from workbench.sim.engine import plan_arrivals

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = ROOT / "sample_data" / "housing_repairs_demand.csv"
SAMPLE_CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"
MAPS = ROOT / "process_maps"
DAY = 1440.0
WEEK = 7 * DAY


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, Catalogue]:
    catalogue = load_catalogue(SAMPLE_CATALOGUE)
    return load_demand(SAMPLE_CSV, catalogue=catalogue).frame, catalogue


# ------------------------------------------------------------------------------------------ intervals


def test_interval_is_a_95_percent_t_interval() -> None:
    # 1, 2, 3, 4: mean 2.5, sd sqrt(5/3) = 1.2910, t(3) = 3.182, half-width 3.182 x 1.2910 / 2 = 2.0540
    mean, low, high = interval([1.0, 2.0, 3.0, 4.0])
    assert mean == pytest.approx(2.5)
    assert low == pytest.approx(2.5 - 2.05398, abs=1e-4)
    assert high == pytest.approx(2.5 + 2.05398, abs=1e-4)
    # two values: t(1) = 12.706; sd of (10, 12) is sqrt(2); half-width 12.706 x sqrt(2) / sqrt(2)
    assert interval([10.0, 12.0]) == pytest.approx((11.0, 11.0 - 12.706, 11.0 + 12.706))


def test_interval_edge_cases() -> None:
    assert interval([3.5]) == (3.5, 3.5, 3.5)
    assert all(math.isnan(v) for v in interval([]))
    assert all(math.isnan(v) for v in interval([math.nan, math.nan]))
    # missing values are left out: the same as the interval of the rest
    assert interval([1.0, math.nan, 2.0, 3.0, 4.0]) == pytest.approx(interval([1.0, 2.0, 3.0, 4.0]))
    # identical values: no width
    assert interval([2.0, 2.0, 2.0]) == pytest.approx((2.0, 2.0, 2.0))


def test_interval_uses_the_normal_quantile_beyond_30_degrees_of_freedom() -> None:
    assert t95(30) == pytest.approx(2.042)
    assert t95(10) == pytest.approx(2.228)
    assert t95(31) == 1.96
    x = np.arange(40, dtype=float)
    mean, low, high = interval(list(x))
    assert high - mean == pytest.approx(1.96 * x.std(ddof=1) / math.sqrt(40))


# ------------------------------------------------------------------------------------------ a comparison


REPLICATIONS = 3
WEEKS = 3


@pytest.fixture(scope="module")
def comparison(sample: tuple[pd.DataFrame, Catalogue]) -> Comparison:
    frame, catalogue = sample
    maps = [load_map(MAPS / "housing_repairs_standard_work.yaml"), load_map(MAPS / "housing_repairs_worker_led.yaml")]
    return compare(maps, frame, catalogue=catalogue, weeks=WEEKS, replications=REPLICATIONS, seed=7)


def originals(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["generated"] == "") & df["measured"]]


def test_designs_see_the_same_arrivals(comparison: Comparison) -> None:
    standard, worker_led = comparison.designs
    assert len(standard.runs) == len(worker_led.runs) == REPLICATIONS
    columns = ["id", "arrival", "demand_type", "touchpoint", "nature", "cause", "measured"]
    for a, b in zip(standard.runs, worker_led.runs, strict=True):
        left = originals(a.demands)[columns].sort_values("id").reset_index(drop=True)
        right = originals(b.demands)[columns].sort_values("id").reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right)
        assert len(left) > 400  # three weeks of ~211 a week
        assert (a.measured_start, a.measured_end) == (b.measured_start, b.measured_end)
        # the warm-up demands are there too, the same in both, and not measured
        warm_a = a.demands[(a.demands["generated"] == "") & ~a.demands["measured"]]
        warm_b = b.demands[(b.demands["generated"] == "") & ~b.demands["measured"]]
        assert len(warm_a) > 0
        assert warm_a["arrival"].tolist() == warm_b["arrival"].tolist()
        assert (warm_a["arrival"] < a.measured_start).all()
    counts = [len(originals(r.demands)) for r in standard.runs]
    assert round(sum(counts) / len(counts)) == comparison.demands  # the mean over replications
    # replications resample the weeks: their arrivals differ
    first, second = (originals(r.demands)["arrival"].to_numpy() for r in standard.runs[:2])
    assert len(first) != len(second) or not np.allclose(first, second)


def test_each_replication_is_summarised_from_its_run(comparison: Comparison) -> None:
    for design in comparison.designs:
        for run, summary in zip(design.runs, design.replications, strict=True):
            again = metrics.summarise(run, comparison.weeks)
            assert summary == pytest.approx(again, nan_ok=True)
    assert comparison.weeks == WEEKS
    assert comparison.replications == REPLICATIONS


KEYS = ("e2e_days_median", "e2e_days_p85", "e2e_days_p95", "one_stop_share", "handoffs_mean", "value_step_share",
        "touch_minutes_mean", "flow_efficiency", "failure_demand_per_100", "staff_hours_total")


def test_to_json(comparison: Comparison) -> None:
    out = comparison.to_json()
    json.dumps(out)  # plain data
    assert out["replications"] == REPLICATIONS and out["weeks"] == WEEKS and out["seed"] == 7
    assert [d["name"] for d in out["designs"]] == [d.name for d in comparison.designs]
    assert [d["source"] for d in out["designs"]] == ["housing_repairs_standard_work.yaml",
                                                     "housing_repairs_worker_led.yaml"]
    for d, design in zip(out["designs"], comparison.designs, strict=True):
        m = d["metrics"]
        assert set(KEYS) <= set(m)
        for key in KEYS:
            values = [r[key] for r in design.replications]
            assert m[key] == pytest.approx(np.mean(values), abs=1e-6)
            low, high = d["intervals"][key]
            want = interval(values)
            assert (low, high) == pytest.approx(want[1:], abs=1e-6)
            assert low <= m[key] <= high
        roles = {r["role"] for r in design.runs[0].roles.to_dict("records")}
        assert set(m["utilisation"]) == roles
        for role, share in m["utilisation"].items():
            assert share == pytest.approx(np.mean([r[f"utilisation_{role}"] for r in design.replications]),
                                          abs=1e-6)
            assert 0 <= share <= 1
            assert f"utilisation_{role}" in d["intervals"]
        assert 0 <= m["one_stop_share"] <= 1 and 0 < m["flow_efficiency"] < 1
        assert m["e2e_days_median"] <= m["e2e_days_p85"] <= m["e2e_days_p95"]


def test_worker_led_is_better_on_the_measures_the_maps_were_designed_for(comparison: Comparison) -> None:
    """Not a law of nature, but what the two documented maps say (one-stop 10% vs 43% in their exact
    expectations; failure demand 47 vs 6 per 100)."""
    standard, worker_led = (d["metrics"] for d in comparison.to_json()["designs"])
    assert worker_led["one_stop_share"] > standard["one_stop_share"] + 0.15
    assert worker_led["handoffs_mean"] < standard["handoffs_mean"] - 1
    assert worker_led["failure_demand_per_100"] < standard["failure_demand_per_100"] / 2


def test_table_differences_are_paired_against_the_first_design(comparison: Comparison) -> None:
    table = comparison.table()
    base, other = comparison.designs
    assert set(table["design"]) == {base.name, other.name}
    # the union of both designs' metrics (their roles differ), once per design
    keys = set(table["metric"])
    assert set(metrics.HEADLINE) <= keys
    assert {f"utilisation_{r}" for d in comparison.designs for r in d.runs[0].roles["role"]} <= keys
    assert table.groupby("design").size().tolist() == [len(keys), len(keys)]
    first = table[table["design"] == base.name].set_index("metric")
    present = first["mean"].notna()
    assert (first.loc[present, ["difference", "difference_low", "difference_high"]] == 0).all().all()
    second = table[table["design"] == other.name].set_index("metric")
    for key in KEYS:
        diffs = [a[key] - b[key] for a, b in zip(other.replications, base.replications, strict=True)]
        want = interval(diffs)
        assert (second.loc[key, "difference"], second.loc[key, "difference_low"],
                second.loc[key, "difference_high"]) == pytest.approx(want)
        assert second.loc[key, "difference"] == pytest.approx(second.loc[key, "mean"] - first.loc[key, "mean"])
        assert (second.loc[key, "mean"], second.loc[key, "low"], second.loc[key, "high"]) == pytest.approx(
            interval([r[key] for r in other.replications]))
    assert first.loc["one_stop_share", "label"] == "Resolved at one stop"


def test_headline_names_both_designs_and_their_one_stop(comparison: Comparison) -> None:
    text = comparison.headline()
    standard, worker_led = comparison.designs
    share = {d.name: np.mean([r["one_stop_share"] for r in d.replications]) for d in comparison.designs}
    assert text.startswith(f"{worker_led.name}: {share[worker_led.name]:.0%} resolved at first contact")
    assert f"{share[standard.name]:.0%} ({standard.name})" in text
    assert f"{np.mean([r['failure_demand_per_100'] for r in worker_led.replications]):.0f} failure demands" in text


def test_headline_needs_two_designs(sample: tuple[pd.DataFrame, Catalogue]) -> None:
    frame, catalogue = sample
    one = compare([load_map(MAPS / "housing_repairs_worker_led.yaml")], frame, catalogue=catalogue, weeks=1,
                  replications=2, seed=1, keep_runs=False)
    assert one.headline() == ""
    assert one.designs[0].runs == []
    assert len(one.designs[0].replications) == 2
    with pytest.raises(ValueError):
        compare([], frame)


def test_staffing_override_by_design_source(sample: tuple[pd.DataFrame, Catalogue]) -> None:
    frame, catalogue = sample
    m = load_map(MAPS / "housing_repairs_worker_led.yaml")
    result = compare([m], frame, catalogue=catalogue, weeks=1, replications=1, seed=1,
                     staffing={m.source: {"coordinator": 9}})
    staff = result.designs[0].runs[0].roles.set_index("role")["staff"]
    assert staff["coordinator"] == 9
    assert staff.drop("coordinator").tolist() == [r.staff for r in m.roles if r.id != "coordinator"]


def test_settings_run_compare_with_their_values_and_keep_the_stored_json(sample: tuple[pd.DataFrame, Catalogue]
                                                                          ) -> None:
    frame, catalogue = sample
    m = load_map(MAPS / "housing_repairs_worker_led.yaml")
    staffing = {m.source: {"coordinator": 9.0}}
    settings = CompareSettings(weeks=1, volume=1.5, replications=2, seed=4, staffing=staffing)
    staffing[m.source]["coordinator"] = 1.0  # the settings keep their own copy
    result = settings.run([m], frame, catalogue=catalogue)
    direct = compare([m], frame, catalogue=catalogue, weeks=1, volume=1.5, replications=2, seed=4,
                     staffing={m.source: {"coordinator": 9.0}})
    assert result.to_json() == direct.to_json()
    assert (result.weeks, result.replications, result.seed) == (1, 2, 4)
    assert result.designs[0].runs[0].roles.set_index("role")["staff"]["coordinator"] == 9
    # what is stored with a comparison run (the dashboard and study exports read it): these keys, in this order
    stored = settings.to_dict()
    # (issue 14 added answer_within_seconds: the service level's X is part of what a stored run means)
    assert stored == {"weeks": 1, "volume": 1.5, "replications": 2, "seed": 4,
                      "staffing": {m.source: {"coordinator": 9.0}}, "answer_within_seconds": 20}
    assert list(stored) == ["weeks", "volume", "replications", "seed", "staffing", "answer_within_seconds"]
    assert json.loads(json.dumps(stored)) == stored
    assert CompareSettings().to_dict() == {"weeks": None, "volume": 1.0, "replications": 5, "seed": 1,
                                           "staffing": {}, "answer_within_seconds": 20}


# ------------------------------------------------------------------------------------------ arrivals


def test_the_sample_day_by_day(sample: tuple[pd.DataFrame, Catalogue]) -> None:
    """weeks=None, volume=1: the measured arrivals are the sample itself, at its own times."""
    frame, catalogue = sample
    plan = plan_arrivals(frame, catalogue, warmup_weeks=1, seed=5)
    measured = [a for a in plan.arrivals if a.measured]
    warm = [a for a in plan.arrivals if not a.measured]
    assert len(measured) == len(frame) == 2532
    # the sample starts on Monday 5 January 2026 (the first simulated week is the warm-up)
    first = frame[schema.RECEIVED_AT].min()
    assert first.day_of_week == 0
    expected_times = sorted((frame[schema.RECEIVED_AT] - first.normalize()).dt.total_seconds() / 60 + WEEK)
    assert sorted(a.time for a in measured) == pytest.approx(expected_times)
    assert Counter(a.kind.demand_type for a in measured) == Counter(frame[schema.DEMAND_TYPE].astype(object).fillna(""))
    assert Counter(a.kind.touchpoint for a in measured) == Counter(frame[schema.TOUCHPOINT].astype(object))
    # natures from the catalogue
    assert {a.kind.nature for a in measured if a.kind.demand_type == "Chasing a repair"} == {"failure"}
    assert plan.measured_start == WEEK
    days = (frame[schema.RECEIVED_AT].max().normalize() - first.normalize()).days + 1
    assert plan.measured_end == WEEK + days * DAY
    assert plan.weeks == pytest.approx(days / 7)
    # the warm-up: one week before, not measured
    assert warm and all(0 <= a.time < WEEK for a in warm)
    # ids are unique and each demand is its own case
    assert len({a.id for a in plan.arrivals}) == len(plan.arrivals)
    assert all(a.case == a.id for a in plan.arrivals)


def weekday_means(frame: pd.DataFrame) -> np.ndarray:
    """Mean demands per weekday (Monday first) over the sample's days, zero days included."""
    per_day = frame[schema.RECEIVED_AT].dt.normalize().value_counts()
    days = pd.date_range(per_day.index.min(), per_day.index.max(), freq="D")
    per_day = per_day.reindex(days, fill_value=0)
    return per_day.groupby(days.day_of_week).mean().to_numpy()


def test_resampled_weeks_follow_the_sample_weekday_pattern(sample: tuple[pd.DataFrame, Catalogue]) -> None:
    frame, catalogue = sample
    weeks = 8
    plan = plan_arrivals(frame, catalogue, weeks=weeks, warmup_weeks=2, seed=9)
    assert plan.weeks == weeks
    assert (plan.measured_start, plan.measured_end) == (2 * WEEK, (2 + weeks) * WEEK)
    measured = np.array([a.time for a in plan.arrivals if a.measured])
    assert len(measured) > 0
    assert ((measured >= plan.measured_start) & (measured < plan.measured_end)).all()
    assert all(a.time < plan.measured_start for a in plan.arrivals if not a.measured)
    weekday = ((measured // DAY) % 7).astype(int)
    counts = np.bincount(weekday, minlength=7) / weeks
    want = weekday_means(frame)  # Mon 56, Tue-Fri 34-38, Sat 6, Sun 4 a day
    assert want[0] > 1.4 * want[1:5].mean()
    # Monday is the busiest day and the weekend the quietest, as in the sample
    assert counts.argmax() == 0
    assert counts[5:].max() < counts[:5].min()
    # each weekday's mean within 25% of the sample's (8 resampled days of a 12-day pool, day-to-day sd ~ 20%)
    assert counts[:5] == pytest.approx(want[:5], rel=0.25)
    assert counts.sum() == pytest.approx(want.sum(), rel=0.10)


def test_volume_two_doubles_the_arrivals(sample: tuple[pd.DataFrame, Catalogue]) -> None:
    frame, catalogue = sample
    weeks = 12
    per_week = weekday_means(frame).sum()  # 211 a week
    single = plan_arrivals(frame, catalogue, weeks=weeks, volume=1.0, warmup_weeks=0, seed=4)
    double = plan_arrivals(frame, catalogue, weeks=weeks, volume=2.0, warmup_weeks=0, seed=4)
    n1 = sum(a.measured for a in single.arrivals)
    n2 = sum(a.measured for a in double.arrivals)
    # 12 weeks of ~211 (weekly sd ~10%, so ~3% over 12 weeks) and ~422: within 8%
    assert n1 == pytest.approx(weeks * per_week, rel=0.08)
    assert n2 == pytest.approx(2 * weeks * per_week, rel=0.08)
    assert 1.8 < n2 / n1 < 2.2
    # more volume keeps the mix: the share of phone demand stays about the same (57%)
    phone = [sum(a.kind.touchpoint == "Phone" for a in p.arrivals) / len(p.arrivals) for p in (single, double)]
    assert phone[1] == pytest.approx(phone[0], abs=0.04)


def test_same_seed_same_plan_other_replication_other_plan(sample: tuple[pd.DataFrame, Catalogue]) -> None:
    frame, catalogue = sample
    a = plan_arrivals(frame, catalogue, weeks=2, seed=3, replication=0)
    b = plan_arrivals(frame, catalogue, weeks=2, seed=3, replication=0)
    c = plan_arrivals(frame, catalogue, weeks=2, seed=3, replication=1)
    assert a.arrivals == b.arrivals
    assert [x.time for x in a.arrivals] != [x.time for x in c.arrivals]


def test_warm_up_demands_are_not_measured(comparison: Comparison) -> None:
    run = comparison.designs[1].runs[-1]
    cases = metrics.case_view(run)
    d = run.demands
    warm_cases = set(d.loc[(d["generated"] == "") & ~d["measured"], "case"])
    assert warm_cases and not warm_cases & set(cases["case"])
    assert (cases["arrival"] >= run.measured_start).all()
    # generated demands inherit their origin's status
    generated = d[d["generated"] != ""]
    origin_measured = d.set_index("id")["measured"]
    assert (generated["measured"].to_numpy() == origin_measured.loc[generated["origin"]].to_numpy()).all()
    assert metrics.summarise(run, comparison.weeks)["demands"] == len(cases)
