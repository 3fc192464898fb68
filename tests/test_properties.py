"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from workbench import schema, spc
from workbench.demand.labels import field_for_header, nature_label, yes_no
from workbench.demand.load import load_demand, parse_dates, read_table

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------------------------------ labels

KNOWN_LABELS = ["V", "value", "Value demand", "F", "FD", "failure", "failure demand", "Faliure", "", "?",
                "n/a", "tbc", "banana", "yes", "No", "Y", "true", "0", "resolved", "handed off"]
ASCII_LABEL = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20)
WHITESPACE = st.text(alphabet=" \t\n\r\xa0", max_size=4)


def random_case(text: str, flips: list[bool]) -> str:
    return "".join(c.upper() if f else c.lower() for c, f in zip(text, flips + [False] * len(text),
                                                                strict=False))


@SETTINGS
@given(st.one_of(st.text(), st.none(), st.integers(), st.floats(), st.booleans()))
def test_label_normalisers_are_total(raw: object) -> None:
    assert nature_label(raw) in (schema.VALUE, schema.FAILURE, schema.UNCLASSIFIED, None)
    assert yes_no(raw) in (True, False, None)
    assert field_for_header(raw) in (*schema.FIELDS, None)


@SETTINGS
@given(st.one_of(st.sampled_from(KNOWN_LABELS), ASCII_LABEL), st.lists(st.booleans(), max_size=20),
       WHITESPACE, WHITESPACE)
def test_label_normalisers_ignore_case_and_surrounding_whitespace(
        label: str, flips: list[bool], before: str, after: str) -> None:
    variant = before + random_case(label, flips) + after
    assert nature_label(variant) == nature_label(label)
    assert yes_no(variant) == yes_no(label)
    assert field_for_header(variant) == field_for_header(label)


# ------------------------------------------------------------------------------------------ CSV round trip

HEADER = ["Date received", "Channel", "What the customer said", "Type"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252"]
# Text people type: any printable character (no control characters other than tab and line feed).
CELL_CHARS = st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="\x85",
                           include_characters="\t\n")
CP1252_CHARS = st.characters(codec="cp1252", exclude_categories=("Cs", "Cc"), include_characters="\t\n")


def table_strategy(chars: st.SearchStrategy[str]) -> st.SearchStrategy[list[list[str]]]:
    cell = st.text(alphabet=st.one_of(chars, st.sampled_from(',;|"\' ')), max_size=12)
    return st.lists(st.lists(cell, min_size=4, max_size=4), min_size=1, max_size=12)


def looks_like_utf8(data: bytes, encoding: str) -> bool:
    """cp1252 bytes that are also valid UTF-8 (e.g. "Ã©") cannot be told apart from UTF-8: leave them out."""
    if encoding != "cp1252" or data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@st.composite
def encoded_tables(draw: st.DrawFn) -> tuple[list[list[str]], str, str, bytes]:
    encoding = draw(st.sampled_from(ENCODINGS))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = draw(table_strategy(CP1252_CHARS if encoding == "cp1252" else CELL_CHARS))
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows([HEADER, *rows])  # quoting as the csv module does it
    data = buf.getvalue().encode(encoding)
    assume(not looks_like_utf8(data, encoding))
    return rows, delimiter, encoding, data


@SETTINGS
@given(encoded_tables())
# Found by hypothesis: a cp1252 file whose only non-ASCII byte is in its last three bytes.
@example(([["", "", "", "\xa0"]], ",", "cp1252",
          b"Date received,Channel,What the customer said,Type\r\n,,,\xa0\r\n"))
def test_csv_cells_read_back_exactly(case: tuple[list[list[str]], str, str, bytes]) -> None:
    rows, delimiter, encoding, data = case
    raw = read_table(data, "random.csv")
    assert raw.delimiter == delimiter
    assert raw.columns == HEADER
    assert raw.frame.to_numpy().tolist() == rows
    assert len(raw.frame) == len(rows)
    if not any("\n" in c for r in rows for c in r):
        assert raw.rows.tolist() == list(range(2, len(rows) + 2))


@settings(SETTINGS, max_examples=50)
@given(encoded_tables())
def test_csv_with_dates_loads_every_row(case: tuple[list[list[str]], str, str, bytes]) -> None:
    rows, delimiter, encoding, _ = case
    dated = [[f"2026-01-{1 + i % 28:02d} 09:{i % 60:02d}", *r[1:]] for i, r in enumerate(rows)]
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows([HEADER, *dated])
    data = buf.getvalue().encode(encoding)
    assume(not looks_like_utf8(data, encoding))
    loaded = load_demand(data, "dated.csv")
    report = loaded.report
    assert report.rows_read == len(rows)
    assert report.set_aside == [] and report.blank_rows == 0
    assert report.rows_used == len(rows)
    assert loaded.frame[schema.CUSTOMER_WORDS].tolist() == [r[2].strip() for r in dated]


# ------------------------------------------------------------------------------------------ dates

DATETIMES = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 12, 31))
FORMATS = {
    "iso": ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
    "day-first": ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%d.%m.%Y %H:%M", "%d-%m-%Y"],
    "month-first": ["%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y"],
}


def expected_time(value: dt.datetime, fmt: str) -> pd.Timestamp:
    truncated = value.replace(microsecond=0)
    if "%S" not in fmt:
        truncated = truncated.replace(second=0)
    if "%H" not in fmt:
        truncated = truncated.replace(hour=0, minute=0, second=0)
    return pd.Timestamp(truncated)


@SETTINGS
@given(st.lists(DATETIMES, min_size=1, max_size=20), st.sampled_from(sorted(FORMATS)), st.data())
def test_formatted_dates_parse_back(values: list[dt.datetime], family: str, data: st.DataObject) -> None:
    fmt = data.draw(st.sampled_from(FORMATS[family]))
    text = pd.Series([v.strftime(fmt) for v in values], dtype="str")
    order = "month-first" if family == "month-first" else "auto"
    parsed, used = parse_dates(text, order)
    assert used == family
    assert parsed.tolist() == [expected_time(v, fmt) for v in values]


@SETTINGS
@given(st.lists(DATETIMES, min_size=1, max_size=20), st.integers(13, 28), st.sampled_from(FORMATS["month-first"]))
def test_month_first_is_detected_when_a_day_is_above_12(values: list[dt.datetime], day: int, fmt: str) -> None:
    values = [*values, dt.datetime(2026, 1, day, 10, 30)]
    parsed, used = parse_dates(pd.Series([v.strftime(fmt) for v in values], dtype="str"))
    assert used == "month-first"
    assert parsed.tolist() == [expected_time(v, fmt) for v in values]


# The forms real exports write (issue 10): (how to write a datetime, what it reads back as, the order to ask for)
def _ms(v: dt.datetime) -> dt.datetime:
    return v.replace(microsecond=v.microsecond // 1000 * 1000)


def _minute(v: dt.datetime) -> dt.datetime:
    return v.replace(second=0, microsecond=0)


def _second(v: dt.datetime) -> dt.datetime:
    return v.replace(microsecond=0)


def _day(v: dt.datetime) -> dt.datetime:
    return v.replace(hour=0, minute=0, second=0, microsecond=0)


def _unix(v: dt.datetime) -> int:
    return int(v.replace(tzinfo=dt.UTC).timestamp())


REAL_FORMS: dict[str, tuple[object, object, str]] = {
    "year/month/day milliseconds": (lambda v: v.strftime("%Y/%m/%d %H:%M:%S.%f")[:-3], _ms, "auto"),
    "ISO T microseconds": (lambda v: v.strftime("%Y-%m-%dT%H:%M:%S.%f"), lambda v: v, "auto"),
    "ISO milliseconds": (lambda v: v.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3], _ms, "auto"),
    "ISO Z": (lambda v: v.strftime("%Y-%m-%dT%H:%M:%SZ"), _second, "auto"),
    "ISO +01:00": (lambda v: v.strftime("%Y-%m-%dT%H:%M:%S+01:00"),
                   lambda v: _second(v) - dt.timedelta(hours=1), "auto"),
    "ISO -0530": (lambda v: v.strftime("%Y-%m-%d %H:%M:%S.%f-0530"),
                  lambda v: v + dt.timedelta(hours=5, minutes=30), "auto"),
    "year.month.day": (lambda v: v.strftime("%Y.%m.%d"), _day, "auto"),
    "day month-name year": (lambda v: f"{v.day} {v.strftime('%b %Y')}", _day, "auto"),
    "dd-Mon-yyyy hh:mm": (lambda v: v.strftime("%d-%b-%Y %H:%M"), _minute, "auto"),
    "Month d, yyyy": (lambda v: f"{v.strftime('%B')} {v.day}, {v.year}", _day, "auto"),
    "Mon d yyyy h:mmPM": (lambda v: f"{v.strftime('%b')} {v.day} {v.year} {v.strftime('%I:%M%p')}", _minute, "auto"),
    "m/d/yyyy h:mm pm": (lambda v: f"{v.month}/{v.day}/{v.year} {v.strftime('%I:%M %p').lower()}", _minute,
                         "month-first"),
    "dd/mm/yy hh:mm:ss AM": (lambda v: v.strftime("%d/%m/%y %I:%M:%S %p"), _second, "day-first"),
    "YYYYMMDD": (lambda v: v.strftime("%Y%m%d"), _day, "auto"),
    "YYMMDD": (lambda v: v.strftime("%y%m%d"), _day, "auto"),
    "Unix seconds": (lambda v: str(_unix(v)), _second, "auto"),
    "Unix milliseconds": (lambda v: str(_unix(_second(v)) * 1000 + v.microsecond // 1000), _ms, "auto"),
}
EXPORT_DATETIMES = st.datetimes(min_value=dt.datetime(2000, 1, 2), max_value=dt.datetime(2068, 12, 30))


@SETTINGS
@given(st.lists(EXPORT_DATETIMES, min_size=1, max_size=20), st.sampled_from(sorted(REAL_FORMS)))
def test_real_export_forms_parse_back(values: list[dt.datetime], form: str) -> None:
    write, precision, order = REAL_FORMS[form]
    text = pd.Series([write(v) for v in values], dtype="str")  # type: ignore[operator]
    parsed, _ = parse_dates(text, order, "UTC")  # type: ignore[arg-type]
    assert parsed.tolist() == [pd.Timestamp(precision(v)) for v in values], form  # type: ignore[operator]


DATE_ISH = st.text(alphabet="0123456789/-.:, TZ+APMapmJanFebOctSeptember\t", max_size=30)


@SETTINGS
@given(st.lists(st.one_of(st.text(max_size=30), DATE_ISH), min_size=1, max_size=30),
       st.sampled_from(["auto", "day-first", "month-first"]))
@example(["5 Jan 9999", "0026-01-05", "31/12/99999", "99999999999999999999", "1e400", "-5", "Feb 30 2026 1:00PM"],
         "auto")
def test_any_text_in_a_date_column_never_raises(values: list[str], order: str) -> None:
    parsed, used = parse_dates(pd.Series(values, dtype="str"), order, "UTC")  # type: ignore[arg-type]
    assert len(parsed) == len(values)
    assert used in ("iso", "excel", "day-first", "month-first", "epoch")
    assert parsed.dropna().between(pd.Timestamp.min, pd.Timestamp.max).all()


# ------------------------------------------------------------------------------------------ XmR

SERIES = st.lists(st.floats(-1000, 1000, allow_nan=False, allow_infinity=False), min_size=2, max_size=40)


def expected_flags(x: np.ndarray, centre: float, lower: float, upper: float, mr_bar: float
                   ) -> tuple[list[bool], list[bool], list[bool]]:
    n = len(x)
    outside = [bool(v < lower or v > upper) for v in x]
    side = [int(v > centre) - int(v < centre) for v in x]
    run = [False] * n
    start = 0
    for i in range(1, n + 1):
        if i == n or side[i] != side[start]:
            if side[start] != 0 and i - start >= 8:
                run[start:i] = [True] * (i - start)
            start = i
    sigma = mr_bar / 1.128
    near = [False] * n
    if sigma > 0:
        for beyond in ([v > centre + 1.5 * sigma for v in x], [v < centre - 1.5 * sigma for v in x]):
            for i in range(n - 3):
                if sum(beyond[i:i + 4]) >= 3:
                    for k in range(i, i + 4):
                        near[k] = near[k] or beyond[k]
    return outside, run, near


@SETTINGS
@given(SERIES)
def test_xmr_limits_are_symmetric_about_the_mean_before_clipping(values: list[float]) -> None:
    table = spc.xmr(values, lower_bound=None, upper_bound=None)
    x = np.asarray(values)
    mr_bar = float(np.mean(np.abs(np.diff(x))))
    assert table[spc.CENTRE].iloc[0] == pytest.approx(float(np.mean(x)), abs=1e-9)
    assert table[spc.MEAN_RANGE].iloc[0] == pytest.approx(mr_bar, abs=1e-9)
    half_up = table[spc.UPPER] - table[spc.CENTRE]
    half_down = table[spc.CENTRE] - table[spc.LOWER]
    assert np.allclose(half_up, half_down, atol=1e-6)
    assert np.allclose(half_up, 2.66 * mr_bar, atol=1e-6)
    assert np.allclose(table[spc.RANGE_LIMIT], 3.268 * mr_bar, atol=1e-6)


@SETTINGS
@given(SERIES, st.one_of(st.none(), st.floats(-1000, 0)), st.one_of(st.none(), st.floats(0, 1000)),
       st.one_of(st.none(), st.integers(1, 39)))
def test_xmr_flags_are_consistent_with_the_limits(values: list[float], lower_bound: float | None,
                                                  upper_bound: float | None, split: int | None) -> None:
    index = pd.RangeIndex(len(values))
    table = spc.xmr(values, index, split_at=split, lower_bound=lower_bound, upper_bound=upper_bound)
    assert len(table) == len(values)
    assert (table[spc.SIGNAL] == (table[spc.OUTSIDE] | table[spc.RUN] | table[spc.NEAR_LIMIT])).all()
    for _, phase in table.groupby(spc.PHASE):
        x = phase[spc.VALUE].to_numpy()
        if len(x) < 2:
            assert not phase[spc.SIGNAL].any()
            continue
        centre, lower, upper = (float(phase[c].iloc[0]) for c in (spc.CENTRE, spc.LOWER, spc.UPPER))
        mr_bar = float(phase[spc.MEAN_RANGE].iloc[0])
        raw_lower, raw_upper = centre - 2.66 * mr_bar, centre + 2.66 * mr_bar
        assert lower == pytest.approx(raw_lower if lower_bound is None else max(raw_lower, lower_bound))
        assert upper == pytest.approx(raw_upper if upper_bound is None else min(raw_upper, upper_bound))
        outside, run, near = expected_flags(x, centre, lower, upper, mr_bar)
        assert phase[spc.OUTSIDE].tolist() == outside
        assert phase[spc.RUN].tolist() == run
        assert phase[spc.NEAR_LIMIT].tolist() == near


@SETTINGS
@given(SERIES, st.lists(st.booleans(), min_size=40, max_size=40))
def test_xmr_leaves_out_missing_values(values: list[float], holes: list[bool]) -> None:
    with_gaps = [np.nan if h else v for v, h in zip(values, holes, strict=False)]
    kept = [v for v in with_gaps if not np.isnan(v)]
    table = spc.xmr(with_gaps, lower_bound=None)
    assert table[spc.VALUE].tolist() == kept
    assert list(table.index) == [i for i, v in enumerate(with_gaps) if not np.isnan(v)]
    if len(kept) >= 2:
        assert table[spc.CENTRE].iloc[0] == pytest.approx(float(np.mean(kept)), abs=1e-9)


@SETTINGS
@given(st.lists(st.one_of(st.none(), st.lists(st.text(alphabet="ab1 ", min_size=0, max_size=3), min_size=2,
                                              max_size=2)), min_size=1, max_size=30),
       st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_row_numbers_are_the_lines_a_spreadsheet_shows(lines: list[list[str] | None], end: str, last_end: bool) -> None:
    """Blank lines (None here), one-character records and CR LF endings: each record's row number is its line
    in the file, counted as a person would (the header is row 1)."""
    assume(any(cells is not None for cells in lines))
    body = [("" if cells is None else ",".join(cells)) for cells in lines]
    text = "x,y" + end + end.join(body) + (end if last_end else "")
    try:
        raw = read_table(text.encode(), "lines.csv")
    except Exception as exc:  # noqa: BLE001 - a file of only blank-ish records may be refused, in words
        assert "lines.csv" in str(exc)
        return
    expected = [i + 2 for i, cells in enumerate(lines) if cells is not None]  # ',' is a record of blanks
    assert raw.rows.tolist() == expected
