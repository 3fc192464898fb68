"""Dates read from their bytes at fixed positions (`_read_layouts`): month names in each position they are
written, ISO with 'Z' or an offset converted across a change of summer time, 12-hour clocks, and impossible
days set aside, never rolled over. The fast path must read exactly what Arrow's strptime path reads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from workbench.demand import dates as D
from workbench.demand.dates import DateOrder

T = pd.Timestamp


def read(values: list[str], zone: str = "UTC", order: DateOrder = "auto") -> list[pd.Timestamp | None]:
    out = D.read_dates(pd.Series(values, dtype="str"), order, zone).values
    return [None if pd.isna(v) else v for v in out.tolist()]


def fast(fmt: str, values: list[str], zone: str = "UTC") -> tuple[np.ndarray, list[pd.Timestamp | None]]:
    """What the fixed path alone reads, with a layout from each value (as `_formats_on_rows` takes them
    from its sample)."""
    layouts = list(dict.fromkeys(filter(None, (D._layout(fmt, v) for v in values))))
    ok, out = D._read_layouts(pa.array(values, pa.large_string()), layouts, fmt, zone)
    return ok, [None if pd.isna(v) else T(v) for v in out]


def arrow(fmt: str, values: list[str], zone: str = "UTC") -> list[pd.Timestamp | None]:
    out, _ = D._arrow_strptime(pa.array(values, pa.large_string()), fmt, zone)
    return [None if pd.isna(v) else T(v) for v in out]


# ------------------------------------------------------------------------------------------ offsets and DST

# 2025 in Europe/London: summer time from 30 March 01:00 UTC to 26 October 01:00 UTC
DST_CELLS = {
    "2025-03-30T00:30:00Z": T("2025-03-30 00:30"),  # GMT, half an hour before the change
    "2025-03-30T00:59:59Z": T("2025-03-30 00:59:59"),
    "2025-03-30T01:00:00Z": T("2025-03-30 02:00"),  # the clocks go forward: 01:00 local never happens
    "2025-03-30T01:30:00Z": T("2025-03-30 02:30"),
    "2025-03-30T02:30:00+01:00": T("2025-03-30 02:30"),
    "2025-03-29T23:30:00-01:00": T("2025-03-30 00:30"),
    "2025-10-26T00:30:00Z": T("2025-10-26 01:30"),  # BST: the first 01:30 of the day
    "2025-10-26T01:30:00Z": T("2025-10-26 01:30"),  # GMT: the second 01:30
    "2025-10-26T01:30:00+01:00": T("2025-10-26 01:30"),  # = 00:30 UTC
    "2025-10-26T01:30:00+00:00": T("2025-10-26 01:30"),  # = 01:30 UTC
    "2025-10-26T03:00:00+0200": T("2025-10-26 01:00"),  # = 01:00 UTC, just after the change
    "2025-07-01T12:00:00.250Z": T("2025-07-01 13:00:00.250"),
    "2025-12-31T23:30:00-05:00": T("2026-01-01 04:30"),  # into the next year
}


def test_offset_cells_across_dst_changes_are_converted_to_london_on_both_sides() -> None:
    values = list(DST_CELLS)
    assert read(values, "Europe/London") == list(DST_CELLS.values())
    # the same cells one form at a time: all read by the fixed path, as Arrow's strptime reads them
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        cells = [v for v in values if D._shape_format(v, True) == fmt]
        ok, out = fast(fmt, cells, "Europe/London")
        assert ok.all(), cells
        assert out == [DST_CELLS[v] for v in cells]
        assert out == arrow(fmt, cells, "Europe/London")


def test_offset_cells_in_utc_and_new_york() -> None:
    values = ["2025-03-09T06:30:00Z", "2025-03-09T07:30:00Z", "2025-01-06T09:15:00+01:00"]
    assert read(values, "UTC") == [T("2025-03-09 06:30"), T("2025-03-09 07:30"), T("2025-01-06 08:15")]
    # New York goes to summer time on 9 March 2025 at 07:00 UTC
    assert read(values, "America/New_York") == [T("2025-03-09 01:30"), T("2025-03-09 03:30"),
                                                T("2025-01-06 03:15")]


def test_offsets_arrow_reads_but_the_fixed_path_leaves_alone_still_read() -> None:
    values = ["2025-01-06T09:15:00+15:00", "2025-01-06T09:15:00+14:00", "2025-01-06T09:15:00Z"]
    ok, _ = fast("%Y-%m-%dT%H:%M:%S%z", values)
    assert ok.tolist() == [False, True, True]
    assert read(values) == [T("2025-01-05 18:15"), T("2025-01-05 19:15"), T("2025-01-06 09:15")]


# ------------------------------------------------------------------------------------------ month names

MONTH_NAME_CELLS = [
    # (cell, its format, the date)
    ("06 Jan 2025 09:15", "%d %b %Y %H:%M", T("2025-01-06 09:15")),
    ("6 Jan 2025 09:15", "%d %b %Y %H:%M", T("2025-01-06 09:15")),
    ("16 Feb 2025 9:05", "%d %b %Y %H:%M", T("2025-02-16 09:05")),
    ("06 Mar 2025 09:15:30", "%d %b %Y %H:%M:%S", T("2025-03-06 09:15:30")),
    ("06 Apr 2025", "%d %b %Y", T("2025-04-06")),
    ("6-May-2025", "%d-%b-%Y", T("2025-05-06")),
    ("06-JUN-2025 23:59", "%d-%b-%Y %H:%M", T("2025-06-06 23:59")),
    ("6 jul. 2025", "%d %b. %Y", T("2025-07-06")),
    ("Aug 06 2025", "%b %d %Y", T("2025-08-06")),
    ("Sep 6 2025", "%b %d %Y", T("2025-09-06")),
    ("Oct 6, 2025", "%b %d, %Y", T("2025-10-06")),
    ("Nov. 16, 2025 10:00", "%b. %d, %Y %H:%M", T("2025-11-16 10:00")),
    ("Dec 6 2025 1:50 PM", "%b %d %Y %I:%M %p", T("2025-12-06 13:50")),
    ("06 Jan 2025 12:05 am", "%d %b %Y %I:%M %p", T("2025-01-06 00:05")),
]


@pytest.mark.parametrize(("cell", "fmt", "expected"), MONTH_NAME_CELLS)
def test_month_names_in_every_position_are_read_by_the_fixed_path(cell: str, fmt: str,
                                                                  expected: pd.Timestamp) -> None:
    assert D._shape_format(cell, True) == fmt
    ok, out = fast(fmt, [cell])
    assert ok.tolist() == [True]
    assert out == [expected] == arrow(fmt, [cell])
    assert read([cell]) == [expected]


def test_forms_the_fixed_path_leaves_to_arrow_still_read() -> None:
    # two-digit years (strptime's pivot) and full month names (names of different lengths)
    assert D._layout("%d-%b-%y", "06-Jan-25") is None
    assert D._layout("%B %d, %Y", "October 9, 2012") is None
    assert read(["06-Jan-25", "06-Jan-99"]) == [T("2025-01-06"), T("1999-01-06")]
    assert read(["October 9, 2012", "May 10, 2012"]) == [T("2012-10-09"), T("2012-05-10")]


def test_a_column_of_month_names_with_one_and_two_digit_days_and_other_cells() -> None:
    values = ["06 Jan 2025 09:15", "6 Jan 2025 09:15", "TBC", "", "31 Dec 2025 23:59", "06 Jan 2025 9:15"]
    assert read(values) == [T("2025-01-06 09:15"), T("2025-01-06 09:15"), None, None, T("2025-12-31 23:59"),
                            T("2025-01-06 09:15")]


# ------------------------------------------------------------------------------------------ impossible days

@pytest.mark.parametrize(("cells", "fmt"), [
    (["31 Feb 2025", "29 Feb 2025", "31 Apr 2025", "00 Jan 2025", "32 Jan 2025"], "%d %b %Y"),
    (["31 Feb 2025 10:00", "29 Feb 2025 10:00"], "%d %b %Y %H:%M"),
    (["Feb 30 2025", "Jun 31 2025"], "%b %d %Y"),
    (["2025-02-30T10:00:00Z", "2025-04-31T10:00:00+01:00", "2025-02-29T00:30:00-01:00"], "%Y-%m-%dT%H:%M:%S%z"),
    (["02/30/2025 09:15 AM", "02/29/2025 09:15 PM"], "%m/%d/%Y %I:%M %p"),
])
def test_impossible_days_are_set_aside_not_rolled_over(cells: list[str], fmt: str) -> None:
    ok, _ = fast(fmt, cells)
    assert not ok.any()
    good = {"%d %b %Y": "28 Feb 2025", "%d %b %Y %H:%M": "28 Feb 2025 10:00", "%b %d %Y": "Feb 28 2025",
            "%Y-%m-%dT%H:%M:%S%z": "2025-02-28T10:00:00Z", "%m/%d/%Y %I:%M %p": "02/28/2025 09:15 AM"}[fmt]
    out = read([good, *cells, good], order="month-first" if "%m/%d" in fmt else "auto")
    assert out[0] is not None and out[-1] is not None
    assert out[1:-1] == [None] * len(cells)


def test_leap_day_and_times_out_of_range() -> None:
    ok, out = fast("%d %b %Y", ["29 Feb 2000", "29 Feb 2100", "29 Feb 2024", "29 Feb 2025", "28 Feb 2100"])
    assert ok.tolist() == [True, False, True, False, True]  # 2100 is not a leap year, 2000 is
    assert out[0] == T("2000-02-29") and out[2] == T("2024-02-29") and out[4] == T("2100-02-28")
    assert read(["29 Feb 2024 10:00", "28 Feb 2025 24:00", "28 Feb 2025 10:60", "28 Feb 2025 23:59:60",
                 "28 Feb 2025 10:00"]) == [T("2024-02-29 10:00"), None, None, None, T("2025-02-28 10:00")]
    # 12-hour clocks run from 1 to 12
    assert read(["01/06/2025 00:15 AM", "01/06/2025 13:15 PM", "01/06/2025 12:15 AM", "01/06/2025 12:15 PM"],
                order="month-first") == [None, None, T("2025-01-06 00:15"), T("2025-01-06 12:15")]


# ------------------------------------------------------------------------------------------ fast = Arrow

def _variants(rng: np.random.Generator, n: int) -> dict[str, list[str]]:
    """Random cells in several formats, with some broken ones (impossible days, hours, offsets; words
    that are not months; wrong separators)."""
    stamps = pd.to_datetime(rng.integers(T("1990-01-01").value // 10**9, T("2040-01-01").value // 10**9, n),
                            unit="s")
    days = rng.integers(0, 33, n)
    hours = rng.integers(0, 26, n)
    offsets = rng.integers(-16, 17, n)
    months = np.array(["Jan", "feb", "MAR", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                       "Foo", "Sept", "J4n"])[rng.integers(0, 15, n)]
    out: dict[str, list[str]] = {k: [] for k in ("%d %b %Y %H:%M", "%Y-%m-%dT%H:%M:%S%z",
                                                 "%Y-%m-%dT%H:%M:%S.%f%z", "%m/%d/%Y %I:%M %p", "%b %d, %Y")}
    for i, ts in enumerate(stamps):
        d = f"{days[i]:02d}" if i % 3 else str(days[i])
        out["%d %b %Y %H:%M"].append(f"{d} {months[i]} {ts.year} {hours[i]:02d}:{ts.minute:02d}")
        z = "Z" if i % 4 == 0 else f"{'+' if offsets[i] >= 0 else '-'}{abs(offsets[i]):02d}:{ts.minute % 60:02d}"
        iso = f"{ts.year}-{ts.month:02d}-{days[i]:02d}T{hours[i]:02d}:{ts.minute:02d}:{ts.second:02d}"
        out["%Y-%m-%dT%H:%M:%S%z"].append(iso + z)
        out["%Y-%m-%dT%H:%M:%S.%f%z"].append(iso + "." + str(i)[:3].rjust(3, "0") + z)
        h12 = hours[i] % 14
        out["%m/%d/%Y %I:%M %p"].append(f"{ts.month:02d}/{d}/{ts.year} {h12:02d}:{ts.minute:02d} "
                                       f"{'PM' if i % 2 else 'am'}")
        out["%b %d, %Y"].append(f"{months[i]} {d}, {ts.year}")
    return out


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/New_York"])
def test_the_fixed_path_reads_exactly_what_arrow_reads(zone: str) -> None:
    rng = np.random.default_rng(7)
    for fmt, cells in _variants(rng, 3000).items():
        ok, out = fast(fmt, cells, zone)
        expected = arrow(fmt, cells, zone)
        assert ok.sum() > len(cells) // 10, fmt  # the fixed path did read many of them
        mismatches = [(c, o, e) for c, k, o, e in zip(cells, ok, out, expected, strict=True) if k and o != e]
        assert not mismatches, (fmt, mismatches[:5])
        # and a whole column reads those cells the same (the others are left to the slower paths)
        column = read(cells, zone, order="month-first" if "%m/%d" in fmt else "auto")
        assert [c for c, k in zip(column, ok, strict=True) if k] == [o for o, k in zip(out, ok, strict=True) if k]
