"""What a comparison leaves behind for people who were not there: a small JSON record of its results.

A comparison's full output (every simulated demand) is large and only the Compare page needs it. The
managers' dashboard and a study export need the headline, the side-by-side table, the end-to-end
distribution and each design's capability chart; `snapshot` keeps exactly those as JSON-safe values and
`Snapshot` turns them back into the frames the chart builders take, so opening a dashboard never re-runs a
simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from workbench import spc
from workbench.sim import metrics
from workbench.sim.compare import Comparison, percent

SNAPSHOT_VERSION = 1
_FLAGS = (spc.SIGNAL, spc.OUTSIDE, spc.RUN, spc.NEAR_LIMIT, spc.PROVISIONAL)


def _clean(value: Any) -> Any:
    """JSON has no NaN, numpy scalars or timestamps: plain floats (None for missing), ints, bools, strings."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def snapshot(result: Comparison, first_day: pd.Timestamp) -> dict[str, Any]:
    """The comparison's summary (`to_json`) plus what the dashboard draws. `first_day` dates the simulated
    days (day 0 = the demand sample's first day)."""
    capability, windows = {}, {}
    for d in result.designs:
        if not d.runs:
            continue
        table = metrics.capability(d.runs[0])
        windows[d.name] = table.attrs["window"].dated(first_day).to_dict()  # which arrival days, in words too
        table.index = first_day + pd.to_timedelta(table.index, unit="D")
        frame = table.reset_index(names="day")
        capability[d.name] = frame.to_dict(orient="records")
    return _clean({
        **result.to_json(),
        "snapshot_version": SNAPSHOT_VERSION,
        "headline": result.headline(),
        "table": result.table().to_dict(orient="records"),
        "e2e_distribution": result.e2e_distribution(points=51).to_dict(orient="records"),
        "capability": capability,
        "capability_window": windows,
    })


@dataclass
class Snapshot:
    """A stored comparison read back for charts."""

    data: dict[str, Any]

    @property
    def designs(self) -> list[str]:
        return [d["name"] for d in self.data.get("designs", [])]

    @property
    def headline(self) -> str:
        return str(self.data.get("headline") or "")

    def assumptions(self) -> dict[str, str]:
        """What each design assumed prevented, for the table's first row ({} for a snapshot stored before
        Workbench kept it, or when nothing was assumed)."""
        designs = self.data.get("designs") or []
        if not any(d.get("assumption") for d in designs):
            return {}
        out = {}
        for d in designs:
            words = "; ".join(_prevention_words(p) for p in d.get("prevented") or [])
            if words:
                left = d.get("left_out")
                out[d["name"]] = words + (f" (on average {left:,.0f} of the sample's demands left out)"
                                          if isinstance(left, int | float) else "")
            else:
                out[d["name"]] = "none: the same design on the whole sample" if d.get("variant_of") else "none"
        return out

    def assumed(self) -> list[str]:
        """Sentences of what was assumed prevented, per design that assumed something ("Redesign assumes 80% of
        progress chasing is prevented")."""
        return [f"{d['name']} {d['assumption']}" for d in self.data.get("designs") or [] if d.get("assumption")]

    @property
    def intervals_cover(self) -> str:
        """What the intervals covered ("" for a snapshot stored before Workbench said so)."""
        return str(self.data.get("intervals_cover") or "")

    def roles(self, design: str) -> list[dict[str, Any]]:
        """The design's roles as run: id, name, staff, people ([] for an older snapshot)."""
        found: dict[str, Any] = next((d for d in self.data.get("designs") or [] if d.get("name") == design), {})
        return list(found.get("roles") or [])

    def table(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.data.get("table") or [])
        return frame.astype({c: float for c in ("mean", "low", "high", "difference") if c in frame})

    def e2e_distribution(self) -> pd.DataFrame:
        return pd.DataFrame(self.data.get("e2e_distribution") or [], columns=["design", "share", "days"])

    def capability(self, design: str) -> pd.DataFrame:
        """The design's capability chart as an `spc.xmr`-shaped table indexed by day."""
        frame = pd.DataFrame((self.data.get("capability") or {}).get(design) or [])
        if frame.empty:
            return frame
        frame["day"] = pd.to_datetime(frame["day"])
        frame = frame.set_index("day")
        for col in (spc.VALUE, spc.CENTRE, spc.LOWER, spc.UPPER, spc.MOVING_RANGE):
            if col in frame:
                frame[col] = frame[col].astype(float)
        for col in _FLAGS:
            if col in frame:
                frame[col] = frame[col].fillna(False).astype(bool)
            elif col != spc.PROVISIONAL:  # a signal not stored is no signal; provisional is judged by the points
                frame[col] = False
        return frame

    def capability_window(self, design: str) -> spc.Window | None:
        """Which arrival days the design's capability chart covers (its words for the dashboard); None for a
        snapshot stored before charts said so."""
        found = (self.data.get("capability_window") or {}).get(design)
        return spc.Window.from_dict(found) if isinstance(found, dict) else None


def _prevention_words(p: dict[str, Any]) -> str:
    share = p.get("share")
    what = p.get("cause") or (f"'{p.get('demand_type')}' demand" if p.get("demand_type") else "")
    return f"{percent(float(share))} of {what}" if isinstance(share, int | float) and what else ""


# ------------------------------------------------------------------------------------------ checking stored ones

_MAX_NUMBER = 2.0**53  # beyond this a stored figure is not one a comparison makes (and may not fit a float)
_TABLE_NUMBERS = ("mean", "low", "high", "difference", "difference_low", "difference_high")
_CAPABILITY_NUMBERS = (spc.VALUE, spc.CENTRE, spc.LOWER, spc.UPPER, spc.MOVING_RANGE, spc.MEAN_RANGE,
                       spc.RANGE_LIMIT)


class SnapshotError(ValueError):
    """A stored comparison summary that is not what `snapshot` writes; the message names the value."""


def _is_number(v: Any, *, null: bool = True) -> bool:
    if v is None:
        return null
    return (isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            and abs(v) <= _MAX_NUMBER)


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, str | bool) or _is_number(v)


def _records(value: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise SnapshotError(f"{where} should be a list of rows")
    for i, row in enumerate(value, start=1):
        if not isinstance(row, dict):
            raise SnapshotError(f"{where}[{i}] should be an object")
        for k, v in row.items():
            if not _is_scalar(v):
                raise SnapshotError(f"{where}[{i}].{k} should be a number, text, true/false or null")
    return value


def _need(ok: bool, where: str, should: str) -> None:
    if not ok:
        raise SnapshotError(f"{where} should be {should}")


def check_snapshot(data: Any) -> None:
    """Raise SnapshotError unless `data` is a comparison summary the dashboard can draw: what `snapshot`
    writes (or `Comparison.to_json`, or any object without the snapshot's keys, which reads as "no
    comparison"). Keys it does not know are allowed (a newer Workbench may add some); the ones it knows must
    have the shape `Snapshot` reads, and the table must name only the designs listed, each for every measure.
    """
    if not isinstance(data, dict):
        raise SnapshotError("the summary should be an object")
    for key in ("weeks",):
        if key in data:
            _need(_is_number(data[key], null=False) and data[key] >= 0, key, "a number from 0")
    for key in ("replications", "seed", "demands_per_replication", "snapshot_version"):
        if key in data:
            v = data[key]
            _need(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= _MAX_NUMBER, key,
                  "a whole number from 0")
    if "headline" in data:
        _need(data["headline"] is None or isinstance(data["headline"], str), "headline", "text")
    for key in ("vary_arrivals", "arrivals_vary"):
        _need(data.get(key) is None or isinstance(data.get(key), bool), key, "true, false or null")
    _need(data.get("intervals_cover") is None or isinstance(data.get("intervals_cover"), str), "intervals_cover",
          "text or null")
    names: list[str] = []
    if "designs" in data:
        _need(isinstance(data["designs"], list), "designs", "a list")
        for i, d in enumerate(data["designs"], start=1):
            where = f"designs[{i}]"
            _need(isinstance(d, dict), where, "an object")
            _need(isinstance(d.get("name"), str) and bool(d["name"]), f"{where}.name", "text that is not empty")
            _need(d["name"] not in names, f"{where}.name", "a name no other design has")
            names.append(d["name"])
            for key in ("design", "source"):
                _need(d.get(key) is None or isinstance(d.get(key), str), f"{where}.{key}", "text or null")
            metrics_ = d.get("metrics", {})
            _need(isinstance(metrics_, dict), f"{where}.metrics", "an object")
            for k, v in metrics_.items():
                if k == "utilisation":
                    _need(isinstance(v, dict) and all(_is_number(x) for x in v.values()),
                          f"{where}.metrics.utilisation", "an object of numbers")
                else:
                    _need(_is_number(v), f"{where}.metrics.{k}", "a number or null")
            for key in ("assumption", "variant_of"):
                _need(d.get(key) is None or isinstance(d.get(key), str), f"{where}.{key}", "text or null")
            _need(_is_number(d.get("left_out")), f"{where}.left_out", "a number or null")
            prevented = d.get("prevented", [])
            for j, p in enumerate(_records(prevented, f"{where}.prevented"), start=1):
                _need(_is_number(p.get("share"), null=False) and 0 <= p["share"] <= 1, f"{where}.prevented[{j}].share",
                      "a number from 0 to 1")
                _need(isinstance(p.get("cause") or p.get("demand_type"), str), f"{where}.prevented[{j}]",
                      "a cause or a demand type")
            for j, role in enumerate(_records(d.get("roles", []), f"{where}.roles"), start=1):
                _need(isinstance(role.get("id"), str), f"{where}.roles[{j}].id", "text")
                _need(role.get("name") is None or isinstance(role.get("name"), str), f"{where}.roles[{j}].name",
                      "text or null")
                _need(_is_number(role.get("staff")), f"{where}.roles[{j}].staff", "a number or null")
            intervals = d.get("intervals", {})
            _need(isinstance(intervals, dict), f"{where}.intervals", "an object")
            for k, v in intervals.items():
                _need(isinstance(v, list) and len(v) == 2 and all(_is_number(x) for x in v),
                      f"{where}.intervals.{k}", "a pair of numbers")
    if "table" in data:
        rows = _records(data["table"], "table")
        _need("designs" in data, "designs", "there when the summary has a table")
        seen: dict[str, set[str]] = {}
        for i, row in enumerate(rows, start=1):
            where = f"table[{i}]"
            _need(isinstance(row.get("metric"), str) and bool(row["metric"]), f"{where}.metric", "text")
            _need(row.get("design") in names, f"{where}.design", "one of the designs listed")
            for k in _TABLE_NUMBERS:
                _need(_is_number(row.get(k)), f"{where}.{k}", "a number or null")
            seen.setdefault(row["metric"], set()).add(row["design"])
        for metric, designs in seen.items():
            _need(designs == set(names), f"table's rows for '{metric}'", "there for every design")
    if "e2e_distribution" in data:
        for i, row in enumerate(_records(data["e2e_distribution"], "e2e_distribution"), start=1):
            where = f"e2e_distribution[{i}]"
            _need(isinstance(row.get("design"), str), f"{where}.design", "text")
            _need(_is_number(row.get("share"), null=False), f"{where}.share", "a number")
            _need(_is_number(row.get("days")), f"{where}.days", "a number or null")
    if "capability" in data:
        _need(isinstance(data["capability"], dict), "capability", "an object of designs")
        for name, rows in data["capability"].items():
            for i, row in enumerate(_records(rows, f"capability.{name}"), start=1):
                where = f"capability.{name}[{i}]"
                _need(_is_day(row.get("day")), f"{where}.day", "a date in ISO 8601 form without a time zone")
                for k in _CAPABILITY_NUMBERS:
                    _need(_is_number(row.get(k)), f"{where}.{k}", "a number or null")
                for k in _FLAGS:
                    _need(row.get(k) is None or isinstance(row.get(k), bool), f"{where}.{k}", "true, false or null")
    if "capability_window" in data:
        _need(isinstance(data["capability_window"], dict), "capability_window", "an object of designs")
        for name, window in data["capability_window"].items():
            where = f"capability_window.{name}"
            _need(isinstance(window, dict), where, "an object")
            for k in ("first", "last"):
                _need(window.get(k) is None or _is_day(window.get(k)), f"{where}.{k}",
                      "a date in ISO 8601 form without a time zone, or null")
            for k in ("run_out_days", "mean_days"):
                _need(_is_number(window.get(k)), f"{where}.{k}", "a number or null")
            for k in ("arrived", "finished", "still_open", "later"):
                v = window.get(k, 0)
                _need(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= _MAX_NUMBER, f"{where}.{k}",
                      "a whole number from 0")
            for k in ("reason", "noun"):
                _need(window.get(k) is None or isinstance(window.get(k), str), f"{where}.{k}", "text or null")


def _is_day(v: Any) -> bool:
    if not isinstance(v, str) or len(v) > 40:
        return False
    try:
        return datetime.fromisoformat(v).tzinfo is None  # as `snapshot` writes them: one form, no zone
    except ValueError:
        return False
