"""Times drawn from a distribution given by its mean and sd, or taken from the demand's recorded minutes.

Every draw is an inverse-CDF transform of one counter-based uniform `u` (see `workbench.sim.engine.Draws`),
so two designs give the same demand the same time at the same step (common random numbers):

* lognormal: exp(mu + sigma * z) with z = NormalDist().inv_cdf(u); from a mean m and sd s,
  sigma^2 = ln(1 + s^2/m^2) and mu = ln(m) - sigma^2/2; fitted to data by the mean and sd of the logs;
* gamma: Marsaglia and Tsang's method (2000), exact for any shape: its normal and uniform draws come from
  further counter-based uniforms keyed by `u`, so the same `u` always gives the same time; from a mean m and
  sd s, shape (m/s)^2 and scale s^2/m; fitted to data by its moments (the same two equations);
* from the data as recorded: the sorted recorded minutes, the one at position floor(u * n) (resampling).

`Sampler.for_type` takes the recorded minutes of the demand's type; a type with fewer than `MIN_PER_TYPE`
recorded times uses every type's times together (too few to stand for that type on their own).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from workbench import schema
from workbench.flow.model import Duration, ProcessMap, Step

MIN_PER_TYPE = 5
_NORMAL = NormalDist()
_MASK = (1 << 64) - 1


def splitmix64(x: int) -> int:
    """splitmix64 finaliser: a well-spread 64-bit hash of an integer (the counter-based draws' mixer, also the
    engine's)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def lognormal_params(mean: float, sd: float) -> tuple[float, float]:
    """(mu, sigma) of the lognormal with this mean and standard deviation."""
    sigma2 = math.log1p((sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def gamma_params(mean: float, sd: float) -> tuple[float, float]:
    """(shape, scale) of the gamma with this mean and standard deviation."""
    return (mean / sd) ** 2, sd * sd / mean


def lognormal_draw(mu: float, sigma: float, u: float) -> float:
    return math.exp(mu + sigma * _NORMAL.inv_cdf(u))


def gamma_draw(shape: float, scale: float, u: float) -> float:
    """A gamma(shape, scale) draw keyed by the uniform `u` (Marsaglia-Tsang; shape < 1 by boosting:
    G(a) = G(a + 1) * V^(1/a) with a further uniform V)."""
    key = int(u * (1 << 53))
    i = 0

    def uniform() -> float:
        nonlocal i
        i += 1
        return ((splitmix64((key * 0x2545F4914F6CDD1D + i) & _MASK) >> 11) + 0.5) / float(1 << 53)

    boost = 1.0
    a = shape
    if a < 1:
        boost = uniform() ** (1.0 / a)
        a += 1.0
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    for _ in range(1000):
        x = _NORMAL.inv_cdf(uniform())
        v = 1.0 + c * x
        if v <= 0:
            continue
        v = v * v * v
        if math.log(uniform()) < 0.5 * x * x + d - d * v + d * math.log(v):
            return d * v * scale * boost
    return a * scale * boost  # never reached in practice (acceptance is above 95% per try)


@dataclass(frozen=True)
class Fit:
    """A distribution for a step's time: `kind` "lognormal" (a = mu, b = sigma of the logs), "gamma"
    (a = shape, b = scale) or "data" (the recorded minutes, sorted). `n` recorded times, `pooled` when the
    type had too few of its own and every type's times were used."""

    kind: str
    a: float = 0.0
    b: float = 0.0
    values: tuple[float, ...] = ()
    n: int = 0
    pooled: bool = False

    def draw(self, u: float) -> float:
        if self.kind == "lognormal":
            return lognormal_draw(self.a, self.b, u)
        if self.kind == "gamma":
            return gamma_draw(self.a, self.b, u)
        if not self.values:
            return 0.0
        return self.values[min(int(u * len(self.values)), len(self.values) - 1)]

    @property
    def mean(self) -> float:
        if self.kind == "lognormal":
            return math.exp(self.a + self.b ** 2 / 2)
        if self.kind == "gamma":
            return self.a * self.b
        return float(np.mean(self.values)) if self.values else 0.0

    @property
    def sd(self) -> float:
        if self.kind == "lognormal":
            return self.mean * math.sqrt(math.expm1(self.b ** 2))
        if self.kind == "gamma":
            return math.sqrt(self.a) * self.b
        return float(np.std(self.values, ddof=1)) if len(self.values) > 1 else 0.0

    def describe(self) -> str:
        """The fit in words, with its parameters."""
        where = (f"{self.n:,} recorded times of all types (too few of this type)" if self.pooled
                 else f"{self.n:,} recorded times")
        if self.kind == "lognormal":
            return (f"lognormal fitted to {where}: mean {self.mean:.1f} min, sd {self.sd:.1f} min "
                    f"(log-mean {self.a:.3f}, log-sd {self.b:.3f})")
        if self.kind == "gamma":
            return (f"gamma fitted to {where}: mean {self.mean:.1f} min, sd {self.sd:.1f} min "
                    f"(shape {self.a:.3f}, scale {self.b:.3f} min)")
        return f"resampled from {where}: mean {self.mean:.1f} min, sd {self.sd:.1f} min"


def fit(values: Sequence[float], kind: str, pooled: bool = False) -> Fit:
    """A fit of `kind` ("" or "data": resample; "lognormal"; "gamma") to recorded minutes. Lognormal and gamma
    use the positive times only (a zero has no logarithm and a gamma no mass at zero)."""
    x = np.asarray([v for v in values if v is not None and math.isfinite(v) and v >= 0], dtype=float)
    if kind in ("", "data"):
        return Fit("data", values=tuple(np.sort(x).tolist()), n=len(x), pooled=pooled)
    pos = x[x > 0]
    if len(pos) == 0:
        return Fit("data", values=tuple(np.sort(x).tolist()), n=len(x), pooled=pooled)
    if kind == "lognormal":
        logs = np.log(pos)
        sigma = float(logs.std(ddof=1)) if len(pos) > 1 else 0.0
        return Fit("lognormal", float(logs.mean()), sigma, n=len(pos), pooled=pooled)
    mean = float(pos.mean())
    var = float(pos.var(ddof=1)) if len(pos) > 1 else 0.0
    if var <= 0:
        return Fit("data", values=(mean,), n=len(pos), pooled=pooled)
    return Fit("gamma", mean * mean / var, var / mean, n=len(pos), pooled=pooled)


class Sampler:
    """Fits of recorded handling minutes by demand type, made once and kept."""

    def __init__(self, minutes: Mapping[str, Sequence[float]] | None) -> None:
        self.minutes = {str(k): [float(v) for v in vs if v is not None and math.isfinite(float(v)) and v >= 0]
                        for k, vs in (minutes or {}).items()}
        self.everything = [v for vs in self.minutes.values() for v in vs]
        self.fits: dict[tuple[str, str], Fit] = {}

    def has_data(self) -> bool:
        return bool(self.everything)

    def for_type(self, demand_type: str, kind: str) -> Fit:
        key = (demand_type, kind)
        found = self.fits.get(key)
        if found is None:
            own = self.minutes.get(demand_type, [])
            found = fit(own, kind) if len(own) >= MIN_PER_TYPE else fit(self.everything, kind, pooled=True)
            self.fits[key] = found
        return found


def step_time_words(touch: Duration, sampler: Sampler | None, types: Sequence[str] = ()) -> list[str]:
    """A step's touch time in words: the distribution and its figures; for a time from the data, the fit over
    all recorded times and, for each of `types` with enough times of its own, that type's fit."""
    if not touch.from_data:
        if touch.distribution in ("lognormal", "gamma"):
            return [f"{touch.distribution}, mean {touch.likely:g} {touch.unit}, sd {touch.sd or 0:g} {touch.unit}"]
        if touch.exponential:
            return [f"exponential, mean {touch.likely or 0:g} {touch.unit}"]
        t = touch.triple
        if t is None:
            return ["no time given"]
        if t[0] == t[2]:
            return [f"{t[1]:g} {touch.unit}"]
        return [f"triangular: at least {t[0]:g}, most likely {t[1]:g}, at most {t[2]:g} {touch.unit}"]
    if sampler is None or not sampler.has_data():
        how = f"a {touch.fit} fitted to" if touch.fit else "resampled from"
        return [f"from the data: {how} the demand's handling minutes for its type (give a demand file to see them)"]
    lines = [f"from the data, all types: {fit(sampler.everything, touch.fit).describe()}"]
    for demand_type in types:
        own = sampler.minutes.get(demand_type, [])
        name = demand_type or "(no type recorded)"
        if len(own) >= MIN_PER_TYPE:
            lines.append(f"  {name}: {sampler.for_type(demand_type, touch.fit).describe()}")
        else:
            lines.append(f"  {name}: {len(own)} recorded time(s), too few: all types' times are used")
    return lines


def touch_mean(sampler: Sampler | None) -> Callable[[Step, str], float]:
    """For the static expectations (workbench.flow.expected): the mean minutes of a step whose time comes from
    the data, for a demand type, as the engine draws it (the type's fit, or every type's when it has too few
    times); NaN when there is no data."""

    def mean(step: Step, demand_type: str) -> float:
        if sampler is None or not sampler.has_data():
            return math.nan
        return sampler.for_type(demand_type, step.touch.fit).mean

    return mean


# Callers' patience estimated from the demand's queue waits (`patience: from_data`).
MIN_GAVE_UP = 10  # fewer calls that gave up at a touchpoint than this: too few to estimate the patience
ALL_TOUCHPOINTS = ""  # the key of the estimate over every touchpoint's calls together


def touchpoint_key(name: object) -> str:
    """A touchpoint compared without case and extra spaces (as the clean demand's `touchpoint_key`)."""
    return " ".join(str(name).split()).casefold()


@dataclass(frozen=True)
class PatienceEstimate:
    """Exponential patience estimated from one touchpoint's calls (censored maximum likelihood): the mean is
    the seconds every call waited in the queue (answered and abandoned) over the number that gave up. An
    answered call's wait is a censored observation: the caller was still willing to wait that long."""

    touchpoint: str
    gave_up: int
    calls: int
    wait_seconds: float  # total seconds waited by all `calls`

    @property
    def enough(self) -> bool:
        return self.gave_up >= MIN_GAVE_UP

    @property
    def mean_minutes(self) -> float:
        return self.wait_seconds / self.gave_up / 60 if self.gave_up else math.inf

    def words(self) -> str:
        if not self.enough:
            return (f"{self.touchpoint}: only {self.gave_up:,} call(s) gave up of {self.calls:,}: too few to "
                    "estimate how long callers wait")
        return (f"{self.touchpoint}: callers wait about {self.mean_minutes:.1f} minutes before giving up, "
                f"estimated from {self.gave_up:,} calls that gave up of {self.calls:,} (censored estimate)")


def patience_estimates(frame: pd.DataFrame) -> dict[str, PatienceEstimate]:
    """Patience estimates by touchpoint key (`touchpoint_key`), and over all touchpoints (`ALL_TOUCHPOINTS`),
    from the demand's `queue_seconds` and `abandoned`; only calls with both recorded count. Empty when the
    demand has neither column or no call with both."""
    if not {schema.QUEUE_SECONDS, schema.ABANDONED} <= set(frame.columns):
        return {}
    waits = pd.to_numeric(frame[schema.QUEUE_SECONDS], errors="coerce")
    gave_up = frame[schema.ABANDONED].astype("boolean")
    keep = (waits.notna() & (waits >= 0) & gave_up.notna()).to_numpy()
    if not keep.any():
        return {}
    names = frame[schema.TOUCHPOINT].astype("object").fillna(schema.UNKNOWN_TOUCHPOINT).astype(str)[keep]
    table = pd.DataFrame({"key": [touchpoint_key(n) for n in names], "name": names.to_numpy(),
                          "wait": waits[keep].to_numpy(dtype=float),
                          "gave_up": gave_up[keep].to_numpy(dtype=bool)})
    out: dict[str, PatienceEstimate] = {}
    for key, part in table.groupby("key", sort=True):
        out[str(key)] = PatienceEstimate(str(part["name"].iloc[0]), int(part["gave_up"].sum()), len(part),
                                         float(part["wait"].sum()))
    out[ALL_TOUCHPOINTS] = PatienceEstimate("all touchpoints", int(table["gave_up"].sum()), len(table),
                                            float(table["wait"].sum()))
    return out


def patience_from_data_problem(maps: Sequence[ProcessMap], estimates: Mapping[str, PatienceEstimate]) -> str | None:
    """In plain words, why a map's `patience: from_data` cannot be estimated from this demand; None when it can
    (or no map asks for it). A touchpoint's needs MIN_GAVE_UP calls that gave up there; a step's uses each
    touchpoint's own estimate where there is enough, else every touchpoint's calls together."""
    for m in maps:
        asked = [(tp, q) for tp, q in m.touchpoints.items() if q.patience is not None and q.patience.from_data]
        steps = [s for s in m.steps if s.patience is not None and s.patience.from_data]
        if (asked or steps) and not estimates:
            where = asked[0][0] if asked else f"step '{steps[0].name or steps[0].id}'"
            return (f"{m.name}: callers' patience at {where} is to come from the data (patience: from_data), "
                    "but the demand file has no queue waits and gave-up answers to estimate it from. Add "
                    "columns with the seconds each call waited in the queue and whether the caller gave up, "
                    "or give patience as a number of minutes.")
        for tp, _ in asked:
            est = estimates.get(touchpoint_key(tp))
            if est is None or not est.enough:
                n = est.gave_up if est else 0
                return (f"{m.name}: only {n:,} call(s) gave up at {tp}: too few to estimate how long callers "
                        f"wait (at least {MIN_GAVE_UP} are needed); give patience as a number of minutes.")
        if steps and not estimates[ALL_TOUCHPOINTS].enough:
            s = steps[0]
            return (f"{m.name}: only {estimates[ALL_TOUCHPOINTS].gave_up:,} call(s) gave up in the demand file: "
                    f"too few to estimate how long callers wait at step '{s.name or s.id}' (at least "
                    f"{MIN_GAVE_UP} are needed); give patience as a number of minutes.")
    return None


def patience_means(estimates: Mapping[str, PatienceEstimate]) -> dict[str, float]:
    """Mean patience in minutes by touchpoint key, for the engine: only the estimates with enough calls that
    gave up."""
    return {k: e.mean_minutes for k, e in estimates.items() if e.enough}


def patience_words(m: ProcessMap, estimates: Mapping[str, PatienceEstimate]) -> dict[str, str]:
    """What each `patience: from_data` of the map comes to on this demand, in words, by where it is set (the
    touchpoint's name, or `step '<name>'`): the estimate and how many calls it rests on, or why there is none."""
    none = "no queue waits and gave-up answers in the demand file to estimate how long callers wait"
    out: dict[str, str] = {}
    for tp, q in m.touchpoints.items():
        if q.patience is not None and q.patience.from_data:
            est = estimates.get(touchpoint_key(tp))
            out[tp] = est.words() if est else f"{tp}: {none}"
    for s in m.steps:
        if s.patience is not None and s.patience.from_data:
            own = [e.words() for k, e in estimates.items() if k != ALL_TOUCHPOINTS and e.enough]
            everyone = estimates.get(ALL_TOUCHPOINTS)
            rest = f"other touchpoints: {everyone.words()}" if everyone else none
            out[f"step '{s.name or s.id}'"] = "; ".join([*own, rest])
    return out
