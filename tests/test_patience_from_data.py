"""Callers' patience estimated from the demand's queue waits (`patience: from_data`): the censored estimate
(all calls' seconds in the queue over the number that gave up), the map format, the engine's use of it and the
plain refusals. Expected values are worked out here by hand or from the draws, never from Workbench."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import schema
from workbench.demand.load import load_demand
from workbench.flow.model import ProcessMap, parse_map, to_yaml
from workbench.flow.routing import DemandKind
from workbench.flow.validate import has_errors, validate_map
from workbench.sim.compare import compare, data_problem
from workbench.sim.engine import Arrival, ServiceTimeError, simulate
from workbench.sim.service_times import ALL_TOUCHPOINTS, patience_estimates

CALL = DemandKind("Ask a question", "value", "", "Phone")


def desk_map(patience: str, where: str = "touchpoint", staff: int = 2) -> ProcessMap:
    """A 24/7 desk that answers each call once; patience at the Phone touchpoint or on the step."""
    touchpoints = f"touchpoints:\n  Phone:\n    patience: {patience}\n    call_back: 0\n" if where == "touchpoint" else ""
    step_patience = f"    patience: {patience}\n" if where == "step" else ""
    return parse_map(f"""
name: Desk
{touchpoints}roles:
  - {{id: desk, name: Desk, staff: {staff}, hours_per_day: 24, days_per_week: 7}}
entry: serve
steps:
  - id: serve
    name: Answer the call
    role: desk
    touch: {{mean: 4, distribution: exponential}}
{step_patience}    routes:
      - to: resolved
        otherwise: true
""", "desk.yaml")


def calls_frame(rows: list[tuple[str, float | None, bool | None]]) -> pd.DataFrame:
    """A clean-looking demand frame of (touchpoint, queue seconds, gave up)."""
    n = len(rows)
    return pd.DataFrame({
        schema.RECEIVED_AT: pd.date_range("2026-01-05 09:00", periods=n, freq="min"),
        schema.TOUCHPOINT: [r[0] for r in rows],
        schema.DEMAND_TYPE: ["Ask a question"] * n,
        schema.QUEUE_SECONDS: [np.nan if r[1] is None else r[1] for r in rows],
        schema.ABANDONED: pd.array([r[2] for r in rows], dtype="boolean"),
    })


# ------------------------------------------------------------------------------------------ the estimator

def test_censored_estimate_on_a_hand_made_frame() -> None:
    rows: list[tuple[str, float | None, bool | None]] = (
        [("Phone", 60.0, True)] * 10  # 10 gave up after a minute: 600 s
        + [("phone ", 300.0, False)] * 2  # 2 answered after 5 minutes (same touchpoint, other spelling): 600 s
        + [("Phone", None, True), ("Phone", 999.0, None)]  # wait or answer missing: left out
        + [("Email", 30.0, True), ("Email", 90.0, False), ("Email", 0.0, False)]
    )
    est = patience_estimates(calls_frame(rows))
    phone = est["phone"]
    assert (phone.gave_up, phone.calls, phone.wait_seconds) == (10, 12, 1200.0)
    assert phone.mean_minutes == pytest.approx(1200 / 10 / 60)  # 2 minutes, not the 1 minute of those who left
    assert phone.words() == ("Phone: callers wait about 2.0 minutes before giving up, estimated from 10 calls "
                             "that gave up of 12 (censored estimate)")
    email = est["email"]
    assert (email.gave_up, email.calls, email.wait_seconds, email.enough) == (1, 3, 120.0, False)
    everyone = est[ALL_TOUCHPOINTS]
    assert (everyone.gave_up, everyone.calls, everyone.wait_seconds) == (11, 15, 1320.0)


def test_no_queue_columns_no_estimates() -> None:
    frame = calls_frame([("Phone", 10.0, True)]).drop(columns=[schema.QUEUE_SECONDS, schema.ABANDONED])
    assert patience_estimates(frame) == {}
    blank = calls_frame([("Phone", None, None)] * 4)
    assert patience_estimates(blank) == {}


def test_recovers_a_known_mean_from_a_written_and_read_call_log() -> None:
    """Callers with exponential patience (mean 3 min) meet waits they would face (exponential, mean 2 min),
    independent of their patience; the log records min(wait, patience) and who gave up. Written as a Five9-like
    file (hh:mm:ss, 1/0) and read back, the estimate is within 4 standard errors (mean / sqrt(gave up))."""
    rng = np.random.default_rng(14)
    n, true_mean = 6000, 180.0
    patience = rng.exponential(true_mean, n)
    offered = rng.exponential(120.0, n)
    wait = np.minimum(patience, offered)
    gave_up = patience < offered
    lines = ["CALL DATE,CHANNEL,QUEUE WAIT TIME,ABANDONED"]
    for i in range(n):
        secs = wait[i]
        clock = f"{int(secs // 3600):02d}:{int(secs % 3600 // 60):02d}:{secs % 60:06.3f}"
        lines.append(f"2026-01-{5 + i % 5:02d} 09:00,Phone,{clock},{int(gave_up[i])}")
    loaded = load_demand("\n".join(lines).encode(), name="five9.csv")
    assert loaded.report.mapping[schema.QUEUE_SECONDS] == "QUEUE WAIT TIME"
    np.testing.assert_allclose(loaded.frame[schema.QUEUE_SECONDS].to_numpy(), wait, atol=0.0006)
    est = patience_estimates(loaded.frame)["phone"]
    d = int(gave_up.sum())
    assert (est.gave_up, est.calls) == (d, n)
    assert est.wait_seconds / est.gave_up == pytest.approx(wait.sum() / d, abs=0.01)
    se = true_mean / math.sqrt(d)
    assert abs(est.mean_minutes * 60 - true_mean) < 4 * se
    # ignoring the answered calls would badly underestimate it (the mean wait of those who gave up)
    assert wait[gave_up].mean() < 0.7 * true_mean


def test_recovers_the_patience_of_an_engine_run() -> None:
    """M/M/2+M through the engine with patience of mean 2 minutes: the run's own queue waits and gave-up flags
    give the mean back within 4 standard errors."""
    m = desk_map("{mean: 2, unit: minutes, distribution: exponential}")
    rng = np.random.default_rng(7)
    times = np.cumsum(rng.exponential(1 / 0.5, 5000))  # 0.5 calls a minute against 2 desks of 4 minutes: load 1
    run = simulate(m, [Arrival(i + 1, i + 1, float(t), CALL) for i, t in enumerate(times)], seed=3)
    d = run.demands
    frame = calls_frame([("Phone", float(w) * 60, bool(a))
                         for w, a in zip(d["answer_wait_minutes"], d["abandoned"], strict=True)])
    est = patience_estimates(frame)["phone"]
    gave = int(d["abandoned"].sum())
    assert est.gave_up == gave and gave > 300
    assert abs(est.mean_minutes - 2.0) < 4 * 2.0 / math.sqrt(gave)


# ------------------------------------------------------------------------------------------ the map format

@pytest.mark.parametrize("written", ["from_data", "{from_data: true}"])
@pytest.mark.parametrize("where", ["touchpoint", "step"])
def test_patience_from_data_round_trip(written: str, where: str) -> None:
    m = desk_map(written, where)
    patience = m.touchpoints["Phone"].patience if where == "touchpoint" else m.steps[0].patience
    assert patience is not None and patience.from_data
    assert not has_errors(validate_map(m))
    again = parse_map(to_yaml(m), "again.yaml")
    back = again.touchpoints["Phone"].patience if where == "touchpoint" else again.steps[0].patience
    assert back is not None and back.from_data
    assert to_yaml(again) == to_yaml(m)


def test_call_back_after_cannot_come_from_the_data() -> None:
    m = parse_map("""
name: Desk
touchpoints:
  Phone:
    patience: 2
    call_back: 50%
    call_back_after: from_data
roles:
  - {id: desk, staff: 1}
entry: serve
steps:
  - {id: serve, role: desk, touch: 4, routes: [{to: resolved, otherwise: true}]}
""", "desk.yaml")
    errors = [p.message for p in validate_map(m) if p.severity == "error"]
    assert any("call_back_after: cannot come from the data" in e for e in errors)


# ------------------------------------------------------------------------------------------ engine and compare

def _arrivals(n: int, rate: float, seed: int) -> list[Arrival]:
    rng = np.random.default_rng(seed)
    return [Arrival(i + 1, i + 1, float(t), CALL) for i, t in enumerate(np.cumsum(rng.exponential(1 / rate, n)))]


@pytest.mark.parametrize("where", ["touchpoint", "step"])
def test_engine_draws_exponential_patience_with_the_estimated_mean(where: str) -> None:
    """A patience from the data with an estimated mean of 2.5 minutes runs exactly as `{mean: 2.5, exponential}`
    (the same counter-based draws)."""
    arrivals = _arrivals(800, 0.6, 11)
    known = simulate(desk_map("{mean: 2.5, distribution: exponential}", where), arrivals, seed=5)
    key = "phone" if where == "touchpoint" else ALL_TOUCHPOINTS
    estimated = simulate(desk_map("from_data", where), _arrivals(800, 0.6, 11), seed=5,
                         patience_minutes={key: 2.5})
    assert known.demands["abandoned"].sum() > 20
    pd.testing.assert_frame_equal(known.demands, estimated.demands)


def test_engine_refuses_patience_from_data_without_an_estimate() -> None:
    with pytest.raises(ServiceTimeError, match="patience at Phone is to come from the data"):
        simulate(desk_map("from_data"), _arrivals(5, 0.5, 1), seed=1)


def _demand(gave_up: int, answered: int) -> pd.DataFrame:
    """A call log read as a person would load it: gave-up calls waited 1:30, answered ones 0:30."""
    lines = ["Date,Channel,Demand type,Queue wait time,Abandoned"]
    for i in range(gave_up + answered):
        when = pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(minutes=7 * i)
        lines.append(f"{when:%Y-%m-%d %H:%M},Phone,Ask a question,"
                     + ("00:01:30,Y" if i < gave_up else "00:00:30,N"))
    return load_demand("\n".join(lines).encode(), name="calls.csv").frame


def test_too_few_gave_up_is_refused_in_plain_words() -> None:
    m = desk_map("from_data")
    problem = data_problem([m, m], _demand(3, 40))
    assert problem == ("Desk: only 3 call(s) gave up at Phone: too few to estimate how long callers wait (at "
                       "least 10 are needed); give patience as a number of minutes.")
    with pytest.raises(ServiceTimeError, match="only 3 call"):
        compare([m], _demand(3, 40), replications=1, warmup_weeks=0)


def test_no_queue_columns_is_refused_in_plain_words() -> None:
    m = desk_map("from_data", "step")
    frame = _demand(20, 20).drop(columns=[schema.QUEUE_SECONDS, schema.ABANDONED])
    problem = data_problem([m], frame)
    assert problem is not None and problem.startswith(
        "Desk: callers' patience at step 'Answer the call' is to come from the data (patience: from_data), but "
        "the demand file has no queue waits")
    assert data_problem([desk_map("2")], frame) is None


def test_compare_runs_with_the_estimate() -> None:
    """20 gave up after 90 s, 40 answered after 30 s: mean patience (20*90 + 40*30) / 20 s = 2.5 minutes; the
    comparison's run is the one with patience {mean: 2.5, exponential}."""
    frame = _demand(20, 40)
    assert data_problem([desk_map("from_data")], frame) is None
    got = compare([desk_map("from_data", staff=1)], frame, replications=1, warmup_weeks=0, seed=4)
    want = compare([desk_map("{mean: 2.5, distribution: exponential}", staff=1)], frame, replications=1,
                   warmup_weeks=0, seed=4)
    other = compare([desk_map("{mean: 0.5, distribution: exponential}", staff=1)], frame, replications=1,
                    warmup_weeks=0, seed=4)
    demands = got.designs[0].runs[0].demands
    assert demands["abandoned"].sum() > 0
    pd.testing.assert_frame_equal(demands, want.designs[0].runs[0].demands)
    assert other.designs[0].runs[0].demands["abandoned"].sum() > demands["abandoned"].sum()


def test_map_show_states_the_estimate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli import main

    (tmp_path / "desk.yaml").write_text(to_yaml(desk_map("from_data")), encoding="utf-8")
    lines = ["Date,Channel,Demand type,QUEUE WAIT TIME,ABANDONED"]
    lines += [f"2026-01-05 09:{i:02d},Phone,Ask a question,00:02:00,{int(i < 12)}" for i in range(40)]
    (tmp_path / "calls.csv").write_text("\n".join(lines), encoding="utf-8")
    # 40 calls waited 120 s each, 12 gave up: 4800 / 12 = 400 s = 6.7 minutes
    code = main(["map", "show", str(tmp_path / "desk.yaml"), "--demand", str(tmp_path / "calls.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert ("Phone: callers wait about 6.7 minutes before giving up, estimated from 12 calls that gave up of 40 "
            "(censored estimate)") in out
    lines[1:13] = [line[:-1] + "0" for line in lines[1:13]][:12]  # only 3 gave up now
    lines[1:4] = [line[:-1] + "1" for line in lines[1:4]]
    (tmp_path / "calls.csv").write_text("\n".join(lines), encoding="utf-8")
    main(["map", "show", str(tmp_path / "desk.yaml"), "--demand", str(tmp_path / "calls.csv")])
    assert ("Phone: only 3 call(s) gave up of 40: too few to estimate how long callers wait"
            in capsys.readouterr().out)


def test_a_fit_on_patience_from_the_data_is_a_warning() -> None:
    m = desk_map("{from_data: true, fit: lognormal}")
    problems = validate_map(m)
    assert not has_errors(problems)
    assert [p.message for p in problems if "fit is ignored" in p.message] == [
        "patience from the data is always exponential (its mean estimated from the queue waits); fit is ignored"]


def _step_times_page() -> None:
    import pandas as pd

    from workbench.app.views.compare import _step_times
    from workbench.demand.load import load_demand
    from workbench.flow.model import parse_map

    m = parse_map("""
name: Desk
touchpoints:
  Phone: {patience: from_data, call_back: 0}
roles:
  - {id: desk, staff: 1}
entry: serve
steps:
  - {id: serve, role: desk, touch: 4, routes: [{to: resolved, otherwise: true}]}
""", "desk.yaml")
    lines = ["Date,Channel,Demand type,QUEUE WAIT TIME,ABANDONED"]
    for i in range(40):  # 40 calls waited 2 minutes, 12 gave up: 4800 s / 12 = 6.7 minutes
        when = pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(minutes=i)
        lines.append(f"{when:%Y-%m-%d %H:%M},Phone,Ask a question,00:02:00,{int(i < 12)}")
    frame = load_demand("\n".join(lines).encode(), name="calls.csv").frame
    _step_times(["Desk"], {"Desk": m}, frame, None)


def test_compare_page_states_the_estimate() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_step_times_page, default_timeout=60).run()
    assert not at.exception
    assert "Touch times taken from the data" in [e.label for e in at.expander]  # (importing draws the page too)
    texts = [m.value for m in at.markdown]
    assert any("Phone: callers wait about 6.7 minutes before giving up, estimated from 12 calls that gave up of "
               "40 (censored estimate)" in t for t in texts), texts
