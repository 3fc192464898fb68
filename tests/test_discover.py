"""Drafting an as-is map from an event log (`workbench.eventlog.observe` + `workbench.flow.discover`, and
`workbench log discover`). The figures of the small log are worked out by hand below; the sample log's draft is
compared with the map it was generated from (process_maps/housing_repairs_standard_work.yaml)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from guard import guarded_cli

from workbench.demand.catalogue import load_catalogue
from workbench.eventlog.analysis import rollup
from workbench.eventlog.log import read_log
from workbench.eventlog.observe import observe
from workbench.flow import expected as E
from workbench.flow.discover import DEFAULT_TOUCH_MINUTES, discover, slug
from workbench.flow.model import RESOLVED, ProcessMap, load_map, parse_map_text, to_yaml
from workbench.flow.routing import DemandKind, next_steps
from workbench.flow.validate import has_errors, validate_map

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_LOG = ROOT / "sample_data" / "housing_repairs_events.csv"
STANDARD = ROOT / "process_maps" / "housing_repairs_standard_work.yaml"
CATALOGUE = ROOT / "process_maps" / "catalogues" / "housing_repairs_catalogue.yaml"

# case, activity, time (hour of 5 Jan 2026), resource, role, touchpoint
A, B, C, D = "Log the job", "Check the job", "Close the job", "Key the email"
CASES = [
    ("c1", "Phone", [(A, 9.0, "alice", "desk"), (B, 10.0, "bob", "office"), (C, 12.0, "bob", "office")]),
    ("c2", "Phone", [(A, 9.0, "alice", "desk"), (B, 11.0, "carol", "office"), (C, 12.0, "bob", "office")]),
    ("c3", "Phone", [(A, 9.0, "alice", "desk"), (B, 9.5, "bob", "office"), (A, 10.0, "alice", "desk"),
                     (B, 11.0, "bob", "office"), (C, 15.0, "bob", "office")]),
    ("c4", "Phone", [(A, 9.0, "alice", "desk"), (C, 13.0, "bob", "office")]),
    ("c5", "Email", [(D, 9.0, "dan", "desk"), (B, 9.25, "carol", "office"), (C, 10.25, "bob", "office")]),
]
ON = date(2026, 11, 28)


def _stamp(hour: float) -> str:
    return f"2026-01-05 {int(hour):02d}:{int(round(hour % 1 * 60)):02d}"


def write_log(path: Path, cases: list = CASES, start_minutes: float | None = None) -> Path:
    head = "case_id,activity,timestamp,resource,role,touchpoint" + (",start timestamp" if start_minutes else "")
    rows = [head]
    for case, tp, events in cases:
        for act, hour, who, role in events:
            row = f'{case},"{act}",{_stamp(hour)},{who},{role},{tp}'
            if start_minutes:
                row += "," + _stamp(hour - start_minutes / 60)
            rows.append(row)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def draft(tmp_path: Path, min_share: float = 0.0) -> ProcessMap:
    return discover(observe(read_log(write_log(tmp_path / "small.csv"))), "Small - discovered",
                    min_share=min_share, on=ON)


def routes_of(m: ProcessMap) -> dict[str, dict[str, float]]:
    """step name -> {destination name: probability} (the `otherwise` route takes the rest)."""
    names = {s.id: s.name for s in m.steps} | {RESOLVED: RESOLVED}
    out = {}
    for s in m.steps:
        given = sum(r.probability or 0 for r in s.routes if not r.otherwise)
        out[s.name] = {names[r.to]: round(1 - given if r.otherwise else r.probability or 0, 4) for r in s.routes}
    return out


def test_small_log_steps_routes_roles_waits(tmp_path: Path) -> None:
    m = draft(tmp_path)
    # steps in order of their place in cases (ties by name); ids are slugs of the activity
    assert [s.name for s in m.steps] == [D, A, B, C]
    assert [s.id for s in m.steps] == ["key_the_email", "log_the_job", "check_the_job", "close_the_job"]
    # departures: A -> B 4 (c1, c2, c3 twice), A -> C 1 (c4); B -> C 4, B -> A 1 (c3); C -> end 5; D -> B 1
    assert routes_of(m) == {A: {B: 0.8, C: 0.2}, D: {B: 1.0}, B: {C: 0.8, A: 0.2}, C: {RESOLVED: 1.0}}
    by_name = {s.name: s for s in m.steps}
    assert [r.rework for r in by_name[B].routes] == [False, True]  # B -> A goes back to an earlier activity
    assert not any(r.rework for s in m.steps for r in s.routes if s.name != B)
    assert all(s.routes[-1].otherwise for s in m.steps)
    # roles: the most frequent role of each activity; staff = distinct resources in the role
    assert {s.name: s.role for s in m.steps} == {A: "desk", D: "desk", B: "office", C: "office"}
    assert {(r.id, r.staff) for r in m.roles} == {("desk", 2), ("office", 2)}  # alice, dan; bob, carol
    # waits: medians of the gaps before each event, a case's first event waiting 0
    # A: 0, 0, 0, 0, 0.5 h -> 0; B: 1, 2, 0.5, 1, 0.25 h -> 1 h; C: 2, 1, 4, 4, 1 h -> 2 h; D: 0
    assert {s.name: (s.wait.likely, s.wait.unit) for s in m.steps} == {
        A: (0, "days"), D: (0, "days"), B: (1.0, "hours"), C: (2.0, "hours")}
    assert all(s.touch.likely == DEFAULT_TOUCH_MINUTES for s in m.steps)
    assert m.entry_default == "log_the_job"
    assert m.entry_touchpoints == {"Email": "key_the_email", "Phone": "log_the_job"}
    assert m.description.startswith("Discovered from small.csv on 2026-11-28: 5 cases, 16 events; routes under 0% "
                                    "folded")
    assert "no start times" in m.description
    assert not has_errors(validate_map(m))


def test_small_log_expected_handoffs(tmp_path: Path) -> None:
    """Phone demand: visits to A = 1 + 0.2 visits to B, B = 0.8 A, so A = 1 / 0.84; every move out of A is a
    hand-off (desk -> office) and B -> A is one: hand-offs = A + 0.2 B = 1.16 / 0.84."""
    m = draft(tmp_path)
    e = E.expect(m, DemandKind(touchpoint="Phone"))
    assert e.handoffs == pytest.approx(1.16 / 0.84)
    assert e.rework == pytest.approx(0.2 * 0.8 / 0.84)
    # Email demand enters at D and moves to B (a hand-off): visits B = 1 + 0.8 A, A = 0.2 B, so B = 1 / 0.84;
    # hand-offs = 1 (D -> B) + 0.2 B (B -> A) + A (A -> B or C) = 1 + 0.4 / 0.84
    assert E.expect(m, DemandKind(touchpoint="Email")).handoffs == pytest.approx(1 + 0.4 / 0.84)


def test_min_share_folds_small_routes(tmp_path: Path) -> None:
    m = draft(tmp_path, min_share=0.25)
    assert routes_of(m) == {A: {B: 1.0}, D: {B: 1.0}, B: {C: 1.0}, C: {RESOLVED: 1.0}}
    assert "routes under 25% folded (2 route(s)" in m.description
    assert not has_errors(validate_map(m))
    # 0.2 is not under 0.2: kept
    assert routes_of(draft(tmp_path, min_share=0.2))[A] == {B: 0.8, C: 0.2}


def test_folding_never_traps_a_loop(tmp_path: Path) -> None:
    """X -> Y -> X -> Y ... where Y's only way to the end is rare: folding it away would leave a loop with no
    way out, so it is given back and the description says so."""
    loop = [("k1", "Phone", [("X", 9, "a", "r"), ("Y", 10, "b", "s"), ("X", 11, "a", "r"), ("Y", 12, "b", "s"),
                             ("X", 13, "a", "r"), ("Y", 14, "b", "s"), ("X", 15, "a", "r"), ("Y", 16, "b", "s")]),
            ("k2", "Phone", [("X", 9, "a", "r"), ("Y", 10, "b", "s"), ("X", 11, "a", "r"), ("Z", 12, "c", "t")])]
    m = discover(observe(read_log(write_log(tmp_path / "loop.csv", loop))), "loop", min_share=0.3, on=ON)
    assert not has_errors(validate_map(m)), validate_map(m)
    assert "no way to the end" in m.description
    for tp in ("", "Phone"):
        assert np.isfinite(E.expect(m, DemandKind(touchpoint=tp)).steps)


def test_start_times_give_touch_times(tmp_path: Path) -> None:
    m = discover(observe(read_log(write_log(tmp_path / "timed.csv", start_minutes=12))), "timed", on=ON)
    assert {s.touch.likely for s in m.steps} == {12.0}
    # the wait runs to the start: B waited 1 h - 12 min etc.; C: 2, 1, 4, 4, 1 h less 12 min -> 1.8 h
    assert next(s for s in m.steps if s.name == C).wait.likely == pytest.approx(1.8)
    assert "no start times" not in m.description
    assert not has_errors(validate_map(m))


def test_yaml_round_trip(tmp_path: Path) -> None:
    m = draft(tmp_path)
    back = parse_map_text(to_yaml(m), "small.yaml")
    assert not back.problems
    assert routes_of(back) == routes_of(m)
    assert back.description == m.description
    assert not has_errors(validate_map(back))


def test_slug() -> None:
    taken: set[str] = set()
    assert slug("Answer the call, check identity and follow the script", taken) == "answer_the_call_check_identity"
    assert slug("Answer the call, check identity and follow up", taken) == "answer_the_call_check_identity_2"
    assert slug("resolved", taken) == "resolved_step"
    assert slug("!!!", taken) == "step"


# ------------------------------------------------------------------------------------------ the sample log


def _standard_flows(m: ProcessMap, mix: list[tuple[DemandKind, float]]) -> dict[str, dict[str, float]]:
    """Expected moves per demand between the standard map's steps, following its routes only (as the sample
    log was generated: sample_data/make_event_log.py takes no %C&A rework), summed over the mix."""
    steps = [s for s in m.steps]
    index = {s.id: i for i, s in enumerate(steps)}
    flows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for kind, weight in mix:
        q = np.zeros((len(steps), len(steps)))
        for i, s in enumerate(steps):
            for dest, p, _ in next_steps(s, kind):
                if dest in index:
                    q[i, index[dest]] += p
        start = np.zeros(len(steps))
        start[index[m.entry_for(kind.touchpoint)]] = 1.0
        visits = np.linalg.solve((np.eye(len(steps)) - q).T, start)
        for i, s in enumerate(steps):
            for dest, p, _ in next_steps(s, kind):
                name = steps[index[dest]].name if dest in index else RESOLVED
                flows[s.name][name] += weight * visits[i] * p
    return flows


@pytest.fixture(scope="module")
def sample() -> tuple:
    log = read_log(SAMPLE_LOG)
    facts = observe(log)
    catalogue = load_catalogue(CATALOGUE)
    mix = E.demand_mix(rollup(log), catalogue)
    return log, facts, mix, load_map(STANDARD)


def test_sample_main_paths_match_the_generating_map(sample: tuple) -> None:
    """For every step with at least 5% of the events, its most frequent route in the draft is the most frequent
    move out of that step in the map the log was generated from (with the log's own mix of types and
    touchpoints). Exact: the generator walks that map's routes, so only later contacts (chases, logged as an
    event of the entry step at their time) add moves of their own, and they are rare beside the main paths."""
    log, facts, mix, standard = sample
    m = discover(facts, "sample", min_share=0.0, on=ON)
    assert not has_errors(validate_map(m))
    kinds = [(DemandKind(r["demand_type"], r["nature"], r["cause"], r["touchpoint"]), float(r["count"]))
             for r in mix.to_dict("records")]
    flows = _standard_flows(standard, kinds)
    names = {s.id: s.name for s in m.steps} | {RESOLVED: RESOLVED}
    events = dict(zip(facts.activities["activity"], facts.activities["events"], strict=True))
    big = [s for s in m.steps if events[s.name] >= 0.05 * facts.events]
    assert len(big) >= 8
    for s in big:
        main = max(flows[s.name].items(), key=lambda kv: kv[1])[0]
        assert names[s.routes[0].to] == main or s.name.startswith("Answer the call"), s.name
    # the phone's first step: chases re-enter it mid-case, so its observed routes spread; the main move of
    # the map is still the first route once routes under 5% are folded
    folded = discover(facts, "sample", min_share=0.05, on=ON)
    answer = next(s for s in folded.steps if s.name.startswith("Answer the call"))
    main = max(flows[answer.name].items(), key=lambda kv: kv[1])[0]
    assert names[answer.routes[0].to] == main


def test_sample_handoffs_close_to_the_generating_map(sample: tuple) -> None:
    """Expected hand-offs per demand (workbench.flow.expected, the log's mix) of the draft within 15% of the
    generating map's. Not closer, because: the log was generated without the map's %C&A rework (second visits
    add hand-offs to the map, not to the log); chases add entry-step events in the middle of cases (hand-offs
    in the log the map does not route); and the draft is first-order (a step's routes are the same for every
    type of demand, where the map routes by type)."""
    log, facts, mix, standard = sample
    _, want = E.expect_mix(standard, mix)
    _, got = E.expect_mix(discover(facts, "sample", on=ON), mix)
    assert got["handoffs"] == pytest.approx(want["handoffs"], rel=0.15)
    assert got["steps"] == pytest.approx(want["steps"], rel=0.15)
    # and the draft's steps are the map's: every activity is a step of the map, with the map's role
    roles = {s.name: s.role for s in standard.steps}
    for s in discover(facts, "sample", on=ON).steps:
        assert roles[s.name] == s.role


def test_cli_log_discover(tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    done = guarded_cli("log", "discover", str(write_log(tmp_path / "small.csv")), "-o", str(out),
                       "--min-share", "0.25", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["valid"] is True and data["steps"] == 4 and data["routes"] == 4 and data["rework_routes"] == 0
    assert data["entry"] == {"default": "log_the_job", "touchpoints": {"Email": "key_the_email",
                                                                       "Phone": "log_the_job"}}
    assert data["expected_handoffs"]["Phone"] == pytest.approx(1.0)
    assert data["report"]["events_read"] == 16
    m = parse_map_text(out.read_text(encoding="utf-8"), "draft.yaml")
    assert not has_errors(validate_map(m))
    assert m.name == "small - discovered"
    text = guarded_cli("log", "discover", str(tmp_path / "small.csv"), "-o", str(out))
    assert text.returncode == 0 and "Validation: no errors" in text.stdout and "Steps: 4" in text.stdout
    bad = guarded_cli("log", "discover", str(tmp_path / "small.csv"), "-o", str(out), "--min-share", "1.5")
    assert bad.returncode == 2 and "--min-share" in bad.stderr and bad.no_traceback()
    missing = guarded_cli("log", "discover", str(tmp_path / "nope.csv"), "-o", str(out))
    assert missing.returncode == 2 and missing.no_traceback()


def test_lifecycle_pairs_give_touch_times_and_resources_give_roles(tmp_path: Path) -> None:
    """start/complete events (XES lifecycle:transition): touch = start to complete, wait = previous completion to
    the start; no role column, so each step's role is its resource."""
    path = tmp_path / "lifecycle.csv"
    path.write_text("case,activity,timestamp,resource,lifecycle\n"
                    "1,A,2026-01-05 09:00,ann,start\n1,A,2026-01-05 09:10,ann,complete\n"
                    "1,B,2026-01-05 10:00,bob,start\n1,B,2026-01-05 10:30,bob,complete\n"
                    "2,A,2026-01-05 09:00,ann,start\n2,A,2026-01-05 09:20,ann,complete\n"
                    "2,B,2026-01-05 11:20,bob,start\n2,B,2026-01-05 11:50,bob,complete\n", encoding="utf-8")
    m = discover(observe(read_log(path)), "lifecycle", on=ON)
    # A: 10 and 20 min -> 15; B: 30 and 30 -> 30; B waits 50 min and 2 h -> median 85 min = 1.42 h
    assert [(s.id, s.role, s.touch.likely) for s in m.steps] == [("a", "ann", 15.0), ("b", "bob", 30.0)]
    assert (m.steps[1].wait.likely, m.steps[1].wait.unit) == (1.42, "hours")
    assert {(r.id, r.staff) for r in m.roles} == {("ann", 1), ("bob", 1)}
    assert "most frequent resource" in m.description and "no start times" not in m.description
    assert not has_errors(validate_map(m))
