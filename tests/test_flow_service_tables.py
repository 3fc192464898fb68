"""The map editor's tables for what the service is like: working hours and rosters, queues at touchpoints
(patience, call-backs), closed dates and the shape of a step's touch time, round-tripped through
workbench.flow.tables, with unreadable cells refused by table, row and column."""

from __future__ import annotations

import datetime
from pathlib import Path

import pandas as pd
import pytest

from workbench.flow import tables as T
from workbench.flow.model import Shift, load_map, parse_map, to_yaml

ROOT = Path(__file__).resolve().parent.parent
MAPS = sorted(p for p in (ROOT / "process_maps").rglob("*.yaml") if "catalogues" not in p.parts)
CALL_CENTRE = ROOT / "process_maps" / "call_centre" / "call_centre_as_is.yaml"

SMALL = """
name: Desk
closed: ["2026-12-25"]
touchpoints:
  Phone: {patience: {mean: 3, unit: minutes, distribution: exponential}, call_back: 60%}
roles:
  - id: desk
    name: Desk
    staff: 2
    hours: {Mon-Fri: "09:00-17:00", Sat: "09:00-12:30"}
  - id: agents
    name: Agents
    roster:
      - {days: Mon-Fri, from: "08:00", to: "10:00", staff: 8}
      - {days: Mon-Fri, from: "10:00", to: "16:00", staff: 12}
entry: serve
steps:
  - id: serve
    name: Serve
    role: agents
    touch: {from_data: true, fit: gamma}
    patience: {mean: 2, unit: minutes, distribution: exponential}
    routes: [{to: help, types: ["Report a broken door, window or lock"]}, {to: resolved, otherwise: true}]
  - id: help
    name: Help
    role: desk
    touch: {mean: 6, sd: 4, distribution: lognormal}
    routes: [{to: resolved, otherwise: true}]
"""


def _round_trip(text: str) -> tuple[str, str]:
    m = parse_map(text, "m.yaml")
    return to_yaml(m.copy(problems=[], lines={})), to_yaml(T.from_tables(m, T.to_tables(m)))


@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.name)
def test_every_bundled_map_survives_the_tables_unchanged(path: Path) -> None:
    before, after = _round_trip(path.read_text(encoding="utf-8"))
    assert after == before


def test_the_service_keys_survive_the_tables_unchanged() -> None:
    before, after = _round_trip(SMALL)
    assert after == before
    m = parse_map(after, "m.yaml")
    assert m.closed == [datetime.date(2026, 12, 25)]
    assert m.touchpoints["Phone"].call_back == pytest.approx(0.6)
    assert m.step("serve").patience.likely == 2  # type: ignore[union-attr]
    assert m.step("serve").touch.fit == "gamma"  # type: ignore[union-attr]
    assert m.step("help").touch.distribution == "lognormal"  # type: ignore[union-attr]
    assert m.step("serve").routes[0].types == ["Report a broken door, window or lock"]  # type: ignore[union-attr]


def test_the_hours_table_shows_one_row_per_shift_and_per_opening_window() -> None:
    tables = T.to_tables(parse_map(SMALL, "m.yaml"))
    hours = tables["hours"].fillna({"staff": -1}).to_dict("records")
    assert hours == [
        {"role": "desk", "days": "Mon-Fri", "from": "09:00", "to": "17:00", "staff": -1},
        {"role": "desk", "days": "Sat", "from": "09:00", "to": "12:30", "staff": -1},
        {"role": "agents", "days": "Mon-Fri", "from": "08:00", "to": "10:00", "staff": 8},
        {"role": "agents", "days": "Mon-Fri", "from": "10:00", "to": "16:00", "staff": 12},
    ]
    assert tables["queues"].to_dict("records") == [
        {"touchpoint": "Phone", "patience_minutes": 3.0, "call_back": 60.0, "call_back_after_minutes": 60.0}]


def test_editing_a_shift_and_adding_an_evening_one_changes_the_roster() -> None:
    m = parse_map(SMALL, "m.yaml")
    tables = T.to_tables(m)
    hours = tables["hours"].copy()
    hours.loc[3, "staff"] = 10
    hours.loc[len(hours)] = {"role": "agents", "days": "Mon-Fri", "from": "16:00", "to": "20:00", "staff": 6}
    changed = T.from_tables(m, {**tables, "hours": hours})
    agents = changed.role("agents")
    assert agents is not None
    weekdays = (0, 1, 2, 3, 4)
    assert agents.roster == [Shift(weekdays, 480.0, 600.0, 8), Shift(weekdays, 600.0, 960.0, 10),
                             Shift(weekdays, 960.0, 1200.0, 6)]
    assert agents.peak_staff == 10
    again = parse_map(to_yaml(changed), "m.yaml")
    assert again.problems == []
    assert again.role("agents").roster == agents.roster  # type: ignore[union-attr]


def test_rows_without_staff_become_opening_hours_and_no_rows_fall_back_to_hours_a_day() -> None:
    m = parse_map(SMALL, "m.yaml")
    tables = T.to_tables(m)
    hours = tables["hours"][tables["hours"]["role"] != "desk"].reset_index(drop=True)
    hours.loc[len(hours)] = {"role": "desk", "days": "weekdays", "from": "07:30", "to": "15:30", "staff": None}
    changed = T.from_tables(m, {**tables, "hours": hours})
    desk = changed.role("desk")
    assert desk is not None and desk.roster == []
    assert desk.hours == {d: [(450.0, 930.0)] for d in range(5)}
    none = T.from_tables(m, {**tables, "hours": tables["hours"].iloc[0:0]})
    assert none.role("desk").hours == {} and none.role("agents").roster == []  # type: ignore[union-attr]


@pytest.mark.parametrize(("column", "value", "words"), [
    ("days", "Mnday", "'Mnday' is not a day"),
    ("from", "25:00", "'25:00' is not a time"),
    ("to", "08:00", "starts and ends at the same time"),
    ("staff", -2, "cannot be negative"),
])
def test_an_unreadable_hours_cell_is_refused_naming_its_row_and_column(column: str, value: object,
                                                                       words: str) -> None:
    m = parse_map(SMALL, "m.yaml")
    tables = T.to_tables(m)
    hours = tables["hours"].copy()
    hours[column] = hours[column].astype(object)
    hours.at[2, column] = value
    with pytest.raises(T.TableError) as caught:
        T.from_tables(m, {**tables, "hours": hours})
    assert f"Working hours table, row 3, column '{column}'" in str(caught.value)
    assert words in str(caught.value)


def test_queues_and_closed_dates_are_edited_in_their_tables() -> None:
    m = parse_map(SMALL, "m.yaml")
    tables = T.to_tables(m)
    queues = pd.DataFrame([{"touchpoint": "Phone", "patience_minutes": 5.0, "call_back": 40.0,
                            "call_back_after_minutes": 90.0},
                           {"touchpoint": "Web chat", "patience_minutes": None, "call_back": None,
                            "call_back_after_minutes": None}])
    closed = pd.DataFrame({"date": [datetime.date(2027, 1, 1), "2026-12-26", None]})
    changed = T.from_tables(m, {**tables, "queues": queues, "closed": closed})
    phone = changed.touchpoints["Phone"]
    assert phone.patience is not None and phone.patience.exponential and phone.patience.likely == 5.0
    assert phone.call_back == pytest.approx(0.4)
    assert phone.call_back_after.likely == 90.0 and phone.call_back_after.unit == "minutes"
    assert changed.touchpoints["Web chat"].patience is None
    assert changed.closed == [datetime.date(2026, 12, 26), datetime.date(2027, 1, 1)]
    bad = pd.DataFrame({"date": ["Christmas"]})
    with pytest.raises(T.TableError, match=r"Closed dates table, row 1, column 'date': 'Christmas' is not a date"):
        T.from_tables(m, {**tables, "closed": bad})


def test_the_touch_shape_column_sets_how_a_touch_time_is_drawn() -> None:
    m = parse_map(SMALL, "m.yaml")
    tables = T.to_tables(m)
    steps = tables["steps"].copy()
    assert steps["touch_shape"].tolist() == ["from the data, gamma fit", "lognormal (mean, sd)"]
    assert steps.loc[1, ["touch_likely", "touch_sd"]].tolist() == [6.0, 4.0]
    steps.loc[0, "touch_shape"] = "gamma (mean, sd)"
    steps.loc[0, ["touch_likely", "touch_sd"]] = [7.0, 3.0]
    steps.loc[1, "touch_shape"] = "from the data"
    changed = T.from_tables(m, {**tables, "steps": steps})
    serve, help_ = changed.step("serve"), changed.step("help")
    assert serve is not None and help_ is not None
    assert (serve.touch.distribution, serve.touch.likely, serve.touch.sd) == ("gamma", 7.0, 3.0)
    assert help_.touch.from_data and help_.touch.fit == ""
    steps.loc[0, "touch_sd"] = None
    with pytest.raises(T.TableError, match="Steps table, row 1, column 'touch_sd'"):
        T.from_tables(m, {**tables, "steps": steps})


def test_a_type_with_a_comma_keeps_its_name_through_the_routes_table() -> None:
    assert T.join_types(["Report a broken door, window or lock"]) == "Report a broken door, window or lock;"
    assert T.split_types("Report a broken door, window or lock;") == ["Report a broken door, window or lock"]
    assert T.split_types("A, b; C") == ["A, b", "C"]
    assert T.split_types("Pay a bill, Moving home") == ["Pay a bill", "Moving home"]
    housing = load_map(ROOT / "process_maps" / "housing_repairs_standard_work.yaml")
    routed = T.from_tables(housing, T.to_tables(housing))
    doors = [r for s in routed.steps for r in s.routes if "Report a broken door, window or lock" in r.types]
    assert len(doors) == sum("Report a broken door, window or lock" in r.types for s in housing.steps
                             for r in s.routes) > 0


def test_the_call_centre_sample_reads_without_problems() -> None:
    m = load_map(CALL_CENTRE)
    assert m.problems == []
    agent = m.role("agent")
    assert agent is not None and agent.peak_staff == 5
    assert m.touchpoints["Phone"].call_back == pytest.approx(0.7)


def test_the_diagram_says_who_is_at_work_and_when_callers_give_up() -> None:
    from workbench.flow.diagram import to_dot

    dot = to_dot(parse_map(SMALL, "m.yaml"))
    assert 'label="Agents (roster: 8-12 at work)"' in dot
    assert 'label="Desk (2, Mon-Fri 09:00-17:00; Sat 09:00-12:30)"' in dot
    assert "Phone: give up after" in dot and "~3 min (exp.)" in dot
    plain = to_dot(load_map(ROOT / "process_maps" / "housing_repairs_worker_led.yaml"))
    assert "give up" not in plain and "roster" not in plain
