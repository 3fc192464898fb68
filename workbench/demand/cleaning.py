"""From the file's table to clean demand: the mapped columns, dates parsed, blank and unusable rows set aside
with their reasons, labels normalised on their unique values, numbers read, the catalogue applied.

The result's columns are `workbench.schema`'s; everything the cleaning decided is in the `LoadReport`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench import schema
from workbench.demand.catalogue import Catalogue
from workbench.demand.dates import (
    DATE_ORDERS,
    DateOrder,
    UsedOrder,
    check_format,
    date_note,
    parse_dates,
    read_dates,
    read_times,
    unreadable_column_message,
    unreadable_reason,
)
from workbench.demand.labels import duration_unit, fold, fold_keep, nature_label, yes_no
from workbench.demand.mapping import resolve_mapping, split_joined
from workbench.demand.read import RawTable, cell_text, take_rows
from workbench.demand.reading import HANDLING_UNITS, HandlingUnit
from workbench.demand.report import Conflict, DemandFileError, LoadedDemand, LoadReport, SetAsideRow


def _as_text(values: pd.Series) -> pd.Series:
    if values.dtype == object:
        return pd.Series([cell_text(v) for v in values.array], index=values.index, dtype="str")
    return values.fillna("").str.strip()


def _grouped_labels(values: pd.Series, canonical: dict[str, str] | None = None,
                    blank: str | None = None) -> tuple[pd.Categorical, pd.Categorical]:
    """Labels grouped by trimmed, case-folded key; each group shown in its most frequent spelling.

    Returns (display categories, key categories). Works on the unique labels only.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    keys = [fold_keep(u) for u in uniques]
    if canonical:  # a spelling the catalogue merged into a type (an alias) is grouped with that type
        keys = [fold_keep(canonical[k]) if k in canonical else k for k in keys]
    spellings: dict[str, dict[str, int]] = {}  # key -> spelling (spaces tidied) -> rows
    for u, k, n in zip(uniques, keys, counts, strict=True):
        if k:
            tidy = " ".join(str(u).split())
            spellings.setdefault(k, {})[tidy] = spellings.get(k, {}).get(tidy, 0) + int(n)
    best: dict[str, tuple[int, str]] = {}
    for k, by_spelling in spellings.items():
        total = sum(by_spelling.values())
        spelling = canonical[k] if canonical and k in canonical else max(by_spelling, key=by_spelling.__getitem__)
        best[k] = (total, spelling)
    key_list = sorted(best, key=lambda k: -best[k][0])
    has_blank = bool((codes < 0).any()) or any(not k and n for k, n in zip(keys, counts, strict=True))
    if blank is not None and has_blank and blank not in key_list:
        key_list.append(blank)
    display = [best[k][1] if k in best else k for k in key_list]
    index_of = {k: i for i, k in enumerate(key_list)}
    missing = index_of.get(blank, -1) if blank is not None else -1
    lut = np.array([index_of.get(k, missing) for k in keys] + [missing], dtype=np.int64)
    row_codes = lut[codes]  # code -1 (NA) picks the last entry
    return (pd.Categorical.from_codes(row_codes, categories=pd.Index(display, dtype="str")),
            pd.Categorical.from_codes(row_codes, categories=pd.Index(key_list, dtype="str")))


def clean(
    raw: RawTable,
    mapping: dict[str, str | None] | None = None,
    *,
    date_order: DateOrder = "auto",
    catalogue: Catalogue | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    no_dates: bool = False,
    handling_unit: HandlingUnit | None = None,
) -> LoadedDemand:
    """Turn the file's table into clean demand, using `mapping` (field -> column) on top of the synonyms.

    `date_format` reads both date columns with that strptime format only; `timezone` is the zone times with
    an offset are shown in (default: the machine's); `no_dates` reads a file that has no usable date (every
    received date blank: counts and words only); `handling_unit` says what the handling times count
    (default: minutes, unless the column's name says seconds or hours)."""
    if date_order not in DATE_ORDERS:
        raise DemandFileError(f"date order must be one of {', '.join(DATE_ORDERS)}, not '{date_order}'.")
    _check_options(raw.source, date_format, timezone, handling_unit)
    cols = resolve_mapping(raw.columns, mapping, raw.source)
    explicit = {f for f, c in split_joined(dict(mapping or {}), raw.columns).items() if c}  # chosen, not suggested
    frame = raw.frame
    if schema.RECEIVED_AT not in cols and not no_dates:
        raise DemandFileError(
            f"{raw.source}: no date column found (looked for names like 'Date received'); columns are: "
            f"{_column_list(raw.columns)}. Choose the date column in the mapping (CLI: --map received_at=COLUMN), "
            "or, if the file has no dates, read it without them ('No dates in this file'; CLI: --no-dates)."
        )
    if frame.empty:
        raise DemandFileError(f"{raw.source}: there is a header row but no data rows.")
    report = LoadReport(raw.source, raw.kind, raw.header_row, raw.columns, dict(cols), date_order,
                        rows_read=len(frame) + len(raw.bad_rows), encoding=raw.encoding,
                        delimiter=raw.delimiter, sheet=raw.sheet)
    report.set_aside.extend(raw.bad_rows)
    report.notes.extend(raw.notes)  # what reading changed: bytes not in the encoding, NUL characters removed
    if raw.short_rows:
        report.notes.append(f"{raw.short_rows:,} row(s) had fewer values than the header; the missing "
                            "cells were left blank.")
    zone = timezone or None

    if no_dates:
        for fld in (schema.RECEIVED_AT, schema.RECEIVED_TIME, schema.RESOLVED_AT, schema.RESOLVED_TIME):
            cols.pop(fld, None)
        report.mapping = dict(cols)
        received = pd.Series(np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[ns]"))
        used_order: UsedOrder = "iso"
        report.date_order = "none"
        report.date_notes.append("Read without dates, as asked: counts, shares, the Pareto of types, causes and "
                                 "the customers' words are shown; charts over time, end-to-end times and the "
                                 "simulation need a date column.")
        date_col = ""
    else:
        date_col = cols[schema.RECEIVED_AT]
        reading = read_dates(frame[date_col], date_order, zone, date_format)
        received, used_order = reading.values, reading.order
        report.date_order = used_order
    missing = np.flatnonzero(received.isna().to_numpy())
    # A blank row has a blank date, so only rows without a date need the (slower) all-cells check.
    blank = np.zeros(len(frame), dtype=bool)
    # the rows without a date: checked here, set aside below
    cells = pd.DataFrame({col: take_rows(frame[col], missing) for col in frame.columns}, index=frame.index[missing]) \
        if frame.columns.is_unique else frame.iloc[missing]
    if len(missing):
        empty = np.ones(len(missing), dtype=bool)
        for col in cells.columns:
            empty &= np.asarray(_as_text(cells[col]).str.len() == 0)
        blank[missing[empty]] = True
    report.blank_rows = int(blank.sum())
    no_date = received.isna().to_numpy() & ~blank & (not no_dates)
    if blank.all():
        raise DemandFileError(f"{raw.source}: there is a header row but no data rows.")
    date_text = _as_text(take_rows(frame[date_col], np.flatnonzero(no_date))) if no_date.any() else \
        pd.Series([], dtype="str")
    unread, with_something = int(no_date.sum()), int((~blank).sum())
    if not no_dates and (unread == with_something or 2 * unread > with_something):
        # none, or fewer than half, of the rows read: a guess about most of the file would be worse than asking
        examples = list(dict.fromkeys(t for t in date_text.head(1000) if t))
        message = unreadable_column_message(raw.source, date_col, examples, date_order,
                                            _date_columns(frame, date_col), with_something - unread,
                                            with_something)
        if date_format and unread == with_something:
            message = (f"{raw.source}: none of the rows in column '{date_col}' reads with the date format "
                       f"'{date_format}' (it holds " + ", ".join(f"'{e}'" for e in examples[:3]) +
                       "). Check the format's codes against those cells, or leave the format empty so "
                       "Workbench works it out.")
        raise DemandFileError(message)
    if not no_dates:
        report.date_notes.extend(date_note(reading, date_col))
        received = _join_time(frame, cols, schema.RECEIVED_TIME, received, explicit, report)
    rows = raw.rows
    reasons: dict[str, str] = {}  # one reason per distinct text: a column of one bad value is checked once
    for i, pos in enumerate(np.flatnonzero(no_date)):
        shown = cast(str, date_text.iat[i])  # `date_text` holds strings only
        if shown not in reasons:
            reasons[shown] = unreadable_reason(shown, date_col, used_order)
            if date_format and shown:
                reasons[shown] = f"date not readable: '{shown}' in '{date_col}' does not fit '{date_format}'"
        report.set_aside.append(SetAsideRow(int(rows[pos]), reasons[shown], date_col))
    report.set_aside.sort(key=lambda s: s.row)

    keep = ~(no_date | blank)
    out = _build_frame(frame, cols, received, rows, keep, catalogue, report, used_order,
                       _Reading(date_format, zone, handling_unit, explicit))
    aside_positions = np.flatnonzero(no_date)
    aside = cells.iloc[np.flatnonzero(no_date[missing])].copy()  # = frame.iloc[aside_positions]: one take
    aside.insert(0, "reason", [s.reason for s in report.set_aside if s.column == date_col][: len(aside)])
    aside.insert(0, schema.ROW, rows[aside_positions])
    return LoadedDemand(out, report, aside.reset_index(drop=True))


@dataclass(frozen=True)
class _Reading:
    """The options `_build_frame` needs beyond the mapping: for the resolved dates and handling times."""

    date_format: str | None
    zone: str | None
    handling_unit: HandlingUnit | None
    explicit: set[str]


def _check_options(source: str, date_format: str | None, timezone: str | None,
                   handling_unit: HandlingUnit | None) -> None:
    """The reading options a person typed, checked before anything is read: one plain message each."""
    if date_format:
        problem = check_format(date_format)
        if problem:
            raise DemandFileError(f"{source}: {problem}.")
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise DemandFileError(f"{source}: '{timezone}' is not a time zone Workbench knows; use a name such as "
                                  "Europe/London, America/New_York or UTC.") from None
    if handling_unit is not None and handling_unit not in HANDLING_UNITS:
        raise DemandFileError(f"{source}: handling times can be in {', '.join(HANDLING_UNITS)}, "
                              f"not '{handling_unit}'.")


def _join_time(frame: pd.DataFrame, cols: dict[str, str], time_field: str, dates: pd.Series,
               explicit: set[str], report: LoadReport, keep: np.ndarray | None = None) -> pd.Series:
    """`dates` with the time of day of the column mapped to `time_field` (a date and a time kept apart, as
    call logs keep them). A suggested time column (named 'Time') is not joined to dates that have times of
    their own; one the person chose always is. Cells whose time cannot be read keep their date, and the
    report says how many."""
    if time_field not in cols:
        return dates
    date_field = schema.TIME_FIELDS[time_field]
    time_col, date_col = cols[time_field], cols.get(date_field, "")
    values = frame[time_col] if keep is None else frame[time_col][keep]
    times = read_times(values.reset_index(drop=True) if keep is not None else values)
    chosen = time_field in explicit
    label = "received" if date_field == schema.RECEIVED_AT else "resolved"
    if times.given and times.read < 0.5 * times.given:
        examples = ", ".join(f"'{t}'" for t in times.unreadable[:3])
        if chosen:
            raise DemandFileError(f"{report.source}: column '{time_col}' was chosen as the time {label} but most of "
                                  f"it is not a time of day (it holds {examples}); times such as 7:02:47, 13:50 or "
                                  "1:50 PM can be joined to a date.")
        del cols[time_field]
        report.mapping = dict(cols)
        report.notes.append(f"Column '{time_col}' was not used as the time {label}: it does not hold times of day "
                            f"({examples}).")
        return dates
    date_values = dates.to_numpy(dtype="datetime64[ns]")
    day = date_values.astype("datetime64[D]").astype("datetime64[ns]")
    if not chosen and bool((date_values[~np.isnat(date_values)] != day[~np.isnat(date_values)]).any()):
        del cols[time_field]
        report.mapping = dict(cols)
        report.notes.append(f"Column '{time_col}' was not joined to '{date_col}': the dates there have times of "
                            "their own (choose it as the time column to use it instead).")
        return dates
    has_time = ~np.isnat(times.values) & ~np.isnat(date_values)
    joined = np.where(has_time, day + np.where(has_time, times.values, np.timedelta64(0, "ns")), date_values)
    with_date = int((~np.isnat(date_values)).sum())
    line = (f"Times {label} joined from two columns: the date from '{date_col}' and the time of day from "
            f"'{time_col}' ('{times.example}'), for {int(has_time.sum()):,} of {with_date:,} rows")
    unread = times.given - times.read
    if unread:
        line += (f"; {unread:,} time(s) could not be read (" + ", ".join(f"'{t}'" for t in times.unreadable[:3])
                 + ") and those rows keep their date only")
    blank_times = with_date - int(has_time.sum()) - unread
    if blank_times > 0:
        line += f"; {blank_times:,} row(s) have no time and keep their date only"
    report.date_notes.append(line + ".")
    return pd.Series(joined, index=dates.index)


def _date_columns(frame: pd.DataFrame, other_than: str) -> list[str]:
    """The file's other columns whose first cells are mostly dates: what the message for an unreadable date
    column suggests instead."""
    found = []
    for col in frame.columns:
        if col != other_than:
            head = read_dates(frame[col].head(200), "auto", "UTC")
            if head.given and head.read >= 0.8 * head.given:
                found.append(str(col))
    return found


def _arrow(values: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow data behind an Arrow-backed string column (no copy), or None for other columns."""
    if values.dtype == object:
        return None
    try:
        data = values.array.__arrow_array__()
    except (AttributeError, TypeError):
        return None
    return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])


NATURE_CODES = {n: i for i, n in enumerate(schema.NATURES)}  # value 0, failure 1, unclassified 2
_UNCLASSIFIED = NATURE_CODES[schema.UNCLASSIFIED]
SOURCES = ["", "data", "catalogue", "correction"]


def _build_frame(frame: pd.DataFrame, cols: dict[str, str], received: pd.Series, rows: np.ndarray,
                 keep: np.ndarray, catalogue: Catalogue | None, report: LoadReport,
                 order: UsedOrder, reading: _Reading) -> pd.DataFrame:
    """The clean frame. Labels are normalised on their unique values and carried as integer codes, so the
    cost per row is a few array lookups (a million-row file is mostly pyarrow's work)."""
    everything = bool(keep.all())
    n = int(keep.sum())
    row_numbers = (rows if everything else rows[keep]).astype(np.int64)

    def raw(fld: str) -> pd.Series:
        if fld not in cols:  # all blank, made in Arrow (a list of a million Nones costs a second)
            return pa.chunked_array([pa.nulls(n, pa.large_string())]).to_pandas().reset_index(drop=True)
        column = frame[cols[fld]]
        # boolean indexing of the array itself: several times cheaper than frame.loc on Arrow strings
        return column.reset_index(drop=True) if everything else pd.Series(column.array[keep])

    out: dict[str, object] = {
        schema.ROW: row_numbers,
        schema.RECEIVED_AT: received if everything else received.loc[keep].reset_index(drop=True),
    }
    tp_display, tp_key = _grouped_labels(raw(schema.TOUCHPOINT), blank=schema.UNKNOWN_TOUCHPOINT)
    out[schema.TOUCHPOINT] = tp_display
    out[schema.CUSTOMER_WORDS] = _as_text(raw(schema.CUSTOMER_WORDS))
    canonical = catalogue.spellings() if catalogue else None
    type_display, _ = _grouped_labels(raw(schema.DEMAND_TYPE), canonical)
    out[schema.DEMAND_TYPE] = type_display

    codes, uniques = pd.factorize(raw(schema.NATURE))
    mapped = [nature_label(u) for u in uniques]
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    for u, m, c in zip(uniques, mapped, counts, strict=True):
        if m is None:
            report.unknown_nature_labels[str(u).strip()] = int(c)
    lut = np.array([NATURE_CODES[m or schema.UNCLASSIFIED] for m in mapped] + [_UNCLASSIFIED], dtype=np.int8)
    nature = lut[codes]
    source = np.where(nature != _UNCLASSIFIED, 1, 0).astype(np.int8)
    cause, _ = _grouped_labels(raw(schema.FAILURE_CAUSE))
    if catalogue is not None:
        nature, cause, source = _apply_catalogue(row_numbers, type_display, nature, cause, source,
                                                 catalogue, report)
    out[schema.NATURE] = pd.Categorical.from_codes(nature, categories=list(schema.NATURES))  # type: ignore[call-overload]
    out[schema.FAILURE_CAUSE] = cause

    codes, uniques = pd.factorize(raw(schema.ONE_STOP))
    answers = [yes_no(u) if cell_text(u) else None for u in uniques] + [None]
    values = np.array([a is True for a in answers], dtype=bool)[codes]
    unknown = np.array([a is None for a in answers], dtype=bool)[codes]
    out[schema.ONE_STOP] = pd.arrays.BooleanArray(values, unknown)
    unread = [str(u).strip() for u in uniques if cell_text(u) and yes_no(u) is None]
    if unread:
        report.notes.append("Resolved-first-time answers we could not read as yes/no (left blank): "
                            + ", ".join(f"'{u}'" for u in unread[:8]) + ".")

    minutes, given = _numbers(raw(schema.HANDLING_MINUTES))
    bad_minutes = int((given & np.isnan(minutes)).sum())
    negative = minutes < 0
    if negative.any():
        minutes = np.where(negative, np.nan, minutes)
        report.notes.append(f"{int(negative.sum()):,} negative handling time(s) were left blank.")
    if bad_minutes:
        report.notes.append(f"{bad_minutes:,} handling time(s) are not numbers and were left blank.")
    if schema.HANDLING_MINUTES in cols:
        column = cols[schema.HANDLING_MINUTES]
        guessed = duration_unit(column)  # the name may say the unit ("ser_time", "AHT (s)", "Time spent (hrs)")
        unit = reading.handling_unit or guessed
        if unit != "minutes":
            minutes = minutes / 60 if unit == "seconds" else minutes * 60
        if reading.handling_unit and reading.handling_unit != guessed:
            report.notes.append(f"Handling times in '{column}' read as {unit}, as chosen"
                                + (" and shown in minutes." if unit != "minutes" else "."))
        elif not reading.handling_unit and unit != "minutes":
            report.notes.append(f"Handling times in '{column}' read as {unit} (its name says so) and shown in "
                                "minutes; if they are not, choose the unit (CLI: --handling-unit).")
    out[schema.HANDLING_MINUTES] = minutes
    out[schema.QUEUE_SECONDS], out[schema.ABANDONED] = _queue_fields(raw, cols, row_numbers, report)
    out[schema.CASE_ID] = _as_text(raw(schema.CASE_ID)) if schema.CASE_ID in cols else \
        pd.Series([""] * n, dtype="str")

    if schema.RESOLVED_AT in cols:
        resolved_raw = raw(schema.RESOLVED_AT)
        asked: DateOrder = cast(DateOrder, order) if order in ("day-first", "month-first") else "auto"
        resolved, _ = parse_dates(resolved_raw, asked, reading.zone, reading.date_format)
        resolved = _join_time(frame, cols, schema.RESOLVED_TIME, resolved, reading.explicit, report,
                              None if everything else keep)
        given_resolved = _given(resolved_raw)
        unreadable = int((given_resolved & resolved.isna().to_numpy()).sum())
        if unreadable:
            report.notes.append(f"{unreadable:,} resolved date(s) could not be read and were left blank.")
        before = (resolved < out[schema.RECEIVED_AT]).to_numpy()
        if before.any():
            report.notes.append(f"{int(before.sum()):,} row(s) were resolved before they were received; "
                                "their resolved date was left blank.")
            resolved = resolved.mask(before)
        out[schema.RESOLVED_AT] = resolved.to_numpy()
    else:
        out[schema.RESOLVED_AT] = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")

    out[schema.TOUCHPOINT_KEY] = tp_key
    out[schema.NATURE_SOURCE] = pd.Categorical.from_codes(source, categories=SOURCES)  # type: ignore[call-overload]
    result = pd.DataFrame(out)
    return result[list(schema.CLEAN_COLUMNS)]


_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d+(?:[.,]\d+)?)$")  # h:mm:ss, mm:ss (seconds may have decimals)
_GAVE_UP_WORDS = {"yes", "y", "true", "t", "1", "abandoned", "abandon", "gave up", "hung up", "x"}
_STAYED_WORDS = {"no", "n", "false", "f", "0", "answered", "not abandoned", "handled", "connected", "completed"}


def queue_seconds_value(raw: object) -> float | None:
    """A queue wait in seconds: a number of seconds (`42`, `42.5`, `42,5`), or a clock duration `hh:mm:ss`
    or `mm:ss` (Five9's QUEUE WAIT TIME); None for a blank, unreadable or negative value."""
    text = cell_text(raw).strip() if not isinstance(raw, (int, float)) else str(raw)
    if not text:
        return None
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = clock.group(1), clock.group(2), clock.group(3).replace(",", ".")
        if hours is not None and int(minutes) >= 60 or float(seconds) >= 60:
            return None
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    if not np.isfinite(value) or value < 0:
        return None
    return value


def abandoned_value(raw: object) -> bool | None:
    """Whether the caller gave up waiting: yes/no, Y/N, 1/0, true/false, `abandoned`/`answered`; None for a
    blank or unreadable cell."""
    if isinstance(raw, bool):
        return raw
    key = fold(raw)
    if key in _GAVE_UP_WORDS:
        return True
    if key in _STAYED_WORDS:
        return False
    return None


def _queue_fields(raw: Callable[[str], pd.Series], cols: dict[str, str], rows: np.ndarray,
                  report: LoadReport) -> tuple[np.ndarray, pd.arrays.BooleanArray]:
    """The seconds each caller waited in the queue and whether they gave up, read on the unique values; an
    unreadable value is left blank and the report says how many, naming the file, the column and a row.
    A file without the columns (most demand samples) gets them blank without reading anything."""
    n = len(rows)
    seconds = np.full(n, np.nan)
    gave_up = pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
    if schema.QUEUE_SECONDS in cols:
        seconds = _queue_waits(raw(schema.QUEUE_SECONDS), cols, rows, report)
    if schema.ABANDONED in cols:
        gave_up = _gave_up(raw(schema.ABANDONED), cols, rows, report)
    return seconds, gave_up


def _queue_waits(waits: pd.Series, cols: dict[str, str], rows: np.ndarray, report: LoadReport) -> np.ndarray:
    codes, uniques = pd.factorize(waits)
    read = [queue_seconds_value(u) for u in uniques]
    lut = np.array([np.nan if v is None else v for v in read] + [np.nan], dtype="float64")
    seconds = lut[codes]
    bad = np.array([v is None and bool(cell_text(u)) for u, v in zip(uniques, read, strict=True)] + [False])[codes]
    _unreadable_note(report, bad, rows, waits, "queue wait(s)", cols[schema.QUEUE_SECONDS],
                     "seconds or hh:mm:ss")
    return seconds


def _gave_up(flags: pd.Series, cols: dict[str, str], rows: np.ndarray,
             report: LoadReport) -> pd.arrays.BooleanArray:
    codes, uniques = pd.factorize(flags)
    answers = [abandoned_value(u) for u in uniques] + [None]
    values = np.array([a is True for a in answers], dtype=bool)[codes]
    unknown = np.array([a is None for a in answers], dtype=bool)[codes]
    bad = np.array([a is None and bool(cell_text(u)) for u, a in zip(uniques, answers[:-1], strict=True)]
                   + [False])[codes]
    _unreadable_note(report, bad, rows, flags, "gave-up answer(s)", cols[schema.ABANDONED], "yes/no")
    return pd.arrays.BooleanArray(values, unknown)


def _unreadable_note(report: LoadReport, bad: np.ndarray, rows: np.ndarray, cells: pd.Series, what: str,
                     column: str, expected: str) -> None:
    """The load report's note on cells of an optional call-log column that could not be read (left blank)."""
    if not bad.any():
        return
    first = int(np.flatnonzero(bad)[0])
    report.notes.append(
        f"{report.source}: {int(bad.sum()):,} {what} in column '{column}' could not be read as {expected} and "
        f"were left blank (the first at row {int(rows[first])}: '{cell_text(cells.iloc[first]).strip()}').")


def _given(values: pd.Series) -> np.ndarray:
    """Which cells hold something (not blank, not just spaces)."""
    arr = _arrow(values)
    if arr is not None:
        trimmed = pc.utf8_trim_whitespace(arr)
        return pc.fill_null(pc.greater(pc.utf8_length(trimmed), 0), False).to_numpy(zero_copy_only=False)
    return np.array([bool(cell_text(v)) for v in values.array], dtype=bool)


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(numbers with NaN where unreadable or blank, which cells held something). Arrow's cast reads a clean
    column in one pass; anything else ('4,5', 'n/a') goes through pandas."""
    given = _given(values)
    arr = _arrow(values)
    if arr is not None:
        trimmed = pc.utf8_trim_whitespace(arr)
        blank_as_null = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
        try:
            return pc.cast(blank_as_null, pa.float64()).to_numpy(zero_copy_only=False).astype(float), given
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    text = _as_text(values).str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64").to_numpy(), given


def _apply_catalogue(rows: np.ndarray, types: pd.Categorical, nature: np.ndarray, cause: pd.Categorical,
                     source: np.ndarray, catalogue: Catalogue,
                     report: LoadReport) -> tuple[np.ndarray, pd.Categorical, np.ndarray]:
    """Fill value/failure and cause from the catalogue where the row has none; report disagreements.
    Works on codes: `nature` holds NATURE_CODES, `source` indexes SOURCES."""
    entries = [catalogue.lookup(t) for t in types.categories]
    causes = list(dict.fromkeys([*map(str, cause.categories), *(e.cause for e in entries if e and e.cause)]))
    cause_index = {c: i for i, c in enumerate(causes)}
    # a type the catalogue names but has not decided (not sure) fills nothing, and is not unknown
    cat_nature_lut = np.array([NATURE_CODES[e.nature] if e and e.decided else -1 for e in entries] + [-1],
                              dtype=np.int8)
    cat_cause_lut = np.array([cause_index[e.cause] if e and e.cause else -1 for e in entries] + [-1],
                             dtype=np.int64)
    tcodes = types.codes
    cat_nature = cat_nature_lut[tcodes]
    counts = np.bincount(tcodes[tcodes >= 0], minlength=len(entries))
    for name, e, c in zip(types.categories, entries, counts, strict=True):
        if e is None and c:
            report.unknown_types[str(name)] = int(c)
    known = cat_nature >= 0
    fill = (nature == _UNCLASSIFIED) & known
    clash = (nature != _UNCLASSIFIED) & known & (nature != cat_nature)
    report.filled_from_catalogue = int(fill.sum())
    report.conflict_count = int(clash.sum())
    for pos in np.flatnonzero(clash)[:1000]:
        report.conflicts.append(Conflict(int(rows[pos]), str(types[pos]), schema.NATURES[nature[pos]],
                                         schema.NATURES[cat_nature[pos]]))
    new_nature = np.where(fill, cat_nature, nature).astype(np.int8)
    remap = np.array([cause_index[str(c)] for c in cause.categories] + [-1], dtype=np.int64)
    cause_codes = remap[cause.codes]
    failure = NATURE_CODES[schema.FAILURE]
    need = (new_nature == failure) & (cause_codes < 0) & (cat_nature == failure)
    cause_codes = np.where(need, cat_cause_lut[tcodes], cause_codes)
    source = np.where(fill, 2, source).astype(np.int8)
    return new_nature, pd.Categorical.from_codes(cause_codes, categories=pd.Index(causes, dtype="str")), source


def _column_list(columns: list[str], shown: int = 30) -> str:
    """The file's columns for a message: the first `shown`, then how many more (a file may have a thousand)."""
    more = len(columns) - shown
    return ", ".join(columns[:shown]) + (f" and {more:,} more" if more > 0 else "")


def classify_by_type(frame: pd.DataFrame, catalogue: Catalogue | None, report: LoadReport) -> pd.DataFrame:
    """A clean frame built elsewhere (cases rolled up from an event log), its type, value/failure, cause and
    their source given the same form `clean` gives them: types grouped and spelled as the catalogue spells
    them, value/failure and cause filled from the catalogue where a row has none, unknown types reported."""
    out = frame.copy()
    canonical = catalogue.spellings() if catalogue else None
    types, _ = _grouped_labels(out[schema.DEMAND_TYPE].astype("str").where(out[schema.DEMAND_TYPE].notna(), None),
                               canonical)
    nature = np.array([NATURE_CODES.get(str(v), _UNCLASSIFIED) for v in out[schema.NATURE]], dtype=np.int8)
    cause, _ = _grouped_labels(out[schema.FAILURE_CAUSE].astype("str"))
    source = np.where(nature != _UNCLASSIFIED, 1, 0).astype(np.int8)
    if catalogue is not None:
        nature, cause, source = _apply_catalogue(out[schema.ROW].to_numpy(np.int64), types, nature, cause, source,
                                                 catalogue, report)
    out[schema.DEMAND_TYPE] = types
    out[schema.NATURE] = pd.Categorical.from_codes(nature, categories=list(schema.NATURES))  # type: ignore[call-overload]
    out[schema.FAILURE_CAUSE] = cause
    out[schema.NATURE_SOURCE] = pd.Categorical.from_codes(source, categories=SOURCES)  # type: ignore[call-overload]
    return out
