"""Simulation speed: the Workbench engine against the same model written plainly in SimPy, in one run.

    .venv/bin/python benchmarks/sim.py [--volume 10] [--repeat 3] [--weeks N] [--staff scaled|map]
                                       [--prosimos /tmp/prosimos-venv/bin/python] [--profile]

1. Loads the sample (sample_data/housing_repairs_demand.csv with its catalogue) and builds the arrivals ONCE
   with `workbench.sim.engine.plan_arrivals(frame, catalogue, volume=V, weeks=W, seed=S)`: V times the
   sample's volume over the sample's 12 weeks (plus the engine's one warm-up week), shared by everything below.
2. For each bundled map (standard-work, worker-led):
   * a counting pass (not timed) counts the events each program processes: for plain SimPy,
     `simpy.Environment.step` is replaced by a counting wrapper for the duration of the pass; the engine is
     its own event loop (no SimPy), whose `run` returns how many events it processed (the same events SimPy
     would process, less the no-op ends of processes); the pass also gives the
     headline numbers (hand-offs and end-to-end days of the measured demands) so a reader can see that both
     programs simulate the same model;
   * `--repeat` timed passes, interleaved: (a) `workbench.sim.engine.simulate(...)`, the whole call
     (simulation plus the per-demand result frame; the frame's share is shown separately), and (b)
     `benchmarks/plain_simpy.py` on the same arrivals. Times are wall-clock (`time.perf_counter`), after
     `gc.collect()`, with the collector left on as in real use.
   * reported: best and median seconds, demands per second (every simulated demand, chases and recalls
     included, and the measured ones: the sample's own demands after the warm-up), events per second
     (events counted in the counting pass / time of the timed pass), the ratio of times Workbench / plain,
     and the ratio of throughputs (demands per second) Workbench / plain, whose target is 3x.
3. With `--prosimos PYTHON` (a SEPARATE venv with `prosimos` installed; never the project's), the worker-led
   map is also written as an equivalent BPMN model + Prosimos scenario (benchmarks/out/prosimos/) and run by
   that interpreter as a subprocess on the same arrivals; see benchmarks/README.md for what "equivalent"
   means there and where it is approximate.
4. With `--profile`, the engine runs once more per map under cProfile; the top functions go to the screen
   and benchmarks/out/sim_profile_<map>.txt.

Staffing: at 10x the volume the maps' own staff would be overloaded about tenfold (most work still open a
year after the last arrival), so by default every role's staff is multiplied by the volume (`--staff
scaled`: the same service, ten times the size). `--staff map` keeps the maps' staff.

Figures go to the screen and to benchmarks/out/sim_latest.json. A benchmark reports; it does not gate: the
exit code is 0 whatever the ratio.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import math
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import simpy

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))
BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import plain_simpy  # noqa: E402

from workbench.demand.catalogue import Catalogue, load_catalogue  # noqa: E402
from workbench.demand.load import load_demand  # noqa: E402
from workbench.flow.model import RESOLVED, Duration, ProcessMap, load_map  # noqa: E402
from workbench.flow.routing import UNROUTED, DemandKind, next_steps  # noqa: E402
from workbench.sim import engine, metrics  # noqa: E402
from workbench.sim.calendar import MINUTES_PER_DAY, OPENS_AT  # noqa: E402

OUT = BENCH / "out"
DEMAND = ROOT / "sample_data/housing_repairs_demand.csv"
CATALOGUE = ROOT / "sample_data/housing_repairs_catalogue.yaml"
MAPS = [ROOT / "process_maps/housing_repairs_standard_work.yaml",
        ROOT / "process_maps/housing_repairs_worker_led.yaml"]
PROSIMOS_MAP = "housing_repairs_worker_led.yaml"


# ------------------------------------------------------------------------------------------ helpers


def machine() -> dict[str, object]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    return {"load_start": _load(), "cpus": os.cpu_count(), "cpus_usable": affinity, "cpu": cpu, "python": platform.python_version(),
            "implementation": platform.python_implementation(), "simpy": simpy.__version__,
            "platform": platform.platform()}


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


@contextmanager
def counting_steps():
    """Count `simpy.Environment.step` calls (one per processed event) while the block runs."""
    counter = [0]
    original = simpy.Environment.step

    def step(self: simpy.Environment) -> None:
        counter[0] += 1
        original(self)

    simpy.Environment.step = step  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        simpy.Environment.step = original  # type: ignore[method-assign]


@contextmanager
def counting_loop():
    """Count the events the engine's own loop processes (`engine._Loop.run` returns how many) while the block
    runs: the engine no longer uses SimPy, so its events are counted at its loop."""
    counter = [0]
    original = engine._Loop.run

    def run(self: engine._Loop, until: float) -> int:
        n = original(self, until)
        counter[0] += n
        return n

    engine._Loop.run = run  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        engine._Loop.run = original  # type: ignore[method-assign]


@contextmanager
def timing_result_frame():
    """Time the engine's result building (`_frame`, `_roles`) inside `simulate`, without editing it."""
    spent = [0.0]
    originals = engine._frame, engine._roles

    def wrap(fn):  # noqa: ANN001, ANN202
        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - t
        return timed

    engine._frame, engine._roles = wrap(originals[0]), wrap(originals[1])
    try:
        yield spent
    finally:
        engine._frame, engine._roles = originals


def staffing_for(m: ProcessMap, scale: float) -> dict[str, float]:
    return {r.id: r.staff * scale for r in m.roles}


def run_workbench(m: ProcessMap, plan: engine.ArrivalPlan, catalogue: Catalogue, seed: int,
                  staffing: dict[str, float]) -> engine.RunResult:
    return engine.simulate(m, plan.arrivals, catalogue=catalogue, seed=seed, staffing=staffing,
                           measured=(plan.measured_start, plan.measured_end))


def run_plain(m: ProcessMap, plan: engine.ArrivalPlan, catalogue: Catalogue, seed: int,
              staffing: dict[str, float]) -> plain_simpy.PlainResult:
    return plain_simpy.run(m, plan.arrivals, catalogue=catalogue, seed=seed, staffing=staffing)


def timed(fn) -> tuple[float, float]:  # noqa: ANN001
    """(wall seconds, CPU seconds of this process) of one call."""
    gc.collect()
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t, time.process_time() - c


def summary(times: list[tuple[float, float]]) -> dict[str, object]:
    wall = [w for w, _ in times]
    return {"best_s": min(wall), "median_s": statistics.median(wall), "runs_s": wall,
            "cpu_best_s": min(c for _, c in times)}


def rates(s: dict[str, object], demands: int, measured: int, events: int | None) -> None:
    best = float(s["best_s"])  # type: ignore[arg-type]
    s["demands"], s["measured"], s["events"] = demands, measured, events
    s["demands_per_s"] = demands / best
    s["measured_per_s"] = measured / best
    s["events_per_s"] = events / best if events else None


# --------------------------------------------------------------------------------------- one map


def bench_map(m: ProcessMap, plan: engine.ArrivalPlan, catalogue: Catalogue, args: argparse.Namespace
              ) -> dict[str, object]:
    staffing = staffing_for(m, args.volume if args.staff == "scaled" else 1.0)
    # counting pass: events and the headline numbers of both programs (not timed)
    with counting_loop() as n:
        run = run_workbench(m, plan, catalogue, args.seed, staffing)
    wb_events = n[0]
    with counting_steps() as n:
        plain = run_plain(m, plan, catalogue, args.seed, staffing)
    plain_events = n[0]
    head = metrics.summarise(run, plan.weeks)
    df = run.demands
    wb_demands = len(df)
    wb_measured = int(((df["generated"] == "") & df["measured"]).sum())
    wb_generated = int((df["generated"] != "").sum())
    del run, df
    # timed passes, interleaved
    wb_times, wb_frame, plain_times = [], [], []
    for _ in range(args.repeat):
        with timing_result_frame() as frame_s:
            wb_times.append(timed(lambda: run_workbench(m, plan, catalogue, args.seed, staffing)))
        wb_frame.append(frame_s[0])
        plain_times.append(timed(lambda: run_plain(m, plan, catalogue, args.seed, staffing)))
    wb = summary(wb_times)
    wb["result_frame_s_median"] = statistics.median(wb_frame)
    rates(wb, wb_demands, wb_measured, wb_events)
    wb["generated"] = wb_generated
    wb["headline"] = {"handoffs_mean": head["handoffs_mean"], "e2e_days_mean": head["e2e_days_mean"],
                      "unfinished_cases": head["unfinished"]}
    pl = summary(plain_times)
    rates(pl, plain.started, plain.measured, plain_events)
    pl["generated"] = plain.generated
    pl["headline"] = {"handoffs_mean": plain.handoffs_mean, "e2e_days_mean": plain.e2e_days_mean,
                      "unfinished_cases": plain.unfinished_cases}
    return {"map": m.source, "name": m.name, "design": m.design,
            "staff": {k: max(1, round(v)) for k, v in staffing.items()},
            "workbench": wb, "plain_simpy": pl,
            "ratio_best": wb["best_s"] / pl["best_s"], "ratio_median": wb["median_s"] / pl["median_s"],
            "throughput_ratio_best": wb["demands_per_s"] / pl["demands_per_s"],
            "throughput_ratio_cpu": (wb_demands / wb["cpu_best_s"]) / (plain.started / pl["cpu_best_s"]),
            "ratio_cpu_best": wb["cpu_best_s"] / pl["cpu_best_s"],
            "ratio_events_per_s": pl["events_per_s"] / wb["events_per_s"]}


def profile_map(m: ProcessMap, plan: engine.ArrivalPlan, catalogue: Catalogue, args: argparse.Namespace,
                top: int = 25) -> str:
    staffing = staffing_for(m, args.volume if args.staff == "scaled" else 1.0)
    prof = cProfile.Profile()
    gc.collect()
    prof.enable()
    run_workbench(m, plan, catalogue, args.seed, staffing)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    text = buf.getvalue()
    (OUT / f"sim_profile_{Path(m.source).stem}.txt").write_text(text)
    return text


# ------------------------------------------------------------------------------ Prosimos (optional)
#
# The map is unrolled into BPMN for Prosimos 2.x, which has no "spawn a new demand" and routes only on case
# attributes: each case carries its demand kind (the arrival's type and touchpoint, coded as an integer case
# attribute set per case from the shared arrivals), and the demands a design generates are copies of the
# steps they go through, run as parallel branches of the case that caused them:
# * copy "O" holds the original demands; its gateways route by the kind attribute (conditions), then by the
#   map's probabilities (`next_steps`, the same as the engine);
# * one copy per generated kind (a recall type at each touchpoint, a chase rule's type and touchpoint), with
#   plain probability gateways;
# * a step = [wait: timer event] -> task (its role's pool, working calendar) -> %C&A gateway (rework back, or
#   recall: a parallel branch waiting 7 days and entering the recall copy) -> route gateway;
# * chases: a parallel branch next to each wait, for k = 1..K: survive to k*every days with the wait's own
#   survival probability (exact, from the triangular), then chase with the rule's probability: a timer
#   "chase_at" and a branch into the chase copy;
# * Prosimos has no triangular distribution: triangular times are drawn from a normal with the same mean and
#   standard deviation truncated to [min, max] (Prosimos/pix rejects draws outside); a chase count is drawn
#   independently of the wait it happens in (same expected number, same timing).

_BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


def _dist(d: Duration | None, seconds: float | None = None) -> dict[str, object]:
    """A pix/Prosimos duration distribution (seconds) for a map time."""
    if seconds is not None:
        return {"distribution_name": "fix", "distribution_params": [{"value": seconds}]}
    t = d.triple if d else None
    if t is None or max(t) <= 0:
        return {"distribution_name": "fix", "distribution_params": [{"value": 0}]}
    f = d.factor * 60.0
    if d.exponential:
        return {"distribution_name": "expon",
                "distribution_params": [{"value": t[1] * f}, {"value": 0}, {"value": t[1] * f * 100}]}
    a, c, b = t
    if b <= a:
        return {"distribution_name": "fix", "distribution_params": [{"value": a * f}]}
    mean = (a + b + c) / 3.0
    sd = math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0)
    return {"distribution_name": "norm", "distribution_params": [
        {"value": mean * f}, {"value": sd * f}, {"value": a * f}, {"value": b * f}]}


class _Bpmn:
    def __init__(self) -> None:
        self.elements: list[tuple[str, str, str]] = []  # (tag, id, name)
        self.flows: list[tuple[str, str, str]] = []
        self.gateways: dict[str, list[tuple[str, float, str | None]]] = {}  # split id -> (flow, p, condition)
        self.rules: list[dict[str, object]] = []
        self.events: list[dict[str, object]] = []
        self.tasks: list[dict[str, object]] = []
        self.n = 0

    def node(self, tag: str, prefix: str, name: str = "") -> str:
        self.n += 1
        eid = f"{prefix}_{self.n}"
        self.elements.append((tag, eid, name or eid))
        return eid

    def flow(self, src: str, dst: str) -> str:
        fid = f"f_{len(self.flows) + 1}"
        self.flows.append((fid, src, dst))
        return fid

    def xor(self, src: str, branches: list[tuple[str, float, list[int] | None]], prefix: str = "x") -> None:
        """src -> exclusive split over (target, probability, kind codes or None)."""
        branches = [b for b in branches if b[1] > 0 or b[2] is not None]
        if len(branches) == 1:
            self.flow(src, branches[0][0])
            return
        gw = self.node("exclusiveGateway", prefix)
        self.flow(src, gw)
        out = []
        for target, p, codes in branches:
            fid = self.flow(gw, target)
            cond = None
            if codes is not None:
                cond = f"c_{len(self.rules) + 1}"
                self.rules.append({"id": cond, "rules": [[{"attribute": "kind", "comparison": "=", "value": str(k)}]
                                                         for k in codes]})
            out.append((fid, p, cond))
        self.gateways[gw] = out

    def join(self, prefix: str = "j") -> str:
        return self.node("exclusiveGateway", prefix)

    def timer(self, prefix: str, dist: dict[str, object], name: str = "") -> str:
        eid = self.node("intermediateCatchEvent", prefix, name)
        self.events.append({"event_id": eid, **dist})
        return eid

    def xml(self) -> bytes:
        ET.register_namespace("bpmn", _BPMN_NS)
        root = ET.Element(f"{{{_BPMN_NS}}}definitions", {"id": "defs", "targetNamespace": "http://workbench"})
        proc = ET.SubElement(root, f"{{{_BPMN_NS}}}process", {"id": "workbench", "isExecutable": "false"})
        for tag, eid, name in self.elements:
            el = ET.SubElement(proc, f"{{{_BPMN_NS}}}{tag}", {"id": eid, "name": name})
            if tag == "intermediateCatchEvent":
                ET.SubElement(el, f"{{{_BPMN_NS}}}timerEventDefinition", {"id": f"{eid}_def"})
        for fid, src, dst in self.flows:
            ET.SubElement(proc, f"{{{_BPMN_NS}}}sequenceFlow", {"id": fid, "sourceRef": src, "targetRef": dst})
        return ET.tostring(root, xml_declaration=True, encoding="UTF-8")


def prosimos_scenario(m: ProcessMap, plan: engine.ArrivalPlan, catalogue: Catalogue, scale: float, seed: int,
                      out: Path) -> Path:
    """Write the BPMN, the scenario JSON and the run spec (arrivals, kinds, task table); return the spec."""
    out.mkdir(parents=True, exist_ok=True)
    steps = {s.id: s for s in m.steps}
    kinds: dict[DemandKind, int] = {}
    codes = [kinds.setdefault(a.kind, len(kinds)) for a in plan.arrivals]
    by_code = {c: k for k, c in kinds.items()}
    g = _Bpmn()
    start = g.node("startEvent", "start")
    end = g.node("endEvent", "end")
    end_join = g.join("endjoin")
    g.flow(end_join, end)
    task_info: dict[str, list[object]] = {}
    copies: dict[str, dict[str, str]] = {}  # copy -> step -> entry join
    pending: list[tuple[str, DemandKind | None]] = []

    def table(step_id: str, kind: DemandKind) -> tuple[tuple[str, float], ...]:
        return tuple((dest, p) for dest, p, _ in next_steps(steps[step_id], kind))

    def generated_copy(kind: DemandKind, what: str) -> str:
        name = f"G{what}:{kind.demand_type}@{kind.touchpoint}"
        if name not in copies:
            copies[name] = {}
            pending.append((name, kind))
        return name

    def entry(copy: str, step_id: str) -> str:
        if step_id not in copies[copy]:
            copies[copy][step_id] = g.join("in")
        return copies[copy][step_id]

    def target(copy: str, dest: str) -> str:
        return end_join if dest in (RESOLVED, UNROUTED) or dest not in steps else entry(copy, dest)

    def recall_target(copy: str, kind: DemandKind | None, recall_type: str, src: str) -> None:
        """src -> the recall copy of the demand's touchpoint (by kind attribute in copy O)."""
        if kind is not None:
            rk = engine.kind_for(recall_type, kind.touchpoint, catalogue, "failure")
            g.flow(src, entry(generated_copy(rk, "recall"), m.entry_for(rk.touchpoint)))
            return
        groups: dict[str, list[int]] = {}
        for code, k in by_code.items():
            groups.setdefault(k.touchpoint, []).append(code)
        branches = []
        for tp, cs in groups.items():
            rk = engine.kind_for(recall_type, tp, catalogue, "failure")
            branches.append((entry(generated_copy(rk, "recall"), m.entry_for(tp)), 1.0 / len(groups), cs))
        g.xor(src, branches, "rtp")

    def route(copy: str, kind: DemandKind | None, step_id: str, src: str) -> None:
        if kind is not None:
            g.xor(src, [(target(copy, d), p, None) for d, p in table(step_id, kind)], "r")
            return
        groups: dict[tuple[tuple[str, float], ...], list[int]] = {}
        for code, k in by_code.items():
            groups.setdefault(table(step_id, k), []).append(code)
        if len(groups) == 1:
            (tab,) = groups
            g.xor(src, [(target(copy, d), p, None) for d, p in tab], "r")
            return
        branches = []
        for tab, cs in groups.items():
            j = g.join("rg")
            g.xor(j, [(target(copy, d), p, None) for d, p in tab], "r")
            branches.append((j, 1.0 / len(groups), cs))
        g.xor(src, branches, "rk")

    def chases(copy: str, step_id: str, src: str) -> None:
        s = steps[step_id]
        for r, rule in enumerate(m.chases):
            if rule.every_days <= 0 or (rule.steps and step_id not in rule.steps):
                continue
            every = rule.every_days * MINUTES_PER_DAY
            t = s.wait.triple
            hi = (t[2] if not s.wait.exponential else t[1] * 30) * s.wait.factor if t else 0.0
            kmax = int(hi // every)
            if kmax < 1:
                continue
            ck = engine.kind_for(rule.demand_type, rule.touchpoint, catalogue, "failure")
            chase_copy = generated_copy(ck, "chase")
            prev_survival, here = 1.0, src
            for k in range(1, kmax + 1):
                survival = s.wait.prob_at_least(k * every / s.wait.factor)
                q = survival / prev_survival if prev_survival > 0 else 0.0
                prev_survival = survival
                decide = g.join("cd")
                g.xor(here, [(decide, q, None), (end_join, 1.0 - q, None)], "cs")
                at = g.timer("chase_at", _dist(None, every * 60.0), f"chase_at {step_id} {r} {k}")
                tick = g.timer("tick", _dist(None, every * 60.0))
                g.xor(decide, [(at, rule.probability, None), (tick, 1.0 - rule.probability, None)], "cp")
                nxt = g.join("ck") if k < kmax else end_join
                split = g.node("parallelGateway", "and")
                g.flow(at, split)
                g.flow(split, entry(chase_copy, m.entry_for(ck.touchpoint)))
                g.flow(split, nxt)
                g.flow(tick, nxt)
                here = nxt

    def build_step(copy: str, kind: DemandKind | None, step_id: str, join: str) -> None:
        s = steps[step_id]
        t = s.wait.triple
        here = join
        if t is not None and max(t) > 0:
            has_chases = any(rule.every_days > 0 and (not rule.steps or step_id in rule.steps) for rule in m.chases)
            if has_chases:
                split = g.node("parallelGateway", "and")
                g.flow(here, split)
                chases(copy, step_id, split)
                here = split
            w = g.timer("wait", _dist(s.wait), f"wait {step_id}")
            g.flow(here, w)
            here = w
        task = g.node("task", "t", f"{copy} / {step_id}")
        g.flow(here, task)
        g.tasks.append({"task_id": task, "resources": [{"resource_id": f"{s.role}_pool", **_dist(s.touch)}]})
        task_info[task] = [copy[:2] if copy != "O" else "O", s.role, bool(s.pulled), step_id]
        ok = s.complete_and_accurate / 100.0
        rj = g.join("rj")
        if ok < 1.0 and s.rework_to and s.rework_to in steps:
            g.xor(task, [(rj, ok, None), (entry(copy, s.rework_to), 1.0 - ok, None)], "cna")
        elif ok < 1.0 and s.recall_type:
            split = g.node("parallelGateway", "and")
            g.xor(task, [(rj, ok, None), (split, 1.0 - ok, None)], "cna")
            delay = g.timer("recall_delay", _dist(None, engine.RECALL_AFTER_DAYS * MINUTES_PER_DAY * 60.0))
            g.flow(split, delay)
            g.flow(split, rj)
            recall_target(copy, kind, s.recall_type, delay)
        else:
            g.flow(task, rj)
        route(copy, kind, step_id, rj)

    copies["O"] = {}
    entries: dict[str, list[int]] = {}
    for code, k in by_code.items():
        entries.setdefault(m.entry_for(k.touchpoint), []).append(code)
    g.xor(start, [(entry("O", sid), 1.0 / len(entries), cs) for sid, cs in entries.items()], "entry")
    pending.insert(0, ("O", None))
    built: set[tuple[str, str]] = set()
    kind_of: dict[str, DemandKind | None] = {"O": None}
    while True:
        for name, kind in pending:
            kind_of[name] = kind
        pending.clear()
        todo = [(c, s) for c in copies for s in list(copies[c]) if (c, s) not in built]
        if not todo:
            break
        for c, sid in todo:
            built.add((c, sid))
            build_step(c, kind_of[c], sid, copies[c][sid])

    role_steps: dict[str, list[str]] = {}
    for t in g.tasks:
        role = str(t["resources"][0]["resource_id"]).removesuffix("_pool")  # type: ignore[index]
        role_steps.setdefault(role, []).append(str(t["task_id"]))
    calendars, profiles = [], []
    for r in m.roles:
        days = max(0, min(int(math.ceil(r.days_per_week)), 7))
        length = max(0.0, min(r.hours_per_day, 24.0)) * 60.0
        if length >= MINUTES_PER_DAY - OPENS_AT:
            begin, finish = "00:00:00", "23:59:59"
        else:
            e = OPENS_AT + length
            begin, finish = "08:00:00", f"{int(e // 60):02d}:{int(e % 60):02d}:00"
        calendars.append({"id": f"cal_{r.id}", "name": f"cal_{r.id}", "time_periods": [
            {"from": _WEEKDAYS[0], "to": _WEEKDAYS[days - 1], "beginTime": begin, "endTime": finish}]})
        profiles.append({"id": f"{r.id}_profile", "name": r.id, "resource_list": [
            {"id": f"{r.id}_pool", "name": r.id, "cost_per_hour": 0, "amount": max(1, round(r.staff * scale)),
             "calendar": f"cal_{r.id}", "assigned_tasks": role_steps.get(r.id, [])}]})
    total = len(plan.arrivals)
    shares: dict[int, int] = {}
    for c in codes:
        shares[c] = shares.get(c, 0) + 1
    scenario = {
        "resource_profiles": profiles,
        "arrival_time_distribution": {"distribution_name": "fix", "distribution_params": [{"value": 60}]},
        "arrival_time_calendar": [{"from": "MONDAY", "to": "SUNDAY", "beginTime": "00:00:00",
                                   "endTime": "23:59:59"}],
        "gateway_branching_probabilities": [
            {"gateway_id": gw, "probabilities": [{"path_id": f, "value": str(p), **({"condition_id": c} if c else {})}
                                                 for f, p, c in flows]} for gw, flows in g.gateways.items()],
        "task_resource_distribution": g.tasks,
        "resource_calendars": calendars,
        "event_distribution": g.events,
        "case_attributes": [{"name": "kind", "type": "discrete",
                             "values": [{"key": str(c), "value": n / total} for c, n in shares.items()]}],
        "branch_rules": g.rules,
        "gateway_execution_limit": 100_000,
    }
    bpmn_path, json_path, spec_path = out / "worker_led.bpmn", out / "worker_led.json", out / "spec.json"
    bpmn_path.write_bytes(g.xml())
    json_path.write_text(json.dumps(scenario, indent=1))
    spec = {"bpmn": str(bpmn_path), "json": str(json_path), "seed": seed,
            "start": "2026-01-05T00:00:00.000+00:00",  # a Monday: the plan's minute 0 is a Monday 00:00
            "times": [a.time * 60.0 for a in plan.arrivals], "kinds": codes,
            "measured": [bool(a.measured) for a in plan.arrivals], "tasks": task_info,
            "elements": len(g.elements), "flows": len(g.flows)}
    spec_path.write_text(json.dumps(spec))
    return spec_path


PROSIMOS_RUNNER = r'''
"""Run one Prosimos simulation of the spec written by benchmarks/sim.py; print a JSON line of figures."""
import json, random, sys, time
import numpy as np

spec = json.load(open(sys.argv[1]))
random.seed(spec["seed"]); np.random.seed(spec["seed"])
from prosimos.simulation_setup import SimDiffSetup
from prosimos.simulation_engine import SimBPMEnv, execute_full_process
from prosimos.simulation_properties_parser import parse_datetime

t0, c0 = time.perf_counter(), time.process_time()
setup = SimDiffSetup(spec["bpmn"], spec["json"], False, len(spec["times"]))
setup.set_starting_datetime(parse_datetime(spec["start"], True))
env = SimBPMEnv(setup, None, None)
for case, code in enumerate(spec["kinds"]):
    env.sim_setup.bpmn_graph.all_attributes[case]["kind"] = str(code)  # the arrival's own kind
markers = {"recall_delay": 0, "chase_at": 0}
original_event = SimBPMEnv.execute_event
def execute_event(self, c_event):
    prefix = c_event.task_id.rsplit("_", 1)[0]
    if prefix in markers:
        markers[prefix] += 1
    return original_event(self, c_event)
SimBPMEnv.execute_event = execute_event
t1 = time.perf_counter()
execute_full_process(env, spec["times"])
t2, c2 = time.perf_counter(), time.process_time()
tasks = spec["tasks"]
n_tasks, handoffs, e2e, open_cases = 0, 0, [], 0
for case, trace in enumerate(env.log_info.trace_list):
    own = []
    end = None
    for ev in trace.event_list:
        info = tasks.get(getattr(ev, "task_id", None))
        if info is None or ev.completed_at is None:
            continue
        n_tasks += 1
        if info[0] in ("O", "Gr"):
            end = ev.completed_at if end is None else max(end, ev.completed_at)
        if info[0] == "O":
            own.append((ev.started_at, info))
    if not spec["measured"][case]:
        continue
    own.sort(key=lambda x: x[0])
    for (_, a), (_, b) in zip(own, own[1:]):
        if a[1] != b[1] and not (a[2] or b[2]):
            handoffs += 1
    if end is None:
        open_cases += 1
    else:
        e2e.append((end - spec["times"][case]) / 86400.0)
measured = sum(spec["measured"])
print(json.dumps({"setup_s": t1 - t0, "run_s": t2 - t1, "cpu_s": c2 - c0, "executed_elements": env.executed_events,
                  "tasks": n_tasks, "cases": len(spec["times"]), "measured": measured,
                  "generated": markers["recall_delay"] + markers["chase_at"], "recalls": markers["recall_delay"],
                  "chases": markers["chase_at"], "handoffs_mean": handoffs / measured,
                  "e2e_days_mean": sum(e2e) / len(e2e) if e2e else None, "unfinished_cases": open_cases}))
'''


def bench_prosimos(python: str, m: ProcessMap, plan: engine.ArrivalPlan, catalogue: Catalogue,
                   args: argparse.Namespace) -> dict[str, object]:
    out = OUT / "prosimos"
    scale = args.volume if args.staff == "scaled" else 1.0
    spec = prosimos_scenario(m, plan, catalogue, scale, args.seed, out)
    runner = out / "run_prosimos.py"
    runner.write_text(PROSIMOS_RUNNER.lstrip())
    runs = []
    for _ in range(args.prosimos_repeat):
        proc = subprocess.run([python, str(runner), str(spec)], capture_output=True, text=True, cwd=out,
                              timeout=3600)
        if proc.returncode != 0:
            return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-5:]}
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    times = [(r["run_s"] + r["setup_s"], r["cpu_s"]) for r in runs]
    first = runs[0]
    s: dict[str, object] = summary(times)
    s["setup_s_median"] = statistics.median(r["setup_s"] for r in runs)
    demands = first["cases"] + first["generated"]
    rates(s, demands, first["measured"], first["executed_elements"])
    s["generated"] = first["generated"]
    s["tasks"] = first["tasks"]
    s["headline"] = {k: first[k] for k in ("handoffs_mean", "e2e_days_mean", "unfinished_cases")}
    s["version"] = subprocess.run([python, "-c", "import importlib.metadata as m; print(m.version('prosimos'))"],
                                  capture_output=True, text=True).stdout.strip()
    s["model"] = {"bpmn": str(Path(json.loads(spec.read_text())["bpmn"]).relative_to(ROOT)),
                  "elements": json.loads(spec.read_text())["elements"]}
    return s


# ------------------------------------------------------------------------------------------ report


def _f(x: object, fmt: str = "{:,.0f}") -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else fmt.format(x)


def print_report(report: dict[str, object]) -> None:
    mach = report["machine"]
    st = report["settings"]
    plan = report["plan"]
    print(f"machine: {mach['cpu']} - {mach['cpus']} CPUs ({mach['cpus_usable']} usable); "
          f"Python {mach['python']}; SimPy {mach['simpy']}; load average {mach['load_start']} at the start, "
          f"{report['load_end']} at the end")
    print(f"arrivals: volume x{st['volume']:g} over {plan['weeks']:g} weeks + {plan['warmup_weeks']} warm-up "
          f"week: {plan['arrivals']:,} arrivals ({plan['measured']:,} measured), planned in "
          f"{plan['plan_s']:.2f} s; staff: {st['staff']}; seed {st['seed']}; {st['repeat']} timed runs each")
    print()
    head = (f"{'map':<16}{'program':<14}{'best s':>8}{'median s':>9}{'CPU s':>7}{'demands':>9}{'dem/s':>9}"
            f"{'measured/s':>11}{'events':>11}{'events/s':>10}{'ratio':>7}")
    print(head)
    print("-" * len(head))
    for r in report["maps"]:  # type: ignore[union-attr]
        label = str(r["design"] or r["map"])
        rows = [("workbench", r["workbench"], r["ratio_best"]), ("plain SimPy", r["plain_simpy"], 1.0)]
        if r.get("prosimos") and "best_s" in r["prosimos"]:
            rows.append(("Prosimos*", r["prosimos"], r["prosimos"]["best_s"] / r["plain_simpy"]["best_s"]))
        for i, (name, s, ratio) in enumerate(rows):
            print(f"{label if i == 0 else '':<16}{name:<14}{s['best_s']:>8.2f}{s['median_s']:>9.2f}{s['cpu_best_s']:>7.2f}"
                  f"{s['demands']:>9,}{_f(s['demands_per_s']):>9}{_f(s['measured_per_s']):>11}"
                  f"{_f(s['events']):>11}{_f(s['events_per_s']):>10}{ratio:>6.2f}x")
        print(f"{'':<16}workbench / plain: {r['ratio_best']:.2f}x (best), {r['ratio_median']:.2f}x (median), "
              f"{r['ratio_cpu_best']:.2f}x (CPU time); result frame {r['workbench']['result_frame_s_median']:.2f} s "
              f"of the workbench time")
        print(f"{'':<16}throughput (demands/s) workbench / plain: {r['throughput_ratio_best']:.2f}x (best wall), "
              f"{r['throughput_ratio_cpu']:.2f}x (CPU time); target 3x: "
              f"{'met' if r['throughput_ratio_best'] >= 3 else 'NOT met'}")
    print()
    print("same model? headline numbers from the counting pass (measured demands):")
    print(f"{'map':<16}{'program':<14}{'demands':>9}{'generated':>10}{'hand-offs':>10}{'e2e days':>9}{'open':>6}")
    for r in report["maps"]:  # type: ignore[union-attr]
        label = str(r["design"] or r["map"])
        rows = [("workbench", r["workbench"]), ("plain SimPy", r["plain_simpy"])]
        if r.get("prosimos") and "headline" in r["prosimos"]:
            rows.append(("Prosimos*", r["prosimos"]))
        for i, (name, s) in enumerate(rows):
            h = s["headline"]
            print(f"{label if i == 0 else '':<16}{name:<14}{s['demands']:>9,}{s['generated']:>10,}"
                  f"{h['handoffs_mean']:>10.3f}{_f(h['e2e_days_mean'], '{:.2f}'):>9}"
                  f"{_f(h['unfinished_cases']):>6}")
    if any(r.get("prosimos") for r in report["maps"]):  # type: ignore[union-attr]
        print("\n* Prosimos: 'events' are the BPMN elements it executed (tasks and timer events), not SimPy "
              "events; its model is equivalent in distribution (README), so compare demands/s.")
    for r in report["maps"]:  # type: ignore[union-attr]
        if r.get("prosimos") and "error" in r["prosimos"]:
            print(f"\nProsimos failed on {r['map']}: " + " | ".join(r["prosimos"]["error"]))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Workbench simulation vs plain SimPy (and Prosimos), one run.")
    p.add_argument("--volume", type=float, default=10.0, help="times the sample's volume (default 10)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per program and map (default 3)")
    p.add_argument("--weeks", type=int, default=None, help="simulated weeks (default: the sample's, 12)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--staff", choices=("scaled", "map"), default="scaled",
                   help="scaled: every role's staff x volume (default); map: the maps' own staff")
    p.add_argument("--prosimos", metavar="PYTHON", help="interpreter of a venv with prosimos installed")
    p.add_argument("--prosimos-repeat", type=int, default=1, help="Prosimos runs (default 1: it is slow)")
    p.add_argument("--profile", action="store_true", help="also profile the engine (cProfile) per map")
    args = p.parse_args(argv)
    args.repeat = max(1, args.repeat)
    OUT.mkdir(parents=True, exist_ok=True)

    catalogue = load_catalogue(CATALOGUE)
    frame = load_demand(DEMAND, catalogue=catalogue).frame
    t = time.perf_counter()
    plan = engine.plan_arrivals(frame, catalogue, volume=args.volume, weeks=args.weeks, seed=args.seed)
    plan_s = time.perf_counter() - t
    report: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"volume": args.volume, "repeat": args.repeat, "weeks": args.weeks, "seed": args.seed,
                     "staff": args.staff, "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])},
        "plan": {"arrivals": len(plan.arrivals), "measured": sum(a.measured for a in plan.arrivals),
                 "weeks": plan.weeks, "warmup_weeks": 1, "plan_s": plan_s,
                 "sample_rows": len(frame)},
        "maps": [],
    }
    for path in MAPS:
        m = load_map(path)
        print(f"... {m.source}", file=sys.stderr, flush=True)
        r = bench_map(m, plan, catalogue, args)
        if args.prosimos and path.name == PROSIMOS_MAP:
            print(f"... {m.source} with Prosimos", file=sys.stderr, flush=True)
            r["prosimos"] = bench_prosimos(args.prosimos, m, plan, catalogue, args)
        report["maps"].append(r)  # type: ignore[union-attr]
    report["load_end"] = _load()
    print_report(report)
    if args.profile:
        for path in MAPS:
            m = load_map(path)
            text = profile_map(m, plan, catalogue, args)
            print(f"\ncProfile of the Workbench engine, {m.source} (top by own time; full text in "
                  f"benchmarks/out/sim_profile_{path.stem}.txt):")
            print("\n".join(text.splitlines()[:40]))
    (OUT / "sim_latest.json").write_text(json.dumps(report, indent=2, default=float))
    print(f"\nwritten: {(OUT / 'sim_latest.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
