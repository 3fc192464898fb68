"""Reading an event log (many rows per case) into events in time order within each case, with a report.

CSV and Excel go through the demand reader (`workbench.demand.read.read_table`: encodings, delimiters,
header row, limits), XES through `workbench.eventlog.xes`; timestamps through the demand loader's date
reader (`workbench.demand.dates.read_dates`), so every date form, order and zone option works the same.
Nothing is dropped silently: rows without a case id or a readable timestamp are set aside with their row
numbers, duplicate events are counted and dropped, events out of time order are sorted and counted.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from workbench.demand.dates import date_note, read_dates, unreadable_reason
from workbench.demand.labels import fold
from workbench.demand.read import GZIP_MAGIC, gunzip, read_source, read_table
from workbench.demand.reading import ReadOptions
from workbench.demand.report import DemandFileError, SetAsideRow
from workbench.eventlog import columns as C
from workbench.eventlog.xes import is_xes, read_xes


class EventLogError(DemandFileError):
    """An event log that cannot be used at all; one plain sentence naming the file."""


EVENT_COLUMNS: tuple[str, ...] = ("row", C.CASE, C.ACTIVITY, C.TIMESTAMP, C.START, C.RESOURCE, C.ROLE, C.LIFECYCLE,
                                  C.TOUCHPOINT, C.DEMAND_TYPE, C.CUSTOMER_WORDS)


@dataclass
class LogReport:
    source: str
    kind: str  # csv, excel, xes
    events_read: int = 0
    set_aside: list[SetAsideRow] = field(default_factory=list)
    duplicates: int = 0
    out_of_order_events: int = 0
    out_of_order_cases: int = 0
    single_event_cases: int = 0
    not_complete: int = 0  # events whose lifecycle is not 'complete' (used for timing, not for the sequence)
    mapping: dict[str, str] = field(default_factory=dict)
    date_notes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def events_used(self) -> int:
        return self.events_read - len(self.set_aside) - self.duplicates

    def summary_lines(self) -> list[str]:
        """The report in plain words."""
        lines = [f"{self.source}: {self.events_read:,} events read, {self.events_used:,} used."]
        lines.append("Columns: " + ", ".join(f"{fld} = '{col}'" for fld, col in self.mapping.items()) + ".")
        reasons: dict[str, list[int]] = {}
        for s in self.set_aside:
            reasons.setdefault(s.reason.split(":")[0], []).append(s.row)
        for reason, rows in reasons.items():
            shown = ", ".join(str(r) for r in rows[:10]) + (f" and {len(rows) - 10:,} more" if len(rows) > 10 else "")
            lines.append(f"{len(rows):,} row(s) set aside, {reason} (rows {shown}).")
        if self.duplicates:
            lines.append(f"{self.duplicates:,} duplicate event(s) (same case, activity, time and resource) were "
                         "dropped.")
        if self.out_of_order_events:
            lines.append(f"{self.out_of_order_events:,} event(s) in {self.out_of_order_cases:,} case(s) were "
                         "listed out of time order; they were put in time order.")
        if self.not_complete:
            lines.append(f"{self.not_complete:,} event(s) mark the start (or another stage) of an activity, "
                         "not its completion: they count for the case's times, not for its sequence.")
        if self.single_event_cases:
            lines.append(f"{self.single_event_cases:,} case(s) have a single event.")
        return [*lines, *self.date_notes, *self.notes]

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "kind": self.kind, "events_read": self.events_read,
                "events_used": self.events_used,
                "set_aside": [{"row": s.row, "reason": s.reason} for s in self.set_aside],
                "duplicates": self.duplicates, "out_of_order_events": self.out_of_order_events,
                "out_of_order_cases": self.out_of_order_cases, "single_event_cases": self.single_event_cases,
                "not_complete": self.not_complete, "mapping": self.mapping, "date_notes": self.date_notes,
                "notes": self.notes}


@dataclass
class EventLog:
    """Events sorted by case (in order of first appearance) then time; `events` has `EVENT_COLUMNS` plus
    `case_code` (0.. per case) and `complete` (whether the event belongs to the activity sequence)."""

    events: pd.DataFrame
    report: LogReport

    @property
    def cases(self) -> int:
        return int(self.events["case_code"].max()) + 1 if len(self.events) else 0


def _text(values: pd.Series) -> pd.Series:
    return values.astype("str").fillna("").str.strip().reset_index(drop=True)


def _encode(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A text column as integer codes (in order of first appearance; -1 for blank) and the distinct values,
    trimmed. Arrow-backed text (the CSV reader's) is encoded as it is and only its few distinct values are
    trimmed, then merged where trimming made two the same; anything else goes through pandas."""
    array = values.array
    arrow = getattr(array, "_pa_array", None)
    if arrow is None:
        text = _text(values)
        codes, names = pd.factorize(text.where(text != "", None))
        return codes.astype(np.int32), np.asarray(names, dtype=object)
    encoded = pc.dictionary_encode(arrow).combine_chunks()
    indices = encoded.indices
    raw = indices.fill_null(-1) if indices.null_count else indices
    codes = raw.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    trimmed = pc.utf8_trim_whitespace(encoded.dictionary).to_numpy(zero_copy_only=False).astype(object)
    blank = trimmed == ""
    merged, names = pd.factorize(pd.Series(np.where(blank, None, trimmed), dtype=object))  # blank takes -1
    if len(names) < len(trimmed) or blank.any():  # first appearance is kept: the dictionary is in that order
        lookup = np.append(merged.astype(np.int32), np.int32(-1))  # the last entry for a null index (-1)
        codes = lookup[codes]
    return codes, np.asarray(names, dtype=object)


def _columns(frame: pd.DataFrame, mapping: dict[str, Any], source: str) -> dict[str, str]:
    names = [str(c) for c in frame.columns]
    unknown = [f for f in mapping if f not in C.LOG_FIELDS]
    if unknown:
        raise EventLogError(f"{source}: not a field of an event log: {', '.join(unknown)}; the fields are "
                            f"{', '.join(C.LOG_FIELDS)}.")
    cols = {f: c for f, c in C.guess_columns(names).items() if c not in {v for v in mapping.values() if v}}
    for fld, col in mapping.items():
        if col in (None, ""):
            cols.pop(fld, None)
        elif col not in names:
            raise EventLogError(f"{source}: there is no column '{col}' (for {fld}); the columns are "
                                f"{', '.join(names[:30])}.")
        else:
            cols[fld] = col
    missing = [f for f in C.REQUIRED_LOG_FIELDS if f not in cols]
    if missing:
        raise EventLogError(f"{source}: no {' and no '.join(missing)} column was recognised; name it with "
                            f"--map {missing[0]}=COLUMN (the columns are {', '.join(names[:30])}).")
    return {f: cols[f] for f in C.LOG_FIELDS if f in cols}


def read_log(source: str | Path | bytes, name: str | None = None, options: ReadOptions | None = None) -> EventLog:
    """Read a CSV, Excel or XES event log with the reading options (sheet, header row, mapping of the log
    fields, date order, date format, time zone)."""
    options = options or ReadOptions()
    if options.no_dates:
        raise EventLogError(f"{name or source if isinstance(source, (str, Path)) else name or 'upload'}: an event "
                            "log cannot be read without dates: its timestamps put each case's events in order.")
    try:
        data, name = read_source(source, name)  # the byte limit, a missing file: as for a demand file
    except DemandFileError as exc:
        raise EventLogError(str(exc)) from None
    notes: list[str] = []
    if data and is_xes(data, name):
        frame, rows = read_xes(data, name)
        kind = "xes"
    else:
        if data[:2] == GZIP_MAGIC:  # a .csv.gz: read as the CSV it holds (bounded, as XES .gz)
            try:
                data = gunzip(data, name)
            except DemandFileError as exc:
                raise EventLogError(str(exc)) from None
            notes.append(f"Unpacked from gzip: {len(data):,} bytes of CSV.")
        header_row = options.header_row
        if header_row is None and data[:2] != b"PK":
            header_row = _log_header_row(data)
        table = read_table(data, name, sheet=options.sheet, header_row=header_row)
        frame, rows, kind = table.frame, np.asarray(table.rows, dtype=np.int64), table.kind
    frame, rows, options, history_note = _status_history(frame, np.asarray(rows, dtype=np.int64), options)
    log = events_from_table(frame, rows, name, kind, options)
    log.report.notes[:0] = [*notes, *([history_note] if history_note else [])]
    return log


def _status_history(frame: pd.DataFrame, rows: np.ndarray, options: ReadOptions
                    ) -> tuple[pd.DataFrame, np.ndarray, ReadOptions, str | None]:
    """A history export (one row per change of one field: Salesforce's Case History report, ServiceNow's
    sys_audit, Jira's changelog, Zendesk's ticket events) read as the event log of its status field: the rows
    that change the status, with the new value as the activity, and the rows that record the creation of the
    case, as 'Created'. Anything else is left as it is (a table with an activity column, or one where no row
    changes the status, or an activity named with --map)."""
    if options.mapping.get(C.ACTIVITY):
        return frame, rows, options, None
    found = C.history_columns([str(c) for c in frame.columns])
    if found is None:
        return frame, rows, options, None
    field_col, new_col = found
    fields = _text(frame[field_col])
    status = fields.map(C.is_status_field).to_numpy(dtype=bool)
    if not status.any():
        return frame, rows, options, None
    created = fields.map(C.is_created_event).to_numpy(dtype=bool)
    keep = status | created
    blank = (fields == "").to_numpy()
    others = fields[~keep & ~blank]
    kept = frame[keep].reset_index(drop=True)
    activity = _text(frame[new_col])[keep].reset_index(drop=True)
    kept[new_col] = activity.where(~pd.Series(created[keep]), C.CREATED)
    mapping = [(f, c) for f, c in options.mapping_pairs if f != C.ACTIVITY] + [(C.ACTIVITY, new_col)]
    shown = ", ".join(f"'{v}'" for v in others.value_counts().index[:5])
    note = (f"A history export (one row per change of a field): read as the history of its status, "
            f"{int(status.sum()):,} row(s) where '{field_col}' is the status, with '{new_col}' (the new status) "
            "as the activity" + (f", and {int(created.sum()):,} row(s) recording the creation of a case as "
                                 f"'{C.CREATED}'" if created.any() else "") + ".")
    if len(others):
        note += f" Left out: {len(others):,} row(s) changing other fields ({shown})."
    if blank.any():
        note += f" Left out: {int(blank.sum()):,} row(s) naming no field (blank lines, report totals or footers)."
    return kept, rows[keep], replace(options, mapping_pairs=tuple(mapping)), note


def _log_header_row(data: bytes) -> int | None:
    """The header's row in a CSV log, as a spreadsheet numbers it: the line among the first 30 naming most
    log fields (at least two), else None (the demand reader finds it). The demand reader's own choice looks
    for demand fields, which a log may not name at all ('case:concept:name', 'concept:name')."""
    head = data[:65536]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[:30]
    if not lines:
        return None
    delimiter = max((",", ";", "\t", "|"), key=lambda d: lines[0].count(d))
    best, best_score = None, 1
    for i, line in enumerate(lines):
        cells = next(csv.reader([line], delimiter=delimiter), [])
        score = len({m[0] for m in map(C.log_field_for, cells) if m and m[0] in C.REQUIRED_LOG_FIELDS})
        if score > best_score:
            best, best_score = i + 1, score
    return best


def events_from_table(frame: pd.DataFrame, rows: np.ndarray, source: str, kind: str,
                      options: ReadOptions | None = None) -> EventLog:
    """The events of a table already read (the file's own columns), checked and in time order."""
    options = options or ReadOptions()
    cols = _columns(frame, options.mapping, source)
    report = LogReport(source, kind, events_read=len(frame), mapping=dict(cols))
    if len(frame) == 0:
        raise EventLogError(f"{source}: the file holds no events.")
    rows = np.asarray(rows, dtype=np.int64)
    case_codes, case_names = _encode(frame[cols[C.CASE]])
    reading = read_dates(frame[cols[C.TIMESTAMP]].reset_index(drop=True), options.order, options.timezone,
                         options.date_format)
    stamps = pd.Series(reading.values).reset_index(drop=True)
    report.date_notes = date_note(reading, cols[C.TIMESTAMP])
    no_case = case_codes < 0
    no_time = stamps.isna().to_numpy() & ~no_case
    if int(no_time.sum()) > max(0.5 * (len(frame) - int(no_case.sum())), 0) and reading.read == 0:
        examples = _text(frame[cols[C.TIMESTAMP]])[no_time].head(3).tolist()
        raise EventLogError(f"{source}: none of the timestamps in '{cols[C.TIMESTAMP]}' could be read (it holds "
                            + ", ".join(f"'{e}'" for e in examples) + "); name the timestamp column with "
                            "--map timestamp=COLUMN or give its format with --date-format.")
    for i in np.flatnonzero(no_case):
        report.set_aside.append(SetAsideRow(int(rows[i]), f"no case id: '{cols[C.CASE]}' is blank", cols[C.CASE]))
    if no_time.any():
        raw_time = _text(frame[cols[C.TIMESTAMP]])
        for i in np.flatnonzero(no_time):
            report.set_aside.append(SetAsideRow(int(rows[i]), unreadable_reason(str(raw_time.iat[int(i)]),
                                                                                cols[C.TIMESTAMP], reading.order),
                                                cols[C.TIMESTAMP]))
    report.set_aside.sort(key=lambda s: s.row)
    keep = ~(no_case | no_time)
    everything = bool(keep.all())

    def kept(values: np.ndarray) -> np.ndarray:
        return values if everything else values[keep]

    row = kept(rows)
    ts = kept(stamps.to_numpy(dtype="datetime64[ns]"))
    if not len(row):
        raise EventLogError(f"{source}: no event has both a case id and a readable timestamp.")
    started = np.full(len(row), np.datetime64("NaT"), dtype="datetime64[ns]")
    if C.START in cols:
        started = read_dates(frame[cols[C.START]].reset_index(drop=True), reading.order
                             if reading.order in ("day-first", "month-first") else options.order,
                             options.timezone, options.date_format).values.to_numpy(dtype="datetime64[ns]")
        given = (_text(frame[cols[C.START]]) != "").to_numpy()
        unread = int((given & np.isnat(started) & keep).sum())
        if unread:
            report.notes.append(f"{unread:,} start time(s) in '{cols[C.START]}' could not be read and were left "
                                "blank.")
        started = kept(started)
        after = started > ts
        if after.any():
            started = np.where(after, np.datetime64("NaT"), started)
            report.notes.append(f"{int(after.sum()):,} event(s) start after they complete; their start time "
                                "was left blank.")
    text: dict[str, tuple[np.ndarray, np.ndarray]] = {C.CASE: (kept(case_codes), case_names)}
    for fld in (C.ACTIVITY, C.RESOURCE, C.ROLE, C.LIFECYCLE, C.TOUCHPOINT, C.DEMAND_TYPE, C.CUSTOMER_WORDS):
        if fld in cols:
            codes, names = _encode(frame[cols[fld]])
            text[fld] = (kept(codes), names)
        else:
            text[fld] = (np.full(len(row), -1, np.int8), np.empty(0, dtype=object))
    act_codes, act_names = text[C.ACTIVITY]
    blank_activity = int((act_codes < 0).sum())
    if blank_activity:
        text[C.ACTIVITY] = (np.where(act_codes < 0, len(act_names), act_codes), np.append(act_names, "(no activity)"))
        report.notes.append(f"{blank_activity:,} event(s) have no activity; shown as '(no activity)'.")
    take, case_code = _order(ts.view(np.int64), text, report)

    def put(values: np.ndarray) -> np.ndarray:
        if take is None:
            return values
        return take.apply(values) if isinstance(take, _Patch) else values[take]

    out: dict[str, Any] = {"row": put(row), C.TIMESTAMP: put(ts), C.START: put(started)}
    for fld, (codes, names) in text.items():
        out[fld] = pd.Categorical.from_codes(put(codes), categories=pd.Index(names, dtype=object), validate=False)
    events = pd.DataFrame(out, copy=False)  # no copy into 2-D blocks: the arrays are new
    events["case_code"] = case_code
    return EventLog(_lifecycle(events, report), report)


def _numbered(codes: np.ndarray) -> np.ndarray:
    """Case codes numbered 0.. in order of first appearance (Arrow's and pandas' encodings already are, but
    rows set aside can leave gaps)."""
    seen_max = np.maximum.accumulate(codes)
    if len(codes) and codes[0] == 0 and bool((codes[1:] <= seen_max[:-1] + 1).all()):
        return codes
    renumbered, _ = pd.factorize(codes)
    return renumbered.astype(np.int32)


@dataclass(frozen=True)
class _Patch:
    """A reordering that moves few events: the events at positions `at` take the values at `source`."""

    at: np.ndarray
    source: np.ndarray

    def apply(self, values: np.ndarray) -> np.ndarray:
        out = values.copy()
        out[self.at] = values[self.source]
        return out

    def map(self, positions: np.ndarray) -> np.ndarray:
        """Where the events at `positions` (after the reordering) were before it."""
        out = positions.copy()
        j = np.searchsorted(self.at, positions)
        hit = j < len(self.at)
        hit[hit] = self.at[j[hit]] == positions[hit]
        out[hit] = self.source[j[hit]]
        return out


def _order(ts: np.ndarray, text: dict[str, tuple[np.ndarray, np.ndarray]], report: LogReport
           ) -> tuple[np.ndarray | _Patch | None, np.ndarray]:
    """Which events to keep, in which order (an index, a `_Patch`, or None: all, as listed), and their case
    codes in that order: duplicates (same case, time, activity, resource and lifecycle) dropped, keeping the
    first listed; events sorted by case (in order of first appearance) then time, file order breaking ties.
    How many events were out of time order within their case (listed earlier than the one before) is
    counted, duplicates aside.

    Work is done where it is needed: an export that lists each case's events together (most do) is not
    sorted by case, only the cases with an event out of order are sorted by time (and only their events
    move), and only events that share their case and time with another are checked for duplicates."""
    case = _numbered(text[C.CASE][0].astype(np.int32, copy=False))
    n = len(case)
    grouped = bool((case[1:] >= case[:-1]).all())
    by_case = None if grouped else np.argsort(case, kind="stable")
    c = case if by_case is None else case[by_case]  # the case codes in by-case order (ascending)
    t = ts if by_case is None else ts[by_case]
    back = (c[1:] == c[:-1]) & (t[1:] < t[:-1])
    patch = None  # by-case order -> sorted order: only the cases with an event out of order move
    st = t
    if back.any():
        bad = np.unique(c[1:][back])
        starts = np.searchsorted(c, bad)
        lengths = np.searchsorted(c, bad, side="right") - starts
        at = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
        patch = _Patch(at, at[np.lexsort((t[at], c[at]))])  # stable: file order breaks ties
        st = patch.apply(t)  # the case codes stay: each case keeps its own positions

    def by_case_position(sorted_positions: np.ndarray) -> np.ndarray:
        return sorted_positions if patch is None else patch.map(sorted_positions)

    def file_position(sorted_positions: np.ndarray) -> np.ndarray:
        p = by_case_position(sorted_positions)
        return p if by_case is None else by_case[p]

    tie = (c[1:] == c[:-1]) & (st[1:] == st[:-1])
    duplicate = np.zeros(n, dtype=bool)  # in the sorted order
    if tie.any():
        members = np.flatnonzero(np.r_[tie, False] | np.r_[False, tie])
        picked = file_position(members)
        keys = pd.DataFrame({"case": c[members], "ts": st[members], **{
            f: text[f][0][picked] for f in (C.ACTIVITY, C.RESOURCE, C.LIFECYCLE)}})
        duplicate[members] = keys.duplicated().to_numpy()  # sorted order keeps file order within a tie
    report.duplicates = int(duplicate.sum())
    if report.duplicates and back.any():  # a duplicate listed after a later event is not 'out of order'
        unique_by_case = np.ones(n, dtype=bool)
        unique_by_case[by_case_position(np.flatnonzero(duplicate))] = False
        cu, tu = c[unique_by_case], t[unique_by_case]
        back = (cu[1:] == cu[:-1]) & (tu[1:] < tu[:-1])
        report.out_of_order_cases = int(len(np.unique(cu[1:][back])))
    else:
        report.out_of_order_cases = int(len(np.unique(c[1:][back])))
    report.out_of_order_events = int(back.sum())
    if report.duplicates:
        return file_position(np.flatnonzero(~duplicate)), c[~duplicate]
    if by_case is not None:
        return file_position(np.arange(n)), c
    return patch, c


def _lifecycle(events: pd.DataFrame, report: LogReport) -> pd.DataFrame:
    """Which events belong to the activity sequence (completions), and single-event cases counted."""
    life = events[C.LIFECYCLE]
    complete = np.ones(len(events), dtype=bool)
    if life.notna().any():
        kinds = np.array([fold(c) in ("complete", "completed", "end") for c in life.cat.categories] + [True])
        complete = kinds[life.cat.codes.to_numpy()]  # code -1 (blank) takes the last: complete
        if not complete.any():  # a log of starts only: take them as they are
            complete = np.ones(len(events), dtype=bool)
    events["complete"] = complete
    report.not_complete = int((~complete).sum())
    counts = np.bincount(events["case_code"].to_numpy())
    report.single_event_cases = int((counts == 1).sum())
    return events
