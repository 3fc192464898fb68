"""A team's corrections to single rows: type, nature, cause; replayed onto a copy of the frame."""

from __future__ import annotations

import pandas as pd
import pytest
from demand_fixtures import small_catalogue

from workbench import schema
from workbench.demand.corrections import Correction, CorrectionError, apply_corrections
from workbench.demand.load import load_demand

CATALOGUE = small_catalogue("cat.yaml")

DATA = """\
Date,Type,V/F,Cause
2026-01-05,Report a leak,,
2026-01-05,Chasing a repair,,
2026-01-06,Report a leak,V,
2026-01-06,,,
2026-01-07,Mystery,,
2026-01-07,Chasing a repair,F,my own words
"""
# Rows (spreadsheet numbering): 2 leak (catalogue), 3 chasing (catalogue), 4 leak (recorded V),
# 5 nothing, 6 a type the catalogue does not know, 7 chasing recorded F with its own cause.


@pytest.fixture
def demand() -> pd.DataFrame:
    return load_demand(DATA.encode(), "c.csv", catalogue=CATALOGUE).frame


def at(df: pd.DataFrame, row: int) -> dict[str, object]:
    record = df.loc[df[schema.ROW] == row].iloc[0]
    out = {}
    for col in (schema.DEMAND_TYPE, schema.NATURE, schema.FAILURE_CAUSE, schema.NATURE_SOURCE):
        value = record[col]
        out[col] = None if pd.isna(value) else str(value)
    return out


def test_starting_point(demand: pd.DataFrame) -> None:
    assert at(demand, 2) == {"demand_type": "Report a leak", "nature": "value", "failure_cause": None,
                             "nature_source": "catalogue"}
    assert at(demand, 4)["nature_source"] == "data"
    assert at(demand, 5) == {"demand_type": None, "nature": "unclassified", "failure_cause": None,
                             "nature_source": ""}


def test_change_nature(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [Correction(2, schema.NATURE, "FD")], CATALOGUE)
    assert at(out, 2) == {"demand_type": "Report a leak", "nature": "failure", "failure_cause": None,
                          "nature_source": "correction"}
    # Only that row changed.
    assert out.drop(index=0).equals(demand.drop(index=0))


def test_change_nature_to_value_clears_the_cause(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [Correction(3, schema.NATURE, "value")], CATALOGUE)
    assert at(out, 3) == {"demand_type": "Chasing a repair", "nature": "value", "failure_cause": None,
                          "nature_source": "correction"}


def test_change_nature_to_blank_makes_it_unclassified(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [Correction(4, schema.NATURE, "")], CATALOGUE)
    assert at(out, 4)["nature"] == "unclassified"
    assert at(out, 4)["nature_source"] == ""


def test_change_type_of_a_catalogue_row_takes_the_catalogue_nature_and_cause(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [Correction(2, schema.DEMAND_TYPE, "nobody turned up ")], CATALOGUE)
    assert at(out, 2) == {"demand_type": "Nobody turned up", "nature": "failure", "failure_cause": "not done",
                          "nature_source": "catalogue"}


def test_change_type_of_an_unclassified_row_takes_the_catalogue_nature(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [Correction(5, schema.DEMAND_TYPE, "Chasing a repair"),
                                     Correction(6, schema.DEMAND_TYPE, "REPORT A LEAK")], CATALOGUE)
    assert at(out, 5) == {"demand_type": "Chasing a repair", "nature": "failure",
                          "failure_cause": "progress chasing", "nature_source": "catalogue"}
    assert at(out, 6) == {"demand_type": "Report a leak", "nature": "value", "failure_cause": None,
                          "nature_source": "catalogue"}


def test_change_type_keeps_a_nature_recorded_in_the_data(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [Correction(4, schema.DEMAND_TYPE, "Chasing a repair"),
                                     Correction(7, schema.DEMAND_TYPE, "Report a leak")], CATALOGUE)
    assert at(out, 4) == {"demand_type": "Chasing a repair", "nature": "value", "failure_cause": None,
                          "nature_source": "data"}
    assert at(out, 7) == {"demand_type": "Report a leak", "nature": "failure", "failure_cause": "my own words",
                          "nature_source": "data"}


def test_change_type_keeps_a_nature_corrected_by_hand(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [Correction(2, schema.NATURE, "failure"),
                                     Correction(2, schema.DEMAND_TYPE, "Report a leak")], CATALOGUE)
    assert at(out, 2)["nature"] == "failure"
    assert at(out, 2)["nature_source"] == "correction"


def test_change_type_to_one_the_catalogue_does_not_know(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [Correction(2, schema.DEMAND_TYPE, "Parking permit")], CATALOGUE)
    assert at(out, 2) == {"demand_type": "Parking permit", "nature": "unclassified", "failure_cause": None,
                          "nature_source": ""}


def test_change_type_without_a_catalogue_changes_only_the_type(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [Correction(3, schema.DEMAND_TYPE, "Something else")])
    assert at(out, 3) == {"demand_type": "Something else", "nature": "failure",
                          "failure_cause": "progress chasing", "nature_source": "catalogue"}


def test_change_cause(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [Correction(3, schema.FAILURE_CAUSE, " sent elsewhere "),
                                     Correction(7, schema.FAILURE_CAUSE, "")], CATALOGUE)
    assert at(out, 3)["failure_cause"] == "sent elsewhere"
    assert at(out, 7)["failure_cause"] is None


def test_later_corrections_win(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [Correction(5, schema.NATURE, "V"), Correction(5, schema.NATURE, "F")])
    assert at(out, 5)["nature"] == "failure"


def test_unknown_row(demand: pd.DataFrame) -> None:
    with pytest.raises(CorrectionError, match="row 99"):
        apply_corrections(demand, [Correction(99, schema.NATURE, "value")], CATALOGUE)


def test_bad_nature_label(demand: pd.DataFrame) -> None:
    with pytest.raises(CorrectionError, match="banana"):
        apply_corrections(demand, [Correction(2, schema.NATURE, "banana")], CATALOGUE)


def test_field_that_cannot_be_corrected(demand: pd.DataFrame) -> None:
    with pytest.raises(CorrectionError, match="customer_words"):
        apply_corrections(demand, [Correction(2, schema.CUSTOMER_WORDS, "x")], CATALOGUE)


def test_original_frame_is_unchanged(demand: pd.DataFrame) -> None:
    before = demand.copy(deep=True)
    apply_corrections(demand, [
        Correction(2, schema.NATURE, "failure"),
        Correction(3, schema.DEMAND_TYPE, "Parking permit"),
        Correction(4, schema.FAILURE_CAUSE, "new cause"),
        Correction(5, schema.DEMAND_TYPE, "Chasing a repair"),
    ], CATALOGUE)
    pd.testing.assert_frame_equal(demand, before)
    # And a failed batch leaves it alone too.
    with pytest.raises(CorrectionError):
        apply_corrections(demand, [Correction(2, schema.NATURE, "failure"), Correction(99, schema.NATURE, "v")])
    pd.testing.assert_frame_equal(demand, before)


def test_no_corrections_is_an_equal_copy(demand: pd.DataFrame) -> None:
    out = apply_corrections(demand, [], CATALOGUE)
    assert out is not demand
    pd.testing.assert_frame_equal(out, demand)
