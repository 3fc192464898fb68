"""A process map as editable tables (roles, steps, routes, entry, failure demand) and back.

The editor shows a map as tables a workshop can type into; this module is the round trip, kept out of the
Streamlit layer so it is tested like the rest of the core. Renaming a step in the steps table renames it in
the routes, the entry and the rework references too, so a rename never silently breaks the map.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from workbench.flow.model import (
    DEFAULT_TOUCHPOINT,
    UNITS_IN_MINUTES,
    ChaseRule,
    Duration,
    ProcessMap,
    Role,
    Route,
    Step,
)

ROLE_COLUMNS = ["id", "name", "staff", "hours_per_day", "days_per_week"]
STEP_COLUMNS = ["id", "name", "role", "work", "touch_min", "touch_likely", "touch_max", "wait_min",
                "wait_likely", "wait_max", "wait_unit", "complete_and_accurate", "rework_to", "recall_type",
                "pulled", "source"]
ROUTE_COLUMNS = ["step", "to", "types", "nature", "cause", "touchpoints", "probability", "otherwise", "rework"]
ENTRY_COLUMNS = ["touchpoint", "step"]
CHASE_COLUMNS = ["name", "every_days", "probability", "demand_type", "touchpoint", "steps"]
DEFAULT_ENTRY = "(any other touchpoint)"


def _blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or \
        (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value).strip()


def _number(value: Any) -> float | None:
    if _blank(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _or(value: float | None, default: float) -> float:
    """A blank cell takes the default; a zero typed in the table stays zero."""
    return default if value is None else value


def _flag(value: Any) -> bool:
    if _blank(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "y", "1", "x")
    return bool(value)


def _split(value: Any) -> list[str]:
    return [t.strip() for t in _text(value).split(",") if t.strip()]


def to_tables(m: ProcessMap) -> dict[str, pd.DataFrame]:
    """Tables of the map; times in the steps table are minutes (touch) and `wait_unit` (wait)."""
    roles = pd.DataFrame([{c: getattr(r, c) for c in ROLE_COLUMNS} for r in m.roles], columns=ROLE_COLUMNS)
    steps = []
    for s in m.steps:
        f = s.touch.factor  # shown in minutes
        touch = [None if v is None else v * f for v in (s.touch.triple or (None, None, None))]
        wait = s.wait.triple or (None, None, None)
        steps.append({
            "id": s.id, "name": s.name, "role": s.role, "work": s.work,
            "touch_min": touch[0], "touch_likely": touch[1], "touch_max": touch[2],
            "wait_min": wait[0], "wait_likely": wait[1], "wait_max": wait[2],
            "wait_unit": s.wait.unit, "complete_and_accurate": s.complete_and_accurate,
            "rework_to": s.rework_to, "recall_type": s.recall_type, "pulled": s.pulled, "source": s.source})
    routes = [{"step": s.id, "to": r.to, "types": ", ".join(r.types), "nature": r.nature, "cause": r.cause,
               "touchpoints": ", ".join(r.touchpoints), "probability": r.probability, "otherwise": r.otherwise,
               "rework": r.rework} for s in m.steps for r in s.routes]
    entry = [{"touchpoint": DEFAULT_ENTRY, "step": m.entry_default}] + [
        {"touchpoint": tp, "step": sid} for tp, sid in m.entry_touchpoints.items()]
    chases = [{"name": c.name, "every_days": c.every_days, "probability": c.probability,
               "demand_type": c.demand_type, "touchpoint": c.touchpoint, "steps": ", ".join(c.steps)}
              for c in m.chases]
    float_cols = ["touch_min", "touch_likely", "touch_max", "wait_min", "wait_likely", "wait_max",
                  "complete_and_accurate"]
    steps_df = pd.DataFrame(steps, columns=STEP_COLUMNS).astype({c: "float64" for c in float_cols})
    steps_df["pulled"] = steps_df["pulled"].astype(bool)
    routes_df = pd.DataFrame(routes, columns=ROUTE_COLUMNS).astype({"probability": "float64"})
    routes_df[["otherwise", "rework"]] = routes_df[["otherwise", "rework"]].astype(bool)
    return {
        "roles": roles.astype({"staff": "float64", "hours_per_day": "float64", "days_per_week": "float64"}),
        "steps": steps_df,
        "routes": routes_df,
        "entry": pd.DataFrame(entry, columns=ENTRY_COLUMNS),
        "failure_demand": pd.DataFrame(chases, columns=CHASE_COLUMNS).astype(
            {"every_days": "float64", "probability": "float64"}),
    }


def _renames(base: ProcessMap, steps: pd.DataFrame) -> dict[str, str]:
    """Step ids changed in place: the base's steps are the table's first rows (new rows are added below, and
    a blank new row is ignored), so a different id in the same position is a rename."""
    ids = [sid for sid in steps["id"].map(_text)]
    kept = [sid for sid in ids if sid]
    if len(kept) < len(base.steps) or len(ids) < len(base.steps):
        return {}
    out = {}
    for old, new in zip([s.id for s in base.steps], ids[: len(base.steps)], strict=True):
        if old and new and old != new:
            out[old] = new
    return out


def from_tables(base: ProcessMap, tables: dict[str, pd.DataFrame]) -> ProcessMap:
    """A new map: `base`'s name, description and header with the tables' roles, steps, routes, entry and
    failure-demand rules. Rows with no id (a blank new row) are left out."""
    renames = _renames(base, tables["steps"])

    def ref(step_id: Any) -> str:
        sid = _text(step_id)
        return renames.get(sid, sid)

    roles = [Role(id=_text(r["id"]), name=_text(r["name"]) or _text(r["id"]),
                  staff=_or(_number(r["staff"]), 1.0),
                  hours_per_day=_number(r["hours_per_day"]) or 7.5,
                  days_per_week=_number(r["days_per_week"]) or 5.0)
             for r in tables["roles"].to_dict("records") if _text(r["id"])]
    base_steps = {s.id: s for s in base.steps}
    old_ids = [s.id for s in base.steps]
    steps: list[Step] = []
    for i, r in enumerate(tables["steps"].to_dict("records")):
        sid = _text(r["id"])
        if not sid:
            continue
        original = base_steps.get(old_ids[i] if renames and i < len(old_ids) else sid)
        wait_unit = _text(r.get("wait_unit")) or "days"
        if wait_unit not in UNITS_IN_MINUTES:
            wait_unit = "days"
        touch = Duration(_number(r["touch_min"]), _number(r["touch_likely"]), _number(r["touch_max"]), "minutes")
        wait = Duration(_number(r["wait_min"]), _number(r["wait_likely"]), _number(r["wait_max"]), wait_unit)
        if original is not None:  # an exponential time shows as min = likely = max = its mean; keep it so
            touch = _keep_exponential(original.touch, touch)
            wait = _keep_exponential(original.wait, wait)
        steps.append(Step(
            id=sid, name=_text(r["name"]) or sid, role=_text(r["role"]), work=_text(r["work"]).lower() or "value",
            touch=touch, wait=wait,
            complete_and_accurate=_or(_number(r["complete_and_accurate"]), 100.0),
            rework_to=ref(r["rework_to"]), recall_type=_text(r["recall_type"]), pulled=_flag(r["pulled"]),
            source=_text(r.get("source")), line=original.line if original else None))
    by_id = {s.id: s for s in steps}
    for r in tables["routes"].to_dict("records"):
        owner = by_id.get(ref(r["step"]))
        to = ref(r["to"])
        if owner is None or not to:
            continue
        owner.routes.append(Route(to=to, types=_split(r["types"]), nature=_text(r["nature"]).lower(),
                                  cause=_text(r["cause"]), touchpoints=_split(r["touchpoints"]),
                                  probability=_number(r["probability"]), otherwise=_flag(r["otherwise"]),
                                  rework=_flag(r["rework"])))
    entry_default, entry_tps = "", {}
    for r in tables["entry"].to_dict("records"):
        tp, sid = _text(r["touchpoint"]), ref(r["step"])
        if tp == DEFAULT_ENTRY or (not tp and sid):
            entry_default = sid
        elif tp and sid:
            entry_tps[tp] = sid
    chases = [ChaseRule(name=_text(r["name"]), every_days=_number(r["every_days"]) or 0.0,
                        probability=_number(r["probability"]) or 0.0, demand_type=_text(r["demand_type"]),
                        touchpoint=_text(r["touchpoint"]) or DEFAULT_TOUCHPOINT,
                        steps=[ref(s) for s in _split(r["steps"])])
              for r in tables["failure_demand"].to_dict("records")
              if _text(r["demand_type"]) or _number(r["every_days"])]
    return base.copy(roles=roles, steps=steps, entry_default=entry_default, entry_touchpoints=entry_tps,
                     chases=chases, problems=[], lines={})


def _keep_exponential(before: Duration, after: Duration) -> Duration:
    if before.exponential and after.min == after.likely == after.max and after.likely is not None:
        return Duration(likely=after.likely, unit=after.unit, distribution="exponential")
    return after


def template(name: str = "New design") -> ProcessMap:
    """A one-step worker-led starting point: the first person understands and resolves the demand."""
    return ProcessMap(
        name=name, design="worker-led", description="Start here: add the roles and steps of your design.",
        roles=[Role("front", "Front-line worker", staff=5)],
        steps=[Step("understand", "Understand what matters and resolve it", role="front",
                    touch=Duration(5, 10, 20, "minutes"))],
        entry_default="understand")
