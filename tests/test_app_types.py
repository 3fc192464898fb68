"""The Demand types editor (AppTest): a type classified at once moves the headline tiles, spellings merged
into one type count under it, every save is a catalogue version in the study with who made it, and a second
session sees it. Expected counts are recounted from the uploaded file with plain csv reading."""

from __future__ import annotations

import csv
import io

from app_helpers import in_sample_study
from app_pages import DemandScreen, open_app

from workbench.store import studies

ROWS = [("2026-01-05 09:00", "Phone", "Report a leak", "water through the ceiling"),
        ("2026-01-05 10:00", "Phone", "Report a leak", "dripping tap"),
        ("2026-01-06 09:30", "Email", "Report a leak", "water through the ceiling"),
        ("2026-01-06 11:00", "Phone", "report leak", "leak under the sink"),
        ("2026-01-07 09:00", "Phone", "Where is my repair", "still waiting for the plumber"),
        ("2026-01-07 12:00", "Email", "Where is my repair", "nobody came again"),
        ("2026-01-08 09:00", "Counter", "Book a gas safety check", "annual check")]


def _file() -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["received_at", "touchpoint", "demand_type", "customer_words"])
    w.writerows(ROWS)
    return out.getvalue().encode()


def _count(type_names: set[str]) -> int:
    return sum(1 for r in csv.DictReader(io.StringIO(_file().decode())) if r["demand_type"] in type_names)


def _versions() -> list[studies.CatalogueVersion]:
    return in_sample_study(studies.list_catalogue_versions)


def test_classify_a_type_merge_a_spelling_and_a_second_session_sees_it() -> None:
    demand = DemandScreen(open_app(author="Ann"))
    demand.use_sample_catalogue(False)
    demand.upload("no_natures.csv", _file())
    demand.assert_no_exception()
    assert demand.headline("Failure demand") == "0"
    assert demand.says("info", "4 types, 100% of demand (7), not classified yet.")
    assert demand.type_rows()[0] == "Report a leak"  # undecided types first, most demand first

    demand.decide_type("Where is my repair", "failure", "progress chasing")
    demand.assert_no_exception()
    assert demand.headline("Failure demand") == f"{_count({'Where is my repair'}):,}"
    assert demand.says("success", "Saved in the study's catalogue, version 1")

    assert ("Report a leak", "report leak") in demand.merge_pairs()
    demand.merge("Report a leak", "report leak")
    demand.decide_type("Report a leak", "value")
    assert demand.headline("Value demand") == f"{_count({'Report a leak', 'report leak'}):,}"
    assert "report leak" not in demand.type_rows()

    versions = _versions()
    assert [v.version for v in versions] == [1, 2, 3] and {v.author for v in versions} == {"Ann"}
    latest = versions[-1].catalogue()
    leak = latest.lookup("REPORT LEAK")
    assert leak is not None and leak.name == "Report a leak" and leak.nature == "value"

    other = DemandScreen(open_app(author="Bob"))  # another person, another session
    assert other.headline("Value demand") == f"{_count({'Report a leak', 'report leak'}):,}"
    assert other.headline("Failure demand") == f"{_count({'Where is my repair'}):,}"
    assert other.says("info", "1 type, 14% of demand (1), not classified yet.")


def test_a_catalogue_file_uploaded_into_a_study_with_its_own_becomes_its_next_version() -> None:
    demand = DemandScreen(open_app(author="Ann"))
    demand.use_sample_catalogue(False)
    demand.upload("no_natures.csv", _file())
    demand.decide_type("Where is my repair", "failure", "progress chasing")
    uploaded = "types:\n  - type: Report a leak\n    nature: failure\n    cause: not fixed\n"
    demand.at.file_uploader(key="catalogue_upload").set_value(("team.yaml", uploaded.encode(), "application/x-yaml"))
    demand.at.run()
    demand.assert_no_exception()
    versions = _versions()
    assert [v.version for v in versions] == [1, 2] and versions[-1].note == "uploaded team.yaml"
    assert versions[-1].yaml_text == uploaded
    assert demand.headline("Failure demand") == f"{_count({'Report a leak'}):,}"  # the upload is what is read


def _log() -> list[studies.CorrectionRecord]:
    return in_sample_study(studies.correction_log)


def test_everything_a_search_shows_is_classified_in_one_step_and_undone_as_one() -> None:
    demand = DemandScreen(open_app(author="Ann"))
    demand.use_sample_catalogue(False)
    demand.upload("no_natures.csv", _file())
    demand.type("Search the customers' words", "water")
    matching = [r for r in ROWS if "water" in r[3].lower()]
    demand.at.selectbox(key="bulk_nature").set_value("failure")
    demand.at.selectbox(key="bulk_type").set_value("Where is my repair")
    demand.press(f"Apply to all {len(matching)}")
    demand.assert_no_exception()
    assert demand.headline("Failure demand") == f"{len(matching):,}"
    log = _log()
    assert len(log) == 2 * len(matching) and len({r.batch for r in log}) == 1
    assert {r.note for r in log} == {f"applied to {len(matching)} matching demand(s)"}
    assert {(r.field, r.after) for r in log} == {("nature", "failure"), ("demand_type", "Where is my repair")}

    demand.undo()
    assert demand.headline("Failure demand") == "0"
    assert {r.note for r in _log()[len(log):]} == {f"undo of {len(log)} corrections made together"}


def test_workshop_mode_answers_one_customer_at_a_time() -> None:
    demand = DemandScreen(open_app(author="Ann"))
    demand.use_sample_catalogue(False)
    demand.upload("no_natures.csv", _file())
    assert any(f"{len(ROWS)} of {len(ROWS)} demands not classified yet" in str(p.value) or
               f"{len(ROWS)} of {len(ROWS)} demands not classified yet" in str(getattr(p, "proto", ""))
               for p in demand.at.get("progress"))
    assert any(ROWS[0][3] in m.value for m in demand.at.markdown)  # the first customer's words, large
    demand.press("Failure")
    demand.assert_no_exception()
    assert any(ROWS[1][3] in m.value for m in demand.at.markdown)  # then the next one
    demand.press("Value")
    log = _log()
    assert [(r.row, r.field, r.after, r.note) for r in log] == [(2, "nature", "failure", "workshop"),
                                                                (3, "nature", "value", "workshop")]
    demand.press("Skip")
    assert any(ROWS[3][3] in m.value for m in demand.at.markdown)
    assert len(_log()) == 2  # skipping saves nothing


def test_the_sample_catalogue_ticked_for_the_sample_does_not_carry_over_to_a_file_of_ones_own() -> None:
    demand = DemandScreen(open_app(author="Ann"))
    assert demand.catalogue_checkbox().value is True  # the sample is read with its catalogue
    demand.upload("no_natures.csv", _file())  # 'Report a leak' is a type of the sample's catalogue too
    demand.assert_no_exception()
    assert demand.headline("Value demand") == "0" and demand.headline("Failure demand") == "0"
    assert demand.catalogue_checkbox().value is False
