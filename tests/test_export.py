"""Exports that cannot run a formula when opened in Excel."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from workbench import schema
from workbench.demand.load import load_demand
from workbench.safe_export import defuse, safe_frame, to_csv_bytes, to_xlsx_bytes

DANGEROUS = ["=HYPERLINK(\"http://x\")", "+44 20 7946 0000", "-2+3", "@SUM(A1:A9)", "\tleading tab",
             "\rleading return"]
SAFE = ["plain words", "a = b in the middle", "", "café £60"]


def frame() -> pd.DataFrame:
    n = len(DANGEROUS) + len(SAFE)
    return pd.DataFrame({
        "words": DANGEROUS + SAFE,
        "type": pd.Categorical(["=cmd|' /C calc'!A0"] + ["Leak"] * (n - 1)),
        "minutes": [float(i) - 3.5 for i in range(n)],  # negative numbers stay numbers
        "count": list(range(-3, n - 3)),
        "received": pd.date_range("2026-01-05 09:15", periods=n, freq="D"),
    })


@pytest.mark.parametrize("text", DANGEROUS)
def test_defuse_prefixes_an_apostrophe(text: str) -> None:
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("value", [*SAFE, -5, 3.5, None, True])
def test_defuse_leaves_everything_else_alone(value: object) -> None:
    assert defuse(value) is value or defuse(value) == value


def test_safe_frame_does_not_change_the_original() -> None:
    original = frame()
    out = safe_frame(original)
    assert original["words"].tolist() == DANGEROUS + SAFE
    assert out["words"].tolist() == ["'" + t for t in DANGEROUS] + SAFE
    assert out["minutes"].tolist() == original["minutes"].tolist()


def test_safe_frame_defuses_column_names() -> None:
    out = safe_frame(pd.DataFrame({"=bad": ["x"], "good": ["y"]}))
    assert out.columns.tolist() == ["'=bad", "good"]


def _read_csv_export(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    # newline="" as the csv module documents: a carriage return is a line break unless it is quoted,
    # which is also how Excel reads it.
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_export_has_bom_and_defused_cells() -> None:
    df = frame()
    df = df[df["words"] != "\rleading return"].reset_index(drop=True)  # see the carriage-return tests
    data = to_csv_bytes(df)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _read_csv_export(data)
    assert rows[0] == ["words", "type", "minutes", "count", "received"]
    body = rows[1:]
    assert len(body) == len(df)
    assert [r[0] for r in body] == ["'" + t for t in DANGEROUS[:-1]] + SAFE
    assert body[0][1] == "'=cmd|' /C calc'!A0"
    assert body[1][1] == "Leak"
    # Numbers are written as numbers, not defused: a negative number must not get an apostrophe.
    assert [float(r[2]) for r in body] == df["minutes"].tolist()
    assert [int(r[3]) for r in body] == df["count"].tolist()
    assert body[0][4] == "2026-01-05 09:15:00"
    for r in body:
        for cell in r:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


def test_csv_cell_starting_with_carriage_return_is_defused_and_stays_in_its_row() -> None:
    df = pd.DataFrame({"words": ["\rleading return", "next"], "n": [1, 2]})
    rows = _read_csv_export(to_csv_bytes(df))
    assert rows == [["words", "n"], ["'\rleading return", "1"], ["next", "2"]]


def test_csv_carriage_return_inside_a_cell_keeps_the_row_whole() -> None:
    df = pd.DataFrame({"words": ["old Mac line\rbreak", "windows\r\nbreak", "unix\nbreak"], "n": [1, 2, 3]})
    rows = _read_csv_export(to_csv_bytes(df))
    assert rows == [["words", "n"], ["old Mac line\rbreak", "1"], ["windows\r\nbreak", "2"],
                    ["unix\nbreak", "3"]]


def test_xlsx_export_cells_are_text_not_formulas() -> None:
    data = to_xlsx_bytes({"Demand": frame(), "Second sheet": pd.DataFrame({"x": ["=1+1"]})})
    book = openpyxl.load_workbook(io.BytesIO(data))  # not data_only: a formula would show as "=..."
    assert book.sheetnames == ["Demand", "Second sheet"]
    sheet = book["Demand"]
    rows = list(sheet.iter_rows(values_only=False))
    assert [c.value for c in rows[0]] == ["words", "type", "minutes", "count", "received"]
    body = rows[1:]
    assert len(body) == len(DANGEROUS) + len(SAFE)
    for cell, text in zip([r[0] for r in body[: len(DANGEROUS)]], DANGEROUS, strict=True):
        assert cell.data_type == "s", (text, cell.data_type)
        assert isinstance(cell.value, str) and cell.value.startswith("'")
        # XML turns a carriage return into a line feed; everything after the apostrophe is otherwise kept.
        assert cell.value[1:].replace("\n", "\r") == text.replace("\n", "\r")
    assert body[0][1].value == "'=cmd|' /C calc'!A0" and body[0][1].data_type == "s"
    assert [r[0].value for r in body[len(DANGEROUS):]] == ["plain words", "a = b in the middle", None, "café £60"]
    # Numbers stay numbers (including negative ones), dates stay dates.
    assert [r[2].value for r in body] == [float(i) - 3.5 for i in range(len(body))]
    assert all(r[2].data_type == "n" for r in body)
    assert [r[3].value for r in body] == list(range(-3, len(body) - 3))
    assert body[0][4].value == dt.datetime(2026, 1, 5, 9, 15)
    assert book["Second sheet"]["A2"].value == "'=1+1"
    assert book["Second sheet"]["A2"].data_type == "s"


def test_long_sheet_names_are_cut_to_excel_limit() -> None:
    data = to_xlsx_bytes({"x" * 40: pd.DataFrame({"a": [1]})})
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["x" * 31]


def test_clean_demand_frame_exports_and_loads_back(tmp_path) -> None:
    text = ("Date received,Channel,What the customer said,V/F\n"
            "2026-01-05 09:15,Phone,=1+2 is what the bill says,V\n"
            "2026-01-06 10:00,Email,-£60 taken twice,F\n")
    loaded = load_demand(text.encode(), "words.csv")
    out = loaded.frame.drop(columns=[schema.TOUCHPOINT_KEY])
    data = to_csv_bytes(out)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r[schema.CUSTOMER_WORDS] for r in rows] == ["'=1+2 is what the bill says", "'-£60 taken twice"]
    assert [r[schema.NATURE] for r in rows] == ["value", "failure"]
    assert [r[schema.ROW] for r in rows] == ["2", "3"]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"Demand": out})))
    header = [c.value for c in book["Demand"][1]]
    words_col = header.index(schema.CUSTOMER_WORDS) + 1
    cell = book["Demand"].cell(row=2, column=words_col)
    assert cell.value == "'=1+2 is what the bill says" and cell.data_type == "s"
    assert book["Demand"].cell(row=2, column=header.index(schema.ROW) + 1).value == 2
