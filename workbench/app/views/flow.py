"""Flow page: open, edit and save a process map, with a live diagram, its problems and its flow metrics."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from workbench import serving, uploads
from workbench.app import diagram_panel, flow_state, keys, map_versions, notices, state, study, tiles
from workbench.app.text import literal
from workbench.demand.catalogue import Catalogue, CatalogueError, load_catalogue
from workbench.flow import tables as flow_tables
from workbench.flow import templates as flow_templates
from workbench.flow.coverage import Coverage, coverage
from workbench.flow.expected import FlowError, demand_mix, expect_mix
from workbench.flow.files import MapFileExists, MapFileRefused
from workbench.flow.model import RESOLVED, WORK_KINDS, MapFileError, ProcessMap
from workbench.flow.validate import has_errors, validate_map
from workbench.limits import LimitError
from workbench.sim.engine import service_minutes_by_type
from workbench.sim.service_times import Sampler, touch_mean
from workbench.store import studies
from workbench.store.studies import DuplicateNameError

UNITS = ["days", "hours", "minutes"]


@st.cache_data(show_spinner=False, max_entries=4)
def _catalogue_file(path: str, mtime: float) -> Catalogue:
    return load_catalogue(path)


def _catalogue(m: ProcessMap) -> Catalogue | None:
    """The catalogue the map names in process_maps/ (never a file anywhere else), else the study's."""
    try:
        path = m.catalogue_path()
    except MapFileError as exc:
        st.warning(str(exc))
        path = None
    if path is not None and path.exists():
        try:
            return _catalogue_file(str(path), path.stat().st_mtime)
        except CatalogueError as exc:
            st.warning(literal(exc))
    src = state.active_source()
    return state.catalogue(src) if src else None


@st.cache_data(show_spinner=False, max_entries=16)
def _metrics(yaml_text: str, demand_key: tuple[object, ...], _m: ProcessMap, _mix: pd.DataFrame,
             _frame: pd.DataFrame, _catalogue: Catalogue | None) -> tuple[pd.DataFrame, dict[str, float]]:
    """Exact expectations; a step whose time comes from the data takes the mean of the demand's handling
    minutes as the engine fits them (unknown without them)."""
    sampler = None
    if any(s.touch.from_data for s in _m.steps):
        sampler = Sampler(service_minutes_by_type(_frame, _catalogue))
    return expect_mix(_m, _mix, touch_mean(sampler))


def _catalogue_key(catalogue: Catalogue | None) -> str:
    return "" if catalogue is None else repr((catalogue.source, catalogue.types))


@st.cache_data(show_spinner=False, max_entries=8)
def _mix(demand_key: tuple[object, ...], catalogue_key: str, _frame: pd.DataFrame,
         _catalogue: Catalogue | None) -> pd.DataFrame:
    """The demand's mix (types x touchpoints, with their nature and cause): worked out once per demand (file,
    reading, corrections) and catalogue, not at every edit of the map (100,000 rows: a second of each edit)."""
    return demand_mix(_frame, _catalogue)


@st.cache_data(show_spinner=False, max_entries=16)
def _coverage(yaml_text: str, demand_key: tuple[object, ...], catalogue_key: str, _m: ProcessMap,
              _mix: pd.DataFrame, _catalogue: Catalogue | None) -> Coverage:
    """How far the map fits the demand, once per text of the map, demand and catalogue."""
    return coverage(_m, _mix, _catalogue)


@st.cache_data(show_spinner=False, max_entries=16)
def _tables_of(yaml_text: str, _m: ProcessMap) -> dict[str, pd.DataFrame]:
    """The map on screen as its editable tables, once per text of the map."""
    return flow_tables.to_tables(_m)


# --------------------------------------------------------------------------------------------- choose


def _chooser() -> None:
    current = study.require()
    stored = study.call(studies.list_maps, current.id)
    names = [v.name for v in stored]
    w = flow_state.working()
    now = w.name if w and w.name in names else None
    if not names:  # an empty study: nothing is made until the person chooses how to start
        st.info("This study has no process map yet. Start one: from a template (a real shape of service to adapt), "
                "a blank map, a file in process_maps/, or an upload.", icon=":material/account_tree:")
        _start()
        return
    c1, c2, c3 = st.columns([4, 1, 1], vertical_alignment="bottom")
    pick = c1.selectbox("Process map", names, index=names.index(now) if now else None,
                        placeholder="Choose a map of this study", key=f"flow_pick_{now}")
    if c2.button("Open", disabled=pick is None or pick == now, width="stretch") and pick is not None:
        try:
            flow_state.open_study_map(pick)
        except _UNREADABLE as exc:
            st.error(f"Map '{literal(pick)}' cannot be read, so it was not opened: {literal(exc)}")
        else:
            st.rerun()
    if c3.button("Duplicate", disabled=w is None, width="stretch") and w is not None:
        flow_state.open_map(w.map.copy(name=f"Copy of {w.map.name}"), f"Duplicate of {w.name}")
        st.rerun()
    with st.expander("Start another map: from a template, blank, from process_maps/ or an upload"):
        _start()


def _start() -> None:
    """The ways to start a map: a template, a blank map, a file of process_maps/, an upload. Each adds the map to
    the study, opens it and says what it made."""
    found = flow_templates.templates()
    st.markdown("**From a template**")
    t1, t2 = st.columns([3, 1], vertical_alignment="bottom")
    chosen = t1.selectbox("Template", range(len(found)), format_func=lambda i: found[i].title, index=0 if found else None,
                          key=keys.FLOW_TEMPLATE_PICK, placeholder="No templates found")
    if chosen is not None:
        t1.caption(literal(found[chosen].summary))
    if t2.button("New from template", disabled=chosen is None, width="stretch", type="primary") and chosen is not None:
        template = found[chosen]
        m = template.load()
        name = flow_state.open_map(m, f"New from the template '{template.title}'")
        notices.later(keys.FLOW_NOTICES, f"Made '{literal(name)}' from the template '{literal(template.title)}': "
                      f"{flow_state.describe(m)}. Its figures are workshop estimates: change them to your service's "
                      "below.", icon=":material/add_circle:")
        st.rerun()
    b1, b2 = st.columns([3, 1], vertical_alignment="bottom")
    b1.markdown("**Blank**: one role and one step, to name and fill in.")
    if b2.button("New blank map", width="stretch"):
        m = flow_tables.blank()
        name = flow_state.open_map(m, "New blank map")
        notices.later(keys.FLOW_NOTICES, f"Made the blank map '{literal(name)}': {flow_state.describe(m)}. Name it "
                      "below, then add its roles and steps.", icon=":material/add_circle:")
        st.rerun()
    files = flow_state.map_files()
    f1, f2 = st.columns([3, 1], vertical_alignment="bottom")
    chosen_file = f1.selectbox("A map in process_maps/", [f.name for f in files], index=None,
                               placeholder="Choose a file", key="flow_file_pick")
    if f2.button("Add to the study and open", disabled=chosen_file is None, width="stretch") and chosen_file:
        try:
            flow_state.open_file(flow_state.maps_dir() / chosen_file)
        except (MapFileError, OSError) as exc:
            st.error(literal(exc))
        else:
            st.rerun()
    upload = st.file_uploader("Upload a map", type=["yaml", "yml"], key="flow_upload")
    if upload is not None and st.session_state.get(keys.FLOW_UPLOADED) != upload.file_id:
        st.session_state[keys.FLOW_UPLOADED] = upload.file_id
        try:  # over the upload cap or the YAML budget: refused before it is decoded
            flow_state.open_text(uploads.accept_text(upload.name, upload.getvalue(), "process map"), upload.name)
        except (MapFileError, LimitError) as exc:
            st.error(f"{exc} The map on screen is unchanged.")
        else:
            st.rerun()


DESIGNS = ["as-is", "standard-work", "worker-led"]


def _details(w: flow_state.Working) -> None:
    """The map's name, design, service and description, edited in the app (saved as the next version)."""
    m = w.map
    with st.expander("Name, design and description"), st.form(f"flow_details_{w.version}"):
        c1, c2 = st.columns([2, 1])
        name = c1.text_input("Map name", m.name)
        options = DESIGNS + ([m.design] if m.design and m.design not in DESIGNS else [])
        design = c2.selectbox("Design", options, index=options.index(m.design) if m.design else None,
                              accept_new_options=True, placeholder="as-is, standard-work, worker-led or your own",
                              help="As-is: the service as it works today. Standard-work: a script, triage and "
                              "hand-offs to specialists. Worker-led: the first person absorbs the variety and "
                              "resolves it. Or type your own.")
        service = st.text_input("Service", m.service, placeholder="e.g. Housing benefit")
        description = st.text_area("Description", m.description, height=90)
        if st.form_submit_button("Save the name, design and description", type="primary"):
            if not name.strip():
                st.error("Give the map a name: it is how people find it.")
            else:
                try:
                    changed = flow_state.set_details(name, design or "", description, service)
                except DuplicateNameError as exc:
                    st.error(f"Not saved: {literal(exc)} Choose another name.")
                else:
                    if changed:
                        st.rerun()


_UNREADABLE = (MapFileError, ValueError, RecursionError)  # what reading a stored map version can raise


def _reads(text: str, name: str) -> bool:
    try:
        flow_state.parse_stored(text, name)
    except _UNREADABLE:
        return False
    return True


def _unreadable(exc: Exception) -> None:
    """The study's map on screen has a latest version that does not read: say which, in a sentence, and offer
    its newest version that does read back as the newest (the other maps stay one choice away, above)."""
    current = study.require()
    bad = [v for v in study.call(studies.list_maps, current.id) if not _reads(v.yaml_text, v.name)]
    if not bad:
        st.warning(f"This map cannot be read, so it is not shown: {literal(exc)}", icon=":material/error:")
        return
    for v in bad:
        st.warning(f"Map '{literal(v.name)}' version {v.version} cannot be read, so it is not shown (it was stored by "
                   f"an older Workbench, or changed outside it). Open another map below, or restore an earlier "
                   f"version of it.", icon=":material/error:")
        readable = [old.version for old in reversed(study.call(studies.list_map_versions, current.id, v.name))
                    if old.version != v.version and _reads(old.yaml_text, v.name)]
        if readable and st.button(f"Restore version {readable[0]} of '{literal(v.name)}' as the newest",
                                  key=f"flow_restore_readable_{v.name}"):
            study.call(studies.restore_map_version, current.id, v.name, readable[0], study.author())
            flow_state.open_study_map(v.name)
            st.rerun()


# --------------------------------------------------------------------------------------------- editing


def _editor(name: str, frame: pd.DataFrame, w: flow_state.Working, **kwargs: Any) -> pd.DataFrame:
    return st.data_editor(frame, key=keys.flow_table(name, w.version), hide_index=True, width="stretch",
                          num_rows="dynamic", **kwargs)


def _tables(w: flow_state.Working, catalogue: Catalogue | None) -> None:
    m = w.map
    tables = _tables_of(w.yaml_text, m)
    step_ids = [s.id for s in m.steps if s.id]
    role_ids = [r.id for r in m.roles if r.id]
    type_names = catalogue.names() if catalogue else []
    # one section at a time, chosen with a keyed control: the choice survives the rerun after an edit (st.tabs
    # went back to the first tab), and only that section's tables are drawn, so an edit is made in the table on
    # screen and read from it (each table's key names it: keys.flow_table)
    section = st.segmented_control("Edit the map", flow_state.SECTIONS, default=flow_state.SECTIONS[0], required=True,
                                   key=keys.FLOW_SECTION) or flow_state.SECTIONS[0]
    notices.show(keys.FLOW_TABLE_NOTICES)
    edited = dict(tables)
    if section == "Steps":
        st.caption("One row per step. Touch = minutes of work, shaped as the 'Touch time' column says (min / "
                   "likely / max; a mean for exponential; a mean (Touch likely) and an sd for lognormal and gamma; or "
                   "taken from the handling minutes in the demand file); wait = time the customer waits before "
                   "the step. %C&A = share of the step's output that is complete and accurate.")
        edited["steps"] = _editor("steps", tables["steps"], w, column_config={
            # the step's id and name stay in view while the other 16 columns scroll
            "id": st.column_config.TextColumn("Id", required=True, width="small", pinned=True),
            "name": st.column_config.TextColumn("Step", width="medium", pinned=True),
            "role": st.column_config.SelectboxColumn("Role", options=role_ids),
            "work": st.column_config.SelectboxColumn("Work", options=list(WORK_KINDS), default="value"),
            "touch_shape": st.column_config.SelectboxColumn("Touch time", options=list(flow_tables.TOUCH_SHAPES),
                                                            default="min / likely / max", width="medium"),
            "touch_min": st.column_config.NumberColumn("Touch min", min_value=0.0, format="%g"),
            "touch_likely": st.column_config.NumberColumn("Touch likely", min_value=0.0, format="%g"),
            "touch_max": st.column_config.NumberColumn("Touch max", min_value=0.0, format="%g"),
            "touch_sd": st.column_config.NumberColumn("Touch sd", min_value=0.0, format="%g"),
            "wait_min": st.column_config.NumberColumn("Wait min", min_value=0.0, format="%g"),
            "wait_likely": st.column_config.NumberColumn("Wait likely", min_value=0.0, format="%g"),
            "wait_max": st.column_config.NumberColumn("Wait max", min_value=0.0, format="%g"),
            "wait_unit": st.column_config.SelectboxColumn("Wait unit", options=UNITS, default="days"),
            # no min/max here: the grid would clamp 150 to 100 unseen; the app questions it (flow.tables)
            "complete_and_accurate": st.column_config.NumberColumn("%C&A", format="%g", help="Right first time: "
                                                                   "percent of this step's output that is complete "
                                                                   "and accurate (0 to 100)."),
            "rework_to": st.column_config.SelectboxColumn("Rework at", options=["", *step_ids]),
            "recall_type": st.column_config.SelectboxColumn("Recall as", options=["", *type_names]),
            "pulled": st.column_config.CheckboxColumn("Pulled in"),
            "source": st.column_config.TextColumn("Where the figures come from", width="medium"),
        })
    elif section == "Routes":
        st.caption("Evaluated in order for each step: the first route that takes the demand wins. Types, "
                   "touchpoints: comma-separated (types with a comma in their name: semicolons). Probability: a "
                   "share of what reaches the route, as 0.5 or 50 (read as 50%).")
        edited["routes"] = _editor("routes", tables["routes"], w, column_config={
            "step": st.column_config.SelectboxColumn("From step", options=step_ids, required=True, pinned=True),
            "to": st.column_config.SelectboxColumn("To", options=[*step_ids, RESOLVED], required=True, pinned=True),
            "types": st.column_config.TextColumn("Demand types", width="medium"),
            "nature": st.column_config.SelectboxColumn("Nature", options=["", "value", "failure"]),
            "cause": st.column_config.TextColumn("Failure cause"),
            "touchpoints": st.column_config.TextColumn("Touchpoints"),
            # no min/max: the grid would turn 50 into 1 unseen; the app reads 50 as 50% and says so
            "probability": st.column_config.NumberColumn("Probability", format="%g", help="A share (0.5) or a "
                                                         "percent (50)."),
            "otherwise": st.column_config.CheckboxColumn("Otherwise"),
            "rework": st.column_config.CheckboxColumn("Rework"),
        })
    elif section == "Roles and hours":
        st.caption("Renaming a role's id renames it in every step it does, and in its working hours.")
        edited["roles"] = _editor("roles", tables["roles"], w, column_config={
            "id": st.column_config.TextColumn("Id", required=True, pinned=True),
            "name": st.column_config.TextColumn("Role"),
            "staff": st.column_config.NumberColumn("Staff", min_value=0.0, format="%g"),
            "hours_per_day": st.column_config.NumberColumn("Hours a day", min_value=0.0, max_value=24.0, format="%g"),
            "days_per_week": st.column_config.NumberColumn("Days a week", min_value=0.0, max_value=7.0, format="%g"),
            "opens": st.column_config.TextColumn("Day starts", help="With hours a day: when the working day starts "
                                                 "(HH:MM; blank: 08:00)."),
        })
        st.markdown("**Working hours and rosters** (replace a role's hours a day and days a week)")
        st.caption("A row with staff is a roster shift: that many people at work on those days between those "
                   "times (shifts that overlap add up). Rows without staff are the role's opening hours, worked by "
                   "its staff. Days: Mon-Fri, Sat, weekdays, weekend, every day. Times: 08:00, 24:00; a shift "
                   "over midnight is 22:00 to 06:00. A role with no rows here works its hours a day.")
        edited["hours"] = _editor("hours", tables["hours"], w, column_config={
            "role": st.column_config.SelectboxColumn("Role", options=role_ids, required=True),
            "days": st.column_config.TextColumn("Days", default="Mon-Fri"),
            "from": st.column_config.TextColumn("From", default="09:00"),
            "to": st.column_config.TextColumn("To", default="17:00"),
            "staff": st.column_config.NumberColumn("Staff (roster)", min_value=0.0, format="%g"),
        })
    elif section == "Entry and failure demand":
        left, right = st.columns([1, 2])
        with left:
            st.markdown("**Where demand arrives**")
            edited["entry"] = _editor("entry", tables["entry"], w, column_config={
                "touchpoint": st.column_config.TextColumn("Touchpoint"),
                "step": st.column_config.SelectboxColumn("First step", options=step_ids)})
        with right:
            st.markdown("**Failure demand the design causes** (customers chasing while they wait)")
            edited["failure_demand"] = _editor("failure_demand", tables["failure_demand"], w, column_config={
                "name": st.column_config.TextColumn("Name"),
                "every_days": st.column_config.NumberColumn("Every N days of waiting", min_value=0.0, format="%g"),
                "probability": st.column_config.NumberColumn("Probability", format="%g", help="A share (0.3) "
                                                             "or a percent (30)."),
                "demand_type": st.column_config.SelectboxColumn("Chase as", options=type_names)
                if type_names else st.column_config.TextColumn("Chase as"),
                "cause": st.column_config.TextColumn("Cause", help="Why customers chase: the failure cause their "
                                                     "chases carry (blank: the catalogue's cause of the type)."),
                "touchpoint": st.column_config.TextColumn("Touchpoint"),
                "steps": st.column_config.TextColumn("Only before steps"),
            })
    elif section == "Queues and closed days":
        left, right = st.columns([2, 1])
        with left:
            st.markdown("**Customers who give up waiting** (at touchpoints where they queue, such as the phone)")
            st.caption("Patience: the average minutes a customer waits in the queue for the first step before "
                       "giving up (exponential). Call back: the percent of those who give up who contact again, "
                       "as failure demand, about 'call back after' minutes later. Blank patience: nobody gives up.")
            edited["queues"] = _editor("queues", tables["queues"], w, column_config={
                "touchpoint": st.column_config.TextColumn("Touchpoint", required=True),
                "patience_minutes": st.column_config.NumberColumn("Patience (minutes)", min_value=0.0, format="%g"),
                "call_back": st.column_config.NumberColumn("Call back (%)", min_value=0.0, max_value=100.0,
                                                           format="%g"),
                "call_back_after_minutes": st.column_config.NumberColumn("Call back after (minutes)", min_value=0.0,
                                                                         format="%g"),
            })
        with right:
            st.markdown("**Closed dates** (holidays: nobody works)")
            edited["closed"] = _editor("closed", tables["closed"], w, column_config={
                "date": st.column_config.DateColumn("Date", format="ddd D MMM YYYY")})
    elif section == "Edit one step":
        _step_form(w, role_ids)
    if any(not edited[k].equals(tables[k]) for k in tables):
        try:
            changed = flow_tables.apply_tables(m, edited)
        except flow_tables.TableError as exc:
            st.error(f"Not saved: {literal(exc)} Your edit is still in the table: correct it there.")
            return
        for note in changed.notes:  # a number read other than as typed: said where the person is looking
            notices.later(keys.FLOW_TABLE_NOTICES, literal(note), "warning", icon=":material/help:")
            notices.later(keys.FLOW_NOTICES, literal(note), "toast", icon=":material/help:")
        flow_state.commit(changed.map)
        st.rerun()


def _step_form(w: flow_state.Working, role_ids: list[str]) -> None:
    """One step at a time, with plain widgets: easier on a projector than a wide table."""
    m = w.map
    steps = [s for s in m.steps if s.id]
    if not steps:
        st.info("Add a step in the Steps table first.")
        return
    labels = {s.id: f"{s.name} ({s.id})" for s in steps}
    opened = st.session_state.pop(keys.FLOW_FORM_OPEN, None)  # a step just added: show it
    if opened in labels:
        st.session_state[keys.FLOW_FORM_STEP] = opened
    elif st.session_state.get(keys.FLOW_FORM_STEP) not in labels:
        st.session_state.pop(keys.FLOW_FORM_STEP, None)  # a step renamed or removed: start from the first
    sid: str = st.selectbox("Step", list(labels), format_func=labels.__getitem__, key=keys.FLOW_FORM_STEP)
    step = m.step(sid)
    assert step is not None
    with st.form(f"flow_step_form_{w.version}_{sid}"):
        c1, c2, c3 = st.columns(3)
        name = c1.text_input("Name", step.name)
        role = c2.selectbox("Role", role_ids, index=role_ids.index(step.role) if step.role in role_ids else None)
        work = c3.selectbox("Work", list(WORK_KINDS), index=list(WORK_KINDS).index(step.work)
                            if step.work in WORK_KINDS else 0)
        t = step.touch.triple or (0.0, 0.0, 0.0)
        f = step.touch.factor
        shaped = step.touch.distribution not in ("triangular", "exponential")  # set in the Steps table
        c1, c2, c3, c4 = st.columns(4)
        t_min = c1.number_input("Touch min (minutes)", min_value=0.0, value=float(t[0] * f), disabled=shaped)
        t_likely = c2.number_input("Touch likely", min_value=0.0, value=float(t[1] * f), disabled=shaped)
        t_max = c3.number_input("Touch max", min_value=0.0, value=float(t[2] * f), disabled=shaped)
        if shaped:
            st.caption(f"Touch time: {literal(step.touch.describe())}; change its shape in the Steps table.")
        cna = c4.number_input("%C&A", min_value=0.0, max_value=100.0, value=float(step.complete_and_accurate))
        wt = step.wait.triple or (0.0, 0.0, 0.0)
        c1, c2, c3, c4 = st.columns(4)
        w_min = c1.number_input("Wait min", min_value=0.0, value=float(wt[0]))
        w_likely = c2.number_input("Wait likely", min_value=0.0, value=float(wt[1]))
        w_max = c3.number_input("Wait max", min_value=0.0, value=float(wt[2]))
        unit = c4.selectbox("Wait unit", UNITS, index=UNITS.index(step.wait.unit) if step.wait.unit in UNITS else 0)
        if st.form_submit_button("Apply to step", type="primary", key=keys.flow_step_apply(w.version)):
            new = m.copy()
            target = new.step(sid)
            assert target is not None
            target.name = name.strip() or sid
            target.role = role or ""
            target.work = work
            if not shaped:
                target.touch = dataclasses.replace(target.touch, min=t_min, likely=t_likely, max=t_max,
                                                   unit="minutes")
            target.wait = dataclasses.replace(target.wait, min=w_min, likely=w_likely, max=w_max, unit=unit)
            target.complete_and_accurate = cna
            flow_state.commit(new)
            st.rerun()
    if st.button("Add the next step after this one", icon=":material/add:", key=f"flow_add_after_{w.version}",
                 help=f"A new step right after '{sid}': '{sid}' goes on to it, and it goes on wherever '{sid}' "
                 "went. It opens here to be filled in."):
        added, new_id, said = flow_tables.insert_step_after(m, sid)
        flow_state.commit(added)
        now = flow_state.working()
        if now is not None and now.map.step(new_id) is not None:  # saved (not refused): open it here
            st.session_state[keys.FLOW_FORM_OPEN] = new_id
            notices.later(keys.FLOW_TABLE_NOTICES, literal(said) + " Fill it in below.", "success",
                          icon=":material/add_circle:")
        st.rerun()


def _delete(w: flow_state.Working) -> None:
    if w.study_id is None or w.name is None:
        return
    with st.expander("Delete this map"):
        st.warning(f"Deleting removes '{literal(w.name)}' and every version of it from the study. There is no undo; "
                   "download the YAML or export the study first if you may want it back.")
        sure = st.checkbox(f"Yes, delete '{literal(w.name)}'", key=f"flow_delete_sure_{w.name}")
        if st.button("Delete the map", type="primary", disabled=not sure, key="flow_delete"):
            study.call(studies.delete_map, w.study_id, w.name)
            flow_state.forget()
            notices.later(keys.FLOW_NOTICES, f"Deleted '{literal(w.name)}'.", "toast")
            st.rerun()


# --------------------------------------------------------------------------------------------- showing


def _problems(problems: list) -> None:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if errors:
        st.error("**This map has problems to fix** (it can still be edited and saved):\n\n" + "\n".join(
            f"- {_plain(p)}" for p in errors), icon=":material/error:")
    if warnings:
        with st.expander(f"{len(warnings)} warning(s)"):
            st.markdown("\n".join(f"- {_plain(p)}" for p in warnings))
    if not problems:
        st.success("The map is valid.", icon=":material/check_circle:")


def _plain(p: object) -> str:
    line = f" (line {p.line})" if p.line else ""  # type: ignore[attr-defined]
    where = f"**{literal(p.where)}**: " if p.where else ""  # type: ignore[attr-defined]
    return f"{where}{literal(p.message)}{line}"  # type: ignore[attr-defined]


def _tiles(totals: dict[str, float]) -> None:
    failure = tiles.number(totals["failure_demand_per_100"], 0)  # NaN (a time from data with no data): "–"
    tiles.show([
        tiles.Tile("Hand-offs", tiles.number(totals["handoffs"], 2), "Hand-offs per demand"),
        tiles.Tile("One-stop", tiles.percent(totals["one_stop"]), "Resolved at one stop: no hand-off, no rework, "
                   "no waiting"),
        tiles.Tile("End-to-end days", tiles.number(totals["end_to_end_days"]), "From first contact to the need met"),
        tiles.Tile("Value steps", tiles.percent(totals["value_step_share"]), "Share of steps that are value work"),
        tiles.Tile("Touch minutes", tiles.number(totals["touch_minutes"], 0), "Working minutes per demand"),
        tiles.Tile("Failure demand", failure if failure == tiles.MISSING else f"{failure}/100",
                   "Chases and recalls this design causes, per 100 demands"),
        tiles.Tile("Flow efficiency", tiles.percent(totals["flow_efficiency"]), "Touch time ÷ end-to-end time")])
    if totals["touch_minutes"] != totals["touch_minutes"]:
        st.caption("–: a step takes its time from the data, and this demand file has no handling minutes to take "
                   "it from, so touch minutes, end-to-end days and flow efficiency are unknown.")


def _per_type(per_type: pd.DataFrame) -> None:
    table = per_type[["demand_type", "nature", "count", "steps", "handoffs", "one_stop", "value_step_share",
                      "touch_minutes", "end_to_end_days", "failure_demand"]]
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "demand_type": "Demand type", "nature": "Nature", "count": st.column_config.NumberColumn("Demands"),
        "steps": st.column_config.NumberColumn("Steps", format="%.1f"),
        "handoffs": st.column_config.NumberColumn("Hand-offs", format="%.2f"),
        "one_stop": st.column_config.NumberColumn("One-stop", format="percent"),
        "value_step_share": st.column_config.NumberColumn("Value steps", format="percent"),
        "touch_minutes": st.column_config.NumberColumn("Touch min", format="%.0f"),
        "end_to_end_days": st.column_config.NumberColumn("End-to-end days", format="%.1f"),
        "failure_demand": st.column_config.NumberColumn("Failure demand caused", format="%.2f")})


def _save(w: flow_state.Working) -> None:
    st.subheader("Save a copy as a file")
    default = w.origin.stem if w.origin else re.sub(r"[^a-z0-9]+", "_", w.map.name.lower()).strip("_") or "map"
    if not flow_state.map_files_writable():  # a shared server: process_maps/ is not the app's to change
        st.caption(f"Every edit is already saved in the study. {serving.read_only_reason()} Download the YAML "
                   "to keep or share a copy.")
        st.download_button("Download YAML", w.yaml_text.encode("utf-8"), file_name=f"{default}.yaml",
                           mime="application/x-yaml", key="flow_download_only")
        return
    st.caption("Every edit is already saved in the study. Save a copy to process_maps/ to share it as a file.")
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    stem = c1.text_input("File name in process_maps/", default, key=f"flow_save_name_{w.origin}")
    stem = re.sub(r"[^A-Za-z0-9_\-]+", "_", stem.strip().removesuffix(".yaml")) or "map"
    target = flow_state.maps_dir() / f"{stem}.yaml"
    if c2.button("Save", type="primary", width="stretch", key="flow_save"):
        # Save never replaces a different file, however often it is pressed: overwriting is its own button
        _write(target, overwrite=False)
    c3.download_button("Download YAML", w.yaml_text.encode("utf-8"), file_name=f"{stem}.yaml",
                       mime="application/x-yaml", width="stretch")
    if st.session_state.get(keys.FLOW_CONFIRM_OVERWRITE) == str(target) and target.exists():
        free = flow_state.free_name(stem)
        st.warning(f"{literal(target.name)} already exists with other contents, so it was not replaced. Save as "
                   f"a new file, or overwrite it if you mean to replace that map for everyone who opens it.")
        n1, n2 = st.columns(2)
        if n1.button(f"Save as {free.name}", key="flow_save_new", type="primary"):
            _write(free, overwrite=False)
        if n2.button(f"Overwrite {target.name}", key="flow_overwrite", icon=":material/warning:"):
            _write(target, overwrite=True)
    notices.show(keys.FLOW_FILE_NOTICES)


def _write(path: Path, overwrite: bool) -> None:
    """Write the copy; a name already taken asks what to do (below the Save button) and writes nothing."""
    try:
        flow_state.save(path, overwrite=overwrite)
    except MapFileExists:
        st.session_state[keys.FLOW_CONFIRM_OVERWRITE] = str(path)
        st.rerun()
    except (MapFileRefused, OSError) as exc:
        st.session_state.pop(keys.FLOW_CONFIRM_OVERWRITE, None)
        st.error(f"The copy was not saved: {literal(exc)}")
        return
    st.session_state.pop(keys.FLOW_CONFIRM_OVERWRITE, None)
    notices.later(keys.FLOW_FILE_NOTICES, f"Saved to process_maps/{path.name}.", icon=":material/save:")
    st.rerun()


def render() -> None:
    st.title("Flow")
    st.caption("How the work flows: steps, who does them, how demand is routed, and what that means for the "
               "customer.")
    try:
        flow_state.ensure_open()
    except _UNREADABLE as exc:  # a stored version that does not read (an older Workbench, a bug)
        _unreadable(exc)
        _chooser()
        return
    _chooser()
    opened = flow_state.ensure_open()
    notices.show(keys.FLOW_NOTICES)
    if opened is None:  # an empty study: the ways to start a map are shown above
        return
    w = opened
    m = w.map
    catalogue = _catalogue(m)
    problems = validate_map(m, catalogue)
    head = literal(m.name) + (f" · {literal(m.design)}" if m.design else "")
    st.subheader(head)
    edits = f" ({w.stored_edits} edits)" if w.stored_edits > 1 else ""
    meta = [f":material/cloud_done: Saved in the study as '{literal(w.name)}', version {w.stored_version}{edits}"
            if w.stored_version else "Not saved"]
    if w.origin:
        meta.append(f"file: {literal(w.origin.name)}")
    c1, c2 = st.columns([5, 1], vertical_alignment="center")
    c1.caption(" · ".join(meta))
    if m.description:
        c1.caption(literal(m.description))
    if c2.button("Undo last edit", disabled=not flow_state.can_undo(), width="stretch"):
        flow_state.undo()
        st.rerun()
    _details(w)
    src = state.active_source()
    per_type, totals = pd.DataFrame(), dict[str, float]()
    fits = None  # how far the map fits the study's demand (workbench.flow.coverage)
    if not has_errors(problems) and src is not None:
        made = state.corrections(src)
        try:
            frame = state.view(src, made).frame
        except ValueError as exc:  # a stored demand file that no longer reads: the map is still shown
            st.warning(f"The study's demand file {literal(src.name)} cannot be read now, so no flow metrics are "
                       f"shown: {literal(exc)}", icon=":material/error:")
            frame = None
        try:
            if frame is not None:
                demand_key, catalogue_key = (src.key(), tuple(made)), _catalogue_key(catalogue)
                mix = _mix(demand_key, catalogue_key, frame, catalogue)
                fits = _coverage(w.yaml_text, demand_key, catalogue_key, m, mix, catalogue)
                per_type, totals = _metrics(w.yaml_text, (src.key(), tuple(made)), m, mix, frame, catalogue)
        except FlowError as exc:
            st.error(literal(exc))
    if totals and src is not None:
        st.caption(f"Expected per demand for the {int(totals['demands']):,} demands of **{literal(src.name)}** "
                   "(exact expectations; unlimited staff, so no queueing).")
        if fits is not None and fits.low():
            st.warning(f"**This map does not fit this demand well.** {literal(fits.words())} Figures for the rest "
                       "are the map's guess, not this service's.", icon=":material/rule:")
        elif fits is not None:
            st.caption(literal(fits.words()))
        _tiles(totals)
    elif src is None:
        st.info("Load this study's demand on the Demand page to see this design's flow metrics.")
    else:
        st.info("Fix the problems below to see this design's flow metrics.")
    # the diagram's views, pan/zoom and downloads (mix is set whenever totals are)
    diagram_panel.show(m, problems, mix=mix if totals else None, per_type=per_type, catalogue=catalogue)
    _problems(problems)
    _tables(w, catalogue)
    if totals:
        with st.expander("Flow metrics per demand type"):
            _per_type(per_type)
    map_versions.show(w)
    _delete(w)
    with st.expander("YAML"):
        st.code(w.yaml_text, language="yaml", line_numbers=True)
    _save(w)


render()
