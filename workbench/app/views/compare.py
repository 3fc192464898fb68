"""Compare page: run the team's demand through two or more designs and show the flow metrics side by side."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from workbench import charts, schema, spc
from workbench.app import chart, flow_state, keys, state, study
from workbench.app.text import literal, literal_frame, literal_list
from workbench.demand import analysis, end_to_end
from workbench.demand.catalogue import Catalogue
from workbench.demand.corrections import Correction
from workbench.flow.coverage import THRESHOLD, coverage
from workbench.flow.expected import demand_mix
from workbench.flow.model import MapFileError, ProcessMap, to_yaml
from workbench.flow.validate import has_errors, validate_map
from workbench.safe_export import to_csv_bytes, to_xlsx_bytes
from workbench.sim import fit, metrics
from workbench.sim.compare import (
    CompareSettings,
    Comparison,
    Prevention,
    data_problem,
    map_catalogue,
    patience_from_data,
    side_by_side,
    step_time_words,
)
from workbench.sim.parallel import WorkerError
from workbench.sim.service_times import patience_estimates, patience_words
from workbench.sim.snapshot import snapshot
from workbench.store import studies

DEFAULT_DESIGNS = ("standard-work", "worker-led")


class _NotRunYet(Exception):
    """No finished comparison is kept for a key (raised, so that Streamlit keeps nothing for it)."""


@st.cache_resource(max_entries=12, show_spinner=False)
def _finished(key: str, _result: Comparison | None = None) -> Comparison:
    """Finished comparisons by `key`, the digest of their inputs (see `_key`): the 12 used last are kept for
    the whole server, so revisiting one, in this session or another, is instant.

    Called with `_result` (a comparison just run), it keeps it; without, it looks one up and raises
    _NotRunYet when none is kept. The run itself happens outside: its progress bar is drawn while it runs,
    whereas what a cached function draws is replayed on every later hit."""
    if _result is None:
        raise _NotRunYet(key)
    return _result


def _lookup(key: str | None) -> Comparison | None:
    if key is None:
        return None
    try:
        return _finished(key)
    except _NotRunYet:
        return None


def _designs() -> dict[str, ProcessMap]:
    """The study's maps by name, as last saved (every edit on the Flow page is saved at once)."""
    options: dict[str, ProcessMap] = {}
    unreadable = []
    for v in study.call(studies.list_maps, study.require().id):
        try:
            options[v.name] = flow_state.parse_stored(v.yaml_text, v.name)
        except (MapFileError, ValueError, RecursionError):  # stored by an older Workbench or a bug
            unreadable.append(v.name)
    if unreadable:
        st.warning("These maps' latest versions cannot be read, so they are not offered here; open them on the "
                   "Flow page to restore a version that reads: " + literal_list(unreadable), icon=":material/error:")
    return options


def _default(designs: dict[str, ProcessMap]) -> list[str]:
    found = (next((n for n, m in designs.items() if m.design == d), None) for d in DEFAULT_DESIGNS)
    picked = [n for n in found if n]
    return picked if len(picked) == 2 else list(designs)[:2]


def _first_day(frame: pd.DataFrame) -> pd.Timestamp:
    return frame["received_at"].min().normalize() if len(frame) else pd.Timestamp("2026-01-05")


def _publish(current: studies.Study, result: Comparison, frame: pd.DataFrame, key: str,
             settings: dict[str, object]) -> None:
    """The managers' dashboard shows a comparison only when a person says so: this one, if it is not the one
    shown already. `settings` is what is stored with it (CompareSettings.to_dict(), what it ran on, its
    "key"); the maps' saved versions are added when it is stored."""
    latest = study.call(studies.latest_comparison_run, current.id)
    if latest is not None and latest.settings.get("key") == key:
        st.caption("This comparison is the one on the managers' dashboard.")
        return
    if not st.button("Show on the dashboard", icon=":material/dashboard:",
                     help="Store this comparison in the study: the dashboard and its link show it from now on"):
        st.caption("Not on the managers' dashboard: it shows " + (
            "no comparison yet." if latest is None else f"the one run on {latest.created_at:%d %b %Y at %H:%M} UTC."))
        return
    versions = {v.name: v.version for v in study.call(studies.list_maps, current.id)}
    designs = settings.get("designs")
    chosen = [str(n) for n in designs] if isinstance(designs, list) else []
    stored = {**settings, "map_versions": {n: versions.get(n) for n in chosen}}
    clean = json.loads(json.dumps(stored, default=str))
    study.call(studies.save_comparison_run, current.id, clean, snapshot(result, _first_day(frame)), study.author())
    st.toast("Saved in the study: the managers' dashboard shows this comparison.", icon=":material/cloud_done:")
    st.rerun()


def _prevention_options(frame: pd.DataFrame) -> dict[str, str]:
    """What a design may be assumed to prevent, from the study's failure demand: its causes, then its types
    (most demand first), as {"cause=…" or "type=…": what the person reads}."""
    if schema.NATURE not in frame:
        return {}
    failure = frame[frame[schema.NATURE] == schema.FAILURE]
    out: dict[str, str] = {}
    for column, kind, word in ((schema.FAILURE_CAUSE, "cause", "cause"), (schema.DEMAND_TYPE, "type", "type")):
        if column not in failure:
            continue
        values = failure[column].astype("object").fillna("").astype(str).str.strip()
        for value, n in values[values != ""].value_counts().items():
            out[f"{kind}={value}"] = f"{value} ({word}, {n:,} demands)"
    return out


def _prevention(option: str, share: float) -> Prevention:
    kind, _, value = option.partition("=")
    return Prevention(share, cause=value) if kind == "cause" else Prevention(share, demand_type=value)


def _prevented(chosen: list[str], designs: dict[str, ProcessMap], frame: pd.DataFrame
               ) -> dict[str, list[Prevention]]:
    """Per design, the failure demand of the sample the team assumes it prevents (default none): the causes or
    types, and how much of each, as a percent."""
    options = _prevention_options(frame)
    out: dict[str, list[Prevention]] = {}
    with st.expander("Failure demand each design prevents (an assumption)",
                     expanded=any(st.session_state.get(f"cmp_prevent_{n}") for n in chosen)):
        st.caption("A redesign's main point is often that failure demand stops arriving. Say which of the study's "
                   "failure demand each design prevents, and how much: those demands are left out of its run (the "
                   "same ones in every replication), and the design is also shown without the assumption.")
        if not options:
            st.info("This demand has no failure demand classified yet, so there is nothing a design could prevent: "
                    "classify it on the Demand page.", icon=":material/info:")
            return out
        for name in chosen:
            key = f"cmp_prevent_{name}"
            if any(o not in options for o in st.session_state.get(key) or []):  # options of another demand file
                st.session_state[key] = [o for o in st.session_state[key] if o in options]
            picked = st.multiselect(f"Failure demand {literal(name)} prevents", list(options), key=key,
                                    format_func=lambda o: literal(options.get(o, o)),
                                    placeholder="None: it runs the whole sample")
            for option in picked:
                what = option.partition("=")[2]
                share = st.number_input(f"% of {literal(what)} that {literal(name)} prevents", min_value=0,
                                        max_value=100, value=80,
                                        step=5, key=f"cmp_prevent_share_{name}_{option}")
                if share > 0:
                    out.setdefault(designs[name].source, []).append(_prevention(option, share / 100))
    return out


def _settings(chosen: list[str], designs: dict[str, ProcessMap], frame: pd.DataFrame) -> CompareSettings:
    c1, c2, c3, c4 = st.columns(4)
    as_sample = c1.toggle("Weeks as in the sample", value=True, key="cmp_as_sample",
                          help="Off: resample the demand to a number of weeks, keeping its weekly rhythm")
    weeks = None if as_sample else int(c1.number_input("Weeks", min_value=1, max_value=104, value=12,
                                                       key="cmp_weeks"))
    volume = c2.number_input("Volume (× the sample)", min_value=0.1, max_value=20.0, value=1.0, step=0.5,
                             key="cmp_volume")
    replications = int(c3.number_input("Replications", min_value=1, max_value=30, value=3, key="cmp_reps",
                                       help="Runs with different random draws; more give narrower intervals"))
    seed = int(c4.number_input("Seed", min_value=0, value=1, key="cmp_seed"))
    vary = c4.toggle("Vary the days that arrive", value=False, key="cmp_vary_arrivals",
                     help="On: each replication is a new draw of the sample's days (by weekday), so the intervals "
                          "cover which days arrive as well as service times. Off: every replication replays the "
                          "sample's own days (with weeks or volume set, days are drawn anyway)")
    staffing: dict[str, dict[str, float]] = {}
    with st.expander("Staffing per role (change it to see what happens)"):
        for name in chosen:
            m = designs[name]
            st.markdown(f"**{literal(m.name)}**")
            cols = st.columns(max(len(m.roles), 1))
            for col, role in zip(cols, m.roles, strict=False):
                value = col.number_input(literal(role.name or role.id), min_value=1.0, value=float(role.staff), step=1.0,
                                         key=f"cmp_staff_{name}_{role.id}",
                                         help="People work whole: 2.5 is run as 3 people (half up), and their "
                                              "utilisation is of those 3")
                if value != role.staff:
                    staffing.setdefault(m.source, {})[role.id] = value
    prevented = _prevented(chosen, designs, frame)
    within = 20
    if any(designs[n].uses_patience() for n in chosen):
        within = int(c3.number_input("Answered within (seconds)", min_value=1, max_value=3600, value=20,
                                     key="cmp_answer_within",
                                     help="The service level: the share of callers answered within this many "
                                          "seconds (those who gave up count as not answered in time)"))
    return CompareSettings(weeks=weeks, volume=float(volume), replications=replications, seed=seed,
                           staffing=staffing, prevented=prevented, vary_arrivals=bool(vary),
                           answer_within_seconds=within)


def _key(chosen: list[str], designs: dict[str, ProcessMap], src: state.Source, made: list[Correction],
         settings: CompareSettings) -> str:
    """A digest of everything a comparison depends on: the maps, the demand file, its corrections, the settings."""
    parts = [to_yaml(designs[n]) for n in chosen] + [repr(src.key()), repr(tuple(made)),
                                                      json.dumps(settings.to_dict(), sort_keys=True, default=str)]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def _run(chosen: list[str], designs: dict[str, ProcessMap], src: state.Source, frame: pd.DataFrame,
         settings: CompareSettings) -> Comparison:
    bar = st.progress(0.0, text="Starting…")
    try:
        result = settings.run([designs[n] for n in chosen], frame, catalogue=state.catalogue(src),
                              progress=lambda f, msg: bar.progress(min(f, 1.0), text=msg))
    except WorkerError as exc:  # a worker process died, or the dask cluster cannot be used: say so, keep nothing
        bar.empty()
        st.error(str(exc), icon=":material/error:")
        st.stop()
    bar.empty()
    return result


def _charts(result: Comparison) -> None:
    names = [d.name for d in result.designs]
    table = result.table()
    chart.show(st, charts.e2e_ecdf_chart, result.e2e_distribution(), names)
    left, right = st.columns(2)
    chart.show(left, charts.design_metric_bars, table, "one_stop_share", "Resolved at one stop", names, True)
    chart.show(right, charts.design_metric_bars, table, "handoffs_mean", "Hand-offs per demand", names)
    left, right = st.columns(2)
    chart.show(left, charts.design_metric_bars, table, "failure_demand_per_100",
               "Failure demand caused per 100 demands", names)
    chart.show(right, charts.design_metric_bars, table, "staff_hours_per_demand", "Staff hours per demand", names)
    chart.show(st, charts.utilisation_chart, table, names)


def _capability(result: Comparison, first_day: pd.Timestamp) -> None:
    st.markdown("**Capability chart**: end-to-end days of the demands that arrived each day (first replication), "
                "over the days whose demands had time to finish. Points inside the limits are what this design "
                "will predictably deliver.")
    names = [d.name for d in result.designs]
    pick = st.radio("Design", names, horizontal=True, key="cmp_capability", format_func=literal)
    design = next(d for d in result.designs if d.name == pick)
    if not design.runs:
        return
    table = metrics.capability(design.runs[0])
    window = table.attrs["window"].dated(first_day)
    still_open = int(metrics.case_view(design.runs[0])["e2e_days"].isna().sum())
    open_words = (f" {still_open:,} demand(s) still open at the end of the run are not in it." if still_open
                  else "")
    if not window.finished:  # nothing was met in the period: no chart from nothing
        st.info(f"No demand was resolved in the period in {literal(pick)}, so it has no capability chart."
                + open_words, icon=":material/hourglass_empty:")
        return
    too_few = spc.too_few_points(window, len(table))
    if too_few:
        st.info(literal(too_few), icon=":material/hourglass_empty:")
        return
    table.index = first_day + pd.to_timedelta(table.index, unit="D")
    chart.show(st, charts.xmr_chart, table, f"Capability: {pick}", "End-to-end days", period_label="Day arrived",
               notes=[window.words()])
    signals = int(table[spc.SIGNAL].sum())
    same = ("the same demands as the table's mean for this replication" if not window.later else
            f"the table's mean also counts the {window.later:,} later arrivals")
    st.caption(f"Average {table[spc.CENTRE].iloc[-1]:.1f} days: the mean end-to-end time of the "
               f"{window.finished:,} demands charted ({same}). A day's average is predictably between "
               f"{table[spc.LOWER].iloc[-1]:.1f} and {table[spc.UPPER].iloc[-1]:.1f} days; {signals} signal(s). "
               + literal(window.words()) + ("" if window.still_open else open_words) + " The start-up period is a week of demand run before "
               "measuring, so queues are not empty." + (" " + (spc.provisional_note(table) or "")).rstrip())


def _map_of(name: str, result: Comparison, designs: dict[str, ProcessMap]) -> ProcessMap | None:
    """The map a design of the result ran (a run 'without the assumption' ran its design's map)."""
    d = next((d for d in result.designs if d.name == name), None)
    return designs.get(name) or (designs.get(d.variant_of) if d is not None and d.variant_of else None)


def _queues(result: Comparison, designs: dict[str, ProcessMap]) -> None:
    """Where demand waits for someone to be free (or for opening time), by design and step, in words people use."""
    queues = result.queues()
    if queues.empty:
        return
    with st.expander("Where demand queues (first replication)"):
        rows = []
        for r in queues.to_dict("records"):
            m = _map_of(str(r["design"]), result, designs)
            step = m.step(str(r["step"])) if m else None
            role = m.role(str(r["role"])) if m else None
            rows.append({"Design": r["design"], "Step": step.name if step else r["step"],
                         "Who": (role.name or role.id) if role else r["role"], "Visits": int(r["visits"]),
                         "Queue (mean)": _minutes(float(r["queue_minutes_mean"])),
                         "Queue (9 in 10 within)": _minutes(float(r["queue_minutes_p90"])),
                         "Gave up waiting": int(r["abandoned"])})
        st.dataframe(literal_frame(pd.DataFrame(rows)), hide_index=True, width="stretch")
        st.caption("Time in the queue counts waiting for someone to be free and waiting for opening time or a "
                   "shift to start (a call at 02:00 to a team that starts at 08:00 waits six hours).")


def _minutes(value: float) -> str:
    """A queue time as people say it: seconds under two minutes, minutes under two hours, else hours or days."""
    if value != value:  # NaN: nobody queued
        return "–"
    if value < 2:
        return f"{value * 60:.0f} s"
    if value < 120:
        return f"{value:.0f} min"
    if value < 48 * 60:
        return f"{value / 60:.1f} h"
    return f"{value / 1440:.1f} days"


def _step_times(chosen: list[str], designs: dict[str, ProcessMap], frame: pd.DataFrame,
                catalogue: Catalogue | None) -> None:
    """The touch times a design takes from the data, stated: what was resampled or fitted, and how."""
    from_data = [n for n in chosen if any(s.touch.from_data for s in designs[n].steps)
                 or patience_from_data([designs[n]])]
    if not from_data:
        return
    estimates = patience_estimates(frame)
    with st.expander("Touch times taken from the data"):
        for name in from_data:
            m = designs[name]
            words = step_time_words(m, frame, catalogue)
            st.markdown(f"**{literal(m.name)}**")
            for step in m.steps:
                if step.touch.from_data:
                    text = "; ".join(words.get(step.name or step.id, [])) or step.touch.describe()
                    st.markdown(f"- {literal(step.name or step.id)}: {literal(text)}")
            for text in patience_words(m, estimates).values():  # callers' patience estimated from queue waits
                st.markdown(f"- {literal(text)}")


def _details(result: Comparison) -> None:
    with st.expander("Staff time absorbed by failure demand"):
        hours = result.failure_hours()
        if hours.empty:
            st.info("No failure demand in these runs.")
        else:
            st.dataframe(hours[["design", "source", "cause", "caused_by_step", "demands", "staff_hours", "fte"]],
                         hide_index=True, width="stretch", column_config={
                             "design": "Design", "source": "Where it comes from", "cause": "Cause",
                             "caused_by_step": "Caused at step", "demands": "Demands",
                             "staff_hours": st.column_config.NumberColumn("Staff hours", format="%.0f"),
                             "fte": st.column_config.NumberColumn("FTE", format="%.2f")})
    with st.expander("By demand type (first replication)"):
        frames = [metrics.per_type(d.runs[0]).assign(design=d.name) for d in result.designs if d.runs]
        if frames:
            st.dataframe(pd.concat(frames), hide_index=True, width="stretch", column_config={
                "demand_type": "Demand type", "design": "Design", "demands": "Demands",
                "e2e_days_median": st.column_config.NumberColumn("Median days", format="%.1f"),
                "e2e_days_p85": st.column_config.NumberColumn("85% within days", format="%.1f"),
                "one_stop_share": st.column_config.NumberColumn("One-stop", format="percent"),
                "handoffs_mean": st.column_config.NumberColumn("Hand-offs", format="%.2f"),
                "touch_minutes_mean": st.column_config.NumberColumn("Touch min", format="%.0f"),
                "failure_demand_per_100": st.column_config.NumberColumn("Failure demand caused /100",
                                                                        format="%.0f")})


def _fit(result: Comparison, frame: pd.DataFrame, e2e: end_to_end.EndToEnd) -> None:
    """Does the as-is map fit reality? The measured as-is beside the simulated one (docs/compare.md)."""
    st.subheader("Does the as-is map fit reality?")
    st.caption("The demand's own end-to-end times and one-stop share beside what the as-is design gives in the "
               "simulation: if they are far apart, the as-is map is not yet credible, and neither are the "
               "redesign's figures measured against it.")
    names = [d.name for d in result.designs]
    as_is = fit.as_is_design(result.designs)
    if len(names) > 1:
        # keyed by the designs shown, so a choice made among other designs is never offered back
        digest = hashlib.sha1("\x1f".join(names).encode("utf-8")).hexdigest()[:12]
        as_is = st.selectbox("Which design is the as-is?", names, index=names.index(as_is), key=f"cmp_as_is_{digest}")
    fitted = fit.assess(frame, result, as_is, e2e=e2e)
    if not fitted.available:
        st.info(literal(fitted.reason), icon=":material/event_busy:")
    else:
        st.caption(f"Measured from {fitted.needs:,} needs in the demand ({fitted.met:,} met, {fitted.open:,} still "
                   f"open); simulated by **{literal(fitted.as_is)}**. Close means within 20% of the measured figure.")
    st.table(literal_frame(fit.readable(fitted)), hide_index=True, border="horizontal")


def _downloads(result: Comparison, key: str) -> None:
    st.subheader("Downloads")
    c1, c2, c3 = st.columns(3)
    c1.download_button("Summary (JSON)", json.dumps(result.to_json(), indent=2).encode("utf-8"),
                       file_name="comparison_summary.json", mime="application/json", icon=":material/download:")
    c2.download_button("Every demand (CSV)", lambda: to_csv_bytes(result.per_demand()),
                       file_name="comparison_per_demand.csv", mime="text/csv", icon=":material/download:")
    c3.download_button("Every demand (Excel)",
                       lambda: to_xlsx_bytes({"Per demand": result.per_demand(), "Summary": result.table()}),
                       file_name="comparison_per_demand.xlsx", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _coverage(chosen: list[str], designs: dict[str, ProcessMap], frame: pd.DataFrame, study_id: int) -> list[str]:
    """How far each chosen map fits the study's demand, said above the button; the names of those below the
    coverage the person asks for (default 80%), which stop the comparison running by itself."""
    needed = st.number_input("Coverage a map needs to run by itself (% of demand whose type it knows)", 0, 100,
                             int(THRESHOLD * 100), step=5, key=f"cmp_coverage_{study_id}") / 100
    low = []
    for name in chosen:
        m = designs[name]
        cat = map_catalogue(m, None)
        fits = coverage(m, demand_mix(frame, cat), cat)
        if fits.low(needed):
            low.append(name)
            st.warning(literal(fits.words()), icon=":material/rule:")
        else:
            st.caption(literal(fits.words()))
    if low:
        st.info("The comparison does not run by itself while a map does not know most of this demand: check that "
                "these are the maps of this service, or add its types to their routes or catalogue on the Flow "
                "page. You can still run it.", icon=":material/front_hand:")
    return low


def render() -> None:
    st.title("Compare designs")
    st.caption("What would happen to our demand under each design? The same demands, with the same random "
               "draws where designs share a step, so differences come from the designs.")
    current = study.require()
    designs = _designs()
    if not designs:
        st.info("This study has no process maps yet: create or add one on the Flow page.")
        return
    names = list(designs)
    chosen = st.multiselect("Designs", names, default=_default(designs), key=f"cmp_designs_{current.id}")
    src = state.require_source()
    made = state.corrections(src)  # a store query: once per run
    try:
        demand_view = state.view(src, made)
    except ValueError as exc:  # a stored file that no longer reads (DemandFileError, a limit, a catalogue)
        st.warning(f"The study's demand file {literal(src.name)} cannot be read now, so no comparison can run: "
                   f"{literal(exc)} Load it again, or another file, on the Demand page.", icon=":material/error:")
        return
    frame = demand_view.frame
    st.caption(f"Demand: **{literal(src.name)}**, {len(frame):,} demands (change it on the Demand page).")
    if not analysis.has_dates(frame):
        st.info("This demand was read without dates. A comparison replays the demand as it arrived, day by day, "
                "so it needs a date column: on the Demand page, choose the date column, or load a file that has "
                "one.", icon=":material/event_busy:")
        return
    broken = [n for n in chosen if has_errors(validate_map(designs[n]))]
    if broken:
        st.error("These maps have errors; fix them on the Flow page first: " + literal_list(broken))
        return
    if len(chosen) < 2:
        st.info("Choose at least two designs to compare.")
        return
    no_data = data_problem([designs[n] for n in chosen], frame, state.catalogue(src))
    if no_data:  # a step takes its time from handling minutes this demand file does not have
        st.error(literal(no_data), icon=":material/error:")
        return
    settings = _settings(chosen, designs, frame)
    key = _key(chosen, designs, src, made, settings)
    result = _lookup(key)
    low = _coverage(chosen, designs, frame, current.id)
    run = st.button("Run the comparison" if not low else "Run the comparison anyway", type="primary",
                    icon=":material/play_arrow:")
    first_visit = keys.COMPARE_LAST not in st.session_state and not low  # a poor fit never runs by itself
    if result is None and (run or first_visit):
        result = _finished(key, _run(chosen, designs, src, frame, settings))
    current_result = result  # the comparison of the settings on screen, if it has run
    if result is not None:
        st.session_state[keys.COMPARE_LAST] = key
    else:
        result = _lookup(st.session_state.get(keys.COMPARE_LAST))
        if result is not None:
            st.warning("The settings have changed since these results: press **Run the comparison** to update.")
    if result is None:
        return
    if low:
        st.warning("**Low coverage:** these figures are about demand the maps do not fully know ("
                   + literal_list(low) + "); read them as the maps' guess, not this service's.",
                   icon=":material/rule:")
    st.success(literal(result.headline()), icon=":material/campaign:")
    if current_result is not None:
        _publish(current, current_result, frame, key, {
            **settings.to_dict(), "designs": chosen, "demand": src.name, "demand_source_id": src.source_id,
            "corrections": len(made), "key": key, "low_coverage": low})
    cover = f"; they cover {result.intervals_cover()}" if result.replications > 1 else ""
    st.caption(f"{result.demands:,} demands per run, {result.weeks:g} weeks, {result.replications} replication(s), "
               "seed " + str(result.seed) + "; brackets are 95% intervals over replications" + literal(cover) + ".")
    st.table(literal_frame(side_by_side(result.table(), [d.name for d in result.designs], result.replications,
                                        result.assumptions(), result.intervals_cover())),
             hide_index=True, border="horizontal")
    _fit(result, frame, demand_view.end_to_end)
    _charts(result)
    _capability(result, _first_day(frame))
    _queues(result, designs)
    _step_times(chosen, designs, frame, state.catalogue(src))
    _details(result)
    _downloads(result, key)


render()
