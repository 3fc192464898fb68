"""Exports of real systems load with no options (issue 10): ticket and case systems, call-centre logs,
consumer complaints. The files are made by tests/exports/make_exports.py (shaped like each system's export,
every value made up); what is loaded is compared with that script's own records.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import schema
from workbench.demand.load import load_demand, read_table, suggest_mapping
from workbench.demand.read import _head_lines, _header_index

from exports.make_exports import HERE, PASTED_TABLE, Export, build

EXPORTS = build()

R, T, W, D, C, H, X = (schema.RECEIVED_AT, schema.TOUCHPOINT, schema.CUSTOMER_WORDS, schema.DEMAND_TYPE,
                       schema.CASE_ID, schema.HANDLING_MINUTES, schema.RESOLVED_AT)
EXPECTED_MAPPING: dict[str, dict[str, str]] = {
    "servicenow_incident.csv": {R: "opened_at", T: "contact_type", W: "description", D: "category", C: "number",
                                X: "resolved_at"},
    "zendesk_tickets.csv": {R: "created_at", T: "via.channel", W: "description", D: "type", C: "id",
                            X: "solved_at"},
    "salesforce_cases_report.csv": {R: "Date/Time Opened", T: "Case Origin", W: "Description", D: "Case Reason",
                                    C: "Case Number", X: "Date/Time Closed"},
    "jira_service_management.csv": {R: "Created", T: "Custom field (Request channel type)", W: "Description",
                                    D: "Custom field (Customer Request Type)", C: "Issue key", X: "Resolved"},
    "freshdesk_tickets.csv": {R: "Created time", T: "Source", W: "Description", D: "Type", C: "Ticket ID",
                              X: "Resolved time"},
    "dynamics365_cases.csv": {R: "Created On", T: "Origin", W: "Description", D: "Case Type", C: "Case Number"},
    "bank_call_centre_log.txt": {R: "date", D: "type", H: "ser_time"},
    "contact_centre_cdr.csv": {R: "startTime", T: "channel", D: "queue", H: "handleTimeSeconds"},
    "cfpb_complaints.csv": {R: "Date received", T: "Submitted via", W: "Consumer complaint narrative",
                            D: "Issue", C: "Complaint ID"},
}
EXPECTED_FILE = {  # how each file is written: delimiter, encoding
    "servicenow_incident.csv": (",", "utf-8"),
    "zendesk_tickets.csv": (",", "utf-8"),
    "salesforce_cases_report.csv": (",", "utf-8 (with BOM)"),
    "jira_service_management.csv": (",", "utf-8"),
    "freshdesk_tickets.csv": (",", "utf-8"),
    "dynamics365_cases.csv": (";", "utf-8 (with BOM)"),
    "bank_call_centre_log.txt": ("\t", "utf-8"),
    "contact_centre_cdr.csv": (",", "utf-8"),
    "cfpb_complaints.csv": (",", "utf-8"),
}


def path(name: str) -> Path:
    return HERE / name


def texts(values: pd.Series) -> list[str]:
    """Cells as text, a blank label (NaN in a categorical) as ''."""
    return ["" if pd.isna(v) else str(v) for v in values]


def test_the_script_makes_the_committed_files_byte_for_byte() -> None:
    on_disk = {p.name for p in HERE.iterdir() if p.is_file() and p.suffix != ".py"}
    assert on_disk == set(EXPORTS)
    for name, export in EXPORTS.items():
        assert path(name).read_bytes() == export.data, f"{name}: run python tests/exports/make_exports.py"


def test_every_export_has_an_expected_mapping_and_50_to_300_records() -> None:
    assert set(EXPECTED_MAPPING) == set(EXPORTS) == set(EXPECTED_FILE)
    for export in EXPORTS.values():
        assert 50 <= len(export.truth) <= 300, export.name


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_the_mapping_is_found_from_the_systems_own_column_names(name: str) -> None:
    raw = read_table(path(name))
    assert raw.header_row == 1
    assert (raw.delimiter, raw.encoding) == EXPECTED_FILE[name]
    assert suggest_mapping(raw.columns) == EXPECTED_MAPPING[name]


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_each_export_loads_with_no_options(name: str) -> None:
    export: Export = EXPORTS[name]
    loaded = load_demand(path(name))
    frame, report = loaded.frame, loaded.report
    mapping = EXPECTED_MAPPING[name]
    assert report.mapping == mapping
    truth = export.truth
    assert report.rows_used == len(truth) == len(frame)
    assert frame[schema.RECEIVED_AT].tolist() == [pd.Timestamp(r.received) for r in truth]
    assert texts(frame[schema.TOUCHPOINT]) == [r.touchpoint for r in truth]
    assert texts(frame[schema.DEMAND_TYPE]) == [r.demand_type for r in truth]
    if W in mapping:
        assert frame[schema.CUSTOMER_WORDS].tolist() == [r.words.strip() for r in truth]
    if C in mapping:
        assert frame[schema.CASE_ID].tolist() == [r.case for r in truth]
    if X in mapping:
        resolved = [None if pd.isna(t) else t for t in frame[schema.RESOLVED_AT]]
        assert resolved == [None if r.resolved is None else pd.Timestamp(r.resolved) for r in truth]
    if H in mapping:  # the handling time, from the script's seconds: minutes = seconds / 60
        minutes = frame[schema.HANDLING_MINUTES].to_numpy()
        expected = np.array([math.nan if r.seconds is None else r.seconds / 60 for r in truth])
        np.testing.assert_allclose(minutes, expected, equal_nan=True)
        assert (f"Handling times in '{mapping[H]}' read as seconds (its name says so) and shown in minutes; if "
                "they are not, choose the unit (CLI: --handling-unit).") in report.summary_lines()
    else:
        assert frame[schema.HANDLING_MINUTES].isna().all()


def test_the_salesforce_footer_rows_have_no_date_so_they_are_set_aside_not_taken_for_cases() -> None:
    # A report export ends with a blank line and two lines of small print, in the first column.
    raw = read_table(path("salesforce_cases_report.csv"))
    assert len(raw.frame) == 80 + 3  # the line '""' too: clean() counts it as a blank row
    footer = raw.frame.tail(2)
    assert footer["Case Number"].tolist() == ["Confidential Information - Do Not Distribute",
                                              "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."]
    assert footer["Date/Time Opened"].tolist() == ["", ""]  # clean() sets such rows aside ("no date")
    assert raw.rows[-3:].tolist() == [82, 83, 84]


# --- the header is found among records, not physical lines -------------------------------------------------

def test_a_narratives_pasted_table_is_not_taken_for_the_header() -> None:
    text = EXPORTS["cfpb_complaints.csv"].data.decode()
    lines = _head_lines(text, ",")
    # the trap is real: read line by line, the pasted line names more fields than the header does
    assert lines[_header_index([cells for _, _, cells in lines])][2] == PASTED_TABLE.split(",")
    raw = read_table(path("cfpb_complaints.csv"))
    assert raw.header_row == 1
    assert raw.columns[0] == "Date received"
    assert raw.frame.shape == (220, 18)
    # a record is one row whatever the lines its narrative takes, as a spreadsheet shows it
    assert raw.rows.tolist() == list(range(2, 222))
    assert PASTED_TABLE in raw.frame["Consumer complaint narrative"].iat[2]


def test_title_lines_above_a_header_followed_by_multi_line_narratives(tmp_path: Path) -> None:
    body = EXPORTS["cfpb_complaints.csv"].data
    p = tmp_path / "with_title.csv"
    p.write_bytes(b"Complaints export, March 2026\n\n" + body)
    loaded = load_demand(p)
    assert loaded.report.header_row == 3
    assert loaded.report.mapping == EXPECTED_MAPPING["cfpb_complaints.csv"]
    assert loaded.frame[schema.ROW].tolist() == list(range(4, 224))
    assert load_demand(p, header_row=3).frame.equals(loaded.frame)


def test_a_multi_line_quoted_header_cell_starts_the_body_after_its_last_line(tmp_path: Path) -> None:
    p = tmp_path / "multi_line_header.csv"
    p.write_text('Date received,"Customer\'s words\n(verbatim)",Channel\n2026-03-02,"Hello,\nagain",Phone\n'
                 "2026-03-03,Bye,Email\n")
    loaded = load_demand(p)
    assert loaded.report.header_row == 1
    assert loaded.frame[schema.CUSTOMER_WORDS].tolist() == ["Hello,\nagain", "Bye"]
    assert loaded.frame[schema.TOUCHPOINT].astype(str).tolist() == ["Phone", "Email"]


# --- handling time in seconds or hours, said by the column's name ---------------------------------------------

@pytest.mark.parametrize(
    ("header", "cells", "minutes", "unit"),
    [
        ("ser_time", ["90", "30", ""], [1.5, 0.5, math.nan], "seconds"),
        ("duration_sec", ["60", "150", "0"], [1.0, 2.5, 0.0], "seconds"),
        ("talk_time_seconds", ["120", "45", "600"], [2.0, 0.75, 10.0], "seconds"),
        ("AHT (s)", ["300", "30", "6"], [5.0, 0.5, 0.1], "seconds"),
        ("Handle Time (secs)", ["240", "60,0", "x"], [4.0, 1.0, math.nan], "seconds"),
        ("Time spent (hrs)", ["1.5", "0,25", "2"], [90.0, 15.0, 120.0], "hours"),
    ],
)
def test_handling_time_named_in_seconds_or_hours_is_shown_in_minutes(
        tmp_path: Path, header: str, cells: list[str], minutes: list[float], unit: str) -> None:
    p = tmp_path / "times.csv"
    rows = "".join(f"2026-03-0{i + 2} 09:00;Phone;{c}\n" for i, c in enumerate(cells))
    p.write_text(f"Date received;Channel;{header}\n{rows}")
    loaded = load_demand(p)
    assert loaded.report.mapping[schema.HANDLING_MINUTES] == header
    np.testing.assert_allclose(loaded.frame[schema.HANDLING_MINUTES].to_numpy(), minutes, equal_nan=True)
    assert (f"Handling times in '{header}' read as {unit} (its name says so) and shown in minutes; if they are "
            "not, choose the unit (CLI: --handling-unit).") in loaded.report.summary_lines()


def test_handling_time_in_minutes_is_left_as_it_is_and_not_reported(tmp_path: Path) -> None:
    p = tmp_path / "mins.csv"
    p.write_text("Date received,Channel,Mins\n2026-03-02,Phone,4\n")
    loaded = load_demand(p)
    assert loaded.frame[schema.HANDLING_MINUTES].tolist() == [4.0]
    assert not any("read as" in line for line in loaded.report.summary_lines())


def test_a_seconds_column_chosen_by_hand_is_converted_too(tmp_path: Path) -> None:
    p = tmp_path / "by_hand.csv"
    p.write_text("Date received,Channel,vru_time,ser_time\n2026-03-02,Phone,12,180\n")
    loaded = load_demand(p, mapping={"handling_minutes": "ser_time"})
    assert loaded.frame[schema.HANDLING_MINUTES].tolist() == [3.0]


# --- the same systems' other spellings: API names, another export of the same records ------------------------

@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["Id", "CaseNumber", "CreatedDate", "Origin", "Subject", "Description", "Type", "Reason", "Status",
          "IsClosed", "ClosedDate"],
         {R: "CreatedDate", T: "Origin", W: "Description", D: "Reason", C: "CaseNumber", X: "ClosedDate"}),
        (["incidentid", "ticketnumber", "title", "createdon", "caseorigincode", "casetypecode", "description",
          "modifiedon"],
         {R: "createdon", T: "caseorigincode", W: "description", D: "casetypecode", C: "ticketnumber"}),
        (["Id", "Requester", "Group", "Subject", "Tags", "Status", "Priority", "Via", "Ticket type", "Created at",
          "Updated at", "Solved at", "Resolution time", "Full resolution time in minutes",
          "First reply time in minutes"],
         {R: "Created at", T: "Via", W: "Subject", D: "Ticket type", C: "Id", X: "Solved at"}),
        (["sys_id", "number", "sys_created_on", "opened_at", "contact_type", "short_description", "category",
          "closed_at", "resolved_at"],
         {R: "opened_at", T: "contact_type", W: "short_description", D: "category", C: "number",
          X: "resolved_at"}),
    ],
    ids=["salesforce-api", "dynamics-logical-names", "zendesk-csv-export", "servicenow-reordered"],
)
def test_other_spellings_of_the_same_systems(columns: list[str], expected: dict[str, str]) -> None:
    assert suggest_mapping(columns) == expected
