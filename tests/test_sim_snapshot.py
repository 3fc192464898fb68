"""The stored record of a comparison (workbench/sim/snapshot.py): JSON that a database accepts, and read back
into the same frames the charts take, so the dashboard draws what the Compare page drew."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import spc
from workbench.demand.catalogue import load_catalogue
from workbench.demand.load import load_demand
from workbench.flow.model import load_map
from workbench.sim import metrics
from workbench.sim.compare import Comparison, compare, side_by_side
from workbench.sim.snapshot import Snapshot, snapshot

ROOT = Path(__file__).resolve().parent.parent
FIRST_DAY = pd.Timestamp("2026-01-05")


@pytest.fixture(scope="module")
def result() -> Comparison:
    catalogue = load_catalogue(ROOT / "sample_data" / "housing_repairs_catalogue.yaml")
    frame = load_demand(ROOT / "sample_data" / "housing_repairs_demand.csv", catalogue=catalogue).frame
    maps = [load_map(ROOT / "process_maps" / f) for f in
            ("housing_repairs_standard_work.yaml", "housing_repairs_worker_led.yaml")]
    return compare(maps, frame, catalogue=catalogue, weeks=3, replications=2, seed=7)


def test_snapshot_is_strict_json_and_reads_back_the_same_figures(result: Comparison) -> None:
    data = snapshot(result, FIRST_DAY)
    text = json.dumps(data, allow_nan=False)  # PostgreSQL's JSON takes no NaN: none may be left
    snap = Snapshot(json.loads(text))
    assert snap.designs == [d.name for d in result.designs]
    assert snap.headline == result.headline()
    summary = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert {k: data[k] for k in summary} == summary  # the CLI's summary is inside, unchanged

    original, stored = result.table(), snap.table()
    assert list(stored["metric"]) == list(original["metric"])
    for col in ("mean", "low", "high", "difference"):
        np.testing.assert_allclose(stored[col].to_numpy(dtype=float), original[col].to_numpy(dtype=float),
                                   equal_nan=True)
    # the table people read is the same from the live result and from the stored one
    names = snap.designs
    pd.testing.assert_frame_equal(side_by_side(stored, names, 2), side_by_side(original, names, 2))

    e2e = result.e2e_distribution(points=51)
    pd.testing.assert_frame_equal(snap.e2e_distribution(), e2e, check_dtype=False)


def test_capability_chart_reads_back_with_dates_and_signals(result: Comparison) -> None:
    snap = Snapshot(json.loads(json.dumps(snapshot(result, FIRST_DAY), allow_nan=False)))
    for d in result.designs:
        live = metrics.capability(d.runs[0])
        stored = snap.capability(d.name)
        assert list(stored.index) == list(FIRST_DAY + pd.to_timedelta(live.index, unit="D"))
        np.testing.assert_allclose(stored[spc.VALUE], live[spc.VALUE])
        np.testing.assert_allclose(stored[spc.UPPER], live[spc.UPPER])
        assert stored[spc.SIGNAL].tolist() == live[spc.SIGNAL].astype(bool).tolist()
    assert Snapshot({}).capability("nobody").empty
    assert Snapshot({}).designs == [] and Snapshot({}).headline == ""


def test_side_by_side_formats_shares_and_differences() -> None:
    table = pd.DataFrame([
        {"metric": "one_stop_share", "design": "A", "mean": 0.1, "low": 0.08, "high": 0.12, "difference": 0.0},
        {"metric": "one_stop_share", "design": "B", "mean": 0.43, "low": 0.4, "high": 0.46, "difference": 0.33},
        {"metric": "e2e_days_median", "design": "A", "mean": 11.9, "low": 11.5, "high": 12.3, "difference": 0.0},
        {"metric": "e2e_days_median", "design": "B", "mean": 2.66, "low": 2.62, "high": 2.7,
         "difference": -9.24},
    ])
    out = side_by_side(table, ["A", "B"], 3)
    assert out.iloc[0].tolist() == ["Resolved at one stop", "10%  (8.0% to 12%)", "43%  (40% to 46%)", "+33 points"]
    assert out.iloc[1, 1:].tolist() == ["11.9  (11.5 to 12.3)", "2.66  (2.62 to 2.70)", "-9.24"]
    single = side_by_side(table, ["A", "B"], 1)
    assert single.iloc[0, 1] == "10%"


def test_what_snapshot_writes_passes_the_stored_snapshot_check(result: Comparison) -> None:
    """The check an import (and the dashboard) applies to a stored summary accepts every snapshot Workbench
    writes, an older summary (`to_json` only) and one without the snapshot's keys; it refuses a wrong one."""
    from workbench.sim.snapshot import SnapshotError, check_snapshot

    data = json.loads(json.dumps(snapshot(result, FIRST_DAY), allow_nan=False))
    check_snapshot(data)
    check_snapshot(json.loads(json.dumps(result.to_json(), allow_nan=False)))
    check_snapshot({})
    for wrong, said in (({"table": 5}, "table should be a list of rows"),
                        ({**data, "designs": data["designs"][:1]}, "one of the designs listed"),
                        ({**data, "capability": {"x": [{"day": "2026-01-05T00:00:00+01:00"}]}}, "without a time zone"),
                        ({**data, "e2e_distribution": [{"design": "x", "share": "half"}]}, "share should be a number"),
                        ([], "should be an object")):
        with pytest.raises(SnapshotError, match=said):
            check_snapshot(wrong)
