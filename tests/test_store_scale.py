"""A study with many of everything survives the zip round trip exactly: 5,000 demand rows with 100 corrections,
50 map versions (two maps), 100 stored comparisons (snapshots as the Compare page stores them). A smaller
version of the big study benchmarks/store_scale.py times (500,000 rows); not timed here.

Runs on SQLite and on PostgreSQL (tests/store_fixtures.py). What is checked is computed here, from what was
saved: every map version's text, author, note and time; every comparison's settings, summary, author and
time, in order; the demand file byte for byte and every demand row, read and corrected, as a data frame;
every correction; and the imported study exported again gives the same zip member for member."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.demand.catalogue import parse_catalogue
from workbench.demand.corrections import apply_corrections
from workbench.demand.load import load_demand
from workbench.flow.model import parse_map
from workbench.sim.compare import CompareSettings, compare
from workbench.sim.snapshot import snapshot
from workbench.store import archive, studies
from workbench.store.models import ComparisonRunRow

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "housing_repairs_demand.csv"
CATALOGUE = ROOT / "sample_data" / "housing_repairs_catalogue.yaml"
DESIGNS = [ROOT / "process_maps" / f for f in ("housing_repairs_standard_work.yaml",
                                                 "housing_repairs_worker_led.yaml")]
ROWS, VERSIONS_PER_MAP, RUNS, CORRECTIONS = 5_000, 25, 100, 100
AT = datetime(2026, 11, 2, 10, 31, tzinfo=UTC)


@pytest.fixture(scope="module")
def stored_comparison() -> tuple[dict[str, Any], dict[str, Any]]:
    """A real comparison's snapshot and settings, as the Compare page stores them (small: 3 weeks, 1 run)."""
    catalogue = parse_catalogue(CATALOGUE.read_text(encoding="utf-8"), CATALOGUE.name)
    frame = load_demand(SAMPLE, catalogue=catalogue).frame
    maps = [parse_map(p.read_text(encoding="utf-8"), p.name, p) for p in DESIGNS]
    settings = CompareSettings(weeks=3, replications=1, seed=7)
    result = compare(maps, frame, catalogue=catalogue, weeks=3, replications=1, seed=7)
    summary = json.loads(json.dumps(snapshot(result, frame["received_at"].min().normalize()), allow_nan=False))
    stored = json.loads(json.dumps({**settings.to_dict(), "designs": [m.name for m in maps]}))
    return summary, stored


def demand_file() -> bytes:
    """5,000 rows: the sample's rows over and over under its header (CRLF-free, as the sample is)."""
    header, *lines = SAMPLE.read_bytes().decode("utf-8").splitlines()
    rows = [lines[i % len(lines)] for i in range(ROWS)]
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def map_texts() -> dict[str, list[str]]:
    """Each map's 25 versions: its file with the first role's staff changed each time, and a line of notes."""
    out: dict[str, list[str]] = {}
    for path in DESIGNS:
        text = path.read_text(encoding="utf-8")
        name = parse_map(text, path.name).name
        out[name] = [re.sub(r"staff: \d+", f"staff: {1 + v % 4}", text, count=1) + f"# saved as try {v}\n"
                     for v in range(1, VERSIONS_PER_MAP + 1)]
    return out


def build(session: Session, summary: dict[str, Any], settings: dict[str, Any]) -> tuple[int, list[tuple]]:
    """The study, through the store's API; returns its id and the comparisons saved (settings, summary, author)."""
    made = studies.create_study(session, "Big study", "5,000 rows, 50 map versions, 100 comparisons")
    studies.set_demand_source(session, made.id, "demand 2026.csv", demand_file(),
                              catalogue_text=CATALOGUE.read_text(encoding="utf-8"), author="Ann")
    for first in range(0, CORRECTIONS, 25):  # four batches: rows 2, 9, 16, ... to 'value', with one formula-like
        changes = [studies.Change(row=2 + 7 * k, field="nature" if k % 2 else "demand_type",
                                  after="value" if k % 2 else f"=Type {k}")
                   for k in range(first, first + 25)]
        result = studies.add_corrections(session, made.id, changes, "Bob", note="workshop")
        assert result.refused == []
    saved: dict[str, int] = {}
    for name, texts in map_texts().items():
        for v, text in enumerate(texts, start=1):
            saved[name] = studies.save_map_version(session, made.id, name, text, "Cy", saved.get(name),
                                                   note=f"try {v}").version
    runs = []
    for i in range(1, RUNS + 1):
        run_settings = {**settings, "seed": i, "map_versions": dict(saved), "demand": "demand 2026.csv"}
        run_summary = {**summary, "headline": f"{summary['headline']} (run {i})"}
        studies.save_comparison_run(session, made.id, run_settings, run_summary, f"Dee {i % 3}")
        runs.append((run_settings, run_summary, f"Dee {i % 3}"))
    return made.id, runs


def stored_runs(session: Session, study_id: int) -> list[tuple]:
    rows = session.scalars(select(ComparisonRunRow).where(ComparisonRunRow.study_id == study_id)
                           .order_by(ComparisonRunRow.id)).all()
    out = [(r.settings, r.summary, r.author, r.created_at) for r in rows]
    session.rollback()
    return out


def corrected_rows(session: Session, study_id: int) -> pd.DataFrame:
    """Every demand row of the study's current file as the pages see it: read, cleaned and corrected."""
    source = studies.current_demand_source(session, study_id)
    assert source is not None
    loaded = load_demand(source.data, source.name, source.reading)
    catalogue = parse_catalogue(source.reading.catalogue_text or "", "catalogue")
    return apply_corrections(loaded.frame, studies.corrections_for(session, study_id), catalogue)


def members(zipped: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_a_big_study_comes_back_exactly_from_its_zip(session: Session,
                                                      stored_comparison: tuple[dict[str, Any], dict[str, Any]]
                                                      ) -> None:
    summary, settings = stored_comparison
    original, runs = build(session, summary, settings)
    zipped = archive.export_study(session, original, exported_at=AT)
    copy = archive.import_study(session, zipped).id
    assert studies.get_study(session, copy).name == "Big study (imported)"

    # every map version: the text saved, its number, author, note and time
    texts = map_texts()
    for study_id in (original, copy):
        listed = {m.name: [(v.version, v.yaml_text, v.author, v.note)
                           for v in studies.list_map_versions(session, study_id, m.name)]
                  for m in studies.list_maps(session, study_id)}
        assert listed == {name: [(v, t, "Cy", f"try {v}") for v, t in enumerate(ts, start=1)]
                          for name, ts in texts.items()}
        assert sum(len(v) for v in listed.values()) == 50
    for m in studies.list_maps(session, original):
        assert [v.created_at for v in studies.list_map_versions(session, copy, m.name)] == \
            [v.created_at for v in studies.list_map_versions(session, original, m.name)]

    # every comparison, in the order run: settings, summary, author and time
    before, after = stored_runs(session, original), stored_runs(session, copy)
    assert [r[:3] for r in before] == runs and len(runs) == RUNS
    assert after == before
    latest = studies.latest_comparison_run(session, copy)
    assert latest is not None and latest.summary["headline"].endswith(f"(run {RUNS})")

    # the demand file byte for byte, every correction, and every row as the pages read it
    source = studies.current_demand_source(session, copy)
    assert source is not None and source.data == demand_file() and source.name == "demand 2026.csv"
    log = [(c.row, c.field, c.before, c.after, c.author, c.created_at, c.version, c.batch is not None, c.note)
           for c in studies.correction_log(session, original)]
    assert len(log) == CORRECTIONS
    assert [(c.row, c.field, c.before, c.after, c.author, c.created_at, c.version, c.batch is not None, c.note)
            for c in studies.correction_log(session, copy)] == log
    rows = corrected_rows(session, copy)
    assert len(rows) == ROWS
    pd.testing.assert_frame_equal(rows, corrected_rows(session, original))
    by_row = rows.set_index("row")  # the file's row numbers, as corrections name them
    assert by_row.loc[2, "demand_type"] == "=Type 0" and by_row.loc[2 + 7 * 98, "demand_type"] == "=Type 98"
    assert (by_row.loc[[2 + 7 * k for k in range(1, CORRECTIONS, 2)], "nature"] == "value").all()

    # and the copy exports as the same zip, member for member (its name aside)
    again = members(archive.export_study(session, copy, exported_at=AT))
    first = members(zipped)
    assert sorted(again) == sorted(first)
    assert {n for n in first if first[n] != again[n]} == {archive.MANIFEST}
    one, two = json.loads(first[archive.MANIFEST]), json.loads(again[archive.MANIFEST])
    assert two["study"].pop("name") == "Big study (imported)" and one["study"].pop("name") == "Big study"
    assert one == two
