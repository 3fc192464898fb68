"""Exports that are safe to open in Excel: no cell can start a formula.

A customer's words are free text typed by anyone; a cell starting with `=`, `+`, `-`, `@`, tab or carriage
return would be run as a formula by Excel ("CSV injection"). Text cells starting that way are prefixed with
an apostrophe, which Excel shows as text. Numbers and dates are left alone.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel's own limit on a sheet's rows, the header included (a module constant so that tests can lower it).
# A frame longer than a sheet holds goes on as many sheets as it needs: "Demand", "Demand (2)", ...
EXCEL_MAX_ROWS = 1_048_576
# Characters an Excel cell cannot hold (XML 1.0 control characters): dropped, or openpyxl refuses the cell.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell defused; categorical and text columns become plain text."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(series) \
                or series.dtype == object:
            out[col] = series.astype("object").map(defuse, na_action="ignore")
    out.columns = [defuse(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel shows accents and £ correctly; CRLF line ends, which also makes the csv
    writer quote any cell holding a carriage return, so it cannot split a row."""
    return safe_frame(df).to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S",
                                 lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per frame (split over "Name", "Name (2)", ... where a frame has more
    rows than a sheet holds), formula-safe; written by openpyxl's write-only mode, row by row."""
    from openpyxl import Workbook  # imported here: only Excel downloads pay for it

    book = Workbook(write_only=True)
    for name, df in sheets.items():
        for sheet_name, part in _sheet_parts(name, df):
            sheet = book.create_sheet(sheet_name)
            safe = safe_frame(part)
            sheet.append([_ILLEGAL.sub("", str(c)) for c in safe.columns])
            columns = [_cells(safe[c]) for c in safe.columns] if len(safe.columns) else []
            for row in zip(*columns, strict=True):
                sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_parts(name: str, df: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """The frame cut into pieces that each fit on one sheet with its header, named within Excel's 31
    characters."""
    per_sheet = max(EXCEL_MAX_ROWS - 1, 1)
    parts = max(1, -(-len(df) // per_sheet))
    for i in range(parts):
        suffix = f" ({i + 1})" if i else ""
        yield name[: 31 - len(suffix)] + suffix, df.iloc[i * per_sheet:(i + 1) * per_sheet]


def _cells(series: pd.Series) -> list[object]:
    """A column as the plain Python values openpyxl writes: blanks as None, dates as datetimes (without a
    zone: Excel has none), text without the control characters Excel cannot hold."""
    if pd.api.types.is_datetime64_any_dtype(series):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        values = series.astype(object).where(series.notna(), None)
        return [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in values]
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return [None if v is None or (isinstance(v, float) and np.isnan(v)) else v
                for v in series.astype(object).where(series.notna(), None).tolist()]
    out = series.astype(object).where(series.notna(), None).tolist()
    return [_ILLEGAL.sub("", v) if isinstance(v, str) else _plain(v) for v in out]


def _plain(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
