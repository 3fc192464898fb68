"""Dates as real exports write them (issue 10): each form that used to be refused, read now, with the values
worked out independently (datetime(...)) and the words the load report says about them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import schema
from workbench.demand.dates import date_note, local_zone, read_dates, zone_name
from workbench.demand.load import DemandFileError, load_demand, parse_dates


def read(values: list[str], order: str = "auto", zone: str | None = "UTC") -> list[pd.Timestamp | None]:
    out, _ = parse_dates(pd.Series(values, dtype="str"), order, zone)  # type: ignore[arg-type]
    return [None if pd.isna(v) else v for v in out.tolist()]


def csv_dates(cells: list[str], name: str = "export.csv") -> tuple[list[pd.Timestamp], list[str], object]:
    """Load a small CSV whose date column holds `cells` (one row each) through the front door."""
    text = "Date received,Channel\n" + "".join(f'"{c}",Phone\n' for c in cells)
    loaded = load_demand(text.encode(), name)
    return loaded.frame[schema.RECEIVED_AT].tolist(), loaded.report.summary_lines(), loaded.report


# ------------------------------------------------------------------------------------------ each form


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2012/10/09 13:50:17.000", datetime(2012, 10, 9, 13, 50, 17)),
        ("2012.10.09", datetime(2012, 10, 9)),
        ("2012-10-09 13:50:17.000", datetime(2012, 10, 9, 13, 50, 17)),
        ("2024-03-01T09:15:30.123456", datetime(2024, 3, 1, 9, 15, 30, 123456)),
        ("2024-03-01 09:15:30.5", datetime(2024, 3, 1, 9, 15, 30, 500000)),
        ("10/9/2012 1:50 PM", datetime(2012, 10, 9, 13, 50)),  # month-first when chosen (see below)
        ("9 Oct 2012", datetime(2012, 10, 9)),
        ("09-Oct-2012", datetime(2012, 10, 9)),
        ("9 OCT 2012", datetime(2012, 10, 9)),
        ("October 9, 2012", datetime(2012, 10, 9)),
        ("Oct 9 2012 1:50PM", datetime(2012, 10, 9, 13, 50)),
        ("9 October 2012 14:30", datetime(2012, 10, 9, 14, 30)),
        ("Tue, 9 Oct 2012 13:50:17", datetime(2012, 10, 9, 13, 50, 17)),  # free form: dateutil
    ],
)
def test_each_form_is_read(cell: str, expected: datetime) -> None:
    order = "month-first" if cell.startswith("10/9") else "auto"
    assert read([cell], order) == [pd.Timestamp(expected)]


def test_twelve_hour_clock_am_pm_any_case_and_seconds() -> None:
    cells = ["10/25/2012 1:50 PM", "10/9/2012 01:50:17 pm", "10/9/2012 12:05 AM", "10/9/2012 12:05 PM"]
    out, used = parse_dates(pd.Series(cells, dtype="str"))
    assert used == "month-first"  # '10/25/2012' can only be month-first
    assert out.tolist() == [pd.Timestamp(datetime(2012, 10, 25, 13, 50)), pd.Timestamp(datetime(2012, 10, 9, 13, 50, 17)),
                            pd.Timestamp(datetime(2012, 10, 9, 0, 5)), pd.Timestamp(datetime(2012, 10, 9, 12, 5))]


def test_twelve_hour_clock_with_two_digit_years_follows_the_column_order() -> None:
    out, used = parse_dates(pd.Series(["25/12/12 1:50 PM", "01/02/13 9:00 AM"], dtype="str"))
    assert used == "day-first"
    assert out.tolist() == [pd.Timestamp(datetime(2012, 12, 25, 13, 50)), pd.Timestamp(datetime(2013, 2, 1, 9, 0))]


def test_six_digit_yymmdd_column() -> None:
    out, used = parse_dates(pd.Series(["990201", "000101", "121009"], dtype="str"))
    assert out.tolist() == [pd.Timestamp(datetime(1999, 2, 1)), pd.Timestamp(datetime(2000, 1, 1)),
                            pd.Timestamp(datetime(2012, 10, 9))]
    assert used == "iso"


def test_eight_digit_yyyymmdd_column() -> None:
    assert read(["20121009", "20240229"]) == [pd.Timestamp(datetime(2012, 10, 9)), pd.Timestamp(datetime(2024, 2, 29))]


def test_ordinary_six_digit_ids_are_not_dates() -> None:
    ids = ["123456", "100001", "104532", "998877"]  # 12-34-56: no month 34
    assert read(ids) == [None] * 4
    with pytest.raises(DemandFileError) as err:
        csv_dates(ids, "ids.csv")
    message = str(err.value)
    assert message.startswith("ids.csv: none of the rows in column 'Date received' holds a date Workbench can read")
    assert "'123456'" in message and "numbers but not all dates of one form" in message
    assert "day-first" not in message and "month-first" not in message  # an order could not help


def test_one_impossible_number_keeps_a_number_column_from_being_dates() -> None:
    assert read(["20121009", "20121301"]) == [None, None]  # month 13: the column is not YYYYMMDD


def test_unix_seconds_and_milliseconds() -> None:
    seconds = int((datetime(2012, 10, 9, 13, 50, 17, tzinfo=UTC)).timestamp())
    assert seconds == 1349790617
    out, used = parse_dates(pd.Series([str(seconds), str(seconds + 3600)], dtype="str"))
    assert used == "epoch"
    assert out.tolist() == [pd.Timestamp(datetime(2012, 10, 9, 13, 50, 17)), pd.Timestamp(datetime(2012, 10, 9, 14, 50, 17))]
    assert read([str(seconds * 1000 + 123)]) == [pd.Timestamp(datetime(2012, 10, 9, 13, 50, 17, 123000))]


def test_numbers_outside_2000_2100_are_not_unix_times() -> None:
    assert read(["946684799", "1349790617"]) == [None, None]  # the first is 1999-12-31 23:59:59 UTC


# ------------------------------------------------------------------------------------------ time zones


def test_z_and_offsets_are_converted_to_the_given_zone() -> None:
    cells = ["2024-03-01T09:15:30Z", "2024-03-01T09:15:30+01:00", "2024-03-01T09:15:30+0100",
             "2024-07-01 09:15:30.250-04:00"]
    london = ZoneInfo("Europe/London")

    def local(dt: datetime) -> pd.Timestamp:
        return pd.Timestamp(dt.astimezone(london).replace(tzinfo=None))

    expected = [local(datetime(2024, 3, 1, 9, 15, 30, tzinfo=UTC)),
                local(datetime(2024, 3, 1, 9, 15, 30, tzinfo=timezone(timedelta(hours=1)))),
                local(datetime(2024, 3, 1, 9, 15, 30, tzinfo=timezone(timedelta(hours=1)))),
                local(datetime(2024, 7, 1, 9, 15, 30, 250000, tzinfo=timezone(timedelta(hours=-4))))]
    assert read(cells, zone="Europe/London") == expected
    assert expected[3] == pd.Timestamp(datetime(2024, 7, 1, 14, 15, 30, 250000))  # British Summer Time
    reading = read_dates(pd.Series(cells, dtype="str"), zone="Europe/London")
    assert reading.zone == "Europe/London"
    assert "Times with a UTC offset or 'Z' were converted to Europe/London time." in date_note(reading, "When")


def test_offsets_default_to_the_machines_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert zone_name(local_zone()) == "Asia/Tokyo"
    assert read(["2024-03-01T09:15:30Z"], zone=None) == [pd.Timestamp(datetime(2024, 3, 1, 18, 15, 30))]


def test_naive_times_beside_offset_times_are_kept_as_written() -> None:
    assert read(["2024-03-01 09:15", "2024-03-01T09:15:00+01:00"], zone="UTC") == [
        pd.Timestamp(datetime(2024, 3, 1, 9, 15)), pd.Timestamp(datetime(2024, 3, 1, 8, 15))]


# ------------------------------------------------------------------------------------------ strictness


@pytest.mark.parametrize("cell", ["30 Feb 2026", "02/30/2026 1:00 PM", "2026/02/30", "2026-02-29T10:00:00Z",
                                  "31/04/26 10:00", "2026-02-30 10:00:00.000", "2026-01-05 23:59:60"])
def test_impossible_dates_in_any_form_are_unreadable(cell: str) -> None:
    order = "month-first" if cell.startswith("02/30") else "auto"
    assert read([cell, "2026-01-05"] if cell[0].isdigit() and "-" in cell[:5] else [cell], order)[0] is None


def test_dates_pandas_cannot_hold_are_set_aside_with_a_reason_not_an_error() -> None:
    text = "Date received,Channel\n5 Jan 9999,Phone\n5 Jan 2026,Email\n9 Oct 2012,Phone\n"
    loaded = load_demand(text.encode(), "far.csv")
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [pd.Timestamp(datetime(2026, 1, 5)),
                                                         pd.Timestamp(datetime(2012, 10, 9))]
    (aside,) = loaded.report.set_aside
    assert aside.row == 2
    assert aside.reason == ("date not readable: '5 Jan 9999' in 'Date received' is outside the years Workbench "
                            "can hold (1678 to 2261)")


@pytest.mark.parametrize("junk", ["9 Oct 2012 13:50 JTF", "Tuesday", "soon", "9 Oct", "Oct", "TBC 2026", "12", "13:50", "2012",
                                  "not a date 31/12/2026", "Z", "+01:00"])
def test_text_that_is_not_a_date_stays_unread(junk: str) -> None:
    assert read([junk, "9 Oct 2012"])[0] is None


# ------------------------------------------------------------------------------------------ whole files


def test_csv_of_year_first_slashes_with_milliseconds() -> None:
    cells = ["2012/10/09 13:50:17.000", "2012/10/10 08:01:02.500", "2012/10/11 23:59:59.999"]
    dates, lines, report = csv_dates(cells)
    assert dates == [pd.Timestamp(datetime(2012, 10, 9, 13, 50, 17)), pd.Timestamp(datetime(2012, 10, 10, 8, 1, 2, 500000)),
                     pd.Timestamp(datetime(2012, 10, 11, 23, 59, 59, 999000))]
    assert ("Dates in 'Date received': '2012/10/09 13:50:17.000' looks like year/month/day with seconds and "
            "fractions; Workbench read 3 of 3 like it.") in lines
    assert report.set_aside == []  # type: ignore[attr-defined]


def test_csv_of_month_names_and_am_pm() -> None:
    cells = ["Oct 9 2012 1:50PM", "Oct 10 2012 9:05AM", "Nov 1 2012 12:00PM"]
    dates, lines, _ = csv_dates(cells)
    assert dates == [pd.Timestamp(datetime(2012, 10, 9, 13, 50)), pd.Timestamp(datetime(2012, 10, 10, 9, 5)),
                     pd.Timestamp(datetime(2012, 11, 1, 12, 0))]
    assert ("Dates in 'Date received': 'Oct 9 2012 1:50PM' looks like month name, day, year with minutes and a "
            "12-hour clock (AM/PM); Workbench read 3 of 3 like it.") in lines


def test_csv_of_month_first_am_pm_says_why_month_first() -> None:
    cells = ["10/9/2012 1:50 PM", "10/25/2012 9:00 AM", "11/1/2012 12:00 PM"]
    dates, lines, report = csv_dates(cells)
    assert report.date_order == "month-first"  # type: ignore[attr-defined]
    assert dates == [pd.Timestamp(datetime(2012, 10, 9, 13, 50)), pd.Timestamp(datetime(2012, 10, 25, 9, 0)),
                     pd.Timestamp(datetime(2012, 11, 1, 12, 0))]
    assert "Read month-first: '10/25/2012 9:00 AM' can only be month/day/year." in lines


def test_csv_of_ambiguous_dates_says_day_first_was_assumed() -> None:
    _, lines, report = csv_dates(["01/02/2026 1:50 PM", "03/04/2026 9:00 AM"])
    assert report.date_order == "day-first"  # type: ignore[attr-defined]
    assert any(line.startswith("Read day-first (the UK convention): no date in the column has a day above 12")
               for line in lines)


def test_csv_of_yymmdd_and_yyyymmdd() -> None:
    dates, lines, _ = csv_dates(["990201", "991231"])
    assert dates == [pd.Timestamp(datetime(1999, 2, 1)), pd.Timestamp(datetime(1999, 12, 31))]
    assert ("Dates in 'Date received': '990201' looks like year, month and day as six digits (YYMMDD); "
            "Workbench read 2 of 2 like it.") in lines
    dates, _, _ = csv_dates(["20121009", "20121010"])
    assert dates == [pd.Timestamp(datetime(2012, 10, 9)), pd.Timestamp(datetime(2012, 10, 10))]


def test_csv_of_unix_milliseconds_with_a_blank_and_a_bad_cell() -> None:
    ms = int(datetime(2012, 10, 9, 13, 50, 17, tzinfo=UTC).timestamp() * 1000)
    dates, lines, report = csv_dates([str(ms), "", "TBC", str(ms + 60_000)])
    assert dates == [pd.Timestamp(datetime(2012, 10, 9, 13, 50, 17)), pd.Timestamp(datetime(2012, 10, 9, 13, 51, 17))]
    assert [(s.row, s.reason) for s in report.set_aside] == [  # type: ignore[attr-defined]
        (3, "no date: 'Date received' is blank"), (4, "date not readable: 'TBC' in 'Date received'")]
    assert ("Dates in 'Date received': '1349790617000' looks like Unix time in milliseconds; Workbench read 2 of 3 "
            "like it; 1 could not be read.") in lines


def test_csv_with_offsets_names_the_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    dates, lines, _ = csv_dates(["2024-07-01T09:15:30Z", "2024-07-01T09:15:30+02:00"])
    assert dates == [pd.Timestamp(datetime(2024, 7, 1, 10, 15, 30)), pd.Timestamp(datetime(2024, 7, 1, 8, 15, 30))]
    assert "Times with a UTC offset or 'Z' were converted to Europe/London time." in lines


def test_mixed_forms_are_counted_each() -> None:
    dates, lines, _ = csv_dates(["2012-10-09 13:50", "2012-10-10 08:00", "9 Oct 2012"])
    assert dates == [pd.Timestamp(datetime(2012, 10, 9, 13, 50)), pd.Timestamp(datetime(2012, 10, 10, 8, 0)),
                     pd.Timestamp(datetime(2012, 10, 9))]
    assert ("Dates in 'Date received': '2012-10-09 13:50' looks like year-month-day (ISO 8601) with minutes; "
            "Workbench read 2 of 3 like it; also 1 like '9 Oct 2012' (day, month name, year).") in lines


# ------------------------------------------------------------------------------------------ messages


def test_unreadable_column_lists_what_it_holds_and_only_what_could_help() -> None:
    text = "Date received,Logged\nsoon,2026-01-05\nlater,2026-01-06\n"
    with pytest.raises(DemandFileError) as err:
        load_demand(text.encode(), "words.csv")
    message = str(err.value)
    assert message == ("words.csv: none of the rows in column 'Date received' holds a date Workbench can read (it "
                       "holds 'soon', 'later'). Column 'Logged' holds dates: choose it in the mapping (CLI: --map "
                       "received_at=Logged).")


def test_unreadable_column_suggests_the_order_that_reads_it() -> None:
    text = "Date received,Channel\n31/01/2026,Phone\n25/12/2025,Letter\n"
    with pytest.raises(DemandFileError) as err:
        load_demand(text.encode(), "uk.csv", date_order="month-first")
    assert str(err.value) == ("uk.csv: none of the rows in column 'Date received' holds a date Workbench can read "
                              "(it holds '31/01/2026', '25/12/2025'). They read as day-first dates: choose day-first "
                              "under 'Dates are written' (CLI: --dayfirst).")


def test_unreadable_column_of_impossible_dates_suggests_no_order() -> None:
    with pytest.raises(DemandFileError) as err:
        load_demand(b"Date received,Channel\n32/13/2026,Phone\n", "bad.csv")
    assert "day-first" not in str(err.value) and "month-first" not in str(err.value)
    assert "(it holds '32/13/2026')." in str(err.value)


def test_a_column_of_one_form_is_read_in_full_and_said_so() -> None:
    cells = [f"2012/10/{d:02d} 13:50:17.000" for d in range(1, 29)] * 3
    _, lines, _ = csv_dates(cells)
    assert f"Workbench read {len(cells):,} of {len(cells):,} like it." in lines[1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 12, 31)), min_size=1,
                max_size=8), st.sampled_from(["%Y-%m-%d %H:%M:%S UTC", "%Y/%m/%d %H:%M GMT", "%Y-%m-%d %H:%M:%S Z"]))
def test_year_first_times_with_a_zone_name_keep_their_month(values: list[datetime], form: str) -> None:
    """Warehouse exports write '2026-03-02 09:15:00 UTC': year, month, day, whatever day-first sample the
    column's other cells suggest (dateutil's dayfirst would swap a day of 12 or under with the month)."""
    cells = pd.Series([v.strftime(form) for v in values], dtype="str")
    got = read_dates(cells, zone="UTC").values
    assert [(t.year, t.month, t.day, t.hour, t.minute) for t in got] == \
        [(v.year, v.month, v.day, v.hour, v.minute) for v in values]
