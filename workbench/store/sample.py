"""The bundled sample study: what a new installation opens on, so the app never starts empty."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from workbench import paths
from workbench.flow.model import MapFileError, parse_map
from workbench.store import studies

SAMPLE_STUDY = "Housing repairs sample"
SAMPLE_DESCRIPTION = ("A council's housing repairs service: 8 weeks of demand at the phone, email, web and "
                      "counter, with the standard-work design and a worker-led redesign.")
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
    studies.set_demand_source(
        session, study.id, paths.SAMPLE_DEMAND.name, paths.SAMPLE_DEMAND.read_bytes(),
        catalogue_text=paths.SAMPLE_CATALOGUE.read_text(encoding="utf-8"), author=AUTHOR)
    folder = paths.process_maps_dir()
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []
    for f in files:
        text = f.read_text(encoding="utf-8-sig")
        try:
            m = parse_map(text, f.name, f)
        except MapFileError as exc:
            log.warning("sample study: %s left out (%s)", f.name, exc)
            continue
        name = m.name or f.stem
        if any(v.name == name for v in studies.list_maps(session, study.id)):
            name = f.stem
        studies.save_map_version(session, study.id, name, text, AUTHOR, None, note=f"From process_maps/{f.name}")
    return study
