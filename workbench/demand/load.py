"""Loading a team's demand sample: CSV or Excel, their column names, their labels, their dates.

This is the one place where the demand data contract (docs/data-contracts.md) is enforced. The result is
a clean frame (columns in `workbench.schema`) plus a `LoadReport` that says in plain words what was read,
what was used, what was set aside and why. Nothing is dropped silently: a row that cannot be used is listed
with its row number as the user's spreadsheet would show it.

Two steps so that the app can show a mapping preview in between:
`read_table` (bytes -> raw table of the file's own columns) and `clean` (raw table + mapping -> demand).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from workbench import schema
from workbench.demand.catalogue import Catalogue
from workbench.demand.labels import field_for_header, fold_keep, nature_label, yes_no

MAX_ROWS = 5_000_000
DELIMITERS = (",", ";", "\t", "|")
DATE_ORDERS = ("auto", "day-first", "month-first")
_HEADER_SCAN_LINES = 30
_EXAMPLES = 10  # row numbers quoted per problem in messages


class DemandFileError(ValueError):
    """A file that cannot be used at all; the message is one plain sentence naming the file."""


@dataclass
class SetAsideRow:
    row: int
    reason: str
    column: str = ""


@dataclass
class Conflict:
    row: int
    demand_type: str
    recorded: str
    catalogue: str


@dataclass
class RawTable:
    """The file's own table: its headers, its cells, and the row number of each record in the file."""

    frame: pd.DataFrame
    rows: np.ndarray
    source: str
    kind: str  # "csv" or "excel"
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


@dataclass
class LoadReport:
    source: str
    kind: str
    header_row: int
    columns: list[str]
    mapping: dict[str, str]
    date_order: str
    rows_read: int
    blank_rows: int = 0
    set_aside: list[SetAsideRow] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    unknown_nature_labels: dict[str, int] = field(default_factory=dict)
    unknown_types: dict[str, int] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    conflict_count: int = 0
    filled_from_catalogue: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def rows_used(self) -> int:
        return self.rows_read - self.blank_rows - len(self.set_aside)

    def set_aside_reasons(self) -> dict[str, list[int]]:
        """Set-aside rows grouped by reason, for messages such as 'date not readable: rows 14, 77'."""
        out: dict[str, list[int]] = {}
        for item in self.set_aside:
            out.setdefault(_reason_kind(item.reason), []).append(item.row)
        return out

    def summary_lines(self) -> list[str]:
        """The report in plain words, most important first."""
        where = f" (sheet '{self.sheet}')" if self.sheet else ""
        lines = [f"Read {self.rows_read:,} rows from {self.source}{where}; using {self.rows_used:,}."]
        if self.set_aside:
            for kind, rows in self.set_aside_reasons().items():
                lines.append(f"Set aside {len(rows):,} row(s), {kind}: {_row_list(rows)}.")
        if self.blank_rows:
            lines.append(f"Skipped {self.blank_rows:,} blank row(s).")
        if self.filled_from_catalogue:
            lines.append(
                f"Filled value/failure for {self.filled_from_catalogue:,} row(s) from the demand-type catalogue."
            )
        if self.conflict_count:
            first = ", ".join(
                f"row {c.row} ('{c.demand_type}' recorded as {c.recorded}, catalogue says {c.catalogue})"
                for c in self.conflicts[:3]
            )
            lines.append(
                f"{self.conflict_count:,} row(s) disagree with the catalogue; kept as recorded: {first}"
                + ("…" if self.conflict_count > 3 else ".")
            )
        if self.unknown_types:
            names = ", ".join(f"'{k}' ({v})" for k, v in list(self.unknown_types.items())[:8])
            lines.append(f"Demand types not in the catalogue: {names}.")
        if self.unknown_nature_labels:
            labels = ", ".join(f"'{k}' ({v})" for k, v in self.unknown_nature_labels.items())
            lines.append(f"Value/failure labels we don't recognise, counted as not yet classified: {labels}.")
        lines.extend(self.notes)
        return lines

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["rows_used"] = self.rows_used
        return out


@dataclass
class LoadedDemand:
    frame: pd.DataFrame
    report: LoadReport
    set_aside_rows: pd.DataFrame


def _reason_kind(reason: str) -> str:
    return reason.split(":", 1)[0]


def _row_list(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:_EXAMPLES])
    if len(rows) == 1:
        return f"row {shown}"
    return f"rows {shown}" + (f" and {len(rows) - _EXAMPLES:,} more" if len(rows) > _EXAMPLES else "")


# --------------------------------------------------------------------------------------------- reading


def _sniff_kind(data: bytes, name: str) -> str:
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


def _detect_delimiter(lines: list[str]) -> str:
    best, best_score = ",", (-1.0, 0)
    for delim in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        counts = [c for c in counts if c > 0]
        if not counts:
            continue
        modal = max(set(counts), key=counts.count)
        if modal < 2:
            continue
        score = (counts.count(modal) / len(counts), modal)
        if score > best_score:
            best, best_score = delim, score
    return best


def _header_index(rows: list[list[object]]) -> int:
    """Index of the header among the first rows: the one naming most known fields, else the first full row."""
    best_i, best_hits = -1, 0
    for i, cells in enumerate(rows):
        hits = len({field_for_header(c) for c in cells if _cell_text(c)} - {None})
        if hits > best_hits:
            best_i, best_hits = i, hits
    if best_i >= 0:
        return best_i
    widths = [sum(1 for c in cells if _cell_text(c)) for cells in rows]
    if not widths or max(widths) == 0:
        return 0
    return widths.index(max(widths))


def _unique_headers(cells: list[object]) -> list[str]:
    names: list[str] = []
    for i, cell in enumerate(cells, start=1):
        base = _cell_text(cell) or f"Column {i}"
        name, n = base, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def _cell_text(value: object) -> str:
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
    physical = head_text.splitlines()[: _HEADER_SCAN_LINES * 4]
    nonblank = [(i + 1, line) for i, line in enumerate(physical) if line.strip()][:_HEADER_SCAN_LINES]
    if not nonblank:
        raise DemandFileError(f"{name}: the file is empty.")
    delimiter = _detect_delimiter([line for _, line in nonblank])
    parsed = [next(csv.reader([line], delimiter=delimiter), []) for _, line in nonblank]
    if header_row is not None:
        matches = [i for i, (ln, _) in enumerate(nonblank) if ln == header_row]
        if not matches:
            raise DemandFileError(f"{name}: row {header_row} is blank or beyond the first rows of the file.")
        h = matches[0]
    else:
        h = _header_index(parsed)
    header_line = nonblank[h][0]
    headers = _unique_headers(parsed[h])
    body_offset = _offset_after_line(data, header_line, bom)
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
    numbered = [(i + 1, r) for i, r in enumerate(all_rows) if any(_cell_text(c) for c in r)]
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
    while header_cells and not _cell_text(header_cells[-1]):
        header_cells = header_cells[:-1]
    headers = _unique_headers(header_cells)
    width = len(headers)
    body = [(ln, (list(r) + [None] * width)[:width]) for ln, r in _rows_after(all_rows, header_line)]
    kept = []
    for ln, cells in body:
        if any(_cell_text(c) for c in cells):
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
    head = [r for r in rows[:_HEADER_SCAN_LINES] if any(_cell_text(c) for c in r)]
    return any(field_for_header(c) == schema.RECEIVED_AT for r in head for c in r)


# --------------------------------------------------------------------------------------------- mapping


def suggest_mapping(columns: list[str]) -> dict[str, str]:
    """Map canonical fields to the file's columns by known synonyms (first match wins, a column once)."""
    mapping: dict[str, str] = {}
    for col in columns:
        fld = field_for_header(col)
        if fld and fld not in mapping:
            mapping[fld] = col
    return mapping


def resolve_mapping(columns: list[str], overrides: dict[str, str | None] | None, source: str) -> dict[str, str]:
    """Suggested mapping with the user's explicit choices on top; explicit choices are checked here."""
    mapping = suggest_mapping(columns)
    for fld, col in (overrides or {}).items():
        if fld not in schema.FIELDS:
            raise DemandFileError(
                f"{source}: '{fld}' is not a demand field; fields are: {', '.join(schema.FIELDS)}."
            )
        if not col:
            mapping.pop(fld, None)
            continue
        if col not in columns:
            matches = [c for c in columns if c.casefold().strip() == str(col).casefold().strip()]
            if not matches:
                raise DemandFileError(
                    f"{source}: there is no column '{col}' to use as {fld}; columns are: {', '.join(columns)}."
                )
            col = matches[0]
        for other, used in list(mapping.items()):
            if used == col and other != fld:
                del mapping[other]
        mapping[fld] = col
    return mapping


# --------------------------------------------------------------------------------------------- dates

_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})")
_TIMES = (" %H:%M", " %H:%M:%S", "")
_ISO_FORMATS = [f"%Y-%m-%d{t}" for t in _TIMES] + ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]


def _slash_formats(day_first: bool) -> list[str]:
    dm = "%d{s}%m" if day_first else "%m{s}%d"
    out = []
    for sep in ("/", "-", "."):
        for year in ("%Y", "%y"):
            for t in _TIMES:
                out.append(dm.format(s=sep) + sep + year + t)
    return out


def detect_date_order(values: pd.Series) -> str:
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


def parse_dates(values: pd.Series, order: str = "auto") -> tuple[pd.Series, str]:
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


def _parse_leftovers(text: pd.Series, out: pd.Series, positions: np.ndarray, order: str) -> None:
    """Free-form dates ('5 Jan 2026', '2026-01-05T09:15Z'); numeric d/m/y that failed stay unreadable."""
    cache: dict[str, pd.Timestamp | None] = {}
    for pos in positions[:100_000]:
        raw = text.iat[pos]
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


def _parse_excel_dates(values: pd.Series, order: str) -> tuple[pd.Series, str]:
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    text_pos = []
    for i, v in enumerate(values.array):
        if isinstance(v, (datetime, date)):
            ts = pd.Timestamp(v)
            if _LOWEST <= ts <= _HIGHEST:  # a year typed as 0026 stays unreadable instead of overflowing
                out.iat[i] = ts
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v < 2958466:
            out.iat[i] = pd.Timestamp("1899-12-30") + pd.to_timedelta(float(v), unit="D")
        elif _cell_text(v):
            text_pos.append(i)
    used = "excel" if order == "auto" else order
    if text_pos:
        texts = pd.Series([_cell_text(values.iat[i]) for i in text_pos], dtype="str")
        parsed, used_text = parse_dates(texts, order)
        for i, ts in zip(text_pos, parsed.array, strict=True):
            out.iat[i] = ts
        if len(text_pos) > len(values) // 2:
            used = used_text
    return out, used


# --------------------------------------------------------------------------------------------- cleaning


def _as_text(values: pd.Series) -> pd.Series:
    if values.dtype == object:
        return pd.Series([_cell_text(v) for v in values.array], index=values.index, dtype="str")
    return values.fillna("").str.strip()


def _grouped_labels(values: pd.Series, canonical: dict[str, str] | None = None,
                    blank: str | None = None) -> tuple[pd.Categorical, pd.Categorical]:
    """Labels grouped by trimmed, case-folded key; each group shown in its most frequent spelling.

    Returns (display categories, key categories). Works on the unique labels only.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    keys = [fold_keep(u) for u in uniques]
    spellings: dict[str, dict[str, int]] = {}  # key -> spelling (spaces tidied) -> rows
    for u, k, n in zip(uniques, keys, counts, strict=True):
        if k:
            tidy = " ".join(str(u).split())
            spellings.setdefault(k, {})[tidy] = spellings.get(k, {}).get(tidy, 0) + int(n)
    best: dict[str, tuple[int, str]] = {}
    for k, by_spelling in spellings.items():
        total = sum(by_spelling.values())
        spelling = canonical[k] if canonical and k in canonical else max(by_spelling, key=by_spelling.get)
        best[k] = (total, spelling)
    key_list = sorted(best, key=lambda k: -best[k][0])
    has_blank = bool((codes < 0).any()) or any(not k and n for k, n in zip(keys, counts, strict=True))
    if blank is not None and has_blank and blank not in key_list:
        key_list.append(blank)
    display = [best[k][1] if k in best else k for k in key_list]
    index_of = {k: i for i, k in enumerate(key_list)}
    missing = index_of.get(blank, -1) if blank is not None else -1
    lut = np.array([index_of.get(k, missing) for k in keys] + [missing], dtype=np.int64)
    row_codes = lut[codes]  # code -1 (NA) picks the last entry
    return (pd.Categorical.from_codes(row_codes, categories=pd.Index(display, dtype="str")),
            pd.Categorical.from_codes(row_codes, categories=pd.Index(key_list, dtype="str")))


def clean(
    raw: RawTable,
    mapping: dict[str, str | None] | None = None,
    *,
    date_order: str = "auto",
    catalogue: Catalogue | None = None,
) -> LoadedDemand:
    """Turn the file's table into clean demand, using `mapping` (field -> column) on top of the synonyms."""
    if date_order not in DATE_ORDERS:
        raise DemandFileError(f"date order must be one of {', '.join(DATE_ORDERS)}, not '{date_order}'.")
    cols = resolve_mapping(raw.columns, mapping, raw.source)
    frame = raw.frame
    if schema.RECEIVED_AT not in cols:
        raise DemandFileError(
            f"{raw.source}: no date column found (looked for names like 'Date received'); columns are: "
            f"{', '.join(raw.columns)}. Choose the date column in the mapping (CLI: --map received_at=COLUMN)."
        )
    if frame.empty:
        raise DemandFileError(f"{raw.source}: there is a header row but no data rows.")
    report = LoadReport(raw.source, raw.kind, raw.header_row, raw.columns, dict(cols), date_order,
                        rows_read=len(frame) + len(raw.bad_rows), encoding=raw.encoding,
                        delimiter=raw.delimiter, sheet=raw.sheet)
    report.set_aside.extend(raw.bad_rows)
    if raw.short_rows:
        report.notes.append(f"{raw.short_rows:,} row(s) had fewer values than the header; the missing "
                            "cells were left blank.")

    date_col = cols[schema.RECEIVED_AT]
    received, used_order = parse_dates(frame[date_col], date_order)
    report.date_order = used_order
    missing = np.flatnonzero(received.isna().to_numpy())
    # A blank row has a blank date, so only rows without a date need the (slower) all-cells check.
    blank = np.zeros(len(frame), dtype=bool)
    cells = frame.iloc[missing]  # the rows without a date: checked here, set aside below
    if len(missing):
        empty = np.ones(len(missing), dtype=bool)
        for col in cells.columns:
            empty &= np.asarray(_as_text(cells[col]).str.len() == 0)
        blank[missing[empty]] = True
    report.blank_rows = int(blank.sum())
    no_date = received.isna().to_numpy() & ~blank
    if not no_date.any() and blank.all():
        raise DemandFileError(f"{raw.source}: there is a header row but no data rows.")
    date_text = _as_text(frame[date_col].iloc[np.flatnonzero(no_date)]) if no_date.any() else pd.Series([], dtype="str")
    if no_date.sum() == (~blank).sum():
        example = next((t for t in date_text if t), "")
        raise DemandFileError(
            f"{raw.source}: none of the rows in column '{date_col}' holds a date we can read"
            + (f" (e.g. '{example}')" if example else " (the column is empty)")
            + ". Choose the date column in the mapping, or the date order (day-first / month-first)."
        )
    rows = raw.rows
    for i, pos in enumerate(np.flatnonzero(no_date)):
        shown = date_text.iat[i]
        reason = (f"no date: '{date_col}' is blank" if not shown else
                  f"date not readable: '{shown}' in '{date_col}'"
                  + (" is not a month-first date" if used_order == "month-first" and _DMY.match(shown) else ""))
        report.set_aside.append(SetAsideRow(int(rows[pos]), reason, date_col))
    report.set_aside.sort(key=lambda s: s.row)

    keep = ~(no_date | blank)
    out = _build_frame(frame, cols, received, rows, keep, catalogue, report, used_order)
    aside_positions = np.flatnonzero(no_date)
    aside = cells.iloc[np.flatnonzero(no_date[missing])].copy()  # = frame.iloc[aside_positions]: one take
    aside.insert(0, "reason", [s.reason for s in report.set_aside if s.column == date_col][: len(aside)])
    aside.insert(0, schema.ROW, rows[aside_positions])
    return LoadedDemand(out, report, aside.reset_index(drop=True))


def _arrow(values: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow data behind an Arrow-backed string column (no copy), or None for other columns."""
    if values.dtype == object:
        return None
    try:
        data = values.array.__arrow_array__()
    except (AttributeError, TypeError):
        return None
    return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])


NATURE_CODES = {n: i for i, n in enumerate(schema.NATURES)}  # value 0, failure 1, unclassified 2
_UNCLASSIFIED = NATURE_CODES[schema.UNCLASSIFIED]
SOURCES = ["", "data", "catalogue", "correction"]


def _build_frame(frame: pd.DataFrame, cols: dict[str, str], received: pd.Series, rows: np.ndarray,
                 keep: np.ndarray, catalogue: Catalogue | None, report: LoadReport,
                 order: str) -> pd.DataFrame:
    """The clean frame. Labels are normalised on their unique values and carried as integer codes, so the
    cost per row is a few array lookups (a million-row file is mostly pyarrow's work)."""
    everything = bool(keep.all())
    n = int(keep.sum())

    def raw(fld: str) -> pd.Series:
        if fld not in cols:
            return pd.Series(pd.array([None] * n, dtype="str"))
        column = frame[cols[fld]]
        # boolean indexing of the array itself: several times cheaper than frame.loc on Arrow strings
        return column.reset_index(drop=True) if everything else pd.Series(column.array[keep])

    out: dict[str, object] = {
        schema.ROW: (rows if everything else rows[keep]).astype(np.int64),
        schema.RECEIVED_AT: received if everything else received.loc[keep].reset_index(drop=True),
    }
    tp_display, tp_key = _grouped_labels(raw(schema.TOUCHPOINT), blank=schema.UNKNOWN_TOUCHPOINT)
    out[schema.TOUCHPOINT] = tp_display
    out[schema.CUSTOMER_WORDS] = _as_text(raw(schema.CUSTOMER_WORDS))
    canonical = {fold_keep(t.name): t.name for t in catalogue.types} if catalogue else None
    type_display, _ = _grouped_labels(raw(schema.DEMAND_TYPE), canonical)
    out[schema.DEMAND_TYPE] = type_display

    codes, uniques = pd.factorize(raw(schema.NATURE))
    mapped = [nature_label(u) for u in uniques]
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    for u, m, c in zip(uniques, mapped, counts, strict=True):
        if m is None:
            report.unknown_nature_labels[str(u).strip()] = int(c)
    lut = np.array([NATURE_CODES[m or schema.UNCLASSIFIED] for m in mapped] + [_UNCLASSIFIED], dtype=np.int8)
    nature = lut[codes]
    source = np.where(nature != _UNCLASSIFIED, 1, 0).astype(np.int8)
    cause, _ = _grouped_labels(raw(schema.FAILURE_CAUSE))
    if catalogue is not None:
        nature, cause, source = _apply_catalogue(out[schema.ROW], type_display, nature, cause, source,
                                                 catalogue, report)
    out[schema.NATURE] = pd.Categorical.from_codes(nature, categories=list(schema.NATURES))
    out[schema.FAILURE_CAUSE] = cause

    codes, uniques = pd.factorize(raw(schema.ONE_STOP))
    answers = [yes_no(u) if _cell_text(u) else None for u in uniques] + [None]
    values = np.array([a is True for a in answers], dtype=bool)[codes]
    unknown = np.array([a is None for a in answers], dtype=bool)[codes]
    out[schema.ONE_STOP] = pd.arrays.BooleanArray(values, unknown)
    unread = [str(u).strip() for u in uniques if _cell_text(u) and yes_no(u) is None]
    if unread:
        report.notes.append("Resolved-first-time answers we could not read as yes/no (left blank): "
                            + ", ".join(f"'{u}'" for u in unread[:8]) + ".")

    minutes, given = _numbers(raw(schema.HANDLING_MINUTES))
    bad_minutes = int((given & np.isnan(minutes)).sum())
    negative = minutes < 0
    if negative.any():
        minutes = np.where(negative, np.nan, minutes)
        report.notes.append(f"{int(negative.sum()):,} negative handling time(s) were left blank.")
    if bad_minutes:
        report.notes.append(f"{bad_minutes:,} handling time(s) are not numbers and were left blank.")
    out[schema.HANDLING_MINUTES] = minutes
    out[schema.CASE_ID] = _as_text(raw(schema.CASE_ID)) if schema.CASE_ID in cols else \
        pd.Series([""] * n, dtype="str")

    if schema.RESOLVED_AT in cols:
        resolved_raw = raw(schema.RESOLVED_AT)
        resolved, _ = parse_dates(resolved_raw, "auto" if order in ("iso", "excel") else order)
        given_resolved = _given(resolved_raw)
        unreadable = int((given_resolved & resolved.isna().to_numpy()).sum())
        if unreadable:
            report.notes.append(f"{unreadable:,} resolved date(s) could not be read and were left blank.")
        before = (resolved < out[schema.RECEIVED_AT]).to_numpy()
        if before.any():
            report.notes.append(f"{int(before.sum()):,} row(s) were resolved before they were received; "
                                "their resolved date was left blank.")
            resolved = resolved.mask(before)
        out[schema.RESOLVED_AT] = resolved.to_numpy()
    else:
        out[schema.RESOLVED_AT] = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")

    out[schema.TOUCHPOINT_KEY] = tp_key
    out[schema.NATURE_SOURCE] = pd.Categorical.from_codes(source, categories=SOURCES)
    result = pd.DataFrame(out)
    return result[list(schema.CLEAN_COLUMNS)]


def _given(values: pd.Series) -> np.ndarray:
    """Which cells hold something (not blank, not just spaces)."""
    arr = _arrow(values)
    if arr is not None:
        trimmed = pc.utf8_trim_whitespace(arr)
        return pc.fill_null(pc.greater(pc.utf8_length(trimmed), 0), False).to_numpy(zero_copy_only=False)
    return np.array([bool(_cell_text(v)) for v in values.array], dtype=bool)


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(numbers with NaN where unreadable or blank, which cells held something). Arrow's cast reads a clean
    column in one pass; anything else ('4,5', 'n/a') goes through pandas."""
    given = _given(values)
    arr = _arrow(values)
    if arr is not None:
        trimmed = pc.utf8_trim_whitespace(arr)
        blank_as_null = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
        try:
            return pc.cast(blank_as_null, pa.float64()).to_numpy(zero_copy_only=False).astype(float), given
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    text = _as_text(values).str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64").to_numpy(), given


def _apply_catalogue(rows: np.ndarray, types: pd.Categorical, nature: np.ndarray, cause: pd.Categorical,
                     source: np.ndarray, catalogue: Catalogue,
                     report: LoadReport) -> tuple[np.ndarray, pd.Categorical, np.ndarray]:
    """Fill value/failure and cause from the catalogue where the row has none; report disagreements.
    Works on codes: `nature` holds NATURE_CODES, `source` indexes SOURCES."""
    entries = [catalogue.lookup(t) for t in types.categories]
    causes = list(dict.fromkeys([*map(str, cause.categories), *(e.cause for e in entries if e and e.cause)]))
    cause_index = {c: i for i, c in enumerate(causes)}
    cat_nature_lut = np.array([NATURE_CODES[e.nature] if e else -1 for e in entries] + [-1], dtype=np.int8)
    cat_cause_lut = np.array([cause_index[e.cause] if e and e.cause else -1 for e in entries] + [-1],
                             dtype=np.int64)
    tcodes = types.codes
    cat_nature = cat_nature_lut[tcodes]
    counts = np.bincount(tcodes[tcodes >= 0], minlength=len(entries))
    for name, e, c in zip(types.categories, entries, counts, strict=True):
        if e is None and c:
            report.unknown_types[str(name)] = int(c)
    known = cat_nature >= 0
    fill = (nature == _UNCLASSIFIED) & known
    clash = (nature != _UNCLASSIFIED) & known & (nature != cat_nature)
    report.filled_from_catalogue = int(fill.sum())
    report.conflict_count = int(clash.sum())
    for pos in np.flatnonzero(clash)[:1000]:
        report.conflicts.append(Conflict(int(rows[pos]), str(types[pos]), schema.NATURES[nature[pos]],
                                         schema.NATURES[cat_nature[pos]]))
    new_nature = np.where(fill, cat_nature, nature).astype(np.int8)
    remap = np.array([cause_index[str(c)] for c in cause.categories] + [-1], dtype=np.int64)
    cause_codes = remap[cause.codes]
    failure = NATURE_CODES[schema.FAILURE]
    need = (new_nature == failure) & (cause_codes < 0) & (cat_nature == failure)
    cause_codes = np.where(need, cat_cause_lut[tcodes], cause_codes)
    source = np.where(fill, 2, source).astype(np.int8)
    return new_nature, pd.Categorical.from_codes(cause_codes, categories=pd.Index(causes, dtype="str")), source


def load_demand(
    source: str | Path | bytes,
    name: str | None = None,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    mapping: dict[str, str | None] | None = None,
    date_order: str = "auto",
    catalogue: Catalogue | None = None,
) -> LoadedDemand:
    """Read and clean in one call: what the CLI and scripts use."""
    raw = read_table(source, name, sheet=sheet, header_row=header_row)
    return clean(raw, mapping, date_order=date_order, catalogue=catalogue)
