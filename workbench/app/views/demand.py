"""Demand page: load a demand sample, check how it was read, and see value vs failure demand."""

from __future__ import annotations

import dataclasses
import functools
from datetime import date
from typing import Any, cast

import pandas as pd
import streamlit as st

from workbench import charts, limits, schema, spc, uploads
from workbench.app import (
    chart,
    classify,
    flow_state,
    keys,
    notices,
    state,
    study,
    suggestions,
    tiles,
    type_editor,
)
from workbench.app.text import literal
from workbench.demand import analysis, end_to_end
from workbench.demand.catalogue import CatalogueError
from workbench.demand.corrections import Correction, CorrectionError, apply_corrections
from workbench.demand.dates import local_zone, zone_name, zone_names
from workbench.demand.load import DATE_ORDERS, DemandFileError, RawTable, suggest_mapping
from workbench.demand.mapping import split_joined
from workbench.demand.reading import HANDLING_UNITS, HandlingUnit
from workbench.eventlog import directly_follows
from workbench.eventlog.observe import observe
from workbench.eventlog.xes import is_xes
from workbench.flow.diagram import to_dot, too_big_to_draw
from workbench.flow.discover import discover
from workbench.flow.model import to_yaml
from workbench.limits import LimitError
from workbench.safe_export import to_csv_bytes
from workbench.store import studies
from workbench.store.studies import ConflictError, StoreError

NOT_IN_FILE = "(not in the file)"
ORDER_LABELS = {"auto": "Work it out", "day-first": "Day first (31/01/2026)", "month-first": "Month first (01/31/2026)"}
EDITOR_ROWS = 500


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


# ------------------------------------------------------------------------------------------- loading


def _catalogue_choice(current: state.Source | None, new_file: object | None) -> tuple[str | None, str | None]:
    """The catalogue to read the demand with: an upload, the one stored with the study, or the sample's."""
    st.markdown("**Demand-type catalogue** (which types are value and which are failure)")
    upload = st.file_uploader("Upload a catalogue (YAML)", type=["yaml", "yml"], key="catalogue_upload")
    if upload is not None:
        try:
            return uploads.accept_text(upload.name, upload.getvalue(), "catalogue"), upload.name
        except LimitError as exc:  # over the upload cap: refused before it is read, the choice below stands
            st.error(f"{literal(exc)} This catalogue was not used.", icon="⚠️")
    saved = state.saved_catalogue()
    if saved is not None:  # the team's own, edited in Demand types: it reads every file of the study
        st.caption(f"This study's catalogue, version {saved.version}" + (f" (saved by {literal(saved.author)})"
                   if saved.author else "") + ": change it in the **Demand types** tab, or upload a file to "
                   "replace it.")
        return saved.yaml_text, f"the study's catalogue, version {saved.version}"
    sample = state.sample_source()
    stored = current.options.catalogue_text if current else None
    if stored and stored != sample.options.catalogue_text:
        if st.checkbox("Use the catalogue stored with this study", value=True, key="use_stored_catalogue"):
            return stored, "catalogue.yaml"
        return None, None
    default = new_file is None and stored is not None and stored == sample.options.catalogue_text
    # one box per file: a tick given to the sample must not carry over to a file of the team's own
    file = getattr(new_file, "file_id", None) or (current.digest[:16] if current else "none")
    if st.checkbox("Use the housing repairs sample catalogue", value=default, key=f"use_sample_catalogue_{file}"):
        return sample.options.catalogue_text, sample.catalogue_name
    return None, None


def _keep_uploaded_catalogue(src: state.Source) -> None:
    """A catalogue file uploaded into a study that has its own catalogue becomes that catalogue's next
    version (so the upload is what the study reads, and the earlier decisions stay in its history)."""
    saved = state.saved_catalogue()
    text = src.options.catalogue_text
    if saved is None or not text or text == saved.yaml_text:
        return
    study.call(studies.save_catalogue, study.require().id, text, study.author(), saved.version,
               f"uploaded {src.catalogue_name or 'a catalogue file'}")


def _new_upload() -> object | None:
    """The file in the upload box, unless it is the one this session already stored in the study."""
    uploaded = st.file_uploader(
        "Upload a demand sample (CSV or Excel) or an event log (CSV, Excel or XES)",
        type=["csv", "txt", "tsv", "xlsx", "xes", "gz"], key="demand_upload",
        help="Any column names: you can say which column is which below. An event log (many rows per case) can "
             f"be read as one demand per case. Up to {limits.UPLOAD_MB.value:,} MB.")
    if uploaded is None or st.session_state.get(keys.DEMAND_UPLOAD_STORED) == uploaded.file_id:
        return None
    return uploaded


def _earlier_files() -> None:
    """Go back to a file the study had before, with the corrections made on it (nothing is ever lost)."""
    current = study.require()
    listed = study.call(studies.list_demand_sources, current.id)
    earlier = listed[1:]
    if not earlier:
        return
    labels = {s.id: f"{s.name}, loaded {s.created_at:%d %b %Y %H:%M} UTC" + (f" by {s.created_by}" if s.created_by
             else "") + f", {n} correction(s)" for s, n in earlier}
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    pick = c1.selectbox("Earlier demand files of this study", list(labels), format_func=labels.__getitem__,
                        key="demand_earlier_pick")
    if c2.button("Use this file again", key="demand_earlier_use", width="stretch"):
        back = study.call(studies.reuse_demand_source, current.id, pick, study.author())
        notices.later(keys.DEMAND_NOTICES, f"{literal(back.name)} is this study's demand again, with its corrections.",
                      "toast")
        st.rerun()


def _data_panel() -> None:
    """Upload, mapping and reading options. Only a load that works replaces what is on screen, and it is
    stored in the study at once."""
    current = state.active_source()
    with st.expander("Data: use the sample or upload your own demand",
                     expanded=current is None or not current.is_sample):
        left, right = st.columns([3, 2])
        with left:
            uploaded = _new_upload()
            if st.button("Use the sample data", disabled=current is not None and current.is_sample):
                state.set_active(state.sample_source())
                notices.later(keys.DEMAND_NOTICES, "The sample data is now this study's demand.", "toast")
                st.rerun()
            _earlier_files()
        with right:
            catalogue_text, catalogue_name = _catalogue_choice(current, uploaded)

        if uploaded is None:
            if current is None:
                st.info("This study has no demand data yet: upload a file, or use the sample data.")
                return
            candidate = current
        else:
            try:
                data = uploads.accept(uploaded.name, uploaded.getvalue(), "demand file")  # type: ignore[attr-defined]
            except LimitError as exc:
                still = f" Still showing: {literal(current.name)}." if current else ""
                st.error(f"{literal(exc)}{still}", icon="⚠️")
                return
            candidate = state.Source(uploaded.name, data)  # type: ignore[attr-defined]
        candidate = dataclasses.replace(candidate, options=candidate.options.updated(catalogue_text=catalogue_text),
                                        catalogue_name=catalogue_name)

        read_as_shown = _mapping_panel(candidate)
        if read_as_shown is None:
            return
        candidate = read_as_shown
        try:
            if candidate.options.catalogue_text:
                state.catalogue_from_text(candidate.options.catalogue_text, candidate.catalogue_name or "catalogue")
            with st.spinner("Reading the demand…"):
                state.load(candidate)
        except (DemandFileError, CatalogueError) as exc:
            still = f"\n\nStill showing: {literal(current.name)}." if current else ""
            st.error(f"{literal(exc)}{still}", icon="⚠️")
            return
        if current is None or candidate.key() != current.key():
            try:
                state.set_active(candidate)
                _keep_uploaded_catalogue(candidate)
            except StoreError as exc:
                st.error(literal(exc), icon="⚠️")
                return
            if uploaded is not None:
                st.session_state[keys.DEMAND_UPLOAD_STORED] = uploaded.file_id  # type: ignore[attr-defined]
            notices.later(keys.DEMAND_NOTICES, f"Saved in the study: {literal(candidate.name)}, read as shown.", "toast")
            st.rerun()


def _mapping_panel(src: state.Source) -> state.Source | None:
    """Sheet, header row, column mapping and date order, with a preview of the file as read."""
    st.markdown("**How the file is read**")
    if is_xes(src.data[:4096], src.name):  # only ever an event log: nothing to map
        st.info("This is an event log (XES): it is read as one demand per case; its cases, activities and times "
                "come from the log's own attributes.", icon=":material/timeline:")
        return dataclasses.replace(src, options=src.options.updated(event_log=True))

    def read(sheet: str | None, header_row: int | None) -> RawTable | None:
        try:
            return state.read_raw(src.digest, src.data, src.name, sheet, header_row)
        except DemandFileError as exc:
            st.error(literal(exc), icon="⚠️")
            return None

    raw = read(src.options.sheet, None)
    if raw is None:
        return None
    as_log = _event_log_choice(src, state.looks_like_log(src.digest, src.data, src.name, src.options.sheet, None))
    if as_log:
        st.caption(f"The file as read ({literal(raw.kind.upper())}):")
        st.dataframe(raw.preview(6), hide_index=True, width="stretch")
        return dataclasses.replace(src, options=src.options.updated(event_log=True))
    opts = st.columns(3)
    sheet = None
    if raw.kind == "excel":
        sheet = opts[0].selectbox("Sheet", raw.sheets, index=raw.sheets.index(raw.sheet) if raw.sheet in raw.sheets else 0,
                                  key=f"sheet_{src.digest}")
    auto_header = raw.header_row
    header = opts[1].number_input("Header is on row", min_value=1, value=src.options.header_row or auto_header, step=1,
                                  key=f"header_{src.digest}_{sheet}")
    order = opts[2].selectbox("Dates are written", DATE_ORDERS, index=DATE_ORDERS.index(src.options.order),
                              format_func=ORDER_LABELS.__getitem__, key=f"order_{src.digest}")
    header_row = None if header == auto_header else int(header)
    if sheet != raw.sheet or header_row is not None:
        raw = read(sheet, header_row)
        if raw is None:
            return None
    suggested = suggest_mapping(raw.columns)
    choices = [NOT_IN_FILE, *raw.columns]
    mapping: dict[str, str | None] = {}
    chosen = split_joined(src.options.mapping, raw.columns)
    no_dates = st.checkbox("No dates in this file", value=src.options.no_dates, key=f"no_dates_{src.digest}",
                           help="Read a file that has no usable date (a complaints export, a survey): counts, "
                                "shares, types and the customers' words work; charts over time and the comparison "
                                "of designs need dates.")
    cols = st.columns(6)
    shown = [f for f in schema.MAPPED_FIELDS if not (no_dates and f in _DATE_FIELDS)]
    for i, fld in enumerate(shown):
        default = chosen[fld] if fld in chosen else suggested.get(fld)
        pick = cols[i % 6].selectbox(
            schema.FIELD_LABELS[fld] + (" (needed)" if fld in schema.REQUIRED_FIELDS else ""),
            choices, index=choices.index(default) if default in choices else 0,
            key=f"map_{fld}_{src.digest}_{raw.header_row}_{raw.sheet}")
        mapping[fld] = None if pick == NOT_IN_FILE else pick
    date_format, zone, unit = _reading_choices(src, no_dates)
    details = [raw.kind.upper(), f"header on row {raw.header_row}"]
    if raw.delimiter:
        details.append("delimiter " + {"\t": "tab"}.get(raw.delimiter, f"'{raw.delimiter}'"))
    if raw.encoding:
        details.append(f"encoding {raw.encoding}")
    st.caption(f"The file as read ({literal(', '.join(details))}):")
    st.dataframe(raw.preview(6), hide_index=True, width="stretch")
    explicit = {f: c for f, c in mapping.items() if c != suggested.get(f)}
    if no_dates:  # what was chosen for the date fields is kept for when the box is cleared
        explicit.update({f: c for f, c in chosen.items() if f in _DATE_FIELDS})
    return dataclasses.replace(src, options=src.options.updated(
        mapping=explicit, date_order=order, sheet=sheet, header_row=header_row, no_dates=no_dates,
        date_format=date_format, timezone=zone, handling_unit=unit, event_log=False))


def _event_log_choice(src: state.Source, looks_like_log: bool) -> bool:
    """Offered only when the file looks like an event log (a case column whose values repeat, and an activity
    column): read it as one demand per case. On by default for a new file that looks like one."""
    if not looks_like_log:
        return False
    st.info("This file looks like an **event log**: several rows per case, each an activity done at a time. Read "
            "row by row, every activity would count as a demand.", icon=":material/timeline:")
    default = src.options.event_log if src.source_id is not None else True
    return st.checkbox("Read as an event log: one demand per case", value=default, key=f"event_log_{src.digest}",
                       help="Each case becomes one demand: received at its first event, resolved at its last. The "
                            "tab 'How the work flows' shows how the work moves between activities.")


_DATE_FIELDS = (schema.RECEIVED_AT, schema.RECEIVED_TIME, schema.RESOLVED_AT, schema.RESOLVED_TIME)
UNIT_LABELS = {None: "Work it out from the column's name", "seconds": "Seconds", "minutes": "Minutes",
               "hours": "Hours"}


def _reading_choices(src: state.Source, no_dates: bool) -> tuple[str | None, str | None, HandlingUnit | None]:
    """The date format, time zone and handling-time unit: set only when Workbench's own reading is wrong."""
    c1, c2, c3 = st.columns(3)
    date_format = c1.text_input(
        "Date format (only if the dates are not read right)", value=src.options.date_format or "",
        key=f"date_format_{src.digest}", disabled=no_dates, placeholder="e.g. %y%m%d for 990201",
        help="strftime codes: %d day, %m month, %y or %Y year, %H hour, %M minute, %S second, %b month name, "
             "%p AM/PM. Leave empty and Workbench works the form out from the column.").strip()
    zones: list[str | None] = [None, *zone_names()]
    current_zone = src.options.timezone if src.options.timezone in zones else None
    zone = c2.selectbox("Times with a UTC offset or 'Z' are shown in", zones, index=zones.index(current_zone),
                        format_func=lambda z: z or f"This computer's time zone ({zone_name(local_zone())})",
                        key=f"timezone_{src.digest}", disabled=no_dates)
    units: list[HandlingUnit | None] = [None, *HANDLING_UNITS]
    unit = c3.selectbox("Handling times are in", units, index=units.index(src.options.handling_unit),
                        format_func=UNIT_LABELS.__getitem__, key=f"handling_unit_{src.digest}")
    return date_format or None, zone, unit


def _report(loaded_report: object, aside: pd.DataFrame) -> None:
    lines = loaded_report.summary_lines()  # type: ignore[attr-defined]
    problems = loaded_report.set_aside or loaded_report.conflict_count or loaded_report.unknown_nature_labels  # type: ignore[attr-defined]
    box = st.warning if problems else st.info
    box("  \n".join(literal(line) for line in lines), icon=":material/fact_check:")
    if len(aside):
        with st.expander(f"Rows set aside ({len(aside):,}): not in the charts"):
            st.dataframe(aside, hide_index=True, width="stretch")


# ------------------------------------------------------------------------------------------- display


def _tiles(view: state.DemandView) -> None:
    h = view.headline
    tiles.show([tiles.Tile("Demands", tiles.count(h.total),
                           f"{h.first} to {h.last}" if h.first else "Read without dates"),
                tiles.Tile("Failure demand share", tiles.percent(h.failure_share),
                           "Failure demand as a share of classified demand (value + failure)"),
                tiles.Tile("Value demand", tiles.count(h.value)),
                tiles.Tile("Failure demand", tiles.count(h.failure)),
                tiles.Tile("Not yet classified", tiles.count(h.unclassified)),
                tiles.Tile("Resolved at first contact", tiles.percent(h.one_stop_share))])


def _overview(view: state.DemandView) -> None:
    left, right = st.columns(2)
    chart.show(left, charts.nature_bar, view.shares)
    chart.show(right, charts.touchpoint_chart, view.touchpoints)
    if analysis.has_dates(view.frame):
        chart.show(st, charts.volume_chart, view.weekly, "Week")


def _types(view: state.DemandView, src: state.Source, corrections: list[Correction]) -> None:
    type_editor.render(src, view.frame, corrections)
    st.markdown("#### The types, most frequent first")
    chart.show(st, charts.pareto_chart, view.types)
    if len(view.causes):
        chart.show(st, charts.causes_chart, view.causes)
    table = view.types.rename(columns={schema.DEMAND_TYPE: "Demand type", schema.NATURE: "Value or failure",
                                       "count": "Demands", "share": "Share", "cumulative_share": "Cumulative"})
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "Share": st.column_config.NumberColumn(format="percent"),
        "Cumulative": st.column_config.NumberColumn(format="percent")})


def _over_time(view: state.DemandView) -> None:
    if not analysis.has_dates(view.frame):
        st.info(analysis.NO_DATES, icon=":material/event_busy:")
        return
    st.markdown("Process behaviour charts: points inside the dashed limits are the system's normal "
                "variation; **red points are signals** that something changed.")
    c1, c2, c3 = st.columns([1, 1, 2])
    period = c1.radio("Per", ["Week", "Day"], horizontal=True, key="spc_period")
    split = c2.checkbox("Before / after a change", key="spc_split")
    split_at = None
    frame = view.weekly if period == "Week" else view.daily
    if split and len(frame) > 3:
        first, last = frame["period_start"].iloc[1].date(), frame["period_start"].iloc[-2].date()
        middle = frame["period_start"].iloc[len(frame) // 2].date()
        picked = c3.date_input("Change made on", value=middle, min_value=first, max_value=last, key="spc_split_date")
        split_at = pd.Timestamp(picked if isinstance(picked, date) else middle)
    share = analysis.behaviour(frame, "failure_share", split_at=split_at)
    closed = analysis.closed_days(frame) if period == "Day" else None  # a closed day is not a day of no demand
    volume = analysis.behaviour(frame[closed.keep] if closed else frame, "total", split_at=split_at)
    label = f"{period} starting" if period == "Week" else "Day"
    chart.show(st, charts.xmr_chart, share, f"Failure demand share per {period.lower()}", "Failure share",
               percent=True, period_label=label)
    chart.show(st, charts.moving_range_chart, share, "Failure share", percent=True)
    chart.show(st, charts.xmr_chart, volume, f"Demands per {period.lower()}", "Demands", period_label=label,
               notes=[closed.words() if closed else None])
    if closed and closed.left_out:
        st.caption(literal(closed.words() or "") + " On the chart of demands per day, a weekday with no demand in "
                   "any week, or a day with none where that weekday usually has plenty (a zero would be very "
                   "unlikely), counts as closed rather than as a day of no demand.")
    signals = share[share["signal"]]
    if len(signals):
        st.caption("Signals in failure share: " + "; ".join(
            f"{cast(pd.Timestamp, idx).date()}: {', '.join(_signal_names(r))}" for idx, r in signals.iterrows()))
    if period == "Week" and (frame["days_covered"] < 7).any():
        st.caption("Weeks only partly in the sample are left out of the volume chart's limits.")


def _signal_names(row: pd.Series) -> list[str]:
    from workbench import spc
    return spc.signal_names(row)


def _days(x: float | None) -> str:
    return "–" if x is None else f"{x:,.1f} days"


def _end_to_end(view: state.DemandView) -> None:
    """The customer's clock from the data: days from the first contact to the need met, per case."""
    e2e = view.end_to_end
    if not e2e.available:
        st.info(e2e.reason or "", icon=":material/event_busy:")
    else:
        _e2e_figures(e2e)
    _repeat_contacts(e2e.repeats)


def _e2e_figures(e2e: end_to_end.EndToEnd) -> None:
    st.markdown("**The customer's clock**: days from a customer's first contact about a need to the need being met, "
                "whatever happened in between. Contacts with the same case id are one need.")
    tiles.show([tiles.Tile("Half of needs met within", tiles.days(e2e.median_days), "The median of the needs met"),
                tiles.Tile("85 in 100 met within", tiles.days(e2e.p85_days), "The 85th percentile of the needs met"),
                tiles.Tile("95 in 100 met within", tiles.days(e2e.p95_days), "The 95th percentile of the needs met"),
                tiles.Tile("Needs still open", tiles.count(e2e.open),
                           "Needs none of whose contacts has a date resolved")])
    as_of = f"{e2e.as_of:%d %b %Y}" if e2e.as_of is not None else "the last date"
    note = (f"{e2e.needs:,} needs: {e2e.met:,} met, {e2e.open:,} still open. ")
    if e2e.open:
        note += (f"The open ones have waited {_days(e2e.open_median_age_days)} so far (the median), the longest "
                 f"{_days(e2e.open_oldest_days)}, counted to {as_of}; they are not in the figures above, which "
                 "would be longer if they were.")
    if e2e.met_before_received:
        note += f" {e2e.met_before_received:,} need(s) resolved before they were received are left out."
    st.caption(note)
    c1, c2, c3 = st.columns([1, 1, 2])
    period = c1.radio("Per", ["Week", "Day"], horizontal=True, key="e2e_period")
    split = c2.checkbox("Before / after a change", key="e2e_split")
    frame = e2e.weekly if period == "Week" else e2e.daily
    split_at = None
    if split and len(frame) > 3:
        first, last = frame["period_start"].iloc[1].date(), frame["period_start"].iloc[-2].date()
        middle = frame["period_start"].iloc[len(frame) // 2].date()
        picked = c3.date_input("Change made on", value=middle, min_value=first, max_value=last, key="e2e_split_date")
        split_at = pd.Timestamp(picked if isinstance(picked, date) else middle)
    too_few = spc.too_few_points(e2e.window, len(frame), period.lower())
    if too_few:  # said in words, never an empty chart
        st.info(literal(too_few), icon=":material/hourglass_empty:")
    else:
        table = end_to_end.capability(frame, split_at=split_at)
        label = f"{period} of arrival" if period == "Week" else "Day arrived"
        chart.show(st, charts.xmr_chart, table, f"Capability: average days to meet a need, by the {period.lower()} "
                   "it arrived", "Average days", period_label=label, number_format=",.1f",
                   notes=[e2e.window.words()])
        chart.show(st, charts.moving_range_chart, table, "Average days", number_format=",.1f")
        centre = (f"Average {table[spc.CENTRE].iloc[-1]:.1f} days, the mean of the {e2e.window.finished:,} needs "
                  "charted" if table[spc.PHASE].nunique() == 1 else
                  f"After the change, average {table[spc.CENTRE].iloc[-1]:.1f} days")
        st.caption(f"{centre}; a {period.lower()}'s average is predictably between {table[spc.LOWER].iloc[-1]:.1f} "
                   f"and {table[spc.UPPER].iloc[-1]:.1f} days. " + literal(e2e.window.words())
                   + (" " + (spc.provisional_note(table) or "")).rstrip())
    left, right = st.columns(2)
    chart.show(left, charts.e2e_histogram, e2e.distribution)
    chart.show(right, charts.e2e_ecdf, e2e.ecdf)
    by = st.radio("Show by", list(end_to_end.GROUP_FIELDS.values()), horizontal=True, key="e2e_by")
    field = next(f for f, label in end_to_end.GROUP_FIELDS.items() if label == by)
    table = e2e.groups[field].rename(columns={
        field: by, "needs": "Needs", "met": "Met", "open": "Still open", "median_days": "Median days",
        "p85_days": "85th percentile", "p95_days": "95th percentile"})
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        c: st.column_config.NumberColumn(format="%.1f") for c in ("Median days", "85th percentile", "95th percentile")})
    st.caption("By the type, touchpoint and value/failure of a need's first contact.")


def _repeat_contacts(rep: end_to_end.Repeats) -> None:
    st.markdown("**Repeat contacts**")
    if not rep.available:
        st.caption(rep.reason or "")
        return
    if not rep.repeats:
        st.caption("No case has more than one contact: there are no repeat contacts.")
        return
    suggested = len(rep.suggested_rows)
    st.markdown(f"{rep.repeats:,} contacts ({_pct(rep.share)} of demand) came after the first contact of "
                f"{rep.cases_with_repeats:,} cases: they are about needs already raised. {rep.already_failure:,} of "
                "them are already counted as failure demand.")
    if suggested:
        st.info(f"These {suggested:,} later contacts are about needs already raised: the team may count them as "
                f"failure demand (cause \"{end_to_end.REPEAT_CAUSE}\"). Nothing is changed until the team "
                "does it, in Customers' words.", icon=":material/lightbulb:")
    table = rep.by_type.rename(columns={schema.DEMAND_TYPE: "Demand type of the later contact",
                                        "repeats": "Later contacts", "already_failure": "Already failure demand",
                                        "suggested": "Suggested"})
    st.dataframe(table, hide_index=True, width="stretch")
    if suggested:
        with st.expander(f"Rows suggested ({suggested:,})"):
            st.text(", ".join(str(r) for r in rep.suggested_rows))


def _handling(view: state.DemandView) -> None:
    has_one_stop = "one_stop_share" in view.by_touchpoint
    has_minutes = "minutes_median" in view.by_touchpoint
    if not (has_one_stop or has_minutes):
        st.info("This file has no 'resolved at first contact' or 'handling minutes' column.")
        return
    by = st.radio("Show by", ["Touchpoint", "Demand type"], horizontal=True, key="handling_by")
    table = view.by_touchpoint if by == "Touchpoint" else view.by_type
    field = schema.TOUCHPOINT if by == "Touchpoint" else schema.DEMAND_TYPE
    left, right = st.columns(2)
    if has_one_stop:
        chart.show(left, charts.one_stop_chart, table, field, by)
    if has_minutes:
        chart.show(right, charts.minutes_chart, table, field, by)


def _words(view: state.DemandView, src: state.Source) -> None:
    """The customers' words, searchable, with type and value/failure correctable in place."""
    frame = view.frame
    f1, f2, f3, f4 = st.columns([2, 2, 1, 1])
    search = f1.text_input("Search the customers' words", key="words_search", placeholder="e.g. boiler")
    types = f2.multiselect("Demand type", sorted(frame[schema.DEMAND_TYPE].dropna().unique().astype(str)),
                           key="words_types")
    natures = f3.multiselect("Value or failure", list(schema.NATURES), key="words_natures")
    touchpoints = f4.multiselect("Touchpoint", sorted(frame[schema.TOUCHPOINT].unique().astype(str)),
                                 key="words_touchpoints")
    mask, editable = _words_rows(frame, search, types, natures, touchpoints)
    st.caption(f"{int(mask.sum()):,} matching demands" + (
        f"; showing the first {EDITOR_ROWS}: narrow the search to see others" if mask.sum() > EDITOR_ROWS else "")
        + ". Change a type or value/failure in the table: the charts follow.")
    catalogue = state.catalogue(src)
    type_options = sorted(set(frame[schema.DEMAND_TYPE].dropna().unique().astype(str))
                          | set(catalogue.names() if catalogue else []))
    cause_options = sorted(set(frame[schema.FAILURE_CAUSE].dropna().unique().astype(str))
                           | {t.cause for t in (catalogue.types if catalogue else []) if t.cause})
    seen_key = keys.correction_versions(src.source_id)
    classify.apply_to_matching(src, frame.loc[mask, [schema.ROW, schema.DEMAND_TYPE, schema.NATURE,
                                                     schema.FAILURE_CAUSE]],
                               type_options, cause_options, st.session_state.get(seen_key, {}))
    version = st.session_state.setdefault(keys.EDITOR_VERSION, 0)
    key = keys.words_editor(version)
    edited = st.data_editor(
        editable, key=key, hide_index=True, width="stretch", height=420,
        column_order=[schema.ROW, schema.CUSTOMER_WORDS, schema.DEMAND_TYPE, schema.NATURE, schema.FAILURE_CAUSE,
                      schema.TOUCHPOINT, schema.RECEIVED_AT],
        disabled=[schema.ROW, schema.RECEIVED_AT, schema.TOUCHPOINT, schema.CUSTOMER_WORDS],
        column_config={
            schema.ROW: st.column_config.NumberColumn("Row", format="%d", width="small"),
            schema.RECEIVED_AT: st.column_config.DatetimeColumn("Received", format="D MMM YYYY, HH:mm"),
            schema.CUSTOMER_WORDS: st.column_config.TextColumn("Customer's words", width="large"),
            schema.TOUCHPOINT: st.column_config.TextColumn("Touchpoint", width="small"),
            schema.DEMAND_TYPE: st.column_config.SelectboxColumn("Demand type", options=type_options),
            schema.NATURE: st.column_config.SelectboxColumn("Value or failure", options=list(schema.NATURES),
                                                            width="small"),
            schema.FAILURE_CAUSE: st.column_config.SelectboxColumn("Failure cause", options=cause_options),
        })
    changes = _changes(editable, edited)
    if changes:
        try:
            apply_corrections(frame, changes, catalogue)
        except CorrectionError as exc:
            st.error(literal(exc))
        else:
            _save_corrections(src, changes, editable, st.session_state.get(seen_key, {}))
            st.session_state[keys.EDITOR_VERSION] = version + 1
            st.rerun()
    # what this page shows now is what the next correction is made from
    st.session_state[seen_key] = state.correction_versions(src)
    _saved_status(src)


WORDS_FILTERS = ("words_search", "words_types", "words_natures", "words_touchpoints")  # the filters' widget keys


def _words_rows(frame: pd.DataFrame, search: str, types: list[str], natures: list[str], touchpoints: list[str]
                ) -> tuple[pd.Series, pd.DataFrame]:
    """The rows the filters match (a mask of `frame`), and the first EDITOR_ROWS of them as the table shows them."""
    mask = pd.Series(True, index=frame.index)
    if search:
        mask &= frame[schema.CUSTOMER_WORDS].str.contains(search, case=False, regex=False, na=False)
    if types:
        mask &= frame[schema.DEMAND_TYPE].astype(str).isin(types)
    if natures:
        mask &= frame[schema.NATURE].isin(natures)
    if touchpoints:
        mask &= frame[schema.TOUCHPOINT].astype(str).isin(touchpoints)
    shown = frame.loc[mask, [schema.ROW, schema.RECEIVED_AT, schema.TOUCHPOINT, schema.CUSTOMER_WORDS,
                             schema.DEMAND_TYPE, schema.NATURE, schema.FAILURE_CAUSE]].head(EDITOR_ROWS)
    editable = shown.astype({schema.DEMAND_TYPE: "object", schema.NATURE: "object",
                             schema.FAILURE_CAUSE: "object"}).reset_index(drop=True)
    return mask, editable


def _save_pending_correction(view: state.DemandView, src: state.Source) -> None:
    """A cell changed in the customers' words table is saved before the page is drawn, and the page is drawn once,
    with it. Drawing every tab from the data as it was before the change, only to draw it all again after the
    save, doubled the time a correction took. The rows are the ones the table showed (the same filters,
    from their widgets' state); anything unusual (a change the catalogue refuses, the filters not set yet) is left
    to the table itself, which reports it where the person made it."""
    try:
        delta = st.session_state.get(keys.words_editor(st.session_state.get(keys.EDITOR_VERSION, 0)))
    except Exception:  # noqa: BLE001 - the table's state not readable before it is drawn: the table handles it
        return
    if not isinstance(delta, dict) or not delta.get("edited_rows") or delta.get("added_rows") \
            or delta.get("deleted_rows"):
        return
    search, types, natures, touchpoints = (st.session_state.get(k) for k in WORDS_FILTERS)
    if search is None or not (isinstance(types, list) and isinstance(natures, list)
                              and isinstance(touchpoints, list)):
        return
    _, editable = _words_rows(view.frame, str(search), types, natures, touchpoints)
    edited = editable.copy()
    for pos, cells in delta["edited_rows"].items():
        if not str(pos).isdigit() or int(pos) >= len(edited) or not isinstance(cells, dict):
            return
        for fld, value in cells.items():
            if fld not in (schema.DEMAND_TYPE, schema.NATURE, schema.FAILURE_CAUSE):
                return
            edited.at[int(pos), fld] = value
    changes = _changes(editable, edited)
    if not changes:
        return
    try:
        apply_corrections(view.frame, changes, state.catalogue(src))
    except CorrectionError:
        return  # the table shows why, in place
    seen_key = keys.correction_versions(src.source_id)
    _save_corrections(src, changes, editable, st.session_state.get(seen_key, {}))
    # A new table (its key moves on) and the rest of this same run draw the page with the correction: the
    # study is read afresh after a write, so no second run of the script is needed.
    st.session_state[keys.EDITOR_VERSION] = st.session_state.get(keys.EDITOR_VERSION, 0) + 1


def _save_before_drawing() -> None:
    """A correction made in the customers' words table is saved first thing, before even the file panel is
    drawn: the run that saves it stops there and the next draws the page once, with it."""
    src = state.active_source()
    if src is None:
        return
    try:
        view = state.view(src, state.corrections(src))  # as drawn before the change: cached
    except (DemandFileError, CatalogueError, ValueError):
        return  # the page says why, below
    _save_pending_correction(view, src)


def _classify_together(view: state.DemandView, src: state.Source, corrections: list[Correction]) -> None:
    """Workshop mode: one customer's words at a time, the team's decision, the next one."""
    frame = view.frame
    catalogue = state.catalogue(src)
    type_options = sorted(set(frame[schema.DEMAND_TYPE].dropna().unique().astype(str))
                          | set(catalogue.names() if catalogue else []))
    cause_options = sorted(set(frame[schema.FAILURE_CAUSE].dropna().unique().astype(str))
                           | {t.cause for t in (catalogue.types if catalogue else []) if t.cause})
    suggestions.render(src, frame, corrections)
    st.markdown("#### One at a time")
    st.caption("For the room: one customer's words at a time, large enough for the projector. Decide value or "
               "failure (and the type and cause); the next demand not yet classified follows at once.")
    classify.workshop(src, frame, type_options, cause_options)


def _save_corrections(src: state.Source, changes: list[Correction], shown: pd.DataFrame,
                      seen: dict[tuple[int, str], int]) -> None:
    """Write each correction at once, from the version the page showed; a clash is reported, not forced."""
    current = study.require()
    shown_by_row = shown.set_index(schema.ROW)
    saved, refused = 0, []
    for c in changes:
        before: Any = shown_by_row.at[c.row, c.field] if c.row in shown_by_row.index else None
        try:
            study.call(studies.add_correction, current.id, c.row, c.field, c.value, study.author(),
                       seen.get((c.row, c.field), 0), before=None if pd.isna(before) else str(before),
                       source_id=src.source_id)
            saved += 1
        except ConflictError as exc:
            refused.append(literal(exc))
        except StoreError as exc:
            refused.append(literal(exc))
    if saved:
        notices.later(keys.DEMAND_NOTICES, f"Saved {saved} correction(s) in the study.", "toast")
    for message in refused:
        notices.later(keys.CORRECTION_NOTICES, literal(message), "error")


def _saved_status(src: state.Source) -> None:
    current = study.require()
    log = state.correction_log(src)
    notices.show(keys.CORRECTION_NOTICES)
    if not log:
        return
    last = log[-1]
    who = last.author or "someone"
    c1, c2 = st.columns([4, 1])
    c1.success(f"Saved: {len(log)} correction(s) in this study, the charts include them. Latest: row {last.row} "
               f"by {literal(who)} at {last.created_at:%H:%M} UTC, {last.created_at:%d %b}.", icon=":material/cloud_done:")
    mine = [r for r in log if r.author == study.author()]
    if c2.button("Undo my last correction", disabled=not mine,
                 help="Takes back your last change: one row, or every row of one 'apply to all' or accept"):
        try:
            undone = study.call(studies.undo_last, current.id, study.author(), src.source_id)
        except StoreError as exc:
            notices.later(keys.CORRECTION_NOTICES, literal(exc), "error")
        else:
            if len(undone.saved) == 1:
                one = undone.saved[0]
                notices.later(keys.DEMAND_NOTICES, f"Undone: row {one.row} is back to '{literal(one.after)}'.",
                              "toast")
            elif undone.saved:
                notices.later(keys.DEMAND_NOTICES, f"Undone: {len(undone.saved):,} corrections made together are "
                                                   "back as they were.", "toast")
            for message in undone.refused[:5]:
                notices.later(keys.CORRECTION_NOTICES, literal(message), "error")
        st.session_state[keys.EDITOR_VERSION] = st.session_state.get(keys.EDITOR_VERSION, 0) + 1
        st.rerun()
    _history(log, src)


HISTORY_SHOWN = 500  # corrections listed on the page, newest first (the download has them all)


def _history_table(log: list[studies.CorrectionRecord]) -> pd.DataFrame:
    return pd.DataFrame([{
        "When": r.created_at.strftime("%d %b %Y %H:%M UTC"), "Who": r.author or "–", "Row": r.row,
        "What": schema.FIELD_LABELS.get(r.field, r.field), "From": r.before or "", "To": r.after,
        "How": r.note or "one by one",
    } for r in reversed(log)], columns=["When", "Who", "Row", "What", "From", "To", "How"])


def _history(log: list[studies.CorrectionRecord], src: state.Source) -> None:
    """Every correction of this file, newest first: who changed what, when, from what to what, and how."""
    with st.expander(f"Corrections made ({len(log):,}): who changed what"):
        table = _history_table(log[-HISTORY_SHOWN:])
        st.dataframe(table, hide_index=True, width="stretch", height=min(36 * (len(table) + 1), 320))
        if len(log) > HISTORY_SHOWN:
            st.caption(f"The latest {HISTORY_SHOWN} of {len(log):,}; the download has them all.")
        stem = src.name.rsplit(".", 1)[0].replace(" ", "_").lower()
        # made on the click: a study with thousands of corrections does not pay for the file on every rerun
        st.download_button("Download the corrections (CSV)", functools.partial(_history_csv, log),
                           file_name=f"{stem}_corrections.csv", mime="text/csv", on_click="ignore",
                           icon=":material/download:")


def _history_csv(log: list[studies.CorrectionRecord]) -> bytes:
    return to_csv_bytes(_history_table(log))


def _changes(before: pd.DataFrame, after: pd.DataFrame) -> list[Correction]:
    out = []
    rows = before[schema.ROW].to_numpy()
    for fld in (schema.DEMAND_TYPE, schema.NATURE, schema.FAILURE_CAUSE):
        old = before[fld].fillna("").astype(str).to_numpy()
        new = after[fld].fillna("").astype(str).to_numpy()
        for pos in (old != new).nonzero()[0]:
            out.append(Correction(int(rows[pos]), fld, str(new[pos])))
    return out


def _downloads(src: state.Source, corrections: list[Correction]) -> None:
    # Made on the click, in a thread of their own (no Streamlit calls there): drawing the page never pays for them
    # (an Excel file of 100,000 rows takes openpyxl tens of seconds). No rerun on the click ("ignore"): a rerun
    # registers the files afresh and could drop the one the browser is fetching (about half the downloads were
    # lost that way in the browser test).
    key, corrected = src.key(), tuple(corrections)
    csv_bytes = functools.partial(state.download_csv, key, corrected, src)
    xlsx_bytes = functools.partial(state.download_xlsx, key, corrected, src)
    stem = src.name.rsplit(".", 1)[0].replace(" ", "_").lower()
    st.markdown("The cleaned, classified demand, with your corrections. Safe to open in Excel.")
    c1, c2 = st.columns(2)
    c1.download_button("Download CSV", csv_bytes, file_name=f"{stem}_classified.csv", mime="text/csv",
                       on_click="ignore", icon=":material/download:")
    c2.download_button("Download Excel", xlsx_bytes, file_name=f"{stem}_classified.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore", icon=":material/download:")


# ------------------------------------------------------------------------------------- event logs

FLOW_TAB = "How the work flows"


@st.cache_data(show_spinner=False, max_entries=8)
def _transitions(key: tuple[object, ...], _src: state.Source) -> pd.DataFrame:
    return directly_follows(state.event_log(_src))


@st.cache_data(show_spinner=False, max_entries=8)
def _draft(key: tuple[object, ...], min_share: float, name: str, _src: state.Source) -> tuple[str, str, str]:
    """The map discovered from the log: its YAML, its diagram (dot; "" when too big, with the reason)."""
    m = discover(observe(state.event_log(_src)), name, min_share=min_share)
    too_big = too_big_to_draw(m)
    return to_yaml(m), "" if too_big else to_dot(m), too_big


def _log_name(src: state.Source) -> str:
    name = src.name
    for ending in (".xes.gz", ".csv", ".txt", ".tsv", ".xlsx", ".xes", ".gz"):
        if name.lower().endswith(ending):
            return name[: -len(ending)] or name
    return name


def _how_work_flows(src: state.Source) -> None:
    """The directly-follows view of the log, and a draft process map discovered from it."""
    try:
        log = state.event_log(src)
        transitions = _transitions(src.key(), src)
    except (DemandFileError, ValueError) as exc:
        st.warning(literal(exc), icon=":material/error:")
        return
    st.markdown(f"{log.cases:,} cases, {len(log.events):,} events. Which activity follows which, how often, and "
                "how long the work waited in between. *(start)* and *(end)* mark a case's first and last activity.")
    percent = st.slider("Show paths used by at least X% of the cases leaving an activity", 0, 50, 5, step=1,
                        key=keys.LOG_MIN_SHARE, format="%d%%",
                        help="Like Disco's paths slider: a path taken by fewer of the cases leaving an activity is "
                             "folded into that activity's most frequent path in the draft map.")
    table = transitions.head(TRANSITIONS_SHOWN).rename(columns={
        "from": "From", "to": "To", "count": "Times", "median_wait_hours": "Median wait (hours)"})
    # no wait into (start) or out to (end): said in words, never a blank 'None' cell
    waits = table["Median wait (hours)"]
    table["Median wait (hours)"] = [f"{w:,.1f}" if pd.notna(w) else "– (start or end)" for w in waits]
    # the figures first: activity names are long, and after them the counts and waits were scrolled out of view
    st.dataframe(table, hide_index=True, width="stretch", column_order=TRANSITION_COLUMNS)
    if len(transitions) > TRANSITIONS_SHOWN:
        st.caption(f"The {TRANSITIONS_SHOWN} most frequent of {len(transitions):,} transitions.")
    name = f"{_log_name(src)} (discovered)"
    try:
        yaml_text, dot, too_big = _draft(src.key(), percent / 100, name, src)
    except (DemandFileError, ValueError) as exc:
        st.warning(f"No map could be drafted from this log: {literal(exc)}", icon=":material/error:")
        return
    st.markdown("**The draft map** (as-is, discovered from the log: check it with the people who do the work)")
    if dot:
        st.graphviz_chart(dot, width="stretch")
    else:
        st.info(literal(too_big))
    if st.button("Create a draft map from this log", key=keys.LOG_CREATE_MAP, icon=":material/account_tree:"):
        current = study.require()
        try:
            created = flow_state.add_text_to_study(current.id, yaml_text, name,
                                                   f"discovered from {_log_name(src)}")
            flow_state.open_study_map(created)
        except (StoreError, ValueError) as exc:  # ValueError: a map the store refuses (MapFileError)
            st.error(literal(exc), icon="⚠️")
            return
        st.session_state[keys.LOG_MAP_MADE] = created
    made = st.session_state.get(keys.LOG_MAP_MADE)
    if made:
        st.success(f"Saved in the study as the map '{literal(made)}'. Open it on the Flow page to check and edit "
                   "it.", icon=":material/cloud_done:")
        st.page_link("views/flow.py", label="Open it on the Flow page", icon=":material/account_tree:")


TRANSITIONS_SHOWN = 20
TRANSITION_COLUMNS = ("Times", "Median wait (hours)", "From", "To")  # as shown, left to right


def render() -> None:
    st.title("Demand")
    st.caption("What do customers ask of us, and how much of it is caused by our own failures?")
    current = study.require()
    _save_before_drawing()
    _data_panel()
    notices.show(keys.DEMAND_NOTICES)
    src = state.active_source()
    if src is None:
        return
    try:
        loaded = state.load(src)
        corrections = state.corrections(src)
        view = state.view(src, corrections)
    except (DemandFileError, CatalogueError, ValueError) as exc:  # ValueError: limits.LimitError too
        # a stored file that no longer reads (an older Workbench, a lower limit): the page above still works
        st.warning(f"The study's demand file {literal(src.name)} cannot be read now, so nothing of it is shown: "
                   f"{literal(exc)} Load it again, or another file, above.", icon=":material/error:")
        return
    st.subheader(literal(src.name) + (" (sample)" if src.is_sample else ""))
    st.caption(f"Study: **{literal(current.name)}**")
    _report(loaded.report, loaded.set_aside_rows)
    _tiles(view)
    labels = ["Overview", "Demand types", "Over time", "End to end", "Handling", "Customers' words",
              "Classify together", "Download"]
    if src.options.event_log:
        labels.append(FLOW_TAB)
    tabs = st.tabs(labels)
    with tabs[0]:
        _overview(view)
    with tabs[1]:
        _types(view, src, corrections)
    with tabs[2]:
        _over_time(view)
    with tabs[3]:
        _end_to_end(view)
    with tabs[4]:
        _handling(view)
    with tabs[5]:
        _words(view, src)
    with tabs[6]:
        _classify_together(view, src, corrections)
    with tabs[7]:
        _downloads(src, corrections)
    if src.options.event_log:
        with tabs[8]:
            _how_work_flows(src)


render()
