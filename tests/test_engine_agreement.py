"""The engine's own event loop gives exactly what the SimPy engine gave: the same row per demand, per role and
per step visit, to the last bit, on every bundled map with its sample demand, and on small maps built to
put many events at the same moment (where the order of simultaneous events decides who is served first).

The oracle is the SimPy engine as it was (tests/sim_oracle_engine.py, kept only for this test). Each map is
also run with fewer staff than it says (queues, and at the call centre callers giving up and calling back),
so the queues' order matters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sim_oracle_engine as oracle

from workbench.demand.catalogue import load_catalogue
from workbench.demand.load import load_demand
from workbench.flow.model import load_map, parse_map
from workbench.flow.routing import DemandKind
from workbench.sim import engine
from workbench.sim.service_times import patience_estimates, patience_means

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "housing_repairs": ("sample_data/housing_repairs_demand.csv", "sample_data/housing_repairs_catalogue.yaml"),
    "call_centre": ("sample_data/call_centre_demand.csv", "sample_data/call_centre_catalogue.yaml"),
}
MAPS = [
    ("housing_repairs", "process_maps/housing_repairs_standard_work.yaml"),
    ("housing_repairs", "process_maps/housing_repairs_worker_led.yaml"),
    ("call_centre", "process_maps/call_centre/call_centre_as_is.yaml"),
    ("call_centre", "process_maps/call_centre/call_centre_worker_led.yaml"),
]


def same_run(a: engine.RunResult, b: engine.RunResult) -> None:
    pd.testing.assert_frame_equal(a.demands, b.demands, check_exact=True)
    pd.testing.assert_frame_equal(a.roles, b.roles, check_exact=True)
    pd.testing.assert_frame_equal(a.visits, b.visits, check_exact=True)
    assert (a.measured_start, a.measured_end, a.patience) == (b.measured_start, b.measured_end, b.patience)


@pytest.fixture(scope="module")
def samples() -> dict[str, tuple]:
    out = {}
    for name, (demand, cat) in SAMPLES.items():
        catalogue = load_catalogue(ROOT / cat)
        frame = load_demand(ROOT / demand, catalogue=catalogue).frame
        out[name] = (frame, catalogue, engine.service_minutes_by_type(frame, catalogue),
                     patience_means(patience_estimates(frame)))
    return out


@pytest.mark.parametrize("staff", [1.0, 0.7])
@pytest.mark.parametrize(("sample", "path"), MAPS)
def test_identical_to_the_simpy_engine_on_every_bundled_map(samples: dict, sample: str, path: str,
                                                            staff: float) -> None:
    frame, catalogue, minutes, patience = samples[sample]
    plan = engine.plan_arrivals(frame, catalogue, seed=3, replication=1, vary_arrivals=True)
    m = load_map(ROOT / path)
    kw = {"catalogue": catalogue, "seed": 3, "replication": 1, "service_minutes": minutes,
          "start_date": plan.start_date, "patience_minutes": patience,
          "measured": (plan.measured_start, plan.measured_end),
          "staffing": {r.id: (r.peak_staff if r.roster else r.staff) * staff for r in m.roles}}
    new, old = engine.simulate(m, plan.arrivals, **kw), oracle.simulate(m, plan.arrivals, **kw)
    assert len(new.demands) > len(plan.arrivals)  # the design's own failure demand is in both
    same_run(new, old)


TIES = """
name: Ties
touchpoints:
  Phone:
    patience: {patience}
    call_back: 60%
    call_back_after: 30
roles:
  - id: desk
    name: Desk
    staff: 2
    hours_per_day: 8
    days_per_week: 5
  - id: crew
    name: Crew
    hours: {{Mon-Fri: "09:00-17:00"}}
    staff: 3
entry: take
steps:
  - id: take
    name: Take
    role: desk
    touch: {touch}
    complete_and_accurate: 80
    not_accurate: {{rework: take}}
    routes:
      - to: fix
        probability: 0.7
      - to: resolved
  - id: fix
    name: Fix
    role: crew
    touch: {touch}
    wait: {wait}
    complete_and_accurate: 90
    not_accurate: {{recall: Not fixed}}
    routes:
      - to: check
        probability: 0.5
      - to: resolved
  - id: check
    name: Check
    role: desk
    touch: 0
    routes:
      - to: resolved
failure_demand:
  - name: Where is it
    every_days: 1
    probability: 0.5
    demand_type: Chase
    touchpoint: Phone
"""


@pytest.mark.parametrize(("patience", "touch", "wait"), [
    ("5", "0", "0"), ("30", "20", "0"), ("15", "10", "2"), ("0", "0", "1"), ("15", "10", "{min: 0.5, max: 3}")])
def test_identical_when_many_events_fall_at_the_same_moment(patience: str, touch: str, wait: str) -> None:
    """Demands in bursts arriving at the same minute, steps taking no time, queues overnight for opening time
    and for the crew's shifts: the order of simultaneous events is SimPy's."""
    m = parse_map(TIES.format(patience=patience, touch=touch, wait=wait))
    kind = DemandKind("Repair", "value", "", "Phone")
    times = [day * 1440.0 + minute for day in range(10) for minute in (0.0, 480.0, 540.0, 600.0, 780.0, 1000.0)
             for _ in range(4)]
    arrivals = [engine.Arrival(i + 1, i + 1, t, kind) for i, t in enumerate(times)]
    new = engine.simulate(m, arrivals, seed=5)
    old = oracle.simulate(m, arrivals, seed=5)
    assert new.demands["abandoned"].any() or patience != "0"
    same_run(new, old)


def test_calendar_start_finish_is_next_working_and_finish_in_one_pass() -> None:
    """The loop asks a calendar once per job when it starts and ends (`start_finish`); the figures are those of
    `next_working` and `finish`, to the bit, on calendars of every shape and starts at and around the edges."""
    from workbench.sim.calendar import Calendar

    rng = np.random.default_rng(11)
    calendars = [Calendar(7.5, 5), Calendar(24, 7), Calendar(8, 5, 0.0, [3, 4, 10]), Calendar(12, 6, 20 * 60),
                 Calendar(0, 5), Calendar(24, 5, closed_days=[0, 1, 2]), Calendar(17, 7, closed_days=[6])]
    edges = [0.0, 480.0, 930.0, 1440.0, 4 * 1440.0 + 929.999, 6 * 1440.0]
    starts = [*edges, *rng.uniform(0, 30 * 1440.0, 300)]
    works = [0.0, -1.0, 0.5, 30.0, 450.0, 451.0, 3000.0, *rng.exponential(200.0, 20)]
    for cal in calendars:
        for start in starts:
            for work in works:
                began = cal.next_working(start) if work > 0 else start
                assert cal.start_finish(start, work) == (began, cal.finish(start, work))
