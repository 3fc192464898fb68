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
from typing import Any

import pandas as pd

from workbench import spc
from workbench.sim import metrics
from workbench.sim.compare import Comparison

SNAPSHOT_VERSION = 1
_FLAGS = (spc.SIGNAL, spc.OUTSIDE, spc.RUN, spc.NEAR_LIMIT)


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
    capability = {}
    for d in result.designs:
        if not d.runs:
            continue
        table = metrics.capability(d.runs[0])
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
        return frame
