"""Reading a demand file into the file's own table (`RawTable`): what kind of file it is, its encoding and
delimiter, where the header is; CSV through Arrow when every record is one line, else through Python's csv
module (which knows each record's line); Excel through openpyxl.

Nothing is interpreted here (no mapping, no dates): the app shows this table and the mapping preview before
cleaning, and re-cleans without re-reading when the mapping changes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from workbench import schema
from workbench.demand.labels import field_for_header, header_match
from workbench.demand.reading import FileKind
from workbench.demand.report import DemandFileError, SetAsideRow

MAX_ROWS = 5_000_000
DELIMITERS = (",", ";", "\t", "|")
_HEADER_SCAN_LINES = 30


@dataclass
class RawTable:
    """The file's own table: its headers, its cells, and the row number of each record in the file."""

    frame: pd.DataFrame
    rows: np.ndarray
    source: str
    kind: FileKind
    header_row: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    bad_rows: list[SetAsideRow] = field(default_factory=list)
    short_rows: int = 0

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def preview(self, n: int = 8) -> pd.DataFrame:
        head = self.frame.head(n).copy()
        head.insert(0, "Row in file", self.rows[: len(head)])
        return head



def _sniff_kind(data: bytes, name: str) -> FileKind:
    head = data[:8]
    suffix = Path(name).suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        if b"xl/" in data[:65536] or suffix in (".xlsx", ".xlsm"):
            return "excel"
        raise DemandFileError(f"{name}: this is a zip file, not a CSV or Excel (.xlsx) demand sample.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DemandFileError(
            f"{name}: this is an old-style Excel (.xls) or Word file; save it as .xlsx or CSV and upload that."
        )
    if head.startswith(b"%PDF"):
        raise DemandFileError(f"{name}: this is a PDF; export the demand sample as CSV or Excel (.xlsx).")
    if suffix in (".xlsx", ".xlsm"):
        raise DemandFileError(f"{name}: the name says Excel but the content is not an Excel workbook.")
    if b"\x00" in data[:8192] and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise DemandFileError(f"{name}: this looks like a binary file, not a CSV or Excel demand sample.")
    return "csv"


def _detect_encoding(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:262144]
    cuts = range(4) if len(data) > len(sample) else range(1)  # a character may straddle the sample's end
    for cut in cuts:
        try:
            (sample[: len(sample) - cut] if cut else sample).decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as exc:
            if exc.start < len(sample) - 4:
                break
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _head_records(text: str, delimiter: str) -> list[tuple[int, int, list[str]]]:
    """The first non-blank records of `text` as (row, last line, cells): records, not physical lines, so a
    quoted narrative running over several lines is one record and never taken for the header. `row` is the
    row a spreadsheet shows (a multi-line cell is one row, a blank line is a row): for the usual file, whose
    records above the header are one line each, the line the record is on."""
    records: list[tuple[int, int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row = 0
    try:
        for cells in reader:
            row += 1
            if any(c.strip() for c in cells):
                records.append((row, reader.line_num, cells))
                if len(records) == _HEADER_SCAN_LINES:
                    break
            if row >= _HEADER_SCAN_LINES * 4:
                break
    except csv.Error:  # the head may end inside a quoted value: the records before it are enough
        pass
    return records


def _head_lines(text: str, delimiter: str) -> list[tuple[int, int, list[str]]]:
    """The first non-blank physical lines of `text`, each read as a record on its own (first line, last line,
    cells): only for a head whose records do not hold a header (an unbalanced quote above it)."""
    lines = text.splitlines()[: _HEADER_SCAN_LINES * 4]
    nonblank = [(i + 1, line) for i, line in enumerate(lines) if line.strip()][:_HEADER_SCAN_LINES]
    return [(n, n, next(csv.reader([line], delimiter=delimiter), [])) for n, line in nonblank]


def _detect_delimiter(text: str) -> str:
    """The delimiter that gives the first records one common width (the most of them, then the widest)."""
    best, best_score = ",", (-1.0, 0)
    for delim in DELIMITERS:
        counts = [len(cells) for _, _, cells in _head_records(text, delim)]
        if not counts:
            continue
        modal = max(set(counts), key=counts.count)
        if modal < 2:
            continue
        score = (counts.count(modal) / len(counts), modal)
        if score > best_score:
            best, best_score = delim, score
    return best


def _header_score(cells: Sequence[object]) -> tuple[int, int]:
    """(known fields named by their first-choice names, known fields named by any name) in one row."""
    matches = [header_match(c) for c in cells if cell_text(c)]
    return len({m[0] for m in matches if m and m[1] == 0}), len({m[0] for m in matches if m})


def _header_index(rows: Sequence[Sequence[object]]) -> int:
    """Index of the header among the first rows: the one naming most known fields by their first-choice
    names (then by any name, so a title line reading "Title" or "Summary" is not taken for a header), else
    the first full row."""
    best_i, best_hits = -1, (0, 0)
    for i, cells in enumerate(rows):
        hits = _header_score(cells)
        if hits > best_hits:
            best_i, best_hits = i, hits
    if best_i >= 0:
        return best_i
    widths = [sum(1 for c in cells if cell_text(c)) for cells in rows]
    if not widths or max(widths) == 0:
        return 0
    return widths.index(max(widths))


def _unique_headers(cells: Sequence[object]) -> list[str]:
    names: list[str] = []
    for i, cell in enumerate(cells, start=1):
        base = cell_text(cell) or f"Column {i}"
        name, n = base, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def cell_text(value: object) -> str:
    """A cell as the text a person sees: blank for empty or missing, 12 for a whole number read as 12.0."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(
    source: str | Path | bytes,
    name: str | None = None,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
) -> RawTable:
    """Read a CSV or Excel file into the file's own table, finding delimiter, encoding and header row."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise DemandFileError(f"{name}: file not found.") from None
        except OSError as exc:
            raise DemandFileError(f"{name}: cannot be read ({exc.strerror}).") from None
    else:
        data = bytes(source)
        name = name or "upload"
    if not data or data.isspace():  # not data.strip(): that copies the whole file
        raise DemandFileError(f"{name}: the file is empty.")
    kind = _sniff_kind(data, name)
    if kind == "excel":
        return _read_excel(data, name, sheet, header_row)
    if sheet:
        raise DemandFileError(f"{name}: a sheet was named ('{sheet}') but this is a CSV file, not Excel.")
    return _read_csv(data, name, header_row)


def _read_csv(data: bytes, name: str, header_row: int | None) -> RawTable:
    encoding = _detect_encoding(data)
    if encoding == "utf-16":
        data = data.decode("utf-16").encode("utf-8")
        encoding = "utf-16"
    bom = 0  # a byte-order mark is skipped, not sliced off (slicing copies the whole file)
    if data.startswith(b"\xef\xbb\xbf"):
        bom = 3
        encoding = "utf-8 (with BOM)"
    text_encoding = "utf-8" if encoding.startswith("utf") else encoding
    head_text = data[bom:bom + 262144].decode(text_encoding, errors="replace")
    if not head_text.strip():
        raise DemandFileError(f"{name}: the file is empty.")
    delimiter = _detect_delimiter(head_text)
    records = _head_records(head_text, delimiter)  # (first line, last line, cells)
    lines = _head_lines(head_text, delimiter)
    if max(map(_header_score, (c for _, _, c in records)), default=(0, 0)) == (0, 0) and \
            max(map(_header_score, (c for _, _, c in lines)), default=(0, 0)) > (0, 0):
        records = lines  # a stray quote above the header swallowed it into one record: read line by line
    if not records:
        raise DemandFileError(f"{name}: the file is empty.")
    if header_row is not None:
        matches = [i for i, (ln, _, _) in enumerate(records) if ln == header_row]
        if not matches:
            raise DemandFileError(f"{name}: row {header_row} is blank or beyond the first rows of the file.")
        h = matches[0]
    else:
        h = _header_index([cells for _, _, cells in records])
    header_line, header_end, header_cells = records[h]  # its row as a spreadsheet shows it; its last line
    headers = _unique_headers(header_cells)
    body_offset = _offset_after_line(data, header_end, bom)
    frame, rows, bad, short = _parse_body_fast(data, body_offset, headers, delimiter, text_encoding, header_line)
    if frame is None:
        try:
            frame, rows, bad, short = _parse_body_slow(
                data[body_offset:].decode(text_encoding, errors="replace"), headers, delimiter, header_line
            )
        except DemandFileError as exc:
            raise DemandFileError(f"{name}: {exc}") from None
    if len(frame) > MAX_ROWS:
        raise DemandFileError(
            f"{name}: {len(frame):,} rows is more than Workbench handles at once ({MAX_ROWS:,}); "
            "load a sample of a few weeks instead."
        )
    return RawTable(frame, rows, name, "csv", header_line, encoding=encoding, delimiter=delimiter,
                    bad_rows=bad, short_rows=short)


def _offset_after_line(data: bytes, line_no: int, start: int = 0) -> int:
    offset = start
    for _ in range(line_no):
        nxt = data.find(b"\n", offset)
        if nxt < 0:
            return len(data)
        offset = nxt + 1
    return offset


def _parse_body_fast(
    data: bytes, start: int, headers: list[str], delimiter: str, encoding: str, header_line: int
) -> tuple[pd.DataFrame | None, np.ndarray, list[SetAsideRow], int]:
    """Arrow's CSV reader, when every record is one line of the right width (the common case)."""
    invalid: list[str] = []

    def on_invalid(row: pa_csv.InvalidRow) -> str:
        invalid.append(row.text)
        return "skip"

    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[start:]),
            read_options=pa_csv.ReadOptions(column_names=headers, encoding=encoding, block_size=1 << 22),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(headers, pa.string()), strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None, np.empty(0, dtype=np.int64), [], 0
    if invalid:
        return None, np.empty(0, dtype=np.int64), [], 0
    line_numbers = _line_numbers(data, start, header_line, table.num_rows)
    if line_numbers is None:  # quoted newlines inside values: count records the slow way
        return None, np.empty(0, dtype=np.int64), [], 0
    frame = table.to_pandas()
    return frame, line_numbers, [], 0


def _line_numbers(data: bytes, start: int, header_line: int, records: int) -> np.ndarray | None:
    """The file line of each record (the body starts at byte `start`), or None when records and lines do
    not match one to one (a quoted line break inside a value). One numpy pass: bytes.find(b"\\n\\n") on a
    large file costs more than the whole scan."""
    buf = np.frombuffer(data, dtype=np.uint8, offset=start)
    newlines = np.flatnonzero(buf == 10)
    ends = np.append(newlines, len(buf))
    lengths = np.diff(ends, prepend=-1) - 1
    has_cr = lengths > 0
    has_cr[has_cr] = buf[ends[has_cr] - 1] == 13
    blank = (lengths == 0) | ((lengths == 1) & has_cr)
    if not blank.any() or (blank[-1] and not blank[:-1].any()):  # the usual case: every line holds a record
        count = len(blank) - int(blank[-1])
        return np.arange(header_line + 1, header_line + 1 + records, dtype=np.int64) if count == records else None
    line_numbers = np.flatnonzero(~blank) + header_line + 1
    return line_numbers.astype(np.int64) if len(line_numbers) == records else None


def _parse_body_slow(
    text: str, headers: list[str], delimiter: str, header_line: int
) -> tuple[pd.DataFrame, np.ndarray, list[SetAsideRow], int]:
    """Python's csv module: slower, but knows the line of every record and tolerates ragged rows."""
    width = len(headers)
    records: list[list[str]] = []
    rows: list[int] = []
    bad: list[SetAsideRow] = []
    short = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = header_line  # a spreadsheet shows a quoted multi-line cell as one row; blank lines are rows
    try:
        for cells in reader:
            line += 1
            if not cells:
                continue
            if len(cells) > width:
                extra = cells[width:]
                if any(c.strip() for c in extra):
                    bad.append(SetAsideRow(line, f"too many values: {len(cells)} values but the header "
                                                 f"has {width} columns (a stray '{_show(delimiter)}'?)"))
                    continue
                cells = cells[:width]
            elif len(cells) < width:
                short += 1
                cells = cells + [""] * (width - len(cells))
            records.append(cells)
            rows.append(line)
    except csv.Error as exc:
        raise DemandFileError(f"cannot read the CSV after row {line}: {exc}") from None
    frame = pd.DataFrame(records, columns=headers, dtype="str") if records else pd.DataFrame(
        {h: pd.Series([], dtype="str") for h in headers})
    return frame, np.asarray(rows, dtype=np.int64), bad, short


def _show(delimiter: str) -> str:
    return {"\t": "tab"}.get(delimiter, delimiter)


def _read_excel(data: bytes, name: str, sheet: str | None, header_row: int | None) -> RawTable:
    import openpyxl  # imported here: only Excel uploads pay for it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise DemandFileError(f"{name}: this is not a readable Excel workbook (.xlsx); it may be damaged or "
                              f"another kind of zip file ({type(exc).__name__}).") from None
    try:
        sheets = list(book.sheetnames)
        if sheet is not None:
            chosen = _choose_sheet(sheets, sheet, name)
            all_rows = [list(r) for r in book[chosen].iter_rows(values_only=True)]
        else:  # the first sheet, unless it holds no demand table and a later one does (a "Notes" sheet)
            chosen, all_rows = sheets[0], [list(r) for r in book[sheets[0]].iter_rows(values_only=True)]
            if not _has_date_header(all_rows):
                for other in sheets[1:]:
                    rows_ = [list(r) for r in book[other].iter_rows(values_only=True)]
                    if _has_date_header(rows_):
                        chosen, all_rows = other, rows_
                        break
    finally:
        book.close()
    numbered = [(i + 1, r) for i, r in enumerate(all_rows) if any(cell_text(c) for c in r)]
    if not numbered:
        raise DemandFileError(f"{name}: sheet '{chosen}' is empty.")
    if header_row is not None:
        matches = [i for i, (ln, _) in enumerate(numbered) if ln == header_row]
        if not matches:
            raise DemandFileError(f"{name}: row {header_row} of sheet '{chosen}' is blank or missing.")
        h = matches[0]
    else:
        h = _header_index([r for _, r in numbered[:_HEADER_SCAN_LINES]])
    header_line, header_cells = numbered[h]
    while header_cells and not cell_text(header_cells[-1]):
        header_cells = header_cells[:-1]
    headers = _unique_headers(header_cells)
    width = len(headers)
    body = [(ln, (list(r) + [None] * width)[:width]) for ln, r in _rows_after(all_rows, header_line)]
    kept = []
    for ln, cells in body:
        if any(cell_text(c) for c in cells):
            kept.append((ln, cells))
    if len(kept) > MAX_ROWS:
        raise DemandFileError(f"{name}: {len(kept):,} rows is more than Workbench handles at once ({MAX_ROWS:,}).")
    frame = pd.DataFrame([c for _, c in kept], columns=headers, dtype=object) if kept else pd.DataFrame(
        {h_: pd.Series([], dtype=object) for h_ in headers})
    rows = np.asarray([ln for ln, _ in kept], dtype=np.int64)
    return RawTable(frame, rows, name, "excel", header_line, sheet=chosen, sheets=sheets)


def _rows_after(all_rows: list[list[object]], header_line: int) -> list[tuple[int, list[object]]]:
    return [(i + 1, r) for i, r in enumerate(all_rows) if i + 1 > header_line]


def _choose_sheet(sheets: list[str], sheet: str, name: str) -> str:
    for s in sheets:
        if s == sheet or s.casefold().strip() == sheet.casefold().strip():
            return s
    raise DemandFileError(f"{name}: no sheet named '{sheet}'; sheets are: {', '.join(sheets)}.")


def _has_date_header(rows: list[list[object]]) -> bool:
    head = [r for r in rows[:_HEADER_SCAN_LINES] if any(cell_text(c) for c in r)]
    return any(field_for_header(c) == schema.RECEIVED_AT for r in head for c in r)
