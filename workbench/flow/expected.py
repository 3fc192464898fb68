"""Exact expected flow metrics of a map, per kind of demand, without simulation.

A map routes each kind of demand as a Markov chain over its steps, absorbed at "resolved". With Q the
step-to-step transition matrix of one kind of demand, N = (I - Q)^-1 gives the expected number of visits to
every step, rework loops included; every metric is a sum over steps (or moves) weighted by those visits.
Capacity is unlimited here: queues for busy staff are the simulation's business. Definitions of the metrics
are in docs/process-maps.md; they match the simulation's, so its means must agree with these.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from workbench import schema
from workbench.demand.catalogue import Catalogue
from workbench.flow.model import RESOLVED, Duration, ProcessMap, Step
from workbench.flow.routing import UNROUTED, DemandKind, next_steps

MINUTES_PER_DAY = 1440.0
TouchMean = Callable[[Step, str], float]  # (a step whose time comes from the data, demand type) -> mean minutes


class FlowError(ValueError):
    """The map cannot be evaluated (e.g. a loop no demand ever leaves)."""


@dataclass
class Expectation:
    """Expected values for one kind of demand going through one map."""

    demand_type: str
    touchpoint: str
    nature: str
    steps: float
    value_steps: float
    value_step_share: float
    handoffs: float
    rework: float
    touch_minutes: float
    wait_days: float
    end_to_end_days: float
    flow_efficiency: float
    one_stop: float
    recalls: float
    chases: float
    failure_demand: float
    unrouted: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


METRIC_LABELS = {
    "steps": "Steps",
    "value_step_share": "Value-step share",
    "handoffs": "Hand-offs",
    "rework": "Rework",
    "touch_minutes": "Touch minutes",
    "wait_days": "Waiting days",
    "end_to_end_days": "End-to-end days",
    "flow_efficiency": "Flow efficiency",
    "one_stop": "One-stop",
    "failure_demand": "Failure demand generated",
}


def is_handoff(a: Step, b: Step) -> bool:
    """A move between different roles, unless one of the steps is expertise pulled in by the owner."""
    return a.role != b.role and not (a.pulled or b.pulled)


def _transitions(step: Step, kind: DemandKind, index: dict[str, int]
                 ) -> list[tuple[int | str, float, bool]]:
    """(destination index or RESOLVED/UNROUTED, probability, is_rework) for one step and kind of demand."""
    accurate = min(max(step.complete_and_accurate, 0.0), 100.0) / 100.0
    out: list[tuple[int | str, float, bool]] = []
    onward = accurate if step.rework_to else 1.0
    for dest, p, route in next_steps(step, kind):
        target: int | str = index.get(dest, dest if dest in (RESOLVED, UNROUTED) else UNROUTED)
        out.append((target, onward * p, bool(route and route.rework)))
    if step.rework_to and accurate < 1.0:
        out.append((index.get(step.rework_to, UNROUTED), 1.0 - accurate, True))
    return out


_CHASE_HORIZON = 10_000  # chases counted per wait and rule, at most


def _prob_at_least(d: Duration, xs: np.ndarray) -> np.ndarray:
    """P(T >= x) for every x in `xs` (in the duration's own unit): `Duration.prob_at_least`, for many x at once."""
    t = d.triple
    if t is None:
        return np.where(xs <= 0, 1.0, 0.0)
    if d.exponential:
        if t[1] <= 0:
            return np.where(xs <= 0, 1.0, 0.0)
        return np.where(xs <= 0, 1.0, np.exp(-np.maximum(xs, 0) / t[1]))
    a, c, b = t
    with np.errstate(divide="ignore", invalid="ignore"):
        rising = 1.0 - (xs - a) ** 2 / ((b - a) * (c - a)) if c > a else np.zeros_like(xs)
        falling = (b - xs) ** 2 / ((b - a) * (b - c)) if b > c else np.zeros_like(xs)
    return np.where(xs <= a, 1.0, np.where(xs >= b, 0.0, np.where(xs <= c, rising, falling)))


def _expected_chases(step: Step, m: ProcessMap) -> float:
    """Expected chases during the wait before `step`: for each rule, p × Σ_k P(wait ≥ k × every_days)."""
    total = 0.0
    wait_days = step.wait
    if wait_days.is_zero():
        return 0.0
    factor = wait_days.factor / MINUTES_PER_DAY  # the wait's unit in days
    ks = np.arange(1, _CHASE_HORIZON + 1, dtype=float)
    for rule in m.chases:
        if rule.every_days <= 0 or (rule.steps and step.id not in rule.steps):
            continue
        p = _prob_at_least(wait_days, ks * rule.every_days / factor)
        p = p * np.cumprod(p > 0)  # up to the first k the wait cannot reach
        total += rule.probability * float(p.sum())
    return total


def chases_per_step(m: ProcessMap) -> np.ndarray:
    """Expected chases during the wait before each step (with an id) of the map, in the order of its steps."""
    return np.array([_expected_chases(s, m) for s in m.steps if s.id])


def expect(m: ProcessMap, kind: DemandKind, chases: np.ndarray | None = None,
           touch_mean: TouchMean | None = None) -> Expectation:
    """Expected metrics for one kind of demand (its type, nature, cause and touchpoint). `chases` is
    `chases_per_step(m)` when the caller has it already (it does not depend on the kind of demand).

    A step whose touch time comes from the data has the mean `touch_mean(step, demand type)` (the engine's
    fit of the demand's handling minutes: workbench.sim.service_times.touch_mean); without it, or without
    data, its time is unknown, and so are the touch minutes, end-to-end days and flow efficiency of every demand
    that visits it (NaN, shown as "–": never a confident zero)."""
    steps = [s for s in m.steps if s.id]
    index = {s.id: i for i, s in enumerate(steps)}
    n = len(steps)
    entry = m.entry_for(kind.touchpoint)
    if entry not in index:
        raise FlowError(f"{m.source}: the entry step '{entry}' is not a step of the map.")
    q = np.zeros((n, n))
    to_resolved = np.zeros(n)
    to_unrouted = np.zeros(n)
    handoff_rate = np.zeros(n)
    rework_rate = np.zeros(n)
    # the one-stop chain keeps only moves that keep the demand with its first owner, without rework or waiting
    q1 = np.zeros((n, n))
    r1 = np.zeros(n)
    for i, s in enumerate(steps):
        for target, p, rework in _transitions(s, kind, index):
            if target == RESOLVED:
                to_resolved[i] += p
                if not rework:
                    r1[i] += p
            elif target == UNROUTED:
                to_unrouted[i] += p
            else:
                j = int(target)
                q[i, j] += p
                if is_handoff(s, steps[j]):
                    handoff_rate[i] += p
                if rework:
                    rework_rate[i] += p
                elif not is_handoff(s, steps[j]) and steps[j].wait.is_zero():
                    q1[i, j] += p
        if s.recall_type and not s.rework_to:  # a wrong outcome here brings the customer back: not one stop
            accurate = min(max(s.complete_and_accurate, 0.0), 100.0) / 100.0
            r1[i] *= accurate
            q1[i] *= accurate
    start = np.zeros(n)
    start[index[entry]] = 1.0
    try:
        visits = np.linalg.solve((np.eye(n) - q).T, start)
        one_stop_visits = np.linalg.solve((np.eye(n) - q1).T, start)
    except np.linalg.LinAlgError:
        raise FlowError(f"{m.source}: demand of type '{kind.demand_type}' can loop for ever; check the routes "
                        "and rework of the map.") from None
    if not np.all(np.isfinite(visits)) or visits.max() > 1e9:
        raise FlowError(f"{m.source}: demand of type '{kind.demand_type}' can loop for ever.")
    value = np.array([1.0 if s.is_value else 0.0 for s in steps])
    touch = np.array([(touch_mean(s, kind.demand_type) if touch_mean else math.nan) if s.touch.from_data
                      else s.touch.mean_minutes() for s in steps], dtype=float)
    wait = np.array([s.wait.mean_minutes() / MINUTES_PER_DAY for s in steps])
    not_accurate = np.array([(1 - min(max(s.complete_and_accurate, 0), 100) / 100) if s.recall_type and not
                             s.rework_to else 0.0 for s in steps])
    if chases is None:
        chases = chases_per_step(m)
    total_steps = float(visits.sum())
    seen = visits > 1e-12  # a step never visited adds nothing, even when its time is unknown
    touch_minutes = float(visits[seen] @ touch[seen])
    wait_days = float(visits @ wait)
    e2e = wait_days + touch_minutes / MINUTES_PER_DAY
    recalls = float(visits @ not_accurate)
    chase_count = float(visits @ chases)
    return Expectation(
        demand_type=kind.demand_type, touchpoint=kind.touchpoint, nature=kind.nature,
        steps=total_steps,
        value_steps=float(visits @ value),
        value_step_share=float(visits @ value) / total_steps if total_steps else 0.0,
        handoffs=float(visits @ handoff_rate),
        rework=float(visits @ rework_rate),
        touch_minutes=touch_minutes,
        wait_days=wait_days,
        end_to_end_days=e2e,
        flow_efficiency=touch_minutes / (e2e * MINUTES_PER_DAY) if e2e > 0 else (1.0 if e2e == 0 else math.nan),
        one_stop=float(one_stop_visits @ r1),
        recalls=recalls,
        chases=chase_count,
        failure_demand=recalls + chase_count,
        unrouted=float(visits @ to_unrouted),
    )


def kinds_from_catalogue(catalogue: Catalogue, touchpoint: str = "") -> list[DemandKind]:
    return [DemandKind(t.name, t.nature if t.decided else "", t.cause, touchpoint) for t in catalogue.types]


def demand_mix(frame: pd.DataFrame, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """The sample's mix: demand_type, touchpoint, nature, cause, count. Nature and cause come from the
    catalogue where the type is in it, else from the most common classification in the data."""
    df = frame[[schema.DEMAND_TYPE, schema.TOUCHPOINT, schema.NATURE, schema.FAILURE_CAUSE]].astype("object")
    df = df.fillna({schema.DEMAND_TYPE: "", schema.FAILURE_CAUSE: ""})
    mix = df.groupby([schema.DEMAND_TYPE, schema.TOUCHPOINT], sort=False).size().rename("count").reset_index()
    majority = (df.groupby(schema.DEMAND_TYPE)[[schema.NATURE, schema.FAILURE_CAUSE]]
                .agg(_most_common))
    natures, causes = [], []
    for t in mix[schema.DEMAND_TYPE]:
        entry = catalogue.lookup(t) if catalogue and t else None
        if entry and entry.decided:
            natures.append(entry.nature)
            causes.append(entry.cause)
        else:
            natures.append(str(majority.loc[t, schema.NATURE]) if t in majority.index else "")
            causes.append(str(majority.loc[t, schema.FAILURE_CAUSE]) if t in majority.index else "")
    mix["nature"] = natures
    mix["cause"] = causes
    return mix.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


MIX_METRICS = ("steps", "value_steps", "handoffs", "rework", "touch_minutes", "wait_days", "end_to_end_days",
               "one_stop", "recalls", "chases", "failure_demand", "unrouted")


def expect_mix(m: ProcessMap, mix: pd.DataFrame, touch_mean: TouchMean | None = None
               ) -> tuple[pd.DataFrame, dict[str, float]]:
    """Expectations per demand type (touchpoints weighted by the mix) and for the whole mix (`touch_mean`: see
    `expect`).

    Returns (per_type, totals). Shares and ratios in the totals are ratios of weighted sums
    (e.g. value-step share = expected value steps / expected steps), so they describe the mix as a whole.
    """
    rows = []
    cache: dict[DemandKind, Expectation] = {}
    chases = chases_per_step(m)
    for rec in mix.to_dict("records"):
        kind = DemandKind(rec[schema.DEMAND_TYPE], rec["nature"], rec["cause"], rec[schema.TOUCHPOINT])
        if kind not in cache:
            cache[kind] = expect(m, kind, chases, touch_mean)
        rows.append({**cache[kind].to_dict(), "count": rec["count"]})
    detail = pd.DataFrame(rows)
    if detail.empty:
        return detail, {}
    weights = detail["count"].astype(float)
    grouped = detail.assign(**{k: detail[k] * weights for k in MIX_METRICS}).groupby(
        "demand_type", sort=False)
    # an unknown figure (NaN: a time from the data without data) stays unknown in a type's mean and the total
    unknown = detail[list(MIX_METRICS)].isna().groupby(detail["demand_type"], sort=False).any()
    per_type = grouped[list(MIX_METRICS)].sum().mask(unknown).div(grouped["count"].sum(), axis=0)
    per_type["count"] = grouped["count"].sum()
    per_type["nature"] = grouped["nature"].first()
    per_type = _ratios(per_type).reset_index().sort_values("count", ascending=False, kind="stable")
    total_weight = float(weights.sum())
    means = {k: float((detail[k] * weights).sum(skipna=False) / total_weight) for k in MIX_METRICS}
    totals: dict[str, float] = {str(k): float(v) for k, v in _ratios(pd.DataFrame([means])).iloc[0].items()}
    totals["demands"] = total_weight
    totals["failure_demand_per_100"] = totals["failure_demand"] * 100
    return per_type.reset_index(drop=True), {k: float(v) for k, v in totals.items()}


def _most_common(values: pd.Series) -> object:
    return values.value_counts().index[0] if len(values) else ""


def _ratios(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["value_step_share"] = np.where(df["steps"] > 0, df["value_steps"] / df["steps"].where(df["steps"] > 0), 0.0)
    e2e_minutes = df["end_to_end_days"] * MINUTES_PER_DAY
    df["flow_efficiency"] = np.where(e2e_minutes > 0, df["touch_minutes"] / e2e_minutes.where(e2e_minutes > 0),
                                     np.where(e2e_minutes.isna(), np.nan, 1.0))  # unknown stays unknown
    return df


def mix_from_catalogue(catalogue: Catalogue, touchpoint: str = "") -> pd.DataFrame:
    """An even mix of the catalogue's types at one touchpoint: per-type expectations without a sample."""
    return pd.DataFrame([{schema.DEMAND_TYPE: t.name, schema.TOUCHPOINT: touchpoint, "nature": t.nature,
                          "cause": t.cause, "count": 1} for t in catalogue.types])
