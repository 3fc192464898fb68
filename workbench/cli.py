"""`workbench ...`: the core from the command line, for scripts, tests and people who prefer a terminal.

Thin on purpose: parse arguments, call the core, print text or JSON. Unusable input exits 2 with one line
on stderr saying why.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, TypeVar

import pandas as pd

from workbench import paths, schema, serving
from workbench.demand import analysis, end_to_end
from workbench.demand.catalogue import Catalogue, CatalogueError, load_catalogue
from workbench.demand.load import DemandFileError, LoadedDemand, RawTable, clean_as, load_demand, read_table
from workbench.demand.reading import HANDLING_UNITS, ReadOptions
from workbench.eventlog import analysis as log_analysis
from workbench.eventlog.cases import load_cases
from workbench.eventlog.columns import looks_like_event_log
from workbench.eventlog.log import read_log
from workbench.flow import expected as flow_expected
from workbench.flow.coverage import Coverage, coverage
from workbench.flow.diagram import to_dot
from workbench.flow.expected import FlowError
from workbench.flow.model import (
    MapFileError,
    ProcessMap,
    catalogue_reference_problem,
    load_map,
    working_time_words,
)
from workbench.flow.validate import has_errors, validate_map
from workbench.limits import LimitError
from workbench.safe_export import to_csv_bytes, to_xlsx_bytes
from workbench.sim.parallel import WorkerError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from workbench.sim.compare import Prevention
    from workbench.sim.fit import FitJSON
    from workbench.store.share_links import ShareLink
    from workbench.store.studies import Study

EXIT_UNUSABLE = 2


class UsageError(Exception):
    pass


def _write(out: Path, data: bytes) -> None:
    """Write a command's output file; a folder that is missing or not writable is a usage error, in a sentence."""
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None


def _parse_map(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"--map needs FIELD=COLUMN, got '{item}'")
        fld, col = item.split("=", 1)
        mapping[fld.strip()] = col.strip()
    return mapping


def _read_options(args: argparse.Namespace) -> ReadOptions:
    """How to read the demand file, from the reading options every command that reads one takes. (The
    catalogue is read from its file by `load_catalogue`, so its messages name that file.)"""
    return ReadOptions.from_dict({"sheet": args.sheet, "header_row": args.header_row,
                                  "mapping": _parse_map(args.map), "date_order": args.date_order,
                                  "date_format": args.date_format, "timezone": args.timezone,
                                  "no_dates": args.no_dates, "handling_unit": args.handling_unit,
                                  "event_log": bool(getattr(args, "event_log", False))})


def _load(args: argparse.Namespace, path: str | None = None, catalogue: Catalogue | None = None) -> LoadedDemand:
    """The demand file `path` (default: the command's PATH) read with the command's reading options."""
    if catalogue is None and getattr(args, "catalogue", None) and path is None:
        catalogue = load_catalogue(args.catalogue)
    options = _read_options(args)
    if options.event_log:
        return load_cases(Path(path or args.path), options=options, catalogue=catalogue)
    return load_demand(Path(path or args.path), options=options, catalogue=catalogue)


class SetAsideJSON(TypedDict):
    row: int
    reason: str


class SummaryJSON(analysis.DemandSummary):
    """`workbench demand summary --format json`: the load report around the demand summary
    (docs/data-contracts.md)."""

    source: str
    rows_read: int
    rows: int
    blank_rows: int
    set_aside: list[SetAsideJSON]
    mapping: dict[str, str]
    date_order: str
    date_notes: list[str]
    catalogue_filled: int
    catalogue_conflicts: list[dict[str, object]]
    unknown_types: dict[str, int]
    notes: list[str]
    end_to_end: end_to_end.EndToEndJSON


def _summary_json(loaded: LoadedDemand, split_at: str | None) -> SummaryJSON:
    report = loaded.report
    body = analysis.summary(loaded.frame, split_at=split_at)
    return {
        "source": report.source,
        "rows_read": report.rows_read,
        "rows": report.rows_used,
        "blank_rows": report.blank_rows,
        "set_aside": [{"row": s.row, "reason": s.reason} for s in report.set_aside],
        **body,
        "mapping": report.mapping,
        "date_order": report.date_order,
        "date_notes": report.date_notes,
        "catalogue_filled": report.filled_from_catalogue,
        "catalogue_conflicts": [vars(c) for c in report.conflicts],
        "unknown_types": report.unknown_types,
        "notes": report.notes,
        "end_to_end": end_to_end.summary(loaded.frame, split_at=split_at),
    }


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{float(x):.0%}"


def _summary_text(data: SummaryJSON, report_lines: list[str]) -> str:
    lines = [*report_lines, ""]
    lines.append(f"Demand: {data['rows']:,} from {data['first_date']} to {data['last_date']}" if data["dated"]
                 else f"Demand: {data['rows']:,} (read without dates)")
    lines.append(f"  value {data['value']:,}   failure {data['failure']:,}   not yet classified "
                 f"{data['unclassified']:,}   failure share of classified {_pct(data['failure_share'])}")
    if data["one_stop_share"] is not None:
        lines.append(f"  resolved at first contact: {_pct(data['one_stop_share'])}")
    lines.append("")
    lines.append("By touchpoint (value / failure / not classified):")
    for name, c in data["by_touchpoint"].items():
        lines.append(f"  {name:<24} {c['value']:>6} {c['failure']:>6} {c['unclassified']:>6}")
    lines.append("")
    lines.append("Most common demand types:")
    for t in data["by_type"][:15]:
        lines.append(f"  {t['count']:>6}  {t['demand_type']:<40} {t['nature']}")
    lines.append("")
    lines.extend(_end_to_end_text(data["end_to_end"]))
    lines.append("")
    if not data["dated"]:
        lines.append(str(data["no_dates"]))
        return "\n".join(lines)
    lines.append("Week starting   demands  failure share  signals")
    for w in data["weekly"]:
        sig = ", ".join(w["signals"]) or ""
        lines.append(f"  {w['week_start']}   {w['total']:>6}   {_pct(w['failure_share']):>12}  {sig}")
    return "\n".join(lines)


def _days(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def _end_to_end_text(e2e: end_to_end.EndToEndJSON) -> list[str]:
    """The short end-to-end section of the text summary."""
    lines = ["End to end (days from first contact to need met):"]
    if not e2e["available"]:
        lines.append(f"  {e2e['reason']}")
    else:
        lines.append(f"  needs {e2e['needs']:,}   met {e2e['met']:,}   open {e2e['open']:,}   median "
                     f"{_days(e2e['median_days'])}   85th percentile {_days(e2e['p85_days'])}   95th percentile "
                     f"{_days(e2e['p95_days'])}")
        if e2e["open"]:
            lines.append(f"  open needs waiting so far (to {str(e2e['as_of'])[:10]}): median "
                         f"{_days(e2e['open_median_age_days'])} days, oldest {_days(e2e['open_oldest_days'])} days")
        if e2e["met_before_received"]:
            lines.append(f"  {e2e['met_before_received']:,} need(s) resolved before received are left out")
    rep = e2e["repeat_contacts"]
    if rep["available"] and rep["repeats"]:
        lines.append(f"  repeat contacts (later contacts about a need already raised): {rep['repeats']:,} "
                     f"({_pct(rep['share_of_demand'])} of demand); {len(rep['suggested_rows']):,} not yet marked "
                     "failure demand (suggested, not applied)")
    return lines


def _event_log_warning(raw: RawTable, path: str) -> str | None:
    """A plain warning when a demand file looks like an event log (a case column whose values repeat, and an
    activity column): read row by row, every event counts as a demand."""
    if not looks_like_event_log(raw):
        return None
    return (f"warning: {raw.source} looks like an event log (several rows per case, each an activity at a time): "
            "read as a demand file, every row counts as a demand. To read one demand per case, add --event-log, "
            f"or run 'workbench log summary {path}' for its flow; in the app, tick 'Read as an event log' on the "
            "Demand page.")


def cmd_demand_summary(args: argparse.Namespace) -> int:
    options = _read_options(args)
    if options.event_log:
        loaded = _load(args)
    else:  # as `_load`, keeping the file's own table to look at
        catalogue = load_catalogue(args.catalogue) if args.catalogue else None
        raw = read_table(Path(args.path), sheet=options.sheet, header_row=options.header_row)
        warning = _event_log_warning(raw, args.path)
        if warning:  # first: it explains a failure to clean the file, too
            print(warning, file=sys.stderr)
        loaded = clean_as(raw, options, catalogue)
    data = _summary_json(loaded, args.split_at)
    if args.format == "json":
        print(json.dumps(data, indent=2, default=str))
    else:
        print(_summary_text(data, loaded.report.summary_lines()))
    return 0


def cmd_demand_export(args: argparse.Namespace) -> int:
    loaded = _load(args)
    out = Path(args.out)
    frame = loaded.frame.drop(columns=[schema.TOUCHPOINT_KEY])
    if out.suffix.lower() == ".xlsx":
        _write(out, to_xlsx_bytes({"Demand": frame, "Set aside": loaded.set_aside_rows}))
    else:
        _write(out, to_csv_bytes(frame))
    print(f"Wrote {len(frame):,} rows to {out}")
    return 0


class SuggestionJSON(TypedDict):
    row: int
    suggested_nature: str  # value, failure, or "" (nothing to go on)
    suggested_cause: str
    confidence: float
    cause_confidence: float
    reasons: list[str]
    source: str  # learned, phrases or none


class TypeSuggestionJSON(TypedDict):
    demand_type: str
    rows: int
    suggested_nature: str
    share: float
    confidence: float
    suggested_cause: str
    cause_share: float


class QualityJSON(TypedDict):
    rows: int
    suggested: int
    agree: int
    agreement: float
    failure_rows: int
    failure_found: float | None
    cause_rows: int
    cause_agreement: float | None
    phrase_rows: int
    phrase_agreement: float | None
    trained_on: int
    sentence: str


class SuggestJSON(TypedDict):
    """`workbench demand suggest --format json` (docs/data-contracts.md, "Suggestions from the customers'
    words")."""

    source: str
    rows: int
    unclassified: int
    basis: str
    learned: bool
    classified: int
    trained_on: int
    causes_learned: list[str]
    min_confidence: float
    quality: QualityJSON | None
    suggestions: list[SuggestionJSON]
    types: list[TypeSuggestionJSON]


def _suggest_json(loaded: LoadedDemand, min_confidence: float) -> SuggestJSON:
    # scikit-learn is imported by the one command that needs it, not by every `workbench ...`
    from workbench.demand import suggest as suggesting

    frame = loaded.frame
    made = suggesting.suggest(frame)
    types = suggesting.suggest_types(frame, made)
    shown = made.table[made.table[suggesting.CONFIDENCE] >= min_confidence] if min_confidence > 0 else made.table
    quality: QualityJSON | None = None
    if made.quality is not None:
        q = made.quality
        quality = {"rows": q.rows, "suggested": q.suggested, "agree": q.agree, "agreement": round(q.agreement, 4),
                   "failure_rows": q.failure_rows, "failure_found": _round(q.failure_found),
                   "cause_rows": q.cause_rows, "cause_agreement": _round(q.cause_agreement),
                   "phrase_rows": q.phrase_rows, "phrase_agreement": _round(q.phrase_agreement),
                   "trained_on": q.trained_on, "sentence": q.sentence}
    return {
        "source": loaded.report.source,
        "rows": len(frame),
        "unclassified": len(made.table),
        "basis": made.basis,
        "learned": made.learned,
        "classified": made.classified,
        "trained_on": made.trained_on,
        "causes_learned": list(made.causes_learned),
        "min_confidence": min_confidence,
        "quality": quality,
        "suggestions": [
            {"row": int(r[schema.ROW]), "suggested_nature": str(r[suggesting.SUGGESTED_NATURE]),
             "suggested_cause": str(r[suggesting.SUGGESTED_CAUSE]),
             "confidence": round(float(r[suggesting.CONFIDENCE]), 4),
             "cause_confidence": round(float(r[suggesting.CAUSE_CONFIDENCE]), 4),
             "reasons": [str(w) for w in r[suggesting.REASONS]], "source": str(r[suggesting.SOURCE])}
            for r in shown.to_dict("records")],
        "types": [
            {"demand_type": str(t[schema.DEMAND_TYPE]), "rows": int(t[suggesting.TYPE_ROWS]),
             "suggested_nature": str(t[suggesting.SUGGESTED_NATURE]), "share": round(float(t[suggesting.SHARE]), 4),
             "confidence": round(float(t[suggesting.CONFIDENCE]), 4),
             "suggested_cause": str(t[suggesting.SUGGESTED_CAUSE]),
             "cause_share": round(float(t[suggesting.CAUSE_SHARE]), 4)}
            for t in types.to_dict("records")],
    }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _suggest_text(data: SuggestJSON) -> str:
    lines = [f"{data['source']}: {data['rows']:,} rows, {data['unclassified']:,} not yet classified", "",
             f"Suggestions only: people decide what is failure demand. {data['basis']}"]
    q = data["quality"]
    lines.append(q["sentence"] if q is not None else "No agreement figure: it is measured for suggestions learned "
                 "from your own decisions.")
    if data["types"]:
        lines += ["", "Demand types with no nature yet (rows, suggestion, share of their rows, confidence, cause):"]
        for t in data["types"]:
            said = t["suggested_nature"] or "no suggestion"
            cause = f"  {t['suggested_cause']}" if t["suggested_cause"] else ""
            lines.append(f"  {t['rows']:>6,}  {t['demand_type']:<40} {said:<8} {_pct(t['share']):>5} "
                         f"{_pct(t['confidence']):>5}{cause}")
    above = f" (confidence {data['min_confidence']:.0%} or more)" if data["min_confidence"] > 0 else ""
    lines += ["", f"Rows{above}: row, suggestion, confidence, cause, source, the words that drove it"]
    if not data["suggestions"]:
        lines.append("  none")
    for r in data["suggestions"]:
        said = r["suggested_nature"] or "-"
        cause = r["suggested_cause"] or "-"
        reasons = ", ".join(f'"{w}"' for w in r["reasons"])
        lines.append(f"  {r['row']:>7}  {said:<8} {_pct(r['confidence']):>5}  {cause:<22} {r['source']:<8} {reasons}")
    return "\n".join(lines)


def cmd_demand_suggest(args: argparse.Namespace) -> int:
    if not 0.0 <= args.min_confidence <= 1.0:
        raise UsageError(f"--min-confidence must be between 0 and 1, got {args.min_confidence}")
    loaded = _load(args)
    data = _suggest_json(loaded, args.min_confidence)
    if args.format == "json":
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(_suggest_text(data))
    return 0


def _map_catalogue(m: ProcessMap, explicit: str | None):  # noqa: ANN202 - Catalogue | None
    if explicit:
        return load_catalogue(explicit)
    if catalogue_reference_problem(m.catalogue):  # never read: validation names it as an error
        return None
    path = m.catalogue_path()  # MapFileError for a link out of the map's folder or a device
    if path is None:
        return None
    if not path.exists():
        raise CatalogueError(f"{m.source}: its catalogue {m.catalogue} was not found.")
    return load_catalogue(path)


def cmd_map_validate(args: argparse.Namespace) -> int:
    failed = False
    for path in args.paths:
        try:
            m = load_map(path)
            catalogue = _map_catalogue(m, args.catalogue)
        except (MapFileError, CatalogueError) as exc:
            print(f"{exc}")
            failed = True
            continue
        problems = validate_map(m, catalogue)
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity != "error"]
        verdict = f"{len(errors)} error(s)" if errors else "valid"
        print(f"{m.source}: {verdict}" + (f", {len(warnings)} warning(s)" if warnings else ""))
        for p in problems:
            print(f"  {p}")
        failed = failed or has_errors(problems)
    return 1 if failed else 0


def cmd_map_draw(args: argparse.Namespace) -> int:
    """One view of a map (workbench.flow.views) written as SVG, PNG or an A3-landscape PDF."""
    from workbench.flow import views
    from workbench.flow.render import RenderError, render

    fmt = Path(args.output).suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "pdf"):
        raise UsageError(f"-o {args.output}: the file must end in .svg, .png or .pdf")
    m = load_map(args.path)
    catalogue = _map_catalogue(m, args.catalogue)
    mix = flow_expected.demand_mix(_load(args, args.demand, catalogue).frame, catalogue) if args.demand else None
    demand = views.Demand(mix, None, catalogue)
    if args.view == "type" and not args.type:
        raise UsageError("--view type needs --type NAME, one of: " + "; ".join(views.demand_types(m, demand)))
    try:
        data = render(views.view_dot(args.view, m, demand=demand, type_name=args.type or "",
                                     problems=validate_map(m, catalogue)), fmt)
    except RenderError as exc:
        raise UsageError(str(exc)) from None
    _write(Path(args.output), data)
    print(f"{args.output}: {views.VIEWS[args.view]} of {m.name}, {len(data):,} bytes")
    return 0


_SHOW_COLUMNS = (("steps", "steps", "{:.1f}"), ("value_step_share", "value", "{:.0%}"),
                 ("handoffs", "hand-offs", "{:.2f}"), ("touch_minutes", "touch min", "{:.0f}"),
                 ("wait_days", "wait days", "{:.1f}"), ("end_to_end_days", "e2e days", "{:.1f}"),
                 ("one_stop", "one-stop", "{:.0%}"), ("failure_demand", "FD gen.", "{:.2f}"))


def _shown(fmt: str, value: float) -> str:
    """A figure of `map show`, '-' when it is unknown (never 'nan')."""
    return "-" if value is None or value != value else fmt.format(value)


def cmd_map_show(args: argparse.Namespace) -> int:
    m = load_map(args.path)
    problems = validate_map(m)
    if args.format == "dot":
        print(to_dot(m, problems))
        return 0
    if has_errors(problems):
        raise UsageError(f"{m.source} has errors; run 'workbench map validate {args.path}'")
    catalogue = _map_catalogue(m, args.catalogue)
    if args.demand:
        loaded = _load(args, args.demand, catalogue)
        mix = flow_expected.demand_mix(loaded.frame, catalogue)
    elif catalogue is not None:
        mix = flow_expected.mix_from_catalogue(catalogue, "")
    else:
        raise UsageError(f"{m.source} names no catalogue: give --catalogue FILE or --demand FILE")
    from workbench.sim.engine import service_minutes_by_type
    from workbench.sim.service_times import Sampler, step_time_words, touch_mean

    sampler = Sampler(service_minutes_by_type(loaded.frame, catalogue)) if args.demand else None
    per_type, totals = flow_expected.expect_mix(m, mix, touch_mean(sampler))
    covered = coverage(m, mix, catalogue) if args.demand else None
    types = [str(t) for t in per_type["demand_type"]] if "demand_type" in per_type else []
    step_times = {s.id: step_time_words(s.touch, sampler, types) for s in m.steps}
    from workbench.sim.service_times import patience_estimates, patience_words

    patience = patience_words(m, patience_estimates(loaded.frame)) if args.demand else {}
    if args.format == "json":
        payload = {"name": m.name, "design": m.design, "source": m.source,
                   "per_type": per_type.to_dict("records"),
                   "totals": totals if args.demand else None,
                   "coverage": covered.to_dict() if covered else None,
                   "step_times": step_times, "patience_from_data": patience}
        print(json.dumps(payload, indent=2, default=float))
        return 0
    lines = [f"{m.name} ({m.design or 'design not stated'}) - expected per demand, unlimited capacity", ""]
    header = f"{'demand type':<42}" + "".join(f"{label:>11}" for _, label, _ in _SHOW_COLUMNS)
    lines.append(header + ("    count" if args.demand else ""))
    for rec in per_type.to_dict("records"):
        row = f"{str(rec['demand_type'])[:41]:<42}" + "".join(
            f"{_shown(fmt, rec[key]):>11}" for key, _, fmt in _SHOW_COLUMNS)
        lines.append(row + (f"{int(rec['count']):>9}" if args.demand else ""))
    if args.demand:
        lines.append("")
        lines.append(f"{'all demand (weighted by the sample)':<42}" + "".join(
            f"{_shown(fmt, totals[key]):>11}" for key, _, fmt in _SHOW_COLUMNS) + f"{int(totals['demands']):>9}")
        lines.append(f"failure demand generated: {totals['failure_demand_per_100']:.1f} per 100 demands")
        if covered is not None:
            lines.append(("LOW COVERAGE: " if covered.low() else "") + covered.words())
    if any(s.touch.from_data for s in m.steps) and (sampler is None or not sampler.has_data()):
        lines.append("'-': a step takes its time from the data and there are no handling minutes to take it from "
                     "(give --demand FILE with a handling minutes column), so touch and end-to-end times are "
                     "unknown.")
    lines += ["", "Who works when:"]
    lines += [f"  {r.name or r.id}: {working_time_words(r)}" for r in m.roles]
    if m.closed:
        lines.append("  closed on " + ", ".join(d.isoformat() for d in m.closed))
    for tp, q in m.touchpoints.items():
        if q.patience is not None:
            lines.append(f"  {tp}: callers wait {q.patience.describe()} before giving up; {q.call_back:.0%} of "
                         f"those call back after {q.call_back_after.describe()}")
            if tp in patience:
                lines.append(f"    {patience[tp]}")
    lines += ["", "Time each step takes (touch time):"]
    for s in m.steps:
        words = step_times[s.id]
        lines.append(f"  {s.name or s.id}: {words[0]}")
        lines += [f"    {w.strip()}" for w in words[1:]]
        if s.patience is not None:
            lines.append(f"    callers wait {s.patience.describe()} here before giving up")
            estimate = patience.get(f"step '{s.name or s.id}'")
            if estimate:
                lines.append(f"    {estimate}")
    print("\n".join(lines))
    return 0


def _coverages(maps: list[ProcessMap], frame: pd.DataFrame, catalogue: Catalogue | None) -> list[Coverage]:
    """How far each map fits the demand (read with the catalogue the map names, else the one given)."""
    from workbench.sim.compare import map_catalogue

    out = []
    for m in maps:
        cat = map_catalogue(m, catalogue)
        out.append(coverage(m, flow_expected.demand_mix(frame, cat), cat))
    return out


def _load_maps(paths_: list[str]) -> list[ProcessMap]:
    maps = []
    for path in paths_:
        m = load_map(path)
        problems = validate_map(m)
        if has_errors(problems):
            first = next(p for p in problems if p.severity == "error")
            raise UsageError(f"{first} (run 'workbench map validate {path}' for all problems)")
        maps.append(m)
    return maps


def _preventions(texts: list[str] | None, maps: list[ProcessMap], paths_: list[str]) -> dict[str, list[Prevention]]:
    """--prevent 'DESIGN_FILE:cause=CAUSE:80%' (or type=DEMAND TYPE) as {map source: [Prevention]}; DESIGN_FILE
    is one of the maps given (its path as given, its file name, or the map's name)."""
    from workbench.sim.compare import parse_prevention

    out: dict[str, list[Prevention]] = {}
    for text in texts or []:
        try:
            design, prevention = parse_prevention(text)
        except ValueError as exc:
            raise UsageError(f"--prevent {exc}") from None
        found = next((m for m, p in zip(maps, paths_, strict=True)
                      if design in (p, Path(p).name, m.source, m.name)), None)
        if found is None:
            raise UsageError(f"--prevent '{text}': '{design}' is not one of the maps compared: "
                             + ", ".join(repr(p) for p in paths_))
        out.setdefault(found.source, []).append(prevention)
    return out


def cmd_compare(args: argparse.Namespace) -> int:
    from workbench.sim import fit
    from workbench.sim.compare import CompareSettings, label

    maps = _load_maps(args.maps)
    prevented = _preventions(args.prevent, maps, args.maps)
    if args.as_is is not None and args.as_is not in [m.name for m in maps]:
        raise UsageError(f"--as-is {args.as_is!r} is not one of the maps' names: "
                         + ", ".join(repr(m.name) for m in maps))
    catalogue = load_catalogue(args.catalogue) if args.catalogue else None
    if catalogue is None:
        from workbench.sim.compare import map_catalogue

        catalogue = map_catalogue(maps[0], None)
    loaded = _load(args, args.demand, catalogue)
    if not analysis.has_dates(loaded.frame):
        raise UsageError(f"{loaded.report.source} was read without dates: the simulation replays demand as it "
                         "arrived, day by day, so it needs a date column (use --map received_at=COLUMN).")
    if args.replications < 1:
        raise UsageError("--replications must be at least 1")
    if args.weeks is not None and args.weeks < 1:
        raise UsageError("--weeks must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1 (1 runs every replication in this process)")

    def progress(fraction: float, message: str) -> None:
        if args.format == "text" and not args.quiet:
            print(f"  {fraction:4.0%}  {message}", file=sys.stderr)

    settings = CompareSettings(weeks=args.weeks, volume=args.volume, replications=args.replications, seed=args.seed,
                               prevented=prevented, vary_arrivals=args.vary_arrivals)
    result = settings.run(maps, loaded.frame, catalogue=catalogue, progress=progress, keep_runs=bool(args.per_demand),
                          workers=args.workers)
    if args.per_demand:
        Path(args.per_demand).write_bytes(to_csv_bytes(result.per_demand()))
    fitted = fit.assess(loaded.frame, result, args.as_is)
    covered = _coverages(maps, loaded.frame, catalogue)
    if args.format == "json":
        print(json.dumps({**result.to_json(), "fit": fit.to_json(fitted),
                          "coverage": [c.to_dict() for c in covered]}, indent=2))
        return 0
    table = result.table()
    names = [d.name for d in result.designs]
    width = max(12, *(len(n) for n in names))
    lines = [f"{result.demands:,} demands a replication, {result.weeks:g} weeks, {result.replications} "
             f"replication(s), seed {result.seed}; mean [95% interval]"
             + (f"; the intervals cover {result.intervals_cover()}" if result.replications > 1 else ""), ""]
    lines += [f"Failure demand assumed prevented: {d.name} {d.assumption()} (on average {d.left_out_mean():,.0f} of "
              f"the sample's demands left out); '{d.name} (nothing prevented)' is the same design on the whole sample."
              for d in result.designs if d.prevented]
    if any(d.prevented for d in result.designs):
        lines.append("")
    first = min(max(34, *(len(str(t)) + 2 for t in table["label"])), 72)  # every measure's name in full
    lines.append(f"{'':<{first}}" + "".join(f"{n[:width]:>{width + 22}}" for n in names))
    for key in dict.fromkeys(table["metric"]):
        rows = table[table["metric"] == key].set_index("design")
        cells = []
        for n in names:
            r = rows.loc[n]
            pct = key.endswith("share") or key.startswith("utilisation") or key == "flow_efficiency"
            if pd.isna(r["mean"]):
                cells.append("-")
                continue
            fmt = (lambda v: f"{v:.1%}") if pct else (lambda v: f"{v:,.0f}") if key == "demands" else (
                lambda v: f"{v:,.2f}")
            cells.append(f"{fmt(r['mean'])} [{fmt(r['low'])}, {fmt(r['high'])}]")
        shown = str(rows["label"].iloc[0]) if "label" in rows else label(key)
        lines.append(f"{shown[:first - 1]:<{first}}" + "".join(f"{c:>{width + 22}}" for c in cells))
    lines += ["", result.headline(), "", *_fit_text(fit.to_json(fitted)), "", "How far the maps fit this demand:",
              *(("  LOW COVERAGE: " if c.low() else "  ") + c.words() for c in covered)]
    print("\n".join(lines))
    return 0


def _fit_cell(v: float | None, share: bool, signed: bool = False) -> str:
    if v is None:
        return "-"
    sign = "+" if signed and v > 0 else ""
    if share:
        return f"{sign}{v * 100:.0f} pts" if signed else f"{v:.1%}"
    return f"{sign}{v:,.2f}"


def _fit_text(block: FitJSON) -> list[str]:
    """The "Measured vs simulated" section of `compare`'s text output."""
    lines = [f"Measured vs simulated (as-is: {block['as_is']}):"]
    if not block["available"]:
        lines.append(f"  {block['reason']}")
    else:
        lines.append(f"  measured from {block['needs']:,} needs in the demand ({block['met']:,} met, "
                     f"{block['open']:,} open)")
    lines.append(f"  {'':<34}{'measured':>10}{'simulated':>11}{'difference':>12}  verdict")
    for row in block["rows"]:
        share = row["measure"] == "one_stop_share"
        lines.append(f"  {row['label'][:33]:<34}{_fit_cell(row['measured'], share):>10}"
                     f"{_fit_cell(row['simulated'], share):>11}{_fit_cell(row['difference'], share, True):>12}  "
                     f"{row['verdict']}")
    return lines


def cmd_app(args: argparse.Namespace) -> int:
    """Start the app; the study database is opened and migrated first, so a bad WORKBENCH_DATABASE_URL is
    reported here, in one line, rather than in the browser. It listens on this machine only unless told an
    address (or --share); then the terminal says who can reach it and what they can do (workbench.serving)."""
    from sqlalchemy.engine import make_url

    from workbench import limits
    from workbench.store import db

    engine, _ = _open_store()
    print(f"Studies are kept in {make_url(db.database_url()).render_as_string(hide_password=True)} "
          f"(schema {db.current_revision(engine)}).", file=sys.stderr)
    engine.dispose()
    address = serving.EVERY_INTERFACE if args.share else args.address
    for line in serving.network_notice(address, args.port):
        print(line, file=sys.stderr)
    command = [sys.executable, "-m", "streamlit", "run", str(paths.APP_ENTRY),
               "--server.address", address, "--server.port", str(args.port),
               # one cap for every upload: the upload box refuses what the app would refuse (workbench/limits.py)
               "--server.maxUploadSize", str(limits.UPLOAD_MB.value),
               # Streamlit's safe defaults, said here so no config file or STREAMLIT_* variable can turn them off:
               # forms need the XSRF token, and pages of other sites may not call this server (docs/access.md)
               "--server.enableXsrfProtection", "true", "--server.enableCORS", "true",
               "--browser.gatherUsageStats", "false",
               # errors people see are a sentence and a reference (app/study.page_errors); never a traceback,
               # wherever the app is started from (.streamlit/config.toml says the same for `streamlit run`)
               "--client.showErrorDetails", "none",
               # the app's files do not change while it serves: watching them only costs every new session a
               # scan of the loaded modules (benchmarks/README.md, "Many people at once")
               "--server.fileWatcherType", "none"]
    if args.headless:
        command += ["--server.headless", "true"]
    return _serve(command, os.environ.copy())


SERVER_STOP_SECONDS = 10.0  # how long a server asked to stop may take before it is killed
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class _Stop(Exception):
    """Raised by the signal handler to end the wait for the server."""


def _serve(command: list[str], env: dict[str, str]) -> int:
    """Run the Streamlit server until it exits, and never leave it running without us: SIGTERM or Ctrl-C
    (SIGINT) given to this process is passed on to the server, which is then waited for (and killed if it
    has not stopped within SERVER_STOP_SECONDS). On Linux the kernel also stops the server if this process
    dies without a chance to pass anything on (SIGKILL, a crash). Returns the server's exit status."""
    server = subprocess.Popen(command, env=env, preexec_fn=_stop_with_parent())

    def pass_on(signum: int, frame: object) -> None:
        if server.poll() is None:
            server.send_signal(signum)

    def pass_on_and_stop(signum: int, frame: object) -> None:
        pass_on(signum, frame)
        raise _Stop

    stops = (signal.SIGTERM, signal.SIGINT)
    previous = {s: signal.getsignal(s) for s in stops}
    try:
        try:
            for s in stops:
                signal.signal(s, pass_on_and_stop)
            return server.wait()
        except _Stop:
            pass
        for s in stops:  # the server is stopping: a second Ctrl-C is passed on, and does not cut the wait short
            signal.signal(s, pass_on)
        try:
            return server.wait(timeout=SERVER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            return server.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _stop_with_parent() -> Callable[[], None] | None:
    """On Linux, what the server runs before it starts: ask the kernel for SIGTERM when its parent (this
    process) dies, however it dies (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child only calls it
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request was made
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


# ------------------------------------------------------------------------------------------ studies
# The store is imported inside these commands only: the other commands need no database (nor SQLAlchemy).


def _open_store() -> tuple[Engine, sessionmaker[Session]]:
    """The study database of WORKBENCH_DATABASE_URL / WORKBENCH_DATA_DIR, migrated; unusable if unreachable."""
    from sqlalchemy.exc import SQLAlchemyError

    from workbench.store import db

    engine = None
    try:
        engine = db.engine_for()
        db.migrate(engine)
    except SQLAlchemyError as exc:
        if engine is not None:
            engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise UsageError(f"the study database could not be opened ({reason})") from None
    return engine, db.sessions(engine)


def _find_study(session: Session, ref: str) -> Study:
    """STUDY on the command line: an id (a whole number that is one) or else a name, archived ones too."""
    from workbench.store import studies

    if ref.strip().isdigit():
        try:
            return studies.get_study(session, int(ref))
        except studies.NotFoundError:
            pass
    found = studies.find_study(session, ref)
    if found is None:
        raise UsageError(f"there is no study '{ref}' (run 'workbench study list --all' to see them)")
    return found


def cmd_study_list(args: argparse.Namespace) -> int:
    from workbench.store import studies

    engine, sessions = _open_store()
    try:
        with sessions() as session:
            found = studies.list_studies(session, include_archived=args.all)
    finally:
        engine.dispose()
    if args.format == "json":
        print(json.dumps({"studies": [
            {"id": s.id, "name": s.name, "description": s.description, "archived": s.archived,
             "created_at": s.created_at.isoformat(), "updated_at": s.updated_at.isoformat()} for s in found]},
            indent=2, ensure_ascii=False))
        return 0
    if not found:
        print("No studies yet." if args.all else "No studies (archived ones are shown with --all).")
        return 0
    width = max(4, *(len(s.name) for s in found))
    print(f"{'id':>5}  {'name':<{width}}  last changed")
    for s in found:
        print(f"{s.id:>5}  {s.name:<{width}}  {s.updated_at:%Y-%m-%d %H:%M} UTC" + ("  (archived)" if s.archived
                                                                                     else ""))
    return 0


def cmd_study_export(args: argparse.Namespace) -> int:
    from workbench.store import archive, studies

    engine, sessions = _open_store()
    try:
        with sessions() as session:
            study = _find_study(session, args.study)
            data = archive.export_study(session, study.id)
    except studies.StoreError as exc:  # deleted since it was found
        raise UsageError(str(exc)) from None
    finally:
        engine.dispose()
    try:
        contents = archive.read_archive(data).describe()  # proves the zip reads back before it is written
    except archive.ArchiveError as exc:  # e.g. a study too big to import again
        raise UsageError(f"the export of '{study.name}' could not be read back, so it was not written: {exc}") \
            from None
    out = Path(args.out)
    _write(out, data)
    print(f"Exported study '{study.name}' ({contents}) to {out}")
    return 0


def cmd_study_import(args: argparse.Namespace) -> int:
    from workbench.store import archive, studies

    path = Path(args.path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        read = archive.read_archive(data)
    except archive.ArchiveError as exc:
        raise UsageError(f"{path}: {exc}") from None
    engine, sessions = _open_store()
    try:
        with sessions() as session:
            study = archive.import_study(session, read, name=args.name)
    except (studies.StoreError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    finally:
        engine.dispose()
    note = " It is archived: 'workbench study list --all' shows it." if study.archived else ""
    print(f"Imported '{study.name}' as study {study.id} ({read.describe()}).{note}")
    return 0


# Share links: a read-only link to one study's dashboard for someone without an account (docs/access.md).
# The token is printed once, here; the store keeps only its hash.

T = TypeVar("T")
APP_ADDRESS = "http://localhost:8501"  # `workbench app`'s own address; --url gives the one people open


def _study_call(ref: str, call: Callable[[Session, Study], T]) -> T:
    """`call(session, study)` for the study `ref` names, with the store's refusals as one line (share links,
    members)."""
    from workbench.access import AccessDenied
    from workbench.store import studies

    engine, sessions = _open_store()
    try:
        with sessions() as session:
            return call(session, _find_study(session, ref))
    except (studies.StoreError, AccessDenied, ValueError) as exc:
        raise UsageError(str(exc)) from None
    finally:
        engine.dispose()


def _link_json(link: ShareLink) -> dict[str, object]:
    return {"id": link.id, "study_id": link.study_id, "label": link.label, "created_by": link.created_by,
            "created_at": link.created_at.isoformat(),
            "expires_at": link.expires_at.isoformat() if link.expires_at else None,
            "revoked_at": link.revoked_at.isoformat() if link.revoked_at else None, "revoked_by": link.revoked_by,
            "state": link.state(), "state_words": link.state_words()}


def cmd_study_share(args: argparse.Namespace) -> int:
    from workbench.store import share_links

    study, made = _study_call(args.study, lambda s, found: (found, share_links.make_link(
        s, found.id, label=args.label or "", expires_days=args.expires_days, author=args.by or "")))
    address = args.url.rstrip("/") + made.path()
    if args.format == "json":
        print(json.dumps({**_link_json(made.link), "study": study.name, "token": made.token, "link": address},
                         indent=2, ensure_ascii=False))
        return 0
    print(f"A read-only link to the dashboard of '{study.name}' (link {made.link.id}, "
          f"{made.link.state_words()}):\n{address}\nCopy it now: Workbench keeps only a fingerprint of it and cannot "
          f"show it again. 'workbench study revoke-link' withdraws it.")
    return 0


def cmd_study_links(args: argparse.Namespace) -> int:
    from workbench.store import share_links

    study, links = _study_call(args.study, lambda s, found: (found, share_links.list_links(s, found.id)))
    if args.format == "json":
        print(json.dumps({"study": study.name, "links": [_link_json(link) for link in links]}, indent=2,
                         ensure_ascii=False))
        return 0
    if not links:
        print(f"'{study.name}' has no share links.")
        return 0
    print(f"{'id':>5}  {'made':<20}  {'by':<16}  {'for':<24}  state")
    for link in links:
        print(f"{link.id:>5}  {link.created_at:%Y-%m-%d %H:%M} UTC  {link.created_by or '-':<16.16}  "
              f"{link.label or '-':<24.24}  {link.state_words()}")
    return 0


def cmd_study_revoke_link(args: argparse.Namespace) -> int:
    from workbench.store import share_links

    study, link = _study_call(args.study, lambda s, found: (found, share_links.revoke_link(
        s, found.id, args.link_id, author=args.by or "")))
    what = f" ({link.label})" if link.label else ""
    print(f"Link {link.id}{what} of '{study.name}': {link.state_words()}.")
    return 0


def cmd_study_report(args: argparse.Namespace) -> int:
    """The study report (docs/report.md): HTML, or a PDF of it when the file's name ends in .pdf."""
    from workbench import report

    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm", ".pdf"):
        raise UsageError(f"{out}: the report is written as .html or .pdf (name the file so)")
    if not 0 <= args.quotes <= report.MAX_QUOTES:
        raise UsageError(f"--quotes is how many of the customers' words to include: 0 to {report.MAX_QUOTES}")
    study, html = _study_call(args.study, lambda s, found: (found, report.make_report(s, found.id,
                                                                                       quotes=args.quotes)))
    data = html.encode("utf-8")
    if out.suffix.lower() == ".pdf":
        try:
            data = report.html_to_pdf(html)
        except report.PdfUnavailable as exc:
            raise UsageError(str(exc)) from None
    _write(out, data)
    print(f"Wrote the report of '{study.name}' to {out} ({len(data):,} bytes).")
    return 0


def cmd_study_members(args: argparse.Namespace) -> int:
    """Who may work on a study when sign-in is configured (the command line acts as the server's administrator)."""
    from workbench.store import members

    study, found = _study_call(args.study, lambda s, study: (study, members.list_members(s, study.id)))
    if args.format == "json":
        print(json.dumps({"study": study.name, "members": [
            {"email": m.email, "role": m.role.value, "added_by": m.added_by, "added_at": m.added_at.isoformat()}
            for m in found]}, indent=2, ensure_ascii=False))
        return 0
    if not found:
        print(f"'{study.name}' has no members: only server administrators see it once sign-in is configured.")
        return 0
    width = max(5, *(len(m.email) for m in found))
    print(f"{'email':<{width}}  {'role':<6}  added")
    for m in found:
        print(f"{m.email:<{width}}  {m.role.value:<6}  {m.added_at:%Y-%m-%d %H:%M} UTC by {m.added_by or '-'}")
    return 0


def cmd_study_add_member(args: argparse.Namespace) -> int:
    """Add a person by email with a role, or change the role of one who is a member already."""
    from workbench.store import members, studies

    def add(session: Session, study: Study) -> tuple[Study, members.Member, str]:
        try:
            return study, members.add_member(session, study.id, args.email, args.role), "added to"
        except studies.DuplicateNameError:
            return study, members.set_member_role(session, study.id, args.email, args.role), "now has this role in"

    study, member, done = _study_call(args.study, add)
    print(f"{member.email} ({member.role.value}) {done} '{study.name}'.")
    return 0


def cmd_study_remove_member(args: argparse.Namespace) -> int:
    from workbench.store import members

    def remove(session: Session, study: Study) -> Study:
        members.remove_member(session, study.id, args.email)
        return study

    study = _study_call(args.study, remove)
    print(f"{args.email.strip().lower()} removed from '{study.name}'.")
    return 0


# Map versions in a study (docs/process-maps.md, "Versions"): list them with their names; name one.


def cmd_study_versions(args: argparse.Namespace) -> int:
    from workbench.store import studies

    study, found = _study_call(args.study, lambda s, study: (study, studies.list_map_versions(s, study.id, args.map)))
    if args.format == "json":
        print(json.dumps({"study": study.name, "map": args.map, "versions": [
            {"version": v.version, "label": v.label, "author": v.author, "edits": v.edits, "note": v.note,
             "created_at": v.created_at.isoformat()} for v in found]}, indent=2, ensure_ascii=False))
        return 0
    by, name = max([2, *(len(v.author) for v in found)]), max([4, *(len(v.label) for v in found)])
    print(f"{'version':>7}  {'saved':<20}  {'by':<{by}}  edits  {'name':<{name}}  what changed")
    for v in found:
        print(f"{v.version:>7}  {v.created_at:%Y-%m-%d %H:%M} UTC  {v.author or '-':<{by}}  {v.edits:>5}  "
              f"{v.label or '-':<{name}}  {v.note}")
    return 0


def cmd_study_name_version(args: argparse.Namespace) -> int:
    from workbench.store import studies

    if not args.clear and not (args.label or "").strip():
        raise UsageError("give the version a name, or --clear to take its name away")
    study, v = _study_call(args.study, lambda s, study: (study, studies.name_map_version(
        s, study.id, args.map, args.version, "" if args.clear else args.label)))
    print(f"Version {v.version} of map '{v.name}' in '{study.name}' "
          + (f"is now named '{v.label}'." if v.label else "has no name now."))
    return 0


def _log_text(data: dict[str, object], report_lines: list[str]) -> str:
    lines = [*report_lines, ""]
    lines.append(f"Cases: {data['cases']:,}   events: {data['events']:,}   activities: {data['activities']:,}   "
                 f"variants: {data['variants']:,}")
    lines.append(f"From {data['first_event']} to {data['last_event']}")
    e2e = data["end_to_end_days"]
    per = data["events_per_case"]
    assert isinstance(e2e, dict) and isinstance(per, dict)
    lines.append(f"End-to-end days of {data['completed_cases']:,} completed case(s): median {e2e['median']}, "
                 f"85th percentile {e2e['p85']}, 95th percentile {e2e['p95']}")
    lines.append(f"Events per case: median {per['median']}, 85th percentile {per['p85']}, 95th percentile "
                 f"{per['p95']}, mean {per['mean']}")
    lines.append(f"Hand-offs per case (mean): {data['handoffs_per_case']}   cases with rework: "
                 f"{data['cases_with_rework']:,}")
    lines.append("")
    lines.append("Most common variants (cases, share, activities):")
    for v in data["top_variants"]:  # type: ignore[attr-defined]
        lines.append(f"  {v['cases']:>7,}  {v['share']:>6.1%}  {v['variant']}")
    lines.append("")
    lines.append("Most frequent directly-follows (count, median wait in hours):")
    for d in data["directly_follows"]:  # type: ignore[attr-defined]
        wait = "-" if d["median_wait_hours"] is None else f"{d['median_wait_hours']:.1f}"
        lines.append(f"  {d['count']:>7,}  {wait:>8}  {d['from']} -> {d['to']}")
    return "\n".join(lines)


def cmd_log_summary(args: argparse.Namespace) -> int:
    options = _read_options(args)
    try:
        log = read_log(Path(args.path), options=options)
    except LimitError as exc:
        raise UsageError(str(exc)) from None
    data = dict(log_analysis.summary(log, resolved_activity=args.resolved_activity))
    if args.format == "json":
        print(json.dumps({"report": log.report.to_dict(), **data}, indent=2, default=str))
    else:
        print(_log_text(data, log.report.summary_lines()))
    return 0


def _discover_json(m: ProcessMap, out: Path, min_share: float) -> dict[str, object]:
    """`workbench log discover --format json`: the draft map in numbers, its hand-offs and its validation."""
    from workbench.flow.routing import DemandKind

    problems = validate_map(m)
    try:
        per_kind = [flow_expected.expect(m, DemandKind(touchpoint=tp))
                    for tp in ["", *m.entry_touchpoints]]
        handoffs: dict[str, float] | None = {
            (e.touchpoint or "default"): round(e.handoffs, 3) for e in per_kind}
    except FlowError:
        handoffs = None
    return {
        "map": str(out), "name": m.name, "description": m.description,
        "steps": len(m.steps), "roles": len(m.roles), "routes": sum(len(s.routes) for s in m.steps),
        "rework_routes": sum(r.rework for s in m.steps for r in s.routes), "min_share": min_share,
        "entry": {"default": m.entry_default, "touchpoints": dict(m.entry_touchpoints)},
        "expected_handoffs": handoffs,
        "valid": not has_errors(problems),
        "problems": [{"severity": p.severity, "where": p.where, "line": p.line, "message": p.message}
                     for p in problems],
    }


def cmd_log_discover(args: argparse.Namespace) -> int:
    from workbench.eventlog.observe import observe
    from workbench.flow.discover import discover
    from workbench.flow.model import parse_map_text, to_yaml

    if not 0 <= args.min_share < 1:
        raise UsageError(f"--min-share must be at least 0 and below 1 (is {args.min_share:g})")
    out = Path(args.out)
    if out.exists() and not out.is_file():
        raise UsageError(f"{out}: not a regular file; give a .yaml file to write the draft map to.")
    try:
        log = read_log(Path(args.path), options=_read_options(args))
    except LimitError as exc:
        raise UsageError(str(exc)) from None
    name = args.name or f"{Path(args.path).name.split('.')[0]} - discovered"
    m = discover(observe(log), name, min_share=args.min_share)
    text = to_yaml(m)
    m = parse_map_text(text, out.name)  # what was written, read back as an upload would be
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{out}: cannot write the draft map ({exc.strerror or exc}).") from None
    data = _discover_json(m, out, args.min_share)
    if args.format == "json":
        print(json.dumps({"report": log.report.to_dict(), **data}, indent=2, default=str))
        return 0
    lines = [*log.report.summary_lines(), "", f"Wrote {out}: '{m.name}'", m.description, "",
             f"Steps: {data['steps']}   roles: {data['roles']}   routes: {data['routes']} "
             f"({data['rework_routes']} back to an earlier step, marked rework)"]
    handoffs = data["expected_handoffs"]
    if isinstance(handoffs, dict):
        lines.append("Expected hand-offs per demand: " + ", ".join(f"{k} {v:g}" for k, v in handoffs.items()))
    problems = data["problems"]
    assert isinstance(problems, list)
    lines.append("Validation: " + ("no errors" if data["valid"] else "errors (see below)")
                 + (f", {len(problems)} message(s)" if problems else ""))
    lines += [f"  {p['severity']}: {p['where']}: {p['message']}" for p in problems]
    print("\n".join(lines))
    return 0


def build_parser() -> argparse.ArgumentParser:
    def reading_args(p: argparse.ArgumentParser, cases: bool = True) -> None:
        """How the demand file is read: the same options for every command that reads one (`cases`: it may
        be an event log, read as one demand per case)."""
        g = p.add_argument_group("reading the demand file")
        if cases:
            g.add_argument("--event-log", action="store_true",
                           help="the file is an event log (many rows per case): read it as one demand per case, "
                                "its columns recognised as `workbench log summary` does")
        g.add_argument("--sheet", help="Excel sheet name (default: the first sheet)")
        g.add_argument("--header-row", type=int, help="row number of the header (default: found automatically)")
        g.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                       help=f"use COLUMN for FIELD; fields: {', '.join(schema.MAPPED_FIELDS)}; "
                            "a date and a time of day in two columns: received_at=DATECOL+TIMECOL")
        order = g.add_mutually_exclusive_group()
        order.add_argument("--dayfirst", dest="date_order", action="store_const", const="day-first",
                           help="read 01/02/2026 as 1 February")
        order.add_argument("--monthfirst", dest="date_order", action="store_const", const="month-first",
                           help="read 01/02/2026 as 2 January")
        g.add_argument("--date-format", metavar="FORMAT",
                       help="read the dates with this format only, in strftime codes: '%%y%%m%%d' for 990201, "
                            "'%%d.%%m.%%Y %%H:%%M' for 09.10.2012 13:50 (default: worked out from the column)")
        g.add_argument("--timezone", metavar="ZONE",
                       help="show times that carry a UTC offset or 'Z' in this zone, e.g. Europe/London "
                            "(default: this machine's)")
        g.add_argument("--no-dates", action="store_true",
                       help="the file has no usable date: read it for counts, types and words only")
        g.add_argument("--handling-unit", choices=HANDLING_UNITS,
                       help="what the handling-time column counts (default: minutes, unless its name says "
                            "seconds or hours)")
        p.set_defaults(date_order="auto")

    parser = argparse.ArgumentParser(prog="workbench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    app = sub.add_parser("app", help="start the Workbench app in the browser")
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--headless", action="store_true", help="do not open a browser window")
    where = app.add_mutually_exclusive_group()
    where.add_argument("--address", default=serving.LOOPBACK,
                       help="the address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every "
                            "address, so anyone on the network can reach it: see docs/access.md)")
    where.add_argument("--share", action="store_true",
                       help="listen on every network interface (the same as --address 0.0.0.0)")
    app.set_defaults(func=cmd_app)

    demand = sub.add_parser("demand", help="demand samples").add_subparsers(dest="demand_command", required=True)

    def demand_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("path", help="a demand sample: CSV or Excel (.xlsx)")
        p.add_argument("--catalogue", help="demand-type catalogue (YAML) to fill value/failure by type")
        reading_args(p)

    summary = demand.add_parser("summary", help="shares, types, touchpoints and weekly failure share")
    demand_args(summary)
    summary.add_argument("--split-at", help="compute process limits separately from this date (YYYY-MM-DD)")
    summary.add_argument("--format", choices=("text", "json"), default="text")
    summary.set_defaults(func=cmd_demand_summary)

    export = demand.add_parser("export", help="write the cleaned, classified demand as CSV or Excel")
    demand_args(export)
    export.add_argument("--out", required=True, help="output file, .csv or .xlsx")
    export.set_defaults(func=cmd_demand_export)

    suggest = demand.add_parser("suggest", help="suggest value/failure and a failure cause for rows not yet "
                                                "classified, from the customers' words (people decide)")
    demand_args(suggest)
    suggest.add_argument("--min-confidence", type=float, default=0.0, metavar="X",
                         help="list only suggestions at least this confident, 0-1 (default 0: every row)")
    suggest.add_argument("--format", choices=("text", "json"), default="text")
    suggest.set_defaults(func=cmd_demand_suggest)

    logs = sub.add_parser("log", help="event logs (many rows per case)").add_subparsers(
        dest="log_command", required=True)
    log_summary = logs.add_parser("summary", help="cases, variants, end-to-end times and directly-follows counts")
    log_summary.add_argument("path", help="an event log: CSV, Excel (.xlsx) or XES (.xes, .xes.gz); map its "
                                          "fields with --map case=COL, activity=, timestamp=, start=, resource=, "
                                          "role=, lifecycle=, touchpoint=, demand_type=, customer_words=")
    log_summary.add_argument("--resolved-activity", metavar="ACTIVITY",
                             help="a case is resolved at its first event of this activity (default: its last event)")
    log_summary.add_argument("--format", choices=("text", "json"), default="text")
    reading_args(log_summary, cases=False)
    log_summary.set_defaults(func=cmd_log_summary)
    log_discover = logs.add_parser("discover", help="draft an as-is process map (YAML) from an event log")
    log_discover.add_argument("path", help="an event log: CSV, Excel (.xlsx) or XES (.xes, .xes.gz), read as by "
                                           "'log summary'")
    log_discover.add_argument("-o", "--out", required=True, metavar="DRAFT.yaml", help="where to write the map")
    log_discover.add_argument("--min-share", type=float, default=0.0, metavar="SHARE",
                              help="fold a step's routes taken by less than this share of its departures into its "
                                   "most frequent route, e.g. 0.05 (default 0: keep every observed route)")
    log_discover.add_argument("--name", help="the map's name (default: the log's file name + ' - discovered')")
    log_discover.add_argument("--format", choices=("text", "json"), default="text")
    reading_args(log_discover, cases=False)
    log_discover.set_defaults(func=cmd_log_discover)

    maps = sub.add_parser("map", help="process maps").add_subparsers(dest="map_command", required=True)
    validate = maps.add_parser("validate", help="check maps; exit 1 if any has errors")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    validate.add_argument("--catalogue", help="demand-type catalogue (default: the one the map names)")
    validate.set_defaults(func=cmd_map_validate)
    show = maps.add_parser("show", help="expected flow metrics per demand type, or the diagram")
    show.add_argument("path")
    show.add_argument("--demand", help="a demand sample: weight the metrics by its mix of types and touchpoints")
    show.add_argument("--catalogue", help="demand-type catalogue (default: the one the map names)")
    show.add_argument("--format", choices=("text", "json", "dot"), default="text")
    reading_args(show)
    show.set_defaults(func=cmd_map_show)

    draw = maps.add_parser("draw", help="draw one view of a map as SVG, PNG or an A3-landscape PDF")
    draw.add_argument("path")
    draw.add_argument("--view", choices=("journey", "roles", "value", "type"), default="roles",
                      help="journey: main paths per demand type; roles: swimlanes; value: waste runs collapsed; "
                           "type: one demand type's routes in colour (with --type)")
    draw.add_argument("--type", help="the demand type to show in colour (--view type)")
    draw.add_argument("-o", "--output", required=True, help="the file to write: .svg, .png or .pdf (A3 landscape)")
    draw.add_argument("--demand", help="a demand sample: the journey's types, shares and expected figures")
    draw.add_argument("--catalogue", help="demand-type catalogue (default: the one the map names)")
    reading_args(draw)
    draw.set_defaults(func=cmd_map_draw)

    cmp = sub.add_parser("compare", help="run the demand through two or more designs and compare flow metrics")
    cmp.add_argument("maps", nargs="+", metavar="MAP", help="process maps (YAML)")
    cmp.add_argument("--demand", required=True, help="a demand sample, CSV or Excel")
    cmp.add_argument("--catalogue", help="demand-type catalogue (default: the one the first map names)")
    cmp.add_argument("--weeks", type=int, help="resample the demand to this many weeks (by weekday)")
    cmp.add_argument("--volume", type=float, default=1.0, help="multiply the daily volume (default 1)")
    cmp.add_argument("--replications", type=int, default=5)
    cmp.add_argument("--seed", type=int, default=1)
    cmp.add_argument("--workers", type=int, metavar="N",
                     help="processes running replications at once, this one included (default: every core; 1: one "
                     "after another in this process). With WORKBENCH_DASK_SCHEDULER=tcp://HOST:8786 set, "
                     "replications go to that dask cluster instead (docs/scaling.md). The results are the same "
                     "either way")
    cmp.add_argument("--per-demand", metavar="FILE.csv", help="also write every simulated demand to a CSV")
    cmp.add_argument("--quiet", action="store_true", help="no progress lines")
    cmp.add_argument("--format", choices=("text", "json"), default="text")
    cmp.add_argument("--prevent", action="append", metavar="DESIGN_FILE:cause=CAUSE:SHARE%",
                     help="failure demand of the sample a design is assumed to prevent, left out of its run (the "
                     "same demands in every replication); the design is also shown without it. DESIGN_FILE is one "
                     "of the maps (its path, file name or name); cause=CAUSE names a failure cause, type=TYPE a "
                     "demand type; SHARE is a percent. Repeat for more, e.g. --prevent "
                     "'redesign.yaml:cause=progress chasing:80%%'")
    cmp.add_argument("--vary-arrivals", action="store_true",
                     help="each replication a bootstrap of the sample's days by weekday, so the intervals cover "
                     "which days arrive as well as service times (with --weeks or --volume days are drawn anyway)")
    cmp.add_argument("--as-is", metavar="NAME", help="the map (by name) to hold against the measured demand "
                     "(default: the first whose design is as-is or standard-work, else the first)")
    reading_args(cmp)
    cmp.set_defaults(func=cmd_compare)

    study = sub.add_parser("study", help="studies in the store: list, export to a zip, import a zip, share links, "
                           "members, map versions")
    study_sub = study.add_subparsers(dest="study_command", required=True)
    listing = study_sub.add_parser("list", help="the studies in the database, by name")
    listing.add_argument("--all", action="store_true", help="archived studies too")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(func=cmd_study_list)
    def on_study(name: str, help: str, func: Callable[[argparse.Namespace], int], *,
                 formats: bool = False) -> argparse.ArgumentParser:
        """A `workbench study NAME STUDY ...` command: every one of them names its study the same way."""
        command = study_sub.add_parser(name, help=help)
        command.add_argument("study", metavar="STUDY", help="the study's id or name")
        if formats:
            command.add_argument("--format", choices=("text", "json"), default="text")
        command.set_defaults(func=func)
        return command

    exp = on_study("export", "write a whole study to one zip file", cmd_study_export)
    exp.add_argument("-o", "--out", required=True, metavar="FILE.zip", help="the zip file to write")
    imp = study_sub.add_parser("import", help="recreate a study from a zip written by 'study export'")
    imp.add_argument("path", metavar="FILE.zip")
    imp.add_argument("--name", help="the imported study's name (default: its own, or '<name> (imported)')")
    imp.set_defaults(func=cmd_study_import)
    share = on_study("share", "make a read-only link to a study's dashboard (printed once)", cmd_study_share,
                     formats=True)
    share.add_argument("--expires-days", type=int, metavar="N", help="the link stops opening after N days "
                       "(default: until withdrawn)")
    share.add_argument("--label", help="what the link is for, e.g. 'for the operations director'")
    share.add_argument("--by", metavar="NAME", help="who is making it (listed with the link)")
    share.add_argument("--url", default=APP_ADDRESS, metavar="ADDRESS",
                       help=f"the app's address as people open it (default {APP_ADDRESS})")
    rep = on_study("report", "write the study report people keep: one self-contained HTML file, or a PDF of it",
                   cmd_study_report)
    rep.add_argument("-o", "--out", required=True, metavar="FILE.html|FILE.pdf",
                     help="the file to write; a name ending in .pdf prints the report with Chromium")
    rep.add_argument("--quotes", type=int, default=0, metavar="N",
                     help="include N (0-20) examples of the customers' own words (default 0: none)")
    # who may work on a study once sign-in is configured (docs/access.md, "Roles")
    on_study("members", "who may work on a study when sign-in is configured", cmd_study_members, formats=True)
    add = on_study("add-member", "give a person (by the email they sign in with) a role in a study, or change it",
                   cmd_study_add_member)
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--role", choices=("owner", "editor", "viewer"), default="viewer",
                     help="owner: everything; editor: demand, corrections, catalogue, maps, comparisons; "
                          "viewer: the dashboard and reports (default)")
    on_study("remove-member", "take a person's access to a study away", cmd_study_remove_member).add_argument(
        "email", metavar="EMAIL")
    on_study("links", "a study's share links: who made them, when, and whether they open", cmd_study_links,
             formats=True)
    revoke = on_study("revoke-link", "withdraw a share link at once", cmd_study_revoke_link)
    revoke.add_argument("link_id", metavar="LINK_ID", type=int, help="the link's id (see 'workbench study links')")
    revoke.add_argument("--by", metavar="NAME", help="who is withdrawing it (listed with the link)")
    versions = on_study("versions", "the saved versions of a map in a study: when, by whom, their names, what "
                        "changed", cmd_study_versions, formats=True)
    versions.add_argument("map", metavar="MAP", help="the map's name in the study")
    name_version = on_study("name-version", "give a version of a map a name ('agreed in workshop 2'); later edits "
                            "then make a new version", cmd_study_name_version)
    name_version.add_argument("map", metavar="MAP", help="the map's name in the study")
    name_version.add_argument("version", metavar="VERSION", type=int)
    name_version.add_argument("label", metavar="NAME", nargs="?", help="the version's name")
    name_version.add_argument("--clear", action="store_true", help="take the version's name away")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (DemandFileError, CatalogueError, UsageError, MapFileError, FlowError, WorkerError) as exc:
        print(f"workbench: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
