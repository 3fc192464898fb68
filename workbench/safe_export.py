"""Exports that are safe to open in Excel: no cell can start a formula.

A customer's words are free text typed by anyone; a cell starting with `=`, `+`, `-`, `@`, tab or carriage
return would be run as a formula by Excel ("CSV injection"). Text cells starting that way are prefixed with
an apostrophe, which Excel shows as text. Numbers and dates are left alone.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, df in sheets.items():
            safe_frame(df).to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()
