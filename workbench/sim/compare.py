"""Compare designs: the same demand, the same random draws, several replications, intervals.

Each replication builds one set of arrivals (a bootstrap of the sample when resampling) and runs every design
on it, with counter-based draws keyed by demand and step: differences between designs come from the designs,
not from noise. Intervals are 95% t-intervals over replications; differences against the first design are
paired by replication.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench import schema
from workbench.demand.catalogue import Catalogue, load_catalogue
from workbench.flow.model import MapFileError, ProcessMap
from workbench.flow.routing import DemandKind
from workbench.sim import metrics, parallel
from workbench.sim.engine import (
    Arrival,
    Draws,
    RunResult,
    ServiceTimeError,
    missing_service_times,
    people,
    plan_arrivals,
    service_minutes_by_type,
    simulate,
)
from workbench.sim.service_times import patience_estimates, patience_from_data_problem, patience_means

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


# ------------------------------------------------------------------------ failure demand a design prevents

_PREVENT_KEY = 104_729  # the draw that decides whether a sample demand is prevented: (seed, sample row, this)


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def percent(share: float) -> str:
    """A share as people write it: 80%, 12.5%."""
    value = round(share * 100, 1)
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"


@dataclass(frozen=True)
class Prevention:
    """The team's assumption that a design prevents some of the failure demand in the sample: `share` (0..1) of
    the demands whose failure `cause` (or whose `demand_type`) this names. Those demands are left out of the
    design's run; which ones is decided by a draw keyed by (seed, sample row) only, so the same demands are
    left out in every replication, and by every design that assumes the same (a larger share leaves out the
    same demands and more). Failure demand the design generates itself (chases, recalls) is never prevented."""

    share: float
    cause: str = ""
    demand_type: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "cause", " ".join(str(self.cause).split()))
        object.__setattr__(self, "demand_type", " ".join(str(self.demand_type).split()))
        if bool(self.cause) == bool(self.demand_type):
            raise ValueError("a prevention names either a failure cause or a demand type")
        share = float(self.share)
        if not 0.0 <= share <= 1.0 or math.isnan(share):
            raise ValueError(f"the share prevented must be between 0% and 100% (is {share * 100:g}%)")
        object.__setattr__(self, "share", share)

    def matches(self, kind: DemandKind) -> bool:
        """Whether a demand of the sample is one this prevention is about (a cause only on failure demand)."""
        if self.demand_type:
            return _fold(kind.demand_type) == _fold(self.demand_type)
        return kind.nature != "value" and _fold(kind.cause) == _fold(self.cause)

    @property
    def what(self) -> str:
        return self.cause if self.cause else f"'{self.demand_type}' demand"

    def words(self) -> str:
        """"80% of progress chasing"."""
        return f"{percent(self.share)} of {self.what}"

    def to_dict(self) -> dict[str, object]:
        key = "cause" if self.cause else "demand_type"
        return {key: self.cause or self.demand_type, "share": self.share}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Prevention:
        return cls(share=float(str(data.get("share", 0))), cause=str(data.get("cause") or ""),
                   demand_type=str(data.get("demand_type") or ""))


def assumption_words(prevented: Sequence[Prevention]) -> str:
    """"assumes 80% of progress chasing is prevented" ("" when nothing is assumed)."""
    if not prevented:
        return ""
    parts = [p.words() for p in prevented]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"assumes {joined} {'is' if len(parts) == 1 else 'are'} prevented"


_PREVENT_ARG = re.compile(r"^(?P<map>.+?):(?P<field>cause|type)=(?P<what>.+):(?P<share>[0-9]+(?:\.[0-9]+)?)\s*%?$")


def parse_prevention(text: str) -> tuple[str, Prevention]:
    """`DESIGN:cause=CAUSE:SHARE%` or `DESIGN:type=DEMAND TYPE:SHARE%` (the CLI's --prevent) as (design,
    Prevention); SHARE is a percent, 0 to 100. ValueError with a sentence when it does not read."""
    found = _PREVENT_ARG.match(text.strip())
    if not found:
        raise ValueError(f"'{text}' does not read as DESIGN_FILE:cause=CAUSE:SHARE% or "
                         "DESIGN_FILE:type=DEMAND TYPE:SHARE% (e.g. 'redesign.yaml:cause=progress chasing:80%')")
    share = float(found["share"]) / 100.0
    if share > 1:
        raise ValueError(f"'{text}': the share prevented is a percent from 0 to 100")
    what = found["what"].strip()
    prevention = Prevention(share, cause=what) if found["field"] == "cause" else Prevention(share, demand_type=what)
    return found["map"].strip(), prevention


def prevented_rows(arrivals: Iterable[Arrival], prevented: Sequence[Prevention], seed: int) -> set[int]:
    """The sample rows (Arrival.row) of the arrivals a design prevents: each matching row is left out when its
    draw, keyed by (seed, row) only, falls below the largest share of the preventions it matches."""
    out: set[int] = set()
    if not prevented:
        return out
    seen: set[int] = set()
    for a in arrivals:
        if a.row < 0 or a.generated or a.row in seen:
            continue
        seen.add(a.row)
        share = max((p.share for p in prevented if p.matches(a.kind)), default=0.0)
        if share > 0 and Draws(seed, a.row, _PREVENT_KEY).uniform() < share:
            out.add(a.row)
    return out


@dataclass
class DesignResult:
    name: str
    design: str
    source: str
    replications: list[dict[str, float]] = field(default_factory=list)
    runs: list[RunResult] = field(default_factory=list)
    prevented: tuple[Prevention, ...] = ()  # failure demand of the sample this run assumes prevented
    variant_of: str = ""  # the design (name) this is the run of without its assumed prevention
    left_out: list[int] = field(default_factory=list)  # measured sample demands left out, per replication
    roles: list[dict[str, object]] = field(default_factory=list)  # id, name, staff (as run), people

    def metric(self, key: str) -> tuple[float, float, float]:
        return interval(self.values(key))

    def values(self, key: str) -> list[float]:
        """The key's value in each replication; `utilisation_<role name>` reads the role of that name."""
        if key.startswith("utilisation_") and self.replications and key not in self.replications[0]:
            ids = [rid for rid in self._role_ids() if self.role_label(rid) == key.removeprefix("utilisation_")]
            if ids:
                key = f"utilisation_{ids[0]}"
        return [r.get(key, math.nan) for r in self.replications]

    def _role_ids(self) -> list[str]:
        return [str(r["id"]) for r in self.roles]

    def role_label(self, role_id: str) -> str:
        """A role as people know it: its name (with its id when two roles of the design share a name)."""
        names = {str(r["id"]): str(r.get("name") or r["id"]) for r in self.roles}
        name = names.get(role_id, role_id)
        return f"{name} ({role_id})" if list(names.values()).count(name) > 1 else name

    def assumption(self) -> str:
        return assumption_words(self.prevented)

    def left_out_mean(self) -> float:
        return float(np.mean(self.left_out)) if self.left_out else 0.0

    def nothing_left(self) -> bool:
        """Every demand of the sample was assumed prevented in some replication: nothing was run there."""
        return any(r.get("demands", 1.0) == 0 for r in self.replications)

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
    vary_arrivals: bool = False  # asked for: every replication bootstraps the sample's days
    arrivals_vary: bool = False  # replications differ in their arrivals (vary_arrivals, or weeks/volume set)
    answer_within_seconds: float = 20

    def table(self) -> pd.DataFrame:
        """Long table: metric, design, mean, low, high, and the difference from the first design. Roles are
        compared by name (`utilisation_<role name>`), so two designs' roles of one name share a row; when a
        design assumes failure demand prevented, `demands` (the sample's demands run) comes first."""
        rows = []
        base = self.designs[0]
        keys = list(dict.fromkeys(self._shown_key(d, k) for d in self.designs for k in d.metric_keys()))
        if any(d.prevented for d in self.designs):
            keys.insert(0, "demands")
        for d in self.designs:
            for key in keys:
                mean, lo, hi = d.metric(key)
                diffs = [a - b for a, b in zip(d.values(key), base.values(key), strict=True)]
                dmean, dlo, dhi = interval(diffs)
                rows.append({"metric": key, "label": label(key, self.answer_within_seconds), "design": d.name,
                             "mean": mean,
                             "low": max(lo, 0.0) if not math.isnan(lo) else lo, "high": hi, "difference": dmean, "difference_low": dlo, "difference_high": dhi})
        return pd.DataFrame(rows)

    @staticmethod
    def _shown_key(d: DesignResult, key: str) -> str:
        return f"utilisation_{d.role_label(key.removeprefix('utilisation_'))}" if key.startswith(
            "utilisation_") else key

    def assumptions(self) -> dict[str, str]:
        """What each design assumes prevented, in words for the table ("" when nothing is assumed anywhere)."""
        if not any(d.prevented for d in self.designs):
            return {}
        out = {}
        for d in self.designs:
            if d.prevented:
                out[d.name] = (f"{'; '.join(p.words() for p in d.prevented)} (on average "
                               f"{d.left_out_mean():,.0f} of the sample's demands left out)")
            elif d.variant_of:
                out[d.name] = "none: the same design on the whole sample"
            else:
                out[d.name] = "none"
        return out

    def intervals_cover(self) -> str:
        """What the replications' intervals cover, in words (the table, the headline and the JSON say it)."""
        if self.arrivals_vary:
            return "service times and which days arrive (each replication a bootstrap of the sample's days by weekday)"
        return "service times only (every replication replays the sample's own days)"

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
                "prevented": [p.to_dict() for p in d.prevented], "assumption": d.assumption() or None,
                "variant_of": d.variant_of or None, "left_out": _clean(d.left_out_mean()), "roles": d.roles,
            })
        return {"weeks": self.weeks, "replications": self.replications, "seed": self.seed,
                "demands_per_replication": self.demands, "designs": out, "headline": self.headline(),
                "vary_arrivals": self.vary_arrivals, "arrivals_vary": self.arrivals_vary,
                "intervals_cover": self.intervals_cover()}

    def e2e_distribution(self, points: int = 101) -> pd.DataFrame:
        """End-to-end days at each share of demands (an ECDF as quantiles), pooled over replications:
        a small frame for charting the whole distribution of every design."""
        rows = []
        shares = np.linspace(0.0, 1.0, points)
        for d in self.designs:
            if not d.runs:  # nothing was run (all of its demand assumed prevented)
                continue
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
        empty = [d for d in self.designs if d.nothing_left()]
        stuck = [d for d in self.designs if d.nothing_resolved() and d not in empty]
        if stuck or empty:
            return " ".join([f"{d.name} {d.assumption()}: that leaves none of the sample's demand to run, so it has "
                             "no figures; assume less prevented." for d in empty] + [
                f"{d.name}: no demand was resolved in the period ({self.demands:,} demands arrived, "
                "none was met), so it has no resolution shares or end-to-end times; check its "
                "touch times, waits and staffing." for d in stuck])
        primary = [d for d in self.designs if not d.variant_of]
        if len(primary) < 2 and len(primary) == len(self.designs):
            return ""
        ranked = sorted(primary, key=lambda d: -np.nan_to_num(d.metric("one_stop_share")[0]))
        best, others = ranked[0], ranked[1:]

        def who(d: DesignResult) -> str:  # the name, with what it assumes next to the figures it changes
            return f"{d.name} ({d.assumption()})" if d.prevented else d.name

        def pct(d: DesignResult) -> str:
            return f"{d.metric('one_stop_share')[0]:.0%}"

        def days(d: DesignResult) -> str:
            return time_in_words(d.metric("e2e_days_median")[0])

        def fd(d: DesignResult) -> str:
            return f"{d.metric('failure_demand_per_100')[0]:.0f}"

        def hours(d: DesignResult) -> str:
            return f"{d.metric('failure_staff_hours')[0]:,.0f}"

        sentences = []
        if others:
            vs = " and ".join(f"{pct(o)} ({who(o)})" for o in others)
            vs_days = " and ".join(days(o) for o in others)
            vs_fd = " and ".join(fd(o) for o in others)
            gave_up = ""
            if all(not math.isnan(d.metric("abandoned_share")[0]) for d in [best, *others]):
                vs_gave_up = " and ".join(f"{o.metric('abandoned_share')[0]:.0%}" for o in others)
                gave_up = (f"; {best.metric('abandoned_share')[0]:.0%} of callers gave up waiting vs "
                           f"{vs_gave_up}")
            sentences.append(
                f"{who(best)}: {pct(best)} resolved at first contact, vs {vs}; median {days(best)} from first "
                f"contact to the need met vs {vs_days}; {fd(best)} failure demands caused per 100 demands vs "
                f"{vs_fd}{gave_up}.")
        for d in primary:
            without = next((v for v in self.designs if v.variant_of == d.name), None)
            if not d.prevented or without is None or without.nothing_resolved():
                continue
            sentences.append(
                f"{d.name} {d.assumption()}: with it, {hours(d)} staff hours on failure demand, {pct(d)} resolved "
                f"at first contact, median {days(d)}; without it (the whole sample), {hours(without)} staff "
                f"hours on failure demand, {pct(without)} resolved at first contact, median {days(without)}.")
        if sentences and self.replications > 1:
            sentences.append(f"The 95% intervals cover {self.intervals_cover()}.")
        return " ".join(sentences)


def time_in_words(days: float) -> str:
    """An end-to-end time as a manager says it: days from a day up ("1.4 days", "31 days"), hours under a day
    ("5.5 hours"), minutes under two hours ("25 minutes"); "no figure" when there is none."""
    if days is None or math.isnan(days):
        return "no figure"
    if days >= 1:
        return f"{days:.1f} days" if days < 10 else f"{days:.0f} days"
    hours = days * 24
    if hours >= 2:
        return f"{hours:.1f} hours"
    minutes = hours * 60
    return "under a minute" if minutes < 1 else f"{minutes:.0f} minutes"


def _clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 6)


def label(key: str, answer_within_seconds: float = 20) -> str:
    if key.startswith("utilisation_"):
        return f"Utilisation: {key.removeprefix('utilisation_')}"
    if key == "demands":
        return "Demands of the sample run"
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
    patience = patience_problem(maps, demand)
    if patience:
        return patience
    if not any(s.touch.from_data for m in maps for s in m.steps):
        return None
    has_data = bool(service_minutes_by_type(demand, catalogue))
    for m in maps:
        problem = missing_service_times(m, has_data)
        if problem:
            return problem
    return None


def patience_from_data(maps: Sequence[ProcessMap]) -> bool:
    """Whether some touchpoint or step of these designs takes callers' patience from the data."""
    return any(q.patience is not None and q.patience.from_data for m in maps for q in m.touchpoints.values()) \
        or any(s.patience is not None and s.patience.from_data for m in maps for s in m.steps)


def patience_problem(maps: Sequence[ProcessMap], demand: pd.DataFrame) -> str | None:
    """In plain words, why a design's `patience: from_data` cannot be estimated from this demand; None when it
    can or no design asks for it."""
    if not patience_from_data(maps):
        return None
    return patience_from_data_problem(maps, patience_estimates(demand))


def map_catalogue(m: ProcessMap, fallback: Catalogue | None) -> Catalogue | None:
    """The catalogue the map names beside it, else `fallback` (a name leading out of its folder is never read)."""
    try:
        path = m.catalogue_path()
    except MapFileError:
        return fallback
    if path is not None and path.exists():
        return load_catalogue(path)
    return fallback


@dataclass(frozen=True)
class DesignRun:
    """One design as a replication runs it: plain, picklable inputs (sent to worker processes and clusters)."""

    process_map: ProcessMap
    catalogue: Catalogue | None
    staffing: Mapping[str, float] | None
    prevented: tuple[Prevention, ...] = ()


@dataclass(frozen=True)
class ReplicationJob:
    """Everything a replication needs besides the demand frame and its number: the designs, how to plan the
    arrivals (each replication's plan is built from (seed, replication) where it runs) and what to return."""

    designs: tuple[DesignRun, ...]
    plan_catalogue: Catalogue | None
    weeks: int | None
    volume: float
    warmup_weeks: int
    seed: int
    vary_arrivals: bool
    service: Mapping[str, Sequence[float]]
    patience: Mapping[str, float]
    answer_within_seconds: float
    keep_runs: bool


@dataclass
class DesignOutcome:
    summary: dict[str, float]
    left_out: int | None  # measured sample demands left out by the design's prevention (None: it prevents none)
    run: RunResult | None  # only when the job keeps runs and something was measured


@dataclass
class ReplicationOutcome:
    replication: int
    weeks: float
    measured: int  # measured arrivals of the plan (the sample's demands in the period)
    designs: list[DesignOutcome]


def run_replication(job: ReplicationJob, demand: pd.DataFrame, replication: int,
                    step: Callable[[], None] | None = None) -> ReplicationOutcome:
    """One replication of every design of `job` on the same arrivals: a top-level function of plain inputs, so
    it runs the same in this process, a worker process or a cluster (its draws are keyed by seed and
    replication, never by where it runs). `step()` is called after each design."""
    plan = plan_arrivals(demand, job.plan_catalogue, weeks=job.weeks, volume=job.volume,
                         warmup_weeks=job.warmup_weeks, seed=job.seed, replication=replication,
                         vary_arrivals=job.vary_arrivals)
    measured = sum(a.measured for a in plan.arrivals)
    out = []
    for d in job.designs:
        arrivals = plan.arrivals
        left_out = None
        if d.prevented:
            rows = prevented_rows(arrivals, d.prevented, job.seed)
            arrivals = [a for a in arrivals if a.row not in rows]
            left_out = measured - sum(a.measured for a in arrivals)
        run = simulate(d.process_map, arrivals, catalogue=d.catalogue, seed=job.seed, replication=replication,
                       staffing=d.staffing, measured=(plan.measured_start, plan.measured_end),
                       service_minutes=job.service, start_date=plan.start_date, patience_minutes=job.patience)
        if not any(a.measured for a in arrivals):  # all of the sample assumed prevented: nothing to measure
            out.append(DesignOutcome(_nothing_run(run), left_out, None))
        else:
            out.append(DesignOutcome(metrics.summarise(run, plan.weeks, job.answer_within_seconds), left_out,
                                     run if job.keep_runs else None))
        if step:
            step()
    return ReplicationOutcome(replication, plan.weeks, measured, out)


def _arrivals_estimate(demand: pd.DataFrame, weeks: int | None, volume: float, warmup_weeks: int) -> float:
    """Roughly how many arrivals a replication has (to decide whether other processes are worth starting)."""
    if demand.empty or schema.RECEIVED_AT not in demand.columns:
        return float(len(demand))
    dates = demand[schema.RECEIVED_AT].dropna()
    if dates.empty:
        return float(len(demand))
    days = max(1, (dates.max().normalize() - dates.min().normalize()).days + 1)
    simulated = 7 * max(warmup_weeks, 0) + (7 * weeks if weeks is not None else days)
    return len(demand) / days * max(volume, 0.0) * simulated


def compare(maps: list[ProcessMap], demand: pd.DataFrame, *, catalogue: Catalogue | None = None,
            weeks: int | None = None, volume: float = 1.0, replications: int = 5, seed: int = 1,
            warmup_weeks: int = 1, staffing: Mapping[str, Mapping[str, float]] | None = None,
            progress: Callable[[float, str], object] | None = None, keep_runs: bool = True,
            prevented: Mapping[str, Sequence[Prevention]] | None = None, vary_arrivals: bool = False,
            answer_within_seconds: float = 20, workers: int | None = None) -> Comparison:
    """Run every design on the same demand, `replications` times. `staffing` maps a design's source (file
    name) to {role: staff}. `progress(fraction, message)` is called, in the calling thread, as runs finish. Steps
    that take their time from the data draw from the demand's handling minutes by type
    (`service_minutes_by_type`); raises `ServiceTimeError` (plain words, naming the step) when there are none.
    A patience from the data is exponential with the mean estimated once per touchpoint from the demand's queue
    waits (`service_times.patience_estimates`); too few calls that gave up is a `ServiceTimeError` too.

    `prevented` maps a design's source to the failure demand of the sample it is assumed to prevent: those
    demands are left out of its run, and the design is also run without the assumption (a design of its own,
    named "<name> (nothing prevented)", right after it) on the same arrivals and draws, so the two differ by
    the assumption only. `vary_arrivals` bootstraps the sample's days in every replication.

    Replications run in parallel (`workbench.sim.parallel`): `workers` processes of this machine, this one
    included (None: every core; 1: one after another here), or the dask cluster of `WORKBENCH_DASK_SCHEDULER`.
    The results are the same wherever they run; `parallel.WorkerError` when a worker dies."""
    if not maps:
        raise ValueError("choose at least one design")
    from_data = any(s.touch.from_data for m in maps for s in m.steps)
    service = service_minutes_by_type(demand, catalogue or map_catalogue(maps[0], None)) if from_data else {}
    problem = next((p for p in (missing_service_times(m, bool(service)) for m in maps) if p), None)
    if problem:
        raise ServiceTimeError(problem)
    patience: dict[str, float] = {}
    if patience_from_data(maps):  # estimated once per touchpoint from the demand's queue waits
        estimates = patience_estimates(demand)
        problem = patience_from_data_problem(maps, estimates)
        if problem:
            raise ServiceTimeError(problem)
        patience = patience_means(estimates)
    replications = max(1, int(replications))
    prevented = {src: tuple(ps) for src, ps in (prevented or {}).items() if ps}
    results: list[DesignResult] = []
    designs: list[DesignRun] = []
    taken = {m.name for m in maps}
    for m in maps:
        cat = map_catalogue(m, catalogue)
        staff = {r.id: float((staffing or {}).get(m.source, {}).get(r.id, r.staff)) for r in m.roles}
        roles: list[dict[str, object]] = [{"id": r.id, "name": r.name or r.id, "staff": staff[r.id],
                                           "people": people(staff[r.id])} for r in m.roles]
        ps = tuple(prevented.get(m.source, ()))
        overrides = (staffing or {}).get(m.source)
        results.append(DesignResult(m.name, m.design, m.source, prevented=ps, roles=roles))
        designs.append(DesignRun(m, cat, dict(overrides) if overrides is not None else None, ps))
        if ps:
            name = f"{m.name} (nothing prevented)"
            while name in taken:
                name += " "
            taken.add(name)
            results.append(DesignResult(name, m.design, m.source, variant_of=m.name, roles=roles))
            designs.append(DesignRun(m, cat, dict(overrides) if overrides is not None else None))
    job = ReplicationJob(tuple(designs), catalogue or designs[0].catalogue, weeks, volume, warmup_weeks, seed,
                         vary_arrivals, service, patience, answer_within_seconds, keep_runs)
    plan = parallel.choose(replications, parallel.estimated_work(
        _arrivals_estimate(demand, weeks, volume, warmup_weeks), len(designs), replications), workers)
    total = replications * len(designs)
    done = 0
    parts: dict[int, int] = {}  # designs of a replication finished here so far

    def report(message: str) -> None:
        if progress:
            progress(min(done / total, 1.0), message)

    def on_step(r: int) -> None:  # a design of a replication running in this process finished
        nonlocal done
        k = parts.get(r, 0)
        parts[r] = k + 1
        done += 1
        report(f"Replication {r + 1} of {replications}: {results[k].name} done")

    def on_done(r: int, outcome: ReplicationOutcome) -> None:
        nonlocal done
        if r not in parts:  # it ran elsewhere: all of its designs finish at once
            done += len(designs)
            report(f"Replication {r + 1} of {replications} done ({plan.words()})")

    report(f"Running {replications} replication{'s' if replications != 1 else ''} of {len(results)} "
           f"design{'s' if len(results) != 1 else ''} {plan.words()}")
    outcomes = parallel.run(run_replication, job, demand, range(replications), plan, on_done, on_step)
    for r in range(replications):  # assembled by (replication, design), never by the order runs finished
        outcome = outcomes[r]
        for res, got in zip(results, outcome.designs, strict=True):
            res.replications.append(got.summary)
            if got.left_out is not None:
                res.left_out.append(got.left_out)
            if got.run is not None:
                res.runs.append(got.run)
    if progress:
        progress(1.0, "Done")
    plan_demands = [outcomes[r].measured for r in range(replications)]
    return Comparison(results, outcomes[replications - 1].weeks, replications, seed,
                      round(sum(plan_demands) / len(plan_demands)), vary_arrivals=vary_arrivals,
                      arrivals_vary=vary_arrivals or weeks is not None or volume != 1.0,
                      answer_within_seconds=answer_within_seconds)


def _nothing_run(run: RunResult) -> dict[str, float]:
    """The summary of a run left with no measured demand (every demand of the sample assumed prevented): no
    times or shares, no work, no staff busy."""
    out = {key: math.nan for key in metrics.HEADLINE}
    out.update({"demands": 0.0, "resolved": 0.0, "unfinished": 0.0, "staff_hours_total": 0.0,
                "failure_staff_hours": 0.0, "failure_fte": 0.0, "throughput_per_day": 0.0})
    for rec in run.roles.to_dict("records"):
        out[f"utilisation_{rec['role']}"] = 0.0
    return out


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
    # design source -> the failure demand of the sample that design is assumed to prevent (default: none)
    prevented: Mapping[str, Sequence[Prevention]] = field(default_factory=dict)
    vary_arrivals: bool = False  # every replication a bootstrap of the sample's days, even at its weeks/volume
    answer_within_seconds: int = 20  # the service level: the share of callers answered within this many seconds

    def __post_init__(self) -> None:
        # a copy, so that changing the caller's dicts later cannot change settings already used as a key
        object.__setattr__(self, "staffing", {s: dict(roles) for s, roles in self.staffing.items()})
        object.__setattr__(self, "prevented", {s: tuple(ps) for s, ps in self.prevented.items() if ps})

    def to_dict(self) -> dict[str, object]:
        return {"weeks": self.weeks, "volume": self.volume, "replications": self.replications, "seed": self.seed,
                "staffing": {s: dict(roles) for s, roles in self.staffing.items()},
                "prevented": {s: [p.to_dict() for p in ps] for s, ps in self.prevented.items()},
                "vary_arrivals": self.vary_arrivals, "answer_within_seconds": self.answer_within_seconds}

    def run(self, maps: list[ProcessMap], demand: pd.DataFrame, *, catalogue: Catalogue | None = None,
            progress: Callable[[float, str], object] | None = None, keep_runs: bool = True,
            workers: int | None = None) -> Comparison:
        """`compare` with these settings (`workers`: where replications run, which never changes the results)."""
        return compare(maps, demand, catalogue=catalogue, weeks=self.weeks, volume=self.volume,
                       replications=self.replications, seed=self.seed, staffing=self.staffing, progress=progress,
                       keep_runs=keep_runs, prevented=self.prevented, vary_arrivals=self.vary_arrivals,
                       answer_within_seconds=self.answer_within_seconds, workers=workers)


PERCENT = {"one_stop_share", "value_step_share", "flow_efficiency", "abandoned_share", "answered_within_share"}


def _is_share(key: str) -> bool:
    return key in PERCENT or key.startswith("utilisation_")


def format_value(key: str, value: float | None) -> str:
    """A metric as people read it: shares as percentages, big numbers without decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if _is_share(key):
        return f"{value:.0%}" if abs(value) >= 0.1 else f"{value:.1%}"
    if key == "demands":
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def side_by_side(table: pd.DataFrame, names: list[str], replications: int,
                 assumptions: Mapping[str, str] | None = None, intervals_cover: str = "") -> pd.DataFrame:
    """The comparison as a table to read: one row per measure, each design's value (with its 95% interval
    when there are replications) and each design's difference from the first. `table` is
    `Comparison.table()` (or a stored snapshot of it), so the Compare page and the dashboard read the same.
    `assumptions` (design -> words, `Comparison.assumptions()`) heads the table with the failure demand each
    design assumes prevented; `intervals_cover` ends it with what the intervals cover."""
    rows = []
    if assumptions:
        rows.append({"Measure": ASSUMED_LABEL, **{n: assumptions.get(n) or "none" for n in names},
                     **{f"{n} vs {names[0]}": "" for n in names[1:]}})
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
    if intervals_cover and replications > 1:
        rows.append({"Measure": "The 95% intervals cover", **{n: intervals_cover.split(" (")[0] for n in names},
                     **{f"{n} vs {names[0]}": "" for n in names[1:]}})
    return pd.DataFrame(rows)


ASSUMED_LABEL = "Failure demand assumed prevented"
