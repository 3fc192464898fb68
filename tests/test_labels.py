"""Normalising the labels teams type: value/failure, yes/no and column headers."""

from __future__ import annotations

import pytest

from workbench import schema
from workbench.demand.labels import field_for_header, fold, fold_keep, nature_label, yes_no


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
