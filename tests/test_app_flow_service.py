"""The Flow page with a call-centre map: rosters, queues at touchpoints, closed dates and touch times from the
data are edited in the page's tables (AppTest), saved as the map's next version, and a cell that cannot be read
is refused with its table, row and column while nothing stored changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from app_pages import FlowScreen, StudiesScreen, open_app
from streamlit.testing.v1 import AppTest

from workbench.flow.model import Shift, parse_map
from workbench.store import db, studies
from workbench.store.sample import CALL_CENTRE_STUDY

ROOT = Path(__file__).resolve().parent.parent
CALL_CENTRE = ROOT / "process_maps" / "call_centre"
WEEKDAYS = (0, 1, 2, 3, 4)


@pytest.fixture
def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FlowScreen:
    folder = tmp_path / "process_maps"
    folder.mkdir()
    shutil.copy(CALL_CENTRE / "call_centre_as_is.yaml", folder)
    shutil.copytree(CALL_CENTRE / "catalogues", folder / "catalogues")
    monkeypatch.setenv("WORKBENCH_MAPS_DIR", str(folder))
    return FlowScreen(open_app("flow"))


def _stored(flow: FlowScreen):  # noqa: ANN202 - a ProcessMap
    w = flow.working
    with db.sessions(db.engine_for(db.database_url()))() as s:
        text = studies.get_map_version(s, w.study_id, w.name).yaml_text
    return parse_map(text, "stored.yaml")


def test_the_call_centre_map_opens_without_saving_a_new_version(flow: FlowScreen) -> None:
    assert flow.working.map.name == "Water contact centre - as-is"
    before = flow.working.map
    flow.run()
    flow.assert_no_exception()
    assert flow.working.map == before  # reruns with nothing edited store nothing
    assert not [e for e in flow.at.error if "Not saved" in e.value]


def test_a_roster_shift_is_changed_in_the_hours_table_and_stored(flow: FlowScreen) -> None:
    flow.edit_table("hours", 1, staff=7)
    flow.assert_no_exception()
    agent = _stored(flow).role("agent")
    assert agent is not None
    assert agent.roster[1] == Shift(WEEKDAYS, 540.0, 720.0, 7)
    assert agent.peak_staff == 7
    assert flow.says("caption", "version 2")


def test_an_unreadable_day_is_refused_by_row_and_column_and_nothing_is_stored(flow: FlowScreen) -> None:
    flow.edit_table("hours", 2, days="Mnday")
    flow.assert_no_exception()
    errors = [e.value for e in flow.at.error]
    assert any("Working hours table, row 3, column 'days'" in e and "'Mnday' is not a day" in e for e in errors), errors
    assert _stored(flow).role("agent").roster[2].days == WEEKDAYS  # type: ignore[union-attr]


def test_queues_and_closed_dates_are_edited_on_the_page(flow: FlowScreen) -> None:
    flow.edit_table("queues", 0, patience_minutes=2.5, call_back=50.0)
    flow.assert_no_exception()
    phone = _stored(flow).touchpoints["Phone"]
    assert phone.patience is not None and phone.patience.likely == 2.5 and phone.patience.exponential
    assert phone.call_back == pytest.approx(0.5)
    flow.add_row("closed", date="2027-01-01")
    flow.assert_no_exception()
    assert [d.isoformat() for d in _stored(flow).closed] == ["2026-12-25", "2026-12-26", "2027-01-01"]


def test_a_step_from_the_data_can_be_given_a_lognormal_time(flow: FlowScreen) -> None:
    assert flow.working.map.step("answer").touch.from_data  # type: ignore[union-attr]
    flow.edit_step(0, touch_shape="lognormal (mean, sd)", touch_likely=7.5, touch_sd=5.0)
    flow.assert_no_exception()
    touch = _stored(flow).step("answer").touch  # type: ignore[union-attr]
    assert (touch.distribution, touch.likely, touch.sd) == ("lognormal", 7.5, 5.0)


def test_a_new_study_can_start_from_the_call_centre_sample() -> None:
    at: AppTest = open_app("studies")
    StudiesScreen(at).create(CALL_CENTRE_STUDY + " (mine)", start_with="The call centre sample (water company)")
    StudiesScreen(at).assert_no_exception()
    with db.sessions(db.engine_for(db.database_url()))() as s:
        made = studies.find_study(s, CALL_CENTRE_STUDY + " (mine)")
        assert made is not None
        names = sorted(v.name for v in studies.list_maps(s, made.id))
        source = studies.current_demand_source(s, made.id, with_data=False)
    assert names == ["Water contact centre - as-is", "Water contact centre - redesign"]
    assert source is not None and source.name == "call_centre_demand.csv"
