"""`workbench map validate` and `workbench map show`, and the bundled process maps."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from flow_fixtures import BROKEN_LINE, BROKEN_MAP

from workbench import cli
from workbench.demand.catalogue import load_catalogue
from workbench.flow.expected import expect
from workbench.flow.model import load_map
from workbench.flow.routing import DemandKind
from workbench.flow.validate import validate_map

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "housing_repairs_demand.csv"
CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"
PROCESS_MAPS = sorted((ROOT / "process_maps").glob("*.yaml"))

# Leaks and damp go to the office after a 3-day wait; failure demand is answered at once; the rest is fixed by
# the agent. The chase rule makes the office wait generate failure demand.
GOOD = """\
# A small valid map for the CLI tests
name: CLI map
design: standard-work
roles:
  - id: agent
    name: Agent
  - id: office
    name: Office
entry: answer
steps:
  - id: answer
    role: agent
    touch: 6
    routes:
      - to: office
        types: [Report a leak, Report damp and mould]
      - to: resolved
        nature: failure
      - to: fix
        otherwise: true
  - id: office
    role: office
    work: check
    touch: 10
    wait: 3
    complete_and_accurate: 90
    not_accurate: {recall: Nobody turned up}
  - id: fix
    role: agent
    touch: {min: 5, likely: 10, max: 30}
failure_demand:
  - every_days: 2
    probability: 0.5
    demand_type: Chasing a repair
"""



def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN_MAP, encoding="utf-8")
    assert BROKEN_MAP.splitlines()[BROKEN_LINE - 1].strip() == "- to: nowhere"
    return path


# ------------------------------------------------------------------------------------------ validate


def test_validate_a_valid_map_exits_0(capsys: pytest.CaptureFixture[str], good: Path) -> None:
    code, out, err = run(capsys, "map", "validate", good)
    assert code == 0, out + err
    assert out.strip() == "good.yaml: valid"
    assert err == ""


def test_validate_a_broken_map_exits_1_with_file_and_line(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    code, out, _ = run(capsys, "map", "validate", broken)
    assert code == 1
    lines = out.splitlines()
    # the route to an unknown step, and so the step never ends the demand
    assert lines[0] == "broken.yaml: 2 error(s)"
    assert any(line.strip().startswith("broken.yaml, line 7: error (step 'answer'): no route from this step")
               for line in lines[1:]), out
    assert any(line.strip().startswith(f"broken.yaml, line {BROKEN_LINE}: error (route 1 of step 'answer'")
               and "'nowhere'" in line for line in lines[1:]), out


def test_validate_several_paths_at_once(capsys: pytest.CaptureFixture[str], good: Path, broken: Path,
                                        tmp_path: Path) -> None:
    code, out, _ = run(capsys, "map", "validate", good, broken, tmp_path / "missing.yaml")
    assert code == 1
    assert "good.yaml: valid" in out.splitlines()
    assert "broken.yaml: 2 error(s)" in out.splitlines()
    assert f"broken.yaml, line {BROKEN_LINE}" in out
    assert "missing.yaml: file not found" in out
    # all good: 0
    second = tmp_path / "again.yaml"
    second.write_text(GOOD, encoding="utf-8")
    code, out, _ = run(capsys, "map", "validate", good, second)
    assert code == 0
    assert out.splitlines() == ["good.yaml: valid", "again.yaml: valid"]


def test_validate_with_a_catalogue_reports_unknown_types_as_warnings(capsys: pytest.CaptureFixture[str],
                                                                     tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(GOOD.replace("Report damp and mould", "Report damp and mold"), encoding="utf-8")
    code, out, _ = run(capsys, "map", "validate", path, "--catalogue", CATALOGUE)
    assert code == 0  # warnings do not fail
    assert out.splitlines()[0] == "typo.yaml: valid, 1 warning(s)"
    # the route is on line 15 of the file
    assert GOOD.splitlines()[14].strip() == "- to: office"
    assert "typo.yaml, line 15: warning (route 1 of step 'answer'): demand type 'Report damp and mold'" in out


def test_validate_uses_the_catalogue_the_map_names(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "named.yaml"
    (tmp_path / "catalogue.yaml").write_bytes(CATALOGUE.read_bytes())  # beside the map: the only place it may name
    path.write_text(GOOD.replace("design: standard-work\n", "design: standard-work\ncatalogue: catalogue.yaml\n")
                    .replace("Report a leak,", "Report a leek,"), encoding="utf-8")
    code, out, _ = run(capsys, "map", "validate", path)
    assert code == 0
    assert "demand type 'Report a leek' is not in the catalogue" in out
    # a catalogue the map names but which is not there
    path.write_text(GOOD.replace("design: standard-work\n", "design: standard-work\ncatalogue: nope.yaml\n"),
                    encoding="utf-8")
    code, out, _ = run(capsys, "map", "validate", path)
    assert code == 1
    assert "nope.yaml was not found" in out


def test_validate_invalid_yaml_names_the_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: Bad\nroles:\n  - id: agent: boss\n", encoding="utf-8")
    code, out, _ = run(capsys, "map", "validate", path)
    assert code == 1
    assert out.startswith("bad.yaml, line 3: not valid YAML")


def test_the_installed_command_exits_with_the_same_codes(good: Path, broken: Path) -> None:
    ok = subprocess.run([sys.executable, "-m", "workbench.cli", "map", "validate", str(good)],
                        capture_output=True, text=True, cwd=ROOT, timeout=120)
    bad = subprocess.run([sys.executable, "-m", "workbench.cli", "map", "validate", str(broken)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (ok.returncode, bad.returncode) == (0, 1)
    assert f"broken.yaml, line {BROKEN_LINE}" in bad.stdout


# ------------------------------------------------------------------------------------------ show


def show_json(capsys: pytest.CaptureFixture[str], *argv: object) -> dict:
    code, out, err = run(capsys, "map", "show", *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_show_json_per_type_equals_expect(capsys: pytest.CaptureFixture[str], good: Path) -> None:
    data = show_json(capsys, good, "--catalogue", CATALOGUE)
    assert (data["name"], data["design"], data["source"]) == ("CLI map", "standard-work", "good.yaml")
    assert data["totals"] is None  # no sample: no mix to weight by
    catalogue = load_catalogue(CATALOGUE)
    m = load_map(good)
    rows = {r["demand_type"]: r for r in data["per_type"]}
    assert sorted(rows) == sorted(catalogue.names())
    for t in catalogue.types:
        e = expect(m, DemandKind(t.name, t.nature, t.cause, "")).to_dict()
        for key in ("steps", "value_steps", "value_step_share", "handoffs", "rework", "touch_minutes", "wait_days",
                    "end_to_end_days", "flow_efficiency", "one_stop", "recalls", "chases", "failure_demand"):
            assert rows[t.name][key] == pytest.approx(e[key]), (t.name, key)
        assert rows[t.name]["count"] == 1


def test_show_json_figures_by_hand(capsys: pytest.CaptureFixture[str], good: Path) -> None:
    rows = {r["demand_type"]: r for r in show_json(capsys, good, "--catalogue", CATALOGUE)["per_type"]}
    leak = rows["Report a leak"]
    # answer (6) -> office (10, wait 3, 90% right, else a recall): 1 hand-off, 1 of 2 steps value;
    # chases: 3 days hold one full 2-day period, p 0.5: 0.5; recalls 0.1
    assert (leak["steps"], leak["handoffs"], leak["touch_minutes"], leak["wait_days"]) == pytest.approx((2, 1, 16, 3))
    assert (leak["value_step_share"], leak["chases"], leak["recalls"]) == pytest.approx((0.5, 0.5, 0.1))
    assert leak["failure_demand"] == pytest.approx(0.6)
    # failure demand is answered at once, at one stop
    chasing = rows["Chasing a repair"]
    assert (chasing["steps"], chasing["touch_minutes"], chasing["one_stop"]) == pytest.approx((1, 6, 1))
    # other value demand: answer (6) -> fix (agent, (5+10+30)/3 = 15): one stop, no hand-off
    gas = rows["Book a gas safety check"]
    assert (gas["steps"], gas["touch_minutes"], gas["handoffs"], gas["one_stop"]) == pytest.approx((2, 21, 0, 1))


def _sample_counts() -> tuple[int, Counter[str]]:
    """Rows of the sample with a readable date, and their demand types, with the csv module."""
    used, types = 0, Counter()
    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                datetime.strptime(row["received_at"].strip(), "%Y-%m-%d %H:%M")
            except ValueError:
                continue
            used += 1
            types[row["demand_type"].strip()] += 1
    return used, types


def test_show_with_the_demand_sample_has_totals(capsys: pytest.CaptureFixture[str], good: Path) -> None:
    data = show_json(capsys, good, "--catalogue", CATALOGUE, "--demand", SAMPLE)
    used, types = _sample_counts()
    totals = data["totals"]
    assert totals is not None
    assert totals["demands"] == used
    assert {r["demand_type"]: r["count"] for r in data["per_type"]} == dict(types)
    assert totals["failure_demand_per_100"] == pytest.approx(totals["failure_demand"] * 100)
    # totals are the count-weighted means of the per-type figures
    for key in ("steps", "handoffs", "touch_minutes", "wait_days", "one_stop", "failure_demand"):
        weighted = sum(r[key] * r["count"] for r in data["per_type"]) / used
        assert totals[key] == pytest.approx(weighted), key
    # the leaks' row matches the hand-computed figures whatever their touchpoint (entry is the same)
    leak = next(r for r in data["per_type"] if r["demand_type"] == "Report a leak")
    assert leak["steps"] == pytest.approx(2) and leak["failure_demand"] == pytest.approx(0.6)


def test_show_text_lists_types_and_totals(capsys: pytest.CaptureFixture[str], good: Path) -> None:
    code, out, _ = run(capsys, "map", "show", good, "--catalogue", CATALOGUE, "--demand", SAMPLE)
    assert code == 0
    used, _ = _sample_counts()
    assert out.startswith("CLI map (standard-work)")
    assert "Report a leak" in out and "all demand (weighted by the sample)" in out
    total_line = next(line for line in out.splitlines() if line.startswith("all demand"))
    assert total_line.split()[-1] == str(used)
    assert "failure demand generated:" in out and "per 100 demands" in out


def test_show_dot_prints_a_digraph(capsys: pytest.CaptureFixture[str], good: Path) -> None:
    code, out, _ = run(capsys, "map", "show", good, "--format", "dot")
    assert code == 0
    assert out.startswith("digraph map {") and out.rstrip().endswith("}")
    for step in ("answer", "office", "fix"):
        assert f'    "{step}" [' in out
    assert '"answer" -> "office"' in out


def test_show_dot_of_a_map_with_errors_outlines_them(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    code, out, _ = run(capsys, "map", "show", broken, "--format", "dot")
    assert code == 0
    node = next(line for line in out.splitlines() if line.strip().startswith('"answer" ['))
    assert "penwidth=3" in node
    assert "nowhere (unknown step)" in out


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_show_a_map_with_errors_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], broken: Path,
                                                      fmt: str) -> None:
    code, out, err = run(capsys, "map", "show", broken, "--catalogue", CATALOGUE, "--format", fmt)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("workbench: broken.yaml has errors")
    assert "map validate" in err


def test_show_without_a_catalogue_or_sample_exits_2(capsys: pytest.CaptureFixture[str], good: Path) -> None:
    code, out, err = run(capsys, "map", "show", good)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--catalogue" in err


def test_show_invalid_yaml_exits_2_with_the_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: Bad\nroles:\n  - id: agent: boss\n", encoding="utf-8")
    code, out, err = run(capsys, "map", "show", path, "--catalogue", CATALOGUE)
    assert code == 2 and out == ""
    assert err.strip() == err.strip().splitlines()[0]
    assert err.startswith("workbench: bad.yaml, line 3: not valid YAML")


def test_show_a_loop_for_one_type_exits_2_not_a_traceback(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(GOOD.replace("    touch: 10\n    wait: 3\n",
                                 "    touch: 10\n    wait: 3\n    routes:\n      - to: answer\n"
                                 "        otherwise: true\n"), encoding="utf-8")
    code, out, err = run(capsys, "map", "show", path, "--catalogue", CATALOGUE)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "loop" in err


# ------------------------------------------------------------------------------------------ bundled maps


def test_the_process_maps_folder_is_not_empty() -> None:
    if not PROCESS_MAPS:
        pytest.skip("process_maps/ has no *.yaml yet (the sample maps are being written)")
    assert len(PROCESS_MAPS) >= 2


@pytest.mark.parametrize("path", PROCESS_MAPS, ids=lambda p: p.name)
def test_every_bundled_map_validates_against_its_catalogue(path: Path) -> None:
    m = load_map(path)
    catalogue_path = m.catalogue_path()
    assert catalogue_path is not None, f"{path.name} names no catalogue"
    assert catalogue_path.exists(), catalogue_path
    problems = validate_map(m, load_catalogue(catalogue_path))
    errors = [str(p) for p in problems if p.severity == "error"]
    assert errors == []
    # every type of its catalogue can be routed, at every touchpoint the sample uses
    catalogue = load_catalogue(catalogue_path)
    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        touchpoints = sorted({row["touchpoint"] for row in csv.DictReader(fh)})
    for t in catalogue.types:
        for tp in touchpoints:
            e = expect(m, DemandKind(t.name, t.nature, t.cause, tp))
            assert e.unrouted == pytest.approx(0, abs=1e-9), (t.name, tp)
            assert e.steps >= 1


def test_the_bundled_maps_validate_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    if not PROCESS_MAPS:
        pytest.skip("process_maps/ has no *.yaml yet (the sample maps are being written)")
    code, out, _ = run(capsys, "map", "validate", *PROCESS_MAPS)
    assert code == 0, out
    for path in PROCESS_MAPS:
        assert any(line.startswith(f"{path.name}: valid") for line in out.splitlines()), out


@pytest.mark.parametrize("path", PROCESS_MAPS, ids=lambda p: p.name)
def test_show_a_bundled_map_with_the_sample(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    data = show_json(capsys, path, "--demand", SAMPLE)
    used, types = _sample_counts()
    assert data["totals"]["demands"] == used
    assert {r["demand_type"]: r["count"] for r in data["per_type"]} == dict(types)
    assert data["totals"]["unrouted"] == pytest.approx(0, abs=1e-9)
