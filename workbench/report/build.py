"""A study report built from what the study stores: `gather` reads the store (as the session's actor), `build`
turns what was read into a `Report` (workbench.report.model) with the Dashboard's figures and charts.

The demand is read and corrected with the same core calls the app's pages make (`clean_as` or an event log
rolled up to cases, `apply_corrections`, `workbench.demand.analysis`, `end_to_end.measure` then `relabel`), and
the figures and sentences come from `workbench.report.figures`, which the Dashboard page calls too.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

import workbench
from workbench import charts, schema, spc
from workbench.demand import analysis, end_to_end
from workbench.demand.catalogue import Catalogue, parse_catalogue
from workbench.demand.corrections import apply_corrections
from workbench.demand.load import LoadedDemand, clean_as, read_table
from workbench.eventlog import read_log
from workbench.eventlog.cases import cases_as_demand
from workbench.flow.model import MapFileError, parse_map, working_time_words
from workbench.report import figures
from workbench.report.figures import Tile
from workbench.report.model import Bullets, Figure, Report, Section, Table, Text, Tiles
from workbench.report.svg import chart_svg
from workbench.sim.compare import side_by_side
from workbench.sim.snapshot import SnapshotError
from workbench.store import studies

MAX_QUOTES = 20
MAX_CORRECTIONS_LISTED = 500  # a report people keep, not the whole log: the Demand page downloads every one
TOP_TYPES = 10


@dataclass
class StudyData:
    """Everything a report is made of, read from the store in one session."""

    study: studies.Study
    source: studies.DemandSource | None = None  # with its bytes
    catalogue_text: str | None = None
    catalogue_name: str | None = None
    corrections: list[studies.CorrectionRecord] = field(default_factory=list)
    run: studies.ComparisonRun | None = None
    maps: list[studies.MapVersion] = field(default_factory=list)  # each map's latest version
    used_maps: list[studies.MapVersion] = field(default_factory=list)  # the versions the comparison ran


def gather(session: Session, study_id: int) -> StudyData:
    """Read the study for its report (every call checks the session's actor may view the study)."""
    found = studies.get_study(session, study_id)
    data = StudyData(found)
    data.source = studies.current_demand_source(session, study_id)
    if data.source is not None:
        saved = studies.get_catalogue(session, study_id)  # the team's catalogue reads every file, as in the app
        data.catalogue_text = saved.yaml_text if saved else data.source.reading.catalogue_text
        data.catalogue_name = (f"the study's catalogue, version {saved.version}" if saved
                               else "catalogue.yaml" if data.catalogue_text else None)
        data.corrections = studies.correction_log(session, study_id, data.source.id)
    data.run = studies.latest_comparison_run(session, study_id)
    data.maps = studies.list_maps(session, study_id)
    versions = (data.run.settings or {}).get("map_versions") if data.run else None
    if isinstance(versions, dict):
        for name, version in versions.items():
            try:
                data.used_maps.append(studies.get_map_version(session, study_id, str(name), int(version)))
            except (studies.NotFoundError, TypeError, ValueError):
                continue  # deleted since, or an odd record: the assumptions say the version anyway
    return data


# ------------------------------------------------------------------------------------------ the demand


@dataclass
class Demand:
    loaded: LoadedDemand
    frame: pd.DataFrame  # corrected
    headline: analysis.Headline
    e2e: end_to_end.EndToEnd


def _catalogue(data: StudyData) -> Catalogue | None:
    return parse_catalogue(data.catalogue_text, data.catalogue_name or "catalogue") if data.catalogue_text else None


def read_demand(data: StudyData) -> Demand:
    """The study's demand as the app reads it: the stored file, its way of reading, the study's catalogue and
    every correction in order. Raises ValueError (DemandFileError, a limit, a catalogue) when it no longer reads."""
    src = data.source
    assert src is not None
    options = dataclasses.replace(src.reading, date_order=src.reading.order, catalogue_text=data.catalogue_text)
    catalogue = _catalogue(data)
    if options.event_log:
        log = read_log(src.data, src.name, dataclasses.replace(options, mapping_pairs=()))
        loaded = cases_as_demand(log, src.name, options, catalogue)
    else:
        raw = read_table(src.data, src.name, sheet=options.sheet, header_row=options.header_row)
        loaded = clean_as(raw, options, catalogue)
    corrections = [r.as_correction() for r in data.corrections]
    frame = apply_corrections(loaded.frame, corrections, catalogue) if corrections else loaded.frame
    clock = end_to_end.measure(loaded.frame)
    return Demand(loaded, frame, analysis.headline(frame), end_to_end.relabel(clock, frame) if corrections else clock)


# ------------------------------------------------------------------------------------------ words


def _when(at: datetime) -> str:
    return f"{at:%d %b %Y at %H:%M} UTC"


def _share(x: float | None) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{x:.0%}"


def _nature_words(nature: object) -> str:
    return str(charts.NATURE_LABELS.get(str(nature), "Not yet classified"))


def _figure(title: str, chart: Any, caption: str = "") -> Figure:
    return Figure(title, chart_svg(chart), caption)


# ------------------------------------------------------------------------------------------ sections


def _demand_sections(data: StudyData, demand: Demand, quotes: int) -> list[Section]:
    src = data.source
    assert src is not None
    frame, h = demand.frame, demand.headline
    out = Section("Demand", key="demand")
    out.add(Text(figures.demand_caption(src.name, h), "note"))  # its figures open the report (the headline)
    out.add(Text("Value demand is what the service exists to provide; failure demand is caused by a failure to do "
                 "something, or do something right, for the customer. The failure share is of the demand the team "
                 "has classified."))
    out.add(_figure("Value and failure demand", charts.nature_bar(analysis.nature_shares(frame))),
            _figure("Where demand arrives", charts.touchpoint_chart(analysis.by_touchpoint(frame))))
    types = analysis.pareto(frame)
    out.add(_figure("What customers contact us about (most common first)", charts.pareto_chart(types)))
    top = types.head(TOP_TYPES)
    out.add(Table(["Demand type", "Value or failure", "Demands", "Share of all demand"],
                  [[str(r[schema.DEMAND_TYPE]), _nature_words(r[schema.NATURE]), f"{int(r['count']):,}",
                    _share(float(r["share"]))] for _, r in top.iterrows()],
                  f"The {len(top)} most common of {len(types)} demand types."))
    causes = analysis.failure_causes(frame)
    if len(causes):
        out.add(Text("Why failure demand happens", "subheading"),
                _figure("Causes of failure demand", charts.causes_chart(causes)),
                Table(["Cause", "Failure demands", "Share of failure demand"],
                      [[str(r[schema.FAILURE_CAUSE]), f"{int(r['count']):,}", _share(float(r["share"]))]
                       for _, r in causes.iterrows()]))
    else:
        out.add(Text("No failure demand is classified yet, so there are no causes to show.", "missing"))
    if analysis.has_dates(frame):
        out.add(Text("Failure demand week by week", "subheading"), *_weekly(frame))
    else:
        out.add(Text(analysis.NO_DATES, "missing"))
    if quotes > 0:
        out.add(*_quotes(frame, min(quotes, MAX_QUOTES)))
    return [out, _e2e_section(demand.e2e)]


def _weekly(frame: pd.DataFrame) -> list[Text | Figure | Bullets]:
    weekly = analysis.over_time(frame, "W")
    share = analysis.behaviour(weekly, "failure_share")
    blocks: list[Text | Figure | Bullets] = [
        _figure("Failure demand share per week",
                charts.xmr_chart(share, "Failure demand share per week", "Failure share", percent=True)),
        Text("A process behaviour chart: points inside the dashed limits are the service's normal variation, "
             "which it will keep producing unless the system changes; red points are signals that something "
             "changed, and only those deserve a story.")]
    if share.empty:
        return blocks
    centre = float(share[spc.CENTRE].iloc[-1])
    low, high = float(share[spc.LOWER].iloc[-1]), float(share[spc.UPPER].iloc[-1])
    blocks.append(Text(f"Over {len(share)} weeks failure demand averaged {_share(centre)} of classified demand; "
                       f"a week's share is predictably between {_share(low)} and {_share(high)}."))
    note = spc.provisional_note(share)
    if note:
        blocks.append(Text(note, "note"))
    said = figures.signal_sentences(share)
    if said:
        blocks.append(Bullets(said, "Signals (week starting, and what the point shows):"))
    else:
        blocks.append(Text("No signals: every week is within what this service predictably produces."))
    return blocks


def _quotes(frame: pd.DataFrame, n: int) -> list[Text | Bullets]:
    """Up to `n` of the customers' own words, the team's choice of how many (default none): one from each of the
    most common types in turn, first rows first, so the same study always gives the same quotes."""
    words = frame.get(schema.CUSTOMER_WORDS)
    if words is None:
        return [Text("The demand has no customers' words to quote.", "missing")]
    said = words.astype("object").where(words.notna(), "").astype(str).str.strip()
    rows = frame.assign(_words=said)[said != ""]
    if rows.empty:
        return [Text("The demand has no customers' words to quote.", "missing")]
    order = analysis.pareto(frame)[schema.DEMAND_TYPE].tolist()
    groups = {t: g for t, g in rows.groupby(rows[schema.DEMAND_TYPE].astype("object").fillna(analysis.NO_TYPE),
                                            sort=False)}
    picked: list[str] = []
    depth = 0
    while len(picked) < n and any(depth < len(g) for g in groups.values()):
        for t in order:
            g = groups.get(t)
            if g is not None and depth < len(g) and len(picked) < n:
                r = g.iloc[depth]
                picked.append(f"“{r['_words']}” ({t}, {_nature_words(r[schema.NATURE]).lower()})")
        depth += 1
    return [Bullets(picked, f"In the customers' words ({len(picked)} example{'s' if len(picked) != 1 else ''} "
                            "chosen by the team's setting):")]


def _e2e_section(e2e: end_to_end.EndToEnd) -> Section:
    out = Section("End to end, measured from the data", key="end-to-end")
    out.add(Text(f"End to end: {figures.E2E_INTRO}"))
    if not e2e.available:
        out.add(Text(e2e.reason or "End-to-end time cannot be measured from this demand.", "missing"))
        return out
    out.add(Tiles(figures.e2e_tiles(e2e)))
    table, too_few = figures.e2e_capability(e2e)
    if table is None:
        out.add(Text(too_few or "", "missing"))
    else:
        out.add(_figure(figures.CAPABILITY_TITLE, charts.xmr_chart(
            table, figures.CAPABILITY_TITLE, "Average days", period_label="Week of arrival", number_format=",.1f",
            notes=[e2e.window.words()])))
    out.add(Text(figures.e2e_caption(e2e), "note"))
    return out


def _comparison_sections(data: StudyData) -> tuple[list[Section], str | None, list[str]]:
    """The designs compared and what they assume; the comparison's headline; what is missing."""
    compared = Section("The designs compared", key="designs")
    assumes = Section("What each design assumes", key="assumptions")
    run = data.run
    try:
        cmp = figures.read_comparison(run.summary, run.settings, run.author, run.created_at) if run else None
    except SnapshotError as exc:
        said = (f"The latest comparison stored in this study cannot be shown ({exc}). Run the comparison again on "
                "the Compare page to replace it.")
        compared.add(Text(said, "warning"))
        assumes.add(Text("Not known: the stored comparison cannot be read.", "missing"))
        return [compared, assumes], None, ["a comparison that can be read (run it again)"]
    if cmp is None:
        compared.add(Text("The designs have not been compared yet: run a comparison on the Compare page, and "
                          "this part of the report shows it.", "missing"))
        assumes.add(Text("No comparison yet, so there are no assumptions to show.", "missing"))
        _maps_table(assumes, data)
        return [compared, assumes], None, ["a comparison of designs"]
    snap = cmp.snap
    compared.add(Text(cmp.caption(), "note"))
    if cmp.low_coverage:
        compared.add(Text("Low coverage: " + cmp.low_coverage_words(), "warning"))
    if snap.headline:
        compared.add(Text(snap.headline, "headline"))
    table = side_by_side(snap.table(), cmp.names, cmp.replications, snap.assumptions(), snap.intervals_cover)
    compared.add(Table([str(c) for c in table.columns],
                       [["" if v is None else str(v) for v in row] for row in table.itertuples(index=False)],
                       "Each design's figure, with its 95% interval when the comparison ran replications, and its "
                       "difference from the first."))
    distribution = snap.e2e_distribution()
    if len(distribution):
        compared.add(_figure("End-to-end days, every design", charts.e2e_ecdf_chart(distribution, cmp.names)))
    compared.add(Text(f"Capability charts: {figures.CAPABILITY_CHARTS}", "subheading"))
    for name in cmp.names:
        capability = snap.capability(name)
        window = snap.capability_window(name)
        if capability.empty:
            if window is not None:
                compared.add(Text(figures.no_capability_words(name, window), "missing"))
            continue
        words = window.words() if window is not None else None
        compared.add(_figure(f"Capability: {name}", charts.xmr_chart(
            capability, f"Capability: {name}", "End-to-end days", period_label="Day arrived" if window else "Day",
            notes=[words]), figures.capability_caption(capability, words)))
    assumes.add(Bullets(cmp.assumption_lines()))
    _working_time(assumes, data)
    _maps_table(assumes, data)
    return [compared, assumes], snap.headline or None, []


def _working_time(out: Section, data: StudyData) -> None:
    """Each compared map's roles and when they work (staff, hours or roster), from the versions the comparison
    ran."""
    rows: list[list[str]] = []
    for mv in data.used_maps:
        try:
            m = parse_map(mv.yaml_text, mv.name)
        except MapFileError:
            continue
        rows.extend([f"{mv.name} (version {mv.version})", r.name or r.id, working_time_words(r)] for r in m.roles)
    if rows:
        out.add(Table(["Map", "Role", "When they work (as in the map)"], rows,
                      "Staffing and rosters as written in the maps the comparison ran; the comparison's own staffing, "
                      "when changed on the Compare page, is in the list above."))


def _maps_table(out: Section, data: StudyData) -> None:
    if not data.maps:
        out.add(Text("The study has no process maps yet.", "missing"))
        return
    out.add(Table(["Map", "Latest version", "Saved by", "When"],
                  [[m.name, str(m.version), m.author or "–", _when(m.created_at)] for m in data.maps],
                  "The study's process maps as they are now."))


def _data_section(data: StudyData, demand: Demand | None, problem: str | None) -> Section:
    out = Section("The data used", key="data")
    src = data.source
    if src is None:
        out.add(Text("This study has no demand data yet: load a file on the Demand page.", "missing"))
        return out
    out.add(Text(f"Demand file: {src.name}, stored {_when(src.created_at)}"
                 + (f" by {src.created_by}" if src.created_by else "") + "."))
    if data.catalogue_name:
        out.add(Text(f"Demand types classified with {data.catalogue_name}."))
    if problem is not None:
        out.add(Text(problem, "warning"))
    if demand is not None:
        report = demand.loaded.report
        out.add(Tiles([Tile("Rows read", f"{report.rows_read:,}"), Tile("Rows used", f"{report.rows_used:,}"),
                       Tile("Rows set aside", f"{len(report.set_aside):,}"),
                       Tile("Corrections", f"{len(data.corrections):,}")]))
        out.add(Bullets(report.summary_lines(), "How the file was read:"))
    log = data.corrections
    if not log:
        out.add(Text("No corrections: the demand is as the file classified it."))
        return out
    shown = log[:MAX_CORRECTIONS_LISTED]
    caption = (f"The team's {len(log):,} corrections, oldest first" if len(shown) == len(log) else
               f"The first {len(shown):,} of the team's {len(log):,} corrections, oldest first (the Demand page "
               f"downloads every one)")
    out.add(Table(["Row", "Field", "Was", "Now", "Who", "When", "How"],
                  [[f"{r.row:,}", schema.FIELD_LABELS.get(r.field, r.field), r.before or "–", r.after,
                    r.author or "–", _when(r.created_at), r.note or ""] for r in shown], caption + "."))
    return out


def _headline_section(data: StudyData, demand: Demand | None, comparison: str | None, missing: list[str]
                      ) -> Section:
    out = Section("The headline", key="headline")
    if demand is not None:
        h = demand.headline
        if h.failure_share is not None:
            out.add(Text(f"{_share(h.failure_share)} of the demand the team has classified is failure demand: "
                         f"demand caused by a failure to do something, or do something right, for the customer.",
                         "headline"))
        else:
            out.add(Text("None of the demand is classified as value or failure yet, so the failure share is not "
                         "known.", "missing"))
        out.add(Tiles(figures.demand_tiles(h)))
    if comparison:
        out.add(Text(comparison, "headline"))
    if missing:
        out.add(Text("Not in this report yet: " + "; ".join(missing) + ".", "missing"))
    return out


def build(data: StudyData, *, quotes: int = 0, now: datetime | None = None) -> Report:
    """The report of the study in `data`. `quotes` (0-20) is how many of the customers' words to include."""
    quotes = max(0, min(int(quotes), MAX_QUOTES))
    missing: list[str] = []
    demand: Demand | None = None
    problem: str | None = None
    sections: list[Section] = []
    if data.source is None:
        missing.append("demand data")
        empty = Section("Demand", key="demand").add(Text(
            "This study has no demand data yet, so there is no demand picture and no end-to-end time: load a file "
            "on the Demand page.", "missing"))
        sections.append(empty)
    else:
        try:
            demand = read_demand(data)
        except ValueError as exc:  # a stored file that no longer reads (DemandFileError, a limit, a catalogue)
            problem = f"The study's demand file {data.source.name} cannot be read now, so its picture is not shown: {exc}"
            missing.append("a demand picture (the file cannot be read now)")
            sections.append(Section("Demand", key="demand").add(Text(problem, "warning")))
        else:
            sections.extend(_demand_sections(data, demand, quotes))
    compared, headline, not_compared = _comparison_sections(data)
    missing.extend(not_compared)
    sections.extend(compared)
    sections.append(_data_section(data, demand, problem))
    study = data.study
    sections.insert(0, _headline_section(data, demand, headline, missing))
    return Report(study.name, study.description, sections, now or datetime.now(UTC), workbench.__version__, missing)
