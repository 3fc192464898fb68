"""`workbench compare` from the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from workbench.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "housing_repairs_demand.csv"
AS_IS = ROOT / "process_maps" / "housing_repairs_standard_work.yaml"
REDESIGN = ROOT / "process_maps" / "housing_repairs_worker_led.yaml"
KEYS = ("e2e_days_median", "e2e_days_p85", "e2e_days_p95", "one_stop_share", "handoffs_mean", "value_step_share",
        "touch_minutes_mean", "flow_efficiency", "failure_demand_per_100", "staff_hours_total")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["compare", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_every_design_with_metrics_intervals_and_utilisation(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "--demand", str(SAMPLE), str(AS_IS), str(REDESIGN), "--replications", "2",
                    "--weeks", "4", "--seed", "3")
    assert [d["name"] for d in data["designs"]] == ["Housing repairs - as is", "Housing repairs - redesign"]
    assert data["replications"] == 2 and data["weeks"] == 4
    for d in data["designs"]:
        for key in KEYS:
            assert isinstance(d["metrics"][key], float)
            low, high = d["intervals"][key]
            assert low <= d["metrics"][key] + 1e-9 and d["metrics"][key] <= high + 1e-9
        assert 0 < d["metrics"]["one_stop_share"] < 1
        assert d["metrics"]["e2e_days_median"] <= d["metrics"]["e2e_days_p85"] <= d["metrics"]["e2e_days_p95"]
        assert all(0 <= u <= 1.5 for u in d["metrics"]["utilisation"].values())
    as_is, redesign = (d["metrics"] for d in data["designs"])
    assert set(as_is["utilisation"]) == {"agent", "counter", "admin", "supervisor", "inspector", "ot", "scheduler",
                                         "operative"}
    assert redesign["handoffs_mean"] < as_is["handoffs_mean"]


def test_same_seed_same_numbers_and_another_seed_differs(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("--demand", str(SAMPLE), str(AS_IS), str(REDESIGN), "--replications", "1", "--weeks", "2")
    first = run_json(capsys, *args, "--seed", "5")
    again = run_json(capsys, *args, "--seed", "5")
    other = run_json(capsys, *args, "--seed", "6")
    assert first == again
    assert first["designs"][0]["metrics"] != other["designs"][0]["metrics"]


def test_per_demand_csv_holds_every_simulated_demand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "per_demand.csv"
    data = run_json(capsys, "--demand", str(SAMPLE), str(AS_IS), str(REDESIGN), "--replications", "1",
                    "--weeks", "2", "--per-demand", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    designs = {r["design"] for r in rows}
    assert designs == {"Housing repairs - as is", "Housing repairs - redesign"}
    originals = [r for r in rows if r["design"] == "Housing repairs - as is" and r["generated"] == ""
                 and r["measured"] == "True"]
    assert len(originals) == data["demands_per_replication"]


def test_text_output_has_the_headline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--demand", str(SAMPLE), str(AS_IS), str(REDESIGN), "--replications", "1",
                 "--weeks", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "End-to-end days (median)" in out and "resolved at first contact" in out


def test_a_broken_map_or_missing_demand_exits_2_with_one_line(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: B\nroles: [{id: a}]\nentry: x\nsteps:\n  - {id: s, role: a, touch: 1}\n")
    assert main(["compare", "--demand", str(SAMPLE), str(AS_IS), str(broken)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken.yaml" in err[0] and "entry" in err[0]
    assert main(["compare", "--demand", str(tmp_path / "none.csv"), str(AS_IS), str(REDESIGN)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "none.csv" in err[0]
