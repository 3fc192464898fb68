"""Process maps: the dataclasses, reading them from YAML and writing them back.

Reading is lenient on purpose: a map with mistakes must still open in the editor so a team can fix it.
Anything that cannot be understood is kept as it was typed and reported as a problem (with its YAML line);
`workbench.flow.validate` adds the checks that need the whole map. Only invalid YAML syntax, or a file
that is not a mapping at all, refuses to load. The format is documented in docs/process-maps.md.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
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
Distribution = Literal["triangular", "exponential"]


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
    """A time as min / likely / max (triangular), or an exponential time given by its mean (held in
    `likely`). `unit` is what the user wrote; values are in that unit."""

    min: float | None = None
    likely: float | None = None
    max: float | None = None
    unit: str = "minutes"
    distribution: Distribution = "triangular"

    @property
    def exponential(self) -> bool:
        return self.distribution == "exponential"

    @property
    def triple(self) -> tuple[float, float, float] | None:
        """(min, likely, max) with missing parts filled as documented; None when nothing usable is given."""
        lo, mode, hi = self.min, self.likely, self.max
        if self.exponential:
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
        t = self.triple
        if t is None or max(t) == 0:
            return "0"
        lo, mode, hi = t
        unit = {"minutes": "min", "hours": "h", "days": "d"}.get(self.unit, self.unit)
        if self.exponential:
            return f"~{_num(mode)} {unit} (exp.)"
        if lo == mode == hi:
            return f"{_num(mode)} {unit}"
        return f"{_num(lo)}–{_num(mode)}–{_num(hi)} {unit}"


def _num(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else float(x)


@dataclass
class Role:
    id: str
    name: str = ""
    staff: float = 1
    hours_per_day: float = 7.5
    days_per_week: float = 5
    line: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # values that could not be read, as typed


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
        if isinstance(value, dict):
            unit = str(value.get("unit", default_unit)).strip().lower()
            if unit.rstrip("s") + "s" in UNITS_IN_MINUTES:
                unit = unit.rstrip("s") + "s"
            else:
                self.problem(f"{what} unit '{unit}' is not one of minutes, hours, days", where, *path, "unit")
                unit = default_unit
            unknown = set(value) - {"min", "likely", "max", "unit", "mean", "distribution"}
            if unknown:
                self.problem(f"{what} has unknown keys {sorted(unknown)}; use min, likely, max, unit", where, *path,
                             severity="warning")
            dist = str(value.get("distribution") or "triangular").strip().lower()
            if dist == "exponential":
                mean = self.number(value.get("mean", value.get("likely")), f"{what} mean", where, *path, "mean")
                return Duration(likely=mean, unit=unit, distribution="exponential")
            if dist != "triangular":
                self.problem(f"{what} distribution '{dist}' is not triangular or exponential", where, *path,
                             "distribution")
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

    def text_list(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, (list, tuple)):
            return [str(v).strip() for v in value if str(v).strip()]
        return [s.strip() for s in str(value).split(",") if s.strip()]


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
        roles.append(Role(
            id=rid, name=str(item.get("name") or rid),
            staff=r.number(item.get("staff"), "staff", where, "roles", i, "staff", default=1) or 0,
            hours_per_day=r.number(item.get("hours_per_day"), "hours_per_day", where, "roles", i,
                                   "hours_per_day", default=7.5) or 0,
            days_per_week=r.number(item.get("days_per_week"), "days_per_week", where, "roles", i,
                                   "days_per_week", default=5) or 0,
            line=r.line("roles", i), raw=_raw(item, ("staff", "hours_per_day", "days_per_week"))))

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
            prob = r.number(route.get("probability"), "probability", rwhere, *path_, "routes", j, "probability")
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
            line=r.line(*path_), raw=_raw(item, ("complete_and_accurate",), ("touch", "wait"))))

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
            probability=r.number(item.get("probability"), "probability", where, "failure_demand", i,
                                 "probability", default=0) or 0,
            demand_type=str(item.get("demand_type") or "").strip(),
            touchpoint=str(item.get("touchpoint") or DEFAULT_TOUCHPOINT).strip(),
            steps=r.text_list(item.get("steps")), cause=str(item.get("cause") or "").strip(),
            line=r.line("failure_demand", i), raw=_raw(item, ("every_days", "probability"))))

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
        source=source, path=path, header_comment=header, problems=r.problems, lines=lines)


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
        return any(_unreadable_number(value.get(k)) for k in ("min", "likely", "max", "mean"))
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
    out["roles"] = [{"id": r.id, "name": r.name, "staff": _num(r.staff), "hours_per_day": _num(r.hours_per_day),
                     "days_per_week": _num(r.days_per_week), **r.raw} for r in m.roles]
    out["entry"] = ({"default": m.entry_default, "touchpoints": dict(m.entry_touchpoints)}
                    if m.entry_touchpoints else m.entry_default)
    steps = []
    for s in m.steps:
        d: dict[str, Any] = {"id": s.id, "name": s.name, "role": s.role, "work": s.work}
        if s.touch.triple is not None or "touch" in s.raw:  # a missing touch time stays missing
            d["touch"] = s.raw.get("touch", s.touch.to_yaml_value("minutes"))
        d["wait"] = s.raw.get("wait", s.wait.to_yaml_value("days"))
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
    flow = bool(data) and set(data) <= {"min", "likely", "max", "unit", "mean", "distribution"}
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, str) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def to_yaml(m: ProcessMap) -> str:
    """YAML in the documented order; the file's leading comment block is kept."""
    body = yaml.dump(to_dict(m), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110,
                     default_flow_style=False, indent=2)
    body = re.sub(r"^(\s*)- ", r"\1- ", body, flags=re.M)
    header = (m.header_comment + "\n") if m.header_comment else ""
    return header + body
