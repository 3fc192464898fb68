"""Studies for the report tests: the sample study (with a comparison and corrections when asked) in the test's own
database, and the figures expected from the sample file computed with pandas alone (not Workbench's loader)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import yaml
from sqlalchemy.orm import Session

from workbench.store import db, sample, studies

from independent import AS_IS_MAP, REDESIGN_MAP, SAMPLE_CATALOGUE, SAMPLE_CSV

CORRECTED = 60  # failure rows set to value by Ann: enough to move the failure share by whole points
REPLICATIONS = 3


@contextmanager
def store() -> Iterator[Session]:
    """A session on the test's own database (WORKBENCH_DATA_DIR, set per test by conftest), migrated."""
    engine = db.engine_for()
    db.migrate(engine)
    try:
        with db.sessions(engine)() as s:
            yield s
    finally:
        engine.dispose()


def sample_study(s: Session) -> int:
    sample.ensure_sample_study(s)
    found = studies.find_study(s, sample.SAMPLE_STUDY)
    assert found is not None
    return found.id


def sample_file() -> pd.DataFrame:
    """The sample file read by pandas: `line` is the row number Workbench gives a row (the header is line 1)."""
    frame = pd.read_csv(SAMPLE_CSV, dtype=str, keep_default_na=False)
    return frame.assign(line=range(2, len(frame) + 2))


def corrected_rows() -> list[int]:
    """The first CORRECTED failure rows of the file, which `correct` sets to value."""
    frame = sample_file()
    return frame.loc[frame["nature"].str.strip().str.casefold() == "failure", "line"].head(CORRECTED).tolist()


def correct(s: Session, study_id: int) -> studies.BatchResult:
    result = studies.add_corrections(s, study_id, [studies.Change(r, "nature", "value", before="failure")
                                                    for r in corrected_rows()], "Ann")
    assert result.refused == []
    return result


def expected_natures(corrections: dict[int, str]) -> pd.Series:
    """value / failure / unclassified counts of the sample file after `corrections` (line -> nature): the file's
    label, else the catalogue's nature for the type, else unclassified; then the corrections."""
    frame = sample_file()
    types = yaml.safe_load(SAMPLE_CATALOGUE.read_text(encoding="utf-8"))["types"]
    by_type = {t["type"].strip().casefold(): t["nature"] for t in types}
    label = frame["nature"].str.strip().str.casefold()
    nature = label.where(label != "", frame["demand_type"].str.strip().str.casefold().map(by_type)).fillna("")
    nature = nature.replace("", "unclassified")
    nature = nature.where(~frame["line"].isin(corrections), frame["line"].map(corrections))
    return nature.value_counts()


@functools.cache
def _snapshot() -> dict[str, Any]:
    """One comparison of the sample's two designs (3 replications, 2 weeks), made once per test run."""
    from workbench import paths
    from workbench.demand.catalogue import load_catalogue
    from workbench.demand.load import load_demand
    from workbench.flow.model import load_map
    from workbench.sim.compare import compare
    from workbench.sim.snapshot import snapshot

    catalogue = load_catalogue(paths.SAMPLE_CATALOGUE)
    frame = load_demand(paths.SAMPLE_DEMAND, catalogue=catalogue).frame
    result = compare([load_map(AS_IS_MAP), load_map(REDESIGN_MAP)], frame, catalogue=catalogue, weeks=2,
                     replications=REPLICATIONS, seed=3)
    return snapshot(result, frame["received_at"].min())


def compared(s: Session, study_id: int) -> dict[str, Any]:
    """Store the comparison as the Compare page does (settings with the maps' versions); its snapshot."""
    snap = _snapshot()
    names = [d["name"] for d in snap["designs"]]
    versions = {m.name: m.version for m in studies.list_maps(s, study_id)}
    assert set(names) <= set(versions), (names, versions)
    studies.save_comparison_run(s, study_id, {"weeks": 2, "replications": REPLICATIONS, "prevented": {},
                                              "demand": SAMPLE_CSV.name,
                                              "map_versions": {n: versions[n] for n in names}}, snap, "Bob")
    return snap
