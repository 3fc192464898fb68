"""The two optional call-log fields: seconds waiting in the queue and whether the caller gave up."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from workbench import schema
from workbench.demand.cleaning import abandoned_value, queue_seconds_value
from workbench.demand.load import load_demand
from workbench.demand.mapping import suggest_mapping

CALLS = (b"Date,Channel,QUEUE WAIT TIME,ABANDONED\n"
         b"2026-01-05 09:00,Phone,00:01:30,1\n"
         b"2026-01-05 09:01,Phone,45,0\n"
         b"2026-01-05 09:02,Phone,,YES\n"
         b"2026-01-05 09:03,Phone,soon,maybe\n"
         b"2026-01-05 09:04,Phone,2:05,no\n"
         b"2026-01-05 09:05,Phone,1:00:00.5,abandoned\n")


def test_queue_fields_read_good_blank_unreadable_and_clock_durations() -> None:
    loaded = load_demand(CALLS, name="calls.csv")
    frame = loaded.frame
    assert loaded.report.mapping[schema.QUEUE_SECONDS] == "QUEUE WAIT TIME"
    assert loaded.report.mapping[schema.ABANDONED] == "ABANDONED"
    waits = frame[schema.QUEUE_SECONDS].tolist()
    assert waits[:2] == [90.0, 45.0]
    assert math.isnan(waits[2]) and math.isnan(waits[3])  # blank; unreadable
    assert waits[4:] == [125.0, 3600.5]
    assert frame[schema.ABANDONED].tolist() == [True, False, True, pd.NA, False, True]
    notes = " ".join(loaded.report.notes)
    assert ("calls.csv: 1 queue wait(s) in column 'QUEUE WAIT TIME' could not be read as seconds or hh:mm:ss "
            "and were left blank (the first at row 5: 'soon')") in notes
    assert "calls.csv: 1 gave-up answer(s) in column 'ABANDONED' could not be read as yes/no" in notes
    assert "row 5: 'maybe'" in notes


def test_files_without_the_columns_get_blank_fields_and_no_notes() -> None:
    loaded = load_demand(b"Date,Channel\n2026-01-05 09:00,Phone\n2026-01-05 09:01,Email\n", name="plain.csv")
    assert schema.QUEUE_SECONDS not in loaded.report.mapping and schema.ABANDONED not in loaded.report.mapping
    assert loaded.frame[schema.QUEUE_SECONDS].isna().all()
    assert loaded.frame[schema.ABANDONED].isna().all()
    assert not any("queue" in n or "gave-up" in n for n in loaded.report.notes)


def test_vendor_column_names_are_recognised() -> None:
    for columns, wait, flag in (
        (["Date", "QUEUE WAIT TIME", "ABANDONED"], "QUEUE WAIT TIME", "ABANDONED"),  # Five9 call log
        (["Date", "Queue Duration", "Abandoned"], "Queue Duration", "Abandoned"),  # Genesys Cloud export
        (["Date", "QueueInfo.Duration", "Abandoned"], "QueueInfo.Duration", "Abandoned"),  # Amazon Connect CTR
        (["received_at", "queue_seconds", "abandoned"], "queue_seconds", "abandoned"),
        (["Date", "Time in queue (s)", "Gave up"], "Time in queue (s)", "Gave up"),
    ):
        mapping = suggest_mapping(columns)
        assert mapping[schema.QUEUE_SECONDS] == wait, columns
        assert mapping[schema.ABANDONED] == flag, columns


@given(st.integers(0, 99), st.integers(0, 59), st.integers(0, 59))
def test_clock_durations_are_hours_minutes_seconds(h: int, m: int, s: int) -> None:
    assert queue_seconds_value(f"{h:02d}:{m:02d}:{s:02d}") == h * 3600 + m * 60 + s
    assert queue_seconds_value(f"{m}:{s:02d}") == m * 60 + s


@given(st.floats(0, 1e7, allow_nan=False))
def test_plain_numbers_are_seconds(x: float) -> None:
    assert queue_seconds_value(repr(x)) == x
    assert queue_seconds_value(x) == x


@given(st.text(alphabet="abcxyz-!? ", min_size=1))
def test_words_and_negatives_are_unreadable(text: str) -> None:
    assert queue_seconds_value(text) is None
    assert queue_seconds_value("-5") is None
    assert queue_seconds_value("00:75:00") is None  # minutes past 59 in h:mm:ss


@given(st.sampled_from(["yes", "Y", "1", "true", "TRUE", "Abandoned", " y "]),
       st.sampled_from(["no", "N", "0", "false", "answered", "No "]))
def test_flags(yes: str, no: str) -> None:
    assert abandoned_value(yes) is True
    assert abandoned_value(no) is False
    assert abandoned_value("") is None and abandoned_value("maybe") is None
