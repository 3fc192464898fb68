"""Generate sample_data/housing_repairs_events.csv: the housing-repairs sample as an event log.

The same cases as housing_repairs_demand.csv (its case_id, received_at, resolved_at, touchpoint, demand type
and failure cause; a contact without a case id is a case of its own, `HR-NOREF-<row>`). The first contact of
a case walks the as-is map (process_maps/housing_repairs_standard_work.yaml, read with
`workbench.flow.model.load_map`): from the entry step of its touchpoint, along the first route whose types or
cause fit (a route with a probability taken with that probability, seeded), else the `otherwise` route, until
a step has no route (at most 14 steps). Each event is done by a person of the step's role ("admin 2"); the
events are spread over the case's time from received to resolved (the last event at the resolved time).
Every later contact about the case (a chase) is one event of its own entry step at its received time.
Deterministic: `python sample_data/make_event_log.py` writes the same bytes every time.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from workbench.flow.model import ProcessMap, Step, load_map  # noqa: E402

OUT = HERE / "housing_repairs_events.csv"
MAX_STEPS = 14


def _next(step: Step, demand_type: str, cause: str, rng: np.random.Generator) -> str | None:
    fallback = None
    for route in step.routes:
        if route.otherwise:
            fallback = route.to
            continue
        fits = (demand_type in route.types) if route.types else (bool(route.cause) and route.cause == cause)
        if not route.types and not route.cause:
            fits = True
        if fits and (route.probability is None or rng.random() < route.probability):
            return route.to
    return fallback


def build(demand: pd.DataFrame, pmap: ProcessMap, seed: int = 20260105) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    steps = {s.id: s for s in pmap.steps}
    staff = {r.id: max(int(r.staff), 1) for r in pmap.roles}
    demand = demand.copy()
    demand["row"] = np.arange(2, len(demand) + 2)
    blank = demand["case_id"].isna() | (demand["case_id"].astype(str).str.strip() == "")
    demand.loc[blank, "case_id"] = "HR-NOREF-" + demand.loc[blank, "row"].astype(str)
    demand["received_at"] = pd.to_datetime(demand["received_at"])
    demand["resolved_at"] = pd.to_datetime(demand["resolved_at"])
    demand = demand.sort_values(["received_at", "row"], kind="stable")
    records: list[tuple[str, str, pd.Timestamp, str, str, str, str]] = []

    def person(role: str) -> str:
        return f"{role} {int(rng.integers(1, staff.get(role, 1) + 1))}"

    for case_id, contacts in demand.groupby("case_id", sort=False):
        first = contacts.iloc[0]
        cause = "" if pd.isna(first["failure_cause"]) else str(first["failure_cause"])
        path: list[str] = []
        at: str | None = pmap.entry_touchpoints.get(first["touchpoint"], pmap.entry_default)
        while at is not None and at in steps and len(path) < MAX_STEPS:
            path.append(at)
            at = _next(steps[at], str(first["demand_type"]), cause, rng)
        start = first["received_at"]
        end = first["resolved_at"] if pd.notna(first["resolved_at"]) else start + pd.Timedelta(minutes=10 * len(path))
        span = max((end - start) / pd.Timedelta(minutes=1), 0.0)
        offsets = np.sort(rng.random(len(path))) * span
        offsets[0] = 0.0
        if len(path) > 1:
            offsets[-1] = span
        for step_id, minutes in zip(path, offsets, strict=True):
            step = steps[step_id]
            when = (start + pd.Timedelta(minutes=float(minutes))).floor("min")
            records.append((str(case_id), step.name, when, person(step.role), step.role, _text(first["touchpoint"]),
                            _text(first["demand_type"])))
        for _, later in contacts.iloc[1:].iterrows():
            entry = steps[pmap.entry_touchpoints.get(later["touchpoint"], pmap.entry_default)]
            records.append((str(case_id), entry.name, later["received_at"], person(entry.role), entry.role,
                            _text(later["touchpoint"]), _text(later["demand_type"])))
    out = pd.DataFrame(records, columns=["case_id", "activity", "timestamp", "resource", "role", "touchpoint",
                                         "demand_type"])
    out = out.sort_values(["timestamp", "case_id"], kind="stable")
    out["timestamp"] = out["timestamp"].dt.strftime("%Y-%m-%d %H:%M")
    return out


def _text(value: object) -> str:
    """A cell as the export writes it: blank when the demand sample has none (never the word 'None')."""
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def main() -> None:
    demand = pd.read_csv(HERE / "housing_repairs_demand.csv", dtype=str, keep_default_na=False)
    demand = demand.replace({"": None})
    pmap = load_map(HERE.parent / "process_maps" / "housing_repairs_standard_work.yaml")
    events = build(demand, pmap)
    OUT.write_text(events.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    print(f"wrote {OUT.name}: {len(events):,} events in {events['case_id'].nunique():,} cases")


if __name__ == "__main__":
    main()
