"""End-to-end time and repeat contacts worked out with the csv module, datetime and plain Python, for the tests
of workbench.demand.end_to_end and the pages that show it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import yaml

from independent import SAMPLE_CATALOGUE


def sample_catalogue() -> dict[str, str]:
    data = yaml.safe_load(SAMPLE_CATALOGUE.read_text(encoding="utf-8"))
    return {t["type"].strip().casefold(): t["nature"] for t in data["types"]}


def parse_when(text: str) -> dt.datetime | None:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M") if text else None


def percentile(values: list[float], p: float) -> float:
    """numpy's default ("linear") percentile, in plain Python: position (n-1)p/100 between the sorted values."""
    xs = sorted(values)
    h = (len(xs) - 1) * p / 100
    lo = int(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def independent(text: str, catalogue: dict[str, str] | None = None) -> dict:
    """Needs, days and repeat contacts with the csv module and datetime; a blank nature is filled from
    `catalogue` (type -> nature) when given."""
    rows = list(csv.DictReader(io.StringIO(text)))
    for number, r in enumerate(rows, start=2):
        r["row"] = number
        if not r["nature"] and catalogue:
            r["nature"] = catalogue.get(r["demand_type"].strip().casefold(), "")
    groups: dict[str, list[dict]] = {}
    for r in rows:
        key = r["case_id"].strip() or f"row {r['row']}"
        groups.setdefault(key, []).append(r)
    dates = [d for r in rows for d in (parse_when(r["received_at"]), parse_when(r["resolved_at"])) if d]
    as_of = max(dates)
    needs = {}
    repeats = []
    for key, contacts in groups.items():
        contacts.sort(key=lambda r: (parse_when(r["received_at"]), r["row"]))
        first = contacts[0]
        received = parse_when(first["received_at"])
        resolved = [parse_when(r["resolved_at"]) for r in contacts if r["resolved_at"]]
        met = max(resolved) if resolved else None
        days = ((met or as_of) - received).total_seconds() / 86400
        needs[key] = {"met": met is not None, "met_at": met, "days": days, "type": first["demand_type"],
                      "touchpoint": first["touchpoint"], "nature": first["nature"] or "unclassified"}
        repeats.extend(contacts[1:])
    return {"needs": needs, "repeats": repeats, "as_of": as_of, "rows": len(rows)}
