"""Reading dates as people and systems write them, without being told how: ISO 8601 (with `T` or a space,
fractional seconds, `Z` or `+01:00` offsets), year-first with `/` or `.`, day-first or month-first (found from
the whole column when not chosen) with `/ - .`, two- or four-digit years, month names (`9 Oct 2012`,
`October 9, 2012`), 12-hour clocks (`1:50 PM`), eight- and six-digit numbers (`20121009`, `990201`), Unix
time in seconds or milliseconds, Excel date cells and serial numbers.

How: zero-padded ISO cells (also with '/' or '.' between year, month and day, and with milliseconds or
microseconds) are read straight from Arrow's bytes (`_parse_iso_fixed`: the common case, a million rows in a
few tens of milliseconds). For the other cells, the shapes of a sample of them give strptime formats; cells
laid out exactly like a sampled cell of a format ('06 Jan 2025 09:15', '2025-01-06T09:15:00Z',
'01/06/2025 09:15 AM') are read from their bytes too (`_read_layouts`: month names looked up, offsets applied
and the times converted to the zone with pandas' vectorised tz_convert), and Arrow's strptime reads the rest
with each format at once (month names swapped for numbers first; impossible days that Arrow would roll over,
and leap seconds, refused). Cells no format read are parsed once
per distinct text (pandas' strict strptime by shape, then dateutil for free forms) and the results mapped
back to the rows. Numbers are dates only when every number in the column fits one numeric form.

Times with an offset are converted to one time zone (`local_zone()`, the machine's, unless a zone is given)
and kept as naive local times. Unreadable cells become NaT. The words the load report uses about dates (what
was seen and read, why a cell or a column could not be read, which options could help) are made here too.
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from typing import Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from dateutil import parser as dateutil_parser
from dateutil import tz as dateutil_tz

from workbench.demand.read import cell_text, take_rows
from workbench.demand.reading import DATE_ORDERS, DateOrder

__all__ = ["DATE_ORDERS", "DateForm", "DateOrder", "DateReading", "TimeReading", "UsedOrder", "date_note", "describe_form",
           "check_format", "detect_date_order", "is_numeric_date", "local_zone", "parse_dates", "read_dates",
           "read_times",
           "unreadable_column_message", "unreadable_reason", "zone_name"]

# What the dates were read as (the report says): year first, Excel cells, day-first, month-first, Unix time.
UsedOrder = Literal["iso", "excel", "day-first", "month-first", "epoch"]

_ISO = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")  # year first: ISO, or with '/' or '.'
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})")
_MONTHS = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for m in names}
_FULL_MONTHS = ("JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER",
                "NOVEMBER", "DECEMBER")
_SHORT_MONTHS = tuple(m[:3] for m in _FULL_MONTHS)
# The shapes a date can be written in, one regular expression: the date part (year first; day/month/year or
# month/day/year; day month-name year; month-name day year), then an optional time (24- or 12-hour, seconds,
# fractions) and an optional offset. `_shape_format` turns a match into a strptime format.
_SHAPE = re.compile(r"""
^(?:(?P<y1>\d{4})(?P<s1>[-/.])\d{1,2}(?P=s1)\d{1,2}
   |\d{1,2}(?P<s2>[-/.])\d{1,2}(?P=s2)(?P<y2>\d{4}|\d{2})
   |\d{1,2}(?P<s3>[ -])(?P<mon3>[A-Za-z]{3,9})(?P<dot3>\.?)(?P=s3)(?P<y3>\d{4}|\d{2})
   |(?P<mon4>[A-Za-z]{3,9})(?P<dot4>\.?)[ ]\d{1,2}(?P<c4>,?)[ ](?P<y4>\d{4}))
(?:(?P<t>[T ]|,[ ]|[ ]{2})\d{1,2}:\d{2}(?P<S>:\d{2}(?P<f>\.\d{1,9})?)?(?P<sp>[ ]?)(?P<p>[AaPp][Mm])?)?
(?:(?P<zs>[ ]?)(?P<z>Z|[+-]\d{2}:?\d{2}))?$""", re.X)
_NUMBER = r"\d+(?:\.\d+)?"
# free forms worth handing to dateutil: a month name, an ISO 'T', or an offset; and a digit somewhere
_FREE_FORM = re.compile(r"[A-Za-z]{3}|\dT\d|Z$|[+-]\d\d:?\d\d$")
_FREE = "free"  # the form of cells read one by one by dateutil
_EXCEL = "excel"  # Excel date cells and serial numbers
_UNIX_S, _UNIX_MS = "unix seconds", "unix milliseconds"
# Unix times are only taken for dates in 2000-2100, so ordinary counts and ids are never read as dates
_UNIX_FROM, _UNIX_TO = 946_684_800, 4_102_444_800
_SAMPLE = 20_000  # cells the date order is worked out from, spread over the column
_SHAPE_SAMPLE = 300  # unique texts whose shapes give the formats tried on all of them
_SHAPE_ONE_BY_ONE = 50_000  # unique texts shaped one by one (those no sampled format read)
_FREE_ONE_BY_ONE = 20_000  # unique texts handed to dateutil one by one


# ------------------------------------------------------------------------------------------ time zones


def local_zone() -> tzinfo:
    """The zone offset-aware times are converted to when none is given: the machine's own (from `TZ`, else
    /etc/localtime, else what the C library says), named by its IANA name where that can be found."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            candidates.append(link.split("zoneinfo/", 1)[1])
        candidates.append(Path("/etc/timezone").read_text().strip())
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return dateutil_tz.tzlocal()


@functools.cache
def zone_names() -> tuple[str, ...]:
    """Every time zone this machine knows, sorted: read from the system's zone files once per process (a page
    offering them would otherwise scan the files at every rerun)."""
    return tuple(sorted(available_timezones()))


def zone_name(zone: tzinfo | str) -> str:
    """'Europe/London' for a zone given by name or as a ZoneInfo; the abbreviation ('GMT') otherwise."""
    if isinstance(zone, str):
        return zone
    return str(getattr(zone, "key", None) or zone.tzname(datetime.now()) or zone)


def _zone(zone: tzinfo | str | None) -> tzinfo | str:
    return local_zone() if zone is None else zone


# ------------------------------------------------------------------------------------------ what was read


@dataclass(frozen=True)
class DateForm:
    """One way the cells of a column were written: a strptime format or a name (`unix seconds`, `excel`,
    `free`), one cell written that way, and how many cells were read that way."""

    form: str
    example: str
    cells: int


@dataclass
class DateReading:
    """A date column as read: the dates (NaT where unreadable), the order used, the forms seen (most cells
    first), how many cells held something, the zone offset-aware times were converted to (None when there
    were none), and why the order is what it is (blank when no cell was d/m/y or m/d/y)."""

    values: pd.Series
    order: UsedOrder
    forms: list[DateForm] = field(default_factory=list)
    given: int = 0
    zone: str | None = None
    order_reason: str = ""
    given_format: str | None = None  # the strptime format the person gave, when they gave one

    @property
    def read(self) -> int:
        return sum(f.cells for f in self.forms)


# ------------------------------------------------------------------------------------------ the order


def is_numeric_date(text: str) -> bool:
    """Whether a cell is written as numbers d/m/y or m/d/y ('31/01/2026', '1.2.26'), whatever its order."""
    return _DMY.match(text) is not None


def detect_date_order(values: pd.Series) -> UsedOrder:
    """'iso', 'day-first' or 'month-first' from a sample of date strings; day-first when it cannot tell."""
    return _detect(values)[0]


def _detect(values: pd.Series) -> tuple[UsedOrder, str]:
    """The order and, when cells are d/m/y or m/d/y, why it was chosen (in words for the report)."""
    sample = values[values.str.len() > 0].head(_SAMPLE)
    if sample.empty:
        return "day-first", ""
    if sample.str.match(_ISO).mean() >= 0.5:
        return "iso", ""
    parts = sample.str.extract(_DMY).dropna()
    if parts.empty:
        return "day-first", ""
    first, second = parts[0].astype(int), parts[1].astype(int)
    day_first, month_first = (first > 12) & (second <= 12), (second > 12) & (first <= 12)
    if day_first.any() and not month_first.any():
        example = sample.loc[day_first[day_first].index[0]]
        return "day-first", f"Read day-first: '{example}' can only be day/month/year."
    if month_first.any() and not day_first.any():
        example = sample.loc[month_first[month_first].index[0]]
        return "month-first", f"Read month-first: '{example}' can only be month/day/year."
    if day_first.any():
        return "day-first", ("Read day-first: the column has dates that can only be day-first and others that "
                             "can only be month-first; the month-first ones are set aside.")
    return "day-first", ("Read day-first (the UK convention): no date in the column has a day above 12, so "
                         "nothing shows whether they are day/month or month/day; choose month-first if they are.")


# ------------------------------------------------------------------------------------------ reading


def parse_dates(values: pd.Series, order: DateOrder = "auto", zone: tzinfo | str | None = None,
                fmt: str | None = None) -> tuple[pd.Series, UsedOrder]:
    """Parse a column of dates; unreadable cells become NaT. Returns the dates and the order used."""
    reading = read_dates(values, order, zone, fmt)
    return reading.values, reading.order


def read_dates(values: pd.Series, order: DateOrder = "auto", zone: tzinfo | str | None = None,
               fmt: str | None = None) -> DateReading:
    """Parse a column of dates and say how: the dates, the order used, the forms seen (see `DateReading`).
    Offset-aware times are converted to `zone` (default: `local_zone()`) and kept as naive local times.
    With `fmt` (a strptime format the person gave) text cells are read with that format only."""
    if pd.api.types.is_datetime64_any_dtype(values):  # dates already (Excel cells pandas typed on the way, in
        # any unit, years up to 9999): read as cells, so that one outside 1677-2262 is unread, never an error
        values = values.astype(object).where(values.notna(), None)
    if fmt:
        return _read_with_format(values, fmt, zone)
    if values.dtype == object:  # Excel: real date cells, serial numbers and text mixed
        return _read_excel(values, order, zone)
    # spread the sample over the whole column: a month-first file whose first weeks are all days 1-12
    # only shows its order later on
    spread = np.unique(np.linspace(0, max(len(values) - 1, 0), min(len(values), _SAMPLE)).astype(int))
    sample_text = take_rows(values, spread).fillna("").astype("str").str.strip()
    used, why = _detect(sample_text) if order == "auto" else (order, "")
    if order != "auto" and sample_text.str.match(_DMY).any():
        why = f"Read {order} as chosen."
    text = values.fillna("").astype("str").str.strip()
    n = len(text)
    forms: list[DateForm] = []
    # Zero-padded ISO cells ('2026-01-05', '2026-01-05 09:15', '2026-01-05T09:15:30') are read directly
    # from the bytes: the common case, and the one a million-row export is most likely to be in.
    iso_ok, iso_values, iso_width = _parse_iso_fixed(text)
    out = iso_values if iso_ok.all() else np.where(iso_ok, iso_values, np.datetime64("NaT", "ns"))
    for width, time_part in ((10, ""), (16, " %H:%M"), (19, " %H:%M:%S"), (23, " %H:%M:%S.%f"),
                             (26, " %H:%M:%S.%f")):
        hit = np.flatnonzero(iso_width == width)  # zero for cells the fast path did not read
        if len(hit):
            example = cast(str, text.iat[int(hit[0])])
            forms.append(DateForm("%Y{s}%m{s}%d".format(s=example[4]) + time_part, example, len(hit)))
    given = (text != "").to_numpy()
    left = np.flatnonzero(given & ~iso_ok)
    aware = False
    if len(left):
        out = out.copy() if out is iso_values else out
        rest = text if len(left) == n else take_rows(text, left)
        # numbers, then the shapes of a sample of the cells: each format read on all the cells at once
        read, form_of, names, aware = _formats_on_rows(_arrow_text(rest), used, zone)
        out[left] = read
        # what no format read (a shape the sample did not show, free forms): one distinct text at a time
        unread = np.flatnonzero(np.isnat(read) & (form_of == _NOT_NUMBER))
        codes, uniques = pd.factorize(take_rows(rest, unread))
        if len(uniques):
            parsed, unique_form, unique_names, unique_aware = _parse_uniques(
                np.asarray(uniques, dtype=object), used, zone)
            aware |= unique_aware
            out[left[unread]] = parsed[codes]
            offset = len(names)
            names += unique_names
            form_of[unread] = np.where(unique_form[codes] >= 0, unique_form[codes] + offset, -1)
        counts = np.bincount(form_of + 2, minlength=len(names) + 2)[2:]  # -2: a number, -1: unread
        for k, name in enumerate(names):
            if counts[k]:
                first = int(np.flatnonzero(form_of == k)[0])
                forms.append(DateForm(name, cast(str, rest.iat[first]), int(counts[k])))
    forms.sort(key=lambda f: -f.cells)
    if forms and not any(_is_dmy_form(f.form) for f in forms):
        why = ""  # no cell was read as d/m/y or m/d/y: the order did not matter
    if forms and order == "auto":
        main = forms[0].form
        if main in (_UNIX_S, _UNIX_MS):
            used = "epoch"
        elif main.startswith("%Y") or main.startswith("%y%m%d"):
            used = "iso"
    return DateReading(pd.Series(out, index=values.index), used, forms, int(given.sum()),
                       zone_name(_zone(zone)) if aware else None, why)


def _is_dmy_form(form: str) -> bool:
    return form.startswith("%d/") or form.startswith("%m/") or form.startswith("%d-%m") \
        or form.startswith("%m-%d") or form.startswith("%d.%m") or form.startswith("%m.%d")


_NOT_NUMBER, _NUMBER_UNREAD = -1, -2  # form_of for cells no form read: text, or a number that is not a date


def _arrow_text(text: pd.Series) -> pa.Array:
    arr = pa.array(text.array) if not isinstance(text.array, pa.Array) else text.array
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string()) if arr.type != pa.large_string() else arr


def _formats_on_rows(arr: pa.Array, used: UsedOrder, zone: tzinfo | str | None
                     ) -> tuple[np.ndarray, np.ndarray, list[str], bool]:
    """Non-blank cells -> (datetime64[ns] with NaT, the index of the form that read each, the forms, whether
    any had an offset). Numbers first (dates only if every number in the column fits one form), then the
    formats of a sample's shapes, each applied by Arrow to all the cells still unread at once."""
    n = len(arr)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    form_of = np.full(n, _NOT_NUMBER, dtype=np.int64)
    names: list[str] = []
    aware = False
    day_first = used != "month-first"
    pick = np.unique(np.linspace(0, n - 1, min(n, _SHAPE_SAMPLE)).astype(int))
    sample = arr.take(pa.array(pick)).to_pylist()
    number = np.zeros(n, dtype=bool)
    if any(re.fullmatch(_NUMBER, t) for t in sample):  # numbers: a whole column of them, or some
        try:
            pc.cast(arr, pa.float64())
            number[:] = True
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            number = pc.match_substring_regex(arr, f"^{_NUMBER}$").to_numpy(zero_copy_only=False)
    if number.any():
        rows = np.flatnonzero(number)
        name, values = _numbers_as_dates(arr.take(pa.array(rows)) if len(rows) < n else arr)
        form_of[rows] = _NUMBER_UNREAD
        if name:
            names.append(name)
            out[rows] = values
            form_of[rows] = 0
    todo = np.flatnonzero(~number)
    if not len(todo):
        return out, form_of, names, aware
    shaped = [(t, _shape_format(t, day_first)) for t in sample]
    shapes = Counter(f for _, f in shaped if f)
    for fmt, _ in shapes.most_common():
        if not len(todo):
            break
        cells = arr.take(pa.array(todo)) if len(todo) < n else arr
        # cells laid out like a sampled one ('06 Jan 2025 09:15', '2025-01-06T09:15:00Z') are read from their
        # bytes; the rest of them by Arrow's strptime
        layouts = list(dict.fromkeys(filter(None, (_layout(fmt, t) for t, f in shaped if f == fmt))))
        fast, values = _read_layouts(cells, layouts[:_MAX_LAYOUTS], fmt, zone)
        has_zone = "%z" in fmt
        slow = np.flatnonzero(~fast)
        if len(slow):
            values[slow], has_zone = _arrow_strptime(
                cells.take(pa.array(slow)) if len(slow) < len(cells) else cells, fmt, zone)
        ok = ~np.isnat(values)
        if ok.any():
            aware |= has_zone
            names.append(fmt)
            out[todo[ok]] = values[ok]
            form_of[todo[ok]] = len(names) - 1
            todo = todo[~ok]
    return out, form_of, names, aware


# ------------------------------------------------------------------------------------------ fixed layouts
#
# A format's cells are mostly laid out alike: '06 Jan 2025 09:15' has the day in bytes 0-1, the month name in
# 3-5, and so on. Such cells are read straight from Arrow's bytes with numpy (like `_parse_iso_fixed`), each
# checked byte by byte against a layout taken from a sampled cell; cells that do not fit a layout exactly, or
# whose day, time or offset is out of range, are left to Arrow's strptime and its checks.

# the fields a layout reads, as they are written in the cells of a format (strptime's %y pivot, %B's names of
# different lengths and anything else are left to Arrow)
_LAYOUT_FIELDS = {"%Y": r"(?P<Y>\d{4})", "%m": r"(?P<m>\d{1,2})", "%d": r"(?P<d>\d{1,2})",
                  "%b": r"(?P<b>[A-Za-z]{3})", "%H": r"(?P<H>\d{1,2})", "%I": r"(?P<I>\d{1,2})",
                  "%M": r"(?P<M>\d{2})", "%S": r"(?P<S>\d{2})", "%f": r"(?P<f>\d{1,9})", "%p": r"(?P<p>[AaPp][Mm])",
                  "%z": r"(?P<z>Z|[+-]\d\d:?\d\d)"}
_LONGEST_MONTH = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])  # by month 1-12; 29 February
_FIRST_YEAR, _LAST_YEAR = 1678, 2261  # the whole years pandas holds in nanoseconds
# the day (since 1970-01-01) each month from January 1678 to December 2261 starts on, by month since 1678
_MONTH_STARTS = np.arange((_FIRST_YEAR - 1970) * 12, (_LAST_YEAR + 1 - 1970) * 12).astype(
    "datetime64[M]").astype("datetime64[D]").astype(np.int64)
_MAX_LAYOUTS = 8  # layouts tried per format (one per way the sample's cells of the format are laid out)
_MAX_OFFSET_HOURS = 14  # UTC offsets run from -12:00 to +14:00; any other is left to Arrow


def _month_keys() -> np.ndarray:
    """Three upper-case letters as a number (26 * 26 * first + 26 * second + third) -> month 1-12, else 0."""
    keys = np.zeros(26 ** 3, dtype=np.int64)
    for month, name in enumerate(_SHORT_MONTHS, start=1):
        a, b, c = (ord(ch) - 65 for ch in name)
        keys[(a * 26 + b) * 26 + c] = month
    return keys


_MONTH_KEYS = _month_keys()


@dataclass(frozen=True)
class _Layout:
    """Where the fields of one cell of a format are: its width in bytes, each field's (token, start, end), and
    the bytes between them (position, byte)."""

    size: int
    fields: tuple[tuple[str, int, int], ...]
    literals: tuple[tuple[int, int], ...]


@functools.lru_cache(maxsize=64)
def _layout_regex(fmt: str) -> re.Pattern[str]:
    return re.compile("".join(_LAYOUT_FIELDS.get(t, re.escape(t)) for t in re.findall(r"%.|[^%]+", fmt)))


def _layout(fmt: str, example: str) -> _Layout | None:
    """The layout of a cell written in `fmt` ('%d %b %Y %H:%M', '06 Jan 2025 09:15'); None when the format has
    a field the fixed path does not read, or the cell is not plain ASCII."""
    if not example.isascii():
        return None
    tokens = re.findall(r"%.|[^%]+", fmt)
    if any(t.startswith("%") and t not in _LAYOUT_FIELDS for t in tokens) or "%Y" not in tokens \
            or "%d" not in tokens or ("%m" not in tokens and "%b" not in tokens):
        return None
    m = _layout_regex(fmt).fullmatch(example)
    if m is None:
        return None
    fields = tuple((name, m.start(name), m.end(name)) for name in m.groupdict())
    covered = {i for _, start, end in fields for i in range(start, end)}
    literals = tuple((i, ord(example[i])) for i in range(len(example)) if i not in covered)
    return _Layout(len(example), fields, literals)


def _read_layouts(arr: pa.Array, layouts: list[_Layout], fmt: str, zone: tzinfo | str | None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(read, datetime64[ns] with NaT where not read) for the cells of `arr` (large strings) that fit one of
    the layouts exactly and hold a valid date. Offsets are applied and the times converted to `zone` as
    Arrow's path does (`_utc_to_zone`)."""
    n = len(arr)
    ok = np.zeros(n, dtype=bool)
    ns = np.zeros(n, dtype=np.int64)
    if not layouts or not n or arr.null_count or arr.type != pa.large_string():
        return ok, np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    lengths = np.diff(np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset: arr.offset + n + 1])
    for layout in layouts:
        hit = (lengths == layout.size) & ~ok
        rows = None if hit.all() else np.flatnonzero(hit)
        if rows is not None and not len(rows):
            continue
        # the cells of this width as one contiguous block of bytes, a row per cell
        block = arr if rows is None else arr.filter(pa.array(hit))
        bufs = block.buffers()
        first = int(np.frombuffer(bufs[1], dtype=np.int64)[block.offset])
        data = np.frombuffer(bufs[2], dtype=np.uint8)[first: first + len(block) * layout.size]
        good, value = _layout_cells(data.reshape(len(block), layout.size), layout)
        if rows is None:
            ok, ns = good, value
        else:
            ok[rows], ns[rows] = good, value
    values = np.where(ok, ns.view("datetime64[ns]"), np.datetime64("NaT", "ns"))
    if "%z" in fmt and ok.any():
        values = np.array(_utc_to_zone(values, zone), dtype="datetime64[ns]")  # a writeable copy
    return ok, values


def _layout_cells(cells: np.ndarray, layout: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """Rows of bytes laid out as `layout` -> (valid, nanoseconds since 1970; UTC when there is an offset)."""
    k = len(cells)
    columns = np.ascontiguousarray(cells.T)  # a row per byte position: each is read in one pass
    good = np.ones(k, dtype=bool)
    for i, byte in layout.literals:
        good &= columns[i] == byte
    zero = np.zeros(k, dtype=np.int64)
    if not good.any():
        return good, zero
    d = columns - np.uint8(48)  # digits 0-9; any other byte wraps round to more than 9

    def number(start: int, end: int) -> np.ndarray:
        nonlocal good
        good &= (d[start:end] <= 9).all(axis=0)
        value = d[start].astype(np.int32)
        for i in range(start + 1, end):
            value = value * 10 + d[i]
        return value

    found: dict[str, np.ndarray] = {}
    offset: np.ndarray | int = 0
    fraction: np.ndarray | int = 0
    pm = np.zeros(k, dtype=bool)
    for name, start, end in layout.fields:
        if name == "b":  # a month's short name, any case
            letters = (columns[start:end] & np.uint8(0xDF)).astype(np.int32) - 65
            good &= ((letters >= 0) & (letters <= 25)).all(axis=0)
            letters = np.clip(letters, 0, 25)
            found["m"] = _MONTH_KEYS[(letters[0] * 26 + letters[1]) * 26 + letters[2]]
        elif name == "p":  # 'AM' or 'PM', any case
            first, second = columns[start] | np.uint8(0x20), columns[start + 1] | np.uint8(0x20)
            good &= ((first == ord("a")) | (first == ord("p"))) & (second == ord("m"))
            pm = first == ord("p")
        elif name == "z":  # 'Z', '+01:00' or '+0100'
            if end - start == 1:
                good &= columns[start] == ord("Z")
                continue
            sign = columns[start]
            good &= (sign == ord("+")) | (sign == ord("-"))
            minutes_at = start + (4 if end - start == 6 else 3)
            if end - start == 6:
                good &= columns[start + 3] == ord(":")
            hours, minutes = number(start + 1, start + 3), number(minutes_at, minutes_at + 2)
            good &= (hours <= _MAX_OFFSET_HOURS) & (minutes <= 59)
            offset = np.where(sign == ord("-"), -1, 1) * (hours * 60 + minutes)
        elif name == "f":
            fraction = number(start, end).astype(np.int64) * 10 ** (9 - (end - start))
        else:
            found[name] = number(start, end)
    year, month, day = found["Y"], found["m"], found["d"]
    if "I" in found:  # 12-hour clock: 1-12 (Arrow refuses 0 and 13)
        hour = found["I"]
        good &= (hour >= 1) & (hour <= 12)
        hour = hour % 12 + np.where(pm, 12, 0)
    else:
        hour = found.get("H", zero)
        good &= hour <= 23
    minute, second = found.get("M", zero), found.get("S", zero)
    good &= (minute <= 59) & (second <= 59)  # a leap second (23:59:60) is left to Arrow, which refuses it
    good &= (year >= _FIRST_YEAR) & (year <= _LAST_YEAR)  # years pandas holds in ns
    good &= (month >= 1) & (month <= 12)
    month = np.where(good, month, 1)
    good &= (day >= 1) & (day <= _LONGEST_MONTH[month])
    feb29 = np.flatnonzero(good & (month == 2) & (day == 29))  # few: only they need the leap-year rule
    if len(feb29):
        y = year[feb29]
        good[feb29] = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    months = np.where(good, (year - _FIRST_YEAR) * 12 + month - 1, 0)
    days = _MONTH_STARTS[months] + (day - 1)
    minutes_since = (days * 24 + hour) * 60 + minute - offset
    ns = (minutes_since * 60 + second) * 1_000_000_000 + fraction
    return good, np.where(good, ns, 0)


def _utc_to_zone(values: np.ndarray, zone: tzinfo | str | None) -> np.ndarray:
    """UTC times (datetime64[ns], NaT kept) as naive local times in `zone` (default: `local_zone()`):
    vectorised, right on both sides of a change to or from summer time."""
    target = _zone(zone)
    if zone_name(target) in ("UTC", "Etc/UTC"):
        return values
    return pd.DatetimeIndex(values).tz_localize("UTC").tz_convert(target).tz_localize(None).to_numpy()


def _month_numbers(arr: pa.Array, fmt: str) -> tuple[pa.Array, str]:
    """Texts in a month-name format with the name swapped for its number ('09-Oct-2012' -> '09-10-2012'),
    and the format to read them with ('%d-%m-%Y'). The name is split out once and looked up among the twelve;
    a text whose name is not one of them ('Sept') becomes null here and is read later, one text at a time."""
    token = "%B" if "%B" in fmt else "%b"
    at = fmt.index(token)
    dot = fmt[at + 2: at + 3] == "."
    if at == 0:  # 'Oct 9 2012': the name first, then a space
        separator, index = " ", 0
    else:  # '9 Oct 2012', '09-Oct-2012': day, separator, name
        separator, index = fmt[at - 1], 1
    # a text with too few separators is not of this shape: it is split as a blank one (and reads as null)
    enough = pc.greater_equal(pc.count_substring(arr, separator), index + 1)
    arr = pc.if_else(enough, arr, pa.scalar(separator * (index + 1), pa.large_string()))
    parts = pc.split_pattern(arr, pattern=separator, max_splits=index + 1)
    pieces = [pc.list_element(parts, i) for i in range(index + 2)]
    name = pc.utf8_upper(pieces[index])
    if dot:
        name = pc.utf8_rtrim(name, characters=".")
    names = pa.array(_FULL_MONTHS if token == "%B" else _SHORT_MONTHS, pa.large_string())
    number = pc.add(pc.index_in(name, value_set=names), 1)
    pieces[index] = pc.utf8_lpad(pc.cast(number, pa.large_string()), 2, "0")
    joined = pc.binary_join_element_wise(*pieces, pa.scalar(separator, pa.large_string()))
    return joined, fmt.replace(token + ("." if dot else ""), "%m")


def _format_regex(fmt: str) -> str:
    """A regular expression for texts in a strptime format, capturing day, month and year (to catch Arrow's
    roll-over of impossible days)."""
    parts = {"%Y": r"(?P<Y>\d{4})", "%y": r"(?P<y>\d{2})", "%m": r"(?P<m>\d{1,2})", "%d": r"(?P<d>\d{1,2})", "%b": "[A-Za-z]+",
             "%B": "[A-Za-z]+", "%H": r"\d{1,2}", "%I": r"\d{1,2}", "%M": r"\d{2}", "%S": r"\d{2}",
             "%p": "[AaPp][Mm]", "%f": r"\d{1,9}", "%z": r"(?:Z|[+-]\d\d:?\d\d)"}
    return "^" + "".join(parts.get(tok, re.escape(tok)) for tok in re.findall(r"%.|[^%]+", fmt)) + "$"


def _arrow_strptime(arr: pa.Array, fmt: str, zone: tzinfo | str | None) -> tuple[np.ndarray, bool]:
    """Texts read with one format by Arrow's strptime (C++, about 0.2 us a cell), made as strict as pandas':
    Arrow rolls 30 February over into March and 23:59:60 into the next day, so those are unread here.
    Fractions of a second (which Arrow's strptime does not read) are split off and added back."""
    has_zone = "%z" in fmt
    original = arr
    fraction: np.ndarray | None = None
    if ".%f" in fmt:
        parts = pc.extract_regex(arr, r"^(?P<head>.*?:\d\d)\.(?P<frac>\d{1,9})(?P<tail>.*)$")
        arr = pc.binary_join_element_wise(parts.field("head"), parts.field("tail"), pa.scalar("", pa.large_string()))
        digits = pc.utf8_rpad(parts.field("frac"), 9, "0")
        fraction = pc.cast(pc.fill_null(digits, pa.scalar("0", pa.large_string())), pa.int64()).to_numpy(
            zero_copy_only=False)
        fmt = fmt.replace(".%f", "")
    if "%b" in fmt or "%B" in fmt:  # Arrow's %b goes through the C library's locale: ten times slower than %m
        arr, fmt = _month_numbers(arr, fmt)
    if "%p" in fmt:
        arr = pc.utf8_upper(arr)  # Arrow reads 'PM', not 'pm'
    parsed = pc.strptime(arr, format=fmt, unit="ns", error_is_null=True)
    values = pc.cast(parsed, pa.timestamp("ns")).to_numpy(zero_copy_only=False)  # UTC when there is a %z
    if has_zone:
        values = _utc_to_zone(values, zone)
    if fraction is not None:
        values = values + fraction.astype("timedelta64[ns]")
    elif not values.flags.writeable:
        values = values.copy()
    # Arrow rolls an impossible day over into the next month (30 February reads as 2 March), so cells read as
    # day 1-3 (with an offset, the first or last days of a month) have their written day checked against
    # their written month and year
    day = pc.fill_null(pc.day(parsed), 15).to_numpy(zero_copy_only=False)
    suspect = np.flatnonzero((day <= 3) | ((day >= 28) if has_zone else False))
    if len(suspect) and "%d" in fmt and "%m" in fmt:
        written = pc.extract_regex(arr.take(pa.array(suspect)), _format_regex(fmt))
        d, m = (pc.cast(written.field(k), pa.int64()).to_numpy(zero_copy_only=False) for k in ("d", "m"))
        if "%Y" in fmt:
            year = pc.cast(written.field("Y"), pa.int64()).to_numpy(zero_copy_only=False)
        else:
            short = pc.cast(written.field("y"), pa.int64()).to_numpy(zero_copy_only=False)
            year = np.where(short < 69, 2000 + short, 1900 + short)  # strptime's pivot
        values[suspect[d > _month_days(year, m)]] = np.datetime64("NaT")
    leap = pc.match_substring(original, ":60").to_numpy(zero_copy_only=False)
    if leap.any():
        values[leap] = np.datetime64("NaT")
    return values, has_zone


def _parse_uniques(texts: np.ndarray, used: UsedOrder, zone: tzinfo | str | None
                   ) -> tuple[np.ndarray, np.ndarray, list[str], bool]:
    """Distinct cell texts -> (datetime64[ns] with NaT, the index of the form that read each (-1: none), the
    forms, whether any had an offset). Formats are tried on all the texts at once (pandas' C strptime);
    only texts no format read are looked at one by one."""
    n = len(texts)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    form_of = np.full(n, -1, dtype=np.int64)
    names: list[str] = []
    aware = False
    series = pd.Series(texts, dtype="str")
    digits = series.str.fullmatch(_NUMBER).fillna(False).to_numpy(dtype=bool)  # decided on the whole column

    def record(positions: np.ndarray, values: np.ndarray, name: str) -> None:
        ok = ~np.isnat(values)
        if ok.any():
            if name not in names:
                names.append(name)
            out[positions[ok]] = values[ok]
            form_of[positions[ok]] = names.index(name)

    todo = np.flatnonzero(~digits)
    day_first = used != "month-first"

    def try_format(fmt: str) -> None:
        nonlocal todo, aware
        if not len(todo):
            return
        values, has_zone = _strptime(take_rows(series, todo), fmt, zone)
        aware |= has_zone and bool((~np.isnat(values)).any())
        record(todo, values, fmt)
        todo = todo[np.isnat(out[todo])]

    # the shapes of a sample of the texts, most common first, each tried on all of them at once
    if len(todo):
        pick = todo[np.unique(np.linspace(0, len(todo) - 1, min(len(todo), _SHAPE_SAMPLE)).astype(int))]
        shapes = Counter(f for f in (_shape_format(texts[i], day_first) for i in pick) if f)
        for fmt, _ in shapes.most_common():
            try_format(fmt)
    # texts of a shape the sample did not show: shaped one by one, then read a format at a time
    if len(todo):
        by_format: dict[str, None] = {}
        for i in todo[:_SHAPE_ONE_BY_ONE]:
            shape = _shape_format(texts[i], day_first)
            if shape:
                by_format[shape] = None
        for shape in by_format:
            try_format(shape)
    # free forms ('Tue, 9 Oct 2012 13:50:17 GMT', '9th October 2012'): dateutil, one text at a time. Numeric
    # d/m/y that failed stays unreadable: dateutil would read it in the other order.
    if len(todo):
        zone_used = _zone(zone)
        free = [i for i in todo[:_FREE_ONE_BY_ONE] if _could_be_free_form(texts[i])]
        values = np.full(len(free), np.datetime64("NaT"), dtype="datetime64[ns]")
        for k, i in enumerate(free):
            ts, has_zone = _free_form(texts[i], day_first, zone_used)
            if ts is not None:
                values[k] = ts
                aware |= has_zone
        record(np.asarray(free, dtype=np.int64), values, _FREE)
    return out, form_of, names, aware


def _could_be_free_form(text: str) -> bool:
    return (not _DMY.match(text) and any(c.isdigit() for c in text) and _FREE_FORM.search(text) is not None)


_YEAR_FIRST = re.compile(r"\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b")


def _free_form(text: str, day_first: bool, zone: tzinfo | str) -> tuple[np.datetime64 | None, bool]:
    """One free-form text by dateutil: (the time, whether it had a zone); None when unreadable, when it
    names no year, or when pandas cannot hold it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", dateutil_parser.UnknownTimezoneWarning)
        try:
            # a date that opens with its year is year-month-day whatever the column's order: dateutil's dayfirst
            # would read '2026-03-02 09:15:00 UTC' as 3 February
            year_first = _YEAR_FIRST.match(text) is not None
            value = dateutil_parser.parse(text, dayfirst=day_first and not year_first, yearfirst=year_first,
                                          default=datetime(1, 1, 1))
        except (ValueError, OverflowError, TypeError):
            return None, False
    if any(issubclass(w.category, dateutil_parser.UnknownTimezoneWarning) for w in caught):
        return None, False  # a zone name dateutil does not know ('13:50 JTF'): the time cannot be placed
    if value.year == 1:  # no year in the text ('9 Oct'): not a date we can place
        return None, False
    has_zone = value.tzinfo is not None
    try:
        ts = pd.Timestamp(value)
        if has_zone:
            ts = ts.tz_convert(zone).tz_localize(None)
    except (ValueError, OverflowError):
        return None, has_zone
    if not (_LOWEST <= ts <= _HIGHEST):
        return None, has_zone
    return ts.as_unit("ns").to_datetime64(), has_zone


def _shape_format(text: str, day_first: bool) -> str | None:
    """The strptime format a text is written in ('%d %b %Y %I:%M %p'), from its shape; None for no known shape.
    Day/month order of numeric dates is the column's, never the cell's own."""
    m = _SHAPE.match(text)
    if m is None:
        return None
    g = m.group
    if g("y1"):
        s = g("s1")
        fmt = f"%Y{s}%m{s}%d"
    elif g("s2"):
        s = g("s2")
        fmt = ("%d{s}%m{s}" if day_first else "%m{s}%d{s}").format(s=s) + ("%Y" if len(g("y2")) == 4 else "%y")
    elif g("s3"):
        month = _month_format(g("mon3"))
        if month is None:
            return None
        s = g("s3")
        fmt = f"%d{s}{month}{g('dot3')}{s}" + ("%Y" if len(g("y3")) == 4 else "%y")
    else:
        month = _month_format(g("mon4"))
        if month is None:
            return None
        fmt = f"{month}{g('dot4')} %d{g('c4')} %Y"
    if g("t") is not None:
        fmt += g("t") + ("%I" if g("p") else "%H") + ":%M" + (":%S" if g("S") else "") + (".%f" if g("f") else "")
        fmt += g("sp") + ("%p" if g("p") else "")
    if g("z"):
        fmt += g("zs") + "%z"
    return fmt


def _month_format(word: str) -> str | None:
    """'%b' for an abbreviated month name, '%B' for a full one, None for a word that is not a month."""
    low = word.lower()
    if low not in _MONTHS:
        return None
    return "%b" if len(low) == 3 else "%B"


def _strptime(texts: pd.Series, fmt: str, zone: tzinfo | str | None) -> tuple[np.ndarray, bool]:
    """Texts read with one format (pandas' strptime: strict, no 30 February); offset-aware times converted
    to `zone` and made naive. Years pandas cannot hold in nanoseconds become NaT."""
    has_zone = "%z" in fmt
    parsed = pd.to_datetime(texts, format=fmt, errors="coerce", utc=has_zone)
    if has_zone:
        parsed = parsed.dt.tz_convert(_zone(zone)).dt.tz_localize(None)
    if "%S" in fmt:  # strptime takes a leap second (23:59:60) as the next day's 00:00:00
        parsed = parsed.mask(texts.str.contains(":60", regex=False).fillna(False).to_numpy(dtype=bool))
    return _in_range(parsed).to_numpy(dtype="datetime64[ns]"), has_zone


def _numbers_as_dates(numbers: pa.Array) -> tuple[str | None, np.ndarray]:
    """A column's numbers (text cells of digits) as dates, when all of them fit one form: eight digits
    YYYYMMDD, six digits YYMMDD, Unix seconds or milliseconds in 2000-2100. Otherwise (None, NaT): ordinary
    numbers (ids, counts) are not dates. Decided on all the numbers at once (Arrow, numpy)."""
    nat = np.full(len(numbers), np.datetime64("NaT"), dtype="datetime64[ns]")
    lengths = pc.min_max(pc.utf8_length(numbers))
    shortest, longest = lengths["min"].as_py(), lengths["max"].as_py()
    try:
        whole: np.ndarray | None = pc.cast(numbers, pa.int64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        whole = None  # some have a fraction
    if whole is not None and shortest == longest and shortest in (6, 8):
        fmt = "%Y%m%d" if shortest == 8 else "%y%m%d"
        distinct = pd.Series(np.unique(whole).astype(str), dtype="str").str.zfill(shortest)
        values, _ = _strptime(distinct, fmt, None)  # pandas: strict (no 30 February)
        years = values.astype("datetime64[Y]").astype(np.int64) + 1970
        if not np.isnat(values).any() and ((years >= 1900) & (years <= 2100)).all():
            # every distinct number is a valid date, so Arrow's faster (lenient) reading gives the same
            return fmt, pc.strptime(numbers, format=fmt, unit="ns").to_numpy(zero_copy_only=False)
        return None, nat
    as_float = pc.cast(numbers, pa.float64()).to_numpy(zero_copy_only=False)
    low, high = (float(as_float.min()), float(as_float.max())) if len(as_float) else (0.0, 0.0)
    for name, scale in ((_UNIX_S, 1), (_UNIX_MS, 1000)):
        if _UNIX_FROM * scale <= low and high < _UNIX_TO * scale:
            step = 1_000_000_000 // scale
            # whole numbers as integers (a float would round milliseconds off), fractions as floats
            ns = whole * step if whole is not None else np.round(as_float * step).astype(np.int64)
            return name, ns.view("datetime64[ns]")
    return None, nat


# the widths the fixed path reads: date; with minutes; seconds; milliseconds; microseconds (most common first)
_FIXED_WIDTHS = (16, 10, 19, 23, 26)
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_NS_PER_MINUTE = 60_000_000_000


def _parse_iso_fixed(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(read, datetime64[ns], width) for cells exactly 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM',
    'YYYY-MM-DD HH:MM:SS', 'YYYY-MM-DD HH:MM:SS.fff' or 'YYYY-MM-DD HH:MM:SS.ffffff' (or with 'T'; or '/' or
    '.' between the date's parts), zero-padded and valid; any other cell is left for the other forms.
    `width` (see `_FIXED_WIDTHS`; 0 for other cells) says which of the forms a read cell was in."""
    n = len(text)
    ok = np.zeros(n, dtype=bool)
    ns = np.zeros(n, dtype=np.int64)
    widths = np.zeros(n, dtype=np.int8)
    try:
        arr = pa.array(text.array)
    except (TypeError, pa.ArrowException):
        return ok, ns.view("datetime64[ns]"), widths
    pos = 0
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        m = len(chunk)
        if m and (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            bufs = chunk.buffers()
            width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            offsets = np.frombuffer(bufs[1], dtype=width)[chunk.offset: chunk.offset + m + 1]
            data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
            lengths = np.diff(offsets)
            for size in _FIXED_WIDTHS:
                hit = lengths == size
                if hit.all():  # a column of one shape: its cells are one contiguous block of bytes
                    cells = data[offsets[0]: offsets[-1]].reshape(m, size)
                    good, value = _iso_cells(cells)
                    ok[pos: pos + m], ns[pos: pos + m] = good, value
                    widths[pos: pos + m] = size
                    break
                rows = np.flatnonzero(hit)
                if len(rows):  # the cells of this width, copied into one block
                    block = chunk.filter(pa.array(hit))
                    first = np.frombuffer(block.buffers()[1], dtype=width)[block.offset]
                    cells = np.frombuffer(block.buffers()[2], dtype=np.uint8)[first: first + len(rows) * size]
                    good, value = _iso_cells(cells.reshape(len(rows), size))
                    ok[pos + rows], ns[pos + rows] = good, value
                    widths[pos + rows] = size
        pos += m
    ns[~ok] = 0
    widths[~ok] = 0
    return ok, ns.view("datetime64[ns]"), widths


def _month_days(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Days in each month (month outside 1-12: 0, so that no day fits)."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    fits = (month >= 1) & (month <= 12)
    return np.where(fits, _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + (leap & (month == 2)), 0)


def _iso_cells(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of bytes (10, 16, 19, 23 or 26 wide) -> (valid, nanoseconds since 1970). The date's separators
    are '-' (ISO), '/' or '.', the same twice; 23 and 26 wide have milliseconds or microseconds."""
    size = cells.shape[1]
    d = cells - np.uint8(48)  # digits 0-9; any other byte wraps round to more than 9
    sep = cells[:, 4]
    good = ((sep == 45) | (sep == 47) | (sep == 46)) & (cells[:, 7] == sep)  # '-', '/' or '.'
    if not good.any():  # another form of the same width ('10/09/2012 01:50 PM' is 19 wide): not ours
        return good, np.zeros(len(cells), dtype=np.int64)
    fraction_digits = tuple(range(20, size)) if size > 19 else ()
    for i in (0, 1, 2, 3, 5, 6, 8, 9) + ((11, 12, 14, 15) if size > 10 else ()) + ((17, 18) if size > 16 else ()) \
            + fraction_digits:
        good &= d[:, i] <= 9

    def num(i: int) -> np.ndarray:
        return d[:, i].astype(np.int64) * 10 + d[:, i + 1]

    year, month, day = num(0) * 100 + num(2), num(5), num(8)
    zero = np.zeros(len(cells), dtype=np.int64)
    hour, minute, second = zero, zero, zero
    if size > 10:
        good &= ((cells[:, 10] == 32) | (cells[:, 10] == 84)) & (cells[:, 13] == 58)  # ' ' or 'T', ':'
        hour, minute = num(11), num(14)
    if size > 16:
        good &= cells[:, 16] == 58
        second = num(17)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    good &= (year >= 1678) & (year <= 2261) & (month >= 1) & (month <= 12)  # years pandas holds in ns
    month_days = _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + (leap & (month == 2))
    good &= (day >= 1) & (day <= month_days) & (hour <= 23) & (minute <= 59) & (second <= 59)
    months = np.where(good, (year - 1970) * 12 + month - 1, 0)
    days = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + day - 1
    ns = ((days * 24 + hour) * 60 + minute) * _NS_PER_MINUTE + second * 1_000_000_000
    if fraction_digits:
        good &= cells[:, 19] == 46  # '.'
        fraction = np.zeros(len(cells), dtype=np.int64)
        for i in fraction_digits:
            fraction = fraction * 10 + d[:, i]
        ns += fraction * 10 ** (9 - len(fraction_digits))
    return good, ns


_LOWEST, _HIGHEST = pd.Timestamp.min.ceil("s"), pd.Timestamp.max.floor("s")


def _in_range(parsed: pd.Series) -> pd.Series:
    """Dates in nanoseconds; years pandas cannot hold that way (0026, 2262...) become unreadable (NaT)."""
    ok = parsed.notna() & (parsed >= _LOWEST) & (parsed <= _HIGHEST)
    return parsed.where(ok).astype("datetime64[ns]")


def _read_excel(values: pd.Series, order: DateOrder, zone: tzinfo | str | None) -> DateReading:
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    text_pos = []
    excel_cells, example = 0, ""
    for i, v in enumerate(values.array):
        ts: pd.Timestamp | None = None
        if isinstance(v, (datetime, date)):
            ts = pd.Timestamp(v)
            if not _LOWEST <= ts <= _HIGHEST:  # a year typed as 0026 stays unreadable instead of overflowing
                ts = None
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v < 2958466:
            ts = pd.Timestamp("1899-12-30") + pd.to_timedelta(float(v), unit="D")
        elif cell_text(v):
            text_pos.append(i)
        if ts is not None:
            out.iat[i] = ts
            excel_cells += 1
            example = example or str(v)
    used: UsedOrder = "excel" if order == "auto" else order
    forms = [DateForm(_EXCEL, example, excel_cells)] if excel_cells else []
    given, zone_used, why = excel_cells, None, ""
    if text_pos:
        texts = pd.Series([cell_text(values.iat[i]) for i in text_pos], dtype="str")
        reading = read_dates(texts, order, zone)
        for i, ts in zip(text_pos, reading.values.array, strict=True):
            out.iat[i] = ts
        if len(text_pos) > len(values) // 2:
            used = reading.order
        forms = sorted(forms + reading.forms, key=lambda f: -f.cells)
        given += reading.given
        zone_used, why = reading.zone, reading.order_reason
    return DateReading(out, used, forms, given, zone_used, why)


# ------------------------------------------------------------------------------------------ in words


_DATE_PARTS = {"%Y": "year", "%y": "year", "%m": "month", "%d": "day", "%b": "month name", "%B": "month name"}


def describe_form(form: str) -> str:
    """A form in words: '%Y/%m/%d %H:%M:%S.%f' -> 'year/month/day with seconds'."""
    special = {
        _EXCEL: "an Excel date", _FREE: "a date written out (read by dateutil)",
        _UNIX_S: "Unix time in seconds", _UNIX_MS: "Unix time in milliseconds",
        "%Y%m%d": "year, month and day as eight digits (YYYYMMDD)",
        "%y%m%d": "year, month and day as six digits (YYMMDD)",
    }
    if form in special:
        return special[form]
    tokens = re.findall(r"%[YymdbB]", form)
    date_part = re.split(r"[T ]%[HI]", form, maxsplit=1)[0]
    seps = re.findall(r"%[YymdbB]\.?([/.\-]|,? )", date_part)
    sep = seps[0].strip() if seps else ""
    named = "%b" in tokens or "%B" in tokens  # '9 Oct 2012', '09-Oct-2012': 'day, month name, year'
    words = (sep if sep in ("/", "-", ".") and sep and not named else ", ").join(_DATE_PARTS[t] for t in tokens)
    if form.startswith("%Y-%m-%d"):
        words += " (ISO 8601)"
    extras = []
    if "%y" in tokens:
        extras.append("a two-digit year")
    if "%S" in form:
        extras.append("seconds" + (" and fractions" if "%f" in form else ""))
    elif "%M" in form:
        extras.append("minutes")
    if "%p" in form:
        extras.append("a 12-hour clock (AM/PM)")
    if "%z" in form:
        extras.append("a UTC offset")
    if not extras:
        return words
    return words + " with " + (", ".join(extras[:-1]) + " and " + extras[-1] if len(extras) > 1 else extras[0])


def date_note(reading: DateReading, column: str) -> list[str]:
    """What the load report says about a date column: what was seen and how much was read like it, how the
    order was decided (when it mattered), which zone offset-aware times were converted to."""
    if not reading.forms:
        return []
    merged: dict[str, DateForm] = {}  # forms that read the same in words ('T' or a space) are one
    for f in reading.forms:
        words = describe_form(f.form)
        seen = merged.get(words)
        merged[words] = DateForm(f.form, seen.example if seen else f.example, f.cells + (seen.cells if seen else 0))
    forms = sorted(merged.items(), key=lambda kv: -kv[1].cells)
    (main_words, main), others = forms[0], forms[1:]
    text = (f"Dates in '{column}': '{main.example}' looks like {main_words}; Workbench read "
            f"{main.cells:,} of {reading.given:,} like it")
    if reading.given_format:
        text = (f"Dates in '{column}' read with the format '{reading.given_format}' as given: "
                f"{main.cells:,} of {reading.given:,} ('{main.example}')")
    if others:
        text += "; also " + ", ".join(f"{f.cells:,} like '{f.example}' ({words})" for words, f in others[:3])
        if len(others) > 3:
            text += f" and {sum(f.cells for _, f in others[3:]):,} in {len(others) - 3} other form(s)"
    if reading.given > reading.read:
        text += f"; {reading.given - reading.read:,} could not be read"
    lines = [text + "."]
    if reading.order_reason:
        lines.append(reading.order_reason)
    if reading.zone:
        lines.append(f"Times with a UTC offset or 'Z' were converted to {reading.zone} time.")
    return lines


def unreadable_reason(text: str, column: str, order: UsedOrder) -> str:
    """Why one cell of a date column was set aside (it starts 'date not readable' or 'no date')."""
    if not text:
        return f"no date: '{column}' is blank"
    reason = f"date not readable: '{text}' in '{column}'"
    if order in ("day-first", "month-first") and _DMY.match(text):
        if _readable_as(text, "month-first" if order == "day-first" else "day-first") and \
                not _readable_as(text, order):
            return reason + f" is not a {order} date"
        return reason
    if re.fullmatch(_NUMBER, text):
        return reason + " (a number, and the column's numbers are not all dates of one form)"
    if _out_of_range(text):
        return reason + " is outside the years Workbench can hold (1678 to 2261)"
    return reason


def _readable_as(text: str, order: DateOrder) -> bool:
    return bool(read_dates(pd.Series([text], dtype="str"), order, "UTC").values.notna().all())


def _out_of_range(text: str) -> bool:
    """Whether a text is a date pandas cannot hold ('5 Jan 9999', '0026-01-05')."""
    try:
        value = dateutil_parser.parse(text, default=datetime(1, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return False
    stamp = pd.Timestamp(value.replace(tzinfo=None))
    return value.year != 1 and not (_LOWEST <= stamp <= _HIGHEST)


def unreadable_column_message(source: str, column: str, examples: list[str], order: DateOrder,
                              date_columns: list[str], read: int = 0, given: int = 0) -> str:
    """The one sentence for a date column none (or only a few: `read` of `given`) of whose cells could be
    read: what it holds, and only the choices that could help (a date order that reads the examples; another
    column that holds dates)."""
    shown = list(dict.fromkeys(e for e in examples if e))[:3]
    text = f"{source}: none of the rows in column '{column}' holds a date Workbench can read"
    if read:
        text = (f"{source}: only {read:,} of {given:,} rows in column '{column}' hold a date Workbench can read, "
                "too few to trust that it is the date column")
    if not shown:
        return text + " (the column is empty)." + (_other_columns(date_columns) or _FORMAT_ADVICE)
    text += " (it holds " + ", ".join(f"'{e}'" for e in shown) + ")"
    helps = [o for o in ("day-first", "month-first") if o != order
             and any(_readable_as(e, o) for e in shown if _DMY.match(e))]
    advice = []
    if helps:
        flag = {"day-first": "--dayfirst", "month-first": "--monthfirst"}[helps[0]]
        advice.append(f"they read as {helps[0]} dates: choose {helps[0]} under 'Dates are written' "
                      f"(CLI: {flag})")
    elif all(re.fullmatch(_NUMBER, e) for e in shown):
        advice.append("they are numbers but not all dates of one form (YYYYMMDD, YYMMDD, Unix seconds or "
                      "milliseconds in 2000-2100)")
    fallback = "" if helps or date_columns else _FORMAT_ADVICE  # only when nothing closer would help
    return text + (". " + advice[0][0].upper() + advice[0][1:] + "." if advice else ".") + \
        _other_columns(date_columns) + fallback


_FORMAT_ADVICE = (" If the dates are written some other way, give their format under 'Date format' (CLI: "
                  "--date-format, e.g. '%y%m%d' for 990201); if the file has no dates, read it without them "
                  "('No dates in this file'; CLI: --no-dates).")


def _other_columns(date_columns: list[str]) -> str:
    if not date_columns:
        return ""
    names = ", ".join(f"'{c}'" for c in date_columns[:3])
    return (f" Column {names} holds dates: choose it in the mapping (CLI: --map received_at={date_columns[0]})."
            if len(date_columns) == 1 else
            f" Columns {names} hold dates: choose one in the mapping (CLI: --map received_at=COLUMN).")


# ------------------------------------------------------------------------------------------ a format given


def check_format(fmt: str) -> str | None:
    """Why `fmt` cannot be used as a date format (None when it can): it must hold a date code and be one
    Python's strptime knows. Said in words, because it comes from a person."""
    if "%" not in fmt:
        return f"'{fmt}' is not a date format: use codes such as %d/%m/%Y %H:%M or %y%m%d"
    if not re.search(r"%[YyjmdbBUWGcx]", fmt):
        return f"'{fmt}' has no year, month or day (%Y, %y, %m, %d, %b): it cannot give a date"
    try:
        at = datetime(2026, 1, 5, 9, 15, 30, tzinfo=ZoneInfo("UTC") if "%z" in fmt or "%Z" in fmt else None)
        sample = at.strftime(fmt)
        datetime.strptime(sample, fmt)
    except (ValueError, TypeError) as exc:
        return f"'{fmt}' is not a format Workbench can read dates with ({exc})"
    return None


def _read_with_format(values: pd.Series, fmt: str, zone: tzinfo | str | None) -> DateReading:
    """Every text cell read with `fmt` (each distinct text once); Excel date cells are dates already."""
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    excel_cells, excel_example = 0, ""
    if values.dtype == object:
        texts = []
        for i, v in enumerate(values.array):
            if isinstance(v, (datetime, date)) and _LOWEST <= pd.Timestamp(v) <= _HIGHEST:
                out[i] = pd.Timestamp(v).as_unit("ns").to_datetime64()
                excel_cells += 1
                excel_example = excel_example or str(v)
                texts.append("")
            else:
                texts.append(cell_text(v))
        text = pd.Series(texts, dtype="str")
    else:
        text = values.fillna("").astype("str").str.strip().reset_index(drop=True)
    codes, uniques = pd.factorize(text)
    has_zone = "%z" in fmt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(pd.Series(uniques, dtype="str"), format=fmt, errors="coerce", utc=has_zone)
    if has_zone:
        parsed = parsed.dt.tz_convert(_zone(zone)).dt.tz_localize(None)
    parsed_values = _in_range(parsed).to_numpy(dtype="datetime64[ns]")
    by_row = parsed_values[codes] if len(uniques) else np.empty(0, dtype="datetime64[ns]")
    texts_given = (text != "").to_numpy()
    from_text = texts_given & ~np.isnat(by_row) if len(by_row) else np.zeros(len(text), dtype=bool)
    out[from_text] = by_row[from_text]
    forms = []
    if from_text.any():
        forms.append(DateForm(fmt, cast(str, text.iat[int(np.flatnonzero(from_text)[0])]), int(from_text.sum())))
    if excel_cells:
        forms.append(DateForm(_EXCEL, excel_example, excel_cells))
    forms.sort(key=lambda f: -f.cells)
    codes_in_order = re.findall(r"%[dmYyb]", fmt)
    used: UsedOrder = "iso"
    if "%d" in codes_in_order and "%m" in codes_in_order:
        used = "day-first" if codes_in_order.index("%d") < codes_in_order.index("%m") else "month-first"
        if codes_in_order[0] in ("%Y", "%y"):
            used = "iso"
    aware = has_zone and bool(from_text.any())
    return DateReading(pd.Series(out, index=values.index), used, forms, int(texts_given.sum()) + excel_cells,
                       zone_name(_zone(zone)) if aware else None, "", given_format=fmt)


# ------------------------------------------------------------------------------------------ time of day

_TIME_OF_DAY = re.compile(r"""^(?:\d{4}-\d{2}-\d{2}[ T])?   # a date before it (Excel's 1899-12-30) is ignored
    (?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?
    \s*(?P<p>[AaPp]\.?[Mm]\.?)?$""", re.X)
_HHMMSS = re.compile(r"^(?P<h>\d{2})(?P<m>\d{2})(?P<s>\d{2})$")


@dataclass
class TimeReading:
    """A time-of-day column as read: time since midnight per row (NaT where unreadable or blank), how many
    cells held something, how many were read, and an example of what was read and of what was not."""

    values: np.ndarray  # timedelta64[ns]
    given: int
    read: int
    example: str = ""
    unreadable: list[str] = field(default_factory=list)


def _time_of(value: object) -> np.timedelta64 | None:
    """One cell as time since midnight: '7:02:47', '13:50', '1:50 PM', '07:02:47.250', '070247', an Excel time
    (a time, a date-time, or a fraction of a day)."""
    if isinstance(value, datetime):
        return np.timedelta64(value.hour * 3600 + value.minute * 60 + value.second, "s").astype("m8[ns]") + \
            np.timedelta64(value.microsecond, "us").astype("m8[ns]")
    if isinstance(value, time):
        return np.timedelta64(value.hour * 3600 + value.minute * 60 + value.second, "s").astype("m8[ns]") + \
            np.timedelta64(value.microsecond, "us").astype("m8[ns]")
    if isinstance(value, float) and not isinstance(value, bool) and 0 <= value < 1:
        # whole microseconds, never a full day: 0.999999999999 is a moment before midnight, not the next day
        return np.timedelta64(min(int(value * 86_400_000_000), 86_399_999_999), "us").astype("m8[ns]")
    text = cell_text(value)
    match = _TIME_OF_DAY.match(text) or _HHMMSS.match(text)
    if match is None:
        return None
    parts = match.groupdict()
    hour, minute, second = int(parts["h"]), int(parts["m"]), int(parts.get("s") or 0)
    noon = (parts.get("p") or "").lower()[:1]
    if noon:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if noon == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    fraction = parts.get("f") or ""
    nanos = int((fraction + "000000000")[:9]) if fraction else 0
    return np.timedelta64((hour * 3600 + minute * 60 + second) * 1_000_000_000 + nanos, "ns")


def read_times(values: pd.Series) -> TimeReading:
    """Read a column of times of day (each distinct cell once) for joining with a column of dates."""
    codes, uniques = pd.factorize(pd.Series(values.array, dtype=object), use_na_sentinel=True)
    parsed = [_time_of(u) for u in uniques]
    lut = np.array([np.timedelta64("NaT", "ns") if t is None else t for t in parsed] + [np.timedelta64("NaT", "ns")],
                   dtype="m8[ns]")
    out = lut[codes]
    shown = [cell_text(u) for u in uniques]
    given_lut = np.array([bool(t) for t in shown] + [False], dtype=bool)
    given = given_lut[codes]
    read = given & ~np.isnat(out)
    out = np.where(given, out, np.timedelta64("NaT", "ns"))
    example = next((t for t, p in zip(shown, parsed, strict=True) if t and p is not None), "")
    unreadable = [t for t, p in zip(shown, parsed, strict=True) if t and p is None][:5]
    return TimeReading(out, int(given.sum()), int(read.sum()), example, unreadable)
