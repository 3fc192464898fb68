"""Callers who give up (issue 14): patience at a touchpoint or a step, call backs, the queue measures.

Every expected time is worked out by hand. The clock is calendar minutes from Monday 00:00 of day 0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.flow.model import parse_map
from workbench.flow.routing import DemandKind
from workbench.sim import metrics
from workbench.sim.engine import CALL_BACK, GAVE_UP, Arrival, Draws, _text_key, sample_minutes, simulate

DAY = 1440.0
KIND = DemandKind("Repair", "value", "", "Phone")


def arrivals(*times: float, kind: DemandKind = KIND) -> list[Arrival]:
    return [Arrival(i + 1, i + 1, t, kind) for i, t in enumerate(times)]


def service(patience: str = "5", call_back: str = "0%", after: str = "30", touch: str = "10",
            role: str = "    staff: 1\n    hours_per_day: 24\n    days_per_week: 7\n", extra_step: str = "",
            step_patience: str = "") -> str:
    return f"""
name: Call centre
touchpoints:
  Phone:
    patience: {patience}
    call_back: {call_back}
    call_back_after: {after}
roles:
  - id: agent
    name: Agent
{role}
entry: answer
steps:
  - id: answer
    name: Answer
    role: agent
    touch: {touch}
{step_patience}
{extra_step}
"""


def test_a_caller_gives_up_when_patience_runs_out() -> None:
    # one agent busy with call 1 from 0 to 10; call 2 at minute 1 waits 5 minutes and hangs up at 6
    result = simulate(parse_map(service()), arrivals(0.0, 1.0))
    v = result.visits.set_index("id")
    assert not v.loc[1, "abandoned"] and v.loc[2, "abandoned"]
    assert v.loc[2, "queued"] == 1 and v.loc[2, "finished"] == 6 and v.loc[2, "queue_minutes"] == 5
    assert math.isnan(v.loc[2, "started"])
    d = result.demands.set_index("id")
    assert d.loc[2, "abandoned"] and math.isnan(d.loc[2, "resolved"]) and not d.loc[2, "one_stop"]
    assert d.loc[2, "answer_wait_minutes"] == 5 and d.loc[2, "steps"] == 0
    assert d.loc[1, "resolved"] == 10 and d.loc[1, "one_stop"]
    # nobody called back (call_back 0%)
    assert len(result.demands) == 2


def test_a_caller_answered_in_time_does_not_give_up() -> None:
    # call 2 at minute 6 would give up at 11; the agent is free at 10, so it is answered after 4 minutes
    result = simulate(parse_map(service()), arrivals(0.0, 6.0))
    d = result.demands.set_index("id")
    assert not d["abandoned"].any()
    assert d.loc[2, "answer_wait_minutes"] == 4 and d.loc[2, "resolved"] == 20


def test_those_who_give_up_call_back_as_failure_demand() -> None:
    result = simulate(parse_map(service(call_back="100%", after="30")), arrivals(0.0, 1.0))
    d = result.demands.set_index("id")
    back = d[d["generated"] == CALL_BACK]
    assert len(back) == 1
    row = back.iloc[0]
    # gave up at 6, called back 30 minutes later, answered at once (the agent is free), resolved at 46
    assert row["arrival"] == 36 and row["resolved"] == 46
    assert (row["nature"], row["cause"], row["demand_type"], row["touchpoint"]) == (
        "failure", GAVE_UP, "Repair", "Phone")
    assert row["case"] == d.loc[2, "case"] and row["origin"] == 2 and row["caused_by_step"] == "answer"
    # the case continues: it ends when the call back is done, 45 minutes after the first contact
    cases = metrics.case_view(result).set_index("id")
    assert cases.loc[2, "case_end"] == 46 and not cases.loc[2, "gave_up"]


def test_a_caller_who_gives_up_for_good_is_not_still_open() -> None:
    result = simulate(parse_map(service()), arrivals(0.0, 1.0), measured=(0.0, DAY))
    s = metrics.summarise(result, 1)
    assert s["unfinished"] == 0 and s["resolved"] == 1
    assert s["abandoned_share"] == 0.5


def test_waiting_for_opening_time_counts_against_patience() -> None:
    office = "    staff: 1\n    hours_per_day: 8\n    days_per_week: 5\n"
    roster = '    roster:\n      - {days: Mon-Fri, from: "08:00", to: "16:00", staff: 1}\n'
    for role in (office, roster):
        # a call at 02:00 with 5 minutes' patience, nobody at work until 08:00: it hangs up at 02:05
        result = simulate(parse_map(service(role=role)), arrivals(120.0))
        v = result.visits.iloc[0]
        assert v["abandoned"] and v["finished"] == 125 and v["queue_minutes"] == 5, role
        # and a call at 07:58 waits 2 minutes and is answered at 08:00
        result = simulate(parse_map(service(role=role)), arrivals(478.0))
        v = result.visits.iloc[0]
        assert not v["abandoned"] and v["started"] == 480 and v["queue_minutes"] == 2, role


def test_touchpoint_patience_applies_at_the_first_step_only_and_a_step_s_own_at_every_visit() -> None:
    second = """  - id: fix
    name: Fix
    role: agent
    touch: 10
"""
    text = service(touch="10\n    routes:\n      - {to: fix}", extra_step=second)
    # call 1 at 0: answer 0-10; call 2 at 9 is answered at 10 (wait 1); call 1's fix then queues 10 -> 20 (10 minutes, no patience there)
    result = simulate(parse_map(text), arrivals(0.0, 9.0))
    d = result.demands.set_index("id")
    assert not d["abandoned"].any()
    v = result.visits
    fix1 = v[(v["id"] == 1) & (v["step"] == "fix")].iloc[0]
    assert fix1["queue_minutes"] == 10 and not fix1["abandoned"]
    # a step's own patience (2 minutes at fix) applies there: call 1 gives up at fix after 2 minutes
    text = service(touch="10\n    routes:\n      - {to: fix}",
                   extra_step=second + "    patience: 2\n")
    result = simulate(parse_map(text), arrivals(0.0, 9.0))
    v = result.visits
    fix1 = v[(v["id"] == 1) & (v["step"] == "fix")].iloc[0]
    assert fix1["abandoned"] and fix1["queue_minutes"] == 2
    d = result.demands.set_index("id")
    assert d.loc[1, "abandoned"] and d.loc[1, "answer_wait_minutes"] == 0


def test_patience_draws_are_counter_based_and_shared_by_designs() -> None:
    text = service(patience="{mean: 3, distribution: exponential}", touch="1000")
    m = parse_map(text)
    # one agent, a 1000-minute call at 0, then callers far apart: each waits alone and gives up exactly when
    # its own patience runs out, which is the documented counter-based draw
    times = [1.0 + 100.0 * i for i in range(1, 9)]
    result = simulate(m, arrivals(0.0, *times), seed=7)
    v = result.visits.set_index("id")
    for i in range(2, 10):
        draws = Draws(7, 0, i, _text_key("answer"), 0, 9_001)
        want = sample_minutes(m.touchpoints["Phone"].patience, draws.uniform())  # type: ignore[arg-type]
        assert v.loc[i, "queue_minutes"] == pytest.approx(want) and v.loc[i, "abandoned"]
    # another design (a different touch time at the step) gives the same callers the same patience
    other = simulate(parse_map(service(patience="{mean: 3, distribution: exponential}", touch="2000")),
                     arrivals(0.0, *times), seed=7)
    assert other.visits.set_index("id").loc[2:, "queue_minutes"].to_numpy() == pytest.approx(
        v.loc[2:, "queue_minutes"].to_numpy())


def test_exponential_patience_has_its_mean() -> None:
    m = parse_map(service(patience="{mean: 3, distribution: exponential}", touch="1000000"))
    n = 4000
    result = simulate(m, arrivals(0.0, *[1.0 + 50.0 * i for i in range(1, n + 1)]), seed=3)
    waits = result.visits[result.visits["abandoned"]]["queue_minutes"].to_numpy()
    assert len(waits) == n
    # mean 3, sd 3: the standard error of the mean of 4,000 is 0.047; 4 SE
    assert abs(waits.mean() - 3.0) < 4 * 3.0 / math.sqrt(n)
    assert abs(np.median(waits) - 3 * math.log(2)) < 0.15


def test_queue_measures_by_hand() -> None:
    # agent always at work; calls at 0 (answered at once), 1 (gives up at 6), 8 (answered at 10: 2 minutes),
    # 20 (at once): 4 contacts, 1 gave up; answered within 20 seconds: calls 1 and 4 of 4
    result = simulate(parse_map(service()), arrivals(0.0, 1.0, 8.0, 20.0), measured=(0.0, DAY))
    s = metrics.summarise(result, 1)
    assert s["abandoned_share"] == 0.25
    assert s["answered_within_share"] == 0.5
    assert s["answer_wait_seconds_mean"] == pytest.approx(120 / 3)
    assert s["answer_wait_seconds_p90"] == pytest.approx(float(np.quantile([0, 120, 0], 0.9)))
    # a longer X: 3 minutes takes in the 2-minute wait
    assert metrics.summarise(result, 1, answer_within_seconds=180)["answered_within_share"] == 0.75
    q = metrics.queues(result)
    row = q.set_index("step").loc["answer"]
    assert (row["visits"], row["abandoned"]) == (4, 1)
    assert row["queue_minutes_mean"] == pytest.approx((0 + 5 + 2 + 0) / 4)


def test_designs_without_patience_have_no_queue_measures() -> None:
    text = service().replace("    patience: 5\n", "")
    m = parse_map(text)
    assert not m.uses_patience()
    s = metrics.summarise(simulate(m, arrivals(0.0, 1.0), measured=(0.0, DAY)), 1)
    assert not set(metrics.QUEUE_KEYS) & set(s)
    assert isinstance(metrics.queues(simulate(m, arrivals(0.0))), pd.DataFrame)
