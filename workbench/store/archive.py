"""A whole study as one zip file: `export_study` writes it, `import_study` brings it back.

The zip is meant to outlive Workbench and to be opened without it: the demand files byte for byte, each map
version's YAML text, each comparison as JSON, the corrections as a CSV that is safe in Excel, and a
`study.json` that lists everything with its SHA-256. `study.json` is the source of truth for an import (it
holds every correction's exact strings; the CSV's cells are defused against formulas and are for people).

An import trusts nothing: the zip is checked whole (size, file count, names, CRCs, checksums, the JSON's
shape) and so is what it holds (every map version reads as a map, every column mapping and comparison summary
has the shape the pages read, every file is within the limits of workbench/limits.py) before the database is
touched, and everything is then written in one transaction, so a refused or
failed import changes nothing. docs/storage.md ("Export and import") describes the format for people.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from workbench import limits, schema
from workbench.access import Action
from workbench.demand.catalogue import parse_catalogue
from workbench.demand.corrections import EDITABLE
from workbench.demand.reading import HANDLING_UNITS, ReadOptions
from workbench.flow.model import parse_map
from workbench.flow.validate import validate_map
from workbench.safe_export import to_csv_bytes
from workbench.sim.snapshot import SnapshotError, check_snapshot
from workbench.store._common import (
    DuplicateNameError,
    NotFoundError,
    StoreError,
    Study,
    clean_name,
    reading_columns,
    reading_of,
    study_of,
    transaction,
)
from workbench.store.access import add_owner, may_create, require
from workbench.store.models import (
    NAME_LENGTH,
    CatalogueVersionRow,
    ComparisonRunRow,
    CorrectionRow,
    DemandSourceRow,
    MapRow,
    MapVersionRow,
    StudyRow,
    utcnow,
)
from workbench.yamltext import YamlError, YamlLimitError, measure

FORMAT = "workbench-study"
FORMAT_VERSION = 1  # the newest layout this Workbench writes and reads
MANIFEST = "study.json"
CORRECTIONS_CSV = "corrections.csv"
README = "README.txt"
_README = """A Workbench study, exported.

Everything in it opens without Workbench:

  study.json        what the study holds: its name, its demand files and how they are read (column
                    mapping, date order, sheet, header row), every correction (who, when, before, after),
                    every map version and comparison, with the SHA-256 of each file. Workbench imports
                    from this file.
  demand/           each demand file exactly as it was loaded, oldest first, and its demand-type
                    catalogue (YAML) when it had one.
  corrections.csv   the corrections as a table for people (cells that would start a spreadsheet formula
                    begin with an apostrophe, so it is safe to open in Excel).
  maps/<map>/vNNN.yaml  every saved version of each process map.
  catalogue/vNNN.yaml   every saved version of the team's demand-type catalogue (value or failure, cause,
                        merged spellings per type); the latest opens with `--catalogue`.
  comparisons/      each comparison of designs: its settings and its results (JSON).

To bring it back: the Studies page's "Import a study", or `workbench study import FILE.zip`.
"""
# The budgets are workbench/limits.py's (settings with documented defaults); these names are the defaults, kept
# for older callers. An import never unpacks more than ZIP_BYTES, opens a zip of more files than ZIP_MEMBERS,
# or one that unpacks to more than ZIP_RATIO times its size (zip bombs).
MAX_TOTAL_BYTES = limits.ZIP_BYTES.default
MAX_MEMBERS = limits.ZIP_MEMBERS.default
_RATIO_FLOOR = 1 << 20  # below this many unpacked bytes the ratio is not checked (tiny files compress a lot)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every member's timestamp: the same study gives the same bytes
_CORRECTION_COLUMNS = ("source", "row", "field", "before", "after", "author", "created_at", "version")
_INT32 = (-(2**31), 2**31 - 1)  # the database's Integer


class ArchiveError(StoreError):
    """A zip that is not a usable study export; the message says what is wrong in one sentence."""


# ------------------------------------------------------------------------------------------ names


_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_name(name: str, fallback: str, limit: int = 80) -> str:
    """A file or folder name that unpacks the same on Windows, macOS and Linux: ASCII letters, digits,
    `.`, `_` and `-` only (accents dropped, anything else becomes `_`), the extension kept."""
    def clean(part: str) -> str:
        part = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode("ascii")
        return re.sub(r"_*\._*", ".", _UNSAFE_CHARS.sub("_", part)).strip("._-")

    stem, dot, ext = str(name).rpartition(".")
    ext = clean(ext) if dot and 0 < len(clean(ext)) <= 10 and "." not in clean(ext) else ""
    stem = clean(stem if ext else str(name))[: limit - len(ext) - 1].rstrip("._-") or fallback
    if stem.split(".")[0].casefold() in _WINDOWS_RESERVED:
        stem = "_" + stem
    return f"{stem}.{ext}" if ext else stem


def _unsafe_member(name: str) -> bool:
    """A member name that could point outside the folder it is unpacked into (or is not a plain path)."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return True
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    return any(p in ("", ".", "..") for p in parts)


def _shown(name: str) -> str:
    """A member name fit for a one-line message."""
    text = "".join(c if c.isprintable() else "?" for c in name)
    return text if len(text) <= 80 else text[:79] + "…"


# ------------------------------------------------------------------------------------------ export


def _iso(at: datetime) -> str:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, allow_nan=False, indent=2) + "\n").encode("utf-8")


def workbench_version() -> str:
    try:
        return metadata.version("workbench")
    except metadata.PackageNotFoundError:
        return "unknown"


def _zip(members: dict[str, bytes]) -> bytes:
    """Members in sorted order with fixed timestamps and attributes: the same content, the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine wrote it
            info.external_attr = 0o644 << 16
            zf.writestr(info, members[name], compresslevel=6)
    return buffer.getvalue()


def export_study(session: Session, study_id: int, *, exported_at: datetime | None = None) -> bytes:
    """The whole study as a zip (see the module's docstring and docs/storage.md for the layout).

    Owners only (and administrators): the zip holds the customers' words. Who is a member is left out (the
    emails are this server's people, not the study's content). One read transaction; on PostgreSQL the study row is held FOR SHARE, which makes every save to the study
    (they all lock it first) wait, so the export is one consistent moment. `exported_at` is for tests."""
    members: dict[str, bytes] = {}
    with transaction(session, write=False):
        study = session.scalars(select(StudyRow).where(StudyRow.id == study_id)
                                .with_for_update(read=True)).one_or_none()
        if study is None:
            raise NotFoundError(f"There is no study {study_id} (it may have been deleted).")
        require(session, study_id, Action.MANAGE)  # owners only: it holds the customers' words
        sources = session.scalars(select(DemandSourceRow).where(DemandSourceRow.study_id == study_id)
                                  .order_by(DemandSourceRow.id)).all()
        corrections = session.scalars(select(CorrectionRow).where(CorrectionRow.study_id == study_id)
                                      .order_by(CorrectionRow.id)).all()
        maps = session.scalars(select(MapRow).where(MapRow.study_id == study_id)).all()
        versions = session.scalars(select(MapVersionRow).join(MapRow).where(MapRow.study_id == study_id)
                                   .order_by(MapVersionRow.version)).all()
        runs = session.scalars(select(ComparisonRunRow).where(ComparisonRunRow.study_id == study_id)
                               .order_by(ComparisonRunRow.id)).all()
        catalogues = session.scalars(select(CatalogueVersionRow).where(CatalogueVersionRow.study_id == study_id)
                                     .order_by(CatalogueVersionRow.version)).all()

        number = {s.id: n for n, s in enumerate(sources, start=1)}
        csv_rows: list[dict[str, Any]] = []
        source_entries = []
        for n, s in enumerate(sources, start=1):
            data = bytes(s.data)
            safe = safe_name(s.name, "demand")
            if safe.casefold() == "catalogue.yaml":  # would clash with its catalogue's file
                safe = "file-" + safe
            reading = reading_of(s).to_dict()
            catalogue_text = reading.pop("catalogue_text")  # a file of its own, named in the entry
            entry: dict[str, Any] = {
                "file": f"demand/{n}-{safe}", "name": s.name, **reading,
                "catalogue_file": None, "catalogue_sha256": None, "created_at": _iso(s.created_at),
                "created_by": s.created_by, "sha256": _sha(data), "corrections": []}
            members[entry["file"]] = data
            if catalogue_text is not None:
                text = catalogue_text.encode("utf-8")
                entry["catalogue_file"] = f"demand/{n}-catalogue.yaml"
                entry["catalogue_sha256"] = _sha(text)
                members[entry["catalogue_file"]] = text
            source_entries.append(entry)
        for c in corrections:  # by id: the order they were made, which is the order they replay in
            n = number[c.source_id]
            record = {"row": c.row, "field": c.field, "before": c.before, "after": c.after, "author": c.author,
                      "created_at": _iso(c.created_at), "version": c.version}
            source_entries[n - 1]["corrections"].append({**record, "batch": c.batch, "note": c.note or ""})
            csv_rows.append({"source": n, **record})

        map_entries = []
        folders: set[str] = set()
        for m in sorted(maps, key=lambda m: (m.name.casefold(), m.name)):
            folder = base = safe_name(m.name, "map")
            k = 1
            while folder.casefold() in folders:  # two names that read the same once made safe
                k += 1
                folder = f"{base}-{k}"
            folders.add(folder.casefold())
            entry = {"name": m.name, "versions": []}
            for v in (v for v in versions if v.map_id == m.id):
                text = v.yaml_text.encode("utf-8")
                file = f"maps/{folder}/v{v.version:03d}.yaml"
                members[file] = text
                entry["versions"].append({"version": v.version, "file": file, "author": v.author,
                                          "note": v.note, "created_at": _iso(v.created_at), "sha256": _sha(text),
                                          "label": v.label or "", "edits": v.edits or 0})
            map_entries.append(entry)

        catalogue_entries = []
        for cv in catalogues:
            text = cv.yaml_text.encode("utf-8")
            file = f"catalogue/v{cv.version:03d}.yaml"
            members[file] = text
            catalogue_entries.append({"version": cv.version, "file": file, "author": cv.author, "note": cv.note,
                                      "created_at": _iso(cv.created_at), "sha256": _sha(text)})

        run_entries = []
        for n, r in enumerate(runs, start=1):
            body = _json_bytes({"settings": r.settings, "summary": r.summary})
            file = f"comparisons/{n}.json"
            members[file] = body
            run_entries.append({"file": file, "created_at": _iso(r.created_at), "author": r.author,
                                "sha256": _sha(body)})

        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": _iso(exported_at or utcnow()),
            "workbench_version": workbench_version(),
            "study": {"name": study.name, "description": study.description, "archived": bool(study.archived),
                      "created_at": _iso(study.created_at), "updated_at": _iso(study.updated_at)},
            "demand_sources": source_entries,
            "maps": map_entries,
            "catalogue_versions": catalogue_entries,
            "comparison_runs": run_entries,
            "corrections": CORRECTIONS_CSV,
        }
    members[MANIFEST] = _json_bytes(manifest)
    # For people (Excel): cells that would start a formula are defused, so import reads study.json instead.
    members[CORRECTIONS_CSV] = to_csv_bytes(pd.DataFrame(csv_rows, columns=list(_CORRECTION_COLUMNS)))
    members[README] = _README.encode("utf-8")
    return _zip(members)


# ------------------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class ArchivedCorrection:
    row: int
    field: str
    before: str | None
    after: str
    author: str
    created_at: datetime
    version: int
    batch: int | None = None
    note: str = ""


@dataclass(frozen=True)
class ArchivedSource:
    name: str
    data: bytes = field(repr=False)
    reading: ReadOptions
    created_at: datetime
    created_by: str
    corrections: list[ArchivedCorrection]


@dataclass(frozen=True)
class ArchivedMapVersion:
    version: int
    yaml_text: str = field(repr=False)
    author: str
    note: str
    created_at: datetime
    label: str = ""  # the name people gave it; exports made before versions had names have none
    edits: int = 0


@dataclass(frozen=True)
class ArchivedMap:
    name: str
    versions: list[ArchivedMapVersion]


@dataclass(frozen=True)
class ArchivedCatalogueVersion:
    version: int
    yaml_text: str = field(repr=False)
    author: str
    note: str
    created_at: datetime


@dataclass(frozen=True)
class ArchivedRun:
    settings: dict[str, Any]
    summary: dict[str, Any]
    created_at: datetime
    author: str


@dataclass(frozen=True)
class StudyArchive:
    """A study export, read and checked whole; nothing in it has touched a database yet."""

    name: str
    description: str
    archived: bool
    created_at: datetime
    updated_at: datetime
    exported_at: datetime
    workbench_version: str
    sources: list[ArchivedSource]
    maps: list[ArchivedMap]
    runs: list[ArchivedRun]
    catalogue_versions: list[ArchivedCatalogueVersion] = field(default_factory=list)

    def describe(self) -> str:
        """What it holds, in words: '2 demand files, 5 corrections, 2 maps with 4 versions, 1 comparison'."""
        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count == 1 else many}"

        corrections = sum(len(s.corrections) for s in self.sources)
        versions = sum(len(m.versions) for m in self.maps)
        return (f"{n(len(self.sources), 'demand file', 'demand files')}, "
                f"{n(corrections, 'correction', 'corrections')}, {n(len(self.maps), 'map', 'maps')} "
                f"with {n(versions, 'version', 'versions')}, {n(len(self.runs), 'comparison', 'comparisons')}"
                + (f", {n(len(self.catalogue_versions), 'catalogue version', 'catalogue versions')}"
                   if self.catalogue_versions else ""))


def _malformed(detail: str) -> ArchiveError:
    return ArchiveError(f"The {MANIFEST} in this zip is malformed: {detail}.")


def _at(where: str, key: str | int) -> str:
    """A value's place in study.json, as people read it: `maps[2].versions[1].file` (counting from 1)."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


class _Manifest:
    """Typed access to study.json's values, each refusal naming the value and what it should be."""

    def __init__(self, zf: zipfile.ZipFile, names: set[str]) -> None:
        self.zf = zf
        self.names = names

    def get(self, obj: Any, key: str, where: str, check: Callable[[Any], bool], should: str) -> Any:
        if not isinstance(obj, dict):
            raise _malformed(f"{where or 'it'} should be an object")
        if key not in obj:
            raise _malformed(f"{where or 'it'} has no '{key}'")
        value = obj[key]
        if isinstance(value, str) and "\x00" in value:
            raise _malformed(f"{_at(where, key)} holds a NUL character, which a study cannot store")
        if not check(value):
            raise _malformed(f"{_at(where, key)} should be {should}")
        return value

    def text(self, obj: Any, key: str, where: str, *, limit: int | None = None, optional: bool = False,
             required: bool = False) -> Any:
        def ok(v: Any) -> bool:
            if v is None:
                return optional
            return isinstance(v, str) and (limit is None or len(v) <= limit) and (not required or bool(v.strip()))
        should = (("text that is not empty" if required else "text")
                  + (f", at most {limit} characters long" if limit else "") + (", or null" if optional else ""))
        return self.get(obj, key, where, ok, should)

    def integer(self, obj: Any, key: str, where: str, *, minimum: int = _INT32[0], optional: bool = False) -> Any:
        def ok(v: Any) -> bool:
            if v is None:
                return optional
            return isinstance(v, int) and not isinstance(v, bool) and minimum <= v <= _INT32[1]
        should = f"a whole number from {minimum} to {_INT32[1]}" if minimum > _INT32[0] else \
            f"a whole number between {_INT32[0]} and {_INT32[1]}"
        return self.get(obj, key, where, ok, should + (", or null" if optional else ""))

    def time(self, obj: Any, key: str, where: str) -> datetime:
        def parse(v: Any) -> datetime | None:
            try:
                at = datetime.fromisoformat(v) if isinstance(v, str) else None
                return None if at is None else (at.replace(tzinfo=UTC) if at.tzinfo is None
                                                else at.astimezone(UTC))
            except (ValueError, OverflowError):
                return None
        self.get(obj, key, where, lambda v: parse(v) is not None, "a date and time in ISO 8601 form")
        return parse(obj[key])  # type: ignore[return-value]

    def items(self, obj: Any, key: str, where: str) -> list[Any]:
        return self.get(obj, key, where, lambda v: isinstance(v, list), "a list")

    def obj(self, obj: Any, key: str, where: str) -> dict[str, Any]:
        return self.get(obj, key, where, lambda v: isinstance(v, dict), "an object")

    def member(self, obj: Any, key: str, where: str, *, sha_key: str = "sha256", optional: bool = False
               ) -> tuple[str, bytes] | None:
        """The name and bytes of the file study.json names there, checked against its SHA-256."""
        name = self.text(obj, key, where, optional=optional, required=True)
        if name is None:
            return None
        if _unsafe_member(name):
            raise ArchiveError(f"The {MANIFEST} in this zip names an unsafe file ('{_shown(name)}') that points "
                               f"outside the archive, so the export was not opened.")
        expected = self.get(obj, sha_key, where, lambda v: isinstance(v, str) and bool(re.fullmatch(
            r"[0-9a-fA-F]{64}", v)), "a SHA-256 checksum (64 hexadecimal digits)")
        if name not in self.names:
            raise ArchiveError(f"The export is incomplete: its {MANIFEST} lists '{_shown(name)}', but the zip "
                               f"does not contain it.")
        data = self.zf.read(name)
        if _sha(data) != expected.lower():
            raise ArchiveError(f"The file '{_shown(name)}' in this zip is not the one that was exported (its "
                               f"SHA-256 checksum does not match {MANIFEST}), so it may have been changed or "
                               f"damaged.")
        return name, data

    def utf8(self, found: tuple[str, bytes] | None) -> str | None:
        if found is None:
            return None
        name, data = found
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveError(f"The file '{_shown(name)}' in this zip is not UTF-8 text, so the export cannot "
                               f"be read.") from None
        if "\x00" in text:
            raise ArchiveError(f"The file '{_shown(name)}' in this zip holds a NUL character, which a study "
                               f"cannot store.")
        return text


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _load_json(data: bytes, name: str) -> Any:
    """JSON as the store can hold it: no NaN or infinity (PostgreSQL refuses them; 1e999 reads as infinity)
    and no lone surrogates (no database can encode them), so nothing fails half way through the import."""
    what = f"The file '{_shown(name)}' in this zip"
    try:
        value = json.loads(data.decode("utf-8-sig"), parse_constant=_no_constant)
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
        return value
    except UnicodeDecodeError:
        raise ArchiveError(f"{what} is not UTF-8 text, so the export cannot be read.") from None
    except UnicodeEncodeError:
        raise ArchiveError(f"{what} holds text that is not valid Unicode (a lone surrogate), so the export "
                           f"cannot be read.") from None
    except json.JSONDecodeError as exc:
        raise ArchiveError(f"{what} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}).") \
            from None
    except (ValueError, RecursionError) as exc:
        raise ArchiveError(f"{what} is not valid JSON ({exc}).") from None


def _open(data: bytes) -> zipfile.ZipFile:
    """The zip, after the checks that need no unpacking (count, names, sizes, encryption) and its CRCs."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        if data[:2] == b"PK":
            raise ArchiveError("This zip file is damaged or incomplete (perhaps cut short while downloading or "
                               "copying), so it cannot be read.") from None
        raise ArchiveError("This file is not a zip archive, so it cannot be a Workbench study export.") from None
    infos = zf.infolist()
    most = limits.ZIP_MEMBERS.value
    if len(infos) > most:
        raise ArchiveError(f"This zip holds {len(infos):,} files, more than the {most:,} a study export may hold, "
                           f"so it was not opened (whoever runs Workbench can change this with the setting "
                           f"{limits.ZIP_MEMBERS.setting}).")
    seen: set[str] = set()
    for info in infos:
        if _unsafe_member(info.filename):
            raise ArchiveError(f"This zip contains an unsafe file name ('{_shown(info.filename)}') that points "
                               f"outside the archive, so it was not opened.")
        if info.filename in seen:
            raise ArchiveError(f"This zip contains the file name '{_shown(info.filename)}' twice, so it is "
                               f"ambiguous and was not opened.")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise ArchiveError("This zip is password-protected; Workbench exports never are, so it was not "
                               "opened.")
    total = sum(info.file_size for info in infos)
    most = limits.ZIP_BYTES.value
    if total > most:
        raise ArchiveError(f"This zip would unpack to {total / 2**20:,.0f} MB, more than the "
                           f"{most / 2**20:,.0f} MB a study export may hold, so it was not opened (whoever runs "
                           f"Workbench can change this with the setting {limits.ZIP_BYTES.setting}).")
    ratio = limits.ZIP_RATIO.value
    if total > _RATIO_FLOOR and total > ratio * max(len(data), 1):
        raise ArchiveError(f"This zip would unpack to {total / 2**20:,.0f} MB, more than {ratio:,} times its own "
                           f"size, which real study exports never do, so it was not opened (whoever runs "
                           f"Workbench can change this with the setting {limits.ZIP_RATIO.setting}).")
    bad = zf.testzip()  # reads every member (at most the sizes just checked) and checks its CRC
    if bad is not None:
        raise ArchiveError(f"The file '{_shown(bad)}' inside the zip is damaged (its CRC or header check "
                           f"fails), so the export cannot be trusted.")
    return zf


def read_archive(data: bytes) -> StudyArchive:
    """Read and check a study export without touching a database; ArchiveError says what is wrong."""
    try:
        return _read(bytes(data))
    except ArchiveError:
        raise
    except NotImplementedError:
        raise ArchiveError("This zip is compressed in a way Workbench cannot read; Workbench exports use "
                           "ordinary deflate compression.") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, struct.error,
            IndexError, KeyError, OverflowError, RuntimeError):
        # what zipfile raises for a zip damaged in ways its first checks do not see
        raise ArchiveError("This zip file is damaged or incomplete (perhaps cut short while downloading or "
                           "copying), so it cannot be read.") from None


# How each of a demand file's reading options is checked in study.json (ReadOptions.to_dict names them); the
# catalogue is a file of its own. A new option needs its check here (tests/test_reading.py says so).
_READING_CHECKS: dict[str, Callable[[_Manifest, Any, str], Any]] = {
    "mapping": lambda m, src, where: _mapping(m, src, where),
    "date_order": lambda m, src, where: m.text(src, "date_order", where, limit=20, optional=True),
    "sheet": lambda m, src, where: m.text(src, "sheet", where, limit=NAME_LENGTH, optional=True),
    "header_row": lambda m, src, where: m.integer(src, "header_row", where, optional=True),
    # newer options: an export made before they existed has no such key, read as unset
    "date_format": lambda m, src, where: _if_given(src, "date_format", lambda: m.text(
        src, "date_format", where, limit=100, optional=True)),
    "timezone": lambda m, src, where: _if_given(src, "timezone", lambda: m.text(
        src, "timezone", where, limit=64, optional=True)),
    "no_dates": lambda m, src, where: _if_given(src, "no_dates", lambda: m.get(
        src, "no_dates", where, lambda v: isinstance(v, bool), "true or false")),
    "handling_unit": lambda m, src, where: _if_given(src, "handling_unit", lambda: m.get(
        src, "handling_unit", where, lambda v: v is None or v in HANDLING_UNITS,
        "one of " + ", ".join(HANDLING_UNITS) + ", or null")),
    "event_log": lambda m, src, where: _if_given(src, "event_log", lambda: m.get(
        src, "event_log", where, lambda v: isinstance(v, bool), "true or false")),
}


def _if_given(src: Any, key: str, check: Callable[[], Any]) -> Any:
    return check() if isinstance(src, dict) and key in src else None


def _mapping(m: _Manifest, src: Any, where: str) -> dict[str, Any]:
    """A column mapping as the Demand page stores it: demand fields (schema.MAPPED_FIELDS) to a column's name
    (text) or null (the person chose "none")."""
    mapping = m.obj(src, "mapping", where)
    longest = limits.CELL_CHARS.value
    for key in mapping:
        if key not in schema.MAPPED_FIELDS:
            raise _malformed(f"{where}.mapping names '{_shown(str(key))}', which is not a demand field (fields "
                             f"are {', '.join(schema.MAPPED_FIELDS)})")
        m.text(mapping, key, f"{where}.mapping", limit=longest, optional=True)
    return mapping


def _yaml_within_limits(text: str, what: str) -> None:
    """The YAML limits (workbench.yamltext.measure: bytes, aliases, nesting, values once aliases are expanded),
    before anything is built; a syntax error is left to the reader, which names its line."""
    try:
        measure(text, what)
    except YamlLimitError as exc:
        raise ArchiveError(f"{what} is over a limit, so the export was not imported: "
                           f"{str(exc).removeprefix(what).lstrip(',: ')}") from None
    except YamlError:
        return


def _check_map_version(name: str, number: int, text: str) -> None:
    """A map version must read as a process map (the YAML limits and the reader an upload goes through), and
    the whole-map checks must run on it: a version that does not is refused, naming the map and the version.
    A map that reads but has mistakes (a route to a missing step, say) is a state the Flow page saves and
    shows, so it imports as it was exported."""
    what = f"Map '{_shown(name)}' version {number} in this zip"
    _yaml_within_limits(text, what)
    try:
        found = parse_map(text, f"{name} version {number}")
        validate_map(found)
    except limits.LimitError as exc:
        raise ArchiveError(f"{what} is over a limit, so the export was not imported: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - whatever the reader says, the version cannot be shown
        reason = " ".join(str(exc).split())[:200].rstrip(".") or type(exc).__name__
        raise ArchiveError(f"{what} is not a process map Workbench can read ({reason}), so the export was "
                           f"not imported.") from None


def _check_catalogue(file: str, text: str) -> None:
    _yaml_within_limits(text, f"The catalogue '{_shown(file)}' in this zip")
    try:
        parse_catalogue(text, file)
    except limits.LimitError as exc:
        raise ArchiveError(f"The catalogue '{_shown(file)}' in this zip is over a limit, so the export was not "
                           f"imported: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - whatever the reader says, the catalogue cannot be used
        reason = " ".join(str(exc).split())[:200].rstrip(".") or type(exc).__name__
        raise ArchiveError(f"The catalogue '{_shown(file)}' in this zip is not a demand-type catalogue Workbench "
                           f"can read ({reason}), so the export was not imported.") from None


def _read(data: bytes) -> StudyArchive:
    zf = _open(data)
    names = {info.filename for info in zf.infolist()}
    if MANIFEST not in names:
        raise ArchiveError(f"This zip is not a Workbench study export: it has no {MANIFEST}.")
    doc = _load_json(zf.read(MANIFEST), MANIFEST)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else None
        said = f"its format is '{_shown(found)}'" if isinstance(found, str) else "it names no format"
        raise ArchiveError(f"This zip is not a Workbench study export: its {MANIFEST} is not of format "
                           f"'{FORMAT}' ({said}).")
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _malformed("format_version should be a whole number from 1")
    if version > FORMAT_VERSION:
        raise ArchiveError(f"This study was exported by a newer Workbench (export format version {version}; this "
                           f"one reads up to version {FORMAT_VERSION}), so update Workbench to import it.")
    m = _Manifest(zf, names)
    exported_at = m.time(doc, "exported_at", "")
    made_by = m.text(doc, "workbench_version", "", limit=100)
    corrections_csv = m.text(doc, "corrections", "", required=True)
    if corrections_csv not in names:  # for people only, but an export without it is not whole
        raise ArchiveError(f"The export is incomplete: its {MANIFEST} lists '{_shown(corrections_csv)}', but the "
                           f"zip does not contain it.")

    s = m.obj(doc, "study", "")
    study = dict(name=m.text(s, "name", "study", limit=NAME_LENGTH, required=True),
                 description=m.text(s, "description", "study"),
                 archived=m.get(s, "archived", "study", lambda v: isinstance(v, bool), "true or false"),
                 created_at=m.time(s, "created_at", "study"), updated_at=m.time(s, "updated_at", "study"))

    sources = []
    for i, src in enumerate(m.items(doc, "demand_sources", ""), start=1):
        where = _at("demand_sources", i)
        found = m.member(src, "file", where)
        if found is not None and len(found[1]) > limits.DEMAND_BYTES.value:
            raise ArchiveError(f"The demand file '{_shown(found[0])}' in this zip is over a limit, so the export "
                               f"was not imported: " + limits.DEMAND_BYTES.message("", len(found[1])))
        catalogue_found = m.member(src, "catalogue_file", where, sha_key="catalogue_sha256", optional=True)
        catalogue = m.utf8(catalogue_found)
        if catalogue_found is not None and catalogue is not None:
            _check_catalogue(catalogue_found[0], catalogue)
        corrections = []
        seen: set[tuple[int, str, int]] = set()
        for j, c in enumerate(m.items(src, "corrections", where), start=1):
            cw = _at(f"{where}.corrections", j)
            fld = m.get(c, "field", cw, lambda v: v in EDITABLE, f"one of {', '.join(EDITABLE)}")
            record = ArchivedCorrection(
                row=m.integer(c, "row", cw), field=fld, before=m.text(c, "before", cw, optional=True),
                after=m.text(c, "after", cw), author=m.text(c, "author", cw, limit=NAME_LENGTH),
                created_at=m.time(c, "created_at", cw), version=m.integer(c, "version", cw, minimum=1),
                # exports made before batches and notes have neither
                batch=m.integer(c, "batch", cw, minimum=1, optional=True) if "batch" in c else None,
                note=m.text(c, "note", cw) if "note" in c else "")
            key = (record.row, record.field, record.version)
            if key in seen:
                raise _malformed(f"{cw} repeats version {record.version} of row {record.row}'s {record.field}")
            seen.add(key)
            corrections.append(record)
        name = m.text(src, "name", where, limit=NAME_LENGTH, required=True)
        reading = {option: check(m, src, where) for option, check in _READING_CHECKS.items()}
        sources.append(ArchivedSource(
            name=name, data=found[1] if found else b"",
            reading=ReadOptions.from_dict({**reading, "catalogue_text": catalogue}),
            created_at=m.time(src, "created_at", where),
            created_by=m.text(src, "created_by", where, limit=NAME_LENGTH), corrections=corrections))

    maps = []
    map_names: set[str] = set()
    for i, mp in enumerate(m.items(doc, "maps", ""), start=1):
        where = _at("maps", i)
        name = m.text(mp, "name", where, limit=NAME_LENGTH, required=True)
        if name in map_names:
            raise _malformed(f"{where} repeats the map name '{_shown(name)}'")
        map_names.add(name)
        versions = []
        numbers: set[int] = set()
        for j, v in enumerate(m.items(mp, "versions", where), start=1):
            vw = _at(f"{where}.versions", j)
            number = m.integer(v, "version", vw, minimum=1)
            if number in numbers:
                raise _malformed(f"{vw} repeats version {number} of map '{_shown(name)}'")
            numbers.add(number)
            text = m.utf8(m.member(v, "file", vw)) or ""
            _check_map_version(name, number, text)
            versions.append(ArchivedMapVersion(
                number, text, m.text(v, "author", vw, limit=NAME_LENGTH), m.text(v, "note", vw),
                m.time(v, "created_at", vw), m.text(v, "label", vw, limit=NAME_LENGTH) if "label" in v else "",
                m.integer(v, "edits", vw, minimum=0) if "edits" in v else 0))
        maps.append(ArchivedMap(name, sorted(versions, key=lambda v: v.version)))

    catalogue_versions = []
    numbers = set()
    # exports made before catalogues were versioned have no such list
    for j, v in enumerate(m.items(doc, "catalogue_versions", "") if "catalogue_versions" in doc else [], start=1):
        vw = _at("catalogue_versions", j)
        number = m.integer(v, "version", vw, minimum=1)
        if number in numbers:
            raise _malformed(f"{vw} repeats version {number} of the catalogue")
        numbers.add(number)
        found = m.member(v, "file", vw)
        text = m.utf8(found) or ""
        _check_catalogue(found[0] if found else vw, text)
        catalogue_versions.append(ArchivedCatalogueVersion(number, text, m.text(v, "author", vw, limit=NAME_LENGTH),
                                                           m.text(v, "note", vw), m.time(v, "created_at", vw)))

    runs = []
    for i, r in enumerate(m.items(doc, "comparison_runs", ""), start=1):
        where = _at("comparison_runs", i)
        file, raw = m.member(r, "file", where) or ("", b"")
        body = _load_json(raw, file)
        if not (isinstance(body, dict) and isinstance(body.get("settings"), dict)
                and isinstance(body.get("summary"), dict)):
            raise ArchiveError(f"The file '{_shown(file)}' in this zip should be a JSON object with 'settings' "
                               f"and 'summary' objects, so the export cannot be read.")
        try:
            check_snapshot(body["summary"])
            _check_run_settings(body["settings"])
        except SnapshotError as exc:
            raise ArchiveError(f"The comparison '{_shown(file)}' in this zip is not one Workbench can show "
                               f"({exc}), so the export was not imported.") from None
        runs.append(ArchivedRun(body["settings"], body["summary"], m.time(r, "created_at", where),
                                m.text(r, "author", where, limit=NAME_LENGTH)))

    return StudyArchive(**study, exported_at=exported_at, workbench_version=made_by, sources=sources, maps=maps,
                        runs=runs, catalogue_versions=sorted(catalogue_versions, key=lambda v: v.version))


def _check_run_settings(settings: dict[str, Any]) -> None:
    """What the dashboard reads of a comparison's settings: the maps' versions and the demand file's name."""
    versions = settings.get("map_versions")
    if versions is not None and not (isinstance(versions, dict) and all(
            v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in versions.values())):
        raise SnapshotError("settings.map_versions should be an object of map names and version numbers")
    demand = settings.get("demand")
    if demand is not None and not isinstance(demand, str):
        raise SnapshotError("settings.demand should be text or null")


# ------------------------------------------------------------------------------------------ import


def _free_name(session: Session, base: str) -> str:
    """`base` if no study has it, else '<base> (imported)', '<base> (imported 2)', ... (shortened to fit)."""
    taken = set(session.scalars(select(StudyRow.name)))
    if base not in taken:
        return base
    k = 1
    while True:
        suffix = " (imported)" if k == 1 else f" (imported {k})"
        candidate = base[: NAME_LENGTH - len(suffix)].rstrip() + suffix
        if candidate not in taken:
            return candidate
        k += 1


def _insert(session: Session, archive: StudyArchive, name: str) -> StudyRow:
    study = StudyRow(name=name, description=archive.description, archived=archive.archived,
                     created_at=archive.created_at, updated_at=archive.updated_at)
    session.add(study)
    session.flush()
    for src in archive.sources:  # oldest first, so the ids keep their order and the latest stays current
        row = DemandSourceRow(study_id=study.id, name=src.name, data=src.data, **reading_columns(src.reading),
                              created_at=src.created_at, created_by=src.created_by)
        session.add(row)
        session.flush()
        for c in src.corrections:  # in the order they were made: the order they replay in
            session.add(CorrectionRow(study_id=study.id, source_id=row.id, row=c.row, field=c.field,
                                      before=c.before, after=c.after, author=c.author, created_at=c.created_at,
                                      version=c.version, batch=c.batch, note=c.note))
        session.flush()
    for mp in archive.maps:
        map_row = MapRow(study_id=study.id, name=mp.name)
        session.add(map_row)
        session.flush()
        for v in mp.versions:
            session.add(MapVersionRow(map_id=map_row.id, version=v.version, yaml_text=v.yaml_text,
                                      author=v.author, note=v.note, created_at=v.created_at, label=v.label,
                                      edits=v.edits))
        session.flush()
    for cv in archive.catalogue_versions:
        session.add(CatalogueVersionRow(study_id=study.id, version=cv.version, yaml_text=cv.yaml_text,
                                        author=cv.author, note=cv.note, created_at=cv.created_at))
    for r in archive.runs:
        session.add(ComparisonRunRow(study_id=study.id, created_at=r.created_at, settings=r.settings,
                                     summary=r.summary, author=r.author))
    session.flush()
    return study


def import_study(session: Session, data: bytes | StudyArchive, *, name: str | None = None,
                 author: str = "") -> Study:
    """Recreate an exported study: every demand file, correction, map version and comparison run, with the
    times and authors it was exported with. All or nothing, in one transaction.

    `data` is the zip's bytes (or `read_archive`'s result, so a caller that showed its contents first need not
    read it twice). Refused with ArchiveError before anything is written when the zip is not a usable export.
    The study keeps its name unless a study has it already; then it becomes '<name> (imported)', '<name>
    (imported 2)', ... `name` chooses the name instead (DuplicateNameError if it is taken). A signed-in person
    who imports becomes the study's owner (the zip names no members). `author` is who imports: the study keeps
    the authors recorded in it, and the store has no column for an importer, so it is accepted for the
    callers' sake and not written anywhere.
    """
    del author  # see the docstring: nothing in the schema records who imported a study
    archive = data if isinstance(data, StudyArchive) else read_archive(data)
    wanted = clean_name(name, "study") if name is not None else None
    final = wanted or ""
    try:
        with transaction(session, write=True):
            may_create(session)
            if wanted is not None:
                if session.scalar(select(StudyRow.id).where(StudyRow.name == wanted)) is not None:
                    raise DuplicateNameError(f"A study called '{wanted}' already exists (perhaps archived); "
                                             f"nothing was imported.")
            else:
                final = _free_name(session, clean_name(archive.name, "study"))
            made = _insert(session, archive, final)
            add_owner(session, made.id)
            return study_of(made)
    except IntegrityError:  # a study of that name was created by someone else at the same moment
        raise DuplicateNameError(f"A study called '{final}' was created by someone else while this one was "
                                 f"being imported; nothing was imported, so try again.") from None
    except DataError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "a value it cannot hold"
        raise ArchiveError(f"The database refused part of this export ({reason}), so nothing was imported.") \
            from None
