"""Reading dates: ISO, day-first, month-first, detection, two-digit years, free-form leftovers.
(The forms real exports use are in test_dates_real.py.)"""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import schema
from workbench.demand.load import DemandFileError, detect_date_order, load_demand, parse_dates


def s(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def parsed(values: list[str], order: str = "auto") -> tuple[list[pd.Timestamp | None], str]:
    out, used = parse_dates(pd.Series(values, dtype="str"), order)
    return [None if pd.isna(v) else v for v in out.tolist()], used


T = pd.Timestamp


def test_iso_with_and_without_time_seconds_and_t() -> None:
    values = ["2026-01-05", "2026-01-05 09:15", "2026-01-05 09:15:30", "2026-01-05T09:15",
              "2026-01-05T09:15:30", "2026-1-5 9:05"]
    out, used = parsed(values)
    assert used == "iso"
    assert out == [T("2026-01-05"), T("2026-01-05 09:15"), T("2026-01-05 09:15:30"), T("2026-01-05 09:15"),
                   T("2026-01-05 09:15:30"), T("2026-01-05 09:05")]


def test_iso_with_zone_is_converted_to_the_zone_given() -> None:
    values = pd.Series(["2026-01-05T09:15:00+01:00", "2026-01-05T09:15Z"], dtype="str")
    assert parse_dates(values, "auto", "UTC")[0].tolist() == [T("2026-01-05 08:15"), T("2026-01-05 09:15")]
    # 09:15 UTC is 04:15 in New York in January (UTC-5)
    assert parse_dates(values, "auto", "America/New_York")[0].tolist() == [T("2026-01-05 03:15"),
                                                                           T("2026-01-05 04:15")]


def test_day_first() -> None:
    out, used = parsed(["31/01/2026 09:15", "01/02/2026", "02/02/2026 17:45:10"])
    assert used == "day-first"
    assert out == [T("2026-01-31 09:15"), T("2026-02-01"), T("2026-02-02 17:45:10")]


def test_day_first_with_dots_and_dashes() -> None:
    out, _ = parsed(["31.01.2026", "01-02-2026 08:00"])
    assert out == [T("2026-01-31"), T("2026-02-01 08:00")]


def test_month_first_with_the_option() -> None:
    out, used = parsed(["01/02/2026", "03/04/2026 10:30"], "month-first")
    assert used == "month-first"
    assert out == [T("2026-01-02"), T("2026-03-04 10:30")]


def test_day_first_option_on_ambiguous_dates() -> None:
    out, used = parsed(["01/02/2026", "03/04/2026 10:30"], "day-first")
    assert used == "day-first"
    assert out == [T("2026-02-01"), T("2026-04-03 10:30")]


@pytest.mark.parametrize(
    ("values", "order"),
    [
        (["05/01/2026", "31/01/2026"], "day-first"),  # first part 31 > 12
        (["01/05/2026", "01/31/2026"], "month-first"),  # second part 31 > 12
        (["01/02/2026", "03/04/2026"], "day-first"),  # ambiguous: day-first (UK teams)
        (["2026-01-05", "05/01/2026"], "iso"),
        ([], "day-first"),
    ],
)
def test_detect_date_order(values: list[str], order: str) -> None:
    assert detect_date_order(pd.Series(values, dtype="str")) == order


def test_auto_detects_month_first_and_reads_every_row_that_way() -> None:
    out, used = parsed(["01/31/2026 09:15", "02/01/2026"])
    assert used == "month-first"
    assert out == [T("2026-01-31 09:15"), T("2026-02-01")]


def test_forcing_month_first_on_day_first_data_sets_rows_aside_with_a_reason() -> None:
    text = ("Date received,Channel\n31/01/2026 09:15,Phone\n05/01/2026,Email\n25/12/2025,Letter\n"
            "05/02/2026,Web\n06/02/2026,Web\n")
    loaded = load_demand(text.encode(), "uk.csv", date_order="month-first")
    assert loaded.report.date_order == "month-first"
    # 05/01/2026 read month-first is 1 May.
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [T("2026-05-01"), T("2026-05-02"), T("2026-06-02")]
    assert [s.row for s in loaded.report.set_aside] == [2, 4]
    for item in loaded.report.set_aside:
        assert "not a month-first date" in item.reason
    assert "'31/01/2026 09:15'" in loaded.report.set_aside[0].reason


def test_a_column_where_most_rows_do_not_read_is_refused_not_guessed() -> None:
    """Fewer than half the dated rows readable: the file is refused with what the column holds and what
    would read it, rather than charting the few that happened to read."""
    text = "Date received,Channel\n31/01/2026 09:15,Phone\n05/01/2026,Email\n25/12/2025,Letter\n"
    with pytest.raises(DemandFileError) as err:
        load_demand(text.encode(), "uk.csv", date_order="month-first")
    assert str(err.value) == (
        "uk.csv: only 1 of 3 rows in column 'Date received' hold a date Workbench can read, too few to trust that "
        "it is the date column (it holds '31/01/2026 09:15', '25/12/2025'). They read as day-first dates: choose "
        "day-first under 'Dates are written' (CLI: --dayfirst).")


def test_forcing_month_first_when_no_row_fits_is_one_error() -> None:
    text = "Date received,Channel\n31/01/2026,Phone\n25/12/2025,Letter\n"
    with pytest.raises(DemandFileError, match=r"^uk\.csv: none of the rows"):
        load_demand(text.encode(), "uk.csv", date_order="month-first")


def test_bad_date_order_is_an_error() -> None:
    with pytest.raises(DemandFileError, match="date order"):
        load_demand(b"Date\n2026-01-05\n", "d.csv", date_order="year-first")


def test_two_digit_years_day_first() -> None:
    out, used = parsed(["31/01/26", "05/01/26 10:00"])
    assert used == "day-first"
    assert out == [T("2026-01-31"), T("2026-01-05 10:00")]


def test_two_digit_years_month_first() -> None:
    out, _ = parsed(["01/31/26", "12/25/25 18:30"], "month-first")
    assert out == [T("2026-01-31"), T("2025-12-25 18:30")]


def test_two_digit_years_in_a_file() -> None:
    loaded = load_demand(b"Date received,Channel\n31/01/26,Phone\n01/02/26,Email\n", "short_years.csv")
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [T("2026-01-31"), T("2026-02-01")]
    assert loaded.report.set_aside == []


def test_free_form_leftovers() -> None:
    out, _ = parsed(["31/01/2026", "5 Jan 2026", "5 January 2026 14:30", "Jan 7 2026 10:30"])
    assert out == [T("2026-01-31"), T("2026-01-05"), T("2026-01-05 14:30"), T("2026-01-07 10:30")]


def test_unreadable_and_blank_values_are_missing() -> None:
    out, _ = parsed(["2026-01-05", "not known", "", "32/13/2026", "2026-13-01"])
    assert out == [T("2026-01-05"), None, None, None, None]


@pytest.mark.parametrize(
    "impossible",
    ["2026-02-30", "2026-02-29 09:00", "2026-04-31T10:00"],  # 2026 is not a leap year
)
def test_impossible_iso_dates_are_unreadable_not_rolled_into_next_month(impossible: str) -> None:
    out, _ = parsed(["2026-01-05", impossible])
    assert out == [T("2026-01-05"), None]


def test_impossible_day_first_dates_in_a_file_are_set_aside() -> None:
    text = ("Date received,Channel\n30/02/2026,Phone\n31/04/2026 10:00,Email\n05/01/2026,Email\n06/01/2026,Web\n"
            "07/01/2026,Web\n")
    loaded = load_demand(text.encode(), "calendar.csv")
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [T("2026-01-05"), T("2026-01-06"), T("2026-01-07")]
    assert [s.row for s in loaded.report.set_aside] == [2, 3]
    assert all(s.reason.startswith("date not readable") for s in loaded.report.set_aside)
