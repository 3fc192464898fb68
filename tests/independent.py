"""Expected figures computed without Workbench's loader: the csv module, plain dicts and yaml.

Tests compare what the app and CLI show against these, so a bug in the loader cannot hide by agreeing
with itself.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
SAMPLE_CSV = SAMPLE_DIR / "housing_repairs_demand.csv"
SAMPLE_CATALOGUE = SAMPLE_DIR / "housing_repairs_catalogue.yaml"
MESSY_CSV = SAMPLE_DIR / "messy_upload.csv"
MAPS_DIR = SAMPLE_DIR.parent / "process_maps"
AS_IS_MAP = MAPS_DIR / "housing_repairs_standard_work.yaml"  # the sample's standard-work design
REDESIGN_MAP = MAPS_DIR / "housing_repairs_worker_led.yaml"  # and its worker-led redesign

_LABELS = {"v": "value", "value": "value", "value demand": "value",
           "f": "failure", "fd": "failure", "failure": "failure", "failure demand": "failure", "": ""}


@dataclass
class Expected:
    rows: int
    value: int
    failure: int
    unclassified: int
    set_aside_rows: list[int]

    @property
    def failure_share(self) -> float:
        return self.failure / (self.value + self.failure)


def _catalogue() -> dict[str, str]:
    data = yaml.safe_load(SAMPLE_CATALOGUE.read_text(encoding="utf-8"))
    return {t["type"].strip().casefold(): t["nature"] for t in data["types"]}


def _count(records: list[tuple[int, str, str, str]], fmt: str, use_catalogue: bool = True) -> Expected:
    catalogue = _catalogue() if use_catalogue else {}
    natures: Counter[str] = Counter()
    aside = []
    for line, when, type_, label in records:
        try:
            datetime.strptime(when.strip(), fmt)
        except ValueError:
            aside.append(line)
            continue
        nature = _LABELS[label.strip().casefold()]
        if not nature:
            nature = catalogue.get(type_.strip().casefold(), "")
        natures[nature or "unclassified"] += 1
    return Expected(sum(natures.values()), natures["value"], natures["failure"], natures["unclassified"], aside)


def sample_expected() -> Expected:
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    records = [(i + 2, r["received_at"], r["demand_type"], r["nature"]) for i, r in enumerate(rows)]
    return _count(records, "%Y-%m-%d %H:%M")


def messy_expected(use_catalogue: bool = True) -> Expected:
    """messy_upload.csv: cp1252, ';', a title line above the header, blank lines, day-first dates."""
    text = MESSY_CSV.read_bytes().decode("cp1252")
    records = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if line_no <= 2 or not line.strip():
            continue
        cells = next(csv.reader(io.StringIO(line), delimiter=";"))
        records.append((line_no, cells[0], cells[3], cells[4]))
    return _count(records, "%d/%m/%Y %H:%M", use_catalogue)
