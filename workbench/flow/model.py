"""Process maps: the dataclasses, reading them from YAML and writing them back.

Reading is lenient on purpose: a map with mistakes must still open in the editor so a team can fix it.
Anything that cannot be understood is kept as it was typed and reported as a problem (with its YAML line);
`workbench.flow.validate` adds the checks that need the whole map. Only invalid YAML syntax, or a file
that is not a mapping at all, refuses to load. The format is documented in docs/process-maps.md.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import NormalDist
from typing import Any, Literal

import yaml

from workbench import limits
from workbench.yamltext import YamlError, read_file_bytes, read_yaml

RESOLVED = "resolved"
VALUE_WORK = "value"
WASTE_KINDS = ("triage", "hand-off", "check", "authorise", "rework", "queue", "duplicate", "chase", "re-key",
               "inspect", "other")
WORK_KINDS = (VALUE_WORK, *WASTE_KINDS)
DESIGNS = ("as-is", "standard-work", "worker-led")
UNITS_IN_MINUTES = {"minutes": 1.0, "hours": 60.0, "days": 1440.0}
DEFAULT_TOUCHPOINT = "Phone"
Severity = Literal["error", "warning"]  # an error stops a map from being run; a warning does not
Distribution = Literal["triangular", "exponential", "lognormal", "gamma", "from_data"]
FITS = ("lognormal", "gamma")  # what `{from_data: true, fit: ...}` may fit to the recorded handling minutes
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_CALL_BACK_AFTER_HOURS = 1.0


class MapFileError(ValueError):
    """A map file that cannot be opened at all (not YAML, or not a mapping)."""


@dataclass
class Problem:
    """A message about a map: what is wrong, where (step/route), and the YAML line."""

    severity: Severity
    message: str
    where: str = ""
    line: int | None = None
    source: str = ""

    def __str__(self) -> str:
        at = f"{self.source}" + (f", line {self.line}" if self.line else "")
        place = f" ({self.where})" if self.where else ""
        return f"{at}: {self.severity}{place}: {self.message}"


@dataclass
class Duration:
    """A time as min / likely / max (triangular), an exponential time given by its mean, or a lognormal or
    gamma time given by its mean and standard deviation `sd` (the mean is held in `likely`). `from_data`:
    the time is taken from the demand's recorded handling minutes for its type, resampled as recorded
    (`fit` empty) or through a lognormal or gamma fitted to them (`fit`). `unit` is what the user wrote; values
    are in that unit."""

    min: float | None = None
    likely: float | None = None
    max: float | None = None
    unit: str = "minutes"
    distribution: Distribution = "triangular"
    sd: float | None = None  # lognormal and gamma: the standard deviation, in `unit`
    fit: str = ""  # from_data: "" (resample the recorded minutes), "lognormal" or "gamma"

    @property
    def exponential(self) -> bool:
        return self.distribution == "exponential"

    @property
    def from_data(self) -> bool:
        return self.distribution == "from_data"

    @property
    def by_mean(self) -> bool:
        """A time given by its mean (exponential, lognormal, gamma): `triple` is (mean, mean, mean)."""
        return self.distribution in ("exponential", "lognormal", "gamma")

    @property
    def triple(self) -> tuple[float, float, float] | None:
        """(min, likely, max) with missing parts filled as documented; None when nothing usable is given
        (and for `from_data`, whose figures come from the demand file)."""
        lo, mode, hi = self.min, self.likely, self.max
        if self.from_data:
            return None
        if self.by_mean:
            return None if mode is None else (float(mode), float(mode), float(mode))
        if lo is None and mode is None and hi is None:
            return None
        if mode is None:
            if lo is not None and hi is not None:
                mode = (lo + hi) / 2
            else:
                mode = lo if lo is not None else hi
        lo = mode if lo is None else lo
        hi = mode if hi is None else hi
        return float(lo), float(mode), float(hi)  # type: ignore[arg-type]

    @property
    def mean(self) -> float:
        t = self.triple
        return 0.0 if t is None else sum(t) / 3.0

    @property
    def factor(self) -> float:
        return UNITS_IN_MINUTES.get(self.unit, 1.0)

    def mean_minutes(self) -> float:
        return self.mean * self.factor

    def prob_at_least(self, x: float) -> float:
        """P(T >= x) (in the duration's own unit)."""
        t = self.triple
        if t is None:
            return 1.0 if x <= 0 else 0.0
        if self.exponential:
            return 1.0 if x <= 0 else (math.exp(-x / t[1]) if t[1] > 0 else 0.0)
        if self.distribution in ("lognormal", "gamma"):
            if x <= 0:
                return 1.0
            mean, sd = t[1], float(self.sd or 0.0)
            if mean <= 0:
                return 0.0
            if sd <= 0:
                return 1.0 if x <= mean else 0.0
            if self.distribution == "lognormal":
                sigma2 = math.log1p((sd / mean) ** 2)
                mu = math.log(mean) - sigma2 / 2
                return 1.0 - NormalDist(mu, math.sqrt(sigma2)).cdf(math.log(x))
            shape = (mean / sd) ** 2
            return 1.0 - gamma_cdf(shape, x * shape / mean)
        a, c, b = t
        if x <= a:
            return 1.0
        if x >= b:
            return 0.0
        if x <= c:
            return 1.0 - (x - a) ** 2 / ((b - a) * (c - a))
        return (b - x) ** 2 / ((b - a) * (b - c))

    def is_zero(self) -> bool:
        t = self.triple
        return t is None or max(t) == 0

    def to_yaml_value(self, default_unit: str) -> Any:
        if self.from_data:
            return {"from_data": True, "fit": self.fit} if self.fit else "from_data"
        if self.distribution in ("lognormal", "gamma"):
            out_f: dict[str, Any] = {"mean": _num(self.likely), "sd": _num(self.sd), "distribution": self.distribution}
            if self.unit != default_unit:
                out_f["unit"] = self.unit
            return out_f
        if self.exponential:
            out_e: dict[str, Any] = {"mean": _num(self.likely), "distribution": "exponential"}
            if self.unit != default_unit:
                out_e["unit"] = self.unit
            return out_e
        t = (self.min, self.likely, self.max)
        if self.min is None and self.max is None and self.unit == default_unit:
            return _num(self.likely) if self.likely is not None else 0
        if self.min == self.likely == self.max and self.likely is not None:
            return _num(self.likely) if self.unit == default_unit else {"likely": _num(self.likely), "unit": self.unit}
        out: dict[str, Any] = {}
        for key, value in zip(("min", "likely", "max"), t, strict=True):
            if value is not None:
                out[key] = _num(value)
        if self.unit != default_unit:
            out["unit"] = self.unit
        return out

    def describe(self) -> str:
        if self.from_data:
            return f"from the data ({self.fit} fit)" if self.fit else "from the data"
        t = self.triple
        if t is None or max(t) == 0:
            return "0"
        lo, mode, hi = t
        unit = {"minutes": "min", "hours": "h", "days": "d"}.get(self.unit, self.unit)
        if self.exponential:
            return f"~{_num(mode)} {unit} (exp.)"
        if self.distribution in ("lognormal", "gamma"):
            return f"~{_num(mode)} {unit} (sd {_num(self.sd)}, {self.distribution})"
        if lo == mode == hi:
            return f"{_num(mode)} {unit}"
        return f"{_num(lo)}–{_num(mode)}–{_num(hi)} {unit}"


def _num(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else float(x)


def gamma_cdf(shape: float, x: float) -> float:
    """The regularised lower incomplete gamma function P(shape, x): the CDF of a gamma with scale 1
    (series below shape + 1, Lentz's continued fraction above; Numerical Recipes 6.2)."""
    if x <= 0 or shape <= 0:
        return 0.0
    log_front = shape * math.log(x) - x - math.lgamma(shape)
    if x < shape + 1:
        term = total = 1.0 / shape
        a = shape
        for _ in range(10_000):
            a += 1
            term *= x / a
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return min(1.0, total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1 - shape
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - shape)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)


@dataclass
class Shift:
    """People at work on `days` (0 = Monday) from `start` to `end`, in minutes after midnight. An `end` at or
    before `start` means the shift runs over midnight into the next day (`22:00-06:00`); `end` 1440 is 24:00.
    Shifts of one role that overlap add up: 8 from 08:00-16:00 and 4 from 12:00-20:00 are 12 at noon."""

    days: tuple[int, ...]
    start: float
    end: float
    staff: float
    line: int | None = field(default=None, compare=False)

    @property
    def minutes(self) -> float:
        """Length of the shift in minutes (over midnight included)."""
        return (self.end - self.start) if self.end > self.start else (self.end + 1440.0 - self.start)


@dataclass
class Role:
    """Who does the work. The working time is, from the most specific: a `roster` (staff by day and time,
    replacing `staff` and the hours), else `hours` (opening windows by weekday, 0 = Monday: minutes after
    midnight, an end at or before the start runs over midnight), else `hours_per_day` from `opens` (minutes
    after midnight; None: 08:00) on the first `days_per_week` days."""

    id: str
    name: str = ""
    staff: float = 1
    hours_per_day: float = 7.5
    days_per_week: float = 5
    line: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # values that could not be read, as typed
    opens: float | None = None
    hours: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    roster: list[Shift] = field(default_factory=list)

    @property
    def peak_staff(self) -> float:
        """The most people at work at once: the roster's busiest moment, else `staff`."""
        if not self.roster:
            return self.staff
        return max((level for _, _, level in roster_levels(self.roster)), default=0.0)


def working_time_words(r: Role) -> str:
    """When the role's people are at work, in words."""
    if r.roster:
        return "roster: " + "; ".join(f"{format_days(sh.days)} {format_time(sh.start)}-{format_time(sh.end)} "
                                      f"{_num(sh.staff)} staff" for sh in r.roster)
    if r.hours:
        groups: dict[str, list[int]] = {}
        for day, windows in sorted(r.hours.items()):
            groups.setdefault(format_windows(windows), []).append(day)
        return (f"{_num(r.staff)} staff, open " + "; ".join(f"{format_days(days)} {text}"
                                                            for text, days in groups.items()))
    opens = format_time(8 * 60 if r.opens is None else r.opens)
    return f"{_num(r.staff)} staff, {_num(r.hours_per_day)} hours a day from {opens}, {_num(r.days_per_week)} days a week"


def roster_levels(shifts: list[Shift]) -> list[tuple[float, float, float]]:
    """Staff at work through the week as (start, end, staff) pieces in minutes from Monday 00:00 (0..10080),
    overlapping shifts added up; a shift over Sunday midnight wraps to Monday."""
    week = 7 * 1440.0
    edges: dict[float, float] = {0.0: 0.0, week: 0.0}
    for sh in shifts:
        for d in sh.days:
            a = d * 1440.0 + sh.start
            b = a + sh.minutes
            pieces = [(a, b)] if b <= week else [(a, week), (0.0, b - week)]
            for lo, hi in pieces:
                edges[lo] = edges.get(lo, 0.0) + sh.staff
                edges[hi] = edges.get(hi, 0.0) - sh.staff
    out = []
    level = 0.0
    points = sorted(edges)
    for lo, hi in zip(points, points[1:], strict=False):
        level += edges[lo]
        if hi > lo and abs(level) > 1e-9:
            out.append((lo, hi, round(level, 9)))
    return out


@dataclass
class TouchpointQueue:
    """How customers behave while they queue at a touchpoint: `patience` (None: they wait as long as it
    takes), the share `call_back` (0..1) of those who give up who contact again, `call_back_after` later."""

    patience: Duration | None = None
    call_back: float = 0.0
    call_back_after: Duration = field(default_factory=lambda: Duration(
        likely=DEFAULT_CALL_BACK_AFTER_HOURS, unit="hours", distribution="exponential"))
    line: int | None = field(default=None, compare=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Route:
    to: str
    types: list[str] = field(default_factory=list)
    nature: str = ""
    cause: str = ""
    touchpoints: list[str] = field(default_factory=list)
    probability: float | None = None
    otherwise: bool = False
    rework: bool = False
    line: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def condition_key(self) -> tuple[object, ...]:
        return (tuple(t.casefold() for t in self.types), self.nature, self.cause.casefold(),
                tuple(t.casefold() for t in self.touchpoints), self.otherwise)

    def has_condition(self) -> bool:
        return bool(self.types or self.nature or self.cause or self.touchpoints)

    def describe(self) -> str:
        """A short label for diagrams and tables."""
        parts = []
        if self.types:
            parts.append(", ".join(self.types) if len(self.types) <= 2 else f"{len(self.types)} types")
        if self.nature:
            parts.append(f"{self.nature} demand")
        if self.cause:
            parts.append(self.cause)
        if self.touchpoints:
            parts.append("via " + ", ".join(self.touchpoints))
        if self.probability is not None:
            parts.append(f"{self.probability:.0%}")
        if self.otherwise:
            parts.append("otherwise")
        return "; ".join(parts)


@dataclass
class Step:
    id: str
    name: str = ""
    role: str = ""
    work: str = VALUE_WORK
    touch: Duration = field(default_factory=lambda: Duration(unit="minutes"))
    wait: Duration = field(default_factory=lambda: Duration(unit="days"))
    complete_and_accurate: float = 100.0
    rework_to: str = ""
    recall_type: str = ""
    pulled: bool = False
    routes: list[Route] = field(default_factory=list)
    source: str = ""  # where the figures come from (kept through edits, unlike YAML comments)
    line: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    patience: Duration | None = None  # callers' patience at every visit of this step (overrides the touchpoint's)

    @property
    def is_value(self) -> bool:
        return self.work == VALUE_WORK


@dataclass
class ChaseRule:
    name: str = ""
    every_days: float = 0
    probability: float = 0
    demand_type: str = ""
    touchpoint: str = DEFAULT_TOUCHPOINT
    steps: list[str] = field(default_factory=list)
    # why the customer chases, as the failure demand's cause; "" (not written): the catalogue's cause of
    # demand_type, else the rule's name, else "progress chasing" (docs/compare.md)
    cause: str = ""
    line: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class ProcessMap:
    name: str
    roles: list[Role] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    entry_default: str = ""
    entry_touchpoints: dict[str, str] = field(default_factory=dict)
    chases: list[ChaseRule] = field(default_factory=list)
    service: str = ""
    design: str = ""
    description: str = ""
    catalogue: str = ""
    serves: list[str] = field(default_factory=list)  # demand types the map is for, beside those its routes name
    source: str = "map"  # file name, for messages
    path: Path | None = None
    header_comment: str = ""  # comment lines at the top of the file, kept when saving
    problems: list[Problem] = field(default_factory=list)  # what reading could not understand
    lines: dict[tuple[object, ...], int] = field(default_factory=dict, repr=False, compare=False)
    touchpoints: dict[str, TouchpointQueue] = field(default_factory=dict)  # callers' behaviour in the queue
    closed: list[datetime.date] = field(default_factory=list)  # dates the whole service is closed

    def queue_at(self, touchpoint: str) -> TouchpointQueue | None:
        """The touchpoint's queue behaviour (names compared without case and outer spaces), or None."""
        key = str(touchpoint).casefold().strip()
        for tp, q in self.touchpoints.items():
            if tp.casefold().strip() == key:
                return q
        return None

    def uses_patience(self) -> bool:
        """Some touchpoint or step says how long callers wait before giving up."""
        return any(q.patience is not None for q in self.touchpoints.values()) or any(
            s.patience is not None for s in self.steps)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def entry_for(self, touchpoint: str) -> str:
        for tp, step_id in self.entry_touchpoints.items():
            if tp.casefold().strip() == str(touchpoint).casefold().strip():
                return step_id
        return self.entry_default

    def catalogue_path(self) -> Path | None:
        """The catalogue file the map names, beside it (None when it names none). Raises MapFileError when the
        name leads anywhere else: an absolute path, `..`, a symlink out of the map's folder, or something that
        is not a regular file (see `catalogue_reference_problem`). The file may not exist."""
        if not self.catalogue:
            return None
        problem = catalogue_reference_problem(self.catalogue)
        if problem:
            raise MapFileError(f"{self.source}: {problem}.")
        base = (self.path.parent if self.path else Path.cwd()).resolve()
        target = (base / self.catalogue).resolve()
        if not target.is_relative_to(base):
            raise MapFileError(f"{self.source}: its catalogue '{self.catalogue}' leads out of the map's folder (a "
                               "link); a map may only name a catalogue file in its own folder.")
        if target.exists() and not target.is_file():
            raise MapFileError(f"{self.source}: its catalogue '{self.catalogue}' is not a regular file.")
        return target

    def copy(self, **changes: Any) -> ProcessMap:
        import copy as _copy

        return replace(_copy.deepcopy(self), **changes)


# ------------------------------------------------------------------------------------------ reading


# What the bundled maps named before a catalogue had to sit beside its map: read as the copy beside them now,
# so maps saved in studies (and study exports) made before still find their catalogue.
MOVED_CATALOGUES = {"../sample_data/housing_repairs_catalogue.yaml": "catalogues/housing_repairs_catalogue.yaml"}


def catalogue_reference_problem(reference: str) -> str | None:
    """Why a map may not name `reference` as its catalogue, or None. A map names a catalogue by a plain file
    name or a relative path that stays in the map's own folder: no absolute path, no drive, no `..`."""
    ref = str(reference)
    if not ref.strip():
        return None
    parts = ref.replace("\\", "/").split("/")
    if (ref.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", ref) or ".." in parts or "\0" in ref
            or len(ref) > 255):
        shown = ref if len(ref) <= 80 else ref[:77] + "..."
        return (f"its catalogue '{shown}' is not a file in the map's own folder; a map may only name a catalogue "
                "by a file name or a relative path inside its folder (no absolute paths, no '..')")
    return None


def _line_index(node: yaml.Node, path: tuple[object, ...] = (), out: dict | None = None) -> dict:
    """Map each path (keys and list indexes) in the document to its 1-based line."""
    out = {} if out is None else out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, key.value)] = key.start_mark.line + 1
            _line_index(value, (*path, key.value), out)
            out[(*path, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_index(item, (*path, i), out)
    return out


class _Reader:
    def __init__(self, source: str, lines: dict[tuple[object, ...], int]) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, *path: object) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def problem(self, message: str, where: str, *path: object, severity: Severity = "error") -> None:
        self.problems.append(Problem(severity, message, where, self.line(*path), self.source))

    def number(self, value: Any, what: str, where: str, *path: object, default: float | None = None
               ) -> float | None:
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            self.problem(f"{what} should be a number, not {value!r}", where, *path)
            return default
        try:
            number = float(str(value).strip().rstrip("%"))
        except ValueError:
            self.problem(f"{what} should be a number, not {value!r}", where, *path)
            return default
        if math.isnan(number) or math.isinf(number):
            self.problem(f"{what} should be a number, not {value!r}", where, *path)
            return default
        return number

    def duration(self, value: Any, default_unit: str, what: str, where: str, *path: object) -> Duration:
        if value is None:
            return Duration(unit=default_unit)
        if isinstance(value, str) and value.strip().lower().replace(" ", "_") == "from_data":
            return Duration(unit=default_unit, distribution="from_data")
        if isinstance(value, dict) and "from_data" in value:
            if value.get("from_data") is not True:
                self.problem(f"{what}: from_data should be true (or write `{what}: from_data`)", where, *path,
                             "from_data")
            fit = str(value.get("fit") or "").strip().lower()
            if fit and fit not in FITS:
                self.problem(f"{what}: fit '{fit}' is not lognormal or gamma; the recorded minutes are resampled "
                             "as they are", where, *path, "fit")
                fit = ""
            unknown = set(value) - {"from_data", "fit"}
            if unknown:
                self.problem(f"{what} has unknown keys {sorted(unknown)}; use from_data and fit", where, *path,
                             severity="warning")
            return Duration(unit=default_unit, distribution="from_data", fit=fit)
        if isinstance(value, dict):
            unit = str(value.get("unit", default_unit)).strip().lower()
            if unit.rstrip("s") + "s" in UNITS_IN_MINUTES:
                unit = unit.rstrip("s") + "s"
            else:
                self.problem(f"{what} unit '{unit}' is not one of minutes, hours, days", where, *path, "unit")
                unit = default_unit
            unknown = set(value) - {"min", "likely", "max", "unit", "mean", "distribution", "sd"}
            if unknown:
                self.problem(f"{what} has unknown keys {sorted(unknown)}; use min, likely, max, unit", where, *path,
                             severity="warning")
            dist = str(value.get("distribution") or "triangular").strip().lower()
            if dist == "exponential":
                mean = self.number(value.get("mean", value.get("likely")), f"{what} mean", where, *path, "mean")
                return Duration(likely=mean, unit=unit, distribution="exponential")
            if dist in ("lognormal", "gamma"):
                mean = self.number(value.get("mean", value.get("likely")), f"{what} mean", where, *path, "mean")
                sd = self.number(value.get("sd"), f"{what} sd", where, *path, "sd")
                if mean is None or sd is None:
                    self.problem(f"{what}: a {dist} time needs its mean and its sd (standard deviation)", where,
                                 *path)
                return Duration(likely=mean, unit=unit, distribution=dist, sd=sd)  # type: ignore[arg-type]
            if dist != "triangular":
                self.problem(f"{what} distribution '{dist}' is not triangular, exponential, lognormal or gamma",
                             where, *path, "distribution")
            parts = {k: self.number(value.get(k), f"{what} {k}", where, *path, k)
                     for k in ("min", "likely", "max")}
            if parts["likely"] is None and value.get("mean") is not None:
                parts["likely"] = self.number(value.get("mean"), f"{what} mean", where, *path, "mean")
            return Duration(parts["min"], parts["likely"], parts["max"], unit)
        if isinstance(value, str):
            match = re.fullmatch(r"\s*([-+]?\d+(?:\.\d+)?)\s*([a-z]*)\s*", value.lower())
            if match:
                spelled = {"": default_unit, "m": "minutes", "min": "minutes", "mins": "minutes",
                           "minute": "minutes", "minutes": "minutes", "h": "hours", "hour": "hours",
                           "hours": "hours", "d": "days", "day": "days", "days": "days"}.get(match.group(2))
                if spelled:
                    return Duration(likely=float(match.group(1)), unit=spelled)
        number = self.number(value, what, where, *path)
        return Duration(likely=number, unit=default_unit)

    def time(self, value: Any, what: str, where: str, *path: object, end: bool = False) -> float | None:
        """Minutes after midnight from `HH:MM` (`24:00` allowed as an end), or from a number: YAML 1.1 reads an
        unquoted `10:00` as 600, so 60 and more are minutes, 0..24 are hours; 25..59 cannot be told apart."""
        if isinstance(value, bool) or value is None:
            self.problem(f"{what} should be a time such as \"08:00\"", where, *path)
            return None
        if isinstance(value, (int, float)):
            x = float(value)
            if 0 <= x < 24 or (end and x == 24):
                return x * 60.0
            if 60 <= x < 1440 or (end and x == 1440):
                return x
            self.problem(f"{what} {value!r} is not a time; write it in quotes as \"HH:MM\" (an unquoted 00:30 "
                         "is read as the number 30)", where, *path)
            return None
        match = re.fullmatch(r"\s*(\d{1,2})(?:[:.](\d{2}))?\s*", str(value))
        if match:
            h, m = int(match.group(1)), int(match.group(2) or 0)
            if m < 60 and (h < 24 or (end and h == 24 and m == 0)):
                return h * 60.0 + m
        self.problem(f"{what} '{value}' is not a time such as \"08:00\"", where, *path)
        return None

    def window(self, value: Any, where: str, *path: object) -> list[tuple[float, float]] | None:
        """`"09:00-17:00"` (several with commas) as [(start, end)] in minutes after midnight; None if unreadable."""
        if isinstance(value, (list, tuple)):
            parts = [str(v) for v in value]
        else:
            parts = [p for p in str(value if value is not None else "").split(",")]
        out = []
        for part in parts:
            if part.strip().lower() in ("closed", ""):
                continue
            bits = part.split("-")
            if len(bits) != 2:
                self.problem(f"opening hours '{part.strip()}' should be like \"09:00-17:00\"", where, *path)
                return None
            a = self.time(bits[0].strip(), "opening time", where, *path)
            b = self.time(bits[1].strip(), "closing time", where, *path, end=True)
            if a is None or b is None:
                return None
            if a == b:
                self.problem(f"opening hours '{part.strip()}' open and close at the same time", where, *path)
                return None
            out.append((a, b))
        return out

    def days(self, value: Any, where: str, *path: object) -> tuple[int, ...] | None:
        """Weekdays (0 = Monday) from `Mon-Fri`, `Mon, Wed`, `weekdays`, `weekend`, `every day`, full names."""
        items = value if isinstance(value, (list, tuple)) else str(value if value is not None else "").split(",")
        out: list[int] = []
        for item in items:
            text = str(item).strip().lower()
            if not text:
                continue
            if text in ("every day", "everyday", "daily", "all", "mon-sun"):
                out.extend(range(7))
                continue
            if text in ("weekdays", "weekday"):
                out.extend(range(5))
                continue
            if text in ("weekend", "weekends"):
                out.extend((5, 6))
                continue
            ends = [_day_number(x) for x in text.split("-")]
            if len(ends) == 1 and ends[0] is not None:
                out.append(ends[0])
            elif len(ends) == 2 and ends[0] is not None and ends[1] is not None:
                d = ends[0]
                out.append(d)
                while d != ends[1]:
                    d = (d + 1) % 7
                    out.append(d)
            else:
                self.problem(f"'{item}' is not a day; use Mon..Sun, a range such as Mon-Fri, weekdays, weekend or "
                             "every day", where, *path)
                return None
        if not out:
            self.problem("no days given; use Mon..Sun, a range such as Mon-Fri, weekdays, weekend or every day",
                         where, *path)
            return None
        return tuple(sorted(set(out)))

    def text_list(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, (list, tuple)):
            return [str(v).strip() for v in value if str(v).strip()]
        return [s.strip() for s in str(value).split(",") if s.strip()]


_DAY_WORDS = {name.lower(): i for i, name in enumerate(DAY_NAMES)} | {
    full: i for i, full in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
} | {"tues": 1, "wed": 2, "weds": 2, "thur": 3, "thurs": 3}


def _day_number(text: str) -> int | None:
    return _DAY_WORDS.get(text.strip().lower())


def _read_hours(r: _Reader, value: Any, where: str, *path: object) -> tuple[dict[int, list[tuple[float, float]]], bool]:
    """A role's `hours:` as weekday -> windows, and whether all of it was read."""
    if not isinstance(value, dict):
        r.problem("hours should map days to opening hours, such as Mon-Fri: \"09:00-17:00\"", where, *path)
        return {}, False
    out: dict[int, list[tuple[float, float]]] = {}
    ok = True
    for key, windows in value.items():
        days = r.days(key, where, *path, key)
        spans = r.window(windows, where, *path, key)
        if days is None or spans is None:
            ok = False
            continue
        for d in days:
            out.setdefault(d, []).extend(spans)
    return {d: sorted(out[d]) for d in sorted(out) if out[d]}, ok


def _read_roster(r: _Reader, value: Any, where: str, *path: object) -> tuple[list[Shift], bool]:
    if not isinstance(value, list):
        r.problem("roster should be a list of shifts such as {days: Mon-Fri, from: \"08:00\", to: \"16:00\", "
                  "staff: 8}", where, *path)
        return [], False
    shifts, ok = [], True
    for j, item in enumerate(value):
        swhere = f"shift {j + 1} of {where}"
        if not isinstance(item, dict):
            r.problem("a shift needs days, from, to and staff", swhere, *path, j)
            ok = False
            continue
        unknown = set(item) - {"days", "from", "to", "staff"}
        if unknown:
            r.problem(f"a shift has unknown keys {sorted(unknown)}; use days, from, to, staff", swhere, *path, j,
                      severity="warning")
        days = r.days(item.get("days"), swhere, *path, j, "days")
        start = r.time(item.get("from"), "from", swhere, *path, j, "from")
        end = r.time(item.get("to"), "to", swhere, *path, j, "to", end=True)
        staff = r.number(item.get("staff"), "staff", swhere, *path, j, "staff")
        if staff is None:
            r.problem("a shift needs its staff (people at work)", swhere, *path, j)
        if days is None or start is None or end is None or staff is None:
            ok = False
            continue
        shifts.append(Shift(days, start, end, staff, line=r.line(*path, j)))
    return shifts, ok


def _read_date(r: _Reader, value: Any, where: str, *path: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        r.problem(f"'{value}' is not a date; write dates as 2026-12-25", where, *path)
        return None


def _read_share(r: _Reader, value: Any, what: str, where: str, *path: object) -> float | None:
    """A share from `60%`, `0.6` or `60` (over 1: a percentage)."""
    number = r.number(value, what, where, *path)
    if number is None:
        return None
    if (isinstance(value, str) and value.strip().endswith("%")) or number > 1:
        number /= 100.0
    return number


def _read_probability(r: _Reader, value: Any, where: str, *path: object) -> float | None:
    """A probability: a share (`0.5`), or a percent written with its sign (`50%` is 0.5, never 50). A bare
    number above 1 is kept as written, for validation to question (a file is not guessed at)."""
    number = r.number(value, "probability", where, *path)
    if number is not None and isinstance(value, str) and value.strip().endswith("%"):
        number /= 100.0
    return number


def _read_touchpoints(r: _Reader, value: Any) -> dict[str, TouchpointQueue]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        r.problem("touchpoints should map a touchpoint to its patience and call-backs", "touchpoints", "touchpoints")
        return {}
    out = {}
    for name, item in value.items():
        where = f"touchpoint '{name}'"
        path = ("touchpoints", name)
        if not isinstance(item, dict):
            r.problem("a touchpoint needs patience (and may say call_back, call_back_after)", where, *path)
            continue
        unknown = set(item) - {"patience", "call_back", "call_back_after"}
        if unknown:
            r.problem(f"unknown keys {sorted(unknown)}; use patience, call_back, call_back_after", where, *path,
                      severity="warning")
        q = TouchpointQueue(line=r.line(*path))
        q.raw.update({k: item[k] for k in ("patience", "call_back_after") if _unreadable_duration(item.get(k))})
        if item.get("patience") is not None:
            q.patience = r.duration(item.get("patience"), "minutes", "patience", where, *path, "patience")
        share = _read_share(r, item.get("call_back"), "call_back", where, *path, "call_back")
        if share is not None:
            q.call_back = share
        elif _unreadable_number(item.get("call_back")):
            q.raw["call_back"] = item.get("call_back")
        if item.get("call_back_after") is not None:
            q.call_back_after = r.duration(item.get("call_back_after"), "minutes", "call_back_after", where, *path,
                                           "call_back_after")
        out[str(name).strip()] = q
    return out


def read_days(text: Any) -> tuple[int, ...]:
    """Weekdays (0 = Monday) from what a person types in a table cell ("Mon-Fri", "Sat", "weekdays"); raises
    ValueError with the reason, in the words a map's reader would use."""
    r = _Reader("table", {})
    days = r.days(text, "")
    if days is None:
        raise ValueError(r.problems[0].message if r.problems else f"'{text}' is not a day")
    return days


def read_time(text: Any, *, end: bool = False) -> float:
    """Minutes after midnight from a table cell ("08:00", "24:00" as an end); raises ValueError with the reason."""
    r = _Reader("table", {})
    minutes = r.time(text, "time", "", end=end)
    if minutes is None:
        raise ValueError(r.problems[0].message if r.problems else f"'{text}' is not a time")
    return minutes


def parse_map(text: str, source: str = "map", path: Path | None = None) -> ProcessMap:
    """Read a map from YAML text. Raises MapFileError only when the text is not a YAML mapping."""
    try:
        data, root = read_yaml(text, source)
    except YamlError as exc:
        raise MapFileError(str(exc)) from None
    if not isinstance(data, dict):
        raise MapFileError(f"{source}: a process map must be a YAML mapping with name, roles, entry and steps.")
    _check_size(data, source)
    lines = _line_index(root) if root is not None else {}
    r = _Reader(source, lines)
    header = "\n".join(_leading_comments(text))

    roles = []
    for i, item in enumerate(_as_list(data.get("roles"), r, "roles")):
        if not isinstance(item, dict):
            r.problem("each role needs id and name", f"role {i + 1}", "roles", i)
            continue
        rid = str(item.get("id") or "").strip()
        where = f"role '{rid}'" if rid else f"role {i + 1}"
        extra: dict[str, Any] = {}
        opens = None
        if item.get("opens") is not None:
            opens = r.time(item.get("opens"), "opens", where, "roles", i, "opens")
            if opens is None:
                extra["opens"] = item.get("opens")
        hours: dict[int, list[tuple[float, float]]] = {}
        if item.get("hours") is not None:
            hours, ok = _read_hours(r, item.get("hours"), where, "roles", i, "hours")
            if not ok:
                extra["hours"] = item.get("hours")
        roster: list[Shift] = []
        if item.get("roster") is not None:
            roster, ok = _read_roster(r, item.get("roster"), where, "roles", i, "roster")
            if not ok:
                extra["roster"] = item.get("roster")
        roles.append(Role(
            id=rid, name=str(item.get("name") or rid),
            staff=r.number(item.get("staff"), "staff", where, "roles", i, "staff", default=1) or 0,
            hours_per_day=r.number(item.get("hours_per_day"), "hours_per_day", where, "roles", i,
                                   "hours_per_day", default=7.5) or 0,
            days_per_week=r.number(item.get("days_per_week"), "days_per_week", where, "roles", i,
                                   "days_per_week", default=5) or 0,
            line=r.line("roles", i), raw={**_raw(item, ("staff", "hours_per_day", "days_per_week")), **extra},
            opens=opens, hours=hours, roster=roster))

    steps = []
    for i, item in enumerate(_as_list(data.get("steps"), r, "steps")):
        if not isinstance(item, dict):
            r.problem("each step needs at least an id", f"step {i + 1}", "steps", i)
            continue
        sid = str(item.get("id") or "").strip()
        where = f"step '{sid}'" if sid else f"step {i + 1}"
        path_ = ("steps", i)
        not_accurate = item.get("not_accurate") or {}
        if not isinstance(not_accurate, dict):
            r.problem("not_accurate should be {rework: step} or {recall: demand type}", where, *path_, "not_accurate")
            not_accurate = {}
        routes = []
        for j, route in enumerate(_as_list(item.get("routes"), r, *path_, "routes")):
            rwhere = f"route {j + 1} of step '{sid}'"
            if not isinstance(route, dict):
                r.problem("a route needs 'to:'", rwhere, *path_, "routes", j)
                continue
            prob = _read_probability(r, route.get("probability"), rwhere, *path_, "routes", j, "probability")
            routes.append(Route(
                to=str(route.get("to") or "").strip(),
                types=r.text_list(route.get("types", route.get("type"))),
                nature=str(route.get("nature") or "").strip().lower(),
                cause=str(route.get("cause") or "").strip(),
                touchpoints=r.text_list(route.get("touchpoints", route.get("touchpoint"))),
                probability=prob,
                otherwise=bool(route.get("otherwise", False)),
                rework=bool(route.get("rework", False)),
                line=r.line(*path_, "routes", j), raw=_raw(route, ("probability",))))
        cna = r.number(item.get("complete_and_accurate"), "complete_and_accurate", where, *path_,
                       "complete_and_accurate", default=100.0)
        steps.append(Step(
            id=sid,
            name=str(item.get("name") or sid),
            role=str(item.get("role") or "").strip(),
            work=str(item.get("work") or VALUE_WORK).strip().lower(),
            touch=r.duration(item.get("touch"), "minutes", "touch", where, *path_, "touch"),
            wait=r.duration(item.get("wait"), "days", "wait", where, *path_, "wait"),
            complete_and_accurate=100.0 if cna is None else cna,
            rework_to=str(not_accurate.get("rework") or "").strip(),
            recall_type=str(not_accurate.get("recall") or "").strip(),
            pulled=bool(item.get("pulled", False)),
            routes=routes,
            source=str(item.get("source") or "").strip(),
            line=r.line(*path_), raw=_raw(item, ("complete_and_accurate",), ("touch", "wait", "patience")),
            patience=None if item.get("patience") is None else r.duration(
                item.get("patience"), "minutes", "patience", where, *path_, "patience")))

    entry = data.get("entry")
    entry_default, entry_tps = "", {}
    if isinstance(entry, dict):
        entry_default = str(entry.get("default") or "").strip()
        tps = entry.get("touchpoints") or {}
        if isinstance(tps, dict):
            entry_tps = {str(k).strip(): str(v).strip() for k, v in tps.items()}
        else:
            r.problem("entry touchpoints should map touchpoint: step", "entry", "entry", "touchpoints")
    elif entry is not None:
        entry_default = str(entry).strip()

    chases = []
    for i, item in enumerate(_as_list(data.get("failure_demand"), r, "failure_demand")):
        where = f"failure demand rule {i + 1}"
        if not isinstance(item, dict):
            r.problem("each failure demand rule needs kind, every_days, probability, demand_type", where,
                      "failure_demand", i)
            continue
        kind = str(item.get("kind") or "chase").strip().lower()
        if kind != "chase":
            r.problem(f"kind '{kind}' is not known; use 'chase' here (recalls are set on a step's not_accurate)",
                      where, "failure_demand", i, "kind")
            continue
        chases.append(ChaseRule(
            name=str(item.get("name") or "").strip(),
            every_days=r.number(item.get("every_days"), "every_days", where, "failure_demand", i, "every_days",
                                default=0) or 0,
            probability=_read_probability(r, item.get("probability"), where, "failure_demand", i,
                                          "probability") or 0,
            demand_type=str(item.get("demand_type") or "").strip(),
            touchpoint=str(item.get("touchpoint") or DEFAULT_TOUCHPOINT).strip(),
            steps=r.text_list(item.get("steps")), cause=str(item.get("cause") or "").strip(),
            line=r.line("failure_demand", i), raw=_raw(item, ("every_days", "probability"))))

    closed: list[datetime.date] = []
    raw_closed = data.get("closed")
    if raw_closed is not None:
        for i, value in enumerate(raw_closed if isinstance(raw_closed, list) else [raw_closed]):
            day = _read_date(r, value, "closed", "closed", i)
            if day is not None and day not in closed:
                closed.append(day)
    touchpoints = _read_touchpoints(r, data.get("touchpoints"))

    catalogue = str(data.get("catalogue") or "")
    catalogue = MOVED_CATALOGUES.get(catalogue.strip(), catalogue)
    problem = catalogue_reference_problem(catalogue)
    if problem:
        r.problem(problem, "catalogue", "catalogue")
    return ProcessMap(
        name=str(data.get("name") or (path.stem if path else source)),
        roles=roles, steps=steps, entry_default=entry_default, entry_touchpoints=entry_tps, chases=chases,
        service=str(data.get("service") or ""), design=str(data.get("design") or ""),
        description=str(data.get("description") or "").strip(), catalogue=catalogue,
        serves=r.text_list(data.get("serves")),
        source=source, path=path, header_comment=header, problems=r.problems, lines=lines,
        touchpoints=touchpoints, closed=sorted(closed))


def _check_size(data: dict[Any, Any], source: str) -> None:
    """Refuse a map with more steps or routes than limits.MAP_STEPS / MAP_ROUTES, before anything is built."""
    steps = data.get("steps")
    if isinstance(steps, list):
        if len(steps) > limits.MAP_STEPS.value:
            raise MapFileError(limits.MAP_STEPS.message(source, len(steps)))
        routes = sum(len(s["routes"]) for s in steps if isinstance(s, dict) and isinstance(s.get("routes"), list))
        if routes > limits.MAP_ROUTES.value:
            raise MapFileError(limits.MAP_ROUTES.message(source, routes))


def parse_map_text(text: str, name: str) -> ProcessMap:
    """A map from text that comes from outside (an upload, a study export), checked before anything is stored:
    raises MapFileError, in one sentence naming `name`, when the text is not a YAML mapping, is over a budget
    of workbench/limits.py (bytes, values, aliases, depth, digits, steps, routes), or names a catalogue outside
    its own folder. Mistakes a team can fix in the editor (see `workbench.flow.validate.validate_map`) do not
    refuse it."""
    m = parse_map(text, name)
    problem = catalogue_reference_problem(m.catalogue)
    if problem:
        raise MapFileError(f"{name}: {problem}.")
    return m


def _unreadable_number(value: Any) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return True
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        return True
    return math.isnan(number) or math.isinf(number)


def _unreadable_duration(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, dict):
        return any(_unreadable_number(value.get(k)) for k in ("min", "likely", "max", "mean", "sd"))
    if isinstance(value, str) and value.strip().lower().replace(" ", "_") == "from_data":
        return False
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+(?:\.\d+)?\s*[a-z]*\s*", value.lower()):
        return False
    return _unreadable_number(value)


def _raw(item: dict[str, Any], numbers: tuple[str, ...] = (), durations: tuple[str, ...] = ()) -> dict[str, Any]:
    """The item's values that could not be read, kept as typed so that saving does not 'fix' them."""
    out = {k: item[k] for k in numbers if k in item and _unreadable_number(item[k])}
    out.update({k: item[k] for k in durations if k in item and _unreadable_duration(item[k])})
    return out


def _as_list(value: Any, r: _Reader, *path: object) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    r.problem(f"'{path[-1]}' should be a list", str(path[-1]), *path)
    return []


def _leading_comments(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if line.startswith("#"):
            out.append(line)
        elif line.strip():
            break
        else:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return out


def load_map(path: str | Path) -> ProcessMap:
    """A map from a file: a regular file of at most limits.YAML_BYTES bytes (never a device or a pipe)."""
    path = Path(path)
    try:
        raw = read_file_bytes(path, "process map")
    except FileNotFoundError:
        raise MapFileError(f"{path.name}: file not found.") from None
    except YamlError as exc:
        raise MapFileError(str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MapFileError(f"{path.name}: not a text file (a process map is YAML).") from None
    return parse_map(text, path.name, path)


# ------------------------------------------------------------------------------------------ writing


def to_dict(m: ProcessMap) -> dict[str, Any]:
    """The map as plain data in the documented key order (what `to_yaml` writes)."""
    out: dict[str, Any] = {"name": m.name}
    for key in ("service", "design", "description", "catalogue"):
        if getattr(m, key):
            out[key] = getattr(m, key)
    if m.serves:
        out["serves"] = list(m.serves)
    if m.closed:
        out["closed"] = [d.isoformat() for d in m.closed]
    if m.touchpoints:
        out["touchpoints"] = {name: _touchpoint_dict(q) for name, q in m.touchpoints.items()}
    out["roles"] = [_role_dict(r) for r in m.roles]
    out["entry"] = ({"default": m.entry_default, "touchpoints": dict(m.entry_touchpoints)}
                    if m.entry_touchpoints else m.entry_default)
    steps = []
    for s in m.steps:
        d: dict[str, Any] = {"id": s.id, "name": s.name, "role": s.role, "work": s.work}
        if s.touch.triple is not None or s.touch.from_data or "touch" in s.raw:  # a missing touch time stays missing
            d["touch"] = s.raw.get("touch", s.touch.to_yaml_value("minutes"))
        d["wait"] = s.raw.get("wait", s.wait.to_yaml_value("days"))
        if "patience" in s.raw:
            d["patience"] = s.raw["patience"]
        elif s.patience is not None:
            d["patience"] = s.patience.to_yaml_value("minutes")
        if "complete_and_accurate" in s.raw:
            d["complete_and_accurate"] = s.raw["complete_and_accurate"]
        elif s.complete_and_accurate != 100:
            d["complete_and_accurate"] = _num(s.complete_and_accurate)
        if s.rework_to:
            d["not_accurate"] = {"rework": s.rework_to}
        elif s.recall_type:
            d["not_accurate"] = {"recall": s.recall_type}
        if s.pulled:
            d["pulled"] = True
        if s.source:
            d["source"] = s.source
        if s.routes:
            d["routes"] = [_route_dict(rt) for rt in s.routes]
        steps.append(d)
    out["steps"] = steps
    if m.chases:
        out["failure_demand"] = []
        for c in m.chases:
            cd: dict[str, Any] = {"kind": "chase"}
            if c.name:
                cd["name"] = c.name
            cd.update({"every_days": _num(c.every_days), "probability": _num(c.probability),
                       "demand_type": c.demand_type, "touchpoint": c.touchpoint, **c.raw})
            if c.steps:
                cd["steps"] = list(c.steps)
            if c.cause:
                cd["cause"] = c.cause
            out["failure_demand"].append(cd)
    return out


class _Time(str):
    """A time of day written to YAML always in quotes (unquoted, YAML 1.1 reads 10:00 as the number 600)."""


def format_time(minutes: float) -> str:
    """Minutes after midnight as "HH:MM" (1440 is "24:00")."""
    m = int(round(minutes))
    return _Time(f"{m // 60:02d}:{m % 60:02d}")


def format_days(days: tuple[int, ...] | list[int]) -> str:
    """Weekdays as people write them: "Mon-Fri", "Sat", "Mon, Wed", "every day"."""
    ds = sorted(set(days))
    if len(ds) == 7:
        return "every day"
    runs: list[list[int]] = []
    for d in ds:
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[d] for d in run)
    return ", ".join(parts)


def format_windows(windows: list[tuple[float, float]]) -> str:
    return _Time(", ".join(f"{format_time(a)}-{format_time(b)}" for a, b in windows))


def _role_dict(r: Role) -> dict[str, Any]:
    d: dict[str, Any] = {"id": r.id, "name": r.name, "staff": _num(r.staff), "hours_per_day": _num(r.hours_per_day),
                         "days_per_week": _num(r.days_per_week)}
    if r.opens is not None:
        d["opens"] = format_time(r.opens)
    if r.hours:
        groups: dict[str, list[int]] = {}
        for day, windows in sorted(r.hours.items()):
            groups.setdefault(format_windows(windows), []).append(day)
        d["hours"] = {format_days(days): text for text, days in groups.items()}
    if r.roster:
        d["roster"] = [{"days": format_days(sh.days), "from": format_time(sh.start), "to": format_time(sh.end),
                        "staff": _num(sh.staff)} for sh in r.roster]
    d.update(r.raw)
    return d


def _touchpoint_dict(q: TouchpointQueue) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if "patience" in q.raw:
        d["patience"] = q.raw["patience"]
    elif q.patience is not None:
        d["patience"] = q.patience.to_yaml_value("minutes")
    if "call_back" in q.raw:
        d["call_back"] = q.raw["call_back"]
    elif q.call_back:
        d["call_back"] = f"{_num(round(q.call_back * 100, 6))}%"
    if "call_back_after" in q.raw:
        d["call_back_after"] = q.raw["call_back_after"]
    elif q.call_back_after != TouchpointQueue().call_back_after:
        d["call_back_after"] = q.call_back_after.to_yaml_value("minutes")
    return d


def _route_dict(rt: Route) -> dict[str, Any]:
    d: dict[str, Any] = {"to": rt.to}
    if rt.types:
        d["types"] = list(rt.types)
    if rt.nature:
        d["nature"] = rt.nature
    if rt.cause:
        d["cause"] = rt.cause
    if rt.touchpoints:
        d["touchpoints"] = list(rt.touchpoints)
    if "probability" in rt.raw:
        d["probability"] = rt.raw["probability"]
    elif rt.probability is not None:
        d["probability"] = _num(rt.probability)
    if rt.otherwise:
        d["otherwise"] = True
    if rt.rework:
        d["rework"] = True
    return d


class _Dumper(yaml.SafeDumper):
    pass


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = bool(data) and (set(data) <= {"min", "likely", "max", "unit", "mean", "distribution", "sd"}
                           or set(data) <= {"from_data", "fit"} or set(data) == {"days", "from", "to", "staff"})
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, str) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(_Time, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", str(data),
                                                                         style='"'))
_Dumper.add_representer(list, _represent_list)


def to_yaml(m: ProcessMap) -> str:
    """YAML in the documented order; the file's leading comment block is kept."""
    body = yaml.dump(to_dict(m), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110,
                     default_flow_style=False, indent=2)
    body = re.sub(r"^(\s*)- ", r"\1- ", body, flags=re.M)
    header = (m.header_comment + "\n") if m.header_comment else ""
    return header + body
