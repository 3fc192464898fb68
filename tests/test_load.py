"""Loading demand samples: CSV and Excel, encodings, headers, mapping, row numbers, catalogue, bad input.

Expected figures are worked out by hand in each test, or recomputed from the file with the csv module.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from demand_fixtures import small_catalogue

from workbench import schema
from workbench.demand.catalogue import load_catalogue
from workbench.demand.load import DemandFileError, load_demand, read_table

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_data"
SAMPLE_CSV = SAMPLE_DIR / "housing_repairs_demand.csv"
SAMPLE_CATALOGUE = SAMPLE_DIR / "housing_repairs_catalogue.yaml"
MESSY_CSV = SAMPLE_DIR / "messy_upload.csv"
MESSY_XLSX = SAMPLE_DIR / "messy_upload.xlsx"

CATALOGUE = small_catalogue("test-catalogue.yaml")


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def csv_text(rows: list[list[str]], delimiter: str = ",", lineterminator: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator).writerows(rows)
    return buf.getvalue()


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def words(frame: pd.DataFrame) -> list[str]:
    return frame[schema.CUSTOMER_WORDS].tolist()


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# ------------------------------------------------------------------------------------------ CSV formats

TRICKY_WORDS = [
    'She said "it\'s still leaking", again',
    "Tab\there; semi; pipe | comma, all inside",
    "plain words",
]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter(tmp_path: Path, delimiter: str) -> None:
    rows = [
        ["Date received", "Channel", "What the customer said", "V/F"],
        ["2026-01-05 09:15", "Phone", TRICKY_WORDS[0], "V"],
        ["2026-01-06 10:30", "Email", TRICKY_WORDS[1], "F"],
        ["2026-01-07 11:45", "Letter", TRICKY_WORDS[2], ""],
    ]
    path = write(tmp_path, "demand.csv", csv_text(rows, delimiter))
    loaded = load_demand(path)
    assert loaded.report.delimiter == delimiter
    assert loaded.report.rows_read == 3
    assert loaded.report.rows_used == 3
    assert words(loaded.frame) == TRICKY_WORDS
    assert loaded.frame[schema.TOUCHPOINT].astype(str).tolist() == ["Phone", "Email", "Letter"]
    assert loaded.frame[schema.NATURE].astype(str).tolist() == ["value", "failure", "unclassified"]
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [
        ts("2026-01-05 09:15"), ts("2026-01-06 10:30"), ts("2026-01-07 11:45")]
    assert loaded.frame[schema.ROW].tolist() == [2, 3, 4]


ACCENTED = ["I paid £60 for the café's plumber", "Mrs Hélène Dupré, flat 3", "“Smart quotes” and €5"]


@pytest.mark.parametrize(
    ("encoding", "bom", "reported"),
    [("utf-8", False, "utf-8"), ("utf-8", True, "utf-8 (with BOM)"), ("cp1252", False, "cp1252")],
)
def test_encodings_give_back_the_exact_words(tmp_path: Path, encoding: str, bom: bool, reported: str) -> None:
    rows = [["Date received", "Channel", "What the customer said"]]
    rows += [[f"2026-01-0{i + 5}", "Phone", w] for i, w in enumerate(ACCENTED)]
    data = csv_text(rows, ";", "\r\n").encode(encoding)
    path = write(tmp_path, "words.csv", (b"\xef\xbb\xbf" if bom else b"") + data)
    loaded = load_demand(path)
    assert loaded.report.encoding == reported
    # The BOM must not stick to the first header, or the date column would not be recognised.
    assert loaded.report.columns[0] == "Date received"
    assert loaded.report.mapping[schema.RECEIVED_AT] == "Date received"
    assert words(loaded.frame) == ACCENTED


@pytest.mark.parametrize("ending", ["\r\n", "\n", ""])
def test_cp1252_with_its_only_accent_at_the_end_of_the_file(tmp_path: Path, ending: str) -> None:
    # The only non-ASCII byte is within the last three bytes: it must not be taken for cut-off UTF-8.
    text = "Date received,Channel,What the customer said\r\n2026-01-05,Phone,Went to the café" + ending
    loaded = load_demand(write(tmp_path, "cafe.csv", text, "cp1252"))
    assert loaded.report.encoding == "cp1252"
    assert words(loaded.frame) == ["Went to the café"]


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    text = "Date received\tChannel\tWhat the customer said\r\n05/01/2026\tPhone\tCafé £5\r\n"
    path = write(tmp_path, "unicode.csv", text.encode("utf-16"))
    loaded = load_demand(path)
    assert words(loaded.frame) == ["Café £5"]
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [ts("2026-01-05")]


# ------------------------------------------------------------------------------------------ Excel


def test_excel_first_sheet_by_default(tmp_path: Path) -> None:
    data = xlsx_bytes({
        "January": [["Date received", "Channel"], [dt.datetime(2026, 1, 5, 9, 15), "Phone"]],
        "February": [["Date received", "Channel"], [dt.datetime(2026, 2, 2), "Email"],
                     [dt.datetime(2026, 2, 3), "Email"]],
    })
    loaded = load_demand(write(tmp_path, "book.xlsx", data))
    assert loaded.report.kind == "excel"
    assert loaded.report.sheet == "January"
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [ts("2026-01-05 09:15")]


@pytest.mark.parametrize("asked", ["February", "february ", "FEBRUARY"])
def test_excel_sheet_option(tmp_path: Path, asked: str) -> None:
    data = xlsx_bytes({
        "January": [["Date received", "Channel"], [dt.datetime(2026, 1, 5, 9, 15), "Phone"]],
        "February": [["Date received", "Channel"], [dt.datetime(2026, 2, 2), "Email"],
                     [dt.datetime(2026, 2, 3), "Email"]],
    })
    loaded = load_demand(write(tmp_path, "book.xlsx", data), sheet=asked)
    assert loaded.report.sheet == "February"
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [ts("2026-02-02"), ts("2026-02-03")]
    assert loaded.frame[schema.ROW].tolist() == [2, 3]


@pytest.mark.parametrize("title_rows", [1, 2])
def test_excel_title_rows_above_the_header(tmp_path: Path, title_rows: int) -> None:
    title = [["Housing repairs demand - week 3"]] + [[]] * (title_rows - 1)
    header = ["Date received", "Channel", "What the customer said", "V/F"]
    body = [
        [dt.datetime(2026, 1, 19, 8, 0), "Phone", "Café £60", "V"],
        [dt.date(2026, 1, 20), "Email", "no time on this one", "FD"],
        ["not known", "Letter", "unreadable date", "F"],
        ["21/01/2026 14:30", "Counter", "typed as text, day-first", ""],
    ]
    loaded = load_demand(write(tmp_path, "titled.xlsx", xlsx_bytes({"Demand": title + [header] + body})))
    header_row = title_rows + 1
    assert loaded.report.header_row == header_row
    assert loaded.report.columns == header
    assert loaded.frame[schema.ROW].tolist() == [header_row + 1, header_row + 2, header_row + 4]
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [
        ts("2026-01-19 08:00"), ts("2026-01-20"), ts("2026-01-21 14:30")]
    assert words(loaded.frame) == ["Café £60", "no time on this one", "typed as text, day-first"]
    assert [(s.row, s.column) for s in loaded.report.set_aside] == [(header_row + 3, "Date received")]
    assert "not known" in loaded.report.set_aside[0].reason


def test_excel_serial_numbers_are_dates(tmp_path: Path) -> None:
    # 46027 is the Excel serial of 2026-01-05; .5 is noon.
    data = xlsx_bytes({"S": [["Date received", "Channel"], [46027, "Phone"], [46027.5, "Email"]]})
    loaded = load_demand(write(tmp_path, "serial.xlsx", data))
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [ts("2026-01-05"), ts("2026-01-05 12:00")]


def test_excel_notes_sheet_is_skipped_for_the_demand_table(tmp_path: Path) -> None:
    data = xlsx_bytes({
        "Notes": [["Written down by the contact team."], ["V = value, F = failure"], []],
        "Demand": [["Date received", "Channel"], [dt.datetime(2026, 1, 5, 9, 0), "Phone"],
                   [dt.datetime(2026, 1, 6, 9, 0), "Phone"]],
    })
    loaded = load_demand(write(tmp_path, "notes_first.xlsx", data))
    assert loaded.report.sheet == "Demand"
    assert loaded.report.rows_used == 2


def test_excel_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    data = xlsx_bytes({"Notes": [["x"]], "Demand": [["Date received"], [dt.datetime(2026, 1, 5)]]})
    with pytest.raises(DemandFileError) as info:
        load_demand(write(tmp_path, "two.xlsx", data), sheet="Summary")
    message = str(info.value)
    assert message.startswith("two.xlsx:")
    assert "'Summary'" in message
    assert "Notes, Demand" in message


def test_sheet_named_for_a_csv_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.csv", "Date received,Channel\n2026-01-05,Phone\n")
    with pytest.raises(DemandFileError, match=r"^plain\.csv: .*sheet"):
        load_demand(path, sheet="Demand")


# ------------------------------------------------------------------------------------------ mapping

MESSY_HEADER = ["Date received", "Channel", "What the customer said", "Type", "V/F", "Cause",
                "Sorted first time?", "Mins"]


def test_header_synonyms_map_automatically(tmp_path: Path) -> None:
    rows = [MESSY_HEADER, ["05/01/2026 09:15", "Phone", "Where is the plumber?", "Chasing a repair", "FD",
                           "progress chasing", "No", "4,5"]]
    loaded = load_demand(write(tmp_path, "team.csv", csv_text(rows, ";")))
    assert loaded.report.mapping == {
        schema.RECEIVED_AT: "Date received",
        schema.TOUCHPOINT: "Channel",
        schema.CUSTOMER_WORDS: "What the customer said",
        schema.DEMAND_TYPE: "Type",
        schema.NATURE: "V/F",
        schema.FAILURE_CAUSE: "Cause",
        schema.ONE_STOP: "Sorted first time?",
        schema.HANDLING_MINUTES: "Mins",
    }
    row = loaded.frame.iloc[0]
    assert row[schema.RECEIVED_AT] == ts("2026-01-05 09:15")
    assert row[schema.DEMAND_TYPE] == "Chasing a repair"
    assert row[schema.NATURE] == schema.FAILURE
    assert row[schema.FAILURE_CAUSE] == "progress chasing"
    assert loaded.frame[schema.ONE_STOP].tolist() == [False]
    assert row[schema.HANDLING_MINUTES] == pytest.approx(4.5)  # decimal comma


def test_explicit_mapping_overrides_the_synonyms(tmp_path: Path) -> None:
    text = "Date,When,Channel\n2020-01-01,2026-01-05 09:00,Phone\n2020-01-02,2026-01-06 10:00,Email\n"
    path = write(tmp_path, "two_dates.csv", text)
    assert load_demand(path).frame[schema.RECEIVED_AT].tolist() == [ts("2020-01-01"), ts("2020-01-02")]
    loaded = load_demand(path, mapping={"received_at": "When"})
    assert loaded.report.mapping[schema.RECEIVED_AT] == "When"
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [ts("2026-01-05 09:00"), ts("2026-01-06 10:00")]


def test_mapping_can_name_a_column_in_other_case_and_can_drop_a_field(tmp_path: Path) -> None:
    text = "Date,Notes,Channel\n2026-01-05,hello,Phone\n"
    path = write(tmp_path, "m.csv", text)
    loaded = load_demand(path, mapping={"received_at": "date", "touchpoint": None})
    assert loaded.report.mapping == {schema.RECEIVED_AT: "Date", schema.CUSTOMER_WORDS: "Notes"}
    assert loaded.frame[schema.TOUCHPOINT].astype(str).tolist() == [schema.UNKNOWN_TOUCHPOINT]


def test_mapping_to_a_missing_column_names_it(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "Date,Channel\n2026-01-05,Phone\n")
    with pytest.raises(DemandFileError) as info:
        load_demand(path, mapping={"received_at": "When"})
    message = str(info.value)
    assert message.startswith("m.csv:")
    assert "'When'" in message
    assert "Date, Channel" in message


def test_mapping_to_an_unknown_field_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "Date,Channel\n2026-01-05,Phone\n")
    with pytest.raises(DemandFileError, match=r"^m\.csv: 'colour' is not a demand field"):
        load_demand(path, mapping={"colour": "Channel"})


# ------------------------------------------------------------------------------------------ rows

ROWS_FILE = (
    "Repairs sample, week 3\n"  # line 1: a title
    "Date received;Channel;What the customer said\n"  # line 2: header
    "19/01/2026 08:00;Phone;first\n"  # 3
    "not known;Phone;unreadable date\n"  # 4
    "\n"  # 5: blank line
    "20/01/2026 09:00;Email;second\n"  # 6
    ";;\n"  # 7: a blank row (only delimiters)
    ";Letter;no date at all\n"  # 8
    "32/13/2026 10:00;Phone;impossible date\n"  # 9
    "21/01/2026 10:00;Counter;third\n"  # 10
)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_set_aside_rows_carry_spreadsheet_row_numbers(tmp_path: Path, newline: str) -> None:
    path = write(tmp_path, "rows.csv", ROWS_FILE.replace("\n", newline))
    loaded = load_demand(path)
    report = loaded.report
    assert report.header_row == 2
    assert loaded.frame[schema.ROW].tolist() == [3, 6, 10]
    assert words(loaded.frame) == ["first", "second", "third"]
    assert [s.row for s in report.set_aside] == [4, 8, 9]
    reasons = {s.row: s.reason for s in report.set_aside}
    assert reasons[4].startswith("date not readable") and "'not known'" in reasons[4]
    assert reasons[8].startswith("no date")
    assert "'32/13/2026 10:00'" in reasons[9]
    assert report.blank_rows == 1  # line 7; the empty line 5 is not a row at all
    assert report.rows_read == 7  # lines 3, 4, 6, 7, 8, 9, 10
    assert report.rows_used == 3
    assert report.rows_used == report.rows_read - report.blank_rows - len(report.set_aside)
    assert report.set_aside_reasons() == {"date not readable": [4, 9], "no date": [8]}
    # The rows set aside are kept, with their cells, for the user to look at.
    assert loaded.set_aside_rows[schema.ROW].tolist() == [4, 8, 9]
    assert loaded.set_aside_rows["What the customer said"].tolist() == [
        "unreadable date", "no date at all", "impossible date"]


def test_row_numbers_are_the_same_when_a_ragged_row_forces_the_slow_reader(tmp_path: Path) -> None:
    # Line 11 has one value too many: the whole file then goes through the csv-module reader.
    path = write(tmp_path, "ragged.csv", ROWS_FILE + "22/01/2026 11:00;Phone;too;many\n"
                 "23/01/2026 12:00;Phone;fourth\n")
    report = load_demand(path).report
    assert [s.row for s in report.set_aside] == [4, 8, 9, 11]
    too_many = report.set_aside[-1]
    assert too_many.reason.startswith("too many values")
    assert "4 values" in too_many.reason and "3 columns" in too_many.reason
    assert load_demand(path).frame[schema.ROW].tolist() == [3, 6, 10, 12]
    assert report.rows_read == 9
    assert report.rows_used == 4
    assert report.rows_used == report.rows_read - report.blank_rows - len(report.set_aside)


def test_blank_rows_are_counted_not_set_aside(tmp_path: Path) -> None:
    text = "Date;Channel;Type;V/F;Mins\n2026-01-05;Phone;;;\n;;;;\n;;;;\n2026-01-06;Email;;;\n;;;;\n"
    report = load_demand(write(tmp_path, "blanks.csv", text)).report
    assert report.blank_rows == 3
    assert report.set_aside == []
    assert report.rows_read == 5
    assert report.rows_used == 2


def test_trailing_empty_values_are_not_too_many(tmp_path: Path) -> None:
    text = "Date,Channel\n2026-01-05,Phone,,\n2026-01-06,Email\nbad\n"
    loaded = load_demand(write(tmp_path, "trailing.csv", text))
    assert loaded.frame[schema.ROW].tolist() == [2, 3]
    assert [s.row for s in loaded.report.set_aside] == [4]
    assert any("fewer values" in n for n in loaded.report.notes)


def test_quoted_line_break_in_the_words_counts_as_one_spreadsheet_row(tmp_path: Path) -> None:
    # A spreadsheet shows a quoted multi-line cell as ONE row: the record starting on line 2 is row 2 and
    # the next record (on text line 4) is row 3.
    text = 'Date,Comments\n2026-01-05,"line one\nline two"\nnot a date,x\n2026-01-06,y\n'
    loaded = load_demand(write(tmp_path, "multiline.csv", text))
    assert words(loaded.frame) == ["line one\nline two", "y"]
    assert [s.row for s in loaded.report.set_aside] == [3]
    assert loaded.frame[schema.ROW].tolist() == [2, 4]


def test_excel_blank_rows_keep_the_sheet_row_numbers(tmp_path: Path) -> None:
    data = xlsx_bytes({"D": [["Date received", "Channel"], [dt.datetime(2026, 1, 5), "Phone"], [],
                             [None, None], ["nope", "Email"], [dt.datetime(2026, 1, 6), "Email"]]})
    loaded = load_demand(write(tmp_path, "gaps.xlsx", data))
    assert loaded.frame[schema.ROW].tolist() == [2, 6]
    assert [s.row for s in loaded.report.set_aside] == [5]


# ------------------------------------------------------------------------------------------ touchpoints


def test_touchpoint_spellings_group_and_show_the_most_frequent() -> None:
    rows = [["Date", "Channel"]]
    spellings = ["PHONE", "Phone", "PHONE", " phone", "PHONE", "phone ", "Web  form", "web form", "Web form", ""]
    rows += [[f"2026-01-{5 + i:02d}", s] for i, s in enumerate(spellings)]
    loaded = load_demand(csv_text(rows).encode(), "tp.csv")
    frame = loaded.frame
    assert frame[schema.TOUCHPOINT].astype(str).tolist() == (
        ["PHONE"] * 6 + ["Web form"] * 3 + [schema.UNKNOWN_TOUCHPOINT])
    assert frame[schema.TOUCHPOINT_KEY].astype(str).tolist() == (
        ["phone"] * 6 + ["web form"] * 3 + [schema.UNKNOWN_TOUCHPOINT])
    assert frame[schema.TOUCHPOINT].value_counts().to_dict() == {"PHONE": 6, "Web form": 3, "unknown": 1}


# ------------------------------------------------------------------------------------------ catalogue

CAT_ROWS = [
    ["Date", "Type", "V/F", "Cause"],
    ["2026-01-05", "Report a leak", "", ""],  # 2: filled value
    ["2026-01-05", "chasing a repair ", "", ""],  # 3: filled failure + cause, catalogue spelling shown
    ["2026-01-06", "Chasing a repair", "V", ""],  # 4: conflict, kept value
    ["2026-01-06", "Nobody turned up", "F", "my own cause"],  # 5: agrees, own cause kept
    ["2026-01-07", "Report a leak", "FD", ""],  # 6: conflict, kept failure
    ["2026-01-07", "Parking permit", "", ""],  # 7: unknown type
    ["2026-01-08", "parking permit", "V", ""],  # 8: unknown type, recorded value
    ["2026-01-08", "", "", ""],  # 9: nothing at all
]


def test_catalogue_fills_and_reports() -> None:
    loaded = load_demand(csv_text(CAT_ROWS).encode(), "cat.csv", catalogue=CATALOGUE)
    frame, report = loaded.frame, loaded.report
    assert frame[schema.DEMAND_TYPE].astype(object).where(frame[schema.DEMAND_TYPE].notna(), None).tolist() == [
        "Report a leak", "Chasing a repair", "Chasing a repair", "Nobody turned up", "Report a leak",
        "Parking permit", "Parking permit", None]
    assert frame[schema.NATURE].astype(str).tolist() == [
        "value", "failure", "value", "failure", "failure", "unclassified", "value", "unclassified"]
    assert frame[schema.NATURE_SOURCE].astype(str).tolist() == [
        "catalogue", "catalogue", "data", "data", "data", "", "data", ""]
    causes = frame[schema.FAILURE_CAUSE].astype(object).where(frame[schema.FAILURE_CAUSE].notna(), None)
    assert causes.tolist() == [None, "progress chasing", None, "my own cause", None, None, None, None]
    assert report.filled_from_catalogue == 2
    assert report.conflict_count == 2
    assert [(c.row, c.demand_type, c.recorded, c.catalogue) for c in report.conflicts] == [
        (4, "Chasing a repair", "value", "failure"),
        (6, "Report a leak", "failure", "value"),
    ]
    assert report.unknown_types == {"Parking permit": 2}


def test_without_a_catalogue_nothing_is_filled() -> None:
    loaded = load_demand(csv_text(CAT_ROWS).encode(), "cat.csv")
    assert loaded.frame[schema.NATURE].astype(str).tolist() == [
        "unclassified", "unclassified", "value", "failure", "failure", "unclassified", "value", "unclassified"]
    assert loaded.report.filled_from_catalogue == 0
    assert loaded.report.conflicts == []
    assert loaded.report.unknown_types == {}


def test_unknown_nature_labels_are_counted_and_left_unclassified() -> None:
    rows = [["Date", "V/F"], ["2026-01-05", "banana"], ["2026-01-06", "banana"], ["2026-01-07", "V"]]
    loaded = load_demand(csv_text(rows).encode(), "labels.csv")
    assert loaded.report.unknown_nature_labels == {"banana": 2}
    assert loaded.frame[schema.NATURE].astype(str).tolist() == ["unclassified", "unclassified", "value"]


# ------------------------------------------------------------------------------------------ bad input


def _one_error(path: Path, **kwargs: object) -> str:
    with pytest.raises(DemandFileError) as info:
        load_demand(path, **kwargs)
    message = str(info.value)
    assert message.startswith(f"{path.name}:"), message
    assert "\n" not in message
    return message


def _random_junk() -> bytes:
    rng = random.Random(20260105)
    junk = bytearray(rng.randrange(256) for _ in range(4096))
    junk[7] = junk[300] = 0
    return bytes(junk)


def _zip_of_text() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "empty"),
        ("spaces.csv", b"  \r\n\r\n", "empty"),
        ("header_only.csv", b"Date received,Channel\r\n", "no data rows"),
        ("header_and_blanks.csv", b"Date received;Channel\n;\n;\n", "no data rows"),
        ("no_date.csv", b"Channel,Words\nPhone,hello\n", "no date column"),
        ("bad_dates.csv", b"Date received,Channel\nsoon,Phone\nlater,Email\n", "'soon'"),
        ("empty_dates.csv", b"Date received,Channel\n,Phone\n,Email\n", "column is empty"),
        ("junk.csv", _random_junk(), "binary"),
        ("report.csv", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
        ("fake.xlsx", b"Date received,Channel\n2026-01-05,Phone\n", "not an Excel"),
        ("archive.zip", _zip_of_text(), "zip"),
        ("archive.csv", _zip_of_text(), "zip"),
        ("archive.xlsx", _zip_of_text(), "Excel"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls"),
    ],
)
def test_unusable_file_gives_one_clear_error(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    message = _one_error(write(tmp_path, name, content))
    assert expected in message


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in _one_error(tmp_path / "missing.csv")


def test_bytes_upload_is_named_in_errors() -> None:
    with pytest.raises(DemandFileError, match=r"^upload\.csv: the file is empty"):
        load_demand(b"", "upload.csv")


def test_read_table_keeps_the_files_own_cells() -> None:
    raw = read_table(b"Title\n\nWhen;Who\n 2026-01-05 ;  Phone\n", "raw.csv")
    assert raw.header_row == 3
    assert raw.columns == ["When", "Who"]
    assert raw.frame.to_numpy().tolist() == [[" 2026-01-05 ", "  Phone"]]
    assert raw.rows.tolist() == [4]


# ------------------------------------------------------------------------------------------ bundled samples


def test_bundled_sample_matches_an_independent_count() -> None:
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    nature_of = {t["type"]: t["nature"] for t in yaml.safe_load(SAMPLE_CATALOGUE.read_text("utf-8"))["types"]}
    natures = Counter()
    conflicts = []
    filled = 0
    for i, r in enumerate(records, start=2):
        recorded, from_cat = r["nature"].strip(), nature_of.get(r["demand_type"].strip(), "")
        if recorded and from_cat and recorded != from_cat:
            conflicts.append(i)
        if not recorded and from_cat:
            filled += 1
        natures[recorded or from_cat or "unclassified"] += 1

    loaded = load_demand(SAMPLE_CSV, catalogue=load_catalogue(SAMPLE_CATALOGUE))
    report = loaded.report
    assert report.rows_read == len(records) == 2532
    assert report.set_aside == []
    assert report.blank_rows == 0
    assert report.rows_used == len(records)
    assert report.date_order == "iso"
    counts = loaded.frame[schema.NATURE].value_counts().to_dict()
    assert counts == {"value": natures["value"], "failure": natures["failure"],
                      "unclassified": natures["unclassified"]}
    assert report.filled_from_catalogue == filled
    assert len(conflicts) == 3
    assert [c.row for c in report.conflicts] == conflicts
    assert report.unknown_types == {}
    # Dates, touchpoints and words as in the file.
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [pd.Timestamp(r["received_at"]) for r in records]
    assert words(loaded.frame) == [r["customer_words"] for r in records]
    assert loaded.frame[schema.TOUCHPOINT].value_counts().to_dict() == dict(
        Counter(r["touchpoint"] for r in records))
    minutes = pd.to_numeric(pd.Series([r["handling_minutes"] for r in records]).replace("", None))
    assert loaded.frame[schema.HANDLING_MINUTES].sum() == pytest.approx(minutes.sum())


def test_bundled_sample_matches_plain_pandas() -> None:
    plain = pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)
    loaded = load_demand(SAMPLE_CSV).frame
    assert len(loaded) == len(plain)
    assert (loaded[schema.CASE_ID].tolist()) == plain["case_id"].tolist()
    one_stop = plain["one_stop"].map({"yes": True, "no": False})
    assert int(loaded[schema.ONE_STOP].sum()) == int(one_stop.sum())
    assert int(loaded[schema.ONE_STOP].isna().sum()) == int(one_stop.isna().sum())
    resolved = pd.to_datetime(plain["resolved_at"].replace("", None), format="%Y-%m-%d %H:%M")
    assert loaded[schema.RESOLVED_AT].isna().sum() == resolved.isna().sum()
    assert (loaded[schema.RESOLVED_AT].dropna().to_numpy() == resolved.dropna().to_numpy()).all()


def _messy_expectations() -> tuple[list[int], dict[str, int], int]:
    """Row numbers of unreadable dates, touchpoint counts and usable rows, from the CSV itself."""
    text = MESSY_CSV.read_bytes().decode("cp1252")
    lines = text.split("\r\n")
    bad, keys, used = [], Counter(), 0
    for number, line in enumerate(lines, start=1):
        if number <= 2 or not line:
            continue
        cells = next(csv.reader([line], delimiter=";"))
        date = cells[0]
        try:
            dt.datetime.strptime(date, "%d/%m/%Y %H:%M")
        except ValueError:
            bad.append(number)
            continue
        used += 1
        keys[cells[1].strip().casefold()] += 1
    return bad, dict(keys), used


@pytest.mark.parametrize("path", [MESSY_CSV, MESSY_XLSX], ids=["csv", "xlsx"])
def test_messy_upload(path: Path) -> None:
    bad, keys, used = _messy_expectations()
    loaded = load_demand(path, catalogue=load_catalogue(SAMPLE_CATALOGUE))
    report = loaded.report
    assert [s.row for s in report.set_aside] == bad == [43, 176, 267]
    assert report.rows_used == used == 297
    assert report.header_row == 2
    assert report.unknown_types == {"Parking permit": 2}
    assert loaded.frame[schema.TOUCHPOINT_KEY].value_counts().to_dict() == keys
    assert set(loaded.frame[schema.TOUCHPOINT].astype(str)) == {
        "Phone", "Email", "Web form", "Counter", "Letter", "Repairs operative"}
    # Types typed in other case or with trailing spaces show the catalogue's spelling.
    shown = set(loaded.frame[schema.DEMAND_TYPE].dropna().astype(str))
    assert "report a leak " not in shown and "Chasing a Repair" not in shown
    assert {"Report a leak", "Chasing a repair"} <= shown
    assert "Hélène" in " ".join(words(loaded.frame))
    if path.suffix == ".xlsx":
        assert report.sheet == "Demand"
    else:
        assert report.encoding == "cp1252"
        assert report.delimiter == ";"
        assert report.date_order == "day-first"


def test_messy_csv_and_xlsx_give_the_same_demand() -> None:
    catalogue = load_catalogue(SAMPLE_CATALOGUE)
    from_csv = load_demand(MESSY_CSV, catalogue=catalogue)
    from_xlsx = load_demand(MESSY_XLSX, catalogue=catalogue)
    key = [schema.ROW, schema.RECEIVED_AT, schema.TOUCHPOINT, schema.CUSTOMER_WORDS, schema.DEMAND_TYPE,
           schema.NATURE, schema.FAILURE_CAUSE, schema.ONE_STOP, schema.HANDLING_MINUTES, schema.NATURE_SOURCE]
    left = from_csv.frame[key].astype(object)
    right = from_xlsx.frame[key].astype(object)
    pd.testing.assert_frame_equal(left, right)
    assert [(s.row, s.reason) for s in from_csv.report.set_aside] == [
        (s.row, s.reason) for s in from_xlsx.report.set_aside]
    assert from_csv.report.filled_from_catalogue == from_xlsx.report.filled_from_catalogue
    assert [vars(c) for c in from_csv.report.conflicts] == [vars(c) for c in from_xlsx.report.conflicts]


# ------------------------------------------------------------------------------------------ other fields


def test_minutes_and_resolved_dates_that_cannot_be_used_are_left_blank_with_a_note() -> None:
    text = ("Date received,Date resolved,Mins\n"
            "05/01/2026 09:00,04/01/2026,-3\n"  # resolved before received; negative minutes
            "06/01/2026,08/01/2026 10:00,abc\n"  # minutes not a number
            "13/01/2026,,5\n")
    loaded = load_demand(text.encode(), "fields.csv")
    frame = loaded.frame
    assert frame[schema.RESOLVED_AT].isna().tolist() == [True, False, True]
    assert frame[schema.RESOLVED_AT].iloc[1] == ts("2026-01-08 10:00")
    assert frame[schema.HANDLING_MINUTES].isna().tolist() == [True, True, False]
    assert frame[schema.HANDLING_MINUTES].iloc[2] == 5.0
    assert loaded.report.notes == [
        "1 negative handling time(s) were left blank.",
        "1 handling time(s) are not numbers and were left blank.",
        "1 row(s) were resolved before they were received; their resolved date was left blank.",
    ]


def test_header_row_option(tmp_path: Path) -> None:
    # Without help the second line is the header; told otherwise, line 3 is.
    text = "Report\nDate received,Channel\nWhen,How\n2026-01-05,Phone\n"
    path = write(tmp_path, "header.csv", text)
    assert load_demand(path).report.header_row == 2
    loaded = load_demand(path, header_row=3, mapping={"received_at": "When"})
    assert loaded.report.columns == ["When", "How"]
    assert loaded.frame[schema.ROW].tolist() == [4]
    with pytest.raises(DemandFileError, match=r"^header\.csv: row 9"):
        load_demand(path, header_row=9)
