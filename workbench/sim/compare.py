"""Compare designs: the same demand, the same random draws, several replications, intervals.

Each replication builds one set of arrivals (a bootstrap of the sample when resampling) and runs every design
on it, with counter-based draws keyed by demand and step: differences between designs come from the designs,
not from noise. Intervals are 95% t-intervals over replications; differences against the first design are
paired by replication.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.demand.catalogue import Catalogue, load_catalogue
from workbench.flow.model import MapFileError, ProcessMap
from workbench.sim import metrics
from workbench.sim.engine import (
    RunResult,
    ServiceTimeError,
    missing_service_times,
    plan_arrivals,
    service_minutes_by_type,
    simulate,
)

# two-sided 95% t quantiles by degrees of freedom (1..30); larger samples use 1.96
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042]


def t95(df: int) -> float:
    return _T95[df - 1] if 1 <= df <= len(_T95) else 1.96


def interval(values: list[float]) -> tuple[float, float, float]:
    """(mean, low, high) of a 95% t-interval; with one value the interval is that value."""
    x = np.asarray([v for v in values if not (v is None or math.isnan(v))], dtype=float)
    if len(x) == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if len(x) < 2:
        return (mean, mean, mean)
    half = t95(len(x) - 1) * float(x.std(ddof=1)) / math.sqrt(len(x))
    return (mean, mean - half, mean + half)


@dataclass
class DesignResult:
    name: str
    design: str
    source: str
    replications: list[dict[str, float]] = field(default_factory=list)
    runs: list[RunResult] = field(default_factory=list)

    def metric(self, key: str) -> tuple[float, float, float]:
        return interval([r.get(key, math.nan) for r in self.replications])

    def nothing_resolved(self) -> bool:
        """No demand of any replication was resolved in the period (its shares and times mean nothing)."""
        return bool(self.replications) and all(r.get("resolved", 1.0) == 0 for r in self.replications)

    def metric_keys(self) -> list[str]:
        keys = list(metrics.HEADLINE)
        for r in self.replications[:1]:
            keys += [k for k in metrics.QUEUE_KEYS if k in r]
            keys += [k for k in r if k.startswith("utilisation_")]
        return keys


@dataclass
class Comparison:
    designs: list[DesignResult]
    weeks: float
    replications: int
    seed: int
    demands: int
    answer_within_seconds: float = 20

    def table(self) -> pd.DataFrame:
        """Long table: metric, design, mean, low, high, and the difference from the first design."""
        rows = []
        base = self.designs[0]
        keys = list(dict.fromkeys(k for d in self.designs for k in d.metric_keys()))
        for d in self.designs:
            for key in keys:
                mean, lo, hi = d.metric(key)
                diffs = [a.get(key, math.nan) - b.get(key, math.nan)
                         for a, b in zip(d.replications, base.replications, strict=True)]
                dmean, dlo, dhi = interval(diffs)
                rows.append({"metric": key, "label": label(key, self.answer_within_seconds), "design": d.name,
                             "mean": mean,
                             "low": max(lo, 0.0) if not math.isnan(lo) else lo, "high": hi, "difference": dmean, "difference_low": dlo, "difference_high": dhi})
        return pd.DataFrame(rows)

    def to_json(self) -> dict[str, object]:
        out = []
        for d in self.designs:
            keys = [k for k in d.metric_keys() if not k.startswith("utilisation_")]
            util = {k.removeprefix("utilisation_"): _clean(d.metric(k)[0]) for k in d.metric_keys()
                    if k.startswith("utilisation_")}
            out.append({
                "name": d.name, "design": d.design, "source": d.source, "nothing_resolved": d.nothing_resolved(),
                "metrics": {**{k: _clean(d.metric(k)[0]) for k in keys}, "utilisation": util},
                "intervals": {k: [_clean(d.metric(k)[1]), _clean(d.metric(k)[2])] for k in d.metric_keys()},
            })
        return {"weeks": self.weeks, "replications": self.replications, "seed": self.seed,
                "demands_per_replication": self.demands, "designs": out, "headline": self.headline()}

    def e2e_distribution(self, points: int = 101) -> pd.DataFrame:
        """End-to-end days at each share of demands (an ECDF as quantiles), pooled over replications:
        a small frame for charting the whole distribution of every design."""
        rows = []
        shares = np.linspace(0.0, 1.0, points)
        for d in self.designs:
            days = pd.concat([metrics.case_view(run)["e2e_days"] for run in d.runs]).dropna()
            if days.empty:
                continue
            for share, value in zip(shares, np.quantile(days.to_numpy(), shares), strict=True):
                rows.append({"design": d.name, "share": float(share), "days": float(value)})
        return pd.DataFrame(rows)

    def failure_hours(self) -> pd.DataFrame:
        """Staff hours and FTE absorbed by failure demand per design, cause and causing step (first run)."""
        frames = [metrics.failure_hours(d.runs[0], self.weeks).assign(design=d.name) for d in self.designs if d.runs]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def queues(self) -> pd.DataFrame:
        """Queueing by design, step and role (first run): visits, queue minutes mean / p90, callers who gave up."""
        frames = [metrics.queues(d.runs[0]).assign(design=d.name) for d in self.designs if d.runs]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def per_demand(self) -> pd.DataFrame:
        """Every simulated demand of every design and replication (what the downloads hold)."""
        frames = []
        for d in self.designs:
            for r, run in enumerate(d.runs):
                frames.append(run.demands.assign(design=d.name, replication=r + 1))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def headline(self) -> str:
        """A sentence a manager can read aloud, best design first on one-stop resolution."""
        stuck = [d for d in self.designs if d.nothing_resolved()]
        if stuck:
            return " ".join(f"{d.name}: no demand was resolved in the period ({self.demands:,} demands arrived, "
                            "none was met), so it has no resolution shares or end-to-end times; check its "
                            "touch times, waits and staffing." for d in stuck)
        if len(self.designs) < 2:
            return ""
        ranked = sorted(self.designs, key=lambda d: -np.nan_to_num(d.metric("one_stop_share")[0]))
        best, others = ranked[0], ranked[1:]

        def pct(d: DesignResult) -> str:
            return f"{d.metric('one_stop_share')[0]:.0%}"

        def days(d: DesignResult) -> str:
            v = d.metric("e2e_days_median")[0]
            return f"{v:.1f}" if v < 10 else f"{v:.0f}"

        def fd(d: DesignResult) -> str:
            return f"{d.metric('failure_demand_per_100')[0]:.0f}"

        vs = " and ".join(f"{pct(o)} ({o.name})" for o in others)
        vs_days = " and ".join(days(o) for o in others)
        vs_fd = " and ".join(fd(o) for o in others)
        return (f"{best.name}: {pct(best)} resolved at first contact, vs {vs}; median {days(best)} days "
                f"from first contact to the need met vs {vs_days}; {fd(best)} failure demands caused per 100 "
                f"demands vs {vs_fd}.")


def _clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 6)


def label(key: str, answer_within_seconds: float = 20) -> str:
    if key.startswith("utilisation_"):
        return f"Utilisation: {key.removeprefix('utilisation_')}"
    if key == "answered_within_share":
        return metrics.answered_within_label(answer_within_seconds)
    return metrics.LABELS.get(key, key)


def step_time_words(m: ProcessMap, demand: pd.DataFrame, catalogue: Catalogue | None = None
                    ) -> dict[str, list[str]]:
    """Each step's touch time in words by step name; for a time from the data, the fit and its parameters over
    all recorded times (what the Compare page states beside a design)."""
    from workbench.sim.service_times import Sampler
    from workbench.sim.service_times import step_time_words as words

    sampler = Sampler(service_minutes_by_type(demand, catalogue))
    return {s.name or s.id: words(s.touch, sampler)[:1] for s in m.steps}


def data_problem(maps: list[ProcessMap], demand: pd.DataFrame, catalogue: Catalogue | None = None) -> str | None:
    """In plain words, why these designs cannot run on this demand file (a step takes its time from handling
    minutes the file does not have); None when they can."""
    if not any(s.touch.from_data for m in maps for s in m.steps):
        return None
    has_data = bool(service_minutes_by_type(demand, catalogue))
    for m in maps:
        problem = missing_service_times(m, has_data)
        if problem:
            return problem
    return None


def map_catalogue(m: ProcessMap, fallback: Catalogue | None) -> Catalogue | None:
    """The catalogue the map names beside it, else `fallback` (a name leading out of its folder is never read)."""
    try:
        path = m.catalogue_path()
    except MapFileError:
        return fallback
    if path is not None and path.exists():
        return load_catalogue(path)
    return fallback


def compare(maps: list[ProcessMap], demand: pd.DataFrame, *, catalogue: Catalogue | None = None,
            weeks: int | None = None, volume: float = 1.0, replications: int = 5, seed: int = 1,
            warmup_weeks: int = 1, staffing: Mapping[str, Mapping[str, float]] | None = None,
            progress: Callable[[float, str], object] | None = None, keep_runs: bool = True,
            answer_within_seconds: float = 20) -> Comparison:
    """Run every design on the same demand, `replications` times. `staffing` maps a design's source (file
    name) to {role: staff}. `progress(fraction, message)` is called as runs finish. Steps that take their
    time from the data draw from the demand's handling minutes by type (`service_minutes_by_type`); raises
    `ServiceTimeError` (plain words, naming the step) when there are none."""
    if not maps:
        raise ValueError("choose at least one design")
    from_data = any(s.touch.from_data for m in maps for s in m.steps)
    service = service_minutes_by_type(demand, catalogue or map_catalogue(maps[0], None)) if from_data else {}
    problem = next((p for p in (missing_service_times(m, bool(service)) for m in maps) if p), None)
    if problem:
        raise ServiceTimeError(problem)
    replications = max(1, int(replications))
    results = [DesignResult(m.name, m.design, m.source) for m in maps]
    catalogues = [map_catalogue(m, catalogue) for m in maps]
    total = replications * len(maps)
    done = 0
    plan_weeks = 0.0
    plan_demands: list[int] = []
    for r in range(replications):
        plan = plan_arrivals(demand, catalogue or catalogues[0], weeks=weeks, volume=volume,
                             warmup_weeks=warmup_weeks, seed=seed, replication=r)
        plan_weeks = plan.weeks
        plan_demands.append(sum(a.measured for a in plan.arrivals))
        for m, res, cat in zip(maps, results, catalogues, strict=True):
            if progress:
                progress(done / total, f"Replication {r + 1} of {replications}: {m.name}")
            run = simulate(m, plan.arrivals, catalogue=cat, seed=seed, replication=r,
                           staffing=(staffing or {}).get(m.source), measured=(plan.measured_start, plan.measured_end),
                           service_minutes=service, start_date=plan.start_date)
            res.replications.append(metrics.summarise(run, plan.weeks, answer_within_seconds))
            if keep_runs:
                res.runs.append(run)
            done += 1
    if progress:
        progress(1.0, "Done")
    return Comparison(results, plan_weeks, replications, seed, round(sum(plan_demands) / len(plan_demands)),
                      answer_within_seconds)


@dataclass(frozen=True)
class CompareSettings:
    """How a comparison is run, as chosen on the Compare page or given to `workbench compare`.

    `to_dict()` is the JSON kept with a stored comparison run (the dashboard and study exports read it), so
    its keys are part of the stored format."""

    weeks: int | None = None  # resample the demand to this many weeks; None: the sample's own weeks
    volume: float = 1.0  # the daily volume, as a multiple of the sample's
    replications: int = 5  # runs with different random draws
    seed: int = 1
    staffing: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # design source -> role -> staff
    answer_within_seconds: int = 20  # the service level: the share of callers answered within this many seconds

    def __post_init__(self) -> None:
        # a copy, so that changing the caller's dicts later cannot change settings already used as a key
        object.__setattr__(self, "staffing", {s: dict(roles) for s, roles in self.staffing.items()})

    def to_dict(self) -> dict[str, object]:
        return {"weeks": self.weeks, "volume": self.volume, "replications": self.replications, "seed": self.seed,
                "staffing": {s: dict(roles) for s, roles in self.staffing.items()},
                "answer_within_seconds": self.answer_within_seconds}

    def run(self, maps: list[ProcessMap], demand: pd.DataFrame, *, catalogue: Catalogue | None = None,
            progress: Callable[[float, str], object] | None = None, keep_runs: bool = True) -> Comparison:
        """`compare` with these settings."""
        return compare(maps, demand, catalogue=catalogue, weeks=self.weeks, volume=self.volume,
                       replications=self.replications, seed=self.seed, staffing=self.staffing, progress=progress,
                       keep_runs=keep_runs, answer_within_seconds=self.answer_within_seconds)


PERCENT = {"one_stop_share", "value_step_share", "flow_efficiency", "abandoned_share", "answered_within_share"}


def _is_share(key: str) -> bool:
    return key in PERCENT or key.startswith("utilisation_")


def format_value(key: str, value: float | None) -> str:
    """A metric as people read it: shares as percentages, big numbers without decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if _is_share(key):
        return f"{value:.0%}" if abs(value) >= 0.1 else f"{value:.1%}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def side_by_side(table: pd.DataFrame, names: list[str], replications: int) -> pd.DataFrame:
    """The comparison as a table to read: one row per measure, each design's value (with its 95% interval
    when there are replications) and each design's difference from the first. `table` is
    `Comparison.table()` (or a stored snapshot of it), so the Compare page and the dashboard read the same."""
    rows = []
    for key in dict.fromkeys(table["metric"]):
        part = table[table["metric"] == key].set_index("design")
        row = {"Measure": str(part["label"].iloc[0]) if "label" in part else label(key)}
        for n in names:
            r = part.loc[n]
            mean = float(r["mean"])
            row[n] = format_value(key, mean) + (
                f"  ({format_value(key, r['low'])} to {format_value(key, r['high'])})"
                if replications > 1 and not math.isnan(mean) else "")
        for n in names[1:]:
            diff = float(part.loc[n]["difference"])
            sign = "+" if diff > 0 else ""
            text = f"{sign}{diff * 100:.0f} points" if _is_share(key) else f"{sign}{format_value(key, diff)}"
            row[f"{n} vs {names[0]}"] = "–" if math.isnan(diff) else text
        rows.append(row)
    return pd.DataFrame(rows)
