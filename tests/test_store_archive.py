"""A whole study as one zip: export, import, every refusal, and `workbench study list|export|import`.

Every database test runs on SQLite (a file in tmp_path) and on PostgreSQL, with the same fixtures as
tests/test_store.py (copied, so the two files can change independently): WORKBENCH_TEST_DATABASE_URL, else
the local server; skipped without one on a user's machine, a failure under CI (CI=true).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from flow_fixtures import SMALL_MAP as MAP
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench import cli
from workbench.store import archive, db, studies
from workbench.store.archive import ArchiveError
from workbench.store.models import (
    ComparisonRunRow,
    CorrectionRow,
    DemandSourceRow,
    MapRow,
    MapVersionRow,
    StudyRow,
)
from workbench.store.studies import DuplicateNameError

ROOT = Path(__file__).resolve().parent.parent
MODELS = (StudyRow, DemandSourceRow, CorrectionRow, MapRow, MapVersionRow, ComparisonRunRow)
AT = datetime(2026, 11, 2, 10, 31, tzinfo=UTC)

CSV = b"Date,Type,V/F\r\n05/01/2026,Report a leak,\r\n05/01/2026,Chasing a repair,\r\n06/01/2026,Report a leak,V\r\n"
CATALOGUE = "types:\n  - type: Report a leak\n    nature: value\n  - type: Chasing a repair\n    nature: failure\n"
# binary and zip-like, as an .xlsx is: every byte value, NULs, a zip signature and no trailing newline
XLSX = b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 40 + b"\x00\xff\r\n\x1a" * 50 + b"[Content_Types].xml"


# ------------------------------------------------------------------------------------------ fixtures


# ------------------------------------------------------------------------------------------ helpers


def build_study(session: Session, name: str = "Housing repairs 2026", *, archived: bool = False) -> studies.Study:
    """Two demand files (a CSV with a catalogue, then a binary 'xlsx'), corrections on both including
    values Excel would run as formulas, two maps with several versions, two comparison runs."""
    made = studies.create_study(session, name, "The 2026 sample: =SUM(A1) is not a formula here")
    first = studies.set_demand_source(session, made.id, "demand (week 1).csv", CSV,
                                      mapping={"received_at": "Date", "demand_type": "Type", "nature": "V/F"},
                                      date_order="day-first", header_row=1, catalogue_text=CATALOGUE, author="Ann",
                                      date_format="%d/%m/%Y", timezone="Europe/London", handling_unit="seconds")
    studies.add_correction(session, made.id, 3, "demand_type", '=HYPERLINK("http://x","click")', "Ann", 0,
                           before="Chasing a repair", source_id=first.id)
    studies.add_correction(session, made.id, 3, "demand_type", "+44 chase", "Bob", 1)
    studies.add_correction(session, made.id, 2, "nature", "failure", "Ann", 0)
    studies.add_correction(session, made.id, 4, "failure_cause", "-minus\tand a tab", "Ann", 0, before="@at")
    second = studies.set_demand_source(session, made.id, "Réparations export.xlsx", XLSX, mapping={},
                                       sheet="Feuille 1", header_row=3, author="Bob", no_dates=True)
    studies.add_correction(session, made.id, 2, "nature", "value", "Cy", 0, before="failure", source_id=second.id)
    studies.add_correction(session, made.id, 5, "demand_type", "=1+1", "Cy", 0)
    studies.add_correction(session, made.id, 5, "demand_type", "", "Cy", 1)

    studies.save_map_version(session, made.id, "As is", MAP, "Ann", None, "first draft")
    studies.save_map_version(session, made.id, "As is", MAP.replace("touch: 6", "touch: 7"), "Bob", 1)
    studies.restore_map_version(session, made.id, "As is", 1, "Ann")
    redesign = MAP.replace("standard-work", "worker-led").replace("# A small map", "# Für alle: a small map")
    studies.save_map_version(session, made.id, "To be / redesign", redesign, "Cy", None)
    studies.save_map_version(session, made.id, "To be / redesign", redesign + "# no trailing newline", "Cy", 1,
                             "=note")
    studies.save_comparison_run(session, made.id, {"replications": 3, "weeks": None}, {"designs": []}, "Ann")
    studies.save_comparison_run(
        session, made.id, {"replications": 5, "maps": ["As is", "To be / redesign"], "seed": 7},
        {"weeks": 12.0, "designs": [{"name": "As is", "metrics": {"one_stop_share": 0.1 + 0.2, "big": 2**40,
                                                                   "e2e_days_median": None}}],
         "headline": "£ café — 43% vs 10%"}, "Bob")
    if archived:
        studies.archive_study(session, made.id)
    return studies.get_study(session, made.id)


def snapshot(session: Session) -> dict[str, Any]:
    """How many rows each table has, and every study's name and last change: what a refused import must
    leave exactly as it was."""
    session.expunge_all()
    with session.begin():
        counts = {m.__tablename__: int(session.scalar(select(func.count()).select_from(m)) or 0) for m in MODELS}
        names = session.execute(select(StudyRow.id, StudyRow.name, StudyRow.updated_at)
                                .order_by(StudyRow.id)).all()
    return {"counts": counts, "studies": [tuple(r) for r in names]}


def dump(session: Session, study_id: int) -> dict[str, Any]:
    """Everything stored for a study but its ids (a correction names its file by its place, oldest first)."""
    session.expunge_all()
    with session.begin():
        s = session.get_one(StudyRow, study_id)
        sources = session.scalars(select(DemandSourceRow).where(DemandSourceRow.study_id == study_id)
                                  .order_by(DemandSourceRow.id)).all()
        place = {src.id: n for n, src in enumerate(sources, start=1)}
        corrections = session.scalars(select(CorrectionRow).where(CorrectionRow.study_id == study_id)
                                      .order_by(CorrectionRow.id)).all()
        maps = session.scalars(select(MapRow).where(MapRow.study_id == study_id)).all()
        runs = session.scalars(select(ComparisonRunRow).where(ComparisonRunRow.study_id == study_id)
                               .order_by(ComparisonRunRow.id)).all()
        out = {
            "study": (s.description, s.archived, s.created_at, s.updated_at),
            "sources": [(x.name, bytes(x.data), x.mapping, x.date_order, x.sheet, x.header_row, x.catalogue_text,
                         x.reading_extra, x.created_at, x.created_by) for x in sources],
            "corrections": [(place[c.source_id], c.row, c.field, c.before, c.after, c.author, c.created_at,
                             c.version) for c in corrections],
            "maps": sorted((m.name, [(v.version, v.yaml_text, v.author, v.note, v.created_at) for v in m.versions])
                           for m in maps),
            "runs": [(r.created_at, r.settings, r.summary, r.author) for r in runs],
        }
    session.expunge_all()
    return out


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def repack(content: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names, on purpose in one test
        with zipfile.ZipFile(buffer, "w", compression) as zf:
            for name, body in content.items():
                zf.writestr(name, body)
    return buffer.getvalue()


def manifest(data: bytes) -> dict[str, Any]:
    return json.loads(members(data)["study.json"])


def with_manifest(data: bytes, change: Callable[[dict[str, Any]], Any]) -> bytes:
    content = members(data)
    doc = json.loads(content["study.json"])
    change(doc)
    content["study.json"] = json.dumps(doc).encode()
    return repack(content)


def replace_member(data: bytes, name: str, body: bytes, *, fix_checksum: bool) -> bytes:
    """`name`'s content swapped for `body`; with fix_checksum, study.json's SHA-256 for it follows."""
    content = members(data)
    content[name] = body
    if fix_checksum:
        doc = json.loads(content["study.json"])
        entries = [*doc["demand_sources"], *doc["comparison_runs"],
                   *(v for m in doc["maps"] for v in m["versions"])]
        for entry in entries:
            if entry.get("file") == name:
                entry["sha256"] = hashlib.sha256(body).hexdigest()
            if entry.get("catalogue_file") == name:
                entry["catalogue_sha256"] = hashlib.sha256(body).hexdigest()
        content["study.json"] = json.dumps(doc).encode()
    return repack(content)


def flip(blob: bytes, needle: bytes) -> bytes:
    """One byte changed in the middle of where `needle` appears."""
    i = blob.index(needle) + len(needle) // 2
    return blob[:i] + bytes([blob[i] ^ 0x55]) + blob[i + 1:]


def one_sentence(message: str) -> bool:
    return "\n" not in message and message.endswith(".") and message[0].isupper()


# ------------------------------------------------------------------------------------------ export


def test_the_zip_is_readable_without_workbench(session: Session) -> None:
    made = build_study(session)
    data = archive.export_study(session, made.id, exported_at=AT)
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    names = zf.namelist()
    assert names == sorted(names) == [
        "README.txt", "comparisons/1.json", "comparisons/2.json", "corrections.csv", "demand/1-catalogue.yaml",
        "demand/1-demand_week_1.csv", "demand/2-Reparations_export.xlsx", "maps/As_is/v001.yaml",
        "maps/As_is/v002.yaml", "maps/As_is/v003.yaml", "maps/To_be_redesign/v001.yaml",
        "maps/To_be_redesign/v002.yaml", "study.json"]
    assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "study.json" in zf.read("README.txt").decode() and "workbench study import" in zf.read(
        "README.txt").decode()  # says what each file is, for people without Workbench

    doc = json.loads(zf.read("study.json"))
    assert (doc["format"], doc["format_version"], doc["workbench_version"]) == (
        "workbench-study", 1, metadata.version("workbench"))
    assert doc["exported_at"] == "2026-11-02T10:31:00+00:00"
    assert doc["study"]["name"] == "Housing repairs 2026" and doc["study"]["archived"] is False
    assert doc["corrections"] == "corrections.csv"
    for at in (doc["study"]["created_at"], doc["study"]["updated_at"], doc["demand_sources"][0]["created_at"]):
        assert datetime.fromisoformat(at).utcoffset().total_seconds() == 0

    first, second = doc["demand_sources"]
    assert zf.read(first["file"]) == CSV and zf.read(second["file"]) == XLSX
    assert second["sha256"] == hashlib.sha256(XLSX).hexdigest()
    assert zf.read(first["catalogue_file"]).decode() == CATALOGUE and second["catalogue_file"] is None
    assert (first["name"], first["mapping"], first["date_order"], first["sheet"], first["header_row"],
            first["created_by"]) == ("demand (week 1).csv", {"received_at": "Date", "demand_type": "Type",
                                                             "nature": "V/F"}, "day-first", None, 1, "Ann")
    assert (second["name"], second["sheet"], second["header_row"]) == ("Réparations export.xlsx", "Feuille 1", 3)

    # the CSV is for people: safe in Excel, one row per correction of every file, in the order made
    rows = list(csv.DictReader(io.StringIO(zf.read("corrections.csv").decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == ["source", "row", "field", "before", "after", "author", "created_at", "version"]
    assert [(r["source"], r["row"], r["field"], r["after"], r["version"]) for r in rows] == [
        ("1", "3", "demand_type", "'=HYPERLINK(\"http://x\",\"click\")", "1"),
        ("1", "3", "demand_type", "'+44 chase", "2"), ("1", "2", "nature", "failure", "1"),
        ("1", "4", "failure_cause", "'-minus\tand a tab", "1"), ("2", "2", "nature", "value", "1"),
        ("2", "5", "demand_type", "'=1+1", "1"), ("2", "5", "demand_type", "", "2")]
    assert rows[3]["before"] == "'@at"
    # ... and study.json keeps the exact strings, which is what an import reads
    assert [c["after"] for c in first["corrections"]][:2] == ['=HYPERLINK("http://x","click")', "+44 chase"]
    assert first["corrections"][3]["before"] == "@at"

    versions = studies.list_map_versions(session, made.id, "To be / redesign")
    listed = {m["name"]: m for m in doc["maps"]}
    assert [v["version"] for v in listed["As is"]["versions"]] == [1, 2, 3]
    for v, entry in zip(versions, listed["To be / redesign"]["versions"], strict=True):
        assert zf.read(entry["file"]).decode() == v.yaml_text
        assert (entry["author"], entry["note"]) == (v.author, v.note)
    run = studies.latest_comparison_run(session, made.id)
    assert json.loads(zf.read(doc["comparison_runs"][1]["file"])) == {"settings": run.settings,
                                                                     "summary": run.summary}


def test_export_is_deterministic(session: Session) -> None:
    made = build_study(session)
    data = archive.export_study(session, made.id, exported_at=AT)
    assert archive.export_study(session, made.id, exported_at=AT) == data
    later = members(archive.export_study(session, made.id))
    earlier = members(data)
    assert {k: v for k, v in later.items() if k != "study.json"} == {
        k: v for k, v in earlier.items() if k != "study.json"}
    a, b = json.loads(earlier["study.json"]), json.loads(later["study.json"])
    assert a.pop("exported_at") != b.pop("exported_at")
    assert a == b


def test_export_of_a_missing_study(session: Session) -> None:
    with pytest.raises(studies.NotFoundError):
        archive.export_study(session, 12345)


def test_names_that_clash_once_made_safe_get_their_own_files(session: Session) -> None:
    made = studies.create_study(session, "Clashes")
    studies.set_demand_source(session, made.id, "catalogue.yaml", b"types: []\n", catalogue_text="types: []\n")
    for name in ("As is", "As/is", "as is"):
        studies.save_map_version(session, made.id, name, MAP, "Ann", None)
    content = members(archive.export_study(session, made.id))
    assert {"demand/1-file-catalogue.yaml", "demand/1-catalogue.yaml", "maps/As_is/v001.yaml",
            "maps/as_is-2/v001.yaml", "maps/As_is-3/v001.yaml"} <= set(content)


# ------------------------------------------------------------------------------------------ import


def test_round_trip_keeps_every_field(session: Session) -> None:
    made = build_study(session, archived=True)
    original = dump(session, made.id)
    data = archive.export_study(session, made.id, exported_at=AT)

    imported = archive.import_study(session, data, author="Dee")
    assert imported.name == "Housing repairs 2026 (imported)"
    assert (imported.description, imported.archived, imported.created_at, imported.updated_at) == (
        made.description, True, made.created_at, made.updated_at)
    assert dump(session, imported.id) == original

    # the imported study works like any other: its latest file is current, versions continue
    current = studies.current_demand_source(session, imported.id)
    assert (current.name, current.data) == ("Réparations export.xlsx", XLSX)
    assert studies.corrections_for(session, imported.id) == studies.corrections_for(session, made.id)
    assert studies.correction_versions(session, imported.id) == {(2, "nature"): 1, (5, "demand_type"): 2}
    studies.add_correction(session, imported.id, 5, "demand_type", "Report a leak", "Dee", 2)
    saved = studies.save_map_version(session, imported.id, "As is", MAP + "# more\n", "Dee", 3)
    assert saved.version == 4
    assert studies.latest_comparison_run(session, imported.id).summary["headline"] == "£ café — 43% vs 10%"

    # with the original gone, the import takes its name and exports to the very same bytes
    studies.delete_study(session, made.id)
    again = archive.import_study(session, data)
    assert again.name == "Housing repairs 2026"
    assert dump(session, again.id) == original
    assert archive.export_study(session, again.id, exported_at=AT) == data


def test_an_empty_study_round_trips(session: Session) -> None:
    made = studies.create_study(session, "Empty")
    data = archive.export_study(session, made.id, exported_at=AT)
    assert members(data)["corrections.csv"] == "\ufeffsource,row,field,before,after,author,created_at,version\r\n" \
        .encode()
    studies.delete_study(session, made.id)
    back = archive.import_study(session, data)
    assert (back.name, back.description, back.created_at) == ("Empty", "", made.created_at)
    assert archive.export_study(session, back.id, exported_at=AT) == data


def test_name_clashes(session: Session) -> None:
    made = build_study(session)
    data = archive.export_study(session, made.id)
    assert archive.import_study(session, data).name == "Housing repairs 2026 (imported)"
    assert archive.import_study(session, data).name == "Housing repairs 2026 (imported 2)"
    assert archive.import_study(session, data).name == "Housing repairs 2026 (imported 3)"
    assert archive.import_study(session, data, name="  Their   copy ").name == "Their copy"

    before = snapshot(session)
    for taken in ("Their copy", "Housing repairs 2026", "Housing repairs 2026 (imported)"):
        with pytest.raises(DuplicateNameError, match="already exists"):
            archive.import_study(session, data, name=taken)
    with pytest.raises(ValueError, match="needs a name"):
        archive.import_study(session, data, name="   ")
    assert snapshot(session) == before

    long_name = "L" * 200
    studies.create_study(session, long_name)
    long_data = with_manifest(data, lambda d: d["study"].update(name=long_name))
    got = archive.import_study(session, long_data).name
    assert got == "L" * (200 - len(" (imported)")) + " (imported)"
    assert archive.import_study(session, long_data).name == "L" * (200 - len(" (imported 2)")) + " (imported 2)"


def _xlsx_file(data: bytes) -> str:
    return manifest(data)["demand_sources"][1]["file"]


def _first_map_file(data: bytes) -> str:
    return manifest(data)["maps"][0]["versions"][0]["file"]


def _stored_crc_damage(data: bytes) -> bytes:
    stored = repack(members(data), zipfile.ZIP_STORED)
    return flip(stored, XLSX[3000:3100])


def _deflated_damage(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(_xlsx_file(data))
    start = info.header_offset + 30 + len(info.filename.encode()) + 40  # inside its compressed bytes
    return data[:start] + bytes([data[start] ^ 0xFF]) + data[start + 1:]


def _encrypted_flag(data: bytes) -> bytes:
    """Every central-directory entry marked encrypted (zipfile cannot write encrypted members)."""
    blob = bytearray(data)
    end = blob.rindex(b"PK\x05\x06")
    count, _, offset = struct.unpack("<HII", blob[end + 10:end + 20])
    for _ in range(count):
        assert blob[offset:offset + 4] == b"PK\x01\x02"
        blob[offset + 8] |= 0x1
        n, m, k = struct.unpack("<HHH", blob[offset + 28:offset + 34])
        offset += 46 + n + m + k
    return bytes(blob)


def _drop(name_of: Callable[[bytes], str]) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        content = members(data)
        del content[name_of(data)]
        return repack(content)
    return change


def _add(name: str) -> Callable[[bytes], bytes]:
    return lambda data: repack({**members(data), name: b"boo"})


def _set(path: str, value: Any) -> Callable[[bytes], bytes]:
    """study.json with the value at a dotted path (list places by number) replaced."""
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return lambda data: with_manifest(data, change)


def _duplicate(data: bytes) -> bytes:
    content = members(data)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, body in content.items():
                zf.writestr(name, body)
            zf.writestr("study.json", content["study.json"])
    return buffer.getvalue()


REFUSALS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "not a zip": (lambda d: b"Date,Type\n2026-01-05,Report a leak\n", "not a zip archive"),
    "empty file": (lambda d: b"", "not a zip archive"),
    "truncated to half": (lambda d: d[: len(d) // 2], "damaged or incomplete"),
    "truncated by a few bytes": (lambda d: d[:-7], "damaged or incomplete"),
    "bad CRC in a stored member": (_stored_crc_damage, "inside the zip is damaged (its CRC"),
    "damaged compressed data": (_deflated_damage, "damaged"),
    "foreign zip": (lambda d: repack({"readme.txt": b"hello", "data.csv": b"a,b\n"}), "has no study.json"),
    "foreign study.json": (lambda d: repack({"study.json": b'{"format": "something-else", "version": 3}'}),
                           "format is 'something-else'"),
    "study.json not an object": (lambda d: repack({"study.json": b"[1, 2]"}), "not a Workbench study export"),
    "newer format version": (_set("format_version", 2), "newer Workbench (export format version 2"),
    "format version as text": (_set("format_version", "1"), "format_version should be a whole number"),
    "malformed JSON": (lambda d: replace_member(d, "study.json", b'{"format": "workbench-study",',
                                                fix_checksum=False), "'study.json' in this zip is not valid JSON"),
    "study.json not UTF-8": (lambda d: replace_member(d, "study.json", b'{"format": "\xff"}', fix_checksum=False),
                             "not UTF-8"),
    "NaN in study.json": (lambda d: replace_member(
        d, "study.json", members(d)["study.json"].replace(b'"header_row": 1', b'"header_row": NaN'),
        fix_checksum=False), "not valid JSON (NaN"),
    "missing demand file": (_drop(_xlsx_file), "does not contain it"),
    "missing map version": (_drop(_first_map_file), "does not contain it"),
    "missing corrections.csv": (_drop(lambda d: "corrections.csv"), "'corrections.csv', but the zip does not"),
    "demand file changed": (lambda d: replace_member(d, _xlsx_file(d), XLSX[:-1], fix_checksum=False), "SHA-256"),
    "map text changed": (lambda d: replace_member(d, _first_map_file(d), b"name: other\n", fix_checksum=False),
                         "SHA-256"),
    "catalogue changed": (lambda d: replace_member(d, "demand/1-catalogue.yaml", b"types: []\n",
                                                   fix_checksum=False), "SHA-256"),
    "comparison changed": (lambda d: replace_member(d, "comparisons/1.json", b"{}", fix_checksum=False), "SHA-256"),
    "comparison not settings and summary": (
        lambda d: replace_member(d, "comparisons/1.json", b'{"settings": {}}', fix_checksum=True), "'summary'"),
    "infinity in a comparison": (
        lambda d: replace_member(d, "comparisons/1.json", b'{"settings": {"x": 1e999}, "summary": {}}',
                                 fix_checksum=True), "not valid JSON"),
    "lone surrogate": (_set("study.description", "\ud800"), "not valid Unicode"),
    "traversal member": (_add("../evil.txt"), "unsafe file name ('../evil.txt')"),
    "deep traversal member": (_add("maps/../../../etc/cron.d/x"), "unsafe file name"),
    "absolute member": (_add("/etc/passwd"), "unsafe file name"),
    "drive member": (_add("C:/Windows/x.dll"), "unsafe file name"),
    "backslash member": (_add("..\\..\\x"), "unsafe file name"),
    "traversal named in study.json": (_set("demand_sources.0.file", "../../etc/passwd"), "unsafe file"),
    "duplicate member": (_duplicate, "twice"),
    "password flag": (_encrypted_flag, "password-protected"),
    "study name empty": (_set("study.name", " "), "study.name should be text that is not empty"),
    "study name too long": (_set("study.name", "x" * 201), "at most 200 characters"),
    "archived not a boolean": (_set("study.archived", "no"), "study.archived should be true or false"),
    "bad time": (_set("study.created_at", "yesterday"), "ISO 8601"),
    "missing key": (lambda d: with_manifest(d, lambda doc: doc["study"].pop("updated_at")), "has no 'updated_at'"),
    "header row not a number": (_set("demand_sources.0.header_row", True), "header_row should be a whole number"),
    "header row too big": (_set("demand_sources.0.header_row", 2**40), "header_row should be a whole number"),
    "mapping not an object": (_set("demand_sources.0.mapping", ["Date"]), "mapping should be an object"),
    "no dates not a boolean": (_set("demand_sources.0.no_dates", "yes"), "no_dates should be true or false"),
    "handling unit unknown": (_set("demand_sources.0.handling_unit", "days"), "handling_unit should be one of"),
    "event log not a boolean": (_set("demand_sources.0.event_log", "yes"), "event_log should be true or false"),
    "date format too long": (_set("demand_sources.0.date_format", "%d" * 60), "at most 100 characters"),
    "correction field unknown": (_set("demand_sources.0.corrections.0.field", "address"), "should be one of"),
    "correction version 0": (_set("demand_sources.0.corrections.0.version", 0), "whole number from 1"),
    "correction version repeated": (_set("demand_sources.0.corrections.1.version", 1), "repeats version 1"),
    "sheet with NUL": (_set("demand_sources.1.sheet", "a\x00b"), "demand_sources[2].sheet holds a NUL"),
    "map version repeated": (_set("maps.0.versions.1.version", 1), "repeats version 1 of map 'As is'"),
    "map name repeated": (_set("maps.1.name", "As is"), "repeats the map name"),
    "checksum not hex": (_set("maps.0.versions.0.sha256", "abc"), "SHA-256 checksum"),
    "lists not lists": (_set("maps", {}), "maps should be a list"),
}


@pytest.fixture
def exported(session: Session) -> bytes:
    made = build_study(session)
    return archive.export_study(session, made.id)


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_imports_change_nothing(session: Session, exported: bytes, case: str) -> None:
    make, expected = REFUSALS[case]
    bad = make(exported)
    before = snapshot(session)
    with pytest.raises(ArchiveError) as refused:
        archive.import_study(session, bad, author="Dee")
    message = str(refused.value)
    assert expected in message
    assert one_sentence(message), message
    assert snapshot(session) == before


def test_zip_bombs_are_refused_before_unpacking(session: Session, exported: bytes,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(session)
    buffer = io.BytesIO()  # 600 MB of zeros in about 600 kB
    big = zipfile.ZipInfo("demand/1-big.csv")
    big.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", compresslevel=1) as zf, zf.open(big, "w", force_zip64=True) as out:
        chunk = bytes(1 << 20)
        for _ in range(600):
            out.write(chunk)
    bomb = buffer.getvalue()
    assert len(bomb) < 5_000_000
    with pytest.raises(ArchiveError, match=r"would unpack to 600 MB, more than the 500 MB"):
        archive.import_study(session, bomb)

    monkeypatch.setenv("WORKBENCH_MAX_ZIP_MEMBERS", "5")
    with pytest.raises(ArchiveError, match=r"holds 13 files, more than the 5"):
        archive.import_study(session, exported)
    monkeypatch.delenv("WORKBENCH_MAX_ZIP_MEMBERS")
    monkeypatch.setenv("WORKBENCH_MAX_ZIP_UNPACKED_BYTES", str(len(XLSX)))
    with pytest.raises(ArchiveError, match="would unpack to"):
        archive.import_study(session, exported)
    assert snapshot(session) == before


def test_a_failure_half_way_through_writing_leaves_nothing(session: Session, exported: bytes,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Sources, corrections and maps are already flushed when the comparison runs fail: all rolled back."""
    before = snapshot(session)

    def broken(**_: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(archive, "ComparisonRunRow", broken)
    with pytest.raises(RuntimeError, match="disk is full"):
        archive.import_study(session, exported)
    assert snapshot(session) == before


def test_a_hand_edited_archive_within_the_rules_imports(session: Session, exported: bytes) -> None:
    """study.json is the truth: changed people's CSV does not matter, a BOM and naive times are accepted,
    and a file the manifest does not name is ignored."""
    content = members(exported)
    doc = json.loads(content["study.json"])
    doc["study"]["created_at"] = "2026-01-05T09:00:00"
    content["study.json"] = b"\xef\xbb\xbf" + json.dumps(doc).encode()
    content["corrections.csv"] = b"edited in Excel"
    content["notes/README.txt"] = b"my notes"
    made = archive.import_study(session, repack(content), name="Hand edited")
    assert made.created_at == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert len(studies.correction_log(session, made.id)) == 3


def test_read_archive_describes_the_contents(exported: bytes) -> None:
    read = archive.read_archive(exported)
    assert read.describe() == "2 demand files, 7 corrections, 2 maps with 5 versions, 2 comparisons"
    assert read.workbench_version == metadata.version("workbench")


# ------------------------------------------------------------------------------------------ fuzzing


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Session, bytes]]:
    """A SQLite store and a small export for the property tests (which never depend on the database)."""
    eng = db.engine_for(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'workbench.db'}")
    db.migrate(eng)
    with db.sessions(eng)() as s:
        made = studies.create_study(s, "Fuzz")
        studies.set_demand_source(s, made.id, "d.csv", CSV, catalogue_text=CATALOGUE)
        studies.add_correction(s, made.id, 2, "nature", "=x", "Ann", 0)
        studies.save_map_version(s, made.id, "As is", MAP, "Ann", None)
        studies.save_comparison_run(s, made.id, {"a": 1}, {"b": [0.5]}, "Ann")
        data = archive.export_study(s, made.id)
        yield s, data
    eng.dispose()


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                max_size=3), max_leaves=8)


@FUZZ
@given(st.one_of(st.binary(max_size=3000), st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),
                 st.binary(max_size=500).map(lambda b: b"PK\x05\x06" + b)))
def test_arbitrary_bytes_only_ever_raise_archive_error(fuzz_store: tuple[Session, bytes], data: bytes) -> None:
    session, _ = fuzz_store
    with pytest.raises(ArchiveError) as refused:
        archive.import_study(session, data)
    assert one_sentence(str(refused.value))


@FUZZ
@given(st.data())
def test_damaged_exports_are_refused_or_imported_whole(fuzz_store: tuple[Session, bytes], data: st.DataObject
                                                       ) -> None:
    session, good = fuzz_store
    blob = bytearray(good)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        blob = blob[: data.draw(st.integers(0, len(blob)))]
    try:
        made = archive.import_study(session, bytes(blob))
    except ArchiveError as exc:
        assert one_sentence(str(exc))
    else:  # a change the checks cannot see (a timestamp in a zip header, say): imported whole
        assert studies.get_study(session, made.id).name.startswith("Fuzz")


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@FUZZ
@given(st.data())
def test_any_value_anywhere_in_study_json_is_refused_or_imported(fuzz_store: tuple[Session, bytes],
                                                                 data: st.DataObject) -> None:
    session, good = fuzz_store
    content = members(good)
    doc = json.loads(content["study.json"])
    path = data.draw(st.sampled_from(_paths(doc)))
    node = doc
    for part in path[:-1]:
        node = node[part]
    if data.draw(st.booleans()) and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = data.draw(JSON)
    content["study.json"] = json.dumps(doc).encode()
    try:
        archive.import_study(session, repack(content))
    except ArchiveError as exc:
        assert one_sentence(str(exc))


# ------------------------------------------------------------------------------------------ command line


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """The CLI's database (WORKBENCH_DATABASE_URL), with a session on it for the test's own checks."""
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", database_url)
    eng = db.engine_for(database_url)
    db.migrate(eng)
    with db.sessions(eng)() as s:
        yield s
    eng.dispose()


def test_cli_list_export_import(cli_database: Session, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    session = cli_database
    assert run(capsys, "study", "list") == (0, "No studies (archived ones are shown with --all).\n", "")
    made = build_study(session)
    old = studies.create_study(session, "Old one")
    studies.archive_study(session, old.id)

    code, out, err = run(capsys, "study", "list", "--format", "json")
    assert (code, err) == (0, "")
    listed = json.loads(out)["studies"]
    assert [(s["id"], s["name"], s["archived"]) for s in listed] == [(made.id, "Housing repairs 2026", False)]
    assert datetime.fromisoformat(listed[0]["updated_at"]) == made.updated_at
    code, out, _ = run(capsys, "study", "list", "--all")
    assert code == 0 and "Old one" in out and "(archived)" in out and "Housing repairs 2026" in out

    by_name, by_id = tmp_path / "by name.zip", tmp_path / "by-id.zip"
    code, out, err = run(capsys, "study", "export", "Housing repairs 2026", "-o", by_name)
    assert (code, err) == (0, "")
    assert out == (f"Exported study 'Housing repairs 2026' (2 demand files, 7 corrections, 2 maps with 5 versions, "
                   f"2 comparisons) to {by_name}\n")
    assert run(capsys, "study", "export", str(made.id), "--out", by_id)[0] == 0
    for path in (by_name, by_id):
        content = members(path.read_bytes())
        assert json.loads(content["study.json"])["study"]["name"] == "Housing repairs 2026"
        assert content["demand/2-Reparations_export.xlsx"] == XLSX
    assert run(capsys, "study", "export", "Old one", "-o", tmp_path / "old.zip")[0] == 0  # archived ones too

    code, out, err = run(capsys, "study", "import", by_name)
    assert (code, err) == (0, "")
    assert out.startswith("Imported 'Housing repairs 2026 (imported)' as study ")
    code, out, _ = run(capsys, "study", "import", by_id, "--name", "Copy")
    assert code == 0 and "'Copy'" in out
    code, out, _ = run(capsys, "study", "import", tmp_path / "old.zip", "--name", "Old again")
    assert code == 0 and "It is archived" in out
    names = {s.name for s in studies.list_studies(session, include_archived=True)}
    assert names == {"Housing repairs 2026", "Housing repairs 2026 (imported)", "Copy", "Old one", "Old again"}
    copy = studies.find_study(session, "Copy")
    assert dump(session, copy.id) == dump(session, made.id)


def test_cli_unusable_input_exits_2_with_one_line(cli_database: Session, capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    session = cli_database
    made = build_study(session)
    good = tmp_path / "good.zip"
    good.write_bytes(archive.export_study(session, made.id))
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip at all")
    before = snapshot(session)
    cases = [
        (("study", "export", "No such study", "-o", tmp_path / "x.zip"), "there is no study 'No such study'"),
        (("study", "export", "999", "-o", tmp_path / "x.zip"), "there is no study '999'"),
        (("study", "export", made.name, "-o", tmp_path / "missing" / "x.zip"), "cannot write"),
        (("study", "import", tmp_path / "nowhere.zip"), "cannot read"),
        (("study", "import", bad), "not a zip archive"),
        (("study", "import", good, "--name", made.name), "already exists"),
        (("study", "import", good, "--name", " "), "needs a name"),
    ]
    for argv, expected in cases:
        code, out, err = run(capsys, *argv)
        assert code == cli.EXIT_UNUSABLE, (argv, out, err)
        assert out == "" and err.startswith("workbench: ") and expected in err, (argv, err)
        assert err.count("\n") == 1, err
    assert snapshot(session) == before
    assert not (tmp_path / "x.zip").exists()


def test_cli_refuses_to_write_an_export_that_would_not_import(cli_database: Session, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    build_study(cli_database)
    monkeypatch.setenv("WORKBENCH_MAX_ZIP_UNPACKED_BYTES", "1000")
    code, out, err = run(capsys, "study", "export", "Housing repairs 2026", "-o", tmp_path / "big.zip")
    assert (code, out) == (2, "")
    assert err.startswith("workbench: the export of 'Housing repairs 2026' could not be read back, so it was not "
                          "written: This zip would unpack to") and err.count("\n") == 1
    assert not (tmp_path / "big.zip").exists()


def test_cli_without_a_usable_database(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", "nonsense://")
    code, out, err = run(capsys, "study", "list")
    assert (code, out) == (2, "") and err.startswith("workbench: the study database could not be opened (")
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    code, out, err = run(capsys, "study", "list")
    assert (code, out) == (2, "") and err.startswith("workbench: the study database could not be opened (")
    assert err.count("\n") == 1


def test_cli_as_a_program(tmp_path: Path) -> None:
    """The installed entry point, in a process of its own, on the default SQLite file of WORKBENCH_DATA_DIR."""
    env = {**os.environ, "WORKBENCH_DATA_DIR": str(tmp_path / "data")}
    env.pop("WORKBENCH_DATABASE_URL", None)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(zipfile.ZipFile.__doc__.encode())

    def program(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "workbench.cli", *argv], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=120)

    done = program("study", "import", str(bad))
    assert done.returncode == 2
    assert done.stderr == f"workbench: {bad}: This file is not a zip archive, so it cannot be a Workbench study " \
                          f"export.\n"
    done = program("study", "list", "--format", "json")
    assert (done.returncode, json.loads(done.stdout)) == (0, {"studies": []})
    assert (tmp_path / "data" / "workbench.db").exists()


def test_the_newer_reading_options_round_trip_and_an_older_export_without_them_imports(session: Session) -> None:
    made = build_study(session)
    listed = [s for s, _ in studies.list_demand_sources(session, made.id)]
    by_name = {s.name: s.reading for s in listed}
    assert by_name["demand (week 1).csv"].extras() == {"date_format": "%d/%m/%Y", "timezone": "Europe/London",
                                                       "handling_unit": "seconds"}
    assert by_name["Réparations export.xlsx"].no_dates is True
    data = archive.export_study(session, made.id, exported_at=AT)
    imported = archive.import_study(session, data)
    again = {s.name: s.reading for s, _ in studies.list_demand_sources(session, imported.id)}
    assert again == by_name

    def older(doc: dict) -> None:  # an export made before these options existed
        for src in doc["demand_sources"]:
            for name in ("date_format", "timezone", "no_dates", "handling_unit", "event_log"):
                src.pop(name)
    old = archive.import_study(session, with_manifest(data, older), name="From an older Workbench")
    readings = [s.reading for s, _ in studies.list_demand_sources(session, old.id)]
    assert [r.extras() for r in readings] == [{}, {}]
    assert sorted(r.date_order or "" for r in readings) == ["", "day-first"]
