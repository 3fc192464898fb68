"""The bundled sample study: what a new installation opens on, so the app never starts empty."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from workbench import paths
from workbench.flow.model import MapFileError, parse_map
from workbench.store import studies

SAMPLE_STUDY = "Housing repairs sample"
SAMPLE_DESCRIPTION = ("A council's housing repairs service: 12 weeks of demand at the phone, email, web, "
                      "counter and more, with the standard-work design and a worker-led redesign.")
AUTHOR = "Workbench sample"
log = logging.getLogger(__name__)


def ensure_sample_study(session: Session) -> studies.Study | None:
    """Create the sample study when the database has no study at all (first start). Returns it when made.

    It holds the sample demand file and catalogue and every map in the process-maps folder that reads. Two
    processes starting together may both try: the second finds the name taken and leaves it be."""
    if studies.list_studies(session, include_archived=True):
        return None
    try:
        study = studies.create_study(session, SAMPLE_STUDY, SAMPLE_DESCRIPTION)
    except studies.DuplicateNameError:
        return None
    fill_with_sample(session, study.id, AUTHOR)
    return study


def fill_with_sample(session: Session, study_id: int, author: str) -> list[str]:
    """Give a study the sample demand file and catalogue, and every readable map in the process-maps folder
    (under its own name, or its file name if that is taken). Returns the maps' names in the study."""
    studies.set_demand_source(
        session, study_id, paths.SAMPLE_DEMAND.name, paths.SAMPLE_DEMAND.read_bytes(),
        catalogue_text=paths.SAMPLE_CATALOGUE.read_text(encoding="utf-8"), author=author)
    folder = paths.process_maps_dir()
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
        studies.save_map_version(session, study_id, name, text, author, None, note=f"From process_maps/{f.name}")
        added.append(name)
    return added
