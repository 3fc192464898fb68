"""The Demand page through Streamlit's AppTest: what a user sees after each step."""

from __future__ import annotations

import csv

import pytest
from app_helpers import APP, metric
from streamlit.testing.v1 import AppTest

from independent import MESSY_CSV, SAMPLE_CSV, messy_expected, sample_expected


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_opens_on_the_sample_with_its_headline_figures(at: AppTest) -> None:
    exp = sample_expected()
    assert metric(at, "Demands") == f"{exp.rows:,}"
    assert metric(at, "Value demand") == f"{exp.value:,}"
    assert metric(at, "Failure demand") == f"{exp.failure:,}"
    assert metric(at, "Not yet classified") == f"{exp.unclassified:,}"
    assert metric(at, "Failure demand share") == f"{exp.failure_share:.0%}"
    assert any("(sample)" in h.value for h in at.subheader)
    assert any("Housing repairs sample" in c.value for c in at.caption)  # the sample study
    assert not at.error


def test_uploading_a_messy_csv_reports_set_aside_rows_and_updates_tiles(at: AppTest) -> None:
    exp = messy_expected()
    at.file_uploader(key="demand_upload").set_value((MESSY_CSV.name, MESSY_CSV.read_bytes(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Demands") == f"{exp.rows:,}"
    # the catalogue choice (the sample catalogue, ticked at first start) carries over to the upload
    report = " ".join(w.value for w in at.warning)
    for row in exp.set_aside_rows:
        assert str(row) in report
    assert "Set aside" in report
    # mapping was recognised from the team's own column names
    labels = {s.label: s.value for s in at.selectbox}
    assert labels["Date received (needed)"] == "Date received"
    assert labels["Touchpoint"] == "Channel"
    assert labels["Value or failure"] == "V/F"


def test_catalogue_fills_value_and_failure_and_can_be_switched_off(at: AppTest) -> None:
    exp = messy_expected()
    at.file_uploader(key="demand_upload").set_value((MESSY_CSV.name, MESSY_CSV.read_bytes(), "text/csv")).run()
    assert at.checkbox(key="use_sample_catalogue").value is True
    assert metric(at, "Value demand") == f"{exp.value:,}"
    assert metric(at, "Failure demand") == f"{exp.failure:,}"
    assert metric(at, "Not yet classified") == f"{exp.unclassified:,}"
    at.checkbox(key="use_sample_catalogue").uncheck().run()
    assert not at.exception
    without = messy_expected(use_catalogue=False)
    assert without.unclassified > exp.unclassified
    assert metric(at, "Not yet classified") == f"{without.unclassified:,}"
    assert metric(at, "Value demand") == f"{without.value:,}"


def test_a_file_without_a_date_column_is_refused_and_the_sample_stays(at: AppTest) -> None:
    data = b"Where,What\nPhone,leak\nEmail,boiler\n"
    at.file_uploader(key="demand_upload").set_value(("nodates.csv", data, "text/csv")).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "nodates.csv" in errors and "no date column" in errors
    assert metric(at, "Demands") == f"{sample_expected().rows:,}"  # nothing the user had is lost


def test_mapping_a_column_by_hand_loads_the_file(at: AppTest) -> None:
    data = b"Stamp,Where,Said\n05/01/2026 09:00,Phone,leak\n06/01/2026 10:00,Email,boiler\n07/01/2026,Phone,x\n"
    at.file_uploader(key="demand_upload").set_value(("odd.csv", data, "text/csv")).run()
    assert "no date column" in " ".join(e.value for e in at.error)
    date_box = next(s for s in at.selectbox if s.label == "Date received (needed)")
    date_box.set_value("Stamp").run()
    touch_box = next(s for s in at.selectbox if s.label == "Touchpoint")
    touch_box.set_value("Where").run()
    assert not at.exception
    assert not at.error
    assert metric(at, "Demands") == "3"
    assert any("odd.csv" in h.value for h in at.subheader)


def test_correcting_a_row_updates_the_headline(at: AppTest) -> None:
    exp = sample_expected()
    editor = at.session_state["editor_version"]
    assert editor == 0
    # the editor lists demands in file order: its first row is the sample's first data row
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        first = next(csv.DictReader(f))
    old = first["nature"]
    assert old in ("value", "failure")
    new = "failure" if old == "value" else "value"
    at.session_state["words_editor_0"] = {"edited_rows": {0: {"nature": new}}, "added_rows": [],
                                          "deleted_rows": []}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    value, failure, unclassified = exp.value, exp.failure, exp.unclassified
    counts = {"value": value, "failure": failure, "unclassified": unclassified}
    counts[old] -= 1
    counts[new] += 1
    assert metric(at, "Failure demand") == f"{counts['failure']:,}"
    assert metric(at, "Value demand") == f"{counts['value']:,}"
    assert any("Saved: 1 correction(s)" in s.value for s in at.success)
    # a new session (a refresh, another person) finds it saved in the study
    fresh = AppTest.from_file(APP, default_timeout=90)
    fresh.run()
    assert metric(fresh, "Failure demand") == f"{counts['failure']:,}"
    # undo puts it back, as a new correction (history is kept)
    next(b for b in at.button if b.label == "Undo my last correction").click().run()
    assert metric(at, "Failure demand") == f"{exp.failure:,}"


def test_reading_the_file_differently_keeps_the_corrections() -> None:
    """A new date order (or mapping, sheet, header row) for the same file is stored on that file: its rows
    are the same rows, so the corrections made on them stay."""
    from workbench.store import db, studies
    from workbench.store.sample import SAMPLE_STUDY

    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.session_state["words_editor_0"] = {"edited_rows": {0: {"nature": "unclassified"}}, "added_rows": [],
                                          "deleted_rows": []}
    at.run()
    failure = metric(at, "Failure demand")
    order = next(s for s in at.selectbox if s.label == "Dates are written")
    order.set_value("day-first").run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Failure demand") == failure
    assert any("Saved: 1 correction(s)" in s.value for s in at.success)
    engine = db.engine_for()
    try:
        with db.sessions(engine)() as s:
            found = studies.find_study(s, SAMPLE_STUDY)
            assert found is not None
            current = studies.current_demand_source(s, found.id, with_data=False)
            assert current is not None and current.date_order == "day-first"
            assert len(studies.correction_log(s, found.id)) == 1
    finally:
        engine.dispose()


def test_an_earlier_file_can_be_used_again_with_its_corrections() -> None:
    exp, messy = sample_expected(), messy_expected()
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["author"] = "Ann"
    at.run()
    at.session_state["words_editor_0"] = {"edited_rows": {0: {"nature": "unclassified"}}, "added_rows": [],
                                          "deleted_rows": []}
    at.run()
    assert metric(at, "Failure demand") == f"{exp.failure - 1:,}"
    at.file_uploader(key="demand_upload").set_value(
        (MESSY_CSV.name, MESSY_CSV.read_bytes(), "text/csv")).run()
    assert metric(at, "Demands") == f"{messy.rows:,}"  # the new file, without the sample's correction
    pick = next(s for s in at.selectbox if s.label == "Earlier demand files of this study")
    assert "housing_repairs_demand.csv" in pick.options[0] and "1 correction(s)" in pick.options[0]
    next(b for b in at.button if b.label == "Use this file again").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Demands") == f"{exp.rows:,}"
    assert metric(at, "Failure demand") == f"{exp.failure - 1:,}"  # its correction came back with it
    assert any("Saved: 1 correction(s)" in s.value for s in at.success)
