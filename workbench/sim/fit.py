"""Does the model fit reality? The measured as-is (from the demand's own dates and records) beside the simulated
as-is design, so a team can see whether its as-is map is credible before trusting a redesign's figures.

Rows (docs/compare.md, "Does the as-is map fit reality?"):
- end-to-end days, median and 85th percentile: measured by `demand.end_to_end.measure` (per need, from the
  first contact to the need met; met needs only), simulated as the design's `e2e_days_median` / `e2e_days_p85`;
- resolved at one stop: measured as the share of the contacts whose `one_stop` is recorded that say yes (the
  Demand page's figure), simulated as `one_stop_share`;
- hand-offs per demand: measured only when the demand counts them (the `handoffs` column of an event log's
  roll-up to one demand per case), simulated as `handoffs_mean`.

difference = simulated - measured. A row is "close" when the difference is within 20% of the measured figure;
otherwise the verdict says which way the map is off and by how much. A figure that cannot be had is None with a
plain reason in the verdict: never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import pandas as pd

from workbench import schema
from workbench.demand import end_to_end
from workbench.sim.compare import Comparison, DesignResult, format_value, label

AS_IS_DESIGNS = ("as-is", "standard-work")  # ProcessMap.design values that describe the service as it is today
HANDOFFS = "handoffs"  # the hand-offs column of an event log's roll-up (workbench.eventlog.analysis.ROLLUP_EXTRA)
CLOSE = 0.20  # within 20% of the measured figure reads as close
MEASURES = ("e2e_days_median", "e2e_days_p85", "one_stop_share", "handoffs_mean")
COLUMNS = ("measure", "label", "measured", "simulated", "difference", "verdict")

NO_MET = ("No need in the demand is met yet (every case is still open), so there is no measured end-to-end "
          "time to compare.")
NO_ONE_STOP = ("The demand does not record whether each contact was resolved at first contact (no \"Resolved at "
               "first contact\" column, or it is empty), so the one-stop share cannot be measured.")
NO_HANDOFFS = ("The demand does not count hand-offs: a demand file does not record them (an event log rolled up "
               "to one demand per case does), so hand-offs cannot be measured.")
NOT_SIMULATED = "The design resolved no demand in the period, so it has no figure to compare."
CLOSE_VERDICT = f"close: within {CLOSE:.0%}"


def as_is_design(designs: Sequence[DesignResult]) -> str:
    """The design that stands for the service as it is: the first whose `design` is "as-is" or "standard-work",
    else the first."""
    if not designs:
        raise ValueError("a comparison has at least one design")
    for d in designs:
        if d.design.strip().lower() in AS_IS_DESIGNS:
            return d.name
    return designs[0].name


def _finite(x: float | None) -> float | None:
    return None if x is None or math.isnan(float(x)) else float(x)


def _one_stop(df: pd.DataFrame) -> float | None:
    if schema.ONE_STOP not in df.columns:
        return None
    known = df[schema.ONE_STOP].dropna()
    return float(known.astype(bool).sum() / len(known)) if len(known) else None


def _handoffs(df: pd.DataFrame) -> float | None:
    if HANDOFFS not in df.columns:
        return None
    counts = pd.to_numeric(df[HANDOFFS], errors="coerce").dropna()
    return float(counts.mean()) if len(counts) else None


def _verdict(key: str, measured: float, simulated: float) -> str:
    diff = simulated - measured
    if abs(diff) <= CLOSE * abs(measured) + 1e-12:
        return CLOSE_VERDICT
    if key.startswith("e2e_days"):
        return f"the map is {'slower' if diff > 0 else 'faster'} than reality by {abs(diff):.1f} days"
    if key == "one_stop_share":
        return (f"the map resolves {'more' if diff > 0 else 'fewer'} at one stop than reality: "
                f"{abs(diff) * 100:.0f} points {'more' if diff > 0 else 'fewer'}")
    return (f"the map has {'more' if diff > 0 else 'fewer'} hand-offs than reality: {abs(diff):.2f} "
            f"{'more' if diff > 0 else 'fewer'} per demand")


@dataclass
class Fit:
    """The measured as-is beside the simulated one: `rows` is the tidy frame of `fit`."""

    as_is: str  # the design taken as the as-is
    available: bool  # whether end-to-end times could be measured from the demand
    reason: str | None  # why not, in words (None when available)
    needs: int  # needs (cases) measured, met and still open
    met: int
    open: int
    rows: pd.DataFrame  # measure, label, measured, simulated, difference, verdict


class FitRowJSON(TypedDict):
    measure: str
    label: str
    measured: float | None
    simulated: float | None
    difference: float | None
    verdict: str


class FitJSON(TypedDict):
    """The `fit` block of `workbench compare --format json`."""

    as_is: str
    available: bool
    reason: str | None
    needs: int
    met: int
    open: int
    rows: list[FitRowJSON]


def assess(demand: pd.DataFrame, comparison: Comparison, design_name: str | None = None,
           e2e: end_to_end.EndToEnd | None = None) -> Fit:
    """The fit of design `design_name` (default: `as_is_design`) to the demand it was run on. `e2e` is the
    demand's `end_to_end.measure`, when the caller has it already."""
    name = design_name if design_name is not None else as_is_design(comparison.designs)
    design = next((d for d in comparison.designs if d.name == name), None)
    if design is None:
        raise ValueError(f"no design named {name!r} in this comparison")
    e2e = end_to_end.measure(demand) if e2e is None else e2e
    e2e_reason = e2e.reason if not e2e.available else (NO_MET if e2e.median_days is None else None)
    measured: dict[str, tuple[float | None, str]] = {
        "e2e_days_median": (e2e.median_days, e2e_reason or ""),
        "e2e_days_p85": (e2e.p85_days, e2e_reason or ""),
        "one_stop_share": (_one_stop(demand), NO_ONE_STOP),
        "handoffs_mean": (_handoffs(demand), NO_HANDOFFS),
    }
    rows = []
    for key in MEASURES:
        value, why = measured[key]
        value = _finite(value)
        sim = _finite(design.metric(key)[0])
        if value is None:
            verdict = why
        elif sim is None:
            verdict = NOT_SIMULATED
        else:
            verdict = _verdict(key, value, sim)
        rows.append({"measure": key, "label": label(key), "measured": value, "simulated": sim,
                     "difference": None if value is None or sim is None else sim - value, "verdict": verdict})
    # built column by column as objects, so a missing figure stays None (a float column would make it NaN)
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in COLUMNS})
    return Fit(name, e2e.available, e2e.reason, e2e.needs, e2e.met, e2e.open, frame)


def fit(demand: pd.DataFrame, comparison: Comparison, design_name: str | None = None) -> pd.DataFrame:
    """measure, label, measured, simulated, difference (simulated - measured) and a verdict per row; None where a
    figure cannot be had (the verdict then says why)."""
    return assess(demand, comparison, design_name).rows


def _r(x: float | None, digits: int) -> float | None:
    return None if x is None else round(float(x), digits)


def to_json(result: Fit) -> FitJSON:
    """The `fit` block: days and hand-offs to 2 decimals, shares to 4."""
    rows: list[FitRowJSON] = []
    for r in result.rows.to_dict("records"):
        digits = 4 if r["measure"] == "one_stop_share" else 2
        rows.append({"measure": str(r["measure"]), "label": str(r["label"]), "measured": _r(r["measured"], digits),
                     "simulated": _r(r["simulated"], digits), "difference": _r(r["difference"], digits),
                     "verdict": str(r["verdict"])})
    return {"as_is": result.as_is, "available": result.available, "reason": result.reason, "needs": result.needs,
            "met": result.met, "open": result.open, "rows": rows}


def readable(result: Fit) -> pd.DataFrame:
    """The rows as people read them: Measure, Measured, Simulated, Difference, Verdict (text; '–' for none)."""
    out = []
    for r in result.rows.to_dict("records"):
        key = str(r["measure"])
        diff = r["difference"]
        if diff is None:
            diff_text = "–"
        elif key == "one_stop_share":
            diff_text = f"{'+' if diff > 0 else ''}{diff * 100:.0f} points"
        else:
            diff_text = f"{'+' if diff > 0 else ''}{format_value(key, diff)}"
        out.append({"Measure": str(r["label"]), "Measured": format_value(key, r["measured"]),
                    "Simulated": format_value(key, r["simulated"]), "Difference": diff_text,
                    "Verdict": str(r["verdict"])})
    return pd.DataFrame(out, columns=["Measure", "Measured", "Simulated", "Difference", "Verdict"])
