"""The call-centre sample: its generator rewrites the same bytes, its story holds in the file (counted here with
pandas, not by the generator), and its catalogue beside the maps is the same as the one in sample_data/."""

from __future__ import annotations

import csv
import io
import random
import runpy
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
DEMAND = SAMPLE / "call_centre_demand.csv"


def test_the_generator_writes_the_same_bytes() -> None:
    ns = runpy.run_path(str(SAMPLE / "make_call_centre.py"), run_name="not_main")
    rows = ns["rows"](random.Random(ns["SEED"]))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(ns["HEADER"])
    writer.writerows(rows)
    assert buf.getvalue().encode("utf-8") == DEMAND.read_bytes()
    catalogue = ns["catalogue_yaml"]()
    assert (SAMPLE / "call_centre_catalogue.yaml").read_text(encoding="utf-8") == catalogue
    assert (ROOT / "process_maps" / "call_centre" / "catalogues" / "call_centre_catalogue.yaml").read_text(
        encoding="utf-8") == catalogue
    assert ns["check"](rows) == []


def test_the_story_holds_in_the_file() -> None:
    d = pd.read_csv(DEMAND, parse_dates=["received_at"], keep_default_na=False)
    days = d["received_at"].dt.normalize()
    assert days.min() == pd.Timestamp("2026-12-07") and days.max() == pd.Timestamp("2026-12-24")
    assert not (d["received_at"].dt.day_of_week == 6).any()  # closed on Sundays
    assert not days.isin([pd.Timestamp("2026-12-25"), pd.Timestamp("2026-12-26")]).any()
    weekday = d[d["received_at"].dt.day_of_week < 5]
    hours = weekday["received_at"].dt.hour
    assert hours.min() == 8 and hours.max() == 19  # 08:00-20:00
    by_hour = hours.value_counts()
    assert by_hour.idxmax() in (9, 10)  # the morning peak
    saturday = d[d["received_at"].dt.day_of_week == 5]["received_at"].dt.hour
    assert saturday.min() >= 9 and saturday.max() <= 12  # 09:00-13:00
    classified = d[d["nature"] != ""]
    assert 0.40 <= (classified["nature"] == "failure").mean() <= 0.52
    assert set(d["touchpoint"]) == {"Phone", "Web chat"}
    assert (d["handling_minutes"] > 0).all()
    by_type = d[d["demand_type"] != ""].groupby("demand_type")["handling_minutes"].mean()
    assert by_type["Submit a meter reading"] < by_type["Pay a bill"] < by_type["Wrong bill"]
