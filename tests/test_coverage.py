"""How far a map fits the demand it is run with: the share whose type the map knows, the share a route names,
the types it has never heard of; in `map show` and `compare` JSON. Expected figures are recounted here from
the files with plain csv/yaml reading."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

from workbench.cli import main
from workbench.demand.catalogue import load_catalogue
from workbench.flow.coverage import THRESHOLD, coverage
from workbench.flow.model import parse_map

from independent import AS_IS_MAP, REDESIGN_MAP
from independent import SAMPLE_CSV as HOUSING

ROOT = Path(__file__).resolve().parent.parent
BENEFITS = ROOT / "sample_data" / "benefits_demand.csv"
CATALOGUE = ROOT / "process_maps" / "catalogues" / "housing_repairs_catalogue.yaml"

MAP = """\
name: Leaks only
roles:
  - id: agent
    name: Agent
    staff: 2
entry: answer
steps:
  - id: answer
    name: Answer
    role: agent
    touch: 5
    routes:
      - to: fix
        types: [Report a leak]
      - to: chase
        cause: progress chasing
      - to: close
        otherwise: true
  - id: fix
    name: Fix the leak
    role: agent
    touch: 30
    routes:
      - to: close
        otherwise: true
  - id: chase
    name: Answer a chase
    role: agent
    touch: 5
    routes:
      - to: close
        otherwise: true
  - id: close
    name: Close
    role: agent
    touch: 1
"""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if r["received_at"].strip()]


def _mix(rows: list[dict[str, str]]) -> pd.DataFrame:
    counts = Counter((" ".join(r["demand_type"].split()), r["touchpoint"], r["nature"].strip().casefold(),
                      r["failure_cause"].strip()) for r in rows)
    return pd.DataFrame([{"demand_type": t, "touchpoint": tp, "nature": n, "cause": c, "count": k}
                         for (t, tp, n, c), k in counts.items()])


def test_a_map_knows_the_types_its_routes_name_and_its_catalogue_lists() -> None:
    rows = _rows(HOUSING)
    m = parse_map(MAP, "leaks.yaml")
    got = coverage(m, _mix(rows))
    leaks = sum(1 for r in rows if r["demand_type"].strip().casefold() == "report a leak")
    chasing = sum(1 for r in rows if r["failure_cause"].strip() == "progress chasing"
                  and r["demand_type"].strip().casefold() != "report a leak")
    assert (got.demands, got.known, got.named) == (len(rows), leaks, leaks + chasing)
    typed = Counter(r["demand_type"].strip() for r in rows if r["demand_type"].strip())
    assert got.unknown_types == {t: n for t, n in typed.items() if t.casefold() != "report a leak"}
    assert got.low() and "LOW" not in got.words() and "Leaks only knows the type of" in got.words()
    # with the catalogue, every type it lists is known to the map
    listed = {t["type"].casefold() for t in yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["types"]}
    with_catalogue = coverage(m, _mix(rows), load_catalogue(CATALOGUE))
    assert with_catalogue.known == sum(n for t, n in typed.items() if t.casefold() in listed)
    assert with_catalogue.share >= THRESHOLD and not with_catalogue.low()


def test_map_show_says_how_far_the_map_fits_another_services_demand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["map", "show", str(AS_IS_MAP), "--demand", str(BENEFITS), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["coverage"]
    rows = _rows(BENEFITS)
    listed = {t["type"].casefold() for t in yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["types"]}
    known = sum(1 for r in rows if r["demand_type"].strip().casefold() in listed)
    assert data["demands"] == len(rows) and data["known"] == known and data["share"] < THRESHOLD
    assert data["unknown_types"][0]["demands"] == max(Counter(
        r["demand_type"].strip() for r in rows if r["demand_type"].strip().casefold() not in listed).values())
    assert main(["map", "show", str(AS_IS_MAP), "--demand", str(BENEFITS)]) == 0
    assert "LOW COVERAGE: Housing repairs - as is knows the type of" in capsys.readouterr().out
    assert main(["map", "show", str(AS_IS_MAP), "--format", "json"]) == 0  # no demand: nothing to measure
    assert json.loads(capsys.readouterr().out)["coverage"] is None


def test_compare_json_has_the_coverage_of_every_map(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--demand", str(HOUSING), str(AS_IS_MAP), str(REDESIGN_MAP), "--replications", "1",
                 "--weeks", "2", "--format", "json", "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)["coverage"]
    assert [c["map"] for c in data] == ["Housing repairs - as is", "Housing repairs - redesign"]
    rows = _rows(HOUSING)
    typed = sum(1 for r in rows if r["demand_type"].strip())
    assert all(c["demands"] == len(rows) and c["known"] == typed and not c["unknown_types"] for c in data)


def test_a_map_drafted_from_a_log_knows_the_types_of_the_log_it_came_from() -> None:
    from workbench.eventlog import read_log
    from workbench.eventlog.observe import observe
    from workbench.flow.discover import discover
    from workbench.flow.model import parse_map, to_yaml

    log_path = ROOT / "sample_data" / "housing_repairs_events.csv"
    draft = discover(observe(read_log(log_path)), "draft")
    with log_path.open(encoding="utf-8", newline="") as f:
        types = {r["demand_type"] for r in csv.DictReader(f) if r["demand_type"]}
    assert set(draft.serves) == types
    again = parse_map(to_yaml(draft), "draft.yaml")  # written and read back as the map's 'serves'
    assert again.serves == draft.serves
    rows = _rows(HOUSING)
    got = coverage(again, _mix(rows))
    assert got.known == sum(1 for r in rows if r["demand_type"].strip() in types) and not got.low()
