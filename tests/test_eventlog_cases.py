"""An event log read as demand (one demand per case) with the team's catalogue: the same classification by
type a demand file gets, in the app and in `workbench demand summary --event-log`. Expected figures come from
plain csv and yaml reading here, not from the code under test."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import yaml
from guard import guarded_cli

from workbench import schema
from workbench.demand.catalogue import parse_catalogue
from workbench.demand.load import load_demand
from workbench.eventlog import read_log
from workbench.eventlog.cases import cases_as_demand, load_cases

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "sample_data" / "housing_repairs_events.csv"
CATALOGUE = ROOT / "process_maps" / "catalogues" / "housing_repairs_catalogue.yaml"


def _first_type_per_case() -> dict[str, str]:
    """Each case's first non-blank demand type, its events taken in time order (file order breaking ties)."""
    with LOG.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows.sort(key=lambda r: r["timestamp"])  # stable: file order breaks ties
    first: dict[str, str] = {}
    for r in rows:
        first.setdefault(r["case_id"], "")
        if not first[r["case_id"]] and r["demand_type"].strip():
            first[r["case_id"]] = r["demand_type"].strip()
    return first


def _natures() -> dict[str, str]:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    return {t["type"].casefold(): t["nature"] for t in data["types"]}


def test_cases_are_classified_by_type_from_the_catalogue() -> None:
    natures = _natures()
    first = _first_type_per_case()
    expected = Counter(natures.get(t.casefold(), "unclassified") if t else "unclassified" for t in first.values())
    loaded = load_cases(LOG, options=None, catalogue=parse_catalogue(CATALOGUE.read_text(encoding="utf-8")))
    got = loaded.frame[schema.NATURE].astype(str).value_counts().to_dict()
    assert got == dict(expected)
    assert loaded.report.filled_from_catalogue == expected["value"] + expected["failure"]
    blank = sum(1 for t in first.values() if not t)
    assert sum(loaded.report.unknown_types.values()) == sum(
        1 for t in first.values() if t and t.casefold() not in natures)
    words = " ".join(loaded.report.summary_lines())
    assert f"not yet classified for {expected['unclassified']:,} case(s)" in words or blank == 0
    assert "None" not in loaded.frame[schema.DEMAND_TYPE].astype(str).tolist()


def test_the_catalogue_spelling_wins_and_the_frame_has_the_demand_files_dtypes(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("Case ID,Activity,Timestamp,Resource,Demand type\n"
                    "1,Register,2026-01-05 09:00,ann,report a LEAK \n"
                    "1,Fix,2026-01-06 10:00,bob,\n"
                    "2,Register,2026-01-05 11:00,ann,Where is my repair\n"
                    "3,Register,2026-01-07 09:30,cat,\n", encoding="utf-8")
    catalogue = parse_catalogue("types:\n  - type: Report a leak\n    nature: value\n"
                                "  - type: Where is my repair?\n    nature: failure\n    cause: Progress chasing\n")
    loaded = cases_as_demand(read_log(path), "log.csv", catalogue=catalogue)
    frame = loaded.frame.set_index(schema.CASE_ID)
    assert frame.loc["1", schema.DEMAND_TYPE] == "Report a leak"
    assert frame.loc["1", schema.NATURE] == "value" and frame.loc["1", schema.NATURE_SOURCE] == "catalogue"
    assert frame.loc["2", schema.NATURE] == "unclassified"  # 'Where is my repair' without '?' is another type
    assert loaded.report.unknown_types == {"Where is my repair": 1}
    assert frame.loc["3", schema.NATURE] == "unclassified" and pd.isna(frame.loc["3", schema.DEMAND_TYPE])
    # the same columns and kinds of column a demand file gives, so every chart takes either
    demand_file = tmp_path / "demand.csv"
    demand_file.write_text("received_at,touchpoint,demand_type,nature\n2026-01-05,Phone,Report a leak,value\n",
                           encoding="utf-8")
    clean = load_demand(demand_file).frame
    for column in (schema.DEMAND_TYPE, schema.NATURE, schema.FAILURE_CAUSE, schema.NATURE_SOURCE):
        assert str(frame[column].dtype) == str(clean[column].dtype), column


def test_cli_demand_summary_reads_an_event_log_as_cases() -> None:
    first = _first_type_per_case()
    natures = _natures()
    result = guarded_cli("demand", "summary", str(LOG), "--event-log", "--catalogue", str(CATALOGUE),
                         "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rows"] == len(first)
    assert data["failure"] == sum(1 for t in first.values() if natures.get(t.casefold()) == "failure")
    with LOG.open(encoding="utf-8", newline="") as f:
        stamps = pd.DataFrame(list(csv.DictReader(f))).assign(t=lambda d: pd.to_datetime(d["timestamp"]))
    span = stamps.groupby("case_id")["t"].agg(lambda t: (t.max() - t.min()) / pd.Timedelta(days=1))
    assert data["end_to_end"]["needs"] == len(first) and data["end_to_end"]["open"] == 0
    assert data["end_to_end"]["median_days"] == round(float(span.median()), 2)
    rows = guarded_cli("demand", "summary", str(LOG), "--format", "json")  # without the option: rows
    assert rows.returncode == 0 and json.loads(rows.stdout)["rows"] > len(first)
