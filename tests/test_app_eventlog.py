"""An event log uploaded on the Demand page (AppTest): recognised, read as one demand per case, its flow shown,
and a draft process map created from it in the study. Expected figures come from the file itself (csv)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from app_helpers import in_sample_study
from app_pages import READ_AS_EVENT_LOG, DemandScreen, open_app

from workbench.flow.model import parse_map
from workbench.store import studies

from independent import MESSY_CSV

EVENTS_CSV = Path(__file__).resolve().parents[1] / "sample_data" / "housing_repairs_events.csv"
FLOW_TAB = "How the work flows"


def _events() -> list[dict[str, str]]:
    with EVENTS_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _maps() -> list[studies.MapVersion]:
    return in_sample_study(studies.list_maps)


@pytest.fixture
def demand() -> DemandScreen:
    screen = DemandScreen(open_app())
    screen.upload(EVENTS_CSV.name, EVENTS_CSV.read_bytes())
    screen.assert_no_exception()
    return screen


def test_an_event_log_is_recognised_and_read_as_one_demand_per_case(demand: DemandScreen) -> None:
    events = _events()
    cases = {r["case_id"] for r in events}
    assert len(cases) < len(events)  # the file really has several rows per case
    assert demand.says("info", "looks like an **event log**")
    box = demand.event_log_box()
    assert box is not None and box.value is True  # on by default for a file that looks like a log
    assert demand.headline("Demands") == f"{len(cases):,}"
    assert demand.says("info", f"{len(cases):,} cases (one demand each) from {len(events):,} events") or \
        demand.says("warning", f"{len(cases):,} cases (one demand each) from {len(events):,} events")
    # the report opens with what was read: cases from events, not "rows" of demand
    assert not (demand.says("info", f"Read {len(cases):,} rows") or demand.says("warning", f"Read {len(cases):,} rows"))
    assert FLOW_TAB in demand.tab_labels()
    assert not demand.errors()


def test_the_choice_is_stored_with_the_file_and_can_be_turned_off(demand: DemandScreen) -> None:
    again = DemandScreen(open_app())  # another session (a refresh) reads it the same way
    again.assert_no_exception()
    cases = {r["case_id"] for r in _events()}
    assert again.headline("Demands") == f"{len(cases):,}"
    again.read_as_event_log(False)
    again.assert_no_exception()
    assert FLOW_TAB not in again.tab_labels()
    assert again.headline("Demands") == f"{len(_events()):,}"  # row by row: every event a demand


def test_the_flow_tab_shows_transitions_a_diagram_and_creates_a_draft_map(demand: DemandScreen) -> None:
    events = _events()
    table = demand.table_with("Median wait (hours)")
    assert set(table.columns) >= {"From", "To", "Times"}
    assert table["Times"].is_monotonic_decreasing
    waits = table["Median wait (hours)"].astype(str)
    assert not waits.isin(["None", "nan", ""]).any()  # (start)/(end) rows say there is no wait, in words
    assert (waits[(table["From"] == "(start)") | (table["To"] == "(end)")] == "– (start or end)").all()
    assert demand.graphviz_specs() and "digraph" in demand.graphviz_specs()[0]
    before = {m.name for m in _maps()}
    demand.paths_at_least(0)
    demand.create_draft_map()
    demand.assert_no_exception()
    made = [m for m in _maps() if m.name not in before]
    assert len(made) == 1
    assert made[0].name == "housing_repairs_events (discovered)" and made[0].version == 1
    assert "discovered from housing_repairs_events" in (made[0].note or "")
    m = parse_map(made[0].yaml_text, made[0].name)
    assert sorted(s.name for s in m.steps) == sorted({r["activity"] for r in events})
    assert demand.says("success", "housing_repairs_events (discovered)")
    assert any(p.label == "Open it on the Flow page" for p in demand.at.get("page_link"))


def test_the_transitions_table_shows_its_counts_and_waits_before_the_long_activity_names(
        demand: DemandScreen) -> None:
    """Activity names run to 80 characters: with From and To first, a window 1,400 pixels wide showed only those
    two columns, and how often and how long were scrolled out of view (seen in the browser test)."""
    assert demand.shown_column_order("Median wait (hours)") == ["Times", "Median wait (hours)", "From", "To"]


def test_a_plain_demand_file_is_not_offered_the_event_log_reading() -> None:
    screen = DemandScreen(open_app())
    assert screen.event_log_box() is None  # the sample demand
    screen.upload(MESSY_CSV.name, MESSY_CSV.read_bytes())
    screen.assert_no_exception()
    assert screen.event_log_box() is None
    assert FLOW_TAB not in screen.tab_labels()
    assert not any(READ_AS_EVENT_LOG in c.label for c in screen.at.checkbox)


def test_a_gzipped_history_export_is_read_as_the_history_of_its_status() -> None:
    """A Salesforce Case History report, gzipped: the preview unpacks it, sees an event log (a field-name and
    a new-value column), and reads one demand per case from its status changes."""
    import gzip

    from exports.make_event_logs import build

    export = build()["salesforce_case_history_report.csv"]
    screen = DemandScreen(open_app())
    screen.upload(export.name + ".gz", gzip.compress(export.data, mtime=0))
    screen.assert_no_exception()
    assert screen.says("info", "looks like an **event log**")
    assert screen.headline("Demands") == f"{len(export.cases):,}"
    assert not screen.errors()
