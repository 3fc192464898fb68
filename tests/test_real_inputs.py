"""Inputs as real systems write them, and the reading options that make them load: a date format, a time
zone, no dates, the handling-time unit, a date and a time of day in two columns.

Every fixture is built here (bytes, or a file in tmp_path); every expected value is written out by hand from
the input, never taken from Workbench.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import cli, schema
from workbench.demand import analysis
from workbench.demand.dates import read_times
from workbench.demand.load import DemandFileError, LoadedDemand, load_demand

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load(text: str | bytes, name: str = "in.csv", **options: object) -> LoadedDemand:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return load_demand(data, name, **options)


def stamps(loaded: LoadedDemand, column: str = schema.RECEIVED_AT) -> list[pd.Timestamp | None]:
    return [None if pd.isna(v) else pd.Timestamp(v) for v in loaded.frame[column]]


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def aside(loaded: LoadedDemand) -> list[tuple[int, str]]:
    return [(s.row, s.reason) for s in loaded.report.set_aside]


def xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------ 1. date forms


@pytest.mark.parametrize(("cells", "expected", "words"), [
    (["2012/10/09 13:50:17.000", "2012/10/10 08:00:00.500"],
     ["2012-10-09 13:50:17", "2012-10-10 08:00:00.5"],
     "'2012/10/09 13:50:17.000' looks like year/month/day with seconds and fractions; Workbench read 2 of 2 "
     "like it"),
    (["2012-10-09 13:50:17.000", "2012-10-10 08:00:00.500"],
     ["2012-10-09 13:50:17", "2012-10-10 08:00:00.5"],
     "'2012-10-09 13:50:17.000' looks like year-month-day (ISO 8601) with seconds and fractions; Workbench "
     "read 2 of 2 like it"),
    (["10/9/2012 1:50 PM", "10/25/2012 9:05 AM", "12/31/2012 12:00 AM"],
     ["2012-10-09 13:50", "2012-10-25 09:05", "2012-12-31 00:00"],
     "'10/9/2012 1:50 PM' looks like month/day/year with minutes and a 12-hour clock (AM/PM); Workbench read "
     "3 of 3 like it"),
    (["990201", "990315", "000101"],
     ["1999-02-01", "1999-03-15", "2000-01-01"],
     "'990201' looks like year, month and day as six digits (YYMMDD); Workbench read 3 of 3 like it"),
])
def test_date_forms_read_to_the_right_time_and_the_report_names_them(
        cells: list[str], expected: list[str], words: str) -> None:
    text = "Date received,Type\n" + "".join(f"{c},t{i}\n" for i, c in enumerate(cells))
    loaded = load(text)
    assert stamps(loaded) == [ts(e) for e in expected]
    assert list(loaded.frame[schema.ROW]) == list(range(2, 2 + len(cells)))
    assert loaded.report.set_aside == []
    note = f"Dates in 'Date received': {words}."
    assert note in loaded.report.date_notes
    assert note in loaded.report.summary_lines()


def test_twelve_hour_month_first_says_why_it_is_month_first() -> None:
    loaded = load("Date received,Type\n10/9/2012 1:50 PM,a\n10/25/2012 9:05 AM,b\n")
    assert "Read month-first: '10/25/2012 9:05 AM' can only be month/day/year." in loaded.report.date_notes
    assert loaded.report.date_order == "month-first"


# ------------------------------------------------------------------------------------------ 2. date + time

ACD = "date,vru_entry,type\n990201,7:02:47,PS\n990202,23:59:59,NW\n990203,0:00:01,PS\n"
ACD_EXPECTED = [ts("1999-02-01 07:02:47"), ts("1999-02-02 23:59:59"), ts("1999-02-03 00:00:01")]


def test_date_and_time_columns_joined_with_plus() -> None:
    loaded = load(ACD, mapping={"received_at": "date+vru_entry"})
    assert stamps(loaded) == ACD_EXPECTED
    assert loaded.report.mapping["received_at"] == "date"
    assert loaded.report.mapping["received_time"] == "vru_entry"
    assert ("Times received joined from two columns: the date from 'date' and the time of day from "
            "'vru_entry' ('7:02:47'), for 3 of 3 rows.") in loaded.report.date_notes


def test_date_and_time_columns_joined_with_the_two_fields() -> None:
    loaded = load(ACD, mapping={"received_at": "date", "received_time": "vru_entry"})
    assert stamps(loaded) == ACD_EXPECTED


def test_without_the_time_mapping_the_acd_log_keeps_its_date_only() -> None:
    assert stamps(load(ACD)) == [ts("1999-02-01"), ts("1999-02-02"), ts("1999-02-03")]


def test_resolved_date_and_time_joined() -> None:
    text = ("date,vru_entry,end_date,end_time,type\n"
            "990201,7:02:47,990201,7:10:00,PS\n990202,23:59:59,990203,0:05:30,NW\n")
    loaded = load(text, mapping={"received_at": "date+vru_entry", "resolved_at": "end_date+end_time"})
    assert stamps(loaded) == [ts("1999-02-01 07:02:47"), ts("1999-02-02 23:59:59")]
    assert stamps(loaded, schema.RESOLVED_AT) == [ts("1999-02-01 07:10:00"), ts("1999-02-03 00:05:30")]


def test_time_column_named_time_is_joined_automatically_with_twelve_hour_and_fractions() -> None:
    text = ("Date,Time,type\n01/02/2026,1:50 PM,a\n02/02/2026,07:02:47.250,b\n03/02/2026,soon,c\n"
            "04/02/2026,,d\n05/02/2026,12:10 am,e\n")
    loaded = load(text)
    assert stamps(loaded) == [ts("2026-02-01 13:50"), ts("2026-02-02 07:02:47.25"), ts("2026-02-03"),
                              ts("2026-02-04"), ts("2026-02-05 00:10")]
    assert loaded.report.set_aside == []
    assert ("Times received joined from two columns: the date from 'Date' and the time of day from 'Time' "
            "('1:50 PM'), for 3 of 5 rows; 1 time(s) could not be read ('soon') and those rows keep their date "
            "only; 1 row(s) have no time and keep their date only.") in loaded.report.date_notes


def test_call_time_column_joined_automatically() -> None:
    loaded = load("Call date,Call time,Type\n2026-02-01,09:15,a\n2026-02-02,17:45:30,b\n")
    assert stamps(loaded) == [ts("2026-02-01 09:15"), ts("2026-02-02 17:45:30")]


def test_time_column_not_joined_when_the_dates_have_times() -> None:
    loaded = load("Date,Time,type\n01/02/2026 10:00,1:50 PM,a\n02/02/2026 11:00,07:02:47,b\n")
    assert stamps(loaded) == [ts("2026-02-01 10:00"), ts("2026-02-02 11:00")]
    assert "received_time" not in loaded.report.mapping
    assert ("Column 'Time' was not joined to 'Date': the dates there have times of their own (choose it as "
            "the time column to use it instead).") in loaded.report.notes


def test_chosen_time_column_is_joined_even_when_the_dates_have_times() -> None:
    text = "Opened,At,type\n2026-02-01 10:00,1:50 PM,a\n2026-02-02 11:00,07:02:47,b\n"
    loaded = load(text, mapping={"received_at": "Opened", "received_time": "At"})
    assert stamps(loaded) == [ts("2026-02-01 13:50"), ts("2026-02-02 07:02:47")]


def test_chosen_time_column_with_plus_is_joined_even_when_the_dates_have_times() -> None:
    text = "Opened,At,type\n2026-02-01 10:00,1:50 PM,a\n2026-02-02 11:00,07:02:47,b\n"
    loaded = load(text, mapping={"received_at": "Opened+At"})
    assert stamps(loaded) == [ts("2026-02-01 13:50"), ts("2026-02-02 07:02:47")]


def test_excel_date_cells_and_time_cells_joined() -> None:
    data = xlsx([
        ["Date", "Time", "Type"],
        [dt.date(2026, 2, 1), dt.time(13, 50, 17), "a"],
        [dt.datetime(2026, 2, 2), dt.time(7, 2, 47, 250000), "b"],
        [dt.datetime(2026, 2, 3), "later", "c"],
        [dt.datetime(2026, 2, 4), dt.time(23, 59, 59), "d"],
    ])
    loaded = load(data, "calls.xlsx")
    assert stamps(loaded) == [ts("2026-02-01 13:50:17"), ts("2026-02-02 07:02:47.25"), ts("2026-02-03"),
                              ts("2026-02-04 23:59:59")]
    assert list(loaded.frame[schema.ROW]) == [2, 3, 4, 5]
    note = next(n for n in loaded.report.date_notes if n.startswith("Times received joined"))
    assert "for 3 of 4 rows; 1 time(s) could not be read ('later') and those rows keep their date only" in note


def test_excel_time_fraction_just_before_midnight_stays_on_its_day() -> None:
    data = xlsx([["Date", "Time", "Type"], [dt.datetime(2026, 2, 4), 0.999999999999, "d"]])
    loaded = load(data, "calls.xlsx")
    assert stamps(loaded)[0].date() == dt.date(2026, 2, 4)


def test_chosen_time_column_that_is_not_times_is_refused() -> None:
    text = "date,vru_entry,type\n990201,x,a\n990202,y,b\n990203,7:00,c\n"
    with pytest.raises(DemandFileError) as err:
        load(text, mapping={"received_at": "date", "received_time": "vru_entry"})
    assert str(err.value) == (
        "in.csv: column 'vru_entry' was chosen as the time received but most of it is not a time of day (it "
        "holds 'x', 'y'); times such as 7:02:47, 13:50 or 1:50 PM can be joined to a date.")


def test_chosen_time_column_with_plus_that_is_not_times_is_refused() -> None:
    text = "date,vru_entry,type\n990201,x,a\n990202,y,b\n990203,7:00,c\n"
    with pytest.raises(DemandFileError, match="column 'vru_entry' was chosen as the time received"):
        load(text, mapping={"received_at": "date+vru_entry"})


def test_suggested_time_column_that_is_not_times_is_left_out_with_a_note() -> None:
    loaded = load("Date,Time,type\n2026-02-01,fast,a\n2026-02-02,slow,b\n")
    assert stamps(loaded) == [ts("2026-02-01"), ts("2026-02-02")]
    assert ("Column 'Time' was not used as the time received: it does not hold times of day ('fast', "
            "'slow').") in loaded.report.notes


# ------------------------------------------------------------------------------------------ 3. no dates

COMPLAINTS = ('Product,Consumer complaint narrative\n'
              'Mortgage,"They lost my\npayment, twice"\n'
              'Credit card,Fees I did not expect\n'
              'Mortgage,\n'
              'Debt collection,"Calls ""every day"""\n'
              'Mortgage,Escrow wrong\n')


def test_file_without_dates_is_refused_naming_no_dates() -> None:
    with pytest.raises(DemandFileError) as err:
        load(COMPLAINTS, "complaints.csv")
    message = str(err.value)
    assert message.startswith("complaints.csv: no date column found")
    assert "columns are: Product, Consumer complaint narrative" in message
    assert "--no-dates" in message


def test_file_without_dates_loads_with_no_dates() -> None:
    loaded = load(COMPLAINTS, "complaints.csv", no_dates=True)
    frame = loaded.frame
    assert len(frame) == 5
    assert list(frame[schema.ROW]) == [2, 3, 4, 5, 6]  # the two-line narrative is one row
    assert frame[schema.RECEIVED_AT].isna().all()
    assert frame[schema.RECEIVED_AT].dtype == np.dtype("datetime64[ns]")
    assert list(frame[schema.CUSTOMER_WORDS]) == ["They lost my\npayment, twice", "Fees I did not expect", "",
                                                  'Calls "every day"', "Escrow wrong"]
    assert loaded.report.set_aside == []
    assert loaded.report.rows_read == 5 and loaded.report.rows_used == 5
    assert loaded.report.date_order == "none"
    assert loaded.report.date_notes[0].startswith("Read without dates, as asked")
    pareto = analysis.pareto(frame)
    assert list(zip(pareto[schema.DEMAND_TYPE], pareto["count"], strict=True)) == [
        ("Mortgage", 3), ("Credit card", 1), ("Debt collection", 1)]
    assert list(pareto["share"]) == pytest.approx([0.6, 0.2, 0.2])
    head = analysis.headline(frame)
    assert (head.total, head.value, head.failure, head.unclassified) == (5, 0, 0, 5)
    assert head.failure_share is None and head.one_stop_share is None


def test_no_dates_ignores_a_date_column_that_is_there() -> None:
    loaded = load("Date received,Type\n2026-01-05,a\nnot known,b\n", no_dates=True)
    assert len(loaded.frame) == 2 and loaded.frame[schema.RECEIVED_AT].isna().all()
    assert loaded.report.set_aside == []


def test_headline_without_dates_has_no_first_or_last_date() -> None:
    head = analysis.headline(load(COMPLAINTS, no_dates=True).frame)
    assert head.first is None and head.last is None


def test_summary_without_dates_counts_the_types() -> None:
    body = analysis.summary(load(COMPLAINTS, no_dates=True).frame)
    assert [(t["demand_type"], t["count"]) for t in body["by_type"]] == [
        ("Mortgage", 3), ("Credit card", 1), ("Debt collection", 1)]
    assert body["weekly"] == []


# ------------------------------------------------------------------------------------------ 4. header rows


def test_header_below_a_quoted_multi_line_note_is_found_by_records() -> None:
    text = ('"Export note: this file\nwas made on Monday,\nby the team"\n'
            '\n'
            'Date received,Channel,Type\n'
            '2026-01-05 09:00,Phone,a\n'
            'not known,Email,b\n'
            '2026-01-06 10:00,Email,c\n')
    assert text.splitlines()[4] == "Date received,Channel,Type"  # physical line 5
    loaded = load(text)
    # a spreadsheet shows the note as row 1, the blank line as row 2, the header as row 3
    assert loaded.report.header_row == 3
    assert list(loaded.frame[schema.ROW]) == [4, 6]
    assert stamps(loaded) == [ts("2026-01-05 09:00"), ts("2026-01-06 10:00")]
    assert list(loaded.frame[schema.TOUCHPOINT]) == ["Phone", "Email"]
    assert aside(loaded) == [(5, "date not readable: 'not known' in 'Date received'")]
    assert "Set aside 1 row(s), date not readable: row 5." in loaded.report.summary_lines()


def test_header_below_a_title_block_and_a_note() -> None:
    text = ('Service desk demand\nWeek 2\n"Note, read me:\nline two\nline three"\n'
            'Date received,Channel,Type\n2026-01-05 09:00,Phone,a\n')
    loaded = load(text)
    assert loaded.report.header_row == 4
    assert list(loaded.frame[schema.ROW]) == [5]
    assert loaded.report.mapping == {"received_at": "Date received", "touchpoint": "Channel", "demand_type": "Type"}


def _narrative_file() -> str:
    """Header on line 1; narratives over many lines; a line inside one (physical line 32) reads like a
    header naming more fields than the real one."""
    fake = "Date received,Channel,Type,Demand type,Nature,Touchpoint,Customer words"
    para = "I rang about the boiler.\n\nNobody came, so I rang again.\n\nStill nothing."
    records = [
        ("2026-01-05 09:00", para + "\n" + "\n".join(f"line {i}" for i in range(10)), "Boiler"),
        ("2026-01-06 10:30", para + "\n" + "\n".join(f"more {i}" for i in range(10)) + "\n" + fake + "\nend",
         "Boiler"),
        ("not known", "short one", "Leak"),
        ("2026-01-07 11:45", 'She said "call back", so I did,\ntwice', "Leak"),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Date received", "What the customer said", "Type"])
    writer.writerows(records)
    return out.getvalue()


def test_narratives_over_many_lines_do_not_move_the_header() -> None:
    text = _narrative_file()
    fake_line = next(i for i, line in enumerate(text.splitlines(), start=1) if line.startswith("Date received,Ch"))
    assert fake_line == 32
    # within the first 30 non-blank physical lines: a line-by-line scan would weigh it as a header
    assert sum(1 for line in text.splitlines()[:fake_line] if line.strip()) <= 30
    loaded = load(text)
    assert loaded.report.header_row == 1
    assert loaded.report.columns == ["Date received", "What the customer said", "Type"]
    assert list(loaded.frame[schema.ROW]) == [2, 3, 5]
    assert stamps(loaded) == [ts("2026-01-05 09:00"), ts("2026-01-06 10:30"), ts("2026-01-07 11:45")]
    assert list(loaded.frame[schema.DEMAND_TYPE]) == ["Boiler", "Boiler", "Leak"]
    assert loaded.frame[schema.CUSTOMER_WORDS].iat[1].endswith(
        "Date received,Channel,Type,Demand type,Nature,Touchpoint,Customer words\nend")
    assert loaded.frame[schema.CUSTOMER_WORDS].iat[2] == 'She said "call back", so I did,\ntwice'
    assert aside(loaded) == [(4, "date not readable: 'not known' in 'Date received'")]


# ------------------------------------------------------------------------------------------ 5. systems


def test_servicenow_opened_at_over_sys_created_on_and_contact_type_is_the_touchpoint() -> None:
    text = ('"number","opened_at","sys_created_on","contact_type","category","short_description","description"\n'
            '"INC0010001","2026-03-02 09:15:07","2026-03-01 08:00:00","Phone","Network","VPN","VPN drops hourly"\n'
            '"INC0010002","2026-03-03 14:00:00","2026-03-03 13:59:00","Self-service","Hardware","Mouse","Broken"\n')
    loaded = load(text)
    assert loaded.report.mapping == {"received_at": "opened_at", "touchpoint": "contact_type",
                                     "customer_words": "description", "demand_type": "category",
                                     "case_id": "number"}
    assert stamps(loaded) == [ts("2026-03-02 09:15:07"), ts("2026-03-03 14:00:00")]
    assert list(loaded.frame[schema.TOUCHPOINT]) == ["Phone", "Self-service"]
    assert list(loaded.frame[schema.DEMAND_TYPE]) == ["Network", "Hardware"]


def test_sys_created_on_alone_is_the_date_and_contact_type_never_the_type() -> None:
    loaded = load("sys_created_on,contact_type,short_description\n2026-03-02 09:15:07,Email,Printer\n")
    assert loaded.report.mapping["received_at"] == "sys_created_on"
    assert loaded.report.mapping["touchpoint"] == "contact_type"
    assert "demand_type" not in loaded.report.mapping
    assert stamps(loaded) == [ts("2026-03-02 09:15:07")]


def test_cfpb_complaint_columns() -> None:
    text = ('Date received,Product,Issue,Consumer complaint narrative,Submitted via,Complaint ID\n'
            '03/08/2026,Mortgage,Trouble during payment process,"I called, and ""nobody"" answered",Web,123\n')
    loaded = load(text)
    m = loaded.report.mapping
    assert (m["customer_words"], m["touchpoint"], m["demand_type"], m["case_id"]) == (
        "Consumer complaint narrative", "Submitted via", "Issue", "Complaint ID")
    assert loaded.frame[schema.CUSTOMER_WORDS].iat[0] == 'I called, and "nobody" answered'
    assert loaded.frame[schema.TOUCHPOINT].iat[0] == "Web"


def test_call_detail_start_time_and_handle_time_seconds() -> None:
    text = ("startTime,channel,queue,handleTimeSeconds,talkTimeSeconds\n"
            "2026-03-02T09:15:07.123Z,voice,Billing,90,60\n2026-03-02T23:30:00Z,chat,Sales,45,30\n")
    loaded = load(text, timezone="UTC")
    assert loaded.report.mapping["received_at"] == "startTime"
    assert loaded.report.mapping["handling_minutes"] == "handleTimeSeconds"
    assert stamps(loaded) == [ts("2026-03-02 09:15:07.123"), ts("2026-03-02 23:30:00")]
    assert list(loaded.frame[schema.HANDLING_MINUTES]) == [1.5, 0.75]


ACD_SER = "date,type,ser_time\n990201,PS,90\n990202,NW,30\n"


def test_ser_time_is_seconds_shown_in_minutes_with_a_note() -> None:
    loaded = load(ACD_SER)
    assert list(loaded.frame[schema.HANDLING_MINUTES]) == [1.5, 0.5]
    assert ("Handling times in 'ser_time' read as seconds (its name says so) and shown in minutes; if they are "
            "not, choose the unit (CLI: --handling-unit).") in loaded.report.notes


def test_handling_unit_minutes_overrides_the_guess() -> None:
    loaded = load(ACD_SER, handling_unit="minutes")
    assert list(loaded.frame[schema.HANDLING_MINUTES]) == [90.0, 30.0]
    assert "Handling times in 'ser_time' read as minutes, as chosen." in loaded.report.notes


def test_handling_unit_hours() -> None:
    loaded = load("date,type,Duration\n990201,PS,1.5\n990202,NW,0.25\n", handling_unit="hours")
    assert list(loaded.frame[schema.HANDLING_MINUTES]) == [90.0, 15.0]
    assert "Handling times in 'Duration' read as hours, as chosen and shown in minutes." in loaded.report.notes


def test_handling_unit_that_is_not_a_unit_is_refused() -> None:
    with pytest.raises(DemandFileError, match=r"handling times can be in seconds, minutes, hours, not 'days'"):
        load(ACD_SER, handling_unit="days")


# ------------------------------------------------------------------------------------------ 6. date format


def test_date_format_reads_six_digits_and_sets_aside_what_does_not_fit() -> None:
    text = "date,type\n990201,a\n990230,b\n,c\n2026-01-05,d\n990315,e\n990316,f\n990317,g\n"
    loaded = load(text, date_format="%y%m%d")
    assert stamps(loaded) == [ts("1999-02-01"), ts("1999-03-15"), ts("1999-03-16"), ts("1999-03-17")]
    assert list(loaded.frame[schema.ROW]) == [2, 6, 7, 8]
    assert aside(loaded) == [
        (3, "date not readable: '990230' in 'date' does not fit '%y%m%d'"),
        (4, "no date: 'date' is blank"),
        (5, "date not readable: '2026-01-05' in 'date' does not fit '%y%m%d'"),
    ]
    assert ("Dates in 'date' read with the format '%y%m%d' as given: 4 of 6 ('990201'); 2 could not be read."
            in loaded.report.date_notes)


def test_date_format_is_used_for_the_resolved_column_too() -> None:
    loaded = load("opened,closed,type\n01.02.26,03.02.26,a\n", date_format="%d.%m.%y")
    assert stamps(loaded) == [ts("2026-02-01")]
    assert stamps(loaded, schema.RESOLVED_AT) == [ts("2026-02-03")]


def test_date_format_that_reads_nothing_is_refused_showing_the_cells() -> None:
    with pytest.raises(DemandFileError) as err:
        load("date,type\n990201,a\n990202,b\n", date_format="%d/%m/%Y")
    assert str(err.value) == (
        "in.csv: none of the rows in column 'date' reads with the date format '%d/%m/%Y' (it holds '990201', "
        "'990202'). Check the format's codes against those cells, or leave the format empty so Workbench works "
        "it out.")


@pytest.mark.parametrize(("fmt", "message"), [
    ("%Q", "in.csv: '%Q' has no year, month or day (%Y, %y, %m, %d, %b): it cannot give a date."),
    ("abc", "in.csv: 'abc' is not a date format: use codes such as %d/%m/%Y %H:%M or %y%m%d."),
])
def test_bad_date_format_is_refused_in_plain_words(fmt: str, message: str) -> None:
    with pytest.raises(DemandFileError) as err:
        load("date,type\n990201,a\n", date_format=fmt)
    assert str(err.value) == message


def test_date_format_with_an_offset_is_read_and_converted() -> None:
    loaded = load("Created,type\n2026-07-01T09:15:00+0000,a\n", date_format="%Y-%m-%dT%H:%M:%S%z",
                  timezone="Europe/London")
    assert stamps(loaded) == [ts("2026-07-01 10:15")]


# ------------------------------------------------------------------------------------------ 7. time zones

ZULU = "Created,Resolved,type\n2026-07-01T09:15:00Z,2026-07-01T11:15:00Z,a\n2026-01-05T09:15:00Z,,b\n" \
       "2026-07-01 09:15:00,,c\n"


def test_timezone_london_converts_z_times_with_summer_time() -> None:
    loaded = load(ZULU, timezone="Europe/London")
    assert stamps(loaded) == [ts("2026-07-01 10:15"), ts("2026-01-05 09:15"), ts("2026-07-01 09:15")]
    assert stamps(loaded, schema.RESOLVED_AT)[0] == ts("2026-07-01 12:15")
    assert loaded.frame[schema.RECEIVED_AT].dt.tz is None
    assert "Times with a UTC offset or 'Z' were converted to Europe/London time." in loaded.report.date_notes


def test_timezone_new_york() -> None:
    text = "Created,type\n2026-07-01T09:15:00Z,a\n2026-01-05T09:15:00Z,b\n2026-07-01T09:15:00+01:00,c\n"
    loaded = load(text, timezone="America/New_York")
    assert stamps(loaded) == [ts("2026-07-01 05:15"), ts("2026-01-05 04:15"), ts("2026-07-01 04:15")]
    assert "Times with a UTC offset or 'Z' were converted to America/New_York time." in loaded.report.date_notes


def test_unknown_timezone_is_refused() -> None:
    with pytest.raises(DemandFileError) as err:
        load(ZULU, timezone="Mars/Olympus")
    assert str(err.value) == ("in.csv: 'Mars/Olympus' is not a time zone Workbench knows; use a name such as "
                              "Europe/London, America/New_York or UTC.")


# ------------------------------------------------------------------------------------------ 8. the CLI


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def summary_json(capsys: pytest.CaptureFixture[str], *argv: object) -> dict:
    code, out, err = run(capsys, "demand", "summary", *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_map_date_plus_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "acd.txt", ACD)
    data = summary_json(capsys, path, "--map", "received_at=date+vru_entry")
    assert data["mapping"]["received_at"] == "date"
    assert data["mapping"]["received_time"] == "vru_entry"
    assert (data["rows"], data["first_date"], data["last_date"]) == (3, "1999-02-01", "1999-02-03")
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "demand", "export", path, "--map", "received_at=date+vru_entry", "--out", out)
    assert code == 0, err
    exported = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert [pd.Timestamp(r["received_at"]) for r in exported] == ACD_EXPECTED


def test_cli_date_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "d.csv", "date,type\n990201,a\n990230,b\n990315,c\n")
    data = summary_json(capsys, path, "--date-format", "%y%m%d")
    assert (data["rows"], data["first_date"], data["last_date"]) == (2, "1999-02-01", "1999-03-15")
    assert data["set_aside"] == [{"row": 3, "reason": "date not readable: '990230' in 'date' does not fit '%y%m%d'"}]


def test_cli_bad_date_format_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "d.csv", "date,type\n990201,a\n")
    code, out, err = run(capsys, "demand", "summary", path, "--date-format", "abc", "--format", "json")
    assert code == 2 and out == ""
    assert "'abc' is not a date format" in err


def test_cli_timezone_moves_the_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "z.csv", "Created,type\n2026-07-01T23:30:00Z,a\n")
    london = summary_json(capsys, path, "--timezone", "Europe/London")
    new_york = summary_json(capsys, path, "--timezone", "America/New_York")
    assert london["first_date"] == "2026-07-02"  # 00:30 British Summer Time
    assert new_york["first_date"] == "2026-07-01"  # 19:30 Eastern Daylight Time


def test_cli_no_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "complaints.csv", COMPLAINTS)
    code, out, err = run(capsys, "demand", "summary", path, "--format", "json")
    assert code == 2 and "--no-dates" in err
    data = summary_json(capsys, path, "--no-dates")
    assert data["rows"] == 5 and data["set_aside"] == []
    assert [(t["demand_type"], t["count"]) for t in data["by_type"]] == [
        ("Mortgage", 3), ("Credit card", 1), ("Debt collection", 1)]


def test_cli_handling_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "acd.txt", ACD_SER)
    guessed = summary_json(capsys, path)
    assert any(n.startswith("Handling times in 'ser_time' read as seconds") for n in guessed["notes"])
    chosen = summary_json(capsys, path, "--handling-unit", "minutes")
    assert "Handling times in 'ser_time' read as minutes, as chosen." in chosen["notes"]
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "demand", "export", path, "--handling-unit", "hours", "--out", out)
    assert code == 0, err
    exported = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert [float(r["handling_minutes"]) for r in exported] == [5400.0, 1800.0]


# ------------------------------------------------------------------------------------------ 9. properties

DAY = np.timedelta64(86_400_000_000_000, "ns")


@SETTINGS
@given(st.lists(st.one_of(st.text(max_size=20),
                          st.from_regex(r"\A\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)? ?([AaPp][Mm])?\Z"),
                          st.from_regex(r"\A\d{6}\Z")), max_size=20))
def test_read_times_on_any_text_is_nat_or_within_a_day(cells: list[str]) -> None:
    reading = read_times(pd.Series(cells, dtype="str"))
    values = reading.values
    assert len(values) == len(cells)
    read = values[~np.isnat(values)]
    assert ((read >= np.timedelta64(0, "ns")) & (read < DAY)).all()
    assert reading.read == len(read) <= reading.given <= len(cells)


FORMATS = ["%y%m%d", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%d %b %Y", "%m/%d/%Y %I:%M %p"]
DATEISH = st.one_of(st.text(max_size=16), st.from_regex(r"\A\d{6}\Z"), st.from_regex(r"\A\d{1,2}/\d{1,2}/\d{4}\Z"),
                    st.sampled_from(["990201", "01/02/2026", "2026-01-05 09:15", "9 Oct 2012", "", "31/02/2026"]))


@SETTINGS
@given(st.sampled_from(FORMATS), st.lists(DATEISH, min_size=1, max_size=8))
def test_load_with_a_date_format_raises_only_demand_file_errors(fmt: str, cells: list[str]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Date received", "Type"])
    writer.writerows([c, f"t{i}"] for i, c in enumerate(cells))
    try:
        loaded = load(out.getvalue(), date_format=fmt)
    except DemandFileError:
        return
    # what was kept has a date, and every row is kept, set aside or counted blank
    assert loaded.frame[schema.RECEIVED_AT].notna().all()
    report = loaded.report
    assert report.rows_used + len(report.set_aside) + report.blank_rows == report.rows_read


@SETTINGS
@given(st.lists(st.tuples(st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2068, 12, 31)),
                          st.times()), min_size=1, max_size=10),
       st.sampled_from(["%H:%M:%S", "%H:%M", "%I:%M %p", "%H:%M:%S.%f"]))
def test_joined_date_and_time_stay_on_their_day(pairs: list[tuple[dt.date, dt.time]], time_form: str) -> None:
    lines = ["date,vru_entry,type"]
    for d, t in pairs:
        lines.append(f"{d:%y%m%d},{t.strftime(time_form)},x")
    loaded = load("\n".join(lines) + "\n", mapping={"received_at": "date+vru_entry"})
    got = stamps(loaded)
    assert [g.date() for g in got] == [d for d, _ in pairs]
    for g, (_, t) in zip(got, pairs, strict=True):
        written = dt.datetime.strptime(t.strftime(time_form), time_form).time()
        assert g.time() == written
