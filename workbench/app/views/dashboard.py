"""Managers' dashboard: a study's demand picture and its latest comparison, read-only, from what is stored.

Opened by a share link (`/?share=<token>`, workbench/app/share.py) or as `/?view=dashboard&study=<id>` it is
shown alone: no navigation, no editing. In the app, the study's owners make share links here. It never runs a
simulation: the comparison is the snapshot saved when the team ran it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from workbench import charts, spc
from workbench.app import chart, share, state, study, tiles
from workbench.app.text import literal, literal_frame
from workbench.demand import analysis, end_to_end
from workbench.demand.corrections import Correction
from workbench.sim.compare import side_by_side
from workbench.sim.snapshot import Snapshot, SnapshotError, check_snapshot
from workbench.store import studies


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


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
    h = view.headline
    when = f"from {h.first} to {h.last}" if h.first else "(read without dates)"
    st.caption(f"{literal(src.name)}: {h.total:,} demands {when}, with the team's corrections.")
    tiles.show([tiles.Tile("Demands", tiles.count(h.total)),
                tiles.Tile("Failure demand share", tiles.percent(h.failure_share),
                           "Failure demand as a share of classified demand (value + failure)"),
                tiles.Tile("Not yet classified", tiles.count(h.unclassified)),
                tiles.Tile("Resolved at first contact", tiles.percent(h.one_stop_share))])
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


def _days(x: float | None) -> str:
    return "–" if x is None else f"{x:,.1f} days"


def _end_to_end(view: state.DemandView) -> None:
    """The customer's clock measured from the demand: a few figures and the weekly capability chart."""
    e2e = view.end_to_end
    st.markdown("**End to end**: days from a customer's first contact to the need being met.")
    if not e2e.available:
        st.info(e2e.reason or "", icon=":material/event_busy:")
        return
    tiles.show([tiles.Tile("Half of needs met within", tiles.days(e2e.median_days)),
                tiles.Tile("85 in 100 met within", tiles.days(e2e.p85_days)),
                tiles.Tile("Needs still open", tiles.count(e2e.open)),
                tiles.Tile("Repeat contacts", tiles.count(e2e.repeats.repeats) if e2e.repeats.available else "–",
                           "Later contacts about a need already raised (contacts sharing a case id)")])
    too_few = spc.too_few_points(e2e.window, len(e2e.weekly), "week")
    if too_few:
        st.info(literal(too_few), icon=":material/hourglass_empty:")
    else:
        table = end_to_end.capability(e2e.weekly)
        chart.show(st, charts.xmr_chart, table, "Capability: average days to meet a need, by the week it arrived",
                   "Average days", period_label="Week of arrival", number_format=",.1f",
                   notes=[e2e.window.words()])
    waiting = (f" (not in the figures; the oldest has waited {_days(e2e.open_oldest_days)} so far)" if e2e.open
               else "")
    st.caption(f"{e2e.needs:,} needs: {e2e.met:,} met, {e2e.open:,} still open{waiting}.")


def _comparison(found: studies.Study) -> None:
    st.subheader("Designs compared")
    run = study.call(studies.latest_comparison_run, found.id)
    if run is None or "table" not in run.summary:
        st.info("No comparison of designs has been run in this study yet.")
        return
    try:  # stored by an older Workbench or a bug: said in a sentence, and the rest of the page is shown
        check_snapshot(run.summary)
        settings = run.settings if isinstance(run.settings, dict) else {}
        versions = settings.get("map_versions") or {}
        if not isinstance(versions, dict):
            raise SnapshotError("settings.map_versions should be an object")
    except SnapshotError as exc:
        st.warning(f"The latest comparison stored in this study cannot be shown ({literal(exc)}). Run the "
                   f"comparison again on the Compare page to replace it.", icon=":material/error:")
        return
    snap = Snapshot(run.summary)
    who = f" by {literal(run.author)}" if run.author else ""
    maps = ", ".join(f"{literal(n)} (version {literal(v)})" for n, v in versions.items()) if versions else \
        ", ".join(literal(n) for n in snap.designs)
    demand = f" on {literal(settings['demand'])}" if settings.get("demand") else ""
    st.caption(f"Latest comparison, run{who} on {run.created_at:%d %b %Y at %H:%M} UTC: {maps}{demand}, "
               f"{snap.data.get('weeks', 0):g} weeks, {snap.data.get('replications', 1)} replication(s).")
    low = settings.get("low_coverage")
    if isinstance(low, list) and low:  # run anyway, on demand these maps do not fully know
        st.warning("**Low coverage:** run on demand that " + literal(", ".join(str(n) for n in low)) + " do not "
                   "fully know (most of its types are not in their routes or catalogue): the figures are the "
                   "maps' guess, not this service's.", icon=":material/rule:")
    if snap.headline:
        st.success(literal(snap.headline), icon=":material/campaign:")
    _assumptions(settings, snap, versions)
    names = snap.designs
    st.table(literal_frame(side_by_side(snap.table(), names, int(snap.data.get("replications") or 1),
                                        snap.assumptions(), snap.intervals_cover)),
             hide_index=True, border="horizontal")
    distribution = snap.e2e_distribution()
    if len(distribution):
        chart.show(st, charts.e2e_ecdf_chart, distribution, names)
    st.markdown("**Capability charts**: end-to-end days of the demands, day by day (each chart says which days). "
                "Points inside the limits are what the design will predictably deliver.")
    cols = st.columns(max(len(names), 1))
    for col, name in zip(cols, names, strict=False):
        capability = snap.capability(name)
        window = snap.capability_window(name)  # None in a snapshot stored before charts said which days
        if capability.empty:
            if window is not None:  # said in words, never an empty chart
                col.info(f"{literal(name)}: " + literal(spc.too_few_points(window, 0) or window.words()),
                         icon=":material/hourglass_empty:")
            continue
        words = window.words() if window is not None else None
        chart.show(col, charts.xmr_chart, capability, f"Capability: {name}", "End-to-end days",  # Vega: text
                   period_label="Day arrived" if window else "Day", notes=[words])
        col.caption(f"Average {capability[spc.CENTRE].iloc[-1]:.1f} days; a day's average is predictably "
                    f"between {capability[spc.LOWER].iloc[-1]:.1f} and {capability[spc.UPPER].iloc[-1]:.1f}."
                    + (" " + literal(words) if words else "")
                    + (" " + (spc.provisional_note(capability) or "")).rstrip())


def _number(x: object) -> str:
    return f"{x:g}" if isinstance(x, int | float) and not isinstance(x, bool) else "–"


def assumption_lines(settings: dict[str, Any], snap: Snapshot, versions: dict[str, Any]) -> list[str]:
    """What the stored comparison assumed, one line each: the demand (weeks, volume, replications, what the
    intervals cover), staffing per role by the role's name, the maps' versions, the failure demand assumed
    prevented. A snapshot stored before Workbench kept some of these says what it does not know."""
    weeks, volume = settings.get("weeks"), settings.get("volume", 1.0)
    reps = snap.data.get("replications") or 1
    if weeks is None:
        demand = f"the sample's own {_number(snap.data.get('weeks'))} weeks, day by day"
    else:
        demand = f"{_number(weeks)} weeks resampled from the sample by weekday"
    demand += f", at {_number(volume)} × the sample's volume" if volume not in (None, 1, 1.0) else \
        ", at the sample's own volume"
    cover = snap.intervals_cover
    lines = [f"Demand: {demand}; {reps} replication(s)"
             + (f", the 95% intervals cover {cover}" if cover and int(reps) > 1 else "") + "."]
    staffing = settings.get("staffing") if isinstance(settings.get("staffing"), dict) else {}
    variants = {d.get("name") for d in snap.data.get("designs") or [] if d.get("variant_of")}
    for name in snap.designs:
        roles = snap.roles(name)
        if roles and name not in variants:  # a run without the assumption has its design's staffing
            lines.append(f"Staffing of {name}: " + ", ".join(
                f"{r.get('name') or r.get('id')} {_number(r.get('staff'))}" for r in roles) + ".")
    if not any(snap.roles(n) for n in snap.designs) and staffing:
        changed = "; ".join(f"{src}: " + ", ".join(f"{rid} {_number(v)}" for rid, v in roles.items())
                            for src, roles in staffing.items() if isinstance(roles, dict))
        lines.append(f"Staffing changed on the Compare page (by role id; this comparison was stored before "
                     f"Workbench kept role names): {changed}; other roles as in their maps.")
    elif not any(snap.roles(n) for n in snap.designs):
        lines.append("Staffing: as in the maps.")
    if versions:
        lines.append("Maps: " + ", ".join(f"{n} (version {v})" for n, v in versions.items()) + ".")
    assumed = snap.assumed()
    if assumed:
        lines.append("Failure demand assumed prevented: " + "; ".join(assumed) + ". The table shows each such "
                     "design also without the assumption.")
    elif "prevented" in settings:
        lines.append("Failure demand assumed prevented: none (every design runs the whole sample).")
    else:
        lines.append("Failure demand assumed prevented: not recorded (stored before Workbench asked); none "
                     "was left out.")
    return lines


def _assumptions(settings: dict[str, Any], snap: Snapshot, versions: dict[str, Any]) -> None:
    st.markdown("**What this comparison assumes**")
    st.markdown("\n".join(f"- {literal(line)}" for line in assumption_lines(settings, snap, versions)))


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
    if not alone:
        share.panel(found)
    with study.part_errors("the demand picture"):
        _demand(found)
    with study.part_errors("the latest comparison"):
        _comparison(found)
    st.caption(f"Last changed {found.updated_at:%d %b %Y at %H:%M} UTC. Read-only: changes are made by the team "
               "in Workbench.")


render()
