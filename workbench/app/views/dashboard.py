"""Managers' dashboard: a study's demand picture and its latest comparison, read-only, from what is stored.

Opened by a share link (`/?share=<token>`, workbench/app/share.py) or as `/?view=dashboard&study=<id>` it is
shown alone: no navigation, no editing. In the app, the study's owners make share links here. It never runs a
simulation: the comparison is the snapshot saved when the team ran it. Its figures and sentences come from
workbench/report/figures.py, which the study report (offered here for download, in every view) uses too.
"""

from __future__ import annotations

import streamlit as st

from workbench import charts
from workbench.app import chart, share, state, study, study_report, tiles
from workbench.app.text import literal, literal_frame
from workbench.demand import analysis
from workbench.demand.corrections import Correction
from workbench.report import figures
from workbench.sim.compare import side_by_side
from workbench.sim.snapshot import SnapshotError
from workbench.store import studies

assumption_lines = figures.assumption_lines  # where it was first written; the report says it the same way


@st.cache_resource(show_spinner=False, max_entries=4)
def _picture(key: tuple[object, ...], _src: state.Source, _corrections: tuple[Correction, ...]) -> state.DemandView:
    """The study's demand view, kept for the whole server by what it is made of: the file as read (`Source.key`)
    and its corrections, which only ever grow (a new one, an undo too, is a new row), so their number and the
    latest's id and time stand for all of them. Not keyed by the corrections themselves, which a cache hashes
    at every open (1,000 corrections: half a second on this machine). Read-only here."""
    return state.view(_src, list(_corrections))


def _demand(found: studies.Study) -> None:
    src = state.active_source()
    if src is None:
        st.info("This study has no demand data yet.")
        return
    st.subheader("Demand")
    try:
        log = state.correction_log(src)
        key = (study.database_key(), found.id, found.created_at, src.source_id, src.key(), len(log),
               (log[-1].id, log[-1].created_at) if log else None)
        view = _picture(key, src, tuple(r.as_correction() for r in log))
    except ValueError as exc:  # a stored file that no longer reads (DemandFileError, a limit, a catalogue)
        st.warning(f"The study's demand file {literal(src.name)} cannot be read now, so its picture is not shown: "
                   f"{literal(exc)}", icon=":material/error:")
        return
    st.caption(literal(figures.demand_caption(src.name, view.headline)))
    _tiles(figures.demand_tiles(view.headline))
    left, right = st.columns(2)
    chart.show(left, charts.nature_bar, view.shares)
    chart.show(right, charts.touchpoint_chart, view.touchpoints)
    chart.show(st, charts.pareto_chart, view.types)
    if not analysis.has_dates(view.frame):
        st.info(analysis.NO_DATES, icon=":material/event_busy:")
        return
    share = analysis.behaviour(view.weekly, "failure_share")
    chart.show(st, charts.xmr_chart, share, "Failure demand share per week", "Failure share", percent=True)
    _end_to_end(view)


def _tiles(shown: list[figures.Tile]) -> None:
    """The report's figures, as many to a row as can be read at 1280x720 (the same words as the report)."""
    tiles.show([tiles.Tile(t.label, t.value, t.help or None) for t in shown])


def _end_to_end(view: state.DemandView) -> None:
    """The customer's clock measured from the demand: a few figures and the weekly capability chart."""
    e2e = view.end_to_end
    st.markdown(f"**End to end**: {figures.E2E_INTRO}")
    if not e2e.available:
        st.info(e2e.reason or "", icon=":material/event_busy:")
        return
    _tiles(figures.e2e_tiles(e2e))
    table, too_few = figures.e2e_capability(e2e)
    if table is None:
        st.info(literal(too_few), icon=":material/hourglass_empty:")
    else:
        chart.show(st, charts.xmr_chart, table, figures.CAPABILITY_TITLE,
                   "Average days", period_label="Week of arrival", number_format=",.1f",
                   notes=[e2e.window.words()])
    st.caption(figures.e2e_caption(e2e))


def _comparison(found: studies.Study) -> None:
    st.subheader("Designs compared")
    run = study.call(studies.latest_comparison_run, found.id)
    try:  # stored by an older Workbench or a bug: said in a sentence, and the rest of the page is shown
        cmp = figures.read_comparison(run.summary, run.settings, run.author, run.created_at) if run else None
    except SnapshotError as exc:
        st.warning(f"The latest comparison stored in this study cannot be shown ({literal(exc)}). Run the "
                   f"comparison again on the Compare page to replace it.", icon=":material/error:")
        return
    if cmp is None:
        st.info("No comparison of designs has been run in this study yet.")
        return
    snap = cmp.snap
    st.caption(literal(cmp.caption()))
    if cmp.low_coverage:  # run anyway, on demand these maps do not fully know
        st.warning("**Low coverage:** " + literal(cmp.low_coverage_words()), icon=":material/rule:")
    if snap.headline:
        st.success(literal(snap.headline), icon=":material/campaign:")
    st.markdown("**What this comparison assumes**")
    st.markdown("\n".join(f"- {literal(line)}" for line in cmp.assumption_lines()))
    names = cmp.names
    st.table(literal_frame(side_by_side(snap.table(), names, cmp.replications, snap.assumptions(),
                                        snap.intervals_cover)),
             hide_index=True, border="horizontal")
    distribution = snap.e2e_distribution()
    if len(distribution):
        chart.show(st, charts.e2e_ecdf_chart, distribution, names)
    st.markdown(f"**Capability charts**: {figures.CAPABILITY_CHARTS}")
    cols = st.columns(max(len(names), 1))
    for col, name in zip(cols, names, strict=False):
        capability = snap.capability(name)
        window = snap.capability_window(name)  # None in a snapshot stored before charts said which days
        if capability.empty:
            if window is not None:  # said in words, never an empty chart
                col.info(literal(figures.no_capability_words(name, window)), icon=":material/hourglass_empty:")
            continue
        words = window.words() if window is not None else None
        chart.show(col, charts.xmr_chart, capability, f"Capability: {name}", "End-to-end days",  # Vega: text
                   period_label="Day arrived" if window else "Day", notes=[words])
        col.caption(literal(figures.capability_caption(capability, words)))


def render() -> None:
    alone = st.query_params.get("view") == "dashboard" or study.actor().kind == "link"
    found = study.current(fallback=not alone)
    if found is None:
        st.title("Dashboard")
        st.info("There is no such study: the link may be old, or the study was deleted.")
        return
    st.title(literal(found.name))
    if found.description:
        st.caption(literal(found.description))
    with study.part_errors("the study report"):
        study_report.buttons(found, team=not alone)
    if not alone:
        share.panel(found)
    with study.part_errors("the demand picture"):
        _demand(found)
    with study.part_errors("the latest comparison"):
        _comparison(found)
    st.caption(f"Last changed {found.updated_at:%d %b %Y at %H:%M} UTC. Read-only: changes are made by the team "
               "in Workbench.")


render()
