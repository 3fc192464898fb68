"""Normalising the labels teams type: value/failure, yes/no and column headers."""

from __future__ import annotations

import pytest

from workbench import schema
from workbench.demand.labels import duration_unit, field_for_header, fold, fold_keep, nature_label, yes_no
from workbench.demand.mapping import suggest_mapping


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("V", schema.VALUE),
        ("v", schema.VALUE),
        ("value", schema.VALUE),
        ("value demand", schema.VALUE),
        ("Value ", schema.VALUE),
        ("  VALUE  ", schema.VALUE),
        ("Value demand", schema.VALUE),
        ("F", schema.FAILURE),
        ("FD", schema.FAILURE),
        ("fd", schema.FAILURE),
        ("failure", schema.FAILURE),
        ("failure demand", schema.FAILURE),
        ("Failure-Demand", schema.FAILURE),
        ("Faliure", schema.FAILURE),  # a typo a workshop makes in a hurry
        ("Valeu", schema.VALUE),
        ("", schema.UNCLASSIFIED),
        ("   ", schema.UNCLASSIFIED),
        (None, schema.UNCLASSIFIED),
        ("?", schema.UNCLASSIFIED),
        ("??", schema.UNCLASSIFIED),
        ("-", schema.UNCLASSIFIED),
        ("n/a", schema.UNCLASSIFIED),
        ("TBC", schema.UNCLASSIFIED),
        ("not sure", schema.UNCLASSIFIED),
        ("unclassified", schema.UNCLASSIFIED),
        ("banana", None),
        ("maybe", None),
        ("vf", None),
    ],
)
def test_nature_label(raw: object, expected: str | None) -> None:
    assert nature_label(raw) == expected


def test_nature_label_of_a_non_text_value_does_not_raise() -> None:
    assert nature_label(1) is None
    assert nature_label(0.5) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", True),
        ("Yes", True),
        (" Y ", True),
        ("TRUE", True),
        ("1", True),
        ("✓", True),
        ("no", False),
        ("No", False),
        ("n", False),
        ("false", False),
        ("0", False),
        ("✗", False),
        (True, True),
        (False, False),
        ("", None),
        (None, None),
        ("maybe", None),
        ("perhaps", None),
    ],
)
def test_yes_no(raw: object, expected: bool | None) -> None:
    assert yes_no(raw) is expected


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Date received", schema.RECEIVED_AT),
        ("  DATE RECEIVED ", schema.RECEIVED_AT),
        ("received_at", schema.RECEIVED_AT),
        ("When", schema.RECEIVED_AT),
        ("Channel", schema.TOUCHPOINT),
        ("Touchpoint", schema.TOUCHPOINT),
        ("What the customer said", schema.CUSTOMER_WORDS),
        ("Customer's words", schema.CUSTOMER_WORDS),
        ("Type", schema.DEMAND_TYPE),
        ("Demand type", schema.DEMAND_TYPE),
        ("V/F", schema.NATURE),
        ("Value or failure", schema.NATURE),
        ("Cause", schema.FAILURE_CAUSE),
        ("Sorted first time?", schema.ONE_STOP),
        ("Mins", schema.HANDLING_MINUTES),
        ("Duration (mins)", schema.HANDLING_MINUTES),
        ("Handling minutes", schema.HANDLING_MINUTES),
        ("Case ID", schema.CASE_ID),
        ("Date resolved", schema.RESOLVED_AT),
        ("Resolved at", schema.RESOLVED_AT),
        ("Nonsense", None),
        ("", None),
    ],
)
def test_field_for_header(header: str, field: str | None) -> None:
    assert field_for_header(header) == field


def test_every_field_label_for_people_maps_back_to_its_field() -> None:
    # The app shows FIELD_LABELS; a file exported with those headers must load again without a mapping.
    for fld in schema.FIELDS:
        assert field_for_header(schema.FIELD_LABELS[fld]) == fld, schema.FIELD_LABELS[fld]


def test_fold_and_fold_keep() -> None:
    assert fold("  Value-Demand!! ") == "value demand"
    assert fold(None) == ""
    assert fold_keep("  Web   Form ") == "web form"
    assert fold_keep("Report a broken door, window or lock ") == "report a broken door, window or lock"
    assert fold_keep(None) == ""


# Column names of real exports (ticket, case and complaint systems, call logs): docs/data-contracts.md,
# "Systems recognised".
@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("opened_at", schema.RECEIVED_AT),
        ("sys_created_on", schema.RECEIVED_AT),
        ("created_at", schema.RECEIVED_AT),
        ("CreatedDate", schema.RECEIVED_AT),
        ("Date/Time Opened", schema.RECEIVED_AT),
        ("Created time", schema.RECEIVED_AT),
        ("Created On", schema.RECEIVED_AT),
        ("startTime", schema.RECEIVED_AT),
        ("contact_type", schema.TOUCHPOINT),
        ("Contact type", schema.TOUCHPOINT),
        ("Submitted via", schema.TOUCHPOINT),
        ("via.channel", schema.TOUCHPOINT),
        ("Via", schema.TOUCHPOINT),
        ("Case Origin", schema.TOUCHPOINT),
        ("Origin", schema.TOUCHPOINT),
        ("Source", schema.TOUCHPOINT),
        ("Consumer complaint narrative", schema.CUSTOMER_WORDS),
        ("short_description", schema.CUSTOMER_WORDS),
        ("Subject", schema.CUSTOMER_WORDS),
        ("Custom field (Customer Request Type)", schema.DEMAND_TYPE),
        ("Request Type", schema.DEMAND_TYPE),
        ("Case Reason", schema.DEMAND_TYPE),
        ("Issue", schema.DEMAND_TYPE),
        ("number", schema.CASE_ID),
        ("Ticket ID", schema.CASE_ID),
        ("CaseNumber", schema.CASE_ID),
        ("Complaint ID", schema.CASE_ID),
        ("Issue key", schema.CASE_ID),
        ("ser_time", schema.HANDLING_MINUTES),
        ("AHT (s)", schema.HANDLING_MINUTES),
        ("Handle Time (secs)", schema.HANDLING_MINUTES),
        ("talk_time_seconds", schema.HANDLING_MINUTES),
        ("duration_sec", schema.HANDLING_MINUTES),
        ("solved_at", schema.RESOLVED_AT),
        ("Resolved time", schema.RESOLVED_AT),
        ("closed_at", schema.RESOLVED_AT),
        ("Failure cause(s)", schema.FAILURE_CAUSE),
        # look alike, mean something else
        ("Resolve By", None),
        ("resolved_by", None),
        ("Full resolution time in minutes", None),
        ("Company response to consumer", None),
        ("sys_id", None),
    ],
)
def test_field_for_header_of_systems_exports(header: str, field: str | None) -> None:
    assert field_for_header(header) == field


@pytest.mark.parametrize("header", ["contact_type", "Contact type", "CONTACT TYPE", "type of contact"])
def test_contact_type_is_the_touchpoint_never_the_demand_type(header: str) -> None:
    mapping = suggest_mapping(["number", "opened_at", header, "category", "description"])
    assert mapping[schema.TOUCHPOINT] == header
    assert mapping[schema.DEMAND_TYPE] == "category"
    assert suggest_mapping(["Date", header]) == {schema.RECEIVED_AT: "Date", schema.TOUCHPOINT: header}


@pytest.mark.parametrize(
    ("columns", "field", "expected"),
    [
        (["short_description", "description"], schema.CUSTOMER_WORDS, "description"),
        (["description", "short_description"], schema.CUSTOMER_WORDS, "description"),
        (["Subject", "Consumer complaint narrative"], schema.CUSTOMER_WORDS, "Consumer complaint narrative"),
        (["Summary", "Description"], schema.CUSTOMER_WORDS, "Description"),
        (["Subject"], schema.CUSTOMER_WORDS, "Subject"),
        (["Product", "Sub-product", "Issue", "Sub-issue"], schema.DEMAND_TYPE, "Issue"),
        (["Type", "Case Reason"], schema.DEMAND_TYPE, "Case Reason"),
        (["Issue Type", "Custom field (Customer Request Type)"], schema.DEMAND_TYPE,
         "Custom field (Customer Request Type)"),
        (["category", "subcategory"], schema.DEMAND_TYPE, "category"),
        (["Type"], schema.DEMAND_TYPE, "Type"),
        (["closed_at", "resolved_at"], schema.RESOLVED_AT, "resolved_at"),
        (["Closed", "Date/Time Closed"], schema.RESOLVED_AT, "Date/Time Closed"),
        (["sys_created_on", "opened_at"], schema.RECEIVED_AT, "opened_at"),
        (["Id", "CaseNumber"], schema.CASE_ID, "CaseNumber"),
        (["talk_time_sec", "handle_time_sec"], schema.HANDLING_MINUTES, "handle_time_sec"),
        # within one tier the first column still wins, as before
        (["Date", "When"], schema.RECEIVED_AT, "Date"),
    ],
)
def test_the_better_name_wins_whatever_the_column_order(columns: list[str], field: str, expected: str) -> None:
    assert suggest_mapping(columns)[field] == expected


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("ser_time", "seconds"), ("duration_sec", "seconds"), ("talk_time_seconds", "seconds"),
        ("AHT (s)", "seconds"), ("Handle Time (secs)", "seconds"), ("handleTimeSeconds", "seconds"),
        ("Time spent (hrs)", "hours"), ("Duration in hours", "hours"),
        ("Mins", "minutes"), ("Duration (mins)", "minutes"), ("Handling minutes", "minutes"), ("AHT", "minutes"),
        ("Handling time(s)", "minutes"),  # a plural, not seconds
    ],
)
def test_duration_unit_from_the_column_name(header: str, unit: str) -> None:
    assert duration_unit(header) == unit
