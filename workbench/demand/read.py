"""Reading a demand file into the file's own table (`RawTable`): what kind of file it is, its encoding and
delimiter, where the header is; CSV through Arrow when every record is one line, else through Python's csv
module (which knows each record's line); Excel through openpyxl.

Nothing is interpreted here (no mapping, no dates): the app shows this table and the mapping preview before
cleaning, and re-cleans without re-reading when the mapping changes.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import zipfile
import zlib
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from workbench import limits, schema
from workbench.demand.labels import field_for_header, header_match
from workbench.demand.reading import FileKind
from workbench.demand.report import DemandFileError, SetAsideRow

MAX_ROWS = limits.DEMAND_ROWS.default  # kept for old imports; the limit in force is limits.DEMAND_ROWS.value
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
    notes: list[str] = field(default_factory=list)  # what reading changed (characters not in the encoding, NULs)

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
    return [(n, n, _line_cells(line, delimiter)) for n, line in nonblank]


def _line_cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # an unbalanced quote or a cell over the limit: not a header line
        return []


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


def _unique_headers(cells: Sequence[object], source: str = "") -> list[str]:
    """The header's names, a repeated one numbered ("a", "a (2)", "a (3)"): linear in the number of columns
    (each base remembers the next number to try), and at most `limits.DEMAND_COLUMNS` of them."""
    _check(limits.DEMAND_COLUMNS, len(cells), source)
    names: list[str] = []
    seen: set[str] = set()
    next_n: dict[str, int] = {}
    for i, cell in enumerate(cells, start=1):
        base = cell_text(cell) or f"Column {i}"
        name, n = base, next_n.get(base, 2)
        if name in seen:
            name = f"{base} ({n})"
            while name in seen:
                n += 1
                name = f"{base} ({n})"
            n += 1
        next_n[base] = n
        seen.add(name)
        names.append(name)
    return names


def _check(limit: limits.Limit, found: int, source: str) -> None:
    """A limit's refusal as the `DemandFileError` every caller of the reader already handles."""
    if found > limit.value:
        raise DemandFileError(limit.message(source, found))


def cell_text(value: object) -> str:
    """A cell as the text a person sees: blank for empty or missing, 12 for a whole number read as 12.0."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def take_rows(values: pd.Series, positions: np.ndarray) -> pd.Series:
    """`values.iloc[positions]` for positions in ascending order, without joining the chunks of an Arrow
    column first: pandas' take on a column read in 4 MB blocks copies the whole column (0.1 s for a million
    cells) to pick a few rows, which is what the rows without a date and the date sample need."""
    arrow = getattr(values.array, "_pa_array", None)
    positions = np.asarray(positions, dtype=np.int64)
    if not isinstance(arrow, pa.ChunkedArray) or arrow.num_chunks < 2 or \
            (len(positions) > 1 and bool((np.diff(positions) < 0).any())):
        return values.iloc[positions]
    bounds = np.cumsum([0, *(len(chunk) for chunk in arrow.chunks)])
    which = np.searchsorted(bounds, positions, side="right") - 1
    cuts = np.searchsorted(which, np.arange(arrow.num_chunks + 1))
    pieces = [arrow.chunk(k).take(pa.array(positions[cuts[k]:cuts[k + 1]] - bounds[k]))
              for k in range(arrow.num_chunks) if cuts[k + 1] > cuts[k]]
    taken = pa.chunked_array(pieces, type=arrow.type)
    return pd.Series(pd.array(taken, dtype=values.dtype), index=values.index[positions], name=values.name)


def read_source(source: str | Path | bytes, name: str | None = None) -> tuple[bytes, str]:
    """A file's bytes and the name messages use for it (a path's file name, else `name` or 'upload'), held to
    `limits.DEMAND_BYTES` before a byte is read; a missing or unreadable file is one plain DemandFileError. Every
    reader of uploaded files (demand tables, event logs) starts here."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            _check(limits.DEMAND_BYTES, path.stat().st_size, name)  # before reading a byte of it
            return path.read_bytes(), name
        except FileNotFoundError:
            raise DemandFileError(f"{name}: file not found.") from None
        except OSError as exc:
            raise DemandFileError(f"{name}: cannot be read ({exc.strerror}).") from None
    name = name or "upload"
    _check(limits.DEMAND_BYTES, len(source), name)
    return bytes(source), name


GZIP_MAGIC = b"\x1f\x8b"


def gunzip(data: bytes, name: str) -> bytes:
    """A gzip file's content (a `.csv.gz`), unpacked no further than `limits.DEMAND_BYTES`: the unpacked bytes
    are counted as they come (a gzip header's size is not trusted), so a small file that unpacks to gigabytes
    is refused at the limit, not unpacked."""
    limit = limits.DEMAND_BYTES.value
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as packed:
            out = packed.read(limit + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile):
        raise DemandFileError(f"{name}: the compressed file is cut short or damaged (it ends before its end); "
                              "download or export it again.") from None
    if len(out) > limit:
        raise DemandFileError(limits.DEMAND_BYTES.message(f"{name} (unpacked)"))
    return out


def read_table(
    source: str | Path | bytes,
    name: str | None = None,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
) -> RawTable:
    """Read a CSV or Excel file into the file's own table, finding delimiter, encoding and header row."""
    data, name = read_source(source, name)
    if data[:2] == GZIP_MAGIC:  # a .csv.gz (or .xlsx.gz): read what it holds
        data = gunzip(data, name)
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
    notes: list[str] = []
    if encoding == "utf-16":
        text, replaced = _decode(data, "utf-16")
        data = text.encode("utf-8")
        if replaced:
            notes.append(_replaced_note(replaced, "UTF-16"))
    # NUL characters are never part of what people typed: removed and counted (`in` first: a memchr, ten times
    # cheaper than counting a file that has none)
    nuls = data.count(b"\x00") if b"\x00" in data else 0
    if nuls:
        data = data.replace(b"\x00", b"")
        notes.append(f"Removed {nuls:,} NUL character(s) (\\0) from the file; they are not text.")
    bom = 0  # a byte-order mark is skipped, not sliced off (slicing copies the whole file)
    if data.startswith(b"\xef\xbb\xbf"):
        bom = 3
        encoding = "utf-8 (with BOM)" if encoding == "utf-8" else encoding
    text_encoding = "utf-8" if encoding.startswith("utf") else encoding
    head_text = data[bom:bom + 262144].decode(text_encoding, errors="replace")
    if not head_text.strip():
        raise DemandFileError(f"{name}: the file is empty.")
    with _csv_cells():
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
    headers = _unique_headers(header_cells, name)
    _check_cell_chars(max((len(c) for c in header_cells), default=0), f"{name}, row {header_line}")
    body_offset = _offset_after_line(data, header_end, bom)
    frame, rows, bad, short = _parse_body_fast(data, body_offset, headers, delimiter, text_encoding, header_line,
                                               name)
    if frame is None:  # not one record per line, or not all in one encoding: Python's csv module
        text, replaced = _decode(data[body_offset:], text_encoding)
        if replaced:
            notes.append(_replaced_note(replaced, encoding))
        try:
            with _csv_cells():
                frame, rows, bad, short = _parse_body_slow(text, headers, delimiter, header_line, name)
        except DemandFileError as exc:
            raise DemandFileError(f"{name}: {exc}") from None
    _check(limits.DEMAND_ROWS, len(frame), name)
    _check(limits.DEMAND_CELLS, len(frame) * len(headers), name)
    return RawTable(frame, rows, name, "csv", header_line, encoding=encoding, delimiter=delimiter,
                    bad_rows=bad, short_rows=short, notes=notes)


# ------------------------------------------------------------------ encodings: one for the whole file, stated
_FALLBACK_ERRORS = "workbench-cp1252-fallback"
_replaced_count = [0]


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Bytes that are not in the file's encoding, read as Windows' cp1252 (latin-1 for its 5 unused bytes):
    the usual reason is one line pasted from a Windows program into a UTF-8 file. Counted."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    _replaced_count[0] += len(bad)
    return "".join(bytes([b]).decode("cp1252", errors="strict") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
                   else chr(b) for b in bad), exc.end


codecs.register_error(_FALLBACK_ERRORS, _cp1252_fallback)


def _decode(data: bytes, encoding: str) -> tuple[str, int]:
    """The whole of `data` decoded (every byte checked, not only a sample) and how many bytes were not in
    `encoding` (read as cp1252 instead, never silently replaced)."""
    try:
        return data.decode(encoding), 0
    except UnicodeDecodeError:
        pass
    _replaced_count[0] = 0
    text = data.decode(encoding, errors=_FALLBACK_ERRORS)
    return text, _replaced_count[0]


def _replaced_note(count: int, encoding: str) -> str:
    shown = encoding.split(" ")[0].upper().replace("CP1252", "cp1252").replace("LATIN-1", "latin-1")
    return (f"The file is read as {shown}, but {count:,} byte(s) in it are not {shown}; they were read as "
            "Windows (cp1252) characters. Check the words around them; if the whole file is in another "
            "encoding, save it as UTF-8 and load it again.")


@contextlib.contextmanager
def _csv_cells() -> Iterator[None]:
    """Python's csv module reads cells up to `limits.CELL_CHARS` long (its own default is 131,072)."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, limits.CELL_CHARS.value))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _check_cell_chars(found: int, where: str) -> None:
    _check(limits.CELL_CHARS, found, where)


def _check_arrow_cells(table: pa.Table, rows: np.ndarray, name: str) -> None:
    """No cell over `limits.CELL_CHARS` characters: bytes first (cheap), characters only where bytes are over."""
    limit = limits.CELL_CHARS.value
    for col, arr in zip(table.column_names, table.columns, strict=True):
        if arr.num_chunks == 0 or (pc.max(pc.binary_length(arr)).as_py() or 0) <= limit:
            continue
        chars = pc.utf8_length(arr).to_numpy()
        over = np.flatnonzero(chars > limit)
        if len(over):
            i = int(over[0])
            _check_cell_chars(int(chars[i]), f"{name}, row {int(rows[i])}, column '{col}'")


def _offset_after_line(data: bytes, line_no: int, start: int = 0) -> int:
    offset = start
    for _ in range(line_no):
        nxt = data.find(b"\n", offset)
        if nxt < 0:
            return len(data)
        offset = nxt + 1
    return offset


def _parse_body_fast(
    data: bytes, start: int, headers: list[str], delimiter: str, encoding: str, header_line: int, name: str = ""
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
    _check(limits.DEMAND_ROWS, table.num_rows, name)
    _check_arrow_cells(table, line_numbers, name)
    frame = table.to_pandas()
    return frame, line_numbers, [], 0


def _line_numbers(data: bytes, start: int, header_line: int, records: int) -> np.ndarray | None:
    """The file line of each record (the body starts at byte `start`), or None when records and lines do
    not match one to one (a quoted line break inside a value). One numpy pass: bytes.find(b"\\n\\n") on a
    large file costs more than the whole scan."""
    # The usual case, without scanning into an array: every line ends one record. Lines are never fewer than
    # records; a blank line or a line break inside a quoted value makes them more, and then they are counted
    # one by one below.
    buf = np.frombuffer(data, dtype=np.uint8, offset=start)
    lines = _count_newlines(buf) + int(len(data) > start and not data.endswith(b"\n"))
    if lines == records:
        return np.arange(header_line + 1, header_line + 1 + records, dtype=np.int64)
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


def _count_newlines(buf: np.ndarray, step: int = 1 << 22) -> int:
    """The newlines in `buf`, 4 MB at a time: twice as fast as bytes.count, and no file-sized temporary."""
    return sum(int(np.count_nonzero(buf[i:i + step] == 10)) for i in range(0, len(buf), step))


def _parse_body_slow(
    text: str, headers: list[str], delimiter: str, header_line: int, name: str = ""
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
        if "field larger than field limit" in str(exc):
            raise DemandFileError(limits.CELL_CHARS.message(f"row {line + 1}")) from None
        raise DemandFileError(f"cannot read the CSV after row {line}: {exc}") from None
    frame = pd.DataFrame(records, columns=headers, dtype="str") if records else pd.DataFrame(
        {h: pd.Series([], dtype="str") for h in headers})
    return frame, np.asarray(rows, dtype=np.int64), bad, short


def _show(delimiter: str) -> str:
    return {"\t": "tab"}.get(delimiter, delimiter)


def _read_excel(data: bytes, name: str, sheet: str | None, header_row: int | None) -> RawTable:
    """The workbook's cells as they are, never as its metadata says: the `<dimension>` a sheet claims is
    ignored, empty rows and cells are never made, and the sheet's XML is streamed and counted
    (`_ExcelBudget`), so a few kilobytes claiming a million rows, or a zip bomb, is refused in one sentence."""
    import openpyxl  # imported here: only Excel uploads pay for it

    budget = _ExcelBudget(name)
    budget.check_headers(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise DemandFileError(f"{name}: this is not a readable Excel workbook (.xlsx); it may be damaged or "
                              f"another kind of zip file ({type(exc).__name__}).") from None
    chosen = sheet or "?"
    try:
        sheets = list(book.sheetnames)
        if sheet is not None:
            chosen = _choose_sheet(sheets, sheet, name)
        else:  # the first sheet, unless it holds no demand table and a later one does (a "Notes" sheet)
            chosen = sheets[0]
            if not _has_date_header(_sheet_head(book, sheets[0], budget)):
                for other in sheets[1:]:
                    if _has_date_header(_sheet_head(book, other, budget)):
                        chosen = other
                        break
        numbered = list(_sheet_rows(book, chosen, budget))
    except DemandFileError:
        raise
    except Exception as exc:  # damaged sheet XML
        raise DemandFileError(f"{name}: sheet '{chosen}' cannot be read; the workbook may be damaged "
                              f"({type(exc).__name__}).") from None
    finally:
        book.close()
    if not numbered:
        raise DemandFileError(f"{name}: sheet '{chosen}' is empty.")
    if header_row is not None:
        matches = [i for i, (ln, _) in enumerate(numbered) if ln == header_row]
        if not matches:
            raise DemandFileError(f"{name}: row {header_row} of sheet '{chosen}' is blank or missing.")
        h = matches[0]
    else:
        h = _header_index([_dense(r) for _, r in numbered[:_HEADER_SCAN_LINES]])
    header_line, header_dict = numbered[h]
    header_cells = _dense(header_dict)
    while header_cells and not cell_text(header_cells[-1]):
        header_cells = header_cells[:-1]
    headers = _unique_headers(header_cells, name)
    width = len(headers)
    kept = [(ln, [r.get(c) for c in range(1, width + 1)]) for ln, r in numbered[h + 1:]
            if any(cell_text(r.get(c)) for c in range(1, width + 1))]
    _check(limits.DEMAND_ROWS, len(kept), name)
    _check(limits.DEMAND_CELLS, len(kept) * width, name)
    frame = pd.DataFrame([c for _, c in kept], columns=headers, dtype=object) if kept else pd.DataFrame(
        {h_: pd.Series([], dtype=object) for h_ in headers})
    rows = np.asarray([ln for ln, _ in kept], dtype=np.int64)
    return RawTable(frame, rows, name, "excel", header_line, sheet=chosen, sheets=sheets)


def _dense(cells: dict[int, object]) -> list[object]:
    """A row's cells as a list from column A to its last cell with a value (at most DEMAND_COLUMNS long)."""
    return [cells.get(c) for c in range(1, max(cells, default=0) + 1)]


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL = f"{_MAIN_NS}row", f"{_MAIN_NS}c"
_CHUNK = 1 << 20
_RATIO_FLOOR = 1 << 20  # a part under 1 MB unpacked is never refused for its ratio (tiny XML packs very well)


class _ExcelBudget:
    """What reading one workbook may unpack: `limits.EXCEL_XML_BYTES` in all, and no part more than
    `limits.EXCEL_RATIO` times its packed size. The zip's headers are checked first (cheap, before openpyxl
    reads a byte), then the sheets' bytes are counted as they are unpacked, because headers can lie."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.unpacked = 0

    def check_headers(self, data: bytes) -> None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return  # openpyxl says it is not a readable workbook
        total = 0
        for info in infos:
            total += info.file_size
            self.check_ratio(info.filename, info.file_size, info.compress_size)
        _check(limits.EXCEL_XML_BYTES, total, self.name)

    def check_ratio(self, part: str, unpacked: int, packed: int) -> None:
        if unpacked > _RATIO_FLOOR and unpacked > limits.EXCEL_RATIO.value * max(packed, 1):
            raise DemandFileError(limits.EXCEL_RATIO.message(f"{self.name} ({part})", unpacked // max(packed, 1)))

    def read(self, stream: Any, part: str, packed: int) -> Iterator[bytes]:
        """The part's bytes in chunks, counted against both limits as they are unpacked."""
        seen = 0
        while chunk := stream.read(_CHUNK):
            seen += len(chunk)
            self.unpacked += len(chunk)
            _check(limits.EXCEL_XML_BYTES, self.unpacked, self.name)
            self.check_ratio(part, seen, packed)
            yield chunk


def _sheet_head(book: Any, sheet: str, budget: _ExcelBudget) -> list[list[object]]:
    """The first non-blank rows of a sheet (to find which sheet holds the demand table)."""
    head: list[list[object]] = []
    rows = _sheet_rows(book, sheet, budget)
    for _, cells in rows:
        head.append(_dense(cells))
        if len(head) == _HEADER_SCAN_LINES:
            break
    rows.close()
    return head


def _sheet_rows(book: Any, sheet: str, budget: _ExcelBudget) -> Generator[tuple[int, dict[int, object]], None, None]:
    """The non-blank rows of a sheet as (row number, {column: value}), streamed from the sheet's XML with a
    pull parser: only cells that hold a value are kept, each element is dropped once read, and the columns,
    rows and cells are counted against the limits as they come."""
    from openpyxl.worksheet._reader import WorkSheetParser

    ws = book[sheet]
    part = ws._worksheet_path
    packed = book._archive.getinfo(part).compress_size
    cells_parser = WorkSheetParser(None, ws._shared_strings, data_only=True, epoch=book.epoch,
                                   date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
    max_columns, max_rows = limits.DEMAND_COLUMNS.value, limits.DEMAND_ROWS.value + _HEADER_SCAN_LINES
    max_cells = limits.DEMAND_CELLS.value
    source = f"{budget.name}, sheet '{sheet}'"
    rows = cells = 0
    parser: ElementTree.XMLPullParser[Any] = ElementTree.XMLPullParser(events=("start", "end"))
    stack: list[ElementTree.Element] = []
    current: dict[int, object] = {}
    first, in_cell = True, False
    with book._archive.open(part) as stream:
        for chunk in budget.read(stream, part, packed):
            if first and b"<!DOCTYPE" in chunk[:4096].upper():
                raise DemandFileError(f"{source}: the sheet's XML declares a DOCTYPE, which Excel never writes; "
                                      "it is not read.")
            first = False
            parser.feed(chunk)
            for event_and_elem in parser.read_events():
                event, elem = event_and_elem  # type: ignore[misc]  # "start"/"end" events: (event, element)
                assert isinstance(elem, ElementTree.Element)
                if event == "start":
                    if elem.tag == _ROW:
                        r = elem.get("r")
                        cells_parser.row_counter = int(r) if r and r.isdigit() else cells_parser.row_counter + 1
                        cells_parser.col_counter = 0
                        current = {}
                    in_cell = in_cell or elem.tag == _CELL
                    stack.append(elem)
                    continue
                stack.pop()
                if in_cell and elem.tag != _CELL:
                    continue  # a cell's value and text: read with the cell, dropped with it
                if elem.tag == _CELL:
                    in_cell = False
                    cell = cells_parser.parse_cell(elem)
                    value = cell["value"]
                    if value is not None and not (isinstance(value, str) and not value.strip()):
                        if cell["column"] > max_columns:
                            raise DemandFileError(limits.DEMAND_COLUMNS.message(source, cell["column"]))
                        cells += 1
                        if cells > max_cells:
                            raise DemandFileError(limits.DEMAND_CELLS.message(source))
                        current[cell["column"]] = value
                elif elem.tag == _ROW:
                    if current:
                        rows += 1
                        if rows > max_rows:
                            raise DemandFileError(limits.DEMAND_ROWS.message(source))
                        yield cells_parser.row_counter, current
                    current = {}
                # drop what was read, so memory stays flat however many cells a row or sheet holds
                elem.clear()
                if stack and len(stack[-1]) and stack[-1][-1] is elem:
                    stack[-1].remove(elem)


def _choose_sheet(sheets: list[str], sheet: str, name: str) -> str:
    for s in sheets:
        if s == sheet or s.casefold().strip() == sheet.casefold().strip():
            return s
    raise DemandFileError(f"{name}: no sheet named '{sheet}'; sheets are: {', '.join(sheets)}.")


def _has_date_header(rows: list[list[object]]) -> bool:
    head = [r for r in rows[:_HEADER_SCAN_LINES] if any(cell_text(c) for c in r)]
    return any(field_for_header(c) == schema.RECEIVED_AT for r in head for c in r)
