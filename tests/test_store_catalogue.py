"""The study's catalogue in the store: versions with who and when, two people's saves joined type by type
or refused when they decided the same type differently, restores, and the study zip. SQLite and PostgreSQL
(the `session` fixture runs each test on both)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from sqlalchemy.orm import Session

from workbench import schema
from workbench.demand.catalogue import Catalogue, CatalogueError, parse_catalogue
from workbench.store import archive, studies
from workbench.store.studies import ConflictError

START = Catalogue().decide("Report a leak", schema.VALUE).decide("Where is my repair?", schema.FAILURE, "chasing")


def test_versions_record_who_and_what(session: Session) -> None:
    study = studies.create_study(session, "Catalogue")
    assert studies.get_catalogue(session, study.id) is None
    v1 = studies.save_catalogue(session, study.id, START.to_yaml(), "Ann", None, "first pass")
    v2 = studies.save_catalogue(session, study.id, v1.catalogue().decide("Report a leak", schema.FAILURE,
                                                                         "not fixed").to_yaml(), "Bob", 1)
    assert (v1.version, v2.version, v2.author) == (1, 2, "Bob")
    latest = studies.get_catalogue(session, study.id)
    assert latest is not None and latest.version == 2
    entry = latest.catalogue().lookup("report a leak")
    assert entry is not None and (entry.nature, entry.cause) == ("failure", "not fixed")
    assert [v.note for v in studies.list_catalogue_versions(session, study.id)] == ["first pass", ""]
    restored = studies.restore_catalogue(session, study.id, 1, "Ann")
    assert restored.version == 3 and restored.yaml_text == v1.yaml_text and "Restored version 1" in restored.note


def test_two_people_on_different_types_are_merged(session: Session) -> None:
    study = studies.create_study(session, "Two people")
    studies.save_catalogue(session, study.id, START.to_yaml(), "Ann", None)
    studies.save_catalogue(session, study.id, START.decide("Letter", schema.VALUE).to_yaml(), "Ann", 1)
    merged = studies.save_catalogue(session, study.id, START.decide("Report a leak", schema.FAILURE, "x").to_yaml(),
                                    "Bob", 1)  # Bob started from version 1 too
    cat = merged.catalogue()
    assert merged.version == 3 and "merged with version 2 by Ann" in merged.note
    assert {t.name: t.nature for t in cat.types} == {"Report a leak": "failure", "Where is my repair?": "failure",
                                                     "Letter": "value"}


def test_two_people_on_the_same_type_conflict_and_nothing_is_saved(session: Session) -> None:
    study = studies.create_study(session, "Conflict")
    studies.save_catalogue(session, study.id, START.to_yaml(), "Ann", None)
    studies.save_catalogue(session, study.id, START.decide("Report a leak", schema.FAILURE, "x").to_yaml(), "Ann", 1)
    with pytest.raises(ConflictError) as caught:
        studies.save_catalogue(session, study.id, START.decide("Report a leak", "not sure").to_yaml(), "Bob", 1)
    assert caught.value.items == ("Report a leak",) and caught.value.author == "Ann"
    assert "Ann set it to failure (x), you set it to not sure" in caught.value.message
    assert len(studies.list_catalogue_versions(session, study.id)) == 2
    with pytest.raises(ConflictError):  # a second person starting a catalogue the study already has
        studies.save_catalogue(session, study.id, START.decide("Report a leak", schema.VALUE, "").decide(
            "Report a leak", "not sure").to_yaml(), "Cat", None)


def test_text_that_is_not_a_catalogue_is_refused(session: Session) -> None:
    study = studies.create_study(session, "Bad text")
    with pytest.raises(CatalogueError):
        studies.save_catalogue(session, study.id, "types: [oops", "Ann", None)
    assert studies.list_catalogue_versions(session, study.id) == []


def test_the_study_zip_keeps_every_catalogue_version(session: Session) -> None:
    study = studies.create_study(session, "Zip")
    studies.save_catalogue(session, study.id, START.to_yaml(), "Ann", None, "first")
    studies.save_catalogue(session, study.id, START.merge("Where is my repair?", ["chasing repair"]).to_yaml(),
                           "Bob", 1)
    data = archive.export_study(session, study.id)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert "catalogue/v001.yaml" in names and "catalogue/v002.yaml" in names
        assert parse_catalogue(z.read("catalogue/v002.yaml").decode()).lookup("Chasing repair") is not None
    copy = archive.import_study(session, data, name="Zip copy")
    versions = studies.list_catalogue_versions(session, copy.id)
    assert [(v.version, v.author, v.note) for v in versions] == [(1, "Ann", "first"), (2, "Bob", "")]
    assert "2 catalogue versions" in archive.read_archive(data).describe()
    # a catalogue version that is not a catalogue is refused on import, naming the file
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["catalogue/v002.yaml"] = b"types: 12\n"
    manifest = json.loads(members["study.json"])
    manifest["catalogue_versions"][1]["sha256"] = hashlib.sha256(members["catalogue/v002.yaml"]).hexdigest()
    members["study.json"] = json.dumps(manifest).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    with pytest.raises(archive.ArchiveError, match="catalogue/v002.yaml"):
        archive.read_archive(out.getvalue())
