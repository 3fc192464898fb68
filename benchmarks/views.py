"""What the two new pieces of issue 17 cost on the server: the map views drawn by Graphviz, and the study report.

    .venv/bin/python benchmarks/views.py [--repeat K] [--big-steps N] [--big-repeat K] [--skip-diagrams]
                                         [--skip-report]

1. **Diagrams.** For each sample map (the two housing-repairs maps with sample_data/housing_repairs_demand.csv
   and its catalogue, the two call-centre maps with sample_data/call_centre_demand.csv and its catalogue, the
   demand mix made as `workbench map draw --demand` makes it), and for a synthetic big map (the standard-work
   housing-repairs map copied until it has at least N steps (default 160: 6 copies, 162 steps), each copy's
   last steps leading on to the next copy's entries: every step reachable, drawn with the same demand; timed
   `--big-repeat` times, default once, as one run of it takes about half a minute), times:
   * **baseline**: the plain `diagram.to_dot` drawn to SVG by pygraphviz directly (`AGraph(string=dot).draw`):
     what the old page would have cost had the server drawn it (it was drawn in the browser);
   * each view of workbench/flow/views.py (journey, roles, value, type: the most common demand type) as DOT
     text and then as SVG through `workbench.flow.render.render`, its cache (`_render`, an lru_cache keyed by
     the text and format) cleared before each render so real work is timed;
   * the roles view as PNG and as the A3 PDF (render's cache cleared, then the SVG drawn untimed first, as the
     page shows it before anyone downloads: the PNG reads its size from that cached SVG).
   The DOT time counts everything the view computes (routes, main paths, the expected figures per type from
   the mix: `expect_mix`, which the Flow page hands in already made and the CLI does not).
2. **Report.** The sample study made as tests/report_fixtures.py makes it (60 corrections by Ann, a stored
   comparison of the two housing-repairs designs, 3 replications, 2 weeks) in a temporary WORKBENCH_DATA_DIR,
   then times `gather` (the store read), `build` (first in the process: vl-convert's engine cold; then warm),
   `to_html` and `html_to_pdf` (headless Chromium). **Baseline**: the Dashboard's own figures for the same study,
   without Streamlit: the demand read and corrected by the same core calls (`report.build.read_demand`: what
   `app.state._view` calls), every aggregate `state._view` makes, the Dashboard's tiles and captions
   (`report.figures`), the stored comparison read (`figures.read_comparison`, `side_by_side`, the snapshot's
   distribution and capability tables) and each of its charts built and turned into a Vega-Lite spec
   (`to_dict(validate=False)`, as `app.chart` does). The browser draws those specs; the report draws them
   itself (vl-convert) into one file, which is what the ratio shows. A reference line times just that: the
   Dashboard's own charts drawn to SVG by `report.svg.chart_svg` (vl-convert warm).

Runs are interleaved (every case once, then again, K times), so a busy spell hits every figure alike; best and
median of K are printed with the ratio to the baseline of the same run (median/median, best/best). Nothing here is
a test: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
MAPS = [
    ("housing_repairs_standard_work.yaml", "housing_repairs_demand.csv", "housing_repairs_catalogue.yaml"),
    ("housing_repairs_worker_led.yaml", "housing_repairs_demand.csv", "housing_repairs_catalogue.yaml"),
    ("call_centre/call_centre_as_is.yaml", "call_centre_demand.csv", "call_centre_catalogue.yaml"),
    ("call_centre/call_centre_worker_led.yaml", "call_centre_demand.csv", "call_centre_catalogue.yaml"),
]
VIEW_NAMES = ("journey", "roles", "value", "type")


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "?"


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - began, out


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms" if seconds < 10 else f"{seconds:8.2f} s "


def ratio(a: float, b: float) -> str:
    if b <= 0:
        return "     –"
    return f"{a / b:6.2f}x" if a / b < 1 else f"{a / b:6.1f}x"


# ------------------------------------------------------------------------------------------ the big map


def big_map_text(source: Path, steps: int) -> str:
    """The map at `source` copied until it has about `steps` steps. Copy 0 keeps its ids (its chase rules and
    entries name them); copy k's ids get a prefix `k<k>_`, its routes and rework (`rework_to`, `not_accurate: {rework: ...}`) point within the copy, and
    every step of copy k without routes leads on to copy k+1's entry steps (the default one and each
    touchpoint's, so every step is reachable), and a route of copy k to `resolved` to copy k+1's default entry
    step. The last copy ends as the original does."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    base = data["steps"]
    ids = {s["id"] for s in base}
    entry = data["entry"]
    entries = [entry["default"], *(entry.get("touchpoints") or {}).values()] if isinstance(entry, dict) else [entry]
    entries = list(dict.fromkeys(entries))  # the default entry first, then the touchpoints' entry steps
    copies = max(1, math.ceil(steps / len(base)))

    def onward(k: int) -> list[dict[str, Any]]:
        """Routes from an end of copy k: to copy k+1's entry steps (every one, so each is reachable)."""
        if k == copies - 1:
            return [{"to": "resolved"}]
        share = round(1 / len(entries), 3)
        return [{"to": rename(e, k + 1), "probability": share} for e in entries[1:]] + [
            {"to": rename(entries[0], k + 1), "otherwise": True}]

    def rename(sid: str, k: int) -> str:
        return sid if k == 0 or sid not in ids else f"k{k}_{sid}"

    out = []
    for k in range(copies):
        for s in base:
            s = yaml.safe_load(yaml.safe_dump(s))  # a deep copy
            s["id"] = rename(s["id"], k)
            if k:
                s["name"] = f"{s['name']} (stage {k + 1})"
            if s.get("rework_to"):
                s["rework_to"] = rename(s["rework_to"], k)
            wrong = s.get("not_accurate")
            if isinstance(wrong, dict) and isinstance(wrong.get("rework"), str):
                wrong["rework"] = rename(wrong["rework"], k)
            routes = s.get("routes") or []
            for r in routes:  # a route that ends the work leads on to the next copy's default entry instead
                ends = r["to"] == "resolved" and k < copies - 1
                r["to"] = rename(entries[0], k + 1) if ends else rename(r["to"], k)
            s["routes"] = routes or onward(k)
            out.append(s)
    data["steps"] = out
    data["name"] = f"{data['name']} x{copies} (synthetic, {len(out)} steps)"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# ------------------------------------------------------------------------------------------ diagrams


def diagrams(repeat: int, big_steps: int, big_repeat: int) -> None:
    import pygraphviz

    from workbench.demand.catalogue import load_catalogue
    from workbench.demand.load import load_demand
    from workbench.flow import render as render_mod
    from workbench.flow import views
    from workbench.flow.diagram import to_dot
    from workbench.flow.expected import demand_mix
    from workbench.flow.model import load_map, parse_map
    from workbench.flow.validate import validate_map

    mixes: dict[str, Any] = {}
    cases = []  # (label, map, Demand, problems, type name)
    for map_file, demand_file, catalogue_file in MAPS:
        catalogue = load_catalogue(ROOT / "sample_data" / catalogue_file)
        if demand_file not in mixes:
            frame = load_demand(ROOT / "sample_data" / demand_file, catalogue=catalogue).frame
            mixes[demand_file] = demand_mix(frame, catalogue)
        m = load_map(ROOT / "process_maps" / map_file)
        cases.append((Path(map_file).stem, m, views.Demand(mixes[demand_file], None, catalogue),
                      validate_map(m, catalogue)))
    source = ROOT / "process_maps" / MAPS[0][0]
    big = parse_map(big_map_text(source, big_steps), "synthetic", path=source)
    big_problems = validate_map(big, cases[0][2].catalogue)
    errors = [p for p in big_problems if p.severity == "error"]
    if errors:
        print(f"WARNING: the synthetic map has {len(errors)} error(s), e.g. {errors[0]}")
    cases.append((f"synthetic {sum(1 for s in big.steps if s.id)} steps", big, cases[0][2], big_problems))

    def baseline(m: Any, problems: Any) -> tuple[float, float, int]:
        dot_s, dot = timed(lambda: to_dot(m, problems))
        svg_s, svg = timed(lambda: pygraphviz.AGraph(string=dot).draw(format="svg", prog="dot"))
        return dot_s, svg_s, len(svg)

    def view(name: str, m: Any, demand: Any, problems: Any, type_name: str) -> tuple[float, float, int]:
        dot_s, dot = timed(lambda: views.view_dot(name, m, demand=demand, type_name=type_name, problems=problems))
        render_mod._render.cache_clear()
        svg_s, svg = timed(lambda: render_mod.render(dot, "svg"))
        return dot_s, svg_s, len(svg)

    def download(fmt_: str, m: Any, problems: Any) -> tuple[float, float, int]:
        dot = views.view_dot("roles", m, problems=problems)
        render_mod._render.cache_clear()
        render_mod.render(dot, "svg")  # the page has shown it before the download is asked for
        took, data = timed(lambda: render_mod.render(dot, fmt_))
        return 0.0, took, len(data)

    kinds = ["baseline", *VIEW_NAMES, "roles png", "roles A3 pdf"]
    times: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    types = {label: (views.demand_types(m, d) or [""])[0] for label, m, d, _ in cases}
    print(f"Diagrams: {len(cases)} maps x {len(kinds)} drawings, {repeat} runs interleaved ({big_repeat} of the "
          f"synthetic map; load {load()})")
    for label, m, d, _ in cases:
        print(f"  {label}: {sum(1 for s in m.steps if s.id)} steps, {len(m.roles)} roles, type view of "
              f"'{types[label]}', demand {'loaded' if d.loaded else 'none'}")
    for run in range(max(repeat, big_repeat)):
        for label, m, d, problems in cases:
            if run >= (big_repeat if m is big else repeat):
                continue
            for kind in kinds:
                if kind == "baseline":
                    got = baseline(m, problems)
                elif kind in VIEW_NAMES:
                    got = view(kind, m, d, problems, types[label])
                else:
                    got = download("png" if kind == "roles png" else "pdf", m, problems)
                times.setdefault((label, kind), []).append(got)
    print()
    print(f"{'map / drawing':<44}{'DOT (median)':>14}{'render (median)':>17}{'total median':>14}{'total best':>13}"
          f"{'ratio med':>10}{'ratio best':>11}{'bytes':>11}")
    for label, *_ in cases:
        base = [a + b for a, b, _ in times[(label, "baseline")]]
        base_med, base_best = statistics.median(base), min(base)
        print(f"{label} (best and median of {len(base)})")
        for kind in kinds:
            runs = times[(label, kind)]
            total = [a + b for a, b, _ in runs]
            med, best = statistics.median(total), min(total)
            name = "baseline: to_dot + pygraphviz SVG" if kind == "baseline" else (
                f"{kind} (png/pdf after the SVG)" if kind.startswith("roles ") else f"{kind} view, SVG")
            print(f"  {name:<42}{fmt(statistics.median(a for a, _, _ in runs)):>14}"
                  f"{fmt(statistics.median(b for _, b, _ in runs)):>17}{fmt(med):>14}{fmt(best):>13}"
                  f"{ratio(med, base_med):>10}{ratio(best, base_best):>11}{runs[-1][2]:>11,}")
    print(f"(load average after the diagrams: {load()})")


# ------------------------------------------------------------------------------------------ report


def dashboard_figures(data: Any) -> list[Any]:
    """The Dashboard's own server work for the study in `data`, without Streamlit (see the module docstring).
    Returns its charts (Altair)."""
    from workbench import charts, schema
    from workbench.demand import analysis
    from workbench.report import figures
    from workbench.report.build import read_demand
    from workbench.sim.compare import side_by_side

    demand = read_demand(data)
    frame = demand.frame
    shares, touchpoints, types = analysis.nature_shares(frame), analysis.by_touchpoint(frame), analysis.pareto(frame)
    analysis.failure_causes(frame)
    weekly = analysis.over_time(frame, "W")
    analysis.over_time(frame, "D")
    analysis.by_field(frame, schema.TOUCHPOINT)
    analysis.by_field(frame, schema.DEMAND_TYPE)
    figures.demand_caption(data.source.name, demand.headline)
    figures.demand_tiles(demand.headline)
    made = [charts.nature_bar(shares), charts.touchpoint_chart(touchpoints), charts.pareto_chart(types)]
    if analysis.has_dates(frame):
        share = analysis.behaviour(weekly, "failure_share")
        made.append(charts.xmr_chart(share, "Failure demand share per week", "Failure share", percent=True))
    e2e = demand.e2e
    if e2e.available:
        figures.e2e_tiles(e2e)
        table, _ = figures.e2e_capability(e2e)
        if table is not None:
            made.append(charts.xmr_chart(table, figures.CAPABILITY_TITLE, "Average days",
                                         period_label="Week of arrival", number_format=",.1f",
                                         notes=[e2e.window.words()]))
        figures.e2e_caption(e2e)
    run = data.run
    cmp = figures.read_comparison(run.summary, run.settings, run.author, run.created_at) if run else None
    if cmp is not None:
        snap = cmp.snap
        cmp.caption()
        cmp.assumption_lines()
        side_by_side(snap.table(), cmp.names, cmp.replications, snap.assumptions(), snap.intervals_cover)
        distribution = snap.e2e_distribution()
        if len(distribution):
            made.append(charts.e2e_ecdf_chart(distribution, cmp.names))
        for name in cmp.names:
            capability = snap.capability(name)
            window = snap.capability_window(name)
            if capability.empty:
                continue
            words = window.words() if window is not None else None
            made.append(charts.xmr_chart(capability, f"Capability: {name}", "End-to-end days",
                                         period_label="Day arrived" if window else "Day", notes=[words]))
            figures.capability_caption(capability, words)
    for chart in made:
        chart.to_dict(validate=False)
    return made


def report(repeat: int) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from workbench import report as wb_report
    from workbench.report.model import Figure
    from workbench.report.svg import chart_svg

    from report_fixtures import compared, correct, sample_study, store  # type: ignore[import-not-found]

    began = time.perf_counter()
    with store() as s:
        sid = sample_study(s)
        correct(s, sid)
        compared(s, sid)
    print(f"Report: the sample study with 60 corrections and a stored comparison made in "
          f"{time.perf_counter() - began:.1f} s (untimed; load {load()})")
    chromium = wb_report.find_chromium()

    with store() as s:
        gather_s, data = timed(lambda: wb_report.gather(s, sid))
    first_s, first = timed(lambda: wb_report.build(data))
    figures_in = sum(1 for sec in first.sections for b in sec.blocks if isinstance(b, Figure))
    rows: dict[str, list[float]] = {k: [] for k in ("baseline", "svg", "gather", "build", "html", "pdf")}
    made: list[Any] = []
    html = ""
    pdf_bytes = 0
    for _ in range(repeat):
        took, made = timed(dashboard_figures, data)
        rows["baseline"].append(took)
        rows["svg"].append(timed(lambda charts: [chart_svg(c) for c in charts], made)[0])
        with store() as s:
            rows["gather"].append(timed(lambda: wb_report.gather(s, sid))[0])
        took, built = timed(lambda: wb_report.build(data))
        rows["build"].append(took)
        took, html = timed(wb_report.to_html, built)
        rows["html"].append(took)
        if chromium:
            took, pdf = timed(wb_report.html_to_pdf, html, chromium)
            rows["pdf"].append(took)
            pdf_bytes = len(pdf)
    base = rows["baseline"]
    base_med, base_best = statistics.median(base), min(base)
    print(f"  {data.source.name}: {len(data.corrections)} corrections, comparison "
          f"{'stored' if data.run else 'missing'}; report: {len(first.sections)} sections, {figures_in} charts "
          f"(Dashboard: {len(made)} chart specs), HTML {len(html):,} bytes, PDF {pdf_bytes:,} bytes")
    print(f"{'step':<58}{'median':>12}{'best':>12}{'ratio med':>10}{'ratio best':>11}")

    def line(name: str, runs: list[float]) -> None:
        if not runs:
            print(f"  {name:<56}{'not run (no Chromium)':>24}")
            return
        med, best = statistics.median(runs), min(runs)
        print(f"  {name:<56}{fmt(med):>12}{fmt(best):>12}{ratio(med, base_med):>10}{ratio(best, base_best):>11}")

    line("baseline: the Dashboard's figures and chart specs", base)
    line("reference: the Dashboard's charts drawn by vl-convert", rows["svg"])
    line("gather (the store read, both sides need it)", [gather_s, *rows["gather"]])
    line("build, first in the process (vl-convert cold)", [first_s])
    line("build, warm", rows["build"])
    line("to_html", rows["html"])
    line("html_to_pdf (headless Chromium)", rows["pdf"])
    warm = [b + h for b, h in zip(rows["build"], rows["html"], strict=True)]
    line("HTML report (build warm + to_html)", warm)
    if rows["pdf"]:
        line("PDF report (build warm + to_html + PDF)", [w + p for w, p in zip(warm, rows["pdf"], strict=True)])
    print(f"(load average after the report: {load()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case, interleaved (default 3)")
    parser.add_argument("--big-steps", type=int, default=160, help="at least this many steps in the synthetic map (default 160)")
    parser.add_argument("--big-repeat", type=int, default=1,
                        help="runs of the synthetic map (default 1: about 35 s a run on 2 cores)")
    parser.add_argument("--skip-diagrams", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    args = parser.parse_args()
    os.environ["WORKBENCH_DATA_DIR"] = tempfile.mkdtemp(prefix="workbench-bench-views-")
    os.environ.pop("WORKBENCH_DATABASE_URL", None)
    os.environ.pop("WORKBENCH_VALIDATE_CHARTS", None)  # as a server runs
    import workbench

    began = time.perf_counter()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  {os.cpu_count()} cores  load average {load()}  "
          f"python {platform.python_version()}  workbench: {Path(workbench.__file__).parent}")
    if not args.skip_diagrams:
        diagrams(args.repeat, args.big_steps, args.big_repeat)
        print()
    if not args.skip_report:
        report(args.repeat)
    shutil.rmtree(os.environ["WORKBENCH_DATA_DIR"], ignore_errors=True)
    print(f"\nDone in {time.perf_counter() - began:.0f} s.")


if __name__ == "__main__":
    main()
