"""The date order is worked out from cells spread over the whole file, not only its first rows."""

from __future__ import annotations

import pandas as pd

from workbench import schema
from workbench.demand.load import load_demand


def test_month_first_shows_only_after_the_first_rows() -> None:
    # 6,000 rows on 1-12 January (ambiguous: day and month both <= 12), then rows on 13-31 January written
    # month-first (01/13/2026): the file is month-first, which only the later rows reveal
    early = [f"01/{d:02d}/2026 09:00,Phone" for d in range(1, 13) for _ in range(500)]
    late = [f"01/{d:02d}/2026 10:00,Email" for d in range(13, 32) for _ in range(50)]
    data = ("Date received,Channel\n" + "\n".join(early + late) + "\n").encode()
    loaded = load_demand(data, "month_first.csv")
    assert loaded.report.date_order == "month-first"
    assert loaded.report.set_aside == []
    dates = loaded.frame[schema.RECEIVED_AT]
    assert dates.min() == pd.Timestamp("2026-01-01 09:00")
    assert dates.max() == pd.Timestamp("2026-01-31 10:00")
    assert (dates.dt.month == 1).all()


def test_years_pandas_cannot_hold_are_set_aside_not_garbled() -> None:
    data = (b"Date received,Channel\n0026-01-05,Phone\n2262-04-12 10:00,Email\n2026-01-05 09:00,Phone\n05/01/0026,Phone\n"
            b"2026-01-06 09:00,Web\n2026-01-07 09:00,Web\n2026-01-08 09:00,Web\n")
    loaded = load_demand(data, "years.csv")
    assert loaded.frame[schema.RECEIVED_AT].tolist() == [pd.Timestamp(f"2026-01-0{d} 09:00") for d in (5, 6, 7, 8)]
    assert [s.row for s in loaded.report.set_aside] == [2, 3, 5]
    assert all(s.reason.startswith("date not readable") for s in loaded.report.set_aside)


def test_spellings_that_differ_only_in_spaces_count_together() -> None:
    # 'Phone' is typed three times (once with a leading, once with a trailing space), 'PHONE' twice: the group
    # holds all five rows and shows the spelling most people typed, 'Phone'
    rows = ["2026-01-05, Phone", "2026-01-05,Phone ", "2026-01-05,Phone", "2026-01-05,PHONE", "2026-01-05,PHONE"]
    loaded = load_demand(("Date received,Channel\n" + "\n".join(rows) + "\n").encode(), "spaces.csv")
    assert loaded.frame[schema.TOUCHPOINT].astype(str).tolist() == ["Phone"] * 5
