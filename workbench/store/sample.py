"""The bundled sample studies: what a new installation opens on, so the app never starts empty, and a second
sample (a water company's contact centre) that shows rosters, callers who hang up and talk times from data."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from workbench import paths
from workbench.flow.model import MapFileError, parse_map
from workbench.store import studies

SAMPLE_STUDY = "Housing repairs sample"
SAMPLE_DESCRIPTION = ("A council's housing repairs service: 12 weeks of demand at the phone, email, web, "
                      "counter and more, with the standard-work design and a worker-led redesign.")
CALL_CENTRE_STUDY = "Call centre sample"
CALL_CENTRE_DESCRIPTION = ("A water company's contact centre: three weeks of calls and web chats before "
                           "Christmas, with an as-is design (scripted agents, back-office hand-offs) and a "
                           "worker-led redesign, both with the agents' roster and callers who hang up.")
AUTHOR = "Workbench sample"
log = logging.getLogger(__name__)
_SAMPLE_LOCK = 0x57_42_53_53  # PostgreSQL advisory lock key held while the sample study is made ("WBSS")


@dataclass(frozen=True)
class Sample:
    """A bundled sample: its demand file, its catalogue and the folder (inside the process-maps folder, "" for
    the folder itself) whose maps go with it."""

    study: str
    description: str
    demand: Path
    catalogue: Path
    maps: str = ""

    def maps_dir(self) -> Path:
        return paths.process_maps_dir() / self.maps if self.maps else paths.process_maps_dir()


def samples() -> tuple[Sample, ...]:
    """The bundled samples, the one a new installation opens on first (read at each call: tests move them)."""
    return (Sample(SAMPLE_STUDY, SAMPLE_DESCRIPTION, paths.SAMPLE_DEMAND, paths.SAMPLE_CATALOGUE),
            Sample(CALL_CENTRE_STUDY, CALL_CENTRE_DESCRIPTION, paths.CALL_CENTRE_DEMAND, paths.CALL_CENTRE_CATALOGUE,
                   paths.CALL_CENTRE_MAPS))


def ensure_sample_study(session: Session) -> studies.Study | None:
    """Create the sample study when the database has no study at all (first start). Returns it when made.

    It holds the sample demand file and catalogue and every map in the process-maps folder that reads. Two
    processes starting together may both try: the second finds the name taken and leaves it be. On PostgreSQL
    (servers on several machines) the second also waits until the first has filled the study, so nobody is
    shown a sample study without its demand file: the making is serialised by an advisory lock."""
    with _one_server_at_a_time(session):
        if studies.list_studies(session, include_archived=True):
            return None
        try:
            study = studies.create_study(session, SAMPLE_STUDY, SAMPLE_DESCRIPTION)
        except studies.DuplicateNameError:
            return None
        fill_with_sample(session, study.id, AUTHOR)
        return study


@contextmanager
def _one_server_at_a_time(session: Session) -> Iterator[None]:
    """On PostgreSQL, hold an advisory lock (on a connection of its own, so the session's transactions go on)
    while the sample is made; elsewhere nothing (one SQLite file is one machine's, whose servers start from one
    command and whose second finds the name taken)."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as lock:
        lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _SAMPLE_LOCK})
        lock.commit()  # the lock is the connection's, not the transaction's: leave no transaction open
        try:
            yield
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _SAMPLE_LOCK})
            lock.commit()


def fill_with_sample(session: Session, study_id: int, author: str, sample: Sample | None = None) -> list[str]:
    """Give a study a sample's demand file and catalogue (the housing repairs sample unless told), and every
    readable map in its folder (under its own name, or its file name if that is taken). Returns the maps' names
    in the study."""
    sample = sample or samples()[0]
    studies.set_demand_source(
        session, study_id, sample.demand.name, sample.demand.read_bytes(),
        catalogue_text=sample.catalogue.read_text(encoding="utf-8"), author=author)
    folder = sample.maps_dir()
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []
    added = []
    for f in files:
        text = f.read_text(encoding="utf-8-sig")
        try:
            m = parse_map(text, f.name, f)
        except MapFileError as exc:
            log.warning("sample: %s left out (%s)", f.name, exc)
            continue
        taken = {v.name for v in studies.list_maps(session, study_id)}
        name = m.name if m.name and m.name not in taken else f.stem
        if name in taken:
            continue
        where = f"{sample.maps}/{f.name}" if sample.maps else f.name
        studies.save_map_version(session, study_id, name, text, author, None, note=f"From process_maps/{where}")
        added.append(name)
    return added
