"""Reading and writing process maps: what the YAML means (durations, entry, routes), and the round trip
parse -> to_yaml -> parse, with the documented key order, the order of steps/routes/roles, the file's
leading comment block, and compact durations."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from workbench.flow.model import Duration, parse_map, to_dict, to_yaml

ROOT = Path(__file__).resolve().parent.parent

RICH = """\
# Housing repairs - a map for the round-trip tests
# Figures: workshop on 3 March; see each step's source.

# (a blank line inside the header block is part of it)
name: Rich map
service: Housing repairs
design: worker-led
description: A map that uses every feature of the format.
catalogue: catalogues/housing_repairs_catalogue.yaml
roles:
  - id: coord
    name: Repairs coordinator
    staff: 6
    hours_per_day: 7
    days_per_week: 5
  - id: op
    name: Operative
    staff: 10
    hours_per_day: 8
    days_per_week: 4.5
  - id: ot
    name: Occupational therapist
    staff: 1
entry:
  default: understand
  touchpoints:
    Email: read
steps:
  - id: read
    name: Read the email
    role: coord
    work: other
    touch: 2
    routes:
      - to: understand
        otherwise: true
  - id: understand
    name: Understand what matters
    role: coord
    touch: {min: 5, likely: 12, max: 30}
    source: sample handling_minutes   # a comment inside the file is not kept
    routes:
      - to: assess
        types: [Request an adaptation]
      - to: resolved
        nature: failure
        cause: progress chasing
        probability: 0.8
      - to: visit
        touchpoints: [Phone, Web form]
        probability: 0.5
      - to: visit
        otherwise: true
  - id: assess
    name: OT assessment
    role: ot
    pulled: true
    touch: {likely: 1.5, unit: hours}
    wait: {min: 5, likely: 10, max: 20}
    routes:
      - to: visit
        otherwise: true
  - id: visit
    name: Fix it on site
    role: op
    touch: {mean: 60, distribution: exponential}
    wait: {likely: 36, unit: hours}
    complete_and_accurate: 87.5
    not_accurate: {rework: visit}
    routes:
      - to: check
        probability: 0.1
      - to: resolved
        otherwise: true
  - id: check
    name: Check quality
    role: op
    work: check
    touch: 15
    wait: 2.5
    complete_and_accurate: 95
    not_accurate: {recall: Nobody turned up}
    routes:
      - to: visit
        probability: 0.2
        rework: true
      - to: resolved
        otherwise: true
failure_demand:
  - kind: chase
    name: Customers chase
    every_days: 5
    probability: 0.5
    demand_type: Chasing a repair
    touchpoint: Phone
    steps: [visit]
"""

TOP_ORDER = ["name", "service", "design", "description", "catalogue", "roles", "entry", "steps", "failure_demand"]
ROLE_ORDER = ["id", "name", "staff", "hours_per_day", "days_per_week"]
STEP_ORDER = ["id", "name", "role", "work", "touch", "wait", "complete_and_accurate", "not_accurate", "pulled",
              "source", "routes"]
ROUTE_ORDER = ["to", "types", "nature", "cause", "touchpoints", "probability", "otherwise", "rework"]
CHASE_ORDER = ["kind", "name", "every_days", "probability", "demand_type", "touchpoint", "steps"]


def _id(value: object) -> str | None:
    """Readable test ids for YAML snippets (no newlines)."""
    return " ".join(value.split())[:60] or "empty" if isinstance(value, str) else None



def _in_order(keys: list[str], documented: list[str]) -> bool:
    assert set(keys) <= set(documented), set(keys) - set(documented)
    positions = [documented.index(k) for k in keys]
    return positions == sorted(positions)


def _zero(triple: tuple[float, float, float] | None) -> tuple[float, float, float]:
    """A wait nobody gave is documented as zero."""
    return (0.0, 0.0, 0.0) if triple is None else triple


# ------------------------------------------------------------------------------------------ reading


def test_reading_the_rich_map() -> None:
    m = parse_map(RICH, "rich.yaml")
    assert m.problems == []
    assert (m.name, m.service, m.design) == ("Rich map", "Housing repairs", "worker-led")
    assert [r.id for r in m.roles] == ["coord", "op", "ot"]
    ot = m.role("ot")
    assert ot is not None and (ot.staff, ot.hours_per_day, ot.days_per_week) == (1, 7.5, 5)  # the defaults
    assert [s.id for s in m.steps] == ["read", "understand", "assess", "visit", "check"]
    assert m.entry_default == "understand" and m.entry_touchpoints == {"Email": "read"}
    assert m.entry_for(" email ") == "read" and m.entry_for("Phone") == "understand"
    understand = m.step("understand")
    assert understand is not None
    assert [r.to for r in understand.routes] == ["assess", "resolved", "visit", "visit"]
    r2 = understand.routes[1]
    assert (r2.nature, r2.cause, r2.probability, r2.otherwise) == ("failure", "progress chasing", 0.8, False)
    assert understand.routes[2].touchpoints == ["Phone", "Web form"]
    assert understand.source == "sample handling_minutes"
    visit, check = m.step("visit"), m.step("check")
    assert visit is not None and check is not None
    assert (visit.complete_and_accurate, visit.rework_to, visit.recall_type) == (87.5, "visit", "")
    assert (check.recall_type, check.rework_to) == ("Nobody turned up", "")
    assert check.routes[0].rework and not check.routes[1].rework
    assert m.step("assess").pulled and not visit.pulled  # type: ignore[union-attr]
    (chase,) = m.chases
    assert (chase.every_days, chase.probability, chase.demand_type, chase.steps) == (5, 0.5, "Chasing a repair",
                                                                                    ["visit"])
    # lines of steps and routes, counted by hand
    assert understand.line == 37 and RICH.splitlines()[36].strip() == "- id: understand"
    assert check.routes[0].line == 84 and RICH.splitlines()[83].strip() == "- to: visit"


def test_durations_as_read() -> None:
    m = parse_map(RICH)
    by_id = {s.id: s for s in m.steps}
    # fixed number: (2, 2, 2) minutes
    assert by_id["read"].touch.triple == (2, 2, 2) and by_id["read"].touch.unit == "minutes"
    # no wait given: zero, in days
    assert by_id["read"].wait.is_zero() and by_id["read"].wait.unit == "days"
    # triangular 5/12/30: mean (5 + 12 + 30) / 3 = 15.666...
    assert by_id["understand"].touch.mean_minutes() == pytest.approx(47 / 3)
    # 1.5 hours = 90 minutes
    assert by_id["assess"].touch.unit == "hours"
    assert by_id["assess"].touch.mean_minutes() == pytest.approx(90)
    # exponential with mean 60 minutes
    assert by_id["visit"].touch.exponential and by_id["visit"].touch.mean_minutes() == pytest.approx(60)
    # 36 hours = 1.5 days = 2160 minutes
    assert by_id["visit"].wait.mean_minutes() == pytest.approx(2160)
    # plain number for a wait: days; 2.5 days = 3600 minutes
    assert by_id["check"].wait.mean_minutes() == pytest.approx(3600)


@pytest.mark.parametrize(("value", "triple", "unit"), [
    ("5", (5, 5, 5), "minutes"),
    ("'2 hours'", (2, 2, 2), "hours"),
    ("3h", (3, 3, 3), "hours"),
    ("'90 min'", (90, 90, 90), "minutes"),
    ("{min: 2, max: 8}", (2, 5, 8), "minutes"),        # a missing likely is the midpoint
    ("{min: 3, likely: 6}", (3, 6, 6), "minutes"),     # a missing max equals likely
    ("{likely: 4, max: 9}", (4, 4, 9), "minutes"),     # a missing min equals likely
    ("{max: 9}", (9, 9, 9), "minutes"),
    ("{likely: 1, unit: days}", (1, 1, 1), "days"),
    ("{likely: 1, unit: hour}", (1, 1, 1), "hours"),
])
def test_touch_forms(value: str, triple: tuple[float, float, float], unit: str) -> None:
    m = parse_map(f"name: x\nsteps:\n  - id: a\n    touch: {value}\n")
    assert m.problems == []
    touch = m.steps[0].touch
    assert touch.triple == triple
    assert touch.unit == unit


def test_duration_mean_and_tail_by_hand() -> None:
    d = Duration(0, 5, 10, "days")
    assert d.mean == pytest.approx(5)
    assert d.mean_minutes() == pytest.approx(5 * 1440)
    # triangular (a=0, c=5, b=10): P(T >= x) = 1 - (x-a)^2 / ((b-a)(c-a)) for x <= c, (b-x)^2 / ((b-a)(b-c)) above
    assert d.prob_at_least(2.5) == pytest.approx(1 - 2.5**2 / 50)   # 0.875
    assert d.prob_at_least(7.5) == pytest.approx(2.5**2 / 50)       # 0.125
    assert d.prob_at_least(0) == 1 and d.prob_at_least(10) == 0 and d.prob_at_least(11) == 0
    # a fixed time: every threshold up to and including it is certain
    fixed = Duration(likely=12, unit="days")
    assert (fixed.prob_at_least(12), fixed.prob_at_least(12.01)) == (1, 0)
    # exponential mean 5: P(T >= 5) = e^-1
    exp = Duration(likely=5, distribution="exponential")
    assert exp.prob_at_least(5) == pytest.approx(math.exp(-1))
    assert exp.mean == 5
    assert Duration(1, 2, 3, "hours").mean_minutes() == pytest.approx(120)
    assert Duration(unit="days").is_zero() and Duration(0, 0, 0).is_zero() and not Duration(0, 0, 1).is_zero()


def test_entry_as_a_plain_step_id() -> None:
    m = parse_map("name: x\nentry: answer\n")
    assert (m.entry_default, m.entry_touchpoints) == ("answer", {})
    assert m.entry_for("Email") == "answer"


def test_route_type_and_touchpoint_may_be_a_single_comma_separated_text() -> None:
    m = parse_map("name: x\nsteps:\n  - id: a\n    touch: 1\n    routes:\n"
                  "      - to: b\n        type: Report a leak\n        touchpoint: Phone, Email\n")
    (route,) = m.steps[0].routes
    assert route.types == ["Report a leak"]
    assert route.touchpoints == ["Phone", "Email"]


# ------------------------------------------------------------------------------------------ round trip


def test_round_trip_gives_an_equal_map() -> None:
    first = parse_map(RICH, "rich.yaml")
    second = parse_map(to_yaml(first), "rich.yaml")
    assert second.problems == []
    assert to_dict(second) == to_dict(first)
    # and the meaning, not only the dict: same durations, same routes
    for a, b in zip(first.steps, second.steps, strict=True):
        assert (a.touch.triple, a.touch.unit, a.touch.distribution) == (b.touch.triple, b.touch.unit,
                                                                       b.touch.distribution)
        assert (_zero(a.wait.triple), a.wait.unit) == (_zero(b.wait.triple), b.wait.unit)
        assert [(r.to, r.probability, r.otherwise, r.rework) for r in a.routes] == [
            (r.to, r.probability, r.otherwise, r.rework) for r in b.routes]


def test_to_dict_holds_what_the_file_says() -> None:
    """to_dict is checked against the file read with plain yaml, so the round trip cannot agree with itself
    by dropping something on both sides."""
    raw = yaml.safe_load(RICH)
    d = to_dict(parse_map(RICH))
    for key in ("name", "service", "design", "description", "catalogue", "entry", "failure_demand"):
        assert d[key] == raw[key], key
    assert [r["id"] for r in d["roles"]] == [r["id"] for r in raw["roles"]]
    assert d["roles"][1] == raw["roles"][1]
    for written, typed in zip(d["steps"], raw["steps"], strict=True):
        assert written["routes"] == typed["routes"], typed["id"]
        for key in ("touch", "complete_and_accurate", "not_accurate", "pulled", "source"):
            if key in typed:
                assert written[key] == typed[key], (typed["id"], key)
        assert written.get("wait", 0) == typed.get("wait", 0), typed["id"]


def test_to_yaml_is_idempotent_on_its_own_output() -> None:
    once = to_yaml(parse_map(RICH, "rich.yaml"))
    twice = to_yaml(parse_map(once, "rich.yaml"))
    assert twice == once
    assert to_yaml(parse_map(twice)) == once


def test_the_leading_comment_block_is_kept_and_not_repeated() -> None:
    header = RICH.split("name: Rich map")[0].rstrip("\n")
    once = to_yaml(parse_map(RICH))
    assert once.startswith(header + "\nname: Rich map\n")
    assert once.count("# Housing repairs - a map for the round-trip tests") == 1
    twice = to_yaml(parse_map(once))
    assert twice.count("# Housing repairs - a map for the round-trip tests") == 1
    # comments inside the file are not kept (documented); the step's source: field is
    assert "a comment inside the file" not in once
    assert "source: sample handling_minutes" in once


def test_no_header_means_no_comment_lines() -> None:
    text = RICH.split("# (a blank line inside the header block is part of it)\n")[1]
    out = to_yaml(parse_map(text))
    assert out.startswith("name: Rich map\n")
    assert "#" not in out


def test_key_order_is_the_documented_order() -> None:
    out = to_yaml(parse_map(RICH))
    doc = yaml.safe_load(out)
    assert list(doc) == TOP_ORDER
    for role in doc["roles"]:
        assert list(role) == ROLE_ORDER
    for step in doc["steps"]:
        assert _in_order(list(step), STEP_ORDER), list(step)
        for route in step.get("routes", []):
            assert _in_order(list(route), ROUTE_ORDER), list(route)
    assert list(doc["failure_demand"][0]) == CHASE_ORDER
    # the step with most keys, exactly
    assert list(doc["steps"][3]) == ["id", "name", "role", "work", "touch", "wait", "complete_and_accurate",
                                     "not_accurate", "routes"]
    assert list(doc["steps"][2]) == ["id", "name", "role", "work", "touch", "wait", "pulled", "routes"]
    assert list(doc["steps"][1]["routes"][1]) == ["to", "nature", "cause", "probability"]


def test_key_order_does_not_follow_the_order_typed() -> None:
    text = """\
steps:
  - routes:
      - otherwise: true
        to: resolved
    touch: 5
    role: agent
    id: a
entry: a
roles:
  - staff: 2
    id: agent
name: Backwards
"""
    doc = yaml.safe_load(to_yaml(parse_map(text)))
    assert list(doc) == ["name", "roles", "entry", "steps"]
    assert list(doc["roles"][0]) == ROLE_ORDER
    assert list(doc["steps"][0]) == ["id", "name", "role", "work", "touch", "wait", "routes"]
    assert list(doc["steps"][0]["routes"][0]) == ["to", "otherwise"]


def test_step_route_and_role_order_is_kept() -> None:
    text = """\
name: Order
roles:
  - id: zeta
  - id: alpha
entry: m
steps:
  - id: z
    role: zeta
    touch: 1
  - id: m
    role: alpha
    touch: 1
    routes:
      - to: z
        probability: 0.2
      - to: b
        probability: 0.3
      - to: a
        otherwise: true
  - id: b
    role: zeta
    touch: 1
  - id: a
    role: alpha
    touch: 1
"""
    doc = yaml.safe_load(to_yaml(parse_map(text)))
    assert [r["id"] for r in doc["roles"]] == ["zeta", "alpha"]
    assert [s["id"] for s in doc["steps"]] == ["z", "m", "b", "a"]
    assert [r["to"] for r in doc["steps"][1]["routes"]] == ["z", "b", "a"]


@pytest.mark.parametrize(("typed", "written"), [
    ("touch: 6", "touch: 6"),
    ("touch: 6.0", "touch: 6"),
    ("touch: 2.5", "touch: 2.5"),
    ("touch: {min: 4, likely: 4, max: 4}", "touch: 4"),
    ("touch: {min: 3, likely: 6, max: 14}", "touch: {min: 3, likely: 6, max: 14}"),
    ("touch: {min: 3, max: 9}", "touch: {min: 3, max: 9}"),
    ("touch: {likely: 1.5, unit: hours}", "touch: {likely: 1.5, unit: hours}"),
    ("touch: '2 hours'", "touch: {likely: 2, unit: hours}"),
    ("touch: {likely: 30, unit: minutes}", "touch: 30"),
    ("touch: {min: 2, likely: 2, max: 2, unit: hours}", "touch: {likely: 2, unit: hours}"),
    ("touch: {mean: 5, distribution: exponential}", "touch: {mean: 5, distribution: exponential}"),
    ("touch: 1\n    wait: 3", "wait: 3"),
    ("touch: 1\n    wait: {min: 1, likely: 2, max: 5}", "wait: {min: 1, likely: 2, max: 5}"),
    ("touch: 1\n    wait: {likely: 4, unit: hours}", "wait: {likely: 4, unit: hours}"),
    ("touch: 1\n    wait: {likely: 2, unit: days}", "wait: 2"),
    ("touch: 1\n    wait: {min: 4, likely: 4, max: 4, unit: hours}", "wait: {likely: 4, unit: hours}"),
    ("touch: 1\n    wait: {mean: 3, distribution: exponential}", "wait: {mean: 3, distribution: exponential}"),
    ("touch: 1\n    wait: {mean: 8, distribution: exponential, unit: hours}",
     "wait: {mean: 8, distribution: exponential, unit: hours}"),
], ids=_id)
def test_durations_are_written_compactly(typed: str, written: str) -> None:
    text = f"name: x\nroles:\n  - id: r\nentry: a\nsteps:\n  - id: a\n    role: r\n    {typed}\n"
    out = to_yaml(parse_map(text))
    lines = [line.strip() for line in out.splitlines()]
    assert written in lines, out
    # and reading it back means the same
    before, after = parse_map(text).steps[0], parse_map(out).steps[0]
    for attr in ("touch", "wait"):
        b, a = getattr(before, attr), getattr(after, attr)
        assert (_zero(a.triple), a.mean_minutes(), a.distribution) == (_zero(b.triple), b.mean_minutes(),
                                                                      b.distribution)


def test_a_step_without_a_wait_is_written_with_wait_zero() -> None:
    out = to_yaml(parse_map("name: x\nsteps:\n  - id: a\n    touch: 5\n"))
    assert "wait: 0" in [line.strip() for line in out.splitlines()]


def test_defaults_are_not_written() -> None:
    out = to_yaml(parse_map("name: x\nsteps:\n  - id: a\n    touch: 5\n    complete_and_accurate: 100\n"
                            "    pulled: false\n"))
    step = yaml.safe_load(out)["steps"][0]
    assert "complete_and_accurate" not in step and "pulled" not in step and "routes" not in step


def test_unicode_survives_the_round_trip() -> None:
    text = "name: Réparations – été\nsteps:\n  - id: a\n    name: Jobs over £500\n    touch: 5\n"
    out = to_yaml(parse_map(text))
    assert "Réparations – été" in out and "Jobs over £500" in out


@pytest.mark.parametrize("path", sorted((ROOT / "process_maps").glob("*.yaml")), ids=lambda p: p.name)
def test_the_bundled_maps_round_trip(path: Path) -> None:
    first = parse_map(path.read_text(encoding="utf-8"), path.name)
    once = to_yaml(first)
    assert to_dict(parse_map(once, path.name)) == to_dict(first)
    assert to_yaml(parse_map(once, path.name)) == once


def test_a_map_saved_when_catalogues_lived_in_sample_data_still_finds_its_catalogue(tmp_path: Path) -> None:
    """Studies made before a catalogue had to sit beside its map hold '../sample_data/...': it reads as the
    copy beside the bundled maps, so their metrics do not vanish."""
    from workbench import paths
    from workbench.flow.validate import validate_map

    old = (paths.PROCESS_MAPS_DIR / "housing_repairs_worker_led.yaml").read_text(encoding="utf-8").replace(
        "catalogue: catalogues/housing_repairs_catalogue.yaml",
        "catalogue: ../sample_data/housing_repairs_catalogue.yaml")
    assert "../sample_data/housing_repairs_catalogue.yaml" in old
    m = parse_map(old, "old.yaml", paths.PROCESS_MAPS_DIR / "study-map.yaml")
    assert m.catalogue == "catalogues/housing_repairs_catalogue.yaml"
    assert m.catalogue_path() == (paths.PROCESS_MAPS_DIR / "catalogues" / "housing_repairs_catalogue.yaml").resolve()
    assert not [p for p in validate_map(m) if p.severity == "error"]
