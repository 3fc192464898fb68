"""A process map as editable tables (roles, working hours and rosters, steps, routes, entry, failure demand,
queues at touchpoints, closed dates) and back.

The editor shows a map as tables a workshop can type into; this module is the round trip, kept out of the
Streamlit layer so it is tested like the rest of the core. Renaming a step in the steps table renames it in
the routes, the entry and the rework references too, and renaming a role in the roles table renames it in
the steps and the working hours, so a rename never silently breaks the map. A cell that cannot be read (a day
"Mnday", a time "25:00") raises `TableError` naming the table, row and column, so the page can say so while
the person's edit stays on screen. A number that looks wrong is questioned, never silently changed: a
probability typed as 50 is read as 50% and the edit says so (`Edit.notes`); 150 or -3 is refused.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.flow.model import (
    DEFAULT_TOUCHPOINT,
    RESOLVED,
    UNITS_IN_MINUTES,
    VALUE_WORK,
    ChaseRule,
    Duration,
    ProcessMap,
    Role,
    Route,
    Shift,
    Step,
    TouchpointQueue,
    format_days,
    format_time,
    read_days,
    read_time,
)

ROLE_COLUMNS = ["id", "name", "staff", "hours_per_day", "days_per_week", "opens"]
HOURS_COLUMNS = ["role", "days", "from", "to", "staff"]
QUEUE_COLUMNS = ["touchpoint", "patience_minutes", "call_back", "call_back_after_minutes"]
CLOSED_COLUMNS = ["date"]
STEP_COLUMNS = ["id", "name", "role", "work", "touch_shape", "touch_min", "touch_likely", "touch_max", "touch_sd",
                "wait_min", "wait_likely", "wait_max", "wait_unit", "complete_and_accurate", "rework_to",
                "recall_type", "pulled", "source"]
# How a step's touch time is given, as the editor names it -> (distribution, fit)
TOUCH_SHAPES = {"min / likely / max": ("triangular", ""), "exponential (mean)": ("exponential", ""),
                "lognormal (mean, sd)": ("lognormal", ""), "gamma (mean, sd)": ("gamma", ""),
                "from the data": ("from_data", ""), "from the data, lognormal fit": ("from_data", "lognormal"),
                "from the data, gamma fit": ("from_data", "gamma")}
_SHAPE_OF = {v: k for k, v in TOUCH_SHAPES.items()}
ROUTE_COLUMNS = ["step", "to", "types", "nature", "cause", "touchpoints", "probability", "otherwise", "rework"]
ENTRY_COLUMNS = ["touchpoint", "step"]
CHASE_COLUMNS = ["name", "every_days", "probability", "demand_type", "cause", "touchpoint", "steps"]
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


def join_types(types: list[str]) -> str:
    """Demand types in one cell: separated by commas, or by semicolons when a type's own name has a comma
    ("Report a broken door, window or lock;": one type, the semicolon says so)."""
    if any("," in t for t in types):
        return "; ".join(types) + (";" if len(types) == 1 else "")
    return ", ".join(types)


def split_types(value: Any) -> list[str]:
    """The types of a cell written by `join_types` (or typed): semicolons split when there are any, else commas."""
    text = _text(value)
    return [t.strip() for t in text.split(";" if ";" in text else ",") if t.strip()]


class TableError(ValueError):
    """A cell of an edited table that cannot be read: the message names the table, the row and the column."""


def _cell(table: str, row: int, column: str, reason: str) -> TableError:
    return TableError(f"{table} table, row {row + 1}, column '{column}': {reason}.")


def _shown(x: float) -> str:
    return f"{x:g}"


def read_share(value: Any, table: str, row: int, column: str, where: str, notes: list[str]) -> float | None:
    """A probability from a cell: a share from 0 to 1 as it is; a number above 1 up to 100 is read as a percent
    (50 -> 0.5) and `notes` says so; anything else (150, -3) raises TableError naming the row (`where`: e.g.
    "check → decide") and the column. Blank: None."""
    x = _number(value)
    if x is None:
        if not _blank(value):
            raise _cell(table, row, column, f"'{value}' is not a number ({where})")
        return None
    if 0 <= x <= 1:
        return x
    if 1 < x <= 100:
        notes.append(f"{table} table, row {row + 1} ({where}), {column}: read {_shown(x)} as {_shown(x)}% "
                     f"(a share of {_shown(x / 100)}). If you meant something else, change it there.")
        return x / 100
    raise _cell(table, row, column, f"{_shown(x)} is not a probability ({where}): give a share from 0 to 1 "
                "(0.5) or a percent from 0 to 100 (50)")


def read_percent(value: Any, table: str, row: int, column: str, where: str, notes: list[str]) -> float | None:
    """A percent from a cell (0 to 100): a number between 0 and 1 (0.9) is read as a share (90%) and `notes`
    says so; below 0 or above 100 raises TableError naming the row and the column. Blank: None."""
    x = _number(value)
    if x is None:
        if not _blank(value):
            raise _cell(table, row, column, f"'{value}' is not a number ({where})")
        return None
    if 0 < x < 1:
        notes.append(f"{table} table, row {row + 1} ({where}), {column}: read {_shown(x)} as {_shown(x * 100)}%. "
                     "If you meant something else, change it there.")
        return x * 100
    if 0 <= x <= 100:
        return x
    raise _cell(table, row, column, f"{_shown(x)} is not a percent ({where}): give a number from 0 to 100")


def _date(value: Any) -> datetime.date | None:
    if _blank(value):
        return None
    if isinstance(value, datetime.datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value).strip())


def to_tables(m: ProcessMap) -> dict[str, pd.DataFrame]:
    """Tables of the map; times in the steps table are minutes (touch) and `wait_unit` (wait)."""
    roles = pd.DataFrame([{"id": r.id, "name": r.name, "staff": r.staff, "hours_per_day": r.hours_per_day,
                           "days_per_week": r.days_per_week, "opens": "" if r.opens is None else format_time(r.opens)}
                          for r in m.roles], columns=ROLE_COLUMNS)
    steps = []
    for s in m.steps:
        f = s.touch.factor  # shown in minutes
        touch = [None if v is None else v * f for v in (s.touch.triple or (None, None, None))]
        if s.touch.distribution in ("lognormal", "gamma"):
            touch = [None, touch[1], None]
        wait = s.wait.triple or (None, None, None)
        steps.append({
            "id": s.id, "name": s.name, "role": s.role, "work": s.work,
            "touch_shape": _SHAPE_OF.get((s.touch.distribution, s.touch.fit), "min / likely / max"),
            "touch_min": touch[0], "touch_likely": touch[1], "touch_max": touch[2],
            "touch_sd": None if s.touch.sd is None else s.touch.sd * f,
            "wait_min": wait[0], "wait_likely": wait[1], "wait_max": wait[2],
            "wait_unit": s.wait.unit, "complete_and_accurate": s.complete_and_accurate,
            "rework_to": s.rework_to, "recall_type": s.recall_type, "pulled": s.pulled, "source": s.source})
    routes = [{"step": s.id, "to": r.to, "types": join_types(r.types), "nature": r.nature, "cause": r.cause,
               "touchpoints": ", ".join(r.touchpoints), "probability": r.probability, "otherwise": r.otherwise,
               "rework": r.rework} for s in m.steps for r in s.routes]
    entry = [{"touchpoint": DEFAULT_ENTRY, "step": m.entry_default}] + [
        {"touchpoint": tp, "step": sid} for tp, sid in m.entry_touchpoints.items()]
    chases = [{"name": c.name, "every_days": c.every_days, "probability": c.probability,
               "demand_type": c.demand_type, "cause": c.cause, "touchpoint": c.touchpoint, "steps": ", ".join(c.steps)}
              for c in m.chases]
    float_cols = ["touch_min", "touch_likely", "touch_max", "touch_sd", "wait_min", "wait_likely", "wait_max",
                  "complete_and_accurate"]
    hours = []
    for r in m.roles:
        hours += [{"role": r.id, "days": format_days(sh.days), "from": format_time(sh.start),
                   "to": format_time(sh.end), "staff": sh.staff} for sh in r.roster]
        if not r.roster:
            same: dict[tuple[float, float], list[int]] = {}  # one row per window, with every day it is open
            for day, windows in sorted(r.hours.items()):
                for window in windows:
                    same.setdefault(window, []).append(day)
            hours += [{"role": r.id, "days": format_days(days), "from": format_time(a), "to": format_time(b),
                       "staff": None} for (a, b), days in sorted(same.items(), key=lambda x: (x[1][0], x[0]))]
    queues = [{"touchpoint": name,
               "patience_minutes": None if q.patience is None or q.patience.triple is None
               else q.patience.triple[1] * q.patience.factor,
               "call_back": q.call_back * 100.0,
               "call_back_after_minutes": (q.call_back_after.triple or (0.0, 0.0, 0.0))[1] * q.call_back_after.factor}
              for name, q in m.touchpoints.items()]
    steps_df = pd.DataFrame(steps, columns=STEP_COLUMNS).astype({c: "float64" for c in float_cols})
    steps_df["pulled"] = steps_df["pulled"].astype(bool)
    routes_df = pd.DataFrame(routes, columns=ROUTE_COLUMNS).astype({"probability": "float64"})
    routes_df[["otherwise", "rework"]] = routes_df[["otherwise", "rework"]].astype(bool)
    return {
        "roles": roles.astype({"staff": "float64", "hours_per_day": "float64", "days_per_week": "float64"}),
        "hours": pd.DataFrame(hours, columns=HOURS_COLUMNS).astype({"staff": "float64"}),
        "queues": pd.DataFrame(queues, columns=QUEUE_COLUMNS).astype(
            {"patience_minutes": "float64", "call_back": "float64", "call_back_after_minutes": "float64"}),
        "closed": pd.DataFrame({"date": pd.Series(list(m.closed), dtype="object")}, columns=CLOSED_COLUMNS),
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


def _role_renames(base: ProcessMap, roles: pd.DataFrame) -> dict[str, str]:
    """Role ids changed in place in the roles table (as `_renames` for steps)."""
    ids = [_text(rid) for rid in roles["id"]]
    if len([rid for rid in ids if rid]) < len(base.roles) or len(ids) < len(base.roles):
        return {}
    return {old: new for old, new in zip([r.id for r in base.roles], ids[: len(base.roles)], strict=True)
            if old and new and old != new}


@dataclass
class Edit:
    """What the edited tables make: the new map, and what was read other than as typed (to be said)."""

    map: ProcessMap
    notes: list[str] = field(default_factory=list)


def from_tables(base: ProcessMap, tables: dict[str, pd.DataFrame]) -> ProcessMap:
    """A new map: `base`'s name, description and header with the tables' roles, steps, routes, entry and
    failure-demand rules. Rows with no id (a blank new row) are left out."""
    return apply_tables(base, tables).map


def apply_tables(base: ProcessMap, tables: dict[str, pd.DataFrame]) -> Edit:
    """`from_tables`, with the notes of what was read other than as typed (a probability 50 read as 50%)."""
    notes: list[str] = []
    renames = _renames(base, tables["steps"])
    role_renames = _role_renames(base, tables["roles"])

    def ref(step_id: Any) -> str:
        sid = _text(step_id)
        return renames.get(sid, sid)

    def role_ref(role_id: Any) -> str:
        rid = _text(role_id)
        return role_renames.get(rid, rid)

    roles = _roles(base, tables, role_renames)
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
        touch = _shaped(touch, r, i)
        cna = read_percent(r["complete_and_accurate"], "Steps", i, "%C&A", f"step '{sid}'", notes)
        steps.append(Step(
            id=sid, name=_text(r["name"]) or sid, role=role_ref(r["role"]), work=_text(r["work"]).lower() or "value",
            touch=touch, wait=wait,
            complete_and_accurate=_or(cna, 100.0),
            rework_to=ref(r["rework_to"]), recall_type=_text(r["recall_type"]), pulled=_flag(r["pulled"]),
            source=_text(r.get("source")), line=original.line if original else None,
            patience=original.patience if original else None))
    by_id = {s.id: s for s in steps}
    for i, r in enumerate(tables["routes"].to_dict("records")):
        owner = by_id.get(ref(r["step"]))
        to = ref(r["to"])
        if owner is None or not to:
            continue
        probability = read_share(r["probability"], "Routes", i, "Probability", f"{owner.id} → {to}", notes)
        owner.routes.append(Route(to=to, types=split_types(r["types"]), nature=_text(r["nature"]).lower(),
                                  cause=_text(r["cause"]), touchpoints=_split(r["touchpoints"]),
                                  probability=probability, otherwise=_flag(r["otherwise"]),
                                  rework=_flag(r["rework"])))
    entry_default, entry_tps = "", {}
    for r in tables["entry"].to_dict("records"):
        tp, sid = _text(r["touchpoint"]), ref(r["step"])
        if tp == DEFAULT_ENTRY or (not tp and sid):
            entry_default = sid
        elif tp and sid:
            entry_tps[tp] = sid
    chases = [ChaseRule(name=_text(r["name"]), every_days=_number(r["every_days"]) or 0.0,
                        probability=read_share(r["probability"], "Failure demand", i, "Probability",
                                               f"rule '{_text(r['name']) or _text(r['demand_type'])}'", notes) or 0.0,
                        demand_type=_text(r["demand_type"]),
                        touchpoint=_text(r["touchpoint"]) or DEFAULT_TOUCHPOINT,
                        steps=[ref(s) for s in _split(r["steps"])], cause=_text(r.get("cause")))
              for i, r in enumerate(tables["failure_demand"].to_dict("records"))
              if _text(r["demand_type"]) or _number(r["every_days"])]
    changes: dict[str, Any] = {}
    if "queues" in tables:
        changes["touchpoints"] = _queues(base, tables["queues"])
    if "closed" in tables:
        changes["closed"] = _closed(tables["closed"])
    return Edit(base.copy(roles=roles, steps=steps, entry_default=entry_default, entry_touchpoints=entry_tps,
                          chases=chases, problems=[], lines={}, **changes), notes)


def _roles(base: ProcessMap, tables: dict[str, pd.DataFrame], renames: dict[str, str] | None = None) -> list[Role]:
    """Roles from the roles table, with their hours and rosters from the hours table (when the tables have one;
    else each role keeps the base's). In the hours table a row with staff is a roster shift; rows without staff
    are the role's opening hours, worked by its staff. `renames`: role ids renamed in the roles table (old ->
    new), followed in the hours table."""
    renames = renames or {}
    base_roles = {r.id: r for r in base.roles}
    old_of = {new: old for old, new in renames.items()}
    shifts: dict[str, list[Shift]] = {}
    windows: dict[str, dict[int, list[tuple[float, float]]]] = {}
    for i, r in enumerate(tables["hours"].to_dict("records") if "hours" in tables else []):
        role_id = renames.get(_text(r["role"]), _text(r["role"]))
        if not role_id and _blank(r["days"]) and _blank(r["from"]) and _blank(r["to"]):
            continue  # a blank new row
        if not role_id:
            raise _cell("Working hours", i, "role", "choose the role these hours are for")
        try:
            days = read_days(_text(r["days"]))
        except ValueError as exc:
            raise _cell("Working hours", i, "days", str(exc)) from None
        try:
            start = read_time(_text(r["from"]))
        except ValueError as exc:
            raise _cell("Working hours", i, "from", str(exc)) from None
        try:
            end = read_time(_text(r["to"]), end=True)
        except ValueError as exc:
            raise _cell("Working hours", i, "to", str(exc)) from None
        if start == end:
            raise _cell("Working hours", i, "to", "the shift starts and ends at the same time")
        staff = _number(r["staff"])
        if staff is not None:
            if staff < 0:
                raise _cell("Working hours", i, "staff", "staff cannot be negative")
            shifts.setdefault(role_id, []).append(Shift(days, start, end, staff))
        else:
            for d in days:
                windows.setdefault(role_id, {}).setdefault(d, []).append((start, end))
    out = []
    for i, r in enumerate(tables["roles"].to_dict("records")):
        rid = _text(r["id"])
        if not rid:
            continue
        before = base_roles.get(old_of.get(rid, rid))
        opens_text = _text(r.get("opens"))
        try:
            opens = read_time(opens_text) if opens_text else None
        except ValueError as exc:
            raise _cell("Roles", i, "opens", str(exc)) from None
        role = Role(id=rid, name=_text(r["name"]) or rid, staff=_or(_number(r["staff"]), 1.0),
                    hours_per_day=_number(r["hours_per_day"]) or 7.5, days_per_week=_number(r["days_per_week"]) or 5.0,
                    opens=opens if "opens" in r else (before.opens if before else None))
        if "hours" in tables:
            role.roster = shifts.get(rid, [])
            role.hours = {d: sorted(w) for d, w in sorted(windows.get(rid, {}).items())}
        elif before is not None:
            role.roster, role.hours = list(before.roster), dict(before.hours)
        out.append(role)
    return out


def _shaped(touch: Duration, row: Mapping[Hashable, Any], i: int) -> Duration:
    """The touch time in the shape the steps table's 'touch_shape' names (rows without it keep theirs)."""
    shape = _text(row.get("touch_shape"))
    if not shape:
        return touch
    if shape not in TOUCH_SHAPES:
        raise _cell("Steps", i, "touch_shape", f"'{shape}' is not one of {', '.join(TOUCH_SHAPES)}")
    distribution, fit = TOUCH_SHAPES[shape]
    if distribution == "triangular":
        return touch if touch.distribution == "triangular" else Duration(touch.likely, touch.likely, touch.likely,
                                                                          "minutes")
    if distribution == "from_data":
        return Duration(unit="minutes", distribution="from_data", fit=fit)
    mean = _number(row.get("touch_likely"))
    if distribution == "exponential":
        return Duration(likely=mean, unit="minutes", distribution="exponential")
    sd = _number(row.get("touch_sd"))
    if mean is None or sd is None:
        raise _cell("Steps", i, "touch_sd", f"a {distribution} time needs its mean (Touch likely) and its sd")
    return Duration(likely=mean, unit="minutes", distribution=distribution, sd=sd)  # type: ignore[arg-type]


def _queues(base: ProcessMap, frame: pd.DataFrame) -> dict[str, TouchpointQueue]:
    """Queues at touchpoints: patience is exponential with the mean in the table (a base's other shape is kept
    while its mean is unchanged); call-back as a percent."""
    out: dict[str, TouchpointQueue] = {}
    for i, r in enumerate(frame.to_dict("records")):
        name = _text(r["touchpoint"])
        if not name:
            continue
        before = base.touchpoints.get(name)
        q = TouchpointQueue()
        patience = _number(r["patience_minutes"])
        if patience is not None:
            if patience < 0:
                raise _cell("Queues", i, "patience_minutes", "patience cannot be negative")
            kept = before.patience if before else None
            same = kept is not None and kept.triple is not None and math.isclose(kept.triple[1] * kept.factor, patience)
            q.patience = kept if same else Duration(likely=patience, unit="minutes", distribution="exponential")
        share = _number(r["call_back"])
        if share is not None:
            if not 0 <= share <= 100:
                raise _cell("Queues", i, "call_back", "a percent from 0 to 100")
            q.call_back = share / 100.0
        after = _number(r["call_back_after_minutes"])
        if after is not None:
            kept_after = before.call_back_after if before else None
            same = (kept_after is not None and kept_after.triple is not None
                    and math.isclose(kept_after.triple[1] * kept_after.factor, after))
            q.call_back_after = kept_after if same and kept_after else Duration(likely=after, unit="minutes",
                                                                                distribution="exponential")
        out[name] = q
    return out


def _closed(frame: pd.DataFrame) -> list[datetime.date]:
    out = []
    for i, value in enumerate(frame["date"].tolist()):
        try:
            day = _date(value)
        except ValueError:
            raise _cell("Closed dates", i, "date", f"'{value}' is not a date; write it as 2026-12-25") from None
        if day is not None and day not in out:
            out.append(day)
    return sorted(out)


def _keep_exponential(before: Duration, after: Duration) -> Duration:
    if before.exponential and after.min == after.likely == after.max and after.likely is not None:
        return Duration(likely=after.likely, unit=after.unit, distribution="exponential")
    return after


def free_step_id(m: ProcessMap, wanted: str = "new_step") -> str:
    """`wanted`, or `wanted_2`, `wanted_3`...: a step id the map does not use yet (nor `resolved`)."""
    wanted = re.sub(r"[^A-Za-z0-9_-]+", "_", wanted).strip("_") or "step"
    taken = {s.id for s in m.steps} | {RESOLVED}
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted}_{n}", n + 1
    return name


def insert_step_after(m: ProcessMap, step_id: str) -> tuple[ProcessMap, str, str]:
    """A new step right after `step_id`, for "add the next step": the step now goes on to the new one (a single
    `otherwise` route), and the new step goes on wherever the step went (it takes over its routes; none: the
    demand ends after it). The new step is done by the same role, as value work, with no times yet (validation
    asks for its touch time: nothing is guessed). Returns the new map, the new step's id and what was done,
    in words."""
    new = m.copy(problems=[], lines={})
    at = next(i for i, s in enumerate(new.steps) if s.id == step_id)
    before = new.steps[at]
    sid = free_step_id(new)
    moved = before.routes
    step = Step(id=sid, name="New step", role=before.role, work=VALUE_WORK, touch=Duration(unit="minutes"),
                wait=Duration(0.0, 0.0, 0.0, "days"), routes=moved)
    before.routes = [Route(to=sid, otherwise=True)]
    new.steps.insert(at + 1, step)
    onward = (f"it goes on where '{step_id}' went ({len(moved)} route{'s' if len(moved) != 1 else ''})" if moved
              else "the demand ends after it")
    return new, sid, f"Added step '{sid}' after '{step_id}': '{step_id}' now goes to it, and {onward}."


def blank(name: str = "New map") -> ProcessMap:
    """The least a map can be: one role and one step, both to be named (a blank map to start from)."""
    return ProcessMap(name=name, design="as-is", description="",
                      roles=[Role("worker", "Worker", staff=1)],
                      steps=[Step("first", "First step", role="worker", touch=Duration(unit="minutes"),
                                  wait=Duration(0.0, 0.0, 0.0, "days"))],
                      entry_default="first")
