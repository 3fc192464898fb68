"""Renaming a study's map (the Flow page's "Name, design and description"): its versions go with it, and a name
another map has is refused with nothing changed. On SQLite and PostgreSQL (store_fixtures)."""

from __future__ import annotations

import pytest
from flow_fixtures import SMALL_MAP as MAP
from sqlalchemy.orm import Session

from workbench.store import studies
from workbench.store.studies import DuplicateNameError, NotFoundError


@pytest.fixture
def study(session: Session) -> studies.Study:
    return studies.create_study(session, "Benefits redesign")


def test_a_renamed_map_keeps_its_versions(session: Session, study: studies.Study) -> None:
    studies.save_map_version(session, study.id, "New design", MAP, "Ann", None, note="from a template")
    edited = MAP.replace("touch: 10", "touch: 12")
    studies.save_map_version(session, study.id, "New design", edited, "Bob", 1)
    latest = studies.rename_map(session, study.id, "New design", "  Benefits -  as is ")
    assert (latest.name, latest.version, latest.yaml_text) == ("Benefits - as is", 2, edited)
    assert [(v.version, v.author, v.note) for v in studies.list_map_versions(session, study.id, "Benefits - as is")] == [
        (1, "Ann", "from a template"), (2, "Bob", "")]
    assert [m.name for m in studies.list_maps(session, study.id)] == ["Benefits - as is"]
    with pytest.raises(NotFoundError):
        studies.get_map_version(session, study.id, "New design")
    # the next save under the new name follows on from its versions
    assert studies.save_map_version(session, study.id, "Benefits - as is", MAP, "Cy", 2).version == 3
    # the same name again changes nothing
    assert studies.rename_map(session, study.id, "Benefits - as is", "Benefits - as is").version == 3


def test_a_name_another_map_has_is_refused(session: Session, study: studies.Study) -> None:
    studies.save_map_version(session, study.id, "As is", MAP, "Ann", None)
    studies.save_map_version(session, study.id, "Redesign", MAP, "Ann", None)
    with pytest.raises(DuplicateNameError, match="already has a map called 'As is'"):
        studies.rename_map(session, study.id, "Redesign", "As is")
    assert [m.name for m in studies.list_maps(session, study.id)] == ["As is", "Redesign"]
    with pytest.raises(ValueError, match="needs a name"):
        studies.rename_map(session, study.id, "Redesign", "   ")
    with pytest.raises(NotFoundError):
        studies.rename_map(session, study.id, "Nowhere", "Elsewhere")
