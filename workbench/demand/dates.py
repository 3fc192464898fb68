"""Reading dates as teams write them: ISO, day-first or month-first (found from the whole column when not
chosen), two- or four-digit years, with or without times, Excel date cells and serial numbers.

Its own module because dates are the subtlest part of a demand file and grow on their own (the received and
resolved dates today; times and durations next). Unreadable cells become NaT; the cleaning step says why.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.demand.read import cell_text
from workbench.demand.reading import DATE_ORDERS, DateOrder

__all__ = ["DATE_ORDERS", "DateOrder", "UsedOrder", "detect_date_order", "is_numeric_date", "parse_dates"]

UsedOrder = Literal["iso", "excel", "day-first", "month-first"]  # what the dates were read as (the report says)

_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})")
_TIMES = (" %H:%M", " %H:%M:%S", "")
_ISO_FORMATS = [f"%Y-%m-%d{t}" for t in _TIMES] + ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]


def is_numeric_date(text: str) -> bool:
    """Whether a cell is written as numbers d/m/y or m/d/y ('31/01/2026', '1.2.26'), whatever its order."""
    return _DMY.match(text) is not None


def _slash_formats(day_first: bool) -> list[str]:
    dm = "%d{s}%m" if day_first else "%m{s}%d"
    out = []
    for sep in ("/", "-", "."):
        for year in ("%Y", "%y"):
            for t in _TIMES:
                out.append(dm.format(s=sep) + sep + year + t)
    return out


def detect_date_order(values: pd.Series) -> UsedOrder:
    """'iso', 'day-first' or 'month-first' from a sample of date strings; day-first when it cannot tell."""
    sample = values[values.str.len() > 0].head(20_000)
    if sample.empty:
        return "day-first"
    iso = sample.str.match(_ISO).mean()
    if iso >= 0.5:
        return "iso"
    parts = sample.str.extract(_DMY).dropna()
    if not parts.empty:
        first, second = parts[0].astype(int), parts[1].astype(int)
        if (first > 12).any() and not (second > 12).any():
            return "day-first"
        if (second > 12).any() and not (first > 12).any():
            return "month-first"
    return "day-first"


def parse_dates(values: pd.Series, order: DateOrder = "auto") -> tuple[pd.Series, UsedOrder]:
    """Parse a column of dates; unreadable cells become NaT. Returns the dates and the order used."""
    if values.dtype == object:  # Excel: real date cells, serial numbers and text mixed
        return _parse_excel_dates(values, order)
    # spread the sample over the whole column: a month-first file whose first weeks are all days 1-12
    # only shows its order later on
    spread = np.unique(np.linspace(0, max(len(values) - 1, 0), min(len(values), 20_000)).astype(int))
    sample_text = values.iloc[spread].fillna("").astype("str").str.strip()
    used = detect_date_order(sample_text) if order == "auto" else order
    formats = _ISO_FORMATS + _slash_formats(used != "month-first")
    text = values.fillna("").astype("str").str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    todo = (text != "").to_numpy().copy()
    # Zero-padded ISO cells ('2026-01-05', '2026-01-05 09:15', '2026-01-05T09:15:30') are read directly;
    # only one of the formats below could read such a cell, so the result is the same as theirs.
    iso_ok, iso_values = _parse_iso_fixed(text)
    if iso_ok.all():
        out = pd.Series(iso_values, index=values.index)
    elif iso_ok.any():
        out.iloc[np.flatnonzero(iso_ok)] = iso_values[iso_ok]
    todo &= ~iso_ok
    # pandas' strptime is strict (no 30 February, four-digit %Y); each format only sees the cells no
    # earlier format could read, and only those cells are handed to it.
    left = np.flatnonzero(todo)
    if len(left):
        rest = text if len(left) == len(text) else text.iloc[left]
        sample = rest.head(500)
        formats.sort(key=lambda f: -int(pd.to_datetime(sample, format=f, errors="coerce").notna().sum()))
        for fmt in formats:
            if not len(left):
                break
            parsed = _in_range(pd.to_datetime(rest, format=fmt, errors="coerce"))
            ok = parsed.notna().to_numpy()
            if ok.any():
                out.iloc[left[ok]] = parsed[ok].to_numpy()
                left, rest = left[~ok], rest[~ok]
    if len(left):
        _parse_leftovers(text, out, left, used)
    return out, used


_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_NS_PER_MINUTE = 60_000_000_000


def _parse_iso_fixed(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(read, datetime64[ns]) for cells exactly 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH:MM:SS'
    (or with 'T'), zero-padded and valid; any other cell is left unread for the strptime formats."""
    n = len(text)
    ok = np.zeros(n, dtype=bool)
    ns = np.zeros(n, dtype=np.int64)
    try:
        arr = pa.array(text.array)
    except (TypeError, pa.ArrowException):
        return ok, ns.view("datetime64[ns]")
    pos = 0
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        m = len(chunk)
        if m and (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            bufs = chunk.buffers()
            width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            offsets = np.frombuffer(bufs[1], dtype=width)[chunk.offset: chunk.offset + m + 1]
            data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
            lengths = np.diff(offsets)
            for size in (16, 10, 19):
                hit = lengths == size
                if hit.all():  # a column of one shape: its cells are one contiguous block of bytes
                    cells = data[offsets[0]: offsets[-1]].reshape(m, size)
                    good, value = _iso_cells(cells)
                    ok[pos: pos + m], ns[pos: pos + m] = good, value
                    break
                rows = np.flatnonzero(hit)
                if len(rows):  # the cells of this width, copied into one block
                    block = chunk.filter(pa.array(hit))
                    first = np.frombuffer(block.buffers()[1], dtype=width)[block.offset]
                    cells = np.frombuffer(block.buffers()[2], dtype=np.uint8)[first: first + len(rows) * size]
                    good, value = _iso_cells(cells.reshape(len(rows), size))
                    ok[pos + rows], ns[pos + rows] = good, value
        pos += m
    ns[~ok] = 0
    return ok, ns.view("datetime64[ns]")


def _iso_cells(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of bytes (10, 16 or 19 wide) -> (valid, nanoseconds since 1970)."""
    size = cells.shape[1]
    d = cells - np.uint8(48)  # digits 0-9; any other byte wraps round to more than 9
    good = (cells[:, 4] == 45) & (cells[:, 7] == 45)  # '-'
    for i in (0, 1, 2, 3, 5, 6, 8, 9) + ((11, 12, 14, 15) if size > 10 else ()) + ((17, 18) if size > 16 else ()):
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
    return good, ((days * 24 + hour) * 60 + minute) * _NS_PER_MINUTE + second * 1_000_000_000


def _parse_leftovers(text: pd.Series, out: pd.Series, positions: np.ndarray, order: UsedOrder) -> None:
    """Free-form dates ('5 Jan 2026', '2026-01-05T09:15Z'); numeric d/m/y that failed stay unreadable."""
    cache: dict[str, pd.Timestamp | None] = {}
    for pos in positions[:100_000]:
        raw = cast(str, text.iat[pos])  # `text` holds strings only
        if raw not in cache:
            cache[raw] = None
            if not _DMY.match(raw) and re.search(r"[A-Za-z]{3}|T\d|Z$|[+-]\d\d:?\d\d$", raw):
                try:
                    ts = pd.Timestamp(raw) if _ISO.match(raw) else pd.to_datetime(raw, dayfirst=order != "month-first")
                    if ts.tzinfo is not None:
                        ts = ts.tz_convert("UTC").tz_localize(None)
                    cache[raw] = ts
                except (ValueError, TypeError, OverflowError):
                    pass
        if cache[raw] is not None:
            out.iat[pos] = cache[raw]


_LOWEST, _HIGHEST = pd.Timestamp.min.ceil("s"), pd.Timestamp.max.floor("s")


def _in_range(parsed: pd.Series) -> pd.Series:
    """Dates in nanoseconds; years pandas cannot hold that way (0026, 2262...) become unreadable (NaT)."""
    ok = parsed.notna() & (parsed >= _LOWEST) & (parsed <= _HIGHEST)
    return parsed.where(ok).astype("datetime64[ns]")


def _parse_excel_dates(values: pd.Series, order: DateOrder) -> tuple[pd.Series, UsedOrder]:
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    text_pos = []
    for i, v in enumerate(values.array):
        if isinstance(v, (datetime, date)):
            ts = pd.Timestamp(v)
            if _LOWEST <= ts <= _HIGHEST:  # a year typed as 0026 stays unreadable instead of overflowing
                out.iat[i] = ts
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v < 2958466:
            out.iat[i] = pd.Timestamp("1899-12-30") + pd.to_timedelta(float(v), unit="D")
        elif cell_text(v):
            text_pos.append(i)
    used: UsedOrder = "excel" if order == "auto" else order
    if text_pos:
        texts = pd.Series([cell_text(values.iat[i]) for i in text_pos], dtype="str")
        parsed, used_text = parse_dates(texts, order)
        for i, ts in zip(text_pos, parsed.array, strict=True):
            out.iat[i] = ts
        if len(text_pos) > len(values) // 2:
            used = used_text
    return out, used

