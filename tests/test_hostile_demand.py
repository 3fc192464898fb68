"""Hostile demand files: each is built here, run through the CLI under the guard (a child under 1 GB and 30 s)
and, for uploads, through the app; each is refused in one sentence naming the file (and the limit and its
setting), or read, never with a traceback, and nothing the person had is lost."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from app_pages import DemandScreen, open_app
from guard import guarded_cli, guarded_python
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import safe_export
from workbench.demand import read
from workbench.demand.load import load_demand, read_table
from workbench.demand.report import DemandFileError

from independent import sample_expected

SHEET = "xl/worksheets/sheet1.xml"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _book_with_sheet_xml(path: Path, write_sheet) -> Path:  # noqa: ANN001 - a function of a writable file
    """A real workbook (openpyxl's parts) whose first sheet's XML is written by `write_sheet`, streamed."""
    book = openpyxl.Workbook()
    book.active.append(["x"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename == SHEET:
                with out.open(SHEET, "w", force_zip64=True) as f:
                    write_sheet(f)
            else:
                out.writestr(info, src.read(info.filename))
    return path


def _dimension_trick(path: Path, last: str) -> Path:
    """A few kilobytes whose <dimension> claims A1:XFD1048576, with one more cell at `last`."""
    def write(f) -> None:  # noqa: ANN001
        f.write((HEAD + '<dimension ref="A1:XFD1048576"/><sheetData>'
                 '<row r="1"><c r="A1" t="inlineStr"><is><t>Date received</t></is></c>'
                 '<c r="B1" t="inlineStr"><is><t>Channel</t></is></c></row>'
                 '<row r="2"><c r="A2" t="inlineStr"><is><t>2026-01-05</t></is></c>'
                 '<c r="B2" t="inlineStr"><is><t>Phone</t></is></c></row>'
                 f'<row r="1048576"><c r="{last}" t="inlineStr"><is><t>2026-01-06</t></is></c></row>'
                 '</sheetData></worksheet>').encode())
    return _book_with_sheet_xml(path, write)


def _bomb(path: Path, megabytes: int = 120) -> Path:
    """Sheet XML of `megabytes` MB of empty cells that packs more than 200 times smaller."""
    def write(f) -> None:  # noqa: ANN001
        f.write((HEAD + "<sheetData>").encode())
        block = b"<row><c/></row>" * 65536
        for _ in range(megabytes * (1 << 20) // len(block)):
            f.write(block)
        f.write(b"</sheetData></worksheet>")
    return _book_with_sheet_xml(path, write)


def _one_sentence(text: str, *names: str) -> None:
    text = text.strip()
    assert "Traceback" not in text
    assert text.count("\n") == 0, text
    for name in names:
        assert name in text, (name, text)


def _refused(result, *names: str) -> None:  # noqa: ANN001 - guard.Guarded
    assert not result.timed_out and not result.out_of_memory, result.stderr[-2000:]
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert result.no_traceback(), result.stderr[-2000:]
    _one_sentence(result.stderr, *names)


@pytest.fixture
def demand() -> DemandScreen:
    return DemandScreen(open_app())


def _upload_refused(demand: DemandScreen, name: str, data: bytes, *words: str) -> None:
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if name.endswith("xlsx") \
        else "text/csv"
    demand.upload(name, data, mime)
    demand.assert_no_exception()
    errors = demand.errors()
    for word in (name, *words):
        assert word in errors, (word, errors)
    assert demand.headline("Demands") == f"{sample_expected().rows:,}"  # what the person had stays


# ------------------------------------------------------------------ 1. an .xlsx whose <dimension> lies


def test_xlsx_dimension_claiming_a_million_rows_reads_only_its_cells(tmp_path: Path) -> None:
    path = _dimension_trick(tmp_path / "dims.xlsx", "A1048576")
    assert path.stat().st_size < 10_000
    result = guarded_cli("demand", "summary", str(path), "--format", "json", memory=1 << 30)
    assert result.returncode == 0 and result.no_traceback(), result.stderr[-2000:]
    assert '"rows_read": 2' in result.stdout


def test_xlsx_cell_in_the_last_column_is_refused_for_its_columns(tmp_path: Path) -> None:
    path = _dimension_trick(tmp_path / "wide.xlsx", "XFD1048576")
    _refused(guarded_cli("demand", "summary", str(path)), "wide.xlsx", "16,384 columns",
             "WORKBENCH_MAX_DEMAND_COLUMNS")


def test_xlsx_dimension_trick_upload_is_read_or_refused_and_the_sample_stays(tmp_path: Path,
                                                                            demand: DemandScreen) -> None:
    data = _dimension_trick(tmp_path / "wide.xlsx", "XFD1048576").read_bytes()
    _upload_refused(demand, "wide.xlsx", data, "WORKBENCH_MAX_DEMAND_COLUMNS")


def test_xlsx_rows_over_the_limit_are_refused_while_streaming(tmp_path: Path) -> None:
    def write(f) -> None:  # noqa: ANN001
        f.write((HEAD + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Date received</t></is></c></row>')
                .encode())
        for r in range(2, 200):
            f.write(f'<row r="{r}"><c r="A{r}"><v>46027</v></c></row>'.encode())
        f.write(b"</sheetData></worksheet>")
    path = _book_with_sheet_xml(tmp_path / "long.xlsx", write)
    _refused(guarded_cli("demand", "summary", str(path), env={"WORKBENCH_MAX_DEMAND_ROWS": "100"}),
             "long.xlsx", "WORKBENCH_MAX_DEMAND_ROWS")


# ------------------------------------------------------------------ 2. an .xlsx compression bomb


def test_xlsx_bomb_is_refused_from_its_zip_headers(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(SHEET)
        assert info.file_size > 200 * info.compress_size
    _refused(guarded_cli("demand", "summary", str(path)), "bomb.xlsx", "WORKBENCH_MAX_EXCEL_RATIO")


def test_xlsx_bytes_are_counted_while_unpacking_whatever_the_headers_say(tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", megabytes=8)
    # with the ratio allowed, the unpacked bytes are counted as they stream
    _refused(guarded_cli("demand", "summary", str(path), env={"WORKBENCH_MAX_EXCEL_RATIO": "100000",
                                                               "WORKBENCH_MAX_EXCEL_XML_BYTES": "5000000"}),
             "bomb.xlsx", "WORKBENCH_MAX_EXCEL_XML_BYTES")
    # and the counter itself refuses what headers did not announce
    budget = read._ExcelBudget("lying.xlsx")
    with pytest.raises(DemandFileError, match="WORKBENCH_MAX_EXCEL_RATIO"):
        for _ in budget.read(io.BytesIO(b"<c/>" * (1 << 20)), SHEET, packed=1000):
            pass


def test_xlsx_bomb_upload_is_refused_and_the_sample_stays(tmp_path: Path, demand: DemandScreen) -> None:
    _upload_refused(demand, "bomb.xlsx", _bomb(tmp_path / "bomb.xlsx").read_bytes(), "WORKBENCH_MAX_EXCEL_RATIO")


# ------------------------------------------------------------------ 3. 4,000 columns all named "a"

WIDE_CSV = (",".join(["a"] * 4000) + "\n" + ",".join(["1"] * 4000) + "\n").encode()


def test_four_thousand_columns_are_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(WIDE_CSV)
    _refused(guarded_cli("demand", "summary", str(path)), "wide.csv", "4,000 columns",
             "WORKBENCH_MAX_DEMAND_COLUMNS")


def test_four_thousand_columns_load_with_the_setting_raised(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(WIDE_CSV)
    result = guarded_cli("demand", "summary", str(path), env={"WORKBENCH_MAX_DEMAND_COLUMNS": "5000"})
    assert result.returncode == 2 and result.no_traceback()  # read; then refused for having no date column
    assert "no date column" in result.stderr and "and 3,970 more" in result.stderr
    monkeypatch.setenv("WORKBENCH_MAX_DEMAND_COLUMNS", "5000")
    headers = read._unique_headers(["a"] * 4000 + ["a (2)", "", ""], "x")
    assert headers[:3] == ["a", "a (2)", "a (3)"] and headers[4000] == "a (2) (2)"
    assert headers[-2:] == ["Column 4002", "Column 4003"] and len(set(headers)) == len(headers)


def test_many_columns_upload_is_refused_and_the_sample_stays(demand: DemandScreen) -> None:
    _upload_refused(demand, "wide.csv", WIDE_CSV, "WORKBENCH_MAX_DEMAND_COLUMNS")


# ------------------------------------------------------------------ 4. one very long cell


def _long_cell_csv(chars: int) -> bytes:
    return (f"Date received,Channel,What the customer said\n2026-01-05,Phone,{'x' * chars}\n2026-01-06,Web,\"two\nlines\"\n"
            ).encode()


def test_a_200000_character_narrative_loads(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(_long_cell_csv(200_000))
    result = guarded_cli("demand", "summary", str(path))
    assert result.returncode == 0 and result.no_traceback(), result.stderr[-2000:]
    loaded = load_demand(path)
    assert loaded.frame["customer_words"].str.len().max() == 200_000


def test_a_line_over_the_csv_modules_own_limit_loads_in_both_readers() -> None:
    fast = (f"Date received,What the customer said\n2026-01-05,{'y' * 140_000}\n2026-01-06,z\n").encode()
    assert len(load_demand(fast, "fast.csv").frame) == 2
    assert len(load_demand(_long_cell_csv(140_000), "slow.csv").frame) == 2  # a quoted line break: csv module


def test_a_cell_over_the_limit_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(_long_cell_csv(200_000))
    _refused(guarded_cli("demand", "summary", str(path), env={"WORKBENCH_MAX_CELL_CHARS": "100000"}),
             "long.csv", "100,000 characters", "WORKBENCH_MAX_CELL_CHARS")
    fast = tmp_path / "fast.csv"
    fast.write_bytes(f"Date received,What the customer said\n2026-01-05,{'y' * 150_000}\n".encode())
    _refused(guarded_cli("demand", "summary", str(fast), env={"WORKBENCH_MAX_CELL_CHARS": "100000"}),
             "fast.csv", "row 2", "WORKBENCH_MAX_CELL_CHARS")


# ------------------------------------------------------------------ 5. dates outside what pandas holds

FAR_FORMS = ["{d} Jan {y}", "Tue, {d} Jan {y} 10:00:00 GMT", "{y}-01-{d:02d}", "{d:02d}/01/{y}",
             "{y}-01-{d:02d}T10:00:00Z", "January {d}, {y}", "{y}01{d:02d}"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form=st.sampled_from(FAR_FORMS), year=st.one_of(st.integers(1, 1676), st.integers(2263, 9999)),
       day=st.integers(1, 28), where=st.sampled_from(["received", "resolved"]), many=st.booleans(),
       fmt=st.booleans())
def test_dates_outside_1677_2262_are_set_aside_or_left_blank_never_a_traceback(
        form: str, year: int, day: int, where: str, many: bool, fmt: bool) -> None:
    good = form.format(d=5, y=2026)
    far = form.format(d=day, y=year)
    rows = [(good, good)] * (300 if many else 3)
    rows.append((far, good) if where == "received" else (good, far))
    text = "Date received,Resolved\n" + "".join(f'"{a}","{b}"\n' for a, b in rows)
    options = {}
    if fmt and form == "{y}-01-{d:02d}":
        options["date_format"] = "%Y-%m-%d"
    try:
        loaded = load_demand(text.encode(), "far.csv", **options)
    except DemandFileError:
        return
    assert len(loaded.frame) <= len(rows)
    if where == "received":
        assert len(loaded.frame) == len(rows) - 1 or loaded.frame["received_at"].dt.year.max() <= 2262


def test_far_dates_in_excel_cells_never_raise(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date received", "Resolved"])
    sheet.append([dt.datetime(2026, 1, 5), dt.datetime(2026, 1, 6)])
    sheet.append([dt.datetime(9999, 1, 5), "Tue, 5 Jan 9999 10:00:00 GMT"])
    sheet.append(["5 Jan 9999", dt.datetime(1000, 1, 1)])
    sheet.append([dt.datetime(2026, 1, 6), None])
    path = tmp_path / "far.xlsx"
    book.save(path)
    result = guarded_cli("demand", "summary", str(path), "--format", "json")
    assert result.returncode == 0 and result.no_traceback(), result.stderr[-2000:]
    loaded = load_demand(path)
    assert len(loaded.frame) == 2 and any("9999" in r.reason for r in loaded.report.set_aside)


# ------------------------------------------------------------------ 6. more rows than an Excel sheet holds


def test_excel_export_splits_rows_over_sheets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_export, "EXCEL_MAX_ROWS", 4)  # 3 rows and the header per sheet
    frame = pd.DataFrame({"n": range(10), "words": [f"=w{i}" for i in range(10)],
                          "when": pd.date_range("2026-01-05", periods=10, freq="h")})
    book = openpyxl.load_workbook(io.BytesIO(safe_export.to_xlsx_bytes({"Demand": frame, "Set aside": frame[:2]})))
    assert book.sheetnames == ["Demand", "Demand (2)", "Demand (3)", "Demand (4)", "Set aside"]
    values = [r for name in book.sheetnames[:4] for r in book[name].iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in values] == list(range(10)) and values[0][1] == "'=w0"
    assert all(book[name].max_row <= 4 and book[name]["A1"].value == "n" for name in book.sheetnames)
    assert values[1][2] == dt.datetime(2026, 1, 5, 1)


def test_excel_sheets_never_exceed_excels_row_limit() -> None:
    rows = safe_export.EXCEL_MAX_ROWS  # one more data row than a sheet holds with its header
    parts = list(safe_export._sheet_parts("Demand", pd.DataFrame({"n": range(rows)})))
    assert [name for name, _ in parts] == ["Demand", "Demand (2)"]
    assert [len(p) + 1 for _, p in parts] == [1_048_576, 2]
    named = list(safe_export._sheet_parts("x" * 40, pd.DataFrame({"n": range(rows)})))
    assert all(len(name) <= 31 for name, _ in named)


def test_cli_export_of_more_rows_than_a_sheet_splits(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("Date received,Channel\n" + "".join(f"2026-01-{1 + i % 28:02d},Phone\n" for i in range(25)))
    out = tmp_path / "x.xlsx"
    code = ("import sys; from workbench import safe_export; safe_export.EXCEL_MAX_ROWS = 11; "
            f"from workbench.cli import main; sys.exit(main(['demand', 'export', {str(path)!r}, '--out', "
            f"{str(out)!r}]))")

    result = guarded_python(code)
    assert result.returncode == 0 and result.no_traceback(), result.stderr[-2000:]
    assert openpyxl.load_workbook(out, read_only=True).sheetnames == ["Demand", "Demand (2)", "Demand (3)",
                                                                       "Set aside"]


# ------------------------------------------------------------------ 16. encodings and NUL


def test_a_cp1252_line_after_256_kb_of_utf8_is_stated_and_counted(tmp_path: Path) -> None:
    body = "".join(f"2026-01-05,Phone,caf\u00e9 {i}\n" for i in range(12_000)).encode()
    assert len(body) > 262_144
    data = b"Date received,Channel,What the customer said\n" + body + "2026-01-06,Web,\u00a360 taken\n".encode("cp1252")
    loaded = load_demand(data, "mixed.csv")
    assert loaded.frame["customer_words"].iloc[-1] == "\u00a360 taken"  # the £ read as cp1252, not replaced
    notes = " ".join(loaded.report.summary_lines())
    assert "1 byte(s)" in notes and "cp1252" in notes
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    result = guarded_cli("demand", "summary", str(path))
    assert result.returncode == 0 and "cp1252" in result.stdout


def test_nul_characters_are_removed_and_counted() -> None:
    body = "".join(f"2026-01-05,Phone,words {i}\n" for i in range(1000)).encode()
    data = b"Date received,Channel,What the customer said\n" + body + b"2026-01-06,Web,bad\x00wor\x00ds\n"
    loaded = load_demand(data, "nul.csv")
    assert loaded.frame["customer_words"].iloc[-1] == "badwords"
    assert any("2 NUL" in line for line in loaded.report.summary_lines())


# ------------------------------------------------------------------ sizes


def test_a_file_over_the_byte_limit_is_refused_before_reading(tmp_path: Path, demand: DemandScreen) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"Date received,Channel\n" + b"2026-01-05,Phone\n" * 1000)
    _refused(guarded_cli("demand", "summary", str(path), env={"WORKBENCH_MAX_DEMAND_BYTES": "1000"}),
             "big.csv", "WORKBENCH_MAX_DEMAND_BYTES")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBENCH_MAX_DEMAND_BYTES", "1000")
        with pytest.raises(DemandFileError, match="WORKBENCH_MAX_DEMAND_BYTES"):
            read_table(path.read_bytes(), "big.csv")
        _upload_refused(demand, "big.csv", path.read_bytes(), "WORKBENCH_MAX_DEMAND_BYTES")


def test_rows_over_the_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"Date received,Channel\n" + b"2026-01-05,Phone\n" * 200)
    _refused(guarded_cli("demand", "summary", str(path), env={"WORKBENCH_MAX_DEMAND_ROWS": "100"}),
             "rows.csv", "200 rows", "WORKBENCH_MAX_DEMAND_ROWS")
    assert read.MAX_ROWS == 5_000_000


# ------------------------------------------------------------------ rows 4, 5 and 16 through the CLI and an upload


def _awkward_csv() -> bytes:
    """One file holding rows 4, 5 and 16 at once: a 200,000-character narrative, a date in the year 9999,
    a NUL after the first 8 KB and a cp1252 line after 256 KB of UTF-8."""
    body = "".join(f"2026-01-{5 + i % 20:02d},Phone,caf\u00e9 {i}\n" for i in range(12_000)).encode()
    return (b"Date received,Channel,What the customer said\n" + body
            + b"2026-01-06,Web," + b"x" * 200_000 + b"\n"
            + b"5 Jan 9999,Email,far future\n"
            + b"2026-01-07,Web,bad\x00words\n"
            + "2026-01-08,Web,\u00a360 taken\n".encode("cp1252"))


def test_awkward_rows_through_the_cli_are_read_set_aside_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "awkward.csv"
    path.write_bytes(_awkward_csv())
    result = guarded_cli("demand", "summary", str(path), "--format", "json")
    assert not result.timed_out and result.returncode == 0 and result.no_traceback(), result.stderr[-2000:]
    import json

    data = json.loads(result.stdout)
    assert data["rows_read"] == 12_004 and data["rows"] == 12_003
    assert [s["row"] for s in data["set_aside"]] == [12_003]  # the year 9999: its row, with a reason
    assert "9999" in data["set_aside"][0]["reason"]
    notes = " ".join(data["notes"])
    assert "cp1252" in notes and "NUL" in notes


def test_awkward_rows_upload_loads_with_the_report(demand: DemandScreen) -> None:
    demand.upload("awkward.csv", _awkward_csv())
    demand.assert_no_exception()
    assert demand.headline("Demands") == "12,003"
    report = demand.warnings()
    assert "Set aside 1 row(s)" in report and "12003" in report.replace(",", "")
