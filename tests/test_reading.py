"""ReadOptions: how a demand file is read, one value from the page or CLI to the loader, store and archive."""

from __future__ import annotations

import dataclasses

import pytest

from workbench import schema
from workbench.demand.load import load_demand
from workbench.demand.reading import DATE_ORDERS, EXTRA_OPTION_NAMES, READ_OPTION_NAMES, ReadOptions
from workbench.store import archive
from workbench.store.models import DemandSourceRow

CSV = b"When,Channel,Notes\n05/01/2026,Phone,boiler\n06/01/2026,Email,leak\n"


def test_to_dict_and_from_dict_round_trip_and_the_mapping_keeps_its_order() -> None:
    options = ReadOptions.from_dict({"mapping": {"touchpoint": "Channel", "received_at": "When", "nature": None},
                                     "date_order": "month-first", "sheet": "Demand", "header_row": 3,
                                     "catalogue_text": "types: []\n", "date_format": "%y%m%d",
                                     "timezone": "Europe/London", "no_dates": True, "handling_unit": "seconds",
                                     "event_log": True})
    assert ReadOptions.from_dict(options.to_dict()) == options
    assert list(options.mapping) == ["touchpoint", "received_at", "nature"]
    assert list(options.to_dict()) == list(READ_OPTION_NAMES)
    assert READ_OPTION_NAMES == ("mapping", "date_order", "sheet", "header_row", "catalogue_text",
                                 "date_format", "timezone", "no_dates", "handling_unit", "event_log")
    assert options.extras() == {"date_format": "%y%m%d", "timezone": "Europe/London", "no_dates": True,
                                "handling_unit": "seconds", "event_log": True}
    assert ReadOptions().extras() == {}
    assert ReadOptions.from_dict({}) == ReadOptions()  # an old record without a newer option reads as unset


def test_frozen_hashable_and_keyed_whatever_the_mapping_order() -> None:
    a = ReadOptions().updated(mapping={"received_at": "When", "touchpoint": "Channel"})
    b = ReadOptions().updated(mapping={"touchpoint": "Channel", "received_at": "When"})
    assert a.key() == b.key() and hash(a.key()) == hash(b.key())
    assert len({a, b, a}) == 2  # hashable; the pairs' order is part of the value (it decides a clash)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.sheet = "x"  # type: ignore[misc]
    a.mapping["nature"] = "V/F"  # a copy: the options do not change
    assert "nature" not in a.mapping


def test_updated_changes_only_what_is_named_and_refuses_unknown_names() -> None:
    base = ReadOptions(sheet="Demand", date_order="day-first")
    assert base.updated() is base
    assert base.updated(header_row=4) == ReadOptions(sheet="Demand", header_row=4, date_order="day-first")
    with pytest.raises(TypeError, match="header_line"):
        base.updated(header_line=4)
    assert ReadOptions().order == "auto" and base.order == "day-first" and DATE_ORDERS[0] == "auto"


def test_load_demand_reads_the_same_with_options_or_keywords() -> None:
    by_options = load_demand(CSV, "d.csv", ReadOptions().updated(mapping={"received_at": "When"},
                                                                 date_order="month-first"))
    by_keywords = load_demand(CSV, "d.csv", mapping={"received_at": "When"}, date_order="month-first")
    assert by_options.frame.equals(by_keywords.frame)
    assert by_options.report.to_dict() == by_keywords.report.to_dict()
    assert by_options.frame[schema.RECEIVED_AT].dt.month.tolist() == [5, 6]


def test_the_options_catalogue_text_is_read_when_no_catalogue_is_given() -> None:
    text = "types:\n  - name: Chase\n    nature: failure\n"
    data = b"Date,Type\n2026-01-05,Chase\n"
    loaded = load_demand(data, "t.csv", ReadOptions(catalogue_text=text))
    assert loaded.frame[schema.NATURE].tolist() == [schema.FAILURE]
    assert loaded.report.filled_from_catalogue == 1


def test_every_option_has_a_store_column_and_an_archive_check() -> None:
    """Adding an option to ReadOptions without a column (migration) or a check on import fails here."""
    columns = set(DemandSourceRow.__table__.columns.keys())
    assert set(READ_OPTION_NAMES) - set(EXTRA_OPTION_NAMES) <= columns and "reading_extra" in columns
    assert set(archive._READING_CHECKS) | {"catalogue_text"} == set(READ_OPTION_NAMES)
